//! The 年终调整 table (SPEC §7.2): labelled year-end adjustments of one institution, read like
//! the other tables and settled for the institution concerned. Worked figures on SPEC §10's
//! example: audit deductions (信阳2019 三(三) "扣除不合理费用后足额拨付"; 吉林2024 第三十二条),
//! compensation for force majeure (信阳2019 三(二)) and year-end points (吉林2024 第二十七条 ¶1
//! "可依据实际情况调整定点服务机构年终结算点数").
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{d, spec10_dataset, spec10_policy};
use dipcalc::engine::settle;
use dipcalc::input::Lang::{En, Zh};
use dipcalc::input::{check_dataset, read_adjustments, ErrorKind, ImportFailure, ReadOptions, Source};
use dipcalc::records::{Fund, InstitutionAdjustment};

fn read(name: &str, bytes: &[u8]) -> Result<Vec<InstitutionAdjustment>, ImportFailure> {
    read_adjustments(Source { name, bytes }, &ReadOptions::default()).map(|i| i.records)
}

fn fails(body: &str) -> ImportFailure {
    match read("adjustments.csv", body.as_bytes()) {
        Ok(r) => panic!("should fail, got {} records", r.len()),
        Err(e) => e,
    }
}

fn adjustment(institution: &str, label: &str, points: &str, amount: &str) -> InstitutionAdjustment {
    InstitutionAdjustment {
        institution: institution.into(),
        fund: Fund::Employee,
        label: label.into(),
        points: d(points),
        amount: d(amount),
        basis: String::new(),
        quality_reserve_deduction: Default::default(),
    }
}

// ---- reading ----

#[test]
fn a_table_with_a_title_a_unit_line_and_a_totals_row() {
    // 扣减金额 is written positive, as audit exports list it: amount = 调整金额 − 扣减金额.
    let csv = "2024年度DIP年终清算调整表\n单位：元\n\
               机构编码,险种,调整项目,调整点数,调整金额,扣减金额,依据\n\
               H1,职工,年终点数调整,81.5,,,吉林2024 第二十七条\n\
               H2,职工,审核扣款,,,\"1,200.00\",信阳2019 三(三)\n\
               H3,职工,不可抗力补偿,,500,,信阳2019 三(二)\n\
               合计,,,81.5,500,1200,\n";
    let r = read_adjustments(
        Source {
            name: "年终调整.csv",
            bytes: csv.as_bytes(),
        },
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!(r.report.header_row, Some(3));
    assert_eq!(r.report.skipped_rows_total, 1);
    let got = r.records;
    assert_eq!(got.len(), 3);
    assert_eq!((got[0].points, got[0].amount), (d("81.5"), d("0")));
    assert_eq!(got[0].basis, "吉林2024 第二十七条");
    assert_eq!((got[1].label.as_str(), got[1].amount), ("审核扣款", d("-1200")));
    assert_eq!((got[2].fund, got[2].amount), (Fund::Employee, d("500")));
}

#[test]
fn gb18030_text_and_an_xlsx_workbook_read_alike() {
    let csv = "机构编码,险种,调整类别,扣款金额,调整依据\r\nH2,居民,违规扣减,300,飞行检查\r\n";
    let (gbk, _, _) = encoding_rs::GB18030.encode(csv);
    let from_text = read("调整.csv", &gbk).unwrap();

    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in ["机构编码", "险种", "调整类别", "扣款金额", "调整依据"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "H2").unwrap();
    ws.write_string(1, 1, "居民").unwrap();
    ws.write_string(1, 2, "违规扣减").unwrap();
    ws.write_number(1, 3, 300.0).unwrap();
    ws.write_string(1, 4, "飞行检查").unwrap();
    let from_xlsx = read("调整.xlsx", &book.save_to_buffer().unwrap()).unwrap();

    assert_eq!(from_text, from_xlsx);
    assert_eq!(from_text[0].amount, d("-300"));
    assert_eq!(from_text[0].fund, Fund::Resident);
}

#[test]
fn a_row_with_neither_points_nor_an_amount_is_located() {
    let f = fails("机构编码,险种,调整项目,调整点数,调整金额\nH1,职工,审核扣款,,\n");
    assert_eq!(f.total, 1);
    let e = &f.errors[0];
    assert_eq!(e.row, Some(2));
    assert!(matches!(&e.kind, ErrorKind::EmptyAll { fields } if fields.len() == 4));
    assert_eq!(
        e.message(Zh),
        "adjustments.csv 第 2 行：「调整点数」、「调整金额」、「扣减金额」、「扣减质量保证金」都是空的，至少应填一项"
    );
    assert_eq!(
        e.message(En),
        "adjustments.csv row 2: 调整点数 (point adjustment), 调整金额 (amount adjustment), 扣减金额 (deduction), 扣减质量保证金 (quality reserve deduction) are all empty; fill in at least one"
    );
}

#[test]
fn a_negative_deduction_is_located() {
    // A deduction is already subtracted: −1,200 would pay the institution 1,200.
    let f = fails("机构编码,险种,调整项目,扣减金额\nH2,职工,审核扣款,-1200\n");
    assert_eq!(f.total, 1);
    let e = &f.errors[0];
    assert_eq!(
        e.message(Zh),
        "adjustments.csv 第 2 行 D 列「扣减金额」：“-1200” 是负数，「扣减金额」不能小于 0"
    );
    assert_eq!(
        e.message(En),
        "adjustments.csv row 2, column D (扣减金额): \"-1200\" is negative; 扣减金额 (deduction) cannot be less than 0"
    );
}

#[test]
fn bad_cells_and_a_missing_column_are_located() {
    let f = fails("机构编码,险种,调整项目,调整金额\nH1,公务员,补偿,12x\nH2,职工,,100\n");
    let zh: Vec<String> = f.errors.iter().map(|e| e.message(Zh)).collect();
    assert_eq!(
        zh,
        [
            "adjustments.csv 第 2 行 B 列「险种」：“公务员” 不是职工或居民医保（应为 职工 或 居民，也可写 310/390、职工基本医疗保险、城乡居民基本医疗保险）",
            "adjustments.csv 第 2 行 D 列「调整金额」：“12x” 不是数字（应为金额，如 12345.67）",
            "adjustments.csv 第 3 行 C 列「调整项目」：「调整项目」不能为空",
        ]
    );
    let f = fails("机构编码,险种,调整金额\nH1,职工,100\n");
    assert!(
        f.errors[0].message(Zh).contains("缺少列「调整项目」"),
        "{}",
        f.errors[0].message(Zh)
    );
}

#[test]
fn an_unknown_institution_is_named_with_its_table() {
    let mut data = spec10_dataset();
    data.adjustments = vec![adjustment("H9", "审核扣款", "0", "-100")];
    let errors = check_dataset(&data);
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].message(Zh),
        "年终调整：机构编码「H9」不在机构表中（共 1 条记录）"
    );
    assert_eq!(
        errors[0].message(En),
        "year-end adjustments: institution code \"H9\" is not in the institutions table (1 records)"
    );
}

