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
//! #     assessment_score: None, primary_care: None, history: vec![] };
//! let data = Dataset {
//!     institutions: vec![inst("H1"), inst("H2")],
//!     summaries: vec![summary("H1", "1000.5", "125700", "28200"), summary("H2", "618", "63700", "14500")],
//!     ..Default::default()
//! };
//! let bundle = publish::publish(&policy, &data).unwrap();
//! let json = bundle.to_json();
//! assert_eq!(bundle.sha256.as_deref(), Some(publish::bundle_hash(&json).unwrap().as_str()));
//! let check = publish::verify(&json).unwrap();
//! assert!(check.matches && check.hash_matches == Some(true));
//! ```

use crate::engine::cases::CaseTable;
use crate::engine::coefficients::institution_coefficient;
use crate::engine::result::{FundResult, PeriodValue, Settlement, UnitResult};
use crate::engine::rounding::{round_money, round_points};
use crate::engine::{settle, EngineError};
use crate::policy::{Mark, Policy};
use crate::records::{Dataset, Fund, Institution, InstitutionAdjustment, InstitutionSummary};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;

/// The `format` every bundle carries.
pub const BUNDLE_FORMAT: &str = "dipcalc-publication-bundle";
/// The schema version this build writes and verifies (`docs/bundle.md`).
pub const BUNDLE_SCHEMA_VERSION: u32 = 2;

/// A publication bundle (`docs/bundle.md`, schema version 2). Money is in 元, as decimal strings.
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
    pub budget: Decimal,
    pub pool: Decimal,
    /// Reported to 4 decimals.
    pub points: Decimal,
    /// The period's pool and points at full precision (absent in bundles written before them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool_exact: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_exact: Option<Decimal>,
    pub point_value: Option<Decimal>,
    pub cumulative_point_value: Option<Decimal>,
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
    /// What the engine settles from: exact decimals, as the engine held them.
    pub aggregates: UnitAggregates,
    /// What the engine reported, money rounded to the fen.
    pub results: UnitResults,
}

/// A unit's inputs to the settlement, aggregated: the year and each month with figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitAggregates {
    pub year: Aggregate,
    /// Months with any figure, in order. At year end the year may differ from the sum of the
    /// months (year-end point adjustments, cases that failed 质控 and were supplemented).
    pub months: Vec<MonthAggregate>,
    /// 已预付 as given in the input, when it was (otherwise computed from the months).
    pub prepaid: Option<Decimal>,
    /// Year-end amount adjustments (元), e.g. audit deductions (SPEC §7.2).
    pub amount_adjustments: Decimal,
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

/// Settle `data` under `policy` and make its bundle.
pub fn publish(policy: &Policy, data: &Dataset) -> Result<Bundle, PublishError> {
    let settlement = settle(policy, data)?;
    make_bundle(policy, &settlement, data)
}

/// The bundle of a settlement that `settle(policy, data)` returned, with its hash filled in.
pub fn make_bundle(policy: &Policy, settlement: &Settlement, data: &Dataset) -> Result<Bundle, PublishError> {
    let cells = || Box::new(data.cases.iter().map(CaseCell::of_case)) as Box<dyn Iterator<Item = CaseCell<'_>> + '_>;
    let mut bundle = build(policy, settlement, data, data.cases.len(), &cells)?;
    bundle.sha256 = Some(hash_of(&bundle));
    Ok(bundle)
}

/// The same for data whose cases are kept in a [`CaseTable`] (the engine's `Settler`, the
/// page's session): `data.cases` is not read.
pub fn make_bundle_with_table(
    policy: &Policy,
    settlement: &Settlement,
    data: &Dataset,
    cases: &CaseTable,
) -> Result<Bundle, PublishError> {
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

impl<'a> CaseCell<'a> {
    fn of_case(c: &'a crate::records::Case) -> Self {
        CaseCell {
            institution: &c.institution,
            fund: c.fund,
            month: c.month,
            qc_passed: c.qc_passed,
            cost: c.total_cost - c.excluded_cost,
            personal: c.personal_burden,
        }
    }
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
        policy: policy_json,
        institutions,
        funds,
        sha256: None,
    })
}

