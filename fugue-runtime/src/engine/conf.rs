//! An engine's configuration: the typed [`FugueConfig`] of `fugue-core`, plus the keys of the
//! engines of one machine.
//!
//! Keys under `fugue.` are the typed tree (an unknown one is an error); engine-specific keys
//! live outside it, as in Fugue (`spark.*`, `dask.*`): the `local` engine reads
//! [`LOCAL_WORKERS`], [`LOCAL_MEMORY_LIMIT`] and [`LOCAL_SPILL_DIR`].

use fugue_core::{FugueConfig, FugueError, PartitionAlgo, PartitionSpec, Result};
use std::borrow::Cow;

/// The number of worker threads of the `local` engine (default: the machine's parallelism).
pub const LOCAL_WORKERS: &str = "local.workers";

/// The memory the `local` engine's queries may hold at once, shared by all of them: a size in
/// bytes, or with a unit (`512MB`, `2GiB`; `K`, `M`, `G`, `T` are powers of 1,000, `Ki`... of
/// 1,024). Sorts, aggregates and windows spill to [`LOCAL_SPILL_DIR`] beyond it; an operation
/// that cannot spill (DataFusion 55's hash join) fails with an error naming this key. Unset:
/// no limit.
pub const LOCAL_MEMORY_LIMIT: &str = "local.memory_limit";

/// Where the `local` engine's queries spill (default: a folder under the system's temporary
/// folder).
pub const LOCAL_SPILL_DIR: &str = "local.spill_dir";

/// A size in bytes with an optional unit (see [`LOCAL_MEMORY_LIMIT`]); anything else is
/// [`FugueError::InvalidArgument`] naming the key and the accepted forms.
pub fn get_size(conf: &FugueConfig, key: &str) -> Result<Option<usize>> {
    let Some(text) = conf.get(key) else {
        return Ok(None);
    };
    let bad = || {
        FugueError::invalid_argument(
            key,
            format!(
                "`{text}` is not a size: write a positive number of bytes, or one with a unit \
                 (`512MB`, `1.5G`, `2GiB`; K, M, G, T are powers of 1,000, Ki, Mi, Gi, Ti of \
                 1,024; a trailing `B` is optional)"
            ),
        )
    };
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let unit = unit.trim().to_ascii_lowercase();
    let unit = unit.strip_suffix('b').unwrap_or(&unit);
    let factor: f64 = match unit {
        "" => 1.0,
        "k" => 1e3,
        "m" => 1e6,
        "g" => 1e9,
        "t" => 1e12,
        "ki" => 1024.0,
        "mi" => 1024.0 * 1024.0,
        "gi" => 1024.0 * 1024.0 * 1024.0,
        "ti" => 1024.0_f64.powi(4),
        _ => return Err(bad()),
    };
    let value: f64 = number.parse().map_err(|_| bad())?;
    let bytes = value * factor;
    if !bytes.is_finite() || bytes < 1.0 || bytes > usize::MAX as f64 {
        return Err(bad());
    }
    Ok(Some(bytes as usize))
}

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
    fn sizes_take_units() {
        let size = |text: &str| {
            let conf = FugueConfig::new().with(LOCAL_MEMORY_LIMIT, text).unwrap();
            get_size(&conf, LOCAL_MEMORY_LIMIT)
        };
        assert_eq!(size("1000").unwrap(), Some(1000));
        assert_eq!(size("512MB").unwrap(), Some(512_000_000));
        assert_eq!(size(" 1.5 g ").unwrap(), Some(1_500_000_000));
        assert_eq!(size("2GiB").unwrap(), Some(2 << 30));
        assert_eq!(size("64Ki").unwrap(), Some(65_536));
        for bad in ["", "0", "-1MB", "many", "1XB", "1e400", "MB"] {
            let err = size(bad).unwrap_err();
            assert!(
                err.to_string().contains("local.memory_limit"),
                "{bad}: {err}"
            );
            assert!(err.to_string().contains("2GiB"), "{bad}: {err}");
        }
        assert_eq!(
            get_size(&FugueConfig::new(), LOCAL_MEMORY_LIMIT).unwrap(),
            None
        );
    }

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
