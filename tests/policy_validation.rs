//! Strict policy validation (docs/policy.md §5): each broken policy is rejected with an error
//! that names the exact field path, in the dotted form refs use (`history.1.weight`).
//!
//! Every case starts from the SPEC §10 fixture, a complete valid policy, and breaks one thing.
#![cfg(not(target_arch = "wasm32"))]

use dipcalc::policy::{Policy, PolicyIssue, Severity};
use serde_json::{json, Value};

fn fixture() -> Value {
    serde_json::from_str(include_str!("fixtures/spec10/policy.json")).unwrap()
}

fn load(v: &Value) -> Result<Policy, Vec<PolicyIssue>> {
    Policy::from_json(&serde_json::to_string_pretty(v).unwrap()).map_err(|e| e.issues)
}

/// The errors of the fixture after `break_it`; panics if it still loads.
fn errors(break_it: impl FnOnce(&mut Value)) -> Vec<PolicyIssue> {
    let mut v = fixture();
    break_it(&mut v);
    match load(&v) {
        Ok(_) => panic!("the broken policy was accepted"),
        Err(issues) => issues.into_iter().filter(|i| i.severity == Severity::Error).collect(),
    }
}

/// Exactly one error, at exactly `path`, with a message in both languages.
fn only_error_at(path: &str, break_it: impl FnOnce(&mut Value)) {
    let errs = errors(break_it);
    let paths: Vec<&str> = errs.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(paths, [path], "errors: {errs:#?}");
    assert!(!errs[0].message_zh.is_empty() && !errs[0].message_en.is_empty());
}

fn obj(v: &mut Value) -> &mut serde_json::Map<String, Value> {
    v.as_object_mut().unwrap()
}

#[test]
fn the_fixture_itself_is_valid() {
    let p = load(&fixture()).unwrap();
    assert!(p.validate().unwrap().is_empty());
}

// ---- reading: unknown keys, missing keys, wrong types ----

#[test]
fn an_unknown_key_is_an_error_at_that_key() {
    only_error_at("funds.employee.reserv", |v| {
        v["funds"]["employee"]["reserv"] = json!({ "kind": "rate", "rate": "0.1" })
    });
    only_error_at("extra", |v| v["extra"] = json!(1));
    only_error_at("settlement.risk_sharing.overspend.bands.0.upto", |v| {
        v["settlement"]["risk_sharing"]["overspend"]["bands"][0]["upto"] = json!("0.2")
    });
}

#[test]
fn an_unknown_key_inside_a_kind_object_is_an_error_at_that_key() {
    // `reserve` is tagged by "kind": serde reads its fields from a buffer, the path is recovered.
    only_error_at("funds.employee.reserve.rat", |v| {
        v["funds"]["employee"]["reserve"]["rat"] = json!("0.1")
    });
}

#[test]
fn a_missing_key_is_an_error_at_the_missing_key() {
    only_error_at("funds.employee.deductions", |v| {
        obj(&mut v["funds"]["employee"]).remove("deductions");
    });
    only_error_at("points", |v| {
        obj(v).remove("points");
    });
    only_error_at("funds.employee.reserve.rate", |v| {
        obj(&mut v["funds"]["employee"]["reserve"]).remove("rate");
    });
}

#[test]
fn a_left_out_key_whose_value_may_be_null_is_an_error_too() {
    // Every field is spelt out, `null` for none: a forgotten `monthly_profile` is not silently "even".
    only_error_at("funds.employee.monthly_profile", |v| {
        obj(&mut v["funds"]["employee"]).remove("monthly_profile");
    });
    only_error_at("funds.employee.monthly_profle", |v| {
        obj(&mut v["funds"]["employee"]).remove("monthly_profile");
        v["funds"]["employee"]["monthly_profle"] = Value::Null;
    });
}

#[test]
fn a_string_that_is_not_a_decimal_is_an_error_at_that_field() {
    only_error_at("points.scale", |v| v["points"]["scale"] = json!("abc"));
    only_error_at("funds.employee.reserve.rate", |v| {
        v["funds"]["employee"]["reserve"]["rate"] = json!("10%")
    });
    only_error_at("funds.employee.forecast.history.1.weight", |v| {
        v["funds"]["employee"]["forecast"]["history"][1]["weight"] = json!("0,6")
    });
    only_error_at("funds.employee.raised.value", |v| {
        v["funds"]["employee"]["raised"]["value"] = json!("30万")
    });
}

