//! Template deployments as stored records. Running one (evaluating its template and applying
//! each resource through the ARM edge) is the edge's job; this module keeps the deployment's
//! record and enforces the rules about the deployment itself, each in one transaction.

use crate::network::Stored;
use crate::records::{from_record, list_page, new_etag, to_record};
use crate::{App, AppError, Page};
use cerulean_domain::deployment::{self, DeploymentState, Mode, KIND};
use cerulean_domain::id::ResourceId;
use cerulean_domain::tags::Tags;
use cerulean_domain::DomainError;
use cerulean_store::{Record, Scope, Tx};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A deployment as stored. Template, parameters and results are ARM JSON kept verbatim: the
/// store never interprets them and neither does this layer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Deployment {
    pub name: String,
    #[serde(default)]
    pub tags: Tags,
    pub mode: Mode,
    pub state: DeploymentState,
    pub template: Value,
    pub template_hash: String,
    /// As echoed back: secure values are left out.
    pub parameters: Value,
    pub correlation_id: String,
    /// RFC 3339.
    pub started_at: String,
    pub finished_at: Option<String>,
    pub duration_ms: i64,
    pub outputs: Option<Value>,
    pub output_resources: Vec<String>,
    pub dependencies: Value,
    pub providers: Value,
    /// ARM's `error` object of a failed deployment.
    pub error: Option<Value>,
    pub operations: Vec<DeploymentOperation>,
    #[serde(default)]
    pub cancel_requested: bool,
    /// When the record last changed (ms since the epoch): how an abandoned run is noticed.
    #[serde(default)]
    pub updated_ms: i64,
}

impl Deployment {
    /// Reports a run that stopped making progress (its server went away) as Failed.
    fn settle(mut self, now_ms: i64) -> Self {
        let state = deployment::effective_state(self.state, self.updated_ms, now_ms);
        if state != self.state {
            self.state = state;
            self.error = Some(serde_json::json!({
                "code": "DeploymentFailed",
                "message": "The deployment stopped making progress: the server running it was stopped. Resources created so far remain; deploy again to finish.",
            }));
        }
        self
    }
}

/// One step of a deployment: a resource created, updated or deleted.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeploymentOperation {
    pub operation_id: String,
    /// `Create` or `Delete`.
    pub provisioning_operation: String,
    /// `Running`, `Succeeded` or `Failed`.
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

pub fn deployment_id(subscription: &str, group: &str, name: &str) -> ResourceId {
    ResourceId::resource(
        subscription,
        group,
        "Microsoft.Resources",
        "deployments",
        name,
    )
}

fn load(tx: &mut dyn Tx, id: &ResourceId) -> Result<Option<(Record, Deployment)>, AppError> {
    match tx.get(id.key())? {
        Some(rec) => {
            let d: Deployment = from_record(&rec)?;
            Ok(Some((rec, d.settle(crate::operations::now_ms()))))
        }
        None => Ok(None),
    }
}

fn require(tx: &mut dyn Tx, id: &ResourceId) -> Result<(Record, Deployment), AppError> {
    if let Some(found) = load(tx, id)? {
        return Ok(found);
    }
    crate::groups::load_group(tx, &id.group_id().expect("a deployment id has a group"))?;
    Err(DomainError::DeploymentNotFound {
        name: id.name().into(),
    }
    .into())
}

fn save(
    tx: &mut dyn Tx,
    id: &ResourceId,
    existing: Option<&Record>,
    d: &Deployment,
) -> Result<Record, AppError> {
    let stored_id = match existing {
        Some(r) => ResourceId::parse(&r.id)?,
        None => id.clone(),
    };
    let location = existing
        .and_then(|r| r.location.clone())
        .unwrap_or_default();
    let rec = to_record(&stored_id, &location, d, new_etag());
    tx.put(&rec)?;
    Ok(rec)
}

