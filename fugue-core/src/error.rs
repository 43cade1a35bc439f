//! The one error type of Fugue for Rust, and its closed vocabulary of kinds.
//!
//! Every variant carries the fields a user needs to fix the problem (the column, the schema,
//! what was expected and what was found) instead of a bare string. [`FugueError::kind`] maps
//! each error to exactly one [`ErrorKind`]; the acceptance cases compare kinds, never wording.

use std::fmt;

/// The result type used across Fugue for Rust.
pub type Result<T, E = FugueError> = std::result::Result<T, E>;

/// The closed vocabulary of error kinds (the `kind` of the acceptance cases, plus the kinds of
/// runtime failures that no schema rule covers). Match on the kind, never on the wording; a
/// kind survives context ([`FugueError::context`]) and the trip back from a cluster.
///
/// ```
/// use fugue_core::{ErrorKind, FugueError};
///
/// let e = FugueError::invalid_argument("how", "not a join type").context("step `j` failed");
/// assert_eq!(e.kind(), ErrorKind::InvalidArgument);
/// assert_eq!(e.kind().name(), "InvalidArgument");
/// # Ok::<(), FugueError>(())
/// ```
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
    /// Every kind.
    pub const ALL: [ErrorKind; 16] = [
        ErrorKind::SchemaSyntax,
        ErrorKind::DuplicateColumn,
        ErrorKind::ColumnNotFound,
        ErrorKind::TypeMismatch,
        ErrorKind::SchemaMismatch,
        ErrorKind::InvalidPartitionSpec,
        ErrorKind::ValidationFailed,
        ErrorKind::InvalidArgument,
        ErrorKind::UnsupportedOperation,
        ErrorKind::InvalidOperation,
        ErrorKind::Conversion,
        ErrorKind::Io,
        ErrorKind::External,
        ErrorKind::Internal,
        ErrorKind::Cancelled,
        ErrorKind::TimedOut,
    ];

    /// The kind named `name` ([`name`](Self::name)'s spelling), if any.
    ///
    /// ```
    /// use fugue_core::ErrorKind;
    /// assert_eq!(ErrorKind::from_name("TypeMismatch"), Some(ErrorKind::TypeMismatch));
    /// assert_eq!(ErrorKind::from_name("typo"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.name() == name)
    }

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
///
/// `Display` is the whole message on one line (causes joined with `: `); `Debug`, what
/// `fn main() -> Result<(), FugueError>` prints, is the human form too: the message, then the
/// causes one per line, as `anyhow` prints them (see [`FugueError::messages`]).
///
/// ```
/// use fugue_core::FugueError;
/// let e = FugueError::column_not_found("arr_dealy", "aggregate", "arr_delay:long", ["arr_delay"])
///     .context("step `by_month` (aggregate, src/main.rs:19) failed");
/// assert_eq!(
///     format!("{e:?}"),
///     "step `by_month` (aggregate, src/main.rs:19) failed\n\nCaused by:\n    column `arr_dealy` \
///      not found in aggregate (schema `arr_delay:long`); did you mean `arr_delay`?"
/// );
/// ```
#[derive(thiserror::Error)]
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
    /// An error raised in another process (a cluster's executor), rebuilt from each level of
    /// its chain: the level's kind and message ([`FugueError::levels`] there,
    /// [`FugueError::from_levels`] here), so its [`kind`](FugueError::kind), its
    /// [`root`](FugueError::root) and its [`messages`](FugueError::messages) are the ones it
    /// had where it was raised.
    #[error("{message}{}", .cause.as_ref().map(|c| format!(": {c}")).unwrap_or_default())]
    Remote {
        /// The kind of this level.
        kind: ErrorKind,
        /// The message of this level.
        message: String,
        /// The next level.
        #[source]
        cause: Option<Box<FugueError>>,
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

impl fmt::Debug for FugueError {
    /// The human form: the message, then `Caused by:` and the causes, one per line (numbered
    /// when there are several), multi-line messages indented. `{:#?}` adds the error's kind.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let messages = self.messages();
        let (head, causes) = match messages.split_first() {
            Some((head, causes)) => (head.as_str(), causes),
            None => ("", &[][..]),
        };
        f.write_str(head)?;
        if !causes.is_empty() {
            f.write_str("\n\nCaused by:")?;
            for (i, cause) in causes.iter().enumerate() {
                let indent = if causes.len() == 1 {
                    f.write_str("\n    ")?;
                    "\n    "
                } else {
                    write!(f, "\n    {i}: ")?;
                    "\n       "
                };
                f.write_str(&cause.replace('\n', indent))?;
            }
        }
        if f.alternate() {
            write!(f, "\n\nkind: {}", self.kind())?;
        }
        Ok(())
    }
}

