//! What a settlement run reports: per fund the budget waterfall, pool, points and point values;
//! per institution (or 医共体) the points, settlement, risk sharing, payment flow and flags, with
//! a trace of each figure. Decimals serialize as strings. Money is rounded to the fen and point
//! values to the policy's decimals (SPEC §2); `*_exact` fields keep full precision.

use crate::policy::Mark;
use crate::records::Fund;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The result of [`crate::engine::settle`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settlement {
    pub engine_version: String,
    pub policy_name: String,
    pub year: u16,
    pub funds: Vec<FundResult>,
    /// Findings that do not stop the computation (coefficients out of range, 特例单议 over 3%, …).
    pub notices: Vec<Notice>,
    /// 特例单议 across the region (SPEC §12), when the policy sets `points.review_region_limit`;
    /// left out otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewSummary>,
}

/// The region's 特例单议 against its DIP discharges (SPEC §12; 医保发〔2025〕18号 第二十条, 第二十四条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSummary {
    /// The cap, a share of the DIP discharges (5‰ = 0.005).
    pub limit: Decimal,
    /// Cases settled by group score (normal, high, low, reviewed), every fund settled.
    pub dip_cases: u64,
    /// Cases put forward for 特例单议.
    pub applications: u64,
    /// Cases whose score or points the review changed (approved).
    pub approvals: u64,
    /// applications ÷ dip_cases and approvals ÷ dip_cases, 6 decimals (`None` without DIP cases).
    pub application_share: Option<Decimal>,
    pub approval_share: Option<Decimal>,
    /// applications > limit × dip_cases.
    pub over_limit: bool,
}

/// A finding about the data or the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub code: String,
    /// Institution code, group code or policy path the notice is about.
    pub subject: String,
    pub message_zh: String,
    pub message_en: String,
}

/// One step of the budget waterfall (SPEC §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetStep {
    /// Stable key: raised, reserve, available, deduction, quality_reserve, packable, forecast,
    /// rule, adjustment, budget, earmark, outpatient, inpatient.
    pub key: String,
    /// The step's name in Chinese; `label_en` in English (a deduction, adjustment or earmark
    /// is named by the policy, and keeps that name in both).
    pub label: String,
    pub label_en: String,
    /// Signed change for a step (negative for a deduction), or the level for a subtotal.
    #[serde(with = "report::money")]
    pub amount: Decimal,
    /// `true` for a subtotal (A, P, F, B…), `false` for a change.
    pub subtotal: bool,
    /// The formula in words, e.g. "300,000.00 × 10%"; `formula_en` in English.
    pub formula: String,
    pub formula_en: String,
    pub mark: Mark,
    pub source: Option<String>,
    pub article: Option<String>,
}

/// One fund's budget (SPEC §3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetResult {
    pub steps: Vec<BudgetStep>,
    /// A_f.
    #[serde(with = "report::money")]
    pub available: Decimal,
    /// P_f, after deductions and the quality reserve.
    #[serde(with = "report::money")]
    pub packable: Decimal,
    /// F_f, if forecast.
    #[serde(with = "report::money_opt")]
    pub forecast: Option<Decimal>,
    /// B_f after adjustments.
    #[serde(with = "report::money")]
    pub budget: Decimal,
    /// B_f at full precision (`budget` is it rounded to the fen).
    #[serde(default, with = "report::exact")]
    pub budget_exact: Decimal,
    /// 质量保证金 held back.
    #[serde(with = "report::money")]
    pub quality_reserve: Decimal,
    #[serde(with = "report::money")]
    pub inpatient_budget: Decimal,
    #[serde(with = "report::money")]
    pub outpatient_budget: Decimal,
    /// Inpatient budget of each month (SPEC §3 period budgets).
    #[serde(with = "report::money_vec")]
    pub monthly_budget: Vec<Decimal>,
}

