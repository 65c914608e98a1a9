//! Managed disk use cases: disks on the tracked-resource path, and the disk records a VM's
//! PUT or DELETE creates, attaches, detaches or deletes (`apply`).

use super::DISK;
use crate::network::{load, save, Stored};
use crate::{App, AppError};
use cerulean_domain::compute::disk::{self, Disk, DiskSpec};
use cerulean_domain::compute::storage::{DiskChange, DiskFacts};
use cerulean_domain::id::ResourceId;
use cerulean_domain::operation::Operation;
use cerulean_store::{Record, Tx};
use std::collections::HashMap;

#[derive(Clone, Debug)]
pub struct DiskView {
    pub disk: Stored<Disk>,
}

pub fn view(_tx: &mut dyn Tx, rec: &Record) -> Result<DiskView, AppError> {
    Ok(DiskView {
        disk: Stored::from(rec)?,
    })
}

/// Managed disks on the tracked-resource path.
pub struct Disks;

impl crate::tracked::Kind for Disks {
    const KIND: &'static str = DISK;
    type Value = Disk;
    type Spec = DiskSpec;
    type View = DiskView;

    fn view(tx: &mut dyn Tx, rec: &Record) -> Result<DiskView, AppError> {
        view(tx, rec)
    }

    /// The disk alone: a VM's write that attaches or detaches it declares its key too.
    fn put_locks(id: &ResourceId, _spec: &DiskSpec) -> Option<Vec<String>> {
        Some(vec![id.key().to_string()])
    }

    fn put(
        _tx: &mut dyn Tx,
        _env: &crate::tracked::Env,
        id: &ResourceId,
        existing: Option<&(Record, Disk)>,
        spec: DiskSpec,
    ) -> Result<Disk, AppError> {
        Ok(disk::put_disk(
            id,
            existing.map(|(_, d)| d),
            spec,
            &uuid::Uuid::new_v4().to_string(),
            crate::operations::now_ms(),
        )?)
    }

    fn operation(env: &crate::tracked::Env, id: &ResourceId, location: &str) -> Operation {
        App::compute_operation(env.ops, id, location)
    }
}

/// Deletes a disk inside a transaction: refused while a VM uses it. The record is read again:
/// a group delete hands over what it listed, and deleting the group's VMs first may have
/// detached (or deleted) the disk since.
pub(crate) fn purge(tx: &mut dyn Tx, rec: &Record) -> Result<(), AppError> {
    let Some(current) = tx.get(&rec.key)? else {
        return Ok(());
    };
    let d: Disk = crate::records::from_record(&current)?;
    disk::check_delete(&d)?;
    tx.delete(&rec.key)?;
    Ok(())
}

/// What the VM rules need to know of the disks these ids name (those that exist).
pub(crate) fn facts<'a>(
    tx: &mut dyn Tx,
    ids: impl Iterator<Item = &'a str>,
) -> Result<HashMap<String, DiskFacts>, AppError> {
    let mut out = HashMap::new();
    for raw in ids {
        let Ok(id) = ResourceId::parse(raw) else {
            continue;
        };
        if out.contains_key(id.key()) {
            continue;
        }
        if let Some((rec, d)) = load::<Disk>(tx, &id)? {
            if rec.kind != DISK {
                continue;
            }
            out.insert(
                id.key().to_string(),
                DiskFacts {
                    id: rec.id.clone(),
                    name: d.common.name.clone(),
                    location: d.common.location.clone(),
                    sku: d.sku.clone(),
                    size_gb: d.size_gb,
                    managed_by: d.managed_by.clone(),
                },
            );
        }
    }
    Ok(out)
}

/// Writes the disk records a VM's storage plan (or deletion) calls for.
pub(crate) fn apply(
    tx: &mut dyn Tx,
    vm_id: &str,
    changes: Vec<DiskChange>,
) -> Result<(), AppError> {
    for change in changes {
        match change {
            DiskChange::Create(d, id) => {
                crate::groups::load_group(tx, &id.group_id().expect("a disk id has a group"))?;
                if tx.get(id.key())?.is_some() {
                    return Err(cerulean_domain::DomainError::InvalidParameter {
                        // GUESS: Azure's wording for an implicit disk whose name is taken.
                        message: format!(
                            "A disk named '{}' already exists in the resource group.",
                            d.common.name
                        ),
                        target: Some("storageProfile".into()),
                    }
                    .into());
                }
                let location = d.common.location.clone();
                save(tx, &id, None, &location, &*d)?;
            }
            DiskChange::Attach(raw) => set_managed_by(tx, &raw, Some(vm_id))?,
            DiskChange::Detach(raw) => set_managed_by(tx, &raw, None)?,
            DiskChange::Delete(raw) => {
                if let Some((rec, _)) = load::<Disk>(tx, &ResourceId::parse(&raw)?)? {
                    tx.delete(&rec.key)?;
                }
            }
        }
    }
    Ok(())
}

/// Records which VM a disk is attached to (`None`: detached).
fn set_managed_by(tx: &mut dyn Tx, raw: &str, vm_id: Option<&str>) -> Result<(), AppError> {
    let id = ResourceId::parse(raw)?;
    if let Some((rec, mut d)) = load::<Disk>(tx, &id)? {
        d.managed_by = vm_id.map(str::to_string);
        let location = d.common.location.clone();
        save(tx, &id, Some(&rec), &location, &d)?;
    }
    Ok(())
}
