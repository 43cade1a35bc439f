//! The output-schema hint language of transformers: `*`, `*,c:int`, `*-a,b`, `*~a`, `*+a:str`,
//! `x:int,*`.
//!
//! ```text
//! transform := base (op cols)*        op := "-" | "~" | "+"
//! ```
//!
//! The operators are found outside backticks **and outside brackets** (so a time zone such as
//! `timestamp(s,Etc/GMT+1)` is not split; Fugue only skips backticks). A name containing `-`,
//! `~` or `+` must therefore be backtick-quoted in a transform expression.
//!
//! * The *base* (the text before the first operator) is a schema expression in which an
//!   unquoted `*` item stands for all columns of the input schema. `*` must be a whole item
//!   (`**` or `*x:int` is [`FugueError::SchemaSyntax`]); `` `*` `` is an ordinary name. A
//!   repeated name is [`FugueError::DuplicateColumn`].
//! * `-cols` removes columns, each of which must exist ([`Schema::remove`]); `~cols` removes
//!   them if present ([`Schema::exclude`]); `cols` is a comma list of column items (quoting
//!   allowed, empty items ignored).
//! * `+expr` changes the types of existing columns in place and appends new ones in order.
//! * An operator with nothing after it is a no-op; `""` is the empty schema.

use crate::algebra::{ColumnItem, parse_items};
use crate::error::{FugueError, Result};
use crate::parse::{Parser, split_top_level};
pub use crate::rules::HintOp;
use crate::schema::Schema;
use arrow_schema::DataType;

const WHAT: &str = "schema transform expression";

/// One item of a parsed hint, owning its name and type (the run time's form of
/// [`HintItem`](crate::rules::HintItem)).
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedHintItem {
    /// What the item does.
    pub op: HintOp,
    /// The column name (empty for `*`).
    pub name: String,
    /// The type of a `name:type` item.
    pub data_type: Option<DataType>,
}

/// Parse a transform expression into its items, in order (the one parser of the language: the
/// run time and the transformer macros both call it).
///
/// A `name:type` item after `-` or `~` is [`FugueError::SchemaSyntax`]: everything after `-`
/// up to the next operator is a list of columns to remove (`*-c,a` removes both), so
/// `*-tip,share:double` does not add `share`; the message shows the spelling that does
/// (`*,share:double-tip`).
pub fn parse_hint(expr: &str) -> Result<Vec<ParsedHintItem>> {
    let operators = find_operators(expr);
    let base_end = operators.first().map_or(expr.len(), |(pos, _)| *pos);
    let mut items = Vec::new();
    parse_base(expr, base_end, &mut items)?;
    for (i, (pos, op)) in operators.iter().enumerate() {
        let start = pos + 1;
        let end = operators.get(i + 1).map_or(expr.len(), |(next, _)| *next);
        match op {
            '-' | '~' => {
                let listed = parse_items(expr, start, end, WHAT)?;
                if let Some(typed) = listed.iter().find(|c| c.data_type.is_some()) {
                    return Err(typed_removal(expr, *pos, *op, end, typed));
                }
                let op = if *op == '-' {
                    HintOp::Remove
                } else {
                    HintOp::RemoveIfPresent
                };
                items.extend(listed.into_iter().map(|c| ParsedHintItem {
                    op,
                    name: c.name,
                    data_type: None,
                }));
            }
            _ => {
                let changes = Parser::range(expr, start, end, WHAT).schema()?;
                items.extend(changes.into_iter().map(|c| ParsedHintItem {
                    op: HintOp::Alter,
                    name: c.name().to_string(),
                    data_type: Some(c.data_type().clone()),
                }));
            }
        }
    }
    Ok(items)
}

