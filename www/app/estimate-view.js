// The 年终预估 view (SPEC §11, issue #13): the year-end estimate from the months loaded. Inputs:
// the cut-off month, the growth of the remaining months and the monthly weights (the state's
// `estimateOptions`). Shown: per fund the months observed and projected and the projected annual
// point value with its 10th–90th percentile interval; for the institution in focus S, T, fund
// payment and the year-end net with their intervals, the share of draws in each risk-sharing band
// and the distance to the nearest band edge. A previous year's case file (上年病例) can be loaded
// here: once read its monthly shares of the region's points are offered as the monthly weights,
// a bad file's errors show in place and the rest of the view stays. Like the other views it reads the state, builds DOM
// with textContent only and changes nothing itself: what the user does goes to the actions (`on`).

import { fanChart } from './charts.js';
import { cmpDec, fmtMoney, fmtNum, fmtPct, parseTyped } from './decimal.js';
import { fill, h } from './dom.js';
import { msg, t } from './i18n.js';

const PROFILES = ['auto', 'policy', 'previous_year', 'even'];
const ACCEPT = '.csv,.txt,.tsv,.xlsx,.xls,.xlsb,.ods,.et';
const INTERVALS = ['predictive', 'run_rate'];

/** The options the engine reads (`EstimateOptions`), or null while the growth typed is not a rate. */
export function engineOptions(o) {
  const out = { profile: o.profile };
  if (o.interval) out.interval = o.interval;
  if (String(o.through ?? '').trim()) out.through = Number(o.through);
  if (String(o.growth ?? '').trim()) {
    const g = parseTyped(o.growth);
    if (!g) return null;
    out.growth = g.value;
  }
  return out;
}

/** The last month with points in a fund's settlement (0 when none). */
export function lastMonthWithData(fund) {
  let last = 0;
  (fund.months ?? []).forEach((m, i) => {
    if (cmpDec(m.points, '0') !== 0) last = i + 1;
  });
  return last;
}

/** The overview's plain notice when a fund's data stop before December; null when they cover the year. */
export function coverageNotice(settlement, on) {
  const short = settlement.funds.map((f) => [f, lastMonthWithData(f)]).filter(([, k]) => k > 0 && k < 12);
  if (!short.length) return null;
  return h(
    'p',
    { class: 'strip-warn', id: 'coverage-warning', role: 'note' },
    short.map(([f, k]) => t('estimate.coverage', { fund: t(`fund.${f.fund}.long`), k })).join(' '),
    ' ',
    h('button', { type: 'button', class: 'link', onclick: () => on.show('estimate') }, t('estimate.open')),
  );
}

/** A band key of the estimate ('none', 'overspend_1', 'surplus_beyond', …) in words. */
function bandLabel(key) {
  const m = /^(overspend|surplus)_(\d+)$/.exec(key);
  return m ? t(`band.${m[1]}_shared`, { n: m[2] }) : t(`band.${key}`);
}

const signed = (text) => (String(text).startsWith('-') ? `−${fmtMoney(String(text).slice(1))}` : fmtMoney(text));

