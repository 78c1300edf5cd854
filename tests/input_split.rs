//! A case file read as two halves at once (issue 15) gives exactly what reading it whole gives,
//! or nothing (then the command line reads it whole): generated files with bad rows, totals
//! and note rows, out-of-year rows, blank rows, quotes and new codes in either half, cut at
//! many line feeds; and the command line with the split forced on the SPEC §10 fixtures' codes.
#![cfg(not(target_arch = "wasm32"))]

use dipcalc::input::{line_after, merge_halves, CaseBlocks, CaseStream, ImportFailure, ImportReport, ReadOptions};
use dipcalc::records::cases::CaseTable;
use std::process::Command;

mod common;
use common::case;
use dipcalc::records::Fund;

const HEADER: &str = "机构编码,险种,结算类型,病种编码,医疗总费用,个人负担,住院天数,结算日期,特例单议分值,质控通过";

/// What a generated row is.
#[derive(Clone, Copy)]
enum Row {
    Case,
    Bad,
    Totals,
    TotalsWithData,
    Note,
    OutOfYear,
    Blank,
    Quoted,
    QuotedLineBreak,
    NewCodes,
}

/// `rows` generated rows (a case unless `special` names another kind), joined by `eol`. The
/// codes cycle through H1..H3 and G1..G3 (the SPEC §10 catalog's); [`Row::NewCodes`] brings H9
/// and G9, seen nowhere else.
fn cases_file(rows: usize, special: &[(usize, Row)], eol: &str) -> String {
    let mut out = String::from(HEADER);
    out.push_str(eol);
    let mut x: u64 = 15;
    for i in 0..rows {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let (inst, group) = (1 + (x >> 33) % 3, 1 + (x >> 40) % 3);
        let cost = 1000 + (x >> 45) % 90000;
        let month = 1 + i % 12;
        let kind = special.iter().find(|(at, _)| *at == i).map_or(Row::Case, |(_, k)| *k);
        let line = match kind {
            Row::Case => format!("H{inst},职工,DIP,G{group},{cost},{},5,2024-{month:02}-15,,是", cost / 4),
            Row::Bad => format!("H{inst},职工,DIP,G{group},12a4,100,5,2024-{month:02}-15,,是"),
            Row::Totals => format!("合计,,,,{cost},{},,,,", cost / 4),
            Row::TotalsWithData => format!("小计,职工,DIP,G{group},{cost},100,5,2024-01-15,,是"),
            Row::Note => "制表人：张三".to_string(),
            Row::OutOfYear => format!("H{inst},职工,DIP,G{group},{cost},100,5,2023-{month:02}-15,,是"),
            Row::Blank => String::new(),
            Row::Quoted => format!("\"H{inst}\",职工,DIP,G{group},\"{cost}\",100,5,2024-01-15,,是"),
            Row::QuotedLineBreak => format!("H{inst},职工,DIP,\"G{group}\nX\",{cost},100,5,2024-01-15,,是"),
            Row::NewCodes => format!("H9,职工,DIP,G9,{cost},100,5,2024-{month:02}-15,,是"),
        };
        out.push_str(&line);
        out.push_str(eol);
    }
    out
}

type Read = (CaseTable, Result<ImportReport, ImportFailure>);

/// The file read whole, in chunks of `chunk` bytes.
fn whole(bytes: &[u8], opts: &ReadOptions, chunk: usize) -> Read {
    let mut stream = CaseStream::new("cases.csv", opts);
    let mut table = CaseTable::new();
    for c in bytes.chunks(chunk) {
        stream.push(c, &mut table);
    }
    let report = stream.finish(&mut table);
    (table, report)
}

/// The file read as the command line reads it in two halves: the first half in the chunks
/// reading it whole takes until the header is read, then the second half from `cut` on another
/// thread, then the merge.
fn halves(bytes: &[u8], opts: &ReadOptions, chunk: usize, cut: usize) -> Option<(CaseTable, ImportReport)> {
    let (head, tail) = bytes.split_at(cut);
    let mut first = CaseStream::new("cases.csv", opts);
    let mut table = CaseTable::new();
    let mut chunks = head.chunks(chunk);
    let second = loop {
        let c = chunks.next()?;
        first.push(c, &mut table);
        if let Some(s) = first.continuation() {
            break s;
        }
    };
    let (a, b) = std::thread::scope(|scope| {
        let rest = scope.spawn(move || {
            let (mut second, mut more) = (second, CaseBlocks::new());
            for c in tail.chunks(chunk * 3 + 1) {
                second.push(c, &mut more);
            }
            let half = second.finish_half(&mut more);
            (more, half)
        });
        for c in chunks {
            first.push(c, &mut table);
        }
        let half = first.finish_half(&mut table);
        ((table, half), rest.join().expect("the second half's thread"))
    });
    merge_halves(a, b)
}

