//! The rules of *other* load balancers that reach a load balancer's backends: what its write
//! needs for `RulesOfSameLoadBalancerTypeUseSameBackendPortProtocolAndIPConfig`, which a
//! NIC's write checks from its side (`nic::plan_put`).

use super::{nat_rule_backend, stored_rules};
use crate::network::load;
use crate::AppError;
use cerulean_domain::id::ResourceId;
use cerulean_domain::network::lb_rules::{self, ForeignRule};
use cerulean_domain::network::load_balancer::{LbContext, LoadBalancer};
use cerulean_domain::network::nic::NetworkInterface;
use cerulean_store::Tx;
use std::collections::{HashMap, HashSet};

/// What [`gather`] finds: the rules by lower-case configuration id, and the keys of the load
/// balancers they belong to (what a write reading them locks).
#[derive(Default)]
pub(crate) struct Foreign {
    pub rules: HashMap<String, Vec<ForeignRule>>,
    pub load_balancers: Vec<String>,
}

/// The rules of load balancers other than `lb_key` that reach, without floating IP, the IP
/// configurations in `ctx`'s pools and NAT rules.
pub(crate) fn gather(tx: &mut dyn Tx, lb_key: &str, ctx: &LbContext) -> Result<Foreign, AppError> {
    let members = ctx.pool_members.values().flatten();
    let members = members.chain(ctx.nat_rule_members.values().map(|(_, c)| c));
    let mut asked: HashSet<String> = HashSet::new();
    let mut nics: HashMap<String, Option<NetworkInterface>> = HashMap::new();
    let mut lbs: HashMap<String, Option<(ResourceId, LoadBalancer)>> = HashMap::new();
    let mut out = Foreign::default();
    for config in members {
        let config_id = ResourceId::parse(config)?;
        if !asked.insert(config_id.key().to_string()) {
            continue;
        }
        let Some(nic_id) = config_id.parent() else {
            continue;
        };
        if !nics.contains_key(nic_id.key()) {
            let nic = load::<NetworkInterface>(tx, &nic_id)?.map(|(_, n)| n);
            nics.insert(nic_id.key().to_string(), nic);
        }
        let Some(c) = nics[nic_id.key()].as_ref().and_then(|n| {
            n.ip_configurations
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(config_id.name()))
        }) else {
            continue;
        };
        let named = c.pools.iter().map(|p| (p, true));
        let named = named.chain(c.nat_rules.iter().map(|r| (r, false)));
        let mut reaching = Vec::new();
        for (raw, pool) in named {
            let child = ResourceId::parse(raw)?;
            let Some(lb_id) = child.parent().filter(|l| l.key() != lb_key) else {
                continue;
            };
            if !lbs.contains_key(lb_id.key()) {
                let found = load::<LoadBalancer>(tx, &lb_id)?;
                if found.is_some() {
                    out.load_balancers.push(lb_id.key().to_string());
                }
                let found = found.map(|(rec, lb)| ResourceId::parse(&rec.id).map(|id| (id, lb)));
                lbs.insert(lb_id.key().to_string(), found.transpose()?);
            }
            let Some((id, lb)) = &lbs[lb_id.key()] else {
                continue;
            };
            let public = lb.is_public();
            if pool {
                let rules = lb_rules::rules_to_pool(id, &stored_rules(lb), child.name());
                for (rule, (protocol, port)) in rules {
                    reaching.push(ForeignRule {
                        id: rule,
                        protocol,
                        port,
                        public,
                    });
                }
            } else if let Some((name, Some((protocol, port)))) = nat_rule_backend(lb, child.name())
            {
                reaching.push(ForeignRule {
                    id: format!("{id}/inboundNatRules/{name}"),
                    protocol,
                    port,
                    public,
                });
            }
        }
        if !reaching.is_empty() {
            out.rules.insert(config_id.key().to_string(), reaching);
        }
    }
    Ok(out)
}
