// The public transparency page (www/public.html): it opens the bundle shipped next to it (made
// from the demo data by `dipcalc publish` in scripts/public-bundle), shows a month's point value,
// verifies the bundle with the wasm engine, and names the institution whose settlement was
// changed by 0.01 in a tampered copy. Also: search, the English switch, a phone-width layout,
// print, labels and table semantics, no request to any other origin; and the calculator page's
// "Publish" button gives the very bundle the command line made from the same demo files.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { assertNoErrors, assertSameOriginOnly, OUTPUT_DIR, ROOT, screenshot, startPage } from './helpers.mjs';

const BUNDLE_TEXT = readFileSync(path.join(ROOT, 'www', 'demo', 'bundle.json'), 'utf8');
const BUNDLE = JSON.parse(BUNDLE_TEXT);

let session;

before(async () => {
  session = await startPage();
});

after(async () => {
  await session?.close();
});

/** Opens the public page and waits until the shipped bundle is shown. */
async function openPublic() {
  const page = await session.open('/public.html');
  await page
    .locator('#status[data-state="ready"], #status[data-state="error"], #status[data-state="empty"]')
    .waitFor({ timeout: 20_000 });
  assert.equal(
    await page.locator('#status').getAttribute('data-state'),
    'ready',
    await page.locator('#status').textContent(),
  );
  return page;
}

/** "53086.68" + 0.01 → "53086.69", exactly (cents as BigInt). */
function plusOneFen(text) {
  const [int, frac = ''] = text.split('.');
  const cents = BigInt(int + frac.padEnd(2, '0').slice(0, 2)) + 1n;
  const sign = cents < 0n ? '-' : '';
  const digits = (cents < 0n ? -cents : cents).toString().padStart(3, '0');
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

test('the page opens the demo bundle and shows the point value of a month', async () => {
  const page = await openPublic();
  const fund = BUNDLE.funds[0];
  const month = fund.months.find((m) => m.point_value !== null);
  assert.ok(month, 'the demo bundle has a month with a point value');
  const cell = page.locator(
    `#trend-table td[data-fund="${fund.fund}"][data-period="${month.period}"][data-field="point_value"]`,
  );
  assert.equal(await cell.textContent(), month.point_value);
  // The hash the page computed is the one in the file.
  assert.equal(await page.locator('#hash').textContent(), BUNDLE.sha256);
  assert.equal(await page.locator('[data-hash]').getAttribute('data-hash'), 'ok');
  // The waterfall shows each step with its article.
  const reserve = fund.budget.steps.find((s) => s.article);
  if (reserve) {
    const row = page.locator(`#budget-tables tr[data-step="${reserve.key}"]`).first();
    assert.ok((await row.textContent()).includes(reserve.article), await row.textContent());
  }
  await screenshot(page, 'public-zh');
  assertSameOriginOnly(page);
  assertNoErrors(page);
});

test('Verify recomputes the bundle in the browser and it matches', async () => {
  const page = await openPublic();
  await page.locator('#verify').click();
  await page
    .locator(
      '#verify-result[data-state="match"], #verify-result[data-state="mismatch"], #verify-result[data-state="error"]',
    )
    .waitFor({ timeout: 30_000 });
  assert.equal(
    await page.locator('#verify-result').getAttribute('data-state'),
    'match',
    await page.locator('#verify-result').textContent(),
  );
  assert.match(await page.locator('#verify-result').textContent(), /一致：全部 \d+ 个公布数字与复算结果相符/);
  assertSameOriginOnly(page);
  assertNoErrors(page);
});

test('a bundle with one settlement changed by 0.01 does not match, naming the institution', async () => {
  const tampered = JSON.parse(BUNDLE_TEXT);
  // A unit whose results are published (small-cell suppression hides some, docs/bundle.md).
  const published = tampered.funds[0].units.filter((u) => u.results);
  const unit = published[published.length > 1 ? 1 : 0];
  const original = unit.results.settlement;
  unit.results.settlement = plusOneFen(original);
  const page = await openPublic();
  await page.locator('#bundle-file').setInputFiles({
    name: 'tampered.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(tampered, null, 2)),
  });
  await page.locator('#status[data-state="ready"]').waitFor();
  assert.equal(await page.locator('[data-hash]').getAttribute('data-hash'), 'bad', 'the stored hash no longer fits');
  await page.locator('#verify').click();
  await page
    .locator(
      '#verify-result[data-state="mismatch"], #verify-result[data-state="match"], #verify-result[data-state="error"]',
    )
    .waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('#verify-result').getAttribute('data-state'), 'mismatch');
  const rows = page.locator('#diff-table tbody tr');
  assert.equal(await rows.count(), 1, await page.locator('#verify-result').textContent());
  const row = rows.first();
  assert.equal(await row.getAttribute('data-subject'), unit.code);
  assert.equal(await row.getAttribute('data-field'), 'settlement');
  const text = await row.textContent();
  for (const part of [unit.code, unit.name, unit.results.settlement, original]) {
    assert.ok(text.includes(part), `${part} missing in: ${text}`);
  }
  await screenshot(page, 'public-tampered');
  assertSameOriginOnly(page);
  assertNoErrors(page);
});

