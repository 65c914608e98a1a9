//! What-if: what a deployment would create, modify or delete, without changing anything.

use super::runtime::Fetch;
use crate::identity::Caller;
use crate::AppState;
use cerulean_domain::deployment::Mode;
use cerulean_template::{Plan, Runtime};
use serde_json::{json, Map, Value};
use tokio::runtime::Handle;

/// Keys that are not the resource's content.
const IDENTITY_KEYS: &[&str] = &["id", "name", "type", "apiVersion", "etag"];

/// The `changes` of a what-if, in template order, then the group's other resources.
pub fn changes(
    s: &AppState,
    handle: &Handle,
    caller: Option<&Caller>,
    plan: &Plan,
    mode: Mode,
    group_id: &str,
) -> Vec<Value> {
    let fetch = Fetch { s, handle, caller };
    let mut out = Vec::new();
    for (i, r) in plan.resources.iter().enumerate() {
        if !r.condition {
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
    for id in super::runtime::undeclared(s, handle, caller, plan, group_id) {
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
            .all(|(k, v)| y.get(k).is_some_and(|w| same(k, w, v))),
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
    }
}
