// The result views: figures strip, overview, institution table, my institution, comparison, and
// the error table used for imports and policies. Each reads the state (app/state.js: the engine's
// results, decimals as strings), builds DOM with textContent only, and changes nothing: what the
// user does goes to the named actions passed in (`on`).

import * as charts from './charts.js';
import {
  addDec,
  cmpDec,
  cmpParsedDec,
  divDec,
  fmtMoney,
  fmtNum,
  fmtPct,
  fmtPoints,
  fmtWan,
  parseDec,
  roundDec,
} from './decimal.js';
import { bandText, cliffSentence } from './desk.js';
import { fill, h, tsv } from './dom.js';
import { coverageNotice } from './estimate-view.js';
import { fundBlocks, unitBlock } from './fund-blocks.js';
import { lang, local, msg, t } from './i18n.js';
import { yearStartFacts } from './yearstart.js';

export const fundName = (f) => t(`fund.${f}`);

export { bandText };

const bandKey = (band) => (typeof band === 'string' ? band : (Object.keys(band ?? {})[0] ?? 'none'));

/** A trace or analysis value: up to 6 decimals, at least 2. */
function fmtExact(text) {
  const r = roundDec(text, 6);
  if (r === null) return String(text);
  const [w, f = ''] = r.split('.');
  const frac = f.replace(/0+$/, '').padEnd(2, '0');
  return fmtNum(`${w}.${frac}`, frac.length);
}

function kpi(label, value, unit, sub, attrs) {
  return h(
    'div',
    { class: 'kpi', ...attrs },
    h('div', { class: 'kpi-label' }, label),
    h('div', { class: 'kpi-value' }, value, unit ? h('span', { class: 'kpi-unit' }, unit) : null),
    sub ? h('div', { class: 'kpi-sub' }, sub) : null,
  );
}

/** The strip of headline figures shown above every view. */
/** What stands where a fund has no point value: allotment mode has none; else no cases. */
const noPv = (state, f) =>
  f?.sub_pools?.length
    ? t('kpi.subpools')
    : t(state.policy?.settlement?.mode === 'allotment' ? 'kpi.allotment' : 'kpi.nopoints');

export function renderStrip(el, state) {
  const s = state.result?.settlement;
  if (!s) return fill(el);
  const cmp = state.result.comparison;
  const items = [];
  for (const f of s.funds) {
    const before = cmp?.funds.find((c) => c.fund === f.fund)?.point_value_before;
    const changed = before && f.point_value && cmpDec(before, f.point_value) !== 0;
    items.push(
      kpi(
        t('kpi.pv', { fund: fundName(f.fund) }),
        f.point_value ?? noPv(state, f),
        f.point_value ? t('kpi.pv.unit') : null,
        changed ? t('kpi.baseline', { v: before }) : null,
        { dataset: { pv: f.fund }, class: changed ? 'kpi changed' : 'kpi' },
      ),
    );
  }
  for (const f of s.funds) {
    items.push(
      kpi(`${fundName(f.fund)} ${t('kpi.budget')}`, fmtWan(f.budget.budget), t('unit.wan'), null, {
        dataset: { budget: f.fund },
      }),
    );
  }
  const c = state.result.counts;
  items.push(
    kpi(
      t('col.cases'),
      fmtNum(String(c.cases || c.summaries), 0),
      null,
      `${fmtNum(String(c.institutions), 0)} ${t('overview.institutions')} · ${fmtNum(String(c.groups), 0)} ${t('overview.groups')}`,
    ),
  );
  fill(el, items, implausible(s));
}

/**
 * A warning when the pool is far from the data's total cost (over 3 times, or under a third): the
 * budget and the data likely come from different regions or years (a city's budget with one
 * county's cases gives a point value of tens of thousands of yuan).
 */
function implausible(s) {
  for (const f of s.funds) {
    const ratio = divDec(f.pool, f.totals.total_cost, 2);
    if (ratio && (cmpDec(ratio, '3') > 0 || cmpDec(ratio, '0.33') < 0)) {
      return h(
        'p',
        { class: 'strip-warn', id: 'pv-warning', role: 'alert' },
        `${t(`fund.${f.fund}.long`)}：${t('pv.implausible', { r: fmtNum(ratio, 2) })}`,
      );
    }
  }
  return null;
}

