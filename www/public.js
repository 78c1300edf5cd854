// The public transparency page: opens a publication bundle (docs/bundle.md), shows its point
// values, budget waterfall and institution settlements, and verifies it with the same wasm
// engine as the calculator. Everything from a bundle is shown through textContent (never parsed
// as HTML); decimals stay strings and are formatted with the calculator's own helpers
// (app/decimal.js: string/BigInt arithmetic, half away from zero), and are turned into numbers
// only to draw the chart. The element builder and the text lookup are the calculator's too.

import { cmpParsedDec, divDec, fmtMoney, fmtNum, fmtPct, fmtPoints, parseDec, subDec } from './app/decimal.js';
import { csv, download, h } from './app/dom.js';
import { fieldTrail } from './app/policy-labels.js';
import { createI18n } from './app/translate.js';
import init, { bundle_hash, verify_bundle, version } from './pkg/dipcalc.js';

/** The bundle the build ships next to the page (scripts/public-bundle). */
const SHIPPED = 'demo/bundle.json';

const TEXT = {
  zh: {
    skip: '跳到正文',
    title: '医保点值与结算公开核验',
    subtitle: '区域点数法总额预算 + DIP：公布的点值与各机构结算，任何人都可以在本机复算核对',
    print: '打印',
    'lang.switch': 'English',
    'lang.title': 'Switch to English',
    'bundle.heading': '数据包',
    'bundle.open': '打开数据包文件（.json）',
    'bundle.demo': '载入示例数据包',
    'status.loading': '正在载入计算引擎…',
    'status.engine': '计算引擎载入失败：{msg}',
    'status.none': '请打开医保部门发布的数据包文件（.json）。',
    'status.reading': '正在读取数据包…',
    'status.ready': '已打开数据包：{policy}（{year} 年度），{units} 个结算单位。',
    'status.bad': '无法打开数据包：{msg}',
    'meta.policy': '政策',
    'meta.year': '年度',
    'meta.source': '文件',
    'meta.generator': '生成程序',
    'meta.input': '计算依据',
    'meta.input.value':
      '{input}：{cases} 条病例记录、{summaries} 条机构汇总、{institutions} 家机构（数据包只含汇总数字）',
    'input.cases': '病例明细',
    'input.summaries': '机构汇总',
    'input.cases_and_summaries': '病例明细与机构汇总',
    'meta.suppression': '小单元格保护',
    'meta.suppression.value':
      '少于 {n} 个病例得出的数字不公开，另有数字一并隐藏，使其无法由合计相减还原；隐藏的数字显示为“—”。',
    'meta.suppression.none': '未作保护：数据包公开所有数字（min_cases = 1）。',
    'suppressed.title': '已隐藏：少于 {n} 个病例，或为防止由合计相减还原而隐藏',
    'meta.hash': 'SHA-256（本页计算）',
    'meta.hash.ok': '与文件中记录的 SHA-256 一致',
    'meta.hash.bad': '与文件中记录的 SHA-256（{h}）不一致：文件在生成后被改动过',
    'meta.hash.none': '文件中没有记录 SHA-256',
    'meta.hash.note': '请与医保部门另行公布的 SHA-256 核对，以确认文件未被替换。',
    'verify.heading': '核验',
    'verify.explain':
      '用与计算器相同的引擎，在您的浏览器中由数据包里的汇总数据和政策参数重新计算点值和结算，逐项与公布数字比对。数据不离开本机。',
    'verify.button': '核验',
    'verify.running': '正在复算…',
    'verify.match': '一致：全部 {n} 个公布数字与复算结果相符。',
    'verify.mismatch': '不一致：{k} 个数字与复算结果不符（共核对 {n} 个）。',
    'verify.failed': '无法核验：{msg}',
    'verify.engines': '数据包由 dipcalc {a} 生成，本页引擎 {b}。',
    'diff.caption': '与复算不符的数字',
    'diff.fund': '基金',
    'diff.where': '项目',
    'diff.subject': '对象',
    'diff.field': '字段',
    'diff.published': '公布值',
    'diff.recomputed': '复算值',
    'section.budget': '预算',
    'section.fund': '全年',
    'section.month': '月度',
    'section.quarter': '季度',
    'section.unit': '机构结算',
    'section.unit_month': '机构月度',
    'section.totals': '合计',
    'trend.heading': '月度点值',
    'trend.note':
      '预结算点值 = 当月可分配额 ÷ 当月总点数（宁德2025答复 二：按月公布预结算点值）。结算使用全精度计算，公布点值乘以点数可能与结算额相差一分。',
    'trend.caption': '各月预结算点值（元/点）',
    'trend.chart': '各基金月度点值折线图',
    'trend.month': '月份',
    'trend.pv': '{fund}点值',
    'trend.points': '{fund}总点数',
    'trend.pool': '{fund}可分配额（元）',
    'trend.year': '全年',
    'trend.empty': '无点值',
    'budget.heading': '预算测算',
    'budget.note': '每一步的金额、算式和政策依据（宁德2024 第十三条：预算及其说明应当公开）。',
    'budget.caption': '{fund}预算测算',
    'budget.step': '步骤',
    'budget.amount': '金额（元）',
    'budget.formula': '算式',
    'budget.basis': '依据',
    'inst.heading': '各机构结算',
    'inst.fund': '基金',
    'inst.search': '搜索机构',
    'inst.search.placeholder': '编码或名称',
    'inst.count': '显示 {shown} / {all} 个结算单位',
    'inst.caption': '{fund}各结算单位结算（元）',
    'inst.code': '编码',
    'inst.name': '名称',
    'inst.level': '等级',
    'inst.points': '点数',
    'inst.settlement': '结算额度',
    'inst.fund_settlement': '基金结算额度',
    'inst.target': '风险分担后',
    'inst.fund_pays': '基金支付',
    'inst.net': '年终应付',
    'inst.total': '合计',
    'inst.csv': '下载 CSV',
    'inst.sort': '点击列名排序',
    'trend.mom': '{fund}环比',
    'budget.pool': '可分配总额（按点数付费）',
    'budget.pool.fund_plus_personal': '{b} + 个人负担 {p}',
    'budget.pool.fund_share_ratio': '{b} ÷ 基金支付占比 {r}',
    'budget.pool.fund_only': '= {b}',
    'policy.heading': '政策依据',
    'policy.caption': '政策参数的出处',
    'policy.param': '参数',
    'policy.mark': '性质',
    'policy.source': '文件与条款',
    'policy.note': '说明',
    'mark.seed': '文件规定',
    'mark.reading': '解读',
    'mark.default': '默认',
    'mark.user': '用户设定',
    'fund.employee': '职工',
    'fund.resident': '居民',
    'footer.aggregates': '数据包只含机构 × 基金 × 月份层级的汇总数字，不含任何病例或患者信息。',
    'footer.hash': '自行计算 SHA-256：',
    'footer.engine': '本页引擎版本',
    'footer.calc': '结算计算器',
  },
  en: {
    skip: 'Skip to content',
    title: 'Public point values and settlements',
    subtitle:
      "Regional global budget with DIP: the published point values and each institution's settlement, which anyone can recompute on their own machine",
    print: 'Print',
    'lang.switch': '中文',
    'lang.title': '切换到中文',
    'bundle.heading': 'Bundle',
    'bundle.open': 'Open a bundle file (.json)',
    'bundle.demo': 'Load the sample bundle',
    'status.loading': 'Loading the engine…',
    'status.engine': 'The engine failed to load: {msg}',
    'status.none': 'Open a bundle file (.json) published by the medical-insurance bureau.',
    'status.reading': 'Reading the bundle…',
    'status.ready': 'Bundle open: {policy} (year {year}), {units} settlement units.',
    'status.bad': 'Cannot open the bundle: {msg}',
    'meta.policy': 'Policy',
    'meta.year': 'Year',
    'meta.source': 'File',
    'meta.generator': 'Made by',
    'meta.input': 'Computed from',
    'meta.input.value':
      '{input}: {cases} case records, {summaries} institution summaries, {institutions} institutions (the bundle holds totals only)',
    'input.cases': 'individual cases',
    'input.summaries': 'institution totals',
    'input.cases_and_summaries': 'individual cases and institution totals',
    'meta.suppression': 'Small-cell protection',
    'meta.suppression.value':
      'Figures derived from fewer than {n} cases are not published, and further figures are hidden so that none can be recovered by subtracting from a total; hidden figures show as “—”.',
    'meta.suppression.none': 'No protection: the bundle publishes every figure (min_cases = 1).',
    'suppressed.title': 'Hidden: fewer than {n} cases, or hidden so that it cannot be recovered from a total',
    'meta.hash': 'SHA-256 (computed here)',
    'meta.hash.ok': 'equals the SHA-256 recorded in the file',
    'meta.hash.bad': 'differs from the SHA-256 recorded in the file ({h}): the file was changed after it was made',
    'meta.hash.none': 'the file records no SHA-256',
    'meta.hash.note':
      'Compare it with the SHA-256 the bureau announces separately to be sure the file was not replaced.',
    'verify.heading': 'Verify',
    'verify.explain':
      "Recomputes the point values and settlements from the bundle's totals and policy in your browser, with the same engine as the calculator, and compares every published figure. No data leaves this machine.",
    'verify.button': 'Verify',
    'verify.running': 'Recomputing…',
    'verify.match': 'Matches: all {n} published figures equal the recomputed ones.',
    'verify.mismatch': 'Does not match: {k} figures differ from the recomputation ({n} compared).',
    'verify.failed': 'Cannot verify: {msg}',
    'verify.engines': "Bundle made by dipcalc {a}; this page's engine is {b}.",
    'diff.caption': 'Figures that differ from the recomputation',
    'diff.fund': 'Fund',
    'diff.where': 'Section',
    'diff.subject': 'Subject',
    'diff.field': 'Field',
    'diff.published': 'Published',
    'diff.recomputed': 'Recomputed',
    'section.budget': 'budget',
    'section.fund': 'year',
    'section.month': 'month',
    'section.quarter': 'quarter',
    'section.unit': 'settlement',
    'section.unit_month': 'monthly settlement',
    'section.totals': 'totals',
    'trend.heading': 'Point value by month',
    'trend.note':
      "Pre-settlement point value = the month's pool ÷ the month's points (published monthly). Settlements use full precision, so the published point value × points can be a cent off a settlement.",
    'trend.caption': 'Monthly pre-settlement point values (yuan per point)',
    'trend.chart': "Line chart of each fund's monthly point value",
    'trend.month': 'Month',
    'trend.pv': '{fund} point value',
    'trend.points': '{fund} points',
    'trend.pool': '{fund} pool (yuan)',
    'trend.year': 'Year',
    'trend.empty': 'no point value',
    'budget.heading': 'Budget',
    'budget.note':
      'Every step with its amount, arithmetic and policy article (宁德2024 第十三条: the budget and its explanation are public).',
    'budget.caption': '{fund} budget',
    'budget.step': 'Step',
    'budget.amount': 'Amount (yuan)',
    'budget.formula': 'Arithmetic',
    'budget.basis': 'Basis',
    'inst.heading': 'Settlement by institution',
    'inst.fund': 'Fund',
    'inst.search': 'Search institutions',
    'inst.search.placeholder': 'code or name',
    'inst.count': 'showing {shown} of {all} settlement units',
    'inst.caption': '{fund}: settlement by unit (yuan)',
    'inst.code': 'Code',
    'inst.name': 'Name',
    'inst.level': 'Level',
    'inst.points': 'Points',
    'inst.settlement': 'Settlement',
    'inst.fund_settlement': 'Fund settlement',
    'inst.target': 'After risk sharing',
    'inst.fund_pays': 'Fund pays',
    'inst.net': 'Year-end amount',
    'inst.total': 'Total',
    'inst.csv': 'Download CSV',
    'inst.sort': 'click a column name to sort',
    'trend.mom': '{fund} month on month',
    'budget.pool': 'Pool paid through points',
    'budget.pool.fund_plus_personal': '{b} + personal burden {p}',
    'budget.pool.fund_share_ratio': '{b} ÷ fund share {r}',
    'budget.pool.fund_only': '= {b}',
    'policy.heading': 'Policy sources',
    'policy.caption': 'Where each policy parameter comes from',
    'policy.param': 'Parameter',
    'policy.mark': 'Kind',
    'policy.source': 'Document and article',
    'policy.note': 'Note',
    'mark.seed': 'the document says so',
    'mark.reading': 'reading',
    'mark.default': 'default',
    'mark.user': 'set by the user',
    'fund.employee': 'Employee',
    'fund.resident': 'Resident',
    'footer.aggregates': 'A bundle holds totals per institution, fund and month only: no case and no patient data.',
    'footer.hash': 'Compute the SHA-256 yourself: ',
    'footer.engine': 'Engine version of this page',
    'footer.calc': 'Settlement calculator',
  },
};

