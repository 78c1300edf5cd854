//! The page's `Session` (src/wasm/session.rs) as JavaScript sees it, in headless Chromium: the
//! SPEC §10 files imported whole and in chunks give the §10 figures; errors come back as thrown
//! `Error`s with `kind` and located `errors`; exports read back. Run by `make test-wasm`.
#![cfg(target_arch = "wasm32")]

use dipcalc::engine::result::Settlement;
use dipcalc::wasm::{preset_json, presets, preview, table_fields, validate_policy, Session};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const POLICY: &str = include_str!("fixtures/spec10/policy.json");
const CASES: &[u8] = include_bytes!("fixtures/spec10/cases.csv");
const CATALOG: &[u8] = include_bytes!("fixtures/spec10/catalog.csv");
const INSTITUTIONS: &[u8] = include_bytes!("fixtures/spec10/institutions.csv");

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

fn text(v: &JsValue, path: &[&str]) -> String {
    let mut v = v.clone();
    for key in path {
        v = match key.parse::<u32>() {
            Ok(i) => js_sys::Array::from(&v).get(i),
            Err(_) => get(&v, key),
        };
    }
    v.as_string().unwrap_or_else(|| format!("{v:?}"))
}

fn loaded() -> Session {
    let mut s = Session::new();
    s.import_table("institutions", "institutions.csv", INSTITUTIONS, JsValue::UNDEFINED)
        .unwrap();
    s.import_table("catalog", "catalog.csv", CATALOG, JsValue::UNDEFINED)
        .unwrap();
    s.import_table("cases", "cases.csv", CASES, JsValue::UNDEFINED).unwrap();
    s
}

fn settlement(s: &mut Session, policy: &str) -> Settlement {
    serde_wasm_bindgen::from_value(s.settle(policy).unwrap()).unwrap()
}

#[wasm_bindgen_test]
fn spec10_point_value_and_h2_settlement() {
    let mut s = loaded();
    let v = s.settle(POLICY).unwrap();
    // Decimals cross as strings: PV 115.909793, H2's reconciled S 53,086.68 (SPEC §10).
    assert_eq!(text(&v, &["funds", "0", "point_value"]), "115.909793");
    assert_eq!(text(&v, &["funds", "0", "units", "1", "code"]), "H2");
    assert_eq!(text(&v, &["funds", "0", "units", "1", "settlement"]), "53086.68");
    let back = settlement(&mut s, POLICY);
    assert_eq!(back.funds[0].totals.fund_pays.to_string(), "143734.44");
}

#[wasm_bindgen_test]
fn cases_in_chunks_give_the_same_result() {
    let mut s = Session::new();
    s.import_table("institutions", "institutions.csv", INSTITUTIONS, JsValue::UNDEFINED)
        .unwrap();
    s.import_table("catalog", "catalog.csv", CATALOG, JsValue::UNDEFINED)
        .unwrap();
    s.begin_cases("cases.csv", JsValue::NULL).unwrap();
    let mut rows = 0.0;
    for chunk in CASES.chunks(7) {
        rows = s.push_cases(chunk).unwrap();
    }
    let report = s.finish_cases().unwrap();
    // Rows are emitted once the encoding is decided (64 KiB in, or at the end for a small file).
    assert!(rows <= 11.0, "{rows}");
    assert_eq!(get(&get(&report, "report"), "records").as_f64(), Some(11.0));
    assert_eq!(
        text(&report, &["notes_en", "0"]),
        "encoding UTF-8 (the file is valid UTF-8)"
    );
    assert_eq!(
        settlement(&mut s, POLICY).funds[0].point_value.unwrap().to_string(),
        "115.909793"
    );
    assert_eq!(get(&s.counts().unwrap(), "cases").as_f64(), Some(11.0));
}

