//! The hand-written recursive-descent parser of the schema expression grammar.
//!
//! ```text
//! schema := "" | column ("," column)*          whitespace around tokens is ignored
//! column := name ":" type
//! name   := "`" (any char except "`" | "``")* "`"   |   bare
//! bare   := one or more chars except , { } [ ] < > : `   (trimmed)
//! type   := simple | simple "(" arg ("," arg)? ")" | "[" type "]"
//!         | "{" [column ("," column)*] "}" | "<" type "," type ">"
//! ```
//!
//! The parser works on a byte range of a source string, so that a piece of a larger expression
//! (an item of a transform expression) reports errors at its position in the whole text. It
//! only ever moves by whole chars, so every position is a char boundary; it never panics, and
//! nesting deeper than [`MAX_DEPTH`] is a syntax error rather than a stack overflow.

use crate::error::{FugueError, Result, excerpt};
use crate::schema::Column;
use crate::types;
use arrow_schema::DataType;
use std::collections::HashSet;

/// The deepest nesting of list, struct and map types accepted.
pub(crate) const MAX_DEPTH: usize = 64;

/// The characters that end a bare name.
const NAME_DELIMITERS: &str = ",{}[]<>:`";

/// A parser over `src[pos..end]`.
pub(crate) struct Parser<'a> {
    src: &'a str,
    pos: usize,
    end: usize,
    what: &'static str,
    depth: usize,
}

/// A parsed column name and whether it was backtick-quoted.
pub(crate) struct Name {
    pub(crate) text: String,
    pub(crate) quoted: bool,
    pub(crate) start: usize,
}

impl<'a> Parser<'a> {
    /// A parser over the whole of `src`; `what` names the expression in errors.
    pub(crate) fn new(src: &'a str, what: &'static str) -> Self {
        Parser::range(src, 0, src.len(), what)
    }

    /// A parser over `src[start..end]` (both char boundaries), reporting positions in `src`.
    pub(crate) fn range(src: &'a str, start: usize, end: usize, what: &'static str) -> Self {
        Parser {
            src,
            pos: start,
            end,
            what,
            depth: 0,
        }
    }

    fn peek(&self) -> Option<char> {
        self.src.get(self.pos..self.end)?.chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    pub(crate) fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    /// Whether only whitespace is left.
    pub(crate) fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.peek().is_none()
    }

    /// How the parser describes what is at the current position.
    fn found(&self) -> String {
        describe_char(self.peek())
    }

    /// A syntax error at `position`.
    pub(crate) fn error_at(
        &self,
        position: usize,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> FugueError {
        FugueError::SchemaSyntax {
            what: self.what,
            expr: self.src.to_string(),
            position,
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// A syntax error at the current position, describing what is found there.
    fn error_here(&self, expected: impl Into<String>) -> FugueError {
        self.error_at(self.pos, expected, self.found())
    }

    /// Fail unless only whitespace is left; `expected` says what could have come instead.
    pub(crate) fn finish(&mut self, expected: &str) -> Result<()> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.error_here(expected))
        }
    }

    /// A whole schema expression: `""` or `column ("," column)*`, up to the end.
    pub(crate) fn schema(&mut self) -> Result<Vec<Column>> {
        let mut columns = Vec::new();
        if self.at_end() {
            return Ok(columns);
        }
        let mut seen = HashSet::new();
        loop {
            let column = self.column()?;
            if !seen.insert(column.name().to_string()) {
                return Err(FugueError::DuplicateColumn {
                    column: excerpt(column.name()),
                    context: self.what.to_string(),
                    schema: excerpt(self.src),
                });
            }
            columns.push(column);
            self.skip_ws();
            match self.peek() {
                None => return Ok(columns),
                Some(',') => {
                    self.bump();
                }
                Some(_) => {
                    return Err(self.error_here(format!(
                        "`,` or end of input after the type of column `{}`",
                        excerpt(columns.last().map(Column::name).unwrap_or_default())
                    )));
                }
            }
        }
    }

    /// `name ":" type`.
    pub(crate) fn column(&mut self) -> Result<Column> {
        let name = self.name()?;
        self.column_type(name.text)
    }

    /// The `":" type` part of a column whose name was read.
    pub(crate) fn column_type(&mut self, name: String) -> Result<Column> {
        self.skip_ws();
        if self.peek() != Some(':') {
            return Err(self.error_here(format!("`:` after column name `{}`", excerpt(&name))));
        }
        self.bump();
        let data_type = self.data_type()?;
        Ok(Column::new(name, data_type))
    }

