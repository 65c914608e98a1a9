//! Hostile templates over HTTPS against the real binary (issue 16, items 1 and 4): nesting
//! that used to overflow a worker's stack and abort the process, and values that used to
//! take gigabytes. Each is a 400 `InvalidTemplate` that names the limit and where it was
//! met, and the server answers normally afterwards.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const RAPI: &str = "api-version=2024-03-01";

fn deployment(name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Resources/deployments/{name}"
    )
}

fn with_variables(vars: Value) -> Value {
    json!({"contentVersion": "1.0.0.0", "variables": vars, "resources": []})
}

fn with_property(expr: &str) -> Value {
    json!({"contentVersion": "1.0.0.0", "resources": [{
        "type": "Microsoft.Network/virtualNetworks", "name": "v", "apiVersion": "2024-01-01",
        "location": "eastus", "properties": {"addressSpace": {"addressPrefixes": [expr]}},
    }]})
}

async fn send(s: &Server, method: Method, path: &str, template: Value) -> (StatusCode, Value) {
    let body = json!({"properties": {"template": template, "mode": "Incremental"}});
    let (st, _, b) = s.call(method, path, Some(body)).await;
    (st, b)
}

/// The server still answers, and answers correctly.
async fn alive(s: &Server) {
    let (st, body) = s.get(&rg_path("rg")).await;
    assert_eq!(st, StatusCode::OK, "the server must survive: {body}");
    assert_eq!(body["name"], "rg");
}

fn nested(open: &str, inner: &str, close: &str, n: usize) -> String {
    format!("[{}{inner}{}]", open.repeat(n), close.repeat(n))
}

