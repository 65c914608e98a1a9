//! What ARM accepts as a bearer token (audience, issuer, tenant, key), device codes, and the
//! signing key shared by servers on one PostgreSQL database.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// A token from the v2 endpoint for `scope`.
async fn token_for(s: &Server, scope: &str) -> String {
    let (st, body) = post_form(
        s,
        "/common/oauth2/v2.0/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "app"),
            ("client_secret", "x"),
            ("scope", scope),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn arm_refuses_tokens_meant_for_other_services() {
    let s = Server::start_with_auth(&[]);
    for scope in [
        "https://graph.microsoft.com/.default",
        "https://vault.azure.net/.default",
        "https://storage.azure.com/user_impersonation",
        "api://my-invented-api/.default",
    ] {
        let t = token_for(&s, scope).await;
        let aud = claims(&t)["aud"].as_str().unwrap().to_string();
        let (st, h, body) = arm_get(&s, Some(&t)).await;
        let msg = assert_error(st, &body, 401, "InvalidAuthenticationTokenAudience");
        assert_eq!(
            msg,
            format!(
                "The access token has been obtained for wrong audience or resource '{aud}'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com','{b}/','{b}'.",
                b = s.base
            )
        );
        assert!(h["www-authenticate"]
            .to_str()
            .unwrap()
            .contains("error=\"invalid_token\""));
    }
    // A managed identity token for Key Vault is no ARM token either.
    let (st, _, msi) = s
        .call_with(
            Method::GET,
            "/msi/token?api-version=2019-08-01&resource=https://vault.azure.net",
            None,
            &[("X-IDENTITY-HEADER", "x")],
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _, body) = arm_get(&s, msi["access_token"].as_str()).await;
    assert_error(st, &body, 401, "InvalidAuthenticationTokenAudience");

    // What real clients ask for ARM: Azure's audiences and this server's own URL (the
    // JavaScript SDK asks for `${endpoint}/.default`), with and without the slash.
    let own = format!("{}/.default", s.base);
    let own_slash = format!("{}//.default", s.base);
    for scope in [
        "https://management.azure.com/.default",
        "https://management.azure.com//.default",
        "https://management.core.windows.net//.default",
        own.as_str(),
        own_slash.as_str(),
    ] {
        let t = token_for(&s, scope).await;
        let (st, _, body) = arm_get(&s, Some(&t)).await;
        assert_eq!(st, StatusCode::OK, "{scope}: {body}");
    }
}

#[tokio::test]
async fn tokens_of_another_issuer_tenant_or_key_are_refused() {
    let (dir, pem) = dir_with_key_file();
    let s = Server::start_in(&dir, &["--auth", "required"]);
    let exp = now() + 600;
    let good = app_claims(exp);
    assert_eq!(
        arm_get(&s, Some(&sign(&pem, &good))).await.0,
        StatusCode::OK
    );

    // Signed with the server's own key, but for a tenant it does not know.
    let mut other_tenant = good.clone();
    other_tenant["tid"] = "11111111-0000-0000-0000-000000000000".into();
    other_tenant["iss"] = "https://sts.windows.net/11111111-0000-0000-0000-000000000000/".into();
    let (st, _, body) = arm_get(&s, Some(&sign(&pem, &other_tenant))).await;
    let msg = assert_error(st, &body, 401, "InvalidAuthenticationTokenTenant");
    assert_eq!(
        msg,
        format!(
            "The access token is from the wrong issuer 'https://sts.windows.net/11111111-0000-0000-0000-000000000000/'. It must match the tenant 'https://sts.windows.net/{TENANT}/' associated with this subscription. Please use the authority (URL) '{}/{TENANT}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.",
            s.base
        )
    );
    // The right tenant, an issuer that is not its.
    for iss in [
        "https://evil.example/".to_string(),
        format!("https://evil.example/{TENANT}/"),
        "https://sts.windows.net/11111111-0000-0000-0000-000000000000/".to_string(),
    ] {
        let mut c = good.clone();
        c["iss"] = iss.clone().into();
        let (st, _, body) = arm_get(&s, Some(&sign(&pem, &c))).await;
        assert_error(st, &body, 401, "InvalidAuthenticationTokenTenant");
    }
    // The issuer earlier versions wrote (this server's address) stays valid.
    let mut legacy = good.clone();
    legacy["iss"] = format!("{}/{TENANT}/", s.base).into();
    assert_eq!(
        arm_get(&s, Some(&sign(&pem, &legacy))).await.0,
        StatusCode::OK
    );

    // The right key, but a header naming another key, or none.
    for kid in [Some("not-our-key".to_string()), None] {
        let t = sign_with_kid(&pem, kid.clone(), &good);
        let (st, _, body) = arm_get(&s, Some(&t)).await;
        let msg = assert_error(st, &body, 401, "InvalidAuthenticationToken");
        assert_eq!(msg, "The access token is invalid.", "{kid:?}");
    }
}

async fn device_code(s: &Server, client: &str) -> String {
    let (st, dc) = post_form(
        s,
        "/organizations/oauth2/v2.0/devicecode",
        &[
            ("client_id", client),
            ("scope", "https://management.core.windows.net//.default"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{dc}");
    dc["device_code"].as_str().unwrap().to_string()
}

async fn redeem(s: &Server, client: &str, code: &str) -> (StatusCode, Value) {
    post_form(
        s,
        "/organizations/oauth2/v2.0/token",
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", client),
            ("device_code", code),
        ],
    )
    .await
}

fn assert_oauth(st: StatusCode, body: &Value, status: u16, error: &str, code: u64) -> String {
    assert_eq!(st.as_u16(), status, "{body}");
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"][0], code, "{body}");
    body["error_description"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn device_codes_are_redeemed_once_and_only_when_issued() {
    let s = Server::start_with_auth(&[]);
    for garbage in ["garbage", "0000", &"a".repeat(64)] {
        let (st, body) = redeem(&s, "cli", garbage).await;
        let desc = assert_oauth(st, &body, 400, "invalid_grant", 70000);
        assert!(
            desc.starts_with(
                "AADSTS70000: The provided value for the input parameter 'device_code' is not valid."
            ),
            "{desc}"
        );
        assert!(body.get("access_token").is_none());
    }
    let code = device_code(&s, "cli").await;
    // Another application cannot redeem it (and spends it).
    let (st, body) = redeem(&s, "someone-else", &code).await;
    assert_oauth(st, &body, 400, "invalid_grant", 70000);
    let (st, body) = redeem(&s, "cli", &code).await;
    assert_oauth(st, &body, 400, "invalid_grant", 70000);

    let code = device_code(&s, "cli").await;
    let (st, body) = redeem(&s, "cli", &code).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(
        arm_get(&s, body["access_token"].as_str()).await.0,
        StatusCode::OK
    );
    let (st, body) = redeem(&s, "cli", &code).await;
    assert_oauth(st, &body, 400, "invalid_grant", 70000);
}

#[tokio::test]
async fn servers_sharing_postgres_accept_each_others_tokens_and_codes() {
    let url = fresh_postgres();
    // Both start at once on the empty database: they must still agree on one key.
    let (a, b) = std::thread::scope(|scope| {
        let start = || Server::start_with_auth(&["--database-url", &url]);
        let a = scope.spawn(start);
        let b = scope.spawn(start);
        (a.join().unwrap(), b.join().unwrap())
    });
    let from_a = token_for(&a, "https://management.azure.com/.default").await;
    let from_b = token_for(&b, "https://management.azure.com/.default").await;
    for (s, t) in [(&a, &from_b), (&b, &from_a), (&a, &from_a), (&b, &from_b)] {
        let (st, _, body) = arm_get(s, Some(t)).await;
        assert_eq!(st, StatusCode::OK, "{body}");
    }
    // The published keys are the same.
    let (_, ka) = a.get("/common/discovery/v2.0/keys").await;
    let (_, kb) = b.get("/common/discovery/v2.0/keys").await;
    assert_eq!(ka, kb);

    // A device code from one server is redeemed at the other, once.
    let code = device_code(&a, "cli").await;
    let (st, body) = redeem(&b, "cli", &code).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (st, body) = redeem(&a, "cli", &code).await;
    assert_oauth(st, &body, 400, "invalid_grant", 70000);
    assert!(body.get("access_token").is_none());
    // A refresh token issued by one server is redeemed at the other.
    let code = device_code(&a, "cli").await;
    let (st, first) = redeem(&a, "cli", &code).await;
    assert_eq!(st, StatusCode::OK, "{first}");
    let (st, again) = post_form(
        &b,
        "/organizations/oauth2/v2.0/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "cli"),
            ("refresh_token", first["refresh_token"].as_str().unwrap()),
            (
                "scope",
                "https://management.core.windows.net//.default offline_access",
            ),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{again}");
    assert_eq!(
        arm_get(&a, again["access_token"].as_str()).await.0,
        StatusCode::OK
    );
}
