//! The VM extension catalogue (`…/publishers/{p}/artifacttypes/vmextension/types/…`): what
//! `az vm extension set` reads to find an extension's latest version when none is given,
//! and `az vm extension image list` shows. A small catalogue of the extensions people
//! install on Linux and Windows VMs most; the versions are of the shape Azure lists, not a
//! mirror of Azure's current ones.

use super::images::compare_versions;
use super::vm::OsType;
use crate::error::DomainError;

/// One extension type of one publisher.
#[derive(Debug)]
pub struct ExtensionType {
    pub publisher: &'static str,
    pub name: &'static str,
    pub os: OsType,
    /// Ascending.
    pub versions: &'static [&'static str],
}

pub const EXTENSIONS: &[ExtensionType] = &[
    ExtensionType {
        publisher: "Microsoft.Azure.Extensions",
        name: "CustomScript",
        os: OsType::Linux,
        versions: &["2.0.7", "2.1.6", "2.1.10"],
    },
    ExtensionType {
        publisher: "Microsoft.Compute",
        name: "CustomScriptExtension",
        os: OsType::Windows,
        versions: &["1.9.5", "1.10.12", "1.10.18"],
    },
    ExtensionType {
        publisher: "Microsoft.OSTCExtensions",
        name: "VMAccessForLinux",
        os: OsType::Linux,
        versions: &["1.4.7.1", "1.5.18"],
    },
    ExtensionType {
        publisher: "Microsoft.Compute",
        name: "VMAccessAgent",
        os: OsType::Windows,
        versions: &["2.4.8", "2.4.12"],
    },
    ExtensionType {
        publisher: "Microsoft.Azure.ActiveDirectory",
        name: "AADSSHLoginForLinux",
        os: OsType::Linux,
        versions: &["1.0.2385.1", "1.0.2633.1"],
    },
    ExtensionType {
        publisher: "Microsoft.Azure.Monitor",
        name: "AzureMonitorLinuxAgent",
        os: OsType::Linux,
        versions: &["1.29.7", "1.33.2"],
    },
    ExtensionType {
        publisher: "Microsoft.Azure.Monitor",
        name: "AzureMonitorWindowsAgent",
        os: OsType::Windows,
        versions: &["1.26.0.0", "1.31.0.0"],
    },
    ExtensionType {
        publisher: "Microsoft.Azure.NetworkWatcher",
        name: "NetworkWatcherAgentLinux",
        os: OsType::Linux,
        versions: &["1.4.3385.1", "1.4.3422.1"],
    },
];

fn not_found() -> DomainError {
    DomainError::VmExtensionImageNotFound
}

/// The types of `publisher` (any case), by name; unknown publisher → `NotFound`.
pub fn types_of(publisher: &str) -> Result<Vec<&'static ExtensionType>, DomainError> {
    let mut found: Vec<&ExtensionType> = EXTENSIONS
        .iter()
        .filter(|e| e.publisher.eq_ignore_ascii_case(publisher))
        .collect();
    if found.is_empty() {
        return Err(not_found());
    }
    found.sort_by_key(|e| e.name.to_ascii_lowercase());
    Ok(found)
}

/// One type of one publisher (any case).
pub fn extension_type(publisher: &str, name: &str) -> Result<&'static ExtensionType, DomainError> {
    EXTENSIONS
        .iter()
        .find(|e| e.publisher.eq_ignore_ascii_case(publisher) && e.name.eq_ignore_ascii_case(name))
        .ok_or_else(not_found)
}

/// One version of one type: a version Azure lists, compared as numbers (`2.1` is not
/// `2.1.10`).
pub fn version(
    publisher: &str,
    name: &str,
    version: &str,
) -> Result<(&'static ExtensionType, &'static str), DomainError> {
    let t = extension_type(publisher, name)?;
    let v = t
        .versions
        .iter()
        .find(|v| compare_versions(v, version).is_eq())
        .ok_or_else(not_found)?;
    Ok((t, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_listed_ascending_and_found_in_any_case() {
        for e in EXTENSIONS {
            let mut sorted = e.versions.to_vec();
            sorted.sort_by(|a, b| compare_versions(a, b));
            assert_eq!(sorted, e.versions, "{}", e.name);
        }
        let t = extension_type("microsoft.azure.extensions", "customscript").unwrap();
        assert_eq!(
            (t.publisher, t.name),
            ("Microsoft.Azure.Extensions", "CustomScript")
        );
        assert_eq!(
            version("Microsoft.Azure.Extensions", "CustomScript", "2.1.10")
                .unwrap()
                .1,
            "2.1.10"
        );
        let names: Vec<&str> = types_of("Microsoft.Compute")
            .unwrap()
            .iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["CustomScriptExtension", "VMAccessAgent"]);
    }

    #[test]
    fn what_the_catalogue_lacks_is_azures_not_found() {
        for e in [
            types_of("Contoso").unwrap_err(),
            extension_type("Microsoft.Azure.Extensions", "Nope").unwrap_err(),
            version("Microsoft.Azure.Extensions", "CustomScript", "9.9").unwrap_err(),
        ] {
            assert_eq!(e.code(), "NotFound");
            assert_eq!(e.to_string(), "Artifact: VMExtension was not found.");
        }
    }
}
