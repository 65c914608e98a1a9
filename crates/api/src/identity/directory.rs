//! The directory: who may sign in and as what. Without `--principals` it is open: any client
//! id gets a token (and any user name signs in). With it, only the file's entries do:
//!
//! ```json
//! [
//!   {"clientId": "ci", "clientSecret": "s", "tenantId": "…"?, "objectId": "…"?, "displayName": "…"?,
//!    "roles": [{"role": "Contributor", "scope": "/subscriptions/…"}]},
//!   {"userName": "ada@example.com", "password": "p", "objectId": "…"?, "displayName": "…"?,
//!    "roles": [{"role": "Reader", "scope": "/subscriptions/…/resourceGroups/rg"}]}
//! ]
//! ```
//!
//! An entry with `userName` is a user, any other a service principal. Object ids are stable:
//! the one given, or a UUID v5 of the client id or user name, so a principal keeps its id
//! across restarts and servers; it is the `oid` of its tokens and what role assignments name.
//! `roles` (by name or role definition id) become role assignments at start.

use cerulean_domain::authz::assignment::{is_guid, Lookup};
use cerulean_domain::authz::PrincipalType;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::RwLock;

/// The UUID v5 namespace object ids are derived in (fixed: ids must not change).
const OBJECT_ID_NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0x3a6d_1c2b_8e4f_4d5a_b7c9_0e1f_2a3b_4c5d);

/// A role the principals file gives: a role name or role definition id, and a scope.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RoleGrant {
    pub role: String,
    pub scope: String,
}

/// A service principal from `--principals FILE`.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Principal {
    pub client_id: String,
    pub client_secret: String,
    #[serde(default)]
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub object_id: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub roles: Vec<RoleGrant>,
}

impl std::fmt::Debug for Principal {
    // The secret never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Principal")
            .field("client_id", &self.client_id)
            .field("tenant_id", &self.tenant_id)
            .field("object_id", &self.object_id)
            .finish_non_exhaustive()
    }
}

impl Principal {
    /// The service principal's object id.
    pub fn object_id(&self) -> String {
        self.object_id
            .as_deref()
            .map(str::to_ascii_lowercase)
            .unwrap_or_else(|| app_object_id(&self.client_id))
    }

    pub fn display_name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.client_id)
    }
}

/// A user from `--principals FILE` (kept minimal: what signing in and role assignments need).
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub user_name: String,
    pub password: String,
    #[serde(default)]
    pub object_id: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub roles: Vec<RoleGrant>,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("user_name", &self.user_name)
            .field("object_id", &self.object_id)
            .finish_non_exhaustive()
    }
}

impl User {
    pub fn object_id(&self) -> String {
        self.object_id
            .as_deref()
            .map(str::to_ascii_lowercase)
            .unwrap_or_else(|| user_object_id(&self.user_name))
    }

    pub fn display_name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.user_name)
    }
}

/// The parsed `--principals` file.
#[derive(Clone, Debug, Default)]
pub struct PrincipalsFile {
    pub apps: Vec<Principal>,
    pub users: Vec<User>,
}

/// Parses a `--principals` file (see the module documentation).
pub fn parse_principals(text: &str) -> Result<PrincipalsFile, String> {
    let entries: Vec<Value> = serde_json::from_str(text).map_err(|e| {
        format!("expected [{{\"clientId\", \"clientSecret\", ...}} or {{\"userName\", \"password\", ...}}]: {e}")
    })?;
    let mut out = PrincipalsFile::default();
    for (i, entry) in entries.into_iter().enumerate() {
        let is_user = entry.get("userName").is_some();
        let fail = |e: serde_json::Error| format!("entry {i}: {e}");
        if is_user {
            out.users.push(serde_json::from_value(entry).map_err(fail)?);
        } else {
            out.apps.push(serde_json::from_value(entry).map_err(fail)?);
        }
    }
    for id in out
        .apps
        .iter()
        .filter_map(|p| p.object_id.as_deref())
        .chain(out.users.iter().filter_map(|u| u.object_id.as_deref()))
    {
        if !is_guid(id) {
            return Err(format!("objectId '{id}' is not a GUID"));
        }
    }
    Ok(out)
}

/// The object id of an application's service principal that names none: a UUID v5 of its
/// client id (never the client id itself: in Azure they differ, and mixing them up is a bug
/// the emulator should let tests catch).
pub fn app_object_id(client_id: &str) -> String {
    derived("servicePrincipal", client_id)
}

/// The object id of a user that names none: a UUID v5 of the user name.
pub fn user_object_id(user_name: &str) -> String {
    derived("user", user_name)
}

