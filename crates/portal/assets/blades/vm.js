// The virtual machine blade: Overview (Start, Restart, Stop), Access control (IAM),
// SETTINGS > Networking (attach and detach network interfaces), OPERATIONS > Run command.
// Every rule is the server's: the
// portal reads the VM's power state and says what Azure says, and shows any refusal with
// Azure's code and message.
import { html, useState } from '../lib.js';
import { get, post, put, del, list, track } from '../api.js';
import { useLoad, Header, Essentials, ErrorBox, Loading, Pane, BladeMenu, ActionButton, ResourceLink, Table,
  StatusPill, vmStatus, nameOf, groupOf, href, Field } from '../ui.js';
import { AccessControl } from './access.js';

const sameId = (a, b) => (a || '').toLowerCase() === (b || '').toLowerCase();

/** The VM with its instance view, and its NICs with their public IPs. */
async function loadVm(id) {
  const vm = await get(`${id}?$expand=instanceView`);
  const refs = vm.properties.networkProfile?.networkInterfaces || [];
  const nics = await Promise.all(refs.map(async (r) => {
    const nic = await get(r.id).catch((e) => ({ id: r.id, name: nameOf(r.id), properties: { ipConfigurations: [] }, error: e }));
    const pips = await Promise.all((nic.properties.ipConfigurations || []).map((c) =>
      c.properties.publicIPAddress ? get(c.properties.publicIPAddress.id).catch(() => null) : null));
    return { nic, pips, primary: r.properties?.primary ?? refs.length === 1 };
  }));
  return { vm, nics };
}

export function VmBlade({ id, tab = 'overview', ctx }) {
  const data = useLoad(() => loadVm(id), [id]);
  const vm = data.data?.vm;
  return html`<div>
    <${Header} crumbs=${[['Virtual machines', '#/browse/vms']]} title=${nameOf(id)} subtitle="Virtual machine" />
    <div class="blade">
      <${BladeMenu} id=${id} tab=${tab} sections=${[
        [null, [['overview', 'Overview'], ['iam', 'Access control (IAM)']]],
        ['SETTINGS', [['networking', 'Networking']]],
        ['OPERATIONS', [['runcommand', 'Run command']]],
      ]} />
      <div class="blade-body">
        <${ErrorBox} error=${data.error} />
        ${!vm ? (!data.error && html`<${Loading} what="the virtual machine" />`)
          : tab === 'iam' ? html`<${AccessControl} scope=${vm.id} />`
          : tab === 'networking' ? html`<${Networking} id=${id} data=${data.data} reload=${data.reload} ctx=${ctx} />`
          : tab === 'runcommand' ? html`<${RunCommand} id=${id} vm=${vm} />`
          : html`<${Overview} id=${id} data=${data.data} reload=${data.reload} />`}
      </div>
    </div>
  </div>`;
}

function Overview({ id, data, reload }) {
  const { vm, nics } = data;
  const name = nameOf(id);
  const primary = nics.find((n) => n.primary) || nics[0];
  const cfgIndex = primary ? primary.nic.properties.ipConfigurations.findIndex((c) => c.properties.primary) : -1;
  const cfg = primary?.nic.properties.ipConfigurations[Math.max(cfgIndex, 0)];
  const pip = primary?.pips[Math.max(cfgIndex, 0)];
  const subnet = cfg?.properties.subnet?.id;
  const action = (verb, path, done) => () =>
    track(`${verb} virtual machine '${name}'`, () => post(`${id}/${path}`), done).finally(reload);
  const remove = () => {
    if (!confirm(`Delete virtual machine '${name}'? Its network interfaces are kept.`)) return Promise.resolve();
    return track(`Deleting virtual machine '${name}'`, () => del(id), `Deleted virtual machine '${name}'.`)
      .then(() => { location.hash = '#/browse/vms'; });
  };
  const iv = vm.properties.instanceView || {};
  return html`<div>
    <div class="toolbar" role="toolbar" aria-label="Virtual machine actions">
      <${ActionButton} onClick=${action('Starting', 'start', `Started virtual machine '${name}'.`)}>Start</${ActionButton}>
      <${ActionButton} onClick=${action('Restarting', 'restart', `Restarted virtual machine '${name}'.`)}>Restart</${ActionButton}>
      <${ActionButton} onClick=${action('Stopping', 'deallocate', `Stopped (deallocated) virtual machine '${name}'.`)}
        title="Stops the virtual machine and deallocates it, as the Azure portal's Stop does">Stop</${ActionButton}>
      <button onClick=${reload}>Refresh</button>
      <${ActionButton} class="danger" onClick=${remove}>Delete</${ActionButton}>
    </div>
    <${Essentials} items=${[
      ['Resource group', html`<${ResourceLink} id=${id.split('/providers/')[0]}>${groupOf(id)}</${ResourceLink}>`],
      ['Status', html`<${StatusPill} vm=${vm} />`],
      ['Location', vm.location],
      ['Size', vm.properties.hardwareProfile?.vmSize],
      ['Operating system', iv.osName || vm.properties.storageProfile?.osDisk?.osType],
      ['Computer name', iv.computerName || vm.properties.osProfile?.computerName],
      ['Private IP address', cfg?.properties.privateIPAddress],
      ['Public IP address', pip ? (pip.properties.ipAddress || html`<span class="subtitle">${pip.name} (no address while deallocated)</span>`) : '—'],
      ['Virtual network/subnet', subnet ? `${subnet.split('/')[8]}/${nameOf(subnet)}` : '—'],
      ['Network interfaces', nics.length],
      ['Availability set', vm.properties.availabilitySet
        ? html`<${ResourceLink} id=${vm.properties.availabilitySet.id}>${nameOf(vm.properties.availabilitySet.id)}</${ResourceLink}>` : '—'],
    ]} />
  </div>`;
}

