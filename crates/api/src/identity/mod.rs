//! Identity: the token endpoints clients log in with (AAD v2 and v1, ADFS, App Service
//! managed identity) and the bearer-token check on ARM paths.
//!
//! Tokens are JWTs signed (ES256) with one key kept in the store (the secret
//! [`SIGNING_KEY_SECRET`]), so tokens survive restarts and every server sharing a database
//! accepts every other's. A store without a key takes the data directory's
//! `identity/signing-key.pem` when there is one (where earlier versions kept it, so their
//! tokens stay valid), else a new key; `--in-memory` also writes it there, so a throw-away
//! store keeps its tokens across restarts. Refresh tokens are JWTs too; device codes are
//! stored (any server may be polled) and signed in on the device-login page (`device.rs`).
//!
//! ARM accepts a token only if it is signed by that key (`kid` included), unexpired, issued
//! for a tenant this server knows by the issuer of that tenant, and meant for the routes it
//! is presented to: ARM's audiences on ARM, Graph's on Graph (see [`Audiences`]).

mod auth;
mod authorize;
mod device;
mod devicelogin;
mod directory;
mod key;
mod routes;

pub(crate) use auth::require_bearer;
pub use auth::Caller;
pub use directory::{
    app_object_id, parse_principals, user_object_id, Directory, Object, Principal, PrincipalsFile,
    RoleGrant, User,
};
pub use key::{key_path, KeyFile};
pub use routes::{method_not_allowed, routes};

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use cerulean_domain::subscription::DEFAULT_TENANT_ID;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// How long issued access tokens live, as AAD's do.
pub const TOKEN_LIFETIME_SECS: i64 = 3600;
/// Refresh tokens live 90 days, as AAD's do.
const REFRESH_LIFETIME_SECS: i64 = 90 * 24 * 3600;
/// Clock skew tolerated when checking `exp` and `nbf` (AAD's default is five minutes).
const LEEWAY_SECS: u64 = 300;

/// The audience issued when a request names none: ARM's.
pub const ARM_AUDIENCE: &str = "https://management.core.windows.net/";
/// Where the signing key lives in the store.
pub const SIGNING_KEY_SECRET: &str = "identity/signing-key";
/// The issuer of access tokens, as Entra's v1 tokens name it: `{ISSUER_BASE}/{tenant}/`. It
/// names no host of ours, so a token is the same whichever replica (or host name) issued it.
pub const ISSUER_BASE: &str = "https://sts.windows.net";
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
        object_id: String,
        user_name: String,
        display_name: String,
    },
}

impl Subject {
    pub(crate) fn client_and_tenant(&self) -> (&str, &str) {
        match self {
            Subject::App { client_id, tenant }
            | Subject::User {
                client_id, tenant, ..
            } => (client_id, tenant),
        }
    }
}

/// Why a bearer token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenProblem {
    /// Malformed, signed by another key (or naming another `kid`), or not an access token.
    Invalid,
    Expired {
        exp: i64,
        now: i64,
    },
    /// Meant for another service (Graph, Key Vault, ...).
    WrongAudience {
        aud: String,
    },
    /// Issued for a tenant this server does not know, or by an issuer not of its tenant.
    WrongIssuer {
        iss: String,
        tenant: String,
    },
}

/// The audiences a family of routes accepts. ARM's are Azure's four spellings plus this
/// server's own base URL (with and without the trailing slash: the JavaScript SDK asks for
/// `${endpoint}/.default`). Graph's (`crate::graph`) are Microsoft Graph's spellings plus the
/// same base URL (the profile `cerulean az-profile` writes names it as Graph's resource).
///
/// "Own base URL" is the one the request reached us by (its `Host`), which is what a client
/// behind any name, port mapping or proxy asked its token for; a client that forges `Host`
/// can therefore replay a token whose audience is that forged URL. Only cerulean's key
/// signs tokens cerulean accepts, so such a token was issued by cerulean to that client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audiences {
    Arm,
    Graph,
}

/// Microsoft Graph's audiences (its URL, its application id, and Azure AD Graph's URL).
pub const GRAPH_AUDIENCES: [&str; 5] = [
    "https://graph.microsoft.com/",
    "https://graph.microsoft.com",
    "00000003-0000-0000-c000-000000000000",
    "https://graph.windows.net/",
    "https://graph.windows.net",
];

/// Azure's spellings of ARM's audience, in the order ARM lists them.
pub const ARM_AUDIENCES: [&str; 4] = [
    "https://management.core.windows.net/",
    "https://management.core.windows.net",
    "https://management.azure.com/",
    "https://management.azure.com",
];

