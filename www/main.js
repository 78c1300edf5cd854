// The calculator page. State lives here; the engine runs in a module worker (app/engine.js ↔
// worker.js); views are rebuilt from the engine's results with DOM APIs only (app/views.js).
//
// Flow: load the engine → the policy (the last one remembered, else the 宁德2024 preset) → the
// data (files kept by the user's choice, else the demo city from demo/) → compute. Every policy
// edit recomputes (debounced); a newer computation supersedes an older one.

import { Engine } from './app/engine.js';
import { h, fill, $, $$, download, fmtNum } from './app/dom.js';
import { t, msg, lang, setLang, translatePage } from './app/i18n.js';
import { PolicyForm } from './app/policy-form.js';
import * as views from './app/views.js';
import { resizeCharts } from './app/charts.js';

const TABLES = ['institutions', 'catalog', 'cases', 'summaries', 'outpatient', 'adjustments'];
const DEMO = [
  ['institutions', 'demo/institutions.csv'],
  ['catalog', 'demo/catalog.csv'],
  ['cases', 'demo/cases.csv'],
];
const DEFAULT_PRESET = '宁德2024';
const STORE = { lang: 'dipcalc.lang', policy: 'dipcalc.policy', remember: 'dipcalc.remember-policy', keep: 'dipcalc.keep-data' };

const state = {
  view: 'overview',
  fund: 'employee',
  focus: null,
  extraPoints: '1000',
  policy: null,
  baselineJson: null,
  baselineName: '',
  presetName: DEFAULT_PRESET,
  presets: [],
  result: null,
  error: null,
  emptyMessage: null,
  files: {},
  importErrors: {},
  checkErrors: [],
  importing: null,
  table: { sort: 'fund_pays', dir: -1, filter: '', level: '', flag: '', expanded: new Set() },
};

let engine;
let form;

// ---- small things ----------------------------------------------------------------------------

function status(text, kind = '') {
  const el = $('#status');
  el.textContent = text;
  el.dataset.kind = kind;
}

