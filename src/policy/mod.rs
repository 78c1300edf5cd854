//! Policy as data: every parameter of the budget and settlement rules (SPEC §3–§7), with the
//! article each value comes from in [`Policy::refs`].
//!
//! A policy file is JSON. Loading is strict: unknown keys, missing fields, rates outside their
//! range, forecast weights that do not sum to 1 are errors naming the field path
//! (`funds.employee.reserve.rate`). The field-by-field documentation is `docs/policy.md`.

mod presets;
mod validate;

pub use presets::{preset, preset_json, preset_names, PRESETS};
pub use validate::{leaf_paths, limits, PolicyError, PolicyIssue};

use crate::records::Fund;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The schema version this build reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// A complete policy: one region's rules for one year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Must equal [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Short name, e.g. "宁德2024".
    pub name: String,
    /// Human title (the document it implements).
    pub title: String,
    /// The settlement year.
    pub year: u16,
    /// The documents values cite: short name → file and title.
    pub sources: Vec<SourceDoc>,
    /// Per-fund budgets. A fund that is `null` is not settled (信阳2019 covers 居民 only).
    pub funds: Funds,
    pub coefficients: CoefficientPolicy,
    pub points: PointsPolicy,
    pub point_value: PointValuePolicy,
    pub settlement: SettlementPolicy,
    /// Provenance of each value, keyed by its field path (`funds.employee.reserve.rate`).
    pub refs: BTreeMap<String, Ref>,
}

/// A policy document values can cite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceDoc {
    /// Short name used in refs, e.g. "宁德2024".
    pub id: String,
    /// Where the text is kept, e.g. "seeds/000_66f294edffc764ac.txt".
    pub file: String,
    /// Full title with document number.
    pub title: String,
}

/// How sure we are of a value (SPEC preamble).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// The seed says it.
    Seed,
    /// Our reading of a seed sentence that admits another.
    Reading,
    /// Our choice where the seeds are silent.
    Default,
    /// Entered by the user (the page marks edited values so).
    User,
}

/// Where one value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ref {
    pub mark: Mark,
    /// Short name of the source document (`sources[].id`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Article, e.g. "第七条(一)".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
    /// A quote or explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Money units a policy amount may be entered in (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    #[serde(rename = "元")]
    Yuan,
    #[serde(rename = "万元")]
    WanYuan,
    #[serde(rename = "亿元")]
    YiYuan,
}

impl Unit {
    /// How many 元 one unit is.
    pub fn in_yuan(self) -> Decimal {
        match self {
            Unit::Yuan => Decimal::ONE,
            Unit::WanYuan => Decimal::from(10_000),
            Unit::YiYuan => Decimal::from(100_000_000),
        }
    }
}

/// A policy amount with its unit, converted exactly to 元 (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Amount {
    pub value: Decimal,
    pub unit: Unit,
}

impl Amount {
    pub fn yuan(value: Decimal) -> Self {
        Amount {
            value,
            unit: Unit::Yuan,
        }
    }

    /// The amount in 元, exact.
    pub fn to_yuan(self) -> Decimal {
        self.value * self.unit.in_yuan()
    }
}

/// A named amount: a deduction, an adjustment or an earmarked line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledAmount {
    pub label: String,
    pub amount: Amount,
}

/// A 年中/年终调整 of B_f: a named amount and when it takes effect (宁德2024 第十四条 "区域总额预算方案
/// 可合理调整", 吉林2024 第十八条 "年终调整后的…住院预算总额"). The year's B always includes it; the
/// monthly and quarterly budgets (and so the prepayments and Q1–Q3 clearings of SPEC §7.2) include it
/// only from its effective period on: periods before it keep the budget they were paid under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetAdjustment {
    pub label: String,
    pub amount: Amount,
    /// Absent or `null` = `year_start` (every period, as if known in January).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<Effective>,
}

