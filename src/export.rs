//! Results as tables for people: CSV that Excel opens (UTF-8 with BOM), shared by the command
//! line and the page. A cell that starts with = + - @ (or a tab or carriage return) is escaped
//! with a leading apostrophe so Excel never evaluates it as a formula; numbers are written as
//! plain decimals and are not escaped, so a negative amount stays a number.

use crate::engine::result::{BandPosition, FundResult, OutpatientLine, Settlement, UnitResult};
use rust_decimal::Decimal;

/// Byte order mark Excel needs to read UTF-8.
pub const BOM: &str = "\u{feff}";

/// Output language of headers and labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

/// A text cell made safe for spreadsheets: formula prefixes escaped, quoted when needed.
pub fn text_cell(s: &str) -> String {
    let escaped = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    quote(&escaped)
}

/// A number cell: plain decimal text (a leading minus is a number, not a formula).
pub fn number_cell(x: Decimal) -> String {
    x.normalize().to_string()
}

/// Points as the JSON output gives them (4 decimals, SPEC §2).
fn points_cell(x: Decimal) -> String {
    number_cell(crate::engine::rounding::round_points(x))
}

fn money_cell(x: Decimal) -> String {
    format!("{:.2}", crate::engine::rounding::round_money(x))
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub(crate) fn band_label(b: BandPosition, lang: Lang) -> String {
    match (b, lang) {
        (BandPosition::None, Lang::Zh) => "不分担".into(),
        (BandPosition::None, Lang::En) => "none".into(),
        (BandPosition::OverspendShared { band }, Lang::Zh) => format!("超支第{}档分担", band + 1),
        (BandPosition::OverspendShared { band }, Lang::En) => format!("overspend band {}", band + 1),
        (BandPosition::OverspendBeyond, Lang::Zh) => "超支超出末档".into(),
        (BandPosition::OverspendBeyond, Lang::En) => "overspend beyond bands".into(),
        (BandPosition::SurplusShared { band }, Lang::Zh) => format!("结余第{}档分担", band + 1),
        (BandPosition::SurplusShared { band }, Lang::En) => format!("surplus band {}", band + 1),
        (BandPosition::SurplusBeyond, Lang::Zh) => "结余超出末档".into(),
        (BandPosition::SurplusBeyond, Lang::En) => "surplus beyond bands".into(),
    }
}

/// A unit's flags for the table, in words of the table's language (the page's 标记), never the
/// engine's keys; a key this list does not know is kept as it is.
pub(crate) fn flags_label(flags: &[String], lang: Lang) -> String {
    let words = flags.iter().map(|f| match (f.as_str(), lang) {
        ("review_over_limit", Lang::Zh) => "特例单议超限",
        ("review_over_limit", Lang::En) => "special reviews over the limit",
        ("near_band_edge", Lang::Zh) => "接近分担区间边界",
        ("near_band_edge", Lang::En) => "near a band edge",
        ("qc_held", Lang::Zh) => "有质控暂缓病例",
        ("qc_held", Lang::En) => "QC-held cases",
        ("prepaid_from_input", Lang::Zh) => "预付来自导入",
        ("prepaid_from_input", Lang::En) => "prepaid from input",
        (other, _) => other,
    });
    words.collect::<Vec<_>>().join(match lang {
        Lang::Zh => "、",
        Lang::En => "; ",
    })
}

/// One cell of the institution table, typed: the CSV writes its text, the workbook
/// (`crate::export_xlsx`) a number with a format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cell {
    Text(String),
    Count(u64),
    /// A coefficient, as it is.
    Number(Decimal),
    /// Points, rounded as the JSON output gives them (4 decimals).
    Points(Decimal),
    /// A share (the CSV rounds it as the JSON does; the workbook shows it as a percentage).
    Ratio(Decimal),
    /// Money, rounded to the fen.
    Money(Decimal),
    Blank,
}

impl Cell {
    /// The cell as CSV text.
    fn csv(&self) -> String {
        match self {
            Cell::Text(s) => text_cell(s),
            Cell::Count(n) => n.to_string(),
            Cell::Number(x) => number_cell(*x),
            Cell::Points(x) => points_cell(*x),
            Cell::Ratio(x) => number_cell(crate::engine::rounding::round_ratio(*x)),
            Cell::Money(x) => money_cell(*x),
            Cell::Blank => String::new(),
        }
    }
}

/// The institution table of every fund: its headers, and per fund a row per unit then a totals
/// row (`total`). The CSV and the workbook write the same table.
pub(crate) struct UnitTable {
    pub headers: Vec<&'static str>,
    pub rows: Vec<(bool, Vec<Cell>)>,
}

