use super::{allocation, child, id_ref, tracked, version, IdRef, SkuIn};
use crate::error::ApiError;
use cerulean_app::network::load_balancers::{self, rules_of, LbView};
use cerulean_domain::id::ResourceId;
use cerulean_domain::network::lb_rules::{self, BackRefs, Collection};
use cerulean_domain::network::load_balancer::{BackendPool, FrontendSpec, LbSpec};
use cerulean_domain::network::{Allocation, CommonSpec, IpVersion};
use cerulean_domain::reference::Target;
use cerulean_domain::tags::Tags;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// Load balancer properties stored as sent and echoed back, not modelled.
const EXTRAS: &[&str] = &[
    "loadBalancingRules",
    "probes",
    "inboundNatRules",
    "inboundNatPools",
    "outboundRules",
];

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct LbIn {
    location: Option<String>,
    tags: Option<Tags>,
    sku: Option<SkuIn>,
    #[serde(default)]
    properties: Map<String, Value>,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
struct FrontendIn {
    name: Option<String>,
    #[serde(default)]
    properties: FrontendProps,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct FrontendProps {
    #[serde(rename = "privateIPAddress")]
    private_ip_address: Option<String>,
    #[serde(
        default,
        rename = "privateIPAllocationMethod",
        deserialize_with = "allocation"
    )]
    private_ip_allocation_method: Option<Allocation>,
    #[serde(
        default,
        rename = "privateIPAddressVersion",
        deserialize_with = "version"
    )]
    private_ip_address_version: Option<IpVersion>,
    subnet: Option<IdRef>,
    #[serde(rename = "publicIPAddress")]
    public_ip_address: Option<IdRef>,
}

#[derive(Deserialize, Debug)]
struct NamedIn {
    name: Option<String>,
    #[serde(default)]
    properties: Option<Map<String, Value>>,
}

/// A backend pool's properties that are Azure's to fill in (members by NIC, the rules that
/// use it): never kept from a request.
const POOL_READ_ONLY: &[&str] = &[
    "backendIPConfigurations",
    "loadBalancingRules",
    "outboundRule",
    "outboundRules",
    "inboundNatRules",
    "provisioningState",
];

/// What a pool's PUT keeps of its properties (the addresses of an IP-based pool, its
/// network, …) as JSON text, or None when nothing is left once the read-only ones are gone.
pub fn pool_kept(properties: Option<Map<String, Value>>) -> Option<String> {
    let mut props = properties?;
    props.retain(|k, v| !POOL_READ_ONLY.contains(&k.as_str()) && !v.is_null());
    (!props.is_empty()).then(|| Value::Object(props).to_string())
}

impl LbIn {
    pub fn spec(self) -> Result<LbSpec, ApiError> {
        let mut props = self.properties;
        let bad = ApiError::InvalidRequestContent;
        let frontends: Vec<FrontendIn> = match props.remove("frontendIPConfigurations") {
            Some(v) => serde_json::from_value(v)
                .map_err(|e| bad(format!("frontendIPConfigurations: {e}")))?,
            None => Vec::new(),
        };
        let pools: Vec<NamedIn> = match props.remove("backendAddressPools") {
            Some(v) => {
                serde_json::from_value(v).map_err(|e| bad(format!("backendAddressPools: {e}")))?
            }
            None => Vec::new(),
        };
        let mut fronts = Vec::with_capacity(frontends.len());
        for (i, f) in frontends.into_iter().enumerate() {
            let at =
                |what: &str| format!("properties.frontendIPConfigurations[{i}].properties.{what}");
            fronts.push(FrontendSpec {
                name: f.name.unwrap_or_default(),
                private_ip: f.properties.private_ip_address.filter(|a| !a.is_empty()),
                allocation: f.properties.private_ip_allocation_method,
                version: f.properties.private_ip_address_version,
                subnet: f
                    .properties
                    .subnet
                    .map(|s| s.to(Target::Subnet, || at("subnet")))
                    .transpose()?,
                public_ip: f
                    .properties
                    .public_ip_address
                    .map(|p| p.to(Target::PublicIp, || at("publicIPAddress")))
                    .transpose()?,
            });
        }
        // NAT rules stay as sent, but IP configurations name them: their names are modelled.
        let nat_rules = match props.get("inboundNatRules") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(rules)) => rules
                .iter()
                .map(|r| r["name"].as_str().unwrap_or_default().to_string())
                .collect(),
            Some(_) => return Err(bad("inboundNatRules: expected an array".into())),
        };
        for c in Collection::ALL {
            if !matches!(
                props.get(c.property()),
                None | Some(Value::Null | Value::Array(_))
            ) {
                return Err(bad(format!("{}: expected an array", c.property())));
            }
        }
        let rules = rules_of(|k| props.get(k));
        let extras = EXTRAS
            .iter()
            .filter_map(|k| props.get(*k).map(|v| (k.to_string(), v.to_string())))
            .collect();
        Ok(LbSpec {
            common: CommonSpec {
                location: self.location,
                tags: self.tags,
                extra: Vec::new(),
            },
            sku: self.sku.and_then(|s| s.name),
            frontends: fronts,
            pool_properties: pools
                .iter()
                .filter_map(|p| {
                    let kept = pool_kept(p.properties.clone())?;
                    Some((p.name.clone().unwrap_or_default(), kept))
                })
                .collect(),
            pools: pools
                .into_iter()
                .map(|p| p.name.unwrap_or_default())
                .collect(),
            nat_rules,
            rules,
            extras,
        })
    }
}

