//! The Windows command prompt: `route print|add|delete`, `ipconfig [/all]`, `ping`,
//! `netsh advfirewall firewall add rule ...`, `hostname`. Output is laid out as Windows lays
//! it out (the seed's `route print` excerpts are reproduced exactly).

use super::azure::Network;
use super::{mask_of, ping, prefix_of, Guest, Origin, Output, PingOutcome, UserRoute};
use std::net::Ipv4Addr;

const RULE: &str = "===========================================================================";

fn ok(stdout: impl Into<String>) -> Output {
    Output {
        stdout: stdout.into(),
        stderr: String::new(),
        code: 0,
    }
}

fn fail(stdout: impl Into<String>, code: i32) -> Output {
    Output {
        stdout: stdout.into(),
        stderr: String::new(),
        code,
    }
}

fn err(stderr: impl Into<String>, code: i32) -> Output {
    Output {
        stdout: String::new(),
        stderr: stderr.into(),
        code,
    }
}

pub fn run(guest: &mut Guest, net: &Network, line: &str) -> Output {
    let words: Vec<&str> = line.split_whitespace().collect();
    let cmd = words[0].to_ascii_lowercase();
    let cmd = cmd.trim_end_matches(".exe");
    match cmd {
        "route" => route(guest, &words[1..]),
        "ipconfig" => ipconfig(guest, words.get(1).is_some_and(|w| w.eq_ignore_ascii_case("/all"))),
        "ping" => ping_cmd(guest, net, &words[1..]),
        "nslookup" => nslookup(net, &words[1..]),
        "netsh" => netsh(guest, &words[1..]),
        "hostname" => ok(format!("{}\n", guest.hostname)),
        _ => err(
            format!(
                "'{}' is not recognized as an internal or external command,\noperable program or batch file.\n",
                words[0]
            ),
            1,
        ),
    }
}

const ROUTE_USAGE: &str = "\nManipulates network routing tables.\n\nROUTE [-f] [-p] [-4|-6] command [destination]\n                  [MASK netmask]  [gateway] [METRIC metric]  [IF interface]\n\n  command      One of these:\n                 PRINT     Prints  a route\n                 ADD       Adds    a route\n                 DELETE    Deletes a route\n                 CHANGE    Modifies an existing route\n";

fn route(guest: &mut Guest, args: &[&str]) -> Output {
    let mut persistent = false;
    let mut rest = Vec::new();
    for a in args {
        match a.to_ascii_lowercase().as_str() {
            "-p" => persistent = true,
            "-4" | "-f" => {}
            _ => rest.push(*a),
        }
    }
    let Some(cmd) = rest.first().map(|c| c.to_ascii_lowercase()) else {
        return fail(ROUTE_USAGE, 1);
    };
    match cmd.as_str() {
        "print" => ok(route_print(guest)),
        "add" => route_add(guest, &rest[1..], persistent),
        "delete" => route_delete(guest, &rest[1..]),
        _ => fail(ROUTE_USAGE, 1),
    }
}

/// `DEST [MASK m] [GW] [METRIC n] [IF i]`.
struct RouteArgs {
    dest: Ipv4Addr,
    mask: Option<Ipv4Addr>,
    gateway: Option<Ipv4Addr>,
    metric: Option<u32>,
    iface: Option<u32>,
}

fn parse_route_args(args: &[&str]) -> Result<RouteArgs, Output> {
    let bad = |what: &str, v: &str| fail(format!("route: bad {what} {v}\n"), 1);
    let Some(d) = args.first() else {
        return Err(fail(ROUTE_USAGE, 1));
    };
    let dest: Ipv4Addr = d.parse().map_err(|_| bad("destination address", d))?;
    let mut r = RouteArgs {
        dest,
        mask: None,
        gateway: None,
        metric: None,
        iface: None,
    };
    let mut i = 1;
    while i < args.len() {
        let key = args[i].to_ascii_lowercase();
        let val = args.get(i + 1).copied();
        match key.as_str() {
            "mask" | "metric" | "if" => {
                let Some(v) = val else {
                    return Err(fail(ROUTE_USAGE, 1));
                };
                match key.as_str() {
                    "mask" => r.mask = Some(v.parse().map_err(|_| bad("mask", v))?),
                    "metric" => r.metric = Some(v.parse().map_err(|_| bad("metric", v))?),
                    _ => r.iface = Some(v.parse().map_err(|_| bad("interface", v))?),
                }
                i += 2;
            }
            _ => {
                r.gateway = Some(
                    args[i]
                        .parse()
                        .map_err(|_| bad("gateway address", args[i]))?,
                );
                i += 1;
            }
        }
    }
    Ok(r)
}

