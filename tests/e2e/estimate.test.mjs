// The year-end estimate in the page (issue 13, SPEC §11), in headless Chromium: a hospital with
// only its own nine months of cases and the bureau's published monthly point values loads them
// over the demo city; the overview says the data stop at September; the 年终预估 view shows the
// projected point value and her year-end net with its interval, the chance of each risk-sharing
// band and the nearest band edge — the same figures `dipcalc estimate` prints for the same files.
// A cut-off month re-estimates, a growth that is not a rate is refused at its field, a published
// point value of 0 is a located import error, and the view reads in English too. Her previous
// year's cases (上年病例) load in the view: a bad file is refused in place with the rest intact, a
// good one is offered as the monthly weights and gives what `dipcalc estimate --previous-year FILE
// --profile previous_year` gives.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertNoErrors,
  assertSameOriginOnly,
  CLI,
  fen,
  OUTPUT_DIR,
  ROOT,
  resettle,
  settled,
  startPage,
  tab,
  upload,
} from './helpers.mjs';

const SPEC10 = path.join(ROOT, 'tests', 'fixtures', 'spec10');
const SHOTS = path.join(OUTPUT_DIR, 'screenshots');
const TMP = path.join(OUTPUT_DIR, 'estimate');
mkdirSync(SHOTS, { recursive: true });
mkdirSync(TMP, { recursive: true });

// Her own files: one institution (SPEC §10's H1), its cases January–September, and what the bureau
// published for those months (点值 only: the region's points are the month's budget ÷ 点值).
const OWN = {
  institutions: path.join(TMP, 'institutions.csv'),
  cases: path.join(TMP, 'cases.csv'),
  published: path.join(TMP, 'published.csv'),
  zero: path.join(TMP, 'published-zero.csv'),
  previous: path.join(TMP, 'cases-2023.csv'),
  previousBad: path.join(TMP, 'cases-2023-bad.csv'),
};
writeFileSync(OWN.institutions, '机构编码,机构名称,医保结算等级,基本调节系数\nH1,示例医院一,三甲,1.10\n');
writeFileSync(
  OWN.cases,
  `机构编码,险种,结算类型,病种编码,医疗总费用,个人负担,住院天数,结算日期\n${Array.from({ length: 9 }, (_, i) => {
    const m = String(i + 1).padStart(2, '0');
    return `H1,职工,DIP,G2,${4000 + 150 * ((i * 7) % 5)},900,4,2024-${m}-12\nH1,职工,DIP,G1,${9600 + 300 * (i % 3)},2000,6,2024-${m}-20`;
  }).join('\n')}\n`,
);
writeFileSync(
  OWN.published,
  `险种,月份,点值\n${Array.from({ length: 9 }, (_, i) => `职工,${i + 1},${(9.2 + 0.05 * (i % 4)).toFixed(2)}`).join('\n')}\n`,
);
writeFileSync(OWN.zero, '险种,月份,点值\n职工,1,9.2\n职工,2,0\n');
// Her previous year, all twelve months, seasonal: a Spring-Festival dip in February (one case)
// and a fourth quarter with a third case a month.
const HEAD = '机构编码,险种,结算类型,病种编码,医疗总费用,个人负担,住院天数,结算日期';
writeFileSync(
  OWN.previous,
  `${HEAD}\n${Array.from({ length: 12 }, (_, i) => {
    const m = String(i + 1).padStart(2, '0');
    const rows = [`H1,职工,DIP,G2,${3900 + 100 * (i % 4)},850,4,2023-${m}-10`];
    if (i !== 1) rows.push(`H1,职工,DIP,G1,${9400 + 200 * (i % 3)},1900,6,2023-${m}-21`);
    if (i >= 9) rows.push(`H1,职工,DIP,G1,9800,2000,6,2023-${m}-25`);
    return rows.join('\n');
  }).join('\n')}\n`,
);
writeFileSync(OWN.previousBad, `${HEAD}\nH1,职工,DIP,G2,很多,850,4,2023-01-10\n`);

/** `dipcalc estimate` on her files, parsed. */
function cli(extra = []) {
  assert.ok(existsSync(CLI), `${CLI} is missing: run \`make wasm\` (scripts/page-assets builds it)`);
  const args = ['estimate', '--policy', path.join(SPEC10, 'policy.json'), '--institutions', OWN.institutions];
  args.push('--catalog', path.join(SPEC10, 'catalog.csv'), '--cases', OWN.cases, '--published', OWN.published);
  // The page asks for the interval method its input shows (predictive, the default).
  args.push('--interval', 'predictive');
  const out = execFileSync(CLI, [...args, ...extra], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out);
}