const state = {
  lang: 'zh',
  text: null,
  bundle: null,
  name: '',
  hash: null,
  verification: null,
  error: null,
  fund: null,
  sort: null,
};
const i18n = createI18n(TEXT);
const t = (key, vars = {}) => i18n.t(key, vars);

const $ = (id) => document.getElementById(id);

/** Money as published (two decimals), grouped: 1234567.8 → 1,234,567.80. */
const money = (s) => fmtMoney(s);
/** A figure the bundle hides (small-cell suppression, docs/bundle.md): a dash that says why. */
const hidden = () =>
  h('span', { class: 'suppressed', title: t('suppressed.title', { n: state.bundle?.min_cases ?? 10 }) }, '—');
const points = (s) => fmtPoints(s);
const count = (n) => fmtNum(String(n ?? 0), 0);
const fundName = (f) => t(`fund.${f}`);

// ---- status and language ----

function setStatus(key, vars, stateName) {
  const el = $('status');
  el.dataset.key = key;
  el.dataset.vars = JSON.stringify(vars ?? {});
  el.dataset.state = stateName;
  el.textContent = t(key, vars);
}

function applyLanguage() {
  i18n.setLang(state.lang);
  document.title = `${t('title')} · dipcalc`;
  i18n.translatePage();
  $('lang').lang = state.lang === 'zh' ? 'en' : 'zh-CN';
  const st = $('status');
  if (st.dataset.key) st.textContent = t(st.dataset.key, JSON.parse(st.dataset.vars || '{}'));
  if (state.bundle) render();
  renderVerification();
}

