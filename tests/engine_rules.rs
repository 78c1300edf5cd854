//! Each rule of SPEC §5–§7 on small worked numbers (the arithmetic is in the comments).

mod common;
use common::*;
use dipcalc::engine::result::BandPosition;
use dipcalc::engine::settle;
use dipcalc::engine::settlement::{near_band_edge, risk_sharing_target};
use dipcalc::policy::*;
use dipcalc::records::*;
use rust_decimal::Decimal;

fn sharing() -> RiskSharing {
    spec10_policy().settlement.risk_sharing
}

// ---- §7.1 risk sharing ----

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

// ---- §5 points ----

fn one_fund_policy() -> Policy {
    let mut p = spec10_policy();
    p.settlement.risk_sharing.enabled = false;
    p
}

fn points_of(p: &Policy, data: &Dataset) -> Vec<Decimal> {
    settle(p, data).unwrap().funds[0]
        .units
        .iter()
        .map(|u| u.points.total)
        .collect()
}

fn one_institution(cases: Vec<Case>) -> Dataset {
    Dataset {
        institutions: vec![institution("A", "二甲", Some("0.9"))],
        catalog: Catalog {
            groups: vec![group("G1", "100", "10000", false), group("G2", "200", "2000", false)],
            per_diem_groups: vec![PerDiemGroup {
                code: "P1".into(),
                name: "精神病床日".into(),
                daily_fund_standard: d("300"),
            }],
        },
        cases,
        ..Default::default()
    }
}

#[test]
fn low_threshold_inclusiveness_is_a_parameter() {
    // cost 5,000 / ref 10,000 = 0.5 = L: inclusive → low, 100 × 0.5 × 0.9 = 45; exclusive → normal 90
    let data = one_institution(vec![case("A", Fund::Employee, "G1", "5000", "1000", 1)]);
    let mut p = one_fund_policy();
    assert_eq!(points_of(&p, &data), [d("45")]);
    p.points.outliers.low_inclusive = false;
    assert_eq!(points_of(&p, &data), [d("90")]);
}

#[test]
fn high_tiers_pick_h_by_reference_cost() {
    // G2 ref 2,000 ≤ 5,000 → H = 3; cost 5,000 → r = 2.5 < 3 → normal 200 × 0.9 = 180
    // G1 ref 10,000 → H = 2; cost 25,000 → r = 2.5 → 100 × (2.5 − 2 + 1) × 0.9 = 135
    let mut p = one_fund_policy();
    p.points.outliers.high_tiers = vec![HighTier {
        max_reference_cost: d("5000"),
        high_ratio: d("3"),
    }];
    let data = one_institution(vec![
        case("A", Fund::Employee, "G2", "5000", "0", 1),
        case("A", Fund::Employee, "G1", "25000", "0", 2),
    ]);
    let r = settle(&p, &data).unwrap();
    let u = &r.funds[0].units[0];
    assert_eq!((u.points.normal, u.points.high), (d("180"), d("135")));
}

#[test]
fn per_diem_and_fee_for_service_points() {
    // 吉林2024 第十条: 300 ÷ 0.6 = 500 a day × 10 days ÷ base 10,000 × base_points 100 × 0.9 = 45
    // 第十一条: 4,000 ÷ 10,000 × 100 × 0.9 = 36
    let mut p = one_fund_policy();
    p.points.base_cost = Some(Amount::yuan(d("10000")));
    p.points.base_points = d("100");
    p.points.per_diem_reimbursement_ratio = Some(d("0.6"));
    let mut per_diem = case("A", Fund::Employee, "P1", "6000", "600", 3);
    per_diem.kind = CaseKind::PerDiem;
    per_diem.days = d("10");
    let mut ffs = case("A", Fund::Employee, "", "4000", "400", 4);
    ffs.kind = CaseKind::FeeForService;
    let r = settle(&p, &one_institution(vec![per_diem, ffs])).unwrap();
    let u = &r.funds[0].units[0];
    assert_eq!((u.points.per_diem, u.points.fee_for_service), (d("45"), d("36")));
    assert_eq!((u.cases.per_diem, u.cases.fee_for_service), (1, 1));
}

