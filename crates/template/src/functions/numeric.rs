//! Integer arithmetic. ARM integers are 64-bit; overflow is an error, not a wrap.

use serde_json::Value;

use super::Args;
use crate::error::EvalResult;
use crate::eval::Ctx;
use crate::value::as_int;

fn pair(a: &Args) -> EvalResult<(i64, i64)> {
    a.exactly(2)?;
    Ok((a.int(0)?, a.int(1)?))
}

fn checked(a: &Args, r: Option<i64>) -> EvalResult<Value> {
    r.map(Value::from)
        .ok_or_else(|| a.fail("the result is out of the range of a 64-bit integer."))
}

pub(super) fn add(a: &Args, _: &Ctx) -> EvalResult<Value> {
    let (x, y) = pair(a)?;
    checked(a, x.checked_add(y))
}

pub(super) fn sub(a: &Args, _: &Ctx) -> EvalResult<Value> {
    let (x, y) = pair(a)?;
    checked(a, x.checked_sub(y))
}

pub(super) fn mul(a: &Args, _: &Ctx) -> EvalResult<Value> {
    let (x, y) = pair(a)?;
    checked(a, x.checked_mul(y))
}

pub(super) fn div(a: &Args, _: &Ctx) -> EvalResult<Value> {
    let (x, y) = pair(a)?;
    if y == 0 {
        return Err(a.fail("the divisor must not be zero."));
    }
    checked(a, x.checked_div(y))
}

pub(super) fn modulo(a: &Args, _: &Ctx) -> EvalResult<Value> {
    let (x, y) = pair(a)?;
    if y == 0 {
        return Err(a.fail("the divisor must not be zero."));
    }
    checked(a, x.checked_rem(y))
}

pub(super) fn int(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    let n = match &a.values[0] {
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .map_err(|_| a.fail("the string can't be converted to an integer."))?,
        Value::Number(n) => match as_int(&a.values[0]) {
            Some(i) => i,
            None => n.as_f64().map(|f| f.trunc() as i64).unwrap_or_default(),
        },
        _ => return Err(a.type_error(0, "String or Integer")),
    };
    Ok(Value::from(n))
}

/// All integer arguments, arrays of integers flattened.
fn integers(a: &Args) -> EvalResult<Vec<i64>> {
    a.arity(1, None)?;
    let mut out = Vec::new();
    for (i, v) in a.values.iter().enumerate() {
        match v {
            Value::Array(items) => {
                for item in items {
                    out.push(
                        as_int(item).ok_or_else(|| {
                            a.fail("every element of the array must be an integer.")
                        })?,
                    );
                }
            }
            _ => out.push(a.int(i)?),
        }
    }
    if out.is_empty() {
        return Err(a.fail("there are no values to compare."));
    }
    Ok(out)
}

pub(super) fn min(a: &Args, _: &Ctx) -> EvalResult<Value> {
    Ok(Value::from(
        integers(a)?.into_iter().min().unwrap_or_default(),
    ))
}

pub(super) fn max(a: &Args, _: &Ctx) -> EvalResult<Value> {
    Ok(Value::from(
        integers(a)?.into_iter().max().unwrap_or_default(),
    ))
}
