use cerulean_app::GroupView;
use cerulean_domain::group::{GroupPatch, GroupSpec};
use cerulean_domain::tags::Tags;
use serde::Deserialize;
use serde_json::{json, Value};

/// The body of `PUT .../resourceGroups/{name}`. Read-only fields are ignored.
#[derive(Deserialize)]
pub struct GroupIn {
    location: Option<String>,
    tags: Option<Tags>,
    #[serde(rename = "managedBy")]
    managed_by: Option<String>,
}

impl GroupIn {
    pub fn spec(self) -> GroupSpec {
        GroupSpec {
            location: self.location,
            tags: self.tags,
            managed_by: self.managed_by,
        }
    }
    pub fn patch(self) -> GroupPatch {
        GroupPatch {
            tags: self.tags,
            managed_by: self.managed_by,
        }
    }
}

pub fn group(v: &GroupView) -> Value {
    let mut body = json!({
        "id": v.id,
        "name": v.group.name,
        "type": "Microsoft.Resources/resourceGroups",
        "location": v.group.location,
        "properties": {"provisioningState": "Succeeded"},
    });
    if !v.group.tags.is_empty() {
        body["tags"] = json!(v.group.tags);
    }
    if let Some(m) = &v.group.managed_by {
        body["managedBy"] = json!(m);
    }
    body
}
