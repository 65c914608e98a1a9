//! Resource providers: the catalogue, per subscription with its registration state, and
//! register / unregister (persisted in the subscription).

use crate::error::ApiError;
use crate::wire::providers as w;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{Extensions, Uri};
use axum::routing::{get, post};
use axum::{Json, Router};
use cerulean_domain::providers::{self, NAMESPACES};
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/providers", get(tenant_list))
        .route("/providers/{ns}", get(tenant_get))
        .route("/subscriptions/{sub}/providers", get(list))
        .route("/subscriptions/{sub}/providers/{ns}", get(get_one))
        .route(
            "/subscriptions/{sub}/providers/{ns}/register",
            post(register),
        )
        .route(
            "/subscriptions/{sub}/providers/{ns}/unregister",
            post(unregister),
        )
}

async fn tenant_list() -> Json<Value> {
    let value: Vec<Value> = NAMESPACES.iter().map(w::tenant_provider).collect();
    Json(json!({ "value": value }))
}

/// The catalogue's namespace; an unknown one is refused in the caller's spelling (the
/// router sees the path lower-cased).
fn namespace(
    ns: &str,
    uri: &Uri,
    ext: &Extensions,
) -> Result<&'static providers::Namespace, ApiError> {
    providers::namespace(ns).map_err(|_| {
        let original = crate::path::original(uri.path(), ext);
        let spelled = original
            .split('/')
            .find(|seg| seg.eq_ignore_ascii_case(ns))
            .unwrap_or(ns);
        cerulean_domain::DomainError::InvalidResourceNamespace {
            namespace: spelled.to_string(),
        }
        .into()
    })
}

async fn tenant_get(
    Path(ns): Path<String>,
    uri: Uri,
    ext: Extensions,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(w::tenant_provider(namespace(&ns, &uri, &ext)?)))
}

/// The subscription as the store has it now (another server may have registered since).
async fn current(
    s: &AppState,
    sub: &str,
) -> Result<cerulean_domain::subscription::Subscription, ApiError> {
    let found = s.app.subscription(sub).await?;
    let all = s.app.list_subscriptions().await?;
    Ok(all.into_iter().find(|x| x.id == found.id).unwrap_or(found))
}

async fn list(State(s): State<AppState>, Path(sub): Path<String>) -> Result<Json<Value>, ApiError> {
    let sub = current(&s, &sub).await?;
    let value: Vec<Value> = NAMESPACES
        .iter()
        .map(|ns| w::provider(&sub.id, ns, providers::state(ns, &sub.registrations)))
        .collect();
    Ok(Json(json!({ "value": value })))
}

async fn get_one(
    State(s): State<AppState>,
    Path((sub, ns)): Path<(String, String)>,
    uri: Uri,
    ext: Extensions,
) -> Result<Json<Value>, ApiError> {
    let sub = current(&s, &sub).await?;
    let ns = namespace(&ns, &uri, &ext)?;
    Ok(Json(w::provider(
        &sub.id,
        ns,
        providers::state(ns, &sub.registrations),
    )))
}

async fn set(
    s: AppState,
    (sub, ns): (String, String),
    uri: Uri,
    ext: Extensions,
    registered: bool,
) -> Result<Json<Value>, ApiError> {
    s.app.subscription(&sub).await?;
    let ns = namespace(&ns, &uri, &ext)?;
    let sub = s
        .app
        .set_provider_registration(&sub, ns.name, registered)
        .await?;
    Ok(Json(w::provider(
        &sub.id,
        ns,
        providers::state(ns, &sub.registrations),
    )))
}

async fn register(
    State(s): State<AppState>,
    Path(p): Path<(String, String)>,
    uri: Uri,
    ext: Extensions,
) -> Result<Json<Value>, ApiError> {
    set(s, p, uri, ext, true).await
}

async fn unregister(
    State(s): State<AppState>,
    Path(p): Path<(String, String)>,
    uri: Uri,
    ext: Extensions,
) -> Result<Json<Value>, ApiError> {
    set(s, p, uri, ext, false).await
}
