//! Typed input records: what the input layer produces and the engine consumes.
//!
//! Every money figure is in 元 and every figure is a [`Decimal`]. Nothing here reads files:
//! `crate::input` turns bytes into these records, with located errors. [`cases::CaseTable`] is
//! the compact form of the case records that both the input layer fills and the engine reads.

pub mod cases;

use crate::exact_sum::ExactSum;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The two insurance funds, budgeted and settled separately (SPEC §1, 宁德2024 第二条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fund {
    /// 职工 (城镇职工基本医疗保险, insutype 310).
    Employee,
    /// 居民 (城乡居民基本医疗保险, insutype 390).
    Resident,
}

impl Fund {
    pub const ALL: [Fund; 2] = [Fund::Employee, Fund::Resident];

    /// The Chinese label used in data files and on the page.
    pub fn label_zh(self) -> &'static str {
        match self {
            Fund::Employee => "职工",
            Fund::Resident => "居民",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Fund::Employee => "employee",
            Fund::Resident => "resident",
        }
    }
}

/// How a case is paid (结算类型).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    /// DIP/DRG disease-group case (病种/病组, SPEC §5.1).
    Dip,
    /// 床日 per-diem case (SPEC §5.2, 吉林2024 第十条).
    PerDiem,
    /// 项目 fee-for-service case (SPEC §5.3, 吉林2024 第十一条).
    FeeForService,
}

/// 特例单议: an application for special review, and what the review decided (SPEC §5.1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    /// The institution applied for review (counts toward the 3% flag whatever the outcome).
    pub applied: bool,
    /// A score set by the review, replacing the computed score (休宁2021 11).
    pub score: Option<Decimal>,
    /// A change in points after coefficient and scale (吉林2024 第二十六条).
    pub points_delta: Option<Decimal>,
}

/// One discharged inpatient case (or one settled stay).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// 机构编码.
    pub institution: String,
    /// 险种.
    pub fund: Fund,
    /// 结算类型.
    pub kind: CaseKind,
    /// 病种编码 for DIP cases, 床日组编码 for per-diem cases, empty for fee-for-service.
    pub group: String,
    /// 医疗总费用 (元).
    pub total_cost: Decimal,
    /// 个人负担 (元): total cost − fund payments (SPEC §7).
    pub personal_burden: Decimal,
    /// 先进医疗技术 cost paid outside DIP (元), removed from the case's cost (宁德2024 第七条(一)).
    pub excluded_cost: Decimal,
    /// 住院天数 (per-diem cases use it).
    pub days: Decimal,
    /// Settlement month, 1–12 (from 结算日期).
    pub month: u8,
    /// 特例单议.
    pub review: Review,
    /// 清单质控通过. A failed case is held out of prepayment (SPEC §7.2).
    pub qc_passed: bool,
    /// A failed case supplemented before year end comes back at year end (吉林2024 第二十一条).
    pub supplemented: bool,
    /// Where the record came from (1-based row as the user sees it), for tracing. 0 = unknown.
    #[serde(default)]
    pub source_row: u64,
    /// 离院方式, 辅助分型调节系数 and 新药新技术加成分值, when the file gives them (SPEC §12).
    #[serde(default, skip_serializing_if = "CaseExtras::is_empty")]
    pub extras: CaseExtras,
}

/// What a case may carry for the national rules (SPEC §12; 国家DIP3.0 第五章): each `None`
/// when the file does not give it, and then no rule reads it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseExtras {
    /// 离院方式 as the 医保结算清单 codes it: 1 医嘱离院, 2 医嘱转院, 3 医嘱转社区卫生服务机构/乡镇卫生院,
    /// 4 非医嘱离院, 5 死亡, 9 其他 (国家DIP3.0 第二章第二节一(二) 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discharge: Option<u8>,
    /// 辅助分型调节系数 of the case (国家DIP3.0 第五章第二节二, 第三节一).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subtype_coefficient: Option<Decimal>,
    /// 新药新技术加成分值 of the case, in the catalog's score units (第五章第一节四(三)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bonus_score: Option<Decimal>,
}

