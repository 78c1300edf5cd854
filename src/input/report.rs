//! What an import did: encoding, sheet, header, column mapping, skipped rows.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::encoding::{EncodingChoice, EncodingReason};
use super::error::{InputError, Lang};
use super::fields::TableKind;
use crate::records::GroupCategory;

/// The kind of file, sniffed from its first bytes (the extension is only a hint).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    /// Delimited text (CSV, TSV, Excel's "Unicode text").
    Csv,
    /// Excel 2007+ workbook.
    Xlsx,
    /// Excel 2007+ binary workbook.
    Xlsb,
    /// Excel 97–2003 workbook.
    Xls,
    /// OpenDocument spreadsheet (LibreOffice, WPS).
    Ods,
}

/// A column that was used, and for which field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappedColumn {
    /// Field key (`total_cost`), or `reference_cost_by_level`.
    pub field: String,
    /// The field's Chinese name.
    pub label: String,
    /// The header text in the file.
    pub header: String,
    /// Excel column letter.
    pub letter: String,
    /// Values multiplied by this (万元 → 10000).
    pub multiplier: Option<Decimal>,
    /// For per-level reference costs: the level.
    pub level: Option<String>,
}

/// Why a column was not used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum IgnoredReason {
    /// The header names no field of this table.
    Unknown,
    /// Another column was used for the same field.
    Duplicate {
        /// Field key.
        field: String,
    },
    /// A column exports carry that the settlement does not use (CV, BILL_COUNT …).
    Known {
        /// What it holds, in Chinese and in English.
        meaning_zh: String,
        meaning_en: String,
    },
}

/// A column that was not used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IgnoredColumn {
    /// The header text.
    pub header: String,
    /// Excel column letter.
    pub letter: String,
    /// Why.
    #[serde(flatten)]
    pub reason: IgnoredReason,
}

/// The money unit stated above the header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitNote {
    /// Row of the unit line.
    pub row: u64,
    /// Its text (`单位：万元`).
    pub text: String,
    /// 10000 for 万元, 1 for 元.
    pub multiplier: Decimal,
}

/// Why a row was skipped without being an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// 合计 / 总计 / 小计, or an empty code with only numbers.
    Totals,
    /// A single note below the data (制表人, 备注 …).
    Note,
}

/// A row skipped as totals or a note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedRow {
    /// Row as in Excel.
    pub row: u64,
    /// Why.
    pub reason: SkipReason,
    /// The row's first non-empty cells, to show.
    pub text: String,
}

/// A row left out because of errors (only with `skip_bad_rows`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadRow {
    /// Row as in Excel.
    pub row: u64,
    /// Its errors.
    pub errors: Vec<InputError>,
}

/// Something the user must look at: the file was read, but a figure may rest on a guess.
/// Listed first among the notes, marked 注意 / Warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "warning", rename_all = "snake_case")]
pub enum ImportWarning {
    /// Formula cells saved without their computed value in an optional column: read as empty.
    FormulaWithoutValue {
        /// Field key.
        field: String,
        /// The first cells (`G3`).
        cells: Vec<String>,
        /// How many.
        count: u64,
    },
    /// A row skipped as totals or a note that carries a case's data (a known code, a cost):
    /// possibly a lost case.
    SkippedCaseData {
        /// Row as in Excel.
        row: u64,
        /// The row's first cells.
        text: String,
    },
    /// An unused column whose header resembles a field that was left to its default.
    UnusedLikeField {
        /// Excel column letter.
        letter: String,
        /// The header text.
        header: String,
        /// Field key of the defaulted field.
        field: String,
        /// The `--map` option that would read it (`institutions.base_coefficient=C`).
        map: String,
    },
    /// A score column whose values all look like relative weights (score ÷ 1000 or ÷ 100).
    ScoresLookLikeWeights {
        /// Excel column letter.
        letter: String,
        /// The header text.
        header: String,
        /// The largest score read.
        max: Decimal,
    },
    /// The table was read from a hidden sheet (no visible sheet has its header).
    HiddenSheet {
        /// The sheet.
        sheet: String,
    },
}

