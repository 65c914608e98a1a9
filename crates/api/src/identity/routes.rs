//! The token endpoints. They speak OAuth 2.0 / OpenID Connect, not ARM: no api-version, no
//! bearer token, form-encoded requests, and failures in AAD's own shape
//! (`{"error", "error_description": "AADSTS...", "error_codes", ...}`), which MSAL and
//! azure-identity parse. That shape is this module's [`OAuthError`]; ARM's envelope stays in
//! `crate::error`.

use super::device;
use super::{
    issuer, ClientRejection, Identity, Subject, ARM_AUDIENCE, MSI_CLIENT_ID, TOKEN_LIFETIME_SECS,
};
use crate::extract::{read_body, BodyError};
use crate::routes::edge::{route, Access, EdgeRoute};
use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use cerulean_domain::subscription::DEFAULT_TENANT_ID;
use serde_json::{json, Value};
use std::collections::HashMap;

/// The identity endpoints. All are open: a client calls them to get its first token.
pub fn routes() -> Vec<EdgeRoute> {
    use Access::Open;
    use Method as M;
    vec![
        route(
            M::GET,
            "/{tenant}/v2.0/.well-known/openid-configuration",
            Open,
            openid_v2,
        ),
        route(
            M::GET,
            "/{tenant}/.well-known/openid-configuration",
            Open,
            openid_v1,
        ),
        route(M::GET, "/{tenant}/discovery/v2.0/keys", Open, keys),
        route(M::GET, "/{tenant}/discovery/keys", Open, keys),
        route(
            M::GET,
            "/{tenant}/discovery/instance",
            Open,
            instance_discovery,
        ),
        // The portal's sign-in (authorization code with PKCE): a page, and its form posting
        // back, which issues a one-time code only to a redirect URI on this host or loopback.
        route(
            M::GET,
            "/{tenant}/oauth2/v2.0/authorize",
            Open,
            super::authorize::page,
        ),
        route(
            M::POST,
            "/{tenant}/oauth2/v2.0/authorize",
            Open,
            super::authorize::sign_in,
        ),
        route(
            M::GET,
            "/{tenant}/oauth2/v2.0/logout",
            Open,
            super::authorize::logout,
        ),
        route(M::POST, "/{tenant}/oauth2/v2.0/token", Open, token_v2),
        route(M::POST, "/{tenant}/oauth2/token", Open, token_v1),
        route(
            M::POST,
            "/{tenant}/oauth2/v2.0/devicecode",
            Open,
            device::devicecode,
        ),
        route(
            M::POST,
            "/{tenant}/oauth2/devicecode",
            Open,
            device::devicecode,
        ),
        route(
            M::GET,
            "/adfs/.well-known/openid-configuration",
            Open,
            openid_adfs,
        ),
        route(M::GET, "/adfs/discovery/keys", Open, adfs_keys),
        route(M::POST, "/adfs/oauth2/token", Open, token_adfs),
        route(
            M::POST,
            "/adfs/oauth2/devicecode",
            Open,
            device::adfs_devicecode,
        ),
        // Where a user enters a device's code and signs in (Entra's microsoft.com/devicelogin).
        route(M::GET, "/devicelogin", Open, super::devicelogin::page),
        route(M::POST, "/devicelogin", Open, super::devicelogin::sign_in),
        route(M::GET, "/msi/token", Open, msi),
    ]
}

/// An identity path with a method it does not serve: Entra's 400, not a bare 405.
pub async fn method_not_allowed(method: Method, uri: Uri) -> OAuthError {
    let path = uri.path();
    let posts = (path.ends_with("/token") || path.ends_with("/devicecode")) && path != "/msi/token";
    // The sign-in pages take their own forms back.
    let pages = path.ends_with("/oauth2/v2.0/authorize") || path == "/devicelogin";
    let allowed = if posts {
        "POST, OPTIONS"
    } else if pages {
        "GET, POST, OPTIONS"
    } else {
        "GET, OPTIONS"
    };
    OAuthError::bad_request(
        900561,
        format!("The endpoint only accepts {allowed} requests. Received a {method} request."),
    )
}

/// Largest form a token endpoint reads (a client assertion is a few KiB).
const MAX_FORM: usize = 256 * 1024;

