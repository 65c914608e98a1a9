// The availability set blade: its fault and update domains and the virtual machines in it.
// A virtual machine joins a set only when it is created (Create a virtual machine >
// Availability options), and a Basic load balancer serves the virtual machines of one set.
import { html } from '../lib.js';
import { get } from '../api.js';
import { Essentials, ResourceLink, Table, StatusPill, nameOf, useLoad } from '../ui.js';
import { Shell, groupLink } from './network.js';

export function AvailabilitySetBlade({ id, tab = 'overview' }) {
  const data = useLoad(async () => {
    const set = await get(id);
    const vms = await Promise.all((set.properties.virtualMachines || []).map((r) =>
      get(`${r.id}?$expand=instanceView`).catch(() => ({ id: r.id, name: nameOf(r.id), properties: {} }))));
    return { set, vms };
  }, [id]);
  return html`<${Shell} id=${id} tab=${tab} crumb=${['Availability sets', '#/browse/avsets']} kind="Availability set" data=${data}
    sections=${[[null, [['overview', 'Overview']]]]}>
    ${() => {
      const { set, vms } = data.data;
      return html`<div>
        <div class="toolbar" role="toolbar"><button onClick=${data.reload}>Refresh</button></div>
        <${Essentials} items=${[['Resource group', groupLink(id)], ['Location', set.location],
          ['Fault domains', set.properties.platformFaultDomainCount], ['Update domains', set.properties.platformUpdateDomainCount],
          ['SKU', set.sku?.name], ['Virtual machines', vms.length]]} />
        <h2>Virtual machines</h2>
        <${Table} label="Virtual machines" rows=${vms}
          empty="No virtual machines. A virtual machine joins an availability set when it is created, and only then."
          columns=${[['Name', (v) => html`<${ResourceLink} id=${v.id}>${v.name}</${ResourceLink}>`],
            ['Status', (v) => html`<${StatusPill} vm=${v} />`], ['Size', (v) => v.properties.hardwareProfile?.vmSize || '—']]} />
      </div>`;
    }}
  </${Shell}>`;
}
