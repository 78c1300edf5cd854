//! The seed presets (SPEC §9): each is a complete, valid policy in which every value names its
//! source document and article through `refs`, and the shipped JSON is exactly what the schema
//! reads and writes.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::d;
use dipcalc::policy::{
    leaf_paths, preset, preset_json, preset_names, BudgetRule, CoefficientMode, CostBasis, Mark, OutpatientSplit,
    Policy, PricingMethod, Reserve, SettlementMode, SettlementUnit, Severity, PRESETS,
};
use rust_decimal::Decimal;

fn load(name: &str) -> Policy {
    match preset(name) {
        Some(Ok(p)) => p,
        Some(Err(e)) => panic!("preset {name} does not load:\n{e}"),
        None => panic!("no preset named {name}"),
    }
}

/// Is `path` covered by a ref at `path` or at one of its ancestors?
fn covering_ref<'a>(p: &'a Policy, path: &str) -> Option<&'a str> {
    let mut candidate = path;
    loop {
        if let Some((key, _)) = p.refs.get_key_value(candidate) {
            return Some(key.as_str());
        }
        match candidate.rfind('.') {
            Some(dot) => candidate = &candidate[..dot],
            None => return None,
        }
    }
}

#[test]
fn presets_are_listed_in_page_order_under_their_own_names() {
    assert_eq!(
        preset_names(),
        vec!["宁德2024", "吉林2024", "信阳2019", "休宁2021", "国家DIP3.0"]
    );
    for (name, _) in PRESETS {
        assert_eq!(
            load(name).name,
            *name,
            "the file registered as {name} names itself differently"
        );
    }
}

#[test]
fn each_preset_parses_and_validates_without_errors() {
    for name in preset_names() {
        let p = load(name);
        let issues = p.validate().unwrap_or_else(|e| panic!("{name} fails validation:\n{e}"));
        for issue in &issues {
            assert_eq!(issue.severity, Severity::Warning);
            println!("{name}: warning at {}: {}", issue.path, issue.message_en);
        }
    }
}

/// A dangling ref only warns when a user's own policy has one (deleting a list item on the page
/// leaves its ref behind), but a shipped preset must cite only fields and sources that exist.
#[test]
fn no_preset_has_a_dangling_ref() {
    for name in preset_names() {
        let issues = load(name).validate().unwrap_or_else(|e| panic!("{name}: {e}"));
        let dangling: Vec<String> = issues
            .iter()
            .filter(|i| i.path.starts_with("refs."))
            .map(|i| format!("{}: {}", i.path, i.message_en))
            .collect();
        assert!(dangling.is_empty(), "{name}: {dangling:#?}");
    }
}

#[test]
fn every_leaf_of_every_preset_is_covered_by_a_ref() {
    for name in preset_names() {
        let p = load(name);
        let leaves = leaf_paths(&p);
        assert!(leaves.len() > 40, "{name}: suspiciously few leaves ({})", leaves.len());
        let uncovered: Vec<&String> = leaves.iter().filter(|l| covering_ref(&p, l).is_none()).collect();
        assert!(uncovered.is_empty(), "{name}: leaves without a ref: {uncovered:#?}");
    }
}