impl CaseExtras {
    pub fn is_empty(&self) -> bool {
        *self == CaseExtras::default()
    }
}

/// The 离院方式 codes of the 医保结算清单 (国家DIP3.0 第二章第二节一(二) 2 "离院方式").
pub const DISCHARGE_CODES: [u8; 6] = [1, 2, 3, 4, 5, 9];

/// One row of the DIP catalog (病种目录库).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// 病种编码.
    pub code: String,
    /// 病种名称.
    pub name: String,
    /// 病种分值 / 权重 RW_g.
    pub score: Decimal,
    /// 基层病种: not adjusted by the institution coefficient (SPEC §4).
    pub grassroots: bool,
    /// 上一年度次均医疗总费用 ref_g (元), for the cost ratio.
    pub reference_cost: Decimal,
    /// Optional per-level reference costs (level name → 元); the institution's level is used.
    #[serde(default)]
    pub reference_cost_by_level: Vec<(String, Decimal)>,
    /// The catalog's 病种类型 (核心病种, 综合病种 …), when it states one (SPEC §12, year's points).
    #[serde(default)]
    pub category: Option<GroupCategory>,
}

/// A group's kind in a DIP catalog, its 病种类型: 核心病种 and 综合病种 (国家DIP2.0; 综合病种 in its
/// four kinds), 核心病种 in three tiers as some cities publish them, 基层病种 and 中医优势病种
/// (SPEC §12, year's points = 核心 + 综合 + 中医优势 + 基层 + …). Not the payment type (DIP / 床日).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupCategory {
    /// 核心病种.
    Core,
    /// 一级核心病种.
    CoreTier1,
    /// 二级核心病种.
    CoreTier2,
    /// 三级核心病种.
    CoreTier3,
    /// 综合病种.
    Comprehensive,
    /// 综合病种：保守治疗组.
    ComprehensiveConservative,
    /// 综合病种：诊断性操作组.
    ComprehensiveDiagnostic,
    /// 综合病种：治疗性操作组.
    ComprehensiveTherapeutic,
    /// 综合病种：相关手术组.
    ComprehensiveSurgical,
    /// 基层病种.
    Grassroots,
    /// 中医优势病种.
    Tcm,
}

impl GroupCategory {
    pub const ALL: [GroupCategory; 11] = [
        GroupCategory::Core,
        GroupCategory::CoreTier1,
        GroupCategory::CoreTier2,
        GroupCategory::CoreTier3,
        GroupCategory::Comprehensive,
        GroupCategory::ComprehensiveConservative,
        GroupCategory::ComprehensiveDiagnostic,
        GroupCategory::ComprehensiveTherapeutic,
        GroupCategory::ComprehensiveSurgical,
        GroupCategory::Grassroots,
        GroupCategory::Tcm,
    ];

    /// The name catalogs use.
    pub fn label_zh(self) -> &'static str {
        match self {
            GroupCategory::Core => "核心病种",
            GroupCategory::CoreTier1 => "一级核心病种",
            GroupCategory::CoreTier2 => "二级核心病种",
            GroupCategory::CoreTier3 => "三级核心病种",
            GroupCategory::Comprehensive => "综合病种",
            GroupCategory::ComprehensiveConservative => "综合病种（保守治疗组）",
            GroupCategory::ComprehensiveDiagnostic => "综合病种（诊断性操作组）",
            GroupCategory::ComprehensiveTherapeutic => "综合病种（治疗性操作组）",
            GroupCategory::ComprehensiveSurgical => "综合病种（相关手术组）",
            GroupCategory::Grassroots => "基层病种",
            GroupCategory::Tcm => "中医优势病种",
        }
    }

    /// The English name.
    pub fn label_en(self) -> &'static str {
        match self {
            GroupCategory::Core => "core group",
            GroupCategory::CoreTier1 => "core group, tier 1",
            GroupCategory::CoreTier2 => "core group, tier 2",
            GroupCategory::CoreTier3 => "core group, tier 3",
            GroupCategory::Comprehensive => "comprehensive group",
            GroupCategory::ComprehensiveConservative => "comprehensive group (conservative treatment)",
            GroupCategory::ComprehensiveDiagnostic => "comprehensive group (diagnostic procedure)",
            GroupCategory::ComprehensiveTherapeutic => "comprehensive group (therapeutic procedure)",
            GroupCategory::ComprehensiveSurgical => "comprehensive group (related surgery)",
            GroupCategory::Grassroots => "grassroots group",
            GroupCategory::Tcm => "TCM-advantage group",
        }
    }
}

