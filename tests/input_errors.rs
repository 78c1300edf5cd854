//! One test per class of bad input, each asserting the exact located message in Chinese and
//! English.
#![cfg(not(target_arch = "wasm32"))]

use dipcalc::input::Lang::{En, Zh};
use dipcalc::input::{
    check_dataset, check_dataset_with_cases, read_cases, read_catalog, read_institutions, read_summaries, CaseStream,
    ErrorKind, ImportFailure, ReadOptions, Source, TextEncoding, MAX_ERRORS,
};
use dipcalc::records::cases::CaseTable;
use dipcalc::records::{Case, CaseKind, Catalog, Dataset, Fund, Group, Institution, Review};
use rust_decimal::Decimal;

const HEADER: &str = "机构编码,险种,结算类型,病种编码,医疗总费用,个人负担,住院天数,结算日期";

fn cases_fail(name: &str, body: &str, opts: &ReadOptions) -> ImportFailure {
    match read_cases(
        Source {
            name,
            bytes: body.as_bytes(),
        },
        opts,
    ) {
        Ok(i) => panic!("{name} should fail, got {} records", i.records.len()),
        Err(e) => e,
    }
}

/// The only error of a failed import, in both languages.
fn one(f: &ImportFailure) -> (String, String) {
    assert_eq!(f.total, 1, "{}", f.message(En));
    (f.errors[0].message(Zh), f.errors[0].message(En))
}

fn with_row(row: &str) -> String {
    format!("{HEADER}\nH1,职工,DIP,G1,12000,3000,5,2024-03-15\n{row}\n")
}

#[test]
fn not_a_number() {
    let f = cases_fail(
        "cases.csv",
        &with_row("H1,职工,DIP,G1,\"12,3x4\",3000,5,2024-03-15"),
        &ReadOptions::default(),
    );
    let (zh, en) = one(&f);
    assert_eq!(
        zh,
        "cases.csv 第 3 行 E 列「医疗总费用」：“12,3x4” 不是数字（应为金额，如 12345.67）"
    );
    assert_eq!(
        en,
        "cases.csv row 3, column E (医疗总费用): \"12,3x4\" is not a number (expected an amount such as 12345.67)"
    );
    let e = &f.errors[0];
    assert_eq!(e.row, Some(3));
    assert_eq!(e.column.as_ref().map(|c| c.letter.as_str()), Some("E"));
    assert_eq!(e.value.as_deref(), Some("12,3x4"));
    assert!(matches!(&e.kind, ErrorKind::ExpectedNumber { field, .. } if field == "total_cost"));
    // Display is the Chinese message.
    assert_eq!(e.to_string(), zh);
}

#[test]
fn percentage_in_a_money_column() {
    let f = cases_fail(
        "cases.csv",
        &with_row("H1,职工,DIP,G1,12000,85%,5,2024-03-15"),
        &ReadOptions::default(),
    );
    let (zh, en) = one(&f);
    assert_eq!(
        zh,
        "cases.csv 第 3 行 F 列「个人负担」：“85%” 是百分数，这里应为金额（元），如 12345.67"
    );
    assert_eq!(
        en,
        "cases.csv row 3, column F (个人负担): \"85%\" is a percentage; expected an amount in 元 such as 12345.67"
    );
}

#[test]
fn not_a_date() {
    let f = cases_fail(
        "cases.csv",
        &with_row("H1,职工,DIP,G1,12000,3000,5,2024-02-30"),
        &ReadOptions::default(),
    );
    let (zh, en) = one(&f);
    assert_eq!(zh, "cases.csv 第 3 行 H 列「结算日期」：“2024-02-30” 不是日期（应为日期，如 2024-03-15、2024/3/15、20240315 或 2024年3月15日）");
    assert_eq!(en, "cases.csv row 3, column H (结算日期): \"2024-02-30\" is not a date (expected a date such as 2024-03-15, 2024/3/15, 20240315 or 2024年3月15日)");
}

#[test]
fn unknown_fund() {
    let f = cases_fail(
        "cases.csv",
        &with_row("H1,公务员医疗补助,DIP,G1,12000,3000,5,2024-03-15"),
        &ReadOptions::default(),
    );
    let (zh, en) = one(&f);
    assert_eq!(zh, "cases.csv 第 3 行 B 列「险种」：“公务员医疗补助” 不是职工或居民医保（应为 职工 或 居民，也可写 310/390、职工基本医疗保险、城乡居民基本医疗保险）");
    assert_eq!(en, "cases.csv row 3, column B (险种): \"公务员医疗补助\" is neither 职工 (employee) nor 居民 (resident) insurance (expected 职工 or 居民; 310/390 and the full names are accepted too)");
}

#[test]
fn unknown_settlement_type() {
    let f = cases_fail(
        "cases.csv",
        &with_row("H1,职工,按人头,G1,12000,3000,5,2024-03-15"),
        &ReadOptions::default(),
    );
    let (zh, en) = one(&f);
    assert_eq!(
        zh,
        "cases.csv 第 3 行 C 列「结算类型」：“按人头” 不是已知的结算类型（应为 DIP（病种）、床日 或 项目）"
    );
    assert_eq!(en, "cases.csv row 3, column C (结算类型): \"按人头\" is not a known settlement type (expected DIP (病种), 床日 (per diem) or 项目 (fee for service))");
}

