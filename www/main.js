// The calculator page's controller. The state lives in app/state.js and changes only through its
// named actions; this module subscribes to it and does what a change calls for: settle again in
// the worker (app/worker-client.js ↔ worker.js) when the policy, the fund or the institution in
// focus changes, and redraw the views that show what changed (app/views.js, app/desk.js,
// app/policy-form.js, app/data-view.js), which read the state and build DOM with textContent only.
//
// Start: the engine → the policy (a scenario link, else the last one remembered, else the demo
// city's) → the data (files kept by the user's choice, else the demo city) → compute.

import { resizeCharts } from './app/charts.js';
import { openMapping, renderData } from './app/data-view.js';
import { fmtNum } from './app/decimal.js';
import * as desk from './app/desk.js';
import { $, $$, download, fill, h } from './app/dom.js';
import { engineOptions, renderEstimate } from './app/estimate-view.js';
import { lang, msg, setLang, t, translatePage } from './app/i18n.js';
import { PolicyForm } from './app/policy-form.js';
import { policyFragment, policyFromFragment } from './app/scenario-link.js';
import { actions, FUND_PART_TABLES, getState, subscribe, TABLES } from './app/state.js';
import { keepFiles, keptFiles, mappingFor, rememberMapping, STORE, setKeep, storage } from './app/storage.js';
import * as views from './app/views.js';
import { WorkerClient } from './app/worker-client.js';
import { initYearStart } from './app/yearstart.js';

const DEMO = [
  ['institutions', 'demo/institutions.csv'],
  ['catalog', 'demo/catalog.csv'],
  ['cases', 'demo/cases.csv'],
];
const DEFAULT_PRESET = '宁德2024';
const RESULT_VIEWS = ['overview', 'institutions', 'mine', 'estimate', 'compare'];

const engine = new WorkerClient();
const form = new PolicyForm($('#policy-form'));

// ---- computing -------------------------------------------------------------------------------

// Scheduling, not state: the debounce timer, requests in flight, and the result views still to
// be redrawn (views not on screen are drawn when the page is idle, one per idle callback).
const work = { timer: null, computing: 0, stale: new Set(), idle: null, estimating: 0, estimated: null, data: 0 };

// body[data-computing] is 'false' once no computation is pending or waiting and every view shows
// the last result; the page tests wait for it.
function updateBusy() {
  const busy = work.computing > 0 || work.estimating > 0 || work.timer !== null || work.stale.size > 0;
  document.body.dataset.computing = busy ? 'true' : 'false';
}

function scheduleCompute(delay = 120) {
  clearTimeout(work.timer);
  work.timer = setTimeout(() => {
    work.timer = null;
    compute();
  }, delay);
  updateBusy();
}

/** The tables still expected before the set can be settled (null when it is complete). */
function expectedTables(files) {
  const has = (k) => files[k]?.status === 'ok' && !files[k].demo;
  const own = TABLES.some(has);
  const loaded = (k) => files[k]?.status === 'ok' && (!own || !files[k].demo);
  const missing = [];
  if (!loaded('institutions')) missing.push('institutions');
  if (!loaded('summaries')) {
    if (!loaded('catalog')) missing.push('catalog');
    if (!loaded('cases')) missing.push('cases');
  }
  // Own files mixed with the demo's would only give a wall of cross-file errors.
  const demoLeft = own && TABLES.some((k) => files[k]?.demo);
  return missing.length || demoLeft ? { missing, demoLeft } : null;
}

function expectedText(exp) {
  const tables = exp.missing.map((k) => t(`table.${k}`));
  const orSummaries = exp.missing.includes('cases') ? t('data.expect.summaries') : '';
  return exp.missing.length ? t('data.expect', { tables: tables.join('、') + orSummaries }) : t('data.expect.demo');
}

