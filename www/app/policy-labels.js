// What each field of a policy file (docs/policy.md) is called in Chinese and English, and how the
// policy form presents it (rates in %, the choices of an enum, templates for values that can be
// switched on). Shared by the calculator's policy form and the public page's 政策依据 table.

import { lang } from './i18n.js';

const amount = (value = '0', unit = '万元') => ({ value, unit });
const RETURN = ['by_score', 'full', 'withheld', 'bands'];

/** A deviant-case pricing as the form switches it on (SPEC §12). */
function pricingTmpl(method, ratio) {
  return { method, ratio, per_diem_group: null };
}

/** The labels of a deviant-case pricing at `path` (SPEC §12). */
function pricingLabels(path) {
  return {
    [`${path}.method`]: {
      zh: '结算方式',
      en: 'Pricing',
      choices: ['cost_ratio', 'fee_for_service', 'per_diem'],
    },
    [`${path}.ratio`]: {
      zh: '比例（费用倍率界值 / 项目支付比例）',
      en: 'Ratio (cost-ratio bound / share of the item cost)',
      pct: true,
    },
    [`${path}.per_diem_group`]: { zh: '床日组编码', en: 'Per-diem group', tmpl: '' },
  };
}

// path pattern ('*' = a list index, '$f' = employee/resident) → label and presentation.
export const D = {
  name: { zh: '名称', en: 'Name' },
  year: { zh: '结算年度', en: 'Settlement year' },
  funds: { zh: '分险种预算', en: 'Budgets by fund' },
  'funds.$f': { zh: '基金预算', en: 'Fund budget', tmplFrom: 'other-fund' },
  'funds.$f.raised': { zh: '当年基金筹集总额', en: 'Fund raised this year', tmpl: amount('0', '亿元') },
  'funds.$f.reserve': {
    zh: '风险金（储备金）',
    en: 'Risk reserve',
    kinds: {
      none: {},
      rate: { rate: '0.05' },
      new_funds_capped: { rate: '0.10', new_funds: amount(), accumulated: amount(), cap_rate: '0.10' },
      months_of_spending: { months: '9', monthly_spending: amount(), balance: amount() },
      direct: { available: amount('0', '亿元') },
    },
  },
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
  'funds.$f.forecast': {
    zh: 'DIP 基金支出预测',
    en: 'Spending forecast F',
    tmpl: {
      history: [
        { year: 2022, amount: amount('0', '亿元'), weight: '0.4' },
        { year: 2023, amount: amount('0', '亿元'), weight: '0.6' },
      ],
      proposed_growth: '0.05',
      growth_cap: null,
    },
  },
  'funds.$f.forecast.history': {
    zh: '前几年度实际数（权重合计须为 1）',
    en: 'Previous years (weights sum to 1)',
    item: { year: 2023, amount: amount('0', '亿元'), weight: '0' },
  },
  'funds.$f.forecast.history.*.year': { zh: '年度', en: 'Year' },
  'funds.$f.forecast.history.*.amount': { zh: '实际数', en: 'Actual' },
  'funds.$f.forecast.history.*.weight': { zh: '权重', en: 'Weight' },
  'funds.$f.forecast.proposed_growth': { zh: '拟定增长率', en: 'Proposed growth', pct: true },
  'funds.$f.forecast.growth_cap': { zh: '增长率控制指标（上限）', en: 'Growth cap', pct: true, tmpl: '0.05' },
  'funds.$f.rule': {
    zh: '预算确定规则',
    en: 'Budget rule',
    kinds: { min: {}, packable: {}, fixed: { amount: amount('0', '亿元') } },
  },
  'funds.$f.rule.amount': { zh: '预算总额', en: 'Budget' },
  'funds.$f.adjustments': {
    zh: '年中/年终调整',
    en: 'Adjustments',
    item: { label: '', amount: amount(), effective: { kind: 'year_end' } },
  },
  'funds.$f.adjustments.*.effective': {
    zh: '生效（未设置 = 年初，各期均含）',
    en: 'Takes effect (not set = year start, every period)',
    tmpl: { kind: 'year_end' },
    kinds: { year_start: {}, from_month: { month: 7 }, year_end: {} },
  },
  'funds.$f.adjustments.*.effective.month': { zh: '自几月起（1–12）', en: 'From month (1–12)' },
  'funds.$f.earmarks': {
    zh: '预算内专项安排（仅列示）',
    en: 'Earmarked lines (shown only)',
    item: { label: '', amount: amount() },
  },
  'funds.$f.outpatient': {
    zh: '门诊/住院划分',
    en: 'Outpatient share',
    kinds: { none: {}, share: { share: '0.3' }, amount: { amount: amount('0', '亿元') } },
  },
  'funds.$f.outpatient.share': { zh: '门诊占比', en: 'Outpatient share', pct: true },
  'funds.$f.outpatient.amount': { zh: '门诊金额', en: 'Outpatient amount' },
  'funds.$f.fund_share_ratio': { zh: '基金支付占比', en: 'Fund share of cost', pct: true, tmpl: '0.7' },
  'funds.$f.monthly_profile': {
    zh: '月度分配（12 个比例，合计 1）',
    en: 'Monthly profile (12 shares summing to 1)',
    tmpl: ['0.09', '0.09', '0.09', '0.09', '0.08', '0.08', '0.08', '0.08', '0.08', '0.08', '0.08', '0.08'],
  },
  'funds.$f.adjustment_fund': {
    zh: '调剂金二次付费',
    en: 'Adjustment fund',
    tmpl: { amount: amount(), city_total_points: null },
  },
  'funds.$f.adjustment_fund.amount': { zh: '调剂金额', en: 'Amount' },
  'funds.$f.adjustment_fund.city_total_points': { zh: '市域内总点数', en: 'City total points', tmpl: '100000' },
  'funds.$f.adjustment_fund.uses': {
    zh: '调剂金其他支出（先于二次付费）',
    en: 'Other uses (paid before the second distribution)',
    optional: true,
    tmpl: [{ label: '药品耗材激励', amount: amount() }],
    item: { label: '', amount: amount() },
  },
  'funds.$f.adjustment_fund.pays_alliance_overspend': {
    zh: '医共体合理超支由调剂金分担',
    en: '调剂金 pays the 医共体 overspend share',
    optional: true,
    tmpl: true,
  },
  'funds.$f.alliance_lump_sums': {
    zh: '医共体门诊总额包干（按月预拨、年终结算）',
    en: '医共体 outpatient lump sums (prepaid monthly, settled at year end)',
    optional: true,
    tmpl: [{ alliance: '', amount: amount() }],
    item: { alliance: '', amount: amount() },
  },
  'funds.$f.alliance_lump_sums.*.alliance': { zh: '医共体', en: '医共体 (alliance)' },
  'funds.$f.alliance_lump_sums.*.amount': { zh: '打包基金', en: 'Lump sum' },
  'funds.$f.sub_budgets': {
    zh: '预算总额细分（按等级或机构类别，各自点值）',
    en: 'Sub-budgets (by level or institution type, a point value each)',
    optional: true,
    tmpl: [
      { label: '医院', levels: ['三甲', '三乙', '二甲', '二乙'], categories: [], share: '0.8', amount: null },
      { label: '基层医疗机构', levels: ['一级'], categories: [], share: '0.2', amount: null },
    ],
    item: { label: '', levels: [], categories: [], share: '0', amount: null },
  },
  'funds.$f.sub_budgets.*.label': { zh: '名称', en: 'Name' },
  'funds.$f.sub_budgets.*.levels': { zh: '所含等级', en: 'Levels', item: '' },
  'funds.$f.sub_budgets.*.categories': { zh: '所含机构类别', en: 'Institution types', item: '' },
  'funds.$f.sub_budgets.*.share': {
    zh: '占比（按金额细分后的余额，合计 1）',
    en: 'Share (of what the amounts leave; shares sum to 1)',
    pct: true,
    tmpl: '0.5',
  },
  'funds.$f.sub_budgets.*.amount': { zh: '金额', en: 'Amount', tmpl: amount('0', '亿元') },
  '$labelled.label': { zh: '名称', en: 'Label' },
  '$labelled.amount': { zh: '金额', en: 'Amount' },
  coefficients: { zh: '调节系数', en: 'Coefficients' },
  'coefficients.mode': { zh: '合成方式', en: 'Combination', choices: ['sum', 'product'] },
  'coefficients.levels': {
    zh: '等级系数表（由高到低）',
    en: 'Level table (highest first)',
    item: { level: '', coefficient: null },
  },
  'coefficients.overrides': { zh: '单个机构的基本调节系数', en: "One institution's base coefficient" },
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
  'coefficients.grassroots.levels': {
    zh: '适用等级（未设置 = 全部）',
    en: 'Levels (not set = all)',
    tmpl: ['一级'],
    item: '',
  },
  points: { zh: '点数', en: 'Points' },
  'points.scale': { zh: '放大倍数', en: 'Scale' },
  'points.base_points': { zh: '基准分值', en: 'Base points' },
  'points.outliers': { zh: '高低倍率病例', en: 'Cost outliers' },
  'points.outliers.high_ratio': { zh: '高倍率界值 H', en: 'High ratio H' },
  'points.outliers.high_inclusive': { zh: '等于 H 算高倍率', en: 'r = H counts as high' },
  'points.outliers.low_ratio': { zh: '低倍率界值 L', en: 'Low ratio L' },
  'points.outliers.low_inclusive': { zh: '等于 L 算低倍率', en: 'r = L counts as low' },
  'points.outliers.high_tiers': {
    zh: '按次均费用分档的 H',
    en: 'H by reference cost',
    item: { max_reference_cost: '10000', high_ratio: '2' },
  },
  'points.outliers.high_tiers.*.max_reference_cost': { zh: '次均费用上限（元）', en: 'Reference cost up to (元)' },
  'points.outliers.high_tiers.*.high_ratio': { zh: 'H', en: 'H' },
  'points.reference_cost_by_level': { zh: '按等级取次均费用', en: 'Reference cost by level' },
  'points.reference_cost_from_score': {
    zh: '由分值推算次均费用（目录无次均费用时）',
    en: 'Reference cost from the score (catalog without 次均费用)',
    tmpl: { point_value: '10', level_coefficients: [] },
  },
  'points.reference_cost_from_score.point_value': {
    zh: '参考点值（元/点）',
    en: 'Reference point value (元 per point)',
  },
  'points.reference_cost_from_score.level_coefficients': {
    zh: '等级系数（空 = 不乘）',
    en: 'Level coefficients (none = × 1)',
    item: { level: '', coefficient: '1' },
  },
  'points.reference_cost_from_score.level_coefficients.*.level': { zh: '等级', en: 'Level' },
  'points.reference_cost_from_score.level_coefficients.*.coefficient': { zh: '系数', en: 'Coefficient' },
  'points.review_share_limit': { zh: '特例单议申请上限', en: 'Special review limit', pct: true },
  'points.excluded_fund_share': {
    zh: '除外支付（先进医疗技术）的基金支付比例',
    en: 'Fund share of excluded cost (先进医疗技术)',
    pct: true,
    optional: true,
    tmpl: '0.7',
  },
  'points.review_region_limit': {
    zh: '特例单议全区上限（占 DIP 出院病例）',
    en: 'Special review cap, region-wide (share of DIP discharges)',
    pct: true,
    optional: true,
    tmpl: '0.005',
  },
  'points.subtype_coefficients': {
    zh: '辅助分型调节系数（读病例的“辅助分型调节系数”列）',
    en: "Subtype coefficients (the cases' 辅助分型调节系数 column)",
    optional: true,
    tmpl: true,
  },
  'points.bonus_scores': {
    zh: '新药新技术加成分值（读病例的“新药新技术加成分值”列）',
    en: "New drug and technology bonus scores (the cases' 新药新技术加成分值 column)",
    optional: true,
    tmpl: true,
  },
  'points.abnormal_discharge': {
    zh: '非正常出院病例（按离院方式）',
    en: 'Abnormal discharges (by 离院方式)',
    optional: true,
    tmpl: { codes: ['2', '3', '4', '5', '9'], pricing: pricingTmpl('cost_ratio', '1') },
  },
  'points.abnormal_discharge.codes': {
    zh: '离院方式代码（2 医嘱转院、3 转社区/乡镇卫生院、4 非医嘱离院、5 死亡、9 其他）',
    en: 'Discharge codes (2 transfer, 3 to a community clinic, 4 against advice, 5 death, 9 other)',
    item: '5',
  },
  'points.short_stay': {
    zh: '短期住院病例（住院天数不超过）',
    en: 'Short stays (days at most)',
    optional: true,
    tmpl: { days: '2', pricing: pricingTmpl('fee_for_service', '1') },
  },
  'points.short_stay.days': { zh: '住院天数不超过', en: 'Days at most' },
  'points.long_stay': {
    zh: '长期住院病例（住院天数不少于）',
    en: 'Long stays (days at least)',
    optional: true,
    tmpl: { days: '60', pricing: { method: 'per_diem', ratio: '1', per_diem_group: '' } },
  },
  'points.long_stay.days': { zh: '住院天数不少于', en: 'Days at least' },
  'points.ungrouped': {
    zh: '未入组病例（按项目或床日，与入组病例保持差距）',
    en: 'Ungrouped cases (by item or per diem, kept below grouped cases)',
    optional: true,
    tmpl: pricingTmpl('fee_for_service', '0.9'),
  },
  'points.abnormal_discharge.pricing': { zh: '结算方式', en: 'Pricing' },
  'points.short_stay.pricing': { zh: '结算方式', en: 'Pricing' },
  'points.long_stay.pricing': { zh: '结算方式', en: 'Pricing' },
  ...pricingLabels('points.abnormal_discharge.pricing'),
  ...pricingLabels('points.short_stay.pricing'),
  ...pricingLabels('points.long_stay.pricing'),
  ...pricingLabels('points.ungrouped'),
  'points.base_cost': { zh: '基准费用（床日、项目）', en: 'Base cost (per diem, FFS)', tmpl: amount('10000', '元') },
  'points.per_diem_reimbursement_ratio': {
    zh: '平均报销比例（床日）',
    en: 'Reimbursement ratio (per diem)',
    pct: true,
    tmpl: '0.7',
  },
  'points.outpatient': { zh: '门诊点数', en: 'Outpatient points' },
  'points.outpatient.mode': {
    zh: '门诊点值算法',
    en: 'Outpatient point value',
    choices: ['fixed_capitation', 'literal'],
  },
  'points.outpatient.capitation_fund_share': { zh: '人头付费基金占比', en: 'Capitation fund share', pct: true },
  'points.outpatient.capitation_point_value': { zh: '人头付费固定点值（元）', en: 'Capitation point value (元)' },
  'points.outpatient.drugs_ratio': { zh: '药品比价', en: 'Drugs ratio' },
  'points.outpatient.consumables_ratio': { zh: '耗材比价', en: 'Consumables ratio' },
  'points.outpatient.services_ratio': { zh: '医疗服务比价', en: 'Services ratio' },
  'points.outpatient.quarterly': {
    zh: '按季度核定门诊点值',
    en: 'Quarterly outpatient point value',
    optional: true,
    tmpl: true,
  },
  point_value: { zh: '点值', en: 'Point value' },
  'point_value.cost_basis': {
    zh: '费用口径',
    en: 'Cost basis',
    choices: ['fund_plus_personal', 'fund_share_ratio', 'fund_only', 'fund_share_from_data'],
  },
  'point_value.monthly': { zh: '月度点值', en: 'Monthly point value', choices: ['month', 'cumulative'] },
  'point_value.decimals': { zh: '点值小数位', en: 'Decimals' },
  'point_value.elastic': {
    zh: '弹性点值（基准 + 浮动，上下限）',
    en: 'Elastic point value (fixed base + floating, floor/cap)',
    optional: true,
    tmpl: { fixed_share: '0.8', fixed_value: '1', floor: null, cap: null },
  },
  'point_value.elastic.fixed_share': { zh: '基准总额比例', en: 'Fixed share of the pool', pct: true, tmpl: '0.8' },
  'point_value.elastic.fixed_value': { zh: '固定点值（元）', en: 'Fixed point value (元)', tmpl: '1' },
  'point_value.elastic.floor': { zh: '浮动点值下限（元）', en: 'Floating value floor (元)', tmpl: '1' },
  'point_value.elastic.cap': { zh: '浮动点值上限（元）', en: 'Floating value cap (元)', tmpl: '1' },
  'point_value.elastic.base': {
    zh: '基准点数（按机构时不填基准总额比例）',
    en: 'Base points (per institution: leave the fixed share empty)',
    optional: true,
    tmpl: 'institution',
    choices: ['region', 'institution'],
  },
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
  'settlement.risk_sharing.$side.beyond': {
    zh: '超出末档',
    en: 'Beyond the last band',
    choices: ['nothing', 'capped'],
  },
  'settlement.risk_sharing.surplus_base': {
    zh: '“返还结余”的读法',
    en: 'Reading of the surplus rule',
    choices: ['cost', 'settlement'],
  },
  'settlement.risk_sharing.near_edge': { zh: '接近边界提示范围', en: 'Near-edge flag within', pct: true },
  'settlement.deposit': { zh: '保证金', en: 'Deposit' },
  'settlement.deposit.rate': { zh: '保证金比例', en: 'Deposit rate', pct: true },
  'settlement.deposit.return_rule': { zh: '返还方式', en: 'Return', choices: RETURN },
  'settlement.qc_failed': {
    zh: '质控未通过病例（月/季预付）',
    en: 'QC-failed cases in prepayment',
    choices: ['exclude', 'lowest_weight'],
  },
  'settlement.quality_reserve_return': { zh: '质量保证金返还', en: 'Quality reserve return', choices: RETURN },
  'settlement.allotment': {
    zh: '定额分配（信阳）',
    en: 'Allotment (信阳)',
    tmpl: { history_weights: ['0.5', '0.3', '0.2'], primary_care_tilt: '0.1', primary_care_levels: ['一级'] },
  },
  'settlement.allotment.history_weights': { zh: '近年权重（由近及远）', en: 'Year weights (latest first)', item: '0' },
  'settlement.allotment.primary_care_tilt': { zh: '向基层倾斜', en: 'Primary-care tilt', pct: true },
  'settlement.allotment.primary_care_levels': { zh: '基层等级', en: 'Primary-care levels', item: '' },
  'settlement.allotment.indicators': {
    zh: '分配指标（出院人次、人次人头比、次均天数/费用、床日费用）',
    en: 'Allotment indicators (discharges, visits per person, mean stay/cost, bed-day cost)',
    optional: true,
    tmpl: [{ indicator: 'mean_cost', weight: '0.1' }],
    item: { indicator: 'discharges', weight: '0.1' },
  },
  'settlement.allotment.indicators.*.indicator': {
    zh: '指标（机构表列）',
    en: 'Indicator (institutions column)',
    choices: ['discharges', 'visits_per_person', 'mean_days', 'mean_cost', 'bed_day_cost'],
  },
  'settlement.allotment.indicators.*.weight': { zh: '权重', en: 'Weight', pct: true },
  'settlement.allotment.monthly_shares': {
    zh: '月预分额度',
    en: 'Monthly allotment',
    optional: true,
    tmpl: 'institution',
    choices: ['fund_profile', 'institution'],
  },
  'settlement.return_bands': {
    zh: '考核分档返还表（按考核分档时用）',
    en: 'Return by score band (for the rule “by score band”)',
    optional: true,
    tmpl: [
      { min_score: '90', rate: '1' },
      { min_score: '75', rate: '0.6' },
    ],
    item: { min_score: '0', rate: '0' },
  },
  'settlement.return_bands.*.min_score': { zh: '最低得分（含）', en: 'Score from (incl.)' },
  'settlement.return_bands.*.rate': { zh: '返还比例（可高于 100%）', en: 'Returned (may exceed 100%)', pct: true },
  'settlement.assessment_factor': {
    zh: '考核系数（按考核得分分档）',
    en: 'Assessment factor by score band',
    optional: true,
    tmpl: [
      { min_score: '90', rate: '1' },
      { min_score: '0', rate: '0.95' },
    ],
    item: { min_score: '0', rate: '1' },
  },
  'settlement.assessment_factor.*.min_score': { zh: '最低得分（含）', en: 'Score from (incl.)' },
  'settlement.assessment_factor.*.rate': { zh: '考核系数', en: 'Factor' },
  'settlement.advance': {
    zh: '预付金（年初预拨，年终抵扣）',
    en: 'Advance (paid at the start, set off at year end)',
    optional: true,
    tmpl: { months: '1' },
  },
  'settlement.advance.months': { zh: '预付月数', en: 'Months advanced' },
  'settlement.monitoring': {
    zh: '运行监测指标（总额准确度、点值差异率、结余留用覆盖率…）',
    en: 'Monitoring indicators (budget accuracy, point value change, surplus coverage…)',
    optional: true,
    tmpl: { year_start_point_value: null, last_year_point_value: null },
  },
  'settlement.monitoring.year_start_point_value': {
    zh: '年初点值（元）',
    en: 'Year-start point value (元)',
    tmpl: '1',
  },
  'settlement.monitoring.last_year_point_value': {
    zh: '上年结算点值（元）',
    en: "Last year's point value (元)",
    tmpl: '1',
  },
};

