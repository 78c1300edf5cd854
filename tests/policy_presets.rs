//! The seed presets (SPEC §9): each is a complete, valid policy in which every value names its
//! source document and article through `refs`, and the shipped JSON is exactly what the schema
//! reads and writes.

use dipcalc::policy::{
    leaf_paths, preset, preset_json, preset_names, BudgetRule, CoefficientMode, CostBasis, Mark, OutpatientSplit,
    Policy, Reserve, Severity, SettlementMode, SettlementUnit, PRESETS,
};
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn load(name: &str) -> Policy {
    match preset(name) {
        Some(Ok(p)) => p,
        Some(Err(e)) => panic!("preset {name} does not load:\n{e}"),
        None => panic!("no preset named {name}"),
    }
}

/// Is `path` covered by a ref at `path` or at one of its ancestors?
fn covering_ref<'a>(p: &'a Policy, path: &str) -> Option<&'a str> {
    let mut candidate = path;
    loop {
        if let Some((key, _)) = p.refs.get_key_value(candidate) {
            return Some(key.as_str());
        }
        match candidate.rfind('.') {
            Some(dot) => candidate = &candidate[..dot],
            None => return None,
        }
    }
}

#[test]
fn presets_are_listed_in_page_order_under_their_own_names() {
    assert_eq!(preset_names(), vec!["宁德2024", "吉林2024", "信阳2019", "休宁2021"]);
    for (name, _) in PRESETS {
        assert_eq!(load(name).name, *name, "the file registered as {name} names itself differently");
    }
}

#[test]
fn each_preset_parses_and_validates_without_errors() {
    for name in preset_names() {
        let p = load(name);
        let issues = p.validate().unwrap_or_else(|e| panic!("{name} fails validation:\n{e}"));
        for issue in &issues {
            assert_eq!(issue.severity, Severity::Warning);
            println!("{name}: warning at {}: {}", issue.path, issue.message_en);
        }
    }
}

#[test]
fn every_leaf_of_every_preset_is_covered_by_a_ref() {
    for name in preset_names() {
        let p = load(name);
        let leaves = leaf_paths(&p);
        assert!(leaves.len() > 40, "{name}: suspiciously few leaves ({})", leaves.len());
        let uncovered: Vec<&String> = leaves.iter().filter(|l| covering_ref(&p, l).is_none()).collect();
        assert!(uncovered.is_empty(), "{name}: leaves without a ref: {uncovered:#?}");
    }
}

#[test]
fn every_ref_cites_a_listed_source_and_follows_the_marking_convention() {
    for name in preset_names() {
        let p = load(name);
        let ids: Vec<&str> = p.sources.iter().map(|s| s.id.as_str()).collect();
        for (path, r) in &p.refs {
            if let Some(src) = &r.source {
                assert!(ids.contains(&src.as_str()), "{name}: refs.{path} cites unlisted source {src}");
            }
            let note = r.note.as_deref().unwrap_or("");
            assert!(!note.is_empty(), "{name}: refs.{path} has no note");
            match r.mark {
                // A seed value or a reading quotes its document and article.
                Mark::Seed | Mark::Reading => {
                    assert!(r.source.is_some() && r.article.is_some(), "{name}: refs.{path} ({:?}) needs source and article", r.mark);
                    assert_ne!(r.source.as_deref(), Some("SPEC"), "{name}: refs.{path} is marked {:?} but cites SPEC", r.mark);
                }
                // A default says so, and names the SPEC section when it is a SPEC choice.
                Mark::Default => assert!(
                    note.starts_with("default, not in the seed") || note.starts_with("illustrative"),
                    "{name}: refs.{path} is a default whose note does not say so: {note}"
                ),
                Mark::User => panic!("{name}: refs.{path}: a shipped preset has no user values"),
            }
        }
        // Every listed source is cited somewhere.
        for id in ids {
            assert!(p.refs.values().any(|r| r.source.as_deref() == Some(id)), "{name}: source {id} is listed but never cited");
        }
    }
}

#[test]
fn every_preset_round_trips_through_json() {
    for name in preset_names() {
        let p = load(name);
        let again = Policy::from_json(&p.to_json()).unwrap_or_else(|e| panic!("{name}: to_json output does not load:\n{e}"));
        assert_eq!(again, p, "{name}: to_json → from_json changed the policy");
    }
}

#[test]
fn the_shipped_text_is_exactly_what_the_schema_writes() {
    for name in preset_names() {
        let text = preset_json(name).unwrap();
        let p = Policy::from_json(text).unwrap_or_else(|e| panic!("{name}:\n{e}"));
        let shipped: serde_json::Value = serde_json::from_str(text).unwrap();
        let written: serde_json::Value = serde_json::from_str(&p.to_json()).unwrap();
        assert_eq!(shipped, written, "{name}: the shipped file has keys or spellings the schema would not write back");
    }
}