/// One 床日 (per-diem) group with its daily fund standard (吉林2024 第十条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerDiemGroup {
    /// 床日组编码.
    pub code: String,
    /// 床日组名称.
    pub name: String,
    /// 日均统筹基金支付标准 (元 per day).
    pub daily_fund_standard: Decimal,
}

/// The catalog: DIP groups and 床日 groups.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub groups: Vec<Group>,
    #[serde(default)]
    pub per_diem_groups: Vec<PerDiemGroup>,
}

/// A designated institution (定点医疗机构) and its coefficient components (SPEC §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Institution {
    /// 机构编码.
    pub code: String,
    /// 机构名称.
    pub name: String,
    /// 医保结算等级 (三甲, 三乙, 二甲, 二乙, 一级, or a level the policy defines).
    pub level: String,
    /// 医共体 this institution belongs to, if any.
    #[serde(default)]
    pub alliance: Option<String>,
    /// 基本调节系数; `None` = take it from the policy's level table.
    #[serde(default)]
    pub base_coefficient: Option<Decimal>,
    /// 加成权重系数 (mode "sum").
    #[serde(default)]
    pub bonuses: Vec<Decimal>,
    /// 扣减权重系数 (mode "sum").
    #[serde(default)]
    pub deductions: Vec<Decimal>,
    /// Multiplicative factors (mode "product", 吉林2024 第九条).
    #[serde(default)]
    pub factors: Vec<Decimal>,
    /// 年度考核得分 0–100 (deposit and quality reserve return, SPEC §7.2, §7.4). `None` = 100.
    #[serde(default)]
    pub assessment_score: Option<Decimal>,
    /// 基层医疗卫生机构 (allotment tilt, 信阳2019 三(二)). `None` = the policy decides by level.
    #[serde(default)]
    pub primary_care: Option<bool>,
    /// Reasonable fund payments of past years, most recent first (allotment mode, SPEC §7.3).
    #[serde(default)]
    pub history: Vec<Decimal>,
    /// The budget rules' other columns: 机构类别 (sub-budgets), the allotment indicators and
    /// last year's months (信阳2019 三(二)(三)). Left out of JSON when all are empty.
    #[serde(default, skip_serializing_if = "BudgetInputs::is_empty")]
    pub budget_inputs: BudgetInputs,
}

/// An institution's columns for the budget rules beyond points (吉林2024 第八条; 信阳2019 三(二)(三)).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetInputs {
    /// 机构类别 (综合医院, 专科医院, 中医医院, 基层…): assigns the institution to a sub-budget
    /// by type (吉林2024 第八条 "结合定点服务机构类型、等级等因素，进一步进行预算总额细分").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The allotment indicators of 信阳2019 三(二), last year's figures.
    #[serde(default, skip_serializing_if = "AllotmentIndicators::is_empty")]
    pub indicators: AllotmentIndicators,
    /// 上年合理服务点数: last year's reasonable service points, the institution's 基准点数 under a
    /// 弹性点值 rule with base `institution` (国家DIP3.0 第四章第三节一(二) 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_points: Option<Decimal>,
    /// Last year's fund amount incurred in each month (上年度各月统筹费用发生数, 12 amounts, January
    /// first), for its monthly allotment (信阳2019 三(三)); empty = not given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub last_year_months: Vec<Decimal>,
}

impl BudgetInputs {
    pub fn is_empty(&self) -> bool {
        self.category.is_none()
            && self.indicators.is_empty()
            && self.last_year_months.is_empty()
            && self.base_points.is_none()
    }
}

