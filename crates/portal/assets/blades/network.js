// Blades of virtual networks, public IP addresses, load balancers, resource groups (with
// their access control), and a plain JSON view for the types the portal has no blade for.
import { html, useState } from '../lib.js';
import { get, list, del, track } from '../api.js';
import { byType } from '../services.js';
import { AccessControl } from './access.js';
import { EndpointConnections } from './connections.js';
import { useLoad, Header, Essentials, ErrorBox, Loading, BladeMenu, ActionButton, ResourceLink, Table, Pane, Field,
  nameOf, groupOf, href } from '../ui.js';

/** A resource blade: its menu, and `children()` once `data` is loaded. */
export function Shell({ id, tab, crumb, kind, sections, data, children }) {
  return html`<div>
    <${Header} crumbs=${[crumb]} title=${nameOf(id)} subtitle=${kind} />
    <div class="blade">
      <${BladeMenu} id=${id} tab=${tab} sections=${sections} />
      <div class="blade-body">
        <${ErrorBox} error=${data.error} />
        ${data.data ? children() : !data.error && html`<${Loading} />`}
      </div>
    </div>
  </div>`;
}

export const groupLink = (id) => html`<${ResourceLink} id=${id.split('/providers/')[0]}>${groupOf(id)}</${ResourceLink}>`;

export function VnetBlade({ id, tab = 'overview' }) {
  const data = useLoad(async () => {
    const [vnet, usages] = await Promise.all([get(id), list(`${id}/usages`).catch(() => [])]);
    return { vnet, usages };
  }, [id]);
  return html`<${Shell} id=${id} tab=${tab} crumb=${['Virtual networks', '#/browse/vnets']} kind="Virtual network" data=${data}
    sections=${[[null, [['overview', 'Overview']]], ['SETTINGS', [['addresses', 'Address space'], ['subnets', 'Subnets']]]]}>
    ${() => {
      const { vnet, usages } = data.data;
      const prefixes = vnet.properties.addressSpace?.addressPrefixes || [];
      const subnets = vnet.properties.subnets || [];
      const usage = (s) => usages.find((u) => (u.id || '').toLowerCase() === s.id.toLowerCase());
      const subnetTable = html`<${Table} label="Subnets" rows=${subnets} empty="No subnets." columns=${[
        ['Name', (s) => s.name],
        ['Address range', (s) => s.properties.addressPrefix || (s.properties.addressPrefixes || []).join(', ')],
        ['Available addresses', (s) => { const u = usage(s); return u ? u.limit - u.currentValue : '—'; }],
        ['Connected IP configurations', (s) => (s.properties.ipConfigurations || []).length]]} />`;
      if (tab === 'subnets') return html`<div><div class="toolbar" role="toolbar"><button onClick=${data.reload}>Refresh</button></div>${subnetTable}</div>`;
      if (tab === 'addresses') return html`<div><h2>Address space</h2><${Table} label="Address space" rows=${prefixes} columns=${[['Address range', (p) => p]]} /></div>`;
      return html`<div>
        <div class="toolbar" role="toolbar"><button onClick=${data.reload}>Refresh</button></div>
        <${Essentials} items=${[['Resource group', groupLink(id)], ['Location', vnet.location], ['Address space', prefixes.join(', ')], ['Subnets', subnets.length]]} />
        <h2>Subnets</h2>${subnetTable}
      </div>`;
    }}
  </${Shell}>`;
}

export function PipBlade({ id, tab = 'overview' }) {
  const data = useLoad(() => get(id), [id]);
  return html`<${Shell} id=${id} tab=${tab} crumb=${['Public IP addresses', '#/browse/pips']} kind="Public IP address" data=${data}
    sections=${[[null, [['overview', 'Overview']]]]}>
    ${() => {
      const p = data.data;
      const user = p.properties.ipConfiguration?.id;
      return html`<div>
        <div class="toolbar" role="toolbar"><button onClick=${data.reload}>Refresh</button></div>
        <${Essentials} items=${[['Resource group', groupLink(id)], ['Location', p.location],
          ['IP address', p.properties.ipAddress || html`<span class="subtitle">none (a Dynamic address is given while its VM runs)</span>`],
          ['SKU', p.sku?.name || 'Basic'], ['Assignment', p.properties.publicIPAllocationMethod],
          ['IP version', p.properties.publicIPAddressVersion || 'IPv4'],
          ['Associated to', user ? html`<${ResourceLink} id=${user.split(/\/(ipConfigurations|frontendIPConfigurations)\//i)[0]} /> (${nameOf(user)})` : '—']]} />
      </div>`;
    }}
  </${Shell}>`;
}

