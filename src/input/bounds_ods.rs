//! The bounds of [`super::bounds`] for an .ods, checked before calamine reads it.
//!
//! Calamine 0.38 reads every sheet of an .ods when it opens it, from `content.xml`: a row's
//! cells repeated across up to 16,384 columns and rows repeated up to 1,048,576 times are laid
//! out densely (it stops at 100,000,000 cells, ~3 GB, more than the page can hold), and each
//! XML event and cell text is held whole. So `content.xml` is walked first, streamed: the cells
//! calamine would keep for each row (up to the row's last non-empty cell), the area between
//! the first and last non-empty cells of each sheet, and the size of each tag, text and cell.

use std::io::{Cursor, Read};

use zip::ZipArchive;

use super::bounds::{refuse, Refusal};
use super::limits::{MAX_ITEM_BYTES, MAX_PART_BYTES, MAX_SHEET_CELLS};

/// The part calamine reads the sheets from.
const PART: &str = "content.xml";
/// Calamine's caps: columns per row and rows per sheet.
const MAX_COLUMNS: u64 = 16_384;
const MAX_ROWS: u64 = 1_048_576;
/// Bytes of a tag kept to read its name and attributes (a cell's start tag is ~100 bytes).
const TAG_KEEP: usize = 4096;

/// Inspects an .ods's `content.xml`. An archive the zip reader cannot open, or one without
/// that part, is left to calamine (it reports it in its own words).
pub(crate) fn inspect_ods(bytes: &[u8]) -> Result<(), Refusal> {
    let Ok(mut zip) = ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let Ok(file) = zip.by_name(PART) else {
        return Ok(());
    };
    let mut scan = OdsScan {
        max_cells: MAX_SHEET_CELLS,
        ..OdsScan::default()
    };
    scan.run(file)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Lexer {
    #[default]
    Text,
    /// Inside `<…>`, with the quote an attribute value is open in.
    Tag(Option<u8>),
    /// Inside `<!-- … -->` or `<![CDATA[ … ]]>`: until this byte follows two of `close`.
    Until(u8),
}

/// One sheet's extent as calamine lays it out.
#[derive(Default)]
struct Sheet {
    /// Rows so far (repeats counted, capped as calamine caps them).
    rows: u64,
    /// The first and last row with a non-empty cell.
    used_rows: Option<(u64, u64)>,
    /// The first and last non-empty column.
    used_cols: Option<(u64, u64)>,
    /// Cells calamine holds while reading the sheet.
    kept: u64,
}

/// The row being read.
#[derive(Default)]
struct Row {
    repeats: u64,
    col: u64,
    /// The first and last non-empty column of the row.
    used: Option<(u64, u64)>,
}

#[derive(Default)]
struct OdsScan {
    lexer: Lexer,
    /// The current tag's first bytes.
    tag: Vec<u8>,
    /// Bytes read so far, and where the current tag or text began.
    at: u64,
    event_start: u64,
    /// Where the open cell's start tag began.
    cell_start: Option<u64>,
    /// Two bytes before the current one (for the end of a comment or CDATA section).
    last: [u8; 2],
    sheet: Sheet,
    row: Row,
    sheets: usize,
    /// The area of the sheets read so far (calamine holds them all).
    area: u64,
    /// [`MAX_SHEET_CELLS`] (a test lowers it).
    max_cells: u64,
}

impl OdsScan {
    fn run(&mut self, mut file: impl Read) -> Result<(), Refusal> {
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = match file.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if self.at + n as u64 > MAX_PART_BYTES {
                let what = format!("more than {} MB unpacked", MAX_PART_BYTES >> 20);
                return Err(refuse(PART, what, format!("{} MB", MAX_PART_BYTES >> 20)));
            }
            for &b in &buf[..n] {
                self.byte(b)?;
                self.at += 1;
            }
        }
        self.event_end()
    }

    fn byte(&mut self, b: u8) -> Result<(), Refusal> {
        match self.lexer {
            Lexer::Text if b == b'<' => {
                self.event_end()?;
                self.tag.clear();
                self.lexer = Lexer::Tag(None);
            }
            Lexer::Text => {}
            Lexer::Tag(Some(q)) => {
                self.lexer = Lexer::Tag((b != q).then_some(q));
                self.keep(b);
            }
            Lexer::Tag(None) if b == b'>' => {
                self.lexer = Lexer::Text;
                self.event_end()?;
                self.tag_end()?;
            }
            Lexer::Tag(None) => {
                if b == b'"' || b == b'\'' {
                    self.lexer = Lexer::Tag(Some(b));
                }
                self.keep(b);
                if self.tag == b"!--" {
                    self.lexer = Lexer::Until(b'-');
                } else if self.tag == b"![CDATA[" {
                    self.lexer = Lexer::Until(b']');
                }
            }
            Lexer::Until(close) => {
                if b == b'>' && self.last == [close, close] {
                    self.lexer = Lexer::Text;
                    self.event_end()?;
                }
            }
        }
        self.last = [self.last[1], b];
        Ok(())
    }

    fn keep(&mut self, b: u8) {
        if self.tag.len() < TAG_KEEP {
            self.tag.push(b);
        }
    }

    /// A tag or text ends at the current byte: it must have been small enough, as the open
    /// cell must be so far.
    fn event_end(&mut self) -> Result<(), Refusal> {
        let event = self.at.saturating_sub(self.event_start);
        self.event_start = self.at + 1;
        let cell = self.cell_start.map_or(0, |s| self.at.saturating_sub(s));
        let (what, size) = if cell > event {
            ("a cell", cell)
        } else {
            ("an XML tag or text", event)
        };
        if size > MAX_ITEM_BYTES {
            let what = format!("{what} of {} KB", size >> 10);
            return Err(refuse(PART, what, format!("{} KB", MAX_ITEM_BYTES >> 10)));
        }
        Ok(())
    }

    /// The tag just read (`self.tag`, without its `<` and `>`).
    fn tag_end(&mut self) -> Result<(), Refusal> {
        let tag = std::mem::take(&mut self.tag);
        // An end tag's name starts with its `/`.
        let name_len = tag
            .iter()
            .skip(1)
            .position(|b| b.is_ascii_whitespace() || *b == b'/')
            .map_or(tag.len(), |p| p + 1);
        let empty = tag.last() == Some(&b'/');
        let result = match &tag[..name_len] {
            b"table:table" => {
                self.sheet = Sheet::default();
                Ok(())
            }
            b"/table:table" => self.sheet_end(),
            b"table:table-row" => {
                self.row = Row {
                    repeats: attribute(&tag, b"table:number-rows-repeated").unwrap_or(1),
                    ..Row::default()
                };
                if empty {
                    self.row_end()
                } else {
                    Ok(())
                }
            }
            b"/table:table-row" => self.row_end(),
            b"table:table-cell" | b"table:covered-table-cell" => {
                self.cell(&tag, empty);
                Ok(())
            }
            b"/table:table-cell" | b"/table:covered-table-cell" => {
                self.cell_start = None;
                Ok(())
            }
            _ => Ok(()),
        };
        self.tag = tag;
        result
    }

    /// A cell's start tag: calamine keeps it (repeated) when it has a value, a formula or
    /// content.
    fn cell(&mut self, tag: &[u8], empty: bool) {
        let repeats = attribute(tag, b"table:number-columns-repeated").unwrap_or(1);
        let first = self.row.col;
        self.row.col = first.saturating_add(repeats.max(1));
        let valued = has_attribute(tag, b"office:value-type") || has_attribute(tag, b"table:formula");
        if !empty {
            self.cell_start = Some(self.at.saturating_sub(tag.len() as u64 + 1));
        }
        // Calamine keeps no cell past its last column.
        if (valued || !empty) && first < MAX_COLUMNS {
            let last = (self.row.col - 1).min(MAX_COLUMNS - 1);
            self.row.used = Some(
                self.row
                    .used
                    .map_or((first, last), |(a, b)| (a.min(first), b.max(last))),
            );
        }
    }

    fn row_end(&mut self) -> Result<(), Refusal> {
        let row = std::mem::take(&mut self.row);
        let s = &mut self.sheet;
        // Cells up to the row's last non-empty one, and the row's own entry.
        s.kept += row.used.map_or(0, |(_, last)| last + 1) + 1;
        if s.kept > self.max_cells {
            let (max, part) = (self.max_cells, self.part());
            return Err(refuse(&part, format!("more than {max} cells"), format!("{max} cells")));
        }
        let repeats = row.repeats.clamp(1, MAX_ROWS.saturating_sub(s.rows).max(1));
        if let Some((first, last)) = row.used {
            let (top, bottom) = (s.rows, s.rows + repeats - 1);
            s.used_rows = Some(s.used_rows.map_or((top, bottom), |(a, _)| (a, bottom)));
            s.used_cols = Some(s.used_cols.map_or((first, last), |(a, b)| (a.min(first), b.max(last))));
        }
        s.rows = s.rows.saturating_add(repeats);
        Ok(())
    }

    fn sheet_end(&mut self) -> Result<(), Refusal> {
        let s = std::mem::take(&mut self.sheet);
        let (Some(rows), Some(cols)) = (s.used_rows, s.used_cols) else {
            self.sheets += 1;
            return Ok(());
        };
        let (height, width) = (rows.1 - rows.0 + 1, cols.1 - cols.0 + 1);
        self.area = self.area.saturating_add(height.saturating_mul(width));
        if self.area > self.max_cells {
            let max = self.max_cells;
            let what = format!("cells spanning {height} rows × {width} columns");
            return Err(refuse(&self.part(), what, format!("{max} cells in all sheets")));
        }
        self.sheets += 1;
        Ok(())
    }

    /// The part and the sheet being read, for a refusal.
    fn part(&self) -> String {
        format!("{PART}, sheet {}", self.sheets + 1)
    }
}

