//! Availability sets. A VM joins one only when it is created (see `vm.rs`).

use crate::error::DomainError;
use crate::id::ResourceId;
use crate::network::{common, Common, CommonSpec};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AvailabilitySet {
    pub common: Common,
    /// `Aligned` (managed disks) or `Classic`.
    pub sku: String,
    pub fault_domains: u32,
    pub update_domains: u32,
}

#[derive(Clone, Debug, Default)]
pub struct AvailabilitySetSpec {
    pub common: CommonSpec,
    pub sku: Option<String>,
    pub fault_domains: Option<u32>,
    pub update_domains: Option<u32>,
}

pub fn put(
    id: &ResourceId,
    existing: Option<&AvailabilitySet>,
    spec: AvailabilitySetSpec,
    new_guid: &str,
) -> Result<AvailabilitySet, DomainError> {
    let common = common(id, existing.map(|a| &a.common), &spec.common, new_guid)?;
    let fault_domains = spec.fault_domains.unwrap_or(2);
    let update_domains = spec.update_domains.unwrap_or(5);
    if !(1..=3).contains(&fault_domains) {
        return Err(DomainError::InvalidParameter {
            message: format!(
                "The specified fault domain count {fault_domains} must fall in the range 1 to 3."
            ),
            target: Some("platformFaultDomainCount".into()),
        });
    }
    if !(1..=20).contains(&update_domains) {
        return Err(DomainError::InvalidParameter {
            message: format!("The specified update domain count {update_domains} must fall in the range 1 to 20."),
            target: Some("platformUpdateDomainCount".into()),
        });
    }
    let sku = spec.sku.unwrap_or_else(|| "Classic".into());
    if !["aligned", "classic"].contains(&sku.to_ascii_lowercase().as_str()) {
        return Err(DomainError::InvalidParameter {
            message: format!(
                "The availability set SKU '{sku}' is not valid; use Aligned or Classic."
            ),
            target: Some("sku.name".into()),
        });
    }
    Ok(AvailabilitySet {
        common,
        sku,
        fault_domains,
        update_domains,
    })
}

/// An availability set with VMs in it cannot be deleted.
pub fn check_delete(id: &ResourceId, member: Option<&str>) -> Result<(), DomainError> {
    match member {
        Some(vm) => Err(DomainError::AvailabilitySetInUse {
            set: id.to_string(),
            vm: vm.to_string(),
        }),
        None => Ok(()),
    }
}
