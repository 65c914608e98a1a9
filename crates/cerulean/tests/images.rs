//! The platform image catalogue over HTTPS against the real binary: publishers, offers, SKUs
//! and versions as bare arrays, `$top`/`$orderby` as `az` uses them to resolve `latest`, one
//! version's details, Azure's errors, every URN alias `az` knows without the online list,
//! and a VM's guest OS taken from its image.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const LOC: &str = "eastus";

fn catalogue(rest: &str) -> String {
    format!("/subscriptions/{SUB}/providers/Microsoft.Compute/locations/{LOC}/publishers{rest}")
}

fn with_api(path: &str) -> String {
    if path.contains('?') {
        format!("{path}&{API}")
    } else {
        format!("{path}?{API}")
    }
}

fn sku_path(publisher: &str, offer: &str, sku: &str) -> String {
    catalogue(&format!(
        "/{publisher}/artifacttypes/vmimage/offers/{offer}/skus/{sku}"
    ))
}

async fn array(s: &Server, path: &str) -> Vec<Value> {
    let (st, body) = s.get(&with_api(path)).await;
    assert_eq!(st, StatusCode::OK, "GET {path}: {body}");
    body.as_array()
        .unwrap_or_else(|| panic!("bare array from {path}: {body}"))
        .clone()
}

fn names(items: &[Value]) -> Vec<&str> {
    items.iter().map(|i| i["name"].as_str().unwrap()).collect()
}

/// What `az vm create --image <alias>` does: the newest version, then that version.
async fn latest_then_show(s: &Server, publisher: &str, offer: &str, sku: &str) -> Value {
    let path = format!(
        "{}/versions?$expand=properties&$orderby=name%20desc&$top=1",
        sku_path(publisher, offer, sku)
    );
    let top = array(s, &path).await;
    assert_eq!(top.len(), 1, "{path}: {top:?}");
    let version = top[0]["name"].as_str().unwrap();
    assert!(
        top[0]["properties"]["osDiskImage"]["operatingSystem"].is_string(),
        "$expand=properties: {top:?}"
    );
    let (st, image) = s
        .get(&with_api(&format!(
            "{}/versions/{version}",
            sku_path(publisher, offer, sku)
        )))
        .await;
    assert_eq!(st, StatusCode::OK, "{image}");
    assert_eq!(image["name"], version);
    image
}

#[tokio::test]
async fn publishers_offers_and_skus_are_bare_arrays() {
    let s = Server::start(&[]);
    // A display name is a location too; ids use the region's name.
    let (st, body) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Compute/locations/East%20US/publishers?{API}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let publishers = body.as_array().unwrap();
    for p in [
        "Canonical",
        "Debian",
        "MicrosoftWindowsServer",
        "RedHat",
        "SUSE",
        "OpenLogic",
    ] {
        assert!(names(publishers).contains(&p), "{p} in {body}");
    }
    let canonical = publishers
        .iter()
        .find(|p| p["name"] == "Canonical")
        .unwrap();
    assert_eq!(
        canonical,
        &json!({
            "name": "Canonical",
            "location": "eastus",
            "id": format!("/Subscriptions/{SUB}/Providers/Microsoft.Compute/Locations/eastus/Publishers/Canonical"),
        })
    );

    // Fixed words in any case, names in any case; listed names in the catalogue's spelling.
    let offers = array(
        &s,
        &format!(
            "/subscriptions/{SUB}/Providers/Microsoft.Compute/Locations/{LOC}/Publishers/canonical/ArtifactTypes/VMImage/Offers"
        ),
    )
    .await;
    let offer_names = names(&offers);
    assert!(
        offer_names.contains(&"0001-com-ubuntu-server-jammy"),
        "{offers:?}"
    );
    assert!(offer_names.contains(&"ubuntu-24_04-lts"), "{offers:?}");
    let jammy = offers
        .iter()
        .find(|o| o["name"] == "0001-com-ubuntu-server-jammy")
        .unwrap();
    assert_eq!(
        jammy["id"],
        format!("/Subscriptions/{SUB}/Providers/Microsoft.Compute/Locations/eastus/Publishers/canonical/ArtifactTypes/VMImage/Offers/0001-com-ubuntu-server-jammy")
    );
    assert_eq!(jammy["location"], "eastus");

    let skus = array(
        &s,
        &catalogue("/Canonical/artifacttypes/vmimage/offers/0001-com-ubuntu-server-jammy/skus"),
    )
    .await;
    for sku in ["22_04-lts", "22_04-lts-gen2"] {
        assert!(names(&skus).contains(&sku), "{skus:?}");
    }
    let debian = array(
        &s,
        &catalogue("/Debian/artifacttypes/vmimage/offers/debian-12/skus"),
    )
    .await;
    for sku in ["12", "12-gen2"] {
        assert!(names(&debian).contains(&sku), "{debian:?}");
    }
    let windows = array(
        &s,
        &catalogue("/MicrosoftWindowsServer/artifacttypes/vmimage/offers/WindowsServer/skus"),
    )
    .await;
    for sku in [
        "2022-datacenter-azure-edition",
        "2022-datacenter",
        "2022-datacenter-g2",
        "2019-Datacenter",
    ] {
        assert!(names(&windows).contains(&sku), "{windows:?}");
    }
}

