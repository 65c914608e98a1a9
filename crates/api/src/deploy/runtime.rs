//! What template evaluation sees of the world while a deployment runs: resources are read
//! with internal GETs, so `reference()` returns exactly what a client would get.

use super::INTERNAL_API_VERSION;
use crate::internal;
use crate::AppState;
use axum::http::Method;
use cerulean_template::Runtime;
use serde_json::Value;
use tokio::runtime::Handle;

pub struct Fetch<'a> {
    pub s: &'a AppState,
    pub handle: &'a Handle,
}

impl Runtime for Fetch<'_> {
    fn get(&self, resource_id: &str) -> Option<Value> {
        let path = format!("{resource_id}?api-version={INTERNAL_API_VERSION}");
        let reply = self
            .handle
            .block_on(internal::call(self.s, Method::GET, &path, None));
        reply.status.is_success().then_some(reply.body)
    }
}

pub fn rfc3339_now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}
