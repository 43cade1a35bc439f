//! Partition specs: how a step's input is split into logical partitions (by key), how each is
//! presorted, how many physical partitions there are and with which algorithm.
//!
//! A [`PartitionSpec`] is built with [`PartitionSpec::builder`], parsed from the compact string
//! form (`"by=city,region; presort=fare desc; num=ROWCOUNT/4; algo=even"`, also accepted by the
//! macros), or (with the `json` feature) from Fugue's JSON object form. Every way goes through
//! the same validation, so every spec in the program is valid.
//!
//! ```
//! use fugue_core::partition::PartitionSpec;
//!
//! let spec = PartitionSpec::builder()
//!     .by(["city"])
//!     .presort("fare desc")
//!     .num("ROWCOUNT/4")
//!     .algo("even")
//!     .build()
//!     .unwrap();
//! assert_eq!(spec.presort_expr(), "fare DESC");
//! assert_eq!(spec.num_partitions(10, 2).unwrap(), 2);
//! assert_eq!(spec.to_string(), "by=city; presort=fare DESC; num=ROWCOUNT/4; algo=even");
//! assert_eq!(PartitionSpec::parse(&spec.to_string()).unwrap(), spec);
//! ```

use crate::error::{FugueError, Result, caret_excerpt, excerpt};
use crate::schema::{Schema, quote_name};
use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

/// How rows are assigned to physical partitions (reference §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PartitionAlgo {
    /// Not set: the engine's default, which behaves as [`PartitionAlgo::Hash`].
    #[default]
    Default,
    /// By the hash of the keys: equal keys go to one partition; sizes may be skewed.
    Hash,
    /// Randomly by key: equal keys go to one partition; a key group's partition is random.
    Rand,
    /// Evenly: whole key groups are spread so that partition sizes (in key groups, or rows
    /// without keys) differ by at most one.
    Even,
    /// Coarse: contiguous ranges of the sorted keys; cheap, no balance guarantee.
    Coarse,
}

impl PartitionAlgo {
    /// The accepted spellings.
    pub const ACCEPTED: &'static str = "`hash`, `rand`, `even` or `coarse` (any case)";

    /// The name as stored and printed (`"default"`, `"hash"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            PartitionAlgo::Default => "default",
            PartitionAlgo::Hash => "hash",
            PartitionAlgo::Rand => "rand",
            PartitionAlgo::Even => "even",
            PartitionAlgo::Coarse => "coarse",
        }
    }
}

impl FromStr for PartitionAlgo {
    type Err = FugueError;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "default" => Ok(PartitionAlgo::Default),
            "hash" => Ok(PartitionAlgo::Hash),
            "rand" => Ok(PartitionAlgo::Rand),
            "even" => Ok(PartitionAlgo::Even),
            "coarse" => Ok(PartitionAlgo::Coarse),
            _ => Err(FugueError::InvalidPartitionSpec {
                spec: excerpt(s),
                reason: format!("unknown partition algorithm; expected {}", Self::ACCEPTED),
            }),
        }
    }
}

impl fmt::Display for PartitionAlgo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One presort item: a column, its direction, and where NULLs go.
///
/// Printed as `name ASC|DESC`, followed by `NULLS FIRST` when NULLs go first; NULLs last is
/// the default (as Fugue's and pandas' `na_position="last"`, whatever the direction), so
/// `a desc nulls last` prints `a DESC` and parses back to the same key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SortKey {
    /// The column name, unquoted.
    pub name: String,
    /// Descending when true.
    pub descending: bool,
    /// NULLs before the other values when true; the default is last, whatever the direction.
    pub nulls_first: bool,
}

impl SortKey {
    /// An ascending key with NULLs last.
    pub fn asc(name: impl Into<String>) -> Self {
        SortKey {
            name: name.into(),
            descending: false,
            nulls_first: false,
        }
    }

    /// A descending key with NULLs last.
    pub fn desc(name: impl Into<String>) -> Self {
        SortKey {
            name: name.into(),
            descending: true,
            nulls_first: false,
        }
    }

    /// `"ASC"` or `"DESC"`.
    pub fn direction(&self) -> &'static str {
        if self.descending { "DESC" } else { "ASC" }
    }
}

impl fmt::Display for SortKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", quote_name(&self.name), self.direction())?;
        if self.nulls_first {
            f.write_str(" NULLS FIRST")?;
        }
        Ok(())
    }
}

/// Parse a presort expression: comma-separated `name [asc|desc] [nulls first|nulls last]`
/// items, directions case-insensitive, names optionally backtick-quoted.
///
/// A bad direction, extra tokens, or a repeated name is [`FugueError::InvalidPartitionSpec`].
pub fn parse_presort(expr: &str) -> Result<Vec<SortKey>> {
    let bad = |reason: String| FugueError::InvalidPartitionSpec {
        spec: excerpt(expr),
        reason,
    };
    let mut keys: Vec<SortKey> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for item in split_top_level(expr).map_err(|r| bad(r.to_string()))? {
        let tokens = tokenize_item(&item).map_err(|r| bad(r.to_string()))?;
        if tokens.is_empty() {
            if item.trim().is_empty() && expr.trim().is_empty() {
                continue;
            }
            return Err(bad("empty presort item; expected `name [asc|desc]`".into()));
        }
        let name = tokens[0].clone();
        let words: Vec<String> = tokens[1..].iter().map(|t| t.to_ascii_lowercase()).collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let (descending, nulls_first) = match words.as_slice() {
            [] | ["asc"] => (false, false),
            ["desc"] => (true, false),
            [dir @ ("asc" | "desc"), "nulls", pos @ ("first" | "last")] => {
                (*dir == "desc", *pos == "first")
            }
            ["nulls", pos @ ("first" | "last")] => (false, *pos == "first"),
            _ => {
                return Err(bad(format!(
                    "presort item `{}` is not `name [asc|desc] [nulls first|nulls last]`",
                    excerpt(item.trim())
                )));
            }
        };
        if !seen.insert(name.clone()) {
            return Err(bad(format!(
                "column `{}` appears twice in the presort",
                excerpt(&name)
            )));
        }
        keys.push(SortKey {
            name,
            descending,
            nulls_first,
        });
    }
    Ok(keys)
}

