//! The platform image catalogue: publishers, offers, SKUs and versions of common Marketplace
//! images, the facts a VM takes from its image (guest OS, Hyper-V generation, architecture)
//! and the URN aliases `az vm create --image` accepts.
//!
//! Every image is offered in every region (Azure's availability varies by region). Lookups
//! ignore case; the catalogue's spelling is what lists show. Versions compare as dotted
//! numbers, so `8.10.x` is newer than `8.9.x`.

use crate::compute::vm::OsType;
use crate::DomainError;
use std::cmp::Ordering;

/// Which virtual hardware an image boots on: BIOS (`V1`) or UEFI (`V2`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HyperVGeneration {
    V1,
    V2,
}

impl HyperVGeneration {
    pub fn as_str(self) -> &'static str {
        match self {
            HyperVGeneration::V1 => "V1",
            HyperVGeneration::V2 => "V2",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Architecture {
    X64,
    Arm64,
}

impl Architecture {
    /// Azure's spelling (`ArchitectureTypes`: `x64`, `Arm64`).
    pub fn as_str(self) -> &'static str {
        match self {
            Architecture::X64 => "x64",
            Architecture::Arm64 => "Arm64",
        }
    }
}

/// The `SecurityType` feature of an image: whether Trusted Launch is offered. `az vm create`
/// turns Trusted Launch on for a `V2` image that supports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecurityType {
    Standard,
    TrustedLaunchSupported,
}

impl SecurityType {
    pub fn as_str(self) -> &'static str {
        match self {
            SecurityType::Standard => "Standard",
            SecurityType::TrustedLaunchSupported => "TrustedLaunchSupported",
        }
    }
}

#[derive(Debug, PartialEq)]
pub struct Publisher {
    pub name: &'static str,
    pub offers: &'static [Offer],
}

#[derive(Debug, PartialEq)]
pub struct Offer {
    pub name: &'static str,
    pub skus: &'static [Sku],
}

/// One SKU; its facts hold for all of its versions.
#[derive(Debug, PartialEq)]
pub struct Sku {
    pub name: &'static str,
    pub os: OsType,
    pub generation: HyperVGeneration,
    pub architecture: Architecture,
    pub security: SecurityType,
    pub automatic_os_upgrade: bool,
    /// In ascending order.
    pub versions: &'static [&'static str],
}

impl Sku {
    /// The highest version.
    pub fn latest(&self) -> &'static str {
        self.versions
            .iter()
            .copied()
            .max_by(|a, b| compare_versions(a, b))
            .unwrap_or_default()
    }

    /// The versions, oldest first.
    pub fn versions_ascending(&self) -> Vec<&'static str> {
        let mut v = self.versions.to_vec();
        v.sort_by(|a, b| compare_versions(a, b));
        v
    }
}

/// A version of a SKU, found in the catalogue.
#[derive(Debug, PartialEq)]
pub struct Image {
    pub publisher: &'static Publisher,
    pub offer: &'static Offer,
    pub sku: &'static Sku,
    pub version: &'static str,
}

/// `Publisher:Offer:Sku:Version`, as `az` and ARM templates spell an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Urn<'a> {
    pub publisher: &'a str,
    pub offer: &'a str,
    pub sku: &'a str,
    pub version: &'a str,
}

