//! Network interfaces and their IP configurations: the seed's NIC rules.
//!
//! `plan_put` validates a requested NIC against what its references resolve to and returns
//! the NIC to store plus the address moves (releases, static claims, dynamic allocations)
//! the application executes against the address book, releases first.

use super::address::{place, release_of, AddressMove, Placed, Wanted};
use super::{common, Allocation, Common, CommonSpec, IpVersion};
use crate::error::DomainError;
use crate::id::ResourceId;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::net::IpAddr;

/// The seed: "You can assign up to 250 private IP addresses to each NIC." Today's Azure
/// allows 256; `--max-ip-configs-per-nic` chooses.
pub const SEED_MAX_IP_CONFIGS: usize = 250;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkInterface {
    pub common: Common,
    pub ip_configurations: Vec<IpConfiguration>,
    pub dns_servers: Vec<String>,
    pub enable_ip_forwarding: bool,
    pub enable_accelerated_networking: bool,
    pub network_security_group: Option<String>,
    /// Assigned when the NIC's VM first starts; kept until the NIC is deleted.
    pub mac_address: Option<String>,
    /// The private endpoint that created the NIC and owns it (`private_endpoint`): no client
    /// changes, deletes or attaches it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_endpoint: Option<String>,
    /// The private link service whose NAT addresses the NIC holds (`private_link_service`):
    /// it owns the NIC the same way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_link_service: Option<String>,
}

