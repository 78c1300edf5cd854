//! Institution allotment mode (SPEC §7.3; 信阳2019 三(二)–(三)): each unit's share of the
//! budget is its share of the reasonable fund payments of past years, primary care tilted
//! ("向基层医疗卫生机构适当倾斜"), and each month's allotment is the annual one × the month's share
//! ("月预分额度为该定点医疗机构上年度各月统筹费用发生数占全年发生数的比例乘以该定点医疗机构年预分额度").

use super::result::{BudgetResult, Reconciliation};
use super::rounding::round_money;
use super::settlement::reconcile;
use super::units::Unit;
use super::EngineError;
use crate::policy::Allotment;
use crate::records::Institution;
use rust_decimal::Decimal;

/// Each institution's allotment weight: its share of the region's reasonable fund payments in
/// each past year, weighted over the years (SPEC §7.3), primary care × (1 + tilt) (信阳2019 三(二)
/// "向基层医疗卫生机构适当倾斜" [default]). Reconciliation renormalises the weights to 1.
pub fn allotment_weights(a: &Allotment, institutions: &[Institution]) -> Vec<Decimal> {
    let year_totals: Vec<Decimal> = (0..a.history_weights.len())
        .map(|k| institutions.iter().filter_map(|i| i.history.get(k)).sum())
        .collect();
    institutions
        .iter()
        .map(|inst| {
            let share: Decimal = a
                .history_weights
                .iter()
                .zip(&year_totals)
                .zip(&inst.history)
                .filter(|((_, total), _)| !total.is_zero())
                .map(|((w, total), h)| w * h / total)
                .sum();
            let primary = inst
                .primary_care
                .unwrap_or_else(|| a.primary_care_levels.contains(&inst.level));
            if primary {
                share * (Decimal::ONE + a.primary_care_tilt)
            } else {
                share
            }
        })
        .collect()
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

/// A unit's allotment for month `m` (0–11): its annual allotment `s` × the month's share of the
/// budget, rounded; claims above it wait for the year end (信阳2019 三(三)).
pub fn monthly_allotment(s: Decimal, budget: &BudgetResult, m: usize) -> Decimal {
    let annual = if budget.inpatient_budget.is_zero() {
        Decimal::ONE
    } else {
        budget.inpatient_budget
    };
    round_money(s * budget.monthly_budget[m] / annual)
}
