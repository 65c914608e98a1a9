//! Where a configuration's private address comes from when it is written: kept in place,
//! or released and claimed (static) or allocated (dynamic) anew. Shared by NIC IP
//! configurations and internal load balancer frontends.

use super::IpVersion;
use crate::id::ResourceId;
use ipnet::IpNet;
use std::net::IpAddr;

/// One move in the address book.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddressMove {
    Release {
        subnet_key: String,
        prefix: IpNet,
        address: IpAddr,
    },
    Claim {
        config: usize,
        subnet_key: String,
        subnet_name: String,
        prefix: IpNet,
        address: IpAddr,
        owner: String,
    },
    Allocate {
        config: usize,
        subnet_key: String,
        subnet_name: String,
        prefix: IpNet,
        owner: String,
    },
}

impl AddressMove {
    /// Releases run first, then static claims, then dynamic allocations, so that a static
    /// address asked for in the same request is never handed out dynamically before.
    pub fn order(&self) -> u8 {
        match self {
            AddressMove::Release { .. } => 0,
            AddressMove::Claim { .. } => 1,
            AddressMove::Allocate { .. } => 2,
        }
    }
}

/// Where a configuration's address was.
pub struct Placed<'a> {
    pub subnet: &'a str,
    pub address: Option<&'a str>,
    pub version: IpVersion,
    /// The prefix the address came from, if its subnet still exists.
    pub prefix: Option<IpNet>,
}

/// Where it is to be.
pub struct Wanted<'a> {
    pub config: usize,
    pub owner: &'a str,
    pub subnet_key: &'a str,
    pub subnet_id: &'a str,
    pub prefix: IpNet,
    pub version: IpVersion,
    pub requested: Option<IpAddr>,
}

/// The address kept (if any) and the moves needed. Dynamic → Static keeps the address;
/// a new subnet or a different static address releases the old one.
pub fn place(old: Option<&Placed<'_>>, want: &Wanted<'_>) -> (Option<String>, Vec<AddressMove>) {
    let same_subnet = old.filter(|o| {
        ResourceId::parse(o.subnet)
            .map(|s| s.key() == want.subnet_key)
            .unwrap_or(false)
            && o.version == want.version
    });
    let kept = match (same_subnet.and_then(|o| o.address), want.requested) {
        (Some(a), Some(r)) if a.parse::<IpAddr>().ok() == Some(r) => Some(a.to_string()),
        (Some(a), None) => Some(a.to_string()),
        _ => None,
    };
    if kept.is_some() {
        return (kept, Vec::new());
    }
    let mut moves = Vec::new();
    if let Some(release) = old.and_then(release_of) {
        moves.push(release);
    }
    moves.push(match want.requested {
        Some(address) => AddressMove::Claim {
            config: want.config,
            subnet_key: want.subnet_key.to_string(),
            subnet_name: want.subnet_id.to_string(),
            prefix: want.prefix,
            address,
            owner: want.owner.to_string(),
        },
        None => AddressMove::Allocate {
            config: want.config,
            subnet_key: want.subnet_key.to_string(),
            subnet_name: want.subnet_id.to_string(),
            prefix: want.prefix,
            owner: want.owner.to_string(),
        },
    });
    (None, moves)
}

