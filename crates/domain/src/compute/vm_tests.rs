//! One test (or more) per seed rule. Each quotes the sentence of the seed it enforces and
//! asserts Azure's code, status class and message.

use super::*;
use crate::error::ErrorClass;
use crate::network::CommonSpec;

const SUB: &str = "00000000-0000-0000-0000-000000000001";
const OTHER_SUB: &str = "00000000-0000-0000-0000-0000000000ff";

fn vm_id(name: &str) -> ResourceId {
    ResourceId::resource(SUB, "rg", "Microsoft.Compute", "virtualMachines", name)
}

fn nic_id(name: &str) -> String {
    ResourceId::resource(SUB, "rg", "Microsoft.Network", "networkInterfaces", name).to_string()
}

fn vnet_id(name: &str) -> String {
    ResourceId::resource(SUB, "rg", "Microsoft.Network", "virtualNetworks", name).to_string()
}

fn set_id(name: &str) -> String {
    ResourceId::resource(SUB, "rg", "Microsoft.Compute", "availabilitySets", name).to_string()
}

fn facts(name: &str, vnet: &str, ipv6: bool) -> NicFacts {
    NicFacts {
        id: nic_id(name),
        subscription: SUB.into(),
        location: "eastus".into(),
        vnet_key: Some(vnet_id(vnet).to_lowercase()),
        vnet_id: Some(vnet_id(vnet)),
        has_ipv6: ipv6,
        attached_to: None,
        owner: None,
    }
}

fn ctx_of(nics: Vec<NicFacts>, next_seq: i64) -> VmContext {
    VmContext {
        nics: nics
            .into_iter()
            .map(|f| (ResourceId::parse(&f.id).unwrap().key().to_string(), f))
            .collect(),
        availability_sets: HashMap::new(),
        next_seq,
    }
}

/// The usual world: NICs a..e in vnet1, x in vnet2, v6 (with IPv6) in vnet1.
fn world(next_seq: i64) -> VmContext {
    let mut all: Vec<NicFacts> = ["a", "b", "c", "d", "e"]
        .iter()
        .map(|n| facts(n, "vnet1", false))
        .collect();
    all.push(facts("x", "vnet2", false));
    all.push(facts("v6", "vnet1", true));
    ctx_of(all, next_seq)
}

fn r(name: &str, primary: Option<bool>) -> NicRefSpec {
    NicRefSpec {
        id: ResourceId::parse(&nic_id(name)).unwrap(),
        primary,
        delete_option: None,
    }
}

fn spec(size: &str, nics: Vec<NicRefSpec>) -> VmSpec {
    VmSpec {
        common: CommonSpec {
            location: Some("eastus".into()),
            tags: None,
            extra: Vec::new(),
        },
        size: Some(size.into()),
        nics: Some(nics),
        ..Default::default()
    }
}

fn create(size: &str, nics: Vec<NicRefSpec>) -> VirtualMachine {
    plan_put(
        &vm_id("vm1"),
        None,
        spec(size, nics),
        &world(1000),
        "guid",
        1,
    )
    .expect("create")
}

fn update(vm: &VirtualMachine, s: VmSpec, next_seq: i64) -> Result<VirtualMachine, DomainError> {
    plan_put(&vm_id("vm1"), Some(vm), s, &world(next_seq), "guid", 2)
}

fn primary_name(vm: &VirtualMachine) -> String {
    let p = vm.primary_nic().expect("a primary");
    assert_eq!(
        vm.nics.iter().filter(|n| n.primary).count(),
        1,
        "exactly one primary"
    );
    p.id.rsplit('/').next().unwrap().to_string()
}

fn deallocated(mut vm: VirtualMachine) -> VirtualMachine {
    vm.power = PowerState::Deallocated;
    vm
}

// ------------------------------------------------------------ rule 1: NIC in use

