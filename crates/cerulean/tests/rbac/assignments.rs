//! Role assignments taking effect at once, users signing in with their roles, what `--rbac`
//! needs, and the reset endpoint's owner check.

use super::*;

#[tokio::test]
async fn assignments_take_effect_on_the_next_request() {
    let s = start();
    let admin = who(&s, "admin").await;
    let nobody = who(&s, "nobody").await;
    make_group(&s, &admin, "app").await;
    let (st, _) = nobody.get(&s, &at(&group("app"))).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let path = assign(
        &s,
        &admin,
        &format!("/subscriptions/{SUB}"),
        READER,
        &nobody.oid,
    )
    .await;
    let (st, _) = nobody.get(&s, &at(&group("app"))).await;
    assert_eq!(st, StatusCode::OK, "the same token now reads");
    let (st, _) = admin.delete(&s, &path).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = nobody.get(&s, &at(&group("app"))).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn users_sign_in_with_their_password_and_hold_their_roles() {
    let s = start();
    let admin = who(&s, "admin").await;
    make_group(&s, &admin, "app").await;
    let token = s.user_token("ada@example.com", "pw").await;
    let claims = jwt_claims(&token);
    assert_eq!(claims["upn"], "ada@example.com");
    let ada = Who {
        oid: claims["oid"].as_str().unwrap().to_string(),
        client: "ada@example.com".into(),
        token,
    };
    let (st, _) = ada.get(&s, &at(&group("app"))).await;
    assert_eq!(st, StatusCode::OK);
    let (st, body) = ada
        .put(&s, &at(&group("app")), json!({"location": LOC}))
        .await;
    let msg = assert_error(st, &body, 403, "AuthorizationFailed");
    assert_eq!(
        msg,
        ada.refusal(
            "Microsoft.Resources/subscriptions/resourcegroups/write",
            &group("app")
        )
    );

    for (user, password) in [("ada@example.com", "wrong"), ("eve@example.com", "pw")] {
        let r = s
            .client
            .post(s.url(&format!("/{TENANT}/oauth2/v2.0/token")))
            .form(&[
                ("grant_type", "password"),
                ("client_id", "04b07795-8ddb-461a-bbee-02f9e1bf7b46"),
                ("username", user),
                ("password", password),
                ("scope", "https://management.core.windows.net//.default"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"], "invalid_grant");
        assert!(
            v["error_description"].as_str().unwrap().starts_with(
                "AADSTS50126: Error validating credentials due to invalid username or password."
            ),
            "{v}"
        );
    }
}

#[test]
fn rbac_needs_principals_and_tokens() {
    let dir = temp_dir();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cerulean"))
        .args(["serve", "--port", "0", "--rbac", "--location"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--principals"),
        "{out:?}"
    );
    let file = dir.join("p.json");
    std::fs::write(&file, principals()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cerulean"))
        .args([
            "serve",
            "--port",
            "0",
            "--rbac",
            "--auth",
            "none",
            "--principals",
        ])
        .arg(&file)
        .arg("--location")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--auth none"),
        "{out:?}"
    );
    std::fs::write(
        &file,
        r#"[{"clientId": "a", "clientSecret": "s", "roles": [{"role": "Janitor", "scope": "/"}]}]"#,
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cerulean"))
        .args(["serve", "--port", "0", "--principals"])
        .arg(&file)
        .arg("--location")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unknown role 'Janitor'"),
        "{out:?}"
    );
}

/// `POST /cerulean/reset` wipes everything: under `--rbac` only an Owner at the root may.
/// An Owner of the subscription is refused with Azure's message for the action it lacks at
/// `/`; reading `/cerulean/info` needs only a token.
#[tokio::test]
async fn reset_needs_an_owner_at_the_root() {
    let list = json!([
        {"clientId": "root", "clientSecret": "s", "roles": [{"role": "Owner", "scope": "/"}]},
        {"clientId": "admin", "clientSecret": "s", "roles": [{"role": "Owner", "scope": format!("/subscriptions/{SUB}")}]},
        {"clientId": "uaa", "clientSecret": "s", "roles": [{"role": "User Access Administrator", "scope": "/"}]},
    ]);
    let s = start_with(&list.to_string());
    let (root, admin, uaa) = (
        who(&s, "root").await,
        who(&s, "admin").await,
        who(&s, "uaa").await,
    );
    make_group(&s, &admin, "keep").await;

    let (st, body) = s
        .call_as(&admin.token, Method::GET, "/cerulean/info", None)
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");

    let (st, body) = s
        .call_as(&admin.token, Method::POST, "/cerulean/reset", None)
        .await;
    let msg = assert_error(st, &body, 403, "AuthorizationFailed");
    assert_eq!(
        msg,
        admin.refusal("Microsoft.Authorization/roleAssignments/write", "/")
    );
    let (st, body) = s
        .call_as(&uaa.token, Method::POST, "/cerulean/reset", None)
        .await;
    let msg = assert_error(st, &body, 403, "AuthorizationFailed");
    assert_eq!(
        msg,
        uaa.refusal(
            "Microsoft.Resources/subscriptions/resourceGroups/delete",
            "/"
        )
    );
    let (st, _) = admin.get(&s, &at(&group("keep"))).await;
    assert_eq!(st, StatusCode::OK, "a refused reset left the group");

    let (st, body) = s
        .call_as(&root.token, Method::POST, "/cerulean/reset", None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
    let (st, _) = admin.get(&s, &at(&group("keep"))).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "the reset removed the group");
}
