//! Dependencies between instances (explicit `dependsOn`, the parent of a nested child,
//! `reference()`/`list*()` of another template resource, serial copy batches), cycle
//! detection and a stable topological order.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::error::TemplateError;
use crate::eval::{self, property_copies, Ctx};
use crate::expr::{self, Expr, Text};
use crate::nested::{EvalScope, Nested};
use crate::resources::{is_body_key, Instance};
use crate::value::get_ci;

/// The instances a `dependsOn` entry (or a `reference()` target) names: a copy loop name
/// (every instance), an id, a `Namespace/type/name`, a full name, or the last segment of a
/// name.
fn matches(instances: &[Instance], target: &str, me: usize) -> Vec<usize> {
    let symbol = by_symbol(instances, target, me);
    if !symbol.is_empty() {
        return symbol;
    }
    let lower = target.to_ascii_lowercase();
    let mut out: Vec<usize> = instances
        .iter()
        .enumerate()
        .filter(|(_, r)| r.loop_name.as_deref() == Some(lower.as_str()))
        .map(|(i, _)| i)
        .collect();
    let exact = |r: &Instance| {
        let id = r.planned.id.to_ascii_lowercase();
        if lower.starts_with('/') {
            id == lower.trim_end_matches('/')
        } else {
            r.planned.name.eq_ignore_ascii_case(target)
                || id.ends_with(&format!("/providers/{lower}"))
        }
    };
    let found: Vec<usize> = instances
        .iter()
        .enumerate()
        .filter(|(_, r)| exact(r))
        .map(|(i, _)| i)
        .collect();
    if found.is_empty() && !lower.contains('/') {
        // A nested child is often named by its own last segment (`"dependsOn": ["subnet1"]`).
        out.extend(
            instances
                .iter()
                .enumerate()
                .filter(|(i, r)| {
                    *i != me
                        && r.planned
                            .name
                            .rsplit('/')
                            .next()
                            .is_some_and(|n| n.eq_ignore_ascii_case(target))
                })
                .map(|(i, _)| i),
        );
    }
    out.extend(found);
    out
}

fn ctx_for<'a>(base: &Ctx<'a>, r: &Instance) -> Ctx<'a> {
    let mut c = base.clone();
    c.frames = r.frames.clone();
    c
}

/// Fills `depends_on` of every instance.
pub(crate) fn wire(instances: &mut [Instance], base: &Ctx) -> Result<(), TemplateError> {
    let mut all = Vec::with_capacity(instances.len());
    for (i, r) in instances.iter().enumerate() {
        let ctx = ctx_for(base, r);
        let mut deps = BTreeSet::new();
        deps.extend(r.parent);
        let path = &r.planned.path;
        if let Some(list) = get_ci(&r.decl, "dependsOn") {
            let Value::Array(list) = list else {
                return Err(TemplateError::validation(format!(
                    "The 'dependsOn' of the template resource '{}' must be an array.",
                    r.planned.name
                ))
                .at(format!("{path}.dependsOn")));
            };
            for (j, entry) in list.iter().enumerate() {
                let at = format!("{path}.dependsOn[{j}]");
                let target = match eval::json(entry, &ctx, &at)? {
                    Value::String(s) => s,
                    other => {
                        return Err(TemplateError::validation(format!(
                        "The entry of 'dependsOn' at '{at}' must be a string; it is of type '{}'.",
                        crate::value::type_name(&other)
                    ))
                        .at(at))
                    }
                };
                let found = matches(instances, &target, i);
                if found.is_empty() {
                    return Err(TemplateError::validation(format!(
                        "The resource '{target}' is not defined in the template. Please see https://aka.ms/arm-syntax for usage details."
                    ))
                    .at(at));
                }
                deps.extend(found);
            }
        }
        if let (Some(batch), Some(name)) = (r.serial_batch, &r.loop_name) {
            // Serial copy: each batch waits for the one before it.
            let same_loop: Vec<usize> = (0..instances.len())
                .filter(|k| {
                    instances[*k].loop_name.as_ref() == Some(name)
                        && instances[*k].parent == r.parent
                })
                .collect();
            let pos = same_loop.iter().position(|k| *k == i).unwrap_or(0);
            if pos >= batch {
                let start = (pos / batch - 1) * batch;
                deps.extend(&same_loop[start..start + batch]);
            }
        }
        for target in referenced(&r.decl, r.nested.as_ref(), &ctx) {
            let found = if target.contains('/') {
                matches(instances, &target, i)
            } else {
                let mut found = by_symbol(instances, &target, i);
                found.extend(
                    (0..instances.len())
                        .filter(|k| instances[*k].planned.name.eq_ignore_ascii_case(&target)),
                );
                found
            };
            deps.extend(found);
        }
        if r.nested.is_some() {
            // An outer-scope template may name its own resources as the deployment is named.
            deps.remove(&i);
        }
        all.push(deps.into_iter().collect::<Vec<_>>());
    }
    for (r, deps) in instances.iter_mut().zip(all) {
        r.planned.depends_on = deps;
    }
    Ok(())
}

