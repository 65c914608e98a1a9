use serde_json::{json, Value};

/// `{value: [...], nextLink?}`; `next_link` continues after the last key of this page.
pub fn page(
    base: &str,
    path: &str,
    api_version: &str,
    extra: &[(&str, &str)],
    items: Vec<Value>,
    next_key: Option<&str>,
) -> Value {
    let mut body = json!({ "value": items });
    if let Some(key) = next_key {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("api-version", api_version);
        for (k, v) in extra {
            q.append_pair(k, v);
        }
        q.append_pair("$skiptoken", key);
        body["nextLink"] = json!(format!("{base}{path}?{}", q.finish()));
    }
    body
}
