//! Running a `runCommand` script, with Azure's limits and cerulean's: only the last 4,096
//! bytes of each output stream are kept (Azure's), the script is bounded in size (cerulean's:
//! Azure documents none we could find) and in work (cerulean's: Azure stops a script after
//! 90 minutes; here a script that would take long is stopped when it has done a fixed amount
//! of work). The commands themselves are linear: adding a route checks for a duplicate in
//! an index, not by walking every route.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

use super::{azure, linux, windows, Guest, Output, Rule, UserRoute};
use crate::compute::vm::OsType;

/// Azure: output is limited to the last 4,096 bytes (of each stream, here).
pub const MAX_OUTPUT_BYTES: usize = 4096;
/// cerulean: a script may hold at most this many bytes once its parameters are
/// substituted (room for a 20,000-line script of `ip route add`).
pub const MAX_SCRIPT_BYTES: usize = 1024 * 1024;
/// cerulean: work units one script may spend (a line, a route or rule looked at or
/// printed, a route moved); past it the script is stopped.
pub const MAX_SCRIPT_WORK: u64 = 2_000_000;
/// The exit code of a script stopped for its work (`timeout`'s).
pub const STOPPED_CODE: i32 = 124;

/// What one run of a script keeps besides the guest's state: the work spent, and an index
/// of the user's routes for duplicate checks (built on first use, dropped when a route is
/// removed).
#[derive(Debug, Default)]
pub(crate) struct RunState {
    work: Cell<u64>,
    index: RefCell<Option<RouteIndex>>,
}

impl Clone for RunState {
    /// A copy of a guest starts a run of its own.
    fn clone(&self) -> Self {
        RunState::default()
    }
}

/// Linux compares table, destination and metric; Windows table, destination, gateway and
/// interface.
type LinuxKey = (String, Ipv4Addr, u8, u32);
type WindowsKey = (String, Ipv4Addr, u8, Option<Ipv4Addr>, String);

#[derive(Debug, Default)]
struct RouteIndex {
    linux: HashSet<LinuxKey>,
    windows: HashSet<WindowsKey>,
}

impl RouteIndex {
    fn insert(&mut self, guest: &Guest, r: &UserRoute) {
        // A route whose NIC is gone is not live: Linux ignores it (as `Guest::routes` does).
        if guest.nic_by_id(&r.nic).is_some() {
            self.linux
                .insert((r.table.clone(), r.dest, r.prefix, r.metric));
        }
        self.windows
            .insert((r.table.clone(), r.dest, r.prefix, r.gateway, r.nic.clone()));
    }
}

impl Guest {
    pub fn new(
        os: OsType,
        hostname: String,
        nics: Vec<super::GuestNic>,
        changes: super::GuestChanges,
    ) -> Guest {
        Guest {
            os,
            hostname,
            nics,
            changes,
            run: RunState::default(),
        }
    }

    /// Counts `n` units of work against the script's budget.
    pub fn charge(&self, n: usize) {
        self.run
            .work
            .set(self.run.work.get().saturating_add(n as u64));
    }

    /// The work spent so far.
    pub fn work(&self) -> u64 {
        self.run.work.get()
    }

    fn with_index<T>(&self, f: impl FnOnce(&RouteIndex) -> T) -> T {
        let mut slot = self.run.index.borrow_mut();
        let index = slot.get_or_insert_with(|| {
            self.charge(self.changes.routes.len());
            let mut i = RouteIndex::default();
            for r in &self.changes.routes {
                i.insert(self, r);
            }
            i
        });
        f(index)
    }

    /// Linux: a live route with this table, destination and metric exists (`File exists`).
    pub fn linux_route_exists(&self, table: &str, dest: Ipv4Net, metric: u32) -> bool {
        let derived = self
            .derived_routes()
            .iter()
            .any(|x| x.table == table && x.dest == dest && x.metric == metric);
        derived
            || self.with_index(|i| {
                i.linux
                    .contains(&(table.to_string(), dest.network(), dest.prefix_len(), metric))
            })
    }

