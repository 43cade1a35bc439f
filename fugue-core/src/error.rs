//! The one error type of Fugue for Rust, and its closed vocabulary of kinds.
//!
//! Every variant carries the fields a user needs to fix the problem (the column, the schema,
//! what was expected and what was found) instead of a bare string. [`FugueError::kind`] maps
//! each error to exactly one [`ErrorKind`]; the acceptance cases compare kinds, never wording.

use std::fmt;

/// The result type used across Fugue for Rust.
pub type Result<T, E = FugueError> = std::result::Result<T, E>;

/// The closed vocabulary of error kinds (the `kind` of the acceptance cases, plus the kinds of
/// runtime failures that no schema rule covers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A malformed schema, type, or schema-transform expression.
    SchemaSyntax,
    /// A column (or struct field) name would appear twice.
    DuplicateColumn,
    /// A referenced column does not exist where it must.
    ColumnNotFound,
    /// A column exists but its type is not the one required.
    TypeMismatch,
    /// Two schemas that must be identical are not.
    SchemaMismatch,
    /// A malformed partition spec or presort expression.
    InvalidPartitionSpec,
    /// A declared validation rule is not satisfied.
    ValidationFailed,
    /// An argument value is not acceptable.
    InvalidArgument,
    /// A valid request that this implementation does not support.
    UnsupportedOperation,
    /// An operation that the object cannot perform in its state (for example counting a stream).
    InvalidOperation,
    /// A value could not be converted or cast to the type required.
    Conversion,
    /// Reading or writing failed.
    Io,
    /// A failure inside Arrow or another library, or raised by user code.
    External,
    /// A bug in Fugue for Rust.
    Internal,
    /// The run was cancelled from another thread (with a workflow's canceller).
    Cancelled,
    /// A step ran past its time limit (`workflow.step_timeout`).
    TimedOut,
}