#[test]
fn empty_required_cell() {
    let f = cases_fail(
        "cases.csv",
        &with_row("H1,,DIP,G1,12000,3000,5,2024-03-15"),
        &ReadOptions::default(),
    );
    let (zh, en) = one(&f);
    assert_eq!(
        zh,
        "cases.csv 第 3 行 B 列「险种」：「险种」不能为空（应为 职工 或 居民）"
    );
    assert_eq!(
        en,
        "cases.csv row 3, column B (险种): 险种 (fund) is empty (expected 职工 or 居民)"
    );
    // A DIP case needs a group; a 项目 case does not; a 床日 case needs its days.
    let f = cases_fail(
        "cases.csv",
        &with_row("H1,职工,床日,CR01,12000,3000,,2024-03-15"),
        &ReadOptions::default(),
    );
    let (zh, _) = one(&f);
    assert_eq!(zh, "cases.csv 第 3 行 G 列「住院天数」：「住院天数」不能为空");
    let ok = read_cases(
        Source {
            name: "cases.csv",
            bytes: with_row("H1,职工,项目,,12000,3000,,2024-03-15").as_bytes(),
        },
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(ok.records[1].kind, CaseKind::FeeForService);
}

#[test]
fn negative_days() {
    let f = cases_fail(
        "cases.csv",
        &with_row("H1,职工,DIP,G1,12000,3000,-2,2024-03-15"),
        &ReadOptions::default(),
    );
    let (zh, en) = one(&f);
    assert_eq!(
        zh,
        "cases.csv 第 3 行 G 列「住院天数」：“-2” 是负数，「住院天数」不能小于 0"
    );
    assert_eq!(
        en,
        "cases.csv row 3, column G (住院天数): \"-2\" is negative; 住院天数 (inpatient days) cannot be less than 0"
    );
}

#[test]
fn not_yes_or_no() {
    let body = "机构编码,险种,病种编码,医疗总费用,个人负担,结算日期,质控通过\nH1,职工,G1,100,10,2024-01-01,也许\n";
    let f = cases_fail("cases.csv", body, &ReadOptions::default());
    let (zh, en) = one(&f);
    assert_eq!(
        zh,
        "cases.csv 第 2 行 G 列「质控通过」：“也许” 不是 是/否（也可写 Y/N、1/0、TRUE/FALSE）"
    );
    assert_eq!(
        en,
        "cases.csv row 2, column G (质控通过): \"也许\" is not yes/no (expected 是/否, Y/N, 1/0 or TRUE/FALSE)"
    );
}

#[test]
fn not_a_month() {
    let body = "机构编码,险种,月份,总点数,医疗总费用,个人负担\nH1,职工,13,100,1000,100\n";
    let f = read_summaries(
        Source {
            name: "summary.csv",
            bytes: body.as_bytes(),
        },
        &ReadOptions::default(),
    )
    .unwrap_err();
    let (zh, en) = one(&f);
    assert_eq!(
        zh,
        "summary.csv 第 2 行 C 列「月份」：“13” 不是月份（应为 1–12，如 3、3月、202403 或 2024-03）"
    );
    assert_eq!(
        en,
        "summary.csv row 2, column C (月份): \"13\" is not a month (expected 1–12, such as 3, 3月, 202403 or 2024-03)"
    );
}

#[test]
fn unknown_catalog_type() {
    let body = "病种编码,病种名称,类型,病种分值,次均费用\nG1,阑尾炎,日间手术,100,10000\n";
    let f = read_catalog(
        Source {
            name: "catalog.csv",
            bytes: body.as_bytes(),
        },
        &ReadOptions::default(),
    )
    .unwrap_err();
    let (zh, en) = one(&f);
    assert_eq!(
        zh,
        "catalog.csv 第 2 行 C 列「类型」：“日间手术” 不是已知的病种类型（应为 DIP 或 床日）"
    );
    assert_eq!(
        en,
        "catalog.csv row 2, column C (类型): \"日间手术\" is not a known catalog type (expected DIP or 床日)"
    );
}

#[test]
fn missing_column() {
    let body = "机构编码,险种,病种编码,个人负担,结算日期\nH1,职工,G1,3000,2024-03-15\n";
    let f = cases_fail("cases.csv", body, &ReadOptions::default());
    let (zh, en) = one(&f);
    assert_eq!(
        zh,
        "cases.csv 第 1 行：缺少列「医疗总费用」（也可写作：实际发生总费用、总费用、住院总费用、医疗费总额）"
    );
    assert_eq!(en, "cases.csv row 1: missing column 医疗总费用 (total cost) (also accepted: 实际发生总费用、总费用、住院总费用、医疗费总额)");
    // Either of two columns will do: both are named.
    let body = "机构编码,险种,病种编码,医疗总费用,结算日期\nH1,职工,G1,3000,2024-03-15\n";
    let (zh, _) = one(&cases_fail("cases.csv", body, &ReadOptions::default()));
    assert_eq!(zh, "cases.csv 第 1 行：缺少列「个人负担」或「统筹基金支付」（也可写作：个人负担费用、个人负担金额、个人负担总金额、个人支付）");
}

#[test]
fn no_header_at_all() {
    let f = cases_fail("notes.txt", "这不是表格\n只是几行字\n", &ReadOptions::default());
    let (zh, en) = one(&f);
    assert_eq!(zh, "notes.txt：在前 30 行中找不到病例明细的表头；表头应包含：「机构编码」、「险种」、「病种编码」、「医疗总费用」、「个人负担」或「统筹基金支付」、「结算日期」或「月份」");
    assert_eq!(en, "notes.txt: no cases header in the first 30 rows; the header needs: 机构编码 (institution code), 险种 (fund), 病种编码 (group code), 医疗总费用 (total cost), 个人负担 (personal burden) or 统筹基金支付 (fund payment), 结算日期 (settlement date) or 月份 (month)");
}

#[test]
fn empty_file() {
    let (zh, en) = one(&cases_fail("empty.csv", "", &ReadOptions::default()));
    assert_eq!(zh, "empty.csv：文件是空的");
    assert_eq!(en, "empty.csv: the file is empty");
    // Blank lines only: there is no header either.
    let (zh, _) = one(&cases_fail("blank.csv", "\r\n\r\n,,,\r\n", &ReadOptions::default()));
    assert_eq!(zh, "blank.csv：文件是空的");
}

#[test]
fn unreadable_workbook() {
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend_from_slice(&[0u8; 64]);
    let f = read_cases(
        Source {
            name: "cases.xlsx",
            bytes: &bytes,
        },
        &ReadOptions::default(),
    )
    .unwrap_err();
    let (zh, en) = one(&f);
    assert!(zh.starts_with("cases.xlsx：无法读取文件（"), "{zh}");
    assert!(
        zh.ends_with("）。请确认它是 CSV、Excel（.xlsx/.xls）或 WPS/LibreOffice（.ods）文件"),
        "{zh}"
    );
    assert!(en.starts_with("cases.xlsx: cannot read the file ("), "{en}");
    assert!(matches!(f.errors[0].kind, ErrorKind::UnreadableFile { .. }));
}

#[test]
fn html_saved_as_xls() {
    let html = "<html><body><table><tr><td>机构编码</td></tr></table></body></html>";
    let f = read_cases(
        Source {
            name: "导出.xls",
            bytes: html.as_bytes(),
        },
        &ReadOptions::default(),
    )
    .unwrap_err();
    let (zh, en) = one(&f);
    assert_eq!(
        zh,
        "导出.xls：这是网页（HTML/XML）格式的导出文件，只是扩展名为表格；请用 Excel 或 WPS 打开后另存为 .xlsx 或 CSV"
    );
    assert_eq!(en, "导出.xls: this is an HTML/XML export with a spreadsheet extension; open it in Excel or WPS and save it as .xlsx or CSV");
}

#[test]
fn wrong_encoding_given() {
    // A GB18030 file read as UTF-8 (the user forced the wrong encoding): the header is garbled.
    let text = with_row("H1,职工,DIP,G1,1,1,1,2024-01-01");
    let (gb, _, _) = encoding_rs::GB18030.encode(&text);
    let opts = ReadOptions {
        encoding: Some(TextEncoding::Utf8),
        ..ReadOptions::default()
    };
    let f = read_cases(
        Source {
            name: "cases.csv",
            bytes: &gb,
        },
        &opts,
    )
    .unwrap_err();
    let (zh, en) = one(&f);
    assert_eq!(
        zh,
        "cases.csv 第 1 行：含有不能按 UTF-8 解读的字节；文件可能是另一种编码，请另选编码（UTF-8、GB18030、UTF-16）"
    );
    assert_eq!(en, "cases.csv row 1: contains bytes that are not valid UTF-8; the file may use another encoding (choose UTF-8, GB18030 or UTF-16)");
    // The same bytes with the encoding guessed read fine.
    assert!(read_cases(
        Source {
            name: "cases.csv",
            bytes: &gb
        },
        &ReadOptions::default()
    )
    .is_ok());
}

#[test]
fn undecodable_bytes_in_one_cell() {
    // A UTF-8 file (valid UTF-8 in its first 64 KiB, so read as UTF-8) with one GBK-encoded row.
    // 职工 in GBK is D6 B0 B9 A4, and D6 B0 happens to be valid UTF-8 (U+05B0).
    let mut body = format!("{HEADER}\n").into_bytes();
    for _ in 0..3000 {
        body.extend_from_slice("H1,职工,DIP,G1,100,10,1,2024-01-01\n".as_bytes());
    }
    body.extend_from_slice(b"H\xbb\xfa,\xd6\xb0\xb9\xa4,DIP,G1,100,10,1,2024-01-01\n");
    let f = read_cases(
        Source {
            name: "cases.csv",
            bytes: &body,
        },
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert_eq!(f.total, 2, "{}", f.message(Zh));
    assert_eq!(f.errors[0].message(Zh), "cases.csv 第 3002 行 A 列「机构编码」：“H\u{fffd}\u{fffd}” 含有不能按 UTF-8 解读的字节；文件可能是另一种编码，请另选编码（UTF-8、GB18030、UTF-16）");
    assert_eq!(f.errors[1].message(En), "cases.csv row 3002, column B (险种): \"\u{5b0}\u{fffd}\u{fffd}\" contains bytes that are not valid UTF-8; the file may use another encoding (choose UTF-8, GB18030 or UTF-16)");
}

// Issue 11: a UTF-8 file of a few rows with one invalid byte on row 10 was guessed to be
// GB18030 (the first 64 KiB are not valid UTF-8) and reported on row 1 as a GB18030 problem.
// Its characters outside ASCII are nearly all valid UTF-8: read as UTF-8, the byte's cell is
// the error.
#[test]
fn one_invalid_byte_in_a_short_utf8_file_is_reported_at_its_row() {
    let mut body = format!("{HEADER}\n").into_bytes();
    for _ in 2..10 {
        body.extend_from_slice("H1,职工,DIP,G1,100,10,1,2024-01-01\n".as_bytes());
    }
    body.extend_from_slice(b"H\xff1,\xe8\x81\x8c\xe5\xb7\xa5,DIP,G1,100,10,1,2024-01-01\n");
    let f = read_cases(
        Source {
            name: "cases.csv",
            bytes: &body,
        },
        &ReadOptions::default(),
    )
    .unwrap_err();
    let (zh, en) = one(&f);
    assert_eq!(zh, "cases.csv 第 10 行 A 列「机构编码」：“H\u{fffd}1” 含有不能按 UTF-8 解读的字节；文件可能是另一种编码，请另选编码（UTF-8、GB18030、UTF-16）");
    assert_eq!(en, "cases.csv row 10, column A (机构编码): \"H\u{fffd}1\" contains bytes that are not valid UTF-8; the file may use another encoding (choose UTF-8, GB18030 or UTF-16)");
    // The same rows in GB18030 are still read as GB18030.
    let text = String::from_utf8_lossy(&body).replace('\u{fffd}', "");
    let (gb, _, _) = encoding_rs::GB18030.encode(&text);
    let read = read_cases(
        Source {
            name: "cases.csv",
            bytes: &gb,
        },
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(read.records.len(), 9);
    assert_eq!(read.report.encoding.unwrap().encoding, TextEncoding::Gb18030);
}

#[test]
fn unclosed_quote_makes_a_row_too_long() {
    let mut body = with_row("H1,职工,DIP,G1,\"100,10,1,2024-01-01");
    body.push_str(&"x".repeat(dipcalc::input::MAX_ROW_BYTES + 10));
    // Closed at last, more than a row's limit later.
    body.push_str("\"\n");
    let (zh, en) = one(&cases_fail("cases.csv", &body, &ReadOptions::default()));
    assert_eq!(zh, "cases.csv 第 3 行：这一行超过 1024 KB，可能有未闭合的引号（\"）");
    assert_eq!(
        en,
        "cases.csv row 3: this row is longer than 1024 KB; a quote (\") may be left open"
    );
}

// Issue 11: a quote left open in a short file took the rest of the file into one cell, and
// the row was reported as empty cells. Now one error at the quote's row and column.
#[test]
fn unclosed_quote_is_named_at_its_row_and_column() {
    let body = format!("{HEADER}\nH1,职工,DIP,G1,12000,3000,5,2024-03-15\nH1,职工,DIP,\"G1,100,10,1,2024-01-01\nH2,居民,DIP,G2,100,10,1,2024-01-02\n");
    let (zh, en) = one(&cases_fail("cases.csv", &body, &ReadOptions::default()));
    assert_eq!(
        zh,
        "cases.csv 第 3 行 D 列「病种编码」：这个单元格以引号（\"）开头，但直到文件末尾都没有闭合的引号，其后的内容都被读进了这一格；请补上引号或删去它"
    );
    assert_eq!(
        en,
        "cases.csv row 3, column D (病种编码): this cell opens a quote (\") that is never closed: everything after it, to the end of the file, was read into this one cell; close the quote or remove it"
    );
    // In the header, before any column is known: the row alone.
    let f = cases_fail(
        "cases.csv",
        "机构编码,\"险种,病种编码\nH1,职工,G1\n",
        &ReadOptions::default(),
    );
    assert_eq!(f.errors[0].row, Some(1));
    assert_eq!(f.errors[0].kind, ErrorKind::UnclosedQuote);
    // Fed in chunks, the same.
    let mut stream = CaseStream::new("cases.csv", &ReadOptions::default());
    for chunk in body.as_bytes().chunks(5) {
        stream.push(chunk, &mut |_| {});
    }
    let f = stream.finish(&mut |_| {}).unwrap_err();
    assert_eq!((f.total, f.errors[0].row), (1, Some(3)));
}

#[test]
fn sheet_not_found() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/import/catalog_merged.xlsx"
    ))
    .unwrap();
    let opts = ReadOptions {
        sheet: Some("目录".into()),
        ..ReadOptions::default()
    };
    let f = read_catalog(
        Source {
            name: "catalog.xlsx",
            bytes: &bytes,
        },
        &opts,
    )
    .unwrap_err();
    let (zh, en) = one(&f);
    assert_eq!(zh, "catalog.xlsx：没有名为「目录」的工作表（现有：说明、病种目录）");
    assert_eq!(
        en,
        "catalog.xlsx: no sheet named \"目录\" (the workbook has: 说明, 病种目录)"
    );
    // By position works; the first sheet has no catalog header.
    let opts = ReadOptions {
        sheet: Some("2".into()),
        ..ReadOptions::default()
    };
    assert!(read_catalog(
        Source {
            name: "catalog.xlsx",
            bytes: &bytes
        },
        &opts
    )
    .is_ok());
    let opts = ReadOptions {
        sheet: Some("说明".into()),
        ..ReadOptions::default()
    };
    let f = read_catalog(
        Source {
            name: "catalog.xlsx",
            bytes: &bytes,
        },
        &opts,
    )
    .unwrap_err();
    assert_eq!(f.errors[0].message(Zh), "catalog.xlsx 工作表「说明」：在前 30 行中找不到病种目录的表头；表头应包含：「病种编码」、「病种分值」或「日均基金支付标准」或「权重系数」");
}

