//! Microsoft.Network handlers: thin conversions between ARM JSON and the use cases.

use crate::error::ApiError;
use crate::extract::{ArmJson, ArmQuery, Conditions};
use crate::wire::network::{lb as lbw, nic as nicw, pip as pipw, vnet as vnetw, TagsIn};
use crate::{lro, wire, AppState};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cerulean_app::network::nics::NicView;
use cerulean_app::network::{load_balancers, nics, public_ips, vnets};
use cerulean_app::Page;
use cerulean_domain::id::ResourceId;
use cerulean_domain::network::load_balancer::LoadBalancer;
use cerulean_domain::network::nic::NetworkInterface;
use cerulean_domain::network::public_ip::PublicIp;
use cerulean_domain::network::vnet::VirtualNetwork;
use cerulean_domain::operation::Operation;
use serde::Serialize;
use serde_json::{json, Value};

type GroupPath = Path<(String, String)>;
type NamePath = Path<(String, String, String)>;
type ChildPath = Path<(String, String, String, String)>;

fn id(sub: &str, rg: &str, ty: &str, name: &str) -> ResourceId {
    ResourceId::resource(sub, rg, "Microsoft.Network", ty, name)
}

fn with_etag(mut resp: Response, etag: &str) -> Response {
    if let Ok(e) = HeaderValue::from_str(etag) {
        resp.headers_mut().insert("etag", e);
    }
    resp
}

