//! DNS zones, private DNS zones, their record sets and links: generic resources
//! (`generic.rs`) with what Azure does beside storing them, by the rules of
//! `cerulean_domain::dns`. A zone's PUT creates its apex record sets; a record set's PUT
//! fills its FQDN; a link's PUT checks its network and, with registration, registers the
//! network's VMs (`registration.rs`); deletes keep the apex and refuse a linked zone; reads
//! show a zone's counts.

pub(crate) mod registration;

use crate::generic::{GenericCommon, GenericResource};
use crate::records::{new_etag, to_record};
use crate::AppError;
use cerulean_domain::dns::{self, DnsKind, ZoneCounts, ZoneKind};
use cerulean_domain::guest::names::Names;
use cerulean_domain::id::ResourceId;
use cerulean_domain::DomainError;
use cerulean_store::{Record, RefKind, Scope, Tx};
use serde_json::{json, Map, Value};

/// Read-only properties of a zone that a client may echo back: never stored.
const ZONE_COUNTS: &[&str] = &[
    "maxNumberOfRecordSets",
    "numberOfRecordSets",
    "maxNumberOfVirtualNetworkLinks",
    "numberOfVirtualNetworkLinks",
    "maxNumberOfVirtualNetworkLinksWithRegistration",
    "numberOfVirtualNetworkLinksWithRegistration",
    "maxNumberOfRecordsPerRecordSet",
    "nameServers",
    "internalId",
];

fn kind(id: &ResourceId) -> Option<DnsKind> {
    dns::kind_of(&id.kind_key())
}

fn properties(value: &mut GenericResource) -> &mut Map<String, Value> {
    value.properties_mut()
}

/// The zone a record set or link belongs to: its parent's name.
fn zone_name(id: &ResourceId) -> String {
    id.parent()
        .map(|p| p.name().to_string())
        .unwrap_or_default()
}

/// Before a PUT is stored: what Azure fills in or refuses.
pub(crate) fn prepare(
    tx: &mut dyn Tx,
    id: &ResourceId,
    value: &mut GenericResource,
    old: Option<&GenericResource>,
) -> Result<(), AppError> {
    match kind(id) {
        None => {}
        Some(DnsKind::Zone(zone)) => {
            let props = properties(value);
            for k in ZONE_COUNTS {
                props.remove(*k);
            }
            if zone == ZoneKind::Public {
                props.entry("zoneType").or_insert_with(|| json!("Public"));
            }
        }
        Some(DnsKind::RecordSet(zone, record_type)) => {
            dns::check_record_set_name(record_type, id.name())?;
            let fqdn = dns::fqdn(&zone_name(id), id.name());
            let props = properties(value);
            props.insert("fqdn".into(), json!(fqdn));
            if zone == ZoneKind::Private {
                props.insert("isAutoRegistered".into(), json!(false));
            }
            if record_type == "SOA" {
                keep_soa_host(props, old, zone);
            }
        }
        Some(DnsKind::Link) => check_link(tx, id, properties(value))?,
    }
    Ok(())
}

/// The SOA's host is Azure's: whatever a client sends, the zone's stays.
fn keep_soa_host(props: &mut Map<String, Value>, old: Option<&GenericResource>, zone: ZoneKind) {
    let host = old
        .and_then(|o| o.arm.get("properties"))
        .and_then(|p| p.pointer("/soaRecord/host"))
        .cloned()
        .unwrap_or_else(|| json!(dns::default_soa(zone).host));
    let record = props
        .entry("soaRecord")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(r) = record {
        r.insert("host".into(), host);
    }
}

/// Link writes run alone (no declared locks): VM and NIC writes read a link's registration
/// without a lock of their own on it. So do a private zone's A record sets: deleting a
/// client's one re-registers the zone's VMs (`record_set_deleted`), records no lock names.
pub(crate) fn runs_alone(id: &ResourceId) -> bool {
    matches!(
        kind(id),
        Some(DnsKind::Link | DnsKind::RecordSet(ZoneKind::Private, "A"))
    )
}

