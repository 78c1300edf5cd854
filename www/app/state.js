// The calculator's state has one owner: this module. Views read it (`getState()`) and never
// change it; every change is a named action below, which replaces the parts it changes (a new
// policy, a new table setting — never an edit in place) and tells the subscribers which keys
// changed. The page's controller (main.js) subscribes: it re-settles when the policy, the fund or
// the institution in focus changes, and redraws the views that show what changed.

import { t } from './i18n.js';
import { editPolicy, shown } from './policy-doc.js';

export const TABLES = ['institutions', 'catalog', 'cases', 'summaries', 'outpatient', 'adjustments', 'published'];
/** The payment columns that may count as fund money, in the order of their columns. */
export const FUND_PARTS = ['civil', 'large', 'serious'];
/** The tables whose personal burden may be derived from the payment columns. */
export const FUND_PART_TABLES = ['cases', 'summaries', 'outpatient'];

const initial = {
  lang: 'zh',
  view: 'overview',
  fund: 'employee',
  /** The institution in focus (本院): its code, remembered on this machine. */
  focus: null,
  extraPoints: '1000',
  policy: null,
  baselineJson: null,
  baselineName: '',
  presetName: '宁德2024',
  presets: [],
  /** The policy form's fund tab, and a fund switched off there (kept to switch it back on). */
  policyFund: 'employee',
  spareFunds: {},
  /** The last field edited ({path, policyJson before}) — to say why nothing moved. */
  lastEdit: null,
  result: null,
  resultPolicy: null,
  error: null,
  emptyMessage: null,
  /** Per table kind: {file, name, options, status: 'reading'|'ok'|'error', report}. */
  files: {},
  /** Per table kind: a file that failed, kept apart while the last good one stays loaded. */
  rejected: {},
  importErrors: {},
  checkErrors: [],
  /** Payment columns counted as fund money beside 统筹基金支付 when a file gives no personal burden
   *  (吉林2024 第六条): any of 'civil', 'large', 'serious', in that order — the import option
   *  `fund_parts` of the case, summary and outpatient tables (`--fund-parts` on the command line). */
  fundParts: [],
  /** The import in progress: {kind, name, bytes, total, rows}. */
  importing: null,
  table: { sort: 'fund_pays', dir: -1, filter: '', level: '', flag: '', expanded: new Set() },
  /** The year-end estimate's inputs (SPEC §11) as typed: the cut-off month ('' = each fund's last
   *  month with data), growth ('' = none; '3%' or '0.03'), the monthly profile. */
  estimateOptions: { through: '', growth: '', profile: 'auto', interval: 'predictive' },
  /** A previous year's case file for the estimate's monthly weights (SPEC §11), once read:
   *  {file, name, options, cases, funds}; the worker keeps only its monthly shares. */
  previousYear: null,
  /** A previous year's file being read or refused: {name, status: 'reading'|'error', error}. A
   *  refused file leaves the one read before (if any) in use. */
  previousYearLoad: null,
  /** The estimate of the policy and options it was asked for, or why there is none. */
  estimate: null,
  estimateError: null,
  toast: null,
  /** The status line: {text, kind: ''|'busy'|'ok'|'warn'|'error'}. */
  status: { text: '', kind: '' },
  /** The 年初测算 view (app/yearstart.js): {history: [{name, file, cases}], reading, options,
   *  calibration, simulation, error, busy}. */
  yearStart: { history: [], reading: null, options: null, calibration: null, simulation: null, error: null },
  /** The last calibration's year-start point value ({value, exact, …}), for the overview. */
  yearStartPointValue: null,
};

let state = initial;
const listeners = new Set();

export const getState = () => state;

/** `listener(changedKeys, state)` after every action that changed something. */
export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function set(patch) {
  const changed = new Set(Object.keys(patch).filter((k) => patch[k] !== state[k]));
  if (!changed.size) return;
  state = { ...state, ...patch };
  for (const listener of listeners) listener(changed, state);
}

const policyJson = () => JSON.stringify(state.policy);
const without = (obj, key) => {
  const { [key]: _gone, ...rest } = obj;
  return rest;
};

