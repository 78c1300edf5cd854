//! Point value (SPEC §6): the pool a fund's budget buys under the cost basis and the point value
//! of the year, each month and each quarter (吉林2024 第十二条(三) "预付点值=统筹区定点服务机构住院预算总额÷
//! 统筹区住院总付费点数"; 宁德2025答复 二 "按月…公布预结算点值").

use super::ledger::{FundLedger, UnitLedger};
use super::points::mul_div;
use super::ratio;
use super::result::{Bound, BudgetResult, ElasticResult, Notice, PeriodValue};
use super::rounding::round_point_value;
use super::EngineError;
use crate::policy::{CostBasis, ElasticBase, ElasticPointValue, FundPolicy, MonthlyPointValue, Policy, SettlementMode};
use crate::records::Fund;
use rust_decimal::Decimal;

/// A fund's pools, points and point values: the year, each month, each quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct PointValues {
    /// pool_f (SPEC §6).
    pub pool: Decimal,
    /// Σ points of the year.
    pub total_points: Decimal,
    /// pool ÷ Σ points, unrounded (`None` when there are no points).
    pub exact: Option<Decimal>,
    /// Each month's budget, pool, points and reported point values.
    pub months: Vec<PeriodValue>,
    pub quarters: Vec<PeriodValue>,
    /// The (pool, points) whose ratio each month settles at: the month's, or cumulative to it.
    pub month_basis: [(Decimal, Decimal); 12],
    /// The 弹性点值 rule applied to the year (then `pool` is the pool it settles).
    pub elastic: Option<ElasticResult>,
    /// Per unit, what it is paid in points' worth when the 弹性点值 base is per institution
    /// (fixed × its base part + floating × the rest): S_i is the pool split by these, not by points.
    pub unit_weights: Option<Vec<Decimal>>,
}

/// The pool a budget buys in points under the cost basis (SPEC §6), with the period's total cost
/// and personal burden of the included cases.
pub fn pool_for(
    basis: CostBasis,
    budget: Decimal,
    (cost, personal): (Decimal, Decimal),
    fp: &FundPolicy,
) -> Result<Decimal, EngineError> {
    Ok(match basis {
        CostBasis::FundPlusPersonal => budget + personal,
        CostBasis::FundShareRatio => match fp.fund_share_ratio {
            Some(r) if !r.is_zero() => budget / r,
            _ => budget,
        },
        CostBasis::FundOnly => budget,
        CostBasis::FundShareFromData => pool_by_data_share(budget, cost, personal)?,
    })
}

/// 结算点值的总额 (SPEC §12; 国家DIP3.0 第七章第三节一(三) "(DIP 基金总额 ÷ 医保支付比例)", 医保支付比例 =
/// 记账金额 ÷ 医疗总费用 of the DIP cases): B ÷ ((C − R) ÷ C) = B × C ÷ (C − R), multiplied before
/// it divides. Without fund-booked cost (C ≤ R) the budget is the pool, as `fund_only`.
fn pool_by_data_share(budget: Decimal, cost: Decimal, personal: Decimal) -> Result<Decimal, EngineError> {
    let booked = cost - personal;
    if booked <= Decimal::ZERO {
        return Ok(budget);
    }
    mul_div(budget, cost, booked).ok_or_else(|| {
        EngineError::new(
            "too_large",
            "point_value.cost_basis",
            "预算 × 医疗总费用过大，无法按数据中的医保支付比例折算".into(),
            "the budget × the total cost is too large to price by the data's fund share".into(),
        )
    })
}

/// A point value as reported: rounded to the policy's decimals; none in allotment mode.
pub fn reported(policy: &Policy, x: Option<Decimal>) -> Option<Decimal> {
    if policy.settlement.mode == SettlementMode::Allotment {
        None
    } else {
        x.map(|v| round_point_value(v, policy.point_value.decimals))
    }
}

