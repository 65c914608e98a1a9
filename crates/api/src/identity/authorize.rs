//! The OAuth 2.0 authorization-code flow with PKCE (RFC 6749 §4.1, RFC 7636), the way the
//! Azure portal signs people in through Entra ID: `GET /{tenant}/oauth2/v2.0/authorize`
//! shows a sign-in page, its form posts back to the same URL, and a good sign-in redirects
//! to the client's `redirect_uri` with a `code` and the client's `state`. The token
//! endpoint (`grant_type=authorization_code`) redeems the code once, within
//! [`CODE_LIFETIME`], for the same client, redirect URI and PKCE verifier.
//!
//! Codes are kept in the store's secrets, as device codes are (`device.rs`): a code issued by
//! one server is redeemed at any server sharing the database, once (the store's take is the
//! one-time step), until it expires; at most [`MAX_PENDING`] wait at once.

use super::routes::{check_tenant, read_form, resolve_tenant, store_failure, OAuthError};
use super::{Identity, USER_NAME, USER_OID};
use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// How long a code may wait to be redeemed, in seconds (Entra ID's live a few minutes).
pub const CODE_LIFETIME_SECS: i64 = 120;
/// How long past its expiry a code is kept, so that it is answered as expired (70008)
/// rather than unknown.
const CODE_GRACE_SECS: i64 = 600;
/// At most this many codes wait at once; past it, sign-in is refused until some expire.
/// The sign-in page is open (with the built-in user, to anyone), so the store writes it
/// causes are capped.
const MAX_PENDING: i64 = 10_000;
/// Codes are stored under this prefix in the store's secrets.
const CODE_PREFIX: &str = "authcode:";
/// Caps on what the caller sends (the page echoes them back in hidden fields).
const MAX_PARAM: usize = 2048;

/// Who signed in, as the code's tokens will say (`oid`, `upn`, `name`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub oid: String,
    pub upn: String,
    pub name: String,
}

impl Account {
    /// The one user anyone signs in as when `--principals` is not given.
    pub fn builtin() -> Account {
        Account {
            oid: USER_OID.to_string(),
            upn: USER_NAME.to_string(),
            name: "cerulean user".to_string(),
        }
    }
}

