//! The HTTP face of the tracked-resource path (`cerulean_app::tracked`): one set of handlers
//! for PUT, GET, PATCH of tags, DELETE and the lists by group and subscription, generic over a
//! type's [`Wire`] shapes. A modelled type adds its rules (`Kind`, in the app crate), its wire
//! shapes (`Wire`, beside its JSON) and one line in the route table ([`routes`]).

use crate::error::ApiError;
use crate::extract::{ArmJson, ArmQuery, Conditions};
use crate::wire::network::TagsIn;
use crate::{lro, wire, AppState};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::Router;
use cerulean_app::tracked::Kind;
use cerulean_domain::id::ResourceId;
use serde::de::DeserializeOwned;
use serde::Serialize;

type GroupPath = Path<(String, String)>;
type NamePath = Path<(String, String, String)>;

/// Which polling headers a PUT answers with.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum PutHeaders {
    /// `Azure-AsyncOperation` (network resources: the client then GETs the resource).
    AsyncOperation,
    /// `Azure-AsyncOperation` and `Location` (compute: the SDK reads `Location` on 201).
    AsyncOperationAndLocation,
    /// None: the write is done when answered (`Kind::SYNCHRONOUS`).
    None,
}

/// A modelled type's wire shapes.
pub trait Wire: Kind {
    /// `Microsoft.Network`.
    const NAMESPACE: &'static str;
    /// `virtualNetworks`, as Azure spells it.
    const TYPE: &'static str;
    const PUT_HEADERS: PutHeaders = PutHeaders::AsyncOperation;
    /// The status of a PUT that creates: the REST specification's (201 for most types; a
    /// disk's create is 202, and the SDKs refuse any other).
    const CREATED: StatusCode = StatusCode::CREATED;
    /// Room for one resource's JSON.
    const JSON_SIZE: usize = 2048;
    type In: DeserializeOwned + Send + 'static;
    type Out<'a>: Serialize
    where
        Self: 'a;

    /// The body of a PUT as the rules' input (400 `InvalidRequestContent` when it cannot be).
    fn spec(body: Self::In) -> Result<Self::Spec, ApiError>;
    /// The resource as ARM returns it (`$expand` may add to it).
    fn out<'a>(view: &'a Self::View, q: &ArmQuery) -> Self::Out<'a>;
    fn etag(view: &Self::View) -> &str;
}

fn id<K: Wire>(sub: &str, rg: &str, name: &str) -> ResourceId {
    ResourceId::resource(sub, rg, K::NAMESPACE, K::TYPE, name)
}

pub(crate) fn with_etag(mut resp: Response, etag: &str) -> Response {
    if let Ok(e) = HeaderValue::from_str(etag) {
        resp.headers_mut().insert("etag", e);
    }
    resp
}

/// JSON bytes with `Content-Type: application/json`, as `Json` answers.
pub(crate) fn json_bytes(status: StatusCode, body: Vec<u8>) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// Serialises a typed view straight into a response body.
pub(crate) use cerulean_app::json::to_vec as to_json;

/// `status` with the resource and its etag.
fn resource<K: Wire>(status: StatusCode, view: &K::View, q: &ArmQuery) -> Response {
    let body = to_json(&K::out(view, q), K::JSON_SIZE);
    with_etag(json_bytes(status, body), K::etag(view))
}

/// `{"nextLink"?, "value": [...]}`, in the key order of `wire::list::page`.
#[derive(Serialize)]
struct ListOut<T> {
    #[serde(rename = "nextLink", skip_serializing_if = "Option::is_none")]
    next_link: Option<String>,
    value: Vec<T>,
}

async fn put<K: Wire>(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
    headers: HeaderMap,
    q: ArmQuery,
    Conditions(pre): Conditions,
    ArmJson(body): ArmJson<K::In>,
) -> Result<Response, ApiError> {
    let spec = K::spec(body)?;
    let (view, created, op) = s
        .app
        .put_tracked::<K>(id::<K>(&sub, &rg, &name), spec, pre)
        .await?;
    // A synchronous create is Azure's 200 (Compute's availability sets), not 201.
    let status = if created && !K::SYNCHRONOUS {
        K::CREATED
    } else {
        StatusCode::OK
    };
    let mut resp = resource::<K>(status, &view, &q);
    let base = s.options.base_url(&headers);
    match K::PUT_HEADERS {
        PutHeaders::AsyncOperation => {
            lro::add_async_headers(resp.headers_mut(), &base, &op, &q.api_version)
        }
        PutHeaders::AsyncOperationAndLocation => {
            lro::add_headers(resp.headers_mut(), &base, &op, &q.api_version)
        }
        PutHeaders::None => {}
    }
    Ok(resp)
}

