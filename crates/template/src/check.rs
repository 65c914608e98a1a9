//! The plan-time pass over every expression in the template: syntax, unknown functions,
//! functions used where ARM forbids them, `copyIndex` outside a loop, and literal
//! `parameters('x')`/`variables('x')` that name nothing. Finding these here means a bad
//! resource body is refused before anything is deployed, not halfway through.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::error::{Fail, TemplateError};
use crate::eval::{join, property_copies};
use crate::expr::{self, Expr, Text};
use crate::functions::{is_known, is_unperformed, not_here, unknown};
use crate::parameters::Declaration;
use crate::symbols::Variable;
use crate::udf::UserFunctions;
use crate::value::{fold, get_ci};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Site {
    ParameterDefault,
    Variable,
    Resource,
    Output,
    /// The output of a user-defined function.
    Function,
}

/// The copy loops around an expression.
#[derive(Clone, Default)]
struct Loops {
    names: Vec<String>,
    any: bool,
}

impl Loops {
    fn with(&self, name: Option<&str>) -> Loops {
        let mut l = self.clone();
        l.names.extend(name.map(fold));
        l.any = true;
        l
    }
}

struct Checker<'f> {
    params: HashSet<String>,
    vars: HashSet<String>,
    functions: &'f UserFunctions,
}

pub(crate) fn template(
    t: &Map<String, Value>,
    params: &[Declaration],
    vars: &[Variable],
    functions: &UserFunctions,
) -> Result<(), TemplateError> {
    let c = Checker {
        params: params.iter().map(|d| fold(&d.name)).collect(),
        vars: vars
            .iter()
            .map(|v| match v {
                Variable::Value { name, .. } | Variable::Copy { name, .. } => fold(name),
            })
            .collect(),
        functions,
    };
    // Each function's output sees its own parameters and nothing else of the template.
    for f in functions.values() {
        let own = Checker {
            params: f.params.iter().map(|(p, _)| fold(p)).collect(),
            vars: HashSet::new(),
            functions,
        };
        own.value(
            &f.output,
            Site::Function,
            &Loops::default(),
            &format!("{}.output.value", f.path),
        )?;
    }
    for d in params {
        if let Some(v) = d.default_value() {
            c.value(
                v,
                Site::ParameterDefault,
                &Loops::default(),
                &format!("{}.defaultValue", d.path()),
            )?;
        }
    }
    for v in vars {
        match v {
            Variable::Value { name, value } => c.value(
                value,
                Site::Variable,
                &Loops::default(),
                &format!("variables.{name}"),
            )?,
            Variable::Copy { name, spec, path } => {
                c.copy_spec(spec, Site::Variable, &Loops::default(), Some(name), path)?
            }
        }
    }
    if let Some(Value::Array(resources)) = get_ci(t, "resources") {
        for (i, r) in resources.iter().enumerate() {
            c.resource(r, &Loops::default(), &format!("resources[{i}]"))?;
        }
    }
    if let Some(Value::Object(outputs)) = get_ci(t, "outputs") {
        for (name, o) in outputs {
            let path = format!("outputs.{name}");
            let Value::Object(o) = o else { continue };
            for (k, v) in o {
                let at = join(&path, k);
                match k.to_ascii_lowercase().as_str() {
                    "copy" => match v {
                        Value::Object(spec) => {
                            c.copy_spec(spec, Site::Output, &Loops::default(), None, &at)?
                        }
                        other => c.value(other, Site::Output, &Loops::default(), &at)?,
                    },
                    "metadata" => {}
                    _ => c.value(v, Site::Output, &Loops::default(), &at)?,
                }
            }
        }
    }
    Ok(())
}

