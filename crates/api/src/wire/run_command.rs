//! `runCommand` and `effectiveRouteTable`: request body and result shapes.

use cerulean_domain::compute::vm::OsType;
use cerulean_domain::guest::azure::EffectiveRoute;
use cerulean_domain::guest::{NextHop, Output};
use serde::Deserialize;
use serde_json::{json, Value};

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
    /// shell and PowerShell see them).
    pub fn lines(&self) -> Vec<String> {
        self.script
            .iter()
            .map(|l| {
                let mut l = l.clone();
                for p in &self.parameters {
                    l = l
                        .replace(&format!("${{{}}}", p.name), &p.value)
                        .replace(&format!("${}", p.name), &p.value);
                }
                l
            })
            .collect()
    }
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
        assert_eq!(body.lines(), vec!["ping -c 1 10.0.0.4".to_string()]);
    }
}
