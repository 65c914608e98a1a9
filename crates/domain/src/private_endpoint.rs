//! Private endpoints: a network interface with an address in a subnet that stands for one
//! sub-resource (`groupId`) of another resource, such as a storage account's blobs. Azure
//! creates the NIC with the endpoint, shows the names the service answers to beside the
//! address (`customDnsConfigs`), and, through the endpoint's private DNS zone group, keeps an
//! A record per name in the service's `privatelink` zone. These are the rules; the app keeps
//! the endpoint as a generic resource and writes its NIC through the NIC's own rules.

use crate::DomainError;

pub mod connection;

/// Lower-case type paths.
pub const KIND: &str = "microsoft.network/privateendpoints";
pub const ZONE_GROUP_KIND: &str = "microsoft.network/privateendpoints/privatednszonegroups";

/// The TTL of the A records a zone group writes (Azure's).
pub const RECORD_TTL: u64 = 10;

/// Azure: "Each private DNS zone group can support up to 5 DNS zones."
pub const MAX_ZONES_PER_GROUP: usize = 5;

/// The names a service's sub-resource answers to, and the private zone Azure recommends for
/// them.
#[derive(Debug, PartialEq, Eq)]
pub struct Service {
    /// The sub-resource (`groupId`) as Azure spells it.
    pub group_id: &'static str,
    /// The zone its private names live in (`privatelink.…`).
    pub zone: &'static str,
    /// The public suffix of its names.
    pub suffix: &'static str,
    /// Its host names under `suffix`: `{name}` is the resource's name, `{region}` its region.
    pub hosts: &'static [&'static str],
}

const fn service(
    group_id: &'static str,
    zone: &'static str,
    suffix: &'static str,
    hosts: &'static [&'static str],
) -> Service {
    Service {
        group_id,
        zone,
        suffix,
        hosts,
    }
}

const NAME: &[&str] = &["{name}"];

/// The services whose names cerulean knows (public cloud), by lower-case resource type.
/// Other types take any sub-resource and publish no names (a private link service, whose
/// consumers bring their own DNS).
const SERVICES: &[(&str, &[Service])] = &[
    (
        "microsoft.storage/storageaccounts",
        &[
            service(
                "blob",
                "privatelink.blob.core.windows.net",
                "blob.core.windows.net",
                NAME,
            ),
            service(
                "blob_secondary",
                "privatelink.blob.core.windows.net",
                "blob.core.windows.net",
                &["{name}-secondary"],
            ),
            service(
                "file",
                "privatelink.file.core.windows.net",
                "file.core.windows.net",
                NAME,
            ),
            service(
                "queue",
                "privatelink.queue.core.windows.net",
                "queue.core.windows.net",
                NAME,
            ),
            service(
                "table",
                "privatelink.table.core.windows.net",
                "table.core.windows.net",
                NAME,
            ),
            service(
                "dfs",
                "privatelink.dfs.core.windows.net",
                "dfs.core.windows.net",
                NAME,
            ),
        ],
    ),
    (
        "microsoft.keyvault/vaults",
        &[service(
            "vault",
            "privatelink.vaultcore.azure.net",
            "vault.azure.net",
            NAME,
        )],
    ),
    (
        "microsoft.sql/servers",
        &[service(
            "sqlServer",
            "privatelink.database.windows.net",
            "database.windows.net",
            NAME,
        )],
    ),
    (
        "microsoft.documentdb/databaseaccounts",
        &[service(
            "Sql",
            "privatelink.documents.azure.com",
            "documents.azure.com",
            &["{name}", "{name}-{region}"],
        )],
    ),
    (
        "microsoft.containerregistry/registries",
        &[service(
            "registry",
            "privatelink.azurecr.io",
            "azurecr.io",
            &["{name}", "{name}.{region}.data"],
        )],
    ),
    (
        "microsoft.web/sites",
        &[service(
            "sites",
            "privatelink.azurewebsites.net",
            "azurewebsites.net",
            &["{name}", "{name}.scm"],
        )],
    ),
    (
        "microsoft.cache/redis",
        &[service(
            "redisCache",
            "privatelink.redis.cache.windows.net",
            "redis.cache.windows.net",
            NAME,
        )],
    ),
    (
        "microsoft.servicebus/namespaces",
        &[service(
            "namespace",
            "privatelink.servicebus.windows.net",
            "servicebus.windows.net",
            NAME,
        )],
    ),
    (
        "microsoft.eventhub/namespaces",
        &[service(
            "namespace",
            "privatelink.servicebus.windows.net",
            "servicebus.windows.net",
            NAME,
        )],
    ),
    (
        "microsoft.dbforpostgresql/flexibleservers",
        &[service(
            "postgresqlServer",
            "privatelink.postgres.database.azure.com",
            "postgres.database.azure.com",
            NAME,
        )],
    ),
];

