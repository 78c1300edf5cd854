//! The thin binding layer between the engine and the page (compiled for wasm32 only).
//!
//! Rules for everything exported here:
//! - Decimals cross the boundary as strings, both ways (`"187600"`, `"115.909793"`), never as
//!   JavaScript numbers, so no figure is ever rounded through a binary float.
//! - Results go out through [`to_js`] (`serde_wasm_bindgen`'s JSON-compatible serializer, so
//!   maps become plain objects); options come in through `serde_wasm_bindgen::from_value`.
//! - Nothing here panics on user input: every failure is a [`Problem`] turned into a JavaScript
//!   `Error` by the one adapter, [`into_error`], and thrown by the generated glue. The error
//!   carries `kind` and `errors` (rows for the page's error table, in Chinese and English).
//! - No domain logic lives here; functions parse, call the engine or the input layer, and
//!   format. The data a page loads stays in wasm memory inside a [`Session`]: a million case rows
//!   are never copied through JavaScript.

mod calibrate;
mod session;

pub use calibrate::Calibrator;
pub use session::Session;

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::engine::rounding::round_point_value;
use crate::engine::EngineError;
use crate::input::{ImportFailure, InputError, Lang, ReadOptions, Source, TableKind};
use crate::policy::{self, Policy, PolicyError};

/// Everything that can go wrong in a binding, before it becomes a JavaScript `Error`.
#[derive(Debug)]
pub enum Problem {
    /// A plain argument was wrong: `what` names it as the page shows it.
    Argument { what: String, detail: String },
    /// A file could not be imported (located errors).
    Import(ImportFailure),
    /// The files loaded do not fit together (unknown codes, duplicates).
    Check(Vec<InputError>),
    /// The policy was rejected (errors by field path).
    Policy(PolicyError),
    /// The engine could not settle (located by institution, group or case row).
    Engine(EngineError),
    /// Nothing to work on yet (no institutions, no cases…).
    Missing { zh: String, en: String },
    /// Writing an export failed.
    Export(String),
}

impl Problem {
    pub(crate) fn argument(what: &str, detail: impl std::fmt::Display) -> Self {
        Problem::Argument {
            what: what.to_string(),
            detail: detail.to_string(),
        }
    }
}

/// One row of the page's error table: where, and what, in both languages.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ErrorRow {
    /// File or table name (policy errors: empty).
    pub file: String,
    pub sheet: Option<String>,
    pub row: Option<u64>,
    /// Column letter.
    pub column: Option<String>,
    /// Header text of the column.
    pub header: Option<String>,
    /// The cell's text.
    pub value: Option<String>,
    /// Policy field path, or the institution / group an engine error is about.
    pub path: Option<String>,
    /// `error` or `warning`.
    pub severity: String,
    pub message_zh: String,
    pub message_en: String,
}

pub(crate) fn input_rows(errors: &[InputError]) -> Vec<ErrorRow> {
    errors
        .iter()
        .map(|e| {
            let zh = e.view(Lang::Zh);
            let en = e.view(Lang::En);
            ErrorRow {
                file: zh.file,
                sheet: zh.sheet,
                row: zh.row,
                column: zh.column,
                header: zh.header,
                value: zh.value,
                path: None,
                severity: "error".into(),
                message_zh: zh.message,
                message_en: en.message,
            }
        })
        .collect()
}

pub(crate) fn policy_rows(issues: &[policy::PolicyIssue]) -> Vec<ErrorRow> {
    issues
        .iter()
        .map(|i| ErrorRow {
            path: Some(i.path.clone()),
            severity: match i.severity {
                policy::Severity::Warning => "warning".into(),
                policy::Severity::Error => "error".into(),
            },
            message_zh: format!("{}：{}", i.path, i.message_zh),
            message_en: format!("{}: {}", i.path, i.message_en),
            ..ErrorRow::default()
        })
        .collect()
}

/// The one adapter from a [`Problem`] to a JavaScript `Error`. `message` is English (and for
/// arguments exactly `what: detail`); `kind` says which family it is (`argument`, `import`,
/// `check`, `policy`, `engine`, `missing`, `export`); `errors` are [`ErrorRow`]s; `total` counts
/// the errors found, including those not kept.
pub fn into_error(problem: Problem) -> JsValue {
    let (kind, message, rows, total) = match problem {
        Problem::Argument { what, detail } => {
            let message = format!("{what}: {detail}");
            let row = ErrorRow {
                path: Some(what),
                severity: "error".into(),
                message_zh: message.clone(),
                message_en: message.clone(),
                ..ErrorRow::default()
            };
            ("argument", message, vec![row], 1)
        }
        Problem::Import(f) => ("import", f.message(Lang::En), input_rows(&f.errors), f.total),
        Problem::Check(errors) => {
            let message = errors
                .iter()
                .map(|e| e.message(Lang::En))
                .collect::<Vec<_>>()
                .join("\n");
            let n = errors.len();
            ("check", message, input_rows(&errors), n)
        }
        Problem::Policy(e) => ("policy", e.to_string(), policy_rows(&e.issues), e.issues.len()),
        Problem::Engine(e) => {
            let row = ErrorRow {
                row: e.row,
                path: Some(e.subject.clone()),
                severity: "error".into(),
                message_zh: e.message_zh.clone(),
                message_en: e.message_en.clone(),
                ..ErrorRow::default()
            };
            ("engine", e.message_en, vec![row], 1)
        }
        Problem::Missing { zh, en } => {
            let row = ErrorRow {
                severity: "error".into(),
                message_zh: zh,
                message_en: en.clone(),
                ..ErrorRow::default()
            };
            ("missing", en, vec![row], 1)
        }
        Problem::Export(detail) => {
            let row = ErrorRow {
                severity: "error".into(),
                message_zh: format!("导出失败：{detail}"),
                message_en: format!("export failed: {detail}"),
                ..ErrorRow::default()
            };
            ("export", format!("export failed: {detail}"), vec![row], 1)
        }
    };
    let error = js_sys::Error::new(&message);
    let set = |key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&error, &JsValue::from_str(key), &value);
    };
    set("kind", JsValue::from_str(kind));
    set("errors", to_js(&rows).unwrap_or(JsValue::NULL));
    set("total", JsValue::from_f64(total as f64));
    error.into()
}