/// Parse a comma-separated key list (`"a, b"`, `` "a, `x,y`" ``); `""` is no key.
pub fn parse_keys(expr: &str) -> Result<Vec<String>> {
    let bad = |reason: String| FugueError::InvalidPartitionSpec {
        spec: excerpt(expr),
        reason,
    };
    if expr.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut keys = Vec::new();
    for item in split_top_level(expr).map_err(|r| bad(r.to_string()))? {
        let tokens = tokenize_item(&item).map_err(|r| bad(r.to_string()))?;
        match tokens.as_slice() {
            [name] => keys.push(name.clone()),
            [] => return Err(bad("empty partition key".into())),
            _ => {
                return Err(bad(format!(
                    "partition key `{}` has extra words; quote names with spaces in backticks",
                    excerpt(item.trim())
                )));
            }
        }
    }
    Ok(keys)
}

/// The largest number of physical partitions that a `num` may ask for: one million.
///
/// Engines set up every physical partition before any data moves, so a mistyped
/// `num=1000000000000` must be an error, not a request for terabytes of memory. A `num` above
/// the maximum is [`FugueError::InvalidPartitionSpec`]: a constant as soon as it is parsed or
/// given to [`PartitionSpecBuilder::num`], an expression over `ROWCOUNT` or `CONCURRENCY`
/// when [`NumPartitions::eval`] meets the data (so `num=ROWCOUNT` fails on more than a million
/// rows). Fugue has no such limit.
pub const MAX_PARTITIONS: i64 = 1_000_000;

/// The deepest nesting of parentheses accepted in a `num` expression; deeper nesting is
/// [`FugueError::InvalidPartitionSpec`] rather than a stack overflow.
pub const MAX_NUM_DEPTH: usize = 64;

/// The number of physical partitions: an integer, or an expression over `ROWCOUNT` and
/// `CONCURRENCY` with `+ - * /` and parentheses, evaluated when the data is known.
///
/// Parentheses nest at most [`MAX_NUM_DEPTH`] levels, and the value is at most
/// [`MAX_PARTITIONS`].
#[derive(Debug, Clone, PartialEq)]
pub struct NumPartitions {
    text: String,
    expr: NumExpr,
}

/// A parsed `num` expression. A run of operators of one precedence level (`a+b-c`) is one
/// flat [`NumExpr::Chain`], not a tree as deep as the run is long, so the depth of the tree
/// (and of the recursion that evaluates, clones and drops it) is bounded by the nesting of
/// parentheses, which [`MAX_NUM_DEPTH`] bounds.
#[derive(Debug, Clone, PartialEq)]
enum NumExpr {
    Const(f64),
    RowCount,
    Concurrency,
    Neg(Box<NumExpr>),
    /// `first op x op x ...`, evaluated left to right; the operators are all `+`/`-` or all
    /// `*`/`/`.
    Chain(Box<NumExpr>, Vec<(char, NumExpr)>),
}

impl NumExpr {
    fn chain(first: NumExpr, rest: Vec<(char, NumExpr)>) -> NumExpr {
        if rest.is_empty() {
            first
        } else {
            NumExpr::Chain(Box::new(first), rest)
        }
    }

    fn uses_row_count(&self) -> bool {
        match self {
            NumExpr::RowCount => true,
            NumExpr::Const(_) | NumExpr::Concurrency => false,
            NumExpr::Neg(x) => x.uses_row_count(),
            NumExpr::Chain(first, rest) => {
                first.uses_row_count() || rest.iter().any(|(_, x)| x.uses_row_count())
            }
        }
    }

    fn is_constant(&self) -> bool {
        match self {
            NumExpr::Const(_) => true,
            NumExpr::RowCount | NumExpr::Concurrency => false,
            NumExpr::Neg(x) => x.is_constant(),
            NumExpr::Chain(first, rest) => {
                first.is_constant() && rest.iter().all(|(_, x)| x.is_constant())
            }
        }
    }
}

impl NumPartitions {
    /// A constant number. One above [`MAX_PARTITIONS`] is refused by [`NumPartitions::eval`]
    /// (and by [`PartitionSpecBuilder::num`], which checks it at once).
    pub fn constant(n: i64) -> Self {
        NumPartitions {
            text: n.to_string(),
            expr: NumExpr::Const(n as f64),
        }
    }

    /// Parse an expression such as `ROWCOUNT/4` or `(ROWCOUNT+4)/CONCURRENCY`.
    ///
    /// A malformed expression, parentheses nested deeper than [`MAX_NUM_DEPTH`], or a constant
    /// expression whose value is not finite or is above [`MAX_PARTITIONS`] is
    /// [`FugueError::InvalidPartitionSpec`].
    pub fn parse(text: &str) -> Result<Self> {
        let mut p = NumParser {
            text,
            pos: 0,
            depth: 0,
        };
        let expr = p.expr()?;
        p.skip_ws();
        if p.pos < text.len() {
            return Err(p.error("an operator or the end of the expression"));
        }
        // Every spelling of zero (`00`, `-0`, `(0)`) is the zero that a printed spec leaves
        // out, so it is kept as `0`: the spec then prints and parses back to the same value.
        let text = if expr == NumExpr::Const(0.0) {
            "0"
        } else {
            text.trim()
        };
        let num = NumPartitions {
            text: text.to_string(),
            expr,
        };
        if num.expr.is_constant() {
            num.checked(eval(&num.expr, 0.0, 0.0), None)?;
        }
        Ok(num)
    }

    /// The expression as given, trimmed (`0` for any spelling of zero, the decimal integer
    /// for a [`NumPartitions::constant`]).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether this is the constant 0 (the engine decides).
    pub fn is_zero(&self) -> bool {
        self.expr == NumExpr::Const(0.0)
    }

    /// Whether the value depends on `ROWCOUNT` (an engine must count the rows to evaluate it).
    ///
    /// ```
    /// use fugue_core::partition::NumPartitions;
    /// assert!(NumPartitions::parse("(ROWCOUNT+4)/CONCURRENCY")?.uses_row_count());
    /// assert!(!NumPartitions::parse("CONCURRENCY*2")?.uses_row_count());
    /// # Ok::<(), fugue_core::FugueError>(())
    /// ```
    pub fn uses_row_count(&self) -> bool {
        self.expr.uses_row_count()
    }

    /// Evaluate with real-valued arithmetic, the result truncated toward zero. A result `<= 0`
    /// means the engine decides. A result that is not finite (division by zero) or is above
    /// [`MAX_PARTITIONS`] is [`FugueError::InvalidPartitionSpec`].
    pub fn eval(&self, row_count: u64, concurrency: u64) -> Result<i64> {
        let v = eval(&self.expr, row_count as f64, concurrency as f64);
        self.checked(v, Some((row_count, concurrency)))
    }

