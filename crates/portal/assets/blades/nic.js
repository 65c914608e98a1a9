// The network interface blade: Overview, Access control (IAM), IP configurations (add one:
// Dynamic or Static, with an optional public IP picked or created; remove one), Effective
// routes.
import { html, useState } from '../lib.js';
import { get, put, post, list, track } from '../api.js';
import { useLoad, Header, Essentials, ErrorBox, Loading, Pane, BladeMenu, ActionButton, ResourceLink, Table,
  nameOf, groupOf, Field } from '../ui.js';
import { AccessControl } from './access.js';

async function loadNic(id) {
  const nic = await get(id);
  const pips = await Promise.all((nic.properties.ipConfigurations || []).map((c) =>
    c.properties.publicIPAddress ? get(c.properties.publicIPAddress.id).catch(() => null) : null));
  return { nic, pips };
}

export function NicBlade({ id, tab = 'overview', ctx }) {
  const data = useLoad(() => loadNic(id), [id]);
  const nic = data.data?.nic;
  return html`<div>
    <${Header} crumbs=${[['Network interfaces', '#/browse/nics']]} title=${nameOf(id)} subtitle="Network interface" />
    <div class="blade">
      <${BladeMenu} id=${id} tab=${tab} sections=${[
        [null, [['overview', 'Overview'], ['iam', 'Access control (IAM)']]],
        ['SETTINGS', [['ipconfigs', 'IP configurations']]],
        ['SUPPORT + TROUBLESHOOTING', [['routes', 'Effective routes']]],
      ]} />
      <div class="blade-body">
        <${ErrorBox} error=${data.error} />
        ${!nic ? (!data.error && html`<${Loading} what="the network interface" />`)
          : tab === 'iam' ? html`<${AccessControl} scope=${nic.id} />`
          : tab === 'ipconfigs' ? html`<${IpConfigs} id=${id} data=${data.data} reload=${data.reload} ctx=${ctx} />`
          : tab === 'routes' ? html`<${EffectiveRoutes} id=${id} nic=${nic} />`
          : html`<${NicOverview} id=${id} data=${data.data} reload=${data.reload} />`}
      </div>
    </div>
  </div>`;
}

function NicOverview({ id, data, reload }) {
  const { nic, pips } = data;
  const i = Math.max(0, nic.properties.ipConfigurations.findIndex((c) => c.properties.primary));
  const cfg = nic.properties.ipConfigurations[i];
  const subnet = cfg?.properties.subnet?.id;
  return html`<div>
    <div class="toolbar" role="toolbar"><button onClick=${reload}>Refresh</button></div>
    <${Essentials} items=${[
      ['Resource group', groupOf(id)],
      ['Location', nic.location],
      ['Attached to', html`<${ResourceLink} id=${nic.properties.virtualMachine?.id} />`],
      ['Primary', nic.properties.primary === undefined ? '—' : nic.properties.primary ? 'Yes' : 'No'],
      ['Virtual network/subnet', subnet ? html`<${ResourceLink} id=${subnet.split('/subnets/')[0]}>${subnet.split('/')[8]}</${ResourceLink}>/${nameOf(subnet)}` : '—'],
      ['Private IP address', cfg?.properties.privateIPAddress],
      ['Public IP address', pips[i]?.properties.ipAddress || (pips[i] ? pips[i].name : '—')],
      ['MAC address', nic.properties.macAddress || '—'],
      ['IP configurations', nic.properties.ipConfigurations.length],
      // A private endpoint's NIC: its endpoint, and the service member and names it serves.
      ...(nic.properties.privateEndpoint ? [
        ['Private endpoint', html`<${ResourceLink} id=${nic.properties.privateEndpoint.id} />`],
        ['Connected to', (({ groupId, fqdns } = {}) => (groupId ? `${groupId}${fqdns?.length ? ` (${fqdns.join(', ')})` : ''}` : '—'))(
          cfg?.properties.privateLinkConnectionProperties)],
      ] : []),
    ]} />
  </div>`;
}

