//! What rewriting a subnet's address prefixes does to the addresses allocated in it: the one
//! rule every path that rewrites prefixes goes through (subnet PUT, virtual network PUT with
//! inline subnets or without any, subnet and virtual network DELETE, and so group deletion
//! and template deployments, which reach the same use cases).
//!
//! A subnet has at most one IPv4 and one IPv6 prefix, and each has its own address book.
//! Each IP version is judged on its own:
//! - a prefix that keeps its value (however it is spelled) keeps its addresses;
//! - a prefix may be added at any time: Azure adds IPv6 to a subnet in use in place, and the
//!   IPv4 addresses stay where they are;
//! - a prefix that goes away or changes must hold no address. Azure refuses any change of an
//!   in-use prefix, widening included ("If any resources exist in the subnet, you must
//!   either move the resources to another subnet, or delete them", and the answer is
//!   `InUsePrefixCannotBeDeleted` naming the old prefix); only a subnet with several
//!   prefixes of one version, which cerulean does not model, avoids that.
//!
//! The address books of the prefixes that go are forgotten by the caller.

use super::vnet::Subnet;
use super::IpVersion;
use crate::error::DomainError;
use ipnet::IpNet;

/// Who holds addresses of a subnet, per IP version: the id of one IP configuration holding
/// an address of the subnet's prefix of that version, if any.
pub trait SubnetUsers {
    fn holder(&self, subnet_name: &str, version: IpVersion) -> Option<String>;
}

impl<F: Fn(&str, IpVersion) -> Option<String>> SubnetUsers for F {
    fn holder(&self, subnet_name: &str, version: IpVersion) -> Option<String> {
        self(subnet_name, version)
    }
}

/// A prefix that left its subnet: its address book (which holds nothing) is to be forgotten.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleasedPrefix {
    /// The subnet's name as stored.
    pub subnet: String,
    pub prefix: IpNet,
}

const VERSIONS: [IpVersion; 2] = [IpVersion::IPv4, IpVersion::IPv6];

fn prefix_of(subnet: &Subnet, version: IpVersion) -> Option<IpNet> {
    subnet.prefix_for(version == IpVersion::IPv6)
}

/// Judges the rewrite of subnet `old` into `new` (`None`: the subnet is deleted) against
/// who holds its addresses, and returns the prefixes that go. See the module comment.
pub fn rewrite_subnet_prefixes(
    old: &Subnet,
    new: Option<&Subnet>,
    users: &dyn SubnetUsers,
) -> Result<Vec<ReleasedPrefix>, DomainError> {
    let mut released = Vec::new();
    for version in VERSIONS {
        let Some(before) = prefix_of(old, version) else {
            // Nothing was allocated in a version the subnet did not have.
            continue;
        };
        if new.and_then(|n| prefix_of(n, version)) == Some(before) {
            continue;
        }
        if let Some(user) = users.holder(&old.name, version) {
            return Err(match new {
                None => DomainError::InUseSubnetCannotBeDeleted {
                    subnet: old.name.clone(),
                    user,
                },
                Some(_) => DomainError::InUsePrefixCannotBeDeleted {
                    prefix: before.to_string(),
                    subnet: old.name.clone(),
                },
            });
        }
        released.push(ReleasedPrefix {
            subnet: old.name.clone(),
            prefix: before,
        });
    }
    Ok(released)
}