/// 信阳2019 三(二) "参考出院结算人次、人次人头比、次均住院天数、次均住院费用、床日费用等指标": one
/// institution's last-year figures, each `None` when the row leaves it empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllotmentIndicators {
    /// 出院结算人次.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discharges: Option<Decimal>,
    /// 人次人头比 (discharges per distinct patient).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visits_per_person: Option<Decimal>,
    /// 次均住院天数.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_days: Option<Decimal>,
    /// 次均住院费用 (元).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_cost: Option<Decimal>,
    /// 床日费用 (元 a day).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bed_day_cost: Option<Decimal>,
}

impl AllotmentIndicators {
    pub fn is_empty(&self) -> bool {
        self.all().iter().all(|(_, v)| v.is_none())
    }

    /// (field key, value) of each indicator, in the table's order.
    pub fn all(&self) -> [(&'static str, Option<Decimal>); 5] {
        [
            ("discharges", self.discharges),
            ("visits_per_person", self.visits_per_person),
            ("mean_days", self.mean_days),
            ("mean_cost", self.mean_cost),
            ("bed_day_cost", self.bed_day_cost),
        ]
    }
}

/// Per institution and fund totals, for a hospital that knows only its own totals and the
/// published figures (no case-level data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstitutionSummary {
    /// 机构编码.
    pub institution: String,
    /// 险种.
    pub fund: Fund,
    /// Month 1–12, or `None` for the whole year.
    #[serde(default)]
    pub month: Option<u8>,
    /// 总点数 (already including coefficients and scale).
    pub points: Decimal,
    /// 医疗总费用 (元).
    pub total_cost: Decimal,
    /// 个人负担 (元).
    pub personal_burden: Decimal,
    /// 已预付 (元): what the fund has already paid this year.
    #[serde(default)]
    pub prepaid: Option<Decimal>,
    /// Number of cases, if known.
    #[serde(default)]
    pub cases: Option<u64>,
}

/// Outpatient figures of one institution and fund (SPEC §5.4, 吉林2024 第十三–十六条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutpatientRecord {
    pub institution: String,
    pub fund: Fund,
    /// Month 1–12, or `None` for the whole year.
    #[serde(default)]
    pub month: Option<u8>,
    /// Agreed capitation payment (元, fund money) (人头付费).
    #[serde(default)]
    pub capitation_payment: Decimal,
    /// Fee-for-service amounts by category (元).
    #[serde(default)]
    pub drugs: Decimal,
    #[serde(default)]
    pub consumables: Decimal,
    #[serde(default)]
    pub services: Decimal,
    /// Other outpatient points (门诊慢特病 etc.), already points.
    #[serde(default)]
    pub other_points: Decimal,
    /// 医疗总费用 and 个人负担 of these outpatient visits (元).
    #[serde(default)]
    pub total_cost: Decimal,
    #[serde(default)]
    pub personal_burden: Decimal,
}

/// A labelled year-end adjustment of one institution (SPEC §7.2), one row of the 年终调整 table:
/// audit deductions (信阳2019 三(三), 吉林2024 第三十二条), 预分额度 changes and compensation for
/// policy changes or force majeure (信阳2019 三(二)), year-end point adjustments (吉林2024
/// 第二十七条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstitutionAdjustment {
    pub institution: String,
    pub fund: Fund,
    /// What it is, e.g. "审核扣款" or "政策调整补偿".
    pub label: String,
    /// A change in year-end points, after coefficient and scale (吉林2024 第二十七条): it changes
    /// the fund's point value for every institution.
    #[serde(default)]
    pub points: Decimal,
    /// A change in the amount paid (元): negative for audit deductions (信阳2019 三(三)). Paid to
    /// (or recovered from) this institution only, after risk sharing.
    #[serde(default)]
    pub amount: Decimal,
    /// 依据: the decision, document or article behind it, as the user wrote it.
    #[serde(default)]
    pub basis: String,
    /// 扣减质量保证金 (元, ≥ 0): taken from this institution's share of the quality reserve before
    /// it is returned by assessment, at most that share (信阳2019 三(七) "视情节轻重予以扣减质量保证金").
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    pub quality_reserve_deduction: Decimal,
}

