//! Property tests in place of a fuzzer for the domain's parsers: resource ids, `$filter`
//! (resource and tag forms), the run-command interpreters and a private endpoint's record
//! names. Whatever the input, nothing
//! panics and the outputs stay within their limits. A short run is part of the normal tests;
//! `CERULEAN_FUZZ_CASES=100000 cargo test -p cerulean-domain --test fuzz` runs a long one.

use cerulean_domain::compute::vm::OsType;
use cerulean_domain::filter::ResourceFilter;
use cerulean_domain::guest::azure::{Host, Network};
use cerulean_domain::guest::{
    run_script, Guest, GuestAddr, GuestChanges, GuestNic, MAX_OUTPUT_BYTES,
};
use cerulean_domain::id::ResourceId;
use cerulean_domain::tags::TagFilter;
use proptest::prelude::*;

fn config() -> ProptestConfig {
    let cases = std::env::var("CERULEAN_FUZZ_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Strings made of `words`, in any order and number.
fn soup(words: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(words), 0..max).prop_map(|w| w.concat())
}

const ID_WORDS: &[&str] = &[
    "/",
    "/",
    "/",
    "subscriptions",
    "resourceGroups",
    "RESOURCEGROUPS",
    "providers",
    "Microsoft.Network",
    "virtualNetworks",
    "subnets",
    "v",
    "rg",
    "s",
    "ü",
    "%2F",
    "",
    " ",
    "..",
    "İ",
];

const FILTER_WORDS: &[&str] = &[
    "name",
    "resourceType",
    "resourceGroup",
    "location",
    "tagName",
    "tagValue",
    " eq ",
    " and ",
    " AND ",
    " or ",
    "'",
    "''",
    "x",
    "é",
    "startswith(",
    ")",
    ",",
    " ",
    "tagname eq",
];

fn guest(os: OsType) -> Guest {
    let addr = |ip: &str, net: &str| GuestAddr {
        ip: ip.parse().unwrap(),
        subnet: net.parse().unwrap(),
        public_ip: false,
        primary: true,
    };
    Guest::new(
        os,
        "vm".into(),
        vec![
            GuestNic {
                id: "nic1".into(),
                mac: "00-0D-3A-10-92-CE".into(),
                addrs: vec![addr("192.168.1.4", "192.168.1.0/24")],
            },
            GuestNic {
                id: "nic2".into(),
                mac: "00-0D-3A-10-9B-2A".into(),
                addrs: vec![addr("192.168.2.4", "192.168.2.0/24")],
            },
        ],
        GuestChanges::default(),
    )
}

fn network() -> Network {
    Network {
        vnet_prefixes: vec!["192.168.0.0/16".parse().unwrap()],
        hosts: vec![Host {
            ip: "192.168.3.4".parse().unwrap(),
            running: true,
            os: OsType::Linux,
            icmp_allowed: true,
        }],
        names: {
            let mut n = cerulean_domain::guest::names::Names::default();
            n.add_a("db.corp.internal", vec!["192.168.3.4".parse().unwrap()]);
            n.add_cname("www.corp.internal", "db.corp.internal");
            n.add_cname("loop.corp.internal", "loop.corp.internal");
            n
        },
    }
}

const SHELL_WORDS: &[&str] = &[
    "ip",
    "nslookup",
    "getent",
    "hosts",
    "www.corp.internal",
    "loop.corp.internal",
    "nosuch.corp.internal",
    "route",
    "rule",
    "addr",
    "add",
    "del",
    "delete",
    "show",
    "table",
    "via",
    "dev",
    "metric",
    "from",
    "lookup",
    "priority",
    "ping",
    "-c",
    "-I",
    "-n",
    "-S",
    "hostname",
    "echo",
    "sudo",
    "print",
    "ipconfig",
    "/all",
    "netsh",
    "advfirewall",
    "firewall",
    "mask",
    "IF",
    "METRIC",
    "-p",
    "default",
    "10.0.0.0/8",
    "192.168.1.1",
    "192.168.2.1",
    "192.168.3.4",
    "255.255.255.0",
    "0.0.0.0",
    "eth0",
    "eth1",
    "7",
    "3",
    "4294967295",
    "99999999999",
    "-1",
    "t1",
    "254",
    "ü",
    "",
];

fn script() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop::collection::vec(prop::sample::select(SHELL_WORDS), 0..10).prop_map(|w| w.join(" ")),
        0..30,
    )
}

const ZONE_WORDS: &[&str] = &[
    ".",
    "privatelink",
    "blob",
    "core",
    "windows",
    "net",
    "vaultcore",
    "azure",
    "é",
    "",
];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn resource_ids_never_panic(s in soup(ID_WORDS, 24)) {
        if let Ok(id) = ResourceId::parse(&s) {
            // Every part of a parsed id can be read back, and the parent of a child parses.
            let _ = (id.name(), id.type_path(), id.kind_key(), id.group_id());
            prop_assert_eq!(id.key(), cerulean_domain::id::fold(id.as_str()));
            if let Some(p) = id.parent() {
                prop_assert!(ResourceId::parse(p.as_str()).is_ok());
            }
        }
    }

    #[test]
    fn private_endpoint_names_never_panic(name in "\\PC{0,40}", zone in soup(ZONE_WORDS, 8)) {
        use cerulean_domain::private_endpoint as pe;
        for fqdn in [name.clone(), format!("{name}.blob.core.windows.net"), format!("{name}{zone}")] {
            let _ = pe::record_name(&fqdn, &zone);
            let _ = pe::privatelink_alias(&fqdn);
        }
    }

    #[test]
    fn filters_never_panic(s in soup(FILTER_WORDS, 24)) {
        let _ = ResourceFilter::parse(&s);
        let _ = TagFilter::parse(&s);
    }

    #[test]
    fn scripts_never_panic_and_output_stays_bounded(lines in script(), windows in any::<bool>()) {
        let os = if windows { OsType::Windows } else { OsType::Linux };
        let mut g = guest(os);
        let o = run_script(&mut g, &network(), &lines);
        prop_assert!(o.stdout.len() <= MAX_OUTPUT_BYTES);
        prop_assert!(o.stderr.len() <= MAX_OUTPUT_BYTES);
    }
}
