//! The value forms and header names real exports use.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::d;

use dipcalc::input::{
    read_cases, read_catalog, read_institutions, read_outpatient, read_summaries, IgnoredReason, ImportWarning, Lang,
    ReadOptions, Source, TextEncoding,
};
use dipcalc::records::{CaseKind, Fund};
use rust_decimal::Decimal;

fn src<'a>(name: &'a str, text: &'a str) -> Source<'a> {
    Source {
        name,
        bytes: text.as_bytes(),
    }
}

#[test]
fn platform_export_headers_and_derived_personal_burden() {
    // National platform field names; fund payment instead of personal burden (SPEC §7).
    let csv = "fixmedins_code,insutype,setl_time,dip_code,medfee_sumamt,hifp_pay,real_hosp_days,序号\n\
               H1,310,2024-03-15 10:20:30,G1,12345.67,10000.00,5,1\n\
               H2,390,2024-04-01 08:00:00,G2,500,499.5,1,2\n";
    let got = read_cases(src("export.csv", csv), &ReadOptions::default()).unwrap();
    let c = &got.records;
    assert_eq!((c[0].fund, c[1].fund), (Fund::Employee, Fund::Resident));
    assert_eq!(c[0].personal_burden, d("2345.67"));
    assert_eq!(c[1].personal_burden, d("0.5"));
    assert_eq!((c[0].month, c[1].month), (3, 4));
    assert_eq!(c[0].days, d("5"));
    let ignored = &got.report.ignored_columns;
    assert_eq!(ignored.len(), 1);
    assert_eq!((ignored[0].header.as_str(), ignored[0].letter.as_str()), ("序号", "H"));
    assert_eq!(ignored[0].reason, IgnoredReason::Unknown);
}

#[test]
fn real_export_chinese_headers() {
    let csv = "定点医药机构编号,险种类型,结算类型,病种组合编码,实际发生总费用,医保记账费用,先进医疗技术费用（元）,住院天数（天）,结算日期,是否特病单议,特例单议分值,质控结果,是否补充结算\n\
               H1,职工基本医疗保险,按病种分值付费,G1,\"12,000.00\",\"9,000.00\",0,5,2024/3/15,N,,通过,否\n\
               H1,城乡居民基本医疗保险,按床日,CR01,3000,2400,0,10,20240401,Y,,不通过,是\n\
               H1,职工,按项目,,800,600,0,1,2024年5月6日,0,88.5,1,0\n";
    let got = read_cases(src("his.csv", csv), &ReadOptions::default()).unwrap();
    let c = &got.records;
    assert_eq!(c[0].kind, CaseKind::Dip);
    assert_eq!(c[0].personal_burden, d("3000"));
    assert_eq!(c[1].kind, CaseKind::PerDiem);
    assert_eq!(c[1].fund, Fund::Resident);
    assert!(c[1].review.applied);
    assert!(!c[1].qc_passed && c[1].supplemented);
    assert_eq!(c[2].kind, CaseKind::FeeForService);
    assert_eq!(c[2].month, 5);
    assert_eq!(c[2].review.score, Some(d("88.5")));
    assert!(c[2].review.applied, "a review score implies an application");
    assert!(
        got.report.ignored_columns.is_empty(),
        "{:?}",
        got.report.ignored_columns
    );
}

#[test]
fn amounts_in_every_written_form() {
    let csv = "机构编码,险种,病种编码,医疗总费用,个人负担,结算日期\n\
               H1,职工,G1,\"1,234.50\",¥100,2024-01-01\n\
               H1,职工,G1,１２３４．５,￥１００元,2024-01-01\n\
               H1,职工,G1,1234.5元,-,2024-01-01\n\
               H1,职工,G1,0.12345万,100,2024-01-01\n\
               H1,职工,G1,1.2345E+03,100,2024-01-01\n\
               H1,职工,G1,=\"1234.5\",100.00,2024-01-01\n";
    let got = read_cases(src("a.csv", csv), &ReadOptions::default()).unwrap();
    for c in &got.records {
        assert_eq!(c.total_cost, d("1234.5"), "row {}", c.source_row);
    }
    assert_eq!(
        got.records[2].personal_burden,
        Decimal::ZERO,
        "accounting format's dash is zero"
    );
}

#[test]
fn dates_in_every_written_form() {
    let forms = [
        "2024-03-15",
        "2024/3/15",
        "2024.3.15",
        "20240315",
        "2024年3月15日",
        "202403",
        "2024-03",
        "2024年3月",
        "45366",
        "45366.4375",
        "2024-03-15T08:00:00",
        "2024/3/15 8:00",
    ];
    let mut csv = String::from("机构编码,险种,病种编码,医疗总费用,个人负担,结算日期\n");
    for f in forms {
        csv.push_str(&format!("H1,职工,G1,1,0,{f}\n"));
    }
    let got = read_cases(src("dates.csv", &csv), &ReadOptions::default()).unwrap();
    assert!(got.records.iter().all(|c| c.month == 3));
    assert_eq!(got.report.years, vec![2024]);
}

