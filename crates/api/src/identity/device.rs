//! The device code flow: codes are stored (any server sharing the store may be polled for the
//! token) and redeemed once; an unknown code gets no token.

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

/// Device codes are stored under this prefix, so that any server sharing the store can be
/// polled for the token.
const DEVICE_CODE_PREFIX: &str = "devicecode:";
/// How long a device code can be redeemed, as Entra's.
const DEVICE_CODE_LIFETIME_SECS: i64 = 900;
/// How long past its expiry a code is still answered as expired rather than unknown.
const DEVICE_CODE_GRACE_SECS: i64 = 3600;
/// Codes outstanding at most: the endpoint is open, so the store writes it causes are capped.
const MAX_DEVICE_CODES: i64 = 1000;

/// What a stored device code stands for.
#[derive(Serialize, Deserialize)]
struct DeviceCode {
    client_id: String,
    tenant: String,
    expires_at: i64,
}

/// A device code, stored and approved at once (cerulean has no sign-in page yet): the first
/// poll of the token endpoint redeems it. An approval step would store the code unapproved and
/// answer `authorization_pending` until it is approved.
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
    let code = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let expires_at = chrono::Utc::now().timestamp() + DEVICE_CODE_LIFETIME_SECS;
    let record = DeviceCode {
        client_id: client_id.clone(),
        tenant: resolve_tenant(tenant),
        expires_at,
    };
    let stored = s
        .app
        .insert_expiring_secret(
            &format!("{DEVICE_CODE_PREFIX}{code}"),
            serde_json::to_string(&record).expect("a device code serializes"),
            (expires_at + DEVICE_CODE_GRACE_SECS) * 1000,
            DEVICE_CODE_PREFIX,
            MAX_DEVICE_CODES,
        )
        .await
        .map_err(store_failure)?;
    if !stored {
        return Err(OAuthError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "temporarily_unavailable",
            90055,
            format!("There are too many pending device codes ({MAX_DEVICE_CODES}). Redeem or let them expire, then try again."),
        ));
    }
    let base = s.options.base_url(headers);
    let user_code = "CERULEAN";
    let uri = format!("{base}/devicelogin");
    Ok(Json(json!({
        "user_code": user_code,
        "device_code": code,
        "verification_uri": uri,
        "verification_url": uri,
        "expires_in": DEVICE_CODE_LIFETIME_SECS,
        "interval": 1,
        "message": format!(
            "To sign in, use a web browser to open the page {uri} and enter the code {user_code} to authenticate. (cerulean has already approved it.)"
        ),
    })))
}

/// Redeems a device code once, on whichever server it is polled; returns its tenant.
pub(super) async fn redeem(
    s: &AppState,
    code: &str,
    client_id: &str,
) -> Result<String, OAuthError> {
    let unknown = || {
        OAuthError::bad_request(
            70000,
            "The provided value for the input parameter 'device_code' is not valid.",
        )
        .with_error("invalid_grant")
    };
    let taken = s
        .app
        .take_secret(&format!("{DEVICE_CODE_PREFIX}{code}"))
        .await
        .map_err(store_failure)?
        .ok_or_else(unknown)?;
    let record: DeviceCode = serde_json::from_str(&taken).map_err(|_| unknown())?;
    if record.expires_at < chrono::Utc::now().timestamp() {
        return Err(OAuthError::bad_request(
            70020,
            "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
        )
        .with_error("expired_token"));
    }
    if record.client_id != client_id {
        return Err(unknown());
    }
    Ok(record.tenant)
}
