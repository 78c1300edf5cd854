//! Rows → records: header search, unit line, totals rows, per-cell parsing with located errors.
//!
//! Text files and workbooks both arrive here as rows of cell texts with their Excel row
//! numbers. The processor keeps only the rows above the header (at most
//! [`MAX_PREAMBLE_ROWS`]) and the errors (at most [`MAX_ERRORS`]); records go to a sink.

use std::borrow::Cow;
use std::collections::BTreeSet;

use rust_decimal::Decimal;

use super::encoding::TextEncoding;
use super::error::{ErrorKind, Errors, InputError, NumberKind};
use super::fields::{TableKind, TableSpec};
use super::header::{build_layout, combine_rows, numeric_kind, unit_line, Layout, OverrideProblem, Overrides};
use super::limits::{MAX_ERRORS, MAX_LISTED_ROWS, MAX_PREAMBLE_ROWS};
use super::report::{BadRow, IgnoredReason, ImportReport, ImportWarning, SkipReason, SkippedRow, UnitNote};
use super::values::{self, clean, NumberProblem, Ymd};
use crate::records::{CaseKind, Fund};

/// One table's row → record conversion.
pub(crate) trait Table: 'static {
    /// A record as read; it may borrow the row's text (cases: their codes).
    type Record<'r>;
    /// A record on its own, as the `read_*` functions return it.
    type Owned;
    type State: Default;
    const KIND: TableKind;
    fn build<'r>(row: &mut RowCtx<'r>, state: &mut Self::State) -> Option<Self::Record<'r>>;
    fn owned(record: Self::Record<'_>) -> Self::Owned;
    /// Requirements that depend on which columns are present (beyond `TableSpec::required`).
    fn extra_missing(_layout: &Layout) -> Vec<&'static [usize]> {
        Vec::new()
    }
    /// Moves anything the state collected into the report.
    fn finish(_state: Self::State, _report: &mut ImportReport) {}
}

/// Where records go as their rows are read.
pub(crate) type Sink<'s, T> = dyn for<'r> FnMut(<T as Table>::Record<'r>) + 's;

/// Per-table state shared by tables that only check codes for duplicates.
#[derive(Default)]
pub(crate) struct Seen {
    pub codes: std::collections::HashMap<String, u64>,
    pub per_diem_codes: std::collections::HashMap<String, u64>,
    pub years: BTreeSet<i32>,
    /// Catalog: the largest DIP score, and the sums of scores and reference costs.
    pub scores: ScoreScale,
}

/// What a catalog's scores and reference costs say about the score's scale.
#[derive(Default)]
pub(crate) struct ScoreScale {
    pub max: Option<Decimal>,
    pub score_sum: Decimal,
    pub cost_sum: Decimal,
}

impl ScoreScale {
    /// Scores below this, all of them, may be relative weights (DIP scores are usually
    /// hundreds to thousands: 1000 × the group's cost ÷ the average cost) [reading].
    const WEIGHT_MAX: Decimal = Decimal::from_parts(20, 0, 0, false, 0);
    /// 元 per score point above this: a point worth 500 元 means the scores are ÷100 or
    /// ÷1000 of a usual scale (a ×1000 catalog's point is worth about 10 元) [reading].
    const COST_PER_POINT: Decimal = Decimal::from_parts(500, 0, 0, false, 0);

    pub fn add(&mut self, score: Decimal, cost: Decimal) {
        self.max = Some(self.max.map_or(score, |m| m.max(score)));
        self.score_sum = self.score_sum.saturating_add(score);
        self.cost_sum = self.cost_sum.saturating_add(cost);
    }

    /// The largest score, when every score looks like a relative weight.
    pub fn looks_like_weights(&self) -> Option<Decimal> {
        let max = self.max?;
        if max >= Self::WEIGHT_MAX || self.score_sum <= Decimal::ZERO {
            return None;
        }
        let per_point = self.cost_sum.checked_div(self.score_sum)?;
        (per_point >= Self::COST_PER_POINT).then_some(max)
    }
}

enum Phase {
    Searching,
    /// A one-line header was found; the next row may turn out to be its second line.
    Candidate(Box<Layout>, Vec<String>),
    Data(Box<Layout>),
    Failed,
}

/// Options the processor needs (a subset of `ReadOptions`).
#[derive(Debug, Clone, Default)]
pub(crate) struct RowOptions {
    pub overrides: Overrides,
    pub skip_bad_rows: bool,
    pub fund_parts: Vec<super::fields::FundPart>,
    pub year: Option<u16>,
    pub skip_out_of_year: bool,
}

pub(crate) struct RowProcessor<T: Table> {
    file: String,
    sheet: Option<String>,
    opts: RowOptions,
    encoding: Option<TextEncoding>,
    phase: Phase,
    preamble: Vec<(u64, Vec<String>)>,
    errors: Errors,
    pub(crate) report: ImportReport,
    state: T::State,
    emitting: bool,
}

/// Each cell of a row cleaned once ([`clean`]): the blank-row and skip tests, `present` and
/// the parsers all read these.
fn clean_cells<'a>(cells: &[&'a str]) -> Vec<Cow<'a, str>> {
    cells.iter().map(|c| clean(c)).collect()
}

impl<T: Table> RowProcessor<T> {
    pub(crate) fn new(
        file: &str,
        sheet: Option<String>,
        opts: RowOptions,
        encoding: Option<TextEncoding>,
        report: ImportReport,
    ) -> Self {
        RowProcessor {
            file: file.to_string(),
            sheet,
            opts,
            encoding,
            phase: Phase::Searching,
            preamble: Vec::new(),
            errors: Errors::default(),
            report,
            state: T::State::default(),
            emitting: true,
        }
    }

