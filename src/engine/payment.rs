//! Payment flow (SPEC §7.2; 吉林2024 第二十二条(五) "按照审核通过的基金发生金额预留一定比例（3%—10%）作为
//! 保证金后进行拨付", 第二十三条 quarterly clearing, 第二十四条 "第四季度结算与年度结算一并进行"): monthly
//! prepayment, quarterly clearing, deposit and quality reserve returned by assessment, and what is
//! due at year end; with each unit's whole result put together.

use super::allotment::monthly_allotment;
use super::fmt_money;
use super::ledger::UnitLedger;
use super::point_value::PointValues;
use super::points::mul_div;
use super::ratio;
use super::result::{BudgetResult, Notice, PaymentLine, UnitResult};
use super::rounding::{round_money, round_ratio};
use super::settlement::{near_band_edge, unit_figures, FundShares, UnitFigures};
use super::units::Unit;
use crate::policy::{CostBasis, Policy, ReturnRule, ScoreBand, SettlementMode};
use crate::records::Fund;
use rust_decimal::Decimal;

/// The stages of one fund a unit's payments read: its budget, point values and shares.
#[derive(Debug, Clone, Copy)]
pub struct FundStages<'a> {
    pub policy: &'a Policy,
    pub budget: &'a BudgetResult,
    pub values: &'a PointValues,
    pub shares: &'a FundShares,
}

/// One unit's payments over the year (SPEC §7.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payments {
    pub deposit_withheld: Decimal,
    pub deposit_returned: Decimal,
    pub quality_reserve_returned: Decimal,
    /// 扣减质量保证金 applied (at most the unit's reserve), and whether the cap bound.
    pub quality_reserve_deducted: Decimal,
    pub quality_reserve_capped: bool,
    pub months: Vec<PaymentLine>,
    /// Q1–Q3 (Q4 is settled with the year); none in allotment mode.
    pub quarters: Vec<PaymentLine>,
    /// Monthly prepayments and quarterly clearing, or what a summary gave.
    pub prepaid: Decimal,
    /// 考核系数 (国家DIP3.0 第七章第三节一(四)), when the policy sets one.
    pub assessment_factor: Option<Decimal>,
    /// FS × (考核系数 − 1), paid (or recovered) at year end.
    pub assessment_adjustment: Decimal,
    /// 预付金 paid at the start of the year and set off at year end (第七章第二节一).
    pub advance: Decimal,
    pub net_to_pay: Decimal,
}

/// The rate of the band `score` falls in (bands from the highest score down, "≥ min_score"); 0
/// below the last band (信阳2019 三(六)).
pub fn band_rate(bands: &[ScoreBand], score: Decimal) -> Decimal {
    bands
        .iter()
        .find(|b| score >= b.min_score)
        .map_or(Decimal::ZERO, |b| b.rate)
}

/// An amount returned by rule: × score ÷ 100 [default], in full, not at all, or × the rate of the
/// score's band (信阳2019 三(六); above 1 the 倾斜 of 吉林2024 第二十七条 ¶3).
fn returned(policy: &Policy, rule: ReturnRule, amount: Decimal, score: Decimal) -> Decimal {
    match rule {
        ReturnRule::ByScore => round_money(amount * score / Decimal::ONE_HUNDRED),
        ReturnRule::Full => round_money(amount),
        ReturnRule::Withheld => Decimal::ZERO,
        ReturnRule::Bands => {
            let bands = policy.settlement.return_bands.as_deref().unwrap_or_default();
            round_money(amount * band_rate(bands, score))
        }
    }
}

/// 扣减质量保证金 (信阳2019 三(七) "视情节轻重予以扣减质量保证金"): what the 年终调整 rows deduct from
/// the unit's quality reserve, at most the reserve held for it (rounded to the cent), and whether
/// that cap bound. The rest is returned by assessment [reading: the deduction comes first].
pub fn quality_reserve_deduction(held: Decimal, asked: Decimal) -> (Decimal, bool) {
    let held = round_money(held).max(Decimal::ZERO);
    if asked > held {
        (held, true)
    } else {
        (asked, false)
    }
}

/// The notice that a unit's 扣减质量保证金 was capped at its quality reserve (信阳2019 三(七)).
pub fn quality_reserve_notice(fund: Fund, r: &UnitResult) -> Option<Notice> {
    if !r.flags.iter().any(|f| f == "quality_reserve_deduction_capped") {
        return None;
    }
    let (asked, applied) = (
        fmt_money(r.quality_reserve_deduction),
        fmt_money(r.quality_reserve_deducted),
    );
    Some(Notice {
        code: "quality_reserve_deduction_capped".into(),
        subject: r.code.clone(),
        message_zh: format!(
            "{}：机构 {} 扣减质量保证金 {asked} 元，超过其质量保证金，按 {applied} 元扣减（信阳2019 三(七)）",
            fund.label_zh(),
            r.code
        ),
        message_en: format!(
            "{}: institution {} has {asked} 元 of quality reserve deductions, more than its reserve; {applied} 元 deducted (信阳2019 三(七))",
            fund.key(),
            r.code
        ),
    })
}

