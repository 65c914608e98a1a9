//! A load balancer's rules and probes: what they reference inside their load balancer, the
//! backend conflicts Azure refuses, and the read-only lists Azure shows on what they
//! reference (a frontend's `loadBalancingRules`, a pool's `outboundRules`, a probe's
//! `loadBalancingRules`, …). The rules themselves are kept as the caller sent them; these
//! are the facts read from them.

use super::load_balancer::{BackendPool, LbContext};
use crate::error::{DomainError, FloatingIpClash};
use crate::id::ResourceId;
use std::collections::{HashMap, HashSet};

/// The collections of a load balancer's body that hold rules and probes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Collection {
    BalancingRules,
    Probes,
    NatRules,
    OutboundRules,
}

impl Collection {
    pub const ALL: [Collection; 4] = [
        Collection::BalancingRules,
        Collection::Probes,
        Collection::NatRules,
        Collection::OutboundRules,
    ];

    /// The property (and path word) Azure names it by.
    pub fn property(self) -> &'static str {
        match self {
            Collection::BalancingRules => "loadBalancingRules",
            Collection::Probes => "probes",
            Collection::NatRules => "inboundNatRules",
            Collection::OutboundRules => "outboundRules",
        }
    }
}

/// A rule's protocol and backend port.
type Backend = (String, u16);

/// One rule or probe as far as its references and backend go.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleFacts {
    pub name: String,
    /// `frontendIPConfiguration.id`, or an outbound rule's `frontendIPConfigurations[].id`.
    pub frontends: Vec<String>,
    /// `backendAddressPool.id` and `backendAddressPools[].id`.
    pub pools: Vec<String>,
    pub probe: Option<String>,
    /// A balancing rule's protocol and backend port.
    pub backend: Option<(String, u16)>,
    pub floating_ip: bool,
    /// Its `protocol` (`Tcp`, `Udp`, `All`), as an outbound rule's frontend check reads it.
    pub protocol: Option<String>,
}

/// The rules and probes of one load balancer, by collection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rules {
    pub items: Vec<(Collection, RuleFacts)>,
}

impl Rules {
    fn of(&self, c: Collection) -> impl Iterator<Item = &RuleFacts> {
        self.items
            .iter()
            .filter(move |(k, _)| *k == c)
            .map(|(_, r)| r)
    }
}

/// The name of the child a reference names inside its load balancer (`word` being the
/// child's collection), if it names one.
fn local_child(lb_id: &ResourceId, raw: &str, word: &str) -> Option<String> {
    let id = ResourceId::parse(raw).ok()?;
    let (ty, name) = id.segments().last()?;
    (id.parent()?.key() == lb_id.key() && ty.eq_ignore_ascii_case(word)).then(|| name.to_string())
}

/// Whether `raw` names one of `names` (lower-case) of this load balancer's `word` children.
fn resolves(lb_id: &ResourceId, raw: &str, word: &str, names: &HashSet<String>) -> bool {
    local_child(lb_id, raw, word).is_some_and(|n| names.contains(&n.to_lowercase()))
}

fn lower_set<'a>(names: impl Iterator<Item = &'a str>) -> HashSet<String> {
    names.map(str::to_lowercase).collect()
}

