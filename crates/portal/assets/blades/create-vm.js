// "Create a virtual machine". As the seed says, the portal creates a network interface with
// default settings: named like Azure's (`{vm}` and three digits), in a new VNet/subnet and
// with a new public IP unless existing ones are chosen. The form cannot pick existing NICs
// or several NICs. Availability options put the VM in an availability set of its group and
// region, or in a new one (only at creation, as on Azure). Like Azure's portal, it submits
// one template deployment.
import { html, useState } from '../lib.js';
import { put, list, track } from '../api.js';
import { useLoad, Header, ErrorBox, ActionButton, Field } from '../ui.js';

const IMAGES = [
  { label: 'Ubuntu Server 22.04 LTS - x64 Gen2', os: 'Linux', ref: { publisher: 'Canonical', offer: '0001-com-ubuntu-server-jammy', sku: '22_04-lts-gen2', version: 'latest' } },
  { label: 'Ubuntu Server 24.04 LTS - x64 Gen2', os: 'Linux', ref: { publisher: 'Canonical', offer: 'ubuntu-24_04-lts', sku: 'server', version: 'latest' } },
  { label: 'Debian 12 "Bookworm" - x64 Gen2', os: 'Linux', ref: { publisher: 'Debian', offer: 'debian-12', sku: '12-gen2', version: 'latest' } },
  { label: 'Windows Server 2022 Datacenter - x64 Gen2', os: 'Windows', ref: { publisher: 'MicrosoftWindowsServer', offer: 'WindowsServer', sku: '2022-datacenter-g2', version: 'latest' } },
  { label: 'Windows Server 2019 Datacenter - x64 Gen2', os: 'Windows', ref: { publisher: 'MicrosoftWindowsServer', offer: 'WindowsServer', sku: '2019-datacenter-gensecond', version: 'latest' } },
];

const NEW = '__new__';
const NONE = '__none__';
const SET = 'set';

/** A NIC name as Azure's portal makes one: the VM's name and three digits, not yet taken
 * in the group (read from the group's list, so no request is expected to fail). */
async function nicName(groupPath, vm) {
  const taken = new Set((await list(`${groupPath}/providers/Microsoft.Network/networkInterfaces`)).map((n) => n.name.toLowerCase()));
  for (let i = 0; i < 50; i += 1) {
    const name = `${vm}${String(100 + Math.floor(Math.random() * 900))}`;
    if (!taken.has(name.toLowerCase())) return name;
  }
  throw new Error(`No free network interface name for ${vm}.`);
}

