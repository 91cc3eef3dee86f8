// Where a Worker's CPU goes on /auth/verify: V8's sampling CPU profiler, driven
// over the Chrome DevTools protocol that `wrangler dev --inspector-port` exposes,
// while wrk loads the Worker. Prints, per variant and algorithm, the self time
// per request of the top functions and of each category (our wasm, the
// wasm-bindgen/workers-rs JS glue, jose, V8/workerd built-ins, GC), and saves
// each profile as a .cpuprofile (open it in Chrome DevTools → Performance).
//
//   REALMGATE_EDGE_OUT=build-names REALMGATE_EDGE_KEEP_NAMES=1 scripts/build-edge.sh   # wasm with function names
//   node bench/edge/profile.mjs
//
// Environment: PROFILE_BUNDLE (edge/<dir> for ours, default build-names),
// PROFILE_VARIANTS (default jose,ours; also noop), PROFILE_ALGS (RS256,ES256,EdDSA),
// PROFILE_DURATION (wrk seconds, 6), PROFILE_INTERVAL_US (sampling interval, 100),
// PROFILE_TOP (rows, 25), PROFILE_OURS_VARS (extra --var K:V,K:V for ours, e.g.
// LOG_REQUESTS:errors), PROFILE_JOSE_VARS (likewise for jose, e.g. LOG:1).
// Ports 9102, 9120-9122, inspectors 9170-9172 (bench/edge/run.sh uses others).
//
// The profiler sees the isolate's thread only: JS, wasm, and the V8/workerd
// built-ins they call (WebCrypto's BoringSSL work runs inside `verify` as a
// native call and shows as that built-in, or as "(program)"). HTTP parsing and
// the socket work of workerd outside the isolate are not in it. Sampling adds
// overhead, so compare shares and differences, not absolute figures, with run.sh.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { processes } from './procs.mjs';
import WebSocket from 'ws';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const num = (k, d) => (process.env[k] ? Number(process.env[k]) : d);
const list = (k, d) => (process.env[k] ? process.env[k].split(',').filter(Boolean) : d);
const BUNDLE = process.env.PROFILE_BUNDLE || 'build-names';
const VARIANTS = list('PROFILE_VARIANTS', ['jose', 'ours']);
const ALGS = list('PROFILE_ALGS', ['RS256', 'ES256', 'EdDSA']);
const DURATION = num('PROFILE_DURATION', 6);
const INTERVAL = num('PROFILE_INTERVAL_US', 100);
const TOP = num('PROFILE_TOP', 25);
const PORTS = { issuer: 9102, noop: 9120, jose: 9121, ours: 9122 };
const INSPECTOR = { noop: 9170, jose: 9171, ours: 9172 };

const { work, say, die, cleanup, start, waitHttp } = processes('edge-profile');

function wrk(url, token, seconds) {
  const args = ['-t1', '-c8', `-d${seconds}s`];
  if (token) args.push('-H', `Authorization: Bearer ${token}`);
  args.push(url);
  const out = execFileSync('wrk', args, { encoding: 'utf8' });
  const requests = Number(out.match(/(\d+) requests in/)?.[1]);
  const bad = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  if (!requests) die(`cannot parse wrk output:\n${out}`);
  if (bad > 0) die(`${bad} non-2xx answers from ${url}`);
  return requests;
}

// ------------------------------------------------------------ CDP
async function cdp(port) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  if (!targets.length) die(`no inspector target on ${port}`);
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  let id = 0;
  const pending = new Map();
  ws.on('message', (data) => {
    const m = JSON.parse(data.toString());
    if (m.id && pending.has(m.id)) {
      const { resolve, reject } = pending.get(m.id);
      pending.delete(m.id);
      if (m.error) reject(new Error(`${m.error.message} (${JSON.stringify(m.error)})`));
      else resolve(m.result);
    }
  });
  return {
    send: (method, params = {}) => new Promise((resolve, reject) => {
      const n = ++id;
      pending.set(n, { resolve, reject });
      ws.send(JSON.stringify({ id: n, method, params }));
    }),
    close: () => ws.close(),
  };
}