    /// A quoted or bare name, with surrounding whitespace skipped.
    pub(crate) fn name(&mut self) -> Result<Name> {
        self.skip_ws();
        let start = self.pos;
        if self.peek() == Some('`') {
            self.bump();
            let mut text = String::new();
            loop {
                match self.bump() {
                    None => {
                        return Err(self.error_at(
                            start,
                            "a closing backtick for the name opened here",
                            "end of input",
                        ));
                    }
                    Some('`') => {
                        if self.peek() == Some('`') {
                            self.bump();
                            text.push('`');
                        } else {
                            break;
                        }
                    }
                    Some(c) => text.push(c),
                }
            }
            self.skip_ws();
            return Ok(Name {
                text,
                quoted: true,
                start,
            });
        }
        while self.peek().is_some_and(|c| !NAME_DELIMITERS.contains(c)) {
            self.bump();
        }
        let text = self.src.get(start..self.pos).unwrap_or_default().trim();
        if text.is_empty() {
            return Err(self.error_at(
                self.pos,
                "a column name (quote unusual names with backticks: `a b`)",
                self.found(),
            ));
        }
        Ok(Name {
            text: text.to_string(),
            quoted: false,
            start,
        })
    }

    /// A type expression, with surrounding whitespace skipped before it.
    pub(crate) fn data_type(&mut self) -> Result<DataType> {
        self.skip_ws();
        if self.depth >= MAX_DEPTH {
            return Err(self.error_here(format!(
                "a simpler type: types nest at most {MAX_DEPTH} levels deep"
            )));
        }
        self.depth += 1;
        let result = self.data_type_inner();
        self.depth -= 1;
        result
    }

    fn data_type_inner(&mut self) -> Result<DataType> {
        let start = self.pos;
        match self.peek() {
            Some('[') => {
                self.bump();
                let item = self.data_type()?;
                self.skip_ws();
                match self.peek() {
                    Some(']') => {
                        self.bump();
                        Ok(types::list_of(item))
                    }
                    Some(',') => {
                        Err(self.error_here("`]`: a list type `[T]` has exactly one element type"))
                    }
                    _ => Err(self.error_here(format!(
                        "`]` to close the list type opened at position {}",
                        crate::error::char_position(self.src, start)
                    ))),
                }
            }
            Some('{') => {
                self.bump();
                self.struct_fields(start)
            }
            Some('<') => {
                self.bump();
                let key = self.data_type()?;
                self.skip_ws();
                match self.peek() {
                    Some(',') => {
                        self.bump();
                    }
                    Some('>') => {
                        return Err(self.error_here(
                            "`,` and a value type: a map type `<K,V>` has exactly two types",
                        ));
                    }
                    _ => return Err(self.error_here("`,` between the key and value types")),
                }
                let value = self.data_type()?;
                self.skip_ws();
                match self.peek() {
                    Some('>') => {
                        self.bump();
                        Ok(types::map_of(key, value))
                    }
                    Some(',') => {
                        Err(self.error_here("`>`: a map type `<K,V>` has exactly two types"))
                    }
                    _ => Err(self.error_here(format!(
                        "`>` to close the map type opened at position {}",
                        crate::error::char_position(self.src, start)
                    ))),
                }
            }
            Some(c) if c.is_ascii_alphanumeric() || c == '_' => self.named_type(),
            _ => Err(self.error_here(format!("a type ({})", types::SUPPORTED_TYPES))),
        }
    }

