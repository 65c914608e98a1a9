//! A Linux shell: `ip addr`, `ip route [show|list] [table T]`, `ip route add|del`,
//! `ip rule add|del|show`, `ping [-c N] [-I IFACE|ADDR] DEST`, `hostname`, `echo`; `sudo`
//! is accepted and ignored.
//!
//! Weak-host model (seed: "traffic that belongs to eth1, for example, cannot be processed
//! correctly by the defined default route"): `ping -I <eth1's address>` selects policy rules
//! by source but otherwise takes the main table, whose default route leaves through eth0;
//! Azure drops a packet whose source is not the leaving NIC's. `ping -I eth1` binds the
//! device: only routes through eth1 are considered. Table names need no
//! `/etc/iproute2/rt_tables` entry (any name or number is accepted; 254 is `main`).

use super::azure::Network;
use super::{parse_prefix, ping, Guest, Origin, Output, PingOutcome, Rule, UserRoute};
use std::net::Ipv4Addr;

fn ok(stdout: impl Into<String>) -> Output {
    Output {
        stdout: stdout.into(),
        stderr: String::new(),
        code: 0,
    }
}

fn err(stderr: impl Into<String>, code: i32) -> Output {
    Output {
        stdout: String::new(),
        stderr: stderr.into(),
        code,
    }
}

/// Runs one line of a script (`n`: its line number, for bash's messages).
pub fn run(guest: &mut Guest, net: &Network, line: &str, n: usize) -> Output {
    let mut words: Vec<&str> = line.split_whitespace().collect();
    while words.first() == Some(&"sudo") {
        words.remove(0);
    }
    let Some(cmd) = words.first().copied() else {
        return ok("");
    };
    match cmd {
        "ip" | "/sbin/ip" | "/usr/sbin/ip" => ip(guest, &words[1..]),
        "ping" => ping_cmd(guest, net, &words[1..]),
        "nslookup" => nslookup(net, &words[1..]),
        "getent" => getent(net, &words[1..]),
        "hostname" => ok(format!("{}\n", guest.hostname)),
        "echo" => {
            if words.iter().any(|w| w.starts_with('>')) {
                ok("")
            } else {
                ok(format!("{}\n", words[1..].join(" ").replace('"', "")))
            }
        }
        "true" => ok(""),
        _ => err(format!("bash: line {n}: {cmd}: command not found\n"), 127),
    }
}

fn table_name(t: &str) -> String {
    match t {
        "254" => "main".into(),
        "253" => "default".into(),
        "255" => "local".into(),
        other => other.to_string(),
    }
}

const IP_USAGE: &str = "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\nwhere  OBJECT := { address | link | route | rule | neigh | ... }\n";

fn ip(guest: &mut Guest, args: &[&str]) -> Output {
    let Some(obj) = args.first() else {
        return err(IP_USAGE, 255);
    };
    let rest = &args[1..];
    let verb = rest.first().copied().unwrap_or("show");
    let is = |full: &str, w: &str| !w.is_empty() && full.starts_with(w);
    if is("address", obj) || is("addr", obj) {
        if is("show", verb) || is("list", verb) {
            return ok(ip_addr(guest));
        }
        return err(
            format!("Command \"{verb}\" is unknown, try \"ip address help\".\n"),
            255,
        );
    }
    if is("route", obj) {
        if rest.is_empty() || is("show", verb) || is("list", verb) {
            let opts = if rest.is_empty() { rest } else { &rest[1..] };
            return ip_route_show(guest, opts);
        }
        if verb == "add" || verb == "append" || verb == "replace" {
            return ip_route_add(guest, &rest[1..]);
        }
        if is("delete", verb) {
            return ip_route_del(guest, &rest[1..]);
        }
        return err(
            format!("Command \"{verb}\" is unknown, try \"ip route help\".\n"),
            255,
        );
    }
    if is("rule", obj) {
        if rest.is_empty() || is("show", verb) || is("list", verb) {
            return ok(ip_rule_show(guest));
        }
        if verb == "add" {
            return ip_rule_add(guest, &rest[1..]);
        }
        if is("delete", verb) {
            return ip_rule_del(guest, &rest[1..]);
        }
        return err(
            format!("Command \"{verb}\" is unknown, try \"ip rule help\".\n"),
            255,
        );
    }
    err(
        format!("Object \"{obj}\" is unknown, try \"ip help\".\n"),
        255,
    )
}

