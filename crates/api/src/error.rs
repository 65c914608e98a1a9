//! The one mapping from failures to HTTP: every error any layer raises ends here, and
//! leaves as ARM's envelope `{"error": {"code", "message", "target", "details"}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cerulean_app::AppError;
use cerulean_domain::{DomainError, ErrorClass};
use cerulean_store::StoreError;
use serde_json::{json, Value};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ApiError {
    #[error(transparent)]
    App(#[from] AppError),

    #[error("The api-version query parameter (?api-version=) is required for all requests.")]
    MissingApiVersion,

    #[error("The api-version '{0}' is invalid. The supported versions are well-formed dates such as '2024-07-01', optionally with a '-preview' suffix.")]
    InvalidApiVersion(String),

    #[error("The request content was invalid and could not be deserialized: '{0}'.")]
    InvalidRequestContent(String),

    #[error(
        "The request content length exceeds the maximum of {} bytes.",
        crate::MAX_BODY
    )]
    RequestTooLarge,

    /// The body did not arrive within `--body-timeout`.
    #[error("The request body was not received in time. Send the whole request without pausing.")]
    RequestTimeout,

    /// A body whose `Content-Type` is not JSON (empty: none was given).
    #[error(
        "The content media type '{0}' is not supported. Only 'application/json' is supported."
    )]
    UnsupportedMediaType(String),

    /// A path whose percent-encoding does not decode to UTF-8. (GUESS: ARM's code for it is
    /// not documented; its sibling for double encoding is `InvalidDoubleEncodedRequestUri`.)
    #[error("The request URI '{0}' is not valid: its percent-encoded bytes are not UTF-8.")]
    InvalidRequestUri(String),

    /// A request that changes state sent by a web page of another origin (cerulean's own rule:
    /// ARM relies on tokens alone, and `--auth none` has none).
    #[error("Requests that change state are not accepted from another origin: this one came from '{origin}'. Send it from a client, not from a web page.")]
    CrossOriginRequest { origin: String },

    #[error("The requested resource does not support http method '{0}'.")]
    MethodNotAllowed(String),

    /// A request URI longer than [`crate::middleware::MAX_URI_BYTES`]. (GUESS: ARM's front end
    /// answers 414 with HTTP.sys's own page, not an envelope; the code names the status.)
    #[error("The request URI is {0} bytes long; the maximum is {max} bytes.", max = crate::middleware::MAX_URI_BYTES)]
    RequestUriTooLong(usize),

    /// Request headers larger than [`crate::middleware::MAX_HEADER_BYTES`] in all. (GUESS, as
    /// above.)
    #[error("The request headers are {0} bytes in all; the maximum is {max} bytes.", max = crate::middleware::MAX_HEADER_BYTES)]
    RequestHeaderFieldsTooLarge(usize),

    /// A head with more header fields than the connection layer parses
    /// ([`crate::MAX_HEADER_FIELDS`]), or larger than it buffers: hyper refuses it before the
    /// request exists, and the connection's stream puts its bare 431 into this envelope
    /// (`cerulean::bare`). (GUESS, as above.)
    #[error("The request head is too large: at most {fields} header fields and {bytes} bytes of headers are accepted.", fields = crate::MAX_HEADER_FIELDS, bytes = crate::middleware::MAX_HEADER_BYTES)]
    HeadTooLarge,

    /// A URI past what the connection layer buffers (65,534 bytes over HTTP/1.1): hyper's bare
    /// 414, put into the envelope like [`ApiError::HeadTooLarge`]. Its length is not known.
    #[error("The request URI is longer than the maximum of {max} bytes.", max = crate::middleware::MAX_URI_BYTES)]
    UriTooLongToBuffer,

    /// A request line or header that does not parse as HTTP/1.1: hyper's bare 400, put into
    /// the envelope like [`ApiError::HeadTooLarge`]. (GUESS: HTTP.sys answers it with its own
    /// page.)
    #[error("The request is not valid HTTP/1.1: its request line or one of its headers could not be parsed.")]
    MalformedRequest,

    #[error("The requested path '{0}' was not found.")]
    NotFound(String),

    #[error(
        "cerulean does not implement {0} yet. See docs/compatibility.md for what is supported."
    )]
    NotImplemented(String),

    /// No usable `Authorization` header on an ARM path. `challenge` is the
    /// `error_description` of the `WWW-Authenticate` header, `authority` its
    /// `authorization_uri`.
    #[error("{message}")]
    AuthenticationFailed {
        message: String,
        challenge: String,
        authority: String,
    },

    /// A bearer token that is malformed, expired or not signed by this server.
    #[error("{message}")]
    InvalidAuthenticationToken { message: String, authority: String },

    /// A valid token meant for another service.
    #[error("{message}")]
    InvalidAuthenticationTokenAudience { message: String, authority: String },

    /// A valid token of a tenant this server does not know, or from the wrong issuer.
    #[error("{message}")]
    InvalidAuthenticationTokenTenant { message: String, authority: String },
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        ApiError::App(AppError::Domain(e))
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::App(AppError::Store(e))
    }
}

