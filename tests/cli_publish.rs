//! `dipcalc publish` and `dipcalc verify` on real files (SPEC §10 in `tests/fixtures/spec10/`).
#![cfg(not(target_arch = "wasm32"))]

use dipcalc::input::{self, ReadOptions, Source};
use dipcalc::records::Dataset;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/spec10");

fn dipcalc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dipcalc"))
        .args(args)
        .output()
        .expect("run dipcalc")
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dipcalc-cli-publish-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn fix(name: &str) -> String {
    format!("{FIX}/{name}")
}

/// `dipcalc publish --min-cases 1` (every figure published) on the §10 files, to `out` (or
/// stdout when `None`).
fn publish(out: Option<&Path>) -> Output {
    publish_with(out, "1")
}

fn publish_with(out: Option<&Path>, min_cases: &str) -> Output {
    let (p, c, g, i) = (
        fix("policy.json"),
        fix("cases.csv"),
        fix("catalog.csv"),
        fix("institutions.csv"),
    );
    let mut args = vec![
        "publish",
        "--policy",
        &p,
        "--cases",
        &c,
        "--catalog",
        &g,
        "--institutions",
        &i,
        "--min-cases",
        min_cases,
    ];
    let o;
    if let Some(out) = out {
        o = out.to_string_lossy().into_owned();
        args.extend(["--out", &o]);
    }
    dipcalc(&args)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn publish_then_verify_matches() {
    let path = tmp("bundle.json");
    let out = publish(Some(&path));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let bundle: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(bundle["funds"][0]["point_value"], "115.909793");
    assert_eq!(bundle["funds"][0]["units"][1]["name"], "示例医院二");
    let sha = bundle["sha256"].as_str().unwrap();
    assert!(
        text(&out.stderr).contains(sha),
        "the hash is shown: {}",
        text(&out.stderr)
    );

    let v = dipcalc(&["verify", &path.to_string_lossy()]);
    assert!(v.status.success(), "{}{}", text(&v.stdout), text(&v.stderr));
    let report = text(&v.stdout);
    assert!(report.contains(&format!("SHA-256 {sha}")), "{report}");
    assert!(report.contains("一致："), "{report}");
    let en = dipcalc(&["verify", &path.to_string_lossy(), "--lang", "en"]);
    assert!(text(&en.stdout).contains("matches: all"), "{}", text(&en.stdout));
}

#[test]
fn a_tampered_bundle_fails_naming_the_institution() {
    let path = tmp("tampered.json");
    assert!(publish(Some(&path)).status.success());
    let json = std::fs::read_to_string(&path).unwrap();
    assert_eq!(json.matches("\"53086.68\"").count(), 1, "H2's settlement appears once");
    std::fs::write(&path, json.replace("\"53086.68\"", "\"53086.69\"")).unwrap();
    let v = dipcalc(&["verify", &path.to_string_lossy(), "--lang", "en"]);
    assert_eq!(v.status.code(), Some(1));
    let report = text(&v.stdout);
    assert!(
        report.contains("employee unit H2 示例医院二 settlement: published 53086.69, recomputed 53086.68"),
        "{report}"
    );
    assert!(report.contains("differs from the sha256 in the file"), "{report}");
    assert!(text(&v.stderr).contains("verification failed"));
}

#[test]
fn the_command_line_bundle_is_the_library_bundle_of_the_same_files() {
    // Same inputs, same bytes: twice from the command line, to a file and to stdout, and from
    // the library reading the same files.
    let path = tmp("same.json");
    assert!(publish(Some(&path)).status.success());
    let file = std::fs::read(&path).unwrap();
    let stdout = publish(None);
    assert!(stdout.status.success());
    assert_eq!(stdout.stdout, file);

    let read = |name: &str| std::fs::read(fix(name)).unwrap();
    let opts = ReadOptions::default();
    let (i, g, c) = (read("institutions.csv"), read("catalog.csv"), read("cases.csv"));
    let data = Dataset {
        institutions: input::read_institutions(
            Source {
                name: "institutions.csv",
                bytes: &i,
            },
            &opts,
        )
        .unwrap()
        .records,
        catalog: input::read_catalog(
            Source {
                name: "catalog.csv",
                bytes: &g,
            },
            &opts,
        )
        .unwrap()
        .records,
        cases: input::read_cases(
            Source {
                name: "cases.csv",
                bytes: &c,
            },
            &opts,
        )
        .unwrap()
        .records
        .into(),
        ..Default::default()
    };
    let policy = dipcalc::policy::Policy::from_json(&std::fs::read_to_string(fix("policy.json")).unwrap()).unwrap();
    let lib = dipcalc::publish::publish(&policy, &data, 1).unwrap().to_json();
    assert_eq!(text(&file), lib);
}

#[test]
fn the_documented_recipe_recomputes_the_hash() {
    // docs/bundle.md: Python's json.dumps(sort_keys, compact, ensure_ascii=False) of the bundle
    // without sha256, hashed — an independent implementation of the canonical form.
    let path = tmp("recipe.json");
    assert!(publish(Some(&path)).status.success());
    let bundle: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let script = "import json,sys,hashlib; v=json.load(open(sys.argv[1], encoding='utf-8')); v.pop('sha256',None); \
                  print(hashlib.sha256(json.dumps(v,sort_keys=True,separators=(',',':'),ensure_ascii=False).encode()).hexdigest())";
    let Ok(py) = Command::new("python3")
        .args(["-c", script, &path.to_string_lossy()])
        .output()
    else {
        eprintln!("python3 not found: recipe not checked");
        return;
    };
    assert!(py.status.success(), "{}", text(&py.stderr));
    assert_eq!(text(&py.stdout).trim(), bundle["sha256"].as_str().unwrap());
}

#[test]
fn publish_from_summaries_and_usage_errors() {
    let path = tmp("summaries.json");
    let (p, g, i) = (fix("policy.json"), fix("catalog.csv"), fix("institutions.csv"));
    let summary = tmp("summary.csv");
    std::fs::write(&summary, "机构编码,险种,月份,总点数,医疗总费用,个人负担\nH1,职工,,1000.5,125700,28200\nH2,职工,,458,46700,11400\nH3,职工,,160,17000,3100\n").unwrap();
    let path_text = path.to_string_lossy().into_owned();
    let summary_text = summary.to_string_lossy().into_owned();
    let mut args = vec![
        "publish",
        "--policy",
        &p,
        "--summary",
        &summary_text,
        "--catalog",
        &g,
        "--institutions",
        &i,
        "--out",
        &path_text,
    ];
    // Summaries without case counts: small cells cannot be told, so the default refuses.
    let refused = dipcalc(&args);
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stderr).contains("病例数"), "{}", text(&refused.stderr));
    args.extend(["--min-cases", "1"]);
    let out = dipcalc(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let bundle: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(bundle["created_from"]["input"], "summaries");
    assert_eq!(bundle["funds"][0]["units"][1]["results"]["settlement"], "53086.68");
    assert!(dipcalc(&["verify", &path.to_string_lossy()]).status.success());

    assert_eq!(dipcalc(&["verify"]).status.code(), Some(2));
    assert_eq!(
        dipcalc(&["verify", &path.to_string_lossy(), "--out", "x"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(dipcalc(&["publish", "--policy", &p]).status.code(), Some(2));
    let missing = dipcalc(&["verify", "/nonexistent/bundle.json"]);
    assert_eq!(missing.status.code(), Some(1));
    let not_bundle = dipcalc(&["verify", &p, "--lang", "en"]);
    assert_eq!(not_bundle.status.code(), Some(1));
    assert!(
        text(&not_bundle.stderr).contains("not a publication bundle"),
        "{}",
        text(&not_bundle.stderr)
    );
}

#[test]
fn the_default_bundle_hides_the_single_case_months_and_still_verifies() {
    // SPEC §10 by default (at least 10 cases behind a figure): its eleven unit-months each hold
    // one case and its units 4, 4 and 3, so only the fund's year is published; it verifies.
    let path = tmp("suppressed.json");
    let out = publish_with(Some(&path), "10");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let b: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(b["min_cases"], 10);
    let f = &b["funds"][0];
    assert!(f["units"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["suppressed"] == true && u["aggregates"].is_null()));
    assert_eq!(f["point_value"], "115.909793");
    let v = dipcalc(&["verify", &path.to_string_lossy(), "--lang", "en"]);
    assert!(v.status.success(), "{}{}", text(&v.stdout), text(&v.stderr));
    let bad = dipcalc(&["publish", "--min-cases", "0", "--policy", "x"]);
    assert_eq!(bad.status.code(), Some(2));
}
