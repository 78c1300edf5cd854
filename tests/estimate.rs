//! SPEC §11, the year-end estimate: k = 12 is the exact settlement, the projection formulas on
//! SPEC §10's numbers, the own-hospital + published-figures situation, and bad input.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use dipcalc::engine::estimate::{estimate, Estimate, EstimateInputs, EstimateOptions, Interval, Profile};
use dipcalc::engine::rounding::{round_money, round_point_value, round_ratio};
use dipcalc::engine::{settle, EngineError, Settler};
use dipcalc::policy::Policy;
use dipcalc::records::{Dataset, Fund, PublishedMonth};
use rust_decimal::Decimal;

fn run(
    policy: &Policy,
    data: Dataset,
    published: &[PublishedMonth],
    opts: &EstimateOptions,
) -> Result<Estimate, EngineError> {
    let mut settler = Settler::new(data);
    let (data, agg) = settler.aggregates(policy)?;
    let inputs = EstimateInputs {
        published,
        previous_year: None,
    };
    estimate(policy, data, agg, inputs, opts)
}

fn opts(through: Option<u8>) -> EstimateOptions {
    EstimateOptions {
        through,
        draws: 40,
        ..EstimateOptions::default()
    }
}

/// SPEC §10 with a twelfth case in December (H1, G1, cost 12,000, personal 3,000): every month
/// has data.
fn full_year() -> Dataset {
    let mut data = spec10_dataset();
    data.cases.push(&case("H1", Fund::Employee, "G1", "12000", "3000", 12));
    data
}

#[test]
fn with_every_month_observed_the_estimate_is_the_exact_settlement() {
    let policy = spec10_policy();
    let exact = settle(&policy, &full_year()).unwrap();
    for interval in [Interval::RunRate, Interval::Predictive] {
        let o = EstimateOptions { interval, ..opts(None) };
        let e = run(&policy, full_year(), &[], &o).unwrap();
        assert_eq!(e.settlement, exact, "k = 12: the same settlement to the fen");
        assert_eq!(e.draws, 0);
        let f = &e.funds[0];
        assert_eq!((f.months.through, f.months.projected.len()), (12, 0));
        assert_eq!(f.point_value.central, exact.funds[0].point_value.unwrap());
        assert_eq!(Some(f.point_value_exact), exact.funds[0].point_value_exact);
        for (u, x) in f.units.iter().zip(&exact.funds[0].units) {
            for r in [&u.settlement, &u.target, &u.fund_pays, &u.net_to_pay] {
                assert_eq!(
                    (r.p10, r.p50, r.p90),
                    (r.central, r.central, r.central),
                    "{interval:?}: zero width"
                );
            }
            assert_eq!(u.net_to_pay.central, round_money(x.net_to_pay));
            assert_eq!(u.bands.values().copied().collect::<Vec<_>>(), [Decimal::ONE]);
        }
    }
}

#[test]
fn the_predictive_interval_keeps_the_central_estimate_and_widens() {
    // The draws never touch the central figures; the projected months' own month-to-month
    // variation (on top of the run-rate's) makes the interval of the point value wider.
    let with = |interval| {
        let o = EstimateOptions {
            interval,
            draws: 200,
            ..opts(Some(6))
        };
        run(&spec10_policy(), spec10_dataset(), &[], &o).unwrap()
    };
    let (rr, pr) = (with(Interval::RunRate), with(Interval::Predictive));
    assert_eq!(rr.settlement, pr.settlement);
    assert_eq!(pr.interval, Interval::Predictive);
    let (a, b) = (&rr.funds[0].point_value, &pr.funds[0].point_value);
    assert_eq!(a.central, b.central);
    assert!(b.p90 - b.p10 > a.p90 - a.p10, "run-rate {a:?}, predictive {b:?}");
}

#[test]
fn even_run_rate_projects_december_from_eleven_months() {
    // SPEC §10's cases fall in months 1–11, so k = 11 and w_m = 1/12:
    // X̂ = X + (X ÷ 11/12) × 1/12 = X × 12/11.
    // points 1,618.5 × 12/11; personal 42,700 × 12/11; pool = 144,900 + personal;
    // PV = (144,900 × 11/12 + 42,700) ÷ 1,618.5 = 175,525 ÷ 1,618.5 = 108.449181
    let e = run(&spec10_policy(), spec10_dataset(), &[], &opts(None)).unwrap();
    let f = &e.funds[0];
    assert_eq!((f.months.through, f.months.projected.clone()), (11, vec![12]));
    assert_eq!(f.months.profile, "even");
    // 1,618.5 × 12 ÷ 11 = 1,765.636364 (6 decimals; the sums differ in the 28th digit)
    assert_eq!(round_ratio(e.settlement.funds[0].total_points), d("1765.636364"));
    assert_eq!(f.point_value.central, d("108.449181"));
    assert!(f.point_value.p10 <= f.point_value.p50 && f.point_value.p50 <= f.point_value.p90);
}