export function renderOverview(el, state, on) {
  const s = state.result?.settlement;
  if (!s) return fill(el, h('p', { class: 'empty' }, state.emptyMessage ?? t('status.needdata')));
  const fund = s.funds.find((f) => f.fund === state.fund) ?? s.funds[0];
  const cards = s.funds.map((f) =>
    h(
      'div',
      { class: 'fund-card' },
      h('h3', null, t(`fund.${f.fund}.long`)),
      f.point_value
        ? h(
            'div',
            { class: 'big-figure', dataset: { pvBig: f.fund } },
            f.point_value,
            h('span', { class: 'kpi-unit' }, t('kpi.pv.unit')),
          )
        : h('div', { class: 'big-figure none', dataset: { pvBig: f.fund } }, noPv(state, f)),
      h(
        'dl',
        { class: 'facts' },
        h('dt', null, t('kpi.budget')),
        h('dd', { class: 'num' }, fmtMoney(f.budget.budget)),
        h('dt', null, t('kpi.pool')),
        h('dd', { class: 'num' }, fmtMoney(f.pool)),
        h('dt', null, t('kpi.points')),
        h('dd', { class: 'num' }, fmtPoints(f.total_points)),
        h('dt', null, t('col.cases')),
        h('dd', { class: 'num' }, fmtNum(String(f.totals.cases), 0)),
        h('dt', null, t('overview.riskeffect')),
        h('dd', { class: 'num' }, fmtMoney(f.risk_sharing_effect)),
        yearStartFacts(state, f),
        monitoringFacts(f),
        reviewFacts(s),
      ),
      subPoolTable(f),
      h('p', { class: 'recon' }, reconText(f)),
    ),
  );
  const monthly = h('div', { class: 'chart', id: 'chart-monthly' });
  const wf = h('div', { class: 'chart', id: 'chart-waterfall' });
  const fundSeg = fundSwitch(state, s, on);
  const top = [...fund.units].sort((a, b) => cmpDec(b.settlement, a.settlement)).slice(0, 8);
  const topTable = h(
    'table',
    { class: 'grid compact' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, t('col.code')),
        h('th', null, t('col.name')),
        h('th', null, t('col.level')),
        h('th', { class: 'num' }, t('col.points')),
        h('th', { class: 'num' }, t('col.S')),
        h('th', { class: 'num' }, t('col.fundpays')),
      ),
    ),
    h(
      'tbody',
      null,
      top.map((u) =>
        h(
          'tr',
          null,
          h('td', null, u.code),
          h('td', null, u.name),
          h('td', null, u.level),
          h('td', { class: 'num' }, fmtPoints(u.points.total)),
          h('td', { class: 'num' }, fmtMoney(u.settlement)),
          h('td', { class: 'num' }, fmtMoney(u.fund_pays)),
        ),
      ),
    ),
  );
  const levels = state.result?.grassroots?.[fund.fund] ?? [];
  const grassroots = levels.length
    ? h(
        'section',
        { class: 'card', id: 'grassroots-levels' },
        h('h3', null, t('overview.grassroots', { fund: fundName(fund.fund) })),
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'grid compact' },
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                [
                  'col.level',
                  'gr.institutions',
                  'gr.cases',
                  'gr.grassroots',
                  'gr.share',
                  'gr.nominal',
                  'gr.effective',
                  'gr.change',
                  'gr.moved',
                ].map((k, i) => h('th', { class: i ? 'num' : null, scope: 'col' }, t(k))),
              ),
            ),
            h(
              'tbody',
              null,
              levels.map((l) =>
                h(
                  'tr',
                  { dataset: { level: l.level } },
                  h('th', { scope: 'row' }, l.level),
                  h('td', { class: 'num' }, fmtNum(String(l.institutions), 0)),
                  h('td', { class: 'num' }, fmtNum(String(l.dip_cases), 0)),
                  h('td', { class: 'num' }, fmtNum(String(l.grassroots_cases), 0)),
                  h('td', { class: 'num' }, fmtPct(l.grassroots_share)),
                  h('td', { class: 'num' }, fmtNum(l.nominal_coefficient, 4)),
                  h('td', { class: 'num' }, fmtNum(l.effective_coefficient, 4)),
                  h(
                    'td',
                    { class: l.coefficient_change?.startsWith('-') ? 'num neg' : 'num' },
                    fmtNum(l.coefficient_change, 4),
                  ),
                  h('td', { class: l.points_moved?.startsWith('-') ? 'num neg' : 'num' }, fmtPoints(l.points_moved)),
                ),
              ),
            ),
          ),
        ),
        h('p', { class: 'note' }, t('overview.grassroots.note')),
      )
    : null;
  const notices = s.notices.length
    ? h(
        'section',
        { class: 'card' },
        h('h3', null, t('overview.notices')),
        h(
          'ul',
          { class: 'notices' },
          s.notices.slice(0, 20).map((n) => h('li', null, lang() === 'en' ? n.message_en : n.message_zh)),
        ),
      )
    : null;
  fill(
    el,
    coverageNotice(s, on),
    h('div', { class: 'fund-cards' }, cards),
    h('p', { class: 'note' }, t('overview.pvnote', { dp: state.policy?.point_value?.decimals ?? 6 })),
    h(
      'div',
      { class: 'two' },
      h('section', { class: 'card' }, h('h3', null, t('overview.monthly')), monthly),
      h(
        'section',
        { class: 'card' },
        h(
          'div',
          { class: 'card-head' },
          h('h3', null, t('overview.waterfall', { fund: fundName(fund.fund) })),
          fundSeg,
        ),
        wf,
      ),
    ),
    h(
      'section',
      { class: 'card' },
      h(
        'div',
        { class: 'card-head' },
        h('h3', null, t('overview.top', { fund: fundName(fund.fund) })),
        h('button', { type: 'button', class: 'link', onclick: on.showTable }, t('overview.alltable')),
      ),
      h('div', { class: 'table-wrap' }, topTable),
    ),
    fundBlocks(s),
    grassroots,
    notices,
  );
  requestAnimationFrame(() => {
    charts.monthlyPointValues(monthly, s);
    charts.waterfall(wf, fund);
  });
}