/// Whether two prefix lists name the same prefixes, whatever their order.
pub fn same_prefixes(a: &Subnet, b: &Subnet) -> bool {
    VERSIONS
        .iter()
        .all(|v| prefix_of(a, *v) == prefix_of(b, *v))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NIC_V4: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n1/ipConfigurations/v4";
    const NIC_V6: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n1/ipConfigurations/v6";

    fn subnet(prefixes: &[&str]) -> Subnet {
        Subnet {
            name: "web".into(),
            address_prefixes: prefixes.iter().map(|p| p.to_string()).collect(),
            network_security_group: None,
            route_table: None,
            etag: "e".into(),
            extra: Vec::new(),
        }
    }

    fn p(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    fn nobody(_: &str, _: IpVersion) -> Option<String> {
        None
    }

    fn ipv4_held(_: &str, v: IpVersion) -> Option<String> {
        (v == IpVersion::IPv4).then(|| NIC_V4.to_string())
    }

    fn ipv6_held(_: &str, v: IpVersion) -> Option<String> {
        (v == IpVersion::IPv6).then(|| NIC_V6.to_string())
    }

    fn released(prefixes: &[&str]) -> Vec<ReleasedPrefix> {
        prefixes
            .iter()
            .map(|x| ReleasedPrefix {
                subnet: "web".into(),
                prefix: p(x),
            })
            .collect()
    }

    #[test]
    fn adding_ipv6_to_a_subnet_in_use_keeps_every_ipv4_address() {
        let old = subnet(&["10.0.0.0/24"]);
        let new = subnet(&["10.0.0.0/24", "fd00::/64"]);
        assert_eq!(
            rewrite_subnet_prefixes(&old, Some(&new), &ipv4_held).unwrap(),
            vec![]
        );
    }

    #[test]
    fn the_order_of_the_prefixes_is_no_change() {
        let old = subnet(&["10.0.0.0/24", "fd00::/64"]);
        let new = subnet(&["fd00::/64", "10.0.0.0/24"]);
        let both = |_: &str, v: IpVersion| Some(format!("{v:?}"));
        assert_eq!(
            rewrite_subnet_prefixes(&old, Some(&new), &both).unwrap(),
            vec![]
        );
        assert!(same_prefixes(&old, &new));
        assert!(!same_prefixes(&old, &subnet(&["10.0.0.0/24"])));
    }

    #[test]
    fn removing_an_unused_ipv6_prefix_is_allowed_while_ipv4_is_in_use() {
        let old = subnet(&["10.0.0.0/24", "fd00::/64"]);
        let new = subnet(&["10.0.0.0/24"]);
        assert_eq!(
            rewrite_subnet_prefixes(&old, Some(&new), &ipv4_held).unwrap(),
            released(&["fd00::/64"])
        );
    }

    #[test]
    fn removing_an_ipv6_prefix_that_holds_addresses_is_refused() {
        let old = subnet(&["10.0.0.0/24", "fd00::/64"]);
        let new = subnet(&["10.0.0.0/24"]);
        let e = rewrite_subnet_prefixes(&old, Some(&new), &ipv6_held).unwrap_err();
        assert_eq!(e.code(), "InUsePrefixCannotBeDeleted");
        assert_eq!(
            e.to_string(),
            "IpPrefix fd00::/64 on Subnet web has active allocations and cannot be deleted."
        );
    }

    #[test]
    fn changing_an_ipv4_prefix_in_use_is_refused_even_when_it_widens() {
        let old = subnet(&["10.0.0.0/24"]);
        for changed in ["10.0.0.0/23", "10.0.1.0/24", "10.0.0.0/25"] {
            let new = subnet(&[changed]);
            let e = rewrite_subnet_prefixes(&old, Some(&new), &ipv4_held).unwrap_err();
            assert_eq!(e.code(), "InUsePrefixCannotBeDeleted", "{changed}");
            assert_eq!(
                e.to_string(),
                "IpPrefix 10.0.0.0/24 on Subnet web has active allocations and cannot be deleted."
            );
        }
        // IPv6 addresses do not pin the IPv4 prefix.
        let new = subnet(&["10.0.0.0/23", "fd00::/64"]);
        let old = subnet(&["10.0.0.0/24", "fd00::/64"]);
        assert_eq!(
            rewrite_subnet_prefixes(&old, Some(&new), &ipv6_held).unwrap(),
            released(&["10.0.0.0/24"])
        );
    }

    #[test]
    fn an_unused_subnet_may_change_or_drop_anything() {
        let old = subnet(&["10.0.0.0/24", "fd00::/64"]);
        let new = subnet(&["10.0.4.0/22", "fd00:0:0:1::/64"]);
        assert_eq!(
            rewrite_subnet_prefixes(&old, Some(&new), &nobody).unwrap(),
            released(&["10.0.0.0/24", "fd00::/64"])
        );
        assert_eq!(
            rewrite_subnet_prefixes(&old, None, &nobody).unwrap(),
            released(&["10.0.0.0/24", "fd00::/64"])
        );
    }

    #[test]
    fn deleting_a_subnet_with_addresses_of_either_version_is_refused() {
        let old = subnet(&["10.0.0.0/24", "fd00::/64"]);
        for (users, user) in [
            (&ipv4_held as &dyn SubnetUsers, NIC_V4),
            (&ipv6_held as &dyn SubnetUsers, NIC_V6),
        ] {
            let e = rewrite_subnet_prefixes(&old, None, users).unwrap_err();
            assert_eq!(e.code(), "InUseSubnetCannotBeDeleted");
            assert_eq!(
                e.to_string(),
                format!("Subnet web is in use by {user} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.")
            );
        }
    }
}
