//! Microsoft.Network handlers beyond the tracked-resource path (`super::tracked`): subnets,
//! IP configurations, backend pools and usages.

use crate::error::ApiError;
use crate::extract::{query_param, ArmJson, ArmQuery, Conditions};
use crate::routes::tracked::{json_bytes, to_json, with_etag};
use crate::wire::network::{lb as lbw, nic as nicw, vnet as vnetw};
use crate::{lro, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cerulean_app::network::load_balancers::{self, LoadBalancers};
use cerulean_app::network::nics::Nics;
use cerulean_domain::id::ResourceId;
use cerulean_domain::operation::Operation;
use serde::Serialize;
use serde_json::{json, Value};

pub(super) type NamePath = Path<(String, String, String)>;
pub(super) type ChildPath = Path<(String, String, String, String)>;

pub(super) fn id(sub: &str, rg: &str, ty: &str, name: &str) -> ResourceId {
    ResourceId::resource(sub, rg, "Microsoft.Network", ty, name)
}

/// 201 or 200 with the resource, its etag, and the async-operation headers.
pub(super) fn put_response(
    s: &AppState,
    headers: &HeaderMap,
    q: &ArmQuery,
    body: Value,
    created: bool,
    op: &Operation,
) -> Response {
    let etag = body["etag"].as_str().unwrap_or_default().to_string();
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut resp = with_etag((status, Json(body)).into_response(), &etag);
    lro::add_async_headers(
        resp.headers_mut(),
        &s.options.base_url(headers),
        op,
        &q.api_version,
    );
    resp
}

/// 202 with polling headers when something was deleted, 204 when there was nothing.
pub(super) fn delete_response(
    s: &AppState,
    headers: &HeaderMap,
    q: &ArmQuery,
    op: Option<Operation>,
) -> Response {
    match op {
        Some(op) => lro::accepted(&s.options.base_url(headers), &op, &q.api_version),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

pub(super) fn ok(body: Value) -> Response {
    let etag = body["etag"].as_str().unwrap_or_default().to_string();
    with_etag(Json(body).into_response(), &etag)
}

/// Room for a typical NIC's JSON (one configuration is ~1.4 KiB).
const NIC_JSON_SIZE: usize = 2048;

/// `{"nextLink"?, "value": [...]}` of typed views, in the key order of `wire::list::page`.
#[derive(Serialize)]
struct ListOut<T> {
    #[serde(rename = "nextLink", skip_serializing_if = "Option::is_none")]
    next_link: Option<String>,
    value: Vec<T>,
}

// ---- virtual networks ----

pub async fn put_subnet(
    State(s): State<AppState>,
    Path((sub, rg, vnet, name)): ChildPath,
    headers: HeaderMap,
    q: ArmQuery,
    Conditions(pre): Conditions,
    ArmJson(body): ArmJson<vnetw::SubnetIn>,
) -> Result<Response, ApiError> {
    let (view, created, op) = s
        .app
        .put_subnet(
            id(&sub, &rg, "virtualNetworks", &vnet),
            body.spec(Some(&name), "")?,
            pre,
        )
        .await?;
    Ok(put_response(
        &s,
        &headers,
        &q,
        vnetw::subnet_view(&view),
        created,
        &op,
    ))
}

pub async fn get_subnet(
    State(s): State<AppState>,
    Path((sub, rg, vnet, name)): ChildPath,
) -> Result<Response, ApiError> {
    let view = s
        .app
        .get_subnet(id(&sub, &rg, "virtualNetworks", &vnet), name)
        .await?;
    Ok(ok(vnetw::subnet_view(&view)))
}

pub async fn delete_subnet(
    State(s): State<AppState>,
    Path((sub, rg, vnet, name)): ChildPath,
    headers: HeaderMap,
    q: ArmQuery,
    Conditions(pre): Conditions,
) -> Result<Response, ApiError> {
    let op = s
        .app
        .delete_subnet(id(&sub, &rg, "virtualNetworks", &vnet), name, pre)
        .await?;
    Ok(delete_response(&s, &headers, &q, op))
}

pub async fn list_subnets(
    State(s): State<AppState>,
    Path((sub, rg, vnet)): NamePath,
) -> Result<Json<Value>, ApiError> {
    let subnets = s
        .app
        .list_subnets(id(&sub, &rg, "virtualNetworks", &vnet))
        .await?;
    Ok(Json(
        json!({"value": subnets.iter().map(vnetw::subnet_view).collect::<Vec<_>>()}),
    ))
}

/// `GET .../virtualNetworks/{v}/usages`: each subnet's size and how much of it is in use.
pub async fn vnet_usages(
    State(s): State<AppState>,
    Path((sub, rg, vnet)): NamePath,
) -> Result<Json<Value>, ApiError> {
    let subnets = s
        .app
        .list_subnets(id(&sub, &rg, "virtualNetworks", &vnet))
        .await?;
    Ok(Json(
        json!({"value": subnets.iter().map(vnetw::subnet_usage).collect::<Vec<_>>()}),
    ))
}

/// `CheckIPAddressAvailability`: `{"available": true}`, or `false` with up to five free
/// addresses after the one asked about (Azure's example: 10.0.1.4 taken, 10.0.1.5–9 offered).
pub async fn check_ip_availability(
    State(s): State<AppState>,
    Path((sub, rg, vnet)): NamePath,
    uri: axum::http::Uri,
) -> Result<Json<Value>, ApiError> {
    let address = query_param(uri.query().unwrap_or_default(), "ipAddress");
    let result = s
        .app
        .check_ip_availability(id(&sub, &rg, "virtualNetworks", &vnet), address)
        .await?;
    Ok(Json(vnetw::ip_availability(&result)))
}

// ---- network interfaces ----

pub async fn list_ip_configs(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
) -> Result<Response, ApiError> {
    let view = s
        .app
        .get_tracked::<Nics>(id(&sub, &rg, "networkInterfaces", &name))
        .await?;
    let configs: Vec<_> = view
        .nic
        .value
        .ip_configurations
        .iter()
        .map(|c| nicw::ip_config(&view, c))
        .collect();
    Ok(json_bytes(
        StatusCode::OK,
        to_json(
            &ListOut {
                next_link: None,
                value: configs,
            },
            NIC_JSON_SIZE,
        ),
    ))
}

pub async fn get_ip_config(
    State(s): State<AppState>,
    Path((sub, rg, name, config)): ChildPath,
) -> Result<Response, ApiError> {
    let nic_id = id(&sub, &rg, "networkInterfaces", &name);
    let view = s.app.get_tracked::<Nics>(nic_id.clone()).await?;
    let c = view
        .nic
        .value
        .ip_configurations
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(&config))
        .ok_or_else(|| {
            ApiError::from(cerulean_domain::DomainError::ResourceNotFound {
                type_path: "Microsoft.Network/networkInterfaces/ipConfigurations".into(),
                name: format!("{name}/{config}"),
                group: rg.clone(),
            })
        })?;
    Ok(with_etag(
        json_bytes(
            StatusCode::OK,
            to_json(&nicw::ip_config(&view, c), NIC_JSON_SIZE),
        ),
        &c.etag,
    ))
}

// ---- load balancers ----

fn pool_json(view: &load_balancers::LbView, name: &str) -> Option<Value> {
    lbw::child_named(view, "backendAddressPools", name)
}

pub async fn list_pools(
    State(s): State<AppState>,
    Path((sub, rg, lb)): NamePath,
) -> Result<Json<Value>, ApiError> {
    let view = s
        .app
        .get_tracked::<LoadBalancers>(id(&sub, &rg, "loadBalancers", &lb))
        .await?;
    let pools = lbw::children(&view, "backendAddressPools").unwrap_or_default();
    Ok(Json(json!({ "value": pools })))
}

pub async fn get_pool(
    State(s): State<AppState>,
    Path((sub, rg, lb, name)): ChildPath,
) -> Result<Response, ApiError> {
    let view = s
        .app
        .get_tracked::<LoadBalancers>(id(&sub, &rg, "loadBalancers", &lb))
        .await?;
    let body = pool_json(&view, &name).ok_or_else(|| {
        ApiError::from(cerulean_domain::DomainError::ResourceNotFound {
            type_path: "Microsoft.Network/loadBalancers/backendAddressPools".into(),
            name: format!("{lb}/{name}"),
            group: rg.clone(),
        })
    })?;
    Ok(ok(body))
}

pub async fn put_pool(
    State(s): State<AppState>,
    Path((sub, rg, lb, name)): ChildPath,
    headers: HeaderMap,
    q: ArmQuery,
    ArmJson(body): ArmJson<Value>,
) -> Result<Response, ApiError> {
    let properties = match body.get("properties") {
        None | Some(Value::Null) => None,
        Some(Value::Object(p)) => Some(p.clone()),
        Some(_) => {
            return Err(ApiError::InvalidRequestContent(
                "properties: expected an object".into(),
            ))
        }
    };
    let kept = lbw::pool_kept(properties);
    let (view, created, op) = s
        .app
        .put_pool(id(&sub, &rg, "loadBalancers", &lb), name.clone(), kept)
        .await?;
    let body = pool_json(&view, &name).unwrap_or(Value::Null);
    Ok(put_response(&s, &headers, &q, body, created, &op))
}

pub async fn delete_pool(
    State(s): State<AppState>,
    Path((sub, rg, lb, name)): ChildPath,
    headers: HeaderMap,
    q: ArmQuery,
) -> Result<Response, ApiError> {
    let op = s
        .app
        .delete_pool(id(&sub, &rg, "loadBalancers", &lb), name)
        .await?;
    Ok(delete_response(&s, &headers, &q, op))
}

// ---- usages ----

pub async fn usages(
    State(s): State<AppState>,
    Path((sub, loc)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let (loc, usages) = s.app.network_usages(&sub, &loc).await?;
    let value: Vec<Value> = usages
        .iter()
        .map(|u| {
            json!({
                "id": format!("/subscriptions/{sub}/providers/Microsoft.Network/locations/{loc}/usages/{}", u.name),
                "name": {"value": u.name, "localizedValue": u.localized},
                "currentValue": u.current,
                "limit": u.limit,
                "unit": "Count",
            })
        })
        .collect();
    Ok(Json(json!({ "value": value })))
}