fn ip_addr(guest: &Guest) -> String {
    let mut s = String::from(
        "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n",
    );
    for (i, n) in guest.nics.iter().enumerate() {
        let name = guest.if_name(i);
        s.push_str(&format!(
            "{}: {name}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP group default qlen 1000\n    link/ether {} brd ff:ff:ff:ff:ff:ff\n",
            guest.if_index(i),
            n.mac.to_ascii_lowercase().replace('-', ":")
        ));
        for (k, a) in n.addrs.iter().enumerate() {
            let secondary = if k > 0 { "secondary " } else { "" };
            s.push_str(&format!(
                "    inet {}/{} brd {} scope global {secondary}{name}\n       valid_lft forever preferred_lft forever\n",
                a.ip,
                a.subnet.prefix_len(),
                a.subnet.broadcast()
            ));
        }
    }
    s
}

fn ip_route_show(guest: &Guest, opts: &[&str]) -> Output {
    let mut table = "main".to_string();
    let mut i = 0;
    while i < opts.len() {
        match opts[i] {
            "table" => {
                let Some(t) = opts.get(i + 1) else {
                    return err("Command line is not complete. Try option \"help\"\n", 255);
                };
                table = table_name(t);
                i += 2;
            }
            other => {
                return err(
                    format!("Error: argument \"{other}\" is wrong: unknown\n"),
                    255,
                )
            }
        }
    }
    let mut s = String::new();
    let mut routes = guest.routes();
    routes.sort_by_key(|r| {
        (
            r.dest.prefix_len() != 0,
            u32::from(r.dest.network()),
            r.metric,
        )
    });
    for r in routes.iter().filter(|r| table == "all" || r.table == table) {
        let dest = if r.dest.prefix_len() == 0 {
            "default".to_string()
        } else if r.dest.prefix_len() == 32 {
            r.dest.addr().to_string()
        } else {
            r.dest.to_string()
        };
        let dev = guest.if_name(r.nic);
        let src = guest.nics[r.nic]
            .primary_addr()
            .map(|a| a.ip.to_string())
            .unwrap_or_default();
        let mut line = match (r.origin, r.gateway) {
            (Origin::Connected, _) => format!(
                "{dest} dev {dev} proto kernel scope link src {src} metric {}",
                r.metric
            ),
            (Origin::Dhcp, Some(g)) => format!(
                "{dest} via {g} dev {dev} proto dhcp src {src} metric {}",
                r.metric
            ),
            (_, Some(g)) => format!("{dest} via {g} dev {dev}"),
            (_, None) => format!("{dest} dev {dev} scope link"),
        };
        if matches!(r.origin, Origin::User { .. }) && r.metric != 0 {
            line.push_str(&format!(" metric {}", r.metric));
        }
        if table == "all" && r.table != "main" {
            line.push_str(&format!(" table {}", r.table));
        }
        s.push_str(&line);
        s.push_str(" \n");
    }
    ok(s)
}

struct RouteSpec {
    dest: ipnet::Ipv4Net,
    via: Option<Ipv4Addr>,
    dev: Option<usize>,
    table: String,
    metric: u32,
}

