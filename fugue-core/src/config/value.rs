//! The value types of config keys: how each is parsed from a string and printed back.

use std::path::PathBuf;
use std::time::Duration;

/// The type of a config key's value, as the documentation and the key table name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigType {
    /// An integer (see the key's documentation for its range).
    Int,
    /// A boolean: `true`/`false`, `yes`/`no`, `1`/`0`, case-insensitive.
    Bool,
    /// A string.
    Str,
    /// A string naming a file-system path.
    Path,
    /// A duration: `2 sec`, `500ms`, `1.5s`, `2 min`, or plain seconds (`3`, `0.5`).
    Duration,
}

impl ConfigType {
    /// The type's name as the key table spells it: `int`, `bool`, `str`, `str (path)`,
    /// `duration`.
    pub fn name(self) -> &'static str {
        match self {
            ConfigType::Int => "int",
            ConfigType::Bool => "bool",
            ConfigType::Str => "str",
            ConfigType::Path => "str (path)",
            ConfigType::Duration => "duration",
        }
    }
}

impl std::fmt::Display for ConfigType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The type of one config leaf: parsed from a string, printed back to one.
///
/// `parse(render(v)) == v` for every value; an unset optional value renders as `None` and the
/// empty string parses to unset.
pub trait ConfigValue: Sized + Clone {
    /// The type's name in the key table.
    const TYPE: ConfigType;
    /// Parses a value; `Err` says what was expected (`expects a non-negative integer, got
    /// \`abc\``).
    fn parse_config(text: &str) -> Result<Self, String>;
    /// The value as a string, or `None` when unset.
    fn render_config(&self) -> Option<String>;
}

fn got(expected: &str, text: &str) -> String {
    format!("expects {expected}, got `{}`", crate::error::excerpt(text))
}

impl ConfigValue for usize {
    const TYPE: ConfigType = ConfigType::Int;
    fn parse_config(text: &str) -> Result<Self, String> {
        text.trim()
            .parse()
            .map_err(|_| got("a non-negative integer", text))
    }
    fn render_config(&self) -> Option<String> {
        Some(self.to_string())
    }
}

impl ConfigValue for i64 {
    const TYPE: ConfigType = ConfigType::Int;
    fn parse_config(text: &str) -> Result<Self, String> {
        text.trim().parse().map_err(|_| got("an integer", text))
    }
    fn render_config(&self) -> Option<String> {
        Some(self.to_string())
    }
}

impl ConfigValue for bool {
    const TYPE: ConfigType = ConfigType::Bool;
    fn parse_config(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Ok(true),
            "false" | "no" | "0" => Ok(false),
            _ => Err(got("a boolean (`true`/`false`, `yes`/`no`, `1`/`0`)", text)),
        }
    }
    fn render_config(&self) -> Option<String> {
        Some(self.to_string())
    }
}

impl ConfigValue for String {
    const TYPE: ConfigType = ConfigType::Str;
    fn parse_config(text: &str) -> Result<Self, String> {
        Ok(text.to_string())
    }
    fn render_config(&self) -> Option<String> {
        Some(self.clone())
    }
}

/// Unset when empty.
impl ConfigValue for Option<String> {
    const TYPE: ConfigType = ConfigType::Str;
    fn parse_config(text: &str) -> Result<Self, String> {
        Ok((!text.is_empty()).then(|| text.to_string()))
    }
    fn render_config(&self) -> Option<String> {
        self.clone()
    }
}

/// Unset when empty.
impl ConfigValue for Option<PathBuf> {
    const TYPE: ConfigType = ConfigType::Path;
    fn parse_config(text: &str) -> Result<Self, String> {
        Ok((!text.is_empty()).then(|| PathBuf::from(text)))
    }
    fn render_config(&self) -> Option<String> {
        self.as_ref().map(|p| p.to_string_lossy().into_owned())
    }
}

/// A port number; unset when empty.
impl ConfigValue for Option<u16> {
    const TYPE: ConfigType = ConfigType::Int;
    fn parse_config(text: &str) -> Result<Self, String> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        text.trim()
            .parse()
            .map(Some)
            .map_err(|_| got("an integer port between 0 and 65535", text))
    }
    fn render_config(&self) -> Option<String> {
        self.map(|p| p.to_string())
    }
}