function Networking({ id, data, reload, ctx }) {
  const { vm, nics } = data;
  const [pane, setPane] = useState(null);
  const status = vmStatus(vm);
  const deallocated = status.code === 'deallocated';
  const why = deallocated ? undefined
    : `The virtual machine must be stopped (deallocated) to attach or detach a network interface. Its status is ${status.label}.`;
  return html`<div>
    <div class="toolbar" role="toolbar" aria-label="Networking actions">
      <button disabled=${!deallocated} title=${why} onClick=${() => setPane('attach')}>+ Attach network interface</button>
      <button disabled=${!deallocated} title=${why} onClick=${() => setPane('detach')}>X Detach network interface</button>
      <button onClick=${reload}>Refresh</button>
    </div>
    ${why && html`<div class="note" role="note">${why} Use <a href=${href(id)}>Overview</a> > Stop first.</div>`}
    ${nics.map(({ nic, pips, primary }) => html`<section class="card" aria-label=${`Network interface ${nic.name}`}>
      <div class="card-head">
        <strong>Network interface: <${ResourceLink} id=${nic.id}>${nic.name}</${ResourceLink}></strong>
        <span class="pill ${primary ? 'ok' : ''}">${primary ? 'Primary' : 'Secondary'}</span>
        <a href=${href(nic.id, 'routes')}>Effective routes</a>
      </div>
      <${ErrorBox} error=${nic.error} />
      <div class="subtitle">Virtual network/subnet: ${(() => {
        const s = nic.properties.ipConfigurations[0]?.properties.subnet?.id;
        return s ? `${s.split('/')[8]}/${nameOf(s)}` : '—';
      })()} · MAC address: ${nic.properties.macAddress || '—'}</div>
      <h3>IP configurations</h3>
      <${Table} label=${`IP configurations of ${nic.name}`} rows=${nic.properties.ipConfigurations.map((c, i) => ({ c, pip: pips[i] }))} columns=${[
        ['Name', ({ c }) => c.name],
        ['Type', ({ c }) => (c.properties.primary ? 'Primary' : 'Secondary')],
        ['Private IP address', ({ c }) => `${c.properties.privateIPAddress || '—'} (${c.properties.privateIPAllocationMethod})`],
        ['Public IP address', ({ pip }) => (pip ? html`<${ResourceLink} id=${pip.id}>${pip.properties.ipAddress || pip.name}</${ResourceLink}>` : '—')],
      ]} />
    </section>`)}
    ${pane === 'detach' && html`<${Detach} id=${id} nics=${nics} onClose=${() => setPane(null)} reload=${reload} />`}
    ${pane === 'attach' && html`<${Attach} id=${id} vm=${vm} ctx=${ctx} onClose=${() => setPane(null)} reload=${reload} />`}
  </div>`;
}

/** GET the VM, change its NIC list, PUT it back: what az and the SDKs do. */
async function changeNics(id, change) {
  const vm = await get(id);
  vm.properties.networkProfile.networkInterfaces = change(vm.properties.networkProfile.networkInterfaces || []);
  return put(id, vm);
}