async function compute() {
  const s = getState();
  if (!s.policy || s.importing) return;
  const json = JSON.stringify(s.policy);
  rememberPolicy(json);
  writeLink(json);
  const exp = expectedTables(s.files);
  if (exp) {
    actions.computeFailed({ kind: 'incomplete', errors: [] }, expectedText(exp));
    actions.status(expectedText(exp), 'warn');
    document.body.dataset.settled = 'false';
    return;
  }
  actions.status(t('status.computing'), 'busy');
  work.computing += 1;
  updateBusy();
  const payload = {
    policy: json,
    baseline: s.baselineJson && s.baselineJson !== json ? s.baselineJson : null,
    focus: s.focus ? { fund: s.fund, code: s.focus } : null,
    breakdown: s.view === 'mine',
    extraPoints: s.extraPoints,
    units: [...s.table.expanded].map(unitOfKey),
  };
  try {
    const result = await engine.request('compute', payload);
    if (result !== null) settledWith(result, json);
  } catch (err) {
    failedWith(err);
  } finally {
    work.computing -= 1;
    updateBusy();
  }
}

function settledWith(result, json) {
  const s = getState();
  // The fund and the institution in focus: the chosen ones while they settle, else the first.
  const fund = result.settlement.funds.find((f) => f.fund === s.fund) ?? result.settlement.funds[0];
  if (fund && fund.fund !== s.fund) actions.setFund(fund.fund);
  if (fund && (!s.focus || !fund.units.some((u) => u.code === s.focus))) {
    const first = fund.units[0]?.code ?? null;
    if (first && first !== s.focus) return actions.setFocus(first); // settles again with it
  }
  actions.computed(result, json);
  const c = result.counts;
  actions.status(
    t('status.ready', {
      policy: result.settlement.policy_name,
      cases: fmtNum(String(c.cases + c.summaries), 0),
      inst: c.institutions,
    }),
    'ok',
  );
  document.body.dataset.settled = 'true';
}

function failedWith(err) {
  if (err.kind === 'cancelled') return;
  if (err.kind === 'policy') {
    actions.computeFailed(err);
    actions.status(t('status.policyerr'), 'error');
  } else if (err.kind === 'missing') {
    actions.computeFailed(err, msg(err.errors[0] ?? err));
    actions.status(t('status.needdata'), 'warn');
  } else if (err.kind === 'check') {
    actions.computeFailed(err, t('data.check'), err.errors);
    actions.status(`${t('data.check')}: ${msg(err.errors[0] ?? err)}`, 'error');
  } else {
    const text = msg(err.errors?.[0] ?? err) || err.message;
    actions.computeFailed(err, text);
    actions.status(`${t('status.failed')}: ${text}`, 'error');
  }
  document.body.dataset.settled = 'false';
}

// The year-end estimate (SPEC §11) of the policy settled, asked for while its view is shown: again
// when the policy, the data or the estimate's options change (not for a new focus or fund: the
// estimate holds every unit of every fund).
async function estimate() {
  const s = getState();
  if (s.view !== 'estimate' || !s.result || !s.resultPolicy) return;
  const options = engineOptions(s.estimateOptions);
  if (!options) return; // a growth that is not a rate: marked at its field
  const key = `${work.data}\n${s.resultPolicy}\n${JSON.stringify(options)}`;
  if (key === work.estimated) return;
  work.estimated = key;
  work.estimating += 1;
  updateBusy();
  try {
    const result = await engine.request('estimate', { policy: s.resultPolicy, options: JSON.stringify(options) });
    if (work.estimated === key) actions.estimated(result);
  } catch (err) {
    if (work.estimated === key && err.kind !== 'cancelled') actions.estimateFailed(err);
  } finally {
    work.estimating -= 1;
    updateBusy();
  }
}

// An institution table row's key, "fund:code", and back.
function unitOfKey(key) {
  const at = key.indexOf(':');
  return { fund: key.slice(0, at), code: key.slice(at + 1) };
}

// A row just opened: its months, quarters and trace (a compute brings those of the rows open).
async function loadDetail(key) {
  const { result, resultPolicy } = getState();
  if (!result || result.details?.[key]) return;
  const { fund, code } = unitOfKey(key);
  const detail = await engine.request('detail', { policy: resultPolicy, fund, code }).catch(() => null);
  if (detail) actions.addDetail(result, key, detail);
}

