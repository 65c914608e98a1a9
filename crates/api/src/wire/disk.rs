//! ARM JSON of managed disks (`Microsoft.Compute/disks`) and of a VM's disks inside its
//! `storageProfile` (`osDisk`, `dataDisks`).

use crate::error::ApiError;
use crate::extract::ArmQuery;
use crate::wire::time;
use cerulean_app::compute::disks::{DiskView, Disks};
use cerulean_domain::compute::disk::DiskSpec;
use cerulean_domain::compute::storage::{AttachedDisk, DiskRefSpec, Storage, StorageSpec};
use cerulean_domain::compute::vm::{DeleteOption, OsType};
use cerulean_domain::network::CommonSpec;
use cerulean_domain::tags::Tags;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// Disk properties the model owns; every other property is kept as sent and echoed back.
const MODELLED: &[&str] = &[
    "creationData",
    "diskSizeGB",
    "diskSizeBytes",
    "osType",
    "provisioningState",
    "diskState",
    "uniqueId",
    "timeCreated",
];

#[derive(Deserialize, Debug)]
pub struct DiskIn {
    location: Option<String>,
    tags: Option<Tags>,
    sku: Option<SkuIn>,
    #[serde(default)]
    zones: Vec<String>,
    #[serde(default)]
    properties: Map<String, Value>,
}

#[derive(Deserialize, Debug, Default)]
struct SkuIn {
    name: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct CreationIn {
    create_option: Option<String>,
    image_reference: Option<IdIn>,
    source_resource_id: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
struct IdIn {
    id: Option<String>,
}

/// An empty `osType` is no OS type: what the azurerm provider sends for a data disk.
fn os_type(raw: Option<&str>) -> Result<Option<OsType>, String> {
    match raw {
        None | Some("") => Ok(None),
        Some(o) if o.eq_ignore_ascii_case("linux") => Ok(Some(OsType::Linux)),
        Some(o) if o.eq_ignore_ascii_case("windows") => Ok(Some(OsType::Windows)),
        Some(o) => Err(format!("osType '{o}' is not one of Linux, Windows")),
    }
}

fn size(v: Option<&Value>, what: &str) -> Result<Option<u32>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| format!("{what} must be a whole number of GiB")),
    }
}

impl DiskIn {
    pub fn spec(self) -> Result<DiskSpec, String> {
        let mut props = self.properties;
        let creation: CreationIn = match props.remove("creationData") {
            None | Some(Value::Null) => CreationIn::default(),
            Some(v) => serde_json::from_value(v).map_err(|e| format!("creationData: {e}"))?,
        };
        let size_gb = size(props.get("diskSizeGB"), "diskSizeGB")?;
        let os = os_type(props.get("osType").and_then(Value::as_str))?;
        let extra = props
            .into_iter()
            .filter(|(k, v)| !MODELLED.contains(&k.as_str()) && !v.is_null())
            .map(|(k, v)| (k, v.to_string()))
            .collect();
        Ok(DiskSpec {
            common: CommonSpec {
                location: self.location,
                tags: self.tags,
                extra: Vec::new(),
            },
            sku: self.sku.and_then(|s| s.name),
            size_gb,
            os_type: os,
            create_option: creation.create_option,
            image_id: creation.image_reference.and_then(|i| i.id),
            source_id: creation.source_resource_id,
            zones: self.zones,
            extra,
        })
    }
}

fn sku_tier(sku: &str) -> &'static str {
    if sku.starts_with("Premium") || sku.starts_with("Ultra") {
        "Premium"
    } else {
        "Standard"
    }
}

fn os_name(os: OsType) -> &'static str {
    match os {
        OsType::Linux => "Linux",
        OsType::Windows => "Windows",
    }
}

pub fn disk(v: &DiskView) -> Value {
    let d = &v.disk.value;
    let mut body = json!({
        "name": d.common.name,
        "id": v.disk.id,
        "type": "Microsoft.Compute/disks",
        "location": d.common.location,
        "sku": {"name": d.sku, "tier": sku_tier(&d.sku)},
    });
    if !d.common.tags.is_empty() {
        body["tags"] = json!(d.common.tags);
    }
    if !d.zones.is_empty() {
        body["zones"] = json!(d.zones);
    }
    if let Some(vm) = &d.managed_by {
        body["managedBy"] = json!(vm);
    }
    let mut creation = json!({ "createOption": d.create_option });
    if let Some(i) = &d.image_id {
        creation["imageReference"] = json!({ "id": i });
    }
    if let Some(s) = &d.source_id {
        creation["sourceResourceId"] = json!(s);
    }
    let mut props = json!({
        "creationData": creation,
        "diskSizeGB": d.size_gb,
        "diskSizeBytes": u64::from(d.size_gb) << 30,
        "uniqueId": d.common.resource_guid,
        "provisioningState": "Succeeded",
        "diskState": d.state(),
        "timeCreated": time(d.created_ms),
        "encryption": {"type": "EncryptionAtRestWithPlatformKey"},
        "networkAccessPolicy": "AllowAll",
        "publicNetworkAccess": "Enabled",
    });
    if let Some(os) = d.os_type {
        props["osType"] = json!(os_name(os));
    }
    for (k, raw) in &d.extra {
        props[k.as_str()] = serde_json::from_str(raw).unwrap_or(Value::Null);
    }
    body["properties"] = props;
    body
}

impl crate::routes::tracked::Wire for Disks {
    const NAMESPACE: &'static str = "Microsoft.Compute";
    const TYPE: &'static str = "disks";
    const PUT_HEADERS: crate::routes::tracked::PutHeaders =
        crate::routes::tracked::PutHeaders::AsyncOperationAndLocation;
    /// `Disks_CreateOrUpdate` answers 200 or 202: the SDKs (and the azurerm provider) refuse
    /// a 201.
    const CREATED: axum::http::StatusCode = axum::http::StatusCode::ACCEPTED;
    type In = DiskIn;
    type Out<'a> = Value;

