//! Results as tables for people: CSV that Excel opens (UTF-8 with BOM), shared by the command
//! line and the page. A cell that starts with = + - @ (or a tab or carriage return) is escaped
//! with a leading apostrophe so Excel never evaluates it as a formula; numbers are written as
//! plain decimals and are not escaped, so a negative amount stays a number.

use crate::engine::result::{BandPosition, FundResult, Settlement, UnitResult};
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

fn band_label(b: BandPosition, lang: Lang) -> String {
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

const HEADERS_ZH: [&str; 23] = [
    "险种",
    "机构编码",
    "机构名称",
    "等级",
    "调节系数",
    "病例数",
    "总点数",
    "点数占比",
    "医疗总费用",
    "个人负担",
    "结算额度S",
    "基金结算额度FS",
    "比较费用C",
    "风险分担区间",
    "风险分担后T",
    "基金支付",
    "保证金",
    "返还保证金",
    "已预付",
    "年终调整金额",
    "年终调整明细",
    "年终应付(负数为应收回)",
    "标记",
];
const HEADERS_EN: [&str; 23] = [
    "fund",
    "code",
    "name",
    "level",
    "coefficient",
    "cases",
    "points",
    "share",
    "total_cost",
    "personal_burden",
    "settlement_S",
    "fund_settlement_FS",
    "compared_cost_C",
    "risk_band",
    "target_T",
    "fund_pays",
    "deposit_withheld",
    "deposit_returned",
    "prepaid",
    "amount_adjustments",
    "adjustments",
    "net_to_pay",
    "flags",
];

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

fn unit_row(f: &FundResult, u: &UnitResult, lang: Lang) -> Vec<String> {
    let fund = match lang {
        Lang::Zh => f.fund.label_zh(),
        Lang::En => f.fund.key(),
    };
    vec![
        text_cell(fund),
        text_cell(&u.code),
        text_cell(&u.name),
        text_cell(&u.level),
        u.coefficient.map(number_cell).unwrap_or_default(),
        u.cases.total.to_string(),
        points_cell(u.points.total),
        number_cell(crate::engine::rounding::round_ratio(u.share)),
        money_cell(u.total_cost),
        money_cell(u.personal_burden),
        money_cell(u.settlement),
        money_cell(u.fund_settlement),
        money_cell(u.compared_cost),
        text_cell(&band_label(u.band, lang)),
        money_cell(u.target),
        money_cell(u.fund_pays),
        money_cell(u.deposit_withheld),
        money_cell(u.deposit_returned),
        money_cell(u.prepaid),
        money_cell(u.amount_adjustments),
        text_cell(&adjustments_cell(u, lang)),
        money_cell(u.net_to_pay),
        text_cell(&flags_label(&u.flags, lang)),
    ]
}

/// The institution table of every fund, with a totals row per fund, as CSV (no BOM; callers
/// writing a file for Excel prepend [`BOM`]).
pub fn settlement_csv(s: &Settlement, lang: Lang) -> String {
    let headers: &[&str] = match lang {
        Lang::Zh => &HEADERS_ZH,
        Lang::En => &HEADERS_EN,
    };
    let mut out = String::new();
    out.push_str(&headers.iter().map(|h| text_cell(h)).collect::<Vec<_>>().join(","));
    out.push_str("\r\n");
    for f in &s.funds {
        for u in &f.units {
            out.push_str(&unit_row(f, u, lang).join(","));
            out.push_str("\r\n");
        }
        let t = &f.totals;
        let label = match lang {
            Lang::Zh => "合计",
            Lang::En => "total",
        };
        let fund = match lang {
            Lang::Zh => f.fund.label_zh(),
            Lang::En => f.fund.key(),
        };
        let row = [
            text_cell(fund),
            text_cell(label),
            String::new(),
            String::new(),
            String::new(),
            t.cases.to_string(),
            points_cell(t.points),
            String::new(),
            money_cell(t.total_cost),
            money_cell(t.personal_burden),
            money_cell(t.settlement),
            money_cell(t.fund_settlement),
            String::new(),
            String::new(),
            money_cell(t.target),
            money_cell(t.fund_pays),
            money_cell(t.deposit_withheld),
            money_cell(t.deposit_returned),
            money_cell(t.prepaid),
            money_cell(t.amount_adjustments),
            String::new(),
            money_cell(t.net_to_pay),
            String::new(),
        ];
        out.push_str(&row.join(","));
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
