//! Rule 10 (a NIC with an IPv6 configuration is a VM's only NIC, and only at creation), and
//! the bad input `plan_put` refuses.

use super::*;

// ------------------------------------------------------------ rule 10: IPv6

/// Seed: "If a network interface has a private IPv6 address assigned to it, you can attach
/// it to a VM when creating the VM. You cannot attach a network interface with an assigned
/// IPv6 address to a VM after the VM is created. If you attach a network interface with an
/// assigned private IPv6 address when creating a virtual machine, you can only attach that
/// network interface to the virtual machine" and "You cannot attach more than one network
/// interface ... after the virtual machine is created, as long as an IPv6 address is
/// assigned to a network interface attached to a virtual machine."
#[test]
fn ipv6_nic_rules_have_three_distinct_errors() {
    let (a, b, v6) = (
        facts("a", "vnet1", false),
        facts("b", "vnet1", false),
        facts("v6", "vnet1", true),
    );
    // Alone at creation: fine.
    ipv6_rules("vm1", true, &[&v6], &[&v6], &[]).unwrap();
    let vm = create("Standard_B2s", vec![r("v6", None)]);
    assert_eq!(primary_name(&vm), "v6");

    // With another NIC at creation.
    let e1 = ipv6_rules("vm1", true, &[&a, &v6], &[&a, &v6], &[]).unwrap_err();
    assert_eq!(e1.code(), "NetworkInterfaceWithIpv6MustBeTheOnlyOne");
    assert_eq!(
        e1.to_string(),
        format!(
            "Network interface {} has a private IPv6 address, so it must be the only network interface of virtual machine vm1.",
            nic_id("v6")
        )
    );
    let e = plan_put(
        &vm_id("vm1"),
        None,
        spec("Standard_B2s", vec![r("a", Some(true)), r("v6", None)]),
        &world(1),
        "g",
        1,
    )
    .unwrap_err();
    assert_eq!(e, e1);

    // Added after creation.
    let e2 = ipv6_rules("vm1", false, &[&a, &v6], &[&v6], &[&a]).unwrap_err();
    assert_eq!(e2.code(), "NetworkInterfaceWithIpv6OnlyAtVmCreation");
    assert_eq!(
        e2.to_string(),
        format!(
            "Network interface {} has a private IPv6 address and can only be attached when virtual machine vm1 is created.",
            nic_id("v6")
        )
    );
    let plain = deallocated(create("Standard_B2s", vec![r("a", None)]));
    let e = update(
        &plain,
        spec("Standard_B2s", vec![r("a", None), r("v6", None)]),
        2000,
    )
    .unwrap_err();
    assert_eq!(e, e2);

    // Another NIC beside an attached IPv6 NIC.
    let e3 = ipv6_rules("vm1", false, &[&v6, &b], &[&b], &[&v6]).unwrap_err();
    assert_eq!(e3.code(), "CannotAddNetworkInterfaceBesideIpv6Nic");
    assert_eq!(
        e3.to_string(),
        format!(
            "Network interface {} cannot be added to virtual machine vm1: its network interface {} has a private IPv6 address, so it must stay the only one.",
            nic_id("b"),
            nic_id("v6")
        )
    );
    let e = update(
        &deallocated(vm),
        spec("Standard_B2s", vec![r("v6", None), r("b", None)]),
        2000,
    )
    .unwrap_err();
    assert_eq!(e, e3);

    for e in [&e1, &e2, &e3] {
        assert_eq!(e.class(), ErrorClass::BadRequest);
    }
    assert_ne!(e1.code(), e2.code());
    assert_ne!(e2.code(), e3.code());
    assert_ne!(e1.code(), e3.code());
}

// ------------------------------------------------------------ plan_put: bad input

