//! Resource declarations to instances: nested children flattened (full type and name),
//! copy loops expanded, conditions evaluated, ids built.

use serde_json::{Map, Value};

use crate::declared::{check_api_version, target_group};
use crate::error::TemplateError;
use crate::eval::{self, Ctx, Frame};
use crate::ids::{self, provider_path};
use crate::limits::{measure_within, MAX_JSON_DEPTH, MAX_RESOURCES, MAX_TEMPLATE_BYTES};
use crate::nested::{self, Nested};
use crate::value::{fold, get_ci, type_name as kind};
use crate::PlannedResource;

/// Keys of a declaration that are not part of the resource's body.
pub(crate) const NOT_BODY: &[&str] = &[
    "type",
    "name",
    "apiVersion",
    "dependsOn",
    "copy",
    "condition",
    "comments",
    "resources",
    "scope",
    "existing",
    "resourceGroup",
    "subscriptionId",
    crate::symbolic::SYMBOL,
];

pub(crate) fn is_body_key(k: &str) -> bool {
    !NOT_BODY.iter().any(|n| n.eq_ignore_ascii_case(k))
}

/// One resource instance and what its body needs to be evaluated later.
#[derive(Clone, Debug)]
pub(crate) struct Instance {
    pub planned: PlannedResource,
    pub decl: Map<String, Value>,
    /// A nested deployment's template, taken out of `decl`.
    pub nested: Option<Nested>,
    pub frames: Vec<Frame>,
    /// Lower-case name of its own copy loop, and whether that loop is serial (with its
    /// batch size).
    pub loop_name: Option<String>,
    pub serial_batch: Option<usize>,
    pub parent: Option<usize>,
    /// Its symbolic name (languageVersion 2.0).
    pub symbol: Option<String>,
}

struct Parent<'p> {
    index: usize,
    type_name: &'p str,
    name: &'p str,
    condition: bool,
    /// The group the parent goes to (`None`: the subscription): its children go there too.
    group: Option<&'p str>,
}

pub(crate) fn expand(resources: &[Value], ctx: &Ctx) -> Result<Vec<Instance>, TemplateError> {
    let mut out = Expansion::default();
    for (i, r) in resources.iter().enumerate() {
        declaration(r, &format!("resources[{i}]"), None, ctx, &mut out)?;
    }
    Ok(out.instances)
}

/// The instances so far, and the bytes of their declarations together: Azure's limits of
/// 800 resources (copies included) and 4 MB for the expanded template hold before a
/// declaration is copied once more.
#[derive(Default)]
struct Expansion {
    instances: Vec<Instance>,
    bytes: usize,
}

impl Expansion {
    fn admit(&mut self, decl_bytes: usize, path: &str) -> Result<(), TemplateError> {
        if self.instances.len() >= MAX_RESOURCES {
            return Err(TemplateError::invalid(format!(
                "The template has more than {MAX_RESOURCES} resources (copies included) at '{path}'; the limit is {MAX_RESOURCES}. Please see https://aka.ms/arm-template/#template-limits for usage details."
            ))
            .at(path));
        }
        self.bytes = self.bytes.saturating_add(decl_bytes);
        if self.bytes > MAX_TEMPLATE_BYTES {
            return Err(TemplateError::invalid(format!(
                "The template's resources add up to more than {MAX_TEMPLATE_BYTES} bytes once their copies are expanded (at '{path}'); a template can't exceed 4 MB once expanded. Please see https://aka.ms/arm-template/#template-limits for usage details."
            ))
            .at(path));
        }
        Ok(())
    }
}

fn text(v: Option<&Value>, what: &str, ctx: &Ctx, path: &str) -> Result<String, TemplateError> {
    let at = format!("{path}.{what}");
    match v {
        Some(v) => match eval::json(v, ctx, &at)? {
            Value::String(s) if !s.is_empty() => Ok(s),
            other => Err(TemplateError::validation(format!(
                "The template resource at '{path}' has a '{what}' of type '{}'; it must be a non-empty string.",
                kind(&other)
            ))
            .at(at)),
        },
        None => Err(TemplateError::validation(format!(
            "The template resource at '{path}' must have a '{what}'. Please see https://aka.ms/arm-template/#resources for usage details."
        ))
        .at(path)),
    }
}

