//! Private endpoints and their private DNS zone groups: generic resources (`generic.rs`) with
//! what Azure does beside storing them, by the rules of `cerulean_domain::private_endpoint`.
//! An endpoint's PUT writes its NIC through the NIC's own rules (an address in the subnet;
//! the NIC is the endpoint's: `nic::check_owner`) and shows the service's names beside the
//! address; a zone group's PUT keeps an A record per name in each of its zones, and follows
//! the endpoint's address. Deleting either takes what it wrote with it.
//!
//! Their writes run alone (`runs_alone`): they touch a subnet's addresses, a NIC and zones
//! in other groups, which no key declared up front names.

use crate::generic::{owned_guid, GenericCommon, GenericResource};
use crate::network::nics;
use crate::records::{from_record, new_etag, to_record};
use crate::tracked::Env;
use crate::AppError;
use cerulean_domain::id::ResourceId;
use cerulean_domain::private_endpoint::connection::Status;
use cerulean_domain::private_endpoint::{self as pe, Connection};
use cerulean_domain::private_link_service as pls;
use cerulean_domain::DomainError;
use cerulean_store::{Record, Ref, RefKind, Tx};
use serde_json::{json, Map, Value};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Endpoint,
    ZoneGroup,
    /// An endpoint's connection under the resource it connects to.
    Connection,
}

fn kind_of(kind_key: &str) -> Option<Kind> {
    match kind_key {
        pe::KIND => Some(Kind::Endpoint),
        pe::ZONE_GROUP_KIND => Some(Kind::ZoneGroup),
        k if pe::connection::is_kind(k) => Some(Kind::Connection),
        _ => None,
    }
}

pub(crate) fn runs_alone(id: &ResourceId) -> bool {
    kind_of(&id.kind_key()).is_some()
}

/// A name the endpoint's service answers to, with the endpoint's addresses.
#[derive(Clone, Debug, PartialEq)]
struct DnsConfig {
    fqdn: String,
    addresses: Vec<String>,
}

/// Where an endpoint's body lists its connection: approved at once, or manual (waiting for the
/// resource's owner).
const CONNECTION_LISTS: [&str; 2] = [
    "privateLinkServiceConnections",
    "manualPrivateLinkServiceConnections",
];

mod body;
mod connections;
mod nic;
mod zone_groups;
use body::{connection_shown, connections, dns_configs, subnet_of, unchanged};
use connections::{connection_record, kept_state};
use nic::write_nic;
use zone_groups::{fill_zone_group, remove_records, zone_groups, zone_records};

/// Before a PUT is stored: the endpoint's NIC and names, or the zone group's records.
pub(crate) fn prepare(
    tx: &mut dyn Tx,
    env: &Env,
    id: &ResourceId,
    value: &mut GenericResource,
    old: Option<&GenericResource>,
) -> Result<(), AppError> {
    match kind_of(&id.kind_key()) {
        None => Ok(()),
        Some(Kind::Endpoint) => prepare_endpoint(tx, env, id, value, old),
        Some(Kind::Connection) => connections::owner_put(tx, id, value, old),
        Some(Kind::ZoneGroup) => {
            let endpoint = id.parent().expect("a zone group has a parent");
            let configs = match tx.get(endpoint.key())? {
                Some(rec) => dns_configs(&from_record(&rec)?),
                None => Vec::new(),
            };
            let others = zone_groups(tx, &endpoint)?;
            let other = others
                .iter()
                .map(|r| ResourceId::parse(&r.id))
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .find(|g| !g.name().eq_ignore_ascii_case(id.name()));
            fill_zone_group(tx, id, value, old, &configs, other.as_ref())
        }
    }
}

/// Before a DELETE of an endpoint (its zone groups' records, its NIC, its connection's
/// record), of a zone group (its records) or of a connection by its resource's owner (the
/// endpoint is left disconnected).
pub(crate) fn deleting(tx: &mut dyn Tx, id: &ResourceId) -> Result<(), AppError> {
    match kind_of(&id.kind_key()) {
        None => Ok(()),
        Some(Kind::Connection) => connections::owner_delete(tx, id),
        Some(Kind::ZoneGroup) => match tx.get(id.key())? {
            Some(rec) => remove_records(tx, &from_record(&rec)?),
            None => Ok(()),
        },
        Some(Kind::Endpoint) => {
            for g in zone_groups(tx, id)? {
                remove_records(tx, &from_record(&g)?)?;
            }
            let Some(rec) = tx.get(id.key())? else {
                return Ok(());
            };
            let value: GenericResource = from_record(&rec)?;
            if let Some(c) = connection_record(tx, id, &value)? {
                tx.delete(c.key())?;
            }
            nics::purge_owned(tx, &value)
        }
    }
}