/// 201 or 200 with the resource, its etag, and the async-operation headers.
fn put_response(
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
fn delete_response(
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

fn ok(body: Value) -> Response {
    let etag = body["etag"].as_str().unwrap_or_default().to_string();
    with_etag(Json(body).into_response(), &etag)
}

/// JSON bytes with `Content-Type: application/json`, as `Json` answers.
fn json_bytes(status: StatusCode, body: Vec<u8>) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// Serialises a typed view straight into the response body.
fn to_json<T: Serialize>(value: &T, capacity: usize) -> Vec<u8> {
    let mut buf = Vec::with_capacity(capacity);
    serde_json::to_writer(&mut buf, value).expect("views always serialize");
    buf
}

/// 200 with a NIC and its etag.
fn ok_nic(v: &NicView) -> Response {
    with_etag(
        json_bytes(StatusCode::OK, to_json(&nicw::nic(v), NIC_JSON_SIZE)),
        &v.nic.etag,
    )
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

fn list_json<V>(
    s: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    q: &ArmQuery,
    page: Page<V>,
    to_json: fn(&V) -> Value,
) -> Json<Value> {
    Json(wire::list::page(
        &s.options.base_url(headers),
        uri.path(),
        &q.api_version,
        &[],
        page.items.iter().map(to_json).collect(),
        page.next.as_deref(),
    ))
}

// ---- virtual networks ----

pub async fn put_vnet(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
    headers: HeaderMap,
    q: ArmQuery,
    Conditions(pre): Conditions,
    ArmJson(body): ArmJson<vnetw::VnetIn>,
) -> Result<Response, ApiError> {
    let (view, created, op) = s
        .app
        .put_vnet(id(&sub, &rg, "virtualNetworks", &name), body.spec(), pre)
        .await?;
    Ok(put_response(
        &s,
        &headers,
        &q,
        vnetw::vnet(&view),
        created,
        &op,
    ))
}

pub async fn get_vnet(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
) -> Result<Response, ApiError> {
    let view = s
        .app
        .get_vnet(id(&sub, &rg, "virtualNetworks", &name))
        .await?;
    Ok(ok(vnetw::vnet(&view)))
}

pub async fn patch_vnet(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
    Conditions(pre): Conditions,
    ArmJson(body): ArmJson<TagsIn>,
) -> Result<Response, ApiError> {
    let view = s
        .app
        .patch_network_tags::<VirtualNetwork, _>(
            id(&sub, &rg, "virtualNetworks", &name),
            body.tags,
            pre,
            vnets::view,
        )
        .await?;
    Ok(ok(vnetw::vnet(&view)))
}

pub async fn delete_vnet(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
    headers: HeaderMap,
    q: ArmQuery,
    Conditions(pre): Conditions,
) -> Result<Response, ApiError> {
    let op = s
        .app
        .delete_vnet(id(&sub, &rg, "virtualNetworks", &name), pre)
        .await?;
    Ok(delete_response(&s, &headers, &q, op))
}

pub async fn list_vnets_group(
    State(s): State<AppState>,
    Path((sub, rg)): GroupPath,
    headers: HeaderMap,
    uri: Uri,
    q: ArmQuery,
) -> Result<Json<Value>, ApiError> {
    let page = s
        .app
        .list_vnets(&sub, Some(&rg), q.skiptoken.clone())
        .await?;
    Ok(list_json(&s, &headers, &uri, &q, page, vnetw::vnet))
}

pub async fn list_vnets_sub(
    State(s): State<AppState>,
    Path(sub): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    q: ArmQuery,
) -> Result<Json<Value>, ApiError> {
    let page = s.app.list_vnets(&sub, None, q.skiptoken.clone()).await?;
    Ok(list_json(&s, &headers, &uri, &q, page, vnetw::vnet))
}

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
            body.spec(Some(&name)),
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

// ---- network interfaces ----

pub async fn put_nic(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
    headers: HeaderMap,
    q: ArmQuery,
    Conditions(pre): Conditions,
    ArmJson(body): ArmJson<nicw::NicIn>,
) -> Result<Response, ApiError> {
    let spec = body.spec().map_err(ApiError::InvalidRequestContent)?;
    let (view, created, op) = s
        .app
        .put_nic(id(&sub, &rg, "networkInterfaces", &name), spec, pre)
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let body = to_json(&nicw::nic(&view), NIC_JSON_SIZE);
    let mut resp = with_etag(json_bytes(status, body), &view.nic.etag);
    lro::add_async_headers(
        resp.headers_mut(),
        &s.options.base_url(&headers),
        &op,
        &q.api_version,
    );
    Ok(resp)
}

pub async fn get_nic(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
) -> Result<Response, ApiError> {
    let view = s
        .app
        .get_nic(id(&sub, &rg, "networkInterfaces", &name))
        .await?;
    Ok(ok_nic(&view))
}

pub async fn patch_nic(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
    Conditions(pre): Conditions,
    ArmJson(body): ArmJson<TagsIn>,
) -> Result<Response, ApiError> {
    let view = s
        .app
        .patch_network_tags::<NetworkInterface, _>(
            id(&sub, &rg, "networkInterfaces", &name),
            body.tags,
            pre,
            nics::view,
        )
        .await?;
    Ok(ok_nic(&view))
}

pub async fn delete_nic(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
    headers: HeaderMap,
    q: ArmQuery,
    Conditions(pre): Conditions,
) -> Result<Response, ApiError> {
    let op = s
        .app
        .delete_nic(id(&sub, &rg, "networkInterfaces", &name), pre)
        .await?;
    Ok(delete_response(&s, &headers, &q, op))
}

pub async fn list_nics_group(
    State(s): State<AppState>,
    Path((sub, rg)): GroupPath,
    headers: HeaderMap,
    uri: Uri,
    q: ArmQuery,
) -> Result<Response, ApiError> {
    let page = s
        .app
        .list_nics(&sub, Some(&rg), q.skiptoken.clone())
        .await?;
    Ok(nic_list(&s, &headers, &uri, &q, page))
}

/// A page of NICs, serialised from typed views into one buffer.
fn nic_list(
    s: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    q: &ArmQuery,
    page: Page<NicView>,
) -> Response {
    let out = ListOut {
        next_link: page.next.as_deref().map(|key| {
            wire::list::next_link(
                &s.options.base_url(headers),
                uri.path(),
                &q.api_version,
                &[],
                key,
            )
        }),
        value: page.items.iter().map(nicw::nic).collect(),
    };
    json_bytes(
        StatusCode::OK,
        to_json(&out, page.items.len() * NIC_JSON_SIZE + 256),
    )
}

pub async fn list_nics_sub(
    State(s): State<AppState>,
    Path(sub): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    q: ArmQuery,
) -> Result<Response, ApiError> {
    let page = s.app.list_nics(&sub, None, q.skiptoken.clone()).await?;
    Ok(nic_list(&s, &headers, &uri, &q, page))
}

pub async fn list_ip_configs(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
) -> Result<Response, ApiError> {
    let view = s
        .app
        .get_nic(id(&sub, &rg, "networkInterfaces", &name))
        .await?;
    let configs: Vec<_> = view
        .nic
        .value
        .ip_configurations
        .iter()
        .map(|c| nicw::ip_config(&view.nic.id, c))
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
    let view = s.app.get_nic(nic_id.clone()).await?;
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
            to_json(&nicw::ip_config(&view.nic.id, c), NIC_JSON_SIZE),
        ),
        &c.etag,
    ))
}

// ---- public IP addresses ----

pub async fn put_pip(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
    headers: HeaderMap,
    q: ArmQuery,
    Conditions(pre): Conditions,
    ArmJson(body): ArmJson<pipw::PublicIpIn>,
) -> Result<Response, ApiError> {
    let (view, created, op) = s
        .app
        .put_public_ip(id(&sub, &rg, "publicIPAddresses", &name), body.spec(), pre)
        .await?;
    Ok(put_response(
        &s,
        &headers,
        &q,
        pipw::public_ip(&view),
        created,
        &op,
    ))
}

pub async fn get_pip(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
) -> Result<Response, ApiError> {
    let view = s
        .app
        .get_public_ip(id(&sub, &rg, "publicIPAddresses", &name))
        .await?;
    Ok(ok(pipw::public_ip(&view)))
}

pub async fn patch_pip(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
    Conditions(pre): Conditions,
    ArmJson(body): ArmJson<TagsIn>,
) -> Result<Response, ApiError> {
    let view = s
        .app
        .patch_network_tags::<PublicIp, _>(
            id(&sub, &rg, "publicIPAddresses", &name),
            body.tags,
            pre,
            public_ips::view,
        )
        .await?;
    Ok(ok(pipw::public_ip(&view)))
}

