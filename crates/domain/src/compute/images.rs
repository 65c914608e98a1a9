//! The platform image catalogue: publishers, offers, SKUs and versions of common Marketplace
//! images, the facts a VM takes from its image (guest OS, Hyper-V generation, architecture)
//! and the URN aliases `az vm create --image` accepts.
//!
//! Every image is offered in every region (Azure's availability varies by region). Lookups
//! ignore case; the catalogue's spelling is what lists show. Versions compare as dotted
//! numbers, so `8.10.x` is newer than `8.9.x`.

use crate::compute::vm::OsType;
use crate::DomainError;
use std::cmp::Ordering;

mod catalogue;

pub use catalogue::{ALIASES, PUBLISHERS};

/// Which virtual hardware an image boots on: BIOS (`V1`) or UEFI (`V2`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HyperVGeneration {
    V1,
    V2,
}

impl HyperVGeneration {
    pub fn as_str(self) -> &'static str {
        match self {
            HyperVGeneration::V1 => "V1",
            HyperVGeneration::V2 => "V2",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Architecture {
    X64,
    Arm64,
}

impl Architecture {
    /// Azure's spelling (`ArchitectureTypes`: `x64`, `Arm64`).
    pub fn as_str(self) -> &'static str {
        match self {
            Architecture::X64 => "x64",
            Architecture::Arm64 => "Arm64",
        }
    }
}

/// The `SecurityType` feature of an image: whether Trusted Launch is offered. `az vm create`
/// turns Trusted Launch on for a `V2` image that supports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecurityType {
    Standard,
    TrustedLaunchSupported,
}

impl SecurityType {
    pub fn as_str(self) -> &'static str {
        match self {
            SecurityType::Standard => "Standard",
            SecurityType::TrustedLaunchSupported => "TrustedLaunchSupported",
        }
    }
}

#[derive(Debug, PartialEq)]
pub struct Publisher {
    pub name: &'static str,
    pub offers: &'static [Offer],
}

#[derive(Debug, PartialEq)]
pub struct Offer {
    pub name: &'static str,
    pub skus: &'static [Sku],
}

/// One SKU; its facts hold for all of its versions.
#[derive(Debug, PartialEq)]
pub struct Sku {
    pub name: &'static str,
    pub os: OsType,
    pub generation: HyperVGeneration,
    pub architecture: Architecture,
    pub security: SecurityType,
    pub automatic_os_upgrade: bool,
    /// In ascending order.
    pub versions: &'static [&'static str],
}

impl Sku {
    /// The highest version.
    pub fn latest(&self) -> &'static str {
        self.versions
            .iter()
            .copied()
            .max_by(|a, b| compare_versions(a, b))
            .unwrap_or_default()
    }

    /// The versions, oldest first.
    pub fn versions_ascending(&self) -> Vec<&'static str> {
        let mut v = self.versions.to_vec();
        v.sort_by(|a, b| compare_versions(a, b));
        v
    }
}

/// A version of a SKU, found in the catalogue.
#[derive(Debug, PartialEq)]
pub struct Image {
    pub publisher: &'static Publisher,
    pub offer: &'static Offer,
    pub sku: &'static Sku,
    pub version: &'static str,
}

/// `Publisher:Offer:Sku:Version`, as `az` and ARM templates spell an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Urn<'a> {
    pub publisher: &'a str,
    pub offer: &'a str,
    pub sku: &'a str,
    pub version: &'a str,
}

