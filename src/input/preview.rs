//! A first look at a file whose header was not recognised: its first rows as text cells, read
//! with the same encoding, delimiter and sheet choices as the import, and the fields of each
//! table. The page's column-mapping dialog shows both and lets the user say which column holds
//! which field ([`super::ReadOptions::columns`]).

use serde::Serialize;

use super::csv::{sniff_delimiter, Tokenizer};
use super::encoding::{sniff, EncodingChoice, EncodingReason, SNIFF_BYTES};
use super::error::{ErrorKind, ImportFailure, InputError};
use super::fields::TableKind;
use super::header::column_letter;
use super::report::FileFormat;
use super::source::{disguised_html, sniff_format, ReadOptions, Source};
use super::workbook::{cell_text, open};

/// How much of a text file is decoded for a preview.
const PREVIEW_BYTES: usize = 256 * 1024;

/// One row of a preview, numbered as Excel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviewRow {
    /// 1-based row.
    pub row: u64,
    /// The cells as text.
    pub cells: Vec<String>,
}

/// The first rows of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preview {
    /// The file's display name.
    pub file: String,
    /// The format found.
    pub format: FileFormat,
    /// Text files: the encoding used and why.
    pub encoding: Option<EncodingChoice>,
    /// Text files: the delimiter.
    pub delimiter: Option<String>,
    /// Workbooks: the sheet shown.
    pub sheet: Option<String>,
    /// Workbooks: all sheets.
    pub sheets: Vec<String>,
    /// Column letters, as many as the widest row.
    pub letters: Vec<String>,
    /// The first rows (blank rows left out).
    pub rows: Vec<PreviewRow>,
}

/// The first `max_rows` non-blank rows of a file, decoded as the import would decode them.
pub fn preview(src: Source<'_>, opts: &ReadOptions, max_rows: usize) -> Result<Preview, ImportFailure> {
    let fail = |kind| ImportFailure::single(InputError::file(src.name, None, kind));
    if src.bytes.is_empty() {
        return Err(fail(ErrorKind::EmptyFile));
    }
    let format = sniff_format(&src);
    let mut out = Preview {
        file: src.name.to_string(),
        format,
        encoding: None,
        delimiter: None,
        sheet: None,
        sheets: Vec::new(),
        letters: Vec::new(),
        rows: Vec::new(),
    };
    let keep = |row: u64, cells: Vec<String>, rows: &mut Vec<PreviewRow>| {
        if rows.len() < max_rows && cells.iter().any(|c| !c.trim().is_empty()) {
            rows.push(PreviewRow { row, cells });
        }
    };
    if format == FileFormat::Csv {
        if disguised_html(&src) {
            return Err(fail(ErrorKind::HtmlDisguisedAsSpreadsheet));
        }
        let head = src.bytes.get(..src.bytes.len().min(PREVIEW_BYTES)).unwrap_or(src.bytes);
        let complete = head.len() == src.bytes.len();
        let choice = match opts.encoding {
            Some(encoding) => EncodingChoice {
                encoding,
                reason: EncodingReason::Given,
            },
            None => {
                let sniffed = head.get(..SNIFF_BYTES).unwrap_or(head);
                sniff(sniffed, complete && sniffed.len() == head.len())
            }
        };
        let mut decoder = choice.encoding.encoding().new_decoder_with_bom_removal();
        let mut text = String::with_capacity(head.len() * 3 / 2 + 16);
        let _ = decoder.decode_to_string(head, &mut text, complete);
        let delimiter = opts.delimiter.unwrap_or_else(|| sniff_delimiter(&text));
        out.encoding = Some(choice);
        out.delimiter = Some(delimiter.to_string());
        let mut tok = Tokenizer::new(delimiter);
        let rows = &mut out.rows;
        let mut out_row = |row, cells: &[&str], _| keep(row, cells.iter().map(|c| c.to_string()).collect(), rows);
        tok.feed(&text, &mut out_row);
        if complete {
            tok.finish(&mut out_row);
        }
    } else {
        let mut book = open(src.bytes, format).map_err(fail)?;
        let sheets = book.sheets();
        out.sheets = sheets.iter().map(|(n, _)| n.clone()).collect();
        let chosen = match opts.sheet.as_deref().map(str::trim) {
            Some(w) => out
                .sheets
                .iter()
                .find(|n| n.trim() == w)
                .or_else(|| {
                    w.parse::<usize>()
                        .ok()
                        .and_then(|i| i.checked_sub(1))
                        .and_then(|i| out.sheets.get(i))
                })
                .cloned()
                .ok_or_else(|| {
                    fail(ErrorKind::SheetNotFound {
                        sheet: w.to_string(),
                        available: out.sheets.clone(),
                    })
                })?,
            None => sheets
                .iter()
                .find(|(_, visible)| *visible)
                .or(sheets.first())
                .map(|(n, _)| n.clone())
                .ok_or_else(|| {
                    fail(ErrorKind::UnreadableFile {
                        detail: "the workbook has no sheets".into(),
                    })
                })?,
        };
        let range = book
            .range(&chosen)
            .map_err(|detail| fail(ErrorKind::UnreadableFile { detail }))?;
        if let Some((r0, c0)) = range.start() {
            for (i, row) in range.rows().enumerate() {
                if out.rows.len() >= max_rows {
                    break;
                }
                let mut cells = vec![String::new(); c0 as usize];
                cells.extend(row.iter().map(cell_text));
                keep(r0 as u64 + i as u64 + 1, cells, &mut out.rows);
            }
        }
        out.sheet = Some(chosen);
    }
    let width = out.rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    out.letters = (0..width).map(column_letter).collect();
    Ok(out)
}