/** 运行监测 (国家DIP3.0 第八章第二节二), when the policy asks for it: the fund's indicators. */
function monitoringFacts(f) {
  const m = f.monitoring;
  if (!m) return [];
  const rows = [
    ['mon.accuracy', m.budget_accuracy, (x) => fmtNum(x, 4)],
    ['mon.payratio', m.payment_ratio, (x) => fmtNum(x, 4)],
    ['mon.ysdiff', m.year_start_difference, fmtPct],
    ['mon.variation', m.point_value_variation, fmtPct],
    ['mon.high', m.high_cost_share, fmtPct],
    ['mon.low', m.low_cost_share, fmtPct],
    ['mon.coverage', m.surplus_coverage, fmtPct],
  ];
  const count = (n) => fmtNum(String(n), 0);
  rows.push(
    ['mon.surplus', m.surplus_units, count],
    ['mon.overspend', m.overspend_units, count],
    ['mon.retained', m.retained_units, count],
  );
  return rows
    .filter(([, v]) => v !== null && v !== undefined)
    .flatMap(([k, v, fmt]) => [h('dt', null, t(k)), h('dd', { class: 'num', dataset: { monitoring: k } }, fmt(v))]);
}

/** 预算总额细分 (吉林2024 第八条): each sub-pool's budget, points and point value, when the fund has them. */
function subPoolTable(f) {
  if (!f.sub_pools?.length) return null;
  const head = ['sub.label', 'sub.budget', 'sub.points', 'sub.pv', 'sub.units'];
  return h(
    'table',
    { class: 'grid compact', id: `sub-pools-${f.fund}` },
    h('caption', null, t('sub.caption')),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        head.map((k, i) => h('th', { class: i ? 'num' : null, scope: 'col' }, t(k))),
      ),
    ),
    h(
      'tbody',
      null,
      f.sub_pools.map((p) =>
        h(
          'tr',
          { dataset: { subPool: p.label } },
          h('th', { scope: 'row' }, p.label),
          h('td', { class: 'num' }, fmtMoney(p.budget)),
          h('td', { class: 'num' }, fmtPoints(p.points)),
          h('td', { class: 'num' }, p.point_value ?? '—'),
          h('td', { class: 'num' }, fmtNum(String(p.units.length), 0)),
        ),
      ),
    ),
  );
}

/** 特例单议 across the region (医保发〔2025〕18号 第二十条), when the policy caps it. */
function reviewFacts(s) {
  const r = s.review;
  if (!r) return [];
  return [
    h('dt', null, t('review.region')),
    h(
      'dd',
      { class: r.over_limit ? 'num neg' : 'num', dataset: { reviewRegion: '' } },
      t('review.region.value', { apps: r.applications, cases: r.dip_cases, share: fmtPct(r.application_share) }),
    ),
  ];
}

function reconText(f) {
  const r = f.reconciliation;
  const sum = fmtMoney(f.totals.settlement);
  const pool = fmtMoney(r.pool);
  return r.cents_distributed
    ? t('overview.recon', {
        sum,
        pool,
        cents: r.cents_distributed,
        who: r.recipients.slice(0, 6).join(', ') + (r.recipients.length > 6 ? '…' : ''),
      })
    : t('overview.recon.none', { sum, pool });
}

function fundSwitch(state, s, on) {
  return h(
    'span',
    { class: 'segs' },
    s.funds.map((f) =>
      h(
        'button',
        {
          type: 'button',
          class: f.fund === state.fund ? 'seg on' : 'seg',
          dataset: { fund: f.fund },
          onclick: () => on.setFund(f.fund),
        },
        fundName(f.fund),
      ),
    ),
  );
}

// ---- the institution table -------------------------------------------------------------------

const COLUMNS = [
  { key: 'code', label: 'col.code', get: (u) => u.code, cls: 'stick-code' },
  { key: 'name', label: 'col.name', get: (u) => u.name, cls: 'name stick-name' },
  { key: 'level', label: 'col.level', get: (u) => u.level },
  {
    np: true,
    key: 'coefficient',
    label: 'col.coef',
    get: (u) => u.coefficient,
    num: true,
    fmt: (v) => (v === null ? '—' : fmtNum(v, 4)),
  },
  {
    key: 'cases',
    label: 'col.cases',
    get: (u) => String(u.cases.total),
    num: true,
    fmt: (v) => fmtNum(v, 0),
    total: (f) => String(f.totals.cases),
  },
  {
    key: 'points',
    label: 'col.points',
    get: (u) => u.points.total,
    num: true,
    fmt: fmtPoints,
    total: (f) => f.totals.points,
  },
  { np: true, key: 'share', label: 'col.share', get: (u) => u.share, num: true, fmt: (v) => fmtPct(v, 2) },
  {
    key: 'settlement',
    label: 'col.S',
    get: (u) => u.settlement,
    num: true,
    fmt: fmtMoney,
    total: (f) => f.totals.settlement,
  },
  {
    np: true,
    key: 'fund_settlement',
    label: 'col.FS',
    get: (u) => u.fund_settlement,
    num: true,
    fmt: fmtMoney,
    total: (f) => f.totals.fund_settlement,
  },
  { key: 'compared_cost', label: 'col.C', get: (u) => u.compared_cost, num: true, fmt: fmtMoney },
  {
    np: true,
    key: 'gap_ratio',
    label: 'col.gap',
    get: (u) => u.gap_ratio,
    num: true,
    fmt: (v) => (v === null ? '—' : fmtPct(v, 2)),
  },
  { key: 'band', label: 'col.band', get: (u) => bandText(u.band), cls: (u) => `band band-${bandKey(u.band)}` },
  { key: 'target', label: 'col.T', get: (u) => u.target, num: true, fmt: fmtMoney, total: (f) => f.totals.target },
  {
    key: 'fund_pays',
    label: 'col.fundpays',
    get: (u) => u.fund_pays,
    num: true,
    fmt: fmtMoney,
    total: (f) => f.totals.fund_pays,
  },
  {
    key: 'net_to_pay',
    label: 'col.net',
    get: (u) => u.net_to_pay,
    num: true,
    fmt: fmtMoney,
    total: (f) => f.totals.net_to_pay,
    signed: true,
  },
  {
    np: true,
    key: 'flags',
    label: 'col.flags',
    get: (u) => u.flags.map((x) => t(`flag.${x}`)).join(lang() === 'en' ? '; ' : '、'),
  },
];