/// The stored load balancer's back-references (see [`lb_rules::back_refs`]).
pub fn back_refs(v: &LbView) -> BackRefs {
    match ResourceId::parse(&v.lb.id) {
        Ok(id) => lb_rules::back_refs(&id, &load_balancers::stored_rules(&v.lb.value)),
        Err(_) => BackRefs::default(),
    }
}

/// Adds Azure's read-only lists of who references a child (`word`'s `name`), one property
/// per referencing collection, each only when not empty.
fn add_back_refs(props: &mut Value, refs: &BackRefs, word: &str, name: &str, from: &[Collection]) {
    for c in from {
        let ids = refs.of(word, name, *c);
        if !ids.is_empty() {
            props[c.property()] = json!(ids.iter().map(|i| id_ref(i)).collect::<Vec<_>>());
        }
    }
}

/// What may reference a frontend or a pool (a probe is referenced by balancing rules only).
const USERS: &[Collection] = &[
    Collection::BalancingRules,
    Collection::NatRules,
    Collection::OutboundRules,
];

fn pool(lb_id: &str, p: &BackendPool, members: &[String], refs: &BackRefs) -> Value {
    let (name, etag) = (p.name.as_str(), p.etag.as_str());
    let id = format!("{lb_id}/backendAddressPools/{name}");
    let mut v = child(
        &id,
        name,
        etag,
        "Microsoft.Network/loadBalancers/backendAddressPools",
    );
    let mut props = p
        .kept
        .as_deref()
        .and_then(|k| serde_json::from_str::<Value>(k).ok())
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    props["provisioningState"] = json!("Succeeded");
    if !members.is_empty() {
        props["backendIPConfigurations"] =
            json!(members.iter().map(|m| id_ref(m)).collect::<Vec<_>>());
    }
    add_back_refs(&mut props, refs, "backendAddressPools", name, USERS);
    v["properties"] = props;
    v
}

pub fn lb(v: &LbView) -> Value {
    let l = &v.lb.value;
    let mut body = tracked(
        &v.lb.id,
        &v.lb.etag,
        "Microsoft.Network/loadBalancers",
        &l.common,
    );
    body["sku"] = json!({"name": l.sku.as_str(), "tier": "Regional"});
    let refs = back_refs(v);
    let frontends: Vec<Value> = l
        .frontends
        .iter()
        .map(|f| {
            let id = format!("{}/frontendIPConfigurations/{}", v.lb.id, f.name);
            let mut fv = child(
                &id,
                &f.name,
                &f.etag,
                "Microsoft.Network/loadBalancers/frontendIPConfigurations",
            );
            let mut props = json!({
                "provisioningState": "Succeeded",
                "privateIPAllocationMethod": f.allocation.as_str(),
                "privateIPAddressVersion": f.version.as_str(),
            });
            if let Some(a) = &f.private_ip {
                props["privateIPAddress"] = json!(a);
            }
            if let Some(s) = &f.subnet {
                props["subnet"] = id_ref(s);
            }
            if let Some(p) = &f.public_ip {
                props["publicIPAddress"] = id_ref(p);
            }
            add_back_refs(
                &mut props,
                &refs,
                "frontendIPConfigurations",
                &f.name,
                USERS,
            );
            fv["properties"] = props;
            fv
        })
        .collect();
    let pools: Vec<Value> = l
        .pools
        .iter()
        .zip(&v.pool_members)
        .map(|(p, m)| pool(&v.lb.id, p, m, &refs))
        .collect();
    let mut props = json!({
        "provisioningState": "Succeeded",
        "resourceGuid": l.common.resource_guid,
        "frontendIPConfigurations": frontends,
        "backendAddressPools": pools,
    });
    for k in EXTRAS {
        props[*k] = json!([]);
    }
    for (k, raw) in &l.extras {
        props[k.as_str()] = serde_json::from_str(raw).unwrap_or(Value::Null);
    }
    for k in EXTRAS {
        for c in props[*k].as_array_mut().into_iter().flatten() {
            fill_child(c, v, k, &refs);
        }
    }
    body["properties"] = props;
    body
}

