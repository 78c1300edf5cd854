//! The page's `Calibrator` (src/wasm/calibrate.rs) as JavaScript sees it, in headless Chromium:
//! SPEC §10's cases as one history year give the command line's scores, the catalog and the
//! simulation; a bad history file is a thrown `Error` with located rows. Run by `make test-wasm`.
#![cfg(target_arch = "wasm32")]

use dipcalc::wasm::Calibrator;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const POLICY: &str = include_str!("fixtures/spec10/policy.json");
const CASES: &[u8] = include_bytes!("fixtures/spec10/cases.csv");
const CATALOG: &[u8] = include_bytes!("fixtures/spec10/catalog.csv");
const INSTITUTIONS: &[u8] = include_bytes!("fixtures/spec10/institutions.csv");

fn loaded() -> Calibrator {
    let mut c = Calibrator::new();
    assert_eq!(c.add_history("2024.csv", CASES, JsValue::UNDEFINED).unwrap(), 11.0);
    c.set_institutions("institutions.csv", INSTITUTIONS, JsValue::UNDEFINED)
        .unwrap();
    c.set_catalog("catalog.csv", CATALOG, JsValue::UNDEFINED).unwrap();
    c
}

#[wasm_bindgen_test]
fn scores_catalog_and_simulation() {
    let mut c = loaded();
    let cal: serde_json::Value = serde_json::from_str(&c.calibrate_json("{}").unwrap()).unwrap();
    // G1 = (12500 + 9800 + 4000 + 9900) ÷ 4 = 9050; M = 189400 ÷ 11; 9050 ÷ M × 1000 = 525.6072
    assert_eq!(cal["groups"][0]["score"], "525.6072");
    let csv = c.catalog_csv("zh").unwrap();
    assert!(
        csv.starts_with("病种编码,病种名称,病种分值,基层病种,次均费用,"),
        "{csv}"
    );
    let sim: serde_json::Value = serde_json::from_str(&c.simulate_json(POLICY, false).unwrap()).unwrap();
    assert_eq!(sim[0]["total"]["settlement"], "187600.00");
    assert!(!c.catalog_xlsx("en").unwrap().is_empty());
}

#[wasm_bindgen_test]
fn a_bad_history_file_is_a_located_error() {
    let mut c = Calibrator::new();
    let bad = String::from_utf8(CASES.to_vec()).unwrap().replace("12500", "12x500");
    let err = c
        .add_history("2023.csv", bad.as_bytes(), JsValue::UNDEFINED)
        .unwrap_err();
    let kind = js_sys::Reflect::get(&err, &JsValue::from_str("kind")).unwrap();
    assert_eq!(kind.as_string().as_deref(), Some("import"));
    let err = Calibrator::new().calibrate_json("{}").unwrap_err();
    assert!(js_sys::Error::from(err).message().as_string().is_some());
}

#[wasm_bindgen_test]
fn a_history_file_read_in_chunks_is_the_same_year() {
    let mut whole = loaded();
    let mut chunked = Calibrator::new();
    chunked.begin_history("2024.csv", JsValue::UNDEFINED).unwrap();
    let mut rows = 0.0;
    for chunk in CASES.chunks(37) {
        rows = chunked.push_history(chunk).unwrap();
    }
    assert!(rows <= 11.0);
    assert_eq!(chunked.finish_history().unwrap(), 11.0);
    assert_eq!(chunked.history_years(), 1);
    chunked
        .set_institutions("institutions.csv", INSTITUTIONS, JsValue::UNDEFINED)
        .unwrap();
    chunked.set_catalog("catalog.csv", CATALOG, JsValue::UNDEFINED).unwrap();
    assert_eq!(
        chunked.calibrate_json("{}").unwrap(),
        whole.calibrate_json("{}").unwrap()
    );
    // finish without begin is an argument error, not a panic
    assert!(chunked.finish_history().is_err());
}

#[wasm_bindgen_test]
fn the_policy_in_force_the_proposal_and_the_budgeted_point_value() {
    let mut c = loaded();
    let cal: serde_json::Value = serde_json::from_str(&c.calibrate_with_policy_json("{}", POLICY).unwrap()).unwrap();
    // SPEC §10's policy has no level table: nothing in force beside the proposal.
    let levels = cal["levels"]["levels"].as_array().unwrap();
    assert!(levels.iter().all(|l| l["current"].is_null()));
    let proposed: serde_json::Value = serde_json::from_str(&c.proposed_policy_json(POLICY).unwrap()).unwrap();
    let table = proposed["coefficients"]["levels"].as_array().unwrap();
    assert_eq!(table.len(), levels.len());
    assert_eq!(table[0]["coefficient"], levels[0]["proposed"]);
    let sim: serde_json::Value = serde_json::from_str(&c.simulate_json(POLICY, false).unwrap()).unwrap();
    // The budgeted point value is the one the simulation settles at; PV₀ beside it.
    assert_eq!(sim[0]["budgeted_point_value"], sim[0]["point_value"]);
    assert_eq!(sim[0]["year_start_point_value"], cal["point_value"]["value"]);
    assert!(sim[0]["difference_rate"].is_string());
    c.clear_tables();
    assert!(c.simulate_json(POLICY, false).is_err());
}
