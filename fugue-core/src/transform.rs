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

use crate::algebra::{ExcludeOptions, parse_items};
use crate::error::{FugueError, Result};
use crate::parse::{Parser, split_top_level};
use crate::schema::{Column, Schema};
use std::collections::HashSet;

const WHAT: &str = "schema transform expression";

impl Schema {
    /// The schema that the transform expression `expr` describes for this input schema; see
    /// the [module docs](crate::transform) for the language.
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
        let operators = find_operators(expr);
        let base_end = operators.first().map_or(expr.len(), |(pos, _)| *pos);
        let mut result = self.transform_base(expr, base_end)?;
        for (i, (pos, op)) in operators.iter().enumerate() {
            let start = pos + 1;
            let end = operators.get(i + 1).map_or(expr.len(), |(next, _)| *next);
            result = match op {
                '-' => result.remove_in(&parse_items(expr, start, end, WHAT)?, "transform `-`")?,
                '~' => result.exclude_in(
                    &parse_items(expr, start, end, WHAT)?,
                    ExcludeOptions::default(),
                    "transform `~`",
                )?,
                _ => {
                    let changes = Parser::range(expr, start, end, WHAT).schema()?;
                    result.upsert(changes)
                }
            };
        }
        Ok(result)
    }

    /// The base of a transform expression, `expr[..end]`, with `*` expanded.
    fn transform_base(&self, expr: &str, end: usize) -> Result<Schema> {
        let mut columns: Vec<Column> = Vec::new();
        if Parser::range(expr, 0, end, WHAT).at_end() {
            return Ok(Schema::empty());
        }
        for (s, e) in split_top_level(expr, 0, end) {
            let mut parser = Parser::range(expr, s, e, WHAT);
            let item = expr.get(s..e).unwrap_or_default().trim();
            let new_columns = if item == "*" {
                self.columns().to_vec()
            } else {
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
                vec![column]
            };
            for column in new_columns {
                if columns.iter().any(|c| c.name() == column.name()) {
                    return Err(FugueError::DuplicateColumn {
                        column: column.name().to_string(),
                        context: format!("transform `{expr}`"),
                        schema: self.to_string(),
                    });
                }
                columns.push(column);
            }
        }
        Ok(Schema::from_canonical(columns))
    }

    /// Change the types of existing columns in place and append the new ones in order.
    fn upsert(&self, changes: Vec<Column>) -> Schema {
        let mut columns = self.columns().to_vec();
        let existing: HashSet<String> = self.names().map(str::to_string).collect();
        for change in changes {
            if existing.contains(change.name()) {
                if let Some(c) = columns.iter_mut().find(|c| c.name() == change.name()) {
                    *c = c.with_type(change.data_type().clone());
                }
            } else {
                columns.push(change);
            }
        }
        // `changes` has unique names (parsed as a schema), so the result has too.
        Schema::from_canonical(columns)
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
            ("*-a:str", ErrorKind::TypeMismatch),
            ("*+a:INT", ErrorKind::SchemaSyntax),
            ("-a", ErrorKind::ColumnNotFound),
        ] {
            assert_eq!(transform(expr).unwrap_err().kind(), kind, "{expr}");
        }
        let err = transform("*-x").unwrap_err();
        assert!(err.to_string().contains("transform `-`"), "{err}");
    }
}
