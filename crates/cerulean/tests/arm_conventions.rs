//! ARM conventions shared by every resource type: api-version, envelopes, request ids,
//! operations, metadata, subscriptions, admin endpoints, listeners.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn api_version_is_required_and_must_be_a_date() {
    let s = Server::start(&[]);
    let (st, body) = s.get(&format!("/subscriptions/{SUB}/resourcegroups")).await;
    let msg = assert_error(st, &body, 400, "MissingApiVersionParameter");
    assert_eq!(
        msg,
        "The api-version query parameter (?api-version=) is required for all requests."
    );
    let (st, body) = s
        .get(&format!(
            "/subscriptions/{SUB}/resourcegroups?api-version=latest"
        ))
        .await;
    let msg = assert_error(st, &body, 400, "InvalidApiVersionParameter");
    assert!(msg.contains("'latest'"), "{msg}");
    // Microsoft.Authorization, served before routing, under the same rule.
    let roles = format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions");
    let (st, body) = s.get(&roles).await;
    assert_error(st, &body, 400, "MissingApiVersionParameter");
    let (st, body) = s.get(&format!("{roles}?api-version=latest")).await;
    assert_error(st, &body, 400, "InvalidApiVersionParameter");
    // Any well-formed version is accepted, old or new, with or without a suffix.
    for v in [
        "2015-01-01",
        "2022-01-01",
        "2026-04-01",
        "2024-05-01-preview",
    ] {
        let (st, _) = s
            .get(&format!(
                "/subscriptions/{SUB}/resourcegroups?api-version={v}"
            ))
            .await;
        assert_eq!(st, StatusCode::OK, "{v}");
    }
}

#[tokio::test]
async fn bad_bodies_and_unknown_paths_get_the_envelope() {
    let s = Server::start(&[]);
    let resp = s
        .client
        .put(s.url(&rg_path("rg")))
        .header("content-type", "application/json")
        .body("{\"location\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = resp.json().await.unwrap();
    let msg = assert_error(StatusCode::BAD_REQUEST, &body, 400, "InvalidRequestContent");
    assert!(
        msg.starts_with("The request content was invalid and could not be deserialized"),
        "{msg}"
    );

    let big = format!(
        "{{\"location\":\"eastus\",\"pad\":\"{}\"}}",
        "x".repeat(5 * 1024 * 1024)
    );
    let resp = s
        .client
        .put(s.url(&rg_path("rg")))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "RequestEntityTooLarge");

    let (st, body) = s.get("/no/such/thing").await;
    assert_error(st, &body, 404, "NotFound");

    let (st, body) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Storage/locations/eastus/usages?{API}"
        ))
        .await;
    let msg = assert_error(st, &body, 501, "NotImplemented");
    assert!(
        msg.contains("GET Microsoft.Storage/locations/usages"),
        "{msg}"
    );
    // A type it does not model is listed, across the subscription, as what it stores.
    let (st, body) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Storage/storageAccounts?{API}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"value": []}));

    // A known path with a method it does not support: Azure has no such operation either.
    let (st, _, body) = s.call(Method::POST, &rg_path("rg"), Some(json!({}))).await;
    let msg = assert_error(st, &body, 405, "MethodNotAllowed");
    assert_eq!(
        msg,
        "The requested resource does not support http method 'POST'."
    );
}

