//! Template deployments as stored records. Running one (evaluating its template and applying
//! each resource through the ARM edge) is the edge's job; this module keeps the deployment's
//! record and enforces the rules about the deployment itself, each in one transaction.
//!
//! The record (which holds the template, up to megabytes) is written when a run starts,
//! begins and ends, never per step: each step is a record of its own (`steps.rs`), and the
//! runner fences on and reads stop requests from its run's small row in the store.

mod steps;

pub use steps::DeploymentOperation;

use crate::network::Stored;
use crate::records::{from_record, list_page, new_etag, to_record};
use crate::{App, AppError, Page};
use cerulean_domain::deployment::{self, DeploymentState, Interruption, Mode, KIND};
use cerulean_domain::id::ResourceId;
use cerulean_domain::tags::Tags;
use cerulean_domain::DomainError;
use cerulean_store::{Record, Run, Scope, Tx};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// A deployment as stored. Template, parameters and results are ARM JSON kept verbatim: the
/// store never interprets them and neither does this layer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Deployment {
    pub name: String,
    /// A subscription deployment's location (a group's deployment has none of its own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default)]
    pub tags: Tags,
    pub mode: Mode,
    pub state: DeploymentState,
    /// Stored as a record of its own (see `template_id`); inline only in records stored
    /// before, and in a deployment being begun.
    #[serde(default, skip_serializing_if = "Value::is_null")]
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
    /// Steps of a deployment stored before steps were records of their own (read only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<DeploymentOperation>,
}

impl Deployment {
    /// Ends the deployment as Failed with `e` (its server went away or shut down).
    fn fail_with(&mut self, e: &DomainError) -> Value {
        let error = json!({"code": e.code(), "message": e.to_string()});
        self.state = DeploymentState::Failed;
        self.finished_at = Some(rfc3339_now());
        self.error = Some(error.clone());
        error
    }
}

/// Ends an active deployment interrupted for `why` as Failed; the step it was applying fails
/// with the same error.
fn interrupt(
    tx: &mut dyn Tx,
    id: &ResourceId,
    rec: &Record,
    d: &mut Deployment,
    why: Interruption,
) -> Result<(), AppError> {
    let error = d.fail_with(&deployment::interrupted(&d.name, &why));
    steps::end_running(tx, id, d, "Failed", Some(&error))?;
    save(tx, id, Some(rec), d)?;
    tx.run_end(id.key())?;
    Ok(())
}

/// Azure's timestamps: RFC 3339 in UTC with microseconds.
pub fn rfc3339_now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Where a deployment's template is kept: read by `exportTemplate` alone, it stays out of the
/// record that every poll and list decodes.
fn template_id(id: &ResourceId) -> ResourceId {
    id.child("templates", "template")
}

/// A deployment of a resource group, or (`group` `None`) of the subscription itself.
pub fn deployment_id(subscription: &str, group: Option<&str>, name: &str) -> ResourceId {
    ResourceId::provider_resource(
        subscription,
        group,
        "Microsoft.Resources",
        "deployments",
        name,
    )
}

/// What holds a deployment's records: its group, or (a subscription deployment) its
/// subscription.
pub(super) struct Holder {
    /// The group's key, or the subscription's lower-case id.
    key: String,
    group: Option<ResourceId>,
}

impl Holder {
    fn new(subscription: &str, group: Option<&str>) -> Holder {
        let group = group.map(|g| ResourceId::group(subscription, g));
        let key = match &group {
            Some(g) => g.key().to_string(),
            None => subscription.to_ascii_lowercase(),
        };
        Holder { key, group }
    }

    pub(super) fn of(id: &ResourceId) -> Holder {
        Holder::new(id.subscription(), id.group_name())
    }

    /// Where its records are listed.
    pub(super) fn scope(&self) -> Scope<'_> {
        match self.group {
            Some(_) => Scope::Group(&self.key),
            None => Scope::Subscription(&self.key),
        }
    }

    /// A group needs to exist (404 `ResourceGroupNotFound`): its record.
    fn load(&self, tx: &mut dyn Tx) -> Result<Option<Record>, AppError> {
        match &self.group {
            Some(g) => crate::groups::load_group(tx, g).map(Some),
            None => Ok(None),
        }
    }
}

fn load(tx: &mut dyn Tx, id: &ResourceId) -> Result<Option<(Record, Deployment)>, AppError> {
    match tx.get(id.key())? {
        Some(rec) => Ok(Some((rec.clone(), from_record(&rec)?))),
        None => Ok(None),
    }
}

fn require(tx: &mut dyn Tx, id: &ResourceId) -> Result<(Record, Deployment), AppError> {
    if let Some(found) = load(tx, id)? {
        return Ok(found);
    }
    Holder::of(id).load(tx)?;
    Err(DomainError::DeploymentNotFound {
        name: id.name().into(),
    }
    .into())
}

