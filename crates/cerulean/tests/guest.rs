//! Guest networking over HTTPS against the real binary: the seed's Windows walk-through
//! through `runCommand` (route print, ipconfig, ping -S, route add -p, netsh on the target),
//! the Linux one (ip rule / ip route ... table), routes across restart and deallocation,
//! the default route moving to the new primary NIC, `effectiveRouteTable` and the next-hop
//! extension, names of the private DNS zones linked to the network, on SQLite and on
//! PostgreSQL.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const LOC: &str = "eastus";

fn net(rg: &str, ty: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/{ty}/{name}")
}

fn vm_id(rg: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{name}")
}

fn subnet(rg: &str, name: &str) -> String {
    format!("{}/subnets/{name}", net(rg, "virtualNetworks", "vnet"))
}

/// A group with the seed's VNet: 192.168.0.0/16 with subnets s1, s2, s3 (192.168.N.0/24).
async fn setup(s: &Server, rg: &str) {
    let (st, body) = s.put(&rg_path(rg), json!({"location": LOC})).await;
    assert!(st.is_success(), "{body}");
    let subnets: Vec<Value> = (1..=3)
        .map(|i| json!({"name": format!("s{i}"), "properties": {"addressPrefix": format!("192.168.{i}.0/24")}}))
        .collect();
    let (st, body) = s
        .put(
            &format!("{}?{API}", net(rg, "virtualNetworks", "vnet")),
            json!({"location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["192.168.0.0/16"]}, "subnets": subnets}}),
        )
        .await;
    assert!(st.is_success(), "{body}");
}

/// A NIC with one static address in subnet `sN`; returns its id.
async fn nic(s: &Server, rg: &str, name: &str, sub: u8, ip: &str) -> String {
    let id = net(rg, "networkInterfaces", name);
    let (st, body) = s
        .put(
            &format!("{id}?{API}"),
            json!({"location": LOC, "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {
                "subnet": {"id": subnet(rg, &format!("s{sub}"))},
                "privateIPAllocationMethod": "Static", "privateIPAddress": ip}}]}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    id
}

fn vm_body(name: &str, windows: bool, nics: &[&str]) -> Value {
    let image = if windows {
        json!({"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "sku": "2022-datacenter", "version": "latest"})
    } else {
        json!({"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"})
    };
    let refs: Vec<Value> = nics
        .iter()
        .enumerate()
        .map(|(i, id)| json!({"id": id, "properties": {"primary": i == 0}}))
        .collect();
    json!({"location": LOC, "properties": {
        "hardwareProfile": {"vmSize": "Standard_B2s"},
        "storageProfile": {"imageReference": image},
        "osProfile": {"computerName": name, "adminUsername": "azureuser", "adminPassword": "S3cret-Passw0rd!"},
        "networkProfile": {"networkInterfaces": refs}
    }})
}

async fn vm(s: &Server, rg: &str, name: &str, windows: bool, nics: &[&str]) -> String {
    let id = vm_id(rg, name);
    let (st, body) = s
        .put(&format!("{id}?{API}"), vm_body(name, windows, nics))
        .await;
    assert!(st.is_success(), "{body}");
    id
}

async fn power(s: &Server, vm: &str, op: &str) {
    let (st, _, body) = s
        .call(Method::POST, &format!("{vm}/{op}?{API}"), None)
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{op}: {body}");
}

/// Follows a 202's Location to its final body.
async fn final_body(s: &Server, hdrs: &reqwest::header::HeaderMap) -> Value {
    assert!(hdrs.get("azure-asyncoperation").is_some());
    let url = hdrs["location"].to_str().unwrap();
    let (st, _, body) = s
        .call(Method::GET, url.strip_prefix(&s.base).unwrap(), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    body
}

/// POST runCommand: `(stdout, stderr)`; checks Azure's result shape for the OS.
async fn run(s: &Server, vm: &str, windows: bool, script: &str) -> (String, String) {
    let command = if windows {
        "RunPowerShellScript"
    } else {
        "RunShellScript"
    };
    let (st, hdrs, body) = s
        .call(
            Method::POST,
            &format!("{vm}/runCommand?{API}"),
            Some(json!({"commandId": command, "script": script.lines().collect::<Vec<_>>()})),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    let result = final_body(s, &hdrs).await;
    let v = result["value"].as_array().unwrap();
    if windows {
        assert_eq!(v.len(), 2, "{result}");
        assert_eq!(v[0]["code"], "ComponentStatus/StdOut/succeeded");
        assert_eq!(v[1]["code"], "ComponentStatus/StdErr/succeeded");
        (
            v[0]["message"].as_str().unwrap().into(),
            v[1]["message"].as_str().unwrap().into(),
        )
    } else {
        assert_eq!(v.len(), 1, "{result}");
        assert_eq!(v[0]["code"], "ProvisioningState/succeeded");
        assert_eq!(v[0]["displayStatus"], "Provisioning succeeded");
        let m = v[0]["message"].as_str().unwrap();
        let rest = m
            .strip_prefix("Enable succeeded: \n[stdout]\n")
            .unwrap_or_else(|| panic!("{m}"));
        let (out, err) = rest.split_once("\n[stderr]\n").unwrap();
        (out.into(), err.into())
    }
}

/// The next-hop extension (Network Watcher's `nextHop` path; any watcher name).
async fn next_hop(s: &Server, rg: &str, vm: &str, src: &str, dst: &str) -> Value {
    let path = format!(
        "{}?{API}",
        net(rg, "networkWatchers", "NetworkWatcher_eastus/nextHop")
    );
    let body = json!({"targetResourceId": vm, "sourceIPAddress": src, "destinationIPAddress": dst});
    let (st, hdrs, answer) = s.call(Method::POST, &path, Some(body)).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{answer}");
    final_body(s, &hdrs).await
}

async fn windows_seed_walk_through(s: &Server) {
    let rg = "guest-win";
    setup(s, rg).await;
    let n1 = nic(s, rg, "nic1", 1, "192.168.1.4").await;
    let n2 = nic(s, rg, "nic2", 2, "192.168.2.4").await;
    let nt = nic(s, rg, "target-nic", 3, "192.168.3.4").await;
    let vm1 = vm(s, rg, "vm1", true, &[&n1, &n2]).await;
    let target = vm(s, rg, "target", true, &[&nt]).await;

    // 1. route print lists both adapters; interface 7 is the secondary.
    let (out, _) = run(s, &vm1, true, "route print").await;
    assert!(out.contains("Interface List\n3...00 0d 3a "), "{out}");
    assert!(
        out.contains(" ......Microsoft Hyper-V Network Adapter #4\n"),
        "{out}"
    );
    assert!(out.contains("\n7...00 0d 3a "), "{out}");
    assert!(
        out.contains(
            "          0.0.0.0          0.0.0.0      192.168.1.1      192.168.1.4     15\n"
        ),
        "{out}"
    );
    // 2. ipconfig: no default gateway on the secondary.
    let (out, _) = run(s, &vm1, true, "ipconfig").await;
    let second = out.split("Ethernet adapter Ethernet 2:").nth(1).unwrap();
    assert!(
        second.contains("IPv4 Address. . . . . . . . . . . : 192.168.2.4"),
        "{out}"
    );
    assert!(
        second.contains("Default Gateway . . . . . . . . . : \n"),
        "{out}"
    );

    // The target opens ICMP in its firewall (seed step 4); before that it does not answer.
    let (out, err) = run(s, &vm1, true, "ping 192.168.3.4").await;
    assert!(out.contains("Request timed out."), "{out}");
    assert!(err.contains("firewall"), "{err}");
    let (out, _) = run(
        s,
        &target,
        true,
        "netsh advfirewall firewall add rule name=Allow-ping protocol=icmpv4 dir=in action=allow",
    )
    .await;
    assert_eq!(out, "Ok.\n\n");
    let (out, _) = run(s, &vm1, true, "ping 192.168.3.4").await;
    assert!(out.contains("Reply from 192.168.3.4"), "{out}");

    // From the secondary's address: no route yet.
    let (out, err) = run(s, &vm1, true, "ping 192.168.3.4 -S 192.168.2.4").await;
    assert!(
        out.contains("Pinging 192.168.3.4 from 192.168.2.4 with 32 bytes of data:"),
        "{out}"
    );
    assert!(out.contains("General failure."), "{out}");
    assert!(err.contains("no default gateway"), "{err}");

    // The next-hop extension says why.
    let hop = next_hop(s, rg, &vm1, "192.168.2.4", "192.168.3.4").await;
    assert_eq!(hop["nextHopType"], "VnetLocal", "{hop}");
    assert_eq!(hop["routeTableId"], "System Route");
    assert_eq!(hop["guest"]["reachable"], false, "{hop}");
    assert!(
        hop["guest"]["reason"]
            .as_str()
            .unwrap()
            .contains("no default gateway"),
        "{hop}"
    );
    assert_eq!(
        next_hop(s, rg, &vm1, "192.168.1.4", "8.8.8.8").await["nextHopType"],
        "Internet"
    );

    // 3. The seed's route; 4. ping succeeds; 5. route print shows it.
    let (out, _) = run(
        s,
        &vm1,
        true,
        "route add -p 0.0.0.0 MASK 0.0.0.0 192.168.2.1 METRIC 5015 IF 7",
    )
    .await;
    assert_eq!(out, " OK!\n");
    let (out, _) = run(s, &vm1, true, "ping 192.168.3.4 -S 192.168.2.4").await;
    assert!(
        out.contains("Reply from 192.168.3.4: bytes=32 time=1ms TTL=128"),
        "{out}"
    );
    let hop = next_hop(s, rg, &vm1, "192.168.2.4", "192.168.3.4").await;
    assert_eq!(hop["guest"]["reachable"], true, "{hop}");
    assert_eq!(hop["guest"]["interface"], "Ethernet 2", "{hop}");
    assert_eq!(hop["guest"]["gateway"], "192.168.2.1", "{hop}");
    let (out, _) = run(s, &vm1, true, "route print").await;
    assert!(
        out.contains("          0.0.0.0          0.0.0.0      192.168.1.1      192.168.1.4     15\n          0.0.0.0          0.0.0.0      192.168.2.1      192.168.2.4   5015\n"),
        "{out}"
    );

    // Persistent: survives a restart and a deallocation.
    power(s, &vm1, "restart").await;
    power(s, &vm1, "deallocate").await;
    let (st, _, body) = s
        .call(
            Method::POST,
            &format!("{vm1}/runCommand?{API}"),
            Some(json!({"commandId": "RunPowerShellScript", "script": ["route print"]})),
        )
        .await;
    assert_error(st, &body, 409, "OperationNotAllowed");
    power(s, &vm1, "start").await;
    let (out, _) = run(s, &vm1, true, "ping 192.168.3.4 -S 192.168.2.4").await;
    assert!(out.contains("Reply from 192.168.3.4"), "{out}");

    // The narrower route instead (several lines in one script).
    let (out, _) = run(
        s,
        &vm1,
        true,
        "route delete 0.0.0.0 MASK 0.0.0.0 192.168.2.1\nroute add -p 192.168.3.0 MASK 255.255.255.0 192.168.2.1 METRIC 5015 IF 7\nping 192.168.3.4 -S 192.168.2.4",
    )
    .await;
    assert!(out.starts_with(" OK!\n OK!\n"), "{out}");
    assert!(out.contains("Reply from 192.168.3.4"), "{out}");
    let (out, _) = run(s, &vm1, true, "route print").await;
    assert!(
        out.contains(
            "      192.168.3.0    255.255.255.0      192.168.2.1      192.168.2.4   5015\n"
        ),
        "{out}"
    );

    // A non-persistent route is gone after a restart.
    run(
        s,
        &vm1,
        true,
        "route add 10.9.0.0 MASK 255.255.0.0 192.168.2.1",
    )
    .await;
    power(s, &vm1, "restart").await;
    let (out, _) = run(s, &vm1, true, "route print").await;
    assert!(!out.contains("10.9.0.0"), "{out}");
    assert!(out.contains("192.168.3.0"), "{out}");

    // Unknown commands answer like cmd.
    let (_, err) = run(s, &vm1, true, "frobnicate now").await;
    assert!(
        err.contains("'frobnicate' is not recognized as an internal or external command"),
        "{err}"
    );
    // The wrong runner for the OS, an unknown command id.
    let (st, _, body) = s
        .call(
            Method::POST,
            &format!("{vm1}/runCommand?{API}"),
            Some(json!({"commandId": "RunShellScript", "script": ["ls"]})),
        )
        .await;
    assert_error(st, &body, 400, "InvalidParameter");
    let (st, _, body) = s
        .call(
            Method::POST,
            &format!("{vm1}/runCommand?{API}"),
            Some(json!({"commandId": "Nope", "script": []})),
        )
        .await;
    assert_error(st, &body, 400, "InvalidParameter");

    // Effective routes of the NIC: Azure's default system routes.
    let (st, hdrs, body) = s
        .call(
            Method::POST,
            &format!("{n2}/effectiveRouteTable?{API}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    let routes = final_body(s, &hdrs).await;
    let v = routes["value"].as_array().unwrap();
    let has = |p: &str, t: &str| {
        v.iter().any(|r| {
            r["addressPrefix"][0] == p && r["nextHopType"] == t && r["source"] == "Default"
        })
    };
    assert!(has("192.168.0.0/16", "VnetLocal"), "{routes}");
    assert!(has("0.0.0.0/0", "Internet"), "{routes}");
    assert!(has("10.0.0.0/8", "None"), "{routes}");
    assert!(!has("192.168.0.0/16", "None"), "{routes}");
    power(s, &vm1, "deallocate").await;
    let (st, _, body) = s
        .call(
            Method::POST,
            &format!("{n2}/effectiveRouteTable?{API}"),
            None,
        )
        .await;
    assert_error(st, &body, 400, "InvalidParameter");
}

async fn linux_rules_and_tables(s: &Server) {
    let rg = "guest-linux";
    setup(s, rg).await;
    let n1 = nic(s, rg, "nic1", 1, "192.168.1.4").await;
    let n2 = nic(s, rg, "nic2", 2, "192.168.2.4").await;
    let nt = nic(s, rg, "target-nic", 3, "192.168.3.4").await;
    let vm1 = vm(s, rg, "vm1", false, &[&n1, &n2]).await;
    vm(s, rg, "target", false, &[&nt]).await;

    let (out, _) = run(s, &vm1, false, "ip addr").await;
    assert!(
        out.contains("3: eth1: ")
            && out.contains("inet 192.168.2.4/24 brd 192.168.2.255 scope global eth1"),
        "{out}"
    );
    let (out, _) = run(s, &vm1, false, "ip route").await;
    assert!(
        out.starts_with("default via 192.168.1.1 dev eth0 proto dhcp src 192.168.1.4 metric 100"),
        "{out}"
    );
    assert_eq!(out.matches("default").count(), 1, "{out}");

    // Weak host: eth1's address leaves through eth0 and Azure drops it.
    let (out, err) = run(s, &vm1, false, "ping -c 4 -I 192.168.2.4 192.168.3.4").await;
    assert!(
        out.contains("4 packets transmitted, 0 received, 100% packet loss"),
        "{out}"
    );
    assert!(err.contains("Azure dropped the packet"), "{err}");

    let (out, err) = run(
        s,
        &vm1,
        false,
        "sudo ip route add default via 192.168.2.1 dev eth1 table 200\nsudo ip rule add from 192.168.2.4 table 200\nip rule show\nping -c 2 -I 192.168.2.4 192.168.3.4",
    )
    .await;
    assert_eq!(err, "");
    assert!(
        out.contains("32765:\tfrom 192.168.2.4 lookup 200\n"),
        "{out}"
    );
    assert!(
        out.contains("2 packets transmitted, 2 received, 0% packet loss"),
        "{out}"
    );
    let (out, _) = run(s, &vm1, false, "ip route show table 200").await;
    assert_eq!(out, "default via 192.168.2.1 dev eth1 \n");

    // Linux routes and rules are not persistent: a restart forgets them.
    power(s, &vm1, "restart").await;
    let (out, _) = run(
        s,
        &vm1,
        false,
        "ip rule\nping -c 1 -I 192.168.2.4 192.168.3.4",
    )
    .await;
    assert!(!out.contains("lookup 200"), "{out}");
    assert!(out.contains("1 packets transmitted, 0 received"), "{out}");

    let (_, err) = run(s, &vm1, false, "echo hi\nfoo").await;
    assert_eq!(err, "bash: line 2: foo: command not found\n");
    let (_, err) = run(
        s,
        &vm1,
        false,
        "ip route add default via 10.1.1.1 dev eth1 table 9",
    )
    .await;
    assert_eq!(err, "Error: Nexthop has invalid gateway.\n");
}

async fn removing_the_primary_moves_the_default_route(s: &Server) {
    let rg = "guest-primary";
    setup(s, rg).await;
    let n1 = nic(s, rg, "nic1", 1, "192.168.1.4").await;
    let n2 = nic(s, rg, "nic2", 2, "192.168.2.4").await;
    let vm1 = vm(s, rg, "vm1", false, &[&n1, &n2]).await;
    let (out, _) = run(s, &vm1, false, "ip route").await;
    assert!(
        out.starts_with("default via 192.168.1.1 dev eth0 "),
        "{out}"
    );

    power(s, &vm1, "deallocate").await;
    let (st, body) = s
        .put(&format!("{vm1}?{API}"), vm_body("vm1", false, &[&n2]))
        .await;
    assert!(st.is_success(), "{body}");
    power(s, &vm1, "start").await;
    let (out, _) = run(s, &vm1, false, "ip route\nip addr").await;
    assert!(
        out.starts_with(
            "default via 192.168.2.1 dev eth0 proto dhcp src 192.168.2.4 metric 100 \n"
        ),
        "{out}"
    );
    assert!(!out.contains("192.168.1."), "{out}");
    assert!(out.contains("2: eth0: "), "{out}");
}

// ---------------------------------------------------------------- limits (issue 16)

/// A 110 KB request used to expand into a 100 MB result, and 20,000 `ip route add` lines
/// took 21 s: the script is capped once its parameters are substituted, each output stream
/// keeps its last 4,096 bytes (Azure's), the interpreters are linear, and a script that
/// would still take long is stopped by its work budget.
async fn run_command_is_bounded(s: &Server) {
    let rg = "guest-limits";
    setup(s, rg).await;
    let n1 = nic(s, rg, "nic1", 1, "192.168.1.4").await;
    let vm1 = vm(s, rg, "vm1", false, &[&n1]).await;

    let bomb = json!({"commandId": "RunShellScript", "script": ["$p".repeat(25_000)],
        "parameters": [{"name": "p", "value": "x".repeat(50_000)}]});
    let (st, _, body) = s
        .call(Method::POST, &format!("{vm1}/runCommand?{API}"), Some(bomb))
        .await;
    let m = assert_error(st, &body, 400, "InvalidParameter");
    assert!(m.contains("longer than 1048576 bytes"), "{m}");
    assert_eq!(body["error"]["target"], "script", "{body}");

    let adds: Vec<String> = (0..20_000)
        .map(|i| {
            format!(
                "ip route add 10.{}.{}.0/24 via 192.168.1.1",
                i / 256,
                i % 256
            )
        })
        .collect();
    let started = std::time::Instant::now();
    let (out, err) = run(s, &vm1, false, &adds.join("\n")).await;
    eprintln!(
        "20,000 ip route add lines answered in {:?}",
        started.elapsed()
    );
    assert_eq!((out.as_str(), err.as_str()), ("", ""));

    // Output: only the last 4,096 bytes of stdout.
    let (out, err) = run(s, &vm1, false, "ip route").await;
    assert_eq!(err, "");
    assert!(out.len() <= 4096 && out.len() > 4000, "{}", out.len());
    assert!(
        out.ends_with("10.78.31.0/24 via 192.168.1.1 dev eth0 \n192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.4 metric 100 \n"),
        "{out}"
    );

    // Printing 20,000 routes again and again is stopped by the work budget.
    let (out, err) = run(s, &vm1, false, &["ip route"; 500].join("\n")).await;
    assert!(out.len() <= 4096, "{}", out.len());
    assert!(err.contains("the script was stopped after line"), "{err}");
    let (out, _) = run(s, &vm1, false, "hostname").await;
    assert_eq!(out, "vm1\n", "the server and the VM still answer");
}

// ---------------------------------------------------------------- both stores

macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let s = super::Server::start(&[]);
                    super::$name(&s).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let url = super::fresh_postgres();
                    let s = super::Server::start(&["--database-url", &url]);
                    super::$name(&s).await;
                }
            )*
        }
    };
}

/// Names resolve in the guest through the private DNS zones linked to its network (A and
/// CNAME records), and only those: not before the link, not after it, not a zone linked to
/// another network.
async fn linked_zones_resolve_in_the_guest(s: &Server) {
    let rg = "guest-dns";
    setup(s, rg).await;
    let n1 = nic(s, rg, "nic1", 1, "192.168.1.4").await;
    let n2 = nic(s, rg, "nic2", 3, "192.168.3.4").await;
    let n3 = nic(s, rg, "nic3", 2, "192.168.2.4").await;
    let linux = vm(s, rg, "vm1", false, &[&n1]).await;
    vm(s, rg, "vm2", false, &[&n2]).await;
    let windows = vm(s, rg, "vm3", true, &[&n3]).await;
    let zone = net(rg, "privateDnsZones", "corp.internal");
    let put = |path: String, body: Value| async move {
        let (st, got) = s.put(&format!("{path}?{API}"), body).await;
        assert!(st.is_success(), "{path}: {got}");
    };
    put(zone.clone(), json!({"location": "global"})).await;
    put(
        format!("{zone}/A/db"),
        json!({"properties": {"ttl": 60, "aRecords": [{"ipv4Address": "192.168.3.4"}]}}),
    )
    .await;
    put(
        format!("{zone}/CNAME/www"),
        json!({"properties": {"ttl": 60, "cnameRecord": {"cname": "db.corp.internal"}}}),
    )
    .await;

    let (_, err) = run(s, &linux, false, "ping -c 1 www.corp.internal").await;
    assert_eq!(err, "ping: www.corp.internal: Name or service not known\n");
    let link = format!("{zone}/virtualNetworkLinks/vnet");
    put(
        link.clone(),
        json!({"location": "global", "properties": {
        "virtualNetwork": {"id": net(rg, "virtualNetworks", "vnet")}}}),
    )
    .await;
    let (out, _) = run(
        s,
        &linux,
        false,
        "ping -c 1 www.corp.internal\nnslookup www.corp.internal\ngetent hosts db.corp.internal",
    )
    .await;
    assert!(
        out.starts_with(
            "PING db.corp.internal (192.168.3.4) 56(84) bytes of data.\n64 bytes from 192.168.3.4"
        ),
        "{out}"
    );
    assert!(out.contains("www.corp.internal\tcanonical name = db.corp.internal.\nName:\tdb.corp.internal\nAddress: 192.168.3.4\n"), "{out}");
    assert!(out.ends_with("192.168.3.4     db.corp.internal\n"), "{out}");
    let (out, _) = run(
        s,
        &windows,
        true,
        "nslookup db.corp.internal\nping -n 1 www.corp.internal",
    )
    .await;
    assert!(
        out.contains("Name:    db.corp.internal\nAddress:  192.168.3.4\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "Pinging db.corp.internal [192.168.3.4] with 32 bytes of data:\nReply from 192.168.3.4"
        ),
        "{out}"
    );

    // Azure-provided name resolution: the network's VMs by host name, under the suffix every
    // NIC of the network shows.
    let mut suffixes = Vec::new();
    for nic in [&n1, &n2] {
        let (_, body) = s.get(&format!("{nic}?{API}")).await;
        suffixes.push(body["properties"]["dnsSettings"]["internalDomainNameSuffix"].clone());
    }
    assert_eq!(suffixes[0], suffixes[1]);
    let domain = suffixes[0].as_str().unwrap().to_string();
    assert!(domain.ends_with(".bx.internal.cloudapp.net"), "{domain}");
    let (out, _) = run(s, &linux, false, "ping -c 1 vm2\ngetent hosts vm3").await;
    assert!(
        out.starts_with(&format!(
            "PING vm2.{domain} (192.168.3.4) 56(84) bytes of data."
        )),
        "{out}"
    );
    assert!(
        out.ends_with(&format!("192.168.2.4     vm3.{domain} vm3\n")),
        "{out}"
    );
    let (out, _) = run(s, &windows, true, &format!("ping -n 1 vm1.{domain}")).await;
    assert!(
        out.contains(&format!(
            "Pinging vm1.{domain} [192.168.1.4] with 32 bytes of data:"
        )),
        "{out}"
    );

    // A zone linked to another network is not this one's.
    let (st, body) = s
        .put(
            &format!("{}?{API}", net(rg, "virtualNetworks", "other")),
            json!({"location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.50.0.0/16"]}}}),
        )
        .await;
    assert!(st.is_success(), "{body}");
    let far = net(rg, "privateDnsZones", "far.internal");
    put(far.clone(), json!({"location": "global"})).await;
    put(
        format!("{far}/A/x"),
        json!({"properties": {"ttl": 60, "aRecords": [{"ipv4Address": "192.168.3.4"}]}}),
    )
    .await;
    put(
        format!("{far}/virtualNetworkLinks/other"),
        json!({"location": "global", "properties": {
        "virtualNetwork": {"id": net(rg, "virtualNetworks", "other")}}}),
    )
    .await;
    let (out, _) = run(s, &linux, false, "nslookup x.far.internal").await;
    assert!(
        out.ends_with("** server can't find x.far.internal: NXDOMAIN\n\n"),
        "{out}"
    );

    // Unlinked, the zone resolves no more.
    let (st, _, body) = s.call(Method::DELETE, &format!("{link}?{API}"), None).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (_, err) = run(s, &linux, false, "ping -c 1 db.corp.internal").await;
    assert_eq!(err, "ping: db.corp.internal: Name or service not known\n");
}

