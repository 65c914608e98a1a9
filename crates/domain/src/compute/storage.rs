//! A VM's storage: the OS disk a VM created from an image gets, data disks attached and
//! detached, and what VM deletion does to each.
//!
//! A disk records the VM it is attached to (`Disk::managed_by`); the VM records its disks in
//! [`Storage`]. Both change in the one transaction of the VM's PUT or DELETE, so the two
//! always agree.

use super::disk::{check_size, image_size_gb, missing, sku, Disk};
use super::vm::{DeleteOption, OsType};
use crate::error::DomainError;
use crate::id::ResourceId;
use crate::network::Common;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One disk of a VM as its `storageProfile` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachedDisk {
    pub name: String,
    /// The managed disk's id.
    pub id: String,
    pub sku: String,
    pub size_gb: u32,
    pub caching: String,
    pub create_option: String,
    pub delete_option: DeleteOption,
    /// Data disks only.
    pub lun: Option<u32>,
    /// `writeAcceleratorEnabled`, when the caller set it.
    pub write_accelerator: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Storage {
    pub os_disk: Option<AttachedDisk>,
    pub data_disks: Vec<AttachedDisk>,
}

impl Storage {
    pub fn all(&self) -> impl Iterator<Item = &AttachedDisk> {
        self.os_disk.iter().chain(self.data_disks.iter())
    }
}

/// A disk as a PUT of the VM describes it (`osDisk` or one of `dataDisks`).
#[derive(Clone, Debug, Default)]
pub struct DiskRefSpec {
    pub name: Option<String>,
    pub lun: Option<u32>,
    pub caching: Option<String>,
    pub create_option: Option<String>,
    pub sku: Option<String>,
    pub size_gb: Option<u32>,
    pub delete_option: Option<DeleteOption>,
    /// `managedDisk.id`: the disk to attach (or the one already attached).
    pub managed_disk_id: Option<String>,
    pub write_accelerator: Option<bool>,
}

#[derive(Clone, Debug, Default)]
pub struct StorageSpec {
    pub os_disk: Option<DiskRefSpec>,
    /// `None`: the body has no `dataDisks` (the current ones stay).
    pub data_disks: Option<Vec<DiskRefSpec>>,
    /// The body names an image to create the OS disk from.
    pub has_image: bool,
}

/// What a managed disk a VM names is now.
#[derive(Clone, Debug)]
pub struct DiskFacts {
    pub id: String,
    pub name: String,
    pub location: String,
    pub sku: String,
    pub size_gb: u32,
    pub managed_by: Option<String>,
}

/// What the application must do to disk records for a VM's storage plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiskChange {
    /// Create this disk, attached to the VM.
    Create(Box<Disk>, ResourceId),
    /// Mark the existing disk (by id) attached to the VM.
    Attach(String),
    /// Mark the disk no longer attached.
    Detach(String),
    /// Delete the disk (VM deletion with `deleteOption: Delete`).
    Delete(String),
}

/// What a VM storage plan needs besides the request.
pub struct StorageContext<'a> {
    pub vm_id: &'a ResourceId,
    pub location: &'a str,
    pub os_type: Option<OsType>,
    pub max_data_disks: u32,
    /// Disks the request or the stored VM name, by lower-case id.
    pub disks: &'a HashMap<String, DiskFacts>,
    pub now_ms: i64,
    /// A new GUID (a created disk's `uniqueId`; its 32 hex digits end implicit disk names).
    pub new_guid: &'a dyn Fn() -> String,
}

/// The 32 hex digits Azure appends to the names of disks a VM creates.
fn hex32(ctx: &StorageContext<'_>) -> String {
    (ctx.new_guid)().replace('-', "").to_ascii_lowercase()
}

fn key(id: &str) -> String {
    crate::id::fold(id)
}

/// The id of a disk named `name` in the VM's resource group.
fn disk_id(vm: &ResourceId, name: &str) -> ResourceId {
    ResourceId::resource(
        vm.subscription(),
        vm.group_name().unwrap_or_default(),
        "Microsoft.Compute",
        "disks",
        name,
    )
}

/// The ids of the managed disks a PUT of the VM names: those it attaches by id and those it
/// creates under a given name (what two VM writes could both claim).
pub fn named_disks(vm: &ResourceId, spec: &StorageSpec) -> Vec<ResourceId> {
    let disks = spec.os_disk.iter().chain(spec.data_disks.iter().flatten());
    disks
        .flat_map(|d| {
            let by_id = d
                .managed_disk_id
                .as_deref()
                .and_then(|i| ResourceId::parse(i).ok());
            let by_name = d.name.as_deref().map(|n| disk_id(vm, n));
            by_id.into_iter().chain(by_name)
        })
        .collect()
}

