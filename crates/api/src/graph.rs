//! The part of Microsoft Graph (`/v1.0`) the real clients need around role assignments:
//! `az role assignment create --assignee <appId or user name>` resolves principals here,
//! `az role assignment list` names them, `az ad sp show` and `az ad signed-in-user show` read
//! them. The metadata document's `microsoftGraphResourceId` points at this server. Answers are
//! Graph's own shapes (`@odata.context`, `value`), errors Graph's envelope. The directory is
//! the identity module's ([`crate::identity::Directory`]).

use crate::identity::{Caller, Object};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use cerulean_domain::authz::PrincipalType;
use cerulean_domain::subscription::DEFAULT_TENANT_ID;
use serde_json::{json, Value};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1.0/me", get(me))
        .route("/v1.0/users", get(users))
        .route("/v1.0/users/{id}", get(user))
        .route("/v1.0/servicePrincipals", get(service_principals))
        .route("/v1.0/servicePrincipals/{id}", get(service_principal))
        // Paths arrive canonicalised (`crate::path`): the word after a name is lower-cased.
        .route("/v1.0/directoryObjects/getbyids", post(get_by_ids))
        .route("/v1.0/directoryObjects/{id}", get(directory_object))
}

/// A Graph error: `{"error": {"code", "message", "innerError"}}`.
struct GraphError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl GraphError {
    fn not_found(id: &str) -> GraphError {
        GraphError {
            status: StatusCode::NOT_FOUND,
            code: "Request_ResourceNotFound",
            message: format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
        }
    }

    fn bad_request(code: &'static str, message: impl Into<String>) -> GraphError {
        GraphError {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
        }
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let body = json!({"error": {
            "code": self.code,
            "message": self.message,
            "innerError": {
                "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
                "request-id": uuid::Uuid::new_v4().to_string(),
            },
        }});
        (self.status, Json(body)).into_response()
    }
}

fn base(s: &AppState, headers: &HeaderMap) -> String {
    format!("{}/v1.0", s.options.base_url(headers))
}

/// An object in Graph's JSON. `typed` adds `@odata.type`, as `getByIds` answers.
fn render(o: &Object, typed: bool) -> Value {
    let mut v = match o {
        Object::ServicePrincipal {
            object_id,
            app_id,
            display_name,
            tenant,
        } => json!({
            "id": object_id,
            "appId": app_id,
            "displayName": display_name,
            "appDisplayName": display_name,
            "servicePrincipalNames": [app_id],
            "servicePrincipalType": "Application",
            "accountEnabled": true,
            "appOwnerOrganizationId": tenant,
            "tags": [],
        }),
        Object::User {
            object_id,
            user_name,
            display_name,
        } => json!({
            "id": object_id,
            "displayName": display_name,
            "userPrincipalName": user_name,
            "mail": user_name,
            "givenName": null,
            "surname": null,
            "jobTitle": null,
            "mobilePhone": null,
            "officeLocation": null,
            "preferredLanguage": null,
            "businessPhones": [],
        }),
    };
    if typed {
        let t = match o.kind() {
            PrincipalType::User => "#microsoft.graph.user",
            _ => "#microsoft.graph.servicePrincipal",
        };
        v["@odata.type"] = json!(t);
    }
    v
}

fn entity(s: &AppState, headers: &HeaderMap, set: &str, o: &Object) -> Json<Value> {
    let mut v = render(o, false);
    v["@odata.context"] = json!(format!("{}/$metadata#{set}/$entity", base(s, headers)));
    Json(v)
}

fn collection(s: &AppState, headers: &HeaderMap, set: &str, items: Vec<Value>) -> Json<Value> {
    Json(json!({
        "@odata.context": format!("{}/$metadata#{set}", base(s, headers)),
        "value": items,
    }))
}

/// `name eq 'value'` → value (Graph's OData: the property name is case-insensitive here).
fn eq_filter<'a>(filter: &'a str, name: &str) -> Option<&'a str> {
    let (lhs, rhs) = filter.split_once(" eq ")?;
    lhs.trim()
        .eq_ignore_ascii_case(name)
        .then(|| rhs.trim().strip_prefix('\'')?.strip_suffix('\''))?
}

/// `servicePrincipalNames/any(c:c eq 'value')` → value.
fn any_name_filter(filter: &str) -> Option<&str> {
    let inner = filter
        .trim()
        .strip_prefix("servicePrincipalNames/any(")?
        .strip_suffix(')')?;
    let (var, cond) = inner.split_once(':')?;
    eq_filter(cond, var.trim())
}

fn unsupported(filter: &str) -> GraphError {
    GraphError::bad_request(
        "Request_UnsupportedQuery",
        format!("Unsupported or invalid query filter clause specified for property or expression: '{filter}'."),
    )
}

