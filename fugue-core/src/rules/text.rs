//! Small `const` string tools the rules share, and the one "did you mean" rule.

/// Whether two strings are equal (`==` on `str` is not `const`).
pub const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    // Eight bytes per iteration: rustc's const evaluator counts loop iterations, not bytes.
    let mut i = 0;
    while i + 8 <= a.len() {
        if a[i] != b[i]
            || a[i + 1] != b[i + 1]
            || a[i + 2] != b[i + 2]
            || a[i + 3] != b[i + 3]
            || a[i + 4] != b[i + 4]
            || a[i + 5] != b[i + 5]
            || a[i + 6] != b[i + 6]
            || a[i + 7] != b[i + 7]
        {
            return false;
        }
        i += 8;
    }
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether two strings are equal ignoring ASCII case.
pub const fn str_eq_ignore_ascii_case(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if !a[i].eq_ignore_ascii_case(&b[i]) {
            return false;
        }
        i += 1;
    }
    true
}

/// The hash rules compare names by before comparing their bytes (FNV-1a over the bytes), so
/// that the many-to-many name checks of a wide schema cost a few steps per pair in const
/// evaluation, not one per byte (rustc limits how long a const item may run).
pub const fn name_hash(name: &str) -> u64 {
    hash_bytes(name.as_bytes(), false)
}

/// The [`name_hash`] of the name `written` denotes (as [`same_name`] reads it: a doubled
/// backtick is one).
pub const fn written_hash(written: &str) -> u64 {
    hash_bytes(written.as_bytes(), true)
}

const fn hash_bytes(bytes: &[u8], unescape: bool) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    // Four bytes per iteration (rustc's const evaluator counts loop iterations), up to the
    // first backtick of a name to unescape.
    while i + 4 <= bytes.len() {
        if unescape
            && (bytes[i] == b'`'
                || bytes[i + 1] == b'`'
                || bytes[i + 2] == b'`'
                || bytes[i + 3] == b'`')
        {
            break;
        }
        h = fnv(
            fnv(fnv(fnv(h, bytes[i]), bytes[i + 1]), bytes[i + 2]),
            bytes[i + 3],
        );
        i += 4;
    }
    while i < bytes.len() {
        h = fnv(h, bytes[i]);
        i += if unescape && bytes[i] == b'`' && i + 1 < bytes.len() && bytes[i + 1] == b'`' {
            2
        } else {
            1
        };
    }
    h
}

/// One FNV-1a step.
const fn fnv(h: u64, byte: u8) -> u64 {
    // A widening product, not `wrapping_mul`: one call fewer per byte.
    (((h ^ byte as u64) as u128 * 0x0100_0000_01b3) & u64::MAX as u128) as u64
}

/// How many names of a list [`Hashes`] keeps hashes for; the names after them are hashed when
/// compared (only the run time has longer lists, and its time is not limited).
pub const HASHED: usize = 64;

/// The [`name_hash`]es of the first [`HASHED`] names of a list, so that "is this name in the
/// list" costs a hash comparison per entry.
#[derive(Debug, Clone, Copy)]
pub struct Hashes([u64; HASHED]);

impl Hashes {
    /// No hashes yet (see [`Hashes::set`]).
    pub const NONE: Hashes = Hashes([0; HASHED]);

    /// Record `hash` as the hash of the name at `i` (beyond [`HASHED`], nothing to record).
    pub const fn set(&mut self, i: usize, hash: u64) {
        if i < HASHED {
            self.0[i] = hash;
        }
    }

    /// The hashes of `names`.
    pub const fn of(names: &[&str]) -> Hashes {
        let mut hashes = [0; HASHED];
        let mut i = 0;
        while i < names.len() && i < HASHED {
            hashes[i] = name_hash(names[i]);
            i += 1;
        }
        Hashes(hashes)
    }

    /// The hashes of the first (`second` false) or second names of `pairs`.
    pub const fn of_pairs(pairs: &[(&str, &str)], second: bool) -> Hashes {
        let mut hashes = [0; HASHED];
        let mut i = 0;
        while i < pairs.len() && i < HASHED {
            hashes[i] = name_hash(if second { pairs[i].1 } else { pairs[i].0 });
            i += 1;
        }
        Hashes(hashes)
    }

