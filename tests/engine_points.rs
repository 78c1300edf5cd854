//! Points of a case (SPEC §5.1–§5.3): outliers, tiers of H, 床日 and 项目 cases, 特例单议, 基层病种. The arithmetic is in the comments.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use dipcalc::engine::settle;
use dipcalc::policy::*;
use dipcalc::records::*;
use proptest::prelude::*;
use rust_decimal::Decimal;

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

// ---- exact to the last digit (issue 17): divide last ----

/// The reproduction, read from CSV files as a user gives them. Exactly:
/// H1 G1: r = 60,687.54 ÷ 17,896.65 = 3.39 ≥ H = 2 → 178.9665 × (60,687.54 − (2 − 1) × 17,896.65)
///        ÷ 17,896.65 = 178.9665 × 42,790.89 ÷ 17,896.65 = 427.9089; × 0.95 = 406.513455
/// H1 G2: r = 1,000.00 ÷ 1,000.01 = 0.99999 → normal, 10.0001 × 0.95 = 9.500095
/// H1 = 406.513455 + 9.500095 = 416.01355 → reported to 4 decimals half away from zero (SPEC §2):
/// 416.0136. (Ratio first, 178.9665 × 3.39…, it was 416.01354999999999999999999999 → 416.0135.)
#[test]
fn a_product_that_is_an_exact_decimal_is_reported_to_its_last_digit() {
    use dipcalc::input::{read_cases, read_catalog, read_institutions, ReadOptions, Source};
    let opts = ReadOptions::default();
    let file = |name: &'static str, text: &'static str| Source {
        name,
        bytes: text.as_bytes(),
    };
    let catalog =
        "病种编码,病种名称,分值,基层病种,次均费用\nG1,病种1,178.9665,否,17896.65\nG2,病种2,10.0001,否,1000.01\n";
    let institutions = "机构编码,机构名称,医保结算等级,基本调节系数\nH1,医院1,二甲,0.95\nH2,医院2,二甲,1\n";
    let cases = "机构编码,险种,结算类型,病种编码,医疗总费用,个人负担,结算日期\n\
                 H1,职工,DIP,G1,60687.54,0,2024-08-15\n\
                 H1,职工,DIP,G2,1000.00,0,2024-08-15\n\
                 H2,职工,DIP,G1,17896.65,0,2024-08-15\n";
    let data = Dataset {
        catalog: read_catalog(file("catalog.csv", catalog), &opts).unwrap().records,
        institutions: read_institutions(file("institutions.csv", institutions), &opts)
            .unwrap()
            .records,
        cases: read_cases(file("cases.csv", cases), &opts).unwrap().records.into(),
        ..Default::default()
    };
    let s = settle(&spec10_policy(), &data).unwrap();
    let h1 = serde_json::to_value(&s.funds[0].units[0]).unwrap();
    assert_eq!(h1["points"]["total"], "416.0136");
    assert_eq!(h1["points_exact"], "416.01355");
    // H2: 178.9665 × 1 (normal) = 178.9665; Σ = 594.98005 exactly
    assert_eq!(s.funds[0].total_points, d("594.98005"));
}

/// A region of one institution and one group whose score is proportional to its reference cost
/// (RW = ref × m ÷ 10⁴, as catalogs derive scores), so every case's points are exact decimals:
/// in units of 10⁻⁷, normal ref_c × m × 10, low cost_c × m × 10, high m × (10 cost_c − (H₁₀ − 10)
/// ref_c) (costs in cents, H₁₀ = 10 H); × the coefficient in hundredths → units of 10⁻⁹.
fn exact_region() -> impl Strategy<Value = (i64, i64, i64, i64, Vec<i64>)> {
    (
        100_000i64..100_000_000,                       // ref_c: 1,000.00 … 1,000,000.00 元
        1i64..10_000,                                  // m: RW = ref × m ÷ 10⁴ < 10⁶, the score limit
        prop::sample::select(vec![15i64, 20, 25, 30]), // H₁₀
        50i64..200,                                    // coefficient in hundredths
        prop::collection::vec(1i64..4_000, 1..6),      // each cost as ‰ of ref
    )
        .prop_map(|(reference, m, h, coef, permille)| {
            let costs = permille.iter().map(|p| reference * p / 1000 + p % 7).collect();
            (reference, m, h, coef, costs)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The engine's points equal the exact rational result, computed with integers (issue 17).
    #[test]
    fn points_equal_the_exact_rational_result((reference, m, h, coef, costs) in exact_region()) {
        let (ref_c, m, h, coef) = (i128::from(reference), i128::from(m), i128::from(h), i128::from(coef));
        let mut exact: i128 = 0; // units of 10⁻⁹
        for &cost in &costs {
            let cost_c = i128::from(cost);
            let score = if cost_c * 10 >= h * ref_c {
                m * (10 * cost_c - (h - 10) * ref_c)
            } else if cost_c * 10 <= 5 * ref_c {
                cost_c * m * 10
            } else {
                ref_c * m * 10
            };
            exact += score * coef;
        }
        let mut p = spec10_policy();
        p.points.outliers.high_ratio = Decimal::new(h as i64, 1);
        let rw = Decimal::new(reference, 2) * Decimal::new(m as i64, 4);
        let data = Dataset {
            institutions: vec![institution("A", "二甲", Some(&Decimal::new(coef as i64, 2).to_string()))],
            catalog: Catalog { groups: vec![Group {
                score: rw,
                ..group("G", "1", &Decimal::new(reference, 2).to_string(), false)
            }], per_diem_groups: vec![] },
            cases: costs.iter().map(|c| case("A", Fund::Employee, "G", &Decimal::new(*c, 2).to_string(), "0", 3)).collect(),
            ..Default::default()
        };
        let s = settle(&p, &data).unwrap();
        prop_assert_eq!(s.funds[0].units[0].points.total, Decimal::from_i128_with_scale(exact, 9));
    }
}