function IpConfigs({ id, data, reload, ctx }) {
  const { nic, pips } = data;
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState(null);
  const remove = async (name) => {
    setError(null);
    try {
      await track(`Removing IP configuration '${name}' from '${nic.name}'`, async () => {
        const fresh = await get(id);
        fresh.properties.ipConfigurations = fresh.properties.ipConfigurations.filter((c) => c.name.toLowerCase() !== name.toLowerCase());
        return put(id, fresh);
      }, `Removed IP configuration '${name}'.`);
      reload();
    } catch (e) { setError(e); }
  };
  return html`<div>
    <div class="toolbar" role="toolbar">
      <button onClick=${() => setAdding(true)}>+ Add</button>
      <button onClick=${reload}>Refresh</button>
    </div>
    <${ErrorBox} error=${error} title="The IP configuration was not removed" />
    <${Table} label="IP configurations" rows=${nic.properties.ipConfigurations.map((c, i) => ({ c, pip: pips[i] }))} columns=${[
      ['Name', ({ c }) => c.name],
      ['IP version', ({ c }) => c.properties.privateIPAddressVersion || 'IPv4'],
      ['Type', ({ c }) => (c.properties.primary ? 'Primary' : 'Secondary')],
      ['Private IP address', ({ c }) => c.properties.privateIPAddress || '—'],
      ['Assignment', ({ c }) => c.properties.privateIPAllocationMethod],
      ['Public IP address', ({ pip }) => (pip ? html`<${ResourceLink} id=${pip.id}>${pip.properties.ipAddress || pip.name}</${ResourceLink}>` : '—')],
      ['', ({ c }) => html`<${ActionButton} class="link" aria-label=${`Remove ${c.name}`} onClick=${() => remove(c.name)}>Remove</${ActionButton}>`],
    ]} />
    ${adding && html`<${AddIpConfig} id=${id} nic=${nic} ctx=${ctx} onClose=${() => setAdding(false)} reload=${reload} />`}
  </div>`;
}

