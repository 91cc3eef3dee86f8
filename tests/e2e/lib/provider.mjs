// An independent OpenID provider for the end-to-end tests: the npm
// `oidc-provider`, mounted at a Keycloak-shaped issuer
// `http://127.0.0.1:PORT/realms/members`, with a confidential client
// (client_secret_basic) that must use PKCE S256, refresh tokens (rotated),
// revocation, RP-initiated logout, JWT access tokens (ES256) for the API
// resource, RS256 ID tokens, and one test account.
import http from 'node:http';
import { generateKeyPair, exportJWK } from 'jose';
import Provider from 'oidc-provider';

export const CLIENT_ID = 'realmgate-edge';
export const CLIENT_SECRET = 'e2e-client-secret-9f2c1a7d';
export const API_AUDIENCE = 'urn:realmgate:api';
export const ACCOUNT = { login: 'alice', sub: 'alice', email: 'alice@example.com' };

async function signingKeys() {
  const out = [];
  for (const [alg, kid] of [['RS256', 'rs-1'], ['ES256', 'es-1']]) {
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    out.push({ ...(await exportJWK(privateKey)), kid, alg, use: 'sig' });
  }
  return out;
}

export async function startProvider({ port, redirectUri, postLogoutRedirectUri }) {
  const base = `http://127.0.0.1:${port}`;
  const mount = '/realms/members';
  const issuer = `${base}${mount}`;
  const jwks = { keys: await signingKeys() };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [redirectUri],
        post_logout_redirect_uris: postLogoutRedirectUri ? [postLogoutRedirectUri] : [],
        id_token_signed_response_alg: 'RS256',
      },
    ],
    jwks,
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'api:read'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // The one test account (the dev login form's "login" is the account id).
    findAccount: async (ctx, id) => id !== ACCOUNT.sub ? undefined : ({
      accountId: ACCOUNT.sub,
      claims: async () => ({ sub: ACCOUNT.sub, email: ACCOUNT.email, email_verified: true, name: 'Alice' }),
    }),
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    extraTokenClaims: async (ctx, token) => (token.kind === 'AccessToken' ? { email: ACCOUNT.email } : undefined),
    ttl: { AccessToken: 300, IdToken: 300, RefreshToken: 3600, Interaction: 600, Session: 3600, Grant: 3600 },
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'api:read',
          audience: API_AUDIENCE,
          accessTokenTTL: 300,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
  });
  provider.on('server_error', (ctx, err) => console.error('provider server_error', err));
  const callback = provider.callback();
  const faulty = faultyRealm(base);
  const counters = { jwks: 0 };
  const server = http.createServer((req, res) => {
    if (req.url.split('?')[0] === `${mount}/jwks`) counters.jwks += 1;
    if (req.url.startsWith('/realms/faulty/')) return faulty.handle(req, res);
    if (req.url === mount || req.url.startsWith(`${mount}/`)) {
      req.originalUrl = req.url;
      req.url = req.url.slice(mount.length) || '/';
      return callback(req, res);
    }
    res.statusCode = 404;
    res.end('not found');
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    issuer,
    base,
    jwks,
    provider,
    faulty,
    counters,
    privateJwk: (kid) => jwks.keys.find((k) => k.kid === kid),
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve); }),
  };
}

// A second realm on the same host whose token endpoint misbehaves on demand
// (`faulty.mode`): 'status500', 'malformed', 'hang', 'bad_id_token'.
function faultyRealm(base) {
  const issuer = `${base}/realms/faulty`;
  const p = `${issuer}/protocol/openid-connect`;
  const state = { mode: 'status500', issuer, handle };
  function handle(req, res) {
    const path = req.url.split('?')[0];
    const json = (status, body) => { res.statusCode = status; res.setHeader('content-type', 'application/json'); res.end(typeof body === 'string' ? body : JSON.stringify(body)); };
    if (path === '/realms/faulty/.well-known/openid-configuration') {
      return json(200, { issuer, authorization_endpoint: `${p}/auth`, token_endpoint: `${p}/token`, jwks_uri: `${p}/certs`, code_challenge_methods_supported: ['S256'] });
    }
    if (path === '/realms/faulty/protocol/openid-connect/certs') return json(200, { keys: [] });
    if (path === '/realms/faulty/protocol/openid-connect/token') {
      switch (state.mode) {
        case 'status500': return json(500, '<html>upstream secret stack trace</html>');
        case 'malformed': return json(200, '{"access_token": "abc", "token_type": ');
        case 'hang': return; // never answers
        case 'bad_id_token': return json(200, { access_token: 'at', token_type: 'Bearer', expires_in: 60, id_token: 'eyJhbGciOiJFUzI1NiIsImtpZCI6Im5vcGUifQ.eyJzdWIiOiJ4In0.c2ln' });
        default: return json(400, { error: 'invalid_grant' });
      }
    }
    res.statusCode = 404;
    res.end();
  }
  return state;
}
