//! ARM JSON of Microsoft.Compute: virtual machines (with instance view), availability sets,
//! resource SKUs and VM sizes.

use crate::error::ApiError;
use crate::wire::network::{id_ref, IdRef};
use crate::wire::time;
use cerulean_app::compute::availability_sets::AvailabilitySetView;
use cerulean_app::compute::vms::VmView;
use cerulean_domain::compute::availability_set::AvailabilitySetSpec;
use cerulean_domain::compute::sizes::VmSize;
use cerulean_domain::compute::vm::{DeleteOption, NicRefSpec, OsType, VmSpec};
use cerulean_domain::network::CommonSpec;
use cerulean_domain::reference::Target;
use cerulean_domain::tags::Tags;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// Properties the VM model owns; every other property is kept as sent and echoed back.
const MODELLED: &[&str] = &[
    "hardwareProfile",
    "networkProfile",
    "availabilitySet",
    "provisioningState",
    "vmId",
    "instanceView",
    "timeCreated",
];

#[derive(Deserialize, Debug)]
pub struct VmIn {
    location: Option<String>,
    tags: Option<Tags>,
    #[serde(default)]
    zones: Vec<String>,
    #[serde(default)]
    properties: Map<String, Value>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct HardwareIn {
    vm_size: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct NetworkProfileIn {
    network_interfaces: Option<Vec<NicRefIn>>,
}

#[derive(Deserialize, Debug)]
struct NicRefIn {
    id: Option<String>,
    #[serde(default)]
    properties: NicRefProps,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct NicRefProps {
    primary: Option<bool>,
    delete_option: Option<String>,
}

/// The `osProfile` fields Azure types as strings. The profile is kept as sent; this only
/// refuses what Azure cannot read (a numeric `adminPassword` was once stored).
#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct OsProfileIn {
    computer_name: Option<String>,
    admin_username: Option<String>,
    admin_password: Option<String>,
    custom_data: Option<String>,
}

fn typed<T: serde::de::DeserializeOwned + Default>(
    props: &mut Map<String, Value>,
    key: &str,
) -> Result<T, String> {
    match props.remove(key) {
        None | Some(Value::Null) => Ok(T::default()),
        Some(v) => serde_json::from_value(v).map_err(|e| format!("{key}: {e}")),
    }
}

/// The OS of an image the catalogue holds, named by URN fields or by a platform image id
/// (whatever the version: the OS is the SKU's).
fn catalogue_os(image: &Value) -> Option<OsType> {
    use cerulean_domain::compute::images::{self, Urn};
    let text = |k: &str| image[k].as_str();
    let (p, o, s) = match (text("publisher"), text("offer"), text("sku")) {
        (Some(p), Some(o), Some(s)) => (p, o, s),
        _ => {
            let u = Urn::from_platform_id(text("id")?)?;
            (u.publisher, u.offer, u.sku)
        }
    };
    images::sku(p, o, s).ok().map(|s| s.os)
}

/// The guest OS, from the OS disk, the OS profile or the image: the catalogue's OS for an
/// image it holds, else a guess from the names (an unknown image, or a custom image `id`,
/// is accepted: see docs/compatibility.md).
fn os_type(props: &Map<String, Value>) -> Option<OsType> {
    let storage = props.get("storageProfile");
    if let Some(t) = storage.and_then(|s| s["osDisk"]["osType"].as_str()) {
        return Some(if t.eq_ignore_ascii_case("windows") {
            OsType::Windows
        } else {
            OsType::Linux
        });
    }
    let os = props.get("osProfile");
    if os.is_some_and(|o| o.get("windowsConfiguration").is_some()) {
        return Some(OsType::Windows);
    }
    if os.is_some_and(|o| o.get("linuxConfiguration").is_some()) {
        return Some(OsType::Linux);
    }
    let image = storage.map(|s| &s["imageReference"]);
    if let Some(os) = image.and_then(catalogue_os) {
        return Some(os);
    }
    let text = |k: &str| {
        image
            .and_then(|i| i[k].as_str())
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    if text("publisher").contains("windows") || text("offer").contains("windows") {
        return Some(OsType::Windows);
    }
    image.filter(|i| i.is_object()).map(|_| OsType::Linux)
}

impl VmIn {
    pub fn spec(self) -> Result<VmSpec, ApiError> {
        let mut props = self.properties;
        let bad = ApiError::InvalidRequestContent;
        let hardware: HardwareIn = typed(&mut props, "hardwareProfile").map_err(bad)?;
        let has_network = props.get("networkProfile").is_some_and(|v| !v.is_null());
        let network: NetworkProfileIn = typed(&mut props, "networkProfile").map_err(bad)?;
        if let Some(os) = props.get("osProfile").filter(|v| !v.is_null()) {
            OsProfileIn::deserialize(os).map_err(|e| bad(format!("osProfile: {e}")))?;
        }
        let set: Option<IdRef> = match props.remove("availabilitySet") {
            None | Some(Value::Null) => None,
            Some(v) => {
                Some(serde_json::from_value(v).map_err(|e| bad(format!("availabilitySet: {e}")))?)
            }
        };
        let mut nics = None;
        if has_network {
            let list = network.network_interfaces.unwrap_or_default();
            if list.len() > 64 {
                return Err(bad(format!(
                    "networkProfile.networkInterfaces has {} entries; at most 64 are read",
                    list.len()
                )));
            }
            let mut refs = Vec::with_capacity(list.len());
            for (i, n) in list.into_iter().enumerate() {
                let delete_option = match n.properties.delete_option.as_deref() {
                    None => None,
                    Some(d) if d.eq_ignore_ascii_case("delete") => Some(DeleteOption::Delete),
                    Some(d) if d.eq_ignore_ascii_case("detach") => Some(DeleteOption::Detach),
                    Some(d) => {
                        return Err(bad(format!(
                            "deleteOption '{d}' is not one of Delete, Detach"
                        )))
                    }
                };
                let raw = n.id.ok_or_else(|| {
                    bad("networkProfile.networkInterfaces[].id is required".into())
                })?;
                refs.push(NicRefSpec {
                    id: IdRef { id: raw }.to(Target::NetworkInterface, || {
                        format!("properties.networkProfile.networkInterfaces[{i}]")
                    })?,
                    primary: n.properties.primary,
                    delete_option,
                });
            }
            nics = Some(refs);
        }
        let os = os_type(&props);
        let storage = match props.get("storageProfile") {
            Some(Value::Object(profile)) => Some(
                crate::wire::disk::storage_spec(profile)
                    .map_err(ApiError::InvalidRequestContent)?,
            ),
            _ => None,
        };
        let profiles = props
            .into_iter()
            .filter(|(k, v)| !MODELLED.contains(&k.as_str()) && !v.is_null())
            .map(|(k, v)| (k, v.to_string()))
            .collect();
        Ok(VmSpec {
            common: CommonSpec {
                location: self.location,
                tags: self.tags,
                extra: Vec::new(),
            },
            size: hardware.vm_size,
            nics,
            availability_set: set
                .map(|s| {
                    s.to(Target::AvailabilitySet, || {
                        "properties.availabilitySet".into()
                    })
                })
                .transpose()?,
            os_type: os,
            profiles,
            zones: self.zones,
            storage,
        })
    }
}

/// Secrets are stored (a later PUT without them keeps them) but never returned.
fn without_secrets(name: &str, raw: &str) -> Value {
    let mut v: Value = serde_json::from_str(raw).unwrap_or(Value::Null);
    if name == "osProfile" {
        if let Some(o) = v.as_object_mut() {
            o.remove("adminPassword");
            o.remove("customData");
        }
    }
    v
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub fn instance_view(v: &VmView) -> Value {
    let vm = &v.vm.value;
    let now = now_ms();
    let (code, display) = vm.power_status_at(now);
    let provisioning = vm.provisioning_state_at(now);
    let (prov_code, prov_display) = match provisioning {
        "Succeeded" => (
            "ProvisioningState/succeeded".to_string(),
            "Provisioning succeeded".to_string(),
        ),
        other => (
            format!("ProvisioningState/{}", other.to_lowercase()),
            other.to_string(),
        ),
    };
    let mut iv = json!({
        "statuses": [
            {
                "code": prov_code,
                "level": "Info",
                "displayStatus": prov_display,
                "time": time(vm.created_ms),
            },
            {
                "code": format!("PowerState/{code}"),
                "level": "Info",
                "displayStatus": display,
            }
        ],
        "computerName": vm.common.name,
    });
    if let Some(os) = vm.os_type {
        iv["osName"] = json!(match os {
            OsType::Linux => "Linux",
            OsType::Windows => "Windows",
        });
    }
    if let Some(o) = &v.outbound {
        // cerulean extension: where outbound traffic leaves from (docs/compatibility.md).
        iv["networkOutbound"] = json!({
            "networkInterface": id_ref(&o.nic),
            "ipConfiguration": id_ref(&o.ip_configuration),
            "privateIPAddress": o.private_ip,
            "publicIPAddress": o.public_ip,
        });
    }
    iv
}

/// What `$expand` adds to a VM: `instanceView`, `userData` (comma-separated).
#[derive(Clone, Copy, Debug, Default)]
pub struct Expand {
    pub instance_view: bool,
    pub user_data: bool,
}

impl Expand {
    pub fn of(q: &crate::extract::ArmQuery) -> Expand {
        let has = |what: &str| {
            q.expand
                .as_deref()
                .is_some_and(|e| e.split(',').any(|p| p.trim().eq_ignore_ascii_case(what)))
        };
        Expand {
            instance_view: has("instanceView") || q.status_only,
            user_data: has("userData"),
        }
    }
}

/// Removes empty objects inside `v`; true when `v` itself is (or became) an empty object.
fn prune_empty(v: &mut Value) -> bool {
    match v {
        Value::Object(m) => {
            m.retain(|_, child| !prune_empty(child));
            m.is_empty()
        }
        _ => false,
    }
}

pub fn vm(v: &VmView, expand: Expand) -> Value {
    let m = &v.vm.value;
    let mut body = json!({
        "name": m.common.name,
        "id": v.vm.id,
        "etag": v.vm.etag,
        "type": "Microsoft.Compute/virtualMachines",
        "location": m.common.location,
    });
    if !m.common.tags.is_empty() {
        body["tags"] = json!(m.common.tags);
    }
    if !m.zones.is_empty() {
        body["zones"] = json!(m.zones);
    }
    let nics: Vec<Value> = m
        .nics
        .iter()
        .map(|n| {
            json!({
                "id": n.id,
                "properties": {
                    "primary": n.primary,
                    "deleteOption": match n.delete_option {
                        DeleteOption::Delete => "Delete",
                        DeleteOption::Detach => "Detach",
                    }
                }
            })
        })
        .collect();
    let mut props = json!({
        "vmId": m.common.resource_guid,
        "hardwareProfile": {"vmSize": m.size},
        "networkProfile": {"networkInterfaces": nics},
        "provisioningState": m.provisioning_state_at(now_ms()),
        "timeCreated": time(m.created_ms),
    });
    if let Some(s) = &m.availability_set {
        props["availabilitySet"] = id_ref(s);
    }
    for (k, raw) in &m.profiles {
        // `userData` only comes back when asked for (`$expand=userData`), as on Azure.
        if k == "userData" && !expand.user_data {
            continue;
        }
        let mut v = without_secrets(k, raw);
        // Azure leaves out what carries nothing: an empty object sent (azurerm sends
        // `additionalCapabilities: {}`) is not echoed.
        if prune_empty(&mut v) {
            continue;
        }
        props[k.as_str()] = v;
    }
    if m.os_type.is_some() || m.storage.os_disk.is_some() || !m.storage.data_disks.is_empty() {
        crate::wire::disk::render_storage(&mut props["storageProfile"], &m.storage, m.os_type);
    }
    if expand.instance_view {
        props["instanceView"] = instance_view(v);
    }
    body["properties"] = props;
    body
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct AvailabilitySetIn {
    location: Option<String>,
    tags: Option<Tags>,
    sku: Option<SkuName>,
    #[serde(default)]
    properties: AvailabilitySetProps,
}

#[derive(Deserialize, Debug, Default)]
struct SkuName {
    name: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct AvailabilitySetProps {
    platform_fault_domain_count: Option<u32>,
    platform_update_domain_count: Option<u32>,
}

impl AvailabilitySetIn {
    pub fn spec(self) -> AvailabilitySetSpec {
        AvailabilitySetSpec {
            common: CommonSpec {
                location: self.location,
                tags: self.tags,
                extra: Vec::new(),
            },
            sku: self.sku.and_then(|s| s.name),
            fault_domains: self.properties.platform_fault_domain_count,
            update_domains: self.properties.platform_update_domain_count,
        }
    }
}

pub fn availability_set(v: &AvailabilitySetView) -> Value {
    let a = &v.set.value;
    let mut body = json!({
        "name": a.common.name,
        "id": v.set.id,
        "type": "Microsoft.Compute/availabilitySets",
        "location": a.common.location,
        "sku": {"name": a.sku},
        "properties": {
            "platformFaultDomainCount": a.fault_domains,
            "platformUpdateDomainCount": a.update_domains,
            "virtualMachines": v.vms.iter().map(|id| id_ref(id)).collect::<Vec<_>>(),
        }
    });
    if !a.common.tags.is_empty() {
        body["tags"] = json!(a.common.tags);
    }
    body
}

pub fn sku(size: &VmSize, location: &str) -> Value {
    json!({
        "resourceType": "virtualMachines",
        "name": size.name,
        "tier": "Standard",
        "size": size.name.trim_start_matches("Standard_"),
        "family": size.family,
        "locations": [location],
        "locationInfo": [{"location": location, "zones": [], "zoneDetails": []}],
        "capabilities": [
            {"name": "vCPUs", "value": size.vcpus.to_string()},
            {"name": "vCPUsAvailable", "value": size.vcpus.to_string()},
            {"name": "MemoryGB", "value": size.memory_gb.to_string()},
            {"name": "MaxNetworkInterfaces", "value": size.max_nics.to_string()},
            {"name": "HyperVGenerations", "value": "V1,V2"},
            {"name": "OSVhdSizeMB", "value": "1047552"},
            {"name": "PremiumIO", "value": "True"},
        ],
        "restrictions": [],
    })
}

pub fn vm_size(size: &VmSize) -> Value {
    json!({
        "name": size.name,
        "numberOfCores": size.vcpus,
        "osDiskSizeInMB": 1047552,
        "resourceDiskSizeInMB": (size.vcpus as u64) * 8192,
        "memoryInMB": (size.memory_gb * 1024.0) as u64,
        "maxDataDiskCount": size.max_data_disks(),
    })
}

impl crate::routes::tracked::Wire for cerulean_app::compute::availability_sets::AvailabilitySets {
    const NAMESPACE: &'static str = "Microsoft.Compute";
    const TYPE: &'static str = "availabilitySets";
    const PUT_HEADERS: crate::routes::tracked::PutHeaders =
        crate::routes::tracked::PutHeaders::None;
    type In = AvailabilitySetIn;
    type Out<'a> = Value;

    fn spec(body: AvailabilitySetIn) -> Result<AvailabilitySetSpec, ApiError> {
        Ok(body.spec())
    }
    fn out(view: &AvailabilitySetView, _: &crate::extract::ArmQuery) -> Value {
        availability_set(view)
    }
    fn etag(view: &AvailabilitySetView) -> &str {
        &view.set.etag
    }
}

impl crate::routes::tracked::Wire for cerulean_app::compute::vms::Vms {
    const NAMESPACE: &'static str = "Microsoft.Compute";
    const TYPE: &'static str = "virtualMachines";
    const PUT_HEADERS: crate::routes::tracked::PutHeaders =
        crate::routes::tracked::PutHeaders::AsyncOperationAndLocation;
    type In = VmIn;
    type Out<'a> = Value;

    fn spec(body: VmIn) -> Result<VmSpec, crate::error::ApiError> {
        body.spec()
    }
    fn out(view: &VmView, q: &crate::extract::ArmQuery) -> Value {
        vm(view, Expand::of(q))
    }
    fn etag(view: &VmView) -> &str {
        &view.vm.etag
    }
}
