//! The pure settlement engine: no I/O, no wasm, `Decimal` everywhere.
//!
//! [`settle`] takes a validated [`Policy`] and a [`Dataset`] and returns a [`Settlement`]:
//! per fund the budget waterfall (SPEC §3), pool and point values (§6), and per settlement unit
//! the points (§5), settlement, risk sharing and payment flow (§7).

pub mod adjustment_fund;
pub mod aggregate;
pub mod allotment;
pub mod analysis;
pub mod bonus;
pub mod budget;
pub mod coefficients;
pub mod deviant;
pub mod disclosure;
pub mod estimate;
pub mod excluded;
pub mod ledger;
pub mod lump_sum;
pub mod monitoring;
pub mod outpatient;
pub mod payment;
pub mod point_value;
pub mod points;
pub mod result;
pub mod review;
pub mod rounding;
pub mod settlement;
pub mod special;
pub mod sub_pools;
pub mod subtype;
pub mod trace;
pub mod units;

use crate::policy::{FundPolicy, PointsPolicy, Policy, Ref, SettlementMode};
use crate::records::cases::CaseTable;
use crate::records::{Dataset, Fund};
use ledger::{FundLedger, Ledger};
use payment::FundStages;
use result::*;
use rounding::round_money;
use rust_decimal::Decimal;
use serde::Serialize;
use std::fmt;
pub use trace::unit_trace;
use units::{Unit, Units};

/// Why a settlement could not be computed, located (institution, group or case row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EngineError {
    pub code: String,
    /// Institution, group or policy path.
    pub subject: String,
    /// The case's row in its file, when a case is at fault.
    pub row: Option<u64>,
    pub message_zh: String,
    pub message_en: String,
}

impl EngineError {
    pub fn new(code: &str, subject: &str, zh: String, en: String) -> Self {
        EngineError {
            code: code.into(),
            subject: subject.into(),
            row: None,
            message_zh: zh,
            message_en: en,
        }
    }

    /// An error about one case, naming its row (0 = unknown) and institution.
    pub fn at_row(code: &str, row: u64, institution: &str, zh: String, en: String) -> Self {
        let row = (row > 0).then_some(row);
        let (zh, en) = match row {
            Some(r) => (
                format!("病例第 {r} 行（机构 {institution}）：{zh}"),
                format!("case row {r} (institution {institution}): {en}"),
            ),
            None => (
                format!("机构 {institution} 的病例：{zh}"),
                format!("a case of institution {institution}: {en}"),
            ),
        };
        EngineError {
            code: code.into(),
            subject: institution.into(),
            row,
            message_zh: zh,
            message_en: en,
        }
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_en)
    }
}

impl std::error::Error for EngineError {}

/// The ref of a policy path; else the first ref below it (a step citing `reserve` is explained by
/// `reserve.rate`); else the ref of its nearest ancestor.
pub(crate) fn cite<'p>(policy: &'p Policy, path: &str) -> Option<&'p Ref> {
    if let Some(r) = policy.refs.get(path) {
        return Some(r);
    }
    let below = format!("{path}.");
    if let Some((_, r)) = policy
        .refs
        .range(below.clone()..)
        .next()
        .filter(|(k, _)| k.starts_with(&below))
    {
        return Some(r);
    }
    let mut p = path;
    loop {
        if let Some(r) = policy.refs.get(p) {
            return Some(r);
        }
        p = &p[..p.rfind('.')?];
    }
}

/// A formula that reads the same in both languages (figures and operators only), as the
/// [Chinese, English] pair budget steps and trace lines take.
pub(crate) fn same(formula: String) -> [String; 2] {
    [formula.clone(), formula]
}

/// Money for formulas: 1,234,567.89.
pub(crate) fn fmt_money(x: Decimal) -> String {
    let rounded = round_money(x);
    let text = format!("{:.2}", rounded.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, "00"));
    let mut grouped = String::new();
    for (n, ch) in int.chars().enumerate() {
        if n > 0 && (int.len() - n) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}{grouped}.{frac}")
}

/// A rate as a percentage: 0.1 → "10%".
pub(crate) fn fmt_rate(r: Decimal) -> String {
    format!("{}%", (r * Decimal::ONE_HUNDRED).normalize())
}

