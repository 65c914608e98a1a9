//! Evaluation: one expression against a context, and a whole JSON value (every expression
//! string in it, property `copy` loops expanded).

use serde_json::{Map, Value};

use crate::error::{EvalResult, Fail, TemplateError};
use crate::expr::{self, Expr, Text};
use crate::limits::{measure, too_large, Budget, MAX_COPY, MAX_VALUE_BYTES};
use crate::value::{as_int, fold, get_ci, type_name};
use crate::{functions, Runtime, Scope};

/// When an expression is evaluated decides what it may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// A parameter's `defaultValue`: `utcNow()` and `newGuid()` are allowed, variables and
    /// resources are not.
    ParameterDefault,
    /// A variable: parameters and other variables, no resources.
    Variable,
    /// Names, types, conditions, counts and `dependsOn` while planning: no `reference()`.
    Plan,
    /// Bodies and outputs, while deploying: `reference()` asks the runtime.
    Apply,
}

/// One copy loop the expression sits in: `copyIndex()` reads it.
#[derive(Clone, Debug)]
pub(crate) struct Frame {
    /// Lower-case loop name (`None` for an output copy, which has no name).
    pub name: Option<String>,
    pub index: i64,
    /// A resource or output loop, which `copyIndex()` without a name refers to.
    pub resource: bool,
}

/// A template resource instance as expressions see it (for `reference('name')` and
/// `dependsOn`).
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub id: String,
    pub name: String,
    /// Its symbolic name (languageVersion 2.0), type and api-version (`resourceInfo`).
    pub symbol: Option<String>,
    pub type_name: String,
    pub api_version: String,
}

/// What stays the same for every expression of a deployment.
#[derive(Clone, Debug)]
pub(crate) struct World {
    pub scope: Scope,
    pub content_version: String,
    pub resources: Vec<Entry>,
    /// The template's user-defined functions.
    pub functions: crate::udf::UserFunctions,
}

impl World {
    /// The declaration a symbolic name (languageVersion 2.0) names.
    pub(crate) fn by_symbol(&self, symbol: &str) -> Option<&Entry> {
        self.resources
            .iter()
            .find(|e| e.symbol.as_deref() == Some(symbol))
    }
}

/// Where parameter and variable values come from: lazily resolved while planning, a
/// plain table afterwards.
pub(crate) trait Symbols {
    fn parameter(&self, name: &str) -> EvalResult<Value>;
    fn variable(&self, name: &str) -> EvalResult<Value>;
}

#[derive(Clone)]
pub(crate) struct Ctx<'a> {
    pub world: &'a World,
    pub symbols: &'a dyn Symbols,
    pub rt: Option<&'a dyn Runtime>,
    pub phase: Phase,
    pub frames: Vec<Frame>,
    /// Values bound by the lambdas around the expression (`lambdaVariables('x')`).
    pub lambda: Vec<(String, Value)>,
    /// What the deployment has spent so far, and how deep evaluation is.
    pub budget: &'a Budget,
}

impl<'a> Ctx<'a> {
    pub(crate) fn with_frame(&self, name: Option<&str>, index: i64, resource: bool) -> Ctx<'a> {
        let mut c = self.clone();
        c.frames.push(Frame {
            name: name.map(fold),
            index,
            resource,
        });
        c
    }
}

pub(crate) fn expr(e: &Expr, ctx: &Ctx) -> EvalResult<Value> {
    let _level = ctx.budget.enter()?;
    match e {
        Expr::Str(s) => Ok(Value::String(s.clone())),
        Expr::Int(n) => Ok(Value::from(*n)),
        Expr::Call { name, args, pos } => functions::call(name, args, *pos, ctx),
        Expr::Member { target, name, pos } => {
            let v = expr(target, ctx)?;
            member(&v, name).map_err(|f| f.at_pos(*pos))
        }
        Expr::Index { target, index, pos } => {
            let v = expr(target, ctx)?;
            let i = expr(index, ctx)?;
            // A computed key may come from a secure parameter: only a literal is echoed.
            let literal = matches!(**index, Expr::Str(_) | Expr::Int(_));
            self::index(&v, &i, literal).map_err(|f| f.at_pos(*pos))
        }
    }
}

