//! The device code flow (RFC 8628), as Entra ID runs it: a device asks for a code, the user
//! enters its user code on the device-login page (`devicelogin.rs`) and signs in there, and
//! the device polls the token endpoint, answered `authorization_pending` until then.
//!
//! Without `--principals` there is no one to sign in but the built-in user, who needs no
//! password, so a code is approved as that user when it is issued and the first poll gets
//! its token. With `--principals` a code waits for a listed user to sign in: issuing it
//! approves no one, so the flow is no way around the password.
//!
//! A code is one stored secret (any server sharing the store may be polled or sign it in),
//! named by its user code. The device code is the user code followed by a random secret, so
//! that knowing the user code (it is shown on screen) is not enough to redeem it.

use super::authorize::Account;
use super::routes::{check_tenant, read_form, resolve_tenant, store_failure, OAuthError};
use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub(super) async fn devicecode(
    State(s): State<AppState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, OAuthError> {
    check_tenant(&s, &tenant)?;
    device_answer(&s, &headers, &tenant, body).await
}

pub(super) async fn adfs_devicecode(
    State(s): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, OAuthError> {
    device_answer(&s, &headers, "adfs", body).await
}

/// Device codes are stored under this prefix and their user code, so that any server sharing
/// the store can be polled for the token or sign the code in.
const DEVICE_CODE_PREFIX: &str = "devicecode:";
/// How long a device code can be redeemed, as Entra's.
const DEVICE_CODE_LIFETIME_SECS: i64 = 900;
/// How long past its expiry a code is still answered as expired rather than unknown.
const DEVICE_CODE_GRACE_SECS: i64 = 3600;
/// Codes outstanding at most: the endpoint is open, so the store writes it causes are capped.
const MAX_DEVICE_CODES: i64 = 1000;
/// A user code's letters: capitals and digits that no one mistakes for another (no I, O, 0,
/// 1, and no vowels, so that no word is spelled by chance).
const USER_CODE_ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ23456789";
/// A user code's length, as Entra's (e.g. `FJ8VMYE5B`): 28^9, about 2^43 codes.
pub(super) const USER_CODE_LEN: usize = 9;

/// What a stored device code stands for.
#[derive(Serialize, Deserialize)]
struct DeviceCode {
    client_id: String,
    tenant: String,
    /// Unix seconds.
    expires_at: i64,
    /// The part of the device code after its user code.
    secret: String,
    /// Who signed it in; `None` while the device waits.
    account: Option<Account>,
    /// Whether the user who signed in declined it instead.
    #[serde(default)]
    declined: bool,
}

/// A fresh user code.
fn new_user_code() -> String {
    let mut n = uuid::Uuid::new_v4().as_u128();
    let base = USER_CODE_ALPHABET.len() as u128;
    (0..USER_CODE_LEN)
        .map(|_| {
            let c = USER_CODE_ALPHABET[(n % base) as usize] as char;
            n /= base;
            c
        })
        .collect()
}

/// A user code as typed (any case, with spaces or dashes) in its stored form, if it can be
/// one.
pub(super) fn normalize_user_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid =
        code.len() == USER_CODE_LEN && code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b));
    valid.then_some(code)
}

