//! Load balancers: frontends (public, or internal with an address from a subnet) and
//! backend pools. Pool membership is written from the NIC side (an IP configuration names
//! its pools) and shown on both sides; any IP configuration of any NIC may join. Inbound NAT
//! rules are kept as sent (with the rules and probes), but who they forward to is modelled
//! the same way: an IP configuration names the rule, and one configuration at most.

use super::address::{place, release_of, AddressMove, Placed, Wanted};
use super::nic::{PublicIpInfo, SubnetInfo};
use super::{common, Allocation, Common, CommonSpec, IpVersion, Sku};
use crate::error::DomainError;
use crate::id::ResourceId;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadBalancer {
    pub common: Common,
    pub sku: Sku,
    pub frontends: Vec<Frontend>,
    pub pools: Vec<BackendPool>,
    /// Properties cerulean stores but does not model (rules, probes, NAT rules), as the
    /// caller sent them: `(property name, JSON text)`.
    pub extras: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frontend {
    pub name: String,
    pub private_ip: Option<String>,
    pub allocation: Allocation,
    pub version: IpVersion,
    pub subnet: Option<String>,
    pub public_ip: Option<String>,
    pub etag: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendPool {
    pub name: String,
    pub etag: String,
    /// The pool's own properties kept as sent (JSON text of an object): the addresses of an
    /// IP-based pool (`loadBalancerBackendAddresses`), its `virtualNetwork`, … Members by
    /// NIC are not here: IP configurations name the pool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct FrontendSpec {
    pub name: String,
    pub private_ip: Option<String>,
    pub allocation: Option<Allocation>,
    pub version: Option<IpVersion>,
    pub subnet: Option<ResourceId>,
    pub public_ip: Option<ResourceId>,
}

#[derive(Clone, Debug, Default)]
pub struct LbSpec {
    pub common: CommonSpec,
    pub sku: Option<Sku>,
    pub frontends: Vec<FrontendSpec>,
    pub pools: Vec<String>,
    /// Each pool's properties to keep as sent (see [`BackendPool::kept`]), by pool name as
    /// spelled in `pools`; a pool not named here keeps none.
    pub pool_properties: Vec<(String, String)>,
    /// The names of its inbound NAT rules (the rules themselves are among `extras`).
    pub nat_rules: Vec<String>,
    /// What its rules, probes and NAT rules reference (read from `extras`).
    pub rules: super::lb_rules::Rules,
    pub extras: Vec<(String, String)>,
}

/// What a load balancer's references resolve to (lower-case ids), and who is in its pools.
#[derive(Clone, Debug, Default)]
pub struct LbContext {
    pub subnets: crate::IdMap<SubnetInfo>,
    pub public_ips: crate::IdMap<PublicIpInfo>,
    /// Lower-case pool name → the ids of the IP configurations in it.
    pub pool_members: HashMap<String, Vec<String>>,
    /// Lower-case inbound NAT rule name → its name as spelled, and the IP configuration it
    /// forwards to.
    pub nat_rule_members: HashMap<String, (String, String)>,
    /// Lower-case frontend name → the private link service using it.
    pub frontend_users: HashMap<String, String>,
    /// Lower-case id of each IP configuration in its pools or NAT rules → the rules of other
    /// load balancers that reach it without floating IP.
    pub foreign_rules: HashMap<String, Vec<super::lb_rules::ForeignRule>>,
}

fn placed<'a>(ctx: &LbContext, f: &'a Frontend) -> Option<Placed<'a>> {
    let subnet = f.subnet.as_deref()?;
    let prefix = ResourceId::parse(subnet).ok().and_then(|s| {
        ctx.subnets.get(s.key()).and_then(|info| {
            info.prefixes
                .iter()
                .copied()
                .find(|p| matches!(p, IpNet::V6(_)) == (f.version == IpVersion::IPv6))
        })
    });
    Some(Placed {
        subnet,
        address: f.private_ip.as_deref(),
        version: f.version,
        prefix,
    })
}

