//! Role assignments: a principal holds a role at a scope. The rules ARM applies when one is
//! created or changed live here, one function each, with Azure's errors.

use super::builtin;
use super::role::{Role, RoleDefinition};
use super::scope::{covers, is_below, Scope};
use crate::error::DomainError;
use serde::{Deserialize, Serialize};

/// The kind of directory object an assignment is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PrincipalType {
    User,
    Group,
    ServicePrincipal,
    ForeignGroup,
    Device,
}

impl PrincipalType {
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::User => "User",
            PrincipalType::Group => "Group",
            PrincipalType::ServicePrincipal => "ServicePrincipal",
            PrincipalType::ForeignGroup => "ForeignGroup",
            PrincipalType::Device => "Device",
        }
    }

    /// ARM's spelling, any case.
    pub fn parse(s: &str) -> Option<PrincipalType> {
        [
            PrincipalType::User,
            PrincipalType::Group,
            PrincipalType::ServicePrincipal,
            PrincipalType::ForeignGroup,
            PrincipalType::Device,
        ]
        .into_iter()
        .find(|t| t.as_str().eq_ignore_ascii_case(s))
    }
}

/// A stored role assignment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleAssignment {
    /// The assignment's GUID, as the caller spelled it.
    pub name: String,
    /// The scope, as the caller spelled it.
    pub scope: String,
    /// The role definition's GUID, lower-case.
    pub role_definition: String,
    /// The principal's object id, lower-case.
    pub principal_id: String,
    pub principal_type: PrincipalType,
    pub description: Option<String>,
    pub condition: Option<String>,
    pub condition_version: Option<String>,
    /// RFC 3339 times and the object ids of who created and last changed it.
    pub created_on: String,
    pub updated_on: String,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
}

impl RoleAssignment {
    /// Lower-case name: the store's key.
    pub fn key(&self) -> String {
        self.name.to_ascii_lowercase()
    }

    pub fn scope_key(&self) -> String {
        self.scope.to_ascii_lowercase()
    }

    /// Whether both grant the same role to the same principal at the same scope (of which
    /// there is one assignment at most).
    pub fn same_grant(&self, other: &RoleAssignment) -> bool {
        self.principal_id == other.principal_id
            && self.role_definition == other.role_definition
            && self.scope_key() == other.scope_key()
    }

    /// `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}`.
    pub fn id(&self) -> String {
        assignment_id(&self.scope, &self.name)
    }

    /// The built-in role it names, if it names one (else a custom role, or one that is gone).
    pub fn builtin_role(&self) -> Option<&'static RoleDefinition> {
        builtin::by_guid(&self.role_definition)
    }
}

/// The id of the assignment `name` at `scope` (the root's assignments live under `/providers`).
pub fn assignment_id(scope: &str, name: &str) -> String {
    let scope = scope.trim_end_matches('/');
    format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}")
}

/// The id ARM prints for a role definition seen from `scope`: under the scope's
/// subscription, or under `/providers` at the root.
pub fn role_definition_id(subscription: Option<&str>, guid: &str) -> String {
    match subscription {
        Some(s) => {
            format!("/subscriptions/{s}/providers/Microsoft.Authorization/roleDefinitions/{guid}")
        }
        None => format!("/providers/Microsoft.Authorization/roleDefinitions/{guid}"),
    }
}

/// `8-4-4-4-12` hexadecimal digits, as ARM wants assignment and principal ids.
pub fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// An assignment's name must be a GUID.
pub fn check_name(name: &str) -> Result<(), DomainError> {
    if is_guid(name) {
        Ok(())
    } else {
        Err(DomainError::InvalidRoleAssignmentId {
            name: name.to_string(),
        })
    }
}

/// The principal must be named by a GUID object id.
pub fn check_principal_id(id: Option<&str>) -> Result<String, DomainError> {
    match id {
        Some(id) if is_guid(id) => Ok(id.to_ascii_lowercase()),
        other => Err(DomainError::InvalidPrincipalId {
            id: other.unwrap_or_default().to_string(),
        }),
    }
}

/// The role an assignment's lower-case role GUID names: a built-in one, or `custom`, the
/// custom role the store holds under that GUID.
pub fn resolve_role(guid: &str, custom: Option<Role>) -> Result<Role, DomainError> {
    builtin::by_guid(guid)
        .map(Role::BuiltIn)
        .or(custom)
        .ok_or_else(|| DomainError::RoleDefinitionDoesNotExist {
            guid: guid.to_string(),
        })
}