    /// The value `v` truncated, when it is finite and at most [`MAX_PARTITIONS`].
    fn checked(&self, v: f64, bindings: Option<(u64, u64)>) -> Result<i64> {
        let with = match bindings {
            Some((rows, concurrency)) => {
                format!(" with ROWCOUNT={rows}, CONCURRENCY={concurrency}")
            }
            None => String::new(),
        };
        let bad = |reason: String| FugueError::InvalidPartitionSpec {
            spec: excerpt(&self.text),
            reason,
        };
        if !v.is_finite() {
            return Err(bad(format!(
                "the number of partitions is not finite{with} (division by zero or overflow)"
            )));
        }
        let n = v.trunc();
        if n > MAX_PARTITIONS as f64 {
            // Below 2^53 an f64 prints as the exact integer; above, in scientific notation.
            let shown = if n < 9.0e15 {
                format!("{n}")
            } else {
                format!("{n:e}")
            };
            return Err(bad(format!(
                "the number of partitions is {shown}{with}, more than the maximum \
                 {MAX_PARTITIONS}; ask for fewer (for example `ROWCOUNT/1000`), or 0 to let \
                 the engine decide"
            )));
        }
        // `n` is at most MAX_PARTITIONS; a very negative value saturates (the engine decides).
        Ok(n as i64)
    }

    /// [`NumPartitions::checked`] for a constant, as the builder takes it.
    fn check_constant(self) -> Result<Self> {
        self.checked(eval(&self.expr, 0.0, 0.0), None)?;
        Ok(self)
    }
}

impl Default for NumPartitions {
    fn default() -> Self {
        NumPartitions::constant(0)
    }
}

impl fmt::Display for NumPartitions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Evaluate; the recursion is as deep as the tree, which parentheses bound (see [`NumExpr`]).
fn eval(e: &NumExpr, rows: f64, conc: f64) -> f64 {
    match e {
        NumExpr::Const(v) => *v,
        NumExpr::RowCount => rows,
        NumExpr::Concurrency => conc,
        NumExpr::Neg(x) => -eval(x, rows, conc),
        NumExpr::Chain(first, rest) => rest.iter().fold(eval(first, rows, conc), |acc, (op, x)| {
            let x = eval(x, rows, conc);
            match op {
                '+' => acc + x,
                '-' => acc - x,
                '*' => acc * x,
                _ => acc / x,
            }
        }),
    }
}

struct NumParser<'a> {
    text: &'a str,
    pos: usize,
    /// How many parentheses are open.
    depth: usize,
}

impl NumParser<'_> {
    fn skip_ws(&mut self) {
        while let Some(c) = self.text[self.pos..].chars().next() {
            if !c.is_whitespace() {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_ws();
        self.text[self.pos..].chars().next()
    }

    fn error(&self, expected: &str) -> FugueError {
        let found = match self.text[self.pos..].chars().next() {
            Some(c) => crate::error::quoted_char(c),
            None => "the end".to_string(),
        };
        FugueError::InvalidPartitionSpec {
            spec: excerpt(self.text),
            reason: format!(
                "bad `num` expression: expected {expected} at position {}, found {found}; `num` \
                 is an integer or an expression over ROWCOUNT and CONCURRENCY with + - * / and \
                 parentheses{}",
                crate::error::char_position(self.text, self.pos),
                caret_excerpt(self.text, self.pos)
            ),
        }
    }

    fn expr(&mut self) -> Result<NumExpr> {
        let first = self.term()?;
        let mut rest = Vec::new();
        while let Some(op @ ('+' | '-')) = self.peek() {
            self.pos += 1;
            rest.push((op, self.term()?));
        }
        Ok(NumExpr::chain(first, rest))
    }

    fn term(&mut self) -> Result<NumExpr> {
        let first = self.factor()?;
        let mut rest = Vec::new();
        while let Some(op @ ('*' | '/')) = self.peek() {
            self.pos += 1;
            rest.push((op, self.factor()?));
        }
        Ok(NumExpr::chain(first, rest))
    }

    /// Signs, then a primary. A run of signs is read in a loop (not one call per sign), and a
    /// negated literal is a negative literal, so `-1` parses to the value of
    /// [`NumPartitions::constant`]`(-1)`.
    fn factor(&mut self) -> Result<NumExpr> {
        let mut negative = false;
        while let Some(sign @ ('-' | '+')) = self.peek() {
            self.pos += 1;
            negative ^= sign == '-';
        }
        let value = self.primary()?;
        Ok(match (negative, value) {
            (false, value) => value,
            (true, NumExpr::Const(v)) => NumExpr::Const(-v),
            (true, value) => NumExpr::Neg(Box::new(value)),
        })
    }

    fn primary(&mut self) -> Result<NumExpr> {
        match self.peek() {
            Some('(') => {
                if self.depth >= MAX_NUM_DEPTH {
                    return Err(self.error(&format!(
                        "a simpler expression: parentheses nest at most {MAX_NUM_DEPTH} levels deep"
                    )));
                }
                self.pos += 1;
                self.depth += 1;
                let e = self.expr();
                self.depth -= 1;
                let e = e?;
                if self.peek() != Some(')') {
                    return Err(self.error("`)`"));
                }
                self.pos += 1;
                Ok(e)
            }
            Some(c) if c.is_ascii_digit() => {
                let start = self.pos;
                while self.text[self.pos..].starts_with(|c: char| c.is_ascii_digit()) {
                    self.pos += 1;
                }
                let digits = &self.text[start..self.pos];
                match digits.parse::<u64>() {
                    Ok(v) => Ok(NumExpr::Const(v as f64)),
                    Err(_) => {
                        self.pos = start;
                        Err(self.error("an integer below 2^64"))
                    }
                }
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let start = self.pos;
                while self.text[self.pos..]
                    .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                {
                    self.pos += 1;
                }
                match &self.text[start..self.pos] {
                    "ROWCOUNT" => Ok(NumExpr::RowCount),
                    "CONCURRENCY" => Ok(NumExpr::Concurrency),
                    _ => {
                        self.pos = start;
                        Err(self.error("an integer, `ROWCOUNT`, `CONCURRENCY` or `(`"))
                    }
                }
            }
            _ => Err(self.error("an integer, `ROWCOUNT`, `CONCURRENCY` or `(`")),
        }
    }
}

/// How a step's input is partitioned: keys, presort, number of partitions, algorithm.
///
/// Invariants (checked by every constructor): keys are unique, presort names are unique, and no
/// presort column is also a key.
///
/// ```
/// use fugue_core::PartitionSpec;
///
/// let spec = PartitionSpec::parse("by=city; presort=fare desc")?;
/// assert_eq!(spec.keys(), ["city"]);
/// assert!(spec.presort()[0].descending);
/// // A key cannot also be a presort column.
/// assert!(PartitionSpec::parse("by=fare; presort=fare").is_err());
/// # Ok::<(), fugue_core::FugueError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PartitionSpec {
    by: Vec<String>,
    presort: Vec<SortKey>,
    num: NumPartitions,
    algo: PartitionAlgo,
}