/// Validates a load balancer PUT and plans the addresses of its internal frontends.
pub fn plan_put(
    id: &ResourceId,
    existing: Option<&LoadBalancer>,
    spec: LbSpec,
    ctx: &LbContext,
    new_guid: &str,
    new_etag: &str,
) -> Result<(LoadBalancer, Vec<AddressMove>), DomainError> {
    let common = common(id, existing.map(|l| &l.common), &spec.common, new_guid)?;
    let sku = spec.sku.or(existing.map(|l| l.sku)).unwrap_or(Sku::Basic);
    // A Basic one turned Standard would also break the one-SKU rule of the VMs behind it
    // (`compute::placement`).
    super::sku_unchanged(id, existing.map(|l| l.sku), sku)?;
    let mut moves = Vec::new();
    let mut frontends = Vec::with_capacity(spec.frontends.len());
    let mut vnet: Option<String> = None;
    let mut seen_pips: HashMap<String, String> = HashMap::new();
    // Names seen, lower-case: a body of many children stays one lookup each.
    let mut seen_names: HashSet<String> = HashSet::new();
    for (i, f) in spec.frontends.iter().enumerate() {
        crate::name::validate_network_name(&f.name)?;
        if !seen_names.insert(f.name.to_lowercase()) {
            return Err(DomainError::DuplicateChildName {
                parent: id.to_string(),
                name: f.name.clone(),
            });
        }
        let fid = id.child("frontendIPConfigurations", &f.name).to_string();
        let old = existing.and_then(|l| {
            l.frontends
                .iter()
                .find(|o| o.name.eq_ignore_ascii_case(&f.name))
        });
        let mut frontend = Frontend {
            name: old
                .map(|o| o.name.clone())
                .unwrap_or_else(|| f.name.clone()),
            private_ip: None,
            allocation: Allocation::Dynamic,
            version: f.version.unwrap_or(IpVersion::IPv4),
            subnet: None,
            public_ip: None,
            etag: new_etag.to_string(),
        };
        match (&f.subnet, &f.public_ip) {
            (Some(_), Some(_)) | (None, None) => {
                return Err(DomainError::InvalidParameter {
                    message: format!(
                        "Frontend IP configuration {fid} must reference either a subnet (internal) or a public IP address, not both or neither."
                    ),
                    target: Some("frontendIPConfigurations".into()),
                })
            }
            (None, Some(pid)) => {
                let raw = pid.as_str();
                let pip = ctx
                    .public_ips
                    .get(pid.key())
                    .filter(|p| p.location == common.location)
                    .ok_or_else(|| DomainError::InvalidResourceReference {
                        id: raw.to_string(),
                        referrer: fid.clone(),
                    })?;
                let other = pip
                    .used_by
                    .clone()
                    .filter(|u| !u.eq_ignore_ascii_case(&fid))
                    .or_else(|| seen_pips.get(pid.key()).cloned());
                if let Some(user) = other {
                    return Err(DomainError::PublicIPAddressInUse {
                        config: fid,
                        public_ip: pip.id.clone(),
                        user: user.clone(),
                    });
                }
                if pip.sku != sku {
                    return Err(DomainError::PublicIPAndLBSkuDoNotMatch {
                        lb: id.to_string(),
                        public_ip: pip.id.clone(),
                    });
                }
                seen_pips.insert(pid.key().to_string(), fid.clone());
                frontend.public_ip = Some(raw.to_string());
                frontend.version = pip.version;
                if let Some(p) = old.and_then(|o| placed(ctx, o)) {
                    moves.extend(release_of(&p));
                }
            }
            (Some(sid), None) => {
                let raw = sid.as_str();
                let subnet = ctx
                    .subnets
                    .get(sid.key())
                    .filter(|s| s.location == common.location)
                    .ok_or_else(|| DomainError::InvalidResourceReference {
                        id: raw.to_string(),
                        referrer: fid.clone(),
                    })?;
                match &vnet {
                    Some(v) if *v != subnet.vnet_key => {
                        return Err(DomainError::InvalidParameter {
                            message: format!(
                                "All internal frontend IP configurations of load balancer {id} must be in one virtual network."
                            ),
                            target: Some("frontendIPConfigurations".into()),
                        })
                    }
                    _ => vnet = Some(subnet.vnet_key.clone()),
                }
                let requested: Option<IpAddr> = match &f.private_ip {
                    Some(a) => Some(a.parse().map_err(|_| DomainError::InvalidPrivateIpAddress {
                        address: a.clone(),
                        config: fid.clone(),
                    })?),
                    None => None,
                };
                frontend.version = f
                    .version
                    .or(requested.map(IpVersion::of))
                    .unwrap_or(IpVersion::IPv4);
                if requested.is_some_and(|r| IpVersion::of(r) != frontend.version) {
                    return Err(DomainError::InvalidPrivateIpAddress {
                        address: f.private_ip.clone().unwrap_or_default(),
                        config: fid,
                    });
                }
                let prefix = subnet
                    .prefixes
                    .iter()
                    .copied()
                    .find(|p| matches!(p, IpNet::V6(_)) == (frontend.version == IpVersion::IPv6))
                    .ok_or_else(|| DomainError::SubnetHasNoPrefixForVersion {
                        subnet: subnet.id.clone(),
                        version: frontend.version.as_str().into(),
                        config: fid.clone(),
                    })?;
                frontend.allocation = f.allocation.unwrap_or(if requested.is_some() {
                    Allocation::Static
                } else {
                    Allocation::Dynamic
                });
                let old_place = old.and_then(|o| placed(ctx, o));
                let (kept, mv) = place(
                    old_place.as_ref(),
                    &Wanted {
                        config: i,
                        owner: &fid,
                        subnet_key: sid.key(),
                        subnet_id: &subnet.id,
                        prefix,
                        version: frontend.version,
                        requested,
                    },
                );
                moves.extend(mv);
                frontend.private_ip = kept;
                frontend.subnet = Some(raw.to_string());
            }
        }
        if let Some(o) = old {
            if o.private_ip == frontend.private_ip
                && o.subnet == frontend.subnet
                && o.public_ip == frontend.public_ip
            {
                frontend.etag = o.etag.clone();
            }
        }
        frontends.push(frontend);
    }
    if let Some(old) = existing {
        for o in &old.frontends {
            if !seen_names.contains(&o.name.to_lowercase()) {
                if let Some(p) = placed(ctx, o) {
                    moves.extend(release_of(&p));
                }
            }
        }
    }

    let mut pools: Vec<BackendPool> = Vec::with_capacity(spec.pools.len());
    let old_pools: HashMap<String, &BackendPool> = existing
        .into_iter()
        .flat_map(|l| l.pools.iter())
        .map(|p| (p.name.to_lowercase(), p))
        .collect();
    let properties: HashMap<String, &String> = spec
        .pool_properties
        .iter()
        .map(|(n, k)| (n.to_lowercase(), k))
        .collect();
    let mut seen_pools: HashSet<String> = HashSet::new();
    for name in &spec.pools {
        crate::name::validate_network_name(name)?;
        let lower = name.to_lowercase();
        if !seen_pools.insert(lower.clone()) {
            return Err(DomainError::DuplicateChildName {
                parent: id.to_string(),
                name: name.clone(),
            });
        }
        let old = old_pools.get(&lower).copied();
        let kept = properties.get(&lower).map(|k| (*k).clone());
        pools.push(match old {
            Some(o) if o.kept == kept => o.clone(),
            Some(o) => BackendPool {
                name: o.name.clone(),
                etag: new_etag.to_string(),
                kept,
            },
            None => BackendPool {
                name: name.clone(),
                etag: new_etag.to_string(),
                kept,
            },
        });
    }
    if let Some(old) = existing {
        for p in &old.pools {
            if !seen_pools.contains(&p.name.to_lowercase()) {
                check_pool_unused(id, &p.name, ctx)?;
            }
        }
        for f in &old.frontends {
            if !seen_names.contains(&f.name.to_lowercase()) {
                check_frontend_unused(id, &f.name, ctx)?;
            }
        }
    }
    let frontend_names: Vec<&str> = frontends.iter().map(|f| f.name.as_str()).collect();
    super::lb_rules::check(id, &frontend_names, &pools, &spec.rules)?;
    let public = frontends.iter().any(|f| f.public_ip.is_some());
    super::lb_rules::check_members(id, &spec.rules, ctx, public)?;
    for name in ctx.nat_rule_members.keys() {
        if !spec.nat_rules.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            check_nat_rule_unused(id, name, ctx)?;
        }
    }
    moves.sort_by_key(AddressMove::order);
    Ok((
        LoadBalancer {
            common,
            sku,
            frontends,
            pools,
            extras: spec.extras,
        },
        moves,
    ))
}

