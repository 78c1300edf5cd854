//! Bounds a workbook must keep before calamine reads it.
//!
//! Calamine 0.38 has no limits of its own for .xlsx: it reserves as many shared strings as
//! the file declares, holds each string and each cell's text whole, and lays a sheet's cells
//! out densely from its first to its last cell. A few kilobytes can therefore ask for tens of
//! gigabytes, and a failed allocation aborts the process (in the page: the worker) instead of
//! returning an error. So the zip parts calamine reads are inspected first, streamed in small
//! chunks (nothing is held whole): their real unpacked sizes, the declared string count, the
//! cells' extent and count, and the size of each string and cell. A file over a bound is
//! refused with [`Refusal`], naming the part and the figure.
//!
//! The bounds are far above any settlement file (a million cases is ~10 million cells) and far
//! below what would exhaust the page's memory (a wasm32 module can address 4 GB).

use std::io::{Cursor, Read};

use zip::ZipArchive;

use super::limits::{MAX_ITEM_BYTES, MAX_PART_BYTES, MAX_SHEET_CELLS};

/// Why a workbook is refused: the part, what exceeds the bound, and the bound (English); or,
/// `damaged`, a record the reader would read past the end of (`limit` then says what it needs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub part: String,
    pub what: String,
    pub limit: String,
    pub damaged: bool,
}

pub(crate) fn refuse(part: &str, what: String, limit: String) -> Refusal {
    Refusal {
        part: part.to_string(),
        what,
        limit,
        damaged: false,
    }
}

/// A damaged .xls record: calamine 0.38 would slice past its end (a panic: in the page, an
/// abort of the worker).
fn damaged(part: &str, what: String, needs: String) -> Refusal {
    Refusal {
        damaged: true,
        ..refuse(part, what, needs)
    }
}

/// The bytes calamine reads from a record of the workbook globals without checking its
/// length (MS-XLS: BOF, FilePass, CodePage, DateMode, BoundSheet8 with its name's length and
/// flags, Lbl, ExternSheet).
fn globals_min_len(typ: u32) -> usize {
    match typ {
        0x0809 | 0x002F | 0x0042 | 0x0022 | 0x0017 => 2,
        0x0085 => 8,
        0x0018 => 14,
        _ => 0,
    }
}

/// Checks a record as calamine will read it: its length, a sheet's position in the stream,
/// a merged-cells list's count.
fn check_record(typ: u32, d: &[u8], globals: bool, stream_len: usize) -> Result<(), Refusal> {
    let part = "Workbook stream";
    let need = if globals {
        globals_min_len(typ)
    } else if typ == 0x00E5 {
        // MergeCells: a count, then 8 bytes per range.
        2 + 8 * u16_at(d, 0).unwrap_or(0) as usize
    } else {
        0
    };
    if d.len() < need {
        let what = format!("a record of type 0x{typ:04X} of {} bytes", d.len());
        return Err(damaged(part, what, format!("at least {need} bytes")));
    }
    if globals && typ == 0x0085 {
        let pos = u32_at(d, 0).unwrap_or(0) as usize;
        if pos >= stream_len {
            let what = format!("a sheet said to start at byte {pos}");
            return Err(damaged(
                part,
                what,
                format!("a position within the stream's {stream_len} bytes"),
            ));
        }
    }
    Ok(())
}

/// What the inspection learned that the reader uses later.
#[derive(Debug, Default)]
pub(crate) struct XlsxFacts {
    /// Some sheet holds a formula (`<f>`): cells without a cached value are looked for.
    pub formulas: bool,
}

/// Inspects an .xlsx's XML parts. An archive the zip reader cannot open is left to calamine
/// (it reports it in its own words).
pub(crate) fn inspect_xlsx(bytes: &[u8]) -> Result<XlsxFacts, Refusal> {
    let mut facts = XlsxFacts::default();
    let Ok(mut zip) = ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(facts);
    };
    for i in 0..zip.len() {
        let Ok(file) = zip.by_index(i) else { continue };
        let Ok(name) = file.name().map(|n| n.to_string()) else {
            continue;
        };
        let lower = name.to_ascii_lowercase();
        if !(lower.ends_with(".xml") || lower.ends_with(".rels")) {
            continue;
        }
        let declared = file.size();
        let mut scan = if lower.ends_with("sharedstrings.xml") {
            Scan::strings(declared)
        } else if lower.contains("worksheets/") {
            Scan::sheet()
        } else {
            Scan::other()
        };
        scan.run(file, &name)?;
        facts.formulas |= scan.formulas;
    }
    Ok(facts)
}

