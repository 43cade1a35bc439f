// The records and functions of the differential test (`tests/differential.rs`), included by both
// of its sides: the generated crate of `workflow!` programs, and the test binary that builds the
// same workflows with the builder. (No `use` here: each side imports `fugue::prelude::*`.)

/// The typed input of most functions.
#[derive(Schema, Debug, Clone)]
pub struct Trip {
    /// A key.
    pub city: String,
    /// A value.
    pub fare: f64,
    /// A count.
    pub n: i64,
}

/// A narrower record, with a nullable field.
#[derive(Schema, Debug, Clone)]
pub struct Fare {
    /// A key.
    pub city: String,
    /// A value that may be missing.
    pub fare: Option<f64>,
}

/// Partition rules over a typed input.
#[transformer(partitionby_has = "city", presort_is = "fare desc")]
pub fn rank(rows: Vec<Trip>) -> Vec<Trip> {
    rows
}

/// Set rules: exactly this key, a presort with NULLs first.
#[transformer(partitionby_is = "city", presort_has = "fare desc nulls first")]
pub fn grouped(rows: Vec<Fare>) -> Vec<Fare> {
    rows
}

/// Input rules over a dynamic input.
#[transformer(input_has = "city:str,fare", schema = "*")]
pub fn needs(batch: RecordBatch) -> RecordBatch {
    batch
}

/// An exact input.
#[transformer(input_is = "city:str,fare:double", schema = "*")]
pub fn exact(batch: RecordBatch) -> RecordBatch {
    batch
}

/// A schema hint that adds a column and removes one.
#[transformer(schema = "*,share:double-n")]
pub fn share(batch: RecordBatch) -> RecordBatch {
    batch
}

/// Typed parameters.
#[transformer]
pub fn top(rows: Vec<Trip>, k: i64, label: String) -> Vec<Trip> {
    let _ = label;
    rows.into_iter().take(k.max(0) as usize).collect()
}

/// Two typed inputs zipped by key.
#[cotransformer]
pub fn pair(a: Vec<Trip>, b: Vec<Fare>) -> Vec<Fare> {
    let _ = a;
    b
}
