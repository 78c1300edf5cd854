//! The pure settlement engine: no I/O, no wasm, `Decimal` everywhere.

pub mod rounding;