#[test]
fn booleans_in_every_written_form() {
    let mut csv = String::from("机构编码,险种,病种编码,医疗总费用,个人负担,结算日期,补充结算\n");
    for (v, _) in [
        ("是", true),
        ("Y", true),
        ("yes", true),
        ("1", true),
        ("TRUE", true),
        ("√", true),
    ] {
        csv.push_str(&format!("H1,职工,G1,1,0,2024-01-01,{v}\n"));
    }
    for v in ["否", "N", "no", "0", "FALSE", "×", ""] {
        csv.push_str(&format!("H1,职工,G1,1,0,2024-01-01,{v}\n"));
    }
    let got = read_cases(src("b.csv", &csv), &ReadOptions::default()).unwrap();
    let flags: Vec<bool> = got.records.iter().map(|c| c.supplemented).collect();
    assert_eq!(
        flags,
        [true, true, true, true, true, true, false, false, false, false, false, false, false]
    );
}

#[test]
fn semicolon_tab_and_crlf_with_quoted_newlines() {
    let semi = "机构编码;险种;病种编码;医疗总费用;个人负担;结算日期\r\nH1;职工;\"G1\";\"1,234.50\";0;2024-01-01\r\n";
    let got = read_cases(src("semi.csv", semi), &ReadOptions::default()).unwrap();
    assert_eq!(got.report.delimiter.as_deref(), Some(";"));
    assert_eq!(got.records[0].total_cost, d("1234.5"));

    let inst = "机构编码\t机构名称\t医保结算等级\r\nH1\t\"宁德市\r\n第一医院\"\t三甲\r\nH2\t福安市医院\t二甲\r\n";
    let got = read_institutions(src("inst.txt", inst), &ReadOptions::default()).unwrap();
    assert_eq!(got.report.delimiter.as_deref(), Some("\t"));
    assert_eq!(got.records[0].name, "宁德市\r\n第一医院");
    assert_eq!(got.records[1].code, "H2");
}

#[test]
fn options_override_encoding_delimiter_and_columns() {
    let csv = "编号|类别|组|费用A|自付|日期\nH1|职工|G1|100|10|2024-02-02\n";
    let mut opts = ReadOptions {
        delimiter: Some('|'),
        ..ReadOptions::default()
    };
    for (field, header) in [
        ("institution", "编号"),
        ("fund", "类别"),
        ("group", "C"),          // by column letter
        ("医疗总费用", "费用A"), // by canonical name
        ("personal_burden", "自付"),
        ("settle_date", "日期"),
    ] {
        opts.columns.insert(field.into(), header.into());
    }
    let got = read_cases(src("custom.csv", csv), &opts).unwrap();
    assert_eq!(got.records[0].group, "G1");
    assert_eq!(got.records[0].total_cost, d("100"));
    let letters: Vec<(&str, &str)> = got
        .report
        .columns
        .iter()
        .map(|c| (c.field.as_str(), c.letter.as_str()))
        .collect();
    assert_eq!(
        letters,
        [
            ("institution", "A"),
            ("fund", "B"),
            ("group", "C"),
            ("total_cost", "D"),
            ("personal_burden", "E"),
            ("settle_date", "F"),
        ]
    );
    // Un-mapping a column with an empty header.
    let csv = "机构编码,险种,病种编码,医疗总费用,个人负担,结算日期,补充结算\nH1,职工,G1,1,0,2024-01-01,乱码\n";
    assert!(read_cases(src("x.csv", csv), &ReadOptions::default()).is_err());
    let mut opts = ReadOptions::default();
    opts.columns.insert("supplemented".into(), String::new());
    assert!(read_cases(src("x.csv", csv), &opts).is_ok());
    // Encoding given: a GB18030 file.
    let (gb, _, _) = encoding_rs::GB18030.encode(csv);
    let opts = ReadOptions {
        encoding: Some(TextEncoding::Gb18030),
        ..opts
    };
    let got = read_cases(
        Source {
            name: "gb.csv",
            bytes: &gb,
        },
        &opts,
    )
    .unwrap();
    assert_eq!(got.records[0].fund, Fund::Employee);
    assert_eq!(
        got.report.encoding.unwrap().reason,
        dipcalc::input::EncodingReason::Given
    );
    // Options travel as JSON from the page.
    let json = r#"{"encoding":"gbk","sheet":"2","columns":{"total_cost":"F"},"skip_bad_rows":true}"#;
    let parsed: ReadOptions = serde_json::from_str(json).unwrap();
    assert_eq!(parsed.encoding, Some(TextEncoding::Gb18030));
    assert!(parsed.skip_bad_rows);
}

