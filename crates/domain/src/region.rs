//! The regions cerulean offers. Azure spells them both as names (`eastus`) and display names
//! (`East US`); requests may use either, responses use the name.

/// `(name, display name, paired region, latitude, longitude)`
pub const REGIONS: &[(&str, &str, &str, &str, &str)] = &[
    ("eastus", "East US", "westus", "37.3719", "-79.8164"),
    ("eastus2", "East US 2", "centralus", "36.6681", "-78.3889"),
    ("westus", "West US", "eastus", "37.783", "-122.417"),
    (
        "westus2",
        "West US 2",
        "westcentralus",
        "47.233",
        "-119.852",
    ),
    ("westus3", "West US 3", "eastus", "33.448376", "-112.074036"),
    ("centralus", "Central US", "eastus2", "41.5908", "-93.6208"),
    (
        "northcentralus",
        "North Central US",
        "southcentralus",
        "41.8819",
        "-87.6278",
    ),
    (
        "southcentralus",
        "South Central US",
        "northcentralus",
        "29.4167",
        "-98.5",
    ),
    (
        "westcentralus",
        "West Central US",
        "westus2",
        "40.890",
        "-110.234",
    ),
    (
        "canadacentral",
        "Canada Central",
        "canadaeast",
        "43.653",
        "-79.383",
    ),
    (
        "brazilsouth",
        "Brazil South",
        "southcentralus",
        "-23.55",
        "-46.633",
    ),
    (
        "northeurope",
        "North Europe",
        "westeurope",
        "53.3478",
        "-6.2597",
    ),
    ("westeurope", "West Europe", "northeurope", "52.3667", "4.9"),
    ("uksouth", "UK South", "ukwest", "50.941", "-0.799"),
    (
        "francecentral",
        "France Central",
        "francesouth",
        "46.3772",
        "2.3730",
    ),
    (
        "germanywestcentral",
        "Germany West Central",
        "germanynorth",
        "50.110924",
        "8.682127",
    ),
    (
        "swedencentral",
        "Sweden Central",
        "swedensouth",
        "60.67488",
        "17.14127",
    ),
    (
        "switzerlandnorth",
        "Switzerland North",
        "switzerlandwest",
        "47.451542",
        "8.564572",
    ),
    (
        "eastasia",
        "East Asia",
        "southeastasia",
        "22.267",
        "114.188",
    ),
    (
        "southeastasia",
        "Southeast Asia",
        "eastasia",
        "1.283",
        "103.833",
    ),
    ("japaneast", "Japan East", "japanwest", "35.68", "139.77"),
    (
        "koreacentral",
        "Korea Central",
        "koreasouth",
        "37.5665",
        "126.9780",
    ),
    (
        "centralindia",
        "Central India",
        "southindia",
        "18.5822",
        "73.9197",
    ),
    (
        "australiaeast",
        "Australia East",
        "australiasoutheast",
        "-33.86",
        "151.2094",
    ),
];

/// Normalises a location as Azure does: `East US` and `eastus` are the same region.
/// Returns the canonical name, or `None` for a region cerulean does not offer.
pub fn normalize(location: &str) -> Option<&'static str> {
    // Most requests spell it canonically already: no folded copy then (a NIC create checks
    // its location inside the store's serial writer job).
    if let Some((name, ..)) = REGIONS.iter().find(|(name, ..)| *name == location) {
        return Some(name);
    }
    let folded: String = location
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    REGIONS
        .iter()
        .find(|(name, ..)| *name == folded)
        .map(|(name, ..)| *name)
}

/// Types Azure keeps in no region: their location is `global` (DNS zones, private DNS zones
/// and their links and records, Traffic Manager, Front Door, CDN profiles, alert rules and
/// action groups). Lower-case type paths.
const GLOBAL_TYPES: &[&str] = &[
    "microsoft.network/dnszones",
    "microsoft.network/privatednszones",
    "microsoft.network/privatednszones/virtualnetworklinks",
    "microsoft.network/trafficmanagerprofiles",
    "microsoft.network/frontdoors",
    "microsoft.network/frontdoorwebapplicationfirewallpolicies",
    "microsoft.cdn/profiles",
    "microsoft.insights/actiongroups",
    "microsoft.insights/activitylogalerts",
    "microsoft.insights/metricalerts",
];