pub async fn delete_pip(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
    headers: HeaderMap,
    q: ArmQuery,
    Conditions(pre): Conditions,
) -> Result<Response, ApiError> {
    let op = s
        .app
        .delete_public_ip(id(&sub, &rg, "publicIPAddresses", &name), pre)
        .await?;
    Ok(delete_response(&s, &headers, &q, op))
}

pub async fn list_pips_group(
    State(s): State<AppState>,
    Path((sub, rg)): GroupPath,
    headers: HeaderMap,
    uri: Uri,
    q: ArmQuery,
) -> Result<Json<Value>, ApiError> {
    let page = s
        .app
        .list_public_ips(&sub, Some(&rg), q.skiptoken.clone())
        .await?;
    Ok(list_json(&s, &headers, &uri, &q, page, pipw::public_ip))
}

pub async fn list_pips_sub(
    State(s): State<AppState>,
    Path(sub): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    q: ArmQuery,
) -> Result<Json<Value>, ApiError> {
    let page = s
        .app
        .list_public_ips(&sub, None, q.skiptoken.clone())
        .await?;
    Ok(list_json(&s, &headers, &uri, &q, page, pipw::public_ip))
}

// ---- load balancers ----

pub async fn put_lb(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
    headers: HeaderMap,
    q: ArmQuery,
    Conditions(pre): Conditions,
    ArmJson(body): ArmJson<lbw::LbIn>,
) -> Result<Response, ApiError> {
    let spec = body.spec().map_err(ApiError::InvalidRequestContent)?;
    let (view, created, op) = s
        .app
        .put_lb(id(&sub, &rg, "loadBalancers", &name), spec, pre)
        .await?;
    Ok(put_response(&s, &headers, &q, lbw::lb(&view), created, &op))
}

pub async fn get_lb(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
) -> Result<Response, ApiError> {
    let view = s.app.get_lb(id(&sub, &rg, "loadBalancers", &name)).await?;
    Ok(ok(lbw::lb(&view)))
}

pub async fn patch_lb(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
    Conditions(pre): Conditions,
    ArmJson(body): ArmJson<TagsIn>,
) -> Result<Response, ApiError> {
    let view = s
        .app
        .patch_network_tags::<LoadBalancer, _>(
            id(&sub, &rg, "loadBalancers", &name),
            body.tags,
            pre,
            load_balancers::view,
        )
        .await?;
    Ok(ok(lbw::lb(&view)))
}

pub async fn delete_lb(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
    headers: HeaderMap,
    q: ArmQuery,
    Conditions(pre): Conditions,
) -> Result<Response, ApiError> {
    let op = s
        .app
        .delete_lb(id(&sub, &rg, "loadBalancers", &name), pre)
        .await?;
    Ok(delete_response(&s, &headers, &q, op))
}

pub async fn list_lbs_group(
    State(s): State<AppState>,
    Path((sub, rg)): GroupPath,
    headers: HeaderMap,
    uri: Uri,
    q: ArmQuery,
) -> Result<Json<Value>, ApiError> {
    let page = s.app.list_lbs(&sub, Some(&rg), q.skiptoken.clone()).await?;
    Ok(list_json(&s, &headers, &uri, &q, page, lbw::lb))
}

pub async fn list_lbs_sub(
    State(s): State<AppState>,
    Path(sub): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    q: ArmQuery,
) -> Result<Json<Value>, ApiError> {
    let page = s.app.list_lbs(&sub, None, q.skiptoken.clone()).await?;
    Ok(list_json(&s, &headers, &uri, &q, page, lbw::lb))
}

fn pool_json(view: &load_balancers::LbView, name: &str) -> Option<Value> {
    let l = &view.lb.value;
    l.pools
        .iter()
        .zip(&view.pool_members)
        .find(|(p, _)| p.name.eq_ignore_ascii_case(name))
        .map(|(p, m)| lbw::pool(&view.lb.id, &p.name, &p.etag, m))
}

pub async fn list_pools(
    State(s): State<AppState>,
    Path((sub, rg, lb)): NamePath,
) -> Result<Json<Value>, ApiError> {
    let view = s.app.get_lb(id(&sub, &rg, "loadBalancers", &lb)).await?;
    let pools: Vec<Value> = view
        .lb
        .value
        .pools
        .iter()
        .filter_map(|p| pool_json(&view, &p.name))
        .collect();
    Ok(Json(json!({ "value": pools })))
}

pub async fn get_pool(
    State(s): State<AppState>,
    Path((sub, rg, lb, name)): ChildPath,
) -> Result<Response, ApiError> {
    let view = s.app.get_lb(id(&sub, &rg, "loadBalancers", &lb)).await?;
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
    ArmJson(_body): ArmJson<Value>,
) -> Result<Response, ApiError> {
    let (view, created, op) = s
        .app
        .put_pool(id(&sub, &rg, "loadBalancers", &lb), name.clone())
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
