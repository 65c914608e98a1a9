//! What a job may do inside an SQLite transaction: the statements behind [`Tx`].

use super::backend;
use super::cache::WriterCache;
use super::conn::Conn;
use crate::placement::{check_placement, group_key_range};
use crate::record::{offset_hex, parse_offset, Ref, RefKind, Run};
use crate::{ListQuery, Record, Scope, Secret, StoreError, Tx};
use cerulean_domain::authz::{CustomRole, RoleAssignment};
use cerulean_domain::operation::Operation;
use cerulean_domain::subscription::Subscription;
pub(super) use rows::{columns, row_to_record};
use rows::{
    decode, encode, ref_columns, refs_to_range_sql, refs_to_sql, row_to_secret, to_ref, to_run,
};
use rusqlite::{params, OptionalExtension};

mod rows;

pub(super) struct SqliteTx<'c> {
    pub(super) conn: &'c Conn,
    /// The writer's (`cache.rs`); readers have none.
    pub(super) cache: Option<&'c mut WriterCache>,
    /// The records this job wrote (`Tx::replace` counts no change of theirs).
    pub(super) written: super::cache::Set<String>,
}

/// Milliseconds since the epoch by SQLite's clock: leases are compared with the database's
/// time, never a server's (`julianday` keeps milliseconds; `unixepoch('subsec')` needs 3.42).
macro_rules! now_ms {
    () => {
        "CAST(ROUND((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)"
    };
}

impl SqliteTx<'_> {
    /// Runs an insert of a whole record (`sql` binds its columns in `columns!()` order).
    fn write_record(&mut self, sql: &'static str, rec: &Record) -> Result<(), StoreError> {
        check_placement(rec)?;
        self.conn
            .prepare_cached(sql)
            .map_err(backend)?
            .execute(params![
                rec.key,
                rec.id,
                rec.kind,
                rec.subscription,
                rec.group_key,
                rec.location,
                rec.body,
                rec.etag
            ])
            .map_err(backend)?;
        if let Some(c) = self.cache.as_deref_mut() {
            c.forget_record(&rec.key);
        }
        self.written.insert(rec.key.clone());
        Ok(())
    }
}

