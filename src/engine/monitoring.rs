//! 运行监测 (SPEC §12 Monitoring; 国家DIP3.0 第八章第二节二): the indicators a settlement is watched
//! by, computed from the fund's settled figures — "总额准确度，即年度 DIP 医保基金额度与实际清算支付金额的
//! 比值"; "点值年度变异率、年初点值与结算点值差异率"; "医保结算支付比，即统筹区域医疗机构总记账费用与年度清算
//! 确定实际支付总额之比"; "费用超高病例占比、费用超低病例占比"; "结余留用覆盖率，即获得医保基金结余留用的医疗
//! 机构占统筹地区定点医疗机构的比例". Every share is 6 decimals (SPEC §2), `None` when it would divide
//! by zero.

use super::ratio;
use super::result::{FundResult, MonitoringResult};
use super::rounding::round_ratio;
use crate::policy::Policy;
use rust_decimal::Decimal;

/// The fund's indicators when the policy sets `settlement.monitoring`. The rates of change are
/// (this year's exact point value − the one compared) ÷ the one compared [reading: the text names
/// them without a formula]. A unit "gets 结余留用" when its T is above the cost it is compared with
/// (SPEC §7.1) [reading]; units, not institutions, are counted (a 医共体 settled as one is one).
pub fn fund_monitoring(policy: &Policy, f: &FundResult) -> Option<MonitoringResult> {
    let m = policy.settlement.monitoring.as_ref()?;
    let share = |a: Decimal, b: Decimal| ratio(a, b).map(round_ratio);
    let change = |base: Option<Decimal>| base.zip(f.point_value_exact).and_then(|(b, pv)| share(pv - b, b));
    let count = |keep: &dyn Fn(&super::result::UnitResult) -> bool| f.units.iter().filter(|u| keep(u)).count() as u64;
    let c = f.units.iter().fold([0u64; 3], |[dip, high, low], u| {
        let k = &u.cases;
        [dip + k.normal + k.high + k.low + k.reviewed, high + k.high, low + k.low]
    });
    let booked = f.totals.total_cost - f.totals.personal_burden;
    let units = f.units.len() as u64;
    let retained = count(&|u| u.target > u.compared_cost);
    Some(MonitoringResult {
        budget_accuracy: share(f.budget.inpatient_budget, f.totals.fund_pays),
        year_start_difference: change(m.year_start_point_value),
        point_value_variation: change(m.last_year_point_value),
        payment_ratio: share(booked, f.totals.fund_pays),
        high_cost_share: share(Decimal::from(c[1]), Decimal::from(c[0])),
        low_cost_share: share(Decimal::from(c[2]), Decimal::from(c[0])),
        surplus_units: count(&|u| u.compared_cost < u.settlement),
        overspend_units: count(&|u| u.compared_cost > u.settlement),
        retained_units: retained,
        surplus_coverage: share(Decimal::from(retained), Decimal::from(units)),
    })
}
