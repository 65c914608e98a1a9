//! Rules on what a resource declaration names beyond its type and name: its API version and
//! the scope it is deployed to. Both are checked while planning, so a bad declaration is
//! refused at validation, before anything is deployed (as ARM does).

use serde_json::{Map, Value};

use crate::error::TemplateError;
use crate::eval::{self, Ctx};
use crate::value::{get_ci, type_name as kind};

/// True for `YYYY-MM-DD`, a real date, with an optional `-preview`-style suffix: the shape of
/// every API version ARM registers (the edge checks a request's `api-version` with it too).
pub fn well_formed_api_version(v: &str) -> bool {
    let Some((date, suffix)) = v.split_at_checked(10) else {
        return false;
    };
    let b = date.as_bytes();
    let digits = b.iter().enumerate().all(|(i, c)| {
        if i == 4 || i == 7 {
            *c == b'-'
        } else {
            c.is_ascii_digit()
        }
    });
    let part = |r: std::ops::Range<usize>| date[r].parse::<u32>().unwrap_or(0);
    let month_day = digits
        && chrono::NaiveDate::from_ymd_opt(part(0..4) as i32, part(5..7), part(8..10)).is_some();
    let suffix_ok = suffix.is_empty()
        || (suffix.len() > 1
            && suffix.starts_with('-')
            && suffix[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-'));
    month_day && suffix_ok
}

/// A resource's `apiVersion` must be one ARM could have registered. ARM refuses any other at
/// validation with 400 `NoRegisteredProviderFound` ("No registered resource provider found
/// for location '…' and API version '…' for type '…'. The supported api-versions are …");
/// cerulean keeps no per-type list of versions, so it checks the shape only and its message
/// names no location or list.
pub(crate) fn check_api_version(
    version: &str,
    type_name: &str,
    path: &str,
) -> Result<(), TemplateError> {
    if well_formed_api_version(version) {
        return Ok(());
    }
    let short = type_name.split_once('/').map_or(type_name, |(_, t)| t);
    Err(TemplateError {
        code: "NoRegisteredProviderFound",
        message: format!(
            "No registered resource provider found for API version '{version}' for type '{short}'. An API version is a date, 'YYYY-MM-DD', with an optional suffix such as '-preview'."
        ),
        target: Some(format!("{path}.apiVersion")),
    })
}

/// A resource may name the group (`resourceGroup`) or subscription (`subscriptionId`) it goes
/// to. A group of the deployment's subscription is honoured, as in Azure: the resource is
/// deployed there (the group must exist; the API checks before anything runs), and so are
/// the children declared inside it. Another subscription is refused with `InvalidTemplate`
/// rather than ignored (which would put the resource where the template did not ask).
/// Returns the group the resource goes to, when it names one.
pub(crate) fn target_group(
    decl: &Map<String, Value>,
    ctx: &Ctx,
    name: &str,
    path: &str,
) -> Result<Option<String>, TemplateError> {
    let own_sub = &ctx.world.scope.subscription_id;
    let mut group = None;
    for key in ["subscriptionId", "resourceGroup"] {
        let Some(v) = get_ci(decl, key) else { continue };
        let at = format!("{path}.{key}");
        let target = match eval::json(v, ctx, &at)? {
            Value::String(s) if !s.is_empty() => s,
            other => {
                return Err(TemplateError::validation(format!(
                    "The '{key}' of the template resource '{name}' at '{path}' must be a non-empty string; it is of type '{}'.",
                    kind(&other)
                ))
                .at(at))
            }
        };
        if key == "resourceGroup" {
            group = Some(target);
        } else if !target.eq_ignore_ascii_case(own_sub) {
            return Err(TemplateError::validation(format!(
                "The template resource '{name}' at '{path}' is deployed to subscriptionId '{target}', not the deployment's '{own_sub}'. cerulean deploys a template's resources into the deployment's own subscription only; create a deployment in '{target}'."
            ))
            .at(at));
        }
    }
    Ok(group)
}