#[test]
fn a_decimal_written_as_a_json_number_is_an_error() {
    // Decimals are strings, read exactly; a JSON number could already have been rounded to binary.
    only_error_at("points.scale", |v| v["points"]["scale"] = json!(1));
}

#[test]
fn an_unknown_unit_or_kind_or_choice_is_an_error_at_that_field() {
    only_error_at("funds.employee.raised.unit", |v| {
        v["funds"]["employee"]["raised"]["unit"] = json!("美元")
    });
    only_error_at("funds.employee.rule.kind", |v| {
        v["funds"]["employee"]["rule"]["kind"] = json!("max")
    });
    only_error_at("point_value.cost_basis", |v| {
        v["point_value"]["cost_basis"] = json!("fund")
    });
}

#[test]
fn a_bad_amount_inside_a_kind_object_is_an_error_at_its_value() {
    only_error_at("funds.employee.rule.amount.value", |v| {
        v["funds"]["employee"]["rule"] = json!({ "kind": "fixed", "amount": { "value": "x", "unit": "元" } })
    });
}

// ---- constraints ----

#[test]
fn a_wrong_schema_version_is_an_error() {
    only_error_at("schema_version", |v| v["schema_version"] = json!(2));
}

#[test]
fn a_rate_outside_zero_to_one_is_an_error_at_that_rate() {
    only_error_at("funds.employee.reserve.rate", |v| {
        v["funds"]["employee"]["reserve"]["rate"] = json!("1.5")
    });
    only_error_at("funds.employee.reserve.rate", |v| {
        v["funds"]["employee"]["reserve"]["rate"] = json!("-0.01")
    });
    only_error_at("funds.employee.quality_reserve.rate", |v| {
        v["funds"]["employee"]["quality_reserve"]["rate"] = json!("1.05")
    });
    only_error_at("settlement.deposit.rate", |v| {
        v["settlement"]["deposit"]["rate"] = json!("1.01")
    });
    only_error_at("settlement.risk_sharing.surplus.bands.0.share", |v| {
        v["settlement"]["risk_sharing"]["surplus"]["bands"][0]["share"] = json!("6")
    });
    only_error_at("funds.employee.outpatient.share", |v| {
        v["funds"]["employee"]["outpatient"] = json!({ "kind": "share", "share": "1.2" })
    });
}

#[test]
fn rates_at_the_bounds_are_accepted() {
    let mut v = fixture();
    v["funds"]["employee"]["reserve"]["rate"] = json!("1");
    v["settlement"]["deposit"]["rate"] = json!("0");
    assert!(load(&v).is_ok());
}

#[test]
fn forecast_weights_that_do_not_sum_to_one_are_an_error() {
    // 0.4 + 0.5 = 0.9
    only_error_at("funds.employee.forecast.history", |v| {
        v["funds"]["employee"]["forecast"]["history"][1]["weight"] = json!("0.5")
    });
    // 0.4 + 0.6000001: exactly 1, not nearly
    only_error_at("funds.employee.forecast.history", |v| {
        v["funds"]["employee"]["forecast"]["history"][1]["weight"] = json!("0.6000001")
    });
}

#[test]
fn other_weights_must_sum_to_one_as_well() {
    only_error_at("funds.employee.monthly_profile", |v| {
        v["funds"]["employee"]["monthly_profile"] = json!(vec!["0.1"; 12]); // 1.2
    });
    only_error_at("funds.employee.monthly_profile", |v| {
        v["funds"]["employee"]["monthly_profile"] = json!(vec!["0.1"; 10]); // 10 months
    });
    only_error_at("settlement.allotment.history_weights", |v| {
        v["settlement"]["mode"] = json!("allotment");
        v["settlement"]["allotment"] =
            json!({ "history_weights": ["0.5", "0.3"], "primary_care_tilt": "0.1", "primary_care_levels": ["一级"] });
    });
}