#[test]
fn every_ref_cites_a_listed_source_and_follows_the_marking_convention() {
    for name in preset_names() {
        let p = load(name);
        let ids: Vec<&str> = p.sources.iter().map(|s| s.id.as_str()).collect();
        for (path, r) in &p.refs {
            if let Some(src) = &r.source {
                assert!(
                    ids.contains(&src.as_str()),
                    "{name}: refs.{path} cites unlisted source {src}"
                );
            }
            let note = r.note.as_deref().unwrap_or("");
            assert!(!note.is_empty(), "{name}: refs.{path} has no note");
            match r.mark {
                // A seed value or a reading quotes its document and article.
                Mark::Seed | Mark::Reading => {
                    assert!(
                        r.source.is_some() && r.article.is_some(),
                        "{name}: refs.{path} ({:?}) needs source and article",
                        r.mark
                    );
                    assert_ne!(
                        r.source.as_deref(),
                        Some("SPEC"),
                        "{name}: refs.{path} is marked {:?} but cites SPEC",
                        r.mark
                    );
                }
                // A default says so, and names the SPEC section when it is a SPEC choice.
                Mark::Default => assert!(
                    note.starts_with("default, not in the seed") || note.starts_with("illustrative"),
                    "{name}: refs.{path} is a default whose note does not say so: {note}"
                ),
                Mark::User => panic!("{name}: refs.{path}: a shipped preset has no user values"),
            }
        }
        // Every listed source is cited somewhere.
        for id in ids {
            assert!(
                p.refs.values().any(|r| r.source.as_deref() == Some(id)),
                "{name}: source {id} is listed but never cited"
            );
        }
    }
}

#[test]
fn every_preset_round_trips_through_json() {
    for name in preset_names() {
        let p = load(name);
        let again =
            Policy::from_json(&p.to_json()).unwrap_or_else(|e| panic!("{name}: to_json output does not load:\n{e}"));
        assert_eq!(again, p, "{name}: to_json → from_json changed the policy");
    }
}

#[test]
fn the_shipped_text_is_exactly_what_the_schema_writes() {
    for name in preset_names() {
        let text = preset_json(name).unwrap();
        let p = Policy::from_json(text).unwrap_or_else(|e| panic!("{name}:\n{e}"));
        let shipped: serde_json::Value = serde_json::from_str(text).unwrap();
        let written: serde_json::Value = serde_json::from_str(&p.to_json()).unwrap();
        assert_eq!(
            shipped, written,
            "{name}: the shipped file has keys or spellings the schema would not write back"
        );
    }
}

#[test]
fn ningde_2024_carries_the_values_spec_names() {
    let p = load("宁德2024");
    let emp = p.funds.employee.as_ref().unwrap();
    let res = p.funds.resident.as_ref().unwrap();
    assert_eq!(emp.reserve, Reserve::Rate { rate: d("0.10") });
    assert_eq!(res.reserve, Reserve::Rate { rate: d("0.05") });
    assert_eq!(p.refs["funds.employee.reserve"].mark, Mark::Seed);
    assert_eq!(p.refs["funds.resident.reserve.rate"].mark, Mark::Default);
    assert_eq!(emp.rule, BudgetRule::Min);
    assert_eq!(emp.forecast.as_ref().unwrap().history.len(), 2, "前两年度");
    // 宁德2025答复 三: 1.2亿 = 职工 0.4亿 + 居民 0.8亿, inside the budget.
    assert_eq!(emp.earmarks[0].amount.to_yuan(), d("40000000"));
    assert_eq!(res.earmarks[0].amount.to_yuan(), d("80000000"));
    let levels: Vec<&str> = p.coefficients.levels.iter().map(|l| l.level.as_str()).collect();
    assert_eq!(levels, ["三甲", "三乙", "二甲", "二乙", "一级"]);
    assert_eq!(p.coefficients.mode, CoefficientMode::Sum);
    assert!(p.coefficients.grassroots.enabled);
    assert_eq!(p.settlement.mode, SettlementMode::Points);
}

#[test]
fn jilin_2024_carries_the_values_spec_names() {
    let p = load("吉林2024");
    assert_eq!(p.points.scale, d("10000"));
    assert_eq!(p.coefficients.mode, CoefficientMode::Product);
    assert_eq!((p.coefficients.range.min, p.coefficients.range.max), (d("0"), d("2")));
    assert_eq!(p.point_value.cost_basis, CostBasis::FundShareRatio);
    assert_eq!(p.points.review_share_limit, d("0.03"));
    for fp in [p.funds.employee.as_ref().unwrap(), p.funds.resident.as_ref().unwrap()] {
        assert!(
            matches!(fp.outpatient, OutpatientSplit::Share { .. }),
            "门诊/住院 split"
        );
        assert!(fp.fund_share_ratio.is_some());
    }
    assert_eq!(p.settlement.deposit.rate, d("0.05"));
    assert_eq!(p.refs["settlement.deposit.rate"].mark, Mark::Default);
    let rs = &p.settlement.risk_sharing;
    assert!(rs.enabled);
    for side in [&rs.overspend, &rs.surplus] {
        assert_eq!(side.bands.len(), 1);
        assert_eq!((side.bands[0].up_to, side.bands[0].share), (d("0.10"), d("0.60")));
        assert_eq!(side.beyond, dipcalc::policy::Beyond::Nothing, "the seed's cliff at 10%");
    }
}