// ---- loading ----

/** An engine error (the binding layer's adapter: `errors[0]` in both languages) or any Error. */
function errorText(err) {
  const row = err?.errors?.[0];
  if (row?.message_zh) return state.lang === 'zh' ? row.message_zh : row.message_en;
  return err?.message ?? String(err);
}

function load(text, name) {
  state.verification = null;
  state.error = null;
  renderVerification();
  let bundle;
  try {
    bundle = JSON.parse(text);
    if (bundle?.format !== 'dipcalc-publication-bundle') {
      throw new Error(
        state.lang === 'zh' ? '不是公开数据包（缺少 format 字段）' : 'not a publication bundle (no format field)',
      );
    }
    state.hash = bundle_hash(text);
  } catch (err) {
    state.bundle = null;
    for (const id of ['verify-card', 'trend-card', 'budget-card', 'inst-card', 'policy-card', 'bundle-meta'])
      $(id).hidden = true;
    setStatus('status.bad', { msg: errorText(err) }, 'error');
    return;
  }
  state.text = text;
  state.bundle = bundle;
  state.name = name;
  state.fund = bundle.funds?.[0]?.fund ?? null;
  $('inst-search').value = '';
  render();
  const units = (bundle.funds ?? []).reduce((n, f) => Math.max(n, f.units?.length ?? 0), 0);
  setStatus('status.ready', { policy: bundle.policy?.name ?? '', year: bundle.policy?.year ?? '', units }, 'ready');
}

