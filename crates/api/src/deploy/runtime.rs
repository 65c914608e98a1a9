//! What template evaluation sees of the world while a deployment runs: resources are read
//! with internal GETs, so `reference()` returns exactly what a client would get.

use super::INTERNAL_API_VERSION;
use crate::identity::Caller;
use crate::internal;
use crate::AppState;
use axum::http::Method;
use cerulean_domain::id::{fold, ResourceId};
use cerulean_template::{Plan, Runtime};
use serde_json::Value;
use std::collections::HashSet;
use tokio::runtime::Handle;

pub struct Fetch<'a> {
    pub s: &'a AppState,
    pub handle: &'a Handle,
    /// Whom the reads are for: the deployer.
    pub caller: Option<&'a Caller>,
}

impl Runtime for Fetch<'_> {
    fn get(&self, resource_id: &str) -> Option<Value> {
        let path = format!("{resource_id}?api-version={INTERNAL_API_VERSION}");
        let reply = self.handle.block_on(internal::call(
            self.s,
            self.caller,
            Method::GET,
            &path,
            None,
        ));
        reply.status.is_success().then_some(reply.body)
    }
}

/// What a finished nested deployment created (its `outputResources`).
pub fn output_resources(fetch: &Fetch, deployment_id: &str) -> Vec<String> {
    let d = fetch.get(deployment_id).unwrap_or_default();
    d["properties"]["outputResources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .collect()
}

/// Top-level resources of a group that `plan` does not declare, nor its nested deployments
/// (`also`) (all pages of the generic list): what a Complete deployment deletes. Children go
/// with their parents.
pub fn undeclared(
    s: &AppState,
    handle: &Handle,
    caller: Option<&Caller>,
    plan: &Plan,
    also: &[String],
    group_id: &str,
) -> Vec<String> {
    let declared: HashSet<String> = plan
        .resources
        .iter()
        .map(|r| &r.id)
        .chain(also)
        .map(|id| fold(id))
        .collect();
    let mut ids = Vec::new();
    let mut next = Some(format!(
        "{group_id}/resources?api-version={INTERNAL_API_VERSION}"
    ));
    while let Some(url) = next.take() {
        let reply = handle.block_on(internal::call(s, caller, Method::GET, &url, None));
        for v in reply.body["value"].as_array().into_iter().flatten() {
            let Some(id) = v["id"].as_str() else { continue };
            let top_level = ResourceId::parse(id).is_ok_and(|r| r.segments().len() == 1);
            if top_level && !declared.contains(&fold(id)) {
                ids.push(id.to_string());
            }
        }
        next = reply.body["nextLink"]
            .as_str()
            .and_then(internal::local_part);
    }
    ids
}