/// One row of 区域公布数据: what the bureau published for one month and fund (SPEC §11;
/// 宁德2025答复 二 "按月…公布预结算点值"). At least one of the point value and the region's points
/// is given; the region's points are 区域总点数, else the month's budget ÷ the point value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedMonth {
    /// 险种.
    pub fund: Fund,
    /// Month 1–12.
    pub month: u8,
    /// 点值 (月度/预结算点值), above zero.
    #[serde(default)]
    pub point_value: Option<Decimal>,
    /// 区域总点数 of the month.
    #[serde(default)]
    pub region_points: Option<Decimal>,
    /// 月度预算 (元).
    #[serde(default)]
    pub monthly_budget: Option<Decimal>,
    /// The row as the user sees it (0 = unknown).
    #[serde(default)]
    pub source_row: u64,
}

/// Everything the engine settles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dataset {
    pub institutions: Vec<Institution>,
    pub catalog: Catalog,
    /// The cases, compact (in JSON, a list of [`Case`] records).
    #[serde(default, with = "cases::case_list")]
    pub cases: cases::CaseTable,
    #[serde(default)]
    pub summaries: Vec<InstitutionSummary>,
    #[serde(default)]
    pub outpatient: Vec<OutpatientRecord>,
    #[serde(default)]
    pub adjustments: Vec<InstitutionAdjustment>,
}

impl Dataset {
    /// A copy of everything but the cases (a year's cases are the bulk of a dataset: settling
    /// other cases against the same institutions and catalog needs no copy of them).
    pub fn without_cases(&self) -> Dataset {
        Dataset {
            institutions: self.institutions.clone(),
            catalog: self.catalog.clone(),
            cases: cases::CaseTable::new(),
            summaries: self.summaries.clone(),
            outpatient: self.outpatient.clone(),
            adjustments: self.adjustments.clone(),
        }
    }
}

/// The largest magnitude each kind of record value may have, checked before the engine sees a
/// record ([`OutOfRange`]): the input layer's cross-file check (`input::check_dataset`, which
/// the command line, the page's session and `publish` call) and the engine's per-case pass
/// both apply them. Each is a range a real region's data can have, with room to spare, and
/// together with the policy limits (`crate::policy::limits`) they keep every sum and product
/// of a settlement far below `Decimal`'s ceiling (about 7.9 × 10²⁸). `docs/import.md` lists
/// them with the same reasons.
pub mod limits {
    use rust_decimal::Decimal;

    /// A case's 医疗总费用, 个人负担 or 先进医疗技术 cost, in 元: 1 亿元. The dearest treatments
    /// cost a few million 元 a stay; a figure above this is a misread column or a unit error.
    pub fn case_money() -> Decimal {
        Decimal::new(100_000_000, 0)
    }

    /// The sum of all cases' costs (and, separately, of their personal burdens) in a dataset,
    /// in 元: 10 万亿元, more than a year of the whole country's medical spending. With it a
    /// pool (budget plus personal burden) stays below 2 × 10¹³ 元.
    pub fn dataset_money() -> Decimal {
        Decimal::new(10_000_000_000_000, 0)
    }

    /// The sum of all cases' 住院天数: 10¹⁰ bed-days, several times a year of the whole
    /// country's hospital beds. It bounds the points 床日 cases can add up to.
    pub fn dataset_days() -> Decimal {
        Decimal::new(10_000_000_000, 0)
    }

    /// 住院天数 of one case: 36,600 days (a century).
    pub fn case_days() -> Decimal {
        Decimal::new(36_600, 0)
    }

    /// A group's score RW_g, or a score set by 特例单议: 10⁶. Catalogs on the ×1000 scale give
    /// the dearest groups scores of a few ten thousand.
    pub fn score() -> Decimal {
        Decimal::new(1_000_000, 0)
    }