impl App {
    /// Starts (or restarts) a deployment: the group must exist and a deployment of the same
    /// name must not be running. Returns the stored deployment and whether it is new.
    pub async fn begin_deployment(
        &self,
        id: ResourceId,
        d: Deployment,
    ) -> Result<(Stored<Deployment>, bool), AppError> {
        self.subscription(id.subscription()).await?;
        deployment::validate_name(id.name())?;
        cerulean_store::write(&*self.store, move |tx| {
            let group = crate::groups::load_group(
                tx,
                &id.group_id().expect("a deployment id has a group"),
            )?;
            let existing = load(tx, &id)?;
            if let Some((_, old)) = &existing {
                deployment::check_replace(&old.name, old.state, &old.started_at)?;
            }
            let stored_id = match &existing {
                Some((r, _)) => ResourceId::parse(&r.id)?,
                None => id.clone(),
            };
            let location = group.location.clone().unwrap_or_default();
            let mut d = d.clone();
            d.updated_ms = crate::operations::now_ms();
            let rec = to_record(&stored_id, &location, &d, new_etag());
            tx.put(&rec)?;
            Ok((Stored::from(&rec)?, existing.is_none()))
        })
        .await
    }

    /// Changes a stored deployment (progress of a running one).
    pub async fn update_deployment<F>(
        &self,
        id: ResourceId,
        f: F,
    ) -> Result<Stored<Deployment>, AppError>
    where
        F: Fn(&mut Deployment) + Send + 'static,
    {
        cerulean_store::write(&*self.store, move |tx| {
            let (rec, mut d) = require(tx, &id)?;
            f(&mut d);
            d.updated_ms = crate::operations::now_ms();
            let rec = save(tx, &id, Some(&rec), &d)?;
            Stored::from(&rec)
        })
        .await
    }

    pub async fn get_deployment(&self, id: ResourceId) -> Result<Stored<Deployment>, AppError> {
        self.subscription(id.subscription()).await?;
        cerulean_store::read(&*self.store, move |tx| {
            let (rec, d) = require(tx, &id)?;
            Ok(Stored {
                id: rec.id,
                etag: rec.etag,
                value: d,
            })
        })
        .await
    }

    pub async fn list_deployments(
        &self,
        subscription: &str,
        group: &str,
        after: Option<String>,
    ) -> Result<Page<Stored<Deployment>>, AppError> {
        self.subscription(subscription).await?;
        let group_id = ResourceId::group(subscription, group);
        let limit = self.config.page_size;
        cerulean_store::read(&*self.store, move |tx| {
            crate::groups::load_group(tx, &group_id)?;
            let page = list_page(
                tx,
                Scope::Group(group_id.key()),
                Some(KIND),
                after.as_deref(),
                limit,
                &|_| Ok(true),
            )?;
            Ok(Page {
                items: page
                    .items
                    .iter()
                    .map(Stored::from)
                    .collect::<Result<_, _>>()?,
                next: page.next,
            })
        })
        .await
    }

    /// Forgets a finished deployment (its resources stay). `false` when there was none.
    pub async fn delete_deployment(&self, id: ResourceId) -> Result<bool, AppError> {
        self.subscription(id.subscription()).await?;
        cerulean_store::write(&*self.store, move |tx| {
            crate::groups::load_group(tx, &id.group_id().expect("a deployment id has a group"))?;
            let Some((_, d)) = load(tx, &id)? else {
                return Ok(false);
            };
            deployment::check_replace(&d.name, d.state, &d.started_at)?;
            tx.delete(id.key())?;
            Ok(true)
        })
        .await
    }

    /// Asks a running deployment to stop after the resource it is applying.
    pub async fn cancel_deployment(&self, id: ResourceId) -> Result<(), AppError> {
        self.subscription(id.subscription()).await?;
        cerulean_store::write(&*self.store, move |tx| {
            let (rec, mut d) = require(tx, &id)?;
            deployment::check_cancel(&d.name, d.state)?;
            d.cancel_requested = true;
            save(tx, &id, Some(&rec), &d)?;
            Ok(())
        })
        .await
    }
}
