//! The platform image catalogue under
//! `/subscriptions/{sub}/providers/Microsoft.Compute/locations/{loc}/publishers`: what
//! `az vm image list-*`, `az vm image show` and `az vm create --image` read; and the VM
//! extension catalogue beside it (`artifacttypes/vmextension/types/…`), what `az vm extension
//! set` reads for an extension's latest version. The lists are bare JSON arrays, as Azure
//! answers them. The catalogues themselves are `cerulean_domain::compute::images` and
//! `::extension_images`.
//!
//! `artifacttypes/vmimage` stands where the path canonicaliser expects a name, so it arrives
//! in the caller's spelling and is compared here.

use crate::error::ApiError;
use crate::extract::ArmQuery;
use crate::wire::images::{properties, Place};
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use cerulean_domain::compute::extension_images;
use cerulean_domain::compute::images::{self, Urn};
use cerulean_domain::{region, DomainError};
use serde_json::Value;

const ROOT: &str = "/subscriptions/{sub}/providers/microsoft.compute/locations/{loc}/publishers";

pub fn routes() -> Router<AppState> {
    let offers = format!("{ROOT}/{{publisher}}/artifacttypes/{{artifact}}/offers");
    let skus = format!("{offers}/{{offer}}/skus");
    let versions = format!("{skus}/{{sku}}/versions");
    let version = format!("{versions}/{{version}}");
    let types = format!("{ROOT}/{{publisher}}/artifacttypes/{{artifact}}/types");
    let type_versions = format!("{types}/{{kind}}/versions");
    let type_version = format!("{type_versions}/{{version}}");
    Router::new()
        .route(&types, get(list_extension_types))
        .route(&type_versions, get(list_extension_versions))
        .route(&type_version, get(get_extension_version))
        .route(ROOT, get(list_publishers))
        .route(&offers, get(list_offers))
        .route(&skus, get(list_skus))
        .route(&versions, get(list_versions))
        .route(&version, get(get_version))
}

/// The subscription must exist and the location be a region cerulean offers.
async fn place(s: &AppState, sub: &str, loc: &str) -> Result<&'static str, ApiError> {
    s.app.subscription(sub).await?;
    region::normalize(loc).ok_or_else(|| {
        ApiError::from(DomainError::LocationNotAvailableForResourceType {
            location: loc.to_string(),
            type_path: "Microsoft.Compute/locations/publishers".into(),
            available: region::available_list(),
        })
    })
}

/// Only the `vmimage` artifact type is modelled (Azure also has `vmextension`).
fn vm_image_artifact(artifact: &str, publisher: &str) -> Result<(), ApiError> {
    if artifact.eq_ignore_ascii_case("vmimage") {
        Ok(())
    } else {
        Err(DomainError::VmImageNotFound {
            urn: format!("{publisher} (artifact type {artifact})"),
        }
        .into())
    }
}

fn sorted<T>(items: &'static [T], name: impl Fn(&T) -> &'static str) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = items.iter().map(name).collect();
    names.sort_by_key(|n| n.to_ascii_lowercase());
    names
}

pub async fn list_publishers(
    State(s): State<AppState>,
    Path((sub, loc)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let location = place(&s, &sub, &loc).await?;
    let at = Place {
        sub: &sub,
        location,
    };
    // Image publishers and extension publishers are one list, as on Azure (`az vm extension
    // set` finds an extension's publisher there first).
    let mut names = sorted(images::PUBLISHERS, |p| p.name);
    for e in extension_images::EXTENSIONS {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(e.publisher)) {
            names.push(e.publisher);
        }
    }
    names.sort_by_key(|n| n.to_ascii_lowercase());
    Ok(Json(Value::Array(
        names.into_iter().map(|name| at.publisher(name)).collect(),
    )))
}

