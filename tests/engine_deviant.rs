//! The national rules a city layers on its points (SPEC §12; 国家DIP3.0 第五章): deviant cases
//! (非正常出院 by 离院方式, short and long stays, 未入组), the 辅助分型调节系数 and the 新药新技术加成分值,
//! each a points option off unless set. Institution A (二甲, coefficient 0.9), G1 score 100 at
//! reference cost 10,000, 床日组 P1 300 元 a day; H = 2, L = 0.5, scale 1. The arithmetic is in
//! the comments.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use dipcalc::engine::result::SpecialCases;
use dipcalc::engine::settle;
use dipcalc::input::Lang::{En, Zh};
use dipcalc::input::{read_cases, ReadOptions, Source};
use dipcalc::policy::{AbnormalDischarge, Amount, Policy, Pricing, PricingMethod, StayRule};
use dipcalc::records::*;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn pricing(method: PricingMethod, ratio: &str) -> Pricing {
    Pricing {
        method,
        ratio: d(ratio),
        per_diem_group: None,
    }
}

/// One fund, no risk sharing; 项目 and 床日 priced at base cost 10,000, base points 100, the 床日
/// standard at reimbursement ratio 0.6.
fn policy() -> Policy {
    let mut p = one_fund_policy();
    p.points.base_cost = Some(Amount::yuan(d("10000")));
    p.points.base_points = d("100");
    p.points.per_diem_reimbursement_ratio = Some(d("0.6"));
    p
}

fn g1(cost: &str, days: &str) -> Case {
    let mut c = case("A", Fund::Employee, "G1", cost, "0", 3);
    c.days = d(days);
    c
}

fn discharged(cost: &str, code: u8) -> Case {
    let mut c = g1(cost, "8");
    c.extras.discharge = Some(code);
    c
}

fn special(p: &Policy, cases: Vec<Case>) -> (dipcalc::engine::result::UnitResult, Vec<SpecialCases>) {
    let r = settle(p, &one_institution(cases)).unwrap();
    let u = r.funds[0].units[0].clone();
    let s = u.special_cases.clone();
    (u, s)
}

fn kind(s: &[SpecialCases], key: &str) -> (u64, Decimal) {
    s.iter()
        .find(|c| c.kind == key)
        .map(|c| (c.cases, c.points))
        .unwrap_or_default()
}

#[test]
fn abnormal_discharges_below_the_standard_are_scored_by_their_cost() {
    // codes 2, 4, 5 with cost_ratio L = 1:
    // death at 8,000: r = 0.8 ≤ 1 → low, 100 × 8,000 ÷ 10,000 = 80 × 0.9 = 72
    // 医嘱离院 (1) at 8,000: not listed → normal 100 × 0.9 = 90
    // death at 25,000: r = 2.5 ≥ H 2 → high as usual, 100 × (25,000 − 10,000) ÷ 10,000 = 150 × 0.9 = 135
    let mut p = policy();
    p.points.abnormal_discharge = Some(AbnormalDischarge {
        codes: vec!["2".into(), "4".into(), "5".into()],
        pricing: pricing(PricingMethod::CostRatio, "1"),
    });
    let (u, s) = special(
        &p,
        vec![discharged("8000", 5), discharged("8000", 1), discharged("25000", 5)],
    );
    assert_eq!(
        (u.points.low, u.points.normal, u.points.high),
        (d("72"), d("90"), d("135"))
    );
    assert_eq!(u.points.total, d("297"));
    assert_eq!(kind(&s, "abnormal_discharge"), (2, d("207"))); // 72 + 135
    assert_eq!(s.len(), 1);
    // Off, the same cases: 90 + 90 + 135 = 315.
    assert_eq!(
        points_of(
            &policy(),
            &one_institution(vec![
                discharged("8000", 5),
                discharged("8000", 1),
                discharged("25000", 5)
            ])
        ),
        [d("315")]
    );
}

#[test]
fn short_stays_are_paid_by_item_at_a_ratio() {
    // days ≤ 2 by 项目 × 0.8: 3,000 × 0.8 = 2,400 ÷ 10,000 × 100 = 24 × 0.9 = 21.6
    // 3 days at 3,000: r = 0.3 ≤ 0.5 → low, 100 × 0.3 = 30 × 0.9 = 27
    // days not given (0) at 9,000: not a short stay → normal 90
    let mut p = policy();
    p.points.short_stay = Some(StayRule {
        days: d("2"),
        pricing: pricing(PricingMethod::FeeForService, "0.8"),
    });
    let (u, s) = special(&p, vec![g1("3000", "1"), g1("3000", "3"), g1("9000", "0")]);
    assert_eq!(
        (u.points.fee_for_service, u.points.low, u.points.normal),
        (d("21.6"), d("27"), d("90"))
    );
    assert_eq!((u.cases.fee_for_service, u.cases.low, u.cases.normal), (1, 1, 1));
    assert_eq!(kind(&s, "short_stay"), (1, d("21.6")));
}

