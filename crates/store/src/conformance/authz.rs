//! The suite's role assignment cases (`Tx::*_role_assignment*`).

use crate::{read, write, Store, StoreError, UNIQUE_ROLE_ASSIGNMENT};
use cerulean_domain::authz::assignment::{PrincipalType, RoleAssignment};
use std::sync::Arc;

const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const ALICE: &str = "aaaaaaaa-0000-0000-0000-000000000001";
const BOB: &str = "bbbbbbbb-0000-0000-0000-000000000002";

fn assignment(name: &str, scope: &str, role: &str, principal: &str) -> RoleAssignment {
    RoleAssignment {
        name: name.into(),
        scope: scope.into(),
        role_definition: role.into(),
        principal_id: principal.into(),
        principal_type: PrincipalType::User,
        description: None,
        condition: None,
        condition_version: None,
        created_on: "2026-12-03T00:00:00Z".into(),
        updated_on: "2026-12-03T00:00:00Z".into(),
        created_by: None,
        updated_by: None,
    }
}

async fn insert(store: &dyn Store, a: RoleAssignment) -> Result<(), StoreError> {
    write(store, move |tx| tx.insert_role_assignment(&a)).await
}

pub async fn role_assignments_round_trip_and_outlive_a_reset(store: Arc<dyn Store>) {
    let a = assignment(
        "0000000A-0000-0000-0000-000000000000",
        "/subscriptions/S1",
        READER,
        ALICE,
    );
    let b = assignment(
        "0000000b-0000-0000-0000-000000000000",
        "/subscriptions/s1/resourceGroups/rg",
        OWNER,
        BOB,
    );
    let c = assignment(
        "0000000c-0000-0000-0000-000000000000",
        "/subscriptions/s1/resourceGroups/rg",
        READER,
        ALICE,
    );
    for x in [&c, &a, &b] {
        insert(&*store, x.clone()).await.unwrap();
    }
    let got = read(&*store, |tx| {
        tx.get_role_assignment("0000000a-0000-0000-0000-000000000000")
    })
    .await
    .unwrap();
    assert_eq!(
        got.as_ref(),
        Some(&a),
        "found by the lower-case name, spelled as stored"
    );
    let all = read(&*store, |tx| tx.list_role_assignments(None))
        .await
        .unwrap();
    assert_eq!(all, vec![a.clone(), b.clone(), c.clone()], "in name order");
    let alices = read(&*store, |tx| tx.list_role_assignments(Some(ALICE)))
        .await
        .unwrap();
    assert_eq!(alices, vec![a.clone(), c.clone()]);

    let mut changed = a.clone();
    changed.description = Some("on call".into());
    let c2 = changed.clone();
    write(&*store, move |tx| tx.update_role_assignment(&c2))
        .await
        .unwrap();
    let got = read(&*store, |tx| {
        tx.get_role_assignment("0000000a-0000-0000-0000-000000000000")
    })
    .await
    .unwrap();
    assert_eq!(got, Some(changed));

    write(&*store, |tx| tx.reset()).await.unwrap();
    assert_eq!(
        read(&*store, |tx| tx.list_role_assignments(None))
            .await
            .unwrap()
            .len(),
        3
    );

    let gone = write(&*store, |tx| {
        tx.delete_role_assignment("0000000b-0000-0000-0000-000000000000")
    })
    .await
    .unwrap();
    let again = write(&*store, |tx| {
        tx.delete_role_assignment("0000000b-0000-0000-0000-000000000000")
    })
    .await
    .unwrap();
    assert!(gone && !again);
    assert_eq!(
        read(&*store, |tx| tx.list_role_assignments(Some(BOB)))
            .await
            .unwrap(),
        vec![]
    );
}

pub async fn one_assignment_per_name_and_per_grant(store: Arc<dyn Store>) {
    let a = assignment(
        "0000000a-0000-0000-0000-000000000000",
        "/subscriptions/s1",
        READER,
        ALICE,
    );
    insert(&*store, a.clone()).await.unwrap();
    let conflict = StoreError::Conflict {
        constraint: UNIQUE_ROLE_ASSIGNMENT.to_string(),
    };
    // The same name again, in any spelling.
    let same_name = assignment(
        "0000000A-0000-0000-0000-000000000000",
        "/subscriptions/s1",
        OWNER,
        BOB,
    );
    assert_eq!(insert(&*store, same_name).await.unwrap_err(), conflict);
    // The same principal, role and scope under another name.
    let same_grant = assignment(
        "0000000d-0000-0000-0000-000000000000",
        "/subscriptions/S1",
        READER,
        ALICE,
    );
    assert_eq!(insert(&*store, same_grant).await.unwrap_err(), conflict);
    // Another role at the same scope is another grant.
    insert(
        &*store,
        assignment(
            "0000000e-0000-0000-0000-000000000000",
            "/subscriptions/s1",
            OWNER,
            ALICE,
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        read(&*store, |tx| tx.list_role_assignments(Some(ALICE)))
            .await
            .unwrap()
            .len(),
        2
    );
}

pub async fn racing_grants_have_one_winner(store: Arc<dyn Store>) {
    let mut handles = Vec::new();
    for i in 0..16 {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            let name = format!("{i:08x}-0000-0000-0000-000000000000");
            insert(
                &*store,
                assignment(&name, "/subscriptions/s1", READER, ALICE),
            )
            .await
        }));
    }
    let mut won = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(()) => won += 1,
            Err(StoreError::Conflict { constraint }) => {
                assert_eq!(constraint, UNIQUE_ROLE_ASSIGNMENT)
            }
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(won, 1);
    assert_eq!(
        read(&*store, |tx| tx.list_role_assignments(None))
            .await
            .unwrap()
            .len(),
        1
    );
}