impl<'a> Urn<'a> {
    pub fn parse(text: &'a str) -> Option<Urn<'a>> {
        let mut parts = text.split(':');
        let urn = Urn {
            publisher: parts.next()?,
            offer: parts.next()?,
            sku: parts.next()?,
            version: parts.next()?,
        };
        let filled = [urn.publisher, urn.offer, urn.sku, urn.version]
            .iter()
            .all(|p| !p.is_empty());
        (filled && parts.next().is_none()).then_some(urn)
    }

    /// A platform image id such as a VM's `imageReference.id` may carry:
    /// `/Subscriptions/{s}/Providers/Microsoft.Compute/Locations/{l}/Publishers/{p}/ArtifactTypes/VMImage/Offers/{o}/Skus/{s}/Versions/{v}`
    /// (any case). Custom and gallery image ids are not platform images: `None`.
    pub fn from_platform_id(id: &'a str) -> Option<Urn<'a>> {
        let segs: Vec<&str> = id.trim_matches('/').split('/').collect();
        let fixed = [
            (0, "subscriptions"),
            (2, "providers"),
            (3, "microsoft.compute"),
            (4, "locations"),
            (6, "publishers"),
            (8, "artifacttypes"),
            (9, "vmimage"),
            (10, "offers"),
            (12, "skus"),
            (14, "versions"),
        ];
        if segs.len() != 16 || !fixed.iter().all(|(i, w)| segs[*i].eq_ignore_ascii_case(w)) {
            return None;
        }
        Some(Urn {
            publisher: segs[7],
            offer: segs[11],
            sku: segs[13],
            version: segs[15],
        })
    }
}

/// Compares two image versions as dotted numbers (`8.10.1` > `8.9.9`); a part that is not
/// a number compares as text, after every number.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let mut pa = a.split('.');
    let mut pb = b.split('.');
    loop {
        match (pa.next(), pb.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let ord = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => x.cmp(y),
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
        }
    }
}

/// Whether `version` has the shape of an image version: dotted decimal numbers
/// (`22.04.202410020`). `latest` does not: a GET of one version needs a real one.
pub fn is_version(version: &str) -> bool {
    !version.is_empty()
        && version
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn not_found(what: String) -> DomainError {
    DomainError::VmImageNotFound { urn: what }
}

pub fn publisher(name: &str) -> Result<&'static Publisher, DomainError> {
    PUBLISHERS
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| not_found(name.to_string()))
}

pub fn offer(publisher_name: &str, offer: &str) -> Result<&'static Offer, DomainError> {
    publisher(publisher_name)?
        .offers
        .iter()
        .find(|o| o.name.eq_ignore_ascii_case(offer))
        .ok_or_else(|| not_found(format!("{publisher_name}:{offer}")))
}

pub fn sku(publisher_name: &str, offer_name: &str, sku: &str) -> Result<&'static Sku, DomainError> {
    offer(publisher_name, offer_name)?
        .skus
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(sku))
        .ok_or_else(|| not_found(format!("{publisher_name}:{offer_name}:{sku}")))
}

/// One exact version (what `GET .../versions/{v}` serves): `latest` or any other text that
/// is not a version is `InvalidParameter` on `version`, an unknown one `NotFound`.
pub fn version(urn: Urn<'_>) -> Result<Image, DomainError> {
    if !is_version(urn.version) {
        return Err(DomainError::InvalidImageVersion {
            version: urn.version.to_string(),
        });
    }
    find(urn, false)
}

/// An image as a VM names it: `latest` picks the highest version.
pub fn resolve(urn: Urn<'_>) -> Result<Image, DomainError> {
    find(urn, true)
}

fn find(urn: Urn<'_>, latest_allowed: bool) -> Result<Image, DomainError> {
    let p = publisher(urn.publisher)?;
    let o = offer(urn.publisher, urn.offer)?;
    let s = sku(urn.publisher, urn.offer, urn.sku)?;
    let version = if latest_allowed && urn.version.eq_ignore_ascii_case("latest") {
        Some(s.latest())
    } else {
        s.versions
            .iter()
            .copied()
            .find(|v| compare_versions(v, urn.version) == Ordering::Equal)
    };
    let version = version.ok_or_else(|| {
        not_found(format!(
            "{}:{}:{}:{}",
            urn.publisher, urn.offer, urn.sku, urn.version
        ))
    })?;
    Ok(Image {
        publisher: p,
        offer: o,
        sku: s,
        version,
    })
}

/// A URN alias of `az vm create --image`.
#[derive(Debug, PartialEq)]
pub struct Alias {
    pub name: &'static str,
    pub os: OsType,
    pub urn: Urn<'static>,
    pub architecture: Architecture,
}

pub fn alias(name: &str) -> Option<&'static Alias> {
    ALIASES.iter().find(|a| a.name.eq_ignore_ascii_case(name))
}

// ------------------------------------------------------------------------ the catalogue

use Architecture::{Arm64, X64};
use HyperVGeneration::{V1, V2};

const fn linux(
    name: &'static str,
    generation: HyperVGeneration,
    versions: &'static [&'static str],
) -> Sku {
    Sku {
        name,
        os: OsType::Linux,
        generation,
        architecture: X64,
        security: match generation {
            V1 => SecurityType::Standard,
            V2 => SecurityType::TrustedLaunchSupported,
        },
        // GUESS: Azure reports false for today's Linux platform images.
        automatic_os_upgrade: false,
        versions,
    }
}