fn derived(kind: &str, name: &str) -> String {
    let key = format!("{kind}:{}", name.to_ascii_lowercase());
    uuid::Uuid::new_v5(&OBJECT_ID_NAMESPACE, key.as_bytes()).to_string()
}

/// A directory object as Graph shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Object {
    ServicePrincipal {
        object_id: String,
        app_id: String,
        display_name: String,
        tenant: String,
    },
    User {
        object_id: String,
        user_name: String,
        display_name: String,
    },
}

impl Object {
    pub fn object_id(&self) -> &str {
        match self {
            Object::ServicePrincipal { object_id, .. } | Object::User { object_id, .. } => {
                object_id
            }
        }
    }

    pub fn kind(&self) -> PrincipalType {
        match self {
            Object::ServicePrincipal { .. } => PrincipalType::ServicePrincipal,
            Object::User { .. } => PrincipalType::User,
        }
    }
}

/// Most principals remembered from token requests in an open directory.
const MAX_SEEN: usize = 10_000;

/// Who may sign in (`None`: anyone) and who has been seen.
#[derive(Debug, Default)]
pub struct Directory {
    file: Option<PrincipalsFile>,
    /// Principals that obtained a token while the directory is open, by object id, so Graph
    /// can name them (`az role assignment list` shows principal names).
    seen: RwLock<HashMap<String, Object>>,
}

impl Directory {
    pub fn new(file: Option<PrincipalsFile>) -> Directory {
        Directory {
            file,
            seen: RwLock::new(HashMap::new()),
        }
    }

    /// True when `--principals` restricts who signs in.
    pub fn is_closed(&self) -> bool {
        self.file.is_some()
    }

    pub fn apps(&self) -> &[Principal] {
        self.file.as_ref().map_or(&[], |f| &f.apps)
    }

    pub fn users(&self) -> &[User] {
        self.file.as_ref().map_or(&[], |f| &f.users)
    }

    pub fn app(&self, client_id: &str) -> Option<&Principal> {
        self.apps().iter().find(|p| p.client_id == client_id)
    }

    pub fn user(&self, user_name: &str) -> Option<&User> {
        self.users()
            .iter()
            .find(|u| u.user_name.eq_ignore_ascii_case(user_name))
    }

    /// The object id of the application `client_id`'s service principal.
    pub fn app_object_id(&self, client_id: &str) -> String {
        self.app(client_id)
            .map(Principal::object_id)
            .unwrap_or_else(|| app_object_id(client_id))
    }

    /// Remembers a principal that signed in (open directory only; bounded).
    pub fn saw(&self, object: Object) {
        if self.is_closed() {
            return;
        }
        let mut seen = self.seen.write().unwrap();
        if seen.len() >= MAX_SEEN {
            seen.clear();
        }
        seen.insert(object.object_id().to_string(), object);
    }

    /// Every object the directory can name: the file's entries, or those seen signing in.
    pub fn objects(&self, tenant: &str) -> Vec<Object> {
        match &self.file {
            Some(f) => f
                .apps
                .iter()
                .map(|p| Object::ServicePrincipal {
                    object_id: p.object_id(),
                    app_id: p.client_id.clone(),
                    display_name: p.display_name().to_string(),
                    tenant: p.tenant_id.clone().unwrap_or_else(|| tenant.to_string()),
                })
                .chain(f.users.iter().map(|u| Object::User {
                    object_id: u.object_id(),
                    user_name: u.user_name.clone(),
                    display_name: u.display_name().to_string(),
                }))
                .collect(),
            None => self.seen.read().unwrap().values().cloned().collect(),
        }
    }

    /// The object with this object id, if the directory can name it.
    pub fn object(&self, object_id: &str, tenant: &str) -> Option<Object> {
        let id = object_id.to_ascii_lowercase();
        self.objects(tenant)
            .into_iter()
            .find(|o| o.object_id() == id)
    }

    /// The service principal of the application `app_id`: in an open directory every
    /// application has one.
    pub fn service_principal(&self, app_id: &str, tenant: &str) -> Option<Object> {
        match self.app(app_id) {
            Some(p) => Some(Object::ServicePrincipal {
                object_id: p.object_id(),
                app_id: p.client_id.clone(),
                display_name: p.display_name().to_string(),
                tenant: p.tenant_id.clone().unwrap_or_else(|| tenant.to_string()),
            }),
            None if !self.is_closed() => Some(Object::ServicePrincipal {
                object_id: app_object_id(app_id),
                app_id: app_id.to_string(),
                display_name: app_id.to_string(),
                tenant: tenant.to_string(),
            }),
            None => None,
        }
    }