    /// A case's 辅助分型调节系数: above 0, at most 10 (the coefficients' limit; the national
    /// text's subtypes run to a few times the group's mean).
    pub fn subtype_coefficient() -> Decimal {
        Decimal::TEN
    }

    /// The smallest reference cost ref_g (元): it divides a case's cost, so it must not be
    /// tiny; no group's average stay costs less than 1 元. The largest is [`case_money`].
    pub fn min_reference_cost() -> Decimal {
        Decimal::ONE
    }

    /// A 床日 group's daily fund standard (元 a day): 10⁵. Real standards are hundreds to a few
    /// thousand 元.
    pub fn daily_standard() -> Decimal {
        Decimal::new(100_000, 0)
    }

    /// Any coefficient component of an institution (基本, 加成, 扣减, 连乘), the sum of its
    /// 加成 and 扣减 magnitudes and the product of its 连乘 factors: 10 (1000%), five times
    /// 吉林2024 第九条(一)'s "0-200%". A combined coefficient is then at most 100.
    pub fn coefficient() -> Decimal {
        Decimal::TEN
    }

    /// An amount of a whole institution or year (a summary's cost, burden or prepayment, an
    /// outpatient record's amounts, an adjustment, a year of history), in 元: 1 万亿元, the
    /// policy's money limit.
    pub fn institution_money() -> Decimal {
        Decimal::new(1_000_000_000_000, 0)
    }

    /// Points of a summary, an outpatient record, an adjustment or one 特例单议 change: 10¹⁵,
    /// a thousand times a province's year at 吉林2024's ×10000 scale.
    pub fn points() -> Decimal {
        Decimal::new(1_000_000_000_000_000, 0)
    }
}

/// A record value beyond its limit ([`limits`]): the field key (as in `docs/import.md`), the
/// value, the limit, and the row the record came from when it is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutOfRange {
    pub field: String,
    pub value: Decimal,
    /// The largest magnitude allowed (or, with `below`, the smallest value).
    pub limit: Decimal,
    /// The value is below the smallest allowed (a divisor), not above the largest.
    #[serde(default)]
    pub below: bool,
    pub row: Option<u64>,
    /// The record's code (institution or group), when there is no row.
    #[serde(default)]
    pub code: Option<String>,
}

#[inline]
fn over(field: &str, value: Decimal, limit: Decimal) -> Option<OutOfRange> {
    // |value| = mantissa ÷ 10^scale ≤ mantissa: a mantissa within a whole-number limit is within
    // it, the answer for nearly every value, without a `Decimal` comparison.
    if limit.scale() == 0 && value.mantissa().unsigned_abs() <= limit.mantissa().unsigned_abs() {
        return None;
    }
    (value.abs() > limit).then(|| OutOfRange {
        field: field.into(),
        value,
        limit,
        below: false,
        row: None,
        code: None,
    })
}

/// Each value of a case against its limit (the first one beyond it). Takes the fields rather
/// than a [`Case`], so the engine's compact case rows are checked the same way.
pub fn check_case_values(
    total_cost: Decimal,
    personal_burden: Decimal,
    excluded_cost: Decimal,
    days: Decimal,
    review_score: Option<Decimal>,
    review_delta: Option<Decimal>,
) -> Option<OutOfRange> {
    let money = limits::case_money();
    over("total_cost", total_cost, money)
        .or_else(|| over("personal_burden", personal_burden, money))
        .or_else(|| over("excluded_cost", excluded_cost, money))
        .or_else(|| over("days", days, limits::case_days()))
        .or_else(|| review_score.and_then(|s| over("review_score", s, limits::score())))
        .or_else(|| review_delta.and_then(|p| over("review_points_delta", p, limits::points())))
}

