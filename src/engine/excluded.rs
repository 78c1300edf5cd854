//! 除外支付 (SPEC §3; 宁德2024 第七条(一) "先进医疗技术应用在 DIP 付费中除外支付，与个人账户等其他基金（资金）
//! 支出实行据实结算"; SPEC §12, 国家DIP3.0 第五章第一节四(三) 新药新技术): the cost a case's 先进医疗技术
//! column removes from its DIP cost is paid at actual cost outside the pool; with
//! `points.excluded_fund_share` the fund's part of it is reported per unit and for the fund — the
//! fund's outlay outside DIP, beside B, not inside it.

use super::result::{ExcludedLine, ExcludedOutlay, FundResult};
use super::rounding::round_money;
use crate::policy::Policy;
use rust_decimal::Decimal;

/// The fund's outlay on excluded cost when the policy sets the fund share: each unit with excluded
/// cost, its fund part (excluded × share, rounded to the cent) and the rest, the patients' and other
/// funds' [default: one share for every case; the seed gives none].
pub fn excluded_outlay(policy: &Policy, f: &FundResult) -> Option<ExcludedOutlay> {
    let share = policy.points.excluded_fund_share?;
    let units: Vec<ExcludedLine> = f
        .units
        .iter()
        .filter(|u| !u.excluded_cost.is_zero())
        .map(|u| {
            let fund = round_money(u.excluded_cost * share);
            ExcludedLine {
                code: u.code.clone(),
                cost: u.excluded_cost,
                fund,
                other: u.excluded_cost - fund,
            }
        })
        .collect();
    let cost: Decimal = units.iter().map(|l| l.cost).sum();
    let fund: Decimal = units.iter().map(|l| l.fund).sum();
    Some(ExcludedOutlay {
        share,
        cost,
        fund,
        other: cost - fund,
        units,
    })
}
