//! Managed disks (`Microsoft.Compute/disks`) as resources: SKUs, sizes, creation and the
//! rule that an attached disk cannot be deleted. A VM's own disks are `super::storage`.

use super::vm::OsType;
use crate::error::DomainError;
use crate::id::ResourceId;
use crate::network::{common, Common, CommonSpec};
use serde::{Deserialize, Serialize};

/// Disk SKUs Azure offers, in Azure's spelling.
pub const SKUS: &[&str] = &[
    "Standard_LRS",
    "Premium_LRS",
    "StandardSSD_LRS",
    "UltraSSD_LRS",
    "Premium_ZRS",
    "StandardSSD_ZRS",
    "PremiumV2_LRS",
];

/// The largest managed disk, in GiB.
pub const MAX_SIZE_GB: u32 = 32_767;

/// An OS disk created from a platform image without `diskSizeGB` gets the image's size:
/// 30 GiB for Linux images, 127 GiB for Windows ones.
pub fn image_size_gb(os: Option<OsType>) -> u32 {
    match os {
        Some(OsType::Windows) => 127,
        _ => 30,
    }
}

/// The SKU in Azure's spelling (input is case-insensitive).
pub fn sku(raw: &str, target: &str) -> Result<&'static str, DomainError> {
    SKUS.iter()
        .find(|s| s.eq_ignore_ascii_case(raw))
        .copied()
        .ok_or_else(|| DomainError::InvalidParameter {
            // GUESS: Azure's wording for an unknown storage account type.
            message: format!(
                "The value '{raw}' is not valid for parameter '{target}'. Allowed values are {}.",
                SKUS.join(", ")
            ),
            target: Some(target.into()),
        })
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disk {
    pub common: Common,
    pub sku: String,
    pub size_gb: u32,
    pub os_type: Option<OsType>,
    /// `creationData.createOption`: `Empty`, `FromImage`, `Copy`, `Import`, ...
    pub create_option: String,
    /// `creationData.imageReference.id` of a disk made from an image.
    pub image_id: Option<String>,
    /// `creationData.sourceResourceId` of a copy.
    pub source_id: Option<String>,
    /// The VM the disk is attached to.
    pub managed_by: Option<String>,
    pub zones: Vec<String>,
    pub created_ms: i64,
    /// Properties cerulean keeps but does not model, as `(property, JSON text)`.
    pub extra: Vec<(String, String)>,
}

