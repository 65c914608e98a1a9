//! The steps of a deployment (ARM's deployment operations), each a record of its own under
//! the deployment's key (`{deployment}/operations/{operationId}`), so that a step writes a few
//! hundred bytes instead of the whole deployment with its template: a template of megabytes
//! and hundreds of resources once made every step rewrite megabytes. Operation ids begin with
//! the step's number, so key order is the order the steps were taken.

use super::{ours, require, Deployment};
use crate::records::{from_record, new_etag, to_record};
use crate::{App, AppError};
use cerulean_domain::deployment::OPERATION_KIND;
use cerulean_domain::id::ResourceId;
use cerulean_domain::DomainError;
use cerulean_store::{ListQuery, Record, Tx};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// One step of a deployment: a resource created, updated or deleted.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeploymentOperation {
    pub operation_id: String,
    /// `Create` or `Delete`.
    pub provisioning_operation: String,
    /// `Running`, `Succeeded`, `Failed` or `Canceled`.
    pub state: String,
    pub timestamp: String,
    pub duration_ms: i64,
    /// `OK`, `Created`, `BadRequest`, ...
    pub status_code: Option<String>,
    /// `{"error": {...}}` of a failed step.
    pub status_message: Option<Value>,
    pub target_id: String,
    pub target_type: String,
    pub target_name: String,
    pub tracking_id: String,
    pub service_request_id: String,
}

fn step_id(deployment: &ResourceId, operation_id: &str) -> ResourceId {
    deployment.child("operations", operation_id)
}

/// Every step record of the deployment `key`, in the order taken. They are its only
/// children, so they are the keys right after `{key}/`.
fn all(tx: &mut dyn Tx, key: &str) -> Result<Vec<(Record, DeploymentOperation)>, AppError> {
    const PAGE: usize = 500;
    let id = ResourceId::parse(key)?;
    let holder = super::Holder::of(&id);
    let prefix = format!("{key}/");
    let mut out = Vec::new();
    let mut after = prefix.clone();
    loop {
        let page = tx.list(&ListQuery {
            scope: holder.scope(),
            kind: None,
            after: Some(&after),
            limit: PAGE,
        })?;
        let full = page.len() == PAGE;
        for r in page {
            if !r.key.starts_with(&prefix) {
                return Ok(out);
            }
            after = r.key.clone();
            if r.kind == OPERATION_KIND {
                let op = from_record(&r)?;
                out.push((r, op));
            }
        }
        if !full {
            return Ok(out);
        }
    }
}

/// Forgets every record under the deployment `key`: its steps and its template.
pub(super) fn delete_children(tx: &mut dyn Tx, key: &str) -> Result<(), AppError> {
    let id = ResourceId::parse(key)?;
    crate::records::delete_children_in(tx, super::Holder::of(&id).scope(), key)
}

/// Ends the steps still Running with `state` (and the error they ended with), in records and
/// in the steps an older deployment record keeps itself.
pub(super) fn end_running(
    tx: &mut dyn Tx,
    id: &ResourceId,
    d: &mut Deployment,
    state: &str,
    error: Option<&Value>,
) -> Result<(), AppError> {
    let now = super::rfc3339_now();
    let end = |o: &mut DeploymentOperation| {
        o.state = state.into();
        o.timestamp = now.clone();
        o.status_message = error.map(|e| json!({"status": "Failed", "error": e}));
    };
    d.operations
        .iter_mut()
        .filter(|o| o.state == "Running")
        .for_each(end);
    for (r, mut op) in all(tx, id.key())? {
        if op.state == "Running" {
            end(&mut op);
            let step = ResourceId::parse(&r.id)?;
            tx.replace(&to_record(&step, "", &op, new_etag()), &r.etag)?;
        }
    }
    Ok(())
}

impl App {
    /// Records a step of the run `correlation_id` of a deployment, which this server applies
    /// (a new one, or its outcome). False when the run is no longer this server's.
    pub async fn record_step(
        &self,
        id: ResourceId,
        correlation_id: String,
        op: DeploymentOperation,
    ) -> Result<bool, AppError> {
        let instance = self.instance_id().to_string();
        self.write_under(super::deployment_keys(&id), move |tx| {
            if ours(tx, id.key(), &instance, &correlation_id)?.is_none() {
                return Ok(false);
            }
            let step = step_id(&id, &op.operation_id);
            tx.put(&to_record(&step, "", &op, new_etag()))?;
            Ok(true)
        })
        .await
    }

    /// Whether the run `correlation_id` was asked to stop, or is no longer this server's.
    pub async fn run_stop_requested(
        &self,
        id: ResourceId,
        correlation_id: String,
    ) -> Result<bool, AppError> {
        let instance = self.instance_id().to_string();
        cerulean_store::read(&*self.store, move |tx| {
            Ok(ours(tx, id.key(), &instance, &correlation_id)?.is_none_or(|r| r.cancel_requested))
        })
        .await
    }

    /// The steps of a deployment, in the order taken.
    pub async fn deployment_steps(
        &self,
        id: ResourceId,
    ) -> Result<(String, Vec<DeploymentOperation>), AppError> {
        self.subscription(id.subscription()).await?;
        cerulean_store::read(&*self.store, move |tx| {
            let (rec, d) = require(tx, &id)?;
            let mut ops = d.operations;
            ops.extend(all(tx, id.key())?.into_iter().map(|(_, op)| op));
            Ok((rec.id, ops))
        })
        .await
    }

    /// One step of a deployment.
    pub async fn deployment_step(
        &self,
        id: ResourceId,
        operation_id: String,
    ) -> Result<(String, DeploymentOperation), AppError> {
        self.subscription(id.subscription()).await?;
        cerulean_store::read(&*self.store, move |tx| {
            let (rec, d) = require(tx, &id)?;
            let found = match tx.get(step_id(&id, &operation_id).key())? {
                Some(r) if r.kind == OPERATION_KIND => Some(from_record(&r)?),
                _ => d
                    .operations
                    .into_iter()
                    .find(|o| o.operation_id.eq_ignore_ascii_case(&operation_id)),
            };
            let op = found.ok_or_else(|| DomainError::OperationNotFound {
                id: operation_id.clone(),
            })?;
            Ok((rec.id, op))
        })
        .await
    }
}
