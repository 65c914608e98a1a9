// Template deployments: "Deploy a custom template" (paste a template and its parameters)
// and a deployment's blade, which follows it while it runs.
import { html, useState, useEffect } from '../lib.js';
import { get, put, list, track, ArmError } from '../api.js';
import { useLoad, Header, Essentials, ErrorBox, Loading, ActionButton, ResourceLink, Table, Field, nameOf, groupOf } from '../ui.js';

const DEPLOYMENTS = 'providers/Microsoft.Resources/deployments';

export function DeploymentBlade({ id }) {
  const data = useLoad(async () => {
    const [d, ops] = await Promise.all([get(id), list(`${id}/operations`).catch(() => [])]);
    return { d, ops };
  }, [id]);
  const state = data.data?.d.properties.provisioningState;
  const running = state && !['Succeeded', 'Failed', 'Canceled'].includes(state);
  useEffect(() => {
    if (!running) return undefined;
    const t = setTimeout(data.reload, 1000);
    return () => clearTimeout(t);
  }, [data.data]);
  const p = data.data?.d.properties;
  const err = p?.error ? new ArmError(200, p.error.code, p.error.message, p.error.details) : null;
  const outputs = Object.entries(p?.outputs || {});
  return html`<div>
    <${Header} crumbs=${[['Deployments', '#/browse/deployments']]} title=${nameOf(id)} subtitle="Deployment" />
    <${ErrorBox} error=${data.error} />
    ${!data.data ? !data.error && html`<${Loading} />` : html`<div>
      <div class="toolbar" role="toolbar"><button onClick=${data.reload}>Refresh</button></div>
      <div class=${state === 'Succeeded' ? 'info' : state === 'Failed' ? 'error' : 'note'} role="status">
        ${state === 'Succeeded' ? 'Your deployment is complete' : state === 'Failed' ? 'Your deployment failed' : `Deployment is in progress (${state})`}
      </div>
      <${ErrorBox} error=${err} />
      <${Essentials} items=${[groupOf(id)
        ? ['Resource group', html`<${ResourceLink} id=${id.split('/providers/')[0]}>${groupOf(id)}</${ResourceLink}>`]
        : ['Scope', 'Subscription'],
        ...(data.data.d.location ? [['Location', data.data.d.location]] : []),
        ['Mode', p.mode], ['Start time', p.timestamp ? new Date(p.timestamp).toLocaleString() : '—'], ['Duration', p.duration || '—'],
        ['Correlation ID', p.correlationId || '—']]} />
      <h2>Deployment details</h2>
      <${Table} label="Deployment operations" rows=${data.data.ops} empty="No operations yet." columns=${[
        ['Resource', (o) => html`<${ResourceLink} id=${o.properties.targetResource?.id}>${o.properties.targetResource?.resourceName}</${ResourceLink}>`],
        ['Type', (o) => o.properties.targetResource?.resourceType],
        ['Operation', (o) => o.properties.provisioningOperation],
        ['Status', (o) => o.properties.provisioningState],
        ['Message', (o) => (o.properties.statusMessage?.error ? `${o.properties.statusMessage.error.code}: ${o.properties.statusMessage.error.message}` : '')]]} />
      ${outputs.length > 0 && html`<h2>Outputs</h2><${Table} label="Outputs" rows=${outputs} columns=${[
        ['Name', ([k]) => k], ['Type', ([, v]) => v.type], ['Value', ([, v]) => html`<code>${JSON.stringify(v.value)}</code>`]]} />`}
    </div>`}
  </div>`;
}

const SAMPLE = `{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "vnetName": { "type": "string", "defaultValue": "vnet1" }
  },
  "resources": [
    {
      "type": "Microsoft.Network/virtualNetworks",
      "apiVersion": "2024-05-01",
      "name": "[parameters('vnetName')]",
      "location": "[resourceGroup().location]",
      "properties": {
        "addressSpace": { "addressPrefixes": ["10.0.0.0/16"] },
        "subnets": [{ "name": "default", "properties": { "addressPrefix": "10.0.0.0/24" } }]
      }
    }
  ],
  "outputs": {
    "vnetId": { "type": "string", "value": "[resourceId('Microsoft.Network/virtualNetworks', parameters('vnetName'))]" }
  }
}`;

/** Whether a template is for a subscription deployment, as the portal reads it: from its
 * `$schema` (`subscriptionDeploymentTemplate.json`), the file a Bicep `targetScope =
 * 'subscription'` compiles to. Anything else, unparsable text included, goes to a group. */
