//! An engine's configuration: the typed [`FugueConfig`] of `fugue-core`, plus the keys of the
//! engines of one machine.
//!
//! Keys under `fugue.` are the typed tree (an unknown one is an error); engine-specific keys
//! live outside it, as in Fugue (`spark.*`, `dask.*`): the `local` engine reads
//! [`LOCAL_WORKERS`].

use fugue_core::{FugueConfig, FugueError, Result};

/// The number of worker threads of the `local` engine (default: the machine's parallelism).
pub const LOCAL_WORKERS: &str = "local.workers";

/// A key's value as a positive integer; a value that is not one is
/// [`FugueError::InvalidArgument`] naming the key.
pub fn get_positive(conf: &FugueConfig, key: &str) -> Result<Option<usize>> {
    match conf.get(key) {
        None => Ok(None),
        Some(text) => match text.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(Some(n)),
            _ => Err(FugueError::invalid_argument(
                key,
                format!("`{text}` is not a positive integer"),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positive_integers_are_checked() {
        let conf = FugueConfig::new().with(LOCAL_WORKERS, "0").unwrap();
        assert!(get_positive(&conf, LOCAL_WORKERS).is_err());
        let conf = FugueConfig::new().with(LOCAL_WORKERS, " 4 ").unwrap();
        assert_eq!(get_positive(&conf, LOCAL_WORKERS).unwrap(), Some(4));
        assert_eq!(get_positive(&conf, "missing.key").unwrap(), None);
    }
}
