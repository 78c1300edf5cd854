//! Crafted workbooks (issue 11): each a few kilobytes built here, each once an abort, a panic
//! or a silently wrong figure, now a located error or a warning.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;

use dipcalc::input::Lang::{En, Zh};
use dipcalc::input::{read_cases, read_institutions, ErrorKind, ImportFailure, ImportWarning, ReadOptions, Source};
use zip::write::SimpleFileOptions;
use zip::ZipWriter;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const NS: &str = r#"xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;
const REL_NS: &str = r#"xmlns="http://schemas.openxmlformats.org/package/2006/relationships""#;
const REL_TYPE: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// An .xlsx whose sheets are (name, hidden, the `<row>` elements), with a shared strings part
/// when given, all deflated.
fn xlsx_sheets(sheets: &[(&str, bool, &[u8])], shared: Option<&[u8]>) -> Vec<u8> {
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    let mut part = |name: &str, body: &[&[u8]]| {
        zip.start_file(name, o).unwrap();
        for b in body {
            zip.write_all(b).unwrap();
        }
    };
    part("[Content_Types].xml", &[CONTENT_TYPES.as_bytes()]);
    part("_rels/.rels", &[RELS.as_bytes()]);
    let mut book = format!("<workbook {NS}><sheets>");
    let mut rels = format!("<Relationships {REL_NS}>");
    for (i, (name, hidden, _)) in sheets.iter().enumerate() {
        let state = if *hidden { r#" state="hidden""# } else { "" };
        let n = i + 1;
        book.push_str(&format!(r#"<sheet name="{name}" sheetId="{n}"{state} r:id="rId{n}"/>"#));
        rels.push_str(&format!(
            r#"<Relationship Id="rId{n}" Type="{REL_TYPE}/worksheet" Target="worksheets/sheet{n}.xml"/>"#
        ));
    }
    rels.push_str(&format!(
        r#"<Relationship Id="rIdS" Type="{REL_TYPE}/sharedStrings" Target="sharedStrings.xml"/>"#
    ));
    part("xl/workbook.xml", &[book.as_bytes(), b"</sheets></workbook>"]);
    part("xl/_rels/workbook.xml.rels", &[rels.as_bytes(), b"</Relationships>"]);
    for (i, (_, _, data)) in sheets.iter().enumerate() {
        let head = format!("<worksheet {NS}><sheetData>");
        let name = format!("xl/worksheets/sheet{}.xml", i + 1);
        part(&name, &[head.as_bytes(), data, b"</sheetData></worksheet>"]);
    }
    if let Some(s) = shared {
        part("xl/sharedStrings.xml", &[s]);
    }
    zip.finish().unwrap().into_inner()
}

fn xlsx(sheet_data: &[u8], shared: Option<&[u8]>) -> Vec<u8> {
    xlsx_sheets(&[("Sheet1", false, sheet_data)], shared)
}

/// A row of inline-string and number cells: `"s:text"` or a number.
fn row(r: u32, cells: &[&str]) -> String {
    let mut out = format!(r#"<row r="{r}">"#);
    for (i, c) in cells.iter().enumerate() {
        let col = (b'A' + i as u8) as char;
        match c.strip_prefix("s:") {
            Some(t) => out.push_str(&format!(r#"<c r="{col}{r}" t="inlineStr"><is><t>{t}</t></is></c>"#)),
            None if c.starts_with('=') => out.push_str(&format!(r#"<c r="{col}{r}"><f>{}</f></c>"#, &c[1..])),
            None if c.is_empty() => {}
            None => out.push_str(&format!(r#"<c r="{col}{r}"><v>{c}</v></c>"#)),
        }
    }
    out.push_str("</row>");
    out
}

const CASE_HEADER: [&str; 6] = [
    "s:机构编码",
    "s:险种",
    "s:病种编码",
    "s:医疗总费用",
    "s:个人负担",
    "s:结算日期",
];

fn cases_sheet(rows: &[Vec<&str>]) -> Vec<u8> {
    let mut s = row(1, &CASE_HEADER);
    for (i, r) in rows.iter().enumerate() {
        s.push_str(&row(i as u32 + 2, r));
    }
    xlsx(s.as_bytes(), None)
}

fn read_fail(bytes: &[u8]) -> ImportFailure {
    match read_cases(
        Source {
            name: "cases.xlsx",
            bytes,
        },
        &ReadOptions::default(),
    ) {
        Ok(i) => panic!("should fail, got {} records", i.records.len()),
        Err(e) => e,
    }
}

fn too_large(f: &ImportFailure) -> (String, String) {
    match &f.errors[0].kind {
        ErrorKind::WorkbookTooLarge { part, what, .. } => (part.clone(), what.clone()),
        other => panic!("expected WorkbookTooLarge, got {other:?}"),
    }
}

// Two cells, A1 and XFD1048576: calamine lays out 17,179,869,184 cells (550 GB) densely.
#[test]
fn cells_spanning_the_whole_grid_are_refused_before_reading() {
    let data = format!(
        "{}{}",
        row(1, &CASE_HEADER),
        r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#
    );
    let f = read_fail(&xlsx(data.as_bytes(), None));
    let (part, what) = too_large(&f);
    assert_eq!(part, "xl/worksheets/sheet1.xml");
    assert_eq!(what, "cells spanning 1048576 rows × 16384 columns (A1:XFD1048576)");
    assert_eq!(
        f.errors[0].message(En),
        "cases.xlsx: the workbook part xl/worksheets/sheet1.xml exceeds what the reader accepts: cells spanning 1048576 rows × 16384 columns (A1:XFD1048576) (limit 20000000 cells); the file may be damaged, or save it as CSV and import that"
    );
    assert!(f.errors[0].message(Zh).contains("超出读取上限"));
}

// sharedStrings declaring uniqueCount="2000000000": calamine reserved 2·10⁹ strings (48 GB).
#[test]
fn a_declared_string_count_beyond_the_part_is_refused() {
    let sst = br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2000000000" uniqueCount="2000000000"><si><t>x</t></si></sst>"#;
    let f = read_fail(&xlsx(row(1, &CASE_HEADER).as_bytes(), Some(sst)));
    let (part, what) = too_large(&f);
    assert_eq!(part, "xl/sharedStrings.xml");
    assert_eq!(what, "2000000000 strings declared (uniqueCount)");
}

// One shared string of 4 MB of the same letter (deflated to a few KB); the issue's was 900 MB.
#[test]
fn a_string_longer_than_a_cell_can_hold_is_refused() {
    let big = vec![b'x'; 4 << 20];
    let mut sst = br#"<sst uniqueCount="1"><si><t>"#.to_vec();
    sst.extend_from_slice(&big);
    sst.extend_from_slice(b"</t></si></sst>");
    let bytes = xlsx(row(1, &CASE_HEADER).as_bytes(), Some(&sst));
    assert!(bytes.len() < 64 << 10, "{} bytes", bytes.len());
    let (part, what) = too_large(&read_fail(&bytes));
    assert_eq!(
        (part.as_str(), what.as_str()),
        ("xl/sharedStrings.xml", "a string of 4096 KB")
    );
    // The same in an inline string of a cell.
    let mut data = row(1, &CASE_HEADER).into_bytes();
    data.extend_from_slice(br#"<row r="2"><c r="A2" t="inlineStr"><is><t>"#);
    data.extend_from_slice(&big);
    data.extend_from_slice(b"</t></is></c></row>");
    let (part, what) = too_large(&read_fail(&xlsx(&data, None)));
    assert_eq!(
        (part.as_str(), what.as_str()),
        ("xl/worksheets/sheet1.xml", "a cell of 4096 KB")
    );
}

// Issue 11, class 1: a 个人负担 column of formulas saved without values read as 0 (the point
// value fell from 115.909793 to 89.527340). A money column: an error naming the cells.
#[test]
fn formula_cells_without_a_value_in_a_money_column() {
    let bytes = cases_sheet(&[
        vec!["s:H1", "s:职工", "s:G1", "12000", "=D2*0.25", "s:2024-03-15"],
        vec!["s:H1", "s:职工", "s:G1", "8000", "=D3*0.25", "s:2024-04-15"],
    ]);
    let f = read_fail(&bytes);
    assert_eq!(f.total, 1, "{}", f.message(En));
    assert_eq!(
        f.errors[0].message(Zh),
        "cases.xlsx 工作表「Sheet1」：「个人负担」列有 2 个公式单元格没有保存计算结果（E2、E3）；请在 Excel 或 WPS 中打开、重新计算后保存，或把公式粘贴为数值"
    );
    assert!(
        matches!(&f.errors[0].kind, ErrorKind::FormulaWithoutValue { field, count: 2, .. } if field == "personal_burden")
    );
    // With a cached value the formula is read as its value.
    let mut data = row(1, &CASE_HEADER);
    data.push_str(r#"<row r="2"><c r="A2" t="inlineStr"><is><t>H1</t></is></c><c r="B2" t="inlineStr"><is><t>职工</t></is></c><c r="C2" t="inlineStr"><is><t>G1</t></is></c><c r="D2"><v>12000</v></c><c r="E2"><f>D2*0.25</f><v>3000</v></c><c r="F2" t="inlineStr"><is><t>2024-03-15</t></is></c></row>"#);
    let got = read_cases(
        Source {
            name: "c.xlsx",
            bytes: &xlsx(data.as_bytes(), None),
        },
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(got.records[0].personal_burden.to_string(), "3000");
}

// Optional, not money (考核得分): a warning naming the cells, the import goes on.
#[test]
fn formula_cells_without_a_value_in_an_optional_column() {
    let header = ["s:机构编码", "s:考核得分", "s:机构等级"];
    let data = format!("{}{}", row(1, &header), row(2, &["s:H1", "=90+5", "s:三级"]));
    let got = read_institutions(
        Source {
            name: "inst.xlsx",
            bytes: &xlsx(data.as_bytes(), None),
        },
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(
        got.report.warnings,
        vec![ImportWarning::FormulaWithoutValue {
            field: "assessment_score".into(),
            cells: vec!["B2".into()],
            count: 1
        }]
    );
    assert!(got.report.notes(En)[0].starts_with("Warning: 1 formula cells of 考核得分 (assessment score)"));
}

/// An .ods whose one sheet holds `rows` (`<table:table-row>` elements), deflated.
fn ods(rows: &str) -> Vec<u8> {
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    let o = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("META-INF/manifest.xml", o).unwrap();
    zip.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>"#).unwrap();
    zip.start_file("content.xml", o).unwrap();
    let ns = r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0""#;
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}><office:body><office:spreadsheet><table:table table:name="明细">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    zip.write_all(body.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

/// An .ods row of string cells (`s:text`) and numbers.
fn ods_row(cells: &[&str]) -> String {
    let cell = |c: &&str| match c.strip_prefix("s:") {
        Some(t) => format!(r#"<table:table-cell office:value-type="string"><text:p>{t}</text:p></table:table-cell>"#),
        None => format!(r#"<table:table-cell office:value-type="float" office:value="{c}"/>"#),
    };
    format!(
        "<table:table-row>{}</table:table-row>",
        cells.iter().map(cell).collect::<String>()
    )
}

// A value repeated across every column and down every row: a few hundred bytes that calamine
// lays out as 17,179,869,184 cells (it stops at 10⁸, after reserving 3.2 GB; in the page, an
// abort). Refused before calamine opens it, as an .xlsx is.
#[test]
fn an_ods_repeating_a_cell_over_the_whole_grid_is_refused_before_reading() {
    let read = |b: &[u8]| {
        read_cases(
            Source {
                name: "cases.ods",
                bytes: b,
            },
            &ReadOptions::default(),
        )
    };
    let header = ods_row(&CASE_HEADER);
    let good = ods(&format!(
        "{header}{}",
        ods_row(&["s:H1", "s:职工", "s:G1", "12000", "3000", "s:2024-03-15"])
    ));
    assert_eq!(
        read(&good).unwrap().records.len(),
        1,
        "the helper builds a readable .ods"
    );
    let huge = r#"<table:table-row table:number-rows-repeated="1048575"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="16384"/></table:table-row>"#;
    let f = read(&ods(&format!("{header}{huge}"))).unwrap_err();
    assert_eq!(
        too_large(&f),
        (
            "content.xml, sheet 1".into(),
            "cells spanning 1048576 rows × 16384 columns".into()
        )
    );
    assert_eq!(
        f.errors[0].message(Zh),
        "cases.ods：工作簿部件 content.xml, sheet 1 超出读取上限：cells spanning 1048576 rows × 16384 columns（上限 20000000 cells in all sheets）；文件可能已损坏，或请另存为 CSV 后导入"
    );
}

// A table found only on a hidden sheet was read without saying it was hidden.
#[test]
fn a_table_on_a_hidden_sheet_says_so() {
    let notes = row(1, &["s:说明", "s:本表由系统导出"]);
    let data = format!(
        "{}{}",
        row(1, &CASE_HEADER),
        row(2, &["s:H1", "s:职工", "s:G1", "12000", "3000", "s:2024-03-15"])
    );
    let bytes = xlsx_sheets(
        &[("说明", false, notes.as_bytes()), ("明细", true, data.as_bytes())],
        None,
    );
    let got = read_cases(
        Source {
            name: "cases.xlsx",
            bytes: &bytes,
        },
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(got.records.len(), 1);
    assert_eq!(
        got.report.warnings,
        vec![ImportWarning::HiddenSheet { sheet: "明细".into() }]
    );
    assert_eq!(
        got.report.notes(Zh)[0],
        "注意：表格取自隐藏的工作表「明细」（可见的工作表中没有这一表头）"
    );
}

/// tests/fixtures/import/cases.xls with its sheet's DIMENSIONS record (at byte 3664: type 0x0200,
/// length 14, then rwMic, rwMac as u32) set to the given rows.
fn xls_with_dimensions(first: u32, last: u32) -> Vec<u8> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import/cases.xls");
    let mut b = std::fs::read(path).unwrap();
    assert_eq!(&b[3664..3668], &[0x00, 0x02, 0x0e, 0x00], "the DIMENSIONS record moved");
    b[3668..3672].copy_from_slice(&first.to_le_bytes());
    b[3672..3676].copy_from_slice(&last.to_le_bytes());
    b
}

// Corrupted .xls bytes aborted the process: calamine reserves the declared rows × columns
// (4,294,967,295 rows × 14 columns of 40-byte cells: 2.4 TB) or subtracts a last row that is
// before the first (a panic in debug builds, a huge reservation in release).
#[test]
fn corrupt_xls_dimensions_are_refused() {
    let read = |b: &[u8]| {
        read_cases(
            Source {
                name: "cases.xls",
                bytes: b,
            },
            &ReadOptions::default(),
        )
    };
    assert!(read(&xls_with_dimensions(0, 16)).is_ok(), "the fixture as it is");
    let f = read(&xls_with_dimensions(0, u32::MAX)).unwrap_err();
    let (part, what) = too_large(&f);
    assert_eq!(part, "Workbook stream, sheet 1");
    assert_eq!(what, "dimensions of 4294967295 rows × 14 columns");
    let f = read(&xls_with_dimensions(20, 5)).unwrap_err();
    assert_eq!(too_large(&f).1, "dimensions with rows 20 to 4");
}

/// The detail of an "unreadable file" error.
fn unreadable(f: &ImportFailure) -> String {
    match &f.errors[0].kind {
        ErrorKind::UnreadableFile { detail } => detail.clone(),
        other => panic!("expected UnreadableFile, got {other:?}"),
    }
}

// Issue 11: single-byte edits of tests/fixtures/import/cases.xls (byte, new value) that made
// calamine slice past a record (a BOF, CodePage, XF or BoundSheet8 record emptied, a sheet's
// position beyond the stream): caught natively, but in the page, where a panic aborts the
// worker, fatal. The inspection now refuses each before calamine reads it.
#[test]
fn damaged_xls_records_are_refused_before_calamine_reads_past_them() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import/cases.xls");
    let fixture = std::fs::read(path).unwrap();
    let edits = [
        (1538, 0x00),
        (1690, 0x00),
        (1764, 0x00),
        (2609, 0x00),
        (2612, 0xFF),
        (2612, 0x86),
        (2613, 0xFF),
        (2613, 0x01),
        (2613, 0x80),
        (2614, 0xFF),
        (2614, 0x01),
        (2614, 0x80),
    ];
    let mut details = Vec::new();
    for (at, value) in edits {
        let mut b = fixture.clone();
        b[at] = value;
        let f = read_cases(
            Source {
                name: "cases.xls",
                bytes: &b,
            },
            &ReadOptions::default(),
        )
        .unwrap_err();
        let detail = unreadable(&f);
        assert!(
            detail.starts_with("Workbook stream: "),
            "byte {at} = {value:#x}: {detail}"
        );
        details.push(detail);
    }
    assert_eq!(
        details[0],
        "Workbook stream: a record of type 0x0809 of 0 bytes (needs at least 2 bytes)"
    );
    assert_eq!(
        details[4],
        "Workbook stream: a sheet said to start at byte 65375 (needs a position within the stream's 4914 bytes)"
    );
}

// A corrupt .xls printed calamine's panic text and a backtrace before the clean message: the
// command line's stderr now holds the message only.
#[test]
fn a_corrupt_xls_prints_no_panic() {
    let dir = std::env::temp_dir().join(format!("dipcalc-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("institutions.xls");
    std::fs::write(&path, xls_with_dimensions(20, 5)).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dipcalc"))
        .args([
            "run",
            "--preset",
            "宁德2024",
            "--catalog",
            "x.csv",
            "--cases",
            "y.csv",
            "--institutions",
        ])
        .arg(&path)
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
    assert!(stderr.contains("institutions.xls"), "{stderr}");
}
