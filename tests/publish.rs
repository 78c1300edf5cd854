//! Publication bundles (issue 6): made from a settlement, re-verified from their aggregates,
//! hashed canonically, and free of case-level data. Also the engine rule they depend on:
//! summary-only data settles without coefficients.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use dipcalc::engine::settle;
use dipcalc::records::*;
use rust_decimal::Decimal;

// ---- the engine on summary-only data ----

/// SPEC §10's per-institution totals as summaries (points already include the coefficients).
fn spec10_summaries() -> Vec<InstitutionSummary> {
    [
        ("H1", "1000.5", "125700", "28200"),
        ("H2", "458", "46700", "11400"),
        ("H3", "160", "17000", "3100"),
    ]
    .iter()
    .map(|(i, p, c, b)| InstitutionSummary {
        institution: i.to_string(),
        fund: Fund::Employee,
        month: None,
        points: d(p),
        total_cost: d(c),
        personal_burden: d(b),
        prepaid: None,
        cases: None,
    })
    .collect()
}

#[test]
fn summaries_settle_without_coefficients() {
    // Institutions with no base coefficient and a level the policy's table lacks: the summaries
    // are already points, so nothing needs a coefficient and SPEC §10's figures come out.
    let data = Dataset {
        institutions: ["H1", "H2", "H3"]
            .iter()
            .map(|c| institution(c, "未定级", None))
            .collect(),
        summaries: spec10_summaries(),
        ..Default::default()
    };
    let r = settle(&spec10_policy(), &data).expect("summary-only data settles");
    let f = &r.funds[0];
    assert_eq!(f.point_value, Some(d("115.909793")));
    let s: Vec<_> = f.units.iter().map(|u| u.settlement).collect();
    assert_eq!(s, [d("115967.75"), d("53086.68"), d("18545.57")]);
    assert!(f.units.iter().all(|u| u.coefficient.is_none()));
}

#[test]
fn a_case_still_needs_its_institution_coefficient() {
    let mut data = spec10_dataset();
    data.institutions[1].base_coefficient = None;
    data.institutions[1].level = "未定级".into();
    let e = settle(&spec10_policy(), &data).unwrap_err();
    assert_eq!(e.code, "missing_coefficient");
    assert_eq!(e.subject, "H2");
}

// ---- bundles ----

use dipcalc::policy::{Policy, QcFailed, SettlementUnit};
use dipcalc::publish::{self, bundle_hash, canonical_json, verify, Bundle};
use serde_json::{json, Value};

fn spec10_bundle_json() -> String {
    publish::publish(&spec10_policy(), &spec10_dataset(), 1)
        .expect("bundle")
        .to_json()
}

fn set(json: &str, pointer: &str, value: &str) -> String {
    let mut v: Value = serde_json::from_str(json).unwrap();
    *v.pointer_mut(pointer).unwrap_or_else(|| panic!("no {pointer}")) = Value::String(value.into());
    serde_json::to_string_pretty(&v).unwrap()
}

