// The overview's blocks for what a fund settles beside the DIP pool, each shown only when the
// settlement has it: the outpatient settlement (吉林2024 第十三–二十条, 第二十三条), the 医共体 outpatient
// lump sums (宁德2025答复 一), what the 调剂金 paid (休宁2021 12), the 除外支付 outlay (宁德2024 第七条(一))
// and the region's 特例单议 (医保发〔2025〕18号 第二十条). They read the settlement (decimals as strings)
// and build DOM with textContent only; sums are exact (addDec), never floats.

import { addDec, fmtMoney, fmtNum, fmtPct, fmtPoints } from './decimal.js';
import { bandText } from './desk.js';
import { h } from './dom.js';
import { t } from './i18n.js';

const fundLong = (f) => t(`fund.${f.fund}.long`);
const nameOf = (f, code) => f.units.find((u) => u.code === code)?.name ?? '';

/** A list of facts: [[label key or text, value, attrs?], …]; null values are left out. */
function facts(rows) {
  return h(
    'dl',
    { class: 'facts' },
    rows
      .filter(([, v]) => v !== null && v !== undefined)
      .flatMap(([label, value, attrs]) => [h('dt', null, label), h('dd', { class: 'num', ...attrs }, value)]),
  );
}

/** A card of the overview: its id, its title and what it shows. */
const card = (id, title, ...children) => h('section', { class: 'card', id }, h('h3', null, title), children);

/** A compact table: columns [{label, num}], rows of cells, an optional totals row. */
function table(columns, rows, foot, attrs) {
  const cells = (tag, values) =>
    values.map((v, i) => h(tag, { class: columns[i].num ? 'num' : null, scope: tag === 'th' ? 'col' : null }, v));
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'grid compact', ...attrs },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          cells(
            'th',
            columns.map((c) => c.label),
          ),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map(({ key, values }) => h('tr', { dataset: { code: key } }, cells('td', values))),
      ),
      foot ? h('tfoot', null, h('tr', null, cells('td', foot))) : null,
    ),
  );
}

const col = (key, num = true) => ({ label: t(key), num });
const sum = (lines, field) => addDec(...lines.map((l) => l[field]));
const quarterSum = (lines, field, q) => addDec(...lines.map((l) => l[field]?.[q] ?? '0'));

/** 门诊结算 of one fund: points by kind, the point value of the year and quarters, each institution. */
function outpatientCard(f) {
  const o = f.outpatient;
  const lines = o.institutions;
  const quarters = lines.some((l) => l.quarter_settlements?.length);
  const columns = [
    col('col.code', false),
    col('col.name', false),
    col('op.capitation'),
    col('op.ffs'),
    col('op.other'),
    col('op.S'),
    col('col.personal'),
    col('op.FS'),
    ...(quarters ? [1, 2, 3, 4].map((q) => ({ label: t('op.quarter.S', { q }), num: true })) : []),
  ];
  const rows = lines.map((l) => ({
    key: l.code,
    values: [
      l.code,
      nameOf(f, l.code),
      fmtPoints(l.capitation_points),
      fmtPoints(l.fee_for_service_points),
      fmtPoints(l.other_points),
      fmtMoney(l.settlement),
      fmtMoney(l.personal_burden),
      fmtMoney(l.fund_settlement),
      ...(quarters ? [0, 1, 2, 3].map((q) => fmtMoney(l.quarter_settlements?.[q] ?? '0')) : []),
    ],
  }));
  const foot = [
    t('op.total'),
    '',
    fmtPoints(sum(lines, 'capitation_points')),
    fmtPoints(sum(lines, 'fee_for_service_points')),
    fmtPoints(sum(lines, 'other_points')),
    fmtMoney(sum(lines, 'settlement')),
    fmtMoney(sum(lines, 'personal_burden')),
    fmtMoney(sum(lines, 'fund_settlement')),
    ...(quarters ? [0, 1, 2, 3].map((q) => fmtMoney(quarterSum(lines, 'quarter_settlements', q))) : []),
  ];
  const quarterTable = o.quarters?.length
    ? table(
        [col('op.period', false), col('op.budget'), col('op.pool'), col('op.points'), col('op.pv')],
        o.quarters.map((q) => ({
          key: q.period,
          values: [q.period, fmtMoney(q.budget), fmtMoney(q.pool), fmtPoints(q.points), q.point_value ?? '—'],
        })),
        null,
        { dataset: { opQuarters: f.fund } },
      )
    : null;
  const literal = o.difference && o.difference !== '0.00' && o.difference !== '0';
  return card(
    `outpatient-${f.fund}`,
    t('op.title', { fund: fundLong(f) }),
    facts([
      [t('op.budget'), fmtMoney(o.budget), { dataset: { op: 'budget' } }],
      [t('op.pool'), fmtMoney(o.pool), { dataset: { op: 'pool' } }],
      [t('op.capitation'), fmtPoints(o.capitation_points), { dataset: { op: 'capitation_points' } }],
      [t('op.capitation.paid'), fmtMoney(o.capitation_payment), { dataset: { op: 'capitation_payment' } }],
      [t('op.other.all'), fmtPoints(o.other_points), { dataset: { op: 'other_points' } }],
      [t('op.pv.year'), o.point_value ?? '—', { dataset: { op: 'point_value' } }],
      literal ? [t('op.difference'), fmtMoney(o.difference), { dataset: { op: 'difference' } }] : [null, null],
    ]),
    quarterTable ? h('h4', null, t('op.quarters')) : null,
    quarterTable,
    h('h4', null, t('op.institutions')),
    table(columns, rows, foot, { dataset: { opUnits: f.fund } }),
    h('p', { class: 'note' }, t('op.note')),
  );
}

