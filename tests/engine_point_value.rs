//! Point values (SPEC §6): cost bases, monthly and cumulative point values, the monthly profile. The arithmetic is in the comments.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use dipcalc::engine::settle;
use dipcalc::policy::*;
use rust_decimal::Decimal;

#[test]
fn cost_bases_price_the_pool_differently() {
    let mut p = one_fund_policy();
    fixed_budget(&mut p, "12000");
    // fund_plus_personal: pool 12,000 + 5,000 = 17,000; PV = 17,000 ÷ 170 = 100
    let f = &settle(&p, &two_institutions()).unwrap().funds[0];
    assert_eq!((f.pool, f.point_value), (d("17000"), Some(d("100"))));
    assert_eq!(f.units[0].fund_pays, d("7000")); // S 9,000 − 2,000
                                                 // fund_share_ratio 0.6: pool 12,000 ÷ 0.6 = 20,000; PV = 117.647059
    p.point_value.cost_basis = CostBasis::FundShareRatio;
    p.funds.employee.as_mut().unwrap().fund_share_ratio = Some(d("0.6"));
    let f = &settle(&p, &two_institutions()).unwrap().funds[0];
    assert_eq!((f.pool, f.point_value), (d("20000"), Some(d("117.647059"))));
    // fund_only: pool 12,000, PV 70.588235; FS = S, fund pays = S (no personal to subtract)
    p.point_value.cost_basis = CostBasis::FundOnly;
    let f = &settle(&p, &two_institutions()).unwrap().funds[0];
    assert_eq!(f.point_value, Some(d("70.588235")));
    assert_eq!(f.units[0].settlement, d("6352.94")); // 12,000 × 90 ÷ 170 = 6,352.941…
    assert_eq!(f.units[0].fund_pays, f.units[0].settlement);
}

#[test]
fn monthly_and_cumulative_point_values() {
    let mut p = one_fund_policy();
    fixed_budget(&mut p, "12000");
    // Even months: 1,000 each. January: (1,000 + 2,000) ÷ 90 = 33.333333; April: 4,000 ÷ 80 = 50
    let f = &settle(&p, &two_institutions()).unwrap().funds[0];
    assert_eq!(f.months[0].point_value, Some(d("33.333333")));
    assert_eq!(f.months[1].point_value, None); // no points in February
    assert_eq!(f.months[3].point_value, Some(d("50")));
    // Cumulative to April: (3,000 + 1,000 + 1,000 + 4,000) ÷ 170 = 52.941176
    assert_eq!(f.months[3].cumulative_point_value, Some(d("52.941176")));
    // Q1: 3,000 + 2,000 = 5,000... pool = 3 × 1,000 + 2,000 personal = 5,000 ÷ 90
    assert_eq!(f.quarters[0].point_value, Some(d("55.555556")));
}

#[test]
fn monthly_profile_spreads_the_budget() {
    let mut p = one_fund_policy();
    fixed_budget(&mut p, "12000");
    let mut profile = vec![d("0.05"); 12];
    profile[0] = d("0.45");
    p.funds.employee.as_mut().unwrap().monthly_profile = Some(profile);
    let f = &settle(&p, &two_institutions()).unwrap().funds[0];
    // January 45% of 12,000 = 5,400; the months add up to the year
    assert_eq!(f.budget.monthly_budget[0], d("5400"));
    assert_eq!(f.budget.monthly_budget.iter().sum::<Decimal>(), d("12000"));
}

#[test]
fn settlement_point_value_with_the_fund_share_computed_from_the_data() {
    // 国家DIP3.0 第七章第三节一(三): 结算点值 = (DIP 基金总额 ÷ 医保支付比例) ÷ 总分值, the ratio = 记账金额 ÷
    // 医疗总费用 of the year's DIP cases. SPEC §10: cost 125,700 + 46,700 + 17,000 = 189,400, personal
    // 42,700, so booked 146,700 and the ratio 0.774551…; pool = 144,900 × 189,400 ÷ 146,700
    // = 187,076.07 (multiplied before it divides); PV = 187,076.0736… ÷ 1,618.5 = 115.586082.
    let mut p = spec10_policy();
    p.point_value.cost_basis = CostBasis::FundShareFromData;
    let f = &settle(&p, &spec10_dataset()).unwrap().funds[0];
    assert_eq!(dipcalc::engine::rounding::round_money(f.pool), d("187076.07"));
    assert_eq!(f.point_value, Some(d("115.586082")));
    // The settlements add up to the pool, to the cent (SPEC §2).
    let s: Decimal = f.units.iter().map(|u| u.settlement).sum();
    assert_eq!(s, d("187076.07"));
    // A period without fund-booked cost is priced at its budget, as fund_only.
    let mut data = spec10_dataset();
    edit_cases(&mut data, |cases| {
        for c in cases {
            c.personal_burden = c.total_cost;
        }
    });
    let f = &settle(&p, &data).unwrap().funds[0];
    assert_eq!(f.pool, d("144900"));
}