/// The year's, months' and quarters' point values of a fund's ledgers (SPEC §6).
pub fn point_values(
    policy: &Policy,
    fp: &FundPolicy,
    budget: &BudgetResult,
    ledger: &FundLedger,
) -> Result<PointValues, EngineError> {
    let units = &ledger.units;
    let basis = policy.point_value.cost_basis;
    let personal_year: Decimal = units.iter().map(|a| a.year.personal).sum();
    let cost_year: Decimal = units.iter().map(|a| a.year.cost).sum();
    let total_points: Decimal = units.iter().map(|a| a.year.points).sum();
    let budget_pool = pool_for(basis, budget.inpatient_budget, (cost_year, personal_year), fp)?;
    let (elastic, unit_weights) = match &policy.point_value.elastic {
        Some(rule) if policy.settlement.mode == SettlementMode::Points && !total_points.is_zero() => match rule.base {
            ElasticBase::Region => (Some(elastic_pool(rule, budget_pool, total_points)?), None),
            ElasticBase::Institution => {
                let (e, w) = elastic_by_institution(rule, budget_pool, units)?;
                (Some(e), Some(w))
            }
        },
        _ => (None, None),
    };
    let pool = elastic.as_ref().map_or(budget_pool, |e| budget_pool + e.difference);
    let (months, month_basis) = month_values(policy, fp, budget, units)?;
    let quarters = quarter_values(policy, budget, &months);
    Ok(PointValues {
        pool,
        total_points,
        exact: ratio(pool, total_points),
        months,
        quarters,
        month_basis,
        elastic,
        unit_weights,
    })
}

/// 弹性点值 (国家DIP3.0 第四章第三节一(二) 1): 基准总额 F = share × pool buys F ÷ fixed value 基准点数 B
/// at the fixed value; the points beyond B float at (pool − F) ÷ (N − B), held within the floor
/// and cap ("可设置合理上限，控制点值过度波动"); without a split the whole value floats. The pool
/// settled is F + floating × (N − B), or fixed × N when N ≤ B (第五章第五节: 结算点值 = pool ÷ N).
/// `difference` is what the bounds move: the fund pays it beyond the budget (+) or keeps it (−).
pub fn elastic_pool(rule: &ElasticPointValue, pool: Decimal, n: Decimal) -> Result<ElasticResult, EngineError> {
    let overflow = || {
        EngineError::new(
            "elastic_overflow",
            "point_value.elastic",
            "弹性点值：点值 × 点数超出可计算范围".into(),
            "elastic point value: point value × points is out of range".into(),
        )
    };
    let (fixed_pool, base_points) = match (rule.fixed_share, rule.fixed_value) {
        (Some(share), Some(v)) if !v.is_zero() => {
            let f = share * pool;
            (f, f / v)
        }
        _ => (Decimal::ZERO, Decimal::ZERO),
    };
    let mut result = ElasticResult {
        budget_pool: pool,
        plain_point_value: ratio(pool, n),
        fixed_pool,
        base_points,
        fixed_value: rule.fixed_value.filter(|_| rule.fixed_share.is_some()),
        floating_before: None,
        floating_value: None,
        bound: Bound::BaseOnly,
        difference: Decimal::ZERO,
        by_institution: false,
    };
    let settled = if n <= base_points {
        // Every point within the 基准: all at the fixed value.
        let v = result.fixed_value.unwrap_or_default();
        v.checked_mul(n).ok_or_else(overflow)?
    } else {
        let before = (pool - fixed_pool) / (n - base_points);
        let (after, bound) = bounded(before, rule.floor, rule.cap);
        result.floating_before = Some(before);
        result.floating_value = Some(after);
        result.bound = bound;
        let floating = after.checked_mul(n - base_points).ok_or_else(overflow)?;
        fixed_pool.checked_add(floating).ok_or_else(overflow)?
    };
    result.difference = settled - pool;
    Ok(result)
}