fn delete_option(spec: Option<DeleteOption>, old: Option<&AttachedDisk>) -> DeleteOption {
    spec.or(old.map(|d| d.delete_option))
        .unwrap_or(DeleteOption::Detach)
}

/// A disk the VM creates implicitly (the OS disk from an image, an `Empty` data disk).
fn implicit(
    ctx: &StorageContext<'_>,
    spec: &DiskRefSpec,
    default_name: String,
    size_gb: u32,
    create_option: &str,
    os_type: Option<OsType>,
    target: &str,
) -> Result<(AttachedDisk, DiskChange), DomainError> {
    let name = spec.name.clone().unwrap_or(default_name);
    crate::name::validate_network_name(&name)?;
    let sku = sku(
        spec.sku.as_deref().unwrap_or("Premium_LRS"),
        &format!("{target}.managedDisk.storageAccountType"),
    )?
    .to_string();
    let id = disk_id(ctx.vm_id, &name);
    let disk = Disk {
        common: Common {
            name: name.clone(),
            location: ctx.location.to_string(),
            tags: Default::default(),
            resource_guid: (ctx.new_guid)(),
            extra: Vec::new(),
        },
        sku: sku.clone(),
        size_gb,
        os_type,
        create_option: create_option.to_string(),
        image_id: None,
        source_id: None,
        managed_by: Some(ctx.vm_id.to_string()),
        zones: Vec::new(),
        created_ms: ctx.now_ms,
        extra: Vec::new(),
    };
    let attached = AttachedDisk {
        name,
        id: id.to_string(),
        sku,
        size_gb,
        caching: spec.caching.clone().unwrap_or_else(|| "None".into()),
        create_option: create_option.to_string(),
        delete_option: delete_option(spec.delete_option, None),
        lun: spec.lun,
        write_accelerator: spec.write_accelerator,
    };
    Ok((attached, DiskChange::Create(Box::new(disk), id)))
}

/// Attaching an existing disk: it must exist in the VM's region and be free (or already ours).
fn attach(
    ctx: &StorageContext<'_>,
    spec: &DiskRefSpec,
    old: Option<&AttachedDisk>,
    target: &str,
) -> Result<(AttachedDisk, Option<DiskChange>), DomainError> {
    let raw = spec
        .managed_disk_id
        .as_deref()
        .ok_or_else(|| missing(&format!("{target}.managedDisk.id")))?;
    let facts = ctx.disks.get(&key(raw)).ok_or_else(|| {
        let id = ResourceId::parse(raw).ok();
        DomainError::ResourceNotFound {
            type_path: "Microsoft.Compute/disks".into(),
            name: id
                .as_ref()
                .map(|i| i.name().to_string())
                .unwrap_or_else(|| raw.to_string()),
            group: id
                .as_ref()
                .and_then(|i| i.group_name().map(str::to_string))
                .unwrap_or_default(),
        }
    })?;
    let ours = facts
        .managed_by
        .as_deref()
        .is_some_and(|m| m.eq_ignore_ascii_case(ctx.vm_id.as_str()));
    if let Some(other) = facts.managed_by.as_deref().filter(|_| !ours) {
        return Err(DomainError::DiskAttached {
            disk: facts.name.clone(),
            vm: other.to_string(),
        });
    }
    if facts.location != ctx.location {
        return Err(DomainError::InvalidParameter {
            // GUESS: Azure's wording.
            message: format!(
                "Disk {} is in location '{}', which is not the location of the virtual machine ('{}').",
                facts.name, facts.location, ctx.location
            ),
            target: Some(format!("{target}.managedDisk.id")),
        });
    }
    let attached = AttachedDisk {
        name: facts.name.clone(),
        id: facts.id.clone(),
        sku: facts.sku.clone(),
        size_gb: facts.size_gb,
        caching: spec
            .caching
            .clone()
            .or(old.map(|o| o.caching.clone()))
            .unwrap_or_else(|| "None".into()),
        create_option: old
            .map(|o| o.create_option.clone())
            .unwrap_or_else(|| "Attach".into()),
        delete_option: delete_option(spec.delete_option, old),
        lun: spec.lun,
        write_accelerator: spec
            .write_accelerator
            .or(old.and_then(|o| o.write_accelerator)),
    };
    Ok((
        attached,
        (!ours).then(|| DiskChange::Attach(facts.id.clone())),
    ))
}