fn parse_route(guest: &Guest, args: &[&str]) -> Result<RouteSpec, Output> {
    let Some(d) = args.first() else {
        return Err(err(
            "Command line is not complete. Try option \"help\"\n",
            255,
        ));
    };
    let dest = parse_prefix(d).ok_or_else(|| {
        err(
            format!("Error: any valid prefix is expected rather than \"{d}\".\n"),
            1,
        )
    })?;
    if dest.addr() != dest.network() {
        return Err(err("Error: Invalid prefix for given prefix length.\n", 2));
    }
    let mut r = RouteSpec {
        dest,
        via: None,
        dev: None,
        table: "main".into(),
        metric: 0,
    };
    let mut i = 1;
    while i < args.len() {
        let Some(v) = args.get(i + 1).copied() else {
            return Err(err(
                "Command line is not complete. Try option \"help\"\n",
                255,
            ));
        };
        match args[i] {
            "via" => {
                r.via = Some(v.parse().map_err(|_| {
                    err(
                        format!("Error: inet address is expected rather than \"{v}\".\n"),
                        1,
                    )
                })?)
            }
            "dev" | "oif" => {
                r.dev = Some(
                    guest
                        .nic_by_name(v)
                        .ok_or_else(|| err(format!("Cannot find device \"{v}\"\n"), 1))?,
                )
            }
            "table" => r.table = table_name(v),
            "metric" | "preference" | "priority" => {
                r.metric = v.parse().map_err(|_| {
                    err(
                        format!(
                            "Error: argument \"{v}\" is wrong: \"metric\" value is invalid\n\n"
                        ),
                        1,
                    )
                })?
            }
            "proto" | "scope" | "src" => {}
            other => {
                return Err(err(
                    format!("Error: either \"to\" is duplicate, or \"{other}\" is a garbage.\n"),
                    255,
                ))
            }
        }
        i += 2;
    }
    Ok(r)
}

fn ip_route_add(guest: &mut Guest, args: &[&str]) -> Output {
    let r = match parse_route(guest, args) {
        Ok(r) => r,
        Err(o) => return o,
    };
    let nic = match (r.via, r.dev) {
        (None, None) => return err("Error: Device for nexthop is not up.\n", 2),
        (Some(g), Some(d)) => {
            if !guest.on_link(d, g) {
                return err("Error: Nexthop has invalid gateway.\n", 2);
            }
            d
        }
        (Some(g), None) => match (0..guest.nics.len()).find(|n| guest.on_link(*n, g)) {
            Some(n) => n,
            None => return err("Error: Nexthop has invalid gateway.\n", 2),
        },
        (None, Some(d)) => d,
    };
    let nic_id = guest.nics[nic].id.clone();
    if guest.linux_route_exists(&r.table, r.dest, r.metric) {
        return err("RTNETLINK answers: File exists\n", 2);
    }
    guest.add_route(UserRoute {
        table: r.table,
        dest: r.dest.network(),
        prefix: r.dest.prefix_len(),
        gateway: r.via,
        nic: nic_id,
        metric: r.metric,
        persistent: false,
    });
    ok("")
}

fn ip_route_del(guest: &mut Guest, args: &[&str]) -> Output {
    let r = match parse_route(guest, args) {
        Ok(r) => r,
        Err(o) => return o,
    };
    guest.charge(guest.changes.routes.len());
    let pos = guest.changes.routes.iter().position(|x| {
        x.table == r.table
            && x.dest == r.dest.network()
            && x.prefix == r.dest.prefix_len()
            && r.via.is_none_or(|v| x.gateway == Some(v))
    });
    match pos {
        Some(p) => {
            guest.remove_route(p);
            ok("")
        }
        None => err("RTNETLINK answers: No such process\n", 2),
    }
}

fn ip_rule_show(guest: &Guest) -> String {
    let mut s = String::from("0:\tfrom all lookup local\n");
    for r in guest.rules_in_order() {
        let from = match r.from {
            None => "all".to_string(),
            Some((a, 32)) => a.to_string(),
            Some((a, n)) => format!("{a}/{n}"),
        };
        s.push_str(&format!(
            "{}:\tfrom {from} lookup {}\n",
            r.priority, r.table
        ));
    }
    s
}

/// `from`, `table`, `priority` of an `ip rule` command.
type RuleArgs = (Option<(Ipv4Addr, u8)>, Option<String>, Option<u32>);