/// A code waiting for the token endpoint, as stored.
#[derive(Serialize, Deserialize)]
struct Pending {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    method: Method,
    tenant: String,
    account: Account,
    /// Unix seconds.
    expires_at: i64,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
enum Method {
    Plain,
    S256,
}

/// The parameters of an authorization request, checked.
struct AuthRequest {
    client_id: String,
    redirect_uri: String,
    state: Option<String>,
    challenge: String,
    method: Method,
    fragment: bool,
    /// Every parameter as received, echoed in the sign-in form.
    raw: Vec<(String, String)>,
}

/// Why an authorization request cannot go on.
enum Refusal {
    /// Shown on a page: the redirect URI itself is missing or not allowed.
    Page(String),
    /// Sent back to the client on its redirect URI.
    Redirect {
        to: String,
        fragment: bool,
        state: Option<String>,
        error: &'static str,
        description: String,
    },
}

const SIGN_IN_FIELDS: [&str; 3] = ["username", "password", "continue"];

fn parse(params: &HashMap<String, String>, host: Option<&str>) -> Result<AuthRequest, Refusal> {
    if let Some((k, _)) = params
        .iter()
        .find(|(k, v)| k.len() > 64 || v.len() > MAX_PARAM)
    {
        return Err(Refusal::Page(format!(
            "AADSTS90015: Requested query string is too long ({}).",
            short(k)
        )));
    }
    let get = |k: &str| params.get(k).filter(|v| !v.is_empty()).cloned();
    let Some(client_id) = get("client_id") else {
        return Err(Refusal::Page(
            "AADSTS900144: The request body must contain the following parameter: 'client_id'."
                .into(),
        ));
    };
    let Some(redirect_uri) = get("redirect_uri") else {
        return Err(Refusal::Page(
            "AADSTS900144: The request body must contain the following parameter: 'redirect_uri'."
                .into(),
        ));
    };
    if !redirect_allowed(&redirect_uri, host) {
        return Err(Refusal::Page(format!(
            "AADSTS50011: The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'. cerulean accepts redirect URIs on this server's own host or on a loopback address."
        )));
    }
    let fragment = match get("response_mode").as_deref() {
        None | Some("query") => false,
        Some("fragment") => true,
        Some(other) => {
            return Err(Refusal::Page(format!(
                "AADSTS900144: The response_mode '{}' is not supported; use 'query' or 'fragment'.",
                short(other)
            )))
        }
    };
    let state = get("state");
    let refuse = |error, description: String| Refusal::Redirect {
        to: redirect_uri.clone(),
        fragment,
        state: state.clone(),
        error,
        description,
    };
    match get("response_type").as_deref() {
        Some("code") => {}
        Some(other) => {
            return Err(refuse(
                "unsupported_response_type",
                format!(
                    "AADSTS700054: response_type '{}' is not enabled for the application.",
                    short(other)
                ),
            ))
        }
        None => return Err(refuse(
            "invalid_request",
            "AADSTS900144: The request body must contain the following parameter: 'response_type'."
                .into(),
        )),
    }
    let Some(challenge) = get("code_challenge") else {
        return Err(refuse(
            "invalid_request",
            "AADSTS9002325: Proof Key for Code Exchange is required for cross-origin authorization code redemption.".into(),
        ));
    };
    let method = match get("code_challenge_method").as_deref() {
        None | Some("plain") => Method::Plain,
        Some("S256") => Method::S256,
        Some(other) => {
            return Err(refuse(
                "invalid_request",
                format!(
                    "AADSTS501491: Invalid size of Code_Challenge parameter or unsupported code_challenge_method '{}'.",
                    short(other)
                ),
            ))
        }
    };
    // RFC 7636 §4.2: 43 to 128 characters of the unreserved set.
    let well_formed = (43..=128).contains(&challenge.len())
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    if !well_formed {
        return Err(refuse(
            "invalid_request",
            "AADSTS501491: Invalid size of Code_Challenge parameter.".into(),
        ));
    }
    let mut raw: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| !SIGN_IN_FIELDS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    raw.sort();
    Ok(AuthRequest {
        client_id,
        redirect_uri,
        state,
        challenge,
        method,
        fragment,
        raw,
    })
}

fn short(s: &str) -> String {
    s.chars().take(64).collect()
}

/// Redirect URIs cerulean sends codes to: http(s) on the host the browser used to reach
/// this server, or on a loopback address (native apps, RFC 8252 §7.3). Anything else
/// would let a page elsewhere collect a signed-in user's code.
fn redirect_allowed(uri: &str, host: Option<&str>) -> bool {
    let Ok(u) = uri.parse::<Uri>() else {
        return false;
    };
    if !matches!(u.scheme_str(), Some("http" | "https")) || uri.contains('#') {
        return false;
    }
    let Some(target) = u.host() else {
        return false;
    };
    let target = target.trim_start_matches('[').trim_end_matches(']');
    let loopback = target.eq_ignore_ascii_case("localhost")
        || target
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    let same_host = host.is_some_and(|h| {
        let h = match h.rsplit_once(':') {
            Some((name, port))
                if !name.ends_with(':') && port.bytes().all(|b| b.is_ascii_digit()) =>
            {
                name
            }
            _ => h,
        };
        h.trim_start_matches('[')
            .trim_end_matches(']')
            .eq_ignore_ascii_case(target)
    });
    loopback || same_host
}

fn host(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::HOST).and_then(|h| h.to_str().ok())
}

/// `GET /{tenant}/oauth2/v2.0/authorize`: the sign-in page.
pub async fn page(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Err(e) = check_tenant(&s, &tenant) {
        return e.into_response();
    }
    match parse(&q, host(&headers)) {
        Ok(req) => sign_in_page(&s.options.identity, &tenant, &req, None, StatusCode::OK),
        Err(r) => refusal(r),
    }
}

