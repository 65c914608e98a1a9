//! The portal's server side: the authorization-code flow with PKCE the portal signs in
//! with (users from `--principals`, the built-in user without it), the embedded front end
//! on `/`, and the `virtualNetworks/{v}/usages` API its VNet blade reads. The browser suite
//! (`tests/portal`, Playwright) drives the front end itself.

mod common;

use base64::Engine;
use common::*;
use reqwest::redirect::Policy;
use reqwest::{StatusCode, Url};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const TENANT: &str = "00000000-0000-0000-0000-0000000000a1";
const CLIENT: &str = "portal-test";
const VERIFIER: &str = "dBjftJeZ4CVP-mJ92K9AYc3Hr0N9z1x-example-verifier-0123456789";

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A client that trusts the server's CA and does not follow redirects.
fn browser(s: &Server) -> reqwest::Client {
    let pem = std::fs::read(s.dir.join("tls").join("ca.pem")).unwrap();
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .tls_built_in_root_certs(false)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

fn redirect_uri(s: &Server) -> String {
    format!("{}/", s.base)
}

fn authorize_params(s: &Server) -> Vec<(String, String)> {
    [
        ("client_id", CLIENT.to_string()),
        ("response_type", "code".into()),
        ("redirect_uri", redirect_uri(s)),
        (
            "scope",
            "https://management.core.windows.net//.default openid".into(),
        ),
        ("state", "st-42".into()),
        ("code_challenge", challenge(VERIFIER)),
        ("code_challenge_method", "S256".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn authorize_url(s: &Server) -> String {
    let mut u = Url::parse(&format!("{}/{TENANT}/oauth2/v2.0/authorize", s.base)).unwrap();
    u.query_pairs_mut().extend_pairs(authorize_params(s));
    u.to_string()
}

/// Posts the sign-in form; returns the status, the Location and the body.
async fn sign_in(s: &Server, extra: &[(&str, &str)]) -> (StatusCode, Option<Url>, String) {
    let mut form = authorize_params(s);
    form.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let r = browser(s)
        .post(format!("{}/{TENANT}/oauth2/v2.0/authorize", s.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .map(|l| Url::parse(l.to_str().unwrap()).unwrap());
    (status, location, r.text().await.unwrap())
}

fn query(u: &Url, key: &str) -> Option<String> {
    u.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

async fn redeem(
    s: &Server,
    code: &str,
    verifier: &str,
    client: &str,
    redirect: &str,
) -> (StatusCode, Value) {
    let r = browser(s)
        .post(format!("{}/{TENANT}/oauth2/v2.0/token", s.base))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client),
            ("code", code),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
            (
                "scope",
                "https://management.core.windows.net//.default openid offline_access",
            ),
        ])
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

fn aad_code(body: &Value) -> u64 {
    body["error_codes"][0].as_u64().unwrap_or(0)
}

fn principals_file(s_dir: &std::path::Path) -> String {
    let path = s_dir.join("principals.json");
    std::fs::write(
        &path,
        json!([
            {"clientId": "ci", "clientSecret": "secret"},
            {"userName": "ada@contoso.com", "password": "Pa55word!", "displayName": "Ada Lovelace"},
            {"userName": "bob@contoso.com", "password": "hunter2", "objectId": "11111111-2222-3333-4444-555555555555"}
        ])
        .to_string(),
    )
    .unwrap();
    path.display().to_string()
}

#[tokio::test]
async fn openid_configuration_advertises_the_authorize_endpoint_and_pkce() {
    let s = Server::start_with_auth(&[]);
    let (st, doc) = s
        .get(&format!("/{TENANT}/v2.0/.well-known/openid-configuration"))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        doc["authorization_endpoint"],
        format!("{}/{TENANT}/oauth2/v2.0/authorize", s.base)
    );
    assert!(doc["grant_types_supported"]
        .as_array()
        .unwrap()
        .contains(&json!("authorization_code")));
    assert!(doc["code_challenge_methods_supported"]
        .as_array()
        .unwrap()
        .contains(&json!("S256")));
}

#[tokio::test]
async fn without_principals_the_sign_in_page_offers_the_built_in_user_and_the_code_is_single_use() {
    let s = Server::start_with_auth(&[]);
    let page = browser(&s).get(authorize_url(&s)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    let text = page.text().await.unwrap();
    assert!(text.contains("Continue as user@cerulean.local"), "{text}");
    assert!(
        !text.contains("type=\"password\""),
        "no password without users"
    );

    let (st, loc, _) = sign_in(&s, &[("continue", "1")]).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let loc = loc.unwrap();
    assert!(loc.as_str().starts_with(&redirect_uri(&s)), "{loc}");
    assert_eq!(query(&loc, "state").as_deref(), Some("st-42"));
    let code = query(&loc, "code").unwrap();

    let (st, body) = redeem(&s, &code, VERIFIER, CLIENT, &redirect_uri(&s)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let access = body["access_token"].as_str().unwrap();
    let c = claims(access);
    assert_eq!(c["oid"], "00000000-0000-0000-0000-0000000000b1");
    assert_eq!(c["upn"], "user@cerulean.local");
    assert_eq!(c["appid"], CLIENT);
    assert!(body["refresh_token"].is_string() && body["id_token"].is_string());

    // The token is an ordinary bearer token on ARM.
    let (st, _, _) = s
        .call_with(
            reqwest::Method::GET,
            &format!("/subscriptions/{SUB}/resourcegroups?{API}"),
            None,
            &[("authorization", &format!("Bearer {access}"))],
        )
        .await;
    assert_eq!(st, StatusCode::OK);

    // A code is redeemed once.
    let (st, body) = redeem(&s, &code, VERIFIER, CLIENT, &redirect_uri(&s)).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(aad_code(&body), 54005, "{body}");
}

/// Sign-in codes live in the shared store: with two servers on one PostgreSQL database, a
/// code issued by one is redeemed at the other, once, by either.
#[tokio::test]
async fn a_code_issued_by_one_server_is_redeemed_at_another_sharing_postgres_once() {
    let url = fresh_postgres();
    let dir = temp_dir();
    let file = principals_file(&dir);
    let a = Server::start_with_auth(&["--database-url", &url, "--principals", &file]);
    let b = Server::start_with_auth(&["--database-url", &url, "--principals", &file]);

    let (st, loc, body) = sign_in(
        &a,
        &[("username", "ada@contoso.com"), ("password", "Pa55word!")],
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{body}");
    let code = query(&loc.unwrap(), "code").unwrap();
    let (st, body) = redeem(&b, &code, VERIFIER, CLIENT, &redirect_uri(&a)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let c = claims(body["access_token"].as_str().unwrap());
    assert_eq!(c["upn"], "ada@contoso.com");
    assert_eq!(c["name"], "Ada Lovelace");

    // Redeemed once: neither server redeems it again.
    for s in [&a, &b] {
        let (st, body) = redeem(s, &code, VERIFIER, CLIENT, &redirect_uri(&a)).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(body["error"], "invalid_grant");
        assert_eq!(aad_code(&body), 54005, "{body}");
        assert!(body.get("access_token").is_none());
    }

    // A wrong verifier at one server burns the code for the other too.
    let (_, loc, _) = sign_in(
        &b,
        &[("username", "bob@contoso.com"), ("password", "hunter2")],
    )
    .await;
    let code = query(&loc.unwrap(), "code").unwrap();
    let wrong = "x".repeat(43);
    let (st, body) = redeem(&a, &code, &wrong, CLIENT, &redirect_uri(&b)).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(aad_code(&body), 50148, "{body}");
    let (st, body) = redeem(&b, &code, VERIFIER, CLIENT, &redirect_uri(&b)).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(aad_code(&body), 54005, "{body}");
}

#[tokio::test]
async fn a_code_is_bound_to_its_verifier_client_and_redirect_uri_and_burns_on_a_wrong_try() {
    let s = Server::start_with_auth(&[]);
    let fresh = || async {
        let (_, loc, _) = sign_in(&s, &[("continue", "1")]).await;
        query(&loc.unwrap(), "code").unwrap()
    };
    let code = fresh().await;
    let wrong_verifier = "another-verifier-another-verifier-another-verifier-0000";
    let (st, body) = redeem(&s, &code, wrong_verifier, CLIENT, &redirect_uri(&s)).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(aad_code(&body), 50148, "{body}");
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("code_verifier does not match the code_challenge"));
    // The failed try used the code up: the right verifier no longer helps.
    let (_, body) = redeem(&s, &code, VERIFIER, CLIENT, &redirect_uri(&s)).await;
    assert_eq!(aad_code(&body), 54005, "{body}");

    let code = fresh().await;
    let (_, body) = redeem(&s, &code, VERIFIER, "someone-else", &redirect_uri(&s)).await;
    assert_eq!(aad_code(&body), 70000, "{body}");
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("'code'"));

    let code = fresh().await;
    let (_, body) = redeem(&s, &code, VERIFIER, CLIENT, "https://127.0.0.1:1/other").await;
    assert_eq!(aad_code(&body), 70000, "{body}");
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .contains("redirect_uri"));

    let (st, body) = redeem(&s, "never-issued", VERIFIER, CLIENT, &redirect_uri(&s)).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(aad_code(&body), 54005, "{body}");
}

#[tokio::test]
async fn authorize_refuses_foreign_redirects_and_requires_pkce() {
    let s = Server::start_with_auth(&[]);
    let mut u = Url::parse(&format!("{}/{TENANT}/oauth2/v2.0/authorize", s.base)).unwrap();
    for (k, v) in authorize_params(&s) {
        let v = if k == "redirect_uri" {
            "https://attacker.example/cb".into()
        } else {
            v
        };
        u.query_pairs_mut().append_pair(&k, &v);
    }
    let r = browser(&s).get(u).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "never redirected");
    assert!(r.headers().get("location").is_none());
    assert!(r.text().await.unwrap().contains("AADSTS50011"));

    // Without a challenge the client hears about it on its own redirect URI.
    let mut u = Url::parse(&format!("{}/{TENANT}/oauth2/v2.0/authorize", s.base)).unwrap();
    for (k, v) in authorize_params(&s) {
        if k != "code_challenge" {
            u.query_pairs_mut().append_pair(&k, &v);
        }
    }
    let r = browser(&s).get(u).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let loc = Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(query(&loc, "error").as_deref(), Some("invalid_request"));
    assert!(query(&loc, "error_description")
        .unwrap()
        .starts_with("AADSTS9002325"));
    assert_eq!(query(&loc, "state").as_deref(), Some("st-42"));
}

#[tokio::test]
async fn users_from_principals_sign_in_with_their_password() {
    let dir = temp_dir();
    let file = principals_file(&dir);
    let s = Server::start_with_auth(&["--principals", &file]);
    let text = browser(&s)
        .get(authorize_url(&s))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("type=\"password\""), "{text}");
    assert!(
        !text.contains("Continue as"),
        "no built-in user with --principals"
    );

    // A wrong password shows the page again, with Azure's words, and issues no code.
    let (st, loc, body) =
        sign_in(&s, &[("username", "ada@contoso.com"), ("password", "nope")]).await;
    assert_eq!(st, StatusCode::OK);
    assert!(loc.is_none());
    assert!(
        body.contains("Your account or password is incorrect."),
        "{body}"
    );
    // The built-in user is not a way in.
    let (st, loc, _) = sign_in(&s, &[("continue", "1")]).await;
    assert_eq!(st, StatusCode::OK);
    assert!(loc.is_none());

    let (st, loc, _) = sign_in(
        &s,
        &[("username", "ADA@contoso.com"), ("password", "Pa55word!")],
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let code = query(&loc.unwrap(), "code").unwrap();
    let (st, body) = redeem(&s, &code, VERIFIER, CLIENT, &redirect_uri(&s)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let c = claims(body["access_token"].as_str().unwrap());
    assert_eq!(c["upn"], "ada@contoso.com");
    assert_eq!(c["name"], "Ada Lovelace");
    let oid = c["oid"].as_str().unwrap().to_string();
    assert_eq!(uuid::Uuid::parse_str(&oid).unwrap().get_version_num(), 5);
    let id = claims(body["id_token"].as_str().unwrap());
    assert_eq!(id["oid"], oid.as_str());
    assert_eq!(id["preferred_username"], "ada@contoso.com");

    // The same user keeps the same object id across restarts (derived from the name).
    drop(s);
    let s = Server::start_in(&dir, &["--principals", &file, "--auth", "required"]);
    let (_, loc, _) = sign_in(
        &s,
        &[("username", "ada@contoso.com"), ("password", "Pa55word!")],
    )
    .await;
    let code = query(&loc.unwrap(), "code").unwrap();
    let (_, body) = redeem(&s, &code, VERIFIER, CLIENT, &redirect_uri(&s)).await;
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["oid"],
        oid.as_str()
    );

    // A given objectId is the token's oid; refreshing keeps the user.
    let (_, loc, _) = sign_in(
        &s,
        &[("username", "bob@contoso.com"), ("password", "hunter2")],
    )
    .await;
    let code = query(&loc.unwrap(), "code").unwrap();
    let (_, body) = redeem(&s, &code, VERIFIER, CLIENT, &redirect_uri(&s)).await;
    assert_eq!(
        claims(body["access_token"].as_str().unwrap())["oid"],
        "11111111-2222-3333-4444-555555555555"
    );
    let r = browser(&s)
        .post(format!("{}/{TENANT}/oauth2/v2.0/token", s.base))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT),
            ("refresh_token", body["refresh_token"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    let c = claims(body["access_token"].as_str().unwrap());
    assert_eq!(c["oid"], "11111111-2222-3333-4444-555555555555");
    assert_eq!(c["upn"], "bob@contoso.com");

    // The password grant checks users too.
    let r = browser(&s)
        .post(format!("{}/{TENANT}/oauth2/v2.0/token", s.base))
        .form(&[
            ("grant_type", "password"),
            ("client_id", CLIENT),
            ("username", "bob@contoso.com"),
            ("password", "wrong"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(aad_code(&body), 50126, "{body}");
}

#[tokio::test]
async fn the_portal_is_served_from_the_binary_on_the_arm_listener() {
    let s = Server::start_with_auth(&[]);
    let r = browser(&s)
        .get(format!("{}/", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("default-src 'self'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    let html = r.text().await.unwrap();
    assert!(html.contains("/portal/app.js"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no outside URL"
    );

    let r = browser(&s)
        .get(format!("{}/", s.base))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);

    let r = browser(&s)
        .get(format!("{}/portal/app.js", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    let r = browser(&s)
        .get(format!("{}/portal/vendor/preact.module.js", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = browser(&s)
        .get(format!("{}/portal/nope.js", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The portal needs no token; ARM still does.
    let (st, _) = s.get(&format!("/subscriptions?{API}")).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn vnet_usages_give_each_subnets_size_and_use() {
    let s = Server::start(&[]);
    let rg = format!("/subscriptions/{SUB}/resourceGroups/rg?{API}");
    s.put(&rg, json!({"location": "eastus"})).await;
    let vnet = format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"
    );
    let (st, b) = s
        .put(
            &format!("{vnet}?{API}"),
            json!({"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                "subnets": [{"name": "a", "properties": {"addressPrefix": "10.0.1.0/24"}},
                            {"name": "b", "properties": {"addressPrefix": "10.0.2.0/29"}}]}}),
        )
        .await;
    assert!(st.is_success(), "{b}");
    let nic = format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n?{API}");
    let (st, b) = s
        .put(
            &nic,
            json!({"location": "eastus", "properties": {"ipConfigurations": [
                {"name": "c1", "properties": {"primary": true, "subnet": {"id": format!("{vnet}/subnets/a")}}},
                {"name": "c2", "properties": {"subnet": {"id": format!("{vnet}/subnets/a")}}}]}}),
        )
        .await;
    assert!(st.is_success(), "{b}");
    let (st, body) = s.get(&format!("{vnet}/usages?{API}")).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let v = body["value"].as_array().unwrap();
    assert_eq!(v.len(), 2);
    assert_eq!(v[0]["id"], format!("{vnet}/subnets/a"));
    assert_eq!(v[0]["limit"], 251);
    assert_eq!(v[0]["currentValue"], 2);
    assert_eq!(v[0]["name"]["value"], "Subnet size and usage");
    assert_eq!(v[1]["limit"], 3);
    assert_eq!(v[1]["currentValue"], 0);
    let (st, body) = s
        .get(&format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/missing/usages?{API}"))
        .await;
    assert_error(st, &body, 404, "ResourceNotFound");
}

#[tokio::test]
async fn the_subscription_vm_list_gives_run_time_status_with_status_only() {
    let s = Server::start(&[]);
    let g = format!("/subscriptions/{SUB}/resourceGroups/rg");
    s.put(&format!("{g}?{API}"), json!({"location": "eastus"}))
        .await;
    let vnet = format!("{g}/providers/Microsoft.Network/virtualNetworks/v");
    s.put(
        &format!("{vnet}?{API}"),
        json!({"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "subnets": [{"name": "a", "properties": {"addressPrefix": "10.0.1.0/24"}}]}}),
    )
    .await;
    let nic = format!("{g}/providers/Microsoft.Network/networkInterfaces/n");
    s.put(
        &format!("{nic}?{API}"),
        json!({"location": "eastus", "properties": {"ipConfigurations": [
            {"name": "c1", "properties": {"subnet": {"id": format!("{vnet}/subnets/a")}}}]}}),
    )
    .await;
    let (st, b) = s
        .put(
            &format!("{g}/providers/Microsoft.Compute/virtualMachines/vm?{API}"),
            json!({"location": "eastus", "properties": {
                "hardwareProfile": {"vmSize": "Standard_DS1_v2"},
                "storageProfile": {"osDisk": {"createOption": "FromImage", "osType": "Linux"}},
                "osProfile": {"computerName": "vm", "adminUsername": "u", "adminPassword": "S3cret!pass-1234"},
                "networkProfile": {"networkInterfaces": [{"id": nic}]}}}),
        )
        .await;
    assert!(st.is_success(), "{b}");
    let list = format!("/subscriptions/{SUB}/providers/Microsoft.Compute/virtualMachines?{API}");
    let (_, plain) = s.get(&list).await;
    assert!(plain["value"][0]["properties"]["instanceView"].is_null());
    let (st, body) = s.get(&format!("{list}&statusOnly=true")).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let statuses = body["value"][0]["properties"]["instanceView"]["statuses"]
        .as_array()
        .unwrap();
    assert!(
        statuses.iter().any(|s| s["code"] == "PowerState/running"),
        "{body}"
    );
}
