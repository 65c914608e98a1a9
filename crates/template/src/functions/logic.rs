//! Logical and comparison functions. `if`, `and` and `or` evaluate their arguments only as
//! far as needed, so the branch not taken may refer to things that do not exist.

use std::cmp::Ordering;

use serde_json::Value;

use super::Args;
use crate::error::{EvalResult, Fail};
use crate::eval::{self, Ctx};
use crate::expr::Expr;
use crate::value::{as_int, equal, type_name};

fn arity_fail(name: &str, expected: &str, n: usize) -> Fail {
    Fail::invalid(format!(
        "The template language function '{name}' must have {expected} parameter(s), but {n} were provided. Please see https://aka.ms/arm-functions for usage details."
    ))
}

fn as_bool(name: &str, v: &Value) -> EvalResult<bool> {
    v.as_bool().ok_or_else(|| {
        Fail::invalid(format!(
            "The template language function '{name}' expects its parameters to be of type 'Boolean'. The provided value is of type '{}'. Please see https://aka.ms/arm-functions for usage details.",
            type_name(v)
        ))
    })
}

pub(super) fn lazy_if(args: &[Expr], ctx: &Ctx) -> EvalResult<Value> {
    if args.len() != 3 {
        return Err(arity_fail("if", "3", args.len()));
    }
    let cond = as_bool("if", &eval::expr(&args[0], ctx)?)?;
    eval::expr(if cond { &args[1] } else { &args[2] }, ctx)
}

/// `and` stops at the first false, `or` at the first true.
pub(super) fn lazy_and_or(name: &str, args: &[Expr], ctx: &Ctx, is_and: bool) -> EvalResult<Value> {
    if args.len() < 2 {
        return Err(arity_fail(name, "at least 2", args.len()));
    }
    for a in args {
        let b = as_bool(name, &eval::expr(a, ctx)?)?;
        if b != is_and {
            return Ok(Value::Bool(b));
        }
    }
    Ok(Value::Bool(is_and))
}

pub(super) fn not(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    Ok(Value::Bool(!a.boolean(0)?))
}

pub(super) fn equals(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(2)?;
    Ok(Value::Bool(equal(&a.values[0], &a.values[1])))
}

pub(super) fn bool(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    let b = match &a.values[0] {
        Value::Bool(b) => *b,
        Value::String(s) if s.eq_ignore_ascii_case("true") => true,
        Value::String(s) if s.eq_ignore_ascii_case("false") => false,
        v if as_int(v).is_some() => as_int(v) != Some(0),
        _ => {
            return Err(
                a.fail("the value can't be converted to a boolean: use 'true', 'false', 1 or 0.")
            )
        }
    };
    Ok(Value::Bool(b))
}

pub(super) fn true_(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(0)?;
    Ok(Value::Bool(true))
}

pub(super) fn false_(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(0)?;
    Ok(Value::Bool(false))
}

/// Integers compare as numbers, strings ordinally; anything else is an error.
fn compare(a: &Args) -> EvalResult<Ordering> {
    a.exactly(2)?;
    match (&a.values[0], &a.values[1]) {
        (Value::String(x), Value::String(y)) => Ok(x.cmp(y)),
        (x, y) => match (as_int(x), as_int(y)) {
            (Some(i), Some(j)) => Ok(i.cmp(&j)),
            _ => match (x.as_f64(), y.as_f64()) {
                (Some(f), Some(g)) => f.partial_cmp(&g).ok_or_else(|| a.fail("the values can't be compared.")),
                _ => Err(a.fail(format!(
                    "the values must both be integers or both be strings; they are of types '{}' and '{}'.",
                    type_name(x),
                    type_name(y)
                ))),
            },
        },
    }
}

pub(super) fn greater(a: &Args, _: &Ctx) -> EvalResult<Value> {
    Ok(Value::Bool(compare(a)? == Ordering::Greater))
}

pub(super) fn greater_or_equals(a: &Args, _: &Ctx) -> EvalResult<Value> {
    Ok(Value::Bool(compare(a)? != Ordering::Less))
}

pub(super) fn less(a: &Args, _: &Ctx) -> EvalResult<Value> {
    Ok(Value::Bool(compare(a)? == Ordering::Less))
}

pub(super) fn less_or_equals(a: &Args, _: &Ctx) -> EvalResult<Value> {
    Ok(Value::Bool(compare(a)? != Ordering::Greater))
}
