//! ARM paths are case-insensitive in their fixed words (`resourceGroups`, `providers`,
//! namespaces, resource types, actions) but names keep the caller's spelling. Before routing,
//! the fixed words are lower-cased so that the router matches one spelling; names pass
//! through untouched. Empty segments are dropped first: ARM answers `a//b` as `a/b` and
//! ignores a trailing slash, and clients rely on it (`az cloud register
//! --endpoint-resource-manager https://host/` asks for `//metadata/endpoints`; the SDK lists
//! deployments at `.../deployments/`).

use axum::http::{Request, Uri};
use std::borrow::Cow;
use std::task::{Context, Poll};
use tower::{Layer, Service};

/// The path without empty segments: repeated slashes collapse into one and a trailing slash
/// goes (`/` stays `/`).
pub fn collapse_slashes(path: &str) -> Cow<'_, str> {
    let clean =
        path.starts_with('/') && !path.contains("//") && (path.len() == 1 || !path.ends_with('/'));
    if clean {
        return Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len());
    for s in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(s);
    }
    if out.is_empty() {
        out.push('/');
    }
    Cow::Owned(out)
}

/// Lower-cases the fixed words of an ARM path (after [`collapse_slashes`]).
pub fn canonical(path: &str) -> String {
    let path = collapse_slashes(path);
    let mut out = String::with_capacity(path.len());
    // true when the next segment is a fixed word; names alternate with fixed words except
    // for the namespace after `providers`, which is fixed too.
    let mut fixed = true;
    let mut after_providers = false;
    for s in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        if fixed || after_providers {
            let start = out.len();
            out.push_str(s);
            out[start..].make_ascii_lowercase();
            let was_providers = &out[start..] == "providers";
            if after_providers {
                after_providers = false;
                fixed = true;
            } else if was_providers {
                after_providers = true;
                fixed = false;
            } else {
                fixed = false;
            }
        } else {
            out.push_str(s);
            fixed = true;
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// The path in the client's spelling (empty segments dropped), kept for logs, messages and
/// ids in the caller's case after canonicalisation.
#[derive(Clone, Debug)]
pub struct OriginalPath(pub String);

#[derive(Clone, Copy)]
pub struct CanonicalPathLayer;

impl<S> Layer<S> for CanonicalPathLayer {
    type Service = CanonicalPath<S>;
    fn layer(&self, inner: S) -> Self::Service {
        CanonicalPath { inner }
    }
}

#[derive(Clone)]
pub struct CanonicalPath<S> {
    inner: S,
}

impl<S, B> Service<Request<B>> for CanonicalPath<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        let uri = req.uri();
        let path = uri.path();
        let canon = canonical(path);
        if canon != path {
            let original = OriginalPath(collapse_slashes(path).into_owned());
            let pq = match uri.query() {
                Some(q) => format!("{canon}?{q}"),
                None => canon,
            };
            let mut parts = uri.clone().into_parts();
            if let Ok(p) = pq.parse() {
                parts.path_and_query = Some(p);
                if let Ok(u) = Uri::from_parts(parts) {
                    *req.uri_mut() = u;
                    req.extensions_mut().insert(original);
                }
            }
        }
        self.inner.call(req)
    }
}

/// The client's spelling of the request path.
pub fn original(req_path: &str, ext: &axum::http::Extensions) -> String {
    original_str(req_path, ext).to_string()
}

/// [`original`], borrowed.
pub fn original_str<'a>(req_path: &'a str, ext: &'a axum::http::Extensions) -> &'a str {
    ext.get::<OriginalPath>().map_or(req_path, |o| o.0.as_str())
}

#[cfg(test)]
mod tests {
    use super::{canonical, collapse_slashes};

    #[test]
    fn repeated_slashes_collapse() {
        assert_eq!(canonical("//metadata/endpoints"), "/metadata/endpoints");
        assert_eq!(
            canonical("/subscriptions//S///resourceGroups/Rg//"),
            "/subscriptions/S/resourcegroups/Rg"
        );
        assert_eq!(canonical("//"), "/");
        assert_eq!(canonical(""), "/");
        assert_eq!(collapse_slashes("/a/B"), "/a/B");
        assert_eq!(collapse_slashes("//a//B/"), "/a/B");
        assert!(matches!(
            collapse_slashes("/a/B"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn a_trailing_slash_is_ignored() {
        assert_eq!(
            canonical(
                "/subscriptions/S/resourceGroups/Rg/providers/Microsoft.Resources/deployments/"
            ),
            "/subscriptions/S/resourcegroups/Rg/providers/microsoft.resources/deployments"
        );
        assert_eq!(canonical("/"), "/");
    }

    #[test]
    fn fixed_words_fold_names_stay() {
        assert_eq!(
            canonical("/Subscriptions/S/resourceGroups/MyRg/Providers/Microsoft.Network/networkInterfaces/Nic1/ipConfigurations/Cfg"),
            "/subscriptions/S/resourcegroups/MyRg/providers/microsoft.network/networkinterfaces/Nic1/ipconfigurations/Cfg"
        );
        assert_eq!(
            canonical("/subscriptions/S/resourceGroups/Rg/providers/Microsoft.Compute/virtualMachines/Vm/Start"),
            "/subscriptions/S/resourcegroups/Rg/providers/microsoft.compute/virtualmachines/Vm/start"
        );
        assert_eq!(
            canonical(
                "/subscriptions/S/providers/Microsoft.Network/locations/EastUS/operations/ID"
            ),
            "/subscriptions/S/providers/microsoft.network/locations/EastUS/operations/ID"
        );
        assert_eq!(canonical("/Tenants"), "/tenants");
        assert_eq!(canonical("/health"), "/health");
        assert_eq!(canonical("/metadata/endpoints"), "/metadata/endpoints");
    }
}
