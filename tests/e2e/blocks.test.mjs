// What a fund settles beside the DIP pool, on the page (issue 14): the outpatient settlement
// (吉林2024 第十三–二十条, 第二十三条), a 医共体's outpatient lump sum (宁德2025答复 一), the 调剂金's uses
// (休宁2021 12), the 除外支付 outlay (宁德2024 第七条(一)), the region's 特例单议 and the 运行监测
// indicators — read on the overview in Chinese and English against `dipcalc run`'s JSON for the same
// files and policy, and the page's CSV export against the command line's. Then the 基金支付口径
// control (吉林2024 第六条) against `--fund-parts`.

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertNoErrors,
  assertSameOriginOnly,
  dipcalc,
  fen,
  OUTPUT_DIR,
  ROOT,
  resettle,
  settled,
  startPage,
  tab,
  upload,
} from './helpers.mjs';

const IMPORT = path.join(ROOT, 'tests', 'fixtures', 'import');
const SPEC10 = path.join(ROOT, 'tests', 'fixtures', 'spec10');
const TMP = path.join(OUTPUT_DIR, 'blocks');
const SHOTS = path.join(OUTPUT_DIR, 'screenshots');
mkdirSync(TMP, { recursive: true });
mkdirSync(SHOTS, { recursive: true });

const yuan = (value) => ({ value, unit: '元' });

// 吉林2024 (outpatient budget share, quarterly outpatient point values) with every block on: a
// resident lump sum for 福安医共体 (H2, H3: outpatient fund cost 22,000 + 53,000 = 75,000 against
// 72,000), 除外支付 at 80%, the region's 特例单议 cap, the monitoring indicators and an employee 调剂金
// with a named use.
const POLICY = path.join(TMP, 'policy.json');
const policy = JSON.parse(dipcalc(['preset', '吉林2024']));
policy.funds.resident.alliance_lump_sums = [{ alliance: '福安医共体', amount: yuan('72000') }];
policy.funds.employee.adjustment_fund = {
  amount: yuan('5000'),
  city_total_points: null,
  uses: [{ label: '药品耗材激励', amount: yuan('1000') }],
  pays_alliance_overspend: true,
};
policy.points.excluded_fund_share = '0.8';
policy.points.review_region_limit = '0.005';
policy.settlement.monitoring = { year_start_point_value: null, last_year_point_value: null };
writeFileSync(POLICY, `${JSON.stringify(policy, null, 2)}\n`);

const FILES = {
  institutions: path.join(IMPORT, 'institutions.csv'),
  catalog: path.join(IMPORT, 'catalog.csv'),
  cases: path.join(IMPORT, 'cases.csv'),
  outpatient: path.join(IMPORT, 'outpatient.csv'),
};
const fileArgs = Object.entries(FILES).flatMap(([k, f]) => [`--${k}`, f]);
const run = (extra = []) => dipcalc(['run', '--policy', POLICY, ...fileArgs, ...extra]);

// SPEC §10's cases with the fund's payment split into columns and no 个人负担: 统筹 pays the cost less
// the personal burden less 1,000 of 大额 (职工 rows).
const PARTS_CASES = path.join(TMP, 'cases-parts.csv');
{
  const [head, ...rows] = readFileSync(path.join(SPEC10, 'cases.csv'), 'utf8').trim().split('\n');
  const cols = head.split(',');
  const at = (name) => cols.indexOf(name);
  const out = [
    ['机构编码', '险种', '结算类型', '病种编码', '医疗总费用', '统筹基金支付', '大额医疗费用补助', '结算日期'],
  ];
  for (const line of rows) {
    const c = line.split(',');
    const cost = Number(c[at('医疗总费用')]);
    const personal = Number(c[at('个人负担')]);
    out.push([c[0], c[1], c[2], c[3], c[at('医疗总费用')], String(cost - personal - 1000), '1000', c[at('结算日期')]]);
  }
  writeFileSync(PARTS_CASES, `${out.map((r) => r.join(',')).join('\n')}\n`);
}

let session;
before(async () => {
  session = await startPage();
});
after(() => session?.close());

async function openWith(files, policyFile) {
  const page = await session.open('/');
  await page.setViewportSize({ width: 1360, height: 900 });
  await settled(page);
  await tab(page, 'data');
  await page.click('[data-slot="cases"] button.ghost');
  // The files may not settle under the demo's policy: the policy file loaded next settles them.
  for (const [kind, file] of Object.entries(files)) await upload(page, kind, file);
  await tab(page, 'policy');
  await resettle(page, () => page.setInputFiles('#policy-file', policyFile));
  return page;
}

