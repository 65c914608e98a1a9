use cerulean_domain::region::REGIONS;
use cerulean_domain::subscription::{Subscription, DEFAULT_TENANT_DOMAIN};
use serde_json::{json, Value};

pub fn subscription(s: &Subscription) -> Value {
    json!({
        "id": format!("/subscriptions/{}", s.id),
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": s.id,
        "tenantId": s.tenant_id,
        "displayName": s.display_name,
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off"
        }
    })
}

pub fn tenant(tenant_id: &str) -> Value {
    json!({
        "id": format!("/tenants/{tenant_id}"),
        "tenantId": tenant_id,
        "countryCode": "US",
        "displayName": "cerulean",
        "domains": [DEFAULT_TENANT_DOMAIN],
        "tenantCategory": "Home",
        "defaultDomain": DEFAULT_TENANT_DOMAIN,
        "tenantType": "AAD"
    })
}

pub fn locations(subscription: &str) -> Value {
    let value: Vec<Value> = REGIONS
        .iter()
        .map(|(name, display, paired, lat, long)| {
            json!({
                "id": format!("/subscriptions/{subscription}/locations/{name}"),
                "name": name,
                "displayName": display,
                "regionalDisplayName": display,
                "type": "Region",
                "metadata": {
                    "regionType": "Physical",
                    "regionCategory": "Recommended",
                    "latitude": lat,
                    "longitude": long,
                    "pairedRegion": [{
                        "name": paired,
                        "id": format!("/subscriptions/{subscription}/locations/{paired}")
                    }]
                }
            })
        })
        .collect();
    json!({ "value": value })
}