state.toast = (text) => {
  const el = $('#toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(state.toastTimer);
  state.toastTimer = setTimeout(() => { el.hidden = true; }, 3000);
};

const policyJson = () => JSON.stringify(state.policy);
const storage = {
  get(key) { try { return localStorage.getItem(key); } catch { return null; } },
  set(key, value) { try { localStorage.setItem(key, value); } catch { /* private mode */ } },
  del(key) { try { localStorage.removeItem(key); } catch { /* private mode */ } },
};

// ---- computing -------------------------------------------------------------------------------

let computeTimer = null;
let computing = 0;

// body[data-computing] is 'false' once no computation is pending and every view shows the last
// result (views not on screen are drawn when idle); the page tests wait for it.
function updateBusy() {
  document.body.dataset.computing = computing > 0 || stale.size > 0 ? 'true' : 'false';
}
function scheduleCompute(delay = 120) {
  clearTimeout(computeTimer);
  computeTimer = setTimeout(compute, delay);
}

async function compute() {
  if (!state.policy || state.importing) return;
  const json = policyJson();
  rememberPolicy(json);
  status(t('status.computing'), 'busy');
  computing += 1;
  updateBusy();
  const payload = {
    policy: json,
    baseline: state.baselineJson && state.baselineJson !== json ? state.baselineJson : null,
    focus: state.focus ? { fund: state.fund, code: state.focus } : null,
    extraPoints: state.extraPoints,
    units: [...state.table.expanded].map(unitOfKey),
  };
  try {
    const result = await engine.request('compute', payload);
    if (result === null) return; // superseded by a newer edit
    // The focus institution defaults to the first unit; ask again with it for its analyses.
    const fund = result.settlement.funds.find((f) => f.fund === state.fund) ?? result.settlement.funds[0];
    if (fund && fund.fund !== state.fund) state.fund = fund.fund;
    if (fund && (!state.focus || !fund.units.some((u) => u.code === state.focus))) {
      state.focus = fund.units[0]?.code ?? null;
      if (state.focus) return compute();
    }
    state.result = result;
    state.resultPolicy = json;
    state.error = null;
    state.emptyMessage = null;
    form.mark(result.settlement.notices.filter((n) => n.code === 'policy_warning').map((n) => ({ path: n.subject, severity: 'warning', message_zh: n.message_zh, message_en: n.message_en })));
    status(t('status.ready', { policy: result.settlement.policy_name, cases: fmtNum(String(result.counts.cases + result.counts.summaries), 0), inst: result.counts.institutions }), 'ok');
    document.body.dataset.settled = 'true';
  } catch (err) {
    if (err.kind === 'cancelled') return;
    state.error = err;
    if (err.kind === 'policy') {
      form.mark(err.errors);
      status(t('status.policyerr'), 'error');
    } else if (err.kind === 'missing') {
      state.result = null;
      state.emptyMessage = msg(err.errors[0] ?? err);
      status(t('status.needdata'), 'warn');
    } else if (err.kind === 'check') {
      state.result = null;
      state.checkErrors = err.errors;
      state.emptyMessage = t('data.check');
      status(`${t('data.check')}: ${msg(err.errors[0] ?? err)}`, 'error');
    } else {
      state.result = null;
      state.emptyMessage = msg(err.errors?.[0] ?? err) || err.message;
      status(`${t('status.failed')}: ${state.emptyMessage}`, 'error');
    }
    document.body.dataset.settled = 'false';
  } finally {
    computing -= 1;
    updateBusy();
  }
  renderResults();
  renderPolicyErrors();
  if (state.view === 'data') renderData();
}

// ---- rendering -------------------------------------------------------------------------------

Object.assign(state, {
  setFund(f) { state.fund = f; scheduleCompute(0); renderResults(); },
  setFocus(code) { state.focus = code; scheduleCompute(0); },
  sortTable(key) {
    state.table.dir = state.table.sort === key ? -state.table.dir : (['code', 'name', 'level', 'band', 'flags'].includes(key) ? 1 : -1);
    state.table.sort = key;
    renderView('institutions');
  },
  filterTable(change) {
    Object.assign(state.table, change);
    const input = document.activeElement;
    const caret = input?.selectionStart;
    renderView('institutions');
    if (change.filter !== undefined) {
      const box = $('#view-institutions input[type=search]');
      box.focus();
      if (caret !== undefined && caret !== null) box.setSelectionRange(caret, caret);
    }
  },
  toggleRow(key) {
    const ex = state.table.expanded;
    if (ex.has(key)) ex.delete(key); else ex.add(key);
    renderView('institutions');
    if (ex.has(key)) loadDetail(key);
  },
});

// An institution table row's key, "fund:code", and back.
function unitOfKey(key) {
  const at = key.indexOf(':');
  return { fund: key.slice(0, at), code: key.slice(at + 1) };
}

// A row just opened: its months, quarters and trace (a compute brings those of the rows open).
async function loadDetail(key) {
  const result = state.result;
  if (!result || result.details?.[key]) return;
  const { fund, code } = unitOfKey(key);
  const detail = await engine.request('detail', { policy: state.resultPolicy, fund, code }).catch(() => null);
  if (!detail || state.result !== result) return;
  result.details = { ...result.details, [key]: detail };
  renderView('institutions');
}

// Result views not on screen are rebuilt when the page is idle (or when shown), one at a time,
// so a re-settle after a slider move redraws only what is seen.
const RESULT_VIEWS = ['overview', 'institutions', 'mine', 'compare'];
const stale = new Set();
let idleRender = null;
// Safari has no requestIdleCallback.
const whenIdle = (f) => (window.requestIdleCallback ? requestIdleCallback(f, { timeout: 1000 }) : setTimeout(f, 50));

function renderStaleViews() {
  idleRender = null;
  const name = RESULT_VIEWS.find((v) => stale.has(v));
  if (name) renderView(name);
  scheduleIdleRender();
  updateBusy();
}

function scheduleIdleRender() {
  if (idleRender === null && stale.size) idleRender = whenIdle(renderStaleViews);
}

function renderView(name) {
  if (stale.delete(name)) updateBusy();
  const el = $(`#view-${name}`);
  if (name === 'overview') views.renderOverview(el, state, { onShowTable: () => show('institutions') });
  if (name === 'institutions') views.renderInstitutions(el, state);
  if (name === 'mine') views.renderMine(el, state);
  if (name === 'compare') views.renderCompare(el, state, { onSetBase: setBaselineToCurrent, onReset: resetToBaseline });
}

function renderResults() {
  views.renderStrip($('#strip'), state);
  for (const name of RESULT_VIEWS) {
    if (name === state.view) renderView(name);
    else stale.add(name);
  }
  scheduleIdleRender();
  updateBusy();
  $('#policy-chip').textContent = state.policy ? `${state.policy.name} · ${state.policy.year}` : '';
  $('#policy-chip').classList.toggle('edited', !!state.baselineJson && state.baselineJson !== policyJson());
}

function show(view) {
  state.view = view;
  for (const b of $$('.tabs button')) {
    const on = b.dataset.view === view;
    b.classList.toggle('on', on);
    b.setAttribute('aria-selected', String(on));
  }
  for (const v of $$('.view')) v.hidden = v.id !== `view-${view}`;
  if (stale.has(view)) renderView(view);
  if (view === 'data') renderData();
  requestAnimationFrame(resizeCharts);
}

// ---- the policy ------------------------------------------------------------------------------

function rememberPolicy(json) {
  if (storage.get(STORE.remember) === 'off') return;
  storage.set(STORE.policy, JSON.stringify({ policy: json, baseline: state.baselineJson, baselineName: state.baselineName, preset: state.presetName }));
}

function setPolicy(json, { name, asBaseline = true } = {}) {
  state.policy = JSON.parse(json);
  if (asBaseline) {
    state.baselineJson = JSON.stringify(state.policy);
    state.baselineName = name ?? state.policy.name;
  }
  form.set(state.policy);
  renderPolicyErrors();
  scheduleCompute(0);
}

async function loadPreset(name) {
  state.presetName = name;
  const json = await engine.request('preset', { name });
  setPolicy(json, { name });
  $('#preset').value = name;
}

function setBaselineToCurrent() {
  state.baselineJson = policyJson();
  state.baselineName = `${state.policy.name}*`;
  scheduleCompute(0);
}

function resetToBaseline() {
  if (!state.baselineJson) return;
  setPolicy(state.baselineJson, { name: state.baselineName });
}

function renderPolicyErrors() {
  const box = $('#policy-errors');
  const err = state.error?.kind === 'policy' ? state.error : null;
  const warnings = (state.result?.settlement.notices ?? []).filter((n) => n.code === 'policy_warning');
  if (err) {
    fill(box, h('h3', null, t('policy.errors')), views.errorTable(err.errors, state, { id: 'policy-error-table' }));
  } else if (warnings.length) {
    fill(box, h('h3', null, t('policy.warnings')), h('ul', { class: 'notices' }, warnings.map((w) => h('li', null, lang() === 'en' ? w.message_en : w.message_zh))));
  } else {
    fill(box);
  }
}

async function openPolicyFile(file) {
  const text = await file.text();
  const v = await engine.request('validate', { policy: text });
  if (!v.ok) {
    state.error = { kind: 'policy', errors: v.issues, message: '' };
    renderPolicyErrors();
    status(`${file.name}: ${msg(v.issues[0])}`, 'error');
    return;
  }
  setPolicy(text);
}

function savePolicy() {
  const name = `${state.policy.name || 'policy'}-${state.policy.year}.json`.replace(/[\\/:*?"<>|\s]+/g, '_');
  download(name, `${JSON.stringify(state.policy, null, 2)}\n`, 'application/json');
}

// ---- data ------------------------------------------------------------------------------------

async function importTable(kind, file, name, options = {}, { quiet = false } = {}) {
  state.files[kind] = { file, name, options, status: 'reading', report: null };
  delete state.importErrors[kind];
  // Imports queue up in the worker; the progress bar shows the one reading now.
  const job = { kind, name, bytes: 0, total: file.size, rows: 0 };
  state.importing = job;
  renderData();
  try {
    const report = await engine.request('import', { kind, file, name, options }, {
      onProgress: (p) => {
        Object.assign(job, p);
        state.importing = job;
        renderProgress();
      },
    });
    state.files[kind].status = 'ok';
    state.files[kind].report = report;
  } catch (err) {
    if (err.kind === 'cancelled') throw err;
    state.files[kind].status = 'error';
    state.importErrors[kind] = err;
    if (!quiet) show('data');
  } finally {
    if (state.importing === job) state.importing = null;
    renderProgress();
  }
  await keepFiles();
  renderData();
}

async function importAndCompute(kind, file, name, options) {
  try {
    await importTable(kind, file, name, options);
  } catch {
    return;
  }
  scheduleCompute(0);
}

async function cancelImport() {
  const cancelled = state.importing?.kind;
  if (!cancelled) return; // it finished meanwhile
  status(t('data.cancel'), 'warn');
  const ready = engine.restart();
  state.importing = null;
  delete state.files[cancelled];
  delete state.importErrors[cancelled];
  renderProgress();
  renderData();
  await ready;
  // The new worker starts empty: read again what was loaded before.
  for (const kind of TABLES) {
    const f = state.files[kind];
    if (f && f.status === 'ok') {
      try { await importTable(kind, f.file, f.name, f.options, { quiet: true }); } catch { /* cancelled again */ }
    }
  }
  renderData();
  scheduleCompute(0);
}

async function clearTable(kind) {
  delete state.files[kind];
  delete state.importErrors[kind];
  await engine.request('clear', { kind });
  await keepFiles();
  renderData();
  scheduleCompute(0);
}

async function loadDemo() {
  status(t('status.demo'), 'busy');
  for (const [kind, url] of DEMO) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    const blob = await res.blob();
    await importTable(kind, blob, url.split('/').pop(), {}, { quiet: true });
  }
  for (const kind of ['summaries', 'outpatient', 'adjustments']) if (state.files[kind]) await clearTable(kind);
}

function renderProgress() {
  const box = $('#progress');
  const p = state.importing;
  box.hidden = !p;
  if (!p) return;
  const bar = $('progress', box);
  bar.max = Math.max(p.total, 1);
  bar.value = p.bytes;
  const pct = `${Math.round((p.bytes / Math.max(p.total, 1)) * 100)}%`;
  $('.progress-text', box).textContent = t('data.reading', { file: p.name, rows: fmtNum(String(p.rows), 0), pct });
}

const ENCODINGS = ['', 'utf-8', 'gb18030', 'utf-16le', 'utf-16be'];

function renderData() {
  const root = $('#data-slots');
  if (!root) return;
  const slots = TABLES.map((kind) => {
    const f = state.files[kind];
    const err = state.importErrors[kind];
    const input = h('input', { type: 'file', accept: '.csv,.txt,.tsv,.xlsx,.xls,.xlsb,.ods,.et', hidden: true, dataset: { kind },
      onchange: (e) => { const file = e.target.files[0]; if (file) importAndCompute(kind, file, file.name, encodingOptions(kind)); e.target.value = ''; } });
    const report = f?.report;
    const statusLine = f
      ? (f.status === 'ok' ? t('data.loaded', { file: f.name, n: fmtNum(String(report.report.records), 0) }) : f.status === 'reading' ? '…' : f.name)
      : t('data.none');
    const notes = report ? (lang() === 'en' ? report.notes_en : report.notes_zh) : [];
    const enc = h('select', { 'aria-label': t('data.encoding'), dataset: { encoding: kind }, onchange: () => {
      if (f) importAndCompute(kind, f.file, f.name, { ...f.options, ...encodingOptions(kind) });
    } }, ENCODINGS.map((e) => h('option', { value: e, selected: (f?.options?.encoding ?? '') === e }, e ? e.toUpperCase() : t('data.encoding.auto'))));
    const zone = h('div', {
      class: `slot slot-${f?.status ?? 'empty'}`,
      dataset: { slot: kind },
      ondragover: (e) => { e.preventDefault(); zone.classList.add('over'); },
      ondragleave: () => zone.classList.remove('over'),
      ondrop: (e) => {
        e.preventDefault();
        zone.classList.remove('over');
        const file = e.dataTransfer.files[0];
        if (file) importAndCompute(kind, file, file.name, encodingOptions(kind));
      },
    },
    h('div', { class: 'slot-head' }, h('strong', null, t(`table.${kind}`)), h('span', { class: 'slot-status' }, statusLine)),
    h('div', { class: 'slot-actions' }, t('data.drop'), ' ', h('button', { type: 'button', onclick: () => input.click() }, t('data.pick')), input,
      h('label', { class: 'enc' }, t('data.encoding'), ' ', enc),
      f ? h('button', { type: 'button', class: 'ghost', onclick: () => clearTable(kind) }, t('data.clear')) : null),
    notes.length ? h('ul', { class: 'import-notes' }, notes.map((n) => h('li', null, n))) : null,
    err ? h('div', { class: 'import-errors', dataset: { errors: kind } },
      h('div', { class: 'err-head' }, h('strong', null, t('data.errors.count', { file: f?.name ?? '', total: err.total })),
        err.total > err.errors.length ? h('span', { class: 'muted' }, ` (${t('data.errors.more', { n: err.errors.length })})`) : null,
        f ? h('button', { type: 'button', class: 'map-btn', onclick: () => openMapping(kind) }, t('data.mapping')) : null),
      views.errorTable(err.errors, state, { id: `errors-${kind}` })) : null);
    return zone;
  });
  const check = state.checkErrors.length && state.error?.kind === 'check'
    ? h('div', { class: 'import-errors' }, h('strong', null, t('data.check')), views.errorTable(state.checkErrors, state, { id: 'errors-check' }))
    : null;
  fill(root, slots, check);
}

function encodingOptions(kind) {
  const v = $(`select[data-encoding="${kind}"]`)?.value;
  return v ? { encoding: v } : {};
}

// ---- the column-mapping dialog ---------------------------------------------------------------

const norm = (s) => String(s ?? '').normalize('NFKC').toLowerCase().replace(/[\s_\-()（）]/g, '');

async function openMapping(kind) {
  const f = state.files[kind];
  if (!f) return;
  const [fields, preview] = await Promise.all([
    engine.request('fields', { kind }),
    engine.request('preview', { file: f.file, name: f.name, options: f.options, maxRows: 12 }).catch((err) => ({ rows: [], letters: [], error: err })),
  ]);
  const dialog = $('#mapping');
  const rows = preview.rows ?? [];
  // The header is most likely the row with the most filled cells near the top.
  let headerIndex = 0;
  rows.forEach((r, i) => { if (r.cells.filter((c) => c.trim()).length > rows[headerIndex].cells.filter((c) => c.trim()).length) headerIndex = i; });
  const required = new Set(fields.required.filter((any) => any.length === 1).flat());
  const oneOf = new Set(fields.required.filter((any) => any.length > 1).flat());
  const body = $('.mapping-body', dialog);
  const draw = () => {
    const header = rows[headerIndex]?.cells ?? [];
    const headerSel = h('select', { id: 'mapping-header-row', onchange: (e) => { headerIndex = Number(e.target.value); draw(); } },
      rows.map((r, i) => h('option', { value: i, selected: i === headerIndex }, `${r.row}: ${r.cells.filter((c) => c.trim()).slice(0, 4).join(' | ')}`)));
    const fieldRows = fields.fields.map((fd) => {
      const names = [fd.zh, fd.en, ...fd.aliases].map(norm);
      const given = f.options?.columns?.[fd.key];
      const guess = header.findIndex((c) => c.trim() && names.includes(norm(c)));
      const sel = h('select', { dataset: { field: fd.key } },
        h('option', { value: '' }, t('data.mapping.none')),
        header.map((c, i) => h('option', { value: c.trim() || preview.letters[i], selected: given ? (given === c.trim() || given === preview.letters[i]) : i === guess }, `${preview.letters[i]} · ${c}`)));
      const mark = required.has(fd.key) ? ' *' : oneOf.has(fd.key) ? ' (*)' : '';
      return h('tr', null, h('th', null, `${lang() === 'en' ? fd.en : fd.zh}${mark}`), h('td', { class: 'muted' }, fd.key), h('td', null, sel));
    });
    const previewTable = h('table', { class: 'grid mini preview' },
      h('thead', null, h('tr', null, h('th'), (preview.letters ?? []).map((l) => h('th', null, l)))),
      h('tbody', null, rows.map((r, i) => h('tr', { class: i === headerIndex ? 'header-row' : '' }, h('th', null, String(r.row)), r.cells.map((c) => h('td', null, c))))));
    fill(body,
      h('p', null, t('data.mapping.note')),
      h('label', null, t('err.header'), ' ', headerSel),
      h('div', { class: 'mapping-cols' },
        h('table', { class: 'grid mini fields' }, h('tbody', null, fieldRows)),
        h('div', { class: 'table-wrap' }, h('h4', null, t('data.mapping.preview')), previewTable)));
  };
  $('.mapping-title', dialog).textContent = t('data.mapping.title', { file: f.name });
  draw();
  dialog.returnValue = '';
  dialog.showModal();
  dialog.onclose = () => {
    if (dialog.returnValue !== 'apply') return;
    const columns = {};
    for (const sel of $$('select[data-field]', dialog)) if (sel.value) columns[sel.dataset.field] = sel.value;
    importAndCompute(kind, f.file, f.name, { ...f.options, columns });
  };
}

// ---- keeping data (opt-in) -------------------------------------------------------------------

function idb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open('dipcalc', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('files');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function idbDo(mode, f) {
  const db = await idb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction('files', mode);
    const out = f(tx.objectStore('files'));
    tx.oncomplete = () => resolve(out?.result);
    tx.onerror = () => reject(tx.error);
  });
}

async function keepFiles() {
  if (storage.get(STORE.keep) !== 'on') return;
  const entries = TABLES.filter((k) => state.files[k]?.status === 'ok').map((k) => ({ kind: k, name: state.files[k].name, options: state.files[k].options, blob: state.files[k].file }));
  await idbDo('readwrite', (store) => store.put(entries, 'files')).catch(() => {});
}

async function keptFiles() {
  if (storage.get(STORE.keep) !== 'on') return null;
  return idbDo('readonly', (store) => store.get('files')).catch(() => null);
}

async function setKeep(on) {
  storage.set(STORE.keep, on ? 'on' : 'off');
  if (on) await keepFiles();
  else await idbDo('readwrite', (store) => store.clear()).catch(() => {});
}

// ---- exports ---------------------------------------------------------------------------------

async function exportAs(format) {
  if (!state.result) return;
  try {
    const out = await engine.request('export', { format, policy: policyJson(), lang: lang() });
    const base = `dipcalc-${state.policy.name}-${state.policy.year}`.replace(/[\\/:*?"<>|\s]+/g, '_');
    download(`${base}.${format === 'bundle' ? 'bundle.json' : format}`, out.bytes ?? out.text, out.mime);
  } catch (err) {
    status(`${t('status.failed')}: ${msg(err.errors?.[0] ?? err) || err.message}`, 'error');
  }
}

// ---- start -----------------------------------------------------------------------------------

function switchLang() {
  setLang(lang() === 'zh' ? 'en' : 'zh');
  storage.set(STORE.lang, lang());
  translatePage();
  form.render();
  renderResults();
  renderPolicyErrors();
  renderData();
  renderPresetOptions();
  scheduleCompute(0); // the status line and engine messages in the new language
}

function renderPresetOptions() {
  fill($('#preset'), state.presets.map((p) => h('option', { value: p.name, selected: p.name === state.presetName }, `${p.name}（${p.year}）`)));
}

function wire() {
  for (const b of $$('.tabs button')) b.addEventListener('click', () => show(b.dataset.view));
  $('#lang').addEventListener('click', switchLang);
  $('#export-csv').addEventListener('click', () => exportAs('csv'));
  $('#export-xlsx').addEventListener('click', () => exportAs('xlsx'));
  $('#export-json').addEventListener('click', () => exportAs('json'));
  $('#export-bundle').addEventListener('click', () => exportAs('bundle'));
  $('#print').addEventListener('click', () => window.print());
  $('#preset').addEventListener('change', (e) => loadPreset(e.target.value));
  $('#policy-reset').addEventListener('click', () => loadPreset(state.presetName));
  $('#policy-save').addEventListener('click', savePolicy);
  $('#policy-open').addEventListener('click', () => $('#policy-file').click());
  $('#policy-file').addEventListener('change', (e) => { const f = e.target.files[0]; if (f) openPolicyFile(f); e.target.value = ''; });
  $('#remember').checked = storage.get(STORE.remember) !== 'off';
  $('#remember').addEventListener('change', (e) => {
    storage.set(STORE.remember, e.target.checked ? 'on' : 'off');
    if (!e.target.checked) storage.del(STORE.policy); else rememberPolicy(policyJson());
  });
  $('#keep').checked = storage.get(STORE.keep) === 'on';
  $('#keep').addEventListener('change', (e) => setKeep(e.target.checked));
  $('#demo').addEventListener('click', async () => { await loadDemo(); scheduleCompute(0); });
  $('#cancel-import').addEventListener('click', cancelImport);
  $('#mapping-apply').addEventListener('click', () => $('#mapping').close('apply'));
  $('#mapping-cancel').addEventListener('click', () => $('#mapping').close('cancel'));
  window.addEventListener('resize', () => requestAnimationFrame(resizeCharts));
  window.addEventListener('beforeprint', () => {
    for (const name of RESULT_VIEWS) if (stale.has(name)) renderView(name);
    for (const v of $$('.view')) v.classList.add('printing');
    resizeCharts();
  });
  window.addEventListener('afterprint', () => { for (const v of $$('.view')) v.classList.remove('printing'); resizeCharts(); });
}

async function start() {
  setLang(storage.get(STORE.lang) ?? 'zh');
  translatePage();
  wire();
  form = new PolicyForm($('#policy-form'), () => {
    renderResults();
    scheduleCompute();
  });
  status(t('status.loading'), 'busy');
  engine = new Engine();
  let info;
  try {
    info = await engine.ready;
  } catch (err) {
    status(t('status.enginefailed', { msg: err.message }), 'error');
    return;
  }
  $('#engine-version').textContent = info.version;
  state.presets = await engine.request('presets');
  renderPresetOptions();

  // The policy: the last one (if remembered and still valid), else the default preset.
  const saved = storage.get(STORE.remember) !== 'off' ? JSON.parse(storage.get(STORE.policy) ?? 'null') : null;
  let restored = false;
  if (saved?.policy) {
    const v = await engine.request('validate', { policy: saved.policy }).catch(() => ({ ok: false }));
    if (v.ok) {
      state.presetName = saved.preset ?? DEFAULT_PRESET;
      state.baselineJson = saved.baseline ?? saved.policy;
      state.baselineName = saved.baselineName ?? '';
      state.policy = JSON.parse(saved.policy);
      form.set(state.policy);
      renderPresetOptions();
      restored = true;
    }
  }
  if (!restored) {
    // The demo city comes with the 宁德2024 preset's rules and its budget scaled to the city
    // (demo/policy.json, written by `dipcalc synth`); without it, the preset itself.
    const demoPolicy = await fetch('demo/policy.json').then((r) => (r.ok ? r.text() : null)).catch(() => null);
    const v = demoPolicy ? await engine.request('validate', { policy: demoPolicy }).catch(() => ({ ok: false })) : { ok: false };
    if (v.ok) {
      setPolicy(demoPolicy);
      $('#preset').value = DEFAULT_PRESET;
    } else {
      await loadPreset(DEFAULT_PRESET);
    }
  }

  // The data: files the user chose to keep, else the demo city.
  const kept = await keptFiles();
  try {
    if (kept?.length) {
      for (const f of kept) await importTable(f.kind, f.blob, f.name, f.options, { quiet: true });
    } else {
      await loadDemo();
    }
  } catch (err) {
    status(`${t('status.failed')}: ${err.message}`, 'error');
  }
  renderData();
  await compute();
}

show('overview');
start();