/// The sub-resources a resource of lower-case type `kind` offers to private endpoints (its
/// `privateLinkResources`), when cerulean knows the service.
pub fn services_of(kind: &str) -> Option<&'static [Service]> {
    SERVICES
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, services)| *services)
}

/// One connection of an endpoint to a resource, as the request gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    pub name: String,
    /// The resource connected to, as given.
    pub target: String,
    /// Its lower-case type path.
    pub target_kind: String,
    pub group_ids: Vec<String>,
    /// `manualPrivateLinkServiceConnections`: waits for the resource owner's approval.
    pub manual: bool,
}

/// The service of a connection: `None` for a resource whose names cerulean does not know.
/// A known resource type takes exactly one of its own sub-resources.
pub fn service_of(c: &Connection) -> Result<Option<&'static Service>, DomainError> {
    let Some(services) = services_of(&c.target_kind) else {
        return Ok(None);
    };
    let [group] = c.group_ids.as_slice() else {
        // GUESS: the code and wording; Azure's services take one sub-resource a connection.
        return Err(DomainError::InvalidParameter {
            message: format!(
                "Private link service connection {} must name exactly one group id of {}; it names {}.",
                c.name,
                c.target,
                c.group_ids.len()
            ),
            target: Some("privateLinkServiceConnections.groupIds".into()),
        });
    };
    match services
        .iter()
        .find(|s| s.group_id.eq_ignore_ascii_case(group))
    {
        Some(s) => Ok(Some(s)),
        // GUESS: the code and wording.
        None => Err(DomainError::InvalidParameter {
            message: format!(
                "Group id '{group}' of private link service connection {} is not valid for {}. Valid group ids: {}.",
                c.name,
                c.target,
                services
                    .iter()
                    .map(|s| s.group_id)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            target: Some("privateLinkServiceConnections.groupIds".into()),
        }),
    }
}

/// An endpoint connects to one resource (Azure's endpoints carry one connection).
pub fn check_connections(endpoint: &str, connections: &[Connection]) -> Result<(), DomainError> {
    if connections.len() == 1 {
        return Ok(());
    }
    // GUESS: the code and wording.
    Err(DomainError::InvalidParameter {
        message: format!(
            "Private endpoint {endpoint} must have exactly one private link service connection, in privateLinkServiceConnections or manualPrivateLinkServiceConnections; it has {}.",
            connections.len()
        ),
        target: Some("privateLinkServiceConnections".into()),
    })
}

/// The fully qualified names a service answers to for resource `name` in `region`.
pub fn fqdns(service: &Service, name: &str, region: &str) -> Vec<String> {
    let name = name.to_ascii_lowercase();
    service
        .hosts
        .iter()
        .map(|h| {
            let host = h.replace("{name}", &name).replace("{region}", region);
            format!("{host}.{}", service.suffix)
        })
        .collect()
}