/// Every instance of the declaration a symbolic name (languageVersion 2.0) names, but `me`.
fn by_symbol(instances: &[Instance], target: &str, me: usize) -> Vec<usize> {
    instances
        .iter()
        .enumerate()
        .filter(|(i, r)| *i != me && r.symbol.as_deref() == Some(target))
        .map(|(i, _)| i)
        .collect()
}

/// Targets of `reference()` and `list*()` in a body that can be computed while planning.
/// An outer-scope nested template is evaluated with the parent's symbols, so what it
/// references the parent deploys first; an inner-scope one references its own resources.
fn referenced(decl: &Map<String, Value>, nested: Option<&Nested>, ctx: &Ctx) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in decl {
        if is_body_key(k) {
            walk(v, ctx, &mut out);
        }
    }
    if let Some(n) = nested.filter(|n| n.scope == EvalScope::Outer) {
        walk(&n.template, ctx, &mut out);
    }
    out
}

fn walk(v: &Value, ctx: &Ctx, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            if let Ok(Text::Expression(e)) = expr::classify(s) {
                let mut args: Vec<&Expr> = Vec::new();
                e.walk_calls(&mut |name, a, _| {
                    let lower = name.to_ascii_lowercase();
                    if (lower == "reference" || lower.starts_with("list")) && !a.is_empty() {
                        args.push(&a[0]);
                    }
                });
                for a in args {
                    if let Ok(Value::String(t)) = eval::expr(a, ctx) {
                        out.push(t);
                    }
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| walk(i, ctx, out)),
        Value::Object(o) => {
            let copies = property_copies(o);
            for (k, v) in o {
                if !(copies.is_some() && k == "copy") {
                    walk(v, ctx, out);
                }
            }
            for spec in copies.into_iter().flatten() {
                let name = get_ci(spec, "name").and_then(Value::as_str);
                let count = eval::count(get_ci(spec, "count"), ctx, "").unwrap_or(0);
                if let Some(input) = get_ci(spec, "input") {
                    for i in 0..count {
                        walk(input, &ctx.with_frame(name, i as i64, false), out);
                    }
                }
            }
        }
        _ => {}
    }
}

/// A stable topological order (lowest index first among the ready), or the cycle.
pub(crate) fn order(instances: &[Instance]) -> Result<Vec<usize>, TemplateError> {
    let n = instances.len();
    let mut waiting: Vec<usize> = instances
        .iter()
        .map(|r| r.planned.depends_on.len())
        .collect();
    let mut dependents = vec![Vec::new(); n];
    for (i, r) in instances.iter().enumerate() {
        for d in &r.planned.depends_on {
            dependents[*d].push(i);
        }
    }
    let mut ready: BTreeSet<usize> = (0..n).filter(|i| waiting[*i] == 0).collect();
    let mut out = Vec::with_capacity(n);
    while let Some(i) = ready.pop_first() {
        out.push(i);
        for d in &dependents[i] {
            waiting[*d] -= 1;
            if waiting[*d] == 0 {
                ready.insert(*d);
            }
        }
    }
    if out.len() == n {
        return Ok(out);
    }
    Err(cycle(instances, &waiting))
}

/// Follows unmet dependencies from the first blocked instance until one repeats.
fn cycle(instances: &[Instance], waiting: &[usize]) -> TemplateError {
    let blocked = |i: usize| waiting[i] > 0;
    let start = (0..instances.len()).find(|i| blocked(*i)).unwrap_or(0);
    let mut path = vec![start];
    let mut at = start;
    loop {
        let next = instances[at]
            .planned
            .depends_on
            .iter()
            .copied()
            .find(|d| blocked(*d));
        let Some(next) = next else { break };
        if let Some(pos) = path.iter().position(|p| *p == next) {
            path.drain(..pos);
            path.push(next);
            break;
        }
        path.push(next);
        at = next;
    }
    let first = &instances[path[0]].planned;
    let chain: Vec<String> = path
        .iter()
        .map(|i| format!("'{}'", instances[*i].planned.id))
        .collect();
    TemplateError::validation(format!(
        "Circular dependency detected on resource: '{}'. The cycle is {}. Please see https://aka.ms/arm-template/#resources for usage details.",
        first.id,
        chain.join(" -> ")
    ))
    .at(first.path.clone())
}
