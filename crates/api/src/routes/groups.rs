use crate::error::ApiError;
use crate::extract::{ArmJson, ArmQuery, Conditions};
use crate::wire::{self, group::GroupIn};
use crate::{lro, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cerulean_app::GroupView;
use cerulean_domain::tags::TagFilter;
use serde_json::Value;

fn with_etag(status: StatusCode, v: &GroupView) -> Response {
    let mut resp = (status, Json(wire::group::group(v))).into_response();
    if let Ok(e) = HeaderValue::from_str(&v.etag) {
        resp.headers_mut().insert("etag", e);
    }
    resp
}

pub async fn put(
    State(s): State<AppState>,
    Path((sub, rg)): Path<(String, String)>,
    Conditions(pre): Conditions,
    ArmJson(body): ArmJson<GroupIn>,
) -> Result<Response, ApiError> {
    let (view, created) = s.app.put_group(&sub, &rg, body.spec(), pre).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(with_etag(status, &view))
}

pub async fn get(
    State(s): State<AppState>,
    Path((sub, rg)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let view = s.app.get_group(&sub, &rg).await?;
    Ok(with_etag(StatusCode::OK, &view))
}

pub async fn patch(
    State(s): State<AppState>,
    Path((sub, rg)): Path<(String, String)>,
    Conditions(pre): Conditions,
    ArmJson(body): ArmJson<GroupIn>,
) -> Result<Response, ApiError> {
    let view = s.app.patch_group(&sub, &rg, body.patch(), pre).await?;
    Ok(with_etag(StatusCode::OK, &view))
}

pub async fn delete(
    State(s): State<AppState>,
    Path((sub, rg)): Path<(String, String)>,
    headers: HeaderMap,
    q: ArmQuery,
    Conditions(pre): Conditions,
) -> Result<Response, ApiError> {
    let op = s.app.delete_group(&sub, &rg, pre).await?;
    let base = s.options.base_url(&headers);
    Ok(lro::accepted(&base, &op, &q.api_version))
}

pub async fn list(
    State(s): State<AppState>,
    Path(sub): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    q: ArmQuery,
) -> Result<Json<Value>, ApiError> {
    let filter = q.filter.as_deref().map(TagFilter::parse).transpose()?;
    let page = s
        .app
        .list_groups(&sub, filter, q.top()?, q.skiptoken.clone())
        .await?;
    let items = page.items.iter().map(wire::group::group).collect();
    let mut extra = Vec::new();
    if let Some(f) = &q.filter {
        extra.push(("$filter", f.as_str()));
    }
    if let Some(t) = &q.top {
        extra.push(("$top", t.as_str()));
    }
    Ok(Json(wire::list::page(
        &s.options.base_url(&headers),
        uri.path(),
        &q.api_version,
        &extra,
        items,
        page.next.as_deref(),
    )))
}
