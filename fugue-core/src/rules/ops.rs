//! The schema operations of the steps, each a `const fn` over [`Input`]s writing its output
//! columns into a caller's buffer (see the [module docs](super)).

use super::problem::{Problem, Required};
use super::text::{Hashes, Suggestion, find_name, name_hash, str_eq};
use super::{Col, Input, Nullability, same_type};

pub use crate::options::JoinKind;

/// Whether a `dropna` leaves no NULL in the columns it checks, so that they become
/// non-nullable in its output schema: `how: any` without a threshold, or `how: all` over a single
/// column (`checked`: the subset's length, `None` for every column). One rule for `workflow!`'s
/// schemas and the run-time planner.
pub const fn dropna_leaves_no_null(
    how: crate::options::DropHow,
    thresh: Option<usize>,
    checked: Option<usize>,
) -> bool {
    if thresh.is_some() {
        return false;
    }
    matches!(how, crate::options::DropHow::Any) || matches!(checked, Some(1))
}

/// The position of the column `name`.
pub const fn lookup(cols: &[Col<'_>], name: &str) -> Option<usize> {
    lookup_hashed(cols, name, name_hash(name))
}

/// The position of the column `name`, whose [`name_hash`] is `hash`.
pub const fn lookup_hashed(cols: &[Col<'_>], name: &str, hash: u64) -> Option<usize> {
    let mut i = 0;
    while i < cols.len() {
        if cols[i].hash == hash && str_eq(cols[i].name, name) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// A column the step uses as `role` (`partition key`, `aggregation key`, ...) must be a column
/// of its input.
pub const fn check_column<'a>(
    role: &'static str,
    column: &'a str,
    input: Input<'a, 'a>,
) -> Result<(), Problem<'a>> {
    match lookup(input.cols, column) {
        Some(_) => Ok(()),
        None => Err(Problem::Missing {
            role,
            column,
            input,
        }),
    }
}

/// The column name closest to `name`, when it is close enough to be a likely typo (the one
/// "did you mean" rule: see [`typo_limit`](super::text::typo_limit)); the first of equally
/// close names, among those compared before the search's budget ran out ([`Suggestion`]).
pub const fn closest<'a>(cols: &[Col<'a>], name: &str) -> Option<&'a str> {
    let mut search = Suggestion::new(name);
    let mut i = 0;
    while i < cols.len() && search.open() {
        search.offer(cols[i].name, i);
        i += 1;
    }
    match search.position() {
        Some(at) => Some(cols[at].name),
        None => None,
    }
}

const fn push<'a>(
    out: &mut [Col<'a>],
    len: &mut usize,
    col: Col<'a>,
) -> Result<(), Problem<'static>> {
    if *len >= out.len() {
        return Err(Problem::TooWide);
    }
    out[*len] = col;
    *len += 1;
    Ok(())
}

/// `select`: the columns `names`, in that order. Each must exist, none twice, at least one.
pub const fn select<'i, 'a: 'i>(
    input: Input<'i, 'a>,
    names: &'i [&'a str],
    out: &mut [Col<'a>],
) -> Result<usize, Problem<'i>> {
    if names.is_empty() {
        return Err(Problem::NoColumns { verb: "select" });
    }
    let hashes = Hashes::of(names);
    let mut len = 0;
    let mut i = 0;
    while i < names.len() {
        let name = names[i];
        let hash = hashes.get(i, name);
        if find_name(names, &hashes, name, hash, i).is_some() {
            return Err(Problem::Repeated {
                role: "selected column",
                column: name,
            });
        }
        match lookup_hashed(input.cols, name, hash) {
            Some(at) => {
                if let Err(e) = push(out, &mut len, input.cols[at]) {
                    return Err(e);
                }
            }
            None => {
                return Err(Problem::Missing {
                    role: "selected column",
                    column: name,
                    input,
                });
            }
        }
        i += 1;
    }
    Ok(len)
}

