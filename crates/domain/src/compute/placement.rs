//! Where a VM stands for load balancers and public IPs: its availability set, or the VM
//! alone. Azure puts a VM that is in no set into one of its own ("If you don't have
//! availability sets explicitly defined for your VMs in the backend pool, each single VM
//! goes into its own Availability Set"), so a lone VM is a group of one here.
//!
//! Two of Azure's rules hold per group, whichever write brings the conflict (a VM's create
//! or a NIC added to it, or an attached NIC's own PUT):
//! - [`one_sku`]: the load balancers and public IPs the group's network interfaces use are
//!   all Basic or all Standard;
//! - [`vm_joins_basic_lbs`] / [`nic_joins_basic_lbs`]: a Basic load balancer's backends
//!   (pool members and inbound NAT rule targets) are VMs of one group ("Virtual machines in
//!   a single availability set or virtual machine scale set"). Standard load balancers take
//!   any VM of their network.
//!
//! The application gathers the facts ([`SkuUse`], [`BasicLb`]); these functions decide.

use crate::error::DomainError;
use crate::network::Sku;

/// A VM's availability group: its availability set, or the VM itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// Lower-case id: what two groups compare by.
    pub key: String,
    /// The id as stored: what messages show.
    pub id: String,
}

impl Group {
    /// The group of the VM `vm_id` in availability set `set` (an id), if any.
    pub fn of(vm_id: &str, set: Option<&str>) -> Group {
        let id = set.unwrap_or(vm_id);
        Group {
            key: id.to_ascii_lowercase(),
            id: id.to_string(),
        }
    }
}

/// A load balancer (reached through a pool or an inbound NAT rule) or a public IP that a
/// group's network interfaces use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkuUse {
    pub id: String,
    pub sku: Sku,
    pub load_balancer: bool,
}

/// Azure: "Different basic sku and standard sku load balancer or public Ip resources in
/// availability set is not allowed" (400 `DifferentSkuLoadBalancersAndPublicIPAddressNotAllowed`).
/// The message names one of each SKU, a load balancer first where one is among them (as
/// Azure's transcripts do).
pub fn one_sku(uses: &[SkuUse]) -> Result<(), DomainError> {
    let Some(first) = uses.first() else {
        return Ok(());
    };
    let Some(other) = uses.iter().find(|u| u.sku != first.sku) else {
        return Ok(());
    };
    // The two sides: every use of `first`'s SKU and every use of the other's. Name a load
    // balancer of either side first when there is one.
    let side = |sku: Sku| uses.iter().filter(move |u| u.sku == sku);
    let lb_of = |sku: Sku| side(sku).find(|u| u.load_balancer);
    let (a, b) = match (lb_of(first.sku), lb_of(other.sku)) {
        (Some(lb), _) => (
            lb,
            side(other.sku).find(|u| !u.load_balancer).unwrap_or(other),
        ),
        (None, Some(lb)) => (lb, first),
        (None, None) => (first, other),
    };
    Err(
        DomainError::DifferentSkuLoadBalancersAndPublicIPAddressNotAllowed {
            first: a.id.clone(),
            second: b.id.clone(),
        },
    )
}

/// A Basic load balancer a network interface reaches, with the group its other backends'
/// VMs are in (`None` while no other backend is on a VM).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasicLb {
    pub id: String,
    pub name: String,
    pub bound_to: Option<Group>,
}

/// The Basic load balancers of `lbs` whose backends are VMs of another group than `group`.
fn elsewhere<'a>(group: &'a Group, lbs: &'a [BasicLb]) -> impl Iterator<Item = &'a BasicLb> {
    lbs.iter()
        .filter(move |lb| lb.bound_to.as_ref().is_some_and(|g| g.key != group.key))
}

/// A VM's create (or a NIC added to it) whose network interfaces reach Basic load
/// balancers already serving another group: 400 `VmIsNotInSameAvailabilitySetAsLb`,
/// Azure's code and message, naming every such load balancer.
pub fn vm_joins_basic_lbs(vm_id: &str, group: &Group, lbs: &[BasicLb]) -> Result<(), DomainError> {
    let mut names: Vec<&str> = Vec::new();
    for lb in elsewhere(group, lbs) {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(&lb.name)) {
            names.push(&lb.name);
        }
    }
    if names.is_empty() {
        return Ok(());
    }
    Err(DomainError::VmIsNotInSameAvailabilitySetAsLb {
        vm: vm_id.to_string(),
        load_balancers: names.join(", "),
    })
}

/// An attached network interface's PUT that reaches a Basic load balancer already serving
/// another group than its VM's: 400 `NetworkInterfaceAndLoadBalancerAreInDifferentAvailabilitySets`.
pub fn nic_joins_basic_lbs(
    nic_id: &str,
    group: &Group,
    lbs: &[BasicLb],
) -> Result<(), DomainError> {
    match elsewhere(group, lbs).next() {
        None => Ok(()),
        Some(lb) => Err(
            DomainError::NetworkInterfaceAndLoadBalancerAreInDifferentAvailabilitySets {
                nic: nic_id.to_string(),
                lb: lb.id.clone(),
                lb_set: lb
                    .bound_to
                    .as_ref()
                    .map(|g| g.id.clone())
                    .unwrap_or_default(),
                nic_set: group.id.clone(),
            },
        ),
    }
}

#[cfg(test)]
#[path = "placement_tests.rs"]
mod tests;