/// When a budget adjustment takes effect (SPEC §7.2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Effective {
    /// Every period of the year: its months' budgets include it [default].
    #[default]
    YearStart,
    /// 年中: from this month (1–12) on; earlier months keep the budget they were paid under, and
    /// the adjustment is spread over the months from this one by the monthly profile.
    FromMonth { month: u8 },
    /// 年终: the year-end settlement only; no month's or quarter's budget includes it.
    YearEnd,
}

impl BudgetAdjustment {
    /// When it takes effect: `year_start` when not given.
    pub fn effective(&self) -> Effective {
        self.effective.unwrap_or_default()
    }
}

impl Effective {
    /// The first month (0-based) whose budget includes the adjustment; 12 = none (year end).
    pub fn first_month(&self) -> usize {
        match *self {
            Effective::YearStart => 0,
            Effective::FromMonth { month } => usize::from(month.clamp(1, 12)) - 1,
            Effective::YearEnd => 12,
        }
    }
}

/// The two funds' budgets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Funds {
    pub employee: Option<FundPolicy>,
    pub resident: Option<FundPolicy>,
}

impl Funds {
    pub fn get(&self, fund: Fund) -> Option<&FundPolicy> {
        match fund {
            Fund::Employee => self.employee.as_ref(),
            Fund::Resident => self.resident.as_ref(),
        }
    }

    pub fn get_mut(&mut self, fund: Fund) -> Option<&mut FundPolicy> {
        match fund {
            Fund::Employee => self.employee.as_mut(),
            Fund::Resident => self.resident.as_mut(),
        }
    }
}

/// One fund's budget waterfall (SPEC §3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundPolicy {
    /// 当年基金筹集总额 (raised_f). Needed by every reserve rule but `direct`.
    pub raised: Option<Amount>,
    /// 风险金 (reserve_f) rule.
    pub reserve: Reserve,
    /// Named deductions from A_f (大病补充保险保费, 不纳入DIP付费项目, …).
    pub deductions: Vec<LabelledAmount>,
    /// 质量保证金 held back for the year-end assessment (信阳2019 三(一)).
    pub quality_reserve: QualityReserve,
    /// The weighted forecast F_f; required by rule `min`.
    pub forecast: Option<Forecast>,
    /// How B_f is chosen.
    pub rule: BudgetRule,
    /// 年中/年终调整 added to B_f (宁德2024 第十四条, 吉林2024 第十八条), each from the period it
    /// takes effect in (SPEC §7.2).
    pub adjustments: Vec<BudgetAdjustment>,
    /// Labelled lines inside B_f (宁德2025答复 三: 1.2亿 for policy changes); informational.
    pub earmarks: Vec<LabelledAmount>,
    /// 门诊/住院 split (吉林2024 第八条).
    pub outpatient: OutpatientSplit,
    /// Historical fund share of total cost, for cost basis `fund_share_ratio` (吉林2024 第七条).
    pub fund_share_ratio: Option<Decimal>,
    /// Twelve monthly weights summing to 1 for period budgets; `null` = even (休宁2021 10).
    pub monthly_profile: Option<Vec<Decimal>>,
    /// 调剂金 second distribution (休宁2021 12), if used.
    pub adjustment_fund: Option<AdjustmentFund>,
    /// 医共体门诊统筹总额包干 (宁德2025答复 一 "对各医共体职工医保、城乡居民医保分别进行医保基金总额打包，
    /// 打包基金按月预拨、年终结算，并实行“总额包干、结余留用、合理超支分担”"): each 医共体's lump sum of
    /// this fund, settled against its outpatient fund cost. Empty = none; left out of the file when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alliance_lump_sums: Vec<AllianceLumpSum>,
    /// 预算总额细分 (吉林2024 第八条 "经办机构可根据经办工作实际情况，结合定点服务机构类型、等级等因素，
    /// 进一步进行预算总额细分"): the inpatient budget split into sub-pools by institution level or
    /// type, each with its own point value. Empty = one pool; left out of the file when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub_budgets: Vec<SubBudget>,
}