    fn spec() -> &'static TableSpec {
        T::KIND.spec()
    }

    /// A processor for the rows after a line boundary of a file whose header this one has
    /// read: the same layout, options and encoding, a report of its own (rows numbered from
    /// the boundary). `None` unless this one is reading data rows.
    pub(crate) fn continuing(&self) -> Option<Self> {
        let Phase::Data(layout) = &self.phase else {
            return None;
        };
        let report = ImportReport::new(&self.file, T::KIND, self.report.format);
        let mut next = RowProcessor::new(&self.file, self.sheet.clone(), self.opts.clone(), self.encoding, report);
        next.phase = Phase::Data(layout.clone());
        Some(next)
    }

    /// Whether data rows are being read (the header found, nothing fatal).
    pub(crate) fn in_data(&self) -> bool {
        matches!(self.phase, Phase::Data(_))
    }

    pub(crate) fn set_encoding(&mut self, e: TextEncoding) {
        self.encoding = Some(e);
    }

    /// A fatal error about the file (not tied to a data row).
    pub(crate) fn fatal(&mut self, row: Option<u64>, kind: ErrorKind) {
        let mut e = InputError::file(&self.file, Some(T::KIND), kind);
        e.sheet = self.sheet.clone();
        e.row = row;
        self.errors.push(e);
        self.emitting = false;
    }

    /// A quoted field opened on `row` (in its `field`-th cell, from 0) and never closed: the rest
    /// of the file went into that cell. One error at the quote, its column named when the
    /// header is known.
    pub(crate) fn unclosed_quote(&mut self, row: u64, field: usize) {
        let column = match &self.phase {
            Phase::Candidate(l, _) | Phase::Data(l) => Some(l.column_ref(field)),
            Phase::Searching | Phase::Failed => None,
        };
        let mut e = InputError::file(&self.file, Some(T::KIND), ErrorKind::UnclosedQuote);
        e.sheet = self.sheet.clone();
        e.row = Some(row);
        e.column = column;
        self.errors.push(e);
        self.emitting = false;
        self.phase = Phase::Failed;
    }

    /// How many columns of the header found (if one was) name a field.
    pub(crate) fn header_matched(&self) -> Option<usize> {
        match &self.phase {
            Phase::Candidate(l, _) | Phase::Data(l) => Some(l.matched()),
            Phase::Searching | Phase::Failed => None,
        }
    }

    fn layout_for(&self, cells: Vec<String>, row: u64, rows: u8) -> (Layout, Vec<OverrideProblem>) {
        build_layout(Self::spec(), cells, row, rows, None, &self.opts.overrides)
    }

    fn satisfied(layout: &Layout) -> bool {
        layout.missing(Self::spec()).is_empty()
    }

    /// One row of the file. `too_long`: the row was cut at the length limit.
    pub(crate) fn push_row(&mut self, row: u64, cells: &[&str], too_long: bool, sink: &mut Sink<'_, T>) {
        if too_long {
            let kind = ErrorKind::RowTooLong {
                limit: super::limits::MAX_ROW_BYTES,
            };
            if matches!(self.phase, Phase::Data(_)) {
                self.report.rows_read += 1;
                let mut e = InputError::file(&self.file, Some(T::KIND), kind);
                e.sheet = self.sheet.clone();
                e.row = Some(row);
                self.bad_row(row, vec![e]);
            } else if !matches!(self.phase, Phase::Failed) {
                self.fatal(Some(row), kind);
                self.phase = Phase::Failed;
            }
            return;
        }
        let texts = clean_cells(cells);
        let blank = texts.iter().all(|t| t.is_empty());
        match std::mem::replace(&mut self.phase, Phase::Failed) {
            Phase::Failed => {}
            Phase::Searching => {
                self.phase = Phase::Searching;
                if blank {
                    return;
                }
                self.search(row, cells.iter().map(|c| c.to_string()).collect());
            }
            Phase::Candidate(layout, upper) => {
                if blank {
                    self.enter_data(*layout);
                    return;
                }
                let combined = combine_rows(Self::spec(), &upper, cells);
                let (two, problems) = self.layout_for(combined, row, 2);
                if problems.is_empty()
                    && Self::satisfied(&two)
                    && continues_header(Self::spec(), &layout, &upper, cells)
                    && two.matched() >= layout.matched()
                {
                    self.enter_data(two);
                } else {
                    self.enter_data(*layout);
                    if let Phase::Data(l) = std::mem::replace(&mut self.phase, Phase::Failed) {
                        self.data_row(&l, row, cells, &texts, sink);
                        self.phase = Phase::Data(l);
                    }
                }
            }
            Phase::Data(layout) => {
                if !blank {
                    self.data_row(&layout, row, cells, &texts, sink);
                }
                self.phase = Phase::Data(layout);
            }
        }
    }

    fn search(&mut self, row: u64, cells: Vec<String>) {
        let previous = self
            .preamble
            .last()
            .filter(|(r, _)| *r + 1 == row)
            .map(|(_, c)| c.clone());
        let (single, _) = self.layout_for(cells.clone(), row, 1);
        if let Some(upper) = previous {
            let combined = combine_rows(Self::spec(), &upper, &cells);
            let (two, _) = self.layout_for(combined, row, 2);
            if Self::satisfied(&two) && two.matched() > single.matched() {
                self.preamble.push((row, cells));
                self.enter_data(two);
                return;
            }
        }
        if Self::satisfied(&single) {
            self.phase = Phase::Candidate(Box::new(single), cells);
            return;
        }
        self.preamble.push((row, cells));
        if self.preamble.len() >= MAX_PREAMBLE_ROWS {
            self.header_failure();
        }
    }

    /// No header found: name the missing columns of the best-looking row, or say that no
    /// header was found at all.
    fn header_failure(&mut self) {
        self.phase = Phase::Failed;
        if let Some(enc) = self.encoding {
            let garbled = self
                .preamble
                .iter()
                .find(|(_, cells)| cells.iter().any(|c| c.contains('\u{fffd}')));
            if let Some((row, _)) = garbled {
                let row = *row;
                self.fatal(Some(row), ErrorKind::EncodingError { encoding: enc });
                return;
            }
        }
        let mut best: Option<(usize, Layout, Vec<OverrideProblem>)> = None;
        let mut previous: Option<(u64, Vec<String>)> = None;
        for (row, cells) in self.preamble.clone() {
            let mut candidates = vec![self.layout_for(cells.clone(), row, 1)];
            if let Some((prow, upper)) = &previous {
                if *prow + 1 == row {
                    let combined = combine_rows(Self::spec(), upper, &cells);
                    candidates.push(self.layout_for(combined, row, 2));
                }
            }
            for (l, problems) in candidates {
                let m = l.matched();
                if best.as_ref().is_none_or(|(bm, _, _)| m > *bm) {
                    best = Some((m, l, problems));
                }
            }
            previous = Some((row, cells));
        }
        let spec = Self::spec();
        match best {
            Some((m, layout, problems)) if m >= 2 => {
                // A mapping to a header that is not there explains the missing column.
                let mut explained = Vec::new();
                for p in problems {
                    let kind = match p {
                        OverrideProblem::UnknownField(field) => ErrorKind::UnknownMappingField { field },
                        OverrideProblem::ColumnNotFound { field, header } => {
                            explained.push(field.clone());
                            ErrorKind::MappingColumnNotFound { field, header }
                        }
                    };
                    self.fatal(Some(layout.header_row), kind);
                }
                for any in layout.missing(spec) {
                    let is_explained = any.iter().any(|f| {
                        spec.fields
                            .get(*f)
                            .is_some_and(|x| explained.iter().any(|k| k == x.key))
                    });
                    if !is_explained {
                        self.fatal(Some(layout.header_row), missing_kind(spec, any));
                    }
                }
            }
            _ => {
                let required = spec
                    .required
                    .iter()
                    .map(|any| {
                        any.iter()
                            .filter_map(|f| spec.fields.get(*f).map(|x| x.key.to_string()))
                            .collect()
                    })
                    .collect();
                self.fatal(
                    None,
                    ErrorKind::NoHeader {
                        table: T::KIND,
                        required,
                    },
                );
            }
        }
    }

    fn enter_data(&mut self, layout: Layout) {
        let spec = Self::spec();
        // The unit line: the nearest row above the header that states one.
        let header_top = layout.header_row + 1 - layout.header_rows as u64;
        let unit = self
            .preamble
            .iter()
            .rev()
            .filter(|(r, _)| *r < header_top)
            .find_map(|(r, cells)| unit_line(cells).map(|(text, m)| (*r, text, m)));
        let global = unit.as_ref().map(|(_, _, m)| *m);
        let (layout, problems) = build_layout(
            spec,
            layout.headers,
            layout.header_row,
            layout.header_rows,
            global,
            &self.opts.overrides,
        );
        self.preamble.clear();
        if let Some((row, text, multiplier)) = unit {
            self.report.unit = Some(UnitNote { row, text, multiplier });
        }
        self.report.header_row = Some(layout.header_row);
        self.report.header_rows = layout.header_rows;
        self.report.columns = layout.mapped_columns(spec);
        self.report.ignored_columns = layout.ignored.clone();
        self.report.warnings.extend(resemblances(spec, &layout));
        let mut fatal = false;
        for p in problems {
            fatal = true;
            let kind = match p {
                OverrideProblem::UnknownField(field) => ErrorKind::UnknownMappingField { field },
                OverrideProblem::ColumnNotFound { field, header } => ErrorKind::MappingColumnNotFound { field, header },
            };
            self.fatal(Some(layout.header_row), kind);
        }
        let mut missing = layout.missing(spec);
        missing.extend(T::extra_missing(&layout));
        for any in missing {
            fatal = true;
            self.fatal(Some(layout.header_row), missing_kind(spec, any));
        }
        self.phase = if fatal {
            Phase::Failed
        } else {
            Phase::Data(Box::new(layout))
        };
    }

    fn bad_row(&mut self, row: u64, errs: Vec<InputError>) {
        if self.opts.skip_bad_rows {
            self.report.bad_rows_total += 1;
            if self.report.bad_rows.len() < MAX_LISTED_ROWS {
                let kept: Vec<InputError> = errs.into_iter().take(MAX_ERRORS).collect();
                self.report.bad_rows.push(BadRow { row, errors: kept });
            }
        } else {
            self.emitting = false;
            for e in errs {
                self.errors.push(e);
            }
        }
    }

    fn data_row(&mut self, layout: &Layout, row: u64, cells: &[&str], texts: &[Cow<'_, str>], sink: &mut Sink<'_, T>) {
        self.report.rows_read += 1;
        if let Some((reason, text)) = skip_reason(Self::spec(), layout, cells, texts) {
            if carries_case_data(Self::spec(), layout, texts) && self.report.warnings.len() < MAX_LISTED_ROWS {
                let text = text.clone();
                self.report.warnings.push(ImportWarning::SkippedCaseData { row, text });
            }
            self.report.skipped_rows_total += 1;
            if self.report.skipped_rows.len() < MAX_LISTED_ROWS {
                self.report.skipped_rows.push(SkippedRow { row, reason, text });
            }
            return;
        }
        let mut ctx = RowCtx {
            row,
            cells,
            texts,
            layout,
            spec: Self::spec(),
            file: &self.file,
            sheet: self.sheet.as_deref(),
            encoding: self.encoding,
            fund_parts: &self.opts.fund_parts,
            year: self.opts.year,
            skip_out_of_year: self.opts.skip_out_of_year,
            out_of_year: false,
            errors: Vec::new(),
        };
        let record = T::build(&mut ctx, &mut self.state);
        if ctx.out_of_year {
            self.report.out_of_year_total += 1;
            if self.report.out_of_year_rows.len() < MAX_LISTED_ROWS {
                self.report.out_of_year_rows.push(row);
            }
            return;
        }
        let errs = ctx.errors;
        // A record borrows the row (and the file name): gone before the errors are kept.
        let emitted = match record.filter(|_| errs.is_empty()) {
            Some(r) => {
                if self.emitting {
                    self.report.records += 1;
                    sink(r);
                }
                true
            }
            None => false,
        };
        if !emitted {
            let errs = if errs.is_empty() {
                // build() returned nothing without saying why: should not happen.
                vec![InputError {
                    file: self.file.clone(),
                    table: Some(T::KIND),
                    sheet: self.sheet.clone(),
                    row: Some(row),
                    column: None,
                    value: None,
                    kind: ErrorKind::EmptyRequired {
                        field: Self::spec()
                            .fields
                            .get(Self::spec().key_field)
                            .map(|f| f.key)
                            .unwrap_or_default()
                            .to_string(),
                    },
                }]
            } else {
                errs
            };
            self.bad_row(row, errs);
        }
    }

    /// End of input: a header still being searched for is a failure.
    pub(crate) fn finish(mut self) -> Result<(ImportReport, T::State), super::error::ImportFailure> {
        match std::mem::replace(&mut self.phase, Phase::Failed) {
            Phase::Searching => {
                if self.preamble.is_empty() && self.errors.is_empty() {
                    self.fatal(None, ErrorKind::EmptyFile);
                } else if self.errors.is_empty() {
                    self.header_failure();
                }
            }
            Phase::Candidate(layout, _) => self.enter_data(*layout),
            Phase::Data(_) | Phase::Failed => {}
        }
        if !self.errors.is_empty() {
            return Err(self.errors.into_failure());
        }
        Ok((self.report, self.state))
    }

    pub(crate) fn failed(&self) -> bool {
        matches!(self.phase, Phase::Failed)
    }
}

