// The 年初测算 view (issue 16), in headless Chromium: three years of case files built here from
// SPEC §10's cases (2022 at 90% of the costs, 2023 at 95%, 2024 as they are), with SPEC §10's
// institutions, catalog and policy loaded under 数据导入 and 政策参数. The year-start point value,
// a group's score, a proposed level coefficient and the simulation's budgeted point value equal
// what `dipcalc calibrate` prints for the same files, and the exported catalog CSV has the same
// bytes as its --catalog-out. The proposal opens as a scenario in 情景比较, the overview shows the
// settlement's point value against the year-start one, and a bad history file names its row.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertNoErrors,
  assertSameOriginOnly,
  CLI,
  OUTPUT_DIR,
  ROOT,
  resettle,
  settled,
  startPage,
  tab,
  upload,
} from './helpers.mjs';

const SPEC10 = path.join(ROOT, 'tests', 'fixtures', 'spec10');
const TMP = path.join(OUTPUT_DIR, 'yearstart');
mkdirSync(TMP, { recursive: true });

/** SPEC §10's cases as year `year`, costs and personal burdens × percent ÷ 100 (exact integers). */
function historyFile(year, percent) {
  const [header, ...rows] = readFileSync(path.join(SPEC10, 'cases.csv'), 'utf8').trim().split('\n');
  const scaled = rows.map((line) => {
    const c = line.split(',');
    for (const i of [4, 5]) {
      const v = Number(c[i]) * percent;
      assert.equal(v % 100, 0, `${c[i]} × ${percent}% is not whole`);
      c[i] = String(v / 100);
    }
    c[7] = c[7].replace('2024', String(year));
    return c.join(',');
  });
  const file = path.join(TMP, `${year}.csv`);
  writeFileSync(file, `${[header, ...scaled].join('\n')}\n`);
  return file;
}

const HISTORY = [historyFile(2022, 90), historyFile(2023, 95), historyFile(2024, 100)];

