// Conformance of the embedded realm issuer (issue #5) with an independent relying
// party: openid-client v6 runs discovery, authorization code + PKCE (the login form
// fetched, its CSRF token parsed, the form posted, the redirect followed by hand),
// refresh with rotation, userinfo, revocation and end-session; then the negative cases.
//
// Builds the server itself (`cargo build -p realmgate-server`, quick when up to date),
// starts `realmgate-server serve` on a free port with a temp SQLite database, creates
// a realm, clients (clients file), an API key (CLI) and an identity (admin API).
// Run alone: node --test tests/e2e/issuer.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import * as client from 'openid-client';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TARGET = process.env.CARGO_TARGET_DIR || join(ROOT, 'target');
const BIN = join(TARGET, 'debug', 'realmgate-server');
const REALM = 'demo';
const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery staple';
const EDGE_SECRET = 'edge-secret-0123456789abcdef';
const SVC_SECRET = 'svc-secret-0123456789abcdef';
const EXCHANGE_SECRET = 'exchange-secret-0123456789abcdef';
const CALLBACK = 'http://127.0.0.1:8787/auth/callback';
const AFTER_LOGOUT = 'http://127.0.0.1:8787/';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startServer(extraArgs = []) {
  const dir = mkdtempSync(join(tmpdir(), 'realmgate-issuer-'));
  const db = `sqlite:${join(dir, 'rg.db')}`;
  const clients = {
    [REALM]: {
      edge: { secret: EDGE_SECRET, redirect_uris: [CALLBACK], post_logout_redirect_uris: [AFTER_LOGOUT] },
      'edge-post': { secret: EDGE_SECRET, redirect_uris: [CALLBACK] },
      svc: { secret: SVC_SECRET, redirect_uris: [], grants: ['client_credentials'], scopes: ['realmgate:admin.read', 'realmgate:admin.write'] },
      trusted: { secret: EXCHANGE_SECRET, redirect_uris: [], grants: ['refresh_token'], token_exchange_allowed: true },
    },
  };
  const clientsFile = join(dir, 'clients.json');
  writeFileSync(clientsFile, JSON.stringify(clients));
  const env = { ...process.env, DATABASE_URL: db, REALMGATE_LOG_FORMAT: 'text', RUST_LOG: 'warn' };
  execFileSync(BIN, ['migrate', '--realm', REALM], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const apiKey = execFileSync(BIN, ['api-key', 'create', '--realm', REALM, '--scope', 'write'], { env }).toString().trim();
  const port = await freePort();
  const proc = spawn(BIN, ['serve', '--listen', `127.0.0.1:${port}`, '--clients', clientsFile, ...extraArgs], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch { /* not up yet */ }
    if (i > 200 || proc.exitCode !== null) throw new Error(`server did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const admin = (method, path, body) => fetch(`${base}/admin/v1/realms/${REALM}${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  const created = await admin('POST', '/identities', { email: EMAIL, language: 'en', first_name: 'Ada', last_name: 'Lovelace' });
  assert.equal(created.status, 201);
  const identityId = (await created.json()).id;
  assert.equal((await admin('PUT', `/identities/${identityId}/credentials`, { email: EMAIL, password: PASSWORD })).status, 200);
  const stop = () => new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once('exit', resolve);
    proc.kill('SIGTERM');
  }).then(() => rmSync(dir, { recursive: true, force: true }));
  return { base, issuer: `${base}/realms/${REALM}`, admin, identityId, stop };
}

let srv;
let expiring; // a second server whose codes live 1 s

before(async () => {
  execFileSync('cargo', ['build', '-q', '-p', 'realmgate-server'], { cwd: ROOT, stdio: 'inherit' });
  srv = await startServer();
  expiring = await startServer(['--code-ttl-secs', '1']);
}, { timeout: 900_000 });

after(async () => {
  await Promise.all([srv?.stop(), expiring?.stop()]);
});

async function rp(s, clientId = 'edge', auth = client.ClientSecretBasic(EDGE_SECRET)) {
  return client.discovery(new URL(s.issuer), clientId, undefined, auth, { execute: [client.allowInsecureRequests] });
}

function cookiesOf(res) {
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).filter((c) => !c.endsWith('='));
}

function hiddenFields(html) {
  const fields = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[m[1]] = m[2].replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
  }
  return fields;
}

