use super::*;

fn identity(principals: Option<PrincipalsFile>) -> Identity {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    Identity::from_pem(&key.serialize_pem(), AuthMode::Required, principals).unwrap()
}

#[test]
fn tokens_round_trip_and_other_keys_fail() {
    let a = identity(None);
    let b = identity(None);
    let subject = Subject::App {
        client_id: "app".into(),
        tenant: DEFAULT_TENANT_ID.into(),
    };
    let (t, _) = a.access_token(&subject, ARM_AUDIENCE);
    let c = a.verify(&t).unwrap();
    assert_eq!(c.tid, DEFAULT_TENANT_ID);
    assert_eq!(c.appid.as_deref(), Some("app"));
    assert_eq!(b.verify(&t).unwrap_err(), TokenProblem::Invalid);
    assert_eq!(a.verify("garbage").unwrap_err(), TokenProblem::Invalid);
}

#[test]
fn expired_tokens_report_their_expiry() {
    let a = identity(None);
    let mut c = claims_for(
        &Subject::App {
            client_id: "x".into(),
            tenant: DEFAULT_TENANT_ID.into(),
        },
        "o",
        ARM_AUDIENCE,
        1000,
        2000,
        None,
    );
    c.nbf = 1000;
    let t = a.sign(&c);
    assert!(matches!(
        a.verify(&t),
        Err(TokenProblem::Expired { exp: 2000, .. })
    ));
}

#[test]
fn principals_restrict_clients() {
    let a = identity(Some(
        parse_principals(r#"[{"clientId": "c", "clientSecret": "s", "tenantId": "t"}]"#).unwrap(),
    ));
    assert_eq!(a.check_client("c", Some("s")).ok(), Some(Some("t".into())));
    assert!(matches!(
        a.check_client("c", Some("x")),
        Err(ClientRejection::InvalidSecret)
    ));
    assert!(matches!(
        a.check_client("d", Some("s")),
        Err(ClientRejection::UnknownApplication)
    ));
    let shown = format!("{:?}", a.directory);
    assert!(shown.contains("\"c\""), "{shown}");
    assert!(!shown.contains("\"s\""), "the secret leaked: {shown}");
}

fn app(tenant: &str) -> Subject {
    Subject::App {
        client_id: "app".into(),
        tenant: tenant.into(),
    }
}

#[test]
fn arm_takes_its_audiences_and_this_servers_own() {
    let a = identity(None);
    let base = "https://127.0.0.1:8443";
    for aud in ARM_AUDIENCES.iter().copied().chain([
        "https://127.0.0.1:8443",
        "https://127.0.0.1:8443/",
        "HTTPS://Management.Azure.com/",
    ]) {
        let (t, _) = a.access_token(&app(DEFAULT_TENANT_ID), aud);
        assert!(a.check_access(&t, Audiences::Arm, base).is_ok(), "{aud}");
    }
    for aud in [
        "https://graph.microsoft.com",
        "https://vault.azure.net",
        "https://127.0.0.1:9999",
        "api://whatever",
    ] {
        let (t, _) = a.access_token(&app(DEFAULT_TENANT_ID), aud);
        assert_eq!(
            a.check_access(&t, Audiences::Arm, base).unwrap_err(),
            TokenProblem::WrongAudience { aud: aud.into() }
        );
    }
}

#[test]
fn issuers_and_tenants_are_checked() {
    let a = identity(Some(
        parse_principals(r#"[{"clientId": "c", "clientSecret": "s", "tenantId": "t2"}]"#).unwrap(),
    ));
    let base = "https://localhost:8443";
    let (t, _) = a.access_token(&app("t2"), ARM_AUDIENCE);
    assert!(
        a.check_access(&t, Audiences::Arm, base).is_ok(),
        "a principal's tenant"
    );
    let now = chrono::Utc::now().timestamp();
    let mut c = claims_for(
        &app(DEFAULT_TENANT_ID),
        "app-oid",
        ARM_AUDIENCE,
        now,
        now + 600,
        None,
    );
    let check = |c: &Claims| a.check_access(&a.sign(c), Audiences::Arm, base);
    assert!(check(&c).is_ok());
    // What versions before wrote: the server's own address, checked against the request's.
    c.iss = format!("{base}/{DEFAULT_TENANT_ID}/");
    assert!(check(&c).is_ok());
    for iss in [
        format!("https://evil.example/{DEFAULT_TENANT_ID}/"),
        "https://sts.windows.net/t2/".to_string(),
        format!("https://sts.windows.net/{DEFAULT_TENANT_ID}"),
        "x".to_string(),
    ] {
        c.iss = iss.clone();
        assert!(
            matches!(check(&c), Err(TokenProblem::WrongIssuer { .. })),
            "{iss}"
        );
    }
    c.iss = "https://sts.windows.net/other/".into();
    c.tid = "other".into();
    assert_eq!(
        check(&c).unwrap_err(),
        TokenProblem::WrongIssuer {
            iss: c.iss.clone(),
            tenant: DEFAULT_TENANT_ID.into()
        }
    );
}

#[test]
fn a_token_naming_another_key_is_invalid() {
    let a = identity(None);
    let now = chrono::Utc::now().timestamp();
    let c = claims_for(
        &app(DEFAULT_TENANT_ID),
        "app-oid",
        ARM_AUDIENCE,
        now,
        now + 600,
        None,
    );
    // Signed with this very key, but naming another key, or none.
    for kid in [Some("other".to_string()), None] {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = kid.clone();
        let t = jsonwebtoken::encode(&header, &c, &a.encoding).unwrap();
        assert_eq!(a.verify(&t).unwrap_err(), TokenProblem::Invalid, "{kid:?}");
    }
    assert!(a.verify(&a.sign(&c)).is_ok());
}