async function loadShipped(required) {
  try {
    const res = await fetch(SHIPPED, { cache: 'no-cache' });
    if (!res.ok) throw new Error(`${res.status}`);
    load(await res.text(), SHIPPED);
  } catch (err) {
    if (required) setStatus('status.bad', { msg: errorText(err) }, 'error');
    else setStatus('status.none', {}, 'empty');
  }
}

// ---- rendering ----

function render() {
  const b = state.bundle;
  for (const id of ['verify-card', 'trend-card', 'budget-card', 'inst-card', 'policy-card', 'bundle-meta'])
    $(id).hidden = false;
  renderMeta(b);
  renderTrend(b);
  renderBudget(b);
  renderFundSelect(b);
  renderInstitutions();
  renderPolicy(b);
}

function renderMeta(b) {
  const dl = $('bundle-meta');
  const row = (term, ...desc) => [h('dt', null, term), h('dd', null, ...desc)];
  const cf = b.created_from ?? {};
  let hashNote;
  if (!b.sha256) hashNote = h('span', { class: 'warn', dataset: { hash: 'none' } }, t('meta.hash.none'));
  else if (b.sha256.toLowerCase() === state.hash)
    hashNote = h('span', { class: 'ok', dataset: { hash: 'ok' } }, '✓ ', t('meta.hash.ok'));
  else hashNote = h('span', { class: 'bad', dataset: { hash: 'bad' } }, '✗ ', t('meta.hash.bad', { h: b.sha256 }));
  dl.replaceChildren(
    ...row(t('meta.policy'), `${b.policy?.name ?? ''} · ${b.policy?.title ?? ''}`),
    ...row(t('meta.year'), String(b.policy?.year ?? '')),
    ...row(t('meta.source'), state.name),
    ...row(t('meta.generator'), `${b.generator?.name ?? ''} ${b.generator?.version ?? ''}`),
    ...row(
      t('meta.input'),
      t('meta.input.value', {
        input: t(`input.${cf.input}`),
        cases: count(cf.case_records),
        summaries: count(cf.summary_records),
        institutions: count(cf.institutions),
      }),
    ),
    ...row(
      t('meta.suppression'),
      h(
        'span',
        { id: 'suppression-note', dataset: { minCases: String(b.min_cases ?? '') } },
        (b.min_cases ?? 1) > 1 ? t('meta.suppression.value', { n: b.min_cases }) : t('meta.suppression.none'),
      ),
    ),
    ...row(
      t('meta.hash'),
      h('code', { id: 'hash', class: 'hash' }, state.hash),
      h('br'),
      hashNote,
      h('br'),
      h('small', null, t('meta.hash.note')),
    ),
  );
}

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs ?? {})) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A small line chart (SVG built with DOM calls): one line per fund over the months. The table
 *  below holds the same figures for screen readers and for exact reading. */