/// One period's point value (SPEC §6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodValue {
    /// "2024-03" for a month, "2024-Q1" for a quarter, "2024" for the year.
    pub period: String,
    #[serde(with = "report::money")]
    pub budget: Decimal,
    #[serde(with = "report::money")]
    pub pool: Decimal,
    #[serde(with = "report::points")]
    pub points: Decimal,
    /// The period's pool and points at full precision: point value = pool_exact ÷ points_exact.
    #[serde(default, with = "report::exact")]
    pub pool_exact: Decimal,
    #[serde(default, with = "report::exact")]
    pub points_exact: Decimal,
    /// Reported point value (`None` when the period has no points).
    pub point_value: Option<Decimal>,
    /// Cumulative point value to the end of this period (months only).
    pub cumulative_point_value: Option<Decimal>,
}

/// Reconciliation of rounded settlements to the rounded pool (SPEC §2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    #[serde(with = "report::money")]
    pub pool: Decimal,
    #[serde(with = "report::money")]
    pub sum_of_floors: Decimal,
    /// Cents given to the largest remainders.
    pub cents_distributed: u64,
    /// Codes that received a cent, in order.
    pub recipients: Vec<String>,
}

/// Totals over the settlement units of one fund.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    #[serde(with = "report::points")]
    pub points: Decimal,
    pub cases: u64,
    #[serde(with = "report::money")]
    pub total_cost: Decimal,
    #[serde(with = "report::money")]
    pub personal_burden: Decimal,
    #[serde(with = "report::money")]
    pub settlement: Decimal,
    #[serde(with = "report::money")]
    pub fund_settlement: Decimal,
    #[serde(with = "report::money")]
    pub target: Decimal,
    #[serde(with = "report::money")]
    pub fund_pays: Decimal,
    #[serde(with = "report::money")]
    pub deposit_withheld: Decimal,
    #[serde(with = "report::money")]
    pub deposit_returned: Decimal,
    #[serde(with = "report::money")]
    pub quality_reserve_returned: Decimal,
    #[serde(with = "report::money")]
    pub adjustment_fund: Decimal,
    #[serde(with = "report::money")]
    pub amount_adjustments: Decimal,
    #[serde(with = "report::money")]
    pub prepaid: Decimal,
    /// Σ FS × (考核系数 − 1) (国家DIP3.0 第七章第三节一(四)); left out when zero.
    #[serde(default, with = "report::money", skip_serializing_if = "Decimal::is_zero")]
    pub assessment_adjustment: Decimal,
    /// Σ 预付金 (第七章第二节一); left out when zero.
    #[serde(default, with = "report::money", skip_serializing_if = "Decimal::is_zero")]
    pub advance: Decimal,
    #[serde(with = "report::money")]
    pub net_to_pay: Decimal,
}

impl Totals {
    /// Add one unit's figures.
    pub fn add(&mut self, r: &UnitResult) {
        self.points += r.points.total;
        self.cases += r.cases.total;
        self.total_cost += r.total_cost;
        self.personal_burden += r.personal_burden;
        self.settlement += r.settlement;
        self.fund_settlement += r.fund_settlement;
        self.target += r.target;
        self.fund_pays += r.fund_pays;
        self.deposit_withheld += r.deposit_withheld;
        self.deposit_returned += r.deposit_returned;
        self.quality_reserve_returned += r.quality_reserve_returned;
        self.adjustment_fund += r.adjustment_fund;
        self.amount_adjustments += r.amount_adjustments;
        self.prepaid += r.prepaid;
        self.assessment_adjustment += r.assessment_adjustment;
        self.advance += r.advance;
        self.net_to_pay += r.net_to_pay;
    }
}

