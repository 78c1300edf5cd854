//! 弹性点值 (国家DIP3.0 第四章第三节一(二); 第五章第五节 结算点值): a floor or cap on the year's point
//! value, and a fixed base (基准总额 at a fixed value) plus a floating part. Two institutions:
//! A 90 points, B 80; budget 12,000 + personal burden 5,000 = pool 17,000; plain PV 100.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use dipcalc::engine::result::Bound;
use dipcalc::engine::settle;
use dipcalc::policy::*;

fn policy(rule: ElasticPointValue) -> Policy {
    let mut p = one_fund_policy();
    fixed_budget(&mut p, "12000");
    p.point_value.elastic = Some(rule);
    p
}

fn rule(share: Option<&str>, fixed: Option<&str>, floor: Option<&str>, cap: Option<&str>) -> ElasticPointValue {
    ElasticPointValue {
        fixed_share: share.map(d),
        fixed_value: fixed.map(d),
        floor: floor.map(d),
        cap: cap.map(d),
        base: ElasticBase::Region,
    }
}

#[test]
fn a_cap_binds_and_the_fund_keeps_the_rest() {
    // "浮动点值…并可设置合理上限，控制点值过度波动": PV 100 capped at 90.
    let r = settle(&policy(rule(None, None, None, Some("90"))), &two_institutions()).unwrap();
    let f = &r.funds[0];
    let e = f.elastic.as_ref().unwrap();
    assert_eq!(
        (e.bound, e.floating_before, e.floating_value),
        (Bound::Cap, Some(d("100")), Some(d("90")))
    );
    // settled pool 90 × 170 = 15,300; the fund keeps 1,700; S = 8,100 and 7,200
    assert_eq!(
        (f.pool, e.budget_pool, e.difference),
        (d("15300"), d("17000"), d("-1700"))
    );
    assert_eq!(f.point_value, Some(d("90")));
    assert_eq!(
        f.units.iter().map(|u| u.settlement).collect::<Vec<_>>(),
        [d("8100"), d("7200")]
    );
    assert!(r
        .notices
        .iter()
        .any(|n| n.code == "point_value_cap" && n.subject == "employee"));
}

#[test]
fn a_floor_binds_and_the_fund_pays_beyond_the_budget() {
    let r = settle(&policy(rule(None, None, Some("110"), None)), &two_institutions()).unwrap();
    let f = &r.funds[0];
    // 110 × 170 = 18,700: 1,700 beyond the pool; S_A = 9,900
    assert_eq!(f.elastic.as_ref().unwrap().difference, d("1700"));
    assert_eq!(f.units[0].settlement, d("9900"));
    assert!(r.notices.iter().any(|n| n.code == "point_value_floor"));
}

#[test]
fn a_fixed_base_of_eight_tenths_and_a_capped_floating_part() {
    // 8:2: 基准总额 0.8 × 17,000 = 13,600 at a fixed 85 → 160 基准点数; the other 10 points share
    // 3,400 → 340 a point, capped at 90: settled 13,600 + 900 = 14,500; PV 14,500 ÷ 170 = 85.294118
    let f = &settle(
        &policy(rule(Some("0.8"), Some("85"), None, Some("90"))),
        &two_institutions(),
    )
    .unwrap()
    .funds[0];
    let e = f.elastic.as_ref().unwrap();
    assert_eq!((e.fixed_pool, e.base_points), (d("13600"), d("160")));
    assert_eq!(
        (e.floating_before, e.floating_value, e.bound),
        (Some(d("340")), Some(d("90")), Bound::Cap)
    );
    assert_eq!(f.pool, d("14500"));
    assert_eq!(f.point_value, Some(d("85.294118")));
    // S = 14,500 × 90 ÷ 170 = 7,676.47; 14,500 × 80 ÷ 170 = 6,823.53
    assert_eq!(
        f.units.iter().map(|u| u.settlement).collect::<Vec<_>>(),
        [d("7676.47"), d("6823.53")]
    );
}

#[test]
fn points_within_the_base_are_all_at_the_fixed_value() {
    // 0.8 × 17,000 at 80 buys 170 基准点数 = every point: all at 80, 13,600; nothing floats.
    let f = &settle(&policy(rule(Some("0.8"), Some("80"), None, None)), &two_institutions())
        .unwrap()
        .funds[0];
    let e = f.elastic.as_ref().unwrap();
    assert_eq!((e.bound, e.floating_value, f.pool), (Bound::BaseOnly, None, d("13600")));
    // Unbounded and without a split the rule changes nothing.
    let f = &settle(&policy(rule(None, None, Some("50"), Some("150"))), &two_institutions())
        .unwrap()
        .funds[0];
    assert_eq!((f.pool, f.elastic.as_ref().unwrap().bound), (d("17000"), Bound::None));
}

