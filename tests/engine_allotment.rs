//! Institution allotment mode (SPEC §7.3, 信阳2019 三(二)–(三)). The arithmetic is in the comments.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use dipcalc::engine::settle;
use dipcalc::policy::*;

#[test]
fn allotment_by_weighted_yearly_shares_with_primary_care_tilt() {
    let mut p = one_fund_policy();
    fixed_budget(&mut p, "10000");
    p.settlement.mode = SettlementMode::Allotment;
    p.settlement.allotment = Some(Allotment {
        history_weights: vec![d("0.5"), d("0.5")],
        primary_care_tilt: d("0.1"),
        primary_care_levels: vec!["一级".into()],
    });
    let mut data = two_institutions();
    // Year 1: A 600, B 400 (shares 0.6/0.4); year 2: A 700, B 300 (0.7/0.3)
    data.institutions[0].history = vec![d("600"), d("700")];
    data.institutions[1].history = vec![d("400"), d("300")];
    let f = &settle(&p, &data).unwrap().funds[0];
    // A 0.65; B (一级) 0.35 × 1.1 = 0.385 → shares 0.65/1.035 and 0.385/1.035 of 10,000
    assert_eq!(
        (f.units[0].settlement, f.units[1].settlement),
        (d("6280.19"), d("3719.81"))
    );
    assert_eq!(f.point_value, None);
    // 结余留用、超支自负 (sharing off): the fund pays the allotment
    assert_eq!(f.units[0].fund_pays, d("6280.19"));
}
