//! ARM JSON of Microsoft.Network resources: request bodies parsed into domain specs
//! (read-only properties ignored, enums case-insensitive), domain views written back with
//! every read-only property filled.

pub mod lb;
pub mod nic;
pub mod pip;
pub mod vnet;

use crate::error::ApiError;
use cerulean_domain::id::ResourceId;
use cerulean_domain::network::{Allocation, Common, IpVersion, Sku};
use cerulean_domain::reference::{self, Target};
use cerulean_domain::tags::Tags;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};

/// `{"id": "..."}` as used for references.
#[derive(Deserialize, Debug, Clone)]
pub struct IdRef {
    pub id: String,
}

impl IdRef {
    /// The id of the `target` this reference (found at `path()`) names: every reference a
    /// client sends is read here, once (see `cerulean_domain::reference`).
    pub fn to(
        &self,
        target: Target,
        path: impl FnOnce() -> String,
    ) -> Result<ResourceId, ApiError> {
        Ok(reference::parse(&self.id, target, path)?)
    }
}

pub fn id_ref(id: &str) -> Value {
    json!({ "id": id })
}

/// Deserializes an enum from any spelling case, as ARM accepts.
fn ci_enum<'de, D, T>(d: D, options: &[(&str, T)], what: &str) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Copy,
{
    let s: Option<String> = Option::deserialize(d)?;
    match s {
        None => Ok(None),
        Some(s) => options
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(&s))
            .map(|(_, v)| Some(*v))
            .ok_or_else(|| {
                let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
                serde::de::Error::custom(format!(
                    "the value '{s}' of {what} is not one of {}",
                    names.join(", ")
                ))
            }),
    }
}

pub fn allocation<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Allocation>, D::Error> {
    ci_enum(
        d,
        &[
            ("Static", Allocation::Static),
            ("Dynamic", Allocation::Dynamic),
        ],
        "the allocation method",
    )
}

pub fn version<'de, D: Deserializer<'de>>(d: D) -> Result<Option<IpVersion>, D::Error> {
    ci_enum(
        d,
        &[("IPv4", IpVersion::IPv4), ("IPv6", IpVersion::IPv6)],
        "the IP address version",
    )
}

pub fn sku<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Sku>, D::Error> {
    ci_enum(
        d,
        &[("Basic", Sku::Basic), ("Standard", Sku::Standard)],
        "sku.name",
    )
}

#[derive(Deserialize, Debug, Default)]
pub struct SkuIn {
    #[serde(default, deserialize_with = "sku")]
    pub name: Option<Sku>,
    pub tier: Option<String>,
}

/// The envelope every tracked resource shares.
pub fn tracked(id: &str, etag: &str, type_path: &str, common: &Common) -> Value {
    let mut v = json!({
        "name": common.name,
        "id": id,
        "etag": etag,
        "type": type_path,
        "location": common.location,
    });
    if !common.tags.is_empty() {
        v["tags"] = json!(common.tags);
    }
    v
}

/// The envelope of a child resource (subnet, IP configuration, pool, frontend).
pub fn child(id: &str, name: &str, etag: &str, type_path: &str) -> Value {
    json!({ "name": name, "id": id, "etag": etag, "type": type_path })
}

/// The body of a PATCH: only tags change.
#[derive(Deserialize, Debug)]
pub struct TagsIn {
    pub tags: Option<Tags>,
}

/// The unmodelled properties of a body, as kept: nulls and read-only properties (which the
/// server fills in) left out.
pub fn extra(rest: serde_json::Map<String, Value>, read_only: &[&str]) -> Vec<(String, String)> {
    rest.into_iter()
        .filter(|(k, v)| !v.is_null() && !read_only.iter().any(|r| r.eq_ignore_ascii_case(k)))
        .map(|(k, v)| (k, v.to_string()))
        .collect()
}

/// Adds the kept properties the model did not render itself; empty objects are left out,
/// as Azure leaves them out.
pub fn put_extra(props: &mut Value, extra: &[(String, String)]) {
    let Some(map) = props.as_object_mut() else {
        return;
    };
    for (k, raw) in extra {
        if map.contains_key(k) {
            continue;
        }
        let v: Value = serde_json::from_str(raw).unwrap_or(Value::Null);
        if v.as_object().is_some_and(|o| o.is_empty()) || v.is_null() {
            continue;
        }
        map.insert(k.clone(), v);
    }
}