#[tokio::test]
async fn versions_list_oldest_first_and_top_one_by_name_desc_is_the_newest() {
    let s = Server::start(&[]);
    let base = format!("{}/versions", sku_path("RedHat", "RHEL", "8-lvm-gen2"));
    let all = array(&s, &base).await;
    // Numeric order: 8.9 before 8.10 (text order would say otherwise).
    assert_eq!(
        names(&all),
        ["8.9.2024022310", "8.10.2024070513", "8.10.2024082115"]
    );
    assert!(all[0].get("properties").is_none(), "{all:?}");
    assert_eq!(
        all[2]["id"],
        format!("/Subscriptions/{SUB}/Providers/Microsoft.Compute/Locations/eastus/Publishers/RedHat/ArtifactTypes/VMImage/Offers/RHEL/Skus/8-lvm-gen2/Versions/8.10.2024082115")
    );

    let newest = array(&s, &format!("{base}?$top=1&$orderby=name desc")).await;
    assert_eq!(names(&newest), ["8.10.2024082115"]);
    let desc = array(&s, &format!("{base}?$orderby=name%20desc")).await;
    assert_eq!(desc.len(), 3);
    assert_eq!(desc[0]["name"], "8.10.2024082115");
    let first_two = array(&s, &format!("{base}?$top=2")).await;
    assert_eq!(names(&first_two), ["8.9.2024022310", "8.10.2024070513"]);
    // $filter is accepted and ignored.
    assert_eq!(array(&s, &format!("{base}?$filter=x")).await.len(), 3);

    let expanded = array(&s, &format!("{base}?$expand=properties&$top=1")).await;
    assert_eq!(
        expanded[0]["properties"]["osDiskImage"]["operatingSystem"],
        "Linux"
    );
    assert_eq!(expanded[0]["properties"]["hyperVGeneration"], "V2");

    let (st, body) = s.get(&with_api(&format!("{base}?$top=many"))).await;
    assert_error(st, &body, 400, "InvalidParameter");
}

#[tokio::test]
async fn a_version_shows_os_generation_and_architecture() {
    let s = Server::start(&[]);
    // Win2022Datacenter: MicrosoftWindowsServer:WindowsServer:2022-datacenter-g2:latest
    let win = latest_then_show(
        &s,
        "MicrosoftWindowsServer",
        "WindowsServer",
        "2022-datacenter-g2",
    )
    .await;
    let p = &win["properties"];
    assert_eq!(p["osDiskImage"], json!({"operatingSystem": "Windows"}));
    assert_eq!(p["hyperVGeneration"], "V2");
    assert_eq!(p["architecture"], "x64");
    assert_eq!(p["dataDiskImages"], json!([]));
    assert_eq!(
        p["automaticOSUpgradeProperties"]["automaticOSUpgradeSupported"],
        true
    );
    assert_eq!(p["imageDeprecationStatus"]["imageState"], "Active");
    let features = p["features"].as_array().unwrap();
    assert!(
        features.contains(&json!({"name": "SecurityType", "value": "TrustedLaunchSupported"})),
        "{features:?}"
    );
    assert_eq!(win["location"], "eastus");
    assert_eq!(
        win["id"],
        format!("/Subscriptions/{SUB}/Providers/Microsoft.Compute/Locations/eastus/Publishers/MicrosoftWindowsServer/ArtifactTypes/VMImage/Offers/WindowsServer/Skus/2022-datacenter-g2/Versions/{}", win["name"].as_str().unwrap())
    );

    // A Gen1 Linux SKU, named in another case.
    let (st, v1) = s
        .get(&with_api(&format!(
            "{}/versions/22.04.202410020",
            sku_path("canonical", "0001-COM-UBUNTU-SERVER-JAMMY", "22_04-LTS")
        )))
        .await;
    assert_eq!(st, StatusCode::OK, "{v1}");
    assert_eq!(v1["properties"]["osDiskImage"]["operatingSystem"], "Linux");
    assert_eq!(v1["properties"]["hyperVGeneration"], "V1");
    assert_eq!(v1["name"], "22.04.202410020");
}