impl ImportWarning {
    /// The warning as one line.
    pub fn message(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let field = |k: &str| match super::fields::field_by_key(k) {
            Some(f) if zh => f.zh.to_string(),
            Some(f) => format!("{} ({})", f.zh, f.en),
            None => k.to_string(),
        };
        match self {
            ImportWarning::FormulaWithoutValue { field: f, cells, count } => {
                if zh {
                    format!("注意：「{}」列有 {count} 个公式单元格没有保存计算结果（{}），按空白读取；请在 Excel 或 WPS 中重新计算后保存", field(f), cells.join("、"))
                } else {
                    format!("Warning: {count} formula cells of {} were saved without their computed value ({}) and read as empty; recalculate and save the file in Excel or WPS", field(f), cells.join(", "))
                }
            }
            ImportWarning::SkippedCaseData { row, text } => {
                if zh {
                    format!("注意：第 {row} 行（{text}）像合计/备注行而被跳过，但含有病例数据（病种编码或费用）：可能漏掉了一个病例，请核对")
                } else {
                    format!("Warning: row {row} ({text}) was skipped as a totals/note row but carries case data (a group code or a cost): a case may be lost; check it")
                }
            }
            ImportWarning::UnusedLikeField {
                letter,
                header,
                field: f,
                map,
            } => {
                if zh {
                    format!("注意：未使用的列 {letter}「{header}」像是「{}」，而「{}」未从文件读取、按默认值计算；如果这一列就是它，请用 --map {map}（网页：列映射）", field(f), field(f))
                } else {
                    format!("Warning: the unused column {letter} ({header}) looks like {}, which was not read from the file and takes its default; if it is, use --map {map} (page: column mapping)", field(f))
                }
            }
            ImportWarning::ScoresLookLikeWeights { letter, header, max } => {
                if zh {
                    format!("注意：{letter} 列「{header}」的分值都不超过 {max}，像是相对权重（分值 ÷ 1000 或 ÷ 100）而不是病种分值；点值会相应放大，请确认用的是分值列")
                } else {
                    format!("Warning: every score in column {letter} ({header}) is at most {max}: they look like relative weights (score ÷ 1000 or ÷ 100), not DIP scores; the point value scales with them; check that this is the score column")
                }
            }
            ImportWarning::HiddenSheet { sheet } => {
                if zh {
                    format!("注意：表格取自隐藏的工作表「{sheet}」（可见的工作表中没有这一表头）")
                } else {
                    format!("Warning: the table was read from the hidden sheet \"{sheet}\" (no visible sheet has its header)")
                }
            }
        }
    }
}

/// One of several columns that could feed a field, with what its content showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// The header text.
    pub header: String,
    /// Excel column letter.
    pub letter: String,
    /// Non-empty values read.
    pub values: u64,
    /// Distinct values among them.
    pub distinct: u64,
    /// Distinct values that are codes of the case file (when one was given).
    pub matching_cases: Option<u64>,
}

/// Why a column was chosen among candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChoiceReason {
    /// Its codes are unique and the others' are not.
    Unique,
    /// More of its codes are the case file's codes.
    MatchesCases,
    /// Nothing in the content told them apart: the header that names the field more directly.
    Header,
}

/// Something the import decided or read that the file did not say in so many words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reading", rename_all = "snake_case")]
pub enum Reading {
    /// No sheet was named: the one whose header matched the table best.
    SheetChosen {
        /// The sheet read.
        sheet: String,
        /// Its header's matched columns.
        matched: usize,
        /// The other sheets and their matched columns (0: no header found).
        others: Vec<(String, usize)>,
    },
    /// Several columns could feed a field: the one chosen by content (`--map` overrides).
    ColumnChosen {
        /// Field key.
        field: String,
        /// The column used.
        chosen: Candidate,
        /// The columns not used.
        others: Vec<Candidate>,
        /// Why.
        reason: ChoiceReason,
    },
    /// `0` under a 病种类型 legend of 核心病种 and 综合病种 that does not list it, read as
    /// 综合病种 [reading].
    CategoryZero {
        /// The column's header and letter.
        header: String,
        letter: String,
        /// The category read.
        category: GroupCategory,
        /// Rows read so.
        rows: u64,
    },
    /// 基层病种 read from the remark column (备注 containing 基层病种) or the 病种类型 column.
    GrassrootsFrom {
        /// The column's header and letter.
        header: String,
        letter: String,
        /// Rows flagged so.
        rows: u64,
    },
    /// Scores from a relative-weight column (WEIGHT): score = weight × factor.
    ScoreFromWeight {
        /// The column's header and letter.
        header: String,
        letter: String,
        /// 1000 (SPEC §13: RW = m ÷ M × 1000).
        factor: Decimal,
    },
    /// A catalog with scores and no 次均费用 column: reference costs come from the policy's
    /// `points.reference_cost_from_score` (score × reference point value).
    NoReferenceCost,
}

