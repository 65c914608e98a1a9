//! Enforcement of access control (`cerulean serve --rbac`): the one place every ARM request
//! is checked. [`action::classify`] names the request's action and scope; the caller's grants
//! (`cerulean_app`, cached) decide (`cerulean_domain::authz::policy`); a write that references
//! other resources also needs their join actions ([`linked`]); a list the caller may read only
//! in part shows only that part ([`filter`]). Refusals are 403 `AuthorizationFailed` or
//! `LinkedAuthorizationFailed` through the one error mapping.
//!
//! Requests the server sends itself (template deployments) carry the deploying principal as
//! their [`Caller`], so a template can do exactly what its deployer could do by hand.

pub mod action;
mod filter;
mod linked;

use crate::error::ApiError;
use crate::identity::Caller;
use crate::middleware::Run;
use crate::AppState;
use action::Kind;
use axum::body::Body;
use axum::extract::Request;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use cerulean_domain::authz::policy::{authorize_links, denied};
use cerulean_domain::authz::{Grants, Principal};

pub(crate) async fn authorize(s: &AppState, req: Request, next: impl Run) -> Response {
    if !s.options.rbac {
        return next.run(req).await;
    }
    // Boxed: every request's future holds this one's, and without `--rbac` none runs it.
    Box::pin(check_roles(s, req, next)).await
}

/// `--rbac`: the caller's role assignments must allow what the request does.
async fn check_roles(s: &AppState, req: Request, next: impl Run) -> Response {
    let path = crate::path::original(req.uri().path(), req.extensions());
    let Some(check) = action::classify(req.method(), &path) else {
        return next.run(req).await;
    };
    // Every external ARM request has a caller (`--rbac` needs tokens); a request the server
    // sends on its own, for no one, is not checked.
    let Some(Caller(who)) = req.extensions().get::<Caller>().cloned() else {
        return next.run(req).await;
    };
    let grants = match s.app.grants(&who.object_id).await {
        Ok(g) => g,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let at = check.scope.to_ascii_lowercase();
    let refuse = || ApiError::from(denied(&who, &check.action, &check.scope)).into_response();
    match &check.kind {
        Kind::Open => next.run(req).await,
        Kind::Exact => {
            if !grants.allows(&check.action, &at) {
                return refuse();
            }
            if req.method() == Method::PUT {
                return with_links(req, next, &grants, &who, &check).await;
            }
            next.run(req).await
        }
        Kind::Within { within } => {
            if grants.allows(&check.action, &at)
                || grants.allows_within(&check.action, &within.to_ascii_lowercase())
            {
                next.run(req).await
            } else {
                refuse()
            }
        }
        Kind::Visible { within } => {
            if grants.any_within(&within.to_ascii_lowercase()) {
                next.run(req).await
            } else {
                refuse()
            }
        }
        Kind::List {
            item_action,
            within,
        } => {
            if grants.allows(&check.action, &at) {
                next.run(req).await
            } else if grants.allows_within(&check.action, &within.to_ascii_lowercase()) {
                let resp = next.run(req).await;
                filter::items(resp, &grants, &check.action, item_action).await
            } else {
                refuse()
            }
        }
        Kind::Subscriptions => filter::subscriptions(next.run(req).await, &grants).await,
        Kind::RootOwner => match action::ROOT_OWNER_ACTIONS
            .iter()
            .find(|a| !grants.allows(a, "/"))
        {
            Some(missing) => ApiError::from(denied(&who, missing, "/")).into_response(),
            None => next.run(req).await,
        },
    }
}

/// A PUT of a type that references others: the body is read (it is at most
/// [`crate::MAX_BODY`], as for every request) and each link checked before the write runs.
async fn with_links(
    req: Request,
    next: impl Run,
    grants: &Grants,
    who: &Principal,
    check: &action::Check,
) -> Response {
    let type_path = check
        .action
        .strip_suffix("/write")
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !linked::has_links(&type_path) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::MAX_BODY).await else {
        return ApiError::RequestTooLarge.into_response();
    };
    // A body that is not JSON is the handler's to refuse, with ARM's 400.
    if let Ok(value) = serde_json::from_slice(&bytes) {
        let links = linked::links(&type_path, &value);
        if let Err(e) = authorize_links(grants, who, &check.action, &check.scope, &links) {
            return ApiError::from(e).into_response();
        }
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
