// The main job end to end (issue #5): `scripts/run.sh` — the README's first command — is
// started as a newcomer would (free ports, a fresh state folder, the debug server build), and
// the whole chain is driven through it:
//
//   1. as a browser does (cookie jar, redirects followed by hand): edge GET /app/ → /auth/login
//      → the embedded issuer's login form → POST email + password + CSRF token → /auth/callback
//      → /app/, where the demo page shows the identity headers the gateway added (client-sent
//      X-Auth-* are not what it shows);
//   2. logout-all through the admin API makes the next POST /auth/refresh fail (401, cookies
//      cleared);
//   3. `realmgate-server keys rotate`: the existing session keeps verifying; a new login, whose
//      tokens are signed by the new key, verifies once the edge refetched the JWKS (at most once
//      per realm per minute: the one fixed wait of this suite);
//   4. headless Chromium (Debian `chromium`) logs in by clicking, once; screenshot in
//      $STATE/main-job.png.
//
// The run.sh process group is stopped at the end (SIGINT, then SIGKILL) and its ports are
// checked free. Run alone: node --test tests/e2e/main-job.test.mjs (builds what is missing;
// scripts/test.sh builds the Worker and the debug server first).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, execSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { CookieJar } from './lib/cookie-jar.mjs';
import { freePort, repoRoot } from './lib/worker.mjs';

const run = promisify(execFile);
const ROOT = repoRoot();
const REALM = 'demo';
const EMAIL = 'demo@example.com';
const ACCESS = '__Host-rg_at';
const REFRESH = '__Host-rg_rt';
const ID = '__Host-rg_id';
const VERBOSE = process.env.E2E_VERBOSE === '1';
// A loaded 2-core machine may have to build the server and the Worker first.
const READY_TIMEOUT_MS = Number(process.env.MAIN_JOB_READY_TIMEOUT_MS || 30 * 60_000);

let job; // { child, lines, pgid }
let state;
let ports;
let password;
let apiKey;
const E = (p) => `http://127.0.0.1:${ports.edge}${p}`;
const S = (p) => `http://127.0.0.1:${ports.server}${p}`;
const ISSUER = () => S(`/realms/${REALM}`);
/** When the edge last had reason to fetch the realm's JWKS (a login's callback verifies the ID token). */
let lastJwksUse = 0;

