//! User-defined functions (the template's `functions` section): `namespace.member(args)`,
//! whose output is an expression over its own parameters only. As ARM has it, a function
//! can't use variables, `reference()` or the `list*` functions, can't call another
//! user-defined function, and its parameters have no default values (`check.rs` refuses
//! what breaks these before anything is deployed).

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::error::{EvalResult, Fail, TemplateError};
use crate::eval::{self, Ctx, Symbols};
use crate::functions::not_here;
use crate::limits::MAX_VARIABLES;
use crate::parameters::TYPES;
use crate::value::{fold, get_ci, type_name as kind};

/// One function: `name` as the template spells it (`contoso.uniqueName`).
#[derive(Clone, Debug)]
pub(crate) struct UserFunction {
    pub name: String,
    /// Each parameter's name and lower-case type, in order.
    pub params: Vec<(String, String)>,
    pub output_type: String,
    pub output: Value,
    /// Where it is declared, for messages: `functions[0].members.uniqueName`.
    pub path: String,
}

/// The template's functions by lower-case `namespace.member`.
pub(crate) type UserFunctions = HashMap<String, UserFunction>;

fn invalid(what: String, path: &str) -> TemplateError {
    TemplateError::validation(what).at(path)
}

/// A declared type: one of ARM's parameter types, lower-case.
fn declared_type(v: Option<&Value>, what: &str, path: &str) -> Result<String, TemplateError> {
    match v {
        Some(Value::String(t)) if TYPES.contains(&t.to_ascii_lowercase().as_str()) => {
            Ok(t.to_ascii_lowercase())
        }
        _ => Err(invalid(
            format!("The {what} at '{path}' must have a 'type': one of 'String, SecureString, Int, Bool, Object, SecureObject, Array'."),
            path,
        )),
    }
}

/// The `functions` section: `[{"namespace": "n", "members": {"m": {"parameters": [...],
/// "output": {"type": ..., "value": ...}}}}]`.
pub(crate) fn declarations(t: &Map<String, Value>) -> Result<UserFunctions, TemplateError> {
    let mut out = UserFunctions::new();
    let namespaces = match get_ci(t, "functions") {
        None | Some(Value::Null) => return Ok(out),
        Some(Value::Array(a)) => a,
        Some(_) => {
            return Err(invalid(
                "The template 'functions' section must be an array.".into(),
                "functions",
            ))
        }
    };
    for (i, ns) in namespaces.iter().enumerate() {
        let path = format!("functions[{i}]");
        let (Some(Value::String(namespace)), Some(Value::Object(members))) = (
            ns.as_object().and_then(|o| get_ci(o, "namespace")),
            ns.as_object().and_then(|o| get_ci(o, "members")),
        ) else {
            return Err(invalid(
                format!("The user-defined functions at '{path}' must have a 'namespace' (a string) and 'members' (an object)."),
                &path,
            ));
        };
        for (member, decl) in members {
            let path = format!("{path}.members.{member}");
            let name = format!("{namespace}.{member}");
            let f = function(&name, decl, &path)?;
            if out.insert(fold(&name), f).is_some() {
                return Err(invalid(
                    format!("The user-defined function '{name}' is defined more than once."),
                    &path,
                ));
            }
            if out.len() > MAX_VARIABLES {
                return Err(TemplateError::invalid(format!(
                    "The template has more than {MAX_VARIABLES} user-defined functions, cerulean's limit."
                ))
                .at("functions"));
            }
        }
    }
    Ok(out)
}