/// One field of a table, for choosing a column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldInfo {
    /// The key a mapping override uses (`total_cost`).
    pub key: String,
    /// Canonical Chinese header.
    pub zh: String,
    /// English label.
    pub en: String,
    /// Accepted header texts, canonical first.
    pub aliases: Vec<String>,
}

/// A table's fields and which of them a header must have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableFields {
    /// The table.
    pub table: TableKind,
    /// Its Chinese name.
    pub label_zh: String,
    /// Its English name.
    pub label_en: String,
    /// The fields, in the documented order.
    pub fields: Vec<FieldInfo>,
    /// Required columns: each entry is a list of keys of which any one will do.
    pub required: Vec<Vec<String>>,
}

/// The fields of a table (what `docs/import.md` lists).
pub fn table_fields(table: TableKind) -> TableFields {
    let spec = table.spec();
    TableFields {
        table,
        label_zh: table.label_zh().to_string(),
        label_en: table.label_en().to_string(),
        fields: spec
            .fields
            .iter()
            .map(|f| FieldInfo {
                key: f.key.to_string(),
                zh: f.zh.to_string(),
                en: f.en.to_string(),
                aliases: f.aliases.iter().map(|a| a.to_string()).collect(),
            })
            .collect(),
        required: spec
            .required
            .iter()
            .map(|any| {
                any.iter()
                    .filter_map(|i| spec.fields.get(*i))
                    .map(|f| f.key.to_string())
                    .collect()
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_preview_decodes_and_splits() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("说明行\n\n编号;费用\nH1;\"1,5\"\n");
        let p = preview(
            Source {
                name: "x.csv",
                bytes: &bytes,
            },
            &ReadOptions::default(),
            10,
        )
        .unwrap();
        assert_eq!(p.encoding.unwrap().encoding, super::super::TextEncoding::Gb18030);
        assert_eq!(p.delimiter.as_deref(), Some(";"));
        assert_eq!(p.rows.iter().map(|r| r.row).collect::<Vec<_>>(), vec![1, 3, 4]);
        assert_eq!(p.rows[2].cells, vec!["H1".to_string(), "1,5".to_string()]);
        assert_eq!(p.letters, vec!["A".to_string(), "B".to_string()]);
    }

    #[test]
    fn max_rows_and_empty_file() {
        let p = preview(
            Source {
                name: "x.csv",
                bytes: b"a,b\n1,2\n3,4\n",
            },
            &ReadOptions::default(),
            2,
        )
        .unwrap();
        assert_eq!(p.rows.len(), 2);
        assert!(preview(
            Source {
                name: "x.csv",
                bytes: b""
            },
            &ReadOptions::default(),
            2
        )
        .is_err());
    }

    #[test]
    fn fields_of_the_cases_table() {
        let f = table_fields(TableKind::Cases);
        assert_eq!(f.fields[0].key, "institution");
        assert!(f.required.iter().any(|any| any.contains(&"total_cost".to_string())));
    }
}
