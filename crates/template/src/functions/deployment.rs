//! Values of the deployment itself: parameters, variables, scope objects, the copy index,
//! and the two non-deterministic functions that only parameter defaults may use.

use chrono::Utc;
use serde_json::{json, Value};

use super::format::dotnet_datetime;
use super::Args;
use crate::error::{EvalResult, Fail};
use crate::eval::{Ctx, Phase};
use crate::value::fold;

pub(crate) fn not_here(name: &str, hint: &str) -> Fail {
    Fail::invalid(format!(
        "The template function '{name}' is not expected at this location.{hint} Please see https://aka.ms/arm-functions for usage details."
    ))
}

pub(super) fn parameters(a: &Args, ctx: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    ctx.symbols.parameter(a.str(0)?)
}

pub(super) fn variables(a: &Args, ctx: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    if ctx.phase == Phase::ParameterDefault {
        return Err(not_here(
            a.name,
            " A parameter's default value can't use variables.",
        ));
    }
    ctx.symbols.variable(a.str(0)?)
}

pub(super) fn resource_group(a: &Args, ctx: &Ctx) -> EvalResult<Value> {
    a.exactly(0)?;
    let s = &ctx.world.scope;
    if s.at_subscription() {
        return Err(not_here(
            a.name,
            " A subscription deployment has no resource group.",
        ));
    }
    Ok(json!({
        "id": format!("/subscriptions/{}/resourceGroups/{}", s.subscription_id, s.resource_group),
        "name": s.resource_group,
        "type": "Microsoft.Resources/resourceGroups",
        "location": s.resource_group_location,
        "tags": s.resource_group_tags,
        "properties": {"provisioningState": "Succeeded"},
    }))
}

pub(super) fn subscription(a: &Args, ctx: &Ctx) -> EvalResult<Value> {
    a.exactly(0)?;
    let s = &ctx.world.scope;
    Ok(json!({
        "id": format!("/subscriptions/{}", s.subscription_id),
        "subscriptionId": s.subscription_id,
        "tenantId": s.tenant_id,
        "displayName": s.subscription_name,
    }))
}

pub(super) fn tenant(a: &Args, ctx: &Ctx) -> EvalResult<Value> {
    a.exactly(0)?;
    let t = &ctx.world.scope.tenant_id;
    Ok(json!({"id": format!("/tenants/{t}"), "tenantId": t}))
}

pub(super) fn deployment(a: &Args, ctx: &Ctx) -> EvalResult<Value> {
    a.exactly(0)?;
    let s = &ctx.world.scope;
    // Parameters are left out on purpose: secure values must not be readable this way.
    let mut d = json!({
        "name": s.deployment_name,
        "properties": {
            "template": {"contentVersion": ctx.world.content_version},
            "mode": "Incremental",
            "provisioningState": "Accepted",
        },
    });
    if let Some(location) = &s.subscription_location {
        d["location"] = json!(location);
    }
    Ok(d)
}

pub(super) fn environment(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(0)?;
    Ok(json!({
        "name": "AzureCloud",
        "gallery": "https://gallery.azure.com/",
        "graph": "https://graph.windows.net/",
        "portal": "https://portal.azure.com",
        "graphAudience": "https://graph.windows.net/",
        "activeDirectoryDataLake": "https://datalake.azure.net/",
        "batch": "https://batch.core.windows.net/",
        "media": "https://rest.media.azure.net",
        "sqlManagement": "https://management.core.windows.net:8443/",
        "vmImageAliasDoc": "https://raw.githubusercontent.com/Azure/azure-rest-api-specs/master/arm-compute/quickstart-templates/aliases.json",
        "resourceManager": "https://management.azure.com/",
        "authentication": {
            "loginEndpoint": "https://login.microsoftonline.com/",
            "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "suffixes": {
            "acrLoginServer": ".azurecr.io",
            "azureDatalakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
            "azureDatalakeStoreFileSystem": "azuredatalakestore.net",
            "azureFrontDoorEndpointSuffix": "azurefd.net",
            "keyvaultDns": ".vault.azure.net",
            "sqlServerHostname": ".database.windows.net",
            "storage": "core.windows.net",
        },
    }))
}

/// `copyIndex()`, `copyIndex(offset)`, `copyIndex('loop')`, `copyIndex('loop', offset)`.
pub(super) fn copy_index(a: &Args, ctx: &Ctx) -> EvalResult<Value> {
    a.arity(0, Some(2))?;
    let (name, offset) = match a.len() {
        0 => (None, 0),
        1 if a.values[0].is_string() => (Some(a.str(0)?), 0),
        1 => (None, a.int(0)?),
        _ => (Some(a.str(0)?), a.int(1)?),
    };
    let frame = match name {
        Some(n) => {
            let want = fold(n);
            ctx.frames
                .iter()
                .rev()
                .find(|f| f.name.as_deref() == Some(want.as_str()))
        }
        None => ctx
            .frames
            .iter()
            .rev()
            .find(|f| f.resource)
            .or_else(|| ctx.frames.last()),
    };
    match (frame, name) {
        (Some(f), _) => f
            .index
            .checked_add(offset)
            .map(Value::from)
            .ok_or_else(|| a.fail("the offset is out of the range of a 64-bit integer.")),
        (None, Some(n)) if !ctx.frames.is_empty() => Err(Fail::invalid(format!(
            "The template function 'copyIndex' has an invalid loop name '{n}': there is no copy loop with that name around this expression. Please see https://aka.ms/arm-copy for usage details."
        ))),
        _ => Err(not_here(
            "copyIndex",
            " The function can only be used in a resource, property, variable or output with copy specified.",
        )),
    }
}

pub(super) fn utc_now(a: &Args, ctx: &Ctx) -> EvalResult<Value> {
    a.arity(0, Some(1))?;
    if ctx.phase != Phase::ParameterDefault {
        return Err(not_here(
            a.name,
            " It can only be used in the default value of a parameter.",
        ));
    }
    let format = if a.len() == 1 {
        a.str(0)?
    } else {
        "yyyyMMddTHHmmssZ"
    };
    Ok(Value::String(dotnet_datetime(format, Utc::now())))
}

pub(super) fn new_guid(a: &Args, ctx: &Ctx) -> EvalResult<Value> {
    a.exactly(0)?;
    if ctx.phase != Phase::ParameterDefault {
        return Err(not_here(
            a.name,
            " It can only be used in the default value of a parameter.",
        ));
    }
    Ok(Value::String(uuid::Uuid::new_v4().to_string()))
}
