//! Generic resources: any path under a resource group's `providers/` that no other route
//! takes is a resource of a type cerulean does not model. It is stored as given (see
//! `cerulean_app::generic`), so templates and scripts that create, say, network security
//! groups or disks work. Actions (POST) on them stay 501.

use crate::error::ApiError;
use crate::extract::{ArmJson, ArmQuery, Conditions};
use crate::wire::generic as w;
use crate::{wire, AppState};
use axum::extract::{Path, State};
use axum::http::{Extensions, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::{Json, Router};
use cerulean_domain::id::{fold, ResourceId};
use cerulean_domain::name::validate_resource_name;
use cerulean_domain::DomainError;
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

/// The group a generic path lies in, by the route's parameter names: the rest of the path
/// is read from the URI, so any route naming `{sub}` and `{rg}` may serve it.
#[derive(serde::Deserialize)]
struct InGroup {
    sub: String,
    rg: String,
}

type RestPath = Path<InGroup>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/subscriptions/{sub}/resourcegroups/{rg}/providers/{*rest}",
            methods().fallback(super::fallback::not_implemented),
        )
        .route(
            "/subscriptions/{sub}/providers/{ns}/{ty}",
            get(list_in_subscription).fallback(super::fallback::not_implemented),
        )
}

/// Every resource of a type cerulean does not model in a subscription, across its groups.
async fn list_in_subscription(
    State(s): State<AppState>,
    Path((sub, _, _)): Path<(String, String, String)>,
    headers: HeaderMap,
    uri: Uri,
    ext: Extensions,
    q: ArmQuery,
) -> Result<Json<Value>, ApiError> {
    // The type as the caller spelled it (the route's parameters are folded).
    let original = crate::path::original(uri.path(), &ext);
    let segs: Vec<&str> = original.trim_end_matches('/').rsplitn(3, '/').collect();
    let [ty, ns, _] = segs[..] else {
        return Err(ApiError::NotFound(original.clone()));
    };
    let kind = fold(&format!("{}/{}", decoded(ns)?, decoded(ty)?));
    list(&s, &sub, None, kind, None, &headers, &uri, &q).await
}

/// A page of generic resources of `kind`, in a group (under `parent` for a child type) or
/// across the subscription, as ARM's list.
#[allow(clippy::too_many_arguments)]
async fn list(
    s: &AppState,
    sub: &str,
    group: Option<&str>,
    kind: String,
    parent: Option<ResourceId>,
    headers: &HeaderMap,
    uri: &Uri,
    q: &ArmQuery,
) -> Result<Json<Value>, ApiError> {
    let page = s
        .app
        .list_generic(sub, group, kind, parent, q.skiptoken.clone())
        .await?;
    let items = page.items.iter().map(w::resource).collect();
    Ok(Json(wire::list::page(
        &s.options.base_url(headers),
        uri.path(),
        &q.api_version,
        &[],
        items,
        page.next.as_deref(),
    )))
}

/// What a generic path answers to: read, put, patch, delete and check. Also the methods of
/// a route whose path is shaped like a generic one but which serves something else on
/// POST (a VM's actions by name, where `GET .../virtualMachines/{vm}/extensions` lists the
/// VM's extensions).
pub(super) fn methods() -> MethodRouter<AppState> {
    get(get_any).put(put).patch(patch).delete(delete)
}

/// What a path under `providers/` names: one resource, or every resource of a type.
enum Target {
    Resource(ResourceId),
    /// Lower-case type path and, for child types, the parent.
    List {
        kind: String,
        parent: Option<ResourceId>,
    },
}

/// One path segment, percent-decoded: a name is what it decodes to (`a%2Fb` is `a/b`,
/// which ARM's name rule then refuses).
fn decoded(segment: &str) -> Result<String, ApiError> {
    percent_decode_str(segment)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| {
            DomainError::InvalidArmResourceName {
                name: segment.to_string(),
            }
            .into()
        })
}

/// The resource `{ns}/{type}/{name}[/{type}/{name}…]` of group `rg`; every name follows
/// ARM's rule.
fn resource(sub: &str, rg: &str, ns: &str, pairs: &[String]) -> Result<ResourceId, ApiError> {
    let mut id: Option<ResourceId> = None;
    for pair in pairs.chunks(2) {
        let (ty, name) = (&pair[0], &pair[1]);
        validate_resource_name(name)?;
        id = Some(match id {
            None => ResourceId::resource(sub, rg, ns, ty, name),
            Some(parent) => parent.child(ty, name),
        });
    }
    Ok(id.expect("at least one type and name"))
}

