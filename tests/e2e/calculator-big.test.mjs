// A 1,000,000-row case file in the calculator page: read in 4 MiB slices by the worker while
// the page stays responsive and shows the rows read; the result equals the command line's on the
// same file; and an import can be cancelled (the worker is restarted and the other tables are
// read again). The file is generated here (tests/output/, not committed).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { assertNoErrors, assertSameOriginOnly, CLI, OUTPUT_DIR, ROOT, startPage } from './helpers.mjs';

const SPEC10 = path.join(ROOT, 'tests', 'fixtures', 'spec10');
const TMP = path.join(OUTPUT_DIR, 'calculator');
const BIG = path.join(TMP, 'cases-1m.csv');
const ROWS = 1_000_000;

/** One million §10-like cases over the §10 institutions and groups, all twelve months. */
async function writeBig() {
  mkdirSync(TMP, { recursive: true });
  if (existsSync(BIG) && statSync(BIG).size > 30_000_000) return;
  const out = createWriteStream(BIG);
  out.write('机构编码,险种,病种编码,医疗总费用,个人负担,结算日期\n');
  const inst = ['H1', 'H2', 'H3'];
  const groups = [
    ['G1', 10000],
    ['G2', 4000],
    ['G3', 30000],
  ];
  let chunk = '';
  for (let i = 0; i < ROWS; i++) {
    const [g, ref] = groups[i % 3];
    const cost = Math.round(ref * (0.3 + ((i * 7919) % 2600) / 1000));
    const personal = Math.round(cost * 0.22);
    const month = String((i % 12) + 1).padStart(2, '0');
    chunk += `${inst[(i >> 2) % 3]},职工,${g},${cost},${personal},2024-${month}-15\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise((r) => out.end(r));
}

async function settled(page) {
  await page.waitForFunction(
    () => document.body.dataset.settled === 'true' && document.body.dataset.computing === 'false',
    null,
    { timeout: 300_000 },
  );
}

async function loadTables(page) {
  await page.click('.tabs button[data-view="data"]');
  await page.click('[data-slot="cases"] button.ghost');
  for (const kind of ['institutions', 'catalog']) {
    await page.setInputFiles(`input[type=file][data-kind="${kind}"]`, path.join(SPEC10, `${kind}.csv`));
    await page.waitForFunction(
      (k) => document.querySelector(`[data-slot="${k}"]`)?.classList.contains('slot-ok'),
      kind,
    );
  }
  await page.setInputFiles('#policy-file', path.join(SPEC10, 'policy.json'));
  await page.waitForFunction(() => document.querySelector('#policy-chip')?.textContent.startsWith('SPEC'));
}

/** Records the longest gap between timer ticks on the page's main thread. */
async function watchMainThread(page) {
  await page.evaluate(() => {
    window.__maxGap = 0;
    let last = performance.now();
    window.__ticker = setInterval(() => {
      const now = performance.now();
      window.__maxGap = Math.max(window.__maxGap, now - last);
      last = now;
    }, 20);
  });
}

let session;
before(async () => {
  await writeBig();
  session = await startPage();
});
after(async () => {
  await session?.close();
});

test('a 1,000,000-row case file: progress with rows read, the page never freezes, the figures match the command line', {
  timeout: 600_000,
}, async () => {
  const page = await session.open('/');
  await page.setViewportSize({ width: 1360, height: 900 });
  await settled(page);
  await loadTables(page);
  await watchMainThread(page);
  await page.evaluate(() => {
    document.body.dataset.settled = 'pending';
  });
  await page.setInputFiles('input[type=file][data-kind="cases"]', BIG);
  await page.waitForSelector('#progress:not([hidden])');
  await page.waitForFunction(
    () => /[1-9][\d,]* 行/.test(document.querySelector('.progress-text')?.textContent ?? ''),
    null,
    { timeout: 120_000 },
  );
  const during = await page.locator('.progress-text').textContent();
  await settled(page);
  const maxGap = await page.evaluate(() => window.__maxGap);
  assert.ok(maxGap < 1000, `the main thread stalled for ${Math.round(maxGap)} ms`);
  assert.match(await page.locator('[data-slot="cases"] .slot-status').textContent(), /1,000,000 条记录/);
  const expected = JSON.parse(
    execFileSync(
      CLI,
      [
        'run',
        '--policy',
        path.join(SPEC10, 'policy.json'),
        '--institutions',
        path.join(SPEC10, 'institutions.csv'),
        '--catalog',
        path.join(SPEC10, 'catalog.csv'),
        '--cases',
        BIG,
      ],
      { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] },
    ),
  );
  await page.click('.tabs button[data-view="overview"]');
  assert.equal(
    await page.locator('[data-pv-big="employee"]').evaluate((el) => el.firstChild.textContent),
    expected.funds[0].point_value,
  );
  console.log(`# 1,000,000 rows: progress showed "${during}"; longest main-thread gap ${Math.round(maxGap)} ms`);
  assertSameOriginOnly(page);
  assertNoErrors(page);
});

test('a long import is cancelled: the worker restarts and the other tables are read again', {
  timeout: 600_000,
}, async () => {
  const page = await session.open('/');
  await settled(page);
  await loadTables(page);
  await page.setInputFiles('input[type=file][data-kind="cases"]', BIG);
  // Cancel as soon as the reading shows (a release build reads the file in a few seconds).
  await page.click('#cancel-import', { timeout: 60_000 });
  await page.waitForSelector('#progress', { state: 'hidden' });
  assert.match(await page.locator('[data-slot="cases"] .slot-status').textContent(), /未载入/);
  // The new worker starts empty: institutions and catalog are read again, then nothing to settle.
  await page.waitForFunction(
    () =>
      /病例明细/.test(document.querySelector('#status')?.textContent ?? '') &&
      ['institutions', 'catalog'].every((k) =>
        document.querySelector(`[data-slot="${k}"]`)?.classList.contains('slot-ok'),
      ),
    null,
    { timeout: 60_000 },
  );
  await page.evaluate(() => {
    document.body.dataset.settled = 'pending';
  });
  await page.setInputFiles('input[type=file][data-kind="cases"]', path.join(SPEC10, 'cases.csv'));
  await settled(page);
  await page.click('.tabs button[data-view="overview"]');
  assert.equal(
    await page.locator('[data-pv-big="employee"]').evaluate((el) => el.firstChild.textContent),
    '115.909793',
  );
  assertSameOriginOnly(page);
  assertNoErrors(page);
});