#[test]
fn long_stays_move_to_the_named_per_diem_group() {
    // days ≥ 60 by 床日 P1: 300 ÷ 0.6 = 500 a day × 90 days ÷ 10,000 × 100 = 450 × 0.9 = 405
    // (off: r = 4 → high, 100 × (40,000 − 10,000) ÷ 10,000 = 300 × 0.9 = 270)
    let mut p = policy();
    p.points.long_stay = Some(StayRule {
        days: d("60"),
        pricing: Pricing {
            per_diem_group: Some("P1".into()),
            ..pricing(PricingMethod::PerDiem, "1")
        },
    });
    let (u, s) = special(&p, vec![g1("40000", "90"), g1("10000", "59")]);
    assert_eq!((u.points.per_diem, u.points.normal), (d("405"), d("90")));
    assert_eq!(kind(&s, "long_stay"), (1, d("405")));
    assert_eq!(
        points_of(&policy(), &one_institution(vec![g1("40000", "90")])),
        [d("270")]
    );
    // A group the catalog does not have is an error naming the row.
    p.points.long_stay.as_mut().unwrap().pricing.per_diem_group = Some("P9".into());
    let e = settle(&p, &one_institution(vec![g1("40000", "90")])).unwrap_err();
    assert_eq!(e.code, "unknown_per_diem_group");
    assert!(e.message_zh.contains("P9"), "{}", e.message_zh);
}

#[test]
fn ungrouped_cases_are_paid_by_item_instead_of_refused() {
    // 未入组 by 项目 × 0.9 (适当差距): 5,000 × 0.9 = 4,500 ÷ 10,000 × 100 = 45 × 0.9 = 40.5 each,
    // an empty code and a code the catalog lacks alike.
    let cases = || {
        vec![
            case("A", Fund::Employee, "", "5000", "0", 3),
            case("A", Fund::Employee, "X9", "5000", "0", 3),
        ]
    };
    let e = settle(&policy(), &one_institution(cases())).unwrap_err();
    assert_eq!(e.code, "unknown_group");
    let mut p = policy();
    p.points.ungrouped = Some(pricing(PricingMethod::FeeForService, "0.9"));
    let (u, s) = special(&p, cases());
    assert_eq!(u.points.fee_for_service, d("81"));
    assert_eq!(kind(&s, "ungrouped"), (2, d("81")));
}

#[test]
fn the_first_rule_that_fits_prices_a_case_and_a_review_overrides_them_all() {
    // A death of 1 day at 3,000 is 非正常出院 (first), not a short stay: cost_ratio L = 1 →
    // 100 × 0.3 = 30 × 0.9 = 27. A death reviewed to score 150 is the review's: 150 × 0.9 = 135.
    let mut p = policy();
    p.points.abnormal_discharge = Some(AbnormalDischarge {
        codes: vec!["5".into()],
        pricing: pricing(PricingMethod::CostRatio, "1"),
    });
    p.points.short_stay = Some(StayRule {
        days: d("2"),
        pricing: pricing(PricingMethod::FeeForService, "0.5"),
    });
    let mut first = g1("3000", "1");
    first.extras.discharge = Some(5);
    let mut reviewed = discharged("8000", 5);
    reviewed.review.score = Some(d("150"));
    reviewed.review.applied = true;
    let (u, s) = special(&p, vec![first, reviewed]);
    assert_eq!((u.points.low, u.points.reviewed), (d("27"), d("135")));
    assert_eq!(kind(&s, "abnormal_discharge"), (1, d("27")));
    assert_eq!(kind(&s, "short_stay"), (0, Decimal::ZERO));
}

#[test]
fn a_subtype_coefficient_multiplies_the_score_and_the_standard() {
    // 辅助分型 k = 1.5: the standard is 10,000 × 1.5 = 15,000 and the score 150.
    // 12,000: r = 0.8 → normal 150 × 0.9 = 135 (without k: 90)
    // 6,000: r = 0.4 ≤ 0.5 → low 150 × 6,000 ÷ 15,000 = 60 × 0.9 = 54 (without k: r = 0.6, normal 90)
    // 32,000: r = 2.133 ≥ 2 → high 150 × (32,000 − 15,000) ÷ 15,000 = 170 × 0.9 = 153
    //         (without k: r = 3.2, 100 × (32,000 − 10,000) ÷ 10,000 = 220 × 0.9 = 198)
    let with_k = |cost: &str| {
        let mut c = g1(cost, "8");
        c.extras.subtype_coefficient = Some(d("1.5"));
        c
    };
    let cases = || vec![with_k("12000"), with_k("6000"), with_k("32000"), g1("10000", "8")];
    let mut p = policy();
    p.points.subtype_coefficients = true;
    let (u, s) = special(&p, cases());
    assert_eq!(
        (u.points.normal, u.points.low, u.points.high),
        (d("225"), d("54"), d("153"))
    ); // 135 + 90
    assert_eq!(kind(&s, "subtype"), (3, d("342"))); // 135 + 54 + 153
                                                    // Off, the column is not read: 90 + 90 + 198 + 90.
    assert_eq!(points_of(&policy(), &one_institution(cases())), [d("468")]);
}