/// Seed: "You can add (attach) an existing network interface to a VM when you create the
/// VM, provided the network interface isn't currently attached to another VM."
#[test]
fn nic_attached_to_another_vm_is_refused_naming_that_vm() {
    let mut f = facts("a", "vnet1", false);
    let other = vm_id("other").to_string();
    f.attached_to = Some(other.clone());
    let e = nic_not_attached_elsewhere(&vm_id("vm1"), &f).unwrap_err();
    assert_eq!(e.code(), "NicInUse");
    assert_eq!(e.class(), ErrorClass::BadRequest);
    assert_eq!(
        e.to_string(),
        format!(
            "Network Interface {} is used by existing resource {other}. In order to delete the network interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic.",
            nic_id("a")
        )
    );
    // Attached to this very VM (spelled differently) is fine.
    f.attached_to = Some(vm_id("VM1").to_string().to_uppercase());
    nic_not_attached_elsewhere(&vm_id("vm1"), &f).unwrap();

    // Through plan_put.
    let mut ctx = world(1000);
    ctx.nics
        .get_mut(&nic_id("b").to_lowercase())
        .unwrap()
        .attached_to = Some(other.clone());
    let e = plan_put(
        &vm_id("vm1"),
        None,
        spec("Standard_B2s", vec![r("a", Some(true)), r("b", None)]),
        &ctx,
        "g",
        1,
    )
    .unwrap_err();
    assert_eq!(e.code(), "NicInUse");
    assert!(e.to_string().contains(&other), "{e}");
}

// ------------------------------------------------------------ rule 2: NIC count

/// Seed: "You can add as many network interfaces to a VM as the VM size you're creating
/// supports."
#[test]
fn nic_count_is_limited_by_the_size() {
    let b1s = sizes::find("Standard_B1s").unwrap();
    nic_count_within_size("vm1", b1s, 2).unwrap();
    let e = nic_count_within_size("vm1", b1s, 3).unwrap_err();
    assert_eq!(e.code(), "NetworkInterfaceCountExceeded");
    assert_eq!(e.class(), ErrorClass::BadRequest);
    assert_eq!(
        e.to_string(),
        "The number of network interfaces for virtual machine vm1 exceeds the maximum allowed for the virtual machine size Standard_B1s. The number of network interfaces is 3 and the maximum allowed is 2."
    );
    let e = plan_put(
        &vm_id("vm1"),
        None,
        spec(
            "standard_b1s",
            vec![r("a", Some(true)), r("b", None), r("c", None)],
        ),
        &world(1000),
        "g",
        1,
    )
    .unwrap_err();
    assert_eq!(e.code(), "NetworkInterfaceCountExceeded");
}

/// Seed: "The VM you want to add a network interface to must support the number of network
/// interfaces you want to add" — a resize to a size with fewer NICs than attached fails.
#[test]
fn resize_below_the_attached_nic_count_is_refused_with_both_numbers() {
    let vm = create(
        "Standard_B2s",
        vec![r("a", Some(true)), r("b", None), r("c", None)],
    );
    assert_eq!(vm.size, "Standard_B2s");
    let mut s = spec("Standard_B1s", vec![]);
    s.nics = None;
    let e = update(&vm, s, 2000).unwrap_err();
    assert_eq!(e.code(), "NetworkInterfaceCountExceeded");
    assert_eq!(
        e.to_string(),
        "The number of network interfaces for virtual machine vm1 exceeds the maximum allowed for the virtual machine size Standard_B1s. The number of network interfaces is 3 and the maximum allowed is 2."
    );
    // A size that fits is fine; the catalogue's spelling is stored.
    let mut s = spec("standard_b4ms", vec![]);
    s.nics = None;
    let resized = update(&vm, s, 2000).unwrap();
    assert_eq!(resized.size, "Standard_B4ms");
    assert_eq!(resized.nics, vm.nics);
}

// ------------------------------------------------------------ rule 3: deallocated only

/// Seed: "You can add a network interface to, or remove (detach) a network interface to
/// from an existing VM, provided the VM is in the stopped (deallocated) state."
#[test]
fn nic_changes_need_a_deallocated_vm_stopped_is_not_enough() {
    for power in [PowerState::Running, PowerState::Stopped] {
        let e = nic_change_needs_deallocation("vm1", power, true).unwrap_err();
        assert_eq!(
            e.code(),
            "AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported"
        );
        assert_eq!(e.class(), ErrorClass::BadRequest);
        assert_eq!(
            e.to_string(),
            "Adding or deleting network interfaces on virtual machine vm1 is only supported when it is deallocated (stopped but still allocated is not enough). Deallocate it first."
        );
        assert_eq!(
            e.target().as_deref(),
            Some("networkProfile.networkInterfaces")
        );
        nic_change_needs_deallocation("vm1", power, false).unwrap();
    }
    nic_change_needs_deallocation("vm1", PowerState::Deallocated, true).unwrap();

    let vm = create("Standard_B2s", vec![r("a", Some(true)), r("b", None)]);
    for power in [PowerState::Running, PowerState::Stopped] {
        let mut v = vm.clone();
        v.power = power;
        // Add.
        let e = update(
            &v,
            spec(
                "Standard_B2s",
                vec![r("a", None), r("b", None), r("c", None)],
            ),
            2000,
        )
        .unwrap_err();
        assert_eq!(
            e.code(),
            "AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported"
        );
        // Remove.
        let e = update(&v, spec("Standard_B2s", vec![r("a", None)]), 2000).unwrap_err();
        assert_eq!(
            e.code(),
            "AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported"
        );
        // Same set (reordered, different case) is no change.
        let mut same = vec![r("b", None), r("a", Some(true))];
        same[0].id = ResourceId::parse(&same[0].id.as_str().to_uppercase()).unwrap();
        update(&v, spec("Standard_B2s", same), 2000).unwrap();
    }
    let added = update(
        &deallocated(vm),
        spec(
            "Standard_B2s",
            vec![r("a", None), r("b", None), r("c", None)],
        ),
        2000,
    )
    .unwrap();
    assert_eq!(added.nics.len(), 3);
    assert_eq!(added.power, PowerState::Deallocated);
}

