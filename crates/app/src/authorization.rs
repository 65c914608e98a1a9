//! Role assignment use cases and the per-principal grants every authorization decision reads.
//!
//! The rules are the domain's (`cerulean_domain::authz`); here they meet the store. A
//! principal's grants are cached: the cache is emptied whenever this server changes an
//! assignment, and entries expire after [`GRANTS_TTL`] so that a change made by another
//! server sharing the database is seen soon after (Azure itself takes minutes).

use crate::groups::load_group;
use crate::role_definitions::{custom_role, role_lock};
use crate::{App, AppError};
use cerulean_domain::authz::assignment::{self, AssignmentFilter, Lookup, PutPlan};
use cerulean_domain::authz::{
    builtin, Grants, PrincipalType, RoleAssignment, RoleDefinition, Scope,
};
use cerulean_domain::id::ResourceId;
use cerulean_domain::DomainError;
use cerulean_store::{StoreError, UNIQUE_ROLE_ASSIGNMENT};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How long a principal's cached grants are trusted without a local change.
pub const GRANTS_TTL: Duration = Duration::from_secs(2);
/// Most principals cached at once (tokens are minted freely without `--principals`).
const MAX_CACHED: usize = 10_000;

/// What a PUT of a role assignment carries (`properties` of ARM's body).
#[derive(Clone, Debug, Default)]
pub struct AssignmentInput {
    pub role_definition_id: Option<String>,
    pub principal_id: Option<String>,
    pub principal_type: Option<String>,
    /// `properties.scope`, which must be the URI's scope when given.
    pub scope: Option<String>,
    pub description: Option<String>,
    pub condition: Option<String>,
    pub condition_version: Option<String>,
}

/// An assignment to create at start (`--principals` roles).
#[derive(Clone, Debug)]
pub struct SeedAssignment {
    pub principal_id: String,
    pub principal_type: PrincipalType,
    pub role: &'static RoleDefinition,
    pub scope: Scope,
}

#[derive(Default)]
pub(crate) struct GrantCache {
    generation: AtomicU64,
    entries: RwLock<HashMap<String, Cached>>,
}

struct Cached {
    generation: u64,
    loaded: Instant,
    grants: Arc<Grants>,
}

impl GrantCache {
    fn get(&self, principal: &str) -> Option<Arc<Grants>> {
        let entries = self.entries.read().unwrap();
        let c = entries.get(principal)?;
        (c.generation == self.generation.load(Ordering::Acquire) && c.loaded.elapsed() < GRANTS_TTL)
            .then(|| c.grants.clone())
    }

    fn put(&self, principal: &str, generation: u64, grants: Arc<Grants>) {
        let mut entries = self.entries.write().unwrap();
        if entries.len() >= MAX_CACHED {
            entries.clear();
        }
        entries.insert(
            principal.to_string(),
            Cached {
                generation,
                loaded: Instant::now(),
                grants,
            },
        );
    }

    /// Called after every committed change of an assignment or a custom role.
    pub(crate) fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// The write lock of an assignment's name (names are unique across scopes).
fn name_lock(name_key: &str) -> String {
    format!("roleassignment:{name_key}")
}

/// The write lock of what an assignment grants (one assignment per role, principal and
/// scope). It sits under the scope's key, so that one inside a group also takes the group's
/// lock shared (`crate::keyed`): the group cannot go while the assignment is written.
fn grant_lock(a: &RoleAssignment) -> String {
    format!(
        "{}/providers/microsoft.authorization/grants/{}/{}",
        a.scope_key().trim_end_matches('/'),
        a.principal_id.to_ascii_lowercase(),
        a.role_definition.to_ascii_lowercase()
    )
}

/// A lost race for the same grant (or name) reads like ARM's refusal.
fn decode_conflict(e: AppError) -> AppError {
    match e {
        AppError::Store(StoreError::Conflict { constraint })
            if constraint == UNIQUE_ROLE_ASSIGNMENT =>
        {
            DomainError::RoleAssignmentExists.into()
        }
        other => other,
    }
}

impl App {
    /// The grants of the principal with this object id (lower-case), cached.
    pub async fn grants(&self, principal: &str) -> Result<Arc<Grants>, AppError> {
        if let Some(g) = self.grants.get(principal) {
            return Ok(g);
        }
        // Read the generation first: a change committed while loading makes this entry stale.
        let generation = self.grants.generation.load(Ordering::Acquire);
        let p = principal.to_string();
        let (list, customs) = cerulean_store::read(&*self.store, move |tx| {
            let list = tx.list_role_assignments(Some(&p))?;
            // The custom roles they name (built-in ones are data).
            let mut customs = HashMap::new();
            for a in list.iter().filter(|a| a.builtin_role().is_none()) {
                if !customs.contains_key(&a.role_definition) {
                    let role = custom_role(tx, &a.role_definition)?;
                    customs.insert(a.role_definition.clone(), role);
                }
            }
            Ok::<_, AppError>((list, customs))
        })
        .await?;
        let grants = Arc::new(Grants::from_assignments(&list, |guid| {
            customs.get(guid).cloned().flatten()
        }));
        self.grants.put(principal, generation, grants.clone());
        Ok(grants)
    }