impl PartitionSpec {
    /// The empty spec: no key, no presort, the engine decides the number, default algorithm.
    pub fn new() -> Self {
        PartitionSpec::default()
    }

    /// A builder.
    pub fn builder() -> PartitionSpecBuilder {
        PartitionSpecBuilder::default()
    }

    /// A spec partitioning by these keys only.
    pub fn by<I, S>(keys: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        PartitionSpec::builder().by(keys).build()
    }

    /// Parse the compact form: `;`-separated `field=value` items with fields `by` (key list),
    /// `presort` (presort expression), `num` (integer or expression) and `algo`.
    /// `""` is the empty spec. This is the form [`fmt::Display`] prints, and
    /// `PartitionSpec::parse(&spec.to_string())` gives back `spec` for every spec: names are
    /// backtick-quoted when needed, and a `;` or `,` inside backticks splits nothing.
    pub fn parse(text: &str) -> Result<Self> {
        let mut b = PartitionSpec::builder();
        for item in split_fields(text) {
            if item.trim().is_empty() {
                continue;
            }
            let Some((field, value)) = item.split_once('=') else {
                return Err(FugueError::InvalidPartitionSpec {
                    spec: excerpt(text),
                    reason: format!(
                        "item `{}` is not `field=value`; fields: {}",
                        excerpt(item.trim()),
                        Self::FIELDS
                    ),
                });
            };
            b = b.field(field.trim(), value.trim())?;
        }
        b.build()
    }

    /// One row per physical partition (Fugue's `per_row`): `num=ROWCOUNT; algo=even`, so each
    /// row is its own physical partition and, without keys, its own call.
    ///
    /// ```
    /// use fugue_core::{PartitionAlgo, PartitionSpec};
    /// let spec = PartitionSpec::per_row();
    /// assert_eq!(spec.num().text(), "ROWCOUNT");
    /// assert_eq!(spec.algo(), PartitionAlgo::Even);
    /// assert_eq!(spec.num_partitions(7, 2)?, 7);
    /// # Ok::<(), fugue_core::FugueError>(())
    /// ```
    pub fn per_row() -> Self {
        PartitionSpec {
            num: NumPartitions {
                text: "ROWCOUNT".to_string(),
                expr: NumExpr::RowCount,
            },
            algo: PartitionAlgo::Even,
            ..PartitionSpec::default()
        }
    }

    /// Exactly one key per physical partition (Fugue's `per_partition_by`): these keys with
    /// `algo=even` and no `num`, so the engine makes as many physical partitions as there are
    /// distinct keys. An empty key list is an error, as in Fugue.
    pub fn per_partition_by<I, S>(keys: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let keys: Vec<String> = keys.into_iter().map(Into::into).collect();
        if keys.is_empty() {
            return Err(FugueError::InvalidPartitionSpec {
                spec: String::new(),
                reason: "per_partition_by needs at least one key".to_string(),
            });
        }
        PartitionSpec::builder().by(keys).algo("even").build()
    }

