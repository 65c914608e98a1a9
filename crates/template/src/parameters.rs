//! Template parameters: declarations, the values a deployment supplies, and ARM's checks
//! (type, allowed values, ranges, lengths). A secure parameter's value is never put in a
//! message.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::error::TemplateError;
use crate::value::{as_int, equal, fold, get_ci, to_text, type_name};
use crate::ParameterValue;

/// ARM's parameter types, lower-case (user-defined functions declare theirs the same way).
pub(crate) const TYPES: &[&str] = &[
    "string",
    "securestring",
    "int",
    "bool",
    "object",
    "secureobject",
    "array",
];

#[derive(Clone, Debug)]
pub(crate) struct Declaration {
    /// As the template spells it.
    pub name: String,
    pub type_name: String,
    pub decl: Map<String, Value>,
}

impl Declaration {
    pub(crate) fn path(&self) -> String {
        format!("parameters.{}", self.name)
    }

    fn secure(&self) -> bool {
        self.type_name.starts_with("secure")
    }

    pub(crate) fn default_value(&self) -> Option<&Value> {
        get_ci(&self.decl, "defaultValue")
    }
}

pub(crate) fn declarations(
    template: &Map<String, Value>,
) -> Result<Vec<Declaration>, TemplateError> {
    let Some(section) = get_ci(template, "parameters") else {
        return Ok(Vec::new());
    };
    let section = section.as_object().ok_or_else(|| {
        TemplateError::validation("The template 'parameters' section must be an object.")
            .at("parameters")
    })?;
    let mut out = Vec::new();
    for (name, decl) in section {
        let path = format!("parameters.{name}");
        let decl = decl.as_object().ok_or_else(|| {
            TemplateError::validation(format!(
                "The template parameter '{name}' must be an object."
            ))
            .at(&path)
        })?;
        let type_name = match get_ci(decl, "type") {
            Some(Value::String(t)) if TYPES.contains(&t.to_ascii_lowercase().as_str()) => t.to_ascii_lowercase(),
            Some(Value::String(t)) => {
                return Err(TemplateError::validation(format!(
                    "The template parameter '{name}' has type '{t}', which is not valid. The supported types are 'String, SecureString, Int, Bool, Object, SecureObject, Array'."
                ))
                .at(path))
            }
            _ => {
                return Err(TemplateError::validation(format!(
                    "The template parameter '{name}' must have a 'type'."
                ))
                .at(path))
            }
        };
        out.push(Declaration {
            name: name.clone(),
            type_name,
            decl: decl.clone(),
        });
    }
    Ok(out)
}

/// The supplied values by lower-case name. A value for a parameter the template does not
/// declare, or a Key Vault reference, is refused.
pub(crate) fn supplied(
    decls: &[Declaration],
    given: &Map<String, Value>,
) -> Result<HashMap<String, Value>, TemplateError> {
    let declared: Vec<String> = decls.iter().map(|d| fold(&d.name)).collect();
    let unknown: Vec<&str> = given
        .keys()
        .filter(|k| !declared.contains(&fold(k)))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        let names: Vec<&str> = decls.iter().map(|d| d.name.as_str()).collect();
        return Err(TemplateError::invalid(format!(
            "The template parameters '{}' in the parameters file are not valid; they are not present in the original template and can therefore not be provided at deployment time. The only supported parameters for this template are '{}'. Please see https://aka.ms/arm-pass-parameter-values for usage details.",
            unknown.join(", "),
            names.join(", ")
        ))
        .at(format!("parameters.{}", unknown[0])));
    }
    let mut out = HashMap::new();
    for (name, entry) in given {
        let path = format!("parameters.{name}");
        let entry = entry.as_object().ok_or_else(|| {
            TemplateError::invalid(format!(
                "The value of deployment parameter '{name}' must be an object of the form {{\"value\": ...}}."
            ))
            .at(&path)
        })?;
        if get_ci(entry, "reference").is_some() {
            return Err(TemplateError::invalid(format!(
                "The deployment parameter '{name}' is a reference: Key Vault parameter references are not supported."
            ))
            .at(path));
        }
        match get_ci(entry, "value") {
            // A null value counts as not given: the default applies.
            None | Some(Value::Null) => {}
            Some(v) => {
                out.insert(fold(name), v.clone());
            }
        }
    }
    Ok(out)
}

