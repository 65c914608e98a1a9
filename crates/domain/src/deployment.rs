//! Template deployments (`Microsoft.Resources/deployments`): the rules about a deployment
//! itself. What a template means lives in `cerulean-template`; each resource it declares is
//! judged by that resource's own rules.

use crate::DomainError;
use serde::{Deserialize, Serialize};

pub const KIND: &str = "microsoft.resources/deployments";
/// A deployment's steps (ARM's deployment operations) are stored as its children.
pub const OPERATION_KIND: &str = "microsoft.resources/deployments/operations";
/// So is its template (only `exportTemplate` reads it), out of the record every poll reads.
pub const TEMPLATE_KIND: &str = "microsoft.resources/deployments/templates";

/// Azure's provisioning states of a deployment, in the order a deployment passes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeploymentState {
    Accepted,
    Running,
    Succeeded,
    Failed,
    Canceled,
}

impl DeploymentState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeploymentState::Accepted => "Accepted",
            DeploymentState::Running => "Running",
            DeploymentState::Succeeded => "Succeeded",
            DeploymentState::Failed => "Failed",
            DeploymentState::Canceled => "Canceled",
        }
    }

    /// Still being worked on: it can be cancelled, and not replaced.
    pub fn is_active(self) -> bool {
        matches!(self, DeploymentState::Accepted | DeploymentState::Running)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mode {
    /// Resources of the group that the template does not mention stay.
    Incremental,
    /// Resources of the group that the template does not mention are deleted.
    Complete,
}

impl Mode {
    pub fn parse(s: Option<&str>) -> Result<Mode, DomainError> {
        match s {
            None => Ok(Mode::Incremental),
            Some(m) if m.eq_ignore_ascii_case("incremental") => Ok(Mode::Incremental),
            Some(m) if m.eq_ignore_ascii_case("complete") => Ok(Mode::Complete),
            // GUESS: message.
            Some(m) => Err(DomainError::InvalidParameter {
                message: format!(
                    "The deployment mode '{m}' is not supported. Supported modes are 'Incremental' and 'Complete'."
                ),
                target: Some("properties.mode".into()),
            }),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Incremental => "Incremental",
            Mode::Complete => "Complete",
        }
    }
}

/// Deployment names: 1 to 64 letters, digits, `-`, `_`, `.`, `(` and `)`.
pub fn validate_name(name: &str) -> Result<(), DomainError> {
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.()".contains(c));
    if ok {
        Ok(())
    } else {
        Err(DomainError::InvalidDeploymentName { name: name.into() })
    }
}

/// How deep deployments may nest inside each other's templates: cerulean's own limit (each
/// level holds a thread while the one inside it runs); Azure documents none.
pub const MAX_NESTING: u32 = 10;

/// A deployment submitted by another deployment's template (`depth` 1 for one nested in a
/// top-level deployment): ARM deploys nested templates in Incremental mode only.
pub fn check_nested(name: &str, mode: Mode, depth: u32) -> Result<(), DomainError> {
    if mode == Mode::Complete {
        return Err(DomainError::InvalidTemplate {
            code: "InvalidTemplate",
            message: format!(
                "Deployment template validation failed: 'The nested deployment '{name}' is invalid. Specified deployment mode 'Complete' is not supported for nested deployment.'."
            ),
            target: Some("properties.mode".into()),
        });
    }
    if depth > MAX_NESTING {
        return Err(DomainError::InvalidTemplate {
            code: "InvalidTemplate",
            message: format!(
                "The nested deployment '{name}' is {depth} levels deep; cerulean deploys nested templates at most {MAX_NESTING} levels deep."
            ),
            target: None,
        });
    }
    Ok(())
}

/// A subscription deployment names its location (where ARM keeps its data: required,
/// returned in its canonical spelling) and is Incremental: only a group's deployment deletes
/// what its template leaves out.
pub fn check_subscription_deployment(
    mode: Mode,
    location: Option<&str>,
) -> Result<&'static str, DomainError> {
    let location = crate::group::resolve_location(location)?;
    if mode == Mode::Complete {
        // GUESS: code and message.
        return Err(DomainError::InvalidParameter {
            message: "The deployment mode 'Complete' is not supported for a subscription deployment; only resource group deployments can use it.".into(),
            target: Some("properties.mode".into()),
        });
    }
    Ok(location)
}

/// A subscription deployment stays where it was first made: ARM refuses the same name in
/// another location.
pub fn check_location(name: &str, existing: &str, requested: &str) -> Result<(), DomainError> {
    if !existing.is_empty() && !existing.eq_ignore_ascii_case(requested) {
        return Err(DomainError::InvalidDeploymentLocation {
            name: name.into(),
            existing: existing.into(),
            requested: requested.into(),
        });
    }
    Ok(())
}

/// Why a deployment stopped before it finished: the server applying it went away. cerulean
/// fails such a deployment rather than resuming it on another server: a resumed run would
/// apply the template later, from a server the client never talked to, over whatever changed
/// meanwhile, and secure parameters are never stored to evaluate it again. A redeploy under
/// the same name finishes it (its PUTs are idempotent), as after any failed deployment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Interruption {
    /// The server running it was shut down (SIGTERM, Ctrl-C) before it finished.
    Shutdown,
    /// The server running it (`instance`, empty when unknown) stopped without shutting down
    /// (killed, crashed): noticed when a server starts, or when its lease runs out.
    ServerLost { instance: String },
}

