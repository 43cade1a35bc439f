//! The validation rules a transformer declares (reference §3): `partitionby_has`,
//! `partitionby_is`, `presort_has`, `presort_is`, `input_has` and `input_is`, defined once, as
//! [`check_rules`], over the rules' canonical text
//! ([`Rule::canonical_value`](crate::validation::Rule::canonical_value), what the transformer
//! macros emit as `Transformer::RULES`), the step's partition keys and presort, and its input's
//! columns. `workflow!` evaluates it in const evaluation; the run time evaluates it before a step
//! runs ([`eval::check_rules`](super::eval::check_rules)); a failure is one [`Problem::Rule`],
//! worded by [`Problem::write`] for both.
//!
//! The partition rules are checked first, all of them; then, when the input is known, the input
//! rules. (At compile time an untyped input is unknown; the run time checks it.)

use super::problem::Problem;
use super::text::{self, Hashes, same_name, str_eq};
use super::{Input, Ty, same_type};

/// One presort item of the step as the rules read it: `(column, descending, nulls_first)`.
pub type Sorted<'a> = (&'a str, bool, bool);

/// What a validation rule found wrong ([`Problem::Rule`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleFailure {
    /// The column is not a partition key of the step.
    NotKey,
    /// The step has other partition keys besides the rule's (`partitionby_is`).
    KeyCount,
    /// The column is not in the step's presort.
    NotSorted,
    /// The column is sorted in the other direction.
    OtherDirection,
    /// The column is sorted with the other NULL order.
    OtherNullOrder,
    /// The column is at another position of the presort (`presort_is`).
    OtherPosition,
    /// The presort has other columns besides the rule's (`presort_is`).
    PresortCount,
    /// The column is not a column of the input (`input_has`).
    NotInInput,
    /// The input's column has another type (`input_has`).
    OtherType,
    /// The input is not the rule's schema (`input_is`).
    InputDiffers,
}

impl RuleFailure {
    /// What the column (or, for the counts and `input_is`, the step) must be, as messages say
    /// it after "must be" / "must have".
    pub const fn wanted(self) -> &'static str {
        match self {
            RuleFailure::NotKey => "a partition key",
            RuleFailure::KeyCount => "the same number of partition keys",
            RuleFailure::NotSorted => "a presort column",
            RuleFailure::OtherDirection => "sorted in the other direction",
            RuleFailure::OtherNullOrder => "sorted with the other NULL order",
            RuleFailure::OtherPosition => "at this position of the presort",
            RuleFailure::PresortCount => "the same number of presort columns",
            RuleFailure::NotInInput => "a column of the input",
            RuleFailure::OtherType => "of this type in the input",
            RuleFailure::InputDiffers => "the input of the rule",
        }
    }
}

/// The position of the column `name` (as a rule writes it, [`same_name`]) in `cols`.
pub(super) const fn position(cols: &[super::Col<'_>], name: &str) -> Option<usize> {
    let hash = text::written_hash(name);
    let mut i = 0;
    while i < cols.len() {
        if cols[i].hash == hash && same_name(name, cols[i].name) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The rule names, in the order messages list them.
pub const RULE_NAMES: [&str; 6] = [
    "partitionby_has",
    "partitionby_is",
    "presort_has",
    "presort_is",
    "input_has",
    "input_is",
];

/// Whether a rule is checked against the input (`input_has`, `input_is`) rather than the
/// partition spec.
pub const fn is_input_rule(rule: &str) -> bool {
    str_eq(rule, "input_has") || str_eq(rule, "input_is")
}

/// What a step's validation rules are checked against: its partition keys, its presort and,
/// when known, its input.
#[derive(Debug, Clone, Copy)]
pub struct Site<'a> {
    /// The partition keys.
    pub by: &'a [&'a str],
    /// The presort.
    pub presort: &'a [Sorted<'a>],
    /// The input, when known.
    pub input: Option<Input<'a, 'a>>,
}