#[test]
fn plan_put_rejects_bad_input_with_azures_codes() {
    let ctx = world(1);
    let put = |s: VmSpec| plan_put(&vm_id("vm1"), None, s, &ctx, "g", 1).unwrap_err();

    let e = put(spec("Standard_Nope", vec![r("a", None)]));
    assert_eq!(e.code(), "InvalidParameter");
    assert_eq!(e.target().as_deref(), Some("vmSize"));
    assert_eq!(
        e.to_string(),
        "The value Standard_Nope provided for the VM size is not valid. The valid sizes in the current region (eastus) are listed by GET .../providers/Microsoft.Compute/locations/eastus/vmSizes."
    );

    let mut s = spec("Standard_B1s", vec![]);
    s.size = None;
    let e = put(s);
    assert_eq!(e.code(), "InvalidParameter");
    assert_eq!(e.target().as_deref(), Some("hardwareProfile.vmSize"));

    let mut s = spec("Standard_B1s", vec![]);
    s.nics = None;
    let e = put(s);
    assert_eq!(e.code(), "InvalidParameter");
    assert_eq!(e.target().as_deref(), Some("networkProfile"));
    assert_eq!(
        e.to_string(),
        "Required parameter 'networkProfile' is missing (null)."
    );

    let mut dup = r("a", None);
    dup.id = ResourceId::parse(&dup.id.as_str().to_uppercase()).unwrap();
    let e = put(spec("Standard_B2s", vec![r("a", Some(true)), dup.clone()]));
    assert_eq!(e.code(), "InvalidParameter");
    assert_eq!(
        e.to_string(),
        format!(
            "Network interface {} is referenced more than once by virtual machine vm1.",
            dup.id
        )
    );

    // A reference of another type never gets here: see `crate::reference`.

    // Rule 12: a NIC and its VM are in the same subscription and location.
    let foreign = ResourceId::resource(
        OTHER_SUB,
        "rg",
        "Microsoft.Network",
        "networkInterfaces",
        "a",
    )
    .to_string();
    let e = put(spec(
        "Standard_B1s",
        vec![NicRefSpec {
            id: ResourceId::parse(&foreign).unwrap(),
            primary: None,
            delete_option: None,
        }],
    ));
    assert_eq!(e.code(), "InvalidParameter");
    assert_eq!(
        e.to_string(),
        format!("Network interface {foreign} must be in the virtual machine's subscription {SUB}.")
    );
    let mut far = world(1);
    far.nics
        .get_mut(&nic_id("a").to_lowercase())
        .unwrap()
        .location = "westus".into();
    let e = plan_put(
        &vm_id("vm1"),
        None,
        spec("Standard_B1s", vec![r("a", None)]),
        &far,
        "g",
        1,
    )
    .unwrap_err();
    assert_eq!(e.code(), "InvalidResourceReference");
    let e = put(spec("Standard_B1s", vec![r("missing", None)]));
    assert_eq!(e.code(), "InvalidResourceReference");
    assert_eq!(e.details()[0].code, "NotFound");
}

#[test]
fn plan_put_keeps_what_an_update_leaves_out() {
    let mut s = spec("Standard_B2s", vec![r("a", Some(true)), r("b", None)]);
    s.nics.as_mut().unwrap()[1].delete_option = Some(DeleteOption::Delete);
    let vm = plan_put(&vm_id("vm1"), None, s, &world(1000), "g", 42).unwrap();
    assert_eq!(vm.power, PowerState::Running);
    assert_eq!(vm.created_ms, 42);
    assert_eq!(
        vm.nics[0].delete_option,
        DeleteOption::Detach,
        "Detach by default"
    );
    assert_eq!(vm.nics[1].delete_option, DeleteOption::Delete);
    // No networkProfile on update: the NICs stay; deleteOption omitted: kept.
    let mut s = spec("Standard_B2s", vec![]);
    s.nics = None;
    let same = update(&vm, s, 2000).unwrap();
    assert_eq!(same.nics, vm.nics);
    assert_eq!(same.created_ms, 42);
    let same = update(
        &vm,
        spec("Standard_B2s", vec![r("a", None), r("b", None)]),
        2000,
    )
    .unwrap();
    assert_eq!(same.nics[1].delete_option, DeleteOption::Delete);
    // The location never changes.
    let mut s = spec("Standard_B2s", vec![r("a", None), r("b", None)]);
    s.common.location = Some("westus".into());
    assert_eq!(
        update(&vm, s, 2000).unwrap_err().code(),
        "InvalidResourceLocation"
    );
}
