//! What answers when no route matches.

use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::http::{Extensions, Method, Uri};

/// An ARM-shaped path under a provider we do not model is a 501 naming the operation (after
/// the subscription check, as ARM does); anything else is a 404 with the envelope.
pub async fn unknown(
    State(s): State<AppState>,
    method: Method,
    uri: Uri,
    ext: Extensions,
) -> ApiError {
    let original = crate::path::original(uri.path(), &ext);
    let path = original.as_str();
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    if segs
        .first()
        .is_some_and(|s| s.eq_ignore_ascii_case("subscriptions"))
        && segs.len() >= 2
    {
        if let Err(e) = s.app.subscription(segs[1]).await {
            return e.into();
        }
        if !is_arm_method(&method) {
            return ApiError::MethodNotAllowed(method.to_string());
        }
        if let Some(p) = segs
            .iter()
            .position(|s| s.eq_ignore_ascii_case("providers"))
        {
            let type_path: Vec<&str> = segs[p + 1..]
                .iter()
                .enumerate()
                .filter(|(i, _)| *i == 0 || i % 2 == 1)
                .map(|(_, s)| *s)
                .collect();
            // A path that ends at `providers` names no type: say the whole path.
            let what = if type_path.is_empty() {
                path.to_string()
            } else {
                type_path.join("/")
            };
            return ApiError::NotImplemented(format!("{method} {what}"));
        }
    }
    ApiError::NotFound(path.to_string())
}

/// The methods ARM's operations use. Any other (OPTIONS, TRACE, CONNECT, ...) names no
/// operation on any resource, so ARM refuses it as 405 `MethodNotAllowed` ("The requested
/// resource does not support http method 'OPTIONS'." — the answer ARM gives a method a
/// resource does not serve, e.g. Azure/azure-powershell#9709 for POST), not cerulean's 501
/// for an operation it has yet to implement.
pub(super) fn is_arm_method(m: &Method) -> bool {
    matches!(
        *m,
        Method::GET | Method::HEAD | Method::PUT | Method::PATCH | Method::POST | Method::DELETE
    )
}

/// A method an open-ended route does not serve: the route stands for operations cerulean
/// has not modelled (the generic route, whose POST would be an action of any provider), so
/// Azure may serve one there, and cerulean's answer is that it does not implement it (501).
/// A method ARM never uses is 405 there too.
pub async fn not_implemented(method: Method, uri: Uri, ext: Extensions) -> ApiError {
    if !is_arm_method(&method) {
        return ApiError::MethodNotAllowed(method.to_string());
    }
    ApiError::NotImplemented(format!(
        "{method} {}",
        crate::path::original(uri.path(), &ext)
    ))
}

/// A route with a method it does not serve. ARM's routes each serve every method Azure's
/// REST specifications give their path, so a method one lacks is one Azure lacks there
/// too: 405 with ASP.NET's message, as Microsoft.Network answers a PUT on a virtual
/// network's subnet collection (hashicorp/terraform-provider-azurerm#3178). An open-ended
/// route, or one serving only part of Azure's methods for its path, sets
/// [`not_implemented`] as its own fallback instead.
pub async fn method_not_allowed(method: Method) -> ApiError {
    ApiError::MethodNotAllowed(method.to_string())
}