/// Reads a form body under the edge's size cap and deadline; failures in AAD's shape.
pub(super) async fn read_form(
    s: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<HashMap<String, String>, OAuthError> {
    let invalid = "Invalid request. Request is malformed or invalid.";
    match read_body(body, headers, MAX_FORM, s.options.body_timeout).await {
        Ok(bytes) => Ok(form(&bytes)),
        Err(BodyError::TooLarge) => Err(OAuthError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request",
            9002313,
            format!("{invalid} The request body exceeds the maximum of {MAX_FORM} bytes."),
        )),
        Err(BodyError::TimedOut) => Err(OAuthError::new(
            StatusCode::REQUEST_TIMEOUT,
            "invalid_request",
            9002313,
            format!("{invalid} The request body was not received in time."),
        )),
        Err(BodyError::Failed(e)) => Err(OAuthError::bad_request(
            9002313,
            format!("{invalid} The request body could not be read: {e}"),
        )),
    }
}

/// An OAuth failure in AAD's shape.
pub struct OAuthError {
    status: StatusCode,
    pub(super) error: &'static str,
    pub(super) code: u32,
    message: String,
}

impl OAuthError {
    pub(super) fn new(
        status: StatusCode,
        error: &'static str,
        code: u32,
        message: impl Into<String>,
    ) -> Self {
        OAuthError {
            status,
            error,
            code,
            message: message.into(),
        }
    }

    pub(super) fn bad_request(code: u32, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", code, message)
    }

    pub(super) fn missing(param: &str) -> Self {
        Self::bad_request(
            900144,
            format!("The request body must contain the following parameter: '{param}'."),
        )
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let trace = uuid::Uuid::new_v4().to_string();
        let correlation = uuid::Uuid::new_v4().to_string();
        let now = chrono::Utc::now();
        let body = json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {} Trace ID: {trace} Correlation ID: {correlation} Timestamp: {}",
                self.code, self.message, now.format("%Y-%m-%d %H:%M:%SZ")
            ),
            "error_codes": [self.code],
            "timestamp": now.format("%Y-%m-%d %H:%M:%SZ").to_string(),
            "trace_id": trace,
            "correlation_id": correlation,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.code),
        });
        (self.status, Json(body)).into_response()
    }
}

fn identity(s: &AppState) -> &Identity {
    &s.options.identity
}

/// The tenant a path word stands for: `common`, `organizations` and `adfs` mean the default.
pub(super) fn resolve_tenant(tenant: &str) -> String {
    match tenant.to_ascii_lowercase().as_str() {
        "common" | "organizations" | "consumers" | "adfs" => DEFAULT_TENANT_ID.to_string(),
        t => t.to_string(),
    }
}

pub(super) fn check_tenant(s: &AppState, tenant: &str) -> Result<(), OAuthError> {
    if identity(s).tenant_known(tenant) {
        Ok(())
    } else {
        Err(OAuthError::bad_request(
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        )
        .with_error("invalid_tenant"))
    }
}

impl OAuthError {
    pub(super) fn with_error(mut self, error: &'static str) -> Self {
        self.error = error;
        self
    }
}

