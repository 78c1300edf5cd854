//! 调剂金 (SPEC §7.4; 休宁2021 12 "调剂金可按规定支付区域内招标采购的药品及耗材激励、不纳入医疗机构总额预算范围的
//! 病种及药品、诊疗项目和耗材的医保支出、紧密型县域医共体合理超支部分经考核后合理分担，也可采取计算各医疗机构或县域
//! 医共体病种分值点数之和占市域内总点数的比例等方式进行二次付费，以及其他特殊情况下医保费用的合理支出"): what it
//! pays before the second distribution — its named uses, then the shared overspend of each 医共体
//! unit — and what is left to distribute by points ([`super::settlement::adjustment_fund_shares`]).

use super::ledger::FundLedger;
use super::result::{AdjustmentFundUse, UseLine};
use super::rounding::round_money;
use super::settlement::{adjustment_fund_shares, unit_figures, FundShares};
use super::units::Unit;
use super::{fmt_money, EngineError};
use crate::policy::{AdjustmentFund, FundPolicy, Policy};
use crate::records::Fund;
use rust_decimal::Decimal;

/// The 调剂金's uses ([`uses`]) and, when there are any, its second distribution redone on what
/// they leave.
pub fn redistribute(
    policy: &Policy,
    fund: Fund,
    fp: &FundPolicy,
    units: &[Unit],
    ledger: &FundLedger,
    shares: &mut FundShares,
) -> Result<Option<AdjustmentFundUse>, EngineError> {
    let Some(af) = &fp.adjustment_fund else { return Ok(None) };
    let spent = uses(policy, fund, af, units, ledger, shares)?;
    if let Some(u) = &spent {
        let codes: Vec<&str> = units.iter().map(|u| u.code.as_str()).collect();
        shares.adjustment_fund = adjustment_fund_shares(af, u.distributed, &codes, &ledger.units);
    }
    Ok(spent)
}

/// The 调剂金's uses when the policy names any or has it pay the 医共体 overspend; `None` when it
/// is only distributed by points (the figures are then those of SPEC §7.4 alone). Uses above the
/// amount are an error naming them. The overspend is T − S of each 医共体 unit whose cost is above
/// its settlement (SPEC §7.1); the 调剂金 pays it up to what the uses leave, the fund the rest
/// [default: the institution's T is the same whoever pays].
pub fn uses(
    policy: &Policy,
    fund: Fund,
    af: &AdjustmentFund,
    units: &[Unit],
    ledger: &FundLedger,
    shares: &FundShares,
) -> Result<Option<AdjustmentFundUse>, EngineError> {
    if af.uses.is_empty() && !af.pays_alliance_overspend {
        return Ok(None);
    }
    let amount = af.amount.to_yuan();
    let uses: Vec<UseLine> = af
        .uses
        .iter()
        .map(|u| UseLine {
            label: u.label.clone(),
            amount: u.amount.to_yuan(),
        })
        .collect();
    let used: Decimal = uses.iter().map(|u| u.amount).sum();
    if used > amount {
        return Err(uses_exceed(fund, used, amount));
    }
    let overspend = if af.pays_alliance_overspend {
        alliance_overspend(policy, units, ledger, shares)
    } else {
        Decimal::ZERO
    };
    let paid = overspend.min(amount - used);
    Ok(Some(AdjustmentFundUse {
        amount,
        uses,
        alliance_overspend: overspend,
        alliance_overspend_paid: paid,
        alliance_overspend_by_fund: overspend - paid,
        distributed: round_money(amount - used - paid),
    }))
}

/// Σ (T − S) over the 医共体 units whose cost is above their settlement (SPEC §7.1 bands).
fn alliance_overspend(policy: &Policy, units: &[Unit], ledger: &FundLedger, shares: &FundShares) -> Decimal {
    units
        .iter()
        .zip(&ledger.units)
        .zip(&shares.settlements)
        .filter(|((unit, _), _)| !unit.member_codes.is_empty())
        .map(|((_, a), s)| {
            let f = unit_figures(policy, *s, a);
            (f.target - f.settlement).max(Decimal::ZERO)
        })
        .sum()
}

fn uses_exceed(fund: Fund, used: Decimal, amount: Decimal) -> EngineError {
    EngineError::new(
        "adjustment_fund_uses_exceed",
        &format!("funds.{}.adjustment_fund.uses", fund.key()),
        format!(
            "{}调剂金支出合计 {} 超过调剂金 {}",
            fund.label_zh(),
            fmt_money(used),
            fmt_money(amount)
        ),
        format!(
            "{}: the 调剂金's uses {} exceed its amount {}",
            fund.key(),
            fmt_money(used),
            fmt_money(amount)
        ),
    )
}