#[test]
fn xinyang_2019_is_the_residents_allotment_policy() {
    let p = load("信阳2019");
    assert!(p.funds.employee.is_none(), "信阳2019 covers 城乡居民 only");
    let res = p.funds.resident.as_ref().unwrap();
    assert_eq!(res.quality_reserve.rate, d("0.05"));
    assert_eq!(p.refs["funds.resident.quality_reserve.rate"].mark, Mark::Seed);
    assert!(!p.settlement.risk_sharing.enabled, "结余留用、超支自负");
    assert_eq!(p.settlement.mode, SettlementMode::Allotment);
    let a = p.settlement.allotment.as_ref().unwrap();
    assert!((1..=3).contains(&a.history_weights.len()), "近一至三年");
}

#[test]
fn xiuning_2021_carries_the_values_spec_names() {
    let p = load("休宁2021");
    let emp = p.funds.employee.as_ref().unwrap();
    let res = p.funds.resident.as_ref().unwrap();
    assert!(matches!(emp.reserve, Reserve::MonthsOfSpending { months, .. } if months == d("9")));
    assert!(
        matches!(res.reserve, Reserve::NewFundsCapped { rate, cap_rate, .. } if rate == d("0.10") && cap_rate == d("0.10"))
    );
    assert!(
        emp.monthly_profile.is_none() && res.monthly_profile.is_none(),
        "平均分配到每月"
    );
    assert_eq!(p.coefficients.grassroots.coefficient, d("1"));
    assert!(p.coefficients.grassroots.enabled);
    assert!(
        emp.adjustment_fund.is_some() && res.adjustment_fund.is_some(),
        "调剂金 二次付费"
    );
    assert_eq!(p.settlement.unit, SettlementUnit::Alliance);
}

#[test]
fn national_dip3_turns_on_the_national_rules() {
    let p = load("国家DIP3.0");
    // 医保发〔2025〕18号 第二十条: 特例单议 ≤ 5‰ of the region's DIP discharges, not per institution.
    assert_eq!(p.points.review_region_limit, Some(d("0.005")));
    assert_eq!(p.points.review_share_limit, d("1"));
    // 第七章第三节一(三): 结算点值 with the 医保支付比例 of the year's data.
    assert_eq!(p.point_value.cost_basis, CostBasis::FundShareFromData);
    // 经办管理规程 第二十六条 "不超过 5%"; 第二十五条 预付 "1 个月左右"; 第八章第二节二 监测.
    assert_eq!(p.settlement.deposit.rate, d("0.05"));
    assert_eq!(p.settlement.advance.as_ref().unwrap().months, d("1"));
    assert!(p.settlement.monitoring.is_some());
    for fp in [p.funds.employee.as_ref().unwrap(), p.funds.resident.as_ref().unwrap()] {
        assert!(matches!(fp.outpatient, OutpatientSplit::None), "住院 only");
    }
    for path in [
        "points.review_region_limit",
        "point_value.cost_basis",
        "settlement.advance",
        "points.subtype_coefficients",
    ] {
        assert_eq!(p.refs[path].mark, Mark::Seed, "{path}");
    }
    // 第五章第三节一 辅助分型; 第五章第一节四(三) 加成分值 [reading: no coefficient]; 第三章第三节三(三) 3
    // 未入组 paid by 项目 [reading] at 90% [default]. The text names no rule for 非正常出院 or for
    // short and long stays: those stay off.
    assert!(p.points.subtype_coefficients && p.points.bonus_scores);
    assert_eq!(p.refs["points.bonus_scores"].mark, Mark::Reading);
    let ungrouped = p.points.ungrouped.as_ref().unwrap();
    assert_eq!(
        (ungrouped.method, ungrouped.ratio),
        (PricingMethod::FeeForService, d("0.9"))
    );
    assert_eq!(p.refs["points.ungrouped.ratio"].mark, Mark::Default);
    assert!(p.points.abnormal_discharge.is_none() && p.points.short_stay.is_none() && p.points.long_stay.is_none());
}

