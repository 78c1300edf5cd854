// The 年初测算 view (issue 16, SPEC §13, docs/calibrate.md): the bureau's year start in the page.
// The user loads one to three past years' case files (read in the worker by its `Calibrator`,
// www/app/yearstart-worker.js, in slices with progress), chooses the method and weights, and sees
// the year-start point value, the score distribution, the flagged groups, the proposed level
// coefficients (opened as a scenario against the policy's table: the 情景比较 view), the
// simulation of the policy on the latest year, and exports the catalog as `dipcalc calibrate
// --catalog-out` writes it. The institution table and the catalog in force are the ones loaded
// under 数据导入; the policy is the one on screen.
//
// Its state is `yearStart` in app/state.js (changed through `actions.yearStart`); this module
// subscribes to it and draws #view-yearstart, with textContent only.

import { scoreHistogram } from './charts.js';
import { divDec, fmtMoney, fmtNum, fmtPct, fmtPoints, shiftDec, subDec } from './decimal.js';
import { $, download, fill, h } from './dom.js';
import { lang, msg, t } from './i18n.js';
import { actions, getState, subscribe } from './state.js';

const MAX_YEARS = 3;
const SHOWN_GROUPS = 200;

let engine = null;
let root = null;
/** What the user typed in the form, kept across redraws (text as typed). */
const form = {
  weights: '1,2,7',
  scale: '1000',
  method: 'mean',
  methodArg: '',
  averaging: 'year_means',
  trim: 'percentile',
  low: '2.5',
  high: '97.5',
  k: '3',
  minCases: '15',
  maxCv: '1',
  grassrootsMaxCv: '0.7',
  pointValueRule: 'all',
  levelWeights: '1,1,1',
  applyLevels: false,
  filter: '',
};

/** Wires the view to the worker and the state; draws it now and on every change. */
export function initYearStart(client, el) {
  engine = client;
  root = el;
  subscribe((changed, s) => {
    const shown = s.view === 'yearstart';
    if (
      changed.has('yearStart') ||
      changed.has('lang') ||
      (shown && ['view', 'files', 'policy'].some((k) => changed.has(k)))
    )
      render();
  });
  render();
}

// ---- the options -------------------------------------------------------------------------------