// The institution table's rows, kept between renders by the element they are drawn in (a render
// cache, not state: drawn again from the state, it would look the same).
const unitTables = new WeakMap();

export function renderInstitutions(el, state, on) {
  const s = state.result?.settlement;
  if (!s) {
    unitTables.delete(el);
    return fill(el, h('p', { class: 'empty' }, state.emptyMessage ?? t('status.needdata')));
  }
  const fund = s.funds.find((f) => f.fund === state.fund) ?? s.funds[0];
  const ts = state.table;
  const levels = [...new Set(fund.units.map((u) => u.level))];
  const q = ts.filter.trim().toLowerCase();
  let units = fund.units.filter(
    (u) =>
      (!q || u.code.toLowerCase().includes(q) || u.name.toLowerCase().includes(q)) &&
      (!ts.level || u.level === ts.level) &&
      (!ts.flag || (ts.flag === 'edge' ? u.flags.includes('near_band_edge') : /beyond/.test(bandKey(u.band)))),
  );
  units = sortUnits(units, COLUMNS.find((c) => c.key === ts.sort) ?? COLUMNS[0], ts.dir);
  const head = h(
    'tr',
    null,
    h('th', { class: 'expander' }),
    COLUMNS.map((c) =>
      h(
        'th',
        {
          class: [
            c.num ? 'num' : '',
            c.np ? 'np' : '',
            typeof c.cls === 'string' ? c.cls.replace(/^name /, '') : '',
            'sortable',
            ts.sort === c.key ? (ts.dir > 0 ? 'asc' : 'desc') : '',
          ].join(' '),
          scope: 'col',
          'aria-sort': ts.sort === c.key ? (ts.dir > 0 ? 'ascending' : 'descending') : 'none',
          onclick: () => on.sortTable(c.key),
        },
        t(c.label),
      ),
    ),
  );
  // The totals row follows the filter: the fund's totals when every unit shows, else the sum of
  // the rows shown.
  const all = units.length === fund.units.length;
  const total = (c) => (all ? c.total(fund) : addDec(...units.map((u) => c.get(u))));
  const totals = h(
    'tr',
    { class: 'totals' },
    h('td', { class: 'expander' }),
    COLUMNS.map((c, i) =>
      h(
        'td',
        { class: `${c.num ? 'num' : ''} ${c.np ? 'np' : ''} ${i < 2 ? c.cls : ''}` },
        i === 0
          ? all
            ? t('table.total')
            : t('table.total.shown', { n: units.length })
          : c.total
            ? (c.fmt ?? ((v) => v))(total(c))
            : '',
      ),
    ),
  );
  const controls = h(
    'div',
    { class: 'toolbar' },
    fundSwitch(state, s, on),
    h('input', {
      type: 'search',
      placeholder: t('table.filter'),
      value: ts.filter,
      'aria-label': t('table.filter'),
      oninput: (e) => on.filterTable({ filter: e.target.value }),
    }),
    h(
      'select',
      { 'aria-label': t('col.level'), onchange: (e) => on.filterTable({ level: e.target.value }) },
      h('option', { value: '' }, t('table.level.all')),
      levels.map((l) => h('option', { value: l, selected: l === ts.level }, l)),
    ),
    h(
      'select',
      { 'aria-label': t('col.flags'), onchange: (e) => on.filterTable({ flag: e.target.value }) },
      ['', 'edge', 'beyond'].map((f) =>
        h('option', { value: f, selected: f === ts.flag }, t(f ? `table.flag.${f}` : 'table.flag.all')),
      ),
    ),
    h('span', { class: 'muted' }, t('table.rows', { n: units.length })),
    h(
      'button',
      {
        type: 'button',
        onclick: () =>
          copyRows(on, [COLUMNS.map((c) => t(c.label)), ...units.map((u) => COLUMNS.map((c) => c.get(u) ?? ''))]),
      },
      t('table.copy'),
    ),
  );
  const recon = h('p', { class: 'recon' }, reconText(fund));

  // The table stays between renders (and so does its scroll position): rows are kept by unit and
  // only the cells whose text or class changed are written, so a re-settle restyles nothing else.
  let ut = unitTables.get(el);
  if (!ut || ut.wrap.parentNode !== el) {
    const table = h('table', { class: 'grid', id: 'unit-table' }, h('thead'), h('tbody'), h('tfoot'));
    ut = { wrap: h('div', { class: 'table-wrap' }, table), table, rows: new Map() };
    unitTables.set(el, ut);
  }
  fill(ut.table.tHead, head);
  fill(ut.table.tFoot, totals);
  const body = [];
  for (const u of units) {
    const key = `${fund.fund}:${u.code}`;
    const open = ts.expanded.has(key);
    body.push(unitRow(ut.rows, key, u, open, on));
    if (open)
      body.push(
        h(
          'tr',
          { class: 'trace-row' },
          h('td', { colspan: COLUMNS.length + 1 }, traceView(u, state.result.details?.[key])),
        ),
      );
  }
  arrange(ut.table.tBodies[0], body);
  // The wrap stays in place: taken out and put back, it would be restyled and lose its scroll.
  arrange(el, [controls, recon, ut.wrap]);
}

