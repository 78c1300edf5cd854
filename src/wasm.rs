//! The thin binding layer between the engine and the page (compiled for wasm32 only).
//!
//! Rules for everything exported here:
//! - Decimals cross the boundary as strings, both ways (`"187600"`, `"115.909793"`), never as
//!   JavaScript numbers, so no figure is ever rounded through a binary float.
//! - Nothing here panics on user input: every failure is returned as a JavaScript `Error`
//!   through the one adapter, [`js_error`], and thrown by the generated glue.
//! - No domain logic lives here; functions parse, call the engine, and format.

use std::fmt::Display;
use std::str::FromStr;

use rust_decimal::Decimal;
use wasm_bindgen::prelude::*;

use crate::engine::rounding::round_point_value;

/// The one adapter from a Rust error to a JavaScript `Error`: `what` names the input or step
/// (in the words a user sees on the page), `err` says what went wrong.
fn js_error(what: &str, err: impl Display) -> JsError {
    JsError::new(&format!("{what}: {err}"))
}

/// Parses a decimal the user typed (surrounding spaces allowed), naming the field on failure.
fn parse_decimal(what: &str, text: &str) -> Result<Decimal, JsError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(js_error(what, "empty"));
    }
    Decimal::from_str(text).map_err(|err| js_error(what, format_args!("{text:?} is not a decimal number ({err})")))
}

/// The engine's version (the crate version), shown on the page.
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_string()
}

/// The point value: the pool to be paid out through points divided by all points, rounded
/// for reporting as SPEC §2 says (6 decimals, at least 6 significant digits).
///
/// `point_value("187600", "1618.5")` is `"115.909793"` (SPEC §10).
#[wasm_bindgen]
pub fn point_value(pool: String, points: String) -> Result<String, JsError> {
    let pool = parse_decimal("pool", &pool)?;
    let points = parse_decimal("points", &points)?;
    if points.is_zero() {
        return Err(js_error("points", "must not be zero"));
    }
    let value = pool.checked_div(points).ok_or_else(|| js_error("point value", "out of range"))?;
    Ok(round_point_value(value, 6).to_string())
}
