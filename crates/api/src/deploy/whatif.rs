//! What-if: what a deployment would create, modify or delete, without changing anything.

use super::runtime::Fetch;
use super::INTERNAL_API_VERSION;
use crate::identity::Caller;
use crate::internal::{self, Nested};
use crate::AppState;
use axum::http::Method;
use cerulean_domain::deployment::Mode;
use cerulean_template::{Plan, Runtime};
use serde_json::{json, Map, Value};
use tokio::runtime::Handle;

/// Keys that are not the resource's content.
const IDENTITY_KEYS: &[&str] = &["id", "name", "type", "apiVersion", "etag"];

/// The `changes` of a what-if, in template order, then the group's other resources. A
/// nested deployment is not a change of its own: its template's changes take its place.
/// `depth` is how deep in nested deployments this what-if is (0: asked by a client). A
/// subscription deployment (`group_id` `None`) reports only what its template declares.
pub fn changes(
    s: &AppState,
    handle: &Handle,
    caller: Option<&Caller>,
    plan: &Plan,
    mode: Mode,
    group_id: Option<&str>,
    depth: u32,
) -> Vec<Value> {
    let fetch = Fetch { s, handle, caller };
    let mut out = Vec::new();
    let mut nested_ids = Vec::new();
    for (i, r) in plan.resources.iter().enumerate() {
        if !r.condition || r.existing {
            continue;
        }
        if crate::wire::deployment::is_type(&r.type_name) {
            let nested = Nested { depth: depth + 1 };
            for change in nested_changes(&fetch, nested, plan, i) {
                if let Some(id) = change["resourceId"].as_str() {
                    nested_ids.push(id.to_string());
                }
                out.push(change);
            }
            continue;
        }
        let mut after = plan.body(i, &fetch).unwrap_or_else(|_| plan.declaration(i));
        if let Value::Object(m) = &mut after {
            m.insert("id".into(), json!(r.id));
            m.insert(
                "name".into(),
                json!(r.name.rsplit('/').next().unwrap_or(&r.name)),
            );
            m.insert("type".into(), json!(r.type_name));
            m.insert("apiVersion".into(), json!(r.api_version));
        }
        out.push(match fetch.get(&r.id) {
            None => json!({"resourceId": r.id, "changeType": "Create", "after": after}),
            Some(before) => {
                let mut delta = Vec::new();
                diff("", &before, &after, &mut delta);
                let merged = merge(&before, &after);
                if delta.is_empty() {
                    json!({"resourceId": r.id, "changeType": "NoChange", "before": before, "after": merged})
                } else {
                    json!({"resourceId": r.id, "changeType": "Modify", "before": before, "after": merged, "delta": delta})
                }
            }
        });
    }
    let Some(group_id) = group_id else {
        return out;
    };
    for id in super::runtime::undeclared(s, handle, caller, plan, &nested_ids, group_id) {
        out.push(match mode {
            Mode::Complete => {
                let before = fetch.get(&id).unwrap_or_else(|| json!({"id": id}));
                json!({"resourceId": id, "changeType": "Delete", "before": before})
            }
            Mode::Incremental => json!({"resourceId": id, "changeType": "Ignore"}),
        });
    }
    out
}

