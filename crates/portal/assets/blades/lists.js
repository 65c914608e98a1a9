// Home and the list blades of every service.
import { html, useState } from '../lib.js';
import { list, put, track } from '../api.js';
import { SERVICES, byKey, byType } from '../services.js';
import { useLoad, Header, Table, ResourceLink, ErrorBox, Loading, Pane, Field, StatusPill, groupOf, ActionButton, Mark } from '../ui.js';
import { CreateEndpoint, addressOf } from './private-endpoint.js';

const N = 'Microsoft.Network';
const C = 'Microsoft.Compute';

const group = (r) => html`<${ResourceLink} id=${`/subscriptions/${r.id.split('/')[2]}/resourceGroups/${groupOf(r.id)}`}>${groupOf(r.id)}</${ResourceLink}>`;
const name = (r) => html`<${ResourceLink} id=${r.id}>${r.name}</${ResourceLink}>`;
const loc = (r) => r.location;

/** What each list shows: where it comes from and its columns. */
const LISTS = {
  vms: {
    load: (s) => list(`/subscriptions/${s}/providers/${C}/virtualMachines?statusOnly=true`),
    columns: [['Name', name], ['Resource group', group], ['Location', loc],
      ['Status', (r) => html`<${StatusPill} vm=${r} />`], ['Size', (r) => r.properties.hardwareProfile?.vmSize],
      ['Operating system', (r) => r.properties.storageProfile?.osDisk?.osType || r.properties.instanceView?.osName || '—']],
    create: ['+ Create', '#/create/vm'],
  },
  avsets: {
    load: (s) => list(`/subscriptions/${s}/providers/${C}/availabilitySets`),
    columns: [['Name', name], ['Resource group', group], ['Location', loc],
      ['Fault domains', (r) => r.properties.platformFaultDomainCount ?? '—'],
      ['Update domains', (r) => r.properties.platformUpdateDomainCount ?? '—'],
      ['Virtual machines', (r) => (r.properties.virtualMachines || []).length]],
  },
  nics: {
    load: (s) => list(`/subscriptions/${s}/providers/${N}/networkInterfaces`),
    columns: [['Name', name], ['Resource group', group], ['Location', loc],
      ['Private IP address', (r) => (r.properties.ipConfigurations || []).find((c) => c.properties.primary)?.properties.privateIPAddress || '—'],
      ['Attached to', (r) => html`<${ResourceLink} id=${r.properties.virtualMachine?.id} />`]],
  },
  vnets: {
    load: (s) => list(`/subscriptions/${s}/providers/${N}/virtualNetworks`),
    columns: [['Name', name], ['Resource group', group], ['Location', loc],
      ['Address space', (r) => (r.properties.addressSpace?.addressPrefixes || []).join(', ')],
      ['Subnets', (r) => (r.properties.subnets || []).length]],
  },
  pips: {
    load: (s) => list(`/subscriptions/${s}/providers/${N}/publicIPAddresses`),
    columns: [['Name', name], ['Resource group', group], ['Location', loc],
      ['IP address', (r) => r.properties.ipAddress || '—'], ['SKU', (r) => r.sku?.name || 'Basic'],
      ['Assignment', (r) => r.properties.publicIPAllocationMethod],
      ['Associated to', (r) => html`<${ResourceLink} id=${r.properties.ipConfiguration?.id.split('/ipConfigurations/')[0]} />`]],
  },
  lbs: {
    load: (s) => list(`/subscriptions/${s}/providers/${N}/loadBalancers`),
    columns: [['Name', name], ['Resource group', group], ['Location', loc], ['SKU', (r) => r.sku?.name || 'Basic'],
      ['Frontend IP configurations', (r) => (r.properties.frontendIPConfigurations || []).length],
      ['Backend pools', (r) => (r.properties.backendAddressPools || []).length]],
  },
  dnszones: {
    load: (s) => list(`/subscriptions/${s}/providers/${N}/privateDnsZones`),
    columns: [['Name', name], ['Resource group', group],
      ['Record sets', (r) => r.properties.numberOfRecordSets ?? '—'],
      ['Virtual network links', (r) => r.properties.numberOfVirtualNetworkLinks ?? '—']],
  },
  endpoints: {
    load: (s) => list(`/subscriptions/${s}/providers/${N}/privateEndpoints`),
    columns: [['Name', name], ['Resource group', group], ['Location', loc],
      ['Subnet', (r) => html`<${ResourceLink} id=${r.properties.subnet?.id?.split('/subnets/')[0]}>${(r.properties.subnet?.id || '').split('/').slice(-3).filter((_, i) => i !== 1).join('/')}</${ResourceLink}>`],
      ['Private IP', (r) => addressOf(r)],
      ['Connection status', (r) => [...(r.properties.privateLinkServiceConnections || []), ...(r.properties.manualPrivateLinkServiceConnections || [])][0]
        ?.properties?.privateLinkServiceConnectionState?.status || '—']],
    pane: CreateEndpoint,
  },
  linkservices: {
    load: (s) => list(`/subscriptions/${s}/providers/${N}/privateLinkServices`),
    columns: [['Name', name], ['Resource group', group], ['Location', loc],
      ['Alias', (r) => r.properties.alias || '—'],
      ['Pending connections', (r) => (r.properties.privateEndpointConnections || [])
        .filter((c) => c.properties?.privateLinkServiceConnectionState?.status === 'Pending').length]],
  },
  groups: {
    load: (s) => list(`/subscriptions/${s}/resourcegroups`),
    columns: [['Name', (r) => html`<a href=${`#/resource${r.id}`}>${r.name}</a>`], ['Location', loc],
      ['Provisioning state', (r) => r.properties?.provisioningState]],
    pane: CreateGroup,
  },
  deployments: {
    // ARM lists deployments per scope: the subscription's own, then each group's.
    load: async (s) => {
      const [groups, own] = await Promise.all([list(`/subscriptions/${s}/resourcegroups`),
        list(`/subscriptions/${s}/providers/Microsoft.Resources/deployments`)]);
      const per = await Promise.all(groups.map((g) => list(`${g.id}/providers/Microsoft.Resources/deployments`)));
      return [...own, ...per.flat()].sort((a, b) => (b.properties.timestamp || '').localeCompare(a.properties.timestamp || ''));
    },
    columns: [['Deployment name', name], ['Scope', (r) => (groupOf(r.id) ? group(r) : 'Subscription')],
      ['Status', (r) => html`<span class="pill ${r.properties.provisioningState === 'Succeeded' ? 'ok' : r.properties.provisioningState === 'Failed' ? 'bad' : 'warn'}">${r.properties.provisioningState}</span>`],
      ['Timestamp', (r) => (r.properties.timestamp ? new Date(r.properties.timestamp).toLocaleString() : '—')],
      ['Duration', (r) => r.properties.duration || '—']],
    create: ['Deploy a custom template', '#/create/deployment'],
  },
};

export function ListBlade({ service, ctx }) {
  const svc = byKey(service);
  const cfg = LISTS[service];
  const [creating, setCreating] = useState(false);
  const data = useLoad(() => cfg.load(ctx.sub), [service, ctx.sub]);
  return html`<div>
    <${Header} title=${svc.label} subtitle=${ctx.subs?.find((s) => s.subscriptionId === ctx.sub)?.displayName} />
    <div class="toolbar" role="toolbar">
      ${cfg.create && html`<button onClick=${() => { location.hash = cfg.create[1]; }}>${cfg.create[0]}</button>`}
      ${cfg.pane && html`<button onClick=${() => setCreating(true)}>+ Create</button>`}
      <button onClick=${data.reload}>Refresh</button>
    </div>
    <${ErrorBox} error=${data.error} />
    ${data.loading && !data.data ? html`<${Loading} />` : data.data && html`<${Table} label=${svc.label} columns=${cfg.columns} rows=${data.data}
      empty=${`No ${svc.label.toLowerCase()} to display.`} />`}
    ${creating && html`<${cfg.pane} ctx=${ctx} onClose=${() => setCreating(false)} onDone=${data.reload} />`}
  </div>`;
}

function CreateGroup({ ctx, onClose, onDone }) {
  const [nm, setName] = useState('');
  const [region, setRegion] = useState('eastus');
  const [error, setError] = useState(null);
  const regions = useLoad(() => list(`/subscriptions/${ctx.sub}/locations`), [ctx.sub]);
  const create = async () => {
    setError(null);
    try {
      await track(`Creating resource group '${nm}'`, () => put(`/subscriptions/${ctx.sub}/resourcegroups/${encodeURIComponent(nm)}`, { location: region }));
      onDone();
      onClose();
    } catch (e) { setError(e); }
  };
  return html`<${Pane} title="Create a resource group" onClose=${onClose}>
    <${Field} label="Resource group" id="rg-name"><input id="rg-name" type="text" value=${nm} onInput=${(e) => setName(e.target.value)} /></${Field}>
    <${Field} label="Region" id="rg-region"><select id="rg-region" value=${region} onChange=${(e) => setRegion(e.target.value)}>
      ${(regions.data || [{ name: 'eastus', displayName: 'East US' }]).map((r) => html`<option value=${r.name}>${r.displayName}</option>`)}</select></${Field}>
    <${ErrorBox} error=${error} />
    <div class="actions"><${ActionButton} class="primary" onClick=${create}>Create</${ActionButton}><button onClick=${onClose}>Cancel</button></div>
  </${Pane}>`;
}

export function Home({ ctx }) {
  const all = useLoad(() => list(`/subscriptions/${ctx.sub}/resources`), [ctx.sub]);
  const columns = [['Name', name], ['Type', (r) => byType(r.type)?.label || r.type], ['Resource group', group], ['Location', loc]];
  return html`<div>
    <${Header} title="Welcome to cerulean" subtitle=${`Signed in as ${ctx.user.upn}`} />
    <h2>Services</h2>
    <div class="tiles">
      <a class="tile" href="#/create/vm"><span class="mark add" aria-hidden="true">+</span>Create a virtual machine</a>
      ${SERVICES.map((s) => html`<a class="tile" href="#/browse/${s.key}"><${Mark} s=${s} />${s.label}</a>`)}
    </div>
    <h2>All resources</h2>
    <${ErrorBox} error=${all.error} />
    ${all.data ? html`<${Table} label="All resources" columns=${columns} rows=${all.data} empty="No resources yet. Create a virtual machine to begin." />` : html`<${Loading} />`}
  </div>`;
}