fn function(name: &str, decl: &Value, path: &str) -> Result<UserFunction, TemplateError> {
    let Value::Object(decl) = decl else {
        return Err(invalid(
            format!("The user-defined function '{name}' must be an object."),
            path,
        ));
    };
    let mut params = Vec::new();
    match get_ci(decl, "parameters") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) if list.len() <= MAX_VARIABLES => {
            for (j, p) in list.iter().enumerate() {
                let at = format!("{path}.parameters[{j}]");
                let p = p.as_object().ok_or_else(|| {
                    invalid(format!("The parameter at '{at}' must be an object."), &at)
                })?;
                let Some(Value::String(pname)) = get_ci(p, "name") else {
                    return Err(invalid(
                        format!("The parameter at '{at}' must have a 'name'."),
                        &at,
                    ));
                };
                if get_ci(p, "defaultValue").is_some() {
                    return Err(invalid(
                        format!("The parameter '{pname}' of the user-defined function '{name}' has a default value; parameters of user-defined functions can't have default values."),
                        &at,
                    ));
                }
                params.push((pname.clone(), declared_type(get_ci(p, "type"), "parameter", &at)?));
            }
        }
        Some(_) => {
            return Err(invalid(
                format!("The parameters of the user-defined function '{name}' must be an array of at most {MAX_VARIABLES}."),
                path,
            ))
        }
    }
    let at = format!("{path}.output");
    let Some(Value::Object(output)) = get_ci(decl, "output") else {
        return Err(invalid(
            format!("The user-defined function '{name}' must have an 'output' with a 'type' and a 'value'."),
            &at,
        ));
    };
    let output_type = declared_type(get_ci(output, "type"), "output", &at)?;
    let Some(value) = get_ci(output, "value") else {
        return Err(invalid(
            format!("The output of the user-defined function '{name}' must have a 'value'."),
            &at,
        ));
    };
    Ok(UserFunction {
        name: name.to_string(),
        params,
        output_type,
        output: value.clone(),
        path: path.to_string(),
    })
}

/// Whether `v` is of the declared (lower-case) type.
fn fits(type_name: &str, v: &Value) -> bool {
    match type_name {
        "string" | "securestring" => v.is_string(),
        "int" => crate::value::as_int(v).is_some(),
        "bool" => v.is_boolean(),
        "object" | "secureobject" => v.is_object(),
        _ => v.is_array(),
    }
}

/// A function's own parameters: all its expressions can see.
struct Arguments<'f> {
    f: &'f UserFunction,
    values: Vec<Value>,
}

impl Symbols for Arguments<'_> {
    fn parameter(&self, name: &str) -> EvalResult<Value> {
        self.f
            .params
            .iter()
            .position(|(p, _)| p.eq_ignore_ascii_case(name))
            .map(|i| self.values[i].clone())
            .ok_or_else(|| {
                Fail::invalid(format!(
                    "The template parameter '{name}' is not found: the user-defined function '{}' can only use its own parameters. Please see https://aka.ms/arm-syntax-parameters for usage details.",
                    self.f.name
                ))
            })
    }

    fn variable(&self, _: &str) -> EvalResult<Value> {
        Err(not_here(
            "variables",
            " A user-defined function can't use variables.",
        ))
    }
}

/// Calls `f` with the evaluated arguments `values`: its output, evaluated over them alone.
pub(crate) fn call(f: &UserFunction, values: Vec<Value>, ctx: &Ctx) -> EvalResult<Value> {
    if values.len() != f.params.len() {
        return Err(Fail::invalid(format!(
            "The template function '{}' expects {} parameters but was given {}.",
            f.name,
            f.params.len(),
            values.len()
        )));
    }
    for ((p, ty), v) in f.params.iter().zip(&values) {
        if !fits(ty, v) {
            return Err(Fail::invalid(format!(
                "The template function '{}' expects its parameter '{p}' to be of type '{ty}'; the value given is of type '{}'.",
                f.name,
                kind(v)
            )));
        }
    }
    let args = Arguments { f, values };
    let inner = Ctx {
        world: ctx.world,
        symbols: &args,
        rt: None,
        phase: ctx.phase,
        frames: Vec::new(),
        lambda: Vec::new(),
        budget: ctx.budget,
    };
    let out = eval::json(&f.output, &inner, &format!("{}.output.value", f.path))
        .map_err(|e| Fail::code(e.code, e.message))?;
    if !fits(&f.output_type, &out) {
        return Err(Fail::invalid(format!(
            "The output of the template function '{}' must be of type '{}'; it is of type '{}'.",
            f.name,
            f.output_type,
            kind(&out)
        )));
    }
    Ok(out)
}