fn missing_kind(spec: &TableSpec, any: &[usize]) -> ErrorKind {
    ErrorKind::MissingColumn {
        fields: any
            .iter()
            .filter_map(|f| spec.fields.get(*f).map(|x| x.key.to_string()))
            .collect(),
    }
}

/// A single cell under the data that reads as a note: 制表人：…, 备注：…, 注：…, 数据来源…
fn looks_like_note(text: &str) -> bool {
    const STARTS: [&str; 12] = [
        "注",
        "备注",
        "说明",
        "制表",
        "审核",
        "填报",
        "复核",
        "数据来源",
        "单位负责人",
        "经办人",
        "负责人",
        "打印",
    ];
    // A full-width colon only: DIP group codes contain ASCII ones (K35.8:47.0901).
    text.contains('：') || STARTS.iter().any(|s| text.starts_with(s)) || text.chars().count() > 30
}

/// Is `lower` the second line of a header whose first line is `upper`? Its key column must be
/// empty or repeat the cell above (a vertically merged cell), which no data row does, and it
/// must say something the first line did not.
fn continues_header(spec: &TableSpec, layout: &Layout, upper: &[String], lower: &[&str]) -> bool {
    let Some(key_col) = layout.field_cols.get(spec.key_field).copied().flatten() else {
        return false;
    };
    let up = |c: usize| upper.get(c).map(|s| clean(s)).unwrap_or_default();
    let low = |c: usize| lower.get(c).map(|s| clean(s)).unwrap_or_default();
    let key = low(key_col);
    if !key.is_empty() && key != up(key_col) {
        return false;
    }
    (0..lower.len()).any(|c| {
        let l = low(c);
        !l.is_empty() && l != up(c)
    })
}

