// The hospital's desk: the 本院 panel that stays in view while she edits (her points, S, T, fund
// payment, year-end net and band, each against the baseline, and the cliff in yuan), and the
// 常用参数 card with the few parameters hospitals argue about (追加预算, her own coefficient, the
// risk-sharing bands, the growth rate, the near-edge distance), typed in 万元 or %. Both read the
// state and change the policy only through the `editPolicy` action. SPEC §7.1 (bands), §4
// (coefficients), §6 (budget B = min(P, F)).

import {
  addDec,
  cmpDec,
  fmtMoney,
  fmtPct,
  fmtPoints,
  mulDec,
  parseTyped,
  roundDec,
  shiftDec,
  subDec,
  trimDec,
} from './decimal.js';
import { fill, h } from './dom.js';
import { t } from './i18n.js';
import { getAt, refFor } from './policy-doc.js';
import { typingHint } from './policy-form.js';
import { getState } from './state.js';

/** The fund shown and the unit in focus, or nulls. */
export function focusUnit(s) {
  const fund = s.result?.settlement.funds.find((f) => f.fund === s.fund) ?? s.result?.settlement.funds[0];
  const unit = fund?.units.find((u) => u.code === s.focus) ?? fund?.units[0] ?? null;
  return { fund, unit };
}

/** A unit's risk-sharing band in words. */
export function bandText(band) {
  if (!band) return '—';
  if (typeof band === 'string') return t(`band.${band}`);
  const [k, v] = Object.entries(band)[0];
  return t(`band.${k}`, { n: (v?.band ?? 0) + 1 });
}

// ---- the 本院 panel --------------------------------------------------------------------------

function delta(now, before, fmt) {
  if (before === undefined || before === null || now === null || now === undefined) return null;
  const d = subDec(now, before);
  const sign = cmpDec(d, '0');
  if (sign === 0) return h('span', { class: 'delta zero' }, t('panel.same'));
  return h('span', { class: sign > 0 ? 'delta up' : 'delta down' }, `${sign > 0 ? '+' : ''}${fmt(d)}`);
}

function figure(label, value, d, attrs) {
  return h(
    'div',
    { class: 'pfig', ...attrs },
    h('span', { class: 'pfig-label' }, label),
    h('span', { class: 'pfig-value' }, value),
    d,
  );
}

export function renderPanel(el, s, on) {
  const { fund, unit: u } = focusUnit(s);
  if (!u) return fill(el);
  const b = s.result.baselineUnit ?? null;
  const net = u.net_to_pay;
  const recover = net.startsWith('-');
  const picker = h(
    'select',
    { id: 'panel-pick', 'aria-label': t('mine.pick'), onchange: (e) => on.setFocus(e.target.value) },
    fund.units.map((x) => h('option', { value: x.code, selected: x.code === u.code }, `${x.code} ${x.name}`)),
  );
  const bandChanged = b && JSON.stringify(b.band) !== JSON.stringify(u.band);
  fill(
    el,
    h(
      'div',
      { class: 'panel-head' },
      h('strong', null, t('panel.title')),
      picker,
      h('span', { class: 'muted' }, `${u.level} · ${t(`fund.${fund.fund}.long`)}`),
    ),
    h(
      'div',
      { class: 'pfigs' },
      figure(t('mine.points'), fmtPoints(u.points.total), delta(u.points.total, b?.points.total, fmtPoints)),
      figure(t('col.S'), fmtMoney(u.settlement), delta(u.settlement, b?.settlement, fmtMoney), {
        dataset: { fig: 'S' },
      }),
      figure(t('col.T'), fmtMoney(u.target), delta(u.target, b?.target, fmtMoney)),
      figure(t('mine.fundpays'), fmtMoney(u.fund_pays), delta(u.fund_pays, b?.fund_pays, fmtMoney)),
      // What the months and Q1–Q3 paid: a 年终 adjustment leaves it as it was (SPEC §7.2).
      figure(t('panel.prepaid'), fmtMoney(u.prepaid), delta(u.prepaid, b?.prepaid, fmtMoney), {
        id: 'panel-prepaid',
        dataset: { value: u.prepaid },
      }),
      figure(
        recover ? t('mine.net.recover') : t('mine.net.pay'),
        fmtMoney(recover ? net.slice(1) : net),
        delta(net, b?.net_to_pay, fmtMoney),
        { id: 'panel-net', class: recover ? 'pfig net recover' : 'pfig net pay', dataset: { value: net } },
      ),
      figure(
        t('col.band'),
        bandText(u.band),
        bandChanged ? h('span', { class: 'delta' }, t('panel.was', { v: bandText(b.band) })) : null,
      ),
    ),
    cliffLine(s, u),
  );
}