/// 弹性点值 with each institution's base (国家DIP3.0 第四章第三节一(二) 1 "基准部分以上一年度医疗机构合理
/// 服务量为基础折算确定基准服务点数，对应提前预设好的固定点值形成基准总额…增量部分为当年度超过合理服务量形成
/// 的增量服务点数差额，按照浮动点值进行核算；浮动点值由区域增量预算总额（区域总额与基准总额的差值部分…）与
/// 对应增量服务点数测算形成，并可设置合理上限"): unit i's points N_i up to its base B_i at the fixed
/// value v, the rest E_i = max(0, N_i − B_i) at the floating value (pool − F) ÷ Σ E, F = v × Σ min(N_i,
/// B_i) [reading: the 基准总额 of the base points actually served], held within floor and cap (no
/// floor given: 0 [default], so a base total above the pool prices the increment at nothing rather
/// than below zero). Returns the result and each unit's worth v × min(N_i, B_i) + floating × E_i.
pub fn elastic_by_institution(
    rule: &ElasticPointValue,
    pool: Decimal,
    units: &[UnitLedger],
) -> Result<(ElasticResult, Vec<Decimal>), EngineError> {
    let overflow = || {
        EngineError::new(
            "elastic_overflow",
            "point_value.elastic",
            "弹性点值：点值 × 点数超出可计算范围".into(),
            "elastic point value: point value × points is out of range".into(),
        )
    };
    let v = rule.fixed_value.unwrap_or_default();
    let parts: Vec<(Decimal, Decimal)> = units
        .iter()
        .map(|a| {
            let (n, b) = (a.year.points, a.base_points.unwrap_or_default().max(Decimal::ZERO));
            (n.min(b), (n - b).max(Decimal::ZERO))
        })
        .collect();
    let within: Decimal = parts.iter().map(|(w, _)| w).sum();
    let excess: Decimal = parts.iter().map(|(_, e)| e).sum();
    let fixed_pool = v.checked_mul(within).ok_or_else(overflow)?;
    let n: Decimal = units.iter().map(|a| a.year.points).sum();
    let mut result = ElasticResult {
        budget_pool: pool,
        plain_point_value: ratio(pool, n),
        fixed_pool,
        base_points: within,
        fixed_value: Some(v),
        floating_before: None,
        floating_value: None,
        bound: Bound::BaseOnly,
        difference: Decimal::ZERO,
        by_institution: true,
    };
    let floating = if excess.is_zero() {
        Decimal::ZERO
    } else {
        let before = (pool - fixed_pool) / excess;
        let floor = Some(rule.floor.unwrap_or(Decimal::ZERO));
        let (after, bound) = bounded(before, floor, rule.cap);
        result.floating_before = Some(before);
        result.floating_value = Some(after);
        result.bound = bound;
        after
    };
    let weights = parts
        .iter()
        .map(|(w, e)| {
            let fixed = v.checked_mul(*w)?;
            fixed.checked_add(floating.checked_mul(*e)?)
        })
        .collect::<Option<Vec<Decimal>>>()
        .ok_or_else(overflow)?;
    let settled = weights
        .iter()
        .try_fold(Decimal::ZERO, |acc, w| acc.checked_add(*w))
        .ok_or_else(overflow)?;
    result.difference = settled - pool;
    Ok((result, weights))
}

/// The notice that some units give no 上年合理服务点数 under a 弹性点值 rule with base `institution`:
/// their base is 0, every point of theirs floats [default].
pub fn base_missing_notice(codes: &[&str]) -> Option<Notice> {
    if codes.is_empty() {
        return None;
    }
    let shown = &codes[..codes.len().min(20)];
    let more = if codes.len() > shown.len() { " …" } else { "" };
    Some(Notice {
        code: "elastic_base_missing".into(),
        subject: "institutions.base_points".into(),
        message_zh: format!(
            "{} 家机构没有「上年合理服务点数」，基准点数按 0 计，全部点数按浮动点值结算（国家DIP3.0 第四章第三节一(二)）：{}{more}",
            codes.len(),
            shown.join("、")
        ),
        message_en: format!(
            "{} institutions give no last-year reasonable service points: base 0, every point at the floating value (国家DIP3.0 第四章第三节一(二)): {}{more}",
            codes.len(),
            shown.join(", ")
        ),
    })
}

/// `v` held within [floor, cap], with the bound that applied.
fn bounded(v: Decimal, floor: Option<Decimal>, cap: Option<Decimal>) -> (Decimal, Bound) {
    match (floor, cap) {
        (Some(lo), _) if v < lo => (lo, Bound::Floor),
        (_, Some(hi)) if v > hi => (hi, Bound::Cap),
        _ => (v, Bound::None),
    }
}

