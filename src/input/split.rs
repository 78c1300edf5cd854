//! A case file read as two halves at once (the command line has a core for each): where to cut
//! it, a stream for the second half that starts from what the first found (encoding,
//! delimiter, header), and the two halves merged into exactly what one [`CaseStream`] over
//! the whole file gives — or nothing, when that cannot be told for sure (then the caller reads
//! the file whole). Nothing here spawns threads or touches files either.
//!
//! ```
//! use dipcalc::input::{line_after, merge_halves, CaseBlocks, CaseStream, ReadOptions};
//! use dipcalc::records::cases::CaseTable;
//!
//! let mut csv = String::from("机构编码,险种,病种编码,医疗总费用,个人负担,结算日期\n");
//! for i in 0..5000 {
//!     csv.push_str(if i == 1500 { "合计,,,6000,1300,\n" } else { "H1,居民,G2,5200,1200,20240315\n" });
//! }
//! let bytes = csv.as_bytes();
//! let cut = bytes.len() / 2 + line_after(&bytes[bytes.len() / 2..]).unwrap();
//! let mut first = CaseStream::new("cases.csv", &ReadOptions::default());
//! let mut table = CaseTable::new();
//! first.push(&bytes[..cut], &mut table);
//! let mut second = first.continuation().unwrap(); // once the header and 64 KiB are read
//! let mut more = CaseBlocks::new();
//! second.push(&bytes[cut..], &mut more);
//! let halves = (first.finish_half(&mut table), second.finish_half(&mut more));
//! let (table, report) = merge_halves((table, halves.0), (more, halves.1)).unwrap();
//! assert_eq!((table.len(), report.rows_read), (4999, 5000));
//! assert_eq!(report.skipped_rows[0].row, 1502); // the header is row 1
//! ```

use super::error::{ErrorKind, ImportFailure};
use super::limits::MAX_LISTED_ROWS;
use super::report::{ImportReport, ImportWarning};
use super::tables::CaseRead;
use super::{CaseSink, CaseStream, Mode};
use crate::records::cases::{CaseRow, CaseTable};

/// Where the first line that starts in `window` starts: just after its first line feed.
pub fn line_after(window: &[u8]) -> Option<usize> {
    window.iter().position(|&b| b == b'\n').map(|i| i + 1)
}

/// Where the second half's cases go: a [`CaseTable`] whose rows are moved out in blocks of
/// [`CaseBlocks::BLOCK`] rows as they fill, so that [`merge_halves`] frees each block once
/// it is copied and the second half is never held twice: the peak is the whole table and one
/// block. A block is 40 MiB, above the largest size glibc's allocator serves from its heaps
/// (32 MiB), so freeing it gives its memory back to the system at once.
#[derive(Debug, Default)]
pub struct CaseBlocks {
    table: CaseTable,
    full: Vec<Vec<CaseRow>>,
}

impl CaseBlocks {
    /// Rows in a block (40 MiB of them).
    pub const BLOCK: usize = (40 << 20) / std::mem::size_of::<CaseRow>();

    /// No cases yet.
    pub fn new() -> Self {
        Self::default()
    }
}

impl CaseSink for CaseBlocks {
    fn case(&mut self, case: CaseRead<'_>) {
        CaseSink::case(&mut self.table, case);
        if self.table.rows.len() >= Self::BLOCK {
            let full = std::mem::replace(&mut self.table.rows, Vec::with_capacity(Self::BLOCK));
            self.full.push(full);
        }
    }
}

/// One half of a case file read to its end.
pub struct Half {
    result: Result<ImportReport, ImportFailure>,
    /// The rows of text it held.
    rows: u64,
    /// Whether it ended between two rows (see [`CaseStream::finish_half`]).
    between_rows: bool,
}