/// The record set a zone group writes for `fqdn` in `zone`: the name's part before the
/// service's suffix when the zone is that service's (`acct.blob.core.windows.net` in
/// `privatelink.blob.core.windows.net` is `acct`; a registry's data endpoint
/// `reg.eastus.data.azurecr.io` in `privatelink.azurecr.io` is `reg.eastus.data`), else its
/// first label (Azure's example of a zone of another name).
pub fn record_name(fqdn: &str, zone: &str) -> String {
    let fqdn = fqdn.trim_end_matches('.').to_ascii_lowercase();
    let zone = zone.to_ascii_lowercase();
    let suffixes = SERVICES
        .iter()
        .flat_map(|(_, services)| services.iter())
        .filter(|s| s.zone == zone)
        .map(|s| s.suffix)
        .chain(zone.strip_prefix("privatelink."));
    for suffix in suffixes {
        let host = fqdn
            .strip_suffix(suffix)
            .and_then(|h| h.strip_suffix('.'))
            .filter(|h| !h.is_empty());
        if let Some(host) = host {
            return host.to_string();
        }
    }
    fqdn.split('.').next().unwrap_or_default().to_string()
}

/// The private name a public one resolves to through Azure's public DNS once the resource has
/// a private endpoint: `acct.blob.core.windows.net` → `acct.privatelink.blob.core.windows.net`
/// (the CNAME a VM's lookup follows into the linked private zone). `None` for a name of no
/// known service.
pub fn privatelink_alias(name: &str) -> Option<(String, &'static str)> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    SERVICES
        .iter()
        .flat_map(|(_, services)| services.iter())
        .find_map(|s| {
            let host = name.strip_suffix(s.suffix)?.strip_suffix('.')?;
            if host.is_empty() || name.ends_with(s.zone) {
                return None;
            }
            Some((format!("{host}.{}", s.zone), s.zone))
        })
}

/// The NIC Azure creates with an endpoint (`{endpoint}.nic.{guid}`) unless the request names
/// it (`customNetworkInterfaceName`).
pub fn nic_name(endpoint: &str, custom: Option<&str>, guid: &str) -> String {
    match custom {
        Some(c) if !c.is_empty() => c.to_string(),
        _ => format!("{endpoint}.nic.{guid}"),
    }
}

/// The name of the NIC's IP configuration Azure creates (`privateEndpointIpConfig.{guid}`).
pub fn ip_config_name(guid: &str) -> String {
    format!("privateEndpointIpConfig.{guid}")
}

/// A zone group names at most [`MAX_ZONES_PER_GROUP`] zones, each once, and an endpoint has
/// one zone group.
pub fn check_zone_group(
    endpoint: &str,
    zones: &[String],
    other_group: Option<&str>,
) -> Result<(), DomainError> {
    if let Some(other) = other_group {
        // GUESS: the code and wording; Azure allows one zone group per endpoint.
        return Err(DomainError::InvalidParameter {
            message: format!(
                "Private endpoint {endpoint} already has private DNS zone group {other}. A private endpoint can have one private DNS zone group."
            ),
            target: None,
        });
    }
    if zones.len() > MAX_ZONES_PER_GROUP {
        // GUESS: the code and wording; the limit is Azure's.
        return Err(DomainError::InvalidParameter {
            message: format!(
                "A private DNS zone group can have up to {MAX_ZONES_PER_GROUP} private DNS zones; this one has {}.",
                zones.len()
            ),
            target: Some("privateDnsZoneConfigs".into()),
        });
    }
    for (i, z) in zones.iter().enumerate() {
        if zones[..i].iter().any(|o| o.eq_ignore_ascii_case(z)) {
            // GUESS: the code and wording.
            return Err(DomainError::InvalidParameter {
                message: format!("Private DNS zone {z} is named twice in the zone group."),
                target: Some("privateDnsZoneConfigs".into()),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "private_endpoint_tests.rs"]
mod tests;
