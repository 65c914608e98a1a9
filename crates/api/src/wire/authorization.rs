//! ARM JSON of `Microsoft.Authorization` (api-version 2022-04-01): role definitions, role
//! assignments and permissions.

use cerulean_app::authorization::AssignmentInput;
use cerulean_domain::authz::assignment::role_definition_id;
use cerulean_domain::authz::custom::RoleInput;
use cerulean_domain::authz::{PermissionBlock, Role, RoleAssignment, Scope};
use serde::Deserialize;
use serde_json::{json, Value};

pub fn permission(p: &PermissionBlock) -> Value {
    json!({
        "actions": p.actions,
        "notActions": p.not_actions,
        "dataActions": p.data_actions,
        "notDataActions": p.not_data_actions,
    })
}

/// A role definition as seen from a scope in `subscription` (`None`: the root).
pub fn role_definition(r: &Role, subscription: Option<&str>) -> Value {
    // Built-in roles have no times or authors.
    let times: [Option<&str>; 4] = match r {
        Role::BuiltIn(_) => [None; 4],
        Role::Custom(c) => [
            Some(c.created_on.as_str()),
            Some(c.updated_on.as_str()),
            c.created_by.as_deref(),
            c.updated_by.as_deref(),
        ],
    };
    json!({
        "id": role_definition_id(subscription, r.guid()),
        "name": r.guid(),
        "type": "Microsoft.Authorization/roleDefinitions",
        "properties": {
            "roleName": r.role_name(),
            "type": r.role_type().as_str(),
            "description": r.description(),
            "assignableScopes": r.assignable_scopes(),
            "permissions": r.permissions().iter().map(permission).collect::<Vec<_>>(),
            "createdOn": times[0],
            "updatedOn": times[1],
            "createdBy": times[2],
            "updatedBy": times[3],
        },
    })
}

#[derive(Deserialize)]
struct RoleIn {
    #[serde(default)]
    properties: Option<RolePropertiesIn>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RolePropertiesIn {
    role_name: Option<String>,
    description: Option<String>,
    #[serde(rename = "type")]
    role_type: Option<String>,
    #[serde(default)]
    permissions: Vec<PermissionBlock>,
    #[serde(default)]
    assignable_scopes: Vec<String>,
}

/// The body of a role definition PUT (`null` lists read as empty, as ARM reads them).
pub fn role_input(body: Value) -> Result<RoleInput, String> {
    let r: RoleIn = serde_json::from_value(body).map_err(|e| e.to_string())?;
    let p = r.properties.unwrap_or_default();
    Ok(RoleInput {
        role_name: p.role_name,
        description: p.description,
        role_type: p.role_type,
        permissions: p.permissions,
        assignable_scopes: p.assignable_scopes,
    })
}

pub fn role_assignment(a: &RoleAssignment) -> Value {
    let subscription = Scope::parse(&a.scope)
        .ok()
        .and_then(|s| s.subscription().map(str::to_string));
    json!({
        "id": a.id(),
        "name": a.name,
        "type": "Microsoft.Authorization/roleAssignments",
        "properties": {
            "roleDefinitionId": role_definition_id(subscription.as_deref(), &a.role_definition),
            "principalId": a.principal_id,
            "principalType": a.principal_type.as_str(),
            "scope": a.scope,
            "condition": a.condition,
            "conditionVersion": a.condition_version,
            "createdOn": a.created_on,
            "updatedOn": a.updated_on,
            "createdBy": a.created_by,
            "updatedBy": a.updated_by,
            "delegatedManagedIdentityResourceId": null,
            "description": a.description,
        },
    })
}

#[derive(Deserialize)]
struct AssignmentIn {
    #[serde(default)]
    properties: Option<PropertiesIn>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct PropertiesIn {
    role_definition_id: Option<String>,
    principal_id: Option<String>,
    principal_type: Option<String>,
    scope: Option<String>,
    description: Option<String>,
    condition: Option<String>,
    condition_version: Option<String>,
}

/// The body of a role assignment PUT.
pub fn assignment_input(body: Value) -> Result<AssignmentInput, String> {
    let a: AssignmentIn = serde_json::from_value(body).map_err(|e| e.to_string())?;
    let p = a.properties.unwrap_or_default();
    Ok(AssignmentInput {
        role_definition_id: p.role_definition_id,
        principal_id: p.principal_id,
        principal_type: p.principal_type,
        scope: p.scope,
        description: p.description,
        condition: p.condition,
        condition_version: p.condition_version,
    })
}
