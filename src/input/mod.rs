//! The input layer: bytes → typed records, with every problem located as the user sees it.
//!
//! Finance staff export from the hospital's HIS or the bureau's platform and open the file in
//! Excel or WPS before it reaches us. So this layer reads:
//!
//! - delimited text in UTF-8 (with or without BOM), GB18030/GBK and UTF-16 with BOM (Excel's
//!   "Unicode text"), comma, tab or semicolon separated (sniffed), quoted fields spanning lines,
//!   CRLF — streamed in chunks split anywhere ([`CaseStream`]);
//! - workbooks (.xlsx, .xlsb, .xls, .ods) from bytes through calamine, choosing the sheet whose
//!   header matches best unless told otherwise;
//! - title rows and a unit line above the header (`单位：万元` multiplies amounts by 10000),
//!   two-line (merged) headers, totals rows (合计/总计/小计) and notes below the data, which are
//!   skipped and reported;
//! - header aliases (canonical Chinese, English, and what real exports use), listed in
//!   `docs/import.md`, with caller overrides ([`ReadOptions::columns`]);
//! - values with thousands separators, ¥ and 元, full-width digits, 是/否, dates in the usual
//!   forms and Excel serial numbers.
//!
//! Every error names the file, sheet, row (as Excel numbers it), column (header and letter),
//! the cell's text and what was expected, in Chinese ([`Lang::Zh`], also `Display`) or
//! English. All errors are collected (the first [`MAX_ERRORS`] kept, the rest counted) and
//! nothing is returned from a partly read file unless [`ReadOptions::skip_bad_rows`] is set,
//! in which case the rows left out are listed in the report.
//!
//! Nothing here touches the file system or spawns threads: it also runs in the browser.
//!
//! ```
//! use dipcalc::input::{read_cases, ReadOptions, Source};
//!
//! let csv = "××市2024年DIP结算明细\n单位：元\n\
//!            机构编码,险种,病种编码,医疗总费用,个人负担,结算日期\n\
//!            H1,职工,G1,\"12,500.00\",3000,2024/3/15\n\
//!            合计,,,12500,3000,\n";
//! let imported = read_cases(Source { name: "cases.csv", bytes: csv.as_bytes() },
//!                           &ReadOptions::default()).unwrap();
//! assert_eq!(imported.records.len(), 1);
//! assert_eq!(imported.records[0].total_cost.to_string(), "12500"); // normalized
//! assert_eq!(imported.records[0].month, 3);
//! assert_eq!(imported.records[0].source_row, 4);
//! assert_eq!(imported.report.header_row, Some(3));
//! assert_eq!(imported.report.skipped_rows_total, 1); // the 合计 row
//! ```

mod bounds;
mod bounds_ods;
mod check;
mod choose;
mod csv;
#[doc(hidden)]
pub use csv::tokenize;
mod encoding;
mod error;
mod fields;
mod header;
mod limits;
mod preview;
mod report;
mod rows;
mod source;
mod split;
mod tables;
mod text;
mod values;
mod workbook;

use serde::{Deserialize, Serialize};

pub use check::{check_dataset, check_dataset_with_cases};
pub use encoding::{EncodingChoice, EncodingReason, TextEncoding};
pub use error::{ColumnRef, ErrorKind, ErrorView, ImportFailure, InputError, Lang, NumberKind};
pub use fields::{FundPart, TableKind};
pub use header::column_letter;
pub use limits::{MAX_ERRORS, MAX_LISTED_ROWS, MAX_PREAMBLE_ROWS, MAX_ROW_BYTES};
pub use preview::{preview, table_fields, FieldInfo, Preview, PreviewRow, TableFields};
pub use report::{
    BadRow, Candidate, ChoiceReason, FileFormat, IgnoredColumn, IgnoredReason, ImportReport, ImportWarning,
    MappedColumn, Reading, SkipReason, SkippedRow, UnitNote,
};
pub use source::{sniff_format, ReadOptions, Source};
pub use split::{line_after, merge_halves, CaseBlocks, Half};
pub use tables::CaseRead;

