//! The input layer stays acyclic (issue #12): no module under `src/input/` imports, directly or
//! through others, a module that imports it. `mod.rs` is the façade and is left out; test
//! modules (after `#[cfg(test)]`) and comments are not imports.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Each module of `src/input/` and the sibling modules its non-test code names.
fn sibling_imports() -> BTreeMap<String, BTreeSet<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/input");
    let mut sources = BTreeMap::new();
    for entry in fs::read_dir(&dir).expect("src/input is readable") {
        let path = entry.expect("a directory entry").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        if path.extension().is_some_and(|e| e == "rs") && name != "mod" {
            let text = fs::read_to_string(&path).expect("a source file");
            let code = text.split("#[cfg(test)]").next().unwrap_or_default().to_string();
            sources.insert(name, code);
        }
    }
    let names: BTreeSet<String> = sources.keys().cloned().collect();
    sources
        .iter()
        .map(|(name, code)| {
            let used = names
                .iter()
                .filter(|other| *other != name && names_module(code, other))
                .cloned()
                .collect();
            (name.clone(), used)
        })
        .collect()
}

/// Whether code outside comments names `super::module` or `crate::input::module`.
fn names_module(code: &str, module: &str) -> bool {
    code.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .any(|line| {
            [format!("super::{module}::"), format!("crate::input::{module}::")]
                .iter()
                .any(|path| line.contains(path.as_str()))
        })
}

/// A path of imports from `start` back to itself, if there is one.
fn cycle_from(start: &str, graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    let mut stack = vec![vec![start.to_string()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().expect("a path is never empty");
        for next in graph.get(last).into_iter().flatten() {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(start.to_string());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
    None
}

#[test]
fn the_input_modules_import_each_other_without_a_cycle() {
    let graph = sibling_imports();
    assert!(graph.len() > 10, "the input layer's modules are found: {graph:?}");
    let cycles: Vec<String> = graph
        .keys()
        .filter_map(|m| cycle_from(m, &graph))
        .map(|c| c.join(" → "))
        .collect();
    assert!(cycles.is_empty(), "import cycles in src/input: {cycles:#?}");
}

#[test]
fn a_cycle_is_found_when_there_is_one() {
    let graph: BTreeMap<String, BTreeSet<String>> =
        [("a", vec!["b"]), ("b", vec!["c"]), ("c", vec!["a"]), ("d", vec!["a"])]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
            .collect();
    assert_eq!(
        cycle_from("a", &graph).map(|c| c.join(" → ")),
        Some("a → b → c → a".to_string())
    );
    assert_eq!(cycle_from("d", &graph), None);
}
