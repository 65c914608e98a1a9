//! Resource groups: the rules that decide a PUT or PATCH.

use crate::error::DomainError;
use crate::id::ResourceId;
use crate::name;
use crate::region;
use crate::tags::{self, Tags};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceGroup {
    pub name: String,
    pub location: String,
    pub tags: Tags,
    pub managed_by: Option<String>,
}

/// What a PUT asks for.
#[derive(Clone, Debug, Default)]
pub struct GroupSpec {
    pub location: Option<String>,
    pub tags: Option<Tags>,
    pub managed_by: Option<String>,
}

/// What a PATCH asks for: only the fields present change.
#[derive(Clone, Debug, Default)]
pub struct GroupPatch {
    pub tags: Option<Tags>,
    pub managed_by: Option<String>,
}

/// Validates a location and returns its canonical spelling.
pub fn resolve_location(location: Option<&str>) -> Result<&'static str, DomainError> {
    let loc = location
        .filter(|l| !l.trim().is_empty())
        .ok_or(DomainError::LocationRequired)?;
    region::normalize(loc).ok_or_else(|| DomainError::LocationNotAvailableForResourceGroup {
        location: loc.to_string(),
        available: region::available_list(),
    })
}

/// PUT of a resource group: creates it, or replaces tags and `managedBy` of an existing one.
/// A group's location never changes (409 `InvalidResourceGroupLocation`).
pub fn put(
    id: &ResourceId,
    existing: Option<&ResourceGroup>,
    spec: GroupSpec,
) -> Result<ResourceGroup, DomainError> {
    let group_name = id.group_name().unwrap_or_default();
    name::validate_group_name(group_name)?;
    let location = resolve_location(spec.location.as_deref())?;
    let tags = spec.tags.unwrap_or_default();
    tags::validate(&tags)?;
    match existing {
        Some(old) if old.location != location => Err(DomainError::InvalidResourceGroupLocation {
            requested: spec.location.unwrap_or_default(),
            existing: old.location.clone(),
        }),
        Some(old) => Ok(ResourceGroup {
            name: old.name.clone(),
            location: old.location.clone(),
            tags,
            managed_by: spec.managed_by,
        }),
        None => Ok(ResourceGroup {
            name: group_name.to_string(),
            location: location.to_string(),
            tags,
            managed_by: spec.managed_by,
        }),
    }
}

/// PATCH of a resource group.
pub fn patch(existing: &ResourceGroup, patch: GroupPatch) -> Result<ResourceGroup, DomainError> {
    let mut g = existing.clone();
    if let Some(t) = patch.tags {
        tags::validate(&t)?;
        g.tags = t;
    }
    if patch.managed_by.is_some() {
        g.managed_by = patch.managed_by;
    }
    Ok(g)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> ResourceId {
        ResourceId::group("s", "Rg1")
    }

    #[test]
    fn creates_with_canonical_location() {
        let g = put(
            &id(),
            None,
            GroupSpec {
                location: Some("East US".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(g.location, "eastus");
        assert_eq!(g.name, "Rg1");
    }

    #[test]
    fn location_is_required_and_must_exist() {
        let e = put(&id(), None, GroupSpec::default()).unwrap_err();
        assert_eq!(e.code(), "LocationRequired");
        let e = put(
            &id(),
            None,
            GroupSpec {
                location: Some("moon".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(e.code(), "LocationNotAvailableForResourceGroup");
    }

    #[test]
    fn location_of_an_existing_group_never_changes() {
        let spec = |l: &str| GroupSpec {
            location: Some(l.into()),
            ..Default::default()
        };
        let g = put(&id(), None, spec("eastus")).unwrap();
        let e = put(&id(), Some(&g), spec("westus")).unwrap_err();
        assert_eq!(e.code(), "InvalidResourceGroupLocation");
        assert_eq!(
            e.to_string(),
            "Invalid resource group location 'westus'. The Resource group already exists in location 'eastus'."
        );
        // The existing spelling of the name is kept on update.
        let again = put(&ResourceId::group("s", "RG1"), Some(&g), spec("East US")).unwrap();
        assert_eq!(again.name, "Rg1");
    }

    #[test]
    fn patch_replaces_tags_only() {
        let g = put(
            &id(),
            None,
            GroupSpec {
                location: Some("eastus".into()),
                tags: Some([("a".to_string(), "1".to_string())].into()),
                managed_by: None,
            },
        )
        .unwrap();
        let p = patch(
            &g,
            GroupPatch {
                tags: Some([("b".to_string(), "2".to_string())].into()),
                managed_by: None,
            },
        )
        .unwrap();
        assert_eq!(p.tags.len(), 1);
        assert_eq!(p.tags["b"], "2");
        assert_eq!(p.location, "eastus");
    }
}