    fn spec(body: DiskIn) -> Result<DiskSpec, ApiError> {
        body.spec().map_err(ApiError::InvalidRequestContent)
    }
    fn out(view: &DiskView, _: &ArmQuery) -> Value {
        disk(view)
    }
    fn etag(view: &DiskView) -> &str {
        &view.disk.etag
    }
}

// ---- a VM's disks ----

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct DiskRefIn {
    name: Option<String>,
    lun: Option<u32>,
    caching: Option<String>,
    create_option: Option<String>,
    #[serde(rename = "diskSizeGB")]
    disk_size_gb: Option<Value>,
    delete_option: Option<String>,
    managed_disk: Option<ManagedDiskIn>,
    write_accelerator_enabled: Option<bool>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct ManagedDiskIn {
    id: Option<String>,
    storage_account_type: Option<String>,
}

fn delete_option(raw: Option<&str>) -> Result<Option<DeleteOption>, String> {
    match raw {
        None => Ok(None),
        Some(d) if d.eq_ignore_ascii_case("delete") => Ok(Some(DeleteOption::Delete)),
        Some(d) if d.eq_ignore_ascii_case("detach") => Ok(Some(DeleteOption::Detach)),
        Some(d) => Err(format!("deleteOption '{d}' is not one of Delete, Detach")),
    }
}

fn disk_ref(v: Value, what: &str) -> Result<DiskRefSpec, String> {
    let d: DiskRefIn = serde_json::from_value(v).map_err(|e| format!("{what}: {e}"))?;
    let managed = d.managed_disk.unwrap_or_default();
    Ok(DiskRefSpec {
        name: d.name,
        lun: d.lun,
        caching: d.caching,
        create_option: d.create_option,
        sku: managed.storage_account_type,
        size_gb: size(d.disk_size_gb.as_ref(), &format!("{what}.diskSizeGB"))?,
        delete_option: delete_option(d.delete_option.as_deref())?,
        managed_disk_id: managed.id,
        write_accelerator: d.write_accelerator_enabled,
    })
}

/// Reads `osDisk` and `dataDisks` of a `storageProfile` (kept as sent too: the model's
/// fields are laid over them when the VM is shown).
pub fn storage_spec(profile: &Map<String, Value>) -> Result<StorageSpec, String> {
    let os_disk = match profile.get("osDisk").cloned() {
        None | Some(Value::Null) => None,
        Some(v) => Some(disk_ref(v, "storageProfile.osDisk")?),
    };
    let data_disks = match profile.get("dataDisks").cloned() {
        None | Some(Value::Null) => None,
        Some(Value::Array(list)) => {
            if list.len() > 64 {
                return Err(format!(
                    "storageProfile.dataDisks has {} entries; at most 64 are read",
                    list.len()
                ));
            }
            Some(
                list.into_iter()
                    .enumerate()
                    .map(|(i, v)| disk_ref(v, &format!("storageProfile.dataDisks[{i}]")))
                    .collect::<Result<Vec<_>, _>>()?,
            )
        }
        Some(_) => return Err("storageProfile.dataDisks must be an array".into()),
    };
    Ok(StorageSpec {
        os_disk,
        data_disks,
        has_image: profile.get("imageReference").is_some_and(|i| i.is_object()),
    })
}

/// A disk as Azure shows it, laid over what the client sent for it.
fn attached(d: &AttachedDisk, sent: Option<&Value>) -> Value {
    let mut v = sent
        .filter(|s| s.is_object())
        .cloned()
        .unwrap_or_else(|| json!({}));
    let model = json!({
        "name": d.name,
        "createOption": d.create_option,
        "caching": d.caching,
        "managedDisk": {"storageAccountType": d.sku, "id": d.id},
        "deleteOption": match d.delete_option {
            DeleteOption::Delete => "Delete",
            DeleteOption::Detach => "Detach",
        },
        "diskSizeGB": d.size_gb,
    });
    for (k, val) in model.as_object().into_iter().flatten() {
        v[k.as_str()] = val.clone();
    }
    if let Some(lun) = d.lun {
        v["lun"] = json!(lun);
        v["toBeDetached"] = json!(false);
    }
    if let Some(w) = d.write_accelerator {
        v["writeAcceleratorEnabled"] = json!(w);
    }
    v
}

/// Puts the VM's disks into its `storageProfile` as Azure shows them.
pub fn render_storage(profile: &mut Value, storage: &Storage, os: Option<OsType>) {
    if !profile.is_object() {
        *profile = json!({});
    }
    if let Some(d) = &storage.os_disk {
        profile["osDisk"] = attached(d, profile.get("osDisk"));
    }
    if storage.os_disk.is_some() || !storage.data_disks.is_empty() {
        let sent = profile["dataDisks"].as_array().cloned().unwrap_or_default();
        let by_lun = |lun: Option<u32>| {
            sent.iter()
                .find(|s| lun.is_some() && s["lun"].as_u64() == lun.map(u64::from))
        };
        profile["dataDisks"] = Value::Array(
            storage
                .data_disks
                .iter()
                .map(|d| attached(d, by_lun(d.lun)))
                .collect(),
        );
    }
    // Azure always reports the OS disk's type; clients (az's Linux/Windows checks) read it.
    if let Some(os) = os {
        if !profile["osDisk"].is_object() {
            profile["osDisk"] = json!({});
        }
        profile["osDisk"]["osType"] = json!(os_name(os));
    }
}
