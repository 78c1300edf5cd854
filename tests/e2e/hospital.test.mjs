// The page as a hospital's 医保办 uses it (issue 19), in headless Chromium on the demo city: she
// chooses her hospital, changes 追加预算 and her own coefficient in the 常用参数 card, reads the
// new year-end net and the cliff sentence in the 本院 panel, and exports her page — in Chinese
// and English, at 390, 768 and 1360 px, with nothing wider than the screen. Also: a scenario
// opened from a link shows the same point value, what people type is read ('60%', '500万'), a
// refused value names its field, the chosen hospital is remembered, the data view says which
// file is still expected, and the public page's table sorts and downloads as escaped CSV.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertNoErrors,
  assertSameOriginOnly,
  fen,
  OUTPUT_DIR,
  ROOT,
  resettle,
  settled,
  startPage,
  tab,
} from './helpers.mjs';

const SPEC10 = path.join(ROOT, 'tests', 'fixtures', 'spec10');
const SHOTS = path.join(OUTPUT_DIR, 'screenshots');
const TMP = path.join(OUTPUT_DIR, 'hospital');
mkdirSync(SHOTS, { recursive: true });
mkdirSync(TMP, { recursive: true });

const WIDTHS = [
  [390, 844],
  [768, 1024],
  [1360, 900],
];