test('suppressed figures show as a dash with the reason, and the bundle says what it protects', async () => {
  // The demo bundle with one unit and one month suppressed as `dipcalc publish` marks them.
  const b = JSON.parse(BUNDLE_TEXT);
  const f = b.funds[0];
  const unit = f.units[0];
  Object.assign(unit, { suppressed: true, aggregates: null, results: null });
  Object.assign(f.months[0], {
    suppressed: true,
    pool: null,
    points: null,
    pool_exact: null,
    points_exact: null,
    point_value: null,
    cumulative_point_value: null,
  });
  const page = await openPublic();
  await page.locator('#bundle-file').setInputFiles({
    name: 'suppressed.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(b, null, 2)),
  });
  await page.locator('#status[data-state="ready"]').waitFor();
  assert.match(await page.locator('#suppression-note').textContent(), new RegExp(`少于 ${b.min_cases} 个病例`));
  const row = page.locator(`#inst-table tbody tr[data-code="${unit.code}"]`);
  assert.equal(await row.locator('.suppressed').count(), 6, await row.textContent());
  assert.match(await row.locator('.suppressed').first().getAttribute('title'), /已隐藏/);
  const jan = page.locator(`#trend-table td[data-period="${f.months[0].period}"][data-field="point_value"]`).first();
  assert.equal(await jan.textContent(), '—');
  // Sorting by settlement keeps the suppressed unit last, both ways.
  for (let i = 0; i < 2; i++) {
    await page.locator('#inst-table button[data-sort="settlement"]').click();
    const codes = await page.locator('#inst-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.code));
    assert.equal(codes[codes.length - 1], unit.code);
  }
  assertNoErrors(page);
});

test('the institution table searches by code or name', async () => {
  const page = await openPublic();
  const units = BUNDLE.funds[0].units;
  const all = page.locator('#inst-table tbody tr');
  assert.equal(await all.count(), units.length);
  const target = units[units.length - 1];
  await page.locator('#inst-search').fill(target.code);
  const shown = await page.locator('#inst-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.code));
  assert.ok((shown.includes(target.code) && shown.length < units.length) || units.length === 1, shown.join(','));
  await page.locator('#inst-search').fill(target.name);
  assert.ok(
    (await page.locator('#inst-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.code))).includes(
      target.code,
    ),
  );
  await page.locator('#inst-search').fill('没有这样的机构 no such institution');
  assert.equal(await page.locator('#inst-table tbody tr').count(), 0);
  assertNoErrors(page);
});

test('English switch', async () => {
  const page = await openPublic();
  await page.locator('#lang').click();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await page.locator('h1').textContent(), 'Public point values and settlements');
  assert.match(await page.locator('#status').textContent(), /^Bundle open:/);
  assert.equal(await page.locator('#budget-tables tr[data-step="raised"] th').first().textContent(), 'Funds raised');
  await page.locator('#verify').click();
  await page.locator('#verify-result[data-state="match"]').waitFor({ timeout: 30_000 });
  assert.match(await page.locator('#verify-result').textContent(), /^✓ Matches: all \d+ published figures/);
  await screenshot(page, 'public-en');
  await page.locator('#lang').click();
  assert.equal(await page.locator('h1').textContent(), '医保点值与结算公开核验');
  assertNoErrors(page);
});

test('on a phone (375 px) nothing but the tables scrolls sideways', async () => {
  const page = await openPublic();
  await page.setViewportSize({ width: 375, height: 812 });
  await page.locator('#verify').click();
  await page.locator('#verify-result[data-state="match"]').waitFor({ timeout: 30_000 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `the page is ${width} px wide`);
  await screenshot(page, 'public-phone');
  assertNoErrors(page);
});

test('tables, captions, header scopes and labels for screen readers; print hides the controls', async () => {
  const page = await openPublic();
  const report = await page.evaluate(() => {
    const tables = [...document.querySelectorAll('main table')].map((t) => ({
      id: t.id || t.className,
      caption: t.caption?.textContent ?? '',
      unscoped: [...t.querySelectorAll('th')].filter((th) => !th.hasAttribute('scope') && th.textContent.trim()).length,
    }));
    const controls = [...document.querySelectorAll('input, select')].map((el) => ({
      id: el.id,
      labels: el.labels?.length ?? 0,
    }));
    return { tables, controls };
  });
  assert.ok(report.tables.length >= 4, JSON.stringify(report.tables));
  for (const t of report.tables) {
    assert.ok(t.caption.trim(), `table ${t.id} has no caption`);
    assert.equal(t.unscoped, 0, `table ${t.id} has header cells without scope`);
  }
  for (const c of report.controls) assert.ok(c.labels > 0, `#${c.id} has no label`);
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('#verify').isVisible(), false);
  assert.equal(await page.locator('#inst-search').isVisible(), false);
  assert.ok(await page.locator('#inst-table').isVisible());
  await screenshot(page, 'public-print');
  assertNoErrors(page);
});

test('the calculator page publishes the bundle dipcalc publish made from the same demo files', async (t) => {
  if (!existsSync(path.join(ROOT, 'www', 'demo', 'policy.json'))) {
    t.skip(
      'www/demo has no policy.json: the page settles the demo under a preset, the shipped bundle under the fixture policy',
    );
    return;
  }
  const page = await session.open('/');
  await page.waitForFunction(
    () => document.body.dataset.settled === 'true' && document.body.dataset.computing === 'false',
    null,
    { timeout: 60_000 },
  );
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-bundle')]);
  assert.match(download.suggestedFilename(), /\.bundle\.json$/);
  const file = path.join(OUTPUT_DIR, 'calculator-bundle.json');
  await download.saveAs(file);
  assert.equal(readFileSync(file, 'utf8'), BUNDLE_TEXT, 'the page and the command line made different bundles');
  assertSameOriginOnly(page);
  assertNoErrors(page);
});
