//! Results as an Excel workbook (.xlsx), for the page and the command line: the institution
//! table of every fund (the same columns as the CSV export), the budget waterfall, the point
//! values by year, quarter and month, and a sheet saying what the figures are.
//!
//! Figures are written as numbers with number formats (money `#,##0.00`), so Excel can sum them;
//! they are the reported figures (money rounded to the fen, SPEC §2), converted to the nearest
//! double only here, at the edge. Text is written as text, never as a formula, and a text cell
//! starting with = + - @ (or a tab or carriage return) also gets Excel's quote prefix, so editing
//! the cell in Excel does not turn it into a formula either.

use crate::engine::result::{FundResult, PeriodValue, Settlement};
use crate::engine::rounding::{round_money, round_points};
use crate::export::{unit_table, Cell, Lang};
use crate::policy::Mark;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

/// The media type of an .xlsx file.
pub const MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

struct Formats {
    header: Format,
    text: Format,
    quoted: Format,
    money: Format,
    points: Format,
    ratio: Format,
    count: Format,
    pv: Format,
    total_text: Format,
    total_money: Format,
    total_points: Format,
    total_count: Format,
}

impl Formats {
    fn new() -> Self {
        let total = |f: Format| f.set_bold().set_border_top(rust_xlsxwriter::FormatBorder::Thin);
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_background_color("#E8EDF3"),
            text: Format::new(),
            quoted: Format::new().set_quote_prefix(),
            money: Format::new().set_num_format("#,##0.00"),
            points: Format::new().set_num_format("#,##0.0000"),
            ratio: Format::new().set_num_format("0.00%"),
            count: Format::new().set_num_format("#,##0"),
            pv: Format::new().set_num_format("0.000000"),
            total_text: total(Format::new()),
            total_money: total(Format::new().set_num_format("#,##0.00")),
            total_points: total(Format::new().set_num_format("#,##0.0000")),
            total_count: total(Format::new().set_num_format("#,##0")),
        }
    }
}

/// Does a text need Excel's quote prefix (it would read as a formula)?
pub fn looks_like_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

fn text(ws: &mut Worksheet, f: &Formats, row: u32, col: u16, s: &str) -> Result<(), XlsxError> {
    let format = if looks_like_formula(s) { &f.quoted } else { &f.text };
    ws.write_string_with_format(row, col, s, format)?;
    Ok(())
}

fn number(ws: &mut Worksheet, row: u32, col: u16, x: Decimal, format: &Format) -> Result<(), XlsxError> {
    ws.write_number_with_format(row, col, x.to_f64().unwrap_or(f64::NAN), format)?;
    Ok(())
}

fn headers(ws: &mut Worksheet, f: &Formats, names: &[&str]) -> Result<(), XlsxError> {
    for (c, h) in names.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &f.header)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn fund_label(f: &FundResult, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => f.fund.label_zh(),
        Lang::En => f.fund.key(),
    }
}

/// One cell of the institution table: text as text (quoted when it looks like a formula), figures
/// as numbers with their format, the totals row bold.
fn cell(ws: &mut Worksheet, f: &Formats, row: u32, col: u16, c: &Cell, total: bool) -> Result<(), XlsxError> {
    let (plain, bold) = match c {
        Cell::Count(_) => (&f.count, &f.total_count),
        Cell::Points(_) => (&f.points, &f.total_points),
        Cell::Money(_) => (&f.money, &f.total_money),
        Cell::Ratio(_) => (&f.ratio, &f.total_text),
        _ => (&f.text, &f.total_text),
    };
    let format = if total { bold } else { plain };
    match c {
        Cell::Text(s) if !total => text(ws, f, row, col, s)?,
        Cell::Text(s) => {
            ws.write_string_with_format(row, col, s, format)?;
        }
        Cell::Count(n) => number(ws, row, col, Decimal::from(*n), format)?,
        Cell::Number(x) | Cell::Ratio(x) => number(ws, row, col, *x, format)?,
        Cell::Points(x) => number(ws, row, col, round_points(*x), format)?,
        Cell::Money(x) => number(ws, row, col, round_money(*x), format)?,
        Cell::Blank if total => {
            ws.write_blank(row, col, format)?;
        }
        Cell::Blank => {}
    }
    Ok(())
}