#[tokio::test]
async fn deep_expressions_are_refused_and_the_server_lives() {
    let s = Server::start(&[]);
    let (st, body) = s.put(&rg_path("rg"), json!({"location": "eastus"})).await;
    assert!(st.is_success(), "{body}");

    // `not(` 10,000 deep through validate: over Azure's 24,576 characters.
    let validate = format!("{}/validate?{RAPI}", deployment("v"));
    let deep_not = with_variables(json!({"x": nested("not(", "true()", ")", 10_000)}));
    let (st, body) = send(&s, Method::POST, &validate, deep_not).await;
    let m = assert_error(st, &body, 400, "InvalidTemplate");
    assert!(
        m.contains("50008 characters long; the limit is 24576"),
        "{m}"
    );
    assert!(m.contains("'variables.x'"), "{m}");
    alive(&s).await;

    // `not(` 4,000 deep fits the length and meets the nesting limit.
    let not_4000 = with_variables(json!({"x": nested("not(", "true()", ")", 4_000)}));
    let (st, body) = send(&s, Method::POST, &validate, not_4000).await;
    let m = assert_error(st, &body, 400, "InvalidTemplate");
    assert!(m.contains("nests more than 64 levels"), "{m}");
    alive(&s).await;

    // `concat(` 2,000 deep in a resource property of a deployment PUT: every expression is
    // parsed before the PUT is answered, so nothing is deployed.
    let put = format!("{}?{RAPI}", deployment("d"));
    let (st, body) = send(
        &s,
        Method::PUT,
        &put,
        with_property(&nested("concat(", "'a'", ")", 2_000)),
    )
    .await;
    let m = assert_error(st, &body, 400, "InvalidTemplate");
    assert!(m.contains("nests more than 64 levels"), "{m}");
    assert!(
        m.contains("resources[0].properties.addressSpace.addressPrefixes[0]"),
        "{m}"
    );
    alive(&s).await;

    for (expr, why) in [
        (nested("createArray(", "1", ")", 3_000), "characters long"),
        (
            format!("[createArray(1){}]", "[0]".repeat(10_000)),
            "characters long",
        ),
        (
            format!("[json('{{}}'){}]", ".a".repeat(10_000)),
            "nests more than 64",
        ),
    ] {
        let (st, body) = send(&s, Method::PUT, &put, with_variables(json!({ "x": expr }))).await;
        let m = assert_error(st, &body, 400, "InvalidTemplate");
        assert!(m.contains(why), "{m}");
        alive(&s).await;
    }

    // A JSONC body nested past the strict parser's 128 levels is refused as content.
    let text = format!(
        "{{properties: {{mode: 'Incremental', template: {}1{}}}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let resp = s
        .client
        .request(Method::PUT, s.url(&put))
        .header("content-type", "application/json")
        .body(text)
        .send()
        .await
        .unwrap();
    let st = resp.status();
    let body: Value = resp.json().await.unwrap();
    let m = assert_error(st, &body, 400, "InvalidRequestContent");
    assert!(m.contains("nests more than 128 levels"), "{m}");
    alive(&s).await;

    // Nothing was deployed by any of them.
    let (st, body) = s.get(&format!("{}?{RAPI}", deployment("d"))).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test]
async fn memory_bombs_are_refused_in_milliseconds() {
    let s = Server::start(&[]);
    let (st, body) = s.put(&rg_path("rg"), json!({"location": "eastus"})).await;
    assert!(st.is_success(), "{body}");
    let put = format!("{}?{RAPI}", deployment("bomb"));

    // padLeft to a billion characters: refused before the string is built.
    let started = Instant::now();
    let pad = with_variables(json!({"p": "[padLeft('x', 1000000000, 'y')]"}));
    let (st, body) = send(&s, Method::PUT, &put, pad).await;
    let m = assert_error(st, &body, 400, "InvalidTemplate");
    assert!(m.contains("'padLeft'"), "{m}");
    assert!(m.contains("1000000000 bytes long"), "{m}");
    assert!(m.contains("'variables.p'"), "{m}");
    alive(&s).await;

    // Thirty doubling variables in a 3 KB template: stopped at 4 MB.
    let mut vars = serde_json::Map::new();
    vars.insert("v0".into(), json!("0123456789abcdef"));
    for i in 1..30 {
        vars.insert(
            format!("v{i}"),
            json!(format!(
                "[concat(variables('v{0}'), variables('v{0}'))]",
                i - 1
            )),
        );
    }
    let (st, body) = send(&s, Method::PUT, &put, with_variables(Value::Object(vars))).await;
    let m = assert_error(st, &body, 400, "InvalidTemplate");
    assert!(m.contains("more than 4194304 bytes"), "{m}");
    alive(&s).await;

    // A runaway loop exhausts the step budget.
    let lp = "[reduce(range(0, 10000), 0, lambda('a', 'i', reduce(range(0, 10000), 0, lambda('b', 'j', 1))))]";
    let (st, body) = send(&s, Method::PUT, &put, with_variables(json!({ "l": lp }))).await;
    let m = assert_error(st, &body, 400, "InvalidTemplate");
    assert!(m.contains("evaluation budget of 2000000 steps"), "{m}");
    alive(&s).await;
    // The figure the issue asked for: answered in well under the seconds the bombs took.
    // Informational only (timing is never asserted): printed for whoever runs the test.
    eprintln!(
        "three memory and time bombs refused in {:?}",
        started.elapsed()
    );

    // In an output the bomb is met when the outputs are evaluated: the deployment fails
    // with the same error and the server goes on.
    let out = json!({"contentVersion": "1.0.0.0", "resources": [],
        "outputs": {"o": {"type": "string", "value": "[padLeft('x', 1000000000, 'y')]"}}});
    let (st, _, body) = s
        .call(
            Method::PUT,
            &put,
            Some(json!({"properties": {"template": out, "mode": "Incremental"}})),
        )
        .await;
    assert!(st.is_success(), "{body}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let failed = loop {
        let (_, d) = s.get(&format!("{}?{RAPI}", deployment("bomb"))).await;
        if d["properties"]["provisioningState"] == "Failed" {
            break d;
        }
        assert!(
            Instant::now() < deadline,
            "the deployment never failed: {d}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let detail = &failed["properties"]["error"]["details"][0];
    assert_eq!(detail["code"], "InvalidTemplate", "{failed}");
    assert!(
        detail["message"].as_str().unwrap().contains("'padLeft'"),
        "{failed}"
    );
    alive(&s).await;
}

/// The server's peak resident memory, in MiB (Linux).
fn peak_mib(s: &Server) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", s.child.id())).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kib / 1024
}

#[tokio::test]
async fn modules_of_modules_are_checked_within_bounds() {
    let s = Server::start(&[]);
    let (st, body) = s.put(&rg_path("rg"), json!({"location": "eastus"})).await;
    assert!(st.is_success(), "{body}");
    // Ten levels of modules, each level a copy loop of 800 modules of the level below: a
    // 6 KB template that, checked in full before it runs, would be 800^10 deployments. The
    // check before it runs stops at 50 of them (the rest are checked when they run); it
    // once kept every plan it made, gigabytes of them.
    let mut t = json!({"resources": [{
        "type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2024-07-01",
        "name": "[concat('p', copyIndex())]", "location": "eastus",
        "copy": {"name": "c", "count": 800}, "properties": {}
    }]});
    for level in 0..10 {
        t = json!({"resources": [{
            "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01",
            "name": format!("[concat('l{level}-', copyIndex())]"),
            "copy": {"name": "x", "count": 800},
            "properties": {"expressionEvaluationOptions": {"scope": "inner"}, "mode": "Incremental", "template": t}
        }]});
    }
    let put = format!("{}?{RAPI}", deployment("deep"));
    let (st, body) = send(&s, Method::PUT, &put, t).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, _, body) = s
        .call(
            Method::POST,
            &format!("{}/cancel?{RAPI}", deployment("deep")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
    alive(&s).await;
    let peak = peak_mib(&s);
    assert!(peak < 1024, "the server peaked at {peak} MiB");
}
