//! Each test file says where it runs: `tests/wasm_*.rs` in the browser (wasm32 only), every other
//! file natively only, so `wasm-pack test` and `make test-wasm` compile just the wasm tests.
#![cfg(not(target_arch = "wasm32"))]

use std::fs;
use std::path::Path;

#[test]
fn every_test_file_says_whether_it_runs_natively_or_as_wasm() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut unmarked = Vec::new();
    for entry in fs::read_dir(&dir).expect("tests/ is readable") {
        let path = entry.expect("a directory entry").path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
            continue;
        };
        if !name.ends_with(".rs") {
            continue;
        }
        let text = fs::read_to_string(&path).expect("a test file");
        let wanted = if name.starts_with("wasm_") {
            "#![cfg(target_arch = \"wasm32\")]"
        } else {
            "#![cfg(not(target_arch = \"wasm32\"))]"
        };
        if !text.lines().take(20).any(|l| l.trim() == wanted) {
            unmarked.push(format!("{name}: {wanted}"));
        }
    }
    assert!(
        unmarked.is_empty(),
        "test files without their target line: {unmarked:#?}"
    );
}
