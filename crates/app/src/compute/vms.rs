//! Virtual machine use cases. Every write resolves the NICs it names, asks the domain's VM
//! rules, then applies the side effects in the same transaction: attachment references,
//! MAC addresses and dynamic public IPs on start, their release on deallocation.

use super::{placement, AVAILABILITY_SET, VM};
use crate::keyed::lock_of;
use crate::network::nics::purge as purge_nic;
use crate::network::public_ips::Pools;
use crate::network::{first_user, load, require, save, Stored};
use crate::{App, AppError, Page};
use cerulean_domain::compute::availability_set::AvailabilitySet;
use cerulean_domain::compute::storage;
use cerulean_domain::compute::vm::{self, NicFacts, PowerState, VirtualMachine, VmContext, VmSpec};
use cerulean_domain::id::ResourceId;
use cerulean_domain::network::nic::NetworkInterface;
use cerulean_domain::network::public_ip::PublicIp;
use cerulean_domain::network::Allocation;
use cerulean_domain::operation::Operation;
use cerulean_domain::DomainError;
use cerulean_store::{Record, Ref, RefKind, StoreError, Tx};
use serde_json::Value;

/// Where the VM's outbound traffic leaves from: the primary IP configuration of the primary
/// NIC (seed: "all outbound traffic from the VM is sent out the IP address assigned to the
/// primary IP configuration of the primary network interface").
#[derive(Clone, Debug, Default)]
pub struct Outbound {
    pub nic: String,
    pub ip_configuration: String,
    pub private_ip: Option<String>,
    pub public_ip: Option<String>,
}

#[derive(Clone, Debug)]
pub struct VmView {
    pub vm: Stored<VirtualMachine>,
    pub outbound: Option<Outbound>,
}

fn outbound(tx: &mut dyn Tx, v: &VirtualMachine) -> Result<Option<Outbound>, AppError> {
    let Some(primary) = v.primary_nic() else {
        return Ok(None);
    };
    let Some((rec, nic)) = load::<NetworkInterface>(tx, &ResourceId::parse(&primary.id)?)? else {
        return Ok(None);
    };
    let Some(c) = nic.primary_config() else {
        return Ok(None);
    };
    let public_ip = match &c.public_ip {
        Some(p) => load::<PublicIp>(tx, &ResourceId::parse(p)?)?.and_then(|(_, p)| p.ip_address),
        None => None,
    };
    Ok(Some(Outbound {
        nic: rec.id.clone(),
        ip_configuration: format!("{}/ipConfigurations/{}", rec.id, c.name),
        private_ip: c.private_ip.clone(),
        public_ip,
    }))
}

pub fn view(tx: &mut dyn Tx, rec: &Record) -> Result<VmView, AppError> {
    let vm = Stored::<VirtualMachine>::from(rec)?;
    let outbound = outbound(tx, &vm.value)?;
    Ok(VmView { vm, outbound })
}

fn nic_facts(tx: &mut dyn Tx, id: &ResourceId) -> Result<Option<(String, NicFacts)>, AppError> {
    let Some((rec, nic)) = load::<NetworkInterface>(tx, id)? else {
        return Ok(None);
    };
    let vnet_id = nic
        .ip_configurations
        .first()
        .and_then(|c| ResourceId::parse(&c.subnet).ok())
        .and_then(|s| s.parent());
    Ok(Some((
        rec.key.clone(),
        NicFacts {
            id: rec.id.clone(),
            subscription: id.subscription().to_string(),
            location: nic.common.location.clone(),
            vnet_key: vnet_id.as_ref().map(|v| v.key().to_string()),
            vnet_id: vnet_id.map(|v| v.to_string()),
            has_ipv6: nic.has_ipv6(),
            attached_to: first_user(tx, &rec.key, RefKind::Attachment)?,
            owner: nic.owner().map(vm::OwnedBy::from),
        },
    )))
}

