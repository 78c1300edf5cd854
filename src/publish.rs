//! Publication bundles: what a medical-insurance bureau publishes so that anyone can re-check
//! the point values and settlements (宁德2024 第十三条: the budget and its explanation are public;
//! 宁德2025答复 二: the pre-settlement point value is published every month).
//!
//! A [`Bundle`] holds the policy (with its article references), each fund's budget waterfall,
//! its point values by year, quarter and month, and per settlement unit the **aggregates** the
//! engine needs to settle again (points, total cost, personal burden and case count, per month)
//! next to the figures it reported (settlement, fund settlement, target, fund payment, …).
//! The types have no field for a case: nothing below the institution × fund × month level can
//! get into a bundle.
//!
//! [`verify`] turns the aggregates back into engine input ([`InstitutionSummary`] records),
//! settles again under the bundle's own policy and compares every published figure; [`bundle_hash`]
//! is the SHA-256 of the bundle's canonical form. The format, the canonical form and how to
//! recompute the hash with ordinary tools are documented in `docs/bundle.md`.
//!
//! ```
//! use dipcalc::{policy, publish, records::*};
//! # let policy = policy::Policy::from_json(include_str!("../tests/fixtures/spec10/policy.json")).unwrap();
//! # let summary = |i: &str, p: &str, c: &str, b: &str| InstitutionSummary { institution: i.into(),
//! #     fund: Fund::Employee, month: Some(1), points: p.parse().unwrap(), total_cost: c.parse().unwrap(),
//! #     personal_burden: b.parse().unwrap(), prepaid: None, cases: Some(1) };
//! # let inst = |c: &str| Institution { code: c.into(), name: c.into(), level: "三甲".into(), alliance: None,
//! #     base_coefficient: None, bonuses: vec![], deductions: vec![], factors: vec![],
//! #     assessment_score: None, primary_care: None, history: vec![], budget_inputs: Default::default() };
//! let data = Dataset {
//!     institutions: vec![inst("H1"), inst("H2")],
//!     summaries: vec![summary("H1", "1000.5", "125700", "28200"), summary("H2", "618", "63700", "14500")],
//!     ..Default::default()
//! };
//! let bundle = publish::publish(&policy, &data, 1).unwrap();
//! let json = bundle.to_json();
//! assert_eq!(bundle.sha256.as_deref(), Some(publish::bundle_hash(&json).unwrap().as_str()));
//! let check = publish::verify(&json).unwrap();
//! assert!(check.matches && check.hash_matches == Some(true));
//! ```

use crate::engine::coefficients::institution_coefficient;
use crate::engine::result::{FundResult, PeriodValue, Settlement, UnitResult};
use crate::engine::rounding::{round_money, round_points};
use crate::engine::{settle, EngineError};
use crate::policy::{Mark, Policy};
use crate::records::{BudgetInputs, Dataset, Fund, Institution, InstitutionAdjustment, InstitutionSummary};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;

/// The `format` every bundle carries.
pub const BUNDLE_FORMAT: &str = "dipcalc-publication-bundle";
/// The schema version this build writes and verifies (`docs/bundle.md`).
pub const BUNDLE_SCHEMA_VERSION: u32 = 3;
/// The minimum number of cases behind a published figure unless the publisher says otherwise
/// (`docs/bundle.md`, "Small cells").
pub const DEFAULT_MIN_CASES: u64 = 10;

mod suppress;

/// A publication bundle (`docs/bundle.md`, schema version 3). Money is in 元, as decimal strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// Always [`BUNDLE_FORMAT`].
    pub format: String,
    /// [`BUNDLE_SCHEMA_VERSION`].
    pub schema_version: u32,
    pub generator: Generator,
    /// What the settlement was computed from: record counts only.
    pub created_from: CreatedFrom,
    /// Small-cell suppression: no published figure is derived from at least one and fewer than
    /// this many cases (1 = nothing suppressed).
    pub min_cases: u64,
    /// The policy exactly as the engine read it: every parameter, with `refs` citing the articles.
    pub policy: Value,
    /// The institutions: who they are and the per-institution inputs that are not points.
    pub institutions: Vec<PublishedInstitution>,
    pub funds: Vec<PublishedFund>,
    /// SHA-256 of the canonical form of everything else (lowercase hex); see [`bundle_hash`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generator {
    /// "dipcalc".
    pub name: String,
    /// The engine version that settled.
    pub version: String,
}

/// Record counts of the input: how the figures were made, without any of the records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatedFrom {
    /// "cases", "summaries" or "cases_and_summaries".
    pub input: String,
    pub case_records: u64,
    pub summary_records: u64,
    pub adjustment_records: u64,
    /// Outpatient records are not published in schema version 1 (`docs/bundle.md`).
    pub outpatient_records: u64,
    pub institutions: u64,
}

/// An institution as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedInstitution {
    pub code: String,
    pub name: String,
    pub level: String,
    /// 医共体, when it has one.
    pub alliance: Option<String>,
    /// Combined adjustment coefficient (SPEC §4), for information: points already include it,
    /// so verification does not use it. `null` when the data did not give one.
    pub coefficient: Option<Decimal>,
    /// 年度考核得分 (deposit and quality reserve return); `null` = 100.
    pub assessment_score: Option<Decimal>,
    /// 基层医疗卫生机构 (allotment mode); `null` = by level.
    pub primary_care: Option<bool>,
    /// Reasonable fund payments of past years, most recent first (allotment mode, SPEC §7.3).
    pub history: Vec<Decimal>,
    /// 机构类别, allotment indicators, last year's months and 基准点数 (the budget rules of
    /// docs/policy.md §7), when the input gave any; left out otherwise.
    #[serde(default, skip_serializing_if = "BudgetInputs::is_empty")]
    pub budget_inputs: BudgetInputs,
}

/// One fund's published figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedFund {
    pub fund: Fund,
    pub budget: PublishedBudget,
    /// The pool paid out through points (SPEC §6).
    pub pool: Decimal,
    /// Reported to 4 decimals.
    pub total_points: Decimal,
    /// The pool and Σ points at full precision (absent in bundles written before them): the point
    /// value is pool_exact ÷ total_points_exact, checked to the digit by `verify`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool_exact: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_points_exact: Option<Decimal>,
    /// The annual point value as reported (`null` in allotment mode or without points).
    pub point_value: Option<Decimal>,
    pub months: Vec<PublishedPeriod>,
    pub quarters: Vec<PublishedPeriod>,
    /// `false` when some figures were annual only, so the months do not add up to the year.
    pub months_complete: bool,
    pub units: Vec<PublishedUnit>,
    pub totals: PublishedTotals,
    /// Σ of the suppressed units' years (`null` when no unit is suppressed): with the published
    /// units it adds up to the totals; it holds at least `min_cases` cases.
    pub suppressed_units: Option<Aggregate>,
    /// Σ of all suppressed unit-months, of published and suppressed units (`null` when none).
    pub suppressed_cells: Option<Aggregate>,
    /// Σ fund pays − Σ fund settlement: the fund's extra outlay (+) or saving (−) from risk sharing.
    pub risk_sharing_effect: Decimal,
}

/// The budget waterfall (SPEC §3), each step with its article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedBudget {
    pub steps: Vec<PublishedStep>,
    pub available: Decimal,
    pub packable: Decimal,
    pub forecast: Option<Decimal>,
    pub budget: Decimal,
    pub quality_reserve: Decimal,
    pub inpatient_budget: Decimal,
    pub outpatient_budget: Decimal,
    /// The inpatient budget of each month, January first.
    pub monthly_budget: Vec<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedStep {
    pub key: String,
    /// The step's name in Chinese and in English (schema version 2).
    pub label: String,
    pub label_en: String,
    /// Signed change, or the level for a subtotal.
    pub amount: Decimal,
    pub subtotal: bool,
    /// The arithmetic, in Chinese and in English.
    pub formula: String,
    pub formula_en: String,
    pub mark: Mark,
    pub source: Option<String>,
    pub article: Option<String>,
}

