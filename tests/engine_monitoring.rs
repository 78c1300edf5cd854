//! 运行监测 (SPEC §12; 国家DIP3.0 第八章第二节二) on SPEC §10's worked example. The arithmetic is in the
//! comments.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use dipcalc::engine::settle;
use dipcalc::policy::*;

#[test]
fn the_indicators_of_spec10() {
    let mut p = spec10_policy();
    p.settlement.monitoring = Some(Monitoring {
        year_start_point_value: Some(d("110")),
        last_year_point_value: Some(d("120")),
    });
    let f = &settle(&p, &spec10_dataset()).unwrap().funds[0];
    let m = f.monitoring.as_ref().unwrap();
    // 总额准确度 = B 144,900 ÷ what the fund pays 143,734.44 = 1.008109
    assert_eq!(m.budget_accuracy, Some(d("1.008109")));
    // 医保结算支付比 = booked (189,400 − 42,700 = 146,700) ÷ 143,734.44 = 1.020632
    assert_eq!(m.payment_ratio, Some(d("1.020632")));
    // PV = 187,600 ÷ 1,618.5 = 115.909793…: against 110 +5.3725%, against last year's 120 −3.4085%
    assert_eq!(m.year_start_difference, Some(d("0.053725")));
    assert_eq!(m.point_value_variation, Some(d("-0.034085")));
    // One high (H1's 2.5×) and one low (H2's 0.4×) of 11 DIP cases: 1 ÷ 11 = 0.090909 each
    assert_eq!(
        (m.high_cost_share, m.low_cost_share),
        (Some(d("0.090909")), Some(d("0.090909")))
    );
    // H1 overspent; H2 and H3 under S, but only H3 (within 10%) is paid above its cost: 1 of 3
    assert_eq!((m.surplus_units, m.overspend_units, m.retained_units), (2, 1, 1));
    assert_eq!(m.surplus_coverage, Some(d("0.333333")));
}

#[test]
fn without_the_option_nothing_is_reported_and_without_a_base_no_rate() {
    let r = settle(&spec10_policy(), &spec10_dataset()).unwrap();
    assert!(r.funds[0].monitoring.is_none());
    assert!(!serde_json::to_string(&r).unwrap().contains("monitoring"));
    let mut p = spec10_policy();
    p.settlement.monitoring = Some(Monitoring {
        year_start_point_value: None,
        last_year_point_value: None,
    });
    let m = settle(&p, &spec10_dataset()).unwrap().funds[0]
        .monitoring
        .clone()
        .unwrap();
    assert_eq!((m.year_start_difference, m.point_value_variation), (None, None));
    assert!(m.budget_accuracy.is_some());
}