impl ErrorKind {
    /// The kind's name as the acceptance cases spell it (`"SchemaSyntax"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::SchemaSyntax => "SchemaSyntax",
            ErrorKind::DuplicateColumn => "DuplicateColumn",
            ErrorKind::ColumnNotFound => "ColumnNotFound",
            ErrorKind::TypeMismatch => "TypeMismatch",
            ErrorKind::SchemaMismatch => "SchemaMismatch",
            ErrorKind::InvalidPartitionSpec => "InvalidPartitionSpec",
            ErrorKind::ValidationFailed => "ValidationFailed",
            ErrorKind::InvalidArgument => "InvalidArgument",
            ErrorKind::UnsupportedOperation => "UnsupportedOperation",
            ErrorKind::InvalidOperation => "InvalidOperation",
            ErrorKind::Conversion => "Conversion",
            ErrorKind::Io => "Io",
            ErrorKind::External => "External",
            ErrorKind::Internal => "Internal",
            ErrorKind::Cancelled => "Cancelled",
            ErrorKind::TimedOut => "TimedOut",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Every error of Fugue for Rust.
///
/// Messages start in lower case, put names in backticks and say what the user must fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FugueError {
    /// A schema, type or transform expression does not parse.
    #[error("{}", syntax_message(.what, .expr, *.position, .expected, .found))]
    SchemaSyntax {
        /// What was being parsed (`"schema expression"`, `"type expression"`, ...).
        what: &'static str,
        /// The whole expression as given.
        expr: String,
        /// Byte offset of the problem inside `expr`.
        position: usize,
        /// What the parser expected there.
        expected: String,
        /// What it found instead.
        found: String,
    },
    /// A column name would appear twice.
    #[error("duplicate column `{column}` in {context}{}", in_schema(.schema))]
    DuplicateColumn {
        /// The repeated name.
        column: String,
        /// Where it happened (`"schema"`, `"append"`, `"rename"`, a step name, ...).
        context: String,
        /// The schema the name already exists in.
        schema: String,
    },
    /// A referenced column is missing.
    #[error("column `{column}` not found in {context}{}{}", in_schema(.schema), did_you_mean(.suggestion))]
    ColumnNotFound {
        /// The missing name.
        column: String,
        /// Where it was referenced.
        context: String,
        /// The schema that lacks it.
        schema: String,
        /// The closest existing column name, if any is close.
        suggestion: Option<String>,
    },
    /// A column has another type than required.
    #[error("column `{column}` in {context} has type `{found}` but `{expected}` is required")]
    TypeMismatch {
        /// The column.
        column: String,
        /// Where it happened.
        context: String,
        /// The type required.
        expected: String,
        /// The type the column has.
        found: String,
    },
    /// Two schemas that must be identical differ.
    #[error("schemas of {context} differ: {reason}; left is `{left}`, right is `{right}`")]
    SchemaMismatch {
        /// Where it happened (`"union"`, ...).
        context: String,
        /// The first difference found.
        reason: String,
        /// The left schema.
        left: String,
        /// The right schema.
        right: String,
    },
    /// A partition spec or presort expression is malformed.
    #[error("invalid partition spec `{spec}`: {reason}")]
    InvalidPartitionSpec {
        /// The spec or expression as given.
        spec: String,
        /// What is wrong and what is accepted.
        reason: String,
    },
    /// A validation rule is not satisfied.
    /// The message is the compile-time check's sentence
    /// ([`rules::validation`](crate::rules::validation)).
    #[error("{message}")]
    ValidationFailed {
        /// The rule name (`partitionby_has`, ...).
        rule: String,
        /// The column the failure is about, when there is one.
        column: Option<String>,
        /// The message: the step, the rule and its function, what is wrong, the step's
        /// partition and input.
        message: String,
    },
    /// An argument value is not acceptable.
    #[error("invalid argument `{argument}`: {reason}")]
    InvalidArgument {
        /// The argument's name.
        argument: String,
        /// What is wrong and what is accepted.
        reason: String,
    },
    /// A valid request that is not supported here.
    #[error("unsupported operation {operation}: {reason}")]
    Unsupported {
        /// The operation.
        operation: String,
        /// Why, and what to use instead.
        reason: String,
    },
    /// The object cannot do this in its state.
    #[error("invalid operation: {0}")]
    InvalidOperation(String),
    /// A config key is unknown (under `fugue.`) or its value is not valid.
    #[error("invalid config `{key}`: {reason}")]
    Config {
        /// The key as given.
        key: String,
        /// What is wrong and what is accepted (with the closest key for an unknown one).
        reason: String,
    },
    /// A value cannot be converted to the type required.
    #[error("cannot convert {value} in column `{column}` to `{to}`: {reason}")]
    Cast {
        /// The column.
        column: String,
        /// The offending value, printed.
        value: String,
        /// The target type.
        to: String,
        /// Why.
        reason: String,
    },
    /// A value given to an API that takes an X-like is not one of the accepted forms.
    #[error("cannot use {given} as {target}; accepted: {accepted}")]
    Conversion {
        /// What was given.
        given: String,
        /// What it was meant to become (`"a schema"`, `"a dataframe"`, ...).
        target: String,
        /// The accepted forms.
        accepted: String,
    },
    /// Reading or writing failed.
    #[error("{action} `{path}` failed: {source}")]
    Io {
        /// What was being done (`"reading"`, `"writing"`).
        action: &'static str,
        /// The path.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A failure inside Arrow.
    #[error("arrow: {0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    /// A failure in another library or in user code, with context.
    #[error("{context}: {source}")]
    External {
        /// What was being done.
        context: String,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// A bug in Fugue for Rust.
    #[error("internal error: {0} (this is a bug in fugue, please report it)")]
    Internal(String),
    /// The run was cancelled from another thread.
    #[error("cancelled: {reason}")]
    Cancelled {
        /// Who cancelled, and what stopped.
        reason: String,
    },
    /// A step ran past its time limit.
    #[error(
        "timed out after {}: the step's limit is `{key}`; raise it, unset it, or make the \
         step faster",
        crate::config::format_duration(*.limit)
    )]
    TimedOut {
        /// The limit.
        limit: std::time::Duration,
        /// The config key that sets it.
        key: &'static str,
    },
    /// An error with context (the step that failed, the file being read): its
    /// [`kind`](FugueError::kind) is the cause's, so a `ColumnNotFound` inside a step is still
    /// `ColumnNotFound`; [`root`](FugueError::root) finds the innermost cause.
    #[error("{context}: {source}")]
    Context {
        /// What was being done.
        context: String,
        /// The cause.
        #[source]
        source: Box<FugueError>,
    },
    /// A schema rule of a step is not met. The message is the rule's own
    /// ([`rules::Problem::write`](crate::rules::Problem::write)): the same sentence as the
    /// compile-time error of the same mistake in `workflow!`.
    #[error("{message}")]
    Rule {
        /// The kind of mistake (`ColumnNotFound`, `TypeMismatch`, ...).
        kind: ErrorKind,
        /// The column it is about, when there is one.
        column: Option<String>,
        /// The message.
        message: String,
    },
}

