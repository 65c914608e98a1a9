// The private DNS zone blade: Overview (the zone's record sets, auto-registered ones marked;
// add an A record set), Virtual network links (add one, with or without auto-registration).
import { html, useState } from '../lib.js';
import { get, put, list, track } from '../api.js';
import { useLoad, Header, Essentials, ErrorBox, Loading, Pane, BladeMenu, ActionButton, ResourceLink, Table,
  nameOf, groupOf, Field } from '../ui.js';

/** A record set's data as the portal's list shows it. */
function value(set) {
  const p = set.properties || {};
  const kind = set.type.split('/').pop().toUpperCase();
  switch (kind) {
    case 'A': return (p.aRecords || []).map((r) => r.ipv4Address).join(', ');
    case 'AAAA': return (p.aaaaRecords || []).map((r) => r.ipv6Address).join(', ');
    case 'CNAME': return p.cnameRecord?.cname || '';
    case 'MX': return (p.mxRecords || []).map((r) => `${r.preference} ${r.exchange}`).join(', ');
    case 'PTR': return (p.ptrRecords || []).map((r) => r.ptrdname).join(', ');
    case 'SRV': return (p.srvRecords || []).map((r) => `${r.priority} ${r.weight} ${r.port} ${r.target}`).join(', ');
    case 'TXT': return (p.txtRecords || []).map((r) => (r.value || []).join('')).join(', ');
    case 'SOA': return `Email: ${p.soaRecord?.email || ''}`;
    default: return '';
  }
}

export function DnsZoneBlade({ id, tab = 'overview', ctx }) {
  const data = useLoad(async () => {
    const [zone, sets, links] = await Promise.all([get(id), list(`${id}/ALL`), list(`${id}/virtualNetworkLinks`)]);
    return { zone, sets, links };
  }, [id]);
  const [adding, setAdding] = useState(null);
  const body = () => {
    const { zone, sets, links } = data.data;
    const toolbar = (what, label) => html`<div class="toolbar" role="toolbar">
      <button onClick=${() => setAdding(what)}>${label}</button><button onClick=${data.reload}>Refresh</button></div>`;
    if (tab === 'links') {
      return html`<div>${toolbar('link', '+ Add')}
        <${Table} label="Virtual network links" rows=${links} empty="No virtual network links. Link a virtual network so that its virtual machines resolve this zone." columns=${[
          ['Link name', (l) => l.name],
          ['Virtual network', (l) => html`<${ResourceLink} id=${l.properties.virtualNetwork?.id} />`],
          ['Auto-registration', (l) => (l.properties.registrationEnabled ? 'Enabled' : 'Disabled')],
          ['Link status', (l) => l.properties.virtualNetworkLinkState || '—']]} />
        ${adding === 'link' && html`<${AddLink} zone=${id} ctx=${ctx} onClose=${() => setAdding(null)} onDone=${data.reload} />`}
      </div>`;
    }
    const p = zone.properties || {};
    return html`<div>${toolbar('record', '+ Record set')}
      <${Essentials} items=${[['Resource group', groupOf(id)], ['Record sets', `${p.numberOfRecordSets} of ${p.maxNumberOfRecordSets}`],
        ['Virtual network links', p.numberOfVirtualNetworkLinks],
        ['Virtual network links with auto-registration', p.numberOfVirtualNetworkLinksWithRegistration]]} />
      <h2>Record sets</h2>
      <${Table} label="Record sets" rows=${sets} columns=${[
        ['Name', (s) => s.name], ['Type', (s) => s.type.split('/').pop()], ['TTL', (s) => s.properties?.ttl ?? '—'],
        ['Value', value], ['Auto registered', (s) => (s.properties?.isAutoRegistered ? 'True' : 'False')]]} />
      ${adding === 'record' && html`<${AddRecord} zone=${id} onClose=${() => setAdding(null)} onDone=${data.reload} />`}
    </div>`;
  };
  return html`<div>
    <${Header} crumbs=${[['Private DNS zones', '#/browse/dnszones']]} title=${nameOf(id)} subtitle="Private DNS zone" />
    <div class="blade">
      <${BladeMenu} id=${id} tab=${tab} sections=${[[null, [['overview', 'Overview']]], ['SETTINGS', [['links', 'Virtual network links']]]]} />
      <div class="blade-body">
        <${ErrorBox} error=${data.error} />
        ${data.data ? body() : !data.error && html`<${Loading} what="the zone" />`}
      </div>
    </div>
  </div>`;
}