const list = (text) =>
  String(text)
    .split(/[,:，、\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** `CalibrateOptions` (src/calibrate/mod.rs) as JSON text, from the form; the engine checks it. */
export function optionsJson(f = form) {
  const method =
    f.method === 'base_group'
      ? { method: 'base_group', code: f.methodArg.trim() }
      : f.method === 'fixed'
        ? { method: 'fixed', amount: f.methodArg.trim() }
        : { method: 'mean' };
  const trim =
    f.trim === 'none'
      ? { rule: 'none' }
      : f.trim === 'sd'
        ? { rule: 'sd', k: f.k.trim() }
        : { rule: 'percentile', low: shiftDec(f.low.trim(), -2), high: shiftDec(f.high.trim(), -2) };
  const [cost, resource, cmi] = list(f.levelWeights);
  return JSON.stringify({
    weights: list(f.weights),
    averaging: f.averaging,
    method,
    scale: f.scale,
    trim,
    min_cases: Number.parseInt(f.minCases, 10),
    max_cv: f.maxCv.trim(),
    grassroots_max_cv: f.grassrootsMaxCv.trim(),
    point_value_rule: f.pointValueRule,
    level_weights: { cost, resource, cmi },
  });
}

// ---- actions -----------------------------------------------------------------------------------

const failure = (err) => ({ message: msg(err.errors?.[0] ?? err) || err.message, errors: err.errors ?? [] });

/** Reads the chosen files as the history (oldest first: sorted by name, so 2022… before 2024…). */
async function loadHistory(files) {
  const chosen = [...files].sort((a, b) => a.name.localeCompare(b.name)).slice(0, MAX_YEARS);
  actions.yearStart({ history: [], calibration: null, simulation: null, error: null });
  await engine.request('ys-reset');
  const history = [];
  for (const file of chosen) {
    actions.yearStart({ reading: { name: file.name, bytes: 0, total: file.size, rows: 0 } });
    try {
      const cases = await engine.request(
        'ys-add',
        { file, name: file.name, options: {} },
        { onProgress: (p) => actions.yearStart({ reading: { name: file.name, ...p } }) },
      );
      history.push({ name: file.name, file, cases });
    } catch (err) {
      await engine.request('ys-reset');
      actions.yearStart({ history: [], reading: null, error: { file: file.name, ...failure(err) } });
      return;
    }
  }
  const note = files.length > MAX_YEARS ? t('ys.toomany', { n: MAX_YEARS }) : null;
  actions.yearStart({ history, reading: null, error: note ? { message: note, errors: [] } : null });
  if (history.length) await calibrate();
}

const tableOf = (kind) => {
  const f = getState().files[kind];
  return f?.status === 'ok' ? { file: f.file, name: f.name, options: f.options } : null;
};

async function calibrate() {
  const s = getState();
  if (!s.yearStart.history.length) return;
  actions.yearStart({ busy: 'calibrate', error: null });
  try {
    const text = await engine.request('ys-calibrate', {
      options: optionsJson(),
      policy: s.policy ? JSON.stringify(s.policy) : null,
      institutions: tableOf('institutions'),
      catalog: tableOf('catalog'),
    });
    actions.yearStart({ calibration: JSON.parse(text), simulation: null, busy: null });
  } catch (err) {
    actions.yearStart({ calibration: null, simulation: null, busy: null, error: failure(err) });
  }
}

async function simulate() {
  const s = getState();
  actions.yearStart({ busy: 'simulate', error: null });
  try {
    const text = await engine.request('ys-simulate', {
      policy: JSON.stringify(s.policy),
      applyLevels: form.applyLevels,
    });
    actions.yearStart({ simulation: { funds: JSON.parse(text), applyLevels: form.applyLevels }, busy: null });
  } catch (err) {
    actions.yearStart({ simulation: null, busy: null, error: failure(err) });
  }
}

/** The proposed level table as the scenario, the policy in force as its baseline: 情景比较. */
async function openScenario() {
  const s = getState();
  try {
    const proposed = JSON.parse(await engine.request('ys-proposed', { policy: JSON.stringify(s.policy) }));
    actions.setBaselineToCurrent();
    actions.editPolicy('coefficients.levels', proposed.coefficients.levels);
    actions.show('compare');
  } catch (err) {
    actions.yearStart({ error: failure(err) });
  }
}

async function exportCatalog(format) {
  try {
    const out = await engine.request('ys-catalog', { format, lang: lang() });
    download(`${t('ys.catalog.file')}.${format}`, out.bytes ?? out.text, out.mime);
  } catch (err) {
    actions.yearStart({ error: failure(err) });
  }
}

// ---- drawing -----------------------------------------------------------------------------------

const num = (text, dp) => h('td', { class: 'num' }, text === null || text === undefined ? '—' : fmtNum(text, dp));

function field(label, input) {
  return h('label', { class: 'ys-field' }, h('span', null, label), input);
}

function text(key, attrs = {}) {
  return h('input', {
    type: 'text',
    id: `ys-${key}`,
    value: form[key],
    size: attrs.size ?? 8,
    oninput: (e) => {
      form[key] = e.target.value;
    },
  });
}

function select(key, options) {
  return h(
    'select',
    {
      id: `ys-${key}`,
      onchange: (e) => {
        form[key] = e.target.value;
        render();
      },
    },
    options.map(([value, label]) => h('option', { value, selected: form[key] === value }, label)),
  );
}

function historyCard(ys) {
  const reading = ys.reading;
  const input = h('input', {
    type: 'file',
    id: 'ys-history',
    multiple: true,
    accept: '.csv,.txt,.tsv,.xlsx,.xls,.ods',
    onchange: (e) => {
      const files = [...e.target.files];
      e.target.value = '';
      if (files.length) loadHistory(files);
    },
  });
  const tables = ['institutions', 'catalog'].map((k) =>
    h(
      'li',
      null,
      `${t(`table.${k}`)}：${getState().files[k]?.status === 'ok' ? getState().files[k].name : t('ys.none')}`,
    ),
  );
  return h(
    'section',
    { class: 'card', id: 'ys-history-card' },
    h('h3', null, t('ys.history')),
    h('p', { class: 'note' }, t('ys.history.note', { n: MAX_YEARS })),
    h('div', { class: 'toolbar' }, input),
    reading
      ? h(
          'div',
          { class: 'ys-progress', id: 'ys-progress' },
          h('progress', { max: Math.max(reading.total, 1), value: reading.bytes ?? 0 }),
          ` ${t('data.reading', {
            file: reading.name,
            rows: fmtNum(String(reading.rows ?? 0), 0),
            pct: `${Math.round(((reading.bytes ?? 0) / Math.max(reading.total, 1)) * 100)}%`,
          })}`,
        )
      : null,
    ys.history.length
      ? h(
          'ol',
          { id: 'ys-years' },
          ys.history.map((y) => h('li', null, `${y.name} · ${t('ys.cases', { n: fmtNum(String(y.cases), 0) })}`)),
        )
      : h('p', { class: 'empty' }, t('ys.history.empty')),
    h('p', { class: 'note' }, t('ys.tables.note')),
    h('ul', { class: 'ys-tables' }, tables),
  );
}

function optionsCard(ys) {
  const methodArg =
    form.method === 'mean'
      ? null
      : field(t(form.method === 'fixed' ? 'ys.method.amount' : 'ys.method.code'), text('methodArg'));
  const trimArgs =
    form.trim === 'percentile'
      ? [field(t('ys.trim.low'), text('low', { size: 5 })), field(t('ys.trim.high'), text('high', { size: 5 }))]
      : form.trim === 'sd'
        ? [field('k', text('k', { size: 5 }))]
        : [];
  return h(
    'section',
    { class: 'card', id: 'ys-options' },
    h('h3', null, t('ys.options')),
    h(
      'div',
      { class: 'ys-form' },
      field(t('ys.weights'), text('weights')),
      field(
        t('ys.scale'),
        select('scale', [
          ['1000', '1000'],
          ['100', '100'],
        ]),
      ),
      field(
        t('ys.method'),
        select('method', [
          ['mean', t('ys.method.mean')],
          ['base_group', t('ys.method.base')],
          ['fixed', t('ys.method.fixed')],
        ]),
      ),
      methodArg,
      field(
        t('ys.averaging'),
        select('averaging', [
          ['year_means', t('ys.averaging.years')],
          ['pooled', t('ys.averaging.pooled')],
        ]),
      ),
      field(
        t('ys.trim'),
        select('trim', [
          ['percentile', t('ys.trim.percentile')],
          ['sd', t('ys.trim.sd')],
          ['none', t('ys.trim.none')],
        ]),
      ),
      trimArgs,
      field(t('ys.mincases'), text('minCases', { size: 5 })),
      field(t('ys.maxcv'), text('maxCv', { size: 5 })),
      field(t('ys.grassrootscv'), text('grassrootsMaxCv', { size: 5 })),
      field(
        t('ys.pvrule'),
        select('pointValueRule', [
          ['all', t('ys.pvrule.all')],
          ['below_mean', t('ys.pvrule.below')],
        ]),
      ),
      field(t('ys.levelweights'), text('levelWeights')),
    ),
    h(
      'div',
      { class: 'toolbar' },
      h(
        'button',
        {
          type: 'button',
          id: 'ys-run',
          class: 'primary',
          disabled: !ys.history.length || !!ys.busy,
          onclick: calibrate,
        },
        t('ys.run'),
      ),
      ys.busy ? h('span', { class: 'note' }, t(`ys.busy.${ys.busy}`)) : null,
    ),
  );
}

function errorBox(err) {
  if (!err) return null;
  return h(
    'section',
    { class: 'card ys-error', id: 'ys-error', role: 'alert' },
    h('p', null, err.file ? `${err.file}: ${err.message}` : err.message),
    err.errors.length > 1
      ? h(
          'ul',
          null,
          err.errors.slice(0, 20).map((e) => h('li', null, msg(e))),
        )
      : null,
  );
}

function summaryCard(cal) {
  const pv = cal.point_value;
  return h(
    'section',
    { class: 'card', id: 'ys-summary' },
    h('h3', null, t('ys.summary')),
    h(
      'dl',
      { class: 'facts' },
      h('dt', null, t('ys.pv')),
      h('dd', { class: 'num big', id: 'ys-pv' }, pv.value),
      h('dt', null, t('ys.pv.all')),
      h('dd', { class: 'num' }, pv.all_cases),
      h('dt', null, t('ys.denominator')),
      h('dd', { class: 'num' }, fmtMoney(cal.denominator)),
      h('dt', null, t('ys.groups')),
      h('dd', { class: 'num' }, fmtNum(String(cal.groups.length), 0)),
    ),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'grid compact', id: 'ys-years-table' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ['ys.col.year', 'ys.col.weight', 'ys.col.read', 'ys.col.used', 'ys.col.trimmed', 'ys.col.notdip'].map(
              (k, i) => h('th', { class: i ? 'num' : null }, t(k)),
            ),
            h('th', { class: 'num' }, t('ys.col.qc')),
            h('th', { class: 'num' }, t('ys.col.cost')),
            h('th', { class: 'num' }, t('ys.col.points')),
          ),
        ),
        h(
          'tbody',
          null,
          cal.years.map((y) =>
            h(
              'tr',
              null,
              h('td', null, y.label),
              h('td', { class: 'num' }, y.weight),
              num(String(y.cases_read), 0),
              num(String(y.cases_used), 0),
              num(String(y.trimmed), 0),
              num(String(y.not_dip), 0),
              num(String(y.qc_failed), 0),
              h('td', { class: 'num' }, fmtMoney(y.cost)),
              h('td', { class: 'num' }, fmtPoints(y.points)),
            ),
          ),
        ),
      ),
    ),
    cal.defaults.length
      ? h(
          'ul',
          { class: 'notices' },
          cal.defaults.map((d) => h('li', null, msg(d))),
        )
      : null,
  );
}

