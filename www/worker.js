// The calculator's module worker: it owns the WebAssembly engine and the one Session holding the
// data, so the page never waits on a computation and a million case rows never cross into the
// page. Protocol (see app/worker-client.js, which is the page's side):
//
//   page → worker  { id, type, payload }
//   worker → page  { id, type: 'result', payload }
//                  { id, type: 'result', json }        the result as JSON text ('compute')
//                  { id, type: 'error', error: { kind, message, errors, total } }
//                  { id, type: 'progress', payload: { bytes, total, rows } }
//                  { id, type: 'superseded' }          a newer 'compute' replaced this one
//                  { type: 'ready', payload: { version } }
//
// Messages are handled one at a time, in order. A 'compute' that is still waiting when a newer
// one arrives is answered 'superseded' without running. Files arrive as File/Blob objects (shared,
// not copied) and are read here: case files in 4 MiB slices pushed into the session as they come.

import { yearStartHandlers } from './app/yearstart-worker.js';
import init, * as wasm from './pkg/dipcalc.js';

const CHUNK = 4 * 1024 * 1024;

let session = null;
let latestCompute = 0;
let queue = Promise.resolve();

function post(msg, transfer) {
  self.postMessage(msg, transfer ?? []);
}

// A thrown wasm Error carries kind/errors/total (src/wasm/mod.rs `into_error`); anything else
// (a bug, an out-of-memory) becomes kind 'internal'.
function errorOf(err) {
  return {
    kind: err?.kind ?? 'internal',
    message: String(err?.message ?? err),
    errors: Array.isArray(err?.errors) ? err.errors : [],
    total: typeof err?.total === 'number' ? err.total : 0,
  };
}

async function importFile(id, { kind, file, name, options }) {
  if (kind !== 'cases') {
    const bytes = new Uint8Array(await file.arrayBuffer());
    return session.import_table(kind, name, bytes, options ?? null);
  }
  session.begin_cases(name, options ?? null);
  const total = file.size;
  session.case_file_size(total); // room for all its rows once the first are read
  let rows = 0;
  try {
    for (let offset = 0; offset < total; offset += CHUNK) {
      const chunk = new Uint8Array(await file.slice(offset, offset + CHUNK).arrayBuffer());
      rows = session.push_cases(chunk);
      post({ id, type: 'progress', payload: { bytes: Math.min(offset + CHUNK, total), total, rows } });
    }
    return session.finish_cases();
  } catch (err) {
    session.cancel_cases();
    throw err;
  }
}

// A previous year's case file, for the estimate's monthly weights (SPEC §11): read in slices like
// a case file, settled under the policy on screen; the session keeps only its monthly shares.
async function importPreviousYear(id, { file, name, options, policy }) {
  session.begin_previous_year(name, options ?? null);
  const total = file.size;
  try {
    for (let offset = 0; offset < total; offset += CHUNK) {
      const chunk = new Uint8Array(await file.slice(offset, offset + CHUNK).arrayBuffer());
      const rows = session.push_previous_year(chunk);
      post({ id, type: 'progress', payload: { bytes: Math.min(offset + CHUNK, total), total, rows } });
    }
    return session.finish_previous_year(policy);
  } catch (err) {
    session.cancel_previous_year();
    throw err;
  }
}

// Everything the views need for one policy, in one answer, as JSON text (a string crosses to the
// page as one copy; an object graph would be cloned value by value): the settlement summary (units
// without months, quarters and trace), the counts, and when asked the comparison with the baseline,
// the focus institution's analyses (its gain and loss by group only when `breakdown` says so: the
// 本院 view is on screen), and `details` ("fund:code" → {months, quarters, trace}) of the
// units in `units` (the rows open in the institution table). Analyses that fail (an institution
// with no points in a fund) come back as null with their error, not as a failure. `ms` says how
// long each part took here (`make bench` reports it).
function compute({ policy, baseline, focus, breakdown, extraPoints, units }) {
  const ms = {};
  const parts = [];
  const add = (name, json) => parts.push(`${JSON.stringify(name)}:${json}`);
  const timed = (name, f) => {
    const start = performance.now();
    try {
      return f();
    } finally {
      ms[name] = performance.now() - start;
    }
  };
  add(
    'settlement',
    timed('settle', () => session.settle_summary_json(policy)),
  );
  add('counts', JSON.stringify(timed('counts', () => session.counts())));
  const attempt = (name, f) => {
    try {
      add(name, timed(name, f));
    } catch (err) {
      add(name, 'null');
      add(`${name}Error`, JSON.stringify(errorOf(err)));
    }
  };
  // The 基层病种 effect by level of each settled fund (from the cached per-case pass: cheap).
  const levels = [];
  timed('grassroots', () => {
    for (const fund of ['employee', 'resident']) {
      try {
        levels.push(`${JSON.stringify(fund)}:${session.grassroots_by_level_json(policy, fund)}`);
      } catch {
        // this policy does not settle that fund
      }
    }
  });
  add('grassroots', `{${levels.join(',')}}`);
  if (baseline) attempt('comparison', () => session.compare_json(baseline, policy));
  // The focus unit as the baseline settles it (the settlement is cached by compare_json), for
  // the 本院 panel's changes.
  if (baseline && focus) attempt('baselineUnit', () => session.unit_summary_json(baseline, focus.fund, focus.code));
  if (focus) {
    if (breakdown) attempt('breakdown', () => session.group_breakdown_json(policy, focus.fund, focus.code));
    attempt('dilution', () => JSON.stringify(session.dilution(policy, focus.fund, focus.code, extraPoints ?? '1000')));
    attempt('curve', () => JSON.stringify(session.risk_sharing_curve(policy, focus.fund, focus.code)));
  }
  const details = {};
  for (const { fund, code } of units ?? []) {
    try {
      details[`${fund}:${code}`] = session.unit_detail(policy, fund, code);
    } catch {
      // not settled in this fund under this policy: the row shows nothing to open
    }
  }
  add('details', JSON.stringify(details));
  add('ms', JSON.stringify(ms));
  return new JsonText(`{${parts.join(',')}}`);
}