impl Checker<'_> {
    fn resource(&self, r: &Value, loops: &Loops, path: &str) -> Result<(), TemplateError> {
        let Value::Object(r) = r else { return Ok(()) };
        let own = match get_ci(r, "copy") {
            Some(Value::Object(copy)) => {
                let name = get_ci(copy, "name").and_then(Value::as_str);
                if let Some(count) = get_ci(copy, "count") {
                    self.value(count, Site::Resource, loops, &format!("{path}.copy.count"))?;
                }
                loops.with(name)
            }
            _ => loops.clone(),
        };
        let nested = get_ci(r, "type")
            .and_then(Value::as_str)
            .is_some_and(crate::nested::is_deployment);
        for (k, v) in r {
            let at = join(path, k);
            match k.to_ascii_lowercase().as_str() {
                "copy" | "comments" => {}
                "resources" => {
                    if let Value::Array(children) = v {
                        for (j, child) in children.iter().enumerate() {
                            self.resource(child, &own, &format!("{path}.resources[{j}]"))?;
                        }
                    }
                }
                // A nested deployment's template is checked when it is deployed, against
                // its own parameters and variables (or, in outer scope, the parent's).
                "properties" if nested => match v {
                    Value::Object(props) => {
                        for (pk, pv) in props
                            .iter()
                            .filter(|(pk, _)| !pk.eq_ignore_ascii_case("template"))
                        {
                            self.value(pv, Site::Resource, &own, &join(&at, pk))?;
                        }
                    }
                    other => self.value(other, Site::Resource, &own, &at)?,
                },
                _ => self.value(v, Site::Resource, &own, &at)?,
            }
        }
        Ok(())
    }

    /// A `{name, count, input}` loop: `input` sits inside it, `count` does not.
    fn copy_spec(
        &self,
        spec: &Map<String, Value>,
        site: Site,
        loops: &Loops,
        name: Option<&str>,
        path: &str,
    ) -> Result<(), TemplateError> {
        let inner = loops.with(name);
        for (k, v) in spec {
            let at = join(path, k);
            if k.eq_ignore_ascii_case("input") {
                self.value(v, site, &inner, &at)?;
            } else {
                self.value(v, site, loops, &at)?;
            }
        }
        Ok(())
    }

    fn value(&self, v: &Value, site: Site, loops: &Loops, path: &str) -> Result<(), TemplateError> {
        match v {
            Value::String(s) => match expr::classify(s) {
                Ok(Text::Expression(e)) => self
                    .expression(&e, site, loops)
                    .map_err(|f| f.locate(path, s)),
                Ok(Text::Literal(_)) => Ok(()),
                Err(f) => Err(f.locate(path, s)),
            },
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.value(item, site, loops, &format!("{path}[{i}]"))?;
                }
                Ok(())
            }
            Value::Object(o) => {
                let copies = property_copies(o);
                for (k, v) in o {
                    if copies.is_some() && k == "copy" {
                        continue;
                    }
                    self.value(v, site, loops, &join(path, k))?;
                }
                for (i, spec) in copies.into_iter().flatten().enumerate() {
                    let name = get_ci(spec, "name").and_then(Value::as_str);
                    self.copy_spec(
                        spec,
                        site,
                        loops,
                        name,
                        &format!("{}[{i}]", join(path, "copy")),
                    )?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn expression(&self, e: &Expr, site: Site, loops: &Loops) -> Result<(), Fail> {
        let mut calls = Vec::new();
        e.walk_calls(&mut |name, args, pos| calls.push((name, args, pos)));
        for (name, args, pos) in calls {
            self.call(name, args, site, loops)
                .map_err(|f| f.at_pos(pos))?;
        }
        Ok(())
    }

    fn call(&self, name: &str, args: &[Expr], site: Site, loops: &Loops) -> Result<(), Fail> {
        let lower = name.to_ascii_lowercase();
        if lower.contains('.') {
            return match self.functions.get(&lower) {
                _ if site == Site::Function => Err(not_here(
                    name,
                    " A user-defined function can't call another user-defined function.",
                )),
                None => Err(unknown(name)),
                Some(f) if f.params.len() != args.len() => Err(Fail::invalid(format!(
                    "The template function '{name}' expects {} parameters but was given {}.",
                    f.params.len(),
                    args.len()
                ))),
                Some(_) => Ok(()),
            };
        }
        if !is_known(name) {
            return Err(unknown(name));
        }
        let literal = match args.first() {
            Some(Expr::Str(s)) => Some(s.as_str()),
            _ => None,
        };
        match lower.as_str() {
            "reference" | "variables" if site == Site::Function => Err(not_here(
                name,
                " A user-defined function can't use variables or reference.",
            )),
            l if l.starts_with("list") && site == Site::Function => Err(not_here(
                name,
                " A user-defined function can't use the list functions.",
            )),
            "utcnow" | "newguid" if site != Site::ParameterDefault => Err(not_here(
                name,
                " It can only be used in the default value of a parameter.",
            )),
            "reference" if matches!(site, Site::ParameterDefault | Site::Variable) => Err(not_here(
                name,
                " It can't be used in parameter defaults or variables, only in resource properties and outputs.",
            )),
            l if l.starts_with("list") && matches!(site, Site::ParameterDefault | Site::Variable) => Err(not_here(
                name,
                " It can't be used in parameter defaults or variables, only in resource properties and outputs.",
            )),
            "variables" if site == Site::ParameterDefault => {
                Err(not_here(name, " A parameter's default value can't use variables."))
            }
            "copyindex" if !loops.any => Err(not_here(
                name,
                " The function can only be used in a resource, property, variable or output with copy specified.",
            )),
            "copyindex" => match literal {
                Some(loop_name) if !loops.names.contains(&fold(loop_name)) => Err(Fail::invalid(format!(
                    "The template function 'copyIndex' has an invalid loop name '{loop_name}': there is no copy loop with that name around this expression. Please see https://aka.ms/arm-copy for usage details."
                ))),
                _ => Ok(()),
            },
            "parameters" => match literal {
                Some(p) if !self.params.contains(&fold(p)) => Err(Fail::invalid(format!(
                    "The template parameter '{p}' is not found. Please see https://aka.ms/arm-syntax-parameters for usage details."
                ))),
                _ => Ok(()),
            },
            "variables" => match literal {
                Some(v) if !self.vars.contains(&fold(v)) => Err(Fail::invalid(format!(
                    "The template variable '{v}' is not found. Please see https://aka.ms/arm-syntax-variables for usage details."
                ))),
                _ => Ok(()),
            },
            _ => Ok(()),
        }
    }
}

/// Refuses, before anything is deployed, a value that will certainly call a function
/// cerulean does not perform (`listKeys`...), so a deployment does not stop halfway. Only
/// declarations that will be evaluated are passed here (resources whose condition holds).
pub(crate) fn unperformed(v: &Value, path: &str) -> Result<(), TemplateError> {
    match v {
        Value::String(s) => {
            let Ok(Text::Expression(e)) = expr::classify(s) else {
                return Ok(());
            };
            let mut found = None;
            e.walk_calls(&mut |name, _, pos| {
                if found.is_none() && is_unperformed(name) {
                    found = Some((name.to_string(), pos));
                }
            });
            match found {
                Some((name, pos)) => Err(Fail::code(
                    "NotImplemented",
                    format!("The template function '{name}' is not supported by cerulean."),
                )
                .at_pos(pos)
                .locate(path, s)),
                None => Ok(()),
            }
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| unperformed(item, &format!("{path}[{i}]"))),
        Value::Object(o) => o
            .iter()
            .try_for_each(|(k, v)| unperformed(v, &join(path, k))),
        _ => Ok(()),
    }
}