#[tokio::test]
async fn unknown_artifacts_are_not_found_and_latest_is_not_a_version() {
    let s = Server::start(&[]);
    let not_found = [
        catalogue("/NoSuchPublisher/artifacttypes/vmimage/offers"),
        catalogue("/Canonical/artifacttypes/vmimage/offers/no-such-offer/skus"),
        format!(
            "{}/versions",
            sku_path("Canonical", "ubuntu-24_04-lts", "no-such-sku")
        ),
        format!(
            "{}/versions/24.04.1",
            sku_path("Canonical", "ubuntu-24_04-lts", "server")
        ),
        catalogue("/Canonical/artifacttypes/vmextension/offers"),
    ];
    for path in not_found {
        let (st, body) = s.get(&with_api(&path)).await;
        let msg = assert_error(st, &body, 404, "NotFound");
        assert_eq!(msg, "Artifact: VMImage was not found.", "{path}");
    }

    let (st, body) = s
        .get(&with_api(&format!(
            "{}/versions/latest",
            sku_path("Canonical", "ubuntu-24_04-lts", "server")
        )))
        .await;
    let msg = assert_error(st, &body, 400, "InvalidParameter");
    assert_eq!(msg, "The value of parameter version is invalid.");
    assert_eq!(body["error"]["target"], "version");

    let (st, body) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Compute/locations/atlantis/publishers?{API}"
        ))
        .await;
    assert_error(st, &body, 400, "LocationNotAvailableForResourceType");

    let (st, body) = s
        .get(&format!(
            "/subscriptions/00000000-0000-0000-0000-00000000dead/providers/Microsoft.Compute/locations/{LOC}/publishers?{API}"
        ))
        .await;
    assert_error(st, &body, 404, "SubscriptionNotFound");

    let (st, body) = s.get(&catalogue("")).await;
    assert_error(st, &body, 400, "MissingApiVersionParameter");
}

/// azure-cli 2.91.0's built-in alias table (`vm/_alias.py`), used when the online list
/// cannot be fetched — always, against cerulean — and the newer online aliases.
const AZ_ALIASES: &[(&str, &str, &str)] = &[
    ("AzureLinux4", "microsoftazurelinux:azurelinux-4:4", "Linux"),
    (
        "AzureLinux4Arm64",
        "microsoftazurelinux:azurelinux-4:4-arm64",
        "Linux",
    ),
    (
        "AzureLinux4Gen1",
        "microsoftazurelinux:azurelinux-4:4-gen1",
        "Linux",
    ),
    ("CentOS85Gen2", "OpenLogic:CentOS:8_5-gen2", "Linux"),
    ("Debian11", "Debian:debian-11:11-backports-gen2", "Linux"),
    (
        "FlatcarLinuxFreeGen2",
        "kinvolk:flatcar-container-linux-free:stable-gen2",
        "Linux",
    ),
    (
        "OpenSuseLeap154Gen2",
        "SUSE:openSUSE-leap-15-4:gen2",
        "Linux",
    ),
    ("RHELRaw8LVMGen2", "RedHat:RHEL:8-lvm-gen2", "Linux"),
    ("SuseSles15SP3", "SUSE:sles-15-sp3:gen2", "Linux"),
    (
        "Ubuntu2204",
        "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2",
        "Linux",
    ),
    (
        "Win2022Datacenter",
        "MicrosoftWindowsServer:WindowsServer:2022-datacenter-g2",
        "Windows",
    ),
    (
        "Win2022AzureEditionCore",
        "MicrosoftWindowsServer:WindowsServer:2022-datacenter-azure-edition-core",
        "Windows",
    ),
    (
        "Win2019Datacenter",
        "MicrosoftWindowsServer:WindowsServer:2019-datacenter-gensecond",
        "Windows",
    ),
    (
        "Win2016Datacenter",
        "MicrosoftWindowsServer:WindowsServer:2016-datacenter-gensecond",
        "Windows",
    ),
    (
        "Win2012R2Datacenter",
        "MicrosoftWindowsServer:WindowsServer:2012-R2-Datacenter",
        "Windows",
    ),
    (
        "Win2012Datacenter",
        "MicrosoftWindowsServer:WindowsServer:2012-Datacenter",
        "Windows",
    ),
    ("Ubuntu2404", "Canonical:ubuntu-24_04-lts:server", "Linux"),
    (
        "Ubuntu2404Pro",
        "Canonical:ubuntu-24_04-lts:ubuntu-pro",
        "Linux",
    ),
    ("SuseSles15SP5", "SUSE:sles-15-sp5:gen2", "Linux"),
];

