//! A load balancer's children as Azure serves them. The collections kept in its body —
//! frontend IP configurations, load-balancing rules, probes, outbound rules, inbound NAT
//! rules — are listed and read by name (`LoadBalancerProbes_Get`, …); inbound NAT rules are
//! also written and deleted one by one (`InboundNatRules_CreateOrUpdate`, `_Delete`), as
//! `network.inbound_nat_rules` in the SDKs does; and the NICs behind it are listed
//! (`LoadBalancerNetworkInterfaces_List`). Backend pools live in [`super::network`].

use super::network::{delete_response, id, ok, put_response, ChildPath, NamePath};
use crate::error::ApiError;
use crate::extract::{ArmJson, ArmQuery};
use crate::wire::network::lb as lbw;
use crate::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use cerulean_app::network::load_balancers::LoadBalancers;
use cerulean_app::network::nics::Nics;
use cerulean_domain::id::ResourceId;
use cerulean_domain::DomainError;
use serde_json::{json, Value};

/// The children served read-only from the body: (path word, property).
const READ_ONLY: &[(&str, &str)] = &[
    ("frontendipconfigurations", "frontendIPConfigurations"),
    ("loadbalancingrules", "loadBalancingRules"),
    ("probes", "probes"),
    ("outboundrules", "outboundRules"),
];

/// Routes under `{group}/providers/microsoft.network` (`r` prefixes the group's path).
pub fn routes(r: impl Fn(&str) -> String) -> Router<AppState> {
    let mut router = Router::new();
    for &(word, prop) in READ_ONLY {
        router = router
            .route(
                &r(&format!("/loadbalancers/{{name}}/{word}")),
                get(move |s, p| list(s, p, prop)),
            )
            .route(
                &r(&format!("/loadbalancers/{{name}}/{word}/{{child}}")),
                get(move |s, p| get_one(s, p, prop)),
            );
    }
    router
        .route(
            &r("/loadbalancers/{name}/inboundnatrules"),
            get(|s, p| list(s, p, "inboundNatRules")),
        )
        .route(
            &r("/loadbalancers/{name}/networkinterfaces"),
            get(network_interfaces),
        )
        .route(
            &r("/loadbalancers/{name}/inboundnatrules/{child}"),
            get(|s, p| get_one(s, p, "inboundNatRules"))
                .put(put_nat_rule)
                .delete(delete_nat_rule),
        )
}

async fn view(
    s: &AppState,
    sub: &str,
    rg: &str,
    lb: &str,
) -> Result<cerulean_app::network::load_balancers::LbView, ApiError> {
    Ok(s.app
        .get_tracked::<LoadBalancers>(id(sub, rg, "loadBalancers", lb))
        .await?)
}

async fn list(
    State(s): State<AppState>,
    axum::extract::Path((sub, rg, lb)): NamePath,
    prop: &'static str,
) -> Result<Json<Value>, ApiError> {
    let v = view(&s, &sub, &rg, &lb).await?;
    let value = lbw::children(&v, prop).unwrap_or_default();
    Ok(Json(json!({ "value": value })))
}

async fn get_one(
    State(s): State<AppState>,
    axum::extract::Path((sub, rg, lb, name)): ChildPath,
    prop: &'static str,
) -> Result<Response, ApiError> {
    let v = view(&s, &sub, &rg, &lb).await?;
    let body = lbw::child_named(&v, prop, &name).ok_or_else(|| {
        ApiError::from(DomainError::ResourceNotFound {
            type_path: format!("Microsoft.Network/loadBalancers/{prop}"),
            name: format!("{lb}/{name}"),
            group: rg.clone(),
        })
    })?;
    Ok(ok(body))
}

async fn put_nat_rule(
    State(s): State<AppState>,
    axum::extract::Path((sub, rg, lb, name)): ChildPath,
    headers: HeaderMap,
    q: ArmQuery,
    ArmJson(body): ArmJson<Value>,
) -> Result<Response, ApiError> {
    let properties = match body.get("properties") {
        None | Some(Value::Null) => json!({}),
        Some(p @ Value::Object(_)) => p.clone(),
        Some(_) => {
            return Err(ApiError::InvalidRequestContent(
                "properties: expected an object".into(),
            ))
        }
    };
    let (v, created, op) = s
        .app
        .put_nat_rule(
            id(&sub, &rg, "loadBalancers", &lb),
            name.clone(),
            properties,
        )
        .await?;
    let body = lbw::child_named(&v, "inboundNatRules", &name).unwrap_or(Value::Null);
    Ok(put_response(&s, &headers, &q, body, created, &op))
}

async fn delete_nat_rule(
    State(s): State<AppState>,
    axum::extract::Path((sub, rg, lb, name)): ChildPath,
    headers: HeaderMap,
    q: ArmQuery,
) -> Result<Response, ApiError> {
    let op = s
        .app
        .delete_nat_rule(id(&sub, &rg, "loadBalancers", &lb), name)
        .await?;
    Ok(delete_response(&s, &headers, &q, op))
}

/// The NICs whose IP configurations are in the load balancer's pools or take its NAT rules,
/// each once, in the order of their ids.
async fn network_interfaces(
    State(s): State<AppState>,
    axum::extract::Path((sub, rg, lb)): NamePath,
) -> Result<Json<Value>, ApiError> {
    let v = view(&s, &sub, &rg, &lb).await?;
    let configs = v
        .pool_members
        .iter()
        .flatten()
        .chain(v.nat_rule_targets.values());
    let mut nics: Vec<ResourceId> = Vec::new();
    for config in configs {
        let nic = ResourceId::parse(config)?
            .parent()
            .ok_or_else(|| ApiError::from(DomainError::InvalidResourceId { id: config.clone() }))?;
        if !nics.iter().any(|n| n.key() == nic.key()) {
            nics.push(nic);
        }
    }
    nics.sort_by(|a, b| a.key().cmp(b.key()));
    let mut value = Vec::with_capacity(nics.len());
    for nic in nics {
        let view = s.app.get_tracked::<Nics>(nic).await?;
        value.push(serde_json::to_value(crate::wire::network::nic::nic(&view)).unwrap_or_default());
    }
    Ok(Json(json!({ "value": value })))
}