/// A pool with members cannot be removed.
pub fn check_pool_unused(
    lb_id: &ResourceId,
    pool: &str,
    ctx: &LbContext,
) -> Result<(), DomainError> {
    match ctx
        .pool_members
        .get(&pool.to_lowercase())
        .and_then(|m| m.first())
    {
        Some(member) => Err(DomainError::BackendAddressPoolInUse {
            pool: lb_id.child("backendAddressPools", pool).to_string(),
            user: member.clone(),
        }),
        None => Ok(()),
    }
}

/// A frontend a private link service uses cannot be removed.
pub fn check_frontend_unused(
    lb_id: &ResourceId,
    frontend: &str,
    ctx: &LbContext,
) -> Result<(), DomainError> {
    match ctx.frontend_users.get(&frontend.to_lowercase()) {
        Some(user) => Err(DomainError::FrontendIpConfigurationInUse {
            frontend: lb_id
                .child("frontendIPConfigurations", frontend)
                .to_string(),
            user: user.clone(),
        }),
        None => Ok(()),
    }
}

/// An inbound NAT rule forwarding to an IP configuration cannot be removed.
pub fn check_nat_rule_unused(
    lb_id: &ResourceId,
    rule: &str,
    ctx: &LbContext,
) -> Result<(), DomainError> {
    match ctx.nat_rule_members.get(&rule.to_lowercase()) {
        Some((name, member)) => Err(DomainError::InboundNatRuleInUse {
            rule: lb_id.child("inboundNatRules", name).to_string(),
            user: member.clone(),
        }),
        None => Ok(()),
    }
}

