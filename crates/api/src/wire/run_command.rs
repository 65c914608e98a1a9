//! `runCommand` and `effectiveRouteTable`: request body and result shapes.

use cerulean_domain::compute::vm::OsType;
use cerulean_domain::guest::azure::EffectiveRoute;
use cerulean_domain::guest::{NextHop, Output, MAX_SCRIPT_BYTES};
use cerulean_domain::DomainError;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;

#[derive(Debug, Deserialize)]
pub struct Parameter {
    pub name: String,
    #[serde(default)]
    pub value: String,
}

/// `{commandId, script: [lines], parameters: [{name, value}]}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunCommandIn {
    #[serde(default)]
    pub command_id: String,
    #[serde(default)]
    pub script: Vec<String>,
    #[serde(default)]
    pub parameters: Vec<Parameter>,
}

impl RunCommandIn {
    /// The script with `$name` / `${name}` replaced by the parameters' values (how both the
    /// shell and PowerShell see them), in one pass: `$name` is the longest name the
    /// characters allow, as in a shell. A script longer than [`MAX_SCRIPT_BYTES`] once
    /// substituted is refused as it grows.
    pub fn lines(&self) -> Result<Vec<String>, DomainError> {
        let values: HashMap<&str, &str> = self
            .parameters
            .iter()
            .map(|p| (p.name.as_str(), p.value.as_str()))
            .collect();
        let mut size = 0;
        let mut out = Vec::with_capacity(self.script.len());
        for line in &self.script {
            let line = substitute(line, &values, MAX_SCRIPT_BYTES.saturating_sub(size))
                .ok_or_else(too_long)?;
            size += line.len() + 1;
            out.push(line);
        }
        if size > MAX_SCRIPT_BYTES {
            return Err(too_long());
        }
        Ok(out)
    }
}

fn too_long() -> DomainError {
    DomainError::InvalidParameter {
        message: format!(
            "The script is longer than {MAX_SCRIPT_BYTES} bytes once its parameters are substituted, cerulean's limit for a run command script."
        ),
        target: Some("script".into()),
    }
}

/// `line` with its parameters substituted, or `None` once it would pass `room` bytes.
fn substitute(line: &str, values: &HashMap<&str, &str>, room: usize) -> Option<String> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, len) = match after.strip_prefix('{') {
            Some(braced) => match braced.find('}') {
                Some(end) => (&braced[..end], end + 2),
                None => ("", 0),
            },
            None => {
                let end = after.find(|c: char| !is_name(c)).unwrap_or(after.len());
                (&after[..end], end)
            }
        };
        match values.get(name) {
            Some(v) if len > 0 => {
                out.push_str(v);
                rest = &after[len..];
            }
            _ => {
                out.push('$');
                rest = after;
            }
        }
        if out.len() > room {
            return None;
        }
    }
    out.push_str(rest);
    (out.len() <= room).then_some(out)
}

/// The final result of a run command: Linux one entry with both streams, Windows one entry
/// per stream.
pub fn output(os: OsType, out: &Output) -> String {
    let value = match os {
        OsType::Linux => json!([{
            "code": "ProvisioningState/succeeded",
            "level": "Info",
            "displayStatus": "Provisioning succeeded",
            "message": format!("Enable succeeded: \n[stdout]\n{}\n[stderr]\n{}", out.stdout, out.stderr),
        }]),
        OsType::Windows => json!([
            {
                "code": "ComponentStatus/StdOut/succeeded",
                "level": "Info",
                "displayStatus": "Provisioning succeeded",
                "message": out.stdout,
            },
            {
                "code": "ComponentStatus/StdErr/succeeded",
                "level": "Info",
                "displayStatus": "Provisioning succeeded",
                "message": out.stderr,
            }
        ]),
    };
    json!({ "value": value }).to_string()
}