/// Settle a dataset under a policy. The policy is validated first; a case whose institution or
/// group is unknown is an error naming its row. (To settle the same cases under many policies,
/// keep a [`Settler`]: it runs the per-case pass only when the points parameters change.)
pub fn settle(policy: &Policy, data: &Dataset) -> Result<Settlement, EngineError> {
    checked_policy(policy)?;
    let agg = aggregate::aggregate_cases(&policy.points, &data.institutions, &data.catalog, &data.cases)?;
    settle_aggregated(policy, data, &agg)
}

/// Cases kept compactly with their stage-1 aggregates, for settling them again and again as a
/// user moves parameters: only a change of the points parameters ([`aggregate::PointsKey`])
/// runs the per-case pass again.
#[derive(Debug, Clone, Default)]
pub struct Settler {
    data: Dataset,
    cache: Option<aggregate::CaseAggregates>,
    /// Kept when asked for ([`Settler::revisit_outliers`]): a change of the outlier thresholds
    /// then revisits the outliers only. `Some(None)`: these cases cannot be revisited.
    outliers: Option<Option<aggregate::OutlierIndex>>,
    revisit: bool,
}

impl Settler {
    /// Take a dataset, cases and all.
    pub fn new(data: Dataset) -> Self {
        Settler {
            data,
            cache: None,
            outliers: None,
            revisit: false,
        }
    }

    /// A dataset's other records with the cases an import read into a table.
    pub fn from_parts(mut data: Dataset, cases: CaseTable) -> Self {
        data.cases = cases;
        Settler::new(data)
    }

    /// The dataset, cases included.
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// Change the data (institutions, catalog, summaries, cases…); the aggregates are redone.
    pub fn data_mut(&mut self) -> &mut Dataset {
        self.cache = None;
        self.outliers = None;
        &mut self.data
    }

    pub fn cases(&self) -> &CaseTable {
        &self.data.cases
    }

    /// Replace the cases; the aggregates are redone.
    pub fn set_cases(&mut self, cases: CaseTable) {
        self.data.cases = cases;
        self.cache = None;
        self.outliers = None;
    }

    /// On a change of the outlier thresholds alone (H, L), rescore only the cases that are
    /// outliers under the new ones ([`aggregate::revisit_outliers`]; the same aggregates as a full
    /// pass). The first such change puts the DIP cases in order of cost within their group
    /// ([`aggregate::OutlierIndex`], 4 bytes a case, kept until the data change). For a page
    /// that settles again and again; a single settle gains nothing by it.
    pub fn revisit_outliers(&mut self, on: bool) {
        self.revisit = on;
        if !on {
            self.outliers = None;
        }
    }

    /// Put the DIP cases in order of cost now, under `points` (those of the pass cached), so
    /// that the first change of H or L is a revisit too: for a page to call while it is idle
    /// after a settle. Returns whether the index is ready. Does nothing when the revisit is off,
    /// the pass cached is not under `points`, or the index is built already.
    pub fn prepare_outlier_index(&mut self, points: &PointsPolicy) -> bool {
        if !self.revisit {
            return false;
        }
        if self.outliers.is_none() {
            if self
                .cache
                .as_ref()
                .is_none_or(|c| c.key != aggregate::PointsKey::of(points))
            {
                return false;
            }
            self.outliers = Some(outlier_index(&self.data, points));
        }
        matches!(self.outliers, Some(Some(_)))
    }

    /// Settle under `policy`, reusing the per-case pass when the points parameters are unchanged.
    pub fn settle(&mut self, policy: &Policy) -> Result<Settlement, EngineError> {
        checked_policy(policy)?;
        let (data, agg) = self.aggregates(policy)?;
        settle_aggregated(policy, data, agg)
    }

    /// [`Settler::settle`] with every unit's `trace` left empty: what a page needs after a
    /// parameter change. [`unit_trace`] gives a unit's trace from the settlement when asked.
    pub fn settle_without_traces(&mut self, policy: &Policy) -> Result<Settlement, EngineError> {
        checked_policy(policy)?;
        let (data, agg) = self.aggregates(policy)?;
        settle_aggregated_without_traces(policy, data, agg)
    }

