//! Sub-budgets (SPEC §3, §6, §7; 吉林2024 第八条 "经办机构可根据经办工作实际情况，结合定点服务机构类型、
//! 等级等因素，进一步进行预算总额细分"): a fund's inpatient budget split into sub-pools by institution
//! level or type, each priced at its own point value and shared among its own units, as if each
//! were a fund of its own (吉林2024 第十二条(三) "预付点值=…住院预算总额÷…住院总付费点数" per pool).

use super::budget::sub_budgets;
use super::ledger::FundLedger;
use super::point_value::{self, PointValues};
use super::points::mul_div;
use super::result::{BudgetResult, Notice, Reconciliation, SubPoolResult};
use super::settlement::{self, adjustment_fund_shares, FundShares};
use super::units::Unit;
use super::{ratio, EngineError};
use crate::policy::{FundPolicy, Policy, SettlementMode, SubBudget};
use crate::records::Fund;
use rust_decimal::Decimal;

/// The sub-budget a unit belongs to: the one whose levels hold every member's level or whose
/// types hold every member's 机构类别. A unit that fits none, or whose members fit different
/// ones, is an error naming it.
pub fn sub_pool_of(subs: &[SubBudget], fund: Fund, unit: &Unit) -> Result<usize, EngineError> {
    let fits = |(level, category): &(String, Option<String>)| {
        subs.iter().position(|s| {
            s.levels.iter().any(|l| l == level) || category.as_ref().is_some_and(|c| s.categories.contains(c))
        })
    };
    let mut found: Option<usize> = None;
    for member in &unit.member_groups {
        let k = fits(member);
        let agrees = match (found, k) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(a), Some(b)) => a == b,
        };
        if !agrees {
            return Err(no_sub_pool(fund, unit, member));
        }
        found = k;
    }
    found.ok_or_else(|| no_sub_pool(fund, unit, &(unit.level.clone(), None)))
}

fn no_sub_pool(fund: Fund, unit: &Unit, (level, category): &(String, Option<String>)) -> EngineError {
    let category = category.as_deref().unwrap_or("");
    EngineError::new(
        "no_sub_budget",
        &unit.code,
        format!(
            "{}：机构 {}（等级“{level}”，机构类别“{category}”）不属于任何细分预算，或其医共体成员分属不同细分预算（funds.{}.sub_budgets；吉林2024 第八条）",
            fund.label_zh(),
            unit.code,
            fund.key()
        ),
        format!(
            "{}: institution {} (level “{level}”, type “{category}”) fits no sub-budget, or its 医共体 members fit different ones (funds.{}.sub_budgets; 吉林2024 第八条)",
            fund.key(),
            unit.code,
            fund.key()
        ),
    )
}

/// A fund settled in sub-pools: its point values (the year's pool and points the sums of the
/// sub-pools'; the months and quarters the whole fund's, for information [default]), the units'
/// shares, each sub-pool's result, and the notices of their 弹性点值 bounds.
pub fn settle_sub_pools(
    policy: &Policy,
    fund: Fund,
    fp: &FundPolicy,
    budget: &BudgetResult,
    units: &[Unit],
    ledger: &FundLedger,
    notices: &mut Vec<Notice>,
) -> Result<(PointValues, FundShares, Vec<SubPoolResult>), EngineError> {
    let subs = &fp.sub_budgets;
    let parts = sub_budgets(fp, fund, budget.inpatient_budget)?;
    let pool_of: Vec<usize> = units
        .iter()
        .map(|u| sub_pool_of(subs, fund, u))
        .collect::<Result<_, _>>()?;
    let mut whole = point_value::point_values(policy, fp, budget, ledger)?;
    let n = units.len();
    let mut shares = no_shares(n);
    let mut results = Vec::with_capacity(subs.len());
    let (mut pool, mut points) = (Decimal::ZERO, Decimal::ZERO);
    let mut month_budgets_left = budget.monthly_budget.clone();
    let last = subs.len() - 1;
    for (k, (sb, part)) in subs.iter().zip(&parts).enumerate() {
        let members: Vec<usize> = (0..n).filter(|&u| pool_of[u] == k).collect();
        let sub_units: Vec<Unit> = members.iter().map(|&u| units[u].clone()).collect();
        let sub_ledger = FundLedger {
            units: members.iter().map(|&u| ledger.units[u].clone()).collect(),
            months_complete: ledger.months_complete,
            ignored_cases: 0,
        };
        let sub_budget = sub_budget_result(budget, *part, k == last, &mut month_budgets_left)?;
        let values = point_value::point_values(policy, fp, &sub_budget, &sub_ledger)?;
        if let Some(notice) = values
            .elastic
            .as_ref()
            .and_then(|e| point_value::elastic_notice(fund, e))
        {
            notices.push(notice);
        }
        let sub_shares = if members.is_empty() {
            None
        } else {
            Some(settlement::fund_shares(
                policy,
                fp,
                &sub_budget,
                &sub_units,
                &sub_ledger,
                &values,
            )?)
        };
        if let Some(sub) = &sub_shares {
            merge(&mut shares, sub, &members);
        }
        pool += values.pool;
        points += values.total_points;
        results.push(SubPoolResult {
            label: sb.label.clone(),
            budget: *part,
            units: sub_units.iter().map(|u| u.code.clone()).collect(),
            reconciliation: sub_shares.map(|s| s.reconciliation).unwrap_or_default(),
            ..priced(policy, values)
        });
    }
    shares.total = shares.settlements.iter().sum();
    let codes: Vec<&str> = units.iter().map(|u| u.code.as_str()).collect();
    shares.adjustment_fund = match &fp.adjustment_fund {
        None => vec![Decimal::ZERO; n],
        Some(af) => adjustment_fund_shares(af, af.amount.to_yuan(), &codes, &ledger.units),
    };
    whole.pool = pool;
    whole.total_points = points;
    whole.exact = None;
    whole.elastic = None;
    Ok((whole, shares, results))
}

