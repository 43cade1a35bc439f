//! The schema algebra: column items and the operations on schemas (append, remove, exclude,
//! extract, intersect, union, rename, alter, contains). The output-schema hint language
//! (`*,c:int`, `*-a`, ...) is in [`crate::transform`].
//!
//! Every operation returns a new [`Schema`]; every error names the column, the operation and
//! the schema. Option flags live in one options struct per operation, whose `Default` is the
//! operation's documented default.

use crate::error::{FugueError, Result};
use crate::parse::{Parser, split_top_level};
use crate::schema::{Column, Schema, quote_name};
use crate::types;
use arrow_schema::DataType;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Add;

/// A reference to a column: `name` or `name:type` (the name quoted as in schema expressions),
/// as used by `remove`, `exclude`, `extract`, `intersect`, `contains` and the `input_has` rule.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnItem {
    /// The column name, unquoted.
    pub name: String,
    /// The required type, when the item is typed (canonical).
    pub data_type: Option<DataType>,
}

impl ColumnItem {
    /// An untyped item.
    pub fn name(name: impl Into<String>) -> Self {
        ColumnItem {
            name: name.into(),
            data_type: None,
        }
    }

    /// A typed item.
    pub fn typed(name: impl Into<String>, data_type: DataType) -> Self {
        ColumnItem {
            name: name.into(),
            data_type: Some(data_type),
        }
    }

    /// Parse one item: `a`, `` `a b` ``, `a:int`, `` `x:y`:[str] ``.
    pub fn parse(text: &str) -> Result<Self> {
        let mut parser = Parser::new(text, "column item");
        let item = item_at(&mut parser)?;
        parser.finish("end of the column item (`name` or `name:type`)")?;
        Ok(item)
    }

    /// Parse a comma-separated list of items, splitting only at top-level commas (commas
    /// inside `()`, `[]`, `{}`, `<>` or backticks do not split: `p:decimal(5,2),q` is two
    /// items). Empty items are ignored, so `""` is the empty list.
    pub fn parse_list(text: &str) -> Result<Vec<Self>> {
        parse_items(text, 0, text.len(), "column list")
    }

    /// Whether `column` matches this item: same name and, when typed, the same type.
    pub fn matches(&self, column: &Column) -> bool {
        self.name == column.name()
            && self
                .data_type
                .as_ref()
                .is_none_or(|t| types::same_type(t, column.data_type()))
    }
}

/// The items of `src[start..end]`, empty ones ignored; errors report positions in `src`.
pub(crate) fn parse_items(
    src: &str,
    start: usize,
    end: usize,
    what: &'static str,
) -> Result<Vec<ColumnItem>> {
    let mut items = Vec::new();
    for (s, e) in split_top_level(src, start, end) {
        let mut parser = Parser::range(src, s, e, what);
        if parser.at_end() {
            continue;
        }
        let item = item_at(&mut parser)?;
        parser.finish("`,` or the end of the list")?;
        items.push(item);
    }
    Ok(items)
}

fn item_at(parser: &mut Parser<'_>) -> Result<ColumnItem> {
    let name = parser.name()?;
    if parser.at_end() {
        return Ok(ColumnItem::name(name.text));
    }
    let column = parser.column_type(name.text)?;
    Ok(ColumnItem::typed(column.name(), column.data_type().clone()))
}

/// `name` or `name:type`, the name quoted by [`quote_name`].
impl fmt::Display for ColumnItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&quote_name(&self.name))?;
        if let Some(t) = &self.data_type {
            write!(f, ":{}", types::type_expr(t))?;
        }
        Ok(())
    }
}

impl std::str::FromStr for ColumnItem {
    type Err = FugueError;

    fn from_str(s: &str) -> Result<Self> {
        ColumnItem::parse(s)
    }
}

/// The typed item of a column.
impl From<&Column> for ColumnItem {
    fn from(column: &Column) -> Self {
        ColumnItem::typed(column.name(), column.data_type().clone())
    }
}

