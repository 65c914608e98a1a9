//! Lambda functions: `map`, `filter`, `reduce`, `sort`, `toObject`, `mapValues`, `groupBy`.
//! Their `lambda('x', body)` argument is evaluated once per element with `x` bound, so
//! they are evaluated here rather than with every argument up front.

use serde_json::{Map, Value};

use crate::error::{EvalResult, Fail};
use crate::eval::{self, Ctx};
use crate::expr::Expr;
use crate::limits::{measure, too_large, MAX_VALUE_BYTES};
use crate::value::{fold, to_text, type_name};

/// The functions that take lambdas, and `lambdaVariables` itself.
pub(super) const LAMBDA_FUNCTIONS: &[&str] = &[
    "map",
    "filter",
    "reduce",
    "sort",
    "toobject",
    "mapvalues",
    "groupby",
];

fn fail(name: &str, detail: impl std::fmt::Display) -> Fail {
    Fail::invalid(format!(
        "Unable to evaluate template language function '{name}': {detail} Please see https://aka.ms/arm-template-lambda for usage details."
    ))
}

struct Lambda<'e> {
    params: Vec<String>,
    body: &'e Expr,
}

fn lambda<'e>(name: &str, e: &'e Expr, min: usize, max: usize) -> EvalResult<Lambda<'e>> {
    let Expr::Call { name: l, args, .. } = e else {
        return Err(fail(
            name,
            "the argument must be a lambda('param', expression).",
        ));
    };
    if !l.eq_ignore_ascii_case("lambda") || args.is_empty() {
        return Err(fail(
            name,
            "the argument must be a lambda('param', expression).",
        ));
    }
    let (body, params) = args.split_last().unwrap_or_else(|| unreachable!());
    let params = params
        .iter()
        .map(|p| match p {
            Expr::Str(s) => Ok(s.clone()),
            _ => Err(fail(
                name,
                "lambda parameter names must be string literals.",
            )),
        })
        .collect::<EvalResult<Vec<_>>>()?;
    if params.len() < min || params.len() > max {
        return Err(fail(
            name,
            format!("the lambda must take between {min} and {max} parameter(s)."),
        ));
    }
    Ok(Lambda { params, body })
}

impl Lambda<'_> {
    fn call(&self, ctx: &Ctx, values: &[Value]) -> EvalResult<Value> {
        ctx.budget.step()?;
        let mut inner = ctx.clone();
        for (p, v) in self.params.iter().zip(values) {
            inner.lambda.push((fold(p), v.clone()));
        }
        eval::expr(self.body, &inner)
    }
}

pub(super) fn lambda_variables(name: &str, args: &[Value], ctx: &Ctx) -> EvalResult<Value> {
    let [Value::String(var)] = args else {
        return Err(fail(name, "it takes the name of one lambda parameter."));
    };
    let key = fold(var);
    ctx.lambda
        .iter()
        .rev()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.clone())
        .ok_or_else(|| {
            fail(
                name,
                format!("there is no lambda parameter named '{var}' here."),
            )
        })
}

/// The running size of what a lambda function collects, refused past [`MAX_VALUE_BYTES`]
/// before the whole result is built.
struct Collected(usize);

impl Collected {
    fn add(&mut self, name: &str, v: &Value) -> EvalResult<()> {
        self.0 = self.0.saturating_add(measure(v)?);
        if self.0 > MAX_VALUE_BYTES {
            return Err(match too_large(self.0) {
                Fail::Eval { message, .. } => fail(name, message),
                other => other,
            });
        }
        Ok(())
    }
}

fn array_arg(name: &str, e: &Expr, ctx: &Ctx) -> EvalResult<Vec<Value>> {
    match eval::expr(e, ctx)? {
        Value::Array(a) => Ok(a),
        other => Err(fail(
            name,
            format!(
                "the first argument must be an array, not '{}'.",
                type_name(&other)
            ),
        )),
    }
}

fn arity(name: &str, args: &[Expr], min: usize, max: usize) -> EvalResult<()> {
    if args.len() < min || args.len() > max {
        return Err(fail(
            name,
            format!(
                "it takes between {min} and {max} arguments, not {}.",
                args.len()
            ),
        ));
    }
    Ok(())
}