// ------------------------------------------------------------ rule 4: at least one NIC

/// Seed: "...add or remove any number of network interfaces ... as long as the VM always
/// has at least one network interface."
#[test]
fn a_vm_keeps_at_least_one_nic() {
    let e = at_least_one_nic("vm1", 0).unwrap_err();
    assert_eq!(e.code(), "VirtualMachineMustHaveAtLeastOneNetworkInterface");
    assert_eq!(e.class(), ErrorClass::BadRequest);
    assert_eq!(
        e.to_string(),
        "Virtual machine vm1 must have at least one network interface."
    );
    at_least_one_nic("vm1", 1).unwrap();

    let vm = deallocated(create("Standard_B1s", vec![r("a", None)]));
    let e = update(&vm, spec("Standard_B1s", vec![]), 2000).unwrap_err();
    assert_eq!(e.code(), "VirtualMachineMustHaveAtLeastOneNetworkInterface");
    // Creating with an empty list is the same error.
    let e = plan_put(
        &vm_id("vm1"),
        None,
        spec("Standard_B1s", vec![]),
        &world(1),
        "g",
        1,
    )
    .unwrap_err();
    assert_eq!(e.code(), "VirtualMachineMustHaveAtLeastOneNetworkInterface");
}

// ------------------------------------------------------------ rule 5/6: primary

/// Seed: "By default, the first network interface in a VM is defined as the *primary*
/// network interface." A lone NIC is primary without being flagged.
#[test]
fn a_single_nic_is_primary_by_default() {
    let vm = create("Standard_B1s", vec![r("a", None)]);
    assert_eq!(primary_name(&vm), "a");
    // Even flagged false: a VM's only NIC is its primary.
    let vm = create("Standard_B1s", vec![r("a", Some(false))]);
    assert_eq!(primary_name(&vm), "a");
}

/// "With several NICs exactly one is primary": on create, several NICs with none flagged
/// primary is Azure's `NetworkInterfaceMustHavePrimaryPropertySet`.
#[test]
fn several_nics_none_flagged_on_create_is_refused() {
    let e = choose_primary(None, &[r("a", None), r("b", Some(false))], &[1, 2]).unwrap_err();
    assert_eq!(e.code(), "NetworkInterfaceMustHavePrimaryPropertySet");
    assert_eq!(e.class(), ErrorClass::BadRequest);
    assert_eq!(
        e.to_string(),
        format!(
            "Network interface {} must have Primary property set.",
            nic_id("a")
        )
    );
    let e = plan_put(
        &vm_id("vm1"),
        None,
        spec("Standard_B2s", vec![r("a", None), r("b", None)]),
        &world(1),
        "g",
        1,
    )
    .unwrap_err();
    assert_eq!(e.code(), "NetworkInterfaceMustHavePrimaryPropertySet");
    // Two flagged is refused too.
    let e = choose_primary(None, &[r("a", Some(true)), r("b", Some(true))], &[1, 2]).unwrap_err();
    assert_eq!(e.code(), "MultiplePrimaryNetworkInterfaces");
    assert_eq!(
        e.to_string(),
        format!(
            "Only one network interface of a virtual machine may be primary; {} and {} are both marked primary.",
            nic_id("a"),
            nic_id("b")
        )
    );
    // One flagged: that one, wherever it is in the list.
    let vm = create("Standard_B2s", vec![r("a", None), r("b", Some(true))]);
    assert_eq!(primary_name(&vm), "b");
}