/// Cuts after line feeds from a quarter to three quarters of the file.
fn cuts(bytes: &[u8], count: usize) -> Vec<usize> {
    (1..=count)
        .filter_map(|k| {
            let from = bytes.len() / 4 + bytes.len() / 2 * k / (count + 1);
            line_after(&bytes[from..]).map(|n| from + n)
        })
        .collect()
}

/// Every cut either gives what reading whole gives, or nothing; returns how many gave it.
fn agree(text: &str, opts: &ReadOptions) -> usize {
    let bytes = text.as_bytes();
    let (table, report) = whole(bytes, opts, 4096);
    let mut merged = 0;
    for cut in cuts(bytes, 9) {
        let got = halves(bytes, opts, 4096, cut);
        if let Some((t, r)) = got {
            let report = report.as_ref().expect("halves merged where the whole file fails");
            assert_eq!(&r, report, "report, cut at byte {cut}");
            assert!(t == table, "table, cut at byte {cut}");
            merged += 1;
        }
    }
    merged
}

fn skipping() -> ReadOptions {
    ReadOptions {
        skip_bad_rows: true,
        skip_out_of_year: true,
        year: Some(2024),
        ..ReadOptions::default()
    }
}

#[test]
fn a_clean_file_merges_at_every_cut() {
    let text = cases_file(6000, &[], "\n");
    assert_eq!(agree(&text, &ReadOptions::default()), 9);
    assert_eq!(agree(&cases_file(6000, &[], "\r\n"), &ReadOptions::default()), 9);
}

#[test]
fn skipped_bad_and_out_of_year_rows_in_either_half_are_listed_in_order() {
    let mut special = Vec::new();
    for i in (5..6000).step_by(13) {
        let kinds = [
            Row::Bad,
            Row::Totals,
            Row::TotalsWithData,
            Row::Note,
            Row::OutOfYear,
            Row::Blank,
        ];
        special.push((i, kinds[(i / 13) % kinds.len()]));
    }
    // Over MAX_LISTED_ROWS (100) of each kind: the lists are cut where reading whole cuts them.
    let text = cases_file(6000, &special, "\n");
    let opts = skipping();
    assert_eq!(agree(&text, &opts), 9);
    let (_, report) = whole(text.as_bytes(), &opts, 4096);
    let report = report.expect("read with skipping");
    assert!(report.bad_rows_total > 60 && report.skipped_rows_total > 100 && report.out_of_year_total > 60);
    // A few, all in the second half.
    let late = [
        (5900, Row::Bad),
        (5910, Row::TotalsWithData),
        (5920, Row::OutOfYear),
        (5930, Row::Note),
    ];
    assert_eq!(agree(&cases_file(6000, &late, "\r\n"), &opts), 9);
    let early = [
        (20, Row::Bad),
        (30, Row::TotalsWithData),
        (40, Row::OutOfYear),
        (50, Row::Totals),
    ];
    assert_eq!(agree(&cases_file(6000, &early, "\n"), &opts), 9);
}

#[test]
fn codes_first_seen_in_the_second_half_come_after_the_first_halfs() {
    let text = cases_file(6000, &[(5000, Row::NewCodes), (5100, Row::NewCodes)], "\n");
    assert_eq!(agree(&text, &ReadOptions::default()), 9);
    let (table, _) = whole(text.as_bytes(), &ReadOptions::default(), 4096);
    assert_eq!(table.institutions.iter().last(), Some("H9"));
}

#[test]
fn an_error_in_either_half_gives_nothing_to_merge() {
    let opts = ReadOptions::default();
    for at in [40, 5950] {
        for kind in [Row::Bad, Row::OutOfYear] {
            let text = cases_file(6000, &[(at, kind)], "\n");
            let opts = ReadOptions {
                year: Some(2024),
                ..opts.clone()
            };
            assert!(whole(text.as_bytes(), &opts, 4096).1.is_err());
            assert_eq!(agree(&text, &opts), 0, "row {at}");
        }
    }
}