#[test]
fn per_diem_without_base_cost_is_an_error_naming_the_row() {
    let mut c = case("A", Fund::Employee, "P1", "6000", "600", 3);
    c.kind = CaseKind::PerDiem;
    c.source_row = 17;
    let mut p = one_fund_policy();
    p.points.per_diem_reimbursement_ratio = Some(d("0.6"));
    let e = settle(&p, &one_institution(vec![c])).unwrap_err();
    assert!(e.message_en.contains("row 17"), "{}", e.message_en);
    assert!(e.message_en.contains("points.base_cost"), "{}", e.message_en);
}

#[test]
fn special_review_replaces_the_score_and_adds_points() {
    // reviewed score 150 × 0.9 = 135, plus a change of +10 points (after coefficient and scale)
    let mut c = case("A", Fund::Employee, "G1", "40000", "0", 1);
    c.review = Review {
        applied: true,
        score: Some(d("150")),
        points_delta: Some(d("10")),
    };
    let r = settle(
        &one_fund_policy(),
        &one_institution(vec![c, case("A", Fund::Employee, "G1", "10000", "0", 2)]),
    )
    .unwrap();
    let u = &r.funds[0].units[0];
    assert_eq!(u.points.reviewed, d("145"));
    assert_eq!(u.cases.review_applications, 1);
    // 1 application of 2 cases = 50% > 3%: flagged
    assert!(u.flags.contains(&"review_over_limit".to_string()));
    assert!(r
        .notices
        .iter()
        .any(|n| n.code == "review_over_limit" && n.subject == "A"));
}

#[test]
fn grassroots_rule_can_be_restricted_to_levels() {
    // G2 made 基层: at 二甲 with the rule limited to 一级, the coefficient 0.9 applies: 200 × 0.9
    let mut data = one_institution(vec![case("A", Fund::Employee, "G2", "2000", "0", 1)]);
    data.catalog.groups[1].grassroots = true;
    let mut p = one_fund_policy();
    assert_eq!(points_of(&p, &data), [d("200")]);
    p.coefficients.grassroots.levels = Some(vec!["一级".into()]);
    assert_eq!(points_of(&p, &data), [d("180")]);
}

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

// ---- §4 coefficients ----

#[test]
fn product_mode_and_level_table() {
    // base from the level table 0.88 × factors 1.05 × 0.98 = 0.905520
    let mut p = one_fund_policy();
    p.coefficients.mode = CoefficientMode::Product;
    p.coefficients.levels = vec![LevelCoefficient {
        level: "二甲".into(),
        coefficient: Some(d("0.88")),
    }];
    let mut data = one_institution(vec![case("A", Fund::Employee, "G1", "10000", "0", 1)]);
    data.institutions[0].base_coefficient = None;
    data.institutions[0].factors = vec![d("1.05"), d("0.98")];
    let r = settle(&p, &data).unwrap();
    assert_eq!(r.funds[0].units[0].coefficient, Some(d("0.905520")));
    assert_eq!(r.funds[0].units[0].points.total, d("90.5520"));
}

#[test]
fn coefficient_out_of_range_warns_or_fails() {
    let mut data = one_institution(vec![case("A", Fund::Employee, "G1", "10000", "0", 1)]);
    data.institutions[0].base_coefficient = Some(d("2.5"));
    let mut p = one_fund_policy();
    let r = settle(&p, &data).unwrap();
    assert!(r
        .notices
        .iter()
        .any(|n| n.code == "coefficient_range" && n.subject == "A"));
    p.coefficients.range.on_violation = Severity::Error;
    let e = settle(&p, &data).unwrap_err();
    assert!(e.message_en.contains("2.5 is outside [0, 2]"), "{}", e.message_en);
}

