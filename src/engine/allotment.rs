//! Institution allotment mode (SPEC §7.3; 信阳2019 三(二)–(三)): each unit's share of the
//! budget is its share of the reasonable fund payments of past years, "参考出院结算人次、人次人头比、
//! 次均住院天数、次均住院费用、床日费用等指标", primary care tilted ("向基层医疗卫生机构适当倾斜"), and
//! each month's allotment is the annual one × the month's share ("月预分额度为该定点医疗机构上年度各月
//! 统筹费用发生数占全年发生数的比例乘以该定点医疗机构年预分额度").

use super::result::{BudgetResult, Notice, Reconciliation};
use super::rounding::round_money;
use super::settlement::reconcile;
use super::units::Unit;
use super::EngineError;
use crate::policy::{Allotment, Indicator, IndicatorWeight};
use crate::records::Institution;
use rust_decimal::Decimal;

/// Each institution's allotment weight (SPEC §7.3): its history share h_i — its share of the
/// region's reasonable fund payments in each past year, weighted over the years — blended with
/// the indicator shares of 信阳2019 三(二) [reading: the seed names the indicators and no formula],
/// w_i = (1 − Σ_k a_k) × h_i + Σ_k a_k × s_ki, then primary care × (1 + tilt) ("向基层医疗卫生机构
/// 适当倾斜" [default]). Reconciliation renormalises the weights to 1.
pub fn allotment_weights(a: &Allotment, institutions: &[Institution]) -> Result<Vec<Decimal>, EngineError> {
    let history = history_shares(a, institutions);
    let mut weights = history.clone();
    if !a.indicators.is_empty() {
        let rest = Decimal::ONE - a.indicators.iter().map(|iw| iw.weight).sum::<Decimal>();
        for w in &mut weights {
            *w *= rest;
        }
        for iw in &a.indicators {
            let shares = indicator_shares(iw, &history, institutions)?;
            for (w, s) in weights.iter_mut().zip(shares) {
                *w += iw.weight * s;
            }
        }
    }
    Ok(institutions
        .iter()
        .zip(weights)
        .map(|(inst, share)| {
            let primary = inst
                .primary_care
                .unwrap_or_else(|| a.primary_care_levels.contains(&inst.level));
            if primary {
                share * (Decimal::ONE + a.primary_care_tilt)
            } else {
                share
            }
        })
        .collect())
}

/// h_i = Σ_k weight_k × history_ik ÷ Σ_j history_jk over the years (SPEC §7.3).
fn history_shares(a: &Allotment, institutions: &[Institution]) -> Vec<Decimal> {
    let year_totals: Vec<Decimal> = (0..a.history_weights.len())
        .map(|k| institutions.iter().filter_map(|i| i.history.get(k)).sum())
        .collect();
    institutions
        .iter()
        .map(|inst| {
            a.history_weights
                .iter()
                .zip(&year_totals)
                .zip(&inst.history)
                .filter(|((_, total), _)| !total.is_zero())
                .map(|((w, total), h)| w * h / total)
                .sum()
        })
        .collect()
}

/// One indicator's shares s_ki, adding up to 1 (信阳2019 三(二) [reading]): 出院结算人次 as a share
/// of the region's discharges, x_i ÷ Σ x; each of the others — 人次人头比, 次均住院天数, 次均住院费用,
/// 床日费用, where less is better (三(六) assesses 次均住院费用 and 人次人头比 as controls) — moves the
/// history share by the inverse of the institution's figure, (h_i ÷ x_i) ÷ Σ_j (h_j ÷ x_j): an
/// institution at half the others' 次均费用 gets twice their share per unit of history. A missing
/// figure, or a zero where it divides, is an error naming the institution and column.
fn indicator_shares(
    iw: &IndicatorWeight,
    history: &[Decimal],
    institutions: &[Institution],
) -> Result<Vec<Decimal>, EngineError> {
    let key = iw.indicator.key();
    let mut raw = Vec::with_capacity(institutions.len());
    for (inst, h) in institutions.iter().zip(history) {
        let value = inst
            .budget_inputs
            .indicators
            .all()
            .into_iter()
            .find_map(|(k, v)| (k == key).then_some(v))
            .flatten();
        let needs_positive = iw.indicator != Indicator::Discharges;
        let x = match value {
            Some(x) if !(needs_positive && x.is_zero()) => x,
            _ => return Err(missing_indicator(iw.indicator, inst, value.is_some())),
        };
        let part = if needs_positive { h.checked_div(x) } else { Some(x) };
        raw.push(part.ok_or_else(|| too_large(iw.indicator, inst))?);
    }
    let total = raw
        .iter()
        .try_fold(Decimal::ZERO, |acc, x| acc.checked_add(*x))
        .ok_or_else(|| too_large(iw.indicator, &institutions[0]))?;
    Ok(if total.is_zero() {
        vec![Decimal::ZERO; raw.len()]
    } else {
        raw.iter().map(|x| x / total).collect()
    })
}