/// Whether an active deployment's server is gone (its run's owner holds no lease, or it has
/// no run): then nothing will ever finish it, and it must be settled.
fn orphaned(tx: &mut dyn Tx, key: &str, d: &Deployment) -> Result<Option<String>, AppError> {
    if !d.state.is_active() {
        return Ok(None);
    }
    Ok(match tx.run_get(key)? {
        Some(run) if run.owner_alive => None,
        Some(run) => Some(run.owner),
        None => Some(String::new()),
    })
}

/// The lock a write of a deployment declares: its id, which its template, its steps and
/// its run are kept under (and, as for every key, its group shared: deleting the group
/// waits). Settling the runs of a server that went away runs alone, so it excludes these.
pub(crate) fn deployment_keys(id: &ResourceId) -> Vec<String> {
    vec![id.key().to_string()]
}

/// Settles a deployment whose server is gone as Failed (interrupted) and forgets its run,
/// before a write decides anything about it.
fn settle_if_orphaned(
    tx: &mut dyn Tx,
    id: &ResourceId,
    rec: &Record,
    d: &mut Deployment,
) -> Result<(), AppError> {
    if let Some(instance) = orphaned(tx, id.key(), d)? {
        interrupt(tx, id, rec, d, Interruption::ServerLost { instance })?;
    }
    Ok(())
}

/// Settles the deployment of a run whose server is gone (see `crate::lease`): an active one
/// fails as interrupted; the run is forgotten either way.
pub(crate) fn settle_run(tx: &mut dyn Tx, run: &Run) -> Result<(), AppError> {
    if let Some(rec) = tx.get(&run.key)?.filter(|r| r.kind == KIND) {
        // One unreadable record must not stop the settling of others (nor, in the same
        // transaction, a heartbeat): its run ends, `cerulean check` names it.
        let Ok(mut d) = from_record::<Deployment>(&rec) else {
            tracing::error!(deployment = %rec.id, "an unreadable deployment's run is ended");
            tx.run_end(&run.key)?;
            return Ok(());
        };
        if d.state.is_active() {
            tracing::warn!(deployment = %rec.id, owner = %run.owner, "settling a deployment whose server is gone");
            let why = Interruption::ServerLost {
                instance: run.owner.clone(),
            };
            interrupt(tx, &ResourceId::parse(&rec.id)?, &rec, &mut d, why)?;
        }
    }
    tx.run_end(&run.key)?;
    Ok(())
}

/// A group delete removes its deployments; their steps and runs go with them (a runner still
/// going finds its run gone and stops).
pub(crate) fn purge(tx: &mut dyn Tx, rec: &Record) -> Result<(), AppError> {
    steps::delete_children(tx, &rec.key)?;
    tx.delete(&rec.key)?;
    tx.run_end(&rec.key)?;
    Ok(())
}

/// Whether the run `token` of deployment `key` is still this server's (`instance`) to carry
/// on: not settled, replaced or deleted.
fn ours(tx: &mut dyn Tx, key: &str, instance: &str, token: &str) -> Result<Option<Run>, AppError> {
    Ok(tx
        .run_get(key)?
        .filter(|r| r.owner == instance && r.token == token))
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
    tx.write_over(&rec, existing.map(|r| r.etag.as_str()))?;
    Ok(rec)
}

impl App {
    /// Starts (or restarts) a deployment: the group must exist and a deployment of the same
    /// name must not be running (one whose server is gone is settled first). This server owns
    /// its run from now on. Returns the stored deployment and whether it is new. `location`:
    /// a subscription deployment's own (a group's takes its group's).
    pub async fn begin_deployment(
        &self,
        id: ResourceId,
        d: Deployment,
        location: Option<String>,
    ) -> Result<(Stored<Deployment>, bool), AppError> {
        self.subscription(id.subscription()).await?;
        deployment::validate_name(id.name())?;
        let instance = self.instance_id().to_string();
        self.write_under(deployment_keys(&id), move |tx| {
            let group = Holder::of(&id).load(tx)?;
            let existing = load(tx, &id)?;
            if let Some((rec, mut old)) = existing.clone() {
                settle_if_orphaned(tx, &id, &rec, &mut old)?;
                deployment::check_replace(&old.name, old.state, &old.started_at)?;
                if let (None, Some(requested)) = (&group, &location) {
                    let was = rec.location.as_deref().unwrap_or_default();
                    deployment::check_location(&old.name, was, requested)?;
                }
            }
            let stored_id = match &existing {
                Some((r, _)) => ResourceId::parse(&r.id)?,
                None => id.clone(),
            };
            let location = match &group {
                Some(g) => g.location.clone().unwrap_or_default(),
                None => location.clone().unwrap_or_default(),
            };
            let mut d = d.clone();
            if group.is_none() {
                d.location = Some(location.clone());
            }
            let template = std::mem::take(&mut d.template);
            let rec = to_record(&stored_id, &location, &d, new_etag());
            tx.write_over(&rec, existing.as_ref().map(|(r, _)| r.etag.as_str()))?;
            // A new run replaces the old one, its steps and its template.
            steps::delete_children(tx, id.key())?;
            tx.put(&to_record(
                &template_id(&stored_id),
                &location,
                &template,
                new_etag(),
            ))?;
            tx.run_start(id.key(), &instance, &d.correlation_id)?;
            Ok((Stored::from(&rec)?, existing.is_none()))
        })
        .await
    }