/// Everything the import did, for the user to check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// The file's display name.
    pub file: String,
    /// The table read.
    pub table: TableKind,
    /// The format found.
    pub format: FileFormat,
    /// Text files: the encoding used and why.
    pub encoding: Option<EncodingChoice>,
    /// Text files: the delimiter (`,`, `\t`, `;`).
    pub delimiter: Option<String>,
    /// Workbooks: the sheet read.
    pub sheet: Option<String>,
    /// Workbooks: all sheets.
    pub sheets: Vec<String>,
    /// The (last) header row, as in Excel.
    pub header_row: Option<u64>,
    /// 1, or 2 for a two-line header.
    pub header_rows: u8,
    /// The columns used.
    pub columns: Vec<MappedColumn>,
    /// The columns not used.
    pub ignored_columns: Vec<IgnoredColumn>,
    /// The money unit stated above the header.
    pub unit: Option<UnitNote>,
    /// Non-empty rows below the header (records, totals, notes and bad rows).
    pub rows_read: u64,
    /// Records produced.
    pub records: u64,
    /// Totals and note rows skipped (the first [`MAX_LISTED_ROWS`]).
    pub skipped_rows: Vec<SkippedRow>,
    /// All totals and note rows skipped.
    pub skipped_rows_total: u64,
    /// Rows left out because of errors (with `skip_bad_rows`; the first [`MAX_LISTED_ROWS`]).
    pub bad_rows: Vec<BadRow>,
    /// All rows left out because of errors.
    pub bad_rows_total: u64,
    /// Cases: the settlement years seen.
    pub years: Vec<i32>,
    /// Cases: rows left out as dated outside the policy year (`skip_out_of_year`; the first
    /// [`MAX_LISTED_ROWS`]).
    pub out_of_year_rows: Vec<u64>,
    /// All rows left out as dated outside the policy year.
    pub out_of_year_total: u64,
    /// What the user must check (also the first notes).
    pub warnings: Vec<ImportWarning>,
    /// What the import decided or read beyond the file's words (sheet and column choices,
    /// codes read, derived values).
    #[serde(default)]
    pub readings: Vec<Reading>,
}

impl ImportReport {
    pub(crate) fn new(file: &str, table: TableKind, format: FileFormat) -> Self {
        ImportReport {
            file: file.to_string(),
            table,
            format,
            encoding: None,
            delimiter: None,
            sheet: None,
            sheets: Vec::new(),
            header_row: None,
            header_rows: 0,
            columns: Vec::new(),
            ignored_columns: Vec::new(),
            unit: None,
            rows_read: 0,
            records: 0,
            skipped_rows: Vec::new(),
            skipped_rows_total: 0,
            bad_rows: Vec::new(),
            bad_rows_total: 0,
            years: Vec::new(),
            out_of_year_rows: Vec::new(),
            out_of_year_total: 0,
            warnings: Vec::new(),
            readings: Vec::new(),
        }
    }