fn member(v: &Value, name: &str) -> EvalResult<Value> {
    match v {
        Value::Object(o) => get_ci(o, name).cloned().ok_or_else(|| {
            let available: Vec<&str> = o.keys().map(String::as_str).collect();
            Fail::invalid(format!(
                "The language expression property '{name}' doesn't exist, available properties are '{}'.",
                available.join(", ")
            ))
        }),
        other => Err(Fail::invalid(format!(
            "The language expression property '{name}' can't be evaluated: the value is of type '{}', not 'Object'.",
            type_name(other)
        ))),
    }
}

fn index(v: &Value, i: &Value, literal: bool) -> EvalResult<Value> {
    let shown = if literal {
        format!("'{}'", crate::value::to_text(i))
    } else {
        "computed by the expression".to_string()
    };
    match (v, i) {
        (Value::Array(a), i) if as_int(i).is_some() => {
            let n = as_int(i).unwrap_or_default();
            usize::try_from(n)
                .ok()
                .and_then(|n| a.get(n))
                .cloned()
                .ok_or_else(|| {
                    Fail::invalid(format!(
                        "The language expression property array index {shown} is out of bounds: the array has {} element(s).",
                        a.len()
                    ))
                })
        }
        (Value::Object(o), Value::String(s)) => get_ci(o, s).cloned().ok_or_else(|| {
            let available: Vec<&str> = o.keys().map(String::as_str).collect();
            Fail::invalid(format!(
                "The language expression property {shown} doesn't exist, available properties are '{}'.",
                available.join(", ")
            ))
        }),
        (target, i) => Err(Fail::invalid(format!(
            "The language expression property {shown} can't be evaluated: a value of type '{}' can't be indexed by a value of type '{}'.",
            type_name(target),
            type_name(i)
        ))),
    }
}

/// Evaluates one JSON string: literal text is returned as is (an escaped `[[` reduced).
pub(crate) fn string(s: &str, ctx: &Ctx, path: &str) -> Result<Value, TemplateError> {
    match expr::classify(s) {
        Ok(Text::Literal(t)) => Ok(Value::String(t.into_owned())),
        Ok(Text::Expression(e)) => expr(&e, ctx).map_err(|f| f.locate(path, s)),
        Err(f) => Err(f.locate(path, s)),
    }
}

/// Evaluates every expression inside `v`. Objects whose `copy` is a list of
/// `{name, count, input}` get one array property per entry.
pub(crate) fn json(v: &Value, ctx: &Ctx, path: &str) -> Result<Value, TemplateError> {
    sized(v, ctx, path).map(|(v, _)| v)
}

/// [`json`], with the result's size (as [`measure`] counts it). A result larger than
/// [`MAX_VALUE_BYTES`] is refused while it grows, not once it is built.
pub(crate) fn sized(v: &Value, ctx: &Ctx, path: &str) -> Result<(Value, usize), TemplateError> {
    let _level = ctx.budget.enter().map_err(|f| f.locate(path, ""))?;
    match v {
        Value::String(s) => {
            let out = string(s, ctx, path)?;
            let size = match &out {
                Value::String(t) => t.len() + 2,
                other => measure(other).map_err(|f| f.locate(path, s))?,
            };
            Ok((out, size))
        }
        Value::Array(items) => {
            let mut size = 1 + items.len();
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let (v, n) = sized(item, ctx, &format!("{path}[{i}]"))?;
                size = grow(size, n, path)?;
                out.push(v);
            }
            Ok((Value::Array(out), size))
        }
        Value::Object(o) => object(o, ctx, path),
        other => Ok((other.clone(), 8)),
    }
}

