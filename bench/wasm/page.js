// The page's path for a parameter change, as a user feels it when moving a slider: the page's
// own worker protocol (www/app/worker-client.js ↔ www/worker.js) asked for a `compute` with the
// baseline comparison and a focus institution, as www/main.js asks; then the page's views
// (www/app/views.js) rebuilt from the answer as main.js's renderResults does: the figures strip
// and the view on screen (here the institution table, the largest), then the next frame (layout,
// paint, charts drawn in requestAnimationFrame). The views not on screen, which the page rebuilds
// when idle, are timed apart (`hidden`).

import * as views from '/app/views.js';
import { WorkerClient } from '/app/worker-client.js';
import { figures } from './changes.js';

const now = () => performance.now();
const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

// The view elements of www/index.html; the institution table is the one on screen.
function viewElements() {
  const root = document.getElementById('page');
  const el = (id, hidden) => {
    const div = document.createElement('div');
    div.id = id;
    div.className = 'view';
    div.hidden = hidden;
    root.appendChild(div);
    return div;
  };
  return {
    strip: el('strip', false),
    overview: el('view-overview', true),
    institutions: el('view-institutions', false),
    mine: el('view-mine', true),
    compare: el('view-compare', true),
  };
}

// What main.js's renderResults draws at once: the strip and the view on screen.
// The views' actions (app/state.js), which a measurement never calls.
const on = new Proxy({}, { get: () => () => {} });

function render(els, state) {
  views.renderStrip(els.strip, state);
  views.renderInstitutions(els.institutions, state, on);
}

// What main.js draws later, when idle: the views not on screen.
function renderHidden(els, state) {
  views.renderOverview(els.overview, state, on);
  views.renderMine(els.mine, state, on);
  views.renderCompare(els.compare, state, on);
}

const sum = (o) => Object.values(o ?? {}).reduce((a, b) => a + b, 0);

/**
 * Imports the files into the page's worker, settles the policy as the page does on load, then
 * for each change (name → function editing a policy object) measures one slider move.
 * Returns `{ms: {import, first}, changes: {name: {roundtrip, worker, transfer, render, layout,
 * frame, total, parts, hidden, hidden_frame}}, first}` (`first`: the figures of the first settlement as
 * the page received it, bench/wasm/changes.js). `total` is what the slider costs: roundtrip (worker compute + transfer + parse)
 * + render + frame (`layout` is the part of the frame spent on style and layout).
 */
export async function pagePath(files, policyText, changes) {
  const engine = new WorkerClient();
  await engine.ready;
  const out = { ms: {}, changes: {} };
  let t = now();
  for (const kind of ['institutions', 'catalog', 'cases']) {
    await engine.request('import', { kind, file: files[kind], name: files[kind].name, options: {} });
  }
  out.ms.import = now() - t;

  const policy = JSON.parse(policyText);
  const baseline = JSON.stringify(policy);
  const state = {
    view: 'institutions',
    fund: 'employee',
    focus: null,
    extraPoints: '1000',
    policy,
    baselineName: policy.name,
    result: null,
    emptyMessage: null,
    table: { sort: 'fund_pays', dir: -1, filter: '', level: '', flag: '', expanded: new Set() },
  };
  const els = viewElements();

  // On load the page settles without a focus, then again with the first unit as the focus.
  t = now();
  let r = await engine.request('compute', { policy: baseline, baseline: null, focus: null, extraPoints: '1000' });
  const fund = r.settlement.funds.find((f) => f.fund === state.fund) ?? r.settlement.funds[0];
  state.fund = fund.fund;
  state.focus = fund.units[0].code;
  r = await engine.request('compute', {
    policy: baseline,
    baseline: null,
    focus: { fund: state.fund, code: state.focus },
    extraPoints: '1000',
  });
  state.result = r;
  render(els, state);
  renderHidden(els, state);
  await nextFrame();
  out.ms.first = now() - t;
  out.first = figures(r.settlement);

  // The worker's idle work after the first settle (the outlier index, www/worker.js
  // prepareWhenIdle, which starts once nothing has been asked for 400 ms): half a second of a
  // person reading, then a request queued behind it, which returns when it is done.
  await new Promise((resolve) => setTimeout(resolve, 500));
  t = now();
  await engine.request('counts');
  out.ms.idle_after_first = now() - t;

  // Each stage-2 slider moved with the institution table on screen (the worker leaves out the
  // 本院 view's lines by group, as www/main.js asks for them only while that view shows); then
  // the 本院 view opened (its lines asked for alone), the budget change again on it, and the
  // outlier threshold H moved twice there (the first move after the idle work above).
  const { outlier_threshold, outlier_threshold_again, ...stage2 } = changes;
  const steps = [
    ...Object.entries(stage2).map(([name, change]) => [name, change, false]),
    ['open_mine_view', null, true],
    ['budget_growth_cap_mine_view', changes.budget_growth_cap, true],
    ['outlier_threshold', outlier_threshold, true],
    ['outlier_threshold_again', outlier_threshold_again, true],
  ];
  for (const [name, change, mine] of steps) {
    if (!change) {
      const t0 = now();
      await engine.request('breakdown', { policy: baseline, fund: state.fund, code: state.focus });
      out.ms[name] = now() - t0;
      continue;
    }
    const p = structuredClone(policy);
    change(p);
    state.policy = p;
    const json = JSON.stringify(p);
    const t0 = now();
    const result = await engine.request('compute', {
      policy: json,
      baseline,
      focus: { fund: state.fund, code: state.focus },
      breakdown: mine,
      extraPoints: '1000',
    });
    const t1 = now();
    state.result = result;
    render(els, state);
    const t2 = now();
    void document.body.offsetHeight; // style and layout, forced here to time them
    const tl = now();
    await nextFrame();
    const t3 = now();
    renderHidden(els, state);
    const t4 = now();
    await nextFrame();
    const t5 = now();
    const worker = sum(result.ms);
    out.changes[name] = {
      roundtrip: t1 - t0,
      worker,
      transfer: t1 - t0 - worker,
      render: t2 - t1,
      layout: tl - t2,
      frame: t3 - t2,
      total: t3 - t0,
      parts: result.ms,
      hidden: t4 - t3,
      hidden_frame: t5 - t4,
      point_values: result.settlement.funds.map((f) => f.point_value),
    };
  }
  engine.worker.terminate();
  return out;
}
