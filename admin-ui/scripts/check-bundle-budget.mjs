// The first-load budget: the entry chunk, the chunks it imports statically and its CSS, gzipped,
// must stay within BUDGET_KB (chunks loaded on demand, e.g. administration, do not count).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = Number(process.env.BUNDLE_BUDGET_KB ?? 300);
const dist = new URL('../dist/', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(dist, '.vite/manifest.json'), 'utf8'));
const entry = Object.values(manifest).find((chunk) => chunk.isEntry);
if (!entry) throw new Error('no entry chunk in dist/.vite/manifest.json');

const files = new Set();
const visit = (chunk) => {
  if (files.has(chunk.file)) return;
  files.add(chunk.file);
  for (const css of chunk.css ?? []) files.add(css);
  for (const key of chunk.imports ?? []) visit(manifest[key]);
};
visit(entry);
files.add('index.html');

let total = 0;
for (const file of [...files].sort()) {
  const size = gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
  total += size;
  console.log(`  ${(size / 1024).toFixed(1).padStart(7)} kB gzip  ${file}`);
}
const kb = total / 1024;
console.log(`first load: ${kb.toFixed(1)} kB gzip (budget ${BUDGET_KB} kB)`);
if (kb > BUDGET_KB) {
  console.error(`bundle budget exceeded by ${(kb - BUDGET_KB).toFixed(1)} kB`);
  process.exit(1);
}