// A result that is already JSON text: posted as `{id, type: 'result', json}` for the page to parse.
class JsonText {
  constructor(text) {
    this.text = text;
  }
}

function exportFile({ format, policy, lang }) {
  if (format === 'csv') return { text: session.export_csv(policy, lang), mime: 'text/csv;charset=utf-8' };
  if (format === 'json') return { text: session.export_json(policy), mime: 'application/json' };
  // The publication bundle for the public page (docs/bundle.md), as `dipcalc publish` writes it.
  if (format === 'bundle') return { text: wasm.publish_bundle(session, policy), mime: 'application/json' };
  if (format === 'xlsx') {
    const bytes = session.export_xlsx(policy, lang);
    return { bytes, mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' };
  }
  throw new Error(`unknown export format ${format}`);
}

const handlers = {
  import: (id, p) => importFile(id, p),
  clear: (_id, p) => session.clear(p.kind),
  counts: () => session.counts(),
  reports: () => session.reports(),
  check: () => session.check(),
  compute: (_id, p) => compute(p),
  // The year-end estimate (SPEC §11) from the months loaded, with the 区域公布数据 table and the
  // previous year's monthly shares when they are loaded.
  estimate: (_id, p) => new JsonText(session.estimate_json(p.policy, p.options)),
  previousYear: (id, p) => importPreviousYear(id, p),
  clearPreviousYear: () => session.clear_previous_year(),
  detail: (_id, p) => session.unit_detail(p.policy, p.fund, p.code),
  // The 本院 view's gain and loss by group, when that view opens after a compute without it.
  breakdown: (_id, p) => new JsonText(session.group_breakdown_json(p.policy, p.fund, p.code)),
  export: (_id, p) => exportFile(p),
  validate: (_id, p) => wasm.validate_policy(p.policy),
  presets: () => wasm.presets(),
  preset: (_id, p) => wasm.preset_json(p.name),
  fields: (_id, p) => wasm.table_fields(p.kind),
  preview: async (_id, p) =>
    wasm.preview(
      p.name,
      new Uint8Array(await p.file.slice(0, 1024 * 1024).arrayBuffer()),
      p.options ?? null,
      p.maxRows ?? 12,
    ),
  // The 年初测算 view's requests ('ys-…').
  ...yearStartHandlers(wasm, post),
};

// After a settle has been answered and nothing else has been asked for IDLE_MS: the cases put in
// order of cost within their groups (Session.prepare_outlier_revisit), so that the first move of
// the outlier thresholds answers as the later ones do. Once per data (later calls return at
// once); a request arriving during it waits for it (a few hundred ms at a city's size, once). Any
// request puts it off, so the page's settles on opening and a slider being moved never wait.
const IDLE_MS = 400;
const idle = { timer: null, policy: null };
function prepareWhenIdle(policy) {
  clearTimeout(idle.timer);
  idle.policy = policy ?? idle.policy;
  if (!idle.policy) return;
  idle.timer = setTimeout(() => {
    const policyJson = idle.policy;
    idle.policy = null;
    try {
      session.prepare_outlier_revisit(policyJson);
    } catch {
      // a policy that did not settle: nothing to prepare
    }
  }, IDLE_MS);
}

async function handle({ id, type, payload }) {
  clearTimeout(idle.timer);
  try {
    await answer(id, type, payload);
  } finally {
    prepareWhenIdle(type === 'compute' ? payload?.policy : null);
  }
}

async function answer(id, type, payload) {
  if (type === 'compute' && id !== latestCompute) {
    post({ id, type: 'superseded' });
    return;
  }
  const handler = handlers[type];
  try {
    if (!handler) throw new Error(`unknown request ${type}`);
    const result = await handler(id, payload ?? {});
    if (result instanceof JsonText) {
      post({ id, type: 'result', json: result.text });
      return;
    }
    const transfer = result?.bytes?.buffer ? [result.bytes.buffer] : [];
    post({ id, type: 'result', payload: result }, transfer);
  } catch (err) {
    post({ id, type: 'error', error: errorOf(err) });
  }
}

const ready = init().then(
  () => {
    session = new wasm.Session();
    post({ type: 'ready', payload: { version: wasm.version() } });
  },
  (err) => {
    post({ type: 'failed', error: errorOf(err) });
    throw err;
  },
);

self.onmessage = (event) => {
  const msg = event.data;
  if (msg?.type === 'compute') latestCompute = msg.id;
  queue = queue
    .then(() => ready)
    .then(() => handle(msg))
    .catch(() => {});
};
