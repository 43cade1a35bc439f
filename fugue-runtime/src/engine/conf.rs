//! An engine's configuration: the typed [`FugueConfig`] of `fugue-core`, plus the keys of the
//! engines of one machine.
//!
//! Keys under `fugue.` are the typed tree (an unknown one is an error); engine-specific keys
//! live outside it, as in Fugue (`spark.*`, `dask.*`): the `local` engine reads
//! [`LOCAL_WORKERS`].

use fugue_core::{FugueConfig, FugueError, PartitionAlgo, PartitionSpec, Result};
use std::borrow::Cow;

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

/// `spec` with `fugue.default.partitions` as its number of physical partitions when the spec
/// sets none (`num` unset or 0) and the key is positive; otherwise `spec` itself (the engine
/// decides, from its parallelism). An `even` spec without `num` keeps its own meaning (one key
/// per physical partition, Fugue's `per_partition_by`).
pub fn with_default_partitions<'s>(
    spec: &'s PartitionSpec,
    conf: &FugueConfig,
) -> Result<Cow<'s, PartitionSpec>> {
    let default = conf.fugue.default.partitions;
    if default <= 0 || !spec.num().is_zero() || spec.algo() == PartitionAlgo::Even {
        return Ok(Cow::Borrowed(spec));
    }
    let num = PartitionSpec::builder().num(default).build()?;
    Ok(Cow::Owned(spec.combine(&num)?))
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

    #[test]
    fn the_default_number_of_partitions_fills_an_unset_num_only() {
        let conf = FugueConfig::new()
            .with("fugue.default.partitions", "3")
            .unwrap();
        let keyed = PartitionSpec::parse("by=a").unwrap();
        let filled = with_default_partitions(&keyed, &conf).unwrap();
        assert_eq!(filled.num().text(), "3");
        assert_eq!(filled.keys(), ["a"]);
        let set = PartitionSpec::parse("by=a; num=5").unwrap();
        assert_eq!(
            with_default_partitions(&set, &conf).unwrap().num().text(),
            "5"
        );
        let even = PartitionSpec::per_partition_by(["a"]).unwrap();
        assert!(
            with_default_partitions(&even, &conf)
                .unwrap()
                .num()
                .is_zero()
        );
        let unset = FugueConfig::new();
        assert!(matches!(
            with_default_partitions(&keyed, &unset).unwrap(),
            Cow::Borrowed(_)
        ));
    }
}
