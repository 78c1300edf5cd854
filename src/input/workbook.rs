//! Workbooks (xlsx, xlsb, xls, ods) from bytes through calamine.
//!
//! Cells become text once, here: numbers with the shortest text that reads back as the same
//! `f64` (so `0.1` stays `0.1`), dates as `YYYY-MM-DD`, booleans as `TRUE`/`FALSE`, Excel errors
//! as `#DIV/0!`. Merged cells (xlsx, xls) take the value of their top-left cell, as Excel shows
//! them. Calamine is trusted not to panic but guarded anyway: a panic inside it becomes an
//! "unreadable file" error where unwinding is available (native builds).

use std::cell::Cell;
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

use calamine::{Data, Dimensions, Ods, Range, Reader, SheetVisible, Xls, Xlsb, Xlsx};

use super::error::{ErrorKind, ImportFailure, InputError};
use super::header::column_letter;
use super::limits::MAX_PREAMBLE_ROWS;
use super::report::{FileFormat, ImportReport, ImportWarning, Reading};
use super::rows::{RowOptions, RowProcessor, Sink, Table};
use super::values::float_text;
use super::{bounds, bounds_ods};

type Bytes<'a> = Cursor<&'a [u8]>;

pub(crate) enum Book<'a> {
    /// With whether any sheet holds a formula (found by the inspection).
    Xlsx(Xlsx<Bytes<'a>>, bool),
    Xlsb(Xlsb<Bytes<'a>>),
    Xls(Xls<Bytes<'a>>),
    Ods(Ods<Bytes<'a>>),
}

thread_local! {
    /// Set while calamine runs under [`guarded`]: its panics are caught and reported as
    /// errors, so the panic hook stays silent (no panic text or backtrace before the message).
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Wraps the panic hook once: panics on a thread inside [`guarded`] print nothing; any other
/// panic goes to the hook that was there before (test failures keep their messages).
fn quiet_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

fn guarded<R>(f: impl FnOnce() -> Result<R, String>) -> Result<R, String> {
    quiet_hook();
    let was = QUIET.with(|q| q.replace(true));
    let r = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    match r {
        Ok(r) => r,
        Err(_) => Err("the spreadsheet reader failed on this file".to_string()),
    }
}

/// A workbook refused by its inspection: too large, or (.xls) a record calamine would read past.
fn refused(r: bounds::Refusal) -> ErrorKind {
    if r.damaged {
        return ErrorKind::UnreadableFile {
            detail: format!("{}: {} (needs {})", r.part, r.what, r.limit),
        };
    }
    ErrorKind::WorkbookTooLarge {
        part: r.part,
        what: r.what,
        limit: r.limit,
    }
}

/// Opens a workbook; an .xlsx, .xls or .ods is first inspected against the bounds of
/// [`bounds`], so that calamine never sees one that would exhaust memory (or, an .xls, make it
/// read past a record: a panic, which in the page aborts the worker).
pub(crate) fn open(bytes: &[u8], format: FileFormat) -> Result<Book<'_>, ErrorKind> {
    let mut formulas = false;
    match format {
        FileFormat::Xlsx => formulas = bounds::inspect_xlsx(bytes).map_err(refused)?.formulas,
        FileFormat::Xls => bounds::inspect_xls(bytes).map_err(refused)?,
        FileFormat::Ods => bounds_ods::inspect_ods(bytes).map_err(refused)?,
        FileFormat::Xlsb | FileFormat::Csv => {}
    }
    let unreadable = |detail| ErrorKind::UnreadableFile { detail };
    guarded(|| {
        let c = Cursor::new(bytes);
        match format {
            FileFormat::Xlsx => Xlsx::new(c).map(|b| Book::Xlsx(b, formulas)).map_err(|e| e.to_string()),
            FileFormat::Xlsb => Xlsb::new(c).map(Book::Xlsb).map_err(|e| e.to_string()),
            FileFormat::Xls => Xls::new(c).map(Book::Xls).map_err(|e| e.to_string()),
            FileFormat::Ods => Ods::new(c).map(Book::Ods).map_err(|e| e.to_string()),
            FileFormat::Csv => Err("not a workbook".to_string()),
        }
    })
    .map_err(unreadable)
}

impl Book<'_> {
    pub(crate) fn sheets(&self) -> Vec<(String, bool)> {
        let meta = match self {
            Book::Xlsx(b, _) => b.sheets_metadata().to_vec(),
            Book::Xlsb(b) => b.sheets_metadata().to_vec(),
            Book::Xls(b) => b.sheets_metadata().to_vec(),
            Book::Ods(b) => b.sheets_metadata().to_vec(),
        };
        meta.into_iter()
            .map(|s| (s.name, matches!(s.visible, SheetVisible::Visible)))
            .collect()
    }

    pub(crate) fn range(&mut self, name: &str) -> Result<Range<Data>, String> {
        guarded(|| match self {
            Book::Xlsx(b, _) => b.worksheet_range(name).map_err(|e| e.to_string()),
            Book::Xlsb(b) => b.worksheet_range(name).map_err(|e| e.to_string()),
            Book::Xls(b) => b.worksheet_range(name).map_err(|e| e.to_string()),
            Book::Ods(b) => b.worksheet_range(name).map_err(|e| e.to_string()),
        })
    }

    fn merges(&mut self, name: &str) -> Vec<Dimensions> {
        guarded(|| {
            Ok(match self {
                Book::Xlsx(b, _) => b.merge_cells_by_sheet_name(name).unwrap_or_default(),
                Book::Xls(b) => b.merge_cells_by_sheet_name(name).unwrap_or_default(),
                Book::Xlsb(_) | Book::Ods(_) => Vec::new(),
            })
        })
        .unwrap_or_default()
    }
}

impl Book<'_> {
    /// Cells of a sheet that hold a formula but no computed value (a writer that does not
    /// calculate saved them so; calamine reads them as empty). Xlsx only, and only when the
    /// inspection saw a formula. Absolute (row, column), from 0.
    fn uncomputed(&mut self, name: &str, values: &Range<Data>) -> Vec<(u32, u32)> {
        let Book::Xlsx(b, true) = self else {
            return Vec::new();
        };
        let Ok(formulas) = guarded(|| b.worksheet_formula(name).map_err(|e| e.to_string())) else {
            return Vec::new();
        };
        let Some((r0, c0)) = formulas.start() else {
            return Vec::new();
        };
        formulas
            .used_cells()
            .filter(|(_, _, f)| !f.trim().is_empty())
            .map(|(r, c, _)| (r0 + r as u32, c0 + c as u32))
            .filter(|pos| values.get_value(*pos).is_none_or(|d| matches!(d, Data::Empty)))
            .collect()
    }
}

/// Formula cells without a value in the columns read: in a required or money column an error
/// naming the cells (the figure would silently become 0 or a default), elsewhere a warning.
fn check_uncomputed<T: Table>(
    cells: &[(u32, u32)],
    report: &mut ImportReport,
    error_at: impl Fn(ErrorKind) -> InputError,
) -> Result<(), ImportFailure> {
    let header = report.header_row.unwrap_or(0);
    let spec = T::KIND.spec();
    let mut errors = Vec::new();
    for column in &report.columns {
        let hits: Vec<String> = cells
            .iter()
            .filter(|(r, c)| u64::from(*r) + 1 > header && column_letter(*c as usize) == column.letter)
            .map(|(r, c)| format!("{}{}", column_letter(*c as usize), r + 1))
            .collect();
        if hits.is_empty() {
            continue;
        }
        let count = hits.len() as u64;
        let first: Vec<String> = hits.into_iter().take(5).collect();
        let index = spec.fields.iter().position(|f| f.key == column.field);
        let required = index.is_some_and(|i| spec.required.iter().any(|any| any.contains(&i)));
        let money = index.is_none_or(|i| spec.fields[i].kind.is_money());
        let field = column.field.clone();
        if required || money {
            errors.push(error_at(ErrorKind::FormulaWithoutValue {
                field,
                cells: first,
                count,
            }));
        } else {
            report.warnings.push(ImportWarning::FormulaWithoutValue {
                field,
                cells: first,
                count,
            });
        }
    }
    if errors.is_empty() {
        return Ok(());
    }
    Err(ImportFailure {
        total: errors.len(),
        errors,
    })
}

/// A cell as the text the user would type to get it.
pub(crate) fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(true) => "TRUE".to_string(),
        Data::Bool(false) => "FALSE".to_string(),
        Data::DateTime(dt) => {
            if dt.is_datetime() {
                let (y, m, d, h, mi, s, _) = dt.to_ymd_hms_milli();
                if (h, mi, s) == (0, 0, 0) {
                    format!("{y:04}-{m:02}-{d:02}")
                } else {
                    format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}")
                }
            } else {
                float_text(dt.as_f64())
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

/// Fills merged regions with their top-left value, row by row.
struct MergeFill {
    regions: Vec<(Dimensions, String)>,
    next: usize,
    active: Vec<(Dimensions, String)>,
}

impl MergeFill {
    fn new(mut merges: Vec<Dimensions>, range: &Range<Data>) -> Self {
        merges.retain(|d| d.start.0 <= d.end.0 && d.start.1 <= d.end.1 && d.start != d.end);
        merges.sort_by_key(|d| d.start);
        let regions = merges
            .into_iter()
            .map(|d| {
                let v = range.get_value(d.start).map(cell_text).unwrap_or_default();
                (d, v)
            })
            .collect();
        MergeFill {
            regions,
            next: 0,
            active: Vec::new(),
        }
    }

    fn apply(&mut self, row: u32, cells: &mut [String]) {
        while let Some(r) = self.regions.get(self.next) {
            if r.0.start.0 > row {
                break;
            }
            self.active.push(r.clone());
            self.next += 1;
        }
        self.active.retain(|(d, _)| d.end.0 >= row);
        for (d, value) in &self.active {
            if value.is_empty() {
                continue;
            }
            let first = d.start.1 as usize;
            let last = (d.end.1 as usize).min(cells.len().saturating_sub(1));
            for c in first..=last {
                if (row, c as u32) == d.start {
                    continue;
                }
                if let Some(cell) = cells.get_mut(c) {
                    if cell.is_empty() {
                        cell.clone_from(value);
                    }
                }
            }
        }
    }
}

/// Feeds a sheet's rows to a processor (`limit`: stop after this many rows).
fn feed<T: Table>(
    range: &Range<Data>,
    merges: Vec<Dimensions>,
    rows: &mut RowProcessor<T>,
    limit: Option<usize>,
    sink: &mut Sink<'_, T>,
) {
    let Some((r0, c0)) = range.start() else {
        return;
    };
    let mut fill = MergeFill::new(merges, range);
    for (i, row) in range.rows().enumerate() {
        if limit.is_some_and(|l| i >= l) || rows.failed() {
            break;
        }
        let abs = r0 as u64 + i as u64;
        let mut cells: Vec<String> = Vec::with_capacity(c0 as usize + row.len());
        cells.resize(c0 as usize, String::new());
        cells.extend(row.iter().map(cell_text));
        fill.apply(abs as u32, &mut cells);
        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
        rows.push_row(abs + 1, &cells, false, sink);
    }
}

/// The report and the table's collected state.
pub(crate) type WorkbookResult<T> = Result<(ImportReport, <T as Table>::State), ImportFailure>;

/// Reads one table from a workbook: the requested sheet, or the first whose header matches.
/// Records go to `sink`.
pub(crate) fn read_workbook<T: Table>(
    name: &str,
    bytes: &[u8],
    format: FileFormat,
    sheet: Option<&str>,
    opts: &RowOptions,
    sink: &mut Sink<'_, T>,
) -> WorkbookResult<T> {
    let fail = |kind| ImportFailure::single(InputError::file(name, Some(T::KIND), kind));
    let mut book = open(bytes, format).map_err(fail)?;
    let sheets = book.sheets();
    let names: Vec<String> = sheets.iter().map(|(n, _)| n.clone()).collect();
    let mut report = ImportReport::new(name, T::KIND, format);
    report.sheets = names.clone();

    let chosen: String = match sheet {
        Some(wanted) => {
            let w = wanted.trim();
            let found = names
                .iter()
                .find(|n| n.as_str() == w)
                .or_else(|| names.iter().find(|n| n.trim().eq_ignore_ascii_case(w)))
                .or_else(|| {
                    w.parse::<usize>()
                        .ok()
                        .and_then(|i| i.checked_sub(1))
                        .and_then(|i| names.get(i))
                });
            match found {
                Some(n) => n.clone(),
                None => {
                    return Err(fail(ErrorKind::SheetNotFound {
                        sheet: wanted.to_string(),
                        available: names,
                    }))
                }
            }
        }
        None => {
            let (pick, reading) = best_sheet::<T>(&mut book, &sheets, name, opts, &report);
            report.readings.extend(reading);
            match pick {
                Some(n) => n,
                None => {
                    return Err(fail(ErrorKind::UnreadableFile {
                        detail: "the workbook has no sheets".to_string(),
                    }))
                }
            }
        }
    };

    let range = book.range(&chosen).map_err(|detail| {
        let mut e = InputError::file(name, Some(T::KIND), ErrorKind::UnreadableFile { detail });
        e.sheet = Some(chosen.clone());
        ImportFailure::single(e)
    })?;
    let merges = book.merges(&chosen);
    let uncomputed = book.uncomputed(&chosen, &range);
    report.sheet = Some(chosen.clone());
    if sheets.iter().any(|(n, visible)| *n == chosen && !visible) && sheet.is_none() {
        report
            .warnings
            .push(ImportWarning::HiddenSheet { sheet: chosen.clone() });
    }
    let mut rows: RowProcessor<T> = RowProcessor::new(name, Some(chosen.clone()), opts.clone(), None, report);
    feed(&range, merges, &mut rows, None, sink);
    let (mut report, state) = rows.finish()?;
    check_uncomputed::<T>(&uncomputed, &mut report, |kind| {
        let mut e = InputError::file(name, Some(T::KIND), kind);
        e.sheet = Some(chosen.clone());
        e
    })?;
    Ok((report, state))
}

/// No sheet named: the sheet whose header names the most fields of the table (ties: visible
/// sheets first, then the workbook's order), else the first visible sheet. With several sheets
/// to choose from, the reading says which and how the others matched.
fn best_sheet<T: Table>(
    book: &mut Book<'_>,
    sheets: &[(String, bool)],
    name: &str,
    opts: &RowOptions,
    report: &ImportReport,
) -> (Option<String>, Option<Reading>) {
    let order: Vec<&String> = sheets
        .iter()
        .filter(|(_, v)| *v)
        .chain(sheets.iter().filter(|(_, v)| !*v))
        .map(|(n, _)| n)
        .collect();
    let mut scores: Vec<(String, usize)> = Vec::with_capacity(order.len());
    for n in &order {
        let matched = match book.range(n) {
            Ok(range) => {
                let merges = book.merges(n);
                let mut probe: RowProcessor<T> =
                    RowProcessor::new(name, Some(n.to_string()), opts.clone(), None, report.clone());
                feed(&range, merges, &mut probe, Some(MAX_PREAMBLE_ROWS + 2), &mut |_| {});
                probe.header_matched().unwrap_or(0)
            }
            Err(_) => 0,
        };
        scores.push((n.to_string(), matched));
    }
    // The first of the best: a later sheet must match more to win.
    let mut best: Option<usize> = None;
    for (i, (_, m)) in scores.iter().enumerate() {
        if *m > 0 && best.is_none_or(|b| scores.get(b).is_some_and(|(_, bm)| m > bm)) {
            best = Some(i);
        }
    }
    let Some(b) = best else {
        return (order.first().map(|n| n.to_string()), None);
    };
    let (sheet, matched) = scores.get(b).cloned().unwrap_or_default();
    let reading = (scores.len() > 1).then(|| Reading::SheetChosen {
        sheet: sheet.clone(),
        matched,
        others: scores
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != b)
            .map(|(_, s)| s.clone())
            .collect(),
    });
    (Some(sheet), reading)
}