#[test]
fn one_institutions_coefficient_is_overridden_in_the_policy() {
    // SPEC §10 with H2's base coefficient set to 1.00 in the policy (it was 0.95 in its row):
    // H2 = 100 + 100 × 0.4 + 300 + 40 (基层, unchanged) = 480 points (was 95 + 38 + 285 + 40 = 458);
    // H1 (1,000.5) and H3 (160) unchanged → total 1,640.5; the pool stays 187,600.
    let mut p = spec10_policy();
    p.coefficients.overrides.insert("H2".into(), d("1.00"));
    let r = settle(&p, &spec10_dataset()).unwrap();
    let f = &r.funds[0];
    let points = |code: &str| f.units.iter().find(|u| u.code == code).unwrap().points.total;
    assert_eq!(
        (points("H1"), points("H2"), points("H3")),
        (d("1000.5"), d("480"), d("160"))
    );
    assert_eq!(f.total_points, d("1640.5"));
    assert_eq!(f.pool, d("187600"));
    // An override for a code not loaded changes nothing.
    let mut q = spec10_policy();
    q.coefficients.overrides.insert("H9".into(), d("2"));
    assert_eq!(
        settle(&q, &spec10_dataset()).unwrap().funds[0].total_points,
        d("1618.5")
    );
}

#[test]
fn missing_coefficient_names_institution_and_level() {
    let mut data = one_institution(vec![case("A", Fund::Employee, "G1", "10000", "0", 1)]);
    data.institutions[0].base_coefficient = None;
    let e = settle(&one_fund_policy(), &data).unwrap_err();
    assert_eq!(e.code, "missing_coefficient");
    assert!(e.message_zh.contains("二甲"), "{}", e.message_zh);
}

// ---- §6 cost bases and periods ----

fn two_institutions() -> Dataset {
    // A: 90 points, cost 10,000, personal 2,000 (Jan); B: 100 × 0.8 = 80, cost 10,000, personal 3,000 (Apr)
    Dataset {
        institutions: vec![
            institution("A", "二甲", Some("0.9")),
            institution("B", "一级", Some("0.8")),
        ],
        catalog: Catalog {
            groups: vec![group("G1", "100", "10000", false)],
            per_diem_groups: vec![],
        },
        cases: vec![
            case("A", Fund::Employee, "G1", "10000", "2000", 1),
            case("B", Fund::Employee, "G1", "10000", "3000", 4),
        ],
        ..Default::default()
    }
}

fn fixed_budget(p: &mut Policy, amount: &str) {
    p.funds.employee.as_mut().unwrap().rule = BudgetRule::Fixed {
        amount: Amount::yuan(d(amount)),
    };
}

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

// ---- §7.2 payment flow ----

#[test]
fn year_end_net_after_prepayments_and_deposit() {
    let mut p = one_fund_policy();
    fixed_budget(&mut p, "12000");
    let mut data = two_institutions();
    data.institutions[0].assessment_score = Some(d("90"));
    let f = &settle(&p, &data).unwrap().funds[0];
    let a = &f.units[0];
    // A: S = 17,000 × 90 ÷ 170 = 9,000; FS = 7,000; fund pays 7,000 (sharing off)
    // January prepayment (10,000 − 2,000) × 95% = 7,600
    // Q1 clearing at Q1's PV: S_Q1 = 5,000 (the only points of Q1), FS_Q1 = 3,000; 95% × 3,000 − 7,600 = −4,750
    assert_eq!(a.months[0].paid, d("7600"));
    assert_eq!(a.quarters[0].paid, d("-4750"));
    assert_eq!(a.prepaid, d("2850"));
    // deposit 5% × 7,000 = 350 withheld; returned 350 × 90 ÷ 100 = 315
    assert_eq!((a.deposit_withheld, a.deposit_returned), (d("350"), d("315")));
    // net = 7,000 − 350 − 2,850 + 315 = 4,115
    assert_eq!(a.net_to_pay, d("4115"));
}

