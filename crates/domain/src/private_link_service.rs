//! Private link services: a service behind a Standard internal load balancer, offered to
//! private endpoints in other networks (and subscriptions). Azure gives the service an alias
//! consumers connect by (`{name}.{guid}.{region}.azure.privatelinkservice`), and a NIC of its
//! own holding its NAT addresses (the source of the traffic the endpoints send). Who may see
//! the service (`visibility`) and whose connections it approves at once (`autoApproval`) are
//! lists of subscriptions. These are the rules; the app keeps the service as a generic
//! resource and writes its NIC through the NIC's own rules.

use crate::private_endpoint::connection::{self as conn, Status};
use crate::DomainError;

/// Lower-case type path.
pub const KIND: &str = "microsoft.network/privatelinkservices";

/// Azure: a private link service has up to 8 NAT IP configurations.
pub const MAX_NAT_IPS: usize = 8;

/// The suffix every alias ends with.
const ALIAS_SUFFIX: &str = ".azure.privatelinkservice";

/// The alias consumers connect by: `{name}.{guid}.{region}.azure.privatelinkservice`.
pub fn alias(name: &str, guid: &str, region: &str) -> String {
    format!("{name}.{guid}.{region}{ALIAS_SUFFIX}")
}

/// Whether an endpoint's `privateLinkServiceId` is an alias rather than a resource id.
pub fn is_alias(text: &str) -> bool {
    !text.starts_with('/') && text.to_ascii_lowercase().ends_with(ALIAS_SUFFIX)
}

/// The NIC Azure creates for the service's NAT addresses (`{service}.nic.{guid}`).
pub fn nic_name(service: &str, guid: &str) -> String {
    format!("{service}.nic.{guid}")
}

/// A load balancer frontend a service names, as the store has it.
#[derive(Clone, Debug, Default)]
pub struct FrontendFacts {
    pub id: String,
    pub exists: bool,
    /// A frontend with a private address in a subnet (not a public IP).
    pub internal: bool,
    pub standard: bool,
    /// Lower-case id of its subnet's network.
    pub vnet_key: Option<String>,
}

/// A subnet a NAT IP configuration is in.
#[derive(Clone, Debug, Default)]
pub struct NatSubnetFacts {
    pub id: String,
    pub exists: bool,
    /// `privateLinkServiceNetworkPolicies` is `Disabled`.
    pub policies_disabled: bool,
    pub vnet_key: String,
}

/// How many frontends and NAT configurations a service names: at least one frontend, 1 to 8
/// NAT configurations. Checked before any of them is read.
pub fn check_counts(service: &str, frontends: usize, nat_ips: usize) -> Result<(), DomainError> {
    if frontends == 0 {
        // GUESS: the code and wording.
        return Err(DomainError::InvalidParameter {
            message: format!(
                "Private link service {service} must reference at least one load balancer frontend IP configuration."
            ),
            target: Some("loadBalancerFrontendIpConfigurations".into()),
        });
    }
    if nat_ips == 0 || nat_ips > MAX_NAT_IPS {
        // GUESS: the code and wording; the limit is Azure's.
        return Err(DomainError::InvalidParameter {
            message: format!(
                "Private link service {service} must have between 1 and {MAX_NAT_IPS} IP configurations; it has {nat_ips}."
            ),
            target: Some("ipConfigurations".into()),
        });
    }
    Ok(())
}

/// The service fronts one or more internal frontends of Standard load balancers, and takes
/// its NAT addresses (1 to 8) from subnets of the same network with the service network
/// policies disabled.
pub fn check(
    service: &str,
    frontends: &[FrontendFacts],
    nat_subnets: &[NatSubnetFacts],
) -> Result<(), DomainError> {
    check_counts(service, frontends.len(), nat_subnets.len())?;
    for f in frontends {
        if !f.exists {
            return Err(DomainError::InvalidResourceReference {
                id: f.id.clone(),
                referrer: service.to_string(),
            });
        }
        if !f.internal || !f.standard {
            // GUESS: the code and wording; Azure's rule (a Standard internal load balancer).
            return Err(DomainError::InvalidParameter {
                message: format!(
                    "Private link service {service} can only use the frontend IP configuration of a Standard internal load balancer; {} is not one.",
                    f.id
                ),
                target: Some("loadBalancerFrontendIpConfigurations".into()),
            });
        }
    }
    let vnet = frontends[0].vnet_key.as_deref().unwrap_or_default();
    for s in nat_subnets {
        if !s.exists {
            return Err(DomainError::InvalidResourceReference {
                id: s.id.clone(),
                referrer: service.to_string(),
            });
        }
        if !s.policies_disabled {
            return Err(DomainError::PrivateLinkServiceNetworkPoliciesEnabled {
                subnet: s.id.clone(),
            });
        }
        if !s.vnet_key.eq_ignore_ascii_case(vnet) {
            // GUESS: the code and wording.
            return Err(DomainError::InvalidParameter {
                message: format!(
                    "The IP configurations of private link service {service} must be in the virtual network of its load balancer frontend; subnet {} is not.",
                    s.id
                ),
                target: Some("ipConfigurations".into()),
            });
        }
    }
    Ok(())
}

/// Who may connect, and whose connections are approved at once.
#[derive(Clone, Debug, Default)]
pub struct Audience {
    /// The service's own subscription.
    pub owner: String,
    /// `visibility.subscriptions` (`*`: every subscription).
    pub visibility: Vec<String>,
    /// `autoApproval.subscriptions`.
    pub auto_approval: Vec<String>,
}

/// A new connection from an endpoint in `consumer`: refused unless the service is visible
/// to it (its own subscription always is); approved at once when the request is automatic
/// (its author may approve it: under `--rbac` that is checked as Azure checks it) or the
/// consumer is auto-approved; pending otherwise.
pub fn connection_state(
    service: &str,
    audience: &Audience,
    consumer: &str,
    manual: bool,
    request_message: &str,
) -> Result<(Status, String), DomainError> {
    let listed = |list: &[String]| {
        list.iter()
            .any(|s| s == "*" || s.eq_ignore_ascii_case(consumer))
    };
    let visible = audience.owner.eq_ignore_ascii_case(consumer)
        || listed(&audience.visibility)
        || listed(&audience.auto_approval);
    if !visible {
        return Err(DomainError::PrivateLinkServiceNotVisible {
            service: service.to_string(),
            subscription: consumer.to_string(),
        });
    }
    let auto = audience
        .auto_approval
        .iter()
        .any(|s| s.eq_ignore_ascii_case(consumer));
    Ok(conn::initial(manual && !auto, request_message))
}

#[cfg(test)]
#[path = "private_link_service_tests.rs"]
mod tests;
