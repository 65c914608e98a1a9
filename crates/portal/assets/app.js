// The portal's shell: sign-in, the top bar (search, notifications, account), the menu, and
// the router that picks a blade from the address (`#/browse/vms`, `#/resource/{ARM id}`).
import { html, render, useState, useEffect, useRef } from './lib.js';
import { completeSignIn, session, signIn, signOut } from './auth.js';
import { list, onNotifications, dismiss, clearNotifications, notifyError } from './api.js';
import { SERVICES, byType, matchServices } from './services.js';
import { parseId, href, ErrorBox, Mark } from './ui.js';
import { Home, ListBlade } from './blades/lists.js';
import { VmBlade } from './blades/vm.js';
import { AvailabilitySetBlade } from './blades/availability-set.js';
import { CreateVm } from './blades/create-vm.js';
import { NicBlade } from './blades/nic.js';
import { VnetBlade, PipBlade, LbBlade, GroupBlade, GenericBlade } from './blades/network.js';
import { DeploymentBlade, DeployTemplate } from './blades/deployments.js';
import { DnsZoneBlade } from './blades/dns.js';
import { EndpointBlade } from './blades/private-endpoint.js';

function useHash() {
  const [hash, set] = useState(location.hash);
  useEffect(() => {
    const on = () => set(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function route(hash, ctx) {
  const [path, query] = hash.replace(/^#/, '').split('?');
  const tab = new URLSearchParams(query || '').get('tab') || undefined;
  if (!path || path === '/') return { key: 'home', view: html`<${Home} ctx=${ctx} />` };
  let m;
  if ((m = /^\/browse\/([a-z]+)$/.exec(path))) return { key: m[1], view: html`<${ListBlade} key=${m[1]} service=${m[1]} ctx=${ctx} />` };
  if (path === '/create/vm') return { key: 'vms', view: html`<${CreateVm} ctx=${ctx} />` };
  if (path === '/create/deployment') return { key: 'deployments', view: html`<${DeployTemplate} ctx=${ctx} />` };
  if (path.startsWith('/resource/')) {
    const id = decodeURIComponent(path.slice('/resource'.length));
    const p = parseId(id);
    const type = (p.type || '').toLowerCase();
    const props = { key: id, id, tab, ctx };
    const svc = byType(p.type);
    const key = svc ? svc.key : p.type ? '' : 'groups';
    switch (type) {
      case 'microsoft.compute/virtualmachines': return { key, view: html`<${VmBlade} ...${props} />` };
      case 'microsoft.compute/availabilitysets': return { key, view: html`<${AvailabilitySetBlade} ...${props} />` };
      case 'microsoft.network/networkinterfaces': return { key, view: html`<${NicBlade} ...${props} />` };
      case 'microsoft.network/virtualnetworks': return { key, view: html`<${VnetBlade} ...${props} />` };
      case 'microsoft.network/publicipaddresses': return { key, view: html`<${PipBlade} ...${props} />` };
      case 'microsoft.network/loadbalancers': return { key, view: html`<${LbBlade} ...${props} />` };
      case 'microsoft.network/privatednszones': return { key, view: html`<${DnsZoneBlade} ...${props} />` };
      case 'microsoft.network/privateendpoints': return { key, view: html`<${EndpointBlade} ...${props} />` };
      case 'microsoft.resources/deployments': return { key, view: html`<${DeploymentBlade} ...${props} />` };
      case '': return { key, view: html`<${GroupBlade} ...${props} />` };
      default: return { key, view: html`<${GenericBlade} ...${props} />` };
    }
  }
  return { key: '', view: html`<div class="error">No page at ${hash}. <a href="#/">Home</a></div>` };
}

/** The box at the top: services by name, resources and groups by name; arrows and Enter. */
function Search({ ctx }) {
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [resources, setResources] = useState(null);
  const input = useRef();
  useEffect(() => {
    const key = (e) => {
      if (e.key === '/' && !/INPUT|TEXTAREA|SELECT/.test(document.activeElement?.tagName)) {
        e.preventDefault();
        input.current?.focus();
      }
    };
    document.addEventListener('keydown', key);
    return () => document.removeEventListener('keydown', key);
  }, []);
  const load = () => {
    Promise.all([list(`/subscriptions/${ctx.sub}/resources`), list(`/subscriptions/${ctx.sub}/resourcegroups`)])
      .then(([r, g]) => setResources([...g, ...r]))
      .catch(() => setResources([]));
  };
  const needle = q.trim().toLowerCase();
  const services = matchServices(q);
  const found = needle && resources ? resources.filter((r) => r.name.toLowerCase().includes(needle)).slice(0, 8) : [];
  const items = [
    ...services.map((s) => ({ link: `#/browse/${s.key}`, label: s.label, kind: 'Service', group: 'Services' })),
    ...found.map((r) => ({ link: href(r.id), label: r.name, kind: r.type ? (byType(r.type)?.label || r.type) : 'Resource group', group: 'Resources' })),
  ];
  const go = (item) => {
    location.hash = item.link;
    setOpen(false);
    setQ('');
    input.current?.blur();
  };
  const onKey = (e) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); setActive((a) => Math.min(a + 1, items.length - 1)); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); setActive((a) => Math.max(a - 1, 0)); }
    else if (e.key === 'Enter' && items[active]) { e.preventDefault(); go(items[active]); }
    else if (e.key === 'Escape') { setOpen(false); input.current?.blur(); }
  };
  let lastGroup = null;
  return html`<div class="search" role="search">
    <label class="sr-only" for="search">Search resources, services and docs</label>
    <input id="search" ref=${input} type="search" placeholder="Search resources" autocomplete="off" value=${q}
      role="combobox" aria-expanded=${open && !!needle} aria-controls="search-results"
      onFocus=${() => { setOpen(true); load(); }}
      onBlur=${() => setTimeout(() => setOpen(false), 150)}
      onInput=${(e) => { setQ(e.target.value); setActive(0); setOpen(true); }}
      onKeyDown=${onKey} />
    ${open && needle && html`<div class="results" id="search-results" role="listbox">
      ${items.length === 0 && html`<div class="none">${resources ? `No results for "${q}".` : 'Searching…'}</div>`}
      ${items.map((it, i) => {
        const head = it.group !== lastGroup ? html`<h4>${it.group}</h4>` : null;
        lastGroup = it.group;
        return html`${head}<a href=${it.link} role="option" aria-selected=${i === active} class=${i === active ? 'active' : ''}
          onMouseDown=${(e) => { e.preventDefault(); go(it); }}><span>${it.label}</span><span class="kind">${it.kind}</span></a>`;
      })}
    </div>`}
  </div>`;
}

function Notifications({ open, onClose }) {
  const [notes, setNotes] = useState([]);
  useEffect(() => onNotifications(setNotes), []);
  const toasts = notes.filter((n) => n.toast).slice(0, 3);
  return html`
    ${open && html`<div class="scrim" onClick=${onClose}></div>
      <section class="pane" role="dialog" aria-label="Notifications">
        <header><h2>Notifications</h2><button class="close" aria-label="Close" onClick=${onClose}>×</button></header>
        <div class="pane-body">
          ${notes.length === 0 ? html`<p class="subtitle">No notifications.</p>` : html`<p><button class="link" onClick=${clearNotifications}>Dismiss all</button></p>`}
          ${notes.map((n) => html`<div class="notification ${n.state}"><strong>${n.title}</strong>
            <div class="pre">${n.text}</div><time>${n.at.toLocaleTimeString()}</time></div>`)}
        </div>
      </section>`}
    <div class="toasts" aria-live="polite">
      ${!open && toasts.map((n) => html`<div class="toast ${n.state}" role=${n.state === 'failed' ? 'alert' : 'status'}>
        <strong>${n.title}</strong><div class="pre clamp">${n.text}</div>
        <button class="link" onClick=${() => dismiss(n.id)}>Dismiss</button></div>`)}
    </div>`;
}

function Shell({ user }) {
  const hash = useHash();
  const [subs, setSubs] = useState(null);
  const [sub, setSub] = useState(null);
  const [error, setError] = useState(null);
  const [menu, setMenu] = useState(false);
  const [bell, setBell] = useState(false);
  const [count, setCount] = useState(0);
  useEffect(() => onNotifications((n) => setCount(n.filter((x) => x.state === 'running').length)), []);
  useEffect(() => {
    list('/subscriptions').then((s) => { setSubs(s); setSub(s[0]?.subscriptionId); }, setError);
  }, []);
  useEffect(() => setMenu(false), [hash]);
  const ctx = { sub, subs, user };
  const { key, view } = sub ? route(hash, ctx) : { key: '', view: null };
  return html`
    <header class="top">
      <button class="menu-toggle" aria-label="Menu" aria-expanded=${menu} onClick=${() => setMenu(!menu)}>☰</button>
      <a class="home" href="#/" aria-label="cerulean home"><span class="brand-mark" aria-hidden="true"></span><span class="brand-text">cerulean</span></a>
      ${sub && html`<${Search} ctx=${ctx} />`}
      <div class="top-actions">
        ${subs && subs.length > 1 && html`<select aria-label="Subscription" value=${sub} onChange=${(e) => setSub(e.target.value)}>
          ${subs.map((s) => html`<option value=${s.subscriptionId}>${s.displayName}</option>`)}</select>`}
        <button aria-label="Notifications" title="Notifications" onClick=${() => setBell(true)}><svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true"><path fill="currentColor" d="M8 1.5a4.5 4.5 0 0 0-4.5 4.5v2.6L2 11v1h12v-1l-1.5-2.4V6A4.5 4.5 0 0 0 8 1.5zM6.2 13a1.9 1.9 0 0 0 3.6 0z"/></svg> ${count > 0 && html`<span class="badge">${count}</span>`}</button>
        <span class="who" title=${user.upn}>${user.name}</span>
        <button onClick=${signOut}>Sign out</button>
      </div>
    </header>
    <div class="shell">
      <nav class="nav ${menu ? 'open' : ''}" aria-label="Services">
        <a href="#/" class=${key === 'home' ? 'active' : ''}><span class="icon">⌂</span>Home</a>
        <div class="section">SERVICES</div>
        ${SERVICES.map((s) => html`<a href="#/browse/${s.key}" class=${key === s.key ? 'active' : ''} aria-current=${key === s.key ? 'page' : undefined}>
          <span class="icon"><${Mark} s=${s} /></span>${s.label}</a>`)}
      </nav>
      <main class="content" id="main">
        <${ErrorBox} error=${error} title="The subscriptions could not be listed" />
        ${view}
      </main>
    </div>
    <${Notifications} open=${bell} onClose=${() => setBell(false)} />`;
}


async function main() {
  const root = document.getElementById('app');
  root.textContent = ''; // the static "Loading" line; Preact renders into an empty node
  const problem = await completeSignIn();
  const s = session();
  if (!s) {
    if (problem) {
      render(html`<main class="signin-card"><h1>Sign-in failed</h1>
        <p class="signin-error" role="alert">${problem}</p><button class="primary wide" onClick=${signIn}>Sign in again</button></main>`, root);
      document.body.classList.add('signin');
      return;
    }
    await signIn();
    return;
  }
  if (problem) notifyError('Sign-in', new Error(problem));
  render(html`<${Shell} user=${s.user} />`, root);
}

main().catch((e) => {
  document.getElementById('app').textContent = `The portal could not start: ${e.message}`;
});