/// Options of [`Schema::exclude`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExcludeOptions {
    /// Typed items must match the column's type (default `true`); `false` matches by name.
    pub require_type_match: bool,
    /// Keep a column whose type differs from a typed item instead of failing (default `false`).
    pub ignore_type_mismatch: bool,
}

impl Default for ExcludeOptions {
    fn default() -> Self {
        ExcludeOptions {
            require_type_match: true,
            ignore_type_mismatch: false,
        }
    }
}

/// Options of [`Schema::extract`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtractOptions {
    /// Skip items whose name is missing instead of failing (default `false`).
    pub ignore_key_mismatch: bool,
    /// Typed items must match the column's type (default `true`); `false` matches by name.
    pub require_type_match: bool,
    /// Leave out a column whose type differs from a typed item instead of failing (default
    /// `false`).
    pub ignore_type_mismatch: bool,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions {
            ignore_key_mismatch: false,
            require_type_match: true,
            ignore_type_mismatch: false,
        }
    }
}

/// Options of [`Schema::intersect`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntersectOptions {
    /// Typed items must match the column's type (default `true`); `false` matches by name.
    pub require_type_match: bool,
    /// Silently leave out a same-name column of another type (default `true`); `false` fails.
    pub ignore_type_mismatch: bool,
    /// Order the result as the items are ordered instead of as the schema is (default `false`).
    pub use_other_order: bool,
}

impl Default for IntersectOptions {
    fn default() -> Self {
        IntersectOptions {
            require_type_match: true,
            ignore_type_mismatch: true,
            use_other_order: false,
        }
    }
}

/// Options of [`Schema::union`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UnionOptions {
    /// A same-name column of another type is [`FugueError::TypeMismatch`] (default `false`:
    /// the existing column's type is kept).
    pub require_type_match: bool,
}

/// Options of [`Schema::rename`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RenameOptions {
    /// Skip a missing old name instead of failing (default `false`).
    pub ignore_missing: bool,
}

/// What to do with a column that matched an item by name.
enum TypeCheck {
    Matched,
    Skip,
}

impl Schema {
    fn not_found(&self, column: &str, operation: &str) -> FugueError {
        FugueError::column_not_found(column, operation, self, self.names())
    }

    fn duplicate(&self, column: &str, operation: &str) -> FugueError {
        FugueError::DuplicateColumn {
            column: column.to_string(),
            context: operation.to_string(),
            schema: self.to_string(),
        }
    }

    /// Check a typed item against the column of the same name.
    fn check_type(
        &self,
        item: &ColumnItem,
        column: &Column,
        operation: &str,
        require_type_match: bool,
        ignore_type_mismatch: bool,
    ) -> Result<TypeCheck> {
        match &item.data_type {
            Some(t) if require_type_match && !types::same_type(t, column.data_type()) => {
                if ignore_type_mismatch {
                    Ok(TypeCheck::Skip)
                } else {
                    Err(FugueError::TypeMismatch {
                        column: column.name().to_string(),
                        context: format!("{operation} on schema `{self}`"),
                        expected: types::describe_type(t),
                        found: types::describe_type(column.data_type()),
                    })
                }
            }
            _ => Ok(TypeCheck::Matched),
        }
    }

    /// This schema followed by `other`'s columns; any name already present (even with the
    /// same type) is [`FugueError::DuplicateColumn`]. Also available as `&a + &b`.
    pub fn append(&self, other: &Schema) -> Result<Schema> {
        let mut columns = self.columns().to_vec();
        for column in other.columns() {
            if self.contains_name(column.name()) {
                return Err(self.duplicate(column.name(), "append"));
            }
            columns.push(column.clone());
        }
        // `other` has unique names and none is in `self`.
        Ok(Schema::from_canonical(columns))
    }

    /// Remove every item, strictly: a missing name is [`FugueError::ColumnNotFound`], a typed
    /// item of another type is [`FugueError::TypeMismatch`].
    pub fn remove(&self, items: &[ColumnItem]) -> Result<Schema> {
        self.remove_in(items, "remove")
    }