const fn linux_arm64(name: &'static str, versions: &'static [&'static str]) -> Sku {
    Sku {
        architecture: Arm64,
        // Trusted Launch is not offered on Arm64.
        security: SecurityType::Standard,
        ..linux(name, V2, versions)
    }
}

const fn windows(
    name: &'static str,
    generation: HyperVGeneration,
    versions: &'static [&'static str],
) -> Sku {
    Sku {
        os: OsType::Windows,
        // GUESS: Windows Server platform images support automatic OS upgrades.
        automatic_os_upgrade: true,
        ..linux(name, generation, versions)
    }
}

const UBUNTU_1804: &[&str] = &["18.04.202401161", "18.04.202404080", "18.04.202405140"];
const UBUNTU_2004: &[&str] = &["20.04.202409120", "20.04.202410020", "20.04.202411010"];
const UBUNTU_2204: &[&str] = &["22.04.202409110", "22.04.202410020", "22.04.202411010"];
const UBUNTU_2404: &[&str] = &["24.04.202409120", "24.04.202410290", "24.04.202411030"];
const DEBIAN_11: &[&str] = &["0.20240703.1797", "0.20240827.1855", "0.20241004.1890"];
const DEBIAN_12: &[&str] = &["0.20240827.1855", "0.20241004.1890", "0.20241111.1931"];
const FLATCAR: &[&str] = &["3975.2.1", "3975.2.2", "4081.2.0"];
const AZURE_LINUX_4: &[&str] = &["4.0.20250812", "4.0.20250912", "4.0.20251010"];
const CENTOS_7: &[&str] = &["7.9.2022012100", "7.9.2022101800"];
const CENTOS_8: &[&str] = &["8.5.2022012100", "8.5.2022101800"];
const RHEL_8: &[&str] = &["8.9.2024022310", "8.10.2024070513", "8.10.2024082115"];
const RHEL_9: &[&str] = &["9.3.2024022310", "9.4.2024070513", "9.4.2024082115"];
const ALMA_8: &[&str] = &["8.9.2023111401", "8.10.2024061101"];
const ALMA_9: &[&str] = &["9.4.2024050902", "9.5.2024111801"];
const LEAP_154: &[&str] = &["2023.06.12", "2023.11.03"];
const SLES_15_SP3: &[&str] = &["2023.09.20", "2024.02.14"];
const SLES_15_SP5: &[&str] = &["2024.06.13", "2024.09.05", "2024.10.22"];
const WS_2025: &[&str] = &[
    "26100.1742.240906",
    "26100.2033.241004",
    "26100.2314.241107",
];
const WS_2022: &[&str] = &[
    "20348.2655.240905",
    "20348.2762.241006",
    "20348.2849.241109",
];
const WS_2019: &[&str] = &[
    "17763.6293.240905",
    "17763.6414.241004",
    "17763.6532.241101",
];
const WS_2016: &[&str] = &[
    "14393.7336.240830",
    "14393.7428.241004",
    "14393.7515.241101",
];
const WS_2012_R2: &[&str] = &["9600.21563.230809", "9600.21620.231004"];
const WS_2012: &[&str] = &["9200.24414.230808", "9200.24523.231004"];
const SQL_2022: &[&str] = &["16.0.240912", "16.0.241010", "16.0.241109"];

