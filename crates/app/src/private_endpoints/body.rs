//! An endpoint's body: what the request names (its subnet, connections) and what reads show
//! of it (connection states, names, its NIC).

use super::DnsConfig;
use crate::generic::GenericResource;
use crate::AppError;
use cerulean_domain::id::ResourceId;
use cerulean_domain::private_endpoint::Connection;
use cerulean_domain::DomainError;
use serde_json::{json, Map, Value};

pub(super) fn subnet_of(
    id: &ResourceId,
    props: &Map<String, Value>,
) -> Result<ResourceId, AppError> {
    let Some(raw) = at(props, "/subnet/id").and_then(Value::as_str) else {
        // GUESS: the code and wording.
        return Err(DomainError::InvalidParameter {
            message: format!("Private endpoint {id} must name a subnet (properties.subnet.id)."),
            target: Some("properties.subnet".into()),
        }
        .into());
    };
    ResourceId::parse(raw).map_err(|_| {
        DomainError::InvalidPropertyId {
            id: raw.to_string(),
            path: "properties.subnet.id".into(),
        }
        .into()
    })
}

/// JSON pointer `pointer` into a body's `properties`.
fn at<'a>(props: &'a Map<String, Value>, pointer: &str) -> Option<&'a Value> {
    let rest = pointer.strip_prefix('/')?;
    match rest.split_once('/') {
        None => props.get(rest),
        Some((first, tail)) => props.get(first)?.pointer(&format!("/{tail}")),
    }
}

/// Refuses a change of what an endpoint keeps for its life (its subnet, its NIC's name).
pub(super) fn unchanged(
    id: &ResourceId,
    props: &Map<String, Value>,
    old: Option<&Value>,
    pointer: &str,
    property: &str,
) -> Result<(), AppError> {
    let Some(old) = old else {
        return Ok(());
    };
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_string();
    let (was, now) = (text(old.pointer(pointer)), text(at(props, pointer)));
    if was.eq_ignore_ascii_case(&now) {
        return Ok(());
    }
    Err(DomainError::PropertyChangeNotAllowed {
        resource: id.to_string(),
        property: property.to_string(),
    }
    .into())
}

/// The request's connections, automatic and manual.
pub(super) fn connections(props: &Map<String, Value>) -> Result<Vec<Connection>, AppError> {
    let mut out = Vec::new();
    for (list, manual) in [
        ("privateLinkServiceConnections", false),
        ("manualPrivateLinkServiceConnections", true),
    ] {
        let items = props.get(list).and_then(Value::as_array);
        for (i, c) in items.into_iter().flatten().enumerate() {
            let path = format!("properties.{list}[{i}].properties.privateLinkServiceId");
            let raw = c
                .pointer("/properties/privateLinkServiceId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            // A private link service's alias stands for the service.
            let target_kind = if cerulean_domain::private_link_service::is_alias(raw) {
                cerulean_domain::private_link_service::KIND.to_string()
            } else {
                ResourceId::parse(raw)
                    .map_err(|_| DomainError::InvalidPropertyId {
                        id: raw.to_string(),
                        path,
                    })?
                    .kind_key()
            };
            let group_ids = c
                .pointer("/properties/groupIds")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            out.push(Connection {
                name: c
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                target: raw.to_string(),
                target_kind,
                group_ids,
                manual,
            });
        }
    }
    Ok(out)
}

/// A connection as reads show it: its id, and its state (`state`, kept in the endpoint's
/// body: automatic connections are approved at once, manual ones wait for the resource's
/// owner, `connections.rs`).
pub(super) fn connection_shown(endpoint: &ResourceId, c: &Value, state: &Value) -> Value {
    let mut c = c.clone();
    let name = c
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let Some(obj) = c.as_object_mut() else {
        return c;
    };
    obj.insert(
        "id".into(),
        json!(endpoint
            .child("privateLinkServiceConnections", &name)
            .as_str()),
    );
    obj.insert(
        "type".into(),
        json!("Microsoft.Network/privateEndpoints/privateLinkServiceConnections"),
    );
    let props = obj
        .entry("properties")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    if let Some(props) = props {
        props.insert("provisioningState".into(), json!("Succeeded"));
        props.insert("privateLinkServiceConnectionState".into(), state.clone());
    }
    c
}

pub(super) fn dns_configs(value: &GenericResource) -> Vec<DnsConfig> {
    let items = value
        .arm
        .get("properties")
        .and_then(|p| p.get("customDnsConfigs"))
        .and_then(Value::as_array);
    items
        .into_iter()
        .flatten()
        .filter_map(|c| {
            Some(DnsConfig {
                fqdn: c.get("fqdn")?.as_str()?.to_string(),
                addresses: c
                    .get("ipAddresses")?
                    .as_array()?
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
            })
        })
        .collect()
}