async fn get_one<K: Wire>(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
    q: ArmQuery,
) -> Result<Response, ApiError> {
    let view = s.app.get_tracked::<K>(id::<K>(&sub, &rg, &name)).await?;
    Ok(resource::<K>(StatusCode::OK, &view, &q))
}

async fn patch_tags<K: Wire>(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
    q: ArmQuery,
    Conditions(pre): Conditions,
    ArmJson(body): ArmJson<TagsIn>,
) -> Result<Response, ApiError> {
    let view = s
        .app
        .patch_tags::<K>(id::<K>(&sub, &rg, &name), body.tags, pre)
        .await?;
    Ok(resource::<K>(StatusCode::OK, &view, &q))
}

/// 202 with polling headers when something was deleted (200 for a synchronous kind), 204 when
/// there was nothing.
async fn delete<K: Wire>(
    State(s): State<AppState>,
    Path((sub, rg, name)): NamePath,
    headers: HeaderMap,
    q: ArmQuery,
    Conditions(pre): Conditions,
) -> Result<Response, ApiError> {
    let op = s
        .app
        .delete_tracked::<K>(id::<K>(&sub, &rg, &name), pre)
        .await?;
    Ok(match op {
        Some(_) if K::SYNCHRONOUS => StatusCode::OK.into_response(),
        Some(op) => lro::accepted(&s.options.base_url(&headers), &op, &q.api_version),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

async fn list<K: Wire>(
    s: &AppState,
    group: Option<&str>,
    sub: &str,
    headers: &HeaderMap,
    uri: &Uri,
    q: &ArmQuery,
) -> Result<Response, ApiError> {
    let page = s
        .app
        .list_tracked::<K>(sub, group, q.skiptoken.clone())
        .await?;
    let out = ListOut {
        next_link: page.next.as_deref().map(|key| {
            wire::list::next_link(
                &s.options.base_url(headers),
                uri.path(),
                &q.api_version,
                &[],
                key,
            )
        }),
        value: page.items.iter().map(|v| K::out(v, q)).collect(),
    };
    Ok(json_bytes(
        StatusCode::OK,
        to_json(&out, page.items.len() * K::JSON_SIZE + 256),
    ))
}

async fn list_group<K: Wire>(
    State(s): State<AppState>,
    Path((sub, rg)): GroupPath,
    headers: HeaderMap,
    uri: Uri,
    q: ArmQuery,
) -> Result<Response, ApiError> {
    list::<K>(&s, Some(&rg), &sub, &headers, &uri, &q).await
}

async fn list_subscription<K: Wire>(
    State(s): State<AppState>,
    Path(sub): Path<String>,
    headers: HeaderMap,
    uri: Uri,
    q: ArmQuery,
) -> Result<Response, ApiError> {
    list::<K>(&s, None, &sub, &headers, &uri, &q).await
}

/// GET, PUT and DELETE of one resource; the caller adds PATCH ([`patch`] or its own).
pub fn item<K: Wire>() -> MethodRouter<AppState> {
    get(get_one::<K>).put(put::<K>).delete(delete::<K>)
}

/// PATCH of tags.
pub fn patch<K: Wire>() -> MethodRouter<AppState> {
    axum::routing::patch(patch_tags::<K>)
}

/// The lists of a type and its resources, with `item` (the caller's PATCH included) at
/// `.../providers/{ns}/{type}/{name}`.
pub fn routes<K: Wire>(item: MethodRouter<AppState>) -> Router<AppState> {
    let ns = K::NAMESPACE.to_ascii_lowercase();
    let ty = K::TYPE.to_ascii_lowercase();
    let group = format!("/subscriptions/{{sub}}/resourcegroups/{{rg}}/providers/{ns}/{ty}");
    Router::new()
        .route(&group, get(list_group::<K>))
        .route(&format!("{group}/{{name}}"), item)
        .route(
            &format!("/subscriptions/{{sub}}/providers/{ns}/{ty}"),
            get(list_subscription::<K>),
        )
}

/// The common case: every operation of the path, PATCH of tags included.
pub fn standard<K: Wire>() -> Router<AppState> {
    routes::<K>(item::<K>().merge(patch::<K>()))
}