/// The fixed OS settings (`vm::FIXED_OS_SETTINGS`) an `osProfile` gives, as JSON text; a
/// null is no setting.
fn os_settings(profiles: &[(String, String)]) -> Vec<(&'static str, String)> {
    let Some((_, raw)) = profiles.iter().find(|(k, _)| k == "osProfile") else {
        return Vec::new();
    };
    let Ok(Value::Object(profile)) = serde_json::from_str::<Value>(raw) else {
        return Vec::new();
    };
    vm::FIXED_OS_SETTINGS
        .iter()
        .filter_map(|k| match profile.get(*k) {
            None | Some(Value::Null) => None,
            Some(v) => Some((*k, v.to_string())),
        })
        .collect()
}

/// Keeps what clients leave out of a full PUT: the az CLI sends the VM it got, which has no
/// `adminPassword` and may lack `imageReference`. The OS settings fixed at creation stay too
/// when a PUT leaves them out (Azure keeps them: they cannot change).
fn merge_profiles(
    old: Option<&VirtualMachine>,
    mut new: Vec<(String, String)>,
) -> Vec<(String, String)> {
    let Some(old) = old else { return new };
    for (name, old_raw) in &old.profiles {
        match new.iter_mut().find(|(n, _)| n == name) {
            None => new.push((name.clone(), old_raw.clone())),
            Some((_, new_raw)) => {
                let keep = match name.as_str() {
                    "storageProfile" => &["imageReference"][..],
                    "osProfile" => &[
                        "adminPassword",
                        "computerName",
                        "adminUsername",
                        "customData",
                    ][..],
                    _ => &[][..],
                };
                if keep.is_empty() {
                    continue;
                }
                let (Ok(Value::Object(o)), Ok(Value::Object(mut n))) = (
                    serde_json::from_str::<Value>(old_raw),
                    serde_json::from_str::<Value>(new_raw),
                ) else {
                    continue;
                };
                for k in keep {
                    if !n.contains_key(*k) {
                        if let Some(v) = o.get(*k) {
                            n.insert(k.to_string(), v.clone());
                        }
                    }
                }
                *new_raw = Value::Object(n).to_string();
            }
        }
    }
    new
}

fn refs_of(id: &ResourceId, v: &VirtualMachine) -> Result<Vec<Ref>, AppError> {
    let mut refs = Vec::with_capacity(v.nics.len() + 1);
    let mut push = |raw: &str, kind: RefKind| -> Result<(), AppError> {
        refs.push(Ref {
            from_key: id.key().to_string(),
            from_id: id.to_string(),
            to_key: ResourceId::parse(raw)?.key().to_string(),
            kind,
            owner_key: id.key().to_string(),
        });
        Ok(())
    };
    for n in &v.nics {
        push(&n.id, RefKind::Attachment)?;
    }
    if let Some(s) = &v.availability_set {
        push(s, RefKind::AvailabilitySet)?;
    }
    Ok(refs)
}

/// The public IPs referenced by a VM's NICs, with their records.
fn public_ips_of(tx: &mut dyn Tx, v: &VirtualMachine) -> Result<Vec<(Record, PublicIp)>, AppError> {
    let mut out = Vec::new();
    for n in &v.nics {
        let Some((_, nic)) = load::<NetworkInterface>(tx, &ResourceId::parse(&n.id)?)? else {
            continue;
        };
        for c in &nic.ip_configurations {
            if let Some(p) = &c.public_ip {
                if let Some(found) = load::<PublicIp>(tx, &ResourceId::parse(p)?)? {
                    out.push(found);
                }
            }
        }
    }
    Ok(out)
}

/// A VM coming up: NICs get their MAC address (once, kept until the NIC is deleted) and
/// dynamic public IPs get an address.
fn power_on_effects(tx: &mut dyn Tx, v: &VirtualMachine, pools: &Pools) -> Result<(), AppError> {
    for n in &v.nics {
        let nic_id = ResourceId::parse(&n.id)?;
        let Some((rec, mut nic)) = load::<NetworkInterface>(tx, &nic_id)? else {
            continue;
        };
        if nic.mac_address.is_none() {
            let seq = tx.next_counter("mac")?;
            nic.mac_address = Some(mac_address(seq));
            save(tx, &nic_id, Some(&rec), &nic.common.location, &nic)?;
        }
    }
    for (rec, mut pip) in public_ips_of(tx, v)? {
        if pip.allocation == Allocation::Dynamic && pip.ip_address.is_none() {
            pip.ip_address = Some(pools.assign(tx, pip.version, &rec.id)?);
            save(
                tx,
                &ResourceId::parse(&rec.id)?,
                Some(&rec),
                &pip.common.location,
                &pip,
            )?;
        }
    }
    Ok(())
}

