//! What every deployment request does first: parse the request, plan its template, check
//! the templates of its nested deployments and the resource groups they all deploy to, and,
//! under `--rbac`, whether the deployer may write all they declare.

use crate::error::ApiError;
use crate::identity::Caller;
use crate::internal::Nested;
use crate::wire::deployment as w;
use crate::AppState;
use cerulean_domain::authz::policy::{authorize_template, Declared};
use cerulean_domain::deployment::{check_nested, validate_name};
use cerulean_template::{Plan, Scope};
use serde_json::{json, Value};

/// A deployment's plan, and the plans of the nested deployments it was checked with.
pub(super) struct Prepared {
    pub req: w::Request,
    pub plan: Plan,
    pub nested: Vec<Plan>,
}

impl Prepared {
    /// Every resource the deployment declares, its nested deployments' too (those that could
    /// be planned before it runs), skipped ones left out.
    pub fn declared(&self) -> impl Iterator<Item = &cerulean_template::PlannedResource> {
        std::iter::once(&self.plan)
            .chain(&self.nested)
            .flat_map(|p| p.resources.iter().filter(|r| r.condition))
    }
}

/// How many nested deployments one submission checks before it runs (breadth first); the
/// rest are checked when they are submitted. A template's copy loops could otherwise make
/// a check plan 800 deployments of 800 each; ARM too expands only some.
const NESTED_CHECKED: usize = 50;

/// Parses the request and plans its template (every template error surfaces here), and the
/// templates of the nested deployments it declares, as far as they can be evaluated before
/// anything is deployed (a nested deployment whose parameters need `reference()` is checked
/// when it runs): a bad nested template is refused before anything is created, as in ARM.
/// `nested`: submitted by another deployment's template.
pub(super) async fn prepare(
    s: &AppState,
    sub: &str,
    rg: &str,
    name: &str,
    nested: Option<Nested>,
    body: w::DeploymentIn,
) -> Result<Prepared, ApiError> {
    let depth = nested.map_or(0, |n| n.depth);
    let (req, plan) = prepare_one(s, sub, rg, name, nested, body).await?;
    let mut queue = std::collections::VecDeque::from(deployments_in(&plan, depth));
    let mut plans = Vec::new();
    while let Some((group, name, body, depth)) = queue.pop_front() {
        if plans.len() >= NESTED_CHECKED {
            break;
        }
        let Ok(body) = serde_json::from_value::<w::DeploymentIn>(body) else {
            continue;
        };
        let (_, p) = prepare_one(s, sub, &group, &name, Some(Nested { depth }), body).await?;
        queue.extend(deployments_in(&p, depth));
        plans.push(p);
    }
    Ok(Prepared {
        req,
        plan,
        nested: plans,
    })
}

/// The nested deployments of `plan` whose bodies can be evaluated now: their group, name,
/// body and depth.
fn deployments_in(plan: &Plan, depth: u32) -> Vec<(String, String, Value, u32)> {
    plan.resources
        .iter()
        .enumerate()
        .filter(|(_, r)| r.condition && r.type_name.eq_ignore_ascii_case(w::TYPE))
        .filter_map(|(i, r)| {
            let body = plan.body(i, &cerulean_template::NoResources).ok()?;
            let mut segments = r.id.split('/');
            let group = segments.nth(4)?.to_string();
            let name = r.id.rsplit('/').next()?.to_string();
            Some((group, name, body, depth + 1))
        })
        .collect()
}

/// One deployment's request and plan.
async fn prepare_one(
    s: &AppState,
    sub: &str,
    rg: &str,
    name: &str,
    nested: Option<Nested>,
    body: w::DeploymentIn,
) -> Result<(w::Request, Plan), ApiError> {
    validate_name(name)?;
    let subscription = s.app.subscription(sub).await?;
    let group = s.app.get_group(sub, rg).await?;
    let req = body.request()?;
    if let Some(n) = nested {
        check_nested(name, req.mode, n.depth)?;
    }
    let scope = Scope {
        subscription_id: subscription.id.clone(),
        subscription_name: subscription.display_name.clone(),
        tenant_id: subscription.tenant_id.clone(),
        resource_group: group.group.name.clone(),
        resource_group_location: group.group.location.clone(),
        resource_group_tags: group
            .group
            .tags
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect(),
        deployment_name: name.to_string(),
    };
    // Planning evaluates the template: CPU work within the template's budget, kept off the
    // async workers.
    let (req, plan) = tokio::task::spawn_blocking(move || {
        let plan = cerulean_template::plan(&req.template, &req.parameters, &scope);
        (req, plan)
    })
    .await
    .map_err(|e| cerulean_store::StoreError::Backend(format!("template planning: {e}")))?;
    let plan = plan.map_err(w::template_error)?;
    // A resource may go to another group of the subscription (its `resourceGroup`): that
    // group must exist before anything is deployed (404 `ResourceGroupNotFound`).
    let mut checked = vec![rg.to_ascii_lowercase()];
    for r in plan.resources.iter().filter(|r| r.condition) {
        let group = r.id.split('/').nth(4).unwrap_or(rg);
        if !checked.contains(&group.to_ascii_lowercase()) {
            s.app.get_group(sub, group).await?;
            checked.push(group.to_ascii_lowercase());
        }
    }
    Ok((req, plan))
}

/// Under `--rbac`, ARM checks before a deployment starts (and on validate) that the deployer
/// may write every resource the template declares: a refusal is 403
/// `InvalidTemplateDeployment` with each `AuthorizationFailed` in `details`, and nothing is
/// created. Resources skipped by their condition are not checked. (Each resource is still
/// applied as the deployer, so joins and reads are checked as they happen.)
pub(super) async fn may_deploy(
    s: &AppState,
    caller: Option<&Caller>,
    prepared: &Prepared,
) -> Result<(), ApiError> {
    let (true, Some(Caller(who))) = (s.options.rbac, caller) else {
        return Ok(());
    };
    let grants = s.app.grants(&who.object_id).await?;
    let declared: Vec<Declared<'_>> = prepared
        .declared()
        .map(|r| Declared {
            type_name: &r.type_name,
            name: &r.name,
            id: &r.id,
        })
        .collect();
    authorize_template(&grants, who, &declared)?;
    Ok(())
}