/// One sub-pool of a fund's inpatient budget (吉林2024 第八条): the institutions whose level is in
/// `levels` or whose 机构类别 is in `categories`, with a share of the inpatient budget or an amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubBudget {
    /// Its name, e.g. "三级医院" or "基层医疗机构".
    pub label: String,
    /// The institution levels (医保结算等级) it takes.
    #[serde(default)]
    pub levels: Vec<String>,
    /// The institution types (机构类别) it takes.
    #[serde(default)]
    pub categories: Vec<String>,
    /// Its share of what the amount sub-pools leave of the inpatient budget (0–1); the shares
    /// add up to 1. Exactly one of `share` and `amount`.
    #[serde(default)]
    pub share: Option<Decimal>,
    /// A fixed amount of the inpatient budget.
    #[serde(default)]
    pub amount: Option<Amount>,
}

/// One 医共体's outpatient lump sum for the year (宁德2025答复 一).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllianceLumpSum {
    /// The 医共体 as the institutions file names it.
    pub alliance: String,
    /// 打包基金 of the year (fund money).
    pub amount: Amount,
}

/// 风险金 rules (SPEC §3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Reserve {
    /// No reserve: A = raised.
    None,
    /// reserve = raised × rate (宁德2024 第七条).
    Rate { rate: Decimal },
    /// rate × the year's new funds, until the accumulated reserve reaches cap_rate × raised
    /// (休宁2021 8 居民, [reading]).
    NewFundsCapped {
        rate: Decimal,
        new_funds: Amount,
        accumulated: Amount,
        cap_rate: Decimal,
    },
    /// Keep the accumulated balance ≥ months × monthly spending (休宁2021 8 职工).
    MonthsOfSpending {
        months: Decimal,
        monthly_spending: Amount,
        balance: Amount,
    },
    /// A_f entered directly ("合理确定").
    Direct { available: Amount },
}

/// 质量保证金 (信阳2019 三(一)); rate 0 = none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityReserve {
    pub rate: Decimal,
    pub base: QualityReserveBase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QualityReserveBase {
    /// The amount left after the named deductions (P_f) [default].
    AfterDeductions,
    /// The amount available after the reserve (A_f).
    Available,
}

/// DIP 所涉基金支出预测额 (SPEC §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Forecast {
    /// Previous years' actual figures with weights summing to 1.
    pub history: Vec<HistoryYear>,
    /// Proposed growth rate g.
    pub proposed_growth: Decimal,
    /// 公立医院医疗费用增长率控制指标; `null` = no cap.
    pub growth_cap: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryYear {
    pub year: u16,
    pub amount: Amount,
    pub weight: Decimal,
}

/// How B_f is chosen from P_f and F_f (SPEC §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum BudgetRule {
    /// B = min(P, F) (宁德2024 第七条).
    Min,
    /// B = P.
    Packable,
    /// B given directly.
    Fixed { amount: Amount },
}

/// 门诊/住院 split of B_f (吉林2024 第八条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum OutpatientSplit {
    /// The whole budget is for inpatient points.
    None,
    /// Outpatient gets `share` of B_f.
    Share { share: Decimal },
    /// Outpatient gets a fixed amount.
    Amount { amount: Amount },
}

/// 调剂金 second distribution in proportion to points over the city's points (休宁2021 12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustmentFund {
    pub amount: Amount,
    /// All points of the city, which may include institutions not loaded; `null` = the loaded total.
    pub city_total_points: Option<Decimal>,
    /// The 调剂金's other uses, paid before the second distribution (休宁2021 12 "招标采购的药品及耗材激励、
    /// 不纳入医疗机构总额预算范围的…医保支出…以及其他特殊情况下医保费用的合理支出"). Left out when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uses: Vec<LabelledAmount>,
    /// The 调剂金, not the fund, pays the shared overspend of each 医共体 unit, up to what is left
    /// after `uses` (休宁2021 12 "紧密型县域医共体合理超支部分经考核后合理分担"); the rest of it is
    /// distributed by points. Left out when off.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pays_alliance_overspend: bool,
}