    /// Windows: the same route through the same gateway and interface exists.
    pub fn windows_route_exists(
        &self,
        dest: Ipv4Addr,
        prefix: u8,
        gateway: Option<Ipv4Addr>,
        nic: &str,
    ) -> bool {
        self.with_index(|i| {
            i.windows
                .contains(&("main".to_string(), dest, prefix, gateway, nic.to_string()))
        })
    }

    pub fn add_route(&mut self, r: UserRoute) {
        self.charge(1);
        if let Some(index) = self.run.index.borrow_mut().as_mut() {
            index.insert(self, &r);
        }
        self.changes.routes.push(r);
    }

    pub fn remove_route(&mut self, at: usize) -> UserRoute {
        self.charge(self.changes.routes.len());
        self.run.index.borrow_mut().take();
        self.changes.routes.remove(at)
    }

    /// Keeps the routes `keep` accepts; returns how many were removed.
    pub fn retain_routes(&mut self, keep: impl FnMut(&UserRoute) -> bool) -> usize {
        self.charge(self.changes.routes.len());
        self.run.index.borrow_mut().take();
        let before = self.changes.routes.len();
        self.changes.routes.retain(keep);
        before - self.changes.routes.len()
    }

    pub fn add_rule(&mut self, r: Rule) {
        self.charge(1);
        self.changes.rules.push(r);
    }

    pub fn remove_rule(&mut self, at: usize) -> Rule {
        self.charge(self.changes.rules.len());
        self.changes.rules.remove(at)
    }
}

/// The last [`MAX_OUTPUT_BYTES`] of a stream, kept as it is written.
#[derive(Default)]
struct Tail(String);

impl Tail {
    fn push(&mut self, s: &str) {
        self.0.push_str(last_bytes(s, MAX_OUTPUT_BYTES));
        // Trimmed once it doubles: amortised, the copy is small.
        if self.0.len() > 2 * MAX_OUTPUT_BYTES {
            self.trim();
        }
    }

    fn trim(&mut self) {
        let cut = self.0.len() - last_bytes(&self.0, MAX_OUTPUT_BYTES).len();
        self.0.drain(..cut);
    }

    fn finish(mut self) -> String {
        self.trim();
        self.0
    }
}

