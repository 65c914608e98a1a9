//! `Microsoft.Resources/deployments` at resource-group and subscription scope: template
//! deployments. The template is checked before the PUT is answered (a bad template is a 400,
//! as in ARM); the resources are then applied in the background (`crate::deploy`) and clients
//! poll `operationStatuses` until the deployment is Succeeded, Failed or Canceled. Both
//! scopes share every handler: a path names its group or not ([`At`]).

use crate::deploy::{self, rfc3339_now};
use crate::error::ApiError;
use crate::extract::{ArmJsonc, ArmQuery};
use crate::identity::Caller;
use crate::internal::Nested;
use crate::wire::deployment as w;
use crate::{wire, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use cerulean_app::deployments::{deployment_id, Deployment};
use cerulean_domain::deployment::DeploymentState;
use cerulean_domain::id::ResourceId;
use cerulean_template::Plan;
use serde_json::{json, Value};
use std::collections::HashMap;

mod prepare;

use prepare::{may_deploy, prepare, Prepared};

/// The deployment a path names: its subscription, its group (`None` at subscription scope)
/// and its name (`op` on the operation routes).
struct At {
    sub: String,
    rg: Option<String>,
    name: String,
    op: String,
}

type AtPath = Path<HashMap<String, String>>;

impl At {
    fn of(Path(mut p): AtPath) -> At {
        let mut take = |k: &str| p.remove(k);
        At {
            sub: take("sub").unwrap_or_default(),
            rg: take("rg"),
            name: take("name").unwrap_or_default(),
            op: take("op").unwrap_or_default(),
        }
    }

    fn id(&self) -> ResourceId {
        deployment_id(&self.sub, self.rg.as_deref(), &self.name)
    }
}

pub fn routes() -> Router<AppState> {
    // ARM answers under the provider path and under the older `resourcegroups/{rg}/deployments`
    // path, which the SDK still uses for deployment operations; subscription deployments
    // likewise.
    const PROVIDER: &str =
        "/subscriptions/{sub}/resourcegroups/{rg}/providers/microsoft.resources/deployments";
    const LEGACY: &str = "/subscriptions/{sub}/resourcegroups/{rg}/deployments";
    const SUBSCRIPTION: &str = "/subscriptions/{sub}/providers/microsoft.resources/deployments";
    const SUBSCRIPTION_LEGACY: &str = "/subscriptions/{sub}/deployments";
    [PROVIDER, LEGACY, SUBSCRIPTION, SUBSCRIPTION_LEGACY]
        .into_iter()
        .fold(Router::new(), |router, prefix| {
            let d = |p: &str| format!("{prefix}{p}");
            router
                .route(prefix, get(list))
                .route(&d("/{name}"), get(get_one).put(put).delete(delete))
                .route(&d("/{name}/validate"), post(validate))
                .route(&d("/{name}/whatif"), post(what_if))
                .route(&d("/{name}/cancel"), post(cancel))
                .route(&d("/{name}/exporttemplate"), post(export_template))
                .route(&d("/{name}/operations"), get(operations))
                .route(&d("/{name}/operations/{op}"), get(operation))
                .route(&d("/{name}/operationstatuses/{op}"), get(status))
        })
}

/// FNV-1a of the template text: ARM's `templateHash` is a decimal number too.
fn template_hash(template: &Value) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in template.to_string().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h.to_string()
}

fn record(name: &str, req: &w::Request, plan: &Plan) -> Deployment {
    let (dependencies, providers) = w::dependencies(plan);
    Deployment {
        name: name.to_string(),
        location: req.location.clone(),
        tags: req.tags.clone(),
        mode: req.mode,
        state: DeploymentState::Accepted,
        template: req.template.clone(),
        template_hash: template_hash(&req.template),
        parameters: w::echoed_parameters(plan),
        correlation_id: uuid::Uuid::new_v4().to_string(),
        started_at: rfc3339_now(),
        finished_at: None,
        duration_ms: 0,
        outputs: None,
        output_resources: Vec::new(),
        dependencies,
        providers,
        error: None,
        operations: Vec::new(),
    }
}

async fn put(
    State(s): State<AppState>,
    at: AtPath,
    caller: Option<Extension<Caller>>,
    nested: Option<Extension<Nested>>,
    headers: HeaderMap,
    q: ArmQuery,
    ArmJsonc(body): ArmJsonc<w::DeploymentIn>,
) -> Result<Response, ApiError> {
    let at = At::of(at);
    let nested = nested.map(|Extension(n)| n);
    let prepared = prepare(&s, &at, nested, body).await?;
    may_deploy(&s, caller.as_ref().map(|Extension(c)| c), &prepared).await?;
    let Prepared { req, plan, .. } = prepared;
    let mode = req.mode;
    let id = at.id();
    let location = req.location.clone();
    let (stored, created) = s
        .app
        .begin_deployment(id.clone(), record(&at.name, &req, &plan), location)
        .await?;
    deploy::spawn(
        s.clone(),
        id,
        stored.value.correlation_id.clone(),
        plan,
        mode,
        caller.map(|Extension(c)| c),
        nested,
    );
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut resp = (status, Json(w::deployment(&stored))).into_response();
    let url = format!(
        "{}{}/operationStatuses/{}?api-version={}",
        s.options.base_url(&headers),
        stored.id,
        stored.value.correlation_id,
        q.api_version
    );
    if let Ok(v) = HeaderValue::from_str(&url) {
        resp.headers_mut().insert("azure-asyncoperation", v);
    }
    resp.headers_mut()
        .insert("retry-after", HeaderValue::from_static("1"));
    Ok(resp)
}

