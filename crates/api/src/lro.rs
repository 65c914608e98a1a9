//! Long-running operation responses: the headers ARM clients poll with, and what the
//! `Location` URL answers once an operation is done.
//!
//! Each resource provider writes its `Location` its own way, and clients hold them to it:
//! - Microsoft.Compute: `.../locations/{loc}/operations/{id}?monitor=true` (the status URL
//!   with `monitor=true`), which answers 202 while running, then 200 with the result, or 200
//!   with an empty body when there is none (a VM action, a delete). `@azure/arm-compute` 24
//!   (core-lro 3) GETs it after every action and accepts only 200, 201 and 202.
//! - Microsoft.Network and Microsoft.Resources: `.../locations/{loc}/operationResults/{id}`.
//!   Network answers 204 when there is no result (ARM's RPC example for a delete); a
//!   resource group delete answers 200 with an empty body, as Azure's recordings show.

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cerulean_domain::operation::Operation;

/// `{base}/subscriptions/{s}/providers/{namespace}/locations/{location}{kind}{id}{query}{api_version}`,
/// put together in one allocation (`format!` grew these 200-byte URLs several times over).
fn operation_url(base: &str, op: &Operation, kind: &str, query: &str, api_version: &str) -> String {
    [
        base,
        "/subscriptions/",
        &op.subscription,
        "/providers/",
        &op.namespace,
        "/locations/",
        &op.location,
        kind,
        &op.id,
        query,
        api_version,
    ]
    .concat()
}

/// The `Azure-AsyncOperation` URL of an operation (the first of [`status_urls`], built alone).
fn status_url(base: &str, op: &Operation, api_version: &str) -> String {
    operation_url(base, op, "/operations/", "?api-version=", api_version)
}

/// `(Azure-AsyncOperation URL, Location URL)` of an operation.
pub fn status_urls(base: &str, op: &Operation, api_version: &str) -> (String, String) {
    let status = status_url(base, op, api_version);
    let location = if uses_monitor_url(op) {
        let query = "?monitor=true&api-version=";
        operation_url(base, op, "/operations/", query, api_version)
    } else {
        operation_url(base, op, "/operationResults/", "?api-version=", api_version)
    };
    (status, location)
}

/// Whether the operation's `Location` is its status URL with `monitor=true` (Compute's way).
fn uses_monitor_url(op: &Operation) -> bool {
    op.namespace.eq_ignore_ascii_case("Microsoft.Compute")
}

/// The status a finished operation's `Location` answers with when it has no result body:
/// 204 for Microsoft.Network, 200 (empty body) for Compute and Resources. See the module
/// documentation for where each comes from.
pub fn empty_result_status(op: &Operation) -> StatusCode {
    if op.namespace.eq_ignore_ascii_case("Microsoft.Network") {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::OK
    }
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
    if let Ok(v) = HeaderValue::from_str(&status_url(base, op, api_version)) {
        headers.insert("azure-asyncoperation", v);
    }
    headers.insert("retry-after", HeaderValue::from_static("1"));
}