#[wasm_bindgen_test]
fn a_bad_file_throws_located_errors() {
    let mut s = Session::new();
    let bad = "机构编码,险种,病种编码,医疗总费用,个人负担,结算日期\nH1,职工,G1,12abc,100,2024-01-03\n";
    let err = s
        .import_table("cases", "bad.csv", bad.as_bytes(), JsValue::UNDEFINED)
        .unwrap_err();
    assert_eq!(text(&err, &["kind"]), "import");
    assert_eq!(get(&err, "total").as_f64(), Some(1.0));
    let row = js_sys::Array::from(&get(&err, "errors")).get(0);
    assert_eq!(text(&row, &["file"]), "bad.csv");
    assert_eq!(get(&row, "row").as_f64(), Some(2.0));
    assert_eq!(text(&row, &["column"]), "D");
    assert_eq!(text(&row, &["value"]), "12abc");
    assert!(
        text(&row, &["message_zh"]).starts_with("bad.csv 第 2 行 D 列「医疗总费用」"),
        "{}",
        text(&row, &["message_zh"])
    );
    assert!(js_sys::Error::from(err)
        .message()
        .as_string()
        .unwrap()
        .contains("row 2"));
}

#[wasm_bindgen_test]
fn a_column_mapping_reads_an_unrecognised_header() {
    let mut s = Session::new();
    let csv = "机构编码,险种,病种编码,金额合计,个人负担,结算日期\nH1,职工,G1,12500,3000,2024-03-05\n";
    let err = s
        .import_table("cases", "odd.csv", csv.as_bytes(), JsValue::UNDEFINED)
        .unwrap_err();
    assert!(text(&js_sys::Array::from(&get(&err, "errors")).get(0), &["message_en"]).contains("missing column"));
    let options = js_sys::JSON::parse(r#"{"columns": {"total_cost": "金额合计"}}"#).unwrap();
    let report = s.import_table("cases", "odd.csv", csv.as_bytes(), options).unwrap();
    assert_eq!(get(&get(&report, "report"), "records").as_f64(), Some(1.0));
}

#[wasm_bindgen_test]
fn policy_errors_name_the_field() {
    let mut s = loaded();
    let bad = POLICY.replacen("\"rate\": \"0.10\"", "\"rate\": \"1.5\"", 1);
    assert_ne!(bad, POLICY);
    let err = s.settle(&bad).unwrap_err();
    assert_eq!(text(&err, &["kind"]), "policy");
    assert_eq!(text(&err, &["errors", "0", "path"]), "funds.employee.reserve.rate");
    let v = validate_policy(&bad).unwrap();
    assert_eq!(get(&v, "ok").as_bool(), Some(false));
    assert_eq!(text(&v, &["issues", "0", "path"]), "funds.employee.reserve.rate");
    assert_eq!(get(&validate_policy(POLICY).unwrap(), "ok").as_bool(), Some(true));
}

#[wasm_bindgen_test]
fn settling_before_loading_says_what_is_missing() {
    let mut s = Session::new();
    let err = s.settle(POLICY).unwrap_err();
    assert_eq!(text(&err, &["kind"]), "missing");
}

#[wasm_bindgen_test]
fn exports_read_back() {
    use calamine::{Data, Reader, Xlsx};
    let mut s = loaded();
    let csv = s.export_csv(POLICY, "zh").unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert!(csv.contains("H2,示例医院二,二甲") && csv.contains("53086.68"), "{csv}");
    let bytes = s.export_xlsx(POLICY, "zh").unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let r = book.worksheet_range("结算").unwrap();
    assert_eq!(r.get_value((2, 10)), Some(&Data::Float(53086.68)));
    let json = s.export_json(POLICY).unwrap();
    let back: Settlement = serde_json::from_str(&json).unwrap();
    assert_eq!(back.funds[0].point_value.unwrap().to_string(), "115.909793");
}

#[wasm_bindgen_test]
fn comparison_dilution_breakdown_and_curve() {
    let mut s = loaded();
    let scenario = POLICY.replacen("\"rate\": \"0.10\"", "\"rate\": \"0.12\"", 1);
    let c = s.compare(POLICY, &scenario).unwrap();
    assert_eq!(text(&c, &["funds", "0", "units", "1", "code"]), "H2");
    let budget: rust_decimal::Decimal = text(&c, &["funds", "0", "budget_before"]).parse().unwrap();
    assert_eq!(budget, rust_decimal::Decimal::from(144_900));
    let d = s.dilution(POLICY, "employee", "H2", "1000").unwrap();
    assert_eq!(text(&d, &["code"]), "H2");
    let lines = s.group_breakdown(POLICY, "employee", "H2").unwrap();
    assert_eq!(js_sys::Array::from(&lines).length(), 3);
    let curve = s.risk_sharing_curve(POLICY, "employee", "H2").unwrap();
    // H2: C 46,700 is 12.03% under S 53,086.68 — beyond the surplus band, T = C.
    assert_eq!(text(&curve, &["target"]), "46700");
    assert_eq!(text(&curve, &["band"]), "surplus_beyond");
    assert!(js_sys::Array::from(&get(&curve, "points")).length() > 80);
    // The 基层病种 effect by level (SPEC §8): 一级 (H3) has two of its three DIP cases in G2,
    // which lifts its effective coefficient from 0.8 to 160 ÷ 180.
    let levels: serde_json::Value =
        serde_json::from_str(&s.grassroots_by_level_json(POLICY, "employee").unwrap()).unwrap();
    let first = levels
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["level"] == "一级")
        .unwrap();
    assert_eq!(first["grassroots_share"], "0.666667");
    assert_eq!(first["effective_coefficient"], "0.888889");
    assert_eq!(first["nominal_coefficient"], "0.8");
}

