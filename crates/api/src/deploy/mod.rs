//! Running a template deployment. A deployment's resources are applied one at a time in
//! dependency order, each as the same ARM request a client would send (`crate::internal`),
//! so every rule holds inside templates too. A resource that fails stops the resources that
//! depend on it; the others go on, what was created stays, and the deployment is Failed with
//! each failing resource's own error in `error.details` (as ARM does).
//!
//! The server that stored the deployment runs it and owns its run in the store
//! (`cerulean_app::lease`). Before each step the runner stops if the deployment was
//! cancelled or the server is shutting down (then it fails as interrupted); a progress write
//! refused because the run is no longer this server's (settled while this server was thought
//! gone, replaced, deleted) stops it without another word.

mod runtime;
pub mod whatif;

use crate::identity::Caller;
use crate::internal::{self, Nested, Reply};
use crate::wire::deployment as w;
use crate::AppState;
use axum::http::{Method, StatusCode};
use cerulean_app::deployments::{Deployment, DeploymentOperation};
use cerulean_domain::deployment::{DeploymentState, Interruption, Mode};
use cerulean_domain::id::ResourceId;
use cerulean_template::Plan;
use runtime::Fetch;
use serde_json::{json, Value};
use std::cell::Cell;
use std::time::{Duration, Instant};
use tokio::runtime::Handle;

pub use cerulean_app::deployments::rfc3339_now;

/// The api-version used for requests the template does not name one for.
pub(crate) const INTERNAL_API_VERSION: &str = "2024-07-01";

/// A run's (or what-if's) turn: one of the server's evaluation slots, held until it is
/// dropped, or, for a nested deployment, none of its own: it runs in its parent's, which
/// waits for it (waiting for a slot of its own while the parent holds one could wait
/// forever).
pub(crate) struct Turn {
    _slot: Option<tokio::sync::OwnedSemaphorePermit>,
}

/// Waits for a turn; `None` once the server is stopping.
pub(crate) async fn turn(s: &AppState, nested: Option<Nested>) -> Option<Turn> {
    let slot = match nested {
        Some(_) => None,
        None => Some(s.app.evaluation_slot().await?),
    };
    Some(Turn { _slot: slot })
}

/// Starts running `plan` for the deployment `id` (already stored as Accepted) in the
/// background, once one of the server's evaluation slots is free, each resource applied on
/// `caller`'s behalf. A nested deployment (`nested`) runs at once, in the turn of the parent
/// that waits for it. The evaluator is synchronous, so the run gets a blocking thread of its
/// own and reaches the async service through `Handle::block_on`.
pub fn spawn(
    s: AppState,
    id: ResourceId,
    correlation_id: String,
    plan: Plan,
    mode: Mode,
    caller: Option<Caller>,
    nested: Option<Nested>,
) {
    let runner = s.app.runner();
    tokio::spawn(async move {
        let Some(slot) = turn(&s, nested).await else {
            // The server began stopping before this deployment's turn came.
            let interrupted = s
                .app
                .interrupt_deployment(id, correlation_id, Interruption::Shutdown)
                .await;
            if let Err(e) = interrupted {
                tracing::error!(error = %e, "could not settle a deployment at shutdown");
            }
            drop(runner);
            return;
        };
        let handle = Handle::current();
        let ran = tokio::task::spawn_blocking(move || {
            let run = Run {
                s: &s,
                handle: &handle,
                id: &id,
                caller: caller.as_ref(),
                correlation_id: &correlation_id,
                depth: nested.map_or(0, |n| n.depth),
                superseded: Cell::new(false),
                cancel_passed_on: Cell::new(false),
                steps: Cell::new(0),
            };
            run.all(&plan, mode);
            drop(slot);
            drop(runner);
        })
        .await;
        if let Err(e) = ran {
            tracing::error!(error = %e, "a deployment run ended abnormally");
        }
    });
}

