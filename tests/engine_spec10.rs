//! SPEC.md §10, the worked example, figure by figure.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use dipcalc::engine::result::BandPosition;
use dipcalc::engine::settle;

#[test]
fn budget_waterfall_of_spec10() {
    let r = settle(&spec10_policy(), &spec10_dataset()).unwrap();
    let f = &r.funds[0];
    // A = 300,000 − 10% = 270,000; P = 270,000 − 40,000 − 80,000 = 150,000
    assert_eq!(f.budget.available, d("270000"));
    assert_eq!(f.budget.packable, d("150000"));
    // F = (135,000 × 0.4 + 140,000 × 0.6) × (1 + min(8%, 5%)) = 138,000 × 1.05
    assert_eq!(f.budget.forecast, Some(d("144900")));
    // B = min(150,000, 144,900)
    assert_eq!(f.budget.budget, d("144900"));
    assert_eq!(f.budget.inpatient_budget, d("144900"));
    let keys: Vec<&str> = f.budget.steps.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "raised",
            "reserve",
            "available",
            "deduction",
            "deduction",
            "packable",
            "forecast",
            "rule"
        ]
    );
    assert_eq!(f.budget.steps[1].article.as_deref(), Some("第七条"));
}

#[test]
fn points_and_point_value_of_spec10() {
    let r = settle(&spec10_policy(), &spec10_dataset()).unwrap();
    let f = &r.funds[0];
    let pts: Vec<_> = f.units.iter().map(|u| u.points.total).collect();
    // H1: 339 + 508.5 + 113 + 40; H2: 95 + 38 + 285 + 40; H3: 40 + 40 + 80
    assert_eq!(pts, [d("1000.5"), d("458"), d("160")]);
    assert_eq!(f.units[0].points.high, d("508.5")); // 300 × (2.5 − 2 + 1) × 1.13
    assert_eq!(f.units[1].points.low, d("38")); // 100 × 0.4 × 0.95
    assert_eq!(f.units[0].coefficient, Some(d("1.13")));
    assert_eq!(f.total_points, d("1618.5"));
    // Pool = 144,900 + 42,700; PV = 187,600 ÷ 1,618.5
    assert_eq!(f.pool, d("187600"));
    assert_eq!(f.point_value, Some(d("115.909793")));
    assert_eq!(f.units[0].cases.high, 1);
    assert_eq!(f.units[1].cases.low, 1);
}

#[test]
fn settlement_reconciliation_and_risk_sharing_of_spec10() {
    let r = settle(&spec10_policy(), &spec10_dataset()).unwrap();
    let f = &r.funds[0];
    let s: Vec<_> = f.units.iter().map(|u| u.settlement).collect();
    // Floors 115,967.74 + 53,086.68 + 18,545.56 = 187,599.98; cents to H1 (0.0079), H3 (0.0069)
    assert_eq!(s, [d("115967.75"), d("53086.68"), d("18545.57")]);
    assert_eq!(f.reconciliation.cents_distributed, 2);
    assert_eq!(f.reconciliation.recipients, ["H1", "H3"]);
    let fs: Vec<_> = f.units.iter().map(|u| u.fund_settlement).collect();
    assert_eq!(fs, [d("87767.75"), d("41686.68"), d("15445.57")]);
    assert_eq!(f.totals.settlement, d("187600.00"));
    assert_eq!(f.totals.fund_settlement, d("144900.00"));
    // H1 over 8.39%: S + 60% × 9,732.25; H2 under 12.03% > 10%: C; H3 under 8.33%: C + 60% × 1,545.57
    let t: Vec<_> = f.units.iter().map(|u| u.target).collect();
    assert_eq!(t, [d("121807.10"), d("46700.00"), d("17927.34")]);
    assert_eq!(f.units[0].band, BandPosition::OverspendShared { band: 0 });
    assert_eq!(f.units[1].band, BandPosition::SurplusBeyond);
    assert_eq!(f.units[2].band, BandPosition::SurplusShared { band: 0 });
    let pays: Vec<_> = f.units.iter().map(|u| u.fund_pays).collect();
    assert_eq!(pays, [d("93607.10"), d("35300.00"), d("14827.34")]);
    assert_eq!(f.totals.target, d("186434.44"));
    assert_eq!(f.totals.fund_pays, d("143734.44"));
    // Risk sharing saves the fund 1,165.56 against B.
    assert_eq!(f.risk_sharing_effect, d("-1165.56"));
}