#[test]
fn prepaid_from_a_summary_overrides_the_computed_flow() {
    let mut p = one_fund_policy();
    fixed_budget(&mut p, "12000");
    let mut data = two_institutions();
    data.cases.truncate(1);
    data.summaries.push(InstitutionSummary {
        institution: "B".into(),
        fund: Fund::Employee,
        month: None,
        points: d("80"),
        total_cost: d("10000"),
        personal_burden: d("3000"),
        prepaid: Some(d("5000")),
        cases: Some(1),
    });
    let f = &settle(&p, &data).unwrap().funds[0];
    assert!(!f.months_complete);
    let b = &f.units[1];
    // S = 17,000 × 80 ÷ 170 = 8,000; FS = 5,000; net = 5,000 − 250 − 5,000 + 250 = 0
    assert_eq!((b.settlement, b.prepaid, b.net_to_pay), (d("8000"), d("5000"), d("0")));
    assert!(b.flags.contains(&"prepaid_from_input".to_string()));
}

// ---- §7.3, §7.4 ----

#[test]
fn alliance_is_settled_as_one_unit() {
    let mut p = one_fund_policy();
    fixed_budget(&mut p, "12000");
    p.settlement.unit = SettlementUnit::Alliance;
    let mut data = two_institutions();
    data.institutions.push(institution("C", "一级", Some("0.8")));
    data.cases.push(case("C", Fund::Employee, "G1", "10000", "1000", 5));
    data.institutions[1].alliance = Some("北区医共体".into());
    data.institutions[2].alliance = Some("北区医共体".into());
    let f = &settle(&p, &data).unwrap().funds[0];
    assert_eq!(f.units.len(), 2);
    let alliance = &f.units[1];
    assert_eq!(alliance.code, "北区医共体");
    assert_eq!(alliance.members, ["B", "C"]);
    assert_eq!(alliance.points.total, d("160"));
    // Gain and loss by group for the 医共体 counts both members' cases, each at its own
    // coefficient: their points add up to the unit's.
    let table = dipcalc::engine::cases::CaseTable::from_cases(&data.cases);
    let lines = dipcalc::engine::analysis::group_breakdown(&p, &data, &table, f, "北区医共体").unwrap();
    assert_eq!(lines.iter().map(|l| l.cases).sum::<u64>(), 2);
    assert_eq!(lines.iter().map(|l| l.points).sum::<Decimal>(), d("160"));
    let b_alone = dipcalc::engine::analysis::group_breakdown(&p, &data, &table, f, "B").unwrap();
    assert_eq!(b_alone.iter().map(|l| l.cases).sum::<u64>(), 1);
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
    });
    let f = &settle(&p, &two_institutions()).unwrap().funds[0];
    assert_eq!(
        (f.units[0].adjustment_fund, f.units[1].adjustment_fund),
        (d("529.41"), d("470.59"))
    );
    p.funds.employee.as_mut().unwrap().adjustment_fund = Some(AdjustmentFund {
        amount: Amount::yuan(d("1000")),
        city_total_points: Some(d("1000")),
    });
    let f = &settle(&p, &two_institutions()).unwrap().funds[0];
    assert_eq!(
        (f.units[0].adjustment_fund, f.units[1].adjustment_fund),
        (d("90"), d("80"))
    );
}

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

#[test]
fn quality_reserve_is_held_back_and_returned_by_score() {
    let mut p = one_fund_policy();
    let fp = p.funds.employee.as_mut().unwrap();
    fp.rule = BudgetRule::Packable;
    fp.quality_reserve = QualityReserve {
        rate: d("0.05"),
        base: QualityReserveBase::AfterDeductions,
    };
    let mut data = two_institutions();
    data.institutions[1].assessment_score = Some(d("80"));
    let f = &settle(&p, &data).unwrap().funds[0];
    // P before the reserve 150,000; reserve 7,500; B = 142,500
    assert_eq!(f.budget.quality_reserve, d("7500"));
    assert_eq!(f.budget.budget, d("142500"));
    // returned in proportion to S (90 : 80) × score: A 7,500 × 90/170 = 3,970.59; B 3,529.41 × 0.8 = 2,823.53
    assert_eq!(f.units[0].quality_reserve_returned, d("3970.59"));
    assert_eq!(f.units[1].quality_reserve_returned, d("2823.53"));
}

