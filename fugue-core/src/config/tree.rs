//! The machinery behind the typed tree: the [`ConfigField`] trait and the
//! `config_namespace!` macro that declares each namespace once.

use super::value::{ConfigType, ConfigValue};
use std::path::PathBuf;
use std::time::Duration;

/// When a key is read, which decides which config it must be given in (reference §1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigScope {
    /// Read from the workflow's (compile) config when the workflow is built or starts to run.
    /// Setting it on the engine config has no effect.
    Compile,
    /// Read from the engine's config when the engine runs a step.
    Engine,
}

impl ConfigScope {
    /// The scope's name as the key table spells it: `compile` or `engine`.
    pub fn name(self) -> &'static str {
        match self {
            ConfigScope::Compile => "compile",
            ConfigScope::Engine => "engine",
        }
    }
}

impl std::fmt::Display for ConfigScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a namespace declares about one of its fields.
#[derive(Debug, Clone, Copy)]
pub struct FieldMeta {
    /// The doc comment's lines.
    pub doc: &'static [&'static str],
    /// The scope (`None` for a nested namespace).
    pub scope: Option<ConfigScope>,
}

/// One leaf met by [`ConfigField::visit`].
#[derive(Debug, Clone)]
pub struct Leaf<'a> {
    /// The full dotted key.
    pub key: &'a str,
    /// The value printed, `None` when unset.
    pub value: Option<String>,
    /// The value's type.
    pub ty: ConfigType,
    /// What the declaring namespace says about the field.
    pub meta: FieldMeta,
}

/// A node of the typed tree: a namespace or a leaf value. Implemented by `config_namespace!`
/// for namespaces and for every leaf type; not meant to be implemented by hand.
pub trait ConfigField {
    /// Calls `f` for every leaf at or under `key`, in declaration order.
    fn visit(&self, key: &str, meta: FieldMeta, f: &mut dyn FnMut(Leaf<'_>));
    /// Sets the leaf at `rest` (the key below this node; empty for the node itself) from a
    /// string. `Ok(false)`: no such key; `Err`: the value does not parse (the reason).
    fn set_str(&mut self, rest: &str, value: &str) -> Result<bool, String>;
    /// Copies the leaf at `rest` from `other`; `false` when there is no such key.
    fn copy_from(&mut self, other: &Self, rest: &str) -> bool;
}

macro_rules! leaf_fields {
    ($($ty:ty),* $(,)?) => {$(
        impl ConfigField for $ty {
            fn visit(&self, key: &str, meta: FieldMeta, f: &mut dyn FnMut(Leaf<'_>)) {
                f(Leaf { key, value: self.render_config(), ty: <$ty as ConfigValue>::TYPE, meta });
            }
            fn set_str(&mut self, rest: &str, value: &str) -> Result<bool, String> {
                if !rest.is_empty() {
                    return Ok(false);
                }
                *self = <$ty as ConfigValue>::parse_config(value)?;
                Ok(true)
            }
            fn copy_from(&mut self, other: &Self, rest: &str) -> bool {
                if rest.is_empty() {
                    self.clone_from(other);
                }
                rest.is_empty()
            }
        }
    )*};
}

leaf_fields!(
    usize,
    i64,
    bool,
    String,
    Option<String>,
    Option<PathBuf>,
    Option<u16>,
    Option<Duration>
);

/// Splits `a.b.c` into `("a", "b.c")`, and `a` into `("a", "")`.
///
/// A trailing dot is not dropped: `a.` stays one segment `a.`, which names no field, so a key
/// with a trailing dot (`fugue.workflow.concurrency.`) is an unknown key rather than another
/// spelling of the key without it, which would not print back as given.
pub(crate) fn split_key(rest: &str) -> (&str, &str) {
    match rest.split_once('.') {
        Some((head, tail)) if !tail.is_empty() => (head, tail),
        _ => (rest, ""),
    }
}

/// The default of a field: the declared expression, or the type's `Default` for a namespace.
macro_rules! field_default {
    ($ty:ty) => {
        <$ty as ::core::default::Default>::default()
    };
    ($ty:ty, $default:expr) => {
        $default
    };
}

/// The scope of a field: the declared one, or none for a namespace.
macro_rules! field_scope {
    () => {
        ::core::option::Option::None
    };
    ($scope:ident) => {
        ::core::option::Option::Some($crate::config::ConfigScope::$scope)
    };
}

/// Declares one namespace of the tree, once: the struct, its `Default`, and its
/// [`ConfigField`] impl (keys, string parsing, visiting, copying) all come from this.
///
/// A leaf field is `pub name: Type, default = expr, scope = Compile|Engine;` (its type must be
/// a [`ConfigValue`]); a nested namespace is `pub name: Namespace;`. Every field carries a doc
/// comment, which becomes the key's meaning in the generated docs.
macro_rules! config_namespace {
    (
        $(#[doc = $struct_doc:literal])*
        pub struct $name:ident {
            $(
                $(#[doc = $doc:literal])+
                pub $field:ident : $ty:ty $(, default = $default:expr, scope = $scope:ident)? ;
            )*
        }
    ) => {
        $(#[doc = $struct_doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            $(
                $(#[doc = $doc])+
                pub $field: $ty,
            )*
        }

        impl ::core::default::Default for $name {
            fn default() -> Self {
                Self { $( $field: field_default!($ty $(, $default)?), )* }
            }
        }

        impl $crate::config::ConfigField for $name {
            fn visit(
                &self,
                key: &str,
                _meta: $crate::config::FieldMeta,
                f: &mut dyn FnMut($crate::config::Leaf<'_>),
            ) {
                $(
                    let meta = $crate::config::FieldMeta {
                        doc: &[$($doc),+],
                        scope: field_scope!($($scope)?),
                    };
                    let child = ::std::format!("{key}.{}", stringify!($field));
                    $crate::config::ConfigField::visit(&self.$field, &child, meta, f);
                )*
            }

            fn set_str(&mut self, rest: &str, value: &str) -> Result<bool, String> {
                let (head, tail) = $crate::config::tree::split_key(rest);
                match head {
                    $( stringify!($field) => {
                        $crate::config::ConfigField::set_str(&mut self.$field, tail, value)
                    } )*
                    _ => Ok(false),
                }
            }

            fn copy_from(&mut self, other: &Self, rest: &str) -> bool {
                let (head, tail) = $crate::config::tree::split_key(rest);
                match head {
                    $( stringify!($field) => {
                        $crate::config::ConfigField::copy_from(&mut self.$field, &other.$field, tail)
                    } )*
                    _ => false,
                }
            }
        }
    };
}
