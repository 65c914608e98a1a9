//! The HTTP edge under hostile or careless clients: who may call what, what bodies are taken,
//! that every refusal is an envelope, and that slow clients are cut off.

mod common;

use cerulean_api::Access;
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The open routes that change state, and why the protocol needs each open. A route added
/// open and changing state fails [`every_route_declares_who_may_call_it`] until it is
/// reviewed and listed here.
const OPEN_WRITES: &[(&str, &str)] = &[
    (
        "/{tenant}/oauth2/v2.0/token",
        "clients get their first token here",
    ),
    ("/{tenant}/oauth2/token", "the v1 token endpoint"),
    (
        "/{tenant}/oauth2/v2.0/devicecode",
        "a device login starts here",
    ),
    ("/{tenant}/oauth2/devicecode", "the v1 device code endpoint"),
    ("/adfs/oauth2/token", "ADFS's token endpoint"),
    ("/adfs/oauth2/devicecode", "ADFS's device code endpoint"),
    (
        "/{tenant}/oauth2/v2.0/authorize",
        "the sign-in form posts here before anyone has a token",
    ),
    (
        "/devicelogin",
        "the device-login form posts here before anyone has a token",
    ),
];

#[tokio::test]
async fn every_route_declares_who_may_call_it() {
    let s = Server::start_with_auth(&[]);
    let table = cerulean_api::route_table();
    assert!(table.len() > 10, "the table lists the identity routes too");
    for (method, path, access) in &table {
        let url = path.replace("{tenant}", TENANT);
        let (st, _, body) = s.call(method.clone(), &url, None).await;
        match access {
            Access::Token | Access::RootOwner => {
                assert_error(st, &body, 401, "AuthenticationFailed");
            }
            Access::Open => {
                assert_ne!(st, StatusCode::UNAUTHORIZED, "{method} {path}: {body}");
                let writes = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
                assert!(
                    !writes || OPEN_WRITES.iter().any(|(p, _)| p == path),
                    "{method} {path} changes state without a token: declare it Token, or list \
                     it in OPEN_WRITES with the reason the protocol needs it open"
                );
            }
        }
    }
    // Resetting the server is for its owner; its counters need a token.
    assert!(table.contains(&(Method::POST, "/cerulean/reset", Access::RootOwner)));
    assert!(table.contains(&(Method::GET, "/cerulean/info", Access::Token)));
    // ARM paths, with every method, and paths no route knows, need a token as well.
    for method in [
        Method::GET,
        Method::PUT,
        Method::POST,
        Method::PATCH,
        Method::DELETE,
    ] {
        for path in [
            format!("/subscriptions/{SUB}/resourcegroups/rg?{API}"),
            format!("/subscriptions/{SUB}/providers/Microsoft.Web/sites/x?{API}"),
            "/providers/Microsoft.Network/operations?api-version=2024-01-01".to_string(),
            "/no/such/path".to_string(),
            "/cerulean/no-such-thing".to_string(),
        ] {
            let (st, _, body) = s.call(method.clone(), &path, None).await;
            assert_error(st, &body, 401, "AuthenticationFailed");
        }
    }
}

