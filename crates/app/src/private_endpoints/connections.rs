//! The connected resource's side of an endpoint's connection
//! (`{resource}/privateEndpointConnections/{endpoint}.{guid}`), by the rules of
//! `cerulean_domain::private_endpoint::connection`. The endpoint's body holds the state (its
//! reads and its names follow it); the record under the resource mirrors it for the owner,
//! who approves, rejects or removes the connection there. Each write keeps the two equal.

use super::body::connections;
use super::{dns_config_values, follow_address, service_names, CONNECTION_LISTS};
use crate::generic::owned_guid;
use crate::generic::GenericResource;
use crate::network::not_found;
use crate::records::{from_record, new_etag, to_record};
use crate::AppError;
use cerulean_domain::id::ResourceId;
use cerulean_domain::network::nic::NetworkInterface;
use cerulean_domain::private_endpoint::connection::{self as conn, Status};
use cerulean_domain::private_endpoint::Connection;
use cerulean_store::{ListQuery, Record, Scope, Tx};
use serde_json::{json, Map, Value};

/// The connection of `endpoint` to `target` as the target's child.
pub(super) fn record_id(endpoint: &ResourceId, target: &ResourceId, guid: &str) -> ResourceId {
    target.child(conn::SEGMENT, &conn::name(endpoint.name(), guid))
}

/// The state an endpoint's connection shows (the Network provider's spelling).
pub(super) fn endpoint_state(status: Status, description: &str) -> Value {
    json!({
        "status": status.as_str(),
        "description": description,
        "actionsRequired": "None",
    })
}

/// A state as stored on an endpoint's connection: its status and description.
pub(super) fn read_state(c: &Value) -> Option<(Status, String)> {
    let state = c.pointer("/properties/privateLinkServiceConnectionState")?;
    let status = Status::parse(state.get("status")?.as_str()?)?;
    let description = state
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Some((status, description.to_string()))
}

/// Writes the owner's record of an endpoint's connection (none once it is disconnected).
pub(super) fn write_record(
    tx: &mut dyn Tx,
    id: &ResourceId,
    endpoint: &ResourceId,
    status: Status,
    description: &str,
    endpoint_location: &str,
) -> Result<(), AppError> {
    if status == Status::Disconnected {
        tx.delete(id.key())?;
        return Ok(());
    }
    let existing = tx.get(id.key())?;
    let rec = to_record(
        id,
        "",
        &record_body(id, endpoint, status, description, endpoint_location),
        new_etag(),
    );
    tx.write_over(&rec, existing.as_ref().map(|r| r.etag.as_str()))?;
    Ok(())
}

/// What the owner's record `id` holds: the endpoint and the connection's state, spelt as the
/// resource's provider spells it (`actionsRequired` for Microsoft.Network's private link
/// services, `actionRequired` for the others); a private link service's record also names
/// the connection's `linkIdentifier` and the endpoint's region, as Azure's does.
fn record_body(
    id: &ResourceId,
    endpoint: &ResourceId,
    status: Status,
    description: &str,
    endpoint_location: &str,
) -> GenericResource {
    let network = id.kind_key().starts_with("microsoft.network/");
    let actions = if network {
        "actionsRequired"
    } else {
        "actionRequired"
    };
    let mut props = json!({
        "privateEndpoint": { "id": endpoint.as_str() },
        "privateLinkServiceConnectionState": {
            "status": status.as_str(),
            "description": description,
            actions: "None",
        },
        "provisioningState": "Succeeded",
    });
    if network {
        props["linkIdentifier"] = json!(conn::link_identifier(id.name()));
        props["privateEndpointLocation"] = json!(endpoint_location);
    }
    GenericResource {
        common: Default::default(),
        location: None,
        arm: Map::from_iter([("properties".to_string(), props)]),
    }
}

