// "Access control (IAM)" of a scope: its role assignments (here and inherited from above),
// adding one (a role, built-in or custom, and a principal's object id) and removing one.
import { html, useState } from '../lib.js';
import { list, put, del, track } from '../api.js';
import { useLoad, ErrorBox, Loading, Table, Pane, Field, ActionButton } from '../ui.js';

const AUTHZ = 'providers/Microsoft.Authorization';

export function AccessControl({ scope }) {
  const data = useLoad(async () => {
    const [assignments, roles] = await Promise.all([
      list(`${scope}/${AUTHZ}/roleAssignments?$filter=atScope()`),
      list(`${scope}/${AUTHZ}/roleDefinitions`),
    ]);
    return { assignments, roles };
  }, [scope]);
  const [adding, setAdding] = useState(false);
  if (!data.data) return html`<div><${ErrorBox} error=${data.error} />${!data.error && html`<${Loading} />`}</div>`;
  const { assignments, roles } = data.data;
  const roleName = (id) => roles.find((r) => r.id.toLowerCase().endsWith(`/${id.split('/').pop().toLowerCase()}`))?.properties.roleName || id.split('/').pop();
  const here = (a) => a.properties.scope.toLowerCase() === scope.toLowerCase();
  const remove = (a) => track(`Removing the ${roleName(a.properties.roleDefinitionId)} assignment`, () => del(a.id),
    'Role assignment removed.').then(data.reload);
  return html`<div>
    <div class="toolbar" role="toolbar">
      <button onClick=${() => setAdding(true)}>+ Add role assignment</button>
      <button onClick=${data.reload}>Refresh</button>
    </div>
    <${ErrorBox} error=${data.error} />
    <${Table} label="Role assignments" rows=${assignments} empty="No role assignments at this scope or above it." columns=${[
      ['Role', (a) => html`<span class="wrap">${roleName(a.properties.roleDefinitionId)}</span>`],
      ['Principal', (a) => html`<code>${a.properties.principalId}</code><div class="subtitle">${a.properties.principalType}</div>`],
      ['Scope', (a) => html`<span class="wrap">${here(a) ? 'This resource' : `${a.properties.scope} (Inherited)`}</span>`],
      ['', (a) => here(a) && html`<${ActionButton} aria-label=${`Remove ${roleName(a.properties.roleDefinitionId)} from ${a.properties.principalId}`}
        onClick=${() => remove(a)}>Remove</${ActionButton}>`]]} />
    <h2>Roles</h2>
    <${Table} label="Roles" rows=${roles} columns=${[
      ['Name', (r) => r.properties.roleName], ['Type', (r) => r.properties.type],
      ['Description', (r) => html`<span class="wrap">${r.properties.description}</span>`]]} />
    ${adding && html`<${AddAssignment} scope=${scope} roles=${roles} onClose=${() => setAdding(false)} onDone=${data.reload} />`}
  </div>`;
}

function AddAssignment({ scope, roles, onClose, onDone }) {
  const [role, setRole] = useState(roles.find((r) => r.properties.roleName === 'Reader')?.id || roles[0]?.id || '');
  const [principal, setPrincipal] = useState('');
  const [kind, setKind] = useState('User');
  const [error, setError] = useState(null);
  const save = async () => {
    setError(null);
    const id = `${scope}/${AUTHZ}/roleAssignments/${crypto.randomUUID()}`;
    const body = { properties: { roleDefinitionId: role, principalId: principal.trim(), principalType: kind } };
    try {
      await track('Adding a role assignment', () => put(id, body), 'Role assignment added.');
      onDone();
      onClose();
    } catch (e) { setError(e); }
  };
  return html`<${Pane} title="Add role assignment" onClose=${onClose}>
    <${Field} label="Role" id="ra-role"><select id="ra-role" value=${role} onChange=${(e) => setRole(e.target.value)}>
      ${roles.map((r) => html`<option value=${r.id}>${r.properties.roleName}</option>`)}</select></${Field}>
    <${Field} label="Principal object ID" id="ra-principal"><input id="ra-principal" type="text" value=${principal}
      placeholder="00000000-0000-0000-0000-000000000000" onInput=${(e) => setPrincipal(e.target.value)} /></${Field}>
    <${Field} label="Principal type" id="ra-type"><select id="ra-type" value=${kind} onChange=${(e) => setKind(e.target.value)}>
      ${['User', 'ServicePrincipal', 'Group'].map((t) => html`<option value=${t}>${t}</option>`)}</select></${Field}>
    <${ErrorBox} error=${error} title="The role assignment was not added" />
    <div class="actions"><${ActionButton} class="primary" disabled=${!role || !principal.trim()} onClick=${save}>Review + assign</${ActionButton}>
      <button onClick=${onClose}>Cancel</button></div>
  </${Pane}>`;
}