/// HEAD is ARM's existence check on every type, modelled or not: 204 without a body when the
/// resource is there, 404 without one when it is not (what the SDKs' `check_existence`
/// calls accept; a 200 raises in Python's).
#[tokio::test]
async fn head_answers_204_or_404_on_every_type() {
    use common::arm::{at, dynamic_nic, group, net, put_ok, subnet_id, vnet_body};
    let s = Server::start(&[]);
    let rg = "heads";
    group(&s, rg).await;
    let vnet = net(rg, "virtualNetworks", "v");
    put_ok(
        &s,
        &vnet,
        vnet_body(&["10.0.0.0/16"], &[("s", &["10.0.0.0/24"])]),
    )
    .await;
    dynamic_nic(&s, rg, "n", &subnet_id(rg, "v", "s")).await;
    let nsg = net(rg, "networkSecurityGroups", "g");
    put_ok(&s, &nsg, json!({"location": "eastus"})).await;
    let nic = net(rg, "networkInterfaces", "n");
    let group_id = format!("/subscriptions/{SUB}/resourceGroups/{rg}");
    let there = [
        group_id.clone(),
        vnet.clone(),
        subnet_id(rg, "v", "s"),
        nic.clone(),
        format!("{nic}/ipConfigurations/ipconfig1"),
        nsg.clone(),
        // Microsoft.Authorization, served before routing: the built-in Reader.
        format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7"),
    ];
    for id in &there {
        let (st, headers, body) = s.call(Method::HEAD, &at(id), None).await;
        assert_eq!(st, StatusCode::NO_CONTENT, "HEAD {id}");
        assert!(body.is_null(), "HEAD {id}: {body}");
        assert!(headers.get("content-type").is_none(), "HEAD {id}");
    }
    let absent = [
        format!("/subscriptions/{SUB}/resourceGroups/absent"),
        net(rg, "virtualNetworks", "absent"),
        subnet_id(rg, "v", "absent"),
        net(rg, "networkInterfaces", "absent"),
        net(rg, "networkSecurityGroups", "absent"),
        format!("/subscriptions/{SUB}/resourceGroups/absent/providers/Microsoft.Network/networkInterfaces/n"),
        format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/00000000-0000-0000-0000-00000000dead"),
        format!("{group_id}/providers/Microsoft.Authorization/roleAssignments/00000000-0000-0000-0000-00000000dead"),
    ];
    for id in &absent {
        let (st, _, body) = s.call(Method::HEAD, &at(id), None).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "HEAD {id}");
        assert!(body.is_null(), "HEAD {id}: {body}");
    }
    // GET still answers 200 with the resource.
    let (st, body) = s.get(&at(&nic)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["name"], "n");
}

/// A method Azure has no operation for on a path cerulean serves is 405, as Azure answers;
/// an operation Azure has and cerulean does not implement is 501, naming it.
#[tokio::test]
async fn methods_azure_lacks_are_405_and_operations_cerulean_lacks_are_501() {
    let s = Server::start(&[]);
    let rg = format!("/subscriptions/{SUB}/resourceGroups/rg");
    let net = format!("{rg}/providers/Microsoft.Network");
    let authz = format!("/subscriptions/{SUB}/providers/Microsoft.Authorization");
    let assignment = format!("{authz}/roleAssignments/2c9f3a1e-4a8b-4a53-9d0e-6f1d2b3c4d5e");
    let owner = format!("{authz}/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635");
    let lacking = [
        (Method::PATCH, format!("{net}/virtualNetworks/v/subnets/s")),
        (Method::PUT, format!("{net}/virtualNetworks/v/subnets")),
        (
            Method::PUT,
            format!("{net}/networkInterfaces/n/ipConfigurations/c"),
        ),
        (
            Method::DELETE,
            format!("{net}/networkInterfaces/n/ipConfigurations/c"),
        ),
        (Method::POST, format!("{net}/networkInterfaces/n")),
        (
            Method::PATCH,
            format!("{net}/loadBalancers/l/backendAddressPools/p"),
        ),
        (
            Method::PATCH,
            format!("{rg}/providers/Microsoft.Resources/deployments/d"),
        ),
        (Method::PATCH, assignment.clone()),
        (Method::POST, format!("{authz}/roleAssignments")),
        (Method::PATCH, owner.clone()),
    ];
    for (method, path) in lacking {
        let url = format!("{path}?{API}");
        let (st, _, body) = s.call(method.clone(), &url, Some(json!({}))).await;
        let msg = assert_error(st, &body, 405, "MethodNotAllowed");
        assert_eq!(
            msg,
            format!("The requested resource does not support http method '{method}'."),
            "{method} {path}"
        );
    }
    let unimplemented = [
        // A Microsoft.Authorization type cerulean does not serve (policies).
        (Method::PUT, format!("{authz}/policyAssignments/p")),
        // A VM action cerulean does not model.
        (
            Method::POST,
            format!("{rg}/providers/Microsoft.Compute/virtualMachines/vm/capture"),
        ),
        // An action on a resource of a type cerulean stores as given.
        (
            Method::POST,
            format!("{net}/networkSecurityGroups/nsg/someAction"),
        ),
    ];
    for (method, path) in unimplemented {
        let url = format!("{path}?{API}");
        let (st, _, body) = s.call(method.clone(), &url, Some(json!({}))).await;
        let msg = assert_error(st, &body, 501, "NotImplemented");
        assert!(msg.contains(method.as_str()), "{method} {path}: {msg}");
    }
}

