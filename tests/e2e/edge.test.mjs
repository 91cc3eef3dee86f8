// End-to-end suite for the edge Worker (issue #3): the built Worker runs in
// real workerd (`wrangler dev`, local KV) against an independent OpenID
// provider (npm `oidc-provider`) and a tiny origin; the login is driven as a
// browser does (cookie jar, redirects, the provider's login and consent
// forms), and once by real headless Chromium.
//
// Run by scripts/e2e-edge.sh (which builds the Worker first).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { SignJWT, importJWK, generateKeyPair } from 'jose';

import { Browser } from './lib/browser.mjs';
import { startProvider, CLIENT_ID, CLIENT_SECRET, API_AUDIENCE, ACCOUNT } from './lib/provider.mjs';
import { startWorker, freePort, repoRoot } from './lib/worker.mjs';
import { startOrigin } from './lib/origin.mjs';

const ACCESS = '__Host-rg_at';
const REFRESH = '__Host-rg_rt';
const ID = '__Host-rg_id';
const STATE = '__Host-rg_state';
const VERBOSE = process.env.E2E_VERBOSE === '1';

let provider;
let worker;
let origin;
let persistDir;
const W = (p) => `${worker.url}${p}`;

/** The shared vectors: required (a CI without them must fail, not skip). */
function returnPathVectors() {
  const file = path.join(repoRoot(), '../shared/vectors/return-path-public.json');
  assert.ok(fs.existsSync(file), `${file} is missing: the shared vectors must be present next to the repository`);
  return JSON.parse(fs.readFileSync(file, 'utf8')).cases;
}

/** Logs in through the provider's forms; returns the browser and the final response. */
async function login({ returnTo = '/app/home', browser = new Browser() } = {}) {
  const q = new URLSearchParams({ realm: 'members', return_to: returnTo });
  const loginPage = await browser.follow(W(`/auth/login?${q}`));
  assert.equal(loginPage.status, 200, `provider login page expected, got ${loginPage.status} at ${loginPage.url}`);
  const consentPage = await browser.submitForm(loginPage, { login: ACCOUNT.login, password: 'any-password' });
  let final = consentPage;
  if (/name="prompt" value="consent"/.test(consentPage.text)) final = await browser.submitForm(consentPage);
  if (VERBOSE) for (const h of [...loginPage.hops, ...consentPage.hops, ...final.hops]) console.log(`[hop] ${h.status} ${h.url} -> ${h.location ?? ''} ${h.status >= 400 ? h.text.slice(0, 300) : ''}`);
  return { browser, final };
}

/** Starts a login and walks the provider up to (not into) the callback. */
async function callbackUrlFor(browser, returnTo = '/after') {
  const q = new URLSearchParams({ realm: 'members', return_to: returnTo });
  const stop = (u) => u.startsWith(W('/auth/callback'));
  const page = await browser.follow(W(`/auth/login?${q}`), {}, { stop });
  if (page.stoppedAt) return page.stoppedAt; // provider session already exists
  const next = await browser.submitForm(page, { login: ACCOUNT.login, password: 'x' }, { stop });
  if (next.stoppedAt) return next.stoppedAt;
  const done = await browser.submitForm(next, {}, { stop });
  assert.ok(done.stoppedAt, `expected a redirect to the callback, got ${done.status} at ${done.url}`);
  return done.stoppedAt;
}

/** Starts a login only; returns the state from the authorize URL. */
async function startFlow(browser, returnTo) {
  const q = new URLSearchParams({ realm: 'members' });
  if (returnTo !== undefined) q.set('return_to', returnTo);
  const res = await browser.request(W(`/auth/login?${q}`));
  assert.equal(res.status, 302);
  return new URL(res.location).searchParams.get('state');
}

function flowKey(state) {
  return `flow:${crypto.createHash('sha256').update(state).digest('base64url')}`;
}