/// Check every rule of `function` (`(name, canonical value)` pairs) against the step's `site`:
/// the partition rules first, then, when the input is known, the input rules. The first
/// failure is the [`Problem::Rule`] naming it.
pub const fn check_rules<'a>(
    function: &'a str,
    rules: &'a [(&'a str, &'a str)],
    site: &'a Site<'a>,
) -> Result<(), Problem<'a>> {
    let mut pass = 0;
    while pass < 2 {
        let mut r = 0;
        while r < rules.len() {
            let (rule, value) = rules[r];
            let for_input = is_input_rule(rule);
            if (pass == 0 && !for_input) || (pass == 1 && for_input) {
                let cx = Cx {
                    function,
                    rule,
                    value,
                    site,
                };
                if let Err(p) = cx.check() {
                    return Err(p);
                }
            }
            r += 1;
        }
        if site.input.is_none() {
            break;
        }
        pass += 1;
    }
    Ok(())
}

/// One rule and what it is checked against.
#[derive(Clone, Copy)]
struct Cx<'a> {
    function: &'a str,
    rule: &'a str,
    value: &'a str,
    site: &'a Site<'a>,
}

impl<'a> Cx<'a> {
    const fn fail(&self, column: &'a str, what: RuleFailure) -> Problem<'a> {
        Problem::Rule {
            function: self.function,
            rule: self.rule,
            value: self.value,
            column,
            what,
            site: self.site,
        }
    }

    const fn check(&self) -> Result<(), Problem<'a>> {
        let rule = self.rule;
        if str_eq(rule, "input_is") {
            return self.check_input_is();
        }
        let keys = str_eq(rule, "partitionby_has") || str_eq(rule, "partitionby_is");
        let key_is = str_eq(rule, "partitionby_is");
        let sorted = str_eq(rule, "presort_has") || str_eq(rule, "presort_is");
        let sort_is = str_eq(rule, "presort_is");
        let input_has = str_eq(rule, "input_has");
        let bytes = self.value.as_bytes();
        let (by, presort) = (Hashes::of(self.site.by), presort_hashes(self.site.presort));
        let mut count = 0;
        let mut start = 0;
        while start <= bytes.len() {
            let end = text::next_comma(bytes, start, bytes.len());
            let (s, e) = text::trim(bytes, start, end);
            if s < e {
                let item = Item::parse(self.value, s, e);
                let hash = text::written_hash(item.name);
                let what = if keys {
                    if contains(self.site.by, &by, item.name, hash) {
                        None
                    } else {
                        Some(RuleFailure::NotKey)
                    }
                } else if sorted {
                    let at = presort_position(self.site.presort, &presort, item.name, hash);
                    if at == usize::MAX {
                        Some(RuleFailure::NotSorted)
                    } else if self.site.presort[at].1 != item.descending {
                        Some(RuleFailure::OtherDirection)
                    } else if self.site.presort[at].2 != item.nulls_first {
                        Some(RuleFailure::OtherNullOrder)
                    } else if sort_is && at != count {
                        Some(RuleFailure::OtherPosition)
                    } else {
                        None
                    }
                } else if input_has {
                    match self.site.input {
                        None => None,
                        Some(input) => match position(input.cols, item.name) {
                            None => Some(RuleFailure::NotInInput),
                            Some(at) => match item.ty {
                                Some(want) => match same_type(&input.cols[at].ty, &Ty::Key(want)) {
                                    Some(false) => Some(RuleFailure::OtherType),
                                    _ => None,
                                },
                                None => None,
                            },
                        },
                    }
                } else {
                    None
                };
                if let Some(what) = what {
                    return Err(self.fail(item.name, what));
                }
                count += 1;
            }
            start = end + 1;
        }
        if key_is && count != self.site.by.len() {
            return Err(self.fail("", RuleFailure::KeyCount));
        }
        if sort_is && count != self.site.presort.len() {
            return Err(self.fail("", RuleFailure::PresortCount));
        }
        Ok(())
    }

    /// `input_is`: the input is exactly the rule's schema (names, order, types). The value is
    /// canonical (`name:key,..`): split at top-level commas and colons, never parsed as types.
    const fn check_input_is(&self) -> Result<(), Problem<'a>> {
        let Some(input) = self.site.input else {
            return Ok(());
        };
        let value = self.value;
        let bytes = value.as_bytes();
        let mut same = true;
        let mut count = 0;
        let mut start = 0;
        while same && start < bytes.len() {
            let end = text::next_comma(bytes, start, bytes.len());
            let (s, e) = text::trim(bytes, start, end);
            if s < e {
                let colon = text::next_top_level(bytes, s, e, b":");
                let (ns, ne) = text::trim(bytes, s, colon);
                let (ts, te) = text::trim(bytes, colon + 1, e);
                let name = text::unquote(value, ns, ne);
                let key = text::slice(value, ts, te);
                same = count < input.cols.len()
                    && same_name(name, input.cols[count].name)
                    && !matches!(same_type(&input.cols[count].ty, &Ty::Key(key)), Some(false));
                count += 1;
            }
            start = end + 1;
        }
        if same && count == input.cols.len() {
            return Ok(());
        }
        Err(self.fail("", RuleFailure::InputDiffers))
    }
}