pub const PUBLISHERS: &[Publisher] = &[
    Publisher {
        name: "almalinux",
        offers: &[Offer {
            name: "almalinux-x86_64",
            skus: &[
                linux("8-gen2", V2, ALMA_8),
                linux("9-gen1", V1, ALMA_9),
                linux("9-gen2", V2, ALMA_9),
            ],
        }],
    },
    Publisher {
        name: "Canonical",
        offers: &[
            Offer {
                name: "UbuntuServer",
                skus: &[
                    linux("18.04-LTS", V1, UBUNTU_1804),
                    linux("18_04-lts-gen2", V2, UBUNTU_1804),
                ],
            },
            Offer {
                name: "0001-com-ubuntu-server-focal",
                skus: &[
                    linux("20_04-lts", V1, UBUNTU_2004),
                    linux("20_04-lts-gen2", V2, UBUNTU_2004),
                ],
            },
            Offer {
                name: "0001-com-ubuntu-server-jammy",
                skus: &[
                    linux("22_04-lts", V1, UBUNTU_2204),
                    linux("22_04-lts-gen2", V2, UBUNTU_2204),
                    linux_arm64("22_04-lts-arm64", UBUNTU_2204),
                ],
            },
            Offer {
                name: "ubuntu-24_04-lts",
                skus: &[
                    linux("server", V2, UBUNTU_2404),
                    linux("server-gen1", V1, UBUNTU_2404),
                    linux_arm64("server-arm64", UBUNTU_2404),
                    linux("minimal", V2, UBUNTU_2404),
                    linux("ubuntu-pro", V2, UBUNTU_2404),
                    linux("ubuntu-pro-gen1", V1, UBUNTU_2404),
                ],
            },
        ],
    },
    Publisher {
        name: "Debian",
        offers: &[
            Offer {
                name: "debian-11",
                skus: &[
                    linux("11", V1, DEBIAN_11),
                    linux("11-gen2", V2, DEBIAN_11),
                    linux("11-backports-gen2", V2, DEBIAN_11),
                ],
            },
            Offer {
                name: "debian-12",
                skus: &[
                    linux("12", V1, DEBIAN_12),
                    linux("12-gen2", V2, DEBIAN_12),
                    linux_arm64("12-arm64", DEBIAN_12),
                ],
            },
        ],
    },
    Publisher {
        name: "kinvolk",
        offers: &[Offer {
            name: "flatcar-container-linux-free",
            skus: &[
                linux("stable", V1, FLATCAR),
                linux("stable-gen2", V2, FLATCAR),
            ],
        }],
    },
    Publisher {
        name: "microsoftazurelinux",
        offers: &[Offer {
            name: "azurelinux-4",
            skus: &[
                linux("4", V2, AZURE_LINUX_4),
                linux("4-gen1", V1, AZURE_LINUX_4),
                linux_arm64("4-arm64", AZURE_LINUX_4),
            ],
        }],
    },
    Publisher {
        name: "MicrosoftSQLServer",
        offers: &[Offer {
            name: "sql2022-ws2022",
            skus: &[
                windows("enterprise-gen2", V2, SQL_2022),
                windows("sqldev-gen2", V2, SQL_2022),
                windows("standard-gen2", V2, SQL_2022),
                windows("web-gen2", V2, SQL_2022),
            ],
        }],
    },
    Publisher {
        name: "MicrosoftWindowsServer",
        offers: &[Offer {
            name: "WindowsServer",
            skus: &[
                windows("2025-datacenter", V1, WS_2025),
                windows("2025-datacenter-g2", V2, WS_2025),
                windows("2025-datacenter-azure-edition", V2, WS_2025),
                windows("2022-datacenter", V1, WS_2022),
                windows("2022-datacenter-g2", V2, WS_2022),
                windows("2022-datacenter-core", V1, WS_2022),
                windows("2022-datacenter-azure-edition", V2, WS_2022),
                windows("2022-datacenter-azure-edition-core", V2, WS_2022),
                windows("2019-Datacenter", V1, WS_2019),
                windows("2019-Datacenter-Core", V1, WS_2019),
                windows("2019-datacenter-gensecond", V2, WS_2019),
                windows("2016-Datacenter", V1, WS_2016),
                windows("2016-datacenter-gensecond", V2, WS_2016),
                windows("2012-R2-Datacenter", V1, WS_2012_R2),
                windows("2012-r2-datacenter-gensecond", V2, WS_2012_R2),
                windows("2012-Datacenter", V1, WS_2012),
                windows("2012-datacenter-gensecond", V2, WS_2012),
            ],
        }],
    },
    Publisher {
        name: "OpenLogic",
        offers: &[Offer {
            name: "CentOS",
            skus: &[
                linux("7_9", V1, CENTOS_7),
                linux("7_9-gen2", V2, CENTOS_7),
                linux("8_5", V1, CENTOS_8),
                linux("8_5-gen2", V2, CENTOS_8),
            ],
        }],
    },
    Publisher {
        name: "RedHat",
        offers: &[Offer {
            name: "RHEL",
            skus: &[
                linux("8-lvm", V1, RHEL_8),
                linux("8-lvm-gen2", V2, RHEL_8),
                linux("9-lvm", V1, RHEL_9),
                linux("9-lvm-gen2", V2, RHEL_9),
            ],
        }],
    },
    Publisher {
        name: "SUSE",
        offers: &[
            Offer {
                name: "openSUSE-leap-15-4",
                skus: &[linux("gen1", V1, LEAP_154), linux("gen2", V2, LEAP_154)],
            },
            Offer {
                name: "sles-15-sp3",
                skus: &[
                    linux("gen1", V1, SLES_15_SP3),
                    linux("gen2", V2, SLES_15_SP3),
                ],
            },
            Offer {
                name: "sles-15-sp5",
                skus: &[
                    linux("gen1", V1, SLES_15_SP5),
                    linux("gen2", V2, SLES_15_SP5),
                ],
            },
        ],
    },
];

