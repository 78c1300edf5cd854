// The policy editor: every field of a policy file (docs/policy.md) as a form field, grouped in
// panels, each showing where its value comes from (the policy's `refs`: mark, document, article,
// note) on hover. The form renders the state's policy and never changes it: each edit is the
// `editPolicy` action (app/state.js), which makes a new policy with the value marked `user`.
// What people type is read as they write it ('60%', '500万', '3.5亿', '1,234.5'); a value that is
// not a number is refused at its field with the field's label and what to type. Validation is the
// engine's (validate_policy / settle report errors by field path, marked at that field).
// What the form knows besides the JSON itself is presentation: labels, which values are rates
// (shown as %), the choices of each enum, and templates for values that can be switched on.

import { parseDec, parseTyped, shiftDec } from './decimal.js';
import { fill, h } from './dom.js';
import { lang, t } from './i18n.js';
import { getAt, refFor } from './policy-doc.js';
import { desc, label, optionalKeys } from './policy-labels.js';
import { actions, getState } from './state.js';

const CHOICE_LABELS = {
  zh: {
    sum: '加和',
    product: '连乘',
    warning: '提示',
    error: '报错',
    after_deductions: '扣除后金额',
    available: '可预算总额 A',
    fixed_capitation: '人头固定点值',
    literal: '按第十六条',
    fund_plus_personal: '基金+个人负担',
    fund_share_ratio: '按基金占比折算',
    fund_only: '仅基金',
    cost_ratio: '按费用倍率折算分值',
    fee_for_service: '按项目（× 比例）',
    per_diem: '按床日',
    fund_share_from_data: '按当年数据的医保支付比例折算',
    month: '当月',
    cumulative: '累计',
    points: '区域点数法',
    allotment: '定额分配',
    institution: '机构',
    alliance: '医共体',
    nothing: '不予分担（悬崖）',
    capped: '按档封顶',
    cost: '解读 (a) 按费用返还',
    settlement: '解读 (b) 从 S 返还',
    by_score: '按考核得分',
    full: '全额',
    withheld: '不返还',
    bands: '按考核分档',
    exclude: '暂不拨付',
    lowest_weight: '按最低权重',
    none: '无',
    rate: '按比例',
    new_funds_capped: '新增筹资比例（封顶）',
    months_of_spending: '保留月数',
    direct: '直接给定 A',
    min: 'min(P, F)',
    packable: '可用打包额 P',
    fixed: '直接给定',
    share: '按比例',
    amount: '按金额',
    year_start: '年初（各期均含）',
    from_month: '年中（自某月起）',
    year_end: '年终（仅年终清算）',
    fund_profile: '按基金月度分配',
    region: '全区按比例',
    discharges: '出院结算人次',
    visits_per_person: '人次人头比',
    mean_days: '次均住院天数',
    mean_cost: '次均住院费用',
    bed_day_cost: '床日费用',
  },
  en: {
    sum: 'sum',
    product: 'product',
    warning: 'warning',
    error: 'error',
    after_deductions: 'after deductions',
    available: 'available A',
    fixed_capitation: 'fixed capitation',
    literal: 'literal (第十六条)',
    fund_plus_personal: 'fund + personal',
    fund_share_ratio: 'fund share ratio',
    cost_ratio: 'score × cost ratio',
    fee_for_service: 'by item (× ratio)',
    per_diem: 'per diem',
    fund_only: 'fund only',
    fund_share_from_data: "fund share from the year's data",
    month: 'month',
    cumulative: 'cumulative',
    points: 'points',
    allotment: 'allotment',
    institution: 'institution',
    alliance: '医共体 (alliance)',
    nothing: 'nothing (the cliff)',
    capped: 'capped',
    cost: 'reading (a): from cost',
    settlement: 'reading (b): from S',
    by_score: 'by score',
    full: 'full',
    withheld: 'withheld',
    bands: 'by score band',
    exclude: 'exclude',
    lowest_weight: 'lowest weight',
    none: 'none',
    rate: 'rate',
    new_funds_capped: 'new funds, capped',
    months_of_spending: 'months of spending',
    direct: 'A given',
    min: 'min(P, F)',
    packable: 'packable P',
    fixed: 'fixed',
    share: 'share',
    amount: 'amount',
    year_start: 'year start (every period)',
    from_month: 'mid-year (from a month)',
    year_end: 'year end (year-end settlement only)',
    fund_profile: "the fund's monthly profile",
    region: 'region-wide share',
    discharges: 'discharges (出院结算人次)',
    visits_per_person: 'visits per person (人次人头比)',
    mean_days: 'mean stay (次均住院天数)',
    mean_cost: 'mean cost (次均住院费用)',
    bed_day_cost: 'bed-day cost (床日费用)',
  },
};