#[test]
fn the_rule_is_checked() {
    let mut p = policy(rule(Some("0.8"), None, Some("120"), Some("90")));
    let paths: Vec<String> = p.validate().unwrap_err().issues.into_iter().map(|i| i.path).collect();
    assert_eq!(paths, ["point_value.elastic.fixed_value", "point_value.elastic.floor"]);
    p.point_value.elastic = Some(rule(None, None, Some("0"), None));
    assert_eq!(p.validate().unwrap_err().issues[0].path, "point_value.elastic.floor");
}

/// 国家DIP3.0 第四章第三节一(二) 1 with each institution's base: fixed value 95, B = 12,000 so the
/// pool is 12,000 + personal 5,000 = 17,000; A 90 points (base 60), B 80 points (base 100).
fn by_institution(cap: Option<&str>) -> (Policy, dipcalc::records::Dataset) {
    let mut p = one_fund_policy();
    fixed_budget(&mut p, "12000");
    p.point_value.elastic = Some(ElasticPointValue {
        base: ElasticBase::Institution,
        ..rule(None, Some("95"), None, cap)
    });
    let mut data = two_institutions();
    data.institutions[0].budget_inputs.base_points = Some(d("60"));
    data.institutions[1].budget_inputs.base_points = Some(d("100"));
    (p, data)
}

#[test]
fn each_institutions_base_at_the_fixed_value_the_rest_floats() {
    let (p, data) = by_institution(None);
    let f = &settle(&p, &data).unwrap().funds[0];
    // Within the base: A min(90, 60) = 60, B min(80, 100) = 80; F = 95 × 140 = 13,300
    // Beyond it: A 30, B 0; floating = (17,000 − 13,300) ÷ 30 = 123.333333
    let e = f.elastic.as_ref().unwrap();
    assert!(e.by_institution);
    assert_eq!((e.fixed_pool, e.base_points), (d("13300"), d("140")));
    assert_eq!(e.floating_value.map(|v| v.round_dp(6)), Some(d("123.333333")));
    // A = 95 × 60 + 123.33… × 30 = 5,700 + 3,700 = 9,400; B = 95 × 80 = 7,600 (plain: 9,000 / 8,000)
    assert_eq!((f.units[0].settlement, f.units[1].settlement), (d("9400"), d("7600")));
    assert_eq!(f.units[0].elastic_base_points, Some(d("60")));
    let s = f.units[0].trace.iter().find(|l| l.label == "结算额度 S").unwrap();
    assert!(
        s.formula
            .starts_with("固定点值 95 × 基准内点数 60 + 浮动点值 123.333333 × 超出点数 30"),
        "{}",
        s.formula
    );
}

#[test]
fn a_cap_on_the_floating_part_of_institution_bases() {
    let (p, data) = by_institution(Some("100"));
    let s = settle(&p, &data).unwrap();
    let f = &s.funds[0];
    // floating 123.33 capped at 100: A = 5,700 + 100 × 30 = 8,700; B 7,600; the fund keeps 700
    assert_eq!((f.units[0].settlement, f.units[1].settlement), (d("8700"), d("7600")));
    assert_eq!(f.elastic.as_ref().unwrap().difference.round_dp(2), d("-700"));
    assert!(s.notices.iter().any(|n| n.code == "point_value_cap"));
}

#[test]
fn an_institution_without_base_points_floats_entirely_with_a_notice() {
    let (p, mut data) = by_institution(None);
    data.institutions[1].budget_inputs.base_points = None;
    let s = settle(&p, &data).unwrap();
    let f = &s.funds[0];
    // F = 95 × 60 = 5,700; beyond: A 30, B 80 → floating (17,000 − 5,700) ÷ 110 = 102.7272…
    // A = 5,700 + 30 × 102.7272… = 8,781.818…; B = 80 × 102.7272… = 8,218.181… (sum 17,000.00)
    assert_eq!(
        (f.units[0].settlement, f.units[1].settlement),
        (d("8781.82"), d("8218.18"))
    );
    let n = s.notices.iter().find(|n| n.code == "elastic_base_missing").unwrap();
    assert!(n.message_zh.ends_with("：B"), "{}", n.message_zh);
}

#[test]
fn institution_bases_take_a_fixed_value_and_no_fixed_share() {
    let (mut p, _) = by_institution(None);
    p.point_value.elastic.as_mut().unwrap().fixed_share = Some(d("0.8"));
    let e = p.validate().unwrap_err();
    assert_eq!(e.issues[0].path, "point_value.elastic.fixed_share");
    p.point_value.elastic.as_mut().unwrap().fixed_share = None;
    p.point_value.elastic.as_mut().unwrap().fixed_value = None;
    assert_eq!(
        p.validate().unwrap_err().issues[0].path,
        "point_value.elastic.fixed_value"
    );
}
