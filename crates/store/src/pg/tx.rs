//! The statements behind [`Tx`] on PostgreSQL: one `PgTx` per attempt of a job, inside the
//! transaction and under the locks `pg.rs` took for it.

use super::list::{list_record, list_sql};
use super::{backend, PgConn};
use crate::record::{offset_hex, parse_offset, Ref, RefKind, Run};
use crate::{ListQuery, Record, Scope, Secret, StoreError, Tx};
use cerulean_domain::authz::{CustomRole, RoleAssignment};
use cerulean_domain::ipam::Start;
use cerulean_domain::operation::Operation;
use cerulean_domain::subscription::Subscription;
use postgres::Statement;

pub(super) struct PgTx<'c> {
    pub(super) conn: &'c mut PgConn,
    /// Set when PostgreSQL aborted the transaction for a retry; the job's result is dropped.
    pub(super) retry: bool,
    /// Set when `Tx::replace` found its record changed by another writer.
    pub(super) stale: bool,
    /// The records this transaction wrote (`Tx::replace` counts no change of theirs).
    pub(super) written: std::collections::HashSet<String>,
}

fn to_record(r: &postgres::Row) -> Record {
    Record {
        key: r.get(0),
        id: r.get(1),
        kind: r.get(2),
        subscription: r.get(3),
        group_key: r.get(4),
        location: r.get(5),
        body: r.get(6),
        etag: r.get(7),
    }
}

fn to_ref(r: &postgres::Row) -> Result<Ref, StoreError> {
    let kind: &str = r.get(3);
    Ok(Ref {
        from_key: r.get(0),
        from_id: r.get(1),
        to_key: r.get(2),
        kind: RefKind::parse(kind)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown reference kind {kind}")))?,
        owner_key: r.get(4),
    })
}

/// Milliseconds since the epoch by the database's clock (`clock_timestamp`, not the
/// transaction's start): every server sharing the database compares leases on one clock.
macro_rules! now_ms {
    () => {
        "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT"
    };
}

fn to_run(r: &postgres::Row) -> Run {
    Run {
        key: r.get(0),
        owner: r.get(1),
        token: r.get(2),
        owner_alive: r.get(3),
        cancel_requested: r.get(4),
    }
}

fn decode<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn encode<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("domain values always serialize")
}

fn map_rows<T>(
    client: &mut postgres::Client,
    st: &Statement,
    params: &[&(dyn postgres::types::ToSql + Sync)],
    capacity: usize,
    mut f: impl FnMut(&postgres::Row) -> T,
) -> Result<Vec<T>, postgres::Error> {
    use postgres::fallible_iterator::FallibleIterator;
    let mut rows = client.query_raw(st, params.iter().copied())?;
    let mut out = Vec::with_capacity(capacity);
    while let Some(r) = rows.next()? {
        out.push(f(&r));
    }
    Ok(out)
}

impl PgTx<'_> {
    fn statement(&mut self, sql: &'static str) -> Result<Statement, StoreError> {
        if let Some(s) = self.conn.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.conn.client.prepare(sql).map_err(|e| self.fail(e))?;
        self.conn.statements.insert(sql, s.clone());
        Ok(s)
    }

    fn fail(&mut self, e: postgres::Error) -> StoreError {
        let e = backend(e);
        if e == StoreError::Retry {
            self.retry = true;
        }
        e
    }

    fn query(
        &mut self,
        sql: &'static str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, StoreError> {
        let st = self.statement(sql)?;
        self.conn
            .client
            .query(&st, params)
            .map_err(|e| self.fail(e))
    }

    /// `query`, each row mapped by `f` as it arrives: the rows are built while the backend
    /// still sends the rest, instead of after the last. One client paging through 1000-NIC
    /// pages got 9 % more pages a second than with `query` (median of 8 alternating rounds).
    fn query_map<T>(
        &mut self,
        sql: &'static str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
        capacity: usize,
        f: impl FnMut(&postgres::Row) -> T,
    ) -> Result<Vec<T>, StoreError> {
        let st = self.statement(sql)?;
        map_rows(&mut self.conn.client, &st, params, capacity, f).map_err(|e| self.fail(e))
    }

    fn execute(
        &mut self,
        sql: &'static str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<u64, StoreError> {
        let st = self.statement(sql)?;
        self.conn
            .client
            .execute(&st, params)
            .map_err(|e| self.fail(e))
    }
}