    /// A spec from one string, as Fugue reads a string partition-like: `per_row` (any case) is
    /// [`PartitionSpec::per_row`]; text starting with `{` is the JSON object form
    /// ([`PartitionSpec::from_json`], with the `json` feature); text with a `=` is the compact
    /// form ([`PartitionSpec::parse`]); blank text is the empty spec; any other text is the
    /// keys, read as the `by` field reads them: `"city"` partitions by `city`, `"a,b"` by `a` and
    /// `b`, and backticks quote a name with a comma (`` "`a,b`" ``). Fugue reads such a string as
    /// one key named exactly so (see `docs/divergences.md`).
    ///
    /// ```
    /// use fugue_core::PartitionSpec;
    /// assert_eq!(PartitionSpec::from_like_str("city")?.keys(), ["city"]);
    /// assert_eq!(PartitionSpec::from_like_str("a, b")?.keys(), ["a", "b"]);
    /// assert_eq!(PartitionSpec::from_like_str("by=a,b; num=4")?.keys(), ["a", "b"]);
    /// assert_eq!(PartitionSpec::from_like_str("PER_ROW")?, PartitionSpec::per_row());
    /// # Ok::<(), fugue_core::FugueError>(())
    /// ```
    pub fn from_like_str(text: &str) -> Result<Self> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Ok(PartitionSpec::new());
        }
        if trimmed.eq_ignore_ascii_case("per_row") {
            return Ok(PartitionSpec::per_row());
        }
        if trimmed.starts_with('{') {
            #[cfg(feature = "json")]
            return PartitionSpec::from_json(trimmed);
            #[cfg(not(feature = "json"))]
            return Err(FugueError::InvalidPartitionSpec {
                spec: excerpt(text),
                reason: "the JSON form needs fugue-core's `json` feature".to_string(),
            });
        }
        if text.contains('=') {
            return PartitionSpec::parse(text);
        }
        PartitionSpec::builder().by_expr(text).build()
    }

    /// The accepted field names of the compact and JSON forms.
    pub const FIELDS: &'static str = "`by`, `presort`, `num`, `algo`";

    /// The partition keys.
    pub fn keys(&self) -> &[String] {
        &self.by
    }

    /// The presort.
    pub fn presort(&self) -> &[SortKey] {
        &self.presort
    }

    /// The number of partitions, as declared.
    pub fn num(&self) -> &NumPartitions {
        &self.num
    }

    /// The algorithm.
    pub fn algo(&self) -> PartitionAlgo {
        self.algo
    }

    /// Whether nothing is specified.
    pub fn is_empty(&self) -> bool {
        self.by.is_empty()
            && self.presort.is_empty()
            && self.num.is_zero()
            && self.algo == PartitionAlgo::Default
    }

    /// The presort as text that parses back: `b DESC,c ASC` (names quoted when needed).
    pub fn presort_expr(&self) -> String {
        self.presort
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The number of physical partitions for this data; `<= 0` means the engine decides.
    pub fn num_partitions(&self, row_count: u64, concurrency: u64) -> Result<i64> {
        self.num.eval(row_count, concurrency)
    }

    /// Merge `later` into this spec: each non-empty field of `later` wins, empty fields keep this
    /// spec's value. The result is validated again (a later presort may overlap earlier keys).
    pub fn combine(&self, later: &PartitionSpec) -> Result<PartitionSpec> {
        let spec = PartitionSpec {
            by: if later.by.is_empty() {
                self.by.clone()
            } else {
                later.by.clone()
            },
            presort: if later.presort.is_empty() {
                self.presort.clone()
            } else {
                later.presort.clone()
            },
            num: if later.num.is_zero() {
                self.num.clone()
            } else {
                later.num.clone()
            },
            algo: if later.algo == PartitionAlgo::Default {
                self.algo
            } else {
                later.algo
            },
        };
        spec.validate()?;
        Ok(spec)
    }

    /// The full sort order of a partition: the keys ascending (when `with_keys`), then the
    /// presort. Every column must exist in `schema` ([`FugueError::ColumnNotFound`]).
    pub fn sorts(&self, schema: &Schema, with_keys: bool) -> Result<Vec<SortKey>> {
        let keys = if with_keys {
            self.by.iter().map(SortKey::asc).collect()
        } else {
            Vec::new()
        };
        let all: Vec<SortKey> = keys
            .into_iter()
            .chain(self.presort.iter().cloned())
            .collect();
        let names: HashSet<&str> = schema.names().collect();
        for k in &all {
            if !names.contains(k.name.as_str()) {
                return Err(FugueError::column_not_found(
                    &k.name,
                    "the partition spec",
                    schema,
                    schema.names(),
                ));
            }
        }
        Ok(all)
    }

    /// The invariants: unique keys, unique presort names, no presort column that is a key.
    /// Linear in the number of names (hash sets), so a spec of 100,000 keys validates at once.
    fn validate(&self) -> Result<()> {
        let bad = |reason: String| FugueError::InvalidPartitionSpec {
            spec: excerpt(&self.to_string()),
            reason,
        };
        let mut keys: HashSet<&str> = HashSet::with_capacity(self.by.len());
        for k in &self.by {
            if !keys.insert(k) {
                return Err(bad(format!("partition key `{}` appears twice", excerpt(k))));
            }
        }
        let mut sorted: HashSet<&str> = HashSet::with_capacity(self.presort.len());
        for s in &self.presort {
            if keys.contains(s.name.as_str()) {
                return Err(bad(format!(
                    "column `{}` is both a partition key and a presort column",
                    excerpt(&s.name)
                )));
            }
            if !sorted.insert(&s.name) {
                return Err(bad(format!(
                    "column `{}` appears twice in the presort",
                    excerpt(&s.name)
                )));
            }
        }
        Ok(())
    }
}

#[cfg(feature = "json")]
impl PartitionSpec {
    /// Build from Fugue's JSON object form:
    /// `{"by": ["a"] | "a,b", "presort": "c desc", "num": 4 | "ROWCOUNT/4", "algo": "even"}`.
    /// Every field is optional; an unknown field or a value of the wrong JSON type is an error.
    pub fn from_json(text: &str) -> Result<Self> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| FugueError::InvalidPartitionSpec {
                spec: excerpt(text),
                reason: format!("not a JSON object: {e}"),
            })?;
        Self::from_json_value(&value)
    }

    /// The JSON object form that [`PartitionSpec::from_json_value`] reads back to this spec:
    /// the fields that are set, `by` as an array of names (unquoted), `presort` as the
    /// presort expression, `num` as its expression text, `algo` by name.
    ///
    /// ```
    /// use fugue_core::PartitionSpec;
    /// let spec = PartitionSpec::parse("by=`a;b`,c; presort=d desc nulls first; num=4")?;
    /// let json = spec.to_json_value();
    /// assert_eq!(
    ///     json,
    ///     serde_json::json!({"by": ["a;b", "c"], "presort": "d DESC NULLS FIRST", "num": "4"})
    /// );
    /// assert_eq!(PartitionSpec::from_json_value(&json)?, spec);
    /// # Ok::<(), fugue_core::FugueError>(())
    /// ```
    pub fn to_json_value(&self) -> serde_json::Value {
        use serde_json::Value;
        let mut map = serde_json::Map::new();
        if !self.by.is_empty() {
            let keys = self.by.iter().cloned().map(Value::String).collect();
            map.insert("by".into(), Value::Array(keys));
        }
        if !self.presort.is_empty() {
            map.insert("presort".into(), Value::String(self.presort_expr()));
        }
        if !self.num.is_zero() {
            map.insert("num".into(), Value::String(self.num.text().to_string()));
        }
        if self.algo != PartitionAlgo::Default {
            map.insert("algo".into(), Value::String(self.algo.name().to_string()));
        }
        Value::Object(map)
    }

    /// [`PartitionSpec::to_json_value`] as text, which [`PartitionSpec::from_json`] reads back.
    pub fn to_json(&self) -> String {
        self.to_json_value().to_string()
    }

    /// Build from an already parsed JSON object (see [`PartitionSpec::from_json`]).
    pub fn from_json_value(value: &serde_json::Value) -> Result<Self> {
        use serde_json::Value;
        let bad = |reason: String| FugueError::InvalidPartitionSpec {
            spec: excerpt(&value.to_string()),
            reason,
        };
        let Value::Object(map) = value else {
            return Err(bad(format!(
                "expected a JSON object with fields {}",
                Self::FIELDS
            )));
        };
        let mut b = PartitionSpec::builder();
        for (field, v) in map {
            b = match (field.as_str(), v) {
                ("by" | "partition_by", Value::Array(items)) => {
                    let keys = items
                        .iter()
                        .map(|k| {
                            k.as_str().map(str::to_string).ok_or_else(|| {
                                bad(format!(
                                    "`by` item {} is not a string",
                                    excerpt(&k.to_string())
                                ))
                            })
                        })
                        .collect::<Result<Vec<_>>>()?;
                    b.by(keys)
                }
                ("num" | "num_partitions", Value::Number(n)) => match n.as_i64() {
                    Some(n) => b.num(n),
                    None => {
                        return Err(bad(format!(
                            "`num` {n} is not an integer of at most {MAX_PARTITIONS}"
                        )));
                    }
                },
                (_, Value::String(s)) => b.field(field, s)?,
                (_, Value::Null) => b,
                ("by" | "partition_by" | "presort" | "num" | "num_partitions" | "algo", other) => {
                    return Err(bad(format!(
                        "field `{field}` has the wrong JSON type: {}",
                        excerpt(&other.to_string())
                    )));
                }
                _ => b.field(field, "")?,
            };
        }
        b.build()
    }
}