    pub(crate) fn remove_in(&self, items: &[ColumnItem], operation: &str) -> Result<Schema> {
        let mut removed = HashSet::new();
        for item in items {
            let column = self
                .column(&item.name)
                .ok_or_else(|| self.not_found(&item.name, operation))?;
            self.check_type(item, column, operation, true, false)?;
            removed.insert(item.name.as_str());
        }
        Ok(self.without(&removed))
    }

    /// Like [`Schema::remove`], but missing names are ignored; see [`ExcludeOptions`] for typed
    /// items.
    pub fn exclude(&self, items: &[ColumnItem], options: ExcludeOptions) -> Result<Schema> {
        self.exclude_in(items, options, "exclude")
    }

    pub(crate) fn exclude_in(
        &self,
        items: &[ColumnItem],
        options: ExcludeOptions,
        operation: &str,
    ) -> Result<Schema> {
        let mut removed = HashSet::new();
        for item in items {
            let Some(column) = self.column(&item.name) else {
                continue;
            };
            if let TypeCheck::Matched = self.check_type(
                item,
                column,
                operation,
                options.require_type_match,
                options.ignore_type_mismatch,
            )? {
                removed.insert(item.name.as_str());
            }
        }
        Ok(self.without(&removed))
    }

    fn without(&self, removed: &HashSet<&str>) -> Schema {
        Schema::from_canonical(
            self.columns()
                .iter()
                .filter(|c| !removed.contains(c.name()))
                .cloned()
                .collect(),
        )
    }

    /// The sub-schema of the items, **in the items' order**. A missing name is
    /// [`FugueError::ColumnNotFound`] and a type mismatch [`FugueError::TypeMismatch`], unless
    /// the [`ExtractOptions`] say otherwise; an item named twice is
    /// [`FugueError::DuplicateColumn`].
    pub fn extract(&self, items: &[ColumnItem], options: ExtractOptions) -> Result<Schema> {
        let mut columns: Vec<Column> = Vec::new();
        for item in items {
            let Some(column) = self.column(&item.name) else {
                if options.ignore_key_mismatch {
                    continue;
                }
                return Err(self.not_found(&item.name, "extract"));
            };
            if let TypeCheck::Matched = self.check_type(
                item,
                column,
                "extract",
                options.require_type_match,
                options.ignore_type_mismatch,
            )? {
                if columns.iter().any(|c| c.name() == column.name()) {
                    return Err(self.duplicate(column.name(), "extract"));
                }
                columns.push(column.clone());
            }
        }
        Ok(Schema::from_canonical(columns))
    }

    /// The columns also named by the items, in this schema's order (the items' order with
    /// [`IntersectOptions::use_other_order`]). By default a same-name column of another type is
    /// silently left out; missing names are ignored.
    pub fn intersect(&self, items: &[ColumnItem], options: IntersectOptions) -> Result<Schema> {
        let mut kept: Vec<&Column> = Vec::new();
        for item in items {
            let Some(column) = self.column(&item.name) else {
                continue;
            };
            let check = self.check_type(
                item,
                column,
                "intersect",
                options.require_type_match,
                options.ignore_type_mismatch,
            )?;
            if let TypeCheck::Matched = check
                && !kept.iter().any(|c| c.name() == column.name())
            {
                kept.push(column);
            }
        }
        if !options.use_other_order {
            kept.sort_by_key(|c| self.index_of(c.name()));
        }
        Ok(Schema::from_canonical(kept.into_iter().cloned().collect()))
    }

    /// This schema followed by `other`'s columns whose names are new (in `other`'s order);
    /// existing names keep this schema's type, unless
    /// [`UnionOptions::require_type_match`] makes a difference a [`FugueError::TypeMismatch`].
    pub fn union(&self, other: &Schema, options: UnionOptions) -> Result<Schema> {
        let mut columns = self.columns().to_vec();
        for column in other.columns() {
            match self.column(column.name()) {
                Some(existing) => {
                    if options.require_type_match {
                        self.check_type(&ColumnItem::from(column), existing, "union", true, false)?;
                    }
                }
                None => columns.push(column.clone()),
            }
        }
        Ok(Schema::from_canonical(columns))
    }