/// The columns every table has, `(zh, en)`.
const UNIT_COLUMNS: [(&str, &str); 23] = [
    ("险种", "fund"),
    ("机构编码", "code"),
    ("机构名称", "name"),
    ("等级", "level"),
    ("调节系数", "coefficient"),
    ("病例数", "cases"),
    ("总点数", "points"),
    ("点数占比", "share"),
    ("医疗总费用", "total_cost"),
    ("个人负担", "personal_burden"),
    ("结算额度S", "settlement_S"),
    ("基金结算额度FS", "fund_settlement_FS"),
    ("比较费用C", "compared_cost_C"),
    ("风险分担区间", "risk_band"),
    ("风险分担后T", "target_T"),
    ("基金支付", "fund_pays"),
    ("保证金", "deposit_withheld"),
    ("返还保证金", "deposit_returned"),
    ("已预付", "prepaid"),
    ("年终调整金额", "amount_adjustments"),
    ("年终调整明细", "adjustments"),
    ("年终应付(负数为应收回)", "net_to_pay"),
    ("标记", "flags"),
];

/// The outpatient columns (吉林2024 第十三–二十条; SPEC §5.4), added when a fund settles outpatient
/// records: each unit's points by kind and its outpatient settlement.
const OUTPATIENT_COLUMNS: [(&str, &str); 6] = [
    ("门诊人头付费点数", "outpatient_capitation_points"),
    ("门诊按项目付费点数", "outpatient_fee_for_service_points"),
    ("门诊其他点数", "outpatient_other_points"),
    ("门诊结算额度", "outpatient_settlement"),
    ("门诊个人负担", "outpatient_personal_burden"),
    ("门诊基金结算额度", "outpatient_fund_settlement"),
];

/// The quarterly outpatient settlements and their fund parts (吉林2024 第二十三条(三)), when the
/// quarters are settled.
const OUTPATIENT_QUARTER_COLUMNS: [(&str, &str); 8] = [
    ("门诊一季度结算额度", "outpatient_q1_settlement"),
    ("门诊二季度结算额度", "outpatient_q2_settlement"),
    ("门诊三季度结算额度", "outpatient_q3_settlement"),
    ("门诊四季度结算额度", "outpatient_q4_settlement"),
    ("门诊一季度基金结算额度", "outpatient_q1_fund_settlement"),
    ("门诊二季度基金结算额度", "outpatient_q2_fund_settlement"),
    ("门诊三季度基金结算额度", "outpatient_q3_fund_settlement"),
    ("门诊四季度基金结算额度", "outpatient_q4_fund_settlement"),
];

fn fund_cell(f: &FundResult, lang: Lang) -> Cell {
    Cell::Text(
        match lang {
            Lang::Zh => f.fund.label_zh(),
            Lang::En => f.fund.key(),
        }
        .to_string(),
    )
}

