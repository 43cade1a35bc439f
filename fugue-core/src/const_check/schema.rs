//! [`ConstSchema`]: a schema computed in const evaluation, step by step along a workflow.
//!
//! A schema is either *known* (a fixed-capacity list of columns) or *unknown* (known only at
//! run time: an untyped load, a dynamic output, a `*` hint over an unknown input). Every
//! operation on an unknown schema gives an unknown schema, and every check against one passes
//! at compile time: the runtime checks it when the data is there.
//!
//! Column types are [`ConstType`]s (a hint's types are `ConstType::Expr` slices of the hint) or
//! unknown (an aggregation's result); types are compared by their canonical printed form
//! ([`write_type`]), so aliases such as `long` and `int64` are equal.

use super::message::Message;
use super::str_eq;
use crate::const_schema::{ConstColumn, ConstType};

/// The most columns a [`ConstSchema`] holds; a wider schema is unknown at compile time.
pub const MAX_COLUMNS: usize = 64;

/// Whether a column may hold NULL, as far as compile time knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nullability {
    /// A non-`Option` field of a record.
    NotNull,
    /// An `Option` field of a record.
    Nullable,
    /// A column of a schema expression, a hint or an outer join (nullable in Fugue's model,
    /// but usually holding no NULL): checked at run time.
    Unspecified,
}

/// One column of a [`ConstSchema`].
#[derive(Debug, Clone, Copy)]
pub struct SchemaColumn {
    /// The column name, unquoted.
    pub name: &'static str,
    /// The type, `None` when only the run time knows it.
    pub ty: Option<ConstType>,
    /// Whether it may hold NULL.
    pub nullability: Nullability,
}

const NO_COLUMN: SchemaColumn = SchemaColumn {
    name: "",
    ty: None,
    nullability: Nullability::Unspecified,
};

/// What [`ConstSchema::lookup`] finds.
#[derive(Debug, Clone, Copy)]
pub enum Lookup {
    /// The column at this position.
    Found(usize),
    /// The schema is known and has no such column.
    Missing,
    /// The schema is known only at run time.
    Unknown,
}

