//! ARM JSON of the platform image catalogue: `VirtualMachineImageResource` (what the
//! publisher, offer, SKU and version lists hold) and `VirtualMachineImage` (one version).
//!
//! Ids are spelled as Azure prints them (`/Subscriptions/.../Providers/Microsoft.Compute/
//! Locations/{loc}/Publishers/{p}/ArtifactTypes/VMImage/Offers/{o}/Skus/{s}/Versions/{v}`),
//! with the path's own names in the caller's spelling and each listed item's name in the
//! catalogue's.

use cerulean_domain::compute::extension_images::ExtensionType;
use cerulean_domain::compute::images::{SecurityType, Sku};
use cerulean_domain::compute::vm::OsType;
use serde_json::{json, Value};

/// Where a listing is: the subscription as the caller spelled it and the region's name.
pub struct Place<'a> {
    pub sub: &'a str,
    pub location: &'a str,
}

impl Place<'_> {
    fn resource(&self, name: &str, id: String) -> Value {
        json!({ "location": self.location, "name": name, "id": id })
    }

    fn publisher_id(&self, publisher: &str) -> String {
        format!(
            "/Subscriptions/{}/Providers/Microsoft.Compute/Locations/{}/Publishers/{publisher}",
            self.sub, self.location
        )
    }

    fn offer_id(&self, publisher: &str, offer: &str) -> String {
        format!(
            "{}/ArtifactTypes/VMImage/Offers/{offer}",
            self.publisher_id(publisher)
        )
    }

    fn sku_id(&self, publisher: &str, offer: &str, sku: &str) -> String {
        format!("{}/Skus/{sku}", self.offer_id(publisher, offer))
    }

    fn extension_type_id(&self, publisher: &str, name: &str) -> String {
        format!(
            "{}/ArtifactTypes/VMExtension/Types/{name}",
            self.publisher_id(publisher)
        )
    }

    /// An extension type as the type list shows it (`VirtualMachineExtensionImage`).
    pub fn extension_type(&self, publisher: &str, name: &str) -> Value {
        self.resource(name, self.extension_type_id(publisher, name))
    }

    /// An extension version; with its properties when `with` names its type.
    pub fn extension_version(
        &self,
        publisher: &str,
        type_spelling: &str,
        version: &str,
        with: Option<&ExtensionType>,
    ) -> Value {
        let id = format!(
            "{}/Versions/{version}",
            self.extension_type_id(publisher, type_spelling)
        );
        let mut v = self.resource(version, id);
        if let Some(t) = with {
            v["properties"] = json!({
                "operatingSystem": match t.os { OsType::Linux => "Linux", OsType::Windows => "Windows" },
                "computeRole": "IaaS",
                "handlerSchema": "",
                "vmScaleSetEnabled": true,
                "supportsMultipleExtensions": false,
            });
        }
        v
    }

    pub fn publisher(&self, name: &str) -> Value {
        self.resource(name, self.publisher_id(name))
    }

    pub fn offer(&self, publisher: &str, name: &str) -> Value {
        self.resource(name, self.offer_id(publisher, name))
    }

    pub fn sku(&self, publisher: &str, offer: &str, name: &str) -> Value {
        self.resource(name, self.sku_id(publisher, offer, name))
    }

    /// A version as the version list shows it; with `$expand=properties` it carries the
    /// same `properties` as a GET of the version.
    pub fn version(
        &self,
        publisher: &str,
        offer: &str,
        sku: &Sku,
        sku_spelling: &str,
        version: &str,
        expand: bool,
    ) -> Value {
        let id = format!(
            "{}/Versions/{version}",
            self.sku_id(publisher, offer, sku_spelling)
        );
        let mut v = self.resource(version, id);
        if expand {
            v["properties"] = properties(sku);
        }
        v
    }
}

/// `VirtualMachineImageProperties` of any version of `sku`.
pub fn properties(sku: &Sku) -> Value {
    let mut features = Vec::new();
    // GUESS: the features Azure reports for today's images; `SecurityType` is what
    // `az vm create` reads to turn Trusted Launch on.
    if sku.security == SecurityType::TrustedLaunchSupported {
        features.push(json!({"name": "SecurityType", "value": sku.security.as_str()}));
    }
    features.push(json!({"name": "IsAcceleratedNetworkSupported", "value": "True"}));
    json!({
        "osDiskImage": {"operatingSystem": match sku.os {
            OsType::Linux => "Linux",
            OsType::Windows => "Windows",
        }},
        "dataDiskImages": [],
        "automaticOSUpgradeProperties": {"automaticOSUpgradeSupported": sku.automatic_os_upgrade},
        "hyperVGeneration": sku.generation.as_str(),
        "architecture": sku.architecture.as_str(),
        "features": features,
        "imageDeprecationStatus": {"imageState": "Active"},
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cerulean_domain::compute::images;

    #[test]
    fn a_version_has_azures_id_and_properties() {
        let place = Place {
            sub: "s1",
            location: "westus",
        };
        let sku = images::sku(
            "canonical",
            "0001-com-ubuntu-server-jammy",
            "22_04-lts-gen2",
        )
        .unwrap();
        let v = place.version(
            "canonical",
            "0001-com-ubuntu-server-jammy",
            sku,
            "22_04-lts-gen2",
            "22.04.202410020",
            true,
        );
        assert_eq!(
            v["id"],
            "/Subscriptions/s1/Providers/Microsoft.Compute/Locations/westus/Publishers/canonical/ArtifactTypes/VMImage/Offers/0001-com-ubuntu-server-jammy/Skus/22_04-lts-gen2/Versions/22.04.202410020"
        );
        assert_eq!(v["name"], "22.04.202410020");
        let p = &v["properties"];
        assert_eq!(p["osDiskImage"]["operatingSystem"], "Linux");
        assert_eq!(p["hyperVGeneration"], "V2");
        assert_eq!(p["architecture"], "x64");
        assert_eq!(p["features"][0]["value"], "TrustedLaunchSupported");
        assert_eq!(p["dataDiskImages"], json!([]));
        let plain = place.version("c", "o", sku, "s", "1.0", false);
        assert!(plain.get("properties").is_none());
    }
}