/** Starts a login at `url`, fills the form, returns the callback URL and the session cookie. */
async function login(url, { email = EMAIL, password = PASSWORD } = {}) {
  const page = await fetch(url, { redirect: 'manual' });
  assert.equal(page.status, 200, 'login page');
  const csrfCookie = cookiesOf(page);
  const fields = hiddenFields(await page.text());
  assert.ok(fields.csrf, 'the form carries a CSRF token');
  const form = new URLSearchParams({ ...fields, email, password });
  const action = new URL('auth', url); // the form's relative action
  const res = await fetch(action, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie.join('; ') },
    body: form,
  });
  return { res, location: res.headers.get('location'), cookies: cookiesOf(res) };
}

async function authorize(config, extra = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

async function loginAndExchange(s, config) {
  const a = await authorize(config);
  const { location, cookies } = await login(a.url);
  assert.ok(location?.startsWith(CALLBACK), `redirected to the callback: ${location}`);
  const tokens = await client.authorizationCodeGrant(config, new URL(location), { pkceCodeVerifier: a.verifier, expectedState: a.state, expectedNonce: a.nonce });
  return { tokens, cookies, location, a };
}

async function errorOf(promise) {
  try {
    await promise;
  } catch (e) {
    // A 401 with WWW-Authenticate (RFC 6749 §5.2 for Basic client auth) surfaces as a
    // challenge error; its body still holds the OAuth error code.
    if (e.code === 'OAUTH_WWW_AUTHENTICATE_CHALLENGE' && e.response) {
      assert.equal(e.status, 401);
      return (await e.response.json()).error;
    }
    return e.error ?? e.code ?? e.message;
  }
  assert.fail('expected an error');
}

test('discovery: issuer, Keycloak endpoints, S256 only, RFC 9207 iss', async () => {
  const config = await rp(srv);
  const m = config.serverMetadata();
  assert.equal(m.issuer, srv.issuer);
  assert.equal(m.token_endpoint, `${srv.issuer}/protocol/openid-connect/token`);
  assert.equal(m.end_session_endpoint, `${srv.issuer}/protocol/openid-connect/logout`);
  assert.equal(m.revocation_endpoint, `${srv.issuer}/protocol/openid-connect/revoke`);
  assert.deepEqual(m.code_challenge_methods_supported, ['S256']);
  assert.equal(m.authorization_response_iss_parameter_supported, true);
});

test('authorization code + PKCE with the login form, userinfo, refresh rotation, revocation', async () => {
  const config = await rp(srv);
  const { tokens, location } = await loginAndExchange(srv, config);
  assert.equal(new URL(location).searchParams.get('iss'), srv.issuer);
  const claims = tokens.claims();
  assert.equal(claims.sub, srv.identityId);
  assert.equal(claims.email, EMAIL);
  assert.equal(claims.typ, 'ID');
  assert.ok(claims.sid);
  const access = JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url'));
  assert.equal(access.typ, 'Bearer');
  assert.equal(access.azp, 'edge');
  assert.equal(access.sid, claims.sid);
  assert.match(access.scope, /email/);

  const info = await client.fetchUserInfo(config, tokens.access_token, srv.identityId);
  assert.equal(info.email, EMAIL);
  assert.equal(info.given_name, 'Ada');

  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token, 'the refresh token rotates');
  assert.equal(refreshed.claims().sub, srv.identityId);
  const again = await client.refreshTokenGrant(config, refreshed.refresh_token);

  await client.tokenRevocation(config, again.refresh_token);
  assert.equal(await errorOf(client.refreshTokenGrant(config, again.refresh_token)), 'invalid_grant');
  await assert.rejects(client.fetchUserInfo(config, again.access_token, srv.identityId), 'userinfo refuses a revoked session');
});

test('client_secret_post works too; a live session skips the form; prompt=none', async () => {
  const config = await rp(srv, 'edge-post', client.ClientSecretPost(EDGE_SECRET));
  const { cookies } = await loginAndExchange(srv, config);
  const session = cookies.find((c) => c.startsWith('RG_SESSION='));
  assert.ok(session, 'a session cookie is set');
  const a = await authorize(config, { prompt: 'none' });
  const res = await fetch(a.url, { redirect: 'manual', headers: { cookie: session } });
  assert.equal(res.status, 302);
  const tokens = await client.authorizationCodeGrant(config, new URL(res.headers.get('location')), { pkceCodeVerifier: a.verifier, expectedState: a.state, expectedNonce: a.nonce });
  assert.equal(tokens.claims().sub, srv.identityId);
  const b = await authorize(config, { prompt: 'none' });
  const anon = await fetch(b.url, { redirect: 'manual' });
  const back = new URL(anon.headers.get('location'));
  assert.equal(back.searchParams.get('error'), 'login_required');
  assert.equal(back.searchParams.get('state'), b.state);
});