function renderTrend(b) {
  const funds = b.funds ?? [];
  // Drawn at the width it is shown (360–640 units), so its text stays legible on a phone.
  const W = Math.round(Math.min(640, Math.max(360, $('trend-chart').clientWidth || 640)));
  const H = W < 480 ? 240 : 260,
    L = 64,
    R = 16,
    T = 28,
    B = 36;
  const values = funds
    .flatMap((f) => f.months.map((m) => (m.point_value == null ? null : Number(m.point_value))))
    .filter((v) => v !== null);
  const wrap = $('trend-chart');
  wrap.replaceChildren();
  if (values.length) {
    let lo = Math.min(...values),
      hi = Math.max(...values);
    if (lo === hi) {
      lo -= Math.abs(lo) * 0.1 || 1;
      hi += Math.abs(hi) * 0.1 || 1;
    }
    const pad = (hi - lo) * 0.08;
    lo -= pad;
    hi += pad;
    const x = (i) => L + ((W - L - R) * i) / 11;
    const y = (v) => T + (H - T - B) * (1 - (v - lo) / (hi - lo));
    const svg = s('svg', {
      viewBox: `0 0 ${W} ${H}`,
      role: 'img',
      'aria-labelledby': 'trend-svg-title',
      class: 'trend',
    });
    svg.append(s('title', { id: 'trend-svg-title' }, t('trend.chart')));
    for (let k = 0; k <= 4; k++) {
      const v = lo + ((hi - lo) * k) / 4;
      svg.append(s('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid' }));
      svg.append(
        s(
          'text',
          { x: L - 6, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' },
          v.toPrecision(6).replace(/\.?0+$/, ''),
        ),
      );
    }
    for (let i = 0; i < 12; i++)
      svg.append(s('text', { x: x(i), y: H - B + 18, class: 'tick', 'text-anchor': 'middle' }, String(i + 1)));
    svg.append(s('text', { x: W - R, y: H - 4, class: 'tick', 'text-anchor': 'end' }, t('trend.month')));
    funds.forEach((f, n) => {
      const pts = f.months.map((m, i) => (m.point_value == null ? null : [x(i), y(Number(m.point_value))]));
      let d = '';
      let pen = false;
      for (const p of pts) {
        if (!p) {
          pen = false;
          continue;
        }
        d += `${pen ? 'L' : 'M'}${p[0].toFixed(1)},${p[1].toFixed(1)} `;
        pen = true;
      }
      svg.append(s('path', { d: d.trim(), class: `line fund-${n}` }));
      pts.forEach((p, i) => {
        if (!p) return;
        const dot = s('circle', { cx: p[0].toFixed(1), cy: p[1].toFixed(1), r: 3.5, class: `dot fund-${n}` });
        dot.append(s('title', null, `${fundName(f.fund)} ${f.months[i].period}: ${f.months[i].point_value}`));
        svg.append(dot);
      });
      svg.append(s('rect', { x: L + n * 110, y: 6, width: 14, height: 4, class: `key fund-${n}` }));
      svg.append(s('text', { x: L + n * 110 + 18, y: 12, class: 'legend' }, fundName(f.fund)));
    });
    wrap.append(svg);
  }

  const table = $('trend-table');
  const head = h('tr', null, h('th', { scope: 'col' }, t('trend.month')));
  for (const f of funds) {
    head.append(
      h('th', { scope: 'col' }, t('trend.pv', { fund: fundName(f.fund) })),
      h('th', { scope: 'col' }, t('trend.mom', { fund: fundName(f.fund) })),
      h('th', { scope: 'col' }, t('trend.points', { fund: fundName(f.fund) })),
      h('th', { scope: 'col' }, t('trend.pool', { fund: fundName(f.fund) })),
    );
  }
  const rows = (funds[0]?.months ?? []).map((m0, i) => {
    const tr = h('tr', null, h('th', { scope: 'row' }, m0.period));
    for (const f of funds) {
      const m = f.months[i];
      tr.append(
        h(
          'td',
          { class: 'num', dataset: { fund: f.fund, period: m.period, field: 'point_value' } },
          m.suppressed ? hidden() : (m.point_value ?? t('trend.empty')),
        ),
        h(
          'td',
          { class: 'num', dataset: { fund: f.fund, period: m.period, field: 'mom' } },
          monthOnMonth(f.months[i - 1], m),
        ),
        h('td', { class: 'num' }, m.suppressed ? hidden() : points(m.points)),
        h('td', { class: 'num' }, m.suppressed ? hidden() : money(m.pool)),
      );
    }
    return tr;
  });
  const year = h('tr', { class: 'total' }, h('th', { scope: 'row' }, t('trend.year')));
  for (const f of funds) {
    year.append(
      h('td', { class: 'num', dataset: { fund: f.fund, period: 'year', field: 'point_value' } }, f.point_value ?? '—'),
      h('td', { class: 'num' }, ''),
      h('td', { class: 'num' }, points(f.total_points)),
      h('td', { class: 'num' }, money(f.pool)),
    );
  }
  table.replaceChildren(
    h('caption', { id: 'trend-caption' }, t('trend.caption')),
    h('thead', null, head),
    h('tbody', null, rows),
    h('tfoot', null, year),
  );
}

