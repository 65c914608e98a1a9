//! A database written by schema version 1 opens under the current schema with its data
//! intact, the start-up prune keeps every operation younger than the retention, and a
//! database of a newer schema is refused.

use super::*;
use crate::record::{offset_hex, Ref, RefKind, Run};
use crate::{read, write, ListQuery, Scope};
use cerulean_domain::operation::{Operation, OperationStatus};
use rusqlite::OptionalExtension;

fn operation(id: &str, started_at_ms: i64) -> Operation {
    Operation {
        id: id.into(),
        subscription: "s1".into(),
        namespace: "Microsoft.Network".into(),
        location: "eastus".into(),
        resource_id: "/subscriptions/s1/resourceGroups/rg".into(),
        outcome: OperationStatus::Succeeded,
        error: None,
        result: None,
        started_at_ms,
        done_at_ms: started_at_ms,
        returns_resource: false,
    }
}

fn v7_at(ms: i64) -> String {
    let ms = ms as u64;
    uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
        uuid::NoContext,
        ms / 1000,
        (ms % 1000) as u32 * 1_000_000,
    ))
    .to_string()
}

const GROUP: &str = "/subscriptions/s/resourcegroups/g";
/// Offsets of an IPv6 book (a /64 has 2^64 of them), held before v8 keyed them by number.
const BIG: u128 = (1 << 64) - 2;
const WIDE: u128 = 0x1_0000;

fn write_v1_database(path: &Path, ops: &[Operation]) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(migrate::CREATE_VERSIONS).unwrap();
    conn.execute_batch(MIGRATIONS[0].sqlite).unwrap();
    conn.execute(
        "INSERT INTO schema_migrations (version, applied_ms) VALUES (1, 0)",
        [],
    )
    .unwrap();
    conn.execute_batch(&format!(
        "INSERT INTO refs VALUES ('nic1/ipc1', 'NIC1/ipc1', 'pip1', 'publicip', 'nic1');
         INSERT INTO refs VALUES ('nic1', 'NIC1', 'subnet1', 'subnet', 'nic1');
         INSERT INTO ip_allocations VALUES ('subnet1', '{four}', 'nic1');
         INSERT INTO ip_allocations VALUES ('subnet2', '{big}', 'nic2');
         INSERT INTO ip_allocations VALUES ('subnet2', '{four}', 'nic3');
         INSERT INTO ip_allocations VALUES ('subnet2', '{wide}', 'nic4');
         INSERT INTO ip_released VALUES ('subnet1', '{two}');
         INSERT INTO ip_marks VALUES ('subnet1', '{five}');
         INSERT INTO counters VALUES ('vm', 7);
         INSERT INTO resources VALUES ('{GROUP}/providers/microsoft.network/networkinterfaces/n',
             '/subscriptions/S/resourceGroups/G/providers/Microsoft.Network/networkInterfaces/n',
             'microsoft.network/networkinterfaces', 's', '{GROUP}', 'eastus', '{{}}', 'e1');
         INSERT INTO resources VALUES ('{GROUP}/providers/microsoft.resources/deployments/d',
             '/subscriptions/S/resourceGroups/G/providers/Microsoft.Resources/deployments/d',
             'microsoft.resources/deployments', 's', '{GROUP}', 'eastus', '{{}}', 'e2');",
        four = offset_hex(4),
        two = offset_hex(2),
        five = offset_hex(5),
        big = offset_hex(BIG),
        wide = offset_hex(WIDE),
    ))
    .unwrap();
    for op in ops {
        conn.execute(
            "INSERT INTO operations (id, body, created_ms) VALUES (?1, ?2, ?3)",
            params![op.id, serde_json::to_string(op).unwrap(), op.started_at_ms],
        )
        .unwrap();
    }
}