/// A link names an existing virtual network, which no other link of the zone names; with
/// registration, a network no other zone registers.
fn check_link(
    tx: &mut dyn Tx,
    id: &ResourceId,
    props: &mut Map<String, Value>,
) -> Result<(), AppError> {
    let network = props
        .get("virtualNetwork")
        .and_then(|v| v.get("id"))
        .and_then(Value::as_str)
        .ok_or_else(|| DomainError::InvalidParameter {
            // GUESS: Azure's wording for a link without its network.
            message: "The virtual network of a virtual network link is required.".into(),
            target: Some("properties.virtualNetwork.id".into()),
        })?
        .to_string();
    let network_id = ResourceId::parse(&network).map_err(|_| DomainError::InvalidPropertyId {
        id: network.clone(),
        path: "properties.virtualNetwork.id".into(),
    })?;
    let found = tx.get(network_id.key())?;
    if !network_id.is_type("Microsoft.Network/virtualNetworks") || found.is_none() {
        return Err(DomainError::InvalidResourceReference {
            id: network,
            referrer: id.as_str().to_string(),
        }
        .into());
    }
    let zone = id.parent().expect("a link has a zone");
    let others: Vec<(String, String)> = children(tx, &zone)?
        .into_iter()
        .filter(|r| r.key != id.key() && matches!(kind_of_record(r), Some(DnsKind::Link)))
        .filter_map(|r| {
            let name = ResourceId::parse(&r.id).ok()?.name().to_string();
            let net = link_network(&r)?;
            Some((name, net))
        })
        .collect();
    dns::check_one_link_per_network(zone.name(), &network, &others)?;
    // Other zones of the same name linked to this network.
    let linked: Vec<String> = tx
        .refs_to(network_id.key(), RefKind::DnsLink)?
        .into_iter()
        .filter_map(|r| ResourceId::parse(&r.from_id).ok()?.parent())
        .filter(|z| z.key() != zone.key())
        .map(|z| z.name().to_string())
        .collect();
    dns::check_no_overlapping_zone(zone.name(), &linked)?;
    props
        .entry("registrationEnabled")
        .or_insert_with(|| json!(false));
    if props["registrationEnabled"] == Value::Bool(true) {
        let other = registration::registering_link(tx, network_id.key())?
            .filter(|l| !l.eq_ignore_ascii_case(id.as_str()));
        dns::check_one_registration_zone(&network, other.as_deref())?;
    }
    props.insert("virtualNetworkLinkState".into(), json!("Completed"));
    Ok(())
}

/// A link's network and whether it registers it, as stored or about to be.
fn registration_of(value: &GenericResource) -> Option<(ResourceId, bool)> {
    let props = value.arm.get("properties")?;
    let network = ResourceId::parse(props.pointer("/virtualNetwork/id")?.as_str()?).ok()?;
    Some((network, props["registrationEnabled"] == Value::Bool(true)))
}

