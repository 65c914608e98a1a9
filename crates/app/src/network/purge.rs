//! Deleting any stored resource with its kind's own rules and clean-up, and the locks that
//! clean-up takes where writers run side by side: one place for a DELETE of any kind and for
//! each member of a group being deleted.

use super::{load_balancers, nics, public_ips, vnets, LOAD_BALANCER, NIC, PUBLIC_IP, VNET};
use crate::records::from_record;
use crate::AppError;
use cerulean_domain::id::ResourceId;
use cerulean_domain::private_endpoint as pe;
use cerulean_store::{Record, Tx};

/// Deletes any stored resource inside a transaction with its kind's own rules and clean-up
/// (addresses given back, references dropped); what a group delete calls for each member.
pub(crate) fn purge_any(
    tx: &mut dyn Tx,
    rec: &Record,
    pools: &public_ips::Pools,
) -> Result<(), AppError> {
    match rec.kind.as_str() {
        NIC => nics::purge(tx, rec),
        PUBLIC_IP => public_ips::purge(tx, rec, pools),
        LOAD_BALANCER => load_balancers::purge(tx, rec),
        VNET => vnets::purge(tx, rec),
        crate::compute::VM => crate::compute::vms::purge(tx, rec, pools),
        crate::compute::AVAILABILITY_SET => crate::compute::availability_sets::purge(tx, rec),
        cerulean_domain::deployment::KIND => crate::deployments::purge(tx, rec),
        crate::compute::DISK => crate::compute::disks::purge(tx, rec),
        pe::KIND | pe::ZONE_GROUP_KIND => crate::private_endpoints::purge(tx, rec),
        _ => {
            tx.set_refs(&rec.key, &[])?;
            tx.delete(&rec.key)?;
            Ok(())
        }
    }
}

/// The write locks [`purge_any`] of `rec` takes where writers run side by side: its own key
/// and every key whose state its clean-up reads for a rule or changes (address books,
/// attachments, pool members). Whatever uses the resource locks its key when it starts to,
/// so the resource's key covers the "still in use?" checks; the others' rules are here.
pub(crate) fn purge_locks(tx: &mut dyn Tx, rec: &Record) -> Result<Vec<String>, AppError> {
    let id = ResourceId::parse(&rec.id)?;
    match rec.kind.as_str() {
        NIC => nics::delete_locks(tx, &id, &from_record(rec)?),
        PUBLIC_IP => Ok(public_ips::delete_locks(&id, &from_record(rec)?)),
        LOAD_BALANCER => Ok(load_balancers::delete_locks(&id, &from_record(rec)?)),
        VNET => Ok(vnets::delete_locks(&id, &from_record(rec)?)),
        crate::compute::VM => crate::compute::vms::delete_locks(tx, &id, &from_record(rec)?),
        pe::KIND | pe::ZONE_GROUP_KIND => crate::private_endpoints::purge_locks(tx, rec),
        // Availability sets, disks, deployments and generic resources: their clean-up
        // changes nothing outside them (a deployment's steps and a generic resource's
        // children are under its key).
        _ => Ok(vec![rec.key.clone()]),
    }
}
