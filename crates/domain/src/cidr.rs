//! Address prefixes of virtual networks and subnets, checked the way Microsoft.Network checks
//! them, so a request Azure refuses is refused here with the same code and message.

use crate::error::DomainError;
use ipnet::{IpNet, Ipv4Net};
use std::net::Ipv4Addr;

/// Smallest IPv4 subnet Azure accepts: a /29 leaves three usable addresses after the five
/// reserved ones.
pub const MAX_IPV4_SUBNET_PREFIX_LEN: u8 = 29;
/// Azure's IPv6 subnets are always /64, never larger or smaller.
pub const IPV6_SUBNET_PREFIX_LEN: u8 = 64;

/// Ranges Azure refuses anywhere in a virtual network's address space.
pub const FORBIDDEN_RANGES: [Ipv4Net; 5] = [
    net(224, 0, 0, 0, 4),
    net(255, 255, 255, 255, 32),
    net(127, 0, 0, 0, 8),
    net(169, 254, 0, 0, 16),
    net(168, 63, 129, 16, 32),
];

const fn net(a: u8, b: u8, c: u8, d: u8, len: u8) -> Ipv4Net {
    match Ipv4Net::new(Ipv4Addr::new(a, b, c, d), len) {
        Ok(n) => n,
        Err(_) => panic!("prefix length out of range"),
    }
}

/// Parses one address prefix as written in a request body. `resource` is the id of the
/// virtual network or subnet it belongs to, which Azure names in both messages.
///
/// Host bits must be clear: Azure refuses `10.0.0.1/24` rather than silently truncating it,
/// and tells the caller the prefix it meant.
pub fn parse_prefix(s: &str, resource: &str) -> Result<IpNet, DomainError> {
    let malformed = || DomainError::InvalidAddressPrefixFormat {
        prefix: s.to_string(),
        resource: resource.to_string(),
    };
    // The parser takes `fd00::/064` but not `10.0.0.0/024`: one spelling of a length is
    // kept for both families (GUESS: Azure's answer to a padded length is not known).
    if s.rsplit_once('/')
        .is_some_and(|(_, len)| len.len() > 1 && len.starts_with('0'))
    {
        return Err(malformed());
    }
    let parsed: IpNet = s.parse().map_err(|_| malformed())?;
    let canonical = parsed.trunc();
    if canonical != parsed {
        return Err(DomainError::InvalidCIDRNotation {
            prefix: s.to_string(),
            resource: resource.to_string(),
            expected: canonical.to_string(),
        });
    }
    Ok(parsed)
}

/// Two CIDR blocks either nest or are disjoint, so containment of either network address
/// decides overlap.
pub fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}

/// The address space of virtual network `vnet` (its name, as Azure's messages use it).
pub fn validate_vnet_address_space(vnet: &str, prefixes: &[IpNet]) -> Result<(), DomainError> {
    if prefixes.is_empty() {
        return Err(DomainError::InvalidParameter {
            // GUESS: Azure's wording for an empty address space is not confirmed.
            message: format!(
                "Virtual network '{vnet}' must have at least one address prefix in its address space."
            ),
            target: Some("properties.addressSpace.addressPrefixes".into()),
        });
    }
    for prefix in prefixes {
        if let IpNet::V4(v4) = prefix {
            let as_net = IpNet::V4(*v4);
            if let Some(reserved) = FORBIDDEN_RANGES
                .iter()
                .find(|r| overlaps(&as_net, &IpNet::V4(**r)))
            {
                return Err(DomainError::VnetAddressPrefixInReservedRange {
                    vnet: vnet.to_string(),
                    prefix: prefix.to_string(),
                    reserved: reserved.to_string(),
                });
            }
        }
    }
    // A handful of prefixes per network: the quadratic pass is cheaper than sorting.
    for (i, a) in prefixes.iter().enumerate() {
        if let Some(b) = prefixes[i + 1..].iter().find(|b| overlaps(a, b)) {
            return Err(DomainError::VnetAddressSpacesOverlap {
                vnet: vnet.to_string(),
                first: a.to_string(),
                second: b.to_string(),
            });
        }
    }
    Ok(())
}

