//! A VM after its creation. Power states (powerOff, deallocate, start, restart) and their
//! side effects: dynamic public IP addresses come and go, static ones and MAC addresses stay,
//! and the instance view reports the outbound source. Then the profiles (kept through a PUT
//! of what GET returned, never the password), PATCH (resize and tags, refused for an unknown
//! size or one with too few NICs) and each NIC's `deleteOption`.

use super::*;

// ---------------------------------------------------------------- power and addresses

pub(super) async fn power_states_and_public_ips(s: &Server) {
    let rg = "pw";
    let (web, app, _) = network(s, rg).await;
    let dyn_pip = net(rg, "publicIPAddresses", "dyn");
    let static_pip = net(rg, "publicIPAddresses", "fixed");
    let (st, b) = s
        .put(
            &at(&dyn_pip),
            json!({"location": LOC, "sku": {"name": "Basic"}, "properties": {"publicIPAllocationMethod": "Dynamic"}}),
        )
        .await;
    assert!(st.is_success(), "{b}");
    let (st, b) = s
        .put(
            &at(&static_pip),
            json!({"location": LOC, "sku": {"name": "Basic"}, "properties": {"publicIPAllocationMethod": "Static"}}),
        )
        .await;
    assert!(st.is_success(), "{b}");
    let static_addr = pip_address(s, &static_pip)
        .await
        .expect("static has an address");
    let na = nic_id(rg, "a");
    let nb = nic_id(rg, "b");
    let a_body = nic_at(
        s,
        &na,
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"publicIPAddress": {"id": dyn_pip}}),
        )],
    )
    .await;
    nic_at(
        s,
        &nb,
        vec![ipc_with(
            "ipconfig1",
            &app,
            json!({"publicIPAddress": {"id": static_pip}}),
        )],
    )
    .await;
    assert_eq!(pip_address(s, &dyn_pip).await, None, "no VM runs yet");
    assert!(mac(&a_body).is_none(), "no MAC before a VM starts");
    let a_ip = ipcfg_address(&a_body);

    let vm = vm_id(rg, "vm");
    put_vm_ok(
        s,
        &vm,
        vm_body("Standard_B2s", vec![nref(&na, Some(true)), nref(&nb, None)]),
        StatusCode::CREATED,
    )
    .await;
    let dyn_addr = pip_address(s, &dyn_pip)
        .await
        .expect("dynamic gets an address on start");
    assert_eq!(
        pip_address(s, &static_pip).await.as_deref(),
        Some(static_addr.as_str())
    );
    let mac_a = mac(&get_ok(s, &na).await).expect("MAC on first start");
    let mac_b = mac(&get_ok(s, &nb).await).expect("MAC on first start");
    assert_mac_format(&mac_a);
    assert_mac_format(&mac_b);
    assert_ne!(mac_a, mac_b);

    // The outbound source: the primary IP configuration of the primary NIC.
    let (st, body) = s.get(&format!("{vm}?{API}&$expand=instanceView")).await;
    assert_eq!(st, StatusCode::OK);
    let out = &body["properties"]["instanceView"]["networkOutbound"];
    assert_eq!(out["privateIPAddress"], a_ip.as_str(), "{out}");
    assert_eq!(out["publicIPAddress"], dyn_addr.as_str(), "{out}");
    assert_eq!(
        out["networkInterface"]["id"]
            .as_str()
            .unwrap()
            .to_lowercase(),
        na.to_lowercase()
    );
    assert_eq!(
        out["ipConfiguration"]["id"]
            .as_str()
            .unwrap()
            .to_lowercase(),
        format!("{na}/ipConfigurations/ipconfig1").to_lowercase()
    );
    let iv = instance_view(s, &vm).await;
    assert_eq!(iv["networkOutbound"], *out);
    // A plain GET has no instance view.
    assert!(get_ok(s, &vm).await["properties"]
        .get("instanceView")
        .is_none());

    // powerOff (skipShutdown accepted): stopped, still allocated, addresses kept.
    let (st, hdrs, body) = s
        .call(
            Method::POST,
            &format!("{vm}/powerOff?{API}&skipShutdown=true"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    poll_succeeded(s, &hdrs).await;
    assert_power(s, &vm, "stopped", "VM stopped").await;
    assert_eq!(
        pip_address(s, &dyn_pip).await.as_deref(),
        Some(dyn_addr.as_str())
    );

    // Deallocate: the dynamic address goes, the static one stays, MACs stay.
    power(s, &vm, "deallocate").await;
    assert_power(s, &vm, "deallocated", "VM deallocated").await;
    assert_eq!(pip_address(s, &dyn_pip).await, None);
    assert_eq!(
        pip_address(s, &static_pip).await.as_deref(),
        Some(static_addr.as_str())
    );
    assert_eq!(mac(&get_ok(s, &na).await).as_deref(), Some(mac_a.as_str()));
    let iv = instance_view(s, &vm).await;
    assert!(iv["networkOutbound"]["publicIPAddress"].is_null(), "{iv}");
    assert_eq!(
        iv["networkOutbound"]["privateIPAddress"],
        a_ip.as_str(),
        "private IPs stay"
    );
    // Deallocating again is harmless.
    power(s, &vm, "deallocate").await;

    // Start: running, a dynamic address again, the same MACs.
    power(s, &vm, "start").await;
    assert_power(s, &vm, "running", "VM running").await;
    let again = pip_address(s, &dyn_pip).await.expect("address on start");
    assert_eq!(
        instance_view(s, &vm).await["networkOutbound"]["publicIPAddress"],
        again.as_str()
    );
    assert_eq!(mac(&get_ok(s, &na).await).as_deref(), Some(mac_a.as_str()));
    assert_eq!(mac(&get_ok(s, &nb).await).as_deref(), Some(mac_b.as_str()));
    // Start on a running VM and restart are fine.
    power(s, &vm, "start").await;
    power(s, &vm, "restart").await;
    assert_power(s, &vm, "running", "VM running").await;

    // Deleting the VM releases the dynamic address and keeps the static one.
    let (st, hdrs, _) = s.call(Method::DELETE, &at(&vm), None).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    poll_succeeded(s, &hdrs).await;
    assert_eq!(pip_address(s, &dyn_pip).await, None);
    assert_eq!(
        pip_address(s, &static_pip).await.as_deref(),
        Some(static_addr.as_str())
    );
    assert_eq!(
        mac(&get_ok(s, &na).await).as_deref(),
        Some(mac_a.as_str()),
        "kept until the NIC is deleted"
    );

    // Power actions on a VM that does not exist.
    let (st, body) = power_err(s, &vm, "start").await;
    assert_error(st, &body, 404, "ResourceNotFound");
}

// ---------------------------------------------------------------- profiles, PATCH, delete

pub(super) async fn profiles_patch_and_delete_option(s: &Server) {
    let rg = "pp";
    let (web, app, _) = network(s, rg).await;
    let n1 = nic(s, rg, "n1", &web).await;
    let n2 = nic(s, rg, "n2", &app).await;
    let n3 = nic(s, rg, "n3", &app).await;
    let vm = vm_id(rg, "vm");
    let mut b = vm_body("Standard_B2s", vec![nref(&n1, Some(true)), nref(&n2, None)]);
    b["tags"] = json!({"env": "test"});
    b["properties"]["diagnosticsProfile"] = json!({"bootDiagnostics": {"enabled": true}});
    let created = put_vm_ok(s, &vm, b, StatusCode::CREATED).await;
    let text = created.to_string();
    assert!(
        !text.contains("adminPassword") && !text.contains("S3cret"),
        "{text}"
    );
    assert_eq!(created["tags"], json!({"env": "test"}));
    assert_eq!(
        created["properties"]["storageProfile"]["imageReference"]["offer"],
        "ubuntu-24_04-lts"
    );
    assert_eq!(
        created["properties"]["osProfile"]["adminUsername"],
        "azureuser"
    );
    assert_eq!(
        created["properties"]["diagnosticsProfile"]["bootDiagnostics"]["enabled"],
        true
    );

    // A full PUT of what GET returned, without imageReference (and without the password it
    // never had): the stored values are kept.
    let mut got = get_ok(s, &vm).await;
    assert!(!got.to_string().contains("adminPassword"));
    got["properties"]["storageProfile"]
        .as_object_mut()
        .unwrap()
        .remove("imageReference");
    got["properties"]["osProfile"]["adminUsername"] = json!("azureuser");
    let body = put_vm_ok(s, &vm, got, StatusCode::OK).await;
    assert_eq!(
        body["properties"]["storageProfile"]["imageReference"]["publisher"],
        "Canonical"
    );
    assert!(!body.to_string().contains("adminPassword"));
    let got = get_ok(s, &vm).await;
    assert_eq!(
        got["properties"]["storageProfile"]["imageReference"]["sku"],
        "server"
    );
    assert!(!got.to_string().contains("S3cret"));
    let (st, listed) = s
        .get(&format!(
            "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines?{API}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(!listed.to_string().contains("adminPassword"));

    // PATCH: resize and tags; long-running with both headers.
    let (st, hdrs, body) = s
        .call(
            Method::PATCH,
            &at(&vm),
            Some(json!({"properties": {"hardwareProfile": {"vmSize": "Standard_B4ms"}}, "tags": {"team": "net"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(hdrs.get("location").is_some());
    poll_succeeded(s, &hdrs).await;
    assert_eq!(
        body["properties"]["hardwareProfile"]["vmSize"],
        "Standard_B4ms"
    );
    assert_eq!(body["tags"], json!({"team": "net"}));
    let got = get_ok(s, &vm).await;
    assert_eq!(
        got["properties"]["hardwareProfile"]["vmSize"],
        "Standard_B4ms"
    );
    assert_eq!(got["tags"], json!({"team": "net"}));
    assert_eq!(nic_set(&got).len(), 2, "PATCH keeps the NICs");
    assert_eq!(
        got["properties"]["storageProfile"]["imageReference"]["publisher"],
        "Canonical"
    );

    // Resize to a size with fewer NICs than attached: refused with both numbers.
    power(s, &vm, "deallocate").await;
    let mut got = get_ok(s, &vm).await;
    got["properties"]["networkProfile"]["networkInterfaces"]
        .as_array_mut()
        .unwrap()
        .push(nref(&n3, None));
    put_vm_ok(s, &vm, got, StatusCode::OK).await;
    let (st, _, body) = s
        .call(
            Method::PATCH,
            &at(&vm),
            Some(json!({"properties": {"hardwareProfile": {"vmSize": "Standard_B1s"}}})),
        )
        .await;
    let msg = assert_error(st, &body, 400, "NetworkInterfaceCountExceeded");
    assert_contains(
        &msg,
        "The number of network interfaces is 3 and the maximum allowed is 2.",
    );
    // Unknown size through PATCH.
    let (st, _, body) = s
        .call(
            Method::PATCH,
            &at(&vm),
            Some(json!({"properties": {"hardwareProfile": {"vmSize": "Standard_Huge_v9"}}})),
        )
        .await;
    assert_error(st, &body, 400, "InvalidParameter");
    assert_eq!(body["error"]["target"], "vmSize");
    assert_eq!(
        get_ok(s, &vm).await["properties"]["hardwareProfile"]["vmSize"],
        "Standard_B4ms"
    );

    // deleteOption: Delete deletes that NIC with the VM; Detach keeps the others.
    let nd = nic(s, rg, "doomed", &web).await;
    let vm2 = vm_id(rg, "vm2");
    let body = put_vm_ok(
        s,
        &vm2,
        vm_body(
            "Standard_B2s",
            vec![json!({"id": nd, "properties": {"primary": true, "deleteOption": "Delete"}})],
        ),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        body["properties"]["networkProfile"]["networkInterfaces"][0]["properties"]["deleteOption"],
        "Delete"
    );
    let (st, hdrs, _) = s.call(Method::DELETE, &at(&vm2), None).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    poll_succeeded(s, &hdrs).await;
    let (st, body) = s.get(&at(&nd)).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    // A bad deleteOption is a 400.
    let (st, _, body) = put_vm(
        s,
        &vm_id(rg, "vm3"),
        vm_body(
            "Standard_B1s",
            vec![json!({"id": nic(s, rg, "n4", &web).await, "properties": {"deleteOption": "Explode"}})],
        ),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");

    let (st, hdrs, _) = s.call(Method::DELETE, &at(&vm), None).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    poll_succeeded(s, &hdrs).await;
    for n in [&n1, &n2, &n3] {
        assert_eq!(nic_vm(s, n).await, (None, None));
    }
}
