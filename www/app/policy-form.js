// The policy editor: every field of a policy file (docs/policy.md) as a form field, grouped in
// panels, each showing where its value comes from (the policy's `refs`: mark, document, article,
// note) on hover. The form edits a plain copy of the policy JSON; validation is the engine's
// (validate_policy / settle report errors by field path, and the field at that path is marked).
// What the form knows besides the JSON itself is presentation: labels, which values are rates
// (shown as %), the choices of each enum, and templates for values that can be switched on.

import { h, fill, parseDec, shiftDec } from './dom.js';
import { t, lang } from './i18n.js';

const amount = (value = '0', unit = '万元') => ({ value, unit });
const RETURN = ['by_score', 'full', 'withheld'];

// path pattern ('*' = a list index, '$f' = employee/resident) → label and presentation.
const D = {
  name: { zh: '名称', en: 'Name' },
  year: { zh: '结算年度', en: 'Settlement year' },
  funds: { zh: '分险种预算', en: 'Budgets by fund' },
  'funds.$f': { zh: '基金预算', en: 'Fund budget', tmplFrom: 'other-fund' },
  'funds.$f.raised': { zh: '当年基金筹集总额', en: 'Fund raised this year', tmpl: amount('0', '亿元') },
  'funds.$f.reserve': { zh: '风险金（储备金）', en: 'Risk reserve', kinds: {
    none: {}, rate: { rate: '0.05' },
    new_funds_capped: { rate: '0.10', new_funds: amount(), accumulated: amount(), cap_rate: '0.10' },
    months_of_spending: { months: '9', monthly_spending: amount(), balance: amount() },
    direct: { available: amount('0', '亿元') },
  } },
  'funds.$f.reserve.rate': { zh: '提取比例', en: 'Rate', pct: true },
  'funds.$f.reserve.new_funds': { zh: '当年度新增筹资', en: 'New funds this year' },
  'funds.$f.reserve.accumulated': { zh: '累计风险金', en: 'Accumulated reserve' },
  'funds.$f.reserve.cap_rate': { zh: '累计上限（占筹资）', en: 'Cap (share of raised)', pct: true },
  'funds.$f.reserve.months': { zh: '支付月数', en: 'Months of spending' },
  'funds.$f.reserve.monthly_spending': { zh: '月均支出', en: 'Monthly spending' },
  'funds.$f.reserve.balance': { zh: '累计结余', en: 'Accumulated balance' },
  'funds.$f.reserve.available': { zh: '可预算总额 A', en: 'Available A' },
  'funds.$f.deductions': { zh: '扣除项目', en: 'Deductions', item: { label: '', amount: amount() } },
  'funds.$f.quality_reserve': { zh: '质量保证金', en: 'Quality reserve' },
  'funds.$f.quality_reserve.rate': { zh: '比例', en: 'Rate', pct: true },
  'funds.$f.quality_reserve.base': { zh: '基数', en: 'Base', choices: ['after_deductions', 'available'] },
  'funds.$f.forecast': { zh: 'DIP 基金支出预测', en: 'Spending forecast F', tmpl: {
    history: [{ year: 2022, amount: amount('0', '亿元'), weight: '0.4' }, { year: 2023, amount: amount('0', '亿元'), weight: '0.6' }],
    proposed_growth: '0.05', growth_cap: null,
  } },
  'funds.$f.forecast.history': { zh: '前几年度实际数（权重合计须为 1）', en: 'Previous years (weights sum to 1)', item: { year: 2023, amount: amount('0', '亿元'), weight: '0' } },
  'funds.$f.forecast.history.*.year': { zh: '年度', en: 'Year' },
  'funds.$f.forecast.history.*.amount': { zh: '实际数', en: 'Actual' },
  'funds.$f.forecast.history.*.weight': { zh: '权重', en: 'Weight' },
  'funds.$f.forecast.proposed_growth': { zh: '拟定增长率', en: 'Proposed growth', pct: true },
  'funds.$f.forecast.growth_cap': { zh: '增长率控制指标（上限）', en: 'Growth cap', pct: true, tmpl: '0.05' },
  'funds.$f.rule': { zh: '预算确定规则', en: 'Budget rule', kinds: { min: {}, packable: {}, fixed: { amount: amount('0', '亿元') } } },
  'funds.$f.rule.amount': { zh: '预算总额', en: 'Budget' },
  'funds.$f.adjustments': { zh: '年中/年终调整', en: 'Adjustments', item: { label: '', amount: amount() } },
  'funds.$f.earmarks': { zh: '预算内专项安排（仅列示）', en: 'Earmarked lines (shown only)', item: { label: '', amount: amount() } },
  'funds.$f.outpatient': { zh: '门诊/住院划分', en: 'Outpatient share', kinds: { none: {}, share: { share: '0.3' }, amount: { amount: amount('0', '亿元') } } },
  'funds.$f.outpatient.share': { zh: '门诊占比', en: 'Outpatient share', pct: true },
  'funds.$f.outpatient.amount': { zh: '门诊金额', en: 'Outpatient amount' },
  'funds.$f.fund_share_ratio': { zh: '基金支付占比', en: 'Fund share of cost', pct: true, tmpl: '0.7' },
  'funds.$f.monthly_profile': { zh: '月度分配（12 个比例，合计 1）', en: 'Monthly profile (12 shares summing to 1)', tmpl: ['0.09', '0.09', '0.09', '0.09', '0.08', '0.08', '0.08', '0.08', '0.08', '0.08', '0.08', '0.08'] },
  'funds.$f.adjustment_fund': { zh: '调剂金二次付费', en: 'Adjustment fund', tmpl: { amount: amount(), city_total_points: null } },
  'funds.$f.adjustment_fund.amount': { zh: '调剂金额', en: 'Amount' },
  'funds.$f.adjustment_fund.city_total_points': { zh: '市域内总点数', en: 'City total points', tmpl: '100000' },
  '$labelled.label': { zh: '名称', en: 'Label' },
  '$labelled.amount': { zh: '金额', en: 'Amount' },
  coefficients: { zh: '调节系数', en: 'Coefficients' },
  'coefficients.mode': { zh: '合成方式', en: 'Combination', choices: ['sum', 'product'] },
  'coefficients.levels': { zh: '等级系数表（由高到低）', en: 'Level table (highest first)', item: { level: '', coefficient: null } },
  'coefficients.levels.*.level': { zh: '等级', en: 'Level' },
  'coefficients.levels.*.coefficient': { zh: '基本调节系数', en: 'Base coefficient', tmpl: '1' },
  'coefficients.range': { zh: '系数范围', en: 'Allowed range' },
  'coefficients.range.min': { zh: '下限', en: 'Min' },
  'coefficients.range.max': { zh: '上限', en: 'Max' },
  'coefficients.range.on_violation': { zh: '超出范围时', en: 'Outside the range', choices: ['warning', 'error'] },
  'coefficients.range.check_combined': { zh: '也检查综合系数', en: 'Check the combined value too' },
  'coefficients.grassroots': { zh: '基层病种', en: 'Grassroots groups' },
  'coefficients.grassroots.enabled': { zh: '不受机构系数调节', en: 'Ignore the institution coefficient' },
  'coefficients.grassroots.coefficient': { zh: '统一系数', en: 'Their coefficient' },
  'coefficients.grassroots.levels': { zh: '适用等级（未设置 = 全部）', en: 'Levels (not set = all)', tmpl: ['一级'], item: '' },
  points: { zh: '点数', en: 'Points' },
  'points.scale': { zh: '放大倍数', en: 'Scale' },
  'points.base_points': { zh: '基准分值', en: 'Base points' },
  'points.outliers': { zh: '高低倍率病例', en: 'Cost outliers' },
  'points.outliers.high_ratio': { zh: '高倍率界值 H', en: 'High ratio H' },
  'points.outliers.high_inclusive': { zh: '等于 H 算高倍率', en: 'r = H counts as high' },
  'points.outliers.low_ratio': { zh: '低倍率界值 L', en: 'Low ratio L' },
  'points.outliers.low_inclusive': { zh: '等于 L 算低倍率', en: 'r = L counts as low' },
  'points.outliers.high_tiers': { zh: '按次均费用分档的 H', en: 'H by reference cost', item: { max_reference_cost: '10000', high_ratio: '2' } },
  'points.outliers.high_tiers.*.max_reference_cost': { zh: '次均费用上限（元）', en: 'Reference cost up to (元)' },
  'points.outliers.high_tiers.*.high_ratio': { zh: 'H', en: 'H' },
  'points.reference_cost_by_level': { zh: '按等级取次均费用', en: 'Reference cost by level' },
  'points.review_share_limit': { zh: '特例单议申请上限', en: 'Special review limit', pct: true },
  'points.base_cost': { zh: '基准费用（床日、项目）', en: 'Base cost (per diem, FFS)', tmpl: amount('10000', '元') },
  'points.per_diem_reimbursement_ratio': { zh: '平均报销比例（床日）', en: 'Reimbursement ratio (per diem)', pct: true, tmpl: '0.7' },
  'points.outpatient': { zh: '门诊点数', en: 'Outpatient points' },
  'points.outpatient.mode': { zh: '门诊点值算法', en: 'Outpatient point value', choices: ['fixed_capitation', 'literal'] },
  'points.outpatient.capitation_fund_share': { zh: '人头付费基金占比', en: 'Capitation fund share', pct: true },
  'points.outpatient.capitation_point_value': { zh: '人头付费固定点值（元）', en: 'Capitation point value (元)' },
  'points.outpatient.drugs_ratio': { zh: '药品比价', en: 'Drugs ratio' },
  'points.outpatient.consumables_ratio': { zh: '耗材比价', en: 'Consumables ratio' },
  'points.outpatient.services_ratio': { zh: '医疗服务比价', en: 'Services ratio' },
  point_value: { zh: '点值', en: 'Point value' },
  'point_value.cost_basis': { zh: '费用口径', en: 'Cost basis', choices: ['fund_plus_personal', 'fund_share_ratio', 'fund_only'] },
  'point_value.monthly': { zh: '月度点值', en: 'Monthly point value', choices: ['month', 'cumulative'] },
  'point_value.decimals': { zh: '点值小数位', en: 'Decimals' },
  settlement: { zh: '结算', en: 'Settlement' },
  'settlement.mode': { zh: '结算方式', en: 'Mode', choices: ['points', 'allotment'] },
  'settlement.unit': { zh: '结算单位', en: 'Unit', choices: ['institution', 'alliance'] },
  'settlement.risk_sharing': { zh: '合理结余留用、合理超支分担', en: 'Risk sharing' },
  'settlement.risk_sharing.enabled': { zh: '启用风险分担', en: 'Enabled' },
  'settlement.risk_sharing.overspend': { zh: '超支分担', en: 'Overspend' },
  'settlement.risk_sharing.surplus': { zh: '结余留用', en: 'Surplus' },
  'settlement.risk_sharing.$side.bands': { zh: '分担区间', en: 'Bands', item: { up_to: '0.20', share: '0.30' } },
  'settlement.risk_sharing.$side.bands.*.up_to': { zh: '差额占 S 至', en: 'Gap up to (of S)', pct: true },
  'settlement.risk_sharing.$side.bands.*.share': { zh: '分担比例', en: 'Share', pct: true },
  'settlement.risk_sharing.$side.beyond': { zh: '超出末档', en: 'Beyond the last band', choices: ['nothing', 'capped'] },
  'settlement.risk_sharing.surplus_base': { zh: '“返还结余”的读法', en: 'Reading of the surplus rule', choices: ['cost', 'settlement'] },
  'settlement.risk_sharing.near_edge': { zh: '接近边界提示范围', en: 'Near-edge flag within', pct: true },
  'settlement.deposit': { zh: '保证金', en: 'Deposit' },
  'settlement.deposit.rate': { zh: '保证金比例', en: 'Deposit rate', pct: true },
  'settlement.deposit.return_rule': { zh: '返还方式', en: 'Return', choices: RETURN },
  'settlement.qc_failed': { zh: '质控未通过病例（月/季预付）', en: 'QC-failed cases in prepayment', choices: ['exclude', 'lowest_weight'] },
  'settlement.quality_reserve_return': { zh: '质量保证金返还', en: 'Quality reserve return', choices: RETURN },
  'settlement.allotment': { zh: '定额分配（信阳）', en: 'Allotment (信阳)', tmpl: { history_weights: ['0.5', '0.3', '0.2'], primary_care_tilt: '0.1', primary_care_levels: ['一级'] } },
  'settlement.allotment.history_weights': { zh: '近年权重（由近及远）', en: 'Year weights (latest first)', item: '0' },
  'settlement.allotment.primary_care_tilt': { zh: '向基层倾斜', en: 'Primary-care tilt', pct: true },
  'settlement.allotment.primary_care_levels': { zh: '基层等级', en: 'Primary-care levels', item: '' },
};

