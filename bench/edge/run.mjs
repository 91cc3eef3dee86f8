// The edge benchmark (issue #6 items 3 and 5), driven by bench/edge/run.sh.
//
// Starts, each in its own `wrangler dev` (local workerd), on ports 9110-9114:
//   noop        a Worker answering 200 (bench/edge/noop)
//   jose        a TypeScript Worker verifying with npm jose (bench/edge/jose)
//   ours        our Worker, edge/build (default build: WebCrypto for RS/PS/ES256)
//   wsig-wc     our Worker built with `wasm-signatures`, SIGNATURE_PATH=webcrypto
//   wsig-wasm   the same bundle with SIGNATURE_PATH=wasm (the core's pure-Rust backends)
// plus the bench issuer (bench/edge/issuer.mjs, port 9101) they all fetch keys from.
//
// Then, for ROUNDS rounds, variants in a rotating order:
//   * wrk against /auth/verify (RS256, ES256, EdDSA bearer tokens) → requests/s;
//   * the CPU time (utime+stime, /proc) of the Worker's workerd process over that
//     run / the number of requests → CPU µs per request (the `wrangler dev` proxy
//     workerd in front is measured apart and left out);
//   * N logins (/auth/login) then, after the issuer's authorize step, N callbacks
//     (/auth/callback: KV flow record, code exchange, RS256 ID token), with the
//     same CPU accounting; the issuer runs in its own process (not counted).
// Prints medians and the ratios with the issue's targets. Any non-2xx answer
// (or a login/callback answer other than the expected redirect) aborts the run.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { processes } from './procs.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const env = (k, d) => (process.env[k] ? Number(process.env[k]) : d);
const ROUNDS = env('BENCH_ROUNDS', 5);
const DURATION = env('BENCH_DURATION', 5);
const THREADS = env('BENCH_THREADS', 1);
const CONNECTIONS = env('BENCH_CONNECTIONS', 8);
const LOGINS = env('BENCH_LOGINS', 300);
const CONCURRENCY = env('BENCH_LOGIN_CONCURRENCY', 8);
const WITH_WASM = process.env.BENCH_SKIP_WASM !== '1';
const PORTS = { issuer: 9101, noop: 9110, jose: 9111, ours: 9112, 'wsig-wc': 9113, 'wsig-wasm': 9114, 'noop-log': 9115, 'jose-log': 9116, 'ours-errors': 9117 };
const INSPECTOR = { noop: 9160, jose: 9161, ours: 9162, 'wsig-wc': 9163, 'wsig-wasm': 9164, 'noop-log': 9165, 'jose-log': 9166, 'ours-errors': 9167 };
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const ALGS = ['RS256', 'ES256', 'EdDSA'];

const { work, say, die, cleanup, start, waitHttp } = processes('edge-bench');

// ------------------------------------------------------------ processes and CPU
function procTable() {
  const rows = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' ');
      const cmdline = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ');
      rows.push({ pid: Number(d), ppid: Number(f[1]), comm, cmdline });
    } catch {}
  }
  return rows;
}

/** The Worker's workerd and the wrangler proxy's workerd among `root`'s descendants. */
function workerdOf(root, port) {
  const rows = procTable();
  const seen = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of rows) if (!seen.has(r.pid) && seen.has(r.ppid)) { seen.add(r.pid); grew = true; }
  }
  const workerds = rows.filter((r) => seen.has(r.pid) && r.comm === 'workerd');
  const proxy = workerds.filter((r) => r.cmdline.includes(`entry=127.0.0.1:${port} `));
  const user = workerds.filter((r) => !r.cmdline.includes(`entry=127.0.0.1:${port} `));
  if (user.length !== 1 || proxy.length !== 1) die(`expected one Worker workerd and one proxy workerd under wrangler pid ${root}, found ${workerds.length}`);
  return { user: user[0].pid, proxy: proxy[0].pid };
}

/** utime+stime of a process (all its threads), in µs. */
function cpuUs(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields 14 and 15 of stat (utime, stime) are f[11], f[12] after "pid (comm) ".
  return ((Number(f[11]) + Number(f[12])) / CLK_TCK) * 1e6;
}