/// Checks one prefix of subnet `subnet_name` against its network's address space and the
/// other subnets of that network. `siblings` may include the subnet itself (an update);
/// it is skipped by name, compared the way ARM compares names.
pub fn validate_subnet_prefix(
    vnet_space: &[IpNet],
    subnet: IpNet,
    siblings: &[(String, IpNet)],
    subnet_name: &str,
    vnet_name: &str,
) -> Result<(), DomainError> {
    let size_ok = match subnet {
        IpNet::V4(n) => n.prefix_len() <= MAX_IPV4_SUBNET_PREFIX_LEN,
        IpNet::V6(n) => n.prefix_len() == IPV6_SUBNET_PREFIX_LEN,
    };
    if !size_ok {
        // GUESS: that Azure answers a /30 or a non-/64 IPv6 subnet with its generic
        // NetcfgInvalidSubnet (whose text is confirmed) is not confirmed.
        return Err(DomainError::NetcfgInvalidSubnet {
            subnet: subnet_name.to_string(),
            vnet: vnet_name.to_string(),
        });
    }
    if !vnet_space.iter().any(|space| space.contains(&subnet)) {
        return Err(DomainError::NetcfgSubnetRangeOutsideVnet {
            subnet: subnet_name.to_string(),
            vnet: vnet_name.to_string(),
        });
    }
    let me = crate::id::fold(subnet_name);
    if let Some((other, _)) = siblings
        .iter()
        .find(|(name, net)| crate::id::fold(name) != me && overlaps(net, &subnet))
    {
        return Err(DomainError::NetcfgSubnetRangesOverlap {
            subnet: subnet_name.to_string(),
            vnet: vnet_name.to_string(),
            other: other.clone(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const VNET_ID: &str =
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v";

    fn p(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    #[test]
    fn parses_well_formed_prefixes() {
        assert_eq!(
            parse_prefix("10.0.0.0/16", VNET_ID).unwrap(),
            p("10.0.0.0/16")
        );
        assert_eq!(
            parse_prefix("fd00:1::/64", VNET_ID).unwrap(),
            p("fd00:1::/64")
        );
    }

    #[test]
    fn equivalent_spellings_parse_to_one_prefix() {
        for (a, b) in [
            ("FD00:0:0:0::/64", "fd00::/64"),
            ("fd00:0000::/64", "fd00::/64"),
        ] {
            assert_eq!(
                parse_prefix(a, VNET_ID).map(|n| n.to_string()),
                Ok(b.to_string()),
                "{a}"
            );
        }
        // A prefix length with leading zeros is not a second spelling: it is refused.
        for bad in ["10.0.0.0/024", "fd00::/064"] {
            let e = parse_prefix(bad, VNET_ID).unwrap_err();
            assert_eq!(e.code(), "InvalidAddressPrefixFormat", "{bad}");
        }
    }

    #[test]
    fn malformed_prefix_is_invalid_format() {
        for bad in [
            "10.0.0.0",
            "10.0.0/24",
            "10.0.0.0/33",
            "banana",
            "10.0.0.0/",
            "",
        ] {
            let e = parse_prefix(bad, VNET_ID).unwrap_err();
            assert_eq!(e.code(), "InvalidAddressPrefixFormat", "{bad}");
        }
        let e = parse_prefix("10.1.0.0", VNET_ID).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("Address prefix 10.1.0.0 of resource {VNET_ID} is not formatted correctly. It should follow CIDR notation, for example 10.0.0.0/24.")
        );
    }

    #[test]
    fn host_bits_set_is_invalid_cidr_notation() {
        let e = parse_prefix("10.0.0.1/24", VNET_ID).unwrap_err();
        assert_eq!(e.code(), "InvalidCIDRNotation");
        assert_eq!(
            e.to_string(),
            format!("The address prefix 10.0.0.1/24 in resource {VNET_ID} has an invalid CIDR notation. For the given prefix length, the address prefix should be 10.0.0.0/24.")
        );
        let e = parse_prefix("fd00::1/64", VNET_ID).unwrap_err();
        assert_eq!(e.code(), "InvalidCIDRNotation");
    }

    #[test]
    fn address_space_must_not_be_empty() {
        let e = validate_vnet_address_space("v", &[]).unwrap_err();
        assert_eq!(e.code(), "InvalidParameter");
    }

    #[test]
    fn address_space_prefixes_must_not_overlap() {
        validate_vnet_address_space("v", &[p("10.0.0.0/16"), p("10.1.0.0/16"), p("fd00::/48")])
            .unwrap();
        let e =
            validate_vnet_address_space("v", &[p("10.0.0.0/16"), p("10.0.5.0/24")]).unwrap_err();
        assert_eq!(e.code(), "VnetAddressSpacesOverlap");
        assert!(e.to_string().contains("10.0.0.0/16"));
        assert!(e.to_string().contains("10.0.5.0/24"));
    }

    #[test]
    fn forbidden_ranges_are_refused_inside_and_around() {
        for bad in [
            "224.0.0.0/4",
            "239.1.0.0/16",
            "255.255.255.255/32",
            "127.0.0.0/8",
            "169.254.10.0/24",
            "168.63.129.16/32",
            "168.63.0.0/16",
            "128.0.0.0/1",
        ] {
            let e = validate_vnet_address_space("v", &[p("10.0.0.0/16"), p(bad)]).unwrap_err();
            assert_eq!(e.code(), "VnetAddressPrefixInReservedRange", "{bad}");
        }
        let e = validate_vnet_address_space("v", &[p("168.63.128.0/23")]).unwrap_err();
        assert!(e.to_string().contains("168.63.129.16/32"), "{e}");
        validate_vnet_address_space("v", &[p("168.63.130.0/24"), p("100.64.0.0/10")]).unwrap();
    }

    #[test]
    fn subnet_must_lie_inside_the_vnet() {
        let space = [p("10.0.0.0/16")];
        validate_subnet_prefix(&space, p("10.0.1.0/24"), &[], "web", "v").unwrap();
        let e = validate_subnet_prefix(&space, p("10.1.0.0/24"), &[], "web", "v").unwrap_err();
        assert_eq!(e.code(), "NetcfgSubnetRangeOutsideVnet");
        assert_eq!(
            e.to_string(),
            "Subnet 'web' is not valid because its IP address range is outside the IP address range of virtual network 'v'."
        );
        // Straddling the edge of the space is outside too.
        let e = validate_subnet_prefix(&space, p("10.0.0.0/15"), &[], "web", "v").unwrap_err();
        assert_eq!(e.code(), "NetcfgSubnetRangeOutsideVnet");
    }

    #[test]
    fn subnet_must_not_overlap_siblings_but_may_replace_itself() {
        let space = [p("10.0.0.0/16")];
        let siblings = vec![("web".to_string(), p("10.0.0.0/24"))];
        let e =
            validate_subnet_prefix(&space, p("10.0.0.0/23"), &siblings, "app", "v").unwrap_err();
        assert_eq!(e.code(), "NetcfgSubnetRangesOverlap");
        assert_eq!(
            e.to_string(),
            "Subnet 'app' is not valid because its IP address range overlaps with that of an existing subnet in virtual network 'v'."
        );
        validate_subnet_prefix(&space, p("10.0.1.0/24"), &siblings, "app", "v").unwrap();
        validate_subnet_prefix(&space, p("10.0.0.0/23"), &siblings, "WEB", "v").unwrap();
    }

    #[test]
    fn subnet_size_limits() {
        let space = [p("10.0.0.0/16"), p("fd00::/48")];
        validate_subnet_prefix(&space, p("10.0.0.0/29"), &[], "s", "v").unwrap();
        let e = validate_subnet_prefix(&space, p("10.0.0.0/30"), &[], "s", "v").unwrap_err();
        assert_eq!(e.code(), "NetcfgInvalidSubnet");
        assert_eq!(
            e.to_string(),
            "Subnet 's' is not valid in virtual network 'v'."
        );
        validate_subnet_prefix(&space, p("fd00::/64"), &[], "s", "v").unwrap();
        for bad in ["fd00::/63", "fd00::/65"] {
            let e = validate_subnet_prefix(&space, p(bad), &[], "s", "v").unwrap_err();
            assert_eq!(e.code(), "NetcfgInvalidSubnet", "{bad}");
        }
    }
}
