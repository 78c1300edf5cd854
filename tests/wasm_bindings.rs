//! The wasm binding layer (`src/wasm.rs`) as the page sees it, in headless Chromium.
//! Run by `make test-wasm`; compiled to nothing natively.
#![cfg(target_arch = "wasm32")]

use dipcalc::wasm::{point_value, version};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// The message of the JavaScript `Error` a binding returned.
fn message(err: JsValue) -> String {
    js_sys::Error::from(err).message().into()
}

fn pv(pool: &str, points: &str) -> Result<String, String> {
    point_value(pool.to_string(), points.to_string()).map_err(message)
}

#[wasm_bindgen_test]
fn version_is_the_crate_version() {
    assert_eq!(version(), env!("CARGO_PKG_VERSION"));
}

#[wasm_bindgen_test]
fn spec_section_10_point_value() {
    // 187,600 ÷ 1,618.5 = 115.9097930182…, reported to 6 decimals.
    assert_eq!(pv("187600", "1618.5"), Ok("115.909793".to_string()));
}

#[wasm_bindgen_test]
fn small_point_values_keep_six_significant_digits() {
    assert_eq!(pv("1159.083", "100000"), Ok("0.0115908".to_string()));
}

#[wasm_bindgen_test]
fn surrounding_spaces_are_allowed() {
    assert_eq!(pv(" 187600 ", "\t1618.5\n"), Ok("115.909793".to_string()));
}

#[wasm_bindgen_test]
fn bad_input_is_a_js_error_naming_the_field() {
    let err = pv("18万", "1618.5").unwrap_err();
    assert!(err.starts_with("pool: "), "{err}");
    let err = pv("187600", "").unwrap_err();
    assert_eq!(err, "points: empty");
    let err = pv("187600", "0").unwrap_err();
    assert_eq!(err, "points: must not be zero");
}

#[wasm_bindgen_test]
fn overflow_is_an_error_not_a_panic() {
    let err = pv("79228162514264337593543950335", "0.0000000000000000000000000001").unwrap_err();
    assert!(err.starts_with("point value: "), "{err}");
}
