//! Polling endpoints of long-running operations.

use crate::error::ApiError;
use crate::extract::ArmQuery;
use crate::{lro, wire, AppState};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cerulean_domain::operation::OperationStatus;
use serde_json::json;

type OpPath = Path<(String, String, String, String)>;

/// `Azure-AsyncOperation`: the status document; `Retry-After` while in progress. With
/// `monitor=true` the same URL is Compute's `Location` and answers as [`result`] does.
pub async fn status(
    State(s): State<AppState>,
    Path((sub, ns, loc, id)): OpPath,
    headers: HeaderMap,
    q: ArmQuery,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    if is_monitor(raw.as_deref()) {
        return result(State(s), Path((sub, ns, loc, id)), headers, q).await;
    }
    s.app.subscription(&sub).await?;
    let (op, status) = s.app.get_operation(&sub, &ns, &loc, &id).await?;
    let mut resp = Json(wire::operation::status(&op, status)).into_response();
    if status == OperationStatus::InProgress {
        resp.headers_mut()
            .insert("retry-after", HeaderValue::from_static("1"));
    }
    Ok(resp)
}

/// `monitor=true` among the query parameters (any case, as ARM reads booleans).
fn is_monitor(query: Option<&str>) -> bool {
    query
        .and_then(|q| crate::extract::query_param(q, "monitor"))
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// `Location`: 202 while running; then 200 with the result, an empty 200 or 204 without
/// one (as the operation's provider answers, [`lro::empty_result_status`]), or the error.
pub async fn result(
    State(s): State<AppState>,
    Path((sub, ns, loc, id)): OpPath,
    headers: HeaderMap,
    q: ArmQuery,
) -> Result<Response, ApiError> {
    s.app.subscription(&sub).await?;
    let (op, status) = s.app.get_operation(&sub, &ns, &loc, &id).await?;
    Ok(match status {
        OperationStatus::InProgress => {
            lro::accepted(&s.options.base_url(&headers), &op, &q.api_version)
        }
        OperationStatus::Succeeded if op.returns_resource => {
            resource_body(&s, &op.resource_id).await?
        }
        OperationStatus::Succeeded => match &op.result {
            Some(body) => (
                StatusCode::OK,
                [("content-type", "application/json")],
                body.clone(),
            )
                .into_response(),
            None => lro::empty_result_status(&op).into_response(),
        },
        OperationStatus::Failed | OperationStatus::Canceled => {
            let e = op
                .error
                .clone()
                .unwrap_or(cerulean_domain::operation::OperationError {
                    code: "OperationFailed".into(),
                    message: "The operation failed.".into(),
                });
            // GUESS: ARM answers a failed Location poll with the operation's error and 400.
            (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": {"code": e.code, "message": e.message}})),
            )
                .into_response()
        }
    })
}

/// The current state of the resource a finished PUT wrote, as its own GET renders it.
async fn resource_body(s: &AppState, resource_id: &str) -> Result<Response, ApiError> {
    let id = cerulean_domain::id::ResourceId::parse(resource_id)?;
    if id.is_type("Microsoft.Compute/virtualMachines") {
        let view = s.app.get_vm(id).await?;
        return Ok(
            Json(wire::compute::vm(&view, wire::compute::Expand::default())).into_response(),
        );
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