/// A case's 辅助分型调节系数 (above 0, at most [`limits::subtype_coefficient`]) and 加成分值
/// (0 to [`limits::score`]) against their limits.
pub fn check_case_extras(x: &CaseExtras) -> Option<OutOfRange> {
    let k = x.subtype_coefficient.and_then(|k| {
        if k <= Decimal::ZERO {
            Some(OutOfRange {
                field: "subtype_coefficient".into(),
                value: k,
                limit: Decimal::ZERO,
                below: true,
                row: None,
                code: None,
            })
        } else {
            over("subtype_coefficient", k, limits::subtype_coefficient())
        }
    });
    k.or_else(|| x.bonus_score.and_then(|b| over("bonus_score", b, limits::score())))
}

/// Running sums of the cases' costs and personal burdens against [`limits::dataset_money`], and
/// of their days against [`limits::dataset_days`].
/// Each case is within [`limits::case_money`], so the sums cannot overflow before they pass the
/// limit.
#[derive(Debug, Clone, Copy, Default)]
pub struct CaseTotals {
    cost: RunningTotal,
    personal: RunningTotal,
    days: RunningTotal,
}

impl CaseTotals {
    /// Add one case (already within the per-case limits); the first sum beyond its limit.
    pub fn add(&mut self, total_cost: Decimal, personal_burden: Decimal, days: Decimal) -> Option<OutOfRange> {
        self.cost.add(total_cost.abs());
        self.personal.add(personal_burden.abs());
        self.days.add(days.abs());
        let limit = limits::dataset_money();
        self.cost
            .over("total_cost", limit)
            .or_else(|| self.personal.over("personal_burden", limit))
            .or_else(|| self.days.over("days", limits::dataset_days()))
    }
}

/// A sum of [`CaseTotals`]: in integers while it can be, the same `Decimal` as `+=` would give
/// ([`ExactSum`]); as a `Decimal` from the first term it cannot take.
#[derive(Debug, Clone, Copy)]
enum RunningTotal {
    Exact(ExactSum),
    Decimal(Decimal),
}

impl Default for RunningTotal {
    fn default() -> Self {
        RunningTotal::Exact(ExactSum::default())
    }
}

impl RunningTotal {
    #[inline]
    fn add(&mut self, term: Decimal) {
        match self {
            RunningTotal::Exact(sum) => {
                if !sum.add(term) {
                    *self = RunningTotal::Decimal(sum.get() + term);
                }
            }
            RunningTotal::Decimal(sum) => *sum += term,
        }
    }

    #[inline]
    fn over(&self, field: &str, limit: Decimal) -> Option<OutOfRange> {
        match self {
            RunningTotal::Exact(sum) => sum.exceeds(limit).then(|| over(field, sum.get(), limit)).flatten(),
            RunningTotal::Decimal(sum) => over(field, *sum, limit),
        }
    }
}

impl Case {
    /// [`check_case_values`] for a case record, with its row.
    pub fn out_of_range(&self) -> Option<OutOfRange> {
        let r = &self.review;
        check_case_values(
            self.total_cost,
            self.personal_burden,
            self.excluded_cost,
            self.days,
            r.score,
            r.points_delta,
        )
        .or_else(|| check_case_extras(&self.extras))
        .map(|e| OutOfRange {
            row: (self.source_row > 0).then_some(self.source_row),
            ..e
        })
    }
}

impl Group {
    /// The score and reference costs against their limits; the group's code names it.
    pub fn out_of_range(&self) -> Option<OutOfRange> {
        let costs = std::iter::once(self.reference_cost).chain(self.reference_cost_by_level.iter().map(|(_, c)| *c));
        over("score", self.score, limits::score())
            .or_else(|| {
                costs
                    .clone()
                    .find_map(|c| over("reference_cost", c, limits::case_money()))
            })
            .or_else(|| {
                costs
                    .into_iter()
                    // 0: not given (a catalog without 次均费用); the engine derives it from the
                    // score when the policy says so (points.reference_cost_from_score), else refuses.
                    .find(|c| !c.is_zero() && *c < limits::min_reference_cost())
                    .map(|c| OutOfRange {
                        field: "reference_cost".into(),
                        value: c,
                        limit: limits::min_reference_cost(),
                        below: true,
                        row: None,
                        code: None,
                    })
            })
            .map(|e| OutOfRange {
                code: Some(self.code.clone()),
                ..e
            })
    }
}