#[test]
fn dilution_and_group_breakdown_of_spec10() {
    use dipcalc::engine::analysis::{dilution, group_breakdown};
    let policy = spec10_policy();
    let data = spec10_dataset();
    let r = settle(&policy, &data).unwrap();
    let f = &r.funds[0];
    // 1,000 more points for H2: 187,600 × 1,458 ÷ 2,618.5 − 187,600 × 458 ÷ 1,618.5
    let dil = dilution(f, "H2", d("1000")).unwrap();
    assert_eq!(dil.own_gain, d("51370.37")); // 104,457.0556 − 53,086.6852
    assert_eq!(dil.own_gain, dil.others_loss);
    assert!(dil.own_gain < dil.naive_value); // 115,909.79 at today's PV
                                             // Marginal: PV × (1 − 458 ÷ 1,618.5)
    assert_eq!(
        dipcalc::engine::rounding::round_point_value(dil.marginal_value_per_point, 6),
        d("83.109864")
    );
    // H2's groups: G1 2 cases 133 points, G2 1 case 40, G3 1 case 285
    let lines = group_breakdown(&policy, &data, &data.cases, f, "H2").unwrap();
    let g1 = lines.iter().find(|l| l.group == "G1").unwrap();
    assert_eq!((g1.cases, g1.points, g1.cost), (2, d("133"), d("13800")));
    assert_eq!(g1.payment, d("15416.00")); // 133 × 115.909793… = 15,416.0025
    assert_eq!(g1.gain, d("1616.00"));
    assert!(lines.iter().find(|l| l.group == "G2").unwrap().grassroots);
}

#[test]
fn steps_and_arithmetic_read_in_english_too() {
    let r = settle(&spec10_policy(), &spec10_dataset()).unwrap();
    let f = &r.funds[0];
    let chinese = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    for step in &f.budget.steps {
        // Deductions are named by the policy and keep its (Chinese) name.
        if step.key != "deduction" {
            assert!(!step.label_en.is_empty() && !chinese(&step.label_en), "{step:?}");
        }
        assert!(!chinese(&step.formula_en), "{step:?}");
    }
    assert_eq!(f.budget.steps[0].label_en, "Funds raised");
    assert_eq!(f.budget.steps[7].label_en, "Budget B = min(P, F)");
    for unit in &f.units {
        for l in &unit.trace {
            assert!(
                !l.label_en.is_empty() && !chinese(&l.label_en) && !chinese(&l.formula_en),
                "{l:?}"
            );
            assert!(chinese(&l.label), "{l:?}");
        }
    }
    let s = &f.units[1].trace[1];
    assert_eq!(s.label_en, "Settlement S");
    assert_eq!(s.formula_en, "187,600.00 × 458 ÷ 1618.5 (reconciled to the fen)");
}

#[test]
fn grassroots_effect_by_level_of_spec10() {
    use dipcalc::engine::analysis::grassroots_by_level;
    use dipcalc::records::Fund;
    let policy = spec10_policy();
    let data = spec10_dataset();
    let mut settler = dipcalc::engine::Settler::new(data);
    let (data, agg) = settler.aggregates(&policy).unwrap();
    let lines = grassroots_by_level(&policy, data, agg, Fund::Employee).unwrap();
    let level = |l: &str| lines.iter().find(|x| x.level == l).unwrap();
    // 三甲 (H1, 1.13): scores 300 + 450 (high: 300 × (2.5 − 2 + 1)) + 100 + 40 (G2, 基层) = 890;
    // points 850 × 1.13 + 40 × 1 = 1,000.5 (H1's points); without the rule 890 × 1.13 = 1,005.7.
    let a = level("三甲");
    assert_eq!((a.institutions, a.dip_cases, a.grassroots_cases), (1, 4, 1));
    assert_eq!(
        (a.weight, a.points, a.points_without_rule),
        (d("890"), d("1000.5"), d("1005.7"))
    );
    assert_eq!(a.grassroots_share, Some(d("0.25")));
    assert_eq!(a.effective_coefficient, Some(d("1.124157"))); // 1,000.5 ÷ 890 = 1.1241573…
    assert_eq!(a.nominal_coefficient, Some(d("1.13")));
    // 二甲 (H2, 0.95): 100 + 40 (low: 100 × 0.4) + 300 + 40 基层 = 480; 440 × 0.95 + 40 = 458.
    let b = level("二甲");
    assert_eq!((b.points, b.points_without_rule), (d("458"), d("456")));
    assert_eq!(b.effective_coefficient, Some(d("0.954167"))); // 458 ÷ 480
                                                              // 一级 (H3, 0.80): two of three cases are 基层: 100 × 0.8 + 80 = 160 against 180 × 0.8 = 144:
                                                              // the rule lifts the level's coefficient from 0.8 to 0.888889.
    let c = level("一级");
    assert_eq!(c.grassroots_share, Some(d("0.666667")));
    assert_eq!((c.points, c.points_without_rule), (d("160"), d("144")));
    assert_eq!(c.effective_coefficient, Some(d("0.888889")));
    assert_eq!((c.points_moved, c.coefficient_change), (d("16"), Some(d("0.088889"))));
    assert_eq!(
        (a.points_moved, a.coefficient_change),
        (d("-5.2"), Some(d("-0.005843")))
    );
    assert_eq!(lines.len(), 3);
}