const UNITS = ['元', '万元', '亿元'];
const UNIT_KEYS = { 元: 'unit.yuan', 万元: 'unit.wan', 亿元: 'unit.yi' };

const choiceLabel = (v) => CHOICE_LABELS[lang()][v] ?? v;
const clone = (v) => structuredClone(v);

/** A note written in English (a word of five letters or more). */
export const englishNote = (note) => /[A-Za-z]{5,}/.test(note ?? '');

/** Where a value comes from, in the page's language (a page edit: what it was). */
function provenance(policy, path) {
  const ref = refFor(policy, path);
  if (!ref) return { mark: null, text: '' };
  const src = policy.sources?.find((s) => s.id === ref.source);
  const parts = [`[${t(`mark.${ref.mark}`)}]`, src ? src.title : ref.source, ref.article].filter(Boolean);
  // The presets' notes are written in English (quoting the documents): the Chinese page shows the
  // citation only. A page edit's note is written in the language it was made in.
  const note = ref.note && (lang() === 'en' || ref.mark === 'user' || !englishNote(ref.note)) ? `\n${ref.note}` : '';
  return { mark: ref.mark, text: parts.join(' ') + note };
}

const isDecimalText = (s) => parseDec(s) !== null;

/** What to type in a field, for a value that was refused. */
export function typingHint(kind) {
  return t(kind === 'pct' ? 'input.hint.pct' : kind === 'amount' ? 'input.hint.amount' : 'input.hint.plain');
}

export class PolicyForm {
  /** `root` is the element the panels go in. */
  constructor(root) {
    this.root = root;
    this.policy = null;
  }

  /** An error row with its field's label in place of the field path (for the error table). */
  labelled = (row) => (row.path ? { ...row, path: fieldName(row.path) } : row);

  /** After the policy changed: drawn again, unless the user is typing in it (then its marks only). */
  update(s) {
    if (!s.policy) return;
    if (s.policy !== this.policy && this.root.contains(document.activeElement) && this.policy) {
      this.policy = s.policy;
      this.refreshMarks();
    } else if (s.policy !== this.policy) {
      this.render(s);
    }
  }

  render(s = getState()) {
    const p = s.policy;
    this.policy = p;
    this.fund = s.policyFund;
    if (!p) return;
    const scroll = window.scrollY;
    const panels = [
      this.panel('meta', `${p.name} · ${p.title}`, [this.field('name'), this.field('year')]),
      this.fundsPanel(),
      this.panel('coefficients', label('coefficients'), this.children('coefficients')),
      this.panel('points', label('points'), this.children('points')),
      this.panel('point_value', label('point_value'), this.children('point_value')),
      this.panel('settlement', label('settlement'), this.children('settlement')),
    ];
    fill(this.root, panels);
    window.scrollTo(0, scroll);
  }

  /** A structural edit (a list item, a kind, a value switched on or off): drawn again at once. */
  edit(path, value, { rerender = false } = {}) {
    actions.editPolicy(path, value);
    if (rerender) this.render();
  }

  /** Each label's provenance mark brought up to date (an edited value shows `user`). */
  refreshMarks() {
    for (const el of this.root.querySelectorAll('.flabel[data-for]')) {
      const fresh = this.labelEl(el.dataset.for);
      if (fresh.title !== el.title || fresh.textContent !== el.textContent) el.replaceWith(fresh);
    }
  }