/// The resource that created a NIC and owns it: no client changes, deletes or attaches it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NicOwner<'a> {
    PrivateEndpoint(&'a str),
    PrivateLinkService(&'a str),
}

impl NicOwner<'_> {
    pub fn id(&self) -> &str {
        match self {
            NicOwner::PrivateEndpoint(id) | NicOwner::PrivateLinkService(id) => id,
        }
    }

    /// The refusal of a client's change to the NIC `nic`.
    pub fn refusal(&self, nic: &str) -> DomainError {
        match self {
            NicOwner::PrivateEndpoint(endpoint) => DomainError::NicOfPrivateEndpoint {
                nic: nic.to_string(),
                endpoint: endpoint.to_string(),
            },
            NicOwner::PrivateLinkService(service) => DomainError::NicOfPrivateLinkService {
                nic: nic.to_string(),
                service: service.to_string(),
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpConfiguration {
    pub name: String,
    /// Filled once the address is allocated (always, in a stored NIC).
    pub private_ip: Option<String>,
    pub allocation: Allocation,
    pub version: IpVersion,
    pub subnet: String,
    pub primary: bool,
    pub public_ip: Option<String>,
    pub pools: Vec<String>,
    /// The load balancer's inbound NAT rules forwarding to this configuration. Absent from
    /// records written before NAT rules were modelled, and from most records since.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nat_rules: Vec<String>,
    /// Application security groups it is a member of (generic resources, linked).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub asgs: Vec<String>,
    pub etag: String,
}

#[derive(Clone, Debug, Default)]
pub struct IpConfigSpec {
    pub name: String,
    pub private_ip: Option<String>,
    pub allocation: Option<Allocation>,
    pub version: Option<IpVersion>,
    pub subnet: Option<ResourceId>,
    pub primary: Option<bool>,
    pub public_ip: Option<ResourceId>,
    pub pools: Vec<ResourceId>,
    pub nat_rules: Vec<ResourceId>,
    pub asgs: Vec<ResourceId>,
}

#[derive(Clone, Debug, Default)]
pub struct NicSpec {
    pub common: CommonSpec,
    pub ip_configurations: Vec<IpConfigSpec>,
    pub dns_servers: Vec<String>,
    pub enable_ip_forwarding: bool,
    pub enable_accelerated_networking: bool,
    pub network_security_group: Option<ResourceId>,
    /// Set by a private endpoint writing its own NIC, never from a client's body.
    pub private_endpoint: Option<String>,
    /// The private link service writing its NAT addresses' NIC (`private_link_service`).
    pub private_link_service: Option<String>,
}

/// A subnet as a NIC sees it.
#[derive(Clone, Debug)]
pub struct SubnetInfo {
    pub id: String,
    pub name: String,
    pub vnet_key: String,
    pub location: String,
    pub prefixes: Vec<IpNet>,
}

/// A public IP address as a NIC sees it.
#[derive(Clone, Debug)]
pub struct PublicIpInfo {
    pub id: String,
    pub location: String,
    pub version: IpVersion,
    pub sku: super::Sku,
    /// Id of the IP configuration or frontend using it, if any.
    pub used_by: Option<String>,
}

/// A backend pool as a NIC sees it.
#[derive(Clone, Debug)]
pub struct PoolInfo {
    pub id: String,
    pub location: String,
    /// The virtual network the pool's load balancer is tied to, if it is already tied to
    /// one (by an internal frontend or by its other members).
    pub vnet_key: Option<String>,
    /// Its load balancer's balancing rules that send to it with floating IP disabled: each
    /// rule's id, protocol and backend port.
    pub rules: Vec<(String, (String, u16))>,
    /// Whether its load balancer is public (its frontends have public IPs), else internal.
    pub public: bool,
}

/// An inbound NAT rule as a NIC sees it.
#[derive(Clone, Debug)]
pub struct NatRuleInfo {
    pub id: String,
    pub location: String,
    /// The virtual network its load balancer is tied to, if it is tied to one yet.
    pub vnet_key: Option<String>,
    /// The IP configuration it forwards to, if any: a rule forwards to one.
    pub used_by: Option<String>,
    /// Where it forwards to on that configuration: protocol and backend port, unless it has
    /// floating IP enabled (then the port may be shared).
    pub backend: Option<(String, u16)>,
    /// Whether its load balancer is public, else internal.
    pub public: bool,
}

/// What the references of a NIC request resolve to, keyed by lower-case id. A reference
/// that is absent here does not exist.
#[derive(Clone, Debug, Default)]
pub struct NicContext {
    pub subnets: crate::IdMap<SubnetInfo>,
    pub public_ips: crate::IdMap<PublicIpInfo>,
    pub pools: crate::IdMap<PoolInfo>,
    pub nat_rules: crate::IdMap<NatRuleInfo>,
    /// The network security group and application security groups the request names, those
    /// that exist.
    pub linked: crate::reference::Located,
    pub max_ip_configs: usize,
}

#[derive(Clone, Debug)]
pub struct NicPlan {
    pub nic: NetworkInterface,
    /// Releases first, then claims, then allocations.
    pub moves: Vec<AddressMove>,
}

fn invalid_reference(referenced: &str, by: &str) -> DomainError {
    DomainError::InvalidResourceReference {
        id: referenced.to_string(),
        referrer: by.to_string(),
    }
}

/// Exactly one primary: a lone configuration is primary whatever it says; several need one
/// flagged (`NetworkInterfaceMustHaveOneOneIPConfigAsPrimary`), never more.
fn choose_primary(nic_id: &ResourceId, specs: &[IpConfigSpec]) -> Result<usize, DomainError> {
    if specs.len() == 1 {
        return Ok(0);
    }
    let flagged: Vec<usize> = specs
        .iter()
        .enumerate()
        .filter(|(_, s)| s.primary == Some(true))
        .map(|(i, _)| i)
        .collect();
    match flagged.as_slice() {
        [one] => Ok(*one),
        [] => Err(
            DomainError::NetworkInterfaceMustHaveOneOneIPConfigAsPrimary {
                nic: nic_id.to_string(),
            },
        ),
        _ => Err(DomainError::MultiplePrimaryIpConfigurations {
            nic: nic_id.to_string(),
        }),
    }
}

/// Validates a NIC PUT and plans its address moves.
pub fn plan_put(
    id: &ResourceId,
    existing: Option<&NetworkInterface>,
    spec: NicSpec,
    ctx: &NicContext,
    new_guid: &str,
    new_etag: &str,
) -> Result<NicPlan, DomainError> {
    check_owner(
        id,
        existing,
        spec.private_endpoint
            .as_deref()
            .or(spec.private_link_service.as_deref()),
    )?;
    let common = common(id, existing.map(|n| &n.common), &spec.common, new_guid)?;
    let specs = &spec.ip_configurations;
    if specs.is_empty() {
        return Err(
            DomainError::NetworkInterfaceMustHaveAtLeastOneIpConfiguration {
                nic: id.to_string(),
            },
        );
    }
    if specs.len() > ctx.max_ip_configs {
        return Err(DomainError::IpConfigurationCountExceeded {
            nic: id.to_string(),
            count: specs.len(),
            max: ctx.max_ip_configs,
        });
    }
    for (i, s) in specs.iter().enumerate() {
        crate::name::validate_network_name(&s.name)?;
        if specs[..i]
            .iter()
            .any(|o| o.name.eq_ignore_ascii_case(&s.name))
        {
            return Err(DomainError::DuplicateChildName {
                parent: id.to_string(),
                name: s.name.clone(),
            });
        }
    }
    if let Some(nsg) = &spec.network_security_group {
        crate::reference::check_located(nsg, id.as_str(), &common.location, &ctx.linked)?;
    }
    let primary = choose_primary(id, specs)?;
    if let Some(old) = existing {
        if let Some(old_primary) = old.ip_configurations.iter().find(|c| c.primary) {
            let kept = |name: &str| specs.iter().any(|s| s.name.eq_ignore_ascii_case(name));
            let others_remain = old
                .ip_configurations
                .iter()
                .any(|c| !c.primary && kept(&c.name));
            if !kept(&old_primary.name) && others_remain {
                return Err(DomainError::PrimaryIpConfigurationCannotBeDeleted {
                    name: old_primary.name.clone(),
                });
            }
        }
    }

    let mut configs = Vec::with_capacity(specs.len());
    let mut moves = Vec::new();
    let mut vnet: Option<(String, String)> = None;
    let mut seen_pips: HashMap<String, String> = HashMap::new();
    let mut seen_nat_rules: HashMap<String, String> = HashMap::new();
    let own_prefix = [id.key(), "/ipconfigurations/"].concat();
    let is_own_config = |user: &str| user.to_ascii_lowercase().starts_with(&own_prefix);

    for (i, s) in specs.iter().enumerate() {
        let config_id = id.child("ipConfigurations", &s.name).to_string();
        let old = existing.and_then(|n| {
            n.ip_configurations
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(&s.name))
        });
        let name = old
            .map(|o| o.name.clone())
            .unwrap_or_else(|| s.name.clone());

        let requested_ip: Option<IpAddr> = match &s.private_ip {
            Some(raw) => {
                Some(
                    raw.trim()
                        .parse()
                        .map_err(|_| DomainError::InvalidPrivateIpAddress {
                            address: raw.clone(),
                            config: config_id.clone(),
                        })?,
                )
            }
            None => None,
        };
        let version = s
            .version
            .or(requested_ip.map(IpVersion::of))
            .unwrap_or(IpVersion::IPv4);
        if i == primary && version == IpVersion::IPv6 {
            return Err(DomainError::PrimaryIpConfigurationMustBeIPv4 { config: config_id });
        }
        let allocation = s.allocation.unwrap_or(if requested_ip.is_some() {
            Allocation::Static
        } else {
            Allocation::Dynamic
        });

        let subnet_id = s
            .subnet
            .as_ref()
            .ok_or_else(|| DomainError::SubnetRequired {
                config: config_id.clone(),
            })?;
        let subnet_raw = subnet_id.as_str();
        let subnet = ctx
            .subnets
            .get(subnet_id.key())
            .filter(|sub| sub.location == common.location)
            .ok_or_else(|| invalid_reference(subnet_raw, &config_id))?;
        match &vnet {
            None => vnet = Some((subnet.vnet_key.clone(), subnet.id.clone())),
            Some((key, first)) if *key != subnet.vnet_key => {
                return Err(DomainError::IpConfigurationsInDifferentVnets {
                    nic: id.to_string(),
                    first: first.clone(),
                    second: subnet.id.clone(),
                });
            }
            Some(_) => {}
        }
        let prefix = subnet
            .prefixes
            .iter()
            .copied()
            .find(|p| matches!(p, IpNet::V6(_)) == (version == IpVersion::IPv6))
            .ok_or_else(|| DomainError::SubnetHasNoPrefixForVersion {
                subnet: subnet.id.clone(),
                version: version.as_str().to_string(),
                config: config_id.clone(),
            })?;
        if let Some(ip) = requested_ip {
            if IpVersion::of(ip) != version {
                return Err(DomainError::InvalidPrivateIpAddress {
                    address: ip.to_string(),
                    config: config_id,
                });
            }
        }
        if allocation == Allocation::Static && requested_ip.is_none() && old.is_none() {
            return Err(DomainError::StaticPrivateIpAddressMissing { config: config_id });
        }

        // Public IP: exists, same region, same version, and not used by anyone else.
        let public_ip = match &s.public_ip {
            None => None,
            Some(pid) => {
                let raw = pid.as_str();
                let pip = ctx
                    .public_ips
                    .get(pid.key())
                    .filter(|p| p.location == common.location)
                    .ok_or_else(|| invalid_reference(raw, &config_id))?;
                // A configuration of this NIC may hand its public IP to another one in the
                // same PUT; two configurations claiming it are caught through `seen_pips`.
                let other_user = pip
                    .used_by
                    .as_ref()
                    .filter(|u| !is_own_config(u))
                    .cloned()
                    .or_else(|| seen_pips.get(pid.key()).cloned());
                if let Some(user) = other_user {
                    return Err(DomainError::PublicIPAddressInUse {
                        config: config_id,
                        public_ip: pip.id.clone(),
                        user,
                    });
                }
                if pip.version != version {
                    return Err(DomainError::PublicIpVersionMismatch {
                        config: config_id,
                        public_ip: pip.id.clone(),
                    });
                }
                seen_pips.insert(pid.key().to_string(), config_id.clone());
                Some(raw.to_string())
            }
        };

        // The ids and backends of the rules that send to this configuration, for the
        // same-backend rule below.
        let mut backends: Vec<Reaching> = Vec::new();
        // Backend pools: any configuration, primary or not, of the NIC's region and VNet.
        let mut pools = Vec::with_capacity(s.pools.len());
        for pid in &s.pools {
            let raw = pid.as_str();
            let pool = ctx
                .pools
                .get(pid.key())
                .filter(|p| p.location == common.location)
                .ok_or_else(|| invalid_reference(raw, &config_id))?;
            if let Some(pool_vnet) = &pool.vnet_key {
                if *pool_vnet != subnet.vnet_key {
                    return Err(DomainError::BackendPoolInOtherVnet {
                        config: config_id,
                        pool: pool.id.clone(),
                    });
                }
            }
            if !pools.iter().any(|p: &String| p.eq_ignore_ascii_case(raw)) {
                for (rule, backend) in &pool.rules {
                    check_backend(&mut backends, (rule, backend, pool.public), &config_id)?;
                }
                pools.push(raw.to_string());
            }
        }

        // Inbound NAT rules: each forwards to one configuration, in its load balancer's VNet.
        let mut nat_rules = Vec::with_capacity(s.nat_rules.len());
        for rid in &s.nat_rules {
            let raw = rid.as_str();
            let rule = ctx
                .nat_rules
                .get(rid.key())
                .filter(|r| r.location == common.location)
                .ok_or_else(|| invalid_reference(raw, &config_id))?;
            if rule
                .vnet_key
                .as_ref()
                .is_some_and(|v| *v != subnet.vnet_key)
            {
                return Err(DomainError::InboundNatRuleInOtherVnet {
                    config: config_id,
                    rule: rule.id.clone(),
                });
            }
            let other_user = rule
                .used_by
                .as_ref()
                .filter(|u| !is_own_config(u))
                .cloned()
                .or_else(|| {
                    seen_nat_rules
                        .get(rid.key())
                        .filter(|u| !u.eq_ignore_ascii_case(&config_id))
                        .cloned()
                });
            if let Some(user) = other_user {
                return Err(DomainError::InboundNatRuleUsedByAnotherIpConfiguration {
                    config: config_id,
                    rule: rule.id.clone(),
                    user,
                });
            }
            seen_nat_rules.insert(rid.key().to_string(), config_id.clone());
            if nat_rules
                .iter()
                .any(|r: &String| r.eq_ignore_ascii_case(raw))
            {
                continue;
            }
            if let Some(backend) = &rule.backend {
                check_backend(&mut backends, (&rule.id, backend, rule.public), &config_id)?;
            }
            nat_rules.push(raw.to_string());
        }

        // Application security groups: existing ones, in the NIC's region, each once.
        let mut asgs: Vec<String> = Vec::with_capacity(s.asgs.len());
        for a in &s.asgs {
            crate::reference::check_located(a, &config_id, &common.location, &ctx.linked)?;
            if !asgs.iter().any(|k| k.eq_ignore_ascii_case(a.as_str())) {
                asgs.push(a.to_string());
            }
        }

        // Addresses: keep what stays in place, move what changes.
        let subnet_key = subnet_id.key().to_string();
        let placed = old.map(|o| placed(ctx, o));
        let (kept_ip, mv) = place(
            placed.as_ref(),
            &Wanted {
                config: i,
                owner: &config_id,
                subnet_key: &subnet_key,
                subnet_id: &subnet.id,
                prefix,
                version,
                requested: requested_ip,
            },
        );
        moves.extend(mv);
        let etag = match old {
            Some(o) if o.private_ip == kept_ip && kept_ip.is_some() => o.etag.clone(),
            _ => new_etag.to_string(),
        };
        configs.push(IpConfiguration {
            name,
            private_ip: kept_ip,
            allocation,
            version,
            subnet: subnet_raw.to_string(),
            primary: i == primary,
            public_ip,
            pools,
            nat_rules,
            asgs,
            etag,
        });
    }

    check_same_asgs(id, &configs)?;

    // Configurations that disappear give their addresses back.
    if let Some(old) = existing {
        for o in &old.ip_configurations {
            if !specs.iter().any(|s| s.name.eq_ignore_ascii_case(&o.name)) {
                moves.extend(release_of(&placed(ctx, o)));
            }
        }
    }
    moves.sort_by_key(AddressMove::order);
    Ok(NicPlan {
        nic: NetworkInterface {
            common,
            ip_configurations: configs,
            dns_servers: spec.dns_servers,
            enable_ip_forwarding: spec.enable_ip_forwarding,
            enable_accelerated_networking: spec.enable_accelerated_networking,
            network_security_group: spec.network_security_group.map(|n| n.to_string()),
            mac_address: existing.and_then(|n| n.mac_address.clone()),
            private_endpoint: spec.private_endpoint,
            private_link_service: spec.private_link_service,
        },
        moves,
    })
}

/// Where a stored configuration's address is (its subnet must be in the context: the
/// application resolves the subnets of the stored NIC too).
fn placed<'a>(ctx: &NicContext, c: &'a IpConfiguration) -> Placed<'a> {
    let prefix = ResourceId::parse(&c.subnet).ok().and_then(|sub| {
        ctx.subnets.get(sub.key()).and_then(|s| {
            s.prefixes
                .iter()
                .copied()
                .find(|p| matches!(p, IpNet::V6(_)) == (c.version == IpVersion::IPv6))
        })
    });
    Placed {
        subnet: &c.subnet,
        address: c.private_ip.as_deref(),
        version: c.version,
        prefix,
    }
}

/// Every address a NIC holds, to give back when it is deleted.
pub fn releases_on_delete(nic: &NetworkInterface, ctx: &NicContext) -> Vec<AddressMove> {
    nic.ip_configurations
        .iter()
        .filter_map(|c| release_of(&placed(ctx, c)))
        .collect()
}

/// "A NIC cannot be deleted while attached to a VM."
/// Azure: "When creating a private endpoint, a read-only network interface is also created for
/// the lifecycle of the resource." Only its endpoint writes it.
fn check_owner(
    id: &ResourceId,
    existing: Option<&NetworkInterface>,
    writer: Option<&str>,
) -> Result<(), DomainError> {
    match existing.and_then(NetworkInterface::owner) {
        Some(owner) if writer.is_none_or(|w| !w.eq_ignore_ascii_case(owner.id())) => {
            Err(owner.refusal(id.as_str()))
        }
        _ => Ok(()),
    }
}

/// A NIC is deleted only while no VM has it and no private endpoint or link service
/// (`owner`: the one that owns it, if it still exists) does.
pub fn check_delete(
    nic_id: &ResourceId,
    attached_to: Option<&str>,
    owner: Option<NicOwner<'_>>,
) -> Result<(), DomainError> {
    if let Some(owner) = owner {
        return Err(owner.refusal(nic_id.as_str()));
    }
    match attached_to {
        Some(vm) => Err(DomainError::NicInUse {
            nic: nic_id.to_string(),
            vm: vm.to_string(),
        }),
        None => Ok(()),
    }
}

impl NetworkInterface {
    /// The resource that owns the NIC, if any.
    pub fn owner(&self) -> Option<NicOwner<'_>> {
        self.private_endpoint
            .as_deref()
            .map(NicOwner::PrivateEndpoint)
            .or(self
                .private_link_service
                .as_deref()
                .map(NicOwner::PrivateLinkService))
    }

    pub fn primary_config(&self) -> Option<&IpConfiguration> {
        self.ip_configurations.iter().find(|c| c.primary)
    }

    /// True when any configuration has a private IPv6 address (the seed's IPv6 rules).
    pub fn has_ipv6(&self) -> bool {
        self.ip_configurations
            .iter()
            .any(|c| c.version == IpVersion::IPv6)
    }

    /// The virtual network (lower-case key) all configurations are in.
    pub fn vnet_key(&self) -> Option<String> {
        self.ip_configurations
            .first()
            .and_then(|c| ResourceId::parse(&c.subnet).ok())
            .and_then(|s| s.parent())
            .map(|v| v.key().to_string())
    }
}

