//! The device code flow with users (`--principals`): a code waits, answered
//! `authorization_pending`, until a user signs it in on `/devicelogin` with their password;
//! then its one token is that user's. Without `--principals` codes are approved at once as
//! the built-in user (tokens.rs).

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const CLI: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

fn principals_file(dir: &std::path::Path) -> String {
    let path = dir.join("principals.json");
    std::fs::write(
        &path,
        json!([
            {"clientId": "ci", "clientSecret": "secret"},
            {"userName": "ada@contoso.com", "password": "Pa55word!", "displayName": "Ada Lovelace"}
        ])
        .to_string(),
    )
    .unwrap();
    path.display().to_string()
}

async fn device_code(s: &Server) -> Value {
    let (st, dc) = post_form(
        s,
        "/organizations/oauth2/v2.0/devicecode",
        &[
            ("client_id", CLI),
            ("scope", "https://management.core.windows.net//.default"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{dc}");
    dc
}

async fn poll(s: &Server, device_code: &str) -> (StatusCode, Value) {
    post_form(
        s,
        "/organizations/oauth2/v2.0/token",
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", CLI),
            ("device_code", device_code),
        ],
    )
    .await
}

fn assert_oauth(st: StatusCode, body: &Value, error: &str, code: u64) {
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"][0], code, "{body}");
    assert!(body.get("access_token").is_none(), "{body}");
}

/// Posts the device-login form; the status, the Content-Security-Policy and the page.
async fn sign_in(s: &Server, form: &[(&str, &str)]) -> (StatusCode, String, String) {
    let r = client_for(&s.dir, true, false)
        .post(format!("{}/devicelogin", s.base))
        .form(form)
        .send()
        .await
        .unwrap();
    let csp = r
        .headers()
        .get("content-security-policy")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (r.status(), csp, r.text().await.unwrap())
}

#[tokio::test]
async fn a_device_code_waits_for_a_user_to_sign_it_in() {
    let dir = temp_dir();
    let file = principals_file(&dir);
    let s = Server::start_with_auth(&["--principals", &file]);
    let dc = device_code(&s).await;
    let user_code = dc["user_code"].as_str().unwrap();
    let device_code = dc["device_code"].as_str().unwrap();
    assert_eq!(user_code.len(), 9, "{dc}");
    assert_eq!(dc["verification_uri"], format!("{}/devicelogin", s.base));
    assert_eq!(
        dc["message"],
        format!(
            "To sign in, use a web browser to open the page {}/devicelogin and enter the code {user_code} to authenticate.",
            s.base
        )
    );

    // Waiting: polls are told to go on, and spend nothing.
    for _ in 0..2 {
        let (st, body) = poll(&s, device_code).await;
        assert_oauth(st, &body, "authorization_pending", 70016);
    }
    // The user code alone (it is on screen) redeems nothing.
    let (st, body) = poll(&s, &format!("{user_code}{}", "0".repeat(32))).await;
    assert_oauth(st, &body, "invalid_grant", 70000);

    // The page, with the code filled in from the link.
    let r = client_for(&s.dir, true, false)
        .get(format!("{}/devicelogin?code={user_code}", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    let page = r.text().await.unwrap();
    assert!(page.contains(&format!("value=\"{user_code}\"")), "{page}");
    assert!(page.contains("name=\"password\""), "{page}");

    // A wrong password leaves the code waiting; so does a code no one issued.
    let typed = format!(
        "{}-{}",
        &user_code[..4].to_lowercase(),
        &user_code[4..].to_lowercase()
    );
    let (st, _, page) = sign_in(
        &s,
        &[
            ("code", &typed),
            ("username", "ada@contoso.com"),
            ("password", "guess"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("Your account or password is incorrect."),
        "{page}"
    );
    let (st, _, page) = sign_in(
        &s,
        &[
            ("code", "BBBBBBBBB"),
            ("username", "ada@contoso.com"),
            ("password", "Pa55word!"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("That code didn&#39;t work."), "{page}");
    let (st, body) = poll(&s, device_code).await;
    assert_oauth(st, &body, "authorization_pending", 70016);

    // Signed in (the code typed in lower case, with a dash); once only.
    let (st, csp, page) = sign_in(
        &s,
        &[
            ("code", &typed),
            ("username", "ada@contoso.com"),
            ("password", "Pa55word!"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert!(csp.contains("script-src 'none'"), "{csp}");
    assert!(page.contains("You&#39;re signed in"), "{page}");
    assert!(
        page.contains(&format!(
            "the application &#39;{CLI}&#39; on your device as ada@contoso.com"
        )),
        "{page}"
    );
    let (_, _, page) = sign_in(
        &s,
        &[
            ("code", user_code),
            ("username", "ada@contoso.com"),
            ("password", "Pa55word!"),
        ],
    )
    .await;
    assert!(page.contains("That code didn&#39;t work."), "{page}");

    // The device's next poll gets Ada's token, once.
    let (st, t) = poll(&s, device_code).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    let c = claims(t["access_token"].as_str().unwrap());
    assert_eq!(c["upn"], "ada@contoso.com");
    assert_eq!(c["name"], "Ada Lovelace");
    assert_eq!(c["appid"], CLI);
    assert_eq!(
        arm_get(&s, t["access_token"].as_str()).await.0,
        StatusCode::OK
    );
    let (st, body) = poll(&s, device_code).await;
    assert_oauth(st, &body, "invalid_grant", 70000);
}

#[tokio::test]
async fn without_principals_codes_are_approved_at_once_and_the_page_says_so() {
    let s = Server::start_with_auth(&[]);
    let dc = device_code(&s).await;
    assert!(
        dc["message"]
            .as_str()
            .unwrap()
            .ends_with("(cerulean has already approved it: without --principals everyone signs in as its built-in user.)"),
        "{dc}"
    );
    let (st, t) = poll(&s, dc["device_code"].as_str().unwrap()).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert_eq!(
        claims(t["access_token"].as_str().unwrap())["upn"],
        "user@cerulean.local"
    );
    let (st, _, page) = sign_in(&s, &[("code", dc["user_code"].as_str().unwrap())]).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("device codes are approved as they are issued"),
        "{page}"
    );
}

/// Device codes live in the shared store: issued by one server, signed in at another, and
/// redeemed at either, once.
#[tokio::test]
async fn a_device_code_issued_by_one_server_is_signed_in_at_another_sharing_postgres() {
    let url = fresh_postgres();
    let dir = temp_dir();
    let file = principals_file(&dir);
    let a = Server::start_with_auth(&["--database-url", &url, "--principals", &file]);
    let b = Server::start_with_auth(&["--database-url", &url, "--principals", &file]);
    let dc = device_code(&a).await;
    let device_code = dc["device_code"].as_str().unwrap();
    let (st, body) = poll(&b, device_code).await;
    assert_oauth(st, &body, "authorization_pending", 70016);
    let (_, _, page) = sign_in(
        &b,
        &[
            ("code", dc["user_code"].as_str().unwrap()),
            ("username", "ada@contoso.com"),
            ("password", "Pa55word!"),
        ],
    )
    .await;
    assert!(page.contains("You&#39;re signed in"), "{page}");
    let (st, t) = poll(&a, device_code).await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert_eq!(
        claims(t["access_token"].as_str().unwrap())["upn"],
        "ada@contoso.com"
    );
    let (st, body) = poll(&b, device_code).await;
    assert_oauth(st, &body, "invalid_grant", 70000);
}

/// ADAL, the v1 endpoint's library, polls with the device code as `code`
/// (`grant_type=device_code`).
#[tokio::test]
async fn adal_polls_the_v1_endpoint_with_code() {
    let s = Server::start_with_auth(&[]);
    let dc = device_code(&s).await;
    let (st, t) = post_form(
        &s,
        "/organizations/oauth2/token",
        &[
            ("grant_type", "device_code"),
            ("client_id", CLI),
            ("resource", "https://management.core.windows.net/"),
            ("code", dc["device_code"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert_eq!(
        arm_get(&s, t["access_token"].as_str()).await.0,
        StatusCode::OK
    );
}

/// A code approved as the built-in user (no `--principals`) is not redeemed once the server
/// has users: no one may then sign in as the built-in user.
#[tokio::test]
async fn a_code_approved_as_the_built_in_user_is_refused_after_a_restart_with_users() {
    let dir = temp_dir();
    let mut s = Server::start_in(&dir, &["--auth", "required"]);
    let dc = device_code(&s).await;
    s.terminate();
    let file = principals_file(&dir);
    let s = Server::start_in(&dir, &["--auth", "required", "--principals", &file]);
    let (st, body) = poll(&s, dc["device_code"].as_str().unwrap()).await;
    assert_oauth(st, &body, "invalid_grant", 70000);
}

/// The page's second button declines the code (after the password, as Entra's Cancel comes
/// after sign-in): the device's next poll is `authorization_declined`, and the code is spent.
#[tokio::test]
async fn a_declined_code_ends_the_devices_polling() {
    let dir = temp_dir();
    let file = principals_file(&dir);
    let s = Server::start_with_auth(&["--principals", &file]);
    let dc = device_code(&s).await;
    let (user_code, device_code) = (
        dc["user_code"].as_str().unwrap(),
        dc["device_code"].as_str().unwrap(),
    );
    let ada = [("username", "ada@contoso.com"), ("password", "Pa55word!")];
    // Declining needs the password too.
    let (_, _, page) = sign_in(
        &s,
        &[
            ("code", user_code),
            ("username", "ada@contoso.com"),
            ("password", "guess"),
            ("decline", "1"),
        ],
    )
    .await;
    assert!(
        page.contains("Your account or password is incorrect."),
        "{page}"
    );
    let (st, body) = poll(&s, device_code).await;
    assert_oauth(st, &body, "authorization_pending", 70016);

    let (st, _, page) = sign_in(&s, &[("code", user_code), ada[0], ada[1], ("decline", "1")]).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("Sign-in declined"), "{page}");
    // Declined stays declined.
    let (_, _, page) = sign_in(&s, &[("code", user_code), ada[0], ada[1]]).await;
    assert!(page.contains("That code didn&#39;t work."), "{page}");
    let (st, body) = poll(&s, device_code).await;
    assert_oauth(st, &body, "authorization_declined", 70000);
    assert!(body["error_description"]
        .as_str()
        .unwrap()
        .starts_with("AADSTS70000: The end user has denied the authorization request."));
    let (st, body) = poll(&s, device_code).await;
    assert_oauth(st, &body, "invalid_grant", 70000);
}