#[test]
fn growth_raises_the_projected_months_only() {
    // g = 10%: X̂ = X + (X ÷ 11/12) × 1.1 × 1/12 = X × 1.1.
    // points 1,618.5 × 1.1 = 1,780.35; personal 42,700 × 1.1 = 46,970;
    // PV = (144,900 + 46,970) ÷ 1,780.35 = 191,870 ÷ 1,780.35 = 107.770944
    let o = EstimateOptions {
        growth: d("0.1"),
        ..opts(None)
    };
    let e = run(&spec10_policy(), spec10_dataset(), &[], &o).unwrap();
    assert_eq!(e.settlement.funds[0].total_points, d("1780.35"));
    assert_eq!(
        e.funds[0].point_value.central,
        round_point_value(d("191870") / d("1780.35"), 6)
    );
    assert_eq!(e.funds[0].point_value.central, d("107.770944"));
}

#[test]
fn seasonal_profile_from_the_policy() {
    // Cut at k = 6 with the policy's monthly_profile, W_6 = 0.05 + 0.05 + 0.08 + 0.07 + 0.07 +
    // 0.08 = 0.40: X̂ = X + (X ÷ 0.4) × 0.6 = X ÷ 0.4.
    // points of months 1–6: 339 + 508.5 + 113 + 40 + 95 + 38 = 1,133.5 → 2,833.75;
    // personal 9,000 + 15,000 + 3,000 + 1,200 + 2,500 + 1,000 = 31,700 → 79,250;
    // PV = (144,900 + 79,250) ÷ 2,833.75 = 224,150 ÷ 2,833.75 = 79.100132
    let mut policy = spec10_policy();
    let profile = [
        "0.05", "0.05", "0.08", "0.07", "0.07", "0.08", "0.09", "0.09", "0.1", "0.1", "0.1", "0.12",
    ];
    policy.funds.employee.as_mut().unwrap().monthly_profile = Some(profile.map(d).to_vec());
    let e = run(&policy, spec10_dataset(), &[], &opts(Some(6))).unwrap();
    let f = &e.funds[0];
    assert_eq!(f.months.profile, "policy_profile");
    assert_eq!(f.months.projected, [7, 8, 9, 10, 11, 12]);
    assert_eq!(e.settlement.funds[0].total_points, d("2833.75"));
    assert_eq!(e.settlement.funds[0].totals.personal_burden, d("79250"));
    assert_eq!(f.point_value.central, d("79.100132"));
    // The cases of months 7–11 are left out with a notice.
    assert!(e
        .notices
        .iter()
        .any(|n| n.code == "cases_after_cut_off" && n.message_en.starts_with("5 ")));
}

#[test]
fn the_interval_is_seeded_and_ordered() {
    let a = run(&spec10_policy(), spec10_dataset(), &[], &opts(Some(9))).unwrap();
    let b = run(&spec10_policy(), spec10_dataset(), &[], &opts(Some(9))).unwrap();
    assert_eq!(a.funds, b.funds, "the same seed gives the same draws");
    for u in &a.funds[0].units {
        for r in [&u.settlement, &u.target, &u.fund_pays, &u.net_to_pay] {
            assert!(r.p10 <= r.p50 && r.p50 <= r.p90, "{}: {r:?}", u.code);
        }
        let total: Decimal = u.bands.values().sum();
        assert!(
            (total - Decimal::ONE).abs() < d("0.00001"),
            "{}: band shares add up to 1",
            u.code
        );
    }
}

fn published(month: u8, points: Option<&str>, pv: Option<&str>, budget: Option<&str>) -> PublishedMonth {
    PublishedMonth {
        fund: Fund::Employee,
        month,
        point_value: pv.map(d),
        region_points: points.map(d),
        monthly_budget: budget.map(d),
        source_row: u64::from(month) + 1,
    }
}

/// H1 alone, its own cases, and the region's published points of months 1–11 (SPEC §10's).
fn own_hospital() -> (Dataset, Vec<PublishedMonth>) {
    let mut data = spec10_dataset();
    data.institutions.truncate(1);
    edit_cases(&mut data, |cases| cases.retain(|c| c.institution == "H1"));
    let region = ["339", "508.5", "113", "40", "95", "38", "285", "40", "40", "40", "80"];
    let rows = region
        .iter()
        .enumerate()
        .map(|(m, p)| published(m as u8 + 1, Some(p), None, None))
        .collect();
    (data, rows)
}

#[test]
fn own_hospital_with_published_region_points() {
    // H1's cases end in April, so its cut-off is k = 4 and the published rows of months 5–11
    // are left out with a notice. Region months 1–4: 339 + 508.5 + 113 + 40 = 1,000.5 (all
    // H1's: the rest has 0) → X̂ = 1,000.5 ÷ 4/12 = 3,001.5.
    let (data, rows) = own_hospital();
    let e = run(&spec10_policy(), data, &rows, &opts(None)).unwrap();
    assert_eq!(e.region, "published");
    let f = &e.funds[0];
    assert_eq!(f.months.through, 4);
    assert_eq!(e.settlement.funds[0].total_points, d("3001.5"));
    assert_eq!(f.units.len(), 1, "the rest of the region is not reported as a unit");
    assert!(e.notices.iter().any(|n| n.code == "published_after_cut_off"));
}