    /// Plain-language notes for the user: guesses made, units applied, rows and columns left out.
    pub fn notes(&self, lang: Lang) -> Vec<String> {
        let mut out: Vec<String> = self.warnings.iter().map(|w| w.message(lang)).collect();
        let zh = lang == Lang::Zh;
        if let Some(enc) = &self.encoding {
            let label = enc.encoding.label();
            let line = match (enc.reason, zh) {
                (EncodingReason::Given, true) => format!("按指定的编码 {label} 读取"),
                (EncodingReason::Given, false) => format!("read as {label}, as chosen"),
                (EncodingReason::ByteOrderMark, true) => format!("编码 {label}（文件开头有字节顺序标记）"),
                (EncodingReason::ByteOrderMark, false) => format!("encoding {label} (the file starts with a byte-order mark)"),
                (EncodingReason::ValidUtf8, true) => "编码 UTF-8（文件是有效的 UTF-8）".to_string(),
                (EncodingReason::ValidUtf8, false) => "encoding UTF-8 (the file is valid UTF-8)".to_string(),
                (EncodingReason::MostlyUtf8, true) => "编码 UTF-8（文件几乎全是有效的 UTF-8；无效的字节在所在单元格报错）".to_string(),
                (EncodingReason::MostlyUtf8, false) => "encoding UTF-8 (the file is valid UTF-8 but for a few bytes, each reported at its cell)".to_string(),
                (EncodingReason::Utf16Pattern, true) => format!("编码按 {label} 推测（文件没有字节顺序标记，但零字节的位置符合 UTF-16）；如有乱码请另选编码"),
                (EncodingReason::Utf16Pattern, false) => format!("encoding guessed as {label} (no byte-order mark, but zero bytes where UTF-16 puts them); choose another encoding if the text looks garbled"),
                (EncodingReason::NotUtf8, true) => "编码按 GB18030 推测（文件不是有效的 UTF-8；Excel 和 WPS 在中文 Windows 上保存 CSV 用 GB18030/GBK）；如有乱码请另选编码".to_string(),
                (EncodingReason::NotUtf8, false) => "encoding guessed as GB18030 (the file is not valid UTF-8; Excel and WPS save CSV as GB18030/GBK on Chinese Windows); choose another encoding if the text looks garbled".to_string(),
            };
            out.push(line);
        }
        if let Some(sheet) = &self.sheet {
            out.push(if zh {
                format!("读取工作表「{sheet}」")
            } else {
                format!("read sheet \"{sheet}\"")
            });
        }
        if let Some(row) = self.header_row {
            let rows = if self.header_rows > 1 {
                format!("{}–{row}", (row + 1).saturating_sub(self.header_rows as u64))
            } else {
                row.to_string()
            };
            out.push(if zh {
                format!("表头在第 {rows} 行")
            } else {
                format!("header on row {rows}")
            });
        }
        if !self.columns.is_empty() {
            let list = self
                .columns
                .iter()
                .map(|c| format!("{} ← {}「{}」", c.label, c.letter, c.header))
                .collect::<Vec<_>>()
                .join(if zh { "；" } else { "; " });
            out.push(if zh {
                format!("列对应：{list}")
            } else {
                format!("columns read: {list}")
            });
        }
        if let Some(u) = &self.unit {
            out.push(match (zh, u.multiplier == Decimal::ONE) {
                (true, true) => format!("第 {} 行“{}”：金额按元读取", u.row, u.text),
                (false, true) => format!("row {} \"{}\": amounts in 元", u.row, u.text),
                (true, false) => format!("第 {} 行“{}”：金额乘以 {}", u.row, u.text, u.multiplier),
                (false, false) => format!("row {} \"{}\": amounts multiplied by {}", u.row, u.text, u.multiplier),
            });
        }
        for c in &self.columns {
            if let Some(m) = c.multiplier {
                if self.unit.as_ref().map(|u| u.multiplier) != Some(m) {
                    out.push(if zh {
                        format!("{} 列「{}」按万元读取，乘以 {m}", c.letter, c.header)
                    } else {
                        format!("column {} ({}) read in 万元, multiplied by {m}", c.letter, c.header)
                    });
                }
            }
        }
        out.extend(self.readings.iter().map(|r| r.note(zh)));
        if !self.ignored_columns.is_empty() {
            let list = self
                .ignored_columns
                .iter()
                .map(|c| match (&c.reason, zh) {
                    (IgnoredReason::Known { meaning_zh, .. }, true) => {
                        format!("{}「{}」（{meaning_zh}）", c.letter, c.header)
                    }
                    (IgnoredReason::Known { meaning_en, .. }, false) => {
                        format!("{}「{}」 ({meaning_en})", c.letter, c.header)
                    }
                    _ => format!("{}「{}」", c.letter, c.header),
                })
                .collect::<Vec<_>>()
                .join(if zh { "、" } else { ", " });
            out.push(if zh {
                format!("未使用的列：{list}")
            } else {
                format!("columns not used: {list}")
            });
        }
        if self.skipped_rows_total > 0 {
            let list = self
                .skipped_rows
                .iter()
                .map(|r| r.row.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            out.push(if zh {
                format!("跳过合计/备注行 {} 行：第 {list} 行", self.skipped_rows_total)
            } else {
                format!("skipped {} totals/note rows: {list}", self.skipped_rows_total)
            });
        }
        if self.out_of_year_total > 0 {
            let list = self
                .out_of_year_rows
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            let years = self.years.iter().map(i32::to_string).collect::<Vec<_>>().join(", ");
            out.push(if zh {
                format!("按 --skip-out-of-year 剔除政策年度以外的病例 {} 行（文件中的年份：{years}）：第 {list} 行", self.out_of_year_total)
            } else {
                format!("left out {} cases dated outside the policy year (--skip-out-of-year; years in the file: {years}): rows {list}", self.out_of_year_total)
            });
        }
        if self.bad_rows_total > 0 {
            let list = self
                .bad_rows
                .iter()
                .map(|r| r.row.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            out.push(if zh {
                format!("有错误而跳过 {} 行：第 {list} 行", self.bad_rows_total)
            } else {
                format!("skipped {} rows with errors: {list}", self.bad_rows_total)
            });
        }
        out.push(if zh {
            format!("读取 {} 行，得到 {} 条记录", self.rows_read, self.records)
        } else {
            format!("{} rows read, {} records", self.rows_read, self.records)
        });
        out
    }
}

impl Candidate {
    fn shown(&self, zh: bool) -> String {
        let matching = match (self.matching_cases, zh) {
            (Some(m), true) => format!("，{m} 个见于病例明细"),
            (Some(m), false) => format!(", {m} found in the cases"),
            (None, _) => String::new(),
        };
        if zh {
            format!(
                "{} 列「{}」（{} 个值，{} 个不同{matching}）",
                self.letter, self.header, self.values, self.distinct
            )
        } else {
            format!(
                "column {} ({}: {} values, {} distinct{matching})",
                self.letter, self.header, self.values, self.distinct
            )
        }
    }
}

impl Reading {
    /// The note shown for this reading.
    fn note(&self, zh: bool) -> String {
        match self {
            Reading::SheetChosen { sheet, matched, others } => {
                let list = others
                    .iter()
                    .map(|(n, m)| {
                        if zh {
                            format!("「{n}」{m} 列")
                        } else {
                            format!("\"{n}\" {m}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(if zh { "、" } else { ", " });
                if zh {
                    format!("未指定工作表：选用表头匹配最多的「{sheet}」（{matched} 列；其他：{list}）")
                } else {
                    format!(
                        "no sheet named: \"{sheet}\" has the best-matching header ({matched} columns; others: {list})"
                    )
                }
            }
            Reading::ColumnChosen {
                field,
                chosen,
                others,
                reason,
            } => {
                let others = others
                    .iter()
                    .map(|c| c.shown(zh))
                    .collect::<Vec<_>>()
                    .join(if zh { "；" } else { "; " });
                let why = match (reason, zh) {
                    (ChoiceReason::Unique, true) => "其编码各不相同",
                    (ChoiceReason::Unique, false) => "its codes are unique",
                    (ChoiceReason::MatchesCases, true) => "其编码与病例明细相符最多",
                    (ChoiceReason::MatchesCases, false) => "most of its codes are the case file's",
                    (ChoiceReason::Header, true) => "内容无从区分，按表头",
                    (ChoiceReason::Header, false) => "the content does not tell them apart: by header",
                };
                let field = super::fields::field_by_key(field).map_or(field.as_str(), |f| if zh { f.zh } else { f.en });
                if zh {
                    format!(
                        "{field}：用 {}，因为{why}；未用 {others}（可用 --map 或映射对话框改选）",
                        chosen.shown(zh)
                    )
                } else {
                    format!(
                        "{field}: {} used because {why}; not used: {others} (--map or the mapping dialog overrides)",
                        chosen.shown(zh)
                    )
                }
            }
            Reading::CategoryZero {
                header,
                letter,
                category,
                rows,
            } => {
                if zh {
                    format!("{letter} 列「{header}」：图例未列出的 0 共 {rows} 行，按{}读取（图例只有核心病种与综合病种，0 即非核心病种）", category.label_zh())
                } else {
                    format!("column {letter} ({header}): 0, which the legend does not list, on {rows} rows read as {} (the legend has only 核心病种 and 综合病种: 0 = not core)", category.label_en())
                }
            }
            Reading::GrassrootsFrom { header, letter, rows } => {
                if zh {
                    format!("{letter} 列「{header}」：{rows} 个病种按基层病种读取")
                } else {
                    format!("column {letter} ({header}): {rows} groups read as 基层病种 (grassroots)")
                }
            }
            Reading::ScoreFromWeight { header, letter, factor } => {
                if zh {
                    format!("没有分值列：病种分值 = {letter} 列「{header}」（相对权重）× {factor}")
                } else {
                    format!("no score column: score = column {letter} ({header}, a relative weight) × {factor}")
                }
            }
            Reading::NoReferenceCost => {
                if zh {
                    "目录没有次均费用列：费用倍率所需的参考费用 = 分值 × 政策的参考点值（points.reference_cost_from_score），未设置则无法结算 DIP 病例".to_string()
                } else {
                    "the catalog has no reference-cost (次均费用) column: the cost ratio's reference cost = score × the policy's reference point value (points.reference_cost_from_score); without it DIP cases cannot be settled".to_string()
                }
            }
        }
    }
}