fn route_add(guest: &mut Guest, args: &[&str], persistent: bool) -> Output {
    let a = match parse_route_args(args) {
        Ok(a) => a,
        Err(o) => return o,
    };
    let mask = a.mask.unwrap_or(Ipv4Addr::BROADCAST);
    let Some(prefix) = prefix_of(mask) else {
        return fail(
            "The route addition failed: The parameter is incorrect.\n\n",
            1,
        );
    };
    if u32::from(a.dest) & !u32::from(mask) != 0 {
        return fail(
            "route: Invalid MASK generates an error, that is when (DEST & MASK) != DEST.\n",
            1,
        );
    }
    let Some(gw) = a.gateway else {
        return fail(ROUTE_USAGE, 1);
    };
    let nic = match a.iface {
        Some(i) => guest.nic_by_if_index(i).filter(|n| guest.on_link(*n, gw)),
        None => (0..guest.nics.len()).find(|n| guest.on_link(*n, gw)),
    };
    let Some(nic) = nic else {
        return fail(
            "The route addition failed: Either the interface index is wrong or the gateway does not lie on the same network as the interface. Check the IP Address Table for the machine.\n\n",
            1,
        );
    };
    let nic_id = guest.nics[nic].id.clone();
    let metric = a.metric.unwrap_or(1);
    if guest.windows_route_exists(a.dest, prefix, Some(gw), &nic_id) {
        return fail(
            "The route addition failed: The object already exists.\n\n",
            1,
        );
    }
    guest.add_route(UserRoute {
        table: "main".into(),
        dest: a.dest,
        prefix,
        gateway: Some(gw),
        nic: nic_id,
        metric,
        persistent,
    });
    ok(" OK!\n")
}

fn route_delete(guest: &mut Guest, args: &[&str]) -> Output {
    let a = match parse_route_args(args) {
        Ok(a) => a,
        Err(o) => return o,
    };
    let prefix = a.mask.and_then(prefix_of);
    let removed = guest.retain_routes(|r| {
        !(r.dest == a.dest
            && prefix.is_none_or(|p| p == r.prefix)
            && a.gateway.is_none_or(|g| r.gateway == Some(g)))
    });
    if removed == 0 {
        return fail("The route deletion failed: Element not found.\n\n", 1);
    }
    ok(" OK!\n")
}