/// The error an interrupted deployment fails with.
pub fn interrupted(name: &str, why: &Interruption) -> DomainError {
    let cause = match why {
        Interruption::Shutdown => {
            "the cerulean server running it was shut down before it finished".to_string()
        }
        Interruption::ServerLost { instance } if instance.is_empty() => {
            "the cerulean server running it stopped before it finished".to_string()
        }
        Interruption::ServerLost { instance } => format!(
            "the cerulean server running it (instance {instance}) stopped before it finished"
        ),
    };
    DomainError::DeploymentInterrupted {
        name: name.into(),
        cause,
    }
}

/// A deployment that is still running cannot be replaced (nor deleted) by another.
pub fn check_replace(
    name: &str,
    current: DeploymentState,
    started: &str,
) -> Result<(), DomainError> {
    if current.is_active() {
        return Err(DomainError::DeploymentActive {
            name: name.into(),
            started: started.into(),
        });
    }
    Ok(())
}

/// Only a running deployment can be cancelled.
pub fn check_cancel(name: &str, current: DeploymentState) -> Result<(), DomainError> {
    if !current.is_active() {
        return Err(DomainError::DeploymentCannotBeCancelled {
            name: name.into(),
            state: current.as_str().into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(validate_name("vm_create-1.(x)").is_ok());
        let e = validate_name("a/b").unwrap_err();
        assert_eq!(e.code(), "InvalidDeploymentName");
        assert!(e.to_string().contains("'a/b'"));
        assert!(validate_name(&"a".repeat(64)).is_ok());
        assert!(validate_name(&"a".repeat(65)).is_err());
        assert!(validate_name("").is_err());
    }

    #[test]
    fn modes() {
        assert_eq!(Mode::parse(None).unwrap(), Mode::Incremental);
        assert_eq!(Mode::parse(Some("complete")).unwrap(), Mode::Complete);
        let e = Mode::parse(Some("Everything")).unwrap_err();
        assert_eq!(e.code(), "InvalidParameter");
        assert_eq!(e.target().as_deref(), Some("properties.mode"));
    }

    #[test]
    fn subscription_deployments_have_a_location_and_keep_it() {
        assert_eq!(
            check_subscription_deployment(Mode::Incremental, Some("East US")).unwrap(),
            "eastus"
        );
        let e = check_subscription_deployment(Mode::Incremental, None).unwrap_err();
        assert_eq!(e.code(), "LocationRequired");
        let e = check_subscription_deployment(Mode::Complete, Some("eastus")).unwrap_err();
        assert_eq!(e.target().as_deref(), Some("properties.mode"));
        assert!(check_location("d", "eastus", "eastus").is_ok());
        let e = check_location("d", "eastus", "westus").unwrap_err();
        assert_eq!(e.code(), "InvalidDeploymentLocation");
        assert_eq!(
            e.to_string(),
            "Invalid deployment location 'westus'. The deployment 'd' already exists in location 'eastus'."
        );
    }

    #[test]
    fn nested_deployments_are_incremental_and_nest_so_deep() {
        assert!(check_nested("n", Mode::Incremental, MAX_NESTING).is_ok());
        let e = check_nested("n", Mode::Complete, 1).unwrap_err();
        assert_eq!(e.code(), "InvalidTemplate");
        assert!(e.to_string().contains(
            "Specified deployment mode 'Complete' is not supported for nested deployment."
        ));
        assert_eq!(e.target().as_deref(), Some("properties.mode"));
        let e = check_nested("n", Mode::Incremental, MAX_NESTING + 1).unwrap_err();
        assert_eq!(e.code(), "InvalidTemplate");
        assert!(e.to_string().contains("at most 10 levels deep"), "{e}");
    }

    #[test]
    fn an_active_deployment_is_not_replaced() {
        let e = check_replace("d", DeploymentState::Running, "2026-11-23T10:00:00Z").unwrap_err();
        assert_eq!(e.code(), "DeploymentActive");
        assert_eq!(
            e.to_string(),
            "Unable to edit or replace deployment 'd': previous deployment from '2026-11-23T10:00:00Z' is still active. Please see https://aka.ms/arm-deploy for usage details."
        );
        assert_eq!(e.class(), crate::ErrorClass::Conflict);
        assert!(check_replace("d", DeploymentState::Failed, "t").is_ok());
    }

    #[test]
    fn an_interrupted_deployment_names_why() {
        let e = interrupted("d", &Interruption::Shutdown);
        assert_eq!(e.code(), "DeploymentInterrupted");
        assert_eq!(
            e.to_string(),
            "The deployment 'd' was interrupted: the cerulean server running it was shut down before it finished. Resources created so far remain; deploy again under the same name to finish."
        );
        let lost = Interruption::ServerLost {
            instance: "4f2a".into(),
        };
        assert_eq!(
            interrupted("d", &lost).to_string(),
            "The deployment 'd' was interrupted: the cerulean server running it (instance 4f2a) stopped before it finished. Resources created so far remain; deploy again under the same name to finish."
        );
        let unknown = Interruption::ServerLost {
            instance: String::new(),
        };
        assert!(interrupted("d", &unknown)
            .to_string()
            .contains("the cerulean server running it stopped before it finished."));
    }

    #[test]
    fn only_an_active_deployment_is_cancelled() {
        assert!(check_cancel("d", DeploymentState::Accepted).is_ok());
        let e = check_cancel("d", DeploymentState::Succeeded).unwrap_err();
        assert_eq!(e.code(), "DeploymentCannotBeCancelled");
        assert_eq!(e.class(), crate::ErrorClass::Conflict);
    }
}
