//! `plan()`: the template's sections in the order they depend on each other.

use serde_json::{Map, Value};

use crate::error::TemplateError;
use crate::eval::{Ctx, Entry, Frame, Phase, World};
use crate::limits::{
    json_depth, Budget, MAX_JSON_DEPTH, MAX_OUTPUTS, MAX_PARAMETERS, MAX_VARIABLES,
};
use crate::nested::{self, EvalScope};
use crate::resources::{self, Instance};
use crate::symbols::{self, Lazy, Table};
use crate::value::get_ci;
use crate::{check, graph, parameters, symbolic, udf, ParameterValue, PlannedResource, Scope};

/// What a plan keeps to evaluate bodies and outputs later.
#[derive(Debug)]
pub(crate) struct State {
    pub world: World,
    pub symbols: Table,
    pub instances: Vec<InstanceState>,
    pub outputs: Map<String, Value>,
    pub order: Vec<usize>,
    /// The parent's parameters and variables, for outer-scope nested deployments.
    pub outer: nested::Outer,
    /// Shared by planning and every later evaluation: one budget per deployment.
    pub budget: Budget,
}

#[derive(Debug)]
pub(crate) struct InstanceState {
    pub decl: Map<String, Value>,
    pub nested: Option<nested::Nested>,
    pub frames: Vec<Frame>,
}

pub(crate) struct Planned {
    pub parameters: Vec<(String, ParameterValue)>,
    pub resources: Vec<PlannedResource>,
    pub state: State,
}

/// Refuses JSON nested deeper than [`MAX_JSON_DEPTH`] before anything walks it recursively.
fn not_too_deep(v: &Value, what: &str) -> Result<(), TemplateError> {
    if json_depth(v, MAX_JSON_DEPTH) > MAX_JSON_DEPTH {
        return Err(TemplateError::invalid(format!(
            "The {what} nests more than {MAX_JSON_DEPTH} levels deep, cerulean's limit for template JSON."
        )));
    }
    Ok(())
}

/// Azure's limits on the number of parameters, variables and outputs.
fn counted(section: &str, n: usize, max: usize) -> Result<(), TemplateError> {
    if n > max {
        return Err(TemplateError::invalid(format!(
            "The template has {n} {section}; the limit is {max}. Please see https://aka.ms/arm-template/#template-limits for usage details."
        ))
        .at(section));
    }
    Ok(())
}

/// The template's sections, checked for their JSON type (a symbolic-name template already
/// brought to 1.0's shape by [`symbolic::normalize`]).
fn shape(t: &Map<String, Value>) -> Result<(), TemplateError> {
    match get_ci(t, "resources") {
        None | Some(Value::Array(_)) => {}
        Some(_) => {
            return Err(TemplateError::validation(
                "The template 'resources' section must be an array.",
            )
            .at("resources"))
        }
    }
    match get_ci(t, "outputs") {
        None | Some(Value::Object(_)) => {}
        Some(_) => {
            return Err(TemplateError::validation(
                "The template 'outputs' section must be an object.",
            )
            .at("outputs"))
        }
    }
    Ok(())
}

pub(crate) fn plan(
    template: &Value,
    given: &Map<String, Value>,
    scope: &Scope,
) -> Result<Planned, TemplateError> {
    not_too_deep(template, "template")?;
    for (name, v) in given {
        not_too_deep(v, &format!("value of the parameter '{name}'"))?;
    }
    let t = template
        .as_object()
        .ok_or_else(|| TemplateError::validation("The template must be a JSON object."))?;
    let t = symbolic::normalize(t)?;
    let t: &Map<String, Value> = &t;
    shape(t)?;
    let params = parameters::declarations(t)?;
    counted("parameters", params.len(), MAX_PARAMETERS)?;
    let vars = symbols::variable_declarations(t)?;
    counted("variables", vars.len(), MAX_VARIABLES)?;
    if let Some(Value::Object(o)) = get_ci(t, "outputs") {
        counted("outputs", o.len(), MAX_OUTPUTS)?;
    }
    let budget = Budget::default();
    let supplied = parameters::supplied(&params, given)?;
    let functions = udf::declarations(t)?;
    check::template(t, &params, &vars, &functions)?;

    let mut world = World {
        scope: scope.clone(),
        content_version: get_ci(t, "contentVersion")
            .and_then(Value::as_str)
            .unwrap_or("1.0.0.0")
            .to_string(),
        resources: Vec::new(),
        functions,
    };
    let (parameters, table) =
        Lazy::new(&world, &params, supplied, &vars, &budget).finish(&params)?;

    let empty = Vec::new();
    let declared = match get_ci(t, "resources") {
        Some(Value::Array(r)) => r,
        _ => &empty,
    };
    let mut instances: Vec<Instance> =
        resources::expand(declared, &plan_ctx(&world, &table, &budget))?;
    duplicates(&instances)?;
    for r in instances
        .iter()
        .filter(|r| r.planned.condition && !r.planned.existing)
    {
        for (k, v) in r.decl.iter().filter(|(k, _)| resources::is_body_key(k)) {
            check::unperformed(v, &crate::eval::join(&r.planned.path, k))?;
        }
    }
    world.resources = instances
        .iter()
        .map(|r| Entry {
            id: r.planned.id.clone(),
            name: r.planned.name.clone(),
            symbol: r.symbol.clone(),
            type_name: r.planned.type_name.clone(),
            api_version: r.planned.api_version.clone(),
        })
        .collect();
    graph::wire(&mut instances, &plan_ctx(&world, &table, &budget))?;
    let order = graph::order(&instances)?;

    let outputs = match get_ci(t, "outputs") {
        Some(Value::Object(o)) => o.clone(),
        _ => Map::new(),
    };
    let outer = if instances.iter().any(|r| {
        r.nested
            .as_ref()
            .is_some_and(|n| n.scope == EvalScope::Outer)
    }) {
        nested::Outer::of(t)
    } else {
        nested::Outer::default()
    };
    let (resources, instances): (Vec<_>, Vec<_>) = instances
        .into_iter()
        .map(|r| {
            (
                r.planned,
                InstanceState {
                    decl: r.decl,
                    nested: r.nested,
                    frames: r.frames,
                },
            )
        })
        .unzip();
    Ok(Planned {
        parameters,
        resources,
        state: State {
            world,
            symbols: table,
            instances,
            outputs,
            order,
            outer,
            budget,
        },
    })
}

fn plan_ctx<'a>(world: &'a World, table: &'a Table, budget: &'a Budget) -> Ctx<'a> {
    Ctx {
        world,
        symbols: table,
        rt: None,
        phase: Phase::Plan,
        frames: Vec::new(),
        lambda: Vec::new(),
        budget,
    }
}

/// Two deployed instances with one id would overwrite each other; conditional
/// alternatives (one of them skipped) are fine.
fn duplicates(instances: &[Instance]) -> Result<(), TemplateError> {
    let mut seen = std::collections::HashMap::new();
    for r in instances
        .iter()
        .filter(|r| r.planned.condition && !r.planned.existing)
    {
        if let Some(first) = seen.insert(r.planned.id.to_ascii_lowercase(), &r.planned.path) {
            return Err(TemplateError::validation(format!(
                "The resource '{}' is defined multiple times in a template (at '{first}' and '{}'). Please see https://aka.ms/arm-template/#resources for usage details.",
                r.planned.id, r.planned.path
            ))
            .at(r.planned.path.clone()));
        }
    }
    Ok(())
}