/// Each year-end adjustment of the unit by name: `H1 审核扣款 -1200.00; H1 年终点数调整 点数 +12`
/// (the institution code first, as a 医共体 unit lists its members').
fn adjustments_cell(u: &UnitResult, lang: Lang) -> String {
    let points = match lang {
        Lang::Zh => "点数",
        Lang::En => "points",
    };
    u.adjustments
        .iter()
        .map(|a| {
            let mut s = format!("{} {}", a.institution, a.label);
            if !a.amount.is_zero() {
                s.push_str(&format!(" {}", money_cell(a.amount)));
            }
            if !a.points.is_zero() {
                let p = crate::engine::rounding::round_points(a.points).normalize();
                s.push_str(&format!(" {points} {p:+}"));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn unit_cells(f: &FundResult, u: &UnitResult, lang: Lang) -> Vec<Cell> {
    vec![
        fund_cell(f, lang),
        Cell::Text(u.code.clone()),
        Cell::Text(u.name.clone()),
        Cell::Text(u.level.clone()),
        u.coefficient.map_or(Cell::Blank, Cell::Number),
        Cell::Count(u.cases.total),
        Cell::Points(u.points.total),
        Cell::Ratio(u.share),
        Cell::Money(u.total_cost),
        Cell::Money(u.personal_burden),
        Cell::Money(u.settlement),
        Cell::Money(u.fund_settlement),
        Cell::Money(u.compared_cost),
        Cell::Text(band_label(u.band, lang)),
        Cell::Money(u.target),
        Cell::Money(u.fund_pays),
        Cell::Money(u.deposit_withheld),
        Cell::Money(u.deposit_returned),
        Cell::Money(u.prepaid),
        Cell::Money(u.amount_adjustments),
        Cell::Text(adjustments_cell(u, lang)),
        Cell::Money(u.net_to_pay),
        Cell::Text(flags_label(&u.flags, lang)),
    ]
}

fn total_cells(f: &FundResult, lang: Lang) -> Vec<Cell> {
    let t = &f.totals;
    let label = match lang {
        Lang::Zh => "合计",
        Lang::En => "total",
    };
    vec![
        fund_cell(f, lang),
        Cell::Text(label.into()),
        Cell::Blank,
        Cell::Blank,
        Cell::Blank,
        Cell::Count(t.cases),
        Cell::Points(t.points),
        Cell::Blank,
        Cell::Money(t.total_cost),
        Cell::Money(t.personal_burden),
        Cell::Money(t.settlement),
        Cell::Money(t.fund_settlement),
        Cell::Blank,
        Cell::Blank,
        Cell::Money(t.target),
        Cell::Money(t.fund_pays),
        Cell::Money(t.deposit_withheld),
        Cell::Money(t.deposit_returned),
        Cell::Money(t.prepaid),
        Cell::Money(t.amount_adjustments),
        Cell::Blank,
        Cell::Money(t.net_to_pay),
        Cell::Blank,
    ]
}

/// A unit's outpatient cells (blank when it has no outpatient line); `quarters` adds the quarterly
/// columns.
fn outpatient_cells(line: Option<&OutpatientLine>, quarters: bool) -> Vec<Cell> {
    let width = OUTPATIENT_COLUMNS.len() + if quarters { OUTPATIENT_QUARTER_COLUMNS.len() } else { 0 };
    let Some(l) = line else {
        return vec![Cell::Blank; width];
    };
    let mut cells = vec![
        Cell::Points(l.capitation_points),
        Cell::Points(l.fee_for_service_points),
        Cell::Points(l.other_points),
        Cell::Money(l.settlement),
        Cell::Money(l.personal_burden),
        Cell::Money(l.fund_settlement),
    ];
    if quarters {
        for list in [&l.quarter_settlements, &l.quarter_fund_settlements] {
            cells.extend((0..4).map(|q| list.get(q).map_or(Cell::Blank, |x| Cell::Money(*x))));
        }
    }
    cells
}

/// The outpatient totals of a fund: the sums of its lines.
fn outpatient_total(f: &FundResult) -> Option<OutpatientLine> {
    let o = f.outpatient.as_ref().filter(|o| !o.institutions.is_empty())?;
    let mut t = OutpatientLine {
        code: String::new(),
        capitation_points: Decimal::ZERO,
        fee_for_service_points: Decimal::ZERO,
        other_points: Decimal::ZERO,
        settlement: Decimal::ZERO,
        personal_burden: Decimal::ZERO,
        fund_settlement: Decimal::ZERO,
        quarter_settlements: Vec::new(),
        quarter_fund_settlements: Vec::new(),
    };
    let add = |sum: &mut Vec<Decimal>, xs: &[Decimal]| {
        sum.resize(sum.len().max(xs.len()), Decimal::ZERO);
        for (s, x) in sum.iter_mut().zip(xs) {
            *s += *x;
        }
    };
    for l in &o.institutions {
        t.capitation_points += l.capitation_points;
        t.fee_for_service_points += l.fee_for_service_points;
        t.other_points += l.other_points;
        t.settlement += l.settlement;
        t.personal_burden += l.personal_burden;
        t.fund_settlement += l.fund_settlement;
        add(&mut t.quarter_settlements, &l.quarter_settlements);
        add(&mut t.quarter_fund_settlements, &l.quarter_fund_settlements);
    }
    Some(t)
}

/// The institution table of every fund, as the CSV and the workbook write it.
pub(crate) fn unit_table(s: &Settlement, lang: Lang) -> UnitTable {
    fn lines(f: &FundResult) -> Vec<&OutpatientLine> {
        f.outpatient.iter().flat_map(|o| o.institutions.iter()).collect()
    }
    let outpatient = s.funds.iter().any(|f| !lines(f).is_empty());
    let quarters = s
        .funds
        .iter()
        .any(|f| lines(f).iter().any(|l| !l.quarter_settlements.is_empty()));
    let mut columns: Vec<(&'static str, &'static str)> = UNIT_COLUMNS.to_vec();
    if outpatient {
        columns.extend(OUTPATIENT_COLUMNS);
    }
    if quarters {
        columns.extend(OUTPATIENT_QUARTER_COLUMNS);
    }
    let headers = columns
        .iter()
        .map(|(zh, en)| if lang == Lang::Zh { *zh } else { *en })
        .collect();
    let mut rows = Vec::new();
    for f in &s.funds {
        let lines = lines(f);
        for u in &f.units {
            let mut cells = unit_cells(f, u, lang);
            if outpatient {
                cells.extend(outpatient_cells(
                    lines.iter().copied().find(|l| l.code == u.code),
                    quarters,
                ));
            }
            rows.push((false, cells));
        }
        let mut cells = total_cells(f, lang);
        if outpatient {
            cells.extend(outpatient_cells(outpatient_total(f).as_ref(), quarters));
        }
        rows.push((true, cells));
    }
    UnitTable { headers, rows }
}

/// The institution table of every fund, with a totals row per fund, as CSV (no BOM; callers
/// writing a file for Excel prepend [`BOM`]). With outpatient records, each unit's outpatient
/// points and settlement follow (and its quarterly outpatient settlements when they are settled).
pub fn settlement_csv(s: &Settlement, lang: Lang) -> String {
    let table = unit_table(s, lang);
    let mut out = String::new();
    out.push_str(&table.headers.iter().map(|h| text_cell(h)).collect::<Vec<_>>().join(","));
    out.push_str("\r\n");
    for (_, cells) in &table.rows {
        out.push_str(&cells.iter().map(Cell::csv).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// The year-end estimate (SPEC §11) as one row per fund and unit: the cut-off, the annual point
/// value and S, T, fund payment and year-end net as central / 10th / 50th / 90th percentile, the
/// share of draws in each risk-sharing band and the nearest band edge.
pub fn estimate_csv(e: &crate::engine::estimate::Estimate, lang: Lang) -> String {
    let figures: [(&str, &str); 5] = [
        ("点值", "point value"),
        ("结算额度S", "settlement S"),
        ("风险分担后T", "after risk sharing T"),
        ("基金支付", "fund pays"),
        ("年终应付", "net to pay"),
    ];
    let mut header: Vec<String> = match lang {
        Lang::Zh => ["险种", "机构编码", "机构名称", "截止月份", "推算月份"]
            .map(String::from)
            .to_vec(),
        Lang::En => ["fund", "code", "name", "through", "projected months"]
            .map(String::from)
            .to_vec(),
    };
    for (zh, en) in figures {
        let name = if lang == Lang::Zh { zh } else { en };
        for p in ["", " P10", " P50", " P90"] {
            header.push(format!("{name}{p}"));
        }
    }
    header.extend(match lang {
        Lang::Zh => ["区间概率", "最近边界", "距边界费用", "距边界病例数"].map(String::from),
        Lang::En => ["band shares", "nearest edge", "cost to edge", "cases to edge"].map(String::from),
    });
    let mut out = header.iter().map(|h| text_cell(h)).collect::<Vec<_>>().join(",") + "\r\n";
    for f in &e.funds {
        let fund = match lang {
            Lang::Zh => f.months.fund.label_zh(),
            Lang::En => f.months.fund.key(),
        };
        let projected = f
            .months
            .projected
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(" ");
        for u in &f.units {
            let mut row = vec![
                text_cell(fund),
                text_cell(&u.code),
                text_cell(&u.name),
                f.months.through.to_string(),
                text_cell(&projected),
            ];
            let pv = &f.point_value;
            row.extend([pv.central, pv.p10, pv.p50, pv.p90].map(number_cell));
            for r in [&u.settlement, &u.target, &u.fund_pays, &u.net_to_pay] {
                row.extend([r.central, r.p10, r.p50, r.p90].map(money_cell));
            }
            let bands = u
                .bands
                .iter()
                .map(|(k, v)| format!("{k} {}", v.normalize()))
                .collect::<Vec<_>>()
                .join("; ");
            row.push(text_cell(&bands));
            match &u.nearest_edge {
                Some(edge) => row.extend([
                    number_cell(edge.edge),
                    money_cell(edge.cost),
                    edge.cases.map(number_cell).unwrap_or_default(),
                ]),
                None => row.extend([String::new(), String::new(), String::new()]),
            }
            out.push_str(&row.join(","));
            out.push_str("\r\n");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_prefixes_are_escaped() {
        assert_eq!(text_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text_cell("+1"), "'+1");
        assert_eq!(text_cell("-2"), "'-2");
        assert_eq!(text_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text_cell("市第一医院"), "市第一医院");
        assert_eq!(text_cell("a,b"), "\"a,b\"");
    }

    #[test]
    fn numbers_stay_numbers() {
        assert_eq!(number_cell(Decimal::new(-1234, 2)), "-12.34");
        assert_eq!(money_cell(Decimal::new(5, 0)), "5.00");
    }

    #[test]
    fn flags_are_words_in_both_languages() {
        let flags = vec!["qc_held".to_string(), "near_band_edge".to_string()];
        assert_eq!(flags_label(&flags, Lang::Zh), "有质控暂缓病例、接近分担区间边界");
        assert_eq!(flags_label(&flags, Lang::En), "QC-held cases; near a band edge");
    }
}