/// Every unit's shares at zero, to be filled sub-pool by sub-pool.
fn no_shares(n: usize) -> FundShares {
    FundShares {
        settlements: vec![Decimal::ZERO; n],
        reconciliation: Reconciliation::default(),
        total: Decimal::ZERO,
        months: vec![vec![Decimal::ZERO; n]; 12],
        quarters: vec![vec![Decimal::ZERO; n]; 4],
        adjustment_fund: Vec::new(),
    }
}

/// A sub-pool's pool, points and point values (its label, budget, units and reconciliation
/// left for the caller).
fn priced(policy: &Policy, values: PointValues) -> SubPoolResult {
    SubPoolResult {
        label: String::new(),
        budget: Decimal::ZERO,
        pool: values.pool,
        points: values.total_points,
        point_value: point_value::reported(policy, values.exact),
        point_value_exact: values
            .exact
            .filter(|_| policy.settlement.mode == SettlementMode::Points),
        units: Vec::new(),
        reconciliation: Reconciliation::default(),
        elastic: values.elastic,
    }
}

/// The fund's budget as a sub-pool sees it: its part of the inpatient budget, and of each
/// month's (in proportion, the last sub-pool taking what the others leave, so the months of the
/// sub-pools add up to the fund's).
fn sub_budget_result(
    budget: &BudgetResult,
    part: Decimal,
    last: bool,
    months_left: &mut [Decimal],
) -> Result<BudgetResult, EngineError> {
    let mut sub = budget.clone();
    sub.inpatient_budget = part;
    for (m, left) in months_left.iter_mut().enumerate() {
        let month = if last {
            *left
        } else {
            ratio(part, budget.inpatient_budget)
                .map(|_| mul_div(budget.monthly_budget[m], part, budget.inpatient_budget))
                .unwrap_or(Some(Decimal::ZERO))
                .ok_or_else(too_large)?
        };
        sub.monthly_budget[m] = month;
        *left -= month;
    }
    Ok(sub)
}

fn too_large() -> EngineError {
    EngineError::new(
        "too_large",
        "sub_budgets",
        "细分预算的月度预算超出可计算范围".into(),
        "a sub-budget's monthly budget is out of range".into(),
    )
}

/// One sub-pool's shares put in the fund's places (`members`: the fund's unit indices).
fn merge(into: &mut FundShares, sub: &FundShares, members: &[usize]) {
    for (j, &u) in members.iter().enumerate() {
        into.settlements[u] = sub.settlements[j];
        for (m, month) in sub.months.iter().enumerate() {
            into.months[m][u] = month[j];
        }
        for (q, quarter) in sub.quarters.iter().enumerate() {
            into.quarters[q][u] = quarter[j];
        }
    }
    let r = &mut into.reconciliation;
    r.pool += sub.reconciliation.pool;
    r.sum_of_floors += sub.reconciliation.sum_of_floors;
    r.cents_distributed += sub.reconciliation.cents_distributed;
    r.recipients.extend(sub.reconciliation.recipients.iter().cloned());
}
