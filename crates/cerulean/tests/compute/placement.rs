//! A VM's availability group (its availability set, or the VM alone) as load balancers and
//! public IPs see it: one SKU per group (`DifferentSkuLoadBalancersAndPublicIPAddressNotAllowed`),
//! and a Basic load balancer serves one group (`VmIsNotInSameAvailabilitySetAsLb` from a
//! VM's write, `NetworkInterfaceAndLoadBalancerAreInDifferentAvailabilitySets` from an
//! attached NIC's); a Standard one serves any; a load balancer's or public IP's SKU stays
//! (`SkuCannotBeChangedOnUpdate`). Each refusal leaves the state as it was.

use super::*;

/// An internal load balancer `name` of `sku` with frontend `fe` in `subnet` and pool `pool`.
async fn internal_lb(s: &Server, rg: &str, name: &str, sku: &str, subnet: &str) -> String {
    let id = net(rg, "loadBalancers", name);
    let (st, body) = s
        .put(
            &at(&id),
            json!({"location": LOC, "sku": {"name": sku}, "properties": {
                "frontendIPConfigurations": [{"name": "fe", "properties": {"subnet": {"id": subnet}}}],
                "backendAddressPools": [{"name": "pool"}],
                "inboundNatRules": [{"name": "ssh", "properties": {
                    "frontendIPConfiguration": {"id": format!("{id}/frontendIPConfigurations/fe")},
                    "protocol": "Tcp", "frontendPort": 50022, "backendPort": 22}}]
            }}),
        )
        .await;
    assert!(st.is_success(), "lb {name}: {body}");
    id
}

async fn pip(s: &Server, rg: &str, name: &str, sku: &str) -> String {
    let id = net(rg, "publicIPAddresses", name);
    let (st, body) = s
        .put(
            &at(&id),
            json!({"location": LOC, "sku": {"name": sku}, "properties": {"publicIPAllocationMethod": "Static"}}),
        )
        .await;
    assert!(st.is_success(), "pip {name}: {body}");
    id
}

async fn set(s: &Server, rg: &str, name: &str) -> String {
    let id = set_id(rg, name);
    let (st, body) = s
        .put(
            &at(&id),
            json!({"location": LOC, "properties": {"platformFaultDomainCount": 2}}),
        )
        .await;
    assert!(st.is_success(), "set {name}: {body}");
    id
}

/// A VM body with these NICs, in availability set `set` if any.
fn vm_in(set: Option<&str>, nics: &[&str]) -> Value {
    let refs = nics
        .iter()
        .enumerate()
        .map(|(i, n)| nref(n, Some(i == 0)))
        .collect();
    let mut b = vm_body("Standard_D4s_v3", refs);
    if let Some(set) = set {
        b["properties"]["availabilitySet"] = json!({ "id": set });
    }
    b
}

/// A PUT (of a VM or a NIC) refused with 400 `code` and `message`.
async fn refused(s: &Server, id: &str, body: Value, code: &str, message: &str) {
    let (st, err) = s.put(&at(id), body).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "PUT {id}: {err}");
    assert_eq!(err["error"]["code"], code, "{err}");
    assert_eq!(err["error"]["message"], message, "{err}");
}

/// A NIC body whose one configuration in `subnet` joins `pools` and has `extra` properties.
fn nic_body(subnet: &str, pools: &[&str], extra: Value) -> Value {
    let pools: Vec<Value> = pools.iter().map(|p| json!({ "id": p })).collect();
    let mut c = ipc_with("ipconfig1", subnet, extra);
    c["properties"]["loadBalancerBackendAddressPools"] = json!(pools);
    json!({"location": LOC, "properties": {"ipConfigurations": [c]}})
}

async fn nic_in(s: &Server, rg: &str, name: &str, subnet: &str, pools: &[&str]) -> String {
    let id = nic_id(rg, name);
    let (st, body) = s.put(&at(&id), nic_body(subnet, pools, json!({}))).await;
    assert_eq!(st, StatusCode::CREATED, "nic {name}: {body}");
    id
}