// ------------------------------------------------------------ load generators
function wrk(url, token) {
  const args = [`-t${THREADS}`, `-c${CONNECTIONS}`, `-d${DURATION}s`];
  if (token) args.push('-H', `Authorization: Bearer ${token}`);
  args.push(url);
  const out = execFileSync('wrk', args, { encoding: 'utf8' });
  const num = (re) => { const m = out.match(re); return m ? Number(m[1]) : undefined; };
  const rps = num(/Requests\/sec:\s+([\d.]+)/);
  const requests = num(/(\d+) requests in/);
  const bad = num(/Non-2xx or 3xx responses: (\d+)/) ?? 0;
  const sock = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  if (rps === undefined || requests === undefined) die(`cannot parse wrk output:\n${out}`);
  if (bad > 0) die(`${bad} non-2xx answers from ${url} (wrk)`);
  if (sock && sock.slice(1).some((n) => Number(n) > 0)) die(`socket errors from ${url}: ${sock[0]}`);
  return { rps, requests };
}

/** fetch, retried (up to 3 times) when the connection drops before an answer — a
 * keep-alive race of the client, not an answer of the Worker; statuses are never retried. */
async function get(url, init) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}

/** Runs `tasks` (async functions) with `CONCURRENCY` in flight. */
async function pool(tasks) {
  const out = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, tasks.length) }, async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await tasks[i]();
    }
  }));
  return out;
}

async function expectVerify(url, token) {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  if (res.status !== 200 || res.headers.get('x-auth-subject') !== 'bench-user') die(`${url} answered ${res.status} (subject ${res.headers.get('x-auth-subject')})`);
}

// ------------------------------------------------------------ set-up
say(`work dir ${work}; ${ROUNDS} rounds, wrk -t${THREADS} -c${CONNECTIONS} -d${DURATION}s, ${LOGINS} logins/round (${CONCURRENCY} in flight)`);
const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url');
const tokensFile = path.join(work, 'tokens.json');
const issuer = start('issuer', process.execPath, [path.join(ROOT, 'bench/edge/issuer.mjs'), '--port', String(PORTS.issuer), '--out', tokensFile], ROOT, { BENCH_CLIENT_SECRET: secret });
await waitHttp('issuer', issuer, `http://127.0.0.1:${PORTS.issuer}/__counters`);
const realm = JSON.parse(fs.readFileSync(tokensFile, 'utf8'));

const wranglerBin = path.join(ROOT, 'node_modules/.bin/wrangler');
const policy = JSON.stringify({
  issuer_base_url: `http://127.0.0.1:${PORTS.issuer}`,
  allow_insecure_loopback: true,
  leeway_seconds: 30,
  realms: { members: { client_id: realm.client_id, audiences: [realm.audience], scopes: ['openid', 'email'] } },
});

function oursConfig(name, bundleDir, signaturePath, logRequests = 'all') {
  const main = path.join(ROOT, 'edge', bundleDir, 'index.js');
  if (!fs.existsSync(main)) die(`${main} is missing (run bench/edge/run.sh, which builds it)`);
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  const toml = [
    `name = "realmgate-bench-${name}"`,
    `main = ${JSON.stringify(main)}`,
    'compatibility_date = "2026-05-01"',
    '[[kv_namespaces]]',
    'binding = "REALMGATE_KV"',
    'id = "00000000000000000000000000000000"',
    '[vars]',
    `REALMGATE_POLICY = ${JSON.stringify(policy)}`,
    // jose's createRemoteJWKSet keeps a fetched set 10 minutes; same here.
    'JWKS_TTL_SECONDS = "600"',
    `SIGNATURE_PATH = "${signaturePath}"`,
    `LOG_REQUESTS = "${logRequests}"`,
    // Bench-only, random per run; wrangler passes vars and secrets to the Worker the same way.
    `CLIENT_SECRET_MEMBERS = "${secret}"`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'wrangler.toml'), toml, { mode: 0o600 });
  return { config: path.join(dir, 'wrangler.toml'), cwd: dir };
}

