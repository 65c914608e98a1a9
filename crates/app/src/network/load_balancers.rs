//! Load balancer and backend pool use cases.

use super::{
    first_user, public_ip_info, require, run_moves, save, subnet_info, Stored, LOAD_BALANCER,
};
use crate::keyed::lock_of;
use crate::records::new_etag;
use crate::{App, AppError};
use cerulean_domain::id::ResourceId;
use cerulean_domain::network::lb_rules::{self, Collection, RuleFacts, Rules};
use cerulean_domain::network::load_balancer::{self, LbContext, LbSpec, LoadBalancer};
use cerulean_domain::operation::Operation;
use cerulean_store::{Record, Ref, RefKind, Tx};
use serde_json::{json, Value};
use std::collections::HashMap;

mod foreign;

#[derive(Clone, Debug)]
pub struct LbView {
    pub lb: Stored<LoadBalancer>,
    /// Parallel to `lb.value.pools`: the IP configurations in each pool.
    pub pool_members: Vec<Vec<String>>,
    /// Lower-case inbound NAT rule name → the IP configuration it forwards to.
    pub nat_rule_targets: HashMap<String, String>,
}

pub(crate) fn pool_key(lb_key: &str, pool: &str) -> String {
    format!("{lb_key}/backendaddresspools/{}", pool.to_lowercase())
}

/// The key a private link service names a frontend by.
pub(crate) fn frontend_key(lb_key: &str, frontend: &str) -> String {
    format!(
        "{lb_key}/frontendipconfigurations/{}",
        frontend.to_lowercase()
    )
}

/// The key an IP configuration names an inbound NAT rule by (and locks it under).
pub(crate) fn nat_rule_key(lb_key: &str, rule: &str) -> String {
    format!("{lb_key}/inboundnatrules/{}", rule.to_lowercase())
}

/// Where a load balancer's backends are referenced from: each pool's key and each inbound
/// NAT rule's, with the kind of reference an IP configuration holds to it.
pub(crate) fn backend_keys(lb_key: &str, lb: &LoadBalancer) -> Vec<(String, RefKind)> {
    let pools = lb
        .pools
        .iter()
        .map(|p| (pool_key(lb_key, &p.name), RefKind::BackendPool));
    let rules = nat_rule_names(lb)
        .into_iter()
        .map(|n| (nat_rule_key(lb_key, &n), RefKind::InboundNatRule));
    pools.chain(rules).collect()
}

/// The names of a load balancer's inbound NAT rules. The rules are kept as the caller sent
/// them (`extras`), so their names are read from there: a record written before NAT rules
/// were modelled has them too.
pub fn nat_rule_names(lb: &LoadBalancer) -> Vec<String> {
    nat_rules_json(lb)
        .iter()
        .filter_map(|r| r["name"].as_str().map(str::to_string))
        .collect()
}

/// The inbound NAT rule `name` (any case): its name as kept and, unless it has floating IP
/// enabled, the protocol and backend port it forwards to.
pub(crate) fn nat_rule_backend(
    lb: &LoadBalancer,
    name: &str,
) -> Option<(String, Option<(String, u16)>)> {
    let rules = nat_rules_json(lb);
    let rule = rules.iter().find(|r| named(r, name))?;
    let p = &rule["properties"];
    let backend = match (
        p["protocol"].as_str(),
        p["backendPort"]
            .as_u64()
            .and_then(|n| u16::try_from(n).ok()),
        p["enableFloatingIP"].as_bool().unwrap_or(false),
    ) {
        (Some(protocol), Some(port), false) => Some((protocol.to_string(), port)),
        _ => None,
    };
    Some((rule["name"].as_str()?.to_string(), backend))
}

/// What the rules and probes in a load balancer's properties reference (`get` reads one
/// property). Ids that are not strings are left out: they reference nothing.
pub fn rules_of<'a>(get: impl Fn(&str) -> Option<&'a Value>) -> Rules {
    let id = |v: &Value| v["id"].as_str().map(str::to_string);
    let ids =
        |v: &Value| -> Vec<String> { v.as_array().into_iter().flatten().filter_map(&id).collect() };
    let mut items = Vec::new();
    for c in Collection::ALL {
        for item in get(c.property())
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let p = &item["properties"];
            let mut frontends = ids(&p["frontendIPConfigurations"]);
            frontends.extend(id(&p["frontendIPConfiguration"]));
            let mut pools = ids(&p["backendAddressPools"]);
            pools.extend(id(&p["backendAddressPool"]));
            // A rule may name a pool in both spellings: once is enough.
            let mut once = std::collections::HashSet::new();
            pools.retain(|p| once.insert(p.to_lowercase()));
            let backend = match (c, p["protocol"].as_str(), p["backendPort"].as_u64()) {
                (Collection::BalancingRules | Collection::NatRules, Some(protocol), Some(port)) => {
                    u16::try_from(port).ok().map(|n| (protocol.to_string(), n))
                }
                _ => None,
            };
            items.push((
                c,
                RuleFacts {
                    name: item["name"].as_str().unwrap_or_default().to_string(),
                    frontends,
                    pools,
                    probe: id(&p["probe"]),
                    backend,
                    floating_ip: p["enableFloatingIP"].as_bool().unwrap_or(false),
                    protocol: p["protocol"].as_str().map(str::to_string),
                },
            ));
        }
    }
    Rules { items }
}