fn period(p: &PeriodValue) -> PublishedPeriod {
    PublishedPeriod {
        period: p.period.clone(),
        budget: money(p.budget),
        pool: money(p.pool),
        points: points(p.points),
        pool_exact: Some(p.pool_exact.normalize()),
        points_exact: Some(p.points_exact.normalize()),
        point_value: p.point_value,
        cumulative_point_value: p.cumulative_point_value,
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
        aggregates: UnitAggregates {
            year: Aggregate {
                points: u.points.total,
                total_cost: u.total_cost,
                personal_burden: u.personal_burden,
                cases: u.cases.total,
            },
            months,
            prepaid: prepaid_input,
            amount_adjustments: u.amount_adjustments,
        },
        results: UnitResults {
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
        },
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
        })
        .collect();
    let mut summaries = Vec::new();
    let mut adjustments = Vec::new();
    for f in &bundle.funds {
        for u in &f.units {
            let Some(first) = u.institutions.first() else {
                return Err(PublishError::new(
                    "unit_without_institution",
                    format!("结算单位 {} 没有成员机构", u.code),
                    format!("settlement unit {} lists no institution", u.code),
                ));
            };
            let a = &u.aggregates;
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
            let mut rest = a.year.clone();
            for m in &a.months {
                summaries.push(summary(Some(m.month), &m.figures(), None));
                // Checked: a hostile bundle's figures are not yet bounded here.
                let minus = |x: Decimal, y: Decimal| {
                    x.checked_sub(y).ok_or_else(|| {
                        PublishError::new(
                            "out_of_range",
                            format!("结算单位 {} 的汇总数超出范围", u.code),
                            format!("settlement unit {}: an aggregate is out of range", u.code),
                        )
                    })
                };
                rest.points = minus(rest.points, m.points)?;
                rest.total_cost = minus(rest.total_cost, m.total_cost)?;
                rest.personal_burden = minus(rest.personal_burden, m.personal_burden)?;
                rest.cases = rest.cases.checked_sub(m.cases).ok_or_else(|| {
                    PublishError::new(
                        "cases_exceed_year",
                        format!("结算单位 {} 各月病例数之和超过全年", u.code),
                        format!(
                            "settlement unit {}: the months' cases add up to more than the year's",
                            u.code
                        ),
                    )
                })?;
            }
            if rest != Aggregate::default() || a.prepaid.is_some() {
                summaries.push(summary(None, &rest, a.prepaid));
            }
            if !a.amount_adjustments.is_zero() {
                adjustments.push(InstitutionAdjustment {
                    institution: first.clone(),
                    fund: f.fund,
                    label: "公布的年终金额调整".into(),
                    points: Decimal::ZERO,
                    amount: a.amount_adjustments,
                    basis: String::new(),
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
        let agg: Vec<u8> = u.aggregates.months.iter().map(|m| m.month).collect();
        let res: Vec<u8> = u.results.months.iter().map(|m| m.month).collect();
        if agg.windows(2).any(|w| w[0] >= w[1]) || agg.iter().any(|m| !(1..=12).contains(m)) || agg != res {
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
    let cases: u64 = f.units.iter().map(|u| u.aggregates.year.cases).sum();
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
                if !same(a, b) {
                    self.push(section, subject, name, field, &text(a), Some(text(b)));
                }
            }
        }
    }
}

fn compare_fund(cmp: &mut Comparer, f: &PublishedFund, g: &PublishedFund) {
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
        ],
    );
    for (section, ours, theirs) in [("month", &f.months, &g.months), ("quarter", &f.quarters, &g.quarters)] {
        for p in ours {
            match theirs.iter().find(|q| q.period == p.period) {
                Some(q) => cmp.fields(section, &p.period, "", "", p, q, &["period"]),
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
    for u in &f.units {
        let Some(v) = g.units.iter().find(|v| v.code == u.code) else {
            cmp.missing(
                "unit",
                &u.code,
                &u.name,
                "settlement",
                &u.results.settlement.to_string(),
            );
            continue;
        };
        cmp.fields("unit", &u.code, &u.name, "", &u.results, &v.results, &["months"]);
        for m in &u.results.months {
            let period = format!("{}-{:02}", policy_year(f), m.month);
            match v.results.months.iter().find(|n| n.month == m.month) {
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
                Some(v.results.settlement.to_string()),
            );
        }
    }
    cmp.fields("totals", "", "", "", &f.totals, &g.totals, &[]);
}

/// The settlement year, from the fund's first month ("2024-01").
fn policy_year(f: &PublishedFund) -> String {
    f.months
        .first()
        .and_then(|m| m.period.split('-').next())
        .unwrap_or("")
        .to_string()
}