/// A month, quarter or year of one fund (SPEC §6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedPeriod {
    /// "2024-03" or "2024-Q1".
    pub period: String,
    /// Fewer than `min_cases` cases, or hidden so that another period cannot be recovered by
    /// subtraction (a quarter: one of its months is): pool, points and point values are `null`.
    pub suppressed: bool,
    pub budget: Decimal,
    pub pool: Option<Decimal>,
    /// Reported to 4 decimals.
    pub points: Option<Decimal>,
    /// The period's pool and points at full precision (absent in bundles written before them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool_exact: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_exact: Option<Decimal>,
    pub point_value: Option<Decimal>,
    pub cumulative_point_value: Option<Decimal>,
    /// A published month: Σ of its suppressed unit-months (`null` when none, and for quarters).
    pub suppressed_cells: Option<Aggregate>,
}

/// A settlement unit (an institution, or a 医共体 settled as one) in one fund.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedUnit {
    pub code: String,
    pub name: String,
    pub level: String,
    /// Member institution codes (one for an institution settled on its own).
    pub institutions: Vec<String>,
    /// The unit's year is suppressed (fewer than `min_cases` cases, or hidden so that another
    /// unit cannot be recovered from the totals): `aggregates` and `results` are `null`.
    pub suppressed: bool,
    /// What the engine settles from: exact decimals, as the engine held them.
    pub aggregates: Option<UnitAggregates>,
    /// What the engine reported, money rounded to the fen.
    pub results: Option<UnitResults>,
}

/// A unit's inputs to the settlement, aggregated: the year and each month with figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitAggregates {
    pub year: Aggregate,
    /// Months with any figure, in order. At year end the year may differ from the sum of the
    /// months (year-end point adjustments, cases that failed 质控 and were supplemented).
    pub months: Vec<MonthAggregate>,
    /// The suppressed months and their sum (`null` when none): they are not in `months`.
    pub suppressed_months: Option<SuppressedMonths>,
    /// 已预付 as given in the input, when it was (otherwise computed from the months).
    pub prepaid: Option<Decimal>,
    /// Year-end amount adjustments (元), e.g. audit deductions (SPEC §7.2).
    pub amount_adjustments: Decimal,
    /// 扣减质量保证金 asked of the unit (元, 信阳2019 三(七)); left out when zero.
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    pub quality_reserve_deduction: Decimal,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aggregate {
    /// 点数, coefficients and scale included.
    pub points: Decimal,
    /// 医疗总费用 (after 先进医疗技术 costs paid outside DIP).
    pub total_cost: Decimal,
    /// 个人负担.
    pub personal_burden: Decimal,
    pub cases: u64,
}

/// A unit's suppressed months: which, and their sum (at least two months and `min_cases` cases).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuppressedMonths {
    pub months: Vec<u8>,
    pub points: Decimal,
    pub total_cost: Decimal,
    pub personal_burden: Decimal,
    pub cases: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthAggregate {
    /// 1–12.
    pub month: u8,
    pub points: Decimal,
    pub total_cost: Decimal,
    pub personal_burden: Decimal,
    pub cases: u64,
}

impl MonthAggregate {
    fn figures(&self) -> Aggregate {
        Aggregate {
            points: self.points,
            total_cost: self.total_cost,
            personal_burden: self.personal_burden,
            cases: self.cases,
        }
    }
}

/// A unit's reported figures (SPEC §7), money to the fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitResults {
    /// S, reconciled to the cent.
    pub settlement: Decimal,
    /// FS = S − personal burden.
    pub fund_settlement: Decimal,
    /// T, after risk sharing.
    pub target: Decimal,
    /// T − personal burden.
    pub fund_pays: Decimal,
    pub deposit_withheld: Decimal,
    pub deposit_returned: Decimal,
    pub quality_reserve_returned: Decimal,
    pub adjustment_fund: Decimal,
    pub prepaid: Decimal,
    /// Year-end amount: positive = the fund pays, negative = to recover.
    pub net_to_pay: Decimal,
    /// Each month with aggregates: its settlement at that month's point value and its prepayment.
    pub months: Vec<MonthResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthResult {
    pub month: u8,
    pub settlement: Decimal,
    pub fund_settlement: Decimal,
    /// 月度预付.
    pub paid: Decimal,
}

/// Fund totals over the units, money to the fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedTotals {
    pub points: Decimal,
    pub cases: u64,
    pub total_cost: Decimal,
    pub personal_burden: Decimal,
    pub settlement: Decimal,
    pub fund_settlement: Decimal,
    pub target: Decimal,
    pub fund_pays: Decimal,
    pub net_to_pay: Decimal,
}

/// Why a bundle could not be made or verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishError {
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
}

impl PublishError {
    fn new(code: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        PublishError {
            code: code.into(),
            message_zh: zh.into(),
            message_en: en.into(),
        }
    }
}

impl fmt::Display for PublishError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_en)
    }
}

impl std::error::Error for PublishError {}

impl From<EngineError> for PublishError {
    fn from(e: EngineError) -> Self {
        PublishError {
            code: e.code,
            message_zh: e.message_zh,
            message_en: e.message_en,
        }
    }
}

/// Money as reported: rounded half away from zero to the fen, always two places.
fn money(x: Decimal) -> Decimal {
    let mut r = round_money(x);
    r.rescale(2);
    r
}

/// Points as reported: 4 decimals, trailing zeros dropped.
fn points(x: Decimal) -> Decimal {
    round_points(x).normalize()
}

/// Settle `data` under `policy` and make its bundle, no figure derived from fewer than
/// `min_cases` cases ([`DEFAULT_MIN_CASES`]; 1 publishes every figure).
pub fn publish(policy: &Policy, data: &Dataset, min_cases: u64) -> Result<Bundle, PublishError> {
    let settlement = settle(policy, data)?;
    make_bundle(policy, &settlement, data, min_cases)
}

/// The bundle of a settlement that `settle(policy, data)` returned, with its hash filled in.
pub fn make_bundle(
    policy: &Policy,
    settlement: &Settlement,
    data: &Dataset,
    min_cases: u64,
) -> Result<Bundle, PublishError> {
    let cases = &data.cases;
    let cells = || {
        Box::new(cases.rows.iter().map(|r| CaseCell {
            institution: cases.institutions.get(r.institution),
            fund: r.fund,
            month: r.month,
            qc_passed: r.qc_passed,
            cost: r.total_cost - r.excluded_cost,
            personal: r.personal_burden,
        })) as Box<dyn Iterator<Item = CaseCell<'_>> + '_>
    };
    let mut bundle = build(policy, settlement, data, cases.rows.len(), &cells)?;
    suppress_small_cells(&mut bundle, data, min_cases)?;
    bundle.sha256 = Some(hash_of(&bundle));
    Ok(bundle)
}

/// What the month mirror needs of one case.
struct CaseCell<'a> {
    institution: &'a str,
    fund: Fund,
    month: u8,
    qc_passed: bool,
    /// Total cost less 先进医疗技术 paid outside DIP.
    cost: Decimal,
    personal: Decimal,
}

type Cells<'a> = dyn Fn() -> Box<dyn Iterator<Item = CaseCell<'a>> + 'a> + 'a;

fn build<'a>(
    policy: &Policy,
    settlement: &Settlement,
    data: &Dataset,
    case_count: usize,
    cells: &Cells<'a>,
) -> Result<Bundle, PublishError> {
    if settlement.policy_name != policy.name || settlement.year != policy.year {
        return Err(PublishError::new(
            "settlement_mismatch",
            "结算结果与政策不对应",
            "the settlement was not computed under this policy",
        ));
    }
    let policy_json = serde_json::to_value(policy).map_err(|e| {
        PublishError::new(
            "policy",
            format!("政策无法写出：{e}"),
            format!("the policy cannot be written: {e}"),
        )
    })?;
    let count = |n: usize| n as u64;
    let input = match (case_count == 0, data.summaries.is_empty()) {
        (false, true) => "cases",
        (true, false) => "summaries",
        _ => "cases_and_summaries",
    };
    let created_from = CreatedFrom {
        input: input.into(),
        case_records: count(case_count),
        summary_records: count(data.summaries.len()),
        adjustment_records: count(data.adjustments.len()),
        outpatient_records: count(data.outpatient.len()),
        institutions: count(data.institutions.len()),
    };
    let institutions = data
        .institutions
        .iter()
        .map(|inst| PublishedInstitution {
            code: inst.code.clone(),
            name: inst.name.clone(),
            level: inst.level.clone(),
            alliance: inst.alliance.clone(),
            coefficient: institution_coefficient(&policy.coefficients, inst, &mut Vec::new())
                .ok()
                .map(|c| c.combined),
            assessment_score: inst.assessment_score,
            primary_care: inst.primary_care,
            history: inst.history.clone(),
            budget_inputs: inst.budget_inputs.clone(),
        })
        .collect();
    let funds = settlement
        .funds
        .iter()
        .map(|f| publish_fund(f, data, cells))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Bundle {
        format: BUNDLE_FORMAT.into(),
        schema_version: BUNDLE_SCHEMA_VERSION,
        generator: Generator {
            name: "dipcalc".into(),
            version: settlement.engine_version.clone(),
        },
        created_from,
        min_cases: 1,
        policy: policy_json,
        institutions,
        funds,
        sha256: None,
    })
}