#[derive(PartialEq)]
enum PartKind {
    Sheet,
    Strings,
    Other,
}

/// A streaming scan of one part.
struct Scan {
    kind: PartKind,
    /// Strings: the declared size (a count above what fits in it is a lie).
    declared: u64,
    /// Bytes seen so far.
    seen: u64,
    /// Where the current item (string, cell) started.
    item_start: Option<u64>,
    rows: (u32, u32),
    cols: (u32, u32),
    cells: u64,
    /// [`MAX_SHEET_CELLS`] (a test lowers it).
    max_cells: u64,
    formulas: bool,
    count_checked: bool,
}

/// Bytes kept from one chunk to the next, so a pattern split by a chunk edge is still seen.
const CARRY: usize = 64;

impl Scan {
    fn new(kind: PartKind, declared: u64) -> Self {
        Scan {
            kind,
            declared,
            seen: 0,
            item_start: None,
            rows: (u32::MAX, 0),
            cols: (u32::MAX, 0),
            cells: 0,
            max_cells: MAX_SHEET_CELLS,
            formulas: false,
            count_checked: false,
        }
    }

    fn sheet() -> Self {
        Self::new(PartKind::Sheet, 0)
    }

    fn strings(declared: u64) -> Self {
        Self::new(PartKind::Strings, declared)
    }

    fn other() -> Self {
        Self::new(PartKind::Other, 0)
    }

    fn run(&mut self, mut file: impl Read, part: &str) -> Result<(), Refusal> {
        let mut buf = vec![0u8; 1 << 16];
        let mut window: Vec<u8> = Vec::with_capacity(buf.len() + CARRY);
        // The offset in the part of window[0].
        let mut base = 0u64;
        loop {
            let n = match file.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            self.seen += n as u64;
            if self.seen > MAX_PART_BYTES {
                let what = format!("more than {} MB unpacked", MAX_PART_BYTES >> 20);
                return Err(refuse(part, what, format!("{} MB", MAX_PART_BYTES >> 20)));
            }
            window.extend_from_slice(&buf[..n]);
            let keep = window.len().saturating_sub(CARRY);
            self.look(&window, base, keep, part)?;
            window.drain(..keep);
            base += keep as u64;
        }
        let end = window.len();
        self.look(&window, base, end, part)?;
        self.item_end(self.seen, part)?;
        self.check_extent(part)
    }

    /// Patterns starting before `upto` in `w` (whose first byte is at `base` in the part).
    fn look(&mut self, w: &[u8], base: u64, upto: usize, part: &str) -> Result<(), Refusal> {
        if self.kind == PartKind::Other {
            return Ok(());
        }
        let mut i = 0;
        while i < upto {
            let Some(off) = w[i..upto].iter().position(|b| *b == b'<' || *b == b' ') else {
                break;
            };
            i += off;
            let rest = &w[i..];
            match self.kind {
                PartKind::Sheet => self.sheet_pattern(rest, base + i as u64, part)?,
                PartKind::Strings => self.strings_pattern(rest, base + i as u64, part)?,
                PartKind::Other => {}
            }
            i += 1;
        }
        Ok(())
    }

    /// A new item starts at `at`: the previous one must have been small enough.
    fn item_end(&mut self, at: u64, part: &str) -> Result<(), Refusal> {
        if let Some(start) = self.item_start {
            if at - start > MAX_ITEM_BYTES {
                let what = match self.kind {
                    PartKind::Strings => format!("a string of {} KB", (at - start) >> 10),
                    _ => format!("a cell of {} KB", (at - start) >> 10),
                };
                return Err(refuse(part, what, format!("{} KB", MAX_ITEM_BYTES >> 10)));
            }
        }
        Ok(())
    }

    fn sheet_pattern(&mut self, rest: &[u8], at: u64, part: &str) -> Result<(), Refusal> {
        if let Some(r) = rest.strip_prefix(b" r=\"") {
            let (col, row) = cell_ref(r);
            if let Some(row) = row {
                self.rows = (self.rows.0.min(row), self.rows.1.max(row));
            }
            if let (Some(col), Some(_)) = (col, row) {
                self.item_end(at, part)?;
                self.item_start = Some(at);
                self.cells += 1;
                self.cols = (self.cols.0.min(col), self.cols.1.max(col));
                if self.cells > self.max_cells {
                    let max = self.max_cells;
                    return Err(refuse(part, format!("more than {max} cells"), format!("{max} cells")));
                }
            }
        } else if rest.first() == Some(&b'<') && is_tag(rest, b"f") {
            self.formulas = true;
        } else if rest.starts_with(b"</sheetData") || is_tag(rest, b"/sheetData") {
            self.item_end(at, part)?;
            self.item_start = None;
        }
        Ok(())
    }