#[test]
fn duplicate_columns_use_the_better_alias() {
    let csv = "机构编码,险种,病种编码,总费用,医疗总费用,个人负担,结算日期\nH1,职工,G1,1,2,0,2024-01-01\n";
    let got = read_cases(src("dup.csv", csv), &ReadOptions::default()).unwrap();
    assert_eq!(got.records[0].total_cost, d("2"));
    let ig = &got.report.ignored_columns[0];
    assert_eq!(ig.letter, "D");
    assert_eq!(
        ig.reason,
        IgnoredReason::Duplicate {
            field: "total_cost".into()
        }
    );
}

#[test]
fn totals_rows_of_every_shape_are_skipped() {
    let csv = "机构编码,险种,病种编码,医疗总费用,个人负担,结算日期\n\
               H1,职工,G1,100,10,2024-01-01\n\
               小计,,,100,10,\n\
               H2,居民,G1,200,20,2024-01-01\n\
               ,,,300,30,\n\
               本页合计：,,,300,30,\n\
               总 计,,,300,30,\n\
               \n\
               注：本表由系统生成\n";
    let got = read_cases(src("t.csv", csv), &ReadOptions::default()).unwrap();
    assert_eq!(got.records.len(), 2);
    let rows: Vec<u64> = got.report.skipped_rows.iter().map(|r| r.row).collect();
    assert_eq!(rows, [3, 5, 6, 7, 9]);
    assert_eq!(got.report.rows_read, 7);
}

#[test]
fn institution_lists_percentages_and_history_columns() {
    let csv = "机构编码,机构名称,等级,基本调节系数,加成系数,扣减系数,上年基金支付,前年基金支付,大前年基金支付\n\
               H1,甲,三甲,105%,\"0.05、0.03\",2%,300,200,100\n\
               H2,乙,二甲,,,,300,,\n";
    let got = read_institutions(src("i.csv", csv), &ReadOptions::default()).unwrap();
    let i = &got.records;
    assert_eq!(i[0].base_coefficient, Some(d("1.05")));
    assert_eq!(i[0].bonuses, vec![d("0.05"), d("0.03")]);
    assert_eq!(i[0].deductions, vec![d("0.02")]);
    assert_eq!(i[0].history, vec![d("300"), d("200"), d("100")]);
    assert_eq!(i[1].base_coefficient, None);
    assert_eq!(i[1].history, vec![d("300")]);
}

#[test]
fn per_diem_groups_in_their_own_file() {
    let csv = "床日组编码,床日组名称,日均基金支付标准\nCR01,精神病床日,320\nCR02,康复床日,\"1,050.5\"\n";
    let got = read_catalog(src("床日.csv", csv), &ReadOptions::default()).unwrap();
    assert!(got.records.groups.is_empty());
    assert_eq!(got.records.per_diem_groups.len(), 2);
    assert_eq!(got.records.per_diem_groups[1].daily_fund_standard, d("1050.5"));
}

#[test]
fn catalog_level_columns_in_both_orders() {
    let csv = "病种编码,病种名称,病种分值,次均费用(元),三甲次均费用,次均费用（二甲）,参考费用_一级\nG1,甲,100,10000,11000,9000,8000\n";
    let got = read_catalog(src("c.csv", csv), &ReadOptions::default()).unwrap();
    assert_eq!(
        got.records.groups[0].reference_cost_by_level,
        vec![
            ("三甲".into(), d("11000")),
            ("二甲".into(), d("9000")),
            ("一级".into(), d("8000"))
        ]
    );
}

#[test]
fn summaries_and_outpatient_with_wan_yuan_header() {
    let csv = "机构编码,险种,月份,总点数,医疗总费用（万元）,统筹基金支付(万元),病例数\nH1,居民,2024年3月,1000,12.5,10,\"1,200\"\n";
    let got = read_summaries(src("s.csv", csv), &ReadOptions::default()).unwrap();
    let s = &got.records[0];
    assert_eq!(s.month, Some(3));
    assert_eq!(s.total_cost, d("125000"));
    assert_eq!(s.personal_burden, d("25000"));
    assert_eq!(s.cases, Some(1200));
    let csv = "机构编码,险种,人头付费,药品费用,医疗服务费用\nH1,职工,\"50,000\",100,200\n";
    let got = read_outpatient(src("o.csv", csv), &ReadOptions::default()).unwrap();
    assert_eq!(got.records[0].capitation_payment, d("50000"));
    assert_eq!(got.records[0].consumables, Decimal::ZERO);
    assert_eq!(got.records[0].month, None);
}

