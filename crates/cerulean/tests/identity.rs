//! Identity: token endpoints, bearer tokens on ARM paths, `--principals`, `--auth none`
//! and `cerulean az-profile`.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;

#[tokio::test]
async fn discovery_documents() {
    let s = Server::start_with_auth(&[]);
    for tenant in ["common", "organizations", TENANT] {
        let (st, doc) = s
            .get(&format!("/{tenant}/v2.0/.well-known/openid-configuration"))
            .await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(doc["issuer"], format!("{}/{TENANT}/v2.0", s.base));
        assert_eq!(
            doc["token_endpoint"],
            format!("{}/{tenant}/oauth2/v2.0/token", s.base)
        );
        assert_eq!(
            doc["device_authorization_endpoint"],
            format!("{}/{tenant}/oauth2/v2.0/devicecode", s.base)
        );
        assert!(doc["authorization_endpoint"].is_string());
        let (st, keys) = s.get(&format!("/{tenant}/discovery/v2.0/keys")).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(keys["keys"][0]["kty"], "EC");
        assert_eq!(
            doc["jwks_uri"],
            format!("{}/{tenant}/discovery/v2.0/keys", s.base)
        );
    }
    let (st, body) = s
        .get("/not-a-tenant/v2.0/.well-known/openid-configuration")
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_codes"][0], 90002);

    let (st, adfs) = s.get("/adfs/.well-known/openid-configuration").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(adfs["issuer"], format!("{}/adfs", s.base));
    assert_eq!(
        adfs["token_endpoint"],
        format!("{}/adfs/oauth2/token", s.base)
    );
    // No token needed for the documents nor for readiness and the cloud's metadata.
    for p in ["/health", "/metadata/endpoints?api-version=2022-09-01"] {
        assert_eq!(s.get(p).await.0, StatusCode::OK, "{p}");
    }
    // The v1 document names the issuer of access tokens, as Entra's does.
    let (st, v1) = s
        .get(&format!("/{TENANT}/.well-known/openid-configuration"))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v1["issuer"], format!("https://sts.windows.net/{TENANT}/"));
}

