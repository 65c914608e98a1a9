// Shared pieces of every blade: loading data, tables, the essentials panel, side panes,
// error boxes, links to resources.
import { html, useState, useEffect, useRef, useCallback } from './lib.js';
import { ArmError, describe } from './api.js';

/** Loads data with `fn` whenever `deps` change; `reload()` loads again. */
export function useLoad(fn, deps) {
  const [state, set] = useState({ loading: true, data: null, error: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    set((s) => ({ ...s, loading: true }));
    fn().then(
      (data) => live && set({ loading: false, data, error: null }),
      (error) => live && set({ loading: false, data: null, error }),
    );
    return () => { live = false; };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** The parts of an ARM id, by their fixed words (compared without case). */
export function parseId(id) {
  const parts = (id || '').split('/').filter(Boolean);
  const out = { id, names: [] };
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const k = parts[i].toLowerCase();
    if (k === 'subscriptions') out.subscription = parts[i + 1];
    else if (k === 'resourcegroups') out.group = parts[i + 1];
    else if (k === 'providers') out.provider = parts[i + 1];
    else out.names.push([parts[i], parts[i + 1]]);
  }
  out.type = out.provider ? [out.provider, ...out.names.map(([t]) => t)].join('/') : null;
  out.name = out.names.length ? out.names[out.names.length - 1][1] : out.group;
  return out;
}

export const nameOf = (id) => parseId(id).name;
export const groupOf = (id) => parseId(id).group;

/** The portal's address of a resource's blade. */
export const href = (id, tab) => `#/resource${id}${tab ? `?tab=${tab}` : ''}`;

export function ResourceLink({ id, tab, children }) {
  if (!id) return html`<span class="subtitle">—</span>`;
  return html`<a href=${href(id, tab)}>${children || nameOf(id)}</a>`;
}

export function ErrorBox({ error, title }) {
  if (!error) return null;
  if (error instanceof ArmError) {
    return html`<div class="error" role="alert">
      ${title && html`<strong>${title}</strong><br/>`}
      ${error.reasons.map((r) => html`<div><code>${r.code}</code>: ${r.message}</div>`)}
    </div>`;
  }
  return html`<div class="error" role="alert">${title && html`<strong>${title}</strong><br/>`}${describe(error)}</div>`;
}

export function Loading({ what }) {
  return html`<div class="loading" aria-live="polite">Loading${what ? ` ${what}` : ''}…</div>`;
}

export function Header({ crumbs = [], title, subtitle }) {
  useEffect(() => { document.title = `${title} · cerulean`; }, [title]);
  return html`<div>
    <nav class="crumbs" aria-label="Breadcrumb">
      <a href="#/">Home</a>${crumbs.map(([label, link]) => html` > ${link ? html`<a href=${link}>${label}</a>` : label}`)}
    </nav>
    <div class="title"><h1>${title}</h1>${subtitle && html`<span class="subtitle">${subtitle}</span>`}</div>
  </div>`;
}

/** A table; `columns` are [heading, row => cell]. */
export function Table({ columns, rows, empty = 'Nothing here yet.', label }) {
  return html`<div class="table-wrap"><table aria-label=${label}>
    <thead><tr>${columns.map(([h]) => html`<th scope="col">${h}</th>`)}</tr></thead>
    <tbody>
      ${rows.length === 0
        ? html`<tr><td class="empty" colspan=${columns.length}>${empty}</td></tr>`
        : rows.map((r) => html`<tr>${columns.map(([, cell]) => html`<td>${cell(r)}</td>`)}</tr>`)}
    </tbody>
  </table></div>`;
}

export function Essentials({ items }) {
  return html`<dl class="essentials">
    ${items.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v ?? '—'}</dd></div>`)}
  </dl>`;
}

/** A side pane (Azure's context blade): Escape or the close button closes it. */
export function Pane({ title, onClose, children }) {
  const ref = useRef();
  useEffect(() => {
    const opener = document.activeElement;
    const key = (e) => { if (e.key === 'Escape') onClose(); };
    document.addEventListener('keydown', key);
    const first = ref.current?.querySelector('select, input, textarea, button.primary');
    first?.focus();
    return () => {
      document.removeEventListener('keydown', key);
      // Keyboard users land back on the button that opened the pane.
      if (opener && document.contains(opener)) opener.focus();
    };
  }, []);
  return html`<div>
    <div class="scrim" onClick=${onClose}></div>
    <section class="pane" role="dialog" aria-modal="true" aria-label=${title} ref=${ref}>
      <header><h2>${title}</h2><button class="close" aria-label="Close" onClick=${onClose}>×</button></header>
      <div class="pane-body">${children}</div>
    </section>
  </div>`;
}

/** A blade with its own menu: `sections` are [heading|null, [[tab, label], ...]]. */
export function BladeMenu({ id, tab, sections }) {
  return html`<nav class="blade-menu" aria-label="Blade menu">
    ${sections.map(([heading, items]) => html`
      ${heading && html`<div class="section">${heading}</div>`}
      ${items.map(([t, label]) => html`<a href=${href(id, t)} class=${tab === t ? 'active' : ''} aria-current=${tab === t ? 'page' : undefined}>${label}</a>`)}
    `)}
  </nav>`;
}

/** A button that runs an async action, disabled while it runs. */
export function ActionButton({ onClick, children, disabled, title, class: cls, ...rest }) {
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try { await onClick(); } catch { /* shown by the notification */ } finally { setBusy(false); }
  };
  return html`<button type="button" class=${cls} disabled=${disabled || busy} title=${title} onClick=${run} ...${rest}>${children}</button>`;
}

export function Field({ label, hint, children, id }) {
  return html`<div><label for=${id}>${label}${hint && html` <span class="hint">${hint}</span>`}</label>${children}</div>`;
}

/** Power state and provisioning state, read from a VM's instance view. */
export function vmStatus(vm) {
  const st = vm?.properties?.instanceView?.statuses || [];
  const power = st.find((s) => s.code?.startsWith('PowerState/'));
  return { code: power?.code?.split('/')[1] || 'unknown', label: power?.displayStatus || vm?.properties?.provisioningState || 'Unknown' };
}

export function StatusPill({ vm }) {
  const s = vmStatus(vm);
  const cls = s.code === 'running' ? 'ok' : s.code === 'deallocated' ? '' : 'warn';
  return html`<span class="pill ${cls}">${s.label}</span>`;
}

/** A service's coloured mark (menu, tiles). */
export function Mark({ s }) {
  return html`<span class="mark" style=${{ background: s.color }} aria-hidden="true">${s.mark}</span>`;
}