function Detach({ id, nics, onClose, reload }) {
  const [choice, setChoice] = useState(nics[nics.length - 1]?.nic.id || '');
  const [error, setError] = useState(null);
  const ok = async () => {
    setError(null);
    const nicName = nameOf(choice);
    try {
      await track(`Detaching network interface '${nicName}' from '${nameOf(id)}'`,
        () => changeNics(id, (list) => list.filter((r) => !sameId(r.id, choice))),
        `Detached network interface '${nicName}'.`);
      reload();
      onClose();
    } catch (e) { setError(e); }
  };
  return html`<${Pane} title="Detach network interface" onClose=${onClose}>
    <p>Select the network interface you want to detach from the drop-down list, then click <strong>OK</strong>.</p>
    <${Field} label="Network interface" id="detach-nic"><select id="detach-nic" value=${choice} onChange=${(e) => setChoice(e.target.value)}>
      ${nics.map(({ nic, primary }) => html`<option value=${nic.id}>${nic.name}${primary ? ' (primary)' : ''}</option>`)}</select></${Field}>
    <${ErrorBox} error=${error} title="The network interface was not detached" />
    <div class="actions"><${ActionButton} class="primary" onClick=${ok}>OK</${ActionButton}><button onClick=${onClose}>Cancel</button></div>
  </${Pane}>`;
}

function Attach({ id, vm, ctx, onClose, reload }) {
  // Candidates as Azure's portal offers them: not attached to a VM, in the VM's region.
  const candidates = useLoad(async () => (await list(`/subscriptions/${ctx.sub}/providers/Microsoft.Network/networkInterfaces`))
    .filter((n) => !n.properties.virtualMachine && n.location.toLowerCase() === vm.location.toLowerCase()), [id]);
  const [choice, setChoice] = useState('');
  const [error, setError] = useState(null);
  const options = candidates.data || [];
  const selected = choice || options[0]?.id || '';
  const ok = async () => {
    setError(null);
    const nicName = nameOf(selected);
    try {
      await track(`Attaching network interface '${nicName}' to '${nameOf(id)}'`,
        () => changeNics(id, (list) => [...list, { id: selected, properties: { primary: false } }]),
        `Attached network interface '${nicName}'.`);
      reload();
      onClose();
    } catch (e) { setError(e); }
  };
  return html`<${Pane} title="Attach network interface" onClose=${onClose}>
    <p>Select an existing network interface that is not attached to a virtual machine and is in ${vm.location}, then click <strong>OK</strong>.</p>
    <${ErrorBox} error=${candidates.error} />
    ${candidates.loading ? html`<${Loading} />` : options.length === 0
      ? html`<div class="info">No network interface can be attached: every network interface in ${vm.location} is attached to a virtual machine. <a href="#/browse/nics">Network interfaces</a></div>`
      : html`<${Field} label="Network interface" id="attach-nic"><select id="attach-nic" value=${selected} onChange=${(e) => setChoice(e.target.value)}>
          ${options.map((n) => html`<option value=${n.id}>${n.name} (${groupOf(n.id)})</option>`)}</select></${Field}>`}
    <${ErrorBox} error=${error} title="The network interface was not attached" />
    <div class="actions"><${ActionButton} class="primary" disabled=${!selected} onClick=${ok}>OK</${ActionButton}><button onClick=${onClose}>Cancel</button></div>
  </${Pane}>`;
}

const EXAMPLES = {
  RunShellScript: 'ip route\nip addr',
  RunPowerShellScript: 'route print\nipconfig',
};

function RunCommand({ id, vm }) {
  const windows = /windows/i.test(vm.properties.storageProfile?.osDisk?.osType || vm.properties.instanceView?.osName || '')
    || !!vm.properties.osProfile?.windowsConfiguration;
  const [command, setCommand] = useState(windows ? 'RunPowerShellScript' : 'RunShellScript');
  const [script, setScript] = useState(EXAMPLES[command]);
  const [output, setOutput] = useState(null);
  const [error, setError] = useState(null);
  const run = async () => {
    setError(null);
    setOutput(null);
    try {
      const result = await track(`Run command '${command}' on '${nameOf(id)}'`,
        () => post(`${id}/runCommand`, { commandId: command, script: script.split('\n') }));
      setOutput((result?.value || []).map((v) => v.message).join('\n'));
    } catch (e) { setError(e); }
  };
  return html`<div class="form">
    <p class="subtitle">Runs a script inside the virtual machine's operating system (the virtual machine must be running).</p>
    <${Field} label="Command" id="rc-command"><select id="rc-command" value=${command}
      onChange=${(e) => { setCommand(e.target.value); setScript(EXAMPLES[e.target.value]); }}>
      <option value="RunShellScript">RunShellScript (Linux)</option>
      <option value="RunPowerShellScript">RunPowerShellScript (Windows)</option></select></${Field}>
    <${Field} label="Script" id="rc-script"><textarea id="rc-script" spellcheck="false" value=${script} onInput=${(e) => setScript(e.target.value)}></textarea></${Field}>
    <div class="actions"><${ActionButton} class="primary" onClick=${run}>Run</${ActionButton}></div>
    <${ErrorBox} error=${error} title="The command did not run" />
    ${output !== null && html`<h3>Output</h3><pre class="output" aria-label="Output">${output}</pre>`}
  </div>`;
}