/** Units sorted by a column (numbers as exact decimals), ties by code. */
function sortUnits(units, col, dir) {
  const keyed = units.map((u) => {
    const v = col.get(u);
    return { u, v: col.num ? parseDec(v ?? '-1e30') : String(v) };
  });
  keyed.sort((a, b) => {
    const r = col.num ? cmpParsedDec(a.v, b.v) : a.v.localeCompare(b.v, 'zh-CN');
    return r * dir || a.u.code.localeCompare(b.u.code);
  });
  return keyed.map((k) => k.u);
}

/** A unit's row, kept in `rows` by key and brought up to date: only changed text and classes are written. */
function unitRow(rows, key, u, open, on) {
  let r = rows.get(key);
  if (!r) {
    const button = h('button', {
      type: 'button',
      class: 'twisty',
      title: t('table.expand'),
      onclick: () => on.toggleRow(key),
    });
    const cells = COLUMNS.map(() => h('td'));
    r = { tr: h('tr', { dataset: { code: u.code } }, h('td', { class: 'expander' }, button), cells), button, cells };
    rows.set(key, r);
  }
  setClass(r.tr, open ? 'unit open' : 'unit');
  setText(r.button, open ? '▾' : '▸');
  if (r.button.title !== t('table.expand')) r.button.title = t('table.expand');
  if (r.button.getAttribute('aria-expanded') !== String(open)) r.button.setAttribute('aria-expanded', String(open));
  COLUMNS.forEach((c, i) => {
    const v = c.get(u);
    setClass(
      r.cells[i],
      [
        c.num ? 'num' : '',
        c.np ? 'np' : '',
        typeof c.cls === 'function' ? c.cls(u) : (c.cls ?? ''),
        c.signed && v?.startsWith('-') ? 'neg' : '',
      ].join(' '),
    );
    setText(r.cells[i], String((c.fmt ? c.fmt(v) : v) ?? ''));
  });
  return r.tr;
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

function setClass(el, cls) {
  if (el.className !== cls) el.className = cls;
}

/** Makes `parent`'s children exactly `nodes`, in order, moving only those out of place. */
function arrange(parent, nodes) {
  const keep = new Set(nodes);
  let at = parent.firstChild;
  for (const node of nodes) {
    while (at && !keep.has(at)) {
      const next = at.nextSibling;
      at.remove();
      at = next;
    }
    if (node === at) at = at.nextSibling;
    else parent.insertBefore(node, at);
  }
  while (at) {
    const next = at.nextSibling;
    at.remove();
    at = next;
  }
}

/** A figure in a formula, for reading: more than 2 decimals rounded to 2 ('458.123456' → '458.12'). */
const readable = (formula) =>
  formula.replace(/\d[\d,]*\.\d{3,}/g, (x) => {
    const r = roundDec(x.replace(/,/g, ''), 2);
    return r === null ? x : fmtNum(r, 2);
  });

/** A trace value rounded for reading, the exact value beside it (shown on demand). */
function traceValue(value) {
  const exact = fmtExact(value);
  const rounded = fmtNum(value, 2);
  return h(
    'td',
    { class: 'num', title: exact },
    h('span', { class: 'rounded' }, rounded),
    h('span', { class: 'exact' }, exact),
  );
}

/** The arithmetic of a unit's figures; `detail` ({months, quarters, trace}) is asked for when the row opens. */
function traceView(u, detail) {
  if (!detail) return h('p', { class: 'muted' }, '…');
  const trace = h(
    'table',
    { class: 'grid trace' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, t('trace.label')),
        h('th', null, t('trace.formula')),
        h('th', { class: 'num' }, t('trace.value')),
        h('th', null, t('trace.cite')),
      ),
    ),
    h(
      'tbody',
      null,
      detail.trace.map((l, i) => {
        const formula = local(l, 'formula');
        const shown = readable(formula);
        return h(
          'tr',
          { dataset: { line: i } },
          h('th', { scope: 'row', class: 'trace-label' }, local(l, 'label') || t('trace.line', { n: i + 1 })),
          shown === formula
            ? h('td', { class: 'formula' }, formula)
            : h(
                'td',
                { class: 'formula', title: formula },
                h('span', { class: 'rounded' }, shown),
                h('span', { class: 'exact' }, formula),
              ),
          traceValue(l.value),
          h('td', { class: 'cite' }, l.cite),
        );
      }),
    ),
  );
  const box = h('div', { class: 'trace-box' });
  const exactToggle = h(
    'label',
    { class: 'trace-exact' },
    h('input', {
      type: 'checkbox',
      onchange: (e) => box.classList.toggle('show-exact', e.target.checked),
    }),
    ' ',
    t('trace.exact'),
  );
  const kinds = ['normal', 'high', 'low', 'reviewed', 'per_diem', 'fee_for_service', 'summary', 'adjustments'].filter(
    (k) => cmpDec(u.points[k], '0') !== 0,
  );
  const points = h(
    'table',
    { class: 'grid mini' },
    h(
      'tbody',
      null,
      kinds.map((k) => h('tr', null, h('th', null, t(`kind.${k}`)), h('td', { class: 'num' }, fmtPoints(u.points[k])))),
      h(
        'tr',
        { class: 'totals' },
        h('th', null, t('table.total')),
        h('td', { class: 'num' }, fmtPoints(u.points.total)),
      ),
    ),
  );
  const flow = h(
    'table',
    { class: 'grid mini' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, t('period')),
        h('th', { class: 'num' }, t('col.points')),
        h('th', { class: 'num' }, t('col.S')),
        h('th', { class: 'num' }, t('paid')),
      ),
    ),
    h(
      'tbody',
      null,
      [...detail.months.map((l) => [l, 'month']), ...detail.quarters.map((l) => [l, 'quarter'])].map(([l, kind]) =>
        h(
          'tr',
          null,
          h('th', { scope: 'row', class: 'trace-label' }, t(`trace.${kind}`, { p: l.period })),
          h('td', { class: 'num' }, fmtPoints(l.points)),
          h('td', { class: 'num' }, fmtMoney(l.settlement)),
          h('td', { class: 'num' }, fmtMoney(l.paid)),
        ),
      ),
    ),
  );
  return fill(
    box,
    h(
      'div',
      { class: 'trace-main' },
      h('h4', null, t('trace.title', { name: `${u.code} ${u.name}` }), exactToggle),
      trace,
    ),
    h('div', { class: 'trace-side' }, h('h4', null, t('trace.points')), points, h('h4', null, t('trace.flow')), flow),
  );
}