#[test]
fn quotes_merge_unless_a_quoted_field_spans_the_cut() {
    let quoted = cases_file(6000, &[(100, Row::Quoted), (5800, Row::Quoted)], "\n");
    assert_eq!(agree(&quoted, &ReadOptions::default()), 9);
    // Line breaks inside quotes on every other row: a cut lands inside one or not.
    let special: Vec<(usize, Row)> = (0..6000).step_by(2).map(|i| (i, Row::QuotedLineBreak)).collect();
    let text = cases_file(6000, &special, "\n");
    let merged = agree(&text, &ReadOptions::default());
    assert!(merged > 0 && merged < 9, "{merged} cuts merged");
}

#[test]
fn a_file_too_short_to_read_its_header_before_the_cut_is_not_split() {
    let text = cases_file(100, &[], "\n");
    let bytes = text.as_bytes();
    // The encoding is sniffed from the first 64 KiB, more than the whole first half here.
    assert!(cuts(bytes, 3)
        .iter()
        .all(|cut| halves(bytes, &ReadOptions::default(), 4096, *cut).is_none()));
}

/// `dipcalc run` on the SPEC §10 policy, catalog and institutions with `cases`, the split at
/// `split_min` bytes: stdout, stderr and the exit code.
fn run_with_split(cases: &std::path::Path, split_min: &str, extra: &[&str]) -> (Vec<u8>, Vec<u8>, Option<i32>) {
    let fix = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/spec10");
    let out = Command::new(env!("CARGO_BIN_EXE_dipcalc"))
        .args(["run", "--policy", &format!("{fix}/policy.json"), "--cases"])
        .arg(cases)
        .args(["--catalog", &format!("{fix}/catalog.csv")])
        .args(["--institutions", &format!("{fix}/institutions.csv"), "--lang", "en"])
        .args(extra)
        .env("DIPCALC_SPLIT_MIN", split_min)
        .output()
        .expect("run dipcalc");
    (out.stdout, out.stderr, out.status.code())
}

#[test]
fn the_command_line_split_or_not_prints_the_same() {
    // About 2.6 MB: the header is read in the first 1 MiB chunk, before the cut.
    let special = [
        (900, Row::TotalsWithData),
        (30_000, Row::Totals),
        (35_000, Row::Bad),
        (38_000, Row::OutOfYear),
    ];
    let text = cases_file(40_000, &special, "\r\n");
    let dir = std::env::temp_dir().join(format!("dipcalc-split-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let path = dir.join("cases.csv");
    std::fs::write(&path, &text).expect("the case file written");
    for extra in [
        &[][..],
        &["--skip-bad-rows"],
        &["--skip-bad-rows", "--skip-out-of-year"],
    ] {
        let whole = run_with_split(&path, "99999999999", extra);
        let split = run_with_split(&path, "0", extra);
        assert_eq!(whole.2, split.2, "{extra:?}");
        assert_eq!(
            String::from_utf8_lossy(&whole.1),
            String::from_utf8_lossy(&split.1),
            "{extra:?}"
        );
        assert!(whole.0 == split.0, "stdout differs, {extra:?}");
    }
    let skipped = run_with_split(&path, "0", &["--skip-bad-rows", "--skip-out-of-year"]);
    assert_eq!(skipped.2, Some(0), "{}", String::from_utf8_lossy(&skipped.1));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_table_appended_in_blocks_is_the_table_filled_in_one_go() {
    let all: Vec<_> = (0..40u64)
        .map(|i| {
            // H5..H7 and G25..G29 first appear after the 25th case, mixed with codes seen before.
            let mut c = case(
                &format!("H{}", i / 5),
                Fund::Employee,
                &format!("G{}", i % 30),
                "1000",
                "100",
                3,
            );
            c.source_row = i + 2;
            c
        })
        .collect();
    let whole = CaseTable::from_cases(&all);
    // The first 25 cases (rows 2..=26), then the rest numbered from 1 after row 26.
    let mut first = CaseTable::from_cases(&all[..25]);
    let rest: Vec<_> = all[25..]
        .iter()
        .cloned()
        .map(|mut c| {
            c.source_row -= 26;
            c
        })
        .collect();
    let rest = CaseTable::from_cases(&rest);
    let blocks: Vec<_> = rest.rows.chunks(4).map(<[_]>::to_vec).collect();
    first.append_blocks(&rest.institutions, &rest.groups, blocks, 26);
    assert!(first == whole);
}
