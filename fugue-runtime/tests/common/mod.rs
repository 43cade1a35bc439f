//! Helpers shared by the integration tests (`mod common;` in each).

use fugue_runtime::DataFrame;

/// The frame's rows printed (NaN prints the same everywhere) and sorted: a multiset to compare.
pub fn sorted_rows(mut df: DataFrame) -> Vec<String> {
    let mut rows: Vec<String> = df
        .as_rows()
        .expect("rows")
        .into_iter()
        .map(|r| format!("{r:?}"))
        .collect();
    rows.sort();
    rows
}