  panel(key, title, body) {
    return h(
      'section',
      { class: 'panel', dataset: { panel: key } },
      h('h3', null, title),
      h('div', { class: 'panel-body' }, body),
    );
  }

  fundsPanel() {
    const tabs = ['employee', 'resident'].map((f) =>
      h(
        'button',
        {
          type: 'button',
          class: f === this.fund ? 'seg on' : 'seg',
          onclick: () => actions.setPolicyFund(f),
        },
        t(`fund.${f}.long`),
      ),
    );
    const path = `funds.${this.fund}`;
    const value = this.policy.funds[this.fund];
    let body;
    if (value === null) {
      body = h(
        'p',
        { class: 'muted' },
        t('policy.notset'),
        ' ',
        h(
          'button',
          {
            type: 'button',
            onclick: () => {
              actions.toggleFund(this.fund, true);
              this.render();
            },
          },
          t('policy.enable'),
        ),
      );
    } else {
      body = [
        h(
          'div',
          { class: 'fund-toggle' },
          h(
            'label',
            null,
            h('input', {
              type: 'checkbox',
              checked: true,
              dataset: { path },
              onchange: () => {
                actions.toggleFund(this.fund, false);
                this.render();
              },
            }),
            ' ',
            t('policy.enable'),
          ),
        ),
        this.children(path),
      ];
    }
    return this.panel('funds', label('funds'), [h('div', { class: 'segs' }, tabs), body]);
  }

  children(path) {
    const obj = getAt(this.policy, path);
    const absent = optionalKeys(path).filter((k) => !(k in obj));
    return [...Object.keys(obj), ...absent].filter((k) => k !== 'kind').map((k) => this.field(`${path}.${k}`));
  }

  labelEl(path) {
    const prov = provenance(this.policy, path.replace(/\.(value|unit)$/, ''));
    return h(
      'span',
      { class: 'flabel', title: prov.text || null, dataset: { for: path } },
      label(path),
      prov.mark ? h('span', { class: `mark mark-${prov.mark}` }, t(`mark.${prov.mark}`)) : null,
    );
  }

  field(path) {
    const value = getAt(this.policy, path);
    const d = desc(path);
    if (value === null || value === undefined) {
      return h(
        'div',
        { class: 'field', dataset: { path } },
        this.labelEl(path),
        h('span', { class: 'muted' }, t('policy.notset')),
        d.tmpl !== undefined
          ? h(
              'button',
              { type: 'button', class: 'small', onclick: () => this.edit(path, clone(d.tmpl), { rerender: true }) },
              t('policy.enable'),
            )
          : null,
      );
    }
    const nullable = d.tmpl !== undefined;
    const off = nullable
      ? h(
          'button',
          {
            type: 'button',
            class: 'small ghost unset',
            title: t('policy.unset.title'),
            onclick: () => this.edit(path, d.optional ? undefined : null, { rerender: true }),
          },
          t('policy.unset'),
        )
      : null;
    if (Array.isArray(value)) return this.list(path, value, off);
    if (typeof value === 'object') {
      if ('value' in value && 'unit' in value)
        return h('div', { class: 'field', dataset: { path } }, this.labelEl(path), this.amountInput(path, value), off);
      if (path === 'coefficients.overrides') return this.overrides(path, value);
      return this.group(path, value, off);
    }
    return h('div', { class: 'field', dataset: { path } }, this.labelEl(path), this.input(path, value), off);
  }

