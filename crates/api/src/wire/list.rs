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
        body["nextLink"] = json!(next_link(base, path, api_version, extra, key));
    }
    body
}

/// The `nextLink` of a page that continues after `key`.
pub fn next_link(
    base: &str,
    path: &str,
    api_version: &str,
    extra: &[(&str, &str)],
    key: &str,
) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("api-version", api_version);
    for (k, v) in extra {
        q.append_pair(k, v);
    }
    q.append_pair("$skiptoken", key);
    format!("{base}{path}?{}", q.finish())
}