const text = (page, selector) => page.locator(selector).first().textContent();

let session;
before(async () => {
  session = await startPage();
});
after(async () => {
  await session?.close();
});

describe('year-end estimate', { concurrency: false }, () => {
  test('her own nine months and the published point values give her year-end net with a range', async () => {
    const page = await session.open('/');
    await page.setViewportSize({ width: 1360, height: 900 });
    await settled(page);

    await tab(page, 'data');
    await page.click('[data-slot="cases"] button.ghost');
    await upload(page, 'institutions', OWN.institutions);
    await upload(page, 'catalog', path.join(SPEC10, 'catalog.csv'));
    await upload(page, 'cases', OWN.cases);
    await resettle(page, () => upload(page, 'published', OWN.published));
    await tab(page, 'policy');
    await resettle(page, () => page.setInputFiles('#policy-file', path.join(SPEC10, 'policy.json')));

    // The overview says plainly that the data stop at September.
    await tab(page, 'overview');
    const coverage = await text(page, '#coverage-warning');
    assert.match(coverage, /职工医保的数据只到 9 月/);

    await tab(page, 'estimate');
    await page.waitForSelector('[data-est-pv="employee"]');
    await settled(page);
    const expected = cli();
    assert.equal(expected.region, 'published');
    const f = expected.funds.find((x) => x.months.fund === 'employee');
    assert.deepEqual(f.months.projected, [10, 11, 12]);
    const pv = await page.locator('[data-est-pv="employee"]').evaluate((el) => el.firstChild.textContent);
    assert.equal(pv, f.point_value.central, 'the projected point value');
    assert.match(await text(page, '[data-est-pv-range="employee"]'), /80% 区间/);

    // Her year-end net, and S, T, fund payment and net as estimate / P10 / P50 / P90.
    const u = f.units.find((x) => x.code === 'H1');
    const cells = await page
      .locator('#estimate-unit tbody tr')
      .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    const figures = [u.settlement, u.target, u.fund_pays, u.net_to_pay];
    assert.equal(cells.length, 4);
    cells.forEach((row, i) => {
      const r = figures[i];
      assert.deepEqual(row.map(fen), [r.central, r.p10, r.p50, r.p90].map(fen), `row ${i} of the estimate table`);
    });
    const net = await page.locator('#estimate-net .kpi-value').evaluate((el) => el.firstChild.textContent);
    assert.equal(fen(net), fen(u.net_to_pay.central.replace('-', '')));
    assert.ok(cmpRange(u.net_to_pay), 'P10 ≤ P50 ≤ P90');

    // The chance of each band: one line per band the draws landed in, the shares adding to 100%.
    const bands = await page.locator('#estimate-bands li').evaluateAll((lis) => lis.map((li) => li.dataset.band));
    assert.deepEqual(bands.sort(), Object.keys(u.bands).sort());
    const total = Object.values(u.bands).reduce((a, b) => a + Number(b), 0);
    assert.ok(Math.abs(total - 1) < 0.01, `band shares add up to ${total}`);
    if (u.nearest_edge) assert.match(await text(page, '#estimate-edge'), /距最近的分担边界/);
    assert.match(await text(page, '#estimate-region'), /区域公布数据/);
    await page.screenshot({ path: path.join(SHOTS, 'estimate-1360.png'), fullPage: true });

    // A cut-off month: June; the figures follow `dipcalc estimate --through 6`.
    await page.selectOption('#est-through', '6');
    const june = cli(['--through', '6']).funds.find((x) => x.months.fund === 'employee');
    await page.waitForFunction(
      (v) => document.querySelector('[data-est-pv="employee"]')?.firstChild.textContent === v,
      june.point_value.central,
      { timeout: 30_000 },
    );
    assert.match(await text(page, '#view-estimate .fund-card'), /数据截至 6 月，7、8、9、10、11、12 月按推算/);
    // The fan chart of the point value is drawn.
    await page.waitForSelector('#estimate-fan canvas');

    // The interval method: SPEC §11's run-rate interval, as `--interval run_rate` gives it; the
    // central estimate is the same.
    await page.selectOption('#est-interval', 'run_rate');
    const runRate = cli(['--through', '6', '--interval', 'run_rate']).funds.find((x) => x.months.fund === 'employee');
    const lo = runRate.units.find((x) => x.code === 'H1').net_to_pay.p10;
    await page.waitForFunction(
      (want) => {
        const td = document.querySelectorAll('#estimate-unit tbody tr')[3]?.querySelectorAll('td')[1];
        if (!td) return false;
        const shown = td.textContent.trim();
        return `${/^[−-]/.test(shown) ? '-' : ''}${shown.replace(/[^\d]/g, '')}` === want;
      },
      lo.replace('.', ''),
      { timeout: 30_000 },
    );
    assert.equal(runRate.point_value.central, june.point_value.central);
    await page.selectOption('#est-interval', 'predictive');

    // Her previous year's cases. A bad file is refused in place, located; the estimate stays.
    await settled(page);
    const before = await page.locator('[data-est-pv="employee"]').evaluate((el) => el.firstChild.textContent);
    await page.setInputFiles('#est-previous-file', OWN.previousBad);
    await page.waitForSelector('#est-previous-error', { timeout: 60_000 });
    assert.match(await text(page, '#est-previous-error'), /cases-2023-bad\.csv/);
    assert.match(await text(page, '#est-previous-error'), /第 2 行/);
    assert.equal(await page.locator('#est-profile option[value="previous_year"]').count(), 0);
    assert.equal(
      await page.locator('[data-est-pv="employee"]').evaluate((el) => el.firstChild.textContent),
      before,
      'the estimate stays',
    );
    // A good one is offered as the monthly weights; chosen, the figures follow the command line.
    await page.setInputFiles('#est-previous-file', OWN.previous);
    await page.waitForSelector('#est-profile option[value="previous_year"]', { state: 'attached', timeout: 60_000 });
    assert.equal(await page.locator('#est-previous-error').count(), 0);
    assert.match(await text(page, '#est-previous-status'), /cases-2023\.csv：26 例/);
    await page.selectOption('#est-profile', 'previous_year');
    const withPrevious = cli(['--through', '6', '--previous-year', OWN.previous, '--profile', 'previous_year']);
    const fp = withPrevious.funds.find((x) => x.months.fund === 'employee');
    assert.equal(fp.months.profile, 'previous_year');
    assert.notEqual(fp.point_value.central, june.point_value.central, 'last year is not even months');
    await page.waitForFunction(
      (v) => document.querySelector('[data-est-pv="employee"]')?.firstChild.textContent === v,
      fp.point_value.central,
      { timeout: 30_000 },
    );
    await settled(page);
    const hp = fp.units.find((x) => x.code === 'H1');
    const netCells = await page
      .locator('#estimate-unit tbody tr')
      .nth(3)
      .locator('td')
      .evaluateAll((tds) => tds.map((td) => td.textContent));
    assert.deepEqual(
      netCells.map(fen),
      [hp.net_to_pay.central, hp.net_to_pay.p10, hp.net_to_pay.p50, hp.net_to_pay.p90].map(fen),
    );
    // The notes say which weights were used, and from which file.
    assert.match(
      await text(page, '#estimate-profile'),
      /职工医保的月度权重：上年病例各月区域点数占比。（cases-2023\.csv）/,
    );
    assert.match(await text(page, '#estimate-notices'), /月度权重取自上一年度各月区域点数占比/);
    // Removed, the weights go back to automatic.
    await page.click('#est-previous-clear');
    await page.waitForFunction(() => !document.querySelector('#est-profile option[value="previous_year"]'), null, {
      timeout: 60_000,
    });
    assert.equal(await page.locator('#est-profile').inputValue(), 'auto');
    await page.waitForFunction(
      (v) => document.querySelector('[data-est-pv="employee"]')?.firstChild.textContent === v,
      june.point_value.central,
      { timeout: 30_000 },
    );

    // A growth that is not a rate is refused at its field; the last estimate stays.
    await page.fill('#est-growth', 'lots');
    await page.press('#est-growth', 'Tab');
    await page.waitForSelector('#view-estimate .field-error');
    assert.match(await text(page, '#view-estimate .field-error'), /不是增长率/);
    await page.fill('#est-growth', '');
    await page.press('#est-growth', 'Tab');

    // In English.
    await page.click('#lang');
    await settled(page);
    assert.equal((await text(page, '.tabs button[data-view="estimate"]')).trim(), 'Year-end estimate');
    await page.waitForSelector('#estimate-net');
    assert.match(await text(page, '#estimate-net .kpi-label'), /Projected year end/);
    await page.click('#lang');
    await settled(page);

    // A published point value of 0 is refused with its row and column.
    await tab(page, 'data');
    await page.setInputFiles('input[type=file][data-kind="published"]', OWN.zero);
    await page.waitForSelector('[data-errors="published"]');
    assert.match(await text(page, '[data-errors="published"]'), /不大于 0/);

    assertNoErrors(page);
    assertSameOriginOnly(page);
  });
});

/** p10 ≤ p50 ≤ p90 of a range (decimal strings). */
function cmpRange(r) {
  const [a, b, c] = [r.p10, r.p50, r.p90].map(fen);
  return a <= b && b <= c;
}
