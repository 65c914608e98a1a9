//! The suite's role assignment and custom role cases (`Tx::*_role_assignment*`,
//! `Tx::*_role_definition*`).

use crate::{read, write, Store, StoreError, UNIQUE_ROLE_ASSIGNMENT, UNIQUE_ROLE_NAME};
use cerulean_domain::authz::assignment::{PrincipalType, RoleAssignment};
use cerulean_domain::authz::{CustomRole, PermissionBlock};
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

fn custom_role(guid: &str, tenant: &str, name: &str) -> CustomRole {
    CustomRole {
        guid: guid.into(),
        tenant: tenant.into(),
        role_name: name.into(),
        description: "d".into(),
        permissions: vec![PermissionBlock {
            actions: vec!["Microsoft.Network/*/read".into()],
            ..Default::default()
        }],
        assignable_scopes: vec!["/subscriptions/s1".into()],
        created_on: "2026-12-07T00:00:00Z".into(),
        updated_on: "2026-12-07T00:00:00Z".into(),
        created_by: None,
        updated_by: None,
    }
}

async fn put_role(store: &dyn Store, r: CustomRole) -> Result<(), StoreError> {
    write(store, move |tx| tx.put_role_definition(&r)).await
}

const ROLE_A: &str = "0000000a-1111-0000-0000-000000000000";
const ROLE_B: &str = "0000000b-1111-0000-0000-000000000000";

pub async fn custom_roles_round_trip_and_outlive_a_reset(store: Arc<dyn Store>) {
    let b = custom_role(ROLE_B, "t1", "Operator");
    let a = custom_role(ROLE_A, "t1", "Auditor");
    put_role(&*store, b.clone()).await.unwrap();
    put_role(&*store, a.clone()).await.unwrap();
    let got = read(&*store, |tx| tx.get_role_definition(ROLE_A))
        .await
        .unwrap();
    assert_eq!(got, Some(a.clone()));
    // A put of the same GUID replaces it, a new name included.
    let mut renamed = b.clone();
    renamed.role_name = "Network Operator".into();
    renamed.permissions[0].not_actions = vec!["Microsoft.Network/virtualNetworks/read".into()];
    put_role(&*store, renamed.clone()).await.unwrap();
    write(&*store, |tx| tx.reset()).await.unwrap();
    let all = read(&*store, |tx| tx.list_role_definitions())
        .await
        .unwrap();
    assert_eq!(
        all,
        vec![a.clone(), renamed],
        "in GUID order, after a reset"
    );
    // The old name is free again.
    put_role(
        &*store,
        custom_role("0000000c-1111-0000-0000-000000000000", "t1", "Operator"),
    )
    .await
    .unwrap();
    let gone = write(&*store, |tx| tx.delete_role_definition(ROLE_A))
        .await
        .unwrap();
    let again = write(&*store, |tx| tx.delete_role_definition(ROLE_A))
        .await
        .unwrap();
    assert!(gone && !again);
    assert_eq!(
        read(&*store, |tx| tx.get_role_definition(ROLE_A))
            .await
            .unwrap(),
        None
    );
}

pub async fn one_custom_role_per_name_in_a_tenant(store: Arc<dyn Store>) {
    put_role(&*store, custom_role(ROLE_A, "t1", "Operator"))
        .await
        .unwrap();
    let conflict = StoreError::Conflict {
        constraint: UNIQUE_ROLE_NAME.to_string(),
    };
    // Another GUID with the same name, in another case, in the same tenant.
    let same = custom_role(ROLE_B, "t1", "OPERATOR");
    assert_eq!(put_role(&*store, same).await.unwrap_err(), conflict);
    // In another tenant the name is free.
    put_role(&*store, custom_role(ROLE_B, "t2", "Operator"))
        .await
        .unwrap();
    assert_eq!(
        read(&*store, |tx| tx.list_role_definitions())
            .await
            .unwrap()
            .len(),
        2
    );
}