/// Coefficients (SPEC §4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoefficientPolicy {
    pub mode: CoefficientMode,
    /// Levels from highest to lowest with their base coefficient (used when the institution row
    /// leaves it empty). The order is checked: coefficients should fall with level (休宁2021 7).
    pub levels: Vec<LevelCoefficient>,
    pub range: CoefficientRange,
    pub grassroots: Grassroots,
    /// One institution's base coefficient set in the policy (institution code → coefficient), in
    /// place of its row's and its level's: what a hospital asks "what if ours were 0.95" with,
    /// without moving its whole level or re-importing the institution table. Each one is user
    /// input (its ref is marked `user`); absent or empty in every preset.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub overrides: BTreeMap<String, Decimal>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoefficientMode {
    /// base + Σ bonus − Σ deduction (宁德2025答复 二, [reading]).
    Sum,
    /// base × Π factor (吉林2024 第九条).
    Product,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelCoefficient {
    pub level: String,
    pub coefficient: Option<Decimal>,
}

/// 吉林2024 第九条(一) "原则上为0-200%".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoefficientRange {
    pub min: Decimal,
    pub max: Decimal,
    pub on_violation: Severity,
    /// Check the combined coefficient as well as each component [default].
    pub check_combined: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

/// 基层病种 (SPEC §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grassroots {
    /// Whether 基层病种 ignore the institution coefficient.
    pub enabled: bool,
    /// The coefficient they get (1: 同病同价同分值).
    pub coefficient: Decimal,
    /// Levels the rule applies to; `null` = all levels.
    pub levels: Option<Vec<String>>,
}

/// Points (SPEC §5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointsPolicy {
    /// Multiplies every point figure (吉林2024 ×10000).
    pub scale: Decimal,
    /// What an average case is worth in the catalog's units (1, 100 or 1000).
    pub base_points: Decimal,
    pub outliers: Outliers,
    /// Use the catalog's per-level reference cost when it has one for the institution's level.
    pub reference_cost_by_level: bool,
    /// A group without a reference cost (a catalog with scores and no 次均费用) takes score ×
    /// a stated reference point value (× the level's coefficient): SPEC §12, 费用超低 [reading].
    /// `null` = off: such a group's DIP cases are an error.
    #[serde(default)]
    pub reference_cost_from_score: Option<ReferenceCostFromScore>,
    /// Flag an institution whose 特例单议 applications exceed this share of its cases (吉林2024 第二十六条).
    pub review_share_limit: Decimal,
    /// Flag the region when its 特例单议 applications exceed this share of its DIP discharges
    /// (SPEC §12; 国家DIP3.0 appendix, 医保发〔2025〕18号 第二十条 "不超过统筹地区…DIP 出院总病例的
    /// 5‰"): absent = no region-wide check. Left out of the file when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_region_limit: Option<Decimal>,
    /// The share of a case's excluded cost (先进医疗技术, 新药新技术) the fund pays outside the DIP pool,
    /// at actual cost (宁德2024 第七条(一) "先进医疗技术应用在 DIP 付费中除外支付…实行据实结算"): absent =
    /// the excluded cost is reported without its fund part. Left out of the file when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excluded_fund_share: Option<Decimal>,
    /// 辅助分型调节系数 (SPEC §12; 国家DIP3.0 第五章第三节一 "辅助分型病例分值=该病例所属病种分值×医疗机构调节
    /// 系数×辅助分型调节系数"): a DIP case's score × the coefficient of its 辅助分型调节系数 column. Off =
    /// the column is not read. Left out of the file when off.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub subtype_coefficients: bool,
    /// 新药新技术加成分值 (SPEC §12; 国家DIP3.0 第五章第一节四(三), 第七章第三节一(二)): each case's
    /// 新药新技术加成分值 column added to its points as their own kind, × `scale`, not × the institution
    /// coefficient [reading]. Off = the column is not read. Left out of the file when off.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bonus_scores: bool,
    /// 非正常出院 (离院方式 among `codes`) priced as `pricing` says (SPEC §12; 国家DIP3.0 第五章第三节一
    /// "对存在费用异常、特殊情况相应情形的病例，可对病例的分值进行调校"). Absent = off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abnormal_discharge: Option<AbnormalDischarge>,
    /// A DIP case of at most `days` 住院天数 (以下, inclusive) priced as `pricing` says. Absent = off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_stay: Option<StayRule>,
    /// A DIP case of at least `days` 住院天数 (以上, inclusive) priced as `pricing` says (床日 for long
    /// stays: 国家DIP3.0 第一章第一节一 "需要长期住院治疗的，宜采用按床日付费"). Absent = off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long_stay: Option<StayRule>,
    /// 未入组病例: a DIP case whose group code is empty or not in the catalog, priced as this says
    /// (国家DIP3.0 第三章第三节三(三) 3 "地方应制定相应结算办法，其支付标准应与入组病例结算保持适当差距").
    /// Absent = off: such a case is an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ungrouped: Option<Pricing>,
    /// 既往三年全部病组次均住院费用 (元), the base cost of 床日 and 项目 points; required when
    /// such cases exist.
    pub base_cost: Option<Amount>,
    /// 平均报销比例 for 床日组日均医疗费用标准 (吉林2024 第十条).
    pub per_diem_reimbursement_ratio: Option<Decimal>,
    pub outpatient: OutpatientPoints,
}