/// `drop`: without the columns `names`. Each must exist, none twice, and not every column.
pub const fn drop_columns<'i, 'a: 'i>(
    input: Input<'i, 'a>,
    names: &'i [&'a str],
    out: &mut [Col<'a>],
) -> Result<usize, Problem<'i>> {
    let hashes = Hashes::of(names);
    let mut i = 0;
    while i < names.len() {
        let hash = hashes.get(i, names[i]);
        if find_name(names, &hashes, names[i], hash, i).is_some() {
            return Err(Problem::Repeated {
                role: "dropped column",
                column: names[i],
            });
        }
        if lookup_hashed(input.cols, names[i], hash).is_none() {
            return Err(Problem::Missing {
                role: "dropped column",
                column: names[i],
                input,
            });
        }
        i += 1;
    }
    let mut len = 0;
    let mut c = 0;
    while c < input.cols.len() {
        let col = input.cols[c];
        if find_name(names, &hashes, col.name, col.hash, names.len()).is_none()
            && let Err(e) = push(out, &mut len, col)
        {
            return Err(e);
        }
        c += 1;
    }
    if len == 0 {
        return Err(Problem::DropsAll { input });
    }
    Ok(len)
}

/// `alter_columns`: the columns of `input` with the types of `changes` (a schema of the
/// changed columns), in the input's order and with the input's nullability. Every changed
/// column must exist, none twice, at least one. Whether a value converts is the engine's cast
/// rule, at run time.
pub const fn alter<'i, 'a: 'i>(
    input: Input<'i, 'a>,
    changes: &'i [Col<'a>],
    out: &mut [Col<'a>],
) -> Result<usize, Problem<'i>> {
    if changes.is_empty() {
        return Err(Problem::NoColumns {
            verb: "alter_columns",
        });
    }
    let mut i = 0;
    while i < changes.len() {
        let (name, hash) = (changes[i].name, changes[i].hash);
        if lookup_hashed(changes.split_at(i).0, name, hash).is_some() {
            return Err(Problem::Repeated {
                role: "altered column",
                column: name,
            });
        }
        if lookup_hashed(input.cols, name, hash).is_none() {
            return Err(Problem::Missing {
                role: "altered column",
                column: name,
                input,
            });
        }
        i += 1;
    }
    let mut len = 0;
    let mut c = 0;
    while c < input.cols.len() {
        let mut col = input.cols[c];
        if let Some(at) = lookup_hashed(changes, col.name, col.hash) {
            col.ty = changes[at].ty;
            col.src = changes[at].src;
        }
        if let Err(e) = push(out, &mut len, col) {
            return Err(e);
        }
        c += 1;
    }
    Ok(len)
}

/// `rename`: `(old, new)` pairs. Every old name must exist, none twice; a new name must not be
/// a column that stays (renaming onto a column that is itself renamed away is a swap, and
/// fine), nor another pair's new name.
pub const fn rename<'i, 'a: 'i>(
    input: Input<'i, 'a>,
    pairs: &'i [(&'a str, &'a str)],
    out: &mut [Col<'a>],
) -> Result<usize, Problem<'i>> {
    if pairs.is_empty() {
        return Err(Problem::NoColumns { verb: "rename" });
    }
    let (olds, news) = (
        Hashes::of_pairs(pairs, false),
        Hashes::of_pairs(pairs, true),
    );
    let mut i = 0;
    while i < pairs.len() {
        let (old, new) = pairs[i];
        let (old_hash, new_hash) = (olds.get(i, old), news.get(i, new));
        if lookup_hashed(input.cols, old, old_hash).is_none() {
            return Err(Problem::Missing {
                role: "renamed column",
                column: old,
                input,
            });
        }
        let mut j = 0;
        while j < i {
            let (earlier_old, earlier_new) = pairs[j];
            if olds.same(j, earlier_old, old, old_hash) {
                return Err(Problem::Repeated {
                    role: "renamed column",
                    column: old,
                });
            }
            if news.same(j, earlier_new, new, new_hash) {
                return Err(Problem::Repeated {
                    role: "new name",
                    column: new,
                });
            }
            j += 1;
        }
        i += 1;
    }
    let mut len = 0;
    let mut c = 0;
    while c < input.cols.len() {
        let mut col = input.cols[c];
        let (original, hash) = (col.name, col.hash);
        let mut renamed = false;
        let mut p = 0;
        while p < pairs.len() {
            if olds.same(p, pairs[p].0, original, hash) {
                col = Col {
                    name: pairs[p].1,
                    hash: news.get(p, pairs[p].1),
                    ..col
                };
                renamed = true;
            }
            p += 1;
        }
        if !renamed {
            // A column that keeps its name must not be the target of a rename.
            let mut p = 0;
            while p < pairs.len() {
                if news.same(p, pairs[p].1, original, hash) {
                    return Err(Problem::RenameOnto {
                        old: pairs[p].0,
                        new: pairs[p].1,
                        input,
                    });
                }
                p += 1;
            }
        }
        if let Err(e) = push(out, &mut len, col) {
            return Err(e);
        }
        c += 1;
    }
    Ok(len)
}

