//! `dipcalc publish` and `dipcalc verify`: publication bundles on the command line
//! (`docs/bundle.md`), the same bundle the page makes from the same inputs.
//!
//! ```text
//! dipcalc publish --policy P.json|--preset NAME --institutions I --catalog G [--cases C]
//!                 [--summary S] [--outpatient O] [--adjustments A] [--out bundle.json] [--lang zh|en]
//!                 [--min-cases N] …
//! dipcalc verify bundle.json [--lang zh|en]
//! ```

use super::{failed, load_inputs, parse_flags, usage, Failure};
use dipcalc::engine::Settler;
use dipcalc::input::Lang;
use dipcalc::publish::{self, PublishError};
use std::io::Write;

fn message(e: PublishError, lang: Lang) -> Failure {
    failed(match lang {
        Lang::Zh => e.message_zh,
        Lang::En => e.message_en,
    })
}

/// Settle the inputs as `run` does and write the bundle (to `--out`, or stdout). The hash and a
/// one-line summary go to stderr.
pub fn publish(args: &[String]) -> Result<(), Failure> {
    let flags = parse_flags(args)?;
    if flags.contains_key("format") {
        return Err(usage("publish writes a bundle (JSON); --format is for run"));
    }
    let min_cases = match flags.get("min-cases") {
        None => publish::DEFAULT_MIN_CASES,
        Some(n) => n
            .parse::<u64>()
            .ok()
            .filter(|&n| n >= 1)
            .ok_or_else(|| usage(format!("--min-cases must be a whole number ≥ 1, not {n}")))?,
    };
    let (lang, policy, data, cases) = load_inputs(&flags, "publish")?;
    let mut settler = Settler::from_parts(data, cases);
    let settlement = settler.settle(&policy).map_err(|e| message(e.into(), lang))?;
    let bundle = publish::make_bundle(&policy, &settlement, settler.data(), min_cases).map_err(|e| message(e, lang))?;
    let json = bundle.to_json();
    match flags.get("out") {
        Some(path) => {
            std::fs::write(path, &json).map_err(|e| failed(format!("{path}: 无法写入 / cannot write: {e}")))?
        }
        None => std::io::stdout()
            .lock()
            .write_all(json.as_bytes())
            .map_err(|e| failed(e.to_string()))?,
    }
    let units: usize = bundle.funds.iter().map(|f| f.units.len()).sum();
    let sha = bundle.sha256.unwrap_or_default();
    eprintln!(
        "{}",
        match lang {
            Lang::Zh => format!(
                "公开数据包：{} 个基金，{units} 个结算单位；SHA-256 {sha}",
                bundle.funds.len()
            ),
            Lang::En => format!(
                "publication bundle: {} funds, {units} settlement units; SHA-256 {sha}",
                bundle.funds.len()
            ),
        }
    );
    Ok(())
}

/// Recompute a bundle and compare; exit 1 when a figure or the stored hash does not match.
pub fn verify(args: &[String]) -> Result<(), Failure> {
    let (path, rest) = match args.split_first() {
        Some((p, rest)) if !p.starts_with("--") => (p, rest),
        _ => return Err(usage("verify needs a bundle file: dipcalc verify bundle.json")),
    };
    let flags = parse_flags(rest)?;
    let lang = match flags.get("lang").map(String::as_str) {
        None | Some("zh") => Lang::Zh,
        Some("en") => Lang::En,
        Some(other) => return Err(usage(format!("--lang must be zh or en, not {other}"))),
    };
    if let Some(extra) = flags.keys().find(|k| k.as_str() != "lang") {
        return Err(usage(format!("verify takes only --lang, not --{extra}")));
    }
    let bytes = std::fs::read(path).map_err(|e| failed(format!("{path}: 无法读取 / cannot read: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| failed(format!("{path}: 数据包应为 UTF-8 JSON / a bundle is UTF-8 JSON")))?;
    let v = publish::verify(&text).map_err(|e| message(e, lang))?;
    let zh = lang == Lang::Zh;
    let mut out = Vec::new();
    out.push(format!("SHA-256 {}", v.sha256));
    match (&v.sha256_in_file, v.hash_matches) {
        (Some(_), Some(true)) => out.push(if zh {
            "与文件中的 sha256 一致".into()
        } else {
            "equals the sha256 in the file".into()
        }),
        (Some(h), _) => out.push(if zh {
            format!("与文件中的 sha256 {h} 不一致")
        } else {
            format!("differs from the sha256 in the file, {h}")
        }),
        (None, _) => out.push(if zh {
            "文件中没有 sha256".into()
        } else {
            "the file has no sha256".into()
        }),
    }
    if v.matches {
        out.push(if zh {
            format!(
                "一致：{} 个公布数字全部复算相符（引擎 {}）",
                v.checked, v.engine_version
            )
        } else {
            format!(
                "matches: all {} published figures recomputed (engine {})",
                v.checked, v.engine_version
            )
        });
    } else {
        out.push(if zh {
            format!(
                "不一致：{} 个数字与复算不符（共核对 {} 个）",
                v.differences.len(),
                v.checked
            )
        } else {
            format!(
                "does not match: {} of {} figures differ",
                v.differences.len(),
                v.checked
            )
        });
        for d in &v.differences {
            let who = match (d.subject.as_str(), d.name.as_str()) {
                ("", _) => String::new(),
                (s, n) if n.is_empty() || n == s => format!(" {s}"),
                (s, n) => format!(" {s} {n}"),
            };
            let recomputed = d.recomputed.clone().unwrap_or_else(|| "—".into());
            out.push(if zh {
                format!(
                    "  {} {}{who} {}：公布 {}，复算 {recomputed}",
                    d.fund.label_zh(),
                    d.section,
                    d.field,
                    d.published
                )
            } else {
                format!(
                    "  {} {}{who} {}: published {}, recomputed {recomputed}",
                    d.fund.key(),
                    d.section,
                    d.field,
                    d.published
                )
            });
        }
    }
    let text = out.join("\n") + "\n";
    if v.matches && v.hash_matches != Some(false) {
        print!("{text}");
        Ok(())
    } else {
        // The report is the result, on stdout; the verdict also goes to stderr with exit 1.
        print!("{text}");
        Err(failed(if zh { "核验未通过" } else { "verification failed" }))
    }
}