// ------------------------------------------------------------ profile summary
function category(node) {
  const { functionName: fn, url } = node.callFrame;
  if (fn === '(idle)') return 'idle';
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(program)') return '(program): V8/workerd native outside JS';
  if (url.startsWith('wasm://')) return 'wasm (our Rust)';
  // wrangler bundles each Worker into one index.js: jose's code and the jose Worker,
  // or, for ours, the wasm-bindgen/workers-rs JS glue around the wasm.
  if (!url) return 'built-ins (V8/workerd: crypto.subtle, Headers, Response, URL, …)';
  return 'JS of the Worker bundle (jose + its Worker; ours: wasm-bindgen/workers-rs glue)';
}

/** Sources of the profile's scripts (to label anonymous functions with their code). */
async function sources(session, profile) {
  const ids = new Set(profile.nodes.map((n) => n.callFrame).filter((f) => f.url && !f.url.startsWith('wasm://') && f.scriptId !== '0').map((f) => f.scriptId));
  await session.send('Debugger.enable');
  const out = {};
  for (const id of ids) {
    try { out[id] = (await session.send('Debugger.getScriptSource', { scriptId: id })).scriptSource.split('\n'); } catch {}
  }
  await session.send('Debugger.disable');
  return out;
}

function label(frame, src) {
  const { functionName, url, lineNumber, columnNumber, scriptId } = frame;
  if (!url) return functionName || '(native)';
  if (url.startsWith('wasm://')) return `${functionName}  [wasm]`;
  const code = src[scriptId]?.[lineNumber]?.slice(columnNumber, columnNumber + 48).replace(/\s+/g, ' ');
  return `${functionName || '(anonymous)'}  [${path.basename(url)}:${lineNumber + 1}:${columnNumber + 1}${functionName || !code ? '' : ` "${code}…"`}]`;
}

function summarise(profile, requests, src) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map(); // node id → µs
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i + 1] ?? 0; // the time until the next sample belongs to this one
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  }
  const fns = new Map();
  const cats = new Map();
  let busy = 0;
  for (const [id, us] of self) {
    const n = byId.get(id);
    const cat = category(n);
    if (cat === 'idle') continue;
    busy += us;
    cats.set(cat, (cats.get(cat) ?? 0) + us);
    // A native function without a name is labelled with its caller.
    let k = label(n.callFrame, src);
    if (!n.callFrame.url && !n.callFrame.functionName.startsWith('(') && parent.has(id)) k = `${k} ← ${label(byId.get(parent.get(id)).callFrame, src)}`;
    fns.set(k, (fns.get(k) ?? 0) + us);
  }
  const per = (us) => us / requests;
  return {
    busyPerReq: per(busy),
    cats: [...cats].sort((a, b) => b[1] - a[1]).map(([k, us]) => ({ k, us: per(us), share: us / busy })),
    top: [...fns].sort((a, b) => b[1] - a[1]).slice(0, TOP).map(([k, us]) => ({ k, us: per(us), share: us / busy })),
  };
}

// ------------------------------------------------------------ set-up
say(`work dir ${work}; ours from edge/${BUNDLE}; ${DURATION}s of wrk per profile, sampling every ${INTERVAL} µs`);
const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url');
const tokensFile = path.join(work, 'tokens.json');
const issuer = start('issuer', process.execPath, [path.join(ROOT, 'bench/edge/issuer.mjs'), '--port', String(PORTS.issuer), '--out', tokensFile], ROOT, { BENCH_CLIENT_SECRET: secret });
await waitHttp('issuer', issuer, `http://127.0.0.1:${PORTS.issuer}/__counters`);
const realm = JSON.parse(fs.readFileSync(tokensFile, 'utf8'));

