use crate::extract::ArmQuery;
use crate::wire;
use crate::AppState;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Value};

/// Readiness for scripts: no auth, no api-version.
pub async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

pub async fn endpoints(State(s): State<AppState>, headers: HeaderMap, q: ArmQuery) -> Json<Value> {
    let base = s.options.base_url(&headers);
    let version = (!q.api_version.is_empty()).then_some(q.api_version.as_str());
    Json(wire::metadata::endpoints(&base, version))
}
