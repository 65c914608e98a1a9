//! Private DNS zone groups: the A records a zone group keeps in its zones for its endpoint's
//! names, and what the group shows of them.

use super::DnsConfig;
use crate::generic::GenericResource;
use crate::AppError;
use cerulean_domain::dns;
use cerulean_domain::id::ResourceId;
use cerulean_domain::private_endpoint as pe;
use cerulean_domain::DomainError;
use cerulean_store::{Record, Scope, Tx};
use serde_json::{json, Value};

/// Lower-case type path of a private DNS zone.
const PRIVATE_ZONE: &str = "microsoft.network/privatednszones";

/// An endpoint's zone groups (one, or none).
pub(super) fn zone_groups(tx: &mut dyn Tx, endpoint: &ResourceId) -> Result<Vec<Record>, AppError> {
    let group = endpoint.group_id().expect("an endpoint has a group");
    Ok(
        crate::records::children_in(tx, Scope::Group(group.key()), endpoint.key())?
            .into_iter()
            .filter(|r| r.kind == pe::ZONE_GROUP_KIND)
            .collect(),
    )
}

/// Checks a zone group's zones and writes its records for the endpoint's `configs`, the
/// records it held before (`old`) removed first; fills in what reads show.
pub(super) fn fill_zone_group(
    tx: &mut dyn Tx,
    id: &ResourceId,
    value: &mut GenericResource,
    old: Option<&GenericResource>,
    configs: &[DnsConfig],
    other: Option<&ResourceId>,
) -> Result<(), AppError> {
    let endpoint = id.parent().expect("a zone group has a parent");
    let props = value.properties_mut();
    props.remove("provisioningState");
    let items = props
        .get("privateDnsZoneConfigs")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let zones = items
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let raw = c
                .pointer("/properties/privateDnsZoneId")
                .and_then(Value::as_str)
                .unwrap_or_default();
            ResourceId::parse(raw).map_err(|_| DomainError::InvalidPropertyId {
                id: raw.to_string(),
                path: format!("properties.privateDnsZoneConfigs[{i}].properties.privateDnsZoneId"),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let names: Vec<String> = zones.iter().map(|z| z.name().to_string()).collect();
    pe::check_zone_group(
        endpoint.as_str(),
        &names,
        other.map(|o| o.name().to_string()).as_deref(),
    )?;
    for zone in &zones {
        if zone.kind_key() != PRIVATE_ZONE || tx.get(zone.key())?.is_none() {
            return Err(DomainError::InvalidResourceReference {
                id: zone.to_string(),
                referrer: id.to_string(),
            }
            .into());
        }
    }
    if let Some(old) = old {
        remove_records(tx, old)?;
    }
    let mut shown = Vec::new();
    for (c, zone) in items.iter().zip(&zones) {
        let mut record_sets = Vec::new();
        for config in configs {
            let name = pe::record_name(&config.fqdn, zone.name());
            write_record(tx, zone, &name, &config.addresses)?;
            record_sets.push(json!({
                "recordType": "A",
                "recordSetName": name,
                "fqdn": dns::fqdn(zone.name(), &name).trim_end_matches('.'),
                "ttl": pe::RECORD_TTL,
                "ipAddresses": config.addresses,
                "provisioningState": "Succeeded",
            }));
        }
        let config_name = c
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(zone.name())
            .to_string();
        shown.push(json!({
            "name": config_name,
            "properties": {
                "privateDnsZoneId": zone.as_str(),
                "recordSets": record_sets,
            },
        }));
    }
    let props = value.properties_mut();
    props.insert("privateDnsZoneConfigs".into(), Value::Array(shown));
    props.insert("provisioningState".into(), json!("Succeeded"));
    Ok(())
}

/// Drops from a stored group the configurations of zones that no longer exist.
pub(super) fn drop_missing_zones(
    tx: &mut dyn Tx,
    group: &mut GenericResource,
) -> Result<(), AppError> {
    let props = group.properties_mut();
    let Some(Value::Array(configs)) = props.get_mut("privateDnsZoneConfigs") else {
        return Ok(());
    };
    let mut kept = Vec::with_capacity(configs.len());
    for c in configs.drain(..) {
        let zone = c
            .pointer("/properties/privateDnsZoneId")
            .and_then(Value::as_str)
            .and_then(|z| ResourceId::parse(z).ok());
        if let Some(zone) = zone {
            if tx.get(zone.key())?.is_some() {
                kept.push(c);
            }
        }
    }
    *configs = kept;
    Ok(())
}

/// The record sets a stored zone group holds: (zone, record name).
pub(super) fn zone_records(value: &GenericResource) -> Vec<(ResourceId, String)> {
    let items = value
        .arm
        .get("properties")
        .and_then(|p| p.get("privateDnsZoneConfigs"))
        .and_then(Value::as_array);
    let mut out = Vec::new();
    for c in items.into_iter().flatten() {
        let zone = c
            .pointer("/properties/privateDnsZoneId")
            .and_then(Value::as_str)
            .and_then(|z| ResourceId::parse(z).ok());
        let Some(zone) = zone else { continue };
        let sets = c
            .pointer("/properties/recordSets")
            .and_then(Value::as_array);
        for s in sets.into_iter().flatten() {
            if let Some(name) = s.get("recordSetName").and_then(Value::as_str) {
                out.push((zone.clone(), name.to_string()));
            }
        }
    }
    out
}

pub(super) fn remove_records(tx: &mut dyn Tx, group: &GenericResource) -> Result<(), AppError> {
    for (zone, name) in zone_records(group) {
        let key = zone.child("A", &name);
        if tx.get(key.key())?.is_some() {
            tx.delete(key.key())?;
        }
    }
    Ok(())
}

/// Writes `{zone}/A/{name}` with `addresses` (over whatever held the name: the endpoint's
/// record is the zone's answer for the service's name).
fn write_record(
    tx: &mut dyn Tx,
    zone: &ResourceId,
    name: &str,
    addresses: &[String],
) -> Result<(), AppError> {
    let id = zone.child("A", name);
    let existing = tx.get(id.key())?;
    let records: Vec<Value> = addresses
        .iter()
        .map(|a| json!({ "ipv4Address": a }))
        .collect();
    let props = json!({
        "ttl": pe::RECORD_TTL,
        "fqdn": dns::fqdn(zone.name(), name),
        "isAutoRegistered": false,
        "aRecords": records,
    });
    crate::dns::write_record_set(tx, id, existing.as_ref(), props)
}