const flagText = (f) => t(`ys.flag.${f}`);

function groupRows(groups) {
  return groups.map((g) =>
    h(
      'tr',
      { dataset: { code: g.code } },
      h('td', null, g.code),
      h('td', null, g.name),
      h('td', { class: 'num score' }, g.score),
      h('td', { class: 'num' }, fmtMoney(g.mean)),
      num(String(g.cases), 0),
      num(String(g.trimmed), 0),
      h('td', { class: 'num' }, g.cv ?? '—'),
      h('td', null, g.flags.map(flagText).join('；')),
    ),
  );
}

function groupTable(id, groups) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'grid compact', id },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', null, t('col.code')),
          h('th', null, t('col.name')),
          h('th', { class: 'num' }, t('ys.col.score')),
          h('th', { class: 'num' }, t('ys.col.mean')),
          h('th', { class: 'num' }, t('ys.col.cases')),
          h('th', { class: 'num' }, t('ys.col.trimmed')),
          h('th', { class: 'num' }, t('ys.col.cv')),
          h('th', null, t('ys.col.flags')),
        ),
      ),
      h('tbody', null, groupRows(groups)),
    ),
  );
}

function groupsCard(cal) {
  const flagged = cal.groups.filter((g) => g.flags.length);
  const needle = form.filter.trim().toLowerCase();
  const shown = cal.groups
    .filter((g) => !needle || g.code.toLowerCase().includes(needle) || g.name.toLowerCase().includes(needle))
    .slice(0, SHOWN_GROUPS);
  const tableBox = h('div', { id: 'ys-groups-box' }, groupTable('ys-groups', shown));
  const search = h('input', {
    type: 'search',
    id: 'ys-filter',
    value: form.filter,
    placeholder: t('ys.filter'),
    oninput: (e) => {
      form.filter = e.target.value;
      const n = e.target.value.trim().toLowerCase();
      const rows = cal.groups
        .filter((g) => !n || g.code.toLowerCase().includes(n) || g.name.toLowerCase().includes(n))
        .slice(0, SHOWN_GROUPS);
      fill(tableBox, groupTable('ys-groups', rows));
    },
  });
  return [
    h(
      'section',
      { class: 'card', id: 'ys-distribution' },
      h('h3', null, t('ys.distribution')),
      h('div', { class: 'chart', id: 'chart-ys-scores' }),
    ),
    h(
      'section',
      { class: 'card', id: 'ys-flagged-card' },
      h('h3', null, t('ys.flagged', { n: flagged.length })),
      h('p', { class: 'note' }, t('ys.flagged.note')),
      flagged.length ? groupTable('ys-flagged', flagged) : h('p', { class: 'empty' }, t('ys.flagged.none')),
    ),
    h(
      'section',
      { class: 'card', id: 'ys-groups-card' },
      h('h3', null, t('ys.catalog')),
      h(
        'div',
        { class: 'toolbar' },
        search,
        h('button', { type: 'button', id: 'ys-export-csv', onclick: () => exportCatalog('csv') }, t('ys.export.csv')),
        h(
          'button',
          { type: 'button', id: 'ys-export-xlsx', onclick: () => exportCatalog('xlsx') },
          t('ys.export.xlsx'),
        ),
      ),
      h('p', { class: 'note' }, t('ys.catalog.note', { n: SHOWN_GROUPS })),
      tableBox,
    ),
  ];
}

