//! Validation rules that a transformer declares about its partitioning and its input
//! (reference §3): `partitionby_has`, `partitionby_is`, `presort_has`, `presort_is`, `input_has`,
//! `input_is`.
//!
//! Rules are parsed once when declared ([`Rules::parse`]: an unknown rule or a malformed value is
//! an error then; the transformer macros parse them when they expand and emit each rule's
//! [canonical value](Rule::canonical_value)). They are checked by one definition,
//! [`rules::validation::check_rules`](crate::rules::validation::check_rules), over the canonical
//! values, against a partition spec and, when it is known, the input schema: `workflow!`
//! evaluates it in const evaluation and the run time ([`Rules::check`]) before a step runs, so
//! the messages are the same everywhere.
//!
//! ```
//! use fugue_core::{PartitionSpec, Schema, validation::Rules};
//!
//! let rules = Rules::parse([("partitionby_has", "city"), ("input_has", "fare:double")]).unwrap();
//! let spec = PartitionSpec::by(["city"]).unwrap();
//! let input = Schema::parse("city:str,fare:double").unwrap();
//! rules.check(&spec, Some(&input)).unwrap();
//!
//! let err = rules.check(&PartitionSpec::new(), Some(&input)).unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "validation rule `partitionby_has = \"city\"` is not met: `city` must be a partition key; \
//!      the step has no partition; `input` is `city:str,fare:double`"
//! );
//! ```

use crate::algebra::ColumnItem;
use crate::error::{FugueError, Result, closest_name};
use crate::partition::{PartitionSpec, SortKey, parse_keys, parse_presort};
use crate::schema::{Schema, quote_name};
use std::fmt;

/// One declared rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// Every name is a partition key (extra keys are fine, order is irrelevant).
    PartitionByHas(Vec<String>),
    /// The partition key set equals these names (order is not checked, as in Fugue).
    PartitionByIs(Vec<String>),
    /// Every item is in the presort with the same direction, in any order.
    PresortHas(Vec<SortKey>),
    /// The presort equals this list exactly, in order.
    PresortIs(Vec<SortKey>),
    /// Every item is in the input schema (by name, or by name and type).
    InputHas(Vec<ColumnItem>),
    /// The input schema equals this one structurally.
    InputIs(Schema),
}

impl Rule {
    /// The accepted rule names (one list, [`RULE_NAMES`](crate::rules::validation::RULE_NAMES)).
    pub const NAMES: [&'static str; 6] = crate::rules::validation::RULE_NAMES;

    /// Parse one rule from its name and value, as written in a transformer attribute.
    pub fn parse(name: &str, value: &str) -> Result<Rule> {
        Ok(match name {
            "partitionby_has" => Rule::PartitionByHas(parse_keys(value)?),
            "partitionby_is" => Rule::PartitionByIs(parse_keys(value)?),
            "presort_has" => Rule::PresortHas(parse_presort(value)?),
            "presort_is" => Rule::PresortIs(parse_presort(value)?),
            "input_has" => Rule::InputHas(ColumnItem::parse_list(value)?),
            "input_is" => Rule::InputIs(Schema::parse(value)?),
            _ => {
                let hint = closest_name(name, Rule::NAMES)
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
                return Err(FugueError::invalid_argument(
                    name,
                    format!(
                        "unknown validation rule; {hint}the rules are {}",
                        Rule::accepted()
                    ),
                ));
            }
        })
    }

    /// The rule's name.
    pub fn name(&self) -> &'static str {
        match self {
            Rule::PartitionByHas(_) => "partitionby_has",
            Rule::PartitionByIs(_) => "partitionby_is",
            Rule::PresortHas(_) => "presort_has",
            Rule::PresortIs(_) => "presort_is",
            Rule::InputHas(_) => "input_has",
            Rule::InputIs(_) => "input_is",
        }
    }

    /// Whether the rule is about the input schema (checked when the data is known).
    pub fn is_input_rule(&self) -> bool {
        matches!(self, Rule::InputHas(_) | Rule::InputIs(_))
    }

