//! The template's `outputs`, evaluated after the resources exist.

use serde_json::{Map, Value};

use crate::error::TemplateError;
use crate::eval::{self, Ctx};
use crate::value::{as_int, get_ci, type_name};

pub(crate) fn evaluate(
    outputs: &Map<String, Value>,
    ctx: &Ctx,
) -> Result<Map<String, Value>, TemplateError> {
    let mut out = Map::new();
    for (name, decl) in outputs {
        let path = format!("outputs.{name}");
        let Value::Object(decl) = decl else {
            return Err(TemplateError::validation(format!(
                "The template output '{name}' must be an object."
            ))
            .at(path));
        };
        let declared = match get_ci(decl, "type") {
            Some(Value::String(t)) => t.clone(),
            _ => {
                return Err(TemplateError::validation(format!(
                    "The template output '{name}' must have a 'type'."
                ))
                .at(path))
            }
        };
        if let Some(c) = get_ci(decl, "condition") {
            match eval::json(c, ctx, &format!("{path}.condition"))? {
                Value::Bool(true) => {}
                Value::Bool(false) => continue,
                other => {
                    return Err(TemplateError::validation(format!(
                        "The condition of the template output '{name}' must be a boolean; it is of type '{}'.",
                        type_name(&other)
                    ))
                    .at(format!("{path}.condition")))
                }
            }
        }
        let value = match (get_ci(decl, "copy"), get_ci(decl, "value")) {
            (Some(Value::Object(copy)), _) => {
                let at = format!("{path}.copy");
                let count = eval::count(get_ci(copy, "count"), ctx, &format!("{at}.count"))?;
                let input = get_ci(copy, "input").ok_or_else(|| {
                    TemplateError::validation(format!(
                        "The copy of the template output '{name}' must have an 'input'."
                    ))
                    .at(&at)
                })?;
                let items = (0..count)
                    .map(|i| {
                        eval::json(
                            input,
                            &ctx.with_frame(None, i as i64, true),
                            &format!("{at}.input"),
                        )
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Value::Array(items)
            }
            (_, Some(v)) => eval::json(v, ctx, &format!("{path}.value"))?,
            (_, None) => {
                return Err(TemplateError::validation(format!(
                    "The template output '{name}' must have a 'value'."
                ))
                .at(path))
            }
        };
        let value = conform(name, &declared, value).map_err(|e| e.at(format!("{path}.value")))?;
        let mut entry = Map::new();
        entry.insert("type".into(), Value::String(declared.clone()));
        // ARM never returns the value of a secure output.
        if !declared.to_ascii_lowercase().starts_with("secure") {
            entry.insert("value".into(), value);
        }
        out.insert(name.clone(), Value::Object(entry));
    }
    Ok(out)
}

/// The value must be of the declared type (an integer may be given as a numeric string,
/// as ARM converts it).
fn conform(name: &str, declared: &str, value: Value) -> Result<Value, TemplateError> {
    let lower = declared.to_ascii_lowercase();
    let ok = match (lower.as_str(), &value) {
        (_, Value::Null) => true,
        ("string" | "securestring", Value::String(_))
        | ("bool", Value::Bool(_))
        | ("object" | "secureobject", Value::Object(_))
        | ("array", Value::Array(_)) => true,
        ("int", v) if as_int(v).is_some() => true,
        ("int", Value::String(s)) => {
            if let Ok(n) = s.trim().parse::<i64>() {
                return Ok(Value::from(n));
            }
            false
        }
        ("string" | "securestring" | "int" | "bool" | "object" | "secureobject" | "array", _) => false,
        _ => {
            return Err(TemplateError::validation(format!(
                "The template output '{name}' has type '{declared}', which is not valid. The supported types are 'String, SecureString, Int, Bool, Object, SecureObject, Array'."
            )))
        }
    };
    if ok {
        return Ok(value);
    }
    Err(TemplateError::validation(format!(
        "The template output '{name}' is not valid: the value is of type '{}' but the output is declared '{declared}'.",
        type_name(&value)
    )))
}