/// The lower-case GUID of the role a `roleDefinitionId` names:
/// `{any scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}` or a bare GUID.
pub fn role_id(role_definition_id: Option<&str>) -> Result<String, DomainError> {
    let given = role_definition_id.unwrap_or_default();
    role_guid(given)
        .map(str::to_ascii_lowercase)
        .ok_or_else(|| DomainError::InvalidRoleDefinitionId {
            id: given.to_string(),
        })
}

/// A role is assigned only at or below one of its assignable scopes.
pub fn check_assignable(role: &Role, scope: &Scope) -> Result<(), DomainError> {
    if role.assignable_at(scope.key()) {
        Ok(())
    } else {
        Err(
            DomainError::RoleAssignmentScopeNotAssignableToRoleDefinition {
                role_name: role.role_name().to_string(),
            },
        )
    }
}

/// The GUID at the end of a role definition id (or the GUID itself).
pub fn role_guid(id: &str) -> Option<&str> {
    const MARK: &str = "/providers/microsoft.authorization/roledefinitions/";
    let guid = match id.to_ascii_lowercase().rfind(MARK) {
        Some(at) => &id[at + MARK.len()..],
        None => id,
    };
    is_guid(guid).then_some(guid)
}

/// What the directory knows of a principal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The directory holds it, with this type.
    Known(PrincipalType),
    /// The directory is closed (`--principals`) and does not hold it.
    Unknown,
    /// The directory is open (no `--principals`): any object id may sign in later.
    Open,
}

/// The principal must exist in the directory, and a `principalType` the caller gives must be
/// its type. Returns the type to store (ARM's default is `User`).
pub fn check_principal(
    id: &str,
    given: Option<PrincipalType>,
    lookup: Lookup,
    tenant: &str,
) -> Result<PrincipalType, DomainError> {
    match lookup {
        Lookup::Unknown => Err(DomainError::PrincipalNotFound {
            id: id.to_string(),
            tenant: tenant.to_string(),
        }),
        Lookup::Known(actual) => match given {
            Some(g) if g != actual => Err(DomainError::UnmatchedPrincipalType {
                id: id.to_string(),
                actual: actual.as_str(),
                given: g.as_str(),
            }),
            _ => Ok(actual),
        },
        Lookup::Open => Ok(given.unwrap_or(PrincipalType::User)),
    }
}

/// A `properties.scope` in the body must be the scope of the URI.
pub fn check_body_scope(
    name: &str,
    body_scope: Option<&str>,
    uri: &Scope,
) -> Result<(), DomainError> {
    match body_scope {
        Some(s)
            if !s
                .trim_end_matches('/')
                .eq_ignore_ascii_case(uri.as_str().trim_end_matches('/')) =>
        {
            Err(DomainError::InvalidCreateRoleAssignmentRequest {
                name: name.to_string(),
                body_scope: s.to_string(),
                uri_scope: uri.as_str().to_string(),
            })
        }
        _ => Ok(()),
    }
}

/// What a PUT of an assignment does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PutPlan {
    Create(RoleAssignment),
    /// The same assignment again: its description and condition may change, nothing else.
    Update(RoleAssignment),
}

/// Decides a PUT: `existing` is the assignment stored under the same name, `same_grant` one
/// stored under another name for the same principal, role and scope.
pub fn plan_put(
    wanted: RoleAssignment,
    existing: Option<&RoleAssignment>,
    same_grant: Option<&RoleAssignment>,
) -> Result<PutPlan, DomainError> {
    if let Some(old) = existing {
        if !old.same_grant(&wanted) {
            return Err(DomainError::RoleAssignmentUpdateNotPermitted);
        }
        let mut next = old.clone();
        next.description = wanted.description;
        next.condition = wanted.condition;
        next.condition_version = wanted.condition_version;
        next.updated_on = wanted.updated_on;
        next.updated_by = wanted.updated_by;
        return Ok(PutPlan::Update(next));
    }
    if same_grant.is_some() {
        return Err(DomainError::RoleAssignmentExists);
    }
    Ok(PutPlan::Create(wanted))
}

/// `$filter` of a role assignment list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssignmentFilter {
    /// `atScope()`: only assignments at the scope or above it.
    pub at_scope: bool,
    /// `principalId eq '…'` or `assignedTo('…')` (cerulean has no groups, so both mean the
    /// principal's own assignments), lower-case.
    pub principal: Option<String>,
}

