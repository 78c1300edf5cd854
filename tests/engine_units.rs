//! Settlement units and their coefficients (SPEC §4; 医共体 settled as one, 休宁2021 12–13). The arithmetic is in the comments.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use dipcalc::engine::settle;
use dipcalc::policy::*;
use dipcalc::records::*;
use rust_decimal::Decimal;

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
fn missing_coefficient_names_institution_and_level() {
    let mut data = one_institution(vec![case("A", Fund::Employee, "G1", "10000", "0", 1)]);
    data.institutions[0].base_coefficient = None;
    let e = settle(&one_fund_policy(), &data).unwrap_err();
    assert_eq!(e.code, "missing_coefficient");
    assert!(e.message_zh.contains("二甲"), "{}", e.message_zh);
}

#[test]
fn alliance_is_settled_as_one_unit() {
    let mut p = one_fund_policy();
    fixed_budget(&mut p, "12000");
    p.settlement.unit = SettlementUnit::Alliance;
    let mut data = two_institutions();
    data.institutions.push(institution("C", "一级", Some("0.8")));
    data.cases.push(&case("C", Fund::Employee, "G1", "10000", "1000", 5));
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
    let lines = dipcalc::engine::analysis::group_breakdown(&p, &data, &data.cases, f, "北区医共体").unwrap();
    assert_eq!(lines.iter().map(|l| l.cases).sum::<u64>(), 2);
    assert_eq!(lines.iter().map(|l| l.points).sum::<Decimal>(), d("160"));
    let b_alone = dipcalc::engine::analysis::group_breakdown(&p, &data, &data.cases, f, "B").unwrap();
    assert_eq!(b_alone.iter().map(|l| l.cases).sum::<u64>(), 1);
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