#[wasm_bindgen_test]
fn presets_fields_and_preview() {
    let list = presets().unwrap();
    assert_eq!(js_sys::Array::from(&list).length(), 5);
    assert_eq!(text(&list, &["0", "name"]), "宁德2024");
    assert!(preset_json("宁德2024").unwrap().contains("\"name\": \"宁德2024\""));
    assert!(preset_json("nowhere").is_err());
    let f = table_fields("cases").unwrap();
    assert_eq!(text(&f, &["fields", "0", "key"]), "institution");
    assert!(table_fields("nope").is_err());
    let p = preview("cases.csv", CASES, JsValue::UNDEFINED, 3).unwrap();
    assert_eq!(text(&p, &["rows", "0", "cells", "0"]), "机构编码");
    assert_eq!(js_sys::Array::from(&get(&p, "rows")).length(), 3);
}

#[wasm_bindgen_test]
fn cases_naming_unknown_codes_are_all_listed() {
    // Cases sit in the session's compact table; the cross-file check still sees every unknown
    // code, with its first row (as in the file: the header is row 1) and how many cases name it.
    let mut cases = String::from_utf8(CASES.to_vec()).unwrap();
    cases.push_str("H9,职工,DIP,G3,1000,100,3,2024-03-01,,是\nH9,职工,DIP,G3,1000,100,3,2024-03-02,,是\nH1,职工,DIP,G77,1000,100,3,2024-03-03,,是\n");
    let mut s = Session::new();
    s.import_table("institutions", "institutions.csv", INSTITUTIONS, JsValue::UNDEFINED)
        .unwrap();
    s.import_table("catalog", "catalog.csv", CATALOG, JsValue::UNDEFINED)
        .unwrap();
    s.import_table("cases", "cases.csv", cases.as_bytes(), JsValue::UNDEFINED)
        .unwrap();
    let err = s.settle(POLICY).unwrap_err();
    assert_eq!(text(&err, &["kind"]), "check");
    let errors = js_sys::Array::from(&get(&err, "errors"));
    assert_eq!(errors.length(), 2);
    assert_eq!(get(&errors.get(0), "row").as_f64(), Some(13.0));
    assert!(
        text(&errors.get(0), &["message_en"]).contains("\"H9\" is not in the institutions table (2 records)"),
        "{}",
        text(&errors.get(0), &["message_en"])
    );
    assert_eq!(get(&errors.get(1), "row").as_f64(), Some(15.0));
    assert!(
        text(&errors.get(1), &["message_en"]).contains("\"G77\" is not in the catalog"),
        "{}",
        text(&errors.get(1), &["message_en"])
    );
    assert_eq!(js_sys::Array::from(&s.check().unwrap()).length(), 2);
}