#[tokio::test]
async fn every_az_alias_resolves_as_az_vm_create_resolves_it() {
    let s = Server::start(&[]);
    for (alias, urn, os) in AZ_ALIASES {
        let parts: Vec<&str> = urn.split(':').collect();
        let image = latest_then_show(&s, parts[0], parts[1], parts[2]).await;
        assert_eq!(
            image["properties"]["osDiskImage"]["operatingSystem"], *os,
            "{alias}: {image}"
        );
        let arch = if alias.ends_with("Arm64") {
            "Arm64"
        } else {
            "x64"
        };
        assert_eq!(image["properties"]["architecture"], arch, "{alias}");
    }
}

// ------------------------------------------------------------- a VM's OS from its image

fn net(rg: &str, ty: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/{ty}/{name}")
}

async fn put_ok(s: &Server, id: &str, body: Value) -> Value {
    let (st, got) = s.put(&with_api(id), body).await;
    assert!(st.is_success(), "PUT {id}: {st} {got}");
    got
}

/// A VM with this `imageReference` and nothing else that tells its OS; returns its
/// instance view's `osName`.
async fn os_of_vm_from(s: &Server, rg: &str, name: &str, image: Value) -> Value {
    let subnet = format!("{}/subnets/default", net(rg, "virtualNetworks", "vnet"));
    let nic = net(rg, "networkInterfaces", &format!("{name}-nic"));
    put_ok(
        s,
        &nic,
        json!({"location": LOC, "properties": {"ipConfigurations": [
            {"name": "ipconfig1", "properties": {"subnet": {"id": subnet}}}
        ]}}),
    )
    .await;
    let vm = format!("/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{name}");
    put_ok(
        s,
        &vm,
        json!({"location": LOC, "properties": {
            "hardwareProfile": {"vmSize": "Standard_B2s"},
            "storageProfile": {
                "imageReference": image,
                "osDisk": {"createOption": "FromImage"}
            },
            "osProfile": {"computerName": name, "adminUsername": "azureuser", "adminPassword": "S3cret-Passw0rd!"},
            "networkProfile": {"networkInterfaces": [{"id": nic}]}
        }}),
    )
    .await;
    let (st, got) = s.get(&format!("{vm}?$expand=instanceView&{API}")).await;
    assert_eq!(st, StatusCode::OK, "{got}");
    let (st, view) = s.get(&format!("{vm}/instanceView?{API}")).await;
    assert_eq!(st, StatusCode::OK, "{view}");
    assert_eq!(view["osName"], got["properties"]["instanceView"]["osName"]);
    view["osName"].clone()
}