/// Unset when empty; see [`parse_duration`] for the accepted forms.
impl ConfigValue for Option<Duration> {
    const TYPE: ConfigType = ConfigType::Duration;
    fn parse_config(text: &str) -> Result<Self, String> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        parse_duration(text).map(Some)
    }
    fn render_config(&self) -> Option<String> {
        self.map(format_duration)
    }
}

/// Parses a duration the way Fugue's configs write them.
///
/// Accepted: a non-negative number, optionally followed (with or without spaces) by a unit.
/// Without a unit the number is seconds. Units: `ns`; `us`; `ms`; `s`, `sec`, `secs`, `second`,
/// `seconds`; `m`, `min`, `mins`, `minute`, `minutes`; `h`, `hr`, `hrs`, `hour`, `hours`; `d`,
/// `day`, `days` (case-insensitive). Fractions are allowed (`1.5s`, `0.5 min`). Compound forms
/// (`1 min 30 sec`) and negative durations are not. Every duration, up to [`Duration::MAX`],
/// parses back from its [`format_duration`] form; a longer one is an error.
///
/// ```
/// use std::time::Duration;
/// use fugue_core::config::parse_duration;
/// assert_eq!(parse_duration("2 sec"), Ok(Duration::from_secs(2)));
/// assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
/// assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
/// assert_eq!(parse_duration("2 min"), Ok(Duration::from_secs(120)));
/// assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
/// assert!(parse_duration("soon").is_err());
/// ```
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    const EXPECTED: &str =
        "a duration such as `2 sec`, `500ms`, `1.5s`, `2 min` or a number of seconds";
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    let nanos_per_unit: u128 = match unit.trim().to_ascii_lowercase().as_str() {
        "ns" => 1,
        "us" => 1_000,
        "ms" => 1_000_000,
        "" | "s" | "sec" | "secs" | "second" | "seconds" => 1_000_000_000,
        "m" | "min" | "mins" | "minute" | "minutes" => 60_000_000_000,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3_600_000_000_000,
        "d" | "day" | "days" => 86_400_000_000_000,
        _ => return Err(got(EXPECTED, text)),
    };
    // Exact decimal arithmetic (no floating point): `whole.fraction` times the unit, truncated
    // to whole nanoseconds, in u128. The whole part may have any number of digits (the
    // longest duration, `Duration::MAX`, prints with 29 digits of nanoseconds; too large a
    // value overflows and is an error); the fraction keeps its first 24 digits, which with the
    // longest unit (a day, 8.64e13 ns) still fits a u128 and is far below a nanosecond.
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits_ok = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !digits_ok(whole) || !digits_ok(fraction) {
        return Err(got(EXPECTED, text));
    }
    let whole = whole.trim_start_matches('0');
    let fraction = &fraction[..fraction.len().min(24)];
    let parse = |s: &str| -> Option<u128> {
        if s.is_empty() {
            Some(0)
        } else {
            s.parse().ok()
        }
    };
    let scale = 10_u128.pow(fraction.len() as u32);
    let nanos = parse(whole)
        .and_then(|w| w.checked_mul(nanos_per_unit))
        .and_then(|n| n.checked_add(parse(fraction)?.checked_mul(nanos_per_unit)? / scale));
    let nanos = nanos.ok_or_else(|| got(EXPECTED, text))?;
    let secs = u64::try_from(nanos / 1_000_000_000).map_err(|_| got(EXPECTED, text))?;
    Ok(Duration::new(secs, (nanos % 1_000_000_000) as u32))
}