/// Checks a load balancer's rules and probes against its frontends and pools: a load
/// balancer without frontends has no pools, rules or probes (400
/// `LoadBalancerWithoutFrontendIPCantHaveChildResources`, Azure's code and message); names valid
/// and distinct in each collection, every reference naming a frontend, pool or probe of
/// this load balancer (400 `InvalidResourceReference`), and no two balancing rules sending
/// one protocol and backend port to one pool (400 `RulesUseSameBackendPortProtocolAndPool`,
/// Azure's; with floating IP on both, only through one frontend).
pub fn check(
    lb_id: &ResourceId,
    frontends: &[&str],
    pools: &[BackendPool],
    rules: &Rules,
) -> Result<(), DomainError> {
    let children = !(pools.is_empty() && rules.items.is_empty());
    children_need_a_frontend(lb_id, frontends.len(), children)?;
    // Sets, not lists: a body may hold thousands of rules, and each check stays one lookup.
    let frontend_names = lower_set(frontends.iter().copied());
    let pool_names = lower_set(pools.iter().map(|p| p.name.as_str()));
    let probe_names = lower_set(rules.of(Collection::Probes).map(|p| p.name.as_str()));
    for c in Collection::ALL {
        let mut seen: HashSet<String> = HashSet::new();
        for r in rules.of(c) {
            crate::name::validate_network_name(&r.name)?;
            if !seen.insert(r.name.to_lowercase()) {
                return Err(DomainError::DuplicateChildName {
                    parent: lb_id.to_string(),
                    name: r.name.clone(),
                });
            }
            let referrer = || lb_id.child(c.property(), &r.name).to_string();
            let targets = r
                .frontends
                .iter()
                .map(|f| (f, "frontendIPConfigurations", &frontend_names))
                .chain(
                    r.pools
                        .iter()
                        .map(|p| (p, "backendAddressPools", &pool_names)),
                )
                .chain(r.probe.iter().map(|p| (p, "probes", &probe_names)));
            for (raw, word, names) in targets {
                if !resolves(lb_id, raw, word, names) {
                    return Err(DomainError::InvalidResourceReference {
                        id: raw.clone(),
                        referrer: referrer(),
                    });
                }
            }
        }
    }
    check_backend_conflicts(lb_id, rules)?;
    check_outbound_frontends(lb_id, rules)
}

/// Two outbound rules may not use one frontend with the same or overlapping protocols (`All`
/// overlaps both others): 400
/// `MoreThanOneOutboundRuleUsingSameFrontendIPConfigurationAndProtocolIsNotSupported`,
/// Azure's code and message, which lists every outbound rule using the frontend.
fn check_outbound_frontends(lb_id: &ResourceId, rules: &Rules) -> Result<(), DomainError> {
    // Lower-case frontend → its id as named, the rules using it, the protocols seen there.
    let mut by_frontend: HashMap<String, (&str, Vec<&str>, HashSet<String>)> = HashMap::new();
    let mut clash: Option<String> = None;
    for r in rules.of(Collection::OutboundRules) {
        let protocol = r.protocol.as_deref().unwrap_or("All").to_lowercase();
        // A rule naming one frontend twice uses it once.
        let mut own: HashSet<String> = HashSet::new();
        for f in r.frontends.iter().filter(|f| own.insert(f.to_lowercase())) {
            let (_, users, protocols) = by_frontend
                .entry(f.to_lowercase())
                .or_insert_with(|| (f.as_str(), Vec::new(), HashSet::new()));
            users.push(&r.name);
            let overlaps = protocols.contains(&protocol)
                || (!protocols.is_empty() && (protocol == "all" || protocols.contains("all")));
            protocols.insert(protocol.clone());
            if overlaps && clash.is_none() {
                clash = Some(f.to_lowercase());
            }
        }
    }
    let Some((frontend, users, _)) = clash.and_then(|f| by_frontend.remove(&f)) else {
        return Ok(());
    };
    let rule = |n: &&str| lb_id.child("outboundRules", n).to_string();
    Err(
        DomainError::MoreThanOneOutboundRuleUsingSameFrontendIPConfigurationAndProtocolIsNotSupported {
            frontend: frontend.to_string(),
            rules: users.iter().map(rule).collect::<Vec<_>>().join(","),
        },
    )
}

/// A load balancer with pools, rules or probes (`children`) has a frontend: 400
/// `LoadBalancerWithoutFrontendIPCantHaveChildResources` (Azure's code and message), from its
/// own PUT or a child's.
pub fn children_need_a_frontend(
    lb_id: &ResourceId,
    frontends: usize,
    children: bool,
) -> Result<(), DomainError> {
    if frontends == 0 && children {
        return Err(
            DomainError::LoadBalancerWithoutFrontendIPCantHaveChildResources {
                lb: lb_id.to_string(),
            },
        );
    }
    Ok(())
}

