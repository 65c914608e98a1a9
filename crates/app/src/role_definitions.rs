//! Role definition use cases: Azure's built-in roles, which are data, and custom roles, which
//! the store keeps. The rules are the domain's (`cerulean_domain::authz::custom`); here they
//! meet the store, under the locks that keep them true when servers share a database.

use crate::authorization::now;
use crate::groups::require_group;
use crate::{App, AppError};
use cerulean_domain::authz::assignment::{role_guid, RoleFilter};
use cerulean_domain::authz::custom::{self, CustomRole, RoleInput};
use cerulean_domain::authz::scope::{covers, is_below};
use cerulean_domain::authz::{builtin, Role, Scope};
use cerulean_domain::id::ResourceId;
use cerulean_domain::DomainError;
use cerulean_store::{StoreError, Tx, UNIQUE_ROLE_NAME};
use std::sync::Arc;

/// The write lock of a custom role's GUID: its PUT and DELETE, and every assignment of it
/// (so that a role is not deleted, or narrowed, while one is being assigned).
pub(crate) fn role_lock(guid: &str) -> String {
    format!("roledefinition:{}", guid.to_ascii_lowercase())
}

/// The write lock of a role name in a tenant (names are unique there).
fn name_lock(tenant: &str, name_key: &str) -> String {
    format!("roledefinitionname:{tenant}:{name_key}")
}

/// The custom role `guid` (lower-case) as a [`Role`], read in `tx`.
pub(crate) fn custom_role(tx: &mut dyn Tx, guid: &str) -> Result<Option<Role>, AppError> {
    Ok(tx
        .get_role_definition(guid)?
        .map(|r| Role::Custom(Arc::new(r))))
}

/// The assignments that name the role `guid` (lower-case).
fn assignments_of(
    tx: &mut dyn Tx,
    guid: &str,
) -> Result<Vec<cerulean_domain::authz::RoleAssignment>, AppError> {
    Ok(tx
        .list_role_assignments(None)?
        .into_iter()
        .filter(|a| a.role_definition.eq_ignore_ascii_case(guid))
        .collect())
}

/// A lost race for a name reads like ARM's refusal.
fn decode_conflict(e: AppError) -> AppError {
    match e {
        AppError::Store(StoreError::Conflict { constraint }) if constraint == UNIQUE_ROLE_NAME => {
            DomainError::RoleDefinitionWithSameNameExists.into()
        }
        other => other,
    }
}

impl App {
    /// PUT `{scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}`: returns the
    /// custom role and whether it was created. Written at a subscription or a resource group;
    /// every assignable scope must lie in a subscription this server knows.
    pub async fn put_role_definition(
        &self,
        scope: Scope,
        guid: &str,
        input: RoleInput,
        actor: Option<String>,
    ) -> Result<(CustomRole, bool), AppError> {
        custom::check_guid(guid)?;
        custom::check_written_at(&scope)?;
        let tenant = self.tenant_of(&scope).await?;
        let wanted = custom::check_input(guid, &tenant, input)?;
        for s in &wanted.assignable_scopes {
            if let Some(sub) = Scope::parse(s)?.subscription() {
                self.subscription(sub).await?;
            }
        }
        let group = scope
            .group()
            .zip(scope.subscription())
            .map(|(g, s)| ResourceId::group(s, g));
        let keys = vec![
            role_lock(&wanted.guid),
            name_lock(&tenant, &wanted.name_key()),
        ];
        let at = now();
        let result = self
            .write_under(keys, move |tx| {
                if let Some(g) = &group {
                    require_group(tx, g)?;
                }
                let existing = tx.get_role_definition(&wanted.guid)?;
                let theirs: Vec<CustomRole> = tx
                    .list_role_definitions()?
                    .into_iter()
                    .filter(|r| r.tenant == wanted.tenant)
                    .collect();
                let same_name = theirs.iter().find(|r| r.name_key() == wanted.name_key());
                let assignments = assignments_of(tx, &wanted.guid)?;
                let (role, created) = custom::plan_put(
                    wanted.clone(),
                    existing.as_ref(),
                    same_name,
                    theirs.len(),
                    &assignments,
                    &at,
                    actor.clone(),
                )?;
                tx.put_role_definition(&role)?;
                Ok::<_, AppError>((role, created))
            })
            .await
            .map_err(decode_conflict);
        self.grants.invalidate();
        result
    }

    /// A role definition by GUID: built-in, or custom.
    pub async fn get_role_definition(&self, guid: &str) -> Result<Role, AppError> {
        let not_found = || DomainError::RoleDefinitionNotFound {
            guid: guid.to_string(),
        };
        let guid = role_guid(guid).ok_or_else(not_found)?.to_ascii_lowercase();
        if let Some(r) = builtin::by_guid(&guid) {
            return Ok(Role::BuiltIn(r));
        }
        let found =
            cerulean_store::read(&*self.store, move |tx| tx.get_role_definition(&guid)).await?;
        found
            .map(|r| Role::Custom(Arc::new(r)))
            .ok_or_else(|| not_found().into())
    }

    /// The roles a list at `scope` shows under `filter`: every built-in role, and the custom
    /// roles of the scope's tenant assignable at, above or below the scope.
    pub async fn list_role_definitions(
        &self,
        scope: &Scope,
        filter: &RoleFilter,
    ) -> Result<Vec<Role>, AppError> {
        let tenant = self.tenant_of(scope).await?;
        let customs = cerulean_store::read(&*self.store, |tx| tx.list_role_definitions()).await?;
        let key = scope.key().to_string();
        let related = |r: &CustomRole| {
            scope.is_root()
                || r.scope_keys()
                    .any(|s| covers(&s, &key) || is_below(&s, &key))
        };
        Ok(builtin::ALL
            .iter()
            .map(Role::BuiltIn)
            .chain(
                customs
                    .into_iter()
                    .filter(|r| r.tenant == tenant && related(r))
                    .map(|r| Role::Custom(Arc::new(r))),
            )
            .filter(|r| filter.selects(r))
            .collect())
    }

    /// DELETE a custom role: what was deleted, or `None` when there was nothing.
    pub async fn delete_role_definition(&self, guid: &str) -> Result<Option<CustomRole>, AppError> {
        let guid = custom::check_guid(guid)?;
        let deleted = self
            .write_under(vec![role_lock(&guid)], move |tx| {
                let Some(r) = tx.get_role_definition(&guid)? else {
                    return Ok::<_, AppError>(None);
                };
                custom::check_delete(&assignments_of(tx, &guid)?)?;
                tx.delete_role_definition(&guid)?;
                Ok(Some(r))
            })
            .await?;
        self.grants.invalidate();
        Ok(deleted)
    }
}