/// The notice that a 弹性点值 bound applied (国家DIP3.0 第四章第三节一(二)), or `None`.
pub fn elastic_notice(fund: Fund, e: &ElasticResult) -> Option<Notice> {
    let (before, after) = (e.floating_before?, e.floating_value?);
    let (zh, en) = match e.bound {
        Bound::Floor => ("下限", "floor"),
        Bound::Cap => ("上限", "cap"),
        Bound::None | Bound::BaseOnly => return None,
    };
    let diff = super::fmt_money(e.difference);
    Some(Notice {
        code: format!("point_value_{en}"),
        subject: fund.key().into(),
        message_zh: format!(
            "{}：浮动点值 {} 触及{zh}，按 {} 结算；结算总额与预算差 {diff} 元",
            fund.label_zh(),
            round_point_value(before, 6),
            after.normalize()
        ),
        message_en: format!(
            "{}: the floating point value {} hits the {en}, settled at {}; the settlement differs from the budget by {diff} 元",
            fund.key(),
            round_point_value(before, 6),
            after.normalize()
        ),
    })
}

/// The (pool, points) each month settles at.
type MonthBasis = [(Decimal, Decimal); 12];

/// Each month's pool and point value: the month's budget ÷ the month's points, or cumulative
/// (SPEC §6).
fn month_values(
    policy: &Policy,
    fp: &FundPolicy,
    budget: &BudgetResult,
    units: &[UnitLedger],
) -> Result<(Vec<PeriodValue>, MonthBasis), EngineError> {
    let mut months = Vec::with_capacity(12);
    let (mut cum_pool, mut cum_points) = (Decimal::ZERO, Decimal::ZERO);
    let mut basis = [(Decimal::ZERO, Decimal::ZERO); 12];
    for (m, basis_m) in basis.iter_mut().enumerate() {
        let personal: Decimal = units.iter().map(|a| a.months[m].personal).sum();
        let cost: Decimal = units.iter().map(|a| a.months[m].cost).sum();
        let points: Decimal = units.iter().map(|a| a.months[m].points).sum();
        let pool = pool_for(
            policy.point_value.cost_basis,
            budget.monthly_budget[m],
            (cost, personal),
            fp,
        )?;
        cum_pool += pool;
        cum_points += points;
        let pv = ratio(pool, points);
        let cum = ratio(cum_pool, cum_points);
        *basis_m = match policy.point_value.monthly {
            MonthlyPointValue::Month => (pool, points),
            MonthlyPointValue::Cumulative => (cum_pool, cum_points),
        };
        months.push(PeriodValue {
            period: format!("{}-{:02}", policy.year, m + 1),
            budget: budget.monthly_budget[m],
            pool,
            points,
            pool_exact: pool,
            points_exact: points,
            point_value: reported(policy, pv),
            cumulative_point_value: reported(policy, cum),
        });
    }
    Ok((months, basis))
}

/// Each quarter's pool and point value: the quarter's budget ÷ the quarter's points (SPEC §6).
fn quarter_values(policy: &Policy, budget: &BudgetResult, months: &[PeriodValue]) -> Vec<PeriodValue> {
    (0..4)
        .map(|q| {
            let range = q * 3..q * 3 + 3;
            let pool: Decimal = months[range.clone()].iter().map(|m| m.pool).sum();
            let points: Decimal = months[range.clone()].iter().map(|m| m.points).sum();
            PeriodValue {
                period: format!("{}-Q{}", policy.year, q + 1),
                budget: budget.monthly_budget[range].iter().sum(),
                pool,
                points,
                pool_exact: pool,
                points_exact: points,
                point_value: reported(policy, ratio(pool, points)),
                cumulative_point_value: None,
            }
        })
        .collect()
}

/// The notice that a fund's monthly and quarterly figures are partial (some summaries annual).
pub fn months_incomplete(fund: Fund) -> Notice {
    Notice {
        code: "months_incomplete".into(),
        subject: fund.key().into(),
        message_zh: format!("{}：部分机构只有全年汇总，月度与季度点值不完整", fund.label_zh()),
        message_en: format!(
            "{}: some institutions gave only annual totals; monthly and quarterly point values are partial",
            fund.key()
        ),
    }
}