#[tokio::test]
async fn client_credentials_tokens_are_signed_jwts_that_arm_accepts() {
    let s = Server::start_with_auth(&[]);
    let (st, body) = post_form(
        &s,
        "/common/oauth2/v2.0/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "11111111-2222-3333-4444-555555555555"),
            ("client_secret", "s3cret"),
            ("scope", "https://management.core.windows.net//.default"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["expires_in"].as_i64().unwrap() > 3000);
    assert!(body.get("refresh_token").is_none());
    let token = body["access_token"].as_str().unwrap();
    let c = claims(token);
    assert_eq!(c["tid"], TENANT);
    assert_eq!(c["appid"], "11111111-2222-3333-4444-555555555555");
    // The service principal's object id is its own (stable, derived from the client id),
    // not the application id, as in Azure.
    let oid = c["oid"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(oid).is_ok(), "{oid}");
    assert_ne!(oid, "11111111-2222-3333-4444-555555555555");
    assert_eq!(c["sub"], oid);
    assert_eq!(c["aud"], "https://management.core.windows.net/");
    assert_eq!(c["iss"], format!("https://sts.windows.net/{TENANT}/"));
    let (iat, nbf, exp) = (
        c["iat"].as_i64().unwrap(),
        c["nbf"].as_i64().unwrap(),
        c["exp"].as_i64().unwrap(),
    );
    assert!(nbf <= iat && (iat - now()).abs() < 60);
    assert_eq!(exp - iat, 3600);
    let header: Value = serde_json::from_slice(&b64url(token.split('.').next().unwrap())).unwrap();
    assert_eq!(header["alg"], "ES256");

    // The token verifies with the published key.
    let (_, jwks) = s.get("/common/discovery/v2.0/keys").await;
    let k = &jwks["keys"][0];
    assert_eq!(header["kid"], k["kid"]);
    let key = jsonwebtoken::DecodingKey::from_ec_components(
        k["x"].as_str().unwrap(),
        k["y"].as_str().unwrap(),
    )
    .unwrap();
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    v.validate_aud = false;
    jsonwebtoken::decode::<Value>(token, &key, &v).unwrap();

    let (st, _, body) = arm_get(&s, Some(token)).await;
    assert_eq!(st, StatusCode::OK, "{body}");

    // v1 endpoint: resource instead of scope, string lifetimes.
    let (st, v1) = post_form(
        &s,
        &format!("/{TENANT}/oauth2/token"),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "app"),
            ("client_secret", "x"),
            ("resource", "https://management.azure.com/"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{v1}");
    assert_eq!(v1["resource"], "https://management.azure.com/");
    assert!(v1["expires_on"].as_str().unwrap().parse::<i64>().is_ok());
    assert_eq!(
        claims(v1["access_token"].as_str().unwrap())["aud"],
        "https://management.azure.com/"
    );

    // ADFS.
    let (st, adfs) = post_form(
        &s,
        "/adfs/oauth2/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "app"),
            ("client_secret", "x"),
            ("scope", "https://management.core.windows.net//.default"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{adfs}");
    let (st, _, _) = arm_get(&s, adfs["access_token"].as_str()).await;
    assert_eq!(st, StatusCode::OK);

    // An unsupported grant type is AAD's error.
    let (st, e) = post_form(
        &s,
        "/common/oauth2/v2.0/token",
        &[("grant_type", "magic"), ("client_id", "app")],
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(e["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn managed_identity_tokens_need_the_identity_header() {
    let s = Server::start_with_auth(&[]);
    let path = "/msi/token?api-version=2019-08-01&resource=https://management.azure.com/";
    let (st, _, body) = s.call(Method::GET, path, None).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    let (st, _, body) = s
        .call_with(
            Method::GET,
            path,
            None,
            &[("X-IDENTITY-HEADER", "anything")],
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["resource"], "https://management.azure.com/");
    let exp: i64 = body["expires_on"].as_str().unwrap().parse().unwrap();
    assert!(exp > now() + 3000);
    let token = body["access_token"].as_str().unwrap();
    assert_eq!(claims(token)["tid"], TENANT);
    assert_eq!(claims(token)["aud"], "https://management.azure.com/");
    let (st, _, _) = arm_get(&s, Some(token)).await;
    assert_eq!(st, StatusCode::OK);
}

#[tokio::test]
async fn device_code_then_refresh() {
    let s = Server::start_with_auth(&[]);
    let (st, dc) = post_form(
        &s,
        "/organizations/oauth2/v2.0/devicecode",
        &[
            ("client_id", "04b07795-8ddb-461a-bbee-02f9e1bf7b46"),
            (
                "scope",
                "https://management.core.windows.net//.default offline_access openid profile",
            ),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{dc}");
    for k in ["device_code", "user_code", "verification_uri", "message"] {
        assert!(dc[k].is_string(), "{k} in {dc}");
    }
    assert!(dc["interval"].as_i64().is_some() && dc["expires_in"].as_i64().is_some());

    let (st, t) = post_form(
        &s,
        "/organizations/oauth2/v2.0/token",
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", "04b07795-8ddb-461a-bbee-02f9e1bf7b46"),
            ("device_code", dc["device_code"].as_str().unwrap()),
            ("client_info", "1"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let info: Value = serde_json::from_slice(&b64url(t["client_info"].as_str().unwrap())).unwrap();
    assert_eq!(info["utid"], TENANT);
    assert!(info["uid"].is_string());
    let id = claims(t["id_token"].as_str().unwrap());
    assert_eq!(id["aud"], "04b07795-8ddb-461a-bbee-02f9e1bf7b46");
    assert_eq!(id["tid"], TENANT);
    assert_eq!(id["oid"], info["uid"]);
    let (st, _, _) = arm_get(&s, t["access_token"].as_str()).await;
    assert_eq!(st, StatusCode::OK);

    // A refresh token is not an access token.
    let refresh = t["refresh_token"].as_str().unwrap();
    let (st, _, body) = arm_get(&s, Some(refresh)).await;
    assert_error(st, &body, 401, "InvalidAuthenticationToken");

    let (st, r) = post_form(
        &s,
        "/organizations/oauth2/v2.0/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "04b07795-8ddb-461a-bbee-02f9e1bf7b46"),
            ("refresh_token", refresh),
            (
                "scope",
                "https://management.core.windows.net//.default offline_access",
            ),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert!(r["refresh_token"].is_string() && r["id_token"].is_string());
    let (st, _, _) = arm_get(&s, r["access_token"].as_str()).await;
    assert_eq!(st, StatusCode::OK);

    let (st, bad) = post_form(
        &s,
        "/organizations/oauth2/v2.0/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "c"),
            ("refresh_token", "not-a-token"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(bad["error"], "invalid_grant");
}

#[tokio::test]
async fn arm_requires_a_valid_bearer_token() {
    let (dir, pem) = dir_with_key_file();
    let s = Server::start_in(&dir, &["--auth", "required"]);

    let (st, h, body) = arm_get(&s, None).await;
    let msg = assert_error(st, &body, 401, "AuthenticationFailed");
    assert_eq!(
        msg,
        "Authentication failed. The 'Authorization' header is missing."
    );
    let challenge = h["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.starts_with(&format!(
            "Bearer authorization_uri=\"{}/{TENANT}\", error=\"invalid_token\", error_description=\""
        , s.base)),
        "{challenge}"
    );
    // Every ARM root: /tenants, /providers, unknown providers too.
    for p in [
        "/tenants?api-version=2022-12-01".to_string(),
        "/providers/Microsoft.Network/operations?api-version=2024-01-01".to_string(),
        format!("/subscriptions/{SUB}/providers/Microsoft.Web/sites?{API}"),
    ] {
        let (st, _, body) = s.call(Method::GET, &p, None).await;
        assert_error(st, &body, 401, "AuthenticationFailed");
    }

    let (st, h, body) = arm_get(&s, Some("garbage")).await;
    let msg = assert_error(st, &body, 401, "InvalidAuthenticationToken");
    assert_eq!(msg, "The access token is invalid.");
    assert!(h["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("error_description=\"The access token is invalid.\""));

    // Expired: minted with the server's own key.
    let expired = sign(&pem, &app_claims(now() - 3600));
    let (st, h, body) = arm_get(&s, Some(&expired)).await;
    let msg = assert_error(st, &body, 401, "InvalidAuthenticationToken");
    assert!(
        msg.starts_with("The access token expiry UTC time '")
            && msg.contains("is earlier than current UTC time"),
        "{msg}"
    );
    assert!(h["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("expiry UTC time"));

    // The same claims, still valid, pass: the data dir's key file became the signing key.
    let fresh = sign(&pem, &app_claims(now() + 600));
    assert_eq!(arm_get(&s, Some(&fresh)).await.0, StatusCode::OK);

    // Signed by another key.
    let other = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let forged = sign(&other.serialize_pem(), &app_claims(now() + 600));
    let (st, _, body) = arm_get(&s, Some(&forged)).await;
    assert_error(st, &body, 401, "InvalidAuthenticationToken");

    // Not a bearer scheme.
    let (st, _, body) = s
        .call_with(
            Method::GET,
            &format!("/subscriptions/{SUB}/resourcegroups?{API}"),
            None,
            &[("authorization", "Basic Zm9vOmJhcg==")],
        )
        .await;
    assert_error(st, &body, 401, "AuthenticationFailed");

    let token = client_token(&s).await;
    let (st, _, body) = arm_get(&s, Some(&token)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn tokens_survive_a_restart() {
    let mut s = Server::start_with_auth(&[]);
    let token = client_token(&s).await;
    let dir = s.dir.clone();
    s.terminate();
    let s = Server::start_in(&dir, &["--auth", "required"]);
    assert_eq!(arm_get(&s, Some(&token)).await.0, StatusCode::OK);
}

#[tokio::test]
async fn in_memory_keeps_the_key_in_the_data_dir() {
    let mut s = Server::start_with_auth(&["--in-memory"]);
    assert!(s.dir.join("identity").join("signing-key.pem").exists());
    let token = client_token(&s).await;
    let dir = s.dir.clone();
    s.terminate();
    // A new, empty in-memory store takes the key from the data directory again.
    let s = Server::start_in(&dir, &["--in-memory", "--auth", "required"]);
    assert_eq!(arm_get(&s, Some(&token)).await.0, StatusCode::OK);
}

#[tokio::test]
async fn principals_file_restricts_clients() {
    let dir = temp_dir();
    let file = dir.join("principals.json");
    std::fs::write(
        &file,
        r#"[{"clientId": "ci-app", "clientSecret": "right-secret"},
            {"clientId": "other", "clientSecret": "x", "tenantId": "00000000-0000-0000-0000-0000000000f1"}]"#,
    )
    .unwrap();
    let s = Server::start_with_auth(&["--principals", file.to_str().unwrap()]);
    let try_login = |id: &'static str, secret: &'static str| {
        let s = &s;
        async move {
            post_form(
                s,
                &format!("/{TENANT}/oauth2/v2.0/token"),
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", id),
                    ("client_secret", secret),
                    ("scope", "https://management.core.windows.net//.default"),
                ],
            )
            .await
        }
    };
    let (st, body) = try_login("ci-app", "wrong-secret").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"], "invalid_client");
    assert_eq!(body["error_codes"][0], 7000215);
    let desc = body["error_description"].as_str().unwrap();
    assert!(
        desc.starts_with("AADSTS7000215: Invalid client secret provided."),
        "{desc}"
    );
    assert!(!desc.contains("wrong-secret"), "secrets are never echoed");

    let (st, body) = try_login("stranger", "right-secret").await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error_codes"][0], 700016);

    let (st, body) = try_login("ci-app", "right-secret").await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["tid"],
        TENANT
    );
    let (st, body) = try_login("other", "x").await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["tid"],
        "00000000-0000-0000-0000-0000000000f1"
    );
    // A tenant of --principals is one this server knows.
    assert_eq!(
        arm_get(&s, body["access_token"].as_str()).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn auth_none_accepts_anything() {
    let s = Server::start_with_auth(&["--auth", "none"]);
    assert_eq!(arm_get(&s, None).await.0, StatusCode::OK);
    assert_eq!(arm_get(&s, Some("garbage")).await.0, StatusCode::OK);
    // The token endpoints still work.
    let t = client_token(&s).await;
    assert_eq!(arm_get(&s, Some(&t)).await.0, StatusCode::OK);
}

#[test]
fn az_profile_writes_a_logged_in_config_dir() {
    let dir = temp_dir().join("az");
    let data = temp_dir();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cerulean"))
        .args(["az-profile"])
        .arg(&dir)
        .args(["--url", "https://127.0.0.1:9443", "--location"])
        .arg(&data)
        .env("HOME", temp_dir())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let exports: Vec<&str> = stdout.lines().collect();
    assert!(
        exports.contains(&format!("export AZURE_CONFIG_DIR={}", dir.display()).as_str()),
        "{stdout}"
    );
    assert!(
        exports.contains(
            &format!(
                "export REQUESTS_CA_BUNDLE={}",
                data.join("tls").join("ca.pem").display()
            )
            .as_str()
        ),
        "{stdout}"
    );
    assert!(exports.contains(&"export AZURE_CORE_COLLECT_TELEMETRY=false"));

    let ini = |name: &str| -> Vec<(String, String, String)> {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        let mut section = String::new();
        let mut out = vec![];
        for l in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(s) = l.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = s.to_string();
            } else {
                let (k, v) = l.split_once(" = ").unwrap_or_else(|| panic!("{name}: {l}"));
                out.push((section.clone(), k.to_string(), v.to_string()));
            }
        }
        out
    };
    let get = |entries: &[(String, String, String)], s: &str, k: &str| {
        entries
            .iter()
            .find(|(es, ek, _)| es == s && ek == k)
            .map(|(_, _, v)| v.clone())
            .unwrap_or_else(|| panic!("[{s}] {k}"))
    };
    let clouds = ini("clouds.config");
    assert_eq!(
        get(&clouds, "Cerulean", "endpoint_resource_manager"),
        "https://127.0.0.1:9443/"
    );
    assert_eq!(
        get(&clouds, "Cerulean", "endpoint_active_directory"),
        "https://127.0.0.1:9443"
    );
    assert_eq!(get(&clouds, "Cerulean", "subscription"), SUB);
    let config = ini("config");
    assert_eq!(get(&config, "cloud", "name"), "Cerulean");
    assert_eq!(get(&config, "core", "instance_discovery"), "false");
    assert_eq!(get(&config, "core", "collect_telemetry"), "false");
    assert_eq!(get(&config, "core", "login_experience_v2"), "off");
    assert_eq!(get(&config, "core", "output"), "json");

    let json = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
    };
    let profile = json("azureProfile.json");
    let sub = &profile["subscriptions"][0];
    assert_eq!(sub["id"], SUB);
    assert_eq!(sub["isDefault"], true);
    assert_eq!(sub["tenantId"], TENANT);
    assert_eq!(sub["environmentName"], "Cerulean");
    assert_eq!(sub["user"]["type"], "servicePrincipal");
    let entries = json("service_principal_entries.json");
    assert_eq!(entries[0]["client_id"], sub["user"]["name"]);
    assert_eq!(entries[0]["tenant"], TENANT);
    assert!(entries[0]["client_secret"].is_string());
    assert!(json("msal_token_cache.json").is_object());
    let update = json("versionCheck.json")["update_time"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(update.as_str() > "2030", "{update}");

    // ~/.azure is refused.
    let home = temp_dir();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cerulean"))
        .args(["az-profile"])
        .arg(home.join(".azure"))
        .env("HOME", &home)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(!home.join(".azure").exists());
}