/// Whether `name` (as a rule writes it, [`same_name`]; of [`written_hash`](text::written_hash)
/// `hash`) is one of `names` (hashed in `hashes`).
const fn contains(names: &[&str], hashes: &Hashes, name: &str, hash: u64) -> bool {
    let mut i = 0;
    while i < names.len() {
        if hashes.get(i, names[i]) == hash && same_name(name, names[i]) {
            return true;
        }
        i += 1;
    }
    false
}

/// The hashes of the presort's column names.
const fn presort_hashes(presort: &[Sorted<'_>]) -> Hashes {
    let mut hashes = Hashes::NONE;
    let mut i = 0;
    while i < presort.len() && i < text::HASHED {
        hashes.set(i, text::name_hash(presort[i].0));
        i += 1;
    }
    hashes
}

const fn presort_position(presort: &[Sorted<'_>], hashes: &Hashes, name: &str, hash: u64) -> usize {
    let mut i = 0;
    while i < presort.len() {
        if hashes.get(i, presort[i].0) == hash && same_name(name, presort[i].0) {
            return i;
        }
        i += 1;
    }
    usize::MAX
}

/// One item of a rule's canonical value: a name (backtick-quoted when needed), then a type
/// after `:` (`input_has`) or a direction and NULL order (`presort_*`).
struct Item<'a> {
    name: &'a str,
    descending: bool,
    nulls_first: bool,
    ty: Option<&'a str>,
}

const fn ends_with_nulls_first(bytes: &[u8], start: usize, end: usize) -> bool {
    let tail = b"nulls first";
    if end < start + tail.len() {
        return false;
    }
    let from = end - tail.len();
    let mut i = 0;
    while i < tail.len() {
        let b = bytes[from + i];
        let t = tail[i];
        let same = if t == b' ' {
            b.is_ascii_whitespace()
        } else {
            b.eq_ignore_ascii_case(&t)
        };
        if !same {
            return false;
        }
        i += 1;
    }
    true
}

impl<'a> Item<'a> {
    const fn parse(value: &'a str, start: usize, end: usize) -> Item<'a> {
        let bytes = value.as_bytes();
        // The name: a backtick-quoted run (a doubled backtick inside), or up to a space or `:`.
        let mut i = start;
        if bytes[i] == b'`' {
            i += 1;
            while i < end {
                if bytes[i] == b'`' {
                    if i + 1 < end && bytes[i + 1] == b'`' {
                        i += 2;
                        continue;
                    }
                    break;
                }
                i += 1;
            }
            if i < end {
                i += 1;
            }
        } else {
            while i < end && !matches!(bytes[i], b'\t' | b'\n' | b'\x0C' | b'\r' | b' ' | b':') {
                i += 1;
            }
        }
        let name = text::unquote(value, start, i);
        let (rest_start, rest_end) = text::trim(bytes, i, end);
        let mut ty = None;
        let mut descending = false;
        if rest_start < rest_end && bytes[rest_start] == b':' {
            let (ts, te) = text::trim(bytes, rest_start + 1, rest_end);
            ty = Some(text::slice(value, ts, te));
        } else if rest_end >= rest_start + 4 {
            let b = bytes.split_at(rest_start).1;
            descending = b[0].eq_ignore_ascii_case(&b'd')
                && b[1].eq_ignore_ascii_case(&b'e')
                && b[2].eq_ignore_ascii_case(&b's')
                && b[3].eq_ignore_ascii_case(&b'c');
        }
        let nulls_first = ty.is_none() && ends_with_nulls_first(bytes, rest_start, rest_end);
        Item {
            name,
            descending,
            nulls_first,
            ty,
        }
    }
}