/// Whether a start tag has the attribute (` name=`).
fn has_attribute(tag: &[u8], name: &[u8]) -> bool {
    attribute_value(tag, name).is_some()
}

/// A numeric attribute's value (digits only, saturating); `None` when absent or not a number.
fn attribute(tag: &[u8], name: &[u8]) -> Option<u64> {
    let v = attribute_value(tag, name)?;
    let digits = v.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    Some(
        v[..digits]
            .iter()
            .fold(0u64, |n, b| n.saturating_mul(10).saturating_add(u64::from(b - b'0'))),
    )
}

/// The bytes after ` name="` (or `'`) in a start tag.
fn attribute_value<'t>(tag: &'t [u8], name: &[u8]) -> Option<&'t [u8]> {
    let mut i = 0;
    while let Some(off) = tag[i..].windows(name.len()).position(|w| w == name) {
        let at = i + off;
        let after = &tag[at + name.len()..];
        let starts = at > 0 && tag[at - 1].is_ascii_whitespace();
        if starts {
            let after = after.trim_ascii_start();
            if let Some(v) = after.strip_prefix(b"=") {
                let v = v.trim_ascii_start();
                if let Some(v) = v.strip_prefix(b"\"").or_else(|| v.strip_prefix(b"'")) {
                    return Some(v);
                }
            }
        }
        i = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(xml: &str, max_cells: u64) -> Result<(), Refusal> {
        let mut s = OdsScan {
            max_cells,
            ..OdsScan::default()
        };
        s.run(xml.as_bytes())
    }

    #[test]
    fn attributes() {
        let tag = br#"table:table-cell table:style-name="ce1" table:number-columns-repeated="16384" office:value-type='float'"#;
        assert_eq!(attribute(tag, b"table:number-columns-repeated"), Some(16384));
        assert!(has_attribute(tag, b"office:value-type"));
        assert!(!has_attribute(tag, b"value-type"));
        assert_eq!(attribute(b"x a=\"99999999999999999999999\"", b"a"), Some(u64::MAX));
    }

    // What LibreOffice writes below the data: empty rows repeated to the sheet's end, with
    // empty cells repeated across it. Calamine keeps none of them.
    #[test]
    fn trailing_empty_rows_and_cells_count_nothing() {
        let xml = concat!(
            r#"<table:table table:name="a"><table:table-row><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>"#,
            r#"<table:table-cell table:number-columns-repeated="1023"/></table:table-row>"#,
            r#"<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>"#,
        );
        assert!(scan(xml, 3).is_ok());
    }

    #[test]
    fn repeated_values_count_as_calamine_lays_them_out() {
        let row = |cols: u32| {
            format!(
                r#"<table:table-row table:number-rows-repeated="1000"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="{cols}"/></table:table-row>"#
            )
        };
        let sheet = |cols| format!(r#"<table:table table:name="a">{}</table:table>"#, row(cols));
        assert!(scan(&sheet(10), 10_000).is_ok());
        let err = scan(&sheet(11), 10_000).unwrap_err();
        assert_eq!(err.what, "cells spanning 1000 rows × 11 columns");
        assert_eq!(err.part, "content.xml, sheet 1");
        // Two sheets of 1000 × 10: calamine holds both.
        let err = scan(&format!("{}{}", sheet(10), sheet(10)), 15_000).unwrap_err();
        assert_eq!(err.part, "content.xml, sheet 2");
        // The cells of one row element, before its rows are repeated.
        let err = scan(&sheet(20_000), 10_000).unwrap_err();
        assert_eq!(err.what, "more than 10000 cells");
    }

    #[test]
    fn a_long_cell_text_or_comment_is_refused() {
        let long = "x".repeat(MAX_ITEM_BYTES as usize + 10);
        let cell =
            format!(r#"<table:table-cell office:value-type="string"><text:p>{long}</text:p></table:table-cell>"#);
        assert_eq!(scan(&cell, 10).unwrap_err().what, "a cell of 1024 KB");
        let comment = format!("<!-- {long} -->");
        assert_eq!(scan(&comment, 10).unwrap_err().what, "an XML tag or text of 1024 KB");
        // Short ones, with > inside a comment and an attribute.
        assert!(scan(r#"<!-- a > b --><a b=">"/>text"#, 10).is_ok());
    }
}
