//! Settlement (SPEC §7, §7.1, §7.4): risk-sharing bands on worked numbers, the 调剂金 shared by points. The arithmetic is in the comments.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use dipcalc::engine::result::BandPosition;
use dipcalc::engine::settle;
use dipcalc::engine::settlement::{near_band_edge, risk_sharing_target};
use dipcalc::policy::*;

fn sharing() -> RiskSharing {
    spec10_policy().settlement.risk_sharing
}

#[test]
fn an_exact_ten_percent_overspend_is_inside_the_band() {
    // S = 1,000, C = 1,100: C − S = 100 ≤ 10% × 1,000 (（含）) → T = 1,000 + 60% × 100 = 1,060
    let (t, band) = risk_sharing_target(&sharing(), d("1000"), d("1100"));
    assert_eq!((t, band), (d("1060"), BandPosition::OverspendShared { band: 0 }));
    // one fen more is beyond: no sharing, T = S (the cliff)
    let (t, band) = risk_sharing_target(&sharing(), d("1000"), d("1100.01"));
    assert_eq!((t, band), (d("1000"), BandPosition::OverspendBeyond));
}

#[test]
fn an_exact_ten_percent_surplus_is_inside_the_band() {
    // S = 1,000, C = 900: reading (a) T = C + 60% × 100 = 960
    let (t, band) = risk_sharing_target(&sharing(), d("1000"), d("900"));
    assert_eq!((t, band), (d("960"), BandPosition::SurplusShared { band: 0 }));
    // C = 899.99: beyond → T = C
    assert_eq!(risk_sharing_target(&sharing(), d("1000"), d("899.99")).0, d("899.99"));
}

#[test]
fn surplus_reading_b_returns_from_the_settlement() {
    let mut rs = sharing();
    rs.surplus_base = SurplusBase::Settlement;
    // S = 1,000, C = 950: T = S − 60% × 50 = 970; beyond the band T = S
    assert_eq!(risk_sharing_target(&rs, d("1000"), d("950")).0, d("970"));
    assert_eq!(risk_sharing_target(&rs, d("1000"), d("800")).0, d("1000"));
}

#[test]
fn reading_c_has_no_cliff() {
    let mut rs = sharing();
    rs.overspend.beyond = Beyond::Capped;
    rs.surplus.beyond = Beyond::Capped;
    // over 30%: T = 1.06 × S = 1,060; under 30%: T = C + 6% × S = 700 + 60 = 760
    assert_eq!(risk_sharing_target(&rs, d("1000"), d("1300")).0, d("1060"));
    assert_eq!(risk_sharing_target(&rs, d("1000"), d("700")).0, d("760"));
}

#[test]
fn several_bands_share_each_slice_at_its_rate() {
    let mut rs = sharing();
    rs.overspend.bands = vec![
        Band {
            up_to: d("0.10"),
            share: d("0.60"),
        },
        Band {
            up_to: d("0.20"),
            share: d("0.30"),
        },
    ];
    // S = 1,000, C = 1,150: 60% × 100 + 30% × 50 = 75 → T = 1,075, in band 2
    assert_eq!(
        risk_sharing_target(&rs, d("1000"), d("1150")),
        (d("1075"), BandPosition::OverspendShared { band: 1 })
    );
}

#[test]
fn off_equal_or_zero_settlement_means_no_sharing() {
    let mut rs = sharing();
    assert_eq!(risk_sharing_target(&rs, d("0"), d("50")).0, d("0"));
    assert_eq!(risk_sharing_target(&rs, d("100"), d("100")).1, BandPosition::None);
    rs.enabled = false;
    assert_eq!(risk_sharing_target(&rs, d("1000"), d("1050")).0, d("1000"));
}

#[test]
fn near_band_edge_is_within_one_percentage_point() {
    // gap 9.2% of S: 0.8 points from the 10% edge → flagged; 8.9% is not
    assert!(near_band_edge(&sharing(), d("1000"), d("1092")));
    assert!(!near_band_edge(&sharing(), d("1000"), d("1089")));
    assert!(near_band_edge(&sharing(), d("1000"), d("905")));
}

#[test]
fn adjustment_fund_is_shared_by_points() {
    // 调剂金 1,000 by points 90 : 80 → 529.41 / 470.59 (reconciled); with a city total of 1,000
    // points: 1,000 × 90 ÷ 1,000 = 90 and 80
    let mut p = one_fund_policy();
    fixed_budget(&mut p, "12000");
    p.funds.employee.as_mut().unwrap().adjustment_fund = Some(AdjustmentFund {
        amount: Amount::yuan(d("1000")),
        city_total_points: None,
        uses: vec![],
        pays_alliance_overspend: false,
    });
    let f = &settle(&p, &two_institutions()).unwrap().funds[0];
    assert_eq!(
        (f.units[0].adjustment_fund, f.units[1].adjustment_fund),
        (d("529.41"), d("470.59"))
    );
    p.funds.employee.as_mut().unwrap().adjustment_fund = Some(AdjustmentFund {
        amount: Amount::yuan(d("1000")),
        city_total_points: Some(d("1000")),
        uses: vec![],
        pays_alliance_overspend: false,
    });
    let f = &settle(&p, &two_institutions()).unwrap().funds[0];
    assert_eq!(
        (f.units[0].adjustment_fund, f.units[1].adjustment_fund),
        (d("90"), d("80"))
    );
}