// The 本院 view's gain and loss by group: thousands of lines at a city's size, so a compute brings
// them only while that view is on screen; opening it (or printing) after one without asks here.
// Counted as computing: the view is not settled until its table is there.
async function loadBreakdown() {
  const { result, resultPolicy, fund, focus } = getState();
  if (!result || !resultPolicy || !focus || 'breakdown' in result) return;
  work.computing += 1;
  updateBusy();
  try {
    const lines = await engine.request('breakdown', { policy: resultPolicy, fund, code: focus });
    actions.addBreakdown(result, lines, undefined);
  } catch (err) {
    if (err.kind !== 'cancelled') actions.addBreakdown(result, null, err);
  } finally {
    work.computing -= 1;
    updateBusy();
  }
}

// ---- rendering -------------------------------------------------------------------------------

const whenIdle = (f) => (window.requestIdleCallback ? requestIdleCallback(f, { timeout: 1000 }) : setTimeout(f, 50));

function renderStaleViews() {
  work.idle = null;
  const name = RESULT_VIEWS.find((v) => work.stale.has(v));
  if (name) renderView(name);
  scheduleIdleRender();
  updateBusy();
}

function scheduleIdleRender() {
  if (work.idle === null && work.stale.size) work.idle = whenIdle(renderStaleViews);
}

const viewActions = {
  ...actions,
  showTable: () => actions.show('institutions'),
  toggleRow(key) {
    actions.toggleRow(key);
    if (getState().table.expanded.has(key)) loadDetail(key);
  },
  printMine: () => printReport('mine'),
  exportAs: (format) => exportAs(format),
  loadPreviousYear: (file) => loadPreviousYear(file, file.name),
  clearPreviousYear,
};

/**
 * Reads a previous year's case file into the worker for the estimate's monthly weights (SPEC §11),
 * with the case file's reading options (its column mapping), settled under the policy on screen.
 * A bad file's error is shown in place; the one read before stays in use.
 */
async function loadPreviousYear(file, name) {
  const s = getState();
  if (!s.resultPolicy) return;
  const options = s.files.cases?.options ?? {};
  actions.previousYearReading(name);
  try {
    const result = await engine.request('previousYear', { file, name, options, policy: s.resultPolicy });
    actions.previousYearLoaded({ file, name, options }, result);
  } catch (err) {
    if (err.kind !== 'cancelled') actions.previousYearFailed(name, err);
  }
}

/** The worker drops the shares first: the estimate the state change asks for must not use them. */
async function clearPreviousYear() {
  await engine.request('clearPreviousYear');
  actions.previousYearCleared();
}

function renderView(name) {
  if (work.stale.delete(name)) updateBusy();
  const el = $(`#view-${name}`);
  const s = getState();
  if (name === 'overview') views.renderOverview(el, s, viewActions);
  if (name === 'institutions') views.renderInstitutions(el, s, viewActions);
  if (name === 'mine') views.renderMine(el, s, viewActions);
  if (name === 'estimate') renderEstimate(el, s, viewActions);
  if (name === 'compare') views.renderCompare(el, s, viewActions);
}

function renderResults() {
  const s = getState();
  views.renderStrip($('#strip'), s);
  desk.renderPanel($('#mine-panel'), s, viewActions);
  desk.renderLevers($('#levers'), s, viewActions);
  for (const name of RESULT_VIEWS) {
    if (name === s.view) renderView(name);
    else work.stale.add(name);
  }
  scheduleIdleRender();
  updateBusy();
  renderChip();
}

function renderChip() {
  const s = getState();
  $('#policy-chip').textContent = s.policy ? `${s.policy.name} · ${s.policy.year}` : '';
  $('#policy-chip').classList.toggle('edited', !!s.baselineJson && s.baselineJson !== JSON.stringify(s.policy));
}

function showView(view) {
  for (const b of $$('.tabs button')) {
    const on = b.dataset.view === view;
    b.classList.toggle('on', on);
    b.setAttribute('aria-selected', String(on));
  }
  for (const v of $$('.view')) v.hidden = v.id !== `view-${view}`;
  document.body.dataset.view = view;
  if (work.stale.has(view)) renderView(view);
  if (view === 'data') drawData();
  // A tab opens at its top (the sticky bars stay).
  window.scrollTo(0, 0);
  requestAnimationFrame(resizeCharts);
}