    /// The user with this user principal name: in an open directory every name is a user.
    pub fn user_object(&self, user_name: &str) -> Option<Object> {
        match self.user(user_name) {
            Some(u) => Some(Object::User {
                object_id: u.object_id(),
                user_name: u.user_name.clone(),
                display_name: u.display_name().to_string(),
            }),
            None if !self.is_closed() => Some(Object::User {
                object_id: user_object_id(user_name),
                user_name: user_name.to_string(),
                display_name: user_name.to_string(),
            }),
            None => None,
        }
    }

    /// What a role assignment may say about `object_id`.
    pub fn lookup(&self, object_id: &str, tenant: &str) -> Lookup {
        match self.object(object_id, tenant) {
            Some(o) => Lookup::Known(o.kind()),
            None if self.is_closed() => Lookup::Unknown,
            None => Lookup::Open,
        }
    }

    /// The roles the file gives, as `(object id, type, grant)`.
    pub fn role_grants(&self) -> Vec<(String, PrincipalType, RoleGrant)> {
        let apps = self.apps().iter().flat_map(|p| {
            let id = p.object_id();
            p.roles
                .iter()
                .map(move |r| (id.clone(), PrincipalType::ServicePrincipal, r.clone()))
        });
        let users = self.users().iter().flat_map(|u| {
            let id = u.object_id();
            u.roles
                .iter()
                .map(move |r| (id.clone(), PrincipalType::User, r.clone()))
        });
        apps.chain(users).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"[
        {"clientId": "ci", "clientSecret": "s", "roles": [{"role": "Reader", "scope": "/subscriptions/x"}]},
        {"clientId": "c2", "clientSecret": "s", "objectId": "AAAAAAAA-0000-0000-0000-000000000001", "displayName": "Deployer"},
        {"userName": "ada@example.com", "password": "p", "roles": [{"role": "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "scope": "/"}]}
    ]"#;

    #[test]
    fn entries_are_apps_or_users_with_stable_object_ids() {
        let f = parse_principals(FILE).unwrap();
        assert_eq!((f.apps.len(), f.users.len()), (2, 1));
        let d = Directory::new(Some(f));
        let ci = d.app_object_id("ci");
        assert_eq!(ci, app_object_id("ci"), "derived when not given");
        assert_ne!(ci, "ci");
        assert_eq!(app_object_id("CI"), ci, "the name's case does not matter");
        assert_eq!(
            d.app_object_id("c2"),
            "aaaaaaaa-0000-0000-0000-000000000001"
        );
        assert_ne!(user_object_id("ci"), ci, "users and apps live apart");
        assert_eq!(
            d.lookup(&ci, "t"),
            Lookup::Known(PrincipalType::ServicePrincipal)
        );
        assert_eq!(
            d.lookup(&user_object_id("ADA@example.com"), "t"),
            Lookup::Known(PrincipalType::User)
        );
        assert_eq!(
            d.lookup("11111111-1111-1111-1111-111111111111", "t"),
            Lookup::Unknown
        );
        assert_eq!(d.role_grants().len(), 2);
        assert!(d.service_principal("nope", "t").is_none());
    }

    #[test]
    fn an_open_directory_knows_every_application() {
        let d = Directory::new(None);
        let sp = d.service_principal("any-app", "t").unwrap();
        assert_eq!(sp.object_id(), app_object_id("any-app"));
        assert_eq!(
            d.lookup("11111111-1111-1111-1111-111111111111", "t"),
            Lookup::Open
        );
        d.saw(sp.clone());
        assert_eq!(d.object(&app_object_id("any-app"), "t"), Some(sp));
    }

    #[test]
    fn bad_files_say_which_entry() {
        let e = parse_principals(r#"[{"clientId": "a"}]"#).unwrap_err();
        assert!(e.starts_with("entry 0:"), "{e}");
        let e = parse_principals(
            r#"[{"userName": "u", "password": "p", "roles": [{"role": "Reader"}]}]"#,
        )
        .unwrap_err();
        assert!(e.contains("scope"), "{e}");
        let e = parse_principals(r#"[{"clientId": "a", "clientSecret": "s", "objectId": "x"}]"#)
            .unwrap_err();
        assert!(e.contains("not a GUID"), "{e}");
        let shown = format!("{:?}", parse_principals(FILE).unwrap());
        assert!(
            !shown.contains("\"s\"") && !shown.contains("\"p\""),
            "a secret leaked: {shown}"
        );
    }
}
