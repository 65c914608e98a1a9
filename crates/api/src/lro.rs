//! Long-running operation responses: the headers ARM clients poll with.

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cerulean_domain::operation::Operation;

/// `(Azure-AsyncOperation URL, Location URL)` of an operation.
pub fn status_urls(base: &str, op: &Operation, api_version: &str) -> (String, String) {
    let prefix = format!(
        "{base}/subscriptions/{}/providers/{}/locations/{}",
        op.subscription, op.namespace, op.location
    );
    (
        format!("{prefix}/operations/{}?api-version={api_version}", op.id),
        format!(
            "{prefix}/operationResults/{}?api-version={api_version}",
            op.id
        ),
    )
}

/// Adds `Azure-AsyncOperation`, `Location` and `Retry-After: 1` (a zero or missing
/// Retry-After makes the Azure SDKs sleep 30 s between polls).
pub fn add_headers(headers: &mut HeaderMap, base: &str, op: &Operation, api_version: &str) {
    let (async_url, location) = status_urls(base, op, api_version);
    if let Ok(v) = HeaderValue::from_str(&async_url) {
        headers.insert("azure-asyncoperation", v);
    }
    if let Ok(v) = HeaderValue::from_str(&location) {
        headers.insert("location", v);
    }
    headers.insert("retry-after", HeaderValue::from_static("1"));
}

/// 202 Accepted with the polling headers, for DELETE and POST actions.
pub fn accepted(base: &str, op: &Operation, api_version: &str) -> Response {
    let mut resp = StatusCode::ACCEPTED.into_response();
    add_headers(resp.headers_mut(), base, op, api_version);
    resp
}

/// `Azure-AsyncOperation` and `Retry-After` only: what a long-running network PUT answers
/// with (the client then GETs the resource URL).
pub fn add_async_headers(headers: &mut HeaderMap, base: &str, op: &Operation, api_version: &str) {
    let (async_url, _) = status_urls(base, op, api_version);
    if let Ok(v) = HeaderValue::from_str(&async_url) {
        headers.insert("azure-asyncoperation", v);
    }
    headers.insert("retry-after", HeaderValue::from_static("1"));
}