async function mint(claims, { kid = 'es-1', alg = 'ES256', key } = {}) {
  const signingKey = key ?? (await importJWK(provider.privateJwk(kid), alg));
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: provider.issuer, sub: ACCOUNT.sub, aud: API_AUDIENCE, iat: now, exp: now + 300, scope: 'api:read', email: ACCOUNT.email, ...claims })
    .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
    .sign(signingKey);
}

async function verifyWith(token) {
  const res = await fetch(W('/auth/verify'), { headers: { authorization: `Bearer ${token}` } });
  await res.text();
  return res;
}

describe('edge Worker in workerd against oidc-provider', () => {
  before(async () => {
    const [pPort, wPort, oPort] = [await freePort(), await freePort(), await freePort()];
    const workerUrl = `http://127.0.0.1:${wPort}`;
    origin = await startOrigin(oPort);
    provider = await startProvider({ port: pPort, redirectUri: `${workerUrl}/auth/callback`, postLogoutRedirectUri: `${workerUrl}/` });
    persistDir = fs.mkdtempSync(path.join(os.tmpdir(), 'realmgate-e2e-'));
    const policy = {
      issuer_base_url: provider.base,
      allow_insecure_loopback: true,
      leeway_seconds: 5,
      realms: {
        members: { client_id: CLIENT_ID, audiences: [API_AUDIENCE], scopes: ['openid', 'email', 'profile', 'offline_access', 'api:read'] },
        faulty: { client_id: 'faulty-client' },
      },
    };
    worker = await startWorker({
      port: wPort,
      persistDir,
      log: VERBOSE ? (l) => console.log(`[wrangler] ${l}`) : () => {},
      vars: {
        REALMGATE_POLICY: JSON.stringify(policy),
        CLIENT_SECRET_MEMBERS: CLIENT_SECRET,
        PUBLIC_ORIGIN: workerUrl,
        GATEWAY_PREFIXES: '/app/',
        GATEWAY_ORIGIN: origin.url,
        GATEWAY_REALM: 'members',
        POST_LOGOUT_REDIRECT_URI: `${workerUrl}/`,
        FLOW_TTL_SECONDS: '120',
        UPSTREAM_TIMEOUT_MS: '1500',
      },
    });
  });

  after(async () => {
    await worker?.stop();
    await provider?.close();
    await origin?.close();
    if (persistDir) fs.rmSync(persistDir, { recursive: true, force: true });
  });

  describe('login, session, verify, refresh, logout', () => {
    let browser;
    let final;

    it('logs in through the provider forms and lands on the return path with session cookies', async () => {
      ({ browser, final } = await login({ returnTo: '/app/home?tab=1' }));
      const callbackHop = final.hops.find((h) => h.url.startsWith(W('/auth/callback')));
      assert.ok(callbackHop, 'the provider redirected to the callback');
      assert.equal(callbackHop.status, 302);
      assert.equal(callbackHop.location, '/app/home?tab=1');
      const setCookies = callbackHop.headers.getSetCookie();
      for (const name of [ACCESS, REFRESH, ID]) {
        const c = setCookies.find((s) => s.startsWith(`${name}=`) || s.startsWith(`${name}.0=`));
        assert.ok(c, `${name} set`);
        assert.match(c, /HttpOnly/);
        assert.match(c, /Secure/);
        assert.match(c, /SameSite=Lax/);
      }
      assert.ok(setCookies.some((s) => s.startsWith(`${STATE}=;`) && /Max-Age=0/.test(s)), 'state cookie cleared');
      assert.equal(final.status, 200, 'the gateway forwarded the return path to the origin');
      const echoed = JSON.parse(final.text);
      assert.equal(echoed.url, '/app/home?tab=1');
      assert.equal(echoed.headers['x-auth-subject'], ACCOUNT.sub);
      assert.doesNotMatch(echoed.headers.cookie ?? '', /__Host-rg_/, 'session cookies stay at the edge');
    });

    it('GET /auth/session answers who is signed in', async () => {
      const res = await browser.request(W('/auth/session'));
      assert.equal(res.status, 200);
      const body = JSON.parse(res.text);
      assert.equal(body.realm, 'members');
      assert.equal(body.subject, ACCOUNT.sub);
      assert.equal(body.email, ACCOUNT.email);
      assert.ok(body.expires_at > Date.now() / 1000);
      assert.equal((await new Browser().request(W('/auth/session'))).status, 401);
    });

    it('GET /auth/verify accepts the session cookie and the bearer token, with identity headers', async () => {
      const viaCookie = await browser.request(W('/auth/verify'));
      assert.equal(viaCookie.status, 200);
      assert.equal(viaCookie.headers.get('x-auth-subject'), ACCOUNT.sub);
      assert.equal(viaCookie.headers.get('x-auth-realm'), 'members');
      assert.equal(viaCookie.headers.get('x-auth-email'), ACCOUNT.email);
      assert.match(viaCookie.headers.get('x-auth-scopes'), /api:read/);
      const token = browser.jar.getJoined(ACCESS, worker.url);
      const viaBearer = await verifyWith(token);
      assert.equal(viaBearer.status, 200);
      assert.equal(viaBearer.headers.get('x-auth-subject'), ACCOUNT.sub);
    });

    it('POST /auth/refresh refuses cross-site requests', async () => {
      const evil = await browser.request(W('/auth/refresh'), { method: 'POST', headers: { origin: 'https://evil.example' } });
      assert.equal(evil.status, 403);
      const site = await browser.request(W('/auth/refresh'), { method: 'POST', headers: { 'sec-fetch-site': 'cross-site' } });
      assert.equal(site.status, 403);
      assert.equal((await browser.request(W('/auth/refresh'))).status, 405, 'GET is not allowed');
    });

    it('POST /auth/refresh rotates the tokens', async () => {
      const before = { at: browser.jar.getJoined(ACCESS, worker.url), rt: browser.jar.getJoined(REFRESH, worker.url) };
      const res = await browser.request(W('/auth/refresh'), { method: 'POST', headers: { origin: worker.url, 'sec-fetch-site': 'same-origin' } });
      assert.equal(res.status, 200, res.text);
      const body = JSON.parse(res.text);
      assert.ok(body.expires_at > Date.now() / 1000);
      const afterAt = browser.jar.getJoined(ACCESS, worker.url);
      const afterRt = browser.jar.getJoined(REFRESH, worker.url);
      assert.notEqual(afterAt, before.at, 'new access token');
      assert.notEqual(afterRt, before.rt, 'rotated refresh token');
      assert.equal((await browser.request(W('/auth/session'))).status, 200);
    });

    it('POST /auth/refresh with an invalid refresh token answers 401 and clears the session', async () => {
      const other = new Browser(browser.jar.clone());
      other.jar.set(`${REFRESH}=not-a-valid-refresh-token; Path=/; Secure; HttpOnly`, worker.url);
      const res = await other.request(W('/auth/refresh'), { method: 'POST' });
      assert.equal(res.status, 401);
      const cleared = res.headers.getSetCookie().filter((c) => /Max-Age=0/.test(c)).map((c) => c.split('=')[0]);
      for (const name of [ACCESS, REFRESH, ID]) assert.ok(cleared.includes(name), `${name} cleared`);
      assert.equal((await new Browser().request(W('/auth/refresh'), { method: 'POST' })).status, 401, 'no refresh cookie');
    });

    it('POST /auth/logout revokes at the provider, clears cookies and returns the end-session URL', async () => {
      const rt = browser.jar.getJoined(REFRESH, worker.url);
      const idToken = browser.jar.getJoined(ID, worker.url);
      const evil = await browser.request(W('/auth/logout'), { method: 'POST', headers: { origin: 'https://evil.example' } });
      assert.equal(evil.status, 403);
      const res = await browser.request(W('/auth/logout'), { method: 'POST', headers: { origin: worker.url } });
      assert.equal(res.status, 200, res.text);
      const body = JSON.parse(res.text);
      assert.equal(body.revoked, true);
      const end = new URL(body.end_session_url);
      assert.equal(`${end.origin}${end.pathname}`, `${provider.issuer}/session/end`);
      assert.equal(end.searchParams.get('id_token_hint'), idToken);
      assert.equal(end.searchParams.get('client_id'), CLIENT_ID);
      for (const name of [ACCESS, REFRESH, ID]) assert.equal(browser.jar.getJoined(name, worker.url), undefined, `${name} cleared`);
      // The old refresh token no longer works at the provider.
      const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
      const direct = await fetch(`${provider.issuer}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: rt }),
      });
      assert.equal(direct.status, 400);
      assert.equal((await direct.json()).error, 'invalid_grant');
      assert.equal((await browser.request(W('/auth/session'))).status, 401);
    });

    it('POST /auth/logout?redirect=1 answers 303 to the end-session URL', async () => {
      const { browser: b } = await login({ returnTo: '/app/again' });
      const res = await b.request(W('/auth/logout?redirect=1'), { method: 'POST', headers: { origin: worker.url } });
      assert.equal(res.status, 303);
      assert.ok(res.location.startsWith(`${provider.issuer}/session/end?id_token_hint=`));
    });
  });

  describe('login start', () => {
    it('an unknown realm is a 400 with a clear message', async () => {
      const res = await new Browser().request(W('/auth/login?realm=nope&return_to=/x'));
      assert.equal(res.status, 400);
      assert.equal(JSON.parse(res.text).error, 'unknown_realm');
      assert.equal(res.headers.getSetCookie().length, 0);
    });

    it('an SSO-domain map in KV adds the IdP hint; the response has the same shape either way', async () => {
      await worker.kv('put', 'sso-domains:members', JSON.stringify({ 'corp.example': 'corp-saml' }));
      const hinted = await new Browser().request(W('/auth/login?realm=members&login_hint=bob@corp.example'));
      const plain = await new Browser().request(W('/auth/login?realm=members&login_hint=bob@other.example'));
      assert.equal(new URL(hinted.location).searchParams.get('kc_idp_hint'), 'corp-saml');
      assert.equal(new URL(plain.location).searchParams.get('kc_idp_hint'), null);
      assert.equal(hinted.status, plain.status);
      assert.deepEqual(hinted.headers.getSetCookie().map((c) => c.replace(/=[^;]*/, '=')), plain.headers.getSetCookie().map((c) => c.replace(/=[^;]*/, '=')));
    });

    it('redirects to the authorize endpoint with PKCE S256 and sets the state cookie', async () => {
      const b = new Browser();
      const res = await b.request(W('/auth/login?realm=members&return_to=/x&login_hint=Alice@Example.com'));
      assert.equal(res.status, 302);
      const auth = new URL(res.location);
      assert.equal(`${auth.origin}${auth.pathname}`, `${provider.issuer}/auth`);
      assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
      assert.equal(auth.searchParams.get('login_hint'), 'alice@example.com');
      const state = res.headers.getSetCookie().find((c) => c.startsWith(`${STATE}=`));
      assert.match(state, /HttpOnly/);
      assert.match(state, /SameSite=Lax/);
      assert.equal(b.jar.get(STATE, worker.url), auth.searchParams.get('state'));
    });
  });

  describe('upstream faults at the code exchange', () => {
    for (const [mode, code] of [['status500', 'token_endpoint_status'], ['malformed', 'token_endpoint_malformed'], ['hang', 'upstream_timeout'], ['bad_id_token', 'unknown_key'], ['refused', 'token_refused']]) {
      it(`${mode}: a clear 502 page that leaks nothing, logged as ${code}`, async () => {
        provider.faulty.mode = mode;
        const b = new Browser();
        const before = worker.logRecords().filter((l) => l.route === 'callback').length;
        const res0 = await b.request(W('/auth/login?realm=faulty&return_to=/f'));
        assert.equal(res0.status, 302);
        const state = new URL(res0.location).searchParams.get('state');
        const res = await b.request(W(`/auth/callback?${new URLSearchParams({ code: 'the-code', state, iss: provider.faulty.issuer })}`));
        assert.equal(res.status, 502);
        assert.match(res.headers.get('content-type'), mode === 'hang' ? /json/ : /html|json/);
        assert.doesNotMatch(res.text, /stack trace|the-code|eyJ/);
        assert.equal(res.headers.getSetCookie().filter((c) => !/Max-Age=0/.test(c)).length, 0, 'no session cookie');
        const log = await worker.waitLog('callback', before + 1);
        assert.equal(log.outcome, code);
        assert.equal(log.realm, 'faulty');
      });
    }
  });

  describe('callback refusals', () => {
    it('a state that does not match the state cookie: 400, nothing set', async () => {
      const b = new Browser();
      const cb = await callbackUrlFor(b);
      b.jar.set(`${STATE}=${'A'.repeat(43)}; Path=/; Secure; HttpOnly`, worker.url);
      const res = await b.request(cb);
      assert.equal(res.status, 400);
      assert.equal(res.headers.getSetCookie().length, 0);
    });

    it('no state cookie: 400, nothing set', async () => {
      const b = new Browser();
      const cb = await callbackUrlFor(b);
      b.jar.delete(STATE, worker.url);
      const res = await b.request(cb);
      assert.equal(res.status, 400);
      assert.equal(res.headers.getSetCookie().length, 0);
    });

    it('a replay after success: 400 (the flow record was consumed)', async () => {
      const b = new Browser();
      const cb = await callbackUrlFor(b, '/after');
      const state = b.jar.get(STATE, worker.url);
      const first = await b.request(cb);
      assert.equal(first.status, 302);
      assert.equal(first.location, '/after');
      b.jar.set(`${STATE}=${state}; Path=/; Secure; HttpOnly`, worker.url);
      const replay = await b.request(cb);
      assert.equal(replay.status, 400);
      assert.equal(replay.headers.getSetCookie().length, 0);
    });

    it('after the flow expired: 400', async () => {
      const b = new Browser();
      const cb = await callbackUrlFor(b, '/late');
      const state = new URL(cb).searchParams.get('state');
      const key = flowKey(state);
      const before = worker.logRecords().filter((l) => l.route === 'callback').length;
      // Age the stored record (the core decides expiry from its expires_at).
      const record = JSON.parse(await worker.kv('get', key));
      record.expires_at = Math.floor(Date.now() / 1000) - 1;
      await worker.kv('put', key, JSON.stringify(record));
      const res = await b.request(cb);
      assert.equal(res.status, 400);
      assert.equal(res.headers.getSetCookie().length, 0);
      const log = await worker.waitLog('callback', before + 1);
      assert.equal(log.outcome, 'flow_expired');
    });

    it('both code and error: 400', async () => {
      const b = new Browser();
      const state = await startFlow(b, '/x');
      const res = await b.request(W(`/auth/callback?code=abc&error=access_denied&state=${state}`));
      assert.equal(res.status, 400);
    });

    it('the error leg returns to the return path with auth_error and consumes the flow', async () => {
      const b = new Browser();
      const state = await startFlow(b, '/orders');
      const q = new URLSearchParams({ error: 'access_denied', error_description: '<script>x</script>', state, iss: provider.issuer });
      const res = await b.request(W(`/auth/callback?${q}`));
      assert.equal(res.status, 302);
      assert.equal(res.location, '/orders?auth_error=access_denied');
      b.jar.set(`${STATE}=${state}; Path=/; Secure; HttpOnly`, worker.url);
      const again = await b.request(W(`/auth/callback?${q}`));
      assert.equal(again.status, 400, 'the error leg consumed the flow');
    });

    it('every refused return_to from the shared vectors lands on the default path', async () => {
      const refused = returnPathVectors().filter((c) => c.expected.accept === false);
      assert.ok(refused.length > 0);
      for (const c of refused) {
        const b = new Browser();
        const state = await startFlow(b, c.input.value);
        const q = new URLSearchParams({ error: 'access_denied', state, iss: provider.issuer });
        const res = await b.request(W(`/auth/callback?${q}`));
        assert.equal(res.status, 302, c.id);
        assert.equal(res.location, '/?auth_error=access_denied', `${c.id}: ${JSON.stringify(c.input.value)}`);
      }
    });
  });

  describe('token verification', () => {
    it('accepts a well-formed token signed by a realm key (RS256 and ES256)', async () => {
      assert.equal((await verifyWith(await mint({}))).status, 200);
      assert.equal((await verifyWith(await mint({}, { kid: 'rs-1', alg: 'RS256' }))).status, 200);
    });

    it('refuses tampered, expired, other-realm, wrong-audience, ID and unknown-key tokens with 401 invalid_token', async () => {
      const verifiesBefore = worker.logRecords().filter((l) => l.route === 'verify').length;
      const good = await mint({});
      const [h, p, s] = good.split('.');
      const payload = JSON.parse(Buffer.from(p, 'base64url'));
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'admin' })).toString('base64url')}.${s}`;
      const now = Math.floor(Date.now() / 1000);
      const stranger = (await generateKeyPair('ES256')).privateKey;
      const cases = {
        tampered,
        expired: await mint({ iat: now - 7200, exp: now - 3600 }),
        other_realm: await mint({ iss: `${provider.base}/realms/other` }),
        wrong_audience: await mint({ aud: 'urn:someone-else' }),
        id_token_audience: await mint({ aud: CLIENT_ID }),
        unknown_key: await mint({}, { kid: 'stranger', key: stranger }),
        garbage: 'not.a.jwt',
      };
      for (const [name, token] of Object.entries(cases)) {
        const res = await verifyWith(token);
        assert.equal(res.status, 401, name);
        assert.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"', name);
      }
      const none = await fetch(W('/auth/verify'));
      assert.equal(none.status, 401);
      assert.equal(none.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
      await worker.waitLog('verify', verifiesBefore + Object.keys(cases).length + 1);
      const outcomes = worker.logRecords().filter((l) => l.route === 'verify').map((l) => l.outcome);
      for (const code of ['signature', 'expired', 'issuer', 'audience', 'unknown_key', 'malformed']) assert.ok(outcomes.includes(code), `logged ${code}`);
    });
  });

  describe('gateway mode', () => {
    it('strips client-sent X-Auth-* headers and adds the verified identity', async () => {
      const token = await mint({});
      const res = await fetch(W('/app/data?x=1'), {
        headers: { authorization: `Bearer ${token}`, 'x-auth-subject': 'admin', 'X-Auth-Realm': 'root', 'x-auth-role': 'superuser', accept: 'application/json' },
      });
      assert.equal(res.status, 200);
      const echoed = await res.json();
      assert.equal(echoed.url, '/app/data?x=1');
      assert.equal(echoed.headers['x-auth-subject'], ACCOUNT.sub);
      assert.equal(echoed.headers['x-auth-realm'], 'members');
      assert.equal(echoed.headers['x-auth-role'], undefined);
    });

    it('an unauthenticated API call gets 401 and never reaches the origin', async () => {
      const seen = origin.seen.length;
      const res = await fetch(W('/app/data'), { headers: { accept: 'application/json', 'x-auth-subject': 'admin' } });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
      assert.equal(origin.seen.length, seen);
    });

    it('an unauthenticated page navigation is redirected to login with return_to', async () => {
      // node:http, not fetch: undici sets Sec-Fetch-Mode: cors on every fetch.
      const res = await new Promise((resolve, reject) => {
        http.get(W('/app/page?y=2'), { headers: { 'sec-fetch-mode': 'navigate', accept: 'text/html' } }, (r) => { r.resume(); resolve(r); }).on('error', reject);
      });
      assert.equal(res.statusCode, 302);
      const loc = new URL(res.headers.location, worker.url);
      assert.equal(loc.pathname, '/auth/login');
      assert.equal(loc.searchParams.get('realm'), 'members');
      assert.equal(loc.searchParams.get('return_to'), '/app/page?y=2');
    });
  });

  describe('headless Chromium', () => {
    it('clicks through the login and ends on the protected page', async () => {
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({
        executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
      try {
        const page = await browser.newPage();
        await page.goto(W('/app/welcome'));
        await page.fill('input[name="login"]', ACCOUNT.login);
        await page.fill('input[name="password"]', 'any-password');
        await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
        if (await page.locator('input[name="prompt"][value="consent"]').count()) {
          await Promise.all([page.waitForURL((u) => u.href.startsWith(W('/app/'))), page.click('button[type="submit"]')]);
        }
        await page.waitForURL(W('/app/welcome'));
        assert.equal(await page.textContent('#who'), `Hello ${ACCOUNT.sub}`);
        const session = await page.evaluate(async () => (await fetch('/auth/session')).json());
        assert.equal(session.subject, ACCOUNT.sub);
      } finally {
        await browser.close();
      }
    });
  });

  describe('faults and logs', () => {
    it('one JSON log line per request, never a token, code or cookie value', async () => {
      const records = worker.logRecords();
      assert.ok(records.length > 20);
      for (const r of records) {
        assert.deepEqual(Object.keys(r).filter((k) => !['route', 'method', 'realm', 'outcome', 'status', 'duration_ms', 'detail'].includes(k)), []);
      }
      assert.equal(records.filter((r) => r.detail === 'webcrypto_fallback').length, 0, 'RS256/ES256 verified by WebCrypto');
      const all = worker.lines.join('\n');
      assert.doesNotMatch(all, /eyJ[A-Za-z0-9_-]{10,}\./, 'no JWT in the logs');
      assert.doesNotMatch(all, new RegExp(CLIENT_SECRET), 'no client secret in the logs');
    });

    it('an unknown kid refetches the JWKS at most once per realm per minute (waits ~61 s once)', async () => {
      // Keys fetched less than a minute ago are not refetched for an unknown kid; wait that out once.
      await new Promise((r) => setTimeout(r, 61_000));
      const stranger = (await generateKeyPair('ES256')).privateKey;
      const before = provider.counters.jwks;
      for (const kid of ['new-1', 'new-2', 'new-3']) {
        assert.equal((await verifyWith(await mint({}, { kid, key: stranger }))).status, 401, kid);
      }
      assert.equal(provider.counters.jwks - before, 1, 'exactly one refetch for three unknown kids');
      assert.equal((await verifyWith(await mint({}))).status, 200, 'known keys still verify');
    });

    it('when the provider is down, cached keys keep verifying and unknown kids are refused', async () => {
      const token = await mint({});
      const { browser: b } = await login({ returnTo: '/app/down' });
      await provider.close();
      // Refresh during an outage: 502, and the session is kept (not an ended session).
      const refresh = await b.request(W('/auth/refresh'), { method: 'POST' });
      assert.equal(refresh.status, 502);
      assert.equal(refresh.headers.getSetCookie().length, 0);
      assert.ok(b.jar.getJoined(REFRESH, worker.url));
      // Logout during an outage: cookies cleared, revocation reported as not done.
      const logout = await b.request(W('/auth/logout'), { method: 'POST' });
      assert.equal(logout.status, 200);
      assert.equal(JSON.parse(logout.text).revoked, false);
      assert.equal(b.jar.getJoined(REFRESH, worker.url), undefined);
      assert.equal((await verifyWith(token)).status, 200);
      const stranger = (await generateKeyPair('ES256')).privateKey;
      const res = await verifyWith(await mint({}, { kid: 'rotated-2', key: stranger }));
      assert.equal(res.status, 401);
      provider = undefined;
    });
  });
});