/// `POST /{tenant}/oauth2/v2.0/authorize`: the sign-in form. A good sign-in redirects to
/// the client with a fresh code; a bad one shows the page again.
pub async fn sign_in(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Err(e) = check_tenant(&s, &tenant) {
        return e.into_response();
    }
    let f = match read_form(&s, &headers, body).await {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let req = match parse(&f, host(&headers)) {
        Ok(r) => r,
        Err(r) => return refusal(r),
    };
    let id = &s.options.identity;
    let account = match id.directory().is_closed() {
        false => Account::builtin(),
        true => {
            let name = f.get("username").map(String::as_str).unwrap_or("");
            let password = f.get("password").map(String::as_str).unwrap_or("");
            match id.check_user(name, password) {
                Some((oid, upn, display_name)) => Account {
                    oid,
                    upn,
                    name: display_name,
                },
                None => {
                    let message = if name.trim().is_empty() {
                        "Enter a valid user name."
                    } else {
                        "Your account or password is incorrect."
                    };
                    return sign_in_page(id, &tenant, &req, Some(message), StatusCode::OK);
                }
            }
        }
    };
    let code = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let pending = Pending {
        client_id: req.client_id.clone(),
        redirect_uri: req.redirect_uri.clone(),
        challenge: req.challenge.clone(),
        method: req.method,
        tenant: resolve_tenant(&tenant),
        account,
        expires_at: chrono::Utc::now().timestamp() + CODE_LIFETIME_SECS,
    };
    let stored = s
        .app
        .insert_expiring_secret(
            &format!("{CODE_PREFIX}{code}"),
            serde_json::to_string(&pending).expect("a code serializes"),
            (pending.expires_at + CODE_GRACE_SECS) * 1000,
            CODE_PREFIX,
            MAX_PENDING,
        )
        .await;
    let stored = match stored {
        Ok(stored) => stored,
        Err(e) => return store_failure(e).into_response(),
    };
    if !stored {
        return refusal(Refusal::Redirect {
            to: req.redirect_uri,
            fragment: req.fragment,
            state: req.state,
            error: "temporarily_unavailable",
            description: "AADSTS90033: A transient error has occurred. Please try again.".into(),
        });
    }
    let mut params = vec![("code", code.as_str())];
    if let Some(st) = &req.state {
        params.push(("state", st));
    }
    redirect(&req.redirect_uri, req.fragment, &params)
}

fn redirect(to: &str, fragment: bool, params: &[(&str, &str)]) -> Response {
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    let sep = if fragment {
        '#'
    } else if to.contains('?') {
        '&'
    } else {
        '?'
    };
    let location = format!("{to}{sep}{query}");
    match HeaderValue::from_str(&location) {
        Ok(v) => (StatusCode::SEE_OTHER, [(header::LOCATION, v)]).into_response(),
        Err(_) => refusal(Refusal::Page("The redirect URI is not a valid URL.".into())),
    }
}

fn refusal(r: Refusal) -> Response {
    match r {
        Refusal::Page(message) => message_page(StatusCode::BAD_REQUEST, "Sign-in failed", &message),
        Refusal::Redirect {
            to,
            fragment,
            state,
            error,
            description,
        } => {
            let mut params = vec![
                ("error", error),
                ("error_description", description.as_str()),
            ];
            if let Some(st) = &state {
                params.push(("state", st));
            }
            redirect(&to, fragment, &params)
        }
    }
}

/// The code grant of the token endpoint: the code is removed first, so it is redeemed at
/// most once whatever the outcome.
pub struct Redeemed {
    pub client_id: String,
    pub tenant: String,
    pub account: Account,
}

pub async fn redeem(s: &AppState, f: &HashMap<String, String>) -> Result<Redeemed, OAuthError> {
    let get = |k: &str| f.get(k).filter(|v| !v.is_empty());
    let code = get("code").ok_or_else(|| OAuthError::missing("code"))?;
    // Every parameter is present before the code is taken: a malformed request does not
    // burn it.
    let client_id = get("client_id").ok_or_else(|| OAuthError::missing("client_id"))?;
    let redirect_uri = get("redirect_uri").ok_or_else(|| OAuthError::missing("redirect_uri"))?;
    let verifier = get("code_verifier").ok_or_else(|| OAuthError::missing("code_verifier"))?;
    let taken = s
        .app
        .take_secret(&format!("{CODE_PREFIX}{code}"))
        .await
        .map_err(store_failure)?;
    let pending = taken.and_then(|t| serde_json::from_str::<Pending>(&t).ok());
    let now = chrono::Utc::now().timestamp();
    check(pending, client_id, redirect_uri, verifier, now)
}

/// Whether a taken code (`None`: unknown or already redeemed) is good for this request at
/// `now` (Unix seconds).
fn check(
    pending: Option<Pending>,
    client_id: &str,
    redirect_uri: &str,
    verifier: &str,
    now: i64,
) -> Result<Redeemed, OAuthError> {
    let invalid = |code: u32, message: &str| {
        OAuthError::bad_request(code, message.to_string()).with_error("invalid_grant")
    };
    let Some(p) = pending else {
        return Err(invalid(
            54005,
            "OAuth2 Authorization code was already redeemed or is not valid, please retry with a new valid code.",
        ));
    };
    if p.expires_at <= now {
        return Err(invalid(
            70008,
            "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        ));
    }
    if p.client_id != client_id {
        return Err(invalid(
            70000,
            "The provided value for the 'code' parameter is not valid. The code was issued to another client.",
        ));
    }
    if p.redirect_uri != redirect_uri {
        return Err(invalid(
            70000,
            "The provided value for the 'redirect_uri' parameter is not valid. It must be the redirect URI the code was requested with.",
        ));
    }
    let computed = match p.method {
        Method::Plain => verifier.to_string(),
        Method::S256 => B64.encode(Sha256::digest(verifier.as_bytes())),
    };
    if !super::constant_time_eq(computed.as_bytes(), p.challenge.as_bytes()) {
        return Err(invalid(
            50148,
            "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.",
        ));
    }
    Ok(Redeemed {
        client_id: p.client_id,
        tenant: p.tenant,
        account: p.account,
    })
}

/// `GET /{tenant}/oauth2/v2.0/logout`: tokens are not stored, so signing out is the
/// client forgetting its token; this only sends the browser back where it asked to go.
pub async fn logout(headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    match q.get("post_logout_redirect_uri") {
        Some(to) if redirect_allowed(to, host(&headers)) => redirect(to, false, &[]),
        _ => message_page(StatusCode::OK, "Signed out", "You have signed out."),
    }
}

// --- pages ---------------------------------------------------------------------------------

pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The page's frame: the portal's stylesheet, no script, never framed.
pub(super) fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · cerulean</title>
<link rel="icon" href="/portal/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/portal/style.css">
</head><body class="signin"><main class="signin-card">
<div class="brand"><span class="brand-mark" aria-hidden="true"></span>cerulean</div>
{body}
</main></body></html>"#,
        title = esc(title)
    );
    (
        status,
        [
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; script-src 'none'; frame-ancestors 'none'; form-action 'self'",
            ),
            (header::X_FRAME_OPTIONS, "DENY"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Html(page),
    )
        .into_response()
}

pub(super) fn message_page(status: StatusCode, title: &str, message: &str) -> Response {
    html(
        status,
        title,
        &format!(
            "<h1>{}</h1><p class=\"signin-error\" role=\"alert\">{}</p>",
            esc(title),
            esc(message)
        ),
    )
}

fn sign_in_page(
    id: &Identity,
    tenant: &str,
    req: &AuthRequest,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let hidden: String = req
        .raw
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                esc(k),
                esc(v)
            )
        })
        .collect();
    let action = format!("/{}/oauth2/v2.0/authorize", esc(tenant));
    let error = error
        .map(|e| format!("<p class=\"signin-error\" role=\"alert\">{}</p>", esc(e)))
        .unwrap_or_default();
    let directory = id.directory();
    let inner = match (directory.is_closed(), directory.users().is_empty()) {
        (false, _) => {
            let b = Account::builtin();
            format!(
                r#"<h1>Sign in</h1>
<p>This server has no <code>--principals</code> file, so it has one built-in user.</p>
<form method="post" action="{action}">{hidden}
<button class="primary wide" type="submit" name="continue" value="1" autofocus>Continue as {upn}</button>
</form>"#,
                upn = esc(&b.upn)
            )
        }
        (true, true) => r#"<h1>Sign in</h1>
<p class="signin-error" role="alert">No user can sign in: the <code>--principals</code> file lists no users. Add entries with <code>userName</code> and <code>password</code>.</p>"#
            .to_string(),
        (true, false) => format!(
            r#"<h1>Sign in</h1>{error}
<form method="post" action="{action}">{hidden}
<label for="username">User name</label>
<input id="username" name="username" type="text" autocomplete="username" autofocus required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button class="primary wide" type="submit">Sign in</button>
</form>"#
        ),
    };
    html(status, "Sign in", &inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_stay_on_this_host_or_loopback() {
        let h = Some("portal.example:8443");
        assert!(redirect_allowed("https://portal.example:8443/", h));
        assert!(redirect_allowed("https://127.0.0.1:9/cb", h));
        assert!(redirect_allowed("http://localhost/cb", None));
        assert!(redirect_allowed("http://[::1]:80/cb", None));
        assert!(!redirect_allowed("https://evil.example/", h));
        assert!(!redirect_allowed("https://portal.example.evil/", h));
        assert!(!redirect_allowed("javascript:alert(1)", h));
        assert!(!redirect_allowed("https://127.0.0.1/#x", h));
        assert!(!redirect_allowed("/relative", h));
    }

    fn pending(expires_at: i64) -> Pending {
        Pending {
            client_id: "c".into(),
            redirect_uri: "https://127.0.0.1/".into(),
            challenge: "v".repeat(43),
            method: Method::Plain,
            tenant: "t".into(),
            account: Account::builtin(),
            expires_at,
        }
    }

    fn try_code(p: Option<Pending>, client: &str, verifier: &str) -> Result<Redeemed, OAuthError> {
        check(p, client, "https://127.0.0.1/", verifier, 1_000)
    }

    #[test]
    fn expired_unknown_and_mismatched_codes_are_refused_and_fresh_ones_redeemed() {
        let v = "v".repeat(43);
        let e = try_code(Some(pending(1_000)), "c", &v)
            .err()
            .expect("expired");
        assert_eq!((e.error, e.code), ("invalid_grant", 70008));
        let e = try_code(None, "c", &v).err().expect("unknown");
        assert_eq!((e.error, e.code), ("invalid_grant", 54005));
        let e = try_code(Some(pending(1_001)), "other", &v)
            .err()
            .expect("client");
        assert_eq!((e.error, e.code), ("invalid_grant", 70000));
        let e = try_code(Some(pending(1_001)), "c", &"w".repeat(43))
            .err()
            .expect("pkce");
        assert_eq!((e.error, e.code), ("invalid_grant", 50148));
        let r = try_code(Some(pending(1_001)), "c", &v)
            .ok()
            .expect("redeemed");
        assert_eq!(r.account, Account::builtin());
    }

    #[test]
    fn a_stored_code_reads_back_as_it_was_written() {
        let text = serde_json::to_string(&pending(7)).unwrap();
        let back: Pending = serde_json::from_str(&text).unwrap();
        assert_eq!((back.expires_at, back.method), (7, Method::Plain));
        assert_eq!(back.account, Account::builtin());
    }

    #[test]
    fn pages_escape_what_they_echo() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