/** The band edges on one side of S as {up_to, cost}: cost = S × (1 ± up_to), to the fen. */
function edgesOf(rs, u, over) {
  const side = over ? rs.overspend : rs.surplus;
  return side.bands.map((band) => ({
    upTo: band.up_to,
    cost: roundDec(mulDec(u.settlement, over ? addDec('1', band.up_to) : subDec('1', band.up_to)), 2),
  }));
}

/** T at a cost on the engine's curve (which has both sides of each edge), or null. */
const targetAt = (curve, cost) => curve?.points.find((p) => cmpDec(p.cost, cost) === 0)?.target ?? null;

/**
 * One sentence with figures: 超支 8.42%，距 10% 边界还差 ¥X 的费用；越过将少得 ¥Y — from the
 * engine's risk-sharing curve around her S (SPEC §7.1); marked when within the policy's near-edge
 * distance (settlement.risk_sharing.near_edge).
 */
export function cliffSentence(s, u) {
  const rs = s.policy?.settlement?.risk_sharing;
  const curve = s.result?.curve;
  if (!rs?.enabled || !u.gap_ratio || !curve || cmpDec(curve.settlement, u.settlement) !== 0) return null;
  const over = cmpDec(u.compared_cost, u.settlement) >= 0;
  const gap = fmtPct(over ? u.gap_ratio : subDec('0', u.gap_ratio));
  const head = t(over ? 'cliff.over' : 'cliff.under', { gap });
  const edges = edgesOf(rs, u, over);
  // The first edge not yet crossed, going away from S; else the last one, already crossed.
  const ahead = edges.find((e) => (over ? cmpDec(e.cost, u.compared_cost) >= 0 : cmpDec(e.cost, u.compared_cost) <= 0));
  // The curve holds T a fen either side of each edge: the edge itself is rounded to the fen, so
  // the fen towards S is the last one inside the band and the fen away from S the first beyond.
  const away = (cost) => (over ? addDec(cost, '0.01') : subDec(cost, '0.01'));
  const toward = (cost) => (over ? subDec(cost, '0.01') : addDec(cost, '0.01'));
  const abs = (x) => (x.startsWith('-') ? x.slice(1) : x);
  const near = (e) => cmpDec(abs(subDec(e.upTo, abs(u.gap_ratio))), rs.near_edge) <= 0;
  if (ahead) {
    const room = over ? subDec(ahead.cost, u.compared_cost) : subDec(u.compared_cost, ahead.cost);
    const before = targetAt(curve, toward(ahead.cost));
    const after = targetAt(curve, away(ahead.cost));
    const loss = before && after ? subDec(before, after) : null;
    const tail =
      loss === null || cmpDec(loss, '0') === 0
        ? t('cliff.nojump')
        : cmpDec(loss, '0') > 0
          ? t('cliff.lose', { y: fmtMoney(loss) })
          : t('cliff.gain', { y: fmtMoney(subDec('0', loss)) });
    return {
      text: `${head}${t('cliff.room', { edge: fmtPct(ahead.upTo, 0), x: fmtMoney(room) })}${tail}`,
      near: near(ahead),
    };
  }
  const last = edges[edges.length - 1];
  if (!last) return null;
  const past = over ? subDec(u.compared_cost, last.cost) : subDec(last.cost, u.compared_cost);
  const inside = targetAt(curve, toward(last.cost));
  const back = inside ? subDec(inside, u.target) : null;
  const tail = back && cmpDec(back, '0') > 0 ? t('cliff.back', { y: fmtMoney(back) }) : '';
  return { text: `${head}${t('cliff.past', { edge: fmtPct(last.upTo, 0), x: fmtMoney(past) })}${tail}`, near: false };
}

function cliffLine(s, u) {
  const c = cliffSentence(s, u);
  return c ? h('p', { id: 'cliff', class: c.near ? 'cliff near' : 'cliff' }, c.text) : null;
}

// ---- why nothing moved -----------------------------------------------------------------------

/**
 * When the last edited value does not reach the budget: B = min(P, F) picks the other side, or B
 * is a set amount (SPEC §6). Returns {path, text} or null.
 */
