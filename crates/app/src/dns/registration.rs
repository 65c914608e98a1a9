//! Auto-registration: a private DNS zone linked to a virtual network with
//! `registrationEnabled` keeps an A record for each VM of that network, named after its host
//! name and holding its primary NIC's primary address while that address is dynamic
//! (`cerulean_domain::dns::registration`). The record follows the VM: it appears with the VM
//! or the link, moves when the primary NIC changes, and goes with the VM or the link.
//!
//! The link's registration is a reference to its network, exclusive in the store, so that a
//! network registers in one zone. Link writes run alone (`generic.rs`), so a VM or NIC write
//! that reads the reference sees the link it will keep.

use crate::generic::GenericResource;
use crate::network::{load, subnet_users};
use crate::records::from_record;
use crate::AppError;
use cerulean_domain::compute::vm::VirtualMachine;
use cerulean_domain::dns::{self, PrimaryAddress};
use cerulean_domain::id::ResourceId;
use cerulean_domain::network::nic::NetworkInterface;
use cerulean_domain::network::vnet::VirtualNetwork;
use cerulean_domain::network::{Allocation, IpVersion};
use cerulean_store::{Ref, RefKind, Tx};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The link (its id) registering a network's VMs now, if any.
pub(crate) fn registering_link(
    tx: &mut dyn Tx,
    vnet_key: &str,
) -> Result<Option<String>, AppError> {
    Ok(tx
        .refs_to(vnet_key, RefKind::DnsRegistration)?
        .into_iter()
        .next()
        .map(|r| r.from_id))
}

/// A link's reference to its network (`DnsLink` or `DnsRegistration`): the link owns it.
pub(crate) fn link_ref(link: &ResourceId, vnet: &ResourceId, kind: RefKind) -> Ref {
    Ref {
        from_key: link.key().to_string(),
        from_id: link.as_str().to_string(),
        to_key: vnet.key().to_string(),
        kind,
        owner_key: link.key().to_string(),
    }
}

/// What a VM registers, read from the store.
struct VmFacts {
    vnet_key: String,
    /// The record's name: the VM's host name.
    name: String,
    /// The address it holds; None when the VM registers none (a static primary address).
    address: Option<String>,
}

/// [`VmFacts`] of a VM, None when it has no primary NIC in a network. `nic` is a NIC this
/// job writes, as it will be stored.
fn facts(
    tx: &mut dyn Tx,
    vm: &VirtualMachine,
    nic: Option<(&str, &NetworkInterface)>,
) -> Result<Option<VmFacts>, AppError> {
    let Some(primary) = vm.primary_nic() else {
        return Ok(None);
    };
    let nic_id = ResourceId::parse(&primary.id)?;
    let stored;
    let value = match nic {
        Some((key, value)) if key == nic_id.key() => value,
        _ => match load::<NetworkInterface>(tx, &nic_id)? {
            Some((_, n)) => {
                stored = n;
                &stored
            }
            None => return Ok(None),
        },
    };
    let Some(config) = value.ip_configurations.iter().find(|c| c.primary) else {
        return Ok(None);
    };
    let Some(vnet) = ResourceId::parse(&config.subnet)?.parent() else {
        return Ok(None);
    };
    let address = config.private_ip.as_ref().map(|a| PrimaryAddress {
        address: a.clone(),
        dynamic: config.allocation == Allocation::Dynamic,
        ipv4: config.version == IpVersion::IPv4,
    });
    Ok(Some(VmFacts {
        vnet_key: vnet.key().to_string(),
        name: host_name(vm),
        address: dns::registered_address(address.as_ref()),
    }))
}

/// A VM's host name: `osProfile.computerName`, else its name.
pub(crate) fn host_name(vm: &VirtualMachine) -> String {
    dns::host_name(&vm.common.name, computer_name(vm).as_deref())
}

/// `osProfile.computerName`: the host name the VM's DHCP request carries.
fn computer_name(vm: &VirtualMachine) -> Option<String> {
    let (_, text) = vm.profiles.iter().find(|(k, _)| k == "osProfile")?;
    let profile: Value = serde_json::from_str(text).ok()?;
    profile["computerName"].as_str().map(str::to_string)
}

