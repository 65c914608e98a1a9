//! Virtual networks and their subnets.
//!
//! A subnet lives inside its virtual network's record (one aggregate: overlap and
//! containment are checked against the siblings), but has an id of its own and is
//! addressable on its own.

use super::{common, Common, CommonSpec};
use crate::cidr;
use crate::error::DomainError;
use crate::id::ResourceId;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VirtualNetwork {
    pub common: Common,
    pub address_prefixes: Vec<String>,
    pub dns_servers: Vec<String>,
    pub subnets: Vec<Subnet>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subnet {
    pub name: String,
    /// One IPv4 prefix, optionally one IPv6 /64 (dual stack).
    pub address_prefixes: Vec<String>,
    pub network_security_group: Option<String>,
    pub route_table: Option<String>,
    pub etag: String,
}

impl Subnet {
    pub fn prefixes(&self) -> Vec<IpNet> {
        self.address_prefixes
            .iter()
            .filter_map(|p| p.parse().ok())
            .collect()
    }

    /// The prefix addresses of this version come from.
    pub fn prefix_for(&self, v6: bool) -> Option<IpNet> {
        self.prefixes()
            .into_iter()
            .find(|p| matches!(p, IpNet::V6(_)) == v6)
    }
}

#[derive(Clone, Debug, Default)]
pub struct SubnetSpec {
    pub name: String,
    pub address_prefixes: Vec<String>,
    pub network_security_group: Option<String>,
    pub route_table: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct VnetSpec {
    pub common: CommonSpec,
    pub address_prefixes: Vec<String>,
    pub dns_servers: Vec<String>,
    /// `None`: the body had no `subnets`; Azure then removes every subnet, as we do.
    pub subnets: Option<Vec<SubnetSpec>>,
}

/// Who uses a subnet: the id of one IP configuration in it, if any.
pub trait SubnetUsers {
    fn first_user(&self, subnet_name: &str) -> Option<String>;
}

impl<F: Fn(&str) -> Option<String>> SubnetUsers for F {
    fn first_user(&self, subnet_name: &str) -> Option<String> {
        self(subnet_name)
    }
}

const MAX_SUBNETS: usize = 3000;

fn build_subnet(
    vnet_id: &ResourceId,
    space: &[IpNet],
    spec: &SubnetSpec,
    siblings: &[(String, IpNet)],
    etag: &str,
) -> Result<Subnet, DomainError> {
    crate::name::validate_network_name(&spec.name)?;
    let subnet_id = vnet_id.child("subnets", &spec.name);
    if spec.address_prefixes.is_empty() {
        return Err(DomainError::InvalidParameter {
            message: format!("Subnet {subnet_id} must have an addressPrefix or addressPrefixes."),
            target: Some("addressPrefix".into()),
        });
    }
    let mut prefixes = Vec::new();
    for p in &spec.address_prefixes {
        let net = cidr::parse_prefix(p, subnet_id.as_str())?;
        cidr::validate_subnet_prefix(space, net, siblings, &spec.name, vnet_id.name())?;
        prefixes.push(net);
    }
    let v4 = prefixes
        .iter()
        .filter(|p| matches!(p, IpNet::V4(_)))
        .count();
    let v6 = prefixes.len() - v4;
    if v4 > 1 || v6 > 1 {
        return Err(DomainError::InvalidParameter {
            message: format!(
                "Subnet {subnet_id} may have at most one IPv4 and one IPv6 address prefix."
            ),
            target: Some("addressPrefixes".into()),
        });
    }
    Ok(Subnet {
        name: spec.name.clone(),
        address_prefixes: prefixes.iter().map(IpNet::to_string).collect(),
        network_security_group: spec.network_security_group.clone(),
        route_table: spec.route_table.clone(),
        etag: etag.to_string(),
    })
}

/// A subnet that keeps users may keep its prefixes only.
fn check_in_use_change(
    old: &Subnet,
    new: Option<&Subnet>,
    users: &dyn SubnetUsers,
) -> Result<(), DomainError> {
    let changed = match new {
        None => true,
        Some(n) => n.address_prefixes != old.address_prefixes,
    };
    if !changed {
        return Ok(());
    }
    if let Some(user) = users.first_user(&old.name) {
        let subnet = old.name.clone();
        return Err(match new {
            None => DomainError::InUseSubnetCannotBeDeleted { subnet, user },
            Some(n) => DomainError::InUsePrefixCannotBeDeleted {
                prefix: old
                    .address_prefixes
                    .iter()
                    .find(|p| !n.address_prefixes.contains(p))
                    .cloned()
                    .unwrap_or_default(),
                subnet,
            },
        });
    }
    Ok(())
}

/// PUT of a virtual network with its inline subnets.
pub fn put_vnet(
    id: &ResourceId,
    existing: Option<&VirtualNetwork>,
    spec: VnetSpec,
    users: &dyn SubnetUsers,
    new_guid: &str,
    new_etag: &str,
) -> Result<VirtualNetwork, DomainError> {
    let common = common(id, existing.map(|v| &v.common), &spec.common, new_guid)?;
    let space = spec
        .address_prefixes
        .iter()
        .map(|p| cidr::parse_prefix(p, id.as_str()))
        .collect::<Result<Vec<_>, _>>()?;
    cidr::validate_vnet_address_space(id.name(), &space)?;
    let specs = spec.subnets.unwrap_or_default();
    if specs.len() > MAX_SUBNETS {
        return Err(DomainError::InvalidParameter {
            message: format!("A virtual network may have at most {MAX_SUBNETS} subnets."),
            target: Some("subnets".into()),
        });
    }
    let mut subnets: Vec<Subnet> = Vec::with_capacity(specs.len());
    let mut siblings: Vec<(String, IpNet)> = Vec::new();
    for s in &specs {
        if subnets.iter().any(|x| x.name.eq_ignore_ascii_case(&s.name)) {
            return Err(DomainError::DuplicateChildName {
                parent: id.to_string(),
                name: s.name.clone(),
            });
        }
        let old = existing.and_then(|v| v.subnet(&s.name));
        let mut built = build_subnet(id, &space, s, &siblings, new_etag)?;
        if let Some(old) = old {
            built.name = old.name.clone();
            if built.address_prefixes == old.address_prefixes {
                built.etag = old.etag.clone();
            }
        }
        siblings.extend(
            built
                .prefixes()
                .into_iter()
                .map(|p| (built.name.clone(), p)),
        );
        subnets.push(built);
    }
    if let Some(old) = existing {
        for o in &old.subnets {
            let new = subnets
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(&o.name));
            check_in_use_change(o, new, users)?;
        }
    }
    Ok(VirtualNetwork {
        common,
        address_prefixes: space.iter().map(IpNet::to_string).collect(),
        dns_servers: spec.dns_servers,
        subnets,
    })
}

/// PUT of one subnet of an existing virtual network.
pub fn put_subnet(
    vnet_id: &ResourceId,
    vnet: &VirtualNetwork,
    spec: SubnetSpec,
    users: &dyn SubnetUsers,
    new_etag: &str,
) -> Result<(VirtualNetwork, bool), DomainError> {
    let space: Vec<IpNet> = vnet
        .address_prefixes
        .iter()
        .filter_map(|p| p.parse().ok())
        .collect();
    let siblings: Vec<(String, IpNet)> = vnet
        .subnets
        .iter()
        .filter(|s| !s.name.eq_ignore_ascii_case(&spec.name))
        .flat_map(|s| s.prefixes().into_iter().map(|p| (s.name.clone(), p)))
        .collect();
    let mut built = build_subnet(vnet_id, &space, &spec, &siblings, new_etag)?;
    let mut next = vnet.clone();
    let created = match next
        .subnets
        .iter_mut()
        .find(|s| s.name.eq_ignore_ascii_case(&spec.name))
    {
        Some(slot) => {
            check_in_use_change(slot, Some(&built), users)?;
            built.name = slot.name.clone();
            *slot = built;
            false
        }
        None => {
            next.subnets.push(built);
            true
        }
    };
    Ok((next, created))
}

/// DELETE of one subnet: refused while IP configurations use it.
pub fn delete_subnet(
    vnet: &VirtualNetwork,
    name: &str,
    users: &dyn SubnetUsers,
) -> Result<Option<VirtualNetwork>, DomainError> {
    let Some(old) = vnet.subnet(name) else {
        return Ok(None);
    };
    check_in_use_change(old, None, users)?;
    let mut next = vnet.clone();
    next.subnets.retain(|s| !s.name.eq_ignore_ascii_case(name));
    Ok(Some(next))
}

/// DELETE of a virtual network: refused while any of its subnets is in use.
pub fn delete_vnet(vnet: &VirtualNetwork, users: &dyn SubnetUsers) -> Result<(), DomainError> {
    for s in &vnet.subnets {
        check_in_use_change(s, None, users)?;
    }
    Ok(())
}

impl VirtualNetwork {
    pub fn subnet(&self, name: &str) -> Option<&Subnet> {
        self.subnets
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
    }
}
