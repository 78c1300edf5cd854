//! SPEC §13's results as files: the catalog in the calculator's own format (病种编码, 病种名称,
//! 病种分值, 基层病种, 次均费用 — what `dipcalc run --catalog` reads) followed by provenance columns
//! (例数, 截尾例数, 年数, 变异系数, each year's mean, 标记, 测算方法) that the catalog reader lists
//! as unused columns and otherwise ignores; and the report's tables for CSV or XLSX. Text cells
//! are escaped against formulas as every export is ([`crate::export::text_cell`],
//! [`crate::export_xlsx::looks_like_formula`]).

use super::levels::{LevelLine, LevelsResult};
use super::point_value::PointValueRule;
use super::scores::{Averaging, Method};
use super::simulate::{FundSimulation, SimulationLine};
use super::stats::Trim;
use super::Calibration;
use crate::engine::rounding::{round_money, round_points};
use crate::export::{number_cell, text_cell, Lang};
use crate::export_xlsx::looks_like_formula;
use crate::records::{Catalog, Group};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// A cell of a result table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Number(Decimal),
    Empty,
}

impl From<Option<Decimal>> for Cell {
    fn from(x: Option<Decimal>) -> Self {
        x.map_or(Cell::Empty, Cell::Number)
    }
}

/// A named table (a CSV section or an XLSX sheet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

fn pick(lang: Lang, zh: &str, en: &str) -> String {
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => en.to_string(),
    }
}

/// The catalog the calculator settles with: scores, 基层病种 flags kept from the catalog in
/// force, and the groups' means as 次均费用.
pub fn catalog_records(cal: &Calibration) -> Catalog {
    Catalog {
        groups: cal
            .groups
            .iter()
            .map(|g| Group {
                code: g.code.clone(),
                name: g.name.clone(),
                score: g.score,
                grassroots: g.grassroots,
                reference_cost: g.mean,
                reference_cost_by_level: Vec::new(),
                // A calibration makes scores, not the catalog's 核心/综合 split.
                category: None,
            })
            .collect(),
        per_diem_groups: Vec::new(),
    }
}

/// How the scores were made, in one cell.
pub fn method_text(cal: &Calibration) -> String {
    let o = &cal.options;
    let method = match &o.method {
        Method::Mean => "平均费用法/mean".to_string(),
        Method::BaseGroup { code } => format!("基准病种/base-group={code}"),
        Method::Fixed { amount } => format!("标准定额/fixed={}", amount.normalize()),
    };
    let weights: Vec<String> = cal.years.iter().map(|y| y.weight.normalize().to_string()).collect();
    let trim = match &o.trim {
        Trim::None => "none".to_string(),
        Trim::Percentile { low, high } => format!(
            "p{},p{}",
            (*low * Decimal::ONE_HUNDRED).normalize(),
            (*high * Decimal::ONE_HUNDRED).normalize()
        ),
        Trim::Sd { k } => format!("sd={}", k.normalize()),
    };
    let averaging = match o.averaging {
        Averaging::YearMeans => "year-means",
        Averaging::Pooled => "pooled",
    };
    format!(
        "{method}; M={}; ×{}; weights {}; {averaging}; trim {trim}",
        round_money(cal.denominator),
        o.scale.normalize(),
        weights.join(":")
    )
}

/// The catalog with its provenance columns (the first five are the catalog format's).
pub fn catalog_table(cal: &Calibration, lang: Lang) -> Table {
    const ZH: [&str; 9] = [
        "病种编码",
        "病种名称",
        "病种分值",
        "基层病种",
        "次均费用",
        "例数",
        "截尾例数",
        "年数",
        "变异系数",
    ];
    const EN: [&str; 9] = [
        "group_code",
        "group_name",
        "score",
        "grassroots",
        "reference_cost",
        "n",
        "trimmed",
        "years",
        "cv",
    ];
    let mut headers = headers(lang, &ZH, &EN);
    for y in &cal.years {
        headers.push(format!("{}:{}", pick(lang, "年均值", "mean"), y.label));
    }
    headers.push(pick(lang, "标记", "flags"));
    headers.push(pick(lang, "测算方法", "method"));
    let method = method_text(cal);
    let rows = cal
        .groups
        .iter()
        .map(|g| {
            let mut row = vec![
                Cell::Text(g.code.clone()),
                Cell::Text(g.name.clone()),
                Cell::Number(g.score),
                Cell::Text(pick(
                    lang,
                    if g.grassroots { "是" } else { "否" },
                    if g.grassroots { "yes" } else { "no" },
                )),
                Cell::Number(g.mean),
                Cell::Number(g.cases.into()),
                Cell::Number(g.trimmed.into()),
                Cell::Number(g.years.into()),
                g.cv.into(),
            ];
            row.extend(g.year_means.iter().map(|m| Cell::from(*m)));
            let flags: Vec<String> = g.flags.iter().map(|f| pick(lang, f.label_zh(), f.label_en())).collect();
            row.push(Cell::Text(flags.join("; ")));
            row.push(Cell::Text(method.clone()));
            row
        })
        .collect();
    Table {
        name: pick(lang, "病种目录", "catalog"),
        headers,
        rows,
    }
}

