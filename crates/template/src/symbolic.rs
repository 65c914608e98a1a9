//! `languageVersion: 2.0` templates (what Bicep emits for user-defined types and some other
//! features), brought to the shape the rest of the crate plans: `resources` is an object
//! keyed by symbolic name (each declaration keeps its name under [`SYMBOL`], which
//! `reference('symbol')` and `dependsOn` resolve), `existing` declarations stand for resources
//! that are read, never deployed, and parameter and output types may be `$ref`s into
//! `definitions` (resolved here to the type they name; the shape of an object type is not
//! checked).

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::error::TemplateError;
use crate::value::get_ci;

/// Where a declaration of a symbolic-name template keeps its name. Not a key ARM knows, so
/// no template can set it (a 1.0 template's declaration with it is refused).
pub(crate) const SYMBOL: &str = "$symbolicName";

/// How deep `$ref`s may chain.
const MAX_REF_DEPTH: usize = 32;

/// The template as 1.0 would spell it, or as given when it is one.
pub(crate) fn normalize(
    t: &Map<String, Value>,
) -> Result<Cow<'_, Map<String, Value>>, TemplateError> {
    let version = match get_ci(t, "languageVersion") {
        None => return Ok(Cow::Borrowed(t)),
        Some(Value::String(v)) => v.clone(),
        Some(_) => {
            return Err(
                TemplateError::invalid("The template 'languageVersion' must be a string.")
                    .at("languageVersion"),
            )
        }
    };
    if version.starts_with('1') {
        return Ok(Cow::Borrowed(t));
    }
    if version != "2.0" {
        return Err(TemplateError::invalid(format!(
            "The template languageVersion '{version}' is not supported by cerulean; it deploys languageVersion 1.0 and 2.0 templates."
        ))
        .at("languageVersion"));
    }
    let mut out = t.clone();
    let definitions = get_ci(t, "definitions").and_then(Value::as_object);
    for section in ["parameters", "outputs"] {
        let Some(key) = out
            .keys()
            .find(|k| k.eq_ignore_ascii_case(section))
            .cloned()
        else {
            continue;
        };
        if let Some(Value::Object(entries)) = out.get_mut(&key) {
            for (name, decl) in entries.iter_mut() {
                if let Value::Object(decl) = decl {
                    resolve_ref(decl, definitions, &format!("{section}.{name}"))?;
                }
            }
        }
    }
    if let Some(key) = out
        .keys()
        .find(|k| k.eq_ignore_ascii_case("resources"))
        .cloned()
    {
        if let Some(Value::Object(symbols)) = out.get(&key) {
            let resources = symbols
                .iter()
                .map(|(symbol, decl)| match decl {
                    Value::Object(d) => {
                        let mut d = d.clone();
                        d.insert(SYMBOL.into(), Value::String(symbol.clone()));
                        Ok(Value::Object(d))
                    }
                    _ => Err(TemplateError::validation(format!(
                        "The template resource '{symbol}' must be an object."
                    ))
                    .at(format!("resources.{symbol}"))),
                })
                .collect::<Result<Vec<_>, _>>()?;
            out.insert(key, Value::Array(resources));
        }
    }
    Ok(Cow::Owned(out))
}

/// Replaces `"$ref": "#/definitions/name"` with what the definition declares (the
/// declaration's own keys win: a default, a description).
fn resolve_ref(
    decl: &mut Map<String, Value>,
    definitions: Option<&Map<String, Value>>,
    path: &str,
) -> Result<(), TemplateError> {
    for _ in 0..MAX_REF_DEPTH {
        let Some(Value::String(r)) = decl.remove("$ref") else {
            return Ok(());
        };
        let found = r
            .strip_prefix("#/definitions/")
            .and_then(|name| definitions.and_then(|d| d.get(name)))
            .and_then(Value::as_object)
            .ok_or_else(|| {
                TemplateError::validation(format!(
                    "The '$ref' '{r}' of '{path}' names no entry of the template's 'definitions'."
                ))
                .at(format!("{path}.$ref"))
            })?;
        for (k, v) in found {
            decl.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    Err(TemplateError::validation(format!(
        "The '$ref's of '{path}' chain more than {MAX_REF_DEPTH} deep."
    ))
    .at(path))
}