const joseVars = [`ISSUER:${realm.issuer}`, `JWKS_URL:${realm.jwks_uri}`, `AUDIENCE:${realm.audience}`];
const variants = {
  noop: { config: path.join(ROOT, 'bench/edge/noop/wrangler.toml'), cwd: path.join(ROOT, 'bench/edge/noop'), vars: [] },
  // The no-op printing one JSON line per request, as our Worker does: what a log line costs here.
  'noop-log': { config: path.join(ROOT, 'bench/edge/noop/wrangler.toml'), cwd: path.join(ROOT, 'bench/edge/noop'), vars: ['LOG:1'] },
  jose: { config: path.join(ROOT, 'bench/edge/jose/wrangler.toml'), cwd: path.join(ROOT, 'bench/edge/jose'), vars: joseVars },
  // jose printing the same JSON line per request as ours with LOG_REQUESTS=all: like with like.
  'jose-log': { config: path.join(ROOT, 'bench/edge/jose/wrangler.toml'), cwd: path.join(ROOT, 'bench/edge/jose'), vars: [...joseVars, 'LOG:1'] },
  // LOG_REQUESTS=all (the default): one log line per request.
  ours: { ...oursConfig('ours', 'build', 'webcrypto'), vars: [] },
  // LOG_REQUESTS=errors: no line for a successful verification (every request here).
  'ours-errors': { ...oursConfig('ours-errors', 'build', 'webcrypto', 'errors'), vars: [] },
};
if (WITH_WASM) {
  variants['wsig-wc'] = { ...oursConfig('wsig-wc', 'build-wasmsig', 'webcrypto'), vars: [] };
  variants['wsig-wasm'] = { ...oursConfig('wsig-wasm', 'build-wasmsig', 'wasm'), vars: [] };
}

for (const [name, v] of Object.entries(variants)) {
  const args = ['dev', '-c', v.config, '--ip', '127.0.0.1', '--port', String(PORTS[name]), '--inspector-port', String(INSPECTOR[name]),
    '--persist-to', path.join(work, `state-${name}`), '--log-level', 'warn', '--show-interactive-dev-session=false'];
  for (const kv of v.vars) args.push('--var', kv);
  v.child = start(name, wranglerBin, args, v.cwd);
  // One at a time: several wranglers bundling at once on 2 cores time out.
  await waitHttp(name, v.child, `http://127.0.0.1:${PORTS[name]}/__ready`);
  v.pids = workerdOf(v.child.pid, PORTS[name]);
  v.url = `http://127.0.0.1:${PORTS[name]}`;
  say(`${name} up on ${v.url} (Worker workerd ${v.pids.user}, proxy workerd ${v.pids.proxy})`);
}

const isNoop = (n) => n.startsWith('noop');
for (const name of Object.keys(variants).filter((n) => !isNoop(n))) {
  for (const alg of ALGS) await expectVerify(`${variants[name].url}/auth/verify`, realm.tokens[alg]);
}
say('every verifying Worker accepts the RS256, ES256 and EdDSA tokens; warming up');
for (const [name, v] of Object.entries(variants)) {
  if (isNoop(name)) wrk(`${v.url}/`);
  else for (const alg of ALGS) wrk(`${v.url}/auth/verify`, realm.tokens[alg]);
}

// ------------------------------------------------------------ measurement
/** One wrk run with the Worker's CPU over it. */
function measure(name, alg) {
  const v = variants[name];
  const url = alg ? `${v.url}/auth/verify` : `${v.url}/`;
  const u0 = cpuUs(v.pids.user);
  const p0 = cpuUs(v.pids.proxy);
  const { rps, requests } = wrk(url, alg && realm.tokens[alg]);
  return { rps, cpu: (cpuUs(v.pids.user) - u0) / requests, proxyCpu: (cpuUs(v.pids.proxy) - p0) / requests };
}

function cookieFrom(res, name) {
  for (const c of res.headers.getSetCookie()) if (c.startsWith(`${name}=`)) return c.split(';')[0];
  return undefined;
}

