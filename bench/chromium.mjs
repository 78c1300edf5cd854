// `make bench`, part 2: the wasm engine in Debian's headless Chromium, fed the way the page
// feeds it. Serves bench/wasm/ under /bench/ and the calculator page's files (www/) on a loopback
// port, opens the bench page, gives its file input the data files (disk-backed File objects, as
// a user's choice is), and waits for the figures: the bench worker's (Session alone), then the
// page's own path for the same parameter changes (bench/wasm/page.js: www/worker.js through
// www/app/worker-client.js, and www/app/views.js). Meanwhile it samples the resident memory of every
// Chromium process from /proc. Prints one JSON object.
//
//   node bench/chromium.mjs DATA_DIR

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css',
};

const dataDir = path.resolve(process.argv[2] ?? '');
for (const f of ['cases.csv', 'catalog.csv', 'institutions.csv', 'policy.json']) {
  if (!existsSync(path.join(dataDir, f))) throw new Error(`${dataDir}/${f} is missing`);
}
if (!existsSync(path.join(ROOT, 'www', 'pkg', 'dipcalc_bg.wasm'))) throw new Error('www/pkg is missing: make wasm');

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  // The bench page under /bench/, the calculator page's files (www/) everywhere else.
  const bench = url.pathname.startsWith('/bench/') ? url.pathname.slice('/bench/'.length) : null;
  const file =
    bench !== null
      ? path.join(ROOT, 'bench', 'wasm', bench === '' ? 'index.html' : bench)
      : path.join(ROOT, 'www', url.pathname);
  if (!file.startsWith(ROOT) || !existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-store',
  });
  res.end(readFileSync(file));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

// Resident memory (kB) of a process and its descendants, from /proc.
function tree(root) {
  const children = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch {
      /* gone */
    }
  }
  const out = [];
  const walk = (p) => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(root);
  return out;
}
function rssKb(pid) {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)/m);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
// Chromium runs as a child of this process: its processes are our descendants.
const rootPid = process.pid;
let peakTotal = 0;
let peakProcess = 0;
let baseline = 0;
const sample = () => {
  if (!rootPid) return;
  const rss = tree(rootPid)
    .filter((p) => p !== rootPid)
    .map(rssKb);
  const total = rss.reduce((a, b) => a + b, 0);
  peakTotal = Math.max(peakTotal, total);
  peakProcess = Math.max(peakProcess, ...rss);
  return total;
};
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${origin}/bench/`);
  baseline = sample();
  peakTotal = 0;
  peakProcess = 0;
  const timer = setInterval(sample, 50);
  const started = Date.now();
  await page.setInputFiles(
    '#files',
    ['cases.csv', 'catalog.csv', 'institutions.csv', 'policy.json'].map((f) => path.join(dataDir, f)),
  );
  await page.waitForFunction(() => window.benchResult !== null, null, { timeout: 600_000, polling: 100 });
  clearInterval(timer);
  sample();
  const result = await page.evaluate(() => window.benchResult);
  result.wall_ms = Date.now() - started;
  result.browser_rss_baseline_kb = baseline;
  result.browser_rss_peak_kb = peakTotal;
  result.process_rss_peak_kb = peakProcess;
  result.page_errors = errors;
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  server.close();
}