impl CaseStream {
    /// A stream for the rest of the file after a line feed, to be fed from the byte after it,
    /// once this stream has read the header: the same encoding, delimiter, columns and
    /// options; rows numbered from the cut (see [`merge_halves`]). `None` before that (feed
    /// more), or when the file cannot be cut at a line feed: a workbook, UTF-16 text.
    pub fn continuation(&self) -> Option<CaseStream> {
        let Mode::Text(text) = &self.mode else {
            return None;
        };
        Some(CaseStream {
            name: self.name.clone(),
            opts: self.opts.clone(),
            mode: Mode::Text(Box::new(text.continuation()?)),
        })
    }

    /// [`CaseStream::finish`], keeping what [`merge_halves`] needs to know: how many rows of
    /// text were read and whether the last byte fed ended a row with nothing left open (no
    /// quoted field spanning the cut, no header still being looked for).
    pub fn finish_half(self, sink: &mut impl CaseSink) -> Half {
        let (rows, between_rows) = match &self.mode {
            Mode::Text(text) => (text.rows_seen(), text.between_rows()),
            _ => (0, false),
        };
        Half {
            result: self.finish(sink),
            rows,
            between_rows,
        }
    }
}

/// The two halves of a case file, cut at a line feed, as one: the second half's codes interned
/// into the first's table and its rows appended, its report's counts added and its listed rows
/// numbered on from the first half's rows. What one stream over the whole file gives, or `None`
/// when that is not certain: the first half did not end between rows, either half failed
/// (its errors would be listed with the other's), or the second half's report holds anything
/// but data rows read, skipped or left out. Read the file whole then.
pub fn merge_halves(first: (CaseTable, Half), second: (CaseBlocks, Half)) -> Option<(CaseTable, ImportReport)> {
    let ((mut table, a), (rest, b)) = (first, second);
    if !a.between_rows {
        return None;
    }
    let (mut report, more) = (a.result.ok()?, b.result.ok()?);
    merge_reports(&mut report, more, a.rows)?;
    let CaseBlocks { table: last, mut full } = rest;
    full.push(last.rows);
    table.append_blocks(&last.institutions, &last.groups, full, a.rows);
    Some((table, report))
}

/// Adds the second half's report (rows numbered from 1 after the cut) to the first's.
fn merge_reports(report: &mut ImportReport, more: ImportReport, offset: u64) -> Option<()> {
    if !more.readings.is_empty() || more.unit.is_some() || more.header_row.is_some() {
        return None;
    }
    let mut warnings = Vec::new();
    for w in more.warnings {
        let ImportWarning::SkippedCaseData { row, text } = w else {
            return None;
        };
        warnings.push(ImportWarning::SkippedCaseData {
            row: row + offset,
            text,
        });
    }
    let mut bad_rows = Vec::new();
    for mut bad in more.bad_rows {
        bad.row += offset;
        for e in &mut bad.errors {
            if matches!(e.kind, ErrorKind::DuplicateCode { .. }) {
                return None;
            }
            e.row = e.row.map(|r| r + offset);
        }
        bad_rows.push(bad);
    }
    report.rows_read += more.rows_read;
    report.records += more.records;
    report.skipped_rows_total += more.skipped_rows_total;
    report.bad_rows_total += more.bad_rows_total;
    report.out_of_year_total += more.out_of_year_total;
    extend_listed(&mut report.warnings, warnings);
    extend_listed(&mut report.bad_rows, bad_rows);
    let skipped = more.skipped_rows.into_iter().map(|mut s| {
        s.row += offset;
        s
    });
    extend_listed(&mut report.skipped_rows, skipped);
    extend_listed(
        &mut report.out_of_year_rows,
        more.out_of_year_rows.into_iter().map(|r| r + offset),
    );
    report.years.extend(more.years);
    report.years.sort_unstable();
    report.years.dedup();
    Some(())
}

/// A report's list of rows goes on to [`MAX_LISTED_ROWS`], as the rows were met.
fn extend_listed<T>(list: &mut Vec<T>, more: impl IntoIterator<Item = T>) {
    let room = MAX_LISTED_ROWS.saturating_sub(list.len());
    list.extend(more.into_iter().take(room));
}
