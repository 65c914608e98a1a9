//! `GET /metadata/endpoints`: the cloud description `az cloud register` and the SDKs read.
//! Every endpoint cerulean serves points back at this server; the rest keep Azure's public
//! suffixes so clients that merely format names keep working.

use serde_json::{json, Value};

fn cloud(base: &str) -> Value {
    json!({
        "portal": base,
        "authentication": {
            "loginEndpoint": base,
            "audiences": ["https://management.core.windows.net/", format!("{base}/")],
            "tenant": "common",
            "identityProvider": "AAD"
        },
        "media": base,
        "graphAudience": format!("{base}/"),
        "graph": format!("{base}/"),
        "name": "Cerulean",
        "suffixes": {
            "azureDataLakeStoreFileSystem": "azuredatalakestore.net",
            "acrLoginServer": "azurecr.io",
            "sqlServerHostname": "database.windows.net",
            "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
            "keyVaultDns": "vault.azure.net",
            "storage": "core.windows.net",
            "azureFrontDoorEndpointSuffix": "azurefd.net",
            "storageSyncEndpointSuffix": "afs.azure.net",
            "mhsmDns": "managedhsm.azure.net",
            "mysqlServerEndpoint": "mysql.database.azure.com",
            "postgresqlServerEndpoint": "postgres.database.azure.com",
            "mariadbServerEndpoint": "mariadb.database.azure.com",
            "synapseAnalytics": "dev.azuresynapse.net",
            "attestationEndpoint": "attest.azure.net"
        },
        "batch": format!("{base}/"),
        "resourceManager": format!("{base}/"),
        "vmImageAliasDoc": format!("{base}/aliases.json"),
        "activeDirectoryDataLake": format!("{base}/"),
        "sqlManagement": format!("{base}/"),
        "microsoftGraphResourceId": format!("{base}/"),
        "appInsightsResourceId": base,
        "appInsightsTelemetryChannelResourceId": format!("{base}/v2/track"),
        "attestationResourceId": base,
        "synapseAnalyticsResourceId": base,
        "logAnalyticsResourceId": base,
        "ossrDbmsResourceId": base,
        // ARM spells it ossrDbms, the az CLI reads ossrdbms: send both.
        "ossrdbmsResourceId": base
    })
}

/// api-version 2022-09-01 and later answer one object; older ones (2019-05-01) an array.
pub fn endpoints(base: &str, api_version: Option<&str>) -> Value {
    let c = cloud(base);
    match api_version {
        Some(v) if v >= "2022-09-01" => c,
        _ => json!([c]),
    }
}
