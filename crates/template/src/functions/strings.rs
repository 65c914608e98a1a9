//! String functions. Comparisons are ordinal, except `startsWith`, `endsWith`, `indexOf`
//! and `lastIndexOf`, which ARM documents as case-insensitive.

use serde_json::Value;

use super::Args;
use crate::error::EvalResult;
use crate::eval::Ctx;
use crate::value::{equal, to_text};

/// Strings (integers and booleans are printed) or arrays, never both.
pub(super) fn concat(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.arity(1, None)?;
    a.inputs_fit(0)?;
    let arrays = a
        .values
        .iter()
        .find(|v| !v.is_null())
        .is_some_and(Value::is_array);
    if arrays {
        let mut out = Vec::new();
        for (i, v) in a.values.iter().enumerate() {
            match v {
                Value::Array(items) => out.extend(items.iter().cloned()),
                Value::Null => {}
                _ => return Err(a.type_error(i, "Array")),
            }
        }
        return Ok(Value::Array(out));
    }
    let mut out = String::new();
    for (i, v) in a.values.iter().enumerate() {
        match v {
            Value::Array(_) | Value::Object(_) => return Err(a.type_error(i, "String")),
            v => out.push_str(&to_text(v)),
        }
    }
    Ok(Value::String(out))
}

pub(super) fn string(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    Ok(Value::String(to_text(&a.values[0])))
}

pub(super) fn to_lower(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    Ok(Value::String(a.str(0)?.to_lowercase()))
}

pub(super) fn to_upper(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    Ok(Value::String(a.str(0)?.to_uppercase()))
}

pub(super) fn trim(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    Ok(Value::String(a.str(0)?.trim().to_string()))
}

/// `split(s, ',')` or `split(s, createArray(',', ';'))`.
pub(super) fn split(a: &Args, ctx: &Ctx) -> EvalResult<Value> {
    a.exactly(2)?;
    let s = a.str(0)?;
    let delimiters: Vec<&str> = match &a.values[1] {
        Value::String(d) => vec![d.as_str()],
        Value::Array(ds) => ds
            .iter()
            .map(|d| {
                d.as_str()
                    .ok_or_else(|| a.fail("every delimiter must be a string."))
            })
            .collect::<EvalResult<_>>()?,
        _ => return Err(a.type_error(1, "String")),
    };
    let delimiters: Vec<&str> = delimiters.into_iter().filter(|d| !d.is_empty()).collect();
    let mut parts = Vec::new();
    let mut size = 1;
    let mut rest = s;
    loop {
        // Each part scans the rest of the string once per delimiter.
        ctx.budget
            .charge(delimiters.len() * (1 + rest.len() / 256))?;
        let next = delimiters
            .iter()
            .filter_map(|d| rest.find(d).map(|at| (at, d.len())))
            .min_by_key(|(at, _)| *at);
        match next {
            Some((at, len)) => {
                size += at + 3;
                a.reserve(size)?;
                parts.push(Value::String(rest[..at].to_string()));
                rest = &rest[at + len..];
            }
            None => {
                parts.push(Value::String(rest.to_string()));
                break;
            }
        }
    }
    Ok(Value::Array(parts))
}

pub(super) fn join(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(2)?;
    let items = a.array(0)?;
    let delimiter = a.str(1)?;
    let mut out = String::new();
    for (i, v) in items.iter().enumerate() {
        if matches!(v, Value::Array(_) | Value::Object(_)) {
            return Err(a.fail("every element of the array must be a string, integer or boolean."));
        }
        if i > 0 {
            out.push_str(delimiter);
        }
        out.push_str(&to_text(v));
        a.reserve(out.len())?;
    }
    Ok(Value::String(out))
}

pub(super) fn replace(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(3)?;
    let (s, old, new) = (a.str(0)?, a.str(1)?, a.str(2)?);
    if old.is_empty() {
        return Err(a.fail("the string to replace must not be empty."));
    }
    if new.len() > old.len() {
        let found = s.matches(old).count();
        a.reserve(s.len() + found.saturating_mul(new.len() - old.len()))?;
    }
    Ok(Value::String(s.replace(old, new)))
}

pub(super) fn substring(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.arity(1, Some(3))?;
    let chars: Vec<char> = a.str(0)?.chars().collect();
    let start = if a.len() > 1 { a.int(1)? } else { 0 };
    let len = if a.len() > 2 {
        a.int(2)?
    } else {
        (chars.len() as i64).saturating_sub(start)
    };
    if start < 0 || len < 0 || start.saturating_add(len) > chars.len() as i64 {
        return Err(a.fail(format!(
            "The index and length parameters must refer to a location within the string. The index parameter: '{start}', the length parameter: '{len}', the length of the string parameter: '{}'.",
            chars.len()
        )));
    }
    Ok(Value::String(
        chars[start as usize..(start + len) as usize]
            .iter()
            .collect(),
    ))
}

pub(super) fn starts_with(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(2)?;
    Ok(Value::Bool(
        a.str(0)?
            .to_lowercase()
            .starts_with(&a.str(1)?.to_lowercase()),
    ))
}

pub(super) fn ends_with(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(2)?;
    Ok(Value::Bool(
        a.str(0)?
            .to_lowercase()
            .ends_with(&a.str(1)?.to_lowercase()),
    ))
}

pub(super) fn index_of(a: &Args, _: &Ctx) -> EvalResult<Value> {
    find(a, false)
}

pub(super) fn last_index_of(a: &Args, _: &Ctx) -> EvalResult<Value> {
    find(a, true)
}

/// Position of a substring (case-insensitive, in characters) or of an array element.
fn find(a: &Args, last: bool) -> EvalResult<Value> {
    a.exactly(2)?;
    if let Value::Array(items) = &a.values[0] {
        let found = if last {
            items.iter().rposition(|v| equal(v, &a.values[1]))
        } else {
            items.iter().position(|v| equal(v, &a.values[1]))
        };
        return Ok(Value::from(found.map_or(-1, |i| i as i64)));
    }
    let hay = a.str(0)?.to_lowercase();
    let needle = a.str(1)?.to_lowercase();
    let at = if last {
        hay.rfind(&needle)
    } else {
        hay.find(&needle)
    };
    Ok(Value::from(
        at.map_or(-1, |b| hay[..b].chars().count() as i64),
    ))
}

pub(super) fn pad_left(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.arity(2, Some(3))?;
    let value = match &a.values[0] {
        Value::String(s) => s.clone(),
        Value::Number(n) if n.is_i64() => n.to_string(),
        _ => return Err(a.type_error(0, "String")),
    };
    let total = a.int(1)?;
    let pad = if a.len() == 3 {
        let p = a.str(2)?;
        let mut chars = p.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => c,
            _ => return Err(a.fail("the padding character must be a single character.")),
        }
    } else {
        ' '
    };
    let missing = usize::try_from(total)
        .unwrap_or(0)
        .saturating_sub(value.chars().count());
    a.reserve(
        missing
            .saturating_mul(pad.len_utf8())
            .saturating_add(value.len()),
    )?;
    Ok(Value::String(format!(
        "{}{value}",
        pad.to_string().repeat(missing)
    )))
}