/// A totals label: the cell without blanks and trailing colons starts or ends with 合计, 总计
/// or 小计, or is total, subtotal, grandtotal or sum (any case). Compared without allocating:
/// every data row's first cells pass through here.
fn is_totals_label(cell: &str) -> bool {
    let end = cell
        .trim_end_matches(|c: char| c.is_whitespace() || c == ':' || c == '：')
        .len();
    let cell = &cell[..end];
    let compact = || cell.chars().filter(|c| !c.is_whitespace());
    let mut back = compact().rev();
    let last_two = back.next().zip(back.next()).map(|(b, a)| [a, b]);
    let mut front = compact();
    let first_two = front.next().zip(front.next()).map(|(a, b)| [a, b]);
    let words = [['合', '计'], ['总', '计'], ['小', '计']];
    if words.iter().any(|w| first_two == Some(*w) || last_two == Some(*w)) {
        return true;
    }
    // The English words start with t, s or g: a code cell is settled by its first letter.
    compact()
        .next()
        .is_some_and(|c| matches!(c.to_ascii_lowercase(), 't' | 's' | 'g'))
        && ["total", "subtotal", "grandtotal", "sum"]
            .iter()
            .any(|w| compact().map(|c| c.to_ascii_lowercase()).eq(w.chars()))
}