fn parse_rule(args: &[&str]) -> Result<RuleArgs, Output> {
    let mut from = None;
    let mut table = None;
    let mut prio = None;
    let mut i = 0;
    while i < args.len() {
        let Some(v) = args.get(i + 1).copied() else {
            return Err(err(
                "Command line is not complete. Try option \"help\"\n",
                255,
            ));
        };
        match args[i] {
            "from" => {
                let p = parse_prefix(v).ok_or_else(|| {
                    err(
                        format!("Error: inet prefix is expected rather than \"{v}\".\n"),
                        1,
                    )
                })?;
                from = (p.prefix_len() > 0).then_some((p.network(), p.prefix_len()));
            }
            "table" | "lookup" => table = Some(table_name(v)),
            "priority" | "pref" | "preference" => {
                prio = Some(v.parse().map_err(|_| {
                    err(
                        format!(
                            "Error: argument \"{v}\" is wrong: preference value is invalid\n\n"
                        ),
                        255,
                    )
                })?)
            }
            other => {
                return Err(err(
                    format!("Error: argument \"{other}\" is wrong: Failed to parse rule type\n"),
                    255,
                ))
            }
        }
        i += 2;
    }
    Ok((from, table, prio))
}

fn ip_rule_add(guest: &mut Guest, args: &[&str]) -> Output {
    let (from, table, prio) = match parse_rule(args) {
        Ok(x) => x,
        Err(o) => return o,
    };
    let Some(table) = table else { return ok("") };
    // Without a priority, Linux takes one less than the first rule after `local`.
    let priority = prio.unwrap_or_else(|| {
        guest
            .rules_in_order()
            .first()
            .map(|r| r.priority.saturating_sub(1))
            .unwrap_or(32765)
    });
    guest.add_rule(Rule {
        priority,
        from,
        table,
    });
    ok("")
}

fn ip_rule_del(guest: &mut Guest, args: &[&str]) -> Output {
    let (from, table, prio) = match parse_rule(args) {
        Ok(x) => x,
        Err(o) => return o,
    };
    guest.charge(guest.changes.rules.len());
    let pos = guest.changes.rules.iter().position(|r| {
        (from.is_none() || r.from == from)
            && table.as_ref().is_none_or(|t| &r.table == t)
            && prio.is_none_or(|p| r.priority == p)
    });
    match pos {
        Some(p) => {
            guest.remove_rule(p);
            ok("")
        }
        None => err("RTNETLINK answers: No such file or directory\n", 2),
    }
}

