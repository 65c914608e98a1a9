// The private endpoint blade: Overview (subnet, NIC, address, the connection and its state),
// DNS configuration (the names the service answers to, the zone group's records; add a
// configuration with a private DNS zone), and the pane that creates an endpoint.
import { html, useState } from '../lib.js';
import { get, put, list, track } from '../api.js';
import { useLoad, Header, Essentials, ErrorBox, Loading, Pane, BladeMenu, ActionButton, ResourceLink, Table,
  nameOf, groupOf, Field } from '../ui.js';

const connectionsOf = (pe) => [
  ...(pe.properties?.privateLinkServiceConnections || []),
  ...(pe.properties?.manualPrivateLinkServiceConnections || []),
];
const stateOf = (c) => c.properties?.privateLinkServiceConnectionState || {};
const subnetOf = (pe) => pe.properties?.subnet?.id;
const vnetOf = (subnet) => subnet && subnet.split('/subnets/')[0];

/** The endpoint's address, as its names show it (or its NIC, once read). */
export const addressOf = (pe, nic) => pe.properties?.customDnsConfigs?.[0]?.ipAddresses?.[0]
  || nic?.properties?.ipConfigurations?.[0]?.properties?.privateIPAddress || '—';

export function EndpointBlade({ id, tab = 'overview', ctx }) {
  const data = useLoad(async () => {
    const pe = await get(id);
    const nicId = pe.properties?.networkInterfaces?.[0]?.id;
    const [nic, groups] = await Promise.all([nicId ? get(nicId) : null, list(`${id}/privateDnsZoneGroups`)]);
    return { pe, nic, groups };
  }, [id]);
  const [adding, setAdding] = useState(false);
  const body = () => {
    const { pe, nic, groups } = data.data;
    const connection = connectionsOf(pe)[0];
    if (tab === 'dns') {
      const records = groups.flatMap((g) => (g.properties?.privateDnsZoneConfigs || []).flatMap((c) =>
        (c.properties?.recordSets || []).map((r) => ({ group: g, zone: c.properties.privateDnsZoneId, ...r }))));
      return html`<div>
        <div class="toolbar" role="toolbar">
          <button disabled=${groups.length > 0} title=${groups.length ? 'An endpoint has one DNS zone group' : undefined}
            onClick=${() => setAdding(true)}>+ Add configuration</button>
          <button onClick=${data.reload}>Refresh</button></div>
        <h2>Customer visible FQDNs</h2>
        <${Table} label="Customer visible FQDNs" rows=${pe.properties?.customDnsConfigs || []}
          empty="The connected resource publishes no names here." columns=${[
          ['FQDN', (c) => c.fqdn], ['IP addresses', (c) => (c.ipAddresses || []).join(', ')]]} />
        <h2>Records in private DNS zones${groups.length ? ` (zone group ${groups[0].name})` : ''}</h2>
        <${Table} label="DNS records" rows=${records}
          empty="No DNS zone group. Add a configuration so that a private DNS zone answers for these names." columns=${[
          ['Private DNS zone', (r) => html`<${ResourceLink} id=${r.zone} />`],
          ['Record', (r) => r.fqdn], ['IP addresses', (r) => (r.ipAddresses || []).join(', ')]]} />
        ${adding && html`<${AddZoneGroup} endpoint=${id} ctx=${ctx} onClose=${() => setAdding(false)} onDone=${data.reload} />`}
      </div>`;
    }
    const subnet = subnetOf(pe);
    return html`<div>
      <div class="toolbar" role="toolbar"><button onClick=${data.reload}>Refresh</button></div>
      <${Essentials} items=${[['Resource group', groupOf(id)], ['Location', pe.location],
        ['Virtual network/subnet', html`<${ResourceLink} id=${vnetOf(subnet)}>${nameOf(vnetOf(subnet) || '')}/${nameOf(subnet || '')}</${ResourceLink}>`],
        ['Network interface', html`<${ResourceLink} id=${nic?.id} />`], ['Private IP', addressOf(pe, nic)],
        ['Connection status', stateOf(connection || {}).status]]} />
      <h2>Connection</h2>
      <${Table} label="Connection" rows=${connectionsOf(pe)} columns=${[
        ['Name', (c) => c.name], ['Resource', (c) => html`<${ResourceLink} id=${c.properties?.privateLinkServiceId} />`],
        ['Target sub-resource', (c) => (c.properties?.groupIds || []).join(', ') || '—'],
        ['Connection status', (c) => stateOf(c).status || '—'], ['Description', (c) => stateOf(c).description || '—']]} />
    </div>`;
  };
  return html`<div>
    <${Header} crumbs=${[['Private endpoints', '#/browse/endpoints']]} title=${nameOf(id)} subtitle="Private endpoint" />
    <div class="blade">
      <${BladeMenu} id=${id} tab=${tab} sections=${[[null, [['overview', 'Overview']]], ['SETTINGS', [['dns', 'DNS configuration']]]]} />
      <div class="blade-body">
        <${ErrorBox} error=${data.error} />
        ${data.data ? body() : !data.error && html`<${Loading} what="the private endpoint" />`}
      </div>
    </div>
  </div>`;
}

