//! Public IP addresses: SKU and allocation rules, the regional quota, and who may use one.

use super::{common, Allocation, Common, CommonSpec, IpVersion, Sku};
use crate::error::DomainError;
use crate::id::ResourceId;
use serde::{Deserialize, Serialize};

/// Default quota of public IP addresses per SKU, subscription and region.
pub const DEFAULT_QUOTA: usize = 10;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicIp {
    pub common: Common,
    pub sku: Sku,
    pub tier: String,
    pub allocation: Allocation,
    pub version: IpVersion,
    /// Static: from creation to deletion. Dynamic: only while its VM runs.
    pub ip_address: Option<String>,
    pub idle_timeout_minutes: u32,
    pub domain_name_label: Option<String>,
    pub zones: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct PublicIpSpec {
    pub common: CommonSpec,
    pub sku: Option<Sku>,
    pub tier: Option<String>,
    pub allocation: Option<Allocation>,
    pub version: Option<IpVersion>,
    pub idle_timeout_minutes: Option<u32>,
    pub domain_name_label: Option<String>,
    pub zones: Vec<String>,
}

/// What a PUT decided about the address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddressChange {
    Keep,
    /// Take one from the public pool now.
    Assign,
    /// Give this one back to the pool.
    Release(String),
}

/// The seed-era default: Basic (today's Azure defaults to Standard).
const DEFAULT_SKU: Sku = Sku::Basic;

/// PUT of a public IP. `same_sku_in_region` counts this subscription's public IPs of the
/// requested SKU in the region, not counting this one.
pub fn put(
    id: &ResourceId,
    existing: Option<&PublicIp>,
    spec: PublicIpSpec,
    same_sku_in_region: usize,
    quota: usize,
    new_guid: &str,
) -> Result<(PublicIp, AddressChange), DomainError> {
    let common = common(id, existing.map(|p| &p.common), &spec.common, new_guid)?;
    crate::region::check_zones(
        &spec.zones,
        &common.location,
        &format!("Microsoft.Network/publicIPAddresses/{}", common.name),
        false,
    )?;
    let sku = spec.sku.or(existing.map(|p| p.sku)).unwrap_or(DEFAULT_SKU);
    let allocation = spec.allocation.unwrap_or(match sku {
        Sku::Standard => Allocation::Static,
        Sku::Basic => Allocation::Dynamic,
    });
    if sku == Sku::Standard && allocation != Allocation::Static {
        return Err(DomainError::StandardSkuPublicIPAddressesMustBeStatic {
            public_ip: id.to_string(),
        });
    }
    let version = spec.version.unwrap_or(IpVersion::IPv4);
    super::sku_unchanged(id, existing.map(|p| p.sku), sku)?;
    if let Some(old) = existing {
        if old.version != version {
            return Err(DomainError::PropertyChangeNotAllowed {
                resource: id.to_string(),
                property: "publicIPAddressVersion".into(),
            });
        }
    } else if same_sku_in_region >= quota {
        return Err(DomainError::PublicIPCountLimitReached { limit: quota });
    }
    let idle = spec.idle_timeout_minutes.unwrap_or(4);
    if !(4..=30).contains(&idle) {
        return Err(DomainError::InvalidParameter {
            message: format!(
                "The idle timeout of public IP address {id} must be between 4 and 30 minutes; {idle} was given."
            ),
            target: Some("idleTimeoutInMinutes".into()),
        });
    }
    let old_address = existing.and_then(|p| p.ip_address.clone());
    let change = match (allocation, &old_address) {
        (Allocation::Static, None) => AddressChange::Assign,
        // Dynamic → Static keeps the address it has.
        (Allocation::Static, Some(_)) => AddressChange::Keep,
        // A dynamic address exists only while its VM runs; the compute side assigns it.
        (Allocation::Dynamic, Some(a))
            if existing.map(|p| p.allocation) == Some(Allocation::Static) =>
        {
            AddressChange::Release(a.clone())
        }
        (Allocation::Dynamic, _) => AddressChange::Keep,
    };
    let ip_address = match &change {
        AddressChange::Release(_) => None,
        _ => old_address,
    };
    Ok((
        PublicIp {
            common,
            sku,
            tier: spec.tier.unwrap_or_else(|| "Regional".into()),
            allocation,
            version,
            ip_address,
            idle_timeout_minutes: idle,
            domain_name_label: spec.domain_name_label.filter(|l| !l.is_empty()),
            zones: spec.zones,
        },
        change,
    ))
}