/// The page's re-settle path: a summary (JSON text) plus each unit's details on request, the
/// comparison and the group breakdown as JSON text. All must say exactly what the engine says.
mod summaries {
    use super::*;
    use dipcalc::engine::{analysis, disclosure};
    use dipcalc::input::{self, ReadOptions, Source};
    use dipcalc::policy::Policy;
    use dipcalc::records::Dataset;
    use dipcalc::synth::{Synth, SynthSize};
    use serde_json::Value;

    struct Files {
        institutions: Vec<u8>,
        catalog: Vec<u8>,
        cases: Vec<u8>,
        policy: String,
    }

    fn spec10() -> Files {
        Files {
            institutions: INSTITUTIONS.to_vec(),
            catalog: CATALOG.to_vec(),
            cases: CASES.to_vec(),
            policy: POLICY.to_string(),
        }
    }

    /// A synthetic region: 5,000 cases, both funds, outliers, QC-failed and reviewed cases.
    fn region() -> Files {
        let synth = Synth::new(SynthSize::cases(5_000), 7);
        let mut cases = Vec::new();
        let totals = synth.write_cases_csv(&mut cases).unwrap();
        let policy = synth.policy(&totals).to_json();
        Files {
            institutions: synth.institutions_csv().into_bytes(),
            catalog: synth.catalog_csv().into_bytes(),
            cases,
            policy,
        }
    }

    fn session(f: &Files) -> Session {
        let mut s = Session::new();
        s.import_table("institutions", "institutions.csv", &f.institutions, JsValue::UNDEFINED)
            .unwrap();
        s.import_table("catalog", "catalog.csv", &f.catalog, JsValue::UNDEFINED)
            .unwrap();
        s.import_table("cases", "cases.csv", &f.cases, JsValue::UNDEFINED)
            .unwrap();
        s
    }

    /// The same files read and settled by the engine directly, without a session.
    fn dataset(f: &Files) -> Dataset {
        let o = ReadOptions::default();
        let src = |name, bytes| Source { name, bytes };
        Dataset {
            institutions: input::read_institutions(src("institutions.csv", &f.institutions), &o)
                .unwrap()
                .records,
            catalog: input::read_catalog(src("catalog.csv", &f.catalog), &o).unwrap().records,
            cases: input::read_cases(src("cases.csv", &f.cases), &o)
                .unwrap()
                .records
                .into(),
            ..Dataset::default()
        }
    }

    fn js_value(v: JsValue) -> Value {
        serde_wasm_bindgen::from_value(v).unwrap()
    }

    /// A scenario a slider makes: the deposit and, where the policy has a level table, a level's
    /// coefficient move.
    fn scenario(policy: &str) -> String {
        let mut p: Value = serde_json::from_str(policy).unwrap();
        p["settlement"]["deposit"]["rate"] = Value::from("0.08");
        if let Some(level) = p["coefficients"]["levels"].get_mut(0) {
            level["coefficient"] = Value::from("1.07");
        }
        p.to_string()
    }