fn target(sub: &str, rg: &str, uri: &Uri, ext: &Extensions) -> Result<Target, ApiError> {
    let original = crate::path::original(uri.path(), ext)
        .trim_end_matches('/')
        .to_string();
    let segs: Vec<&str> = original.split('/').collect();
    let p = segs
        .iter()
        .position(|s| s.eq_ignore_ascii_case("providers"))
        .ok_or_else(|| ApiError::NotFound(original.clone()))?;
    let raw = &segs[p + 1..];
    if raw.len() < 2 || raw.iter().any(|s| s.is_empty()) {
        return Err(ApiError::NotFound(original.clone()));
    }
    let rest = raw
        .iter()
        .map(|s| decoded(s))
        .collect::<Result<Vec<_>, _>>()?;
    let ns = &rest[0];
    if rest.len() % 2 == 1 {
        return Ok(Target::Resource(resource(sub, rg, ns, &rest[1..])?));
    }
    // `{ns}/{type}` or `{ns}/{type}/{name}/{childType}`.
    let types: Vec<&str> = rest
        .iter()
        .enumerate()
        .filter(|(i, _)| *i == 0 || i % 2 == 1)
        .map(|(_, s)| s.as_str())
        .collect();
    let parent = if rest.len() > 2 {
        Some(resource(sub, rg, ns, &rest[1..rest.len() - 1])?)
    } else {
        None
    };
    Ok(Target::List {
        kind: fold(&types.join("/")),
        parent,
    })
}

async fn get_any(
    State(s): State<AppState>,
    Path(InGroup { sub, rg }): RestPath,
    headers: HeaderMap,
    uri: Uri,
    ext: Extensions,
    q: ArmQuery,
) -> Result<Json<Value>, ApiError> {
    match target(&sub, &rg, &uri, &ext)? {
        Target::Resource(id) => Ok(Json(w::resource(&s.app.get_generic(id).await?))),
        Target::List { kind, parent } => {
            list(&s, &sub, Some(&rg), kind, parent, &headers, &uri, &q).await
        }
    }
}

fn resource_id(sub: &str, rg: &str, uri: &Uri, ext: &Extensions) -> Result<ResourceId, ApiError> {
    match target(sub, rg, uri, ext)? {
        Target::Resource(id) => Ok(id),
        Target::List { .. } => Err(ApiError::NotFound(crate::path::original(uri.path(), ext))),
    }
}

async fn put(
    State(s): State<AppState>,
    Path(InGroup { sub, rg }): RestPath,
    uri: Uri,
    ext: Extensions,
    q: ArmQuery,
    Conditions(pre): Conditions,
    ArmJson(body): ArmJson<Map<String, Value>>,
) -> Result<Response, ApiError> {
    let id = resource_id(&sub, &rg, &uri, &ext)?;
    let mut spec = w::spec(body).map_err(ApiError::InvalidRequestContent)?;
    spec.api_version = q.api_version;
    let (stored, created) = s.app.put_generic(id, spec, pre).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(w::resource(&stored))).into_response())
}

/// PATCH merges the given top-level fields (typically `tags`) into the stored resource.
async fn patch(
    State(s): State<AppState>,
    Path(InGroup { sub, rg }): RestPath,
    uri: Uri,
    ext: Extensions,
    Conditions(pre): Conditions,
    ArmJson(body): ArmJson<Map<String, Value>>,
) -> Result<Json<Value>, ApiError> {
    let id = resource_id(&sub, &rg, &uri, &ext)?;
    let current = s.app.get_generic(id.clone()).await?;
    let mut merged = current.value.arm.clone();
    if let Some(l) = &current.value.location {
        merged.insert("location".into(), Value::String(l.clone()));
    }
    merged.insert(
        "tags".into(),
        serde_json::to_value(&current.value.common.tags).unwrap_or_default(),
    );
    for (k, v) in body {
        merged.insert(k, v);
    }
    let spec = w::spec(merged).map_err(ApiError::InvalidRequestContent)?;
    let (stored, _) = s.app.put_generic(id, spec, pre).await?;
    Ok(Json(w::resource(&stored)))
}

async fn delete(
    State(s): State<AppState>,
    Path(InGroup { sub, rg }): RestPath,
    uri: Uri,
    ext: Extensions,
    Conditions(pre): Conditions,
) -> Result<StatusCode, ApiError> {
    let id = resource_id(&sub, &rg, &uri, &ext)?;
    Ok(if s.app.delete_generic(id, pre).await? {
        StatusCode::OK
    } else {
        StatusCode::NO_CONTENT
    })
}