#[test]
fn region_points_from_budget_and_point_value() {
    // A row without 区域总点数: 月度预算 ÷ 点值 = 12,075 ÷ 15 = 805 points for month 1;
    // H1 has 339 of them, the rest 466. k = 1 → region 805 × 12 = 9,660.
    let (data, _) = own_hospital();
    let rows = vec![published(1, None, Some("15"), Some("12075"))];
    let e = run(&spec10_policy(), data, &rows, &opts(Some(1))).unwrap();
    assert_eq!(e.settlement.funds[0].total_points, d("9660"));
}

#[test]
fn own_share_stands_for_the_region() {
    // H1 had 25% of the region's points last year: region month 1 = 339 ÷ 0.25 = 1,356, × 12.
    let (data, _) = own_hospital();
    let o = EstimateOptions {
        own_share: Some(d("0.25")),
        ..opts(Some(1))
    };
    let e = run(&spec10_policy(), data, &[], &o).unwrap();
    assert_eq!(e.region, "own_share");
    assert_eq!(e.settlement.funds[0].total_points, d("16272"));
}

#[test]
fn published_figures_for_a_fund_the_policy_does_not_settle() {
    let (data, mut rows) = own_hospital();
    rows[2].fund = Fund::Resident;
    let err = run(&spec10_policy(), data, &rows, &opts(None)).unwrap_err();
    assert_eq!(err.code, "published_fund_not_settled");
    assert_eq!(err.row, Some(4), "the row is named");
}

#[test]
fn published_points_below_the_hospitals_own() {
    let (data, mut rows) = own_hospital();
    rows[1].region_points = Some(d("500"));
    let err = run(&spec10_policy(), data, &rows, &opts(None)).unwrap_err();
    assert_eq!((err.code.as_str(), err.row), ("published_below_own", Some(3)));
}

#[test]
fn a_month_missing_in_the_middle_is_refused_unless_accepted() {
    let mut data = spec10_dataset();
    edit_cases(&mut data, |cases| cases.retain(|c| c.month != 5));
    let err = run(&spec10_policy(), data.clone(), &[], &opts(None)).unwrap_err();
    assert_eq!(err.code, "months_missing");
    assert!(
        err.message_en.contains("months 5 up to the cut-off 11"),
        "{}",
        err.message_en
    );
    let o = EstimateOptions {
        accept_missing_months: true,
        ..opts(None)
    };
    let e = run(&spec10_policy(), data, &[], &o).unwrap();
    assert_eq!(e.funds[0].months.projected, [5, 12]);
}

#[test]
fn cut_off_without_data_or_beyond_the_year() {
    let mut data = spec10_dataset();
    edit_cases(&mut data, |cases| cases.retain(|c| c.month > 3));
    let o = EstimateOptions {
        accept_missing_months: true,
        ..opts(Some(3))
    };
    let err = run(&spec10_policy(), data, &[], &o).unwrap_err();
    assert_eq!(err.code, "no_data_before_cut_off");
    let err = run(&spec10_policy(), spec10_dataset(), &[], &opts(Some(13))).unwrap_err();
    assert_eq!(err.code, "bad_cut_off");
}

#[test]
fn profile_named_but_missing() {
    let o = EstimateOptions {
        profile: Profile::Policy,
        ..opts(None)
    };
    let err = run(&spec10_policy(), spec10_dataset(), &[], &o).unwrap_err();
    assert_eq!(err.code, "no_profile");
}

/// What the estimate keeps of a previous year (the command line's `--previous-year`, the page's
/// 上年病例): per fund, the monthly shares of the region's points of that year's settlement,
/// P_m ÷ Σ P; a fund without points gives none; `previous_year` weights are those shares.
#[test]
fn previous_year_shares_are_its_monthly_points_over_the_year() {
    use dipcalc::engine::estimate::PreviousYear;
    let policy = spec10_policy();
    let last = settle(&policy, &full_year()).unwrap();
    let shares = PreviousYear::from_settlement(&last);
    let f = &last.funds[0];
    let total: Decimal = f.months.iter().map(|m| m.points).sum();
    let w = shares.shares(f.fund).expect("the employee fund has points");
    assert_eq!(w.len(), 12);
    for (m, wm) in f.months.iter().zip(w) {
        assert_eq!(*wm, m.points / total);
    }
    assert!(shares
        .funds
        .iter()
        .all(|(fund, _)| last.funds.iter().any(|x| x.fund == *fund)));
    assert_eq!(PreviousYear::default().shares(Fund::Employee), None);

    let o = EstimateOptions {
        profile: Profile::PreviousYear,
        ..opts(Some(9))
    };
    let mut settler = Settler::new(spec10_dataset());
    let (data, agg) = settler.aggregates(&policy).unwrap();
    let inputs = EstimateInputs {
        published: &[],
        previous_year: Some(&shares),
    };
    let e = estimate(&policy, data, agg, inputs, &o).unwrap();
    assert_eq!(e.funds[0].months.profile, "previous_year");
    assert_eq!(e.funds[0].months.weights, w);
    let none = run(&policy, spec10_dataset(), &[], &o).unwrap_err();
    assert_eq!(none.code, "no_profile");
}