/** Adds the endpoint's DNS zone group with one private DNS zone of the subscription. */
function AddZoneGroup({ endpoint, ctx, onClose, onDone }) {
  const [zone, setZone] = useState('');
  const [error, setError] = useState(null);
  const zones = useLoad(() => list(`/subscriptions/${ctx.sub}/providers/Microsoft.Network/privateDnsZones`), [ctx.sub]);
  const add = async () => {
    setError(null);
    try {
      await track('Adding the DNS configuration', () => put(`${endpoint}/privateDnsZoneGroups/default`,
        { properties: { privateDnsZoneConfigs: [{ name: nameOf(zone).replace(/\./g, '-'), properties: { privateDnsZoneId: zone } }] } }),
      'Added the DNS configuration.');
      onDone();
      onClose();
    } catch (e) { setError(e); }
  };
  return html`<${Pane} title="Add DNS configuration" onClose=${onClose}>
    <${Field} label="Private DNS zone" id="zg-zone"><select id="zg-zone" value=${zone} onChange=${(e) => setZone(e.target.value)}>
      <option value="">Select a private DNS zone</option>
      ${(zones.data || []).map((z) => html`<option value=${z.id}>${z.name} (${groupOf(z.id)})</option>`)}</select></${Field}>
    <${ErrorBox} error=${error} />
    <div class="actions"><${ActionButton} class="primary" disabled=${!zone} onClick=${add}>OK</${ActionButton}><button onClick=${onClose}>Cancel</button></div>
  </${Pane}>`;
}

/** Types a private endpoint connects to here: private link services, and the services
 * cerulean does not model (the ones it models are never targets). */
const targetable = (r) => /^Microsoft\.Network\/privateLinkServices$/i.test(r.type)
  || !/^Microsoft\.(Network|Compute|Resources)\//i.test(r.type);

