//! Gathers what `cerulean_domain::compute::placement` decides on: the SKUs of the load
//! balancers and public IPs a VM's availability group uses, and the group each Basic load
//! balancer it reaches already serves. Called by a VM's PUT that brings NICs in and by an
//! attached NIC's PUT.

use crate::network::{first_user, load, load_balancers};
use crate::AppError;
use cerulean_domain::compute::placement::{self, BasicLb, Group, SkuUse};
use cerulean_domain::compute::vm::VirtualMachine;
use cerulean_domain::id::ResourceId;
use cerulean_domain::network::load_balancer::LoadBalancer;
use cerulean_domain::network::nic::NetworkInterface;
use cerulean_domain::network::public_ip::PublicIp;
use cerulean_domain::network::Sku;
use cerulean_store::{RefKind, Tx};
use std::collections::{HashMap, HashSet};

/// Whether a NIC uses anything the rules look at: a public IP, a pool or a NAT rule.
pub(crate) fn uses_any(nic: &NetworkInterface) -> bool {
    nic.ip_configurations
        .iter()
        .any(|c| c.public_ip.is_some() || !c.pools.is_empty() || !c.nat_rules.is_empty())
}

/// The load balancers a NIC's pools and NAT rules belong to, as ids.
fn load_balancers_of(nic: &NetworkInterface) -> impl Iterator<Item = ResourceId> + '_ {
    nic.ip_configurations
        .iter()
        .flat_map(|c| c.pools.iter().chain(&c.nat_rules))
        .filter_map(|r| ResourceId::parse(r).ok()?.parent())
}

/// The lock keys of the load balancers a NIC reaches: writes that could bring two groups
/// behind one Basic load balancer take turns on it.
pub(crate) fn load_balancer_locks(nic: &NetworkInterface) -> Vec<String> {
    load_balancers_of(nic)
        .map(|l| l.key().to_string())
        .collect()
}

/// The group of the VM `vm_id`.
pub(crate) fn group_of(vm_id: &str, vm: &VirtualMachine) -> Group {
    Group::of(vm_id, vm.availability_set.as_deref())
}

/// What the NICs of one group use, gathered NIC by NIC.
struct Gathered<'t> {
    tx: &'t mut dyn Tx,
    uses: Vec<SkuUse>,
    seen: HashSet<String>,
    /// Basic load balancers reached by the NICs added with `basic: true`, with their ids.
    basic: Vec<(String, LoadBalancer)>,
    lbs: HashMap<String, Option<(String, LoadBalancer)>>,
}

impl<'t> Gathered<'t> {
    fn new(tx: &'t mut dyn Tx) -> Self {
        Gathered {
            tx,
            uses: Vec::new(),
            seen: HashSet::new(),
            basic: Vec::new(),
            lbs: HashMap::new(),
        }
    }

    fn load_balancer(
        &mut self,
        id: &ResourceId,
    ) -> Result<Option<(String, LoadBalancer)>, AppError> {
        if let Some(known) = self.lbs.get(id.key()) {
            return Ok(known.clone());
        }
        let found = load::<LoadBalancer>(self.tx, id)?.map(|(rec, lb)| (rec.id, lb));
        self.lbs.insert(id.key().to_string(), found.clone());
        Ok(found)
    }

    fn used(&mut self, id: String, sku: Sku, load_balancer: bool) {
        if self.seen.insert(id.to_ascii_lowercase()) {
            self.uses.push(SkuUse {
                id,
                sku,
                load_balancer,
            });
        }
    }

    /// Adds what `nic` uses; with `basic`, also remembers the Basic load balancers it
    /// reaches (those the write brings in).
    fn nic(&mut self, nic: &NetworkInterface, basic: bool) -> Result<(), AppError> {
        for pip in nic
            .ip_configurations
            .iter()
            .filter_map(|c| c.public_ip.as_deref())
        {
            if let Some((rec, p)) = load::<PublicIp>(self.tx, &ResourceId::parse(pip)?)? {
                self.used(rec.id, p.sku, false);
            }
        }
        for lb_id in load_balancers_of(nic).collect::<Vec<_>>() {
            let Some((id, lb)) = self.load_balancer(&lb_id)? else {
                continue;
            };
            self.used(id.clone(), lb.sku, true);
            let listed = self.basic.iter().any(|(b, _)| b.eq_ignore_ascii_case(&id));
            if basic && lb.sku == Sku::Basic && !listed {
                self.basic.push((id, lb));
            }
        }
        Ok(())
    }