fn mark_label(m: Mark, lang: Lang) -> &'static str {
    match (m, lang) {
        (Mark::Seed, Lang::Zh) => "文件原文",
        (Mark::Reading, Lang::Zh) => "解读",
        (Mark::Default, Lang::Zh) => "默认",
        (Mark::User, Lang::Zh) => "用户修改",
        (Mark::Seed, Lang::En) => "seed",
        (Mark::Reading, Lang::En) => "reading",
        (Mark::Default, Lang::En) => "default",
        (Mark::User, Lang::En) => "user",
    }
}

fn period_row(
    ws: &mut Worksheet,
    f: &Formats,
    row: u32,
    fund: &FundResult,
    p: &PeriodValue,
    lang: Lang,
) -> Result<(), XlsxError> {
    text(ws, f, row, 0, fund_label(fund, lang))?;
    text(ws, f, row, 1, &p.period)?;
    number(ws, row, 2, round_money(p.budget), &f.money)?;
    number(ws, row, 3, round_money(p.pool), &f.money)?;
    number(ws, row, 4, round_points(p.points), &f.points)?;
    if let Some(v) = p.point_value {
        number(ws, row, 5, v, &f.pv)?;
    }
    if let Some(v) = p.cumulative_point_value {
        number(ws, row, 6, v, &f.pv)?;
    }
    Ok(())
}