/// 考核系数 and what it changes (国家DIP3.0 第七章第三节一(四) "〔∑(病例分值×结算点值×医保基金支付
/// 比例)〕×考核系数－∑审核扣减费用"): the factor of the unit's score band and FS × (factor − 1) [reading:
/// risk sharing stays on S; the factor scales the fund settlement]. (None, 0) without a table.
fn assessment(policy: &Policy, fs: Decimal, score: Decimal) -> (Option<Decimal>, Decimal) {
    match &policy.settlement.assessment_factor {
        None => (None, Decimal::ZERO),
        Some(bands) => {
            let k = band_rate(bands, score);
            (Some(k), round_money(fs * (k - Decimal::ONE)))
        }
    }
}

/// 预付金 (国家DIP3.0 第七章第二节一 "预付规模应在 1 个月左右"): months ÷ 12 × the unit's last-year fund
/// payment, or × this year's fund settlement when the institutions give none [reading].
fn advance(policy: &Policy, unit: &Unit, fs: Decimal) -> Decimal {
    match &policy.settlement.advance {
        None => Decimal::ZERO,
        Some(a) => round_money(a.months * unit.last_year.unwrap_or(fs).max(Decimal::ZERO) / Decimal::from(12)),
    }
}

/// Unit `u`'s payments from its year figures (SPEC §7.2): year end = fund pays − deposit −
/// prepaid + deposit returned + quality reserve returned + 调剂金 + amount adjustments.
pub fn unit_payments(st: &FundStages, u: usize, unit: &Unit, ledger: &UnitLedger, fig: &UnitFigures) -> Payments {
    let policy = st.policy;
    let d = policy.settlement.deposit.rate;
    let deposit_withheld = round_money(d * fig.fund_settlement);
    let deposit_returned = returned(
        policy,
        policy.settlement.deposit.return_rule,
        d * fig.fund_settlement,
        unit.score,
    );
    // Quality reserve (信阳2019 5%) in proportion to S, by assessment (SPEC §7.4 [default]).
    // S × reserve ÷ Σ S, divided last (issue 17).
    let quality_share = mul_div(fig.settlement, st.budget.quality_reserve, st.shares.total).unwrap_or_default();
    let (quality_reserve_deducted, quality_reserve_capped) =
        quality_reserve_deduction(quality_share, ledger.quality_reserve_deduction);
    let quality_reserve_returned = returned(
        policy,
        policy.settlement.quality_reserve_return,
        quality_share - quality_reserve_deducted,
        unit.score,
    );
    let (assessment_factor, assessment_adjustment) = assessment(policy, fig.fund_settlement, unit.score);
    let advance = advance(policy, unit, fig.fund_settlement);
    let months = month_lines(st, u, unit, ledger, fig.settlement);
    let quarters = quarter_lines(st, u, ledger, &months);
    let computed: Decimal =
        months.iter().map(|l| l.paid).sum::<Decimal>() + quarters.iter().map(|l| l.paid).sum::<Decimal>();
    let prepaid = ledger.prepaid.unwrap_or(computed);
    let net_to_pay = fig.fund_pays - deposit_withheld - prepaid
        + deposit_returned
        + quality_reserve_returned
        + st.shares.adjustment_fund[u]
        + ledger.amount_adjustments
        + assessment_adjustment
        - advance;
    Payments {
        deposit_withheld,
        deposit_returned,
        quality_reserve_returned,
        quality_reserve_deducted,
        quality_reserve_capped,
        months,
        quarters,
        prepaid,
        assessment_factor,
        assessment_adjustment,
        advance,
        net_to_pay,
    }
}

/// Monthly prepayment: the month's audited fund amount less the deposit (吉林2024 第二十二条(五));
/// in allotment mode at most the month's allotment (信阳2019 三(三)).
fn month_lines(st: &FundStages, u: usize, unit: &Unit, ledger: &UnitLedger, s: Decimal) -> Vec<PaymentLine> {
    let policy = st.policy;
    let fund_only = policy.point_value.cost_basis == CostBasis::FundOnly;
    let allotment = policy.settlement.mode == SettlementMode::Allotment;
    let keep = Decimal::ONE - policy.settlement.deposit.rate;
    (0..12)
        .map(|m| {
            let b = &ledger.months[m];
            let sm = st.shares.months[m][u];
            let claimed = if allotment {
                ledger.claimed[m].min(monthly_allotment(s, st.budget, unit.months.as_ref(), m))
            } else {
                ledger.claimed[m]
            };
            PaymentLine {
                period: st.values.months[m].period.clone(),
                points: b.points,
                settlement: sm,
                personal_burden: b.personal,
                fund_settlement: if fund_only { sm } else { sm - b.personal },
                paid: round_money(keep * claimed),
            }
        })
        .collect()
}

