// Process plumbing shared by bench/edge/run.mjs and profile.mjs: a work directory, child
// processes in their own process groups (each logging to WORK/NAME.log), cleanup on any exit
// path, and waiting for an HTTP server to answer.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function processes(tag) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `realmgate-${tag}-`));
  const children = [];
  const say = (...a) => console.log(`${tag}:`, ...a);

  function cleanup() {
    for (const c of children) {
      try { process.kill(-c.pid, 'SIGTERM'); } catch {}
    }
    children.length = 0;
  }
  function die(msg) {
    console.error(`${tag}: error: ${msg}`);
    cleanup();
    process.exit(1);
  }
  process.on('SIGINT', () => { cleanup(); process.exit(130); });
  process.on('SIGTERM', () => { cleanup(); process.exit(143); });
  process.on('uncaughtException', (e) => die(e?.stack ?? String(e)));
  process.on('unhandledRejection', (e) => die(e?.stack ?? String(e)));

  function start(name, cmd, args, cwd, extraEnv = {}) {
    const log = fs.openSync(path.join(work, `${name}.log`), 'w');
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1', FORCE_COLOR: '0', ...extraEnv },
      stdio: ['ignore', log, log],
      detached: true,
    });
    children.push(child);
    child.on('exit', (code) => { child.exited = code ?? 'signal'; });
    child.benchName = name;
    return child;
  }

  async function waitHttp(name, child, url) {
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (child.exited !== undefined) die(`${name} exited (${child.exited}); see ${path.join(work, `${name}.log`)}`);
      try {
        const res = await fetch(url);
        await res.arrayBuffer();
        return;
      } catch {
        if (Date.now() > deadline) die(`${name} did not answer in 120 s; see ${path.join(work, `${name}.log`)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  return { work, children, say, die, cleanup, start, waitHttp };
}
