//! 医共体门诊统筹总额包干 (SPEC §7.4; 宁德2025答复 一 "对各医共体职工医保、城乡居民医保分别进行医保基金总额
//! 打包，打包基金按月预拨、年终结算，并实行“总额包干、结余留用、合理超支分担”"): each 医共体's lump sum of
//! a fund is prepaid by month and settled at year end against the outpatient fund cost of its
//! member institutions, with the risk-sharing bands of the settlement (SPEC §7.1) [reading: the
//! reply names the same "结余留用、合理超支分担" as the DIP settlement and gives no figures of its own].
//! The lump sums are outside the DIP pool (宁德2024 第七条(三) deducts 门诊 before it): reported as their
//! own block, they move no point value.

use super::budget::spread_by_month;
use super::result::{LumpSumLine, Notice};
use super::rounding::round_money;
use super::settlement::{distribute_cents, risk_sharing_target};
use super::EngineError;
use crate::policy::{AllianceLumpSum, FundPolicy, Policy};
use crate::records::{Fund, Institution, OutpatientRecord};
use rust_decimal::Decimal;

/// Every 医共体 lump sum of one fund, in the policy's order. A 医共体 no institution belongs to is
/// settled on no cost, with a notice.
pub fn alliance_lump_sums(
    policy: &Policy,
    fund: Fund,
    fp: &FundPolicy,
    institutions: &[Institution],
    records: &[OutpatientRecord],
    notices: &mut Vec<Notice>,
) -> Result<Vec<LumpSumLine>, EngineError> {
    fp.alliance_lump_sums
        .iter()
        .map(|l| {
            let members: Vec<&str> = institutions
                .iter()
                .filter(|i| i.alliance.as_deref().map(str::trim) == Some(l.alliance.trim()))
                .map(|i| i.code.as_str())
                .collect();
            if members.is_empty() {
                notices.push(unknown_alliance(fund, &l.alliance));
            }
            lump_sum_line(policy, fund, fp, l, members, records)
        })
        .collect()
}

/// One 医共体: S = the lump sum, C = its members' outpatient cost less personal burden in this
/// fund, T from the bands; the months prepay S spread by the fund's monthly profile (even months
/// without one) [default], and the year end pays T − S (negative: recovered).
fn lump_sum_line(
    policy: &Policy,
    fund: Fund,
    fp: &FundPolicy,
    l: &AllianceLumpSum,
    members: Vec<&str>,
    records: &[OutpatientRecord],
) -> Result<LumpSumLine, EngineError> {
    let (mut total_cost, mut personal) = (Decimal::ZERO, Decimal::ZERO);
    for r in records
        .iter()
        .filter(|r| r.fund == fund && members.contains(&r.institution.as_str()))
    {
        total_cost = total_cost.checked_add(r.total_cost).ok_or_else(|| too_large(fund, l))?;
        personal = personal
            .checked_add(r.personal_burden)
            .ok_or_else(|| too_large(fund, l))?;
    }
    let lump_sum = l.amount.to_yuan();
    let fund_cost = total_cost - personal;
    let (target, position) = risk_sharing_target(&policy.settlement.risk_sharing, lump_sum, fund_cost);
    let months = spread_by_month(lump_sum, fp.monthly_profile.as_deref());
    let labels: Vec<String> = (1..=12).map(|m| format!("{m:02}")).collect();
    let monthly = distribute_cents(
        round_money(lump_sum),
        &months,
        labels.iter().map(String::as_str).collect(),
    )
    .0;
    Ok(LumpSumLine {
        alliance: l.alliance.clone(),
        members: members.into_iter().map(String::from).collect(),
        lump_sum,
        total_cost,
        fund_cost,
        position,
        target,
        year_end: round_money(target) - round_money(lump_sum),
        monthly,
    })
}

fn unknown_alliance(fund: Fund, alliance: &str) -> Notice {
    Notice {
        code: "lump_sum_alliance_unknown".into(),
        subject: alliance.into(),
        message_zh: format!(
            "{}门诊总额包干的医共体“{alliance}”在机构表中没有成员，按零费用结算",
            fund.label_zh()
        ),
        message_en: format!(
            "{}: no institution belongs to the 医共体 “{alliance}” of an outpatient lump sum; settled on no cost",
            fund.key()
        ),
    }
}

fn too_large(fund: Fund, l: &AllianceLumpSum) -> EngineError {
    EngineError::new(
        "too_large",
        &l.alliance,
        format!("{}医共体“{}”的门诊费用合计过大，无法计算", fund.label_zh(), l.alliance),
        format!(
            "{}: the outpatient costs of the 医共体 “{}” add up to more than can be computed with",
            fund.key(),
            l.alliance
        ),
    )
}