impl FugueError {
    /// A copy of this error: the same variant, fields, message and kind. Sources that cannot be
    /// cloned (an I/O error, an Arrow error, an external error) are copied as their kind and
    /// message. Used where one error is reported more than once (a step declared with a mistake
    /// is reported by every `plan` and `run` of its workflow).
    pub fn duplicate(&self) -> FugueError {
        use FugueError as E;
        match self {
            E::SchemaSyntax {
                what,
                expr,
                position,
                expected,
                found,
            } => E::SchemaSyntax {
                what,
                expr: expr.clone(),
                position: *position,
                expected: expected.clone(),
                found: found.clone(),
            },
            E::DuplicateColumn {
                column,
                context,
                schema,
            } => E::DuplicateColumn {
                column: column.clone(),
                context: context.clone(),
                schema: schema.clone(),
            },
            E::ColumnNotFound {
                column,
                context,
                schema,
                suggestion,
            } => E::ColumnNotFound {
                column: column.clone(),
                context: context.clone(),
                schema: schema.clone(),
                suggestion: suggestion.clone(),
            },
            E::TypeMismatch {
                column,
                context,
                expected,
                found,
            } => E::TypeMismatch {
                column: column.clone(),
                context: context.clone(),
                expected: expected.clone(),
                found: found.clone(),
            },
            E::SchemaMismatch {
                context,
                reason,
                left,
                right,
            } => E::SchemaMismatch {
                context: context.clone(),
                reason: reason.clone(),
                left: left.clone(),
                right: right.clone(),
            },
            E::InvalidPartitionSpec { spec, reason } => E::InvalidPartitionSpec {
                spec: spec.clone(),
                reason: reason.clone(),
            },
            E::ValidationFailed {
                rule,
                column,
                message,
            } => E::ValidationFailed {
                rule: rule.clone(),
                column: column.clone(),
                message: message.clone(),
            },
            E::InvalidArgument { argument, reason } => E::InvalidArgument {
                argument: argument.clone(),
                reason: reason.clone(),
            },
            E::Unsupported { operation, reason } => E::Unsupported {
                operation: operation.clone(),
                reason: reason.clone(),
            },
            E::InvalidOperation(m) => E::InvalidOperation(m.clone()),
            E::Config { key, reason } => E::Config {
                key: key.clone(),
                reason: reason.clone(),
            },
            E::Cast {
                column,
                value,
                to,
                reason,
            } => E::Cast {
                column: column.clone(),
                value: value.clone(),
                to: to.clone(),
                reason: reason.clone(),
            },
            E::Conversion {
                given,
                target,
                accepted,
            } => E::Conversion {
                given: given.clone(),
                target: target.clone(),
                accepted: accepted.clone(),
            },
            E::Io {
                action,
                path,
                source,
            } => E::Io {
                action,
                path: path.clone(),
                source: std::io::Error::new(source.kind(), source.to_string()),
            },
            E::Arrow(e) => E::Arrow(arrow_schema::ArrowError::ExternalError(
                e.to_string().into(),
            )),
            E::External { context, source } => E::External {
                context: context.clone(),
                source: source.to_string().into(),
            },
            E::Internal(m) => E::Internal(m.clone()),
            E::Cancelled { reason } => E::Cancelled {
                reason: reason.clone(),
            },
            E::TimedOut { limit, key } => E::TimedOut { limit: *limit, key },
            E::Context { context, source } => E::Context {
                context: context.clone(),
                source: Box::new(source.duplicate()),
            },
            E::Rule {
                kind,
                column,
                message,
            } => E::Rule {
                kind: *kind,
                column: column.clone(),
                message: message.clone(),
            },
        }
    }