/// The release that gives back an old placement's address.
pub fn release_of(old: &Placed<'_>) -> Option<AddressMove> {
    let address = old.address?.parse().ok()?;
    let subnet = ResourceId::parse(old.subnet).ok()?;
    Some(AddressMove::Release {
        subnet_key: subnet.key().to_string(),
        prefix: old.prefix?,
        address,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a";
    const B: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/b";
    const OWNER: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n/ipConfigurations/c";

    fn key(id: &str) -> String {
        id.to_lowercase()
    }
    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }
    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn old<'a>(subnet: &'a str, address: Option<&'a str>) -> Placed<'a> {
        Placed {
            subnet,
            address,
            version: IpVersion::IPv4,
            prefix: Some(net("10.0.1.0/24")),
        }
    }

    /// What a configuration asks for: config 3 in the given subnet, dynamic unless `requested`.
    fn want<'a>(
        subnet_key: &'a str,
        subnet_id: &'a str,
        prefix: &str,
        requested: Option<&str>,
    ) -> Wanted<'a> {
        Wanted {
            config: 3,
            owner: OWNER,
            subnet_key,
            subnet_id,
            prefix: net(prefix),
            version: IpVersion::IPv4,
            requested: requested.map(ip),
        }
    }

    fn release_a(address: &str) -> AddressMove {
        AddressMove::Release {
            subnet_key: key(A),
            prefix: net("10.0.1.0/24"),
            address: ip(address),
        }
    }

    #[test]
    fn nothing_before_and_no_address_asked_allocates() {
        let ka = key(A);
        let (kept, moves) = place(None, &want(&ka, A, "10.0.1.0/24", None));
        assert_eq!(kept, None);
        assert_eq!(
            moves,
            vec![AddressMove::Allocate {
                config: 3,
                subnet_key: key(A),
                subnet_name: A.into(),
                prefix: net("10.0.1.0/24"),
                owner: OWNER.into(),
            }]
        );
    }

    #[test]
    fn nothing_before_and_an_address_asked_claims_it() {
        let ka = key(A);
        let (kept, moves) = place(None, &want(&ka, A, "10.0.1.0/24", Some("10.0.1.9")));
        assert_eq!(kept, None);
        assert_eq!(
            moves,
            vec![AddressMove::Claim {
                config: 3,
                subnet_key: key(A),
                subnet_name: A.into(),
                prefix: net("10.0.1.0/24"),
                address: ip("10.0.1.9"),
                owner: OWNER.into(),
            }]
        );
    }

    #[test]
    fn same_subnet_and_no_address_asked_keeps_the_address() {
        let ka = key(A);
        let (kept, moves) = place(
            Some(&old(A, Some("10.0.1.4"))),
            &want(&ka, A, "10.0.1.0/24", None),
        );
        assert_eq!(kept.as_deref(), Some("10.0.1.4"));
        assert!(moves.is_empty());
    }

    #[test]
    fn same_subnet_compares_ids_case_insensitively() {
        let ka = key(A);
        let shouted = A
            .to_uppercase()
            .replace("/SUBSCRIPTIONS/", "/subscriptions/");
        let (kept, moves) = place(
            Some(&old(&shouted, Some("10.0.1.4"))),
            &want(&ka, A, "10.0.1.0/24", None),
        );
        assert_eq!(kept.as_deref(), Some("10.0.1.4"));
        assert!(moves.is_empty());
    }

    #[test]
    fn asking_for_the_address_already_held_keeps_it() {
        let ka = key(A);
        let (kept, moves) = place(
            Some(&old(A, Some("10.0.1.4"))),
            &want(&ka, A, "10.0.1.0/24", Some("10.0.1.4")),
        );
        assert_eq!(kept.as_deref(), Some("10.0.1.4"));
        assert!(moves.is_empty());
    }

    #[test]
    fn asking_for_another_address_releases_then_claims() {
        let ka = key(A);
        let (kept, moves) = place(
            Some(&old(A, Some("10.0.1.4"))),
            &want(&ka, A, "10.0.1.0/24", Some("10.0.1.20")),
        );
        assert_eq!(kept, None);
        assert_eq!(moves.len(), 2);
        assert_eq!(moves[0], release_a("10.0.1.4"));
        assert!(
            matches!(&moves[1], AddressMove::Claim { address, .. } if *address == ip("10.0.1.20")),
            "{moves:?}"
        );
    }

    #[test]
    fn a_new_subnet_releases_the_old_address_and_allocates_anew() {
        let kb = key(B);
        let (kept, moves) = place(
            Some(&old(A, Some("10.0.1.4"))),
            &want(&kb, B, "10.0.2.0/24", None),
        );
        assert_eq!(kept, None);
        assert_eq!(
            moves,
            vec![
                release_a("10.0.1.4"),
                AddressMove::Allocate {
                    config: 3,
                    subnet_key: key(B),
                    subnet_name: B.into(),
                    prefix: net("10.0.2.0/24"),
                    owner: OWNER.into(),
                },
            ]
        );
    }

    #[test]
    fn a_new_version_in_the_same_subnet_releases_and_allocates() {
        let ka = key(A);
        let mut w = want(&ka, A, "fd00:db8:0:1::/64", None);
        w.version = IpVersion::IPv6;
        let (kept, moves) = place(Some(&old(A, Some("10.0.1.4"))), &w);
        assert_eq!(kept, None);
        assert_eq!(moves[0], release_a("10.0.1.4"));
        assert!(
            matches!(&moves[1], AddressMove::Allocate { prefix, .. } if *prefix == net("fd00:db8:0:1::/64")),
            "{moves:?}"
        );
    }

    #[test]
    fn an_old_placement_without_an_address_releases_nothing() {
        let ka = key(A);
        let (kept, moves) = place(Some(&old(A, None)), &want(&ka, A, "10.0.1.0/24", None));
        assert_eq!(kept, None);
        assert_eq!(moves.len(), 1);
        assert_eq!(moves[0].order(), 2);
    }

    #[test]
    fn release_needs_an_address_a_subnet_id_and_a_prefix() {
        assert_eq!(
            release_of(&old(A, Some("10.0.1.4"))),
            Some(release_a("10.0.1.4"))
        );
        assert_eq!(release_of(&old(A, None)), None);
        assert_eq!(release_of(&old(A, Some("not-an-ip"))), None);
        assert_eq!(release_of(&old("subnet-a", Some("10.0.1.4"))), None);
        let gone = Placed {
            prefix: None,
            ..old(A, Some("10.0.1.4"))
        };
        assert_eq!(release_of(&gone), None);
    }

    #[test]
    fn releases_come_before_claims_before_allocations() {
        let ka = key(A);
        let (_, claim) = place(None, &want(&ka, A, "10.0.1.0/24", Some("10.0.1.9")));
        let (_, allocate) = place(None, &want(&ka, A, "10.0.1.0/24", None));
        let release = release_a("10.0.1.4");
        assert!(release.order() < claim[0].order());
        assert!(claim[0].order() < allocate[0].order());
        let mut moves = vec![allocate[0].clone(), claim[0].clone(), release.clone()];
        moves.sort_by_key(AddressMove::order);
        assert_eq!(moves, vec![release, claim[0].clone(), allocate[0].clone()]);
    }
}