/** Adds an A record set (or replaces one of that name). */
function AddRecord({ zone, onClose, onDone }) {
  const [name, setName] = useState('');
  const [ttl, setTtl] = useState('3600');
  const [address, setAddress] = useState('');
  const [error, setError] = useState(null);
  const add = async () => {
    setError(null);
    try {
      await track(`Adding record set '${name}'`, () => put(`${zone}/A/${encodeURIComponent(name)}`,
        { properties: { ttl: Number(ttl), aRecords: [{ ipv4Address: address }] } }), `Added record set '${name}'.`);
      onDone();
      onClose();
    } catch (e) { setError(e); }
  };
  return html`<${Pane} title="Add record set" onClose=${onClose}>
    <${Field} label="Name" id="rs-name"><input id="rs-name" type="text" value=${name} onInput=${(e) => setName(e.target.value)} /></${Field}>
    <${Field} label="Type" id="rs-type"><select id="rs-type" disabled><option>A - Address record</option></select></${Field}>
    <${Field} label="TTL (seconds)" id="rs-ttl"><input id="rs-ttl" type="number" min="0" value=${ttl} onInput=${(e) => setTtl(e.target.value)} /></${Field}>
    <${Field} label="IP address" id="rs-ip"><input id="rs-ip" type="text" value=${address} onInput=${(e) => setAddress(e.target.value)} /></${Field}>
    <${ErrorBox} error=${error} />
    <div class="actions"><${ActionButton} class="primary" disabled=${!name || !address} onClick=${add}>OK</${ActionButton}><button onClick=${onClose}>Cancel</button></div>
  </${Pane}>`;
}

/** Links a virtual network of the subscription, optionally registering its VMs. */
function AddLink({ zone, ctx, onClose, onDone }) {
  const [name, setName] = useState('');
  const [vnet, setVnet] = useState('');
  const [registration, setRegistration] = useState(false);
  const [error, setError] = useState(null);
  const vnets = useLoad(() => list(`/subscriptions/${ctx.sub}/providers/Microsoft.Network/virtualNetworks`), [ctx.sub]);
  const add = async () => {
    setError(null);
    try {
      await track(`Adding virtual network link '${name}'`, () => put(`${zone}/virtualNetworkLinks/${encodeURIComponent(name)}`,
        { location: 'global', properties: { virtualNetwork: { id: vnet }, registrationEnabled: registration } }),
      `Added virtual network link '${name}'.`);
      onDone();
      onClose();
    } catch (e) { setError(e); }
  };
  return html`<${Pane} title="Add virtual network link" onClose=${onClose}>
    <${Field} label="Link name" id="link-name"><input id="link-name" type="text" value=${name} onInput=${(e) => setName(e.target.value)} /></${Field}>
    <${Field} label="Virtual network" id="link-vnet"><select id="link-vnet" value=${vnet} onChange=${(e) => setVnet(e.target.value)}>
      <option value="">Select a virtual network</option>
      ${(vnets.data || []).map((v) => html`<option value=${v.id}>${v.name} (${groupOf(v.id)})</option>`)}</select></${Field}>
    <label class="check"><input type="checkbox" checked=${registration} onChange=${(e) => setRegistration(e.target.checked)} /> Enable auto registration</label>
    <${ErrorBox} error=${error} />
    <div class="actions"><${ActionButton} class="primary" disabled=${!name || !vnet} onClick=${add}>OK</${ActionButton}><button onClick=${onClose}>Cancel</button></div>
  </${Pane}>`;
}