    fn strings_pattern(&mut self, rest: &[u8], at: u64, part: &str) -> Result<(), Refusal> {
        if !self.count_checked {
            if let Some(v) = rest.strip_prefix(b" uniqueCount=\"") {
                self.count_checked = true;
                let n = leading_number(v);
                // The shortest string, <si><t/></si>, takes 13 bytes.
                let fits = self.declared / 13 + 1;
                let limit = fits.min(MAX_SHEET_CELLS);
                if n > limit {
                    let what = format!("{n} strings declared (uniqueCount)");
                    return Err(refuse(part, what, format!("{limit} strings")));
                }
            }
        }
        if rest.first() == Some(&b'<') && is_tag(rest, b"si") {
            self.item_end(at, part)?;
            self.item_start = Some(at);
        }
        Ok(())
    }

    fn check_extent(&self, part: &str) -> Result<(), Refusal> {
        // Rows come from cells and from <row r="…"> (cells without a reference take their row's).
        if self.kind != PartKind::Sheet || self.rows.0 == u32::MAX {
            return Ok(());
        }
        let rows = u64::from(self.rows.1.saturating_sub(self.rows.0)) + 1;
        let cols = u64::from(self.cols.1.saturating_sub(self.cols.0)) + 1;
        let (cols, first_col, last_col) = match self.cells {
            0 => (1, 0, 0),
            _ => (cols, self.cols.0, self.cols.1),
        };
        if rows.saturating_mul(cols) > MAX_SHEET_CELLS {
            let what = format!(
                "cells spanning {rows} rows × {cols} columns ({}{}:{}{})",
                super::header::column_letter(first_col as usize),
                self.rows.0,
                super::header::column_letter(last_col as usize),
                self.rows.1
            );
            return Err(refuse(part, what, format!("{MAX_SHEET_CELLS} cells")));
        }
        Ok(())
    }
}

/// `<name` or `<prefix:name` followed by `>`, a blank or `/`.
fn is_tag(rest: &[u8], name: &[u8]) -> bool {
    let Some(tag) = rest.strip_prefix(b"<") else {
        return false;
    };
    let local = match tag.iter().take(16).position(|b| *b == b':') {
        Some(p) if tag[..p].iter().all(u8::is_ascii_alphanumeric) => &tag[p + 1..],
        _ => tag,
    };
    local
        .strip_prefix(name)
        .and_then(|r| r.first())
        .is_some_and(|b| matches!(b, b'>' | b' ' | b'/' | b'\t' | b'\r' | b'\n'))
}

/// `B12"` → (column index from 0, row from 1); `12"` → (None, row). Read as calamine reads
/// it (letters of either case, any number of them and of digits), but saturating where calamine
/// would overflow: an out-of-range reference then counts as a huge extent and is refused.
fn cell_ref(r: &[u8]) -> (Option<u32>, Option<u32>) {
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let col = r[..letters].iter().fold(0u32, |n, b| {
        n.saturating_mul(26)
            .saturating_add(u32::from(b.to_ascii_uppercase() - b'A') + 1)
    });
    let digits = &r[letters..];
    let n = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    let row = digits[..n]
        .iter()
        .fold(0u32, |v, b| v.saturating_mul(10).saturating_add(u32::from(b - b'0')));
    ((letters > 0).then(|| col - 1), (n > 0).then_some(row))
}

/// The digits at the start (at most 19), as a number.
fn leading_number(v: &[u8]) -> u64 {
    v.iter()
        .take_while(|b| b.is_ascii_digit())
        .take(19)
        .fold(0u64, |n, b| n * 10 + u64::from(b - b'0'))
}

/// Inspects an .xls: its Workbook stream is found in the compound file and its BIFF records
/// walked, so that a sheet's declared dimensions and its cells' extent and number stay within
/// the same bounds as an .xlsx's (calamine reserves the declared rows × columns, and lays the
/// cells out densely). A compound file this reader cannot follow is left to calamine.
pub(crate) fn inspect_xls(bytes: &[u8]) -> Result<(), Refusal> {
    match cfb_stream(bytes, &["Workbook", "Book"]) {
        Some(stream) => walk_biff(&stream),
        None => Ok(()),
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?)))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// A sector chain's sector numbers, stopping at its end, a loop or a bad link.
fn chain(fat: &[u32], first: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let mut seen = vec![false; fat.len()];
    let mut s = first as usize;
    while s < fat.len() && !seen[s] {
        seen[s] = true;
        out.push(s as u32);
        s = fat[s] as usize;
    }
    out
}