// ---- §5.4 outpatient ----

fn outpatient_policy(mode: OutpatientMode) -> Policy {
    let mut p = one_fund_policy();
    fixed_budget(&mut p, "20000");
    p.funds.employee.as_mut().unwrap().outpatient = OutpatientSplit::Share { share: d("0.5") };
    p.points.outpatient.mode = mode;
    p.points.outpatient.capitation_fund_share = d("0.8");
    p.point_value.cost_basis = CostBasis::FundOnly;
    p
}

fn with_outpatient() -> Dataset {
    let mut data = two_institutions();
    let rec = |inst: &str, cap: &str, drugs: &str| OutpatientRecord {
        institution: inst.into(),
        fund: Fund::Employee,
        month: None,
        capitation_payment: d(cap),
        drugs: d(drugs),
        consumables: Decimal::ZERO,
        services: Decimal::ZERO,
        other_points: Decimal::ZERO,
        total_cost: Decimal::ZERO,
        personal_burden: Decimal::ZERO,
    };
    data.outpatient = vec![rec("A", "2000", "3000"), rec("B", "0", "1000")];
    data
}

#[test]
fn outpatient_capitation_at_a_fixed_value() {
    // Outpatient budget 10,000. A's capitation 2,000 ÷ 0.8 = 2,500 points paid at 1 元.
    // Floating PV = (10,000 − 2,500) ÷ (3,000 + 1,000) = 1.875; A = 2,500 + 5,625; B = 1,875
    let f = &settle(&outpatient_policy(OutpatientMode::FixedCapitation), &with_outpatient())
        .unwrap()
        .funds[0];
    let o = f.outpatient.as_ref().unwrap();
    assert_eq!((o.budget, o.point_value), (d("10000"), Some(d("1.875"))));
    let s: Vec<_> = o.institutions.iter().map(|l| l.settlement).collect();
    assert_eq!(s, [d("8125"), d("1875")]);
    assert_eq!(f.budget.inpatient_budget, d("10000"));
}

#[test]
fn outpatient_literal_article_16_reports_its_difference() {
    // PV = 10,000 ÷ (2,500 + 4,000) = 1.538462; S_A = 2,500 + 4,615.38; the capitation is still
    // paid at 1, so pool − ΣS = 2,500 × (PV − 1) = 1,346.15
    let f = &settle(&outpatient_policy(OutpatientMode::Literal), &with_outpatient())
        .unwrap()
        .funds[0];
    let o = f.outpatient.as_ref().unwrap();
    assert_eq!(o.point_value, Some(d("1.538462")));
    assert_eq!(dipcalc::engine::rounding::round_money(o.difference), d("1346.15"));
}

#[test]
fn capitation_above_the_outpatient_budget_is_an_error() {
    let mut data = with_outpatient();
    data.outpatient[0].capitation_payment = d("9000"); // 11,250 points > 10,000
    let e = settle(&outpatient_policy(OutpatientMode::FixedCapitation), &data).unwrap_err();
    assert_eq!(e.code, "capitation_exceeds_budget");
}

#[test]
fn cases_of_a_fund_the_policy_lacks_are_reported() {
    let mut data = two_institutions();
    data.cases.push(case("A", Fund::Resident, "G1", "10000", "2000", 1));
    let r = settle(&one_fund_policy(), &data).unwrap();
    assert!(r.notices.iter().any(|n| n.code == "fund_not_in_policy"));
    assert_eq!(r.funds.len(), 1);
}
