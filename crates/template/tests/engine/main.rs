//! The template engine through its public API: `plan`, `order`, `body`, `declaration`,
//! `outputs`.

mod bodies;
mod functions;
mod limits;
mod nested;
mod parameters;
mod resources;
mod seeds;
mod subscription;
mod symbolic;
mod udf;
mod variables;

use std::collections::HashMap;

use cerulean_template::{plan, Plan, Runtime, Scope, TemplateError};
use serde_json::{json, Map, Value};

pub const SUB: &str = "00000000-0000-0000-0000-000000000001";
pub const RG_ID: &str = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg";

pub fn scope() -> Scope {
    let mut tags = Map::new();
    tags.insert("env".into(), json!("test"));
    Scope {
        subscription_id: SUB.into(),
        subscription_name: "Test subscription".into(),
        tenant_id: "72f988bf-86f1-41af-91ab-2d7cd011db47".into(),
        resource_group: "rg".into(),
        resource_group_location: "westeurope".into(),
        resource_group_tags: tags,
        deployment_name: "dep1".into(),
        subscription_location: None,
    }
}

/// `provider` is e.g. `Microsoft.Network/virtualNetworks/v`.
pub fn id(provider: &str) -> String {
    format!("{RG_ID}/providers/{provider}")
}

pub fn try_plan(template: Value, parameters: Value) -> Result<Plan, TemplateError> {
    let parameters = match parameters {
        Value::Object(m) => m,
        Value::Null => Map::new(),
        other => panic!("parameters must be an object, got {other}"),
    };
    plan(&template, &parameters, &scope())
}

pub fn must_plan(template: Value) -> Plan {
    try_plan(template, Value::Null).unwrap_or_else(|e| panic!("plan failed: {e:?}"))
}

pub fn plan_err(template: Value, parameters: Value) -> TemplateError {
    match try_plan(template, parameters) {
        Ok(_) => panic!("the plan should have failed"),
        Err(e) => e,
    }
}

/// Evaluates `expr` as the property `v` of a resource, with extra template sections
/// (`parameters`, `variables`) from `extra`.
pub fn eval_with(extra: Value, expr: Value) -> Result<Value, TemplateError> {
    let mut t = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [{
            "type": "Microsoft.Test/things",
            "name": "t",
            "apiVersion": "2020-01-01",
            "properties": {"v": expr},
        }],
    });
    if let Value::Object(extra) = extra {
        for (k, v) in extra {
            t[k] = v;
        }
    }
    let p = try_plan(t, Value::Null)?;
    let body = p.body(0, &cerulean_template::NoResources)?;
    Ok(body["properties"]["v"].clone())
}

pub fn try_eval(expr: &str) -> Result<Value, TemplateError> {
    eval_with(Value::Null, json!(expr))
}

pub fn eval(expr: &str) -> Value {
    try_eval(expr).unwrap_or_else(|e| panic!("{expr} failed: {e:?}"))
}

pub fn eval_err(expr: &str) -> TemplateError {
    match try_eval(expr) {
        Ok(v) => panic!("{expr} should have failed, got {v}"),
        Err(e) => e,
    }
}

/// A runtime that knows some resources by id (case-insensitively).
#[derive(Default)]
pub struct Fake(pub HashMap<String, Value>);

impl Fake {
    pub fn with(mut self, id: &str, resource: Value) -> Self {
        self.0.insert(id.to_ascii_lowercase(), resource);
        self
    }
}

impl Runtime for Fake {
    fn get(&self, resource_id: &str) -> Option<Value> {
        self.0.get(&resource_id.to_ascii_lowercase()).cloned()
    }
}

pub fn ids(p: &Plan) -> Vec<String> {
    p.resources.iter().map(|r| r.id.clone()).collect()
}

pub fn names_in_order(p: &Plan) -> Vec<String> {
    p.order()
        .into_iter()
        .map(|i| p.resources[i].name.clone())
        .collect()
}

#[test]
fn plan_is_send_and_sync() {
    fn assert<T: Send + Sync + 'static>() {}
    assert::<Plan>();
}