/// `{value: [{source, state, addressPrefix, nextHopIpAddress, nextHopType}]}`.
pub fn effective_routes(routes: &[EffectiveRoute]) -> String {
    let value: Vec<Value> = routes
        .iter()
        .map(|r| {
            json!({
                "source": "Default",
                "state": "Active",
                "addressPrefix": [r.prefix.to_string()],
                "nextHopIpAddress": [],
                "nextHopType": r.next_hop.as_str(),
            })
        })
        .collect();
    json!({ "value": value }).to_string()
}

/// Network Watcher's `nextHop` body: `{targetResourceId, sourceIPAddress,
/// destinationIPAddress}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NextHopIn {
    #[serde(default)]
    pub target_resource_id: String,
    #[serde(default, rename = "sourceIPAddress")]
    pub source_ip_address: Option<String>,
    #[serde(default, rename = "destinationIPAddress")]
    pub destination_ip_address: String,
}

/// `{nextHopType, nextHopIpAddress, routeTableId: "System Route"}` plus cerulean's `guest`
/// extension: the guest's route choice, reachability and the reason.
pub fn next_hop(h: &NextHop) -> String {
    let mut v = json!({
        "nextHopType": h.azure.as_str(),
        "routeTableId": "System Route",
        "guest": {
            "reachable": h.reachable,
            "reason": h.reason,
        },
    });
    if let Some((iface, gw, src)) = &h.guest {
        v["guest"]["interface"] = json!(iface);
        v["guest"]["gateway"] = json!(gw.map(|g| g.to_string()));
        v["guest"]["sourceIPAddress"] = json!(src.to_string());
    }
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let out = Output {
            stdout: "a\n".into(),
            stderr: "b\n".into(),
            code: 0,
        };
        let l: Value = serde_json::from_str(&output(OsType::Linux, &out)).unwrap();
        assert_eq!(
            l["value"][0]["message"],
            "Enable succeeded: \n[stdout]\na\n\n[stderr]\nb\n"
        );
        let w: Value = serde_json::from_str(&output(OsType::Windows, &out)).unwrap();
        assert_eq!(w["value"][1]["code"], "ComponentStatus/StdErr/succeeded");
        let body: RunCommandIn = serde_json::from_value(json!({
            "commandId": "RunShellScript", "script": ["ping -c 1 $dst"], "parameters": [{"name": "dst", "value": "10.0.0.4"}]
        }))
        .unwrap();
        assert_eq!(
            body.lines().unwrap(),
            vec!["ping -c 1 10.0.0.4".to_string()]
        );
    }

    fn script(lines: &[&str], params: &[(&str, &str)]) -> RunCommandIn {
        RunCommandIn {
            command_id: "RunShellScript".into(),
            script: lines.iter().map(|l| l.to_string()).collect(),
            parameters: params
                .iter()
                .map(|(n, v)| Parameter {
                    name: n.to_string(),
                    value: v.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn parameters_are_substituted_as_a_shell_would() {
        let s = script(
            &["echo $a ${a}b $ab $$ $ ${a", "${missing} $a_"],
            &[("a", "1"), ("ab", "2")],
        );
        assert_eq!(
            s.lines().unwrap(),
            vec!["echo 1 1b 2 $$ $ ${a", "${missing} $a_"]
        );
    }

    #[test]
    fn scripts_are_capped_once_substituted() {
        // A 100 KB request that used to expand to 100 MB: refused as it grows.
        let value = "x".repeat(50_000);
        let bomb = script(&[&"$p".repeat(25_000)], &[("p", &value)]);
        let e = bomb.lines().unwrap_err();
        assert_eq!(e.code(), "InvalidParameter");
        assert!(e.to_string().contains("1048576 bytes"), "{e}");
        // At the limit (one byte a line for its newline) and one byte over.
        let at = "y".repeat(MAX_SCRIPT_BYTES - 1);
        assert!(script(&[&at], &[]).lines().is_ok());
        let over = "y".repeat(MAX_SCRIPT_BYTES);
        assert!(script(&[&over], &[]).lines().is_err());
    }
}