const fn a(
    name: &'static str,
    os: OsType,
    publisher: &'static str,
    offer: &'static str,
    sku: &'static str,
    architecture: Architecture,
) -> Alias {
    Alias {
        name,
        os,
        urn: Urn {
            publisher,
            offer,
            sku,
            version: "latest",
        },
        architecture,
    }
}

const L: OsType = OsType::Linux;
const W: OsType = OsType::Windows;

/// The URN aliases. The first sixteen are azure-cli 2.91.0's built-in table
/// (`azure/cli/command_modules/vm/_alias.py`), which `az` uses when it cannot fetch the
/// online list — as against cerulean, where `/aliases.json` is not served. The rest are in
/// the online list `az vm image list` shows (Ubuntu2404, Ubuntu2404Pro, SuseSles15SP5) or
/// are GUESSes of its newer entries (Debian12, Win2025Datacenter).
pub const ALIASES: &[Alias] = &[
    a(
        "AzureLinux4",
        L,
        "microsoftazurelinux",
        "azurelinux-4",
        "4",
        X64,
    ),
    a(
        "AzureLinux4Arm64",
        L,
        "microsoftazurelinux",
        "azurelinux-4",
        "4-arm64",
        Arm64,
    ),
    a(
        "AzureLinux4Gen1",
        L,
        "microsoftazurelinux",
        "azurelinux-4",
        "4-gen1",
        X64,
    ),
    a("CentOS85Gen2", L, "OpenLogic", "CentOS", "8_5-gen2", X64),
    a(
        "Debian11",
        L,
        "Debian",
        "debian-11",
        "11-backports-gen2",
        X64,
    ),
    a(
        "FlatcarLinuxFreeGen2",
        L,
        "kinvolk",
        "flatcar-container-linux-free",
        "stable-gen2",
        X64,
    ),
    a(
        "OpenSuseLeap154Gen2",
        L,
        "SUSE",
        "openSUSE-leap-15-4",
        "gen2",
        X64,
    ),
    a("RHELRaw8LVMGen2", L, "RedHat", "RHEL", "8-lvm-gen2", X64),
    a("SuseSles15SP3", L, "SUSE", "sles-15-sp3", "gen2", X64),
    a(
        "Ubuntu2204",
        L,
        "Canonical",
        "0001-com-ubuntu-server-jammy",
        "22_04-lts-gen2",
        X64,
    ),
    a(
        "Win2022Datacenter",
        W,
        "MicrosoftWindowsServer",
        "WindowsServer",
        "2022-datacenter-g2",
        X64,
    ),
    a(
        "Win2022AzureEditionCore",
        W,
        "MicrosoftWindowsServer",
        "WindowsServer",
        "2022-datacenter-azure-edition-core",
        X64,
    ),
    a(
        "Win2019Datacenter",
        W,
        "MicrosoftWindowsServer",
        "WindowsServer",
        "2019-datacenter-gensecond",
        X64,
    ),
    a(
        "Win2016Datacenter",
        W,
        "MicrosoftWindowsServer",
        "WindowsServer",
        "2016-datacenter-gensecond",
        X64,
    ),
    a(
        "Win2012R2Datacenter",
        W,
        "MicrosoftWindowsServer",
        "WindowsServer",
        "2012-R2-Datacenter",
        X64,
    ),
    a(
        "Win2012Datacenter",
        W,
        "MicrosoftWindowsServer",
        "WindowsServer",
        "2012-Datacenter",
        X64,
    ),
    a(
        "Ubuntu2404",
        L,
        "Canonical",
        "ubuntu-24_04-lts",
        "server",
        X64,
    ),
    a(
        "Ubuntu2404Pro",
        L,
        "Canonical",
        "ubuntu-24_04-lts",
        "ubuntu-pro",
        X64,
    ),
    a("SuseSles15SP5", L, "SUSE", "sles-15-sp5", "gen2", X64),
    a("Debian12", L, "Debian", "debian-12", "12-gen2", X64),
    a(
        "Win2025Datacenter",
        W,
        "MicrosoftWindowsServer",
        "WindowsServer",
        "2025-datacenter-g2",
        X64,
    ),
];

#[cfg(test)]
mod tests {
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
}