/// Small-cell suppression (`docs/bundle.md`, "Small cells"; the rule in `publish/suppress.rs`):
/// hides each figure derived from at least one and fewer than `min_cases` cases, and as many
/// others as it takes that none comes back by subtraction from a published total.
fn suppress_small_cells(bundle: &mut Bundle, data: &Dataset, min_cases: u64) -> Result<(), PublishError> {
    let min_cases = min_cases.max(1);
    bundle.min_cases = min_cases;
    if min_cases == 1 {
        return Ok(());
    }
    if let Some(s) = data.summaries.iter().find(|s| s.cases.is_none()) {
        return Err(PublishError::new(
            "summary_without_cases",
            format!(
                "机构汇总 {}（{}）没有病例数：小单元格保护需要每个汇总的病例数；请补充病例数，或以 --min-cases 1 发布（不作保护）",
                s.institution,
                s.fund.label_zh()
            ),
            format!(
                "the summary of {} ({}) gives no case count: small-cell suppression needs every summary's case count; add it, or publish with --min-cases 1 (no suppression)",
                s.institution,
                s.fund.key()
            ),
        ));
    }
    for f in &mut bundle.funds {
        if f.totals.cases > 0 && f.totals.cases < min_cases {
            return Err(PublishError::new(
                "too_few_cases",
                format!(
                    "{} 全年只有 {} 个病例，少于公开所需的最少病例数 {min_cases}：不能公开",
                    f.fund.label_zh(),
                    f.totals.cases
                ),
                format!(
                    "the {} fund has {} cases in the year, fewer than the {min_cases} a published figure needs: it cannot be published",
                    f.fund.key(),
                    f.totals.cases
                ),
            ));
        }
        suppress_fund(f, min_cases);
    }
    Ok(())
}

fn add(sum: &mut Aggregate, a: &Aggregate) {
    sum.points += a.points;
    sum.total_cost += a.total_cost;
    sum.personal_burden += a.personal_burden;
    sum.cases += a.cases;
}

fn suppress_fund(f: &mut PublishedFund, min_cases: u64) {
    let month_cases = |u: &PublishedUnit| {
        let mut row = [0u64; 12];
        for m in u.aggregates.iter().flat_map(|a| &a.months) {
            row[usize::from(m.month - 1)] = m.cases;
        }
        row
    };
    let cells: Vec<[u64; 12]> = f.units.iter().map(month_cases).collect();
    let rows: Vec<u64> = f
        .units
        .iter()
        .map(|u| u.aggregates.as_ref().map_or(0, |a| a.year.cases))
        .collect();
    let plan = suppress::plan(&cells, &rows, min_cases);
    if !plan.any() {
        return;
    }
    let mut all_cells: Option<Aggregate> = None;
    let mut columns: [Option<Aggregate>; 12] = Default::default();
    let mut hidden_units: Option<Aggregate> = None;
    for (n, u) in f.units.iter_mut().enumerate() {
        let Some(agg) = u.aggregates.as_mut() else { continue };
        let hide = |m: &u8| plan.cells[n][usize::from(*m - 1)];
        let mut hidden = SuppressedMonths {
            months: Vec::new(),
            points: Decimal::ZERO,
            total_cost: Decimal::ZERO,
            personal_burden: Decimal::ZERO,
            cases: 0,
        };
        for m in agg.months.iter().filter(|m| hide(&m.month)) {
            let figures = m.figures();
            add(all_cells.get_or_insert_with(Aggregate::default), &figures);
            add(
                columns[usize::from(m.month - 1)].get_or_insert_with(Aggregate::default),
                &figures,
            );
            hidden.months.push(m.month);
            hidden.points += m.points;
            hidden.total_cost += m.total_cost;
            hidden.personal_burden += m.personal_burden;
            hidden.cases += m.cases;
        }
        agg.months.retain(|m| !hide(&m.month));
        if let Some(r) = u.results.as_mut() {
            r.months.retain(|m| !hide(&m.month));
        }
        if !hidden.months.is_empty() {
            agg.suppressed_months = Some(hidden);
        }
        if plan.rows[n] {
            add(hidden_units.get_or_insert_with(Aggregate::default), &agg.year);
            u.suppressed = true;
            u.aggregates = None;
            u.results = None;
        }
    }
    let hide_period = |p: &mut PublishedPeriod| {
        p.suppressed = true;
        p.pool = None;
        p.points = None;
        p.pool_exact = None;
        p.points_exact = None;
        p.point_value = None;
        p.cumulative_point_value = None;
    };
    let mut earlier_hidden = false;
    for (m, p) in f.months.iter_mut().enumerate() {
        if plan.columns[m] {
            hide_period(p);
        } else {
            p.suppressed_cells = columns[m].take();
        }
        // A cumulative point value spans the months before: published only if they all are.
        earlier_hidden |= plan.columns[m];
        if earlier_hidden {
            p.cumulative_point_value = None;
        }
    }
    for (q, p) in f.quarters.iter_mut().enumerate() {
        if plan.columns[q * 3..q * 3 + 3].iter().any(|&h| h) {
            hide_period(p);
        }
    }
    f.suppressed_units = hidden_units;
    f.suppressed_cells = all_cells;
}

fn period(p: &PeriodValue) -> PublishedPeriod {
    PublishedPeriod {
        period: p.period.clone(),
        suppressed: false,
        budget: money(p.budget),
        pool: Some(money(p.pool)),
        points: Some(points(p.points)),
        pool_exact: Some(p.pool_exact.normalize()),
        points_exact: Some(p.points_exact.normalize()),
        point_value: p.point_value,
        cumulative_point_value: p.cumulative_point_value,
        suppressed_cells: None,
    }
}

/// Per unit and month: total cost and case count, which the settlement does not report by
/// month. Mirrors the engine's month buckets (SPEC §7.2): cases that passed 质控, their cost net of
/// 先进医疗技术; summaries with a month. The personal burden is summed too, to check the mirror
/// against the engine's own month figures.
fn month_costs<'a>(f: &FundResult, data: &Dataset, cells: &Cells<'a>) -> Vec<[(Decimal, Decimal, u64); 12]> {
    let mut unit_of: HashMap<&str, usize> = HashMap::new();
    for (u, unit) in f.units.iter().enumerate() {
        if unit.members.is_empty() {
            unit_of.insert(unit.code.as_str(), u);
        } else {
            for m in &unit.members {
                unit_of.insert(m.as_str(), u);
            }
        }
    }
    let mut out = vec![[(Decimal::ZERO, Decimal::ZERO, 0u64); 12]; f.units.len()];
    for c in cells().filter(|c| c.fund == f.fund && c.qc_passed && (1..=12).contains(&c.month)) {
        if let Some(&u) = unit_of.get(c.institution) {
            let slot = &mut out[u][usize::from(c.month - 1)];
            slot.0 += c.cost;
            slot.1 += c.personal;
            slot.2 += 1;
        }
    }
    for s in data.summaries.iter().filter(|s| s.fund == f.fund) {
        if let (Some(m @ 1..=12), Some(&u)) = (s.month, unit_of.get(s.institution.as_str())) {
            let slot = &mut out[u][usize::from(m - 1)];
            slot.0 += s.total_cost;
            slot.1 += s.personal_burden;
            slot.2 += s.cases.unwrap_or(0);
        }
    }
    out
}

