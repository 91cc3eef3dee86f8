// Start-up cost of the edge Worker's wasm module in node (V8, the engine workerd runs):
// median of N rounds of `WebAssembly.compile` and of `WebAssembly.instantiate` on the
// compiled module. The imports are stubs (one function per import that the module declares,
// which throws if called); instantiation calls none of them (the module has no start
// function; wasm-bindgen's glue calls `__wbindgen_start` afterwards), so the stubs change
// nothing that is timed. Several files are measured interleaved, round by round, so that
// their figures come from the same conditions (this machine is shared and noisy).
//
//   node scripts/wasm-startup.mjs [--rounds N] file.wasm [other.wasm ...]
//
// Prints one line per file: compile and instantiate medians in ms, and, with several files,
// each file's ratio to the first.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const args = process.argv.slice(2);
let rounds = 21;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--rounds') rounds = Number(args[++i]);
  else files.push(args[i]);
}
if (files.length === 0 || !(rounds > 0)) {
  console.error('usage: node scripts/wasm-startup.mjs [--rounds N] file.wasm [other.wasm ...]');
  process.exit(2);
}

function stubImports(module) {
  const imports = {};
  for (const { module: mod, name, kind } of WebAssembly.Module.imports(module)) {
    imports[mod] ??= {};
    if (kind === 'function') {
      imports[mod][name] = () => {
        throw new Error(`stub import ${mod}.${name} called during instantiation`);
      };
    } else {
      throw new Error(`import ${mod}.${name} is a ${kind}: not stubbed`);
    }
  }
  return imports;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
};

const bytes = files.map((f) => readFileSync(f));
const compileMs = files.map(() => []);
const instantiateMs = files.map(() => []);
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < files.length; i++) {
    const t0 = performance.now();
    const module = await WebAssembly.compile(bytes[i]);
    const t1 = performance.now();
    await WebAssembly.instantiate(module, stubImports(module));
    const t2 = performance.now();
    compileMs[i].push(t1 - t0);
    instantiateMs[i].push(t2 - t1);
  }
}
files.forEach((f, i) => {
  const c = median(compileMs[i]);
  const n = median(instantiateMs[i]);
  let line = `${f}: compile ${c.toFixed(2)} ms, instantiate ${n.toFixed(2)} ms, total ${(c + n).toFixed(2)} ms (median of ${rounds}, node ${process.versions.node}, V8 ${process.versions.v8})`;
  if (i > 0) {
    const c0 = median(compileMs[0]) + median(instantiateMs[0]);
    line += `; ${((c + n) / c0).toFixed(2)}x the first`;
  }
  console.log(line);
});