impl FugueError {
    /// This error's own message, without its cause.
    fn headline(&self) -> String {
        match self {
            FugueError::Context { context, .. } | FugueError::External { context, .. } => {
                context.clone()
            }
            FugueError::Io { action, path, .. } => format!("{action} `{path}` failed"),
            FugueError::Remote { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }

    /// The cause this error's message does not state itself.
    fn cause(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FugueError::Context { source, .. } => Some(source.as_ref()),
            FugueError::External { source, .. } => Some(source.as_ref()),
            FugueError::Io { source, .. } => Some(source),
            FugueError::Remote {
                cause: Some(cause), ..
            } => Some(cause.as_ref()),
            _ => None,
        }
    }

    /// The messages of this error and of its causes, outermost first: a context layer's own
    /// context (`step `x` failed`), then what it wraps, down to the root cause. A cause whose
    /// message the previous one already contains is not repeated.
    ///
    /// ```
    /// use fugue_core::FugueError;
    /// let e = FugueError::invalid_argument("how", "not a join type").context("step `j` failed");
    /// assert_eq!(e.messages(), ["step `j` failed", "invalid argument `how`: not a join type"]);
    /// ```
    pub fn messages(&self) -> Vec<String> {
        self.levels().into_iter().map(|(_, m)| m).collect()
    }

    /// Each level of the chain [`messages`](Self::messages) gives, with its kind (a cause
    /// that is not a `FugueError` has the kind of the level above it): what an error raised
    /// in another process is sent as, to be rebuilt by [`from_levels`](Self::from_levels).
    ///
    /// ```
    /// use fugue_core::{ErrorKind, FugueError};
    ///
    /// let e = FugueError::invalid_argument("how", "not a join type").context("step `j` failed");
    /// let levels = e.levels();
    /// assert_eq!(levels[0].0, ErrorKind::InvalidArgument);
    /// let back = FugueError::from_levels(levels).unwrap();
    /// assert_eq!((back.kind(), back.messages()), (e.kind(), e.messages()));
    /// assert_eq!(back.to_string(), e.to_string());
    /// ```
    pub fn levels(&self) -> Vec<(ErrorKind, String)> {
        let mut out = vec![(self.kind(), self.headline())];
        let mut kind = self.kind();
        let mut next = self.cause();
        while let Some(error) = next {
            if let Some(fugue) = error.downcast_ref::<FugueError>() {
                kind = fugue.kind();
                out.push((kind, fugue.headline()));
                next = fugue.cause();
            } else {
                let text = error.to_string();
                if !out.last().is_some_and(|(_, last)| last.contains(&text)) {
                    out.push((kind, text));
                }
                next = error.source();
            }
        }
        out
    }

    /// The error whose chain is `levels` (outermost first), as [`FugueError::Remote`]
    /// levels; `None` when `levels` is empty.
    pub fn from_levels(levels: impl IntoIterator<Item = (ErrorKind, String)>) -> Option<Self> {
        let levels: Vec<_> = levels.into_iter().collect();
        levels
            .into_iter()
            .rev()
            .fold(None, |cause, (kind, message)| {
                Some(FugueError::Remote {
                    kind,
                    message,
                    cause: cause.map(Box::new),
                })
            })
    }

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
            E::Remote {
                kind,
                message,
                cause,
            } => E::Remote {
                kind: *kind,
                message: message.clone(),
                cause: cause.as_ref().map(|c| Box::new(c.duplicate())),
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
            FugueError::Rule { kind, .. } | FugueError::Remote { kind, .. } => *kind,
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
            FugueError::Remote {
                cause: Some(cause), ..
            } => cause.root(),
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
/// Control and bidirectional-override characters are shown escaped ([`visible`]).
///
/// ```
/// use fugue_core::error::excerpt;
/// assert_eq!(excerpt("a:int"), "a:int");
/// assert_eq!(excerpt("a\tb"), "a\\tb");
/// let long = "x".repeat(1000);
/// assert_eq!(excerpt(&long), format!("{}... (800 more characters)", "x".repeat(200)));
/// ```
pub fn excerpt(text: &str) -> String {
    match text.char_indices().nth(ECHO_LIMIT) {
        None => visible(text),
        Some((cut, _)) => {
            let rest = text[cut..].chars().count();
            format!("{}... ({rest} more characters)", visible(&text[..cut]))
        }
    }
}

/// `text` with the characters that would break a message's layout or disguise its content
/// escaped: tab, newline and carriage return as `\t`, `\n`, `\r`, other control characters and
/// the bidirectional-formatting characters (which reorder what a terminal shows) as `\u{..}`.
///
/// ```
/// use fugue_core::error::visible;
/// assert_eq!(visible("a\nb\u{202e}c"), "a\\nb\\u{202e}c");
/// assert_eq!(visible("prix café"), "prix café");
/// ```
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_visible(&mut out, c);
    }
    out
}

/// One character of input in backticks, as [`visible`] shows it (`` `\t` ``).
pub(crate) fn quoted_char(c: char) -> String {
    let mut out = String::from("`");
    push_visible(&mut out, c);
    out.push('`');
    out
}

/// Push `c` as [`visible`] shows it; returns how many characters that took.
fn push_visible(out: &mut String, c: char) -> usize {
    let before = out.len();
    match c {
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if c.is_control()
            || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}') =>
        {
            out.push_str(&format!("\\u{{{:x}}}", c as u32))
        }
        c => out.push(c),
    }
    out[before..].chars().count()
}