fn publish_fund<'a>(f: &FundResult, data: &Dataset, cells: &Cells<'a>) -> Result<PublishedFund, PublishError> {
    let b = &f.budget;
    let budget = PublishedBudget {
        steps: b
            .steps
            .iter()
            .map(|s| PublishedStep {
                key: s.key.clone(),
                label: s.label.clone(),
                label_en: s.label_en.clone(),
                amount: money(s.amount),
                subtotal: s.subtotal,
                formula: s.formula.clone(),
                formula_en: s.formula_en.clone(),
                mark: s.mark,
                source: s.source.clone(),
                article: s.article.clone(),
            })
            .collect(),
        available: money(b.available),
        packable: money(b.packable),
        forecast: b.forecast.map(money),
        budget: money(b.budget),
        quality_reserve: money(b.quality_reserve),
        inpatient_budget: money(b.inpatient_budget),
        outpatient_budget: money(b.outpatient_budget),
        monthly_budget: b.monthly_budget.iter().copied().map(money).collect(),
    };
    let costs = month_costs(f, data, cells);
    let units = f
        .units
        .iter()
        .zip(&costs)
        .map(|(u, c)| publish_unit(f.fund, u, c))
        .collect::<Result<Vec<_>, _>>()?;
    let t = &f.totals;
    Ok(PublishedFund {
        fund: f.fund,
        budget,
        pool: money(f.pool),
        total_points: points(f.total_points),
        pool_exact: Some(f.pool_exact.normalize()),
        total_points_exact: Some(f.total_points_exact.normalize()),
        point_value: f.point_value,
        months: f.months.iter().map(period).collect(),
        quarters: f.quarters.iter().map(period).collect(),
        months_complete: f.months_complete,
        units,
        totals: PublishedTotals {
            points: points(t.points),
            cases: t.cases,
            total_cost: money(t.total_cost),
            personal_burden: money(t.personal_burden),
            settlement: money(t.settlement),
            fund_settlement: money(t.fund_settlement),
            target: money(t.target),
            fund_pays: money(t.fund_pays),
            net_to_pay: money(t.net_to_pay),
        },
        suppressed_units: None,
        suppressed_cells: None,
        risk_sharing_effect: money(f.risk_sharing_effect),
    })
}

fn publish_unit(
    fund: Fund,
    u: &UnitResult,
    costs: &[(Decimal, Decimal, u64); 12],
) -> Result<PublishedUnit, PublishError> {
    let mut months = Vec::new();
    let mut month_results = Vec::new();
    for (line, &(cost, personal, cases)) in u.months.iter().zip(costs) {
        let m = line
            .period
            .rsplit('-')
            .next()
            .and_then(|m| m.parse::<u8>().ok())
            .unwrap_or(0);
        if personal != line.personal_burden {
            return Err(PublishError::new(
                "month_mismatch",
                format!("{}（{}）{} 月的个人负担与结算结果不一致", u.code, fund.label_zh(), m),
                format!(
                    "{} ({}): month {m}'s personal burden differs from the settlement's",
                    u.code,
                    fund.key()
                ),
            ));
        }
        if line.points.is_zero() && cost.is_zero() && personal.is_zero() && cases == 0 {
            continue;
        }
        months.push(MonthAggregate {
            month: m,
            points: line.points,
            total_cost: cost,
            personal_burden: personal,
            cases,
        });
        month_results.push(MonthResult {
            month: m,
            settlement: money(line.settlement),
            fund_settlement: money(line.fund_settlement),
            paid: money(line.paid),
        });
    }
    let prepaid_input = u.flags.iter().any(|f| f == "prepaid_from_input").then_some(u.prepaid);
    Ok(PublishedUnit {
        code: u.code.clone(),
        name: u.name.clone(),
        level: u.level.clone(),
        institutions: if u.members.is_empty() {
            vec![u.code.clone()]
        } else {
            u.members.clone()
        },
        suppressed: false,
        aggregates: Some(UnitAggregates {
            year: Aggregate {
                points: u.points.total,
                total_cost: u.total_cost,
                personal_burden: u.personal_burden,
                cases: u.cases.total,
            },
            months,
            suppressed_months: None,
            prepaid: prepaid_input,
            amount_adjustments: u.amount_adjustments,
            quality_reserve_deduction: u.quality_reserve_deduction,
        }),
        results: Some(UnitResults {
            settlement: money(u.settlement),
            fund_settlement: money(u.fund_settlement),
            target: money(u.target),
            fund_pays: money(u.fund_pays),
            deposit_withheld: money(u.deposit_withheld),
            deposit_returned: money(u.deposit_returned),
            quality_reserve_returned: money(u.quality_reserve_returned),
            adjustment_fund: money(u.adjustment_fund),
            prepaid: money(u.prepaid),
            net_to_pay: money(u.net_to_pay),
            months: month_results,
        }),
    })
}

impl Bundle {
    /// The bundle file: pretty JSON, fields in the documented order, `sha256` last.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Read a bundle file strictly (unknown fields, another format or schema version are errors).
    pub fn from_json(text: &str) -> Result<Bundle, PublishError> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            PublishError::new(
                "not_json",
                format!("不是有效的 JSON：{e}"),
                format!("not valid JSON: {e}"),
            )
        })?;
        match value.get("format").and_then(Value::as_str) {
            Some(BUNDLE_FORMAT) => {}
            _ => {
                return Err(PublishError::new(
                    "not_a_bundle",
                    format!("不是公开数据包（format 应为 \"{BUNDLE_FORMAT}\"）"),
                    format!("not a publication bundle (format must be \"{BUNDLE_FORMAT}\")"),
                ))
            }
        }
        match value.get("schema_version").and_then(Value::as_u64) {
            Some(v) if v == u64::from(BUNDLE_SCHEMA_VERSION) => {}
            v => {
                let v = v.map(|v| v.to_string()).unwrap_or_else(|| "?".into());
                return Err(PublishError::new(
                    "schema_version",
                    format!("数据包版本 {v} 不受支持（本程序读取版本 {BUNDLE_SCHEMA_VERSION}）"),
                    format!("bundle schema version {v} is not supported (this build reads {BUNDLE_SCHEMA_VERSION})"),
                ));
            }
        }
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            PublishError::new(
                "bundle_field",
                format!("数据包字段 {path}：{inner}"),
                format!("bundle field {path}: {inner}"),
            )
        })
    }
}

// ---- the hash ----

/// The canonical form (`docs/bundle.md`): compact JSON, object keys sorted by their UTF-8 bytes
/// at every level, strings escaped as serde_json escapes them (only `"`, `\` and U+0000–U+001F),
/// no whitespace, no trailing newline. Equal to `jq -cjS .` and to Python's
/// `json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` on bundles.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (n, k) in keys.into_iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (n, v) in items.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn hash_value(mut value: Value) -> String {
    if let Value::Object(map) = &mut value {
        map.remove("sha256");
    }
    sha256_hex(canonical_json(&value).as_bytes())
}

fn hash_of(bundle: &Bundle) -> String {
    hash_value(serde_json::to_value(bundle).unwrap_or(Value::Null))
}

/// SHA-256 (lowercase hex) of a bundle file's canonical form without its `sha256` field —
/// computed on the JSON as written, so it equals
/// `jq -cjS 'del(.sha256)' bundle.json | sha256sum`.
pub fn bundle_hash(json: &str) -> Result<String, PublishError> {
    let value: Value = serde_json::from_str(json).map_err(|e| {
        PublishError::new(
            "not_json",
            format!("不是有效的 JSON：{e}"),
            format!("not valid JSON: {e}"),
        )
    })?;
    if !value.is_object() {
        return Err(PublishError::new(
            "not_a_bundle",
            "数据包应为 JSON 对象",
            "a bundle is a JSON object",
        ));
    }
    Ok(hash_value(value))
}

// ---- verification ----

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// Every published figure equals the recomputed one.
    pub matches: bool,
    /// How many figures were compared.
    pub checked: u64,
    pub differences: Vec<Difference>,
    /// The hash of the file as loaded ([`bundle_hash`]).
    pub sha256: String,
    /// The `sha256` field of the file, if any.
    pub sha256_in_file: Option<String>,
    /// Whether the two agree (`None` when the file has no `sha256`).
    pub hash_matches: Option<bool>,
    /// The engine that made the bundle and the one that verified it.
    pub bundle_engine_version: String,
    pub engine_version: String,
}

/// A published figure that the recomputation does not reproduce.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    pub fund: Fund,
    /// "budget", "fund", "month", "quarter", "unit", "unit_month" or "totals".
    pub section: String,
    /// Budget step key, period, or settlement unit code ("" for the fund itself).
    pub subject: String,
    /// Step label or unit name, for display.
    pub name: String,
    /// Field name, e.g. "settlement"; for a unit's month "2024-03 paid".
    pub field: String,
    pub published: String,
    /// `null` when the recomputation has no such figure.
    pub recomputed: Option<String>,
}

