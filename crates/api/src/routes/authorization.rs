//! `Microsoft.Authorization`: role definitions (built-in and custom), role assignments and
//! permissions. These are extension resources: they live under any scope (`/`, a
//! subscription, a resource group, any resource), so their requests are recognised by the
//! `/providers/Microsoft.Authorization/` tail of the path before routing ([`dispatch`])
//! rather than by one route per scope depth.

use crate::error::ApiError;
use crate::identity::Caller;
use crate::middleware::Run;
use crate::wire::authorization as w;
use crate::AppState;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use cerulean_domain::authz::assignment::{AssignmentFilter, RoleFilter};
use cerulean_domain::authz::{builtin, Role, Scope};
use cerulean_domain::subscription::DEFAULT_TENANT_ID;
use serde_json::{json, Value};
use std::sync::Arc;

const MARK: &str = "/providers/microsoft.authorization/";

/// Splits `{scope}/providers/Microsoft.Authorization/{rest}` (the last such marker) into the
/// scope (`/` for the root) and the words after the namespace.
fn split(path: &str) -> Option<(&str, Vec<&str>)> {
    // The last match, compared case-blind at each slash (no lower-cased copy of every path).
    let at = path.rmatch_indices('/').map(|(i, _)| i).find(|&i| {
        path.as_bytes()
            .get(i..i + MARK.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(MARK.as_bytes()))
    })?;
    let scope = if at == 0 { "/" } else { &path[..at] };
    let words: Vec<&str> = path[at + MARK.len()..]
        .trim_end_matches('/')
        .split('/')
        .collect();
    (!words.iter().any(|w| w.is_empty())).then_some((scope, words))
}

/// Answers `Microsoft.Authorization` requests; passes every other request on.
pub async fn dispatch(s: &AppState, req: Request, next: impl Run) -> Response {
    let found = split(crate::path::original_str(
        req.uri().path(),
        req.extensions(),
    ))
    .map(|(scope, words)| {
        (
            scope.to_string(),
            words.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
        )
    });
    let Some((scope, words)) = found else {
        return next.run(req).await;
    };
    // Boxed: every request's future holds this one's, and the requests it serves are few.
    // ARM's rules (api-version, HEAD as the existence check) as on every routed ARM path.
    Box::pin(crate::middleware::arm_rules(req, move |req| {
        serve(s, req, scope, words)
    }))
    .await
}