export const actions = {
  setLang: (lang) => set({ lang }),
  show: (view) => set({ view }),
  setFund: (fund) => set({ fund }),
  setFocus: (focus) => set({ focus }),
  setExtraPoints: (extraPoints) => set({ extraPoints }),
  setPresets: (presets) => set({ presets }),
  setPolicyFund: (policyFund) => set({ policyFund }),

  /** A policy loaded whole (a preset, a file, a link); as the baseline unless said otherwise. */
  loadPolicy(policy, { name, presetName, asBaseline = true, baselineJson, baselineName } = {}) {
    const patch = { policy, lastEdit: null };
    if (presetName) patch.presetName = presetName;
    if (asBaseline) {
      patch.baselineJson = JSON.stringify(policy);
      patch.baselineName = name ?? policy.name;
    }
    if (baselineJson !== undefined) patch.baselineJson = baselineJson;
    if (baselineName !== undefined) patch.baselineName = baselineName;
    set(patch);
  },

  /** One field edited: the value set at `path` (undefined removes a key) and marked `user`. */
  editPolicy(path, value) {
    const policy = editPolicy(state.policy, path, value, (before) => t('policy.was', { v: shown(before) }));
    set({ policy, lastEdit: { path, before: policyJson() } });
  },

  /** A fund switched off in the form (kept, to switch it back on) or on again. */
  toggleFund(fund, on) {
    const path = `funds.${fund}`;
    if (on) {
      const other = state.policy.funds[fund === 'employee' ? 'resident' : 'employee'];
      actions.editPolicy(path, structuredClone(state.spareFunds[fund] ?? other));
    } else {
      set({ spareFunds: { ...state.spareFunds, [fund]: state.policy.funds[fund] } });
      actions.editPolicy(path, null);
    }
  },

  setBaselineToCurrent: () => set({ baselineJson: policyJson(), baselineName: state.policy.name }),
  resetToBaseline: () => set({ policy: JSON.parse(state.baselineJson), lastEdit: null }),

  computed: (result, resultPolicy) => set({ result, resultPolicy, error: null, emptyMessage: null }),
  computeFailed(error, emptyMessage, checkErrors) {
    const patch = { error };
    if (emptyMessage !== undefined) Object.assign(patch, { result: null, emptyMessage });
    if (checkErrors) patch.checkErrors = checkErrors;
    set(patch);
  },
  /** The 本院 view's lines by group, asked for when the view opened (or why there are none). */
  addBreakdown(result, breakdown, breakdownError) {
    if (state.result !== result) return;
    set({ result: { ...result, breakdown, breakdownError } });
  },

  addDetail(result, key, detail) {
    if (state.result !== result) return;
    set({ result: { ...result, details: { ...result.details, [key]: detail } } });
  },

  sortTable(key) {
    const ts = state.table;
    const text = ['code', 'name', 'level', 'band', 'flags'].includes(key);
    set({ table: { ...ts, sort: key, dir: ts.sort === key ? -ts.dir : text ? 1 : -1 } });
  },
  filterTable: (change) => set({ table: { ...state.table, ...change } }),
  toggleRow(key) {
    const expanded = new Set(state.table.expanded);
    if (expanded.has(key)) expanded.delete(key);
    else expanded.add(key);
    set({ table: { ...state.table, expanded } });
  },

  fileReading: (kind, entry) => set({ files: { ...state.files, [kind]: { ...entry, status: 'reading' } } }),
  fileLoaded(kind, entry) {
    set({
      files: { ...state.files, [kind]: { ...entry, status: 'ok' } },
      rejected: without(state.rejected, kind),
      importErrors: without(state.importErrors, kind),
    });
  },
  /** A file that failed: the last good one of its kind stays loaded until the user removes it. */
  fileFailed(kind, entry, errors, previous) {
    const files = previous ? { ...state.files, [kind]: previous } : without(state.files, kind);
    set({
      files,
      rejected: { ...state.rejected, [kind]: { ...entry, status: 'error' } },
      importErrors: { ...state.importErrors, [kind]: errors },
    });
  },
  fileCleared(kind) {
    set({
      files: without(state.files, kind),
      rejected: without(state.rejected, kind),
      importErrors: without(state.importErrors, kind),
    });
  },
  importProgress: (importing) => set({ importing }),
  /** The payment columns that count as fund money; the tables they apply to are read again. */
  setFundParts(parts) {
    const fundParts = FUND_PARTS.filter((p) => parts.includes(p));
    if (fundParts.join() !== state.fundParts.join()) set({ fundParts });
  },
  setEstimateOptions: (change) => set({ estimateOptions: { ...state.estimateOptions, ...change } }),
  previousYearReading: (name) => set({ previousYearLoad: { name, status: 'reading', error: null } }),
  previousYearLoaded(entry, result) {
    const funds = (result.profile?.funds ?? []).map(([fund]) => fund);
    set({ previousYear: { ...entry, cases: result.cases, funds }, previousYearLoad: null });
  },
  previousYearFailed: (name, error) => set({ previousYearLoad: { name, status: 'error', error } }),
  /** No previous year: a profile that asked for it goes back to automatic. */
  previousYearCleared() {
    const o = state.estimateOptions;
    const patch = { previousYear: null, previousYearLoad: null };
    if (o.profile === 'previous_year') patch.estimateOptions = { ...o, profile: 'auto' };
    set(patch);
  },
  estimated: (estimate) => set({ estimate, estimateError: null }),
  estimateFailed: (estimateError) => set({ estimate: null, estimateError }),
  toast: (text) => set({ toast: { text, at: Date.now() } }),
  status: (text, kind = '') => set({ status: { text, kind } }),
  /** The 年初测算 view's parts that changed (the others kept). */
  yearStart(patch) {
    const next = { yearStart: { ...state.yearStart, ...patch } };
    if ('calibration' in patch) next.yearStartPointValue = patch.calibration?.point_value ?? null;
    set(next);
  },
};