    /// The hash of `name`, the name at `i` of the list.
    pub const fn get(&self, i: usize, name: &str) -> u64 {
        if i < HASHED {
            self.0[i]
        } else {
            name_hash(name)
        }
    }

    /// Whether `at_i`, the name at `i` of the list, is `name` (of [`name_hash`] `hash`).
    pub const fn same(&self, i: usize, at_i: &str, name: &str, hash: u64) -> bool {
        self.get(i, at_i) == hash && str_eq(at_i, name)
    }
}

/// The position of `name` (of [`name_hash`] `hash`) among the first `before` of `names`
/// (hashed in `hashes`).
pub const fn find_name(
    names: &[&str],
    hashes: &Hashes,
    name: &str,
    hash: u64,
    before: usize,
) -> Option<usize> {
    let mut i = 0;
    while i < before && i < names.len() {
        if hashes.same(i, names[i], name, hash) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// `text[start..end]` (empty if the range is not on character boundaries).
pub const fn slice(text: &str, start: usize, end: usize) -> &str {
    if start > end || end > text.len() {
        return "";
    }
    // `split_at_checked` checks the boundary in O(1); `from_utf8` would re-validate the bytes.
    match text.split_at_checked(end) {
        Some((head, _)) => match head.split_at_checked(start) {
            Some((_, middle)) => middle,
            None => "",
        },
        None => "",
    }
}

/// Whether a name prints without backticks: an ASCII letter or `_` first, then letters, digits
/// and `_`, and not only `_` (as [`is_bare_name`](crate::schema::is_bare_name)).
pub const fn is_plain_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    if bytes.is_empty() || !(bytes[0].is_ascii_alphabetic() || bytes[0] == b'_') {
        return false;
    }
    let mut only_underscores = true;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !(b.is_ascii_alphanumeric() || b == b'_') {
            return false;
        }
        if b != b'_' {
            only_underscores = false;
        }
        i += 1;
    }
    !only_underscores
}

/// The longest name, in bytes, that "did you mean" compares; longer names get no suggestion.
pub const MAX_SUGGESTED_LEN: usize = 64;

/// How many edits still make `name` a likely typo: a third of its length rounded up, but fewer
/// than it has bytes (so that `x` is not "close" to `y`; a one-letter name only matches another
/// case).
pub const fn typo_limit(name: &str) -> usize {
    let len = name.len();
    let third = len.div_ceil(3);
    if third + 1 > len {
        len.saturating_sub(1)
    } else {
        third
    }
}

/// How many cells of edit-distance tables one "did you mean" search fills at most: it stops
/// when they are spent and suggests the closest name found so far. Without it a typo among 64
/// similar 64-byte names would run past the time rustc gives a const item.
pub const SUGGESTION_CELLS: usize = 12_000;

/// A cell no edit path within the limit reaches.
const FAR: usize = usize::MAX / 2;

/// The Levenshtein distance of ASCII-lower-cased bytes, or `None` when it exceeds `limit` (or
/// a name is longer than [`MAX_SUGGESTED_LEN`]). Names whose lengths differ by more than
/// `limit` are not compared at all.
pub const fn distance_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    let mut cells = 0;
    distance_counted(a.as_bytes(), b.as_bytes(), limit, &mut cells)
}