/// What the rules and probes kept in a stored load balancer reference.
pub fn stored_rules(lb: &LoadBalancer) -> Rules {
    let kept: Vec<(&str, Value)> = lb
        .extras
        .iter()
        .map(|(k, raw)| (k.as_str(), serde_json::from_str(raw).unwrap_or(Value::Null)))
        .collect();
    rules_of(|k| kept.iter().find(|(n, _)| *n == k).map(|(_, v)| v))
}

/// Checks a changed load balancer's rules against its frontends, pools and the IP
/// configurations they reach, as its PUT does.
fn check_rules(tx: &mut dyn Tx, id: &ResourceId, lb: &LoadBalancer) -> Result<(), AppError> {
    let frontends: Vec<&str> = lb.frontends.iter().map(|f| f.name.as_str()).collect();
    let rules = stored_rules(lb);
    lb_rules::check(id, &frontends, &lb.pools, &rules)?;
    let mut ctx = context(tx, id.key(), Some(lb), &LbSpec::default())?;
    ctx.foreign_rules = foreign::gather(tx, id.key(), &ctx)?.rules;
    Ok(lb_rules::check_members(id, &rules, &ctx, lb.is_public())?)
}

const NAT_RULES: &str = "inboundNatRules";

/// The inbound NAT rules as kept (empty when there are none, or they are not a list).
fn nat_rules_json(lb: &LoadBalancer) -> Vec<Value> {
    lb.extras
        .iter()
        .find(|(k, _)| k == NAT_RULES)
        .and_then(|(_, raw)| serde_json::from_str(raw).ok())
        .unwrap_or_default()
}

fn set_nat_rules_json(lb: &mut LoadBalancer, rules: &[Value]) {
    let raw = Value::from(rules.to_vec()).to_string();
    match lb.extras.iter_mut().find(|(k, _)| k == NAT_RULES) {
        Some(kept) => kept.1 = raw,
        None => lb.extras.push((NAT_RULES.to_string(), raw)),
    }
}

fn named(rule: &Value, name: &str) -> bool {
    rule["name"]
        .as_str()
        .is_some_and(|n| n.eq_ignore_ascii_case(name))
}

/// Each inbound NAT rule of a stored load balancer that forwards to an IP configuration: its
/// name as kept and that configuration's id.
fn nat_rule_targets(
    tx: &mut dyn Tx,
    lb_key: &str,
    lb: &LoadBalancer,
) -> Result<Vec<(String, String)>, AppError> {
    let mut targets = Vec::new();
    for name in nat_rule_names(lb) {
        if let Some(t) = first_user(tx, &nat_rule_key(lb_key, &name), RefKind::InboundNatRule)? {
            targets.push((name, t));
        }
    }
    Ok(targets)
}

pub fn view(tx: &mut dyn Tx, rec: &Record) -> Result<LbView, AppError> {
    let lb = Stored::<LoadBalancer>::from(rec)?;
    let mut pool_members = Vec::with_capacity(lb.value.pools.len());
    for p in &lb.value.pools {
        let refs = tx.refs_to(&pool_key(&rec.key, &p.name), RefKind::BackendPool)?;
        pool_members.push(refs.into_iter().map(|r| r.from_id).collect());
    }
    let nat_rule_targets = nat_rule_targets(tx, &rec.key, &lb.value)?
        .into_iter()
        .map(|(name, target)| (name.to_lowercase(), target))
        .collect();
    Ok(LbView {
        lb,
        pool_members,
        nat_rule_targets,
    })
}

