// Starts the built Worker in real workerd via `wrangler dev` (local KV,
// persisted to a per-run directory), with the configuration written to
// `.dev.vars` next to wrangler.toml (generated here, never committed).
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const run = promisify(execFile);

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function repoRoot() {
  return path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');
}

function wranglerBin(root) {
  const bin = path.join(root, 'node_modules/.bin/wrangler');
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run scripts/setup.sh (npm ci)`);
  return bin;
}

function devVars(vars) {
  // .dev.vars is dotenv: one KEY='value' per line; single quotes keep the value literal.
  return Object.entries(vars).map(([k, v]) => {
    const value = String(v);
    if (value.includes("'") || value.includes('\n')) throw new Error(`${k}: .dev.vars values cannot hold ' or newlines`);
    return `${k}='${value}'`;
  }).join('\n') + '\n';
}

export async function startWorker({ port, vars, persistDir, log = () => {} }) {
  const root = repoRoot();
  const bundle = path.join(root, 'edge/build/index.js');
  if (!fs.existsSync(bundle)) throw new Error(`${bundle} is missing: build the Worker first (scripts/build-edge.sh)`);
  const devVarsPath = path.join(root, '.dev.vars');
  fs.writeFileSync(devVarsPath, devVars(vars), { mode: 0o600 });
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', persistDir, '--log-level', 'log', '--show-interactive-dev-session=false'];
  const child = spawn(wranglerBin(root), args, {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines = [];
  const onData = (chunk) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      lines.push(line);
      log(line);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${lines.join('\n')}`);
    try {
      const res = await fetch(`${url}/__ready`);
      await res.text();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`wrangler dev did not answer in 60 s:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    url,
    lines,
    /** The structured log lines the Worker printed (parsed JSON). */
    logRecords: () => lines.map((l) => l.slice(l.indexOf('{'))).filter((l) => l.startsWith('{"route"')).map((l) => { try { return JSON.parse(l); } catch { return null; } }).filter(Boolean),
    /** Waits (up to 3 s) for the `n`-th log record of `route` (wrangler prints asynchronously). */
    waitLog: async (route, n) => {
      for (let i = 0; i < 60; i++) {
        const recs = lines.map((l) => l.slice(l.indexOf('{'))).filter((l) => l.startsWith('{"route"')).map((l) => { try { return JSON.parse(l); } catch { return null; } }).filter((r) => r?.route === route);
        if (recs.length >= n) return recs[n - 1];
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no log record #${n} for route ${route}`);
    },
    /** Local KV access through wrangler, against the same persisted store. */
    kv: async (...kvArgs) => {
      const { stdout } = await run(wranglerBin(root), ['kv', 'key', ...kvArgs, '--binding', 'REALMGATE_KV', '--local', '--persist-to', persistDir], {
        cwd: root,
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1' },
      });
      return stdout;
    },
    stop: async () => {
      try { process.kill(-child.pid, 'SIGTERM'); } catch {}
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      fs.rmSync(devVarsPath, { force: true });
    },
  };
}
