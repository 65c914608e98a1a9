//! Requests the server must refuse and requests that race. Bad input: unknown or missing
//! sizes, missing or empty NIC lists, duplicate, mistyped, malformed or missing NIC
//! references, malformed bodies, locations, missing groups and VMs, an unknown action, and a
//! NIC of another subscription. Races: two VMs created at once with one NIC, and a NIC-add
//! PUT racing a `start` (on PostgreSQL a loser may get a 409 AnotherOperationInProgress).

use super::*;

// ---------------------------------------------------------------- bad input

pub(super) async fn bad_input(s: &Server) {
    let rg = "bad";
    let (web, _, _) = network(s, rg).await;
    let n1 = nic(s, rg, "n1", &web).await;
    let vm = vm_id(rg, "vm");

    // Unknown size.
    let (st, _, body) = put_vm(s, &vm, vm_body("Standard_Nope_v9", vec![nref(&n1, None)])).await;
    let msg = assert_error(st, &body, 400, "InvalidParameter");
    assert_eq!(body["error"]["target"], "vmSize");
    assert_contains(&msg, "Standard_Nope_v9");
    // No size at all.
    let mut b = vm_body("Standard_B1s", vec![nref(&n1, None)]);
    b["properties"]
        .as_object_mut()
        .unwrap()
        .remove("hardwareProfile");
    let (st, _, body) = put_vm(s, &vm, b).await;
    assert_error(st, &body, 400, "InvalidParameter");
    // Missing networkProfile.
    let mut b = vm_body("Standard_B1s", vec![]);
    b["properties"]
        .as_object_mut()
        .unwrap()
        .remove("networkProfile");
    let (st, _, body) = put_vm(s, &vm, b).await;
    let msg = assert_error(st, &body, 400, "InvalidParameter");
    assert_eq!(body["error"]["target"], "networkProfile");
    assert_contains(&msg, "networkProfile");
    // An empty NIC list.
    let (st, _, body) = put_vm(s, &vm, vm_body("Standard_B1s", vec![])).await;
    assert_error(
        st,
        &body,
        400,
        "VirtualMachineMustHaveAtLeastOneNetworkInterface",
    );
    // Duplicate NIC ids (in any case).
    let (st, _, body) = put_vm(
        s,
        &vm,
        vm_body(
            "Standard_B2s",
            vec![nref(&n1, Some(true)), nref(&n1.to_uppercase(), None)],
        ),
    )
    .await;
    let msg = assert_error(st, &body, 400, "InvalidParameter");
    assert_contains(&msg, "more than once");
    // A NIC id of the wrong type.
    let (st, _, body) = put_vm(s, &vm, vm_body("Standard_B1s", vec![nref(&web, None)])).await;
    let msg = assert_error(st, &body, 400, "BadRequest");
    assert_eq!(msg, format!("Id {web} is not a valid resource reference."));
    // Not an id at all.
    let (st, _, body) = put_vm(s, &vm, vm_body("Standard_B1s", vec![nref("nic1", None)])).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error"]["code"].is_string());
    // A NIC that does not exist.
    let (st, _, body) = put_vm(
        s,
        &vm,
        vm_body("Standard_B1s", vec![nref(&nic_id(rg, "ghost"), None)]),
    )
    .await;
    let msg = assert_error(st, &body, 400, "InvalidResourceReference");
    assert_contains(&msg, "ghost");
    // NIC reference without an id.
    let (st, _, body) = put_vm(
        s,
        &vm,
        vm_body(
            "Standard_B1s",
            vec![json!({"properties": {"primary": true}})],
        ),
    )
    .await;
    assert_error(st, &body, 400, "InvalidRequestContent");
    // Malformed bodies.
    for raw in [
        json!({"location": LOC, "properties": {"hardwareProfile": "big"}}),
        json!({"location": LOC, "properties": {"hardwareProfile": {"vmSize": 7}}}),
        json!({"location": LOC, "properties": {"networkProfile": {"networkInterfaces": {"id": n1}}}}),
        json!({"location": LOC, "properties": {"networkProfile": {"networkInterfaces": [{"id": n1, "properties": {"primary": "yes"}}]}}}),
        json!({"location": LOC, "tags": ["x"], "properties": {}}),
        json!([1, 2]),
    ] {
        let (st, _, body) = put_vm(s, &vm, raw.clone()).await;
        assert_error(st, &body, 400, "InvalidRequestContent");
        assert!(
            !body["error"]["message"].as_str().unwrap().is_empty(),
            "{raw}: {body}"
        );
    }
    let resp = s
        .client
        .put(s.url(&at(&vm)))
        .header("content-type", "application/json")
        .body("{\"location\": \"eastus\", \"properties\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.unwrap();
    assert!(body["error"]["code"].is_string(), "{body}");
    // No location; unknown location.
    let mut b = vm_body("Standard_B1s", vec![nref(&n1, None)]);
    b.as_object_mut().unwrap().remove("location");
    let (st, _, body) = put_vm(s, &vm, b).await;
    assert_error(st, &body, 400, "LocationRequired");
    let mut b = vm_body("Standard_B1s", vec![nref(&n1, None)]);
    b["location"] = json!("westus");
    let (st, _, body) = put_vm(s, &vm, b).await;
    let msg = assert_error(st, &body, 400, "InvalidResourceReference");
    assert_contains(&msg, "same region");
    // Missing group and missing VM.
    let (st, _, body) = put_vm(
        s,
        &vm_id("nogroup", "vm"),
        vm_body("Standard_B1s", vec![nref(&n1, None)]),
    )
    .await;
    assert_error(st, &body, 404, "ResourceGroupNotFound");
    let (st, body) = s.get(&at(&vm)).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    let (st, body) = s.get(&format!("{vm}/instanceView?{API}")).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    // An unknown action.
    put_vm_ok(
        s,
        &vm,
        vm_body("Standard_B1s", vec![nref(&n1, None)]),
        StatusCode::CREATED,
    )
    .await;
    let (st, body) = power_err(s, &vm, "levitate").await;
    assert_eq!(st.as_u16(), 501, "{body}");
    // Nothing failed left a change behind.
    let got = get_ok(s, &vm).await;
    assert_eq!(vm_nics(&got), [(n1.to_lowercase(), true)]);
}

/// A NIC of another subscription (which the server knows) cannot be attached.
pub(super) async fn nic_in_other_subscription(s: &Server) {
    group_in(s, OTHER_SUB, "far").await;
    let vnet = rid_in(
        OTHER_SUB,
        "far",
        "Microsoft.Network",
        "virtualNetworks",
        "v",
    );
    vnet_at(s, &vnet, &["10.0.0.0/16"], &[("s", &["10.0.1.0/24"])]).await;
    let foreign = rid_in(
        OTHER_SUB,
        "far",
        "Microsoft.Network",
        "networkInterfaces",
        "n",
    );
    nic_at(
        s,
        &foreign,
        vec![ipc("ipconfig1", &format!("{vnet}/subnets/s"))],
    )
    .await;
    group(s, "near").await;
    let (st, _, body) = put_vm(
        s,
        &vm_id("near", "vm"),
        vm_body("Standard_B1s", vec![nref(&foreign, None)]),
    )
    .await;
    let msg = assert_error(st, &body, 400, "InvalidParameter");
    assert_contains(&msg, &foreign);
    assert_contains(&msg, SUB);
    assert_eq!(body["error"]["target"], "networkProfile.networkInterfaces");
    // The same NIC works for a VM of its own subscription.
    let own = rid_in(
        OTHER_SUB,
        "far",
        "Microsoft.Compute",
        "virtualMachines",
        "vm",
    );
    put_vm_ok(
        s,
        &own,
        vm_body("Standard_B1s", vec![nref(&foreign, None)]),
        StatusCode::CREATED,
    )
    .await;
    // An unknown subscription is a 404.
    let (st, _, body) = put_vm(
        s,
        &rid_in(
            "00000000-0000-0000-0000-00000000dead",
            "g",
            "Microsoft.Compute",
            "virtualMachines",
            "vm",
        ),
        vm_body("Standard_B1s", vec![nref(&foreign, None)]),
    )
    .await;
    assert_error(st, &body, 404, "SubscriptionNotFound");
}

// ---------------------------------------------------------------- races

/// Two VMs created at once with the same NIC: exactly one 201, the other NicInUse (or, on
/// PostgreSQL, a 409 AnotherOperationInProgress).
pub(super) async fn race_same_nic(s: &Server) {
    let rg = "race";
    let (web, _, _) = network(s, rg).await;
    let pg = on_postgres(s).await;
    for round in 0..6 {
        let shared = nic(s, rg, &format!("shared{round}"), &web).await;
        let tasks: Vec<_> = (0..2)
            .map(|i| {
                spawn_call(
                    s,
                    Method::PUT,
                    at(&vm_id(rg, &format!("r{round}v{i}"))),
                    Some(vm_body("Standard_B1s", vec![nref(&shared, None)])),
                )
            })
            .collect();
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.unwrap());
        }
        let winners: Vec<usize> = (0..2)
            .filter(|&i| results[i].0 == StatusCode::CREATED)
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {results:?}");
        let loser = &results[1 - winners[0]];
        let code = loser.1["error"]["code"].as_str().unwrap_or_default();
        let winner_vm = vm_id(rg, &format!("r{round}v{}", winners[0]));
        if code == "NicInUse" {
            assert_eq!(loser.0, StatusCode::BAD_REQUEST);
            assert_contains(loser.1["error"]["message"].as_str().unwrap(), &winner_vm);
        } else {
            assert!(pg, "round {round}: {loser:?}");
            assert_eq!(
                (loser.0, code),
                (StatusCode::CONFLICT, "AnotherOperationInProgress")
            );
        }
        assert_eq!(
            nic_vm(s, &shared).await,
            (Some(winner_vm.to_lowercase()), Some(true))
        );
        let (st, body) = s
            .get(&at(&vm_id(rg, &format!("r{round}v{}", 1 - winners[0]))))
            .await;
        assert_error(st, &body, 404, "ResourceNotFound");
    }
}