/// The keys and output of a join: `keys` receives the key names (the common columns in the
/// left's order when `on` is empty), `out` the output columns (the left's, then the right's
/// non-key columns; the left's only for semi and anti). Returns `(keys, columns)`.
///
/// The rules: a cross join has no keys and no common column; otherwise every key is a column
/// of both inputs, of the same type, given once, and there is at least one; the inputs of a
/// non-filtering join share no column besides the keys. The keys of an inner join are never
/// NULL in its output (a NULL key matches nothing); the other side's non-key columns of an
/// outer join may be NULL ([`Nullability::Nullable`]: a step after it reading one into a field
/// that is not an `Option` is a compile error, as DataFusion plans them nullable), and the
/// keys of a right or full join are "not declared" (checked row by row at run time).
pub const fn join<'i, 'a: 'i>(
    left: Input<'i, 'a>,
    right: Input<'i, 'a>,
    how: JoinKind,
    on: &'i [&'a str],
    keys: &'i mut [&'a str],
    out: &mut [Col<'a>],
) -> Result<(usize, usize), Problem<'i>> {
    let mut key_hashes = Hashes::NONE;
    let nkeys = match check_join_hashed(left, right, how, on, keys, &mut key_hashes) {
        Ok(n) => n,
        Err(e) => return Err(e),
    };
    let keys: &[&str] = keys;
    let (left_nulls, right_nulls) = how.null_sides();
    let mut len = 0;
    let mut c = 0;
    while c < left.cols.len() {
        let mut col = left.cols[c];
        let is_key = find_name(keys, &key_hashes, col.name, col.hash, nkeys).is_some();
        if matches!(how, JoinKind::Inner) && is_key {
            col.null = Nullability::NotNull;
        } else if left_nulls && is_key {
            col.null = Nullability::Unspecified;
        } else if left_nulls {
            col.null = Nullability::Nullable;
        }
        if let Err(e) = push(out, &mut len, col) {
            return Err(e);
        }
        c += 1;
    }
    if how.is_filtering() {
        return Ok((nkeys, len));
    }
    let mut c = 0;
    while c < right.cols.len() {
        let mut col = right.cols[c];
        if find_name(keys, &key_hashes, col.name, col.hash, nkeys).is_none() {
            if right_nulls {
                col.null = Nullability::Nullable;
            }
            if let Err(e) = push(out, &mut len, col) {
                return Err(e);
            }
        }
        c += 1;
    }
    Ok((nkeys, len))
}

/// The checks of a join without its output: writes the keys into `keys`, returns their count.
pub const fn check_join<'i, 'a: 'i>(
    left: Input<'i, 'a>,
    right: Input<'i, 'a>,
    how: JoinKind,
    on: &'i [&'a str],
    keys: &mut [&'a str],
) -> Result<usize, Problem<'i>> {
    let mut hashes = Hashes::NONE;
    check_join_hashed(left, right, how, on, keys, &mut hashes)
}