/// The bytes of a named stream of a compound file (MS-CFB), or `None` when the structure
/// cannot be followed. Small streams live in the mini stream.
fn cfb_stream(b: &[u8], names: &[&str]) -> Option<Vec<u8>> {
    let shift = u16_at(b, 0x1E)?;
    if !(7..=16).contains(&shift) {
        return None;
    }
    let size = 1usize << shift;
    let sector = |n: u32| b.get((n as usize + 1) * size..(n as usize + 2) * size);
    // The FAT: the sectors the header's DIFAT lists (the first 109), then the DIFAT chain.
    let mut fat_sectors: Vec<u32> = (0..109)
        .filter_map(|i| u32_at(b, 0x4C + 4 * i))
        .filter(|s| *s < 0xFFFF_FFFA)
        .collect();
    let mut difat = u32_at(b, 0x44)?;
    let mut hops = 0;
    while difat < 0xFFFF_FFFA && hops < b.len() / size {
        let d = sector(difat)?;
        let per = size / 4 - 1;
        fat_sectors.extend((0..per).filter_map(|i| u32_at(d, 4 * i)).filter(|s| *s < 0xFFFF_FFFA));
        difat = u32_at(d, 4 * per)?;
        hops += 1;
    }
    let fat: Vec<u32> = fat_sectors
        .iter()
        .filter_map(|s| sector(*s))
        .flat_map(|d| d.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])))
        .collect();
    let read = |first: u32, len: usize| -> Vec<u8> {
        let mut out: Vec<u8> = chain(&fat, first)
            .iter()
            .filter_map(|s| sector(*s))
            .flatten()
            .copied()
            .collect();
        out.truncate(len);
        out
    };
    let dir = read(u32_at(b, 0x30)?, usize::MAX);
    let entries: Vec<&[u8]> = dir.chunks_exact(128).collect();
    let name_of = |e: &[u8]| {
        let n = (u16_at(e, 64).unwrap_or(0) as usize).min(64).saturating_sub(2);
        let units: Vec<u16> = e[..n]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    };
    let entry = entries
        .iter()
        .find(|e| e[66] == 2 && names.contains(&name_of(e).as_str()))?;
    let (start, len) = (u32_at(entry, 116)?, u32_at(entry, 120)? as usize);
    if len >= u32_at(b, 0x38)? as usize {
        return Some(read(start, len));
    }
    // The mini stream: the root entry's stream, cut in 64-byte sectors chained by the mini FAT.
    let root = entries.first()?;
    let mini = read(u32_at(root, 116)?, u32_at(root, 120)? as usize);
    let minifat: Vec<u32> = read(u32_at(b, 0x3C)?, usize::MAX)
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let mut out: Vec<u8> = chain(&minifat, start)
        .iter()
        .filter_map(|s| mini.get(*s as usize * 64..*s as usize * 64 + 64))
        .flatten()
        .copied()
        .collect();
    out.truncate(len);
    Some(out)
}

/// One sheet's cells as the BIFF records place them.
#[derive(Default)]
struct Extent {
    rows: Option<(u32, u32)>,
    cols: Option<(u32, u32)>,
    cells: u64,
}