/// `GET {resource}/privateLinkResources` of a resource whose service cerulean knows: its
/// sub-resources, their members and the zone Azure recommends. `None` for other lists.
pub(crate) fn link_resources(
    tx: &mut dyn Tx,
    kind: &str,
    parent: Option<&ResourceId>,
) -> Result<Option<Vec<crate::network::Stored<GenericResource>>>, AppError> {
    let (Some(parent), Some(owner)) = (parent, kind.strip_suffix("/privatelinkresources")) else {
        return Ok(None);
    };
    let Some(services) = pe::services_of(owner) else {
        return Ok(None);
    };
    let Some(rec) = tx.get(parent.key())? else {
        return Ok(None);
    };
    let items = services
        .iter()
        .map(|s| crate::network::Stored {
            id: ResourceId::parse(&rec.id)
                .map(|p| p.child("privateLinkResources", s.group_id).to_string())
                .unwrap_or_default(),
            etag: String::new(),
            value: GenericResource {
                common: GenericCommon::default(),
                location: None,
                arm: Map::from_iter([(
                    "properties".to_string(),
                    json!({
                        "groupId": s.group_id,
                        "requiredMembers": [s.group_id],
                        "requiredZoneNames": [s.zone],
                    }),
                )]),
            },
        })
        .collect();
    Ok(Some(items))
}

/// What reads show beside the stored body: a connection whose resource is gone is
/// `Disconnected` (the resource's delete does not touch the endpoint, as on Azure).
pub(crate) fn decorate(
    tx: &mut dyn Tx,
    rec: &Record,
    value: &mut GenericResource,
) -> Result<(), AppError> {
    if pe::services_of(&rec.kind).is_some() || rec.kind == pls::KIND {
        return connections::show_on_resource(tx, rec, value);
    }
    if kind_of(&rec.kind) != Some(Kind::Endpoint) {
        return Ok(());
    }
    let props = value.properties_mut();
    for list in CONNECTION_LISTS {
        let Some(items) = props.get_mut(list).and_then(Value::as_array_mut) else {
            continue;
        };
        for c in items {
            let raw = c
                .pointer("/properties/privateLinkServiceId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let gone = match resolve(tx, raw)? {
                Some(t) => tx.get(t.key())?.is_none(),
                // An alias no service answers to any more.
                None => pls::is_alias(raw),
            };
            if let (true, Some(state)) = (
                gone,
                c.pointer_mut("/properties/privateLinkServiceConnectionState"),
            ) {
                // GUESS: the description.
                *state = json!({
                    "status": "Disconnected",
                    "description": "The private link resource was deleted.",
                    "actionsRequired": "None",
                });
            }
        }
    }
    Ok(())
}

/// A group delete's clean-up of an endpoint or zone group: the records it wrote in zones
/// (which may be in other groups). The endpoint's NIC is in its group and goes as a member.
pub(crate) fn purge(tx: &mut dyn Tx, rec: &Record) -> Result<(), AppError> {
    match kind_of(&rec.kind) {
        Some(Kind::ZoneGroup) => remove_records(tx, &from_record(rec)?)?,
        Some(Kind::Endpoint) => {
            let id = ResourceId::parse(&rec.id)?;
            for g in zone_groups(tx, &id)? {
                remove_records(tx, &from_record(&g)?)?;
            }
            if let Some(c) = connection_record(tx, &id, &from_record(rec)?)? {
                tx.delete(c.key())?;
            }
        }
        Some(Kind::Connection) | None => {}
    }
    tx.set_refs(&rec.key, &[])?;
    tx.delete(&rec.key)?;
    Ok(())
}

/// What [`purge`] locks where writers run side by side: the record and the zones its
/// records are in.
pub(crate) fn purge_locks(tx: &mut dyn Tx, rec: &Record) -> Result<Vec<String>, AppError> {
    let mut keys = vec![rec.key.clone()];
    let groups = match kind_of(&rec.kind) {
        Some(Kind::ZoneGroup) => vec![rec.clone()],
        Some(Kind::Endpoint) => {
            let id = ResourceId::parse(&rec.id)?;
            let record = connection_record(tx, &id, &from_record(rec)?)?;
            keys.extend(record.map(|c| c.key().to_string()));
            zone_groups(tx, &id)?
        }
        Some(Kind::Connection) | None => Vec::new(),
    };
    for g in groups {
        for (zone, _) in zone_records(&from_record(&g)?) {
            keys.push(zone.key().to_string());
        }
    }
    Ok(keys)
}