/// The error of a `name:type` item after `-` or `~`, with the spelling that adds it.
fn typed_removal(expr: &str, at: usize, op: char, end: usize, typed: &ColumnItem) -> FugueError {
    let base = expr[..at].trim();
    let rest = expr[at + 1..end]
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty() && !item.contains(':'))
        .collect::<Vec<_>>()
        .join(",");
    let added = ColumnItem::typed(
        typed.name.clone(),
        typed.data_type.clone().unwrap_or(DataType::Null),
    );
    let mut fixed = if base.is_empty() {
        added.to_string()
    } else {
        format!("{base},{added}")
    };
    if !rest.is_empty() {
        fixed.push(op);
        fixed.push_str(&rest);
    }
    fixed.push_str(&expr[end..]);
    // The position of the typed item: its name after the operator.
    let position = expr[at + 1..end]
        .find(typed.name.as_str())
        .map_or(at, |p| at + 1 + p);
    FugueError::SchemaSyntax {
        what: WHAT,
        expr: expr.to_string(),
        position,
        expected: format!(
            "column names only after `{op}` (it removes every column listed up to the next \
             operator); to add `{added}`, write it before the removal: `{fixed}`"
        ),
        found: format!("`{added}`"),
    }
}

/// The base of a transform expression, `expr[..end]`: `*` and `name:type` items.
fn parse_base(expr: &str, end: usize, items: &mut Vec<ParsedHintItem>) -> Result<()> {
    if Parser::range(expr, 0, end, WHAT).at_end() {
        return Ok(());
    }
    let mut seen_star = false;
    for (s, e) in split_top_level(expr, 0, end) {
        let mut parser = Parser::range(expr, s, e, WHAT);
        let item = expr.get(s..e).unwrap_or_default().trim();
        if item == "*" {
            if seen_star {
                return Err(FugueError::DuplicateColumn {
                    column: "*".into(),
                    context: format!("transform `{expr}` (`*` twice)"),
                    schema: String::new(),
                });
            }
            seen_star = true;
            items.push(ParsedHintItem {
                op: HintOp::Star,
                name: String::new(),
                data_type: None,
            });
            continue;
        }
        let name = parser.name()?;
        if !name.quoted && name.text.contains('*') {
            return Err(parser.error_at(
                name.start,
                "`*` alone as an item, or a column `name:type` \
                 (quote a name containing `*` with backticks)",
                format!("`{}`", name.text),
            ));
        }
        let column = parser.column_type(name.text)?;
        parser.finish("`,`, an operator (`-`, `~`, `+`) or end of input")?;
        if items
            .iter()
            .any(|i| i.op == HintOp::Column && i.name == column.name())
        {
            return Err(FugueError::DuplicateColumn {
                column: column.name().to_string(),
                context: format!("transform `{expr}`"),
                schema: String::new(),
            });
        }
        items.push(ParsedHintItem {
            op: HintOp::Column,
            name: column.name().to_string(),
            data_type: Some(column.data_type().clone()),
        });
    }
    Ok(())
}

impl Schema {
    /// The schema that the transform expression `expr` describes for this input schema; see
    /// the [module docs](crate::transform) for the language. The expression is parsed by
    /// [`parse_hint`] and applied by [`rules::apply_hint`](crate::rules::apply_hint), the rule
    /// `workflow!` evaluates at compile time.
    ///
    /// ```
    /// use fugue_core::Schema;
    /// let input = Schema::parse("a:int,b:int,c:str")?;
    /// assert_eq!(input.transform("*,x:str")?.to_string(), "a:int,b:int,c:str,x:str");
    /// assert_eq!(input.transform("*-c,a")?.to_string(), "b:int");
    /// assert_eq!(input.transform("*+e:str,b:str")?.to_string(), "a:int,b:str,c:str,e:str");
    /// # Ok::<(), fugue_core::FugueError>(())
    /// ```
    pub fn transform(&self, expr: &str) -> Result<Schema> {
        self.transform_named(expr, "", "the input", &crate::rules::Step::NONE)
    }