    /// The tenant whose directory a scope's principals come from.
    pub async fn tenant_of(&self, scope: &Scope) -> Result<String, AppError> {
        Ok(match scope.subscription() {
            Some(s) => self.subscription(s).await?.tenant_id,
            None => cerulean_domain::subscription::DEFAULT_TENANT_ID.to_string(),
        })
    }

    /// PUT `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}`: returns the
    /// assignment and whether it was created. `directory` says what the directory knows of a
    /// principal; `actor` is the caller's object id (`createdBy`).
    pub async fn put_role_assignment(
        &self,
        scope: Scope,
        name: &str,
        input: AssignmentInput,
        directory: &(dyn Fn(&str) -> Lookup + Sync),
        actor: Option<String>,
    ) -> Result<(RoleAssignment, bool), AppError> {
        assignment::check_name(name)?;
        let guid = assignment::role_id(input.role_definition_id.as_deref())?;
        let builtin = builtin::by_guid(&guid);
        if builtin.is_none() {
            // Checked here in the order ARM checks it; again under the role's lock below.
            let g = guid.clone();
            let found = cerulean_store::read(&*self.store, move |tx| custom_role(tx, &g)).await?;
            assignment::resolve_role(&guid, found)?;
        }
        let principal_id = assignment::check_principal_id(input.principal_id.as_deref())?;
        let given_type = input
            .principal_type
            .as_deref()
            .and_then(PrincipalType::parse);
        let tenant = self.tenant_of(&scope).await?;
        let principal_type = assignment::check_principal(
            &principal_id,
            given_type,
            directory(&principal_id),
            &tenant,
        )?;
        assignment::check_body_scope(name, input.scope.as_deref(), &scope)?;
        let at = now();
        let wanted = RoleAssignment {
            name: name.to_string(),
            scope: scope.as_str().to_string(),
            role_definition: guid.clone(),
            principal_id,
            principal_type,
            description: input.description,
            condition: input.condition,
            condition_version: input.condition_version,
            created_on: at.clone(),
            updated_on: at,
            created_by: actor.clone(),
            updated_by: actor,
        };
        let group = scope
            .group()
            .zip(scope.subscription())
            .map(|(g, s)| ResourceId::group(s, g));
        let mut keys = vec![name_lock(&wanted.key()), grant_lock(&wanted)];
        if builtin.is_none() {
            // A custom role is neither deleted nor narrowed while it is being assigned.
            keys.push(role_lock(&guid));
        }
        let result = self
            .write_under(keys, move |tx| {
                let custom = match builtin {
                    Some(_) => None,
                    None => custom_role(tx, &guid)?,
                };
                let role = assignment::resolve_role(&guid, custom)?;
                assignment::check_assignable(&role, &scope)?;
                if let Some(g) = &group {
                    load_group(tx, g)?;
                }
                let existing = tx.get_role_assignment(&wanted.key())?;
                let same_grant = tx
                    .list_role_assignments(Some(&wanted.principal_id))?
                    .into_iter()
                    .find(|a| a.same_grant(&wanted));
                match assignment::plan_put(wanted.clone(), existing.as_ref(), same_grant.as_ref())?
                {
                    PutPlan::Create(a) => {
                        tx.insert_role_assignment(&a)?;
                        Ok::<_, AppError>((a, true))
                    }
                    PutPlan::Update(a) => {
                        tx.update_role_assignment(&a)?;
                        Ok((a, false))
                    }
                }
            })
            .await
            .map_err(decode_conflict);
        self.grants.invalidate();
        result
    }

