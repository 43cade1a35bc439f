//! The rule of typed parameters: which literal a function's parameter of a Rust type accepts,
//! as the run time converts it (`FromValue` in fugue-runtime; a differential test there holds
//! the two equal). `workflow!` checks each literal of `params(..)` with it at compile time.

use super::problem::Problem;
use super::text::{Hashes, find_name, name_hash, str_eq};

/// The kind of a literal given as a parameter value in `params(name: value)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Literal {
    /// An integer literal, with its value.
    Int(i128),
    /// A float literal.
    Float,
    /// `true` or `false`.
    Bool,
    /// A string literal.
    Str,
}

impl Literal {
    /// How messages name the kind.
    pub const fn describe(self) -> &'static str {
        match self {
            Literal::Int(_) => "an integer",
            Literal::Float => "a float",
            Literal::Bool => "a bool",
            Literal::Str => "a string",
        }
    }
}

/// The last segment of a Rust type path (`std::string::String` is `String`).
const fn last_segment(ty: &str) -> &str {
    let bytes = ty.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b':' && bytes[i + 1] == b':' {
            start = i + 2;
        }
        i += 1;
    }
    super::text::slice(ty, start, bytes.len())
}

/// The range of an integer parameter type, `None` for other types.
const fn int_range(ty: &str) -> Option<(i128, i128)> {
    let t = last_segment(ty);
    let range = if str_eq(t, "i8") {
        (i8::MIN as i128, i8::MAX as i128)
    } else if str_eq(t, "i16") {
        (i16::MIN as i128, i16::MAX as i128)
    } else if str_eq(t, "i32") {
        (i32::MIN as i128, i32::MAX as i128)
    } else if str_eq(t, "i64") {
        (i64::MIN as i128, i64::MAX as i128)
    } else if str_eq(t, "u8") {
        (0, u8::MAX as i128)
    } else if str_eq(t, "u16") {
        (0, u16::MAX as i128)
    } else if str_eq(t, "u32") {
        (0, u32::MAX as i128)
    } else if str_eq(t, "u64") {
        (0, u64::MAX as i128)
    } else if str_eq(t, "usize") {
        // Read through an `i64` (as the run time converts it).
        (0, i64::MAX as i128)
    } else {
        return None;
    };
    Some(range)
}

/// Whether a parameter of Rust type `ty` accepts `literal`: integers in the type's range for
/// integer types; integers and floats for `f32`/`f64`; `true`/`false` for `bool`; strings for
/// `String`. `None` for other types (`Value`, a custom type): the run time decides.
pub const fn param_accepts(ty: &str, literal: Literal) -> Option<bool> {
    let t = last_segment(ty);
    if let Some((min, max)) = int_range(ty) {
        return Some(match literal {
            Literal::Int(v) => v >= min && v <= max,
            _ => false,
        });
    }
    if str_eq(t, "f64") || str_eq(t, "f32") {
        return Some(matches!(literal, Literal::Int(_) | Literal::Float));
    }
    if str_eq(t, "bool") {
        return Some(matches!(literal, Literal::Bool));
    }
    if str_eq(t, "String") {
        return Some(matches!(literal, Literal::Str));
    }
    None
}

/// What to write instead, for messages: the accepted literal of the type.
pub const fn accepted(ty: &str) -> &'static str {
    let t = last_segment(ty);
    if int_range(ty).is_some() {
        "an integer in the type's range"
    } else if str_eq(t, "f64") || str_eq(t, "f32") {
        "a number"
    } else if str_eq(t, "bool") {
        "`true` or `false`"
    } else if str_eq(t, "String") {
        "a string literal"
    } else {
        "a value of that type"
    }
}

/// A parameter given to `function` in `params(..)` must be one it declares (`declared`:
/// `(name, Rust type)`, its `Transformer::PARAMS`).
pub const fn check_declared<'a>(
    function: &'a str,
    declared: &'a [(&'a str, &'a str)],
    name: &'a str,
) -> Result<(), Problem<'a>> {
    let mut i = 0;
    while i < declared.len() {
        if str_eq(declared[i].0, name) {
            return Ok(());
        }
        i += 1;
    }
    Err(Problem::ParamUnknown {
        function,
        name,
        declared,
    })
}

/// A value given to parameter `name` must convert to the parameter's declared Rust type as the
/// run time converts it ([`param_accepts`]): `5` for an `f64` is fine, `"20"` for an `i64` is
/// not. `text` is the value as written. A name that is not declared is [`check_declared`]'s.
pub const fn check_value<'a>(
    function: &'a str,
    declared: &'a [(&'a str, &'a str)],
    name: &'a str,
    literal: Literal,
    text: &'a str,
) -> Result<(), Problem<'a>> {
    let mut i = 0;
    while i < declared.len() {
        if str_eq(declared[i].0, name) {
            if let Some(false) = param_accepts(declared[i].1, literal) {
                return Err(Problem::ParamValue {
                    function,
                    name,
                    ty: declared[i].1,
                    literal,
                    text,
                });
            }
            return Ok(());
        }
        i += 1;
    }
    Ok(())
}

/// Every parameter `function` declares must be given (`given`: the names).
pub const fn check_given<'a>(
    function: &'a str,
    declared: &'a [(&'a str, &'a str)],
    given: &[&str],
) -> Result<(), Problem<'a>> {
    let hashes = Hashes::of(given);
    let mut i = 0;
    while i < declared.len() {
        let name = declared[i].0;
        if find_name(given, &hashes, name, name_hash(name), given.len()).is_none() {
            return Err(Problem::ParamMissing {
                function,
                at: i,
                declared,
            });
        }
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_by_type() {
        assert_eq!(param_accepts("f64", Literal::Int(5)), Some(true));
        assert_eq!(param_accepts("i64", Literal::Str), Some(false));
        assert_eq!(param_accepts("u8", Literal::Int(300)), Some(false));
        assert_eq!(param_accepts("u8", Literal::Int(-1)), Some(false));
        assert_eq!(
            param_accepts("std::string::String", Literal::Str),
            Some(true)
        );
        assert_eq!(param_accepts("bool", Literal::Int(1)), Some(false));
        assert_eq!(param_accepts("Value", Literal::Int(1)), None);
        assert_eq!(param_accepts("i32", Literal::Float), Some(false));
    }
}
