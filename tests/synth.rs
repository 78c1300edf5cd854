//! The synthetic data generator (`dipcalc::synth`): deterministic bytes, files the input layer
//! reads back as exactly the generator's records, and a settlement that adds up.
#![cfg(not(target_arch = "wasm32"))]

use dipcalc::engine::rounding::round_money;
use dipcalc::engine::settle;
use dipcalc::input::{check_dataset, read_cases, read_catalog, read_institutions, ReadOptions, Source};
use dipcalc::records::{Dataset, Fund};
use dipcalc::synth::{Synth, SynthSize, Totals};
use rust_decimal::Decimal;
use std::io::Cursor;

struct Files {
    cases: Vec<u8>,
    institutions: String,
    catalog: String,
    policy: String,
    totals: Totals,
}

fn files(size: SynthSize, seed: u64) -> Files {
    let synth = Synth::new(size, seed);
    let mut cases = Vec::new();
    let totals = synth.write_cases_csv(&mut cases).unwrap();
    Files {
        cases,
        institutions: synth.institutions_csv(),
        catalog: synth.catalog_csv(),
        policy: synth.policy(&totals).to_json(),
        totals,
    }
}

fn read(f: &Files) -> Dataset {
    let opts = ReadOptions::default();
    let src = |name, bytes| Source { name, bytes };
    Dataset {
        institutions: read_institutions(src("institutions.csv", f.institutions.as_bytes()), &opts)
            .unwrap()
            .records,
        catalog: read_catalog(src("catalog.csv", f.catalog.as_bytes()), &opts)
            .unwrap()
            .records,
        cases: read_cases(src("cases.csv", &f.cases), &opts).unwrap().records.into(),
        ..Dataset::default()
    }
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let size = SynthSize::cases(3_000);
    let a = files(size, 42);
    let b = files(size, 42);
    assert_eq!(a.cases, b.cases);
    assert_eq!(a.institutions, b.institutions);
    assert_eq!(a.catalog, b.catalog);
    assert_eq!(a.policy, b.policy);
    let c = files(size, 43);
    assert_ne!(a.cases, c.cases);
    assert_ne!(a.catalog, c.catalog);
    let xlsx = |seed| {
        let mut out = Cursor::new(Vec::new());
        Synth::new(SynthSize::cases(500), seed)
            .write_cases_xlsx(&mut out)
            .unwrap();
        out.into_inner()
    };
    assert_eq!(xlsx(5), xlsx(5));
}

/// Pins the generator's output: a change in sampling changes the bytes of every demo city and
/// every benchmark file, so it must be deliberate (update the hash with the reason).
#[test]
fn bytes_are_pinned() {
    let f = files(SynthSize::cases(1_000), 1);
    let fnv = |bytes: &[u8]| {
        bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
        })
    };
    let all = [f.cases.as_slice(), f.institutions.as_bytes(), f.catalog.as_bytes()].concat();
    assert_eq!(format!("{:016x}", fnv(&all)), PINNED, "generator output changed");
}
const PINNED: &str = "aa6e2d82999a6fc1";

#[test]
fn files_read_back_as_the_generators_records() {
    let synth = Synth::new(SynthSize::cases(3_000), 9);
    let f = files(SynthSize::cases(3_000), 9);
    let data = read(&f);
    assert_eq!(data.institutions, synth.institution_records());
    assert_eq!(data.catalog, synth.catalog_records());
    let expected: Vec<_> = synth.cases().map(|c| synth.case_record(&c)).collect();
    assert_eq!(data.cases.len(), 3_000);
    assert_eq!(data.cases, expected.into());
    assert!(check_dataset(&data).is_empty());
    // Each row: 统筹基金支付 + 个人负担 = 医疗总费用 (the input layer reads 个人负担).
    for c in synth.cases() {
        assert_eq!(c.fund_payment_fen() + c.personal_fen, c.cost_fen);
        assert!(c.personal_fen >= 0 && c.fund_payment_fen() >= 0 && c.excluded_fen < c.cost_fen);
    }
}

#[test]
fn xlsx_reads_back_as_the_csv() {
    let synth = Synth::new(SynthSize::cases(800), 3);
    let mut xlsx = Cursor::new(Vec::new());
    let totals = synth.write_cases_xlsx(&mut xlsx).unwrap();
    assert_eq!(totals, synth.totals());
    let read = read_cases(
        Source {
            name: "cases.xlsx",
            bytes: xlsx.get_ref(),
        },
        &ReadOptions::default(),
    )
    .unwrap();
    let expected: Vec<_> = synth.cases().map(|c| synth.case_record(&c)).collect();
    assert_eq!(read.records, expected);
}

#[test]
fn the_generated_region_settles_and_adds_up() {
    let f = files(SynthSize::cases(5_000), 11);
    let data = read(&f);
    let policy = dipcalc::policy::Policy::from_json(&f.policy).unwrap();
    let r = settle(&policy, &data).unwrap();
    assert_eq!(r.funds.len(), 2);
    for fund in &r.funds {
        let slot = match fund.fund {
            Fund::Employee => 0,
            Fund::Resident => 1,
        };
        // The budget is ~97% of the fund spending of the included cases.
        let spending = Decimal::new(f.totals.included_fund_fen[slot], 2);
        let share = fund.budget.budget / spending;
        assert!(
            share > Decimal::new(96, 2) && share < Decimal::new(98, 2),
            "{:?}: B/spending {share}",
            fund.fund
        );
        // Fund settlements add up to the budget, settlements to the pool, to the cent.
        let fs: Decimal = fund.units.iter().map(|u| u.fund_settlement).sum();
        let s: Decimal = fund.units.iter().map(|u| u.settlement).sum();
        assert_eq!(fs, round_money(fund.budget.budget));
        assert_eq!(s, round_money(fund.pool));
        assert_eq!(fund.totals.fund_settlement, fs);
        // A realistic point value: the pool pays roughly the cost (points ≈ cost ÷ 100).
        let pv = fund.point_value.unwrap();
        assert!(
            pv > Decimal::from(85) && pv < Decimal::from(115),
            "{:?}: PV {pv}",
            fund.fund
        );
        let cases: u64 = fund.units.iter().map(|u| u.cases.total).sum();
        assert_eq!(cases, f.totals.fund_cases[slot]);
    }
}

