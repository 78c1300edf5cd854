//! Ledgers (SPEC §5, §7.2): which cases count where — QC-failed cases held or excluded, cases of a fund the policy lacks. The arithmetic is in the comments.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use dipcalc::engine::settle;
use dipcalc::records::*;

#[test]
fn qc_failed_cases_are_held_or_excluded() {
    // Passed: 90 points in March. Failed and supplemented: back at year end, not in March's
    // prepayment. Failed, never supplemented: out of points, cost and burden.
    let mut held = case("A", Fund::Employee, "G1", "10000", "2000", 3);
    held.qc_passed = false;
    held.supplemented = true;
    let mut out = case("A", Fund::Employee, "G1", "10000", "2000", 3);
    out.qc_passed = false;
    let r = settle(
        &one_fund_policy(),
        &one_institution(vec![case("A", Fund::Employee, "G1", "10000", "2000", 3), held, out]),
    )
    .unwrap();
    let f = &r.funds[0];
    let u = &f.units[0];
    assert_eq!(u.points.total, d("180"));
    assert_eq!(u.total_cost, d("20000"));
    assert_eq!((u.cases.qc_supplemented, u.cases.qc_excluded), (1, 1));
    assert_eq!(f.months[2].points, d("90"));
    // March prepayment: (10,000 − 2,000) × (1 − 5%) = 7,600
    assert_eq!(u.months[2].paid, d("7600"));
}

#[test]
fn cases_of_a_fund_the_policy_lacks_are_reported() {
    let mut data = two_institutions();
    data.cases.push(&case("A", Fund::Resident, "G1", "10000", "2000", 1));
    let r = settle(&one_fund_policy(), &data).unwrap();
    assert!(r.notices.iter().any(|n| n.code == "fund_not_in_policy"));
    assert_eq!(r.funds.len(), 1);
}
