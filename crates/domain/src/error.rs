//! The one error type of the domain. Each variant carries what its Azure message needs; its
//! `Display` is Azure's message text, `code()` Azure's error code and `class()` which family
//! of HTTP status the edge answers with.

use thiserror::Error;

/// Which kind of failure this is; the HTTP edge maps each class to one status code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    BadRequest,
    NotFound,
    Conflict,
    PreconditionFailed,
    NotImplemented,
}

/// A nested error as ARM puts it in `error.details`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    pub target: Option<String>,
}

#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum DomainError {
    #[error("The subscription '{id}' could not be found.")]
    SubscriptionNotFound { id: String },

    #[error("Resource group '{name}' could not be found.")]
    ResourceGroupNotFound { name: String },

    #[error("The Resource '{type_path}/{name}' under resource group '{group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix")]
    ResourceNotFound {
        type_path: String,
        name: String,
        group: String,
    },

    #[error("{message}")]
    InvalidResourceGroupName { message: String },

    #[error("Resource name {name} is invalid. The name can be up to 80 characters long. It must begin with a word character, and it must end with a word character or with '_'. The name may contain word characters or '.', '-', '_'.")]
    InvalidResourceName { name: String },

    #[error("The location property is required for this definition.")]
    LocationRequired,

    #[error("The provided location '{location}' is not available for resource group. List of available regions is '{available}'.")]
    LocationNotAvailableForResourceGroup { location: String, available: String },

    #[error("The provided location '{location}' is not available for resource type '{type_path}'. List of available regions for the resource type is '{available}'.")]
    LocationNotAvailableForResourceType {
        location: String,
        type_path: String,
        available: String,
    },

    #[error("Invalid resource group location '{requested}'. The Resource group already exists in location '{existing}'.")]
    InvalidResourceGroupLocation { requested: String, existing: String },

    #[error("Property id '{id}' at path 'id' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{{subscriptionId}}' or '/providers/{{resourceProviderNamespace}}/'.")]
    InvalidResourceId { id: String },

    #[error("The condition specified using HTTP conditional header(s) is not met.")]
    PreconditionFailed,

    #[error("Invalid $filter '{filter}' specified in the query string.")]
    InvalidFilter { filter: String },

    #[error("The number of tags ({count}) exceeds the maximum of {max} tags per resource.")]
    TooManyTags { count: usize, max: usize },

    #[error("The tag name '{name}' is invalid. Tag names may be up to 512 characters long and may not contain '<', '>', '%', '&', '\\', '?' or '/'.")]
    InvalidTagName { name: String },

    #[error("The value of tag '{name}' is invalid. Tag values may be up to 256 characters long.")]
    InvalidTagValue { name: String },

    #[error("The operation '{id}' could not be found.")]
    OperationNotFound { id: String },

    #[error("{message}")]
    InvalidParameter {
        message: String,
        target: Option<String>,
    },

    #[error(
        "cerulean does not implement {what} yet. See docs/compatibility.md for what is supported."
    )]
    NotImplemented { what: String },
}

impl DomainError {
    /// Azure's error code for this failure.
    pub fn code(&self) -> &'static str {
        use DomainError::*;
        match self {
            SubscriptionNotFound { .. } => "SubscriptionNotFound",
            ResourceGroupNotFound { .. } => "ResourceGroupNotFound",
            ResourceNotFound { .. } => "ResourceNotFound",
            InvalidResourceGroupName { .. } => "InvalidResourceGroup",
            InvalidResourceName { .. } => "InvalidResourceName",
            LocationRequired => "LocationRequired",
            LocationNotAvailableForResourceGroup { .. } => "LocationNotAvailableForResourceGroup",
            LocationNotAvailableForResourceType { .. } => "LocationNotAvailableForResourceType",
            InvalidResourceGroupLocation { .. } => "InvalidResourceGroupLocation",
            InvalidResourceId { .. } => "LinkedInvalidPropertyId",
            PreconditionFailed => "PreconditionFailed",
            InvalidFilter { .. } => "InvalidFilterInQueryString",
            TooManyTags { .. } => "InvalidTagCount",
            InvalidTagName { .. } => "InvalidTagNameCharacters",
            InvalidTagValue { .. } => "InvalidTagValueLength",
            OperationNotFound { .. } => "OperationNotFound",
            InvalidParameter { .. } => "InvalidParameter",
            NotImplemented { .. } => "NotImplemented",
        }
    }

    pub fn class(&self) -> ErrorClass {
        use DomainError::*;
        match self {
            SubscriptionNotFound { .. }
            | ResourceGroupNotFound { .. }
            | ResourceNotFound { .. }
            | OperationNotFound { .. } => ErrorClass::NotFound,
            InvalidResourceGroupLocation { .. } => ErrorClass::Conflict,
            PreconditionFailed => ErrorClass::PreconditionFailed,
            NotImplemented { .. } => ErrorClass::NotImplemented,
            _ => ErrorClass::BadRequest,
        }
    }

    /// The property or resource the error is about, when Azure names one.
    pub fn target(&self) -> Option<String> {
        use DomainError::*;
        match self {
            InvalidResourceGroupName { .. } => Some("resourceGroupName".into()),
            InvalidResourceName { name } => Some(name.clone()),
            LocationRequired => Some("location".into()),
            InvalidParameter { target, .. } => target.clone(),
            TooManyTags { .. } | InvalidTagName { .. } | InvalidTagValue { .. } => {
                Some("tags".into())
            }
            _ => None,
        }
    }

    /// Nested errors for `error.details`.
    pub fn details(&self) -> Vec<ErrorDetail> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_azures() {
        let e = DomainError::ResourceGroupNotFound { name: "rg1".into() };
        assert_eq!(e.code(), "ResourceGroupNotFound");
        assert_eq!(e.to_string(), "Resource group 'rg1' could not be found.");
        assert_eq!(e.class(), ErrorClass::NotFound);

        let e = DomainError::InvalidResourceGroupLocation {
            requested: "westus".into(),
            existing: "eastus".into(),
        };
        assert_eq!(e.class(), ErrorClass::Conflict);
        assert_eq!(
            e.to_string(),
            "Invalid resource group location 'westus'. The Resource group already exists in location 'eastus'."
        );
    }
}