/// The VM's storage after a PUT, and the disk records to write. The OS disk is made once,
/// from the image (`{vm}_OsDisk_1_{32 hex}`, the image's size unless `diskSizeGB`, the SKU
/// of `managedDisk.storageAccountType`) or attached (`createOption: Attach`); afterwards it
/// stays. Data disks are matched by LUN: new `Empty` ones are created, `Attach` ones must be
/// free, missing ones are detached.
pub fn plan_storage(
    ctx: &StorageContext<'_>,
    old: Option<&Storage>,
    spec: Option<&StorageSpec>,
) -> Result<(Storage, Vec<DiskChange>), DomainError> {
    let mut changes = Vec::new();
    let old_os = old.and_then(|s| s.os_disk.as_ref());
    let os_disk = match (old_os, spec.and_then(|s| s.os_disk.as_ref())) {
        (Some(o), Some(s)) => {
            if let Some(size) = s.size_gb.filter(|size| *size < o.size_gb) {
                return Err(DomainError::InvalidParameter {
                    // GUESS: Azure's wording; disks only grow.
                    message: format!(
                        "Disk size reduction is not supported. Current size is {} GB, requested {size} GB.",
                        o.size_gb
                    ),
                    target: Some("osDisk.diskSizeGB".into()),
                });
            }
            Some(AttachedDisk {
                caching: s.caching.clone().unwrap_or_else(|| o.caching.clone()),
                delete_option: delete_option(s.delete_option, Some(o)),
                write_accelerator: s.write_accelerator.or(o.write_accelerator),
                size_gb: s.size_gb.unwrap_or(o.size_gb),
                ..o.clone()
            })
        }
        (Some(o), None) => Some(o.clone()),
        (None, Some(s)) => {
            let attach_existing = s
                .create_option
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case("attach"));
            if attach_existing {
                let (d, change) = attach(ctx, s, None, "osDisk")?;
                changes.extend(change);
                Some(d)
            } else if spec.is_some_and(|sp| sp.has_image) {
                let size = check_size(
                    s.size_gb.unwrap_or(image_size_gb(ctx.os_type)),
                    "osDisk.diskSizeGB",
                )?;
                let name = format!("{}_OsDisk_1_{}", ctx.vm_id.name(), hex32(ctx));
                let (mut d, change) =
                    implicit(ctx, s, name, size, "FromImage", ctx.os_type, "osDisk")?;
                if s.caching.is_none() {
                    d.caching = "ReadWrite".into();
                }
                changes.push(change);
                Some(d)
            } else {
                None
            }
        }
        (None, None) => None,
    };
    let data_disks = match spec.and_then(|s| s.data_disks.as_ref()) {
        None => old.map(|s| s.data_disks.clone()).unwrap_or_default(),
        Some(list) => {
            if list.len() as u32 > ctx.max_data_disks {
                return Err(DomainError::TooManyDataDisks {
                    max: ctx.max_data_disks,
                });
            }
            let mut out: Vec<AttachedDisk> = Vec::with_capacity(list.len());
            for (i, s) in list.iter().enumerate() {
                let target = format!("dataDisks[{i}]");
                let lun = s.lun.ok_or_else(|| missing(&format!("{target}.lun")))?;
                if lun > 63 {
                    return Err(DomainError::InvalidParameter {
                        // GUESS: Azure's wording.
                        message: format!("The value {lun} of parameter 'lun' is out of range. It must be between 0 and 63."),
                        target: Some(format!("{target}.lun")),
                    });
                }
                if out.iter().any(|d| d.lun == Some(lun)) {
                    return Err(DomainError::InvalidParameter {
                        // GUESS: Azure's wording.
                        message: format!("A disk at LUN {lun} already exists."),
                        target: Some(format!("{target}.lun")),
                    });
                }
                let current = old
                    .into_iter()
                    .flat_map(|o| o.data_disks.iter())
                    .find(|d| d.lun == Some(lun));
                let same_disk = current.filter(|c| {
                    s.managed_disk_id
                        .as_deref()
                        .is_none_or(|m| m.eq_ignore_ascii_case(&c.id))
                        && s.name
                            .as_deref()
                            .is_none_or(|n| n.eq_ignore_ascii_case(&c.name))
                });
                let disk = match same_disk {
                    Some(c) => AttachedDisk {
                        caching: s.caching.clone().unwrap_or_else(|| c.caching.clone()),
                        delete_option: delete_option(s.delete_option, Some(c)),
                        write_accelerator: s.write_accelerator.or(c.write_accelerator),
                        ..c.clone()
                    },
                    None => {
                        let create = s.create_option.as_deref().unwrap_or("Attach");
                        if create.eq_ignore_ascii_case("empty") {
                            let size = check_size(
                                s.size_gb
                                    .ok_or_else(|| missing(&format!("{target}.diskSizeGB")))?,
                                &format!("{target}.diskSizeGB"),
                            )?;
                            let name =
                                format!("{}_disk{}_{}", ctx.vm_id.name(), lun + 2, hex32(ctx));
                            let (d, change) = implicit(ctx, s, name, size, "Empty", None, &target)?;
                            changes.push(change);
                            d
                        } else {
                            let (d, change) = attach(ctx, s, None, &target)?;
                            changes.extend(change);
                            d
                        }
                    }
                };
                if out.iter().any(|d| d.id.eq_ignore_ascii_case(&disk.id))
                    || os_disk
                        .as_ref()
                        .is_some_and(|o| o.id.eq_ignore_ascii_case(&disk.id))
                {
                    return Err(DomainError::InvalidParameter {
                        // GUESS: Azure's wording.
                        message: format!("Disk {} is attached more than once.", disk.name),
                        target: Some(target),
                    });
                }
                out.push(disk);
            }
            for gone in old.into_iter().flat_map(|o| o.data_disks.iter()) {
                if !out.iter().any(|d| d.id.eq_ignore_ascii_case(&gone.id)) {
                    changes.push(DiskChange::Detach(gone.id.clone()));
                }
            }
            out
        }
    };
    Ok((
        Storage {
            os_disk,
            data_disks,
        },
        changes,
    ))
}