#[test]
fn spec10_bundle_has_the_published_figures_and_verifies() {
    let json = spec10_bundle_json();
    let b = Bundle::from_json(&json).unwrap();
    assert_eq!(b.format, "dipcalc-publication-bundle");
    assert_eq!(b.schema_version, 3);
    assert_eq!(b.generator.version, dipcalc::VERSION);
    assert_eq!(b.policy["refs"]["funds.employee.reserve.rate"]["article"], "第七条");
    let f = &b.funds[0];
    assert_eq!(f.budget.budget, d("144900.00"));
    let reserve = f.budget.steps.iter().find(|s| s.key == "reserve").unwrap();
    assert_eq!(
        (reserve.source.as_deref(), reserve.article.as_deref()),
        (Some("宁德2024"), Some("第七条"))
    );
    assert_eq!(f.pool.to_string(), "187600.00");
    assert_eq!(f.point_value, Some(d("115.909793")));
    // January: budget 144,900 ÷ 12 = 12,075 + personal 9,000 = 21,075 over 339 points = 62.168142
    assert_eq!(f.months[0].period, "2024-01");
    assert_eq!(f.months[0].pool.unwrap().to_string(), "21075.00");
    assert_eq!(f.months[0].points, Some(d("339")));
    assert_eq!(f.months[0].point_value, Some(d("62.168142")));
    let s: Vec<String> = f
        .units
        .iter()
        .map(|u| u.results.as_ref().unwrap().settlement.to_string())
        .collect();
    assert_eq!(s, ["115967.75", "53086.68", "18545.57"]);
    let pays: Vec<String> = f
        .units
        .iter()
        .map(|u| u.results.as_ref().unwrap().fund_pays.to_string())
        .collect();
    assert_eq!(pays, ["93607.10", "35300.00", "14827.34"]);
    assert_eq!(f.units[0].aggregates.as_ref().unwrap().year.points, d("1000.5"));
    assert_eq!(f.units[0].aggregates.as_ref().unwrap().months.len(), 4);

    let v = verify(&json).unwrap();
    assert!(v.matches, "{:#?}", v.differences);
    assert_eq!(v.hash_matches, Some(true));
    assert_eq!(v.sha256_in_file.as_deref(), Some(v.sha256.as_str()));
    // budget steps, periods, units with their months, totals: every figure was compared
    assert!(v.checked > 200, "only {} figures compared", v.checked);
}

#[test]
fn a_settlement_changed_by_one_fen_is_named() {
    // H2's S is 53,086.68 (SPEC §10); the tampered bundle says 53,086.69.
    let json = set(&spec10_bundle_json(), "/funds/0/units/1/results/settlement", "53086.69");
    let v = verify(&json).unwrap();
    assert!(!v.matches);
    assert_eq!(v.differences.len(), 1, "{:#?}", v.differences);
    let d0 = &v.differences[0];
    assert_eq!(
        (d0.section.as_str(), d0.subject.as_str(), d0.name.as_str()),
        ("unit", "H2", "H2")
    );
    assert_eq!(d0.field, "settlement");
    assert_eq!(
        (d0.published.as_str(), d0.recomputed.as_deref()),
        ("53086.69", Some("53086.68"))
    );
    // The stored hash no longer fits either.
    assert_eq!(v.hash_matches, Some(false));
}

#[test]
fn exact_totals_are_published_and_verified_to_the_digit() {
    // SPEC §10: pool 144,900 + 42,700 = 187,600 exactly; points 1,000.5 + 458 + 160 = 1,618.5.
    let json = spec10_bundle_json();
    let f = &Bundle::from_json(&json).unwrap().funds[0];
    assert_eq!(
        (f.pool_exact, f.total_points_exact),
        (Some(d("187600")), Some(d("1618.5")))
    );
    assert_eq!(
        (f.months[0].pool_exact, f.months[0].points_exact),
        (Some(d("21075")), Some(d("339")))
    );
    // A hundred-thousandth of a point off, below what the reported 4 decimals show
    // (1,618.50001 is reported as 1,618.5): the exact figure names it.
    let v = verify(&set(&json, "/funds/0/total_points_exact", "1618.50001")).unwrap();
    assert!(!v.matches);
    assert_eq!(v.differences.len(), 1, "{:#?}", v.differences);
    assert_eq!(v.differences[0].field, "total_points_exact");
    assert_eq!(v.differences[0].recomputed.as_deref(), Some("1618.5"));
    // A bundle written before the exact figures still verifies.
    let mut old: Value = serde_json::from_str(&json).unwrap();
    old["funds"][0].as_object_mut().unwrap().remove("pool_exact");
    old["funds"][0].as_object_mut().unwrap().remove("total_points_exact");
    let v = verify(&serde_json::to_string(&old).unwrap()).unwrap();
    assert!(v.matches, "{:#?}", v.differences);
}