function inputs(state, on) {
  const o = state.estimateOptions;
  const bad = String(o.growth ?? '').trim() && !parseTyped(o.growth);
  return h(
    'div',
    { class: 'toolbar estimate-inputs' },
    h(
      'label',
      null,
      t('estimate.through'),
      ' ',
      h(
        'select',
        { id: 'est-through', onchange: (e) => on.setEstimateOptions({ through: e.target.value }) },
        h('option', { value: '', selected: !o.through }, t('estimate.through.auto')),
        Array.from({ length: 12 }, (_, i) =>
          h(
            'option',
            { value: String(i + 1), selected: String(o.through) === String(i + 1) },
            t('month', { m: i + 1 }),
          ),
        ),
      ),
    ),
    h(
      'label',
      null,
      t('estimate.growth'),
      ' ',
      h('input', {
        id: 'est-growth',
        type: 'text',
        inputmode: 'decimal',
        size: 6,
        value: o.growth ?? '',
        placeholder: '0%',
        'aria-invalid': bad ? 'true' : null,
        onchange: (e) => on.setEstimateOptions({ growth: e.target.value }),
      }),
    ),
    h(
      'label',
      null,
      t('estimate.profile'),
      ' ',
      h(
        'select',
        { id: 'est-profile', onchange: (e) => on.setEstimateOptions({ profile: e.target.value }) },
        PROFILES.filter((p) => p !== 'previous_year' || state.previousYear || o.profile === p).map((p) =>
          h('option', { value: p, selected: o.profile === p }, t(`estimate.profile.${p}`)),
        ),
      ),
    ),
    h(
      'label',
      null,
      t('estimate.method'),
      ' ',
      h(
        'select',
        { id: 'est-interval', onchange: (e) => on.setEstimateOptions({ interval: e.target.value }) },
        INTERVALS.map((m) =>
          h('option', { value: m, selected: (o.interval || 'predictive') === m }, t(`estimate.method.${m}`)),
        ),
      ),
    ),
    bad ? h('p', { class: 'field-error', role: 'alert' }, t('estimate.growth.bad', { v: o.growth })) : null,
    previousSlot(state, on),
  );
}

/** Where a located import error is: sheet, row, column. */
function located(r) {
  const at = [r.sheet, r.row ? t('estimate.previous.row', { n: r.row }) : null, r.header ?? r.column];
  return at.filter((x) => x !== null && x !== undefined && x !== '').join(' · ');
}

/** The 上年病例 slot: load, what is loaded, clear; a refused file's errors in place. */
function previousSlot(state, on) {
  const p = state.previousYear;
  const load = state.previousYearLoad;
  const input = h('input', {
    id: 'est-previous-file',
    type: 'file',
    accept: ACCEPT,
    hidden: true,
    onchange: (e) => {
      const file = e.target.files[0];
      e.target.value = '';
      if (file) on.loadPreviousYear(file);
    },
  });
  const status = p
    ? t('estimate.previous.loaded', {
        name: p.name,
        cases: fmtNum(String(p.cases), 0),
        funds: p.funds.map((f) => t(`fund.${f}.long`)).join('、'),
      })
    : t('estimate.previous.none');
  const err = load?.status === 'error' ? load.error : null;
  const rows = err?.errors?.length ? err.errors.slice(0, 5) : err ? [err] : [];
  return h(
    'div',
    { class: 'estimate-previous', id: 'est-previous', dataset: { status: load?.status ?? (p ? 'ok' : 'none') } },
    h('span', { class: 'kpi-label' }, t('estimate.previous')),
    ' ',
    h(
      'button',
      { type: 'button', class: 'ghost', id: 'est-previous-load', onclick: () => input.click() },
      p ? t('estimate.previous.replace') : t('estimate.previous.load'),
    ),
    input,
    ' ',
    h(
      'span',
      { class: 'note', id: 'est-previous-status' },
      load?.status === 'reading' ? t('estimate.previous.reading', { name: load.name }) : status,
    ),
    p
      ? h(
          'button',
          { type: 'button', class: 'link', id: 'est-previous-clear', onclick: () => on.clearPreviousYear() },
          t('estimate.previous.clear'),
        )
      : null,
    p ? h('p', { class: 'note' }, t('estimate.previous.note')) : null,
    err
      ? h(
          'div',
          { class: 'strip-warn', id: 'est-previous-error', role: 'alert' },
          h('p', null, t(p ? 'estimate.previous.bad.kept' : 'estimate.previous.bad', { name: load.name })),
          h(
            'ul',
            null,
            rows.map((r) => {
              const at = located(r);
              return h('li', null, at ? `${at}: ${msg(r) || r.message}` : msg(r) || r.message);
            }),
          ),
          err.total > rows.length
            ? h('p', { class: 'note' }, t('estimate.previous.more', { n: err.total - rows.length }))
            : null,
        )
      : null,
  );
}