/// A VM being deallocated (or deleted): dynamic public IPs give their addresses back.
fn release_dynamic_public_ips(
    tx: &mut dyn Tx,
    v: &VirtualMachine,
    pools: &Pools,
) -> Result<(), AppError> {
    for (rec, mut pip) in public_ips_of(tx, v)? {
        if pip.allocation == Allocation::Dynamic {
            if let Some(a) = pip.ip_address.take() {
                pools.release(tx, pip.version, &a)?;
                save(
                    tx,
                    &ResourceId::parse(&rec.id)?,
                    Some(&rec),
                    &pip.common.location,
                    &pip,
                )?;
            }
        }
    }
    Ok(())
}

/// The public IPs of these NICs and, for a dynamic one, its pool's address book: what a
/// VM coming up or going down changes besides its NICs.
fn public_ip_locks(
    tx: &mut dyn Tx,
    nics: impl Iterator<Item = ResourceId>,
) -> Result<Vec<String>, AppError> {
    let mut keys = Vec::new();
    for id in nics {
        let Some((_, nic)) = load::<NetworkInterface>(tx, &id)? else {
            continue;
        };
        for p in nic
            .ip_configurations
            .iter()
            .filter_map(|c| c.public_ip.as_deref())
        {
            let Some((rec, pip)) = load::<PublicIp>(tx, &ResourceId::parse(p)?)? else {
                continue;
            };
            keys.push(rec.key);
            if pip.allocation == Allocation::Dynamic {
                keys.push(Pools::book(pip.version).to_string());
            }
        }
    }
    Ok(keys)
}

/// The locks of a power action on `v`: the VM, its NICs (their MAC addresses), their public
/// IPs and pools.
fn power_locks(
    tx: &mut dyn Tx,
    id: &ResourceId,
    v: &VirtualMachine,
) -> Result<Vec<String>, AppError> {
    let nics: Vec<ResourceId> = v
        .nics
        .iter()
        .filter_map(|n| ResourceId::parse(&n.id).ok())
        .collect();
    let mut keys = vec![id.key().to_string()];
    keys.extend(nics.iter().map(|n| n.key().to_string()));
    keys.extend(public_ip_locks(tx, nics.into_iter())?);
    Ok(keys)
}

/// What a VM's DELETE locks: its power actions' locks, its disks, and the NICs it deletes
/// with it (their subnets, public IPs and pools).
pub(crate) fn delete_locks(
    tx: &mut dyn Tx,
    id: &ResourceId,
    v: &VirtualMachine,
) -> Result<Vec<String>, AppError> {
    let mut keys = power_locks(tx, id, v)?;
    keys.extend(v.storage.all().filter_map(|d| lock_of(&d.id)));
    let deleted = v
        .nics
        .iter()
        .filter(|n| n.delete_option == vm::DeleteOption::Delete)
        .filter_map(|n| ResourceId::parse(&n.id).ok());
    for nic_id in deleted {
        if let Some((_, nic)) = load::<NetworkInterface>(tx, &nic_id)? {
            keys.extend(crate::network::nics::delete_locks(tx, &nic_id, &nic)?);
        }
    }
    Ok(keys)
}

/// `00-0D-3A-XX-XX-XX`, Azure's prefix, unique per store.
fn mac_address(seq: i64) -> String {
    let n = (seq as u32) & 0x00FF_FFFF;
    format!(
        "00-0D-3A-{:02X}-{:02X}-{:02X}",
        (n >> 16) & 0xFF,
        (n >> 8) & 0xFF,
        n & 0xFF
    )
}