async function copyRows(on, rows) {
  const text = tsv(rows);
  try {
    await navigator.clipboard.writeText(text);
    on.toast(t('table.copied', { n: rows.length - 1 }));
  } catch {
    on.toast(text.slice(0, 200));
  }
}

// ---- my institution --------------------------------------------------------------------------

/** Rows of the 本院 group table drawn at each end (largest losses, largest gains). */
const GROUP_ENDS = 50;

export function renderMine(el, state, on) {
  const s = state.result?.settlement;
  if (!s) return fill(el, h('p', { class: 'empty' }, state.emptyMessage ?? t('status.needdata')));
  const fund = s.funds.find((f) => f.fund === state.fund) ?? s.funds[0];
  const u = fund.units.find((x) => x.code === state.focus) ?? fund.units[0];
  if (!u) return fill(el);
  const picker = h(
    'select',
    { id: 'mine-pick', 'aria-label': t('mine.pick'), onchange: (e) => on.setFocus(e.target.value) },
    fund.units.map((x) =>
      h('option', { value: x.code, selected: x.code === u.code }, `${x.code} ${x.name}（${x.level}）`),
    ),
  );
  const net = u.net_to_pay;
  const recover = net.startsWith('-');
  const figures = h(
    'div',
    { class: 'mine-figures' },
    kpi(t('mine.points'), fmtPoints(u.points.total), null, `${t('col.share')} ${fmtPct(u.share, 3)}`),
    kpi(t('mine.S'), fmtMoney(u.settlement), t('unit.yuan'), `${t('col.FS')} ${fmtMoney(u.fund_settlement)}`),
    kpi(t('col.T'), fmtMoney(u.target), t('unit.yuan'), bandText(u.band)),
    kpi(t('mine.fundpays'), fmtMoney(u.fund_pays), t('unit.yuan'), `${t('col.prepaid')} ${fmtMoney(u.prepaid)}`),
    kpi(
      recover ? t('mine.net.recover') : t('mine.net.pay'),
      fmtMoney(recover ? net.slice(1) : net),
      t('unit.yuan'),
      null,
      { class: recover ? 'kpi net recover' : 'kpi net pay', id: 'mine-net' },
    ),
    kpi(
      t('col.C'),
      fmtMoney(u.compared_cost),
      t('unit.yuan'),
      u.gap_ratio === null ? null : `${t('col.gap')} ${fmtPct(u.gap_ratio, 2)}`,
      { id: 'mine-cost' },
    ),
  );
  const cliff = cliffSentence(state, u);
  const bandEl = h('div', { class: 'chart tall', id: 'chart-band' });
  const r = state.result;
  const d = r.dilution;
  const dil = d
    ? h(
        'dl',
        { class: 'facts', id: 'dilution' },
        h('dt', null, t('mine.dilution.own')),
        h('dd', { class: 'num' }, fmtMoney(d.own_gain)),
        h('dt', null, t('mine.dilution.others')),
        h('dd', { class: 'num neg' }, `−${fmtMoney(d.others_loss)}`),
        h('dt', null, t('mine.dilution.naive')),
        h('dd', { class: 'num' }, fmtMoney(d.naive_value)),
        h('dt', null, t('mine.dilution.marginal')),
        h('dd', { class: 'num' }, `${fmtNum(d.marginal_value_per_point, 4)} ${t('unit.yuan')}`),
        h('dt', null, t('mine.dilution.pv')),
        h('dd', { class: 'num' }, `${fmtNum(d.point_value_before, 6)} → ${fmtNum(d.point_value_after, 6)}`),
      )
    : h('p', { class: 'muted' }, r.dilutionError ? msg(r.dilutionError.errors[0] ?? r.dilutionError) : '—');
  const lines = r.breakdown ?? [];
  const groupsChart = h('div', { class: 'chart tall', id: 'chart-groups' });
  const sorted = [...lines].sort((a, b) => cmpDec(a.gain, b.gain));
  const groupRow = (l) =>
    h(
      'tr',
      null,
      h('td', null, l.group),
      h('td', { class: 'name' }, l.name),
      h('td', null, l.grassroots ? t('yes') : ''),
      h('td', { class: 'num' }, fmtNum(String(l.cases), 0)),
      h('td', { class: 'num' }, fmtPoints(l.points)),
      h('td', { class: 'num' }, fmtMoney(l.payment)),
      h('td', { class: 'num' }, fmtMoney(l.cost)),
      h('td', { class: l.gain.startsWith('-') ? 'num neg' : 'num pos' }, fmtMoney(l.gain)),
    );
  // A city hospital has thousands of groups: drawing every row blocked the page for a second.
  // The largest losses and gains are drawn, the groups between them on demand.
  const groupBody = h('tbody', null);
  const drawGroups = (all) => {
    if (all || sorted.length <= 2 * GROUP_ENDS) return fill(groupBody, ...sorted.map(groupRow));
    const between = sorted.length - 2 * GROUP_ENDS;
    const more = h(
      'button',
      { type: 'button', id: 'group-all', class: 'ghost', onclick: () => drawGroups(true) },
      t('mine.groups.all', { n: fmtNum(String(between), 0) }),
    );
    fill(
      groupBody,
      ...sorted.slice(0, GROUP_ENDS).map(groupRow),
      h('tr', { class: 'more' }, h('td', { colspan: 8 }, more)),
      ...sorted.slice(-GROUP_ENDS).map(groupRow),
    );
  };
  drawGroups(false);
  const groupTable = h(
    'table',
    { class: 'grid', id: 'group-table' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, t('col.group')),
        h('th', null, t('col.name')),
        h('th', null, t('col.grassroots')),
        h('th', { class: 'num' }, t('col.cases')),
        h('th', { class: 'num' }, t('col.points')),
        h('th', { class: 'num' }, t('col.payment')),
        h('th', { class: 'num' }, t('col.cost')),
        h('th', { class: 'num' }, t('col.gain')),
      ),
    ),
    groupBody,
  );
  fill(
    el,
    h('div', { class: 'toolbar' }, h('label', null, t('mine.pick'), ' ', picker), fundSwitch(state, s, on)),
    h(
      'h2',
      { class: 'print-only' },
      `${t('tab.mine')}：${u.code} ${u.name}（${u.level}，${t(`fund.${fund.fund}.long`)}）`,
    ),
    figures,
    cliff ? h('p', { class: cliff.near ? 'cliff near' : 'cliff', id: 'mine-cliff' }, cliff.text) : null,
    h(
      'div',
      { class: 'toolbar' },
      h('button', { type: 'button', id: 'print-mine', onclick: on.printMine }, t('mine.print')),
      h('button', { type: 'button', id: 'xlsx-mine', onclick: () => on.exportAs('xlsx') }, t('mine.xlsx')),
    ),
    unitBlock(fund, u),
    h(
      'div',
      { class: 'two' },
      h(
        'section',
        { class: 'card' },
        h('h3', null, t('mine.band')),
        bandEl,
        h('p', { class: 'note' }, t('mine.band.note')),
      ),
      h(
        'section',
        { class: 'card' },
        h('h3', null, t('mine.dilution', { x: fmtNum(state.extraPoints, 0) })),
        dil,
        h('p', { class: 'note' }, t('mine.dilution.note')),
      ),
    ),
    h(
      'section',
      { class: 'card' },
      h('h3', null, t('mine.groups')),
      lines.length ? groupsChart : null,
      'breakdown' in r
        ? h('div', { class: 'table-wrap short' }, groupTable)
        : h('p', { class: 'muted', id: 'group-loading' }, t('mine.groups.loading')),
      r.breakdownError ? h('p', { class: 'muted' }, msg(r.breakdownError.errors?.[0] ?? r.breakdownError)) : null,
    ),
  );
  requestAnimationFrame(() => {
    if (r.curve) charts.bandChart(bandEl, r.curve);
    if (lines.length) charts.groupBars(groupsChart, lines);
  });
}

