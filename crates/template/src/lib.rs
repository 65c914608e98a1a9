//! The ARM template language, as a pure library: a template and its parameters go in, a
//! [`Plan`] comes out (resources with their ids, expanded copy loops, conditions and a
//! dependency order); each resource's body and the outputs are evaluated later, when the
//! resources they `reference()` exist. Nothing here performs a deployment: the caller applies
//! each body through the same operations as a direct PUT.

mod check;
mod declared;
mod error;
mod eval;
mod expr;
mod functions;
mod graph;
mod ids;
pub mod limits;
mod nested;
mod outputs;
mod parameters;
mod planner;
mod resources;
mod symbolic;
mod symbols;
mod udf;
mod value;

pub use declared::well_formed_api_version;
pub use error::TemplateError;

use serde_json::{Map, Value};

/// Where a deployment runs: what `resourceGroup()`, `subscription()`, `deployment()` and
/// `resourceId()` default to.
#[derive(Clone, Debug)]
pub struct Scope {
    pub subscription_id: String,
    pub subscription_name: String,
    pub tenant_id: String,
    /// The deployment's group (empty for a subscription deployment), its location and tags.
    pub resource_group: String,
    pub resource_group_location: String,
    pub resource_group_tags: Map<String, Value>,
    pub deployment_name: String,
    /// A subscription deployment's location: `Some` makes it one. Its resources are the
    /// subscription's (resource groups, nested deployments), not a group's.
    pub subscription_location: Option<String>,
}

impl Scope {
    pub fn at_subscription(&self) -> bool {
        self.subscription_location.is_some()
    }
}

/// What evaluation needs from the world at apply time.
pub trait Runtime {
    /// The full ARM JSON of an existing resource (as a GET returns it), or `None` if absent.
    fn get(&self, resource_id: &str) -> Option<Value>;
}

/// A runtime that knows no resources: for validation and what-if, where `reference()` of a
/// resource that is not deployed yet cannot be answered.
pub struct NoResources;

impl Runtime for NoResources {
    fn get(&self, _: &str) -> Option<Value> {
        None
    }
}

/// A parameter after validation: its declared type (lower-case, e.g. `securestring`) and value.
#[derive(Clone, Debug, PartialEq)]
pub struct ParameterValue {
    pub type_name: String,
    pub value: Value,
}

impl ParameterValue {
    /// `securestring` and `secureobject` values are never echoed.
    pub fn is_secure(&self) -> bool {
        self.type_name.starts_with("secure")
    }
}

/// One resource instance of the template (a copy loop yields one per index).
#[derive(Clone, Debug)]
pub struct PlannedResource {
    /// Full resource id, e.g. `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a`.
    pub id: String,
    /// Full type, e.g. `Microsoft.Network/virtualNetworks/subnets`.
    pub type_name: String,
    /// Full name, e.g. `v/a`.
    pub name: String,
    pub api_version: String,
    /// Indexes into [`Plan::resources`] this one must wait for (explicit and implicit:
    /// `dependsOn`, the parent of a nested child, `reference()` of another template resource).
    pub depends_on: Vec<usize>,
    /// `false` when `condition` evaluated to false: the resource is skipped.
    pub condition: bool,
    /// An `existing` declaration (languageVersion 2.0): a resource the template reads, never
    /// deploys.
    pub existing: bool,
    /// Position in the template, for messages: e.g. `resources[2]` or `resources[0].resources[1]`.
    pub path: String,
}

/// A template ready to be applied.
#[derive(Debug)]
pub struct Plan {
    pub parameters: Vec<(String, ParameterValue)>,
    pub resources: Vec<PlannedResource>,
    /// Private evaluation state (template, variables, copy indexes per resource, ...).
    inner: planner::State,
}

/// Parses and validates a template with its parameter values (the `parameters` object of a
/// deployment: `{"name": {"value": ...}}`): parameter types, defaults, allowed values,
/// min/max, variables, copy loops, conditions, names, types and ids of every resource,
/// `dependsOn` and cycles. Unknown functions anywhere in the template are reported here.
pub fn plan(
    template: &Value,
    parameters: &Map<String, Value>,
    scope: &Scope,
) -> Result<Plan, TemplateError> {
    let planned = planner::plan(template, parameters, scope)?;
    Ok(Plan {
        parameters: planned.parameters,
        resources: planned.resources,
        inner: planned.state,
    })
}

impl Plan {
    /// An order in which the resources can be applied: every resource after all it depends on.
    pub fn order(&self) -> Vec<usize> {
        self.inner.order.clone()
    }

    fn apply_ctx<'a>(&'a self, rt: &'a dyn Runtime) -> eval::Ctx<'a> {
        eval::Ctx {
            world: &self.inner.world,
            symbols: &self.inner.symbols,
            rt: Some(rt),
            phase: eval::Phase::Apply,
            frames: Vec::new(),
            lambda: Vec::new(),
            budget: &self.inner.budget,
        }
    }

    /// The request body to PUT for resource `index`: every property of the resource
    /// declaration except `type`, `name`, `apiVersion`, `dependsOn`, `copy`, `condition`,
    /// `comments` and nested `resources`, with every expression evaluated (property copy
    /// loops expanded).
    pub fn body(&self, index: usize, rt: &dyn Runtime) -> Result<Value, TemplateError> {
        let state = self.inner.instances.get(index).ok_or_else(|| {
            TemplateError::invalid(format!("The plan has no resource number {index}."))
        })?;
        let mut ctx = self.apply_ctx(rt);
        ctx.frames = state.frames.clone();
        let path = &self.resources[index].path;
        let mut out = Map::new();
        for (k, v) in state.decl.iter().filter(|(k, _)| resources::is_body_key(k)) {
            out.insert(k.clone(), eval::json(v, &ctx, &eval::join(path, k))?);
        }
        if let Some(n) = &state.nested {
            nested::complete(&mut out, n, &self.inner.outer, &self.parameters);
        }
        Ok(Value::Object(out))
    }

    /// The resource's declaration as written, with the same keys as [`Plan::body`] but every
    /// expression left unevaluated: what what-if shows when a body cannot be evaluated
    /// before deployment. `Null` for an index outside the plan.
    pub fn declaration(&self, index: usize) -> Value {
        match self.inner.instances.get(index) {
            Some(state) => Value::Object(
                state
                    .decl
                    .iter()
                    .filter(|(k, _)| resources::is_body_key(k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
            None => Value::Null,
        }
    }

    /// The evaluated `outputs`: `{"name": {"type": "String", "value": ...}}`.
    pub fn outputs(&self, rt: &dyn Runtime) -> Result<Map<String, Value>, TemplateError> {
        outputs::evaluate(&self.inner.outputs, &self.apply_ctx(rt))
    }
}
