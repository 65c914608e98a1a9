//! ARM JSON of template deployments: the request, the deployment, its operations, what-if.

use cerulean_app::deployments::{Deployment, DeploymentOperation};
use cerulean_app::network::Stored;
use cerulean_domain::deployment::Mode;
use cerulean_domain::tags::Tags;
use cerulean_domain::DomainError;
use cerulean_template::{Plan, TemplateError};
use serde::Deserialize;
use serde_json::{json, Map, Value};

pub const TYPE: &str = "Microsoft.Resources/deployments";

/// Whether a type is a deployment: in a template, a nested deployment.
pub fn is_type(type_name: &str) -> bool {
    type_name.eq_ignore_ascii_case(TYPE)
}

#[derive(Debug, Default, Deserialize)]
pub struct DeploymentIn {
    #[serde(default)]
    pub tags: Option<Tags>,
    /// A subscription deployment's location.
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub properties: Option<PropertiesIn>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertiesIn {
    #[serde(default)]
    pub template: Option<Value>,
    #[serde(default)]
    pub template_link: Option<Value>,
    #[serde(default)]
    pub parameters: Option<Value>,
    #[serde(default)]
    pub parameters_link: Option<Value>,
    #[serde(default)]
    pub mode: Option<String>,
}

/// A deployment request, checked.
pub struct Request {
    pub template: Value,
    pub parameters: Map<String, Value>,
    pub mode: Mode,
    pub tags: Tags,
    pub location: Option<String>,
}

fn invalid(code: &'static str, message: impl Into<String>, target: &str) -> DomainError {
    DomainError::InvalidTemplate {
        code,
        message: message.into(),
        target: Some(target.into()),
    }
}

impl DeploymentIn {
    pub fn request(self) -> Result<Request, DomainError> {
        let props = self.properties.ok_or_else(|| {
            invalid(
                "InvalidRequestContent",
                "The request content was invalid and could not be deserialized: 'Required property 'properties' not found in JSON.'",
                "properties",
            )
        })?;
        let mode = Mode::parse(props.mode.as_deref())?;
        if props.template_link.is_some() && props.template.is_none() {
            return Err(invalid(
                "InvalidTemplateDeployment",
                "cerulean does not fetch templates from links (properties.templateLink): send the template inline in properties.template.",
                "properties.templateLink",
            ));
        }
        if props.parameters_link.is_some() {
            return Err(invalid(
                "InvalidTemplateDeployment",
                "cerulean does not fetch parameters from links (properties.parametersLink): send them inline in properties.parameters.",
                "properties.parametersLink",
            ));
        }
        let template = match props.template {
            Some(t @ Value::Object(_)) => t,
            // Some clients send the template as a JSON string.
            Some(Value::String(s)) => serde_json::from_str(&s).map_err(|e| {
                invalid("InvalidTemplate", format!("The template is not valid JSON: {e}."), "properties.template")
            })?,
            _ => {
                return Err(invalid(
                    "InvalidDeployment",
                    "The deployment must have a template: properties.template is missing or not an object.",
                    "properties.template",
                ))
            }
        };
        let parameters = match props.parameters {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(mut m)) => {
                // A whole parameter file (`$schema`, `contentVersion`, `parameters`) is
                // accepted as well as its `parameters` object.
                if m.contains_key("$schema") || m.contains_key("contentVersion") {
                    match m.remove("parameters") {
                        Some(Value::Object(p)) => p,
                        _ => Map::new(),
                    }
                } else {
                    m
                }
            }
            Some(_) => {
                return Err(invalid(
                    "InvalidRequestContent",
                    "properties.parameters must be an object of {\"name\": {\"value\": ...}}.",
                    "properties.parameters",
                ))
            }
        };
        Ok(Request {
            template,
            parameters,
            mode,
            tags: self.tags.unwrap_or_default(),
            location: self.location,
        })
    }
}

pub fn template_error(e: TemplateError) -> DomainError {
    DomainError::InvalidTemplate {
        code: e.code,
        message: e.message,
        target: e.target,
    }
}

/// ARM's spelling of a parameter type.
fn type_name(lower: &str) -> &str {
    match lower {
        "string" => "String",
        "securestring" => "SecureString",
        "int" => "Int",
        "bool" => "Bool",
        "object" => "Object",
        "secureobject" => "SecureObject",
        "array" => "Array",
        other => other,
    }
}

/// Outputs as ARM reports them: types in ARM's spelling (`String`, `Array`, ...).
pub fn outputs(mut outputs: Map<String, Value>) -> Value {
    for o in outputs.values_mut() {
        if let Some(t) = o.get("type").and_then(Value::as_str) {
            let t = type_name(&t.to_ascii_lowercase()).to_string();
            o["type"] = Value::String(t);
        }
    }
    Value::Object(outputs)
}