/** 医共体门诊统筹总额包干 of one fund: each alliance's lump sum against its members' outpatient cost. */
function lumpSumCard(f) {
  const lines = f.alliance_lump_sums;
  const columns = [
    col('ls.alliance', false),
    col('ls.members', false),
    col('ls.S'),
    col('ls.cost'),
    col('ls.C'),
    col('col.band', false),
    col('ls.T'),
    col('ls.yearend'),
    col('ls.monthly', false),
  ];
  const rows = lines.map((l) => ({
    key: l.alliance,
    values: [
      l.alliance,
      l.members.join('、') || '—',
      fmtMoney(l.lump_sum),
      fmtMoney(l.total_cost),
      fmtMoney(l.fund_cost),
      bandText(l.position),
      fmtMoney(l.target),
      fmtMoney(l.year_end),
      h(
        'details',
        null,
        h('summary', null, t('ls.monthly.show')),
        h(
          'ol',
          { class: 'months' },
          l.monthly.map((m) => h('li', { class: 'num' }, fmtMoney(m))),
        ),
      ),
    ],
  }));
  const foot = [
    t('op.total'),
    '',
    fmtMoney(sum(lines, 'lump_sum')),
    fmtMoney(sum(lines, 'total_cost')),
    fmtMoney(sum(lines, 'fund_cost')),
    '',
    fmtMoney(sum(lines, 'target')),
    fmtMoney(sum(lines, 'year_end')),
    '',
  ];
  return card(
    `lump-sums-${f.fund}`,
    t('ls.title', { fund: fundLong(f) }),
    table(columns, rows, foot, { dataset: { lumpSums: f.fund } }),
    h('p', { class: 'note' }, t('ls.note')),
  );
}

/** What the 调剂金 paid before its second distribution. */
function adjustmentFundCard(f) {
  const a = f.adjustment_fund_use;
  return card(
    `adjustment-fund-${f.fund}`,
    t('af.title', { fund: fundLong(f) }),
    facts([
      [t('af.amount'), fmtMoney(a.amount), { dataset: { af: 'amount' } }],
      ...a.uses.map((u, i) => [t('af.use', { label: u.label }), fmtMoney(u.amount), { dataset: { afUse: String(i) } }]),
      [t('af.overspend'), fmtMoney(a.alliance_overspend), { dataset: { af: 'alliance_overspend' } }],
      [t('af.paid'), fmtMoney(a.alliance_overspend_paid), { dataset: { af: 'alliance_overspend_paid' } }],
      [t('af.byfund'), fmtMoney(a.alliance_overspend_by_fund), { dataset: { af: 'alliance_overspend_by_fund' } }],
      [t('af.distributed'), fmtMoney(a.distributed), { dataset: { af: 'distributed' } }],
    ]),
    h('p', { class: 'note' }, t('af.note')),
  );
}

/** 除外支付: the excluded cost paid at actual cost outside the pool, and the fund's part of it. */
function excludedCard(f) {
  const x = f.excluded_outlay;
  return card(
    `excluded-${f.fund}`,
    t('ex.title', { fund: fundLong(f) }),
    facts([
      [t('ex.share'), fmtPct(x.share), { dataset: { ex: 'share' } }],
      [t('ex.cost'), fmtMoney(x.cost), { dataset: { ex: 'cost' } }],
      [t('ex.fund'), fmtMoney(x.fund), { dataset: { ex: 'fund' } }],
      [t('ex.other'), fmtMoney(x.other), { dataset: { ex: 'other' } }],
    ]),
    x.units.length
      ? table(
          [col('col.code', false), col('col.name', false), col('ex.cost'), col('ex.fund'), col('ex.other')],
          x.units.map((u) => ({
            key: u.code,
            values: [u.code, nameOf(f, u.code), fmtMoney(u.cost), fmtMoney(u.fund), fmtMoney(u.other)],
          })),
          null,
          { dataset: { excludedUnits: f.fund } },
        )
      : null,
    h('p', { class: 'note' }, t('ex.note')),
  );
}