#[test]
fn a_located_error_in_a_workbook_names_the_sheet() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/import/catalog.xlsx"
    ))
    .unwrap();
    let mut opts = ReadOptions::default();
    opts.columns.insert("score".into(), "病种名称".into());
    opts.columns.insert("group_name".into(), String::new());
    let f = read_catalog(
        Source {
            name: "catalog.xlsx",
            bytes: &bytes,
        },
        &opts,
    )
    .unwrap_err();
    assert_eq!(f.total, 5);
    assert_eq!(
        f.errors[0].message(Zh),
        "catalog.xlsx 工作表「catalog」第 2 行 B 列「病种名称」：“急性阑尾炎:阑尾切除术” 不是数字（应为数字，如 1.25）"
    );
    assert_eq!(f.errors[0].message(En), "catalog.xlsx, sheet catalog, row 2, column B (病种名称): \"急性阑尾炎:阑尾切除术\" is not a number (expected a number such as 1.25)");
}

#[test]
fn bad_column_mapping() {
    let body = with_row("H1,职工,DIP,G1,1,1,1,2024-01-01");
    let mut opts = ReadOptions::default();
    opts.columns.insert("cost".into(), "费用".into());
    let (zh, en) = one(&cases_fail("cases.csv", &body, &opts));
    assert_eq!(zh, "cases.csv 第 1 行：列映射中的字段「cost」不是此表的字段");
    assert_eq!(
        en,
        "cases.csv row 1: the column mapping names \"cost\", which is not a field of this table"
    );
    let mut opts = ReadOptions::default();
    opts.columns.insert("医疗总费用".into(), "费用".into());
    let (zh, en) = one(&cases_fail("cases.csv", &body, &opts));
    assert_eq!(
        zh,
        "cases.csv 第 1 行：列映射把「医疗总费用」指定为列「费用」，但表头中没有这一列"
    );
    assert_eq!(en, "cases.csv row 1: the column mapping puts 医疗总费用 (total cost) in column \"费用\", which is not in the header");
}

