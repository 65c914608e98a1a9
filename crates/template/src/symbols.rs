//! Parameter and variable values. While planning they are resolved on first use (a default
//! or a variable may refer to others declared after it); cycles are reported with the
//! path that closes them. The plan keeps the resolved values as a plain table.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::error::{EvalResult, Fail, TemplateError};
use crate::eval::{self, Ctx, Phase, Symbols, World};
use crate::limits::{measure, Budget, MAX_TEMPLATE_BYTES};
use crate::parameters::{self, Declaration};
use crate::value::{fold, get_ci};
use crate::ParameterValue;

#[derive(Clone, Debug)]
pub(crate) enum Variable {
    Value {
        name: String,
        value: Value,
    },
    /// One entry of the `variables.copy` array: the variable is the array of inputs.
    Copy {
        name: String,
        spec: Map<String, Value>,
        path: String,
    },
}

impl Variable {
    fn name(&self) -> &str {
        match self {
            Variable::Value { name, .. } | Variable::Copy { name, .. } => name,
        }
    }
}

pub(crate) fn variable_declarations(
    template: &Map<String, Value>,
) -> Result<Vec<Variable>, TemplateError> {
    let Some(section) = get_ci(template, "variables") else {
        return Ok(Vec::new());
    };
    let section = section.as_object().ok_or_else(|| {
        TemplateError::validation("The template 'variables' section must be an object.")
            .at("variables")
    })?;
    let mut out = Vec::new();
    for (name, value) in section {
        if name.eq_ignore_ascii_case("copy") {
            if let Value::Array(specs) = value {
                for (i, spec) in specs.iter().enumerate() {
                    let path = format!("variables.copy[{i}]");
                    let spec = spec.as_object().ok_or_else(|| {
                        TemplateError::validation(
                            "Each entry of the variables 'copy' array must be an object.",
                        )
                        .at(&path)
                    })?;
                    let Some(Value::String(name)) = get_ci(spec, "name") else {
                        return Err(TemplateError::validation(
                            "A variable copy must have a literal 'name'.",
                        )
                        .at(path));
                    };
                    out.push(Variable::Copy {
                        name: name.clone(),
                        spec: spec.clone(),
                        path,
                    });
                }
                continue;
            }
        }
        out.push(Variable::Value {
            name: name.clone(),
            value: value.clone(),
        });
    }
    Ok(out)
}

/// Resolution on demand, while planning.
pub(crate) struct Lazy<'a> {
    world: &'a World,
    params: HashMap<String, Declaration>,
    supplied: HashMap<String, Value>,
    vars: HashMap<String, Variable>,
    /// Variable names in template order, so the first failure reported is stable.
    var_order: Vec<String>,
    param_values: RefCell<HashMap<String, ParameterValue>>,
    var_values: RefCell<HashMap<String, Value>>,
    /// What is being resolved right now (`parameters('a')`, `variables('b')`), for cycles.
    stack: RefCell<Vec<(bool, String)>>,
    budget: &'a Budget,
    /// Bytes of the parameter and variable values resolved so far: each kind may not
    /// exceed [`MAX_TEMPLATE_BYTES`] (Azure's 4 MB for the expanded template and for the
    /// parameters).
    param_bytes: Cell<usize>,
    var_bytes: Cell<usize>,
}

impl<'a> Lazy<'a> {
    pub(crate) fn new(
        world: &'a World,
        params: &[Declaration],
        supplied: HashMap<String, Value>,
        vars: &[Variable],
        budget: &'a Budget,
    ) -> Self {
        Lazy {
            world,
            params: params.iter().map(|d| (fold(&d.name), d.clone())).collect(),
            supplied,
            vars: vars.iter().map(|v| (fold(v.name()), v.clone())).collect(),
            var_order: vars.iter().map(|v| v.name().to_string()).collect(),
            param_values: RefCell::default(),
            var_values: RefCell::default(),
            stack: RefCell::default(),
            budget,
            param_bytes: Cell::new(0),
            var_bytes: Cell::new(0),
        }
    }