pub fn class_status(class: ErrorClass) -> StatusCode {
    match class {
        ErrorClass::BadRequest => StatusCode::BAD_REQUEST,
        ErrorClass::NotFound => StatusCode::NOT_FOUND,
        ErrorClass::Conflict => StatusCode::CONFLICT,
        ErrorClass::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
        ErrorClass::NotImplemented => StatusCode::NOT_IMPLEMENTED,
        ErrorClass::Forbidden => StatusCode::FORBIDDEN,
    }
}

impl ApiError {
    /// `(status, code, target, details)`
    fn parts(&self) -> (StatusCode, &'static str, Option<String>, Vec<Value>) {
        match self {
            ApiError::App(AppError::Domain(e)) => (
                class_status(e.class()),
                e.code(),
                e.target(),
                e.details()
                    .into_iter()
                    .map(|d| json!({"code": d.code, "message": d.message, "target": d.target}))
                    .collect(),
            ),
            ApiError::App(AppError::Store(StoreError::Conflict { .. } | StoreError::Retry)) => {
                (StatusCode::CONFLICT, "Conflict", None, vec![])
            }
            ApiError::App(AppError::Store(StoreError::Closed)) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                None,
                vec![],
            ),
            ApiError::App(AppError::Store(_)) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalServerError",
                None,
                vec![],
            ),
            ApiError::MissingApiVersion => (
                StatusCode::BAD_REQUEST,
                "MissingApiVersionParameter",
                Some("api-version".into()),
                vec![],
            ),
            ApiError::InvalidApiVersion(_) => (
                StatusCode::BAD_REQUEST,
                "InvalidApiVersionParameter",
                Some("api-version".into()),
                vec![],
            ),
            ApiError::InvalidRequestContent(_) => (
                StatusCode::BAD_REQUEST,
                "InvalidRequestContent",
                None,
                vec![],
            ),
            ApiError::RequestTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestEntityTooLarge",
                None,
                vec![],
            ),
            ApiError::RequestTimeout => {
                (StatusCode::REQUEST_TIMEOUT, "RequestTimeout", None, vec![])
            }
            ApiError::UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UnsupportedMediaType",
                None,
                vec![],
            ),
            ApiError::InvalidRequestUri(_) => {
                (StatusCode::BAD_REQUEST, "InvalidRequestUri", None, vec![])
            }
            ApiError::CrossOriginRequest { .. } => (
                StatusCode::FORBIDDEN,
                "CrossOriginRequestRefused",
                None,
                vec![],
            ),
            ApiError::MethodNotAllowed(_) => (
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                None,
                vec![],
            ),
            ApiError::RequestUriTooLong(_) => {
                (StatusCode::URI_TOO_LONG, "RequestUriTooLong", None, vec![])
            }
            ApiError::RequestHeaderFieldsTooLarge(_) => (
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "RequestHeaderFieldsTooLarge",
                None,
                vec![],
            ),
            ApiError::HeadTooLarge => (
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "RequestHeaderFieldsTooLarge",
                None,
                vec![],
            ),
            ApiError::UriTooLongToBuffer => {
                (StatusCode::URI_TOO_LONG, "RequestUriTooLong", None, vec![])
            }
            ApiError::MalformedRequest => (StatusCode::BAD_REQUEST, "BadRequest", None, vec![]),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "NotFound", None, vec![]),
            ApiError::NotImplemented(_) => {
                (StatusCode::NOT_IMPLEMENTED, "NotImplemented", None, vec![])
            }
            ApiError::AuthenticationFailed { .. } => (
                StatusCode::UNAUTHORIZED,
                "AuthenticationFailed",
                None,
                vec![],
            ),
            ApiError::InvalidAuthenticationToken { .. } => (
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationToken",
                None,
                vec![],
            ),
            ApiError::InvalidAuthenticationTokenAudience { .. } => (
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationTokenAudience",
                None,
                vec![],
            ),
            ApiError::InvalidAuthenticationTokenTenant { .. } => (
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationTokenTenant",
                None,
                vec![],
            ),
        }
    }

    /// ARM's bearer challenge for authentication failures.
    fn www_authenticate(&self) -> Option<String> {
        let (authority, description) = match self {
            ApiError::AuthenticationFailed {
                challenge,
                authority,
                ..
            } => (authority, challenge.clone()),
            ApiError::InvalidAuthenticationToken { message, authority }
            | ApiError::InvalidAuthenticationTokenAudience { message, authority }
            | ApiError::InvalidAuthenticationTokenTenant { message, authority } => {
                (authority, message.clone())
            }
            _ => return None,
        };
        Some(format!(
            "Bearer authorization_uri=\"{authority}\", error=\"invalid_token\", error_description=\"{}\"",
            description.replace('"', "'")
        ))
    }

    /// What the connection layer refused with `status` before any request reached the
    /// service: hyper's bare 400, 414 and 431.
    pub fn connection_refusal(status: u16) -> Option<ApiError> {
        match status {
            400 => Some(ApiError::MalformedRequest),
            414 => Some(ApiError::UriTooLongToBuffer),
            431 => Some(ApiError::HeadTooLarge),
            _ => None,
        }
    }

    /// The `error` object, as also embedded in failed operation statuses.
    pub fn body(&self) -> Value {
        let (_, code, target, details) = self.parts();
        let message = match self {
            ApiError::App(AppError::Store(e)) => storage_message(e),
            other => other.to_string(),
        };
        let mut err = json!({"code": code, "message": message});
        if let Some(t) = target {
            err["target"] = json!(t);
        }
        if !details.is_empty() {
            err["details"] = json!(details);
        }
        json!({ "error": err })
    }
}

fn storage_message(e: &StoreError) -> String {
    match e {
        StoreError::Conflict { .. } | StoreError::Retry => {
            "The request conflicted with a concurrent change. Retry the request.".into()
        }
        StoreError::Closed => "The server is shutting down.".into(),
        other => {
            tracing::error!(error = %other, "storage failure");
            "The server encountered an internal error. Please retry the request.".into()
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, ..) = self.parts();
        let mut resp = (status, axum::Json(self.body())).into_response();
        if matches!(self, ApiError::RequestTooLarge | ApiError::RequestTimeout) {
            // The rest of the body may be unread, so the connection cannot be reused.
            resp.headers_mut()
                .insert("connection", axum::http::HeaderValue::from_static("close"));
        }
        if let Ok(v) = code.parse() {
            resp.headers_mut().insert("x-ms-failure-cause", v);
        }
        if let Some(Ok(v)) = self.www_authenticate().map(|c| c.parse()) {
            resp.headers_mut()
                .insert(axum::http::header::WWW_AUTHENTICATE, v);
        }
        resp
    }
}