#[tokio::test]
async fn a_version_1_database_keeps_its_data_under_the_current_schema() {
    let dir = std::env::temp_dir().join(format!("cerulean-upgrade-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let now = migrate::now_ms();
    let day = 24 * 3600 * 1000;
    let stale = operation(&v7_at(now - 2 * day), now - 2 * day);
    let fresh = operation(&v7_at(now - 1000), now - 1000);
    // Sorts below every v7 floor but is young: the `created_ms` guard must keep it.
    let odd = operation("00000000-not-a-v7", now - 1000);
    write_v1_database(
        &dir.join("cerulean.db"),
        &[stale.clone(), fresh.clone(), odd.clone()],
    );

    let store = SqliteStore::open(SqliteMode::Durable(dir.clone())).unwrap();
    let (listed, owned, to_pip, owner, released, mark) = read(&store, |tx| {
        Ok::<_, StoreError>((
            tx.list(&ListQuery {
                scope: Scope::Group(GROUP),
                kind: Some("microsoft.network/networkinterfaces"),
                after: None,
                limit: 10,
            })?,
            tx.refs_of("nic1")?,
            tx.refs_to("pip1", RefKind::PublicIp)?,
            tx.ipam_owner("subnet1", 4)?,
            tx.ipam_lowest_released("subnet1")?,
            tx.ipam_mark("subnet1")?,
        ))
    })
    .await
    .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].etag, "e1");
    // Version 7: a subscription's list walks its groups' key ranges, without the index.
    let in_subscription = read(&store, |tx| {
        tx.list(&ListQuery {
            scope: Scope::Subscription("s"),
            kind: Some("microsoft.network/networkinterfaces"),
            after: None,
            limit: 10,
        })
    })
    .await
    .unwrap();
    assert_eq!(in_subscription, listed);
    let index: Option<String> = Connection::open(dir.join("cerulean.db"))
        .unwrap()
        .query_row(
            "SELECT name FROM sqlite_master WHERE name = 'resources_by_subscription'",
            [],
            |r| r.get(0),
        )
        .optional()
        .unwrap();
    assert_eq!(index, None);
    let pairs: Vec<_> = owned
        .iter()
        .map(|r| (r.from_key.as_str(), r.to_key.as_str()))
        .collect();
    // Version 3 drops subnet references: the subnet's address holders say the same.
    assert_eq!(pairs, [("nic1/ipc1", "pip1")]);
    assert_eq!(to_pip.len(), 1);
    assert_eq!(to_pip[0].from_id, "NIC1/ipc1");
    assert_eq!(owner.as_deref(), Some("nic1"));
    assert_eq!(
        read(&store, |tx| tx.ipam_holders("subnet1", 10))
            .await
            .unwrap(),
        [(4, "nic1".to_string())]
    );
    // Version 8: the rows are keyed by each book's number and a compact offset, in order.
    let subnet2 = read(&store, |tx| {
        Ok::<_, StoreError>((tx.ipam_holders("subnet2", 10)?, tx.ipam_used("subnet2")?))
    })
    .await
    .unwrap();
    assert_eq!(
        subnet2,
        (
            vec![
                (4, "nic3".to_string()),
                (WIDE, "nic4".to_string()),
                (BIG, "nic2".to_string())
            ],
            3
        )
    );
    let claims = write(&store, |tx| {
        Ok::<_, StoreError>((
            tx.ipam_claim_if_free("subnet2", BIG, "nic9")?,
            tx.ipam_claim_if_free("subnet1", 4, "nic9")?,
            tx.ipam_claim_if_free("subnet1", 6, "nic9")?,
            tx.ipam_owner("subnet1", 6)?,
        ))
    })
    .await
    .unwrap();
    assert_eq!(claims, (false, false, true, Some("nic9".to_string())));
    assert_eq!(released, Some(2));
    assert_eq!(mark, 5);

    let ops = read(&store, move |tx| {
        Ok::<_, StoreError>((
            tx.get_operation(&stale.id)?,
            tx.get_operation(&fresh.id)?,
            tx.get_operation(&odd.id)?,
        ))
    })
    .await
    .unwrap();
    assert_eq!(ops.0, None, "older than the retention: pruned");
    assert!(ops.1.is_some() && ops.2.is_some(), "young operations stay");

    assert_eq!(write(&store, |tx| tx.next_counter("vm")).await.unwrap(), 8);
    // Version 4: a deployment stored before servers held leases has a run nobody owns, so
    // the first server to start settles it.
    let orphaned = read(&store, |tx| tx.runs_orphaned(10)).await.unwrap();
    assert_eq!(
        orphaned,
        [Run {
            key: format!("{GROUP}/providers/microsoft.resources/deployments/d"),
            owner: String::new(),
            token: String::new(),
            owner_alive: false,
            cancel_requested: false,
        }]
    );
    // The exclusive index came through the rebuild of `refs`.
    let second = Ref {
        from_key: "nic2/ipc1".into(),
        from_id: "NIC2/ipc1".into(),
        to_key: "pip1".into(),
        kind: RefKind::PublicIp,
        owner_key: "nic2".into(),
    };
    let err = write(&store, move |tx| {
        tx.set_refs("nic2", std::slice::from_ref(&second))
    })
    .await
    .unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict { constraint } if constraint == EXCLUSIVE_REFS),
        "{err:?}"
    );
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_database_of_a_newer_schema_is_refused() {
    let dir = std::env::temp_dir().join(format!("cerulean-newer-{}", uuid::Uuid::new_v4()));
    let store = SqliteStore::open(SqliteMode::Durable(dir.clone())).unwrap();
    store.close().await;
    let known = MIGRATIONS.last().unwrap().version;
    Connection::open(dir.join("cerulean.db"))
        .unwrap()
        .execute(
            "INSERT INTO schema_migrations (version, applied_ms) VALUES (?1, 0)",
            [known + 1],
        )
        .unwrap();
    let err = SqliteStore::open(SqliteMode::Durable(dir.clone()))
        .err()
        .expect("a newer schema must be refused");
    assert_eq!(
        err.to_string(),
        format!(
            "storage failure: the database's schema is version {}, newer than this cerulean \
             knows ({known}): run the cerulean that migrated it, or a newer one",
            known + 1
        )
    );
    let _ = std::fs::remove_dir_all(&dir);
}
