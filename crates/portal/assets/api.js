// Every action of the portal is an ordinary ARM request made with the signed-in user's
// token, through the same rules as the SDKs and az. Long-running operations are polled the
// way the SDKs poll them (Azure-AsyncOperation, else Location).
import { accessToken, signIn } from './auth.js';

/** api-versions the portal speaks, per provider (cerulean accepts any well-formed one). */
const VERSIONS = {
  'microsoft.network': '2024-05-01',
  'microsoft.compute': '2024-07-01',
  'microsoft.resources': '2024-11-01',
};
const DEFAULT_VERSION = '2022-12-01';

function versionFor(path) {
  const m = /\/providers\/([^/]+)/i.exec(path);
  if (m) return VERSIONS[m[1].toLowerCase()] || DEFAULT_VERSION;
  if (/\/resourcegroups\//i.test(path) || /\/resources(\?|$)/i.test(path)) return VERSIONS['microsoft.resources'];
  return DEFAULT_VERSION;
}

/** An ARM error: Azure's code and message, as the portal shows them. */
export class ArmError extends Error {
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details || [];
  }
  /** The innermost useful errors (a failed deployment nests its resources' errors). */
  get reasons() {
    const out = [];
    const walk = (e) => {
      if (e.details && e.details.length) e.details.forEach(walk);
      else out.push(e);
    };
    walk({ code: this.code, message: this.message, details: this.details });
    return out;
  }
}

function withVersion(path) {
  if (/[?&]api-version=/.test(path)) return path;
  return `${path}${path.includes('?') ? '&' : '?'}api-version=${versionFor(path)}`;
}

async function send(method, url, body) {
  const token = await accessToken();
  if (!token) {
    await signIn();
    throw new ArmError(401, 'SignInRequired', 'Signing in again.');
  }
  const r = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = { raw: text }; }
  if (!r.ok) {
    const e = json?.error || {};
    throw new ArmError(r.status, e.code || `HTTP${r.status}`, e.message || text || r.statusText, e.details);
  }
  return { status: r.status, headers: r.headers, body: json };
}

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

/**
 * One ARM request. PUT/POST/DELETE that answer with polling headers are followed to the
 * end; the final body is returned (the resource, or an action's result).
 */
export async function arm(method, path, body) {
  const first = await send(method, withVersion(path), body);
  const async = first.headers.get('azure-asyncoperation');
  const loc = first.headers.get('location');
  if (method === 'GET' || (!async && !(first.status === 202 && loc))) return first.body;
  if (async) {
    for (;;) {
      const s = (await send('GET', async)).body;
      if (s.status === 'Succeeded') break;
      if (s.status === 'Failed' || s.status === 'Canceled') {
        const e = s.error || {};
        throw new ArmError(200, e.code || s.status, e.message || `The operation ${s.status.toLowerCase()}.`, e.details);
      }
      await sleep(1000);
    }
  }
  if (method === 'PUT' || method === 'PATCH') return (await send('GET', withVersion(path))).body;
  if (loc) {
    for (;;) {
      const r = await send('GET', loc);
      if (r.status !== 202) return r.body;
      await sleep(1000);
    }
  }
  return first.body;
}

export const get = (path) => arm('GET', path);
export const put = (path, body) => arm('PUT', path, body);
export const post = (path, body) => arm('POST', path, body ?? {});
export const del = (path) => arm('DELETE', path);

/** Every page of a list. */
export async function list(path) {
  let out = [];
  let page = await get(path);
  out = out.concat(page?.value || []);
  while (page?.nextLink) {
    page = (await send('GET', page.nextLink)).body;
    out = out.concat(page?.value || []);
  }
  return out;
}

// ---- notifications ------------------------------------------------------------------------

let notes = [];
let seq = 0;
const listeners = new Set();
export function onNotifications(fn) {
  listeners.add(fn);
  fn(notes);
  return () => listeners.delete(fn);
}
function publish() {
  for (const fn of listeners) fn(notes);
}
function upsert(n) {
  notes = [n, ...notes.filter((x) => x.id !== n.id)].slice(0, 50);
  publish();
}
export function dismiss(id) {
  notes = notes.map((n) => (n.id === id ? { ...n, toast: false } : n));
  publish();
}
export function clearNotifications() {
  notes = [];
  publish();
}

/** Describes an error the way Azure's notifications do: code, then message. */
export function describe(e) {
  if (e instanceof ArmError) return e.reasons.map((r) => `${r.code}: ${r.message}`).join('\n');
  return String(e?.message || e);
}

/**
 * Runs `work` (a promise-returning function) as a long-running operation with a
 * notification that starts "in progress" and ends succeeded or failed with Azure's error.
 * Rethrows the error so a form can show it beside itself too.
 */
export async function track(title, work, done) {
  const id = ++seq;
  upsert({ id, title, state: 'running', text: 'In progress…', at: new Date(), toast: true });
  try {
    const result = await work();
    upsert({ id, title, state: 'succeeded', text: done || 'Succeeded.', at: new Date(), toast: true });
    setTimeout(() => dismiss(id), 4000);
    return result;
  } catch (e) {
    upsert({ id, title, state: 'failed', text: describe(e), at: new Date(), toast: true, error: e });
    throw e;
  }
}

/** A failure outside an operation (a blade that could not load). */
export function notifyError(title, e) {
  const id = ++seq;
  upsert({ id, title, state: 'failed', text: describe(e), at: new Date(), toast: true, error: e });
}
