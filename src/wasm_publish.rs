//! The publication bundle's bindings (`src/publish.rs`, `docs/bundle.md`), wasm32 only: the
//! public page (`www/public.html`) verifies and hashes a bundle in the browser with the same
//! engine, and the calculator page makes one from its [`Session`].
//!
//! Bundles cross as JSON text; results come back as plain objects (decimals as strings) through
//! the binding layer's `to_js`; failures go through its one adapter, [`crate::wasm::into_error`]
//! (kind `engine`, the bundle error's code as the row's `path`, messages in both languages).

use crate::engine::EngineError;
use crate::publish::{self, PublishError};
use crate::wasm::{into_error, to_js, Problem, Session};
use wasm_bindgen::prelude::*;

fn publish_error(e: PublishError) -> JsValue {
    into_error(Problem::Engine(EngineError::new(
        &e.code,
        &e.code,
        e.message_zh,
        e.message_en,
    )))
}

/// Recompute a bundle from its aggregates and policy and compare every published figure:
/// `{ matches, checked, differences: [{ fund, section, subject, name, field, published,
/// recomputed }], sha256, sha256_in_file, hash_matches, bundle_engine_version, engine_version }`.
#[wasm_bindgen]
pub fn verify_bundle(json: &str) -> Result<JsValue, JsValue> {
    let v = publish::verify(json).map_err(publish_error)?;
    to_js(&v)
}

/// SHA-256 (lowercase hex) of a bundle's canonical form without its `sha256` field; equals
/// `jq -cjS 'del(.sha256)' bundle.json | sha256sum`.
#[wasm_bindgen]
pub fn bundle_hash(json: &str) -> Result<String, JsValue> {
    publish::bundle_hash(json).map_err(publish_error)
}

/// The publication bundle (JSON text, as `dipcalc publish` writes it) of the session's data
/// settled under a policy (JSON text), no figure derived from fewer than `min_cases` cases
/// (`undefined`: the command line's default, 10).
#[wasm_bindgen]
pub fn publish_bundle(session: &mut Session, policy_json: &str, min_cases: Option<u32>) -> Result<String, JsValue> {
    let min_cases = min_cases.map_or(publish::DEFAULT_MIN_CASES, u64::from);
    let bundle = session
        .with_settled(policy_json, |policy, settlement, data| {
            publish::make_bundle(policy, settlement, data.data(), min_cases)
        })?
        .map_err(publish_error)?;
    Ok(bundle.to_json())
}
