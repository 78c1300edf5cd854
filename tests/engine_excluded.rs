//! 除外支付 (宁德2024 第七条(一) "先进医疗技术应用在 DIP 付费中除外支付，与个人账户等其他基金（资金）支出实行据实
//! 结算"): the excluded cost leaves the DIP cost, and with a fund share its fund part is reported as
//! the fund's outlay outside DIP. The arithmetic is in the comments.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use dipcalc::engine::settle;
use dipcalc::records::*;

fn with_excluded() -> Dataset {
    let mut data = two_institutions();
    // A: cost 15,000 of which 5,000 先进医疗技术 → DIP cost 10,000 (ratio 1: a normal case); and
    // 1,000.10 more excluded on a second case.
    edit_cases(&mut data, |cases| {
        cases[0].total_cost = d("15000");
        cases[0].excluded_cost = d("5000");
    });
    let mut second = case("A", Fund::Employee, "G1", "11000.10", "2000", 2);
    second.excluded_cost = d("1000.10");
    data.cases.push(&second);
    data
}

#[test]
fn the_fund_part_of_the_excluded_cost_is_its_outlay_outside_dip() {
    // A's excluded 6,000.10 × 70% = 4,200.07 by the fund, 1,800.03 by patients and other funds;
    // B has none and is not listed. The DIP points are those of the costs without it.
    let mut p = one_fund_policy();
    p.points.excluded_fund_share = Some(d("0.7"));
    let f = &settle(&p, &with_excluded()).unwrap().funds[0];
    let x = f.excluded_outlay.as_ref().unwrap();
    assert_eq!((x.cost, x.fund, x.other), (d("6000.10"), d("4200.07"), d("1800.03")));
    assert_eq!(x.units.len(), 1);
    assert_eq!(x.units[0].code, "A");
    assert_eq!(f.units[0].points.total, d("180")); // 2 normal cases × 100 × 0.9
    assert_eq!(f.units[0].excluded_cost, d("6000.10"));
}

#[test]
fn without_a_fund_share_only_the_excluded_cost_is_reported() {
    let r = settle(&one_fund_policy(), &with_excluded()).unwrap();
    assert!(r.funds[0].excluded_outlay.is_none());
    assert!(!serde_json::to_string(&r).unwrap().contains("excluded_outlay"));
    assert_eq!(r.funds[0].units[0].excluded_cost, d("6000.10"));
}
