//! The catalogue's data: every platform image's publisher, offer, SKU and versions, and the
//! URN aliases. The types and the lookups over them are the parent module's.

use super::{Alias, Architecture, HyperVGeneration, Offer, Publisher, SecurityType, Sku, Urn};
use crate::compute::vm::OsType;

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
