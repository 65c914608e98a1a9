use super::*;

fn urn(text: &str) -> Urn<'_> {
    Urn::parse(text).unwrap()
}

#[test]
fn every_alias_resolves_to_an_image_of_its_os_and_architecture() {
    for al in ALIASES {
        let img = resolve(al.urn).unwrap_or_else(|e| panic!("{}: {e}", al.name));
        assert_eq!(img.sku.os, al.os, "{}", al.name);
        assert_eq!(img.sku.architecture, al.architecture, "{}", al.name);
        assert_eq!(img.version, img.sku.latest());
    }
    assert_eq!(ALIASES.len(), 21);
}

#[test]
fn aliases_ignore_case() {
    let ubuntu = alias("ubuntu2204").unwrap();
    assert_eq!(ubuntu.urn.sku, "22_04-lts-gen2");
    assert_eq!(alias("WIN2022DATACENTER").unwrap().os, OsType::Windows);
    assert!(alias("UbuntuLTS").is_none());
}

#[test]
fn lookups_ignore_case_and_answer_in_the_catalogues_spelling() {
    assert_eq!(publisher("canonical").unwrap().name, "Canonical");
    assert_eq!(
        offer("MICROSOFTWINDOWSSERVER", "windowsserver")
            .unwrap()
            .name,
        "WindowsServer"
    );
    // `2019-datacenter` and `2019-Datacenter` are one SKU.
    let s = sku("MicrosoftWindowsServer", "WindowsServer", "2019-datacenter").unwrap();
    assert_eq!(s.name, "2019-Datacenter");
    assert_eq!(s.os, OsType::Windows);
    assert_eq!(s.generation, HyperVGeneration::V1);
}

#[test]
fn generation_follows_the_sku() {
    let g1 = sku("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts").unwrap();
    let g2 = sku(
        "Canonical",
        "0001-com-ubuntu-server-jammy",
        "22_04-lts-gen2",
    )
    .unwrap();
    assert_eq!(
        (g1.generation, g2.generation),
        (HyperVGeneration::V1, HyperVGeneration::V2)
    );
    assert_eq!(g1.security, SecurityType::Standard);
    assert_eq!(g2.security, SecurityType::TrustedLaunchSupported);
    let d = sku("Debian", "debian-12", "12-gen2").unwrap();
    assert_eq!(d.generation, HyperVGeneration::V2);
    assert_eq!(d.architecture, Architecture::X64);
    let arm = sku("Canonical", "ubuntu-24_04-lts", "server-arm64").unwrap();
    assert_eq!(arm.architecture, Architecture::Arm64);
}

#[test]
fn latest_is_the_numerically_highest_version() {
    // As text "8.9..." sorts after "8.10..."; as numbers it does not.
    let rhel = sku("RedHat", "RHEL", "8-lvm-gen2").unwrap();
    assert_eq!(rhel.latest(), "8.10.2024082115");
    assert_eq!(
        rhel.versions_ascending(),
        ["8.9.2024022310", "8.10.2024070513", "8.10.2024082115"]
    );
    let img = resolve(urn("Canonical:ubuntu-24_04-lts:server:LATEST")).unwrap();
    assert_eq!(img.version, "24.04.202411030");
}

#[test]
fn versions_compare_as_dotted_numbers() {
    assert_eq!(compare_versions("8.10.1", "8.9.9"), Ordering::Greater);
    assert_eq!(compare_versions("1.2", "1.2.0"), Ordering::Less);
    assert_eq!(
        compare_versions("22.04.202410020", "22.04.202410020"),
        Ordering::Equal
    );
    assert_eq!(compare_versions("010.1", "10.1"), Ordering::Equal);
    assert_eq!(compare_versions("1.a", "1.2"), Ordering::Greater);
}

#[test]
fn every_sku_has_versions_and_every_version_is_well_formed() {
    for p in PUBLISHERS {
        for o in p.offers {
            for s in o.skus {
                assert!(s.versions.len() >= 2, "{}:{}:{}", p.name, o.name, s.name);
                assert!(s.versions.iter().all(|v| is_version(v)), "{}", s.name);
                assert_eq!(s.versions.to_vec(), s.versions_ascending(), "{}", s.name);
            }
        }
    }
}

#[test]
fn an_exact_version_is_found_and_latest_is_not_a_version() {
    let img = version(urn(
        "MicrosoftWindowsServer:WindowsServer:2022-datacenter-azure-edition:20348.2762.241006",
    ))
    .unwrap();
    assert_eq!(img.sku.os, OsType::Windows);
    assert_eq!(img.publisher.name, "MicrosoftWindowsServer");
    let e = version(urn("Canonical:ubuntu-24_04-lts:server:latest")).unwrap_err();
    assert_eq!(e.code(), "InvalidParameter");
    assert_eq!(e.target().as_deref(), Some("version"));
    assert_eq!(e.to_string(), "The value of parameter version is invalid.");
}

#[test]
fn anything_unknown_is_artifact_not_found() {
    for text in [
        "Nobody:x:y:1.0.0",
        "Canonical:nope:y:1.0.0",
        "Canonical:ubuntu-24_04-lts:nope:1.0.0",
        "Canonical:ubuntu-24_04-lts:server:1.0.0",
    ] {
        let e = version(urn(text)).unwrap_err();
        assert_eq!(e.code(), "NotFound", "{text}");
        assert_eq!(e.class(), crate::ErrorClass::NotFound);
        assert_eq!(e.to_string(), "Artifact: VMImage was not found.");
    }
    assert!(resolve(urn("Canonical:ubuntu-24_04-lts:server:1.0.0")).is_err());
}

#[test]
fn urns_and_platform_image_ids_parse() {
    assert_eq!(
        urn("Debian:debian-12:12:latest"),
        Urn {
            publisher: "Debian",
            offer: "debian-12",
            sku: "12",
            version: "latest"
        }
    );
    assert!(Urn::parse("Debian:debian-12:12").is_none());
    assert!(Urn::parse("a:b:c:d:e").is_none());
    assert!(Urn::parse("a::c:d").is_none());
    let id = "/Subscriptions/s/Providers/Microsoft.Compute/Locations/westus/Publishers/MicrosoftSQLServer/ArtifactTypes/VMImage/Offers/sql2022-ws2022/Skus/sqldev-gen2/Versions/16.0.241010";
    let u = Urn::from_platform_id(id).unwrap();
    assert_eq!(
        (u.publisher, u.sku, u.version),
        ("MicrosoftSQLServer", "sqldev-gen2", "16.0.241010")
    );
    assert_eq!(version(u).unwrap().sku.os, OsType::Windows);
    assert!(Urn::from_platform_id(
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/golden"
    )
    .is_none());
}