/// Outpatient settlement of one fund (SPEC §5.4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutpatientResult {
    #[serde(with = "report::money")]
    pub budget: Decimal,
    #[serde(with = "report::money")]
    pub pool: Decimal,
    #[serde(with = "report::points")]
    pub capitation_points: Decimal,
    #[serde(with = "report::money")]
    pub capitation_payment: Decimal,
    #[serde(with = "report::points")]
    pub other_points: Decimal,
    pub point_value: Option<Decimal>,
    /// Literal mode: pool − Σ S = capitation points × (PV − 1).
    #[serde(with = "report::money")]
    pub difference: Decimal,
    pub institutions: Vec<OutpatientLine>,
    /// Each quarter's budget, pool, points and point value (吉林2024 第二十三条(二)), when
    /// `points.outpatient.quarterly` is on; `pool_exact` ÷ `points_exact` is what the floating
    /// value divides. Left out otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quarters: Vec<PeriodValue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutpatientLine {
    pub code: String,
    #[serde(with = "report::points")]
    pub capitation_points: Decimal,
    #[serde(with = "report::points")]
    pub fee_for_service_points: Decimal,
    #[serde(with = "report::points")]
    pub other_points: Decimal,
    #[serde(with = "report::money")]
    pub settlement: Decimal,
    #[serde(with = "report::money")]
    pub personal_burden: Decimal,
    #[serde(with = "report::money")]
    pub fund_settlement: Decimal,
    /// 服务机构季度门诊结算额度 and its fund part (less the quarter's personal burden), Q1–Q4, when
    /// the quarters are settled (吉林2024 第二十三条(三), 第三十九条); left out otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "report::money_vec")]
    pub quarter_settlements: Vec<Decimal>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "report::money_vec")]
    pub quarter_fund_settlements: Vec<Decimal>,
}

/// Everything about one fund.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FundResult {
    pub fund: Fund,
    pub budget: BudgetResult,
    /// The pool priced in points (SPEC §6), year.
    #[serde(with = "report::money")]
    pub pool: Decimal,
    #[serde(with = "report::points")]
    pub total_points: Decimal,
    /// The pool and Σ points at full precision: point_value_exact = pool_exact ÷ total_points_exact,
    /// S_i = pool_exact × points_exact_i ÷ total_points_exact before reconciliation.
    #[serde(default, with = "report::exact")]
    pub pool_exact: Decimal,
    #[serde(default, with = "report::exact")]
    pub total_points_exact: Decimal,
    /// Reported annual point value.
    pub point_value: Option<Decimal>,
    /// Full precision, for tracing.
    pub point_value_exact: Option<Decimal>,
    pub months: Vec<PeriodValue>,
    pub quarters: Vec<PeriodValue>,
    /// `false` when some institution gave only annual totals, so month figures are partial.
    pub months_complete: bool,
    pub units: Vec<UnitResult>,
    pub totals: Totals,
    pub reconciliation: Reconciliation,
    /// Σ fund pays − B_in: the fund's extra outlay (+) or saving (−) from risk sharing (SPEC §7.1).
    #[serde(with = "report::money")]
    pub risk_sharing_effect: Decimal,
    pub outpatient: Option<OutpatientResult>,
    /// 弹性点值 (国家DIP3.0 第四章第三节一(二)): how the year's point value was bounded or split;
    /// left out when the policy has no such rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elastic: Option<ElasticResult>,
    /// 医共体门诊统筹总额包干 (宁德2025答复 一), one line per lump sum of the policy; left out when
    /// the fund has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alliance_lump_sums: Vec<LumpSumLine>,
    /// What the 调剂金 paid before its second distribution (休宁2021 12), when the policy names uses
    /// or has it pay the 医共体 overspend; left out otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustment_fund_use: Option<AdjustmentFundUse>,
    /// 运行监测 indicators (国家DIP3.0 第八章第二节二), when the policy sets `settlement.monitoring`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring: Option<MonitoringResult>,
    /// 除外支付 paid at actual cost outside the pool (宁德2024 第七条(一)), when the policy sets
    /// `points.excluded_fund_share`; left out otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excluded_outlay: Option<ExcludedOutlay>,
    /// 预算总额细分 (吉林2024 第八条): each sub-pool's budget, pool, points, point value and units,
    /// when the fund has sub-budgets (then `point_value` is `null`: each sub-pool has its own);
    /// left out otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_pools: Vec<SubPoolResult>,
}

/// One sub-pool of a fund's inpatient budget (吉林2024 第八条), settled at its own point value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubPoolResult {
    /// Its name in the policy.
    pub label: String,
    /// Its part of the inpatient budget.
    #[serde(with = "report::money")]
    pub budget: Decimal,
    /// The pool that part buys under the cost basis (SPEC §6).
    #[serde(with = "report::money")]
    pub pool: Decimal,
    #[serde(with = "report::points")]
    pub points: Decimal,
    /// pool ÷ points, reported (`null` without points, or in allotment mode).
    pub point_value: Option<Decimal>,
    pub point_value_exact: Option<Decimal>,
    /// The codes of its settlement units.
    pub units: Vec<String>,
    /// Its settlements reconciled to its pool (SPEC §2).
    pub reconciliation: Reconciliation,
    /// Its 弹性点值, when the policy has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elastic: Option<ElasticResult>,
}