pub async fn list_offers(
    State(s): State<AppState>,
    Path((sub, loc, publisher, artifact)): Path<(String, String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    let location = place(&s, &sub, &loc).await?;
    vm_image_artifact(&artifact, &publisher)?;
    let p = images::publisher(&publisher)?;
    let at = Place {
        sub: &sub,
        location,
    };
    Ok(Json(Value::Array(
        sorted(p.offers, |o| o.name)
            .into_iter()
            .map(|name| at.offer(&publisher, name))
            .collect(),
    )))
}

pub async fn list_skus(
    State(s): State<AppState>,
    Path((sub, loc, publisher, artifact, offer)): Path<(String, String, String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    let location = place(&s, &sub, &loc).await?;
    vm_image_artifact(&artifact, &publisher)?;
    let o = images::offer(&publisher, &offer)?;
    let at = Place {
        sub: &sub,
        location,
    };
    Ok(Json(Value::Array(
        sorted(o.skus, |s| s.name)
            .into_iter()
            .map(|name| at.sku(&publisher, &offer, name))
            .collect(),
    )))
}

type SkuPath = Path<(String, String, String, String, String, String)>;

/// `$orderby=name desc` lists the newest first (versions compare as numbers, so `$top=1`
/// with it is the latest, which is how `az` resolves `latest`); `$top` cuts the list;
/// `$expand=properties` adds each version's properties. `$filter` is ignored.
pub async fn list_versions(
    State(s): State<AppState>,
    Path((sub, loc, publisher, artifact, offer, sku)): SkuPath,
    q: ArmQuery,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let location = place(&s, &sub, &loc).await?;
    vm_image_artifact(&artifact, &publisher)?;
    let found = images::sku(&publisher, &offer, &sku)?;
    let top = q.top()?;
    let mut versions = found.versions_ascending();
    if order_descending(raw.as_deref().unwrap_or_default()) {
        versions.reverse();
    }
    if let Some(top) = top {
        versions.truncate(top);
    }
    let expand = q
        .expand
        .as_deref()
        .is_some_and(|e| e.eq_ignore_ascii_case("properties"));
    let at = Place {
        sub: &sub,
        location,
    };
    Ok(Json(Value::Array(
        versions
            .into_iter()
            .map(|v| at.version(&publisher, &offer, found, &sku, v, expand))
            .collect(),
    )))
}

/// Whether `$orderby` asks for `name desc`. Any other ordering (GUESS: Azure may refuse
/// some) lists oldest first.
fn order_descending(query: &str) -> bool {
    crate::extract::query_param(query, "$orderby").is_some_and(|v| {
        let words: Vec<String> = v.split_whitespace().map(str::to_lowercase).collect();
        words == ["name", "desc"]
    })
}

/// One version. `latest` is not a version here (400 `InvalidParameter`, as Azure answers):
/// clients list with `$orderby=name desc&$top=1` first.
pub async fn get_version(
    State(s): State<AppState>,
    Path((sub, loc, publisher, artifact, offer, sku, version)): Path<(
        String,
        String,
        String,
        String,
        String,
        String,
        String,
    )>,
) -> Result<Json<Value>, ApiError> {
    let location = place(&s, &sub, &loc).await?;
    vm_image_artifact(&artifact, &publisher)?;
    let image = images::version(Urn {
        publisher: &publisher,
        offer: &offer,
        sku: &sku,
        version: &version,
    })?;
    let at = Place {
        sub: &sub,
        location,
    };
    let mut body = at.version(&publisher, &offer, image.sku, &sku, image.version, false);
    body["properties"] = properties(image.sku);
    Ok(Json(body))
}

/// The extension catalogue is under the `vmextension` artifact type only.
fn vm_extension_artifact(artifact: &str) -> Result<(), ApiError> {
    if artifact.eq_ignore_ascii_case("vmextension") {
        Ok(())
    } else {
        Err(DomainError::VmExtensionImageNotFound.into())
    }
}

type TypePath = Path<(String, String, String, String, String)>;

pub async fn list_extension_types(
    State(s): State<AppState>,
    Path((sub, loc, publisher, artifact)): Path<(String, String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    let location = place(&s, &sub, &loc).await?;
    vm_extension_artifact(&artifact)?;
    let at = Place {
        sub: &sub,
        location,
    };
    Ok(Json(Value::Array(
        extension_images::types_of(&publisher)?
            .into_iter()
            .map(|t| at.extension_type(&publisher, t.name))
            .collect(),
    )))
}

/// Oldest first, as Azure lists them (`az vm extension set` takes the last one);
/// `$orderby=name desc` and `$top` as for image versions. `$filter` is ignored.
pub async fn list_extension_versions(
    State(s): State<AppState>,
    Path((sub, loc, publisher, artifact, kind)): TypePath,
    q: ArmQuery,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let location = place(&s, &sub, &loc).await?;
    vm_extension_artifact(&artifact)?;
    let t = extension_images::extension_type(&publisher, &kind)?;
    let mut versions = t.versions.to_vec();
    if order_descending(raw.as_deref().unwrap_or_default()) {
        versions.reverse();
    }
    if let Some(top) = q.top()? {
        versions.truncate(top);
    }
    let at = Place {
        sub: &sub,
        location,
    };
    Ok(Json(Value::Array(
        versions
            .into_iter()
            .map(|v| at.extension_version(&publisher, &kind, v, None))
            .collect(),
    )))
}

pub async fn get_extension_version(
    State(s): State<AppState>,
    Path((sub, loc, publisher, artifact, kind, version)): SkuPath,
) -> Result<Json<Value>, ApiError> {
    let location = place(&s, &sub, &loc).await?;
    vm_extension_artifact(&artifact)?;
    let (t, v) = extension_images::version(&publisher, &kind, &version)?;
    let at = Place {
        sub: &sub,
        location,
    };
    Ok(Json(at.extension_version(&publisher, &kind, v, Some(t))))
}

#[cfg(test)]
mod tests {
    use super::order_descending;

    #[test]
    fn orderby_name_desc_in_any_case_and_encoding() {
        assert!(order_descending(
            "api-version=1&$orderby=name%20desc&$top=1"
        ));
        assert!(order_descending("%24orderby=Name+DESC"));
        assert!(!order_descending("$orderby=name"));
        assert!(!order_descending("$orderby=name asc"));
        assert!(!order_descending(""));
    }
}
