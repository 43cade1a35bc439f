//! Schema checks that run before any engine executes anything, with fugue-core's rules and
//! wording, and the output schemas of the relational operations.

use super::options::JoinHow;
use fugue_core::rules::{Step, eval};
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
/// cases README `join`), with the rule `workflow!` evaluates at compile time
/// ([`fugue_core::rules::join`]).
///
/// Without `on` (and not cross), the keys are the common columns in `left`'s order (none:
/// `InvalidArgument`). An `on` column missing from an input is `ColumnNotFound`; keys of
/// different types are `TypeMismatch`; inner/outer joins whose inputs share a non-key column
/// are `InvalidArgument` naming it; a cross join requires disjoint columns and no keys.
pub fn join_plan(left: &Schema, right: &Schema, how: JoinHow, on: &[&str]) -> Result<JoinPlan> {
    join_plan_named(
        ("the left input", left),
        ("the right input", right),
        how,
        on,
        &Step::NONE,
    )
}

/// [`join_plan`] with the inputs' names and the step, as messages name them.
pub fn join_plan_named(
    left: (&str, &Schema),
    right: (&str, &Schema),
    how: JoinHow,
    on: &[&str],
    step: &Step<'_>,
) -> Result<JoinPlan> {
    let (keys, output) = eval::join(left, right, how, on, step)?;
    Ok(JoinPlan { keys, output })
}

/// Set operations need identical schemas (names, order, types): otherwise `SchemaMismatch`
/// naming the first difference ([`fugue_core::rules::check_same_schema`]).
pub fn same_schema(operation: &str, left: &Schema, right: &Schema) -> Result<()> {
    eval::same_schema(
        operation,
        ("the left input", left),
        ("the right input", right),
        &Step::NONE,
    )
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
        assert!(
            e.to_string()
                .contains("column 1 is `a:int` in `the left input` and `b:str`"),
            "{e}"
        );
        assert!(same_schema("union", &s("a:double"), &s("a:double")).is_ok());
        assert!(same_schema("union", &s("a:double"), &s("a:double,b:int")).is_err());
    }
}