fn context(
    tx: &mut dyn Tx,
    lb_key: &str,
    existing: Option<&LoadBalancer>,
    spec: &LbSpec,
) -> Result<LbContext, AppError> {
    let mut ctx = LbContext::default();
    // The stored frontends' subnets were checked when they were written: they parse.
    let old_subnets = existing
        .into_iter()
        .flat_map(|l| l.frontends.iter())
        .filter_map(|f| f.subnet.as_deref())
        .filter_map(|raw| ResourceId::parse(raw).ok());
    let subnets = old_subnets.chain(spec.frontends.iter().filter_map(|f| f.subnet.clone()));
    for id in subnets {
        if let Some(info) = subnet_info(tx, &id)? {
            ctx.subnets.insert(id.key().to_string(), info);
        }
    }
    for id in spec.frontends.iter().filter_map(|f| f.public_ip.as_ref()) {
        if let Some(info) = public_ip_info(tx, id)? {
            ctx.public_ips.insert(id.key().to_string(), info);
        }
    }
    for p in existing.into_iter().flat_map(|l| l.pools.iter()) {
        let refs = tx.refs_to(&pool_key(lb_key, &p.name), RefKind::BackendPool)?;
        if !refs.is_empty() {
            let members = refs.into_iter().map(|r| r.from_id).collect();
            ctx.pool_members.insert(p.name.to_lowercase(), members);
        }
    }
    for f in existing.into_iter().flat_map(|l| l.frontends.iter()) {
        let key = frontend_key(lb_key, &f.name);
        if let Some(user) = first_user(tx, &key, RefKind::ServiceFrontend)? {
            ctx.frontend_users.insert(f.name.to_lowercase(), user);
        }
    }
    if let Some(lb) = existing {
        for (name, target) in nat_rule_targets(tx, lb_key, lb)? {
            ctx.nat_rule_members
                .insert(name.to_lowercase(), (name, target));
        }
    }
    Ok(ctx)
}

fn refs_of(id: &ResourceId, lb: &LoadBalancer) -> Result<Vec<Ref>, AppError> {
    let mut refs = Vec::new();
    for f in &lb.frontends {
        // A frontend's subnet needs no reference: its address in it says who uses it.
        if let Some(raw) = &f.public_ip {
            let from = id.child("frontendIPConfigurations", &f.name);
            refs.push(Ref {
                from_key: from.key().to_string(),
                from_id: from.to_string(),
                to_key: ResourceId::parse(raw)?.key().to_string(),
                kind: RefKind::PublicIp,
                owner_key: id.key().to_string(),
            });
        }
    }
    Ok(refs)
}

/// What a load balancer's DELETE locks: itself, its pools and NAT rules (an IP
/// configuration names one under its key), the subnets its frontends hold addresses in and
/// the public IPs they use.
pub(crate) fn delete_locks(id: &ResourceId, lb: &LoadBalancer) -> Vec<String> {
    let mut keys = vec![id.key().to_string()];
    keys.extend(lb.pools.iter().map(|p| pool_key(id.key(), &p.name)));
    keys.extend(nat_rule_names(lb).iter().map(|n| nat_rule_key(id.key(), n)));
    for f in &lb.frontends {
        keys.extend(
            f.subnet
                .iter()
                .chain(&f.public_ip)
                .filter_map(|r| lock_of(r)),
        );
    }
    keys
}

pub(crate) fn purge(tx: &mut dyn Tx, rec: &Record) -> Result<(), AppError> {
    let id = ResourceId::parse(&rec.id)?;
    let lb: LoadBalancer = crate::records::from_record(rec)?;
    let ctx = context(tx, &rec.key, Some(&lb), &LbSpec::default())?;
    load_balancer::check_delete(&id, &lb, &ctx)?;
    run_moves(tx, &load_balancer::releases_on_delete(&lb, &ctx), |_, _| {})?;
    tx.set_refs(&rec.key, &[])?;
    tx.delete(&rec.key)?;
    Ok(())
}

/// Load balancers on the tracked-resource path.
pub struct LoadBalancers;

impl crate::tracked::Kind for LoadBalancers {
    const KIND: &'static str = LOAD_BALANCER;
    type Value = LoadBalancer;
    type Spec = LbSpec;
    type View = LbView;

    fn view(tx: &mut dyn Tx, rec: &Record) -> Result<LbView, AppError> {
        view(tx, rec)
    }

    /// The load balancer, the pools and NAT rules it names (a NIC names one under its key),
    /// and the subnets and public IPs its frontends name: what a NIC's write or another load
    /// balancer's can also change.
    fn put_locks(id: &ResourceId, spec: &LbSpec) -> Option<Vec<String>> {
        let mut keys = vec![id.key().to_string()];
        keys.extend(spec.pools.iter().map(|p| pool_key(id.key(), p)));
        keys.extend(spec.nat_rules.iter().map(|r| nat_rule_key(id.key(), r)));
        for f in &spec.frontends {
            keys.extend(
                f.subnet
                    .iter()
                    .chain(&f.public_ip)
                    .map(|r| r.key().to_string()),
            );
        }
        Some(keys)
    }