/// Prints a duration in the shortest exact form [`parse_duration`] reads back: `2s`, `500ms`,
/// `1500us`, `7ns`.
pub fn format_duration(duration: Duration) -> String {
    let nanos = duration.as_nanos();
    if nanos.is_multiple_of(1_000_000_000) {
        format!("{}s", nanos / 1_000_000_000)
    } else if nanos.is_multiple_of(1_000_000) {
        format!("{}ms", nanos / 1_000_000)
    } else if nanos.is_multiple_of(1_000) {
        format!("{}us", nanos / 1_000)
    } else {
        format!("{nanos}ns")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        assert_eq!(usize::parse_config(" 4 "), Ok(4));
        assert_eq!(
            usize::parse_config("abc"),
            Err("expects a non-negative integer, got `abc`".to_string())
        );
        assert!(usize::parse_config("-1").is_err());
        assert_eq!(i64::parse_config("-1"), Ok(-1));
        assert_eq!(
            i64::parse_config("1.5"),
            Err("expects an integer, got `1.5`".to_string())
        );
        assert_eq!(Option::<u16>::parse_config(""), Ok(None));
        assert_eq!(Option::<u16>::parse_config("8080"), Ok(Some(8080)));
        assert!(Option::<u16>::parse_config("70000").is_err());
        assert_eq!(Some(8080_u16).render_config().as_deref(), Some("8080"));
    }

    #[test]
    fn booleans_follow_param_dict() {
        for yes in ["true", "TRUE", "Yes", "1", " true "] {
            assert_eq!(bool::parse_config(yes), Ok(true), "{yes}");
        }
        for no in ["false", "False", "no", "0"] {
            assert_eq!(bool::parse_config(no), Ok(false), "{no}");
        }
        let err = bool::parse_config("maybe").unwrap_err();
        assert!(err.contains("got `maybe`"), "{err}");
    }

    #[test]
    fn strings_and_paths_are_unset_when_empty() {
        assert_eq!(Option::<String>::parse_config(""), Ok(None));
        assert_eq!(
            Option::<String>::parse_config(" x"),
            Ok(Some(" x".to_string()))
        );
        assert_eq!(String::parse_config(""), Ok(String::new()));
        assert_eq!(
            Option::<PathBuf>::parse_config("/tmp/ck"),
            Ok(Some(PathBuf::from("/tmp/ck")))
        );
        assert_eq!(Option::<PathBuf>::parse_config(""), Ok(None));
        assert_eq!(None::<PathBuf>.render_config(), None);
    }

    #[test]
    fn durations_in_fugue_forms() {
        let cases = [
            ("2 sec", 2_000),
            ("2sec", 2_000),
            ("2 seconds", 2_000),
            ("500ms", 500),
            ("500 ms", 500),
            ("1.5s", 1_500),
            ("2 min", 120_000),
            ("1h", 3_600_000),
            ("1 day", 86_400_000),
            ("3", 3_000),
            ("0.25", 250),
            ("2 SEC", 2_000),
        ];
        for (text, millis) in cases {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_millis(millis)),
                "{text}"
            );
        }
        for bad in [
            "",
            "sec",
            "-2 sec",
            "2 fortnights",
            "1 min 30 sec",
            "1..5s",
            "nan",
        ] {
            let err = parse_duration(bad).unwrap_err();
            assert!(err.starts_with("expects a duration"), "{bad}: {err}");
        }
        assert_eq!(Option::<Duration>::parse_config(""), Ok(None));
    }

    #[test]
    fn durations_round_trip_through_their_printed_form() {
        for d in [
            Duration::from_secs(2),
            Duration::from_millis(1500),
            Duration::from_micros(7),
            Duration::from_nanos(3),
            Duration::ZERO,
            Duration::MAX,
            Duration::from_secs(u64::MAX),
            Duration::new(u64::MAX, 1),
            Duration::from_millis(u64::MAX),
        ] {
            let text = format_duration(d);
            assert_eq!(parse_duration(&text), Ok(d), "{text}");
        }
        assert_eq!(
            format_duration(Duration::MAX),
            "18446744073709551615999999999ns"
        );
        // One nanosecond more than the longest duration, and far more, are errors.
        for too_long in [
            "18446744073709551616s",
            "18446744073709551616000000000ns",
            &"9".repeat(50),
            &format!("{}s", "9".repeat(10_000)),
        ] {
            let err = parse_duration(too_long).unwrap_err();
            assert!(err.starts_with("expects a duration"), "{err}");
            assert!(err.len() < 500, "{}", err.len());
        }
        // Leading zeros and long fractions are read exactly (the fraction to 24 digits).
        assert_eq!(
            parse_duration(&format!("{}1s", "0".repeat(100))),
            Ok(Duration::from_secs(1))
        );
        assert_eq!(
            parse_duration(&format!("0.{}", "9".repeat(100))),
            Ok(Duration::new(0, 999_999_999))
        );
        assert_eq!(
            parse_duration("1.000000001d"),
            Ok(Duration::new(86_400, 86_400))
        );
        assert_eq!(format_duration(Duration::from_millis(1500)), "1500ms");
    }
}