/// Longest `$filter` accepted.
const MAX_FILTER: usize = 1024;

impl AssignmentFilter {
    pub fn parse(filter: Option<&str>) -> Result<AssignmentFilter, DomainError> {
        let mut out = AssignmentFilter {
            at_scope: false,
            principal: None,
        };
        let Some(text) = filter.map(str::trim).filter(|f| !f.is_empty()) else {
            return Ok(out);
        };
        let invalid = || DomainError::InvalidFilter {
            filter: text.chars().take(MAX_FILTER).collect(),
        };
        if text.len() > MAX_FILTER {
            return Err(invalid());
        }
        for clause in split_and(text) {
            let c = clause.trim();
            if c.eq_ignore_ascii_case("atScope()") {
                out.at_scope = true;
            } else if let Some(id) = call_arg(c, "assignedTo") {
                out.principal = Some(id.to_ascii_lowercase());
            } else if let Some(id) = eq_value(c, "principalId") {
                out.principal = Some(id.to_ascii_lowercase());
            } else {
                return Err(invalid());
            }
        }
        Ok(out)
    }

    /// Whether `a` is listed at the scope `scope_key`: without `atScope()`, assignments at,
    /// above and below the scope are; with it, those at or above only.
    pub fn selects(&self, a: &RoleAssignment, scope_key: &str) -> bool {
        if self
            .principal
            .as_deref()
            .is_some_and(|p| p != a.principal_id)
        {
            return false;
        }
        let at = a.scope_key();
        covers(&at, scope_key) || (!self.at_scope && is_below(&at, scope_key))
    }
}

/// `$filter` of a role definition list.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct RoleFilter {
    pub role_name: Option<String>,
    pub role_type: Option<String>,
}

impl RoleFilter {
    pub fn parse(filter: Option<&str>) -> Result<RoleFilter, DomainError> {
        let mut out = RoleFilter::default();
        let Some(text) = filter.map(str::trim).filter(|f| !f.is_empty()) else {
            return Ok(out);
        };
        let invalid = || DomainError::InvalidFilter {
            filter: text.chars().take(MAX_FILTER).collect(),
        };
        if text.len() > MAX_FILTER {
            return Err(invalid());
        }
        for clause in split_and(text) {
            let c = clause.trim();
            if let Some(v) = eq_value(c, "roleName") {
                out.role_name = Some(v.to_string());
            } else if let Some(v) = eq_value(c, "type") {
                out.role_type = Some(v.to_string());
            } else {
                return Err(invalid());
            }
        }
        Ok(out)
    }

    pub fn selects(&self, r: &Role) -> bool {
        self.role_name
            .as_deref()
            .is_none_or(|n| n.to_lowercase() == r.role_name().to_lowercase())
            && self
                .role_type
                .as_deref()
                .is_none_or(|t| t.eq_ignore_ascii_case(r.role_type().as_str()))
    }
}

/// Splits on ` and ` outside quotes (role names hold spaces, and could hold `and`).
fn split_and(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted) = (0, false);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            quoted = !quoted;
        } else if !quoted && bytes.len() - i >= 5 && text[i..i + 5].eq_ignore_ascii_case(" and ") {
            parts.push(&text[start..i]);
            i += 5;
            start = i;
            continue;
        }
        i += 1;
    }
    parts.push(&text[start..]);
    parts
}

/// `name eq 'value'` → `value` (OData doubles a quote inside a string).
fn eq_value<'a>(clause: &'a str, name: &str) -> Option<&'a str> {
    let (lhs, rhs) = clause.split_once(" eq ")?;
    if !lhs.trim().eq_ignore_ascii_case(name) {
        return None;
    }
    let v = rhs.trim().strip_prefix('\'')?.strip_suffix('\'')?;
    Some(v)
}