async fn get_one(State(s): State<AppState>, at: AtPath) -> Result<Json<Value>, ApiError> {
    let d = s.app.get_deployment(At::of(at).id()).await?;
    Ok(Json(w::deployment(&d)))
}

async fn delete(State(s): State<AppState>, at: AtPath) -> Result<StatusCode, ApiError> {
    // ARM's answers are 202 and 204 (az refuses a 200): the record is gone at once, so 204
    // either way.
    s.app.delete_deployment(At::of(at).id()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list(
    State(s): State<AppState>,
    at: AtPath,
    headers: HeaderMap,
    uri: Uri,
    q: ArmQuery,
) -> Result<Json<Value>, ApiError> {
    let at = At::of(at);
    let page = s
        .app
        .list_deployments(&at.sub, at.rg.as_deref(), q.skiptoken.clone())
        .await?;
    Ok(Json(wire::list::page(
        &s.options.base_url(&headers),
        uri.path(),
        &q.api_version,
        &[],
        page.items.iter().map(w::deployment).collect(),
        page.next.as_deref(),
    )))
}

/// Checks the template and its parameters without deploying anything.
async fn validate(
    State(s): State<AppState>,
    at: AtPath,
    caller: Option<Extension<Caller>>,
    ArmJsonc(body): ArmJsonc<w::DeploymentIn>,
) -> Result<Json<Value>, ApiError> {
    let at = At::of(at);
    let prepared = prepare(&s, &at, None, body).await?;
    may_deploy(&s, caller.as_ref().map(|Extension(c)| c), &prepared).await?;
    let mut d = record(&at.name, &prepared.req, &prepared.plan);
    d.state = DeploymentState::Succeeded;
    let id = at.id();
    let mut v = w::deployment(&cerulean_app::network::Stored {
        id: id.as_str().to_string(),
        etag: String::new(),
        value: d,
    });
    v["properties"]["validatedResources"] =
        prepared.declared().map(|r| json!({"id": r.id})).collect();
    Ok(Json(v))
}

async fn what_if(
    State(s): State<AppState>,
    at: AtPath,
    caller: Option<Extension<Caller>>,
    nested: Option<Extension<Nested>>,
    ArmJsonc(body): ArmJsonc<w::DeploymentIn>,
) -> Result<Json<Value>, ApiError> {
    let at = At::of(at);
    let nested = nested.map(|Extension(n)| n);
    let Prepared { req, plan, .. } = prepare(&s, &at, nested, body).await?;
    let group = at.rg.as_deref().map(|rg| ResourceId::group(&at.sub, rg));
    let handle = tokio::runtime::Handle::current();
    let state = s.clone();
    // A turn like a deployment's: what-if calls back into the service from a blocking thread.
    let slot = deploy::turn(&s, nested)
        .await
        .ok_or(cerulean_store::StoreError::Closed)?;
    let caller = caller.map(|Extension(c)| c);
    let changes = tokio::task::spawn_blocking(move || {
        let changes = deploy::whatif::changes(
            &state,
            &handle,
            caller.as_ref(),
            &plan,
            req.mode,
            group.as_ref().map(ResourceId::as_str),
            nested.map_or(0, |n| n.depth),
        );
        drop(slot);
        changes
    })
    .await
    .map_err(|e| cerulean_store::StoreError::Backend(format!("what-if: {e}")))?;
    Ok(Json(
        json!({"status": "Succeeded", "properties": {"changes": changes}}),
    ))
}

async fn cancel(State(s): State<AppState>, at: AtPath) -> Result<StatusCode, ApiError> {
    s.app.cancel_deployment(At::of(at).id()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn export_template(State(s): State<AppState>, at: AtPath) -> Result<Json<Value>, ApiError> {
    let template = s.app.deployment_template(At::of(at).id()).await?;
    Ok(Json(json!({ "template": template })))
}

async fn operations(State(s): State<AppState>, at: AtPath) -> Result<Json<Value>, ApiError> {
    let (id, steps) = s.app.deployment_steps(At::of(at).id()).await?;
    let ops: Vec<Value> = steps.iter().map(|o| w::operation(&id, o)).collect();
    Ok(Json(json!({ "value": ops })))
}

async fn operation(State(s): State<AppState>, at: AtPath) -> Result<Json<Value>, ApiError> {
    let at = At::of(at);
    let (id, step) = s.app.deployment_step(at.id(), at.op.clone()).await?;
    Ok(Json(w::operation(&id, &step)))
}

async fn status(State(s): State<AppState>, at: AtPath) -> Result<Response, ApiError> {
    let d = s.app.get_deployment(At::of(at).id()).await?;
    let mut resp = Json(w::status(&d.value)).into_response();
    // Without it the SDKs wait 30 s between polls.
    resp.headers_mut()
        .insert("retry-after", HeaderValue::from_static("1"));
    Ok(resp)
}