    /// GET a role assignment by name; with a scope, it must be assigned there.
    pub async fn get_role_assignment(
        &self,
        scope: Option<&Scope>,
        name: &str,
    ) -> Result<RoleAssignment, AppError> {
        let key = name.to_ascii_lowercase();
        let found =
            cerulean_store::read(&*self.store, move |tx| tx.get_role_assignment(&key)).await?;
        found
            .filter(|a| scope.is_none_or(|s| a.scope_key() == s.key()))
            .ok_or_else(|| {
                DomainError::RoleAssignmentNotFound {
                    name: name.to_string(),
                }
                .into()
            })
    }

    /// DELETE a role assignment: what was deleted, or `None` when there was nothing.
    pub async fn delete_role_assignment(
        &self,
        scope: Option<&Scope>,
        name: &str,
    ) -> Result<Option<RoleAssignment>, AppError> {
        let key = name.to_ascii_lowercase();
        let scope_key = scope.map(|s| s.key().to_string());
        // Only the name's lock: a delete breaks no rule another write relies on.
        let deleted = self
            .write_under(vec![name_lock(&key)], move |tx| {
                let Some(a) = tx.get_role_assignment(&key)? else {
                    return Ok::<_, AppError>(None);
                };
                if scope_key.as_deref().is_some_and(|s| s != a.scope_key()) {
                    return Ok(None);
                }
                tx.delete_role_assignment(&key)?;
                Ok(Some(a))
            })
            .await?;
        self.grants.invalidate();
        Ok(deleted)
    }

    /// The assignments a list at `scope` shows under `filter`.
    pub async fn list_role_assignments(
        &self,
        scope: &Scope,
        filter: AssignmentFilter,
    ) -> Result<Vec<RoleAssignment>, AppError> {
        if let Some(s) = scope.subscription() {
            self.subscription(s).await?;
        }
        let principal = filter.principal.clone();
        let all = cerulean_store::read(&*self.store, move |tx| {
            tx.list_role_assignments(principal.as_deref())
        })
        .await?;
        let key = scope.key().to_string();
        Ok(all
            .into_iter()
            .filter(|a| filter.selects(a, &key))
            .collect())
    }

    /// Creates the assignments `--principals` names, once: an assignment of the same role to
    /// the same principal at the same scope is left as it is (whatever its name), so starting
    /// again changes nothing. Seeded names are derived from what they grant.
    pub async fn seed_role_assignments(
        &self,
        seeds: Vec<SeedAssignment>,
    ) -> Result<usize, AppError> {
        if seeds.is_empty() {
            return Ok(0);
        }
        let at = now();
        let wanted: Vec<RoleAssignment> = seeds
            .iter()
            .map(|s| {
                let key = format!("{}|{}|{}", s.principal_id, s.role.guid, s.scope.key());
                RoleAssignment {
                    name: uuid::Uuid::new_v5(&SEED_NAMESPACE, key.as_bytes()).to_string(),
                    scope: s.scope.as_str().to_string(),
                    role_definition: s.role.guid.to_string(),
                    principal_id: s.principal_id.clone(),
                    principal_type: s.principal_type,
                    description: Some("From cerulean's --principals file.".into()),
                    condition: None,
                    condition_version: None,
                    created_on: at.clone(),
                    updated_on: at.clone(),
                    created_by: None,
                    updated_by: None,
                }
            })
            .collect();
        // What a PUT of each declares: servers starting together seed side by side.
        let keys = wanted
            .iter()
            .flat_map(|a| [name_lock(&a.key()), grant_lock(a)])
            .collect();
        let created = self
            .write_under(keys, move |tx| {
                let mut created = 0;
                for a in &wanted {
                    let held = tx.list_role_assignments(Some(&a.principal_id))?;
                    if held.iter().any(|h| h.same_grant(a)) {
                        continue;
                    }
                    tx.insert_role_assignment(a)?;
                    created += 1;
                }
                Ok::<_, AppError>(created)
            })
            .await?;
        self.grants.invalidate();
        Ok(created)
    }
}

/// The UUID v5 namespace of seeded assignment names (fixed: names must not change between
/// starts).
const SEED_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6c1f2a0e_5b7d_4e8a_9d3c_5e9a1b2c3d4e);