/// On update, flagging every NIC false while the current primary stays attached is the
/// same error as on create.
#[test]
fn update_flagging_all_false_while_the_primary_stays_is_refused() {
    let vm = create("Standard_B2s", vec![r("a", Some(true)), r("b", None)]);
    let e = update(
        &vm,
        spec(
            "Standard_B2s",
            vec![r("a", Some(false)), r("b", Some(false))],
        ),
        2000,
    )
    .unwrap_err();
    assert_eq!(e.code(), "NetworkInterfaceMustHavePrimaryPropertySet");
    assert_eq!(
        e.to_string(),
        format!(
            "Network interface {} must have Primary property set.",
            nic_id("a")
        )
    );
}

/// Flags omitted on update keep the current primary (not the first in the list).
#[test]
fn update_with_flags_omitted_keeps_the_current_primary() {
    let vm = create("Standard_B2s", vec![r("a", None), r("b", Some(true))]);
    let same = update(
        &vm,
        spec("Standard_B2s", vec![r("a", None), r("b", None)]),
        2000,
    )
    .unwrap();
    assert_eq!(primary_name(&same), "b");
    let vm = deallocated(vm);
    let added = update(
        &vm,
        spec(
            "Standard_B2s",
            vec![r("c", None), r("a", None), r("b", None)],
        ),
        2000,
    )
    .unwrap();
    assert_eq!(primary_name(&added), "b");
    // A NIC flagged primary in the request wins over the current primary.
    let moved = update(
        &vm,
        spec("Standard_B2s", vec![r("a", Some(true)), r("b", None)]),
        2000,
    )
    .unwrap();
    assert_eq!(primary_name(&moved), "a");
}

/// Seed: "If you remove a primary network interface, Azure assigns the primary attribute
/// to the network interface that's been attached to the VM the longest."
#[test]
fn removing_the_primary_promotes_the_longest_attached_nic_not_the_first_listed() {
    // a (primary) and b at creation; c added later; then a removed and c listed first.
    let vm = deallocated(create(
        "Standard_B4ms",
        vec![r("a", Some(true)), r("b", None)],
    ));
    let vm = update(
        &vm,
        spec(
            "Standard_B4ms",
            vec![r("a", None), r("b", None), r("c", None)],
        ),
        5000,
    )
    .unwrap();
    assert_eq!(primary_name(&vm), "a");
    let seq = |v: &VirtualMachine, n: &str| {
        v.nics
            .iter()
            .find(|x| x.id == nic_id(n))
            .unwrap()
            .attached_seq
    };
    assert!(seq(&vm, "b") < seq(&vm, "c"), "b was attached before c");
    for flags in [None, Some(false)] {
        let next = update(
            &vm,
            spec("Standard_B4ms", vec![r("c", flags), r("b", flags)]),
            6000,
        )
        .unwrap();
        assert_eq!(primary_name(&next), "b", "flags {flags:?}");
        assert_eq!(next.nics[0].id, nic_id("c"), "list order is kept");
    }
    // Attachment times survive updates: b keeps its time when the list is reordered.
    let reordered = update(
        &vm,
        spec(
            "Standard_B4ms",
            vec![r("c", None), r("a", None), r("b", None)],
        ),
        7000,
    )
    .unwrap();
    assert_eq!(seq(&reordered, "b"), seq(&vm, "b"));
    // A NIC flagged primary in the request wins over the longest attached.
    let next = update(
        &vm,
        spec("Standard_B4ms", vec![r("b", None), r("c", Some(true))]),
        6000,
    )
    .unwrap();
    assert_eq!(primary_name(&next), "c");

    // choose_primary on its own: the smallest attachment time wins.
    let e = choose_primary(
        Some(&vm),
        &[r("d", None), r("c", None), r("e", None)],
        &[9, 3, 7],
    )
    .unwrap();
    assert_eq!(e, 1);
}

// ------------------------------------------------------------ rule 7: one VNet

