//! Resource ids and `reference()`. The `list*` family and other functions that need a live
//! resource provider are known but not performed.

use serde_json::Value;

use super::deployment::not_here;
use super::Args;
use crate::error::{EvalResult, Fail};
use crate::eval::{Ctx, Phase, World};
use crate::ids::{self, name_segments, provider_path, provider_tail};
use crate::value::to_text;

pub(super) fn not_supported(a: &Args, _: &Ctx) -> EvalResult<Value> {
    Err(Fail::code(
        "NotImplemented",
        format!(
            "The template function '{}' is not supported by cerulean.",
            a.name
        ),
    ))
}

/// Where the resource type sits among the arguments: the first argument with a `/`
/// among the first `max_prefix + 1`.
fn type_index(a: &Args, max_prefix: usize) -> EvalResult<usize> {
    (0..a.len().min(max_prefix + 1))
        .find(|i| a.values[*i].as_str().is_some_and(|s| s.contains('/')))
        .ok_or_else(|| {
            a.fail("the resource type (e.g. 'Microsoft.Network/virtualNetworks') is missing.")
        })
}

/// `providers/...` from the type at `t` and the names after it.
fn typed_path(a: &Args, t: usize) -> EvalResult<String> {
    let type_name = a.str(t)?;
    let names: Vec<String> = a.values[t + 1..]
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::String(_) | Value::Number(_) => Ok(to_text(v)),
            _ => Err(a.type_error(t + 1 + i, "String")),
        })
        .collect::<EvalResult<_>>()?;
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    provider_path(type_name, &refs).ok_or_else(|| {
        a.fail(format!(
            "the type '{type_name}' requires '{}' resource name argument(s).",
            name_segments(type_name)
        ))
    })
}

/// The id of a resource of the subscription itself, of the type at argument `t` and
/// `path` (`providers/...`), as a declaration's (a resource group's is its own).
fn subscription_level(a: &Args, t: usize, subscription: &str, path: &str) -> EvalResult<String> {
    let name = path.rsplit('/').next().unwrap_or_default();
    Ok(ids::resource_id(subscription, None, a.str(t)?, name, path))
}

/// `resourceId([subscriptionId], [resourceGroupName], type, name1, name2...)`.
pub(super) fn resource_id(a: &Args, ctx: &Ctx) -> EvalResult<Value> {
    a.arity(2, None)?;
    let t = type_index(a, 2)?;
    let scope = &ctx.world.scope;
    let path = typed_path(a, t)?;
    let (sub, group) = match t {
        // In a subscription deployment, a resource of the subscription itself.
        0 if scope.at_subscription() => {
            return subscription_level(a, t, &scope.subscription_id, &path).map(Value::String)
        }
        0 => (
            scope.subscription_id.as_str(),
            scope.resource_group.as_str(),
        ),
        1 => (scope.subscription_id.as_str(), a.str(0)?),
        _ => (a.str(0)?, a.str(1)?),
    };
    Ok(Value::String(format!(
        "{}/{path}",
        ids::group_prefix(sub, group)
    )))
}

/// `subscriptionResourceId([subscriptionId], type, name1...)`.
pub(super) fn subscription_resource_id(a: &Args, ctx: &Ctx) -> EvalResult<Value> {
    a.arity(2, None)?;
    let t = type_index(a, 1)?;
    let sub = if t == 1 {
        a.str(0)?
    } else {
        ctx.world.scope.subscription_id.as_str()
    };
    let path = typed_path(a, t)?;
    subscription_level(a, t, sub, &path).map(Value::String)
}

pub(super) fn tenant_resource_id(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.arity(2, None)?;
    let path = typed_path(a, 0)?;
    Ok(Value::String(format!("/{path}")))
}

/// `extensionResourceId(resourceId, type, name1...)`: an extension resource applied to
/// another resource (or scope).
pub(super) fn extension_resource_id(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.arity(3, None)?;
    let base = a.str(0)?.trim_end_matches('/');
    let path = typed_path(a, 1)?;
    Ok(Value::String(format!("{base}/{path}")))
}

/// `resourceInfo('symbolicName')` (languageVersion 2.0): a declaration's id, name, type and
/// api-version, known before it is deployed.
pub(super) fn resource_info(a: &Args, ctx: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    let symbol = a.str(0)?;
    let e = ctx.world.by_symbol(symbol).ok_or_else(|| {
        a.fail(format!(
            "'{symbol}' is not the symbolic name of a resource of the template."
        ))
    })?;
    Ok(serde_json::json!({
        "id": e.id,
        "name": e.name.rsplit('/').next().unwrap_or(&e.name),
        "type": e.type_name,
        "apiVersion": e.api_version,
    }))
}

/// `reference(nameOrId, [apiVersion], ['Full'])`: the resource's `properties`, or with
/// `'Full'` its whole JSON.
pub(super) fn reference(a: &Args, ctx: &Ctx) -> EvalResult<Value> {
    a.arity(1, Some(3))?;
    let target = a.str(0)?;
    let full = a.len() == 3 && a.str(2)?.eq_ignore_ascii_case("full");
    let rt = match (ctx.phase, ctx.rt) {
        (Phase::Apply, Some(rt)) => rt,
        _ => {
            return Err(not_here(
                a.name,
                " It can only be used in the properties of a resource and in outputs.",
            ))
        }
    };
    let id = resolve_reference_target(ctx.world, target)?;
    let Some(resource) = rt.get(&id) else {
        let group = ids::group_of(&id).unwrap_or(&ctx.world.scope.resource_group);
        return Err(Fail::code(
            "ResourceNotFound",
            format!(
                "The Resource '{}' under resource group '{group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
                provider_tail(&id)
            ),
        ));
    };
    if full {
        return Ok(resource);
    }
    Ok(resource
        .get("properties")
        .cloned()
        .unwrap_or_else(|| Value::Object(Default::default())))
}

/// The id `reference()` means: an id as given, or the template resource with that name
/// (full name, or `type/name`).
fn resolve_reference_target(world: &World, target: &str) -> EvalResult<String> {
    if target.starts_with('/') {
        return Ok(target.to_string());
    }
    // A symbolic name (languageVersion 2.0) names its declaration.
    if let Some(e) = world.by_symbol(target) {
        return Ok(e.id.clone());
    }
    if let Some(e) = world
        .resources
        .iter()
        .find(|e| e.name.eq_ignore_ascii_case(target))
    {
        return Ok(e.id.clone());
    }
    let suffix = format!("/providers/{}", target.to_ascii_lowercase());
    if let Some(e) = world
        .resources
        .iter()
        .find(|e| e.id.to_ascii_lowercase().ends_with(&suffix))
    {
        return Ok(e.id.clone());
    }
    Err(Fail::invalid(format!(
        "The template reference '{target}' is not valid: could not find template resource or resource copy with this name. Please see https://aka.ms/arm-function-reference for usage details."
    )))
}