/// At most the last `n` bytes of `s`, starting on a character boundary.
fn last_bytes(s: &str, n: usize) -> &str {
    let mut start = s.len().saturating_sub(n);
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

/// Runs a script (one command a line) in the guest's shell, changing `guest.changes`.
/// Returns the last [`MAX_OUTPUT_BYTES`] of each stream; a script that spends more than
/// [`MAX_SCRIPT_WORK`] is stopped after the line that did (what it changed stays, as when
/// a real script is killed).
pub fn run_script(guest: &mut Guest, net: &azure::Network, lines: &[String]) -> Output {
    let (mut stdout, mut stderr) = (Tail::default(), Tail::default());
    let mut code = 0;
    let mut n = 0;
    for raw in lines.iter().flat_map(|l| l.lines()) {
        n += 1;
        guest.charge(1);
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.to_ascii_lowercase().starts_with("rem ")
        {
            continue;
        }
        let o = match guest.os {
            OsType::Windows => windows::run(guest, net, line),
            OsType::Linux => linux::run(guest, net, line, n),
        };
        guest.charge(o.stdout.len() / 64 + o.stderr.len() / 64);
        stdout.push(&o.stdout);
        stderr.push(&o.stderr);
        code = o.code;
        if guest.work() > MAX_SCRIPT_WORK {
            stderr.push(&format!(
                "cerulean: the script was stopped after line {n}: it exceeded cerulean's budget of {MAX_SCRIPT_WORK} units of work (routes and rules looked at, lines run).\n"
            ));
            code = STOPPED_CODE;
            break;
        }
    }
    Output {
        stdout: stdout.finish(),
        stderr: stderr.finish(),
        code,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{seed_guest, seed_net};
    use super::*;

    #[test]
    fn only_the_last_4096_bytes_of_each_stream_are_kept() {
        let mut g = seed_guest(OsType::Linux);
        let lines: Vec<String> = (0..2_000)
            .map(|i| format!("echo line {i:05} ü"))
            .chain(["foo".to_string()])
            .collect();
        let o = run_script(&mut g, &seed_net(), &lines);
        assert!(o.stdout.len() <= MAX_OUTPUT_BYTES, "{}", o.stdout.len());
        assert!(o.stdout.len() > MAX_OUTPUT_BYTES - 16);
        assert!(o.stdout.ends_with("line 01999 ü\n"));
        assert!(!o.stdout.contains("line 00000"));
        assert_eq!(o.stderr, "bash: line 2001: foo: command not found\n");
        assert_eq!(o.code, 127);
        assert_eq!(last_bytes("aü", 1), "");
        assert_eq!(last_bytes("aü", 2), "ü");
    }

    fn adds(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| {
                format!(
                    "ip route add 10.{}.{}.0/24 via 192.168.1.1",
                    i / 256,
                    i % 256
                )
            })
            .collect()
    }

    #[test]
    fn twenty_thousand_route_adds_are_linear() {
        let mut g = seed_guest(OsType::Linux);
        let o = run_script(&mut g, &seed_net(), &adds(20_000));
        assert_eq!((o.code, o.stderr.as_str()), (0, ""));
        assert_eq!(g.changes.routes.len(), 20_000);
        // A line and a route each, plus the index built once: nowhere near quadratic.
        assert!(g.work() < 100_000, "{}", g.work());
        // Duplicates are still found, through the index.
        let again = run_script(&mut g, &seed_net(), &adds(1));
        assert_eq!(again.stderr, "RTNETLINK answers: File exists\n");
    }

    #[test]
    fn windows_route_adds_are_linear_and_duplicates_found() {
        let mut g = seed_guest(OsType::Windows);
        let lines: Vec<String> = (0..20_000)
            .map(|i| {
                format!(
                    "route add 10.{}.{}.0 mask 255.255.255.0 192.168.1.1",
                    i / 256,
                    i % 256
                )
            })
            .collect();
        let o = run_script(&mut g, &seed_net(), &lines);
        assert_eq!(o.code, 0, "{}", o.stdout);
        assert!(g.work() < 100_000, "{}", g.work());
        let again = run_script(&mut g, &seed_net(), &lines[..1]);
        assert!(again.stdout.contains("already exists"), "{}", again.stdout);
    }

    #[test]
    fn quadratic_scripts_are_stopped_by_the_budget() {
        let mut g = seed_guest(OsType::Linux);
        // Each failed delete looks at every route: 5,000 routes, 1,000 deletes.
        let mut lines = adds(5_000);
        lines.extend(std::iter::repeat_n(
            "ip route del 172.16.0.0/24".to_string(),
            1_000,
        ));
        lines.push("echo never".into());
        let o = run_script(&mut g, &seed_net(), &lines);
        assert_eq!(o.code, STOPPED_CODE);
        assert!(
            o.stderr.contains("the script was stopped after line"),
            "{}",
            o.stderr
        );
        assert!(!o.stdout.contains("never"));
        assert!(o.stderr.len() <= MAX_OUTPUT_BYTES);
        // What it changed before it was stopped stays.
        assert_eq!(g.changes.routes.len(), 5_000);
    }

    #[test]
    fn removals_keep_duplicate_checks_right() {
        let mut g = seed_guest(OsType::Linux);
        let net = seed_net();
        let script = |g: &mut Guest, l: &str| run_script(g, &net, &[l.to_string()]);
        assert_eq!(
            script(&mut g, "ip route add 10.0.0.0/24 via 192.168.1.1").code,
            0
        );
        assert_eq!(
            script(&mut g, "ip route add 10.0.0.0/24 via 192.168.1.1").code,
            2
        );
        assert_eq!(script(&mut g, "ip route del 10.0.0.0/24").code, 0);
        assert_eq!(
            script(&mut g, "ip route add 10.0.0.0/24 via 192.168.1.1").code,
            0
        );
    }
}