impl<'a> Urn<'a> {
    pub fn parse(text: &'a str) -> Option<Urn<'a>> {
        let mut parts = text.split(':');
        let urn = Urn {
            publisher: parts.next()?,
            offer: parts.next()?,
            sku: parts.next()?,
            version: parts.next()?,
        };
        let filled = [urn.publisher, urn.offer, urn.sku, urn.version]
            .iter()
            .all(|p| !p.is_empty());
        (filled && parts.next().is_none()).then_some(urn)
    }

    /// A platform image id such as a VM's `imageReference.id` may carry:
    /// `/Subscriptions/{s}/Providers/Microsoft.Compute/Locations/{l}/Publishers/{p}/ArtifactTypes/VMImage/Offers/{o}/Skus/{s}/Versions/{v}`
    /// (any case). Custom and gallery image ids are not platform images: `None`.
    pub fn from_platform_id(id: &'a str) -> Option<Urn<'a>> {
        let segs: Vec<&str> = id.trim_matches('/').split('/').collect();
        let fixed = [
            (0, "subscriptions"),
            (2, "providers"),
            (3, "microsoft.compute"),
            (4, "locations"),
            (6, "publishers"),
            (8, "artifacttypes"),
            (9, "vmimage"),
            (10, "offers"),
            (12, "skus"),
            (14, "versions"),
        ];
        if segs.len() != 16 || !fixed.iter().all(|(i, w)| segs[*i].eq_ignore_ascii_case(w)) {
            return None;
        }
        Some(Urn {
            publisher: segs[7],
            offer: segs[11],
            sku: segs[13],
            version: segs[15],
        })
    }
}

/// Compares two image versions as dotted numbers (`8.10.1` > `8.9.9`); a part that is not
/// a number compares as text, after every number.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let mut pa = a.split('.');
    let mut pb = b.split('.');
    loop {
        match (pa.next(), pb.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let ord = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => x.cmp(y),
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
        }
    }
}

/// Whether `version` has the shape of an image version: dotted decimal numbers
/// (`22.04.202410020`). `latest` does not: a GET of one version needs a real one.
pub fn is_version(version: &str) -> bool {
    !version.is_empty()
        && version
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn not_found(what: String) -> DomainError {
    DomainError::VmImageNotFound { urn: what }
}

pub fn publisher(name: &str) -> Result<&'static Publisher, DomainError> {
    PUBLISHERS
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| not_found(name.to_string()))
}

pub fn offer(publisher_name: &str, offer: &str) -> Result<&'static Offer, DomainError> {
    publisher(publisher_name)?
        .offers
        .iter()
        .find(|o| o.name.eq_ignore_ascii_case(offer))
        .ok_or_else(|| not_found(format!("{publisher_name}:{offer}")))
}

pub fn sku(publisher_name: &str, offer_name: &str, sku: &str) -> Result<&'static Sku, DomainError> {
    offer(publisher_name, offer_name)?
        .skus
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(sku))
        .ok_or_else(|| not_found(format!("{publisher_name}:{offer_name}:{sku}")))
}

/// One exact version (what `GET .../versions/{v}` serves): `latest` or any other text that
/// is not a version is `InvalidParameter` on `version`, an unknown one `NotFound`.
pub fn version(urn: Urn<'_>) -> Result<Image, DomainError> {
    if !is_version(urn.version) {
        return Err(DomainError::InvalidImageVersion {
            version: urn.version.to_string(),
        });
    }
    find(urn, false)
}

/// An image as a VM names it: `latest` picks the highest version.
pub fn resolve(urn: Urn<'_>) -> Result<Image, DomainError> {
    find(urn, true)
}

fn find(urn: Urn<'_>, latest_allowed: bool) -> Result<Image, DomainError> {
    let p = publisher(urn.publisher)?;
    let o = offer(urn.publisher, urn.offer)?;
    let s = sku(urn.publisher, urn.offer, urn.sku)?;
    let version = if latest_allowed && urn.version.eq_ignore_ascii_case("latest") {
        Some(s.latest())
    } else {
        s.versions
            .iter()
            .copied()
            .find(|v| compare_versions(v, urn.version) == Ordering::Equal)
    };
    let version = version.ok_or_else(|| {
        not_found(format!(
            "{}:{}:{}:{}",
            urn.publisher, urn.offer, urn.sku, urn.version
        ))
    })?;
    Ok(Image {
        publisher: p,
        offer: o,
        sku: s,
        version,
    })
}

/// A URN alias of `az vm create --image`.
#[derive(Debug, PartialEq)]
pub struct Alias {
    pub name: &'static str,
    pub os: OsType,
    pub urn: Urn<'static>,
    pub architecture: Architecture,
}

pub fn alias(name: &str) -> Option<&'static Alias> {
    ALIASES.iter().find(|a| a.name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
#[path = "images_tests.rs"]
mod tests;
