// The hydrated page's weight (run by scripts/bench.sh):
//   node benches/bundle-size.mjs <site-pkg-dir> <signin.html>
// Prints markdown rows: each asset raw / gzip / brotli, and the whole page in gzip against the
// 120 kB budget.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const [pkg, html] = process.argv.slice(2);
const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
const sizes = (bytes) => ({
  raw: bytes.length,
  gzip: gzipSync(bytes, { level: 9 }).length,
  brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});
const files = readdirSync(pkg).filter((f) => /\.(wasm|js|css)$/.test(f)).map((f) => join(pkg, f));
files.push(html);
// The passkey script, loaded only by pages that offer a passkey (not counted in the total).
{
  const s = sizes(readFileSync(join('src', 'ui', 'passkey.js')));
  const verdict = s.gzip <= 15_000 ? 'meets' : '**misses**';
  console.log(`| passkey.js (only on pages with a passkey choice): raw / gzip / brotli | ${kb(s.raw)} / ${kb(s.gzip)} / ${kb(s.brotli)} | ≤ 15 kB gzip | ${verdict} |`);
}
let gzipTotal = 0;
const page = readFileSync(html, 'utf8');
for (const file of files) {
  const s = sizes(readFileSync(file));
  // A file the page does not load (the stylesheet, now inline) is listed but not counted.
  const loaded = file === html || page.includes(file.split('/').pop());
  if (loaded) gzipTotal += s.gzip;
  const name = file === html ? 'the /signin HTML' : `${file.split('/').pop()}${loaded ? '' : ' (not loaded by /signin)'}`;
  console.log(`| ${name}: raw / gzip / brotli | ${kb(s.raw)} / ${kb(s.gzip)} / ${kb(s.brotli)} | — | — |`);
}
const budget = 120_000;
const verdict = gzipTotal <= budget ? 'meets' : `**misses** by ${kb(gzipTotal - budget)} (${((gzipTotal / budget - 1) * 100).toFixed(0)} %)`;
console.log(`| **whole hydrated /signin page (HTML + JS + wasm + CSS), gzip** | ${kb(gzipTotal)} | ≤ 120 kB (a well-known React authenticator page: about 246 kB) | ${verdict} |`);