impl Audiences {
    /// Every audience accepted on a request that reached this server as `base`
    /// (`https://host:port`).
    pub fn accepted(self, base: &str) -> Vec<String> {
        match self {
            Audiences::Arm => ARM_AUDIENCES
                .iter()
                .map(|a| a.to_string())
                .chain([format!("{base}/"), base.to_string()])
                .collect(),
            Audiences::Graph => GRAPH_AUDIENCES
                .iter()
                .map(|a| a.to_string())
                .chain([format!("{base}/"), base.to_string()])
                .collect(),
        }
    }
}

/// The signing key, the principals and the auth mode.
pub struct Identity {
    mode: AuthMode,
    encoding: EncodingKey,
    decoding: DecodingKey,
    kid: String,
    x: String,
    y: String,
    directory: Directory,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("mode", &self.mode)
            .field("kid", &self.kid)
            .field("directory", &self.directory)
            .finish_non_exhaustive()
    }
}

impl Identity {
    pub fn mode(&self) -> AuthMode {
        self.mode
    }

    /// Who may sign in, and as what.
    pub fn directory(&self) -> &Directory {
        &self.directory
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
        if !self.directory.is_closed() {
            return Ok(None);
        }
        let Some(p) = self.directory.app(client_id) else {
            return Err(ClientRejection::UnknownApplication);
        };
        match secret {
            Some(s) if constant_time_eq(s.as_bytes(), p.client_secret.as_bytes()) => {
                Ok(p.tenant_id.clone())
            }
            _ => Err(ClientRejection::InvalidSecret),
        }
    }

    /// Checks a user's password against `--principals` (any password signs any name in without
    /// it). Returns the user's object id, user name as the file spells it (names match
    /// without case, as UPNs do) and display name.
    fn check_user(&self, user_name: &str, password: &str) -> Option<(String, String, String)> {
        if !self.directory.is_closed() {
            let oid = if user_name.eq_ignore_ascii_case(USER_NAME) {
                USER_OID.to_string()
            } else {
                user_object_id(user_name)
            };
            return Some((oid, user_name.to_string(), user_name.to_string()));
        }
        let u = self.directory.user(user_name)?;
        constant_time_eq(password.as_bytes(), u.password.as_bytes()).then(|| {
            (
                u.object_id(),
                u.user_name.clone(),
                u.display_name().to_string(),
            )
        })
    }

    /// Tenants whose paths the token endpoints answer.
    fn tenant_known(&self, tenant: &str) -> bool {
        matches!(
            tenant.to_ascii_lowercase().as_str(),
            "common" | "organizations" | "consumers" | "adfs"
        ) || self.is_tenant(tenant)
    }

    /// Tenants tokens are issued for: the default one and those of `--principals`.
    fn is_tenant(&self, tid: &str) -> bool {
        tid.eq_ignore_ascii_case(DEFAULT_TENANT_ID)
            || self.directory.apps().iter().any(|p| {
                p.tenant_id
                    .as_deref()
                    .is_some_and(|pt| pt.eq_ignore_ascii_case(tid))
            })
    }

    /// Signs an access token for `subject` and audience `aud`; returns it with its expiry.
    pub fn access_token(&self, subject: &Subject, aud: &str) -> (String, i64) {
        let now = chrono::Utc::now().timestamp();
        let exp = now + TOKEN_LIFETIME_SECS;
        let claims = claims_for(subject, &self.object_id(subject), aud, now, exp, None);
        self.remember(subject);
        (self.sign(&claims), exp)
    }

    /// The object id a subject's tokens carry.
    pub fn object_id(&self, subject: &Subject) -> String {
        match subject {
            Subject::App { client_id, .. } => self.directory.app_object_id(client_id),
            Subject::User { object_id, .. } => object_id.clone(),
        }
    }

    /// An open directory remembers who signed in, so Graph can name them later.
    fn remember(&self, subject: &Subject) {
        let object = match subject {
            Subject::App { client_id, tenant } => Object::ServicePrincipal {
                object_id: self.object_id(subject),
                app_id: client_id.clone(),
                display_name: client_id.clone(),
                tenant: tenant.clone(),
            },
            Subject::User {
                object_id,
                user_name,
                display_name,
                ..
            } => Object::User {
                object_id: object_id.clone(),
                user_name: user_name.clone(),
                display_name: display_name.clone(),
            },
        };
        self.directory.saw(object);
    }

