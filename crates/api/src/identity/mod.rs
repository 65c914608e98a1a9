//! Identity: the token endpoints clients log in with (AAD v2 and v1, ADFS, App Service
//! managed identity) and the bearer-token check on ARM paths.
//!
//! Tokens are JWTs signed (ES256) with a key generated on first start and kept in
//! `DATA_DIR/identity/signing-key.pem`, so tokens survive restarts and any server sharing
//! the data directory accepts them. Nothing about a login is stored: refresh tokens are JWTs
//! too, and device codes are approved at once.

mod auth;
mod authorize;
mod routes;
pub mod users;

pub use auth::require_bearer;
pub use routes::routes;
pub use users::{Account, User};

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use cerulean_domain::subscription::DEFAULT_TENANT_ID;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::path::Path;

/// How long issued access tokens live, as AAD's do.
pub const TOKEN_LIFETIME_SECS: i64 = 3600;
/// Refresh tokens live 90 days, as AAD's do.
const REFRESH_LIFETIME_SECS: i64 = 90 * 24 * 3600;
/// Clock skew tolerated when checking `exp` and `nbf` (AAD's default is five minutes).
const LEEWAY_SECS: u64 = 300;

/// The audience issued when a request names none: ARM's.
pub const ARM_AUDIENCE: &str = "https://management.core.windows.net/";
/// The one user that device-code, password and refresh flows sign in as.
pub const USER_OID: &str = "00000000-0000-0000-0000-0000000000b1";
pub const USER_NAME: &str = "user@cerulean.local";
/// The application a managed identity token names when the request names no client id.
pub const MSI_CLIENT_ID: &str = "00000000-0000-0000-0000-0000000000c2";

/// Whether ARM paths require a bearer token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMode {
    /// A valid token signed by this server's key is required (the default).
    Required,
    /// Any request is accepted (`--auth none`).
    None,
}

/// A service principal from `--principals FILE`.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Principal {
    pub client_id: String,
    pub client_secret: String,
    #[serde(default)]
    pub tenant_id: Option<String>,
}

impl std::fmt::Debug for Principal {
    // The secret never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Principal")
            .field("client_id", &self.client_id)
            .field("tenant_id", &self.tenant_id)
            .finish_non_exhaustive()
    }
}

/// Parses a `--principals` file: `[{"clientId", "clientSecret", "tenantId"?}]`. Entries
/// with a `userName` are users (`users::parse_users`) and are skipped here.
pub fn parse_principals(text: &str) -> Result<Vec<Principal>, String> {
    let expected = |e: serde_json::Error| {
        format!("expected [{{\"clientId\": \"...\", \"clientSecret\": \"...\", \"tenantId\"?: \"...\"}}]: {e}")
    };
    let entries: Vec<Value> = serde_json::from_str(text).map_err(expected)?;
    entries
        .into_iter()
        .filter(|e| !users::is_user_entry(e))
        .map(|e| serde_json::from_value(e).map_err(expected))
        .collect()
}

/// The claims of every token cerulean issues.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub aud: String,
    pub iss: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub tid: String,
    pub oid: String,
    pub sub: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appid: Option<String>,
    /// `app` for service principals and managed identities, `user` for users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idtyp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unique_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scp: Option<String>,
    /// A user's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Set on refresh tokens only: they are not access tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cerulean_use: Option<String>,
    pub ver: String,
}

/// Who a token is for.
#[derive(Debug, Clone)]
pub enum Subject {
    App {
        client_id: String,
        tenant: String,
    },
    User {
        client_id: String,
        tenant: String,
        account: Account,
    },
}

/// Why a bearer token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenProblem {
    Invalid,
    Expired { exp: i64, now: i64 },
}

/// The signing key, the principals and the auth mode.
pub struct Identity {
    mode: AuthMode,
    encoding: EncodingKey,
    decoding: DecodingKey,
    kid: String,
    x: String,
    y: String,
    principals: Option<Vec<Principal>>,
    /// Users from `--principals`; `None` when there is no file (the built-in user signs in).
    users: Option<Vec<User>>,
    /// Authorization codes waiting to be redeemed (`authorize.rs`).
    codes: authorize::Codes,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("mode", &self.mode)
            .field("kid", &self.kid)
            .field("principals", &self.principals)
            .field("users", &self.users)
            .finish_non_exhaustive()
    }
}

/// Where the signing key lives inside a data directory.
pub fn key_path(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("identity").join("signing-key.pem")
}

