//! Microsoft.Network: virtual networks and subnets, network interfaces, public IP addresses
//! and load balancers. Each module holds the rules for one resource type; the application
//! layer loads what a rule needs (referenced resources, who uses what) and hands it in.

pub mod address;
pub mod lb_rules;
pub mod load_balancer;
pub mod nic;
pub mod prefix_change;
pub mod public_ip;
pub mod vnet;

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Allocation {
    Static,
    Dynamic,
}

impl Allocation {
    pub fn as_str(self) -> &'static str {
        match self {
            Allocation::Static => "Static",
            Allocation::Dynamic => "Dynamic",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum IpVersion {
    IPv4,
    IPv6,
}

impl IpVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            IpVersion::IPv4 => "IPv4",
            IpVersion::IPv6 => "IPv6",
        }
    }
    pub fn of(addr: std::net::IpAddr) -> IpVersion {
        if addr.is_ipv4() {
            IpVersion::IPv4
        } else {
            IpVersion::IPv6
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sku {
    Basic,
    Standard,
}

impl Sku {
    pub fn as_str(self) -> &'static str {
        match self {
            Sku::Basic => "Basic",
            Sku::Standard => "Standard",
        }
    }
}

/// Azure: "SKUs aren't mutable. You can't change the SKU of an existing resource" (an
/// upgrade makes a new one). A public IP's or load balancer's PUT that leaves `sku` out keeps
/// the stored one; another SKU is 400 `SkuCannotBeChangedOnUpdate` (Azure's code and message).
pub fn sku_unchanged(
    id: &crate::id::ResourceId,
    old: Option<Sku>,
    new: Sku,
) -> Result<(), crate::error::DomainError> {
    match old {
        Some(from) if from != new => Err(crate::error::DomainError::SkuCannotBeChangedOnUpdate {
            resource: id.to_string(),
            from: from.as_str().into(),
            to: new.as_str().into(),
        }),
        _ => Ok(()),
    }
}

/// Fields every tracked network resource has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Common {
    pub name: String,
    pub location: String,
    pub tags: crate::tags::Tags,
    pub resource_guid: String,
    /// Properties cerulean keeps but does not model, as `(property, JSON text)`: echoed
    /// back as sent, so a client finds what it wrote.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<(String, String)>,
}

/// The fields a PUT of any tracked network resource carries.
#[derive(Clone, Debug, Default)]
pub struct CommonSpec {
    pub location: Option<String>,
    pub tags: Option<crate::tags::Tags>,
    /// Unmodelled properties as sent (see [`Common::extra`]).
    pub extra: Vec<(String, String)>,
}

/// Name, location and tags of a network resource being created or replaced: the name
/// follows Microsoft.Network's rules, the location is required and never changes.
pub fn common(
    id: &crate::ResourceId,
    existing: Option<&Common>,
    spec: &CommonSpec,
    new_guid: &str,
) -> Result<Common, crate::DomainError> {
    let name = id.name();
    crate::name::validate_network_name(name)?;
    let requested = spec
        .location
        .as_deref()
        .filter(|l| !l.trim().is_empty())
        .ok_or(crate::DomainError::LocationRequired)?;
    let location = crate::region::normalize(requested).ok_or_else(|| {
        crate::DomainError::LocationNotAvailableForResourceType {
            location: requested.to_string(),
            type_path: id.type_path(),
            available: crate::region::available_list(),
        }
    })?;
    let tags = spec.tags.clone().unwrap_or_default();
    crate::tags::validate(&tags)?;
    match existing {
        Some(old) if old.location != location => Err(crate::DomainError::InvalidResourceLocation {
            name: old.name.clone(),
            group: id.group_name().unwrap_or_default().to_string(),
            existing: old.location.clone(),
            requested: requested.to_string(),
        }),
        Some(old) => Ok(Common {
            name: old.name.clone(),
            location: old.location.clone(),
            tags,
            resource_guid: old.resource_guid.clone(),
            extra: spec.extra.clone(),
        }),
        None => Ok(Common {
            name: name.to_string(),
            location: location.to_string(),
            tags,
            resource_guid: new_guid.to_string(),
            extra: spec.extra.clone(),
        }),
    }
}