/// The engine input a bundle's aggregates stand for: the institutions, and per unit and month
/// an [`InstitutionSummary`] (on the unit's first member); the year's figures beyond the months,
/// and a prepaid amount given in the input, as one summary without a month.
pub fn bundle_dataset(bundle: &Bundle) -> Result<Dataset, PublishError> {
    let institutions: Vec<Institution> = bundle
        .institutions
        .iter()
        .map(|i| Institution {
            code: i.code.clone(),
            name: i.name.clone(),
            level: i.level.clone(),
            alliance: i.alliance.clone(),
            base_coefficient: None,
            bonuses: vec![],
            deductions: vec![],
            factors: vec![],
            assessment_score: i.assessment_score,
            primary_care: i.primary_care,
            history: i.history.clone(),
            budget_inputs: i.budget_inputs.clone(),
        })
        .collect();
    let mut summaries = Vec::new();
    let mut adjustments = Vec::new();
    for f in &bundle.funds {
        let fill = fill_suppressed(f)?;
        for (n, u) in f.units.iter().enumerate() {
            let Some(first) = u.institutions.first() else {
                return Err(PublishError::new(
                    "unit_without_institution",
                    format!("结算单位 {} 没有成员机构", u.code),
                    format!("settlement unit {} lists no institution", u.code),
                ));
            };
            let summary = |month: Option<u8>, g: &Aggregate, prepaid: Option<Decimal>| InstitutionSummary {
                institution: first.clone(),
                fund: f.fund,
                month,
                points: g.points,
                total_cost: g.total_cost,
                personal_burden: g.personal_burden,
                prepaid,
                cases: Some(g.cases),
            };
            for (_, month, g) in fill.iter().filter(|(k, _, _)| *k == n) {
                summaries.push(summary(*month, g, None));
            }
            let Some(a) = &u.aggregates else { continue };
            // Checked: a hostile bundle's figures are not yet bounded here.
            let out_of_range = || {
                PublishError::new(
                    "out_of_range",
                    format!("结算单位 {} 的汇总数超出范围", u.code),
                    format!("settlement unit {}: an aggregate is out of range", u.code),
                )
            };
            let minus = |rest: &mut Aggregate, g: &Aggregate| -> Result<(), PublishError> {
                rest.points = rest.points.checked_sub(g.points).ok_or_else(out_of_range)?;
                rest.total_cost = rest.total_cost.checked_sub(g.total_cost).ok_or_else(out_of_range)?;
                rest.personal_burden = rest
                    .personal_burden
                    .checked_sub(g.personal_burden)
                    .ok_or_else(out_of_range)?;
                rest.cases = rest.cases.checked_sub(g.cases).ok_or_else(|| {
                    PublishError::new(
                        "cases_exceed_year",
                        format!("结算单位 {} 各月病例数之和超过全年", u.code),
                        format!(
                            "settlement unit {}: the months' cases add up to more than the year's",
                            u.code
                        ),
                    )
                })?;
                Ok(())
            };
            let mut rest = a.year.clone();
            for m in &a.months {
                summaries.push(summary(Some(m.month), &m.figures(), None));
                minus(&mut rest, &m.figures())?;
            }
            // Suppressed months: their sum is settled through the fill above; the prepayments
            // of those months depend on how it splits, so the published prepaid is taken as given.
            let mut prepaid = a.prepaid;
            if let Some(h) = &a.suppressed_months {
                minus(&mut rest, &h.figures())?;
                prepaid = u.results.as_ref().map(|r| r.prepaid);
            }
            if rest != Aggregate::default() || prepaid.is_some() {
                summaries.push(summary(None, &rest, prepaid));
            }
            if !a.amount_adjustments.is_zero() || !a.quality_reserve_deduction.is_zero() {
                adjustments.push(InstitutionAdjustment {
                    institution: first.clone(),
                    fund: f.fund,
                    label: "公布的年终金额调整".into(),
                    points: Decimal::ZERO,
                    amount: a.amount_adjustments,
                    basis: String::new(),
                    quality_reserve_deduction: a.quality_reserve_deduction,
                });
            }
        }
    }
    Ok(Dataset {
        institutions,
        summaries,
        adjustments,
        ..Default::default()
    })
}

impl SuppressedMonths {
    fn figures(&self) -> Aggregate {
        Aggregate {
            points: self.points,
            total_cost: self.total_cost,
            personal_burden: self.personal_burden,
            cases: self.cases,
        }
    }
}

/// Sums of many exact decimals are held to 28 digits: the suppressed sums agree with the
/// published ones to within this (far below the 4 decimals of points and the fen).
fn negligible(x: Decimal) -> bool {
    x.abs() <= Decimal::new(1, 9)
}

/// Zero for a negligible negative, `None` for a real one.
fn non_negative(x: Decimal) -> Option<Decimal> {
    if x.is_sign_negative() {
        negligible(x).then_some(Decimal::ZERO)
    } else {
        Some(x)
    }
}

fn is_zero_sum(a: &Aggregate) -> bool {
    (0..4).all(|q| negligible(quantity(a, q)))
}

fn quantity(a: &Aggregate, q: usize) -> Decimal {
    match q {
        0 => a.points,
        1 => a.total_cost,
        2 => a.personal_burden,
        _ => Decimal::from(a.cases),
    }
}

fn set_quantity(a: &mut Aggregate, q: usize, v: Decimal) {
    match q {
        0 => a.points = v,
        1 => a.total_cost = v,
        2 => a.personal_burden = v,
        _ => a.cases = rust_decimal::prelude::ToPrimitive::to_u64(&v).unwrap_or(0),
    }
}