#[test]
fn duplicate_institution_code() {
    let body = "机构编码,机构名称,医保结算等级\nH1,甲医院,三甲\nH2,乙医院,二甲\nH1,丙医院,一级\n";
    let f = read_institutions(
        Source {
            name: "机构.csv",
            bytes: body.as_bytes(),
        },
        &ReadOptions::default(),
    )
    .unwrap_err();
    let (zh, en) = one(&f);
    assert_eq!(zh, "机构.csv 第 4 行 A 列「机构编码」：编码「H1」重复（第 2 行已出现）");
    assert_eq!(
        en,
        "机构.csv row 4, column A (机构编码): code \"H1\" appears again (first on row 2)"
    );
}

#[test]
fn errors_are_all_collected_and_capped() {
    let mut body = format!("{HEADER}\n");
    for _ in 0..150 {
        body.push_str("H1,职工,DIP,G1,abc,1,1,2024-01-01\n");
    }
    let f = cases_fail("cases.csv", &body, &ReadOptions::default());
    assert_eq!(f.total, 150);
    assert_eq!(f.errors.len(), MAX_ERRORS);
    assert_eq!(f.errors[99].row, Some(101));
    let zh = f.message(Zh);
    assert!(zh.ends_with("\n……另有 50 个错误未列出"), "{zh}");
    assert!(f.message(En).ends_with("\n… and 50 more errors"));
    assert_eq!(f.to_string(), zh);
}