use crate::records::cases::CaseTable;
use crate::records::{
    Case, Catalog, Institution, InstitutionAdjustment, InstitutionSummary, OutpatientRecord, PublishedMonth,
};
use csv::TextStream;
use rows::Table;
use source::disguised_html;
use tables::{
    AdjustmentsTable, CasesTable, CatalogRow, CatalogTable, InstitutionsTable, OutpatientTable, PublishedTable,
    SummariesTable,
};

/// Records read from a file, and how they were read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imported<T> {
    /// The records.
    pub records: T,
    /// What the import did.
    pub report: ImportReport,
}

fn read_table<T: Table>(src: Source<'_>, opts: &ReadOptions) -> Result<(Vec<T::Owned>, ImportReport), ImportFailure> {
    let (records, mut report, state) = read_raw::<T>(src, opts)?;
    T::finish(state, &mut report);
    Ok((records, report))
}

/// The records, the report and the table's state before [`Table::finish`].
type Raw<T> = (Vec<<T as Table>::Owned>, ImportReport, <T as Table>::State);

fn read_raw<T: Table>(src: Source<'_>, opts: &ReadOptions) -> Result<Raw<T>, ImportFailure> {
    let format = sniff_format(&src);
    let mut records = Vec::new();
    let keep: &mut rows::Sink<'_, T> = &mut |r| records.push(T::owned(r));
    let (report, state) = match format {
        FileFormat::Csv => {
            if disguised_html(&src) {
                return Err(ImportFailure::single(InputError::file(
                    src.name,
                    Some(T::KIND),
                    ErrorKind::HtmlDisguisedAsSpreadsheet,
                )));
            }
            let mut stream: TextStream<T> = TextStream::new(src.name, opts.text());
            stream.push(src.bytes, keep);
            stream.finish(keep)?
        }
        _ => workbook::read_workbook::<T>(src.name, src.bytes, format, opts.sheet.as_deref(), &opts.rows(), keep)?,
    };
    Ok((records, report, state))
}

/// Reads 病例明细 (cases).
pub fn read_cases(src: Source<'_>, opts: &ReadOptions) -> Result<Imported<Vec<Case>>, ImportFailure> {
    read_table::<CasesTable>(src, opts).map(|(records, report)| Imported { records, report })
}

/// Reads 病种目录 (the catalog). 床日 groups are rows whose 类型 is 床日 (or, without a 类型
/// column, rows with a 日均基金支付标准 and no 病种分值); a file of 床日 groups alone gives a
/// catalog with only `per_diem_groups`, to be merged by the caller.
pub fn read_catalog(src: Source<'_>, opts: &ReadOptions) -> Result<Imported<Catalog>, ImportFailure> {
    read_catalog_matching(src, opts, None)
}

/// Reads 病种目录 as [`read_catalog`] does, choosing among several group-code columns (病种编码,
/// DIP分组编码 …) by content: unique codes first, then the most codes for which `in_cases`
/// (the case file's group codes, when read) says yes. The choice is one of the report's
/// readings; a mapping of the group code in `opts` overrides it.
pub fn read_catalog_matching(
    src: Source<'_>,
    opts: &ReadOptions,
    in_cases: Option<&dyn Fn(&str) -> bool>,
) -> Result<Imported<Catalog>, ImportFailure> {
    let spec = TableKind::Catalog.spec();
    let mapped = opts
        .columns
        .keys()
        .any(|k| spec.field_index(k) == Some(fields::catalog::GROUP));
    let mut choice = None;
    let mut carried = Vec::new(); // the probe's sheet choice, when the sheet is then pinned
    let mut opts = opts.clone();
    if !mapped {
        // A file that fails here fails again below, with its errors.
        if let Ok((_, report, columns)) = read_raw::<choose::GroupProbe>(src, &opts) {
            if let Some((col, reading)) = columns.choose(&report, in_cases) {
                if col != columns.first() {
                    opts.columns.insert("group".to_string(), column_letter(col));
                    // The column is the probed sheet's: a letter must not pull another sheet's header.
                    if opts.sheet.is_none() {
                        opts.sheet = report.sheet.clone();
                        carried = report.readings.clone();
                    }
                }
                choice = Some(reading);
            }
        }
    }
    read_table::<CatalogTable>(src, &opts).map(|(rows, mut report)| {
        if let Some(reading) = choice {
            // After the sheet's choice, if any: the column is chosen within it.
            let at = report
                .readings
                .iter()
                .take_while(|r| matches!(r, Reading::SheetChosen { .. }))
                .count();
            report.readings.insert(at, reading);
        }
        report.readings.splice(0..0, carried);
        let mut catalog = Catalog::default();
        for row in rows {
            match row {
                CatalogRow::Dip(g) => catalog.groups.push(g),
                CatalogRow::PerDiem(g) => catalog.per_diem_groups.push(g),
            }
        }
        Imported {
            records: catalog,
            report,
        }
    })
}