function renderStatus({ text, kind }) {
  const el = $('#status');
  el.textContent = text;
  el.dataset.kind = kind;
}

function renderToast(toast) {
  const el = $('#toast');
  el.textContent = toast.text;
  el.hidden = false;
  setTimeout(() => {
    if (getState().toast === toast) el.hidden = true;
  }, 3000);
}

function renderPolicyErrors() {
  const s = getState();
  const box = $('#policy-errors');
  const err = s.error?.kind === 'policy' ? s.error : null;
  const warnings = (s.result?.settlement.notices ?? []).filter((n) => n.code === 'policy_warning');
  if (err) {
    fill(
      box,
      h('h3', null, t('policy.errors')),
      views.errorTable(err.errors.map(form.labelled), viewActions, { id: 'policy-error-table' }),
    );
  } else if (warnings.length) {
    fill(
      box,
      h('h3', null, t('policy.warnings')),
      h(
        'ul',
        { class: 'notices' },
        warnings.map((w) => h('li', null, msg(w))),
      ),
    );
  } else {
    fill(box);
  }
  form.explain(desk.whyNothingMoved(s));
  form.mark(
    err
      ? err.errors
      : warnings.map((n) => ({
          path: n.subject,
          severity: 'warning',
          message_zh: n.message_zh,
          message_en: n.message_en,
        })),
  );
}

function renderProgress() {
  const box = $('#progress');
  const p = getState().importing;
  box.hidden = !p;
  if (!p) return;
  const bar = $('progress', box);
  bar.max = Math.max(p.total, 1);
  bar.value = p.bytes;
  const pct = `${Math.round((p.bytes / Math.max(p.total, 1)) * 100)}%`;
  $('.progress-text', box).textContent = t('data.reading', { file: p.name, rows: fmtNum(String(p.rows), 0), pct });
}

function renderPresetOptions() {
  const s = getState();
  fill(
    $('#preset'),
    s.presets.map((p) => h('option', { value: p.name, selected: p.name === s.presetName }, `${p.name}（${p.year}）`)),
  );
}

// What each change of the state calls for.
subscribe((changed, s) => {
  if (changed.has('lang')) return relabel();
  if (changed.has('status')) renderStatus(s.status);
  if (changed.has('toast')) renderToast(s.toast);
  if (changed.has('view')) showView(s.view);
  if ((changed.has('view') || changed.has('result')) && s.view === 'mine') loadBreakdown();
  if (changed.has('policy')) {
    // A field typed in waits for the typing to pause; a policy loaded whole settles at once.
    scheduleCompute(s.lastEdit ? 120 : 0);
    form.update(s);
    renderChip();
    rereadStale();
  }
  if (changed.has('fundParts')) {
    storage.set(STORE.fundParts, JSON.stringify(s.fundParts));
    rereadStale();
  }
  if (changed.has('policyFund')) form.render(s);
  if (changed.has('baselineJson') || changed.has('fund') || changed.has('focus') || changed.has('extraPoints'))
    scheduleCompute(0);
  if (changed.has('focus') && s.focus) storage.set(STORE.focus, s.focus);
  if (['result', 'error', 'emptyMessage', 'fund', 'focus', 'yearStartPointValue'].some((k) => changed.has(k))) {
    renderResults();
    renderPolicyErrors();
  }
  if (changed.has('table') && !changed.has('result')) redrawTable();
  if (['files', 'rejected', 'importErrors', 'checkErrors', 'error', 'fundParts'].some((k) => changed.has(k)))
    drawData();
  if (changed.has('importing')) renderProgress();
  if (changed.has('files')) work.data += 1;
  if (changed.has('previousYear')) work.data += 1;
  if (
    ['estimate', 'estimateError', 'estimateOptions', 'previousYear', 'previousYearLoad'].some((k) => changed.has(k)) &&
    !changed.has('result')
  ) {
    if (s.view === 'estimate') renderView('estimate');
    else work.stale.add('estimate');
  }
  if (['result', 'view', 'estimateOptions', 'previousYear'].some((k) => changed.has(k))) estimate();
  if (changed.has('presets') || changed.has('presetName')) renderPresetOptions();
});

