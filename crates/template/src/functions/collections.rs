//! Functions over arrays, objects and (where ARM allows) strings.

use serde_json::{Map, Value};

use super::Args;
use crate::error::EvalResult;
use crate::eval::Ctx;
use crate::limits::MAX_RANGE;
use crate::value::{equal, to_text};

pub(super) fn length(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    let n = match &a.values[0] {
        Value::String(s) => s.chars().count(),
        Value::Array(x) => x.len(),
        Value::Object(o) => o.len(),
        _ => return Err(a.type_error(0, "Array, Object or String")),
    };
    Ok(Value::from(n))
}

/// Substring (case-sensitive), array element, or object key (case-insensitive).
pub(super) fn contains(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(2)?;
    let item = &a.values[1];
    let found = match &a.values[0] {
        Value::String(s) => match item {
            Value::Array(_) | Value::Object(_) => return Err(a.type_error(1, "String")),
            v => s.contains(&to_text(v)),
        },
        Value::Array(x) => x.iter().any(|v| equal(v, item)),
        Value::Object(o) => {
            let key = to_text(item);
            o.keys().any(|k| k.eq_ignore_ascii_case(&key))
        }
        _ => return Err(a.type_error(0, "Array, Object or String")),
    };
    Ok(Value::Bool(found))
}

pub(super) fn empty(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    Ok(Value::Bool(match &a.values[0] {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(x) => x.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }))
}

pub(super) fn first(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    match &a.values[0] {
        Value::Array(x) => Ok(x.first().cloned().unwrap_or(Value::Null)),
        Value::String(s) => Ok(Value::String(s.chars().take(1).collect())),
        _ => Err(a.type_error(0, "Array or String")),
    }
}

pub(super) fn last(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    match &a.values[0] {
        Value::Array(x) => Ok(x.last().cloned().unwrap_or(Value::Null)),
        Value::String(s) => Ok(Value::String(
            s.chars().last().map(String::from).unwrap_or_default(),
        )),
        _ => Err(a.type_error(0, "Array or String")),
    }
}

/// Arrays: every distinct element, first occurrence first. Objects: later properties win,
/// nested objects are merged recursively (nested arrays are replaced).
pub(super) fn union(a: &Args, ctx: &Ctx) -> EvalResult<Value> {
    a.arity(1, None)?;
    a.inputs_fit(0)?;
    if a.values.iter().all(|v| v.is_array() || v.is_null()) {
        let mut out: Vec<Value> = Vec::new();
        for v in a.values.iter().filter_map(Value::as_array).flatten() {
            ctx.budget.charge(out.len())?;
            if !out.iter().any(|o| equal(o, v)) {
                out.push(v.clone());
            }
        }
        return Ok(Value::Array(out));
    }
    let mut out = Map::new();
    for (i, v) in a.values.iter().enumerate() {
        match v {
            Value::Object(o) => merge(&mut out, o),
            Value::Null => {}
            _ => return Err(a.type_error(i, "Object")),
        }
    }
    Ok(Value::Object(out))
}

fn merge(into: &mut Map<String, Value>, from: &Map<String, Value>) {
    for (k, v) in from {
        match (into.get_mut(k), v) {
            (Some(Value::Object(existing)), Value::Object(new)) => merge(existing, new),
            _ => {
                into.insert(k.clone(), v.clone());
            }
        }
    }
}