export function whyNothingMoved(s) {
  const path = s.lastEdit?.path;
  const m = /^funds\.(employee|resident)\.(raised|reserve|deductions|quality_reserve|forecast)(\.|$)/.exec(path ?? '');
  if (!m || !s.result || s.error) return null;
  const fund = s.result.settlement.funds.find((f) => f.fund === m[1]);
  const rule = s.policy.funds[m[1]]?.rule?.kind;
  if (!fund) return null;
  const step = (key) => fund.budget.steps.find((x) => x.key === key)?.amount;
  const p = step('packable');
  const f = step('forecast');
  const forecastSide = m[2] === 'forecast';
  if (rule === 'fixed') return { path, text: t('why.fixed') };
  if (rule === 'packable' && forecastSide) return { path, text: t('why.packable.rule') };
  if (rule !== 'min' || !p || !f) return null;
  if (!forecastSide && cmpDec(f, p) < 0) return { path, text: t('why.forecast', { f: fmtMoney(f), p: fmtMoney(p) }) };
  if (forecastSide && cmpDec(p, f) < 0) return { path, text: t('why.packable', { f: fmtMoney(f), p: fmtMoney(p) }) };
  return null;
}

// ---- the 常用参数 card -----------------------------------------------------------------------

const ADJUSTMENT = '追加预算';

/** An adjustment's `effective` as one choice: 'year_start', 'year_end' or 'from_month:7'. */
const effectiveKey = (e) => (!e ? 'year_start' : e.kind === 'from_month' ? `from_month:${e.month}` : e.kind);
/** The choice back as the policy's `effective` (none for year_start, the policy's default). */
function effectiveValue(key) {
  if (key === 'year_start') return null;
  const [kind, month] = key.split(':');
  return month ? { kind, month: Number(month) } : { kind };
}
const EFFECTIVE_CHOICES = ['year_end', ...Array.from({ length: 11 }, (_, i) => `from_month:${12 - i}`), 'year_start'];
const effectiveText = (key) =>
  key.startsWith('from_month:') ? t('lever.effective.from', { m: key.split(':')[1] }) : t(`lever.effective.${key}`);
const UNIT_KEYS = { 元: 'unit.yuan', 万元: 'unit.wan', 亿元: 'unit.yi' };

/** The levers of the card: [{path, label, kind, value, unit?, step?, write(typed) → [path, value]}]. */
function levers(s, u) {
  const fund = s.fund;
  const fp = s.policy.funds[fund];
  const out = [];
  if (fp) {
    const items = fp.adjustments ?? [];
    const at = items.findIndex((a) => a.label === ADJUSTMENT);
    const amount = at >= 0 ? items[at].amount : null;
    // When it takes effect (SPEC §7.2): a new 追加 is 年终 — in October the months are paid.
    const effective = at >= 0 ? effectiveKey(items[at].effective) : 'year_end';
    out.push({
      key: 'adjustment',
      path: `funds.${fund}.adjustments${at >= 0 ? `.${at}` : ''}`,
      label: t('lever.adjustment'),
      kind: 'amount',
      value: amount ? amount.value : '0',
      unit: amount?.unit ?? '万元',
      effective,
      step: '100',
      write: (typed, unit, when = effective) => {
        const next = { label: ADJUSTMENT, amount: { value: typed.value, unit: typed.unit ?? unit } };
        const e = effectiveValue(when);
        if (e) next.effective = e;
        // The policy as it is now: the card is not drawn again while she types in it, and the
        // first edit may have added the item.
        const items = getState().policy.funds[fund]?.adjustments ?? [];
        const at = items.findIndex((a) => a.label === ADJUSTMENT);
        if (at >= 0)
          return cmpDec(typed.value, '0') === 0
            ? [`funds.${fund}.adjustments`, items.filter((_, i) => i !== at)]
            : [`funds.${fund}.adjustments.${at}`, next];
        return [`funds.${fund}.adjustments`, [...items, next]];
      },
    });
  }
  if (u) {
    const own = s.policy.coefficients.overrides?.[u.code];
    out.push({
      key: 'coefficient',
      path: `coefficients.overrides.${u.code}`,
      label: t('lever.coefficient', { code: u.code }),
      kind: 'plain',
      value: own ?? '',
      step: '0.01',
      placeholder: u.coefficient ?? '',
      write: (typed) => [`coefficients.overrides.${u.code}`, typed.value === '' ? undefined : typed.value],
    });
  }
  const rs = s.policy.settlement.risk_sharing;
  for (const side of ['overspend', 'surplus']) {
    rs[side].bands.forEach((band, i) => {
      for (const field of ['up_to', 'share']) {
        const path = `settlement.risk_sharing.${side}.bands.${i}.${field}`;
        out.push({
          key: path,
          path,
          label: t(`lever.${side}.${field}`, { n: i + 1 }),
          kind: 'pct',
          value: band[field],
          step: '1',
          write: (typed) => [path, typed.value],
        });
      }
    });
  }
  if (fp?.forecast) {
    const path = `funds.${fund}.forecast.proposed_growth`;
    out.push({
      key: path,
      path,
      label: t('lever.growth'),
      kind: 'pct',
      value: fp.forecast.proposed_growth,
      step: '1',
      write: (typed) => [path, typed.value],
    });
  }
  const near = 'settlement.risk_sharing.near_edge';
  out.push({
    key: near,
    path: near,
    label: t('lever.near'),
    kind: 'pct',
    value: rs.near_edge,
    step: '0.5',
    write: (typed) => [near, typed.value],
  });
  return out;
}

