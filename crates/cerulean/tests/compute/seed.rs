//! A VM's set of NICs. The seed walked end to end: a VM created with two NICs, every
//! forbidden move (adding or removing a NIC while it runs or is only stopped, too many NICs
//! for the size, no primary, none at all, two virtual networks, a NIC of another VM, joining
//! an availability set), then deallocated: a NIC added, the primary removed and chosen again,
//! MAC addresses handed out on start and kept, the VM deleted and its NICs reused. Then the
//! IPv6 rules: a NIC with an IPv6 configuration must be a VM's only NIC, and only at creation.

use super::*;

// ---------------------------------------------------------------- the seed, end to end

pub(super) async fn seed_walkthrough(s: &Server) {
    let rg = "rg";
    let (web, app, other) = network(s, rg).await;
    let n1 = nic(s, rg, "nic1", &web).await;
    let n2 = nic(s, rg, "nic2", &app).await;
    let n3 = nic(s, rg, "nic3", &app).await;
    let nx = nic(s, rg, "nicx", &other).await;
    let vm = vm_id(rg, "vm1");
    let vm_lc = vm.to_lowercase();

    // Create with two NICs in different subnets of one VNet: 201, both polling headers.
    let (st, hdrs, body) = put_vm(
        s,
        &vm,
        vm_body(
            "Standard_B2s",
            vec![nref(&n1, Some(true)), nref(&n2, Some(false))],
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(hdrs["retry-after"], "1");
    let async_url = hdrs["azure-asyncoperation"].to_str().unwrap();
    let location = hdrs["location"].to_str().unwrap();
    assert!(async_url.starts_with(&s.base), "{async_url}");
    assert!(location.starts_with(&s.base), "{location}");
    assert!(hdrs.get("etag").is_some());
    poll_succeeded(s, &hdrs).await;
    poll_location(s, &hdrs).await;
    assert_eq!(body["id"], vm.as_str());
    assert_eq!(body["name"], "vm1");
    assert_eq!(body["type"], "Microsoft.Compute/virtualMachines");
    assert_eq!(body["location"], LOC);
    assert_eq!(
        body["properties"]["hardwareProfile"]["vmSize"],
        "Standard_B2s"
    );
    assert!(body["properties"]["vmId"].is_string());
    assert!(body["properties"]["timeCreated"].is_string());
    assert_eq!(
        vm_nics(&body),
        [(n1.to_lowercase(), true), (n2.to_lowercase(), false)]
    );
    assert_eq!(
        body["properties"]["networkProfile"]["networkInterfaces"][0]["properties"]["deleteOption"],
        "Detach"
    );
    assert_power(s, &vm, "running", "VM running").await;
    // The NICs mirror the VM.
    assert_eq!(nic_vm(s, &n1).await, (Some(vm_lc.clone()), Some(true)));
    assert_eq!(nic_vm(s, &n2).await, (Some(vm_lc.clone()), Some(false)));
    assert_eq!(nic_vm(s, &n3).await, (None, None));

    // ---- forbidden moves
    let three = || {
        vm_body(
            "Standard_B2s",
            vec![nref(&n1, Some(true)), nref(&n2, None), nref(&n3, None)],
        )
    };
    // Add a NIC to a running VM.
    let (st, _, body) = put_vm(s, &vm, three()).await;
    let msg = assert_error(
        st,
        &body,
        400,
        "AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported",
    );
    assert_contains(&msg, "vm1");
    assert_eq!(body["error"]["target"], "networkProfile.networkInterfaces");
    // Stopped but still allocated is not enough, to add or to remove.
    power(s, &vm, "powerOff").await;
    assert_power(s, &vm, "stopped", "VM stopped").await;
    let (st, _, body) = put_vm(s, &vm, three()).await;
    assert_error(
        st,
        &body,
        400,
        "AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported",
    );
    let (st, _, body) = put_vm(s, &vm, vm_body("Standard_B2s", vec![nref(&n1, Some(true))])).await;
    assert_error(
        st,
        &body,
        400,
        "AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported",
    );
    // restart needs a running VM.
    let (st, body) = power_err(s, &vm, "restart").await;
    let msg = assert_error(st, &body, 409, "OperationNotAllowed");
    assert_eq!(
        msg,
        "Operation 'restart' is not allowed on VM 'vm1' since the VM is stopped."
    );
    power(s, &vm, "start").await;
    assert_power(s, &vm, "running", "VM running").await;
    power(s, &vm, "restart").await;
    // Nothing changed.
    let now = get_ok(s, &vm).await;
    assert_eq!(
        vm_nics(&now),
        [(n1.to_lowercase(), true), (n2.to_lowercase(), false)]
    );

    // Too many NICs for the size: Standard_B1s allows 2.
    let (st, _, body) = put_vm(
        s,
        &vm_id(rg, "big"),
        vm_body(
            "Standard_B1s",
            vec![
                nref(&n3, Some(true)),
                nref(&nic(s, rg, "nic4", &web).await, None),
                nref(&nic(s, rg, "nic5", &web).await, None),
            ],
        ),
    )
    .await;
    let msg = assert_error(st, &body, 400, "NetworkInterfaceCountExceeded");
    assert_eq!(
        msg,
        "The number of network interfaces for virtual machine big exceeds the maximum allowed for the virtual machine size Standard_B1s. The number of network interfaces is 3 and the maximum allowed is 2."
    );
    // Several NICs, none primary, on create.
    let (st, _, body) = put_vm(
        s,
        &vm_id(rg, "noprimary"),
        vm_body(
            "Standard_B2s",
            vec![nref(&n3, None), nref(&nic_id(rg, "nic4"), Some(false))],
        ),
    )
    .await;
    let msg = assert_error(st, &body, 400, "NetworkInterfaceMustHavePrimaryPropertySet");
    assert_eq!(
        msg,
        format!("Network interface {n3} must have Primary property set.")
    );
    // Removing the last NIC.
    let (st, _, body) = put_vm(s, &vm, vm_body("Standard_B2s", vec![])).await;
    let msg = assert_error(
        st,
        &body,
        400,
        "VirtualMachineMustHaveAtLeastOneNetworkInterface",
    );
    assert_eq!(
        msg,
        "Virtual machine vm1 must have at least one network interface."
    );
    // NICs in two VNets.
    let (st, _, body) = put_vm(
        s,
        &vm_id(rg, "split"),
        vm_body("Standard_B2s", vec![nref(&n3, Some(true)), nref(&nx, None)]),
    )
    .await;
    let msg = assert_error(st, &body, 400, "SubnetsNotInSameVnet");
    assert_contains(&msg, "vnet1");
    assert_contains(&msg, "vnet2");
    // A NIC used by another VM: NicInUse naming that VM.
    let (st, _, body) = put_vm(
        s,
        &vm_id(rg, "thief"),
        vm_body("Standard_B2s", vec![nref(&n3, Some(true)), nref(&n1, None)]),
    )
    .await;
    let msg = assert_error(st, &body, 400, "NicInUse");
    assert_contains(&msg, &n1);
    assert_contains(&msg, &vm);
    // The failed creates left nothing behind.
    for name in ["big", "noprimary", "split", "thief"] {
        let (st, body) = s.get(&at(&vm_id(rg, name))).await;
        assert_error(st, &body, 404, "ResourceNotFound");
    }
    assert_eq!(nic_vm(s, &n3).await, (None, None));
    // Joining an availability set after creation: 409 on availabilitySet.id.
    let (st, _) = s
        .put(
            &at(&set_id(rg, "as1")),
            json!({"location": LOC, "sku": {"name": "Aligned"}}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let mut b = vm_body("Standard_B2s", vec![nref(&n1, Some(true)), nref(&n2, None)]);
    b["properties"]["availabilitySet"] = json!({"id": set_id(rg, "as1")});
    let (st, _, body) = put_vm(s, &vm, b).await;
    let msg = assert_error(st, &body, 409, "PropertyChangeNotAllowed");
    assert_eq!(body["error"]["target"], "availabilitySet.id");
    assert_contains(&msg, "availabilitySet.id");
    // Its OS settings are fixed at creation; repeating them (as every GET-edit-PUT does) is
    // no change.
    let mut b = vm_body("Standard_B2s", vec![nref(&n1, Some(true)), nref(&n2, None)]);
    b["properties"]["osProfile"]["adminUsername"] = json!("root");
    let (st, _, body) = put_vm(s, &vm, b).await;
    let msg = assert_error(st, &body, 409, "PropertyChangeNotAllowed");
    assert_eq!(
        msg,
        "Changing property 'osProfile.adminUsername' is not allowed."
    );
    assert_eq!(body["error"]["target"], "osProfile.adminUsername");
    // Leaving them out keeps them (a PUT cannot drop what it cannot change).
    let mut b = vm_body("Standard_B2s", vec![nref(&n1, Some(true)), nref(&n2, None)]);
    let os = b["properties"]["osProfile"].as_object_mut().unwrap();
    let (name, user) = (os.remove("computerName"), os.remove("adminUsername"));
    let body = put_vm_ok(s, &vm, b, StatusCode::OK).await;
    assert_eq!(
        body["properties"]["osProfile"]["computerName"],
        name.unwrap()
    );
    assert_eq!(
        body["properties"]["osProfile"]["adminUsername"],
        user.unwrap()
    );

    // ---- deallocate, then the NIC set may change
    power(s, &vm, "deallocate").await;
    assert_power(s, &vm, "deallocated", "VM deallocated").await;
    let (st, body) = power_err(s, &vm, "powerOff").await;
    let msg = assert_error(st, &body, 409, "OperationNotAllowed");
    assert_contains(&msg, "deallocated");
    let (st, body) = power_err(s, &vm, "restart").await;
    assert_error(st, &body, 409, "OperationNotAllowed");

    // Add a third NIC the way `az vm nic add` does: GET the VM, edit, PUT the whole VM.
    let mut got = get_ok(s, &vm).await;
    got["properties"]["networkProfile"]["networkInterfaces"]
        .as_array_mut()
        .unwrap()
        .push(nref(&n3, Some(false)));
    let body = put_vm_ok(s, &vm, got, StatusCode::OK).await;
    assert_eq!(
        vm_nics(&body),
        [
            (n1.to_lowercase(), true),
            (n2.to_lowercase(), false),
            (n3.to_lowercase(), false)
        ]
    );
    assert_eq!(nic_vm(s, &n3).await, (Some(vm_lc.clone()), Some(false)));

    // Remove the primary; none flagged; nic3 listed first. nic2 has been attached the longest.
    let body = put_vm_ok(
        s,
        &vm,
        vm_body("Standard_B2s", vec![nref(&n3, None), nref(&n2, None)]),
        StatusCode::OK,
    )
    .await;
    assert_eq!(primary_of(&body), n2.to_lowercase());
    assert_eq!(
        vm_nics(&body),
        [(n3.to_lowercase(), false), (n2.to_lowercase(), true)]
    );
    assert_eq!(nic_vm(s, &n2).await, (Some(vm_lc.clone()), Some(true)));
    assert_eq!(nic_vm(s, &n3).await, (Some(vm_lc.clone()), Some(false)));
    assert_eq!(nic_vm(s, &n1).await, (None, None));
    // Flags omitted on update keep the current primary; all false while it stays: refused.
    let body = put_vm_ok(
        s,
        &vm,
        vm_body("Standard_B2s", vec![nref(&n3, None), nref(&n2, None)]),
        StatusCode::OK,
    )
    .await;
    assert_eq!(primary_of(&body), n2.to_lowercase());
    let (st, _, body) = put_vm(
        s,
        &vm,
        vm_body(
            "Standard_B2s",
            vec![nref(&n3, Some(false)), nref(&n2, Some(false))],
        ),
    )
    .await;
    assert_error(st, &body, 400, "NetworkInterfaceMustHavePrimaryPropertySet");
    // A NIC flagged primary in the request wins.
    let body = put_vm_ok(
        s,
        &vm,
        vm_body("Standard_B2s", vec![nref(&n3, Some(true)), nref(&n2, None)]),
        StatusCode::OK,
    )
    .await;
    assert_eq!(primary_of(&body), n3.to_lowercase());
    assert_eq!(nic_vm(s, &n2).await, (Some(vm_lc.clone()), Some(false)));

    // MAC addresses: nic1 got one when the VM first started; nic2/nic3 get theirs on start.
    let mac1 = mac(&get_ok(s, &n1).await).expect("nic1 has a MAC from the first start");
    assert_mac_format(&mac1);
    assert!(
        mac(&get_ok(s, &n3).await).is_none(),
        "not started since nic3 was attached"
    );
    power(s, &vm, "start").await;
    let mut macs = Vec::new();
    for n in [&n1, &n2, &n3] {
        macs.push(mac(&get_ok(s, n).await).expect("MAC after start"));
    }
    for m in &macs {
        assert_mac_format(m);
    }
    assert_eq!(
        macs.iter().collect::<HashSet<_>>().len(),
        3,
        "unique: {macs:?}"
    );
    assert_eq!(macs[0], mac1, "kept while detached");
    // Kept through deallocation.
    power(s, &vm, "deallocate").await;
    assert_eq!(
        mac(&get_ok(s, &n2).await).as_deref(),
        Some(macs[1].as_str())
    );
    assert_eq!(
        mac(&get_ok(s, &n3).await).as_deref(),
        Some(macs[2].as_str())
    );

    // Delete the VM: its NICs are detached and kept, and another VM can use them.
    let (st, hdrs, _) = s.call(Method::DELETE, &at(&vm), None).await;
    assert!(st == StatusCode::ACCEPTED || st == StatusCode::OK, "{st}");
    if st == StatusCode::ACCEPTED {
        poll_succeeded(s, &hdrs).await;
        poll_location(s, &hdrs).await;
    }
    let (st, body) = s.get(&at(&vm)).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    let (st, _, _) = s.call(Method::DELETE, &at(&vm), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    for n in [&n1, &n2, &n3] {
        let b = get_ok(s, n).await;
        assert!(b["properties"].get("virtualMachine").is_none(), "{b}");
        assert!(b["properties"].get("primary").is_none(), "{b}");
    }
    assert_eq!(
        mac(&get_ok(s, &n2).await).as_deref(),
        Some(macs[1].as_str())
    );
    let vm2 = vm_id(rg, "vm2");
    let body = put_vm_ok(
        s,
        &vm2,
        vm_body(
            "Standard_B2s",
            vec![nref(&n2, None), nref(&n1, Some(true)), nref(&n3, None)],
        ),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(primary_of(&body), n1.to_lowercase());
    assert_eq!(nic_vm(s, &n1).await, (Some(vm2.to_lowercase()), Some(true)));
    // A NIC in use cannot be deleted.
    let (st, _, body) = s.call(Method::DELETE, &at(&n2), None).await;
    let msg = assert_error(st, &body, 400, "NicInUse");
    assert_contains(&msg, &vm2);
}

// ---------------------------------------------------------------- IPv6

pub(super) async fn ipv6_nics(s: &Server) {
    let rg = "six";
    group(s, rg).await;
    vnet(
        s,
        rg,
        "ds",
        &["10.20.0.0/16", "fd00:db8::/48"],
        &[("dual", &["10.20.1.0/24", "fd00:db8:0:1::/64"])],
    )
    .await;
    let dual = subnet_id(rg, "ds", "dual");
    let v6_nic = |name: &str| {
        let id = nic_id(rg, name);
        let dual = dual.clone();
        async move {
            nic_at(
                s,
                &id,
                vec![
                    ipc_with("v4", &dual, json!({"primary": true})),
                    ipc_with("v6", &dual, json!({"privateIPAddressVersion": "IPv6"})),
                ],
            )
            .await;
            id
        }
    };
    let v6a = v6_nic("v6a").await;
    let v6b = v6_nic("v6b").await;
    let p1 = nic(s, rg, "p1", &dual).await;
    let p2 = nic(s, rg, "p2", &dual).await;

    // Alone at creation: fine.
    let vm6 = vm_id(rg, "vm6");
    let body = put_vm_ok(
        s,
        &vm6,
        vm_body("Standard_B2s", vec![nref(&v6a, None)]),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(primary_of(&body), v6a.to_lowercase());
    // With another NIC at creation: refused.
    let (st, _, body) = put_vm(
        s,
        &vm_id(rg, "pair"),
        vm_body(
            "Standard_B2s",
            vec![nref(&p1, Some(true)), nref(&v6b, None)],
        ),
    )
    .await;
    let e1 = assert_error(st, &body, 400, "NetworkInterfaceWithIpv6MustBeTheOnlyOne");
    assert_contains(&e1, &v6b);
    // Added to an existing (deallocated) VM: refused.
    let vm4 = vm_id(rg, "vm4");
    put_vm_ok(
        s,
        &vm4,
        vm_body("Standard_B2s", vec![nref(&p1, None)]),
        StatusCode::CREATED,
    )
    .await;
    power(s, &vm4, "deallocate").await;
    let (st, _, body) = put_vm(
        s,
        &vm4,
        vm_body(
            "Standard_B2s",
            vec![nref(&p1, Some(true)), nref(&v6b, None)],
        ),
    )
    .await;
    let e2 = assert_error(st, &body, 400, "NetworkInterfaceWithIpv6OnlyAtVmCreation");
    assert_contains(&e2, &v6b);
    // Another NIC beside the IPv6 NIC: refused.
    power(s, &vm6, "deallocate").await;
    let (st, _, body) = put_vm(
        s,
        &vm6,
        vm_body(
            "Standard_B2s",
            vec![nref(&v6a, Some(true)), nref(&p2, None)],
        ),
    )
    .await;
    let e3 = assert_error(st, &body, 400, "CannotAddNetworkInterfaceBesideIpv6Nic");
    assert_contains(&e3, &p2);
    assert_contains(&e3, &v6a);
    assert_ne!(e1, e2);
    assert_ne!(e2, e3);
    // Nothing was attached by the failures.
    assert_eq!(nic_vm(s, &v6b).await, (None, None));
    assert_eq!(nic_vm(s, &p2).await, (None, None));
}
