//! Availability sets (synchronous PUT, PATCH and DELETE, their lists, members joining only at
//! creation, no delete while a VM is in one) and the catalogue: resource SKUs, VM sizes, the
//! Compute usages (cores and VMs, deallocated VMs using no cores) and the VM lists by group,
//! subscription and location.

use super::*;

// ---------------------------------------------------------------- availability sets

pub(super) async fn availability_sets(s: &Server) {
    let rg = "avs";
    let (web, app, _) = network(s, rg).await;
    let set = set_id(rg, "as1");
    let (st, hdrs, body) = s
        .call(
            Method::PUT,
            &at(&set),
            Some(
                json!({"location": LOC, "sku": {"name": "Aligned"}, "tags": {"a": "b"},
                "properties": {"platformFaultDomainCount": 2, "platformUpdateDomainCount": 5}}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(hdrs.get("azure-asyncoperation").is_none(), "synchronous");
    assert_eq!(body["id"], set.as_str());
    assert_eq!(body["type"], "Microsoft.Compute/availabilitySets");
    assert_eq!(body["sku"]["name"], "Aligned");
    assert_eq!(body["properties"]["platformFaultDomainCount"], 2);
    assert_eq!(body["properties"]["virtualMachines"], json!([]));
    let (st, body) = s
        .put(
            &at(&set_id(rg, "bad")),
            json!({"location": LOC, "properties": {"platformFaultDomainCount": 9}}),
        )
        .await;
    assert_error(st, &body, 400, "InvalidParameter");
    let (st, _) = s
        .put(&at(&set_id(rg, "as2")), json!({"location": LOC}))
        .await;
    assert_eq!(st, StatusCode::OK);

    let (st, list) = s
        .get(&format!(
            "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Compute/availabilitySets?{API}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(names(&list), ["as1", "as2"]);
    let (st, list) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Compute/availabilitySets?{API}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(names(&list), ["as1", "as2"]);
    // PATCH changes tags, synchronously, and keeps the rest.
    let (st, hdrs, body) = s
        .call(
            Method::PATCH,
            &at(&set),
            Some(json!({"tags": {"team": "net"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(hdrs.get("azure-asyncoperation").is_none(), "synchronous");
    assert_eq!(body["tags"], json!({"team": "net"}));
    assert_eq!(body["properties"]["platformUpdateDomainCount"], 5);

    // A VM joins at creation; the set lists it.
    let n1 = nic(s, rg, "n1", &web).await;
    let n2 = nic(s, rg, "n2", &app).await;
    let vm = vm_id(rg, "member");
    let mut b = vm_body("Standard_B1s", vec![nref(&n1, None)]);
    b["properties"]["availabilitySet"] = json!({"id": set});
    let body = put_vm_ok(s, &vm, b, StatusCode::CREATED).await;
    assert_eq!(
        body["properties"]["availabilitySet"]["id"]
            .as_str()
            .unwrap()
            .to_lowercase(),
        set.to_lowercase()
    );
    let got = get_ok(s, &set).await;
    let members: Vec<String> = got["properties"]["virtualMachines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_lowercase())
        .collect();
    assert_eq!(members, [vm.to_lowercase()]);
    // The same set, spelled differently, is no change; another set or none is.
    let mut same = vm_body("Standard_B1s", vec![nref(&n1, None)]);
    same["properties"]["availabilitySet"] = json!({"id": set.to_uppercase()});
    put_vm_ok(s, &vm, same, StatusCode::OK).await;
    for change in [Some(set_id(rg, "as2")), None] {
        let mut b = vm_body("Standard_B1s", vec![nref(&n1, None)]);
        if let Some(c) = &change {
            b["properties"]["availabilitySet"] = json!({ "id": c });
        }
        let (st, _, body) = put_vm(s, &vm, b).await;
        assert_error(st, &body, 409, "PropertyChangeNotAllowed");
        assert_eq!(body["error"]["target"], "availabilitySet.id");
    }
    // A set that does not exist is a bad reference.
    let mut b = vm_body("Standard_B1s", vec![nref(&n2, None)]);
    b["properties"]["availabilitySet"] = json!({"id": set_id(rg, "nope")});
    let (st, _, body) = put_vm(s, &vm_id(rg, "stray"), b).await;
    assert_error(st, &body, 400, "InvalidResourceReference");

    // A set with a VM in it cannot be deleted; once the VM is gone it can.
    let (st, _, body) = s.call(Method::DELETE, &at(&set), None).await;
    assert!(st.is_client_error(), "{st} {body}");
    assert!(body["error"]["code"].is_string(), "{body}");
    let (st, hdrs, _) = s.call(Method::DELETE, &at(&vm), None).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    poll_succeeded(s, &hdrs).await;
    assert_eq!(
        get_ok(s, &set).await["properties"]["virtualMachines"],
        json!([])
    );
    let (st, _, _) = s.call(Method::DELETE, &at(&set), None).await;
    assert_eq!(st, StatusCode::OK);
    let (st, body) = s.get(&at(&set)).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    let (st, _, _) = s.call(Method::DELETE, &at(&set), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
}

// ---------------------------------------------------------------- catalogue and lists

/// Compute usages in eastus: `(cores, virtualMachines)`.
async fn usages(s: &Server) -> (i64, i64) {
    let (st, u) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Compute/locations/eastus/usages?{API}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{u}");
    let get = |name: &str| {
        u["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"]["value"] == name)
            .unwrap_or_else(|| panic!("{name} in {u}"))["currentValue"]
            .as_i64()
            .unwrap()
    };
    (get("cores"), get("virtualMachines"))
}

pub(super) async fn catalogue_usages_and_lists(s: &Server) {
    let (st, skus) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Compute/skus?api-version=2021-07-01&$filter=location eq 'eastus'"
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{skus}");
    let entries = skus["value"].as_array().unwrap();
    assert!(entries.len() > 60, "{}", entries.len());
    let b1s = entries
        .iter()
        .find(|e| e["name"] == "Standard_B1s")
        .expect("Standard_B1s");
    assert_eq!(b1s["resourceType"], "virtualMachines");
    assert_eq!(b1s["locations"], json!(["eastus"]));
    let cap = |e: &Value, name: &str| {
        e["capabilities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {e}"))["value"]
            .clone()
    };
    assert_eq!(cap(b1s, "MaxNetworkInterfaces"), "2");
    assert_eq!(cap(b1s, "vCPUs"), "1");
    let ds3 = entries
        .iter()
        .find(|e| e["name"] == "Standard_DS3_v2")
        .unwrap();
    assert_eq!(cap(ds3, "MaxNetworkInterfaces"), "4");

    let (st, sizes) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Compute/locations/eastus/vmSizes?{API}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{sizes}");
    let b2s = sizes["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "Standard_B2s")
        .expect("Standard_B2s");
    assert_eq!(b2s["numberOfCores"], 2);
    assert_eq!(b2s["memoryInMB"], 4096);
    let (st, body) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Compute/locations/moon/vmSizes?{API}"
        ))
        .await;
    assert_error(st, &body, 400, "LocationNotAvailableForResourceType");

    assert_eq!(usages(s).await, (0, 0));

    // Two groups, three VMs; lists by group, subscription and location.
    let (web, _, _) = network(s, "l1").await;
    group(s, "l2").await;
    let a = nic(s, "l1", "a", &web).await;
    let b = nic(s, "l1", "b", &web).await;
    let c = nic(s, "l1", "c", &web).await;
    put_vm_ok(
        s,
        &vm_id("l1", "va"),
        vm_body("Standard_B2s", vec![nref(&a, None)]),
        StatusCode::CREATED,
    )
    .await;
    put_vm_ok(
        s,
        &vm_id("l1", "vb"),
        vm_body("Standard_B4ms", vec![nref(&b, None)]),
        StatusCode::CREATED,
    )
    .await;
    // A VM and its NIC may be in different groups of one subscription.
    put_vm_ok(
        s,
        &vm_id("l2", "vc"),
        vm_body("Standard_B1s", vec![nref(&c, None)]),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(usages(s).await, (2 + 4 + 1, 3));
    power(s, &vm_id("l1", "vb"), "deallocate").await;
    assert_eq!(usages(s).await.0, 2 + 1, "deallocated VMs use no cores");

    let list = |path: String| async move {
        let (st, l) = s.get(&path).await;
        assert_eq!(st, StatusCode::OK, "{l}");
        names(&l)
    };
    assert_eq!(
        list(format!("/subscriptions/{SUB}/resourceGroups/l1/providers/Microsoft.Compute/virtualMachines?{API}")).await,
        ["va", "vb"]
    );
    assert_eq!(
        list(format!("/subscriptions/{SUB}/resourceGroups/l2/providers/Microsoft.Compute/virtualMachines?{API}")).await,
        ["vc"]
    );
    assert_eq!(
        list(format!(
            "/subscriptions/{SUB}/providers/Microsoft.Compute/virtualMachines?{API}"
        ))
        .await,
        ["va", "vb", "vc"]
    );
    assert_eq!(
        list(format!("/subscriptions/{SUB}/providers/Microsoft.Compute/locations/eastus/virtualMachines?{API}")).await,
        ["va", "vb", "vc"]
    );
    assert!(list(format!(
        "/subscriptions/{SUB}/providers/Microsoft.Compute/locations/westus/virtualMachines?{API}"
    ))
    .await
    .is_empty());
    let (st, l) = s
        .get(&format!(
            "/subscriptions/{SUB}/resourceGroups/l1/providers/Microsoft.Compute/virtualMachines?{API}&$expand=instanceView"
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        l["value"][0]["properties"]["instanceView"]["statuses"].is_array(),
        "{l}"
    );
}

// ---------------------------------------------------------------- children of a VM

/// A VM's extensions are generic children of it: put, read and listed under it, though the
/// list's path has the shape of the VM's actions (POST), which still answer there.
pub(super) async fn extensions_are_listed_under_their_vm(s: &Server) {
    let rg = "ext";
    let (web, _, _) = network(s, rg).await;
    let n = nic(s, rg, "n1", &web).await;
    let vm = vm_id(rg, "vm1");
    put_vm_ok(
        s,
        &vm,
        vm_body("Standard_B1s", vec![nref(&n, None)]),
        StatusCode::CREATED,
    )
    .await;
    let (st, list) = s.get(&at(&format!("{vm}/extensions"))).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(list["value"], json!([]), "{list}");
    for name in ["script", "monitor"] {
        let (st, body) = s
            .put(
                &at(&format!("{vm}/extensions/{name}")),
                json!({"location": LOC, "properties": {
                    "publisher": "Microsoft.Azure.Extensions", "type": "CustomScript",
                    "typeHandlerVersion": "2.1"}}),
            )
            .await;
        assert!(st.is_success(), "{name}: {st} {body}");
    }
    let (st, list) = s.get(&at(&format!("{vm}/extensions"))).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(names(&list), vec!["monitor", "script"], "{list}");
    power(s, &vm, "deallocate").await;
    let (st, _, body) = s
        .call(Method::POST, &at(&format!("{vm}/capture")), Some(json!({})))
        .await;
    assert_error(st, &body, 501, "NotImplemented");
}