    /// The kind of this error, from the closed vocabulary.
    pub fn kind(&self) -> ErrorKind {
        match self {
            FugueError::SchemaSyntax { .. } => ErrorKind::SchemaSyntax,
            FugueError::DuplicateColumn { .. } => ErrorKind::DuplicateColumn,
            FugueError::ColumnNotFound { .. } => ErrorKind::ColumnNotFound,
            FugueError::TypeMismatch { .. } => ErrorKind::TypeMismatch,
            FugueError::SchemaMismatch { .. } => ErrorKind::SchemaMismatch,
            FugueError::InvalidPartitionSpec { .. } => ErrorKind::InvalidPartitionSpec,
            FugueError::ValidationFailed { .. } => ErrorKind::ValidationFailed,
            FugueError::InvalidArgument { .. } | FugueError::Config { .. } => {
                ErrorKind::InvalidArgument
            }
            FugueError::Unsupported { .. } => ErrorKind::UnsupportedOperation,
            FugueError::InvalidOperation(_) => ErrorKind::InvalidOperation,
            FugueError::Cast { .. } | FugueError::Conversion { .. } => ErrorKind::Conversion,
            FugueError::Io { .. } => ErrorKind::Io,
            FugueError::Arrow(_) | FugueError::External { .. } => ErrorKind::External,
            FugueError::Internal(_) => ErrorKind::Internal,
            FugueError::Cancelled { .. } => ErrorKind::Cancelled,
            FugueError::TimedOut { .. } => ErrorKind::TimedOut,
            FugueError::Rule { kind, .. } => *kind,
            FugueError::Context { source, .. } => source.kind(),
        }
    }

    /// This error with context (`step `x` failed`, ...), keeping its kind.
    pub fn context(self, context: impl Into<String>) -> Self {
        FugueError::Context {
            context: context.into(),
            source: Box::new(self),
        }
    }

    /// The innermost error under any [`FugueError::Context`] layers (and under
    /// [`FugueError::External`] layers whose source is a `FugueError`).
    pub fn root(&self) -> &FugueError {
        match self {
            FugueError::Context { source, .. } => source.root(),
            FugueError::External { source, .. } => match source.downcast_ref::<FugueError>() {
                Some(inner) => inner.root(),
                None => self,
            },
            other => other,
        }
    }

    /// A [`FugueError::ColumnNotFound`], with the closest name among `candidates` suggested.
    pub fn column_not_found<'a>(
        column: &str,
        context: impl Into<String>,
        schema: impl fmt::Display,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        FugueError::ColumnNotFound {
            column: column.to_string(),
            context: context.into(),
            schema: schema.to_string(),
            suggestion: closest_name(column, candidates).map(str::to_string),
        }
    }

    /// A [`FugueError::InvalidArgument`].
    pub fn invalid_argument(argument: impl Into<String>, reason: impl Into<String>) -> Self {
        FugueError::InvalidArgument {
            argument: argument.into(),
            reason: reason.into(),
        }
    }

    /// A [`FugueError::External`] wrapping any error with context.
    pub fn external(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        FugueError::External {
            context: context.into(),
            source: source.into(),
        }
    }
}

