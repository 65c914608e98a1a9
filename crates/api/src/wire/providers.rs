//! ARM JSON of resource providers (`Microsoft.Resources` provider operations): the catalogue
//! of `cerulean_domain::providers` with each subscription's registration state.

use cerulean_domain::providers::{Namespace, RegistrationState};
use cerulean_domain::region::REGIONS;
use serde_json::{json, Value};

fn resource_types(ns: &Namespace) -> Vec<Value> {
    // Azure lists regions by display name in resource types.
    let locations: Vec<&str> = REGIONS.iter().map(|(_, display, ..)| *display).collect();
    ns.resource_types
        .iter()
        .map(|t| {
            json!({
                "resourceType": t.name,
                "locations": if t.regional { locations.clone() } else { Vec::new() },
                "apiVersions": t.api_versions,
                "defaultApiVersion": t.api_versions.first(),
                "capabilities": if t.regional {
                    "CrossResourceGroupResourceMove, CrossSubscriptionResourceMove, SupportsTags, SupportsLocation"
                } else {
                    "None"
                },
            })
        })
        .collect()
}

/// A provider as `GET /subscriptions/{s}/providers[/{ns}]` shows it.
pub fn provider(subscription: &str, ns: &Namespace, state: RegistrationState) -> Value {
    json!({
        "id": format!("/subscriptions/{subscription}/providers/{}", ns.name),
        "namespace": ns.name,
        "resourceTypes": resource_types(ns),
        "registrationState": state.as_str(),
        "registrationPolicy": "RegistrationRequired",
    })
}

/// A provider as the tenant-level `GET /providers[/{ns}]` shows it: no registration.
pub fn tenant_provider(ns: &Namespace) -> Value {
    json!({
        "id": format!("/providers/{}", ns.name),
        "namespace": ns.name,
        "resourceTypes": resource_types(ns),
    })
}