/// Parameters as a deployment echoes them: secure values are never shown.
pub fn echoed_parameters(plan: &Plan) -> Value {
    let mut out = Map::new();
    for (name, p) in &plan.parameters {
        let mut v = json!({"type": type_name(&p.type_name)});
        if !p.is_secure() {
            v["value"] = p.value.clone();
        }
        out.insert(name.clone(), v);
    }
    Value::Object(out)
}

/// `(type, name)` of a resource id: `Microsoft.Network/virtualNetworks/subnets`, `v/s`.
pub fn split_type(id: &str) -> (String, String) {
    let Ok(rid) = cerulean_domain::id::ResourceId::parse(id) else {
        return (String::new(), String::new());
    };
    let mut t = rid.namespace().unwrap_or_default().to_string();
    let mut names = Vec::new();
    for (ty, name) in rid.segments() {
        t.push('/');
        t.push_str(ty);
        names.push(name);
    }
    (t, names.join("/"))
}

fn resource_ref(id: &str) -> Value {
    let (ty, name) = split_type(id);
    json!({"id": id, "resourceType": ty, "resourceName": name})
}

/// `dependencies` and `providers` of a deployment, from its plan.
pub fn dependencies(plan: &Plan) -> (Value, Value) {
    let mut deps = Vec::new();
    // Namespace → resource types, in order of first appearance.
    let mut providers: Vec<(String, Vec<String>)> = Vec::new();
    for r in &plan.resources {
        if !r.depends_on.is_empty() {
            let on: Vec<Value> = r
                .depends_on
                .iter()
                .map(|d| resource_ref(&plan.resources[*d].id))
                .collect();
            let mut v = resource_ref(&r.id);
            v["dependsOn"] = Value::Array(on);
            deps.push(v);
        }
        let (ns, ty) = r.type_name.split_once('/').unwrap_or((&r.type_name, ""));
        let entry = match providers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(ns))
        {
            Some(e) => e,
            None => {
                providers.push((ns.to_string(), Vec::new()));
                providers.last_mut().expect("just pushed")
            }
        };
        if !entry.1.iter().any(|t| t.eq_ignore_ascii_case(ty)) {
            entry.1.push(ty.to_string());
        }
    }
    let providers = providers
        .into_iter()
        .map(|(ns, types)| {
            json!({
                "namespace": ns,
                "resourceTypes": types.into_iter().map(|t| json!({"resourceType": t, "locations": []})).collect::<Vec<_>>(),
            })
        })
        .collect();
    (Value::Array(deps), Value::Array(providers))
}

/// ISO 8601 duration, as ARM writes it (`PT1.2345S`).
pub fn duration(ms: i64) -> String {
    format!("PT{}.{:03}S", ms / 1000, ms % 1000)
}

pub fn deployment(s: &Stored<Deployment>) -> Value {
    let d = &s.value;
    let mut props = json!({
        "templateHash": d.template_hash,
        "parameters": d.parameters,
        "mode": d.mode.as_str(),
        "provisioningState": d.state.as_str(),
        "timestamp": d.finished_at.as_deref().unwrap_or(&d.started_at),
        "duration": duration(d.duration_ms),
        "correlationId": d.correlation_id,
        "providers": d.providers,
        "dependencies": d.dependencies,
        "outputResources": d.output_resources.iter().map(|id| json!({"id": id})).collect::<Vec<_>>(),
    });
    if let Some(o) = &d.outputs {
        props["outputs"] = o.clone();
    }
    if let Some(e) = &d.error {
        props["error"] = e.clone();
    }
    let mut out = json!({"id": s.id, "name": d.name, "type": TYPE, "properties": props});
    if let Some(location) = &d.location {
        out["location"] = json!(location);
    }
    if !d.tags.is_empty() {
        out["tags"] = json!(d.tags);
    }
    out
}

pub fn operation(deployment_id: &str, op: &DeploymentOperation) -> Value {
    let mut props = json!({
        "provisioningOperation": op.provisioning_operation,
        "provisioningState": op.state,
        "timestamp": op.timestamp,
        "duration": duration(op.duration_ms),
        "trackingId": op.tracking_id,
        "serviceRequestId": op.service_request_id,
        "targetResource": {
            "id": op.target_id,
            "resourceType": op.target_type,
            "resourceName": op.target_name,
        },
    });
    if let Some(c) = &op.status_code {
        props["statusCode"] = json!(c);
    }
    if let Some(m) = &op.status_message {
        props["statusMessage"] = m.clone();
    }
    json!({
        "id": format!("{deployment_id}/operations/{}", op.operation_id),
        "operationId": op.operation_id,
        "properties": props,
    })
}

/// The body of a deployment's `operationStatuses` poll.
pub fn status(d: &Deployment) -> Value {
    let status = match d.state.as_str() {
        "Accepted" | "Running" => "Running",
        other => other,
    };
    let mut v = json!({"status": status});
    if let Some(e) = &d.error {
        v["error"] = e.clone();
    }
    v
}