    /// The dataset with the per-case pass under `policy`'s points parameters: cached, redone
    /// when they change.
    pub fn aggregates(&mut self, policy: &Policy) -> Result<(&Dataset, &aggregate::CaseAggregates), EngineError> {
        let key = aggregate::PointsKey::of(&policy.points);
        if self.cache.as_ref().is_none_or(|c| c.key != key) {
            // A change of the outlier thresholds alone: the DIP cases are put in order of cost
            // the first time (under the thresholds the cached pass took), then only the
            // outliers are scored.
            let revisited = match &self.cache {
                Some(before) if self.revisit && before.key.same_but_outliers(&key) => {
                    if self.outliers.is_none() {
                        let was = PointsPolicy {
                            outliers: before.key.outliers().clone(),
                            ..policy.points.clone()
                        };
                        self.outliers = Some(outlier_index(&self.data, &was));
                    }
                    match &self.outliers {
                        Some(Some(index)) => aggregate::revisit_outliers(
                            before,
                            index,
                            &policy.points,
                            &self.data.institutions,
                            &self.data.catalog,
                            &self.data.cases,
                        ),
                        _ => None,
                    }
                }
                _ => None,
            };
            self.cache = None;
            let agg = match revisited {
                Some(agg) => agg,
                None => aggregate::aggregate_cases(
                    &policy.points,
                    &self.data.institutions,
                    &self.data.catalog,
                    &self.data.cases,
                )?,
            };
            self.cache = Some(agg);
        }
        match &self.cache {
            Some(agg) => Ok((&self.data, agg)),
            None => Err(unreachable_aggregates()),
        }
    }
}

/// The outlier index of a dataset's cases under `points` ([`aggregate::OutlierIndex::build`]),
/// where the Settler builds it: at the first change of H or L, or when a page prepares it.
fn outlier_index(data: &Dataset, points: &PointsPolicy) -> Option<aggregate::OutlierIndex> {
    aggregate::OutlierIndex::build(points, &data.institutions, &data.catalog, &data.cases)
}

fn unreachable_aggregates() -> EngineError {
    EngineError::new(
        "stale_aggregates",
        "points",
        "病例汇总缺失".into(),
        "the case aggregates are missing".into(),
    )
}

/// The policy's warnings as notices, or the error that refuses it.
fn checked_policy(policy: &Policy) -> Result<Vec<Notice>, EngineError> {
    let issues = policy.validate().map_err(|e| {
        let first = e.issues.first();
        EngineError::new(
            "invalid_policy",
            first.map(|i| i.path.as_str()).unwrap_or(""),
            e.issues
                .iter()
                .map(|i| format!("{}：{}", i.path, i.message_zh))
                .collect::<Vec<_>>()
                .join("；"),
            e.to_string(),
        )
    })?;
    Ok(issues
        .into_iter()
        .map(|i| Notice {
            code: "policy_warning".into(),
            subject: i.path,
            message_zh: i.message_zh,
            message_en: i.message_en,
        })
        .collect())
}

/// Stage 2 (SPEC §3–§7): everything after the per-case pass, on its aggregates. The dataset's
/// own `cases` are not read here (they are in `agg`); summaries, adjustments and outpatient
/// records are.
pub fn settle_aggregated(
    policy: &Policy,
    data: &Dataset,
    agg: &aggregate::CaseAggregates,
) -> Result<Settlement, EngineError> {
    let mut settlement = settle_aggregated_without_traces(policy, data, agg)?;
    for fund in &mut settlement.funds {
        let traces: Vec<Vec<TraceLine>> = fund.units.iter().map(|u| unit_trace(policy, fund, u)).collect();
        for (unit, trace) in fund.units.iter_mut().zip(traces) {
            unit.trace = trace;
        }
    }
    Ok(settlement)
}

/// [`settle_aggregated`] with every unit's `trace` empty: formatting the traces is most of the
/// text stage 2 writes, and a page shows one only for a unit it opens ([`unit_trace`]).
/// The pipeline: units (SPEC §4) → ledgers (§5) → per fund [`settle_fund`].
pub fn settle_aggregated_without_traces(
    policy: &Policy,
    data: &Dataset,
    agg: &aggregate::CaseAggregates,
) -> Result<Settlement, EngineError> {
    let mut notices = checked_policy(policy)?;
    let units = Units::new(policy, &data.institutions, &mut notices)?;
    let ledger = Ledger::from_data(policy, data, &units, agg)?;
    notices.extend(special::unread_notices(&agg.unread));
    let review_flags = units.any_member(&ledger.review_flags(policy, &data.institutions, &mut notices));
    let mut funds = Vec::new();
    for fund in Fund::ALL {
        let fund_ledger = ledger.fund(fund);
        if fund_ledger.ignored_cases > 0 {
            notices.push(fund_not_in_policy(fund, fund_ledger.ignored_cases));
        }
        let Some(fp) = policy.funds.get(fund) else { continue };
        let mut fr = settle_fund(policy, fund, fp, &units.units, fund_ledger, &review_flags, &mut notices)?;
        fr.alliance_lump_sums =
            lump_sum::alliance_lump_sums(policy, fund, fp, &data.institutions, &data.outpatient, &mut notices)?;
        fr.monitoring = monitoring::fund_monitoring(policy, &fr);
        fr.excluded_outlay = excluded::excluded_outlay(policy, &fr);
        funds.push(fr);
    }
    let review = review::region_review(policy, &ledger, &mut notices);
    Ok(Settlement {
        engine_version: crate::VERSION.to_string(),
        policy_name: policy.name.clone(),
        year: policy.year,
        funds,
        notices,
        review,
    })
}

