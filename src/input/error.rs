//! Located input errors, rendered in Chinese (the default) or English.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::encoding::TextEncoding;
use super::fields::{field_by_key, TableKind, ValueKind};
use super::limits::MAX_ERRORS;

/// The language of rendered messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// 中文 (the default, and what `Display` renders).
    #[default]
    Zh,
    /// English.
    En,
}

/// A column as the user sees it: the header text and the Excel letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnRef {
    /// The header text in the file (for a two-line header: `上/下`).
    pub header: String,
    /// `A`, `B`, … `Z`, `AA`, …
    pub letter: String,
}

/// What kind of number a column expected (for the message's example).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberKind {
    /// An amount in 元.
    Amount,
    /// A plain number (score, points).
    Number,
    /// Days.
    Days,
    /// A coefficient (1.05 or 105%).
    Coefficient,
    /// A whole number.
    Count,
}

/// What went wrong. Field names are the keys of `docs/import.md` (`total_cost`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ErrorKind {
    /// The bytes are not a workbook calamine can read, or not text at all.
    UnreadableFile {
        /// The reader's own words (English).
        detail: String,
    },
    /// An HTML or XML page saved with a spreadsheet extension (some systems export so).
    HtmlDisguisedAsSpreadsheet,
    /// The file has no content.
    EmptyFile,
    /// A cell (or the header) holds bytes that are not valid in the encoding used.
    EncodingError {
        /// The encoding the file was read with.
        encoding: TextEncoding,
    },
    /// No row in the first rows looks like this table's header.
    NoHeader {
        /// The table that was expected.
        table: TableKind,
        /// Keys of the required fields (each entry: any one of these).
        required: Vec<Vec<String>>,
    },
    /// The header lacks a required column (any one of `fields`).
    MissingColumn {
        /// Keys of the acceptable fields.
        fields: Vec<String>,
    },
    /// A mapping override names a field this table does not have.
    UnknownMappingField {
        /// The key as given.
        field: String,
    },
    /// A mapping override names a header that is not in the file.
    MappingColumnNotFound {
        /// Field key.
        field: String,
        /// Header text (or letter) as given.
        header: String,
    },
    /// The requested sheet is not in the workbook.
    SheetNotFound {
        /// The sheet asked for.
        sheet: String,
        /// The workbook's sheets.
        available: Vec<String>,
    },
    /// A row longer than the limit (usually an unclosed quote).
    RowTooLong {
        /// The limit in bytes.
        limit: usize,
    },
    /// A quoted field opened at the error's row and column and never closed: the rest of the
    /// file was read into that one cell.
    UnclosedQuote,
    /// A required cell is empty.
    EmptyRequired {
        /// Field key.
        field: String,
    },
    /// A row leaves every one of several cells empty where one of them is needed (a year-end
    /// adjustment with neither points nor an amount).
    EmptyAll {
        /// Keys of the fields, any one of which would do.
        fields: Vec<String>,
    },
    /// Not a number of the expected kind.
    ExpectedNumber {
        /// Field key.
        field: String,
        /// What was expected.
        expected: NumberKind,
    },
    /// A percentage where an amount is expected.
    PercentNotAllowed {
        /// Field key.
        field: String,
    },
    /// A negative value where only zero or more makes sense.
    Negative {
        /// Field key.
        field: String,
    },
    /// Zero or less where only a positive value makes sense (a case's total cost, a published
    /// point value).
    NotPositive {
        /// Field key.
        field: String,
    },
    /// A list cell with the wrong number of values (last year's twelve months).
    ListLength {
        /// Field key.
        field: String,
        expected: usize,
        found: usize,
    },
    /// A part larger than the whole it belongs to (a personal burden above the total cost).
    AboveTotal {
        /// Field key of the part.
        field: String,
        /// Field key of the whole.
        total_field: String,
        /// The whole as read.
        total: String,
    },
    /// A date outside the policy year (the cell holds the date as read).
    OutsideYear {
        /// Field key.
        field: String,
        /// The policy year.
        year: u16,
    },
    /// Formula cells saved without their computed value (the program that wrote the file
    /// did not calculate them): `cells` lists the first of them (`F3, F4`), `count` all.
    FormulaWithoutValue {
        /// Field key.
        field: String,
        /// The first cells, as Excel names them.
        cells: Vec<String>,
        /// How many cells of the column.
        count: u64,
    },
    /// A workbook larger than the reader accepts, found before it is read into memory.
    WorkbookTooLarge {
        /// The part of the workbook (`xl/sharedStrings.xml`).
        part: String,
        /// What exceeds the limit (English), e.g. "cells A1:XFD1048576".
        what: String,
        /// The limit, in the same words.
        limit: String,
    },
    /// Not a date.
    ExpectedDate {
        /// Field key.
        field: String,
    },
    /// Not a month.
    ExpectedMonth {
        /// Field key.
        field: String,
    },
    /// Not 是/否.
    ExpectedBool {
        /// Field key.
        field: String,
    },
    /// A fund that is neither 职工 nor 居民.
    UnknownFund {
        /// Field key.
        field: String,
    },
    /// A settlement type that is not DIP, 床日 or 项目.
    UnknownCaseKind {
        /// Field key.
        field: String,
    },
    /// A 离院方式 that is not one of the 医保结算清单's codes (1–5, 9) or their names.
    UnknownDischarge {
        /// Field key.
        field: String,
    },
    /// A catalog type that is not DIP or 床日.
    UnknownCatalogType {
        /// Field key.
        field: String,
    },
    /// A 病种类型 that is no known category nor a code of the header's legend.
    UnknownGroupCategory {
        /// Field key.
        field: String,
        /// The legend the header gives (`1=核心病种`), if any.
        legend: Vec<String>,
    },
    /// A code that must be unique appears again.
    DuplicateCode {
        /// The code.
        code: String,
        /// Row of its first occurrence, when known.
        first_row: Option<u64>,
    },
    /// A record names an institution that the institutions table does not have.
    UnknownInstitution {
        /// The code.
        code: String,
        /// How many records name it.
        count: u64,
    },
    /// A case names a group that the catalog does not have.
    UnknownGroup {
        /// The code.
        code: String,
        /// A 床日 group (looked up among the per-diem groups).
        per_diem: bool,
        /// How many cases name it.
        count: u64,
    },
    /// A value beyond its record limit (`records::limits`): larger than any real data, or (a
    /// divisor) too small.
    OutOfRange {
        /// Field key.
        field: String,
        /// The largest magnitude allowed, or with `below` the smallest value.
        limit: Decimal,
        /// Below the smallest allowed value rather than above the largest.
        below: bool,
        /// The record's institution or group code, where there is no row.
        code: Option<String>,
    },
    /// The sum of a field over all cases beyond its limit (`records::limits::dataset_money`).
    TotalOutOfRange {
        /// Field key.
        field: String,
        /// The limit of the sum.
        limit: Decimal,
    },
}