/// [`check_join`], also writing the keys' hashes into `key_hashes`.
const fn check_join_hashed<'i, 'a: 'i>(
    left: Input<'i, 'a>,
    right: Input<'i, 'a>,
    how: JoinKind,
    on: &'i [&'a str],
    keys: &mut [&'a str],
    key_hashes: &mut Hashes,
) -> Result<usize, Problem<'i>> {
    if matches!(how, JoinKind::Cross) {
        if !on.is_empty() {
            return Err(Problem::CrossWithKeys);
        }
        let mut c = 0;
        while c < left.cols.len() {
            if lookup_hashed(right.cols, left.cols[c].name, left.cols[c].hash).is_some() {
                return Err(Problem::CrossShared {
                    column: left.cols[c].name,
                    left,
                    right,
                });
            }
            c += 1;
        }
        return Ok(0);
    }
    let mut nkeys = 0;
    if on.is_empty() {
        let mut c = 0;
        while c < left.cols.len() {
            if lookup_hashed(right.cols, left.cols[c].name, left.cols[c].hash).is_some() {
                if nkeys >= keys.len() {
                    return Err(Problem::TooWide);
                }
                keys[nkeys] = left.cols[c].name;
                key_hashes.set(nkeys, left.cols[c].hash);
                nkeys += 1;
            }
            c += 1;
        }
        if nkeys == 0 {
            return Err(Problem::NoJoinKey { left, right });
        }
    } else {
        let on_hashes = Hashes::of(on);
        let mut i = 0;
        while i < on.len() {
            let key = on[i];
            let hash = on_hashes.get(i, key);
            if find_name(on, &on_hashes, key, hash, i).is_some() {
                return Err(Problem::Repeated {
                    role: "join key",
                    column: key,
                });
            }
            if lookup_hashed(left.cols, key, hash).is_none() {
                return Err(Problem::Missing {
                    role: "join key",
                    column: key,
                    input: left,
                });
            }
            if lookup_hashed(right.cols, key, hash).is_none() {
                return Err(Problem::Missing {
                    role: "join key",
                    column: key,
                    input: right,
                });
            }
            if nkeys >= keys.len() {
                return Err(Problem::TooWide);
            }
            keys[nkeys] = key;
            key_hashes.set(nkeys, hash);
            nkeys += 1;
            i += 1;
        }
    }
    let mut k = 0;
    while k < nkeys {
        let hash = key_hashes.get(k, keys[k]);
        if let (Some(l), Some(r)) = (
            lookup_hashed(left.cols, keys[k], hash),
            lookup_hashed(right.cols, keys[k], hash),
        ) && let Some(false) = same_type(&left.cols[l].ty, &right.cols[r].ty)
        {
            return Err(Problem::KeyTypes {
                role: "join key",
                key: keys[k],
                left,
                right,
            });
        }
        k += 1;
    }
    if !how.is_filtering() {
        let mut c = 0;
        while c < right.cols.len() {
            let (name, hash) = (right.cols[c].name, right.cols[c].hash);
            if find_name(keys, key_hashes, name, hash, nkeys).is_none()
                && lookup_hashed(left.cols, name, hash).is_some()
            {
                return Err(Problem::SharedColumn {
                    column: name,
                    how,
                    left,
                    right,
                });
            }
            c += 1;
        }
    }
    Ok(nkeys)
}

/// The keys of a zip (a co-transform's `partition(by: ..)`): each a column of both inputs, of
/// the same type (the zip matches key values across inputs).
pub const fn check_zip_key<'i, 'a: 'i>(
    key: &'i str,
    first: Input<'i, 'a>,
    other: Input<'i, 'a>,
) -> Result<(), Problem<'i>> {
    let l = match lookup(first.cols, key) {
        Some(l) => l,
        None => {
            return Err(Problem::Missing {
                role: "zip key",
                column: key,
                input: first,
            });
        }
    };
    let r = match lookup(other.cols, key) {
        Some(r) => r,
        None => {
            return Err(Problem::Missing {
                role: "zip key",
                column: key,
                input: other,
            });
        }
    };
    if let Some(false) = same_type(&first.cols[l].ty, &other.cols[r].ty) {
        return Err(Problem::KeyTypes {
            role: "zip key",
            key,
            left: first,
            right: other,
        });
    }
    Ok(())
}