export function subscriptionScoped(text) {
  try {
    return /subscriptionDeploymentTemplate\.json/i.test(JSON.parse(text).$schema || '');
  } catch {
    return false;
  }
}

export function DeployTemplate({ ctx }) {
  const groups = useLoad(() => list(`/subscriptions/${ctx.sub}/resourcegroups`), [ctx.sub]);
  const regions = useLoad(() => list(`/subscriptions/${ctx.sub}/locations`), [ctx.sub]);
  const [group, setGroup] = useState('');
  const [region, setRegion] = useState('eastus');
  const [name, setName] = useState(`Microsoft.Template-${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`);
  const [template, setTemplate] = useState(SAMPLE);
  const [parameters, setParameters] = useState('{}');
  const [error, setError] = useState(null);
  const rg = group || groups.data?.[0]?.name || '';
  const atSubscription = subscriptionScoped(template);
  const deploy = async () => {
    setError(null);
    let t;
    let p;
    try {
      t = JSON.parse(template);
      p = JSON.parse(parameters || '{}');
    } catch (e) {
      setError(new Error(`The template or the parameters are not valid JSON: ${e.message}`));
      return;
    }
    // Accept a parameters file ({"parameters": {...}}) as well as the bare object.
    if (p && p.parameters && typeof p.parameters === 'object' && !p.parameters.value) p = p.parameters;
    const scope = atSubscription ? `/subscriptions/${ctx.sub}` : `/subscriptions/${ctx.sub}/resourceGroups/${rg}`;
    const id = `${scope}/${DEPLOYMENTS}/${encodeURIComponent(name)}`;
    // A subscription deployment has a location of its own (where its record is kept).
    const body = { ...(atSubscription ? { location: region } : {}), properties: { mode: 'Incremental', template: t, parameters: p } };
    try {
      // The PUT answers at once (the template is checked first); the run is followed by
      // the notification and by the deployment's blade.
      const first = put(id, body);
      const done = track(`Deployment '${name}'`, () => first, `Deployment '${name}' succeeded.`);
      await Promise.race([done, new Promise((r) => setTimeout(r, 300))]);
      location.hash = `#/resource${id}`;
      await done;
    } catch (e) { setError(e); }
  };
  return html`<div>
    <${Header} crumbs=${[['Deployments', '#/browse/deployments']]} title="Custom deployment" subtitle="Deploy a custom template" />
    <div class="form">
      <${ErrorBox} error=${groups.error} />
      ${atSubscription ? html`
        <div class="note" role="note">This template deploys to the subscription (its <code>$schema</code> is a subscription deployment template's).</div>
        <${Field} label="Region" hint="(where the deployment's data is kept)" id="dep-region"><select id="dep-region" value=${region} onChange=${(e) => setRegion(e.target.value)}>
          ${(regions.data || [{ name: 'eastus', displayName: 'East US' }]).map((r) => html`<option value=${r.name}>${r.displayName}</option>`)}</select></${Field}>`
      : html`
        ${groups.data && groups.data.length === 0 && html`<div class="note">Create a resource group first: <a href="#/browse/groups">Resource groups</a>.</div>`}
        <${Field} label="Resource group" id="dep-rg"><select id="dep-rg" value=${rg} onChange=${(e) => setGroup(e.target.value)}>
          ${(groups.data || []).map((g) => html`<option value=${g.name}>${g.name}</option>`)}</select></${Field}>`}
      <${Field} label="Deployment name" id="dep-name"><input id="dep-name" type="text" value=${name} onInput=${(e) => setName(e.target.value)} /></${Field}>
      <${Field} label="Template" hint="(JSON)" id="dep-template"><textarea id="dep-template" spellcheck="false" rows="18" value=${template} onInput=${(e) => setTemplate(e.target.value)}></textarea></${Field}>
      <${Field} label="Parameters" hint='(JSON: {"name": {"value": ...}})' id="dep-params"><textarea id="dep-params" spellcheck="false" rows="5" value=${parameters} onInput=${(e) => setParameters(e.target.value)}></textarea></${Field}>
      <${ErrorBox} error=${error} title="The deployment was not started" />
      <div class="actions"><${ActionButton} class="primary" disabled=${!atSubscription && !rg} onClick=${deploy}>Review + create</${ActionButton}>
        <button onClick=${() => history.back()}>Cancel</button></div>
    </div>
  </div>`;
}