async fn openid_v2(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, OAuthError> {
    check_tenant(&s, &tenant)?;
    let base = s.options.base_url(&headers);
    let t = format!("{base}/{tenant}");
    let mut doc = common_config(&base);
    let extra = json!({
        "issuer": issuer(&base, &resolve_tenant(&tenant)),
        "token_endpoint": format!("{t}/oauth2/v2.0/token"),
        "authorization_endpoint": format!("{t}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{t}/oauth2/v2.0/devicecode"),
        "end_session_endpoint": format!("{t}/oauth2/v2.0/logout"),
        "jwks_uri": format!("{t}/discovery/v2.0/keys"),
        "kerberos_endpoint": format!("{t}/kerberos"),
    });
    merge(&mut doc, extra);
    Ok(Json(doc))
}

async fn openid_v1(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, OAuthError> {
    check_tenant(&s, &tenant)?;
    let base = s.options.base_url(&headers);
    let t = format!("{base}/{tenant}");
    let mut doc = common_config(&base);
    merge(
        &mut doc,
        json!({
            "issuer": super::access_issuer(&resolve_tenant(&tenant)),
            "token_endpoint": format!("{t}/oauth2/token"),
            "authorization_endpoint": format!("{t}/oauth2/authorize"),
            "device_authorization_endpoint": format!("{t}/oauth2/devicecode"),
            "end_session_endpoint": format!("{t}/oauth2/logout"),
            "jwks_uri": format!("{t}/discovery/keys"),
        }),
    );
    Ok(Json(doc))
}

async fn openid_adfs(State(s): State<AppState>, headers: HeaderMap) -> Json<Value> {
    let base = s.options.base_url(&headers);
    let a = format!("{base}/adfs");
    let mut doc = common_config(&base);
    merge(
        &mut doc,
        json!({
            "issuer": a,
            "token_endpoint": format!("{a}/oauth2/token"),
            "authorization_endpoint": format!("{a}/oauth2/authorize/"),
            "device_authorization_endpoint": format!("{a}/oauth2/devicecode"),
            "end_session_endpoint": format!("{a}/oauth2/logout"),
            "jwks_uri": format!("{a}/discovery/keys"),
            "access_token_issuer": format!("{a}/services/trust"),
        }),
    );
    Json(doc)
}

fn common_config(base: &str) -> Value {
    let host = base.split("://").nth(1).unwrap_or(base);
    json!({
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "grant_types_supported": [
            "authorization_code",
            "client_credentials",
            "refresh_token",
            "password",
            "urn:ietf:params:oauth:grant-type:device_code"
        ],
        "code_challenge_methods_supported": ["plain", "S256"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{base}/oidc/userinfo"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "nbf", "name", "oid", "tid",
            "preferred_username", "ver", "appid"
        ],
        "tenant_region_scope": null,
        "cloud_instance_name": host,
        "cloud_graph_host_name": host,
        "msgraph_host": host,
        "rbac_url": base,
    })
}

fn merge(doc: &mut Value, extra: Value) {
    if let (Some(d), Value::Object(e)) = (doc.as_object_mut(), extra) {
        d.extend(e);
    }
}

async fn keys(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
) -> Result<Json<Value>, OAuthError> {
    check_tenant(&s, &tenant)?;
    Ok(Json(identity(&s).jwks()))
}

async fn adfs_keys(State(s): State<AppState>) -> Json<Value> {
    Json(identity(&s).jwks())
}

/// MSAL's instance discovery, for clients that do not turn it off: this server is its own
/// cloud with one alias.
async fn instance_discovery(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Json<Value> {
    let base = s.options.base_url(&headers);
    let host = base.split("://").nth(1).unwrap_or(&base).to_string();
    let tenant = q
        .get("authorization_endpoint")
        .and_then(|a| a.split('/').nth(3).map(str::to_string))
        .unwrap_or_else(|| "common".into());
    Json(json!({
        "tenant_discovery_endpoint": format!("{base}/{tenant}/v2.0/.well-known/openid-configuration"),
        "api-version": "1.1",
        "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
    }))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    V2,
    V1,
    Adfs,
}

async fn token_v2(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, OAuthError> {
    token(&s, &headers, &tenant, Flavor::V2, body).await
}

async fn token_v1(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, OAuthError> {
    token(&s, &headers, &tenant, Flavor::V1, body).await
}

async fn token_adfs(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, OAuthError> {
    token(&s, &headers, "adfs", Flavor::Adfs, body).await
}

pub(super) fn form(body: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// `client_secret_basic`: `Authorization: Basic base64(id:secret)`.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, rest) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    let dec = |s: &str| {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Some((dec(id), dec(secret)))
}

/// The audience a request asks for: v1's `resource`, else the first resource scope with
/// its `/.default` (or permission) removed; ARM's when none is named.
fn audience(f: &HashMap<String, String>) -> String {
    if let Some(r) = f.get("resource").filter(|r| !r.is_empty()) {
        return r.clone();
    }
    let scope = f
        .get("scope")
        .map(String::as_str)
        .unwrap_or("")
        .split_whitespace()
        .find(|s| !matches!(*s, "openid" | "profile" | "offline_access" | "email"));
    match scope {
        Some(s) if s.ends_with("/.default") => s[..s.len() - "/.default".len()].to_string(),
        Some(s) if s.contains("://") => match s.rsplit_once('/') {
            Some((r, _)) if r.len() > "https://".len() => r.to_string(),
            _ => s.to_string(),
        },
        Some(s) => s.to_string(),
        None => ARM_AUDIENCE.to_string(),
    }
}

async fn token(
    s: &AppState,
    headers: &HeaderMap,
    tenant: &str,
    flavor: Flavor,
    body: Body,
) -> Result<Json<Value>, OAuthError> {
    check_tenant(s, tenant)?;
    let mut f = read_form(s, headers, body).await?;
    let base = s.options.base_url(headers);
    let id = identity(s);
    if let Some((cid, secret)) = basic_credentials(headers) {
        f.entry("client_id".into()).or_insert(cid);
        f.entry("client_secret".into()).or_insert(secret);
    }
    let tid = resolve_tenant(tenant);
    let aud = audience(&f);
    let scope = f
        .get("scope")
        .cloned()
        .unwrap_or_else(|| format!("{aud}/.default"));
    let grant = f.get("grant_type").map(String::as_str).unwrap_or("");
    let client_id = || {
        f.get("client_id")
            .filter(|c| !c.is_empty())
            .cloned()
            .ok_or_else(|| OAuthError::missing("client_id"))
    };
    let subject = match grant {
        "client_credentials" => {
            let cid = client_id()?;
            let secret = f.get("client_secret").map(String::as_str);
            let home = id
                .check_client(&cid, secret)
                .map_err(|r| reject(r, &cid, &tid))?;
            return Ok(Json(answer(
                id,
                &base,
                flavor,
                &Subject::App {
                    client_id: cid,
                    tenant: home.unwrap_or(tid),
                },
                &aud,
                &scope,
                false,
            )));
        }
        "urn:ietf:params:oauth:grant-type:device_code" | "device_code" => {
            // ADAL (the v1 endpoint's clients) sends the device code as `code`.
            let code = ["device_code", "code"]
                .iter()
                .find_map(|k| f.get(*k).filter(|c| !c.is_empty()))
                .ok_or_else(|| OAuthError::missing("device_code"))?;
            let client_id = client_id()?;
            let (tenant, account) = device::redeem(s, code, &client_id).await?;
            Subject::User {
                client_id,
                tenant,
                object_id: account.oid,
                user_name: account.upn,
                display_name: account.name,
            }
        }
        "password" => {
            let user_name = f
                .get("username")
                .filter(|c| !c.is_empty())
                .ok_or_else(|| OAuthError::missing("username"))?;
            let password = f.get("password").map(String::as_str).unwrap_or("");
            let Some((object_id, user_name, display_name)) = id.check_user(user_name, password)
            else {
                return Err(OAuthError::bad_request(
                    50126,
                    "Error validating credentials due to invalid username or password.",
                )
                .with_error("invalid_grant"));
            };
            Subject::User {
                client_id: client_id()?,
                tenant: tid,
                object_id,
                user_name,
                display_name,
            }
        }
        "authorization_code" => {
            let redeemed = super::authorize::redeem(s, &f).await?;
            Subject::User {
                client_id: redeemed.client_id,
                tenant: redeemed.tenant,
                object_id: redeemed.account.oid,
                user_name: redeemed.account.upn,
                display_name: redeemed.account.name,
            }
        }
        "refresh_token" => {
            let rt = f
                .get("refresh_token")
                .filter(|c| !c.is_empty())
                .ok_or_else(|| OAuthError::missing("refresh_token"))?;
            let claims = id
                .verify(rt)
                .ok()
                .filter(|c| c.cerulean_use.as_deref() == Some("refresh"))
                .ok_or_else(|| {
                    OAuthError::bad_request(
                        9002313,
                        "Invalid request. Request is malformed or invalid.",
                    )
                    .with_error("invalid_grant")
                })?;
            let user_name = claims.upn.clone().unwrap_or_default();
            Subject::User {
                client_id: f
                    .get("client_id")
                    .cloned()
                    .or(claims.appid)
                    .unwrap_or_default(),
                tenant: claims.tid,
                object_id: claims.oid,
                display_name: claims.name.unwrap_or_else(|| user_name.clone()),
                user_name,
            }
        }
        "" => return Err(OAuthError::missing("grant_type")),
        other => {
            return Err(OAuthError::bad_request(
                70003,
                format!("The app requested an unsupported grant type '{other}'."),
            )
            .with_error("unsupported_grant_type"))
        }
    };
    Ok(Json(answer(
        id, &base, flavor, &subject, &aud, &scope, true,
    )))
}

fn reject(r: ClientRejection, client_id: &str, tenant: &str) -> OAuthError {
    match r {
        ClientRejection::InvalidSecret => OAuthError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000215,
            format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."),
        ),
        ClientRejection::UnknownApplication => OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            format!("Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."),
        ),
    }
}

/// The token response: v2 (and ADFS) with numeric lifetimes, v1 with strings and the
/// resource; user flows add a refresh token, an id token and `client_info`.
fn answer(
    id: &Identity,
    base: &str,
    flavor: Flavor,
    subject: &Subject,
    aud: &str,
    scope: &str,
    user: bool,
) -> Value {
    let (access, exp) = id.access_token(subject, aud);
    let now = exp - TOKEN_LIFETIME_SECS;
    let mut out = json!({
        "token_type": "Bearer",
        "access_token": access,
    });
    let o = out.as_object_mut().expect("object");
    if flavor == Flavor::V1 {
        o.insert(
            "expires_in".into(),
            json!((TOKEN_LIFETIME_SECS - 1).to_string()),
        );
        o.insert(
            "ext_expires_in".into(),
            json!((TOKEN_LIFETIME_SECS - 1).to_string()),
        );
        o.insert("expires_on".into(), json!(exp.to_string()));
        o.insert("not_before".into(), json!(now.to_string()));
        o.insert("resource".into(), json!(aud));
    } else {
        o.insert("expires_in".into(), json!(TOKEN_LIFETIME_SECS - 1));
        o.insert("ext_expires_in".into(), json!(TOKEN_LIFETIME_SECS - 1));
        o.insert("scope".into(), json!(scope));
    }
    if user {
        let (_, tenant) = subject.client_and_tenant();
        let info = json!({"uid": id.object_id(subject), "utid": tenant}).to_string();
        o.insert(
            "refresh_token".into(),
            json!(id.refresh_token(subject, scope)),
        );
        o.insert("id_token".into(), json!(id.id_token(base, subject)));
        o.insert(
            "client_info".into(),
            json!(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(info)),
        );
        if flavor == Flavor::V1 {
            o.insert("scope".into(), json!("user_impersonation"));
        }
    }
    out
}

pub(super) fn store_failure(e: cerulean_app::AppError) -> OAuthError {
    tracing::error!(error = %e, "identity storage failure");
    OAuthError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "server_error",
        90033,
        "A transient error has occurred. Please try again.",
    )
}

/// App Service managed identity (`IDENTITY_ENDPOINT`/`IDENTITY_HEADER`): the caller proves
/// it runs "inside" by sending the header; any value is accepted.
async fn msi(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let has_header = headers.contains_key("x-identity-header") || headers.contains_key("secret");
    if !has_header {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({
                "statusCode": 400,
                "message": "The request is missing the required 'X-IDENTITY-HEADER' header.",
                "error": "invalid_request",
                "error_description": "The request is missing the required 'X-IDENTITY-HEADER' header.",
            })),
        )
            .into_response();
    }
    let Some(resource) = q.get("resource").filter(|r| !r.is_empty()) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({
                "statusCode": 400,
                "message": "Required query variable 'resource' is missing.",
                "error": "invalid_request",
                "error_description": "Required query variable 'resource' is missing.",
            })),
        )
            .into_response();
    };
    let client_id = q
        .get("client_id")
        .filter(|c| !c.is_empty())
        .cloned()
        .unwrap_or_else(|| MSI_CLIENT_ID.to_string());
    let (access, exp) = identity(&s).access_token(
        &Subject::App {
            client_id: client_id.clone(),
            tenant: DEFAULT_TENANT_ID.to_string(),
        },
        resource,
    );
    Json(json!({
        "access_token": access,
        "expires_on": exp.to_string(),
        "resource": resource,
        "token_type": "Bearer",
        "client_id": client_id,
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::audience;
    use std::collections::HashMap;

    fn f(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn audiences() {
        assert_eq!(
            audience(&f(&[(
                "scope",
                "https://management.core.windows.net//.default"
            )])),
            "https://management.core.windows.net/"
        );
        assert_eq!(
            audience(&f(&[(
                "scope",
                "https://management.azure.com/.default offline_access openid profile"
            )])),
            "https://management.azure.com"
        );
        assert_eq!(
            audience(&f(&[(
                "scope",
                "openid https://x.example/user_impersonation"
            )])),
            "https://x.example"
        );
        assert_eq!(audience(&f(&[("resource", "https://r/")])), "https://r/");
        assert_eq!(audience(&f(&[])), super::ARM_AUDIENCE);
    }
}
