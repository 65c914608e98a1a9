//! Guest networking use cases: `runCommand` on a VM (the domain's small interpreter of
//! networking commands over the VM's modelled guest) and a NIC's effective route table.
//!
//! The guest is assembled from the store in the same transaction: the VM's NICs (primary
//! first, then in attachment order) with every IPv4 configuration's address and subnet
//! prefix, and the virtual network with every other VM address in it (running or not, its
//! OS, and whether its guest allows inbound ICMP). Changes the commands make to the guest are
//! written back into the VM record.

use crate::network::vnets::subnet_key;
use crate::network::{first_user, load, require, subnet_users};
use crate::{App, AppError};
use cerulean_domain::compute::vm::{OsType, PowerState, VirtualMachine};
use cerulean_domain::guest::azure::{EffectiveRoute, Host, Network};
use cerulean_domain::guest::{self, Guest, GuestAddr, GuestNic, Output};
use cerulean_domain::id::ResourceId;
use cerulean_domain::network::nic::NetworkInterface;
use cerulean_domain::network::public_ip::PublicIp;
use cerulean_domain::network::vnet::VirtualNetwork;
use cerulean_domain::network::IpVersion;
use cerulean_domain::operation::Operation;
use cerulean_domain::DomainError;
use cerulean_store::{RefKind, Tx};
use ipnet::{IpNet, Ipv4Net};
use std::net::IpAddr;

/// Which script runner was asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommandId {
    RunShellScript,
    RunPowerShellScript,
}

impl CommandId {
    pub fn parse(s: &str) -> Option<CommandId> {
        if s.eq_ignore_ascii_case("RunShellScript") {
            Some(CommandId::RunShellScript)
        } else if s.eq_ignore_ascii_case("RunPowerShellScript") {
            Some(CommandId::RunPowerShellScript)
        } else {
            None
        }
    }

    fn os(self) -> OsType {
        match self {
            CommandId::RunShellScript => OsType::Linux,
            CommandId::RunPowerShellScript => OsType::Windows,
        }
    }
}

/// Renders a script's output into the operation's result body (the edge's wire format).
pub type RenderOutput = fn(OsType, &Output) -> String;
/// Renders effective routes into the operation's result body.
pub type RenderRoutes = fn(&[EffectiveRoute]) -> String;
/// Renders a next-hop answer into the operation's result body.
pub type RenderNextHop = fn(&guest::NextHop) -> String;

/// The guest of a VM and the network it sits in.
fn guest_of(tx: &mut dyn Tx, vm: &VirtualMachine) -> Result<(Guest, Network), AppError> {
    let mut order: Vec<_> = vm.nics.iter().collect();
    order.sort_by_key(|n| (!n.primary, n.attached_seq));
    let mut nics = Vec::new();
    let mut vnet_id: Option<ResourceId> = None;
    for a in order {
        let id = ResourceId::parse(&a.id)?;
        let Some((rec, nic)) = load::<NetworkInterface>(tx, &id)? else {
            continue;
        };
        let mut addrs = Vec::new();
        for c in &nic.ip_configurations {
            if c.version != IpVersion::IPv4 {
                continue;
            }
            let Some(IpAddr::V4(ip)) = c.private_ip.as_deref().and_then(|p| p.parse().ok()) else {
                continue;
            };
            let subnet_id = ResourceId::parse(&c.subnet)?;
            if vnet_id.is_none() {
                vnet_id = subnet_id.parent();
            }
            let Some(info) = crate::network::subnet_info(tx, &subnet_id)? else {
                continue;
            };
            let Some(IpNet::V4(prefix)) = info
                .prefixes
                .iter()
                .find(|p| matches!(p, IpNet::V4(_)))
                .copied()
            else {
                continue;
            };
            let public_ip = match &c.public_ip {
                Some(p) => load::<PublicIp>(tx, &ResourceId::parse(p)?)?
                    .is_some_and(|(_, p)| p.ip_address.is_some()),
                None => false,
            };
            addrs.push(GuestAddr {
                ip,
                subnet: Ipv4Net::new(prefix.network(), prefix.prefix_len()).unwrap_or(prefix),
                public_ip,
                primary: c.primary,
            });
        }
        addrs.sort_by_key(|a| !a.primary);
        nics.push(GuestNic {
            id: rec.key.clone(),
            mac: nic
                .mac_address
                .clone()
                .unwrap_or_else(|| "00-0D-3A-00-00-00".into()),
            addrs,
        });
    }
    let guest = Guest::new(
        vm.os_type.unwrap_or(OsType::Linux),
        // The host name the OS was given: `osProfile.computerName`.
        crate::dns::registration::host_name(vm),
        nics,
        vm.guest.clone(),
    );
    let net = match vnet_id {
        Some(v) => network_of(tx, &v)?,
        None => Network::default(),
    };
    Ok((guest, net))
}

