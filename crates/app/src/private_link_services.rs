//! Private link services (generic resources with Azure's behaviour beside storage, by the
//! rules of `cerulean_domain::private_link_service`): a PUT checks the load balancer
//! frontends and the NAT subnets, writes the service's NIC (its NAT addresses) through the
//! NIC's own rules, and shows the alias endpoints connect by. Endpoints' connections to it
//! are `private_endpoints`' (under the service, as under any resource they connect to).
//!
//! Writes run alone: they touch a subnet's addresses, a NIC and a load balancer's frontends,
//! which no key declared up front names.

use crate::generic::{ids_at, owned_guid, GenericResource};
use crate::network::load_balancers::frontend_key;
use crate::network::{load, nics};
use crate::records::from_record;
use crate::tracked::Env;
use crate::AppError;
use cerulean_domain::id::ResourceId;
use cerulean_domain::network::load_balancer::LoadBalancer;
use cerulean_domain::network::nic::{IpConfigSpec, NetworkInterface, NicSpec};
use cerulean_domain::network::vnet::VirtualNetwork;
use cerulean_domain::network::{Allocation, CommonSpec, IpVersion, Sku};
use cerulean_domain::private_link_service::{self as pls, FrontendFacts, NatSubnetFacts};
use cerulean_domain::DomainError;
use cerulean_store::{Ref, RefKind, Tx};
use serde_json::{json, Map, Value};

pub(crate) fn is_service(id: &ResourceId) -> bool {
    id.kind_key() == pls::KIND
}

/// The key the alias index holds an alias under.
fn alias_key(alias: &str) -> String {
    format!("alias:{}", alias.to_ascii_lowercase())
}

/// The service an alias names, if it exists.
pub(crate) fn by_alias(tx: &mut dyn Tx, alias: &str) -> Result<Option<ResourceId>, AppError> {
    match crate::network::first_user(tx, &alias_key(alias), RefKind::ServiceAlias)? {
        Some(service) => Ok(Some(ResourceId::parse(&service)?)),
        None => Ok(None),
    }
}

/// One NAT IP configuration as the request gives it.
struct NatIp {
    name: String,
    subnet: ResourceId,
    address: Option<String>,
    primary: Option<bool>,
}

/// Before a service's PUT is stored: its rules, its NIC, its alias and what reads show.
pub(crate) fn prepare(
    tx: &mut dyn Tx,
    env: &Env,
    id: &ResourceId,
    value: &mut GenericResource,
    old: Option<&GenericResource>,
) -> Result<(), AppError> {
    if !is_service(id) {
        return Ok(());
    }
    let location = value
        .location
        .clone()
        .ok_or(DomainError::LocationRequired)?;
    let props = value.properties_mut();
    for k in [
        "provisioningState",
        "alias",
        "networkInterfaces",
        "privateEndpointConnections",
    ] {
        props.remove(k);
    }
    let frontend_ids = ids_at(props, "loadBalancerFrontendIpConfigurations")?;
    let nat_ips = nat_ips(props)?;
    pls::check_counts(id.as_str(), frontend_ids.len(), nat_ips.len())?;
    let mut frontends = Vec::with_capacity(frontend_ids.len());
    for f in &frontend_ids {
        frontends.push(frontend_facts(tx, f)?);
    }
    let mut subnets = Vec::with_capacity(nat_ips.len());
    for n in &nat_ips {
        subnets.push(subnet_facts(tx, &n.subnet)?);
    }
    pls::check(id.as_str(), &frontends, &subnets)?;

    let guid = owned_guid(id);
    let nic_id = match old.and_then(GenericResource::owned_nic) {
        Some(n) => ResourceId::parse(&n)?,
        None => ResourceId::resource(
            id.subscription(),
            id.group_name().unwrap_or_default(),
            "Microsoft.Network",
            "networkInterfaces",
            &pls::nic_name(id.name(), &guid),
        ),
    };
    let nic = write_nic(tx, env, id, &nic_id, &nat_ips, location.clone())?;
    let alias = pls::alias(id.name(), &guid, &location);
    show(id, props, &nic_id, &nic, &alias);

    let mut refs = vec![reference(id, alias_key(&alias), RefKind::ServiceAlias)];
    for f in &frontend_ids {
        let lb = f.parent().expect("a frontend has a load balancer");
        refs.push(reference(
            id,
            frontend_key(lb.key(), f.name()),
            RefKind::ServiceFrontend,
        ));
    }
    tx.set_refs(id.key(), &refs)?;
    Ok(())
}

/// Before a service's DELETE: its NIC goes with it (its connections are its children).
pub(crate) fn deleting(tx: &mut dyn Tx, id: &ResourceId) -> Result<(), AppError> {
    if !is_service(id) {
        return Ok(());
    }
    match tx.get(id.key())? {
        Some(rec) => nics::purge_owned(tx, &from_record(&rec)?),
        None => Ok(()),
    }
}

fn reference(id: &ResourceId, to_key: String, kind: RefKind) -> Ref {
    Ref {
        from_key: id.key().to_string(),
        from_id: id.to_string(),
        to_key,
        kind,
        owner_key: id.key().to_string(),
    }
}

fn nat_ips(props: &Map<String, Value>) -> Result<Vec<NatIp>, AppError> {
    let items = props.get("ipConfigurations").and_then(Value::as_array);
    let mut out = Vec::new();
    for (i, c) in items.into_iter().flatten().enumerate() {
        let p = c.get("properties").unwrap_or(&Value::Null);
        let raw = p
            .pointer("/subnet/id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let subnet = ResourceId::parse(raw).map_err(|_| DomainError::InvalidPropertyId {
            id: raw.to_string(),
            path: format!("properties.ipConfigurations[{i}].properties.subnet.id"),
        })?;
        out.push(NatIp {
            name: c
                .get("name")
                .and_then(Value::as_str)
                .map_or_else(|| format!("ipconfig{}", i + 1), str::to_string),
            subnet,
            address: p
                .get("privateIPAddress")
                .and_then(Value::as_str)
                .filter(|a| !a.is_empty())
                .map(str::to_string),
            primary: p.get("primary").and_then(Value::as_bool),
        });
    }
    Ok(out)
}