#[tokio::test]
async fn unknown_subscriptions_are_404_everywhere() {
    let s = Server::start(&[]);
    let other = "11111111-2222-3333-4444-555555555555";
    for path in [
        format!("/subscriptions/{other}?{API}"),
        format!("/subscriptions/{other}/resourcegroups?{API}"),
        format!("/subscriptions/{other}/resourceGroups/rg?{API}"),
        format!("/subscriptions/{other}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n?{API}"),
    ] {
        let (st, body) = s.get(&path).await;
        let msg = assert_error(st, &body, 404, "SubscriptionNotFound");
        assert_eq!(msg, format!("The subscription '{other}' could not be found."));
    }
}

#[tokio::test]
async fn subscriptions_tenants_locations_and_extra_subscriptions() {
    let extra = "22222222-0000-0000-0000-000000000002";
    let s = Server::start(&["--subscription", &format!("{extra}=Team B")]);
    let (st, body) = s.get("/subscriptions?api-version=2022-12-01").await;
    assert_eq!(st, StatusCode::OK);
    let subs = body["value"].as_array().unwrap();
    assert_eq!(subs.len(), 2);
    assert_eq!(subs[0]["subscriptionId"], SUB);
    assert_eq!(subs[0]["state"], "Enabled");
    assert_eq!(subs[0]["tenantId"], "00000000-0000-0000-0000-0000000000a1");
    assert_eq!(subs[1]["displayName"], "Team B");
    let (st, body) = s
        .get(&format!("/subscriptions/{extra}?api-version=2022-12-01"))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body["id"], format!("/subscriptions/{extra}"));
    let (st, _) = s
        .put(
            &format!("/subscriptions/{extra}/resourceGroups/rg?{API}"),
            json!({"location": "eastus"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);

    let (st, body) = s.get("/tenants?api-version=2022-12-01").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        body["value"][0]["tenantId"],
        "00000000-0000-0000-0000-0000000000a1"
    );

    let (st, body) = s
        .get(&format!(
            "/subscriptions/{SUB}/locations?api-version=2022-12-01"
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(body["value"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["name"] == "eastus" && l["displayName"] == "East US"));
}

#[tokio::test]
async fn request_ids_are_set_and_client_ids_echoed() {
    let s = Server::start(&[]);
    let (_, h, _) = s
        .call_with(
            Method::GET,
            &rg_path("x"),
            None,
            &[
                ("x-ms-client-request-id", "my-id"),
                ("x-ms-correlation-request-id", "corr-1"),
            ],
        )
        .await;
    assert_eq!(h["x-ms-client-request-id"], "my-id");
    assert_eq!(h["x-ms-correlation-request-id"], "corr-1");
    assert_eq!(h["x-ms-request-id"].to_str().unwrap().len(), 36);
    let (_, h, _) = s.call(Method::GET, "/health", None).await;
    assert!(h.contains_key("x-ms-request-id"));
    assert!(h.contains_key("x-ms-correlation-request-id"));
}

#[tokio::test]
async fn metadata_endpoints_in_both_forms() {
    let s = Server::start(&[]);
    let (st, body) = s.get("/metadata/endpoints?api-version=2022-09-01").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body["resourceManager"], format!("{}/", s.base));
    assert_eq!(body["authentication"]["loginEndpoint"], s.base);
    assert_eq!(
        body["authentication"]["audiences"][1],
        format!("{}/", s.base)
    );
    assert!(body["suffixes"]["storage"].is_string());
    assert_eq!(body["name"], "Cerulean");
    let (st, body) = s.get("/metadata/endpoints?api-version=2019-05-01").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body[0]["resourceManager"], format!("{}/", s.base));
}