/// Suppressed figures as engine input (`docs/bundle.md`, "Verifying a suppressed bundle"): some
/// split of the suppressed unit-months that adds up to every published sum — each published
/// unit's `suppressed_months`, each published month's `suppressed_cells`, the fund's
/// `suppressed_cells` — found as a flow from the units to the months; the suppressed units'
/// share, and what their years hold beyond it, go to the first suppressed unit. Every figure
/// published is a function of these sums (the unit's year, the fund's month) and not of the
/// split. Returns (unit index, month or `None` for the year, figures).
fn fill_suppressed(f: &PublishedFund) -> Result<Vec<(usize, Option<u8>, Aggregate)>, PublishError> {
    let inconsistent = || {
        PublishError::new(
            "suppressed_totals",
            format!("{} 的隐藏数据之和互不一致（suppressed_months、suppressed_cells、suppressed_units）", f.fund.label_zh()),
            format!(
                "{}: the sums of the suppressed figures do not agree (suppressed_months, suppressed_cells, suppressed_units)",
                f.fund.key()
            ),
        )
    };
    let hidden_unit = f.units.iter().position(|u| u.suppressed);
    let total = f.suppressed_cells.clone().unwrap_or_default();
    // Sources: the published units with suppressed months, then the suppressed units together.
    let mut sources: Vec<(Option<usize>, Aggregate)> = Vec::new();
    for (n, u) in f.units.iter().enumerate() {
        if let Some(h) = u.aggregates.as_ref().and_then(|a| a.suppressed_months.as_ref()) {
            sources.push((Some(n), h.figures()));
        }
    }
    // Sinks: the published months with suppressed cells, then the suppressed months together.
    let mut sinks: Vec<(Option<u8>, Aggregate)> = Vec::new();
    for (m, p) in f.months.iter().enumerate() {
        if let Some(c) = &p.suppressed_cells {
            sinks.push((Some(m as u8 + 1), c.clone()));
        }
    }
    let first_hidden_month = f.months.iter().position(|p| p.suppressed).map(|m| m as u8 + 1);
    let remainder = |parts: &[Aggregate]| -> Option<Aggregate> {
        let mut r = total.clone();
        for p in parts {
            r.points = r.points.checked_sub(p.points)?;
            r.total_cost = r.total_cost.checked_sub(p.total_cost)?;
            r.personal_burden = r.personal_burden.checked_sub(p.personal_burden)?;
            r.cases = r.cases.checked_sub(p.cases)?;
        }
        Some(r)
    };
    let source_rest = remainder(&sources.iter().map(|s| s.1.clone()).collect::<Vec<_>>()).ok_or_else(inconsistent)?;
    let sink_rest = remainder(&sinks.iter().map(|s| s.1.clone()).collect::<Vec<_>>()).ok_or_else(inconsistent)?;
    if hidden_unit.is_some() {
        sources.push((None, source_rest));
    } else if !is_zero_sum(&source_rest) {
        return Err(inconsistent());
    }
    if first_hidden_month.is_some() {
        sinks.push((None, sink_rest));
    } else if !is_zero_sum(&sink_rest) {
        return Err(inconsistent());
    }
    // Which source may send to which sink, and into which (unit, month).
    let target = |s: &Option<usize>, t: &Option<u8>| -> Option<(usize, u8)> {
        match (s, t) {
            (Some(n), Some(m)) => {
                let h = f.units[*n].aggregates.as_ref()?.suppressed_months.as_ref()?;
                h.months.contains(m).then_some((*n, *m))
            }
            (Some(n), None) => {
                let h = f.units[*n].aggregates.as_ref()?.suppressed_months.as_ref()?;
                let m = h
                    .months
                    .iter()
                    .copied()
                    .find(|m| f.months.get(usize::from(*m - 1)).is_some_and(|p| p.suppressed))?;
                Some((*n, m))
            }
            (None, Some(m)) => Some((hidden_unit?, *m)),
            (None, None) => Some((hidden_unit?, first_hidden_month?)),
        }
    };
    let mut cells: HashMap<(usize, u8), Aggregate> = HashMap::new();
    let mut from_hidden_units = Aggregate::default();
    for q in 0..4 {
        let supply = sources.iter().map(|s| non_negative(quantity(&s.1, q)));
        let supply: Vec<Decimal> = supply.collect::<Option<_>>().ok_or_else(inconsistent)?;
        let demand = sinks.iter().map(|s| non_negative(quantity(&s.1, q)));
        let demand: Vec<Decimal> = demand.collect::<Option<_>>().ok_or_else(inconsistent)?;
        let all: Decimal = supply.iter().sum();
        let allowed: Vec<Vec<bool>> = sources
            .iter()
            .map(|s| sinks.iter().map(|t| target(&s.0, &t.0).is_some()).collect())
            .collect();
        let flows = max_flow(&supply, &demand, &allowed);
        let sent: Decimal = flows.iter().flatten().sum();
        if !negligible(sent - all) || !negligible(all - demand.iter().sum::<Decimal>()) {
            return Err(inconsistent());
        }
        for (i, s) in sources.iter().enumerate() {
            for (j, t) in sinks.iter().enumerate() {
                if flows[i][j].is_zero() {
                    continue;
                }
                let Some(key) = target(&s.0, &t.0) else { continue };
                let cell = cells.entry(key).or_default();
                let v = quantity(cell, q) + flows[i][j];
                set_quantity(cell, q, v);
                if s.0.is_none() {
                    let v = quantity(&from_hidden_units, q) + flows[i][j];
                    set_quantity(&mut from_hidden_units, q, v);
                }
            }
        }
    }
    let mut out: Vec<(usize, Option<u8>, Aggregate)> = cells.into_iter().map(|((n, m), g)| (n, Some(m), g)).collect();
    out.sort_by_key(|(n, m, _)| (*n, *m));
    if let (Some(h), Some(years)) = (hidden_unit, &f.suppressed_units) {
        // What the suppressed units' years hold beyond their months.
        let mut rest = years.clone();
        for q in 0..4 {
            let v = non_negative(quantity(&rest, q) - quantity(&from_hidden_units, q)).ok_or_else(inconsistent)?;
            set_quantity(&mut rest, q, if negligible(v) { Decimal::ZERO } else { v });
        }
        if !is_zero_sum(&rest) {
            out.push((h, None, rest));
        }
    }
    Ok(out)
}

/// The largest flow from sources (with these supplies) to sinks (with these demands) over the
/// allowed pairs: augmenting shortest paths, exact in decimals. `flows[source][sink]`.
fn max_flow(supply: &[Decimal], demand: &[Decimal], allowed: &[Vec<bool>]) -> Vec<Vec<Decimal>> {
    let (a, b) = (supply.len(), demand.len());
    let n = a + b + 2;
    let (src, dst) = (0, n - 1);
    let big: Decimal = supply.iter().sum::<Decimal>() + Decimal::ONE;
    let mut cap = vec![vec![Decimal::ZERO; n]; n];
    for i in 0..a {
        cap[src][1 + i] = supply[i];
        for j in 0..b {
            if allowed[i][j] {
                cap[1 + i][1 + a + j] = big;
            }
        }
    }
    for j in 0..b {
        cap[1 + a + j][dst] = demand[j];
    }
    let original = cap.clone();
    loop {
        let mut prev = vec![usize::MAX; n];
        prev[src] = src;
        let mut queue = std::collections::VecDeque::from([src]);
        while let Some(v) = queue.pop_front() {
            for w in 0..n {
                if prev[w] == usize::MAX && cap[v][w] > Decimal::ZERO {
                    prev[w] = v;
                    queue.push_back(w);
                }
            }
        }
        if prev[dst] == usize::MAX {
            break;
        }
        let mut push = big;
        let mut w = dst;
        while w != src {
            push = push.min(cap[prev[w]][w]);
            w = prev[w];
        }
        let mut w = dst;
        while w != src {
            let v = prev[w];
            cap[v][w] -= push;
            cap[w][v] += push;
            w = v;
        }
    }
    (0..a)
        .map(|i| {
            (0..b)
                .map(|j| (original[1 + i][1 + a + j] - cap[1 + i][1 + a + j]).max(Decimal::ZERO))
                .collect()
        })
        .collect()
}

/// The bundle's structure is complete for its schema, whatever its hash says: every fund the
/// policy budgets once, each with its twelve months (`2024-01` … `2024-12`, in order), four
/// quarters and twelve monthly budgets; every institution in exactly one unit of each fund and
/// every member listed; unit codes unique; each unit's months ascending, 1–12, with a result
/// for each month it has aggregates for; the fund's case total the sum of its units'. A bundle
/// with months or units deleted is refused, not verified on what is left.
fn check_complete(bundle: &Bundle, policy: &Policy) -> Result<(), PublishError> {
    let mut problems: Vec<(String, String)> = Vec::new();
    let mut say = |zh: String, en: String| problems.push((zh, en));
    let budgeted: Vec<Fund> = Fund::ALL
        .into_iter()
        .filter(|f| policy.funds.get(*f).is_some())
        .collect();
    let published: Vec<Fund> = bundle.funds.iter().map(|f| f.fund).collect();
    if published != budgeted {
        let keys = |fs: &[Fund]| fs.iter().map(|f| f.key()).collect::<Vec<_>>().join(", ");
        say(
            format!("险种应为 [{}]，数据包中为 [{}]", keys(&budgeted), keys(&published)),
            format!(
                "the funds should be [{}], the bundle has [{}]",
                keys(&budgeted),
                keys(&published)
            ),
        );
    }
    if bundle.created_from.institutions != bundle.institutions.len() as u64 {
        say(
            format!(
                "机构数应为 {}，列出 {}",
                bundle.created_from.institutions,
                bundle.institutions.len()
            ),
            format!(
                "created_from says {} institutions, {} are listed",
                bundle.created_from.institutions,
                bundle.institutions.len()
            ),
        );
    }
    for f in &bundle.funds {
        check_fund_complete(f, bundle, policy.year, &mut say);
    }
    if problems.is_empty() {
        return Ok(());
    }
    let (zh, en): (Vec<String>, Vec<String>) = problems.into_iter().take(20).unzip();
    Err(PublishError::new(
        "incomplete_bundle",
        format!("数据包不完整，不予核验：{}", zh.join("；")),
        format!("the bundle is incomplete and is not verified: {}", en.join("; ")),
    ))
}

