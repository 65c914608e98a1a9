//! Users: the people who sign in (the portal's authorization-code flow, the password grant).
//!
//! They come from the same `--principals` file as service principals, as entries with a
//! `userName` (`{"userName", "password", "displayName"?, "objectId"?}`); entries without one
//! are service principals (`super::Principal`). Without `--principals` there is one built-in
//! user, [`Account::builtin`], whom anyone may sign in as without a password.
//!
//! Other fields of an entry (such as `roles`) are read by whoever gives them meaning; this
//! module ignores them.

use serde::Deserialize;
use serde_json::Value;

/// A user from `--principals`.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub user_name: String,
    pub password: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub object_id: Option<String>,
}

impl std::fmt::Debug for User {
    // The password never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("user_name", &self.user_name)
            .field("object_id", &self.object_id)
            .finish_non_exhaustive()
    }
}

/// Who a user token speaks for: what its `oid`, `upn` and `name` claims say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub oid: String,
    pub upn: String,
    pub name: String,
}

impl Account {
    /// The one user that device-code, password and refresh flows sign in as when
    /// `--principals` lists no users.
    pub fn builtin() -> Account {
        Account {
            oid: super::USER_OID.to_string(),
            upn: super::USER_NAME.to_string(),
            name: "cerulean user".to_string(),
        }
    }
}

impl User {
    /// The user's account: its `objectId` when given, otherwise one derived from the name
    /// (UUID v5), so it is stable across restarts and across servers.
    pub fn account(&self) -> Account {
        Account {
            oid: self
                .object_id
                .clone()
                .unwrap_or_else(|| derived_oid(&self.user_name)),
            upn: self.user_name.clone(),
            name: self
                .display_name
                .clone()
                .unwrap_or_else(|| self.user_name.clone()),
        }
    }
}

/// Namespace of derived user object ids (a fixed, random UUID).
const USER_NAMESPACE: uuid::Uuid = uuid::uuid!("5b1c0d52-7f4e-4c38-9a0e-6a3d1f0c2e91");

/// A user's object id from its name; user names compare without case, as UPNs do.
pub fn derived_oid(user_name: &str) -> String {
    uuid::Uuid::new_v5(&USER_NAMESPACE, user_name.to_lowercase().as_bytes()).to_string()
}

/// True for a `--principals` entry that describes a user rather than a service principal.
pub fn is_user_entry(entry: &Value) -> bool {
    entry.get("userName").is_some()
}

/// The users of a `--principals` file (entries with `userName`).
pub fn parse_users(text: &str) -> Result<Vec<User>, String> {
    let entries: Vec<Value> = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let users: Vec<User> = entries
        .into_iter()
        .filter(is_user_entry)
        .map(|e| {
            serde_json::from_value(e).map_err(|e| {
                format!("a user entry is {{\"userName\", \"password\", \"displayName\"?, \"objectId\"?}}: {e}")
            })
        })
        .collect::<Result<_, _>>()?;
    for u in &users {
        if u.user_name.trim().is_empty() {
            return Err("a user's userName is empty".into());
        }
        if let Some(oid) = &u.object_id {
            uuid::Uuid::parse_str(oid)
                .map_err(|_| format!("user {}: objectId {oid:?} is not a GUID", u.user_name))?;
        }
    }
    for (i, u) in users.iter().enumerate() {
        if users[..i]
            .iter()
            .any(|o| o.user_name.eq_ignore_ascii_case(&u.user_name))
        {
            return Err(format!("user {} is listed twice", u.user_name));
        }
    }
    Ok(users)
}

/// Finds a user by name (without case) and checks the password in constant time.
pub fn check_password<'a>(users: &'a [User], user_name: &str, password: &str) -> Option<&'a User> {
    let user = users
        .iter()
        .find(|u| u.user_name.eq_ignore_ascii_case(user_name.trim()))?;
    super::constant_time_eq(password.as_bytes(), user.password.as_bytes()).then_some(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"[
        {"clientId": "app", "clientSecret": "s"},
        {"userName": "ada@contoso.com", "password": "pw1", "displayName": "Ada Lovelace", "roles": ["Owner"]},
        {"userName": "bob@contoso.com", "password": "pw2", "objectId": "11111111-2222-3333-4444-555555555555"}
    ]"#;

    #[test]
    fn users_are_the_entries_with_a_user_name() {
        let users = parse_users(FILE).unwrap();
        assert_eq!(users.len(), 2);
        assert_eq!(users[0].account().name, "Ada Lovelace");
        assert_eq!(users[1].account().name, "bob@contoso.com");
        assert_eq!(
            users[1].account().oid,
            "11111111-2222-3333-4444-555555555555"
        );
        let principals = super::super::parse_principals(FILE).unwrap();
        assert_eq!(principals.len(), 1);
        assert_eq!(principals[0].client_id, "app");
    }

    #[test]
    fn derived_object_ids_are_stable_and_ignore_case() {
        let a = derived_oid("Ada@Contoso.com");
        assert_eq!(a, derived_oid("ada@contoso.com"));
        assert_ne!(a, derived_oid("bob@contoso.com"));
        assert_eq!(uuid::Uuid::parse_str(&a).unwrap().get_version_num(), 5);
    }

    #[test]
    fn passwords_are_checked() {
        let users = parse_users(FILE).unwrap();
        assert!(check_password(&users, "ADA@contoso.com", "pw1").is_some());
        assert!(check_password(&users, "ada@contoso.com", "pw2").is_none());
        assert!(check_password(&users, "eve@contoso.com", "pw1").is_none());
        assert!(!format!("{users:?}").contains("pw1"), "a password leaked");
    }

    #[test]
    fn bad_entries_are_refused() {
        assert!(parse_users(r#"[{"userName": "a"}]"#).is_err());
        assert!(parse_users(r#"[{"userName": " ", "password": "p"}]"#).is_err());
        assert!(parse_users(r#"[{"userName": "a", "password": "p", "objectId": "x"}]"#).is_err());
        assert!(parse_users(
            r#"[{"userName": "a", "password": "p"}, {"userName": "A", "password": "q"}]"#
        )
        .is_err());
    }
}
