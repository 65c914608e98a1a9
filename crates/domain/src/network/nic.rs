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
}

#[derive(Clone, Debug, Default)]
pub struct NicSpec {
    pub common: CommonSpec,
    pub ip_configurations: Vec<IpConfigSpec>,
    pub dns_servers: Vec<String>,
    pub enable_ip_forwarding: bool,
    pub enable_accelerated_networking: bool,
    pub network_security_group: Option<ResourceId>,
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
}

/// What the references of a NIC request resolve to, keyed by lower-case id. A reference
/// that is absent here does not exist.
#[derive(Clone, Debug, Default)]
pub struct NicContext {
    pub subnets: HashMap<String, SubnetInfo>,
    pub public_ips: HashMap<String, PublicIpInfo>,
    pub pools: HashMap<String, PoolInfo>,
    /// The network security group the request names, if it exists.
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
    let own_prefix = format!("{}/ipconfigurations/", id.key());
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
                pools.push(raw.to_string());
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
            etag,
        });
    }

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
pub fn check_delete(nic_id: &ResourceId, attached_to: Option<&str>) -> Result<(), DomainError> {
    match attached_to {
        Some(vm) => Err(DomainError::NicInUse {
            nic: nic_id.to_string(),
            vm: vm.to_string(),
        }),
        None => Ok(()),
    }
}

impl NetworkInterface {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::Sku;

    const NET: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network";
    const NIC: &str =
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic1";
    /// An IP configuration of another NIC.
    const OTHER: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic2/ipConfigurations/ipconfig1";