/// Two lines that show `expr` with a caret under the character at byte `position`, each line
/// starting with a newline and two spaces (the layout of [`FugueError::SchemaSyntax`]). An
/// expression longer than [`ECHO_LIMIT`] characters is shown as a window of that many
/// characters around the position, with `...` where it was cut. Characters are shown as
/// [`visible`] shows them, and the caret stays under the right one.
pub fn caret_excerpt(expr: &str, position: usize) -> String {
    let col = char_position(expr, position);
    let len = expr.chars().count();
    let start = if len <= ECHO_LIMIT {
        0
    } else {
        col.saturating_sub(ECHO_LIMIT / 2).min(len - ECHO_LIMIT)
    };
    let end = (start + ECHO_LIMIT).min(len);
    let (prefix, suffix) = (
        if start > 0 { "..." } else { "" },
        if end < len { "..." } else { "" },
    );
    let mut shown = String::from(prefix);
    let mut width = prefix.len();
    for (i, c) in expr.chars().enumerate().skip(start).take(end - start) {
        let taken = push_visible(&mut shown, c);
        if i < col {
            width += taken;
        }
    }
    shown.push_str(suffix);
    format!(
        "\n  {shown}\n  {caret:>width$}",
        caret = "^",
        width = width + 1
    )
}

/// The position in characters of byte offset `position` of `text` (what a message states: a
/// byte offset is meaningless to someone counting characters).
pub fn char_position(text: &str, position: usize) -> usize {
    text.char_indices()
        .take_while(|(i, _)| *i < position)
        .count()
}