/** Which monthly weights each fund's estimate used, and the previous year's file when it was that. */
function profileNote(state, e) {
  const lines = e.funds.map((f) => {
    const text = t('estimate.profile.used', {
      fund: t(`fund.${f.months.fund}.long`),
      profile: t(`estimate.weights.${f.months.profile}`),
    });
    return f.months.profile === 'previous_year' && state.previousYear
      ? `${text}${t('estimate.profile.file', { name: state.previousYear.name })}`
      : text;
  });
  return h('p', { class: 'note', id: 'estimate-profile' }, lines.join(' '));
}

function monthsLine(f) {
  const fund = t(`fund.${f.months.fund}.long`);
  if (!f.months.projected.length) return t('estimate.months.full', { fund });
  return t('estimate.months', {
    fund,
    k: f.months.through,
    months: f.months.projected.join('、'),
    profile: t(`estimate.weights.${f.months.profile}`),
  });
}

const interval = (r, fmt) => t('estimate.interval', { lo: fmt(r.p10), hi: fmt(r.p90) });

function pvCard(f) {
  return h(
    'div',
    { class: 'fund-card' },
    h('h3', null, t(`fund.${f.months.fund}.long`)),
    h('div', { class: 'kpi-label' }, t('estimate.pv')),
    h(
      'div',
      { class: 'big-figure', dataset: { estPv: f.months.fund } },
      f.point_value.central,
      h('span', { class: 'kpi-unit' }, t('kpi.pv.unit')),
    ),
    h(
      'p',
      { class: 'note', dataset: { estPvRange: f.months.fund } },
      interval(f.point_value, (x) => fmtNum(x, 6)),
    ),
    h('p', { class: 'note' }, monthsLine(f)),
  );
}

function unitSection(state, f, on) {
  const u = f.units.find((x) => x.code === state.focus) ?? f.units[0];
  if (!u) return null;
  const picker = h(
    'select',
    { id: 'estimate-pick', 'aria-label': t('mine.pick'), onchange: (e) => on.setFocus(e.target.value) },
    f.units.map((x) => h('option', { value: x.code, selected: x.code === u.code }, `${x.code} ${x.name}`)),
  );
  const recover = u.net_to_pay.central.startsWith('-');
  const net = h(
    'div',
    { class: recover ? 'kpi net recover' : 'kpi net pay', id: 'estimate-net' },
    h('div', { class: 'kpi-label' }, recover ? t('estimate.net.recover') : t('estimate.net.pay')),
    h(
      'div',
      { class: 'kpi-value' },
      fmtMoney(recover ? u.net_to_pay.central.slice(1) : u.net_to_pay.central),
      h('span', { class: 'kpi-unit' }, t('unit.yuan')),
    ),
    h('div', { class: 'kpi-sub', id: 'estimate-net-range' }, interval(u.net_to_pay, signed)),
  );
  const rows = [
    ['mine.S', u.settlement],
    ['col.T', u.target],
    ['mine.fundpays', u.fund_pays],
    ['estimate.net', u.net_to_pay],
  ];
  const figures = h(
    'table',
    { class: 'grid', id: 'estimate-unit' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, ''),
        h('th', { class: 'num' }, t('estimate.central')),
        h('th', { class: 'num' }, 'P10'),
        h('th', { class: 'num' }, 'P50'),
        h('th', { class: 'num' }, 'P90'),
      ),
    ),
    h(
      'tbody',
      null,
      rows.map(([label, r]) =>
        h(
          'tr',
          null,
          h('th', { scope: 'row' }, t(label)),
          [r.central, r.p10, r.p50, r.p90].map((x) => h('td', { class: 'num' }, signed(x))),
        ),
      ),
    ),
  );
  const bands = Object.entries(u.bands).sort((a, b) => cmpDec(b[1], a[1]));
  const bandList = h(
    'ul',
    { class: 'band-shares', id: 'estimate-bands' },
    bands.map(([key, share]) =>
      h(
        'li',
        { dataset: { band: key } },
        h('span', { class: 'band-name' }, bandLabel(key)),
        ' ',
        h('meter', { min: 0, max: 1, value: Number(share) }),
        ' ',
        h('span', { class: 'num' }, fmtPct(share, 1)),
      ),
    ),
  );
  const e = u.nearest_edge;
  const edge = e
    ? h(
        'p',
        { class: 'cliff', id: 'estimate-edge' },
        t(e.cases === null ? 'estimate.edge.nocases' : 'estimate.edge', {
          edge: `${cmpDec(e.edge, '0') > 0 ? '+' : ''}${fmtPct(e.edge, 0)}`,
          cost: signed(e.cost),
          cases: e.cases === null ? '' : fmtNum(e.cases, 1),
        }),
      )
    : null;
  return h(
    'section',
    { class: 'card' },
    h('div', { class: 'card-head' }, h('h3', null, t('estimate.unit')), h('label', null, t('mine.pick'), ' ', picker)),
    h('div', { class: 'mine-figures' }, net),
    h('div', { class: 'table-wrap short' }, figures),
    h('h4', null, t('estimate.bands')),
    h(
      'p',
      { class: 'note', id: 'estimate-band-range' },
      t('estimate.band.range', { t: interval(u.target, signed), net: interval(u.net_to_pay, signed) }),
    ),
    bandList,
    edge,
  );
}