/// A request to `Microsoft.Authorization` (`scope`, then the path's words after it).
async fn serve(s: &AppState, req: Request, scope: String, words: Vec<String>) -> Response {
    let filter = crate::extract::query_param(req.uri().query().unwrap_or(""), "$filter");
    let caller = req.extensions().get::<Caller>().cloned();
    // HEAD is answered by the GET (`arm_rules` makes its 200 the existence check's 204).
    let method = match req.method() {
        &Method::HEAD => Method::GET,
        m => m.clone(),
    };
    let body = match axum::body::to_bytes(req.into_body(), crate::MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return ApiError::RequestTooLarge.into_response(),
    };
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    handle(s, &method, &scope, &words, filter.as_deref(), &body, caller)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn handle(
    s: &AppState,
    method: &Method,
    scope: &str,
    words: &[&str],
    filter: Option<&str>,
    body: &[u8],
    caller: Option<Caller>,
) -> Result<Response, ApiError> {
    let scope = Scope::parse(scope)?;
    if let Some(sub) = scope.subscription() {
        s.app.subscription(sub).await?;
    }
    let lower: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    match (method, lower.as_slice()) {
        (&Method::GET, ["roledefinitions"]) => {
            let f = RoleFilter::parse(filter)?;
            let value: Vec<Value> = s
                .app
                .list_role_definitions(&scope, &f)
                .await?
                .iter()
                .map(|r| w::role_definition(r, scope.subscription()))
                .collect();
            Ok(Json(json!({ "value": value })).into_response())
        }
        (&Method::GET, ["roledefinitions", _]) => {
            let r = s.app.get_role_definition(words[1]).await?;
            Ok(Json(w::role_definition(&r, scope.subscription())).into_response())
        }
        (&Method::PUT, ["roledefinitions", _]) => {
            let input = w::role_input(json_body(body)?).map_err(ApiError::InvalidRequestContent)?;
            let actor = caller.map(|Caller(p)| p.object_id);
            let sub = scope.subscription().map(str::to_string);
            let (r, _created) = s
                .app
                .put_role_definition(scope, words[1], input, actor)
                .await?;
            // 201 for an update too: the REST specification gives this operation no other
            // success, and the SDKs refuse a 200 ("Operation returned an invalid status").
            let body = w::role_definition(&Role::Custom(Arc::new(r)), sub.as_deref());
            Ok((StatusCode::CREATED, Json(body)).into_response())
        }
        (&Method::DELETE, ["roledefinitions", _]) => {
            Ok(match s.app.delete_role_definition(words[1]).await? {
                Some(r) => Json(w::role_definition(
                    &Role::Custom(Arc::new(r)),
                    scope.subscription(),
                ))
                .into_response(),
                None => StatusCode::NO_CONTENT.into_response(),
            })
        }
        (&Method::GET, ["roleassignments"]) => {
            let f = AssignmentFilter::parse(filter)?;
            let list = s.app.list_role_assignments(&scope, f).await?;
            let value: Vec<Value> = list.iter().map(w::role_assignment).collect();
            Ok(Json(json!({ "value": value })).into_response())
        }
        (&Method::GET, ["roleassignments", _]) => {
            let a = s.app.get_role_assignment(Some(&scope), words[1]).await?;
            Ok(Json(w::role_assignment(&a)).into_response())
        }
        (&Method::PUT, ["roleassignments", _]) => {
            let input =
                w::assignment_input(json_body(body)?).map_err(ApiError::InvalidRequestContent)?;
            let directory = s.options.identity.directory();
            let lookup = |id: &str| directory.lookup(id, DEFAULT_TENANT_ID);
            let actor = caller.map(|Caller(p)| p.object_id);
            let (a, created) = s
                .app
                .put_role_assignment(scope, words[1], input, &lookup, actor)
                .await?;
            let status = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok((status, Json(w::role_assignment(&a))).into_response())
        }
        (&Method::DELETE, ["roleassignments", _]) => {
            Ok(match s.app.delete_role_assignment(Some(&scope), words[1]).await? {
                Some(a) => Json(w::role_assignment(&a)).into_response(),
                None => StatusCode::NO_CONTENT.into_response(),
            })
        }
        (&Method::GET, ["permissions"]) => {
            let value: Vec<Value> = match (&caller, s.options.rbac) {
                (Some(Caller(who)), true) => s
                    .app
                    .grants(&who.object_id)
                    .await?
                    .permissions_at(scope.key())
                    .iter()
                    .map(w::permission)
                    .collect(),
                // Without `--rbac` everyone may do everything, and the answer says so.
                _ => vec![w::permission(&(&builtin::OWNER.permissions[0]).into())],
            };
            Ok(Json(json!({ "value": value })).into_response())
        }
        _ if !azure_serves(method, &lower) => Err(ApiError::MethodNotAllowed(method.to_string())),
        _ => Err(ApiError::NotImplemented(format!(
            "{method} Microsoft.Authorization/{} (only role definitions, role assignments and permissions are served)",
            words.first().copied().unwrap_or_default()
        ))),
    }
}

/// A PUT's JSON body (an empty one reads as `{}`).
fn json_body(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(json!({}))
    } else {
        serde_json::from_slice(body).map_err(|e| ApiError::InvalidRequestContent(e.to_string()))
    }
}

/// Whether Azure has an operation for `method` on this Microsoft.Authorization path (words
/// lower-cased), by the REST specifications: a list or `permissions` is read only, and a
/// role definition or assignment is read, put or deleted. What Azure lacks is 405, as on
/// every route ([`super::fallback::method_not_allowed`]); other paths name types cerulean
/// does not model, where Azure may serve the method (501).
fn azure_serves(method: &Method, words: &[&str]) -> bool {
    if !super::fallback::is_arm_method(method) {
        return false;
    }
    let read = matches!(*method, Method::GET | Method::HEAD);
    match words {
        ["roledefinitions"] | ["roleassignments"] | ["permissions"] => read,
        ["roledefinitions", _] | ["roleassignments", _] => {
            read || matches!(*method, Method::PUT | Method::DELETE)
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn extension_paths_split_at_the_last_marker() {
        assert_eq!(
            split("/subscriptions/S/providers/Microsoft.Authorization/roleAssignments/x"),
            Some(("/subscriptions/S", vec!["roleAssignments", "x"]))
        );
        assert_eq!(
            split("/providers/Microsoft.Authorization/roleDefinitions"),
            Some(("/", vec!["roleDefinitions"]))
        );
        let nic =
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n";
        assert_eq!(
            split(&format!(
                "{nic}/providers/microsoft.authorization/permissions"
            )),
            Some((nic, vec!["permissions"]))
        );
        assert_eq!(split("/subscriptions/s/resourceGroups/rg"), None);
        assert_eq!(split("/providers/Microsoft.Authorization/"), None);
    }
}
