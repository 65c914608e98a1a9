//! Microsoft.Compute handlers.

use crate::error::ApiError;
use crate::extract::{ArmJson, ArmQuery, Conditions};
use crate::wire::compute as w;
use crate::{lro, wire, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cerulean_app::compute::vms::Vms;
use cerulean_domain::compute::sizes::SIZES;
use cerulean_domain::id::ResourceId;
use cerulean_domain::region::REGIONS;
use serde_json::{json, Value};

type NamePath = Path<(String, String, String)>;

fn id(sub: &str, rg: &str, ty: &str, name: &str) -> ResourceId {
    ResourceId::resource(sub, rg, "Microsoft.Compute", ty, name)
}

pub async fn instance_view(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
) -> Result<Json<Value>, ApiError> {
    let view = s
        .app
        .get_tracked::<Vms>(id(&sub, &rg, "virtualMachines", &name))
        .await?;
    Ok(Json(w::instance_view(&view)))
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
                body.lines()?,
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
    Ok(list(&s, &headers, &uri, &q, page, |v| {
        w::vm(v, w::Expand::default())
    }))
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
    let current = s.app.get_tracked::<Vms>(vm_id.clone()).await?;
    let mut merged = w::vm(
        &current,
        w::Expand {
            instance_view: false,
            user_data: true,
        },
    );
    // ARM replaces the whole tag set on PATCH (as resource groups and network resources do
    // here); everything else merges.
    let tags = patch.get("tags").cloned();
    merge_patch(&mut merged, patch);
    if let Some(t) = tags {
        merged["tags"] = t;
    }
    let body: w::VmIn = serde_json::from_value(merged)
        .map_err(|e| ApiError::InvalidRequestContent(e.to_string()))?;
    let spec = body.spec()?;
    let (view, _, op) = s.app.put_tracked::<Vms>(vm_id, spec, pre).await?;
    let mut resp = Json(w::vm(&view, w::Expand::default())).into_response();
    lro::add_headers(
        resp.headers_mut(),
        &s.options.base_url(&headers),
        &op,
        &q.api_version,
    );
    Ok(resp)
}
