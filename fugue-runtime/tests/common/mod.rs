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

/// A partition function that returns its input as it is.
#[allow(dead_code)]
pub struct Identity;

impl fugue_runtime::function::PartitionFunction for Identity {
    fn name(&self) -> &str {
        "identity"
    }

    fn output_schema(
        &self,
        inputs: &[fugue_runtime::fugue_core::Schema],
    ) -> fugue_runtime::fugue_core::Result<fugue_runtime::fugue_core::Schema> {
        Ok(inputs[0].clone())
    }

    fn call<'a>(
        &'a self,
        _ctx: fugue_runtime::function::PartitionContext,
        mut inputs: Vec<fugue_runtime::function::BatchStream<'a>>,
    ) -> fugue_runtime::fugue_core::Result<fugue_runtime::function::BatchStream<'a>> {
        Ok(inputs.remove(0))
    }
}