/// The excluded cost of a fund's cases and the fund's part of it (宁德2024 第七条(一) 除外支付、据实结算).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExcludedOutlay {
    /// The fund's share of the excluded cost.
    pub share: Decimal,
    #[serde(with = "report::money")]
    pub cost: Decimal,
    /// Σ the units' fund parts: the fund's outlay outside DIP.
    #[serde(with = "report::money")]
    pub fund: Decimal,
    /// cost − fund: personal payments and other funds.
    #[serde(with = "report::money")]
    pub other: Decimal,
    /// The units with excluded cost.
    pub units: Vec<ExcludedLine>,
}

/// One unit's excluded cost and its fund part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExcludedLine {
    pub code: String,
    #[serde(with = "report::money")]
    pub cost: Decimal,
    #[serde(with = "report::money")]
    pub fund: Decimal,
    #[serde(with = "report::money")]
    pub other: Decimal,
}

/// A fund's 运行监测 indicators (SPEC §12; 国家DIP3.0 第八章第二节二); shares as fractions, 6 decimals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitoringResult {
    /// 总额准确度: the inpatient budget ÷ what the fund pays at the clearing (Σ T − personal).
    pub budget_accuracy: Option<Decimal>,
    /// 年初点值与结算点值差异率: (PV − year-start PV) ÷ year-start PV.
    pub year_start_difference: Option<Decimal>,
    /// 点值年度变异率: (PV − last year's PV) ÷ last year's PV.
    pub point_value_variation: Option<Decimal>,
    /// 医保结算支付比: Σ fund-booked cost (cost − personal) ÷ what the fund pays.
    pub payment_ratio: Option<Decimal>,
    /// 费用超高 / 费用超低病例占比: high- and low-cost cases over the DIP cases (normal, high, low, reviewed).
    pub high_cost_share: Option<Decimal>,
    pub low_cost_share: Option<Decimal>,
    /// Units whose cost is below / above their settlement S.
    pub surplus_units: u64,
    pub overspend_units: u64,
    /// Units paid above their cost (T > C): they keep a surplus.
    pub retained_units: u64,
    /// 结余留用覆盖率: retained_units ÷ units.
    pub surplus_coverage: Option<Decimal>,
}

/// The 调剂金 spent (休宁2021 12; SPEC §7.4): amount = Σ uses + overspend paid + distributed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdjustmentFundUse {
    #[serde(with = "report::money")]
    pub amount: Decimal,
    /// Its named uses (激励, 不纳入总额预算的支出, …), paid first.
    pub uses: Vec<UseLine>,
    /// Σ (T − S) of the 医共体 units that overspent within a shared band (SPEC §7.1).
    #[serde(with = "report::money")]
    pub alliance_overspend: Decimal,
    /// The part of it the 调剂金 paid (up to what the uses left) and the part the fund paid.
    #[serde(with = "report::money")]
    pub alliance_overspend_paid: Decimal,
    #[serde(with = "report::money")]
    pub alliance_overspend_by_fund: Decimal,
    /// What was left for the second distribution by points (the units' `adjustment_fund`).
    #[serde(with = "report::money")]
    pub distributed: Decimal,
}

/// One named use of the 调剂金.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UseLine {
    pub label: String,
    #[serde(with = "report::money")]
    pub amount: Decimal,
}

