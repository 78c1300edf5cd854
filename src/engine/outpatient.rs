//! Outpatient settlement (SPEC §5.4; 吉林2024 第十六条 "预付点值=统筹区定点服务机构门诊预算总额÷统筹区门诊
//! 总点数", 第十九条 "服务机构门诊结算额度=人头付费门诊点数×1+点值×（该服务机构按项目付费的门诊总点数+其他付费
//! 方式门诊付费点数）"): capitation at its fixed point value, the rest at the floating one.

use super::budget::spread_by_month;
use super::ledger::UnitLedger;
use super::point_value::pool_for;
use super::points::mul_div;
use super::result::{BudgetResult, Notice, OutpatientLine, OutpatientResult, PeriodValue};
use super::rounding::{round_money, round_point_value};
use super::settlement::distribute_cents;
use super::units::Unit;
use super::{fmt_money, ratio, EngineError};
use crate::policy::{FundPolicy, OutpatientMode, OutpatientPoints, OutpatientSplit, Policy};
use crate::records::Fund;
use rust_decimal::Decimal;

/// Outpatient settlement of one fund (SPEC §5.4, 吉林2024 第十六、十九条), and of each quarter when
/// the policy asks for it ([`quarters`]).
pub fn outpatient_settlement(
    policy: &Policy,
    fund: Fund,
    fp: &FundPolicy,
    budget: &BudgetResult,
    units: &[Unit],
    ledgers: &[UnitLedger],
    notices: &mut Vec<Notice>,
) -> Result<Option<OutpatientResult>, EngineError> {
    if matches!(fp.outpatient, OutpatientSplit::None) {
        // Records a 医共体 lump sum reads (宁德2025答复 一) are not left out.
        if ledgers.iter().any(|a| a.has_outpatient) && fp.alliance_lump_sums.is_empty() {
            notices.push(ignored(fund));
        }
        return Ok(None);
    }
    let op = &policy.points.outpatient;
    let figures: Vec<[Decimal; 5]> = ledgers.iter().map(|a| a.outpatient).collect();
    let (cost, personal) = cost_and_personal(&figures);
    let pool = pool_for(
        policy.point_value.cost_basis,
        budget.outpatient_budget,
        (cost, personal),
        fp,
    )?;
    let codes: Vec<&str> = units.iter().map(|u| u.code.as_str()).collect();
    let year = settle_period(op, pool, &figures, &codes, fund, "")?;
    let (quarters, by_quarter) = quarters(policy, fund, fp, budget, &codes, ledgers, notices)?;
    let institutions = units
        .iter()
        .zip(ledgers)
        .enumerate()
        .filter(|(_, (_, a))| a.has_outpatient)
        .map(|(n, (u, a))| OutpatientLine {
            code: u.code.clone(),
            capitation_points: a.outpatient[0],
            fee_for_service_points: a.outpatient[1],
            other_points: a.outpatient[2],
            settlement: year.settlements[n],
            personal_burden: a.outpatient[4],
            fund_settlement: year.settlements[n] - a.outpatient[4],
            quarter_settlements: by_quarter.iter().map(|q| q[n]).collect(),
            quarter_fund_settlements: by_quarter
                .iter()
                .zip(&a.outpatient_quarters)
                .map(|(q, f)| q[n] - f[4])
                .collect(),
        })
        .collect();
    Ok(Some(OutpatientResult {
        budget: budget.outpatient_budget,
        pool,
        capitation_points: year.capitation_points,
        capitation_payment: year.capitation_payment,
        other_points: year.points_floating,
        point_value: year
            .point_value
            .map(|v| round_point_value(v, policy.point_value.decimals)),
        difference: pool - year.exact.iter().sum::<Decimal>(),
        institutions,
        quarters,
    }))
}

/// One period's outpatient figures: what the floating points share, the point value and each
/// unit's settlement (exact, and rounded to the cent).
struct PeriodSettlement {
    capitation_points: Decimal,
    capitation_payment: Decimal,
    /// Fee-for-service and other points.
    points_floating: Decimal,
    /// What the point value divides: (shared, points).
    basis: (Decimal, Decimal),
    point_value: Option<Decimal>,
    exact: Vec<Decimal>,
    settlements: Vec<Decimal>,
}

/// A period's outpatient point value and settlements from each unit's figures (capitation,
/// fee-for-service and other points, cost, personal burden): PV = what the floating points share
/// ÷ their points (吉林2024 第十六条, or SPEC §5.4's default); `period` names a quarter in errors.
fn settle_period(
    op: &OutpatientPoints,
    pool: Decimal,
    figures: &[[Decimal; 5]],
    codes: &[&str],
    fund: Fund,
    period: &str,
) -> Result<PeriodSettlement, EngineError> {
    let cap_points: Decimal = figures.iter().map(|a| a[0]).sum();
    let other_points: Decimal = figures.iter().map(|a| a[1] + a[2]).sum();
    let cap_payment = cap_points * op.capitation_point_value;
    let (shared, points) = match op.mode {
        OutpatientMode::FixedCapitation => {
            if cap_payment >= pool && !other_points.is_zero() {
                return Err(capitation_exceeds(fund, period, cap_payment, pool));
            }
            (pool - cap_payment, other_points)
        }
        OutpatientMode::Literal => (pool, cap_points + other_points),
    };
    let exact = exact_settlements(figures, op.capitation_point_value, shared, points, fund)?;
    let settlements = match op.mode {
        OutpatientMode::FixedCapitation if !other_points.is_zero() => {
            distribute_cents(round_money(pool), &exact, codes.to_vec()).0
        }
        _ => exact.iter().map(|x| round_money(*x)).collect(),
    };
    Ok(PeriodSettlement {
        capitation_points: cap_points,
        capitation_payment: cap_payment,
        points_floating: other_points,
        basis: (shared, points),
        point_value: ratio(shared, points),
        exact,
        settlements,
    })
}