/// [`distance_within`], adding the table cells it fills to `cells`. A common prefix and
/// suffix do not change the distance and are skipped; only the band of cells within `limit`
/// of the diagonal is filled, and the search stops at a row whose every cell exceeds `limit`.
const fn distance_counted(a: &[u8], b: &[u8], limit: usize, cells: &mut usize) -> Option<usize> {
    if a.len() > MAX_SUGGESTED_LEN || b.len() > MAX_SUGGESTED_LEN {
        return None;
    }
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let (mut a, mut b) = (a, b);
    while let (Some((x, ra)), Some((y, rb))) = (a.split_first(), b.split_first()) {
        if !x.eq_ignore_ascii_case(y) {
            break;
        }
        (a, b) = (ra, rb);
    }
    while let (Some((x, ra)), Some((y, rb))) = (a.split_last(), b.split_last()) {
        if !x.eq_ignore_ascii_case(y) {
            break;
        }
        (a, b) = (ra, rb);
    }
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 {
        // The lengths differ by at most `limit`.
        return Some(if n > m { n } else { m });
    }
    let mut lower = [0u8; MAX_SUGGESTED_LEN];
    let mut j = 0;
    while j < m {
        lower[j] = b[j].to_ascii_lowercase();
        j += 1;
    }
    let mut rows = [[FAR; MAX_SUGGESTED_LEN + 1]; 2];
    let mut j = 0;
    while j <= m && j <= limit {
        rows[0][j] = j;
        j += 1;
    }
    let mut i = 1;
    while i <= n {
        let (p, c) = ((i - 1) % 2, i % 2);
        let lo = if i > limit { i - limit } else { 1 };
        let hi = if i + limit < m { i + limit } else { m };
        rows[c][lo - 1] = if lo == 1 { i } else { FAR };
        let mut row_min = rows[c][lo - 1];
        let x = a[i - 1].to_ascii_lowercase();
        let mut j = lo;
        while j <= hi {
            let mut best = rows[p][j - 1] + if x == lower[j - 1] { 0 } else { 1 };
            if rows[p][j] + 1 < best {
                best = rows[p][j] + 1;
            }
            if rows[c][j - 1] + 1 < best {
                best = rows[c][j - 1] + 1;
            }
            rows[c][j] = best;
            if best < row_min {
                row_min = best;
            }
            j += 1;
        }
        *cells += hi + 1 - lo;
        if hi < m {
            rows[c][hi + 1] = FAR;
        }
        if row_min > limit {
            return None;
        }
        i += 1;
    }
    let d = rows[n % 2][m];
    if d <= limit { Some(d) } else { None }
}

/// The one "did you mean" search: candidates are offered in order, and the closest within the
/// [`typo_limit`] of the name wins (the first of equally close ones). The search stops when an
/// exact match (ignoring case) is found or [`SUGGESTION_CELLS`] are spent.
#[derive(Debug, Clone, Copy)]
pub struct Suggestion<'n> {
    name: &'n str,
    /// The best distance so far and the position of its candidate.
    best: Option<(usize, usize)>,
    cells: usize,
}