/// Reads 机构 (institutions).
pub fn read_institutions(src: Source<'_>, opts: &ReadOptions) -> Result<Imported<Vec<Institution>>, ImportFailure> {
    read_table::<InstitutionsTable>(src, opts).map(|(records, report)| Imported { records, report })
}

/// Reads 机构汇总 (per-institution totals).
pub fn read_summaries(src: Source<'_>, opts: &ReadOptions) -> Result<Imported<Vec<InstitutionSummary>>, ImportFailure> {
    read_table::<SummariesTable>(src, opts).map(|(records, report)| Imported { records, report })
}

/// Reads 门诊 (outpatient figures).
pub fn read_outpatient(src: Source<'_>, opts: &ReadOptions) -> Result<Imported<Vec<OutpatientRecord>>, ImportFailure> {
    read_table::<OutpatientTable>(src, opts).map(|(records, report)| Imported { records, report })
}

/// Reads 年终调整 (labelled year-end adjustments of institutions, SPEC §7.2).
pub fn read_adjustments(
    src: Source<'_>,
    opts: &ReadOptions,
) -> Result<Imported<Vec<InstitutionAdjustment>>, ImportFailure> {
    read_table::<AdjustmentsTable>(src, opts).map(|(records, report)| Imported { records, report })
}

/// Reads 区域公布数据 (the bureau's monthly point values, region points and budgets; SPEC §11).
/// Whether the policy settles each row's fund is checked by the estimate, which knows the policy.
pub fn read_published(src: Source<'_>, opts: &ReadOptions) -> Result<Imported<Vec<PublishedMonth>>, ImportFailure> {
    read_table::<PublishedTable>(src, opts).map(|(records, report)| Imported { records, report })
}

/// Where a [`CaseStream`] puts the cases it reads: a closure taking each [`Case`], or the
/// engine's [`CaseTable`], which interns the codes straight from the file's text (no copy of
/// them per case).
pub trait CaseSink {
    /// One case read.
    fn case(&mut self, case: CaseRead<'_>);
}

impl<F: FnMut(Case)> CaseSink for F {
    fn case(&mut self, case: CaseRead<'_>) {
        self(case.to_case())
    }
}

impl CaseSink for CaseTable {
    fn case(&mut self, case: CaseRead<'_>) {
        self.push_with_codes(case.institution, case.group, &case.case);
    }
}

enum Mode {
    /// Fewer bytes than a file signature so far.
    Undecided(Vec<u8>),
    Text(Box<TextStream<CasesTable>>),
    /// Workbooks cannot be streamed: kept whole and read at the end.
    Workbook(Vec<u8>),
    Failed(ImportFailure),
}

/// Reads cases from chunks of a file, emitting each case as soon as its row is read.
///
/// Chunks may split the file anywhere (inside a character, a quoted field or a CRLF). Memory
/// stays bounded by one row, the rows above the header and the kept errors, not by the file.
/// Workbooks are recognised too but are kept whole and read at [`CaseStream::finish`].
///
/// **If `finish` returns `Err`, every case already emitted must be discarded**: errors can be
/// found after good rows were emitted (emission stops at the first error, but the rows before
/// it were already handed over). With [`ReadOptions::skip_bad_rows`], bad rows are left out
/// and listed in the report instead, and `finish` fails only for whole-file problems.
///
/// ```
/// use dipcalc::input::{CaseStream, ReadOptions};
///
/// let csv = "机构编码,险种,病种编码,医疗总费用,个人负担,结算日期\r\nH1,居民,G2,5200,1200,20240315\r\n";
/// let mut stream = CaseStream::new("cases.csv", &ReadOptions::default());
/// let mut cases = Vec::new();
/// for chunk in csv.as_bytes().chunks(7) {
///     stream.push(chunk, &mut |c| cases.push(c));
/// }
/// let report = stream.finish(&mut |c| cases.push(c)).unwrap();
/// assert_eq!((cases.len(), report.records), (1, 1));
/// ```
pub struct CaseStream {
    name: String,
    opts: ReadOptions,
    mode: Mode,
}

impl CaseStream {
    /// A stream for the file called `name` (used in messages).
    pub fn new(name: &str, opts: &ReadOptions) -> Self {
        CaseStream {
            name: name.to_string(),
            opts: opts.clone(),
            mode: Mode::Undecided(Vec::new()),
        }
    }