#[test]
fn skip_bad_rows_lists_them() {
    let body = format!("{HEADER}\nH1,职工,DIP,G1,100,10,1,2024-01-01\nH1,职工,DIP,G1,abc,10,1,2024-01-01\nH1,居民,DIP,G1,100,10,1,2024-02-01\n");
    let opts = ReadOptions {
        skip_bad_rows: true,
        ..ReadOptions::default()
    };
    let got = read_cases(
        Source {
            name: "cases.csv",
            bytes: body.as_bytes(),
        },
        &opts,
    )
    .unwrap();
    assert_eq!(got.records.len(), 2);
    assert_eq!(got.records[1].fund, Fund::Resident);
    assert_eq!(got.report.bad_rows_total, 1);
    assert_eq!(got.report.bad_rows[0].row, 3);
    assert_eq!(
        got.report.bad_rows[0].errors[0].message(Zh),
        "cases.csv 第 3 行 E 列「医疗总费用」：“abc” 不是数字（应为金额，如 12345.67）"
    );
    assert!(got.report.notes(Zh).iter().any(|n| n == "有错误而跳过 1 行：第 3 行"));
    // Whole-file problems still fail.
    assert!(read_cases(
        Source {
            name: "x.csv",
            bytes: b"a,b\n1,2\n"
        },
        &opts
    )
    .is_err());
}