function levelsCard(cal) {
  const lv = cal.levels;
  if (!lv)
    return h('section', { class: 'card', id: 'ys-levels-card' }, h('p', { class: 'empty' }, t('ys.levels.none')));
  const cols = ['cost_index', 'resource_index', 'cmi', 'cmi_index'];
  const row = (l) =>
    h(
      'tr',
      { dataset: { level: l.key } },
      h('td', null, l.key),
      num(String(l.institutions), 0),
      num(String(l.cases), 0),
      h('td', { class: 'num' }, fmtMoney(l.mean_cost)),
      cols.map((c) => h('td', { class: 'num' }, l[c] ?? '—')),
      h('td', { class: 'num proposed' }, l.proposed ?? '—'),
      h('td', { class: 'num' }, l.current ?? '—'),
    );
  return h(
    'section',
    { class: 'card', id: 'ys-levels-card' },
    h('h3', null, t('ys.levels')),
    h('p', { class: 'note' }, t('ys.levels.note')),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'grid compact', id: 'ys-levels' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', null, t('col.level')),
            h('th', { class: 'num' }, t('ys.col.institutions')),
            h('th', { class: 'num' }, t('ys.col.cases')),
            h('th', { class: 'num' }, t('ys.col.mean')),
            h('th', { class: 'num' }, t('ys.col.costindex')),
            h('th', { class: 'num' }, t('ys.col.resource')),
            h('th', { class: 'num' }, 'CMI'),
            h('th', { class: 'num' }, t('ys.col.cmiindex')),
            h('th', { class: 'num' }, t('ys.col.proposed')),
            h('th', { class: 'num' }, t('ys.col.current')),
          ),
        ),
        h('tbody', null, lv.levels.map(row)),
      ),
    ),
    h(
      'div',
      { class: 'toolbar' },
      h(
        'button',
        { type: 'button', id: 'ys-scenario', disabled: !getState().policy, onclick: openScenario },
        t('ys.scenario'),
      ),
      h('span', { class: 'note' }, t('ys.scenario.note')),
    ),
  );
}

