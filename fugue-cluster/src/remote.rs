//! Fugue errors across the cluster: an error raised in an executor reaches the driver as
//! text inside Ballista's own error (`Job .. failed due to stage .. failed: Task failed due to
//! runtime execution error: DataFusionError(Shared(External(..)))`). The executor writes it
//! as an envelope ([`to_df`]) that the driver reads back ([`from_df`]) as a
//! [`FugueError::Remote`] with the kind and the messages it had where it was raised; an error
//! that is not ours is reduced to its root message.

use datafusion::error::DataFusionError;
use fugue_core::{ErrorKind, FugueError};
use std::fmt;

/// Where an envelope starts; it reads `[[fugue-error:<levels>]]`, the levels a JSON list of
/// `[kind, message]` pairs, outermost first.
const START: &str = "[[fugue-error:";
/// Where it ends.
const END: &str = "]]";

/// A Fugue error as DataFusion's. Its `Display` is the error's; its `Debug` (what Ballista
/// sends back from an executor) is the envelope [`from_df`] reads.
pub(crate) fn to_df(error: FugueError) -> DataFusionError {
    DataFusionError::External(Box::new(Envelope(error)))
}

/// A Fugue error on its way through DataFusion and Ballista.
struct Envelope(FugueError);

impl fmt::Display for Envelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Envelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let levels: Vec<(&str, String)> = (self.0.levels().into_iter())
            .map(|(kind, message)| (kind.name(), message))
            .collect();
        let levels = serde_json::to_string(&levels).map_err(|_| fmt::Error)?;
        write!(f, "{START}{levels}{END}")
    }
}

impl std::error::Error for Envelope {}

/// The Fugue error inside `error`, if it carries one (raised in this process or in an
/// executor), with its kind and messages.
pub(crate) fn from_df(error: &DataFusionError) -> Option<FugueError> {
    // From an executor, the envelope is in the message; raised here, in the error's `Debug`.
    decode(&error.to_string()).or_else(|| decode(&format!("{error:?}")))
}

/// The first envelope in `text`.
fn decode(text: &str) -> Option<FugueError> {
    let mut rest = text;
    while let Some(at) = rest.find(START) {
        rest = &rest[at + START.len()..];
        // The levels are one JSON value; what follows it is the end of the envelope.
        let mut values =
            serde_json::Deserializer::from_str(rest).into_iter::<Vec<(String, String)>>();
        let Some(Ok(levels)) = values.next() else {
            continue;
        };
        if !rest[values.byte_offset()..].starts_with(END) {
            continue;
        }
        let levels: Option<Vec<_>> = (levels.into_iter())
            .map(|(kind, message)| Some((ErrorKind::from_name(&kind)?, message)))
            .collect();
        if let Some(error) = levels.and_then(FugueError::from_levels) {
            return Some(error);
        }
    }
    None
}

/// The root message of an error that is not ours: Ballista's job, stage and task prefixes
/// and DataFusion's `Debug` wrappers taken off.
pub(crate) fn root_message(message: &str) -> String {
    const TASK: &str = "runtime execution error: ";
    let mut text = match message.rfind(TASK) {
        Some(at) => &message[at + TASK.len()..],
        None => message,
    };
    // `DataFusionError(Shared(Execution("..")))`: the wrappers off, the string unquoted.
    loop {
        let inner = [
            "DataFusionError(",
            "Shared(",
            "External(",
            "Execution(",
            "Context(",
        ]
        .iter()
        .find_map(|w| text.strip_prefix(w).and_then(|t| t.strip_suffix(')')));
        match inner {
            Some(inner) => text = inner,
            None => break,
        }
    }
    let text = text.trim();
    if text.starts_with('"')
        && let Ok(unquoted) = serde_json::from_str::<String>(text)
    {
        return unquoted;
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_envelope_gives_back_the_kind_and_the_messages() {
        let error =
            FugueError::invalid_argument("v", "a ]] and a \"quote\"").context("step `f` failed");
        let sent = format!("{:?}", to_df(error.duplicate()));
        let wrapped = format!(
            "Execution error: Job abc failed: Job failed due to stage 1 failed: Task failed due \
             to runtime execution error: DataFusionError(Shared(External({sent})))"
        );
        let back = decode(&wrapped).expect("the envelope is found");
        assert_eq!(back.kind(), ErrorKind::InvalidArgument);
        assert_eq!(back.root().kind(), ErrorKind::InvalidArgument);
        assert_eq!(back.messages(), error.messages());
        assert_eq!(back.to_string(), error.to_string());
        assert!(decode("Execution error: no envelope").is_none());
        assert!(decode("[[fugue-error:[[\"NotAKind\",\"x\"]]]]").is_none());
        assert!(decode("[[fugue-error:[[\"Io\",\"unterminated").is_none());
        assert!(decode("[[fugue-error:[]]]").is_none());
    }

    #[test]
    fn a_task_failure_of_ballista_is_read_back() {
        let sent = format!(
            "{:?}",
            to_df(FugueError::invalid_argument("v", "too many rows").context("`boom` failed"))
        );
        let message = format!(
            "Job abc failed: Job failed due to stage 1 failed: Task failed due to runtime \
             execution error: DataFusionError(Shared(External(DataFusionError(External({sent})))))"
        );
        let error = DataFusionError::Execution(message.clone());
        let back = from_df(&error).expect("the envelope is found in the message");
        assert_eq!(back.kind(), ErrorKind::InvalidArgument);
        assert_eq!(
            back.messages(),
            ["`boom` failed", "invalid argument `v`: too many rows"]
        );
        let foreign = message.replace(&sent, "\"disk full\"");
        assert_eq!(root_message(&foreign), "disk full");
    }

    #[test]
    fn a_foreign_error_is_reduced_to_its_root_message() {
        let message = "Execution error: Job x failed: Job failed due to stage 2 failed: Task \
                       failed due to runtime execution error: DataFusionError(Shared(Execution(\
                       \"Cast error: Cannot cast string 'x' to value of Int32 type\")))";
        assert_eq!(
            root_message(message),
            "Cast error: Cannot cast string 'x' to value of Int32 type"
        );
        assert_eq!(
            root_message("Plan error: no such column"),
            "Plan error: no such column"
        );
    }
}