fn prepare_endpoint(
    tx: &mut dyn Tx,
    env: &Env,
    id: &ResourceId,
    value: &mut GenericResource,
    old: Option<&GenericResource>,
) -> Result<(), AppError> {
    let location = value
        .location
        .clone()
        .ok_or(DomainError::LocationRequired)?;
    let props = value.properties_mut();
    for k in ["provisioningState", "networkInterfaces", "customDnsConfigs"] {
        props.remove(k);
    }
    let subnet = subnet_of(id, props)?;
    let old_props = old.and_then(|o| o.arm.get("properties"));
    unchanged(id, props, old_props, "/subnet/id", "subnet")?;
    unchanged(
        id,
        props,
        old_props,
        "/customNetworkInterfaceName",
        "customNetworkInterfaceName",
    )?;
    // The subnet exists, in the endpoint's region.
    let in_region = crate::network::subnet_info(tx, &subnet)?
        .is_some_and(|s| s.location.eq_ignore_ascii_case(&location));
    if !in_region {
        return Err(DomainError::InvalidResourceReference {
            id: subnet.to_string(),
            referrer: id.to_string(),
        }
        .into());
    }
    let connections = connections(props)?;
    pe::check_connections(id.as_str(), &connections)?;
    let target = resolve_existing(tx, id, &connections[0].target)?;
    let (status, description) = match kept_state(old_props, &connections[0]) {
        Some(kept) => kept,
        None => initial_state(tx, id, &target, &connections[0], props)?,
    };
    let names = service_names(tx, id, &connections, status.serves())?;

    let guid = owned_guid(id);
    let custom = props
        .get("customNetworkInterfaceName")
        .and_then(Value::as_str);
    let nic_id = match old.and_then(GenericResource::owned_nic) {
        Some(n) => ResourceId::parse(&n)?,
        None => ResourceId::resource(
            id.subscription(),
            id.group_name().unwrap_or_default(),
            "Microsoft.Network",
            "networkInterfaces",
            &pe::nic_name(id.name(), custom, &guid),
        ),
    };
    let nic = write_nic(
        tx,
        env,
        id,
        &nic_id,
        props,
        &subnet,
        location.clone(),
        &guid,
    )?;
    let address = nic
        .primary_config()
        .and_then(|c| c.private_ip.clone())
        .unwrap_or_default();

    let state = connections::endpoint_state(status, &description);
    show_endpoint(id, props, &nic_id, &names, &address, &state);

    // The resource owner's record of the connection, moved with it to another resource.
    let record = connections::record_id(id, &target, &guid);
    let before = match old {
        Some(o) => connection_record(tx, id, o)?,
        None => None,
    };
    if let Some(before) = before {
        if before.key() != record.key() {
            tx.delete(before.key())?;
        }
    }
    connections::write_record(tx, &record, id, status, &description, &location)?;
    link_subnet(tx, id, &subnet)?;

    if old.is_some() {
        follow_address(tx, id, &dns_configs(value))?;
    }
    Ok(())
}

/// An endpoint's zone groups rewritten for its names and address as they are now.
fn follow_address(
    tx: &mut dyn Tx,
    endpoint: &ResourceId,
    configs: &[DnsConfig],
) -> Result<(), AppError> {
    for g in zone_groups(tx, endpoint)? {
        let gid = ResourceId::parse(&g.id)?;
        let mut group: GenericResource = from_record(&g)?;
        let before = group.clone();
        // A zone deleted since leaves the group: the endpoint's write goes on, and the
        // zones that remain follow it.
        zone_groups::drop_missing_zones(tx, &mut group)?;
        fill_zone_group(tx, &gid, &mut group, Some(&before), configs, None)?;
        if group.arm != before.arm {
            let rec = to_record(&gid, "", &group, new_etag());
            tx.write_over(&rec, Some(&g.etag))?;
        }
    }
    Ok(())
}

/// The names the connected services answer to (none unless the connection is approved,
/// `serving`); every connection's resource must exist.
fn service_names(
    tx: &mut dyn Tx,
    id: &ResourceId,
    connections: &[Connection],
    serving: bool,
) -> Result<Vec<String>, AppError> {
    let mut names = Vec::new();
    for c in connections {
        let target = resolve_existing(tx, id, &c.target)?;
        let Some(rec) = tx.get(target.key())? else {
            return Err(DomainError::InvalidResourceReference {
                id: c.target.clone(),
                referrer: id.to_string(),
            }
            .into());
        };
        if let (Some(service), true) = (pe::service_of(c)?, serving) {
            names.extend(pe::fqdns(
                service,
                target.name(),
                rec.location.as_deref().unwrap_or_default(),
            ));
        }
    }
    Ok(names)
}

