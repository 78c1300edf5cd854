// Charts with Apache ECharts, served from the page's own origin (vendor/, copied from npm by
// `make wasm`). Canvas rendering, and tooltips in 'richText' mode: ECharts draws them on the
// canvas instead of building HTML, so no label or name from a file can ever become markup (the
// default HTML tooltip would also need inline styles the page's CSP forbids). Figures are
// converted to numbers only here, for drawing; every figure shown as text comes from the engine.

import * as echarts from '../vendor/echarts.esm.min.js';
import { fmtMoney, fmtNum, toNumber } from './decimal.js';
import { local, t } from './i18n.js';

const charts = new Map();
const FONT = '"PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", system-ui, sans-serif';
const COLORS = ['#1f5f99', '#c2682b', '#2f8a5b', '#8a3f9a', '#6b7785'];

function chart(el) {
  let c = charts.get(el);
  if (!c || c.isDisposed()) {
    c = echarts.init(el, null, { renderer: 'canvas', locale: 'ZH' });
    charts.set(el, c);
  }
  return c;
}

export function resizeCharts() {
  for (const c of charts.values()) if (!c.isDisposed()) c.resize();
}

/** Axis labels for money: 元 with separators below a million, else 万 (ten thousands). */
function moneyAxis(max) {
  return max >= 1_000_000
    ? (v) => `${fmtNum(String(v / 10_000), Math.abs(v) >= 1e7 ? 0 : 1)}${t('unit.wan.short')}`
    : (v) => fmtNum(String(v), 0);
}

const base = () => ({
  animation: false,
  color: COLORS,
  textStyle: { fontFamily: FONT, fontSize: 12 },
  tooltip: { renderMode: 'richText', trigger: 'axis', confine: true },
  grid: { left: 12, right: 24, top: 36, bottom: 12, containLabel: true },
});

/** Monthly point value of each fund, with the annual value as a dashed line. */
export function monthlyPointValues(el, settlement) {
  const months = settlement.funds[0]?.months.map((m) => m.period.slice(5)) ?? [];
  const series = [];
  for (const [i, f] of settlement.funds.entries()) {
    const name = t(`fund.${f.fund}`);
    series.push({
      name,
      type: 'line',
      symbolSize: 5,
      data: f.months.map((m) => toNumber(m.point_value)),
      markLine: f.point_value
        ? {
            silent: true,
            symbol: 'none',
            lineStyle: { type: 'dashed' },
            label: {
              formatter: `${name} ${t('overview.year')} ${f.point_value}`,
              position: i === 0 ? 'insideStartTop' : 'insideEndTop',
              fontSize: 11,
            },
            data: [{ yAxis: toNumber(f.point_value) }],
          }
        : undefined,
    });
  }
  chart(el).setOption(
    {
      ...base(),
      legend: { top: 0 },
      xAxis: { type: 'category', data: months },
      yAxis: { type: 'value', scale: true, name: t('kpi.pv.unit') },
      series,
    },
    true,
  );
}

/**
 * Axis labels that stay apart when shortened: a label that begins as another does (three
 * deductions 不纳入DIP付费…) shows its end instead of its beginning; the tooltip has it whole.
 */
function distinctLabels(labels, keep = 8) {
  const head = (l) => l.slice(0, keep);
  return labels.map((l) =>
    l.length > keep && labels.filter((o) => head(o) === head(l)).length > 1 ? `…${l.slice(-keep)}` : l,
  );
}

