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
        indicators: vec![],
        monthly_shares: MonthlyShares::FundProfile,
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

/// Allotment mode over `two_institutions` with last-year payments A 600, B 400 (h = 0.6 / 0.4),
/// one year, no tilt, B = 10,000.
fn one_year(indicators: Vec<IndicatorWeight>, monthly_shares: MonthlyShares) -> (Policy, dipcalc::records::Dataset) {
    let mut p = one_fund_policy();
    fixed_budget(&mut p, "10000");
    p.settlement.mode = SettlementMode::Allotment;
    p.settlement.allotment = Some(Allotment {
        history_weights: vec![d("1")],
        primary_care_tilt: d("0"),
        primary_care_levels: vec![],
        indicators,
        monthly_shares,
    });
    let mut data = two_institutions();
    data.institutions[0].history = vec![d("600")];
    data.institutions[1].history = vec![d("400")];
    (p, data)
}

#[test]
fn xinyang_2019_3_2_indicators_weigh_in_the_allotment() {
    let weight = |indicator, w: &str| IndicatorWeight {
        indicator,
        weight: d(w),
    };
    let (p, mut data) = one_year(
        vec![weight(Indicator::MeanCost, "0.2"), weight(Indicator::Discharges, "0.1")],
        MonthlyShares::FundProfile,
    );
    data.institutions[0].budget_inputs.indicators.mean_cost = Some(d("10000"));
    data.institutions[1].budget_inputs.indicators.mean_cost = Some(d("5000"));
    data.institutions[0].budget_inputs.indicators.discharges = Some(d("300"));
    data.institutions[1].budget_inputs.indicators.discharges = Some(d("100"));
    let f = &settle(&p, &data).unwrap().funds[0];
    // 次均费用 (less is better): (0.6 ÷ 10,000) : (0.4 ÷ 5,000) = 0.00006 : 0.00008 → 3/7, 4/7
    // 出院人次: 300 : 100 → 0.75, 0.25
    // w_A = 0.7 × 0.6 + 0.2 × 3/7 + 0.1 × 0.75 = 0.42 + 0.0857142857 + 0.075 = 0.5807142857
    // w_B = 0.7 × 0.4 + 0.2 × 4/7 + 0.1 × 0.25 = 0.28 + 0.1142857143 + 0.025 = 0.4192857143
    // × 10,000 = 5,807.142857 / 4,192.857143: floors 5,807.14 + 4,192.85 = 9,999.99, the cent to
    // the larger remainder (B 0.007143 > A 0.002857)
    assert_eq!(
        (f.units[0].settlement, f.units[1].settlement),
        (d("5807.14"), d("4192.86"))
    );
}

#[test]
fn a_missing_indicator_is_an_error_naming_the_institution_and_column() {
    let (p, mut data) = one_year(
        vec![IndicatorWeight {
            indicator: Indicator::MeanDays,
            weight: d("0.3"),
        }],
        MonthlyShares::FundProfile,
    );
    data.institutions[0].budget_inputs.indicators.mean_days = Some(d("8.5"));
    let e = settle(&p, &data).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.subject.as_str()),
        ("allotment_indicator_missing", "B")
    );
    assert!(e.message_zh.contains("「次均住院天数」为空"), "{}", e.message_zh);
    // A zero divides: an error too
    data.institutions[1].budget_inputs.indicators.mean_days = Some(d("0"));
    assert!(settle(&p, &data).unwrap_err().message_en.contains("is 0"));
}

#[test]
fn indicator_weights_above_one_are_refused() {
    let weight = |indicator, w: &str| IndicatorWeight {
        indicator,
        weight: d(w),
    };
    let (p, _) = one_year(
        vec![weight(Indicator::MeanCost, "0.6"), weight(Indicator::MeanCost, "0.5")],
        MonthlyShares::FundProfile,
    );
    let e = p.validate().unwrap_err();
    let paths: Vec<&str> = e.issues.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "settlement.allotment.indicators.1.indicator",
            "settlement.allotment.indicators"
        ]
    );
}

#[test]
fn xinyang_2019_3_3_monthly_allotment_by_the_institutions_own_last_year_months() {
    let (p, mut data) = one_year(vec![], MonthlyShares::Institution);
    // A's last year: January 300, every other month 100 (1,400 in all)
    let mut months = vec![d("100"); 12];
    months[0] = d("300");
    data.institutions[0].budget_inputs.last_year_months = months;
    let s = settle(&p, &data).unwrap();
    let f = &s.funds[0];
    // S_A = 6,000; January allotment 6,000 × 300 ÷ 1,400 = 1,285.714… → 1,285.71; A's January claim
    // 10,000 − 2,000 = 8,000 is above it: paid (1 − 5%) × 1,285.71 = 1,221.4245 → 1,221.42
    assert_eq!(f.units[0].months[0].paid, d("1221.42"));
    // B gives no months: the fund's even profile, 4,000 ÷ 12 = 333.33 in April; paid 95% → 316.66
    assert_eq!(f.units[1].months[3].paid, d("316.66"));
    let notice = s
        .notices
        .iter()
        .find(|n| n.code == "allotment_months_from_profile")
        .unwrap();
    assert!(notice.message_zh.ends_with("：B"), "{}", notice.message_zh);
    // With the fund's profile A's January is 6,000 ÷ 12 = 500 → 475 paid, and no notice
    let (p, data) = one_year(vec![], MonthlyShares::FundProfile);
    let s = settle(&p, &data).unwrap();
    assert_eq!(s.funds[0].units[0].months[0].paid, d("475"));
    assert!(s.notices.iter().all(|n| n.code != "allotment_months_from_profile"));
}
