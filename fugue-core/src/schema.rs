//! The schema model: an ordered list of uniquely named, typed columns.
//!
//! Types are Arrow types from Fugue's supported set, held in a canonical form (list items are
//! named `item` and nullable, struct fields are nullable, map entries are `entries{key, value}`),
//! so that structural equality on schemas is equality on names and types.
//!
//! **Equality.** `Schema == Schema` (and `Column == Column`) is *structural*: the same names in
//! the same order with the same types, compared by [`crate::types::same_type`]. Nullability is
//! **not** compared (neither of columns nor of nested fields), nor whether map keys are sorted:
//! a schema parsed from `a:int` equals the schema of an Arrow table whose `a` is non-null.
//! `timestamp(us)` equals `datetime`; `timestamp(s)` does not, although both print `datetime`.

use crate::error::{FugueError, Result};
use crate::parse::Parser;
use crate::types;
use arrow_schema::{DataType, Field};
use std::collections::HashSet;
use std::fmt;

/// How a column name is written in an expression: bare when it matches
/// `[A-Za-z_][A-Za-z0-9_]*` and is not only underscores, otherwise in backticks with inner
/// backticks doubled (`` `a b` ``, `` `123` ``, `` `_` ``, ``` `a``b` ```, ```` `` ```` for the
/// empty name). This is the one quoting rule; every printer uses it, so printed names parse back.
///
/// ```
/// use fugue_core::schema::quote_name;
/// assert_eq!(quote_name("price"), "price");
/// assert_eq!(quote_name("unit price"), "`unit price`");
/// assert_eq!(quote_name("__"), "`__`");
/// assert_eq!(quote_name("a`b"), "`a``b`");
/// ```
pub fn quote_name(name: &str) -> String {
    if is_bare_name(name) {
        name.to_string()
    } else {
        format!("`{}`", name.replace('`', "``"))
    }
}

/// Whether a name prints without backticks (see [`quote_name`]).
pub fn is_bare_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.chars().all(|c| c == '_')
}

/// One column of a [`Schema`].
#[derive(Debug, Clone)]
pub struct Column {
    name: String,
    data_type: DataType,
    nullable: bool,
}

impl Column {
    /// A nullable column (every column parsed from an expression is nullable).
    pub fn new(name: impl Into<String>, data_type: DataType) -> Self {
        Column {
            name: name.into(),
            data_type,
            nullable: true,
        }
    }

    /// A column with explicit nullability (derived structs: only `Option<T>` fields are nullable).
    pub fn with_nullable(name: impl Into<String>, data_type: DataType, nullable: bool) -> Self {
        Column {
            name: name.into(),
            data_type,
            nullable,
        }
    }

    /// The column's name, unquoted.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The column's Arrow type.
    pub fn data_type(&self) -> &DataType {
        &self.data_type
    }

    /// Whether the column may hold NULL.
    pub fn is_nullable(&self) -> bool {
        self.nullable
    }

    /// The same column with another type (nullability kept).
    pub fn with_type(&self, data_type: DataType) -> Self {
        Column {
            name: self.name.clone(),
            data_type,
            nullable: self.nullable,
        }
    }

    /// The same column with another name.
    pub fn with_name(&self, name: impl Into<String>) -> Self {
        Column {
            name: name.into(),
            data_type: self.data_type.clone(),
            nullable: self.nullable,
        }
    }

    /// The Arrow field of this column.
    pub fn to_field(&self) -> Field {
        Field::new(&self.name, self.data_type.clone(), self.nullable)
    }
}

/// Structural: same name and [`types::same_type`]; nullability is not compared.
impl PartialEq for Column {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && types::same_type(&self.data_type, &other.data_type)
    }
}

impl Eq for Column {}

/// `name:type`, the name quoted by [`quote_name`] and the type canonical.
impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}",
            quote_name(&self.name),
            types::type_expr(&self.data_type)
        )
    }
}

/// An ordered list of uniquely named, typed columns.
///
/// ```
/// use fugue_core::Schema;
///
/// let schema = Schema::parse("city:str,fare:double")?;
/// assert_eq!(schema.to_string(), "city:str,fare:double");
/// assert_eq!(schema.names().collect::<Vec<_>>(), ["city", "fare"]);
/// // Names are unique.
/// assert!(Schema::parse("city:str,city:long").is_err());
/// # Ok::<(), fugue_core::FugueError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Schema {
    columns: Vec<Column>,
}

impl Schema {
    /// The schema with no column.
    pub fn empty() -> Self {
        Schema::default()
    }

    /// A schema from columns, with every type put in canonical form (see [`crate::types`]).
    ///
    /// A repeated name is [`FugueError::DuplicateColumn`]; a type outside the supported set is
    /// [`FugueError::Unsupported`] naming the column.
    pub fn new(columns: Vec<Column>) -> Result<Self> {
        let mut seen = HashSet::with_capacity(columns.len());
        let mut out = Vec::with_capacity(columns.len());
        for column in columns {
            if !seen.insert(column.name.clone()) {
                return Err(FugueError::DuplicateColumn {
                    column: column.name,
                    context: "schema".to_string(),
                    schema: Schema::from_canonical(out).to_string(),
                });
            }
            let data_type = types::canonical_type(&column.name, &column.data_type)?;
            out.push(Column {
                data_type,
                ..column
            });
        }
        Ok(Schema { columns: out })
    }

    /// A schema of columns known to be canonical and uniquely named (inside the crate only).
    pub(crate) fn from_canonical(columns: Vec<Column>) -> Self {
        Schema { columns }
    }