/** The budget waterfall of one fund: raised → reserve → … → B, in 万元. */
export function waterfall(el, fund) {
  // The last bar is the pool the budget buys in points (SPEC §6: B plus the personal burden, or
  // B ÷ the fund share, as the cost basis says): the step from B to the pool.
  const pool = {
    key: 'pool',
    label: t('kpi.pool'),
    amount: fund.pool,
    subtotal: true,
    formula: t('waterfall.pool'),
    source: 'SPEC',
    article: '§6',
  };
  const steps = [...fund.budget.steps, pool];
  // 万元 for a city's budget; 元 when the figures are small (a worked example, a county fund).
  const big = Math.max(...steps.map((s) => Math.abs(Number(s.amount)))) >= 10_000_000;
  const wan = (x) => (big ? Number(x) / 10_000 : Number(x));
  let level = 0;
  const hidden = [];
  const up = [];
  const down = [];
  const total = [];
  for (const s of steps) {
    const v = wan(s.amount);
    if (s.subtotal || s.key === 'earmark') {
      if (s.key !== 'earmark') level = v;
      hidden.push(0);
      total.push(s.key === 'earmark' ? { value: v, itemStyle: { color: '#9aa7b5' } } : v);
      up.push(null);
      down.push(null);
    } else if (v >= 0) {
      hidden.push(level);
      up.push(v);
      down.push(null);
      total.push(null);
      level += v;
    } else {
      level += v;
      hidden.push(level);
      down.push(-v);
      up.push(null);
      total.push(null);
    }
  }
  const labels = distinctLabels(steps.map((s) => local(s, 'label')));
  const fmt = (p) => {
    const v = p.value?.value ?? p.value;
    return v === null || v === undefined ? '' : fmtNum(String(v), 0);
  };
  chart(el).setOption(
    {
      ...base(),
      tooltip: {
        renderMode: 'richText',
        trigger: 'axis',
        confine: true,
        formatter: (ps) => {
          const s = steps[ps[0].dataIndex];
          return `${local(s, 'label')}\n${fmtMoney(s.amount)} ${t('unit.yuan')}\n${local(s, 'formula')}${s.article ? `\n${s.source ?? ''} ${s.article}` : ''}`;
        },
      },
      grid: { left: 12, right: 24, top: 28, bottom: 8, containLabel: true },
      xAxis: {
        type: 'category',
        data: labels,
        axisLabel: { interval: 0, rotate: labels.length > 6 ? 28 : 0, fontSize: 11, width: 90, overflow: 'truncate' },
      },
      yAxis: {
        type: 'value',
        name: big ? t('unit.wan') : t('unit.yuan'),
        axisLabel: { formatter: (v) => fmtNum(String(v), 0) },
      },
      series: [
        {
          type: 'bar',
          stack: 'w',
          data: hidden,
          itemStyle: { color: 'transparent' },
          emphasis: { disabled: true },
          tooltip: { show: false },
        },
        {
          type: 'bar',
          stack: 'w',
          data: total,
          itemStyle: { color: '#1f5f99' },
          label: { show: true, position: 'top', formatter: fmt, fontSize: 10 },
        },
        {
          type: 'bar',
          stack: 'w',
          data: up,
          itemStyle: { color: '#2f8a5b' },
          label: { show: true, position: 'top', formatter: fmt, fontSize: 10 },
        },
        {
          type: 'bar',
          stack: 'w',
          data: down,
          itemStyle: { color: '#b8412c' },
          label: { show: true, position: 'bottom', formatter: fmt, fontSize: 10 },
        },
      ],
    },
    true,
  );
}