impl fmt::Display for PartitionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if !self.by.is_empty() {
            parts.push(format!(
                "by={}",
                self.by
                    .iter()
                    .map(|k| quote_name(k))
                    .collect::<Vec<_>>()
                    .join(",")
            ));
        }
        if !self.presort.is_empty() {
            parts.push(format!("presort={}", self.presort_expr()));
        }
        if !self.num.is_zero() {
            parts.push(format!("num={}", self.num));
        }
        if self.algo != PartitionAlgo::Default {
            parts.push(format!("algo={}", self.algo));
        }
        f.write_str(&parts.join("; "))
    }
}

impl FromStr for PartitionSpec {
    type Err = FugueError;

    fn from_str(s: &str) -> Result<Self> {
        PartitionSpec::parse(s)
    }
}

/// Builds a [`PartitionSpec`]; errors surface at [`PartitionSpecBuilder::build`].
#[derive(Debug, Default)]
pub struct PartitionSpecBuilder {
    by: Option<std::result::Result<Vec<String>, FugueError>>,
    presort: Option<std::result::Result<Vec<SortKey>, FugueError>>,
    num: Option<std::result::Result<NumPartitions, FugueError>>,
    algo: Option<std::result::Result<PartitionAlgo, FugueError>>,
}

impl PartitionSpecBuilder {
    /// The partition keys, as a list of names.
    pub fn by<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.by = Some(Ok(keys.into_iter().map(Into::into).collect()));
        self
    }

    /// The partition keys, as a comma-separated list (backticks quote names with commas).
    pub fn by_expr(mut self, keys: &str) -> Self {
        self.by = Some(parse_keys(keys));
        self
    }

    /// The presort expression (`"a desc, b"`).
    pub fn presort(mut self, expr: &str) -> Self {
        self.presort = Some(parse_presort(expr));
        self
    }

    /// The presort as keys.
    pub fn presort_keys(mut self, keys: impl IntoIterator<Item = SortKey>) -> Self {
        self.presort = Some(Ok(keys.into_iter().collect()));
        self
    }

    /// The number of partitions: an integer or an expression (`"ROWCOUNT/4"`). A constant
    /// above [`MAX_PARTITIONS`] is an error at [`PartitionSpecBuilder::build`].
    pub fn num(mut self, num: impl IntoNum) -> Self {
        self.num = Some(num.into_num());
        self
    }

    /// The algorithm by name (`hash`, `rand`, `even`, `coarse`; any case).
    pub fn algo(mut self, algo: &str) -> Self {
        self.algo = Some(algo.parse());
        self
    }

    /// Set a field by name (`by`, `presort`, `num`, `algo`, and Fugue's long names
    /// `partition_by` and `num_partitions`); an unknown field is an error.
    pub fn field(self, field: &str, value: &str) -> Result<Self> {
        Ok(match field {
            "by" | "partition_by" => self.by_expr(value),
            "presort" => self.presort(value),
            "num" | "num_partitions" => self.num(value),
            "algo" => self.algo(value),
            _ => {
                let hint = crate::error::closest_name(field, ["by", "presort", "num", "algo"])
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return Err(FugueError::InvalidPartitionSpec {
                    spec: excerpt(&format!("{field}={value}")),
                    reason: format!(
                        "unknown field `{}`{hint}; fields: {}",
                        excerpt(field),
                        PartitionSpec::FIELDS
                    ),
                });
            }
        })
    }

    /// Validate and build.
    pub fn build(self) -> Result<PartitionSpec> {
        let spec = PartitionSpec {
            by: self.by.transpose()?.unwrap_or_default(),
            presort: self.presort.transpose()?.unwrap_or_default(),
            num: self.num.transpose()?.unwrap_or_default(),
            algo: self.algo.transpose()?.unwrap_or_default(),
        };
        spec.validate()?;
        Ok(spec)
    }
}

/// What [`PartitionSpecBuilder::num`] accepts: an integer or an expression string.
pub trait IntoNum {
    /// Parse or wrap; a constant above [`MAX_PARTITIONS`] is
    /// [`FugueError::InvalidPartitionSpec`].
    fn into_num(self) -> Result<NumPartitions>;
}

impl IntoNum for i64 {
    fn into_num(self) -> Result<NumPartitions> {
        NumPartitions::constant(self).check_constant()
    }
}

impl IntoNum for i32 {
    fn into_num(self) -> Result<NumPartitions> {
        i64::from(self).into_num()
    }
}

impl IntoNum for usize {
    fn into_num(self) -> Result<NumPartitions> {
        // Any usize above MAX_PARTITIONS is refused with the same message.
        i64::try_from(self).unwrap_or(i64::MAX).into_num()
    }
}

impl IntoNum for &str {
    fn into_num(self) -> Result<NumPartitions> {
        NumPartitions::parse(self)
    }
}

impl IntoNum for &String {
    fn into_num(self) -> Result<NumPartitions> {
        NumPartitions::parse(self)
    }
}

/// The `;`-separated items of the compact form, split outside backticks (so a quoted key may
/// contain `;`). An unclosed backtick keeps the rest in one item, whose field reports it.
fn split_fields(text: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '`' => quoted = !quoted,
            ';' if !quoted => {
                items.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&text[start..]);
    items
}

/// Split at commas outside backticks.
fn split_top_level(expr: &str) -> std::result::Result<Vec<String>, &'static str> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in expr.chars() {
        if c == ',' && !quoted {
            items.push(std::mem::take(&mut current));
            continue;
        }
        if c == '`' {
            quoted = !quoted;
        }
        current.push(c);
    }
    if quoted {
        return Err("unclosed backtick");
    }
    items.push(current);
    Ok(items)
}