async fn assert_absent(s: &Server, id: &str) {
    let (st, body) = s.get(&at(id)).await;
    assert_eq!(
        st,
        StatusCode::NOT_FOUND,
        "{id} was not to be written: {body}"
    );
}

pub(super) async fn load_balancers_and_availability_groups(s: &Server) {
    let rg = "place";
    let (web, app, _) = network(s, rg).await;
    let basic = internal_lb(s, rg, "basic-lb", "Basic", &app).await;
    let standard = internal_lb(s, rg, "std-lb", "Standard", &app).await;
    let basic_pool = format!("{basic}/backendAddressPools/pool");
    let std_pool = format!("{standard}/backendAddressPools/pool");
    let as1 = set(s, rg, "as1").await;
    let as2 = set(s, rg, "as2").await;
    let as3 = set(s, rg, "as3").await;

    // A Basic load balancer takes the VMs of one availability set.
    let n1 = nic_in(s, rg, "n1", &web, &[&basic_pool]).await;
    let n2 = nic_in(s, rg, "n2", &web, &[&basic_pool]).await;
    let n3 = nic_in(s, rg, "n3", &web, &[&basic_pool]).await;
    let (vm1, vm2) = (vm_id(rg, "vm1"), vm_id(rg, "vm2"));
    put_vm_ok(s, &vm1, vm_in(Some(&as1), &[&n1]), StatusCode::CREATED).await;
    put_vm_ok(s, &vm2, vm_in(Some(&as1), &[&n2]), StatusCode::CREATED).await;
    let vm3 = vm_id(rg, "vm3");
    let not_same = "VmIsNotInSameAvailabilitySetAsLb";
    let message = |vm: &str| {
        format!(
            "Virtual Machine {vm} is using different Availability Set than other Virtual \
             Machines connected to the Load Balancer(s) basic-lb."
        )
    };
    refused(s, &vm3, vm_in(Some(&as2), &[&n3]), not_same, &message(&vm3)).await;
    // A VM in no set is a set of its own.
    refused(s, &vm3, vm_in(None, &[&n3]), not_same, &message(&vm3)).await;
    assert_absent(s, &vm3).await;
    let n3_body = get_ok(s, &n3).await;
    assert!(
        n3_body["properties"].get("virtualMachine").is_none(),
        "{n3_body}"
    );

    // Through an inbound NAT rule too.
    let n4 = nic_id(rg, "n4");
    let nat =
        json!({"loadBalancerInboundNatRules": [{"id": format!("{basic}/inboundNatRules/ssh")}]});
    let (st, body) = s.put(&at(&n4), nic_body(&web, &[], nat)).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let vm4 = vm_id(rg, "vm4");
    refused(s, &vm4, vm_in(Some(&as2), &[&n4]), not_same, &message(&vm4)).await;

    // A Standard load balancer takes VMs of any set, and lone ones.
    let s1 = nic_in(s, rg, "s1", &web, &[&std_pool]).await;
    let s2 = nic_in(s, rg, "s2", &web, &[&std_pool]).await;
    put_vm_ok(
        s,
        &vm_id(rg, "vs1"),
        vm_in(Some(&as3), &[&s1]),
        StatusCode::CREATED,
    )
    .await;
    put_vm_ok(
        s,
        &vm_id(rg, "vs2"),
        vm_in(None, &[&s2]),
        StatusCode::CREATED,
    )
    .await;

    // An attached NIC joining a Basic load balancer that serves another set: refused from
    // the NIC's side, and the NIC keeps its pools.
    let n5 = nic_in(s, rg, "n5", &web, &[]).await;
    put_vm_ok(
        s,
        &vm_id(rg, "vm5"),
        vm_in(Some(&as2), &[&n5]),
        StatusCode::CREATED,
    )
    .await;
    let join_basic = nic_body(&web, &[&basic_pool], json!({}));
    refused(
        s,
        &n5,
        join_basic.clone(),
        "NetworkInterfaceAndLoadBalancerAreInDifferentAvailabilitySets",
        &format!(
            "Network interface {n5} uses load balancer {basic} associated with different \
             availability set ({as1}) than that of the network interface's virtual machine ({as2})."
        ),
    )
    .await;
    let n5_body = get_ok(s, &n5).await;
    let config = &n5_body["properties"]["ipConfigurations"][0]["properties"];
    assert!(
        config.get("loadBalancerBackendAddressPools").is_none(),
        "{n5_body}"
    );

    // Once the set's VMs are gone the load balancer serves no set, and another may join;
    // then its VMs' NICs may.
    for vm in [&vm1, &vm2] {
        let (st, hdrs, body) = s.call(Method::DELETE, &at(vm), None).await;
        assert!(st.is_success(), "{body}");
        if st == StatusCode::ACCEPTED {
            poll_succeeded(s, &hdrs).await;
        }
    }
    put_vm_ok(s, &vm3, vm_in(Some(&as2), &[&n3]), StatusCode::CREATED).await;
    let (st, body) = s.put(&at(&n5), join_basic).await;
    assert_eq!(st, StatusCode::OK, "{body}");

    // One SKU per set: a Basic public IP on a VM of a set whose VMs use a Standard load
    // balancer, from a new VM or from an attached NIC.
    let basic_ip = pip(s, rg, "basic-ip", "Basic").await;
    let b1 = nic_id(rg, "b1");
    let with_ip =
        |ip: &str, pools: &[&str]| nic_body(&web, pools, json!({"publicIPAddress": {"id": ip}}));
    let (st, body) = s.put(&at(&b1), with_ip(&basic_ip, &[])).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let code = "DifferentSkuLoadBalancersAndPublicIPAddressNotAllowed";
    let mixed = |a: &str, b: &str| {
        format!(
            "Different basic sku and standard sku load balancer or public Ip resources in \
             availability set is not allowed {a} and {b}."
        )
    };
    let vb = vm_id(rg, "vb");
    refused(
        s,
        &vb,
        vm_in(Some(&as3), &[&b1]),
        code,
        &mixed(&standard, &basic_ip),
    )
    .await;
    assert_absent(s, &vb).await;
    let other_ip = pip(s, rg, "basic-ip2", "Basic").await;
    let message = mixed(&standard, &other_ip);
    refused(s, &s1, with_ip(&other_ip, &[&std_pool]), code, &message).await;
    let (_, ip) = s.get(&at(&other_ip)).await;
    assert!(ip["properties"].get("ipConfiguration").is_none(), "{ip}");
    // A lone VM's NICs too: a Standard public IP beside a Basic one.
    let std_ip = pip(s, rg, "std-ip", "Standard").await;
    let b2 = nic_id(rg, "b2");
    let (st, body) = s
        .put(
            &at(&b2),
            nic_body(&app, &[], json!({"publicIPAddress": {"id": std_ip}})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    refused(
        s,
        &vb,
        vm_in(None, &[&b1, &b2]),
        code,
        &mixed(&basic_ip, &std_ip),
    )
    .await;
    // A load balancer keeps the SKU it was made with: turned Standard, the Basic one would
    // mix its set's SKUs.
    let mut edited = get_ok(s, &basic).await;
    edited["sku"] = json!({"name": "Standard"});
    let (st, err) = s.put(&at(&basic), edited).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(err["error"]["code"], "SkuCannotBeChangedOnUpdate", "{err}");
    assert_eq!(
        err["error"]["message"],
        format!("Sku property is set at creation time and cannot be changed from Basic to Standard on resource update for resource {basic}.")
    );
    // A public IP's too.
    let mut ip = get_ok(s, &other_ip).await;
    ip["sku"] = json!({"name": "Standard"});
    let (st, err) = s.put(&at(&other_ip), ip).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(
        err["error"]["message"],
        format!("Sku property is set at creation time and cannot be changed from Basic to Standard on resource update for resource {other_ip}.")
    );
    assert_eq!(get_ok(s, &basic).await["sku"]["name"], "Basic");
    // The Basic public IP alone, in a set of its own SKU, is fine.
    put_vm_ok(s, &vb, vm_in(None, &[&b1]), StatusCode::CREATED).await;
}
