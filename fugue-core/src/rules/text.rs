//! Small `const` string tools the rules share, and the one "did you mean" rule.

/// Whether two strings are equal (`==` on `str` is not `const`).
pub const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
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

/// `text[start..end]` (empty if the range is not on character boundaries).
pub const fn slice(text: &str, start: usize, end: usize) -> &str {
    let bytes = text.as_bytes();
    if start > end || end > bytes.len() {
        return "";
    }
    let (_, rest) = bytes.split_at(start);
    let (middle, _) = rest.split_at(end - start);
    match std::str::from_utf8(middle) {
        Ok(s) => s,
        Err(_) => "",
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

/// The Levenshtein distance of ASCII-lower-cased bytes, or `None` when it exceeds `limit` (or
/// a name is longer than [`MAX_SUGGESTED_LEN`]). Names whose lengths differ by more than
/// `limit` are not compared at all.
pub const fn distance_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() > MAX_SUGGESTED_LEN || b.len() > MAX_SUGGESTED_LEN {
        return None;
    }
    let diff = a.len().abs_diff(b.len());
    if diff > limit {
        return None;
    }
    let mut prev = [0usize; MAX_SUGGESTED_LEN + 1];
    let mut cur = [0usize; MAX_SUGGESTED_LEN + 1];
    let mut j = 0;
    while j <= b.len() {
        prev[j] = j;
        j += 1;
    }
    let mut i = 0;
    while i < a.len() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        let mut j = 0;
        while j < b.len() {
            let cost = if a[i].eq_ignore_ascii_case(&b[j]) {
                0
            } else {
                1
            };
            let mut best = prev[j] + cost;
            if prev[j + 1] + 1 < best {
                best = prev[j + 1] + 1;
            }
            if cur[j] + 1 < best {
                best = cur[j] + 1;
            }
            cur[j + 1] = best;
            if best < row_min {
                row_min = best;
            }
            j += 1;
        }
        if row_min > limit {
            return None;
        }
        let mut k = 0;
        while k <= b.len() {
            prev[k] = cur[k];
            k += 1;
        }
        i += 1;
    }
    if prev[b.len()] <= limit {
        Some(prev[b.len()])
    } else {
        None
    }
}

/// Whether `candidate` is a closer suggestion for `name` than the best so far.
pub const fn closer(name: &str, candidate: &str, best: Option<(usize, usize)>) -> Option<usize> {
    let limit = match best {
        Some((d, _)) if d > 0 => d - 1,
        Some(_) => return None,
        None => typo_limit(name),
    };
    distance_within(name, candidate, limit)
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

/// The position of the next byte in `stops` at bracket depth 0 outside backticks, from
/// `start`, before `limit` (else `limit`).
pub const fn next_top_level(bytes: &[u8], start: usize, limit: usize, stops: &[u8]) -> usize {
    let mut depth = 0usize;
    let mut quoted = false;
    let mut i = start;
    while i < limit {
        let b = bytes[i];
        if b == b'`' {
            quoted = !quoted;
        } else if !quoted {
            if b == b'[' || b == b'{' || b == b'(' || b == b'<' {
                depth += 1;
            } else if b == b']' || b == b'}' || b == b')' || b == b'>' {
                depth = depth.saturating_sub(1);
            } else if depth == 0 {
                let mut k = 0;
                while k < stops.len() {
                    if b == stops[k] {
                        return i;
                    }
                    k += 1;
                }
            }
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