/// A storage account's private endpoint in the VM's network, with its zone group and the
/// zone linked: the account's public name resolves, through its `privatelink` alias, to the
/// endpoint's address; the endpoint's NIC goes on no VM.
async fn a_private_endpoint_answers_for_its_service_in_the_guest(s: &Server) {
    let rg = "guest-pe";
    setup(s, rg).await;
    let n1 = nic(s, rg, "nic1", 1, "192.168.1.4").await;
    let linux = vm(s, rg, "vm1", false, &[&n1]).await;
    let put = |path: String, body: Value| async move {
        let (st, got) = s.put(&format!("{path}?{API}"), body).await;
        assert!(st.is_success(), "{path}: {got}");
        got
    };
    let acct = format!(
        "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/shop"
    );
    put(acct.clone(), json!({"location": LOC})).await;
    let pe = net(rg, "privateEndpoints", "shop-blob");
    let body = put(
        pe.clone(),
        json!({"location": LOC, "properties": {
            "subnet": {"id": subnet(rg, "s2")},
            "privateLinkServiceConnections": [{"name": "c", "properties": {
                "privateLinkServiceId": acct, "groupIds": ["blob"]}}]}}),
    )
    .await;
    let address = body["properties"]["customDnsConfigs"][0]["ipAddresses"][0]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(address, "192.168.2.4");
    let zone = net(rg, "privateDnsZones", "privatelink.blob.core.windows.net");
    put(zone.clone(), json!({"location": "global"})).await;
    put(
        format!("{pe}/privateDnsZoneGroups/default"),
        json!({"properties": {"privateDnsZoneConfigs": [{"name": "blob", "properties": {
            "privateDnsZoneId": zone}}]}}),
    )
    .await;

    // Unlinked, the zone is not the network's: the name is the internet's, out of reach.
    let (out, _) = run(s, &linux, false, "nslookup shop.blob.core.windows.net").await;
    assert!(out.contains("NXDOMAIN"), "{out}");
    put(
        format!("{zone}/virtualNetworkLinks/vnet"),
        json!({"location": "global", "properties": {
            "virtualNetwork": {"id": net(rg, "virtualNetworks", "vnet")}}}),
    )
    .await;
    let (out, _) = run(
        s,
        &linux,
        false,
        "nslookup shop.blob.core.windows.net\ngetent hosts shop.privatelink.blob.core.windows.net",
    )
    .await;
    assert!(
        out.contains("shop.blob.core.windows.net\tcanonical name = shop.privatelink.blob.core.windows.net.\nName:\tshop.privatelink.blob.core.windows.net\nAddress: 192.168.2.4\n"),
        "{out}"
    );
    assert!(
        out.ends_with("192.168.2.4     shop.privatelink.blob.core.windows.net\n"),
        "{out}"
    );

    // The endpoint's NIC is its own: no VM takes it.
    let (_, got) = s.get(&format!("{pe}?{API}")).await;
    let pe_nic = got["properties"]["networkInterfaces"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, body) = s
        .put(
            &format!("{}?{API}", vm_id(rg, "vm2")),
            vm_body("vm2", false, &[&pe_nic]),
        )
        .await;
    let msg = assert_error(st, &body, 400, "CannotModifyNicAttachedToPrivateEndpoint");
    assert!(msg.contains(&pe), "{msg}");
}

on_both_stores!(
    a_private_endpoint_answers_for_its_service_in_the_guest,
    linked_zones_resolve_in_the_guest,
    windows_seed_walk_through,
    linux_rules_and_tables,
    removing_the_primary_moves_the_default_route,
    run_command_is_bounded,
);