impl Identity {
    /// Loads the signing key from `data_dir/identity/`, creating it on first start.
    pub fn load_or_create(
        data_dir: &Path,
        mode: AuthMode,
        principals: Option<Vec<Principal>>,
    ) -> Result<Identity, String> {
        let path = key_path(data_dir);
        let pem = match std::fs::read_to_string(&path) {
            Ok(p) => p,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let dir = path.parent().expect("key path has a parent");
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
                    .map_err(|e| format!("cannot create the signing key: {e}"))?;
                let pem = key.serialize_pem();
                write_private(&path, &pem)?;
                pem
            }
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        Self::from_pem(&pem, mode, principals)
            .map_err(|e| format!("cannot load {}: {e}", path.display()))
    }

    /// Builds an identity from a PKCS#8 PEM P-256 key.
    pub fn from_pem(
        pem: &str,
        mode: AuthMode,
        principals: Option<Vec<Principal>>,
    ) -> Result<Identity, String> {
        let key = rcgen::KeyPair::from_pem(pem).map_err(|e| e.to_string())?;
        if !key.is_compatible(&rcgen::PKCS_ECDSA_P256_SHA256) {
            return Err("the signing key must be an ECDSA P-256 key".into());
        }
        let public = key.public_key_raw().to_vec();
        if public.len() != 65 || public[0] != 4 {
            return Err("unexpected public key encoding".into());
        }
        let x = B64.encode(&public[1..33]);
        let y = B64.encode(&public[33..65]);
        let kid = B64.encode(&public[1..13]);
        Ok(Identity {
            mode,
            encoding: EncodingKey::from_ec_der(&key.serialize_der()),
            decoding: DecodingKey::from_ec_der(&public),
            kid,
            x,
            y,
            principals,
            users: None,
            codes: authorize::Codes::default(),
        })
    }

    /// The users who may sign in (from `--principals`); `None` offers the built-in user.
    pub fn with_users(mut self, users: Option<Vec<User>>) -> Identity {
        self.users = users;
        self
    }

    pub fn mode(&self) -> AuthMode {
        self.mode
    }

    /// The JSON Web Key Set clients verify tokens with.
    pub fn jwks(&self) -> Value {
        json!({"keys": [{
            "kty": "EC",
            "use": "sig",
            "crv": "P-256",
            "alg": "ES256",
            "kid": self.kid,
            "x": self.x,
            "y": self.y,
        }]})
    }

    /// Checks a client's credentials against `--principals` (anything goes without it).
    /// Returns the tenant the principal belongs to, if the file names one.
    fn check_client(
        &self,
        client_id: &str,
        secret: Option<&str>,
    ) -> Result<Option<String>, ClientRejection> {
        let Some(list) = &self.principals else {
            return Ok(None);
        };
        let Some(p) = list.iter().find(|p| p.client_id == client_id) else {
            return Err(ClientRejection::UnknownApplication);
        };
        match secret {
            Some(s) if constant_time_eq(s.as_bytes(), p.client_secret.as_bytes()) => {
                Ok(p.tenant_id.clone())
            }
            _ => Err(ClientRejection::InvalidSecret),
        }
    }

    /// Tenants whose paths the token endpoints answer.
    fn tenant_known(&self, tenant: &str) -> bool {
        let t = tenant.to_ascii_lowercase();
        matches!(
            t.as_str(),
            "common" | "organizations" | "consumers" | "adfs"
        ) || t == DEFAULT_TENANT_ID
            || self.principals.iter().flatten().any(|p| {
                p.tenant_id
                    .as_deref()
                    .is_some_and(|pt| pt.eq_ignore_ascii_case(tenant))
            })
    }

    /// Signs an access token for `subject` and audience `aud`; returns it with its expiry.
    pub fn access_token(&self, base: &str, subject: &Subject, aud: &str) -> (String, i64) {
        let now = chrono::Utc::now().timestamp();
        let exp = now + TOKEN_LIFETIME_SECS;
        let claims = claims_for(base, subject, aud, now, exp, None);
        (self.sign(&claims), exp)
    }

    /// A refresh token: a signed JWT that only the token endpoint accepts.
    fn refresh_token(&self, base: &str, subject: &Subject, scope: &str) -> String {
        let now = chrono::Utc::now().timestamp();
        let mut claims = claims_for(
            base,
            subject,
            scope,
            now,
            now + REFRESH_LIFETIME_SECS,
            Some("refresh"),
        );
        claims.scp = Some(scope.to_string());
        self.sign(&claims)
    }