/// Totals rows (合计/总计/小计 in the first non-empty cells, or an empty code with only
/// numbers) and note rows (a single text cell with an empty code) are skipped.
fn skip_reason(
    spec: &TableSpec,
    layout: &Layout,
    cells: &[&str],
    texts: &[Cow<'_, str>],
) -> Option<(SkipReason, String)> {
    let mut nonempty = texts.iter().map(|t| t.as_ref()).filter(|t| !t.is_empty());
    let first_two = [nonempty.next(), nonempty.next()];
    let shown = || {
        texts
            .iter()
            .map(|t| t.as_ref())
            .filter(|t| !t.is_empty())
            .take(3)
            .collect::<Vec<_>>()
            .join(" | ")
    };
    if first_two.iter().flatten().any(|cell| is_totals_label(cell)) {
        return Some((SkipReason::Totals, shown()));
    }
    let key_empty = match layout.field_cols.get(spec.key_field).copied().flatten() {
        Some(c) => texts.get(c).is_none_or(|t| t.is_empty()),
        None => true,
    };
    // A single non-empty cell: the iterator stopped before a second.
    if let [Some(only), None] = &first_two {
        if values::parse_amount(only).is_err() && (key_empty || looks_like_note(only)) {
            return Some((SkipReason::Note, shown()));
        }
    }
    if !key_empty {
        return None;
    }
    let numeric: Vec<bool> = texts
        .iter()
        .filter(|t| !t.is_empty())
        .map(|t| values::parse_amount(t).is_ok())
        .collect();
    // Only numbers, and at least one in a numeric column: a totals row without a label.
    let in_numeric_column = spec.fields.iter().enumerate().any(|(f, field)| {
        numeric_kind(field.kind)
            && layout
                .field_cols
                .get(f)
                .copied()
                .flatten()
                .and_then(|c| Some((cells.get(c)?, texts.get(c)?)))
                .is_some_and(|(s, t)| !t.is_empty() && values::parse_amount(s).is_ok())
    });
    if !numeric.is_empty() && numeric.iter().all(|n| *n) && in_numeric_column {
        return Some((SkipReason::Totals, shown()));
    }
    None
}

/// Words in a header that suggest a field (lower case), per table [reading]: a column the
/// importer did not recognize while that field takes its default is probably that field.
const RESEMBLES: &[(TableKind, &str, &str)] = &[
    (TableKind::Institutions, "系数", "base_coefficient"),
    (TableKind::Institutions, "coefficient", "base_coefficient"),
    (TableKind::Institutions, "考核", "assessment_score"),
    (TableKind::Institutions, "等级", "level"),
    (TableKind::Catalog, "分值", "score"),
    (TableKind::Catalog, "点数", "score"),
    (TableKind::Catalog, "权重", "score"),
    (TableKind::Catalog, "score", "score"),
    (TableKind::Catalog, "标准", "daily_fund_standard"),
    (TableKind::Catalog, "基层", "grassroots"),
    (TableKind::Cases, "天数", "days"),
    (TableKind::Cases, "床日", "days"),
    (TableKind::Cases, "除外", "excluded_cost"),
    (TableKind::Cases, "质控", "qc_passed"),
    (TableKind::Summaries, "点数", "points"),
    (TableKind::Summaries, "分值", "points"),
    (TableKind::Outpatient, "点数", "other_points"),
];

/// The command line's name for a table's file (`--map cases.FIELD=…`).
fn map_file(kind: TableKind) -> &'static str {
    match kind {
        TableKind::Cases => "cases",
        TableKind::Catalog => "catalog",
        TableKind::Institutions => "institutions",
        TableKind::Summaries => "summary",
        TableKind::Outpatient => "outpatient",
        TableKind::Adjustments => "adjustments",
        TableKind::Published => "published",
    }
}

/// Unused columns whose header resembles a field the file leaves to its default.
fn resemblances(spec: &TableSpec, layout: &Layout) -> Vec<ImportWarning> {
    let mut out = Vec::new();
    for col in layout.ignored.iter().filter(|c| c.reason == IgnoredReason::Unknown) {
        let header = col.header.to_lowercase();
        let hit = RESEMBLES.iter().find(|(kind, word, key)| {
            *kind == spec.kind
                && header.contains(word)
                && spec
                    .fields
                    .iter()
                    .position(|f| f.key == *key)
                    .is_some_and(|f| layout.field_cols.get(f).copied().flatten().is_none())
        });
        if let Some((_, _, key)) = hit {
            out.push(ImportWarning::UnusedLikeField {
                letter: col.letter.clone(),
                header: col.header.clone(),
                field: key.to_string(),
                map: format!("{}.{key}={}", map_file(spec.kind), col.letter),
            });
        }
    }
    out
}

