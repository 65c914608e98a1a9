//! Microsoft.Compute handlers.

use crate::error::ApiError;
use crate::extract::{ArmJson, ArmQuery, Conditions};
use crate::wire::compute as w;
use crate::{lro, wire, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cerulean_domain::compute::sizes::SIZES;
use cerulean_domain::id::ResourceId;
use cerulean_domain::region::REGIONS;
use serde_json::{json, Value};

type NamePath = Path<(String, String, String)>;

fn id(sub: &str, rg: &str, ty: &str, name: &str) -> ResourceId {
    ResourceId::resource(sub, rg, "Microsoft.Compute", ty, name)
}

fn expand_instance_view(q: &ArmQuery) -> bool {
    q.expand
        .as_deref()
        .is_some_and(|e| e.eq_ignore_ascii_case("instanceView"))
}

/// `statusOnly=true`, the subscription-wide list's way to ask for each VM's run-time status
/// (its instance view), which the portal's Virtual machines blade shows.
fn status_only(uri: &Uri) -> bool {
    form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .any(|(k, v)| k.eq_ignore_ascii_case("statusOnly") && v.eq_ignore_ascii_case("true"))
}

pub async fn put_vm(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
    headers: HeaderMap,
    q: ArmQuery,
    Conditions(pre): Conditions,
    ArmJson(body): ArmJson<w::VmIn>,
) -> Result<Response, ApiError> {
    let spec = body.spec().map_err(ApiError::InvalidRequestContent)?;
    let (view, created, op) = s
        .app
        .put_vm(id(&sub, &rg, "virtualMachines", &name), spec, pre)
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut resp = (status, Json(w::vm(&view, false))).into_response();
    // The compute SDK reads Location on 201; give both.
    lro::add_headers(
        resp.headers_mut(),
        &s.options.base_url(&headers),
        &op,
        &q.api_version,
    );
    if let Ok(e) = HeaderValue::from_str(&view.vm.etag) {
        resp.headers_mut().insert("etag", e);
    }
    Ok(resp)
}

pub async fn get_vm(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
    q: ArmQuery,
) -> Result<Json<Value>, ApiError> {
    let view = s
        .app
        .get_vm(id(&sub, &rg, "virtualMachines", &name))
        .await?;
    Ok(Json(w::vm(&view, expand_instance_view(&q))))
}

pub async fn instance_view(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
) -> Result<Json<Value>, ApiError> {
    let view = s
        .app
        .get_vm(id(&sub, &rg, "virtualMachines", &name))
        .await?;
    Ok(Json(w::instance_view(&view)))
}

pub async fn delete_vm(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
    headers: HeaderMap,
    q: ArmQuery,
) -> Result<Response, ApiError> {
    Ok(
        match s
            .app
            .delete_vm(id(&sub, &rg, "virtualMachines", &name))
            .await?
        {
            Some(op) => lro::accepted(&s.options.base_url(&headers), &op, &q.api_version),
            None => StatusCode::NO_CONTENT.into_response(),
        },
    )
}

/// POST start | powerOff | restart | deallocate | runCommand (paths arrive lower-cased).
pub async fn action(
    State(s): State<AppState>,
    Path((sub, rg, name, action)): Path<(String, String, String, String)>,
    headers: HeaderMap,
    q: ArmQuery,
    ArmJson(body): ArmJson<Value>,
) -> Result<Response, ApiError> {
    if action == "runcommand" {
        let body: wire::run_command::RunCommandIn = serde_json::from_value(body)
            .map_err(|e| ApiError::InvalidRequestContent(e.to_string()))?;
        let command = cerulean_app::compute::run_command::CommandId::parse(&body.command_id)
            .ok_or_else(|| {
                // GUESS: Azure's wording for an unknown command id.
                ApiError::from(cerulean_domain::DomainError::InvalidParameter {
                    message: format!("The command id '{}' is not supported.", body.command_id),
                    target: Some("commandId".into()),
                })
            })?;
        let op = s
            .app
            .run_command(
                id(&sub, &rg, "virtualMachines", &name),
                command,
                body.lines(),
                wire::run_command::output,
            )
            .await?;
        return Ok(lro::accepted(
            &s.options.base_url(&headers),
            &op,
            &q.api_version,
        ));
    }
    let op_name = match action.as_str() {
        "start" => "start",
        "poweroff" => "powerOff",
        "restart" => "restart",
        "deallocate" => "deallocate",
        other => {
            return Err(ApiError::NotImplemented(format!(
                "POST Microsoft.Compute/virtualMachines/{other}"
            )))
        }
    };
    let op = s
        .app
        .vm_power(id(&sub, &rg, "virtualMachines", &name), op_name)
        .await?;
    Ok(lro::accepted(
        &s.options.base_url(&headers),
        &op,
        &q.api_version,
    ))
}

fn list<V>(
    s: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    q: &ArmQuery,
    page: cerulean_app::Page<V>,
    f: impl Fn(&V) -> Value,
) -> Json<Value> {
    Json(wire::list::page(
        &s.options.base_url(headers),
        uri.path(),
        &q.api_version,
        &[],
        page.items.iter().map(f).collect(),
        page.next.as_deref(),
    ))
}

pub async fn list_vms_group(
    State(s): State<AppState>,
    Path((sub, rg)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
    q: ArmQuery,
) -> Result<Json<Value>, ApiError> {
    let page = s.app.list_vms(&sub, Some(&rg), q.skiptoken.clone()).await?;
    let expand = expand_instance_view(&q);
    Ok(list(&s, &headers, &uri, &q, page, |v| w::vm(v, expand)))
}

pub async fn list_vms_sub(
    State(s): State<AppState>,
    Path(sub): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    q: ArmQuery,
) -> Result<Json<Value>, ApiError> {
    let page = s.app.list_vms(&sub, None, q.skiptoken.clone()).await?;
    let expand = expand_instance_view(&q) || status_only(&uri);
    Ok(list(&s, &headers, &uri, &q, page, |v| w::vm(v, expand)))
}

pub async fn list_vms_location(
    State(s): State<AppState>,
    Path((sub, loc)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
    q: ArmQuery,
) -> Result<Json<Value>, ApiError> {
    let page = s
        .app
        .list_vms_in_location(&sub, &loc, q.skiptoken.clone())
        .await?;
    Ok(list(&s, &headers, &uri, &q, page, |v| w::vm(v, false)))
}

pub async fn put_set(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
    ArmJson(body): ArmJson<w::AvailabilitySetIn>,
) -> Result<Json<Value>, ApiError> {
    let (view, _) = s
        .app
        .put_availability_set(id(&sub, &rg, "availabilitySets", &name), body.spec())
        .await?;
    Ok(Json(w::availability_set(&view)))
}

pub async fn get_set(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
) -> Result<Json<Value>, ApiError> {
    let view = s
        .app
        .get_availability_set(id(&sub, &rg, "availabilitySets", &name))
        .await?;
    Ok(Json(w::availability_set(&view)))
}

pub async fn delete_set(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
) -> Result<StatusCode, ApiError> {
    let deleted = s
        .app
        .delete_availability_set(id(&sub, &rg, "availabilitySets", &name))
        .await?;
    Ok(if deleted {
        StatusCode::OK
    } else {
        StatusCode::NO_CONTENT
    })
}

pub async fn list_sets_group(
    State(s): State<AppState>,
    Path((sub, rg)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
    q: ArmQuery,
) -> Result<Json<Value>, ApiError> {
    let page = s
        .app
        .list_availability_sets(&sub, Some(&rg), q.skiptoken.clone())
        .await?;
    Ok(list(&s, &headers, &uri, &q, page, w::availability_set))
}

pub async fn list_sets_sub(
    State(s): State<AppState>,
    Path(sub): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    q: ArmQuery,
) -> Result<Json<Value>, ApiError> {
    let page = s
        .app
        .list_availability_sets(&sub, None, q.skiptoken.clone())
        .await?;
    Ok(list(&s, &headers, &uri, &q, page, w::availability_set))
}

/// Resource SKUs, one entry per size and region; `$filter=location eq 'x'` narrows them.
pub async fn skus(
    State(s): State<AppState>,
    Path(sub): Path<String>,
    q: ArmQuery,
) -> Result<Json<Value>, ApiError> {
    s.app.subscription(&sub).await?;
    let only = q.filter.as_deref().and_then(|f| {
        let (_, rest) = f.split_once("eq")?;
        Some(rest.trim().trim_matches('\'').to_lowercase())
    });
    let value: Vec<Value> = REGIONS
        .iter()
        .map(|(r, ..)| *r)
        .filter(|r| only.as_deref().is_none_or(|o| o == *r))
        .flat_map(|r| SIZES.iter().map(move |size| w::sku(size, r)))
        .collect();
    Ok(Json(json!({ "value": value })))
}

pub async fn vm_sizes(
    State(s): State<AppState>,
    Path((sub, loc)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    s.app.subscription(&sub).await?;
    cerulean_domain::region::normalize(&loc).ok_or_else(|| {
        ApiError::from(
            cerulean_domain::DomainError::LocationNotAvailableForResourceType {
                location: loc.clone(),
                type_path: "Microsoft.Compute/locations/vmSizes".into(),
                available: cerulean_domain::region::available_list(),
            },
        )
    })?;
    Ok(Json(
        json!({ "value": SIZES.iter().map(w::vm_size).collect::<Vec<_>>() }),
    ))
}

pub async fn usages(
    State(s): State<AppState>,
    Path((sub, loc)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let (_, cores, vms, sets) = s.app.compute_usages(&sub, &loc).await?;
    let u = |name: &str, localized: &str, current: i64, limit: i64| json!({"limit": limit, "unit": "Count", "currentValue": current, "name": {"value": name, "localizedValue": localized}});
    Ok(Json(json!({ "value": [
        u("cores", "Total Regional vCPUs", cores, 350),
        u("virtualMachines", "Virtual Machines", vms, 25000),
        u("availabilitySets", "Availability Sets", sets, 2500),
    ]})))
}

/// RFC 7386 merge patch: objects merge, `null` removes, anything else replaces.
fn merge_patch(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(&k);
                } else {
                    merge_patch(t.entry(k).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p,
    }
}

/// PATCH: the current VM with the patch merged in, then the same rules as a full PUT.
pub async fn patch_vm(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
    headers: HeaderMap,
    q: ArmQuery,
    Conditions(pre): Conditions,
    ArmJson(patch): ArmJson<Value>,
) -> Result<Response, ApiError> {
    let vm_id = id(&sub, &rg, "virtualMachines", &name);
    let current = s.app.get_vm(vm_id.clone()).await?;
    let mut merged = w::vm(&current, false);
    // ARM replaces the whole tag set on PATCH (as resource groups and network resources do
    // here); everything else merges.
    let tags = patch.get("tags").cloned();
    merge_patch(&mut merged, patch);
    if let Some(t) = tags {
        merged["tags"] = t;
    }
    let body: w::VmIn = serde_json::from_value(merged)
        .map_err(|e| ApiError::InvalidRequestContent(e.to_string()))?;
    let spec = body.spec().map_err(ApiError::InvalidRequestContent)?;
    let (view, _, op) = s.app.put_vm(vm_id, spec, pre).await?;
    let mut resp = Json(w::vm(&view, false)).into_response();
    lro::add_headers(
        resp.headers_mut(),
        &s.options.base_url(&headers),
        &op,
        &q.api_version,
    );
    Ok(resp)
}