fn ping_cmd(guest: &Guest, net: &Network, args: &[&str]) -> Output {
    let mut count = 4u32;
    let mut bind: Option<&str> = None;
    let mut dest = None;
    let mut i = 0;
    while i < args.len() {
        match args[i] {
            "-c" => {
                let Some(c) = args
                    .get(i + 1)
                    .and_then(|v| v.parse::<u32>().ok())
                    .filter(|c| *c > 0)
                else {
                    return err("ping: invalid argument: 'c'\n", 1);
                };
                count = c.min(100);
                i += 2;
            }
            "-I" => {
                let Some(v) = args.get(i + 1).copied() else {
                    return err("ping: option requires an argument -- 'I'\n", 2);
                };
                bind = Some(v);
                i += 2;
            }
            "-W" | "-w" | "-i" | "-s" => i += 2,
            "-4" | "-q" | "-n" => i += 1,
            other => {
                dest = Some(other);
                i += 1;
            }
        }
    }
    let Some(d) = dest else {
        return err("ping: usage error: Destination address required\n", 2);
    };
    // A name resolves through the zones linked to the VM's network (the canonical name is
    // what ping shows).
    let (dst, shown) = match d.parse::<Ipv4Addr>() {
        Ok(a) => (a, a.to_string()),
        Err(_) => match net.names.resolve(d) {
            Some(r) => (r.addresses[0], r.name),
            None => return err(format!("ping: {d}: Name or service not known\n"), 2),
        },
    };
    let (src, oif, label) = match bind {
        None => (None, None, String::new()),
        Some(b) => match b.parse::<Ipv4Addr>() {
            Ok(a) => {
                if guest.nic_of_addr(a).is_none() {
                    return err("ping: bind: Cannot assign requested address\n", 2);
                }
                (Some(a), None, format!("from {a} "))
            }
            Err(_) => {
                let Some(n) = guest.nic_by_name(b) else {
                    return err(format!("ping: SO_BINDTODEVICE {b}: No such device\n"), 2);
                };
                let a = guest.nics[n].primary_addr().map(|a| a.ip);
                (
                    a,
                    Some(n),
                    format!("from {} {b}", a.map(|a| a.to_string()).unwrap_or_default()),
                )
            }
        },
    };
    let outcome = ping(guest, net, dst, src, oif);
    let header = if label.is_empty() {
        format!("PING {shown} ({dst}) 56(84) bytes of data.\n")
    } else {
        format!("PING {shown} ({dst}) {label}: 56(84) bytes of data.\n")
    };
    match outcome {
        PingOutcome::NoRoute(why) => Output {
            stdout: String::new(),
            stderr: format!("ping: connect: Network is unreachable\ncerulean: {why}\n"),
            code: 2,
        },
        PingOutcome::Reply { ttl } => {
            let mut s = header;
            for k in 1..=count {
                s.push_str(&format!(
                    "64 bytes from {dst}: icmp_seq={k} ttl={ttl} time=1.00 ms\n"
                ));
            }
            s.push_str(&format!(
                "\n--- {shown} ping statistics ---\n{count} packets transmitted, {count} received, 0% packet loss, time {}ms\nrtt min/avg/max/mdev = 1.000/1.000/1.000/0.000 ms\n",
                (count - 1) * 1000
            ));
            ok(s)
        }
        PingOutcome::Lost(why) => {
            let mut s = header;
            s.push_str(&format!(
                "\n--- {shown} ping statistics ---\n{count} packets transmitted, 0 received, 100% packet loss, time {}ms\n\n",
                (count - 1) * 1000
            ));
            Output {
                stdout: s,
                stderr: format!("cerulean: {why}\n"),
                code: 1,
            }
        }
    }
}

/// The stub resolver an Azure Ubuntu image queries (systemd-resolved, which forwards to
/// 168.63.129.16).
const STUB: &str = "Server:\t\t127.0.0.53\nAddress:\t127.0.0.53#53\n\n";

/// `nslookup NAME`: the aliases followed, then the name and its addresses.
fn nslookup(net: &Network, args: &[&str]) -> Output {
    let Some(name) = args.iter().find(|a| !a.starts_with('-')) else {
        return err("nslookup: interactive mode is not available here\n", 1);
    };
    let Some(r) = net.names.resolve(name) else {
        return Output {
            stdout: format!(
                "{STUB}** server can't find {}: NXDOMAIN\n\n",
                name.trim_end_matches('.')
            ),
            stderr: String::new(),
            code: 1,
        };
    };
    let mut s = format!("{STUB}Non-authoritative answer:\n");
    for (alias, canonical) in &r.aliases {
        s.push_str(&format!("{alias}\tcanonical name = {canonical}.\n"));
    }
    for a in &r.addresses {
        s.push_str(&format!("Name:\t{}\nAddress: {a}\n", r.name));
    }
    s.push('\n');
    ok(s)
}

/// `getent hosts NAME` (also `ahosts`/`ahostsv4`, printed the same way here): the first
/// address, the canonical name and the name asked for when it was an alias; exit 2 when
/// the name is unknown.
fn getent(net: &Network, args: &[&str]) -> Output {
    match args {
        [db, name] if matches!(*db, "hosts" | "ahosts" | "ahostsv4") => {
            match net.names.resolve(name) {
                Some(r) => {
                    let asked = name.trim_end_matches('.').to_ascii_lowercase();
                    let mut line = format!("{:<15} {}", r.addresses[0].to_string(), r.name);
                    if asked != r.name {
                        line.push(' ');
                        line.push_str(&asked);
                    }
                    ok(format!("{line}\n"))
                }
                None => err("", 2),
            }
        }
        _ => err("Usage: getent hosts NAME\n", 1),
    }
}