#[tokio::test]
async fn a_vm_takes_its_guest_os_from_the_catalogue() {
    let s = Server::start(&[]);
    let rg = "images-rg";
    put_ok(
        &s,
        &format!("/subscriptions/{SUB}/resourceGroups/{rg}"),
        json!({"location": LOC}),
    )
    .await;
    put_ok(
        &s,
        &net(rg, "virtualNetworks", "vnet"),
        json!({"location": LOC, "properties": {
            "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "subnets": [{"name": "default", "properties": {"addressPrefix": "10.0.0.0/24"}}]
        }}),
    )
    .await;

    let urn = |p: &str, o: &str, sk: &str, v: &str| json!({"publisher": p, "offer": o, "sku": sk, "version": v});
    // Win2022Datacenter's URN.
    let win = urn(
        "MicrosoftWindowsServer",
        "WindowsServer",
        "2022-datacenter-g2",
        "latest",
    );
    assert_eq!(os_of_vm_from(&s, rg, "win", win).await, "Windows");
    // Ubuntu2204's URN, at an exact version.
    let ubuntu = urn(
        "Canonical",
        "0001-com-ubuntu-server-jammy",
        "22_04-lts-gen2",
        "22.04.202410020",
    );
    assert_eq!(os_of_vm_from(&s, rg, "ubuntu", ubuntu).await, "Linux");
    // SQL Server on Windows: nothing in its names says "windows"; the catalogue knows.
    let sql = urn(
        "MicrosoftSQLServer",
        "sql2022-ws2022",
        "sqldev-gen2",
        "latest",
    );
    assert_eq!(os_of_vm_from(&s, rg, "sql", sql).await, "Windows");
    // The same image named by its platform image id.
    let sql_id = json!({"id": format!(
        "/Subscriptions/{SUB}/Providers/Microsoft.Compute/Locations/{LOC}/Publishers/MicrosoftSQLServer/ArtifactTypes/VMImage/Offers/sql2022-ws2022/Skus/sqldev-gen2/Versions/16.0.241010"
    )});
    assert_eq!(os_of_vm_from(&s, rg, "sqlid", sql_id).await, "Windows");
    // A custom image id is accepted (its OS is not known: Linux unless the VM says).
    let custom = json!({"id": format!(
        "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Compute/images/golden"
    )});
    assert_eq!(os_of_vm_from(&s, rg, "custom", custom).await, "Linux");
    // An image the catalogue does not hold is accepted; its names decide.
    let unknown = urn("SomeVendor", "appliance", "v1", "latest");
    assert_eq!(os_of_vm_from(&s, rg, "vendor", unknown).await, "Linux");
}

/// The VM extension catalogue: what `az vm extension set` reads when no version is given (the
/// publisher in the publisher list, the type, its versions, the newest one).
#[tokio::test]
async fn the_extension_catalogue_lists_types_and_versions() {
    let s = Server::start(&[]);
    let publishers = array(&s, &catalogue("")).await;
    assert!(names(&publishers).contains(&"Microsoft.Azure.Extensions"));
    assert!(
        names(&publishers).contains(&"Canonical"),
        "images' publishers stay"
    );
    let types = array(
        &s,
        &catalogue("/Microsoft.Azure.Extensions/artifacttypes/vmextension/types"),
    )
    .await;
    assert_eq!(names(&types), ["CustomScript"]);
    assert_eq!(
        types[0]["id"],
        format!("/Subscriptions/{SUB}/Providers/Microsoft.Compute/Locations/{LOC}/Publishers/Microsoft.Azure.Extensions/ArtifactTypes/VMExtension/Types/CustomScript")
    );
    let versions = catalogue(
        "/Microsoft.Azure.Extensions/artifacttypes/vmextension/types/CustomScript/versions",
    );
    assert_eq!(
        names(&array(&s, &versions).await),
        ["2.0.7", "2.1.6", "2.1.10"]
    );
    let newest = array(&s, &format!("{versions}?$orderby=name%20desc&$top=1")).await;
    assert_eq!(names(&newest), ["2.1.10"]);
    let (st, one) = s.get(&with_api(&format!("{versions}/2.1.10"))).await;
    assert_eq!(st, StatusCode::OK, "{one}");
    assert_eq!(one["properties"]["operatingSystem"], "Linux");
    assert_eq!(one["properties"]["supportsMultipleExtensions"], false);
    for missing in [
        catalogue("/Contoso/artifacttypes/vmextension/types"),
        catalogue("/Microsoft.Azure.Extensions/artifacttypes/vmextension/types/Nope/versions"),
        format!("{versions}/9.9"),
        catalogue("/Microsoft.Azure.Extensions/artifacttypes/vmimage/types"),
    ] {
        let (st, body) = s.get(&with_api(&missing)).await;
        let msg = assert_error(st, &body, 404, "NotFound");
        assert_eq!(msg, "Artifact: VMExtension was not found.", "{missing}");
    }
}