/** The institution table after a sort, filter or row toggle, keeping the caret in the filter box. */
function redrawTable() {
  const active = document.activeElement;
  const inFilter = active?.matches?.('#view-institutions input[type=search]');
  const caret = inFilter ? active.selectionStart : null;
  renderView('institutions');
  if (inFilter) {
    const box = $('#view-institutions input[type=search]');
    box.focus();
    if (caret !== null) box.setSelectionRange(caret, caret);
  }
}

function relabel() {
  translatePage();
  form.render(getState());
  renderResults();
  renderPolicyErrors();
  drawData();
  renderPresetOptions();
  scheduleCompute(0); // the status line and engine messages in the new language
}

// ---- the policy ------------------------------------------------------------------------------

function rememberPolicy(json) {
  if (storage.get(STORE.remember) === 'off') return;
  const s = getState();
  storage.set(
    STORE.policy,
    JSON.stringify({ policy: json, baseline: s.baselineJson, baselineName: s.baselineName, preset: s.presetName }),
  );
}

/** The policy in the address (history.replaceState: no new history entry per edit). */
async function writeLink(json) {
  const fragment = await policyFragment(json);
  if (JSON.stringify(getState().policy) === json && location.hash !== fragment)
    history.replaceState(null, '', fragment);
}

async function loadPreset(name) {
  const json = await engine.request('preset', { name });
  actions.loadPolicy(JSON.parse(json), { name, presetName: name });
}

async function openPolicyFile(file) {
  const text = await file.text();
  const v = await engine.request('validate', { policy: text });
  if (!v.ok) {
    actions.computeFailed({ kind: 'policy', errors: v.issues, message: '' });
    actions.status(`${file.name}: ${msg(v.issues[0])}`, 'error');
    return;
  }
  actions.loadPolicy(JSON.parse(text));
}

