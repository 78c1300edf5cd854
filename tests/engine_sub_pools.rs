//! Sub-budgets by institution level or type (SPEC §3, §6, §7; 吉林2024 第八条 "经办机构可根据经办工作
//! 实际情况，结合定点服务机构类型、等级等因素，进一步进行预算总额细分"): each sub-pool priced at its own
//! point value. The arithmetic is in the comments.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::*;
use dipcalc::engine::{budget, settle};
use dipcalc::policy::*;
use dipcalc::records::Fund;
use proptest::prelude::*;

fn sub(label: &str, levels: &[&str], share: Option<&str>, amount: Option<&str>) -> SubBudget {
    SubBudget {
        label: label.into(),
        levels: levels.iter().map(|l| l.to_string()).collect(),
        categories: vec![],
        share: share.map(d),
        amount: amount.map(|a| Amount::yuan(d(a))),
    }
}

/// SPEC §10's policy without risk sharing, B = 12,000, split 医院 (二甲) 60% / 基层 (一级) 40%.
fn split_policy() -> Policy {
    let mut p = one_fund_policy();
    fixed_budget(&mut p, "12000");
    p.funds.employee.as_mut().unwrap().sub_budgets = vec![
        sub("医院", &["二甲"], Some("0.6"), None),
        sub("基层", &["一级"], Some("0.4"), None),
    ];
    p
}

#[test]
fn each_sub_pool_has_its_own_point_value() {
    // two_institutions: A (二甲) 90 points, cost 10,000, personal 2,000; B (一级) 80 points,
    // cost 10,000, personal 3,000. Cost basis fund_plus_personal.
    let s = settle(&split_policy(), &two_institutions()).unwrap();
    let f = &s.funds[0];
    // 医院: 12,000 × 0.6 = 7,200; pool 7,200 + 2,000 = 9,200; PV 9,200 ÷ 90 = 102.222222
    // 基层: the rest 12,000 − 7,200 = 4,800; pool 4,800 + 3,000 = 7,800; PV 7,800 ÷ 80 = 97.5
    let [hosp, base] = [&f.sub_pools[0], &f.sub_pools[1]];
    assert_eq!((hosp.budget, hosp.pool, hosp.points), (d("7200"), d("9200"), d("90")));
    assert_eq!(hosp.point_value, Some(d("102.222222")));
    assert_eq!(
        (base.budget, base.pool, base.point_value),
        (d("4800"), d("7800"), Some(d("97.5")))
    );
    assert_eq!(
        (hosp.units.clone(), base.units.clone()),
        (vec!["A".to_string()], vec!["B".to_string()])
    );
    // S_A = 9,200 (one pool of its own), S_B = 7,800; one pool would give 17,000 × 90 ÷ 170 = 9,000
    assert_eq!((f.units[0].settlement, f.units[1].settlement), (d("9200"), d("7800")));
    assert_eq!(f.units[1].sub_pool.as_deref(), Some("基层"));
    // The fund: pools and points add up (17,000 and 170), no single point value
    assert_eq!((f.pool, f.total_points, f.point_value), (d("17000"), d("170"), None));
    assert_eq!(f.reconciliation.pool, d("17000"));
    // The trace prices S in the unit's sub-pool
    let s_line = f.units[1].trace.iter().find(|l| l.label == "结算额度 S").unwrap();
    assert_eq!(s_line.formula, "细分预算“基层”：7,800.00 × 80 ÷ 80（对账到分）");
    // JSON: the sub-pools and each unit's sub-pool
    let json = serde_json::to_value(f).unwrap();
    assert_eq!(json["sub_pools"][1]["point_value"], "97.50");
    assert_eq!(json["units"][0]["sub_pool"], "医院");
}

#[test]
fn amounts_first_then_shares_of_the_rest_and_types_assign_too() {
    let mut p = split_policy();
    let subs = &mut p.funds.employee.as_mut().unwrap().sub_budgets;
    // 医院 a fixed 5,000; 基层 by type (机构类别), share 1 of the rest 12,000 − 5,000 = 7,000
    subs[0] = sub("医院", &["二甲"], None, Some("5000"));
    subs[1] = SubBudget {
        categories: vec!["社区卫生服务中心".into()],
        ..sub("基层", &[], Some("1"), None)
    };
    let mut data = two_institutions();
    data.institutions[1].budget_inputs.category = Some("社区卫生服务中心".into());
    let f = &settle(&p, &data).unwrap().funds[0];
    // 医院 pool 5,000 + 2,000 = 7,000 → S_A 7,000; 基层 pool 7,000 + 3,000 = 10,000 → S_B 10,000
    assert_eq!((f.sub_pools[0].budget, f.sub_pools[1].budget), (d("5000"), d("7000")));
    assert_eq!((f.units[0].settlement, f.units[1].settlement), (d("7000"), d("10000")));
}