#[test]
fn a_changed_aggregate_moves_the_recomputed_figures() {
    let json = spec10_bundle_json();
    let b = Bundle::from_json(&json).unwrap();
    let has = |v: &publish::Verification, section: &str, subject: &str, field: &str| {
        v.differences
            .iter()
            .any(|x| x.section == section && x.subject == subject && x.field == field)
    };
    // One more point for H3 in November (80 → 81), the year left at 160: November's, Q4's and
    // the cumulative point values no longer match; the year's figures still do (and H3, alone in
    // November, still gets the whole month's pool).
    let nov = b.funds[0].units[2]
        .aggregates
        .as_ref()
        .unwrap()
        .months
        .iter()
        .position(|m| m.month == 11)
        .unwrap();
    let v = verify(&set(
        &json,
        &format!("/funds/0/units/2/aggregates/months/{nov}/points"),
        "81",
    ))
    .unwrap();
    assert!(!v.matches);
    for (section, subject, field) in [
        ("month", "2024-11", "points"),
        ("month", "2024-11", "point_value"),
        ("quarter", "2024-Q4", "point_value"),
        ("month", "2024-12", "cumulative_point_value"),
    ] {
        assert!(
            has(&v, section, subject, field),
            "{section} {subject} {field}: {:#?}",
            v.differences
        );
    }
    assert!(
        !v.differences
            .iter()
            .any(|x| x.section.starts_with("unit") || x.section == "fund"),
        "{:#?}",
        v.differences
    );
    // H3's year at 161 points: the annual point value and every settlement move.
    let v = verify(&set(&json, "/funds/0/units/2/aggregates/year/points", "161")).unwrap();
    for (section, subject, field) in [
        ("fund", "", "point_value"),
        ("unit", "H1", "settlement"),
        ("unit", "H3", "net_to_pay"),
        ("totals", "", "points"),
    ] {
        assert!(
            has(&v, section, subject, field),
            "{section} {subject} {field}: {:#?}",
            v.differences
        );
    }
}

