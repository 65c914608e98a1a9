//! What a role lets its holder see and read: readers refused writes, nothing visible without
//! a role, a group's role showing only its group.

use super::*;

#[tokio::test]
async fn readers_read_and_are_refused_writes_with_azures_message() {
    let s = start();
    let admin = who(&s, "admin").await;
    let reader = who(&s, "reader").await;
    make_group(&s, &admin, "app").await;

    let (st, g) = reader.get(&s, &at(&group("app"))).await;
    assert_eq!(st, StatusCode::OK, "{g}");
    // The scope is printed as the caller spelled the path.
    let path = format!("/subscriptions/{SUB}/resourcegroups/App");
    let (st, body) = reader.put(&s, &at(&path), json!({"location": LOC})).await;
    let msg = assert_error(st, &body, 403, "AuthorizationFailed");
    assert_eq!(
        msg,
        reader.refusal(
            "Microsoft.Resources/subscriptions/resourcegroups/write",
            &path
        )
    );

    let pip = net("app", "publicIPAddresses", "p1");
    let (st, body) = reader.put(&s, &at(&pip), pip_body()).await;
    let msg = assert_error(st, &body, 403, "AuthorizationFailed");
    assert_eq!(
        msg,
        reader.refusal("Microsoft.Network/publicIPAddresses/write", &pip)
    );
    // Refused before anything else is looked at: nothing was created.
    let (st, _) = admin.get(&s, &at(&pip)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, body) = reader.delete(&s, &at(&group("app"))).await;
    assert_error(st, &body, 403, "AuthorizationFailed");
}

#[tokio::test]
async fn without_a_role_nothing_is_visible() {
    let s = start();
    let nobody = who(&s, "nobody").await;
    let (st, subs) = nobody.get(&s, &format!("/subscriptions?{API}")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(subs["value"], json!([]), "{subs}");
    let sub = format!("/subscriptions/{SUB}");
    let (st, body) = nobody.get(&s, &at(&sub)).await;
    let msg = assert_error(st, &body, 403, "AuthorizationFailed");
    assert_eq!(
        msg,
        nobody.refusal("Microsoft.Resources/subscriptions/read", &sub)
    );
    let (st, body) = nobody.get(&s, &format!("{sub}/resourcegroups?{API}")).await;
    let msg = assert_error(st, &body, 403, "AuthorizationFailed");
    assert_eq!(
        msg,
        nobody.refusal(
            "Microsoft.Resources/subscriptions/resourcegroups/read",
            &sub
        )
    );
    let list = format!("{sub}/providers/Microsoft.Network/networkInterfaces");
    let (st, body) = nobody.get(&s, &at(&list)).await;
    let msg = assert_error(st, &body, 403, "AuthorizationFailed");
    assert_eq!(
        msg,
        nobody.refusal(
            "Microsoft.Network/networkInterfaces/read",
            &format!("{sub}/providers/Microsoft.Network")
        )
    );

    // What stays open: health, the cloud description, identity, tenants, own permissions.
    let (st, _) = s.get("/health").await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = s.get("/metadata/endpoints?api-version=2022-09-01").await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = nobody.get(&s, &format!("/tenants?{API}")).await;
    assert_eq!(st, StatusCode::OK);
    let (st, perms) = nobody
        .get(
            &s,
            &format!("{sub}/providers/Microsoft.Authorization/permissions?{AUTHZ}"),
        )
        .await;
    assert_eq!((st, perms), (StatusCode::OK, json!({"value": []})));
}

#[tokio::test]
async fn a_group_role_shows_only_its_group() {
    let s = start();
    let admin = who(&s, "admin").await;
    let app1 = who(&s, "app1").await;
    for rg in ["app", "other"] {
        make_group(&s, &admin, rg).await;
        ok(admin
            .put(&s, &at(&net(rg, "publicIPAddresses", "p")), pip_body())
            .await)
        .await;
    }
    let (st, groups) = app1
        .get(&s, &format!("/subscriptions/{SUB}/resourcegroups?{API}"))
        .await;
    assert_eq!(st, StatusCode::OK);
    let names: Vec<&str> = groups["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["app"]);
    let (st, pips) = app1
        .get(
            &s,
            &format!("/subscriptions/{SUB}/providers/Microsoft.Network/publicIPAddresses?{API}"),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let ids: Vec<&str> = pips["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [net("app", "publicIPAddresses", "p")]);
    let (st, all) = app1
        .get(&s, &format!("/subscriptions/{SUB}/resources?{API}"))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        all["value"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["id"].as_str().unwrap().contains("/app/")),
        "{all}"
    );
    // The admin sees both.
    let (_, pips) = admin
        .get(
            &s,
            &format!("/subscriptions/{SUB}/providers/Microsoft.Network/publicIPAddresses?{API}"),
        )
        .await;
    assert_eq!(pips["value"].as_array().unwrap().len(), 2);

    let other = net("other", "publicIPAddresses", "p");
    let (st, body) = app1.get(&s, &at(&other)).await;
    let msg = assert_error(st, &body, 403, "AuthorizationFailed");
    assert_eq!(
        msg,
        app1.refusal("Microsoft.Network/publicIPAddresses/read", &other)
    );
    ok(app1
        .put(
            &s,
            &at(&net("app", "publicIPAddresses", "mine")),
            pip_body(),
        )
        .await)
    .await;
    let (st, body) = app1
        .put(
            &s,
            &at(&net("other", "publicIPAddresses", "mine")),
            pip_body(),
        )
        .await;
    assert_error(st, &body, 403, "AuthorizationFailed");
    // The subscription itself is visible to whoever holds a role in it.
    let (st, subs) = app1.get(&s, &format!("/subscriptions?{API}")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(subs["value"][0]["subscriptionId"], SUB);
    let (st, _) = app1.get(&s, &at(&format!("/subscriptions/{SUB}"))).await;
    assert_eq!(st, StatusCode::OK);
    // Network Contributor's actions do not include `Microsoft.Resources/subscriptions/read`,
    // yet its subscription and regions are visible to it, as the subscription list is.
    let netops = who(&s, "netops").await;
    let (st, _) = netops.get(&s, &at(&format!("/subscriptions/{SUB}"))).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = netops
        .get(&s, &format!("/subscriptions/{SUB}/locations?{API}"))
        .await;
    assert_eq!(st, StatusCode::OK);
}