fn mac_spaced(mac: &str) -> String {
    mac.split(['-', ':'])
        .map(|p| p.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

fn row(dest: Ipv4Addr, mask: Ipv4Addr, gw: &str, iface: &str, metric: u32) -> String {
    format!(
        "{:>17}{:>17}{:>17}{:>17}{:>7}\n",
        dest.to_string(),
        mask.to_string(),
        gw,
        iface,
        metric
    )
}

/// `route print` (IPv4 part).
pub fn route_print(guest: &Guest) -> String {
    let mut s = String::new();
    s.push_str(RULE);
    s.push_str("\nInterface List\n");
    for (i, n) in guest.nics.iter().enumerate() {
        s.push_str(&format!(
            "{}...{} ......Microsoft Hyper-V Network Adapter #{}\n",
            guest.if_index(i),
            mac_spaced(&n.mac),
            i + 3
        ));
    }
    s.push_str("1...........................Software Loopback Interface 1\n");
    s.push_str(RULE);
    s.push_str("\n\nIPv4 Route Table\n");
    s.push_str(RULE);
    s.push_str("\nActive Routes:\nNetwork Destination        Netmask          Gateway       Interface  Metric\n");
    let mut rows: Vec<(u32, u8, u32, String)> = Vec::new();
    let mut add = |dest: Ipv4Addr, prefix: u8, gw: &str, iface: &str, metric: u32| {
        rows.push((
            u32::from(dest),
            prefix,
            metric,
            row(dest, mask_of(prefix), gw, iface, metric),
        ));
    };
    for r in guest.routes() {
        let iface = guest.nics[r.nic]
            .primary_addr()
            .map(|a| a.ip.to_string())
            .unwrap_or_default();
        let gw = r
            .gateway
            .map(|g| g.to_string())
            .unwrap_or_else(|| "On-link".into());
        add(r.dest.network(), r.dest.prefix_len(), &gw, &iface, r.metric);
        if r.origin == Origin::Connected {
            add(r.dest.broadcast(), 32, "On-link", &iface, r.metric);
        }
    }
    let lo = "127.0.0.1";
    add(Ipv4Addr::new(127, 0, 0, 0), 8, "On-link", lo, 331);
    add(Ipv4Addr::new(127, 0, 0, 1), 32, "On-link", lo, 331);
    add(Ipv4Addr::new(127, 255, 255, 255), 32, "On-link", lo, 331);
    add(Ipv4Addr::new(224, 0, 0, 0), 4, "On-link", lo, 331);
    add(Ipv4Addr::BROADCAST, 32, "On-link", lo, 331);
    for n in &guest.nics {
        for a in &n.addrs {
            add(
                a.ip,
                32,
                "On-link",
                &a.ip.to_string(),
                super::WINDOWS_ONLINK_METRIC,
            );
        }
        if let Some(a) = n.primary_addr() {
            add(
                Ipv4Addr::new(224, 0, 0, 0),
                4,
                "On-link",
                &a.ip.to_string(),
                super::WINDOWS_ONLINK_METRIC,
            );
            add(
                Ipv4Addr::BROADCAST,
                32,
                "On-link",
                &a.ip.to_string(),
                super::WINDOWS_ONLINK_METRIC,
            );
        }
    }
    rows.sort_by_key(|r| (r.0, r.1, r.2));
    rows.dedup_by(|a, b| a.3 == b.3);
    for r in &rows {
        s.push_str(&r.3);
    }
    s.push_str(RULE);
    s.push_str("\nPersistent Routes:\n");
    let persistent: Vec<&UserRoute> = guest
        .changes
        .routes
        .iter()
        .filter(|r| r.persistent)
        .collect();
    if persistent.is_empty() {
        s.push_str("  None\n");
    } else {
        s.push_str("  Network Address          Netmask  Gateway Address  Metric\n");
        for r in persistent {
            let gw = r
                .gateway
                .map(|g| g.to_string())
                .unwrap_or_else(|| "On-link".into());
            s.push_str(&format!(
                "{:>17}{:>17}{:>17}{:>8}\n",
                r.dest.to_string(),
                mask_of(r.prefix).to_string(),
                gw,
                r.metric
            ));
        }
    }
    s.push_str(RULE);
    s.push('\n');
    s
}

fn ipconfig(guest: &Guest, all: bool) -> Output {
    let mut s = String::from("\nWindows IP Configuration\n\n");
    if all {
        s.push_str(&format!(
            "   Host Name . . . . . . . . . . . . : {}\n   Primary Dns Suffix  . . . . . . . : \n   Node Type . . . . . . . . . . . . : Hybrid\n   IP Routing Enabled. . . . . . . . : No\n   WINS Proxy Enabled. . . . . . . . : No\n\n",
            guest.hostname
        ));
    }
    for (i, n) in guest.nics.iter().enumerate() {
        s.push_str(&format!("\nEthernet adapter {}:\n\n", guest.if_name(i)));
        s.push_str("   Connection-specific DNS Suffix  . : reddog.microsoft.com\n");
        if all {
            s.push_str(&format!(
                "   Description . . . . . . . . . . . : Microsoft Hyper-V Network Adapter #{}\n   Physical Address. . . . . . . . . : {}\n   DHCP Enabled. . . . . . . . . . . : Yes\n   Autoconfiguration Enabled . . . . : Yes\n",
                i + 3,
                n.mac.to_ascii_uppercase().replace(':', "-")
            ));
        }
        for a in &n.addrs {
            let suffix = if all { "(Preferred) " } else { "" };
            s.push_str(&format!(
                "   IPv4 Address. . . . . . . . . . . : {}{}\n",
                a.ip,
                suffix.trim_end()
            ));
            s.push_str(&format!(
                "   Subnet Mask . . . . . . . . . . . : {}\n",
                a.subnet.netmask()
            ));
        }
        // Only the primary NIC gets a default gateway from Azure's DHCP.
        let gw = if i == 0 {
            n.primary_addr()
                .map(|a| a.gateway().to_string())
                .unwrap_or_default()
        } else {
            String::new()
        };
        s.push_str(&format!("   Default Gateway . . . . . . . . . : {gw}\n"));
        if all && i == 0 {
            s.push_str("   DHCP Server . . . . . . . . . . . : 168.63.129.16\n   DNS Servers . . . . . . . . . . . : 168.63.129.16\n");
        }
    }
    ok(s)
}

fn ping_cmd(guest: &Guest, net: &Network, args: &[&str]) -> Output {
    let mut dest = None;
    let mut src = None;
    let mut count = 4u32;
    let mut i = 0;
    while i < args.len() {
        match args[i].to_ascii_lowercase().as_str() {
            "-s" | "/s" => {
                let Some(v) = args.get(i + 1).and_then(|v| v.parse::<Ipv4Addr>().ok()) else {
                    return fail("Bad value for option -S.\n", 1);
                };
                src = Some(v);
                i += 2;
            }
            "-n" | "/n" => {
                let Some(v) = args
                    .get(i + 1)
                    .and_then(|v| v.parse::<u32>().ok())
                    .filter(|n| *n > 0)
                else {
                    return fail(
                        "Bad value for option -n, valid range is from 1 to 4294967295.\n",
                        1,
                    );
                };
                count = v.min(100);
                i += 2;
            }
            "-4" | "-t" => i += 1,
            _ => {
                dest = Some(args[i]);
                i += 1;
            }
        }
    }
    let Some(d) = dest else {
        return fail("IP address must be specified.\n", 1);
    };
    // A name resolves through the zones linked to the VM's network.
    let (dst, shown) = match d.parse::<Ipv4Addr>() {
        Ok(a) => (a, a.to_string()),
        Err(_) => match net.names.resolve(d) {
            Some(r) => (r.addresses[0], format!("{} [{}]", r.name, r.addresses[0])),
            None => {
                return fail(
                    format!(
                    "Ping request could not find host {d}. Please check the name and try again.\n"
                ),
                    1,
                )
            }
        },
    };
    let outcome = ping(guest, net, dst, src, None);
    let mut s = match src {
        Some(sa) => format!("\nPinging {shown} from {sa} with 32 bytes of data:\n"),
        None => format!("\nPinging {shown} with 32 bytes of data:\n"),
    };
    let (received, why) = match &outcome {
        PingOutcome::Reply { ttl } => {
            for _ in 0..count {
                s.push_str(&format!("Reply from {dst}: bytes=32 time=1ms TTL={ttl}\n"));
            }
            (count, None)
        }
        PingOutcome::NoRoute(w) => {
            for _ in 0..count {
                s.push_str("PING: transmit failed. General failure. \n");
            }
            (0, Some(w.clone()))
        }
        PingOutcome::Lost(w) => {
            for _ in 0..count {
                s.push_str("Request timed out.\n");
            }
            (0, Some(w.clone()))
        }
    };
    let lost = count - received;
    s.push_str(&format!(
        "\nPing statistics for {dst}:\n    Packets: Sent = {count}, Received = {received}, Lost = {lost} ({}% loss),\n",
        lost * 100 / count
    ));
    if received > 0 {
        s.push_str("Approximate round trip times in milli-seconds:\n    Minimum = 1ms, Maximum = 1ms, Average = 1ms\n");
    }
    Output {
        stdout: s,
        // cerulean's diagnosis, on stderr so stdout stays what Windows prints.
        stderr: why.map(|w| format!("cerulean: {w}\n")).unwrap_or_default(),
        code: if received > 0 { 0 } else { 1 },
    }
}

fn netsh(guest: &mut Guest, args: &[&str]) -> Output {
    let lower: Vec<String> = args.iter().map(|a| a.to_ascii_lowercase()).collect();
    let has = |w: &str| lower.iter().any(|a| a == w);
    if lower.len() >= 4 && lower[0] == "advfirewall" && lower[1] == "firewall" && lower[3] == "rule"
    {
        match lower[2].as_str() {
            "add" => {
                if !lower.iter().any(|a| a.starts_with("name=")) {
                    return fail(
                        "The following command was not found: advfirewall firewall add rule.\n",
                        1,
                    );
                }
                if has("protocol=icmpv4") && has("dir=in") && has("action=allow") {
                    guest.changes.icmp_allowed = true;
                }
                return ok("Ok.\n\n");
            }
            "delete" => {
                if has("protocol=icmpv4") || lower.iter().any(|a| a.starts_with("name=")) {
                    guest.changes.icmp_allowed = false;
                }
                return ok("\nDeleted 1 rule(s).\nOk.\n\n");
            }
            _ => {}
        }
    }
    fail(
        format!("The following command was not found: {}.\n", args.join(" ")),
        1,
    )
}

/// What Windows' nslookup prints first: Azure's resolver, which has no reverse name.
const RESOLVER: &str = "Server:  UnKnown\nAddress:  168.63.129.16\n\n";

/// `nslookup NAME`: the canonical name, its addresses and the aliases followed.
fn nslookup(net: &Network, args: &[&str]) -> Output {
    let Some(name) = args.iter().find(|a| !a.starts_with('-')) else {
        return err("nslookup: interactive mode is not available here\n", 1);
    };
    let Some(r) = net.names.resolve(name) else {
        return Output {
            stdout: RESOLVER.to_string(),
            stderr: format!(
                "*** UnKnown can't find {}: Non-existent domain\n",
                name.trim_end_matches('.')
            ),
            code: 1,
        };
    };
    let mut s = format!("{RESOLVER}Non-authoritative answer:\nName:    {}\n", r.name);
    let addresses: Vec<String> = r.addresses.iter().map(|a| a.to_string()).collect();
    let label = if addresses.len() == 1 {
        "Address:  "
    } else {
        "Addresses:  "
    };
    s.push_str(&format!("{label}{}\n", addresses.join("\n          ")));
    if !r.aliases.is_empty() {
        let aliases: Vec<&str> = r.aliases.iter().map(|(a, _)| a.as_str()).collect();
        s.push_str(&format!("Aliases:  {}\n", aliases.join("\n          ")));
    }
    s.push('\n');
    ok(s)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{seed_guest, seed_net};
    use super::super::{run_script, GuestChanges};
    use super::*;
    use crate::compute::vm::OsType;

    fn sh(g: &mut Guest, n: &Network, line: &str) -> Output {
        run_script(g, n, &[line.to_string()])
    }

    #[test]
    fn names_of_the_linked_zones_resolve() {
        let mut g = seed_guest(OsType::Windows);
        let n = seed_net();
        let p = sh(&mut g, &n, "ping -n 1 www.corp.internal");
        assert_eq!(p.code, 0, "{p:?}");
        assert!(
            p.stdout.starts_with(
                "\nPinging db.corp.internal [192.168.3.4] with 32 bytes of data:\nReply from 192.168.3.4:"
            ),
            "{}",
            p.stdout
        );
        let p = sh(&mut g, &n, "ping nosuch.corp.internal");
        assert_eq!(p.code, 1);
        assert_eq!(
            p.stdout,
            "Ping request could not find host nosuch.corp.internal. Please check the name and try again.\n"
        );
        let l = sh(&mut g, &n, "nslookup www.corp.internal");
        assert_eq!(
            l.stdout,
            "Server:  UnKnown\nAddress:  168.63.129.16\n\nNon-authoritative answer:\n\
             Name:    db.corp.internal\nAddress:  192.168.3.4\nAliases:  www.corp.internal\n\n"
        );
        let l = sh(&mut g, &n, "nslookup nosuch.corp.internal");
        assert_eq!(l.code, 1);
        assert_eq!(
            l.stderr,
            "*** UnKnown can't find nosuch.corp.internal: Non-existent domain\n"
        );
    }

    #[test]
    fn route_print_lists_both_adapters_as_the_seed_shows() {
        let g = seed_guest(OsType::Windows);
        let out = route_print(&g);
        assert!(out.contains("Interface List\n3...00 0d 3a 10 92 ce ......Microsoft Hyper-V Network Adapter #3\n"), "{out}");
        assert!(
            out.contains("\n7...00 0d 3a 10 9b 2a ......Microsoft Hyper-V Network Adapter #4\n"),
            "{out}"
        );
        assert!(out.contains(
            "Network Destination        Netmask          Gateway       Interface  Metric\n"
        ));
        assert!(
            out.contains(
                "          0.0.0.0          0.0.0.0      192.168.1.1      192.168.1.4     15\n"
            ),
            "{out}"
        );
        assert!(!out.contains("192.168.2.1"), "{out}");
        assert!(out.contains("Persistent Routes:\n  None\n"));
    }

    #[test]
    fn ipconfig_shows_no_gateway_for_the_secondary() {
        let mut g = seed_guest(OsType::Windows);
        let o = sh(&mut g, &seed_net(), "ipconfig");
        assert!(
            o.stdout.contains("Ethernet adapter Ethernet 2:"),
            "{}",
            o.stdout
        );
        let second = o
            .stdout
            .split("Ethernet adapter Ethernet 2:")
            .nth(1)
            .unwrap();
        assert!(second.contains("IPv4 Address. . . . . . . . . . . : 192.168.2.4"));
        assert!(
            second.contains("Default Gateway . . . . . . . . . : \n"),
            "{second}"
        );
        assert!(o
            .stdout
            .contains("Default Gateway . . . . . . . . . : 192.168.1.1"));
        let all = sh(&mut g, &seed_net(), "ipconfig /all");
        assert!(all
            .stdout
            .contains("Physical Address. . . . . . . . . : 00-0D-3A-10-9B-2A"));
    }

    fn walk(route: &str) {
        let mut g = seed_guest(OsType::Windows);
        let n = seed_net();
        let before = sh(&mut g, &n, "ping 192.168.3.4 -S 192.168.2.4");
        assert_eq!(before.code, 1);
        assert!(before
            .stdout
            .contains("Pinging 192.168.3.4 from 192.168.2.4 with 32 bytes of data:"));
        assert!(
            before.stdout.contains("General failure."),
            "{}",
            before.stdout
        );
        assert!(before.stdout.contains("Lost = 4 (100% loss)"));
        assert!(
            before.stderr.contains("no default gateway"),
            "{}",
            before.stderr
        );
        let add = sh(&mut g, &n, route);
        assert_eq!((add.stdout.as_str(), add.code), (" OK!\n", 0));
        let after = sh(&mut g, &n, "ping 192.168.3.4 -S 192.168.2.4");
        assert_eq!(after.code, 0, "{after:?}");
        assert!(after
            .stdout
            .contains("Reply from 192.168.3.4: bytes=32 time=1ms TTL=64"));
        let print = route_print(&g);
        assert!(
            print.contains("      192.168.2.1      192.168.2.4   5015\n"),
            "{print}"
        );
        assert!(print.contains(
            "          0.0.0.0          0.0.0.0      192.168.1.1      192.168.1.4     15\n"
        ));
        // Persistent: survives a boot.
        g.changes.on_boot();
        assert_eq!(sh(&mut g, &n, "ping 192.168.3.4 -S 192.168.2.4").code, 0);
    }

    #[test]
    fn seed_walk_through_default_route() {
        walk("route add -p 0.0.0.0 MASK 0.0.0.0 192.168.2.1 METRIC 5015 IF 7");
        let mut g = seed_guest(OsType::Windows);
        sh(
            &mut g,
            &seed_net(),
            "route add -p 0.0.0.0 MASK 0.0.0.0 192.168.2.1 METRIC 5015 IF 7",
        );
        let print = route_print(&g);
        // The seed's second excerpt, in order.
        assert!(print.contains(
            "          0.0.0.0          0.0.0.0      192.168.1.1      192.168.1.4     15\n          0.0.0.0          0.0.0.0      192.168.2.1      192.168.2.4   5015\n"
        ), "{print}");
        assert!(print.contains("Persistent Routes:\n  Network Address          Netmask  Gateway Address  Metric\n          0.0.0.0          0.0.0.0      192.168.2.1    5015\n"));
    }

    #[test]
    fn seed_walk_through_narrow_route() {
        walk("route add -p 192.168.3.0 MASK 255.255.255.0 192.168.2.1 METRIC 5015 IF 7");
    }

    #[test]
    fn non_persistent_routes_vanish_on_boot() {
        let mut g = seed_guest(OsType::Windows);
        let n = seed_net();
        sh(
            &mut g,
            &n,
            "route add 0.0.0.0 MASK 0.0.0.0 192.168.2.1 METRIC 5015 IF 7",
        );
        assert_eq!(sh(&mut g, &n, "ping 192.168.3.4 -S 192.168.2.4").code, 0);
        g.changes.on_boot();
        assert_eq!(sh(&mut g, &n, "ping 192.168.3.4 -S 192.168.2.4").code, 1);
    }

    #[test]
    fn windows_target_needs_the_icmp_rule() {
        let mut g = seed_guest(OsType::Windows);
        let mut n = seed_net();
        let o = sh(&mut g, &n, "ping 192.168.3.5");
        assert!(o.stdout.contains("Request timed out."));
        assert!(o.stderr.contains("firewall"));
        // The rule is added on the target (its own guest state).
        let mut target = seed_guest(OsType::Windows);
        let r = sh(&mut target, &n, "netsh advfirewall firewall add rule name=Allow-ping protocol=icmpv4 dir=in action=allow");
        assert_eq!(r.stdout, "Ok.\n\n");
        assert!(target.changes.icmp_allowed);
        n.hosts[1].icmp_allowed = target.changes.icmp_allowed;
        assert_eq!(sh(&mut g, &n, "ping 192.168.3.5").code, 0);
    }

    #[test]
    fn route_errors_and_delete() {
        let mut g = seed_guest(OsType::Windows);
        let n = seed_net();
        let o = sh(
            &mut g,
            &n,
            "route add 0.0.0.0 MASK 0.0.0.0 192.168.9.1 METRIC 5 IF 7",
        );
        assert!(
            o.stdout.contains("Either the interface index is wrong"),
            "{o:?}"
        );
        let o = sh(
            &mut g,
            &n,
            "route add 0.0.0.0 MASK 0.0.0.0 192.168.2.1 IF 99",
        );
        assert_eq!(o.code, 1);
        let o = sh(
            &mut g,
            &n,
            "route add 192.168.3.1 MASK 255.255.255.0 192.168.2.1",
        );
        assert!(o.stdout.contains("Invalid MASK"));
        let o = sh(&mut g, &n, "route add bogus MASK 255.255.255.0 192.168.2.1");
        assert_eq!(o.stdout, "route: bad destination address bogus\n");
        assert_eq!(
            sh(
                &mut g,
                &n,
                "route add 192.168.3.0 MASK 255.255.255.0 192.168.2.1"
            )
            .code,
            0
        );
        let dup = sh(
            &mut g,
            &n,
            "route add 192.168.3.0 MASK 255.255.255.0 192.168.2.1",
        );
        assert!(dup.stdout.contains("already exists"));
        assert_eq!(sh(&mut g, &n, "route delete 192.168.3.0").stdout, " OK!\n");
        assert_eq!(g.changes, GuestChanges::default());
        assert!(sh(&mut g, &n, "route delete 192.168.3.0")
            .stdout
            .contains("Element not found"));
        assert!(sh(&mut g, &n, "route")
            .stdout
            .contains("Manipulates network routing tables."));
    }

    #[test]
    fn unknown_commands_answer_like_cmd() {
        let mut g = seed_guest(OsType::Windows);
        let o = sh(&mut g, &seed_net(), "foo bar");
        assert_eq!(o.code, 1);
        assert_eq!(o.stderr, "'foo' is not recognized as an internal or external command,\noperable program or batch file.\n");
        let o = sh(&mut g, &seed_net(), "ping");
        assert_eq!(o.stdout, "IP address must be specified.\n");
        let o = sh(&mut g, &seed_net(), "ping 8.8.8.8");
        assert_eq!(
            o.code, 0,
            "primary reaches the Internet by default outbound"
        );
    }
}