#[test]
fn rule_min_without_a_forecast_is_an_error() {
    only_error_at("funds.employee.forecast", |v| {
        v["funds"]["employee"]["forecast"] = Value::Null
    });
    // With rule `packable` the forecast may be absent.
    let mut v = fixture();
    v["funds"]["employee"]["forecast"] = Value::Null;
    v["funds"]["employee"]["rule"] = json!({ "kind": "packable" });
    assert!(load(&v).is_ok());
}

#[test]
fn band_bounds_that_do_not_increase_are_an_error() {
    only_error_at("settlement.risk_sharing.overspend.bands.1.up_to", |v| {
        v["settlement"]["risk_sharing"]["overspend"]["bands"] =
            json!([{ "up_to": "0.10", "share": "0.60" }, { "up_to": "0.10", "share": "0.30" }]);
    });
    only_error_at("settlement.risk_sharing.surplus.bands.0.up_to", |v| {
        v["settlement"]["risk_sharing"]["surplus"]["bands"][0]["up_to"] = json!("0");
    });
    only_error_at("points.outliers.high_tiers.1.max_reference_cost", |v| {
        v["points"]["outliers"]["high_tiers"] = json!([{ "max_reference_cost": "20000", "high_ratio": "3" }, { "max_reference_cost": "10000", "high_ratio": "2" }]);
    });
}

#[test]
fn increasing_bands_are_accepted() {
    let mut v = fixture();
    v["settlement"]["risk_sharing"]["overspend"]["bands"] =
        json!([{ "up_to": "0.10", "share": "0.60" }, { "up_to": "0.20", "share": "0.30" }]);
    assert!(load(&v).is_ok());
}

/// The warnings of the fixture after `change_it`, which must still load.
fn only_warning_at(path: &str, change_it: impl FnOnce(&mut Value)) {
    let mut v = fixture();
    change_it(&mut v);
    let p = load(&v).expect("a citation problem does not refuse the policy");
    let warnings = p.validate().unwrap();
    let paths: Vec<&str> = warnings.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(paths, [path], "warnings: {warnings:#?}");
}

#[test]
fn a_ref_to_a_path_that_does_not_exist_is_a_warning() {
    // A ref only cites; a dangling one (a deleted list item) is shown, not fatal.
    only_warning_at("refs.funds.employee.reserv", |v| {
        v["refs"]["funds.employee.reserv"] = json!({ "mark": "seed" })
    });
    // The resident fund is null in the fixture: nothing below it exists.
    only_warning_at("refs.funds.resident.reserve.rate", |v| {
        v["refs"]["funds.resident.reserve.rate"] = json!({ "mark": "default" })
    });
}

#[test]
fn a_ref_may_cite_an_object_or_a_list_and_the_null_itself() {
    let mut v = fixture();
    v["refs"]["funds.employee.deductions"] = json!({ "mark": "seed" });
    v["refs"]["funds.employee.deductions.1"] = json!({ "mark": "seed" });
    v["refs"]["funds.resident"] = json!({ "mark": "default", "note": "one fund only" });
    assert!(load(&v).is_ok());
}

#[test]
fn a_ref_to_an_unlisted_source_is_a_warning() {
    only_warning_at("refs.funds.employee.reserve.rate.source", |v| {
        v["refs"]["funds.employee.reserve.rate"]["source"] = json!("宁德2030")
    });
}

#[test]
fn a_ref_with_an_unknown_mark_is_an_error() {
    only_error_at("refs.funds.employee.reserve.rate.mark", |v| {
        v["refs"]["funds.employee.reserve.rate"]["mark"] = json!("guess")
    });
}

#[test]
fn combinations_are_checked_at_the_field_that_is_missing() {
    only_error_at("funds", |v| {
        v["funds"]["employee"] = Value::Null;
        obj(&mut v["refs"]).clear();
    });
    only_error_at("funds.employee.raised", |v| {
        v["funds"]["employee"]["raised"] = Value::Null
    });
    only_error_at("funds.employee.fund_share_ratio", |v| {
        v["point_value"]["cost_basis"] = json!("fund_share_ratio")
    });
    only_error_at("settlement.allotment", |v| v["settlement"]["mode"] = json!("allotment"));
}