/// What a nested deployment would change: its own what-if, asked with the body the parent
/// would send; the group's resources it leaves alone are the parent's to report. A body that
/// needs resources not deployed yet (`reference()`) cannot be asked about: `Unsupported`, as
/// ARM reports what it cannot predict.
fn nested_changes(fetch: &Fetch, nested: Nested, plan: &Plan, i: usize) -> Vec<Value> {
    let r = &plan.resources[i];
    let unsupported = |reason: &str| {
        vec![json!({"resourceId": r.id, "changeType": "Unsupported", "unsupportedReason": reason})]
    };
    let body = match plan.body(i, fetch) {
        Ok(b) => b,
        Err(e) => return unsupported(&e.message),
    };
    let path = format!("{}/whatIf?api-version={INTERNAL_API_VERSION}", r.id);
    let reply = fetch.handle.block_on(internal::call_as(
        fetch.s,
        fetch.caller,
        Some(nested),
        Method::POST,
        &path,
        Some(&body),
    ));
    if !reply.status.is_success() {
        let why = reply.body["error"]["message"]
            .as_str()
            .unwrap_or("the nested deployment's what-if failed");
        return unsupported(why);
    }
    reply.body["properties"]["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["changeType"] != "Ignore")
        .cloned()
        .collect()
}

/// Equal for what-if: ids and locations compare as ARM compares them.
fn same(path: &str, a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => {
            if path == "location" {
                let n = |s: &str| s.replace(' ', "").to_lowercase();
                n(x) == n(y)
            } else if x.starts_with("/subscriptions/") {
                x.eq_ignore_ascii_case(y)
            } else {
                x == y
            }
        }
        (Value::Object(x), Value::Object(y)) => x
            .iter()
            .all(|(k, v)| y.get(k).is_some_and(|w| same(k, v, w))),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(path, p, q))
        }
        _ => a == b,
    }
}

/// Property changes from `before` to `after`, for the keys `after` sets.
fn diff(prefix: &str, before: &Value, after: &Value, out: &mut Vec<Value>) {
    let Value::Object(a) = after else { return };
    for (k, v) in a {
        if prefix.is_empty() && IDENTITY_KEYS.contains(&k.as_str()) {
            continue;
        }
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match before.get(k) {
            None | Some(Value::Null) if !v.is_null() => {
                out.push(json!({"path": path, "propertyChangeType": "Create", "after": v}))
            }
            Some(b @ Value::Object(_)) if v.is_object() => diff(&path, b, v, out),
            Some(b) if !same(k, v, b) => out.push(
                json!({"path": path, "propertyChangeType": "Modify", "before": b, "after": v}),
            ),
            _ => {}
        }
    }
}

/// `before` with everything `after` sets.
fn merge(before: &Value, after: &Value) -> Value {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            let mut m: Map<String, Value> = b.clone();
            for (k, v) in a {
                let merged = match b.get(k) {
                    Some(old) => merge(old, v),
                    None => v.clone(),
                };
                m.insert(k.clone(), merged);
            }
            Value::Object(m)
        }
        (_, a) => a.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_the_template_sets_is_compared() {
        let before = json!({"id": "/subscriptions/S/x", "location": "eastus", "properties": {"a": 1, "b": "x", "provisioningState": "Succeeded"}});
        let after =
            json!({"id": "/subscriptions/s/x", "location": "East US", "properties": {"a": 1}});
        let mut d = Vec::new();
        diff("", &before, &after, &mut d);
        assert!(d.is_empty(), "{d:?}");

        let after = json!({"properties": {"a": 2, "c": true}});
        diff("", &before, &after, &mut d);
        assert_eq!(
            d,
            vec![
                json!({"path": "properties.a", "propertyChangeType": "Modify", "before": 1, "after": 2}),
                json!({"path": "properties.c", "propertyChangeType": "Create", "after": true}),
            ]
        );
        assert_eq!(merge(&before, &after)["properties"]["b"], json!("x"));

        // Inside arrays too, only what the template sets is compared: a subnet the server
        // filled in is unchanged.
        let before = json!({"properties": {"subnets": [{"name": "a", "id": "/x", "properties": {"addressPrefix": "10.0.0.0/24", "provisioningState": "Succeeded"}}]}});
        let after = json!({"properties": {"subnets": [{"name": "a", "properties": {"addressPrefix": "10.0.0.0/24"}}]}});
        let mut d = Vec::new();
        diff("", &before, &after, &mut d);
        assert!(d.is_empty(), "{d:?}");
        let after = json!({"properties": {"subnets": [{"name": "a", "properties": {"addressPrefix": "10.0.1.0/24"}}]}});
        diff("", &before, &after, &mut d);
        assert_eq!(d.len(), 1, "{d:?}");
    }
}
