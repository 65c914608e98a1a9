//! The reference index: each owner's references replaced as a set, the exclusive kinds (a
//! public IP, a NIC's VM, an inbound NAT rule, a network's registering DNS zone) refused a
//! second referrer by the database itself, and the reverse lookups over one key and a range.

use crate::{read, write, Ref, RefKind, Store, StoreError, EXCLUSIVE_REFS};
use std::sync::Arc;

fn reference(from: &str, to: &str, kind: RefKind, owner: &str) -> Ref {
    Ref {
        from_key: from.into(),
        from_id: from.to_uppercase(),
        to_key: to.into(),
        kind,
        owner_key: owner.into(),
    }
}

/// `refs` of `owner` lose on the exclusive-reference index, and nothing of them remains.
async fn refused_as_exclusive(store: &Arc<dyn Store>, owner: &'static str, refs: Vec<Ref>) {
    let err = write(&**store, move |tx| tx.set_refs(owner, &refs))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::Conflict {
            constraint: EXCLUSIVE_REFS.into()
        }
    );
    assert!(read(&**store, move |tx| tx.refs_of(owner))
        .await
        .unwrap()
        .is_empty());
}

pub async fn references_replace_per_owner_and_exclusive_ones_conflict(store: Arc<dyn Store>) {
    let refs = vec![
        reference(
            "/nic1/ipconfigurations/a",
            "/lb/pools/s1",
            RefKind::BackendPool,
            "/nic1",
        ),
        reference(
            "/nic1/ipconfigurations/b",
            "/lb/pools/s2",
            RefKind::BackendPool,
            "/nic1",
        ),
        reference(
            "/nic1/ipconfigurations/a",
            "/pip1",
            RefKind::PublicIp,
            "/nic1",
        ),
    ];
    write(&*store, move |tx| tx.set_refs("/nic1", &refs))
        .await
        .unwrap();
    let to_s1 = read(&*store, |tx| {
        tx.refs_to("/lb/pools/s1", RefKind::BackendPool)
    })
    .await
    .unwrap();
    assert_eq!(to_s1.len(), 1);
    assert_eq!(to_s1[0].from_id, "/NIC1/IPCONFIGURATIONS/A");
    let to_s2 = read(&*store, |tx| {
        tx.refs_to("/lb/pools/s2", RefKind::BackendPool)
    })
    .await
    .unwrap();
    assert_eq!(to_s2.len(), 1);
    assert_eq!(
        read(&*store, |tx| tx.refs_of("/nic1")).await.unwrap().len(),
        3
    );

    // A second referrer of the public IP loses, and nothing of its write remains.
    let other = vec![
        reference(
            "/nic2/ipconfigurations/a",
            "/lb/pools/s1",
            RefKind::BackendPool,
            "/nic2",
        ),
        reference(
            "/nic2/ipconfigurations/a",
            "/pip1",
            RefKind::PublicIp,
            "/nic2",
        ),
    ];
    refused_as_exclusive(&store, "/nic2", other).await;

    // So does a second referrer of an inbound NAT rule.
    let first = vec![reference(
        "/nic3/ipconfigurations/a",
        "/lb/inboundnatrules/ssh",
        RefKind::InboundNatRule,
        "/nic3",
    )];
    write(&*store, move |tx| tx.set_refs("/nic3", &first))
        .await
        .unwrap();
    let second = vec![reference(
        "/nic4/ipconfigurations/a",
        "/lb/inboundnatrules/ssh",
        RefKind::InboundNatRule,
        "/nic4",
    )];
    refused_as_exclusive(&store, "/nic4", second).await;
    write(&*store, |tx| tx.set_refs("/nic3", &[]))
        .await
        .unwrap();

    // And a second private DNS zone registering a network's VMs.
    let link = |zone: &'static str| vec![reference(zone, "/vnet1", RefKind::DnsRegistration, zone)];
    let first = link("/zone1/virtualnetworklinks/l");
    write(&*store, move |tx| {
        tx.set_refs("/zone1/virtualnetworklinks/l", &first)
    })
    .await
    .unwrap();
    refused_as_exclusive(
        &store,
        "/zone2/virtualnetworklinks/l",
        link("/zone2/virtualnetworklinks/l"),
    )
    .await;
    write(&*store, |tx| {
        tx.set_refs("/zone1/virtualnetworklinks/l", &[])
    })
    .await
    .unwrap();
    // Non-exclusive targets may have many referrers.
    let third = vec![reference(
        "/nic3/ipconfigurations/a",
        "/lb/pools/s1",
        RefKind::BackendPool,
        "/nic3",
    )];
    write(&*store, move |tx| tx.set_refs("/nic3", &third))
        .await
        .unwrap();
    assert_eq!(
        read(&*store, |tx| tx
            .refs_to("/lb/pools/s1", RefKind::BackendPool))
        .await
        .unwrap()
        .len(),
        2
    );

    // A link (to a network security group or route table) is not exclusive either.
    for owner in ["/nic3", "/vnet1"] {
        let mut refs = read(&*store, move |tx| tx.refs_of(owner)).await.unwrap();
        refs.push(reference(
            &format!("{owner}/subnets/a"),
            "/nsg1",
            RefKind::Linked,
            owner,
        ));
        write(&*store, move |tx| tx.set_refs(owner, &refs))
            .await
            .unwrap();
    }
    let linked = read(&*store, |tx| tx.refs_to("/nsg1", RefKind::Linked))
        .await
        .unwrap();
    assert_eq!(linked.len(), 2);
    assert!(linked.iter().all(|r| r.kind == RefKind::Linked));
    assert_eq!(
        read(&*store, |tx| tx.refs_to("/nsg1", RefKind::BackendPool))
            .await
            .unwrap()
            .len(),
        0
    );

    // Replacing an owner's refs drops the old ones.
    let fewer = vec![reference(
        "/nic1/ipconfigurations/a",
        "/lb/pools/s1",
        RefKind::BackendPool,
        "/nic1",
    )];
    write(&*store, move |tx| tx.set_refs("/nic1", &fewer))
        .await
        .unwrap();
    assert!(read(&*store, |tx| tx.refs_to("/pip1", RefKind::PublicIp))
        .await
        .unwrap()
        .is_empty());
    assert!(read(&*store, |tx| tx
        .refs_to("/lb/pools/s2", RefKind::BackendPool))
    .await
    .unwrap()
    .is_empty());
}

