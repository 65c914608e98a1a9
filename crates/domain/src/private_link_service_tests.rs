use super::*;
use crate::error::ErrorClass;

const PLS: &str =
    "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/privateLinkServices/svc";

fn frontend() -> FrontendFacts {
    FrontendFacts {
        id: "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb/frontendIPConfigurations/fe".into(),
        exists: true,
        internal: true,
        standard: true,
        vnet_key: Some("/subscriptions/s1/resourcegroups/rg/providers/microsoft.network/virtualnetworks/v".into()),
    }
}

fn subnet() -> NatSubnetFacts {
    NatSubnetFacts {
        id: "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/nat".into(),
        exists: true,
        policies_disabled: true,
        vnet_key: "/subscriptions/s1/resourcegroups/rg/providers/microsoft.network/virtualnetworks/v".into(),
    }
}

#[test]
fn aliases_and_nic_names() {
    let a = alias("svc", "1234", "eastus");
    assert_eq!(a, "svc.1234.eastus.azure.privatelinkservice");
    assert!(is_alias(&a) && is_alias(&a.to_uppercase()));
    assert!(!is_alias(PLS) && !is_alias("svc.eastus"));
    assert_eq!(nic_name("svc", "1234"), "svc.nic.1234");
}

#[test]
fn a_service_fronts_a_standard_internal_frontend_with_nat_addresses_beside_it() {
    check(PLS, &[frontend()], &[subnet()]).unwrap();
    let e = check(PLS, &[], &[subnet()]).unwrap_err();
    assert_eq!(e.code(), "InvalidParameter");
    let missing = FrontendFacts {
        exists: false,
        ..frontend()
    };
    assert_eq!(
        check(PLS, &[missing], &[subnet()]).unwrap_err().code(),
        "InvalidResourceReference"
    );
    for bad in [
        FrontendFacts {
            internal: false,
            ..frontend()
        },
        FrontendFacts {
            standard: false,
            ..frontend()
        },
    ] {
        let e = check(PLS, &[bad], &[subnet()]).unwrap_err();
        assert_eq!(e.code(), "InvalidParameter");
        assert!(
            e.to_string().contains("Standard internal load balancer"),
            "{e}"
        );
    }
    let nine = vec![subnet(); 9];
    assert!(check(PLS, &[frontend()], &nine)
        .unwrap_err()
        .to_string()
        .contains("between 1 and 8"));
    assert!(check(PLS, &[frontend()], &[]).is_err());
    let elsewhere = NatSubnetFacts {
        vnet_key: "/other".into(),
        ..subnet()
    };
    assert_eq!(
        check(PLS, &[frontend()], &[elsewhere]).unwrap_err().code(),
        "InvalidParameter"
    );
}

#[test]
fn nat_addresses_need_the_subnets_service_policies_disabled() {
    let enabled = NatSubnetFacts {
        policies_disabled: false,
        ..subnet()
    };
    let e = check(PLS, &[frontend()], &[enabled]).unwrap_err();
    assert_eq!(
        e.code(),
        "PrivateLinkServiceNetworkPoliciesCannotBeEnabledOnPrivateLinkServiceSubnet"
    );
    assert_eq!(e.class(), ErrorClass::BadRequest);
    assert!(e.to_string().contains(&subnet().id), "{e}");
}

#[test]
fn visibility_and_auto_approval_decide_a_new_connection() {
    let audience = Audience {
        owner: "s1".into(),
        visibility: vec!["s2".into()],
        auto_approval: vec!["s3".into()],
    };
    // The owner's own subscription, automatic: approved; manual: pending.
    assert_eq!(
        connection_state(PLS, &audience, "S1", false, "m")
            .unwrap()
            .0,
        Status::Approved
    );
    assert_eq!(
        connection_state(PLS, &audience, "s1", true, "m").unwrap(),
        (Status::Pending, "m".into())
    );
    // Visible: a manual request waits.
    assert_eq!(
        connection_state(PLS, &audience, "s2", true, "m").unwrap().0,
        Status::Pending
    );
    // Auto-approved: approved whatever the request.
    assert_eq!(
        connection_state(PLS, &audience, "s3", true, "m").unwrap(),
        (Status::Approved, "Auto-Approved".into())
    );
    let e = connection_state(PLS, &audience, "s4", true, "m").unwrap_err();
    assert_eq!(e.code(), "PrivateLinkServiceNotVisible");
    assert!(e.to_string().contains("s4"), "{e}");
    let everyone = Audience {
        visibility: vec!["*".into()],
        ..audience
    };
    assert_eq!(
        connection_state(PLS, &everyone, "s9", true, "").unwrap().0,
        Status::Pending
    );
}