/// Why a schema hint does not apply to an input ([`ConstSchema::transform`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HintProblem {
    /// `-name` removes a column the input does not have.
    Missing(&'static str),
    /// The hint lists a column twice (often `*` and a column the input already has).
    Duplicate(&'static str),
    /// The hint is not in the transform language (the transformer macros reject this first).
    Syntax,
}

/// A schema in const evaluation: known columns, or unknown until run time.
#[derive(Debug, Clone, Copy)]
pub struct ConstSchema {
    known: bool,
    columns: [SchemaColumn; MAX_COLUMNS],
    len: usize,
}

impl ConstSchema {
    /// A schema known only at run time.
    pub const UNKNOWN: ConstSchema = ConstSchema {
        known: false,
        columns: [NO_COLUMN; MAX_COLUMNS],
        len: 0,
    };

    /// The known schema without columns.
    pub const EMPTY: ConstSchema = ConstSchema {
        known: true,
        columns: [NO_COLUMN; MAX_COLUMNS],
        len: 0,
    };

    /// The schema of these const columns (a record's `COLUMNS`, or a schema expression the
    /// macro parsed); unknown when wider than [`MAX_COLUMNS`].
    pub const fn of_columns(columns: &'static [ConstColumn]) -> ConstSchema {
        let mut out = ConstSchema::EMPTY;
        let mut i = 0;
        while i < columns.len() {
            let c = &columns[i];
            let nullability = if c.nullable {
                Nullability::Nullable
            } else {
                Nullability::NotNull
            };
            if !out.push(SchemaColumn {
                name: c.name,
                ty: Some(c.ty),
                nullability,
            }) {
                return ConstSchema::UNKNOWN;
            }
            i += 1;
        }
        out
    }

    /// [`of_columns`](Self::of_columns) for a schema expression: every column's nullability is
    /// [`Nullability::Unspecified`].
    pub const fn of_expression(columns: &'static [ConstColumn]) -> ConstSchema {
        let mut out = ConstSchema::of_columns(columns);
        let mut i = 0;
        while i < out.len {
            out.columns[i].nullability = Nullability::Unspecified;
            i += 1;
        }
        out
    }

    /// Whether the columns are known at compile time.
    pub const fn is_known(&self) -> bool {
        self.known
    }

    /// The number of columns (0 when unknown).
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the schema is known and has no column.
    pub const fn is_empty(&self) -> bool {
        self.known && self.len == 0
    }

    /// The column at `index`.
    pub const fn column_at(&self, index: usize) -> Option<&SchemaColumn> {
        if index < self.len {
            Some(&self.columns[index])
        } else {
            None
        }
    }

    /// Find the column `name`.
    pub const fn lookup(&self, name: &str) -> Lookup {
        if !self.known {
            return Lookup::Unknown;
        }
        let mut i = 0;
        while i < self.len {
            if str_eq(self.columns[i].name, name) {
                return Lookup::Found(i);
            }
            i += 1;
        }
        Lookup::Missing
    }

    /// Whether the schema is known and has the column `name`.
    pub const fn has(&self, name: &str) -> bool {
        matches!(self.lookup(name), Lookup::Found(_))
    }

    /// Append a column; `false` (and the schema becomes unknown) when full.
    const fn push(&mut self, column: SchemaColumn) -> bool {
        if self.len == MAX_COLUMNS {
            *self = ConstSchema::UNKNOWN;
            return false;
        }
        self.columns[self.len] = column;
        self.len += 1;
        true
    }

    const fn remove_at(&mut self, index: usize) {
        let mut i = index;
        while i + 1 < self.len {
            self.columns[i] = self.columns[i + 1];
            i += 1;
        }
        self.len -= 1;
    }

    /// The columns `names`, in that order (`select`). Unknown when a name is missing (the
    /// check of that name reports it).
    pub const fn select(&self, names: &[&'static str]) -> ConstSchema {
        if !self.known {
            return ConstSchema::UNKNOWN;
        }
        let mut out = ConstSchema::EMPTY;
        let mut i = 0;
        while i < names.len() {
            match self.lookup(names[i]) {
                Lookup::Found(at) => {
                    if !out.push(self.columns[at]) {
                        return out;
                    }
                }
                _ => return ConstSchema::UNKNOWN,
            }
            i += 1;
        }
        out
    }

    /// Without the columns `names` (`drop`). Unknown when a name is missing.
    pub const fn drop_columns(&self, names: &[&'static str]) -> ConstSchema {
        let mut out = *self;
        let mut i = 0;
        while i < names.len() {
            match out.lookup(names[i]) {
                Lookup::Found(at) => out.remove_at(at),
                _ => return ConstSchema::UNKNOWN,
            }
            i += 1;
        }
        out
    }

    /// With the columns renamed, `(old, new)` pairs (`rename`). Unknown when an old name is
    /// missing.
    pub const fn rename(&self, pairs: &[(&'static str, &'static str)]) -> ConstSchema {
        let mut out = *self;
        let mut i = 0;
        while i < pairs.len() {
            match self.lookup(pairs[i].0) {
                Lookup::Found(at) => out.columns[at].name = pairs[i].1,
                _ => return ConstSchema::UNKNOWN,
            }
            i += 1;
        }
        out
    }

    /// With the columns `names` computed by SQL expressions (`assign`): an existing column
    /// keeps its place, a new one is appended; their types are known only at run time.
    pub const fn assign(&self, names: &[&'static str]) -> ConstSchema {
        let mut out = *self;
        let mut i = 0;
        while i < names.len() {
            let column = SchemaColumn {
                name: names[i],
                ty: None,
                nullability: Nullability::Unspecified,
            };
            match out.lookup(names[i]) {
                Lookup::Found(at) => out.columns[at] = column,
                Lookup::Missing => {
                    if !out.push(column) {
                        return out;
                    }
                }
                Lookup::Unknown => return ConstSchema::UNKNOWN,
            }
            i += 1;
        }
        out
    }

    /// The keys `by` (from this schema) followed by the aggregated columns `names`, whose
    /// types are known only at run time (`aggregate`).
    pub const fn aggregate(&self, by: &[&'static str], names: &[&'static str]) -> ConstSchema {
        let keys = self.select(by);
        keys.assign(names)
    }

    /// The output of a join of this schema with `right` (`how` as in `join(.., how: ..)`): the
    /// left columns, then the right columns that the left does not have; only the left for
    /// semi and anti joins. An outer side's columns become [`Nullability::Unspecified`].
    pub const fn join(&self, right: &ConstSchema, how: &str) -> ConstSchema {
        if !self.known || !right.known {
            return ConstSchema::UNKNOWN;
        }
        let semi = str_eq(how, "semi")
            || str_eq(how, "left_semi")
            || str_eq(how, "anti")
            || str_eq(how, "left_anti");
        if semi {
            return *self;
        }
        let left_outer = str_eq(how, "right_outer") || str_eq(how, "full_outer");
        let right_outer = str_eq(how, "left_outer") || str_eq(how, "full_outer");
        let mut out = *self;
        if left_outer {
            let mut i = 0;
            while i < out.len {
                out.columns[i].nullability = Nullability::Unspecified;
                i += 1;
            }
        }
        let mut i = 0;
        while i < right.len {
            let mut column = right.columns[i];
            if !self.has(column.name) {
                if right_outer {
                    column.nullability = Nullability::Unspecified;
                }
                if !out.push(column) {
                    return out;
                }
            }
            i += 1;
        }
        out
    }

    /// The schema a transform hint (`*`, `*,c:int`, `*-a`, `*~a`, `*+a:str`, `a:int,b:str`)
    /// describes for this input. A hint without `*` is known even over an unknown input.
    pub const fn transform(&self, hint: &'static str) -> Result<ConstSchema, HintProblem> {
        let bytes = hint.as_bytes();
        let first_op = next_operator(bytes, 0);
        // The base: `*` and `name:type` items.
        let mut out = ConstSchema::EMPTY;
        let mut start = 0;
        while start <= first_op {
            let end = next_comma(bytes, start, first_op);
            let (s, e) = trim(bytes, start, end);
            if s < e {
                if e - s == 1 && bytes[s] == b'*' {
                    if !self.known {
                        return Ok(ConstSchema::UNKNOWN);
                    }
                    let mut i = 0;
                    while i < self.len {
                        if out.has(self.columns[i].name) {
                            return Err(HintProblem::Duplicate(self.columns[i].name));
                        }
                        if !out.push(self.columns[i]) {
                            return Ok(out);
                        }
                        i += 1;
                    }
                } else {
                    let column = match parse_column(hint, s, e) {
                        Some(c) => c,
                        None => return Err(HintProblem::Syntax),
                    };
                    if out.has(column.name) {
                        return Err(HintProblem::Duplicate(column.name));
                    }
                    if !out.push(column) {
                        return Ok(out);
                    }
                }
            }
            start = end + 1;
        }
        // The operators.
        let mut at = first_op;
        while at < bytes.len() {
            let op = bytes[at];
            let next = next_operator(bytes, at + 1);
            let mut start = at + 1;
            while start <= next {
                let end = next_comma(bytes, start, next);
                let (s, e) = trim(bytes, start, end);
                if s < e {
                    if op == b'+' {
                        let column = match parse_column(hint, s, e) {
                            Some(c) => c,
                            None => return Err(HintProblem::Syntax),
                        };
                        match out.lookup(column.name) {
                            Lookup::Found(i) => out.columns[i].ty = column.ty,
                            _ => {
                                if !out.push(column) {
                                    return Ok(out);
                                }
                            }
                        }
                    } else {
                        let name = unquote(hint, s, e);
                        match out.lookup(name) {
                            Lookup::Found(i) => out.remove_at(i),
                            _ => {
                                if op == b'-' {
                                    return Err(HintProblem::Missing(name));
                                }
                            }
                        }
                    }
                }
                start = end + 1;
            }
            at = next;
        }
        Ok(out)
    }

    /// [`transform`](Self::transform), unknown when the hint does not apply (the check of the
    /// step reports why).
    pub const fn transformed(&self, hint: &'static str) -> ConstSchema {
        match self.transform(hint) {
            Ok(s) => s,
            Err(_) => ConstSchema::UNKNOWN,
        }
    }

    /// Write the schema in the schema language (`city:str,fare:double`); an unknown type
    /// prints `?`, an unknown schema `(known at run time)`.
    pub const fn write(&self, out: &mut Message) {
        if !self.known {
            out.push("(known at run time)");
            return;
        }
        let mut i = 0;
        while i < self.len {
            if i > 0 {
                out.push_byte(b',');
            }
            write_column(out, &self.columns[i]);
            i += 1;
        }
    }

    /// The closest column name to `name` (an edit distance of at most a third of its
    /// length rounded up, case-insensitive), for "did you mean".
    pub const fn closest(&self, name: &str) -> Option<&'static str> {
        let limit = if name.len() > 1 {
            name.len().div_ceil(3)
        } else {
            1
        };
        let mut best: Option<&'static str> = None;
        let mut best_distance = usize::MAX;
        let mut i = 0;
        while i < self.len {
            let d = edit_distance(name, self.columns[i].name);
            if d <= limit && d < best_distance {
                best = Some(self.columns[i].name);
                best_distance = d;
            }
            i += 1;
        }
        best
    }
}

/// Write `name:type` (`name:?` when the type is unknown).
pub const fn write_column(out: &mut Message, column: &SchemaColumn) {
    write_name(out, column.name);
    out.push_byte(b':');
    match &column.ty {
        Some(ty) => write_type(out, ty),
        None => out.push_byte(b'?'),
    }
}

/// Write a column name, backtick-quoted unless it is a plain identifier.
pub const fn write_name(out: &mut Message, name: &str) {
    let bytes = name.as_bytes();
    let mut plain = !bytes.is_empty() && !bytes[0].is_ascii_digit();
    let mut i = 0;
    while i < bytes.len() {
        if !(bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            plain = false;
        }
        i += 1;
    }
    if plain {
        out.push(name);
    } else {
        out.push_ticked(name);
    }
}

/// Write a type in its canonical form: aliases replaced (`int64` prints `long`, `string`
/// prints `str`), spaces removed.
pub const fn write_type(out: &mut Message, ty: &ConstType) {
    match ty {
        ConstType::Expr(e) => write_type_expr(out, e),
        ConstType::List(item) => {
            out.push_byte(b'[');
            write_type(out, item);
            out.push_byte(b']');
        }
        ConstType::Struct(columns) => {
            out.push_byte(b'{');
            let mut i = 0;
            while i < columns.len() {
                if i > 0 {
                    out.push_byte(b',');
                }
                write_name(out, columns[i].name);
                out.push_byte(b':');
                write_type(out, &columns[i].ty);
                i += 1;
            }
            out.push_byte(b'}');
        }
        ConstType::Map(key, value) => {
            out.push_byte(b'<');
            write_type(out, key);
            out.push_byte(b',');
            write_type(out, value);
            out.push_byte(b'>');
        }
    }
}

/// Write a type expression canonically: words replaced by their canonical alias, spaces
/// dropped, backtick-quoted names kept.
const fn write_type_expr(out: &mut Message, expr: &str) {
    let bytes = expr.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'`' {
            let start = i;
            i += 1;
            while i < bytes.len() && bytes[i] != b'`' {
                i += 1;
            }
            i += 1;
            let end = if i > bytes.len() { bytes.len() } else { i };
            out.push(slice(expr, start, end));
        } else if b.is_ascii_alphanumeric() || b == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            out.push(canonical_word(slice(expr, start, i)));
        } else {
            if !b.is_ascii_whitespace() {
                out.push_byte(b);
            }
            i += 1;
        }
    }
}

/// The canonical spelling of a type word (`int64` -> `long`); other words unchanged.
pub const fn canonical_word(word: &str) -> &str {
    const ALIASES: &[(&str, &str)] = &[
        ("boolean", "bool"),
        ("int8", "byte"),
        ("int16", "short"),
        ("int32", "int"),
        ("int64", "long"),
        ("uint8", "ubyte"),
        ("uint16", "ushort"),
        ("uint32", "uint"),
        ("uint64", "ulong"),
        ("float32", "float"),
        ("float64", "double"),
        ("string", "str"),
        ("binary", "bytes"),
    ];
    let mut i = 0;
    while i < ALIASES.len() {
        if str_eq(word, ALIASES[i].0) {
            return ALIASES[i].1;
        }
        i += 1;
    }
    word
}

/// Whether two types are the same type (compared by their canonical form).
pub const fn same_type(a: &ConstType, b: &ConstType) -> bool {
    let mut left = Message::new();
    let mut right = Message::new();
    write_type(&mut left, a);
    write_type(&mut right, b);
    let (l, r) = (
        naive_timestamp(left.as_str()),
        naive_timestamp(right.as_str()),
    );
    str_eq(l, r)
}

/// `datetime` is `timestamp(us)`.
const fn naive_timestamp(text: &str) -> &str {
    if str_eq(text, "timestamp(us)") {
        "datetime"
    } else {
        text
    }
}

/// Levenshtein distance over ASCII-lower-cased bytes (names longer than 63 bytes compare as
/// far apart).
pub const fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() >= 64 || b.len() >= 64 {
        return usize::MAX;
    }
    let mut prev = [0usize; 64];
    let mut cur = [0usize; 64];
    let mut j = 0;
    while j <= b.len() {
        prev[j] = j;
        j += 1;
    }
    let mut i = 0;
    while i < a.len() {
        cur[0] = i + 1;
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
            j += 1;
        }
        let mut k = 0;
        while k <= b.len() {
            prev[k] = cur[k];
            k += 1;
        }
        i += 1;
    }
    prev[b.len()]
}