#[cfg(test)]
mod tests {
    use super::super::run_script;
    use super::super::tests::{seed_guest, seed_net};
    use super::*;
    use crate::compute::vm::OsType;

    fn sh(g: &mut Guest, n: &Network, line: &str) -> Output {
        run_script(g, n, &[line.to_string()])
    }

    #[test]
    fn names_of_the_linked_zones_resolve() {
        let mut g = seed_guest(OsType::Linux);
        let n = seed_net();
        let p = sh(&mut g, &n, "ping -c 1 www.corp.internal");
        assert_eq!(p.code, 0, "{p:?}");
        assert!(
            p.stdout
                .starts_with("PING db.corp.internal (192.168.3.4) 56(84) bytes of data.\n64 bytes from 192.168.3.4: icmp_seq=1"),
            "{}",
            p.stdout
        );
        assert!(p
            .stdout
            .contains("--- db.corp.internal ping statistics ---"));
        let p = sh(&mut g, &n, "ping -c 1 nosuch.corp.internal");
        assert_eq!(p.code, 2);
        assert_eq!(
            p.stderr,
            "ping: nosuch.corp.internal: Name or service not known\n"
        );

        let l = sh(&mut g, &n, "nslookup www.corp.internal");
        assert_eq!(l.code, 0);
        assert_eq!(
            l.stdout,
            "Server:\t\t127.0.0.53\nAddress:\t127.0.0.53#53\n\nNon-authoritative answer:\n\
             www.corp.internal\tcanonical name = db.corp.internal.\n\
             Name:\tdb.corp.internal\nAddress: 192.168.3.4\n\n"
        );
        let l = sh(&mut g, &n, "nslookup nosuch.corp.internal.");
        assert_eq!(l.code, 1);
        assert!(l
            .stdout
            .ends_with("** server can't find nosuch.corp.internal: NXDOMAIN\n\n"));

        let e = sh(&mut g, &n, "getent hosts WWW.corp.internal");
        assert_eq!(
            e.stdout,
            "192.168.3.4     db.corp.internal www.corp.internal\n"
        );
        let e = sh(&mut g, &n, "getent hosts nosuch.corp.internal");
        assert_eq!((e.code, e.stdout.as_str()), (2, ""));
    }

    #[test]
    fn ip_addr_and_route_show_the_derived_state() {
        let mut g = seed_guest(OsType::Linux);
        let n = seed_net();
        let a = sh(&mut g, &n, "ip addr");
        assert!(
            a.stdout
                .contains("3: eth1: <BROADCAST,MULTICAST,UP,LOWER_UP>"),
            "{}",
            a.stdout
        );
        assert!(a.stdout.contains("link/ether 00:0d:3a:10:9b:2a"));
        assert!(a
            .stdout
            .contains("inet 192.168.2.4/24 brd 192.168.2.255 scope global eth1"));
        let r = sh(&mut g, &n, "ip route");
        assert_eq!(
            r.stdout,
            "default via 192.168.1.1 dev eth0 proto dhcp src 192.168.1.4 metric 100 \n\
             192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.4 metric 100 \n\
             192.168.2.0/24 dev eth1 proto kernel scope link src 192.168.2.4 metric 200 \n"
        );
    }