function calibrateCli(extra) {
  assert.ok(existsSync(CLI), `${CLI} is missing: run \`make wasm\` (scripts/page-assets builds it)`);
  const args = ['calibrate', ...HISTORY.flatMap((f) => ['--history', f])];
  args.push('--institutions', path.join(SPEC10, 'institutions.csv'), '--catalog', path.join(SPEC10, 'catalog.csv'));
  args.push('--policy', path.join(SPEC10, 'policy.json'), ...extra);
  return JSON.parse(execFileSync(CLI, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
}

async function loadSpec10(page) {
  await tab(page, 'data');
  await page.click('[data-slot="cases"] button.ghost');
  await upload(page, 'institutions', path.join(SPEC10, 'institutions.csv'));
  await upload(page, 'catalog', path.join(SPEC10, 'catalog.csv'));
  await resettle(page, () => upload(page, 'cases', path.join(SPEC10, 'cases.csv')));
  await tab(page, 'policy');
  await resettle(page, () => page.setInputFiles('#policy-file', path.join(SPEC10, 'policy.json')));
}

const ready = (page) =>
  page.waitForSelector('#view-yearstart[data-ready="true"] #ys-pv', { timeout: 60_000 }).then(() => undefined);
const cell = (page, selector) => page.locator(selector).textContent();

let session;
before(async () => {
  session = await startPage();
});
after(async () => {
  await session?.close();
});

describe('year start view', { concurrency: false }, () => {
  test('three years give the command line’s point value, scores, coefficients, simulation and catalog', async () => {
    const catalogOut = path.join(TMP, 'catalog-cli.csv');
    const expected = calibrateCli(['--simulate', '--catalog-out', catalogOut]);
    const cal = expected.calibration;

    const page = await session.open('/');
    await page.setViewportSize({ width: 1360, height: 900 });
    await settled(page);
    await loadSpec10(page);
    await tab(page, 'yearstart');
    await page.setInputFiles('#ys-history', HISTORY);
    await ready(page);

    assert.deepEqual(await page.locator('#ys-years li').allTextContents(), [
      '2022.csv · 11 例',
      '2023.csv · 11 例',
      '2024.csv · 11 例',
    ]);
    assert.equal(await cell(page, '#ys-pv'), cal.point_value.value);
    const g1 = cal.groups.find((g) => g.code === 'G1');
    assert.equal(await cell(page, '#ys-groups tr[data-code="G1"] td.score'), g1.score);
    const top = cal.levels.levels.find((l) => l.level === '三甲');
    assert.ok(top.proposed, 'the command line proposes a 三甲 coefficient');
    assert.equal(await cell(page, '#ys-levels tr[data-level="三甲"] td.proposed'), top.proposed);
    // The policy's table in force beside it, as --policy puts it.
    assert.equal(await page.locator('#ys-levels tr[data-level="三甲"] td').last().textContent(), top.current ?? '—');
    // The score chart is drawn (a canvas from the vendored ECharts).
    assert.equal(await page.locator('#chart-ys-scores canvas').count(), 1);

    // The catalog file: the same bytes as --catalog-out.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#ys-export-csv')]);
    const saved = path.join(TMP, 'catalog-page.csv');
    await download.saveAs(saved);
    assert.deepEqual(readFileSync(saved), readFileSync(catalogOut));

    // The simulation of the latest year under the policy: the budgeted point value and the rate.
    await page.click('#ys-simulate');
    const fund = expected.simulation[0];
    await page.waitForSelector(`[data-budgeted-pv="${fund.fund}"]`, { timeout: 60_000 });
    assert.equal(await cell(page, `[data-budgeted-pv="${fund.fund}"]`), fund.budgeted_point_value);
    assert.equal(
      (await cell(page, `#ys-sim-levels-${fund.fund} tbody tr:last-child td:nth-child(5)`)).replace(/,/g, ''),
      fund.total.settlement,
    );

    // The overview: the settlement's point value against the year-start one.
    await tab(page, 'overview');
    const rate = await cell(page, `[data-pv-difference="${fund.fund}"]`);
    assert.match(rate, /^−?\d+\.\d\d%$/);
    assert.equal(await cell(page, `[data-year-start-pv="${fund.fund}"]`), cal.point_value.value);

    // The proposal as a scenario: the policy in force is the baseline, 情景比较 opens.
    await tab(page, 'yearstart');
    await resettle(page, () => page.click('#ys-scenario'));
    await page.waitForSelector('#view-compare:not([hidden])');
    // The page remembers the policy it settled (its scenario) and the baseline beside it.
    const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('dipcalc.policy')));
    const level = (json) => JSON.parse(json).coefficients.levels.find((l) => l.level === '三甲').coefficient;
    assert.equal(level(kept.policy), top.proposed);
    // SPEC §10's policy has no level table (its institutions carry their own coefficients).
    assert.deepEqual(JSON.parse(kept.baseline).coefficients.levels, []);

    // English labels.
    await page.click('#lang');
    await tab(page, 'yearstart');
    assert.equal(await page.locator('#ys-run').textContent(), 'Calibrate');

    assertSameOriginOnly(page);
    assertNoErrors(page);
  });

  test('a bad history file is refused with its row, and the view stays usable', async () => {
    const page = await session.open('/');
    await settled(page);
    await tab(page, 'yearstart');
    const bad = path.join(TMP, 'bad-2023.csv');
    writeFileSync(bad, readFileSync(HISTORY[1], 'utf8').replace('31350', '31x350'));
    await page.setInputFiles('#ys-history', [HISTORY[0], bad]);
    await page.waitForSelector('#ys-error', { timeout: 60_000 });
    const text = await page.locator('#ys-error').textContent();
    assert.match(text, /bad-2023\.csv/);
    assert.match(text, /31x350/);
    assert.equal(await page.locator('#ys-run').isDisabled(), true);
    assertSameOriginOnly(page);
    assertNoErrors(page);
  });
});