const CHOICE_LABELS = {
  zh: {
    sum: '加和', product: '连乘', warning: '提示', error: '报错', after_deductions: '扣除后金额', available: '可预算总额 A',
    fixed_capitation: '人头固定点值', literal: '按第十六条', fund_plus_personal: '基金+个人负担', fund_share_ratio: '按基金占比折算',
    fund_only: '仅基金', month: '当月', cumulative: '累计', points: '区域点数法', allotment: '定额分配', institution: '机构',
    alliance: '医共体', nothing: '不予分担（悬崖）', capped: '按档封顶', cost: '解读 (a) 按费用返还', settlement: '解读 (b) 从 S 返还',
    by_score: '按考核得分', full: '全额', withheld: '不返还', exclude: '暂不拨付', lowest_weight: '按最低权重',
    none: '无', rate: '按比例', new_funds_capped: '新增筹资比例（封顶）', months_of_spending: '保留月数', direct: '直接给定 A',
    min: 'min(P, F)', packable: '可用打包额 P', fixed: '直接给定', share: '按比例', amount: '按金额',
  },
  en: {
    sum: 'sum', product: 'product', warning: 'warning', error: 'error', after_deductions: 'after deductions', available: 'available A',
    fixed_capitation: 'fixed capitation', literal: 'literal (第十六条)', fund_plus_personal: 'fund + personal', fund_share_ratio: 'fund share ratio',
    fund_only: 'fund only', month: 'month', cumulative: 'cumulative', points: 'points', allotment: 'allotment', institution: 'institution',
    alliance: '医共体 (alliance)', nothing: 'nothing (the cliff)', capped: 'capped', cost: 'reading (a): from cost', settlement: 'reading (b): from S',
    by_score: 'by score', full: 'full', withheld: 'withheld', exclude: 'exclude', lowest_weight: 'lowest weight',
    none: 'none', rate: 'rate', new_funds_capped: 'new funds, capped', months_of_spending: 'months of spending', direct: 'A given',
    min: 'min(P, F)', packable: 'packable P', fixed: 'fixed', share: 'share', amount: 'amount',
  },
};