/// A case row skipped as totals or a note that still has what a case has: a group code and
/// a cost. A totals row leaves the group empty, so such a row is likely a case whose code
/// cell was left empty or reads as a label: the user is warned (a possibly lost case).
fn carries_case_data(spec: &TableSpec, layout: &Layout, texts: &[Cow<'_, str>]) -> bool {
    use super::fields::cases;
    if spec.kind != TableKind::Cases {
        return false;
    }
    let cell = |f: usize| {
        layout
            .field_cols
            .get(f)
            .copied()
            .flatten()
            .and_then(|c| texts.get(c))
            .map(|t| t.as_ref())
            .filter(|t| !t.is_empty())
    };
    let cost = cell(cases::TOTAL_COST).is_some_and(|t| values::parse_amount(t).is_ok_and(|v| v > Decimal::ZERO));
    cost && cell(cases::GROUP).is_some()
}

/// One data row being turned into a record; errors are collected with their location.
pub(crate) struct RowCtx<'a> {
    pub row: u64,
    cells: &'a [&'a str],
    /// The cells cleaned.
    texts: &'a [Cow<'a, str>],
    layout: &'a Layout,
    spec: &'static TableSpec,
    file: &'a str,
    sheet: Option<&'a str>,
    encoding: Option<TextEncoding>,
    /// Payment columns counted as fund money beside 统筹基金支付 (`ReadOptions::fund_parts`).
    pub fund_parts: &'a [super::fields::FundPart],
    /// The policy year dates must fall in, and whether a row dated outside it is left out.
    year: Option<u16>,
    skip_out_of_year: bool,
    /// Set by [`RowCtx::in_year`]: the row is dated outside the year and is to be left out.
    pub out_of_year: bool,
    pub errors: Vec<InputError>,
}