pub(crate) fn missing(d: &Declaration) -> TemplateError {
    TemplateError::validation(format!(
        "The value for the template parameter '{}' is not provided. Please see https://aka.ms/arm-create-parameter-file for usage details.",
        d.name
    ))
    .at(d.path())
}

/// ARM compares a string with the allowed values ignoring case.
fn allowed_eq(allowed: &Value, v: &Value) -> bool {
    match (allowed, v) {
        (Value::String(a), Value::String(b)) => a.to_lowercase() == b.to_lowercase(),
        _ => equal(allowed, v),
    }
}

/// Checks a value (supplied or default) against the declaration and normalises it
/// (an integer written `3.0` becomes `3`).
pub(crate) fn validate(d: &Declaration, value: Value) -> Result<ParameterValue, TemplateError> {
    let fail = |detail: String| TemplateError::validation(detail).at(d.path());
    let provided = if d.secure() {
        "The provided value".to_string()
    } else {
        format!("The provided value '{}'", to_text(&value))
    };
    let expected = match d.type_name.as_str() {
        "string" | "securestring" => "String",
        "int" => "Integer",
        "bool" => "Boolean",
        "object" | "secureobject" => "Object",
        _ => "Array",
    };
    if value.is_null() {
        // Only a default can be null (a supplied null means "not given"): nothing to check.
        return Ok(ParameterValue {
            type_name: d.type_name.clone(),
            value,
        });
    }
    let value = match (expected, &value) {
        ("String", Value::String(_)) | ("Boolean", Value::Bool(_)) | ("Object", Value::Object(_)) | ("Array", Value::Array(_)) => value,
        ("Integer", v) if as_int(v).is_some() => Value::from(as_int(v).unwrap_or_default()),
        (_, v) => {
            return Err(fail(format!(
                "The provided value for the template parameter '{}' is not valid. Template parameter JToken type is not valid. Expected '{expected}'. Actual '{}'. Please see https://aka.ms/arm-create-parameter-file for usage details.",
                d.name,
                type_name(v)
            )))
        }
    };
    if let Some(Value::Array(allowed)) = get_ci(&d.decl, "allowedValues") {
        let ok = match &value {
            // Each element of an array parameter must be allowed.
            Value::Array(items) if d.type_name == "array" => items
                .iter()
                .all(|i| allowed.iter().any(|a| allowed_eq(a, i))),
            v => allowed.iter().any(|a| allowed_eq(a, v)),
        };
        if !ok {
            let list: Vec<String> = allowed.iter().map(to_text).collect();
            return Err(fail(format!(
                "{provided} for the template parameter '{}' is not valid. The parameter value is not part of the allowed value(s): '{}'.",
                d.name,
                list.join(",")
            )));
        }
    }
    if let Some(n) = as_int(&value).filter(|_| d.type_name == "int") {
        if let Some(min) = get_ci(&d.decl, "minValue").and_then(as_int) {
            if n < min {
                return Err(fail(format!(
                    "{provided} for the template parameter '{}' is not valid. The value must be greater than or equal to '{min}'.",
                    d.name
                )));
            }
        }
        if let Some(max) = get_ci(&d.decl, "maxValue").and_then(as_int) {
            if n > max {
                return Err(fail(format!(
                    "{provided} for the template parameter '{}' is not valid. The value must be less than or equal to '{max}'.",
                    d.name
                )));
            }
        }
    }
    let length = match &value {
        Value::String(s) => Some(s.chars().count() as i64),
        Value::Array(a) => Some(a.len() as i64),
        _ => None,
    };
    if let Some(len) = length {
        if let Some(min) = get_ci(&d.decl, "minLength").and_then(as_int) {
            if len < min {
                return Err(fail(format!(
                    "{provided} for the template parameter '{}' is not valid. The length of the value must be at least '{min}'.",
                    d.name
                )));
            }
        }
        if let Some(max) = get_ci(&d.decl, "maxLength").and_then(as_int) {
            if len > max {
                return Err(fail(format!(
                    "{provided} for the template parameter '{}' is not valid. The length of the value must be at most '{max}'.",
                    d.name
                )));
            }
        }
    }
    Ok(ParameterValue {
        type_name: d.type_name.clone(),
        value,
    })
}