/// The candidate closest to `name`, when it is close enough to be a likely typo: the one "did
/// you mean" search of the schema checks ([`Suggestion`](crate::rules::text::Suggestion):
/// edits of ASCII-lower-cased bytes, at most [`typo_limit`](crate::rules::text::typo_limit)),
/// for names, keys and options outside schemas too.
pub fn closest_name<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let candidates: Vec<&'a str> = candidates.into_iter().collect();
    let mut search = crate::rules::text::Suggestion::new(name);
    for (i, candidate) in candidates.iter().enumerate() {
        if !search.open() {
            break;
        }
        search.offer(candidate, i);
    }
    search.position().map(|at| candidates[at])
}

/// Names as a message lists them (`` `a`, `b` ``, or `none` when there are none), followed by
/// `; did you mean `x`?` when one of them is [`closest_name`] to `name`: what a lookup by name
/// that found nothing says about the names there are.
///
/// ```
/// use fugue_core::error::names_for;
///
/// assert_eq!(names_for("trps", ["trips", "zones"], "nothing"), "`trips`, `zones`; did you mean `trips`?");
/// assert_eq!(names_for("x", [], "nothing"), "nothing");
/// ```
pub fn names_for<'a>(name: &str, names: impl IntoIterator<Item = &'a str>, none: &str) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    if names.is_empty() {
        return none.to_string();
    }
    let listed = names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match closest_name(name, names.iter().copied()) {
        Some(close) => format!("{listed}; did you mean `{close}`?"),
        None => listed,
    }
}

/// How many characters of a user's input a message repeats: longer input is cut (see
/// [`excerpt`] and [`caret_excerpt`]), so that a megabyte of text given by mistake does not
/// make a megabyte of message.
pub const ECHO_LIMIT: usize = 200;

/// `text` as a message repeats it: unchanged up to [`ECHO_LIMIT`] characters, otherwise its
/// first [`ECHO_LIMIT`] characters followed by `...` and the number of characters left out.
///
/// ```
/// use fugue_core::error::excerpt;
/// assert_eq!(excerpt("a:int"), "a:int");
/// let long = "x".repeat(1000);
/// assert_eq!(excerpt(&long), format!("{}... (800 more characters)", "x".repeat(200)));
/// ```
pub fn excerpt(text: &str) -> String {
    match text.char_indices().nth(ECHO_LIMIT) {
        None => text.to_string(),
        Some((cut, _)) => {
            let rest = text[cut..].chars().count();
            format!("{}... ({rest} more characters)", &text[..cut])
        }
    }
}

/// Two lines that show `expr` with a caret under the character at byte `position`, each line
/// starting with a newline and two spaces (the layout of [`FugueError::SchemaSyntax`]). An
/// expression longer than [`ECHO_LIMIT`] characters is shown as a window of that many
/// characters around the position, with `...` where it was cut.
pub fn caret_excerpt(expr: &str, position: usize) -> String {
    // Columns are counted in chars, so the caret lines up under multi-byte characters too.
    let col = expr
        .char_indices()
        .take_while(|(i, _)| *i < position)
        .count();
    let len = expr.chars().count();
    if len <= ECHO_LIMIT {
        return format!(
            "\n  {expr}\n  {caret:>width$}",
            caret = "^",
            width = col + 1
        );
    }
    let start = col.saturating_sub(ECHO_LIMIT / 2).min(len - ECHO_LIMIT);
    let end = start + ECHO_LIMIT;
    let window: String = expr.chars().skip(start).take(ECHO_LIMIT).collect();
    let (prefix, suffix) = (
        if start > 0 { "..." } else { "" },
        if end < len { "..." } else { "" },
    );
    format!(
        "\n  {prefix}{window}{suffix}\n  {caret:>width$}",
        caret = "^",
        width = prefix.len() + col - start + 1
    )
}