fn level_rows(lines: &[LevelLine]) -> Vec<Vec<Cell>> {
    lines
        .iter()
        .map(|l| {
            vec![
                Cell::Text(l.key.clone()),
                Cell::Text(l.level.clone()),
                Cell::Number(l.institutions.into()),
                Cell::Number(l.cases.into()),
                Cell::Number(l.mean_cost),
                l.cost_index.into(),
                l.resource_index.into(),
                l.cmi.into(),
                l.cmi_index.into(),
                l.proposed.into(),
                l.current.into(),
            ]
        })
        .collect()
}

fn headers(lang: Lang, zh: &[&str], en: &[&str]) -> Vec<String> {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn years_table(cal: &Calibration, lang: Lang) -> Table {
    const ZH: [&str; 10] = [
        "年份",
        "权重",
        "读入病例",
        "采用病例",
        "截尾",
        "非DIP",
        "质控未过",
        "费用≤0",
        "费用",
        "点数",
    ];
    const EN: [&str; 10] = [
        "year",
        "weight",
        "read",
        "used",
        "trimmed",
        "not_dip",
        "qc_failed",
        "cost_le_0",
        "cost",
        "points",
    ];
    let rows = cal
        .years
        .iter()
        .map(|y| {
            let mut row = vec![Cell::Text(y.label.clone()), Cell::Number(y.weight)];
            let counts = [
                y.cases_read,
                y.cases_used,
                y.trimmed,
                y.not_dip,
                y.qc_failed,
                y.non_positive,
            ];
            row.extend(counts.map(|n| Cell::Number(n.into())));
            row.push(Cell::Number(round_money(y.cost)));
            row.push(Cell::Number(round_points(y.points)));
            row
        })
        .collect();
    Table {
        name: pick(lang, "历史年份", "years"),
        headers: headers(lang, &ZH, &EN),
        rows,
    }
}

fn point_value_table(cal: &Calibration, lang: Lang) -> Table {
    let pv = &cal.point_value;
    let mut rows = vec![vec![
        Cell::Text(pick(lang, "全区域", "region")),
        Cell::Number(pv.all_cases),
        Cell::Empty,
    ]];
    rows.extend(pv.institutions.iter().map(|i| {
        vec![
            Cell::Text(i.code.clone()),
            Cell::Number(i.value),
            Cell::Text(if i.below_mean { "1".into() } else { String::new() }),
        ]
    }));
    let rule = match pv.rule {
        PointValueRule::All => pick(lang, "全部病例", "all cases"),
        PointValueRule::BelowMean => pick(lang, "优值区间", "below mean"),
    };
    rows.push(vec![
        Cell::Text(pick(lang, "年初点值", "year-start point value")),
        Cell::Number(pv.value),
        Cell::Text(rule),
    ]);
    Table {
        name: pick(lang, "年初点值", "point value"),
        headers: headers(
            lang,
            &["机构", "每指数点值", "优值区间"],
            &["institution", "value", "below_mean"],
        ),
        rows,
    }
}

fn levels_table(levels: &LevelsResult, lang: Lang) -> Table {
    const ZH: [&str; 11] = [
        "等级/机构",
        "等级",
        "机构数",
        "病例数",
        "次均费用",
        "费用指数",
        "资源消耗指数",
        "CMI",
        "CMI指数",
        "建议系数",
        "现行系数",
    ];
    const EN: [&str; 11] = [
        "key",
        "level",
        "institutions",
        "cases",
        "mean_cost",
        "cost_index",
        "resource_index",
        "cmi",
        "cmi_index",
        "proposed",
        "current",
    ];
    let mut rows = level_rows(&levels.levels);
    rows.extend(level_rows(&levels.institutions));
    Table {
        name: pick(lang, "等级系数", "levels"),
        headers: headers(lang, &ZH, &EN),
        rows,
    }
}

/// The years, the year-start point value and (with levels) the level proposal.
pub fn summary_tables(cal: &Calibration, lang: Lang) -> Vec<Table> {
    let mut out = vec![years_table(cal, lang), point_value_table(cal, lang)];
    out.extend(cal.levels.as_ref().map(|l| levels_table(l, lang)));
    out
}

fn simulation_row(fund: &str, kind: &str, l: &SimulationLine) -> Vec<Cell> {
    vec![
        Cell::Text(fund.to_string()),
        Cell::Text(kind.to_string()),
        Cell::Text(l.key.clone()),
        Cell::Text(l.level.clone()),
        Cell::Number(l.cases.into()),
        Cell::Number(l.total_cost),
        Cell::Number(l.settlement),
        Cell::Number(l.target),
        Cell::Number(l.simulated_fund_payment),
        Cell::Number(l.actual_fund_payment),
        l.payment_rate.into(),
        Cell::Number(l.borne_cost),
        l.borne_share.into(),
        Cell::Number(l.difference),
    ]
}

/// The simulation table: every institution, level and fund total.
pub fn simulation_table(funds: &[FundSimulation], lang: Lang) -> Table {
    let headers: Vec<String> = match lang {
        Lang::Zh => [
            "险种",
            "类别",
            "机构/等级",
            "等级",
            "病例数",
            "医疗总费用",
            "DIP结算额度S",
            "风险分担后T",
            "模拟基金支付",
            "实际基金支付",
            "结付率",
            "承担费用",
            "承担占比",
            "差额(模拟−实际)",
        ],
        Lang::En => [
            "fund",
            "row",
            "key",
            "level",
            "cases",
            "total_cost",
            "settlement_S",
            "target_T",
            "simulated_fund_payment",
            "actual_fund_payment",
            "payment_rate",
            "borne_cost",
            "borne_share",
            "difference",
        ],
    }
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut rows = Vec::new();
    for f in funds {
        let fund = pick(lang, f.fund.label_zh(), f.fund.key());
        let (inst, level, total) = match lang {
            Lang::Zh => ("机构", "等级", "合计"),
            Lang::En => ("institution", "level", "total"),
        };
        rows.extend(f.institutions.iter().map(|l| simulation_row(&fund, inst, l)));
        rows.extend(f.levels.iter().map(|l| simulation_row(&fund, level, l)));
        rows.push(simulation_row(&fund, total, &f.total));
    }
    Table {
        name: pick(lang, "模拟测算", "simulation"),
        headers,
        rows,
    }
}

fn csv_row(cells: impl Iterator<Item = String>) -> String {
    let mut line = cells.collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

/// One table as CSV (no BOM; the caller adds [`crate::export::BOM`] for a file).
pub fn table_csv(t: &Table) -> String {
    let mut out = csv_row(t.headers.iter().map(|h| text_cell(h)));
    for row in &t.rows {
        out.push_str(&csv_row(row.iter().map(|c| match c {
            Cell::Text(s) => text_cell(s),
            Cell::Number(x) => number_cell(*x),
            Cell::Empty => String::new(),
        })));
    }
    out
}

/// Several tables in one CSV: each after a line naming it, a blank line between.
pub fn tables_csv(tables: &[Table]) -> String {
    tables
        .iter()
        .map(|t| format!("{}\r\n{}", text_cell(&format!("# {}", t.name)), table_csv(t)))
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// Tables as an XLSX workbook, one sheet each (numbers as numbers, text never a formula).
pub fn tables_xlsx(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let header = Format::new().set_bold();
    let quoted = Format::new().set_quote_prefix();
    let plain = Format::new();
    for t in tables {
        let ws = wb.add_worksheet();
        ws.set_name(t.name.chars().take(31).collect::<String>())?;
        for (c, h) in t.headers.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, h, &header)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match cell {
                    Cell::Text(s) => {
                        let f = if looks_like_formula(s) { &quoted } else { &plain };
                        ws.write_string_with_format(r, c, s, f)?;
                    }
                    Cell::Number(x) => {
                        ws.write_number(r, c, x.to_f64().unwrap_or(f64::NAN))?;
                    }
                    Cell::Empty => {}
                }
            }
        }
    }
    wb.save_to_buffer()
}