const UNITS = ['元', '万元', '亿元'];

/** The descriptor pattern of a concrete path. */
function patternOf(path) {
  const parts = path.split('.').map((p) => (/^\d+$/.test(p) ? '*' : p));
  if (parts[0] === 'funds' && parts[1]) parts[1] = '$f';
  if (parts[0] === 'settlement' && parts[1] === 'risk_sharing' && (parts[2] === 'overspend' || parts[2] === 'surplus') && parts.length > 3) parts[2] = '$side';
  let pattern = parts.join('.');
  if (/^funds\.\$f\.(deductions|adjustments|earmarks)\.\*\.(label|amount)$/.test(pattern)) pattern = `$labelled.${parts[parts.length - 1]}`;
  return pattern;
}

const desc = (path) => D[patternOf(path)] ?? {};
const label = (path) => {
  const d = desc(path);
  const last = path.split('.').pop();
  return (lang() === 'en' ? d.en : d.zh) ?? (/^\d+$/.test(last) ? `#${Number(last) + 1}` : last);
};
const choiceLabel = (v) => CHOICE_LABELS[lang()][v] ?? v;
const clone = (v) => JSON.parse(JSON.stringify(v));

export function getAt(obj, path) {
  return path.split('.').reduce((o, k) => (o === null || o === undefined ? undefined : o[k]), obj);
}