    fn check(f: &Files) {
        let mut s = session(f);
        let data = dataset(f);
        for policy in [f.policy.clone(), scenario(&f.policy)] {
            let p = Policy::from_json(&policy).unwrap();
            // As the command line and the session give it: the engine's figures and its notices.
            let mut full = dipcalc::engine::settle(&p, &data).unwrap();
            let disclosed = disclosure::disclosures(&full, &data.institutions);
            full.notices.extend(disclosed);
            let mut expected = serde_json::to_value(&full).unwrap();
            let summary: Value = serde_json::from_str(&s.settle_summary_json(&policy).unwrap()).unwrap();
            for (fund, fv) in full.funds.iter().zip(expected["funds"].as_array_mut().unwrap()) {
                for (unit, uv) in fund.units.iter().zip(fv["units"].as_array_mut().unwrap()) {
                    let detail = js_value(s.unit_detail(&policy, fund.fund.key(), &unit.code).unwrap());
                    for key in ["months", "quarters", "trace"] {
                        assert_eq!(detail[key], uv[key], "{} {key}", unit.code);
                        uv[key] = Value::Array(Vec::new());
                    }
                    // One unit of the summary alone (the page's 本院 baseline).
                    let one: Value =
                        serde_json::from_str(&s.unit_summary_json(&policy, fund.fund.key(), &unit.code).unwrap())
                            .unwrap();
                    assert_eq!(one, *uv, "{}", unit.code);
                }
            }
            assert_eq!(summary, expected);
            assert_eq!(s.unit_summary_json(&policy, "employee", "NOPE").unwrap(), "null");
            // The whole settlement is still the command line's.
            assert_eq!(
                js_value(s.settle(&policy).unwrap()),
                serde_json::to_value(&full).unwrap()
            );
            let baseline = dipcalc::engine::settle(&Policy::from_json(&f.policy).unwrap(), &data).unwrap();
            let compared: Value = serde_json::from_str(&s.compare_json(&f.policy, &policy).unwrap()).unwrap();
            assert_eq!(
                compared,
                serde_json::to_value(analysis::compare(&baseline, &full)).unwrap()
            );
            // Institutions asked in turn (the session keeps the last one's cases apart), and back.
            let codes: Vec<&str> = data.institutions.iter().map(|i| i.code.as_str()).collect();
            for code in codes.iter().chain(codes.first()) {
                for fund in &full.funds {
                    let lines = analysis::group_breakdown(&p, &data, &data.cases, fund, code).unwrap();
                    let text: Value =
                        serde_json::from_str(&s.group_breakdown_json(&policy, fund.fund.key(), code).unwrap()).unwrap();
                    assert_eq!(text, serde_json::to_value(&lines).unwrap(), "{code}");
                    assert_eq!(
                        js_value(s.group_breakdown(&policy, fund.fund.key(), code).unwrap()),
                        text
                    );
                }
            }
        }
        assert_eq!(
            text(&s.unit_detail(&f.policy, "employee", "NOPE").unwrap_err(), &["kind"]),
            "argument"
        );
    }

    #[wasm_bindgen_test]
    fn summary_details_comparison_and_breakdown_equal_the_engine_spec10() {
        check(&spec10());
    }

    #[wasm_bindgen_test]
    fn summary_details_comparison_and_breakdown_equal_the_engine_region() {
        check(&region());
    }

    /// The page's worker prepares the outlier revisit while idle after a settle: nothing to
    /// prepare before a settle, ready after it, and the thresholds moved then settle as the
    /// engine settles afresh.
    #[wasm_bindgen_test]
    fn the_outlier_revisit_prepared_while_idle_settles_as_afresh() {
        let f = region();
        let mut s = session(&f);
        let data = dataset(&f);
        assert!(!s.prepare_outlier_revisit(&f.policy).unwrap(), "nothing settled yet");
        s.settle_summary_json(&f.policy).unwrap();
        assert!(s.prepare_outlier_revisit(&f.policy).unwrap());
        for high in ["1.7", "2.6", "2.2"] {
            let mut p: Value = serde_json::from_str(&f.policy).unwrap();
            p["points"]["outliers"]["high_ratio"] = Value::from(high);
            let policy = p.to_string();
            let mut fresh = dipcalc::engine::settle(&Policy::from_json(&policy).unwrap(), &data).unwrap();
            let disclosed = disclosure::disclosures(&fresh, &data.institutions);
            fresh.notices.extend(disclosed);
            assert_eq!(
                js_value(s.settle(&policy).unwrap()),
                serde_json::to_value(&fresh).unwrap(),
                "H = {high}"
            );
        }
    }
}

/// 上年病例 (SPEC §11): a previous year's case file read in chunks gives the estimate the monthly
/// shares `dipcalc estimate --previous-year FILE` gives (the engine's `PreviousYear`); a bad file
/// throws located errors and leaves the shares loaded before; cleared, `previous_year` is refused.
mod previous_year {
    use super::*;
    use dipcalc::engine::estimate::{self, EstimateInputs, EstimateOptions, PreviousYear, Profile};
    use dipcalc::engine::Settler;
    use dipcalc::input::{self, ReadOptions, Source};
    use dipcalc::policy::Policy;
    use dipcalc::records::cases::CaseTable;
    use dipcalc::records::Dataset;
    use serde_json::Value;