/// One problem, located as the user sees the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputError {
    /// The file's display name (empty for cross-file checks, where `table` names the table).
    pub file: String,
    /// The table being read.
    pub table: Option<TableKind>,
    /// The sheet, for workbooks.
    pub sheet: Option<String>,
    /// The row as Excel shows it (1-based).
    pub row: Option<u64>,
    /// The column.
    pub column: Option<ColumnRef>,
    /// The cell's text.
    pub value: Option<String>,
    /// What went wrong.
    #[serde(flatten)]
    pub kind: ErrorKind,
}

/// An error as a table row for the page: location parts and the rendered message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorView {
    /// File (or table) name.
    pub file: String,
    /// Sheet.
    pub sheet: Option<String>,
    /// Row as in Excel.
    pub row: Option<u64>,
    /// Column letter.
    pub column: Option<String>,
    /// Header text.
    pub header: Option<String>,
    /// Cell text.
    pub value: Option<String>,
    /// The whole message, location included.
    pub message: String,
}

fn field_zh(key: &str) -> String {
    field_by_key(key)
        .map(|f| f.zh.to_string())
        .unwrap_or_else(|| key.to_string())
}

fn field_en(key: &str) -> String {
    match field_by_key(key) {
        Some(f) => format!("{} ({})", f.zh, f.en),
        None => key.to_string(),
    }
}