/** T against C around one institution's settlement S, the bands shaded, the cliff visible. */
export function bandChart(el, curve) {
  const S = Number(curve.settlement);
  const xs = curve.points.map((p) => Number(p.cost));
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const edges = curve.edges.map(Number);
  const below = edges.filter((e) => e < S);
  const above = edges.filter((e) => e > S);
  const areas = [];
  if (below.length)
    areas.push([{ xAxis: Math.min(...below), itemStyle: { color: 'rgba(47,138,91,0.10)' } }, { xAxis: S }]);
  if (above.length)
    areas.push([{ xAxis: S, itemStyle: { color: 'rgba(194,104,43,0.10)' } }, { xAxis: Math.max(...above) }]);
  chart(el).setOption(
    {
      ...base(),
      tooltip: {
        renderMode: 'richText',
        trigger: 'axis',
        confine: true,
        formatter: (ps) => {
          const p = curve.points[ps[0].dataIndex];
          return p ? `C ${fmtMoney(p.cost)}\nT ${fmtMoney(p.target)}` : '';
        },
      },
      legend: { top: 0, data: [t('mine.band.T'), t('mine.band.S'), t('mine.band.C'), t('mine.band.me')] },
      grid: { left: 12, right: 28, top: 36, bottom: 24, containLabel: true },
      xAxis: { type: 'value', min: lo, max: hi, name: 'C', axisLabel: { formatter: moneyAxis(hi) } },
      yAxis: { type: 'value', scale: true, name: 'T', axisLabel: { formatter: moneyAxis(hi) } },
      series: [
        {
          name: t('mine.band.T'),
          type: 'line',
          showSymbol: false,
          itemStyle: { color: '#1f5f99' },
          lineStyle: { width: 2.5, color: '#1f5f99' },
          data: curve.points.map((p) => [Number(p.cost), Number(p.target)]),
          markArea: { silent: true, data: areas },
          markLine: {
            silent: true,
            symbol: 'none',
            lineStyle: { color: '#999', type: 'dotted' },
            label: { formatter: (p) => `${fmtNum(String(((p.value - S) / S) * 100), 0)}%`, fontSize: 10 },
            data: edges.map((e) => ({ xAxis: e })),
          },
        },
        {
          name: t('mine.band.S'),
          type: 'line',
          showSymbol: false,
          itemStyle: { color: '#6b7785' },
          lineStyle: { type: 'dashed', color: '#6b7785', width: 1 },
          data: [
            [lo, S],
            [hi, S],
          ],
        },
        {
          name: t('mine.band.C'),
          type: 'line',
          showSymbol: false,
          itemStyle: { color: '#c2682b' },
          lineStyle: { type: 'dashed', color: '#c2682b', width: 1 },
          data: [
            [lo, lo],
            [hi, hi],
          ],
        },
        {
          name: t('mine.band.me'),
          type: 'scatter',
          symbolSize: 13,
          itemStyle: { color: '#b8412c', borderColor: '#fff', borderWidth: 2 },
          data: [[Number(curve.compared_cost), Number(curve.target)]],
          label: { show: true, position: 'right', formatter: t('mine.band.me'), fontWeight: 'bold' },
          z: 10,
        },
      ],
    },
    true,
  );
}

