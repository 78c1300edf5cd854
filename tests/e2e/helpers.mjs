// Shared by the page tests (tests/e2e/*.test.mjs): start the page server on a free loopback
// port, start Debian's headless Chromium through playwright-core (which never downloads a
// browser), and open the page while recording every request it makes, every console error
// and every uncaught exception.
//
//   import { test, before, after } from 'node:test';
//   import { startPage, assertSameOriginOnly, assertNoErrors } from './helpers.mjs';
//   let session;
//   before(async () => { session = await startPage(); });
//   after(() => session?.close());
//   test('…', async () => { const page = await session.open('/'); … assertSameOriginOnly(page); });
//
// The wasm module must be built first (`make test-e2e` does that).

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Screenshots and other things to look at go here (not committed). */
export const OUTPUT_DIR = path.join(ROOT, 'tests', 'output');

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps trying to reach its vendor's hosts.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Starts scripts/serve.py on a free loopback port; resolves to { url, origin, stop }. */
export async function startServer({ root = path.join(ROOT, 'www') } = {}) {
  if (!existsSync(path.join(root, 'pkg'))) {
    throw new Error(`${root}/pkg is missing: build the module with \`make wasm\``);
  }
  const child = spawn('python3', [path.join(ROOT, 'scripts', 'serve.py'), '--port', '0', '--quiet', '--root', root], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in 10 s: ${stderr}`)), 10_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/^serving (http:\/\/\S+)$/m);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited ${code}: ${stderr}`));
    });
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { url, origin: new URL(url).origin, stop };
}

/** Launches headless Chromium (Debian's package) with flags that keep it off the network. */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run \`make setup\``);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Opens `pathname` on the server in a fresh browser context and records what the page does.
 * Returns the Playwright page with extra fields:
 *   page.requests       every request URL, in order
 *   page.consoleErrors  console messages of type "error" (CSP violations show up here)
 *   page.pageErrors     uncaught exceptions
 *   page.response       the main document's response
 */
export async function openPage(browser, server, pathname = '/') {
  const context = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  page.origin = server.origin;
  page.requests = [];
  page.consoleErrors = [];
  page.pageErrors = [];
  page.on('request', (req) => page.requests.push(req.url()));
  page.on('console', (msg) => {
    if (msg.type() === 'error') page.consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => page.pageErrors.push(err.message));
  page.response = await page.goto(new URL(pathname, server.url).href, { waitUntil: 'load' });
  return page;
}

/** One server and one browser for a test file; `open()` gives a recording page. */
export async function startPage() {
  const server = await startServer();
  let browser;
  try {
    browser = await launchBrowser();
  } catch (err) {
    await server.stop();
    throw err;
  }
  const pages = [];
  return {
    server,
    browser,
    async open(pathname = '/') {
      const page = await openPage(browser, server, pathname);
      pages.push(page);
      return page;
    },
    async close() {
      for (const page of pages)
        await page
          .context()
          .close()
          .catch(() => {});
      await browser.close().catch(() => {});
      await server.stop();
    },
  };
}

/** True for URLs that stay in the browser: data:, blob:, about:. */
function isLocalScheme(url) {
  return /^(data|blob|about):/.test(url);
}

/** Every request the page made went to the page's own origin (or data:/blob:/about:). */
export function assertSameOriginOnly(page) {
  const foreign = page.requests.filter((url) => !isLocalScheme(url) && new URL(url).origin !== page.origin);
  assert.deepEqual(foreign, [], `the page made requests to other origins: ${foreign.join(', ')}`);
}

/** No uncaught exception and no console error (a CSP violation is logged as one). */
export function assertNoErrors(page) {
  assert.deepEqual(page.pageErrors, [], 'uncaught exceptions on the page');
  assert.deepEqual(page.consoleErrors, [], 'console errors on the page');
}

/** Saves a full-page PNG to tests/output/NAME.png and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = path.join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// ---- driving the calculator page (shared by the page tests) ------------------------------------

const TARGET = process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target');
/** The command line the page's figures are checked against: the debug build `make test-native`
 *  makes (and `make wasm`, through scripts/page-assets) — the same code as the page's module,
 *  without a second whole-program-optimised build in every `make test`. */
export const CLI = path.join(TARGET, 'debug', 'dipcalc');

/** `dipcalc ARGS…`'s standard output (the command line the page's figures are checked against). */
export function dipcalc(args) {
  assert.ok(existsSync(CLI), `${CLI} is missing: run \`make wasm\` (scripts/page-assets builds it)`);
  return execFileSync(CLI, args, { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Waits until the page has settled and every view shows the last result. */
export async function settled(page) {
  await page.waitForFunction(
    () => document.body.dataset.settled === 'true' && document.body.dataset.computing === 'false',
    null,
    { timeout: 60_000 },
  );
}

/** Waits for the next settlement after an action. */
export async function resettle(page, action) {
  await page.evaluate(() => {
    document.body.dataset.settled = 'pending';
  });
  await action();
  await settled(page);
}

/** Opens a tab of the calculator; the 本院 view asks for its lines by group on opening, so this
 *  also waits until nothing is computing. */
export async function tab(page, view) {
  await page.click(`.tabs button[data-view="${view}"]`);
  await page.waitForSelector(`#view-${view}:not([hidden])`);
  await page.waitForFunction(() => document.body.dataset.computing !== 'true', null, { timeout: 60_000 });
}

/** Gives a table's slot a file (on the 数据导入 tab) and waits until it is read. */
export async function upload(page, kind, file) {
  await page.setInputFiles(`input[type=file][data-kind="${kind}"]`, file);
  await page.waitForFunction((k) => document.querySelector(`[data-slot="${k}"]`)?.classList.contains('slot-ok'), kind);
}

/** '1,234.56' / '−1,234.56' → a number of fen (exact). */
export const fen = (text) => {
  const neg = /^[−-]/.test(text.trim());
  const [whole, frac = ''] = text.replace(/[^\d.]/g, '').split('.');
  return (neg ? -1n : 1n) * BigInt(whole + frac.padEnd(2, '0').slice(0, 2));
};