/// After a PUT is stored: a new zone's apex record sets; a link's registration reference,
/// and the records of the VMs it starts or stops registering.
pub(crate) fn written(
    tx: &mut dyn Tx,
    id: &ResourceId,
    value: &GenericResource,
    old: Option<&GenericResource>,
) -> Result<(), AppError> {
    match kind(id) {
        Some(DnsKind::Zone(_)) if old.is_none() => created(tx, id),
        Some(DnsKind::Link) => {
            let zone = id.parent().expect("a link has a zone");
            let before = old.and_then(registration_of).filter(|(_, on)| *on);
            let after = registration_of(value).filter(|(_, on)| *on);
            if let Some((network, _)) = &before {
                if after.as_ref().is_none_or(|(n, _)| n.key() != network.key()) {
                    registration::sync_network(tx, &zone, network.key(), false)?;
                }
            }
            // Every link names its network (whose guests resolve the zone); one with
            // registration also holds the network's registration.
            let mut refs: Vec<_> = registration_of(value)
                .iter()
                .map(|(network, _)| registration::link_ref(id, network, RefKind::DnsLink))
                .collect();
            refs.extend(
                after.iter().map(|(network, _)| {
                    registration::link_ref(id, network, RefKind::DnsRegistration)
                }),
            );
            // The app checked the network's registration above; the database's unique index is
            // the backstop for a race past that check.
            tx.set_refs(id.key(), &refs)
                .map_err(|e| crate::network::decode_conflict(e.into(), "DNS registration"))?;
            if let Some((network, _)) = &after {
                registration::sync_network(tx, &zone, network.key(), true)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A zone's apex record sets, made with it.
fn created(tx: &mut dyn Tx, id: &ResourceId) -> Result<(), AppError> {
    let Some(DnsKind::Zone(zone)) = kind(id) else {
        return Ok(());
    };
    let soa = dns::default_soa(zone);
    let mut sets = vec![(
        "SOA",
        json!({
            "ttl": soa.ttl,
            "fqdn": dns::fqdn(id.name(), "@"),
            "soaRecord": {
                "host": soa.host,
                "email": soa.email,
                "serialNumber": soa.serial_number,
                "refreshTime": soa.refresh_time,
                "retryTime": soa.retry_time,
                "expireTime": soa.expire_time,
                "minimumTtl": soa.minimum_ttl,
            },
        }),
    )];
    if zone == ZoneKind::Public {
        let servers: Vec<Value> = dns::NAME_SERVERS
            .iter()
            .map(|n| json!({ "nsdname": n }))
            .collect();
        sets.push((
            "NS",
            json!({ "ttl": dns::NS_TTL, "fqdn": dns::fqdn(id.name(), "@"), "NSRecords": servers }),
        ));
    }
    for (record_type, mut props) in sets {
        if zone == ZoneKind::Private {
            props["isAutoRegistered"] = json!(false);
        }
        let set_id = id.child(record_type, "@");
        let value = GenericResource {
            common: GenericCommon::default(),
            location: None,
            arm: Map::from_iter([("properties".to_string(), props)]),
        };
        tx.insert(&to_record(&set_id, "", &value, new_etag()))?;
    }
    Ok(())
}

/// Before a DELETE: the apex record sets stay; a private zone goes only without links; a
/// link takes the records it registered with it.
pub(crate) fn check_delete(tx: &mut dyn Tx, id: &ResourceId) -> Result<(), AppError> {
    match kind(id) {
        Some(DnsKind::Link) => {
            let Some(rec) = tx.get(id.key())? else {
                return Ok(());
            };
            let value: GenericResource = crate::records::from_record(&rec)?;
            if let Some((network, true)) = registration_of(&value) {
                let zone = id.parent().expect("a link has a zone");
                registration::sync_network(tx, &zone, network.key(), false)?;
            }
        }
        Some(k @ DnsKind::RecordSet(..)) => dns::check_record_set_deletable(k, id.name())?,
        Some(DnsKind::Zone(ZoneKind::Private)) => {
            let links: Vec<String> = children(tx, id)?
                .iter()
                .filter(|r| matches!(kind_of_record(r), Some(DnsKind::Link)))
                .filter_map(|r| ResourceId::parse(&r.id).ok().map(|l| l.name().to_string()))
                .collect();
            dns::check_zone_deletable(id.name(), &links)?;
        }
        _ => {}
    }
    Ok(())
}

/// Before a record set's DELETE (`rec`, as stored): whether it is a client's A record set in
/// a private zone, which may stand where auto-registration would keep a VM's record.
pub(crate) fn overrides_registration(id: &ResourceId, rec: &Record) -> Result<bool, AppError> {
    if !matches!(kind(id), Some(DnsKind::RecordSet(ZoneKind::Private, "A"))) {
        return Ok(false);
    }
    let value: GenericResource = crate::records::from_record(rec)?;
    Ok(value
        .arm
        .get("properties")
        .and_then(|p| p.get("isAutoRegistered"))
        != Some(&Value::Bool(true)))
}

/// After a client's A record set is deleted: "the automatic registration happens again as
/// long as the virtual machine still exists" (Azure's private DNS FAQ), for each network
/// the zone registers.
pub(crate) fn record_set_deleted(tx: &mut dyn Tx, id: &ResourceId) -> Result<(), AppError> {
    let zone = id.parent().expect("a record set has a zone");
    for rec in children(tx, &zone)? {
        if !matches!(kind_of_record(&rec), Some(DnsKind::Link)) {
            continue;
        }
        let value: GenericResource = crate::records::from_record(&rec)?;
        if let Some((network, true)) = registration_of(&value) {
            registration::sync_network(tx, &zone, network.key(), true)?;
        }
    }
    Ok(())
}

/// A network being deleted takes its links with it: "your deletion operation succeeds and
/// the links to the DNS zone are automatically cleared" (Azure's private DNS FAQ).
pub(crate) fn network_deleted(tx: &mut dyn Tx, vnet_key: &str) -> Result<(), AppError> {
    for link in tx.refs_to(vnet_key, RefKind::DnsLink)? {
        let id = ResourceId::parse(&link.from_id)?;
        check_delete(tx, &id)?;
        tx.set_refs(&link.from_key, &[])?;
        tx.delete(&link.from_key)?;
    }
    Ok(())
}

/// On a read: a zone shows how many record sets and links it holds.
pub(crate) fn decorate(
    tx: &mut dyn Tx,
    rec: &Record,
    value: &mut GenericResource,
) -> Result<(), AppError> {
    let Some(DnsKind::Zone(zone)) = dns::kind_of(&rec.kind) else {
        return Ok(());
    };
    let id = ResourceId::parse(&rec.id)?;
    let mut counts = ZoneCounts::default();
    for child in children(tx, &id)? {
        match kind_of_record(&child) {
            Some(DnsKind::RecordSet(..)) => counts.record_sets += 1,
            Some(DnsKind::Link) => {
                counts.links += 1;
                let from: GenericResource = crate::records::from_record(&child)?;
                if from
                    .arm
                    .get("properties")
                    .and_then(|p| p.get("registrationEnabled"))
                    == Some(&Value::Bool(true))
                {
                    counts.links_with_registration += 1;
                }
            }
            _ => {}
        }
    }
    let props = properties(value);
    props.insert(
        "maxNumberOfRecordSets".into(),
        json!(zone.max_record_sets()),
    );
    props.insert("numberOfRecordSets".into(), json!(counts.record_sets));
    match zone {
        ZoneKind::Private => {
            props.insert(
                "maxNumberOfVirtualNetworkLinks".into(),
                json!(dns::MAX_LINKS),
            );
            props.insert("numberOfVirtualNetworkLinks".into(), json!(counts.links));
            props.insert(
                "maxNumberOfVirtualNetworkLinksWithRegistration".into(),
                json!(dns::MAX_LINKS_WITH_REGISTRATION),
            );
            props.insert(
                "numberOfVirtualNetworkLinksWithRegistration".into(),
                json!(counts.links_with_registration),
            );
        }
        ZoneKind::Public => {
            props.insert("nameServers".into(), json!(dns::NAME_SERVERS));
        }
    }
    Ok(())
}

/// What a network's guests resolve: the A and CNAME record sets of the private zones linked
/// to it, zone by zone in key order (the first to name a record wins).
pub(crate) fn guest_names(tx: &mut dyn Tx, vnet_key: &str) -> Result<Names, AppError> {
    let mut names = Names::default();
    for link in tx.refs_to(vnet_key, RefKind::DnsLink)? {
        let Some(zone) = ResourceId::parse(&link.from_id)?.parent() else {
            continue;
        };
        for rec in children(tx, &zone)? {
            let Some(DnsKind::RecordSet(ZoneKind::Private, record_type)) = kind_of_record(&rec)
            else {
                continue;
            };
            let value: GenericResource = crate::records::from_record(&rec)?;
            let Some(props) = value.arm.get("properties") else {
                continue;
            };
            let set = ResourceId::parse(&rec.id)?;
            let fqdn = dns::fqdn(zone.name(), set.name());
            match record_type {
                "A" => {
                    let addresses = props["aRecords"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|r| r["ipv4Address"].as_str()?.parse().ok())
                        .collect();
                    names.add_a(&fqdn, addresses);
                }
                "CNAME" => {
                    if let Some(target) =
                        props.pointer("/cnameRecord/cname").and_then(Value::as_str)
                    {
                        names.add_cname(&fqdn, target);
                    }
                }
                _ => {}
            }
        }
    }
    Ok(names)
}

/// A list of every record set of a zone (`.../privateDnsZones/z/ALL`), or `None` when the
/// listed type is not that.
pub(crate) fn all_record_sets_kind(kind: &str) -> Option<ZoneKind> {
    let (zone_kind, child) = kind.rsplit_once('/')?;
    match dns::kind_of(zone_kind)? {
        DnsKind::Zone(zone) if dns::is_all_record_sets(zone, child) => Some(zone),
        _ => None,
    }
}

/// Whether a record is one of a zone's record sets.
pub(crate) fn is_record_set(rec: &Record) -> bool {
    matches!(kind_of_record(rec), Some(DnsKind::RecordSet(..)))
}

fn kind_of_record(rec: &Record) -> Option<DnsKind> {
    dns::kind_of(&rec.kind)
}

fn link_network(rec: &Record) -> Option<String> {
    let value: GenericResource = crate::records::from_record(rec).ok()?;
    value
        .arm
        .get("properties")?
        .pointer("/virtualNetwork/id")?
        .as_str()
        .map(str::to_string)
}

/// Writes record set `id` with `props` over `existing` (which keeps its id as first
/// spelled); leaves a stored set that already has them alone.
pub(crate) fn write_record_set(
    tx: &mut dyn Tx,
    id: ResourceId,
    existing: Option<&Record>,
    props: Value,
) -> Result<(), AppError> {
    if existing.is_some_and(|r| {
        crate::records::from_record::<GenericResource>(r)
            .is_ok_and(|v| v.arm.get("properties") == Some(&props))
    }) {
        return Ok(());
    }
    let value = GenericResource {
        common: GenericCommon::default(),
        location: None,
        arm: Map::from_iter([("properties".to_string(), props)]),
    };
    let stored_id = match existing {
        Some(r) => ResourceId::parse(&r.id)?,
        None => id,
    };
    let rec = to_record(&stored_id, "", &value, new_etag());
    tx.write_over(&rec, existing.map(|r| r.etag.as_str()))?;
    Ok(())
}

/// Every record under a zone (its record sets and links), in key order.
fn children(tx: &mut dyn Tx, zone: &ResourceId) -> Result<Vec<Record>, AppError> {
    let group = zone.group_id().expect("a zone has a group");
    crate::records::children_in(tx, Scope::Group(group.key()), zone.key())
}