impl<'a> RowCtx<'a> {
    fn key(&self, f: usize) -> &'static str {
        self.spec.fields.get(f).map(|x| x.key).unwrap_or_default()
    }

    /// Is the field's column present?
    /// The header layout the row is read with.
    pub fn layout(&self) -> &'a Layout {
        self.layout
    }

    /// Any column's cleaned text, mapped or not.
    pub fn column_text(&self, col: usize) -> &'a str {
        let texts: &'a [Cow<'a, str>] = self.texts;
        texts.get(col).map(|t| t.as_ref()).unwrap_or("")
    }

    pub fn mapped(&self, f: usize) -> bool {
        self.layout.field_cols.get(f).copied().flatten().is_some()
    }

    /// The field's column, its cell as written and cleaned.
    fn cell(&self, f: usize) -> Option<(usize, &'a str, &'a str)> {
        let col = self.layout.field_cols.get(f).copied().flatten()?;
        let raw = self.cells.get(col).copied().unwrap_or("");
        let texts: &'a [Cow<'a, str>] = self.texts;
        Some((col, raw, texts.get(col).map(|t| t.as_ref()).unwrap_or("")))
    }

    /// Is the field's cell non-empty?
    pub fn present(&self, f: usize) -> bool {
        self.cell(f).is_some_and(|(_, _, t)| !t.is_empty())
    }

    fn push(&mut self, col: Option<usize>, value: Option<&str>, kind: ErrorKind) {
        self.errors.push(InputError {
            file: self.file.to_string(),
            table: Some(self.spec.kind),
            sheet: self.sheet.map(str::to_string),
            row: Some(self.row),
            column: col.map(|c| self.layout.column_ref(c)),
            value: value.map(|v| v.trim().to_string()),
            kind,
        });
    }

    /// Reports an empty required cell (or a missing column).
    pub fn empty(&mut self, f: usize) {
        let col = self.cell(f).map(|(c, _, _)| c);
        let key = self.key(f);
        self.push(col, None, ErrorKind::EmptyRequired { field: key.into() });
    }

    /// The cleaned text of a cell, `None` when empty or unmapped; undecodable bytes are errors.
    fn raw_value(&mut self, f: usize) -> Option<(usize, &'a str, &'a str)> {
        let (col, raw, text) = self.cell(f)?;
        if text.is_empty() {
            return None;
        }
        if let Some(enc) = self.encoding {
            if values::has_replacement_char(text) {
                self.push(Some(col), Some(raw), ErrorKind::EncodingError { encoding: enc });
                return None;
            }
        }
        Some((col, raw, text))
    }

    fn parse<T>(&mut self, f: usize, parse: impl FnOnce(&str, &'static str) -> Result<T, ErrorKind>) -> Option<T> {
        let (col, raw, text) = self.raw_value(f)?;
        let key = self.key(f);
        match parse(text, key) {
            Ok(v) => Some(v),
            Err(kind) => {
                self.push(Some(col), Some(raw), kind);
                None
            }
        }
    }

    fn multiplier(&self, f: usize) -> Decimal {
        self.layout
            .multipliers
            .get(f)
            .copied()
            .flatten()
            .unwrap_or(Decimal::ONE)
    }

    /// Text (codes and names), borrowed from the row.
    pub fn text(&mut self, f: usize) -> Option<&'a str> {
        self.raw_value(f).map(|(_, _, t)| t)
    }

    /// Text that must be present.
    pub fn required_text(&mut self, f: usize) -> Option<&'a str> {
        let v = self.text(f);
        if v.is_none() && !self.present(f) {
            self.empty(f);
        }
        v
    }

    /// An amount in 元 (unit multiplier applied).
    pub fn amount(&mut self, f: usize) -> Option<Decimal> {
        // Without a unit line the multiplier is one: skip multiplying by it.
        let unit = self.layout.multipliers.get(f).copied().flatten();
        self.parse(f, |t, field| {
            let v = values::parse_amount(t).map_err(|p| number_error(p, field, NumberKind::Amount))?;
            let Some(mult) = unit else {
                return Ok(v);
            };
            v.checked_mul(mult).ok_or_else(|| ErrorKind::ExpectedNumber {
                field: field.into(),
                expected: NumberKind::Amount,
            })
        })
    }

    /// An amount that must be present.
    pub fn required_amount(&mut self, f: usize) -> Option<Decimal> {
        let v = self.amount(f);
        if v.is_none() && !self.present(f) {
            self.empty(f);
        }
        v
    }

    /// An amount in 元 that cannot be negative (a deduction written as a positive sum).
    pub fn non_negative_amount(&mut self, f: usize) -> Option<Decimal> {
        let v = self.amount(f)?;
        if v.is_sign_negative() && !v.is_zero() {
            let (col, raw) = self.cell(f).map(|(c, r, _)| (c, r)).unzip();
            let key = self.key(f);
            self.push(col, raw, ErrorKind::Negative { field: key.into() });
            return None;
        }
        Some(v)
    }

    /// Reports a row whose cells of `fields` are all empty where one of them is needed.
    pub fn empty_all(&mut self, fields: &[usize]) {
        let keys = fields.iter().map(|&f| self.key(f).to_string()).collect();
        self.push(None, None, ErrorKind::EmptyAll { fields: keys });
    }

    /// A plain number (score, points); a percentage is an error.
    pub fn number(&mut self, f: usize) -> Option<Decimal> {
        self.parse(f, |t, field| {
            values::parse_number(t, false).map_err(|p| number_error(p, field, NumberKind::Number))
        })
    }

    /// A number that must be present.
    pub fn required_number(&mut self, f: usize) -> Option<Decimal> {
        let v = self.number(f);
        if v.is_none() && !self.present(f) {
            self.empty(f);
        }
        v
    }

    /// A coefficient: `1.05` or `105%`.
    pub fn coefficient(&mut self, f: usize) -> Option<Decimal> {
        self.parse(f, |t, field| {
            values::parse_number(t, true).map_err(|p| number_error(p, field, NumberKind::Coefficient))
        })
    }

    /// Days, not negative.
    pub fn days(&mut self, f: usize) -> Option<Decimal> {
        self.parse(f, |t, field| {
            let v = values::parse_number(t, false).map_err(|p| number_error(p, field, NumberKind::Days))?;
            if v.is_sign_negative() && !v.is_zero() {
                return Err(ErrorKind::Negative { field: field.into() });
            }
            Ok(v)
        })
    }

    /// A plain number above zero (a published point value: 0 would divide by zero).
    pub fn positive_number(&mut self, f: usize) -> Option<Decimal> {
        self.parse(f, |t, field| {
            let v = values::parse_number(t, false).map_err(|p| number_error(p, field, NumberKind::Number))?;
            if v <= Decimal::ZERO {
                return Err(ErrorKind::NotPositive { field: field.into() });
            }
            Ok(v)
        })
    }

    /// A whole number ≥ 0.
    pub fn count(&mut self, f: usize) -> Option<u64> {
        self.parse(f, |t, field| {
            values::parse_count(t).ok_or_else(|| ErrorKind::ExpectedNumber {
                field: field.into(),
                expected: NumberKind::Count,
            })
        })
    }

    /// 是/否.
    pub fn boolean(&mut self, f: usize) -> Option<bool> {
        self.parse(f, |t, field| {
            values::parse_bool(t).ok_or_else(|| ErrorKind::ExpectedBool { field: field.into() })
        })
    }

    /// A date.
    pub fn date(&mut self, f: usize) -> Option<Ymd> {
        self.parse(f, |t, field| {
            values::parse_date(t).ok_or_else(|| ErrorKind::ExpectedDate { field: field.into() })
        })
    }

    /// An error about a field's cell that did parse (a value out of range).
    pub fn refuse(&mut self, f: usize, kind: ErrorKind) {
        let (col, raw) = match self.cell(f) {
            Some((col, raw, _)) => (Some(col), Some(raw)),
            None => (None, None),
        };
        self.push(col, raw, kind);
    }

    /// Is a year read from the field's cell the policy year (when one is given)? Outside it
    /// the row is an error, or marked to be left out (`skip_out_of_year`).
    pub fn in_year(&mut self, f: usize, year: i32) -> bool {
        let Some(policy) = self.year else {
            return true;
        };
        if year == i32::from(policy) {
            return true;
        }
        if self.skip_out_of_year {
            self.out_of_year = true;
        } else if let Some((col, raw, _)) = self.cell(f) {
            let field = self.key(f).into();
            self.push(Some(col), Some(raw), ErrorKind::OutsideYear { field, year: policy });
        }
        false
    }

    /// A month: `Some(None)` = the whole year; `None` = empty, unmapped or bad (bad is reported).
    pub fn month(&mut self, f: usize) -> Option<Option<(Option<i32>, u8)>> {
        self.parse(f, |t, field| {
            values::parse_month(t).map_err(|_| ErrorKind::ExpectedMonth { field: field.into() })
        })
    }

    /// 职工 or 居民; required.
    pub fn fund(&mut self, f: usize) -> Option<Fund> {
        let v = self.parse(f, |t, field| {
            values::parse_fund(t).ok_or_else(|| ErrorKind::UnknownFund { field: field.into() })
        });
        if v.is_none() && !self.present(f) {
            self.empty(f);
        }
        v
    }

    /// 结算类型; empty or unmapped → DIP.
    pub fn case_kind(&mut self, f: usize) -> Option<CaseKind> {
        if !self.present(f) {
            return Some(CaseKind::Dip);
        }
        self.parse(f, |t, field| {
            values::parse_case_kind(t).ok_or_else(|| ErrorKind::UnknownCaseKind { field: field.into() })
        })
    }

    /// 离院方式: `Some(None)` empty or unmapped, `None` bad (reported).
    pub fn discharge(&mut self, f: usize) -> Option<Option<u8>> {
        if !self.present(f) {
            return Some(None);
        }
        self.parse(f, |t, field| {
            values::parse_discharge(t)
                .map(Some)
                .ok_or_else(|| ErrorKind::UnknownDischarge { field: field.into() })
        })
    }

    /// Catalog 类型: `Some(Some(true))` per-diem, `Some(None)` not given, `None` bad.
    pub fn catalog_type(&mut self, f: usize) -> Option<Option<bool>> {
        if !self.present(f) {
            return Some(None);
        }
        self.parse(f, |t, field| {
            values::parse_catalog_type(t)
                .map(Some)
                .ok_or_else(|| ErrorKind::UnknownCatalogType { field: field.into() })
        })
    }

    /// 病种类型 under the header's legend; `Some(None)`: empty or unmapped, `None`: bad.
    pub fn group_category(&mut self, f: usize) -> Option<Option<values::CategoryCell>> {
        if !self.present(f) {
            return Some(None);
        }
        let layout = self.layout;
        let legend = &layout.category_legend;
        self.parse(f, |t, field| {
            values::parse_category_cell(t, legend)
                .map(Some)
                .ok_or_else(|| ErrorKind::UnknownGroupCategory {
                    field: field.into(),
                    legend: legend.iter().map(|(k, c)| format!("{k}={}", c.label_zh())).collect(),
                })
        })
    }

    fn list(&mut self, f: usize, money: bool) -> Vec<Decimal> {
        let mult = self.multiplier(f);
        let Some((col, raw, text)) = self.raw_value(f) else {
            return Vec::new();
        };
        let key = self.key(f);
        let mut out = Vec::new();
        for part in values::split_list(text) {
            let parsed = if money {
                values::parse_amount(&part)
                    .map_err(|p| number_error(p, key, NumberKind::Amount))
                    .and_then(|v| {
                        v.checked_mul(mult).ok_or_else(|| ErrorKind::ExpectedNumber {
                            field: key.into(),
                            expected: NumberKind::Amount,
                        })
                    })
            } else {
                values::parse_number(&part, true).map_err(|p| number_error(p, key, NumberKind::Coefficient))
            };
            match parsed {
                Ok(v) => out.push(v),
                Err(kind) => {
                    self.push(Some(col), Some(raw), kind);
                    return Vec::new();
                }
            }
        }
        out
    }

    /// Coefficients separated by `;` `、` `,`.
    pub fn coefficient_list(&mut self, f: usize) -> Vec<Decimal> {
        self.list(f, false)
    }

    /// Amounts separated by `;` `、` `,` (most recent first).
    pub fn amount_list(&mut self, f: usize) -> Vec<Decimal> {
        self.list(f, true)
    }

    /// Catalog: the per-level reference costs present in this row.
    pub fn level_costs(&mut self) -> Vec<(String, Decimal)> {
        let mut out = Vec::new();
        for (level, col) in self.layout.level_cols.clone() {
            let raw = self.cells.get(col).copied().unwrap_or("");
            let text = self.texts.get(col).map(|t| t.as_ref()).unwrap_or("");
            if text.is_empty() {
                continue;
            }
            let mult = self.layout.level_multiplier(col).unwrap_or(Decimal::ONE);
            match values::parse_amount(text).map(|v| v.checked_mul(mult)) {
                Ok(Some(v)) => out.push((level, v)),
                Ok(None) | Err(NumberProblem::NotNumber) => self.push(
                    Some(col),
                    Some(raw),
                    ErrorKind::ExpectedNumber {
                        field: "reference_cost".to_string(),
                        expected: NumberKind::Amount,
                    },
                ),
                Err(NumberProblem::PercentNotAllowed) => self.push(
                    Some(col),
                    Some(raw),
                    ErrorKind::PercentNotAllowed {
                        field: "reference_cost".to_string(),
                    },
                ),
            }
        }
        out
    }

    /// Reports a value that parsed but cannot be used (arithmetic out of range).
    pub fn not_a_number(&mut self, f: usize) {
        let col = self.cell(f).map(|(c, _, _)| c);
        let raw = self.cell(f).map(|(_, r, _)| r);
        let key = self.key(f);
        self.push(
            col,
            raw,
            ErrorKind::ExpectedNumber {
                field: key.into(),
                expected: NumberKind::Amount,
            },
        );
    }

    /// Reports a duplicate code against its first row.
    pub fn duplicate(&mut self, f: usize, code: &str, first_row: u64) {
        let col = self.cell(f).map(|(c, _, _)| c);
        let raw = self.cell(f).map(|(_, r, _)| r);
        self.push(
            col,
            raw,
            ErrorKind::DuplicateCode {
                code: code.to_string(),
                first_row: Some(first_row),
            },
        );
    }
}

fn number_error(p: NumberProblem, field: &str, expected: NumberKind) -> ErrorKind {
    let field = field.to_string();
    match p {
        NumberProblem::NotNumber => ErrorKind::ExpectedNumber { field, expected },
        NumberProblem::PercentNotAllowed => ErrorKind::PercentNotAllowed { field },
    }
}