struct Run<'a> {
    s: &'a AppState,
    handle: &'a Handle,
    id: &'a ResourceId,
    caller: Option<&'a Caller>,
    /// Which run of the deployment this is: a redeploy under the same name is another.
    correlation_id: &'a str,
    /// How deep in nested deployments this one is (0: submitted by a client).
    depth: u32,
    /// Set once a progress write was refused: the run is no longer this server's.
    superseded: Cell<bool>,
    /// Set once this run's cancel was passed on to the nested deployment it waited for.
    cancel_passed_on: Cell<bool>,
    /// Steps taken so far: each operation id begins with its number, so they list in order.
    steps: Cell<u32>,
}

/// Why a run ended before its last step.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stopped {
    Canceled,
    ShuttingDown,
}

/// ARM's name for an HTTP status in `statusCode`.
fn status_name(status: StatusCode) -> String {
    match status.as_u16() {
        200 => "OK".into(),
        201 => "Created".into(),
        202 => "Accepted".into(),
        204 => "NoContent".into(),
        400 => "BadRequest".into(),
        404 => "NotFound".into(),
        409 => "Conflict".into(),
        412 => "PreconditionFailed".into(),
        501 => "NotImplemented".into(),
        _ => status
            .canonical_reason()
            .unwrap_or("InternalServerError")
            .replace(' ', ""),
    }
}

/// ARM's operation ids are 16 hex digits; these begin with the step's number.
fn op_id(step: u32) -> String {
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{:04X}{}", step & 0xffff, random[..12].to_uppercase())
}

fn failed_error(details: Vec<Value>) -> Value {
    json!({
        "code": "DeploymentFailed",
        "message": "At least one resource deployment operation failed. Please list deployment operations for details. Please see https://aka.ms/arm-deployment-operations for usage details.",
        "details": details,
    })
}