/** A month's point value against the month before, in % (two decimals, half away from zero). */
function monthOnMonth(before, m) {
  if (!before?.point_value || !m.point_value) return '—';
  const change = divDec(subDec(m.point_value, before.point_value), before.point_value, 6);
  return change === null ? '—' : `${change.startsWith('-') ? '' : '+'}${fmtPct(change, 2)}`;
}

/** The last step of the budget table: from the budget B to the pool paid through points (SPEC §6). */
function poolStep(b, f) {
  const steps = f.budget.steps;
  const budget =
    steps.find((st) => st.key === 'inpatient') ??
    [...steps].reverse().find((st) => st.key === 'budget' || st.key === 'rule');
  const basisKey = b.policy?.point_value?.cost_basis ?? 'fund_plus_personal';
  const formula = t(`budget.pool.${basisKey}`, {
    b: money(budget?.amount),
    p: money(f.totals?.personal_burden),
    r: b.policy?.funds?.[f.fund]?.fund_share_ratio ?? '—',
  });
  return h(
    'tr',
    { class: 'subtotal', dataset: { step: 'pool' } },
    h('th', { scope: 'row' }, t('budget.pool')),
    h('td', { class: 'num' }, money(f.pool)),
    h('td', { class: 'formula' }, formula),
    h('td', null, 'SPEC §6'),
  );
}

function basis(step) {
  const parts = [step.source, step.article].filter(Boolean).join(' ');
  const mark = step.mark ? t(`mark.${step.mark}`) : '';
  return [parts, parts && mark ? ' · ' : '', mark].join('');
}

function renderBudget(b) {
  const out = $('budget-tables');
  out.replaceChildren();
  for (const f of b.funds ?? []) {
    const id = `budget-caption-${f.fund}`;
    const rows = f.budget.steps.map((st) =>
      h(
        'tr',
        { class: st.subtotal ? 'subtotal' : null, dataset: { step: st.key } },
        h('th', { scope: 'row' }, state.lang === 'en' ? st.label_en : st.label),
        h('td', { class: 'num' }, money(st.amount)),
        h('td', { class: 'formula' }, state.lang === 'en' ? st.formula_en : st.formula),
        h('td', null, basis(st)),
      ),
    );
    out.append(
      h(
        'div',
        { class: 'table-wrap', tabindex: '0', role: 'group', 'aria-labelledby': id },
        h(
          'table',
          { class: 'budget' },
          h('caption', { id }, t('budget.caption', { fund: fundName(f.fund) })),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', { scope: 'col' }, t('budget.step')),
              h('th', { scope: 'col' }, t('budget.amount')),
              h('th', { scope: 'col' }, t('budget.formula')),
              h('th', { scope: 'col' }, t('budget.basis')),
            ),
          ),
          h('tbody', null, rows, poolStep(b, f)),
        ),
      ),
    );
  }
}

function renderFundSelect(b) {
  const sel = $('inst-fund');
  sel.replaceChildren(
    ...(b.funds ?? []).map((f) => h('option', { value: f.fund, selected: f.fund === state.fund }, fundName(f.fund))),
  );
  sel.disabled = (b.funds ?? []).length < 2;
}

/** A suppressed unit (docs/bundle.md "Small cells") has no aggregates and no results. */
const shown = (fmt, get) => (u) => (u.suppressed ? hidden() : fmt(get(u)));
const COLUMNS = [
  ['inst.points', shown(points, (u) => u.aggregates.year.points), 'points'],
  ['inst.settlement', shown(money, (u) => u.results.settlement), 'settlement'],
  ['inst.fund_settlement', shown(money, (u) => u.results.fund_settlement), 'fund_settlement'],
  ['inst.target', shown(money, (u) => u.results.target), 'target'],
  ['inst.fund_pays', shown(money, (u) => u.results.fund_pays), 'fund_pays'],
  ['inst.net', shown(money, (u) => u.results.net_to_pay), 'net_to_pay'],
];

const TEXT_COLUMNS = [
  ['inst.code', (u) => u.code, 'code'],
  ['inst.name', (u) => u.name, 'name'],
  ['inst.level', (u) => u.level, 'level'],
];
const RAW = {
  points: (u) => u.aggregates?.year.points ?? null,
  settlement: (u) => u.results?.settlement ?? null,
  fund_settlement: (u) => u.results?.fund_settlement ?? null,
  target: (u) => u.results?.target ?? null,
  fund_pays: (u) => u.results?.fund_pays ?? null,
  net_to_pay: (u) => u.results?.net_to_pay ?? null,
};