/** N logins then N callbacks against `ours`; CPU µs per request of each, and the no-op's over N plain GETs. */
async function loginRound() {
  const v = variants.ours;
  const noop = variants.noop;
  const n0 = cpuUs(noop.pids.user);
  await pool(Array.from({ length: LOGINS }, () => async () => {
    const res = await get(`${noop.url}/auth/login?realm=members&return_to=%2Fafter`, { redirect: 'manual' });
    await res.arrayBuffer();
    if (res.status !== 200) die(`no-op answered ${res.status}`);
  }));
  const noopCpu = (cpuUs(noop.pids.user) - n0) / LOGINS;

  const l0 = cpuUs(v.pids.user);
  const flows = await pool(Array.from({ length: LOGINS }, () => async () => {
    const res = await get(`${v.url}/auth/login?realm=members&return_to=%2Fafter`, { redirect: 'manual' });
    await res.arrayBuffer();
    const location = res.headers.get('location') ?? '';
    const cookie = cookieFrom(res, '__Host-rg_state');
    if (res.status !== 302 || !location.startsWith(`${realm.issuer}/`) || !cookie) die(`/auth/login answered ${res.status}, not a redirect to the issuer with a state cookie`);
    return { location, cookie };
  }));
  const loginCpu = (cpuUs(v.pids.user) - l0) / LOGINS;

  // The provider's part, outside the Worker: authorize answers with the callback URL.
  const callbacks = await pool(flows.map((f) => async () => {
    const res = await get(f.location, { redirect: 'manual' });
    await res.arrayBuffer();
    const to = res.headers.get('location') ?? '';
    if (res.status !== 302 || !to.startsWith(`${v.url}/auth/callback?`)) die(`issuer authorize answered ${res.status}`);
    return { url: to, cookie: f.cookie };
  }));

  const c0 = cpuUs(v.pids.user);
  await pool(callbacks.map((c) => async () => {
    const res = await get(c.url, { redirect: 'manual', headers: { cookie: c.cookie } });
    await res.arrayBuffer();
    const to = res.headers.get('location') ?? '';
    if (res.status !== 302 || !/^(\/after|https?:\/\/[^/]+\/after)$/.test(to) || !cookieFrom(res, '__Host-rg_at')) {
      die(`/auth/callback answered ${res.status} to ${to.replace(/\?.*/, '?…')}, not the return path with session cookies`);
    }
  }));
  const callbackCpu = (cpuUs(v.pids.user) - c0) / LOGINS;
  return { noopCpu, loginCpu, callbackCpu };
}

const runs = [{ name: 'noop' }, { name: 'noop-log' }];
for (const name of Object.keys(variants).filter((n) => !isNoop(n))) for (const alg of ALGS) runs.push({ name, alg });
const results = {}; // key → [{rps, cpu, proxyCpu}]
const logins = [];
const key = (r) => (r.alg ? `${r.name} ${r.alg}` : r.name);
for (let round = 0; round < ROUNDS; round++) {
  const order = runs.map((_, i) => runs[(i + round * 3) % runs.length]);
  for (const r of order) (results[key(r)] ??= []).push(measure(r.name, r.alg));
  logins.push(await loginRound());
  const cell = (k) => `${k} ${results[k].at(-1).rps.toFixed(0)}/s`;
  say(`round ${round + 1}/${ROUNDS}: ${Object.keys(results).map(cell).join(', ')}; login ${logins.at(-1).loginCpu.toFixed(0)} µs, callback ${logins.at(-1).callbackCpu.toFixed(0)} µs`);
}

// ------------------------------------------------------------ report
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const per = (k, f) => results[k].map(f);
const med = (k, f) => median(per(k, f));
/** Median over rounds of a per-round ratio. */
const ratio = (a, b, f) => median(results[a].map((x, i) => f(x) / f(results[b][i])));
const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

console.log('\n## Throughput through wrangler dev (requests/s, median of rounds) and Worker CPU per request (µs, median)');
console.log('| variant | req/s | Worker workerd CPU µs/req | proxy workerd CPU µs/req |');
console.log('|---|--:|--:|--:|');
for (const k of Object.keys(results)) console.log(`| ${k} | ${fmt(med(k, (x) => x.rps), 0)} | ${fmt(med(k, (x) => x.cpu), 0)} | ${fmt(med(k, (x) => x.proxyCpu), 0)} |`);

console.log('\n## Throughput ratios (median of per-round ratios), like with like');
console.log('Targets: ours ≥ 1.0× jose, ours ≥ 0.5× no-op. "logging": ours with LOG_REQUESTS=all (default) against jose and the no-op each printing the same JSON line per request; "no log line": ours with LOG_REQUESTS=errors (no line for a success) against jose and the no-op printing nothing.');
console.log('| alg | logging: ours/jose-log | logging: ours/noop-log | logging: ours/noop | no log line: ours-errors/jose | no log line: ours-errors/noop |');
console.log('|---|--:|--:|--:|--:|--:|');
const verdict = (x, t) => `${fmt(x)} ${x >= t ? 'met' : 'NOT met'}`;
for (const alg of ALGS) {
  const r = (a, b) => ratio(a.includes(' ') || isNoop(a) ? a : `${a} ${alg}`, isNoop(b) ? b : `${b} ${alg}`, (x) => x.rps);
  console.log(`| ${alg} | ${verdict(r('ours', 'jose-log'), 1.0)} | ${verdict(r('ours', 'noop-log'), 0.5)} | ${verdict(r('ours', 'noop'), 0.5)} | ${verdict(r('ours-errors', 'jose'), 1.0)} | ${verdict(r('ours-errors', 'noop'), 0.5)} |`);
}
console.log(`(cross pairs, for reference: ${ALGS.map((alg) => `${alg} ours/jose ${fmt(ratio(`ours ${alg}`, `jose ${alg}`, (x) => x.rps))}`).join(', ')}; noop-log/noop ${fmt(ratio('noop-log', 'noop', (x) => x.rps))})`);