/** Creates an endpoint in a subnet of the subscription, connected to one of its resources. */
export function CreateEndpoint({ ctx, onClose, onDone }) {
  const [name, setName] = useState('');
  const [group, setGroup] = useState('');
  const [subnet, setSubnet] = useState('');
  const [target, setTarget] = useState('');
  const [sub, setSub] = useState('');
  // A manual connection waits for the resource's owner (Networking > Private endpoint
  // connections on the resource's page).
  const [manual, setManual] = useState(false);
  const [message, setMessage] = useState('');
  const [error, setError] = useState(null);
  const choices = useLoad(async () => {
    const [groups, vnets, resources] = await Promise.all([list(`/subscriptions/${ctx.sub}/resourcegroups`),
      list(`/subscriptions/${ctx.sub}/providers/Microsoft.Network/virtualNetworks`), list(`/subscriptions/${ctx.sub}/resources`)]);
    const subnets = vnets.flatMap((v) => (v.properties.subnets || []).map((s) => ({ id: s.id, label: `${v.name}/${s.name}`, location: v.location })));
    return { groups, subnets, resources: resources.filter(targetable) };
  }, [ctx.sub]);
  // What the chosen resource offers, when its service is one cerulean knows.
  const offered = useLoad(() => (target ? list(`${target}/privateLinkResources`) : Promise.resolve([])), [target]);
  const create = async () => {
    setError(null);
    const region = choices.data.subnets.find((s) => s.id === subnet)?.location;
    const id = `/subscriptions/${ctx.sub}/resourceGroups/${group}/providers/Microsoft.Network/privateEndpoints/${encodeURIComponent(name)}`;
    try {
      const connection = { name, properties: { privateLinkServiceId: target, groupIds: sub ? [sub] : [],
        ...(manual ? { requestMessage: message } : {}) } };
      await track(`Creating private endpoint '${name}'`, () => put(id, { location: region, properties: {
        subnet: { id: subnet },
        [manual ? 'manualPrivateLinkServiceConnections' : 'privateLinkServiceConnections']: [connection],
      } }), `Created private endpoint '${name}'.`);
      onDone?.();
      onClose();
      location.hash = `#/resource${id}`;
    } catch (e) { setError(e); }
  };
  const c = choices.data || { groups: [], subnets: [], resources: [] };
  return html`<${Pane} title="Create a private endpoint" onClose=${onClose}>
    <${Field} label="Name" id="pe-name"><input id="pe-name" type="text" value=${name} onInput=${(e) => setName(e.target.value)} /></${Field}>
    <${Field} label="Resource group" id="pe-group"><select id="pe-group" value=${group} onChange=${(e) => setGroup(e.target.value)}>
      <option value="">Select a resource group</option>
      ${c.groups.map((g) => html`<option value=${g.name}>${g.name}</option>`)}</select></${Field}>
    <${Field} label="Virtual network/subnet" id="pe-subnet" hint="(the endpoint takes its region)"><select id="pe-subnet" value=${subnet} onChange=${(e) => setSubnet(e.target.value)}>
      <option value="">Select a subnet</option>
      ${c.subnets.map((s) => html`<option value=${s.id}>${s.label} (${groupOf(s.id)})</option>`)}</select></${Field}>
    <${Field} label="Resource" id="pe-target"><select id="pe-target" value=${target} onChange=${(e) => setTarget(e.target.value)}>
      <option value="">Select a resource</option>
      ${c.resources.map((r) => html`<option value=${r.id}>${r.name} (${r.type})</option>`)}</select></${Field}>
    <${Field} label="Target sub-resource" id="pe-sub">${offered.data?.length
      ? html`<select id="pe-sub" value=${sub} onChange=${(e) => setSub(e.target.value)}>
          <option value="">Select a sub-resource</option>
          ${offered.data.map((r) => html`<option value=${r.properties.groupId}>${r.properties.groupId}</option>`)}</select>`
      : html`<input id="pe-sub" type="text" value=${sub} onInput=${(e) => setSub(e.target.value)} />`}</${Field}>
    <label class="check"><input type="checkbox" checked=${manual} onChange=${(e) => setManual(e.target.checked)} /> Request approval from the resource's owner</label>
    ${manual && html`<${Field} label="Request message" id="pe-message"><input id="pe-message" type="text" value=${message}
      onInput=${(e) => setMessage(e.target.value)} /></${Field}>`}
    <${ErrorBox} error=${error || choices.error} />
    <div class="actions"><${ActionButton} class="primary" disabled=${!name || !group || !subnet || !target} onClick=${create}>Create</${ActionButton}><button onClick=${onClose}>Cancel</button></div>
  </${Pane}>`;
}