/** Nothing on the page is wider than the window (no sideways scrolling of the page itself). */
async function assertFits(page, where) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${where}: the page is ${scroll} px wide in a ${client} px window`);
}

/** A decimal string times 10^places, exactly ('3.5', 4 → '35000'; '12000', -4 → '1.2'). */
function shift(text, places) {
  const [whole, frac = ''] = text.split('.');
  const digits = whole + frac;
  const point = whole.length + places;
  const padded =
    point > digits.length ? digits.padEnd(point, '0') : point < 1 ? '0'.repeat(1 - point) + digits : digits;
  const at = Math.max(point, 1);
  const out = `${padded.slice(0, at)}.${padded.slice(at)}`.replace(/\.?0*$/, '').replace(/^0+(?=\d)/, '');
  return out || '0';
}

const stripBudget = (page) =>
  page.locator('.strip [data-budget="employee"] .kpi-value').evaluate((el) => el.firstChild.textContent);
const pvStrip = (page, fund) =>
  page.locator(`.strip [data-pv="${fund}"] .kpi-value`).evaluate((el) => el.firstChild.textContent);

let session;
before(async () => {
  session = await startPage();
});
after(async () => {
  await session?.close();
});

describe('the hospital desk', { concurrency: false }, () => {
  for (const lang of ['zh', 'en']) {
    for (const [width, height] of WIDTHS) {
      test(`her path in ${lang} at ${width} px: hospital, 追加预算, her coefficient, the net and the cliff, her report`, async () => {
        const page = await session.open('/');
        await page.setViewportSize({ width, height });
        if (lang === 'en') await page.evaluate(() => localStorage.setItem('dipcalc.lang', 'en'));
        await page.reload();
        await settled(page);
        for (const view of ['overview', 'institutions', 'mine', 'policy', 'compare', 'data']) {
          await tab(page, view);
          assert.equal(await page.evaluate(() => window.scrollY), 0, `${view} opens at its top`);
          await assertFits(page, `${lang} ${width}px ${view}`);
        }
        await tab(page, 'mine');
        // Her hospital: the second unit of the fund.
        const code = await page.locator('#mine-pick option').nth(1).getAttribute('value');
        await resettle(page, () => page.selectOption('#mine-pick', code));
        assert.equal(await page.locator('#panel-pick').inputValue(), code);
        const netBefore = await page.locator('#panel-net').getAttribute('data-value');
        const prepaidBefore = await page.locator('#panel-prepaid').getAttribute('data-value');
        const budgetBefore = await stripBudget(page);

        // 500万 of 追加预算, typed as people write it: the budget rises by exactly 500.00 万元.
        await resettle(page, () => page.locator('input[data-lever="adjustment"]').fill('500万'));
        assert.equal(
          fen(await stripBudget(page)) - fen(budgetBefore),
          50_000n,
          `${budgetBefore} → ${await stripBudget(page)}`,
        );
        const netAfter = await page.locator('#panel-net').getAttribute('data-value');
        assert.notEqual(netAfter, netBefore, 'her year-end net moved');
        // A 追加 typed in October is 年终 (SPEC §7.2): what the months and Q1–Q3 paid stays.
        const when = page.locator('select[data-effective-for="adjustment"]');
        assert.equal(await when.inputValue(), 'year_end');
        const prepaid = () => page.locator('#panel-prepaid').getAttribute('data-value');
        assert.equal(await prepaid(), prepaidBefore, 'a year-end 追加 leaves the prepayments as paid');
        // Taken as known in January instead, Q1–Q3 are cleared again at the larger budget: the
        // prepayments change and the year-end net by exactly as much the other way.
        await resettle(page, () => when.selectOption('year_start'));
        const prepaidJan = await prepaid();
        const netJan = await page.locator('#panel-net').getAttribute('data-value');
        assert.notEqual(prepaidJan, prepaidBefore, 'from January, the quarters are cleared again');
        assert.equal(fen(netAfter) - fen(netJan), fen(prepaidJan) - fen(prepaidBefore));
        await resettle(page, () => page.locator('select[data-effective-for="adjustment"]').selectOption('year_end'));
        assert.equal(await page.locator('#panel-net').getAttribute('data-value'), netAfter);
        assert.ok(
          (await page.locator('#mine-panel .delta').count()) > 0,
          'the panel shows changes against the baseline',
        );

        // Her own coefficient, 0.05 lower: her points fall, and the value is marked as hers.
        const points = await page.locator('#mine-panel .pfig').first().locator('.pfig-value').textContent();
        const coef = page.locator('input[data-lever="coefficient"]');
        const own = (await coef.inputValue()) || (await coef.getAttribute('placeholder'));
        const lower = (Number(own) - 0.05).toFixed(4);
        await resettle(page, () => coef.fill(lower));
        assert.notEqual(await page.locator('#mine-panel .pfig').first().locator('.pfig-value').textContent(), points);
        await page.click('#levers h3'); // focus leaves the card: it is drawn again with the marks
        await settled(page);
        assert.equal(await page.locator('[data-lever-row="coefficient"] .mark-user').count(), 1);

        // The cliff in yuan.
        const cliff = await page.locator('#cliff').textContent();
        assert.match(
          cliff,
          lang === 'zh'
            ? /^(超支|结余) [\d.]+%，(距 .+ 边界还差 ¥[\d,.]+ 的费用；|已越过 .+ 边界 ¥[\d,.]+；)/
            : /^(Over|Under) by [\d.]+%: /,
        );
        if (lang === 'zh')
          assert.doesNotMatch(
            await page.locator('#mine-panel').textContent(),
            /[A-Za-z]{4,}/,
            'no English words in the Chinese panel',
          );
        else
          assert.doesNotMatch(
            await page
              .locator('#mine-panel .pfigs, #cliff, #levers .lever')
              .allTextContents()
              .then((x) => x.join(' ')),
            /[元万亿]/,
            'no 元/万 in the English panel',
          );
        await assertFits(page, `${lang} ${width}px mine after edits`);
        await page.waitForTimeout(150);
        await page.screenshot({ path: path.join(SHOTS, `hospital-${lang}-${width}.png`), fullPage: false });

        // Her page: Excel through the export, and the one-page print.
        const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('#xlsx-mine')]);
        const file = path.join(TMP, `mine-${lang}-${width}.xlsx`);
        await xlsx.saveAs(file);
        assert.equal(readFileSync(file).subarray(0, 4).toString('latin1'), 'PK\x03\x04');
        await page.evaluate(() => {
          document.body.dataset.print = 'mine';
        });
        await page.emulateMedia({ media: 'print' });
        assert.equal(await page.locator('#view-overview').isVisible(), false);
        assert.equal(await page.locator('#view-mine').isVisible(), true);
        if (width === 1360) await page.pdf({ path: path.join(SHOTS, `mine-report-${lang}.pdf`), format: 'A4' });
        await page.emulateMedia({ media: 'screen' });
        assertSameOriginOnly(page);
        assertNoErrors(page);
      });
    }
  }

  for (const lang of ['zh', 'en']) {
    test(`the arithmetic in ${lang}: every line labelled, decimals rounded for reading, exact on demand; no internal keys or 元/万 in English`, async () => {
      const page = await session.open('/');
      await page.setViewportSize({ width: 1360, height: 900 });
      if (lang === 'en') await page.evaluate(() => localStorage.setItem('dipcalc.lang', 'en'));
      await page.reload();
      await settled(page);
      await tab(page, 'institutions');
      await page.locator('#unit-table tr.unit .twisty').first().click();
      await page.waitForSelector('.trace-row table.trace');
      const labels = await page.locator('.trace-row th.trace-label').allTextContents();
      assert.ok(labels.length > 20, `${labels.length} lines`);
      for (const l of labels) assert.match(l, /\S/, 'every line has a label');
      if (lang === 'zh') {
        for (const l of labels) assert.doesNotMatch(l, /[A-Za-z]{4,}/, `no English in the Chinese label ${l}`);
        assert.ok(labels.some((l) => /季度清算$/.test(l)));
      } else assert.ok(labels.some((l) => /quarterly clearing$/.test(l)));
      const values = page.locator('.trace-row table.trace td.num .rounded');
      for (const v of await values.allTextContents()) assert.match(v, /^−?[\d,]+\.\d\d$/, `${v} rounded to the fen`);
      const formulas = await page.locator('.trace-row table.trace td.formula').evaluateAll((tds) =>
        tds.map((td) =>
          [...td.childNodes]
            .filter((n) => !n.classList?.contains('exact'))
            .map((n) => n.textContent)
            .join(''),
        ),
      );
      for (const f of formulas) assert.doesNotMatch(f, /\d\.\d{3,}/, `${f}: read with at most 2 decimals`);
      // The exact values, on demand.
      assert.equal(await page.locator('.trace-row td.num .exact').first().isVisible(), false);
      await page.locator('.trace-row .trace-exact input').check();
      assert.equal(await page.locator('.trace-row td.num .exact').first().isVisible(), true);
      assert.equal(await page.locator('.trace-row td.num .rounded').first().isVisible(), false);
      const points = await page
        .locator('.trace-row table.trace tbody tr')
        .first()
        .locator('td.num .exact')
        .textContent();
      assert.equal(
        points,
        await page.locator('.trace-row table.trace tbody tr').first().locator('td.num').getAttribute('title'),
      );
      if (lang === 'en') {
        // The institution table as CSV in English: flags in words, never the engine's keys.
        const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
        const file = path.join(TMP, 'institutions-en.csv');
        await csv.saveAs(file);
        const text = readFileSync(file, 'utf8');
        assert.doesNotMatch(text, /qc_held|near_band_edge|review_over_limit|prepaid_from_input/);
        // The policy form's amounts: units in English.
        await tab(page, 'policy');
        const units = await page.locator('#view-policy select[data-path$=".unit"] option').allTextContents();
        assert.ok(units.length > 0);
        for (const u of units) assert.doesNotMatch(u, /[元万亿]/);
      }
      assertSameOriginOnly(page);
      assertNoErrors(page);
    });
  }

  test('a scenario is a link: the policy in the fragment reopens with the same point value', async () => {
    const page = await session.open('/');
    await settled(page);
    const before = await pvStrip(page, 'employee');
    await tab(page, 'policy');
    await resettle(page, () => page.locator('input[data-path="funds.employee.reserve.rate"]').fill('12%'));
    const edited = await pvStrip(page, 'employee');
    assert.notEqual(edited, before);
    await page.waitForFunction(() => location.hash.startsWith('#policy='));
    const link = page.url();
    assert.ok(link.length < 40_000, `the link is ${link.length} characters`);
    // A fresh browser context: nothing remembered, only the link.
    const other = await session.open(new URL(link).pathname + new URL(link).hash);
    await settled(other);
    assert.equal(await pvStrip(other, 'employee'), edited);
    await tab(other, 'policy');
    assert.equal(await other.locator('input[data-path="funds.employee.reserve.rate"]').inputValue(), '12');
    assertSameOriginOnly(other);
    assertNoErrors(other);
  });

  test('what people type is read, a refused value names its field, edited values are marked, the hospital is remembered', async () => {
    const page = await session.open('/');
    await settled(page);
    await tab(page, 'policy');
    const rate = page.locator('input[data-path="funds.employee.reserve.rate"]');
    await page.evaluate(() => {
      document.body.dataset.settled = 'pending';
    });
    await rate.fill('abc');
    const message = await page
      .locator('.field[data-path="funds.employee.reserve.rate"] .field-msg.typed')
      .textContent();
    assert.match(message, /^提取比例：请输入百分数，如 60 或 60%$/);
    assert.doesNotMatch(message, /funds\.|Decimal/);
    await resettle(page, () => rate.fill('7.5%'));
    assert.equal(await page.locator('.field[data-path="funds.employee.reserve.rate"] .mark').textContent(), '修改');
    // An amount typed with its unit: the unit follows, and the same amount settles the same.
    const raised = 'funds.employee.raised';
    const value = await page.locator(`input[data-path="${raised}.value"]`).inputValue();
    const unit = await page.locator(`select[data-path="${raised}.unit"]`).inputValue();
    const pv = await pvStrip(page, 'employee');
    const typed = unit === '亿元' ? `${shift(value, 4)}万` : `${shift(value, unit === '万元' ? -4 : -8)}亿`;
    await resettle(page, () => page.locator(`input[data-path="${raised}.value"]`).fill(typed));
    assert.equal(
      await page.locator(`select[data-path="${raised}.unit"]`).inputValue(),
      unit === '亿元' ? '万元' : '亿元',
    );
    assert.equal(await pvStrip(page, 'employee'), pv, `${value} ${unit} typed as ${typed}`);
    await tab(page, 'mine');
    const code = await page.locator('#mine-pick option').nth(2).getAttribute('value');
    await resettle(page, () => page.selectOption('#mine-pick', code));
    await page.reload();
    await settled(page);
    await tab(page, 'mine');
    assert.equal(await page.locator('#mine-pick').inputValue(), code);
    await page.evaluate(() => localStorage.clear());
    assertSameOriginOnly(page);
  });

  test('loading her own files over the demo: which file is still expected, no wall of errors, the demo cleared', async () => {
    const page = await session.open('/');
    await page.setViewportSize({ width: 1360, height: 900 });
    await settled(page);
    await tab(page, 'data');
    await page.setInputFiles('input[type=file][data-kind="institutions"]', path.join(SPEC10, 'institutions.csv'));
    await page.waitForFunction(() =>
      /病种目录、病例明细/.test(document.querySelector('#data-expect')?.textContent ?? ''),
    );
    assert.equal(await page.locator('#errors-check').count(), 0);
    await page.setInputFiles('input[type=file][data-kind="catalog"]', path.join(SPEC10, 'catalog.csv'));
    await page.waitForFunction(() => /病例明细/.test(document.querySelector('#data-expect')?.textContent ?? ''));
    // A bad case file does not replace the demo's until she chooses.
    const bad = path.join(TMP, 'bad-cases.csv');
    writeFileSync(bad, '机构编码,险种,病种编码,医疗总费用,个人负担,结算日期\nH1,职工,G1,12abc,3000,2024-03-06\n');
    await page.setInputFiles('input[type=file][data-kind="cases"]', bad);
    await page.locator('#errors-cases table').waitFor();
    assert.match(await page.locator('[data-slot="cases"] .slot-status').textContent(), /示例.*仍使用上一个文件/);
    await resettle(page, () =>
      page.setInputFiles('input[type=file][data-kind="cases"]', path.join(SPEC10, 'cases.csv')),
    );
    await page.screenshot({ path: path.join(SHOTS, 'data-own-files-zh.png'), fullPage: true });
    assert.equal(await page.locator('#clear-demo').count(), 0, 'nothing of the demo is left');
    assertSameOriginOnly(page);
    assertNoErrors(page);
  });

  test('the public page: the hospital table sorts and downloads as CSV, month on month, B to the pool', async () => {
    const page = await session.open('/public.html');
    await page.locator('#status[data-state="ready"]').waitFor({ timeout: 20_000 });
    await page.click('#inst-table button[data-sort="net_to_pay"]');
    await page.click('#inst-table button[data-sort="net_to_pay"]'); // ascending
    const nets = await page.locator('#inst-table tbody td[data-field="net_to_pay"]').allTextContents();
    const values = nets.map(fen);
    assert.deepEqual(
      values,
      [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#inst-csv')]);
    const file = path.join(TMP, 'public.csv');
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8')
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    assert.equal(lines.length, nets.length + 1);
    assert.match(lines[0], /^编码,名称,等级,点数/);
    assert.ok((await page.locator('#trend-table td[data-field="mom"]').count()) > 0);
    assert.equal((await page.locator('#budget-tables tr[data-step="pool"]').count()) >= 1, true);
    for (const width of [390, 768]) {
      await page.setViewportSize({ width, height: 900 });
      await assertFits(page, `public ${width}px`);
    }
    assertSameOriginOnly(page);
    assertNoErrors(page);
  });
});