/// What the store has of a frontend a service names.
fn frontend_facts(tx: &mut dyn Tx, id: &ResourceId) -> Result<FrontendFacts, AppError> {
    let mut facts = FrontendFacts {
        id: id.to_string(),
        ..FrontendFacts::default()
    };
    let (Some(lb_id), true) = (
        id.parent(),
        id.kind_key()
            .ends_with("/loadbalancers/frontendipconfigurations"),
    ) else {
        return Ok(facts);
    };
    let Some((_, lb)) = load::<LoadBalancer>(tx, &lb_id)? else {
        return Ok(facts);
    };
    let Some(f) = lb
        .frontends
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(id.name()))
    else {
        return Ok(facts);
    };
    facts.exists = true;
    facts.internal = f.subnet.is_some() && f.public_ip.is_none();
    facts.standard = lb.sku == Sku::Standard;
    facts.vnet_key = f
        .subnet
        .as_deref()
        .and_then(|s| ResourceId::parse(s).ok()?.parent())
        .map(|v| v.key().to_string());
    Ok(facts)
}

/// What the store has of a NAT subnet: its network and its service network policies.
fn subnet_facts(tx: &mut dyn Tx, id: &ResourceId) -> Result<NatSubnetFacts, AppError> {
    let mut facts = NatSubnetFacts {
        id: id.to_string(),
        ..NatSubnetFacts::default()
    };
    let Some(vnet_id) = id.parent() else {
        return Ok(facts);
    };
    let Some((rec, vnet)) = load::<VirtualNetwork>(tx, &vnet_id)? else {
        return Ok(facts);
    };
    let Some(s) = vnet
        .subnets
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(id.name()))
    else {
        return Ok(facts);
    };
    facts.exists = true;
    facts.vnet_key = rec.key;
    facts.policies_disabled = s.extra.iter().any(|(k, v)| {
        k == "privateLinkServiceNetworkPolicies"
            && serde_json::from_str::<String>(v).is_ok_and(|p| p.eq_ignore_ascii_case("Disabled"))
    });
    Ok(facts)
}

/// The service's NIC: one configuration per NAT address, by the NIC's rules. Its tags are
/// its own.
fn write_nic(
    tx: &mut dyn Tx,
    env: &Env,
    id: &ResourceId,
    nic_id: &ResourceId,
    nat_ips: &[NatIp],
    location: String,
) -> Result<NetworkInterface, AppError> {
    let flagged = nat_ips.iter().any(|n| n.primary == Some(true));
    let ip_configurations = nat_ips
        .iter()
        .enumerate()
        .map(|(i, n)| IpConfigSpec {
            name: n.name.clone(),
            private_ip: n.address.clone(),
            allocation: Some(match n.address {
                Some(_) => Allocation::Static,
                None => Allocation::Dynamic,
            }),
            subnet: Some(n.subnet.clone()),
            primary: Some(if flagged {
                n.primary == Some(true)
            } else {
                i == 0
            }),
            ..Default::default()
        })
        .collect();
    let spec = NicSpec {
        common: CommonSpec {
            location: Some(location),
            tags: None,
            extra: Vec::new(),
        },
        ip_configurations,
        private_link_service: Some(id.to_string()),
        ..Default::default()
    };
    nics::put_owned(tx, env, nic_id, spec)
}

/// What Azure fills in on a service: its NAT configurations (a static one with its address;
/// Azure shows no address for a dynamic one, whose address only its NIC shows, and
/// Terraform's provider relies on that), its NIC, its alias, and the defaults of what the
/// request left out.
fn show(
    id: &ResourceId,
    props: &mut Map<String, Value>,
    nic_id: &ResourceId,
    nic: &NetworkInterface,
    alias: &str,
) {
    let configs: Vec<Value> = nic
        .ip_configurations
        .iter()
        .map(|c| {
            let static_ip = match c.allocation {
                Allocation::Static => c.private_ip.clone(),
                Allocation::Dynamic => None,
            };
            json!({
                "name": c.name,
                "id": id.child("ipConfigurations", &c.name).as_str(),
                "properties": {
                    "privateIPAddress": static_ip,
                    "privateIPAllocationMethod": match c.allocation {
                        Allocation::Static => "Static",
                        Allocation::Dynamic => "Dynamic",
                    },
                    "privateIPAddressVersion": match c.version {
                        IpVersion::IPv4 => "IPv4",
                        IpVersion::IPv6 => "IPv6",
                    },
                    "subnet": { "id": c.subnet },
                    "primary": c.primary,
                    "provisioningState": "Succeeded",
                },
            })
        })
        .collect();
    props.insert("ipConfigurations".into(), Value::Array(configs));
    props.insert(
        "networkInterfaces".into(),
        json!([{ "id": nic_id.as_str() }]),
    );
    props.insert("alias".into(), json!(alias));
    props.insert("provisioningState".into(), json!("Succeeded"));
    for (k, default) in [
        ("visibility", json!({ "subscriptions": [] })),
        ("autoApproval", json!({ "subscriptions": [] })),
        ("fqdns", json!([])),
        ("enableProxyProtocol", json!(false)),
    ] {
        props.entry(k).or_insert(default);
    }
}
