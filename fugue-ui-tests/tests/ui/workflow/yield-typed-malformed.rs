use fugue::prelude::*;

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet", columns: "city:str");
        yield trips: ;
    };
}
