use fugue::prelude::*;

fn main() {
    let _wf = workflow! {
        raw = load("a.csv", header: "yes", delimiter: ";;", null: NA);
        save(raw, "b.parquet", compression: fast);
        yield raw;
    };
}