impl Disk {
    /// `diskState` as Azure reports it.
    pub fn state(&self) -> &'static str {
        if self.managed_by.is_some() {
            "Attached"
        } else {
            "Unattached"
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct DiskSpec {
    pub common: CommonSpec,
    pub sku: Option<String>,
    pub size_gb: Option<u32>,
    pub os_type: Option<OsType>,
    pub create_option: Option<String>,
    pub image_id: Option<String>,
    pub source_id: Option<String>,
    pub zones: Vec<String>,
    pub extra: Vec<(String, String)>,
}

pub(crate) fn missing(name: &str) -> DomainError {
    DomainError::InvalidParameter {
        message: format!("Required parameter '{name}' is missing (null)."),
        target: Some(name.into()),
    }
}

pub(crate) fn check_size(size: u32, target: &str) -> Result<u32, DomainError> {
    if size == 0 || size > MAX_SIZE_GB {
        return Err(DomainError::InvalidParameter {
            // GUESS: Azure's wording.
            message: format!(
                "The value {size} of parameter '{target}' is out of range. It must be between 1 and {MAX_SIZE_GB}."
            ),
            target: Some(target.into()),
        });
    }
    Ok(size)
}

/// PUT of a disk resource: creation needs `creationData.createOption` (and a size when
/// `Empty`); an existing disk keeps how it was made and may only grow.
pub fn put_disk(
    id: &ResourceId,
    old: Option<&Disk>,
    spec: DiskSpec,
    new_guid: &str,
    now_ms: i64,
) -> Result<Disk, DomainError> {
    let common = common(id, old.map(|d| &d.common), &spec.common, new_guid)?;
    let sku = match (&spec.sku, old) {
        (Some(s), _) => sku(s, "sku.name")?.to_string(),
        (None, Some(o)) => o.sku.clone(),
        (None, None) => "Standard_LRS".to_string(),
    };
    if let Some(old) = old {
        if let Some(c) = &spec.create_option {
            if !c.eq_ignore_ascii_case(&old.create_option) {
                return Err(DomainError::PropertyChangeNotAllowed {
                    resource: id.to_string(),
                    property: "creationData.createOption".into(),
                });
            }
        }
        let size_gb = match spec.size_gb {
            Some(s) if s < old.size_gb => {
                return Err(DomainError::InvalidParameter {
                    // GUESS: Azure's wording; disks only grow.
                    message: format!(
                        "Disk size reduction is not supported. Current size is {} GB, requested {s} GB.",
                        old.size_gb
                    ),
                    target: Some("diskSizeGB".into()),
                });
            }
            Some(s) => check_size(s, "diskSizeGB")?,
            None => old.size_gb,
        };
        return Ok(Disk {
            common,
            sku,
            size_gb,
            os_type: spec.os_type.or(old.os_type),
            extra: if spec.extra.is_empty() {
                old.extra.clone()
            } else {
                spec.extra
            },
            ..old.clone()
        });
    }
    let create_option = spec
        .create_option
        .ok_or_else(|| missing("creationData.createOption"))?;
    let size_gb = match (spec.size_gb, create_option.to_ascii_lowercase().as_str()) {
        (Some(s), _) => check_size(s, "diskSizeGB")?,
        (None, "empty") => return Err(missing("diskSizeGB")),
        (None, _) => image_size_gb(spec.os_type),
    };
    Ok(Disk {
        common,
        sku,
        size_gb,
        os_type: spec.os_type,
        create_option,
        image_id: spec.image_id,
        source_id: spec.source_id,
        managed_by: None,
        zones: spec.zones,
        created_ms: now_ms,
        extra: spec.extra,
    })
}

/// A disk cannot be deleted while a VM uses it.
pub fn check_delete(disk: &Disk) -> Result<(), DomainError> {
    match &disk.managed_by {
        Some(vm) => Err(DomainError::DiskAttached {
            disk: disk.common.name.clone(),
            vm: vm.clone(),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attached_disk_cannot_be_deleted() {
        let id = ResourceId::parse(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/d1",
        )
        .unwrap();
        let spec = DiskSpec {
            common: CommonSpec {
                location: Some("eastus".into()),
                tags: None,
                extra: Vec::new(),
            },
            create_option: Some("Empty".into()),
            size_gb: Some(8),
            ..Default::default()
        };
        let mut d = put_disk(&id, None, spec.clone(), "g", 1).unwrap();
        assert_eq!((d.size_gb, d.sku.as_str()), (8, "Standard_LRS"));
        check_delete(&d).unwrap();
        d.managed_by = Some(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"
                .into(),
        );
        let e = check_delete(&d).unwrap_err();
        assert_eq!(e.code(), "OperationNotAllowed");
        assert_eq!(
            e.to_string(),
            "Disk d1 is attached to VM /subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1."
        );
        let shrink = DiskSpec {
            size_gb: Some(4),
            ..spec.clone()
        };
        assert_eq!(
            put_disk(&id, Some(&d), shrink, "g", 2).unwrap_err().code(),
            "InvalidParameter"
        );
        let empty_without_size = DiskSpec {
            size_gb: None,
            ..spec
        };
        assert_eq!(
            put_disk(&id, None, empty_without_size, "g", 1)
                .unwrap_err()
                .to_string(),
            "Required parameter 'diskSizeGB' is missing (null)."
        );
    }
}