// ---- scenario comparison ---------------------------------------------------------------------

export function renderCompare(el, state, on) {
  const s = state.result?.settlement;
  if (!s) return fill(el, h('p', { class: 'empty' }, state.emptyMessage ?? t('status.needdata')));
  const c = state.result.comparison;
  const head = h(
    'div',
    { class: 'toolbar' },
    h('strong', null, t('compare.title', { base: state.baselineName, cur: state.policy?.name ?? '' })),
    h('button', { type: 'button', onclick: on.setBaselineToCurrent }, t('compare.setbase')),
    h('button', { type: 'button', onclick: on.resetToBaseline }, t('compare.reset')),
  );
  if (!c) return fill(el, head, h('p', { class: 'empty' }, t('compare.same')));
  const figs = h(
    'div',
    { class: 'mine-figures' },
    c.funds.flatMap((f) => [
      kpi(
        t('compare.pv', { fund: fundName(f.fund) }),
        f.point_value_after ?? '—',
        t('kpi.pv.unit'),
        `${t('col.before')} ${f.point_value_before ?? '—'}`,
      ),
      kpi(
        t('compare.budget', { fund: fundName(f.fund) }),
        fmtWan(f.budget_after),
        t('unit.wan'),
        `${t('col.before')} ${fmtWan(f.budget_before)}`,
      ),
    ]),
  );
  const fc = c.funds.find((f) => f.fund === state.fund) ?? c.funds[0];
  const rows = [...fc.units].sort((a, b) => cmpDec(a.delta, b.delta));
  const table = h(
    'table',
    { class: 'grid', id: 'compare-table' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['col.code', 'col.name'].map((k) => h('th', null, t(k))),
        [
          'col.S.before',
          'col.S.after',
          'col.fp.before',
          'col.fp.after',
          'col.delta',
          'col.net.before',
          'col.net.after',
        ].map((k) => h('th', { class: 'num' }, t(k))),
      ),
    ),
    h(
      'tbody',
      null,
      rows.map((u) =>
        h(
          'tr',
          null,
          h('td', null, u.code),
          h('td', { class: 'name' }, u.name),
          h('td', { class: 'num' }, fmtMoney(u.settlement_before)),
          h('td', { class: 'num' }, fmtMoney(u.settlement_after)),
          h('td', { class: 'num' }, fmtMoney(u.fund_pays_before)),
          h('td', { class: 'num' }, fmtMoney(u.fund_pays_after)),
          h(
            'td',
            { class: cmpDec(u.delta, '0') < 0 ? 'num neg' : cmpDec(u.delta, '0') > 0 ? 'num pos' : 'num' },
            fmtMoney(u.delta),
          ),
          h('td', { class: 'num' }, fmtMoney(u.net_before)),
          h('td', { class: 'num' }, fmtMoney(u.net_after)),
        ),
      ),
    ),
    h(
      'tfoot',
      null,
      h(
        'tr',
        { class: 'totals' },
        h('td', null, t('table.total')),
        h('td'),
        [
          'settlement_before',
          'settlement_after',
          'fund_pays_before',
          'fund_pays_after',
          'delta',
          'net_before',
          'net_after',
        ].map((k) => h('td', { class: 'num' }, fmtMoney(addDec(...fc.units.map((u) => u[k]))))),
      ),
    ),
  );
  fill(
    el,
    head,
    figs,
    h('div', { class: 'toolbar' }, fundSwitch(state, s, on)),
    h('div', { class: 'table-wrap' }, table),
  );
}