    fn nic_id() -> ResourceId {
        ResourceId::resource("s", "rg", "Microsoft.Network", "networkInterfaces", "nic1")
    }
    fn cfg_id(name: &str) -> String {
        format!("{NIC}/ipConfigurations/{name}")
    }
    fn vnet(name: &str) -> String {
        format!("{NET}/virtualNetworks/{name}")
    }
    fn subnet(vnet_name: &str, name: &str) -> String {
        format!("{}/subnets/{name}", vnet(vnet_name))
    }
    fn pip(name: &str) -> String {
        format!("{NET}/publicIPAddresses/{name}")
    }
    fn pool(lb: &str, name: &str) -> String {
        format!("{NET}/loadBalancers/{lb}/backendAddressPools/{name}")
    }
    fn key(id: &str) -> String {
        ResourceId::parse(id).unwrap().key().to_string()
    }
    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }
    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    /// v1/a: dual stack; v1/b: IPv4 only; v2/c: another network; v3/w: another region.
    fn ctx() -> NicContext {
        let mut c = NicContext {
            max_ip_configs: SEED_MAX_IP_CONFIGS,
            ..Default::default()
        };
        for (v, s, loc, prefixes) in [
            (
                "v1",
                "a",
                "eastus",
                &["10.0.1.0/24", "fd00:db8:0:1::/64"][..],
            ),
            ("v1", "b", "eastus", &["10.0.2.0/24"][..]),
            ("v2", "c", "eastus", &["10.1.0.0/24"][..]),
            ("v3", "w", "westus", &["10.2.0.0/24"][..]),
        ] {
            let id = subnet(v, s);
            c.subnets.insert(
                key(&id),
                SubnetInfo {
                    id: id.clone(),
                    name: s.into(),
                    vnet_key: key(&vnet(v)),
                    location: loc.into(),
                    prefixes: prefixes.iter().map(|p| net(p)).collect(),
                },
            );
        }
        for (name, loc, version, used_by) in [
            ("pip4", "eastus", IpVersion::IPv4, None),
            ("pip6", "eastus", IpVersion::IPv6, None),
            ("busy", "eastus", IpVersion::IPv4, Some(OTHER.to_string())),
            ("west", "westus", IpVersion::IPv4, None),
        ] {
            c.public_ips.insert(
                key(&pip(name)),
                PublicIpInfo {
                    id: pip(name),
                    location: loc.into(),
                    version,
                    sku: Sku::Basic,
                    used_by,
                },
            );
        }
        for (lb, tied) in [("lbfree", None), ("lbv1", Some("v1")), ("lbv2", Some("v2"))] {
            let id = pool(lb, "pool");
            c.pools.insert(
                key(&id),
                PoolInfo {
                    id,
                    location: "eastus".into(),
                    vnet_key: tied.map(|v| key(&vnet(v))),
                },
            );
        }
        c
    }

    fn cfg(name: &str, subnet_id: &str) -> IpConfigSpec {
        IpConfigSpec {
            name: name.into(),
            subnet: Some(ResourceId::parse(subnet_id).unwrap()),
            ..Default::default()
        }
    }
    fn primary(mut c: IpConfigSpec) -> IpConfigSpec {
        c.primary = Some(true);
        c
    }
    fn with_ip(mut c: IpConfigSpec, address: &str) -> IpConfigSpec {
        c.private_ip = Some(address.into());
        c
    }
    fn with_pip(mut c: IpConfigSpec, public_ip: &str) -> IpConfigSpec {
        c.public_ip = Some(ResourceId::parse(public_ip).unwrap());
        c
    }
    fn v6(mut c: IpConfigSpec) -> IpConfigSpec {
        c.version = Some(IpVersion::IPv6);
        c
    }

    fn spec(configs: Vec<IpConfigSpec>) -> NicSpec {
        NicSpec {
            common: CommonSpec {
                location: Some("eastus".into()),
                tags: None,
                extra: Vec::new(),
            },
            ip_configurations: configs,
            ..Default::default()
        }
    }

    fn plan_with(
        ctx: &NicContext,
        existing: Option<&NetworkInterface>,
        configs: Vec<IpConfigSpec>,
    ) -> Result<NicPlan, DomainError> {
        plan_put(&nic_id(), existing, spec(configs), ctx, "guid", "etag2")
    }
    fn plan(configs: Vec<IpConfigSpec>) -> Result<NicPlan, DomainError> {
        plan_with(&ctx(), None, configs)
    }
    fn update(old: &NetworkInterface, configs: Vec<IpConfigSpec>) -> Result<NicPlan, DomainError> {
        plan_with(&ctx(), Some(old), configs)
    }

    /// A NIC as the application stores it once its moves ran: every configuration has the
    /// address given here, and etag `etag1`.
    fn stored(configs: Vec<IpConfigSpec>, addresses: &[&str]) -> NetworkInterface {
        let mut nic = plan_put(&nic_id(), None, spec(configs), &ctx(), "guid", "etag1")
            .unwrap()
            .nic;
        for (c, a) in nic.ip_configurations.iter_mut().zip(addresses) {
            c.private_ip = Some(a.to_string());
        }
        nic
    }

    fn release(subnet_id: &str, prefix: &str, address: &str) -> AddressMove {
        AddressMove::Release {
            subnet_key: key(subnet_id),
            prefix: net(prefix),
            address: ip(address),
        }
    }
    fn allocate(config: usize, name: &str, subnet_id: &str, prefix: &str) -> AddressMove {
        AddressMove::Allocate {
            config,
            subnet_key: key(subnet_id),
            subnet_name: subnet_id.to_string(),
            prefix: net(prefix),
            owner: cfg_id(name),
        }
    }
    fn claim(
        config: usize,
        name: &str,
        subnet_id: &str,
        prefix: &str,
        address: &str,
    ) -> AddressMove {
        AddressMove::Claim {
            config,
            subnet_key: key(subnet_id),
            subnet_name: subnet_id.to_string(),
            prefix: net(prefix),
            address: ip(address),
            owner: cfg_id(name),
        }
    }

    // ---- configurations and the primary ----

    #[test]
    fn a_nic_needs_at_least_one_ip_configuration() {
        let e = plan(vec![]).unwrap_err();
        assert_eq!(
            e.code(),
            "NetworkInterfaceMustHaveAtLeastOneIpConfiguration"
        );
        assert_eq!(
            e.to_string(),
            format!("Network interface {NIC} must have one or more IP configurations.")
        );
    }

    #[test]
    fn a_lone_configuration_is_primary_even_if_flagged_otherwise() {
        let mut c = cfg("ipconfig1", &subnet("v1", "a"));
        c.primary = Some(false);
        let p = plan(vec![c]).unwrap();
        assert!(p.nic.ip_configurations[0].primary);
        assert_eq!(p.nic.primary_config().unwrap().name, "ipconfig1");
    }

    #[test]
    fn several_configurations_without_a_primary_are_refused() {
        let e = plan(vec![
            cfg("ip1", &subnet("v1", "a")),
            cfg("ip2", &subnet("v1", "a")),
        ])
        .unwrap_err();
        assert_eq!(e.code(), "NetworkInterfaceMustHaveOneOneIPConfigAsPrimary");
        assert_eq!(
            e.to_string(),
            format!("Network Interface {NIC} specifies multiple IPConfigurations but none of the IPConfigurations is specified as Primary.")
        );
    }

    #[test]
    fn two_primaries_are_refused() {
        let e = plan(vec![
            primary(cfg("ip1", &subnet("v1", "a"))),
            primary(cfg("ip2", &subnet("v1", "a"))),
        ])
        .unwrap_err();
        assert_eq!(e.code(), "NetworkInterfaceMustHaveOneOneIPConfigAsPrimary");
        assert!(
            e.to_string()
                .contains("multiple IPConfigurations specified as Primary"),
            "{e}"
        );
        assert!(e.to_string().contains(NIC), "{e}");
    }

    #[test]
    fn the_flagged_configuration_is_the_only_primary() {
        let p = plan(vec![
            cfg("ip1", &subnet("v1", "a")),
            primary(cfg("ip2", &subnet("v1", "a"))),
            cfg("ip3", &subnet("v1", "b")),
        ])
        .unwrap();
        let flags: Vec<bool> = p.nic.ip_configurations.iter().map(|c| c.primary).collect();
        assert_eq!(flags, [false, true, false]);
    }

    #[test]
    fn more_configurations_than_the_limit_are_refused() {
        let mut small = ctx();
        small.max_ip_configs = 2;
        let configs: Vec<IpConfigSpec> = (1..=3)
            .map(|i| cfg(&format!("ip{i}"), &subnet("v1", "a")))
            .collect();
        let e = plan_with(&small, None, configs).unwrap_err();
        assert_eq!(e.code(), "IpConfigurationsPerNicLimitReached");
        assert_eq!(
            e.to_string(),
            format!("Network interface {NIC} cannot have more than 2 IP configurations; the request has 3.")
        );
    }

    #[test]
    fn the_seed_limit_is_250_private_addresses_per_nic() {
        // Seed: "You can assign up to 250 private IP addresses to each NIC."
        assert_eq!(SEED_MAX_IP_CONFIGS, 250);
        let configs = |n: usize| -> Vec<IpConfigSpec> {
            (0..n)
                .map(|i| {
                    let c = cfg(&format!("ip{i}"), &subnet("v1", "a"));
                    if i == 0 {
                        primary(c)
                    } else {
                        c
                    }
                })
                .collect()
        };
        let p = plan(configs(250)).unwrap();
        assert_eq!(p.nic.ip_configurations.len(), 250);
        assert_eq!(p.moves.len(), 250);
        let e = plan(configs(251)).unwrap_err();
        assert_eq!(e.code(), "IpConfigurationsPerNicLimitReached");
        assert!(
            e.to_string()
                .contains("cannot have more than 250 IP configurations"),
            "{e}"
        );
    }

    #[test]
    fn duplicate_configuration_names_are_refused_whatever_their_case() {
        let e = plan(vec![
            primary(cfg("ipconfig1", &subnet("v1", "a"))),
            cfg("IPCONFIG1", &subnet("v1", "a")),
        ])
        .unwrap_err();
        assert_eq!(e.code(), "DuplicateResourceName");
        assert_eq!(
            e.to_string(),
            format!("Resource {NIC} has two child resources with the same name (IPCONFIG1).")
        );
    }

    #[test]
    fn the_primary_configuration_must_be_ipv4() {
        let e = plan(vec![v6(cfg("ip1", &subnet("v1", "a")))]).unwrap_err();
        assert_eq!(e.code(), "PrimaryIPConfigurationMustBeIPv4");
        assert_eq!(
            e.to_string(),
            format!(
                "Primary IP configuration {} must be of IPv4 version.",
                cfg_id("ip1")
            )
        );
        // The version follows from a requested IPv6 address too.
        let e = plan(vec![with_ip(
            cfg("ip1", &subnet("v1", "a")),
            "fd00:db8:0:1::10",
        )])
        .unwrap_err();
        assert_eq!(e.code(), "PrimaryIPConfigurationMustBeIPv4");
    }

    #[test]
    fn a_secondary_ipv6_configuration_takes_from_the_ipv6_prefix() {
        let p = plan(vec![
            primary(cfg("ip4", &subnet("v1", "a"))),
            v6(cfg("ip6", &subnet("v1", "a"))),
        ])
        .unwrap();
        assert!(p.nic.has_ipv6());
        assert_eq!(p.nic.ip_configurations[1].version, IpVersion::IPv6);
        assert_eq!(
            p.moves,
            vec![
                allocate(0, "ip4", &subnet("v1", "a"), "10.0.1.0/24"),
                allocate(1, "ip6", &subnet("v1", "a"), "fd00:db8:0:1::/64"),
            ]
        );
    }

    // ---- subnets ----

    #[test]
    fn configurations_in_two_virtual_networks_are_refused() {
        let e = plan(vec![
            primary(cfg("ip1", &subnet("v1", "a"))),
            cfg("ip2", &subnet("v2", "c")),
        ])
        .unwrap_err();
        assert_eq!(e.code(), "IpConfigurationsOfNicInDifferentVnets");
        assert_eq!(
            e.to_string(),
            format!(
                "IPConfigurations on network interface {NIC} cannot belong to different virtual networks: {} and {} are in different virtual networks.",
                subnet("v1", "a"),
                subnet("v2", "c")
            )
        );
    }

    #[test]
    fn configurations_may_use_different_subnets_of_one_network() {
        let p = plan(vec![
            primary(cfg("ip1", &subnet("v1", "a"))),
            cfg("ip2", &subnet("v1", "b")),
        ])
        .unwrap();
        assert_eq!(p.nic.vnet_key(), Some(key(&vnet("v1"))));
    }

    #[test]
    fn a_configuration_needs_a_subnet() {
        let c = IpConfigSpec {
            name: "ip1".into(),
            ..Default::default()
        };
        let e = plan(vec![c]).unwrap_err();
        assert_eq!(e.code(), "SubnetReferenceRequired");
        assert_eq!(
            e.to_string(),
            format!(
                "Subnet reference is required for ipconfiguration {}.",
                cfg_id("ip1")
            )
        );
    }

    #[test]
    fn a_subnet_that_does_not_exist_is_an_invalid_reference_with_a_not_found_detail() {
        let missing = subnet("v1", "nosuch");
        let e = plan(vec![cfg("ip1", &missing)]).unwrap_err();
        assert_eq!(e.code(), "InvalidResourceReference");
        assert_eq!(
            e.to_string(),
            format!("Resource {missing} referenced by resource {} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.", cfg_id("ip1"))
        );
        let details = e.details();
        assert_eq!(details.len(), 1);
        assert_eq!(details[0].code, "NotFound");
        assert_eq!(details[0].message, format!("Resource {missing} not found."));
        assert_eq!(details[0].target.as_deref(), Some(missing.as_str()));
    }

    #[test]
    fn a_subnet_in_another_region_is_an_invalid_reference() {
        let far = subnet("v3", "w");
        let e = plan(vec![cfg("ip1", &far)]).unwrap_err();
        assert_eq!(e.code(), "InvalidResourceReference");
        assert!(
            e.to_string()
                .starts_with(&format!("Resource {far} referenced by resource")),
            "{e}"
        );
        assert_eq!(e.details()[0].code, "NotFound");
    }

    #[test]
    fn a_security_group_must_exist_in_the_nics_region() {
        let nsg = |name: &str| {
            ResourceId::resource(
                "s",
                "rg",
                "Microsoft.Network",
                "networkSecurityGroups",
                name,
            )
        };
        let mut c = ctx();
        c.linked.insert(nsg("here").key().into(), "eastus".into());
        c.linked.insert(nsg("far").key().into(), "westus".into());
        let with_nsg = |name: &str| {
            let mut s = spec(vec![cfg("ip1", &subnet("v1", "a"))]);
            s.network_security_group = Some(nsg(name));
            s
        };
        let p = plan_put(&nic_id(), None, with_nsg("HERE"), &c, "g", "e").unwrap();
        assert_eq!(
            p.nic.network_security_group.as_deref(),
            Some(nsg("HERE").as_str())
        );
        for name in ["far", "nosuch"] {
            let e = plan_put(&nic_id(), None, with_nsg(name), &c, "g", "e").unwrap_err();
            assert_eq!(e.code(), "InvalidResourceReference", "{name}");
            assert!(
                e.to_string().starts_with(&format!(
                    "Resource {} referenced by resource {} was not found.",
                    nsg(name),
                    nic_id()
                )),
                "{e}"
            );
        }
    }

    #[test]
    fn subnet_references_match_case_insensitively() {
        let shouted = subnet("V1", "A").replace("/resourceGroups/", "/RESOURCEGROUPS/");
        let p = plan(vec![cfg("ip1", &shouted)]).unwrap();
        // Kept as the caller spelled the names; ARM's fixed words in ARM's spelling.
        assert_eq!(p.nic.ip_configurations[0].subnet, subnet("V1", "A"));
        assert_eq!(
            p.moves,
            vec![allocate(0, "ip1", &subnet("v1", "a"), "10.0.1.0/24")]
        );
    }

    #[test]
    fn an_ipv6_configuration_needs_an_ipv6_prefix_in_its_subnet() {
        let e = plan(vec![
            primary(cfg("ip1", &subnet("v1", "b"))),
            v6(cfg("ip2", &subnet("v1", "b"))),
        ])
        .unwrap_err();
        assert_eq!(e.code(), "SubnetHasNoAddressPrefixForIpVersion");
        assert_eq!(
            e.to_string(),
            format!(
                "Subnet {} has no IPv6 address prefix, which IP configuration {} needs.",
                subnet("v1", "b"),
                cfg_id("ip2")
            )
        );
    }

    // ---- private addresses as requested ----

    #[test]
    fn a_private_address_must_parse_and_match_the_version() {
        let e = plan(vec![with_ip(cfg("ip1", &subnet("v1", "a")), "10.0.1.300")]).unwrap_err();
        assert_eq!(e.code(), "InvalidPrivateIPAddress");
        assert_eq!(
            e.to_string(),
            format!("Private IP address '10.0.1.300' of IP configuration {} is not a valid IP address of the configuration's version.", cfg_id("ip1"))
        );
        let e = plan(vec![
            primary(cfg("ip1", &subnet("v1", "a"))),
            v6(with_ip(cfg("ip2", &subnet("v1", "a")), "10.0.1.9")),
        ])
        .unwrap_err();
        assert_eq!(e.code(), "InvalidPrivateIPAddress");
        assert!(e.to_string().contains("'10.0.1.9'"), "{e}");
    }

    #[test]
    fn a_new_static_configuration_needs_its_address() {
        let mut c = cfg("ip1", &subnet("v1", "a"));
        c.allocation = Some(Allocation::Static);
        let e = plan(vec![c]).unwrap_err();
        assert_eq!(e.code(), "PrivateIPAddressRequiredForStaticAllocation");
        assert_eq!(
            e.to_string(),
            format!("IP configuration {} has a Static private IP allocation method but no privateIPAddress.", cfg_id("ip1"))
        );
    }

    // ---- public IP addresses ----

    #[test]
    fn a_public_ip_used_by_another_configuration_is_refused() {
        let e = plan(vec![with_pip(cfg("ip1", &subnet("v1", "a")), &pip("busy"))]).unwrap_err();
        assert_eq!(e.code(), "PublicIPAddressInUse");
        assert_eq!(
            e.to_string(),
            format!(
                "Resource {} is referencing public IP address {} that is already allocated to resource {OTHER}.",
                cfg_id("ip1"),
                pip("busy")
            )
        );
    }

    #[test]
    fn a_public_ip_cannot_serve_two_configurations_of_one_nic() {
        let e = plan(vec![
            primary(with_pip(cfg("ip1", &subnet("v1", "a")), &pip("pip4"))),
            with_pip(cfg("ip2", &subnet("v1", "a")), &pip("pip4")),
        ])
        .unwrap_err();
        assert_eq!(e.code(), "PublicIPAddressInUse");
        assert_eq!(
            e.to_string(),
            format!(
                "Resource {} is referencing public IP address {} that is already allocated to resource {}.",
                cfg_id("ip2"),
                pip("pip4"),
                cfg_id("ip1")
            )
        );
    }

    #[test]
    fn a_public_ip_moves_between_configurations_of_one_nic_in_one_put() {
        let mut c = ctx();
        c.public_ips.get_mut(&key(&pip("pip4"))).unwrap().used_by = Some(cfg_id("ip1"));
        let p = plan_put(
            &nic_id(),
            None,
            spec(vec![
                primary(cfg("ip1", &subnet("v1", "a"))),
                with_pip(cfg("ip2", &subnet("v1", "a")), &pip("pip4")),
            ]),
            &c,
            "g",
            "e",
        )
        .unwrap();
        let holder: Vec<_> = p
            .nic
            .ip_configurations
            .iter()
            .filter(|c| c.public_ip.is_some())
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(holder, ["ip2"]);
        // Both keeping it is still refused, naming the one that claimed it first.
        let e = plan_put(
            &nic_id(),
            None,
            spec(vec![
                primary(with_pip(cfg("ip2", &subnet("v1", "a")), &pip("pip4"))),
                with_pip(cfg("ip1", &subnet("v1", "a")), &pip("pip4")),
            ]),
            &c,
            "g",
            "e",
        )
        .unwrap_err();
        assert_eq!(e.code(), "PublicIPAddressInUse");
        assert!(e
            .to_string()
            .ends_with(&format!("allocated to resource {}.", cfg_id("ip2"))));
    }

    #[test]
    fn a_configuration_keeps_the_public_ip_it_already_uses() {
        let mut c = ctx();
        c.public_ips.get_mut(&key(&pip("pip4"))).unwrap().used_by = Some(cfg_id("IPCONFIG1"));
        let p = plan_with(
            &c,
            None,
            vec![with_pip(cfg("ipconfig1", &subnet("v1", "a")), &pip("pip4"))],
        )
        .unwrap();
        assert_eq!(p.nic.ip_configurations[0].public_ip, Some(pip("pip4")));
    }

    #[test]
    fn a_public_ip_of_the_other_version_is_refused() {
        let e = plan(vec![with_pip(cfg("ip1", &subnet("v1", "a")), &pip("pip6"))]).unwrap_err();
        assert_eq!(e.code(), "IpVersionMismatch");
        assert_eq!(
            e.to_string(),
            format!(
                "IP configuration {} and public IP address {} must have the same IP version.",
                cfg_id("ip1"),
                pip("pip6")
            )
        );
        // An IPv6 configuration may have the IPv6 one.
        let p = plan(vec![
            primary(cfg("ip1", &subnet("v1", "a"))),
            with_pip(v6(cfg("ip2", &subnet("v1", "a"))), &pip("pip6")),
        ])
        .unwrap();
        assert_eq!(p.nic.ip_configurations[1].public_ip, Some(pip("pip6")));
    }

    #[test]
    fn a_public_ip_that_does_not_exist_or_is_elsewhere_is_an_invalid_reference() {
        for name in ["nosuch", "west"] {
            let e = plan(vec![with_pip(cfg("ip1", &subnet("v1", "a")), &pip(name))]).unwrap_err();
            assert_eq!(e.code(), "InvalidResourceReference", "{name}");
            assert_eq!(e.details()[0].code, "NotFound");
        }
    }

    // ---- backend pools ----

    #[test]
    fn any_configuration_primary_or_secondary_may_join_a_backend_pool() {
        // Seed: "You can add any IP address for any IP configuration of any primary or
        // secondary network interface to an Azure Load Balancer back-end pool."
        let mut first = primary(cfg("ip1", &subnet("v1", "a")));
        first.pools = vec![
            ResourceId::parse(&pool("lbfree", "pool")).unwrap(),
            ResourceId::parse(&pool("lbv1", "pool")).unwrap(),
        ];
        let mut second = cfg("ip2", &subnet("v1", "b"));
        second.pools = vec![
            ResourceId::parse(&pool("lbv1", "pool")).unwrap(),
            ResourceId::parse(&pool("LBV1", "POOL")).unwrap(),
        ];
        let p = plan(vec![first, second]).unwrap();
        assert_eq!(
            p.nic.ip_configurations[0].pools,
            vec![pool("lbfree", "pool"), pool("lbv1", "pool")]
        );
        // A pool named twice is joined once.
        assert_eq!(p.nic.ip_configurations[1].pools, vec![pool("lbv1", "pool")]);
    }

    #[test]
    fn a_pool_whose_load_balancer_is_tied_to_another_network_is_refused() {
        let mut c = cfg("ip1", &subnet("v1", "a"));
        c.pools = vec![ResourceId::parse(&pool("lbv2", "pool")).unwrap()];
        let e = plan(vec![c]).unwrap_err();
        assert_eq!(e.code(), "BackendAddressPoolInDifferentVnet");
        assert_eq!(
            e.to_string(),
            format!(
                "IP configuration {} cannot join backend address pool {}: its load balancer is tied to another virtual network.",
                cfg_id("ip1"),
                pool("lbv2", "pool")
            )
        );
    }

    #[test]
    fn a_pool_that_does_not_exist_is_an_invalid_reference() {
        let mut c = cfg("ip1", &subnet("v1", "a"));
        c.pools = vec![ResourceId::parse(&pool("lbv1", "nosuch")).unwrap()];
        let e = plan(vec![c]).unwrap_err();
        assert_eq!(e.code(), "InvalidResourceReference");
        assert!(
            e.to_string().starts_with(&format!(
                "Resource {} referenced by resource {}",
                pool("lbv1", "nosuch"),
                cfg_id("ip1")
            )),
            "{e}"
        );
    }

    // ---- updates ----

    #[test]
    fn removing_the_primary_while_another_old_configuration_remains_is_refused() {
        let old = stored(
            vec![
                primary(cfg("ip1", &subnet("v1", "a"))),
                cfg("ip2", &subnet("v1", "a")),
            ],
            &["10.0.1.4", "10.0.1.5"],
        );
        let e = update(&old, vec![cfg("ip2", &subnet("v1", "a"))]).unwrap_err();
        assert_eq!(e.code(), "IpConfigDeleteNotSupported");
        assert_eq!(
            e.to_string(),
            "IP Configuration ip1 cannot be deleted. Deletion and renaming of primary IP Configuration is not supported"
        );
    }

    #[test]
    fn the_primary_flag_may_move_to_another_configuration() {
        let old = stored(
            vec![
                primary(cfg("ip1", &subnet("v1", "a"))),
                cfg("ip2", &subnet("v1", "a")),
            ],
            &["10.0.1.4", "10.0.1.5"],
        );
        let p = update(
            &old,
            vec![
                cfg("ip1", &subnet("v1", "a")),
                primary(cfg("ip2", &subnet("v1", "a"))),
            ],
        )
        .unwrap();
        assert_eq!(p.nic.primary_config().unwrap().name, "ip2");
        assert!(p.moves.is_empty());
    }

    #[test]
    fn location_cannot_change_and_the_mac_address_stays() {
        let mut old = stored(vec![cfg("ip1", &subnet("v1", "a"))], &["10.0.1.4"]);
        old.mac_address = Some("00-0D-3A-00-00-01".into());
        let p = update(&old, vec![cfg("ip1", &subnet("v1", "a"))]).unwrap();
        assert_eq!(p.nic.mac_address.as_deref(), Some("00-0D-3A-00-00-01"));
        assert_eq!(p.nic.common.resource_guid, "guid");

        let mut moved = spec(vec![cfg("ip1", &subnet("v1", "a"))]);
        moved.common.location = Some("westus".into());
        let e = plan_put(&nic_id(), Some(&old), moved, &ctx(), "g", "e").unwrap_err();
        assert_eq!(e.code(), "InvalidResourceLocation");
        assert!(
            e.to_string()
                .starts_with("The resource 'nic1' already exists in location 'eastus'"),
            "{e}"
        );
    }

    // ---- address moves ----

    #[test]
    fn a_new_dynamic_configuration_is_one_allocation() {
        let p = plan(vec![cfg("ip1", &subnet("v1", "a"))]).unwrap();
        assert_eq!(
            p.moves,
            vec![allocate(0, "ip1", &subnet("v1", "a"), "10.0.1.0/24")]
        );
        let c = &p.nic.ip_configurations[0];
        assert_eq!(c.allocation, Allocation::Dynamic);
        assert_eq!(c.version, IpVersion::IPv4);
        assert_eq!(c.private_ip, None);
        assert_eq!(c.etag, "etag2");
    }

    #[test]
    fn a_new_static_configuration_is_one_claim() {
        let p = plan(vec![with_ip(cfg("ip1", &subnet("v1", "a")), "10.0.1.10")]).unwrap();
        assert_eq!(
            p.moves,
            vec![claim(
                0,
                "ip1",
                &subnet("v1", "a"),
                "10.0.1.0/24",
                "10.0.1.10"
            )]
        );
        assert_eq!(p.nic.ip_configurations[0].allocation, Allocation::Static);
    }

    #[test]
    fn an_update_in_the_same_subnet_keeps_the_address() {
        let old = stored(vec![cfg("ip1", &subnet("v1", "a"))], &["10.0.1.4"]);
        let p = update(&old, vec![cfg("ip1", &subnet("v1", "a"))]).unwrap();
        assert!(p.moves.is_empty());
        assert_eq!(
            p.nic.ip_configurations[0].private_ip.as_deref(),
            Some("10.0.1.4")
        );
        assert_eq!(p.nic.ip_configurations[0].etag, "etag1");
    }

    #[test]
    fn dynamic_to_static_keeps_the_address() {
        let old = stored(vec![cfg("ip1", &subnet("v1", "a"))], &["10.0.1.4"]);
        let mut c = cfg("ip1", &subnet("v1", "a"));
        c.allocation = Some(Allocation::Static);
        let p = update(&old, vec![c]).unwrap();
        assert!(p.moves.is_empty());
        let c = &p.nic.ip_configurations[0];
        assert_eq!(c.allocation, Allocation::Static);
        assert_eq!(c.private_ip.as_deref(), Some("10.0.1.4"));
        // Naming the address it already has changes nothing either.
        let p = update(
            &old,
            vec![with_ip(cfg("ip1", &subnet("v1", "a")), "10.0.1.4")],
        )
        .unwrap();
        assert!(p.moves.is_empty());
        assert_eq!(
            p.nic.ip_configurations[0].private_ip.as_deref(),
            Some("10.0.1.4")
        );
    }

    #[test]
    fn a_different_static_address_releases_the_old_one() {
        let old = stored(vec![cfg("ip1", &subnet("v1", "a"))], &["10.0.1.4"]);
        let p = update(
            &old,
            vec![with_ip(cfg("ip1", &subnet("v1", "a")), "10.0.1.20")],
        )
        .unwrap();
        assert_eq!(
            p.moves,
            vec![
                release(&subnet("v1", "a"), "10.0.1.0/24", "10.0.1.4"),
                claim(0, "ip1", &subnet("v1", "a"), "10.0.1.0/24", "10.0.1.20"),
            ]
        );
        assert_eq!(p.nic.ip_configurations[0].private_ip, None);
        assert_eq!(p.nic.ip_configurations[0].etag, "etag2");
    }

    #[test]
    fn changing_subnet_releases_then_allocates() {
        let old = stored(vec![cfg("ip1", &subnet("v1", "a"))], &["10.0.1.4"]);
        let p = update(&old, vec![cfg("ip1", &subnet("v1", "b"))]).unwrap();
        assert_eq!(
            p.moves,
            vec![
                release(&subnet("v1", "a"), "10.0.1.0/24", "10.0.1.4"),
                allocate(0, "ip1", &subnet("v1", "b"), "10.0.2.0/24"),
            ]
        );
        assert_eq!(p.nic.ip_configurations[0].private_ip, None);
        assert_eq!(p.nic.ip_configurations[0].subnet, subnet("v1", "b"));
    }

    #[test]
    fn removing_a_configuration_releases_its_address() {
        let old = stored(
            vec![
                primary(cfg("ip1", &subnet("v1", "a"))),
                cfg("ip2", &subnet("v1", "b")),
            ],
            &["10.0.1.4", "10.0.2.4"],
        );
        let p = update(&old, vec![cfg("ip1", &subnet("v1", "a"))]).unwrap();
        assert_eq!(
            p.moves,
            vec![release(&subnet("v1", "b"), "10.0.2.0/24", "10.0.2.4")]
        );
        assert_eq!(p.nic.ip_configurations.len(), 1);
    }

    #[test]
    fn moves_are_ordered_releases_claims_allocations() {
        let a = subnet("v1", "a");
        let b = subnet("v1", "b");
        let old = stored(
            vec![primary(cfg("ip1", &a)), cfg("ip2", &a), cfg("ip3", &a)],
            &["10.0.1.4", "10.0.1.5", "10.0.1.6"],
        );
        let p = update(
            &old,
            vec![
                primary(cfg("ip1", &a)),
                cfg("ip2", &b),
                // Takes the address ip2 gives up in the same request.
                with_ip(cfg("ip4", &a), "10.0.1.5"),
            ],
        )
        .unwrap();
        assert_eq!(
            p.moves,
            vec![
                release(&a, "10.0.1.0/24", "10.0.1.5"),
                release(&a, "10.0.1.0/24", "10.0.1.6"),
                claim(2, "ip4", &a, "10.0.1.0/24", "10.0.1.5"),
                allocate(1, "ip2", &b, "10.0.2.0/24"),
            ]
        );
        let orders: Vec<u8> = p.moves.iter().map(AddressMove::order).collect();
        assert!(orders.windows(2).all(|w| w[0] <= w[1]), "{orders:?}");
    }

    // ---- delete ----

    #[test]
    fn a_nic_attached_to_a_vm_cannot_be_deleted() {
        let vm =
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1";
        let e = check_delete(&nic_id(), Some(vm)).unwrap_err();
        assert_eq!(e.code(), "NicInUse");
        assert_eq!(
            e.to_string(),
            format!("Network Interface {NIC} is used by existing resource {vm}. In order to delete the network interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic.")
        );
        check_delete(&nic_id(), None).unwrap();
    }

    #[test]
    fn deleting_a_nic_releases_every_address() {
        let nic = stored(
            vec![
                primary(cfg("ip1", &subnet("v1", "a"))),
                v6(cfg("ip2", &subnet("v1", "a"))),
                cfg("ip3", &subnet("v1", "b")),
            ],
            &["10.0.1.4", "fd00:db8:0:1::4", "10.0.2.4"],
        );
        assert_eq!(
            releases_on_delete(&nic, &ctx()),
            vec![
                release(&subnet("v1", "a"), "10.0.1.0/24", "10.0.1.4"),
                release(&subnet("v1", "a"), "fd00:db8:0:1::/64", "fd00:db8:0:1::4"),
                release(&subnet("v1", "b"), "10.0.2.0/24", "10.0.2.4"),
            ]
        );
    }
}
