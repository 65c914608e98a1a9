//! Running a template deployment. A deployment's resources are applied one at a time in
//! dependency order, each as the same ARM request a client would send (`crate::internal`),
//! so every rule holds inside templates too. A resource that fails stops the resources that
//! depend on it; the others go on, what was created stays, and the deployment is Failed with
//! each failing resource's own error in `error.details` (as ARM does).

mod runtime;
pub mod whatif;

use crate::identity::Caller;
use crate::internal::{self, Reply};
use crate::AppState;
use axum::http::{Method, StatusCode};
use cerulean_app::deployments::{Deployment, DeploymentOperation};
use cerulean_domain::deployment::{DeploymentState, Mode};
use cerulean_domain::id::ResourceId;
use cerulean_template::Plan;
use runtime::Fetch;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::runtime::Handle;

pub use runtime::rfc3339_now;

/// The api-version used for requests the template does not name one for.
pub(crate) const INTERNAL_API_VERSION: &str = "2024-07-01";

/// Starts running `plan` for the deployment `id` (already stored as Accepted) in the
/// background, each resource applied on `caller`'s behalf. The evaluator is synchronous, so
/// the run gets a blocking thread of its own and reaches the async service through
/// `Handle::block_on`.
pub fn spawn(s: AppState, id: ResourceId, plan: Plan, mode: Mode, caller: Option<Caller>) {
    let handle = Handle::current();
    tokio::task::spawn_blocking(move || {
        let run = Run {
            s: &s,
            handle: &handle,
            id: &id,
            caller: caller.as_ref(),
        };
        run.all(&plan, mode);
    });
}

struct Run<'a> {
    s: &'a AppState,
    handle: &'a Handle,
    id: &'a ResourceId,
    caller: Option<&'a Caller>,
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

fn op_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..16].to_uppercase()
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

    fn update(&self, f: impl Fn(&mut Deployment) + Send + 'static) -> Option<Deployment> {
        self.handle
            .block_on(self.s.app.update_deployment(self.id.clone(), f))
            .map_err(|e| tracing::error!(deployment = %self.id.as_str(), error = %e, "deployment record update failed"))
            .ok()
            .map(|s| s.value)
    }

    fn cancel_requested(&self) -> bool {
        self.handle
            .block_on(self.s.app.get_deployment(self.id.clone()))
            .map(|d| d.value.cancel_requested)
            .unwrap_or(false)
    }

    /// Follows a long-running operation the way a client would, until it is final.
    fn wait(&self, reply: &Reply) -> Result<(), Value> {
        let Some(url) = reply
            .header("azure-asyncoperation")
            .or_else(|| reply.header("location"))
            .and_then(internal::local_part)
        else {
            return Ok(());
        };
        loop {
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
                Some("Failed") | Some("Canceled") => return Err(poll.body["error"].clone()),
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
        let id = op_id();
        let started = Instant::now();
        let name = cerulean_domain::id::ResourceId::parse(target_id)
            .map(|r| r.segments().map(|(_, n)| n).collect::<Vec<_>>().join("/"))
            .unwrap_or_default();
        let op = DeploymentOperation {
            operation_id: id.clone(),
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
        let pushed = op.clone();
        self.update(move |d| d.operations.push(pushed.clone()));
        let (code, outcome) = match request() {
            Err(e) => ("BadRequest".to_string(), Err(e)),
            Ok(reply) if reply.status.is_success() => {
                (status_name(reply.status), self.wait(&reply))
            }
            Ok(reply) => (status_name(reply.status), Err(reply.body["error"].clone())),
        };
        let ms = started.elapsed().as_millis() as i64;
        let failed = outcome.as_ref().err().cloned();
        self.update(move |d| {
            if let Some(o) = d.operations.iter_mut().find(|o| o.operation_id == id) {
                o.state = if failed.is_some() {
                    "Failed"
                } else {
                    "Succeeded"
                }
                .into();
                o.duration_ms = ms;
                o.timestamp = rfc3339_now();
                o.status_code = Some(code.clone());
                o.status_message = failed
                    .as_ref()
                    .map(|e| json!({"status": "Failed", "error": e}));
            }
        });
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
        let mut canceled = false;
        for i in plan.order() {
            let r = &plan.resources[i];
            if !r.condition {
                continue;
            }
            if r.depends_on.iter().any(|d| blocked[*d]) {
                blocked[i] = true;
                continue;
            }
            if self.cancel_requested() {
                canceled = true;
                break;
            }
            let path = format!("{}?api-version={}", r.id, r.api_version);
            let result = self.step("Create", &r.id, &r.type_name, || {
                let body = plan.body(i, &fetch).map_err(
                    |e| json!({"code": e.code, "message": e.message, "target": e.target}),
                )?;
                Ok(self.call(Method::PUT, &path, Some(&body)))
            });
            match result {
                Ok(()) => created.push(r.id.clone()),
                Err(e) => {
                    blocked[i] = true;
                    errors.push(e);
                }
            }
        }
        if !canceled && errors.is_empty() && mode == Mode::Complete {
            errors.extend(self.delete_others(plan));
        }
        let outputs = if canceled || !errors.is_empty() {
            None
        } else {
            match plan.outputs(&fetch) {
                Ok(o) => Some(crate::wire::deployment::outputs(o)),
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
    fn delete_others(&self, plan: &Plan) -> Vec<Value> {
        let group = self.id.group_id().expect("a deployment has a group");
        let mut doomed =
            runtime::undeclared(self.s, self.handle, self.caller, plan, group.as_str());
        doomed.sort_by_key(|id| {
            let kind = ResourceId::parse(id)
                .map(|r| r.kind_key())
                .unwrap_or_default();
            cerulean_domain::kind::delete_rank(&kind)
        });
        let mut errors = Vec::new();
        for id in doomed {
            let (ty, _) = crate::wire::deployment::split_type(&id);
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