/// What Azure fills in on an endpoint: its connections' ids and states, its names with the
/// address, its NIC.
fn show_endpoint(
    id: &ResourceId,
    props: &mut Map<String, Value>,
    nic_id: &ResourceId,
    names: &[String],
    address: &str,
    state: &Value,
) {
    for list in CONNECTION_LISTS {
        let shown = props
            .get(list)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .map(|c| connection_shown(id, c, state))
                    .collect()
            })
            .unwrap_or_default();
        props.insert(list.into(), Value::Array(shown));
    }
    props.insert("customDnsConfigs".into(), dns_config_values(names, address));
    props.insert(
        "networkInterfaces".into(),
        json!([{ "id": nic_id.as_str() }]),
    );
    props.insert("provisioningState".into(), json!("Succeeded"));
    for k in ["applicationSecurityGroups", "ipConfigurations"] {
        props.entry(k).or_insert_with(|| json!([]));
    }
    props
        .entry("customNetworkInterfaceName")
        .or_insert_with(|| json!(""));
}

/// What an endpoint's NIC shows it connects to: its connection's first group id (the
/// member is named alike) and the names it answers to (`customDnsConfigs`). None for an
/// endpoint gone, or one to a private link service (no group ids).
pub(crate) fn link_properties(
    tx: &mut dyn Tx,
    endpoint: &str,
) -> Result<Option<nics::LinkProperties>, AppError> {
    let Some(rec) = tx.get(ResourceId::parse(endpoint)?.key())? else {
        return Ok(None);
    };
    let value: GenericResource = from_record(&rec)?;
    let Some(props) = value.arm.get("properties").and_then(Value::as_object) else {
        return Ok(None);
    };
    let group = connections(props)?
        .into_iter()
        .find_map(|c| c.group_ids.into_iter().next());
    let Some(group) = group else {
        return Ok(None);
    };
    Ok(Some(nics::LinkProperties {
        required_member_name: group.clone(),
        group_id: group,
        fqdns: dns_configs(&value).into_iter().map(|c| c.fqdn).collect(),
    }))
}

/// `customDnsConfigs`: each name with the endpoint's address.
fn dns_config_values(names: &[String], address: &str) -> Value {
    names
        .iter()
        .map(|fqdn| json!({ "fqdn": fqdn, "ipAddresses": [address] }))
        .collect()
}

/// The subnet lists its endpoints: a reference from the endpoint, dropped with its other
/// references when it is deleted.
fn link_subnet(tx: &mut dyn Tx, id: &ResourceId, subnet: &ResourceId) -> Result<(), AppError> {
    let link = Ref {
        from_key: id.key().to_string(),
        from_id: id.to_string(),
        to_key: subnet.key().to_string(),
        kind: RefKind::PrivateEndpoint,
        owner_key: id.key().to_string(),
    };
    tx.set_refs(id.key(), &[link])?;
    Ok(())
}

/// The resource a connection names: its id, or a private link service's alias (`None`
/// when no service answers to it).
pub(crate) fn resolve(tx: &mut dyn Tx, raw: &str) -> Result<Option<ResourceId>, AppError> {
    if pls::is_alias(raw) {
        return crate::private_link_services::by_alias(tx, raw);
    }
    Ok(ResourceId::parse(raw).ok())
}

/// [`resolve`], refusing what names nothing.
fn resolve_existing(
    tx: &mut dyn Tx,
    endpoint: &ResourceId,
    raw: &str,
) -> Result<ResourceId, AppError> {
    resolve(tx, raw)?.ok_or_else(|| {
        DomainError::InvalidResourceReference {
            id: raw.to_string(),
            referrer: endpoint.to_string(),
        }
        .into()
    })
}

/// A new connection's state: a private link service's visibility and auto-approval decide
/// it (`pls::connection_state`); any other resource approves an automatic request at once.
fn initial_state(
    tx: &mut dyn Tx,
    endpoint: &ResourceId,
    target: &ResourceId,
    c: &Connection,
    props: &Map<String, Value>,
) -> Result<(Status, String), AppError> {
    let message = CONNECTION_LISTS
        .iter()
        .filter_map(|l| props.get(*l).and_then(Value::as_array))
        .flatten()
        .find_map(|i| {
            i.pointer("/properties/requestMessage")
                .and_then(Value::as_str)
        })
        .unwrap_or_default();
    if target.kind_key() != pls::KIND {
        return Ok(pe::connection::initial(c.manual, message));
    }
    let service: Option<GenericResource> = match tx.get(target.key())? {
        Some(rec) => Some(from_record(&rec)?),
        None => None,
    };
    let list = |key: &str| -> Vec<String> {
        service
            .as_ref()
            .and_then(|s| s.arm.get("properties"))
            .and_then(|p| p.pointer(&format!("/{key}/subscriptions")))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    };
    let audience = pls::Audience {
        owner: target.subscription().to_string(),
        visibility: list("visibility"),
        auto_approval: list("autoApproval"),
    };
    Ok(pls::connection_state(
        target.as_str(),
        &audience,
        endpoint.subscription(),
        c.manual,
        message,
    )?)
}