/// 非正常出院 by 离院方式 (SPEC §12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AbnormalDischarge {
    /// The 医保结算清单 离院方式 codes that count: "2" 医嘱转院, "3" 医嘱转社区/乡镇卫生院, "4" 非医嘱
    /// 离院, "5" 死亡, "9" 其他 ("1" 医嘱离院 is allowed but is the normal discharge).
    pub codes: Vec<String>,
    pub pricing: Pricing,
}

/// A 住院天数 bound (SPEC §12): short stays at most `days`, long stays at least `days`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StayRule {
    pub days: Decimal,
    pub pricing: Pricing,
}

/// How a deviant case is priced (SPEC §12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pricing {
    pub method: PricingMethod,
    /// `cost_ratio`: the case is scored × its cost ratio whenever the ratio is at or below this
    /// (the low-outlier rule with L = ratio); `fee_for_service`: × this (1 = the item cost in full,
    /// below 1 the 适当差距 from grouped cases); `per_diem`: unused.
    pub ratio: Decimal,
    /// `per_diem`: the catalog's 床日组 whose daily standard prices the case; else `null`.
    #[serde(default)]
    pub per_diem_group: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PricingMethod {
    /// 按实际费用折算: group score × cost ÷ reference cost when the cost ratio ≤ `ratio` (SPEC §5.1's
    /// low rule with L = `ratio`); high outliers as usual.
    CostRatio,
    /// 按项目: cost × base_points ÷ base cost × `ratio` (SPEC §5.3).
    FeeForService,
    /// 按床日: the `per_diem_group`'s daily standard × days (SPEC §5.2).
    PerDiem,
}

/// Reference cost = score × reference point value × level coefficient (SPEC §12, 费用超低: the
/// same-level payment standard; 国家DIP3.0 第五章第三节二 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceCostFromScore {
    /// 元 per point: the year-start point value (SPEC §13) or last year's settled one.
    pub point_value: Decimal,
    /// The payment standard's coefficient per institution level; `[]` = none (× 1). When the
    /// list is not empty an institution whose level it lacks is an error.
    #[serde(default)]
    pub level_coefficients: Vec<LevelFactor>,
}

/// One level's coefficient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelFactor {
    pub level: String,
    pub coefficient: Decimal,
}

/// High and low cost outliers (SPEC §5.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outliers {
    /// H: a case with cost ratio ≥ H (or > H) is a high outlier.
    pub high_ratio: Decimal,
    pub high_inclusive: bool,
    /// L: a case with cost ratio ≤ L (or < L) is a low outlier.
    pub low_ratio: Decimal,
    pub low_inclusive: bool,
    /// Tiers of H by reference cost: the first tier whose `max_reference_cost` ≥ ref_g applies.
    pub high_tiers: Vec<HighTier>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HighTier {
    /// Upper bound of ref_g (元, inclusive).
    pub max_reference_cost: Decimal,
    pub high_ratio: Decimal,
}