impl Tx for PgTx<'_> {
    fn get(&mut self, key: &str) -> Result<Option<Record>, StoreError> {
        const SQL: &str = "SELECT key, id, kind, subscription, group_key, location, body, etag FROM resources WHERE key = $1";
        Ok(self.query(SQL, &[&key])?.first().map(to_record))
    }

    fn exists(&mut self, key: &str) -> Result<bool, StoreError> {
        const SQL: &str = "SELECT 1 FROM resources WHERE key = $1";
        Ok(!self.query(SQL, &[&key])?.is_empty())
    }

    fn put(&mut self, rec: &Record) -> Result<(), StoreError> {
        crate::placement::check_placement(rec)?;
        const SQL: &str =
            "INSERT INTO resources (key, id, kind, subscription, group_key, location, body, etag)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (key) DO UPDATE SET id = excluded.id, location = excluded.location,
             body = excluded.body, etag = excluded.etag";
        self.execute(
            SQL,
            &[
                &rec.key,
                &rec.id,
                &rec.kind,
                &rec.subscription,
                &rec.group_key,
                &rec.location,
                &rec.body,
                &rec.etag,
            ],
        )?;
        self.written.insert(rec.key.clone());
        Ok(())
    }

    fn replace(&mut self, rec: &Record, read_etag: &str) -> Result<(), StoreError> {
        crate::placement::check_placement(rec)?;
        const SQL: &str = "UPDATE resources SET id = $2, location = $3, body = $4, etag = $5
             WHERE key = $1 AND (etag = $6 OR $7)";
        let own = self.written.contains(&rec.key);
        let n = self.execute(
            SQL,
            &[
                &rec.key,
                &rec.id,
                &rec.location,
                &rec.body,
                &rec.etag,
                &read_etag,
                &own,
            ],
        )?;
        if n == 0 {
            tracing::warn!(key = %rec.key, "a record changed between a write's read and its update: the write runs again");
            self.retry = true;
            self.stale = true;
            return Err(StoreError::Retry);
        }
        self.written.insert(rec.key.clone());
        Ok(())
    }

    fn insert(&mut self, rec: &Record) -> Result<(), StoreError> {
        crate::placement::check_placement(rec)?;
        const SQL: &str =
            "INSERT INTO resources (key, id, kind, subscription, group_key, location, body, etag)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
        self.execute(
            SQL,
            &[
                &rec.key,
                &rec.id,
                &rec.kind,
                &rec.subscription,
                &rec.group_key,
                &rec.location,
                &rec.body,
                &rec.etag,
            ],
        )?;
        self.written.insert(rec.key.clone());
        Ok(())
    }

    fn delete(&mut self, key: &str) -> Result<bool, StoreError> {
        Ok(self.execute("DELETE FROM resources WHERE key = $1", &[&key])? > 0)
    }

    fn list(&mut self, q: &ListQuery<'_>) -> Result<Vec<Record>, StoreError> {
        let scope = match q.scope {
            Scope::Subscription(s) | Scope::Group(s) => s,
        };
        let sql = list_sql(
            matches!(q.scope, Scope::Group(_)),
            q.kind.is_some(),
            q.after.is_some(),
        );
        let limit = q.limit as i64;
        let mut params: Vec<&(dyn postgres::types::ToSql + Sync)> = vec![&scope];
        if let Some(k) = &q.kind {
            params.push(k);
        }
        if let Some(a) = &q.after {
            params.push(a);
        }
        params.push(&limit);
        // A page is at most `limit` records; a few rows are the common case of small ones.
        let capacity = q.limit.min(1000);
        self.query_map(sql, &params, capacity, |r| list_record(r, q))
    }

    fn count_by_kind(&mut self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = self.query(
            "SELECT kind, COUNT(*)::BIGINT FROM resources GROUP BY kind ORDER BY kind",
            &[],
        )?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    fn count_in_region(
        &mut self,
        subscription: &str,
        kind: &str,
        location: &str,
    ) -> Result<i64, StoreError> {
        let rows = self.query(
            "SELECT COUNT(*)::BIGINT FROM resources WHERE subscription = $1 AND kind = $2 AND location = $3",
            &[&subscription, &kind, &location],
        )?;
        Ok(rows[0].get(0))
    }

    fn set_refs(&mut self, owner_key: &str, refs: &[Ref]) -> Result<(), StoreError> {
        self.execute("DELETE FROM refs WHERE owner_key = $1", &[&owner_key])?;
        for r in refs {
            self.execute(
                "INSERT INTO refs (from_key, from_id, to_key, kind, owner_key) VALUES ($1, $2, $3, $4, $5)",
                &[&r.from_key, &r.from_id, &r.to_key, &r.kind.as_str(), &r.owner_key],
            )?;
        }
        Ok(())
    }

    fn refs_to(&mut self, to_key: &str, kind: RefKind) -> Result<Vec<Ref>, StoreError> {
        let rows = self.query(
            "SELECT from_key, from_id, to_key, kind, owner_key FROM refs
             WHERE to_key = $1 AND kind = $2 ORDER BY from_key",
            &[&to_key, &kind.as_str()],
        )?;
        rows.iter().map(to_ref).collect()
    }

    fn refs_to_range(
        &mut self,
        first: &str,
        last: &str,
        kind: RefKind,
    ) -> Result<Vec<Ref>, StoreError> {
        // The database's collation, as `list` pages in (its `key > $n` uses it too).
        let rows = self.query(
            "SELECT from_key, from_id, to_key, kind, owner_key FROM refs
             WHERE to_key >= $1 AND to_key <= $2 AND kind = $3 ORDER BY to_key, from_key",
            &[&first, &last, &kind.as_str()],
        )?;
        rows.iter().map(to_ref).collect()
    }

    fn refs_of(&mut self, owner_key: &str) -> Result<Vec<Ref>, StoreError> {
        let rows = self.query(
            "SELECT from_key, from_id, to_key, kind, owner_key FROM refs
             WHERE owner_key = $1 ORDER BY from_key, kind, to_key",
            &[&owner_key],
        )?;
        rows.iter().map(to_ref).collect()
    }

    fn ipam_mark(&mut self, subnet: &str) -> Result<u128, StoreError> {
        let rows = self.query(
            "SELECT mark_hex FROM ip_marks WHERE subnet_key = $1",
            &[&subnet],
        )?;
        match rows.first() {
            Some(r) => parse_offset(r.get(0)),
            None => Ok(0),
        }
    }

    fn ipam_set_mark(&mut self, subnet: &str, mark: u128) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO ip_marks (subnet_key, mark_hex) VALUES ($1, $2)
             ON CONFLICT (subnet_key) DO UPDATE SET mark_hex = excluded.mark_hex",
            &[&subnet, &offset_hex(mark).as_str()],
        )?;
        Ok(())
    }

    fn ipam_lowest_released(&mut self, subnet: &str) -> Result<Option<u128>, StoreError> {
        // COLLATE "C": fixed-width hex must compare bytewise whatever the database collation.
        let rows = self.query(
            "SELECT offset_hex FROM ip_released WHERE subnet_key = $1
             ORDER BY offset_hex COLLATE \"C\" LIMIT 1",
            &[&subnet],
        )?;
        rows.first().map(|r| parse_offset(r.get(0))).transpose()
    }

    fn ipam_remove_released(&mut self, subnet: &str, offset: u128) -> Result<bool, StoreError> {
        Ok(self.execute(
            "DELETE FROM ip_released WHERE subnet_key = $1 AND offset_hex = $2",
            &[&subnet, &offset_hex(offset).as_str()],
        )? > 0)
    }

    fn ipam_add_released(&mut self, subnet: &str, offset: u128) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO ip_released (subnet_key, offset_hex) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&subnet, &offset_hex(offset).as_str()],
        )?;
        Ok(())
    }

    fn ipam_owner(&mut self, subnet: &str, offset: u128) -> Result<Option<String>, StoreError> {
        let rows = self.query(
            "SELECT owner_key FROM ip_allocations WHERE subnet_key = $1 AND offset_hex = $2",
            &[&subnet, &offset_hex(offset).as_str()],
        )?;
        Ok(rows.first().map(|r| r.get(0)))
    }

    fn ipam_claim_if_free(
        &mut self,
        subnet: &str,
        offset: u128,
        owner: &str,
    ) -> Result<bool, StoreError> {
        let n = self.execute(
            "INSERT INTO ip_allocations (subnet_key, offset_hex, owner_key) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            &[&subnet, &offset_hex(offset).as_str(), &owner],
        )?;
        Ok(n == 1)
    }

    fn ipam_start(&mut self, subnet: &str) -> Result<Start, StoreError> {
        // Both answers in one round trip (COLLATE "C" as in `ipam_lowest_released`).
        let rows = self.query(
            "SELECT (SELECT offset_hex FROM ip_released WHERE subnet_key = $1
                     ORDER BY offset_hex COLLATE \"C\" LIMIT 1),
                    (SELECT mark_hex FROM ip_marks WHERE subnet_key = $1)",
            &[&subnet],
        )?;
        let row = rows
            .first()
            .ok_or_else(|| StoreError::Backend("ipam_start returned no row".into()))?;
        let column = |i| {
            row.try_get::<_, Option<&str>>(i)
                .map_err(|e| StoreError::Backend(e.to_string()))
        };
        Ok(match column(0)? {
            Some(hex) => Start::Released(parse_offset(hex)?),
            None => Start::Mark(column(1)?.map(parse_offset).transpose()?.unwrap_or(0)),
        })
    }

    fn ipam_claim_and_mark(
        &mut self,
        subnet: &str,
        offset: u128,
        owner: &str,
        mark: u128,
    ) -> Result<bool, StoreError> {
        // One round trip: the mark moves only when the claim took a row.
        let rows = self.query(
            "WITH claimed AS (
                 INSERT INTO ip_allocations (subnet_key, offset_hex, owner_key)
                 VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING subnet_key
             ), marked AS (
                 INSERT INTO ip_marks (subnet_key, mark_hex) SELECT subnet_key, $4::text FROM claimed
                 ON CONFLICT (subnet_key) DO UPDATE SET mark_hex = excluded.mark_hex
             )
             SELECT count(*) FROM claimed",
            &[
                &subnet,
                &offset_hex(offset).as_str(),
                &owner,
                &offset_hex(mark).as_str(),
            ],
        )?;
        let claimed: i64 = rows
            .first()
            .ok_or_else(|| StoreError::Backend("ipam_claim_and_mark returned no row".into()))?
            .try_get(0)
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        Ok(claimed == 1)
    }

    fn ipam_free(&mut self, subnet: &str, offset: u128) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM ip_allocations WHERE subnet_key = $1 AND offset_hex = $2",
            &[&subnet, &offset_hex(offset).as_str()],
        )?;
        Ok(())
    }

    fn ipam_used(&mut self, subnet: &str) -> Result<i64, StoreError> {
        let rows = self.query(
            "SELECT COUNT(*)::BIGINT FROM ip_allocations WHERE subnet_key = $1",
            &[&subnet],
        )?;
        Ok(rows[0].get(0))
    }

    fn ipam_holders(
        &mut self,
        subnet: &str,
        limit: usize,
    ) -> Result<Vec<(u128, String)>, StoreError> {
        let rows = self.query(
            "SELECT offset_hex, owner_key FROM ip_allocations WHERE subnet_key = $1
             ORDER BY offset_hex LIMIT $2",
            &[&subnet, &i64::try_from(limit).unwrap_or(i64::MAX)],
        )?;
        rows.iter()
            .map(|r| Ok((parse_offset(r.get(0))?, r.get(1))))
            .collect()
    }

    fn ipam_drop(&mut self, subnet: &str) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM ip_allocations WHERE subnet_key = $1",
            &[&subnet],
        )?;
        self.execute("DELETE FROM ip_released WHERE subnet_key = $1", &[&subnet])?;
        self.execute("DELETE FROM ip_marks WHERE subnet_key = $1", &[&subnet])?;
        Ok(())
    }

    fn ipam_books(&mut self, after: Option<&str>, limit: usize) -> Result<Vec<String>, StoreError> {
        // COLLATE "C": one order for paging whatever the database collation.
        let rows = self.query(
            "SELECT k FROM (
                 SELECT subnet_key AS k FROM ip_allocations
                 UNION SELECT subnet_key FROM ip_released
                 UNION SELECT subnet_key FROM ip_marks) books
             WHERE k COLLATE \"C\" > $1 ORDER BY k COLLATE \"C\" LIMIT $2",
            &[
                &after.unwrap_or(""),
                &i64::try_from(limit).unwrap_or(i64::MAX),
            ],
        )?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    fn next_counter(&mut self, name: &str) -> Result<i64, StoreError> {
        let rows = self.query(
            "INSERT INTO counters (name, value) VALUES ($1, 1)
             ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
            &[&name],
        )?;
        Ok(rows[0].get(0))
    }

    fn put_operation(&mut self, op: &Operation) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO operations (id, body, created_ms) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET body = excluded.body",
            &[&op.id, &encode(op), &op.started_at_ms],
        )?;
        Ok(())
    }

    fn get_operation(&mut self, id: &str) -> Result<Option<Operation>, StoreError> {
        let rows = self.query("SELECT body FROM operations WHERE id = $1", &[&id])?;
        rows.first()
            .map(|r| decode(r.get::<_, &str>(0)))
            .transpose()
    }

    fn put_subscription(&mut self, s: &Subscription) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO subscriptions (id, body) VALUES ($1, $2)
             ON CONFLICT (id) DO UPDATE SET body = excluded.body",
            &[&s.id.to_lowercase(), &encode(s)],
        )?;
        Ok(())
    }

    fn list_subscriptions(&mut self) -> Result<Vec<Subscription>, StoreError> {
        let rows = self.query("SELECT body FROM subscriptions ORDER BY id", &[])?;
        rows.iter().map(|r| decode(r.get::<_, &str>(0))).collect()
    }

    fn lease_renew(&mut self, instance: &str, ttl_ms: i64) -> Result<(), StoreError> {
        self.execute(
            concat!(
                "INSERT INTO leases (instance, expires_ms) VALUES ($1, ",
                now_ms!(),
                " + $2) ON CONFLICT (instance) DO UPDATE SET expires_ms = excluded.expires_ms"
            ),
            &[&instance, &ttl_ms],
        )?;
        Ok(())
    }

    fn lease_end(&mut self, instance: &str) -> Result<(), StoreError> {
        self.execute("DELETE FROM leases WHERE instance = $1", &[&instance])?;
        Ok(())
    }

    fn run_start(&mut self, key: &str, owner: &str, token: &str) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO runs (key, owner, token, cancel) VALUES ($1, $2, $3, FALSE)
             ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, token = excluded.token,
             cancel = FALSE",
            &[&key, &owner, &token],
        )?;
        Ok(())
    }

    fn run_get(&mut self, key: &str) -> Result<Option<Run>, StoreError> {
        let rows = self.query(
            concat!(
                "SELECT r.key, r.owner, r.token, COALESCE(l.expires_ms > ",
                now_ms!(),
                ", FALSE), r.cancel FROM runs r LEFT JOIN leases l ON l.instance = r.owner
                 WHERE r.key = $1"
            ),
            &[&key],
        )?;
        Ok(rows.first().map(to_run))
    }

    fn run_cancel(&mut self, key: &str) -> Result<bool, StoreError> {
        Ok(self.execute("UPDATE runs SET cancel = TRUE WHERE key = $1", &[&key])? > 0)
    }

    fn run_end(&mut self, key: &str) -> Result<bool, StoreError> {
        Ok(self.execute("DELETE FROM runs WHERE key = $1", &[&key])? > 0)
    }

    fn runs_orphaned(&mut self, limit: usize) -> Result<Vec<Run>, StoreError> {
        let rows = self.query(
            concat!(
                "SELECT r.key, r.owner, r.token, FALSE, r.cancel FROM runs r
                 LEFT JOIN leases l ON l.instance = r.owner
                 WHERE l.instance IS NULL OR l.expires_ms <= ",
                now_ms!(),
                " ORDER BY r.key COLLATE \"C\" LIMIT $1"
            ),
            &[&i64::try_from(limit).unwrap_or(i64::MAX)],
        )?;
        Ok(rows.iter().map(to_run).collect())
    }

    fn get_role_assignment(
        &mut self,
        name_key: &str,
    ) -> Result<Option<RoleAssignment>, StoreError> {
        let rows = self.query(
            "SELECT body FROM role_assignments WHERE name_key = $1",
            &[&name_key],
        )?;
        rows.first()
            .map(|r| decode(r.get::<_, &str>(0)))
            .transpose()
    }

    fn insert_role_assignment(&mut self, a: &RoleAssignment) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO role_assignments (name_key, principal_id, role_definition, scope_key, body)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &a.key(),
                &a.principal_id,
                &a.role_definition,
                &a.scope_key(),
                &encode(a),
            ],
        )?;
        Ok(())
    }

    fn update_role_assignment(&mut self, a: &RoleAssignment) -> Result<(), StoreError> {
        self.execute(
            "UPDATE role_assignments SET body = $2 WHERE name_key = $1",
            &[&a.key(), &encode(a)],
        )?;
        Ok(())
    }

    fn delete_role_assignment(&mut self, name_key: &str) -> Result<bool, StoreError> {
        let n = self.execute(
            "DELETE FROM role_assignments WHERE name_key = $1",
            &[&name_key],
        )?;
        Ok(n > 0)
    }

    fn list_role_assignments(
        &mut self,
        principal: Option<&str>,
    ) -> Result<Vec<RoleAssignment>, StoreError> {
        let rows = match principal {
            Some(p) => self.query(
                "SELECT body FROM role_assignments WHERE principal_id = $1 ORDER BY name_key",
                &[&p],
            )?,
            None => self.query("SELECT body FROM role_assignments ORDER BY name_key", &[])?,
        };
        rows.iter().map(|r| decode(r.get::<_, &str>(0))).collect()
    }

    fn get_role_definition(&mut self, guid: &str) -> Result<Option<CustomRole>, StoreError> {
        let rows = self.query(
            "SELECT body FROM role_definitions WHERE guid = $1",
            &[&guid],
        )?;
        rows.first()
            .map(|r| decode(r.get::<_, &str>(0)))
            .transpose()
    }

    fn put_role_definition(&mut self, r: &CustomRole) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO role_definitions (guid, tenant, name_key, body) VALUES ($1, $2, $3, $4)
             ON CONFLICT (guid) DO UPDATE SET tenant = excluded.tenant,
                 name_key = excluded.name_key, body = excluded.body",
            &[&r.guid, &r.tenant, &r.name_key(), &encode(r)],
        )?;
        Ok(())
    }

    fn delete_role_definition(&mut self, guid: &str) -> Result<bool, StoreError> {
        let n = self.execute("DELETE FROM role_definitions WHERE guid = $1", &[&guid])?;
        Ok(n > 0)
    }

    fn list_role_definitions(&mut self) -> Result<Vec<CustomRole>, StoreError> {
        let rows = self.query(
            "SELECT body FROM role_definitions ORDER BY guid COLLATE \"C\"",
            &[],
        )?;
        rows.iter().map(|r| decode(r.get::<_, &str>(0))).collect()
    }

    fn reset(&mut self) -> Result<(), StoreError> {
        for table in [
            "DELETE FROM resources",
            "DELETE FROM operations",
            "DELETE FROM refs",
            "DELETE FROM ip_allocations",
            "DELETE FROM ip_released",
            "DELETE FROM ip_marks",
            "DELETE FROM counters",
            "DELETE FROM runs",
        ] {
            self.execute(table, &[])?;
        }
        Ok(())
    }

    fn secret_get(&mut self, name: &str) -> Result<Option<Secret>, StoreError> {
        let rows = self.query(
            "SELECT value, forget_after_ms FROM secrets WHERE name = $1",
            &[&name],
        )?;
        Ok(rows.first().map(to_secret))
    }

    fn secret_insert(&mut self, name: &str, secret: &Secret) -> Result<bool, StoreError> {
        let n = self.execute(
            "INSERT INTO secrets (name, value, forget_after_ms) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO NOTHING",
            &[&name, &secret.value, &secret.forget_after_ms],
        )?;
        Ok(n == 1)
    }

    fn secret_take(&mut self, name: &str) -> Result<Option<Secret>, StoreError> {
        let rows = self.query(
            "DELETE FROM secrets WHERE name = $1 RETURNING value, forget_after_ms",
            &[&name],
        )?;
        Ok(rows.first().map(to_secret))
    }

    fn secret_prune(&mut self, now_ms: i64) -> Result<u64, StoreError> {
        self.execute("DELETE FROM secrets WHERE forget_after_ms < $1", &[&now_ms])
    }

    fn secret_count(&mut self, prefix: &str) -> Result<i64, StoreError> {
        // `starts_with`, not a key range: a non-C collation does not order punctuation
        // bytewise.
        let rows = self.query(
            "SELECT COUNT(*)::BIGINT FROM secrets WHERE starts_with(name, $1)",
            &[&prefix],
        )?;
        Ok(rows[0].get(0))
    }
}

fn to_secret(r: &postgres::Row) -> Secret {
    Secret {
        value: r.get(0),
        forget_after_ms: r.get(1),
    }
}