    #[test]
    fn seed_linux_walk_through_with_rules() {
        let mut g = seed_guest(OsType::Linux);
        let n = seed_net();
        // Weak host: sourced from eth1's address, the packet leaves eth0 and Azure drops it.
        let before = sh(&mut g, &n, "ping -c 4 -I 192.168.2.4 192.168.3.4");
        assert_eq!(before.code, 1, "{before:?}");
        assert!(
            before.stdout.starts_with(
                "PING 192.168.3.4 (192.168.3.4) from 192.168.2.4 : 56(84) bytes of data.\n"
            ),
            "{}",
            before.stdout
        );
        assert!(before
            .stdout
            .contains("4 packets transmitted, 0 received, 100% packet loss"));
        assert!(
            before.stderr.contains("Azure dropped the packet"),
            "{}",
            before.stderr
        );
        // Bound to the device: no route through eth1.
        let dev = sh(&mut g, &n, "ping -I eth1 192.168.3.4");
        assert_eq!(dev.code, 2);
        assert!(dev.stderr.contains("Network is unreachable"));
        for line in [
            "sudo ip route add default via 192.168.2.1 dev eth1 table eth1-rt",
            "ip route add 192.168.2.0/24 dev eth1 table eth1-rt",
            "ip rule add from 192.168.2.4 table eth1-rt",
        ] {
            let o = sh(&mut g, &n, line);
            assert_eq!((o.code, o.stderr.as_str()), (0, ""), "{line}");
        }
        assert_eq!(
            sh(&mut g, &n, "ip rule show").stdout,
            "0:\tfrom all lookup local\n32765:\tfrom 192.168.2.4 lookup eth1-rt\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n"
        );
        assert_eq!(
            sh(&mut g, &n, "ip route show table eth1-rt").stdout,
            "default via 192.168.2.1 dev eth1 \n192.168.2.0/24 dev eth1 scope link \n"
        );
        let after = sh(&mut g, &n, "ping -c 2 -I 192.168.2.4 192.168.3.4");
        assert_eq!(after.code, 0, "{after:?}");
        assert!(after
            .stdout
            .contains("64 bytes from 192.168.3.4: icmp_seq=2 ttl=64"));
        assert_eq!(sh(&mut g, &n, "ping -I eth1 192.168.3.4").code, 0);
        // The main table is untouched; deallocation/restart forgets everything.
        assert!(!sh(&mut g, &n, "ip route").stdout.contains("192.168.2.1"));
        g.changes.on_boot();
        assert_eq!(sh(&mut g, &n, "ping -I 192.168.2.4 192.168.3.4").code, 1);
        assert!(!sh(&mut g, &n, "ip rule").stdout.contains("eth1-rt"));
    }

    #[test]
    fn route_and_rule_errors() {
        let mut g = seed_guest(OsType::Linux);
        let n = seed_net();
        let o = sh(
            &mut g,
            &n,
            "ip route add default via 10.9.9.1 dev eth1 table 7",
        );
        assert_eq!(
            (o.code, o.stderr.as_str()),
            (2, "Error: Nexthop has invalid gateway.\n")
        );
        let o = sh(&mut g, &n, "ip route add default via 192.168.2.1 dev eth7");
        assert_eq!(o.stderr, "Cannot find device \"eth7\"\n");
        let o = sh(
            &mut g,
            &n,
            "ip route add 192.168.1.0/24 dev eth0 metric 100",
        );
        assert_eq!(o.stderr, "RTNETLINK answers: File exists\n");
        let o = sh(&mut g, &n, "ip rule del from 1.2.3.4 table 9");
        assert_eq!(o.code, 2);
        let o = sh(&mut g, &n, "ip bogus");
        assert_eq!(o.stderr, "Object \"bogus\" is unknown, try \"ip help\".\n");
        let o = run_script(&mut g, &n, &["hostname".into(), "foo --x".into()]);
        assert_eq!(o.stdout, "vm1\n");
        assert_eq!(
            (o.stderr.as_str(), o.code),
            ("bash: line 2: foo: command not found\n", 127)
        );
        assert_eq!(sh(&mut g, &n, "ping 8.8.8.8").code, 0);
        assert_eq!(
            sh(&mut g, &n, "ping -I 10.0.0.9 8.8.8.8").stderr,
            "ping: bind: Cannot assign requested address\n"
        );
        assert_eq!(
            sh(
                &mut g,
                &n,
                "ip route add 192.168.3.0/24 via 192.168.2.1 dev eth1"
            )
            .code,
            0
        );
        assert_eq!(
            sh(&mut g, &n, "ip route del 192.168.3.0/24 via 192.168.2.1").code,
            0
        );
        assert!(g.changes.routes.is_empty());
    }
}