    const OPTIONS: &str = r#"{"through": 6, "profile": "previous_year", "draws": 50}"#;

    /// SPEC §10's cases moved to 2023: every month has points in the employee fund.
    fn last_year() -> String {
        String::from_utf8(CASES.to_vec()).unwrap().replace("2024-", "2023-")
    }

    fn read_previous(s: &mut Session, name: &str, bytes: &[u8]) -> Result<JsValue, JsValue> {
        s.begin_previous_year(name, JsValue::NULL)?;
        for chunk in bytes.chunks(7) {
            s.push_previous_year(chunk)?;
        }
        s.finish_previous_year(POLICY)
    }

    /// The estimate as the command line makes it: the previous year settled, its shares kept.
    fn engine_estimate(previous: &str) -> Value {
        let o = ReadOptions::default();
        let src = |name, bytes| Source { name, bytes };
        let data = Dataset {
            institutions: input::read_institutions(src("institutions.csv", INSTITUTIONS), &o)
                .unwrap()
                .records,
            catalog: input::read_catalog(src("catalog.csv", CATALOG), &o).unwrap().records,
            ..Dataset::default()
        };
        let policy = Policy::from_json(POLICY).unwrap();
        let cases = |name, bytes| CaseTable::from_cases(&input::read_cases(src(name, bytes), &o).unwrap().records);
        let settled = Settler::from_parts(data.clone(), cases("cases-2023.csv", previous.as_bytes()))
            .settle_without_traces(&policy)
            .unwrap();
        let shares = PreviousYear::from_settlement(&settled);
        let mut settler = Settler::from_parts(data, cases("cases.csv", CASES));
        let (data, agg) = settler.aggregates(&policy).unwrap();
        let opts: EstimateOptions = serde_json::from_str(OPTIONS).unwrap();
        assert_eq!(opts.profile, Profile::PreviousYear);
        let inputs = EstimateInputs {
            published: &[],
            previous_year: Some(&shares),
        };
        serde_json::to_value(estimate::estimate(&policy, data, agg, inputs, &opts).unwrap()).unwrap()
    }

    #[wasm_bindgen_test]
    fn a_previous_year_gives_the_monthly_weights_the_command_line_gives() {
        let mut s = loaded();
        let none = s.estimate_json(POLICY, OPTIONS).unwrap_err();
        assert_eq!(text(&none, &["kind"]), "engine");

        let previous = last_year();
        let v = read_previous(&mut s, "cases-2023.csv", previous.as_bytes()).unwrap();
        assert_eq!(get(&v, "cases").as_f64(), Some(11.0));
        assert_eq!(text(&v, &["profile", "funds", "0", "0"]), "employee");
        let got: Value = serde_json::from_str(&s.estimate_json(POLICY, OPTIONS).unwrap()).unwrap();
        assert_eq!(got["funds"][0]["months"]["profile"], "previous_year");
        assert_eq!(got, engine_estimate(&previous));

        // A bad file: located errors; the shares read before stay.
        let bad = "机构编码,险种,结算类型,病种编码,医疗总费用,个人负担,住院天数,结算日期\nH1,职工,DIP,G2,很多,850,4,2023-01-10\n";
        let err = read_previous(&mut s, "bad.csv", bad.as_bytes()).unwrap_err();
        assert_eq!(text(&err, &["kind"]), "import");
        let errors = js_sys::Array::from(&get(&err, "errors"));
        assert_eq!(get(&errors.get(0), "row").as_f64(), Some(2.0));
        assert_eq!(text(&errors.get(0), &["file"]), "bad.csv");
        let again: Value = serde_json::from_str(&s.estimate_json(POLICY, OPTIONS).unwrap()).unwrap();
        assert_eq!(again, got);

        // Cleared: no previous year to take the weights from.
        s.clear_previous_year();
        assert_eq!(
            text(&s.estimate_json(POLICY, OPTIONS).unwrap_err(), &["kind"]),
            "engine"
        );
    }
}