#[test]
fn stream_stops_emitting_at_the_first_error_and_finish_fails() {
    let body = format!("{HEADER}\nH1,职工,DIP,G1,100,10,1,2024-01-01\nH1,职工,DIP,G1,abc,10,1,2024-01-01\nH1,居民,DIP,G1,100,10,1,2024-02-01\n");
    let mut s = CaseStream::new("cases.csv", &ReadOptions::default());
    let mut got = Vec::new();
    s.push(body.as_bytes(), &mut |c| got.push(c));
    let r = s.finish(&mut |c| got.push(c));
    assert!(r.is_err());
    assert_eq!(
        got.len(),
        1,
        "the row before the error was emitted; the caller discards it"
    );
}

fn case(inst: &str, kind: CaseKind, group: &str, row: u64) -> Case {
    Case {
        institution: inst.into(),
        fund: Fund::Employee,
        kind,
        group: group.into(),
        total_cost: Decimal::ONE,
        personal_burden: Decimal::ZERO,
        excluded_cost: Decimal::ZERO,
        days: Decimal::ONE,
        month: 1,
        review: Review::default(),
        qc_passed: true,
        supplemented: false,
        source_row: row,
        extras: Default::default(),
    }
}

fn institution(code: &str) -> Institution {
    Institution {
        code: code.into(),
        name: String::new(),
        level: "三甲".into(),
        alliance: None,
        base_coefficient: None,
        bonuses: vec![],
        deductions: vec![],
        factors: vec![],
        assessment_score: None,
        primary_care: None,
        history: vec![],
        budget_inputs: Default::default(),
    }
}

#[test]
fn cross_file_checks() {
    let data = Dataset {
        institutions: vec![institution("H1"), institution("H2"), institution("H1")],
        catalog: Catalog {
            groups: vec![Group {
                code: "G1".into(),
                name: String::new(),
                score: Decimal::ONE,
                grassroots: false,
                reference_cost: Decimal::ONE,
                reference_cost_by_level: vec![],
                category: None,
            }],
            per_diem_groups: vec![],
        },
        cases: vec![
            case("H1", CaseKind::Dip, "G1", 2),
            case("H9", CaseKind::Dip, "G1", 3),
            case("H9", CaseKind::Dip, "G1", 4),
            case("H2", CaseKind::Dip, "G7", 5),
            case("H2", CaseKind::PerDiem, "G1", 6),
            case("H2", CaseKind::FeeForService, "", 7),
        ]
        .into(),
        ..Dataset::default()
    };
    let errors = check_dataset(&data);
    // The same cases given apart from the dataset (last year's cases against this year's
    // tables) give exactly the same errors.
    let table = data.cases.clone();
    let without_records = Dataset {
        cases: vec![].into(),
        ..data.clone()
    };
    assert_eq!(check_dataset_with_cases(&without_records, &table), errors);
    let fitting: CaseTable = data.cases.cases().take(1).collect();
    let unique = Dataset {
        institutions: vec![institution("H1"), institution("H2")],
        ..without_records
    };
    assert_eq!(check_dataset_with_cases(&unique, &fitting), vec![]);
    let zh: Vec<String> = errors.iter().map(|e| e.message(Zh)).collect();
    assert_eq!(
        zh,
        [
            "机构：编码「H1」重复出现",
            "病例明细 第 3 行：机构编码「H9」不在机构表中（共 2 条记录）",
            "病例明细 第 5 行：病种编码「G7」不在病种目录中（共 1 条病例）",
            "病例明细 第 6 行：床日组编码「G1」不在病种目录中（共 1 条病例）",
        ]
    );
    let en: Vec<String> = errors.iter().map(|e| e.message(En)).collect();
    assert_eq!(
        en,
        [
            "institutions: code \"H1\" appears more than once",
            "cases row 3: institution code \"H9\" is not in the institutions table (2 records)",
            "cases row 5: group \"G7\" is not in the catalog (1 cases)",
            "cases row 6: per-diem group \"G1\" is not in the catalog (1 cases)",
        ]
    );
}

#[test]
fn errors_serialize_for_the_page() {
    let f = cases_fail(
        "cases.csv",
        &with_row("H1,职工,DIP,G1,\"12,3x4\",3000,5,2024-03-15"),
        &ReadOptions::default(),
    );
    let json = serde_json::to_value(&f).unwrap();
    assert_eq!(json["total"], 1);
    let e = &json["errors"][0];
    assert_eq!(e["file"], "cases.csv");
    assert_eq!(e["row"], 3);
    assert_eq!(e["column"]["letter"], "E");
    assert_eq!(e["kind"], "expected_number");
    assert_eq!(e["field"], "total_cost");
    let view = serde_json::to_value(f.errors[0].view(En)).unwrap();
    assert_eq!(view["column"], "E");
    assert_eq!(view["header"], "医疗总费用");
    assert!(view["message"].as_str().unwrap().starts_with("cases.csv row 3"));
    // And back.
    let back: ImportFailure = serde_json::from_value(json).unwrap();
    assert_eq!(back, f);
}