/// Every IPv4 configuration of a NIC is in the same application security groups (NRP's rule
/// since 2020): each is compared with the primary.
fn check_same_asgs(id: &ResourceId, configs: &[IpConfiguration]) -> Result<(), DomainError> {
    let set = |c: &IpConfiguration| -> Vec<String> {
        let mut keys: Vec<String> = c.asgs.iter().map(|a| a.to_ascii_lowercase()).collect();
        keys.sort();
        keys
    };
    let Some(primary) = configs.iter().find(|c| c.primary) else {
        return Ok(());
    };
    let want = set(primary);
    let other = configs
        .iter()
        .filter(|c| c.version == IpVersion::IPv4 && !c.primary)
        .find(|c| set(c) != want);
    match other {
        Some(other) => {
            let config_id = |c: &IpConfiguration| id.child("ipConfigurations", &c.name).to_string();
            Err(DomainError::AllIpConfigurationsOnANicMustBelongToTheSameApplicationSecurityGroups {
                first: config_id(primary),
                first_asgs: primary.asgs.join(","),
                other: config_id(other),
                other_asgs: other.asgs.join(","),
            })
        }
        None => Ok(()),
    }
}

/// A rule reaching an IP configuration: its id, protocol and backend port, and whether its
/// load balancer is public (else internal).
type Reaching<'a> = (&'a str, &'a (String, u16), bool);