fn secret_name(user_code: &str) -> String {
    format!("{DEVICE_CODE_PREFIX}{user_code}")
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A device code, stored; approved at once as the built-in user when the server has no
/// `--principals` (no one else could sign it in), else waiting for a user to sign it in.
async fn device_answer(
    s: &AppState,
    headers: &HeaderMap,
    tenant: &str,
    body: Body,
) -> Result<Json<Value>, OAuthError> {
    let f = read_form(s, headers, body).await?;
    let Some(client_id) = f.get("client_id").filter(|c| !c.is_empty()) else {
        return Err(OAuthError::missing("client_id"));
    };
    let approved_at_once = !s.options.identity.directory().is_closed();
    let expires_at = now() + DEVICE_CODE_LIFETIME_SECS;
    let record = DeviceCode {
        client_id: client_id.clone(),
        tenant: resolve_tenant(tenant),
        expires_at,
        secret: uuid::Uuid::new_v4().simple().to_string(),
        account: approved_at_once.then(Account::builtin),
        declined: false,
    };
    let value = serde_json::to_string(&record).expect("a device code serializes");
    // A user code already given out (one chance in billions) refuses the insert, as the
    // cap does: a few tries tell them apart.
    let mut issued = None;
    for _ in 0..3 {
        let user_code = new_user_code();
        let stored = s
            .app
            .insert_expiring_secret(
                &secret_name(&user_code),
                value.clone(),
                (expires_at + DEVICE_CODE_GRACE_SECS) * 1000,
                DEVICE_CODE_PREFIX,
                MAX_DEVICE_CODES,
            )
            .await
            .map_err(store_failure)?;
        if stored {
            issued = Some(user_code);
            break;
        }
    }
    let Some(user_code) = issued else {
        return Err(OAuthError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "temporarily_unavailable",
            90055,
            format!("There are too many pending device codes ({MAX_DEVICE_CODES}). Redeem or let them expire, then try again."),
        ));
    };
    let uri = format!("{}/devicelogin", s.options.base_url(headers));
    let mut message = format!(
        "To sign in, use a web browser to open the page {uri} and enter the code {user_code} to authenticate."
    );
    if approved_at_once {
        message.push_str(
            " (cerulean has already approved it: without --principals everyone signs in as its built-in user.)",
        );
    }
    Ok(Json(json!({
        "user_code": user_code,
        "device_code": format!("{user_code}{}", record.secret),
        "verification_uri": uri,
        "verification_url": uri,
        "expires_in": DEVICE_CODE_LIFETIME_SECS,
        "interval": 1,
        "message": message,
    })))
}

/// What a poll of the token endpoint finds.
#[derive(Debug, PartialEq, Eq)]
enum Poll {
    /// No such code (or not this device's secret): nothing is spent.
    Unknown,
    /// No one has signed it in yet: the device polls again.
    Pending,
    Expired,
    /// Polled by another application: spent, as Entra refuses it.
    OtherClient,
    /// The user declined it on the device-login page: spent.
    Declined,
    Approved {
        tenant: String,
        account: Account,
    },
}

impl Poll {
    /// Whether the poll spends the code.
    fn spends(&self) -> bool {
        matches!(
            self,
            Poll::Expired | Poll::OtherClient | Poll::Declined | Poll::Approved { .. }
        )
    }
}

/// What a poll by `client_id` with the device code's `secret` finds in the stored `record`
/// at `now` (Unix seconds).
fn poll(record: &str, secret: &str, client_id: &str, now: i64) -> Poll {
    let Ok(r) = serde_json::from_str::<DeviceCode>(record) else {
        return Poll::Unknown;
    };
    if !super::constant_time_eq(secret.as_bytes(), r.secret.as_bytes()) {
        return Poll::Unknown;
    }
    if r.expires_at < now {
        return Poll::Expired;
    }
    if r.client_id != client_id {
        return Poll::OtherClient;
    }
    if r.declined {
        return Poll::Declined;
    }
    match r.account {
        None => Poll::Pending,
        Some(account) => Poll::Approved {
            tenant: r.tenant,
            account,
        },
    }
}

/// The device code grant, on whichever server it is polled: the tenant and the account that
/// signed the code in, once; `authorization_pending` until someone has.
pub(super) async fn redeem(
    s: &AppState,
    code: &str,
    client_id: &str,
) -> Result<(String, Account), OAuthError> {
    let unknown = || {
        OAuthError::bad_request(
            70000,
            "The provided value for the input parameter 'device_code' is not valid.",
        )
        .with_error("invalid_grant")
    };
    let (user_code, secret) = match code.get(..USER_CODE_LEN) {
        Some(u) if normalize_user_code(u).as_deref() == Some(u) => (u, &code[USER_CODE_LEN..]),
        _ => return Err(unknown()),
    };
    let (secret, client) = (secret.to_string(), client_id.to_string());
    let found = s
        .app
        .take_secret_if(&secret_name(user_code), move |record| {
            let found = poll(record, &secret, &client, now());
            let spends = found.spends();
            (found, spends)
        })
        .await
        .map_err(store_failure)?;
    match found.unwrap_or(Poll::Unknown) {
        Poll::Unknown | Poll::OtherClient => Err(unknown()),
        Poll::Pending => Err(OAuthError::bad_request(
            70016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        )
        .with_error("authorization_pending")),
        Poll::Expired => Err(OAuthError::bad_request(
            70020,
            "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
        )
        .with_error("expired_token")),
        // Entra's error (its documented device-flow errors); the AADSTS number is a GUESS.
        Poll::Declined => Err(OAuthError::bad_request(
            70000,
            "The end user has denied the authorization request.",
        )
        .with_error("authorization_declined")),
        // Approved as the built-in user by a server without `--principals` (before a restart
        // with them, or a replica configured apart): no one here may sign in as that user.
        Poll::Approved { account, .. }
            if account == Account::builtin() && s.options.identity.directory().is_closed() =>
        {
            Err(unknown())
        }
        Poll::Approved { tenant, account } => Ok((tenant, account)),
    }
}