/** Horizontal bars of gain (payment − cost) for the largest gains and losses. */
export function groupBars(el, lines) {
  const sorted = [...lines].sort((a, b) => Number(a.gain) - Number(b.gain));
  const pick = sorted.length > 20 ? [...sorted.slice(0, 10), ...sorted.slice(-10)] : sorted;
  chart(el).setOption(
    {
      ...base(),
      tooltip: {
        renderMode: 'richText',
        trigger: 'axis',
        confine: true,
        formatter: (ps) => {
          const l = pick[ps[0].dataIndex];
          return `${l.group} ${l.name}\n${t('col.payment')} ${fmtMoney(l.payment)}\n${t('col.cost')} ${fmtMoney(l.cost)}\n${t('col.gain')} ${fmtMoney(l.gain)}`;
        },
      },
      grid: { left: 12, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: {
        type: 'value',
        axisLabel: { formatter: moneyAxis(Math.max(...pick.map((l) => Math.abs(Number(l.gain))))) },
      },
      yAxis: {
        type: 'category',
        data: pick.map((l) => `${l.group} ${l.name}`.slice(0, 18)),
        axisLabel: { fontSize: 11 },
      },
      series: [
        {
          type: 'bar',
          data: pick.map((l) => ({
            value: Number(l.gain),
            itemStyle: { color: Number(l.gain) < 0 ? '#b8412c' : '#2f8a5b' },
          })),
        },
      ],
    },
    true,
  );
}

/** The 年初测算 view's score distribution: how many groups fall in each score band (about 20
 *  bands of equal width over the scores; app/yearstart.js). */
export function scoreHistogram(el, groups) {
  if (!el) return;
  const scores = groups.map((g) => Number(g.score)).filter((x) => Number.isFinite(x));
  const max = Math.max(...scores, 1);
  // A round band width (1, 2 or 5 × a power of ten) giving at most 20 bands.
  const raw = max / 20;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = mag * [1, 2, 5, 10].find((m) => mag * m >= raw);
  const bins = Math.max(1, Math.ceil(max / step));
  const counts = new Array(bins).fill(0);
  for (const x of scores) counts[Math.min(bins - 1, Math.floor(x / step))] += 1;
  const label = (i) => `${fmtNum(String(i * step), 0)}–${fmtNum(String((i + 1) * step), 0)}`;
  chart(el).setOption(
    {
      ...base(),
      tooltip: {
        renderMode: 'richText',
        trigger: 'axis',
        confine: true,
        formatter: (ps) => `${t('ys.col.score')} ${label(ps[0].dataIndex)}\n${t('ys.groups')} ${ps[0].value}`,
      },
      xAxis: { type: 'category', data: counts.map((_, i) => label(i)), name: t('ys.col.score') },
      yAxis: { type: 'value', minInterval: 1, name: t('ys.groups') },
      series: [{ type: 'bar', data: counts, itemStyle: { color: COLORS[0] } }],
    },
    true,
  );
}

/**
 * A fan chart of one figure over the months: the months observed solid, the projection dashed,
 * and the interval as a band that opens from the last observed month to the year's P10–P90 in
 * December (the months between are drawn by straight lines: the engine reports the interval of
 * the year, not of each month). `values` has 12 entries (null where there is none), `k` the
 * cut-off month, `range` the year's {p10, p90}.
 */
export function fanChart(el, { values, k, range, name, unit }) {
  const months = Array.from({ length: 12 }, (_, i) => t('month', { m: i + 1 }));
  const nums = values.map((v) => (v === null || v === undefined ? null : toNumber(v)));
  const solid = nums.map((v, i) => (i < k ? v : null));
  const dashed = nums.map((v, i) => (i >= k - 1 ? v : null));
  const lo = toNumber(range.p10);
  const hi = toNumber(range.p90);
  const at = (i, end) => {
    const start = nums[k - 1] ?? end;
    return k >= 12 ? start : start + ((end - start) * (i - (k - 1))) / (12 - (k - 1));
  };
  const low = nums.map((_, i) => (i >= k - 1 ? at(i, lo) : null));
  const width = nums.map((_, i) => (i >= k - 1 ? at(i, hi) - at(i, lo) : null));
  const band = t('estimate.band');
  chart(el).setOption(
    {
      ...base(),
      tooltip: { renderMode: 'richText', trigger: 'axis', confine: true, valueFormatter: (v) => fmtNum(String(v), 4) },
      legend: { top: 0, data: [t('estimate.fan.observed'), t('estimate.fan.projected'), band] },
      xAxis: { type: 'category', data: months, boundaryGap: false },
      yAxis: { type: 'value', scale: true, name: unit },
      series: [
        { name: band, type: 'line', stack: 'fan', data: low, lineStyle: { opacity: 0 }, showSymbol: false },
        {
          name: band,
          type: 'line',
          stack: 'fan',
          data: width,
          lineStyle: { opacity: 0 },
          showSymbol: false,
          areaStyle: { color: 'rgba(31,95,153,0.18)' },
        },
        { name: t('estimate.fan.observed'), type: 'line', data: solid, symbolSize: 5, itemStyle: { color: '#1f5f99' } },
        {
          name: t('estimate.fan.projected'),
          type: 'line',
          data: dashed,
          symbolSize: 4,
          itemStyle: { color: '#1f5f99' },
          lineStyle: { type: 'dashed' },
        },
      ],
      title: { text: name, left: 'center', top: 0, textStyle: { fontSize: 12, fontWeight: 'normal' }, show: false },
    },
    true,
  );
}
