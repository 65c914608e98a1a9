//! Virtual machines: the seed's rules on network interfaces, each a named function.
//!
//! Seed: "Add network interfaces to or remove from Azure virtual machines" (2017). The
//! application resolves every NIC a request names into [`NicFacts`] and calls [`plan_put`];
//! power operations are the small functions at the end.

use super::sizes;
use crate::error::DomainError;
use crate::id::ResourceId;
use crate::network::{common, Common, CommonSpec};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PowerState {
    Running,
    Stopped,
    Deallocated,
}

impl PowerState {
    /// `(code suffix, display status)` as in `instanceView.statuses`.
    pub fn status(self) -> (&'static str, &'static str) {
        match self {
            PowerState::Running => ("running", "VM running"),
            PowerState::Stopped => ("stopped", "VM stopped"),
            PowerState::Deallocated => ("deallocated", "VM deallocated"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeleteOption {
    Delete,
    Detach,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OsType {
    Linux,
    Windows,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NicAttachment {
    /// The NIC's id as the caller spelled it.
    pub id: String,
    pub primary: bool,
    pub delete_option: DeleteOption,
    /// When it was attached (a store-wide counter): the longest attached has the smallest.
    pub attached_seq: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VirtualMachine {
    pub common: Common,
    pub size: String,
    pub nics: Vec<NicAttachment>,
    pub availability_set: Option<String>,
    pub power: PowerState,
    pub os_type: Option<OsType>,
    pub created_ms: i64,
    /// ARM sub-documents cerulean keeps but does not model (storageProfile, osProfile, ...),
    /// as `(property, JSON text)`.
    pub profiles: Vec<(String, String)>,
    pub zones: Vec<String>,
    /// Routes, rules and firewall changes made inside the guest (see `crate::guest`).
    #[serde(default)]
    pub guest: crate::guest::GuestChanges,
    /// The operation last started on the VM, while it still reports `InProgress` (only
    /// with `--latency`): what `provisioningState` and the power status show meanwhile.
    #[serde(default)]
    pub transition: Option<Transition>,
    /// Its managed disks (`storageProfile.osDisk`, `dataDisks`): see `super::storage`.
    #[serde(default)]
    pub storage: super::storage::Storage,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub until_ms: i64,
    /// `Creating` or `Updating`.
    pub provisioning: String,
    /// `starting`, `stopping` or `deallocating` for power operations.
    pub power: Option<String>,
}

impl Transition {
    /// What a write that finishes reporting at `until_ms` shows until then.
    pub fn of_put(until_ms: i64, created: bool) -> Transition {
        Transition {
            until_ms,
            provisioning: if created { "Creating" } else { "Updating" }.into(),
            power: None,
        }
    }

    pub fn of_power(until_ms: i64, op: &str) -> Transition {
        let power = match op {
            "powerOff" => "stopping",
            "deallocate" => "deallocating",
            _ => "starting",
        };
        Transition {
            until_ms,
            provisioning: "Updating".into(),
            power: Some(power.into()),
        }
    }
}

#[derive(Clone, Debug)]
pub struct NicRefSpec {
    pub id: ResourceId,
    pub primary: Option<bool>,
    pub delete_option: Option<DeleteOption>,
}

#[derive(Clone, Debug, Default)]
pub struct VmSpec {
    pub common: CommonSpec,
    pub size: Option<String>,
    /// `None`: the body has no `networkProfile`.
    pub nics: Option<Vec<NicRefSpec>>,
    pub availability_set: Option<ResourceId>,
    pub os_type: Option<OsType>,
    pub profiles: Vec<(String, String)>,
    pub zones: Vec<String>,
    /// `storageProfile.osDisk` and `dataDisks`, when the body has a `storageProfile`.
    pub storage: Option<super::storage::StorageSpec>,
}

/// What a VM rule needs to know of a NIC it names.
#[derive(Clone, Debug)]
pub struct NicFacts {
    pub id: String,
    pub subscription: String,
    pub location: String,
    pub vnet_key: Option<String>,
    pub vnet_id: Option<String>,
    pub has_ipv6: bool,
    /// The VM it is attached to now, if any.
    pub attached_to: Option<String>,
    /// The private endpoint or link service that owns it, if any: such a NIC is on no VM.
    pub owner: Option<OwnedBy>,
}

/// Who owns a NIC a VM names (`nic::NicOwner`, owned).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OwnedBy {
    PrivateEndpoint(String),
    PrivateLinkService(String),
}

impl From<crate::network::nic::NicOwner<'_>> for OwnedBy {
    fn from(owner: crate::network::nic::NicOwner<'_>) -> Self {
        use crate::network::nic::NicOwner;
        match owner {
            NicOwner::PrivateEndpoint(id) => OwnedBy::PrivateEndpoint(id.to_string()),
            NicOwner::PrivateLinkService(id) => OwnedBy::PrivateLinkService(id.to_string()),
        }
    }
}

/// What the references of a VM request resolve to (lower-case ids).
#[derive(Clone, Debug, Default)]
pub struct VmContext {
    pub nics: HashMap<String, NicFacts>,
    /// Lower-case ids of availability sets that exist, with their region.
    pub availability_sets: HashMap<String, String>,
    /// The next attachment sequence numbers to hand out, in order.
    pub next_seq: i64,
}

/// Seed: "You can add (attach) an existing network interface to a VM when you create the
/// VM, provided the network interface isn't currently attached to another VM."
pub fn nic_not_attached_elsewhere(vm_id: &ResourceId, nic: &NicFacts) -> Result<(), DomainError> {
    match &nic.owner {
        Some(OwnedBy::PrivateEndpoint(pe)) => {
            return Err(crate::network::nic::NicOwner::PrivateEndpoint(pe).refusal(&nic.id))
        }
        Some(OwnedBy::PrivateLinkService(pls)) => {
            return Err(crate::network::nic::NicOwner::PrivateLinkService(pls).refusal(&nic.id))
        }
        None => {}
    }
    match &nic.attached_to {
        Some(other) if !other.eq_ignore_ascii_case(vm_id.as_str()) => Err(DomainError::NicInUse {
            nic: nic.id.clone(),
            vm: other.clone(),
        }),
        _ => Ok(()),
    }
}

/// Seed: "You can add as many network interfaces to a VM as the VM size you're creating
/// supports." Also refuses a resize to a size with fewer NICs than attached.
pub fn nic_count_within_size(
    vm_name: &str,
    size: &sizes::VmSize,
    count: usize,
) -> Result<(), DomainError> {
    if count > size.max_nics as usize {
        return Err(DomainError::NetworkInterfaceCountExceeded {
            vm: vm_name.to_string(),
            size: size.name.to_string(),
            count,
            max: size.max_nics as usize,
        });
    }
    Ok(())
}

/// Seed: "You can add a network interface to, or remove (detach) a network interface from an
/// existing VM, provided the VM is in the stopped (deallocated) state." Stopped but still
/// allocated is not enough.
pub fn nic_change_needs_deallocation(
    vm_name: &str,
    power: PowerState,
    changed: bool,
) -> Result<(), DomainError> {
    if changed && power != PowerState::Deallocated {
        return Err(
            DomainError::AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported {
                vm: vm_name.to_string(),
            },
        );
    }
    Ok(())
}

/// Seed: "...as long as the VM always has at least one network interface."
pub fn at_least_one_nic(vm_name: &str, count: usize) -> Result<(), DomainError> {
    if count == 0 {
        return Err(DomainError::VirtualMachineMustHaveAtLeastOneNic {
            vm: vm_name.to_string(),
        });
    }
    Ok(())
}

/// Seed: "While network interfaces in the same VM can be connected to different subnets
/// within a VNet, the network interfaces must all be connected to the same VNet."
pub fn nics_share_one_vnet(vm_name: &str, nics: &[&NicFacts]) -> Result<(), DomainError> {
    let mut first: Option<&NicFacts> = None;
    for n in nics {
        match first {
            None => first = Some(n),
            Some(f) if f.vnet_key != n.vnet_key => {
                return Err(DomainError::SubnetsNotInSameVnet {
                    vm: vm_name.to_string(),
                    first: f.vnet_id.clone().unwrap_or_default(),
                    second: n.vnet_id.clone().unwrap_or_default(),
                })
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Seed: "If a network interface has a private IPv6 address assigned to it, you can attach it
/// to a VM when creating the VM ... you can only attach that network interface to the
/// virtual machine" and "You cannot attach a network interface with an assigned IPv6
/// address to a VM after the VM is created."
pub fn ipv6_rules(
    vm_name: &str,
    creating: bool,
    nics: &[&NicFacts],
    added: &[&NicFacts],
    kept: &[&NicFacts],
) -> Result<(), DomainError> {
    if creating {
        if let Some(v6) = nics.iter().find(|n| n.has_ipv6) {
            if nics.len() > 1 {
                return Err(DomainError::Ipv6NicMustBeOnlyNic {
                    vm: vm_name.to_string(),
                    nic: v6.id.clone(),
                });
            }
        }
        return Ok(());
    }
    if let Some(v6) = added.iter().find(|n| n.has_ipv6) {
        return Err(DomainError::Ipv6NicOnlyAtCreation {
            vm: vm_name.to_string(),
            nic: v6.id.clone(),
        });
    }
    if let (Some(v6), Some(new)) = (kept.iter().find(|n| n.has_ipv6), added.first()) {
        return Err(DomainError::NoNicAddedBesideIpv6Nic {
            vm: vm_name.to_string(),
            ipv6_nic: v6.id.clone(),
            nic: new.id.clone(),
        });
    }
    Ok(())
}

/// Seed: "By default, the first network interface in a VM is defined as the primary
/// network interface" and "If you remove a primary network interface, Azure assigns the
/// primary attribute to the network interface that's been attached to the VM the longest."
///
/// Returns the index (in `requested`) of the primary. A NIC flagged primary wins; a lone NIC
/// is primary; on create several NICs need one flagged; on update the current primary stays
/// unless flagged false, and when it is gone the longest-attached remaining NIC takes over.
pub fn choose_primary(
    existing: Option<&VirtualMachine>,
    requested: &[NicRefSpec],
    seqs: &[i64],
) -> Result<usize, DomainError> {
    let flagged: Vec<usize> = (0..requested.len())
        .filter(|&i| requested[i].primary == Some(true))
        .collect();
    match flagged.len() {
        1 => return Ok(flagged[0]),
        0 => {}
        _ => {
            return Err(DomainError::MultiplePrimaryNetworkInterfaces {
                first: requested[flagged[0]].id.to_string(),
                second: requested[flagged[1]].id.to_string(),
            })
        }
    }
    if requested.len() == 1 {
        return Ok(0);
    }
    let must_flag = || DomainError::NetworkInterfaceMustHavePrimaryPropertySet {
        nic: requested[0].id.to_string(),
    };
    let Some(vm) = existing else {
        return Err(must_flag());
    };
    let current = vm.nics.iter().find(|n| n.primary);
    let still_there = current.and_then(|c| {
        requested
            .iter()
            .position(|r| r.id.key() == crate::id::fold(&c.id))
    });
    match still_there {
        Some(i) if requested[i].primary == Some(false) => Err(must_flag()),
        Some(i) => Ok(i),
        None => Ok((0..requested.len())
            .min_by_key(|&i| seqs[i])
            .expect("several NICs requested")),
    }
}

/// Seed: "You can only add a VM to an availability set when it's created though."
pub fn availability_set_only_at_creation(
    existing: Option<&VirtualMachine>,
    requested: Option<&ResourceId>,
) -> Result<(), DomainError> {
    let Some(vm) = existing else { return Ok(()) };
    let same = match (&vm.availability_set, requested) {
        (None, None) => true,
        (Some(a), Some(b)) => crate::id::fold(a) == b.key(),
        _ => false,
    };
    if same {
        Ok(())
    } else {
        Err(DomainError::PropertyChangeNotAllowed {
            resource: vm.common.name.clone(),
            property: "availabilitySet.id".into(),
        })
    }
}

/// The OS settings Azure fixes when it creates a VM (`osProfile.{setting}`).
pub const FIXED_OS_SETTINGS: [&str; 3] = ["computerName", "adminUsername", "customData"];

/// A PUT may repeat a VM's fixed OS settings or leave them out, but not change them (Azure:
/// 409 `PropertyChangeNotAllowed`, "Changing property 'osProfile.adminUsername' is not
/// allowed."). `old` and `new` give each setting present as its JSON text.
pub fn os_settings_unchanged(
    vm: &str,
    old: &[(&str, String)],
    new: &[(&str, String)],
) -> Result<(), DomainError> {
    for (setting, value) in new {
        let before = old.iter().find(|(s, _)| s == setting).map(|(_, v)| v);
        if before.is_some_and(|b| b != value) {
            return Err(DomainError::PropertyChangeNotAllowed {
                resource: vm.to_string(),
                property: format!("osProfile.{setting}"),
            });
        }
    }
    Ok(())
}

/// Validates a VM PUT (create or full update) and returns the VM to store.
pub fn plan_put(
    id: &ResourceId,
    existing: Option<&VirtualMachine>,
    spec: VmSpec,
    ctx: &VmContext,
    new_guid: &str,
    now_ms: i64,
) -> Result<VirtualMachine, DomainError> {
    let common = common(id, existing.map(|v| &v.common), &spec.common, new_guid)?;
    let vm_name = common.name.clone();
    crate::region::check_zones(
        &spec.zones,
        &common.location,
        &format!("Microsoft.Compute/virtualMachines/{vm_name}"),
        true,
    )?;
    let size_name = spec
        .size
        .clone()
        .or(existing.map(|v| v.size.clone()))
        .ok_or_else(|| DomainError::InvalidParameter {
            message: "Required parameter 'hardwareProfile.vmSize' is missing (null).".into(),
            target: Some("hardwareProfile.vmSize".into()),
        })?;
    let size = sizes::find(&size_name).ok_or_else(|| DomainError::VmSizeNotValid {
        size: size_name.clone(),
        location: common.location.clone(),
    })?;
    let requested = match (&spec.nics, existing) {
        (Some(n), _) => n.clone(),
        (None, Some(vm)) => vm
            .nics
            .iter()
            .map(|n| {
                Ok(NicRefSpec {
                    id: ResourceId::parse(&n.id)?,
                    primary: Some(n.primary),
                    delete_option: Some(n.delete_option),
                })
            })
            .collect::<Result<_, DomainError>>()?,
        (None, None) => {
            return Err(DomainError::InvalidParameter {
                message: "Required parameter 'networkProfile' is missing (null).".into(),
                target: Some("networkProfile".into()),
            })
        }
    };
    at_least_one_nic(&vm_name, requested.len())?;

    let mut facts: Vec<&NicFacts> = Vec::with_capacity(requested.len());
    let mut keys: Vec<String> = Vec::with_capacity(requested.len());
    for r in &requested {
        let nic_id = &r.id;
        if keys.iter().any(|k| k == nic_id.key()) {
            return Err(DomainError::DuplicateNetworkInterface {
                vm: vm_name.clone(),
                nic: r.id.to_string(),
            });
        }
        if !nic_id
            .subscription()
            .eq_ignore_ascii_case(id.subscription())
        {
            return Err(DomainError::NicInOtherSubscription {
                nic: r.id.to_string(),
                subscription: id.subscription().to_string(),
            });
        }
        let f = ctx
            .nics
            .get(nic_id.key())
            .filter(|f| f.location == common.location)
            .ok_or_else(|| DomainError::InvalidResourceReference {
                id: r.id.to_string(),
                referrer: id.to_string(),
            })?;
        nic_not_attached_elsewhere(id, f)?;
        keys.push(nic_id.key().to_string());
        facts.push(f);
    }
    nic_count_within_size(&vm_name, size, requested.len())?;
    nics_share_one_vnet(&vm_name, &facts)?;

    let old_keys: Vec<String> = existing
        .map(|vm| {
            vm.nics
                .iter()
                .filter_map(|n| ResourceId::parse(&n.id).ok().map(|i| i.key().to_string()))
                .collect()
        })
        .unwrap_or_default();
    let added: Vec<&NicFacts> = keys
        .iter()
        .zip(&facts)
        .filter(|(k, _)| !old_keys.contains(k))
        .map(|(_, f)| *f)
        .collect();
    let kept: Vec<&NicFacts> = keys
        .iter()
        .zip(&facts)
        .filter(|(k, _)| old_keys.contains(k))
        .map(|(_, f)| *f)
        .collect();
    if let Some(vm) = existing {
        let removed = old_keys.iter().any(|k| !keys.contains(k));
        nic_change_needs_deallocation(&vm_name, vm.power, removed || !added.is_empty())?;
    }
    ipv6_rules(&vm_name, existing.is_none(), &facts, &added, &kept)?;
    availability_set_only_at_creation(existing, spec.availability_set.as_ref())?;
    if existing.is_none() {
        if let Some(set_id) = &spec.availability_set {
            match ctx.availability_sets.get(set_id.key()) {
                Some(loc) if *loc == common.location => {}
                _ => {
                    return Err(DomainError::InvalidResourceReference {
                        id: set_id.to_string(),
                        referrer: id.to_string(),
                    })
                }
            }
        }
    }

    // Attachment order: kept NICs keep their time, new ones are attached now, in order.
    let mut next_seq = ctx.next_seq;
    let seqs: Vec<i64> = requested
        .iter()
        .zip(&keys)
        .map(|(_, k)| {
            let old = existing.and_then(|vm| {
                vm.nics.iter().find(|n| {
                    ResourceId::parse(&n.id)
                        .map(|i| i.key() == k)
                        .unwrap_or(false)
                })
            });
            match old {
                Some(o) => o.attached_seq,
                None => {
                    next_seq += 1;
                    next_seq
                }
            }
        })
        .collect();
    let primary = choose_primary(existing, &requested, &seqs)?;
    let nics = requested
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let old = existing.and_then(|vm| {
                vm.nics
                    .iter()
                    .find(|n| crate::id::fold(&n.id) == r.id.key())
            });
            NicAttachment {
                id: old
                    .map(|o| o.id.clone())
                    .unwrap_or_else(|| r.id.to_string()),
                primary: i == primary,
                delete_option: r
                    .delete_option
                    .or(old.map(|o| o.delete_option))
                    .unwrap_or(DeleteOption::Detach),
                attached_seq: seqs[i],
            }
        })
        .collect();

    Ok(VirtualMachine {
        common,
        size: size.name.to_string(),
        nics,
        availability_set: existing
            .and_then(|v| v.availability_set.clone())
            .or(spec.availability_set.map(|a| a.to_string())),
        power: existing.map(|v| v.power).unwrap_or(PowerState::Running),
        os_type: spec.os_type.or(existing.and_then(|v| v.os_type)),
        created_ms: existing.map(|v| v.created_ms).unwrap_or(now_ms),
        profiles: spec.profiles,
        zones: spec.zones,
        guest: existing.map(|v| v.guest.clone()).unwrap_or_default(),
        transition: None,
        // Planned by `super::storage::plan_storage`, which needs the disks' records.
        storage: existing.map(|v| v.storage.clone()).unwrap_or_default(),
    })
}

/// The attachment sequence numbers `plan_put` handed out (for the application's counter).
/// Whether `vm` has the NIC `nic_id` attached (ids compare case-blind).
pub fn has_nic(vm: &VirtualMachine, nic_id: &str) -> bool {
    vm.nics.iter().any(|n| n.id.eq_ignore_ascii_case(nic_id))
}

pub fn max_seq(vm: &VirtualMachine) -> i64 {
    vm.nics.iter().map(|n| n.attached_seq).max().unwrap_or(0)
}

/// Power operations. `restart` needs a running VM; `powerOff` needs an allocated one.
pub fn power_op(vm: &VirtualMachine, op: &str) -> Result<PowerState, DomainError> {
    let not_allowed = || DomainError::OperationNotAllowed {
        operation: op.to_string(),
        vm: vm.common.name.clone(),
        state: vm.power.status().0.to_string(),
    };
    match op {
        "start" => Ok(PowerState::Running),
        "deallocate" => Ok(PowerState::Deallocated),
        "powerOff" if vm.power == PowerState::Deallocated => Err(not_allowed()),
        "powerOff" => Ok(PowerState::Stopped),
        "restart" if vm.power != PowerState::Running => Err(not_allowed()),
        "restart" => Ok(PowerState::Running),
        _ => Err(DomainError::NotImplemented {
            what: format!("POST virtualMachines/{op}"),
        }),
    }
}

impl VirtualMachine {
    /// `provisioningState` at `now_ms`: the transition's while it lasts, then `Succeeded`.
    pub fn provisioning_state_at(&self, now_ms: i64) -> &str {
        match &self.transition {
            Some(t) if now_ms < t.until_ms => &t.provisioning,
            _ => "Succeeded",
        }
    }

    /// `(code suffix, display status)` of the power state at `now_ms`.
    pub fn power_status_at(&self, now_ms: i64) -> (&'static str, &'static str) {
        match self
            .transition
            .as_ref()
            .and_then(|t| t.power.as_deref().filter(|_| now_ms < t.until_ms))
        {
            Some("starting") => ("starting", "VM starting"),
            Some("stopping") => ("stopping", "VM stopping"),
            Some("deallocating") => ("deallocating", "VM deallocating"),
            _ => self.power.status(),
        }
    }

    pub fn primary_nic(&self) -> Option<&NicAttachment> {
        self.nics.iter().find(|n| n.primary)
    }
}

#[cfg(test)]
#[path = "vm_tests.rs"]
mod tests;
