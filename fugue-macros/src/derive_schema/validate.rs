//! The rules on a parsed struct; every broken rule is an error at the smallest span, and
//! validation never stops at the first one.

use super::parse::{FieldDef, RecordDef};
use crate::diag::Diagnostics;
use arrow_schema::DataType;
use std::collections::HashMap;

/// A field whose explicit type was parsed.
pub struct Explicit {
    /// The type string, for spans and for the const schema.
    pub lit: syn::LitStr,
    /// The parsed type.
    pub data_type: DataType,
}

/// A validated struct: the model plus the parsed explicit types (a field whose explicit type is
/// invalid falls back to its default type, so that the expansion still compiles).
pub struct ValidRecord<'a> {
    /// The model.
    pub def: RecordDef<'a>,
    /// Per field, in order: the parsed explicit type, if any and valid.
    pub explicit: Vec<Option<Explicit>>,
}

/// Check the rules: non-empty and unique column names, and explicit types that parse and have a
/// Rust counterpart.
pub fn validate<'a>(def: RecordDef<'a>, diag: &mut Diagnostics) -> ValidRecord<'a> {
    check_column_names(&def.fields, diag);
    let explicit = def
        .fields
        .iter()
        .map(|f| check_explicit_type(f, diag))
        .collect();
    ValidRecord { def, explicit }
}

fn check_column_names(fields: &[FieldDef<'_>], diag: &mut Diagnostics) {
    let mut seen: HashMap<&str, &FieldDef<'_>> = HashMap::new();
    for field in fields {
        if field.column.is_empty() {
            diag.error(field.column_span, "a column name cannot be empty");
            continue;
        }
        if let Some(first) = seen.get(field.column.as_str()) {
            diag.error(
                field.column_span,
                format!(
                    "duplicate column `{}`: field `{}` already maps to it (1/2)",
                    field.column, first.ident
                ),
            );
            diag.error(
                first.column_span,
                format!("column `{}` is first defined here (2/2)", field.column),
            );
        } else {
            seen.insert(&field.column, field);
        }
    }
}

fn check_explicit_type(field: &FieldDef<'_>, diag: &mut Diagnostics) -> Option<Explicit> {
    let lit = field.explicit.as_ref()?;
    let data_type = match fugue_core::types::parse_type(&lit.value()) {
        Ok(t) => t,
        Err(e) => {
            diag.error(
                lit.span(),
                format!("invalid explicit type: {}", one_line(&e)),
            );
            return None;
        }
    };
    if let Some(reason) = unrepresentable(&data_type) {
        diag.error(lit.span(), reason);
        return None;
    }
    Some(Explicit {
        lit: lit.clone(),
        data_type,
    })
}

/// Why no Rust field type can hold `data_type`, if so.
fn unrepresentable(data_type: &DataType) -> Option<String> {
    match data_type {
        DataType::Struct(_) => Some(
            "an explicit type cannot be a struct: a struct field takes the schema of its own \
             `#[derive(Schema)]` struct"
                .to_owned(),
        ),
        DataType::List(f) => unrepresentable(f.data_type()),
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) => kv.iter().find_map(|f| unrepresentable(f.data_type())),
            _ => None,
        },
        DataType::Null | DataType::Float16 => Some(format!(
            "no Rust field type maps to `{}`",
            fugue_core::types::type_expr(data_type)
        )),
        _ => None,
    }
}

/// An error's message on one line (syntax errors show the expression and a caret below it).
fn one_line(e: &fugue_core::FugueError) -> String {
    let text = e.to_string();
    text.lines().next().unwrap_or_default().to_owned()
}