#[test]
fn amounts_that_miss_the_budget_and_unassigned_institutions_are_errors() {
    let mut p = split_policy();
    let subs = &mut p.funds.employee.as_mut().unwrap().sub_budgets;
    subs[0] = sub("医院", &["二甲"], None, Some("5000"));
    subs[1] = sub("基层", &["一级"], None, Some("6000"));
    // 5,000 + 6,000 = 11,000 ≠ 12,000 and no share sub-pool takes the rest
    let e = settle(&p, &two_institutions()).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.subject.as_str()),
        ("sub_budgets_mismatch", "funds.employee.sub_budgets")
    );
    assert!(e.message_zh.contains("11,000.00"), "{}", e.message_zh);

    let mut p = split_policy();
    p.funds.employee.as_mut().unwrap().sub_budgets[1].levels = vec!["二乙".into()];
    // B (一级) fits neither sub-pool
    let e = settle(&p, &two_institutions()).unwrap_err();
    assert_eq!((e.code.as_str(), e.subject.as_str()), ("no_sub_budget", "B"));
    assert!(e.message_en.contains("level “一级”"), "{}", e.message_en);
}

#[test]
fn validation_names_the_field() {
    let mut p = split_policy();
    let subs = &mut p.funds.employee.as_mut().unwrap().sub_budgets;
    subs[1].share = Some(d("0.3")); // 0.6 + 0.3 ≠ 1
    subs[0].levels.push("一级".into());
    subs[1].amount = Some(Amount::yuan(d("1")));
    let e = p.validate().unwrap_err();
    let paths: Vec<&str> = e.issues.iter().map(|i| i.path.as_str()).collect();
    assert!(paths.contains(&"funds.employee.sub_budgets.1"), "{paths:?}"); // share and amount
    assert!(paths.contains(&"funds.employee.sub_budgets.1.levels.0"), "{paths:?}");
    // 一级 twice
}

proptest! {
    /// The sub-budgets add up to the inpatient budget to the last digit, and the units'
    /// settlements to the sum of the sub-pools' (each reconciled to the cent).
    #[test]
    fn sub_budgets_add_up_to_the_budget(
        cents in 0i64..100_000_000_000_000,
        parts in prop::collection::vec(1u32..1000, 1..5),
        amount in prop::option::of(0i64..1_000_000),
    ) {
        let inpatient = rust_decimal::Decimal::new(cents, 2);
        let total: u32 = parts.iter().sum();
        // shares n ÷ total in thousandths would not be exact: the last takes 1 − the others
        let mut shares: Vec<rust_decimal::Decimal> =
            parts.iter().map(|n| (rust_decimal::Decimal::from(*n) / rust_decimal::Decimal::from(total)).round_dp(6)).collect();
        let head: rust_decimal::Decimal = shares[..shares.len() - 1].iter().sum();
        *shares.last_mut().unwrap() = rust_decimal::Decimal::ONE - head;
        let mut p = one_fund_policy();
        let fp = p.funds.employee.as_mut().unwrap();
        fp.sub_budgets = shares
            .iter()
            .enumerate()
            .map(|(k, s)| SubBudget { share: Some(*s), ..sub(&format!("池{k}"), &[&format!("L{k}")], None, None) })
            .collect();
        if let Some(a) = amount.map(|a| rust_decimal::Decimal::new(a, 2)).filter(|a| *a <= inpatient) {
            fp.sub_budgets.push(sub("定额", &["L9"], None, Some(&a.to_string())));
        }
        prop_assume!(p.validate().is_ok());
        let fp = p.funds.employee.as_ref().unwrap();
        let got = budget::sub_budgets(fp, Fund::Employee, inpatient).unwrap();
        prop_assert_eq!(got.iter().sum::<rust_decimal::Decimal>(), inpatient);
    }
}

#[test]
fn settlements_add_up_to_the_sub_pools() {
    let f = &settle(&split_policy(), &spec10_like()).unwrap().funds[0];
    let pools: rust_decimal::Decimal = f.sub_pools.iter().map(|p| p.reconciliation.pool).sum();
    let settled: rust_decimal::Decimal = f.units.iter().map(|u| u.settlement).sum();
    // 医院 (二甲: H2) and 基层 (一级: H3, H4) each reconciled to the cent
    assert_eq!(settled, pools);
    assert_eq!(f.sub_pools[1].units, vec!["H3".to_string(), "H4".to_string()]);
}

/// SPEC §10's three institutions with H1 as 二甲 and a fourth 一级 institution sharing H3's cases.
fn spec10_like() -> dipcalc::records::Dataset {
    let mut data = spec10_dataset();
    data.institutions[0].level = "二甲".into();
    let mut h4 = data.institutions[2].clone();
    h4.code = "H4".into();
    data.institutions.push(h4);
    let extra: Vec<_> = data.cases.cases().filter(|c| c.institution == "H3").collect();
    for mut c in extra {
        c.institution = "H4".into();
        c.personal_burden += d("1");
        data.cases.push(&c);
    }
    data
}
