// Sign-in: the OAuth 2.0 authorization-code flow with PKCE against cerulean's own identity
// endpoints, found through the OpenID configuration, as the Azure portal signs in through
// Entra ID. The tokens stay in sessionStorage (this tab only); nothing else is a session.

export const CLIENT_ID = '00000000-0000-0000-0000-0000000000d1';
const AUTHORITY = `${location.origin}/organizations`;
const SCOPE = 'https://management.core.windows.net//.default openid profile offline_access';
const REDIRECT = `${location.origin}/`;
const KEY = 'cerulean.portal.tokens';
const PENDING = 'cerulean.portal.pending';

const b64url = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const random = (n) => b64url(crypto.getRandomValues(new Uint8Array(n)));

let config;
async function openid() {
  if (!config) {
    const r = await fetch(`${AUTHORITY}/v2.0/.well-known/openid-configuration`);
    if (!r.ok) throw new Error(`OpenID configuration: HTTP ${r.status}`);
    config = await r.json();
  }
  return config;
}

/** Sends the browser to the sign-in page; comes back to `/` with a code. */
export async function signIn() {
  const cfg = await openid();
  const verifier = random(32);
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const state = random(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, back: location.hash }));
  const q = new URLSearchParams({
    client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT, scope: SCOPE,
    state, code_challenge: challenge, code_challenge_method: 'S256', response_mode: 'query',
  });
  location.assign(`${cfg.authorization_endpoint}?${q}`);
}

async function tokenRequest(params) {
  const cfg = await openid();
  const r = await fetch(cfg.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, scope: SCOPE, ...params }),
  });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.error_description || body.error || `HTTP ${r.status}`);
  const claims = JSON.parse(atob(body.id_token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  const t = {
    access: body.access_token, refresh: body.refresh_token,
    expires: Date.now() + body.expires_in * 1000,
    user: { name: claims.name, upn: claims.preferred_username, oid: claims.oid, tid: claims.tid },
  };
  sessionStorage.setItem(KEY, JSON.stringify(t));
  return t;
}

/**
 * Finishes a sign-in when the page was opened by the authorize redirect. Returns an error
 * message when the redirect carried one (or the state did not match), else null.
 */
export async function completeSignIn() {
  const q = new URLSearchParams(location.search);
  if (!q.has('code') && !q.has('error')) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', `/${pending?.back || ''}`);
  if (q.has('error')) return `${q.get('error')}: ${q.get('error_description') || ''}`;
  if (!pending || pending.state !== q.get('state')) return 'The sign-in response does not match this tab (state). Sign in again.';
  try {
    await tokenRequest({ grant_type: 'authorization_code', code: q.get('code'), redirect_uri: REDIRECT, code_verifier: pending.verifier });
    return null;
  } catch (e) {
    return e.message;
  }
}

export function session() {
  return JSON.parse(sessionStorage.getItem(KEY) || 'null');
}

/** A valid access token, refreshed a minute before it expires; null when signed out. */
export async function accessToken() {
  const t = session();
  if (!t) return null;
  if (t.expires - Date.now() > 60_000) return t.access;
  try {
    return (await tokenRequest({ grant_type: 'refresh_token', refresh_token: t.refresh })).access;
  } catch {
    sessionStorage.removeItem(KEY);
    return null;
  }
}

export async function signOut() {
  sessionStorage.removeItem(KEY);
  const cfg = await openid();
  location.assign(`${cfg.end_session_endpoint}?${new URLSearchParams({ post_logout_redirect_uri: REDIRECT })}`);
}