/// The owner's PUT of a connection: only a connection an endpoint made, to a state
/// `conn::change` allows. The endpoint follows (its state, names and records).
pub(super) fn owner_put(
    tx: &mut dyn Tx,
    id: &ResourceId,
    value: &mut GenericResource,
    old: Option<&GenericResource>,
) -> Result<(), AppError> {
    let Some(old) = old else {
        return Err(not_found(id));
    };
    let endpoint = endpoint_of(old)?;
    let from = old
        .arm
        .get("properties")
        .and_then(|p| p.get("privateLinkServiceConnectionState"))
        .and_then(|s| s.get("status"))
        .and_then(Value::as_str)
        .and_then(Status::parse)
        .unwrap_or(Status::Pending);
    let state = value
        .arm
        .get("properties")
        .and_then(|p| p.get("privateLinkServiceConnectionState"));
    let to = conn::change(
        from,
        state.and_then(|s| s.get("status")).and_then(Value::as_str),
    )?;
    let description = state
        .and_then(|s| s.get("description"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let location = tx
        .get(endpoint.key())?
        .and_then(|r| r.location)
        .unwrap_or_default();
    *value = record_body(id, &endpoint, to, &description, &location);
    restate(tx, &endpoint, to, &description)
}

/// The owner's DELETE of a connection: the endpoint is left disconnected.
pub(super) fn owner_delete(tx: &mut dyn Tx, id: &ResourceId) -> Result<(), AppError> {
    let Some(rec) = tx.get(id.key())? else {
        return Ok(());
    };
    let endpoint = endpoint_of(&from_record(&rec)?)?;
    restate(tx, &endpoint, Status::Disconnected, conn::REMOVED)
}

fn endpoint_of(value: &GenericResource) -> Result<ResourceId, AppError> {
    let raw = value
        .arm
        .get("properties")
        .and_then(|p| p.pointer("/privateEndpoint/id"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    Ok(ResourceId::parse(raw)?)
}

/// Sets an endpoint's connection state, and with it the names it answers for and its zone
/// groups' records.
fn restate(
    tx: &mut dyn Tx,
    endpoint: &ResourceId,
    status: Status,
    description: &str,
) -> Result<(), AppError> {
    let Some(rec) = tx.get(endpoint.key())? else {
        return Ok(());
    };
    let mut value: GenericResource = from_record(&rec)?;
    let address = match value.owned_nic() {
        Some(nic) => match tx.get(ResourceId::parse(&nic)?.key())? {
            Some(n) => from_record::<NetworkInterface>(&n)?
                .primary_config()
                .and_then(|c| c.private_ip.clone())
                .unwrap_or_default(),
            None => String::new(),
        },
        None => String::new(),
    };
    let props = value.properties_mut();
    for list in CONNECTION_LISTS {
        let items = props.get_mut(list).and_then(Value::as_array_mut);
        for c in items.into_iter().flatten() {
            if let Some(state) = c.pointer_mut("/properties/privateLinkServiceConnectionState") {
                *state = endpoint_state(status, description);
            }
        }
    }
    let found = connections(props)?;
    let names = service_names(tx, endpoint, &found, status.serves())?;
    props.insert(
        "customDnsConfigs".into(),
        dns_config_values(&names, &address),
    );
    follow_address(tx, endpoint, &super::body::dns_configs(&value))?;
    let out = to_record(
        endpoint,
        rec.location.as_deref().unwrap_or_default(),
        &value,
        new_etag(),
    );
    tx.write_over(&out, Some(&rec.etag))?;
    Ok(())
}

/// The connections under a resource of `kind` (its `privateEndpointConnections`, as a
/// resource's GET shows them), at most `limit`.
pub(super) fn under(tx: &mut dyn Tx, rec: &Record, limit: usize) -> Result<Vec<Record>, AppError> {
    let Some(group) = rec.group_key.as_deref() else {
        return Ok(Vec::new());
    };
    let kind = format!("{}/privateendpointconnections", rec.kind);
    let prefix = format!("{}/", rec.key);
    let found = tx.list(&ListQuery {
        scope: Scope::Group(group),
        kind: Some(&kind),
        after: Some(&prefix),
        limit,
    })?;
    Ok(found
        .into_iter()
        .take_while(|r| r.key.starts_with(&prefix))
        .collect())
}

/// What a connected resource's reads show: its endpoints' connections
/// (`properties.privateEndpointConnections`, which `az network private-endpoint-connection
/// list` and templates read).
pub(super) fn show_on_resource(
    tx: &mut dyn Tx,
    rec: &Record,
    value: &mut GenericResource,
) -> Result<(), AppError> {
    // An endpoint per connection; Azure's services cap them well below this.
    const SHOWN: usize = 1000;
    let mut items = Vec::new();
    for r in under(tx, rec, SHOWN)? {
        let id = ResourceId::parse(&r.id)?;
        let stored: GenericResource = from_record(&r)?;
        items.push(json!({
            "id": r.id,
            "name": id.name(),
            "type": id.type_path(),
            "properties": stored.arm.get("properties").cloned().unwrap_or(json!({})),
        }));
    }
    value
        .properties_mut()
        .insert("privateEndpointConnections".into(), Value::Array(items));
    Ok(())
}

/// The resource owner's record of a stored endpoint's connection (none when its resource
/// is a service's alias no service answers to any more).
pub(super) fn connection_record(
    tx: &mut dyn Tx,
    id: &ResourceId,
    value: &GenericResource,
) -> Result<Option<ResourceId>, AppError> {
    let Some(props) = value.arm.get("properties").and_then(Value::as_object) else {
        return Ok(None);
    };
    let Some(first) = connections(props).ok().and_then(|c| c.into_iter().next()) else {
        return Ok(None);
    };
    Ok(super::resolve(tx, &first.target)?.map(|t| record_id(id, &t, &owned_guid(id))))
}

/// The state an endpoint's connection keeps across its PUTs: the stored one while it names
/// the same resource (none for a new connection).
pub(super) fn kept_state(old: Option<&Value>, c: &Connection) -> Option<(Status, String)> {
    let same_target = |item: &&Value| {
        item.pointer("/properties/privateLinkServiceId")
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case(&c.target))
    };
    old.and_then(|p| {
        CONNECTION_LISTS
            .iter()
            .filter_map(|l| p.get(*l).and_then(Value::as_array))
            .flatten()
            .find(same_target)
    })
    .and_then(read_state)
}