/** A backend pool member: its NIC, IP configuration, address and VM. */
async function member(ref) {
  const nicId = ref.id.split(/\/ipConfigurations\//i)[0];
  const nic = await get(nicId).catch(() => null);
  const cfg = nic?.properties.ipConfigurations.find((c) => c.name.toLowerCase() === nameOf(ref.id).toLowerCase());
  return { nicId, config: nameOf(ref.id), address: cfg?.properties.privateIPAddress, vm: nic?.properties.virtualMachine?.id };
}

export function LbBlade({ id, tab = 'overview' }) {
  const data = useLoad(async () => {
    const lb = await get(id);
    const pools = await Promise.all((lb.properties.backendAddressPools || []).map(async (p) => ({
      pool: p, members: await Promise.all((p.properties.backendIPConfigurations || []).map(member)) })));
    const fronts = await Promise.all((lb.properties.frontendIPConfigurations || []).map(async (f) => ({
      f, pip: f.properties.publicIPAddress ? await get(f.properties.publicIPAddress.id).catch(() => null) : null })));
    // Each inbound NAT rule forwards to one IP configuration (or none yet).
    const natRules = await Promise.all((lb.properties.inboundNatRules || []).map(async (r) => ({
      r, target: r.properties?.backendIPConfiguration ? await member(r.properties.backendIPConfiguration) : null })));
    return { lb, pools, fronts, natRules };
  }, [id]);
  return html`<${Shell} id=${id} tab=${tab} crumb=${['Load balancers', '#/browse/lbs']} kind="Load balancer" data=${data}
    sections=${[[null, [['overview', 'Overview']]], ['SETTINGS', [['frontends', 'Frontend IP configuration'], ['pools', 'Backend pools'],
      ['rules', 'Load balancing rules'], ['probes', 'Health probes'], ['natrules', 'Inbound NAT rules']]]]}>
    ${() => {
      const { lb, pools, fronts, natRules } = data.data;
      const props = (x) => x.properties || {};
      // Azure's read-only "used by" lists: the rules that name a frontend, pool or probe.
      const users = (x, ...lists) => lists.flatMap((k) => props(x)[k] || []).map((r) => nameOf(r.id));
      if (tab === 'rules') {
        return html`<${Table} label="Load balancing rules" rows=${lb.properties.loadBalancingRules || []} empty="No load balancing rules." columns=${[
          ['Name', (r) => r.name], ['Protocol', (r) => props(r).protocol || '—'],
          ['Frontend port', (r) => props(r).frontendPort ?? '—'], ['Backend port', (r) => props(r).backendPort ?? '—'],
          ['Backend pool', (r) => nameOf(props(r).backendAddressPool?.id || props(r).backendAddressPools?.[0]?.id || '') || '—'],
          ['Health probe', (r) => nameOf(props(r).probe?.id || '') || '—']]} />`;
      }
      if (tab === 'probes') {
        return html`<${Table} label="Health probes" rows=${lb.properties.probes || []} empty="No health probes." columns=${[
          ['Name', (p) => p.name], ['Protocol', (p) => props(p).protocol || '—'], ['Port', (p) => props(p).port ?? '—'],
          ['Path', (p) => props(p).requestPath || '—'], ['Interval (seconds)', (p) => props(p).intervalInSeconds ?? '—'],
          ['Used by', (p) => users(p, 'loadBalancingRules').join(', ') || 'Not used']]} />`;
      }
      if (tab === 'natrules') {
        return html`<${Table} label="Inbound NAT rules" rows=${natRules} empty="No inbound NAT rules." columns=${[
          ['Name', ({ r }) => r.name], ['Protocol', ({ r }) => props(r).protocol || '—'],
          ['Frontend port', ({ r }) => props(r).frontendPort ?? '—'], ['Backend port', ({ r }) => props(r).backendPort ?? '—'],
          ['Target', ({ target }) => (target ? html`<${ResourceLink} id=${target.nicId} /> (${target.address || target.config})` : '—')],
          ['Virtual machine', ({ target }) => (target?.vm ? html`<${ResourceLink} id=${target.vm} />` : '—')]]} />`;
      }
      const frontTable = html`<${Table} label="Frontend IP configuration" rows=${fronts} columns=${[
        ['Name', ({ f }) => f.name],
        ['IP address', ({ f, pip }) => (pip ? `${pip.properties.ipAddress || '—'} (${pip.name})` : f.properties.privateIPAddress || '—')],
        ['Type', ({ pip }) => (pip ? 'Public' : 'Private')],
        ['Rules count', ({ f }) => users(f, 'loadBalancingRules', 'inboundNatRules', 'outboundRules').length]]} />`;
      const poolCards = pools.length === 0 ? html`<div class="empty">No backend pools.</div>` : pools.map(({ pool, members }) => html`<section class="card" aria-label=${`Backend pool ${pool.name}`}>
        <div class="card-head"><strong>${pool.name}</strong><span class="pill">${members.length} member${members.length === 1 ? '' : 's'}</span>
          <span class="subtitle">${users(pool, 'loadBalancingRules', 'outboundRules').length ? `Used by ${users(pool, 'loadBalancingRules', 'outboundRules').join(', ')}` : 'Not used by any rule'}</span></div>
        <${Table} label=${`Members of ${pool.name}`} rows=${members} empty="No members. Add an IP configuration of a network interface to this pool from the network interface." columns=${[
          ['Network interface', (m) => html`<${ResourceLink} id=${m.nicId} />`], ['IP configuration', (m) => m.config],
          ['Private IP address', (m) => m.address || '—'], ['Virtual machine', (m) => html`<${ResourceLink} id=${m.vm} />`]]} />
      </section>`);
      if (tab === 'frontends') return frontTable;
      if (tab === 'pools') return html`<div>${poolCards}</div>`;
      return html`<div>
        <div class="toolbar" role="toolbar"><button onClick=${data.reload}>Refresh</button></div>
        <${Essentials} items=${[['Resource group', groupLink(id)], ['Location', lb.location], ['SKU', lb.sku?.name || 'Basic'],
          ['Frontend IP configurations', fronts.length], ['Backend pools', pools.length],
          ['Load balancing rules', (lb.properties.loadBalancingRules || []).length],
          ['Inbound NAT rules', natRules.length]]} />
        <h2>Frontend IP configuration</h2>${frontTable}
        <h2>Backend pools</h2>${poolCards}
      </div>`;
    }}
  </${Shell}>`;
}

export function GroupBlade({ id, tab = 'overview' }) {
  const data = useLoad(async () => {
    const [group, resources, deployments] = await Promise.all([get(id), list(`${id}/resources`),
      list(`${id}/providers/Microsoft.Resources/deployments`).catch(() => [])]);
    return { group, resources, deployments };
  }, [id]);
  const [deleting, setDeleting] = useState(false);
  return html`<${Shell} id=${id} tab=${tab} crumb=${['Resource groups', '#/browse/groups']} kind="Resource group" data=${data}
    sections=${[[null, [['overview', 'Overview'], ['iam', 'Access control (IAM)']]], ['SETTINGS', [['deployments', 'Deployments']]]]}>
    ${() => {
      const { group, resources, deployments } = data.data;
      if (tab === 'iam') return html`<${AccessControl} scope=${group.id} />`;
      if (tab === 'deployments') {
        return html`<div><div class="toolbar" role="toolbar"><button onClick=${() => { location.hash = '#/create/deployment'; }}>Deploy a custom template</button></div>
          <${Table} label="Deployments" rows=${deployments} empty="No deployments." columns=${[
            ['Deployment name', (d) => html`<${ResourceLink} id=${d.id} />`], ['Status', (d) => d.properties.provisioningState],
            ['Timestamp', (d) => (d.properties.timestamp ? new Date(d.properties.timestamp).toLocaleString() : '—')]]} /></div>`;
      }
      return html`<div>
        <div class="toolbar" role="toolbar">
          <button onClick=${data.reload}>Refresh</button>
          <button class="danger" onClick=${() => setDeleting(true)}>Delete resource group</button>
        </div>
        <${Essentials} items=${[['Subscription', id.split('/')[2]], ['Location', group.location],
          ['Provisioning state', group.properties?.provisioningState], ['Deployments', deployments.length]]} />
        <h2>Resources</h2>
        <${Table} label="Resources" rows=${resources} empty="This resource group is empty." columns=${[
          ['Name', (r) => html`<${ResourceLink} id=${r.id}>${r.name}</${ResourceLink}>`],
          ['Type', (r) => byType(r.type)?.label || r.type], ['Location', (r) => r.location]]} />
        ${deleting && html`<${DeleteGroup} id=${id} onClose=${() => setDeleting(false)} />`}
      </div>`;
    }}
  </${Shell}>`;
}

function DeleteGroup({ id, onClose }) {
  const name = nameOf(id);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState(null);
  const ok = async () => {
    setError(null);
    try {
      await track(`Deleting resource group '${name}'`, () => del(id), `Deleted resource group '${name}'.`);
      location.hash = '#/browse/groups';
    } catch (e) { setError(e); }
  };
  return html`<${Pane} title=${`Delete ${name}`} onClose=${onClose}>
    <div class="note">Every resource in this group is deleted with it.</div>
    <${Field} label="Type the resource group name" id="del-rg"><input id="del-rg" type="text" value=${typed} onInput=${(e) => setTyped(e.target.value)} /></${Field}>
    <${ErrorBox} error=${error} />
    <div class="actions"><${ActionButton} class="primary" disabled=${typed !== name} onClick=${ok}>Delete</${ActionButton}><button onClick=${onClose}>Cancel</button></div>
  </${Pane}>`;
}

export function GenericBlade({ id }) {
  const data = useLoad(() => get(id), [id]);
  // A service private endpoints connect to (a storage account, a key vault, …) lists them.
  const connections = Array.isArray(data.data?.properties?.privateEndpointConnections);
  return html`<div>
    <${Header} crumbs=${[['Resource groups', '#/browse/groups'], [groupOf(id), href(id.split('/providers/')[0])]]} title=${nameOf(id)} subtitle=${data.data?.type || 'Resource'} />
    <p class="subtitle">cerulean stores this type as given; the portal shows its JSON.</p>
    <${ErrorBox} error=${data.error} />
    ${connections && html`<${EndpointConnections} resource=${data.data} onChanged=${data.reload} />`}
    ${data.data ? html`<pre class="output">${JSON.stringify(data.data, null, 2)}</pre>` : !data.error && html`<${Loading} />`}
  </div>`;
}