fn check_backend_conflicts(lb_id: &ResourceId, rules: &Rules) -> Result<(), DomainError> {
    // (pool, protocol, port, frontend when floating) → the first rule there: one pass, so
    // a body of many rules costs no more than reading it.
    let mut seen: HashMap<(String, String, u16, Option<String>), &str> = HashMap::new();
    for r in rules.of(Collection::BalancingRules) {
        let Some((protocol, port)) = &r.backend else {
            continue;
        };
        for pool in &r.pools {
            let frontend = r
                .floating_ip
                .then(|| r.frontends.first().map(|f| f.to_lowercase()))
                .flatten();
            let key = (
                pool.to_lowercase(),
                protocol.to_lowercase(),
                *port,
                frontend.clone(),
            );
            let Some(first) = seen.get(&key) else {
                seen.insert(key, &r.name);
                continue;
            };
            let rule = |n: &str| lb_id.child("loadBalancingRules", n).to_string();
            return Err(match frontend {
                None => DomainError::RulesUseSameBackendPortProtocolAndPool {
                    first: rule(first),
                    second: rule(&r.name),
                    protocol: protocol.clone(),
                    port: *port,
                    pool: pool.clone(),
                },
                Some(_) => DomainError::RulesUseSameBackendPortProtocolAndPoolAndFrontendIP(
                    Box::new(FloatingIpClash {
                        first: rule(first),
                        second: rule(&r.name),
                        protocol: protocol.clone(),
                        port: *port,
                        frontend: r.frontends[0].clone(),
                        pool: pool.clone(),
                    }),
                ),
            });
        }
    }
    Ok(())
}

/// A rule of another load balancer reaching an IP configuration without floating IP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForeignRule {
    pub id: String,
    pub protocol: String,
    pub port: u16,
    /// Whether its load balancer is public, else internal.
    pub public: bool,
}

/// The rules of a load balancer reaching each IP configuration its pools and NAT rules
/// send to may not, without floating IP, send one protocol and backend port to it (400
/// `RulesUseSameBackendPortProtocolAndIPConfig`, Azure's), nor may a rule of another load
/// balancer of the same type (`public` or internal) that reaches it
/// (`RulesOfSameLoadBalancerTypeUseSameBackendPortProtocolAndIPConfig`): the load
/// balancer's side of the rules a NIC's write checks too (`nic::plan_put`).
pub fn check_members(
    lb_id: &ResourceId,
    rules: &Rules,
    ctx: &LbContext,
    public: bool,
) -> Result<(), DomainError> {
    // config (lower-case) → (rule id, protocol, port) of each rule reaching it.
    let mut reaching: HashMap<String, Vec<(String, &Backend)>> = HashMap::new();
    let mut configs: HashMap<String, &str> = HashMap::new();
    for (c, r) in &rules.items {
        let Some(backend) = r.backend.as_ref().filter(|_| !r.floating_ip) else {
            continue;
        };
        let targets: Vec<&String> = match c {
            Collection::BalancingRules => r
                .pools
                .iter()
                .filter_map(|p| local_child(lb_id, p, "backendAddressPools"))
                .filter_map(|p| ctx.pool_members.get(&p.to_lowercase()))
                .flatten()
                .collect(),
            Collection::NatRules => ctx
                .nat_rule_members
                .get(&r.name.to_lowercase())
                .map(|(_, config)| config)
                .into_iter()
                .collect(),
            _ => Vec::new(),
        };
        let id = lb_id.child(c.property(), &r.name).to_string();
        // Once per configuration, however many of the rule's pools hold it.
        let mut once: HashSet<String> = HashSet::new();
        for config in targets {
            let key = config.to_lowercase();
            if !once.insert(key.clone()) {
                continue;
            }
            configs.entry(key.clone()).or_insert(config);
            reaching.entry(key).or_default().push((id.clone(), backend));
        }
    }
    let mut keys: Vec<&String> = reaching.keys().collect();
    keys.sort();
    for key in keys {
        let mut seen: HashMap<(String, u16), &String> = HashMap::new();
        for (second, (protocol, port)) in &reaching[key] {
            let Some(first) = seen.get(&(protocol.to_lowercase(), *port)) else {
                seen.insert((protocol.to_lowercase(), *port), second);
                continue;
            };
            return Err(DomainError::RulesUseSameBackendPortProtocolAndIPConfig {
                first: first.to_string(),
                second: second.clone(),
                port: *port,
                protocol: protocol.clone(),
                config: configs[key].to_string(),
            });
        }
        let foreign = ctx.foreign_rules.get(key.as_str()).into_iter().flatten();
        for other in foreign.filter(|o| o.public == public) {
            let clash = seen.get(&(other.protocol.to_lowercase(), other.port));
            if let Some(ours) = clash {
                return Err(
                    DomainError::RulesOfSameLoadBalancerTypeUseSameBackendPortProtocolAndIPConfig {
                        first: other.id.clone(),
                        second: ours.to_string(),
                        port: other.port,
                        protocol: other.protocol.clone(),
                        config: configs[key].to_string(),
                    },
                );
            }
        }
    }
    Ok(())
}

