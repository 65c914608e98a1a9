//! ARM JSON of generic resources: what the client sent, with ARM's read-only fields filled.

use cerulean_app::generic::{GenericResource, GenericSpec};
use cerulean_app::network::Stored;
use cerulean_domain::id::ResourceId;
use cerulean_domain::tags::Tags;
use serde_json::{json, Map, Value};

/// Keys ARM owns or that are kept apart from the rest of the body.
const OWN_KEYS: &[&str] = &["id", "name", "type", "etag", "location", "tags"];

pub fn spec(body: Map<String, Value>) -> Result<GenericSpec, String> {
    let mut spec = GenericSpec::default();
    for (k, v) in body {
        match k.as_str() {
            "location" => spec.location = v.as_str().map(str::to_string),
            "tags" if !v.is_null() => {
                spec.tags =
                    Some(serde_json::from_value::<Tags>(v).map_err(|e| format!("tags: {e}"))?)
            }
            k if OWN_KEYS.contains(&k) => {}
            _ => {
                spec.arm.insert(k, v);
            }
        }
    }
    Ok(spec)
}

/// `Microsoft.Network/networkSecurityGroups/securityRules`, in the caller's spelling.
pub fn type_name(id: &ResourceId) -> String {
    let mut t = id.namespace().unwrap_or_default().to_string();
    for (ty, _) in id.segments() {
        t.push('/');
        t.push_str(ty);
    }
    t
}

pub fn resource(s: &Stored<GenericResource>) -> Value {
    let id = ResourceId::parse(&s.id).ok();
    let mut out = Map::new();
    out.insert("id".into(), json!(s.id));
    out.insert(
        "name".into(),
        json!(id
            .as_ref()
            .map(|i| i.name().to_string())
            .unwrap_or_default()),
    );
    out.insert(
        "type".into(),
        json!(id.as_ref().map(type_name).unwrap_or_default()),
    );
    // What cerulean computes rather than stores (a service's `privateLinkResources`) has none.
    if !s.etag.is_empty() {
        out.insert("etag".into(), json!(s.etag));
    }
    if let Some(l) = &s.value.location {
        out.insert("location".into(), json!(l));
    }
    if !s.value.common.tags.is_empty() {
        out.insert("tags".into(), json!(s.value.common.tags));
    }
    for (k, v) in &s.value.arm {
        out.insert(k.clone(), v.clone());
    }
    let props = out
        .entry("properties")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(p) = props {
        p.insert("provisioningState".into(), json!("Succeeded"));
    }
    Value::Object(out)
}