export function setAt(obj, path, value) {
  const keys = path.split('.');
  const last = keys.pop();
  const parent = keys.reduce((o, k) => o[k], obj);
  parent[last] = value;
}

/** The ref covering a path: its own, or the nearest ancestor's (docs/policy.md §3). */
export function refFor(policy, path) {
  let p = path;
  for (;;) {
    if (policy.refs?.[p]) return policy.refs[p];
    const i = p.lastIndexOf('.');
    if (i < 0) return null;
    p = p.slice(0, i);
  }
}

function provenance(policy, path) {
  const ref = refFor(policy, path);
  if (!ref) return { mark: null, text: '' };
  const src = policy.sources?.find((s) => s.id === ref.source);
  const parts = [`[${t(`mark.${ref.mark}`)}]`, src ? src.title : ref.source, ref.article].filter(Boolean);
  return { mark: ref.mark, text: parts.join(' ') + (ref.note ? `\n${ref.note}` : '') };
}

/** Drops refs whose path no longer exists (a list item removed, a kind switched). */
function pruneRefs(policy) {
  for (const key of Object.keys(policy.refs ?? {})) {
    if (getAt(policy, key) === undefined) delete policy.refs[key];
  }
}

const isDecimalText = (s) => parseDec(s) !== null;

export class PolicyForm {
  /** `onChange(policy)` after every edit; `root` is the element the panels go in. */
  constructor(root, onChange) {
    this.root = root;
    this.onChange = onChange;
    this.policy = null;
    this.fund = 'employee';
    this.spare = {};
  }