/// One 医共体's outpatient lump sum settled (宁德2025答复 一 "按月预拨、年终结算…总额包干、结余留用、合理
/// 超支分担"; SPEC §7.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LumpSumLine {
    pub alliance: String,
    /// Codes of the institutions that belong to it.
    pub members: Vec<String>,
    /// S: 打包基金 of the year.
    #[serde(with = "report::money")]
    pub lump_sum: Decimal,
    /// The members' outpatient 医疗总费用 in this fund.
    #[serde(with = "report::money")]
    pub total_cost: Decimal,
    /// C: that cost less personal burden, compared with S.
    #[serde(with = "report::money")]
    pub fund_cost: Decimal,
    pub position: BandPosition,
    /// T: what the fund pays for the year under the settlement's bands (SPEC §7.1).
    #[serde(with = "report::money")]
    pub target: Decimal,
    /// The twelve monthly prepayments (按月预拨), adding up to S.
    #[serde(with = "report::money_vec")]
    pub monthly: Vec<Decimal>,
    /// T − S paid at year end (negative: recovered).
    #[serde(with = "report::money")]
    pub year_end: Decimal,
}

/// Which bound of the floating point value applied (国家DIP3.0 第四章第三节一(二) "可设置合理上限").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    None,
    Floor,
    Cap,
    /// Every point fell within the 基准 points: all priced at the fixed value, nothing floats.
    BaseOnly,
}

/// The year's point value under a 弹性点值 rule: the pool the budget buys, the 基准 part at the
/// fixed value, the floating value before and after its floor or cap, and what that changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElasticResult {
    /// The pool the budget buys (`pool` of the fund is the pool settled).
    #[serde(with = "report::money")]
    pub budget_pool: Decimal,
    /// budget pool ÷ points, the plain point value.
    pub plain_point_value: Option<Decimal>,
    /// 基准总额 = fixed share × budget pool (0 without a split).
    #[serde(with = "report::money")]
    pub fixed_pool: Decimal,
    /// 基准点数 = 基准总额 ÷ fixed value.
    #[serde(with = "report::points")]
    pub base_points: Decimal,
    pub fixed_value: Option<Decimal>,
    /// The floating value before and after the floor or cap (`None` when nothing floats).
    pub floating_before: Option<Decimal>,
    pub floating_value: Option<Decimal>,
    pub bound: Bound,
    /// The pool settled − the budget pool: positive = the fund pays beyond the budget.
    #[serde(with = "report::money")]
    pub difference: Decimal,
    /// The 基准点数 are each institution's (上年合理服务点数), not the region's share: `base_points`
    /// is then Σ min(N_i, B_i). Left out when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub by_institution: bool,
}

/// Points by kind (SPEC §5).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsByKind {
    #[serde(with = "report::points")]
    pub normal: Decimal,
    #[serde(with = "report::points")]
    pub high: Decimal,
    #[serde(with = "report::points")]
    pub low: Decimal,
    #[serde(with = "report::points")]
    pub reviewed: Decimal,
    #[serde(with = "report::points")]
    pub per_diem: Decimal,
    #[serde(with = "report::points")]
    pub fee_for_service: Decimal,
    /// From institution summaries (already points).
    #[serde(with = "report::points")]
    pub summary: Decimal,
    /// Year-end point adjustments (吉林2024 第二十七条).
    #[serde(with = "report::points")]
    pub adjustments: Decimal,
    /// 新药新技术加成分值 × scale (国家DIP3.0 第五章第一节四(三), 第七章第三节一(二)); left out when zero.
    #[serde(default, with = "report::points", skip_serializing_if = "Decimal::is_zero")]
    pub bonus: Decimal,
    #[serde(with = "report::points")]
    pub total: Decimal,
}

/// The cases of one kind a national rule touched in a unit (SPEC §12): `kind` is `subtype`
/// (辅助分型), `abnormal_discharge` (非正常出院), `short_stay`, `long_stay`, `ungrouped` (未入组) or
/// `bonus` (新药新技术加成分值); `points` are those cases' points at the unit's coefficient, before
/// 特例单议 changes (for `bonus`: the 加成分值 × scale alone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialCases {
    pub kind: String,
    pub cases: u64,
    #[serde(with = "report::points")]
    pub points: Decimal,
}

/// Case counts by category.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseCounts {
    pub normal: u64,
    pub high: u64,
    pub low: u64,
    pub reviewed: u64,
    pub per_diem: u64,
    pub fee_for_service: u64,
    /// Failed QC, never supplemented: out of points, cost and burden.
    pub qc_excluded: u64,
    /// Failed QC, supplemented: out of prepayment, back at year end.
    pub qc_supplemented: u64,
    /// 特例单议 applications.
    pub review_applications: u64,
    pub total: u64,
}