#[test]
fn the_bonus_score_is_its_own_kind_without_the_coefficient() {
    // 加成分值 20 × scale 1, no coefficient: 90 + 20 = 110; a case priced by 项目 takes none.
    let mut c = g1("10000", "8");
    c.extras.bonus_score = Some(d("20"));
    let mut ungrouped = case("A", Fund::Employee, "", "5000", "0", 3);
    ungrouped.extras.bonus_score = Some(d("20"));
    let mut p = policy();
    p.points.bonus_scores = true;
    p.points.ungrouped = Some(pricing(PricingMethod::FeeForService, "1"));
    let r = settle(&p, &one_institution(vec![c.clone(), ungrouped])).unwrap();
    let u = &r.funds[0].units[0];
    // 项目: 5,000 ÷ 10,000 × 100 = 50 × 0.9 = 45
    assert_eq!(
        (u.points.bonus, u.points.normal, u.points.fee_for_service),
        (d("20"), d("90"), d("45"))
    );
    assert_eq!(u.points.total, d("155"));
    assert_eq!(kind(&u.special_cases, "bonus"), (1, d("20")));
    assert!(u.trace.is_empty() || u.trace[0].formula.contains("新药新技术加成 20"));
    // Off: the column is not read, the figures say nothing of it, and a notice says it was not used.
    let off = settle(&policy(), &one_institution(vec![c])).unwrap();
    assert_eq!(off.funds[0].units[0].points.total, d("90"));
    let json = serde_json::to_string(&off.funds).unwrap();
    assert!(!json.contains("bonus") && !json.contains("special_cases"));
    let n: Vec<_> = off.notices.iter().filter(|n| n.code == "column_not_read").collect();
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].subject, "points.bonus_scores");
    assert_eq!(
        n[0].message_zh,
        "1 条病例填写了新药新技术加成分值，但政策未启用 points.bonus_scores，未参与计算"
    );
}