impl Tx for SqliteTx<'_> {
    fn get(&mut self, key: &str) -> Result<Option<Record>, StoreError> {
        if let Some(rec) = self.cache.as_deref().and_then(|c| c.record(key)) {
            return Ok(Some(rec.clone()));
        }
        let mut st = self
            .conn
            .prepare_cached(concat!(
                "SELECT ",
                columns!(),
                " FROM resources WHERE key = ?1"
            ))
            .map_err(backend)?;
        let rec = st
            .query_row([key], row_to_record)
            .optional()
            .map_err(backend)?;
        if let (Some(c), Some(rec)) = (self.cache.as_deref_mut(), rec.as_ref()) {
            c.keep_record(rec);
        }
        Ok(rec)
    }

    fn exists(&mut self, key: &str) -> Result<bool, StoreError> {
        if self.cache.as_deref().is_some_and(|c| c.known_to_exist(key)) {
            return Ok(true);
        }
        let mut st = self
            .conn
            .prepare_cached("SELECT 1 FROM resources WHERE key = ?1")
            .map_err(backend)?;
        let found = st.exists([key]).map_err(backend)?;
        if let (Some(c), true) = (self.cache.as_deref_mut(), found) {
            c.keep_existing(key);
        }
        Ok(found)
    }

    fn put(&mut self, rec: &Record) -> Result<(), StoreError> {
        self.write_record(
            concat!(
                "INSERT INTO resources (",
                columns!(),
                ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (key) DO UPDATE SET id = excluded.id, location = excluded.location,
                 body = excluded.body, etag = excluded.etag"
            ),
            rec,
        )
    }

    fn replace(&mut self, rec: &Record, read_etag: &str) -> Result<(), StoreError> {
        check_placement(rec)?;
        let own = self.written.contains(&rec.key);
        let n = self
            .conn
            .prepare_cached(
                "UPDATE resources SET id = ?2, location = ?3, body = ?4, etag = ?5
                 WHERE key = ?1 AND (etag = ?6 OR ?7)",
            )
            .map_err(backend)?
            .execute(params![
                rec.key,
                rec.id,
                rec.location,
                rec.body,
                rec.etag,
                read_etag,
                own
            ])
            .map_err(backend)?;
        if let Some(c) = self.cache.as_deref_mut() {
            c.forget_record(&rec.key);
        }
        if n == 0 {
            // One writer: only a read from another transaction can be this stale.
            return Err(StoreError::Retry);
        }
        self.written.insert(rec.key.clone());
        Ok(())
    }

    fn insert(&mut self, rec: &Record) -> Result<(), StoreError> {
        self.write_record(
            concat!(
                "INSERT INTO resources (",
                columns!(),
                ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
            ),
            rec,
        )
    }

    fn delete(&mut self, key: &str) -> Result<bool, StoreError> {
        if let Some(c) = self.cache.as_deref_mut() {
            c.forget_record(key);
        }
        let mut st = self
            .conn
            .prepare_cached("DELETE FROM resources WHERE key = ?1")
            .map_err(backend)?;
        Ok(st.execute([key]).map_err(backend)? > 0)
    }

    fn list(&mut self, q: &ListQuery<'_>) -> Result<Vec<Record>, StoreError> {
        let g = match &q.scope {
            Scope::Subscription(s) => {
                return super::subscription::list(self.conn, s, q.kind, q.after, q.limit)
            }
            Scope::Group(g) => g,
        };
        // A group's records are one range of the primary key (`group_key_range`); no
        // optional predicates, so that SQLite walks the key's index instead of sorting the
        // whole group per page.
        let (first, before) = group_key_range(g, q.kind);
        let lower = match q.after {
            Some(a) if a > first.as_str() => a.to_string(),
            _ => first,
        };
        let limit = q.limit as i64;
        let mut args: Vec<&dyn rusqlite::ToSql> = vec![&lower, &before, g];
        let mut sql = String::from(concat!(
            "SELECT ",
            columns!(),
            " FROM resources WHERE key > ? AND key < ? AND group_key = ?"
        ));
        if let Some(k) = &q.kind {
            sql.push_str(" AND kind = ?");
            args.push(k);
        }
        sql.push_str(" ORDER BY key LIMIT ?");
        args.push(&limit);
        let mut st = self.conn.prepare_dynamic(&sql).map_err(backend)?;
        let rows = st
            .query_map(rusqlite::params_from_iter(args), row_to_record)
            .map_err(backend)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(backend)
    }

    fn count_by_kind(&mut self) -> Result<Vec<(String, i64)>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT kind, COUNT(*) FROM resources GROUP BY kind ORDER BY kind")
            .map_err(backend)?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(backend)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(backend)
    }

    fn count_in_region(
        &mut self,
        subscription: &str,
        kind: &str,
        location: &str,
    ) -> Result<i64, StoreError> {
        super::subscription::count_in_region(self.conn, subscription, kind, location)
    }

    fn set_refs(&mut self, owner_key: &str, refs: &[Ref]) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("DELETE FROM refs WHERE owner_key = ?1")
            .map_err(backend)?
            .execute([owner_key])
            .map_err(backend)?;
        let mut st = self
            .conn
            .prepare_cached(concat!(
                "INSERT INTO refs (",
                ref_columns!(),
                ") VALUES (?1, ?2, ?3, ?4, ?5)"
            ))
            .map_err(backend)?;
        for r in refs {
            st.execute(params![
                r.from_key,
                r.from_id,
                r.to_key,
                r.kind.as_str(),
                r.owner_key
            ])
            .map_err(backend)?;
        }
        Ok(())
    }

    fn refs_to(&mut self, to_key: &str, kind: RefKind) -> Result<Vec<Ref>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(refs_to_sql(kind))
            .map_err(backend)?;
        let rows = st.query_map([to_key], to_ref).map_err(backend)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(backend)
    }

    fn refs_to_range(
        &mut self,
        first: &str,
        last: &str,
        kind: RefKind,
    ) -> Result<Vec<Ref>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(refs_to_range_sql(kind))
            .map_err(backend)?;
        let rows = st
            .query_map(params![first, last], to_ref)
            .map_err(backend)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(backend)
    }

    fn refs_of(&mut self, owner_key: &str) -> Result<Vec<Ref>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(concat!(
                "SELECT ",
                ref_columns!(),
                " FROM refs WHERE owner_key = ?1 ORDER BY from_key, kind, to_key"
            ))
            .map_err(backend)?;
        let rows = st.query_map([owner_key], to_ref).map_err(backend)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(backend)
    }

    fn ipam_mark(&mut self, subnet: &str) -> Result<u128, StoreError> {
        if let Some(mark) = self.cache.as_deref().and_then(|c| c.mark(subnet)) {
            return Ok(mark);
        }
        let mut st = self
            .conn
            .prepare_cached("SELECT mark_hex FROM ip_marks WHERE subnet_key = ?1")
            .map_err(backend)?;
        let hex: Option<String> = st
            .query_row([subnet], |r| r.get(0))
            .optional()
            .map_err(backend)?;
        let mark = hex.map(|h| parse_offset(&h)).transpose()?.unwrap_or(0);
        if let Some(c) = self.cache.as_deref_mut() {
            c.keep_mark(subnet, mark);
        }
        Ok(mark)
    }

    fn ipam_set_mark(&mut self, subnet: &str, mark: u128) -> Result<(), StoreError> {
        match self.cache.as_deref_mut() {
            // The writer: once per subnet and batch, before the commit.
            Some(c) => {
                c.move_mark(subnet, mark);
                Ok(())
            }
            None => write_mark(self.conn, subnet, mark),
        }
    }

    fn ipam_lowest_released(&mut self, subnet: &str) -> Result<Option<u128>, StoreError> {
        if self
            .cache
            .as_deref()
            .is_some_and(|c| c.none_released(subnet))
        {
            return Ok(None);
        }
        let mut st = self
            .conn
            .prepare_cached("SELECT MIN(offset_hex) FROM ip_released WHERE subnet_key = ?1")
            .map_err(backend)?;
        let hex: Option<String> = st.query_row([subnet], |r| r.get(0)).map_err(backend)?;
        if let (Some(c), None) = (self.cache.as_deref_mut(), hex.as_ref()) {
            c.keep_none_released(subnet);
        }
        hex.map(|h| parse_offset(&h)).transpose()
    }

    fn ipam_remove_released(&mut self, subnet: &str, offset: u128) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached("DELETE FROM ip_released WHERE subnet_key = ?1 AND offset_hex = ?2")
            .map_err(backend)?
            .execute(params![subnet, offset_hex(offset).as_str()])
            .map_err(backend)?;
        Ok(n > 0)
    }

    fn ipam_add_released(&mut self, subnet: &str, offset: u128) -> Result<(), StoreError> {
        if let Some(c) = self.cache.as_deref_mut() {
            c.forget_none_released(subnet);
        }
        self.conn
            .prepare_cached(
                "INSERT INTO ip_released (subnet_key, offset_hex) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )
            .map_err(backend)?
            .execute(params![subnet, offset_hex(offset).as_str()])
            .map_err(backend)?;
        Ok(())
    }

    fn ipam_owner(&mut self, subnet: &str, offset: u128) -> Result<Option<String>, StoreError> {
        super::books::owner(self.conn, subnet, offset)
    }

    fn ipam_claim_if_free(
        &mut self,
        subnet: &str,
        offset: u128,
        owner: &str,
    ) -> Result<bool, StoreError> {
        super::books::claim_if_free(self.conn, self.cache.as_deref_mut(), subnet, offset, owner)
    }

    fn ipam_free(&mut self, subnet: &str, offset: u128) -> Result<(), StoreError> {
        super::books::free(self.conn, subnet, offset)
    }

    fn ipam_used(&mut self, subnet: &str) -> Result<i64, StoreError> {
        super::books::used(self.conn, subnet)
    }

    fn ipam_holders(
        &mut self,
        subnet: &str,
        limit: usize,
    ) -> Result<Vec<(u128, String)>, StoreError> {
        super::books::holders(self.conn, subnet, limit)
    }

    fn ipam_drop(&mut self, subnet: &str) -> Result<(), StoreError> {
        if let Some(c) = self.cache.as_deref_mut() {
            c.forget_subnet(subnet);
        }
        super::books::drop_allocations(self.conn, subnet)?;
        for sql in [
            "DELETE FROM ip_released WHERE subnet_key = ?1",
            "DELETE FROM ip_marks WHERE subnet_key = ?1",
        ] {
            self.conn
                .prepare_cached(sql)
                .map_err(backend)?
                .execute([subnet])
                .map_err(backend)?;
        }
        Ok(())
    }

    fn ipam_books(&mut self, after: Option<&str>, limit: usize) -> Result<Vec<String>, StoreError> {
        // The query reads `ip_marks` itself.
        if let Some(c) = self.cache.as_deref_mut() {
            write_marks(self.conn, c)?;
        }
        super::books::books(self.conn, after.unwrap_or(""), limit)
    }

    fn next_counter(&mut self, name: &str) -> Result<i64, StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO counters (name, value) VALUES (?1, 1)
                 ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
            )
            .map_err(backend)?
            .query_row([name], |r| r.get(0))
            .map_err(backend)
    }

    fn put_operation(&mut self, op: &Operation) -> Result<(), StoreError> {
        let mut st = self
            .conn
            .prepare_cached(
                "INSERT INTO operations (id, body, created_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET body = excluded.body",
            )
            .map_err(backend)?;
        st.execute(params![op.id, encode(op), op.started_at_ms])
            .map_err(backend)?;
        Ok(())
    }

    fn get_operation(&mut self, id: &str) -> Result<Option<Operation>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT body FROM operations WHERE id = ?1")
            .map_err(backend)?;
        let body: Option<String> = st
            .query_row([id], |r| r.get(0))
            .optional()
            .map_err(backend)?;
        body.map(|b| decode(&b)).transpose()
    }

    fn put_subscription(&mut self, s: &Subscription) -> Result<(), StoreError> {
        let mut st = self
            .conn
            .prepare_cached(
                "INSERT INTO subscriptions (id, body) VALUES (?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET body = excluded.body",
            )
            .map_err(backend)?;
        st.execute(params![s.id.to_lowercase(), encode(s)])
            .map_err(backend)?;
        Ok(())
    }

    fn list_subscriptions(&mut self) -> Result<Vec<Subscription>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT body FROM subscriptions ORDER BY id")
            .map_err(backend)?;
        let rows = st
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(backend)?;
        rows.map(|b| decode(&b.map_err(backend)?)).collect()
    }

    fn lease_renew(&mut self, instance: &str, ttl_ms: i64) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(concat!(
                "INSERT INTO leases (instance, expires_ms) VALUES (?1, ",
                now_ms!(),
                " + ?2) ON CONFLICT (instance) DO UPDATE SET expires_ms = excluded.expires_ms"
            ))
            .map_err(backend)?
            .execute(params![instance, ttl_ms])
            .map_err(backend)?;
        Ok(())
    }

    fn lease_end(&mut self, instance: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("DELETE FROM leases WHERE instance = ?1")
            .map_err(backend)?
            .execute([instance])
            .map_err(backend)?;
        Ok(())
    }

    fn run_start(&mut self, key: &str, owner: &str, token: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO runs (key, owner, token, cancel) VALUES (?1, ?2, ?3, 0)
                 ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, token = excluded.token,
                 cancel = 0",
            )
            .map_err(backend)?
            .execute([key, owner, token])
            .map_err(backend)?;
        Ok(())
    }

    fn run_get(&mut self, key: &str) -> Result<Option<Run>, StoreError> {
        self.conn
            .prepare_cached(concat!(
                "SELECT r.key, r.owner, r.token, COALESCE(l.expires_ms > ",
                now_ms!(),
                ", 0), r.cancel FROM runs r LEFT JOIN leases l ON l.instance = r.owner
                 WHERE r.key = ?1"
            ))
            .map_err(backend)?
            .query_row([key], to_run)
            .optional()
            .map_err(backend)
    }

    fn run_cancel(&mut self, key: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("UPDATE runs SET cancel = 1 WHERE key = ?1")
            .map_err(backend)?
            .execute([key])
            .map_err(backend)?
            > 0)
    }

    fn run_end(&mut self, key: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("DELETE FROM runs WHERE key = ?1")
            .map_err(backend)?
            .execute([key])
            .map_err(backend)?
            > 0)
    }

    fn runs_orphaned(&mut self, limit: usize) -> Result<Vec<Run>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(concat!(
                "SELECT r.key, r.owner, r.token, 0, r.cancel FROM runs r
                 LEFT JOIN leases l ON l.instance = r.owner
                 WHERE l.instance IS NULL OR l.expires_ms <= ",
                now_ms!(),
                " ORDER BY r.key LIMIT ?1"
            ))
            .map_err(backend)?;
        let rows = st
            .query_map([i64::try_from(limit).unwrap_or(i64::MAX)], to_run)
            .map_err(backend)?;
        rows.map(|r| r.map_err(backend)).collect()
    }

    fn get_role_assignment(
        &mut self,
        name_key: &str,
    ) -> Result<Option<RoleAssignment>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT body FROM role_assignments WHERE name_key = ?1")
            .map_err(backend)?;
        let body: Option<String> = st
            .query_row([name_key], |r| r.get(0))
            .optional()
            .map_err(backend)?;
        body.map(|b| decode(&b)).transpose()
    }

    fn insert_role_assignment(&mut self, a: &RoleAssignment) -> Result<(), StoreError> {
        let mut st = self
            .conn
            .prepare_cached(
                "INSERT INTO role_assignments (name_key, principal_id, role_definition, scope_key, body)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(backend)?;
        st.execute(params![
            a.key(),
            a.principal_id,
            a.role_definition,
            a.scope_key(),
            encode(a)
        ])
        .map_err(backend)?;
        Ok(())
    }

    fn update_role_assignment(&mut self, a: &RoleAssignment) -> Result<(), StoreError> {
        let mut st = self
            .conn
            .prepare_cached("UPDATE role_assignments SET body = ?2 WHERE name_key = ?1")
            .map_err(backend)?;
        st.execute(params![a.key(), encode(a)]).map_err(backend)?;
        Ok(())
    }

    fn delete_role_assignment(&mut self, name_key: &str) -> Result<bool, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("DELETE FROM role_assignments WHERE name_key = ?1")
            .map_err(backend)?;
        Ok(st.execute([name_key]).map_err(backend)? > 0)
    }

    fn list_role_assignments(
        &mut self,
        principal: Option<&str>,
    ) -> Result<Vec<RoleAssignment>, StoreError> {
        let mut st = match principal {
            Some(_) => self.conn.prepare_cached(
                "SELECT body FROM role_assignments WHERE principal_id = ?1 ORDER BY name_key",
            ),
            None => self
                .conn
                .prepare_cached("SELECT body FROM role_assignments ORDER BY name_key"),
        }
        .map_err(backend)?;
        let bodies: Vec<String> = match principal {
            Some(p) => st
                .query_map([p], |r| r.get(0))
                .and_then(|rows| rows.collect()),
            None => st
                .query_map([], |r| r.get(0))
                .and_then(|rows| rows.collect()),
        }
        .map_err(backend)?;
        bodies.iter().map(|b| decode(b)).collect()
    }

    fn get_role_definition(&mut self, guid: &str) -> Result<Option<CustomRole>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT body FROM role_definitions WHERE guid = ?1")
            .map_err(backend)?;
        let body: Option<String> = st
            .query_row([guid], |r| r.get(0))
            .optional()
            .map_err(backend)?;
        body.map(|b| decode(&b)).transpose()
    }

    fn put_role_definition(&mut self, r: &CustomRole) -> Result<(), StoreError> {
        let mut st = self
            .conn
            .prepare_cached(
                "INSERT INTO role_definitions (guid, tenant, name_key, body) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (guid) DO UPDATE SET tenant = excluded.tenant,
                     name_key = excluded.name_key, body = excluded.body",
            )
            .map_err(backend)?;
        st.execute(params![r.guid, r.tenant, r.name_key(), encode(r)])
            .map_err(backend)?;
        Ok(())
    }

    fn delete_role_definition(&mut self, guid: &str) -> Result<bool, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("DELETE FROM role_definitions WHERE guid = ?1")
            .map_err(backend)?;
        Ok(st.execute([guid]).map_err(backend)? > 0)
    }

    fn list_role_definitions(&mut self) -> Result<Vec<CustomRole>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT body FROM role_definitions ORDER BY guid")
            .map_err(backend)?;
        let bodies: Vec<String> = st
            .query_map([], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(backend)?;
        bodies.iter().map(|b| decode(b)).collect()
    }

    fn reset(&mut self) -> Result<(), StoreError> {
        if let Some(c) = self.cache.as_deref_mut() {
            c.clear();
        }
        self.conn
            .execute_batch(
                "DELETE FROM resources; DELETE FROM operations; DELETE FROM refs;
                 DELETE FROM ip_allocations; DELETE FROM ip_books; DELETE FROM ip_released; DELETE FROM ip_marks;
                 DELETE FROM counters; DELETE FROM runs;",
            )
            .map_err(backend)
    }

    fn secret_get(&mut self, name: &str) -> Result<Option<Secret>, StoreError> {
        self.conn
            .prepare_cached("SELECT value, forget_after_ms FROM secrets WHERE name = ?1")
            .map_err(backend)?
            .query_row([name], row_to_secret)
            .optional()
            .map_err(backend)
    }

    fn secret_insert(&mut self, name: &str, secret: &Secret) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "INSERT INTO secrets (name, value, forget_after_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO NOTHING",
            )
            .map_err(backend)?
            .execute(params![name, secret.value, secret.forget_after_ms])
            .map_err(backend)?;
        Ok(n == 1)
    }

    fn secret_take(&mut self, name: &str) -> Result<Option<Secret>, StoreError> {
        self.conn
            .prepare_cached("DELETE FROM secrets WHERE name = ?1 RETURNING value, forget_after_ms")
            .map_err(backend)?
            .query_row([name], row_to_secret)
            .optional()
            .map_err(backend)
    }

    fn secret_prune(&mut self, now_ms: i64) -> Result<u64, StoreError> {
        let n = self
            .conn
            .prepare_cached("DELETE FROM secrets WHERE forget_after_ms < ?1")
            .map_err(backend)?
            .execute([now_ms])
            .map_err(backend)?;
        Ok(n as u64)
    }

    fn secret_count(&mut self, prefix: &str) -> Result<i64, StoreError> {
        self.conn
            .prepare_cached("SELECT COUNT(*) FROM secrets WHERE substr(name, 1, length(?1)) = ?1")
            .map_err(backend)?
            .query_row([prefix], |r| r.get(0))
            .map_err(backend)
    }
}

fn write_mark(conn: &Conn, subnet: &str, mark: u128) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO ip_marks (subnet_key, mark_hex) VALUES (?1, ?2)
         ON CONFLICT (subnet_key) DO UPDATE SET mark_hex = excluded.mark_hex",
    )
    .map_err(backend)?
    .execute(params![subnet, offset_hex(mark).as_str()])
    .map_err(backend)?;
    Ok(())
}

/// Writes the marks the batch's jobs moved (see `WriterCache::move_mark`); the writer calls it
/// before every commit.
pub(super) fn write_marks(conn: &Conn, cache: &mut WriterCache) -> Result<(), StoreError> {
    for (subnet, mark) in cache.take_unwritten() {
        write_mark(conn, &subnet, mark)?;
    }
    Ok(())
}