// ---- settling (SPEC §10's example: PV 115.909793, net to pay H1 51,344.04, H2 −21,676.48,
// H3 280.63) ----

#[test]
fn amounts_go_to_the_institution_concerned_only() {
    let p = spec10_policy();
    let base = settle(&p, &spec10_dataset()).unwrap();
    let mut data = spec10_dataset();
    let mut audit = adjustment("H2", "审核扣款", "0", "-1200");
    audit.basis = "信阳2019 三(三)".into();
    data.adjustments = vec![audit, adjustment("H3", "不可抗力补偿", "0", "500")];
    let f = &settle(&p, &data).unwrap().funds[0];
    let b = &base.funds[0];
    // Amounts change no point and no S: the point value stays 115.909793 and S, T and the fund's
    // payment are those of §10. Only the year-end amount of the institution named moves
    // (信阳2019 三(二): compensation for the institution concerned, not spread over every one).
    assert_eq!(f.point_value, b.point_value);
    for (u, v) in f.units.iter().zip(&b.units) {
        assert_eq!(
            (u.settlement, u.target, u.fund_pays),
            (v.settlement, v.target, v.fund_pays)
        );
    }
    // H1: no adjustment, 51,344.04 as in §10.
    assert_eq!(f.units[0].net_to_pay, d("51344.04"));
    assert!(f.units[0].adjustments.is_empty());
    // H2: −21,676.48 − 1,200 audit deduction = −22,876.48 (信阳2019 三(三); 吉林2024 第三十二条).
    assert_eq!(f.units[1].net_to_pay, d("-22876.48"));
    assert_eq!(f.units[1].amount_adjustments, d("-1200"));
    let line = &f.units[1].adjustments[0];
    assert_eq!(
        (line.label.as_str(), line.basis.as_str()),
        ("审核扣款", "信阳2019 三(三)")
    );
    // H3: 280.63 + 500 compensation = 780.63 (信阳2019 三(二)).
    assert_eq!(f.units[2].net_to_pay, d("780.63"));
    // Totals: −1,200 + 500 = −700.
    assert_eq!(f.totals.amount_adjustments, d("-700"));
    // The trace names each adjustment.
    let trace = dipcalc::engine::unit_trace(&p, f, &f.units[1]);
    assert!(trace
        .iter()
        .any(|t| t.label == "年终调整：审核扣款" && t.value == d("-1200")));
}

#[test]
fn year_end_points_reprice_the_whole_fund() {
    // 吉林2024 第二十七条 ¶1: points added at year end enter Σ points, so every institution's S moves.
    let p = spec10_policy();
    let mut data = spec10_dataset();
    data.adjustments = vec![adjustment("H1", "年终点数调整", "81.5", "0")];
    let f = &settle(&p, &data).unwrap().funds[0];
    // Points: H1 1,000.5 + 81.5 = 1,082; total 1,618.5 + 81.5 = 1,700.
    assert_eq!(f.units[0].points.adjustments, d("81.5"));
    assert_eq!(f.units[0].points.total, d("1082"));
    // PV = 187,600 ÷ 1,700 = 110.352941 (6 dp).
    assert_eq!(f.point_value, Some(d("110.352941")));
    // S = 187,600 × points ÷ 1,700: 119,401.882…, 50,541.647…, 17,656.470…; floors add to
    // 187,599.99 and the missing cent goes to the largest remainder, H2 (0.0071).
    let s: Vec<_> = f.units.iter().map(|u| u.settlement).collect();
    assert_eq!(s, [d("119401.88"), d("50541.65"), d("17656.47")]);
    assert_eq!(f.units[0].adjustments[0].points, d("81.5"));
}

#[test]
fn a_quality_reserve_deduction_column() {
    // 信阳2019 三(七) "视情节轻重予以扣减质量保证金": its own column, never negative.
    let csv = "机构编码,险种,调整项目,扣减质量保证金,依据\nH2,居民,推诿拒收病人,800,三(七)\n";
    let got = read("调整.csv", csv.as_bytes()).unwrap();
    assert_eq!((got[0].quality_reserve_deduction, got[0].amount), (d("800"), d("0")));
    let f = fails("机构编码,险种,调整项目,扣减质量保证金\nH2,居民,推诿拒收病人,-800\n");
    assert!(
        f.errors[0]
            .message(Zh)
            .contains("D 列「扣减质量保证金」：“-800” 是负数"),
        "{}",
        f.errors[0].message(Zh)
    );
}