/// The VNet's address space, every VM address in it and the names its guests resolve.
fn network_of(tx: &mut dyn Tx, vnet_id: &ResourceId) -> Result<Network, AppError> {
    let Some((rec, vnet)) = load::<VirtualNetwork>(tx, vnet_id)? else {
        return Ok(Network::default());
    };
    let vnet_prefixes = vnet
        .address_prefixes
        .iter()
        .filter_map(|p| match p.parse::<IpNet>() {
            Ok(IpNet::V4(n)) => Some(n),
            _ => None,
        })
        .collect();
    let mut hosts = Vec::new();
    let mut names = crate::dns::guest_names(tx, &rec.key)?;
    let suffix = crate::network::vnets::internal_domain_suffix(&rec.id);
    let mut seen_nics = std::collections::HashSet::new();
    let mut users = Vec::new();
    for s in &vnet.subnets {
        users.extend(subnet_users(
            tx,
            &subnet_key(&rec.key, &s.name),
            usize::MAX,
        )?);
    }
    users.sort_by_cached_key(|u| cerulean_domain::id::fold(u));
    for user in users {
        // Users are IP configurations; those of load balancer frontends are no hosts.
        let Some(nic_id) = ResourceId::parse(&user).ok().and_then(|c| c.parent()) else {
            continue;
        };
        if !nic_id.is_type("Microsoft.Network/networkInterfaces")
            || !seen_nics.insert(nic_id.key().to_string())
        {
            continue;
        }
        let Some((_, nic)) = load::<NetworkInterface>(tx, &nic_id)? else {
            continue;
        };
        let vm = match first_user(tx, nic_id.key(), RefKind::Attachment)? {
            Some(v) => load::<VirtualMachine>(tx, &ResourceId::parse(&v)?)?.map(|(_, v)| v),
            None => None,
        };
        // Azure-provided name resolution: a VM's host name is its primary NIC's primary
        // address.
        let primary_of_vm = vm
            .as_ref()
            .and_then(|v| v.primary_nic())
            .and_then(|p| ResourceId::parse(&p.id).ok())
            .is_some_and(|p| p.key() == nic_id.key());
        for c in &nic.ip_configurations {
            let Some(IpAddr::V4(ip)) = c.private_ip.as_deref().and_then(|p| p.parse().ok()) else {
                continue;
            };
            if let (true, true, Some(v)) = (primary_of_vm, c.primary, &vm) {
                names.add_host(&crate::dns::registration::host_name(v), &suffix, ip);
            }
            hosts.push(Host {
                ip,
                running: vm.as_ref().is_some_and(|v| v.power == PowerState::Running),
                os: vm.as_ref().and_then(|v| v.os_type).unwrap_or(OsType::Linux),
                icmp_allowed: vm.as_ref().is_some_and(|v| v.guest.icmp_allowed),
            });
        }
    }
    Ok(Network {
        vnet_prefixes,
        hosts,
        names,
    })
}

fn require_running(vm: &VirtualMachine, operation: &str) -> Result<(), AppError> {
    if vm.power != PowerState::Running {
        return Err(DomainError::OperationNotAllowed {
            operation: operation.to_string(),
            vm: vm.common.name.clone(),
            state: vm.power.status().0.to_string(),
        }
        .into());
    }
    Ok(())
}

/// A boot clears what does not survive it (called by the power use cases).
pub(crate) fn on_boot(vm: &mut VirtualMachine) {
    vm.guest.on_boot();
}

impl App {
    /// POST `runCommand`: runs `script` in the VM's guest, stores what it changed, and
    /// records the output (rendered by `render`) as the operation's result.
    pub async fn run_command(
        &self,
        id: ResourceId,
        command: CommandId,
        script: Vec<String>,
        render: RenderOutput,
    ) -> Result<Operation, AppError> {
        self.subscription(id.subscription()).await?;
        let ops = self.ops();
        // The VM's lock: its guest is read and written back, and its NICs change only under
        // it. What the command reads of others (the network, their guests) is as committed.
        let keys = vec![id.key().to_string()];
        self.write_under(keys, move |tx| {
            let (rec, mut vm) = require::<VirtualMachine>(tx, &id)?;
            require_running(&vm, "runCommand")?;
            let os = vm.os_type.unwrap_or(OsType::Linux);
            if command.os() != os {
                return Err(DomainError::InvalidParameter {
                    // GUESS: Azure's wording.
                    message: format!(
                        "Run command {:?} is not supported for the {:?} virtual machine '{}'.",
                        command, os, vm.common.name
                    ),
                    target: Some("commandId".into()),
                }
                .into());
            }
            let (mut guest, net) = guest_of(tx, &vm)?;
            let out = guest::run_script(&mut guest, &net, &script);
            if guest.changes != vm.guest {
                vm.guest = guest.changes.clone();
                crate::network::save(tx, &id, Some(&rec), &vm.common.location, &vm)?;
            }
            let op = ops.make(
                id.subscription(),
                "Microsoft.Compute",
                &vm.common.location,
                id.as_str(),
                Ok(Some(render(os, &out))),
            );
            tx.put_operation(&op)?;
            Ok(op)
        })
        .await
    }

