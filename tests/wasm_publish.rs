//! The publication bundle's bindings (`src/wasm_publish.rs`) as JavaScript sees them, in
//! headless Chromium: the page's session makes the bundle the command line makes from the same
//! files; it verifies in the browser; a settlement changed by 0.01 is named.
#![cfg(target_arch = "wasm32")]

use dipcalc::input::{self, ReadOptions, Source};
use dipcalc::records::Dataset;
use dipcalc::wasm::Session;
use dipcalc::wasm_publish::{bundle_hash, publish_bundle, verify_bundle};
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

fn session_bundle() -> String {
    let mut s = Session::new();
    s.import_table("institutions", "institutions.csv", INSTITUTIONS, JsValue::UNDEFINED)
        .unwrap();
    s.import_table("catalog", "catalog.csv", CATALOG, JsValue::UNDEFINED)
        .unwrap();
    s.import_table("cases", "cases.csv", CASES, JsValue::UNDEFINED).unwrap();
    publish_bundle(&mut s, POLICY, Some(1)).unwrap()
}

#[wasm_bindgen_test]
fn the_session_bundle_is_the_command_line_bundle() {
    // `dipcalc publish` reads the same files through the same input layer and calls
    // publish::publish: the page's bundle must be byte for byte the same.
    let opts = ReadOptions::default();
    let data = Dataset {
        institutions: input::read_institutions(
            Source {
                name: "institutions.csv",
                bytes: INSTITUTIONS,
            },
            &opts,
        )
        .unwrap()
        .records,
        catalog: input::read_catalog(
            Source {
                name: "catalog.csv",
                bytes: CATALOG,
            },
            &opts,
        )
        .unwrap()
        .records,
        cases: input::read_cases(
            Source {
                name: "cases.csv",
                bytes: CASES,
            },
            &opts,
        )
        .unwrap()
        .records
        .into(),
        ..Default::default()
    };
    let policy = dipcalc::policy::Policy::from_json(POLICY).unwrap();
    assert_eq!(
        session_bundle(),
        dipcalc::publish::publish(&policy, &data, 1).unwrap().to_json()
    );
}

#[wasm_bindgen_test]
fn a_bundle_verifies_in_the_browser() {
    let json = session_bundle();
    let v = verify_bundle(&json).unwrap();
    assert_eq!(get(&v, "matches"), JsValue::TRUE);
    assert_eq!(get(&v, "hash_matches"), JsValue::TRUE);
    let hash = bundle_hash(&json).unwrap();
    assert_eq!(get(&v, "sha256").as_string(), Some(hash.clone()));
    assert!(json.contains(&format!("\"sha256\": \"{hash}\"")));
}

#[wasm_bindgen_test]
fn a_changed_settlement_is_named() {
    let json = session_bundle().replace("\"53086.68\"", "\"53086.69\"");
    let v = verify_bundle(&json).unwrap();
    assert_eq!(get(&v, "matches"), JsValue::FALSE);
    let diffs = js_sys::Array::from(&get(&v, "differences"));
    assert_eq!(diffs.length(), 1);
    let d = diffs.get(0);
    assert_eq!(get(&d, "subject").as_string().as_deref(), Some("H2"));
    assert_eq!(get(&d, "name").as_string().as_deref(), Some("示例医院二"));
    assert_eq!(get(&d, "field").as_string().as_deref(), Some("settlement"));
    assert_eq!(get(&d, "published").as_string().as_deref(), Some("53086.69"));
    assert_eq!(get(&d, "recomputed").as_string().as_deref(), Some("53086.68"));
}

#[wasm_bindgen_test]
fn errors_come_through_the_one_adapter_in_both_languages() {
    let err = verify_bundle("{\"format\":\"x\"}").unwrap_err();
    assert_eq!(get(&err, "kind").as_string().as_deref(), Some("engine"));
    let row = js_sys::Array::from(&get(&err, "errors")).get(0);
    assert_eq!(get(&row, "path").as_string().as_deref(), Some("not_a_bundle"));
    assert!(get(&row, "message_zh").as_string().unwrap().contains("不是公开数据包"));
    assert!(js_sys::Error::from(err)
        .message()
        .as_string()
        .unwrap()
        .contains("not a publication bundle"));
    // A session with nothing loaded cannot publish.
    assert!(publish_bundle(&mut Session::new(), POLICY, None).is_err());
}
