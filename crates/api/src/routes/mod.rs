//! The route table. Paths are matched after [`crate::path`] has lower-cased their fixed
//! words, so every literal here is lower-case.

mod admin;
mod fallback;
mod groups;
mod meta;
mod operations;
mod subscriptions;

use crate::middleware;
use crate::AppState;
use axum::routing::{get, post};
use axum::Router;

pub fn router(state: AppState) -> Router {
    let arm = Router::new()
        .route("/subscriptions", get(subscriptions::list))
        .route("/subscriptions/{sub}", get(subscriptions::get))
        .route(
            "/subscriptions/{sub}/locations",
            get(subscriptions::locations),
        )
        .route("/tenants", get(subscriptions::tenants))
        .route("/subscriptions/{sub}/resourcegroups", get(groups::list))
        .route(
            "/subscriptions/{sub}/resourcegroups/{rg}",
            get(groups::get)
                .head(groups::head)
                .put(groups::put)
                .patch(groups::patch)
                .delete(groups::delete),
        )
        .route(
            "/subscriptions/{sub}/providers/{ns}/locations/{loc}/operations/{id}",
            get(operations::status),
        )
        .route(
            "/subscriptions/{sub}/providers/{ns}/locations/{loc}/operationresults/{id}",
            get(operations::result),
        )
        .method_not_allowed_fallback(fallback::not_implemented)
        .layer(axum::middleware::from_fn(middleware::require_api_version));

    Router::new()
        .route("/health", get(meta::health))
        .route("/metadata/endpoints", get(meta::endpoints))
        .route("/cerulean/info", get(admin::info))
        .route("/cerulean/reset", post(admin::reset))
        .merge(arm)
        .fallback(fallback::unknown)
        .layer(axum::middleware::from_fn(middleware::request_context))
        .with_state(state)
}