#[test]
fn the_demo_city_has_what_the_page_shows() {
    let synth = Synth::new(SynthSize::DEMO, 1);
    let n = synth.size.cases as f64;
    let (mut high, mut low, mut grassroots, mut review, mut qc_failed, mut supplemented, mut excluded) =
        (0, 0, 0, 0, 0, 0, 0);
    let mut months = [0u32; 12];
    let mut funds = [0u32; 2];
    for c in synth.cases() {
        let g = &synth.groups[c.group];
        let r = (c.cost_fen - c.excluded_fen) as f64 / g.reference_fen as f64;
        high += u32::from(r >= 2.0);
        low += u32::from(r <= 0.5);
        grassroots += u32::from(g.grassroots);
        review += u32::from(c.review_applied);
        qc_failed += u32::from(!c.qc_passed);
        supplemented += u32::from(c.supplemented);
        excluded += u32::from(c.excluded_fen > 0);
        months[usize::from(c.month - 1)] += 1;
        funds[usize::from(c.fund == Fund::Resident)] += 1;
    }
    let pct = |k: u32| f64::from(k) / n * 100.0;
    assert!((1.0..6.0).contains(&pct(high)), "high {}%", pct(high));
    assert!((1.0..6.0).contains(&pct(low)), "low {}%", pct(low));
    assert!(
        (20.0..60.0).contains(&pct(grassroots)),
        "grassroots cases {}%",
        pct(grassroots)
    );
    assert!(review > 50 && qc_failed > 100 && supplemented > 50 && excluded > 0);
    assert!(months.iter().all(|&m| m > 4_000), "{months:?}");
    assert!(funds.iter().all(|&f| f > 15_000), "{funds:?}");
    let catalog_grassroots = synth.groups.iter().filter(|g| g.grassroots).count();
    assert_eq!(catalog_grassroots, 120); // 15% of 800
}

/// `dipcalc synth --size city`: the catalog of a real city's size and shape — 4,448 groups
/// with national-style codes (`K80.2`, `G45.9:88.4101`, `I25.1:36.0600x001+36.0700`), published case
/// counts adding up to the city's 1,870,844 cases, 60 institutions. Building it draws no case.
#[test]
fn the_city_catalog_is_shaped_like_a_real_one() {
    let synth = Synth::new(SynthSize::CITY, 2024);
    assert_eq!((synth.groups.len(), synth.institutions.len()), (4_448, 60));
    let counts: Vec<u64> = synth.groups.iter().map(|g| g.published_cases.unwrap()).collect();
    assert_eq!(counts.iter().sum::<u64>(), 1_870_844);
    assert!(counts.iter().all(|c| *c >= 1));
    // Skewed as a real year: the busiest group has thousands of cases, many have a handful.
    assert!(*counts.iter().max().unwrap() > 5_000);
    assert!(counts.iter().filter(|c| **c < 20).count() > 400);
    let codes: std::collections::HashSet<&str> = synth.groups.iter().map(|g| g.code.as_str()).collect();
    assert_eq!(codes.len(), 4_448);
    let with_procedure = codes.iter().filter(|c| c.contains(':')).count();
    assert!((3_000..4_200).contains(&with_procedure), "{with_procedure}");
    for code in &codes {
        let b = code.as_bytes();
        assert!(
            b[0].is_ascii_uppercase() && b[1..3].iter().all(u8::is_ascii_digit) && b[3] == b'.',
            "{code}"
        );
    }
    assert!(codes.iter().any(|c| c.contains('x')));
    assert!(codes.iter().any(|c| c.contains('+') && !c.contains("+:")));
    assert!(synth
        .catalog_csv()
        .starts_with("病种编码,病种名称,病种分值,基层病种,次均费用,变异系数,例数\n"));
}

/// A small city reads back (the catalog's 变异系数 and 例数 columns unused, the case file's 11
/// columns) and settles, every case counted.
#[test]
fn a_small_city_reads_back_and_settles() {
    let size = SynthSize {
        cases: 20_000,
        ..SynthSize::CITY
    };
    let synth = Synth::new(size, 5);
    let f = files(size, 5);
    let header = f.cases.split(|b| *b == b'\n').next().unwrap();
    assert_eq!(header.split(|b| *b == b',').count(), 11);
    let data = read(&f);
    assert_eq!(data.catalog, synth.catalog_records());
    assert_eq!(data.institutions, synth.institution_records());
    assert_eq!(data.cases.len(), 20_000);
    assert!(check_dataset(&data).is_empty());
    let policy = dipcalc::policy::Policy::from_json(&f.policy).unwrap();
    let r = settle(&policy, &data).unwrap();
    for fund in &r.funds {
        let slot = usize::from(fund.fund == Fund::Resident);
        let cases: u64 = fund.units.iter().map(|u| u.cases.total).sum();
        assert_eq!(cases, f.totals.fund_cases[slot]);
        assert_eq!(
            fund.units.iter().map(|u| u.fund_settlement).sum::<Decimal>(),
            round_money(fund.budget.budget)
        );
    }
}
