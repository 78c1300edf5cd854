//! Outpatient settlement (SPEC §5.4; 吉林2024 第十六条 "预付点值=统筹区定点服务机构门诊预算总额÷统筹区门诊
//! 总点数", 第十九条 "服务机构门诊结算额度=人头付费门诊点数×1+点值×（该服务机构按项目付费的门诊总点数+其他付费
//! 方式门诊付费点数）"): capitation at its fixed point value, the rest at the floating one.

use super::ledger::UnitLedger;
use super::point_value::pool_for;
use super::points::mul_div;
use super::result::{BudgetResult, Notice, OutpatientLine, OutpatientResult};
use super::rounding::{round_money, round_point_value};
use super::settlement::distribute_cents;
use super::units::Unit;
use super::{fmt_money, ratio, EngineError};
use crate::policy::{FundPolicy, OutpatientMode, OutpatientSplit, Policy};
use crate::records::Fund;
use rust_decimal::Decimal;

/// Outpatient settlement of one fund (SPEC §5.4, 吉林2024 第十六、十九条).
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
        if ledgers.iter().any(|a| a.has_outpatient) {
            notices.push(ignored(fund));
        }
        return Ok(None);
    }
    let op = &policy.points.outpatient;
    let personal: Decimal = ledgers.iter().map(|a| a.outpatient[4]).sum();
    let pool = pool_for(policy.point_value.cost_basis, budget.outpatient_budget, personal, fp);
    let cap_points: Decimal = ledgers.iter().map(|a| a.outpatient[0]).sum();
    let other_points: Decimal = ledgers.iter().map(|a| a.outpatient[1] + a.outpatient[2]).sum();
    let cap_payment = cap_points * op.capitation_point_value;
    // PV = what the floating points share ÷ their points (吉林2024 第十六条, or SPEC §5.4 default).
    let (shared, points) = match op.mode {
        OutpatientMode::FixedCapitation => {
            if cap_payment >= pool && !other_points.is_zero() {
                return Err(capitation_exceeds(fund, cap_payment, pool));
            }
            (pool - cap_payment, other_points)
        }
        OutpatientMode::Literal => (pool, cap_points + other_points),
    };
    let pv = ratio(shared, points);
    let exact = exact_settlements(ledgers, op.capitation_point_value, shared, points, fund)?;
    let codes: Vec<&str> = units.iter().map(|u| u.code.as_str()).collect();
    let settlements = match op.mode {
        OutpatientMode::FixedCapitation if !other_points.is_zero() => {
            distribute_cents(round_money(pool), &exact, codes).0
        }
        _ => exact.iter().map(|x| round_money(*x)).collect(),
    };
    let difference = pool - exact.iter().sum::<Decimal>();
    let institutions = units
        .iter()
        .zip(ledgers)
        .zip(&settlements)
        .filter(|((_, a), _)| a.has_outpatient)
        .map(|((u, a), s)| OutpatientLine {
            code: u.code.clone(),
            capitation_points: a.outpatient[0],
            fee_for_service_points: a.outpatient[1],
            other_points: a.outpatient[2],
            settlement: *s,
            personal_burden: a.outpatient[4],
            fund_settlement: *s - a.outpatient[4],
        })
        .collect();
    Ok(Some(OutpatientResult {
        budget: budget.outpatient_budget,
        pool,
        capitation_points: cap_points,
        capitation_payment: cap_payment,
        other_points,
        point_value: pv.map(|v| round_point_value(v, policy.point_value.decimals)),
        difference,
        institutions,
    }))
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

fn capitation_exceeds(fund: Fund, cap_payment: Decimal, pool: Decimal) -> EngineError {
    EngineError::new(
        "capitation_exceeds_budget",
        fund.key(),
        format!(
            "{}人头付费 {} 不小于门诊可分配额 {}",
            fund.label_zh(),
            fmt_money(cap_payment),
            fmt_money(pool)
        ),
        format!(
            "{} capitation payments {} are not below the outpatient pool {}",
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
    ledgers: &[UnitLedger],
    capitation_value: Decimal,
    shared: Decimal,
    points: Decimal,
    fund: Fund,
) -> Result<Vec<Decimal>, EngineError> {
    ledgers
        .iter()
        .map(|a| {
            let own = a.outpatient[1] + a.outpatient[2];
            let floating = match points.is_zero() {
                true => Some(Decimal::ZERO),
                false => mul_div(shared, own, points),
            };
            let capitation = a.outpatient[0].checked_mul(capitation_value);
            capitation
                .zip(floating)
                .and_then(|(c, f)| c.checked_add(f))
                .ok_or_else(|| too_large(fund))
        })
        .collect()
}
