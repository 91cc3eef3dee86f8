// The bench realm's issuer, a stand-in for the provider (bench only, not shipped):
// node http serving a Keycloak-shaped issuer `http://127.0.0.1:PORT/realms/members`
// with discovery, a 5-key JWKS (RS256 ×3, ES256, EdDSA), and a minimal
// authorization-code flow without interaction (authorize answers at once with a
// code; the token endpoint checks client_secret_basic, the redirect URI and PKCE
// S256, and returns an RS256 ID token with the flow's nonce). It runs in its own
// process, so its CPU is not counted in the Worker's.
//
//   BENCH_CLIENT_SECRET=S node bench/edge/issuer.mjs --port 9101 --out tokens.json
//
// Writes `out`: { issuer, jwks_uri, tokens: { RS256, ES256, EdDSA } } — access
// tokens (aud urn:realmgate:api, typ Bearer) valid for a day. Prints "ready".
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    out: { type: 'string' },
  },
});
const port = Number(args.port);
const clientSecret = process.env.BENCH_CLIENT_SECRET;
if (!port || !args.out || !clientSecret) {
  console.error('usage: BENCH_CLIENT_SECRET=S issuer.mjs --port P --out FILE');
  process.exit(2);
}

export const CLIENT_ID = 'realmgate-edge';
export const AUDIENCE = 'urn:realmgate:api';
const base = `http://127.0.0.1:${port}`;
const mount = '/realms/members';
const issuer = `${base}${mount}`;

const keys = {};
const publicJwks = [];
for (const [kid, alg] of [['rs-1', 'RS256'], ['es-1', 'ES256'], ['ed-1', 'EdDSA'], ['rs-2', 'RS256'], ['rs-3', 'RS256']]) {
  const { publicKey, privateKey } = await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {});
  keys[kid] = { alg, privateKey };
  publicJwks.push({ ...(await exportJWK(publicKey)), kid, alg, use: 'sig' });
}
const jwksBody = JSON.stringify({ keys: publicJwks });
const discoveryBody = JSON.stringify({
  issuer,
  authorization_endpoint: `${issuer}/protocol/openid-connect/auth`,
  token_endpoint: `${issuer}/protocol/openid-connect/token`,
  jwks_uri: `${issuer}/protocol/openid-connect/certs`,
  authorization_response_iss_parameter_supported: true,
  code_challenge_methods_supported: ['S256'],
  response_types_supported: ['code'],
  id_token_signing_alg_values_supported: ['RS256', 'ES256', 'EdDSA'],
});

const now = () => Math.floor(Date.now() / 1000);
async function sign(kid, claims, ttl) {
  const { alg, privateKey } = keys[kid];
  return new SignJWT(claims)
    .setProtectedHeader({ alg, kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setIssuedAt()
    .setExpirationTime(now() + ttl)
    .sign(privateKey);
}

const accessClaims = { sub: 'bench-user', aud: AUDIENCE, typ: 'Bearer', azp: CLIENT_ID, scope: 'openid email', email: 'bench@example.com' };
const tokens = {
  RS256: await sign('rs-1', accessClaims, 86400),
  ES256: await sign('es-1', accessClaims, 86400),
  EdDSA: await sign('ed-1', accessClaims, 86400),
};
fs.writeFileSync(args.out, JSON.stringify({ issuer, jwks_uri: `${issuer}/protocol/openid-connect/certs`, audience: AUDIENCE, client_id: CLIENT_ID, tokens }), { mode: 0o600 });

// code → { client_id, redirect_uri, challenge, nonce }, single use.
const codes = new Map();
const counters = { discovery: 0, jwks: 0, authorize: 0, token: 0 };
const expectedBasic = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

async function token(req, res, body) {
  const form = new URLSearchParams(body);
  const auth = req.headers.authorization ?? '';
  if (auth.length !== expectedBasic.length || !crypto.timingSafeEqual(Buffer.from(auth), Buffer.from(expectedBasic))) {
    return send(res, 401, { error: 'invalid_client' });
  }
  const flow = codes.get(form.get('code') ?? '');
  codes.delete(form.get('code') ?? '');
  if (form.get('grant_type') !== 'authorization_code' || !flow || flow.redirect_uri !== form.get('redirect_uri')) {
    return send(res, 400, { error: 'invalid_grant' });
  }
  const verifier = form.get('code_verifier') ?? '';
  if (crypto.createHash('sha256').update(verifier).digest('base64url') !== flow.challenge) {
    return send(res, 400, { error: 'invalid_grant', error_description: 'pkce' });
  }
  const idToken = await sign('rs-1', { sub: 'bench-user', aud: CLIENT_ID, azp: CLIENT_ID, nonce: flow.nonce, typ: 'ID', email: 'bench@example.com' }, 300);
  const accessToken = await sign('es-1', accessClaims, 300);
  send(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 300, id_token: idToken, refresh_token: crypto.randomBytes(32).toString('base64url'), refresh_expires_in: 3600, scope: 'openid email' });
}

function authorize(res, url) {
  const q = url.searchParams;
  if (q.get('client_id') !== CLIENT_ID || q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('redirect_uri')) {
    return send(res, 400, { error: 'invalid_request' });
  }
  const code = crypto.randomBytes(24).toString('base64url');
  codes.set(code, { redirect_uri: q.get('redirect_uri'), challenge: q.get('code_challenge'), nonce: q.get('nonce') });
  const to = new URL(q.get('redirect_uri'));
  to.searchParams.set('code', code);
  to.searchParams.set('state', q.get('state') ?? '');
  to.searchParams.set('iss', issuer);
  res.writeHead(302, { location: to.href });
  res.end();
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, base);
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString();
    switch (url.pathname) {
      case `${mount}/.well-known/openid-configuration`:
        counters.discovery += 1;
        return send(res, 200, discoveryBody);
      case `${mount}/protocol/openid-connect/certs`:
        counters.jwks += 1;
        return send(res, 200, jwksBody);
      case `${mount}/protocol/openid-connect/auth`:
        counters.authorize += 1;
        return authorize(res, url);
      case `${mount}/protocol/openid-connect/token`:
        counters.token += 1;
        return token(req, res, body).catch(() => send(res, 500, { error: 'server_error' }));
      case '/__counters':
        return send(res, 200, counters);
      default:
        return send(res, 404, { error: 'not_found' });
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => console.log('ready'));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