/// The settlement as an .xlsx workbook.
pub fn settlement_xlsx(s: &Settlement, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let zh = lang == Lang::Zh;
    let f = Formats::new();
    let mut book = Workbook::new();

    // 1. The institution table of every fund, with a totals row per fund.
    let ws = book.add_worksheet();
    ws.set_name(if zh { "结算" } else { "settlement" })?;
    let table = unit_table(s, lang);
    headers(ws, &f, &table.headers)?;
    for (r, (total, cells)) in table.rows.iter().enumerate() {
        for (c, x) in cells.iter().enumerate() {
            cell(ws, &f, r as u32 + 1, c as u16, x, *total)?;
        }
    }
    ws.set_column_width(0, 8)?;
    ws.set_column_width(1, 12)?;
    ws.set_column_width(2, 26)?;
    ws.set_column_width(3, 8)?;
    for c in 4..table.headers.len() as u16 {
        ws.set_column_width(c, 15)?;
    }
    ws.set_column_width(13, 16)?;
    ws.set_column_width(20, 24)?;
    ws.set_column_width(22, 18)?;
    ws.set_row_height(0, 32)?;

    // 2. The budget waterfall.
    let ws = book.add_worksheet();
    ws.set_name(if zh { "预算" } else { "budget" })?;
    let budget_headers: [&str; 8] = if zh {
        ["险种", "项目", "金额(元)", "小计", "算式", "依据", "文件", "条款"]
    } else {
        [
            "fund",
            "step",
            "amount (元)",
            "subtotal",
            "formula",
            "mark",
            "source",
            "article",
        ]
    };
    headers(ws, &f, &budget_headers)?;
    let mut row = 1u32;
    for fund in &s.funds {
        for step in &fund.budget.steps {
            text(ws, &f, row, 0, fund_label(fund, lang))?;
            text(ws, &f, row, 1, if zh { &step.label } else { &step.label_en })?;
            number(ws, row, 2, round_money(step.amount), &f.money)?;
            text(
                ws,
                &f,
                row,
                3,
                if step.subtotal {
                    if zh {
                        "是"
                    } else {
                        "yes"
                    }
                } else {
                    ""
                },
            )?;
            text(ws, &f, row, 4, if zh { &step.formula } else { &step.formula_en })?;
            text(ws, &f, row, 5, mark_label(step.mark, lang))?;
            text(ws, &f, row, 6, step.source.as_deref().unwrap_or(""))?;
            text(ws, &f, row, 7, step.article.as_deref().unwrap_or(""))?;
            row += 1;
        }
    }
    for (c, w) in [8.0, 28.0, 18.0, 6.0, 40.0, 10.0, 12.0, 14.0].into_iter().enumerate() {
        ws.set_column_width(c as u16, w)?;
    }

    // 3. Point values: the year, the quarters and the months.
    let ws = book.add_worksheet();
    ws.set_name(if zh { "点值" } else { "point values" })?;
    let pv_headers: [&str; 7] = if zh {
        [
            "险种",
            "期间",
            "预算(元)",
            "可分配总额(元)",
            "总点数",
            "点值",
            "累计点值",
        ]
    } else {
        [
            "fund",
            "period",
            "budget (元)",
            "pool (元)",
            "points",
            "point value",
            "cumulative point value",
        ]
    };
    headers(ws, &f, &pv_headers)?;
    let mut row = 1u32;
    for fund in &s.funds {
        let year = PeriodValue {
            period: s.year.to_string(),
            budget: fund.budget.inpatient_budget,
            pool: fund.pool,
            points: fund.total_points,
            pool_exact: fund.pool,
            points_exact: fund.total_points,
            point_value: fund.point_value,
            cumulative_point_value: None,
        };
        for p in std::iter::once(&year).chain(&fund.quarters).chain(&fund.months) {
            period_row(ws, &f, row, fund, p, lang)?;
            row += 1;
        }
        // The outpatient point value of the year and of each quarter (吉林2024 第十六条, 第二十三条(二)).
        if let Some(o) = &fund.outpatient {
            let label = if zh { "门诊" } else { "outpatient" };
            let year = PeriodValue {
                period: format!("{label} {}", s.year),
                budget: o.budget,
                pool: o.pool,
                points: o.capitation_points + o.other_points,
                pool_exact: o.pool,
                points_exact: o.capitation_points + o.other_points,
                point_value: o.point_value,
                cumulative_point_value: None,
            };
            let quarters = o.quarters.iter().map(|q| PeriodValue {
                period: format!("{label} {}", q.period),
                ..q.clone()
            });
            for p in std::iter::once(year).chain(quarters) {
                period_row(ws, &f, row, fund, &p, lang)?;
                row += 1;
            }
        }
    }
    for (c, w) in [8.0, 10.0, 18.0, 18.0, 18.0, 14.0, 14.0].into_iter().enumerate() {
        ws.set_column_width(c as u16, w)?;
    }

    // 4. What the figures are.
    let ws = book.add_worksheet();
    ws.set_name(if zh { "说明" } else { "about" })?;
    let lines: Vec<(String, String)> = if zh {
        vec![
            ("政策".into(), s.policy_name.clone()),
            ("年度".into(), s.year.to_string()),
            ("引擎版本".into(), format!("dipcalc {}", s.engine_version)),
            (
                "金额".into(),
                "元，四舍五入到分；各机构结算额度按最大余数法调整，合计等于可分配总额".into(),
            ),
            (
                "点值".into(),
                "按政策的小数位四舍五入后公布；结算用全精度点值，公布点值 × 点数可能差 1 分".into(),
            ),
        ]
    } else {
        vec![
            ("policy".into(), s.policy_name.clone()),
            ("year".into(), s.year.to_string()),
            ("engine".into(), format!("dipcalc {}", s.engine_version)),
            ("money".into(), "元, rounded half away from zero to the fen; settlements reconciled by largest remainders so they add up to the pool".into()),
            ("point value".into(), "published rounded to the policy's decimals; settlements use the full-precision value, so published value × points can be a fen off".into()),
        ]
    };
    for (r, (k, v)) in lines.iter().enumerate() {
        ws.write_string_with_format(r as u32, 0, k, &f.header)?;
        text(ws, &f, r as u32, 1, v)?;
    }
    ws.set_column_width(0, 14)?;
    ws.set_column_width(1, 100)?;
    for (r, n) in s.notices.iter().enumerate() {
        let r = (lines.len() + 1 + r) as u32;
        text(ws, &f, r, 0, &n.subject)?;
        text(ws, &f, r, 1, if zh { &n.message_zh } else { &n.message_en })?;
    }

    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_prefixes_are_recognised() {
        for s in ["=1+1", "+86", "-x", "@SUM(A1)", "\tx"] {
            assert!(looks_like_formula(s), "{s}");
        }
        for s in ["市第一医院", "H1", "1-2", ""] {
            assert!(!looks_like_formula(s), "{s}");
        }
    }
}