// Issue 11, class 3: two cases costing 10,000 and −11,874.99 gave a point value of
// 1,811,250,000 (the pool divided by a total near zero). A cost of zero or less, and a personal
// burden below zero or above the cost, are refused with the cell.
#[test]
fn negative_zero_cost_and_burden_above_cost_are_refused() {
    let opts = ReadOptions::default();
    let f = cases_fail("cases.csv", &with_row("H1,职工,DIP,G1,-11874.99,0,5,2024-03-15"), &opts);
    let (zh, en) = one(&f);
    assert_eq!(
        zh,
        "cases.csv 第 3 行 E 列「医疗总费用」：“-11874.99” 不大于 0，「医疗总费用」应为正数（冲销、退费请在导出前按病例轧差）"
    );
    assert_eq!(
        en,
        "cases.csv row 3, column E (医疗总费用): \"-11874.99\" is not above 0; 医疗总费用 (total cost) must be positive (net reversals and refunds per case before exporting)"
    );
    let f = cases_fail("cases.csv", &with_row("H1,职工,DIP,G1,0,0,5,2024-03-15"), &opts);
    assert!(matches!(&f.errors[0].kind, ErrorKind::NotPositive { field } if field == "total_cost"));
    // 3,000.01 of personal burden on a 3,000 bill.
    let f = cases_fail(
        "cases.csv",
        &with_row("H1,职工,DIP,G1,3000,3000.01,5,2024-03-15"),
        &opts,
    );
    let (zh, en) = one(&f);
    assert_eq!(
        zh,
        "cases.csv 第 3 行 F 列「个人负担」：“3000.01” 大于本行「医疗总费用」3000，「个人负担」不能超过它"
    );
    assert_eq!(
        en,
        "cases.csv row 3, column F (个人负担): \"3000.01\" is above this row's 医疗总费用 (total cost) 3000; 个人负担 (personal burden) cannot exceed it"
    );
    let f = cases_fail("cases.csv", &with_row("H1,职工,DIP,G1,3000,-1,5,2024-03-15"), &opts);
    assert!(matches!(&f.errors[0].kind, ErrorKind::Negative { field } if field == "personal_burden"));
    // Derived burden (total − fund payment): a payment above the total is the payment's error.
    let body = "机构编码,险种,病种编码,医疗总费用,统筹支付,结算日期\nH1,职工,G1,3000,3500,2024-03-15\n";
    let f = cases_fail("cases.csv", body, &opts);
    assert_eq!(f.errors[0].column.as_ref().map(|c| c.letter.as_str()), Some("E"));
    assert!(matches!(&f.errors[0].kind, ErrorKind::AboveTotal { field, .. } if field == "fund_payment"));
    // A burden equal to the cost is a case the fund pays nothing for: accepted.
    let ok = format!("{HEADER}\nH1,职工,DIP,G1,3000,3000,5,2024-03-15\n");
    assert!(read_cases(
        Source {
            name: "c.csv",
            bytes: ok.as_bytes()
        },
        &opts
    )
    .is_ok());
}

// Issue 11, class 2: 2023-12-15 was counted as 2024-12, 2025-01-03 as 2024-01 and an Excel
// serial for 1933 as 2024-10. With the policy year given, each is an error naming the cell; with
// skip_out_of_year the rows are left out and counted.
#[test]
fn dates_outside_the_policy_year() {
    let body = format!(
        "{HEADER}\nH1,职工,DIP,G1,12000,3000,5,2024-03-15\nH1,职工,DIP,G1,12000,3000,5,2023-12-15\n\
         H1,职工,DIP,G1,12000,3000,5,2025-01-03\nH1,职工,DIP,G1,12000,3000,5,12327\n"
    );
    let opts = ReadOptions {
        year: Some(2024),
        ..ReadOptions::default()
    };
    let f = cases_fail("cases.csv", &body, &opts);
    assert_eq!(f.total, 3, "{}", f.message(En));
    assert_eq!(
        f.errors[0].message(Zh),
        "cases.csv 第 3 行 H 列「结算日期」：“2023-12-15” 不在政策年度 2024 年内，「结算日期」应为 2024 年的日期（确需剔除时用 --skip-out-of-year，剔除的行数会列出）"
    );
    assert_eq!(
        f.errors[0].message(En),
        "cases.csv row 3, column H (结算日期): \"2023-12-15\" is not in the policy year 2024; 结算日期 (settlement date) must be a date in 2024 (to leave such rows out, use --skip-out-of-year; they are counted in the report)"
    );
    // Excel serial 12327 = 1933-09-30 (25569 is 1970-01-01; 25569 − 12327 = 13242 days earlier).
    assert_eq!(f.errors[2].row, Some(5));
    assert_eq!(f.errors[2].value.as_deref(), Some("12327"));
    let opts = ReadOptions {
        skip_out_of_year: true,
        ..opts
    };
    let got = read_cases(
        Source {
            name: "cases.csv",
            bytes: body.as_bytes(),
        },
        &opts,
    )
    .unwrap();
    assert_eq!(got.records.len(), 1);
    assert_eq!(got.report.out_of_year_total, 3);
    assert_eq!(got.report.out_of_year_rows, vec![3, 4, 5]);
    assert_eq!(got.report.years, vec![1933, 2023, 2024, 2025]);
    let notes = got.report.notes(En).join("\n");
    assert!(
        notes.contains("left out 3 cases dated outside the policy year"),
        "{notes}"
    );
    // A month column with its year (202312) is checked too.
    let body = "机构编码,险种,病种编码,医疗总费用,个人负担,结算月份\nH1,职工,G1,12000,3000,202312\n";
    let f = cases_fail(
        "cases.csv",
        body,
        &ReadOptions {
            year: Some(2024),
            ..ReadOptions::default()
        },
    );
    assert!(matches!(&f.errors[0].kind, ErrorKind::OutsideYear { year: 2024, .. }));
}