  set(policy) {
    this.policy = policy;
    this.render();
  }

  changed(path, old) {
    const target = this.policy;
    const refPath = path.replace(/\.(value|unit)$/, '');
    const before = typeof old === 'object' ? JSON.stringify(old) : old;
    target.refs = target.refs ?? {};
    const existing = target.refs[refPath];
    if (!existing || existing.mark !== 'user') {
      target.refs[refPath] = { mark: 'user', note: `页面修改 / edited on the page (was ${before ?? 'null'})` };
    }
    pruneRefs(target);
    this.onChange(target);
  }

  edit(path, value, { rerender = false } = {}) {
    const old = getAt(this.policy, path);
    setAt(this.policy, path, value);
    this.changed(path, old);
    if (rerender) this.render();
  }

  render() {
    const p = this.policy;
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

  panel(key, title, body) {
    return h('section', { class: 'panel', dataset: { panel: key } }, h('h3', null, title), h('div', { class: 'panel-body' }, body));
  }

  fundsPanel() {
    const tabs = ['employee', 'resident'].map((f) => h('button', {
      type: 'button',
      class: f === this.fund ? 'seg on' : 'seg',
      onclick: () => { this.fund = f; this.render(); },
    }, t(`fund.${f}.long`)));
    const path = `funds.${this.fund}`;
    const value = this.policy.funds[this.fund];
    let body;
    if (value === null) {
      body = h('p', { class: 'muted' }, t('policy.notset'), ' ', h('button', {
        type: 'button',
        onclick: () => {
          const other = this.policy.funds[this.fund === 'employee' ? 'resident' : 'employee'];
          this.edit(path, clone(this.spare[path] ?? other), { rerender: true });
        },
      }, t('policy.enable')));
    } else {
      body = [
        h('div', { class: 'fund-toggle' }, h('label', null, h('input', {
          type: 'checkbox',
          checked: true,
          dataset: { path },
          onchange: () => { this.spare[path] = clone(value); this.edit(path, null, { rerender: true }); },
        }), ' ', t('policy.enable'))),
        this.children(path),
      ];
    }
    return this.panel('funds', label('funds'), [h('div', { class: 'segs' }, tabs), body]);
  }

  children(path) {
    const obj = getAt(this.policy, path);
    return Object.keys(obj).filter((k) => k !== 'kind').map((k) => this.field(`${path}.${k}`));
  }

  labelEl(path) {
    const prov = provenance(this.policy, path.replace(/\.(value|unit)$/, ''));
    return h('span', { class: 'flabel', title: prov.text || null },
      label(path),
      prov.mark ? h('span', { class: `mark mark-${prov.mark}` }, t(`mark.${prov.mark}`)) : null);
  }

  field(path) {
    const value = getAt(this.policy, path);
    const d = desc(path);
    if (value === null || value === undefined) {
      return h('div', { class: 'field', dataset: { path } }, this.labelEl(path),
        h('span', { class: 'muted' }, t('policy.notset')),
        d.tmpl !== undefined ? h('button', { type: 'button', class: 'small', onclick: () => this.edit(path, clone(d.tmpl), { rerender: true }) }, t('policy.enable')) : null);
    }
    const nullable = d.tmpl !== undefined;
    const off = nullable ? h('button', { type: 'button', class: 'small ghost unset', title: t('policy.unset.title'), onclick: () => this.edit(path, null, { rerender: true }) }, t('policy.unset')) : null;
    if (Array.isArray(value)) return this.list(path, value, off);
    if (typeof value === 'object') {
      if ('value' in value && 'unit' in value) return h('div', { class: 'field', dataset: { path } }, this.labelEl(path), this.amountInput(path, value), off);
      return this.group(path, value, off);
    }
    return h('div', { class: 'field', dataset: { path } }, this.labelEl(path), this.input(path, value), off);
  }

  group(path, value, off) {
    const d = desc(path);
    const body = [];
    if (d.kinds && 'kind' in value) {
      body.push(h('div', { class: 'field', dataset: { path: `${path}.kind` } }, h('span', { class: 'flabel' }, lang() === 'en' ? 'kind' : '类型'),
        h('select', {
          dataset: { path: `${path}.kind` },
          onchange: (e) => this.edit(path, { kind: e.target.value, ...clone(d.kinds[e.target.value]) }, { rerender: true }),
        }, Object.keys(d.kinds).map((k) => h('option', { value: k, selected: k === value.kind }, choiceLabel(k))))));
    }
    body.push(this.children(path));
    return h('fieldset', { class: 'group', dataset: { path } }, h('legend', null, this.labelEl(path), off), body);
  }

  list(path, items, off) {
    const d = desc(path);
    const rows = items.map((item, i) => {
      const ip = `${path}.${i}`;
      const remove = h('button', { type: 'button', class: 'small ghost', title: t('policy.remove'), onclick: () => {
        const copy = items.slice();
        copy.splice(i, 1);
        this.edit(path, copy, { rerender: true });
      } }, '×');
      if (item !== null && typeof item === 'object') {
        return h('div', { class: 'list-row', dataset: { path: ip } },
          Object.keys(item).map((k) => this.field(`${ip}.${k}`)), remove);
      }
      return h('div', { class: 'list-row inline', dataset: { path: ip } }, h('span', { class: 'idx' }, `${i + 1}`), this.input(ip, item), remove);
    });
    const add = d.item !== undefined || items.length
      ? h('button', { type: 'button', class: 'small', onclick: () => this.edit(path, [...items, clone(d.item ?? items[items.length - 1])], { rerender: true }) }, `+ ${t('policy.add')}`)
      : null;
    return h('fieldset', { class: 'group list', dataset: { path } }, h('legend', null, this.labelEl(path), off), rows, add);
  }

  amountInput(path, value) {
    return h('span', { class: 'amount' },
      this.input(`${path}.value`, value.value),
      h('select', {
        dataset: { path: `${path}.unit` },
        onchange: (e) => this.edit(`${path}.unit`, e.target.value),
      }, UNITS.map((u) => h('option', { value: u, selected: u === value.unit }, u))));
  }

  input(path, value) {
    const d = desc(path);
    if (typeof value === 'boolean') {
      return h('input', { type: 'checkbox', checked: value, dataset: { path }, onchange: (e) => this.edit(path, e.target.checked) });
    }
    if (typeof value === 'number') {
      return h('input', { type: 'number', step: 1, value: String(value), class: 'num', dataset: { path }, onchange: (e) => {
        const n = Number(e.target.value);
        this.edit(path, Number.isInteger(n) ? n : e.target.value);
      } });
    }
    if (d.choices) {
      return h('select', { dataset: { path }, onchange: (e) => this.edit(path, e.target.value) },
        d.choices.map((c) => h('option', { value: c, selected: c === value }, choiceLabel(c))));
    }
    const pct = d.pct && isDecimalText(value);
    const shown = pct ? shiftDec(value, 2) : value;
    const numeric = isDecimalText(value);
    const input = h('input', {
      type: 'text',
      inputmode: numeric ? 'decimal' : null,
      class: numeric ? 'num' : 'text',
      value: shown,
      spellcheck: false,
      dataset: { path },
      oninput: (e) => {
        const raw = e.target.value.trim().replace(/[,，\s]/g, '');
        // Rates are typed in %, stored as fractions; text that is not a number goes to the
        // engine as typed, which reports it at this field.
        const stored = pct ? (shiftDec(raw, -2) ?? raw) : (numeric ? raw : e.target.value);
        this.edit(path, stored);
      },
    });
    return pct ? h('span', { class: 'pct' }, input, '%') : input;
  }

  /** Marks fields named by engine issues (`{path, severity, message_zh, message_en}`). */
  mark(issues) {
    for (const el of this.root.querySelectorAll('.invalid, .warned')) el.classList.remove('invalid', 'warned');
    for (const el of this.root.querySelectorAll('.field-msg')) el.remove();
    for (const issue of issues) {
      if (!issue.path) continue;
      let p = issue.path;
      let el = null;
      const find = (q) => this.root.querySelector(`input[data-path="${q}"], select[data-path="${q}"]`) ?? this.root.querySelector(`[data-path="${q}"]`);
      while (p && !(el = find(CSS.escape(p)))) {
        const i = p.lastIndexOf('.');
        p = i < 0 ? '' : p.slice(0, i);
      }
      if (!el) continue;
      const holder = el.closest('.field, fieldset, .list-row') ?? el;
      holder.classList.add(issue.severity === 'warning' ? 'warned' : 'invalid');
      if (el.matches('input, select')) el.setAttribute('aria-invalid', issue.severity === 'warning' ? 'false' : 'true');
      holder.appendChild(h('span', { class: 'field-msg', role: 'alert' }, lang() === 'en' ? issue.message_en : issue.message_zh));
    }
  }
}