/// Plans the VM's disks (`cerulean_domain::compute::storage::plan_storage`) and writes the disk
/// records that creates, attaches or detaches.
fn plan_disks(
    tx: &mut dyn Tx,
    id: &ResourceId,
    old: Option<&VirtualMachine>,
    next: &VirtualMachine,
    spec: Option<&storage::StorageSpec>,
) -> Result<storage::Storage, AppError> {
    let named = spec
        .into_iter()
        .flat_map(|s| s.os_disk.iter().chain(s.data_disks.iter().flatten()))
        .filter_map(|d| d.managed_disk_id.as_deref());
    let disks = super::disks::facts(tx, named)?;
    let max_data_disks =
        cerulean_domain::compute::sizes::find(&next.size).map_or(u32::MAX, |s| s.max_data_disks());
    let new_guid = || uuid::Uuid::new_v4().to_string();
    let ctx = storage::StorageContext {
        vm_id: id,
        location: &next.common.location,
        os_type: next.os_type,
        max_data_disks,
        disks: &disks,
        now_ms: crate::operations::now_ms(),
        new_guid: &new_guid,
    };
    let (storage, changes) = storage::plan_storage(&ctx, old.map(|o| &o.storage), spec)?;
    super::disks::apply(tx, id.as_str(), changes)?;
    Ok(storage)
}

/// Deletes a VM inside a transaction: NICs are detached (kept), or deleted when their
/// reference says `deleteOption: Delete`, and so are its disks; dynamic public IPs are
/// released.
pub(crate) fn purge(tx: &mut dyn Tx, rec: &Record, pools: &Pools) -> Result<(), AppError> {
    let v: VirtualMachine = crate::records::from_record(rec)?;
    // Before its NICs go: they say which network registered its name.
    crate::dns::registration::sync_vm(tx, None, Some(&v), None)?;
    release_dynamic_public_ips(tx, &v, pools)?;
    super::disks::apply(tx, &rec.id, storage::on_vm_delete(&v.storage))?;
    tx.set_refs(&rec.key, &[])?;
    for n in v
        .nics
        .iter()
        .filter(|n| n.delete_option == vm::DeleteOption::Delete)
    {
        if let Some(nic_rec) = tx.get(ResourceId::parse(&n.id)?.key())? {
            purge_nic(tx, &nic_rec)?;
        }
    }
    tx.delete(&rec.key)?;
    Ok(())
}

/// Virtual machines on the tracked-resource path (their PATCH is a merge patch: the edge
/// merges it into the current VM and PUTs the result).
pub struct Vms;

impl crate::tracked::Kind for Vms {
    const KIND: &'static str = VM;
    type Value = VirtualMachine;
    type Spec = VmSpec;
    type View = VmView;

    fn view(tx: &mut dyn Tx, rec: &Record) -> Result<VmView, AppError> {
        view(tx, rec)
    }

    /// The VM, every NIC and managed disk the PUT names, and its availability set: what two
    /// VM writes, or a VM write and a NIC write, can both change or rule on (attachments,
    /// a disk's owner, the NICs' subnets). A VM's PUT therefore takes turns only with writes
    /// of the same VM, NICs or disks, across every server sharing the store.
    fn put_locks(id: &ResourceId, spec: &VmSpec) -> Option<Vec<String>> {
        let mut keys = vec![id.key().to_string()];
        keys.extend(spec.nics.iter().flatten().map(|n| n.id.key().to_string()));
        keys.extend(spec.availability_set.iter().map(|s| s.key().to_string()));
        let disks = spec
            .storage
            .iter()
            .flat_map(|s| storage::named_disks(id, s));
        keys.extend(disks.map(|d| d.key().to_string()));
        Some(keys)
    }