/// Where an institution lands on the risk-sharing bands (SPEC §7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BandPosition {
    /// Risk sharing off, or C = S, or S = 0.
    None,
    /// Overspent within band `band` (0-based).
    OverspendShared {
        band: usize,
    },
    /// Overspent beyond the last band.
    OverspendBeyond,
    SurplusShared {
        band: usize,
    },
    SurplusBeyond,
}

/// One line of a figure's arithmetic, for the expandable view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceLine {
    /// What the line computes, in Chinese and in English.
    pub label: String,
    pub label_en: String,
    /// The arithmetic with the figures, in Chinese and in English.
    pub formula: String,
    pub formula_en: String,
    pub value: Decimal,
    /// SPEC section or seed article.
    pub cite: String,
}

/// One month or quarter of an institution's payment flow (SPEC §7.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentLine {
    pub period: String,
    #[serde(with = "report::points")]
    pub points: Decimal,
    #[serde(with = "report::money")]
    pub settlement: Decimal,
    #[serde(with = "report::money")]
    pub personal_burden: Decimal,
    #[serde(with = "report::money")]
    pub fund_settlement: Decimal,
    /// What the fund pays for this period (prepayment, or the quarter's clearing amount).
    #[serde(with = "report::money")]
    pub paid: Decimal,
}

/// One settlement unit (an institution, or a 医共体 settled as one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitResult {
    pub code: String,
    pub name: String,
    pub level: String,
    /// Member institutions when the unit is a 医共体.
    pub members: Vec<String>,
    /// Combined coefficient (institutions only).
    pub coefficient: Option<Decimal>,
    /// Its 基准点数 under a 弹性点值 rule with base `institution` (国家DIP3.0 第四章第三节一(二) 1), when
    /// its institutions give them; left out otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elastic_base_points: Option<Decimal>,
    /// The sub-budget it is settled in (吉林2024 第八条); left out when the fund has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_pool: Option<String>,
    pub points: PointsByKind,
    /// The unit's points (`points.total`) at full precision.
    #[serde(default, with = "report::exact")]
    pub points_exact: Decimal,
    pub cases: CaseCounts,
    #[serde(with = "report::money")]
    pub total_cost: Decimal,
    #[serde(with = "report::money")]
    pub personal_burden: Decimal,
    /// 先进医疗技术 cost paid outside DIP (宁德2024 第七条(一)).
    #[serde(with = "report::money")]
    pub excluded_cost: Decimal,
    /// points ÷ total points.
    pub share: Decimal,
    /// S, reconciled (SPEC §7).
    #[serde(with = "report::money")]
    pub settlement: Decimal,
    /// FS = S − personal burden.
    #[serde(with = "report::money")]
    pub fund_settlement: Decimal,
    /// The cost compared with S (C, or cost − personal under fund_only).
    #[serde(with = "report::money")]
    pub compared_cost: Decimal,
    /// (C − S) ÷ S, for display (the bands are tested by multiplication).
    pub gap_ratio: Option<Decimal>,
    pub band: BandPosition,
    /// T − S.
    #[serde(with = "report::money")]
    pub sharing: Decimal,
    /// T.
    #[serde(with = "report::money")]
    pub target: Decimal,
    /// T − personal burden (the fund's payment for the year before the payment flow).
    #[serde(with = "report::money")]
    pub fund_pays: Decimal,
    #[serde(with = "report::money")]
    pub deposit_withheld: Decimal,
    #[serde(with = "report::money")]
    pub deposit_returned: Decimal,
    #[serde(with = "report::money")]
    pub quality_reserve_returned: Decimal,
    /// 扣减质量保证金 the 年终调整 rows ask of the unit (信阳2019 三(七)); left out when zero.
    #[serde(default, with = "report::money", skip_serializing_if = "Decimal::is_zero")]
    pub quality_reserve_deduction: Decimal,
    /// What was deducted: at most the unit's quality reserve (flag
    /// `quality_reserve_deduction_capped` when less than asked); left out when zero.
    #[serde(default, with = "report::money", skip_serializing_if = "Decimal::is_zero")]
    pub quality_reserve_deducted: Decimal,
    #[serde(with = "report::money")]
    pub adjustment_fund: Decimal,
    #[serde(with = "report::money")]
    pub amount_adjustments: Decimal,
    /// Each year-end adjustment of the unit's institutions, by name, in input order (SPEC §7.2):
    /// their points are in `points.adjustments`, their amounts add up to `amount_adjustments`.
    #[serde(default)]
    pub adjustments: Vec<AdjustmentLine>,
    /// The cases each national rule touched, by kind (SPEC §12); left out when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub special_cases: Vec<SpecialCases>,
    /// Monthly prepayments and Q1–Q3 clearings, or the prepaid figure of the summary input.
    #[serde(with = "report::money")]
    pub prepaid: Decimal,
    /// 考核系数 from the policy's score bands (国家DIP3.0 第七章第三节一(四)); left out without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment_factor: Option<Decimal>,
    /// FS × (考核系数 − 1), part of the year-end amount; left out when zero.
    #[serde(default, with = "report::money", skip_serializing_if = "Decimal::is_zero")]
    pub assessment_adjustment: Decimal,
    /// 预付金 paid at the start of the year, set off in the year-end amount (第七章第二节一); left
    /// out when zero.
    #[serde(default, with = "report::money", skip_serializing_if = "Decimal::is_zero")]
    pub advance: Decimal,
    /// Year-end amount: positive = the fund pays, negative = to recover.
    #[serde(with = "report::money")]
    pub net_to_pay: Decimal,
    pub assessment_score: Decimal,
    pub months: Vec<PaymentLine>,
    pub quarters: Vec<PaymentLine>,
    pub flags: Vec<String>,
    pub trace: Vec<TraceLine>,
}