#[tokio::test]
async fn health_info_and_reset() {
    // No heartbeat during the test: the write counters below are exact.
    let s = Server::start(&["--instance-lease", "600s"]);
    let (st, body) = s.get("/health").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    s.put(&rg_path("one"), json!({"location": "eastus"})).await;
    s.put(&rg_path("two"), json!({"location": "eastus"})).await;
    let (st, body) = s.get("/cerulean/info").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body["store"], "sqlite");
    assert_eq!(body["counts"]["microsoft.resources/resourcegroups"], 2);
    assert!(body["version"].is_string());
    // The subscriptions seeded at start, the operation key, the signing key, the server's
    // lease taken and the two groups: six jobs, batched or not.
    let writes = &body["writes"];
    let (commits, jobs) = (writes["commits"].as_u64(), writes["jobs"].as_u64());
    assert_eq!(jobs, Some(6), "{writes}");
    assert!(commits.is_some_and(|c| (1..=6).contains(&c)), "{writes}");
    assert!(writes["writerBusyUs"].as_u64().is_some_and(|us| us > 0));
    let (st, _, _) = s.call(Method::POST, "/cerulean/reset", None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, body) = s.get("/cerulean/info").await;
    assert!(body["counts"].as_object().unwrap().is_empty());
    let (st, body) = s
        .get(&format!("/subscriptions/{SUB}/resourcegroups?{API}"))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body["value"].as_array().unwrap().len(), 0);
    // Subscriptions survive a reset.
    let (st, _) = s.get(&format!("/subscriptions/{SUB}?{API}")).await;
    assert_eq!(st, StatusCode::OK);
}

