//! Generic resource lists.

use crate::error::ApiError;
use crate::extract::ArmQuery;
use crate::{wire, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::Json;
use cerulean_app::resources::GenericResource;
use cerulean_domain::filter::ResourceFilter;
use serde_json::{json, Value};

fn resource(r: &GenericResource) -> Value {
    let mut v = json!({"id": r.id, "name": r.name, "type": r.type_path, "location": r.location});
    if !r.tags.is_empty() {
        v["tags"] = json!(r.tags);
    }
    v
}

async fn list(
    s: AppState,
    sub: String,
    group: Option<String>,
    headers: HeaderMap,
    uri: Uri,
    q: ArmQuery,
) -> Result<Json<Value>, ApiError> {
    let filter = q.filter.as_deref().map(ResourceFilter::parse).transpose()?;
    let page = s
        .app
        .list_resources(&sub, group.as_deref(), filter, q.skiptoken.clone())
        .await?;
    let extra: Vec<(&str, &str)> = q
        .filter
        .as_deref()
        .map(|f| ("$filter", f))
        .into_iter()
        .collect();
    Ok(Json(wire::list::page(
        &s.options.base_url(&headers),
        uri.path(),
        &q.api_version,
        &extra,
        page.items.iter().map(resource).collect(),
        page.next.as_deref(),
    )))
}

pub async fn in_subscription(
    State(s): State<AppState>,
    Path(sub): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    q: ArmQuery,
) -> Result<Json<Value>, ApiError> {
    list(s, sub, None, headers, uri, q).await
}

pub async fn in_group(
    State(s): State<AppState>,
    Path((sub, rg)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
    q: ArmQuery,
) -> Result<Json<Value>, ApiError> {
    list(s, sub, Some(rg), headers, uri, q).await
}