    /// [`transform`](Self::transform) with the names messages use: the function declaring the
    /// hint, the input's name and the step.
    pub fn transform_named(
        &self,
        expr: &str,
        function: &str,
        input_name: &str,
        step: &crate::rules::Step<'_>,
    ) -> Result<Schema> {
        let items = parse_hint(expr)?;
        crate::rules::eval::apply_parsed_hint(self, &items, function, expr, input_name, step)
    }
}

/// The operators of a transform expression: `-`, `~`, `+` outside backticks and brackets, with
/// their byte positions.
fn find_operators(expr: &str) -> Vec<(usize, char)> {
    let mut operators = Vec::new();
    let mut quoted = false;
    let mut depth = 0usize;
    for (pos, c) in expr.char_indices() {
        match c {
            '`' => quoted = !quoted,
            _ if quoted => {}
            '(' | '[' | '{' | '<' => depth += 1,
            ')' | ']' | '}' | '>' => depth = depth.saturating_sub(1),
            '-' | '~' | '+' if depth == 0 => operators.push((pos, c)),
            _ => {}
        }
    }
    operators
}

#[cfg(test)]
mod tests {
    use crate::{ErrorKind, Schema};

    fn transform(expr: &str) -> crate::Result<String> {
        Schema::parse("a:int,b:int,c:str")
            .unwrap()
            .transform(expr)
            .map(|s| s.to_string())
    }

    #[test]
    fn readme_examples() {
        for (expr, expected) in [
            ("*", "a:int,b:int,c:str"),
            ("x:str", "x:str"),
            ("*,x:str", "a:int,b:int,c:str,x:str"),
            ("*-c,a", "b:int"),
            ("*~c,a,x", "b:int"),
            ("*~c~a~x", "b:int"),
            ("*+e:str,b:str,d:str", "a:int,b:str,c:str,e:str,d:str"),
            ("*+b:str-a", "b:str,c:str"),
            ("x:int,*", "x:int,a:int,b:int,c:str"),
            ("* + - ~ ", "a:int,b:int,c:str"),
            ("*,`x y`:int", "a:int,b:int,c:str,`x y`:int"),
            ("*,`*`:int", "a:int,b:int,c:str,`*`:int"),
            ("*,`a-b`:int-`a-b`", "a:int,b:int,c:str"),
            (
                "*,t:timestamp(s,Etc/GMT+1)",
                "a:int,b:int,c:str,t:timestamp(s,Etc/GMT+1)",
            ),
            ("", ""),
            ("  ", ""),
        ] {
            assert_eq!(transform(expr).unwrap(), expected, "{expr}");
        }
    }

    #[test]
    fn errors() {
        for (expr, kind) in [
            ("**", ErrorKind::SchemaSyntax),
            ("*x:int", ErrorKind::SchemaSyntax),
            ("*,", ErrorKind::SchemaSyntax),
            ("*,a:str", ErrorKind::DuplicateColumn),
            ("*,*", ErrorKind::DuplicateColumn),
            ("*-x", ErrorKind::ColumnNotFound),
            ("*-a:str", ErrorKind::SchemaSyntax),
            ("*~a:str", ErrorKind::SchemaSyntax),
            ("*+a:INT", ErrorKind::SchemaSyntax),
            ("-a", ErrorKind::ColumnNotFound),
        ] {
            assert_eq!(transform(expr).unwrap_err().kind(), kind, "{expr}");
        }
        let err = transform("*-x").unwrap_err();
        assert!(
            err.to_string()
                .contains("removes column `x`, which `the input` does not have"),
            "{err}"
        );
        let err = transform("*-tip,share:double").unwrap_err().to_string();
        assert!(
            err.contains("write it before the removal: `*,share:double-tip`"),
            "{err}"
        );
        let err = transform("*~a,b:int~c").unwrap_err().to_string();
        assert!(err.contains("`*,b:int~a~c`"), "{err}");
    }
}