/// What a page of NICs is attached to, in one query: the references of one kind to any key
/// between the page's first and last, none outside, none of another kind.
pub async fn references_to_a_key_range(store: Arc<dyn Store>) {
    let nic = |g: &str, n: &str| format!("/s/rg/{g}/nics/{n}");
    let attach = |vm: &str, to: String| {
        reference(
            &format!("/s/rg/g/vms/{vm}"),
            &to,
            RefKind::Attachment,
            &format!("/s/rg/g/vms/{vm}"),
        )
    };
    let vm_refs = vec![
        (
            "vma",
            vec![attach("vma", nic("g", "n1")), attach("vma", nic("g", "n3"))],
        ),
        ("vmb", vec![attach("vmb", nic("g", "n2"))]),
        ("vmc", vec![attach("vmc", nic("g", "n9"))]),
        ("vmd", vec![attach("vmd", nic("h", "n1"))]),
    ];
    for (vm, refs) in vm_refs {
        let owner = format!("/s/rg/g/vms/{vm}");
        write(&*store, move |tx| tx.set_refs(&owner, &refs))
            .await
            .unwrap();
    }
    // Another kind pointing into the range is not returned.
    let pool = vec![reference(
        "/s/rg/g/nics/n2/ipconfigurations/a",
        &nic("g", "n2"),
        RefKind::BackendPool,
        "/s/rg/g/nics/n2",
    )];
    write(&*store, move |tx| tx.set_refs("/s/rg/g/nics/n2", &pool))
        .await
        .unwrap();

    let (first, last) = (nic("g", "n1"), nic("g", "n3"));
    let found = read(&*store, move |tx| {
        tx.refs_to_range(&first, &last, RefKind::Attachment)
    })
    .await
    .unwrap();
    let pairs: Vec<(String, String)> = found
        .iter()
        .map(|r| (r.to_key.clone(), r.from_key.clone()))
        .collect();
    assert_eq!(
        pairs,
        vec![
            (nic("g", "n1"), "/s/rg/g/vms/vma".to_string()),
            (nic("g", "n2"), "/s/rg/g/vms/vmb".to_string()),
            (nic("g", "n3"), "/s/rg/g/vms/vma".to_string()),
        ]
    );
    assert!(found.iter().all(|r| r.kind == RefKind::Attachment));
    assert_eq!(found[1].from_id, "/S/RG/G/VMS/VMB");
    // One key: the same as refs_to.
    let one = nic("g", "n9");
    let found = read(&*store, move |tx| {
        tx.refs_to_range(&one, &one, RefKind::Attachment)
    })
    .await
    .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].owner_key, "/s/rg/g/vms/vmc");
    // Nothing in range, and every kind answers on its own.
    let (a, b) = (nic("g", "n4"), nic("g", "n8"));
    assert!(read(&*store, move |tx| tx.refs_to_range(
        &a,
        &b,
        RefKind::Attachment
    ))
    .await
    .unwrap()
    .is_empty());
    let (a, b) = (nic("g", "n1"), nic("g", "n3"));
    let pools = read(&*store, move |tx| {
        tx.refs_to_range(&a, &b, RefKind::BackendPool)
    })
    .await
    .unwrap();
    assert_eq!(pools.len(), 1);
    assert_eq!(pools[0].kind, RefKind::BackendPool);
    for kind in [RefKind::PublicIp, RefKind::AvailabilitySet, RefKind::Linked] {
        let (a, b) = (nic("g", "n1"), nic("g", "n3"));
        assert!(read(&*store, move |tx| tx.refs_to_range(&a, &b, kind))
            .await
            .unwrap()
            .is_empty());
        assert!(read(&*store, move |tx| tx.refs_to("/s/rg/g/nics/n2", kind))
            .await
            .unwrap()
            .is_empty());
    }
}
