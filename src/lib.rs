//! # dipcalc
//!
//! The calculator for 区域点数法总额预算 + 按病种分值付费 (DIP): a regional global budget paid out
//! through points, where the point value is the budget divided by all points in the region.
//!
//! Layout: [`engine`] is the pure domain core (budget, coefficients, points, point value,
//! settlement), [`records`] the typed input records, [`policy`] the policy schema and presets,
//! `input` turns bytes into records with located errors, and `wasm` is the thin binding layer.

pub mod calibrate;
pub mod engine;
mod exact_sum;
pub mod export;
pub mod export_xlsx;
pub mod input;
pub mod policy;
pub mod publish;
pub mod records;
pub mod synth;
#[cfg(target_arch = "wasm32")]
pub mod wasm;
#[cfg(target_arch = "wasm32")]
pub mod wasm_publish;

/// The engine's version, shown on the page and in the command line's output.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
