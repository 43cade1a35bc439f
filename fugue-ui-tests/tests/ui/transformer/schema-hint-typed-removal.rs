use fugue::prelude::*;

// Everything after `-` is a list of columns to remove: `share:double` there is not an added
// column. The error shows the spelling that adds it.
#[transformer(schema = "*-tip,share:double")]
pub fn f(batch: RecordBatch) -> RecordBatch {
    batch
}

fn main() {}