// ------------------------------------------------------------------ HTTP as a browser does
// node:http rather than fetch: undici overrides Sec-Fetch-Mode (always "cors"), and a page
// navigation is what makes the gateway redirect to the login instead of answering 401.
function request(jar, url, { method = 'GET', headers = {}, body } = {}) {
  const h = { ...headers };
  const cookie = jar.header(url);
  if (cookie) h.cookie = cookie;
  if (body !== undefined) h['content-length'] = Buffer.byteLength(body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: h }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const setCookies = [].concat(res.headers['set-cookie'] ?? []);
        for (const sc of setCookies) jar.set(sc, url);
        const out = { url, status: res.statusCode, headers: res.headers, setCookies, location: res.headers.location, text: Buffer.concat(chunks).toString('utf8') };
        if (VERBOSE) console.log(`[http] ${method} ${url} -> ${out.status} ${out.location ?? ''}`);
        resolve(out);
      });
      res.on('error', reject);
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const NAVIGATE = { 'sec-fetch-mode': 'navigate', 'sec-fetch-site': 'none', accept: 'text/html,application/xhtml+xml' };
const SAME_ORIGIN = () => ({ origin: E(''), 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', accept: 'application/json' });

function unescapeHtml(s) {
  return s.replace(/&(?:quot|#39|#x27|lt|gt|amp|#(\d+));/g, (m, dec) => {
    if (dec) return String.fromCharCode(Number(dec));
    return { '&quot;': '"', '&#39;': "'", '&#x27;': "'", '&lt;': '<', '&gt;': '>', '&amp;': '&' }[m];
  });
}

/** The first form of a page: its absolute action and its inputs' values (entities decoded). */
function parseForm(page) {
  const form = page.text.match(/<form\b([^>]*)>([\s\S]*?)<\/form>/i);
  assert.ok(form, `no form on ${page.url} (status ${page.status}): ${page.text.slice(0, 300)}`);
  const action = unescapeHtml(form[1].match(/action="([^"]*)"/)?.[1] ?? '');
  const fields = {};
  for (const input of form[2].matchAll(/<input\b([^>]*)>/gi)) {
    const name = input[1].match(/name="([^"]*)"/)?.[1];
    if (!name) continue;
    fields[unescapeHtml(name)] = unescapeHtml(input[1].match(/value="([^"]*)"/)?.[1] ?? '');
  }
  return { action: new URL(action || page.url, page.url).href, fields };
}

/** The demo page's identity headers (scripts/demo-origin.mjs: <td data-header="x-auth-…">). */
function shownHeaders(html) {
  const out = {};
  for (const m of html.matchAll(/<td data-header="([^"]+)">([^<]*)<\/td>/g)) out[m[1]] = unescapeHtml(m[2]);
  return out;
}

function jwtHeader(token) {
  assert.ok(token, 'a token');
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
}

/**
 * The whole login from a protected page, hop by hop. Returns the landing page, every hop and
 * the jar (which then holds the edge's session cookies and the issuer's session cookie).
 */
async function browserLogin({ jar = new CookieJar(), page = '/app/', spoof = {} } = {}) {
  const hops = [];
  const step = async (url, opts) => { const r = await request(jar, url, opts); hops.push(r); return r; };

  // 1. The protected page, unauthenticated: a page navigation is sent to the login.
  const first = await step(E(page), { headers: NAVIGATE });
  assert.equal(first.status, 302, `GET ${page} unauthenticated: ${first.status} ${first.text.slice(0, 200)}`);
  const toLogin = new URL(first.location, E(''));
  assert.equal(toLogin.origin, E(''));
  assert.equal(toLogin.pathname, '/auth/login');
  assert.equal(toLogin.searchParams.get('realm'), REALM);
  assert.equal(toLogin.searchParams.get('return_to'), page);

  // 2. The edge's login: a flow (state cookie) and a redirect to the realm's authorization endpoint.
  const login = await step(toLogin.href, { headers: NAVIGATE });
  assert.equal(login.status, 302, `/auth/login: ${login.status} ${login.text.slice(0, 300)}`);
  const authz = new URL(login.location);
  assert.equal(`${authz.origin}${authz.pathname}`, `${ISSUER()}/protocol/openid-connect/auth`);
  assert.equal(authz.searchParams.get('client_id'), 'edge');
  assert.equal(authz.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(authz.searchParams.get('redirect_uri'), E('/auth/callback'));
  assert.ok(jar.names(E('/')).some((n) => n.startsWith('__Host-rg_state')), 'the edge set its state cookie');

  // 3. The issuer's login form (CSRF token in the form and in the RG_CSRF cookie).
  const form = await step(authz.href, { headers: NAVIGATE });
  assert.equal(form.status, 200, `login form: ${form.status} ${form.text.slice(0, 300)}`);
  assert.match(form.text, /id="sign-in"/);
  const { action, fields } = parseForm(form);
  assert.ok(fields.csrf, 'the form carries a CSRF token');
  assert.ok(jar.get('RG_CSRF', action), 'the CSRF cookie is set for the form action');

  // 4. Post the credentials: a redirect to the edge's callback with code, state and iss.
  const posted = await step(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: S(''), 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'navigate' },
    body: new URLSearchParams({ ...fields, email: EMAIL, password }).toString(),
  });
  assert.equal(posted.status, 302, `form post: ${posted.status} ${posted.text.slice(0, 300)}`);
  const callback = new URL(posted.location);
  assert.equal(`${callback.origin}${callback.pathname}`, E('/auth/callback'));
  assert.ok(callback.searchParams.get('code'));
  assert.equal(callback.searchParams.get('state'), authz.searchParams.get('state'));
  assert.equal(callback.searchParams.get('iss'), ISSUER());
  assert.ok(jar.get('RG_SESSION', S(`/realms/${REALM}/`)), 'the issuer opened a session');

  // 5. The callback: code exchange, ID token verified (the edge fetches the JWKS), session cookies.
  const back = await step(callback.href, { headers: { ...NAVIGATE, 'sec-fetch-site': 'cross-site' } });
  lastJwksUse = Date.now();
  assert.equal(back.status, 302, `callback: ${back.status} ${back.text.slice(0, 300)}`);
  assert.equal(new URL(back.location, E('')).href, E(page));
  for (const name of [ACCESS, REFRESH, ID]) assert.ok(jar.getJoined(name, E('/')), `cookie ${name} after the callback`);

  // 6. The protected page again, now through the gateway to the demo origin.
  const landed = await step(E(page), { headers: { ...NAVIGATE, ...spoof } });
  return { jar, hops, landed };
}