/// What the user who signed in on the device-login page says of the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Answer {
    Allow(Account),
    Decline,
}

/// Answers a waiting code (the device-login page): the application that asked for it, or
/// `None` when the code is unknown, expired or already answered (the page cannot tell them
/// apart for the user).
pub(super) async fn answer(
    s: &AppState,
    user_code: &str,
    answer: Answer,
) -> Result<Option<String>, OAuthError> {
    let changed = s
        .app
        .change_secret(&secret_name(user_code), move |record| {
            answered(record, &answer, now())
        })
        .await
        .map_err(store_failure)?;
    Ok(changed
        .and_then(|r| serde_json::from_str::<DeviceCode>(&r).ok())
        .map(|r| r.client_id))
}

/// The stored `record` answered at `now`, if it is waiting.
fn answered(record: &str, answer: &Answer, now: i64) -> Option<String> {
    let mut r = serde_json::from_str::<DeviceCode>(record).ok()?;
    if r.account.is_some() || r.declined || r.expires_at < now {
        return None;
    }
    match answer {
        Answer::Allow(account) => r.account = Some(account.clone()),
        Answer::Decline => r.declined = true,
    }
    serde_json::to_string(&r).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(account: Option<Account>) -> String {
        serde_json::to_string(&DeviceCode {
            client_id: "cli".into(),
            tenant: "t".into(),
            expires_at: 100,
            secret: "s3".into(),
            account,
            declined: false,
        })
        .unwrap()
    }

    #[test]
    fn user_codes_are_nine_unambiguous_capitals_and_typed_loosely() {
        for _ in 0..200 {
            let c = new_user_code();
            assert_eq!(normalize_user_code(&c).as_deref(), Some(c.as_str()));
        }
        assert_eq!(
            normalize_user_code(" bcd-fgh jkl ").as_deref(),
            Some("BCDFGHJKL")
        );
        for bad in ["BCDFGHJK", "BCDFGHJKLM", "BCDFGHJK0", "ABCDFGHJK", ""] {
            assert_eq!(normalize_user_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_poll_waits_until_signed_in_and_spends_only_what_it_must() {
        let ada = Account::builtin();
        let waiting = record(None);
        assert_eq!(poll(&waiting, "s3", "cli", 50), Poll::Pending);
        assert!(!poll(&waiting, "s3", "cli", 50).spends());
        // Knowing the user code is not enough, and spends nothing.
        assert_eq!(poll(&waiting, "s4", "cli", 50), Poll::Unknown);
        assert!(!Poll::Unknown.spends());
        assert_eq!(poll(&waiting, "s3", "other", 50), Poll::OtherClient);
        assert_eq!(poll(&waiting, "s3", "cli", 101), Poll::Expired);
        assert_eq!(poll("not json", "s3", "cli", 50), Poll::Unknown);
        let signed = answered(&waiting, &Answer::Allow(ada.clone()), 50)
            .expect("a waiting code is signed in");
        let found = poll(&signed, "s3", "cli", 50);
        assert!(found.spends());
        assert_eq!(
            found,
            Poll::Approved {
                tenant: "t".into(),
                account: ada.clone()
            }
        );
    }

    #[test]
    fn only_a_waiting_unexpired_code_is_answered() {
        let allow = Answer::Allow(Account::builtin());
        assert!(answered(&record(Some(Account::builtin())), &allow, 50).is_none());
        assert!(answered(&record(None), &allow, 101).is_none());
        assert!(answered("{}", &allow, 50).is_none());
        let declined = answered(&record(None), &Answer::Decline, 50).expect("declined");
        assert_eq!(poll(&declined, "s3", "cli", 50), Poll::Declined);
        assert!(Poll::Declined.spends());
        assert!(
            answered(&declined, &allow, 50).is_none(),
            "a declined code stays declined"
        );
    }
}