/// The balancing rules without floating IP that send to `pool`: each one's id, protocol and
/// backend port (what an IP configuration joining the pool takes on).
pub fn rules_to_pool(
    lb_id: &ResourceId,
    rules: &Rules,
    pool: &str,
) -> Vec<(String, (String, u16))> {
    rules
        .of(Collection::BalancingRules)
        .filter(|r| !r.floating_ip)
        .filter(|r| {
            r.pools.iter().any(|p| {
                local_child(lb_id, p, "backendAddressPools")
                    .is_some_and(|n| n.eq_ignore_ascii_case(pool))
            })
        })
        .filter_map(|r| {
            let backend = r.backend.clone()?;
            Some((
                lb_id.child("loadBalancingRules", &r.name).to_string(),
                backend,
            ))
        })
        .collect()
}

/// Who references a frontend, pool or probe: the ids Azure lists on it, by the
/// referencing collection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BackRefs {
    /// (target's collection word, lower-case target name) → (referencing collection, ids).
    by_target: HashMap<(&'static str, String), Vec<(Collection, String)>>,
}

impl BackRefs {
    /// The ids of the `from` collection's items that reference `word`'s child `name`.
    pub fn of(&self, word: &str, name: &str, from: Collection) -> Vec<&str> {
        let key = (word_key(word), name.to_lowercase());
        self.by_target
            .get(&key)
            .into_iter()
            .flatten()
            .filter(|(c, _)| *c == from)
            .map(|(_, id)| id.as_str())
            .collect()
    }
}

fn word_key(word: &str) -> &'static str {
    match word {
        "frontendIPConfigurations" => "frontendIPConfigurations",
        "backendAddressPools" => "backendAddressPools",
        _ => "probes",
    }
}

/// The back-references of a stored load balancer's children (references that do not name
/// a child of this load balancer are left out).
pub fn back_refs(lb_id: &ResourceId, rules: &Rules) -> BackRefs {
    let mut out = BackRefs::default();
    for (c, r) in &rules.items {
        let id = lb_id.child(c.property(), &r.name).to_string();
        let targets = r
            .frontends
            .iter()
            .map(|f| (f, "frontendIPConfigurations"))
            .chain(r.pools.iter().map(|p| (p, "backendAddressPools")))
            .chain(r.probe.iter().map(|p| (p, "probes")));
        // Once per child, however often the rule names it.
        let mut once: HashSet<(&'static str, String)> = HashSet::new();
        for (raw, word) in targets {
            if let Some(name) = local_child(lb_id, raw, word) {
                let key = (word_key(word), name.to_lowercase());
                if once.insert(key.clone()) {
                    out.by_target.entry(key).or_default().push((*c, id.clone()));
                }
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "lb_rules_tests.rs"]
mod tests;