/// "A public IP in use cannot be deleted."
pub fn check_delete(id: &ResourceId, used_by: Option<&str>) -> Result<(), DomainError> {
    match used_by {
        Some(user) => Err(DomainError::PublicIPAddressCannotBeDeleted {
            public_ip: id.to_string(),
            user: user.to_string(),
        }),
        None => Ok(()),
    }
}

impl PublicIp {
    /// `label.region.cloudapp.azure.com`, as Azure names it.
    pub fn fqdn(&self) -> Option<String> {
        self.domain_name_label
            .as_ref()
            .map(|l| format!("{l}.{}.cloudapp.azure.com", self.common.location))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> ResourceId {
        ResourceId::resource("s", "rg", "Microsoft.Network", "publicIPAddresses", "pip")
    }

    fn spec(sku: Option<Sku>, alloc: Option<Allocation>) -> PublicIpSpec {
        PublicIpSpec {
            common: CommonSpec {
                location: Some("eastus".into()),
                tags: None,
                extra: Vec::new(),
            },
            sku,
            allocation: alloc,
            ..Default::default()
        }
    }

    #[test]
    fn standard_sku_must_be_static() {
        let e = put(
            &id(),
            None,
            spec(Some(Sku::Standard), Some(Allocation::Dynamic)),
            0,
            10,
            "g",
        )
        .unwrap_err();
        assert_eq!(e.code(), "StandardSkuPublicIPAddressesMustBeStatic");
        assert_eq!(
            e.to_string(),
            "Standard sku publicIp /subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/pip must have AllocationMethod set to Static."
        );
        let (p, change) = put(&id(), None, spec(Some(Sku::Standard), None), 0, 10, "g").unwrap();
        assert_eq!(p.allocation, Allocation::Static);
        assert_eq!(change, AddressChange::Assign);
    }

    #[test]
    fn basic_defaults_to_dynamic_without_an_address() {
        let (p, change) = put(&id(), None, spec(None, None), 0, 10, "g").unwrap();
        assert_eq!((p.sku, p.allocation), (Sku::Basic, Allocation::Dynamic));
        assert_eq!(change, AddressChange::Keep);
        assert_eq!(p.ip_address, None);
    }

    #[test]
    fn quota_counts_per_sku_and_region() {
        let e = put(&id(), None, spec(None, None), 10, 10, "g").unwrap_err();
        assert_eq!(e.code(), "PublicIPCountLimitReached");
        assert_eq!(
            e.to_string(),
            "Cannot create more than 10 public IP addresses for this subscription in this region."
        );
    }

    #[test]
    fn static_to_dynamic_releases_and_dynamic_to_static_keeps() {
        let (mut p, _) = put(
            &id(),
            None,
            spec(None, Some(Allocation::Static)),
            0,
            10,
            "g",
        )
        .unwrap();
        p.ip_address = Some("198.18.0.4".into());
        let (q, change) = put(
            &id(),
            Some(&p),
            spec(None, Some(Allocation::Dynamic)),
            1,
            10,
            "g",
        )
        .unwrap();
        assert_eq!(change, AddressChange::Release("198.18.0.4".into()));
        assert_eq!(q.ip_address, None);
        let mut running = q.clone();
        running.ip_address = Some("198.18.0.9".into());
        let (r, change) = put(
            &id(),
            Some(&running),
            spec(None, Some(Allocation::Static)),
            1,
            10,
            "g",
        )
        .unwrap();
        assert_eq!(change, AddressChange::Keep);
        assert_eq!(r.ip_address.as_deref(), Some("198.18.0.9"));
    }

    #[test]
    fn in_use_cannot_be_deleted() {
        let e = check_delete(&id(), Some("/x/ipConfigurations/c")).unwrap_err();
        assert_eq!(e.code(), "PublicIPAddressCannotBeDeleted");
        assert!(e.to_string().contains(
            "can not be deleted since it is still allocated to resource /x/ipConfigurations/c."
        ));
    }
}