/// A kept child (a rule, a probe, ...) as Azure shows it: its `id`, `type`, `etag` (its
/// load balancer's: children are written with it) and `provisioningState`, whatever the
/// caller sent for them; an inbound NAT rule also its `backendIPConfiguration`, Azure's to
/// fill in (read-only): the IP configuration naming the rule, if any.
fn fill_child(c: &mut Value, v: &LbView, collection: &str, refs: &BackRefs) {
    let Some(name) = c["name"].as_str().map(str::to_string) else {
        return;
    };
    let Some(obj) = c.as_object_mut() else {
        return;
    };
    obj.insert(
        "id".into(),
        json!(format!("{}/{collection}/{name}", v.lb.id)),
    );
    obj.insert(
        "type".into(),
        json!(format!("Microsoft.Network/loadBalancers/{collection}")),
    );
    obj.insert("etag".into(), json!(v.lb.etag));
    let props = obj
        .entry("properties")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(p) = props.as_object_mut() else {
        return;
    };
    p.insert("provisioningState".into(), json!("Succeeded"));
    if collection == "probes" {
        // Read-only: a client's GET-edit-PUT sends back what it read, which may be stale.
        p.remove("loadBalancingRules");
        let users = refs.of("probes", &name, Collection::BalancingRules);
        if !users.is_empty() {
            let list: Vec<Value> = users.iter().map(|i| id_ref(i)).collect();
            p.insert("loadBalancingRules".into(), json!(list));
        }
    }
    if collection == "inboundNatRules" {
        p.remove("backendIPConfiguration");
        if let Some(t) = v.nat_rule_targets.get(&name.to_lowercase()) {
            p.insert("backendIPConfiguration".into(), id_ref(t));
        }
    }
}

/// The load balancer's children of one collection as Azure lists them
/// (`frontendIPConfigurations`, `backendAddressPools`, `loadBalancingRules`, `probes`,
/// `inboundNatRules`, `outboundRules`): `None` for a collection it does not have.
pub fn children(v: &LbView, collection: &str) -> Option<Vec<Value>> {
    let mut body = lb(v);
    let props = body["properties"].as_object_mut()?;
    let key = props
        .keys()
        .find(|k| k.eq_ignore_ascii_case(collection))?
        .clone();
    match props.remove(&key)? {
        Value::Array(items) => Some(items),
        _ => Some(Vec::new()),
    }
}

/// One child by name (any case).
pub fn child_named(v: &LbView, collection: &str, name: &str) -> Option<Value> {
    children(v, collection)?.into_iter().find(|c| {
        c["name"]
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
    })
}

impl crate::routes::tracked::Wire for cerulean_app::network::load_balancers::LoadBalancers {
    const NAMESPACE: &'static str = "Microsoft.Network";
    const TYPE: &'static str = "loadBalancers";
    type In = LbIn;
    type Out<'a> = Value;

    fn spec(body: LbIn) -> Result<LbSpec, crate::error::ApiError> {
        body.spec()
    }
    fn out(view: &LbView, _: &crate::extract::ArmQuery) -> Value {
        lb(view)
    }
    fn etag(view: &LbView) -> &str {
        &view.lb.etag
    }
}