fn fund_not_in_policy(fund: Fund, cases: u64) -> Notice {
    Notice {
        code: "fund_not_in_policy".into(),
        subject: fund.key().into(),
        message_zh: format!(
            "政策没有{}预算，{} 条{}病例未计算",
            fund.label_zh(),
            cases,
            fund.label_zh()
        ),
        message_en: format!("the policy has no {} budget: {} cases left out", fund.key(), cases),
    }
}

/// One fund settled from its units' ledgers, whatever they came from (cases, or a projection):
/// budget (SPEC §3) → point values (§6) → S_i (§7, §7.3) → each unit's figures and payments
/// (§7.1, §7.2) → outpatient (§5.4). `review_flags`: per unit, over the 特例单议 limit.
pub fn settle_fund(
    policy: &Policy,
    fund: Fund,
    fp: &FundPolicy,
    units: &[Unit],
    ledger: &FundLedger,
    review_flags: &[bool],
    notices: &mut Vec<Notice>,
) -> Result<FundResult, EngineError> {
    let budget = budget::fund_budget(policy, fund, fp)?;
    let (values, mut shares, sub_pools) = if fp.sub_budgets.is_empty() {
        let values = point_value::point_values(policy, fp, &budget, ledger)?;
        if let Some(notice) = values
            .elastic
            .as_ref()
            .and_then(|e| point_value::elastic_notice(fund, e))
        {
            notices.push(notice);
        }
        let shares = settlement::fund_shares(policy, fp, &budget, units, ledger, &values)?;
        (values, shares, Vec::new())
    } else {
        sub_pools::settle_sub_pools(policy, fund, fp, &budget, units, ledger, notices)?
    };
    if !ledger.months_complete {
        notices.push(point_value::months_incomplete(fund));
    }
    let adjustment_fund_use = adjustment_fund::redistribute(policy, fund, fp, units, ledger, &mut shares)?;
    let stages = FundStages {
        policy,
        budget: &budget,
        values: &values,
        shares: &shares,
    };
    let pool_label: std::collections::HashMap<&str, &str> = sub_pools
        .iter()
        .flat_map(|p| p.units.iter().map(|u| (u.as_str(), p.label.as_str())))
        .collect();
    let mut totals = Totals::default();
    let mut results = Vec::with_capacity(units.len());
    for (u, (unit, unit_ledger)) in units.iter().zip(&ledger.units).enumerate() {
        let mut r = payment::unit_result(&stages, u, unit, unit_ledger, review_flags[u]);
        r.sub_pool = pool_label.get(r.code.as_str()).map(|l| l.to_string());
        notices.extend(payment::quality_reserve_notice(fund, &r));
        totals.add(&r);
        results.push(r);
    }
    let outpatient = outpatient::outpatient_settlement(policy, fund, fp, &budget, units, &ledger.units, notices)?;
    let allotment = policy.settlement.mode == SettlementMode::Allotment;
    Ok(FundResult {
        fund,
        pool: values.pool,
        total_points: values.total_points,
        pool_exact: values.pool,
        total_points_exact: values.total_points,
        point_value: point_value::reported(policy, values.exact),
        point_value_exact: if allotment { None } else { values.exact },
        months: values.months,
        quarters: values.quarters,
        months_complete: ledger.months_complete,
        units: results,
        risk_sharing_effect: totals.fund_pays - totals.fund_settlement,
        totals,
        reconciliation: shares.reconciliation,
        outpatient,
        elastic: values.elastic,
        alliance_lump_sums: Vec::new(),
        adjustment_fund_use,
        monitoring: None,
        excluded_outlay: None,
        sub_pools,
        budget,
    })
}

/// num ÷ den, or `None` when den is zero.
pub(crate) fn ratio(num: Decimal, den: Decimal) -> Option<Decimal> {
    (!den.is_zero()).then(|| num / den)
}