/// Split one item into whitespace-separated tokens, unquoting backtick names.
fn tokenize_item(item: &str) -> std::result::Result<Vec<String>, &'static str> {
    let mut tokens = Vec::new();
    let mut chars = item.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '`' {
            chars.next();
            let mut name = String::new();
            loop {
                match chars.next() {
                    Some('`') if chars.peek() == Some(&'`') => {
                        chars.next();
                        name.push('`');
                    }
                    Some('`') => break,
                    Some(ch) => name.push(ch),
                    None => return Err("unclosed backtick"),
                }
            }
            tokens.push(name);
        } else {
            let mut word = String::new();
            while let Some(&ch) = chars.peek() {
                if ch.is_whitespace() || ch == '`' {
                    break;
                }
                word.push(ch);
                chars.next();
            }
            tokens.push(word);
        }
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presort_parses_directions_and_null_placement() {
        let keys = parse_presort("b , c dESc, `x y` asc nulls first").unwrap();
        assert_eq!(
            keys,
            vec![
                SortKey::asc("b"),
                SortKey::desc("c"),
                SortKey {
                    name: "x y".into(),
                    descending: false,
                    nulls_first: true
                },
            ]
        );
        assert!(parse_presort("").unwrap().is_empty());
        for bad in ["a sideways", "a desc x", "a, a desc", "a,,b", "`a"] {
            let e = parse_presort(bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidPartitionSpec, "{bad}");
        }
    }

    #[test]
    fn presort_null_order_prints_and_parses_back() {
        for (text, printed) in [
            ("a", "a ASC"),
            ("a desc", "a DESC"),
            ("a nulls last", "a ASC"),
            ("a desc nulls last", "a DESC"),
            ("a nulls first", "a ASC NULLS FIRST"),
            ("a DESC NULLS FIRST", "a DESC NULLS FIRST"),
        ] {
            let keys = parse_presort(text).unwrap();
            let spec = PartitionSpec::builder()
                .presort_keys(keys.clone())
                .build()
                .unwrap();
            assert_eq!(spec.presort_expr(), printed, "{text}");
            assert_eq!(parse_presort(&spec.presort_expr()).unwrap(), keys, "{text}");
            assert_eq!(PartitionSpec::parse(&spec.to_string()).unwrap(), spec);
        }
    }

    #[test]
    fn keys_split_outside_backticks() {
        assert_eq!(parse_keys("a, `x,y`").unwrap(), vec!["a", "x,y"]);
        assert!(parse_keys("  ").unwrap().is_empty());
        assert!(parse_keys("a b").is_err());
    }

    #[test]
    fn num_expressions_evaluate_with_truncation() {
        let n = NumPartitions::parse("ROWCOUNT/2*2").unwrap();
        assert_eq!(n.eval(7, 1).unwrap(), 7);
        assert_eq!(
            NumPartitions::parse("(ROWCOUNT+4)/3")
                .unwrap()
                .eval(10, 1)
                .unwrap(),
            4
        );
        assert_eq!(NumPartitions::parse("-1").unwrap().eval(0, 0).unwrap(), -1);
        assert_eq!(
            NumPartitions::parse("-ROWCOUNT/4")
                .unwrap()
                .eval(10, 0)
                .unwrap(),
            -2
        );
        assert!(
            NumPartitions::parse("ROWCOUNT/CONCURRENCY")
                .unwrap()
                .eval(3, 0)
                .is_err()
        );
        for bad in ["ROWS", "1+", "(1", "2 3", "", "1..2"] {
            assert!(NumPartitions::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn num_has_a_value_limit_and_never_asks_for_more() {
        let kind = |r: Result<i64>| r.map_err(|e| e.kind());
        // A constant above the maximum fails when parsed or built, not when an engine
        // allocates its partitions.
        let e = PartitionSpec::parse("num=1000000000000").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidPartitionSpec);
        assert!(
            e.to_string().contains("more than the maximum 1000000"),
            "{e}"
        );
        let e = PartitionSpec::builder()
            .num(1_000_000_000_000_i64)
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidPartitionSpec);
        assert!(PartitionSpec::builder().num(usize::MAX).build().is_err());
        assert!(NumPartitions::parse("1/0").is_err());
        assert_eq!(
            kind(NumPartitions::parse("1000000").unwrap().eval(0, 0)),
            Ok(MAX_PARTITIONS)
        );
        // An expression is checked when it meets the data.
        let n = NumPartitions::parse("ROWCOUNT*2").unwrap();
        assert_eq!(kind(n.eval(500_000, 1)), Ok(1_000_000));
        let e = n.eval(500_001, 1).unwrap_err();
        assert!(e.to_string().contains("ROWCOUNT=500001"), "{e}");
        // The constant form refuses it too.
        assert!(NumPartitions::constant(i64::MAX).eval(0, 0).is_err());
        // Huge literals are fine as divisors; above 2^64 they are a syntax error.
        assert_eq!(
            kind(
                NumPartitions::parse("ROWCOUNT/1000000000000")
                    .unwrap()
                    .eval(7, 1)
            ),
            Ok(0)
        );
        assert!(NumPartitions::parse("99999999999999999999999").is_err());
        // Very negative values mean "the engine decides", as every value <= 0 does.
        assert!(
            NumPartitions::parse("-1000000000000")
                .unwrap()
                .eval(0, 0)
                .unwrap()
                <= 0
        );
    }

    #[test]
    fn num_nesting_and_length_are_bounded() {
        let nested = |depth: usize| format!("{}1{}", "(".repeat(depth), ")".repeat(depth));
        assert_eq!(
            NumPartitions::parse(&nested(MAX_NUM_DEPTH))
                .unwrap()
                .eval(0, 0)
                .unwrap(),
            1
        );
        let e = NumPartitions::parse(&nested(3_000)).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidPartitionSpec);
        let text = e.to_string();
        assert!(text.contains("nest at most 64 levels"), "{text}");
        // The echoed expression is cut, and the caret points at the 65th parenthesis.
        assert!(text.len() < 1_500, "{}", text.len());
        assert!(text.contains("at position 64"), "{text}");
        // A long run of operators is a flat chain, not a deep tree: it evaluates and drops
        // without deep recursion.
        let long = vec!["ROWCOUNT"; 100_000].join("+");
        assert_eq!(
            NumPartitions::parse(&long).unwrap().eval(3, 1).unwrap(),
            300_000
        );
        let signs = format!("{}1", "-".repeat(100_001));
        assert_eq!(
            NumPartitions::parse(&signs).unwrap().eval(0, 0).unwrap(),
            -1
        );
        let products = format!("1{}", "*1".repeat(100_000));
        assert_eq!(
            NumPartitions::parse(&products).unwrap().eval(0, 0).unwrap(),
            1
        );
    }

    #[test]
    fn num_prints_and_parses_back_to_the_same_value() {
        for n in [-1_i64, 0, 4, -1_000_000_000_000, MAX_PARTITIONS] {
            let built = PartitionSpec::builder().num(n).build().unwrap();
            assert_eq!(
                PartitionSpec::parse(&built.to_string()).unwrap(),
                built,
                "{n}"
            );
        }
        for text in ["00", "-0", "(0)", "+0", " 0 "] {
            let spec = PartitionSpec::parse(&format!("num={text}")).unwrap();
            assert!(spec.is_empty(), "{text}");
            assert_eq!(spec.num().text(), "0");
            assert_eq!(PartitionSpec::parse(&spec.to_string()).unwrap(), spec);
        }
        assert_eq!(
            NumPartitions::parse("-(1)").unwrap().eval(0, 0).unwrap(),
            NumPartitions::constant(-1).eval(0, 0).unwrap()
        );
    }

    #[test]
    fn keys_with_delimiters_print_quoted_and_parse_back() {
        let names = [
            "a;b",
            "a,b",
            "a=b",
            "a`b",
            "`",
            "a b",
            " lead",
            "trail ",
            "中国",
            "",
            "x\"y",
            "'q'",
            "desc",
            "nulls",
            "by=x; num=3",
            "a\nb",
        ];
        let spec = PartitionSpec::builder()
            .by(names)
            .presort_keys([
                SortKey {
                    name: "p;q".into(),
                    descending: true,
                    nulls_first: true,
                },
                SortKey {
                    name: "r,`s`".into(),
                    descending: false,
                    nulls_first: true,
                },
                SortKey::desc("t u"),
            ])
            .num("ROWCOUNT / 4")
            .algo("coarse")
            .build()
            .unwrap();
        let text = spec.to_string();
        let back = PartitionSpec::parse(&text).unwrap();
        assert_eq!(back, spec, "{text}");
        assert_eq!(back.keys(), names);
        assert!(back.presort()[0].nulls_first && back.presort()[0].descending);
        assert_eq!(PartitionSpec::parse("by=`a;b`").unwrap().keys(), ["a;b"]);
    }

    #[test]
    fn long_lists_parse_in_linear_time() {
        // 100,000 keys, then 100,000 presort items: the duplicate checks use hash sets (they
        // were quadratic: about a minute each in a debug build).
        let names: Vec<String> = (0..100_000).map(|i| format!("k{i}")).collect();
        let spec = PartitionSpec::parse(&format!("by={}", names.join(","))).unwrap();
        assert_eq!(spec.keys().len(), 100_000);
        let presort = names
            .iter()
            .map(|n| format!("{n} desc nulls first"))
            .collect::<Vec<_>>()
            .join(",");
        let spec = PartitionSpec::parse(&format!("presort={presort}")).unwrap();
        assert_eq!(spec.presort().len(), 100_000);
        assert_eq!(PartitionSpec::parse(&spec.to_string()).unwrap(), spec);
        // A duplicate at the end is still found, and the message stays short.
        let e = PartitionSpec::parse(&format!("by={},k0", names.join(","))).unwrap_err();
        assert!(e.to_string().contains("`k0` appears twice"), "{e}");
        assert!(e.to_string().len() < 1_000, "{}", e.to_string().len());
    }

    #[test]
    fn combine_merges_later_non_empty_fields() {
        let a = PartitionSpec::builder()
            .by(["a"])
            .presort("b desc")
            .build()
            .unwrap();
        let b = PartitionSpec::builder().num(8).build().unwrap();
        let c = a.combine(&b).unwrap();
        assert_eq!(c.to_string(), "by=a; presort=b DESC; num=8");
        let overlap = PartitionSpec::builder().presort("a").build().unwrap();
        assert!(a.combine(&overlap).is_err());
    }

    #[test]
    fn compact_form_round_trips_and_rejects_unknown_fields() {
        let s = PartitionSpec::parse(
            "by=`x,y`,b; presort=c desc nulls first; num=ROWCOUNT/4; algo=EVEN",
        )
        .unwrap();
        assert_eq!(s.keys(), ["x,y", "b"]);
        assert_eq!(s.algo(), PartitionAlgo::Even);
        assert_eq!(PartitionSpec::parse(&s.to_string()).unwrap(), s);
        let e = PartitionSpec::parse("bye=a").unwrap_err();
        assert!(e.to_string().contains("did you mean `by`?"), "{e}");
        assert!(PartitionSpec::parse("").unwrap().is_empty());
        assert!(PartitionSpec::parse("algo=whatever").is_err());
        assert!(PartitionSpec::parse("by=a,a").is_err());
    }

    #[cfg(feature = "json")]
    #[test]
    fn json_form_builds_the_same_spec() {
        let a = PartitionSpec::from_json(
            r#"{"by": "a, `x,y`", "presort": "c desc", "num": "ROWCOUNT/4", "algo": "even"}"#,
        )
        .unwrap();
        let b = PartitionSpec::from_json(
            r#"{"by": ["a", "x,y"], "presort": "c desc", "num": "ROWCOUNT/4", "algo": "EVEN"}"#,
        )
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(
            PartitionSpec::from_json(r#"{"num": 4}"#)
                .unwrap()
                .num()
                .text(),
            "4"
        );
        let spec = PartitionSpec::parse(
            "by=`a;b`,`x,y`; presort=c desc nulls first, `d e`; num=ROWCOUNT/4; algo=rand",
        )
        .unwrap();
        let json = spec.to_json();
        assert_eq!(PartitionSpec::from_json(&json).unwrap(), spec, "{json}");
        assert_eq!(PartitionSpec::new().to_json(), "{}");
        for bad in [
            r#"{"num": 1000000000000}"#,
            r#"{"num": 100000000000000000000}"#,
            r#"{"bye": "a"}"#,
            r#"{"num": 1.5}"#,
            r#"{"by": 3}"#,
            "[1]",
            "{",
        ] {
            assert_eq!(
                PartitionSpec::from_json(bad).unwrap_err().kind(),
                crate::ErrorKind::InvalidPartitionSpec,
                "{bad}"
            );
        }
    }
}