/** The units the search leaves, in the order the clicked column gives (figures compared exactly). */
function shownUnits(f) {
  const q = $('inst-search').value.trim().toLowerCase();
  const shown = f.units.filter(
    (u) =>
      !q ||
      u.code.toLowerCase().includes(q) ||
      u.name.toLowerCase().includes(q) ||
      u.institutions.some((c) => c.toLowerCase().includes(q)),
  );
  const sort = state.sort;
  if (!sort) return shown;
  const text = TEXT_COLUMNS.find((c) => c[2] === sort.key);
  const raw = (u) => RAW[sort.key](u);
  const keyed = shown.map((u) => ({ u, v: text ? text[1](u) : raw(u) == null ? null : parseDec(raw(u)) }));
  // Suppressed figures sort last, whichever the direction.
  const cmp = (a, b) =>
    a.v == null || b.v == null ? (a.v == null) - (b.v == null) : cmpParsedDec(a.v, b.v) * sort.dir;
  keyed.sort(
    (a, b) =>
      (text ? String(a.v).localeCompare(String(b.v), 'zh-CN') * sort.dir : cmp(a, b)) ||
      a.u.code.localeCompare(b.u.code),
  );
  return keyed.map((k) => k.u);
}

function sortBy(key) {
  state.sort = {
    key,
    dir: state.sort?.key === key ? -state.sort.dir : TEXT_COLUMNS.some((c) => c[2] === key) ? 1 : -1,
  };
  renderInstitutions();
}

/** The table as shown (search and order), as CSV: figures as published, text a spreadsheet would run escaped. */
function downloadCsv() {
  const f = (state.bundle.funds ?? []).find((x) => x.fund === state.fund) ?? state.bundle.funds?.[0];
  if (!f) return;
  const head = [...TEXT_COLUMNS.map(([k]) => t(k)), ...COLUMNS.map(([k]) => t(k))];
  const rows = shownUnits(f).map((u) => [
    ...TEXT_COLUMNS.map(([, get]) => get(u)),
    ...COLUMNS.map(([, , field]) => RAW[field](u) ?? '—'),
  ]);
  const name = `${state.bundle.policy?.name ?? 'bundle'}-${state.bundle.policy?.year ?? ''}-${f.fund}.csv`.replace(
    /[\\/:*?"<>|\s]+/g,
    '_',
  );
  download(name, csv([head, ...rows]), 'text/csv;charset=utf-8');
}

function sortHeader(label, key, num) {
  const on = state.sort?.key === key;
  return h(
    'th',
    {
      scope: 'col',
      class: num ? 'num' : null,
      'aria-sort': on ? (state.sort.dir > 0 ? 'ascending' : 'descending') : 'none',
    },
    h(
      'button',
      { type: 'button', class: 'sort', dataset: { sort: key }, onclick: () => sortBy(key) },
      t(label),
      on ? (state.sort.dir > 0 ? ' ▲' : ' ▼') : '',
    ),
  );
}

function renderInstitutions() {
  const b = state.bundle;
  const f = (b.funds ?? []).find((x) => x.fund === state.fund) ?? b.funds?.[0];
  const table = $('inst-table');
  if (!f) {
    table.replaceChildren();
    return;
  }
  const shown = shownUnits(f);
  const rows = shown.map((u) =>
    h(
      'tr',
      { dataset: { code: u.code } },
      h('td', null, u.code),
      h('th', { scope: 'row' }, u.name),
      h('td', null, u.level),
      ...COLUMNS.map(([, get, field]) => h('td', { class: 'num', dataset: { field } }, get(u))),
    ),
  );
  const tt = f.totals;
  const total = h(
    'tr',
    { class: 'total' },
    h('td', null, ''),
    h('th', { scope: 'row' }, t('inst.total')),
    h('td', null, ''),
    h('td', { class: 'num' }, points(tt.points)),
    h('td', { class: 'num' }, money(tt.settlement)),
    h('td', { class: 'num' }, money(tt.fund_settlement)),
    h('td', { class: 'num' }, money(tt.target)),
    h('td', { class: 'num' }, money(tt.fund_pays)),
    h('td', { class: 'num' }, money(tt.net_to_pay)),
  );
  table.replaceChildren(
    h('caption', { id: 'inst-caption' }, t('inst.caption', { fund: fundName(f.fund) })),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ...TEXT_COLUMNS.map(([label, , key]) => sortHeader(label, key, false)),
        ...COLUMNS.map(([label, , key]) => sortHeader(label, key, true)),
      ),
    ),
    h('tbody', null, rows),
    h('tfoot', null, total),
  );
  $('inst-count').textContent = t('inst.count', { shown: shown.length, all: f.units.length });
}