/// One labelled year-end adjustment as applied to a settlement unit (SPEC §7.2; 吉林2024 第二十七条,
/// 信阳2019 三(二)(三)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdjustmentLine {
    /// The institution it names (a member, when the unit is a 医共体).
    pub institution: String,
    /// Its name as the input gives it (审核扣款, 不可抗力补偿, …).
    pub label: String,
    /// 依据, as the input gives it (may be empty).
    pub basis: String,
    /// Year-end points added (negative: removed).
    #[serde(with = "report::points")]
    pub points: Decimal,
    /// Amount paid to the institution at year end (negative: deducted).
    #[serde(with = "report::money")]
    pub amount: Decimal,
}

/// How figures are reported when serialized (SPEC §2): the structs keep full precision, the
/// JSON shows money to the fen (always two places, half away from zero) and points to four
/// decimals. Deserializing reads the reported figure back.
pub mod report {
    use crate::engine::rounding::{round_money, round_points};
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    fn money_text(x: &Decimal) -> String {
        let mut r = round_money(*x);
        r.rescale(2);
        r.to_string()
    }

    pub mod money {
        use super::*;
        pub fn serialize<S: Serializer>(x: &Decimal, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&money_text(x))
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
            <Decimal as Deserialize>::deserialize(d)
        }
    }

    pub mod money_opt {
        use super::*;
        pub fn serialize<S: Serializer>(x: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
            x.as_ref().map(money_text).serialize(s)
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
            Option::<Decimal>::deserialize(d)
        }
    }

    pub mod money_vec {
        use super::*;
        pub fn serialize<S: Serializer>(x: &[Decimal], s: S) -> Result<S::Ok, S::Error> {
            x.iter().map(money_text).collect::<Vec<_>>().serialize(s)
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Decimal>, D::Error> {
            Vec::<Decimal>::deserialize(d)
        }
    }

    /// A figure at full precision (trailing zeros dropped): what the reported one was rounded from.
    pub mod exact {
        use super::*;
        pub fn serialize<S: Serializer>(x: &Decimal, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&x.normalize().to_string())
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
            <Decimal as Deserialize>::deserialize(d)
        }
    }

    pub mod points {
        use super::*;
        pub fn serialize<S: Serializer>(x: &Decimal, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(&round_points(*x).normalize().to_string())
        }
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
            <Decimal as Deserialize>::deserialize(d)
        }
    }
}