const text = (page, selector) => page.locator(selector).first().textContent();
const cells = (page, selector) => page.locator(`${selector} td`).allTextContents();

describe('the overview shows every block the settlement has', () => {
  test('outpatient, lump sum, 调剂金, 除外支付, 特例单议 and monitoring figures are the command line’s', async () => {
    const expected = JSON.parse(run(['--format', 'json']));
    const fund = (key) => expected.funds.find((f) => f.fund === key);
    const page = await openWith(FILES, POLICY);
    await tab(page, 'overview');

    // Outpatient, per fund: the pool, points by kind, the year's and each quarter's point value, and
    // each institution's settlement and its quarters.
    for (const key of ['employee', 'resident']) {
      const o = fund(key).outpatient;
      const card = `#outpatient-${key}`;
      assert.equal(await text(page, `${card} [data-op="point_value"]`), o.point_value, key);
      assert.equal(fen(await text(page, `${card} [data-op="pool"]`)), fen(o.pool), key);
      assert.equal(fen(await text(page, `${card} [data-op="budget"]`)), fen(o.budget), key);
      assert.equal(
        (await text(page, `${card} [data-op="capitation_points"]`)).replace(/,/g, ''),
        o.capitation_points,
        key,
      );
      const quarters = await page.locator(`${card} [data-op-quarters] tbody tr`).count();
      assert.equal(quarters, o.quarters.length, key);
      for (const q of o.quarters) {
        const row = await cells(page, `${card} [data-op-quarters] tr[data-code="${q.period}"]`);
        assert.equal(row[4], q.point_value ?? '—', q.period);
      }
      for (const line of o.institutions) {
        const row = await cells(page, `${card} [data-op-units] tr[data-code="${line.code}"]`);
        assert.equal(fen(row[5]), fen(line.settlement), line.code);
        assert.equal(fen(row[7]), fen(line.fund_settlement), line.code);
        for (const [q, s] of line.quarter_settlements.entries()) assert.equal(fen(row[8 + q]), fen(s), line.code);
      }
    }

    // The lump sum of 福安医共体: S, C, T and the year-end payment.
    const lump = fund('resident').alliance_lump_sums[0];
    const row = await cells(page, '[data-lump-sums="resident"] tr[data-code="福安医共体"]');
    assert.equal(row[1], lump.members.join('、'));
    assert.deepEqual(
      [row[2], row[4], row[6], row[7]].map(fen),
      [lump.lump_sum, lump.fund_cost, lump.target, lump.year_end].map(fen),
    );
    await page.click('[data-lump-sums="resident"] tr[data-code="福安医共体"] summary');
    const months = await page.locator('[data-lump-sums="resident"] ol.months li').allTextContents();
    assert.deepEqual(months.map(fen), lump.monthly.map(fen));

    // The 调剂金: its use, the overspend it paid, what it distributed.
    const af = fund('employee').adjustment_fund_use;
    assert.equal(fen(await text(page, '#adjustment-fund-employee [data-af="amount"]')), fen(af.amount));
    assert.equal(fen(await text(page, '#adjustment-fund-employee [data-af-use="0"]')), fen(af.uses[0].amount));
    assert.equal(fen(await text(page, '#adjustment-fund-employee [data-af="distributed"]')), fen(af.distributed));
    assert.equal(
      fen(await text(page, '#adjustment-fund-employee [data-af="alliance_overspend_paid"]')),
      fen(af.alliance_overspend_paid),
    );

    // 除外支付: the fund's outlay outside DIP, in total and per institution.
    for (const f of expected.funds.filter((x) => x.excluded_outlay)) {
      const x = f.excluded_outlay;
      assert.equal(fen(await text(page, `#excluded-${f.fund} [data-ex="fund"]`)), fen(x.fund), f.fund);
      assert.equal(fen(await text(page, `#excluded-${f.fund} [data-ex="cost"]`)), fen(x.cost), f.fund);
      for (const u of x.units) {
        const r = await cells(page, `[data-excluded-units="${f.fund}"] tr[data-code="${u.code}"]`);
        assert.equal(fen(r[3]), fen(u.fund), u.code);
      }
    }

    // The region's 特例单议 and the monitoring counts.
    const r = expected.review;
    assert.equal(await text(page, '#review-region [data-rv="applications"]'), String(r.applications));
    assert.equal(await text(page, '#review-region [data-rv="approvals"]'), String(r.approvals));
    assert.equal(await text(page, '#review-region [data-rv="dip_cases"]'), String(r.dip_cases));
    const m = fund('employee').monitoring;
    const monitoring = (k) => text(page, `.fund-card:first-child [data-monitoring="${k}"]`);
    assert.equal(await monitoring('mon.retained'), String(m.retained_units));
    assert.equal(await monitoring('mon.overspend'), String(m.overspend_units));

    await page.locator('#outpatient-resident').screenshot({ path: path.join(SHOTS, 'overview-outpatient-zh.png') });
    await page.locator('#lump-sums-resident').screenshot({ path: path.join(SHOTS, 'overview-lump-sums-zh.png') });

    // The 本院 view of H3 (resident): its outpatient line and quarters, and its 医共体's lump sum.
    await tab(page, 'mine');
    await resettle(page, () => page.click('#view-mine .seg[data-fund="resident"]'));
    await page.selectOption('#mine-pick', 'H3');
    await settled(page);
    const h3 = fund('resident').outpatient.institutions.find((l) => l.code === 'H3');
    assert.equal(fen(await text(page, '#mine-beside [data-mine-op="settlement"]')), fen(h3.settlement));
    assert.equal(fen(await text(page, '#mine-beside [data-mine-op="q1"]')), fen(h3.quarter_settlements[0]));
    assert.equal(fen(await text(page, '#mine-beside [data-mine-ls="year_end"]')), fen(lump.year_end));
    await tab(page, 'overview');

    // In English: the same blocks, labelled in English.
    await page.click('#lang');
    await page.waitForFunction(() =>
      document.querySelector('#outpatient-resident h3')?.textContent.includes('Outpatient'),
    );
    assert.match(await text(page, '#lump-sums-resident h3'), /^Alliance outpatient lump sums/);
    assert.match(await text(page, '#adjustment-fund-employee h3'), /^Adjustment fund uses/);
    assert.match(await text(page, '#review-region h3'), /^Special review/);
    assert.equal(
      await text(page, '#outpatient-resident [data-op="point_value"]'),
      fund('resident').outpatient.point_value,
    );
    await page.locator('#view-overview').screenshot({ path: path.join(SHOTS, 'overview-blocks-en.png') });
    await page.click('#lang');
    assertSameOriginOnly(page);
    assertNoErrors(page);
  });

  test('the page’s CSV export is the command line’s, outpatient columns included', async () => {
    const out = path.join(TMP, 'cli.csv');
    run(['--format', 'csv', '--lang', 'zh', '--out', out]);
    const page = await openWith(FILES, POLICY);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
    const file = path.join(TMP, 'page.csv');
    await download.saveAs(file);
    const pageCsv = readFileSync(file, 'utf8');
    assert.equal(pageCsv, readFileSync(out, 'utf8'));
    const header = pageCsv
      .replace(/^\ufeff/, '')
      .split('\r\n')[0]
      .split(',');
    assert.ok(header.includes('门诊结算额度') && header.includes('门诊一季度结算额度'), header.join(','));
    assertSameOriginOnly(page);
    assertNoErrors(page);
  });
});