impl From<Problem> for JsValue {
    fn from(p: Problem) -> JsValue {
        into_error(p)
    }
}

/// A Rust value as a plain JavaScript value (maps as objects, decimals as strings).
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| into_error(Problem::argument("result", e)))
}

/// Parses a decimal the user typed (surrounding spaces allowed), naming the field on failure.
pub(crate) fn parse_decimal(what: &str, text: &str) -> Result<Decimal, Problem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Problem::argument(what, "empty"));
    }
    Decimal::from_str(text)
        .map_err(|err| Problem::argument(what, format_args!("{text:?} is not a decimal number ({err})")))
}

pub(crate) fn parse_policy(json: &str) -> Result<Policy, Problem> {
    Policy::from_json(json).map_err(Problem::Policy)
}

pub(crate) fn parse_table(kind: &str) -> Result<TableKind, Problem> {
    serde_json::from_value(serde_json::Value::String(kind.to_string())).map_err(|_| {
        Problem::argument(
            "table",
            format_args!(
                "{kind:?} is not one of cases, catalog, institutions, summaries, outpatient, adjustments, published"
            ),
        )
    })
}

pub(crate) fn parse_lang(lang: &str) -> Lang {
    if lang == "en" {
        Lang::En
    } else {
        Lang::Zh
    }
}

/// Read options from the page (`{encoding, delimiter, sheet, columns, skip_bad_rows}`, any left
/// out); `undefined` or `null` = guess everything.
pub(crate) fn parse_options(options: JsValue) -> Result<ReadOptions, Problem> {
    if options.is_undefined() || options.is_null() {
        return Ok(ReadOptions::default());
    }
    serde_wasm_bindgen::from_value(options).map_err(|e| Problem::argument("options", e))
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
pub fn point_value(pool: String, points: String) -> Result<String, JsValue> {
    let pool = parse_decimal("pool", &pool)?;
    let points = parse_decimal("points", &points)?;
    if points.is_zero() {
        return Err(Problem::argument("points", "must not be zero").into());
    }
    let value = pool
        .checked_div(points)
        .ok_or_else(|| Problem::argument("point value", "out of range"))?;
    Ok(round_point_value(value, 6).to_string())
}

#[derive(Serialize)]
struct PresetInfo {
    name: &'static str,
    title: String,
    year: u16,
}

/// The presets: `[{name, title, year}]`, in the order the page lists them.
#[wasm_bindgen]
pub fn presets() -> Result<JsValue, JsValue> {
    let list: Vec<PresetInfo> = policy::PRESETS
        .iter()
        .map(|(name, json)| {
            let p = Policy::from_json(json).ok();
            PresetInfo {
                name,
                title: p.as_ref().map(|p| p.title.clone()).unwrap_or_default(),
                year: p.map(|p| p.year).unwrap_or(0),
            }
        })
        .collect();
    to_js(&list)
}

/// A preset's policy JSON, exactly as `dipcalc preset NAME` prints it.
#[wasm_bindgen]
pub fn preset_json(name: &str) -> Result<String, JsValue> {
    policy::preset_json(name).map(str::to_string).ok_or_else(|| {
        Problem::argument(
            "preset",
            format_args!("no preset named {name:?}; try {}", policy::preset_names().join(", ")),
        )
        .into()
    })
}

#[derive(Serialize)]
struct Validation {
    ok: bool,
    /// Errors (when not ok) or warnings, as error-table rows with `path`.
    issues: Vec<ErrorRow>,
}

/// Checks a policy: `{ok, issues}`, issues being errors (ok = false) or warnings, each with the
/// field path so the page can mark the field.
#[wasm_bindgen]
pub fn validate_policy(json: &str) -> Result<JsValue, JsValue> {
    let v = match Policy::from_json(json) {
        Ok(p) => Validation {
            ok: true,
            issues: p.validate().map(|w| policy_rows(&w)).unwrap_or_default(),
        },
        Err(e) => Validation {
            ok: false,
            issues: policy_rows(&e.issues),
        },
    };
    to_js(&v)
}

/// The fields of a table (`cases`, `catalog`, `institutions`, `summaries`, `outpatient`, `adjustments`) for the
/// column-mapping dialog: `{table, label_zh, label_en, fields: [{key, zh, en, aliases}], required}`.
#[wasm_bindgen]
pub fn table_fields(kind: &str) -> Result<JsValue, JsValue> {
    to_js(&crate::input::table_fields(parse_table(kind)?))
}

/// The first `max_rows` rows of a file as text cells, decoded as the import would decode them
/// (encoding, delimiter and sheet from `options` or guessed).
#[wasm_bindgen]
pub fn preview(file_name: &str, bytes: &[u8], options: JsValue, max_rows: u32) -> Result<JsValue, JsValue> {
    let opts = parse_options(options)?;
    let p =
        crate::input::preview(Source { name: file_name, bytes }, &opts, max_rows as usize).map_err(Problem::Import)?;
    to_js(&p)
}
