use super::AVAILABILITY_SET;
use crate::network::{first_user, load, require, save, Stored};
use crate::{App, AppError, Page};
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

impl App {
    /// PUT (synchronous, as Azure's availability sets are).
    pub async fn put_availability_set(
        &self,
        id: ResourceId,
        spec: AvailabilitySetSpec,
    ) -> Result<(AvailabilitySetView, bool), AppError> {
        self.subscription(id.subscription()).await?;
        cerulean_store::write(&*self.store, move |tx| {
            crate::groups::load_group(tx, &id.group_id().expect("a resource id has a group"))?;
            let existing = load::<AvailabilitySet>(tx, &id)?;
            let next = availability_set::put(
                &id,
                existing.as_ref().map(|(_, a)| a),
                spec.clone(),
                &uuid::Uuid::new_v4().to_string(),
            )?;
            let rec = save(
                tx,
                &id,
                existing.as_ref().map(|(r, _)| r),
                &next.common.location,
                &next,
            )?;
            Ok((view(tx, &rec)?, existing.is_none()))
        })
        .await
    }

    pub async fn get_availability_set(
        &self,
        id: ResourceId,
    ) -> Result<AvailabilitySetView, AppError> {
        self.subscription(id.subscription()).await?;
        cerulean_store::read(&*self.store, move |tx| {
            let (rec, _) = require::<AvailabilitySet>(tx, &id)?;
            view(tx, &rec)
        })
        .await
    }

    /// DELETE: `false` when there was nothing to delete.
    pub async fn delete_availability_set(&self, id: ResourceId) -> Result<bool, AppError> {
        self.subscription(id.subscription()).await?;
        cerulean_store::write(&*self.store, move |tx| {
            crate::groups::load_group(tx, &id.group_id().expect("a resource id has a group"))?;
            let Some((rec, _)) = load::<AvailabilitySet>(tx, &id)? else {
                return Ok(false);
            };
            purge(tx, &rec)?;
            Ok(true)
        })
        .await
    }

    pub async fn list_availability_sets(
        &self,
        subscription: &str,
        group: Option<&str>,
        after: Option<String>,
    ) -> Result<Page<AvailabilitySetView>, AppError> {
        self.list_network(subscription, group, AVAILABILITY_SET, after, view)
            .await
    }
}