/// Outpatient points (SPEC §5.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutpatientPoints {
    pub mode: OutpatientMode,
    /// Fund share used to turn capitation payments into a total medical price (吉林2024 第十三条).
    pub capitation_fund_share: Decimal,
    /// The fixed value of a capitation point (元).
    pub capitation_point_value: Decimal,
    /// Price ratios per fee-for-service category (吉林2024 第十四条).
    pub drugs_ratio: Decimal,
    pub consumables_ratio: Decimal,
    pub services_ratio: Decimal,
    /// Also settle each quarter at its own outpatient point value (吉林2024 第二十三条(二) "以季度门诊、
    /// 住院服务机构预算总额为基础…分别核定门诊、住院的季度结算点值"); needs outpatient records by month.
    /// Off = the year only. Left out of the file when off.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub quarterly: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutpatientMode {
    /// Capitation at the fixed value; floating PV = (budget − capitation) ÷ other points [default].
    FixedCapitation,
    /// 第十六条 literally: PV = budget ÷ all outpatient points, capitation still paid at 1.
    Literal,
}

/// Point value (SPEC §6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointValuePolicy {
    pub cost_basis: CostBasis,
    pub monthly: MonthlyPointValue,
    /// Decimals a reported point value keeps (at least 6 significant digits in any case).
    pub decimals: u32,
    /// 弹性点值 of the year's settlement (国家DIP3.0 第四章第三节一(二), 第五章第四节): a fixed base
    /// plus a floating part, and a floor or cap. Absent = pool ÷ points. Left out when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elastic: Option<ElasticPointValue>,
}

/// 弹性点值 (国家DIP3.0 第四章第三节一(二) 1 "基准总额与增量总额比例一般以 8:2 或 7:3 为宜", "浮动点值…并可
/// 设置合理上限，控制点值过度波动").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElasticPointValue {
    /// 基准总额 as a share of the pool (0.8 for 8:2); `null` = no split, the whole value floats.
    pub fixed_share: Option<Decimal>,
    /// 固定点值 of the 基准 part (元 per point); required with `fixed_share`.
    pub fixed_value: Option<Decimal>,
    /// Lowest floating point value (元 per point); `null` = none.
    pub floor: Option<Decimal>,
    /// Highest floating point value (元 per point); `null` = none.
    pub cap: Option<Decimal>,
    /// Where the 基准点数 come from: the region's share of the pool [default], or each
    /// institution's last-year reasonable service points (国家DIP3.0 第四章第三节一(二) 1 "基准部分以
    /// 上一年度医疗机构合理服务量为基础折算确定基准服务点数"). Left out when `region`.
    #[serde(default, skip_serializing_if = "ElasticBase::is_region")]
    pub base: ElasticBase,
}

/// The 基准点数 of a 弹性点值 rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElasticBase {
    /// 基准总额 = fixed_share × pool, bought at the fixed value: region-wide base points.
    #[default]
    Region,
    /// Each unit's base points from the institutions column 上年合理服务点数: its points up to them
    /// at the fixed value, the rest at the floating value.
    Institution,
}