    /// What the stored VM holds (the NICs and disks a PUT may detach) and, for a create, what
    /// its NICs lead to: the public IPs it brings up and, for a dynamic one, the public pool
    /// it takes an address from.
    fn state_locks(
        tx: &mut dyn Tx,
        id: &ResourceId,
        old: Option<&VirtualMachine>,
        spec: &VmSpec,
    ) -> Result<Vec<String>, AppError> {
        let mut keys = vec![id.key().to_string()];
        // The load balancers its NICs reach: a VM's create or a NIC it gains takes turns
        // with writes that could put another group behind one Basic load balancer.
        let named = spec.nics.iter().flatten().map(|n| &n.id);
        for nic_id in named.filter(|n| !old.is_some_and(|o| vm::has_nic(o, n.as_str()))) {
            if let Some((_, nic)) = load::<NetworkInterface>(tx, nic_id)? {
                keys.extend(placement::load_balancer_locks(&nic));
            }
        }
        let Some(old) = old else {
            let nics = spec.nics.iter().flatten().map(|n| n.id.clone());
            keys.extend(public_ip_locks(tx, nics)?);
            return Ok(keys);
        };
        keys.extend(old.nics.iter().filter_map(|n| lock_of(&n.id)));
        keys.extend(old.storage.all().filter_map(|d| lock_of(&d.id)));
        Ok(keys)
    }

    /// Mostly for the NICs a PUT detaches: the body no longer names them.
    const LOCKS_FROM_STATE: bool = true;

    fn put(
        tx: &mut dyn Tx,
        env: &crate::tracked::Env,
        id: &ResourceId,
        existing: Option<&(Record, VirtualMachine)>,
        mut spec: VmSpec,
    ) -> Result<VirtualMachine, AppError> {
        let old = existing.map(|(_, v)| v);
        // Attachment order matters within one VM only, so the VM's own highest number is
        // where the next attachment counts from (a store-wide counter would make every VM
        // write wait on one row).
        let mut ctx = VmContext {
            next_seq: old.map_or(0, vm::max_seq),
            ..Default::default()
        };
        let named = spec
            .nics
            .iter()
            .flatten()
            .map(|n| n.id.clone())
            .chain(
                old.into_iter()
                    .flat_map(|v| v.nics.iter().filter_map(|n| ResourceId::parse(&n.id).ok())),
            )
            .collect::<Vec<_>>();
        for nic_id in named {
            if let Some((key, facts)) = nic_facts(tx, &nic_id)? {
                ctx.nics.insert(key, facts);
            }
        }
        if let Some(set) = &spec.availability_set {
            if let Some((_, a)) = load::<AvailabilitySet>(tx, set)? {
                ctx.availability_sets
                    .insert(set.key().to_string(), a.common.location.clone());
            }
        }
        if let Some(old) = old {
            vm::os_settings_unchanged(
                id.name(),
                &os_settings(&old.profiles),
                &os_settings(&spec.profiles),
            )?;
        }
        spec.profiles = merge_profiles(old, std::mem::take(&mut spec.profiles));
        let storage_spec = spec.storage.take();
        let mut next = vm::plan_put(
            id,
            old,
            spec,
            &ctx,
            &uuid::Uuid::new_v4().to_string(),
            crate::operations::now_ms(),
        )?;
        // A create or a NIC gained brings load balancers and public IPs into the VM's group.
        if old.is_none_or(|o| next.nics.iter().any(|n| !vm::has_nic(o, &n.id))) {
            placement::check_vm(tx, id, &next)?;
        }
        crate::network::set_own_refs(tx, id.key(), old.is_none(), &refs_of(id, &next)?).map_err(
            |e| match e {
                StoreError::Conflict { .. } => AppError::from(DomainError::ConcurrentConflict {
                    what: "network interface attachment".into(),
                }),
                other => other.into(),
            },
        )?;
        next.storage = plan_disks(tx, id, old, &next, storage_spec.as_ref())?;
        if existing.is_none() {
            power_on_effects(tx, &next, &env.pools)?;
        }
        crate::dns::registration::sync_vm(tx, Some(&next), old, None)?;
        Ok(next)
    }

    fn operation(env: &crate::tracked::Env, id: &ResourceId, location: &str) -> Operation {
        App::compute_operation(env.ops, id, location)
    }

    fn put_operation(env: &crate::tracked::Env, id: &ResourceId, location: &str) -> Operation {
        let mut op = App::compute_operation(env.ops, id, location);
        op.returns_resource = true;
        op
    }

    fn before_save(value: &mut VirtualMachine, op: &Operation, created: bool) {
        value.transition = Some(vm::Transition::of_put(op.done_at_ms, created));
    }
}