#[test]
fn level_coefficients_fall_with_level_in_every_preset() {
    for name in preset_names() {
        let p = load(name);
        let coefs: Vec<Decimal> = p.coefficients.levels.iter().filter_map(|l| l.coefficient).collect();
        assert!(
            coefs.windows(2).all(|w| w[0] >= w[1]),
            "{name}: level coefficients do not fall: {coefs:?}"
        );
    }
}

/// The illustrative amounts give each preset a budget that computes (SPEC §3), figure by figure.
#[test]
fn each_preset_budget_waterfall_computes() {
    use dipcalc::engine::budget::fund_budget;
    use dipcalc::records::Fund;
    let b = |name: &str, fund: Fund| {
        let p = load(name);
        let fp = p.funds.get(fund).unwrap().clone();
        fund_budget(&p, fund, &fp).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    // 宁德 职工: A = 22亿 − 10% = 19.8亿; P = 19.8 − (0.7 + 7.5 + 0.6 + 1.2) = 9.8亿;
    // F = (8.6 × 0.4 + 9.1 × 0.6) × (1 + min(8%, 6%)) = 8.9 × 1.06 = 9.434亿; B = min(P, F) = F
    let r = b("宁德2024", Fund::Employee);
    assert_eq!((r.available, r.packable), (d("1980000000"), d("980000000")));
    assert_eq!((r.forecast, r.budget), (Some(d("943400000")), d("943400000")));
    // 宁德 居民: A = 28 − 5% = 26.6亿; P = 26.6 − (1.6 + 0.3 + 7.2 + 0.7) = 16.8亿;
    // F = (15.2 × 0.4 + 16.0 × 0.6) × 1.06 = 15.68 × 1.06 = 16.6208亿; B = F (0.8亿 earmarked inside)
    let r = b("宁德2024", Fund::Resident);
    assert_eq!((r.packable, r.budget), (d("1680000000"), d("1662080000")));
    assert!(r.steps.iter().any(|s| s.key == "earmark" && s.amount == d("80000000")));
    // 吉林 职工: A = 15亿 − 5% = 14.25亿; B = P = 14.25 − 1.2 − 0.3 = 12.75亿; 门诊 35% = 4.4625亿, 住院 8.2875亿
    let r = b("吉林2024", Fund::Employee);
    assert_eq!(r.budget, d("1275000000"));
    assert_eq!(
        (r.outpatient_budget, r.inpatient_budget),
        (d("446250000"), d("828750000"))
    );
    // 吉林 居民: B = 12 × 0.95 − 1.0 − 0.2 = 10.2亿; 门诊 30% = 3.06亿, 住院 7.14亿
    let r = b("吉林2024", Fund::Resident);
    assert_eq!((r.budget, r.inpatient_budget), (d("1020000000"), d("714000000")));
    // 信阳 居民: 60000万 − (4500 + 3000 + 3500 + 5000 + 9000) = 35000万; 质量保证金 5% = 1750万; B = 33250万
    let r = b("信阳2019", Fund::Resident);
    assert_eq!((r.quality_reserve, r.budget), (d("17500000"), d("332500000")));
    // 休宁 职工: reserve = max(0, 1100万 × 9 − 9000万) = 900万; A = 14100万; B = P = 14100 − 4500 = 9600万, 800万 a month
    let r = b("休宁2021", Fund::Employee);
    assert_eq!((r.available, r.budget), (d("141000000"), d("96000000")));
    // (even months to the cent: the engine spreads with a rounded 1/12 share, the last month takes the rest)
    assert!(r
        .monthly_budget
        .iter()
        .all(|m| dipcalc::engine::rounding::round_money(*m) == d("8000000")));
    assert_eq!(r.monthly_budget.iter().sum::<Decimal>(), d("96000000"));
    // 休宁 居民: reserve = min(1400万 × 10%, 20000万 × 10% − 1800万) = min(140万, 200万) = 140万;
    // A = 19860万; B = P = 19860 − 7000 = 12860万
    let r = b("休宁2021", Fund::Resident);
    assert_eq!((r.available, r.budget), (d("198600000"), d("128600000")));
}

/// Each preset settles a small region of three institutions (a 医共体 of two, one 三甲) in every
/// fund it budgets: the presets are complete enough for the engine.
#[test]
fn each_preset_settles_a_small_region() {
    use common::{case, group, institution};
    use dipcalc::records::{Catalog, Dataset, Fund};
    let mut h1 = institution("H1", "三甲", None);
    let mut h2 = institution("H2", "二甲", None);
    let mut h3 = institution("H3", "一级", None);
    h2.alliance = Some("县医共体".into());
    h3.alliance = Some("县医共体".into());
    // Past fund payments for the allotment mode (信阳2019 三(二)), most recent first.
    h1.history = vec![d("600000"), d("580000"), d("550000")];
    h2.history = vec![d("300000"), d("290000"), d("280000")];
    h3.history = vec![d("100000"), d("95000"), d("90000")];
    let rows = [
        ("H1", "G3", "33000", "9000"),
        ("H1", "G1", "12500", "3000"),
        ("H1", "G2", "5200", "1200"),
        ("H2", "G1", "9800", "2500"),
        ("H2", "G3", "29000", "7000"),
        ("H3", "G2", "3500", "700"),
        ("H3", "G1", "9900", "1600"),
    ];
    for name in preset_names() {
        let p = load(name);
        let funds: Vec<Fund> = Fund::ALL.into_iter().filter(|f| p.funds.get(*f).is_some()).collect();
        let data = Dataset {
            institutions: vec![h1.clone(), h2.clone(), h3.clone()],
            catalog: Catalog {
                groups: vec![
                    group("G1", "1.0", "10000", false),
                    group("G2", "0.4", "4000", true),
                    group("G3", "3.0", "30000", false),
                ],
                per_diem_groups: vec![],
            },
            cases: funds
                .iter()
                .flat_map(|f| {
                    rows.iter()
                        .enumerate()
                        .map(move |(n, (i, g, c, pb))| case(i, *f, g, c, pb, (n + 1) as u8))
                })
                .collect(),
            ..Default::default()
        };
        let r = dipcalc::engine::settle(&p, &data).unwrap_or_else(|e| panic!("{name} does not settle: {e:?}"));
        assert_eq!(r.funds.len(), funds.len(), "{name}");
        for f in &r.funds {
            // Reconciled settlements add up to the pool to the cent (SPEC §2).
            assert_eq!(f.totals.settlement, f.reconciliation.pool, "{name} {:?}", f.fund);
            assert!(f.budget.budget > Decimal::ZERO, "{name} {:?}", f.fund);
            let units: Vec<&str> = f.units.iter().map(|u| u.code.as_str()).collect();
            println!(
                "{name} {:?}: B = {}, pool = {}, PV = {:?}, units {units:?}",
                f.fund, f.budget.budget, f.pool, f.point_value
            );
        }
        for n in &r.notices {
            println!("{name}: notice {} {}: {}", n.code, n.subject, n.message_en);
        }
    }
}

/// The folder the presets' `sources[].file` paths are relative to (`seeds/…`): `../shared` beside
/// the repository, as CI has it, or the folder `DIPCALC_SHARED` names. The seeds are not copied
/// into the repository.
fn shared_dir() -> Option<std::path::PathBuf> {
    let dir = match std::env::var_os("DIPCALC_SHARED") {
        Some(d) => std::path::PathBuf::from(d),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
    };
    dir.join("seeds").is_dir().then_some(dir)
}

/// Text compared with whitespace dropped and full-width brackets and separators folded to
/// ASCII, so a quote may be typed either way and wrap where the seed's line does not.
fn folded(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '，' => ',',
            '：' => ':',
            '；' => ';',
            c => c,
        })
        .collect()
}