impl ElasticBase {
    pub fn is_region(&self) -> bool {
        *self == ElasticBase::Region
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostBasis {
    /// pool = B + Σ personal burden [default].
    FundPlusPersonal,
    /// pool = B ÷ fund share ratio (吉林2024 第七条).
    FundShareRatio,
    /// pool = B.
    FundOnly,
    /// pool = B ÷ (Σ fund-booked ÷ Σ cost of the included cases), the ratio computed from the
    /// period's own data (国家DIP3.0 第七章第三节一(三), SPEC §12 结算点值).
    FundShareFromData,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonthlyPointValue {
    /// The month's budget ÷ the month's points [default].
    Month,
    /// Cumulative budget ÷ cumulative points.
    Cumulative,
}

/// Settlement (SPEC §7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettlementPolicy {
    pub mode: SettlementMode,
    /// Settle each institution, or each 医共体 as one unit (休宁2021 12–13).
    pub unit: SettlementUnit,
    pub risk_sharing: RiskSharing,
    pub deposit: Deposit,
    /// QC-failed cases in monthly/quarterly prepayment (吉林2024 第二十一条).
    pub qc_failed: QcFailed,
    /// Return of the quality reserve at year end (信阳2019 三(六)).
    pub quality_reserve_return: ReturnRule,
    /// Allotment mode parameters (信阳2019), required when `mode` is `allotment`.
    pub allotment: Option<Allotment>,
    /// Score bands of the return rule `bands` (信阳2019 三(六) 考核评估结果与质量保证金返还挂钩; 吉林2024
    /// 第二十七条 ¶3 倾斜 or 调减): absent = none. Left out of the file when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_bands: Option<Vec<ScoreBand>>,
    /// 考核系数 by score band, applied to each unit's annual fund settlement (国家DIP3.0 第七章第三节一(四)
    /// "〔∑(病例分值×结算点值×医保基金支付比例)〕×考核系数－∑审核扣减费用"): absent = 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment_factor: Option<Vec<ScoreBand>>,
    /// 预付金 (周转金) paid at the start of the year and set off at year end (国家DIP3.0 第七章第二节一
    /// "预付规模应在 1 个月左右"): absent = none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advance: Option<Advance>,
    /// 运行监测 indicators reported with the settlement (国家DIP3.0 第八章第二节二): absent = none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring: Option<Monitoring>,
}

/// The point values the 运行监测 indicators compare the year's with (国家DIP3.0 第八章第二节二(三)
/// "点值年度变异率、年初点值与结算点值差异率"); `null` leaves that indicator out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Monitoring {
    /// 年初点值 (元 a point; SPEC §13).
    pub year_start_point_value: Option<Decimal>,
    /// Last year's 结算点值 (元 a point).
    pub last_year_point_value: Option<Decimal>,
}

/// One band of an assessment table: a score at or above `min_score` (and below the band above)
/// gets `rate`. Bands run from the highest score down; a score below the last band gets 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreBand {
    /// The lowest score of the band (included: "≥").
    pub min_score: Decimal,
    /// The share returned, or the factor applied; above 1 raises (倾斜), at most 2.
    pub rate: Decimal,
}

