//! `fillna` and `dropna` guarantee non-NULL columns, so a typed step after them may take
//! non-`Option` fields for columns that were `Option`s upstream.
use fugue::prelude::*;

#[derive(Schema)]
struct Raw {
    city: Option<String>,
    fare: Option<f64>,
}

#[derive(Schema)]
struct Clean {
    city: String,
    fare: f64,
}

#[transformer]
fn keep(rows: Vec<Clean>) -> Vec<Clean> {
    rows
}

#[transformer]
fn keep_fare(rows: Vec<Fare>) -> Vec<Fare> {
    rows
}

#[derive(Schema)]
struct Fare {
    fare: f64,
}

fn main() {
    let data: Vec<Raw> = vec![];
    let _wf = workflow! {
        raw = create(data) as Raw;
        filled = fillna(raw, 0.0);
        a = transform(filled, keep);
        some = fillna(raw, 0.0, subset: [fare]);
        fares = select(some, fare);
        b = transform(fares, keep_fare);
        dropped = dropna(raw);
        c = transform(dropped, keep);
        subset = dropna(raw, how: any, subset: [fare]);
        only = select(subset, fare);
        d = transform(only, keep_fare);
        yield a;
        yield b;
        yield c;
        yield d;
    };
}