fn expected_zh(key: &str) -> &'static str {
    match field_by_key(key).map(|f| f.kind) {
        Some(ValueKind::Money) | Some(ValueKind::MoneyList) => "应为金额，如 12345.67",
        Some(ValueKind::Days) => "应为天数，如 7",
        Some(ValueKind::Coefficient) | Some(ValueKind::CoefficientList) => "应为系数，如 1.05 或 105%",
        Some(ValueKind::Count) => "应为整数，如 120",
        _ => "应为数字，如 1.25",
    }
}

fn expected_en(key: &str) -> &'static str {
    match field_by_key(key).map(|f| f.kind) {
        Some(ValueKind::Money) | Some(ValueKind::MoneyList) => "expected an amount such as 12345.67",
        Some(ValueKind::Days) => "expected a number of days such as 7",
        Some(ValueKind::Coefficient) | Some(ValueKind::CoefficientList) => {
            "expected a coefficient such as 1.05 or 105%"
        }
        Some(ValueKind::Count) => "expected a whole number such as 120",
        _ => "expected a number such as 1.25",
    }
}

fn aliases_hint(key: &str, n: usize) -> String {
    field_by_key(key)
        .map(|f| f.aliases.iter().skip(1).take(n).copied().collect::<Vec<_>>().join("、"))
        .unwrap_or_default()
}

impl InputError {
    /// An error about a whole file.
    pub(crate) fn file(file: &str, table: Option<TableKind>, kind: ErrorKind) -> Self {
        InputError {
            file: file.to_string(),
            table,
            sheet: None,
            row: None,
            column: None,
            value: None,
            kind,
        }
    }

    fn location(&self, lang: Lang) -> String {
        let name = if self.file.is_empty() {
            match (self.table, lang) {
                (Some(t), Lang::Zh) => t.label_zh().to_string(),
                (Some(t), Lang::En) => t.label_en().to_string(),
                (None, _) => String::new(),
            }
        } else {
            self.file.clone()
        };
        match lang {
            Lang::Zh => {
                let mut s = name;
                if let Some(sheet) = &self.sheet {
                    s.push_str(&format!(" 工作表「{sheet}」"));
                }
                if let Some(row) = self.row {
                    if !s.ends_with('」') {
                        s.push(' ');
                    }
                    s.push_str(&format!("第 {row} 行"));
                }
                if let Some(c) = &self.column {
                    s.push_str(&format!(" {} 列「{}」", c.letter, c.header));
                }
                s
            }
            Lang::En => {
                let mut s = name;
                if let Some(sheet) = &self.sheet {
                    s.push_str(&format!(", sheet {sheet},"));
                }
                if let Some(row) = self.row {
                    s.push_str(&format!(" row {row}"));
                }
                if let Some(c) = &self.column {
                    if self.row.is_some() {
                        s.push(',');
                    }
                    s.push_str(&format!(" column {} ({})", c.letter, c.header));
                }
                s.trim_end_matches(',').to_string()
            }
        }
    }

