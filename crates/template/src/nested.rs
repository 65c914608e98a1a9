//! Nested deployments: a `Microsoft.Resources/deployments` resource whose
//! `properties.template` is a template of its own (what Bicep modules compile to). The parent
//! applies it like any resource, with a PUT of the deployment; the nested template is planned
//! and evaluated by that deployment, never by the parent. So its template is taken out of the
//! declaration here, kept apart from every walk of the parent's expressions, and put back into
//! the body the parent sends:
//! - `inner` scope (`expressionEvaluationOptions.scope`, what Bicep emits): as written; the
//!   parent evaluates only `properties.parameters`, the values the nested template receives.
//! - `outer` scope (the default, as in the 2017 documents): the nested template's expressions
//!   see the parent's parameters, variables and functions, not its own. Those sections become
//!   the parent's, and the parent's parameter values are passed to it.

use serde_json::{json, Map, Value};

use crate::error::TemplateError;
use crate::eval::{self, Ctx};
use crate::value::{get_ci, to_text, type_name as kind};
use crate::ParameterValue;

pub(crate) const DEPLOYMENTS: &str = "Microsoft.Resources/deployments";

pub(crate) fn is_deployment(type_name: &str) -> bool {
    type_name.eq_ignore_ascii_case(DEPLOYMENTS)
}

/// Whose parameters and variables the nested template's expressions see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EvalScope {
    Inner,
    Outer,
}

/// A nested deployment's template, taken out of its declaration.
#[derive(Clone, Debug)]
pub(crate) struct Nested {
    pub template: Value,
    pub scope: EvalScope,
}

/// The parent's own `parameters`, `variables` and `functions` sections, as written: what an
/// outer-scope nested template is evaluated with.
#[derive(Clone, Debug, Default)]
pub(crate) struct Outer {
    sections: Vec<(&'static str, Value)>,
}

/// The sections an outer-scope nested template takes from its parent.
const SHARED: [&str; 3] = ["parameters", "variables", "functions"];

impl Outer {
    pub(crate) fn of(template: &Map<String, Value>) -> Outer {
        Outer {
            sections: SHARED
                .iter()
                .filter_map(|s| get_ci(template, s).map(|v| (*s, v.clone())))
                .collect(),
        }
    }
}

fn key_ci(obj: &Map<String, Value>, key: &str) -> Option<String> {
    obj.keys().find(|k| k.eq_ignore_ascii_case(key)).cloned()
}

/// Checks a nested deployment's declaration (`decl`, the instance's own copy) and takes its
/// template out of it. `ctx` is the planning context of the instance, for `mode`.
pub(crate) fn take(
    decl: &mut Map<String, Value>,
    ctx: &Ctx,
    name: &str,
    path: &str,
) -> Result<Nested, TemplateError> {
    let at = format!("{path}.properties");
    let bad = |what: String, at: String| {
        TemplateError::validation(format!(
            "The template resource '{name}' at '{path}' is a nested deployment: {what}"
        ))
        .at(at)
    };
    let Some(Value::Object(props)) = key_ci(decl, "properties").and_then(|k| decl.get_mut(&k))
    else {
        return Err(bad(
            "its 'properties' must be an object with the nested 'template'.".into(),
            at,
        ));
    };
    if get_ci(props, "templateLink").is_some() || get_ci(props, "parametersLink").is_some() {
        return Err(TemplateError {
            code: "InvalidTemplateDeployment",
            message: format!(
                "The nested deployment '{name}' at '{path}' links its template or parameters (templateLink, parametersLink): cerulean fetches nothing; put the template inline in properties.template and the parameters in properties.parameters."
            ),
            target: Some(format!("{at}.templateLink")),
        });
    }
    let scope = match get_ci(props, "expressionEvaluationOptions") {
        None | Some(Value::Null) => EvalScope::Outer,
        Some(Value::Object(o)) => match get_ci(o, "scope") {
            None | Some(Value::Null) => EvalScope::Outer,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("inner") => EvalScope::Inner,
            Some(Value::String(s)) if s.eq_ignore_ascii_case("outer") => EvalScope::Outer,
            Some(other) => {
                return Err(bad(
                    format!(
                    "its expressionEvaluationOptions.scope is '{}'; it must be 'inner' or 'outer'.",
                    to_text(other)
                ),
                    format!("{at}.expressionEvaluationOptions.scope"),
                ))
            }
        },
        Some(other) => {
            return Err(bad(
                format!(
                    "its expressionEvaluationOptions must be an object; it is of type '{}'.",
                    kind(other)
                ),
                format!("{at}.expressionEvaluationOptions"),
            ))
        }
    };
    // A mode that can be computed now is checked now; one that needs `reference()` is
    // checked when the nested deployment is submitted.
    if let Some(mode) = get_ci(props, "mode") {
        if let Ok(Value::String(m)) = eval::json(mode, ctx, &format!("{at}.mode")) {
            if m.eq_ignore_ascii_case("complete") {
                return Err(bad(
                    "Specified deployment mode 'Complete' is not supported for nested deployment."
                        .into(),
                    format!("{at}.mode"),
                ));
            }
            if !m.eq_ignore_ascii_case("incremental") {
                return Err(bad(
                    format!("its mode '{m}' is not valid: a nested deployment's mode must be 'Incremental'."),
                    format!("{at}.mode"),
                ));
            }
        }
    }
    let template = match key_ci(props, "template").and_then(|k| props.remove(&k)) {
        Some(t @ Value::Object(_)) => t,
        _ => {
            return Err(bad(
                "its properties.template must be the nested template, an object.".into(),
                format!("{at}.template"),
            ))
        }
    };
    Ok(Nested { template, scope })
}

/// Puts the nested template back into the evaluated body the parent sends: as written for
/// `inner`; for `outer`, with the parent's parameters and variables in place of its own and
/// the parent's parameter values as its parameters.
pub(crate) fn complete(
    body: &mut Map<String, Value>,
    nested: &Nested,
    outer: &Outer,
    values: &[(String, ParameterValue)],
) {
    let key = key_ci(body, "properties").unwrap_or_else(|| "properties".into());
    let props = body.entry(key).or_insert_with(|| json!({}));
    let Value::Object(props) = props else { return };
    let mut template = nested.template.clone();
    if nested.scope == EvalScope::Outer {
        if let Value::Object(t) = &mut template {
            t.retain(|k, _| !SHARED.iter().any(|s| k.eq_ignore_ascii_case(s)));
            for (section, v) in &outer.sections {
                t.insert((*section).into(), v.clone());
            }
        }
        if let Some(k) = key_ci(props, "parameters") {
            props.remove(&k);
        }
        let given: Map<String, Value> = values
            .iter()
            .map(|(name, p)| (name.clone(), json!({ "value": p.value })))
            .collect();
        props.insert("parameters".into(), Value::Object(given));
    }
    props.insert("template".into(), template);
}