impl PerDiemGroup {
    pub fn out_of_range(&self) -> Option<OutOfRange> {
        over(
            "daily_fund_standard",
            self.daily_fund_standard,
            limits::daily_standard(),
        )
        .map(|e| OutOfRange {
            code: Some(self.code.clone()),
            ..e
        })
    }
}

impl Institution {
    /// Every coefficient component within [`limits::coefficient`], the product of the 连乘
    /// factors too (checked as it grows, so it cannot overflow); history and score in range.
    pub fn out_of_range(&self) -> Option<OutOfRange> {
        let coef = limits::coefficient();
        let components = (self.base_coefficient.iter().map(|c| ("base_coefficient", *c)))
            .chain(self.bonuses.iter().map(|c| ("bonuses", *c)))
            .chain(self.deductions.iter().map(|c| ("deductions", *c)));
        let mut product = Decimal::ONE;
        let factors = self.factors.iter().find_map(|f| {
            over("factors", *f, coef).or_else(|| {
                product *= f.abs();
                over("factors", product, coef)
            })
        });
        let mut components = components;
        let mut bonus_sum = Decimal::ZERO;
        let bonuses = self.bonuses.iter().chain(&self.deductions).find_map(|b| {
            bonus_sum += b.abs();
            over("bonuses", bonus_sum, coef)
        });
        components
            .find_map(|(field, c)| over(field, c, coef))
            .or(factors)
            .or(bonuses)
            .or_else(|| {
                self.history
                    .iter()
                    .find_map(|h| over("history", *h, limits::institution_money()))
            })
            .or_else(|| {
                self.assessment_score
                    .and_then(|s| over("assessment_score", s, Decimal::ONE_HUNDRED))
            })
            .or_else(|| {
                let b = &self.budget_inputs;
                b.last_year_months
                    .iter()
                    .find_map(|m| over("last_year_months", *m, limits::institution_money()))
                    .or_else(|| b.base_points.and_then(|p| over("base_points", p, limits::points())))
                    .or_else(|| {
                        b.indicators
                            .all()
                            .into_iter()
                            .find_map(|(f, v)| v.and_then(|v| over(f, v, limits::institution_money())))
                    })
            })
            .map(|e| OutOfRange {
                code: Some(self.code.clone()),
                ..e
            })
    }
}

impl InstitutionSummary {
    pub fn out_of_range(&self) -> Option<OutOfRange> {
        let money = limits::institution_money();
        over("points", self.points, limits::points())
            .or_else(|| over("total_cost", self.total_cost, money))
            .or_else(|| over("personal_burden", self.personal_burden, money))
            .or_else(|| self.prepaid.and_then(|p| over("prepaid", p, money)))
            .map(|e| OutOfRange {
                code: Some(self.institution.clone()),
                ..e
            })
    }
}

impl OutpatientRecord {
    pub fn out_of_range(&self) -> Option<OutOfRange> {
        let money = limits::institution_money();
        [
            ("capitation_payment", self.capitation_payment),
            ("drugs", self.drugs),
            ("consumables", self.consumables),
            ("services", self.services),
            ("total_cost", self.total_cost),
            ("personal_burden", self.personal_burden),
        ]
        .into_iter()
        .find_map(|(f, v)| over(f, v, money))
        .or_else(|| over("other_points", self.other_points, limits::points()))
        .map(|e| OutOfRange {
            code: Some(self.institution.clone()),
            ..e
        })
    }
}

impl InstitutionAdjustment {
    pub fn out_of_range(&self) -> Option<OutOfRange> {
        over("points", self.points, limits::points())
            .or_else(|| over("amount", self.amount, limits::institution_money()))
            .or_else(|| {
                over(
                    "quality_reserve_deduction",
                    self.quality_reserve_deduction,
                    limits::institution_money(),
                )
            })
            .map(|e| OutOfRange {
                code: Some(self.institution.clone()),
                ..e
            })
    }
}