    /// A refresh token: a signed JWT that only the token endpoint accepts.
    fn refresh_token(&self, subject: &Subject, scope: &str) -> String {
        let now = chrono::Utc::now().timestamp();
        let mut claims = claims_for(
            subject,
            &self.object_id(subject),
            scope,
            now,
            now + REFRESH_LIFETIME_SECS,
            Some("refresh"),
        );
        claims.scp = Some(scope.to_string());
        self.sign(&claims)
    }

    /// An OpenID Connect id token for a user sign-in.
    fn id_token(&self, base: &str, subject: &Subject) -> String {
        let now = chrono::Utc::now().timestamp();
        let (client_id, tenant) = subject.client_and_tenant();
        let (name, upn) = match subject {
            Subject::User {
                display_name,
                user_name,
                ..
            } => (display_name.as_str(), user_name.as_str()),
            Subject::App { client_id, .. } => (client_id.as_str(), client_id.as_str()),
        };
        let oid = self.object_id(subject);
        let claims = json!({
            "aud": client_id,
            "iss": issuer(base, tenant),
            "iat": now,
            "nbf": now,
            "exp": now + TOKEN_LIFETIME_SECS,
            "name": name,
            "oid": oid,
            "preferred_username": upn,
            // ADFS clients (az with an `/adfs` authority) read the user's name here.
            "upn": upn,
            "sub": oid,
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

    /// Checks an access token presented on a route of `family`, reached as `base`: its
    /// signature and lifetime, that it is an access token, its audience, then its issuer.
    pub fn check_access(
        &self,
        token: &str,
        family: Audiences,
        base: &str,
    ) -> Result<Claims, TokenProblem> {
        let claims = self.verify(token)?;
        if claims.cerulean_use.is_some() {
            return Err(TokenProblem::Invalid);
        }
        let accepted = family.accepted(base);
        if !accepted.iter().any(|a| a.eq_ignore_ascii_case(&claims.aud)) {
            return Err(TokenProblem::WrongAudience {
                aud: claims.aud.clone(),
            });
        }
        if !self.is_tenant(&claims.tid) || !issued_for(&claims.iss, &claims.tid, base) {
            let tenant = if self.is_tenant(&claims.tid) {
                claims.tid.clone()
            } else {
                DEFAULT_TENANT_ID.to_string()
            };
            return Err(TokenProblem::WrongIssuer {
                iss: claims.iss.clone(),
                tenant,
            });
        }
        Ok(claims)
    }

    /// Verifies a token's signature (by this key, named by its `kid`) and lifetime.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenProblem> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenProblem::Invalid)?;
        if header.kid.as_deref() != Some(self.kid.as_str()) {
            return Err(TokenProblem::Invalid);
        }
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
    subject: &Subject,
    oid: &str,
    aud: &str,
    now: i64,
    exp: i64,
    use_: Option<&str>,
) -> Claims {
    let (client_id, tenant) = subject.client_and_tenant();
    let upn = match subject {
        Subject::User { user_name, .. } => Some(user_name.clone()),
        Subject::App { .. } => None,
    };
    let user = upn.is_some();
    Claims {
        aud: aud.to_string(),
        iss: access_issuer(tenant),
        iat: now,
        nbf: now,
        exp,
        tid: tenant.to_string(),
        oid: oid.to_string(),
        sub: oid.to_string(),
        appid: Some(client_id.to_string()),
        idtyp: Some(if user { "user" } else { "app" }.into()),
        unique_name: upn.clone(),
        upn,
        scp: user.then(|| "user_impersonation".to_string()),
        name: match subject {
            Subject::User { display_name, .. } => Some(display_name.clone()),
            Subject::App { .. } => None,
        },
        cerulean_use: use_.map(str::to_string),
        ver: "1.0".into(),
    }
}

/// The issuer of access (and refresh) tokens for `tenant`.
pub fn access_issuer(tenant: &str) -> String {
    format!("{ISSUER_BASE}/{tenant}/")
}

/// Whether `iss` is the issuer of tenant `tid`'s access tokens: this server's
/// ([`access_issuer`]), or the one versions before it wrote, `{scheme}://{host}/{tid}/`,
/// when `host` is the one the token is presented to (`base`), so tokens issued just before an
/// upgrade stay valid.
fn issued_for(iss: &str, tid: &str, base: &str) -> bool {
    let Some(rest) = iss.strip_suffix('/') else {
        return false;
    };
    let Some((authority, tenant)) = rest.rsplit_once('/') else {
        return false;
    };
    tenant.eq_ignore_ascii_case(tid)
        && (authority.eq_ignore_ascii_case(ISSUER_BASE) || authority.eq_ignore_ascii_case(base))
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

#[cfg(test)]
mod tests;