  /** The per-institution coefficient overrides: one row per code, each removable. */
  overrides(path, value) {
    const rows = Object.keys(value).map((code) =>
      h(
        'div',
        { class: 'list-row', dataset: { path: `${path}.${code}` } },
        h(
          'div',
          { class: 'field', dataset: { path: `${path}.${code}` } },
          this.labelEl(`${path}.${code}`),
          this.input(`${path}.${code}`, value[code]),
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'small ghost',
            title: t('policy.remove'),
            onclick: () => this.edit(`${path}.${code}`, undefined, { rerender: true }),
          },
          '×',
        ),
      ),
    );
    return h(
      'fieldset',
      { class: 'group list', dataset: { path } },
      h('legend', null, this.labelEl(path)),
      rows.length ? rows : h('p', { class: 'muted' }, t('policy.overrides.none')),
    );
  }

  group(path, value, off) {
    const d = desc(path);
    const body = [];
    if (d.kinds && 'kind' in value) {
      body.push(
        h(
          'div',
          { class: 'field', dataset: { path: `${path}.kind` } },
          h('span', { class: 'flabel' }, t('policy.kind')),
          h(
            'select',
            {
              dataset: { path: `${path}.kind` },
              onchange: (e) =>
                this.edit(path, { kind: e.target.value, ...clone(d.kinds[e.target.value]) }, { rerender: true }),
            },
            Object.keys(d.kinds).map((k) => h('option', { value: k, selected: k === value.kind }, choiceLabel(k))),
          ),
        ),
      );
    }
    body.push(this.children(path));
    return h('fieldset', { class: 'group', dataset: { path } }, h('legend', null, this.labelEl(path), off), body);
  }

  list(path, items, off) {
    const d = desc(path);
    const rows = items.map((item, i) => {
      const ip = `${path}.${i}`;
      const remove = h(
        'button',
        {
          type: 'button',
          class: 'small ghost',
          title: t('policy.remove'),
          onclick: () => {
            const copy = items.slice();
            copy.splice(i, 1);
            this.edit(path, copy, { rerender: true });
          },
        },
        '×',
      );
      if (item !== null && typeof item === 'object') {
        // A key the item template has and this item leaves out (an adjustment's `effective`) shows as not set.
        const keys = [...new Set([...Object.keys(item), ...Object.keys(d.item ?? {})])];
        return h(
          'div',
          { class: 'list-row', dataset: { path: ip } },
          keys.map((k) => this.field(`${ip}.${k}`)),
          remove,
        );
      }
      return h(
        'div',
        { class: 'list-row inline', dataset: { path: ip } },
        h('span', { class: 'idx' }, `${i + 1}`),
        this.input(ip, item),
        remove,
      );
    });
    const add =
      d.item !== undefined || items.length
        ? h(
            'button',
            {
              type: 'button',
              class: 'small',
              onclick: () => this.edit(path, [...items, clone(d.item ?? items[items.length - 1])], { rerender: true }),
            },
            `+ ${t('policy.add')}`,
          )
        : null;
    return h(
      'fieldset',
      { class: 'group list', dataset: { path } },
      h('legend', null, this.labelEl(path), off),
      rows,
      add,
    );
  }

  amountInput(path, value) {
    const unit = h(
      'select',
      {
        dataset: { path: `${path}.unit` },
        onchange: (e) => this.edit(`${path}.unit`, e.target.value),
      },
      UNITS.map((u) => h('option', { value: u, selected: u === value.unit }, t(UNIT_KEYS[u]))),
    );
    return h('span', { class: 'amount' }, this.input(`${path}.value`, value.value, { amount: path, unit }), unit);
  }

  input(path, value, { amount, unit } = {}) {
    const d = desc(path);
    if (typeof value === 'boolean') {
      return h('input', {
        type: 'checkbox',
        checked: value,
        dataset: { path },
        onchange: (e) => this.edit(path, e.target.checked),
      });
    }
    if (typeof value === 'number') {
      return h('input', {
        type: 'number',
        step: 1,
        value: String(value),
        class: 'num',
        dataset: { path },
        onchange: (e) => {
          const n = Number(e.target.value);
          this.edit(path, Number.isInteger(n) ? n : e.target.value);
        },
      });
    }
    if (d.choices) {
      return h(
        'select',
        { dataset: { path }, onchange: (e) => this.edit(path, e.target.value) },
        d.choices.map((c) => h('option', { value: c, selected: c === value }, choiceLabel(c))),
      );
    }
    const pct = d.pct && isDecimalText(value);
    const numeric = isDecimalText(value);
    const kind = pct ? 'pct' : amount ? 'amount' : 'plain';
    const input = h('input', {
      type: 'text',
      inputmode: numeric ? 'decimal' : null,
      class: numeric ? 'num' : 'text',
      value: pct ? shiftDec(value, 2) : value,
      spellcheck: false,
      dataset: { path },
      'aria-label': label(amount ?? path),
      oninput: (e) => {
        if (!numeric) return this.edit(path, e.target.value);
        const typed = parseTyped(e.target.value, kind);
        this.refuse(input, typed ? null : kind, amount ?? path);
        if (!typed) return;
        // '500万' in an amount's value: the unit goes with it.
        if (typed.unit && unit) {
          unit.value = typed.unit;
          return this.edit(amount, { value: typed.value, unit: typed.unit });
        }
        return this.edit(path, typed.value);
      },
    });
    return pct ? h('span', { class: 'pct' }, input, '%') : input;
  }

  /** Marks a field whose text is not a number (kind: what was expected), or clears the mark. */
  refuse(input, kind, path) {
    const holder = input.closest('.field') ?? input.parentNode;
    holder.querySelector('.field-msg.typed')?.remove();
    if (kind) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    holder.classList.toggle('invalid', !!kind);
    if (kind)
      holder.appendChild(
        h(
          'span',
          { class: 'field-msg typed', role: 'alert' },
          t('input.bad', { label: label(path), hint: typingHint(kind) }),
        ),
      );
  }

  /** Says next to a field why editing it moved nothing (`why`: {path, text} or null). */
  explain(why) {
    for (const el of this.root.querySelectorAll('.field-msg.why')) el.remove();
    const input = why && this.root.querySelector(`[data-path="${CSS.escape(why.path)}"]`);
    if (input)
      (input.closest('.field, fieldset') ?? input).appendChild(
        h('span', { class: 'field-msg why', role: 'status' }, why.text),
      );
  }

  /** The input (or block) of a path, or of its nearest ancestor shown in the form. */
  fieldAt(path) {
    const find = (q) =>
      this.root.querySelector(`input[data-path="${q}"], select[data-path="${q}"]`) ??
      this.root.querySelector(`[data-path="${q}"]`);
    for (let p = path; p; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
      const el = find(CSS.escape(p));
      if (el) return el;
    }
    return null;
  }

  /** Marks fields named by engine issues (`{path, severity, message_zh, message_en}`) with their label. */
  mark(issues) {
    for (const el of this.root.querySelectorAll('.invalid, .warned'))
      if (!el.querySelector('.field-msg.typed')) el.classList.remove('invalid', 'warned');
    for (const el of this.root.querySelectorAll('.field-msg:not(.typed):not(.why)')) el.remove();
    for (const issue of issues) {
      if (!issue.path) continue;
      const el = this.fieldAt(issue.path);
      if (!el) continue;
      const holder = el.closest('.field, fieldset, .list-row') ?? el;
      holder.classList.add(issue.severity === 'warning' ? 'warned' : 'invalid');
      if (el.matches('input, select')) el.setAttribute('aria-invalid', issue.severity === 'warning' ? 'false' : 'true');
      const text = (lang() === 'en' ? issue.message_en : issue.message_zh)
        .replace(`${issue.path}: `, '')
        .replace(issue.path, fieldName(issue.path));
      holder.appendChild(h('span', { class: 'field-msg', role: 'alert' }, `${fieldName(issue.path)}：${text}`));
    }
  }
}

/** A field's label with its panel's fund ('职工医保 · 提取比例'), for messages. */
export function fieldName(path) {
  const fund = /^funds\.(employee|resident)\./.exec(path);
  return fund ? `${t(`fund.${fund[1]}.long`)} · ${label(path)}` : label(path);
}