    /// Rename columns (`old -> new`, raw names), keeping the order. Renames apply at once, so
    /// names can be swapped. A missing old name is [`FugueError::ColumnNotFound`] (unless
    /// [`RenameOptions::ignore_missing`]); an old name given twice is
    /// [`FugueError::InvalidArgument`]; a resulting repeated name is
    /// [`FugueError::DuplicateColumn`].
    pub fn rename<K, V>(
        &self,
        mapping: impl IntoIterator<Item = (K, V)>,
        options: RenameOptions,
    ) -> Result<Schema>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut renames: HashMap<String, String> = HashMap::new();
        for (old, new) in mapping {
            let (old, new) = (old.as_ref(), new.as_ref());
            if !self.contains_name(old) {
                if options.ignore_missing {
                    continue;
                }
                return Err(self.not_found(old, "rename"));
            }
            if renames.insert(old.to_string(), new.to_string()).is_some() {
                return Err(FugueError::invalid_argument(
                    "rename",
                    format!("column `{old}` of schema `{self}` is renamed twice in one mapping"),
                ));
            }
        }
        let mut seen = HashSet::new();
        let mut columns = Vec::with_capacity(self.len());
        for column in self.columns() {
            let column = match renames.get(column.name()) {
                Some(new) => column.with_name(new),
                None => column.clone(),
            };
            if !seen.insert(column.name().to_string()) {
                return Err(self.duplicate(column.name(), "rename"));
            }
            columns.push(column);
        }
        Ok(Schema::from_canonical(columns))
    }

    /// Change the types of existing columns to those of `changes`, keeping this schema's order
    /// and each column's nullability; an unknown name is a
    /// [`ErrorKind::ColumnNotFound`](crate::ErrorKind::ColumnNotFound) error naming the column
    /// and this schema. No change is this schema. The rule is [`rules::alter`](crate::rules::alter),
    /// the one `workflow!` checks at compile time.
    pub fn alter(&self, changes: &Schema) -> Result<Schema> {
        if changes.is_empty() {
            return Ok(self.clone());
        }
        crate::rules::eval::alter(self, changes, "schema", &crate::rules::Step::NONE)
    }

    /// Whether every item is present (by name, or by name and type for a typed item).
    pub fn contains(&self, items: &[ColumnItem]) -> bool {
        items
            .iter()
            .all(|item| self.column(&item.name).is_some_and(|c| item.matches(c)))
    }

    /// Every column as a typed item (to use a schema where items are expected).
    pub fn items(&self) -> Vec<ColumnItem> {
        self.columns().iter().map(ColumnItem::from).collect()
    }
}

/// [`Schema::append`].
impl Add<&Schema> for &Schema {
    type Output = Result<Schema>;

    fn add(self, other: &Schema) -> Result<Schema> {
        self.append(other)
    }
}

/// [`Schema::append`].
impl Add<&Schema> for Schema {
    type Output = Result<Schema>;

