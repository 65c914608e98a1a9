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
    /// Unmodelled properties as sent, `(property, JSON text)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<(String, String)>,
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
        extra: spec.extra.clone(),
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
        // Only a prefix that goes away can take addresses with it; adding one (dual stack)
        // is not a change the users mind.
        Some(n) => old
            .address_prefixes
            .iter()
            .any(|p| !n.address_prefixes.contains(p)),
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
            if built.address_prefixes == old.address_prefixes
                && built.network_security_group == old.network_security_group
                && built.route_table == old.route_table
            {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorClass;

    const VNET: &str =
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v";
    const USER: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic1/ipConfigurations/ipconfig1";

    fn vnet_id() -> ResourceId {
        ResourceId::resource("s", "rg", "Microsoft.Network", "virtualNetworks", "v")
    }

    fn no_users(_: &str) -> Option<String> {
        None
    }

    /// `web` has an IP configuration in it; no other subnet has.
    fn web_in_use(subnet: &str) -> Option<String> {
        subnet.eq_ignore_ascii_case("web").then(|| USER.to_string())
    }

    fn subnet(name: &str, prefixes: &[&str]) -> SubnetSpec {
        SubnetSpec {
            name: name.into(),
            address_prefixes: prefixes.iter().map(|p| p.to_string()).collect(),
            ..Default::default()
        }
    }

    fn spec_in(location: &str, space: &[&str], subnets: Option<Vec<SubnetSpec>>) -> VnetSpec {
        VnetSpec {
            common: CommonSpec {
                location: Some(location.into()),
                tags: None,
                extra: Vec::new(),
            },
            address_prefixes: space.iter().map(|p| p.to_string()).collect(),
            dns_servers: Vec::new(),
            subnets,
        }
    }

    fn spec(space: &[&str], subnets: Vec<SubnetSpec>) -> VnetSpec {
        spec_in("eastus", space, Some(subnets))
    }

    fn create(subnets: Vec<SubnetSpec>) -> Result<VirtualNetwork, DomainError> {
        put_vnet(
            &vnet_id(),
            None,
            spec(&["10.0.0.0/16"], subnets),
            &no_users,
            "guid1",
            "etag1",
        )
    }

    /// A stored network with subnets `web` (10.0.1.0/24, in use) and `db` (10.0.2.0/24).
    fn stored() -> VirtualNetwork {
        create(vec![
            subnet("web", &["10.0.1.0/24"]),
            subnet("db", &["10.0.2.0/24"]),
        ])
        .unwrap()
    }

    fn update(
        old: &VirtualNetwork,
        subnets: Option<Vec<SubnetSpec>>,
    ) -> Result<VirtualNetwork, DomainError> {
        put_vnet(
            &vnet_id(),
            Some(old),
            spec_in("eastus", &["10.0.0.0/16"], subnets),
            &web_in_use,
            "guid2",
            "etag2",
        )
    }

    #[test]
    fn put_vnet_creates_the_network_with_its_subnets() {
        let v = create(vec![
            subnet("web", &["10.0.1.0/24"]),
            subnet("db", &["10.0.2.0/29"]),
        ])
        .unwrap();
        assert_eq!(v.common.name, "v");
        assert_eq!(v.common.location, "eastus");
        assert_eq!(v.common.resource_guid, "guid1");
        assert_eq!(v.address_prefixes, vec!["10.0.0.0/16"]);
        let names: Vec<&str> = v.subnets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["web", "db"]);
        assert_eq!(
            v.subnet("WEB").unwrap().address_prefixes,
            vec!["10.0.1.0/24"]
        );
        assert_eq!(v.subnet("db").unwrap().etag, "etag1");
        assert!(v.subnet("app").is_none());
    }

    #[test]
    fn subnet_outside_the_address_space_is_refused() {
        let e = create(vec![subnet("web", &["10.1.0.0/24"])]).unwrap_err();
        assert_eq!(e.code(), "NetcfgSubnetRangeOutsideVnet");
        assert_eq!(
            e.to_string(),
            "Subnet 'web' is not valid because its IP address range is outside the IP address range of virtual network 'v'."
        );
    }

    #[test]
    fn overlapping_subnets_are_refused() {
        let e = create(vec![
            subnet("web", &["10.0.0.0/24"]),
            subnet("app", &["10.0.0.128/25"]),
        ])
        .unwrap_err();
        assert_eq!(e.code(), "NetcfgSubnetRangesOverlap");
        assert_eq!(
            e.to_string(),
            "Subnet 'app' is not valid because its IP address range overlaps with that of an existing subnet in virtual network 'v'."
        );
        assert_eq!(
            e,
            DomainError::NetcfgSubnetRangesOverlap {
                subnet: "app".into(),
                vnet: "v".into(),
                other: "web".into(),
            }
        );
    }

    #[test]
    fn a_slash_30_subnet_is_too_small() {
        let e = create(vec![subnet("tiny", &["10.0.0.0/30"])]).unwrap_err();
        assert_eq!(e.code(), "NetcfgInvalidSubnet");
        assert_eq!(
            e.to_string(),
            "Subnet 'tiny' is not valid in virtual network 'v'."
        );
    }

    #[test]
    fn malformed_subnet_prefix_names_the_subnet() {
        let e = create(vec![subnet("web", &["10.0.1.0"])]).unwrap_err();
        assert_eq!(e.code(), "InvalidAddressPrefixFormat");
        assert_eq!(
            e.to_string(),
            format!("Address prefix 10.0.1.0 of resource {VNET}/subnets/web is not formatted correctly. It should follow CIDR notation, for example 10.0.0.0/24.")
        );
    }

    #[test]
    fn malformed_vnet_prefix_names_the_vnet() {
        let e = put_vnet(
            &vnet_id(),
            None,
            spec(&["10.0.0.0/xx"], vec![]),
            &no_users,
            "g",
            "e",
        )
        .unwrap_err();
        assert_eq!(e.code(), "InvalidAddressPrefixFormat");
        assert!(
            e.to_string().starts_with(&format!(
                "Address prefix 10.0.0.0/xx of resource {VNET} is not formatted correctly."
            )),
            "{e}"
        );
    }

    #[test]
    fn subnet_without_a_prefix_is_refused() {
        let e = create(vec![subnet("web", &[])]).unwrap_err();
        assert_eq!(e.code(), "InvalidParameter");
        assert_eq!(
            e.to_string(),
            format!("Subnet {VNET}/subnets/web must have an addressPrefix or addressPrefixes.")
        );
        assert_eq!(e.target().as_deref(), Some("addressPrefix"));
    }

    #[test]
    fn duplicate_subnet_names_are_refused_whatever_their_case() {
        let e = create(vec![
            subnet("web", &["10.0.1.0/24"]),
            subnet("Web", &["10.0.2.0/24"]),
        ])
        .unwrap_err();
        assert_eq!(e.code(), "DuplicateResourceName");
        assert_eq!(
            e.to_string(),
            format!("Resource {VNET} has two child resources with the same name (Web).")
        );
    }

    #[test]
    fn invalid_subnet_name_is_refused() {
        let e = create(vec![subnet("web-", &["10.0.1.0/24"])]).unwrap_err();
        assert_eq!(e.code(), "InvalidResourceName");
        assert!(
            e.to_string().starts_with("Resource name web- is invalid."),
            "{e}"
        );
    }

    #[test]
    fn dual_stack_subnet_is_accepted() {
        let v = put_vnet(
            &vnet_id(),
            None,
            spec(
                &["10.0.0.0/16", "fd00:db8::/48"],
                vec![subnet("web", &["10.0.1.0/24", "fd00:db8:0:1::/64"])],
            ),
            &no_users,
            "g",
            "e",
        )
        .unwrap();
        let web = v.subnet("web").unwrap();
        assert_eq!(
            web.address_prefixes,
            vec!["10.0.1.0/24", "fd00:db8:0:1::/64"]
        );
        assert_eq!(web.prefix_for(false), Some("10.0.1.0/24".parse().unwrap()));
        assert_eq!(
            web.prefix_for(true),
            Some("fd00:db8:0:1::/64".parse().unwrap())
        );
    }

    #[test]
    fn ipv6_subnet_must_be_a_slash_64() {
        let e = put_vnet(
            &vnet_id(),
            None,
            spec(
                &["10.0.0.0/16", "fd00:db8::/48"],
                vec![subnet("web", &["10.0.1.0/24", "fd00:db8::/56"])],
            ),
            &no_users,
            "g",
            "e",
        )
        .unwrap_err();
        assert_eq!(e.code(), "NetcfgInvalidSubnet");
    }

    #[test]
    fn two_ipv4_prefixes_in_one_subnet_are_refused() {
        let e = create(vec![subnet("web", &["10.0.1.0/24", "10.0.2.0/24"])]).unwrap_err();
        assert_eq!(e.code(), "InvalidParameter");
        assert_eq!(
            e.to_string(),
            format!(
                "Subnet {VNET}/subnets/web may have at most one IPv4 and one IPv6 address prefix."
            )
        );
        assert_eq!(e.target().as_deref(), Some("addressPrefixes"));
    }

    #[test]
    fn location_cannot_change() {
        let old = stored();
        let e = put_vnet(
            &vnet_id(),
            Some(&old),
            spec_in("westus", &["10.0.0.0/16"], None),
            &no_users,
            "g",
            "e",
        )
        .unwrap_err();
        assert_eq!(e.code(), "InvalidResourceLocation");
        assert_eq!(e.class(), ErrorClass::Conflict);
        assert_eq!(
            e.to_string(),
            "The resource 'v' already exists in location 'eastus' in resource group 'rg'. A resource with the same name cannot be created in location 'westus'. Please select a new resource name."
        );
        // The display name of the same region is no change.
        let same = put_vnet(
            &vnet_id(),
            Some(&old),
            spec_in("East US", &["10.0.0.0/16"], None),
            &no_users,
            "g",
            "e",
        )
        .unwrap();
        assert_eq!(same.common.location, "eastus");
        assert_eq!(same.common.resource_guid, "guid1");
    }

    #[test]
    fn omitting_subnets_removes_unused_ones() {
        let old = stored();
        let v = put_vnet(
            &vnet_id(),
            Some(&old),
            spec_in("eastus", &["10.0.0.0/16"], None),
            &no_users,
            "g",
            "e",
        )
        .unwrap();
        assert!(v.subnets.is_empty());
    }

    #[test]
    fn omitting_subnets_refuses_to_remove_one_in_use_and_names_its_user() {
        let e = update(&stored(), None).unwrap_err();
        assert_eq!(e.code(), "InUseSubnetCannotBeDeleted");
        assert_eq!(
            e.to_string(),
            format!("Subnet web is in use by {USER} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.")
        );
    }

    #[test]
    fn leaving_out_an_unused_subnet_removes_it_and_keeps_the_rest() {
        let v = update(&stored(), Some(vec![subnet("web", &["10.0.1.0/24"])])).unwrap();
        let names: Vec<&str> = v.subnets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["web"]);
    }

    #[test]
    fn changing_the_prefix_of_an_in_use_subnet_is_refused() {
        let e = update(
            &stored(),
            Some(vec![
                subnet("web", &["10.0.4.0/24"]),
                subnet("db", &["10.0.2.0/24"]),
            ]),
        )
        .unwrap_err();
        assert_eq!(e.code(), "InUsePrefixCannotBeDeleted");
        assert_eq!(
            e.to_string(),
            "IpPrefix 10.0.1.0/24 on Subnet web has active allocations and cannot be deleted."
        );
    }

    #[test]
    fn adding_an_ipv6_prefix_to_an_in_use_subnet_keeps_its_ipv4_prefix() {
        let old = put_vnet(
            &vnet_id(),
            None,
            spec(
                &["10.0.0.0/16", "fd00:db8::/48"],
                vec![subnet("web", &["10.0.1.0/24"])],
            ),
            &no_users,
            "g",
            "etag1",
        )
        .unwrap();
        let v = put_vnet(
            &vnet_id(),
            Some(&old),
            spec(
                &["10.0.0.0/16", "fd00:db8::/48"],
                vec![subnet("web", &["10.0.1.0/24", "fd00:db8:0:1::/64"])],
            ),
            &web_in_use,
            "g",
            "etag2",
        )
        .unwrap();
        assert_eq!(
            v.subnet("web").unwrap().address_prefixes,
            vec!["10.0.1.0/24", "fd00:db8:0:1::/64"]
        );
        // Dropping it again removes a prefix the users may hold.
        let e = put_vnet(
            &vnet_id(),
            Some(&v),
            spec(
                &["10.0.0.0/16", "fd00:db8::/48"],
                vec![subnet("web", &["10.0.1.0/24"])],
            ),
            &web_in_use,
            "g",
            "etag3",
        )
        .unwrap_err();
        assert_eq!(e.code(), "InUsePrefixCannotBeDeleted");
        assert_eq!(
            e.to_string(),
            "IpPrefix fd00:db8:0:1::/64 on Subnet web has active allocations and cannot be deleted."
        );
    }

    #[test]
    fn unused_subnet_may_change_its_prefix() {
        let v = update(
            &stored(),
            Some(vec![
                subnet("web", &["10.0.1.0/24"]),
                subnet("db", &["10.0.8.0/22"]),
            ]),
        )
        .unwrap();
        assert_eq!(
            v.subnet("db").unwrap().address_prefixes,
            vec!["10.0.8.0/22"]
        );
        assert_eq!(v.subnet("db").unwrap().etag, "etag2");
    }

    #[test]
    fn etags_are_kept_for_unchanged_subnets_only() {
        let old = stored();
        let v = update(
            &old,
            Some(vec![
                subnet("web", &["10.0.1.0/24"]),
                subnet("db", &["10.0.3.0/24"]),
                subnet("app", &["10.0.4.0/24"]),
            ]),
        )
        .unwrap();
        assert_eq!(v.subnet("web").unwrap().etag, "etag1");
        assert_eq!(v.subnet("db").unwrap().etag, "etag2");
        assert_eq!(v.subnet("app").unwrap().etag, "etag2");
        assert_eq!(v.common.resource_guid, "guid1");
    }

    #[test]
    fn a_subnet_whose_security_group_changes_gets_a_new_etag() {
        let old = stored();
        let mut web = subnet("web", &["10.0.1.0/24"]);
        web.network_security_group = Some(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg".into(),
        );
        let v = update(&old, Some(vec![web, subnet("db", &["10.0.2.0/24"])])).unwrap();
        assert_eq!(v.subnet("web").unwrap().etag, "etag2");
        assert_eq!(v.subnet("db").unwrap().etag, "etag1");
    }

    #[test]
    fn an_update_keeps_the_stored_spelling_of_a_subnet_name() {
        let v = update(
            &stored(),
            Some(vec![
                subnet("WEB", &["10.0.1.0/24"]),
                subnet("db", &["10.0.2.0/24"]),
            ]),
        )
        .unwrap();
        assert_eq!(v.subnets[0].name, "web");
        assert_eq!(v.subnets[0].etag, "etag1");
    }

    #[test]
    fn shrinking_the_address_space_away_from_a_subnet_is_refused() {
        let e = put_vnet(
            &vnet_id(),
            Some(&stored()),
            spec(
                &["10.0.2.0/24"],
                vec![
                    subnet("web", &["10.0.1.0/24"]),
                    subnet("db", &["10.0.2.0/24"]),
                ],
            ),
            &no_users,
            "g",
            "e",
        )
        .unwrap_err();
        assert_eq!(e.code(), "NetcfgSubnetRangeOutsideVnet");
        assert!(
            e.to_string().starts_with("Subnet 'web' is not valid"),
            "{e}"
        );
    }

    #[test]
    fn put_subnet_reports_create_then_update() {
        let v = stored();
        let (v, created) = put_subnet(
            &vnet_id(),
            &v,
            subnet("app", &["10.0.3.0/24"]),
            &no_users,
            "etag2",
        )
        .unwrap();
        assert!(created);
        assert_eq!(v.subnets.len(), 3);
        assert_eq!(v.subnet("app").unwrap().etag, "etag2");

        let (v, created) = put_subnet(
            &vnet_id(),
            &v,
            subnet("APP", &["10.0.3.0/25"]),
            &no_users,
            "etag3",
        )
        .unwrap();
        assert!(!created);
        assert_eq!(v.subnets.len(), 3);
        let app = v.subnet("app").unwrap();
        assert_eq!(app.name, "app");
        assert_eq!(app.address_prefixes, vec!["10.0.3.0/25"]);
        assert_eq!(app.etag, "etag3");
    }

    #[test]
    fn put_subnet_checks_siblings_and_address_space() {
        let v = stored();
        let e = put_subnet(
            &vnet_id(),
            &v,
            subnet("app", &["10.0.2.0/23"]),
            &no_users,
            "e",
        )
        .unwrap_err();
        assert_eq!(e.code(), "NetcfgSubnetRangesOverlap");
        assert!(e
            .to_string()
            .starts_with("Subnet 'app' is not valid because its IP address range overlaps"));

        let e = put_subnet(
            &vnet_id(),
            &v,
            subnet("app", &["192.168.0.0/24"]),
            &no_users,
            "e",
        )
        .unwrap_err();
        assert_eq!(e.code(), "NetcfgSubnetRangeOutsideVnet");

        // A subnet may grow over its own old range.
        let (v, created) = put_subnet(
            &vnet_id(),
            &v,
            subnet("db", &["10.0.2.0/23"]),
            &no_users,
            "e",
        )
        .unwrap();
        assert!(!created);
        assert_eq!(
            v.subnet("db").unwrap().address_prefixes,
            vec!["10.0.2.0/23"]
        );
    }

    #[test]
    fn put_subnet_refuses_to_change_the_prefix_of_an_in_use_subnet() {
        let v = stored();
        let e = put_subnet(
            &vnet_id(),
            &v,
            subnet("web", &["10.0.5.0/24"]),
            &web_in_use,
            "e",
        )
        .unwrap_err();
        assert_eq!(e.code(), "InUsePrefixCannotBeDeleted");
        assert_eq!(
            e.to_string(),
            "IpPrefix 10.0.1.0/24 on Subnet web has active allocations and cannot be deleted."
        );
        // Same prefix, other settings: allowed while in use.
        let mut web = subnet("web", &["10.0.1.0/24"]);
        web.route_table = Some(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt".into(),
        );
        let (v, created) = put_subnet(&vnet_id(), &v, web, &web_in_use, "e").unwrap();
        assert!(!created);
        assert!(v.subnet("web").unwrap().route_table.is_some());
    }

    #[test]
    fn delete_subnet_refuses_one_in_use() {
        let v = stored();
        let e = delete_subnet(&v, "Web", &web_in_use).unwrap_err();
        assert_eq!(e.code(), "InUseSubnetCannotBeDeleted");
        assert!(
            e.to_string().starts_with(&format!(
                "Subnet web is in use by {USER} and cannot be deleted."
            )),
            "{e}"
        );

        let next = delete_subnet(&v, "DB", &web_in_use).unwrap().unwrap();
        assert!(next.subnet("db").is_none());
        assert!(next.subnet("web").is_some());

        assert_eq!(delete_subnet(&v, "nosuch", &web_in_use).unwrap(), None);
    }

    #[test]
    fn delete_vnet_refuses_while_any_subnet_is_in_use() {
        let v = stored();
        let e = delete_vnet(&v, &web_in_use).unwrap_err();
        assert_eq!(e.code(), "InUseSubnetCannotBeDeleted");
        assert!(e.to_string().contains(USER), "{e}");
        delete_vnet(&v, &no_users).unwrap();
    }
}