fn check_fund_complete(f: &PublishedFund, bundle: &Bundle, year: u16, say: &mut impl FnMut(String, String)) {
    let fund = f.fund.key();
    let months: Vec<String> = (1..=12).map(|m| format!("{year}-{m:02}")).collect();
    let quarters: Vec<String> = (1..=4).map(|q| format!("{year}-Q{q}")).collect();
    for (what, periods, expected) in [("months", &f.months, &months), ("quarters", &f.quarters, &quarters)] {
        let got: Vec<&String> = periods.iter().map(|p| &p.period).collect();
        if got.len() != expected.len() || got.iter().zip(expected).any(|(a, b)| *a != b) {
            say(
                format!(
                    "{fund} 的 {what} 应为 {} 至 {}，共 {} 个，数据包中有 {} 个",
                    expected[0],
                    expected[expected.len() - 1],
                    expected.len(),
                    got.len()
                ),
                format!(
                    "{fund}: {what} should be {} to {} ({}), the bundle has {}",
                    expected[0],
                    expected[expected.len() - 1],
                    expected.len(),
                    got.len()
                ),
            );
        }
    }
    if f.budget.monthly_budget.len() != 12 {
        say(
            format!(
                "{fund} 的月度预算应有 12 个，数据包中有 {} 个",
                f.budget.monthly_budget.len()
            ),
            format!(
                "{fund}: monthly_budget should have 12 entries, has {}",
                f.budget.monthly_budget.len()
            ),
        );
    }
    let mut unit_codes = std::collections::HashSet::new();
    let mut member_of: std::collections::HashMap<&str, u32> =
        bundle.institutions.iter().map(|i| (i.code.as_str(), 0)).collect();
    for u in &f.units {
        if !unit_codes.insert(u.code.as_str()) {
            say(
                format!("{fund} 的结算单位 {} 重复", u.code),
                format!("{fund}: unit {} appears twice", u.code),
            );
        }
        for code in &u.institutions {
            match member_of.get_mut(code.as_str()) {
                Some(n) => *n += 1,
                None => say(
                    format!("{fund} 的结算单位 {} 的成员 {code} 不在机构表中", u.code),
                    format!("{fund}: unit {} names institution {code}, which is not listed", u.code),
                ),
            }
        }
        let (agg, res, hidden) = match (&u.aggregates, &u.results) {
            (Some(a), Some(r)) if !u.suppressed => (
                a.months.iter().map(|m| m.month).collect::<Vec<u8>>(),
                r.months.iter().map(|m| m.month).collect::<Vec<u8>>(),
                a.suppressed_months
                    .as_ref()
                    .map(|s| s.months.clone())
                    .unwrap_or_default(),
            ),
            (None, None) if u.suppressed => (vec![], vec![], vec![]),
            _ => {
                say(
                    format!("{fund} 的结算单位 {} 的汇总或结果缺失", u.code),
                    format!("{fund}: unit {}'s aggregates or results are missing", u.code),
                );
                continue;
            }
        };
        let mut all = agg.clone();
        all.extend(&hidden);
        all.sort_unstable();
        let hidden_ok = hidden.is_empty() || hidden.len() >= 2;
        if agg.windows(2).any(|w| w[0] >= w[1])
            || all.windows(2).any(|w| w[0] >= w[1])
            || all.iter().any(|m| !(1..=12).contains(m))
            || agg != res
            || !hidden_ok
        {
            say(
                format!("{fund} 的结算单位 {} 的月份不完整：汇总 {agg:?}，结果 {res:?}", u.code),
                format!(
                    "{fund}: unit {}'s months are incomplete: aggregates {agg:?}, results {res:?}",
                    u.code
                ),
            );
        }
    }
    for (code, n) in member_of {
        if n != 1 {
            say(
                format!("{fund} 中机构 {code} 属于 {n} 个结算单位（应为 1 个）"),
                format!("{fund}: institution {code} is in {n} units (should be 1)"),
            );
        }
    }
    for p in f.months.iter().chain(&f.quarters) {
        if p.suppressed != (p.pool.is_none() && p.points.is_none()) {
            say(
                format!("{fund} 的 {} 的点数或统筹基金与其隐藏标记不符", p.period),
                format!(
                    "{fund}: {}'s pool or points do not agree with its suppressed mark",
                    p.period
                ),
            );
        }
    }
    let cases: u64 = f
        .units
        .iter()
        .filter_map(|u| u.aggregates.as_ref())
        .map(|a| a.year.cases)
        .sum::<u64>()
        + f.suppressed_units.as_ref().map_or(0, |a| a.cases);
    if f.units.iter().any(|u| u.suppressed) != f.suppressed_units.is_some() {
        say(
            format!("{fund} 的 suppressed_units 与隐藏的结算单位不符"),
            format!("{fund}: suppressed_units does not agree with the suppressed units"),
        );
    }
    if cases != f.totals.cases {
        say(
            format!("{fund} 的病例合计 {} 不等于各结算单位之和 {cases}", f.totals.cases),
            format!(
                "{fund}: totals.cases is {}, the units add up to {cases}",
                f.totals.cases
            ),
        );
    }
}

/// Recompute a bundle from its aggregates and policy with this engine and compare every
/// published figure: the budget waterfall, the point values of the year, quarters and months,
/// every unit's results and month results, and the fund totals.
pub fn verify(json: &str) -> Result<Verification, PublishError> {
    let sha256 = bundle_hash(json)?;
    let bundle = Bundle::from_json(json)?;
    let policy_text = bundle.policy.to_string();
    let policy = Policy::from_json(&policy_text).map_err(|e| {
        let zh = e
            .issues
            .iter()
            .map(|i| format!("{}：{}", i.path, i.message_zh))
            .collect::<Vec<_>>()
            .join("；");
        PublishError::new(
            "policy",
            format!("数据包中的政策无效：{zh}"),
            format!("the bundle's policy is invalid: {e}"),
        )
    })?;
    check_complete(&bundle, &policy)?;
    let data = bundle_dataset(&bundle)?;
    // The aggregates become engine input: the same record limits and cross checks as any
    // import (a hostile bundle's 10²⁸ points are refused here, not an overflow in the engine).
    let problems = crate::input::check_dataset(&data);
    if !problems.is_empty() {
        let lines = |lang| {
            let shown = problems.iter().take(20).map(|e| e.message(lang));
            shown.collect::<Vec<_>>().join("; ")
        };
        return Err(PublishError::new(
            "bundle_input",
            format!("数据包的汇总数据无法结算：{}", lines(crate::input::Lang::Zh)),
            format!(
                "the bundle's aggregates cannot be settled: {}",
                lines(crate::input::Lang::En)
            ),
        ));
    }
    let settlement = settle(&policy, &data)?;
    let no_cases = || Box::new(std::iter::empty()) as Box<dyn Iterator<Item = CaseCell<'_>>>;
    let again = build(&policy, &settlement, &data, 0, &no_cases)?;

    let mut cmp = Comparer {
        fund: Fund::Employee,
        tolerance: Decimal::ZERO,
        checked: 0,
        differences: Vec::new(),
    };
    for f in &bundle.funds {
        cmp.fund = f.fund;
        let Some(g) = again.funds.iter().find(|g| g.fund == f.fund) else {
            cmp.missing("fund", "", "", "fund", f.fund.key());
            continue;
        };
        compare_fund(&mut cmp, f, g);
    }
    for g in &again.funds {
        if !bundle.funds.iter().any(|f| f.fund == g.fund) {
            cmp.fund = g.fund;
            cmp.push("fund", "", "", "fund", "—", Some(g.fund.key().to_string()));
        }
    }
    let sha256_in_file = bundle.sha256.clone();
    Ok(Verification {
        matches: cmp.differences.is_empty(),
        checked: cmp.checked,
        differences: cmp.differences,
        hash_matches: sha256_in_file.as_ref().map(|h| h.eq_ignore_ascii_case(&sha256)),
        sha256,
        sha256_in_file,
        bundle_engine_version: bundle.generator.version,
        engine_version: crate::VERSION.to_string(),
    })
}

struct Comparer {
    /// The fund being compared.
    fund: Fund,
    /// How far a figure may be off and still match: 0, or a few cents for units' money in a
    /// fund with suppressed figures (`docs/bundle.md`).
    tolerance: Decimal,
    checked: u64,
    differences: Vec<Difference>,
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// Equal as figures: decimals compare by value ("1.50" = "1.5"), everything else exactly.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => {
            x == y || matches!((x.parse::<Decimal>(), y.parse::<Decimal>()), (Ok(p), Ok(q)) if p == q)
        }
        _ => a == b,
    }
}

