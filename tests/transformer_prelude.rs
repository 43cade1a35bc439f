//! The transformer macros' expansion uses absolute paths only: it compiles in a module that
//! shadows the prelude's names (proc-macro-workshop's "redefined prelude" test).

#![allow(dead_code, non_camel_case_types)]

use fugue::prelude::{Callback, PartitionCursor, Schema, processor, transformer};

struct Option;
struct Some;
struct None;
struct Result;
struct Ok;
struct Err;
struct Box;
struct Vec;
struct String;
struct Send;
struct Sync;
struct Iterator;
struct Copy;
struct Clone;
struct Default;
struct Debug;
mod core {}
mod std {}

/// A row.
#[derive(Schema)]
pub struct Row {
    /// A number.
    pub n: i64,
}

/// Every shape at once.
#[transformer(partitionby_has = "n")]
pub fn every(
    rows: ::std::vec::Vec<Row>,
    cb: ::core::option::Option<Callback>,
    cursor: &PartitionCursor,
    k: i64,
) -> ::core::result::Result<::std::vec::Vec<Row>, ::std::io::Error> {
    let _ = (cb, cursor, k);
    ::core::result::Result::Ok(rows)
}

/// Streaming.
#[transformer]
pub fn stream(
    rows: impl ::core::iter::Iterator<Item = Row>,
) -> impl ::core::iter::Iterator<Item = Row> {
    rows
}

/// A processor.
#[processor]
pub fn proc(rows: &[Row]) -> Row {
    Row {
        n: rows.len() as i64,
    }
}

#[test]
fn expands_with_a_redefined_prelude() {
    let missing = ::fugue::transform(::std::vec![Row { n: 1 }], every, "by=n", "native");
    ::core::assert!(missing.is_err());
    let out = ::fugue::Transform::new(::std::vec![Row { n: 1 }], every)
        .param("k", 1_i64)
        .partition("by=n")
        .run();
    ::core::assert_eq!(
        out.and_then(|df| df.count()).ok(),
        ::core::option::Option::Some(1)
    );
}
