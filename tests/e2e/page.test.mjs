// The served page loads its WebAssembly engine (in a module worker) and shows figures the engine
// computed, under the page's Content-Security-Policy, without touching any other origin.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { assertNoErrors, assertSameOriginOnly, ROOT, screenshot, startPage } from './helpers.mjs';

const CARGO_VERSION = readFileSync(path.join(ROOT, 'Cargo.toml'), 'utf8').match(/^version = "([^"]+)"/m)[1];

let session;
let page;

before(async () => {
  session = await startPage();
  page = await session.open('/');
  await page.waitForFunction(
    () => document.body.dataset.settled === 'true' || document.querySelector('#status')?.dataset.kind === 'error',
    null,
    { timeout: 60_000 },
  );
});

after(async () => {
  await session?.close();
});

test('the page settles the demo data with its wasm engine in a worker', async () => {
  assert.equal(
    await page.evaluate(() => document.body.dataset.settled),
    'true',
    `engine error: ${await page.locator('#status').textContent()}`,
  );
  assert.match(await page.locator('[data-pv-big="employee"]').textContent(), /^\d+\.\d{6}/);
  await screenshot(page, 'page-point-value');
});

test('the page shows the engine version', async () => {
  assert.equal(await page.locator('#engine-version').textContent(), CARGO_VERSION);
});

test('the page loaded its module as application/wasm', async () => {
  assert.ok(
    page.requests.some((url) => url.endsWith('/pkg/dipcalc_bg.wasm')),
    page.requests.join('\n'),
  );
});

test('the server sends the Content-Security-Policy header', async () => {
  const csp = page.response.headers()['content-security-policy'] ?? '';
  for (const part of [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "connect-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ]) {
    assert.ok(csp.includes(part), `missing ${part} in ${csp}`);
  }
});

test('the page makes no request to another origin, and logs no error', async () => {
  assertSameOriginOnly(page);
  assertNoErrors(page);
});

test('a fetch to another origin is blocked by the policy before it leaves', async () => {
  const p = await session.open('/');
  const outcome = await p.evaluate(async () => {
    try {
      await fetch('http://127.0.0.2:9/blocked');
      return 'sent';
    } catch (err) {
      return `blocked: ${err.name}`;
    }
  });
  assert.match(outcome, /^blocked/);
  assert.ok(!p.requests.some((url) => url.startsWith('http://127.0.0.2')), p.requests.join('\n'));
  assert.ok(
    p.consoleErrors.some((msg) => msg.includes('Content Security Policy')),
    p.consoleErrors.join('\n'),
  );
});