// ---- errors ----------------------------------------------------------------------------------

/** A sortable, copyable table of error rows (`{file, row, column, header, value, path, message_*}`). */
export function errorTable(rows, on, { id, sort = { key: null, dir: 1 } } = {}) {
  const cols = [
    { key: 'file', label: 'err.file' },
    { key: 'path', label: 'err.path' },
    { key: 'row', label: 'err.row', num: true },
    { key: 'column', label: 'err.col' },
    { key: 'header', label: 'err.header' },
    { key: 'value', label: 'err.value' },
    { key: 'message', label: 'err.message', get: (r) => msg(r) },
  ].filter(
    (c) => c.key === 'message' || rows.some((r) => r[c.key] !== null && r[c.key] !== undefined && r[c.key] !== ''),
  );
  const wrap = h('div', { class: 'errors', id });
  const draw = () => {
    const sorted = sort.key
      ? [...rows].sort((a, b) => {
          const c = cols.find((x) => x.key === sort.key);
          const x = c.get ? c.get(a) : a[c.key];
          const y = c.get ? c.get(b) : b[c.key];
          return (c.num ? (x ?? 0) - (y ?? 0) : String(x ?? '').localeCompare(String(y ?? ''), 'zh-CN')) * sort.dir;
        })
      : rows;
    const table = h(
      'table',
      { class: 'grid errors-table' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          cols.map((c) =>
            h(
              'th',
              {
                class: `sortable ${c.num ? 'num' : ''} ${sort.key === c.key ? (sort.dir > 0 ? 'asc' : 'desc') : ''}`,
                onclick: () => {
                  sort = { key: c.key, dir: sort.key === c.key ? -sort.dir : 1 };
                  draw();
                },
              },
              t(c.label),
            ),
          ),
        ),
      ),
      h(
        'tbody',
        null,
        sorted.map((r) =>
          h(
            'tr',
            { class: r.severity === 'warning' ? 'warning' : '' },
            cols.map((c) =>
              h(
                'td',
                { class: c.num ? 'num' : c.key === 'message' ? 'message' : '' },
                String((c.get ? c.get(r) : r[c.key]) ?? ''),
              ),
            ),
          ),
        ),
      ),
    );
    fill(
      wrap,
      h(
        'div',
        { class: 'toolbar' },
        h(
          'button',
          {
            type: 'button',
            onclick: () =>
              copyRows(on, [
                cols.map((c) => t(c.label)),
                ...sorted.map((r) => cols.map((c) => (c.get ? c.get(r) : r[c.key]) ?? '')),
              ]),
          },
          t('table.copy'),
        ),
      ),
      table,
    );
  };
  draw();
  return wrap;
}