/// `name('value')` → `value`.
fn call_arg<'a>(clause: &'a str, name: &str) -> Option<&'a str> {
    let open = clause.find('(')?;
    if !clause[..open].trim().eq_ignore_ascii_case(name) {
        return None;
    }
    let inner = clause[open + 1..].strip_suffix(')')?.trim();
    inner.strip_prefix('\'')?.strip_suffix('\'')
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUB: &str = "/subscriptions/s1";
    const RG: &str = "/subscriptions/s1/resourceGroups/rg";
    const P: &str = "11111111-2222-3333-4444-555555555555";

    fn assignment(name: &str, scope: &str, role: &str, principal: &str) -> RoleAssignment {
        RoleAssignment {
            name: name.into(),
            scope: scope.into(),
            role_definition: role.into(),
            principal_id: principal.into(),
            principal_type: PrincipalType::ServicePrincipal,
            description: None,
            condition: None,
            condition_version: None,
            created_on: "t0".into(),
            updated_on: "t0".into(),
            created_by: None,
            updated_by: None,
        }
    }

    #[test]
    fn names_and_principals_must_be_guids() {
        assert!(check_name("0e6a2a57-0c35-4b55-9f87-2a2b57f1e4a1").is_ok());
        let e = check_name("kv-role").unwrap_err();
        assert_eq!(e.code(), "InvalidRoleAssignmentId");
        assert_eq!(
            e.to_string(),
            "The role assignment ID 'kv-role' is not valid. The role assignment ID must be a GUID."
        );
        assert_eq!(check_principal_id(Some(&P.to_uppercase())).unwrap(), P);
        let e = check_principal_id(Some("User")).unwrap_err();
        assert_eq!(e.code(), "InvalidPrincipalId");
        assert_eq!(
            e.to_string(),
            "The Principal ID 'User' is not valid. Principal ID must be a GUID."
        );
    }

    #[test]
    fn roles_resolve_from_any_scope_or_a_bare_guid() {
        let role = |id: Option<&str>| role_id(id).and_then(|g| resolve_role(&g, None));
        let r = role(Some(
            "/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
        ))
        .unwrap();
        assert_eq!(r.role_name(), "Reader");
        let r = role(Some("/providers/Microsoft.Authorization/roleDefinitions/8E3AF657-A8FF-443C-A75C-2FE8C4BCB635")).unwrap();
        assert_eq!(r.role_name(), "Owner");
        let e = role(Some("00000000-0000-0000-0000-000000000000")).unwrap_err();
        assert_eq!(e.code(), "RoleDefinitionDoesNotExist");
        assert_eq!(
            e.to_string(),
            "The specified role definition with ID '00000000-0000-0000-0000-000000000000' does not exist."
        );
        assert_eq!(
            role(Some("Reader")).unwrap_err().code(),
            "InvalidRoleDefinitionId"
        );
        assert_eq!(role(None).unwrap_err().code(), "InvalidRoleDefinitionId");
    }

    #[test]
    fn principals_must_exist_with_the_type_given() {
        let e = check_principal(P, None, Lookup::Unknown, "tenant-1").unwrap_err();
        assert_eq!(e.code(), "PrincipalNotFound");
        assert_eq!(
            e.to_string(),
            "Principal 11111111222233334444555555555555 does not exist in the directory tenant-1. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype"
        );
        let known = Lookup::Known(PrincipalType::ServicePrincipal);
        let e = check_principal(P, Some(PrincipalType::User), known, "t").unwrap_err();
        assert_eq!(e.code(), "UnmatchedPrincipalType");
        assert_eq!(
            e.to_string(),
            "The PrincipalId '11111111222233334444555555555555' has type 'ServicePrincipal' , which is different from specified PrinciaplType 'User'."
        );
        assert_eq!(
            check_principal(P, None, known, "t").unwrap(),
            PrincipalType::ServicePrincipal
        );
        assert_eq!(
            check_principal(P, None, Lookup::Open, "t").unwrap(),
            PrincipalType::User
        );
    }

    #[test]
    fn the_body_scope_must_be_the_uri_scope() {
        let uri = Scope::parse(SUB).unwrap();
        assert!(check_body_scope("n", Some("/subscriptions/S1/"), &uri).is_ok());
        assert!(check_body_scope("n", None, &uri).is_ok());
        let e = check_body_scope("n", Some(RG), &uri).unwrap_err();
        assert_eq!(e.code(), "InvalidCreateRoleAssignmentRequest");
        assert_eq!(
            e.to_string(),
            "The request to create role assignment 'n' is not valid. Role assignment scope '/subscriptions/s1/resourceGroups/rg' must match the scope specified on the URI '/subscriptions/s1'."
        );
    }

    #[test]
    fn a_second_grant_of_the_same_role_is_refused_and_a_name_cannot_change_meaning() {
        let reader = builtin::READER.guid;
        let a = assignment("a", SUB, reader, P);
        assert_eq!(
            plan_put(a.clone(), None, None).unwrap(),
            PutPlan::Create(a.clone())
        );
        let e = plan_put(assignment("b", SUB, reader, P), None, Some(&a)).unwrap_err();
        assert_eq!(e.code(), "RoleAssignmentExists");
        assert_eq!(e.to_string(), "The role assignment already exists.");
        let e = plan_put(assignment("a", SUB, builtin::OWNER.guid, P), Some(&a), None).unwrap_err();
        assert_eq!(e.code(), "RoleAssignmentUpdateNotPermitted");
        assert_eq!(
            e.to_string(),
            "Tenant ID, application ID, principal ID, and scope are not allowed to be updated."
        );
        let mut again = assignment("a", "/subscriptions/S1", reader, P);
        again.description = Some("why".into());
        again.updated_on = "t1".into();
        let PutPlan::Update(u) = plan_put(again, Some(&a), Some(&a)).unwrap() else {
            panic!("an update")
        };
        assert_eq!(
            (
                u.description.as_deref(),
                u.created_on.as_str(),
                u.updated_on.as_str()
            ),
            (Some("why"), "t0", "t1")
        );
    }

    #[test]
    fn list_filters_select_by_scope_and_principal() {
        let other = "99999999-2222-3333-4444-555555555555";
        let above = assignment("1", SUB, builtin::READER.guid, P);
        let at = assignment("2", RG, builtin::READER.guid, other);
        let below = assignment(
            "3",
            &format!("{RG}/providers/Microsoft.Network/networkInterfaces/n"),
            builtin::READER.guid,
            P,
        );
        let rg = RG.to_ascii_lowercase();
        let all = AssignmentFilter::parse(None).unwrap();
        assert!([&above, &at, &below].iter().all(|a| all.selects(a, &rg)));
        let at_scope = AssignmentFilter::parse(Some("atScope()")).unwrap();
        assert!(
            at_scope.selects(&above, &rg)
                && at_scope.selects(&at, &rg)
                && !at_scope.selects(&below, &rg)
        );
        let mine = AssignmentFilter::parse(Some(&format!("principalId eq '{P}'"))).unwrap();
        assert!(mine.selects(&above, &rg) && !mine.selects(&at, &rg) && mine.selects(&below, &rg));
        let f = AssignmentFilter::parse(Some(&format!(
            "atScope() and assignedTo('{}')",
            P.to_uppercase()
        )))
        .unwrap();
        assert!(f.selects(&above, &rg) && !f.selects(&below, &rg) && !f.selects(&at, &rg));
        let e = AssignmentFilter::parse(Some("roleName eq 'x'")).unwrap_err();
        assert_eq!(e.code(), "InvalidFilterInQueryString");
        assert!(AssignmentFilter::parse(Some(&"atScope() and ".repeat(400))).is_err());
    }

    #[test]
    fn role_filters_select_by_name_and_type() {
        let f = RoleFilter::parse(Some("roleName eq 'reader'")).unwrap();
        let role = |r: &'static RoleDefinition| Role::BuiltIn(r);
        assert!(f.selects(&role(&builtin::READER)) && !f.selects(&role(&builtin::OWNER)));
        let f = RoleFilter::parse(Some(
            "roleName eq 'User Access Administrator' and type eq 'BuiltInRole'",
        ))
        .unwrap();
        assert!(f.selects(&role(&builtin::USER_ACCESS_ADMINISTRATOR)));
        assert!(!RoleFilter::parse(Some("type eq 'CustomRole'"))
            .unwrap()
            .selects(&role(&builtin::READER)));
        assert!(RoleFilter::parse(Some("name eq 'x'")).is_err());
    }

    #[test]
    fn ids_print_under_their_scope() {
        let a = assignment("AbC", RG, builtin::READER.guid, P);
        assert_eq!(
            a.id(),
            format!("{RG}/providers/Microsoft.Authorization/roleAssignments/AbC")
        );
        assert_eq!(
            assignment_id("/", "x"),
            "/providers/Microsoft.Authorization/roleAssignments/x"
        );
        assert_eq!(
            role_definition_id(Some("s1"), "g"),
            "/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/g"
        );
        assert_eq!(
            role_definition_id(None, "g"),
            "/providers/Microsoft.Authorization/roleDefinitions/g"
        );
    }
}