    fn accepted() -> String {
        Rule::NAMES
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Rule {
    /// The value in canonical form: names quoted as schema expressions quote them, presort
    /// items with their direction, and types as canonical keys
    /// ([`type_key`](crate::rules::eval::type_key)). The transformer macros emit this form, so
    /// the compile-time checks compare strings, never parse types.
    pub fn canonical_value(&self) -> String {
        use crate::rules::eval::type_key;
        match self {
            Rule::InputHas(items) => items
                .iter()
                .map(|i| match &i.data_type {
                    Some(t) => format!("{}:{}", quote_name(&i.name), type_key(t)),
                    None => quote_name(&i.name),
                })
                .collect::<Vec<_>>()
                .join(","),
            Rule::InputIs(schema) => schema
                .columns()
                .iter()
                .map(|c| format!("{}:{}", quote_name(c.name()), type_key(c.data_type())))
                .collect::<Vec<_>>()
                .join(","),
            other => {
                let text = other.to_string();
                let start = text.find('"').map_or(0, |i| i + 1);
                text[start..text.len().saturating_sub(1)].to_string()
            }
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = match self {
            Rule::PartitionByHas(k) | Rule::PartitionByIs(k) => k
                .iter()
                .map(|n| quote_name(n))
                .collect::<Vec<_>>()
                .join(","),
            Rule::PresortHas(p) | Rule::PresortIs(p) => presort_text(p),
            Rule::InputHas(items) => items
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(","),
            Rule::InputIs(s) => s.to_string(),
        };
        write!(f, "{} = \"{value}\"", self.name())
    }
}

/// The rules a step declares; all must hold.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rules {
    rules: Vec<Rule>,
}

impl Rules {
    /// No rule.
    pub fn new() -> Self {
        Rules::default()
    }

    /// Parse `(name, value)` pairs (the declaration stage): an unknown rule name is
    /// [`FugueError::InvalidArgument`], a malformed presort [`FugueError::InvalidPartitionSpec`],
    /// a malformed schema or item [`FugueError::SchemaSyntax`]; a rule given twice is an error.
    pub fn parse<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Rules> {
        let mut rules: Vec<Rule> = Vec::new();
        for (name, value) in pairs {
            let rule = Rule::parse(name, value)?;
            if rules.iter().any(|r| r.name() == rule.name()) {
                return Err(FugueError::invalid_argument(
                    name,
                    "the rule is declared twice; declare each rule once",
                ));
            }
            rules.push(rule);
        }
        Ok(Rules { rules })
    }

    /// The rules, in declaration order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Whether no rule is declared.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether an input rule is declared (so the input schema must be checked when known).
    pub fn has_input_rules(&self) -> bool {
        self.rules.iter().any(Rule::is_input_rule)
    }

    /// Check every rule: first the partition rules against `spec` (the compile stage), then,
    /// when `input` is known, the input rules against it (the run-time stage). The first failure
    /// is [`FugueError::ValidationFailed`] naming the rule, with the sentence the compile-time
    /// check gives.
    pub fn check(&self, spec: &PartitionSpec, input: Option<&Schema>) -> Result<()> {
        self.check_step(None, spec, input)
    }

    /// [`Rules::check`], naming the function that declares the rules. The rules are evaluated
    /// by their one definition ([`rules::validation`](crate::rules::validation)), over their
    /// canonical values.
    pub fn check_step(
        &self,
        function: Option<&str>,
        spec: &PartitionSpec,
        input: Option<&Schema>,
    ) -> Result<()> {
        let values: Vec<String> = self.rules.iter().map(Rule::canonical_value).collect();
        let pairs: Vec<(&str, &str)> = self
            .rules
            .iter()
            .zip(&values)
            .map(|(r, v)| (r.name(), v.as_str()))
            .collect();
        crate::rules::eval::check_rules(
            &crate::rules::Step::NONE,
            function.unwrap_or(""),
            &pairs,
            spec,
            "input",
            input,
        )
    }
}

/// The presort as rules print it, each key with its direction and, when NULLs come first, its
/// NULL order (`fare DESC NULLS FIRST`; [`SortKey`]'s form, which parses back).
fn presort_text(keys: &[SortKey]) -> String {
    keys.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn spec(text: &str) -> PartitionSpec {
        PartitionSpec::parse(text).unwrap()
    }

    #[test]
    fn presort_rules_compare_the_null_order() {
        let rules = |v: &str| Rules::parse([("presort_is", v)]).unwrap();
        let nulls_first = spec("presort=fare desc nulls first");
        assert!(
            rules("fare desc nulls first")
                .check(&nulls_first, None)
                .is_ok()
        );
        let e = rules("fare desc").check(&nulls_first, None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ValidationFailed);
        assert!(
            rules("fare desc")
                .check(&spec("presort=fare desc"), None)
                .is_ok()
        );
        // The rule prints its NULL order, so it parses back.
        let parsed = rules("fare desc nulls first");
        let rule = &parsed.rules()[0];
        assert_eq!(rule.canonical_value(), "fare DESC NULLS FIRST");
        assert_eq!(
            Rule::parse("presort_is", &rule.canonical_value()).unwrap(),
            *rule
        );
    }

    #[test]
    fn declaration_errors_have_their_kinds() {
        let kind = |n: &str, v: &str| Rules::parse([(n, v)]).unwrap_err().kind();
        assert_eq!(kind("schema_has", "a"), ErrorKind::InvalidArgument);
        assert_eq!(
            kind("presort_has", "b sideways"),
            ErrorKind::InvalidPartitionSpec
        );
        assert_eq!(kind("input_is", "a"), ErrorKind::SchemaSyntax);
        let e = Rules::parse([("partitionby_hass", "a")]).unwrap_err();
        assert!(
            e.to_string().contains("did you mean `partitionby_has`?"),
            "{e}"
        );
        assert!(Rules::parse([("input_has", "a"), ("input_has", "b")]).is_err());
    }

    #[test]
    fn partition_rules_fail_before_input_rules() {
        let rules = Rules::parse([("partitionby_has", "a"), ("input_has", "x")]).unwrap();
        let input = Schema::parse("a:long").unwrap();
        let e = rules
            .check(&PartitionSpec::new(), Some(&input))
            .unwrap_err();
        assert!(
            matches!(&e, FugueError::ValidationFailed { rule, .. } if rule == "partitionby_has")
        );
        let e = rules.check(&spec("by=a"), Some(&input)).unwrap_err();
        assert!(matches!(&e, FugueError::ValidationFailed { rule, .. } if rule == "input_has"));
        // Without an input schema only the partition rules are checked.
        rules.check(&spec("by=a"), None).unwrap();
    }

    #[test]
    fn messages_name_rule_step_wanted_and_got() {
        let rules = Rules::parse([("presort_is", "b, c desc")]).unwrap();
        let e = rules
            .check_step(Some("rank"), &spec("by=a; presort=c desc,b"), None)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "validation rule `presort_is = \"b ASC,c DESC\"` of `rank` is not met: `b` must be at \
             this position of the presort; the step's partition is `by=a; presort=c desc,b`"
        );
        let rules = Rules::parse([("input_has", "fare:double")]).unwrap();
        let e = rules
            .check(
                &PartitionSpec::new(),
                Some(&Schema::parse("fares:double").unwrap()),
            )
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "validation rule `input_has = \"fare:double\"` is not met: `fare` must be a column of \
             the input; `input` is `fares:double`; help: did you mean `fares`?"
        );
        assert!(
            matches!(&e, FugueError::ValidationFailed { column: Some(c), .. } if c == "fare"),
            "{e:?}"
        );
        // A rule naming a column the input lacks says so, with the input's schema.
        let rules = Rules::parse([("partitionby_has", "city")]).unwrap();
        let e = rules
            .check_step(
                Some("rank"),
                &spec("by=cty"),
                Some(&Schema::parse("cty:str").unwrap()),
            )
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "validation rule `partitionby_has = \"city\"` of `rank` is not met: `city` must be a \
             partition key; the step's partition is `by=cty`; `city` is not a column of `input` \
             either; `input` is `cty:str`; help: did you mean `cty`?"
        );
    }

    #[test]
    fn set_and_order_semantics() {
        let is = Rules::parse([("partitionby_is", "a,b")]).unwrap();
        is.check(&spec("by=b,a"), None).unwrap();
        assert!(is.check(&spec("by=a"), None).is_err());
        let has = Rules::parse([("presort_has", "c desc")]).unwrap();
        has.check(&spec("presort=b,c desc"), None).unwrap();
        assert!(has.check(&spec("presort=c"), None).is_err());
        let input_is = Rules::parse([("input_is", "a:long,b:str")]).unwrap();
        input_is
            .check(
                &PartitionSpec::new(),
                Some(&Schema::parse("a:int64, b:string").unwrap()),
            )
            .unwrap();
        assert!(
            input_is
                .check(
                    &PartitionSpec::new(),
                    Some(&Schema::parse("b:str,a:long").unwrap())
                )
                .is_err()
        );
        // Names with backticks and spaces, as canonical values quote them.
        let odd = Rules::parse([
            ("partitionby_has", "`a``b`"),
            ("input_has", "`a``b`,`c d`:int"),
        ])
        .unwrap();
        let input = Schema::parse("`a``b`:str,`c d`:int").unwrap();
        let keyed = PartitionSpec::by(["a`b"]).unwrap();
        odd.check(&keyed, Some(&input)).unwrap();
        assert!(
            odd.check(&PartitionSpec::by(["c d"]).unwrap(), None)
                .is_err()
        );
    }
}
