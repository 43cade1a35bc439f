use fugue::Schema;

#[derive(Schema)]
struct Wrapper<T> {
    value: T,
}

fn main() {}