/// Each quarter's outpatient point value and each unit's quarterly settlement (吉林2024 第二十三条(二)
/// "以季度门诊、住院服务机构预算总额为基础，按照门诊、住院类别下季度有效付费总点数，分别核定门诊、住院的季度结算
/// 点值"; 第三十九条 "季度门诊预算总额…服务机构季度门诊结算额度"), when `points.outpatient.quarterly` is
/// on. The quarter's budget is the outpatient budget spread by the fund's monthly profile (even
/// months without one) [default]. A record without a month leaves the quarters out, with a notice.
fn quarters(
    policy: &Policy,
    fund: Fund,
    fp: &FundPolicy,
    budget: &BudgetResult,
    codes: &[&str],
    ledgers: &[UnitLedger],
    notices: &mut Vec<Notice>,
) -> Result<(Vec<PeriodValue>, Vec<Vec<Decimal>>), EngineError> {
    if !policy.points.outpatient.quarterly || !ledgers.iter().any(|a| a.has_outpatient) {
        return Ok((Vec::new(), Vec::new()));
    }
    if ledgers.iter().any(|a| a.outpatient_annual) {
        notices.push(quarters_left_out(fund));
        return Ok((Vec::new(), Vec::new()));
    }
    let months = spread_by_month(budget.outpatient_budget, fp.monthly_profile.as_deref());
    let (mut values, mut settlements) = (Vec::new(), Vec::new());
    for q in 0..4 {
        let figures: Vec<[Decimal; 5]> = ledgers.iter().map(|a| a.outpatient_quarters[q]).collect();
        let budget_q: Decimal = months[q * 3..q * 3 + 3].iter().sum();
        let pool = pool_for(policy.point_value.cost_basis, budget_q, cost_and_personal(&figures), fp)?;
        let period = format!("{}-Q{}", policy.year, q + 1);
        let s = settle_period(&policy.points.outpatient, pool, &figures, codes, fund, &period)?;
        values.push(PeriodValue {
            period,
            budget: budget_q,
            pool,
            points: s.capitation_points + s.points_floating,
            pool_exact: s.basis.0,
            points_exact: s.basis.1,
            point_value: s.point_value.map(|v| round_point_value(v, policy.point_value.decimals)),
            cumulative_point_value: None,
        });
        settlements.push(s.settlements);
    }
    Ok((values, settlements))
}

/// Σ total cost and Σ personal burden of the units' outpatient figures.
fn cost_and_personal(figures: &[[Decimal; 5]]) -> (Decimal, Decimal) {
    (figures.iter().map(|a| a[3]).sum(), figures.iter().map(|a| a[4]).sum())
}

fn quarters_left_out(fund: Fund) -> Notice {
    Notice {
        code: "outpatient_quarters_left_out".into(),
        subject: fund.key().into(),
        message_zh: format!("{}门诊数据有全年汇总（未填月份），未计算季度门诊点值", fund.label_zh()),
        message_en: format!(
            "{}: some outpatient records give the whole year (no month): quarterly outpatient point values left out",
            fund.key()
        ),
    }
}

fn ignored(fund: Fund) -> Notice {
    Notice {
        code: "outpatient_ignored".into(),
        subject: fund.key().into(),
        message_zh: format!("政策没有{}门诊预算，门诊数据未计算", fund.label_zh()),
        message_en: format!(
            "the policy has no {} outpatient budget: outpatient records left out",
            fund.key()
        ),
    }
}

/// `period` is empty for the year, else the quarter ("2024-Q2").
fn capitation_exceeds(fund: Fund, period: &str, cap_payment: Decimal, pool: Decimal) -> EngineError {
    let (zh, en) = match period {
        "" => (String::new(), String::new()),
        p => (format!(" {p} "), format!(" in {p}")),
    };
    EngineError::new(
        "capitation_exceeds_budget",
        fund.key(),
        format!(
            "{}{zh}人头付费 {} 不小于门诊可分配额 {}",
            fund.label_zh(),
            fmt_money(cap_payment),
            fmt_money(pool)
        ),
        format!(
            "{} capitation payments{en} {} are not below the outpatient pool {}",
            fund.key(),
            fmt_money(cap_payment),
            fmt_money(pool)
        ),
    )
}

fn too_large(fund: Fund) -> EngineError {
    EngineError::new(
        "too_large",
        fund.key(),
        format!("{}门诊点数或金额过大，无法计算", fund.label_zh()),
        format!(
            "{} outpatient points or amounts are too large to compute with",
            fund.key()
        ),
    )
}

/// Each unit's outpatient settlement before rounding: capitation × its value + shared × own
/// floating points ÷ Σ floating points, divided last (issue 17).
fn exact_settlements(
    figures: &[[Decimal; 5]],
    capitation_value: Decimal,
    shared: Decimal,
    points: Decimal,
    fund: Fund,
) -> Result<Vec<Decimal>, EngineError> {
    figures
        .iter()
        .map(|a| {
            let own = a[1] + a[2];
            let floating = match points.is_zero() {
                true => Some(Decimal::ZERO),
                false => mul_div(shared, own, points),
            };
            let capitation = a[0].checked_mul(capitation_value);
            capitation
                .zip(floating)
                .and_then(|(c, f)| c.checked_add(f))
                .ok_or_else(|| too_large(fund))
        })
        .collect()
}