fn too_large(indicator: Indicator, inst: &Institution) -> EngineError {
    EngineError::new(
        "allotment_indicator_overflow",
        &inst.code,
        format!(
            "机构表中机构 {} 的「{}」过小，预分额度超出可计算范围（信阳2019 三(二)）",
            inst.code,
            indicator.label_zh()
        ),
        format!(
            "institutions: {} of institution {} is too small; the allotment is out of range (信阳2019 三(二))",
            indicator.key(),
            inst.code
        ),
    )
}

fn missing_indicator(indicator: Indicator, inst: &Institution, zero: bool) -> EngineError {
    let (zh, en) = if zero {
        ("为 0，无法作为分母", "is 0 and cannot divide")
    } else {
        ("为空", "is empty")
    };
    EngineError::new(
        "allotment_indicator_missing",
        &inst.code,
        format!(
            "机构表中机构 {} 的「{}」{zh}：政策 settlement.allotment.indicators 按此指标分配预分额度（信阳2019 三(二)）",
            inst.code,
            indicator.label_zh()
        ),
        format!(
            "institutions: {} of institution {} {en}; settlement.allotment.indicators weighs it in the allotment (信阳2019 三(二))",
            indicator.key(),
            inst.code
        ),
    )
}

/// The units' allotments: the inpatient budget split by their weights, reconciled to the cent.
pub fn allotments(budget: &BudgetResult, units: &[Unit]) -> Result<(Vec<Decimal>, Reconciliation), EngineError> {
    let weights: Vec<Decimal> = units.iter().map(|u| u.allotment_weight).collect();
    if weights.iter().all(|w| w.is_zero()) {
        return Err(EngineError::new(
            "no_history",
            "institutions.history",
            "定额分配需要各机构历年合理基金支付（机构表“历史基金支付”）".into(),
            "allotment needs each institution's past fund payments (institutions: history)".into(),
        ));
    }
    let pairs: Vec<(&str, Decimal)> = units.iter().map(|u| u.code.as_str()).zip(weights).collect();
    Ok(reconcile(budget.inpatient_budget, &pairs))
}

/// A unit's allotment for month `m` (0–11): its annual allotment `s` × the month's share —
/// the unit's own last-year month over its year when it has them (信阳2019 三(三) "上年度各月统筹
/// 费用发生数占全年发生数的比例"), else the month's share of the fund's budget — rounded; claims above
/// it wait for the year end.
pub fn monthly_allotment(s: Decimal, budget: &BudgetResult, unit_months: Option<&[Decimal; 12]>, m: usize) -> Decimal {
    if let Some(months) = unit_months {
        let year: Decimal = months.iter().sum();
        if !year.is_zero() {
            return round_money(s * months[m] / year);
        }
    }
    let annual = if budget.inpatient_budget.is_zero() {
        Decimal::ONE
    } else {
        budget.inpatient_budget
    };
    round_money(s * budget.monthly_budget[m] / annual)
}

/// Each unit's last-year months when the policy spreads allotments by them (信阳2019 三(三)):
/// Σ over its members of 上年各月统筹费用. A unit none of whose members gives them (or whose months
/// add up to 0) takes the fund's profile, and one notice lists such units.
pub fn unit_months(institutions: &[Institution], members: &[usize]) -> Option<[Decimal; 12]> {
    let mut sum = [Decimal::ZERO; 12];
    let mut any = false;
    for &m in members {
        let months = &institutions[m].budget_inputs.last_year_months;
        if months.len() == 12 {
            any = true;
            for (s, v) in sum.iter_mut().zip(months) {
                *s += v;
            }
        }
    }
    (any && !sum.iter().sum::<Decimal>().is_zero()).then_some(sum)
}

/// The notice that some units' allotments are spread by the fund's profile, their own last-year
/// months missing (信阳2019 三(三); a default filling a missing input).
pub fn months_fallback_notice(codes: &[&str]) -> Option<Notice> {
    if codes.is_empty() {
        return None;
    }
    const SHOWN: usize = 20;
    let more = codes.len().saturating_sub(SHOWN);
    let shown = &codes[..codes.len().min(SHOWN)];
    let (more_zh, more_en) = if more > 0 {
        (" 等".to_string(), format!(" and {more} more"))
    } else {
        (String::new(), String::new())
    };
    let (list, list_en) = (
        format!("{}{more_zh}", shown.join("、")),
        format!("{}{more_en}", shown.join(", ")),
    );
    Some(Notice {
        code: "allotment_months_from_profile".into(),
        subject: "institutions.last_year_months".into(),
        message_zh: format!(
            "{} 家机构没有「上年各月统筹费用」，月预分额度按基金月度分配（monthly_profile，未填为平均）计算：{list}",
            codes.len()
        ),
        message_en: format!(
            "{} institutions give no last-year months; their monthly allotments follow the fund's monthly profile (even without one): {list_en}",
            codes.len()
        ),
    })
}