    /// What the stored load balancer holds: pools a PUT may drop, subnets whose addresses
    /// it may give back, public IPs it may let go; and the other load balancers whose rules
    /// reach its backends (read for their rules' clashes with its own).
    fn state_locks(
        tx: &mut dyn Tx,
        id: &ResourceId,
        old: Option<&LoadBalancer>,
        spec: &LbSpec,
    ) -> Result<Vec<String>, AppError> {
        let Some(lb) = old else {
            return Ok(vec![id.key().to_string()]);
        };
        let mut keys = delete_locks(id, lb);
        let ctx = context(tx, id.key(), old, spec)?;
        keys.extend(foreign::gather(tx, id.key(), &ctx)?.load_balancers);
        Ok(keys)
    }

    const LOCKS_FROM_STATE: bool = true;

    fn put(
        tx: &mut dyn Tx,
        _env: &crate::tracked::Env,
        id: &ResourceId,
        existing: Option<&(Record, LoadBalancer)>,
        spec: LbSpec,
    ) -> Result<LoadBalancer, AppError> {
        let old = existing.map(|(_, l)| l);
        let mut ctx = context(tx, id.key(), old, &spec)?;
        ctx.foreign_rules = foreign::gather(tx, id.key(), &ctx)?.rules;
        let (mut next, moves) = load_balancer::plan_put(
            id,
            old,
            spec,
            &ctx,
            &uuid::Uuid::new_v4().to_string(),
            &new_etag(),
        )?;
        run_moves(tx, &moves, |i, addr| {
            next.frontends[i].private_ip = Some(cerulean_domain::ipam::address_text(addr))
        })?;
        super::set_own_refs(tx, id.key(), old.is_none(), &refs_of(id, &next)?)
            .map_err(|e| super::decode_conflict(e.into(), "public IP address"))?;
        Ok(next)
    }
}

/// Which of a load balancer's children a write is about: a NIC names either under its key.
#[derive(Clone, Copy)]
enum Child {
    Pool,
    NatRule,
}

impl Child {
    fn collection(self) -> &'static str {
        match self {
            Child::Pool => "backendAddressPools",
            Child::NatRule => "inboundNatRules",
        }
    }

    fn key(self, lb_key: &str, name: &str) -> String {
        match self {
            Child::Pool => pool_key(lb_key, name),
            Child::NatRule => nat_rule_key(lb_key, name),
        }
    }
}

/// A PUT's change always writes: this answers the case that cannot happen without a panic.
fn put_wrote_nothing() -> AppError {
    cerulean_store::StoreError::Corrupt("a load balancer child's PUT wrote nothing".into()).into()
}

