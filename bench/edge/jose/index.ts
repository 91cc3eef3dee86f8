// The comparison for the edge benchmark (bench only, not shipped): what a user
// would otherwise write — a TypeScript Worker verifying bearer tokens with the
// npm `jose` library against the realm's JWKS, with the checks our /auth/verify
// makes: algorithm allow-list (RS256, PS256, ES256, EdDSA), exact issuer,
// audience, exp/nbf with the same 30 s leeway, and an access-token `typ` claim.
//
// Keys: `createRemoteJWKSet` on the JWKS URL, created once per isolate, so jose
// fetches the set once and keeps the parsed set and the imported CryptoKeys in
// isolate memory (its documented caching: 10 min max age, 30 s cool-down for
// unknown kids). Our Worker likewise serves keys from isolate memory (and
// caches its imported CryptoKeys); the JWKS URL is given directly here (our
// Worker reads it from the issuer's discovery, once).
import { createRemoteJWKSet, jwtVerify, errors } from 'jose';

interface Env {
  ISSUER: string;
  JWKS_URL: string;
  AUDIENCE: string;
  /** "1": one JSON log line per request, the fields of our Worker's line (bench variant jose-log). */
  LOG?: string;
}

let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

function unauthorized(code: string): Response {
  return new Response(JSON.stringify({ error: 'invalid_token', detail: code }), {
    status: 401,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'www-authenticate': 'Bearer error="invalid_token"' },
  });
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (env.LOG !== '1') return handle(request, env);
    const started = Date.now();
    const response = await handle(request, env);
    const outcome = response.status === 200 ? 'ok' : ((response.headers.get('www-authenticate') ?? '').match(/error="([^"]+)"/)?.[1] ?? 'error');
    console.log(JSON.stringify({ route: 'verify', method: request.method, realm: 'members', outcome, status: response.status, duration_ms: Date.now() - started }));
    return response;
  },
};

async function handle(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  if (url.pathname !== '/auth/verify') return new Response('not found', { status: 404 });
  const auth = request.headers.get('authorization') ?? '';
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(auth);
  if (!match) return unauthorized('no_token');
  jwks ??= createRemoteJWKSet(new URL(env.JWKS_URL));
  try {
    const { payload } = await jwtVerify(match[1], jwks, {
      issuer: env.ISSUER,
      audience: env.AUDIENCE,
      algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      clockTolerance: 30,
      requiredClaims: ['exp', 'sub'],
    });
    const typ = payload.typ;
    if (typ !== undefined && !(typeof typ === 'string' && /^(bearer|at\+jwt)$/i.test(typ))) return unauthorized('token_type');
    const headers = new Headers({ 'cache-control': 'no-store', 'content-type': 'application/json' });
    headers.set('x-auth-subject', String(payload.sub));
    headers.set('x-auth-realm', 'members');
    if (typeof payload.email === 'string') headers.set('x-auth-email', payload.email);
    if (typeof payload.scope === 'string') headers.set('x-auth-scopes', payload.scope);
    return new Response('{"active":true}', { headers });
  } catch (e) {
    return unauthorized(e instanceof errors.JOSEError ? e.code : 'error');
  }
}