    /// An OpenID Connect id token for a user sign-in.
    fn id_token(&self, base: &str, client_id: &str, tenant: &str, account: &Account) -> String {
        let now = chrono::Utc::now().timestamp();
        let claims = json!({
            "aud": client_id,
            "iss": issuer(base, tenant),
            "iat": now,
            "nbf": now,
            "exp": now + TOKEN_LIFETIME_SECS,
            "name": account.name,
            "oid": account.oid,
            "preferred_username": account.upn,
            "sub": account.oid,
            "tid": tenant,
            "ver": "2.0",
        });
        self.sign(&claims)
    }

    pub fn sign<T: Serialize>(&self, claims: &T) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding)
            .expect("signing with a loaded P-256 key cannot fail")
    }

    /// Verifies a token's signature and lifetime.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenProblem> {
        let mut v = Validation::new(Algorithm::ES256);
        v.validate_aud = false;
        v.validate_nbf = true;
        v.leeway = LEEWAY_SECS;
        v.set_required_spec_claims(&["exp"]);
        match jsonwebtoken::decode::<Claims>(token, &self.decoding, &v) {
            Ok(data) => Ok(data.claims),
            Err(e) => match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    let exp = unverified_exp(token).unwrap_or(0);
                    Err(TokenProblem::Expired {
                        exp,
                        now: chrono::Utc::now().timestamp(),
                    })
                }
                _ => Err(TokenProblem::Invalid),
            },
        }
    }
}

enum ClientRejection {
    UnknownApplication,
    InvalidSecret,
}

fn claims_for(
    base: &str,
    subject: &Subject,
    aud: &str,
    now: i64,
    exp: i64,
    use_: Option<&str>,
) -> Claims {
    let (client_id, tenant, oid, account) = match subject {
        Subject::App { client_id, tenant } => (client_id, tenant, app_oid(client_id), None),
        Subject::User {
            client_id,
            tenant,
            account,
        } => (client_id, tenant, account.oid.clone(), Some(account)),
    };
    let user = account.is_some();
    Claims {
        aud: aud.to_string(),
        iss: format!("{base}/{tenant}/"),
        iat: now,
        nbf: now,
        exp,
        tid: tenant.clone(),
        oid: oid.clone(),
        sub: oid,
        appid: Some(client_id.clone()),
        idtyp: Some(if user { "user" } else { "app" }.into()),
        upn: account.map(|a| a.upn.clone()),
        unique_name: account.map(|a| a.upn.clone()),
        scp: user.then(|| "user_impersonation".to_string()),
        name: account.map(|a| a.name.clone()),
        cerulean_use: use_.map(str::to_string),
        ver: "1.0".into(),
    }
}

/// A stable object id for an application: its client id when that is a GUID, otherwise a
/// name-derived one.
fn app_oid(client_id: &str) -> String {
    if uuid::Uuid::parse_str(client_id).is_ok() {
        return client_id.to_ascii_lowercase();
    }
    // FNV-1a, twice with different seeds: stable across restarts and servers.
    let fnv = |seed: u64| {
        client_id.bytes().fold(seed, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    let (a, b) = (fnv(0xcbf2_9ce4_8422_2325), fnv(0x8422_2325_cbf2_9ce4));
    uuid::Uuid::from_u64_pair(a, b).to_string()
}

/// The issuer of the OpenID configuration for `tenant`: on this server's host, so MSAL's
/// issuer check (same host as the authority) passes.
fn issuer(base: &str, tenant: &str) -> String {
    format!("{base}/{tenant}/v2.0")
}

fn unverified_exp(token: &str) -> Option<i64> {
    let payload = token.split('.').nth(1)?;
    let bytes = B64.decode(payload.trim_end_matches('=')).ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    v["exp"].as_i64()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn write_private(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(principals: Option<Vec<Principal>>) -> Identity {
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
        let (t, _) = a.access_token("https://h", &subject, ARM_AUDIENCE);
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
            "https://h",
            &Subject::App {
                client_id: "x".into(),
                tenant: DEFAULT_TENANT_ID.into(),
            },
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
            parse_principals(r#"[{"clientId": "c", "clientSecret": "s", "tenantId": "t"}]"#)
                .unwrap(),
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
        let shown = format!("{:?}", a.principals);
        assert!(shown.contains("\"c\""), "{shown}");
        assert!(!shown.contains("\"s\""), "the secret leaked: {shown}");
    }
}