impl App {
    pub(crate) fn compute_operation(
        ops: crate::operations::Ops,
        id: &ResourceId,
        location: &str,
    ) -> Operation {
        ops.make(
            id.subscription(),
            "Microsoft.Compute",
            location,
            id.as_str(),
            Ok(None),
        )
    }

    pub async fn get_vm(&self, id: ResourceId) -> Result<VmView, AppError> {
        self.get_tracked::<Vms>(id).await
    }

    /// POST `start`, `powerOff`, `restart`, `deallocate`.
    pub async fn vm_power(
        &self,
        id: ResourceId,
        op_name: &'static str,
    ) -> Result<Operation, AppError> {
        self.subscription(id.subscription()).await?;
        let ops = self.ops();
        let pools = self.pools();
        let at = id.clone();
        let keys = self.read_locks(move |tx| match load::<VirtualMachine>(tx, &at)? {
            Some((_, v)) => power_locks(tx, &at, &v),
            None => Ok(vec![at.key().to_string()]),
        });
        let keys = keys.await?;
        self.write_narrow(keys, move |tx, declared| {
            let (rec, mut v) = require::<VirtualMachine>(tx, &id)?;
            if let Some(declared) = declared {
                if !crate::keyed::covered(&power_locks(tx, &id, &v)?, declared) {
                    return Ok(None);
                }
            }
            let next = vm::power_op(&v, op_name)?;
            match (v.power, next) {
                (PowerState::Running, _) | (_, PowerState::Deallocated | PowerState::Stopped) => {}
                (_, PowerState::Running) => power_on_effects(tx, &v, &pools)?,
            }
            if next == PowerState::Deallocated {
                release_dynamic_public_ips(tx, &v, &pools)?;
            }
            // The guest shuts down on restart, powerOff and deallocate: what it does not keep
            // across a boot is gone (see `cerulean_domain::guest`).
            if op_name == "restart" || next != PowerState::Running {
                super::run_command::on_boot(&mut v);
            }
            v.power = next;
            let op = Self::compute_operation(ops, &id, &v.common.location);
            v.transition = Some(vm::Transition::of_power(op.done_at_ms, op_name));
            save(tx, &id, Some(&rec), &v.common.location, &v)?;
            tx.put_operation(&op)?;
            Ok(Some(op))
        })
        .await
    }

    /// The VMs of a subscription in one region (an unknown region has none).
    pub async fn list_vms_in_location(
        &self,
        subscription: &str,
        location: &str,
        after: Option<String>,
    ) -> Result<Page<VmView>, AppError> {
        let Some(loc) = cerulean_domain::region::normalize(location) else {
            self.subscription(subscription).await?;
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        };
        self.list_kind(
            subscription,
            None,
            Some(loc),
            VM,
            after,
            crate::records::each(view),
        )
        .await
    }

    /// Compute usages in a region: `(cores in use, VMs, availability sets)`.
    pub async fn compute_usages(
        &self,
        subscription: &str,
        location: &str,
    ) -> Result<(String, i64, i64, i64), AppError> {
        self.subscription(subscription).await?;
        let loc = cerulean_domain::region::normalize(location).ok_or_else(|| {
            DomainError::LocationNotAvailableForResourceType {
                location: location.to_string(),
                type_path: "Microsoft.Compute/locations/usages".into(),
                available: cerulean_domain::region::available_list(),
            }
        })?;
        let sub = cerulean_domain::id::fold(subscription);
        let (cores, vms, sets) = cerulean_store::read(&*self.store, move |tx| {
            let sets = tx.count_in_region(&sub, AVAILABILITY_SET, loc)?;
            let all = crate::records::all_in_region::<VirtualMachine>(tx, &sub, VM, loc)?;
            let cores = all
                .iter()
                .filter(|(_, v)| v.power != PowerState::Deallocated)
                .map(|(_, v)| {
                    cerulean_domain::compute::sizes::find(&v.size).map_or(0, |s| s.vcpus as i64)
                })
                .sum::<i64>();
            let vms = all.len() as i64;
            Ok::<_, AppError>((cores, vms, sets))
        })
        .await?;
        Ok((loc.to_string(), cores, vms, sets))
    }
}