#[test]
fn the_columns_are_read_with_their_aliases_and_bad_values_located() {
    let header =
        "机构编码,险种,病种编码,医疗总费用,个人负担,住院天数,结算日期,离院方式,辅助分型系数,新药新技术加成分值";
    let ok = format!("{header}\nA,职工,G1,8000,0,3,2024-03-15,死亡,1.2,5\nA,职工,G1,8000,0,3,2024-03-15,,,\n");
    let read = read_cases(
        Source {
            name: "cases.csv",
            bytes: ok.as_bytes(),
        },
        &ReadOptions::default(),
    )
    .unwrap();
    let x = read.records[0].extras;
    assert_eq!(
        (x.discharge, x.subtype_coefficient, x.bonus_score),
        (Some(5), Some(d("1.2")), Some(d("5")))
    );
    assert!(read.records[1].extras.is_empty());
    let bad = format!("{header}\nA,职工,G1,8000,0,3,2024-03-15,6,0,5\n");
    let f = read_cases(
        Source {
            name: "cases.csv",
            bytes: bad.as_bytes(),
        },
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert_eq!(f.total, 2, "{}", f.message(En));
    assert_eq!(
        f.errors[0].message(Zh),
        "cases.csv 第 2 行 H 列「离院方式」：“6” 不是已知的离院方式（应为医保结算清单的代码 1 医嘱离院、2 医嘱转院、3 医嘱转社区卫生服务机构/乡镇卫生院、4 非医嘱离院、5 死亡、9 其他，或其名称）"
    );
    assert!(f.errors[0]
        .message(En)
        .starts_with("cases.csv row 2, column H (离院方式): \"6\" is not a known discharge mode"));
    assert!(
        f.errors[1].message(En).contains("column I"),
        "{}",
        f.errors[1].message(En)
    );
}

/// A region of one institution whose cases carry random 离院方式, 辅助分型 and 加成分值.
fn cases_with_extras() -> impl Strategy<Value = Vec<Case>> {
    let one = (
        1_000u32..=40_000,
        0u32..=120,
        0u8..=9,
        0u32..=30,
        0u32..=50,
        prop::bool::ANY,
    );
    prop::collection::vec(one, 1..30).prop_map(|v| {
        v.into_iter()
            .map(|(cost, days, code, k, bonus, grouped)| {
                let mut c = g1(&cost.to_string(), &days.to_string());
                if !grouped {
                    c.group = "G2".into();
                }
                c.extras.discharge = (code > 0).then_some(code);
                c.extras.subtype_coefficient = (k > 0).then(|| Decimal::new(i64::from(k), 1));
                c.extras.bonus_score = (bonus > 0).then(|| Decimal::from(bonus));
                c
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Every rule off, the columns change nothing: the figures are byte for byte those of the
    /// same cases without them, and a notice says which columns were not read.
    #[test]
    fn rules_off_the_columns_change_nothing(cases in cases_with_extras()) {
        let bare: Vec<Case> = cases.iter().cloned().map(|mut c| { c.extras = CaseExtras::default(); c }).collect();
        let with = settle(&policy(), &one_institution(cases)).unwrap();
        let without = settle(&policy(), &one_institution(bare)).unwrap();
        prop_assert_eq!(serde_json::to_string(&with.funds).unwrap(), serde_json::to_string(&without.funds).unwrap());
        // What differs is only the notices that the columns were not read.
        let other: Vec<_> = with.notices.iter().filter(|n| n.code != "column_not_read").collect();
        prop_assert_eq!(other, without.notices.iter().collect::<Vec<_>>());
    }

    /// The subtype and bonus rules on, cases without the columns settle as with the rules off.
    #[test]
    fn rules_on_without_data_change_nothing(cases in cases_with_extras()) {
        let bare: Vec<Case> = cases.into_iter().map(|mut c| { c.extras = CaseExtras::default(); c }).collect();
        let mut on = policy();
        on.points.subtype_coefficients = true;
        on.points.bonus_scores = true;
        on.points.abnormal_discharge = Some(AbnormalDischarge { codes: vec!["5".into()], pricing: pricing(PricingMethod::CostRatio, "1") });
        let a = settle(&on, &one_institution(bare.clone())).unwrap();
        let b = settle(&policy(), &one_institution(bare)).unwrap();
        prop_assert_eq!(serde_json::to_string(&a.funds).unwrap(), serde_json::to_string(&b.funds).unwrap());
    }

    /// The points of the kinds a rule touched never exceed the unit's points, and their cases its cases.
    #[test]
    fn special_cases_are_part_of_the_unit(cases in cases_with_extras()) {
        let mut p = policy();
        p.points.subtype_coefficients = true;
        p.points.abnormal_discharge = Some(AbnormalDischarge { codes: vec!["2".into(), "4".into(), "5".into()], pricing: pricing(PricingMethod::CostRatio, "1") });
        p.points.short_stay = Some(StayRule { days: d("2"), pricing: pricing(PricingMethod::FeeForService, "0.8") });
        let r = settle(&p, &one_institution(cases)).unwrap();
        let u = &r.funds[0].units[0];
        let deviant: Decimal = u.special_cases.iter().filter(|c| c.kind != "subtype" && c.kind != "bonus").map(|c| c.points).sum();
        let n: u64 = u.special_cases.iter().filter(|c| c.kind != "subtype" && c.kind != "bonus").map(|c| c.cases).sum();
        prop_assert!(deviant <= u.points.total);
        prop_assert!(n <= u.cases.total);
    }
}

/// A page keeping its cases (`Settler::revisit_outliers`) and moving H under the national rules:
/// with a 辅助分型调节系数 on some cases the outliers are not revisited from the group's cases by
/// cost (each case has its own standard); the per-case pass runs again and the figures are a
/// fresh settle's.
#[test]
fn moving_h_with_a_subtype_coefficient_on_settles_as_afresh() {
    let mut p = spec10_policy();
    p.points.subtype_coefficients = true;
    let mut data = spec10_dataset();
    edit_cases(&mut data, |cases| {
        for c in cases.iter_mut().step_by(2) {
            c.extras.subtype_coefficient = Some(d("1.5"));
        }
    });
    let mut settler = dipcalc::engine::Settler::new(data.clone());
    settler.revisit_outliers(true);
    settler.settle(&p).unwrap();
    assert!(
        !settler.prepare_outlier_index(&p.points),
        "no index under a per-case rule"
    );
    for high in ["1.5", "3", "1.2"] {
        p.points.outliers.high_ratio = d(high);
        let kept = serde_json::to_string(&settler.settle(&p).unwrap()).unwrap();
        let fresh = serde_json::to_string(&settle(&p, &data).unwrap()).unwrap();
        assert_eq!(kept, fresh, "H = {high}");
    }
}
