use crate::error::ApiError;
use crate::wire;
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};

pub async fn list(State(s): State<AppState>) -> Result<Json<Value>, ApiError> {
    let subs = s.app.list_subscriptions().await?;
    let value: Vec<Value> = subs.iter().map(wire::subscription::subscription).collect();
    Ok(Json(json!({
        "value": value,
        "count": {"type": "Total", "value": subs.len()}
    })))
}

pub async fn get(
    State(s): State<AppState>,
    Path(sub): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let sub = s.app.subscription(&sub).await?;
    Ok(Json(wire::subscription::subscription(&sub)))
}

pub async fn tenants(State(s): State<AppState>) -> Result<Json<Value>, ApiError> {
    let subs = s.app.list_subscriptions().await?;
    let mut tenants: Vec<&str> = subs.iter().map(|s| s.tenant_id.as_str()).collect();
    tenants.sort_unstable();
    tenants.dedup();
    let value: Vec<Value> = tenants
        .into_iter()
        .map(wire::subscription::tenant)
        .collect();
    Ok(Json(json!({ "value": value })))
}

pub async fn locations(
    State(s): State<AppState>,
    Path(sub): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let sub = s.app.subscription(&sub).await?;
    Ok(Json(wire::subscription::locations(&sub.id)))
}