async fn reset(s: &Server, headers: &[(&str, &str)], body: Option<&str>) -> (StatusCode, Value) {
    let mut req = s.client.post(s.url("/cerulean/reset"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.body(b.to_string());
    }
    let r = req.send().await.unwrap();
    let st = r.status();
    (st, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn reset_needs_a_token_json_and_the_same_origin() {
    let s = Server::start_with_auth(&[]);
    let token = client_token(&s).await;
    let bearer = format!("Bearer {token}");
    let auth = ("authorization", bearer.as_str());
    let rg = rg_path("keep");
    let (st, _, _) = s
        .call_with(
            Method::PUT,
            &rg,
            Some(json!({"location": "eastus"})),
            &[auth],
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);

    // What a web page could send: no token, plain text, from its own origin.
    let (st, body) = reset(
        &s,
        &[
            ("content-type", "text/plain"),
            ("origin", "https://evil.example"),
        ],
        Some("x"),
    )
    .await;
    assert_error(st, &body, 401, "AuthenticationFailed");
    let (st, body) = reset(&s, &[auth, ("content-type", "text/plain")], Some("x")).await;
    let msg = assert_error(st, &body, 415, "UnsupportedMediaType");
    assert_eq!(
        msg,
        "The content media type 'text/plain' is not supported. Only 'application/json' is supported."
    );
    let (st, body) = reset(&s, &[auth, ("origin", "https://evil.example")], None).await;
    let msg = assert_error(st, &body, 403, "CrossOriginRequestRefused");
    assert!(msg.contains("'https://evil.example'"), "{msg}");
    let (st, body) = reset(&s, &[auth, ("sec-fetch-site", "cross-site")], None).await;
    assert_error(st, &body, 403, "CrossOriginRequestRefused");
    let (st, body) = reset(&s, &[auth, ("sec-fetch-site", "same-site")], None).await;
    assert_error(st, &body, 403, "CrossOriginRequestRefused");
    assert_eq!(
        s.call_with(Method::GET, &rg, None, &[auth]).await.0,
        StatusCode::OK,
        "nothing was reset"
    );

    // The same origin, or a client that is no browser, with JSON or no body: allowed.
    let own = s.base.clone();
    let (st, _) = reset(
        &s,
        &[
            auth,
            ("origin", own.as_str()),
            ("sec-fetch-site", "same-origin"),
        ],
        None,
    )
    .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = reset(
        &s,
        &[auth, ("content-type", "application/json")],
        Some("{}"),
    )
    .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(
        s.call_with(Method::GET, &rg, None, &[auth]).await.0,
        StatusCode::NOT_FOUND
    );
    let (st, _, body) = s
        .call_with(Method::GET, "/cerulean/info", None, &[auth])
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn cross_origin_writes_are_refused_even_without_auth() {
    let s = Server::start(&[]);
    let (st, _, body) = s
        .call_with(
            Method::PUT,
            &rg_path("rg"),
            Some(json!({"location": "eastus"})),
            &[("origin", "http://localhost:3000")],
        )
        .await;
    assert_error(st, &body, 403, "CrossOriginRequestRefused");
    let (st, _) = reset(&s, &[("origin", "null")], None).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // Reading changes nothing (and without CORS headers a page cannot read the answer).
    let (st, h, _) = s
        .call_with(
            Method::GET,
            "/cerulean/info",
            None,
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(h.get("access-control-allow-origin").is_none());
    assert_eq!(s.get(&rg_path("rg")).await.0, StatusCode::NOT_FOUND);
}

async fn put_raw(
    s: &Server,
    path: &str,
    content_type: Option<&str>,
    body: &str,
) -> (StatusCode, Value) {
    let mut req = s.client.put(s.url(path)).body(body.to_string());
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let r = req.send().await.unwrap();
    let st = r.status();
    (st, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn arm_writes_take_json_only() {
    let s = Server::start(&[]);
    let body = r#"{"location": "eastus"}"#;
    for ct in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/xml"),
        None,
    ] {
        let (st, b) = put_raw(&s, &rg_path("rg"), ct, body).await;
        let msg = assert_error(st, &b, 415, "UnsupportedMediaType");
        assert_eq!(
            msg,
            format!(
                "The content media type '{}' is not supported. Only 'application/json' is supported.",
                ct.unwrap_or("")
            )
        );
    }
    assert_eq!(s.get(&rg_path("rg")).await.0, StatusCode::NOT_FOUND);
    for (i, ct) in [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON;charset=UTF-8",
        "text/json",
        "application/merge-patch+json",
    ]
    .iter()
    .enumerate()
    {
        let (st, b) = put_raw(&s, &rg_path(&format!("rg{i}")), Some(ct), body).await;
        assert!(st.is_success(), "{ct}: {st} {b}");
    }
    // No body needs no media type (actions and deletes send none).
    let (st, _, _) = s.call(Method::DELETE, &rg_path("rg0"), None).await;
    assert!(st.is_success());
}

#[tokio::test]
async fn rejections_at_the_edge_are_envelopes() {
    let s = Server::start(&[]);
    let (st, body) = s
        .get(&format!("/subscriptions/%ff/resourcegroups?{API}"))
        .await;
    let msg = assert_error(st, &body, 400, "InvalidRequestUri");
    assert!(msg.contains("/subscriptions/%ff/resourcegroups"), "{msg}");
    let (st, body) = s
        .get(&format!("/subscriptions/{SUB}/resourcegroups/%C3%28?{API}"))
        .await;
    assert_error(st, &body, 400, "InvalidRequestUri");

    for v in ["2024-02-30", "2023-02-29", "2024-04-31", "2024-00-10"] {
        let (st, body) = s
            .get(&format!(
                "/subscriptions/{SUB}/resourcegroups?api-version={v}"
            ))
            .await;
        let msg = assert_error(st, &body, 400, "InvalidApiVersionParameter");
        assert!(
            msg.starts_with(&format!("The api-version '{v}' is invalid.")),
            "{msg}"
        );
    }
    let (st, _) = s
        .get(&format!(
            "/subscriptions/{SUB}/resourcegroups?api-version=2024-02-29"
        ))
        .await;
    assert_eq!(st, StatusCode::OK);

    // A method a route outside ARM does not serve.
    let (st, _, body) = s.call(Method::DELETE, "/health", None).await;
    let msg = assert_error(st, &body, 405, "MethodNotAllowed");
    assert_eq!(
        msg,
        "The requested resource does not support http method 'DELETE'."
    );
    let (st, _, body) = s.call(Method::PUT, "/cerulean/info", None).await;
    assert_error(st, &body, 405, "MethodNotAllowed");
    // The token endpoints answer in AAD's shape, as Entra does.
    let (st, _, body) = s
        .call(Method::GET, &format!("/{TENANT}/oauth2/v2.0/token"), None)
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(body["error_codes"][0], 900561);
    assert!(body["error_description"].as_str().unwrap().starts_with(
        "AADSTS900561: The endpoint only accepts POST, OPTIONS requests. Received a GET request."
    ));
    let (st, _, body) = s.call(Method::POST, "/msi/token", None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error_codes"][0], 900561);
    // The sign-in pages take GET and their own forms' POST.
    let (st, _, body) = s.call(Method::PUT, "/devicelogin", None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error_description"].as_str().unwrap().starts_with(
        "AADSTS900561: The endpoint only accepts GET, POST, OPTIONS requests. Received a PUT request."
    ));
}

#[tokio::test]
async fn oversized_bodies_get_413_over_http1_and_http2() {
    let s = Server::start(&[]);
    let h2 = client_for(&s.dir, true, false);
    let big = format!(
        "{{\"location\":\"eastus\",\"pad\":\"{}\"}}",
        "x".repeat(4 * 1024 * 1024 + 1)
    );
    for (client, version) in [
        (&s.client, reqwest::Version::HTTP_11),
        (&h2, reqwest::Version::HTTP_2),
    ] {
        let r = client
            .put(s.url(&rg_path("big")))
            .header("content-type", "application/json")
            .body(big.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.version(), version);
        let st = r.status();
        let body: Value = r.json().await.unwrap();
        let msg = assert_error(st, &body, 413, "RequestEntityTooLarge");
        assert_eq!(
            msg,
            "The request content length exceeds the maximum of 4194304 bytes."
        );

        // The token endpoint answers in AAD's shape, as JSON.
        let r = client
            .post(s.url(&format!("/{TENANT}/oauth2/v2.0/token")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "grant_type=client_credentials&client_id={}",
                "a".repeat(300_000)
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], "invalid_request");
        assert_eq!(body["error_codes"][0], 9002313);

        // The client goes on working.
        let r = client.get(s.url("/health")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    assert_eq!(s.get(&rg_path("big")).await.0, StatusCode::NOT_FOUND);
}

/// Sends `bytes` on a plain connection and reads until the server closes it.
async fn raw_exchange(addr: &str, bytes: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
    c.write_all(bytes).await.unwrap();
    let mut got = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(20), c.read_to_end(&mut got))
        .await
        .expect("the server closes the connection")
        .unwrap();
    String::from_utf8(got).unwrap()
}

/// The last answer in `raw`: its status line, its headers and its body, checked against its
/// content-length.
fn last_answer(raw: &str) -> (String, Vec<String>, Value) {
    let at = raw.rfind("HTTP/1.1 ").unwrap();
    let (head, body) = raw[at..].split_once("\r\n\r\n").unwrap();
    let mut lines = head.split("\r\n").map(str::to_string);
    let status = lines.next().unwrap();
    let headers: Vec<String> = lines.collect();
    let len: usize = headers
        .iter()
        .find_map(|h| h.strip_prefix("content-length: "))
        .expect("a content-length")
        .parse()
        .unwrap();
    assert_eq!(body.len(), len, "{raw}");
    (status, headers, serde_json::from_str(body).unwrap())
}

/// Heads the connection layer refuses before any request exists (more than 100 header
/// fields, a URI past what it buffers, a line that does not parse) get ARM's envelope as
/// well, over HTTPS and plain HTTP; a pipelined answer before the refusal is kept whole.
#[tokio::test]
async fn heads_the_connection_layer_refuses_are_envelopes() {
    let s = Server::start(&["--http-port", "0"]);
    let plain = s.extra_base.clone().expect("the plain listener's URL");
    let addr = plain.trim_start_matches("http://").to_string();
    let fields = |n: usize| -> String { (0..n).map(|i| format!("x-h{i}: c\r\n")).collect() };

    // Exactly 100 fields (Host among them) are answered; 101 are refused.
    let ok = raw_exchange(
        &addr,
        format!(
            "GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n{}\r\n",
            fields(98)
        )
        .as_bytes(),
    )
    .await;
    assert!(ok.starts_with("HTTP/1.1 200 OK\r\n"), "{ok}");
    let refused = raw_exchange(
        &addr,
        format!(
            "GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n{}\r\n",
            fields(99)
        )
        .as_bytes(),
    )
    .await;
    let (status, headers, body) = last_answer(&refused);
    assert_eq!(status, "HTTP/1.1 431 Request Header Fields Too Large");
    assert!(headers.contains(&"content-type: application/json".to_string()));
    assert!(headers.iter().any(|h| h.starts_with("x-ms-request-id: ")));
    let msg = assert_error(
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
        &body,
        431,
        "RequestHeaderFieldsTooLarge",
    );
    assert_eq!(msg, "The request head is too large: at most 100 header fields and 65536 bytes of headers are accepted.");

    // A URI past what the connection layer buffers (the edge's own 414 says how long one
    // within it is).
    let long = raw_exchange(
        &addr,
        format!(
            "GET /health?pad={} HTTP/1.1\r\nhost: x\r\n\r\n",
            "a".repeat(70_000)
        )
        .as_bytes(),
    )
    .await;
    let (status, _, body) = last_answer(&long);
    assert_eq!(status, "HTTP/1.1 414 URI Too Long");
    let msg = assert_error(StatusCode::URI_TOO_LONG, &body, 414, "RequestUriTooLong");
    assert_eq!(
        msg,
        "The request URI is longer than the maximum of 16384 bytes."
    );

    // A header line that does not parse, after a pipelined request that does.
    let pipelined = raw_exchange(
        &addr,
        b"GET /health HTTP/1.1\r\nhost: x\r\n\r\nGET /health HTTP/1.1\r\nhost: x\r\nno colon here\r\n\r\n",
    )
    .await;
    assert!(pipelined.starts_with("HTTP/1.1 200 OK\r\n"), "{pipelined}");
    assert!(
        pipelined.contains("{\"status\":\"ok\"}HTTP/1.1 400 "),
        "{pipelined}"
    );
    let (status, _, body) = last_answer(&pipelined);
    assert_eq!(status, "HTTP/1.1 400 Bad Request");
    let msg = assert_error(StatusCode::BAD_REQUEST, &body, 400, "BadRequest");
    assert_eq!(msg, "The request is not valid HTTP/1.1: its request line or one of its headers could not be parsed.");

    // Over HTTPS, through a client: 150 small fields are refused in the envelope, 50 pass.
    for (n, want) in [(150, 431), (50, 200)] {
        let mut req = s.client.get(s.url("/health"));
        for i in 0..n {
            req = req.header(format!("x-h{i}"), "c");
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.version(), reqwest::Version::HTTP_11);
        let st = r.status();
        let body: Value = r.json().await.unwrap();
        if want == 431 {
            assert_error(st, &body, 431, "RequestHeaderFieldsTooLarge");
        } else {
            assert_eq!(st, StatusCode::OK, "{body}");
        }
    }
}

/// A URI or headers past the edge's caps get 414 / 431 in ARM's envelope, over HTTP/1.1 and
/// HTTP/2; a method ARM never uses (OPTIONS, TRACE) on an ARM path is 405 `MethodNotAllowed`,
/// not cerulean's 501 for an operation it has yet to implement.
#[tokio::test]
async fn oversized_heads_and_methods_arm_never_uses_are_envelopes() {
    let s = Server::start(&[]);
    let h2 = client_for(&s.dir, true, false);
    let long_query = format!(
        "/subscriptions/{SUB}/resourcegroups?{API}&pad={}",
        "a".repeat(20_000)
    );
    let uri_len = long_query.len();
    for (client, version) in [
        (&s.client, reqwest::Version::HTTP_11),
        (&h2, reqwest::Version::HTTP_2),
    ] {
        let r = client.get(s.url(&long_query)).send().await.unwrap();
        assert_eq!(r.version(), version);
        let st = r.status();
        let body: Value = r.json().await.unwrap();
        let msg = assert_error(st, &body, 414, "RequestUriTooLong");
        assert_eq!(
            msg,
            format!("The request URI is {uri_len} bytes long; the maximum is 16384 bytes.")
        );

        // One big header.
        let r = client
            .get(s.url("/health"))
            .header("x-pad", "b".repeat(70_000))
            .send()
            .await
            .unwrap();
        let st = r.status();
        let body: Value = r.json().await.unwrap();
        let msg = assert_error(st, &body, 431, "RequestHeaderFieldsTooLarge");
        assert!(
            msg.starts_with("The request headers are ")
                && msg.ends_with(" bytes in all; the maximum is 65536 bytes."),
            "{msg}"
        );

        // Many smaller ones: over HTTP/1.1 more fields than the connection layer parses, so
        // its 431 (in the envelope too); over HTTP/2, 80 KB of headers, so the edge's.
        let mut req = client.get(s.url("/health"));
        for i in 0..400 {
            req = req.header(format!("x-h{i}"), "c".repeat(200));
        }
        let r = req.send().await.unwrap();
        let st = r.status();
        let body: Value = r.json().await.unwrap();
        assert_error(st, &body, 431, "RequestHeaderFieldsTooLarge");

        // Methods ARM never uses, on a modelled path and on an unmodelled provider's.
        for path in [
            format!("/subscriptions/{SUB}/resourcegroups?{API}"),
            format!("/subscriptions/{SUB}/resourcegroups/rg/providers/Microsoft.Web/sites/x?{API}"),
        ] {
            for m in [Method::OPTIONS, Method::TRACE] {
                let r = client
                    .request(m.clone(), s.url(&path))
                    .send()
                    .await
                    .unwrap();
                let st = r.status();
                let body: Value = r.json().await.unwrap();
                let msg = assert_error(st, &body, 405, "MethodNotAllowed");
                assert_eq!(
                    msg,
                    format!("The requested resource does not support http method '{m}'.")
                );
            }
        }

        // The connection goes on working.
        let r = client.get(s.url("/health")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
}
