use super::AVAILABILITY_SET;
use crate::network::{first_user, Stored};
use crate::AppError;
use cerulean_domain::compute::availability_set::{self, AvailabilitySet, AvailabilitySetSpec};
use cerulean_domain::id::ResourceId;
use cerulean_store::{Record, RefKind, Tx};

#[derive(Clone, Debug)]
pub struct AvailabilitySetView {
    pub set: Stored<AvailabilitySet>,
    pub vms: Vec<String>,
}

pub fn view(tx: &mut dyn Tx, rec: &Record) -> Result<AvailabilitySetView, AppError> {
    let vms = tx.refs_to(&rec.key, RefKind::AvailabilitySet)?;
    Ok(AvailabilitySetView {
        set: Stored::from(rec)?,
        vms: vms.into_iter().map(|r| r.from_id).collect(),
    })
}

pub(crate) fn purge(tx: &mut dyn Tx, rec: &Record) -> Result<(), AppError> {
    let id = ResourceId::parse(&rec.id)?;
    availability_set::check_delete(
        &id,
        first_user(tx, &rec.key, RefKind::AvailabilitySet)?.as_deref(),
    )?;
    tx.delete(&rec.key)?;
    Ok(())
}

/// Availability sets on the tracked-resource path; their writes are synchronous, as Azure's.
pub struct AvailabilitySets;

impl crate::tracked::Kind for AvailabilitySets {
    const KIND: &'static str = AVAILABILITY_SET;
    const SYNCHRONOUS: bool = true;
    type Value = AvailabilitySet;
    type Spec = AvailabilitySetSpec;
    type View = AvailabilitySetView;

    fn view(tx: &mut dyn Tx, rec: &Record) -> Result<AvailabilitySetView, AppError> {
        view(tx, rec)
    }

    /// The set alone: a VM's PUT that joins it declares its key too.
    fn put_locks(id: &ResourceId, _spec: &AvailabilitySetSpec) -> Option<Vec<String>> {
        Some(vec![id.key().to_string()])
    }

    fn put(
        _tx: &mut dyn Tx,
        _env: &crate::tracked::Env,
        id: &ResourceId,
        existing: Option<&(Record, AvailabilitySet)>,
        spec: AvailabilitySetSpec,
    ) -> Result<AvailabilitySet, AppError> {
        Ok(availability_set::put(
            id,
            existing.map(|(_, a)| a),
            spec,
            &uuid::Uuid::new_v4().to_string(),
        )?)
    }
}