export function renderEstimate(el, state, on) {
  if (!state.result) return fill(el, h('p', { class: 'empty' }, state.emptyMessage ?? t('status.needdata')));
  const head = [inputs(state, on)];
  const err = state.estimateError;
  if (err) {
    return fill(
      el,
      head,
      h('p', { class: 'strip-warn', id: 'estimate-error', role: 'alert' }, msg(err.errors?.[0] ?? err) || err.message),
    );
  }
  const e = state.estimate;
  if (!e) return fill(el, head, h('p', { class: 'muted' }, t('estimate.waiting')));
  const fund = e.funds.find((f) => f.months.fund === state.fund) ?? e.funds[0];
  const fundPick =
    e.funds.length > 1
      ? h(
          'select',
          { id: 'estimate-fund', onchange: (ev) => on.setFund(ev.target.value) },
          e.funds.map((f) =>
            h('option', { value: f.months.fund, selected: f === fund }, t(`fund.${f.months.fund}.long`)),
          ),
        )
      : null;
  const fan = fund
    ? h('div', { class: 'chart', id: 'estimate-fan', role: 'img', 'aria-label': t('estimate.fan') })
    : null;
  fill(
    el,
    head,
    h('div', { class: 'fund-cards' }, e.funds.map(pvCard)),
    fan
      ? h(
          'section',
          { class: 'card' },
          h('h3', null, t('estimate.fan')),
          fan,
          h('p', { class: 'note' }, t('estimate.fan.note')),
        )
      : null,
    h('p', { class: 'note', id: 'estimate-region' }, t(`estimate.region.${e.region}`)),
    profileNote(state, e),
    fundPick ? h('div', { class: 'toolbar' }, h('label', null, t('estimate.fund'), ' ', fundPick)) : null,
    fund ? unitSection(state, fund, on) : null,
    h(
      'p',
      { class: 'note' },
      e.draws ? t('estimate.draws', { n: fmtNum(String(e.draws), 0), seed: e.seed }) : t('estimate.nodraws'),
    ),
    e.notices.length
      ? h(
          'section',
          { class: 'card' },
          h('h3', null, t('overview.notices')),
          h(
            'ul',
            { class: 'notices', id: 'estimate-notices' },
            e.notices.slice(0, 20).map((n) => h('li', null, msg(n))),
          ),
        )
      : null,
  );
  if (fan) requestAnimationFrame(() => drawFan(fan, e, fund));
}

/** The chosen fund's cumulative point value by month: observed, projected, the year's interval. */
function drawFan(el, e, fund) {
  const settled = e.settlement.funds.find((f) => f.fund === fund.months.fund);
  if (!settled) return;
  const values = Array.from({ length: 12 }, (_, i) => settled.months[i]?.cumulative_point_value ?? null);
  fanChart(el, {
    values,
    k: fund.months.through,
    range: fund.point_value,
    name: t('estimate.fan'),
    unit: t('kpi.pv.unit'),
  });
}