    fn ctx(&self, phase: Phase) -> Ctx<'_> {
        Ctx {
            world: self.world,
            symbols: self,
            rt: None,
            phase,
            frames: Vec::new(),
            lambda: Vec::new(),
            budget: self.budget,
        }
    }

    /// Resolves `name` (parameter when `param`), guarding against cycles.
    fn enter<T>(
        &self,
        param: bool,
        key: &str,
        shown: &str,
        f: impl FnOnce() -> Result<T, TemplateError>,
    ) -> EvalResult<T> {
        let on_stack = self
            .stack
            .borrow()
            .iter()
            .position(|(p, k)| *p == param && k == key);
        if let Some(start) = on_stack {
            let kind = if param { "parameter" } else { "variable" };
            let chain: Vec<String> = self.stack.borrow()[start..]
                .iter()
                .map(|(p, k)| format!("{}('{k}')", if *p { "parameters" } else { "variables" }))
                .chain(std::iter::once(format!(
                    "{}('{key}')",
                    if param { "parameters" } else { "variables" }
                )))
                .collect();
            return Err(Fail::Done(
                TemplateError::validation(format!(
                    "The template {kind} '{shown}' is not valid: it refers to itself through {}.",
                    chain.join(" -> ")
                ))
                .at(format!("{kind}s.{shown}")),
            ));
        }
        // One level of evaluation per parameter or variable resolved through another.
        let _level = self.budget.enter()?;
        self.stack.borrow_mut().push((param, key.to_string()));
        let r = f();
        self.stack.borrow_mut().pop();
        r.map_err(Fail::Done)
    }

    pub(crate) fn resolve_parameter(
        &self,
        d: &Declaration,
    ) -> Result<ParameterValue, TemplateError> {
        if let Some(v) = self.supplied.get(&fold(&d.name)) {
            let size = measure(v).map_err(|f| f.locate(&d.path(), ""))?;
            self.count(&self.param_bytes, size, "parameters", &d.path())?;
            return parameters::validate(d, v.clone());
        }
        let Some(default) = d.default_value() else {
            // A nullable parameter (languageVersion 2.0) left out is null.
            if get_ci(&d.decl, "nullable") == Some(&Value::Bool(true)) {
                return Ok(ParameterValue {
                    type_name: d.type_name.clone(),
                    value: Value::Null,
                });
            }
            return Err(parameters::missing(d));
        };
        let path = format!("{}.defaultValue", d.path());
        let (v, size) = eval::sized(default, &self.ctx(Phase::ParameterDefault), &path)?;
        self.count(&self.param_bytes, size, "parameters", &path)?;
        parameters::validate(d, v)
    }

    /// Adds `size` to a running total, refused past [`MAX_TEMPLATE_BYTES`].
    fn count(
        &self,
        total: &Cell<usize>,
        size: usize,
        what: &str,
        path: &str,
    ) -> Result<(), TemplateError> {
        let sum = total.get().saturating_add(size);
        total.set(sum);
        if sum > MAX_TEMPLATE_BYTES {
            return Err(TemplateError::invalid(format!(
                "The template's {what} add up to more than {MAX_TEMPLATE_BYTES} bytes once evaluated (at '{path}'); a template and its parameters can't exceed 4 MB each."
            ))
            .at(path));
        }
        Ok(())
    }

    fn resolve_variable(&self, v: &Variable) -> Result<Value, TemplateError> {
        let ctx = self.ctx(Phase::Variable);
        let (value, size, path) = match v {
            Variable::Value { name, value } => {
                let path = format!("variables.{name}");
                let (value, size) = eval::sized(value, &ctx, &path)?;
                (value, size, path)
            }
            Variable::Copy { spec, path, .. } => {
                let (_, items, size) = eval::copy_loop(spec, &ctx, path)?;
                (Value::Array(items), size, path.clone())
            }
        };
        self.count(&self.var_bytes, size, "variables", &path)?;
        Ok(value)
    }

    /// Every parameter (in `order`) and variable resolved, as the plan keeps them.
    pub(crate) fn finish(
        self,
        order: &[Declaration],
    ) -> Result<(Vec<(String, ParameterValue)>, Table), TemplateError> {
        let mut parameters = Vec::new();
        for d in order {
            self.parameter(&d.name)
                .map_err(|f| f.locate(&d.path(), ""))?;
            let value = self.param_values.borrow()[&fold(&d.name)].clone();
            parameters.push((d.name.clone(), value));
        }
        for name in &self.var_order {
            self.variable(name)
                .map_err(|f| f.locate(&format!("variables.{name}"), ""))?;
        }
        let table = Table {
            params: parameters
                .iter()
                .map(|(n, p)| (fold(n), p.value.clone()))
                .collect(),
            vars: self.var_values.into_inner(),
        };
        Ok((parameters, table))
    }
}

fn param_not_found(name: &str) -> Fail {
    Fail::invalid(format!(
        "The template parameter '{name}' is not found. Please see https://aka.ms/arm-syntax-parameters for usage details."
    ))
}

fn variable_not_found(name: &str) -> Fail {
    Fail::invalid(format!(
        "The template variable '{name}' is not found. Please see https://aka.ms/arm-syntax-variables for usage details."
    ))
}

impl Symbols for Lazy<'_> {
    fn parameter(&self, name: &str) -> EvalResult<Value> {
        let key = fold(name);
        if let Some(v) = self.param_values.borrow().get(&key) {
            return Ok(v.value.clone());
        }
        let d = self.params.get(&key).ok_or_else(|| param_not_found(name))?;
        let v = self.enter(true, &key, &d.name, || self.resolve_parameter(d))?;
        self.param_values.borrow_mut().insert(key, v.clone());
        Ok(v.value)
    }

    fn variable(&self, name: &str) -> EvalResult<Value> {
        let key = fold(name);
        if let Some(v) = self.var_values.borrow().get(&key) {
            return Ok(v.clone());
        }
        let decl = self
            .vars
            .get(&key)
            .ok_or_else(|| variable_not_found(name))?;
        let v = self.enter(false, &key, decl.name(), || self.resolve_variable(decl))?;
        self.var_values.borrow_mut().insert(key, v.clone());
        Ok(v)
    }
}

/// Resolved values, by lower-case name.
#[derive(Clone, Debug, Default)]
pub(crate) struct Table {
    params: HashMap<String, Value>,
    vars: HashMap<String, Value>,
}

impl Symbols for Table {
    fn parameter(&self, name: &str) -> EvalResult<Value> {
        self.params
            .get(&fold(name))
            .cloned()
            .ok_or_else(|| param_not_found(name))
    }

    fn variable(&self, name: &str) -> EvalResult<Value> {
        self.vars
            .get(&fold(name))
            .cloned()
            .ok_or_else(|| variable_not_found(name))
    }
}