impl Extent {
    fn add(&mut self, row: u32, first_col: u32, last_col: u32) {
        let widen = |r: &mut Option<(u32, u32)>, lo: u32, hi: u32| {
            *r = Some(r.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
        };
        widen(&mut self.rows, row, row);
        widen(&mut self.cols, first_col, last_col);
        self.cells += u64::from(last_col.saturating_sub(first_col)) + 1;
    }

    fn check(&self, sheet: usize) -> Result<(), Refusal> {
        let part = format!("Workbook stream, sheet {sheet}");
        if self.cells > MAX_SHEET_CELLS {
            let what = format!("more than {MAX_SHEET_CELLS} cells");
            return Err(refuse(&part, what, format!("{MAX_SHEET_CELLS} cells")));
        }
        if let (Some(r), Some(c)) = (self.rows, self.cols) {
            area(
                &part,
                "cells spanning",
                u64::from(r.1 - r.0) + 1,
                u64::from(c.1 - c.0) + 1,
            )?;
        }
        Ok(())
    }
}

fn area(part: &str, what: &str, rows: u64, cols: u64) -> Result<(), Refusal> {
    if rows.saturating_mul(cols) > MAX_SHEET_CELLS {
        let what = format!("{what} {rows} rows × {cols} columns");
        return Err(refuse(part, what, format!("{MAX_SHEET_CELLS} cells")));
    }
    Ok(())
}

/// A DIMENSIONS record (MS-XLS 2.4.90) as calamine reads it: rows [first, last), columns
/// [first, last). A last row before the first is refused (calamine subtracts them).
fn dimensions(d: &[u8], sheet: usize) -> Result<(), Refusal> {
    let (rf, rl, cf, cl) = match d.len() {
        10 => (u16_at(d, 0), u16_at(d, 2), u16_at(d, 4), u16_at(d, 6)),
        14 | 16 => (u32_at(d, 0), u32_at(d, 4), u16_at(d, 8), u16_at(d, 10)),
        _ => return Ok(()),
    };
    let (Some(rf), Some(rl), Some(cf), Some(cl)) = (rf, rl, cf, cl) else {
        return Ok(());
    };
    if rl == 0 || cl == 0 {
        return Ok(());
    }
    let part = format!("Workbook stream, sheet {sheet}");
    let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
    if rl - 1 < rf {
        let what = format!("dimensions with rows {rf} to {}", rl - 1);
        return Err(refuse(&part, what, "a last row not before the first".into()));
    }
    area(&part, "dimensions of", u64::from(rl - rf), u64::from(cl - cf))
}

fn walk_biff(s: &[u8]) -> Result<(), Refusal> {
    let mut at = 0;
    // The globals substream is 0, the first sheet 1.
    let mut sheet = 0;
    let mut globals = true;
    let mut extent = Extent::default();
    // Calamine reads the workbook globals up to the first EOF record.
    let mut in_globals = true;
    while let (Some(typ), Some(len)) = (u16_at(s, at), u16_at(s, at + 2)) {
        let Some(d) = s.get(at + 4..at + 4 + len as usize) else {
            break;
        };
        at += 4 + len as usize;
        check_record(typ, d, in_globals, s.len())?;
        in_globals &= typ != 0x000A;
        let cell = |d: &[u8]| Some((u16_at(d, 0)?, u16_at(d, 2)?));
        match typ {
            0x0809 => {
                extent.check(sheet)?;
                extent = Extent::default();
                sheet += usize::from(!globals);
                globals = false;
            }
            0x0200 => dimensions(d, sheet)?,
            0x0006 | 0x00FD | 0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x0201 => {
                if let Some((r, c)) = cell(d) {
                    extent.add(r, c, c);
                }
            }
            // MULRK, MULBLANK: row, first column, …, last column.
            0x00BD | 0x00BE => {
                if let (Some((r, c)), Some(last)) = (cell(d), u16_at(d, d.len().saturating_sub(2))) {
                    extent.add(r, c, last.max(c));
                }
            }
            _ => {}
        }
    }
    extent.check(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(cell_ref(b"A1\""), (Some(0), Some(1)));
        assert_eq!(cell_ref(b"XFD1048576\""), (Some(16383), Some(1_048_576)));
        assert_eq!(cell_ref(b"12\""), (None, Some(12)));
        // What the fuzzer found: calamine reads row 4294967295 (and wraps longer ones).
        assert_eq!(cell_ref(b"A4294967295\""), (Some(0), Some(u32::MAX)));
        assert_eq!(cell_ref(b"a99999999999\""), (Some(0), Some(u32::MAX)));
        assert!(is_tag(b"<f>", b"f") && is_tag(b"<x:f t=\"shared\"", b"f") && !is_tag(b"<fill>", b"f"));
    }

    // The same cell over and over: one cell of area, but calamine keeps every one (10⁸ cells
    // in a 16 MB file). Counted, with the bound lowered to 1,000 so the test stays small; the
    // chunk edges (64 KiB) fall inside cell references.
    #[test]
    fn cells_are_counted_across_chunks() {
        let mut xml = Vec::new();
        for _ in 0..1001 {
            xml.extend_from_slice(br#"<c r="AB1234"><v>1</v></c>"#);
        }
        let mut scan = Scan::sheet();
        scan.max_cells = 1000;
        let err = scan.run(&xml[..], "sheet.xml").unwrap_err();
        assert_eq!(err.what, "more than 1000 cells");
        let mut scan = Scan::sheet();
        scan.max_cells = 1001;
        assert!(scan.run(&xml[..], "sheet.xml").is_ok());
        // 2,600 cells of 26 bytes: 68 KB, more than one chunk.
        let xml: Vec<u8> = xml.iter().copied().cycle().take(26 * 2600).collect();
        let mut scan = Scan::sheet();
        scan.run(&xml[..], "sheet.xml").unwrap();
        assert_eq!((scan.cells, scan.rows, scan.cols), (2600, (1234, 1234), (27, 27)));
    }
}