function renderPolicy(b) {
  const p = b.policy ?? {};
  const titles = new Map((p.sources ?? []).map((x) => [x.id, x.title]));
  // Each parameter by its name in the page's language (the file's field path on hover); the
  // presets' notes are written in English, so the Chinese page leaves those out.
  const rows = Object.entries(p.refs ?? {}).map(([path, r]) =>
    h(
      'tr',
      null,
      h('th', { scope: 'row', title: path }, fieldTrail(path, state.lang)),
      h('td', null, r.mark ? t(`mark.${r.mark}`) : ''),
      h(
        'td',
        null,
        [r.source, r.article].filter(Boolean).join(' '),
        r.source && titles.has(r.source) ? h('br') : null,
        r.source && titles.has(r.source) ? h('small', null, titles.get(r.source)) : null,
      ),
      h('td', null, state.lang === 'zh' && /[A-Za-z]{5,}/.test(r.note ?? '') ? '' : (r.note ?? '')),
    ),
  );
  $('policy-table').replaceChildren(
    h('caption', { id: 'policy-caption' }, t('policy.caption')),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', { scope: 'col' }, t('policy.param')),
        h('th', { scope: 'col' }, t('policy.mark')),
        h('th', { scope: 'col' }, t('policy.source')),
        h('th', { scope: 'col' }, t('policy.note')),
      ),
    ),
    h('tbody', null, rows),
  );
}

// ---- verification ----

function runVerify() {
  if (!state.text) return;
  const box = $('verify-result');
  box.dataset.state = 'running';
  box.textContent = t('verify.running');
  // Let the browser paint "recomputing" before the engine runs.
  setTimeout(() => {
    try {
      state.verification = verify_bundle(state.text);
      state.error = null;
    } catch (err) {
      state.verification = null;
      state.error = err;
    }
    renderVerification();
  }, 0);
}

function renderVerification() {
  const box = $('verify-result');
  const v = state.verification;
  if (state.error) {
    box.dataset.state = 'error';
    box.replaceChildren(h('p', { class: 'bad' }, t('verify.failed', { msg: errorText(state.error) })));
    return;
  }
  if (!v) {
    delete box.dataset.state;
    box.replaceChildren();
    return;
  }
  const engines = h('p', { class: 'note' }, t('verify.engines', { a: v.bundle_engine_version, b: v.engine_version }));
  if (v.matches) {
    box.dataset.state = 'match';
    box.replaceChildren(h('p', { class: 'verdict ok' }, '✓ ', t('verify.match', { n: v.checked })), engines);
    return;
  }
  box.dataset.state = 'mismatch';
  const rows = v.differences.map((d) =>
    h(
      'tr',
      { dataset: { subject: d.subject, field: d.field } },
      h('td', null, fundName(d.fund)),
      h('td', null, t(`section.${d.section}`)),
      h('th', { scope: 'row' }, [d.subject, d.name && d.name !== d.subject ? d.name : ''].filter(Boolean).join(' ')),
      h('td', null, h('code', null, d.field)),
      h('td', { class: 'num' }, d.published),
      h('td', { class: 'num' }, d.recomputed ?? '—'),
    ),
  );
  box.replaceChildren(
    h('p', { class: 'verdict bad' }, '✗ ', t('verify.mismatch', { k: v.differences.length, n: v.checked })),
    h(
      'div',
      { class: 'table-wrap', tabindex: '0', role: 'group', 'aria-labelledby': 'diff-caption' },
      h(
        'table',
        { id: 'diff-table' },
        h('caption', { id: 'diff-caption' }, t('diff.caption')),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ...['diff.fund', 'diff.where', 'diff.subject', 'diff.field', 'diff.published', 'diff.recomputed'].map((k) =>
              h('th', { scope: 'col' }, t(k)),
            ),
          ),
        ),
        h('tbody', null, rows),
      ),
    ),
    engines,
  );
}

// ---- start ----

async function start() {
  $('lang').addEventListener('click', () => {
    state.lang = state.lang === 'zh' ? 'en' : 'zh';
    applyLanguage();
  });
  $('print').addEventListener('click', () => window.print());
  $('bundle-file').addEventListener('change', async (e) => {
    const file = e.target.files?.[0];
    if (!file) return;
    setStatus('status.reading', {}, 'loading');
    load(await file.text(), file.name);
  });
  $('load-demo').addEventListener('click', () => loadShipped(true));
  $('verify').addEventListener('click', runVerify);
  $('inst-search').addEventListener('input', renderInstitutions);
  $('inst-csv').addEventListener('click', downloadCsv);
  $('inst-fund').addEventListener('change', (e) => {
    state.fund = e.target.value;
    renderInstitutions();
  });
  let resize;
  window.addEventListener('resize', () => {
    clearTimeout(resize);
    resize = setTimeout(() => {
      if (state.bundle) renderTrend(state.bundle);
    }, 150);
  });
  try {
    await init();
  } catch (err) {
    setStatus('status.engine', { msg: errorText(err) }, 'error');
    return;
  }
  $('engine-version').textContent = version();
  await loadShipped(false);
}

start();