    /// POST `effectiveRouteTable` on a NIC attached to a running VM.
    pub async fn effective_route_table(
        &self,
        nic_id: ResourceId,
        render: RenderRoutes,
    ) -> Result<Operation, AppError> {
        self.subscription(nic_id.subscription()).await?;
        let ops = self.ops();
        // Writes only an operation of its own: the NIC's lock keeps its reads whole.
        let keys = vec![nic_id.key().to_string()];
        self.write_under(keys, move |tx| {
            let (rec, nic) = require::<NetworkInterface>(tx, &nic_id)?;
            let vm = match first_user(tx, &rec.key, RefKind::Attachment)? {
                Some(v) => load::<VirtualMachine>(tx, &ResourceId::parse(&v)?)?.map(|(_, v)| v),
                None => None,
            };
            if !vm.as_ref().is_some_and(|v| v.power == PowerState::Running) {
                return Err(DomainError::InvalidParameter {
                    // GUESS: Azure's wording for a NIC without a running VM.
                    message: format!(
                        "Network interface {} must be attached to a running virtual machine to get its effective routes.",
                        rec.id
                    ),
                    target: None,
                }
                .into());
            }
            let vnet = nic
                .ip_configurations
                .first()
                .and_then(|c| ResourceId::parse(&c.subnet).ok())
                .and_then(|s| s.parent());
            let net = match vnet {
                Some(v) => network_of(tx, &v)?,
                None => Network::default(),
            };
            let op = ops.make(
                nic_id.subscription(),
                "Microsoft.Network",
                &nic.common.location,
                nic_id.as_str(),
                Ok(Some(render(&net.effective_routes()))),
            );
            tx.put_operation(&op)?;
            Ok(op)
        })
        .await
    }

    /// Next hop from a VM (a cerulean extension in the spirit of Network Watcher's
    /// `nextHop`): Azure's system route for `destination`, the guest's route choice from
    /// `source` (one of the VM's addresses, or the guest's own choice when absent), and
    /// whether a ping would be answered and why not.
    pub async fn next_hop(
        &self,
        vm_id: ResourceId,
        source: Option<String>,
        destination: String,
        render: RenderNextHop,
    ) -> Result<Operation, AppError> {
        self.subscription(vm_id.subscription()).await?;
        let ops = self.ops();
        let parse = |v: &str, what: &str| {
            v.parse::<std::net::Ipv4Addr>().map_err(|_| {
                AppError::from(DomainError::InvalidParameter {
                    message: format!("The {what} '{v}' is not a valid IPv4 address."),
                    target: Some(what.to_string()),
                })
            })
        };
        let dst = parse(&destination, "destinationIPAddress")?;
        let src = match source.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => Some(parse(s, "sourceIPAddress")?),
            None => None,
        };
        // Writes only an operation of its own: the VM's lock keeps its reads whole.
        let keys = vec![vm_id.key().to_string()];
        self.write_under(keys, move |tx| {
            let (_, vm) = require::<VirtualMachine>(tx, &vm_id)?;
            require_running(&vm, "nextHop")?;
            let (guest, net) = guest_of(tx, &vm)?;
            if let Some(s) = src {
                if guest.nic_of_addr(s).is_none() {
                    return Err(DomainError::InvalidParameter {
                        message: format!(
                            "The source address {s} is not an address of virtual machine '{}'.",
                            vm.common.name
                        ),
                        target: Some("sourceIPAddress".into()),
                    }
                    .into());
                }
            }
            let hop = guest::next_hop(&guest, &net, src, dst);
            let op = ops.make(
                vm_id.subscription(),
                "Microsoft.Network",
                &vm.common.location,
                vm_id.as_str(),
                Ok(Some(render(&hop))),
            );
            tx.put_operation(&op)?;
            Ok(op)
        })
        .await
    }
}