    fn add(self, other: &Schema) -> Result<Schema> {
        self.append(other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn schema(expr: &str) -> Schema {
        Schema::parse(expr).unwrap()
    }

    fn items(text: &str) -> Vec<ColumnItem> {
        ColumnItem::parse_list(text).unwrap()
    }

    #[test]
    fn column_items() {
        assert_eq!(ColumnItem::parse(" a ").unwrap(), ColumnItem::name("a"));
        assert_eq!(
            ColumnItem::parse("`a:b`:int").unwrap(),
            ColumnItem::typed("a:b", DataType::Int32)
        );
        let list = items("p:decimal(5,2), q ,,`x,y`, m:<str,int>");
        let printed: Vec<String> = list.iter().map(ToString::to_string).collect();
        assert_eq!(printed, ["p:decimal(5,2)", "q", "`x,y`", "m:<str,int>"]);
        for bad in ["", "a:", "a:INT", "a b c:int x", "`a"] {
            let err = ColumnItem::parse(bad).expect_err(bad);
            assert_eq!(err.kind(), ErrorKind::SchemaSyntax, "{bad}");
        }
    }

    #[test]
    fn append_and_add() {
        let a = schema("a:int");
        assert_eq!((&a + &schema("b:str")).unwrap(), schema("a:int,b:str"));
        let err = a.append(&schema("a:int")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DuplicateColumn);
        assert_eq!(
            err.to_string(),
            "duplicate column `a` in append (schema `a:int`)"
        );
    }

    #[test]
    fn remove_is_strict_and_names_the_column() {
        let s = schema("a:int,b:str,c:int");
        assert_eq!(s.remove(&items("b:str")).unwrap(), schema("a:int,c:int"));
        let err = s.remove(&items("bb")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ColumnNotFound);
        assert_eq!(
            err.to_string(),
            "column `bb` not found in remove (schema `a:int,b:str,c:int`); did you mean `b`?"
        );
        let err = s.remove(&items("b:int")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TypeMismatch);
        assert_eq!(
            err.to_string(),
            "column `b` in remove on schema `a:int,b:str,c:int` has type `str` but `int` is required"
        );
    }

    #[test]
    fn exclude_options() {
        let s = schema("a:int,b:str,c:int");
        assert_eq!(
            s.exclude(&items("c,x"), ExcludeOptions::default()).unwrap(),
            schema("a:int,b:str")
        );
        let ignore = ExcludeOptions {
            ignore_type_mismatch: true,
            ..ExcludeOptions::default()
        };
        assert_eq!(
            s.exclude(&items("a:str,b:str"), ignore).unwrap(),
            schema("a:int,c:int")
        );
    }

    #[test]
    fn extract_intersect_union() {
        let s = schema("a:int,b:str,c:int");
        assert_eq!(
            s.extract(&items("c,a"), ExtractOptions::default()).unwrap(),
            schema("c:int,a:int")
        );
        let lenient = ExtractOptions {
            ignore_key_mismatch: true,
            ..ExtractOptions::default()
        };
        assert_eq!(s.extract(&items("x,b"), lenient).unwrap(), schema("b:str"));
        assert_eq!(
            s.extract(&items("a,a"), ExtractOptions::default())
                .unwrap_err()
                .kind(),
            ErrorKind::DuplicateColumn
        );
        let other_order = IntersectOptions {
            use_other_order: true,
            ..IntersectOptions::default()
        };
        assert_eq!(
            s.intersect(&items("c,a"), other_order).unwrap(),
            schema("c:int,a:int")
        );
        let strict = IntersectOptions {
            ignore_type_mismatch: false,
            ..IntersectOptions::default()
        };
        assert_eq!(
            s.intersect(&items("b:int"), strict).unwrap_err().kind(),
            ErrorKind::TypeMismatch
        );
        let strict_union = UnionOptions {
            require_type_match: true,
        };
        assert_eq!(
            s.union(&schema("b:int"), strict_union).unwrap_err().kind(),
            ErrorKind::TypeMismatch
        );
        assert_eq!(
            s.union(&schema("b:str,d:long"), strict_union).unwrap(),
            schema("a:int,b:str,c:int,d:long")
        );
    }

    #[test]
    fn rename_and_alter() {
        let s = schema("a:int,b:str");
        assert_eq!(
            s.rename([("a", "b"), ("b", "a")], RenameOptions::default())
                .unwrap(),
            schema("b:int,a:str")
        );
        assert_eq!(
            s.rename([("a", "x"), ("a", "y")], RenameOptions::default())
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidArgument
        );
        assert_eq!(s.alter(&schema("b:long")).unwrap(), schema("a:int,b:long"));
        assert_eq!(
            s.alter(&schema("c:long")).unwrap_err().kind(),
            ErrorKind::ColumnNotFound
        );
    }

    #[test]
    fn contains_by_name_and_type() {
        let s = schema("a:int,b:str");
        assert!(s.contains(&items("a,b:str")));
        assert!(!s.contains(&items("a:str")));
        assert!(!s.contains(&items("c")));
        assert!(s.contains(&[]));
    }
}
