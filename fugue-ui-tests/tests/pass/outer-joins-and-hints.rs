//! An outer join's other side may be NULL; `Option` fields take it. A hint `*,c:t-x` adds and
//! removes columns.
use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
    tip: f64,
}

#[derive(Schema)]
struct City {
    city: String,
    pop: i64,
}

#[derive(Schema)]
struct Joined {
    city: String,
    fare: f64,
    tip: f64,
    pop: Option<i64>,
}

#[transformer]
fn keep(rows: Vec<Joined>) -> Vec<Joined> {
    rows
}

#[transformer(schema = "*,share:double-tip")]
fn share(batch: RecordBatch) -> RecordBatch {
    batch
}

#[derive(Schema)]
struct Shared {
    city: String,
    fare: f64,
    share: f64,
}

#[transformer]
fn after(rows: Vec<Shared>) -> Vec<Shared> {
    rows
}

fn main() {
    let (trips, cities): (Vec<Trip>, Vec<City>) = (vec![], vec![]);
    let _wf = workflow! {
        t = create(trips) as Trip;
        c = create(cities) as City;
        j = join(t, c, how: left_outer, on: [city]);
        k = transform(j, keep);
        s = transform(t, share);
        a = transform(s, after);
        semi = join(t, c, how: left_semi, on: [city]);
        yield k;
        yield a;
        yield semi;
    };
}