impl App {
    /// Writes one child of a load balancer under the balancer's key and the child's (so that
    /// no NIC joins or takes it meanwhile): `change` edits the stored balancer and returns
    /// what to report, or `None` when there is nothing to write.
    async fn write_child<T: Send + 'static>(
        &self,
        lb_id: ResourceId,
        child: Child,
        name: String,
        change: impl Fn(&mut dyn Tx, &Record, &mut LoadBalancer) -> Result<Option<T>, AppError>
            + Clone
            + Send
            + Sync
            + 'static,
    ) -> Result<Option<(LbView, T, Operation)>, AppError> {
        self.subscription(lb_id.subscription()).await?;
        let ops = self.ops();
        let keys = vec![lb_id.key().to_string(), child.key(lb_id.key(), &name)];
        self.write_under(keys, move |tx| {
            let (rec, mut lb) = require::<LoadBalancer>(tx, &lb_id)?;
            let Some(out) = change(tx, &rec, &mut lb)? else {
                return Ok(None);
            };
            let rec = save(tx, &lb_id, Some(&rec), &lb.common.location, &lb)?;
            let op = ops.network(&lb_id.child(child.collection(), &name), &lb.common.location);
            crate::operations::keep(tx, &op)?;
            Ok(Some((view(tx, &rec)?, out, op)))
        })
        .await
    }

    /// PUT of one backend pool: the load balancer with the pool added, or its kept
    /// properties (`kept`: see `BackendPool::kept`) replaced.
    pub async fn put_pool(
        &self,
        lb_id: ResourceId,
        name: String,
        kept: Option<String>,
    ) -> Result<(LbView, bool, Operation), AppError> {
        let (id, pool) = (lb_id.clone(), name.clone());
        let written = self
            .write_child(lb_id, Child::Pool, name, move |_, _, lb| {
                cerulean_domain::name::validate_network_name(&pool)?;
                lb_rules::children_need_a_frontend(&id, lb.frontends.len(), true)?;
                match lb
                    .pools
                    .iter_mut()
                    .find(|p| p.name.eq_ignore_ascii_case(&pool))
                {
                    Some(p) => {
                        if p.kept != kept {
                            p.kept = kept.clone();
                            p.etag = new_etag();
                        }
                        Ok(Some(false))
                    }
                    None => {
                        lb.pools.push(load_balancer::BackendPool {
                            name: pool.clone(),
                            etag: new_etag(),
                            kept: kept.clone(),
                        });
                        Ok(Some(true))
                    }
                }
            })
            .await?;
        written.ok_or_else(put_wrote_nothing)
    }

    /// DELETE of one backend pool: refused while IP configurations are in it.
    pub async fn delete_pool(
        &self,
        lb_id: ResourceId,
        name: String,
    ) -> Result<Option<Operation>, AppError> {
        let (id, pool) = (lb_id.clone(), name.clone());
        let written = self
            .write_child(lb_id, Child::Pool, name, move |tx, rec, lb| {
                if !lb.pools.iter().any(|p| p.name.eq_ignore_ascii_case(&pool)) {
                    return Ok(None);
                }
                let ctx = context(tx, &rec.key, Some(lb), &LbSpec::default())?;
                load_balancer::check_pool_unused(&id, &pool, &ctx)?;
                lb.pools.retain(|p| !p.name.eq_ignore_ascii_case(&pool));
                check_rules(tx, &id, lb)?;
                Ok(Some(()))
            })
            .await?;
        Ok(written.map(|(_, (), op)| op))
    }

    /// PUT of one inbound NAT rule (`InboundNatRules_CreateOrUpdate`): the load balancer
    /// with the rule added, or replaced under its kept name. `properties` are kept as sent.
    pub async fn put_nat_rule(
        &self,
        lb_id: ResourceId,
        name: String,
        properties: Value,
    ) -> Result<(LbView, bool, Operation), AppError> {
        let (id, rule) = (lb_id.clone(), name.clone());
        let written = self
            .write_child(lb_id, Child::NatRule, name, move |tx, _, lb| {
                cerulean_domain::name::validate_network_name(&rule)?;
                let mut rules = nat_rules_json(lb);
                let created = match rules.iter_mut().find(|r| named(r, &rule)) {
                    Some(kept) => {
                        kept["properties"] = properties.clone();
                        false
                    }
                    None => {
                        rules.push(json!({"name": rule, "properties": properties.clone()}));
                        true
                    }
                };
                set_nat_rules_json(lb, &rules);
                check_rules(tx, &id, lb)?;
                Ok(Some(created))
            })
            .await?;
        written.ok_or_else(put_wrote_nothing)
    }

    /// DELETE of one inbound NAT rule: refused while it forwards to an IP configuration.
    pub async fn delete_nat_rule(
        &self,
        lb_id: ResourceId,
        name: String,
    ) -> Result<Option<Operation>, AppError> {
        let (id, rule) = (lb_id.clone(), name.clone());
        let written = self
            .write_child(lb_id, Child::NatRule, name, move |tx, rec, lb| {
                let mut rules = nat_rules_json(lb);
                if !rules.iter().any(|r| named(r, &rule)) {
                    return Ok(None);
                }
                let ctx = context(tx, &rec.key, Some(lb), &LbSpec::default())?;
                load_balancer::check_nat_rule_unused(&id, &rule, &ctx)?;
                rules.retain(|r| !named(r, &rule));
                set_nat_rules_json(lb, &rules);
                Ok(Some(()))
            })
            .await?;
        Ok(written.map(|(_, (), op)| op))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_rule_naming_a_pool_in_both_spellings_names_it_once() {
        let rules = json!([{"name": "r", "properties": {
            "backendAddressPools": [{"id": "/lb/backendAddressPools/A"}, {"id": "/lb/backendAddressPools/b"}],
            "backendAddressPool": {"id": "/lb/backendAddressPools/a"},
            "protocol": "Tcp", "backendPort": 80, "frontendPort": 80}}]);
        let got = rules_of(|k| (k == "loadBalancingRules").then_some(&rules));
        let (_, r) = &got.items[0];
        assert_eq!(
            r.pools,
            ["/lb/backendAddressPools/A", "/lb/backendAddressPools/b"]
        );
        assert_eq!(r.backend, Some(("Tcp".to_string(), 80)));
    }
}