/** The keys below `path` a policy may leave out (an option that is off), for the form to offer. */
export function optionalKeys(path) {
  const prefix = `${patternOf(path)}.`;
  return Object.keys(D)
    .filter((k) => D[k].optional && k.startsWith(prefix) && !k.slice(prefix.length).includes('.'))
    .map((k) => k.slice(prefix.length));
}

/** The descriptor pattern of a concrete path. */
function patternOf(path) {
  const parts = path.split('.').map((p) => (/^\d+$/.test(p) ? '*' : p));
  if (parts[0] === 'funds' && parts[1]) parts[1] = '$f';
  if (
    parts[0] === 'settlement' &&
    parts[1] === 'risk_sharing' &&
    (parts[2] === 'overspend' || parts[2] === 'surplus') &&
    parts.length > 3
  )
    parts[2] = '$side';
  let pattern = parts.join('.');
  if (/^funds\.\$f\.(deductions|adjustments|earmarks|adjustment_fund\.uses)\.\*\.(label|amount)$/.test(pattern))
    pattern = `$labelled.${parts[parts.length - 1]}`;
  return pattern;
}

export const desc = (path) => D[patternOf(path)] ?? {};
export const label = (path, l = lang()) => {
  const d = desc(path);
  const last = path.split('.').pop();
  return (l === 'en' ? d.en : d.zh) ?? (/^\d+$/.test(last) ? `#${Number(last) + 1}` : last);
};

const FUNDS = { employee: { zh: '职工医保', en: 'Employee fund' }, resident: { zh: '居民医保', en: 'Resident fund' } };

/** A field with the groups it sits in: 职工医保 › 风险金（储备金） › 提取比例. */
export function fieldTrail(path, l = lang()) {
  const parts = path.split('.');
  const out = [];
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('.');
    if (i === 2 && parts[0] === 'funds' && FUNDS[parts[1]]) out.push(FUNDS[parts[1]][l === 'en' ? 'en' : 'zh']);
    else if (prefix !== 'funds' && (D[patternOf(prefix)] || i === parts.length)) out.push(label(prefix, l));
  }
  return out.join(' › ');
}