/// `size + more`, refused past [`MAX_VALUE_BYTES`].
fn grow(size: usize, more: usize, path: &str) -> Result<usize, TemplateError> {
    let total = size.saturating_add(more);
    if total > MAX_VALUE_BYTES {
        return Err(too_large(total).locate(path, ""));
    }
    Ok(total)
}

fn object(o: &Map<String, Value>, ctx: &Ctx, path: &str) -> Result<(Value, usize), TemplateError> {
    let loops = property_copies(o);
    let mut out = Map::new();
    let mut size = 1 + o.len();
    for (k, v) in o {
        if loops.is_some() && k == "copy" {
            continue;
        }
        let (v, n) = sized(v, ctx, &join(path, k))?;
        size = grow(size, n + k.len() + 3, path)?;
        out.insert(k.clone(), v);
    }
    for (i, spec) in loops.into_iter().flatten().enumerate() {
        let at = format!("{}[{i}]", join(path, "copy"));
        let (name, items, n) = copy_loop(spec, ctx, &at)?;
        size = grow(size, n + name.len() + 3, path)?;
        out.insert(name, Value::Array(items));
    }
    Ok((Value::Object(out), size))
}

/// One `{name, count, input}` loop: its name, the evaluated items and their size together.
pub(crate) fn copy_loop(
    spec: &Map<String, Value>,
    ctx: &Ctx,
    path: &str,
) -> Result<(String, Vec<Value>, usize), TemplateError> {
    let name = match get_ci(spec, "name") {
        Some(Value::String(s)) => match string(s, ctx, &format!("{path}.name"))? {
            Value::String(s) if !s.is_empty() => s,
            _ => {
                return Err(
                    TemplateError::validation("The copy name must be a non-empty string.").at(path),
                )
            }
        },
        _ => {
            return Err(TemplateError::validation("The copy property must have a 'name'.").at(path))
        }
    };
    let count = count(get_ci(spec, "count"), ctx, &format!("{path}.count"))?;
    let input = get_ci(spec, "input").ok_or_else(|| {
        TemplateError::validation(format!("The copy property '{name}' must have an 'input'."))
            .at(path)
    })?;
    let mut items = Vec::with_capacity(count);
    let mut size = 1 + count;
    let at = format!("{path}.input");
    for i in 0..count {
        ctx.budget.step().map_err(|f| f.locate(&at, ""))?;
        let inner = ctx.with_frame(Some(&name), i as i64, false);
        let (v, n) = sized(input, &inner, &at)?;
        size = grow(size, n, path)?;
        items.push(v);
    }
    Ok((name, items, size))
}

/// A copy `count`: an integer from 0 to 800, literal or computed.
pub(crate) fn count(v: Option<&Value>, ctx: &Ctx, path: &str) -> Result<usize, TemplateError> {
    let Some(v) = v else {
        return Err(TemplateError::validation("The copy property must have a 'count'.").at(path));
    };
    let v = json(v, ctx, path)?;
    let n = as_int(&v).or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()));
    match n {
        Some(n) if (0..=MAX_COPY).contains(&n) => Ok(n as usize),
        Some(n) => Err(TemplateError::validation(format!(
            "The copy count '{n}' at '{path}' is not valid: it must be between 0 and {MAX_COPY}."
        ))
        .at(path)),
        None => Err(TemplateError::validation(format!(
            "The copy count at '{path}' must be an integer; it is of type '{}'.",
            type_name(&v)
        ))
        .at(path)),
    }
}

/// The property copies of an object, when its `copy` has that shape (otherwise `copy` is
/// an ordinary property).
pub(crate) fn property_copies(o: &Map<String, Value>) -> Option<Vec<&Map<String, Value>>> {
    let Value::Array(specs) = o.get("copy")? else {
        return None;
    };
    specs
        .iter()
        .map(|s| match s {
            Value::Object(m) if get_ci(m, "name").is_some() && get_ci(m, "input").is_some() => {
                Some(m)
            }
            _ => None,
        })
        .collect()
}

pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}