// ---- small const string tools -------------------------------------------------------------

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

/// The name in `text[start..end]`, without its backticks.
pub const fn unquote(text: &str, start: usize, end: usize) -> &str {
    let bytes = text.as_bytes();
    if end >= start + 2 && bytes[start] == b'`' && bytes[end - 1] == b'`' {
        slice(text, start + 1, end - 1)
    } else {
        slice(text, start, end)
    }
}

/// The position of the next byte in `stops` at bracket depth 0 outside backticks, from
/// `start`, before `limit` (else `limit`).
const fn next_top_level(bytes: &[u8], start: usize, limit: usize, stops: &[u8]) -> usize {
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

/// The next comma-separated item's end.
pub const fn next_comma(bytes: &[u8], start: usize, limit: usize) -> usize {
    next_top_level(bytes, start, limit, b",")
}

/// The next transform operator (`-`, `~`, `+`), or the end.
const fn next_operator(bytes: &[u8], start: usize) -> usize {
    next_top_level(bytes, start, bytes.len(), b"-~+")
}

/// A `name:type` item of a schema expression.
const fn parse_column(text: &'static str, start: usize, end: usize) -> Option<SchemaColumn> {
    let bytes = text.as_bytes();
    let colon = next_top_level(bytes, start, end, b":");
    if colon == end {
        return None;
    }
    let (ns, ne) = trim(bytes, start, colon);
    let (ts, te) = trim(bytes, colon + 1, end);
    if ns == ne || ts == te {
        return None;
    }
    Some(SchemaColumn {
        name: unquote(text, ns, ne),
        ty: Some(ConstType::Expr(slice(text, ts, te))),
        nullability: Nullability::Unspecified,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRIP: &[ConstColumn] = &[
        ConstColumn {
            name: "city",
            ty: ConstType::Expr("str"),
            nullable: false,
        },
        ConstColumn {
            name: "fare",
            ty: ConstType::Expr("double"),
            nullable: true,
        },
    ];

    fn text(schema: &ConstSchema) -> String {
        let mut m = Message::new();
        schema.write(&mut m);
        m.to_string()
    }

    // Evaluated at compile time: the operations work in const evaluation.
    const TRIPS: ConstSchema = ConstSchema::of_columns(TRIP);
    const HINTED: ConstSchema = TRIPS.transformed("*,rank:long");
    const _: () = assert!(HINTED.len() == 3);

    #[test]
    fn lookup_and_print() {
        assert!(matches!(TRIPS.lookup("fare"), Lookup::Found(1)));
        assert!(matches!(TRIPS.lookup("far"), Lookup::Missing));
        assert!(matches!(
            ConstSchema::UNKNOWN.lookup("far"),
            Lookup::Unknown
        ));
        assert_eq!(text(&TRIPS), "city:str,fare:double");
        assert_eq!(text(&ConstSchema::UNKNOWN), "(known at run time)");
        assert_eq!(TRIPS.closest("fair"), Some("fare"));
        assert_eq!(TRIPS.closest("zzzz"), None);
    }

    #[test]
    fn hints_resolve_against_the_input() {
        assert_eq!(text(&HINTED), "city:str,fare:double,rank:long");
        let t = |h: &'static str| TRIPS.transform(h).map(|s| text(&s));
        assert_eq!(t("*-fare").as_deref(), Ok("city:str"));
        assert_eq!(t("*~nope,fare").as_deref(), Ok("city:str"));
        assert_eq!(
            t("*+fare:int64, n:[string]").as_deref(),
            Ok("city:str,fare:long,n:[str]")
        );
        assert_eq!(
            t("a:int, `b c`:map<str,int>").as_deref(),
            Ok("a:int,`b c`:map<str,int>")
        );
        assert_eq!(t("*-nope"), Err(HintProblem::Missing("nope")));
        assert_eq!(t("*,fare:int"), Err(HintProblem::Duplicate("fare")));
        assert_eq!(t("*,fare"), Err(HintProblem::Syntax));
        assert!(!ConstSchema::UNKNOWN.transformed("*,x:int").is_known());
        assert_eq!(text(&ConstSchema::UNKNOWN.transformed("x:int")), "x:int");
    }

    #[test]
    fn operations() {
        assert_eq!(
            text(&TRIPS.select(&["fare", "city"])),
            "fare:double,city:str"
        );
        assert!(!TRIPS.select(&["nope"]).is_known());
        assert_eq!(text(&TRIPS.drop_columns(&["city"])), "fare:double");
        assert_eq!(
            text(&TRIPS.rename(&[("fare", "price")])),
            "city:str,price:double"
        );
        assert_eq!(text(&TRIPS.assign(&["fare", "n"])), "city:str,fare:?,n:?");
        assert_eq!(
            text(&TRIPS.aggregate(&["city"], &["total"])),
            "city:str,total:?"
        );
        let other = ConstSchema::EMPTY.transformed("city:str,pop:long");
        assert_eq!(
            text(&TRIPS.join(&other, "inner")),
            "city:str,fare:double,pop:long"
        );
        assert_eq!(text(&TRIPS.join(&other, "semi")), "city:str,fare:double");
        let outer = TRIPS.join(&other, "left_outer");
        assert_eq!(
            outer.column_at(2).map(|c| c.nullability),
            Some(Nullability::Unspecified)
        );
    }

    #[test]
    fn types_compare_canonically() {
        assert!(same_type(
            &ConstType::Expr("int64"),
            &ConstType::Expr("long")
        ));
        assert!(same_type(
            &ConstType::List(&ConstType::Expr("string")),
            &ConstType::Expr("[ str ]")
        ));
        assert!(same_type(
            &ConstType::Expr("decimal(10, 2)"),
            &ConstType::Expr("decimal(10,2)")
        ));
        assert!(!same_type(
            &ConstType::Expr("int"),
            &ConstType::Expr("long")
        ));
        assert_eq!(edit_distance("Fare", "fair"), 2);
        assert_eq!(canonical_word("float64"), "double");
    }
}