function savePolicy() {
  const { policy } = getState();
  const name = `${policy.name || 'policy'}-${policy.year}.json`.replace(/[\\/:*?"<>|\s]+/g, '_');
  download(name, `${JSON.stringify(policy, null, 2)}\n`, 'application/json');
}

// ---- data ------------------------------------------------------------------------------------

const keptEntries = () => {
  const { files } = getState();
  return TABLES.filter((k) => files[k]?.status === 'ok' && !files[k].demo).map((k) => ({
    kind: k,
    name: files[k].name,
    options: files[k].options,
    blob: files[k].file,
  }));
};

/**
 * Tables whose dates carry a year: read against the policy's year, as the command line reads
 * them, so a case dated in another year is an error at its cell (issue 11, class 2). The demo
 * city is synthetic and dated 2024: it is read without the check, so every preset can be tried
 * on it.
 */
const YEAR_TABLES = ['cases', 'published'];
const yearFor = (kind, demo) => (YEAR_TABLES.includes(kind) && !demo ? getState().policy?.year : undefined);
const withYear = (options, year) => (year === undefined ? options : { ...options, year });

/**
 * The payment columns counted as fund money (吉林2024 第六条), for the tables whose personal burden
 * may be derived from them; none for the demo city, whose files give the personal burden.
 */
const partsFor = (kind, demo) => (FUND_PART_TABLES.includes(kind) && !demo ? getState().fundParts : undefined);
const withParts = (options, parts) => (parts?.length ? { ...options, fund_parts: parts } : options);
const sameParts = (a, b) => (a ?? []).join() === (b ?? []).join();

/**
 * Reads one table into the worker. A file that fails leaves the last good one of its kind loaded
 * (the case table is read again: the worker empties it when a new case file begins) and is kept
 * apart with its errors; if its header layout had a column mapping before, that is tried first.
 * `keepPrevious: false` (a file read again for another policy year): a failure takes the table
 * out, since its last reading was checked against the year before.
 */
async function importTable(kind, file, name, options = {}, { quiet = false, demo = false, keepPrevious = true } = {}) {
  const current = getState().files[kind];
  const previous = keepPrevious && current?.status === 'ok' ? current : null;
  const year = yearFor(kind, demo);
  const fundParts = partsFor(kind, demo);
  const entry = { file, name, options, demo, year, fundParts, report: null };
  actions.fileReading(kind, entry);
  const job = { kind, name, bytes: 0, total: file.size, rows: 0 };
  actions.importProgress(job);
  try {
    const report = await engine.request(
      'import',
      { kind, file, name, options: withParts(withYear(options, year), fundParts) },
      {
        onProgress: (p) => actions.importProgress({ ...job, ...p }),
      },
    );
    actions.fileLoaded(kind, { ...entry, report });
  } catch (err) {
    if (err.kind === 'cancelled') throw err;
    const mapped = options.columns ? null : await knownMapping(kind, file, name, options);
    if (mapped) return importTable(kind, file, name, { ...options, columns: mapped }, { quiet, demo, keepPrevious });
    actions.fileFailed(kind, entry, err, previous);
    const again = {
      kind,
      file: previous?.file,
      name: previous?.name,
      options: withParts(withYear(previous?.options, previous?.year), previous?.fundParts),
    };
    if (previous && kind === 'cases') await engine.request('import', again).catch(() => {});
    if (!keepPrevious && current?.status === 'ok') await engine.request('clear', { kind }).catch(() => {});
    if (!quiet) actions.show('data');
  } finally {
    if (getState().importing?.kind === kind) actions.importProgress(null);
  }
  await keepFiles(keptEntries());
}

/** The column mapping remembered for this file's header layout, if any. */
async function knownMapping(kind, file, name, options) {
  const preview = await engine.request('preview', { file, name, options, maxRows: 12 }).catch(() => null);
  for (const row of preview?.rows ?? []) {
    const columns = mappingFor(kind, row.cells);
    if (columns) return columns;
  }
  return null;
}

/**
 * A catalog read before the cases that chose among several group-code columns without them (by
 * header): read again now that the cases are loaded, so the column whose codes the cases use is
 * chosen, as `dipcalc run` chooses it (docs/import.md).
 */
async function rereadCatalog() {
  const f = getState().files.catalog;
  const readings = f?.status === 'ok' ? (f.report?.report?.readings ?? []) : [];
  const unmatched = readings.some((r) => r.reading === 'column_chosen' && r.chosen?.matching_cases == null);
  if (getState().files.cases?.status !== 'ok' || !unmatched) return;
  await importTable('catalog', f.file, f.name, f.options, { quiet: true, demo: f.demo });
}

let rereading = false;

/**
 * The policy's year or the payment columns counted as fund money changed: the tables read with
 * another are read again (one at a time, until every one matches what is now chosen); one that
 * fails is taken out.
 */
async function rereadStale() {
  if (rereading) return;
  rereading = true;
  const stale = (s) =>
    TABLES.find((k) => {
      const f = s.files[k];
      if (f?.status !== 'ok' || f.demo) return false;
      return (
        (YEAR_TABLES.includes(k) && f.year !== s.policy?.year) ||
        (FUND_PART_TABLES.includes(k) && !sameParts(f.fundParts, s.fundParts))
      );
    });
  try {
    for (let kind = stale(getState()); kind; kind = stale(getState())) {
      const f = getState().files[kind];
      await importTable(kind, f.file, f.name, f.options, { quiet: true, keepPrevious: false });
    }
  } catch {
    // cancelled: the tables are read again by the cancel
  } finally {
    rereading = false;
  }
  scheduleCompute(0);
}

async function importAndCompute(kind, file, name, options) {
  try {
    await importTable(kind, file, name, options);
    if (kind === 'cases') await rereadCatalog();
  } catch {
    return;
  }
  scheduleCompute(0);
}

async function cancelImport() {
  const cancelled = getState().importing?.kind;
  if (!cancelled) return; // it finished meanwhile
  actions.status(t('data.cancel'), 'warn');
  const ready = engine.restart();
  actions.importProgress(null);
  actions.fileCleared(cancelled);
  await ready;
  // The new worker starts empty: read again what was loaded before.
  for (const kind of TABLES) {
    const f = getState().files[kind];
    if (f && f.status === 'ok') {
      try {
        await importTable(kind, f.file, f.name, f.options, { quiet: true, demo: f.demo });
      } catch {
        // cancelled again
      }
    }
  }
  const last = getState().previousYear;
  if (last) {
    const policy = getState().resultPolicy;
    await engine
      .request('previousYear', { file: last.file, name: last.name, options: last.options, policy })
      .catch(() => actions.previousYearCleared());
  }
  scheduleCompute(0);
}

async function clearTable(kind) {
  actions.fileCleared(kind);
  await engine.request('clear', { kind });
  await keepFiles(keptEntries());
  scheduleCompute(0);
}

/** Removes every table the demo city loaded (the user's own files stay). */
async function clearDemo() {
  for (const kind of TABLES) if (getState().files[kind]?.demo) await clearTable(kind);
}

async function loadDemo() {
  actions.status(t('status.demo'), 'busy');
  for (const kind of TABLES) if (getState().files[kind]) await clearTable(kind);
  for (const [kind, url] of DEMO) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    const blob = await res.blob();
    await importTable(kind, blob, url.split('/').pop(), {}, { quiet: true, demo: true });
  }
}

function drawData() {
  renderData($('#data-slots'), getState(), {
    importFile: (kind, file, options) => importAndCompute(kind, file, file.name, options),
    reimport: (kind, f, options) => importAndCompute(kind, f.file, f.name, options),
    clearTable,
    clearDemo,
    setFundParts: actions.setFundParts,
    openMapping: (kind) => mapColumns(kind),
    errorTable: (rows, id) => views.errorTable(rows, viewActions, { id }),
    expected: expectedTables(getState().files),
    expectedText,
  });
}

async function mapColumns(kind) {
  const s = getState();
  const f = s.rejected[kind] ?? s.files[kind];
  if (!f) return;
  const [fields, preview] = await Promise.all([
    engine.request('fields', { kind }),
    engine
      .request('preview', { file: f.file, name: f.name, options: f.options, maxRows: 12 })
      .catch((err) => ({ rows: [], letters: [], error: err })),
  ]);
  const chosen = await openMapping($('#mapping'), f, fields, preview);
  if (!chosen) return;
  rememberMapping(kind, chosen.header, chosen.columns);
  importAndCompute(kind, f.file, f.name, { ...f.options, columns: chosen.columns });
}

// ---- exports ---------------------------------------------------------------------------------

async function exportAs(format) {
  const s = getState();
  if (!s.result) return;
  try {
    const out = await engine.request('export', { format, policy: JSON.stringify(s.policy), lang: lang() });
    const base = `dipcalc-${s.policy.name}-${s.policy.year}`.replace(/[\\/:*?"<>|\s]+/g, '_');
    download(`${base}.${format === 'bundle' ? 'bundle.json' : format}`, out.bytes ?? out.text, out.mime);
  } catch (err) {
    actions.status(`${t('status.failed')}: ${msg(err.errors?.[0] ?? err) || err.message}`, 'error');
  }
}

/** Prints the whole report, or only the 本院 page (`which` = 'mine'). */
async function printReport(which = 'all') {
  await loadBreakdown(); // the 本院 page prints its table by group
  document.body.dataset.print = which;
  window.print();
}

// ---- start -----------------------------------------------------------------------------------

function wire() {
  initYearStart(engine, $('#view-yearstart'));
  for (const b of $$('.tabs button')) b.addEventListener('click', () => actions.show(b.dataset.view));
  $('#lang').addEventListener('click', () => {
    const next = lang() === 'zh' ? 'en' : 'zh';
    setLang(next);
    storage.set(STORE.lang, next);
    actions.setLang(next);
  });
  $('#export-csv').addEventListener('click', () => exportAs('csv'));
  $('#export-xlsx').addEventListener('click', () => exportAs('xlsx'));
  $('#export-json').addEventListener('click', () => exportAs('json'));
  $('#export-bundle').addEventListener('click', () => exportAs('bundle'));
  $('#print').addEventListener('click', () => printReport('all'));
  $('#preset').addEventListener('change', (e) => loadPreset(e.target.value));
  $('#policy-reset').addEventListener('click', () => loadPreset(getState().presetName));
  $('#policy-save').addEventListener('click', savePolicy);
  $('#policy-open').addEventListener('click', () => $('#policy-file').click());
  $('#policy-file').addEventListener('change', (e) => {
    const f = e.target.files[0];
    if (f) openPolicyFile(f);
    e.target.value = '';
  });
  $('#remember').checked = storage.get(STORE.remember) !== 'off';
  $('#remember').addEventListener('change', (e) => {
    storage.set(STORE.remember, e.target.checked ? 'on' : 'off');
    if (!e.target.checked) storage.del(STORE.policy);
    else rememberPolicy(JSON.stringify(getState().policy));
  });
  $('#keep').checked = storage.get(STORE.keep) === 'on';
  $('#keep').addEventListener('change', (e) => setKeep(e.target.checked, keptEntries()));
  $('#demo').addEventListener('click', async () => {
    await loadDemo();
    scheduleCompute(0);
  });
  $('#cancel-import').addEventListener('click', cancelImport);
  // The 常用参数 card is kept as it is while typed in; drawn again (marks, values) when left.
  $('#levers').addEventListener('focusout', () =>
    setTimeout(() => {
      if (!$('#levers').contains(document.activeElement)) desk.renderLevers($('#levers'), getState(), viewActions);
    }, 0),
  );
  window.addEventListener('resize', () => requestAnimationFrame(resizeCharts));
  window.addEventListener('beforeprint', () => {
    for (const name of RESULT_VIEWS) if (work.stale.has(name)) renderView(name);
    for (const v of $$('.view')) v.classList.add('printing');
    resizeCharts();
  });
  window.addEventListener('afterprint', () => {
    for (const v of $$('.view')) v.classList.remove('printing');
    delete document.body.dataset.print;
    resizeCharts();
  });
}

/** The policy to start with: a scenario link, else the last one remembered, else the demo's. */
async function startPolicy() {
  const valid = async (text) =>
    text && (await engine.request('validate', { policy: text }).catch(() => ({ ok: false }))).ok;
  const linked = await policyFromFragment(location.hash);
  const saved = storage.get(STORE.remember) !== 'off' ? storage.json(STORE.policy, null) : null;
  if (saved?.policy && (await valid(saved.policy))) {
    actions.loadPolicy(JSON.parse(saved.policy), {
      asBaseline: false,
      presetName: saved.preset ?? DEFAULT_PRESET,
      baselineJson: saved.baseline ?? saved.policy,
      baselineName: saved.baselineName ?? '',
    });
  } else {
    // The demo city comes with the 宁德2024 preset's rules and its budget scaled to the city
    // (demo/policy.json, written by `dipcalc synth`); without it, the preset itself.
    const demoPolicy = await fetch('demo/policy.json')
      .then((r) => (r.ok ? r.text() : null))
      .catch(() => null);
    if (await valid(demoPolicy)) actions.loadPolicy(JSON.parse(demoPolicy), { presetName: DEFAULT_PRESET });
    else await loadPreset(DEFAULT_PRESET);
  }
  // A link's policy is the scenario; what the page had is its baseline.
  if (await valid(linked)) actions.loadPolicy(JSON.parse(linked), { asBaseline: false });
}

async function start() {
  const l = storage.get(STORE.lang) ?? 'zh';
  setLang(l);
  actions.setLang(l);
  translatePage();
  wire();
  actions.setFocus(storage.get(STORE.focus));
  const parts = storage.json(STORE.fundParts, []);
  actions.setFundParts(Array.isArray(parts) ? parts : []);
  actions.status(t('status.loading'), 'busy');
  let info;
  try {
    info = await engine.ready;
  } catch (err) {
    actions.status(t('status.enginefailed', { msg: err.message }), 'error');
    return;
  }
  $('#engine-version').textContent = info.version;
  actions.setPresets(await engine.request('presets'));
  await startPolicy();

  // The data: files the user chose to keep, else the demo city.
  const kept = await keptFiles();
  try {
    if (kept?.length) {
      for (const f of kept) await importTable(f.kind, f.blob, f.name, f.options, { quiet: true });
    } else {
      await loadDemo();
    }
  } catch (err) {
    actions.status(`${t('status.failed')}: ${err.message}`, 'error');
  }
  drawData();
  scheduleCompute(0);
}

showView('overview');
start();
