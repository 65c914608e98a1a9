//! The bearer-token check. It wraps every route that is not open by protocol (see
//! `routes::edge`): ARM's paths, cerulean's own administration and any path no route matches.
//! Refusals are [`ApiError`]s, so they leave through the one error mapping with ARM's
//! envelope and Azure's `WWW-Authenticate` challenge.

use super::{AuthMode, TokenProblem};
use crate::error::ApiError;
use crate::middleware::Run;
use crate::AppState;
use axum::extract::Request;
use axum::http::header::AUTHORIZATION;
use axum::response::{IntoResponse, Response};
use cerulean_domain::authz::{Principal, PrincipalType};
use cerulean_domain::subscription::DEFAULT_TENANT_ID;

pub use super::Audiences;

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

/// The bearer check: Graph's audiences on Graph's paths (`crate::graph`), ARM's on every
/// other path it wraps.
pub(crate) async fn require_bearer(s: &AppState, req: Request, next: impl Run) -> Response {
    let family = if is_graph_path(req.uri().path()) {
        Audiences::Graph
    } else {
        Audiences::Arm
    };
    check_bearer(s, family, req, next).await
}

/// Lets the request through if it carries a valid token for `family` (or auth is off, or the
/// server sent it to itself), noting who sent it ([`Caller`]); answers 401 with ARM's code
/// and message otherwise.
async fn check_bearer(
    s: &AppState,
    family: Audiences,
    mut req: Request,
    next: impl Run,
) -> Response {
    let identity = &s.options.identity;
    if identity.mode() == AuthMode::None
        || req
            .extensions()
            .get::<crate::internal::Internal>()
            .is_some()
    {
        return next.run(req).await;
    }
    let base = s.options.base_url(req.headers());
    let authority = format!("{base}/{DEFAULT_TENANT_ID}");
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
    // The claims are dropped before the await: what lives across it is in every request's
    // future.
    let caller = match identity.check_access(token, family, &base) {
        Ok(claims) => Caller::from_claims(&claims),
        Err(problem) => return refusal(problem, family, &base, authority).into_response(),
    };
    drop((base, authority));
    req.extensions_mut().insert(caller);
    next.run(req).await
}

/// ARM's answer to a token it will not take.
fn refusal(problem: TokenProblem, family: Audiences, base: &str, authority: String) -> ApiError {
    match problem {
        TokenProblem::Invalid => ApiError::InvalidAuthenticationToken {
            message: "The access token is invalid.".into(),
            authority,
        },
        TokenProblem::Expired { exp, now } => ApiError::InvalidAuthenticationToken {
            message: format!(
                "The access token expiry UTC time '{}' is earlier than current UTC time '{}'.",
                azure_time(exp),
                azure_time(now)
            ),
            authority,
        },
        TokenProblem::WrongAudience { aud } => {
            let allowed: Vec<String> = family
                .accepted(base)
                .into_iter()
                .map(|a| format!("'{a}'"))
                .collect();
            ApiError::InvalidAuthenticationTokenAudience {
                message: format!(
                    "The access token has been obtained for wrong audience or resource '{aud}'. It should exactly match with one of the allowed audiences {}.",
                    allowed.join(",")
                ),
                authority,
            }
        }
        TokenProblem::WrongIssuer { iss, tenant } => ApiError::InvalidAuthenticationTokenTenant {
            message: format!(
                "The access token is from the wrong issuer '{iss}'. It must match the tenant '{}' associated with this subscription. Please use the authority (URL) '{base}/{tenant}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.",
                super::access_issuer(&tenant)
            ),
            authority,
        },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn graph_paths() {
        assert!(super::is_graph_path("/v1.0/me"));
        assert!(super::is_graph_path("/beta/servicePrincipals"));
        assert!(!super::is_graph_path("/health"));
        assert!(!super::is_graph_path("/subscriptions"));
    }

    #[test]
    fn times_print_like_dotnet() {
        assert_eq!(super::azure_time(1_684_078_512), "5/14/2023 3:35:12 PM");
    }
}