/// Seed: "While network interfaces in the same VM can be connected to different subnets
/// within a VNet, the network interfaces must all be connected to the same VNet."
#[test]
fn nics_must_share_one_vnet() {
    let (a, b, x) = (
        facts("a", "vnet1", false),
        facts("b", "vnet1", false),
        facts("x", "vnet2", false),
    );
    nics_share_one_vnet("vm1", &[&a, &b]).unwrap();
    let e = nics_share_one_vnet("vm1", &[&a, &x]).unwrap_err();
    assert_eq!(e.code(), "SubnetsNotInSameVnet");
    assert_eq!(e.class(), ErrorClass::BadRequest);
    assert_eq!(
        e.to_string(),
        format!(
            "Network interfaces of virtual machine vm1 must be in the same virtual network: {} and {} differ.",
            vnet_id("vnet1"),
            vnet_id("vnet2")
        )
    );
    let e = plan_put(
        &vm_id("vm1"),
        None,
        spec("Standard_B2s", vec![r("a", Some(true)), r("x", None)]),
        &world(1),
        "g",
        1,
    )
    .unwrap_err();
    assert_eq!(e.code(), "SubnetsNotInSameVnet");
}

// ------------------------------------------------------------ rule 8: availability set

/// Seed: "You can only add a VM to an availability set when it's created though."
#[test]
fn availability_set_only_at_creation_is_409_on_availability_set_id() {
    let mut ctx = world(1);
    ctx.availability_sets
        .insert(set_id("as1").to_lowercase(), "eastus".into());
    let mut s = spec("Standard_B1s", vec![r("a", None)]);
    s.availability_set = Some(ResourceId::parse(&set_id("as1")).unwrap());
    let vm = plan_put(&vm_id("vm1"), None, s, &ctx, "g", 1).unwrap();
    assert_eq!(vm.availability_set.as_deref(), Some(set_id("as1").as_str()));

    // Same set, other spelling: fine.
    let upper = ResourceId::parse(&set_id("AS1").to_uppercase()).unwrap();
    availability_set_only_at_creation(Some(&vm), Some(&upper)).unwrap();
    for requested in [None, Some(ResourceId::parse(&set_id("as2")).unwrap())] {
        let e = availability_set_only_at_creation(Some(&vm), requested.as_ref()).unwrap_err();
        assert_eq!(e.code(), "PropertyChangeNotAllowed");
        assert_eq!(e.class(), ErrorClass::Conflict);
        assert_eq!(e.target().as_deref(), Some("availabilitySet.id"));
        assert_eq!(
            e.to_string(),
            "Changing property 'availabilitySet.id' is not allowed."
        );
    }
    // A VM created outside a set cannot join one later.
    let plain = create("Standard_B1s", vec![r("b", None)]);
    let mut s = spec("Standard_B1s", vec![r("b", None)]);
    s.availability_set = Some(ResourceId::parse(&set_id("as1")).unwrap());
    let e = plan_put(&vm_id("vm1"), Some(&plain), s, &ctx, "g", 2).unwrap_err();
    assert_eq!(e.code(), "PropertyChangeNotAllowed");
    // A set that does not exist (or is elsewhere) is a bad reference.
    let mut s = spec("Standard_B1s", vec![r("c", None)]);
    s.availability_set = Some(ResourceId::parse(&set_id("missing")).unwrap());
    let e = plan_put(&vm_id("vm2"), None, s, &ctx, "g", 1).unwrap_err();
    assert_eq!(e.code(), "InvalidResourceReference");
}

/// Azure fixes a VM's computer name, admin user and custom data at creation.
#[test]
fn fixed_os_settings_may_be_repeated_or_left_out_but_not_changed() {
    let old = [
        ("computerName", "\"web1\"".to_string()),
        ("adminUsername", "\"azureuser\"".to_string()),
    ];
    os_settings_unchanged("vm1", &old, &old).unwrap();
    os_settings_unchanged("vm1", &old, &[]).unwrap();
    // A setting the VM never had may be given (Azure keeps what creation gave; nothing here).
    os_settings_unchanged("vm1", &[], &old).unwrap();
    let e =
        os_settings_unchanged("vm1", &old, &[("adminUsername", "\"root\"".into())]).unwrap_err();
    assert_eq!(e.code(), "PropertyChangeNotAllowed");
    assert_eq!(e.class(), ErrorClass::Conflict);
    assert_eq!(e.target().as_deref(), Some("osProfile.adminUsername"));
    assert_eq!(
        e.to_string(),
        "Changing property 'osProfile.adminUsername' is not allowed."
    );
    let e = os_settings_unchanged("vm1", &old, &[("computerName", "\"web2\"".into())]).unwrap_err();
    assert_eq!(e.target().as_deref(), Some("osProfile.computerName"));
}

// The rest, by topic.
#[path = "vm_tests/ipv6_and_input.rs"]
mod ipv6_and_input;
#[path = "vm_tests/power.rs"]
mod power;