/// A load balancer whose pools have members, or whose NAT rules forward to an IP
/// configuration, cannot be deleted.
pub fn check_delete(
    lb_id: &ResourceId,
    lb: &LoadBalancer,
    ctx: &LbContext,
) -> Result<(), DomainError> {
    for p in &lb.pools {
        check_pool_unused(lb_id, &p.name, ctx)?;
    }
    for f in &lb.frontends {
        check_frontend_unused(lb_id, &f.name, ctx)?;
    }
    let mut used: Vec<&String> = ctx.nat_rule_members.keys().collect();
    used.sort();
    match used.first() {
        Some(rule) => check_nat_rule_unused(lb_id, rule, ctx),
        None => Ok(()),
    }
}

/// Addresses its internal frontends hold, to give back when it is deleted.
pub fn releases_on_delete(lb: &LoadBalancer, ctx: &LbContext) -> Vec<AddressMove> {
    lb.frontends
        .iter()
        .filter_map(|f| placed(ctx, f))
        .filter_map(|p| release_of(&p))
        .collect()
}

impl LoadBalancer {
    /// Whether it is public (a frontend with a public IP), else internal: Azure's "type" of
    /// a load balancer, which some rules compare.
    pub fn is_public(&self) -> bool {
        self.frontends.iter().any(|f| f.public_ip.is_some())
    }

    /// The virtual network its internal frontends are in, if any.
    pub fn vnet_key(&self) -> Option<String> {
        self.frontends
            .iter()
            .filter_map(|f| f.subnet.as_deref())
            .filter_map(|s| ResourceId::parse(s).ok()?.parent())
            .map(|v| v.key().to_string())
            .next()
    }
}

#[cfg(test)]
#[path = "load_balancer_tests.rs"]
mod tests;
