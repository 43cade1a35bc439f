//! The schema language and what is built on it: [`Schema`] (`"a:int,b:str"`, parsed once and
//! typed), the schema algebra's options ([`ColumnItem`], [`UnionOptions`], ...), partition
//! specs and sort keys, and the validation rules a step declares ([`Rules`]).
//!
//! ```
//! use fugue::schema::Schema;
//!
//! let schema = Schema::parse("city:str,fare:double")?;
//! assert_eq!(schema.names().collect::<Vec<_>>(), ["city", "fare"]);
//! # Ok::<(), fugue::FugueError>(())
//! ```

pub use fugue_core::validation::Rules;
pub use fugue_core::{
    Column, ColumnItem, ExcludeOptions, ExtractOptions, IntersectOptions, PartitionAlgo,
    PartitionSpec, RenameOptions, Schema, SortKey, UnionOptions, quote_name,
};
