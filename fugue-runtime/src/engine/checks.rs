//! Schema checks that run before any engine executes anything, with fugue-core's rules and
//! wording, and the output schemas of the relational operations.

use super::options::JoinHow;
use fugue_core::types::{same_type, type_expr};
use fugue_core::{FugueError, Result, Schema};

/// The plan of a join: its keys and its output schema.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinPlan {
    /// The key columns (empty for a cross join).
    pub keys: Vec<String>,
    /// The output: df1's columns, then df2's non-key columns (semi/anti: df1's columns).
    pub output: Schema,
}

/// Check a join of `left` and `right` and compute its keys and output schema (reference §2.3,
/// cases README `join`).
///
/// Without `on` (and not cross), the keys are the common columns in `left`'s order (none:
/// [`FugueError::InvalidArgument`]). An `on` column missing from an input is
/// [`FugueError::ColumnNotFound`]; keys of different types are [`FugueError::TypeMismatch`];
/// inner/outer joins whose inputs share a non-key column are [`FugueError::InvalidArgument`]
/// naming it; a cross join requires disjoint columns and no keys.
pub fn join_plan(left: &Schema, right: &Schema, how: JoinHow, on: &[&str]) -> Result<JoinPlan> {
    if how == JoinHow::Cross {
        if !on.is_empty() {
            return Err(FugueError::invalid_argument(
                "on",
                "a cross join has no keys; remove `on`",
            ));
        }
        if let Some(common) = left.names().find(|n| right.contains_name(n)) {
            return Err(FugueError::invalid_argument(
                "how",
                format!(
                    "invalid cross join: both inputs have column `{common}` (left `{left}`, \
                     right `{right}`); rename it first"
                ),
            ));
        }
        return Ok(JoinPlan {
            keys: Vec::new(),
            output: concat(left, right, &[])?,
        });
    }
    let keys: Vec<String> = if on.is_empty() {
        let common: Vec<String> = left
            .names()
            .filter(|n| right.contains_name(n))
            .map(str::to_string)
            .collect();
        if common.is_empty() {
            return Err(FugueError::invalid_argument(
                "on",
                format!(
                    "no common columns between `{left}` and `{right}`, so no join key can be \
                     inferred; give `on` or use a cross join"
                ),
            ));
        }
        common
    } else {
        let mut keys: Vec<String> = Vec::with_capacity(on.len());
        for key in on {
            if keys.iter().any(|k| k == key) {
                return Err(FugueError::DuplicateColumn {
                    column: key.to_string(),
                    context: "the join keys".into(),
                    schema: String::new(),
                });
            }
            for (side, schema) in [("left", left), ("right", right)] {
                if !schema.contains_name(key) {
                    return Err(FugueError::column_not_found(
                        key,
                        format!("the {side} input of the join"),
                        schema,
                        schema.names(),
                    ));
                }
            }
            keys.push(key.to_string());
        }
        keys
    };
    for key in &keys {
        let (Some(l), Some(r)) = (left.column(key), right.column(key)) else {
            return Err(FugueError::Internal(format!("join key `{key}` vanished")));
        };
        if !same_type(l.data_type(), r.data_type()) {
            return Err(FugueError::TypeMismatch {
                column: key.clone(),
                context: "the right input of the join (join keys must have equal types)".into(),
                expected: type_expr(l.data_type()),
                found: type_expr(r.data_type()),
            });
        }
    }
    if how.is_filtering() {
        return Ok(JoinPlan {
            keys,
            output: left.clone(),
        });
    }
    if let Some(shared) = right
        .names()
        .find(|n| left.contains_name(n) && !keys.iter().any(|k| k == n))
    {
        return Err(FugueError::invalid_argument(
            "on",
            format!(
                "both inputs of the {how} join have the non-key column `{shared}` (left \
                 `{left}`, right `{right}`); rename it first or make it a key"
            ),
        ));
    }
    let output = concat(left, right, &keys)?;
    Ok(JoinPlan { keys, output })
}

/// `left`'s columns, then `right`'s columns that are not keys.
fn concat(left: &Schema, right: &Schema, keys: &[String]) -> Result<Schema> {
    let mut columns = left.columns().to_vec();
    columns.extend(
        right
            .columns()
            .iter()
            .filter(|c| !keys.iter().any(|k| k == c.name()))
            .cloned(),
    );
    Schema::new(columns)
}

