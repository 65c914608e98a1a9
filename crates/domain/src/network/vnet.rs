//! Virtual networks and their subnets.
//!
//! A subnet lives inside its virtual network's record (one aggregate: overlap and
//! containment are checked against the siblings), but has an id of its own and is
//! addressable on its own.

use super::prefix_change::{rewrite_subnet_prefixes, same_prefixes, ReleasedPrefix, SubnetUsers};
use super::{common, Common, CommonSpec};
use crate::cidr;
use crate::error::DomainError;
use crate::id::ResourceId;
use crate::reference::{check_located, Located};
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
    /// Unmodelled properties as sent, `(property, JSON text)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<(String, String)>,
}

/// A subnet's stored prefixes, parsed (they were checked when written).
pub fn parse_prefixes(raw: &[String]) -> Vec<IpNet> {
    raw.iter().filter_map(|p| p.parse().ok()).collect()
}

impl Subnet {
    pub fn prefixes(&self) -> Vec<IpNet> {
        parse_prefixes(&self.address_prefixes)
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
    pub network_security_group: Option<ResourceId>,
    pub route_table: Option<ResourceId>,
    pub extra: Vec<(String, String)>,
}

#[derive(Clone, Debug, Default)]
pub struct VnetSpec {
    pub common: CommonSpec,
    pub address_prefixes: Vec<String>,
    pub dns_servers: Vec<String>,
    /// `None`: the body had no `subnets`; Azure then removes every subnet, as we do.
    pub subnets: Option<Vec<SubnetSpec>>,
}

const MAX_SUBNETS: usize = 3000;

/// Where a subnet is built: its network's id, region and address space, and where the
/// resources its references name live.
struct Site<'a> {
    vnet_id: &'a ResourceId,
    location: &'a str,
    space: &'a [IpNet],
    linked: &'a Located,
}

fn build_subnet(
    site: &Site,
    spec: &SubnetSpec,
    siblings: &[(String, IpNet)],
    etag: &str,
) -> Result<Subnet, DomainError> {
    let vnet_id = site.vnet_id;
    let space = site.space;
    crate::name::validate_network_name(&spec.name)?;
    let subnet_id = vnet_id.child("subnets", &spec.name);
    for linked in [&spec.network_security_group, &spec.route_table]
        .into_iter()
        .flatten()
    {
        check_located(linked, subnet_id.as_str(), site.location, site.linked)?;
    }
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
        // `addressPrefix` and `addressPrefixes` may name one prefix in two spellings.
        if !prefixes.contains(&net) {
            prefixes.push(net);
        }
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
        network_security_group: spec.network_security_group.as_ref().map(|n| n.to_string()),
        route_table: spec.route_table.as_ref().map(|r| r.to_string()),
        etag: etag.to_string(),
        extra: spec.extra.clone(),
    })
}

/// A virtual network as a write leaves it, with the subnet prefixes that went (their
/// address books, which hold nothing, are to be forgotten).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VnetWrite {
    pub vnet: VirtualNetwork,
    pub released: Vec<ReleasedPrefix>,
}

/// PUT of a virtual network with its inline subnets.
pub fn put_vnet(
    id: &ResourceId,
    existing: Option<&VirtualNetwork>,
    spec: VnetSpec,
    users: &dyn SubnetUsers,
    linked: &Located,
    new_guid: &str,
    new_etag: &str,
) -> Result<VnetWrite, DomainError> {
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
        let site = Site {
            vnet_id: id,
            location: &common.location,
            space: &space,
            linked,
        };
        let mut built = build_subnet(&site, s, &siblings, new_etag)?;
        if let Some(old) = old {
            built.name = old.name.clone();
            if unchanged(old, &built) {
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
    let mut released = Vec::new();
    if let Some(old) = existing {
        for o in &old.subnets {
            let new = subnets
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(&o.name));
            released.extend(rewrite_subnet_prefixes(o, new, users)?);
        }
    }
    Ok(VnetWrite {
        vnet: VirtualNetwork {
            common,
            address_prefixes: space.iter().map(IpNet::to_string).collect(),
            dns_servers: spec.dns_servers,
            subnets,
        },
        released,
    })
}

/// A subnet rewritten with the same settings keeps its etag.
fn unchanged(old: &Subnet, new: &Subnet) -> bool {
    same_prefixes(old, new)
        && new.network_security_group == old.network_security_group
        && new.route_table == old.route_table
}

/// PUT of one subnet of an existing virtual network; `true` when it was created.
pub fn put_subnet(
    vnet_id: &ResourceId,
    vnet: &VirtualNetwork,
    spec: SubnetSpec,
    users: &dyn SubnetUsers,
    linked: &Located,
    new_etag: &str,
) -> Result<(VnetWrite, bool), DomainError> {
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
    let site = Site {
        vnet_id,
        location: &vnet.common.location,
        space: &space,
        linked,
    };
    let mut built = build_subnet(&site, &spec, &siblings, new_etag)?;
    let mut next = vnet.clone();
    let mut released = Vec::new();
    let created = match next
        .subnets
        .iter_mut()
        .find(|s| s.name.eq_ignore_ascii_case(&spec.name))
    {
        Some(slot) => {
            released = rewrite_subnet_prefixes(slot, Some(&built), users)?;
            built.name = slot.name.clone();
            if unchanged(slot, &built) {
                built.etag = slot.etag.clone();
            }
            *slot = built;
            false
        }
        None => {
            next.subnets.push(built);
            true
        }
    };
    Ok((
        VnetWrite {
            vnet: next,
            released,
        },
        created,
    ))
}

/// DELETE of one subnet: refused while IP configurations use it.
pub fn delete_subnet(
    vnet: &VirtualNetwork,
    name: &str,
    users: &dyn SubnetUsers,
) -> Result<Option<VnetWrite>, DomainError> {
    let Some(old) = vnet.subnet(name) else {
        return Ok(None);
    };
    let released = rewrite_subnet_prefixes(old, None, users)?;
    let mut next = vnet.clone();
    next.subnets.retain(|s| !s.name.eq_ignore_ascii_case(name));
    Ok(Some(VnetWrite {
        vnet: next,
        released,
    }))
}

/// DELETE of a virtual network: refused while any of its subnets is in use.
pub fn delete_vnet(
    vnet: &VirtualNetwork,
    users: &dyn SubnetUsers,
) -> Result<Vec<ReleasedPrefix>, DomainError> {
    let mut released = Vec::new();
    for s in &vnet.subnets {
        released.extend(rewrite_subnet_prefixes(s, None, users)?);
    }
    Ok(released)
}

impl VirtualNetwork {
    pub fn subnet(&self, name: &str) -> Option<&Subnet> {
        self.subnets
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(name))
    }
}

#[cfg(test)]
#[path = "vnet_tests.rs"]
mod tests;