/// Brings a VM's record in step with what is being stored: `vm` (None: being deleted, `old`
/// as it was). `nic` is a NIC written in the same job.
pub(crate) fn sync_vm(
    tx: &mut dyn Tx,
    vm: Option<&VirtualMachine>,
    old: Option<&VirtualMachine>,
    nic: Option<(&str, &NetworkInterface)>,
) -> Result<(), AppError> {
    let Some(current) = vm.or(old) else {
        return Ok(());
    };
    let Some(facts) = facts(tx, current, nic)? else {
        return Ok(());
    };
    let Some(link) = registering_link(tx, &facts.vnet_key)? else {
        return Ok(());
    };
    let zone = ResourceId::parse(&link)?
        .parent()
        .expect("a link has a zone");
    match (vm, facts.address) {
        (Some(_), Some(address)) => register(tx, &zone, &facts.name, &address),
        _ => unregister(tx, &zone, &facts.name),
    }
}

/// A link starts (`on`) or stops registering its network's VMs in its zone.
pub(crate) fn sync_network(
    tx: &mut dyn Tx,
    zone: &ResourceId,
    vnet_key: &str,
    on: bool,
) -> Result<(), AppError> {
    for vm in vms_in(tx, vnet_key)? {
        let Some(facts) = facts(tx, &vm, None)? else {
            continue;
        };
        match (on, facts.address) {
            (true, Some(address)) => register(tx, zone, &facts.name, &address)?,
            _ => unregister(tx, zone, &facts.name)?,
        }
    }
    Ok(())
}

/// What holds the name `{zone}/A/{name}`.
enum Slot {
    /// Nothing: registration may write it.
    Free,
    /// A record set auto-registration keeps.
    Ours(cerulean_store::Record),
    /// A record set a client wrote under that name: registration leaves it alone.
    Clients,
}

fn slot(tx: &mut dyn Tx, id: &ResourceId) -> Result<Slot, AppError> {
    let Some(rec) = tx.get(id.key())? else {
        return Ok(Slot::Free);
    };
    let value: GenericResource = from_record(&rec)?;
    let auto = value
        .arm
        .get("properties")
        .and_then(|p| p.get("isAutoRegistered"))
        == Some(&Value::Bool(true));
    Ok(if auto { Slot::Ours(rec) } else { Slot::Clients })
}

fn register(tx: &mut dyn Tx, zone: &ResourceId, name: &str, address: &str) -> Result<(), AppError> {
    let id = zone.child("A", name);
    let existing = match slot(tx, &id)? {
        Slot::Clients => return Ok(()),
        Slot::Free => None,
        Slot::Ours(rec) => Some(rec),
    };
    let props = json!({
        "ttl": dns::REGISTERED_TTL,
        "fqdn": dns::fqdn(zone.name(), name),
        "isAutoRegistered": true,
        "aRecords": [{ "ipv4Address": address }],
    });
    super::write_record_set(tx, id, existing.as_ref(), props)
}

fn unregister(tx: &mut dyn Tx, zone: &ResourceId, name: &str) -> Result<(), AppError> {
    let id = zone.child("A", name);
    if let Slot::Ours(rec) = slot(tx, &id)? {
        tx.delete(&rec.key)?;
    }
    Ok(())
}

/// The VMs with a NIC in a network: the holders of its subnets' addresses, their NICs'
/// attachments.
fn vms_in(tx: &mut dyn Tx, vnet_key: &str) -> Result<Vec<VirtualMachine>, AppError> {
    let Some(rec) = tx.get(vnet_key)? else {
        return Ok(Vec::new());
    };
    let vnet: VirtualNetwork = from_record(&rec)?;
    let mut vms = BTreeMap::new();
    for subnet in &vnet.subnets {
        let key = crate::network::vnets::subnet_key(vnet_key, &subnet.name);
        for config in subnet_users(tx, &key, usize::MAX)? {
            let Some(nic) = ResourceId::parse(&config)?.parent() else {
                continue;
            };
            for r in tx.refs_to(nic.key(), RefKind::Attachment)? {
                if vms.contains_key(&r.owner_key) {
                    continue;
                }
                let vm_id = ResourceId::parse(&r.from_id)?;
                if let Some((_, vm)) = load::<VirtualMachine>(tx, &vm_id)? {
                    vms.insert(r.owner_key.clone(), vm);
                }
            }
        }
    }
    Ok(vms.into_values().collect())
}
