//! The availability-group invariants (`cerulean_domain::compute::placement`): the public
//! IPs and load balancers each VM's group (its availability set, or the VM alone) uses are
//! of one SKU, and a Basic load balancer serves the VMs of one group.

use crate::compute::VM;
use crate::network::{LOAD_BALANCER, NIC, PUBLIC_IP};
use crate::records::from_record;
use cerulean_domain::compute::placement::{self, Group, SkuUse};
use cerulean_domain::compute::vm::VirtualMachine;
use cerulean_domain::id::ResourceId;
use cerulean_domain::network::load_balancer::LoadBalancer;
use cerulean_domain::network::nic::NetworkInterface;
use cerulean_domain::network::public_ip::PublicIp;
use cerulean_domain::network::Sku;
use cerulean_store::Record;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;

/// The record `id` of `kind`, decoded; `None` when it is absent or unreadable (reported
/// elsewhere).
fn decoded<T: DeserializeOwned>(
    records: &BTreeMap<String, Record>,
    id: &str,
    kind: &str,
) -> Option<(String, T)> {
    let r = records.get(&super::key_of(id)).filter(|r| r.kind == kind)?;
    Some((r.id.clone(), from_record(r).ok()?))
}

/// What the groups' NICs use: each group's SKU uses, and each Basic load balancer's
/// groups (by key).
#[derive(Default)]
struct Uses {
    groups: BTreeMap<String, (String, Vec<SkuUse>)>,
    basic: BTreeMap<String, (String, BTreeMap<String, String>)>,
}

impl Uses {
    fn nic(&mut self, records: &BTreeMap<String, Record>, group: &Group, nic: &NetworkInterface) {
        let (_, uses) = self
            .groups
            .entry(group.key.clone())
            .or_insert_with(|| (group.id.clone(), Vec::new()));
        for c in &nic.ip_configurations {
            if let Some((id, pip)) = c
                .public_ip
                .as_deref()
                .and_then(|p| decoded::<PublicIp>(records, p, PUBLIC_IP))
            {
                uses.push(SkuUse {
                    id,
                    sku: pip.sku,
                    load_balancer: false,
                });
            }
            let lbs = c.pools.iter().chain(&c.nat_rules);
            let lbs = lbs.filter_map(|r| ResourceId::parse(r).ok()?.parent());
            for lb_id in lbs {
                let Some((id, lb)) =
                    decoded::<LoadBalancer>(records, lb_id.as_str(), LOAD_BALANCER)
                else {
                    continue;
                };
                if lb.sku == Sku::Basic {
                    let (_, served) = self
                        .basic
                        .entry(lb_id.key().to_string())
                        .or_insert_with(|| (id.clone(), BTreeMap::new()));
                    served.insert(group.key.clone(), group.id.clone());
                }
                uses.push(SkuUse {
                    id,
                    sku: lb.sku,
                    load_balancer: true,
                });
            }
        }
    }
}

/// The violations of the availability-group rules among `records` (all of the store's).
pub(super) fn violations(records: &BTreeMap<String, Record>) -> Vec<String> {
    let mut uses = Uses::default();
    for r in records.values().filter(|r| r.kind == VM) {
        let Ok(vm) = from_record::<VirtualMachine>(r) else {
            continue;
        };
        let group = Group::of(&r.id, vm.availability_set.as_deref());
        for n in &vm.nics {
            if let Some((_, nic)) = decoded::<NetworkInterface>(records, &n.id, NIC) {
                uses.nic(records, &group, &nic);
            }
        }
    }
    let mut out = Vec::new();
    for (id, group_uses) in uses.groups.values() {
        if let Err(e) = placement::one_sku(group_uses) {
            out.push(format!("availability group {id}: {e}"));
        }
    }
    for (lb, served) in uses.basic.values() {
        if served.len() > 1 {
            let groups: Vec<&str> = served.values().map(String::as_str).collect();
            out.push(format!(
                "Basic load balancer {lb} serves VMs of {} availability groups: {}",
                served.len(),
                groups.join(", ")
            ));
        }
    }
    out
}