#[test]
fn ningde_2024_carries_the_values_spec_names() {
    let p = load("宁德2024");
    let emp = p.funds.employee.as_ref().unwrap();
    let res = p.funds.resident.as_ref().unwrap();
    assert_eq!(emp.reserve, Reserve::Rate { rate: d("0.10") });
    assert_eq!(res.reserve, Reserve::Rate { rate: d("0.05") });
    assert_eq!(p.refs["funds.employee.reserve"].mark, Mark::Seed);
    assert_eq!(p.refs["funds.resident.reserve.rate"].mark, Mark::Default);
    assert_eq!(emp.rule, BudgetRule::Min);
    assert_eq!(emp.forecast.as_ref().unwrap().history.len(), 2, "前两年度");
    // 宁德2025答复 三: 1.2亿 = 职工 0.4亿 + 居民 0.8亿, inside the budget.
    assert_eq!(emp.earmarks[0].amount.to_yuan(), d("40000000"));
    assert_eq!(res.earmarks[0].amount.to_yuan(), d("80000000"));
    let levels: Vec<&str> = p.coefficients.levels.iter().map(|l| l.level.as_str()).collect();
    assert_eq!(levels, ["三甲", "三乙", "二甲", "二乙", "一级"]);
    assert_eq!(p.coefficients.mode, CoefficientMode::Sum);
    assert!(p.coefficients.grassroots.enabled);
    assert_eq!(p.settlement.mode, SettlementMode::Points);
}

#[test]
fn jilin_2024_carries_the_values_spec_names() {
    let p = load("吉林2024");
    assert_eq!(p.points.scale, d("10000"));
    assert_eq!(p.coefficients.mode, CoefficientMode::Product);
    assert_eq!((p.coefficients.range.min, p.coefficients.range.max), (d("0"), d("2")));
    assert_eq!(p.point_value.cost_basis, CostBasis::FundShareRatio);
    assert_eq!(p.points.review_share_limit, d("0.03"));
    for fp in [p.funds.employee.as_ref().unwrap(), p.funds.resident.as_ref().unwrap()] {
        assert!(matches!(fp.outpatient, OutpatientSplit::Share { .. }), "门诊/住院 split");
        assert!(fp.fund_share_ratio.is_some());
    }
    assert_eq!(p.settlement.deposit.rate, d("0.05"));
    assert_eq!(p.refs["settlement.deposit.rate"].mark, Mark::Default);
    let rs = &p.settlement.risk_sharing;
    assert!(rs.enabled);
    for side in [&rs.overspend, &rs.surplus] {
        assert_eq!(side.bands.len(), 1);
        assert_eq!((side.bands[0].up_to, side.bands[0].share), (d("0.10"), d("0.60")));
        assert_eq!(side.beyond, dipcalc::policy::Beyond::Nothing, "the seed's cliff at 10%");
    }
}

#[test]
fn xinyang_2019_is_the_residents_allotment_policy() {
    let p = load("信阳2019");
    assert!(p.funds.employee.is_none(), "信阳2019 covers 城乡居民 only");
    let res = p.funds.resident.as_ref().unwrap();
    assert_eq!(res.quality_reserve.rate, d("0.05"));
    assert_eq!(p.refs["funds.resident.quality_reserve.rate"].mark, Mark::Seed);
    assert!(!p.settlement.risk_sharing.enabled, "结余留用、超支自负");
    assert_eq!(p.settlement.mode, SettlementMode::Allotment);
    let a = p.settlement.allotment.as_ref().unwrap();
    assert!((1..=3).contains(&a.history_weights.len()), "近一至三年");
}

#[test]
fn xiuning_2021_carries_the_values_spec_names() {
    let p = load("休宁2021");
    let emp = p.funds.employee.as_ref().unwrap();
    let res = p.funds.resident.as_ref().unwrap();
    assert!(matches!(emp.reserve, Reserve::MonthsOfSpending { months, .. } if months == d("9")));
    assert!(matches!(res.reserve, Reserve::NewFundsCapped { rate, cap_rate, .. } if rate == d("0.10") && cap_rate == d("0.10")));
    assert!(emp.monthly_profile.is_none() && res.monthly_profile.is_none(), "平均分配到每月");
    assert_eq!(p.coefficients.grassroots.coefficient, d("1"));
    assert!(p.coefficients.grassroots.enabled);
    assert!(emp.adjustment_fund.is_some() && res.adjustment_fund.is_some(), "调剂金 二次付费");
    assert_eq!(p.settlement.unit, SettlementUnit::Alliance);
}

#[test]
fn level_coefficients_fall_with_level_in_every_preset() {
    for name in preset_names() {
        let p = load(name);
        let coefs: Vec<Decimal> = p.coefficients.levels.iter().filter_map(|l| l.coefficient).collect();
        assert!(coefs.windows(2).all(|w| w[0] >= w[1]), "{name}: level coefficients do not fall: {coefs:?}");
    }
}