describe('基金支付口径 (吉林2024 第六条)', () => {
  test('ticking 大额 reads the cases again with it, as --fund-parts large does', async () => {
    const files = {
      institutions: path.join(SPEC10, 'institutions.csv'),
      catalog: path.join(SPEC10, 'catalog.csv'),
      cases: PARTS_CASES,
    };
    const args = ['run', '--policy', path.join(SPEC10, 'policy.json')];
    args.push(...Object.entries(files).flatMap(([k, f]) => [`--${k}`, f]), '--format', 'json');
    const without = JSON.parse(dipcalc(args)).funds[0];
    const withLarge = JSON.parse(dipcalc([...args, '--fund-parts', 'large'])).funds[0];
    // With 大额 counted, the personal burden is SPEC §10's again: its point value.
    assert.equal(withLarge.point_value, '115.909793');
    assert.notEqual(without.point_value, withLarge.point_value);

    const page = await openWith(files, path.join(SPEC10, 'policy.json'));
    const pv = () => page.locator('[data-pv-big="employee"]').evaluate((el) => el.firstChild.textContent);
    await tab(page, 'overview');
    assert.equal(await pv(), without.point_value);
    await tab(page, 'data');
    await resettle(page, () => page.click('#fund-parts input[data-fund-part="large"]'));
    await tab(page, 'overview');
    assert.equal(await pv(), withLarge.point_value);
    // The choice stays ticked; unticking it reads the cases without it again.
    await tab(page, 'data');
    assert.equal(await page.isChecked('#fund-parts input[data-fund-part="large"]'), true);
    await resettle(page, () => page.click('#fund-parts input[data-fund-part="large"]'));
    await tab(page, 'overview');
    assert.equal(await pv(), without.point_value);
    assertSameOriginOnly(page);
    assertNoErrors(page);
  });
});