/// An extension resource's `scope`: the id of the resource it extends, or its
/// `Namespace/type/name` in the deployment's group.
fn extended(
    decl: &Map<String, Value>,
    ctx: &Ctx,
    name: &str,
    path: &str,
) -> Result<Option<String>, TemplateError> {
    let Some(v) = get_ci(decl, "scope") else {
        return Ok(None);
    };
    let at = format!("{path}.scope");
    match eval::json(v, ctx, &at)? {
        Value::String(s) if !s.is_empty() && !s.contains("//") => Ok(Some(s)),
        other => Err(TemplateError::validation(format!(
            "The 'scope' of the template resource '{name}' at '{path}' must be a resource id or 'Namespace/type/name'; it is '{}'.",
            crate::value::to_text(&other)
        ))
        .at(at)),
    }
}

fn declaration(
    r: &Value,
    path: &str,
    parent: Option<&Parent>,
    ctx: &Ctx,
    out: &mut Expansion,
) -> Result<(), TemplateError> {
    let Value::Object(decl) = r else {
        return Err(TemplateError::validation(format!(
            "The template resource at '{path}' must be an object."
        ))
        .at(path));
    };
    let existing = match get_ci(decl, "existing") {
        None | Some(Value::Bool(false)) => false,
        Some(Value::Bool(true)) if get_ci(decl, crate::symbolic::SYMBOL).is_some() => true,
        Some(Value::Bool(true)) => {
            return Err(TemplateError::validation(format!(
                "The template resource at '{path}' is 'existing', which only a languageVersion 2.0 template can declare."
            ))
            .at(format!("{path}.existing")))
        }
        Some(_) => {
            return Err(TemplateError::validation(format!(
                "The 'existing' of the template resource at '{path}' must be a boolean."
            ))
            .at(format!("{path}.existing")))
        }
    };
    let symbol = get_ci(decl, crate::symbolic::SYMBOL)
        .and_then(Value::as_str)
        .map(str::to_string);
    let (loop_name, count, serial_batch) = match get_ci(decl, "copy") {
        None => (None, None, None),
        Some(Value::Object(copy)) => {
            let at = format!("{path}.copy");
            let name = match get_ci(copy, "name") {
                Some(Value::String(n)) if !n.is_empty() => n.clone(),
                _ => {
                    return Err(TemplateError::validation(format!(
                        "The copy of the template resource at '{path}' must have a 'name'."
                    ))
                    .at(at))
                }
            };
            let count = eval::count(get_ci(copy, "count"), ctx, &format!("{at}.count"))?;
            let serial = get_ci(copy, "mode")
                .and_then(Value::as_str)
                .is_some_and(|m| m.eq_ignore_ascii_case("serial"));
            let batch = get_ci(copy, "batchSize")
                .and_then(crate::value::as_int)
                .unwrap_or(1)
                .max(1) as usize;
            (Some(name), Some(count), serial.then_some(batch))
        }
        Some(_) => {
            return Err(TemplateError::validation(format!(
                "The copy of the template resource at '{path}' must be an object."
            ))
            .at(format!("{path}.copy")))
        }
    };
    let decl_bytes = measure_within(r, MAX_JSON_DEPTH).map_err(|f| f.locate(path, ""))?;
    let indexes: Vec<Option<usize>> = match count {
        None => vec![None],
        Some(n) => (0..n).map(Some).collect(),
    };
    for index in indexes {
        let ctx = match index {
            Some(i) => ctx.with_frame(loop_name.as_deref(), i as i64, true),
            None => ctx.clone(),
        };
        let own_type = text(get_ci(decl, "type"), "type", &ctx, path)?;
        let own_name = text(get_ci(decl, "name"), "name", &ctx, path)?;
        let (type_name, name) = match parent {
            Some(p) if !own_type.contains('/') => (
                format!("{}/{own_type}", p.type_name),
                format!("{}/{own_name}", p.name),
            ),
            _ => (own_type, own_name),
        };
        let api_version = text(get_ci(decl, "apiVersion"), "apiVersion", &ctx, path)?;
        check_api_version(&api_version, &type_name, path)?;
        let scope = &ctx.world.scope;
        let group = match target_group(decl, &ctx, &name, path)? {
            Some(g) => Some(g),
            None => match parent {
                Some(p) => p.group.map(str::to_string),
                // A module sent to the subscription (`subscriptionId` alone), and anything a
                // subscription deployment declares, is the subscription's.
                None if scope.at_subscription() => None,
                None if nested::is_deployment(&type_name)
                    && get_ci(decl, "subscriptionId").is_some() =>
                {
                    None
                }
                None => Some(scope.resource_group.clone()),
            },
        };
        let condition = match get_ci(decl, "condition") {
            None => true,
            Some(c) => match eval::json(c, &ctx, &format!("{path}.condition"))? {
                Value::Bool(b) => b,
                Value::String(s) if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => {
                    s.eq_ignore_ascii_case("true")
                }
                other => {
                    return Err(TemplateError::validation(format!(
                        "The condition of the template resource '{name}' at '{path}' must be a boolean; it is of type '{}'.",
                        kind(&other)
                    ))
                    .at(format!("{path}.condition")))
                }
            },
        };
        let provider = provider_path(&type_name, &[&name]).ok_or_else(|| {
            TemplateError::validation(format!(
                "The template resource '{name}' for type '{type_name}' at '{path}' has incorrect segment lengths. A nested resource type must have identical number of segments as its resource name. A root resource type must have segment length one greater than its resource name. Please see https://aka.ms/arm-template/#resources for usage details."
            ))
            .at(path)
        })?;
        out.admit(decl_bytes, path)?;
        let mut own = decl.clone();
        let nested = nested::is_deployment(&type_name)
            .then(|| nested::take(&mut own, &ctx, &name, path))
            .transpose()?;
        let id = match extended(decl, &ctx, &name, path)? {
            // An extension resource (a role assignment, a lock) on the resource `on`.
            Some(on) if on.starts_with('/') => format!("{}/{provider}", on.trim_end_matches('/')),
            Some(on) => format!(
                "{}/providers/{}/{provider}",
                ids::group_prefix(&scope.subscription_id, group.as_deref().unwrap_or_default()),
                on.trim_matches('/')
            ),
            None => ids::resource_id(
                &scope.subscription_id,
                group.as_deref(),
                &type_name,
                &name,
                &provider,
            ),
        };
        let index = out.instances.len();
        out.instances.push(Instance {
            planned: PlannedResource {
                id,
                type_name,
                name,
                api_version,
                depends_on: Vec::new(),
                condition: condition && parent.is_none_or(|p| p.condition),
                existing,
                path: path.to_string(),
            },
            decl: own,
            nested,
            frames: ctx.frames.clone(),
            loop_name: loop_name.as_deref().map(fold),
            serial_batch,
            parent: parent.map(|p| p.index),
            symbol: symbol.clone(),
        });
        if let Some(children) = get_ci(decl, "resources") {
            let Value::Array(children) = children else {
                return Err(TemplateError::validation(format!(
                    "The nested 'resources' of the template resource at '{path}' must be an array."
                ))
                .at(format!("{path}.resources")));
            };
            let me = out.instances[index].planned.clone();
            let p = Parent {
                index,
                type_name: &me.type_name,
                name: &me.name,
                condition: me.condition,
                group: group.as_deref(),
            };
            for (j, child) in children.iter().enumerate() {
                declaration(
                    child,
                    &format!("{path}.resources[{j}]"),
                    Some(&p),
                    &ctx,
                    out,
                )?;
            }
        }
    }
    Ok(())
}