    /// Parse a schema expression such as `a:int,b:[str]` (`""` is the empty schema).
    ///
    /// A malformed expression is [`FugueError::SchemaSyntax`], whose message shows the
    /// expression, a caret, what was expected and what was found; a repeated name (at the top
    /// level or inside one struct) is [`FugueError::DuplicateColumn`].
    pub fn parse(expr: &str) -> Result<Self> {
        let columns = Parser::new(expr, "schema expression").schema()?;
        Ok(Schema { columns })
    }

    /// The columns, in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The number of columns.
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    /// Whether there is no column.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// The column names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().map(|c| c.name.as_str())
    }

    /// The position of a column.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// A column by name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Whether a column of this name exists.
    pub fn contains_name(&self, name: &str) -> bool {
        self.index_of(name).is_some()
    }

    /// The Arrow schema (no metadata; nullability as the columns say).
    pub fn to_arrow(&self) -> arrow_schema::Schema {
        arrow_schema::Schema::new(
            self.columns
                .iter()
                .map(Column::to_field)
                .collect::<Vec<_>>(),
        )
    }

    /// A schema from an Arrow schema, lossless for supported types (nullability kept, field
    /// and schema metadata dropped, list/map field names canonical).
    ///
    /// A type outside the supported set (`LargeUtf8`, `Dictionary`, `Time64`, ...) is
    /// [`FugueError::Unsupported`] naming the column, its Arrow type and the supported types;
    /// a repeated name is [`FugueError::DuplicateColumn`].
    pub fn from_arrow(schema: &arrow_schema::Schema) -> Result<Self> {
        Schema::new(
            schema
                .fields()
                .iter()
                .map(|f| Column::with_nullable(f.name(), f.data_type().clone(), f.is_nullable()))
                .collect(),
        )
    }
}

/// Structural equality: the same names in the same order with the same types; nullability
/// is not compared (see the module docs).
impl PartialEq for Schema {
    fn eq(&self, other: &Self) -> bool {
        self.columns == other.columns
    }
}

impl Eq for Schema {}

/// The canonical expression: `a:int,b:[str]`, names quoted by [`quote_name`], no spaces.
/// `Schema::parse(&s.to_string())` gives back `s`, except that a tz-naive timestamp of a unit
/// other than `us` prints (and so parses back) as `datetime`.
impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, column) in self.columns.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{column}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use arrow_schema::TimeUnit;

    #[test]
    fn quote_name_rule() {
        for (name, printed) in [
            ("a", "a"),
            ("A_1", "A_1"),
            ("_a", "_a"),
            ("_", "`_`"),
            ("__", "`__`"),
            ("123", "`123`"),
            ("a b", "`a b`"),
            ("a`b", "`a``b`"),
            ("`", "````"),
            ("", "``"),
            ("中国", "`中国`"),
            ("a:b", "`a:b`"),
        ] {
            assert_eq!(quote_name(name), printed, "{name}");
        }
    }

    #[test]
    fn parse_and_print_canonically() {
        let schema = Schema::parse(" a : int32 , `b c`:[string], d:{x:<str,long>} ").unwrap();
        assert_eq!(schema.to_string(), "a:int,`b c`:[str],d:{x:<str,long>}");
        assert_eq!(Schema::parse(&schema.to_string()).unwrap(), schema);
        assert!(Schema::parse("  ").unwrap().is_empty());
        assert_eq!(Schema::empty().to_string(), "");
    }

    #[test]
    fn new_checks_duplicates_and_canonicalises() {
        let err = Schema::new(vec![
            Column::new("a", DataType::Int32),
            Column::new("a", DataType::Utf8),
        ])
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DuplicateColumn);
        assert!(err.to_string().contains("`a`"), "{err}");
        let odd_list = DataType::List(std::sync::Arc::new(Field::new(
            "element",
            DataType::Int32,
            true,
        )));
        let schema = Schema::new(vec![Column::new("l", odd_list)]).unwrap();
        assert_eq!(
            schema.column("l").unwrap().data_type(),
            &types::list_of(DataType::Int32)
        );
        let err = Schema::new(vec![Column::new("s", DataType::LargeUtf8)]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedOperation);
    }

    #[test]
    fn arrow_round_trip_keeps_nullability() {
        let arrow = arrow_schema::Schema::new(vec![
            Field::new("a", DataType::Int64, false),
            Field::new("t", DataType::Timestamp(TimeUnit::Second, None), true),
            Field::new("m", types::map_of(DataType::Utf8, DataType::Float64), true),
        ]);
        let schema = Schema::from_arrow(&arrow).unwrap();
        assert!(!schema.column("a").unwrap().is_nullable());
        assert_eq!(schema.to_arrow(), arrow);
        assert_eq!(
            schema,
            Schema::parse("a:long,t:timestamp(s),m:<str,double>").unwrap()
        );
        let bad = arrow_schema::Schema::new(vec![Field::new("big", DataType::LargeUtf8, true)]);
        let err = Schema::from_arrow(&bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedOperation);
        assert!(err.to_string().contains("`big`"), "{err}");
        assert!(err.to_string().contains("LargeUtf8"), "{err}");
    }

    #[test]
    fn equality_is_structural() {
        let parsed = |s| Schema::parse(s).unwrap();
        assert_eq!(parsed("a:int,b:str"), parsed("a: int32 , b: string"));
        assert_eq!(parsed("a:timestamp(us)"), parsed("a:datetime"));
        assert_ne!(parsed("a:timestamp(s)"), parsed("a:datetime"));
        assert_ne!(parsed("a:int,b:str"), parsed("b:str,a:int"));
        let non_null = Schema::new(vec![Column::with_nullable("a", DataType::Int32, false)]);
        assert_eq!(non_null.unwrap(), parsed("a:int"));
    }
}