    /// The fields of a struct type, after its `{`.
    fn struct_fields(&mut self, start: usize) -> Result<DataType> {
        let mut columns: Vec<Column> = Vec::new();
        let mut seen = HashSet::new();
        self.skip_ws();
        if self.peek() == Some('}') {
            self.bump();
            return Ok(types::struct_of(&columns));
        }
        loop {
            let column = self.column()?;
            if !seen.insert(column.name().to_string()) {
                return Err(FugueError::DuplicateColumn {
                    column: excerpt(column.name()),
                    context: format!(
                        "the struct type at position {}",
                        crate::error::char_position(self.src, start)
                    ),
                    schema: excerpt(self.src),
                });
            }
            columns.push(column);
            self.skip_ws();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some('}') => {
                    self.bump();
                    return Ok(types::struct_of(&columns));
                }
                _ => {
                    return Err(self.error_here(format!(
                        "`,` or `}}` to close the struct type opened at position {}",
                        crate::error::char_position(self.src, start)
                    )));
                }
            }
        }
    }

    /// A type name, optionally with arguments: `int`, `decimal(5,2)`, `timestamp(ms,UTC)`.
    fn named_type(&mut self) -> Result<DataType> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            self.bump();
        }
        let word = self.src.get(start..self.pos).unwrap_or_default();
        let after_word = self.pos;
        self.skip_ws();
        let args = if self.peek() == Some('(') {
            Some(self.arguments()?)
        } else {
            self.pos = after_word;
            None
        };
        match (word, args) {
            ("decimal", Some((open, args))) => self.decimal(open, &args),
            ("timestamp", Some((open, args))) => self.timestamp(open, &args),
            ("decimal", None) => Err(self.error_here(
                "`(`: decimal needs a precision, as in `decimal(10)` or `decimal(10,2)`",
            )),
            ("timestamp", None) => Err(self.error_here(
                "`(`: timestamp needs a unit, as in `timestamp(ms)` or `timestamp(ms,UTC)`; \
                 `datetime` is `timestamp(us)`",
            )),
            (word, args) => match types::simple_type(word) {
                Some(data_type) => match args {
                    None => Ok(data_type),
                    Some((open, _)) => Err(self.error_at(
                        open,
                        format!("no arguments after `{}`: it takes none", excerpt(word)),
                        "`(`",
                    )),
                },
                None => {
                    let hint = match types::closest_type_name(word) {
                        Some(name) => format!("did you mean `{name}`? "),
                        None => String::new(),
                    };
                    Err(self.error_at(
                        start,
                        format!(
                            "a supported type name ({hint}supported: {})",
                            types::SUPPORTED_TYPES
                        ),
                        format!("`{}`, which is not a supported type", excerpt(word)),
                    ))
                }
            },
        }
    }

    /// The comma-separated arguments after a `(`, up to the matching `)`: the position of the
    /// `(` and each trimmed argument with its position.
    #[allow(clippy::type_complexity)]
    fn arguments(&mut self) -> Result<(usize, Vec<(usize, &'a str)>)> {
        let open = self.pos;
        self.bump();
        let mut args = Vec::new();
        let mut arg_start = self.pos;
        loop {
            match self.peek() {
                None => {
                    return Err(self.error_at(
                        open,
                        "`)` to close the arguments opened here",
                        "end of input",
                    ));
                }
                Some(c @ (',' | ')')) => {
                    let raw = self.src.get(arg_start..self.pos).unwrap_or_default();
                    let lead = raw.len() - raw.trim_start().len();
                    args.push((arg_start + lead, raw.trim()));
                    self.bump();
                    arg_start = self.pos;
                    if c == ')' {
                        return Ok((open, args));
                    }
                }
                Some(_) => {
                    self.bump();
                }
            }
        }
    }

    fn decimal(&self, open: usize, args: &[(usize, &str)]) -> Result<DataType> {
        let (precision, scale) = match args {
            [p] => (*p, None),
            [p, s] => (*p, Some(*s)),
            _ => {
                return Err(self.error_at(
                    open,
                    "`decimal(p)` or `decimal(p,s)`",
                    format!("{} arguments", args.len()),
                ));
            }
        };
        let p = match precision.1.parse::<u8>() {
            Ok(p) if (1..=38).contains(&p) => p,
            _ => {
                return Err(self.error_at(
                    precision.0,
                    "a decimal precision from 1 to 38",
                    describe_arg(precision.1),
                ));
            }
        };
        let s = match scale {
            None => 0,
            Some((pos, text)) => match text.parse::<u8>() {
                Ok(s) if s <= p => s,
                _ => {
                    return Err(self.error_at(
                        pos,
                        format!("a decimal scale from 0 to the precision {p}"),
                        describe_arg(text),
                    ));
                }
            },
        };
        // `s <= p <= 38`, so the scale fits an i8.
        Ok(DataType::Decimal128(p, s as i8))
    }

    fn timestamp(&self, open: usize, args: &[(usize, &str)]) -> Result<DataType> {
        let (unit, tz) = match args {
            [u] => (*u, None),
            [u, tz] => (*u, Some(*tz)),
            _ => {
                return Err(self.error_at(
                    open,
                    "`timestamp(unit)` or `timestamp(unit,tz)`",
                    format!("{} arguments", args.len()),
                ));
            }
        };
        let Some(time_unit) = types::parse_unit(unit.1) else {
            return Err(self.error_at(
                unit.0,
                "a time unit: `s`, `ms`, `us` or `ns`",
                describe_arg(unit.1),
            ));
        };
        let tz = match tz {
            None => None,
            Some((pos, text)) => {
                if !types::is_valid_time_zone(text) {
                    return Err(self.error_at(
                        pos,
                        "a time zone such as `UTC`, `America/New_York` or `+02:00`",
                        describe_arg(text),
                    ));
                }
                Some(text.into())
            }
        };
        Ok(DataType::Timestamp(time_unit, tz))
    }
}

