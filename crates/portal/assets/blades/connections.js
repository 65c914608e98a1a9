// A resource's private endpoint connections (Azure's Networking > Private endpoint
// connections): the endpoints that asked to connect, their state, and the owner's Approve,
// Reject and Remove on the selected ones. A rejected connection cannot be approved again.
import { html, useState } from '../lib.js';
import { put, del, track } from '../api.js';
import { ErrorBox, Pane, ActionButton, ResourceLink, Table, Field } from '../ui.js';

const stateOf = (c) => c.properties?.privateLinkServiceConnectionState || {};

/** `resource` is the resource's GET (its `properties.privateEndpointConnections`). */
export function EndpointConnections({ resource, onChanged }) {
  const rows = resource.properties?.privateEndpointConnections || [];
  const [picked, setPicked] = useState([]);
  const [acting, setActing] = useState(null);
  const selected = rows.filter((c) => picked.includes(c.id));
  const toggle = (id, on) => setPicked((p) => (on ? [...p, id] : p.filter((x) => x !== id)));
  const can = {
    Approved: selected.length > 0 && selected.every((c) => stateOf(c).status === 'Pending'),
    Rejected: selected.length > 0 && selected.every((c) => ['Pending', 'Approved'].includes(stateOf(c).status)),
  };
  const done = () => { setPicked([]); setActing(null); onChanged(); };
  return html`<section aria-label="Private endpoint connections">
    <h2>Private endpoint connections</h2>
    <div class="toolbar" role="toolbar">
      <button disabled=${!can.Approved} title=${can.Approved ? undefined : 'Select pending connections'} onClick=${() => setActing('Approved')}>Approve</button>
      <button disabled=${!can.Rejected} title=${can.Rejected ? undefined : 'Select pending or approved connections'} onClick=${() => setActing('Rejected')}>Reject</button>
      <button disabled=${selected.length === 0} onClick=${() => setActing('Remove')}>Remove</button>
      <button onClick=${onChanged}>Refresh</button>
    </div>
    <${Table} label="Private endpoint connections" rows=${rows}
      empty="No private endpoint connects to this resource." columns=${[
      ['', (c) => html`<input type="checkbox" aria-label=${`Select ${c.name}`} checked=${picked.includes(c.id)}
        onChange=${(e) => toggle(c.id, e.target.checked)} />`],
      ['Connection name', (c) => c.name],
      ['Connection state', (c) => stateOf(c).status || '—'],
      ['Private endpoint', (c) => html`<${ResourceLink} id=${c.properties?.privateEndpoint?.id} />`],
      ['Description', (c) => stateOf(c).description || '—']]} />
    ${acting === 'Remove'
      ? html`<${RemoveConnections} connections=${selected} onClose=${() => setActing(null)} onDone=${done} />`
      : acting && html`<${Decide} status=${acting} connections=${selected} onClose=${() => setActing(null)} onDone=${done} />`}
  </section>`;
}

/** Approves or rejects the selected connections with one description. */
function Decide({ status, connections, onClose, onDone }) {
  const verb = status === 'Approved' ? 'Approve' : 'Reject';
  const [description, setDescription] = useState('');
  const [error, setError] = useState(null);
  const ok = async () => {
    setError(null);
    try {
      for (const c of connections) {
        await track(`${verb.replace(/e$/, '')}ing connection '${c.name}'`, () => put(c.id, {
          properties: { privateLinkServiceConnectionState: { status, description } },
        }), `${status} connection '${c.name}'.`);
      }
      onDone();
    } catch (e) { setError(e); }
  };
  return html`<${Pane} title=${`${verb} connection`} onClose=${onClose}>
    <p>${verb} ${connections.length === 1 ? `the connection '${connections[0].name}'` : `${connections.length} connections`}?
      ${status === 'Rejected' && ' A rejected connection cannot be approved later: its endpoint must be created again.'}</p>
    <${Field} label="Description" id="decide-description"><textarea id="decide-description" value=${description}
      onInput=${(e) => setDescription(e.target.value)}></textarea></${Field}>
    <${ErrorBox} error=${error} />
    <div class="actions"><${ActionButton} class="primary" onClick=${ok}>Yes</${ActionButton}><button onClick=${onClose}>No</button></div>
  </${Pane}>`;
}

/** Removes the selected connections: their endpoints are left disconnected. */
function RemoveConnections({ connections, onClose, onDone }) {
  const [error, setError] = useState(null);
  const ok = async () => {
    setError(null);
    try {
      for (const c of connections) {
        await track(`Removing connection '${c.name}'`, () => del(c.id), `Removed connection '${c.name}'.`);
      }
      onDone();
    } catch (e) { setError(e); }
  };
  return html`<${Pane} title="Remove connection" onClose=${onClose}>
    <p>Remove ${connections.length === 1 ? `the connection '${connections[0].name}'` : `${connections.length} connections`}?
      Its private endpoint stays, disconnected.</p>
    <${ErrorBox} error=${error} />
    <div class="actions"><${ActionButton} class="primary" onClick=${ok}>Yes</${ActionButton}><button onClick=${onClose}>No</button></div>
  </${Pane}>`;
}
