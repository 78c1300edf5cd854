//! 调剂金 (休宁2021 12 "调剂金可按规定支付…药品及耗材激励…紧密型县域医共体合理超支部分经考核后合理分担，也可采取
//! …病种分值点数之和占市域内总点数的比例等方式进行二次付费"; SPEC §7.4): its named uses first, then the
//! 医共体's shared overspend, then the rest by points. The arithmetic is in the comments.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use dipcalc::engine::settle;
use dipcalc::policy::*;
use dipcalc::records::*;

/// A alone; B and C in 东区医共体, settled as one unit. Every coefficient 1, G1 score 100.
fn alliance_region() -> Dataset {
    let mut data = two_institutions();
    data.institutions = vec![
        institution("A", "二甲", Some("1")),
        institution("B", "二甲", Some("1")),
        institution("C", "一级", Some("1")),
    ];
    for i in &mut data.institutions[1..] {
        i.alliance = Some("东区医共体".into());
    }
    data.cases = vec![
        case("A", Fund::Employee, "G1", "10000", "2000", 1),
        case("B", Fund::Employee, "G1", "12000", "2000", 2),
        case("C", Fund::Employee, "G1", "12500", "1000", 3),
    ]
    .into();
    data
}

/// SPEC §10's policy (10% / 60%, reading (a)) at B = 30,000, 医共体 as units, a 调剂金 of 1,000.
fn policy(uses: &str, pays: bool) -> Policy {
    let mut p = spec10_policy();
    fixed_budget(&mut p, "30000");
    p.settlement.unit = SettlementUnit::Alliance;
    p.funds.employee.as_mut().unwrap().adjustment_fund = Some(AdjustmentFund {
        amount: Amount::yuan(d("1000")),
        city_total_points: None,
        uses: vec![LabelledAmount {
            label: "药品耗材激励".into(),
            amount: Amount::yuan(d(uses)),
        }],
        pays_alliance_overspend: pays,
    });
    p
}

#[test]
fn the_adjustment_fund_pays_the_alliance_overspend_before_it_is_distributed() {
    // pool = 30,000 + 5,000 = 35,000 over 100 : 200 points → S: A 11,666.67, 东区 23,333.33.
    // 东区 costs 24,500: over by 1,166.67 = 5% ≤ 10% → T = S + 60% × 1,166.67 = 24,033.33; T − S = 700.
    // 调剂金 1,000 − 激励 200 = 800 ≥ 700: it pays the 700; 100 left by points: A 33.33, 东区 66.67.
    let f = &settle(&policy("200", true), &alliance_region()).unwrap().funds[0];
    assert_eq!(f.units[1].target, d("24033.33"));
    let u = f.adjustment_fund_use.as_ref().unwrap();
    assert_eq!(u.uses[0].amount, d("200"));
    assert_eq!((u.alliance_overspend, u.alliance_overspend_paid), (d("700"), d("700")));
    assert_eq!((u.alliance_overspend_by_fund, u.distributed), (d("0"), d("100")));
    let shares: Vec<_> = f.units.iter().map(|u| u.adjustment_fund).collect();
    assert_eq!(shares, [d("33.33"), d("66.67")]);
}

#[test]
fn what_the_adjustment_fund_cannot_pay_the_fund_pays() {
    // 1,000 − 500 = 500 < 700: the 调剂金 pays 500, the fund 200; nothing is left to distribute.
    // The 医共体's T is the same whoever pays.
    let f = &settle(&policy("500", true), &alliance_region()).unwrap().funds[0];
    let u = f.adjustment_fund_use.as_ref().unwrap();
    assert_eq!(
        (u.alliance_overspend_paid, u.alliance_overspend_by_fund),
        (d("500"), d("200"))
    );
    assert_eq!(u.distributed, d("0"));
    assert_eq!(f.units[1].target, d("24033.33"));
    assert!(f.units.iter().all(|u| u.adjustment_fund.is_zero()));
}

#[test]
fn uses_alone_reduce_the_distribution_and_uses_above_the_amount_are_an_error() {
    // Without the overspend switch: 1,000 − 200 = 800 by points 100 : 200 → 266.67, 533.33.
    let f = &settle(&policy("200", false), &alliance_region()).unwrap().funds[0];
    assert_eq!(f.adjustment_fund_use.as_ref().unwrap().alliance_overspend, d("0"));
    let shares: Vec<_> = f.units.iter().map(|u| u.adjustment_fund).collect();
    assert_eq!(shares, [d("266.67"), d("533.33")]);
    let e = settle(&policy("1200", false), &alliance_region()).unwrap_err();
    assert_eq!(e.subject, "funds.employee.adjustment_fund.uses");
}

#[test]
fn without_uses_the_block_is_left_out() {
    let mut p = policy("0", false);
    p.funds
        .employee
        .as_mut()
        .unwrap()
        .adjustment_fund
        .as_mut()
        .unwrap()
        .uses
        .clear();
    let r = settle(&p, &alliance_region()).unwrap();
    assert!(r.funds[0].adjustment_fund_use.is_none());
    assert!(!serde_json::to_string(&r).unwrap().contains("adjustment_fund_use"));
}