pub(super) fn call(lower: &str, name: &str, args: &[Expr], ctx: &Ctx) -> EvalResult<Value> {
    match lower {
        "map" => {
            arity(name, args, 2, 2)?;
            let items = array_arg(name, &args[0], ctx)?;
            let f = lambda(name, &args[1], 1, 2)?;
            let mut size = Collected(1);
            let mut out = Vec::with_capacity(items.len());
            for (i, v) in items.into_iter().enumerate() {
                let r = f.call(ctx, &[v, Value::from(i)])?;
                size.add(name, &r)?;
                out.push(r);
            }
            Ok(Value::Array(out))
        }
        "filter" => {
            arity(name, args, 2, 2)?;
            let items = array_arg(name, &args[0], ctx)?;
            let f = lambda(name, &args[1], 1, 2)?;
            let mut out = Vec::new();
            for (i, v) in items.into_iter().enumerate() {
                match f.call(ctx, &[v.clone(), Value::from(i)])? {
                    Value::Bool(true) => out.push(v),
                    Value::Bool(false) => {}
                    other => {
                        return Err(fail(
                            name,
                            format!(
                                "the lambda must return a boolean, not '{}'.",
                                type_name(&other)
                            ),
                        ))
                    }
                }
            }
            Ok(Value::Array(out))
        }
        "reduce" => {
            arity(name, args, 3, 3)?;
            let items = array_arg(name, &args[0], ctx)?;
            let mut acc = eval::expr(&args[1], ctx)?;
            let f = lambda(name, &args[2], 2, 3)?;
            for (i, v) in items.into_iter().enumerate() {
                acc = f.call(ctx, &[acc, v, Value::from(i)])?;
            }
            Ok(acc)
        }
        "sort" => {
            arity(name, args, 2, 2)?;
            let mut items = array_arg(name, &args[0], ctx)?;
            let f = lambda(name, &args[1], 2, 2)?;
            // Insertion sort: the comparison can fail, and templates sort short arrays.
            for i in 1..items.len() {
                let mut j = i;
                while j > 0 {
                    let before = f.call(ctx, &[items[j].clone(), items[j - 1].clone()])?;
                    if before != Value::Bool(true) {
                        break;
                    }
                    items.swap(j, j - 1);
                    j -= 1;
                }
            }
            Ok(Value::Array(items))
        }
        "toobject" => {
            arity(name, args, 2, 3)?;
            let items = array_arg(name, &args[0], ctx)?;
            let key = lambda(name, &args[1], 1, 1)?;
            let value = args.get(2).map(|e| lambda(name, e, 1, 1)).transpose()?;
            let mut out = Map::new();
            let mut size = Collected(1);
            for v in items {
                let k = match key.call(ctx, std::slice::from_ref(&v))? {
                    Value::String(s) => s,
                    other => to_text(&other),
                };
                let val = match &value {
                    Some(f) => f.call(ctx, &[v])?,
                    None => v,
                };
                size.add(name, &val)?;
                size.0 += k.len() + 3;
                out.insert(k, val);
            }
            Ok(Value::Object(out))
        }
        "mapvalues" => {
            arity(name, args, 2, 2)?;
            let Value::Object(o) = eval::expr(&args[0], ctx)? else {
                return Err(fail(name, "the first argument must be an object."));
            };
            let f = lambda(name, &args[1], 1, 1)?;
            let mut size = Collected(1);
            let mut out = Map::new();
            for (k, v) in o {
                let r = f.call(ctx, &[v])?;
                size.add(name, &r)?;
                out.insert(k, r);
            }
            Ok(Value::Object(out))
        }
        _ => {
            // groupBy
            arity(name, args, 2, 2)?;
            let items = array_arg(name, &args[0], ctx)?;
            let f = lambda(name, &args[1], 1, 1)?;
            let mut out = Map::new();
            for v in items {
                let k = to_text(&f.call(ctx, std::slice::from_ref(&v))?);
                if let Value::Array(group) =
                    out.entry(k).or_insert_with(|| Value::Array(Vec::new()))
                {
                    group.push(v);
                }
            }
            Ok(Value::Object(out))
        }
    }
}