#[test]
fn a_level_coefficient_is_checked_against_the_range_and_the_order() {
    let levels = json!([{ "level": "三甲", "coefficient": "1.1" }, { "level": "二甲", "coefficient": "2.5" }]);
    // Default: warnings (休宁2021 7 order; 吉林2024 第九条(一) "原则上" 0–200%), the policy loads.
    let mut v = fixture();
    v["coefficients"]["levels"] = levels.clone();
    let warnings = load(&v).unwrap().validate().unwrap();
    let paths: Vec<&str> = warnings.iter().map(|w| w.path.as_str()).collect();
    assert_eq!(
        paths,
        ["coefficients.levels.1.coefficient", "coefficients.levels.1.coefficient"]
    );
    assert!(warnings.iter().all(|w| w.severity == Severity::Warning));
    // A policy can make the range binding.
    only_error_at("coefficients.levels.1.coefficient", |v| {
        v["coefficients"]["levels"] = levels;
        v["coefficients"]["range"]["on_violation"] = json!("error");
    });
    only_error_at("coefficients.levels.1.level", |v| {
        v["coefficients"]["levels"] =
            json!([{ "level": "三甲", "coefficient": "1.1" }, { "level": "三甲", "coefficient": "1" }]);
    });
}

#[test]
fn an_institutions_coefficient_override_is_checked_like_a_level_coefficient() {
    // In the range: loads without a notice; the map is left out of a policy that has none.
    let mut v = fixture();
    v["coefficients"]["overrides"] = json!({ "H2": "1.00" });
    assert!(load(&v).unwrap().validate().unwrap().is_empty());
    assert!(!serde_json::to_string(&load(&fixture()).unwrap())
        .unwrap()
        .contains("overrides"));
    // Outside [0, 2]: a warning at its path, an error when the range is binding; negative: an error.
    v["coefficients"]["overrides"] = json!({ "H2": "2.5" });
    let warnings = load(&v).unwrap().validate().unwrap();
    assert_eq!(
        warnings.iter().map(|w| w.path.as_str()).collect::<Vec<_>>(),
        ["coefficients.overrides.H2"]
    );
    only_error_at("coefficients.overrides.H2", |v| {
        v["coefficients"]["overrides"] = json!({ "H2": "2.5" });
        v["coefficients"]["range"]["on_violation"] = json!("error");
    });
    only_error_at("coefficients.overrides.H2", |v| {
        v["coefficients"]["overrides"] = json!({ "H2": "-1" })
    });
    only_error_at("coefficients.overrides.H2", |v| {
        v["coefficients"]["overrides"] = json!({ "H2": "abc" })
    });
}

#[test]
fn every_error_is_reported_together_and_printed_with_its_path() {
    let mut v = fixture();
    v["schema_version"] = json!(3);
    v["funds"]["employee"]["reserve"]["rate"] = json!("1.5");
    v["settlement"]["deposit"]["rate"] = json!("-0.05");
    let e = Policy::from_json(&v.to_string()).unwrap_err();
    let paths: Vec<&str> = e.issues.iter().map(|i| i.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "schema_version",
            "funds.employee.reserve.rate",
            "settlement.deposit.rate"
        ]
    );
    let shown = e.to_string();
    assert!(shown.lines().next().unwrap().starts_with("schema_version: "), "{shown}");
    assert!(
        shown.contains("funds.employee.reserve.rate: 1.5 is outside [0, 1]"),
        "{shown}"
    );
}

#[test]
fn text_that_is_not_json_is_an_error() {
    let e = Policy::from_json("{ \"schema_version\": 1,").unwrap_err();
    assert_eq!(e.issues.len(), 1);
    assert_eq!(e.issues[0].severity, Severity::Error);
}