pub(super) fn intersection(a: &Args, ctx: &Ctx) -> EvalResult<Value> {
    a.arity(2, None)?;
    match &a.values[0] {
        Value::Array(first) => {
            let others = (1..a.len())
                .map(|i| a.array(i))
                .collect::<EvalResult<Vec<_>>>()?;
            // Every element is compared with every element of the others.
            let compared: usize = others.iter().map(|o| o.len()).sum();
            ctx.budget.charge(
                first
                    .len()
                    .saturating_mul(compared.saturating_add(first.len())),
            )?;
            let mut out: Vec<Value> = Vec::new();
            for v in first {
                let everywhere = others.iter().all(|o| o.iter().any(|w| equal(v, w)));
                if everywhere && !out.iter().any(|o| equal(o, v)) {
                    out.push(v.clone());
                }
            }
            Ok(Value::Array(out))
        }
        Value::Object(first) => {
            let others = (1..a.len())
                .map(|i| a.object(i))
                .collect::<EvalResult<Vec<_>>>()?;
            let out = first
                .iter()
                .filter(|(k, v)| {
                    others
                        .iter()
                        .all(|o| o.get(*k).is_some_and(|w| equal(v, w)))
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            Ok(Value::Object(out))
        }
        _ => Err(a.type_error(0, "Array or Object")),
    }
}

pub(super) fn create_array(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.inputs_fit(0)?;
    Ok(Value::Array(a.values.clone()))
}

pub(super) fn create_object(a: &Args, _: &Ctx) -> EvalResult<Value> {
    if !a.len().is_multiple_of(2) {
        return Err(a.fail(
            "the function only accepts an even number of parameters: each key needs a value.",
        ));
    }
    a.inputs_fit(0)?;
    let mut out = Map::new();
    for i in (0..a.len()).step_by(2) {
        out.insert(a.str(i)?.to_string(), a.values[i + 1].clone());
    }
    Ok(Value::Object(out))
}

pub(super) fn take(a: &Args, _: &Ctx) -> EvalResult<Value> {
    slice(a, true)
}

pub(super) fn skip(a: &Args, _: &Ctx) -> EvalResult<Value> {
    slice(a, false)
}

/// `take` (the first n) or `skip` (all but the first n); n is clamped to the length.
fn slice(a: &Args, take: bool) -> EvalResult<Value> {
    a.exactly(2)?;
    let n = a.int(1)?.max(0) as usize;
    match &a.values[0] {
        Value::Array(x) => {
            let n = n.min(x.len());
            Ok(Value::Array(if take {
                x[..n].to_vec()
            } else {
                x[n..].to_vec()
            }))
        }
        Value::String(s) => Ok(Value::String(if take {
            s.chars().take(n).collect()
        } else {
            s.chars().skip(n).collect()
        })),
        _ => Err(a.type_error(0, "Array or String")),
    }
}

pub(super) fn range(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(2)?;
    let (start, count) = (a.int(0)?, a.int(1)?);
    if !(0..=MAX_RANGE).contains(&count) {
        return Err(a.fail(format!("the count must be between 0 and {MAX_RANGE}.")));
    }
    if start
        .checked_add(count)
        .is_none_or(|end| end > i64::from(i32::MAX))
    {
        return Err(a.fail("the sum of the start index and the count must not exceed 2147483647."));
    }
    Ok(Value::Array(
        (start..start + count).map(Value::from).collect(),
    ))
}

pub(super) fn array(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    Ok(match &a.values[0] {
        Value::Array(_) => a.values[0].clone(),
        v => Value::Array(vec![v.clone()]),
    })
}

/// `[{key, value}]`, sorted by key as ARM sorts it.
pub(super) fn items(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    let mut entries: Vec<(&String, &Value)> = a.object(0)?.iter().collect();
    entries.sort_by(|x, y| {
        x.0.to_lowercase()
            .cmp(&y.0.to_lowercase())
            .then(x.0.cmp(y.0))
    });
    Ok(Value::Array(
        entries
            .into_iter()
            .map(|(k, v)| serde_json::json!({"key": k, "value": v}))
            .collect(),
    ))
}

/// Parses JSON text. ARM's parser also takes single-quoted strings (`{'a': 'b'}`).
pub(super) fn json(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    parse_lenient(a.str(0)?).ok_or_else(|| a.fail("the value is not valid JSON."))
}

pub(crate) fn parse_lenient(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok().or_else(|| {
        let mut out = String::with_capacity(text.len());
        let mut quote: Option<char> = None;
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            match (quote, c) {
                (None, '\'') => {
                    quote = Some('\'');
                    out.push('"');
                }
                (None, '"') => {
                    quote = Some('"');
                    out.push('"');
                }
                (Some(q), '\\') => {
                    out.push('\\');
                    if let Some(next) = chars.next() {
                        if q == '\'' && next == '\'' {
                            out.pop();
                            out.push('\'');
                        } else {
                            out.push(next);
                        }
                    }
                }
                (Some('\''), '"') => out.push_str("\\\""),
                (Some(q), c) if c == q => {
                    quote = None;
                    out.push('"');
                }
                (_, c) => out.push(c),
            }
        }
        serde_json::from_str(&out).ok()
    })
}

pub(super) fn coalesce(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.arity(1, None)?;
    Ok(a.values
        .iter()
        .find(|v| !v.is_null())
        .cloned()
        .unwrap_or(Value::Null))
}

pub(super) fn null(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(0)?;
    Ok(Value::Null)
}

pub(super) fn flatten(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    a.inputs_fit(0)?;
    let mut out = Vec::new();
    for v in a.array(0)? {
        match v {
            Value::Array(inner) => out.extend(inner.iter().cloned()),
            _ => return Err(a.fail("every element of the array must be an array.")),
        }
    }
    Ok(Value::Array(out))
}

pub(super) fn object_keys(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    Ok(Value::Array(
        a.object(0)?.keys().cloned().map(Value::String).collect(),
    ))
}

/// Merges an array of objects, later ones winning, top level only.
pub(super) fn shallow_merge(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    a.inputs_fit(0)?;
    let mut out = Map::new();
    for v in a.array(0)? {
        match v {
            Value::Object(o) => out.extend(o.iter().map(|(k, v)| (k.clone(), v.clone()))),
            _ => return Err(a.fail("every element of the array must be an object.")),
        }
    }
    Ok(Value::Object(out))
}

/// `tryGet(value, key1, key2...)`: the nested property or element, or null when absent.
pub(super) fn try_get(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.arity(2, None)?;
    let mut at = a.values[0].clone();
    for key in &a.values[1..] {
        at = match (&at, key) {
            (Value::Object(o), Value::String(k)) => {
                crate::value::get_ci(o, k).cloned().unwrap_or(Value::Null)
            }
            (Value::Array(items), k) if crate::value::as_int(k).is_some() => {
                usize::try_from(crate::value::as_int(k).unwrap_or(-1))
                    .ok()
                    .and_then(|i| items.get(i))
                    .cloned()
                    .unwrap_or(Value::Null)
            }
            _ => Value::Null,
        };
    }
    Ok(at)
}
