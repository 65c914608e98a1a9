//! The bearer-token check on ARM paths (`/subscriptions`, `/tenants`, `/providers`).
//! Refusals are [`ApiError`]s, so they leave through the one error mapping with ARM's
//! envelope and Azure's `WWW-Authenticate` challenge.

use super::{AuthMode, TokenProblem};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cerulean_domain::authz::{Principal, PrincipalType};
use cerulean_domain::subscription::DEFAULT_TENANT_ID;

/// True for the paths ARM authenticates. Paths arrive with their fixed words lower-cased.
pub(crate) fn is_arm_path(path: &str) -> bool {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    matches!(first, "subscriptions" | "tenants" | "providers")
}

/// True for the Microsoft Graph paths (`crate::graph`), which need a token too.
fn is_graph_path(path: &str) -> bool {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    matches!(first, "v1.0" | "beta")
}

/// Who sent a request, as its token says: set on every request whose token checked out, and
/// on requests the server sends itself on a caller's behalf (`crate::internal`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller(pub Principal);

impl Caller {
    fn from_claims(c: &super::Claims) -> Caller {
        let user = c.idtyp.as_deref() == Some("user");
        Caller(Principal {
            object_id: c.oid.to_ascii_lowercase(),
            client: if user {
                c.upn.clone().unwrap_or_else(|| c.oid.clone())
            } else {
                c.appid.clone().unwrap_or_else(|| c.oid.clone())
            },
            kind: if user {
                PrincipalType::User
            } else {
                PrincipalType::ServicePrincipal
            },
        })
    }
}

/// Excel's and .NET's default UTC format, as ARM prints times in its messages.
fn azure_time(epoch: i64) -> String {
    chrono::DateTime::from_timestamp(epoch, 0)
        .unwrap_or_default()
        .format("%-m/%-d/%Y %-I:%M:%S %p")
        .to_string()
}

pub async fn require_bearer(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    let identity = &s.options.identity;
    if identity.mode() == AuthMode::None
        || !(is_arm_path(req.uri().path()) || is_graph_path(req.uri().path()))
        || req
            .extensions()
            .get::<crate::internal::Internal>()
            .is_some()
    {
        return next.run(req).await;
    }
    let authority = format!(
        "{}/{}",
        s.options.base_url(req.headers()),
        DEFAULT_TENANT_ID
    );
    let Some(value) = req.headers().get(AUTHORIZATION) else {
        return ApiError::AuthenticationFailed {
            message: "Authentication failed. The 'Authorization' header is missing.".into(),
            challenge: "The authentication failed because of missing 'Authorization' header."
                .into(),
            authority,
        }
        .into_response();
    };
    let token = value.to_str().ok().and_then(|v| {
        let (scheme, rest) = v.trim().split_once(' ')?;
        let rest = rest.trim();
        (scheme.eq_ignore_ascii_case("bearer") && !rest.is_empty()).then_some(rest)
    });
    let Some(token) = token else {
        return ApiError::AuthenticationFailed {
            message: "Authentication failed. The 'Authorization' header is provided in an invalid format."
                .into(),
            challenge: "The authentication failed because of invalid 'Authorization' header format."
                .into(),
            authority,
        }
        .into_response();
    };
    match identity.verify(token) {
        Ok(claims) if claims.cerulean_use.is_none() => {
            req.extensions_mut().insert(Caller::from_claims(&claims));
            next.run(req).await
        }
        Ok(_) | Err(TokenProblem::Invalid) => ApiError::InvalidAuthenticationToken {
            message: "The access token is invalid.".into(),
            authority,
        }
        .into_response(),
        Err(TokenProblem::Expired { exp, now }) => ApiError::InvalidAuthenticationToken {
            message: format!(
                "The access token expiry UTC time '{}' is earlier than current UTC time '{}'.",
                azure_time(exp),
                azure_time(now)
            ),
            authority,
        }
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn arm_paths() {
        assert!(super::is_arm_path("/subscriptions"));
        assert!(super::is_arm_path("/subscriptions/x/resourcegroups"));
        assert!(super::is_arm_path("/tenants"));
        assert!(super::is_arm_path(
            "/providers/microsoft.network/operations"
        ));
        assert!(!super::is_arm_path("/health"));
        assert!(!super::is_arm_path("/metadata/endpoints"));
        assert!(!super::is_arm_path("/cerulean/info"));
        assert!(!super::is_arm_path("/common/oauth2/v2.0/token"));
        assert!(!super::is_arm_path("/msi/token"));
        assert!(super::is_graph_path("/v1.0/me"));
        assert!(!super::is_graph_path("/health"));
    }

    #[test]
    fn times_print_like_dotnet() {
        assert_eq!(super::azure_time(1_684_078_512), "5/14/2023 3:35:12 PM");
    }
}