    /// Changes the deployment as the run `correlation_id`, which this server applies, begins
    /// or ends. `None` when the run is no longer this server's to report on (settled because
    /// this server was thought gone, replaced, deleted with its group): the runner stops.
    /// A final state ends the run.
    pub async fn update_deployment<F>(
        &self,
        id: ResourceId,
        correlation_id: String,
        f: F,
    ) -> Result<Option<Stored<Deployment>>, AppError>
    where
        F: Fn(&mut Deployment) + Send + Sync + 'static,
    {
        let instance = self.instance_id().to_string();
        let f = std::sync::Arc::new(f);
        self.write_under(deployment_keys(&id), move |tx| {
            if ours(tx, id.key(), &instance, &correlation_id)?.is_none() {
                return Ok(None);
            }
            let Some((rec, mut d)) = load(tx, &id)? else {
                return Ok(None);
            };
            f(&mut d);
            if !d.state.is_active() {
                tx.run_end(id.key())?;
            }
            let rec = save(tx, &id, Some(&rec), &d)?;
            Stored::from(&rec).map(Some)
        })
        .await
    }

    /// Ends the run `correlation_id` of a deployment, which this server applies, as
    /// interrupted for `why` (the server is shutting down). False when the run was no longer
    /// this server's.
    pub async fn interrupt_deployment(
        &self,
        id: ResourceId,
        correlation_id: String,
        why: Interruption,
    ) -> Result<bool, AppError> {
        let instance = self.instance_id().to_string();
        self.write_under(deployment_keys(&id), move |tx| {
            if ours(tx, id.key(), &instance, &correlation_id)?.is_none() {
                return Ok(false);
            }
            let Some((rec, mut d)) = load(tx, &id)? else {
                return Ok(false);
            };
            interrupt(tx, &id, &rec, &mut d, why.clone())?;
            Ok(true)
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

    /// The template a deployment was given (`exportTemplate`).
    pub async fn deployment_template(&self, id: ResourceId) -> Result<Value, AppError> {
        self.subscription(id.subscription()).await?;
        cerulean_store::read(&*self.store, move |tx| {
            let (_, d) = require(tx, &id)?;
            if !d.template.is_null() {
                return Ok(d.template);
            }
            match tx.get(template_id(&id).key())? {
                Some(r) => from_record(&r),
                None => Ok(Value::Null),
            }
        })
        .await
    }

    /// The deployments of a group, or (`group` `None`) of the subscription itself.
    pub async fn list_deployments(
        &self,
        subscription: &str,
        group: Option<&str>,
        after: Option<String>,
    ) -> Result<Page<Stored<Deployment>>, AppError> {
        self.subscription(subscription).await?;
        let holder = Holder::new(subscription, group);
        let limit = self.config.page_size;
        cerulean_store::read(&*self.store, move |tx| {
            holder.load(tx)?;
            // A subscription's list reads the subscription's records of the kind, and keeps
            // those outside groups.
            let own = format!("/subscriptions/{}/providers/", holder.key);
            let page = list_page(
                tx,
                holder.scope(),
                Some(KIND),
                after.as_deref(),
                limit,
                &|r| Ok(holder.group.is_some() || r.key.starts_with(&own)),
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
        self.write_under(deployment_keys(&id), move |tx| {
            Holder::of(&id).load(tx)?;
            let Some((rec, mut d)) = load(tx, &id)? else {
                return Ok(false);
            };
            settle_if_orphaned(tx, &id, &rec, &mut d)?;
            deployment::check_replace(&d.name, d.state, &d.started_at)?;
            purge(tx, &rec)?;
            Ok(true)
        })
        .await
    }

    /// Asks a running deployment to stop after the resource it is applying (its server, any
    /// one sharing the store, reads the request before each step). A deployment whose server
    /// is gone has nobody to ask: it is Canceled here and now.
    pub async fn cancel_deployment(&self, id: ResourceId) -> Result<(), AppError> {
        self.subscription(id.subscription()).await?;
        self.write_under(deployment_keys(&id), move |tx| {
            let (rec, mut d) = require(tx, &id)?;
            deployment::check_cancel(&d.name, d.state)?;
            if orphaned(tx, id.key(), &d)?.is_none() {
                tx.run_cancel(id.key())?;
                return Ok(());
            }
            steps::end_running(tx, &id, &mut d, "Canceled", None)?;
            d.state = DeploymentState::Canceled;
            d.finished_at = Some(rfc3339_now());
            tx.run_end(id.key())?;
            save(tx, &id, Some(&rec), &d)?;
            Ok(())
        })
        .await
    }
}