test('end-session with id_token_hint ends the session and returns to the registered URI', async () => {
  const config = await rp(srv);
  const { tokens, cookies } = await loginAndExchange(srv, config);
  const session = cookies.find((c) => c.startsWith('RG_SESSION='));
  const url = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token, post_logout_redirect_uri: AFTER_LOGOUT, state: 'bye' });
  const res = await fetch(url, { redirect: 'manual', headers: { cookie: session } });
  assert.equal(res.status, 302);
  assert.equal(res.headers.get('location'), `${AFTER_LOGOUT}?state=bye`);
  assert.equal(await errorOf(client.refreshTokenGrant(config, tokens.refresh_token)), 'invalid_grant');
  const a = await authorize(config, { prompt: 'none' });
  const after = await fetch(a.url, { redirect: 'manual', headers: { cookie: session } });
  assert.equal(new URL(after.headers.get('location')).searchParams.get('error'), 'login_required');
  const bad = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token, post_logout_redirect_uri: 'http://127.0.0.1:9/evil' });
  const refused = await fetch(bad, { redirect: 'manual' });
  assert.equal(refused.status, 400, 'an unregistered post_logout_redirect_uri is a page, not a redirect');
});

test('wrong password: same message as an unknown email, no redirect', async () => {
  const config = await rp(srv);
  const a = await authorize(config);
  const wrong = await login(a.url, { password: 'not the password' });
  const unknown = await login(a.url, { email: 'nobody@example.com' });
  assert.equal(wrong.res.status, 401);
  assert.equal(unknown.res.status, 401);
  const text = (html) => html.match(/<p class="error"[^>]*>([^<]*)</)?.[1];
  assert.equal(text(await wrong.res.text()), text(await unknown.res.text()));
});