/// Quarterly clearing of Q1–Q3 (吉林2024 第二十三条(三)): (1 − d) × FS of the quarter at its point
/// value − what its months paid; Q4 goes with the year (第二十四条). None in allotment mode.
fn quarter_lines(st: &FundStages, u: usize, ledger: &UnitLedger, months: &[PaymentLine]) -> Vec<PaymentLine> {
    let policy = st.policy;
    if policy.settlement.mode == SettlementMode::Allotment {
        return Vec::new();
    }
    let fund_only = policy.point_value.cost_basis == CostBasis::FundOnly;
    let keep = Decimal::ONE - policy.settlement.deposit.rate;
    (0..3)
        .map(|q| {
            let range = q * 3..q * 3 + 3;
            let points: Decimal = ledger.months[range.clone()].iter().map(|b| b.points).sum();
            let personal: Decimal = ledger.months[range.clone()].iter().map(|b| b.personal).sum();
            let sq = st.shares.quarters[q][u];
            let fsq = if fund_only { sq } else { sq - personal };
            let already: Decimal = months[range].iter().map(|l| l.paid).sum();
            PaymentLine {
                period: st.values.quarters[q].period.clone(),
                points,
                settlement: sq,
                personal_burden: personal,
                fund_settlement: fsq,
                paid: round_money(keep * fsq) - already,
            }
        })
        .collect()
}

/// Unit `u`'s whole result: its ledger, year figures (SPEC §7, §7.1), payments (§7.2) and flags.
pub fn unit_result(st: &FundStages, u: usize, unit: &Unit, ledger: &UnitLedger, review_flag: bool) -> UnitResult {
    let fig = unit_figures(st.policy, st.shares.settlements[u], ledger);
    let pay = unit_payments(st, u, unit, ledger, &fig);
    let (s, compared) = (fig.settlement, fig.compared_cost);
    let mut flags = Vec::new();
    if review_flag {
        flags.push("review_over_limit".to_string());
    }
    if near_band_edge(&st.policy.settlement.risk_sharing, s, compared) {
        flags.push("near_band_edge".to_string());
    }
    if ledger.counts.qc_supplemented > 0 {
        flags.push("qc_held".to_string());
    }
    if ledger.prepaid.is_some() {
        flags.push("prepaid_from_input".to_string());
    }
    if pay.quality_reserve_capped {
        flags.push("quality_reserve_deduction_capped".to_string());
    }
    let share = ratio(ledger.year.points, st.values.total_points).unwrap_or_default();
    UnitResult {
        code: unit.code.clone(),
        name: unit.name.clone(),
        level: unit.level.clone(),
        members: unit.member_codes.clone(),
        coefficient: unit.coefficient,
        sub_pool: None,
        elastic_base_points: st.values.unit_weights.as_ref().and(unit.base_points),
        points: ledger.by_kind.clone(),
        points_exact: ledger.by_kind.total,
        cases: ledger.counts.clone(),
        total_cost: ledger.year.cost,
        personal_burden: ledger.year.personal,
        excluded_cost: ledger.excluded,
        share: round_ratio(share),
        settlement: s,
        fund_settlement: fig.fund_settlement,
        compared_cost: compared,
        gap_ratio: ratio(compared - s, s).map(round_ratio),
        band: fig.band,
        sharing: fig.target - s,
        target: fig.target,
        fund_pays: fig.fund_pays,
        deposit_withheld: pay.deposit_withheld,
        deposit_returned: pay.deposit_returned,
        quality_reserve_returned: pay.quality_reserve_returned,
        quality_reserve_deduction: ledger.quality_reserve_deduction,
        quality_reserve_deducted: pay.quality_reserve_deducted,
        adjustment_fund: st.shares.adjustment_fund[u],
        amount_adjustments: ledger.amount_adjustments,
        adjustments: ledger.adjustment_lines.clone(),
        special_cases: ledger.special_cases(),
        prepaid: pay.prepaid,
        assessment_factor: pay.assessment_factor,
        assessment_adjustment: pay.assessment_adjustment,
        advance: pay.advance,
        net_to_pay: pay.net_to_pay,
        assessment_score: unit.score,
        months: pay.months,
        quarters: pay.quarters,
        flags,
        trace: Vec::new(),
    }
}
