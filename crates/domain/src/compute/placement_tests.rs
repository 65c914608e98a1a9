use super::*;

const SUB: &str = "/subscriptions/s/resourceGroups/g/providers";

fn lb(name: &str, sku: Sku) -> SkuUse {
    SkuUse {
        id: format!("{SUB}/Microsoft.Network/loadBalancers/{name}"),
        sku,
        load_balancer: true,
    }
}

fn pip(name: &str, sku: Sku) -> SkuUse {
    SkuUse {
        id: format!("{SUB}/Microsoft.Network/publicIPAddresses/{name}"),
        sku,
        load_balancer: false,
    }
}

fn set(name: &str) -> Group {
    Group::of(
        &format!("{SUB}/Microsoft.Compute/virtualMachines/unused"),
        Some(&format!("{SUB}/Microsoft.Compute/availabilitySets/{name}")),
    )
}

fn basic(name: &str, bound_to: Option<Group>) -> BasicLb {
    BasicLb {
        id: format!("{SUB}/Microsoft.Network/loadBalancers/{name}"),
        name: name.to_string(),
        bound_to,
    }
}

#[test]
fn a_lone_vm_is_its_own_group_and_ids_compare_case_blind() {
    let vm = format!("{SUB}/Microsoft.Compute/virtualMachines/VM1");
    assert_eq!(Group::of(&vm, None).id, vm);
    assert_eq!(Group::of(&vm, None).key, vm.to_ascii_lowercase());
    let upper = Group::of(
        "x",
        Some(&format!("{SUB}/Microsoft.Compute/availabilitySets/AS")),
    );
    assert_eq!(upper.key, set("as").key);
}

#[test]
fn one_sku_takes_any_number_of_one_sku() {
    assert_eq!(one_sku(&[]), Ok(()));
    assert_eq!(
        one_sku(&[lb("a", Sku::Basic), pip("b", Sku::Basic)]),
        Ok(())
    );
    assert_eq!(
        one_sku(&[
            pip("a", Sku::Standard),
            lb("b", Sku::Standard),
            pip("c", Sku::Standard)
        ]),
        Ok(())
    );
}

#[test]
fn mixing_skus_names_a_load_balancer_then_a_public_ip_in_azures_words() {
    let err = one_sku(&[
        pip("vm-ip", Sku::Basic),
        pip("other-ip", Sku::Basic),
        lb("web-lb", Sku::Standard),
    ])
    .unwrap_err();
    assert_eq!(
        err.code(),
        "DifferentSkuLoadBalancersAndPublicIPAddressNotAllowed"
    );
    assert_eq!(err.class(), crate::error::ErrorClass::BadRequest);
    assert_eq!(
        err.to_string(),
        format!(
            "Different basic sku and standard sku load balancer or public Ip resources in \
             availability set is not allowed {SUB}/Microsoft.Network/loadBalancers/web-lb and \
             {SUB}/Microsoft.Network/publicIPAddresses/vm-ip."
        )
    );
    // The load balancer on the first use's side is named first too.
    let err = one_sku(&[lb("basic-lb", Sku::Basic), pip("std-ip", Sku::Standard)]).unwrap_err();
    let DomainError::DifferentSkuLoadBalancersAndPublicIPAddressNotAllowed { first, second } = err
    else {
        panic!("{err:?}")
    };
    assert!(first.ends_with("/loadBalancers/basic-lb"), "{first}");
    assert!(second.ends_with("/publicIPAddresses/std-ip"), "{second}");
}

#[test]
fn two_public_ips_or_two_load_balancers_of_different_skus_clash_too() {
    let err = one_sku(&[pip("a", Sku::Basic), pip("b", Sku::Standard)]).unwrap_err();
    assert_eq!(
        err,
        DomainError::DifferentSkuLoadBalancersAndPublicIPAddressNotAllowed {
            first: pip("a", Sku::Basic).id,
            second: pip("b", Sku::Standard).id,
        }
    );
    let err = one_sku(&[lb("a", Sku::Standard), lb("b", Sku::Basic)]).unwrap_err();
    assert_eq!(
        err,
        DomainError::DifferentSkuLoadBalancersAndPublicIPAddressNotAllowed {
            first: lb("a", Sku::Standard).id,
            second: lb("b", Sku::Basic).id,
        }
    );
}

#[test]
fn a_vm_may_join_basic_load_balancers_free_or_serving_its_own_group() {
    let vm = format!("{SUB}/Microsoft.Compute/virtualMachines/vm1");
    let lbs = [basic("free", None), basic("ours", Some(set("AS1")))];
    assert_eq!(vm_joins_basic_lbs(&vm, &set("as1"), &lbs), Ok(()));
    assert_eq!(nic_joins_basic_lbs("nic", &set("as1"), &lbs), Ok(()));
}

#[test]
fn a_vm_of_another_group_is_refused_naming_every_load_balancer_as_azure_does() {
    let vm = format!("{SUB}/Microsoft.Compute/virtualMachines/vm2");
    let lone = Group::of(&vm, None);
    let lbs = [
        basic("lb-a", Some(set("as1"))),
        basic("free", None),
        basic("lb-b", Some(set("as2"))),
        basic("LB-A", Some(set("as1"))),
    ];
    let err = vm_joins_basic_lbs(&vm, &lone, &lbs).unwrap_err();
    assert_eq!(err.code(), "VmIsNotInSameAvailabilitySetAsLb");
    assert_eq!(err.class(), crate::error::ErrorClass::BadRequest);
    assert_eq!(
        err.to_string(),
        format!(
            "Virtual Machine {vm} is using different Availability Set than other Virtual \
             Machines connected to the Load Balancer(s) lb-a, lb-b."
        )
    );
}

#[test]
fn an_attached_nic_joining_a_basic_load_balancer_of_another_group_is_refused() {
    let nic = format!("{SUB}/Microsoft.Network/networkInterfaces/nic1");
    let vm = format!("{SUB}/Microsoft.Compute/virtualMachines/vm1");
    let lbs = [basic("lb", Some(set("as1")))];
    let err = nic_joins_basic_lbs(&nic, &Group::of(&vm, None), &lbs).unwrap_err();
    assert_eq!(
        err.code(),
        "NetworkInterfaceAndLoadBalancerAreInDifferentAvailabilitySets"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "Network interface {nic} uses load balancer {SUB}/Microsoft.Network/loadBalancers/lb \
             associated with different availability set ({}) than that of the network \
             interface's virtual machine ({vm}).",
            set("as1").id
        )
    );
}