function shownValue(l) {
  return l.kind === 'pct' ? trimDec(shiftDec(l.value, 2)) : l.value;
}

/** ±step on what is typed (in % for rates, in the unit shown for amounts). */
function stepped(text, l, sign) {
  // An empty field steps from what it shows greyed (her coefficient as it is now).
  const typed = parseTyped(
    text.trim() === '' ? (l.placeholder ?? '') : text.replace('%', ''),
    l.kind === 'pct' ? 'plain' : l.kind,
  );
  const base = typed ? typed.value : '0';
  return trimDec(sign > 0 ? addDec(base, l.step) : subDec(base, l.step));
}

function leverRow(s, l, on) {
  const unit =
    l.kind === 'amount'
      ? h(
          'select',
          { 'aria-label': t('unit'), dataset: { unitFor: l.key } },
          ['元', '万元', '亿元'].map((x) => h('option', { value: x, selected: x === l.unit }, t(UNIT_KEYS[x]))),
        )
      : null;
  const when = l.effective
    ? h(
        'select',
        { class: 'effective', 'aria-label': t('lever.effective'), dataset: { effectiveFor: l.key } },
        EFFECTIVE_CHOICES.map((x) => h('option', { value: x, selected: x === l.effective }, effectiveText(x))),
      )
    : null;
  const msgEl = h('span', { class: 'lever-msg', role: 'status', dataset: { why: l.path } });
  const apply = (text) => {
    const typed = l.key === 'coefficient' && text.trim() === '' ? { value: '' } : parseTyped(text, l.kind);
    input.setAttribute('aria-invalid', typed ? 'false' : 'true');
    msgEl.textContent = typed ? '' : t('input.bad', { label: l.label, hint: typingHint(l.kind) });
    msgEl.classList.toggle('bad', !typed);
    if (!typed) return;
    if (typed.unit && unit) unit.value = typed.unit;
    const [path, value] = l.write(typed, unit?.value, when?.value);
    on.editPolicy(path, value);
  };
  const input = h('input', {
    type: 'text',
    inputmode: 'decimal',
    class: 'num',
    value: shownValue(l),
    placeholder: l.placeholder ?? null,
    spellcheck: false,
    'aria-label': l.label,
    dataset: { lever: l.key },
    oninput: (e) => apply(e.target.value),
  });
  if (unit) unit.onchange = () => apply(input.value);
  if (when) when.onchange = () => apply(input.value);
  const step = (sign) =>
    h(
      'button',
      {
        type: 'button',
        class: 'step',
        'aria-label': `${l.label} ${sign > 0 ? '+' : '−'}${l.step}`,
        onclick: () => {
          input.value = stepped(input.value, l, sign);
          apply(input.value);
        },
      },
      sign > 0 ? '+' : '−',
    );
  const ref = refFor(s.policy, l.path.replace(/\.(value|unit)$/, ''));
  const userMark =
    ref?.mark === 'user' && getAt(s.policy, l.path) !== undefined
      ? h('span', { class: 'mark mark-user' }, t('mark.user'))
      : null;
  return h(
    'div',
    { class: 'lever', dataset: { leverRow: l.key } },
    h('label', { class: 'lever-label' }, l.label, userMark),
    h(
      'span',
      { class: 'lever-input' },
      step(-1),
      input,
      l.kind === 'pct' ? h('span', { class: 'unit' }, '%') : unit,
      step(1),
    ),
    when,
    msgEl,
  );
}

/** The card; kept as it is while the user types in it (only its messages are brought up to date). */
export function renderLevers(el, s, on) {
  if (!s.policy) return fill(el);
  const why = whyNothingMoved(s);
  if (el.contains(document.activeElement) && el.childElementCount) {
    for (const m of el.querySelectorAll('.lever-msg:not(.bad)'))
      m.textContent = why && m.dataset.why === why.path ? why.text : '';
    return;
  }
  const { unit } = focusUnit(s);
  const rows = levers(s, unit).map((l) => leverRow(s, l, on));
  fill(
    el,
    h(
      'div',
      { class: 'card-head' },
      h('h3', null, t('lever.title', { fund: t(`fund.${s.fund}.long`) })),
      h('span', { class: 'note' }, t('lever.note')),
    ),
    h('div', { class: 'levers' }, rows),
  );
  if (why) for (const m of el.querySelectorAll('.lever-msg')) if (m.dataset.why === why.path) m.textContent = why.text;
}
