// Where the bytes of a wasm module go: code size per function and per crate (from the
// module's `name` section), and the size of each section raw and deflated. For a module
// that keeps its names, e.g. the edge bundle before build-edge.sh strips them, or
// `wasm-bindgen` + `wasm-opt -O --debuginfo` on target/wasm/wasm32-unknown-unknown/edge/
// realmgate_edge.wasm (docs/edge-bundle-size.md):
//
//   node scripts/wasm-profile.mjs file.wasm [top-N functions, default 30]
import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/wasm-profile.mjs file.wasm [N]');
  process.exit(2);
}
const top = Number(topArg ?? 30);
const b = readFileSync(file);
const leb = (i) => {
  let r = 0, s = 0, x;
  do { x = b[i++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80);
  return [r, i];
};
const SECTION = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount', 'tag'];
let importedFunctions = 0;
const bodies = [];
const names = new Map();
const sections = [];
let i = 8;
while (i < b.length) {
  const id = b[i++];
  let size;
  [size, i] = leb(i);
  const end = i + size;
  let label = SECTION[id] ?? `section ${id}`;
  if (id === 0) {
    let [l, j] = leb(i);
    const name = b.subarray(j, j + l).toString();
    label = `custom "${name}"`;
    j += l;
    if (name === 'name') {
      while (j < end) {
        const sub = b[j++];
        let sl;
        [sl, j] = leb(j);
        if (sub === 1) {
          let [n, k] = leb(j);
          for (let c = 0; c < n; c++) {
            let idx, nl;
            [idx, k] = leb(k);
            [nl, k] = leb(k);
            names.set(idx, b.subarray(k, k + nl).toString());
            k += nl;
          }
        }
        j += sl;
      }
    }
  } else if (id === 2) {
    let [n, j] = leb(i);
    for (let c = 0; c < n; c++) {
      let l;
      [l, j] = leb(j); j += l;
      [l, j] = leb(j); j += l;
      const kind = b[j++];
      if (kind === 0) { [, j] = leb(j); importedFunctions++; }
      else if (kind === 1) { j++; let fl; [fl, j] = leb(j); [, j] = leb(j); if (fl & 1) [, j] = leb(j); }
      else if (kind === 2) { let fl; [fl, j] = leb(j); [, j] = leb(j); if (fl & 1) [, j] = leb(j); }
      else if (kind === 3) j += 2;
      else if (kind === 4) { j++; [, j] = leb(j); }
    }
  } else if (id === 10) {
    let [n, j] = leb(i);
    for (let c = 0; c < n; c++) { let l; [l, j] = leb(j); bodies.push(l); j += l; }
  }
  sections.push([label, size, deflateRawSync(b.subarray(i, end), { level: 9 }).length]);
  i = end;
}
console.log(`${file}: ${b.length} bytes`);
console.log('section                    raw   deflated');
for (const [label, raw, def] of sections) console.log(`${label.padEnd(22)} ${String(raw).padStart(8)} ${String(def).padStart(8)}`);
const crateOf = (n) => (n.replace(/^<+/, '').replace(/^&(mut )?/, '').match(/^[A-Za-z_][A-Za-z0-9_]*/) ?? ['?'])[0];
const perCrate = new Map();
const fns = bodies.map((size, k) => [size, names.get(importedFunctions + k) ?? '?']);
const total = bodies.reduce((a, x) => a + x, 0);
for (const [size, name] of fns) perCrate.set(crateOf(name), (perCrate.get(crateOf(name)) ?? 0) + size);
if (names.size === 0) console.log('(no name section: per-crate figures need a module that keeps its names)');
console.log(`\ncode by crate (first path segment of the function name; generics count where instantiated), ${total} bytes in ${bodies.length} functions`);
for (const [crate, size] of [...perCrate].sort((x, y) => y[1] - x[1]).slice(0, 25)) {
  console.log(`${String(size).padStart(8)} ${((100 * size) / total).toFixed(1).padStart(5)} %  ${crate}`);
}
console.log(`\nlargest ${top} functions`);
for (const [size, name] of fns.sort((x, y) => y[0] - x[0]).slice(0, top)) console.log(`${String(size).padStart(8)}  ${name.slice(0, 150)}`);