/// A NIC-add PUT racing a `start` never leaves a running VM with a changed NIC set: either
/// the PUT came first (it succeeded, then the VM started with the new set), or the start came
/// first and the PUT was refused.
pub(super) async fn race_nic_add_vs_start(s: &Server) {
    let rg = "race2";
    let (web, app, _) = network(s, rg).await;
    let pg = on_postgres(s).await;
    let mut put_first = 0;
    let mut start_first = 0;
    for round in 0..8 {
        let a = nic(s, rg, &format!("a{round}"), &web).await;
        let b = nic(s, rg, &format!("b{round}"), &app).await;
        let vm = vm_id(rg, &format!("vm{round}"));
        put_vm_ok(
            s,
            &vm,
            vm_body("Standard_B2s", vec![nref(&a, None)]),
            StatusCode::CREATED,
        )
        .await;
        power(s, &vm, "deallocate").await;
        let original: HashSet<String> = [a.to_lowercase()].into();
        let grown: HashSet<String> = [a.to_lowercase(), b.to_lowercase()].into();

        let put = spawn_call(
            s,
            Method::PUT,
            at(&vm),
            Some(vm_body(
                "Standard_B2s",
                vec![nref(&a, Some(true)), nref(&b, None)],
            )),
        );
        let start = spawn_call(s, Method::POST, format!("{vm}/start?{API}"), None);
        let (put_st, put_body) = put.await.unwrap();
        let (start_st, start_body) = start.await.unwrap();
        if start_st != StatusCode::ACCEPTED {
            // Only a lost serialization race on PostgreSQL may refuse the start.
            assert!(pg, "round {round}: start {start_st} {start_body}");
            assert_eq!(start_body["error"]["code"], "AnotherOperationInProgress");
        }

        let got = get_ok(s, &vm).await;
        let iv = instance_view(s, &vm).await;
        let running = power_state(&iv).0 == "PowerState/running";
        assert_eq!(
            running,
            start_st == StatusCode::ACCEPTED,
            "round {round}: {iv}"
        );
        let set = nic_set(&got);
        match put_st {
            StatusCode::OK => {
                // The PUT was serialized before the start (or the start lost): new set.
                assert_eq!(set, grown, "round {round}: PUT succeeded but {got}");
                if running {
                    put_first += 1;
                    // The VM started with b attached: b got its MAC.
                    assert!(mac(&get_ok(s, &b).await).is_some(), "round {round}");
                }
            }
            _ => {
                let code = put_body["error"]["code"].as_str().unwrap_or_default();
                if code == "AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported" {
                    start_first += 1;
                } else {
                    assert!(pg, "round {round}: PUT {put_st} {put_body}");
                    assert_eq!(code, "AnotherOperationInProgress", "{put_body}");
                }
                assert_eq!(set, original, "round {round}: PUT failed but {got}");
                assert_eq!(nic_vm(s, &b).await, (None, None));
            }
        }
        if running && set != original {
            assert_eq!(put_st, StatusCode::OK, "round {round}");
        }
    }
    eprintln!("race_nic_add_vs_start: PUT first {put_first}, start first {start_first}");
}