function simulationRows(lines, total) {
  const row = (l, label) =>
    h(
      'tr',
      { dataset: { key: l.key } },
      h('td', null, label ?? l.key),
      h('td', null, l.level),
      num(String(l.cases), 0),
      h('td', { class: 'num' }, fmtMoney(l.total_cost)),
      h('td', { class: 'num' }, fmtMoney(l.settlement)),
      h('td', { class: 'num' }, fmtMoney(l.target)),
      h('td', { class: 'num' }, fmtMoney(l.simulated_fund_payment)),
      h('td', { class: 'num' }, fmtMoney(l.actual_fund_payment)),
      h('td', { class: 'num' }, fmtPct(l.payment_rate)),
      h('td', { class: 'num' }, fmtMoney(l.borne_cost)),
      h('td', { class: 'num' }, fmtPct(l.borne_share)),
      h('td', { class: 'num' }, fmtMoney(l.difference)),
    );
  return [...lines.map((l) => row(l)), row(total, t('ys.total'))];
}

function simulationTable(id, lines, total) {
  const heads = [
    'ys.sim.key',
    'col.level',
    'ys.col.cases',
    'ys.sim.cost',
    'ys.sim.settlement',
    'ys.sim.target',
    'ys.sim.fund',
    'ys.sim.actual',
    'ys.sim.rate',
    'ys.sim.borne',
    'ys.sim.share',
    'ys.sim.difference',
  ];
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'grid compact', id },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          heads.map((k, i) => h('th', { class: i > 1 ? 'num' : null }, t(k))),
        ),
      ),
      h('tbody', null, simulationRows(lines, total)),
    ),
  );
}

