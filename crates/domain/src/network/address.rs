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