impl Comparer {
    fn push(
        &mut self,
        section: &str,
        subject: &str,
        name: &str,
        field: &str,
        published: &str,
        recomputed: Option<String>,
    ) {
        self.differences.push(Difference {
            fund: self.fund,
            section: section.into(),
            subject: subject.into(),
            name: name.into(),
            field: field.into(),
            published: published.into(),
            recomputed,
        });
    }

    fn within_tolerance(&self, field: &str, a: &Value, b: &Value) -> bool {
        let (Value::String(x), Value::String(y)) = (a, b) else {
            return false;
        };
        let (Ok(p), Ok(q)) = (x.parse::<Decimal>(), y.parse::<Decimal>()) else {
            return false;
        };
        if field.ends_with("_exact") {
            // Summed in another order (months and summaries rather than cases; suppressed parts
            // split another way), 28-digit sums may differ in their last digits.
            return (p - q).abs() <= Decimal::new(1, 15) * p.abs().max(Decimal::ONE);
        }
        !self.tolerance.is_zero() && (p - q).abs() <= self.tolerance
    }

    fn missing(&mut self, section: &str, subject: &str, name: &str, field: &str, published: &str) {
        self.push(section, subject, name, field, published, None);
    }

    /// Compare the scalar fields of two serialized structs (nested objects and arrays of
    /// scalars with dotted names), skipping `skip`.
    #[allow(clippy::too_many_arguments)]
    fn fields<T: Serialize>(
        &mut self,
        section: &str,
        subject: &str,
        name: &str,
        prefix: &str,
        published: &T,
        recomputed: &T,
        skip: &[&str],
    ) {
        let (Ok(a), Ok(b)) = (serde_json::to_value(published), serde_json::to_value(recomputed)) else {
            return;
        };
        self.values(section, subject, name, prefix, &a, &b, skip);
    }

    #[allow(clippy::too_many_arguments)]
    fn values(&mut self, section: &str, subject: &str, name: &str, field: &str, a: &Value, b: &Value, skip: &[&str]) {
        let join = |k: &str| {
            if field.is_empty() {
                k.to_string()
            } else {
                format!("{field}.{k}")
            }
        };
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for (k, v) in x {
                    if skip.contains(&k.as_str()) {
                        continue;
                    }
                    match y.get(k) {
                        Some(w) => self.values(section, subject, name, &join(k), v, w, &[]),
                        None => self.missing(section, subject, name, &join(k), &text(v)),
                    }
                }
            }
            (Value::Array(x), Value::Array(y)) => {
                for (n, v) in x.iter().enumerate() {
                    let f = format!("{field}[{}]", n + 1);
                    match y.get(n) {
                        Some(w) => self.values(section, subject, name, &f, v, w, &[]),
                        None => self.missing(section, subject, name, &f, &text(v)),
                    }
                }
                for (n, w) in y.iter().enumerate().skip(x.len()) {
                    self.push(
                        section,
                        subject,
                        name,
                        &format!("{field}[{}]", n + 1),
                        "—",
                        Some(text(w)),
                    );
                }
            }
            _ => {
                self.checked += 1;
                if !same(a, b) && !self.within_tolerance(field, a, b) {
                    self.push(section, subject, name, field, &text(a), Some(text(b)));
                }
            }
        }
    }
}

fn compare_fund(cmp: &mut Comparer, f: &PublishedFund, g: &PublishedFund) {
    let hidden_units = f.suppressed_units.is_some();
    // The waterfall, step by step (by position: a step's key may repeat, e.g. deductions).
    for (n, s) in f.budget.steps.iter().enumerate() {
        match g.budget.steps.get(n) {
            Some(t) => cmp.fields("budget", &s.key, &s.label, "", s, t, &[]),
            None => cmp.missing("budget", &s.key, &s.label, "amount", &s.amount.to_string()),
        }
    }
    for t in g.budget.steps.iter().skip(f.budget.steps.len()) {
        cmp.push("budget", &t.key, &t.label, "amount", "—", Some(t.amount.to_string()));
    }
    cmp.fields("budget", "", "", "", &f.budget, &g.budget, &["steps"]);
    cmp.fields(
        "fund",
        "",
        "",
        "",
        f,
        g,
        &[
            "fund",
            "budget",
            "months",
            "quarters",
            "units",
            "totals",
            "months_complete",
            "suppressed_units",
            "suppressed_cells",
            if hidden_units { "risk_sharing_effect" } else { "" },
        ],
    );
    let hidden_month = f.months.iter().any(|p| p.suppressed);
    for (section, ours, theirs) in [("month", &f.months, &g.months), ("quarter", &f.quarters, &g.quarters)] {
        for p in ours {
            // A suppressed period: only its budget (from the policy) is published.
            let skip: &[&str] = if p.suppressed {
                &[
                    "period",
                    "suppressed",
                    "suppressed_cells",
                    "pool",
                    "points",
                    "pool_exact",
                    "points_exact",
                    "point_value",
                    "cumulative_point_value",
                ]
            } else if hidden_month && p.cumulative_point_value.is_none() {
                &["period", "suppressed_cells", "cumulative_point_value"]
            } else {
                &["period", "suppressed_cells"]
            };
            match theirs.iter().find(|q| q.period == p.period) {
                Some(q) => cmp.fields(section, &p.period, "", "", p, q, skip),
                None => cmp.missing(
                    section,
                    &p.period,
                    "",
                    "point_value",
                    &p.point_value.map(|v| v.to_string()).unwrap_or_default(),
                ),
            }
        }
    }
    // Suppressed figures are settled from a split of their published sums (`fill_suppressed`):
    // the cents that reconciliation hands out by largest remainder may then go to another unit.
    let cents = Decimal::new(5, 2);
    let hidden_cells = f.suppressed_cells.is_some();
    for u in &f.units {
        let Some(v) = g.units.iter().find(|v| v.code == u.code) else {
            let settlement = u.results.as_ref().map(|r| r.settlement.to_string());
            cmp.missing("unit", &u.code, &u.name, "settlement", &settlement.unwrap_or_default());
            continue;
        };
        let (Some(ur), Some(vr)) = (&u.results, &v.results) else {
            continue;
        };
        // The year's cents move only when units are hidden; a month's when it hides cells, and
        // with it the prepayments summed over the months.
        cmp.tolerance = if hidden_units { cents } else { Decimal::ZERO };
        cmp.fields(
            "unit",
            &u.code,
            &u.name,
            "",
            ur,
            vr,
            &["months", "prepaid", "net_to_pay"],
        );
        cmp.tolerance = if hidden_cells { cents } else { Decimal::ZERO };
        let year_fields = [
            "months",
            "settlement",
            "fund_settlement",
            "target",
            "fund_pays",
            "deposit_withheld",
            "deposit_returned",
            "quality_reserve_returned",
            "adjustment_fund",
        ];
        cmp.fields("unit", &u.code, &u.name, "", ur, vr, &year_fields);
        for m in &ur.months {
            let hides = f
                .months
                .get(usize::from(m.month).saturating_sub(1))
                .is_some_and(|p| p.suppressed_cells.is_some());
            cmp.tolerance = if hidden_units || hides { cents } else { Decimal::ZERO };
            let period = format!("{}-{:02}", policy_year(f), m.month);
            match vr.months.iter().find(|n| n.month == m.month) {
                Some(n) => cmp.fields("unit_month", &u.code, &u.name, &period, m, n, &["month"]),
                None => cmp.missing(
                    "unit_month",
                    &u.code,
                    &u.name,
                    &format!("{period}.settlement"),
                    &m.settlement.to_string(),
                ),
            }
        }
    }
    for v in &g.units {
        if !f.units.iter().any(|u| u.code == v.code) {
            cmp.push(
                "unit",
                &v.code,
                &v.name,
                "settlement",
                "—",
                Some(v.results.as_ref().map(|r| r.settlement.to_string()).unwrap_or_default()),
            );
        }
    }
    cmp.tolerance = Decimal::ZERO;
    // Risk sharing is settled unit by unit: with units suppressed, its totals are not checked.
    let unchecked: &[&str] = if hidden_units {
        &["target", "fund_pays", "net_to_pay"]
    } else {
        &[]
    };
    cmp.fields("totals", "", "", "", &f.totals, &g.totals, unchecked);
}

/// The settlement year, from the fund's first month ("2024-01").
fn policy_year(f: &PublishedFund) -> String {
    f.months
        .first()
        .and_then(|m| m.period.split('-').next())
        .unwrap_or("")
        .to_string()
}