fn syntax_message(what: &str, expr: &str, position: usize, expected: &str, found: &str) -> String {
    format!(
        "invalid {what}: expected {expected}, found {found} at position {position}{}",
        caret_excerpt(expr, position)
    )
}

fn in_schema(schema: &str) -> String {
    if schema.is_empty() {
        String::new()
    } else {
        format!(" (schema `{schema}`)")
    }
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!("; did you mean `{s}`?"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duplicate_has_the_same_kind_message_and_root() {
        let errors = vec![
            FugueError::column_not_found("x", "step `s`", "a:int", ["y"]),
            FugueError::invalid_argument("how", "no"),
            FugueError::InvalidPartitionSpec {
                spec: "by=".into(),
                reason: "empty".into(),
            },
            FugueError::Io {
                action: "read",
                path: "p".into(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "gone"),
            },
            FugueError::external("ctx", "cause"),
            FugueError::invalid_argument("k", "v").context("step `x` failed"),
            FugueError::Rule {
                kind: ErrorKind::TypeMismatch,
                column: Some("c".into()),
                message: "m".into(),
            },
        ];
        for e in errors {
            let d = e.duplicate();
            assert_eq!(d.kind(), e.kind());
            assert_eq!(d.to_string(), e.to_string());
            assert_eq!(d.root().kind(), e.root().kind());
        }
    }

    #[test]
    fn syntax_error_shows_expression_and_caret() {
        let e = FugueError::SchemaSyntax {
            what: "schema expression",
            expr: "a:int,b".into(),
            position: 7,
            expected: "`:`".into(),
            found: "end of input".into(),
        };
        let text = e.to_string();
        assert_eq!(
            text,
            "invalid schema expression: expected `:`, found end of input at position 7\n  a:int,b\n         ^"
        );
        assert_eq!(e.kind(), ErrorKind::SchemaSyntax);
    }

    #[test]
    fn long_input_is_shown_as_a_window_around_the_caret() {
        let expr = format!("{}!{}", "a".repeat(1000), "b".repeat(1000));
        let lines = caret_excerpt(&expr, 1000);
        let lines: Vec<&str> = lines.lines().collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
        let (shown, caret) = (lines[1], lines[2]);
        assert!(
            shown.starts_with("  ...a") && shown.ends_with("b..."),
            "{shown}"
        );
        assert_eq!(shown.chars().count(), 2 + 3 + ECHO_LIMIT + 3);
        // The caret is under the `!`.
        assert_eq!(shown.chars().nth(caret.chars().count() - 1), Some('!'));
        // At the very end of the input the window ends there too.
        let lines = caret_excerpt(&expr, expr.len());
        let shown = lines.lines().nth(1).unwrap_or_default();
        assert!(
            shown.ends_with('b') && shown.starts_with("  ..."),
            "{shown}"
        );
        let caret = lines.lines().nth(2).unwrap_or_default();
        assert_eq!(caret.chars().count(), shown.chars().count() + 1);
        // Short input is shown whole.
        assert_eq!(caret_excerpt("ab", 1), "\n  ab\n   ^");
    }

    #[test]
    fn column_not_found_suggests_the_closest_name() {
        let e =
            FugueError::column_not_found("prce", "select", "id:long,price:double", ["id", "price"]);
        assert_eq!(
            e.to_string(),
            "column `prce` not found in select (schema `id:long,price:double`); did you mean `price`?"
        );
        let e = FugueError::column_not_found("zzz", "select", "", ["id", "price"]);
        assert_eq!(e.to_string(), "column `zzz` not found in select");
    }

    #[test]
    fn closest_name_is_the_schema_checks_rule() {
        assert_eq!(
            closest_name("kitten", ["sitting", "kitchen"]),
            Some("kitchen")
        );
        assert_eq!(closest_name("Fare", ["fair", "fare"]), Some("fare"));
        assert_eq!(closest_name("x", ["y"]), None);
        assert_eq!(closest_name("ab", ["b", "a"]), Some("b"));
    }
}