/// 预付金 (国家DIP3.0 第七章第二节一).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advance {
    /// Months of fund payment advanced ("1 个月左右"): months ÷ 12 × the unit's last-year fund
    /// payment (institutions' 历史基金支付), or of this year's fund settlement when none is given.
    pub months: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettlementMode {
    /// Points × point value (区域点数法).
    Points,
    /// Per-institution allotment of the budget by history (信阳2019, SPEC §7.3).
    Allotment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettlementUnit {
    Institution,
    Alliance,
}

/// 合理结余留用、合理超支分担 (SPEC §7.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskSharing {
    pub enabled: bool,
    /// Cost above the settlement.
    pub overspend: SharingSide,
    /// Cost below the settlement.
    pub surplus: SharingSide,
    /// Which base the surplus side starts from.
    pub surplus_base: SurplusBase,
    /// Flag an institution within this distance (a fraction of S) of a band edge.
    pub near_edge: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharingSide {
    /// Bands in increasing order: the part of the gap up to `up_to` × S (inclusive) is shared at `share`.
    pub bands: Vec<Band>,
    pub beyond: Beyond,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub up_to: Decimal,
    pub share: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Beyond {
    /// Beyond the last band nothing is shared (the seed's cliff).
    Nothing,
    /// Beyond the last band the bands are still shared in full, no more.
    Capped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurplusBase {
    /// Reading (a): the fund pays the cost plus the shared part of the surplus.
    Cost,
    /// Reading (b): the institution returns the shared part of its surplus from S.
    Settlement,
}

/// 保证金 (吉林2024 第二十二条(五)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deposit {
    pub rate: Decimal,
    pub return_rule: ReturnRule,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnRule {
    /// Returned × assessment score / 100 [default].
    ByScore,
    /// Returned in full.
    Full,
    /// Not returned.
    Withheld,
    /// × the rate of the score's band in `settlement.return_bands` (信阳2019 三(六)); a rate above
    /// 1 returns more than was held (吉林2024 第二十七条 ¶3 倾斜).
    Bands,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QcFailed {
    /// Left out of monthly and quarterly prepayment.
    Exclude,
    /// Priced at the lowest weight of the catalog.
    LowestWeight,
}

/// 信阳2019 allotment (SPEC §7.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Allotment {
    /// Weights of the last years' reasonable fund payments, most recent first; sum to 1.
    pub history_weights: Vec<Decimal>,
    /// Tilt toward primary care: their shares × (1 + tilt), renormalised.
    pub primary_care_tilt: Decimal,
    /// Levels counted as primary care when the institution row does not say.
    pub primary_care_levels: Vec<String>,
    /// 信阳2019 三(二) "参考出院结算人次、人次人头比、次均住院天数、次均住院费用、床日费用等指标":
    /// each indicator's weight in the allotment share (the history share keeps 1 − Σ weights).
    /// Empty = none; left out of the file when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<IndicatorWeight>,
    /// How an allotment is spread over the months (信阳2019 三(三)): by the fund's monthly
    /// profile [default], or by each institution's own last-year months. Left out when
    /// `fund_profile`.
    #[serde(default, skip_serializing_if = "MonthlyShares::is_fund_profile")]
    pub monthly_shares: MonthlyShares,
}

/// One allotment indicator and its weight (信阳2019 三(二)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorWeight {
    pub indicator: Indicator,
    /// Its weight, 0–1; with the others at most 1.
    pub weight: Decimal,
}

/// The indicators of 信阳2019 三(二), each an institution column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// 出院结算人次: a share of the region's discharges (more is more).
    Discharges,
    /// 人次人头比: lower is better.
    VisitsPerPerson,
    /// 次均住院天数: lower is better.
    MeanDays,
    /// 次均住院费用: lower is better.
    MeanCost,
    /// 床日费用: lower is better.
    BedDayCost,
}

impl Indicator {
    /// The institutions file's field key of this indicator.
    pub fn key(self) -> &'static str {
        match self {
            Indicator::Discharges => "discharges",
            Indicator::VisitsPerPerson => "visits_per_person",
            Indicator::MeanDays => "mean_days",
            Indicator::MeanCost => "mean_cost",
            Indicator::BedDayCost => "bed_day_cost",
        }
    }

    /// Its column name in the institutions file.
    pub fn label_zh(self) -> &'static str {
        match self {
            Indicator::Discharges => "出院结算人次",
            Indicator::VisitsPerPerson => "人次人头比",
            Indicator::MeanDays => "次均住院天数",
            Indicator::MeanCost => "次均住院费用",
            Indicator::BedDayCost => "床日费用",
        }
    }
}

/// Whose months spread an allotment (信阳2019 三(三)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonthlyShares {
    /// The fund's `monthly_profile` (even months without one) for every institution.
    #[default]
    FundProfile,
    /// Each institution's last-year months (institutions: 上年各月统筹费用); an institution
    /// without them takes the fund's profile, with a notice.
    Institution,
}

impl MonthlyShares {
    pub fn is_fund_profile(&self) -> bool {
        *self == MonthlyShares::FundProfile
    }
}

impl Policy {
    /// Parse a policy from JSON, strictly, and validate it. Every error names the field path.
    pub fn from_json(text: &str) -> Result<Policy, PolicyError> {
        validate::parse_and_validate(text)
    }

    /// The policy as pretty JSON (decimals as strings), the same form [`Policy::from_json`] reads.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Check an in-memory policy (the page edits one field at a time).
    pub fn validate(&self) -> Result<Vec<PolicyIssue>, PolicyError> {
        validate::validate(self)
    }

    /// Provenance of a field path, if recorded.
    pub fn reference(&self, path: &str) -> Option<&Ref> {
        self.refs.get(path)
    }
}