function oursConfig() {
  const main = path.join(ROOT, 'edge', BUNDLE, 'index.js');
  if (!fs.existsSync(main)) die(`${main} is missing (REALMGATE_EDGE_OUT=${BUNDLE} REALMGATE_EDGE_KEEP_NAMES=1 scripts/build-edge.sh)`);
  const dir = path.join(work, 'ours');
  fs.mkdirSync(dir);
  const policy = JSON.stringify({
    issuer_base_url: `http://127.0.0.1:${PORTS.issuer}`,
    allow_insecure_loopback: true,
    leeway_seconds: 30,
    realms: { members: { client_id: realm.client_id, audiences: [realm.audience], scopes: ['openid', 'email'] } },
  });
  fs.writeFileSync(path.join(dir, 'wrangler.toml'), [
    'name = "realmgate-profile-ours"', `main = ${JSON.stringify(main)}`, 'compatibility_date = "2026-05-01"',
    '[[kv_namespaces]]', 'binding = "REALMGATE_KV"', 'id = "00000000000000000000000000000000"',
    '[vars]', `REALMGATE_POLICY = ${JSON.stringify(policy)}`, 'JWKS_TTL_SECONDS = "600"', `CLIENT_SECRET_MEMBERS = "${secret}"`, '',
  ].join('\n'), { mode: 0o600 });
  return { config: path.join(dir, 'wrangler.toml'), cwd: dir };
}
const extra = (k) => list(k, []);
const defs = {
  noop: () => ({ config: path.join(ROOT, 'bench/edge/noop/wrangler.toml'), cwd: path.join(ROOT, 'bench/edge/noop'), vars: [] }),
  jose: () => ({ config: path.join(ROOT, 'bench/edge/jose/wrangler.toml'), cwd: path.join(ROOT, 'bench/edge/jose'), vars: [`ISSUER:${realm.issuer}`, `JWKS_URL:${realm.jwks_uri}`, `AUDIENCE:${realm.audience}`, ...extra('PROFILE_JOSE_VARS')] }),
  ours: () => ({ ...oursConfig(), vars: extra('PROFILE_OURS_VARS') }),
};

const results = [];
for (const name of VARIANTS) {
  if (!defs[name]) die(`unknown variant ${name}`);
  const v = defs[name]();
  const args = ['dev', '-c', v.config, '--ip', '127.0.0.1', '--port', String(PORTS[name]), '--inspector-port', String(INSPECTOR[name]),
    '--persist-to', path.join(work, `state-${name}`), '--log-level', 'warn', '--show-interactive-dev-session=false'];
  for (const kv of v.vars) args.push('--var', kv);
  const child = start(name, path.join(ROOT, 'node_modules/.bin/wrangler'), args, v.cwd);
  const base = `http://127.0.0.1:${PORTS[name]}`;
  await waitHttp(name, child, `${base}/__ready`);
  say(`${name} up on ${base}`);
  const session = await cdp(INSPECTOR[name]);
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: INTERVAL });
  for (const alg of name === 'noop' ? [null] : ALGS) {
    const url = alg ? `${base}/auth/verify` : `${base}/`;
    wrk(url, alg && realm.tokens[alg], 2); // warm-up (keys fetched and imported, code optimised)
    await session.send('Profiler.start');
    const requests = wrk(url, alg && realm.tokens[alg], DURATION);
    const { profile } = await session.send('Profiler.stop');
    const src = await sources(session, profile);
    const file = path.join(work, `${name}-${alg ?? 'plain'}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    results.push({ name, alg, requests, file, ...summarise(profile, requests, src) });
  }
  session.close();
  try { process.kill(-child.pid, 'SIGTERM'); } catch {}
  await new Promise((r) => setTimeout(r, 1000));
}

// ------------------------------------------------------------ report
const f = (x, d = 1) => x.toFixed(d);
for (const r of results) {
  console.log(`\n## ${r.name}${r.alg ? ` ${r.alg}` : ''}: ${r.requests} requests; isolate busy ${f(r.busyPerReq)} µs/request (sampled; profile ${r.file})`);
  console.log('| category | self µs/req | share |');
  console.log('|---|--:|--:|');
  for (const c of r.cats) console.log(`| ${c.k} | ${f(c.us)} | ${f(c.share * 100)} % |`);
  console.log(`\n| top ${TOP} functions by self time | self µs/req | share |`);
  console.log('|---|--:|--:|');
  for (const t of r.top) console.log(`| \`${t.k.replace(/\|/g, '\\|')}\` | ${f(t.us)} | ${f(t.share * 100)} % |`);
}
fs.writeFileSync(path.join(work, 'summary.json'), JSON.stringify(results.map(({ file, ...r }) => ({ ...r, file })), null, 1));
say(`summaries in ${path.join(work, 'summary.json')}`);
cleanup();