/// The location of a resource of `type_path`: a region's canonical name, or `global` for the
/// types Azure keeps in no region; `None` when the type cannot be there.
pub fn normalize_for(type_path: &str, location: &str) -> Option<&'static str> {
    if location.eq_ignore_ascii_case("global") {
        let folded = type_path.to_ascii_lowercase();
        return GLOBAL_TYPES.contains(&folded.as_str()).then_some("global");
    }
    normalize(location)
}

/// The comma-separated list Azure puts into "not available" messages.
pub fn available_list() -> String {
    REGIONS
        .iter()
        .map(|(name, ..)| *name)
        .collect::<Vec<_>>()
        .join(",")
}

/// Regions offered here that have no availability zones (every other one has `1`, `2`
/// and `3`).
const WITHOUT_ZONES: &[&str] = &["westus", "northcentralus", "westcentralus"];

/// The availability zones of a region (its canonical name).
pub fn zones(region: &str) -> &'static [&'static str] {
    if WITHOUT_ZONES.contains(&region) {
        &[]
    } else {
        &["1", "2", "3"]
    }
}

/// The `zones` of a resource: each a zone of its region (`InvalidAvailabilityZone`), and at
/// most one where the resource lives in one zone (a VM; a public IP may be zone-redundant).
/// `resource` is `{type}/{name}` as Azure's messages name it.
pub fn check_zones(
    requested: &[String],
    region: &str,
    resource: &str,
    single: bool,
) -> Result<(), crate::DomainError> {
    let offered = zones(region);
    let unknown: Vec<&str> = requested
        .iter()
        .map(String::as_str)
        .filter(|z| !offered.contains(z))
        .collect();
    if !unknown.is_empty() {
        return Err(crate::DomainError::InvalidAvailabilityZone {
            zones: unknown.join(","),
            resource: resource.to_string(),
            location: region.to_string(),
            supported: offered.join(","),
        });
    }
    if single && requested.len() > 1 {
        return Err(
            crate::DomainError::ResourceCannotHaveMultipleZonesSpecified {
                resource: resource.to_string(),
                count: requested.len(),
            },
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn z(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn global_is_a_location_of_global_types_only() {
        assert_eq!(
            normalize_for("Microsoft.Network/privateDnsZones", "Global"),
            Some("global")
        );
        assert_eq!(
            normalize_for(
                "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
                "global"
            ),
            Some("global")
        );
        assert_eq!(
            normalize_for("Microsoft.Storage/storageAccounts", "global"),
            None
        );
        assert_eq!(
            normalize_for("Microsoft.Network/privateDnsZones", "East US"),
            Some("eastus")
        );
    }

    #[test]
    fn zones_are_those_of_the_region() {
        const VM: &str = "Microsoft.Compute/virtualMachines/vm1";
        check_zones(&z(&["2"]), "eastus", VM, true).unwrap();
        check_zones(&z(&[]), "westus", VM, true).unwrap();
        check_zones(
            &z(&["1", "2", "3"]),
            "eastus",
            "Microsoft.Network/publicIPAddresses/p",
            false,
        )
        .unwrap();
        let e = check_zones(&z(&["99", "1", "x"]), "eastus", VM, true).unwrap_err();
        assert_eq!(e.code(), "InvalidAvailabilityZone");
        assert_eq!(
            e.to_string(),
            "The zone(s) '99,x' for resource 'Microsoft.Compute/virtualMachines/vm1' is not supported. The supported zones for location 'eastus' are '1,2,3'"
        );
        let e = check_zones(&z(&["1"]), "westus", VM, true).unwrap_err();
        assert_eq!(e.code(), "InvalidAvailabilityZone");
        assert!(
            e.to_string().ends_with("for location 'westus' are ''"),
            "{e}"
        );
        let e = check_zones(&z(&["1", "2"]), "eastus", VM, true).unwrap_err();
        assert_eq!(e.code(), "ResourceCannotHaveMultipleZonesSpecified");
        assert_eq!(
            e.to_string(),
            "Resource Microsoft.Compute/virtualMachines/vm1 has 2 zones specified. Only one zone can be specified for this resource."
        );
    }

    #[test]
    fn display_names_and_case_normalise() {
        assert_eq!(normalize("eastus"), Some("eastus"));
        assert_eq!(normalize("East US"), Some("eastus"));
        assert_eq!(normalize("WESTEUROPE"), Some("westeurope"));
        assert_eq!(normalize("moon"), None);
    }
}
