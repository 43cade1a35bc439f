//! Physical partitioning by keys (reference §5.3), on the feeder thread, batch by batch.
//!
//! The key columns of each batch are encoded with one [`RowConverter`] for the whole run (so
//! equal keys have equal bytes in every batch and every input), then:
//! * `hash` (and `default`): `foldhash(bytes) % P` with a fixed seed: the same input gives the
//!   same placement on every run and machine;
//! * `rand`: the same with the run's seed mixed in (keys stay together, as in Fugue where `rand`
//!   with keys behaves like hash);
//! * `even`: distinct keys are numbered in order of first appearance and key `i` goes to
//!   `i % P`, so key counts per physical partition differ by at most one; with `num <= 0` each
//!   key is its own physical partition.
//!
//! Physical partition `p` is owned by worker `p % workers`.

use super::pool::{Feeder, Route};
use arrow::array::{ArrayRef, RecordBatch, UInt32Array};
use arrow::datatypes::DataType;
use arrow::row::{OwnedRow, RowConverter, SortField};
use foldhash::fast::FixedState;
use fugue_core::Result;
use std::collections::HashMap;
use std::hash::BuildHasher;

/// How keys are placed in physical partitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placement {
    /// `hash(keys, seed) % partitions`.
    Hash {
        /// The number of physical partitions (at least 1).
        partitions: usize,
        /// The hasher's seed.
        seed: u64,
    },
    /// Distinct keys numbered by first appearance, `index % partitions` (`None`: one physical
    /// partition per key).
    Even {
        /// The number of physical partitions, when fixed.
        partitions: Option<usize>,
    },
}

/// Computes each row's physical partition from its keys.
pub(crate) struct Router {
    converter: RowConverter,
    placement: Placement,
    hasher: FixedState,
    seen: HashMap<OwnedRow, usize>,
}

impl Router {
    /// A router for keys of these types.
    pub(crate) fn new(key_types: Vec<DataType>, placement: Placement) -> Result<Self> {
        let seed = match placement {
            Placement::Hash { seed, .. } => seed,
            Placement::Even { .. } => 0,
        };
        Ok(Router {
            converter: RowConverter::new(key_types.into_iter().map(SortField::new).collect())?,
            placement,
            hasher: FixedState::with_seed(seed),
            seen: HashMap::new(),
        })
    }

    /// The physical partition of every row, given the key columns.
    pub(crate) fn place(&mut self, keys: &[ArrayRef]) -> Result<Vec<usize>> {
        if let Placement::Hash {
            partitions: 0 | 1, ..
        } = self.placement
        {
            // One physical partition: nothing to hash.
            return Ok(vec![0; keys.first().map_or(0, |k| k.len())]);
        }
        let rows = self.converter.convert_columns(keys)?;
        Ok(match self.placement {
            Placement::Hash { partitions, .. } => {
                let partitions = partitions.max(1) as u64;
                rows.iter()
                    .map(|row| (self.hasher.hash_one(row.as_ref()) % partitions) as usize)
                    .collect()
            }
            Placement::Even { partitions } => rows
                .iter()
                .map(|row| {
                    let next = self.seen.len();
                    let index = match self.seen.get(&row.owned()) {
                        Some(index) => *index,
                        None => {
                            self.seen.insert(row.owned(), next);
                            next
                        }
                    };
                    partitions.map_or(index, |p| index % p.max(1))
                })
                .collect(),
        })
    }

    /// Route the rows of `batch` (of input `input`, keys at `key_indices`) to the workers that
    /// own their physical partitions; `false` when the run stops.
    pub(crate) fn route(
        &mut self,
        feeder: &Feeder,
        input: usize,
        batch: &RecordBatch,
        key_indices: &[usize],
    ) -> Result<bool> {
        if batch.num_rows() == 0 {
            return Ok(true);
        }
        let keys: Vec<ArrayRef> = key_indices
            .iter()
            .map(|i| batch.column(*i).clone())
            .collect();
        let physical = self.place(&keys)?;
        let workers = feeder.workers();
        let mut per_worker: Vec<(Vec<u32>, Vec<usize>)> = vec![(Vec::new(), Vec::new()); workers];
        for (row, p) in physical.iter().enumerate() {
            let (rows, ps) = &mut per_worker[p % workers];
            rows.push(row as u32);
            ps.push(*p);
        }
        for (worker, (rows, physical)) in per_worker.into_iter().enumerate() {
            if rows.is_empty() {
                continue;
            }
            // The worker copies its rows out of the shared batch itself: the copies run in
            // parallel instead of on this one feeder thread.
            let selection = (rows.len() != batch.num_rows()).then(|| UInt32Array::from(rows));
            let route = Route {
                input,
                batch: batch.clone(),
                selection,
                physical,
            };
            if !feeder.route(worker, route) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Int64Array, StringArray};
    use std::sync::Arc;

    fn keys() -> Vec<ArrayRef> {
        vec![
            Arc::new(Int64Array::from(vec![
                Some(1),
                None,
                Some(1),
                Some(2),
                Some(3),
                None,
            ])),
            Arc::new(StringArray::from(vec!["x", "y", "x", "z", "x", "y"])),
        ]
    }

    fn router(placement: Placement) -> Router {
        Router::new(vec![DataType::Int64, DataType::Utf8], placement).unwrap()
    }

    #[test]
    fn hash_placement_is_deterministic_and_keeps_groups() {
        let placement = Placement::Hash {
            partitions: 3,
            seed: 0,
        };
        let a = router(placement).place(&keys()).unwrap();
        let b = router(placement).place(&keys()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a[0], a[2]);
        assert_eq!(a[1], a[5]);
        assert!(a.iter().all(|p| *p < 3));
    }

    #[test]
    fn even_placement_numbers_keys_by_first_appearance() {
        let mut r = router(Placement::Even { partitions: None });
        assert_eq!(r.place(&keys()).unwrap(), vec![0, 1, 0, 2, 3, 1]);
        // The numbering carries over to the next batch.
        assert_eq!(r.place(&keys()).unwrap(), vec![0, 1, 0, 2, 3, 1]);
        let mut r = router(Placement::Even {
            partitions: Some(2),
        });
        assert_eq!(r.place(&keys()).unwrap(), vec![0, 1, 0, 0, 1, 1]);
    }
}