function simulationCard(ys) {
  const hasInstitutions = !!ys.calibration?.levels;
  const sim = ys.simulation;
  const check = h('input', {
    type: 'checkbox',
    id: 'ys-apply-levels',
    checked: form.applyLevels,
    onchange: (e) => {
      form.applyLevels = e.target.checked;
    },
  });
  const funds = (sim?.funds ?? []).map((f) =>
    h(
      'div',
      { class: 'ys-fund', dataset: { fund: f.fund } },
      h('h4', null, t(`fund.${f.fund}.long`)),
      h(
        'dl',
        { class: 'facts' },
        h('dt', null, t('ys.sim.budgeted')),
        h('dd', { class: 'num', dataset: { budgetedPv: f.fund } }, f.budgeted_point_value ?? '—'),
        h('dt', null, t('ys.pv')),
        h('dd', { class: 'num' }, f.year_start_point_value ?? '—'),
        h('dt', null, t('ys.sim.rate.diff')),
        h('dd', { class: 'num', dataset: { differenceRate: f.fund } }, fmtPct(f.difference_rate)),
        h('dt', null, t('kpi.budget')),
        h('dd', { class: 'num' }, fmtMoney(f.budget)),
        h('dt', null, t('ys.sim.points')),
        h('dd', { class: 'num' }, fmtPoints(f.projected_points)),
      ),
      h('h5', null, t('ys.sim.bylevel')),
      simulationTable(`ys-sim-levels-${f.fund}`, f.levels, f.total),
      h('h5', null, t('ys.sim.byinstitution')),
      simulationTable(`ys-sim-institutions-${f.fund}`, f.institutions, f.total),
    ),
  );
  return h(
    'section',
    { class: 'card', id: 'ys-simulation' },
    h('h3', null, t('ys.sim')),
    h('p', { class: 'note' }, t('ys.sim.note')),
    h(
      'div',
      { class: 'toolbar' },
      h('label', { class: 'check' }, check, ` ${t('ys.sim.apply')}`),
      h(
        'button',
        {
          type: 'button',
          id: 'ys-simulate',
          disabled: !hasInstitutions || !getState().policy || !!ys.busy,
          onclick: simulate,
        },
        t('ys.sim.run'),
      ),
      hasInstitutions ? null : h('span', { class: 'note' }, t('ys.sim.needinst')),
    ),
    sim ? h('p', { class: 'note' }, t(sim.applyLevels ? 'ys.sim.withproposed' : 'ys.sim.withcurrent')) : null,
    funds,
  );
}

export function render() {
  if (!root) return;
  const ys = getState().yearStart;
  const cal = ys.calibration;
  const active = document.activeElement;
  const focusId = active && root.contains(active) ? active.id : null;
  fill(
    root,
    h('p', { class: 'note ys-intro' }, t('ys.intro')),
    historyCard(ys),
    optionsCard(ys),
    errorBox(ys.error),
    cal ? [summaryCard(cal), groupsCard(cal), levelsCard(cal), simulationCard(ys)] : null,
  );
  if (cal) requestAnimationFrame(() => scoreHistogram($('#chart-ys-scores', root), cal.groups));
  if (focusId) document.getElementById(focusId)?.focus();
  root.dataset.ready = cal && !ys.busy ? 'true' : 'false';
}

// ---- the overview's line: the settlement's point value against the year-start one ---------------

/**
 * 年初点值与结算点值差异率 (国家DIP3.0 第八章第二节二) of one fund of the settlement on screen, once the
 * year start has been calibrated: [dt, dd, dt, dd] for the overview's facts, else nothing. The
 * rate is (PV − PV₀) ÷ PV₀ from the exact values, 6 decimals half away from zero, as
 * `calibrate::point_value::difference_rate` computes it.
 */
export function yearStartFacts(state, fund) {
  const pv0 = state.yearStartPointValue;
  const pv = fund.point_value_exact ?? fund.point_value;
  if (!pv0 || !pv) return [];
  const rate = divDec(subDec(pv, pv0.exact), pv0.exact, 6);
  return [
    h('dt', null, t('ys.pv')),
    h('dd', { class: 'num', dataset: { yearStartPv: fund.fund } }, pv0.value),
    h('dt', { title: t('ys.rate.note') }, t('ys.sim.rate.diff')),
    h('dd', { class: 'num', title: t('ys.rate.note'), dataset: { pvDifference: fund.fund } }, fmtPct(rate)),
  ];
}