    fn decide(&mut self, sink: &mut impl CaseSink) {
        let Mode::Undecided(buf) = &mut self.mode else {
            return;
        };
        let buf = std::mem::take(buf);
        let src = Source {
            name: &self.name,
            bytes: &buf,
        };
        self.mode = match sniff_format(&src) {
            FileFormat::Csv if disguised_html(&src) => Mode::Failed(ImportFailure::single(InputError::file(
                &self.name,
                Some(TableKind::Cases),
                ErrorKind::HtmlDisguisedAsSpreadsheet,
            ))),
            FileFormat::Csv => {
                let mut text: TextStream<CasesTable> = TextStream::new(&self.name, self.opts.text());
                text.push(&buf, &mut |c| sink.case(c));
                Mode::Text(Box::new(text))
            }
            _ => Mode::Workbook(buf),
        };
    }

    /// Feeds the next chunk; cases read from it go to `sink`.
    pub fn push(&mut self, chunk: &[u8], sink: &mut impl CaseSink) {
        match &mut self.mode {
            Mode::Undecided(buf) => {
                buf.extend_from_slice(chunk);
                if buf.len() >= 16 {
                    self.decide(sink);
                }
            }
            Mode::Text(t) => t.push(chunk, &mut |c| sink.case(c)),
            Mode::Workbook(buf) => buf.extend_from_slice(chunk),
            Mode::Failed(_) => {}
        }
    }

    /// Ends the input: the last cases go to `sink`, and the report (or all errors) comes back.
    /// On `Err`, discard every case emitted so far.
    pub fn finish(mut self, sink: &mut impl CaseSink) -> Result<ImportReport, ImportFailure> {
        self.decide(sink);
        let (mut report, state) = match self.mode {
            Mode::Undecided(_) => unreachable_empty(&self.name)?,
            Mode::Failed(f) => return Err(f),
            Mode::Text(t) => t.finish(&mut |c| sink.case(c))?,
            Mode::Workbook(buf) => {
                let src = Source {
                    name: &self.name,
                    bytes: &buf,
                };
                let format = sniff_format(&src);
                workbook::read_workbook::<CasesTable>(
                    &self.name,
                    &buf,
                    format,
                    self.opts.sheet.as_deref(),
                    &self.opts.rows(),
                    &mut |c| sink.case(c),
                )?
            }
        };
        CasesTable::finish(state, &mut report);
        Ok(report)
    }
}

/// `decide` always leaves `Undecided`; this keeps `finish` total without a panic.
fn unreachable_empty(name: &str) -> Result<(ImportReport, rows::Seen), ImportFailure> {
    Err(ImportFailure::single(InputError::file(
        name,
        Some(TableKind::Cases),
        ErrorKind::EmptyFile,
    )))
}

/// The header aliases of every table as Markdown tables (what `docs/import.md` lists).
pub fn aliases_markdown() -> String {
    let mut out = String::new();
    for table in TableKind::ALL {
        let spec = table.spec();
        out.push_str(&format!(
            "### {} ({})

",
            table.label_zh(),
            table.label_en()
        ));
        let required: Vec<String> = spec
            .required
            .iter()
            .map(|any| {
                any.iter()
                    .filter_map(|i| spec.fields.get(*i))
                    .map(|f| format!("{} `{}`", f.zh, f.key))
                    .collect::<Vec<_>>()
                    .join(" or ")
            })
            .collect();
        out.push_str(&format!("Required columns: {}.\n\n", required.join("; ")));
        out.push_str("| field | canonical header | English | also accepted |\n|---|---|---|---|\n");
        for f in spec.fields {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                f.key,
                f.zh,
                f.en,
                f.aliases
                    .iter()
                    .skip(1)
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        out.push('\n');
    }
    out
}