impl<'n> Suggestion<'n> {
    /// A search for names close to `name`.
    pub const fn new(name: &'n str) -> Suggestion<'n> {
        Suggestion {
            name,
            best: None,
            cells: 0,
        }
    }

    /// Whether another candidate could still change the result.
    pub const fn open(&self) -> bool {
        self.cells < SUGGESTION_CELLS && !matches!(self.best, Some((0, _)))
    }

    /// Offer `candidate`, the candidate at `position`.
    pub const fn offer(&mut self, candidate: &str, position: usize) {
        let limit = match self.best {
            Some((d, _)) if d > 0 => d - 1,
            Some(_) => return,
            None => typo_limit(self.name),
        };
        let found = distance_counted(
            self.name.as_bytes(),
            candidate.as_bytes(),
            limit,
            &mut self.cells,
        );
        if let Some(d) = found {
            self.best = Some((d, position));
        }
    }

    /// The position of the closest candidate, if one was close enough.
    pub const fn position(&self) -> Option<usize> {
        match self.best {
            Some((_, at)) => Some(at),
            None => None,
        }
    }
}

/// `(start, end)` without surrounding ASCII whitespace.
pub const fn trim(bytes: &[u8], start: usize, end: usize) -> (usize, usize) {
    let (mut s, mut e) = (start, end);
    while s < e && bytes[s].is_ascii_whitespace() {
        s += 1;
    }
    while e > s && bytes[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    (s, e)
}

/// The name in `text[start..end]`, without its backticks (a doubled backtick inside a quoted
/// name is not unescaped: canonical text quotes only names without backticks the same way).
pub const fn unquote(text: &str, start: usize, end: usize) -> &str {
    let bytes = text.as_bytes();
    if end >= start + 2 && bytes[start] == b'`' && bytes[end - 1] == b'`' {
        slice(text, start + 1, end - 1)
    } else {
        slice(text, start, end)
    }
}

/// Whether `written` (a name as [`unquote`] gives it: inside backticks a backtick is doubled)
/// is the column name `plain`.
pub const fn same_name(written: &str, plain: &str) -> bool {
    if written.len() == plain.len() {
        // Then `written` has no doubled backtick, or it would denote a shorter name.
        return str_eq(written, plain) && !has_doubled_backtick(written.as_bytes());
    }
    let (w, p) = (written.as_bytes(), plain.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < w.len() && j < p.len() {
        if w[i] != p[j] {
            return false;
        }
        i += if w[i] == b'`' && i + 1 < w.len() && w[i + 1] == b'`' {
            2
        } else {
            1
        };
        j += 1;
    }
    i == w.len() && j == p.len()
}

const fn has_doubled_backtick(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'`' && bytes[i + 1] == b'`' {
            return true;
        }
        i += 1;
    }
    false
}

/// The position of the next byte in `stops` at bracket depth 0 outside backticks, from
/// `start`, before `limit` (else `limit`).
pub const fn next_top_level(bytes: &[u8], start: usize, limit: usize, stops: &[u8]) -> usize {
    let mut depth = 0usize;
    let mut quoted = false;
    let mut i = start;
    while i < limit {
        let b = bytes[i];
        match b {
            // Name bytes first: one comparison for most of a rule's text.
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' => {}
            b'`' => quoted = !quoted,
            _ if quoted => {}
            b'[' | b'{' | b'(' | b'<' => depth += 1,
            b']' | b'}' | b')' | b'>' => depth = depth.saturating_sub(1),
            _ if depth == 0 => {
                let mut k = 0;
                while k < stops.len() {
                    if b == stops[k] {
                        return i;
                    }
                    k += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    limit
}

/// The end of the comma-separated item starting at `start`.
pub const fn next_comma(bytes: &[u8], start: usize, limit: usize) -> usize {
    next_top_level(bytes, start, limit, b",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The textbook full-table Levenshtein distance of lower-cased bytes.
    fn reference(a: &str, b: &str) -> usize {
        let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
        let (a, b) = (a.as_bytes(), b.as_bytes());
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, x) in a.iter().enumerate() {
            let mut cur = vec![i + 1; b.len() + 1];
            for (j, y) in b.iter().enumerate() {
                cur[j + 1] = (prev[j] + usize::from(x != y))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1);
            }
            prev = cur;
        }
        prev[b.len()]
    }

    proptest! {
        /// The banded, prefix-skipping distance is the full table's wherever it is within the
        /// limit, and `None` exactly where the full table's exceeds it.
        #[test]
        fn distance_is_the_full_tables(
            a in "[abAB_]{0,12}",
            b in "[abAB_]{0,12}",
            limit in 0usize..14,
        ) {
            let want = reference(&a, &b);
            let got = distance_within(&a, &b, limit);
            prop_assert_eq!(got, (want <= limit).then_some(want), "{} {} {}", a, b, limit);
        }

        /// Hashes of names equal exactly when the names are, for the names rules compare.
        #[test]
        fn written_and_plain_hashes_agree(name in "[a`b]{0,8}") {
            let written = name.replace('`', "``");
            prop_assert_eq!(written_hash(&written), name_hash(&name));
            prop_assert!(same_name(&written, &name));
        }
    }

    #[test]
    fn distances_and_limits() {
        assert_eq!(distance_within("Fare", "fair", 2), Some(2));
        assert_eq!(distance_within("fare", "fair", 1), None);
        assert_eq!(distance_within("cty", "city", 1), Some(1));
        assert_eq!(distance_within("a", "abcdef", 3), None);
        assert_eq!(typo_limit("x"), 0);
        assert_eq!(typo_limit("ab"), 1);
        assert_eq!(typo_limit("fair"), 2);
        assert_eq!(typo_limit(""), 0);
        assert!(same_name("a``b", "a`b"));
        assert!(same_name("fare", "fare"));
        assert!(!same_name("a``b", "a``b"));
        assert!(!same_name("far", "fare"));
        assert!(is_plain_name("a_1"));
        assert!(!is_plain_name("__"));
        assert!(!is_plain_name("1a"));
        assert!(!is_plain_name("a b"));
        for name in ["a", "_a", "__", "a-b", "ä", "", "A1", "_"] {
            assert_eq!(
                is_plain_name(name),
                crate::schema::is_bare_name(name),
                "{name}"
            );
        }
    }
}