/// The inputs of a set operation (`union`, `subtract`, `intersect`, or the zip of a
/// co-transform) have the same schema: the same names in the same order, of the same types.
pub const fn check_same_schema<'i, 'a: 'i>(
    verb: &'i str,
    left: Input<'i, 'a>,
    right: Input<'i, 'a>,
) -> Result<(), Problem<'i>> {
    let mut i = 0;
    while i < left.cols.len() && i < right.cols.len() {
        let (l, r) = (&left.cols[i], &right.cols[i]);
        if !str_eq(l.name, r.name) || matches!(same_type(&l.ty, &r.ty), Some(false)) {
            return Err(Problem::SetOpDiffers {
                verb,
                position: i,
                left,
                right,
            });
        }
        i += 1;
    }
    if left.cols.len() != right.cols.len() {
        return Err(Problem::SetOpDiffers {
            verb,
            position: usize::MAX,
            left,
            right,
        });
    }
    Ok(())
}

/// `fillna` and `dropna(how: any)`: the columns `subset` (every column when `None`) become
/// non-nullable; each subset column must exist. `role` names the subset in messages.
pub const fn fill_nulls<'i, 'a: 'i>(
    input: Input<'i, 'a>,
    subset: Option<&'i [&'a str]>,
    out: &mut [Col<'a>],
) -> Result<usize, Problem<'i>> {
    let hashes = match subset {
        Some(s) => Hashes::of(s),
        None => Hashes::NONE,
    };
    if let Some(subset) = subset {
        let mut i = 0;
        while i < subset.len() {
            if lookup_hashed(input.cols, subset[i], hashes.get(i, subset[i])).is_none() {
                return Err(Problem::Missing {
                    role: "subset column",
                    column: subset[i],
                    input,
                });
            }
            i += 1;
        }
    }
    let mut len = 0;
    let mut c = 0;
    while c < input.cols.len() {
        let mut col = input.cols[c];
        let filled = match subset {
            Some(s) => find_name(s, &hashes, col.name, col.hash, s.len()).is_some(),
            None => true,
        };
        if filled {
            col.null = Nullability::NotNull;
        }
        if let Err(e) = push(out, &mut len, col) {
            return Err(e);
        }
        c += 1;
    }
    Ok(len)
}

/// The typed input of `function` (the columns of its record type, `required`) against the
/// step's input: every column present, of the same type, and not nullable when the field is
/// not an `Option`. A column of undeclared nullability is accepted (checked row by row).
pub const fn check_input<'i, 'a: 'i>(
    function: &'i str,
    required: Input<'i, 'a>,
    input: Input<'i, 'a>,
) -> Result<(), Problem<'i>> {
    check_required(function, required, input, true)
}

/// [`check_input`] without the nullability pass: every column present and of the same type,
/// NULLs left to a reader that checks them row by row (a typed yield, `records::<T>`).
pub const fn check_input_types<'i, 'a: 'i>(
    function: &'i str,
    required: Input<'i, 'a>,
    input: Input<'i, 'a>,
) -> Result<(), Problem<'i>> {
    check_required(function, required, input, false)
}

const fn check_required<'i, 'a: 'i>(
    function: &'i str,
    required: Input<'i, 'a>,
    input: Input<'i, 'a>,
    nulls: bool,
) -> Result<(), Problem<'i>> {
    // Missing columns and types first, then nullability: the run time cannot tell an `Option`
    // field from a schema expression's column (it checks NULLs row by row), so a mistake both
    // sides see is the first one both report.
    let passes = if nulls { 2 } else { 1 };
    let mut pass = 0;
    while pass < passes {
        let mut i = 0;
        while i < required.cols.len() {
            let want = &required.cols[i];
            let problem = match lookup_hashed(input.cols, want.name, want.hash) {
                None => Some(Required::Missing),
                Some(at) => {
                    let got = &input.cols[at];
                    if let Some(false) = same_type(&want.ty, &got.ty) {
                        Some(Required::Type { at })
                    } else if pass == 1
                        && matches!(want.null, Nullability::NotNull)
                        && matches!(got.null, Nullability::Nullable)
                    {
                        Some(Required::NotNull)
                    } else {
                        None
                    }
                }
            };
            if let Some(what) = problem {
                return Err(Problem::Input {
                    function,
                    column: i,
                    what,
                    required,
                    input,
                });
            }
            i += 1;
        }
        pass += 1;
    }
    Ok(())
}