fn describe_char(c: Option<char>) -> String {
    match c {
        None => "end of input".to_string(),
        Some('`') => "a backtick".to_string(),
        Some(c) => crate::error::quoted_char(c),
    }
}

fn describe_arg(text: &str) -> String {
    if text.is_empty() {
        "nothing".to_string()
    } else {
        format!("`{}`", excerpt(text))
    }
}

/// Split `src[start..end]` at its top-level commas: commas inside `()`, `[]`, `{}`, `<>` or
/// backticks do not split. Returns the byte ranges of the pieces (untrimmed, possibly empty).
/// Unbalanced brackets never fail here: the parser of each piece reports them.
pub(crate) fn split_top_level(src: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut pieces = Vec::new();
    let mut depth = 0usize;
    let mut quoted = false;
    let mut piece_start = start;
    let text = src.get(start..end).unwrap_or_default();
    for (offset, c) in text.char_indices() {
        match c {
            '`' => quoted = !quoted,
            _ if quoted => {}
            '(' | '[' | '{' | '<' => depth += 1,
            ')' | ']' | '}' | '>' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                pieces.push((piece_start, start + offset));
                piece_start = start + offset + 1;
            }
            _ => {}
        }
    }
    pieces.push((piece_start, end));
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn parse(expr: &str) -> Result<Vec<Column>> {
        Parser::new(expr, "schema expression").schema()
    }

    #[test]
    fn names_bare_and_quoted() {
        let cols = parse(" a b : int , `x``y`:str, `` :long,中国:date").unwrap();
        let names: Vec<_> = cols.iter().map(Column::name).collect();
        assert_eq!(names, ["a b", "x`y", "", "中国"]);
    }

    #[test]
    fn errors_say_what_was_expected_and_found() {
        let err = parse("a:int,b").unwrap_err();
        match &err {
            FugueError::SchemaSyntax {
                position,
                expected,
                found,
                ..
            } => {
                assert_eq!(*position, 7);
                assert_eq!(expected, "`:` after column name `b`");
                assert_eq!(found, "end of input");
            }
            other => panic!("unexpected {other:?}"),
        }
        let err = parse("a:INT").unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("`INT`, which is not a supported type"),
            "{text}"
        );
        assert!(text.contains("did you mean `int`?"), "{text}");
        let err = parse("a:int,`b:str").unwrap_err();
        assert!(err.to_string().contains("closing backtick"), "{err}");
    }

    #[test]
    fn every_error_is_a_syntax_or_duplicate_error() {
        for bad in [
            "a:int,",
            "int",
            "a:int,:int",
            "a:[int,str]",
            "a:<int>",
            "a:<int,str,str>",
            "a:[]",
            "a",
            "a:",
            "a:{x}",
            "a:{x:int",
            "a:int8[pyarrow]",
            "a:int b:int",
            "a::int",
            "a:list<int>",
            "a:large_string",
            "a:{x:int,}",
            ":int",
            "a:(int)",
            "a:[int",
        ] {
            let err = parse(bad).expect_err(bad);
            assert_eq!(err.kind(), ErrorKind::SchemaSyntax, "{bad}: {err}");
        }
        for dup in ["a:int,a:str", "a:int,b:{x:int,x:str}", "`a`:int,a:str"] {
            assert_eq!(parse(dup).unwrap_err().kind(), ErrorKind::DuplicateColumn);
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("a:{}int{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(parse(&deep).unwrap_err().kind(), ErrorKind::SchemaSyntax);
        let ok = format!(
            "a:{}int{}",
            "[".repeat(MAX_DEPTH - 1),
            "]".repeat(MAX_DEPTH - 1)
        );
        assert_eq!(parse(&ok).unwrap().len(), 1);
    }

    #[test]
    fn split_top_level_respects_brackets_and_backticks() {
        let src = "a:decimal(5,2),b:{x:int,y:str},`c,d`,<k,v>,";
        let pieces: Vec<_> = split_top_level(src, 0, src.len())
            .into_iter()
            .map(|(s, e)| &src[s..e])
            .collect();
        assert_eq!(
            pieces,
            ["a:decimal(5,2)", "b:{x:int,y:str}", "`c,d`", "<k,v>", ""]
        );
    }
}