/// Two rules without floating IP (balancing rules through the configuration's pools, NAT
/// rules naming it) cannot both send one protocol and backend port to one IP configuration:
/// of one load balancer, Azure's 400 `RulesUseSameBackendPortProtocolAndIPConfig`; of two load
/// balancers of one type (both public or both internal), 400
/// `RulesOfSameLoadBalancerTypeUseSameBackendPortProtocolAndIPConfig`. A public and an
/// internal one may share it.
fn check_backend<'a>(
    backends: &mut Vec<Reaching<'a>>,
    (rule, backend, public): Reaching<'a>,
    config: &str,
) -> Result<(), DomainError> {
    let lb_of = |id: &str| {
        ResourceId::parse(id)
            .ok()
            .and_then(|r| r.parent())
            .map(|p| p.key().to_string())
    };
    let (protocol, port) = backend;
    let clash = backends.iter().find(|(_, (p, n), other_public)| {
        n == port && p.eq_ignore_ascii_case(protocol) && *other_public == public
    });
    if let Some((first, _, _)) = clash {
        let (first, second, port, protocol, config) = (
            first.to_string(),
            rule.to_string(),
            *port,
            protocol.clone(),
            config.to_string(),
        );
        return Err(if lb_of(&first) == lb_of(rule) {
            DomainError::RulesUseSameBackendPortProtocolAndIPConfig {
                first,
                second,
                port,
                protocol,
                config,
            }
        } else {
            DomainError::RulesOfSameLoadBalancerTypeUseSameBackendPortProtocolAndIPConfig {
                first,
                second,
                port,
                protocol,
                config,
            }
        });
    }
    backends.push((rule, backend, public));
    Ok(())
}

#[cfg(test)]
#[path = "nic_tests.rs"]
mod tests;