#[test]
fn a_deposit_outside_three_to_ten_percent_is_a_warning() {
    // 吉林2024 第二十二条(五) "预留一定比例（3%—10%）作为保证金": both ends included; 0 = no deposit.
    let warned = |rate: &str| {
        let mut v = fixture();
        v["settlement"]["deposit"]["rate"] = json!(rate);
        let w = load(&v).unwrap().validate().unwrap();
        assert!(w.iter().all(|i| i.severity == Severity::Warning));
        w.iter().map(|i| i.path.clone()).collect::<Vec<_>>()
    };
    for ok in ["0", "0.03", "0.05", "0.10"] {
        assert!(warned(ok).is_empty(), "{ok}");
    }
    for out in ["0.02", "0.1001", "0.2"] {
        assert_eq!(warned(out), ["settlement.deposit.rate"], "{out}");
    }
    let mut v = fixture();
    v["settlement"]["deposit"]["rate"] = json!("0.2");
    let w = load(&v).unwrap().validate().unwrap();
    assert!(w[0].message_zh.contains("不在 3%—10% 之内"), "{}", w[0].message_zh);
    assert!(w[0].message_en.contains("outside 3%–10%"), "{}", w[0].message_en);
}

#[test]
fn reference_cost_from_score_needs_positive_figures_and_every_field() {
    only_error_at("points.reference_cost_from_score.point_value", |v| {
        v["points"]["reference_cost_from_score"] = json!({ "point_value": "0", "level_coefficients": [] });
    });
    only_error_at(
        "points.reference_cost_from_score.level_coefficients.0.coefficient",
        |v| {
            v["points"]["reference_cost_from_score"] =
                json!({ "point_value": "9.5", "level_coefficients": [{ "level": "三甲", "coefficient": "-1" }] });
        },
    );
    // Bounded like the other coefficients (at most 10) and money (a point worth at most 1 亿元).
    only_error_at(
        "points.reference_cost_from_score.level_coefficients.0.coefficient",
        |v| {
            v["points"]["reference_cost_from_score"] =
                json!({ "point_value": "9.5", "level_coefficients": [{ "level": "三甲", "coefficient": "11" }] });
        },
    );
    only_error_at("points.reference_cost_from_score.point_value", |v| {
        v["points"]["reference_cost_from_score"] = json!({ "point_value": "100000001", "level_coefficients": [] });
    });
    // A policy file spells every field out: `level_coefficients` too.
    only_error_at("points.reference_cost_from_score.level_coefficients", |v| {
        v["points"]["reference_cost_from_score"] = json!({ "point_value": "9.5" });
    });
}

#[test]
fn the_deviant_case_rules_are_checked_at_their_paths() {
    let pricing = |method: &str, ratio: &str| json!({"method": method, "ratio": ratio, "per_diem_group": null});
    only_error_at("points.abnormal_discharge.codes.1", |v| {
        v["points"]["abnormal_discharge"] = json!({"codes": ["5", "6"], "pricing": pricing("cost_ratio", "1")});
    });
    only_error_at("points.abnormal_discharge.codes.1", |v| {
        v["points"]["abnormal_discharge"] = json!({"codes": ["5", "5"], "pricing": pricing("cost_ratio", "1")});
    });
    only_error_at("points.short_stay.pricing.ratio", |v| {
        v["points"]["short_stay"] = json!({"days": "2", "pricing": pricing("fee_for_service", "1.2")});
    });
    only_error_at("points.long_stay.days", |v| {
        v["points"]["short_stay"] = json!({"days": "30", "pricing": pricing("fee_for_service", "1")});
        v["points"]["long_stay"] = json!({"days": "30", "pricing": pricing("fee_for_service", "1")});
    });
    only_error_at("points.long_stay.pricing.per_diem_group", |v| {
        v["points"]["long_stay"] = json!({"days": "60", "pricing": pricing("per_diem", "1")});
    });
    only_error_at("points.ungrouped.method", |v| {
        v["points"]["ungrouped"] = pricing("cost_ratio", "1");
    });
    only_error_at("points.short_stay.days", |v| {
        v["points"]["short_stay"] = json!({"days": "0", "pricing": pricing("fee_for_service", "1")});
    });
    // Switched on, they load; off, they are left out of the file.
    let mut v = fixture();
    v["points"]["subtype_coefficients"] = json!(true);
    v["points"]["ungrouped"] = pricing("fee_for_service", "0.9");
    let p = load(&v).unwrap();
    assert!(p.points.subtype_coefficients && p.points.ungrouped.is_some());
    let written = load(&fixture()).unwrap().to_json();
    assert!(!written.contains("subtype_coefficients") && !written.contains("ungrouped"));
}
