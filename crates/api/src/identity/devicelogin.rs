//! The device-login page (`/devicelogin`, Entra's `microsoft.com/devicelogin`): where a user
//! enters the code a device shows (`az login --use-device-code`, azure-identity's
//! `DeviceCodeCredential`) and signs in, with a password from `--principals`. The device's
//! next poll then gets a token for that user (`device.rs`).
//!
//! One form, code and credentials together: the credentials are checked before the code is
//! touched, so a mistyped password leaves the code waiting. Its second button declines the
//! code (Entra's Cancel, after sign-in): the device's next poll is `authorization_declined`.
//! Declining needs the password too, so that the code on the device's screen is not enough
//! to spoil it.

use super::authorize::{esc, html, message_page, Account};
use super::device::{answer, normalize_user_code, Answer, USER_CODE_LEN};
use super::routes::read_form;
use crate::AppState;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

/// `GET /devicelogin`: the form, with the code filled in from `?code=` when given.
pub async fn page(State(s): State<AppState>, Query(q): Query<HashMap<String, String>>) -> Response {
    let code = q.get("code").map(String::as_str).unwrap_or("");
    form(&s, code, None)
}

/// `POST /devicelogin`: signs the code in, or shows the form again with what went wrong.
pub async fn sign_in(State(s): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let f = match read_form(&s, &headers, body).await {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let field = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    let typed = field("code");
    let id = &s.options.identity;
    if !id.directory().is_closed() {
        return form(&s, typed, None);
    }
    let (name, password) = (field("username"), field("password"));
    let Some((oid, upn, display_name)) = id.check_user(name, password) else {
        let message = if name.trim().is_empty() {
            "Enter a valid user name."
        } else {
            "Your account or password is incorrect."
        };
        return form(&s, typed, Some(message));
    };
    let bad_code =
        "That code didn't work. Check the code and try again: it may have expired or been used.";
    let Some(user_code) = normalize_user_code(typed) else {
        return form(&s, typed, Some(bad_code));
    };
    let account = Account {
        oid,
        upn,
        name: display_name,
    };
    let upn = account.upn.clone();
    let decline = field("decline") == "1";
    let said = if decline {
        Answer::Decline
    } else {
        Answer::Allow(account)
    };
    match answer(&s, &user_code, said).await {
        Err(e) => e.into_response(),
        Ok(None) => form(&s, typed, Some(bad_code)),
        Ok(Some(client_id)) if decline => message_page(
            StatusCode::OK,
            "Sign-in declined",
            &format!(
                "You declined to sign in to the application '{client_id}' on your device. You may now close this window."
            ),
        ),
        Ok(Some(client_id)) => message_page(
            StatusCode::OK,
            "You're signed in",
            &format!(
                "You have signed in to the application '{client_id}' on your device as {upn}. You may now close this window."
            ),
        ),
    }
}

/// The form; without `--principals` only a note, since codes are approved as they are issued.
fn form(s: &AppState, code: &str, error: Option<&str>) -> Response {
    let directory = s.options.identity.directory();
    if !directory.is_closed() {
        return message_page(
            StatusCode::OK,
            "Enter code",
            "This server has no --principals file, so device codes are approved as they are issued, as its built-in user: your device already has its token.",
        );
    }
    if directory.users().is_empty() {
        return message_page(
            StatusCode::OK,
            "Enter code",
            "No user can sign in: the --principals file lists no users. Add entries with userName and password.",
        );
    }
    let error = error
        .map(|e| format!("<p class=\"signin-error\" role=\"alert\">{}</p>", esc(e)))
        .unwrap_or_default();
    // The typed code is echoed back, capped (the form's own limit is the code's length).
    let code: String = code.chars().take(4 * USER_CODE_LEN).collect();
    let inner = format!(
        r#"<h1>Enter code</h1>{error}
<p>Enter the code shown on your device, then sign in to allow it access.</p>
<form method="post" action="/devicelogin">
<label for="code">Code</label>
<input id="code" name="code" type="text" value="{code}" autocomplete="off" autocapitalize="characters" spellcheck="false" required autofocus>
<label for="username">User name</label>
<input id="username" name="username" type="text" autocomplete="username" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button class="primary wide" type="submit">Sign in</button>
<button class="wide" type="submit" name="decline" value="1">Sign in and decline</button>
</form>"#,
        code = esc(&code)
    );
    html(StatusCode::OK, "Enter code", &inner)
}
