//! Points of a case (SPEC §5.1–§5.3): outliers, tiers of H, 床日 and 项目 cases, 特例单议, 基层病种. The arithmetic is in the comments.

mod common;
use common::*;
use dipcalc::engine::settle;
use dipcalc::policy::*;
use dipcalc::records::*;

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