    fn detail(&self, lang: Lang) -> String {
        let v = self.value.as_deref().unwrap_or("");
        match (lang, &self.kind) {
            (Lang::Zh, ErrorKind::UnreadableFile { detail }) => {
                format!("无法读取文件（{detail}）。请确认它是 CSV、Excel（.xlsx/.xls）或 WPS/LibreOffice（.ods）文件")
            }
            (Lang::En, ErrorKind::UnreadableFile { detail }) => format!(
                "cannot read the file ({detail}); expected CSV, Excel (.xlsx/.xls) or .ods"
            ),
            (Lang::Zh, ErrorKind::HtmlDisguisedAsSpreadsheet) => "这是网页（HTML/XML）格式的导出文件，只是扩展名为表格；请用 Excel 或 WPS 打开后另存为 .xlsx 或 CSV".to_string(),
            (Lang::En, ErrorKind::HtmlDisguisedAsSpreadsheet) => "this is an HTML/XML export with a spreadsheet extension; open it in Excel or WPS and save it as .xlsx or CSV".to_string(),
            (Lang::Zh, ErrorKind::EmptyFile) => "文件是空的".to_string(),
            (Lang::En, ErrorKind::EmptyFile) => "the file is empty".to_string(),
            (Lang::Zh, ErrorKind::EncodingError { encoding }) => {
                let shown = if v.is_empty() { String::new() } else { format!("“{v}” ") };
                format!("{shown}含有不能按 {} 解读的字节；文件可能是另一种编码，请另选编码（UTF-8、GB18030、UTF-16）", encoding.label())
            }
            (Lang::En, ErrorKind::EncodingError { encoding }) => {
                let shown = if v.is_empty() { String::new() } else { format!("\"{v}\" ") };
                format!("{shown}contains bytes that are not valid {}; the file may use another encoding (choose UTF-8, GB18030 or UTF-16)", encoding.label())
            }
            (Lang::Zh, ErrorKind::NoHeader { table, required }) => format!(
                "在前 {} 行中找不到{}的表头；表头应包含：{}",
                super::limits::MAX_PREAMBLE_ROWS,
                table.label_zh(),
                required
                    .iter()
                    .map(|any| any.iter().map(|k| format!("「{}」", field_zh(k))).collect::<Vec<_>>().join("或"))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            (Lang::En, ErrorKind::NoHeader { table, required }) => format!(
                "no {} header in the first {} rows; the header needs: {}",
                table.label_en(),
                super::limits::MAX_PREAMBLE_ROWS,
                required
                    .iter()
                    .map(|any| any.iter().map(|k| field_en(k)).collect::<Vec<_>>().join(" or "))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (Lang::Zh, ErrorKind::MissingColumn { fields }) => {
                let names = fields.iter().map(|k| format!("「{}」", field_zh(k))).collect::<Vec<_>>().join("或");
                let hint = fields.first().map(|k| aliases_hint(k, 4)).unwrap_or_default();
                if hint.is_empty() {
                    format!("缺少列{names}")
                } else {
                    format!("缺少列{names}（也可写作：{hint}）")
                }
            }
            (Lang::En, ErrorKind::MissingColumn { fields }) => {
                let names = fields.iter().map(|k| field_en(k)).collect::<Vec<_>>().join(" or ");
                let hint = fields.first().map(|k| aliases_hint(k, 4)).unwrap_or_default();
                if hint.is_empty() {
                    format!("missing column {names}")
                } else {
                    format!("missing column {names} (also accepted: {hint})")
                }
            }
            (Lang::Zh, ErrorKind::UnknownMappingField { field }) => {
                format!("列映射中的字段「{field}」不是此表的字段")
            }
            (Lang::En, ErrorKind::UnknownMappingField { field }) => {
                format!("the column mapping names \"{field}\", which is not a field of this table")
            }
            (Lang::Zh, ErrorKind::MappingColumnNotFound { field, header }) => format!(
                "列映射把「{}」指定为列「{header}」，但表头中没有这一列",
                field_zh(field)
            ),
            (Lang::En, ErrorKind::MappingColumnNotFound { field, header }) => format!(
                "the column mapping puts {} in column \"{header}\", which is not in the header",
                field_en(field)
            ),
            (Lang::Zh, ErrorKind::SheetNotFound { sheet, available }) => format!(
                "没有名为「{sheet}」的工作表（现有：{}）",
                available.join("、")
            ),
            (Lang::En, ErrorKind::SheetNotFound { sheet, available }) => format!(
                "no sheet named \"{sheet}\" (the workbook has: {})",
                available.join(", ")
            ),
            (Lang::Zh, ErrorKind::RowTooLong { limit }) => format!(
                "这一行超过 {} KB，可能有未闭合的引号（\"）",
                limit / 1024
            ),
            (Lang::En, ErrorKind::RowTooLong { limit }) => format!(
                "this row is longer than {} KB; a quote (\") may be left open",
                limit / 1024
            ),
            (Lang::Zh, ErrorKind::UnclosedQuote) => {
                "这个单元格以引号（\"）开头，但直到文件末尾都没有闭合的引号，其后的内容都被读进了这一格；请补上引号或删去它".to_string()
            }
            (Lang::En, ErrorKind::UnclosedQuote) => {
                "this cell opens a quote (\") that is never closed: everything after it, to the end of the file, was read into this one cell; close the quote or remove it".to_string()
            }
            (Lang::Zh, ErrorKind::EmptyRequired { field }) => {
                let exp = match field_by_key(field).map(|f| f.kind) {
                    Some(ValueKind::Fund) => "（应为 职工 或 居民）".to_string(),
                    Some(ValueKind::Money) => "（应为金额，如 12345.67）".to_string(),
                    Some(ValueKind::Date) => "（应为日期，如 2024-03-15）".to_string(),
                    _ => String::new(),
                };
                format!("「{}」不能为空{exp}", field_zh(field))
            }
            (Lang::En, ErrorKind::EmptyRequired { field }) => {
                let exp = match field_by_key(field).map(|f| f.kind) {
                    Some(ValueKind::Fund) => " (expected 职工 or 居民)".to_string(),
                    Some(ValueKind::Money) => " (expected an amount such as 12345.67)".to_string(),
                    Some(ValueKind::Date) => " (expected a date such as 2024-03-15)".to_string(),
                    _ => String::new(),
                };
                format!("{} is empty{exp}", field_en(field))
            }
            (Lang::Zh, ErrorKind::EmptyAll { fields }) => {
                let names = fields.iter().map(|k| format!("「{}」", field_zh(k))).collect::<Vec<_>>().join("、");
                format!("{names}都是空的，至少应填一项")
            }
            (Lang::En, ErrorKind::EmptyAll { fields }) => {
                let names = fields.iter().map(|k| field_en(k)).collect::<Vec<_>>().join(", ");
                format!("{names} are all empty; fill in at least one")
            }
            (Lang::Zh, ErrorKind::ExpectedNumber { field, .. }) => {
                format!("“{v}” 不是数字（{}）", expected_zh(field))
            }
            (Lang::En, ErrorKind::ExpectedNumber { field, .. }) => {
                format!("\"{v}\" is not a number ({})", expected_en(field))
            }
            (Lang::Zh, ErrorKind::PercentNotAllowed { .. }) => {
                format!("“{v}” 是百分数，这里应为金额（元），如 12345.67")
            }
            (Lang::En, ErrorKind::PercentNotAllowed { .. }) => {
                format!("\"{v}\" is a percentage; expected an amount in 元 such as 12345.67")
            }
            (Lang::Zh, ErrorKind::Negative { field }) => {
                format!("“{v}” 是负数，「{}」不能小于 0", field_zh(field))
            }
            (Lang::En, ErrorKind::Negative { field }) => {
                format!("\"{v}\" is negative; {} cannot be less than 0", field_en(field))
            }
            // A case's cost: reversals are netted per case; a published point value has no such hint.
            (Lang::Zh, ErrorKind::NotPositive { field }) if field == "total_cost" => {
                format!("“{v}” 不大于 0，「{}」应为正数（冲销、退费请在导出前按病例轧差）", field_zh(field))
            }
            (Lang::En, ErrorKind::NotPositive { field }) if field == "total_cost" => format!(
                "\"{v}\" is not above 0; {} must be positive (net reversals and refunds per case before exporting)",
                field_en(field)
            ),
            (Lang::Zh, ErrorKind::NotPositive { field }) => {
                format!("“{v}” 不大于 0，「{}」应大于 0", field_zh(field))
            }
            (Lang::En, ErrorKind::NotPositive { field }) => {
                format!("\"{v}\" is not above 0; {} must be greater than 0", field_en(field))
            }
            (Lang::Zh, ErrorKind::ListLength { field, expected, found }) => format!(
                "“{v}” 有 {found} 个数，「{}」应有 {expected} 个（用 ; 、 或 , 分隔，1 月在前）",
                field_zh(field)
            ),
            (Lang::En, ErrorKind::ListLength { field, expected, found }) => format!(
                "\"{v}\" has {found} values; {} needs {expected} (separated by ; 、 or ,, January first)",
                field_en(field)
            ),
            (Lang::Zh, ErrorKind::AboveTotal { field, total_field, total }) => format!(
                "“{v}” 大于本行「{}」{total}，「{}」不能超过它",
                field_zh(total_field),
                field_zh(field)
            ),
            (Lang::En, ErrorKind::AboveTotal { field, total_field, total }) => format!(
                "\"{v}\" is above this row's {} {total}; {} cannot exceed it",
                field_en(total_field),
                field_en(field)
            ),
            (Lang::Zh, ErrorKind::OutsideYear { field, year }) => format!(
                "“{v}” 不在政策年度 {year} 年内，「{}」应为 {year} 年的日期（确需剔除时用 --skip-out-of-year，剔除的行数会列出）",
                field_zh(field)
            ),
            (Lang::En, ErrorKind::OutsideYear { field, year }) => format!(
                "\"{v}\" is not in the policy year {year}; {} must be a date in {year} (to leave such rows out, use --skip-out-of-year; they are counted in the report)",
                field_en(field)
            ),
            (Lang::Zh, ErrorKind::FormulaWithoutValue { field, cells, count }) => format!(
                "「{}」列有 {count} 个公式单元格没有保存计算结果（{}）；请在 Excel 或 WPS 中打开、重新计算后保存，或把公式粘贴为数值",
                field_zh(field),
                cells.join("、")
            ),
            (Lang::En, ErrorKind::FormulaWithoutValue { field, cells, count }) => format!(
                "{count} formula cells of {} were saved without their computed value ({}); open the file in Excel or WPS, recalculate and save, or paste the formulas as values",
                field_en(field),
                cells.join(", ")
            ),
            (Lang::Zh, ErrorKind::WorkbookTooLarge { part, what, limit }) => format!(
                "工作簿部件 {part} 超出读取上限：{what}（上限 {limit}）；文件可能已损坏，或请另存为 CSV 后导入"
            ),
            (Lang::En, ErrorKind::WorkbookTooLarge { part, what, limit }) => format!(
                "the workbook part {part} exceeds what the reader accepts: {what} (limit {limit}); the file may be damaged, or save it as CSV and import that"
            ),
            (Lang::Zh, ErrorKind::ExpectedDate { .. }) => format!(
                "“{v}” 不是日期（应为日期，如 2024-03-15、2024/3/15、20240315 或 2024年3月15日）"
            ),
            (Lang::En, ErrorKind::ExpectedDate { .. }) => format!(
                "\"{v}\" is not a date (expected a date such as 2024-03-15, 2024/3/15, 20240315 or 2024年3月15日)"
            ),
            (Lang::Zh, ErrorKind::ExpectedMonth { .. }) => {
                format!("“{v}” 不是月份（应为 1–12，如 3、3月、202403 或 2024-03）")
            }
            (Lang::En, ErrorKind::ExpectedMonth { .. }) => format!(
                "\"{v}\" is not a month (expected 1–12, such as 3, 3月, 202403 or 2024-03)"
            ),
            (Lang::Zh, ErrorKind::ExpectedBool { .. }) => {
                format!("“{v}” 不是 是/否（也可写 Y/N、1/0、TRUE/FALSE）")
            }
            (Lang::En, ErrorKind::ExpectedBool { .. }) => {
                format!("\"{v}\" is not yes/no (expected 是/否, Y/N, 1/0 or TRUE/FALSE)")
            }
            (Lang::Zh, ErrorKind::UnknownFund { .. }) => format!(
                "“{v}” 不是职工或居民医保（应为 职工 或 居民，也可写 310/390、职工基本医疗保险、城乡居民基本医疗保险）"
            ),
            (Lang::En, ErrorKind::UnknownFund { .. }) => format!(
                "\"{v}\" is neither 职工 (employee) nor 居民 (resident) insurance (expected 职工 or 居民; 310/390 and the full names are accepted too)"
            ),
            (Lang::Zh, ErrorKind::UnknownCaseKind { .. }) => {
                format!("“{v}” 不是已知的结算类型（应为 DIP（病种）、床日 或 项目）")
            }
            (Lang::En, ErrorKind::UnknownCaseKind { .. }) => format!(
                "\"{v}\" is not a known settlement type (expected DIP (病种), 床日 (per diem) or 项目 (fee for service))"
            ),
            (Lang::Zh, ErrorKind::UnknownDischarge { .. }) => format!(
                "“{v}” 不是已知的离院方式（应为医保结算清单的代码 1 医嘱离院、2 医嘱转院、3 医嘱转社区卫生服务机构/乡镇卫生院、4 非医嘱离院、5 死亡、9 其他，或其名称）"
            ),
            (Lang::En, ErrorKind::UnknownDischarge { .. }) => format!(
                "\"{v}\" is not a known discharge mode (expected a 医保结算清单 code: 1 医嘱离院 discharged, 2 医嘱转院 transferred, 3 医嘱转社区/乡镇卫生院 to a community or township clinic, 4 非医嘱离院 against advice, 5 死亡 death, 9 其他 other, or its name)"
            ),
            (Lang::Zh, ErrorKind::UnknownCatalogType { .. }) => {
                format!("“{v}” 不是已知的病种类型（应为 DIP 或 床日）")
            }
            (Lang::En, ErrorKind::UnknownCatalogType { .. }) => {
                format!("\"{v}\" is not a known catalog type (expected DIP or 床日)")
            }
            (Lang::Zh, ErrorKind::UnknownGroupCategory { legend, .. }) => format!(
                "“{v}” 不是已知的病种类型（应为 核心病种、一级/二级/三级核心病种、综合病种（保守治疗/诊断性操作/治疗性操作/相关手术组）、基层病种、中医优势病种{}）",
                if legend.is_empty() { String::new() } else { format!("，或表头图例中的代码 {}", legend.join("、")) }
            ),
            (Lang::En, ErrorKind::UnknownGroupCategory { legend, .. }) => format!(
                "\"{v}\" is not a known catalog category (expected 核心病种, 一级/二级/三级核心病种, 综合病种 and its kinds, 基层病种 or 中医优势病种{})",
                if legend.is_empty() { String::new() } else { format!(", or a code of the header's legend: {}", legend.join(", ")) }
            ),
            (Lang::Zh, ErrorKind::DuplicateCode { code, first_row }) => match first_row {
                Some(r) => format!("编码「{code}」重复（第 {r} 行已出现）"),
                None => format!("编码「{code}」重复出现"),
            },
            (Lang::En, ErrorKind::DuplicateCode { code, first_row }) => match first_row {
                Some(r) => format!("code \"{code}\" appears again (first on row {r})"),
                None => format!("code \"{code}\" appears more than once"),
            },
            (Lang::Zh, ErrorKind::UnknownInstitution { code, count }) => {
                format!("机构编码「{code}」不在机构表中（共 {count} 条记录）")
            }
            (Lang::En, ErrorKind::UnknownInstitution { code, count }) => format!(
                "institution code \"{code}\" is not in the institutions table ({count} records)"
            ),
            (Lang::Zh, ErrorKind::UnknownGroup { code, per_diem, count }) => {
                let what = if *per_diem { "床日组" } else { "病种" };
                format!("{what}编码「{code}」不在病种目录中（共 {count} 条病例）")
            }
            (Lang::En, ErrorKind::UnknownGroup { code, per_diem, count }) => {
                let what = if *per_diem { "per-diem group" } else { "group" };
                format!("{what} \"{code}\" is not in the catalog ({count} cases)")
            }
            (Lang::Zh, ErrorKind::OutOfRange { field, limit, below, code }) => {
                let whose = code.as_ref().map(|c| format!("编码「{c}」的")).unwrap_or_default();
                if *below {
                    format!("{whose}「{}」为 {v}，低于下限 {limit}：它是除数，不能这样小", field_zh(field))
                } else {
                    format!(
                        "{whose}「{}」为 {v}，超出上限 {limit}（绝对值）：比任何真实数据都大，可能读错了列或单位",
                        field_zh(field)
                    )
                }
            }
            (Lang::En, ErrorKind::OutOfRange { field, limit, below, code }) => {
                let whose = code.as_ref().map(|c| format!("code \"{c}\": ")).unwrap_or_default();
                if *below {
                    format!(
                        "{whose}{} is {v}, below the smallest allowed {limit}: it divides, so it cannot be that small",
                        field_en(field)
                    )
                } else {
                    format!(
                        "{whose}{} is {v}, beyond the limit of {limit} (in magnitude): larger than any real data; probably a misread column or a wrong unit",
                        field_en(field)
                    )
                }
            }
            (Lang::Zh, ErrorKind::TotalOutOfRange { field, limit }) => format!(
                "全部病例的「{}」合计 {v} 超出上限 {limit}：多于全国一年的总量，可能读错了列或单位",
                field_zh(field)
            ),
            (Lang::En, ErrorKind::TotalOutOfRange { field, limit }) => format!(
                "the cases' {} add up to {v}, beyond the limit of {limit}: more than a year of the whole country; probably a misread column or a wrong unit",
                field_en(field)
            ),
        }
    }

    /// The message in the given language, location first.
    pub fn message(&self, lang: Lang) -> String {
        let loc = self.location(lang);
        let detail = self.detail(lang);
        match (lang, loc.is_empty()) {
            (_, true) => detail,
            (Lang::Zh, false) => format!("{loc}：{detail}"),
            (Lang::En, false) => format!("{loc}: {detail}"),
        }
    }

    /// The error as a table row for the page.
    pub fn view(&self, lang: Lang) -> ErrorView {
        ErrorView {
            file: if self.file.is_empty() {
                self.table
                    .map(|t| match lang {
                        Lang::Zh => t.label_zh().to_string(),
                        Lang::En => t.label_en().to_string(),
                    })
                    .unwrap_or_default()
            } else {
                self.file.clone()
            },
            sheet: self.sheet.clone(),
            row: self.row,
            column: self.column.as_ref().map(|c| c.letter.clone()),
            header: self.column.as_ref().map(|c| c.header.clone()),
            value: self.value.clone(),
            message: self.message(lang),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Zh))
    }
}

impl std::error::Error for InputError {}

/// A file that could not be imported: the first [`MAX_ERRORS`] errors and how many there were.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportFailure {
    /// The first errors, in file order.
    pub errors: Vec<InputError>,
    /// All errors found, including those not kept.
    pub total: usize,
}