    /// Adds what the NICs of the VM `vm` use, but the NIC `skip` (lower-case id).
    fn vm(&mut self, vm: &VirtualMachine, skip: Option<&str>) -> Result<(), AppError> {
        for n in &vm.nics {
            let id = ResourceId::parse(&n.id)?;
            if skip == Some(id.key()) {
                continue;
            }
            if let Some((_, nic)) = load::<NetworkInterface>(self.tx, &id)? {
                self.nic(&nic, false)?;
            }
        }
        Ok(())
    }

    /// Adds what the other VMs of the availability set `set` use (a lone VM has none).
    fn siblings(&mut self, set: Option<&str>, vm_key: &str) -> Result<(), AppError> {
        let Some(set) = set else {
            return Ok(());
        };
        let set = ResourceId::parse(set)?;
        for r in self.tx.refs_to(set.key(), RefKind::AvailabilitySet)? {
            if r.from_key == vm_key {
                continue;
            }
            if let Some((_, vm)) = load::<VirtualMachine>(self.tx, &ResourceId::parse(&r.from_id)?)?
            {
                self.vm(&vm, None)?;
            }
        }
        Ok(())
    }

    /// The Basic load balancers gathered, each with the group its backends' VMs other than
    /// `vm_key` are in.
    fn basic_lbs(&mut self, vm_key: &str) -> Result<Vec<BasicLb>, AppError> {
        let basic = std::mem::take(&mut self.basic);
        let mut out = Vec::with_capacity(basic.len());
        for (id, lb) in basic {
            let lb_id = ResourceId::parse(&id)?;
            out.push(BasicLb {
                bound_to: serving(self.tx, lb_id.key(), &lb, vm_key)?,
                name: lb_id.name().to_string(),
                id,
            });
        }
        Ok(out)
    }
}

/// The group a load balancer's backends (pool members, NAT rule targets) serve: that of the
/// first backend on a VM other than `vm_key`.
fn serving(
    tx: &mut dyn Tx,
    lb_key: &str,
    lb: &LoadBalancer,
    vm_key: &str,
) -> Result<Option<Group>, AppError> {
    let mut asked: HashSet<String> = HashSet::new();
    for (key, kind) in load_balancers::backend_keys(lb_key, lb) {
        for member in tx.refs_to(&key, kind)? {
            if !asked.insert(member.owner_key.clone()) {
                continue;
            }
            let Some(vm) = first_user(tx, &member.owner_key, RefKind::Attachment)? else {
                continue;
            };
            let vm_id = ResourceId::parse(&vm)?;
            if vm_id.key() == vm_key {
                continue;
            }
            if let Some((rec, v)) = load::<VirtualMachine>(tx, &vm_id)? {
                return Ok(Some(group_of(&rec.id, &v)));
            }
        }
    }
    Ok(None)
}

/// A VM's PUT that brings NICs in (its create, or NICs added): its group's SKUs agree and
/// every Basic load balancer its NICs reach serves no other group.
pub(crate) fn check_vm(
    tx: &mut dyn Tx,
    vm_id: &ResourceId,
    vm: &VirtualMachine,
) -> Result<(), AppError> {
    let mut g = Gathered::new(tx);
    for n in &vm.nics {
        if let Some((_, nic)) = load::<NetworkInterface>(g.tx, &ResourceId::parse(&n.id)?)? {
            g.nic(&nic, true)?;
        }
    }
    if g.uses.is_empty() {
        return Ok(());
    }
    let lbs = g.basic_lbs(vm_id.key())?;
    g.siblings(vm.availability_set.as_deref(), vm_id.key())?;
    placement::one_sku(&g.uses)?;
    placement::vm_joins_basic_lbs(vm_id.as_str(), &group_of(vm_id.as_str(), vm), &lbs)?;
    Ok(())
}

/// The PUT of a NIC attached to `vm` (its id as stored): what the NIC now uses agrees with
/// the rest of the VM's group, and no Basic load balancer it reaches serves another group.
pub(crate) fn check_attached_nic(
    tx: &mut dyn Tx,
    nic_id: &ResourceId,
    nic: &NetworkInterface,
    vm_id: &str,
    vm: &VirtualMachine,
) -> Result<(), AppError> {
    if !uses_any(nic) {
        return Ok(());
    }
    let vm_key = ResourceId::parse(vm_id)?.key().to_string();
    let mut g = Gathered::new(tx);
    g.nic(nic, true)?;
    let lbs = g.basic_lbs(&vm_key)?;
    g.vm(vm, Some(nic_id.key()))?;
    g.siblings(vm.availability_set.as_deref(), &vm_key)?;
    placement::one_sku(&g.uses)?;
    placement::nic_joins_basic_lbs(nic_id.as_str(), &group_of(vm_id, vm), &lbs)?;
    Ok(())
}