export function CreateVm({ ctx }) {
  const [f, setF] = useState({ group: '', newGroup: '', name: '', region: 'eastus', availability: NONE, avset: '', newAvset: '',
    image: 0, size: '', user: 'azureuser', password: '', vnet: NEW, subnet: '', pip: NEW });
  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  const [error, setError] = useState(null);
  const groups = useLoad(() => list(`/subscriptions/${ctx.sub}/resourcegroups`), [ctx.sub]);
  const regions = useLoad(() => list(`/subscriptions/${ctx.sub}/locations`), [ctx.sub]);
  const sizes = useLoad(() => list(`/subscriptions/${ctx.sub}/providers/Microsoft.Compute/locations/${f.region}/vmSizes`), [ctx.sub, f.region]);
  const vnets = useLoad(async () => (await list(`/subscriptions/${ctx.sub}/providers/Microsoft.Network/virtualNetworks`))
    .filter((v) => v.location.toLowerCase() === f.region.toLowerCase()), [ctx.sub, f.region]);
  const group = f.group || groups.data?.[0]?.name || NEW;
  const rgName = group === NEW ? f.newGroup : group;
  // The group's availability sets in the region: a VM joins one only when it is created.
  const sets = useLoad(async () => (group === NEW ? [] : (await list(
    `/subscriptions/${ctx.sub}/resourceGroups/${encodeURIComponent(group)}/providers/Microsoft.Compute/availabilitySets`))
    .filter((a) => a.location.toLowerCase() === f.region.toLowerCase())), [ctx.sub, group, f.region]);
  const avset = f.avset || sets.data?.[0]?.id || NEW;
  const size = f.size || (sizes.data?.find((s) => s.name === 'Standard_DS1_v2') || sizes.data?.[0])?.name || '';
  const vnet = vnets.data?.find((v) => v.id === f.vnet);
  const subnet = f.subnet || vnet?.properties.subnets?.[0]?.id || '';
  const image = IMAGES[f.image];

  const create = async () => {
    setError(null);
    const name = f.name.trim();
    try {
      if (!name) throw new Error('Enter a virtual machine name.');
      if (!rgName) throw new Error('Choose a resource group or enter a name for a new one.');
      const groupPath = `/subscriptions/${ctx.sub}/resourceGroups/${encodeURIComponent(rgName)}`;
      if (group === NEW) await track(`Creating resource group '${rgName}'`, () => put(groupPath, { location: f.region }));
      const nic = await nicName(groupPath, name);
      const N = 'Microsoft.Network';
      const resources = [];
      const vmDeps = [`[resourceId('${N}/networkInterfaces', '${nic}')]`];
      let setRef = null;
      if (f.availability === SET && avset === NEW) {
        const setName = f.newAvset.trim();
        if (!setName) throw new Error('Enter a name for the new availability set.');
        resources.push({ type: 'Microsoft.Compute/availabilitySets', apiVersion: '2024-07-01', name: setName, location: f.region,
          sku: { name: 'Aligned' }, properties: { platformFaultDomainCount: 2, platformUpdateDomainCount: 5 } });
        setRef = `[resourceId('Microsoft.Compute/availabilitySets', '${setName}')]`;
        vmDeps.push(setRef);
      } else if (f.availability === SET) {
        setRef = avset;
      }
      const nicDeps = [];
      let subnetId = subnet;
      if (f.vnet === NEW) {
        const vnetName = `${name}-vnet`;
        resources.push({ type: `${N}/virtualNetworks`, apiVersion: '2024-05-01', name: vnetName, location: f.region,
          properties: { addressSpace: { addressPrefixes: ['10.0.0.0/16'] }, subnets: [{ name: 'default', properties: { addressPrefix: '10.0.0.0/24' } }] } });
        nicDeps.push(`[resourceId('${N}/virtualNetworks', '${vnetName}')]`);
        subnetId = `[resourceId('${N}/virtualNetworks/subnets', '${vnetName}', 'default')]`;
      }
      let pipRef = null;
      if (f.pip === NEW) {
        const pipName = `${name}-ip`;
        resources.push({ type: `${N}/publicIPAddresses`, apiVersion: '2024-05-01', name: pipName, location: f.region,
          sku: { name: 'Basic' }, properties: { publicIPAllocationMethod: 'Dynamic' } });
        nicDeps.push(`[resourceId('${N}/publicIPAddresses', '${pipName}')]`);
        pipRef = { id: `[resourceId('${N}/publicIPAddresses', '${pipName}')]` };
      }
      resources.push({ type: `${N}/networkInterfaces`, apiVersion: '2024-05-01', name: nic, location: f.region, dependsOn: nicDeps,
        properties: { ipConfigurations: [{ name: 'ipconfig1', properties: {
          privateIPAllocationMethod: 'Dynamic', subnet: { id: subnetId }, ...(pipRef ? { publicIPAddress: pipRef } : {}) } }] } });
      resources.push({ type: 'Microsoft.Compute/virtualMachines', apiVersion: '2024-07-01', name, location: f.region,
        dependsOn: vmDeps,
        properties: {
          ...(setRef ? { availabilitySet: { id: setRef } } : {}),
          hardwareProfile: { vmSize: size },
          storageProfile: { imageReference: image.ref, osDisk: { createOption: 'FromImage', osType: image.os } },
          osProfile: { computerName: name.slice(0, image.os === 'Windows' ? 15 : 64), adminUsername: f.user, adminPassword: '[parameters(\'adminPassword\')]' },
          networkProfile: { networkInterfaces: [{ id: `[resourceId('${N}/networkInterfaces', '${nic}')]`, properties: { primary: true } }] },
        } });
      const template = {
        $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
        contentVersion: '1.0.0.0',
        parameters: { adminPassword: { type: 'securestring' } },
        resources,
      };
      const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
      const dep = `${groupPath}/providers/Microsoft.Resources/deployments/CreateVm-${image.ref.publisher}.${image.ref.offer}-${stamp}`;
      const run = track(`Creating virtual machine '${name}'`,
        () => put(dep, { properties: { mode: 'Incremental', template, parameters: { adminPassword: { value: f.password } } } }),
        `Created virtual machine '${name}' with network interface '${nic}'.`);
      await Promise.race([run, new Promise((r) => setTimeout(r, 300))]);
      location.hash = `#/resource${dep}`;
      await run;
    } catch (e) { setError(e); }
  };

  return html`<div>
    <${Header} crumbs=${[['Virtual machines', '#/browse/vms']]} title="Create a virtual machine" />
    <p class="subtitle">The portal creates a network interface with default settings for the new virtual machine. To attach existing or several network interfaces, use the CLI, PowerShell or a template.</p>
    <div class="form">
      <h2>Project details</h2>
      <${Field} label="Resource group" id="vm-rg"><select id="vm-rg" value=${group} onChange=${(e) => setF({ ...f, group: e.target.value, avset: '' })}>
        ${(groups.data || []).map((g) => html`<option value=${g.name}>${g.name}</option>`)}
        <option value=${NEW}>Create new…</option></select></${Field}>
      ${group === NEW && html`<${Field} label="New resource group name" id="vm-newrg"><input id="vm-newrg" type="text" value=${f.newGroup} onInput=${set('newGroup')} /></${Field}>`}
      <h2>Instance details</h2>
      <${Field} label="Virtual machine name" id="vm-name"><input id="vm-name" type="text" value=${f.name} onInput=${set('name')} /></${Field}>
      <${Field} label="Region" id="vm-region"><select id="vm-region" value=${f.region} onChange=${(e) => setF({ ...f, region: e.target.value, size: '', vnet: NEW, subnet: '', avset: '' })}>
        ${(regions.data || [{ name: 'eastus', displayName: 'East US' }]).map((r) => html`<option value=${r.name}>${r.displayName}</option>`)}</select></${Field}>
      <${Field} label="Availability options" id="vm-availability"><select id="vm-availability" value=${f.availability} onChange=${set('availability')}>
        <option value=${NONE}>No infrastructure redundancy required</option>
        <option value=${SET}>Availability set</option></select></${Field}>
      ${f.availability === SET && html`<${Field} label="Availability set" id="vm-avset"><select id="vm-avset" value=${avset} onChange=${set('avset')}>
        ${(sets.data || []).map((a) => html`<option value=${a.id}>${a.name}</option>`)}
        <option value=${NEW}>Create new…</option></select></${Field}>`}
      ${f.availability === SET && avset === NEW && html`<${Field} label="New availability set name" id="vm-newavset">
        <input id="vm-newavset" type="text" value=${f.newAvset} onInput=${set('newAvset')} /></${Field}>`}
      <${Field} label="Image" id="vm-image"><select id="vm-image" value=${f.image} onChange=${(e) => setF({ ...f, image: Number(e.target.value) })}>
        ${IMAGES.map((im, i) => html`<option value=${i}>${im.label}</option>`)}</select></${Field}>
      <${Field} label="Size" id="vm-size"><select id="vm-size" value=${size} onChange=${set('size')}>
        ${(sizes.data || []).map((s) => html`<option value=${s.name}>${s.name} - ${s.numberOfCores} vCPU, ${Math.round(s.memoryInMB / 102.4) / 10} GiB</option>`)}</select></${Field}>
      <h2>Administrator account</h2>
      <${Field} label="Username" id="vm-user"><input id="vm-user" type="text" value=${f.user} onInput=${set('user')} autocomplete="off" /></${Field}>
      <${Field} label="Password" id="vm-password"><input id="vm-password" type="password" value=${f.password} onInput=${set('password')} autocomplete="new-password" /></${Field}>
      <h2>Networking</h2>
      <${Field} label="Virtual network" id="vm-vnet"><select id="vm-vnet" value=${f.vnet} onChange=${(e) => setF({ ...f, vnet: e.target.value, subnet: '' })}>
        <option value=${NEW}>(new) ${f.name || 'vm'}-vnet</option>
        ${(vnets.data || []).map((v) => html`<option value=${v.id}>${v.name} (${v.id.split('/')[4]})</option>`)}</select></${Field}>
      <${Field} label="Subnet" id="vm-subnet">${f.vnet === NEW
        ? html`<select id="vm-subnet" disabled><option>(new) default (10.0.0.0/24)</option></select>`
        : html`<select id="vm-subnet" value=${subnet} onChange=${set('subnet')}>
          ${(vnet?.properties.subnets || []).map((s) => html`<option value=${s.id}>${s.name} (${s.properties.addressPrefix})</option>`)}</select>`}</${Field}>
      <${Field} label="Public IP" id="vm-pip"><select id="vm-pip" value=${f.pip} onChange=${set('pip')}>
        <option value=${NEW}>(new) ${f.name || 'vm'}-ip</option><option value=${NONE}>None</option></select></${Field}>
      <${Field} label="Network interface"><div class="subtitle">A new network interface named after the virtual machine (${f.name || 'vm'} and three digits), created with default settings.</div></${Field}>
      <${ErrorBox} error=${error} title="The virtual machine was not created" />
      <div class="actions"><${ActionButton} class="primary" onClick=${create}>Review + create</${ActionButton}>
        <button onClick=${() => history.back()}>Cancel</button></div>
    </div>
  </div>`;
}