/// Set operations need identical schemas (names, order, types): otherwise
/// [`FugueError::SchemaMismatch`] naming the first difference.
pub fn same_schema(operation: &str, left: &Schema, right: &Schema) -> Result<()> {
    let mismatch = |reason: String| FugueError::SchemaMismatch {
        context: format!("the {operation} inputs"),
        reason,
        left: left.to_string(),
        right: right.to_string(),
    };
    for (i, l) in left.columns().iter().enumerate() {
        let Some(r) = right.columns().get(i) else {
            return Err(mismatch(format!(
                "column `{}` is missing on the right",
                l.name()
            )));
        };
        if l.name() != r.name() {
            return Err(mismatch(format!(
                "column {} is `{}` on the left and `{}` on the right",
                i + 1,
                l.name(),
                r.name()
            )));
        }
        if !same_type(l.data_type(), r.data_type()) {
            return Err(mismatch(format!(
                "column `{}` is `{}` on the left and `{}` on the right",
                l.name(),
                type_expr(l.data_type()),
                type_expr(r.data_type())
            )));
        }
    }
    if let Some(extra) = right.columns().get(left.len()) {
        return Err(mismatch(format!(
            "column `{}` is missing on the left",
            extra.name()
        )));
    }
    Ok(())
}

/// The positions of `subset` in `schema` (all columns when `None`); a missing column is
/// [`FugueError::ColumnNotFound`] naming `operation`.
pub fn subset_indices(
    operation: &str,
    schema: &Schema,
    subset: Option<&[&str]>,
) -> Result<Vec<usize>> {
    match subset {
        None => Ok((0..schema.len()).collect()),
        Some(names) => names
            .iter()
            .map(|name| {
                schema.index_of(name).ok_or_else(|| {
                    FugueError::column_not_found(
                        name,
                        format!("the subset of {operation}"),
                        schema,
                        schema.names(),
                    )
                })
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fugue_core::ErrorKind;

    fn s(expr: &str) -> Schema {
        Schema::parse(expr).unwrap()
    }

    #[test]
    fn join_keys_are_inferred_in_left_order() {
        let plan = join_plan(
            &s("b:str,a:int,x:int"),
            &s("a:int,b:str,y:int"),
            JoinHow::Inner,
            &[],
        )
        .unwrap();
        assert_eq!(plan.keys, ["b", "a"]);
        assert_eq!(plan.output.to_string(), "b:str,a:int,x:int,y:int");
    }

    #[test]
    fn join_errors_have_their_kinds() {
        let kind = |l: &str, r: &str, how: JoinHow, on: &[&str]| {
            join_plan(&s(l), &s(r), how, on).unwrap_err().kind()
        };
        assert_eq!(
            kind("a:int", "b:int", JoinHow::Inner, &[]),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            kind("a:int", "a:str", JoinHow::Inner, &[]),
            ErrorKind::TypeMismatch
        );
        assert_eq!(
            kind("a:int,b:str", "a:int,c:str", JoinHow::Inner, &["b"]),
            ErrorKind::ColumnNotFound
        );
        assert_eq!(
            kind("a:int,b:str", "a:int,b:str", JoinHow::FullOuter, &["a"]),
            ErrorKind::InvalidArgument
        );
        assert_eq!(
            kind("a:int", "a:int", JoinHow::Cross, &[]),
            ErrorKind::InvalidArgument
        );
        // semi/anti ignore the right side's other columns
        let plan = join_plan(&s("a:int,b:str"), &s("a:int,b:int"), JoinHow::Semi, &["a"]).unwrap();
        assert_eq!(plan.output.to_string(), "a:int,b:str");
    }

    #[test]
    fn set_operations_name_the_first_difference() {
        let e = same_schema("union", &s("a:int,b:str"), &s("b:str,a:int")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::SchemaMismatch);
        assert!(e.to_string().contains("column 1 is `a`"), "{e}");
        assert!(same_schema("union", &s("a:double"), &s("a:double")).is_ok());
        assert!(same_schema("union", &s("a:double"), &s("a:double,b:int")).is_err());
    }
}
