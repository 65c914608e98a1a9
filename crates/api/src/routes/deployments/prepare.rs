//! What every deployment request does first: parse the request, plan its template, check
//! the templates of its nested deployments and the resource groups they all deploy to, and,
//! under `--rbac`, whether the deployer may write all they declare.

use crate::error::ApiError;
use crate::identity::Caller;
use crate::internal::Nested;
use crate::wire::deployment as w;
use crate::AppState;
use cerulean_app::AppError;
use cerulean_domain::authz::policy::{authorize_template, Declared};
use cerulean_domain::deployment::{check_nested, check_subscription_deployment, validate_name};
use cerulean_domain::group::ResourceGroup;
use cerulean_domain::id::ResourceId;
use cerulean_domain::DomainError;

const RESOURCE_GROUPS: &str = "Microsoft.Resources/resourceGroups";
use cerulean_template::{Plan, PlannedResource, Scope};
use serde_json::{json, Value};

/// A deployment's plan, and the resources of the nested deployments it was checked with.
pub(super) struct Prepared {
    pub req: w::Request,
    pub plan: Plan,
    nested: Vec<PlannedResource>,
}

impl Prepared {
    /// Every resource the deployment declares, its nested deployments' too (those that could
    /// be planned before it runs), skipped ones and those it only reads (`existing`) left out.
    pub fn declared(&self) -> impl Iterator<Item = &PlannedResource> {
        self.plan
            .resources
            .iter()
            .chain(&self.nested)
            .filter(|r| r.condition && !r.existing)
    }
}

/// How much of its nested deployments one submission checks before it runs: at most this
/// many deployments, and no more once they declare this many resources; the rest are checked
/// when they are submitted. Copy loops of modules of modules could otherwise make one check
/// plan 800 deployments of 800 deployments each; ARM too expands only some.
const NESTED_CHECKED: usize = 50;
const NESTED_RESOURCES: usize = 1600;

/// Parses the request and plans its template (every template error surfaces here), and the
/// templates of the nested deployments it declares, as far as they can be evaluated before
/// anything is deployed (a nested deployment whose parameters need `reference()` is checked
/// when it runs): a bad nested template is refused before anything is created, as in ARM.
/// Depth first, one plan per level held at a time. `nested`: submitted by another
/// deployment's template.
pub(super) async fn prepare(
    s: &AppState,
    at: &super::At,
    nested: Option<Nested>,
    body: w::DeploymentIn,
) -> Result<Prepared, ApiError> {
    let depth = nested.map_or(0, |n| n.depth);
    let sub = at.sub.as_str();
    let group = match at.rg.as_deref() {
        Some(rg) => Some(s.app.get_group(sub, rg).await?.group),
        None => None,
    };
    let (req, plan) = prepare_one(s, sub, group, &at.name, nested, body).await?;
    let mut pending = deployments_in(&plan, depth, NESTED_CHECKED);
    let (mut checked, mut declared) = (0, Vec::new());
    while let Some((group, name, body, depth)) = pending.pop() {
        if checked >= NESTED_CHECKED || declared.len() >= NESTED_RESOURCES {
            break;
        }
        checked += 1;
        let Ok(body) = serde_json::from_value::<w::DeploymentIn>(body) else {
            continue;
        };
        // A group the template itself creates does not exist yet: its modules are checked
        // when they run.
        let group = match group {
            Some(g) => match s.app.get_group(sub, &g).await {
                Ok(v) => Some(v.group),
                Err(AppError::Domain(DomainError::ResourceGroupNotFound { .. })) => continue,
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        let nested = Some(Nested { depth });
        let (_, p) = prepare_one(s, sub, group, &name, nested, body).await?;
        let room = NESTED_CHECKED.saturating_sub(checked + pending.len());
        pending.extend(deployments_in(&p, depth, room));
        declared.extend(
            p.resources
                .into_iter()
                .filter(|r| r.condition && !r.existing),
        );
    }
    Ok(Prepared {
        req,
        plan,
        nested: declared,
    })
}

/// A nested deployment to check: its group (`None`: the subscription's), name, body and
/// depth.
type Pending = (Option<String>, String, Value, u32);

/// Up to `most` nested deployments of `plan` whose bodies can be evaluated now, last first
/// (a stack).
fn deployments_in(plan: &Plan, depth: u32, most: usize) -> Vec<Pending> {
    let mut found: Vec<_> = plan
        .resources
        .iter()
        .enumerate()
        .filter(|(_, r)| r.condition && !r.existing && w::is_type(&r.type_name))
        .filter_map(|(i, r)| {
            let body = plan.body(i, &cerulean_template::NoResources).ok()?;
            let id = ResourceId::parse(&r.id).ok()?;
            let group = id.group_name().map(str::to_string);
            Some((group, id.name().to_string(), body, depth + 1))
        })
        .take(most)
        .collect();
    found.reverse();
    found
}

/// One deployment's request and plan: of `group`, or (`None`) of the subscription.
async fn prepare_one(
    s: &AppState,
    sub: &str,
    group: Option<ResourceGroup>,
    name: &str,
    nested: Option<Nested>,
    body: w::DeploymentIn,
) -> Result<(w::Request, Plan), ApiError> {
    validate_name(name)?;
    let subscription = s.app.subscription(sub).await?;
    let mut req = body.request()?;
    if let Some(n) = nested {
        check_nested(name, req.mode, n.depth)?;
    }
    // Only a subscription deployment has a location of its own.
    req.location = match group {
        Some(_) => None,
        None => Some(check_subscription_deployment(req.mode, req.location.as_deref())?.to_string()),
    };
    let scope_group = group.as_ref().map(|g| g.name.to_ascii_lowercase());
    let scope = Scope {
        subscription_id: subscription.id.clone(),
        subscription_name: subscription.display_name.clone(),
        tenant_id: subscription.tenant_id.clone(),
        resource_group: group.as_ref().map(|g| g.name.clone()).unwrap_or_default(),
        resource_group_location: group
            .as_ref()
            .map(|g| g.location.clone())
            .unwrap_or_default(),
        resource_group_tags: group
            .iter()
            .flat_map(|g| g.tags.iter())
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect(),
        deployment_name: name.to_string(),
        subscription_location: match group {
            Some(_) => None,
            None => req.location.clone(),
        },
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
    // group must exist before anything is deployed (404 `ResourceGroupNotFound`), unless the
    // template creates it (a subscription deployment's `Microsoft.Resources/resourceGroups`).
    let mut checked: Vec<String> = scope_group.into_iter().collect();
    checked.extend(
        plan.resources
            .iter()
            .filter(|r| r.condition && r.type_name.eq_ignore_ascii_case(RESOURCE_GROUPS))
            .map(|r| r.name.to_ascii_lowercase()),
    );
    for r in plan.resources.iter().filter(|r| r.condition && !r.existing) {
        let Some(group) = ResourceId::parse(&r.id)
            .ok()
            .and_then(|id| id.group_name().map(str::to_string))
        else {
            continue;
        };
        if !checked.contains(&group.to_ascii_lowercase()) {
            s.app.get_group(sub, &group).await?;
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