async fn me(
    State(s): State<AppState>,
    headers: HeaderMap,
    caller: Option<Extension<Caller>>,
) -> Result<Json<Value>, GraphError> {
    let Some(Extension(Caller(who))) = caller else {
        return Err(GraphError::bad_request(
            "BadRequest",
            "/me request is only valid with delegated authentication flow.",
        ));
    };
    if who.kind != PrincipalType::User {
        return Err(GraphError::bad_request(
            "BadRequest",
            "/me request is only valid with delegated authentication flow.",
        ));
    }
    let directory = s.options.identity.directory();
    let o = directory
        .object(&who.object_id, DEFAULT_TENANT_ID)
        .unwrap_or(Object::User {
            object_id: who.object_id.clone(),
            user_name: who.client.clone(),
            display_name: who.client.clone(),
        });
    Ok(entity(&s, &headers, "users", &o))
}

async fn users(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, GraphError> {
    let directory = s.options.identity.directory();
    let items: Vec<Value> = match q.get("$filter") {
        Some(f) => {
            let name = eq_filter(f, "userPrincipalName").ok_or_else(|| unsupported(f))?;
            directory
                .user_object(name)
                .into_iter()
                .map(|o| render(&o, false))
                .collect()
        }
        None => directory
            .objects(DEFAULT_TENANT_ID)
            .iter()
            .filter(|o| o.kind() == PrincipalType::User)
            .map(|o| render(o, false))
            .collect(),
    };
    Ok(collection(&s, &headers, "users", items))
}

/// `/users/{object id or user principal name}`.
async fn user(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let directory = s.options.identity.directory();
    let found = if id.contains('@') {
        directory.user_object(&id)
    } else {
        directory
            .object(&id, DEFAULT_TENANT_ID)
            .filter(|o| o.kind() == PrincipalType::User)
    };
    let o = found.ok_or_else(|| GraphError::not_found(&id))?;
    Ok(entity(&s, &headers, "users", &o))
}

async fn service_principals(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, GraphError> {
    let directory = s.options.identity.directory();
    let items: Vec<Value> = match q.get("$filter") {
        Some(f) => {
            let app_id = any_name_filter(f)
                .or_else(|| eq_filter(f, "appId"))
                .ok_or_else(|| unsupported(f))?;
            directory
                .service_principal(app_id, DEFAULT_TENANT_ID)
                .into_iter()
                .map(|o| render(&o, false))
                .collect()
        }
        None => directory
            .objects(DEFAULT_TENANT_ID)
            .iter()
            .filter(|o| o.kind() == PrincipalType::ServicePrincipal)
            .map(|o| render(o, false))
            .collect(),
    };
    Ok(collection(&s, &headers, "servicePrincipals", items))
}

/// `/servicePrincipals/{object id}`.
async fn service_principal(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let directory = s.options.identity.directory();
    let found = directory
        .object(&id, DEFAULT_TENANT_ID)
        .filter(|o| o.kind() == PrincipalType::ServicePrincipal);
    let o = found.ok_or_else(|| GraphError::not_found(&id))?;
    Ok(entity(&s, &headers, "servicePrincipals", &o))
}

async fn directory_object(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let directory = s.options.identity.directory();
    let o = directory
        .object(&id, DEFAULT_TENANT_ID)
        .ok_or_else(|| GraphError::not_found(&id))?;
    let mut v = render(&o, true);
    v["@odata.context"] = json!(format!(
        "{}/$metadata#directoryObjects/$entity",
        base(&s, &headers)
    ));
    Ok(Json(v))
}

/// Most ids one `getByIds` takes, as Graph allows.
const MAX_IDS: usize = 1000;

/// `POST /directoryObjects/getByIds {"ids": [...], "types": [...]}`: the objects found, typed.
async fn get_by_ids(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, GraphError> {
    let req: Value = serde_json::from_slice(&body)
        .map_err(|e| GraphError::bad_request("BadRequest", format!("Invalid request body: {e}")))?;
    let ids: Vec<&str> = req["ids"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if ids.len() > MAX_IDS {
        return Err(GraphError::bad_request(
            "Request_BadRequest",
            format!("Too many ids: at most {MAX_IDS} may be given."),
        ));
    }
    let types: Vec<String> = req["types"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();
    let wanted = |o: &Object| {
        types.is_empty()
            || types.iter().any(|t| match o.kind() {
                PrincipalType::User => t == "user",
                _ => t == "serviceprincipal",
            })
    };
    let directory = s.options.identity.directory();
    let items: Vec<Value> = ids
        .iter()
        .filter_map(|id| directory.object(id, DEFAULT_TENANT_ID))
        .filter(|o| wanted(o))
        .map(|o| render(&o, true))
        .collect();
    Ok(collection(&s, &headers, "directoryObjects", items))
}

#[cfg(test)]
mod tests {
    #[test]
    fn filters_az_sends() {
        assert_eq!(
            super::any_name_filter("servicePrincipalNames/any(c:c eq 'app-1')"),
            Some("app-1")
        );
        assert_eq!(
            super::eq_filter(
                "userPrincipalName eq 'ada@example.com'",
                "userPrincipalName"
            ),
            Some("ada@example.com")
        );
        assert_eq!(super::eq_filter("displayName eq 'x'", "appId"), None);
    }
}