#[test]
fn docs_list_every_alias() {
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/import.md")).unwrap();
    let table = dipcalc::input::aliases_markdown();
    assert!(
        docs.contains(&table),
        "docs/import.md is out of date: paste dipcalc::input::aliases_markdown() into it:\n{table}"
    );
}

// Issue 11, class 6: a row with an empty code, a small number in the group column and a cost
// reads as an unlabelled totals row and is skipped; it carries a case's data (a group code and
// a cost), so it is a warning naming the row. A real totals row (no group) stays a note.
#[test]
fn a_skipped_row_with_case_data_is_a_warning() {
    let csv = "机构编码,险种,结算类型,病种编码,医疗总费用,个人负担,住院天数,结算日期\n\
               H1,职工,DIP,12,12000,3000,5,2024-03-15\n\
               ,,,12,8000,2000,,\n\
               合计,,,,20000,5000,,\n";
    let got = read_cases(src("cases.csv", csv), &ReadOptions::default()).unwrap();
    assert_eq!(got.records.len(), 1);
    assert_eq!(got.report.skipped_rows_total, 2);
    assert_eq!(
        got.report.warnings,
        vec![ImportWarning::SkippedCaseData {
            row: 3,
            text: "12 | 8000 | 2000".into()
        }]
    );
    assert_eq!(
        got.report.notes(Lang::En)[0],
        "Warning: row 3 (12 | 8000 | 2000) was skipped as a totals/note row but carries case data (a group code or a cost): a case may be lost; check it"
    );
}

// Issue 11, class 7: an institutions file whose coefficient column the importer did not know
// gave every institution the policy's level coefficient, exit 0.
#[test]
fn unknown_headers_beside_a_defaulted_field() {
    // (e) 基本系数 and 系数因子 are now base-coefficient headers.
    for header in ["基本系数", "系数因子"] {
        let csv = format!("机构编码,机构名称,医保结算等级,{header}\nH1,甲医院,三甲,1.1\n");
        let got = read_institutions(src("inst.csv", &csv), &ReadOptions::default()).unwrap();
        assert_eq!(got.records[0].base_coefficient, Some(d("1.1")), "{header}");
        assert!(got.report.warnings.is_empty());
    }
    // (b) A header that only resembles it: a warning naming the field and the --map fix.
    let csv = "机构编码,机构名称,医保结算等级,医院综合系数值\nH1,甲医院,三甲,1.1\n";
    let got = read_institutions(src("inst.csv", csv), &ReadOptions::default()).unwrap();
    assert_eq!(got.records[0].base_coefficient, None);
    let notes = got.report.notes(Lang::En);
    assert_eq!(
        notes[0],
        "Warning: the unused column D (医院综合系数值) looks like 基本调节系数 (base coefficient), which was not read from the file and takes its default; if it is, use --map institutions.base_coefficient=D (page: column mapping)"
    );
    // (a) Which column fed each field.
    assert!(
        notes.contains(
            &"columns read: 机构编码 ← A「机构编码」; 机构名称 ← B「机构名称」; 医保结算等级 ← C「医保结算等级」"
                .to_string()
        ),
        "{notes:?}"
    );
    // Mapped as the warning says: read, no warning.
    let mut opts = ReadOptions::default();
    opts.columns.insert("base_coefficient".into(), "D".into());
    let got = read_institutions(src("inst.csv", csv), &opts).unwrap();
    assert_eq!(got.records[0].base_coefficient, Some(d("1.1")));
    assert!(got.report.warnings.is_empty());
}

// Issue 11, class 7d: scores that all look like relative weights (score ÷ 1000). G1: 1.2 points
// for a 12,000 元 group is 10,000 元 a point (a ×1000 catalog's point is worth ~10 元).
#[test]
fn scores_that_look_like_weights() {
    let csv = "病种编码,病种名称,病种分值,次均费用\nG1,甲,1.2,12000\nG2,乙,0.4,4000\n";
    let got = read_catalog(src("catalog.csv", csv), &ReadOptions::default()).unwrap();
    assert_eq!(
        got.report.warnings,
        vec![ImportWarning::ScoresLookLikeWeights {
            letter: "C".into(),
            header: "病种分值".into(),
            max: d("1.2")
        }]
    );
    // The same catalog in points (×1000): 12,000 ÷ 1,200 = 10 元 a point; no warning.
    let csv = "病种编码,病种名称,病种分值,次均费用\nG1,甲,1200,12000\nG2,乙,400,4000\n";
    let got = read_catalog(src("catalog.csv", csv), &ReadOptions::default()).unwrap();
    assert!(got.report.warnings.is_empty());
}