function AddIpConfig({ id, nic, ctx, onClose, reload }) {
  const [name, setName] = useState(`ipconfig${nic.properties.ipConfigurations.length + 1}`);
  const [method, setMethod] = useState('Dynamic');
  const [address, setAddress] = useState('');
  const [pipMode, setPipMode] = useState('none');
  const [pipId, setPipId] = useState('');
  const [newPip, setNewPip] = useState(`${nic.name}-ip${nic.properties.ipConfigurations.length + 1}`);
  const [newPipMethod, setNewPipMethod] = useState('Dynamic');
  const [error, setError] = useState(null);
  // Public IPs that are free, in the NIC's region: the ones Azure's portal offers.
  const pips = useLoad(async () => (await list(`/subscriptions/${ctx.sub}/providers/Microsoft.Network/publicIPAddresses`))
    .filter((p) => !p.properties.ipConfiguration && p.location.toLowerCase() === nic.location.toLowerCase()), [id]);
  const primary = nic.properties.ipConfigurations.find((c) => c.properties.primary) || nic.properties.ipConfigurations[0];
  const subnet = primary?.properties.subnet?.id;
  const ok = async () => {
    setError(null);
    try {
      await track(`Adding IP configuration '${name}' to '${nic.name}'`, async () => {
        let publicIp = null;
        if (pipMode === 'existing') publicIp = { id: pipId || pips.data?.[0]?.id };
        if (pipMode === 'new') {
          const pipPath = `${id.split('/providers/')[0]}/providers/Microsoft.Network/publicIPAddresses/${encodeURIComponent(newPip)}`;
          const created = await put(pipPath, { location: nic.location, sku: { name: 'Basic' }, properties: { publicIPAllocationMethod: newPipMethod } });
          publicIp = { id: created.id };
        }
        const fresh = await get(id);
        fresh.properties.ipConfigurations.push({
          name,
          properties: {
            primary: false,
            privateIPAllocationMethod: method,
            ...(method === 'Static' ? { privateIPAddress: address } : {}),
            subnet: { id: subnet },
            ...(publicIp ? { publicIPAddress: publicIp } : {}),
          },
        });
        return put(id, fresh);
      }, `Added IP configuration '${name}'.`);
      reload();
      onClose();
    } catch (e) { setError(e); }
  };
  return html`<${Pane} title="Add IP configuration" onClose=${onClose}>
    <${Field} label="Name" id="ipc-name"><input id="ipc-name" type="text" value=${name} onInput=${(e) => setName(e.target.value)} /></${Field}>
    <fieldset><legend>Private IP address settings</legend>
      <div class="subtitle">Subnet: ${subnet ? `${subnet.split('/')[8]}/${nameOf(subnet)}` : '—'}</div>
      <div class="radios" role="radiogroup" aria-label="Allocation">
        <label><input type="radio" name="alloc" value="Dynamic" checked=${method === 'Dynamic'} onChange=${() => setMethod('Dynamic')} /> Dynamic</label>
        <label><input type="radio" name="alloc" value="Static" checked=${method === 'Static'} onChange=${() => setMethod('Static')} /> Static</label>
      </div>
      ${method === 'Static' && html`<${Field} label="IP address" id="ipc-address"><input id="ipc-address" type="text" inputmode="decimal" value=${address} onInput=${(e) => setAddress(e.target.value)} /></${Field}>`}
    </fieldset>
    <fieldset><legend>Public IP address</legend>
      <div class="radios" role="radiogroup" aria-label="Public IP address">
        <label><input type="radio" name="pip" checked=${pipMode === 'none'} onChange=${() => setPipMode('none')} /> Disassociate</label>
        <label><input type="radio" name="pip" checked=${pipMode === 'existing'} onChange=${() => setPipMode('existing')} /> Associate existing</label>
        <label><input type="radio" name="pip" checked=${pipMode === 'new'} onChange=${() => setPipMode('new')} /> Create new</label>
      </div>
      ${pipMode === 'existing' && ((pips.data || []).length === 0
        ? html`<div class="info">${pips.loading ? 'Loading…' : `No unassociated public IP address in ${nic.location}.`}</div>`
        : html`<${Field} label="Public IP address" id="ipc-pip"><select id="ipc-pip" value=${pipId || pips.data[0].id} onChange=${(e) => setPipId(e.target.value)}>
          ${pips.data.map((p) => html`<option value=${p.id}>${p.name} (${p.properties.ipAddress || p.properties.publicIPAllocationMethod})</option>`)}</select></${Field}>`)}
      ${pipMode === 'new' && html`
        <${Field} label="Public IP address name" id="ipc-newpip"><input id="ipc-newpip" type="text" value=${newPip} onInput=${(e) => setNewPip(e.target.value)} /></${Field}>
        <div class="radios" role="radiogroup" aria-label="Assignment">
          <label><input type="radio" name="pipalloc" checked=${newPipMethod === 'Dynamic'} onChange=${() => setNewPipMethod('Dynamic')} /> Dynamic</label>
          <label><input type="radio" name="pipalloc" checked=${newPipMethod === 'Static'} onChange=${() => setNewPipMethod('Static')} /> Static</label>
        </div>`}
    </fieldset>
    <${ErrorBox} error=${error} title="The IP configuration was not added" />
    <div class="actions"><${ActionButton} class="primary" onClick=${ok}>OK</${ActionButton}><button onClick=${onClose}>Cancel</button></div>
  </${Pane}>`;
}

function EffectiveRoutes({ id, nic }) {
  const routes = useLoad(() => post(`${id}/effectiveRouteTable`), [id]);
  return html`<div>
    <div class="toolbar" role="toolbar"><button onClick=${routes.reload}>Refresh</button></div>
    <p class="subtitle">The routes Azure applies to ${nic.name}, from the effective route table API. They are shown while the network interface is attached to a running virtual machine.</p>
    <${ErrorBox} error=${routes.error} title="The effective routes could not be loaded" />
    ${routes.loading ? html`<${Loading} what="effective routes" />` : routes.data && html`<${Table} label="Effective routes" rows=${routes.data.value || []} columns=${[
      ['Source', (r) => r.source], ['State', (r) => r.state],
      ['Address prefixes', (r) => (r.addressPrefix || []).join(', ')],
      ['Next hop type', (r) => r.nextHopType],
      ['Next hop IP address', (r) => (r.nextHopIpAddress || []).join(', ') || '—']]} />`}
  </div>`;
}