/** 特例单议 across the region: applications and approvals against the cap. */
function reviewCard(r) {
  return card(
    'review-region',
    t('rv.title'),
    facts([
      [t('rv.limit'), fmtPct(r.limit), { dataset: { rv: 'limit' } }],
      [t('rv.cases'), fmtNum(String(r.dip_cases), 0), { dataset: { rv: 'dip_cases' } }],
      [t('rv.applications'), fmtNum(String(r.applications), 0), { dataset: { rv: 'applications' } }],
      [t('rv.approvals'), fmtNum(String(r.approvals), 0), { dataset: { rv: 'approvals' } }],
      [t('rv.app.share'), fmtPct(r.application_share), { dataset: { rv: 'application_share' } }],
      [t('rv.appr.share'), fmtPct(r.approval_share), { dataset: { rv: 'approval_share' } }],
      [
        t('rv.state'),
        t(r.over_limit ? 'rv.over' : 'rv.within'),
        { dataset: { rv: 'over_limit' }, class: r.over_limit ? 'num neg' : 'num' },
      ],
    ]),
  );
}

/** Every block the settlement has, funds in order; [] when it has none. */
export function fundBlocks(s) {
  const blocks = [];
  for (const f of s.funds) {
    if (f.outpatient?.institutions?.length) blocks.push(outpatientCard(f));
    if (f.alliance_lump_sums?.length) blocks.push(lumpSumCard(f));
    if (f.adjustment_fund_use) blocks.push(adjustmentFundCard(f));
    if (f.excluded_outlay) blocks.push(excludedCard(f));
  }
  if (s.review) blocks.push(reviewCard(s.review));
  return blocks;
}

/**
 * The 本院 view's part of those blocks, for one unit of a fund: its outpatient settlement (and its
 * quarters), its 除外支付, and the lump sum of the 医共体 it belongs to; null when it has none.
 */
export function unitBlock(f, u) {
  const op = f.outpatient?.institutions?.find((l) => l.code === u.code);
  const ex = f.excluded_outlay?.units?.find((l) => l.code === u.code);
  const members = new Set([u.code, ...(u.members ?? [])]);
  const lump = f.alliance_lump_sums?.find((l) => l.alliance === u.code || l.members.some((m) => members.has(m)));
  if (!op && !ex && !lump) return null;
  const rows = [];
  if (op) {
    rows.push(
      [t('op.pv.year'), f.outpatient.point_value ?? '—', { dataset: { mineOp: 'point_value' } }],
      [t('op.capitation'), fmtPoints(op.capitation_points), { dataset: { mineOp: 'capitation_points' } }],
      [t('op.ffs'), fmtPoints(op.fee_for_service_points), { dataset: { mineOp: 'fee_for_service_points' } }],
      [t('op.other'), fmtPoints(op.other_points), { dataset: { mineOp: 'other_points' } }],
      [t('op.S'), fmtMoney(op.settlement), { dataset: { mineOp: 'settlement' } }],
      [t('op.FS'), fmtMoney(op.fund_settlement), { dataset: { mineOp: 'fund_settlement' } }],
      ...(op.quarter_settlements ?? []).map((x, q) => [
        t('op.quarter.S', { q: q + 1 }),
        fmtMoney(x),
        { dataset: { mineOp: `q${q + 1}` } },
      ]),
    );
  }
  if (ex) {
    rows.push(
      [t('ex.cost'), fmtMoney(ex.cost), { dataset: { mineEx: 'cost' } }],
      [t('ex.fund'), fmtMoney(ex.fund), { dataset: { mineEx: 'fund' } }],
    );
  }
  if (lump) {
    rows.push(
      [t('ls.mine', { alliance: lump.alliance }), fmtMoney(lump.lump_sum), { dataset: { mineLs: 'lump_sum' } }],
      [t('ls.C'), fmtMoney(lump.fund_cost), { dataset: { mineLs: 'fund_cost' } }],
      [t('ls.yearend'), fmtMoney(lump.year_end), { dataset: { mineLs: 'year_end' } }],
    );
  }
  return card('mine-beside', t('mine.beside', { fund: fundLong(f) }), facts(rows));
}
