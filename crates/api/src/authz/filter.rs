//! Lists the caller may read only in part: the response's `value` keeps the items the caller
//! may read. Items that are not resources in a resource group (usages, SKUs, role assignments
//! at subscription scope) stay: passing the list's check is enough for them.

use super::action::ItemAction;
use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::Response;
use cerulean_domain::authz::Grants;
use serde_json::Value;

/// Largest list body filtered (the server's own answers; a page is at most `--page-size`).
const MAX_LIST_BODY: usize = 512 * 1024 * 1024;

pub async fn items(resp: Response, grants: &Grants, action: &str, item: &ItemAction) -> Response {
    rewrite(resp, |v| {
        let id = v["id"].as_str().unwrap_or_default().to_ascii_lowercase();
        if !id.contains("/resourcegroups/") {
            return true;
        }
        match item {
            ItemAction::Same => grants.allows(action, &id),
            ItemAction::OwnType => match v["type"].as_str() {
                Some(t) => grants.allows(&format!("{t}/read"), &id),
                None => false,
            },
        }
    })
    .await
}

/// `GET /subscriptions`: the subscriptions the caller holds a role in (at, above or below).
pub async fn subscriptions(resp: Response, grants: &Grants) -> Response {
    rewrite(resp, |v| {
        v["subscriptionId"].as_str().is_some_and(|s| {
            grants.any_within(&format!("/subscriptions/{}", s.to_ascii_lowercase()))
        })
    })
    .await
}

/// Keeps the `value` items `keep` accepts; any other answer passes unchanged.
async fn rewrite(resp: Response, keep: impl Fn(&Value) -> bool) -> Response {
    if resp.status() != StatusCode::OK {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_LIST_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let mut doc: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(_) => return Response::from_parts(parts, Body::from(bytes)),
    };
    let Some(items) = doc.get_mut("value").and_then(Value::as_array_mut) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    items.retain(|v| keep(v));
    let kept = items.len();
    if let Some(count) = doc.get_mut("count") {
        *count = Value::from(kept);
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(doc.to_string()))
}