test('negative: wrong verifier, reused code (revokes what it issued), wrong redirect_uri', async () => {
  const config = await rp(srv);
  let a = await authorize(config);
  let { location } = await login(a.url);
  const other = client.randomPKCECodeVerifier();
  assert.equal(await errorOf(client.authorizationCodeGrant(config, new URL(location), { pkceCodeVerifier: other, expectedState: a.state, expectedNonce: a.nonce })), 'invalid_grant');

  a = await authorize(config);
  ({ location } = await login(a.url));
  const first = await client.authorizationCodeGrant(config, new URL(location), { pkceCodeVerifier: a.verifier, expectedState: a.state, expectedNonce: a.nonce });
  assert.equal(await errorOf(client.authorizationCodeGrant(config, new URL(location), { pkceCodeVerifier: a.verifier, expectedState: a.state, expectedNonce: a.nonce })), 'invalid_grant');
  assert.equal(await errorOf(client.refreshTokenGrant(config, first.refresh_token)), 'invalid_grant', 'the reused code revoked its tokens');

  a = await authorize(config);
  ({ location } = await login(a.url));
  const code = new URL(location).searchParams.get('code');
  const res = await fetch(config.serverMetadata().token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`edge:${EDGE_SECRET}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: `${CALLBACK}/other`, code_verifier: a.verifier }),
  });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error, 'invalid_grant');
});

test('negative: refresh-token reuse revokes the whole session', async () => {
  const config = await rp(srv);
  const { tokens } = await loginAndExchange(srv, config);
  const next = await client.refreshTokenGrant(config, tokens.refresh_token);
  assert.equal(await errorOf(client.refreshTokenGrant(config, tokens.refresh_token)), 'invalid_grant');
  assert.equal(await errorOf(client.refreshTokenGrant(config, next.refresh_token)), 'invalid_grant', 'the newest token died with the session');
});

test('negative: plain PKCE and no PKCE are refused with a redirect error', async () => {
  const config = await rp(srv);
  for (const extra of [{ code_challenge_method: 'plain' }, { code_challenge_method: '', code_challenge: '' }]) {
    const a = await authorize(config, extra);
    const url = new URL(a.url);
    for (const [k, v] of Object.entries(extra)) if (v === '') url.searchParams.delete(k);
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const back = new URL(res.headers.get('location'));
    assert.equal(back.searchParams.get('error'), 'invalid_request');
    assert.equal(back.searchParams.get('state'), a.state);
    assert.equal(back.searchParams.get('iss'), srv.issuer);
  }
});

test('negative: unknown client and unregistered redirect_uri get an error page, never a redirect', async () => {
  const config = await rp(srv);
  const a = await authorize(config);
  const unknown = new URL(a.url);
  unknown.searchParams.set('client_id', 'nobody');
  let res = await fetch(unknown, { redirect: 'manual' });
  assert.equal(res.status, 400);
  assert.match(res.headers.get('content-type'), /text\/html/);
  const elsewhere = new URL(a.url);
  elsewhere.searchParams.set('redirect_uri', 'https://evil.example/cb');
  res = await fetch(elsewhere, { redirect: 'manual' });
  assert.equal(res.status, 400);
  assert.equal(res.headers.get('location'), null);
  const stranger = await rp(srv, 'nobody', client.ClientSecretBasic('whatever-secret'));
  assert.equal(await errorOf(client.clientCredentialsGrant(stranger)), 'invalid_client');
});

test('negative: bad client secret', async () => {
  const config = await rp(srv, 'edge', client.ClientSecretBasic('not-the-secret'));
  const good = await rp(srv);
  const a = await authorize(good);
  const { location } = await login(a.url);
  assert.equal(await errorOf(client.authorizationCodeGrant(config, new URL(location), { pkceCodeVerifier: a.verifier, expectedState: a.state, expectedNonce: a.nonce })), 'invalid_client');
});

test('negative: an expired code (server with --code-ttl-secs 1)', async () => {
  const config = await rp(expiring);
  const a = await authorize(config);
  const { location } = await login(a.url);
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(await errorOf(client.authorizationCodeGrant(config, new URL(location), { pkceCodeVerifier: a.verifier, expectedState: a.state, expectedNonce: a.nonce })), 'invalid_grant');
});

test('client credentials: a service account token the admin API accepts for its realm', async () => {
  const config = await rp(srv, 'svc', client.ClientSecretBasic(SVC_SECRET));
  const t = await client.clientCredentialsGrant(config, { scope: 'realmgate:admin.read' });
  const res = await fetch(`${srv.base}/admin/v1/realms/${REALM}/identities/${srv.identityId}`, { headers: { authorization: `Bearer ${t.access_token}` } });
  assert.equal(res.status, 200);
  const write = await fetch(`${srv.base}/admin/v1/realms/${REALM}/identities/${srv.identityId}/names`, {
    method: 'PATCH', headers: { authorization: `Bearer ${t.access_token}`, 'content-type': 'application/json' }, body: '{"first_name":"Ada"}',
  });
  assert.equal(write.status, 403, 'a read scope cannot write');
  assert.equal(await errorOf(client.clientCredentialsGrant(config, { scope: 'openid realmgate:admin.super' })), 'invalid_scope');
});

test('token exchange: a trusted client gets refreshable tokens for a user by email; logout-all ends them', async () => {
  const config = await rp(srv, 'trusted', client.ClientSecretBasic(EXCHANGE_SECRET));
  const t = await client.genericGrantRequest(config, 'urn:ietf:params:oauth:grant-type:token-exchange', { requested_subject: EMAIL, scope: 'openid email' });
  const access = JSON.parse(Buffer.from(t.access_token.split('.')[1], 'base64url'));
  assert.equal(access.sub, srv.identityId);
  assert.equal(access.azp, 'trusted');
  const refreshed = await client.refreshTokenGrant(config, t.refresh_token);
  const edge = await rp(srv, 'edge');
  assert.equal(await errorOf(client.genericGrantRequest(edge, 'urn:ietf:params:oauth:grant-type:token-exchange', { requested_subject: EMAIL })), 'unauthorized_client');
  const out = await srv.admin('POST', `/identities/${srv.identityId}/logout-all`);
  assert.equal(out.status, 200);
  assert.ok((await out.json()).sessions_revoked >= 1);
  assert.equal(await errorOf(client.refreshTokenGrant(config, refreshed.refresh_token)), 'invalid_grant');
});