console.log('\n## CPU per verification inside the Worker (workerd CPU/request minus the no-op\'s, µs, median of per-round values)');
const net = (k) => median(results[k].map((x, i) => x.cpu - results.noop[i].cpu));
const netRatio = (a, b) => median(results[a].map((x, i) => (x.cpu - results.noop[i].cpu) / (results[b][i].cpu - results.noop[i].cpu)));
console.log(`(one console.log line per request, no-op with LOG=1 minus no-op: ${fmt(net('noop-log'), 0)} µs)`);
console.log('| alg | ours (LOG_REQUESTS=all) | jose-log | ours/jose-log CPU | ours-errors | jose | ours-errors/jose CPU |' + (WITH_WASM ? ' wasm-signatures build: WebCrypto path | wasm path | signature alone: wasm − WebCrypto | WebCrypto ≥ 3× faster? |' : ''));
console.log('|---|--:|--:|--:|--:|--:|--:|' + (WITH_WASM ? '--:|--:|--:|---|' : ''));
for (const alg of ALGS) {
  let line = `| ${alg} | ${fmt(net(`ours ${alg}`), 0)} | ${fmt(net(`jose-log ${alg}`), 0)} | ${fmt(netRatio(`ours ${alg}`, `jose-log ${alg}`))} | ${fmt(net(`ours-errors ${alg}`), 0)} | ${fmt(net(`jose ${alg}`), 0)} | ${fmt(netRatio(`ours-errors ${alg}`, `jose ${alg}`))} |`;
  if (WITH_WASM) {
    // The two paths differ only in the signature check, so their difference is the wasm
    // signature's cost minus WebCrypto's. jose's whole verification bounds WebCrypto's
    // signature from above, so (jose + difference) / jose bounds the speed-up from below.
    const delta = median(results[`wsig-wasm ${alg}`].map((x, i) => x.cpu - results[`wsig-wc ${alg}`][i].cpu));
    const bound = (net(`jose ${alg}`) + delta) / net(`jose ${alg}`);
    const answer = alg === 'EdDSA' ? 'n/a (both paths use the core\'s Ed25519)' : `${bound >= 3 ? 'yes' : 'not shown'}: ≥ ${fmt(bound, 1)}× (wasm ≥ WebCrypto + ${fmt(delta, 0)} µs; WebCrypto ≤ jose's ${fmt(net(`jose ${alg}`), 0)} µs)`;
    line += ` ${fmt(net(`wsig-wc ${alg}`), 0)} | ${fmt(net(`wsig-wasm ${alg}`), 0)} | ${fmt(delta, 0)} | ${answer} |`;
  }
  console.log(line);
}

console.log('\n## Login round trip at the edge: Worker workerd CPU per request (µs, median of rounds; issuer in its own process, not counted)');
const lm = (f) => median(logins.map(f));
console.log('| endpoint | CPU µs/request | minus no-op | × no-op |');
console.log('|---|--:|--:|--:|');
console.log(`| no-op (same driver) | ${fmt(lm((l) => l.noopCpu), 0)} | 0 | 1.00 |`);
console.log(`| /auth/login | ${fmt(lm((l) => l.loginCpu), 0)} | ${fmt(lm((l) => l.loginCpu - l.noopCpu), 0)} | ${fmt(lm((l) => l.loginCpu / l.noopCpu))} |`);
console.log(`| /auth/callback | ${fmt(lm((l) => l.callbackCpu), 0)} | ${fmt(lm((l) => l.callbackCpu - l.noopCpu), 0)} | ${fmt(lm((l) => l.callbackCpu / l.noopCpu))} |`);

const counters = await (await fetch(`http://127.0.0.1:${PORTS.issuer}/__counters`)).json();
say(`issuer served discovery ${counters.discovery}×, JWKS ${counters.jwks}× (keys cached, not fetched per request)`);
say(`raw per-round figures: ${path.join(work, 'results.json')}`);
fs.writeFileSync(path.join(work, 'results.json'), JSON.stringify({ config: { ROUNDS, DURATION, THREADS, CONNECTIONS, LOGINS, CONCURRENCY }, results, logins }, null, 1));
cleanup();