#[tokio::test]
async fn latency_keeps_operations_in_progress_then_completes() {
    let s = Server::start(&["--latency", "700ms"]);
    s.put(&rg_path("slow"), json!({"location": "westus"})).await;
    let (st, h, _) = s.call(Method::DELETE, &rg_path("slow"), None).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let status_path = h["azure-asyncoperation"]
        .to_str()
        .unwrap()
        .strip_prefix(&s.base)
        .unwrap()
        .to_string();
    let result_path = h["location"]
        .to_str()
        .unwrap()
        .strip_prefix(&s.base)
        .unwrap()
        .to_string();

    let (st, h, op) = s.call(Method::GET, &status_path, None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(op["status"], "InProgress");
    assert_eq!(h["retry-after"], "1");
    assert!(op.get("endTime").is_none());
    let (st, h, _) = s.call(Method::GET, &result_path, None).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    assert!(h.contains_key("location"));

    // Poll to completion as a client would.
    let mut polls = 0;
    loop {
        let (_, op) = s.get(&status_path).await;
        if op["status"] != "InProgress" {
            assert_eq!(op["status"], "Succeeded");
            assert!(op["endTime"].is_string());
            break;
        }
        polls += 1;
        assert!(polls < 50, "operation never finished");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let (st, _, body) = s.call(Method::GET, &result_path, None).await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.is_null());

    let (st, body) = s
        .get(&format!("/subscriptions/{SUB}/providers/Microsoft.Resources/locations/westus/operations/nope?{API}"))
        .await;
    assert_error(st, &body, 404, "OperationNotFound");
}

#[tokio::test]
async fn plain_http_main_port_and_second_port() {
    let s = Server::start(&["--http"]);
    assert!(s.base.starts_with("http://"));
    let (st, _) = s.get("/health").await;
    assert_eq!(st, StatusCode::OK);

    // HTTPS on --port plus plain HTTP on --http-port (0: any free port, printed).
    let s = Server::start(&["--http-port", "0"]);
    assert!(s.base.starts_with("https://"));
    let plain_base = s
        .extra_base
        .clone()
        .expect("the plain listener's URL is printed");
    let port = plain_base.rsplit(':').next().unwrap().to_string();
    let plain = reqwest::Client::new();
    let r = plain
        .get(format!("http://127.0.0.1:{port}/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // Operation URLs given on the plain listener lead back to it.
    let r = plain
        .put(format!("http://127.0.0.1:{port}{}", rg_path("p")))
        .json(&json!({"location": "eastus"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = plain
        .delete(format!("http://127.0.0.1:{port}{}", rg_path("p")))
        .send()
        .await
        .unwrap();
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with(&format!("http://127.0.0.1:{port}/")));
}

#[tokio::test]
async fn users_own_certificate() {
    // Generate a CA in one directory, then serve it from another with --cert/--key.
    let first = Server::start(&[]);
    let tls = first.dir.join("tls");
    drop(first);
    let cert = tls.join("server.pem");
    let key = tls.join("server-key.pem");
    let dir = temp_dir();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cerulean"))
        .args(["serve", "--port", "0", "--location"])
        .arg(&dir)
        .arg("--cert")
        .arg(&cert)
        .arg("--key")
        .arg(&key)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::BufRead;
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines
        .by_ref()
        .map(|l| l.unwrap())
        .find_map(|l| l.strip_prefix("cerulean listening on ").map(str::to_string))
        .unwrap();
    assert!(
        !dir.join("tls").exists(),
        "no CA is generated when the user brings a certificate"
    );
    let pem = std::fs::read(tls.join("ca.pem")).unwrap();
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let r = client.get(format!("{url}/health")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let _ = child.kill();
    let _ = child.wait();
}

/// What a server started with `args` (and `--http`) logs on stderr while it answers one
/// `GET /health` and shuts down on SIGTERM; stderr is a pipe, as in CI or a container.
async fn logs_of_a_health_request(args: &[&str]) -> String {
    let dir = temp_dir();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cerulean"))
        .args(["serve", "--http", "--port", "0"])
        .args(args)
        .arg("--location")
        .arg(&dir)
        .env_remove("CERULEAN_LOG")
        .env_remove("NO_COLOR")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::BufRead;
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let url = lines
        .by_ref()
        .map(|l| l.unwrap())
        .find_map(|l| l.strip_prefix("cerulean listening on ").map(str::to_string))
        .unwrap();
    let r = reqwest::get(format!("{url}/health")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success(), "SIGTERM is a clean exit");
    let mut err = String::new();
    use std::io::Read;
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    err
}

#[tokio::test]
async fn json_logs_name_method_path_status_and_time() {
    let err = logs_of_a_health_request(&["--log-format", "json"]).await;
    let request_line = err
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["fields"]["path"] == "/health")
        .unwrap_or_else(|| panic!("no JSON request log in {err}"));
    assert_eq!(request_line["fields"]["method"], "GET");
    assert_eq!(request_line["fields"]["status"], 200);
    assert!(request_line["fields"]["ms"].is_string() || request_line["fields"]["ms"].is_number());
}

/// Text logs written to a pipe or a file are plain: no colour codes around the level and
/// the field names (they are for a terminal).
#[tokio::test]
async fn text_logs_to_a_pipe_carry_no_escape_codes() {
    let err = logs_of_a_health_request(&[]).await;
    let request_line = err
        .lines()
        .find(|l| l.contains("path=/health"))
        .unwrap_or_else(|| panic!("no request log in {err}"));
    assert!(request_line.contains(" INFO "), "{request_line}");
    assert!(request_line.contains("method=GET"), "{request_line}");
    assert!(request_line.contains("status=200"), "{request_line}");
    assert!(!err.contains('\u{1b}'), "escape codes in {err:?}");
}

/// ARM answers `a//b` as `a/b`: `az cloud register --endpoint-resource-manager
/// https://host/` asks for `//metadata/endpoints`, and clients built on such an endpoint
/// send `//subscriptions/...`. Every path (metadata, identity, ARM, admin) tolerates it.
#[tokio::test]
async fn repeated_slashes_are_one() {
    let s = Server::start_with_auth(&[]);
    let (st, body) = s.get("//metadata/endpoints?api-version=2022-09-01").await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["resourceManager"], format!("{}/", s.base));
    assert_eq!(s.get("/health//").await.0, StatusCode::OK);

    let tenant = "00000000-0000-0000-0000-0000000000a1";
    let r = s
        .client
        .post(s.url(&format!("//{tenant}//oauth2/v2.0//token")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials&client_id=me&client_secret=x&scope=https%3A%2F%2Fmanagement.azure.com%2F.default")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let token: Value = r.json().await.unwrap();
    let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap());
    let auth = [("authorization", bearer.as_str())];

    let (st, _, body) = s
        .call_with(
            Method::PUT,
            &format!("//subscriptions//{SUB}/resourceGroups///Slashed/?{API}"),
            Some(json!({"location": "eastus"})),
            &auth,
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["id"],
        format!("/subscriptions/{SUB}/resourceGroups/Slashed")
    );
    // A type cerulean does not model goes through the generic route, which reads the
    // caller's spelling of the path: its id must not keep the empty segments either.
    let (st, _, body) = s
        .call_with(
            Method::PUT,
            &format!("//subscriptions/{SUB}/resourceGroups/Slashed//providers/Microsoft.Network//networkSecurityGroups/Nsg1?{API}"),
            Some(json!({"location": "eastus"})),
            &auth,
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["id"],
        format!("/subscriptions/{SUB}/resourceGroups/Slashed/providers/Microsoft.Network/networkSecurityGroups/Nsg1")
    );
    let (st, _, body) = s
        .call_with(
            Method::GET,
            &format!("/subscriptions/{SUB}//resourcegroups?{API}"),
            None,
            &auth,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["value"][0]["name"], "Slashed");
}