async function admin(method, p, body) {
  const res = await fetch(S(`/admin/v1/realms/${REALM}${p}`), {
    method,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
}

async function jwksKids() {
  const res = await fetch(`${ISSUER()}/protocol/openid-connect/certs`);
  assert.equal(res.status, 200);
  return (await res.json()).keys.map((k) => k.kid);
}

function serverBin() {
  return path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target'), 'debug', 'realmgate-server');
}

// ------------------------------------------------------------------ run.sh's lifetime
function portOpen(port) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

function groupAlive(pgid) {
  try { process.kill(-pgid, 0); return true; } catch { return false; }
}

async function waitUntil(pred, ms, every = 200) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await pred()) return true;
    await new Promise((r) => setTimeout(r, every));
  }
  return pred();
}

function startRunSh() {
  const child = spawn(path.join(ROOT, 'scripts/run.sh'), [], {
    cwd: ROOT,
    env: {
      ...process.env,
      REALMGATE_PROFILE: 'debug',
      REALMGATE_STATE: state,
      REALMGATE_PORT: String(ports.server),
      REALMGATE_EDGE_PORT: String(ports.edge),
      DEMO_ORIGIN_PORT: String(ports.origin),
      WRANGLER_SEND_METRICS: 'false',
      CI: '1',
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: stopped as a whole at the end
  });
  const lines = [];
  let ready;
  const readyP = new Promise((resolve, reject) => {
    ready = resolve;
    child.once('exit', (code, sig) => reject(new Error(`scripts/run.sh exited (${code ?? sig}) before "realmgate: ready":\n${lines.slice(-60).join('\n')}`)));
  });
  readyP.catch(() => {});
  const onData = (chunk) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      lines.push(line);
      if (VERBOSE) console.log(`[run.sh] ${line}`);
      if (line.trim() === 'realmgate: ready') ready();
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return { child, lines, pgid: child.pid, ready: readyP };
}

async function stopRunSh() {
  if (!job) return;
  const { child, pgid } = job;
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  try { process.kill(-pgid, 'SIGINT'); } catch {}
  // Ctrl-C: run.sh's trap stops its children; give it (and workerd) time on a loaded machine.
  await waitUntil(() => exited() && !groupAlive(pgid), 30_000, 250);
  if (groupAlive(pgid)) {
    console.error(`run.sh process group ${pgid} still alive 30 s after SIGINT: SIGKILL`);
    try { process.kill(-pgid, 'SIGKILL'); } catch {}
    await waitUntil(() => !groupAlive(pgid), 10_000, 250);
  }
}

// ------------------------------------------------------------------ the suite
describe('the main job (scripts/run.sh) end to end', () => {
  before(async () => {
    ports = { server: await freePort(), edge: await freePort(), origin: await freePort() };
    state = fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-main-job-'));
    job = startRunSh();
    // If this process dies without running `after`, run.sh must not outlive it.
    process.once('exit', () => { try { process.kill(-job.pgid, 'SIGKILL'); } catch {} });
    await Promise.race([
      job.ready,
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no "realmgate: ready" in ${READY_TIMEOUT_MS / 1000} s:\n${job.lines.slice(-60).join('\n')}`)), READY_TIMEOUT_MS).unref()),
    ]);
    password = fs.readFileSync(path.join(state, 'demo-password'), 'utf8').trim();
    apiKey = fs.readFileSync(path.join(state, 'demo-api-key'), 'utf8').trim();
    assert.ok(password.length >= 12, 'a demo password');
    assert.match(apiKey, /^rgk_/);
    const out = job.lines.join('\n');
    assert.ok(out.includes(password), 'run.sh printed the demo password once');
    assert.ok(out.includes(E('/app/')), 'run.sh printed the URL to open');
  }, { timeout: READY_TIMEOUT_MS + 60_000 });

  after(async () => {
    await stopRunSh();
    if (job) {
      assert.equal(groupAlive(job.pgid), false, 'nothing of run.sh is left running');
      for (const [what, port] of Object.entries(ports)) {
        assert.equal(await portOpen(port), false, `${what} port ${port} is closed after the stop`);
      }
      assert.ok(job.lines.some((l) => l.includes('realmgate: stopped')), `run.sh said it stopped:\n${job.lines.slice(-20).join('\n')}`);
      const strays = execSync('ps -eo pid=,args=').toString().split('\n')
        .filter((l) => l.includes(state) || Object.values(ports).some((p) => l.includes(`:${p}`) || l.includes(`--port ${p}`)));
      assert.deepEqual(strays, [], 'no stray server / wrangler / workerd / demo page process');
    }
    if (state) {
      // Keep the logs and the screenshot; drop workerd's local store and wrangler's scratch.
      fs.rmSync(path.join(state, 'wrangler'), { recursive: true, force: true });
      fs.rmSync(path.join(state, 'edge', '.wrangler'), { recursive: true, force: true });
    }
    console.log(`main job state (logs, screenshot): ${state}`);
  }, { timeout: 120_000 });

  let first; // the login of step 1

  it('1. browser chain: /app/ → edge login → issuer form → callback → demo page with the identity headers', { timeout: 300_000 }, async () => {
    const spoof = { 'x-auth-email': 'mallory@example.com', 'x-auth-realm': 'evil', 'x-auth-subject': 'admin', 'x-auth-scopes': 'everything' };
    first = await browserLogin({ spoof });
    const { landed, jar } = first;
    assert.equal(landed.status, 200, `/app/ after login: ${landed.status} ${landed.text.slice(0, 300)}`);
    assert.match(landed.text, /<h1 id="protected">Protected page<\/h1>/);
    const shown = shownHeaders(landed.text);
    assert.equal(shown['x-auth-email'], EMAIL);
    assert.equal(shown['x-auth-realm'], REALM);
    assert.match(shown['x-auth-subject'], /^[0-9a-f-]{36}$/i, 'the subject is the identity id');
    assert.notEqual(shown['x-auth-scopes'], 'everything');
    assert.doesNotMatch(landed.text, /mallory|evil/, 'client-sent X-Auth-* never reach the page');

    // The identity the page shows is the demo identity of the admin API.
    const who = await admin('GET', `/identities/by-email?email=${encodeURIComponent(EMAIL)}`);
    assert.equal(who.status, 200, who.text);
    assert.equal(who.json().id, shown['x-auth-subject']);

    // The edge's own view of the session, and the tokens' issuer and key.
    const session = await request(jar, E('/auth/session'), { headers: { accept: 'application/json' } });
    assert.equal(session.status, 200, session.text);
    const s = JSON.parse(session.text);
    assert.equal(s.realm, REALM);
    assert.equal(s.email, EMAIL);
    const kid = jwtHeader(jar.getJoined(ACCESS, E('/'))).kid;
    assert.ok((await jwksKids()).includes(kid), 'the access token is signed by a published key');
  });

  it('2. logout-all through the admin API makes the next /auth/refresh fail and clears the cookies', { timeout: 120_000 }, async () => {
    const { jar } = first;
    // Refresh works before (rotated cookies).
    const before = jar.getJoined(REFRESH, E('/'));
    const ok = await request(jar, E('/auth/refresh'), { method: 'POST', headers: SAME_ORIGIN() });
    assert.equal(ok.status, 200, `refresh before logout-all: ${ok.status} ${ok.text}`);
    assert.equal(JSON.parse(ok.text).realm, REALM);
    assert.notEqual(jar.getJoined(REFRESH, E('/')), before, 'the refresh token rotated');

    const who = (await admin('GET', `/identities/by-email?email=${encodeURIComponent(EMAIL)}`)).json();
    const out = await admin('POST', `/identities/${who.id}/logout-all`);
    assert.ok(out.status >= 200 && out.status < 300, `logout-all: ${out.status} ${out.text}`);

    const refused = await request(jar, E('/auth/refresh'), { method: 'POST', headers: SAME_ORIGIN() });
    assert.equal(refused.status, 401, `refresh after logout-all: ${refused.status} ${refused.text}`);
    const cleared = refused.setCookies.map((c) => c.split('=')[0]);
    for (const name of [ACCESS, REFRESH, ID]) {
      assert.ok(cleared.some((n) => n === name || n.startsWith(`${name}.`)), `${name} cleared by the 401 (${cleared.join(', ')})`);
      assert.equal(jar.getJoined(name, E('/')), undefined, `${name} gone from the jar`);
    }
    const session = await request(jar, E('/auth/session'), { headers: { accept: 'application/json' } });
    assert.equal(session.status, 401);
    // The issuer's browser session ended too: the next authorization shows the form again.
    const again = await request(jar, E('/app/'), { headers: NAVIGATE });
    assert.equal(again.status, 302);
  });

  it('3. key rotation: the existing session keeps verifying; new tokens verify after the edge refetches the JWKS', { timeout: 300_000 }, async () => {
    // A new session, signed by the current key.
    const old = await browserLogin();
    assert.equal(old.landed.status, 200, old.landed.text.slice(0, 300));
    const oldKid = jwtHeader(old.jar.getJoined(ACCESS, E('/'))).kid;
    const kidsBefore = await jwksKids();
    assert.ok(kidsBefore.includes(oldKid));

    const env = { ...process.env, DATABASE_URL: `sqlite:${path.join(state, 'realmgate.db')}`, REALMGATE_LOG_FORMAT: 'text' };
    const rotated = await run(serverBin(), ['keys', 'rotate', '--realm', REALM], { env, timeout: 120_000 });
    if (VERBOSE) console.log(`[keys rotate] ${rotated.stdout}${rotated.stderr}`);
    const kidsAfter = await jwksKids();
    const added = kidsAfter.filter((k) => !kidsBefore.includes(k));
    assert.equal(added.length, 1, `one new key published at once (before ${kidsBefore}, after ${kidsAfter})`);
    const newKid = added[0];
    assert.ok(kidsAfter.includes(oldKid), 'the old key stays published while its tokens live');

    // The existing session keeps verifying at the edge (its tokens carry the old kid).
    const session = await request(old.jar, E('/auth/session'), { headers: { accept: 'application/json' } });
    assert.equal(session.status, 200, session.text);
    const page = await request(old.jar, E('/app/'), { headers: NAVIGATE });
    assert.equal(page.status, 200);
    assert.equal(shownHeaders(page.text)['x-auth-email'], EMAIL);

    // The edge caches the JWKS (JWKS_TTL_SECONDS 300) and refetches it for an unknown kid at
    // most once per realm per minute: let a minute pass since the last login (the latest moment
    // it can have fetched keys) — the one fixed wait of this suite. A new-kid token verifying
    // below proves the refetch: the keys cached before the rotation do not hold that kid.
    const wait = lastJwksUse + 61_000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));

    const fresh = await browserLogin();
    const freshKid = jwtHeader(fresh.jar.getJoined(ACCESS, E('/'))).kid;
    assert.equal(freshKid, newKid, 'the new login is signed by the new key');
    assert.equal(jwtHeader(fresh.jar.getJoined(ID, E('/'))).kid, newKid);
    assert.equal(fresh.landed.status, 200, `/app/ with a new-key token: ${fresh.landed.status} ${fresh.landed.text.slice(0, 300)}`);
    assert.equal(shownHeaders(fresh.landed.text)['x-auth-email'], EMAIL);
    const freshSession = await request(fresh.jar, E('/auth/session'), { headers: { accept: 'application/json' } });
    assert.equal(freshSession.status, 200, freshSession.text);

    // And the old session, refreshed now, gets new-key tokens that verify too.
    const refreshed = await request(old.jar, E('/auth/refresh'), { method: 'POST', headers: SAME_ORIGIN() });
    assert.equal(refreshed.status, 200, refreshed.text);
    assert.equal(jwtHeader(old.jar.getJoined(ACCESS, E('/'))).kid, newKid);
    const oldAgain = await request(old.jar, E('/app/'), { headers: NAVIGATE });
    assert.equal(oldAgain.status, 200);
  });

  it('4. headless Chromium clicks through the issuer login form and lands on the protected page', { timeout: 300_000 }, async () => {
    const { chromium } = await import('playwright-core');
    const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-chromium-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      timeout: 120_000,
    });
    try {
      context.setDefaultTimeout(60_000);
      context.setDefaultNavigationTimeout(90_000);
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(E('/app/'));
      await page.waitForURL((u) => u.href.startsWith(`${ISSUER()}/protocol/openid-connect/auth`));
      await page.fill('input[name="email"]', EMAIL);
      await page.fill('input[name="password"]', password);
      await Promise.all([page.waitForURL(E('/app/')), page.click('#sign-in')]);
      await page.waitForSelector('#protected');
      assert.equal((await page.textContent('td[data-header="x-auth-email"]')).trim(), EMAIL);
      assert.equal((await page.textContent('td[data-header="x-auth-realm"]')).trim(), REALM);
      const session = await page.evaluate(async () => (await fetch('/auth/session')).json());
      assert.equal(session.email, EMAIL);
      await page.screenshot({ path: path.join(state, 'main-job.png'), fullPage: true });
    } finally {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    }
  });
});