/// What deleting the VM does to its disks: each is deleted (`deleteOption: Delete`) or
/// detached and kept.
pub fn on_vm_delete(storage: &Storage) -> Vec<DiskChange> {
    storage
        .all()
        .map(|d| match d.delete_option {
            DeleteOption::Delete => DiskChange::Delete(d.id.clone()),
            DeleteOption::Detach => DiskChange::Detach(d.id.clone()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vm() -> ResourceId {
        ResourceId::parse(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
        )
        .unwrap()
    }

    fn ctx<'a>(vm: &'a ResourceId, disks: &'a HashMap<String, DiskFacts>) -> StorageContext<'a> {
        StorageContext {
            vm_id: vm,
            location: "eastus",
            os_type: Some(OsType::Linux),
            max_data_disks: 2,
            disks,
            now_ms: 1,
            new_guid: &|| "0123abcd-0000-4000-8000-0123456789ab".to_string(),
        }
    }

    fn image_spec(os: DiskRefSpec) -> StorageSpec {
        StorageSpec {
            os_disk: Some(os),
            data_disks: None,
            has_image: true,
        }
    }

    #[test]
    fn a_vm_from_an_image_gets_its_os_disk_as_azure_names_it() {
        let vm = vm();
        let disks = HashMap::new();
        let spec = image_spec(DiskRefSpec {
            sku: Some("standard_lrs".into()),
            ..Default::default()
        });
        let (s, changes) = plan_storage(&ctx(&vm, &disks), None, Some(&spec)).unwrap();
        let os = s.os_disk.unwrap();
        assert!(os.name.starts_with("vm1_OsDisk_1_"), "{}", os.name);
        let hex = os.name.trim_start_matches("vm1_OsDisk_1_");
        assert_eq!(hex.len(), 32);
        assert!(hex.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(os.size_gb, 30);
        assert_eq!(os.sku, "Standard_LRS");
        assert_eq!(os.caching, "ReadWrite");
        assert_eq!(os.create_option, "FromImage");
        assert_eq!(os.delete_option, DeleteOption::Detach);
        assert_eq!(
            os.id,
            format!(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/{}",
                os.name
            )
        );
        match &changes[..] {
            [DiskChange::Create(d, id)] => {
                assert_eq!(id.as_str(), os.id);
                assert_eq!(d.managed_by.as_deref(), Some(vm.as_str()));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn windows_images_give_127_gib_and_disk_size_gb_wins() {
        let vm = vm();
        let disks = HashMap::new();
        let mut c = ctx(&vm, &disks);
        c.os_type = Some(OsType::Windows);
        let (s, _) = plan_storage(&c, None, Some(&image_spec(DiskRefSpec::default()))).unwrap();
        assert_eq!(s.os_disk.unwrap().size_gb, 127);
        let spec = image_spec(DiskRefSpec {
            size_gb: Some(64),
            name: Some("myosdisk".into()),
            ..Default::default()
        });
        let (s, _) = plan_storage(&c, None, Some(&spec)).unwrap();
        let os = s.os_disk.unwrap();
        assert_eq!((os.size_gb, os.name.as_str()), (64, "myosdisk"));
        assert_eq!(os.sku, "Premium_LRS");
    }

    fn facts(name: &str, managed_by: Option<&str>) -> (String, DiskFacts) {
        let id =
            format!("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/{name}");
        (
            key(&id),
            DiskFacts {
                id,
                name: name.into(),
                location: "eastus".into(),
                sku: "Standard_LRS".into(),
                size_gb: 10,
                managed_by: managed_by.map(str::to_string),
            },
        )
    }

    fn data(lun: u32, disk: &str) -> DiskRefSpec {
        DiskRefSpec {
            lun: Some(lun),
            create_option: Some("Attach".into()),
            managed_disk_id: Some(format!(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/{disk}"
            )),
            ..Default::default()
        }
    }

    fn with_data(list: Vec<DiskRefSpec>) -> StorageSpec {
        StorageSpec {
            os_disk: None,
            data_disks: Some(list),
            has_image: false,
        }
    }

    #[test]
    fn data_disks_attach_with_unique_luns_within_the_size_limit() {
        let vm = vm();
        let disks: HashMap<_, _> = [facts("d1", None), facts("d2", None), facts("d3", None)]
            .into_iter()
            .collect();
        let c = ctx(&vm, &disks);
        let (s, changes) = plan_storage(
            &c,
            None,
            Some(&with_data(vec![data(0, "d1"), data(1, "d2")])),
        )
        .unwrap();
        assert_eq!(s.data_disks.len(), 2);
        assert_eq!(changes.len(), 2);
        let e = plan_storage(
            &c,
            None,
            Some(&with_data(vec![data(0, "d1"), data(0, "d2")])),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "A disk at LUN 0 already exists.");
        let e = plan_storage(
            &c,
            None,
            Some(&with_data(vec![
                data(0, "d1"),
                data(1, "d2"),
                data(2, "d3"),
            ])),
        )
        .unwrap_err();
        assert_eq!(e.code(), "OperationNotAllowed");
        assert_eq!(
            e.to_string(),
            "The maximum number of data disks allowed to be attached to a VM of this size is 2."
        );
    }

    #[test]
    fn a_disk_attached_elsewhere_is_refused_and_removed_ones_are_detached() {
        let vm = vm();
        let disks: HashMap<_, _> = [facts("d1", Some("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/other"))]
            .into_iter()
            .collect();
        let e = plan_storage(
            &ctx(&vm, &disks),
            None,
            Some(&with_data(vec![data(0, "d1")])),
        )
        .unwrap_err();
        assert_eq!(e.code(), "OperationNotAllowed");
        assert!(
            e.to_string().starts_with("Disk d1 is attached to VM "),
            "{e}"
        );

        let free: HashMap<_, _> = [facts("d1", None)].into_iter().collect();
        let (s, _) = plan_storage(
            &ctx(&vm, &free),
            None,
            Some(&with_data(vec![data(0, "d1")])),
        )
        .unwrap();
        let (after, changes) =
            plan_storage(&ctx(&vm, &free), Some(&s), Some(&with_data(vec![]))).unwrap();
        assert!(after.data_disks.is_empty());
        assert_eq!(
            changes,
            vec![DiskChange::Detach(s.data_disks[0].id.clone())]
        );
    }

    #[test]
    fn vm_deletion_honours_each_disks_delete_option() {
        let vm = vm();
        let disks = HashMap::new();
        let spec = image_spec(DiskRefSpec {
            delete_option: Some(DeleteOption::Delete),
            ..Default::default()
        });
        let (s, _) = plan_storage(&ctx(&vm, &disks), None, Some(&spec)).unwrap();
        assert_eq!(
            on_vm_delete(&s),
            vec![DiskChange::Delete(s.os_disk.unwrap().id)]
        );
    }
}
