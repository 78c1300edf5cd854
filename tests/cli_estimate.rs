//! `dipcalc estimate` on SPEC §10's files (SPEC §11): JSON and CSV out, the published table,
//! and bad input with exit status 1 or 2.
#![cfg(not(target_arch = "wasm32"))]

use serde_json::Value;
use std::process::Command;

const FIX: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/spec10");

fn estimate(extra: &[&str]) -> std::process::Output {
    let files = ["policy", "cases", "catalog", "institutions"];
    let mut args = vec!["estimate".to_string()];
    for f in files {
        let ext = if f == "policy" { "json" } else { "csv" };
        args.extend([format!("--{f}"), format!("{FIX}/{f}.{ext}")]);
    }
    args.extend(["--draws".to_string(), "30".to_string()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    Command::new(env!("CARGO_BIN_EXE_dipcalc"))
        .args(&args)
        .output()
        .expect("run dipcalc")
}

#[test]
fn json_with_the_cut_off_and_ranges() {
    let out = estimate(&["--through", "11"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &v["funds"][0];
    assert_eq!(f["months"]["through"], 11);
    assert_eq!(f["months"]["projected"], serde_json::json!([12]));
    // 175,525 ÷ 1,618.5 (tests/estimate.rs has the arithmetic)
    assert_eq!(f["point_value"]["central"], "108.449181");
    assert_eq!(f["units"].as_array().unwrap().len(), 3);
    assert!(String::from_utf8_lossy(&out.stderr).contains("月度权重取自平均分配"));
    // Reported as the settlement reports: money to the fen, points to 4 decimals.
    let two_places = |x: &Value| {
        let s = x.as_str().unwrap();
        s.split_once('.').is_some_and(|(_, frac)| frac.len() == 2)
    };
    for u in f["units"].as_array().unwrap() {
        for fig in ["settlement", "target", "fund_pays", "net_to_pay"] {
            for p in ["central", "p10", "p50", "p90"] {
                assert!(two_places(&u[fig][p]), "{fig} {p}: {}", u[fig][p]);
            }
        }
    }
    assert!(
        f["total_points"]["p90"]
            .as_str()
            .unwrap()
            .split_once('.')
            .unwrap()
            .1
            .len()
            <= 4
    );
    for interval in ["run_rate", "predictive"] {
        let out = estimate(&["--through", "6", "--interval", interval]);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["interval"], interval);
    }
}

#[test]
fn csv_one_row_per_unit() {
    let out = estimate(&["--format", "csv", "--lang", "en"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].starts_with("fund,code,name,through,projected months,point value,point value P10"));
    assert!(lines[1].starts_with("employee,H1,"));
}

#[test]
fn published_table_and_its_errors() {
    let dir = std::env::temp_dir().join(format!("dipcalc-estimate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("published.csv");
    std::fs::write(&good, "险种,月份,区域总点数\n职工,1,339\n职工,2,508.5\n").unwrap();
    let out = estimate(&["--through", "2", "--published", good.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["region"], "published");

    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "险种,月份,点值\n职工,1,0\n").unwrap();
    let out = estimate(&["--published", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("第 2 行 C 列「点值」：“0” 不大于 0"), "{err}");

    let resident = dir.join("resident.csv");
    std::fs::write(&resident, "险种,月份,区域总点数\n居民,1,100\n").unwrap();
    let out = estimate(&["--published", resident.to_str().unwrap(), "--lang", "en"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("published figures row 2"), "{err}");
    assert!(err.contains("does not settle"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_options_are_usage_errors() {
    for args in [
        ["--through", "x"],
        ["--growth", "lots"],
        ["--profile", "weekly"],
        ["--interval", "wide"],
    ] {
        let out = estimate(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let out = estimate(&["--through", "13"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("截止月份 13 不在 1–12 之间"));
}