#[test]
fn verify_rejects_what_is_not_a_bundle() {
    assert_eq!(verify("{").unwrap_err().code, "not_json");
    assert_eq!(verify(r#"{"format":"other"}"#).unwrap_err().code, "not_a_bundle");
    let json = spec10_bundle_json();
    let e = verify(&json.replace(
        "\"schema_version\": 3,\n  \"generator\"",
        "\"schema_version\": 1,\n  \"generator\"",
    ))
    .unwrap_err();
    assert_eq!(e.code, "schema_version");
    let mut v: Value = serde_json::from_str(&json).unwrap();
    v["funds"][0]["units"][0]["aggregates"]["cases_list"] = json!([]);
    let e = verify(&v.to_string()).unwrap_err();
    assert_eq!(e.code, "bundle_field");
    assert!(
        e.message_en.contains("funds[0].units[0].aggregates"),
        "{}",
        e.message_en
    );
}

// ---- completeness and hostile figures (issue 11) ----

/// The §10 bundle as a value, without its sha256 field (an editor who deletes parts drops it).
fn unhashed() -> Value {
    let mut v: Value = serde_json::from_str(&spec10_bundle_json()).unwrap();
    v.as_object_mut().unwrap().remove("sha256");
    v
}

#[test]
fn a_bundle_with_a_month_deleted_is_refused_without_its_hash() {
    // The fund's March and its H1 unit-month, both gone: what is left would still verify.
    let mut v = unhashed();
    v["funds"][0]["months"].as_array_mut().unwrap().remove(2);
    let e = verify(&v.to_string()).unwrap_err();
    assert_eq!(e.code, "incomplete_bundle");
    assert!(
        e.message_en
            .contains("months should be 2024-01 to 2024-12 (12), the bundle has 11"),
        "{}",
        e.message_en
    );

    let mut v = unhashed();
    v["funds"][0]["units"][0]["results"]["months"]
        .as_array_mut()
        .unwrap()
        .remove(0);
    let e = verify(&v.to_string()).unwrap_err();
    assert_eq!(e.code, "incomplete_bundle");
    assert!(
        e.message_en.contains("unit H1's months are incomplete"),
        "{}",
        e.message_en
    );
}

#[test]
fn a_bundle_with_a_unit_deleted_is_refused_without_its_hash() {
    // H3 deleted from the units (its institution still listed) …
    let mut v = unhashed();
    v["funds"][0]["units"].as_array_mut().unwrap().remove(2);
    let e = verify(&v.to_string()).unwrap_err();
    assert_eq!(e.code, "incomplete_bundle");
    assert!(
        e.message_en.contains("institution H3 is in 0 units"),
        "{}",
        e.message_en
    );
    // … and from the institutions too, with the totals left as published.
    v["institutions"].as_array_mut().unwrap().remove(2);
    let e = verify(&v.to_string()).unwrap_err();
    assert!(
        e.message_en.contains("created_from says 3 institutions, 2 are listed"),
        "{}",
        e.message_en
    );
    assert!(
        e.message_en.contains("totals.cases is 11, the units add up to 8"),
        "{}",
        e.message_en
    );
    // A whole fund gone.
    let mut v = unhashed();
    v["funds"].as_array_mut().unwrap().clear();
    assert_eq!(verify(&v.to_string()).unwrap_err().code, "incomplete_bundle");
}

#[test]
fn verify_on_a_bundle_with_huge_aggregates_is_an_error_not_a_panic() {
    let huge = "70000000000000000000000000000";
    let json = set(&spec10_bundle_json(), "/funds/0/units/0/aggregates/year/points", huge);
    assert_eq!(verify(&json).unwrap_err().code, "bundle_input");
    let json = set(
        &spec10_bundle_json(),
        "/funds/0/units/0/aggregates/months/0/points",
        &format!("-{huge}"),
    );
    let e = verify(&json).unwrap_err();
    assert!(matches!(e.code.as_str(), "out_of_range" | "bundle_input"), "{e:?}");
    let json = set(
        &spec10_bundle_json(),
        "/funds/0/units/1/aggregates/months/0/personal_burden",
        huge,
    );
    assert_eq!(verify(&json).unwrap_err().code, "bundle_input");
}

// ---- the hash ----

#[test]
fn canonical_form_sorts_keys_and_drops_whitespace() {
    let v = json!({"b": 1, "a": {"d": "x\n\"", "c": [1, "中文", null, true]}, "A": []});
    assert_eq!(
        canonical_json(&v),
        r#"{"A":[],"a":{"c":[1,"中文",null,true],"d":"x\n\""},"b":1}"#
    );
    // sha256 of the bytes {"a":1} (printf '{"a":1}' | sha256sum), the sha256 field left out
    assert_eq!(
        bundle_hash(r#"{ "sha256": "anything", "a": 1 }"#).unwrap(),
        "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"
    );
}

#[test]
fn the_hash_ignores_layout_and_key_order_but_not_figures() {
    let json = spec10_bundle_json();
    let b = Bundle::from_json(&json).unwrap();
    let h = bundle_hash(&json).unwrap();
    assert_eq!(b.sha256.as_deref(), Some(h.as_str()));
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(bundle_hash(&v.to_string()).unwrap(), h, "compact");
    assert_eq!(bundle_hash(&canonical_json(&v)).unwrap(), h, "keys sorted");
    let changed = set(&json, "/funds/0/units/1/results/settlement", "53086.69");
    assert_ne!(bundle_hash(&changed).unwrap(), h);
    // The same inputs give the same bundle, byte for byte.
    assert_eq!(spec10_bundle_json(), json);
}

// ---- aggregates only ----

const MARKERS: [&str; 5] = ["CASEGRP", "病种名称标记", "PATIENT", "8675309", "31.5"];

/// Case-level input with distinctive values in every case-only field: group codes and names
/// (catalog), 住院天数, source rows, review scores; several cases per institution and month.
fn marked_dataset() -> (Policy, Dataset) {
    let mut data = spec10_dataset();
    for g in &mut data.catalog.groups {
        g.name = format!("病种名称标记{}", g.code);
        g.code = format!("CASEGRP-{}-PATIENT", g.code);
    }
    let mut cases = Vec::new();
    for (n, c) in data.cases.cases().enumerate() {
        for k in 0..3u64 {
            let mut c = c.clone();
            c.group = format!("CASEGRP-{}-PATIENT", c.group);
            c.month = (n % 4) as u8 + 1;
            c.days = d("31.5");
            c.source_row = 8675309 + k + 10 * n as u64;
            if k == 2 {
                c.review.applied = true;
            }
            cases.push(c);
        }
    }
    data.cases = cases.into();
    (spec10_policy(), data)
}

/// Every key of the bundle outside the policy, as dotted paths without indices.
fn keys(v: &Value, prefix: &str, out: &mut std::collections::BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, w) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.insert(p.clone());
                if p != "policy" {
                    keys(w, &p, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|w| keys(w, prefix, out)),
        _ => {}
    }
}

#[test]
fn a_bundle_from_case_level_input_holds_no_case_level_data() {
    let (policy, data) = marked_dataset();
    assert_eq!(data.cases.len(), 33);
    let json = publish::publish(&policy, &data, 1).unwrap().to_json();
    for m in MARKERS {
        assert!(!json.contains(m), "case-level value {m:?} leaked into the bundle");
    }
    // The only fields are the documented aggregate ones (docs/bundle.md); none is a case field.
    let mut seen = std::collections::BTreeSet::new();
    keys(&serde_json::from_str(&json).unwrap(), "", &mut seen);
    let allowed = include_str!("../docs/bundle.md");
    for k in &seen {
        assert!(
            allowed.contains(&format!("`{k}`")),
            "field {k} is not documented in docs/bundle.md"
        );
        let last = k.rsplit('.').next().unwrap();
        assert!(
            ![
                "group",
                "days",
                "source_row",
                "review",
                "qc_passed",
                "supplemented",
                "excluded_cost",
                "kind"
            ]
            .contains(&last),
            "{k}"
        );
    }
    // Months are aggregates: 33 cases in 3 institutions × 4 months, at most 12 month rows in all.
    let b = Bundle::from_json(&json).unwrap();
    let rows: usize = b.funds[0]
        .units
        .iter()
        .map(|u| u.aggregates.as_ref().unwrap().months.len())
        .sum();
    assert!(rows <= 12, "{rows}");
    let cases: u64 = b.funds[0]
        .units
        .iter()
        .flat_map(|u| &u.aggregates.as_ref().unwrap().months)
        .map(|m| m.cases)
        .sum();
    assert_eq!(cases, 33);
    assert_eq!(b.created_from.case_records, 33);
    assert!(verify(&json).unwrap().matches);
}

// ---- round trips across the engine's features ----

#[test]
fn round_trip_with_alliances_qc_adjustments_and_prepaid_summaries() {
    let mut policy = spec10_policy();
    policy.settlement.unit = SettlementUnit::Alliance;
    policy.settlement.qc_failed = QcFailed::LowestWeight;
    let mut data = spec10_dataset();
    data.institutions[1].alliance = Some("医共体甲".into());
    data.institutions[2].alliance = Some("医共体甲".into());
    data.institutions[2].assessment_score = Some(d("85"));
    data.institutions.push(institution("H4", "一级", None));
    // A case that failed 质控 and was supplemented, one that was never supplemented, and a
    // case with 先进医疗技术 paid outside DIP.
    edit_cases(&mut data, |cases| {
        cases[1].qc_passed = false;
        cases[1].supplemented = true;
        cases[4].qc_passed = false;
        cases[6].excluded_cost = d("1234.56");
    });
    // Summaries: H4 gives months and an annual figure with its prepayment.
    let summary =
        |month: Option<u8>, points: &str, cost: &str, personal: &str, prepaid: Option<&str>| InstitutionSummary {
            institution: "H4".into(),
            fund: Fund::Employee,
            month,
            points: d(points),
            total_cost: d(cost),
            personal_burden: d(personal),
            prepaid: prepaid.map(d),
            cases: Some(2),
        };
    data.summaries = vec![
        summary(Some(3), "77.123456789", "8000", "1500", None),
        summary(Some(9), "12.5", "1500.55", "300.11", None),
        summary(None, "3", "100", "20", Some("5000")),
    ];
    data.adjustments = vec![InstitutionAdjustment {
        institution: "H1".into(),
        fund: Fund::Employee,
        label: "审核扣款".into(),
        points: d("-10.25"),
        amount: d("-321.09"),
        basis: String::new(),
        quality_reserve_deduction: Decimal::ZERO,
    }];
    let bundle = publish::publish(&policy, &data, 1).unwrap();
    let f = &bundle.funds[0];
    assert_eq!(
        f.units.iter().map(|u| u.code.as_str()).collect::<Vec<_>>(),
        ["H1", "医共体甲", "H4"]
    );
    assert_eq!(f.units[1].institutions, ["H2", "H3"]);
    assert_eq!(f.units[2].aggregates.as_ref().unwrap().prepaid, Some(d("5000")));
    let v = verify(&bundle.to_json()).unwrap();
    assert!(v.matches, "{:#?}", v.differences);
}

#[test]
fn round_trip_for_every_preset() {
    // Each preset's own rules (two funds, cost bases, quality reserve, allotment, monthly
    // profiles) on SPEC §10's cases, copied into the resident fund as well.
    for name in dipcalc::policy::preset_names() {
        let policy = dipcalc::policy::preset(name).unwrap().unwrap();
        let mut data = spec10_dataset();
        let residents: Vec<Case> = data
            .cases
            .cases()
            .map(|c| Case {
                fund: Fund::Resident,
                ..c
            })
            .collect();
        data.cases.extend(residents);
        for (n, inst) in data.institutions.iter_mut().enumerate() {
            inst.history = vec![d("100000") + Decimal::from(n as u64 * 7000), d("90000")];
        }
        let bundle = match publish::publish(&policy, &data, 1) {
            Ok(b) => b,
            Err(e) => panic!("{name}: {e}"),
        };
        let v = verify(&bundle.to_json()).unwrap();
        assert!(v.matches, "{name}: {:#?}", v.differences);
    }
}

#[test]
fn a_settler_with_its_case_table_gives_the_same_bundle() {
    // The page's session keeps cases in the engine's compact table; the bundle must not change.
    let (policy, data) = marked_dataset();
    let expected = publish::publish(&policy, &data, 1).unwrap();
    let mut settler = dipcalc::engine::Settler::new(data);
    let settlement = settler.settle(&policy).unwrap();
    let bundle = publish::make_bundle(&policy, &settlement, settler.data(), 1).unwrap();
    assert_eq!(bundle, expected);
}

// ---- small-cell suppression (issue 11) ----

/// Every published total whose parts are partly hidden hides at least two of them, holding
/// together at least `k` cases: what subtraction recovers is never a small cell.
fn assert_nothing_small_is_recoverable(f: &publish::PublishedFund, k: u64) {
    let hidden_units = f.units.iter().filter(|u| u.suppressed).count();
    if hidden_units > 0 {
        assert!(hidden_units >= 2, "{:?}: one unit hidden under the fund's year", f.fund);
        assert!(f.suppressed_units.as_ref().unwrap().cases >= k);
    }
    for u in &f.units {
        let Some(a) = &u.aggregates else { continue };
        assert!(a.year.cases == 0 || a.year.cases >= k, "{} year", u.code);
        for m in &a.months {
            assert!(
                m.cases == 0 || m.cases >= k,
                "{} month {} has {} cases",
                u.code,
                m.month,
                m.cases
            );
        }
        if let Some(h) = &a.suppressed_months {
            assert!(h.months.len() >= 2 && h.cases >= k, "{}: {:?}", u.code, h);
        }
    }
    for p in &f.months {
        if let Some(c) = &p.suppressed_cells {
            assert!(c.cases >= k, "{} hides {} cases", p.period, c.cases);
        }
    }
    assert!(f.months.iter().filter(|p| p.suppressed).count() != 1);
}

#[test]
fn spec10_by_default_publishes_no_single_case_month_and_none_can_be_recovered() {
    // SPEC §10: eleven cases, each alone in its unit's month (one patient's bill); units of 4, 4
    // and 3 cases. At the default of 10 none of the months' costs or personal burdens is
    // published, nor any unit's year (each < 10), nor any fund month with a case; what is left
    // is the fund's year (11 cases), and it still verifies.
    let json = publish::publish(&spec10_policy(), &spec10_dataset(), publish::DEFAULT_MIN_CASES)
        .unwrap()
        .to_json();
    let b = Bundle::from_json(&json).unwrap();
    assert_eq!(b.min_cases, 10);
    let f = &b.funds[0];
    assert!(f
        .units
        .iter()
        .all(|u| u.suppressed && u.aggregates.is_none() && u.results.is_none()));
    for p in &f.months[..11] {
        assert!(p.suppressed && p.pool.is_none() && p.points.is_none() && p.point_value.is_none());
    }
    assert!(f.quarters.iter().all(|q| q.suppressed && q.pool.is_none()));
    // No 33000 / 9000 (H1's January case) or any other single case's cost anywhere.
    for cost in ["\"33000", "\"9000", "\"75000", "\"9800", "\"3500"] {
        assert!(!json.contains(cost), "{cost} is published");
    }
    assert_eq!(f.point_value, Some(d("115.909793")));
    assert_eq!(f.totals.cases, 11);
    assert_nothing_small_is_recoverable(f, 10);
    let v = verify(&json).unwrap();
    assert!(v.matches && v.hash_matches == Some(true), "{:?}", v.differences);
}

fn synth_region(cases: u64, seed: u64) -> (Policy, Dataset) {
    use dipcalc::input::{read_cases, read_catalog, read_institutions, ReadOptions, Source};
    use dipcalc::synth::{Synth, SynthSize};
    let synth = Synth::new(SynthSize::cases(cases), seed);
    let mut bytes = Vec::new();
    let totals = synth.write_cases_csv(&mut bytes).unwrap();
    let opts = ReadOptions::default();
    let src = |name, bytes| Source { name, bytes };
    let data = Dataset {
        institutions: read_institutions(src("institutions.csv", synth.institutions_csv().as_bytes()), &opts)
            .unwrap()
            .records,
        catalog: read_catalog(src("catalog.csv", synth.catalog_csv().as_bytes()), &opts)
            .unwrap()
            .records,
        cases: read_cases(src("cases.csv", &bytes), &opts).unwrap().records.into(),
        ..Dataset::default()
    };
    (synth.policy(&totals), data)
}

#[test]
fn a_region_with_small_months_hides_them_in_pairs_and_verifies() {
    // 2,000 cases over 10 institutions: small institutions have months under 10 cases, large
    // ones do not. Published figures all stand on 10 cases or more, the hidden ones come in
    // pairs at least, and verification still recomputes every published figure.
    for seed in [1, 2, 3] {
        let (policy, data) = synth_region(2_000, seed);
        let b = publish::publish(&policy, &data, 10).unwrap();
        let hidden: usize = b
            .funds
            .iter()
            .flat_map(|f| &f.units)
            .filter_map(|u| u.aggregates.as_ref()?.suppressed_months.as_ref())
            .map(|h| h.months.len())
            .sum();
        let shown: usize = b
            .funds
            .iter()
            .flat_map(|f| &f.units)
            .filter_map(|u| u.aggregates.as_ref())
            .map(|a| a.months.len())
            .sum();
        assert!(hidden > 0 && shown > 0, "seed {seed}: {hidden} hidden, {shown} shown");
        for f in &b.funds {
            assert_nothing_small_is_recoverable(f, 10);
        }
        let v = verify(&b.to_json()).unwrap();
        assert!(v.matches, "seed {seed}: {:?}", v.differences);
        // A published unit's settlement one fen up is still named (cents are exact where the
        // suppressed figures cannot move them).
        if b.funds[0].suppressed_units.is_none() {
            let mut t: Value = serde_json::from_str(&b.to_json()).unwrap();
            let s = &mut t["funds"][0]["units"][0]["results"]["settlement"];
            *s = Value::String((s.as_str().unwrap().parse::<Decimal>().unwrap() + Decimal::new(1, 2)).to_string());
            let w = verify(&t.to_string()).unwrap();
            assert!(
                w.differences
                    .iter()
                    .any(|d| d.field == "settlement" && d.section == "unit"),
                "seed {seed}"
            );
        }
        // The same data with every figure published verifies too, and has more of them.
        let all = verify(&publish::publish(&policy, &data, 1).unwrap().to_json()).unwrap();
        assert!(
            all.matches && all.checked > v.checked,
            "{} {} {:?}",
            all.checked,
            v.checked,
            all.differences.first()
        );
    }
}

#[test]
fn tampered_suppressed_sums_are_refused() {
    let (policy, data) = synth_region(2_000, 1);
    let json = publish::publish(&policy, &data, 10).unwrap().to_json();
    let mut v: Value = serde_json::from_str(&json).unwrap();
    let cells = &mut v["funds"][0]["suppressed_cells"]["total_cost"];
    let bumped = (cells.as_str().unwrap().parse::<Decimal>().unwrap() + Decimal::ONE).to_string();
    *cells = Value::String(bumped);
    assert_eq!(verify(&v.to_string()).unwrap_err().code, "suppressed_totals");
}

#[test]
fn a_fund_with_fewer_cases_than_the_minimum_is_not_published() {
    let mut data = spec10_dataset();
    edit_cases(&mut data, |cases| cases.truncate(5));
    let e = publish::publish(&spec10_policy(), &data, 10).unwrap_err();
    assert_eq!(e.code, "too_few_cases");
    assert!(e.message_en.contains("5 cases"), "{}", e.message_en);
}

/// A bundle of a settlement under the budget rules (sub-budgets by 机构类别, 扣减质量保证金, 弹性点值
/// with each institution's base) carries their inputs and verifies; without them it is as before.
#[test]
fn the_budget_rules_inputs_travel_in_the_bundle() {
    use dipcalc::policy::{ElasticBase, ElasticPointValue, QualityReserve, QualityReserveBase, SubBudget};
    let mut policy = spec10_policy();
    let fp = policy.funds.employee.as_mut().unwrap();
    fp.quality_reserve = QualityReserve {
        rate: d("0.05"),
        base: QualityReserveBase::AfterDeductions,
    };
    fp.sub_budgets = vec![
        SubBudget {
            label: "医院".into(),
            levels: vec!["三甲".into(), "二甲".into()],
            categories: vec![],
            share: Some(d("0.8")),
            amount: None,
        },
        SubBudget {
            label: "基层".into(),
            levels: vec![],
            categories: vec!["卫生院".into()],
            share: Some(d("0.2")),
            amount: None,
        },
    ];
    policy.point_value.elastic = Some(ElasticPointValue {
        fixed_share: None,
        fixed_value: Some(d("100")),
        floor: None,
        cap: None,
        base: ElasticBase::Institution,
    });
    let mut data = spec10_dataset();
    data.institutions[2].budget_inputs.category = Some("卫生院".into());
    data.institutions[0].budget_inputs.base_points = Some(d("900"));
    data.adjustments.push(InstitutionAdjustment {
        institution: "H2".into(),
        fund: Fund::Employee,
        label: "推诿拒收病人".into(),
        points: Decimal::ZERO,
        amount: Decimal::ZERO,
        basis: String::new(),
        quality_reserve_deduction: d("300"),
    });
    let json = publish::publish(&policy, &data, 1).unwrap().to_json();
    assert!(json.contains("\"category\": \"卫生院\"") && json.contains("\"quality_reserve_deduction\": \"300\""));
    let check = publish::verify(&json).unwrap();
    assert!(check.matches, "{:?}", check);
    assert!(!spec10_bundle_json().contains("budget_inputs"));
}