impl Run<'_> {
    fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        self.handle
            .block_on(internal::call(self.s, self.caller, method, path, body))
    }

    /// Records what a progress write said: `false` means the run is no longer this server's,
    /// and it stops.
    fn kept(&self, result: Result<bool, cerulean_app::AppError>) {
        match result {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(deployment = %self.id.as_str(), "the deployment is no longer this server's to run: stopping");
                self.superseded.set(true);
            }
            Err(e) => {
                tracing::error!(deployment = %self.id.as_str(), error = %e, "deployment record update failed")
            }
        }
    }

    /// Changes the deployment record (as the run begins and ends); does nothing once the run
    /// is no longer this server's.
    fn update(&self, f: impl Fn(&mut Deployment) + Send + Sync + 'static) {
        if self.superseded.get() {
            return;
        }
        let result = self.handle.block_on(self.s.app.update_deployment(
            self.id.clone(),
            self.correlation_id.to_string(),
            f,
        ));
        self.kept(result.map(|d| d.is_some()));
    }

    /// Records a step (new, or its outcome).
    fn record(&self, op: DeploymentOperation) {
        if self.superseded.get() {
            return;
        }
        let result = self.handle.block_on(self.s.app.record_step(
            self.id.clone(),
            self.correlation_id.to_string(),
            op,
        ));
        self.kept(result);
    }

    /// Read from the run's row in the store before each step: any server may have been asked.
    fn cancel_requested(&self) -> bool {
        self.handle
            .block_on(
                self.s
                    .app
                    .run_stop_requested(self.id.clone(), self.correlation_id.to_string()),
            )
            .unwrap_or(false)
    }

    /// Checked before each step: the server is shutting down, or the run was cancelled.
    fn should_stop(&self) -> Option<Stopped> {
        if self.s.app.stopping() {
            Some(Stopped::ShuttingDown)
        } else if self.cancel_requested() {
            Some(Stopped::Canceled)
        } else {
            None
        }
    }

    /// Follows a long-running operation the way a client would, until it is final. While a
    /// nested deployment (`nested`: its id) runs, a cancel of this one is passed on to it.
    fn wait(&self, reply: &Reply, nested: Option<&str>) -> Result<(), Value> {
        let Some(url) = reply
            .header("azure-asyncoperation")
            .or_else(|| reply.header("location"))
            .and_then(internal::local_part)
        else {
            return Ok(());
        };
        let mut cancel = nested;
        loop {
            if let Some(id) = cancel.filter(|_| self.cancel_requested()) {
                let path = format!("{id}/cancel?api-version={INTERNAL_API_VERSION}");
                self.call(Method::POST, &path, None);
                self.cancel_passed_on.set(true);
                cancel = None;
            }
            let poll = self.call(Method::GET, &url, None);
            if poll.status == StatusCode::ACCEPTED {
                // An `operationResults` URL answers 202 until the operation is done.
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
            if !poll.status.is_success() {
                return Err(poll.body["error"].clone());
            }
            match poll.body["status"].as_str() {
                Some("Succeeded") | None => return Ok(()),
                Some("Failed") => return Err(poll.body["error"].clone()),
                // A nested deployment cancelled with its parent.
                Some("Canceled") => {
                    return Err(match &poll.body["error"] {
                        Value::Null => {
                            json!({"code": "DeploymentCanceled", "message": "The nested deployment was canceled."})
                        }
                        e => e.clone(),
                    })
                }
                Some(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// Sends one request of the deployment and records it as a deployment operation.
    /// Returns the error object when it failed.
    fn step(
        &self,
        operation: &'static str,
        target_id: &str,
        target_type: &str,
        request: impl FnOnce() -> Result<Reply, Value>,
    ) -> Result<(), Value> {
        let step = self.steps.get();
        self.steps.set(step + 1);
        let started = Instant::now();
        let name = cerulean_domain::id::ResourceId::parse(target_id)
            .map(|r| r.segments().map(|(_, n)| n).collect::<Vec<_>>().join("/"))
            .unwrap_or_default();
        let mut op = DeploymentOperation {
            operation_id: op_id(step),
            provisioning_operation: operation.into(),
            state: "Running".into(),
            timestamp: rfc3339_now(),
            duration_ms: 0,
            status_code: None,
            status_message: None,
            target_id: target_id.into(),
            target_type: target_type.into(),
            target_name: name,
            tracking_id: uuid::Uuid::new_v4().to_string(),
            service_request_id: uuid::Uuid::new_v4().to_string(),
        };
        self.record(op.clone());
        let (code, outcome) = match request() {
            Err(e) => ("BadRequest".to_string(), Err(e)),
            Ok(reply) if reply.status.is_success() => {
                let nested = w::is_type(target_type).then_some(target_id);
                (status_name(reply.status), self.wait(&reply, nested))
            }
            Ok(reply) => (status_name(reply.status), Err(reply.body["error"].clone())),
        };
        let failed = outcome.as_ref().err();
        op.state = if failed.is_some() {
            "Failed"
        } else {
            "Succeeded"
        }
        .into();
        op.duration_ms = started.elapsed().as_millis() as i64;
        op.timestamp = rfc3339_now();
        op.status_code = Some(code);
        op.status_message = failed.map(|e| json!({"status": "Failed", "error": e}));
        self.record(op);
        outcome
    }

    fn all(&self, plan: &Plan, mode: Mode) {
        let started = Instant::now();
        self.update(|d| d.state = DeploymentState::Running);
        let fetch = Fetch {
            s: self.s,
            handle: self.handle,
            caller: self.caller,
        };
        let mut blocked = vec![false; plan.resources.len()];
        let mut errors = Vec::new();
        let mut created = Vec::new();
        let mut stopped = None;
        for i in plan.order() {
            if self.superseded.get() {
                return;
            }
            let r = &plan.resources[i];
            // A skipped resource, or one the template only reads (`existing`).
            if !r.condition || r.existing {
                continue;
            }
            if r.depends_on.iter().any(|d| blocked[*d]) {
                blocked[i] = true;
                continue;
            }
            stopped = self.should_stop();
            if stopped.is_some() {
                break;
            }
            let path = format!("{}?api-version={}", r.id, r.api_version);
            let nested = w::is_type(&r.type_name);
            let marker = nested.then_some(Nested {
                depth: self.depth + 1,
            });
            let result = self.step("Create", &r.id, &r.type_name, || {
                let body = plan.body(i, &fetch).map_err(
                    |e| json!({"code": e.code, "message": e.message, "target": e.target}),
                )?;
                Ok(self.handle.block_on(internal::call_as(
                    self.s,
                    self.caller,
                    marker,
                    Method::PUT,
                    &path,
                    Some(&body),
                )))
            });
            match result {
                // What a nested deployment created is this one's too (its outputResources).
                Ok(()) if nested => created.extend(runtime::output_resources(&fetch, &r.id)),
                Ok(()) => created.push(r.id.clone()),
                // The nested deployment stopped because this one was cancelled, or because
                // the server is shutting down (it was interrupted, and so is this one).
                Err(_) if self.cancel_passed_on.get() => {
                    stopped = Some(Stopped::Canceled);
                    break;
                }
                Err(_) if nested && self.s.app.stopping() => {
                    stopped = Some(Stopped::ShuttingDown);
                    break;
                }
                Err(e) => {
                    blocked[i] = true;
                    errors.push(e);
                }
            }
        }
        if stopped.is_none() && errors.is_empty() && mode == Mode::Complete {
            errors.extend(self.delete_others(plan, &created, &mut stopped));
        }
        if self.superseded.get() {
            return;
        }
        if stopped == Some(Stopped::ShuttingDown) {
            let result = self.handle.block_on(self.s.app.interrupt_deployment(
                self.id.clone(),
                self.correlation_id.to_string(),
                Interruption::Shutdown,
            ));
            self.kept(result);
            return;
        }
        let canceled = stopped == Some(Stopped::Canceled);
        let outputs = if canceled || !errors.is_empty() {
            None
        } else {
            match plan.outputs(&fetch) {
                Ok(o) => Some(w::outputs(o)),
                Err(e) => {
                    errors.push(json!({"code": e.code, "message": e.message, "target": e.target}));
                    None
                }
            }
        };
        let state = if canceled {
            DeploymentState::Canceled
        } else if errors.is_empty() {
            DeploymentState::Succeeded
        } else {
            DeploymentState::Failed
        };
        let ms = started.elapsed().as_millis() as i64;
        let error = (!errors.is_empty()).then(|| failed_error(errors));
        self.update(move |d| {
            d.state = state;
            d.finished_at = Some(rfc3339_now());
            d.duration_ms = ms;
            d.outputs = outputs.clone();
            d.output_resources = created.clone();
            d.error = error.clone();
        });
    }

    /// Complete mode: the group's resources the template does not declare are deleted,
    /// users before what they use.
    fn delete_others(
        &self,
        plan: &Plan,
        created: &[String],
        stopped: &mut Option<Stopped>,
    ) -> Vec<Value> {
        // Complete mode is refused at subscription scope before a run starts.
        let Some(group) = self.id.group_id() else {
            return Vec::new();
        };
        let mut doomed = runtime::undeclared(
            self.s,
            self.handle,
            self.caller,
            plan,
            created,
            group.as_str(),
        );
        doomed.sort_by_key(|id| {
            let kind = ResourceId::parse(id)
                .map(|r| r.kind_key())
                .unwrap_or_default();
            cerulean_domain::kind::delete_rank(&kind)
        });
        let mut errors = Vec::new();
        for id in doomed {
            *stopped = self.should_stop();
            if stopped.is_some() || self.superseded.get() {
                break;
            }
            let (ty, _) = w::split_type(&id);
            let path = format!("{id}?api-version={INTERNAL_API_VERSION}");
            if let Err(e) = self.step("Delete", &id, &ty, || {
                Ok(self.call(Method::DELETE, &path, None))
            }) {
                errors.push(e);
            }
        }
        errors
    }
}