fn is_ideograph(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// The quotations of a note: each run of Chinese text (ideographs with the digits, brackets and
/// punctuation between them) holding at least four ideographs, split at an ellipsis `…` (an
/// elision). Shorter runs are terms (职工, 医共体) in an English explanation, not quotes.
fn quotations(note: &str) -> Vec<String> {
    let quoting = |c: char| {
        is_ideograph(c)
            || ('\u{3000}'..='\u{303f}').contains(&c)
            || ('\u{ff00}'..='\u{ffef}').contains(&c)
            || c.is_ascii_digit()
            || "“”‘’()%.,—-".contains(c)
    };
    let edge = |c: char| !is_ideograph(c) && !c.is_ascii_digit() && !"()（）“”%".contains(c);
    note.split('…')
        .flat_map(|part| part.split(|c: char| !quoting(c)))
        .map(|run| balanced(run.trim_matches(edge)))
        .filter(|run| run.chars().filter(|c| is_ideograph(*c)).count() >= 4)
        .collect()
}

/// A run without the bracket it shares with the English around it: `质量保证金)` of
/// "(less the 质量保证金)".
fn balanced(run: &str) -> String {
    let mut run = run.to_string();
    loop {
        let open = run.chars().filter(|c| matches!(c, '(' | '（')).count();
        let close = run.chars().filter(|c| matches!(c, ')' | '）')).count();
        if close > open && run.ends_with([')', '）']) {
            run.pop();
        } else if open > close && run.starts_with(['(', '（']) {
            run.remove(0);
        } else {
            return run;
        }
    }
}

#[test]
fn every_seed_value_quotes_its_cited_seed_verbatim() {
    let Some(dir) = shared_dir() else {
        eprintln!("skipped: the seed documents are not beside the repository (../shared/seeds); set DIPCALC_SHARED to the folder holding seeds/");
        return;
    };
    let mut checked = 0;
    for name in preset_names() {
        let p = load(name);
        for (path, r) in p.refs.iter().filter(|(_, r)| r.mark == Mark::Seed) {
            let source = r.source.as_deref().unwrap_or_default();
            let file = p
                .sources
                .iter()
                .find(|s| s.id == source)
                .map(|s| dir.join(&s.file))
                .unwrap_or_else(|| panic!("{name}: refs.{path} cites {source}, which has no file"));
            // The national text is not a seed: read beside the seeds when a copy is at hand
            // (`LQ-karl/DIP-3.0/docs/dip3_full_text.txt` under the same folder), else the
            // passages the presets quote, kept in the repository (tests/fixtures/national-dip3).
            let file = if file.starts_with(dir.join("seeds")) || file.is_file() {
                file
            } else {
                national_passages()
            };
            let text = folded(&std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display())));
            for quote in quotations(r.note.as_deref().unwrap_or_default()) {
                assert!(
                    text.contains(&folded(&quote)),
                    "{name}: refs.{path} is marked seed, but “{quote}” is not in {source} ({})",
                    file.display()
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 40, "only {checked} quotations checked");
}

/// The national text's passages the presets quote, copied into the repository (the full text is
/// a public copy on GitHub, not one of the seeds).
fn national_passages() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/national-dip3/quoted.txt")
}

/// The paragraphs of `national_passages`, each with the `## where` line above it.
fn passages(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut place = String::new();
    for block in text.split("\n\n") {
        let block = block.lines().filter(|l| !l.starts_with("# ")).collect::<Vec<_>>();
        let mut lines = block.iter().copied();
        let first = lines.clone().next().unwrap_or_default();
        if let Some(p) = first.strip_prefix("## ") {
            place = p.to_string();
            lines.next();
        }
        let body: String = lines.collect();
        if !body.is_empty() {
            out.push((place.clone(), body));
        }
    }
    out
}

/// Folded text without the PDF's page numbers (`— 66 —`), which may fall inside a paragraph.
fn without_page_numbers(folded: &str) -> String {
    let chars: Vec<char> = folded.chars().collect();
    let mut out = String::with_capacity(folded.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '—' {
            let digits = chars[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits > 0 && chars.get(i + 1 + digits) == Some(&'—') {
                i += digits + 2;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

#[test]
fn the_national_passages_are_the_national_texts_words() {
    let text = std::fs::read_to_string(national_passages()).unwrap();
    let passages = passages(&text);
    assert!(passages.len() >= 30, "{} paragraphs", passages.len());
    for (place, body) in &passages {
        assert!(
            !place.is_empty(),
            "a paragraph before the first `## where` line: {body}"
        );
        assert!(
            body.chars().filter(|c| is_ideograph(*c)).count() >= 4,
            "{place}: {body}"
        );
    }
    assert_eq!(without_page_numbers(&folded("调节系数×— 66 —辅助")), "调节系数×辅助");
    // With the public full text beside the seeds, each paragraph must be in it word for word.
    let Some(full) = shared_dir()
        .map(|d| d.join("LQ-karl/DIP-3.0/docs/dip3_full_text.txt"))
        .filter(|f| f.is_file())
    else {
        eprintln!("skipped the comparison: the national full text is not beside the seeds");
        return;
    };
    let full = without_page_numbers(&folded(&std::fs::read_to_string(full).unwrap()));
    for (place, body) in &passages {
        assert!(
            full.contains(&folded(body)),
            "{place}: not in the national text: {body}"
        );
    }
}

#[test]
fn quotations_are_the_chinese_runs_between_elisions() {
    assert_eq!(
        quotations("城乡居民医保基金…原则上按当年筹资总额的 3%—5% 提取风险金后: the range; 职工 only"),
        ["城乡居民医保基金", "原则上按当年筹资总额的", "提取风险金后"]
    );
}

#[test]
fn a_budget_step_carries_the_mark_of_the_least_firm_value_it_is_computed_from() {
    use dipcalc::engine::budget::fund_budget;
    use dipcalc::records::Fund;
    let step = |name: &str, fund: Fund, key: &str| {
        let p = load(name);
        let fp = p.funds.get(fund).unwrap().clone();
        let r = fund_budget(&p, fund, &fp).unwrap();
        let s = r.steps.iter().find(|s| s.key == key).unwrap().clone();
        (s.mark, s.article)
    };
    // 宁德2024 第七条(二): 职工 10% is the seed's; 居民 3%—5% is a range, 5% our default.
    assert_eq!(step("宁德2024", Fund::Employee, "reserve").0, Mark::Seed);
    assert_eq!(step("宁德2024", Fund::Resident, "reserve").0, Mark::Default);
    assert_eq!(step("宁德2024", Fund::Resident, "available").0, Mark::Default);
    // 吉林2024 第六条 预留一定比例: the rule is the seed's, the 5% is not.
    assert_eq!(step("吉林2024", Fund::Employee, "reserve").0, Mark::Default);
    // 休宁2021 8: 9 months is the seed's, the balance and spending are illustrative amounts.
    assert_eq!(step("休宁2021", Fund::Employee, "reserve").0, Mark::Default);
    // 信阳2019 三(一): the 5% is the seed's, its base our default.
    assert_eq!(step("信阳2019", Fund::Resident, "quality_reserve").0, Mark::Default);
}