// Issue 11, class 5: "12 34" read as 1234. A blank inside a number is accepted only where a
// thousands separator stands (1 234 567).
#[test]
fn spaces_inside_numbers() {
    let f = cases_fail(
        "cases.csv",
        &with_row("H1,职工,DIP,G1,12 34,3000,5,2024-03-15"),
        &ReadOptions::default(),
    );
    let (_, en) = one(&f);
    assert_eq!(
        en,
        "cases.csv row 3, column E (医疗总费用): \"12 34\" is not a number (expected an amount such as 12345.67)"
    );
    for bad in ["1 2345", "12,345 .5", "1, 234"] {
        let f = cases_fail(
            "cases.csv",
            &with_row(&format!("H1,职工,DIP,G1,\"{bad}\",0,5,2024-03-15")),
            &ReadOptions::default(),
        );
        assert!(matches!(&f.errors[0].kind, ErrorKind::ExpectedNumber { .. }), "{bad}");
    }
    let ok = with_row("H1,职工,DIP,G1,1 234 567.5,¥ 3 000 元,5,2024-03-15");
    let got = read_cases(
        Source {
            name: "c.csv",
            bytes: ok.as_bytes(),
        },
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(got.records[1].total_cost.to_string(), "1234567.5");
    assert_eq!(got.records[1].personal_burden.to_string(), "3000");
}

// Issue 11: a 19-digit integer cell overflowed an i64 in the fast number path (a panic in debug
// builds). It is read exactly, through the slower path.
#[test]
fn nineteen_digit_integer() {
    let ok = with_row("H1,职工,DIP,G1,9999999999999999999,0,5,2024-03-15");
    let got = read_cases(
        Source {
            name: "c.csv",
            bytes: ok.as_bytes(),
        },
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(got.records[1].total_cost.to_string(), "9999999999999999999");
}

/// The budget rules' institution columns (吉林2024 第八条; 信阳2019 三(二)(三)): read like the others,
/// twelve months or a located error.
#[test]
fn institution_budget_columns_and_a_short_month_list() {
    let head = "机构编码,机构名称,医保结算等级,机构类别,出院结算人次,次均住院费用,上年各月统筹费用\n";
    let good = format!("{head}H1,甲院,二甲,综合医院,1200,\"9,800.50\",1;2;3;4;5;6;7;8;9;10;11;12\n");
    let got = read_institutions(
        Source {
            name: "机构.csv",
            bytes: good.as_bytes(),
        },
        &ReadOptions::default(),
    )
    .unwrap()
    .records;
    let b = &got[0].budget_inputs;
    assert_eq!(b.category.as_deref(), Some("综合医院"));
    assert_eq!(b.indicators.discharges, Some(Decimal::from(1200)));
    assert_eq!(b.indicators.mean_cost, Some(Decimal::new(980050, 2)));
    assert_eq!(b.last_year_months.len(), 12);
    let bad = format!("{head}H1,甲院,二甲,综合医院,1200,9800,1;2;3;4;5;6;7;8;9;10;11\n");
    let f = read_institutions(
        Source {
            name: "机构.csv",
            bytes: bad.as_bytes(),
        },
        &ReadOptions::default(),
    )
    .unwrap_err();
    let (zh, en) = one(&f);
    assert_eq!(
        zh,
        "机构.csv 第 2 行 G 列「上年各月统筹费用」：“1;2;3;4;5;6;7;8;9;10;11” 有 11 个数，「上年各月统筹费用」应有 12 个（用 ; 、 或 , 分隔，1 月在前）"
    );
    assert!(en.starts_with("机构.csv row 2, column G (上年各月统筹费用)"), "{en}");
    let negative = format!("{head}H1,甲院,二甲,,-5,,\n");
    let f = read_institutions(
        Source {
            name: "机构.csv",
            bytes: negative.as_bytes(),
        },
        &ReadOptions::default(),
    )
    .unwrap_err();
    assert!(one(&f).0.contains("E 列「出院结算人次」：“-5” 是负数"), "{}", one(&f).0);
}