fn syntax_message(what: &str, expr: &str, position: usize, expected: &str, found: &str) -> String {
    format!(
        "invalid {what}: expected {expected}, found {found} at position {}{}",
        char_position(expr, position),
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
    fn every_kind_is_listed_once_and_found_by_its_name() {
        // Exhaustive: a new kind does not compile here until it is in `ErrorKind::ALL`.
        let listed = |kind: ErrorKind| match kind {
            ErrorKind::SchemaSyntax
            | ErrorKind::DuplicateColumn
            | ErrorKind::ColumnNotFound
            | ErrorKind::TypeMismatch
            | ErrorKind::SchemaMismatch
            | ErrorKind::InvalidPartitionSpec
            | ErrorKind::ValidationFailed
            | ErrorKind::InvalidArgument
            | ErrorKind::UnsupportedOperation
            | ErrorKind::InvalidOperation
            | ErrorKind::Conversion
            | ErrorKind::Io
            | ErrorKind::External
            | ErrorKind::Internal
            | ErrorKind::Cancelled
            | ErrorKind::TimedOut => ErrorKind::ALL.iter().filter(|k| **k == kind).count(),
        };
        for kind in ErrorKind::ALL {
            assert_eq!(listed(kind), 1, "{kind:?}");
            assert_eq!(ErrorKind::from_name(kind.name()), Some(kind));
        }
    }

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
    fn debug_is_the_message_and_its_causes_one_per_line() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e = FugueError::Io {
            action: "reading",
            path: "in.csv".into(),
            source: io,
        }
        .context("step `load` (load, src/main.rs:3) failed")
        .context("workflow `daily` failed");
        assert_eq!(
            format!("{e:?}"),
            "workflow `daily` failed\n\nCaused by:\n    0: step `load` (load, src/main.rs:3) \
             failed\n    1: reading `in.csv` failed\n    2: no such file"
        );
        assert!(format!("{e:#?}").ends_with("\n\nkind: Io"));
        // Display keeps the one-line form.
        assert_eq!(
            e.to_string(),
            "workflow `daily` failed: step `load` (load, src/main.rs:3) failed: reading `in.csv` \
             failed: no such file"
        );
        // An external cause that is a FugueError is printed as one, a foreign one as itself;
        // a multi-line cause is indented under its number.
        let syntax = FugueError::SchemaSyntax {
            what: "schema expression",
            expr: "a:".into(),
            position: 2,
            expected: "a type".into(),
            found: "end of input".into(),
        };
        let e = FugueError::external("step `s` failed", syntax);
        assert_eq!(
            format!("{e:?}"),
            "step `s` failed\n\nCaused by:\n    invalid schema expression: expected a type, \
             found end of input at position 2\n      a:\n        ^"
        );
        // Without a cause, just the message.
        let e = FugueError::invalid_argument("how", "not a join type");
        assert_eq!(format!("{e:?}"), "invalid argument `how`: not a join type");
    }

    #[test]
    fn the_caret_stays_under_its_character_after_tabs_newlines_and_bidi_characters() {
        for (expr, position, shown) in [
            ("a:\tint,b", 7, "a:\\tint,b"),
            ("a:int,\nb", 7, "a:int,\\nb"),
            ("\u{202e}a:x", 5, "\\u{202e}a:x"),
            ("é:int,b", 7, "é:int,b"),
        ] {
            let lines = caret_excerpt(expr, position);
            let lines: Vec<&str> = lines.lines().collect();
            assert_eq!(lines.len(), 3, "{lines:?}");
            assert_eq!(lines[1], format!("  {shown}"));
            let under = lines[2].chars().count() - 1;
            let at = char_position(expr, position);
            let expected = expr.chars().nth(at).unwrap_or(' ');
            // The character above the caret is the one at `position`, shown as itself.
            assert_eq!(
                lines[1].chars().nth(under),
                Some(expected),
                "{expr:?}: {lines:?}"
            );
        }
        let e = FugueError::SchemaSyntax {
            what: "schema expression",
            expr: "é:int,b".into(),
            position: 8,
            expected: "`:`".into(),
            found: "end of input".into(),
        };
        // Positions are in characters, not bytes.
        assert!(e.to_string().contains("at position 7"), "{e}");
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
