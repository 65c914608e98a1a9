//! NICs racing to be attached: two VMs created at once with one NIC, and attachments and
//! detachments racing on stopped VMs. A NIC is on one VM at most, and it says which.

use super::*;

/// Two VMs created at once, on different servers, with the same NIC: one wins, the other
/// gets `NicInUse`, and the NIC is on the winner only.
pub(super) async fn two_vms_racing_for_one_nic(c: &mut Cluster) {
    let subnet = network(c.at(0), "rg", "10.0.1.0/24").await;
    for round in 0..4 {
        let nic = nic_id("rg", &format!("shared{round}"));
        create(c.at(round), &nic, nic_body(&subnet, json!({}))).await;
        let vms: Vec<String> = (0..2)
            .map(|i| vm_id("rg", &format!("r{round}vm{i}")))
            .collect();
        let tasks = (0..2)
            .map(|i| spawn_call(c.at(i), Method::PUT, at(&vms[i]), Some(vm_body(&nic))))
            .collect();
        let results = join(tasks).await;
        let winners: Vec<usize> = (0..2)
            .filter(|&i| results[i].0 == StatusCode::CREATED)
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {results:?}");
        let (w, l) = (winners[0], 1 - winners[0]);
        assert_error(results[l].0, &results[l].1, 400, "NicInUse");
        let (_, got) = c.at(round + 1).get(&at(&nic)).await;
        assert_eq!(
            got["properties"]["virtualMachine"]["id"]
                .as_str()
                .map(str::to_lowercase),
            Some(vms[w].to_lowercase()),
            "{got}"
        );
        let (st, _) = c.at(round).get(&at(&vms[l])).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
    c.check().await;
}

/// The VM PUT body that gives a VM exactly these NICs, the first primary.
fn vm_nics_body(nics: &[&str]) -> Value {
    let refs: Vec<Value> = nics
        .iter()
        .enumerate()
        .map(|(i, n)| json!({"id": n, "properties": {"primary": i == 0}}))
        .collect();
    json!({"location": LOC, "properties": {
        "hardwareProfile": {"vmSize": "Standard_B1s"},
        "networkProfile": {"networkInterfaces": refs}}})
}

/// PUTs of `path` sent one after the other on their own task: the first answer that is not
/// 200, or the last one.
fn spawn_puts(s: &Server, path: String, bodies: Vec<Value>) -> Call {
    let (client, url) = (s.client.clone(), s.url(&path));
    tokio::spawn(async move {
        let mut last = None;
        for b in bodies {
            let resp = client.put(&url).json(&b).send().await.ok()?;
            let st = resp.status();
            let body = resp.json().await.unwrap_or(Value::Null);
            last = Some((st, body));
            if st != StatusCode::OK {
                break;
            }
        }
        last
    })
}

/// Which VM the NIC is attached to, lower-cased, through server `s`.
async fn attached_to(s: &Server, nic: &str) -> Option<String> {
    let (st, got) = s.get(&at(nic)).await;
    assert_eq!(st, StatusCode::OK, "{got}");
    got["properties"]["virtualMachine"]["id"]
        .as_str()
        .map(str::to_lowercase)
}

/// Attaching and detaching NICs of stopped VMs on both servers at once (a VM's PUT locks
/// its VM, NICs and disks only): four VMs racing to add one spare NIC make one winner and
/// three `NicInUse`; the winner letting it go while the others try again leaves it on at
/// most one VM, the one whose PUT succeeded; then every VM adds and removes its own NIC
/// five times while that NIC is rewritten beside it, and every request succeeds.
pub(super) async fn attach_races_on_stopped_vms(c: &mut Cluster) {
    let subnet = network(c.at(0), "rg", "10.0.3.0/24").await;
    let spare = nic_id("rg", "spare");
    create(c.at(0), &spare, nic_body(&subnet, json!({}))).await;
    let mut vms = Vec::new();
    for i in 0..4 {
        let (vm, primary, own) = (
            vm_id("rg", &format!("vm{i}")),
            nic_id("rg", &format!("p{i}")),
            nic_id("rg", &format!("o{i}")),
        );
        create(c.at(i), &primary, nic_body(&subnet, json!({}))).await;
        create(c.at(i), &own, nic_body(&subnet, json!({}))).await;
        create(c.at(i), &vm, vm_body(&primary)).await;
        let (st, _, body) = c
            .at(i)
            .call(Method::POST, &format!("{vm}/deallocate?{API}"), None)
            .await;
        assert_eq!(st, StatusCode::ACCEPTED, "{body}");
        vms.push((vm, primary, own));
    }

    let tasks = vms
        .iter()
        .enumerate()
        .map(|(i, (vm, p, _))| spawn_puts(c.at(i), at(vm), vec![vm_nics_body(&[p, &spare])]))
        .collect();
    let results = join(tasks).await;
    let winners: Vec<usize> = (0..4).filter(|&i| results[i].0 == StatusCode::OK).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for (i, (st, body)) in results.iter().enumerate() {
        if i != winners[0] {
            assert_error(*st, body, 400, "NicInUse");
        }
    }
    let w = winners[0];
    assert_eq!(
        attached_to(c.at(1), &spare).await,
        Some(vms[w].0.to_lowercase())
    );

    // The winner lets go while the others try again.
    let tasks = vms
        .iter()
        .enumerate()
        .map(|(i, (vm, p, _))| {
            let nics = if i == w {
                vec![p.as_str()]
            } else {
                vec![p.as_str(), &spare]
            };
            spawn_puts(c.at(i), at(vm), vec![vm_nics_body(&nics)])
        })
        .collect();
    let results = join(tasks).await;
    assert_eq!(results[w].0, StatusCode::OK, "{:?}", results[w]);
    let mut holder = None;
    for (i, (st, body)) in results.iter().enumerate().filter(|(i, _)| *i != w) {
        match st.as_u16() {
            200 => assert!(holder.replace(i).is_none(), "{results:?}"),
            _ => {
                assert_error(*st, body, 400, "NicInUse");
            }
        }
    }
    let want = holder.map(|i| vms[i].0.to_lowercase());
    assert_eq!(attached_to(c.at(0), &spare).await, want);
    if let Some(i) = holder {
        // A B1s takes two NICs: the spare goes before the VM cycles its own.
        let (vm, p, _) = &vms[i];
        let (st, body) = c.at(i).put(&at(vm), vm_nics_body(&[p])).await;
        assert_eq!(st, StatusCode::OK, "{body}");
    }

    // Each VM cycles its own NIC while that NIC is rewritten through the other server.
    let mut tasks = Vec::new();
    for (i, (vm, p, own)) in vms.iter().enumerate() {
        let cycles = (0..5)
            .flat_map(|_| [vm_nics_body(&[p, own]), vm_nics_body(&[p])])
            .collect();
        tasks.push(spawn_puts(c.at(i), at(vm), cycles));
        let rewrites = (0..5)
            .map(|round| {
                let mut body = nic_body(&subnet, json!({}));
                body["tags"] = json!({"round": round.to_string()});
                body
            })
            .collect();
        tasks.push(spawn_puts(c.at(i + 1), at(own), rewrites));
    }
    for (st, body) in join(tasks).await {
        assert_eq!(st, StatusCode::OK, "{body}");
    }
    for (vm, p, own) in &vms {
        assert_eq!(attached_to(c.at(0), own).await, None);
        let (_, got) = c.at(1).get(&at(vm)).await;
        let nics = &got["properties"]["networkProfile"]["networkInterfaces"];
        assert_eq!(nics.as_array().map(Vec::len), Some(1), "{got}");
        assert_eq!(
            nics[0]["id"].as_str().map(str::to_lowercase),
            Some(p.to_lowercase())
        );
    }
    // On PostgreSQL every one of these PUTs ran beside the others, none alone: 4 VM
    // creates, 8 racing PUTs, 40 cycling ones and their 20 NIC rewrites at least.
    assert_keyed(c, 72).await;
    c.check().await;
}
