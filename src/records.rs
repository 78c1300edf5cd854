//! Typed input records: what the input layer produces and the engine consumes.
//!
//! Every money figure is in 元 and every figure is a [`Decimal`]. Nothing here reads files:
//! `crate::input` turns bytes into these records, with located errors.

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
}

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
}

/// Everything the engine settles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dataset {
    pub institutions: Vec<Institution>,
    pub catalog: Catalog,
    #[serde(default)]
    pub cases: Vec<Case>,
    #[serde(default)]
    pub summaries: Vec<InstitutionSummary>,
    #[serde(default)]
    pub outpatient: Vec<OutpatientRecord>,
    #[serde(default)]
    pub adjustments: Vec<InstitutionAdjustment>,
}