impl ImportFailure {
    /// One line per error, and a last line counting those not shown.
    pub fn message(&self, lang: Lang) -> String {
        let mut lines: Vec<String> = self.errors.iter().map(|e| e.message(lang)).collect();
        let rest = self.total.saturating_sub(self.errors.len());
        if rest > 0 {
            lines.push(match lang {
                Lang::Zh => format!("……另有 {rest} 个错误未列出"),
                Lang::En => format!("… and {rest} more errors"),
            });
        }
        lines.join("\n")
    }

    pub(crate) fn single(e: InputError) -> Self {
        ImportFailure {
            errors: vec![e],
            total: 1,
        }
    }
}

impl fmt::Display for ImportFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Zh))
    }
}

impl std::error::Error for ImportFailure {}

/// Keeps the first [`MAX_ERRORS`] errors and counts the rest.
#[derive(Debug, Clone, Default)]
pub(crate) struct Errors {
    pub kept: Vec<InputError>,
    pub total: usize,
}

impl Errors {
    pub(crate) fn push(&mut self, e: InputError) {
        self.total += 1;
        if self.kept.len() < MAX_ERRORS {
            self.kept.push(e);
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.total == 0
    }

    pub(crate) fn into_failure(self) -> ImportFailure {
        ImportFailure {
            errors: self.kept,
            total: self.total,
        }
    }
}
