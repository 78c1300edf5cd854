//! What is read and how: a file's bytes with its display name, the options a user can set,
//! and the format its first bytes show.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::csv::TextOptions;
use super::encoding::TextEncoding;
use super::fields::FundPart;
use super::report::FileFormat;
use super::rows::RowOptions;

/// A file's bytes and the name to show in messages (the name's extension is only a hint).
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// The display name (`cases.csv`).
    pub name: &'a str,
    /// The file's content.
    pub bytes: &'a [u8],
}

/// How to read a file. The defaults guess everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReadOptions {
    /// Text files: the encoding, instead of guessing it.
    pub encoding: Option<TextEncoding>,
    /// Text files: the delimiter, instead of sniffing it.
    pub delimiter: Option<char>,
    /// Workbooks: the sheet (name, or 1-based position), instead of the one that matches best.
    pub sheet: Option<String>,
    /// Column mapping overrides: field key (`total_cost`) or canonical name (`医疗总费用`) →
    /// header text or column letter (`F`). An empty header leaves the field unmapped.
    pub columns: BTreeMap<String, String>,
    /// Leave out rows with errors (listed in the report) instead of failing.
    pub skip_bad_rows: bool,
    /// Payment columns that count as fund money beside 统筹基金支付 when the personal burden is
    /// derived from them (吉林2024 第六条: 职工 统筹 + 公补 + 大额, 居民 统筹 + 大病保险). Empty: only
    /// 统筹基金支付 (the other columns, if present, are read and left out).
    pub fund_parts: Vec<FundPart>,
    /// Cases: the policy year. A settlement date (or a month with its year) in another year
    /// is an error, or, with `skip_out_of_year`, a row left out and counted in the report.
    pub year: Option<u16>,
    /// Cases: leave out rows dated outside `year` (counted and listed) instead of failing.
    pub skip_out_of_year: bool,
}

impl ReadOptions {
    pub(crate) fn rows(&self) -> RowOptions {
        RowOptions {
            overrides: self.columns.clone(),
            skip_bad_rows: self.skip_bad_rows,
            fund_parts: self.fund_parts.clone(),
            year: self.year,
            skip_out_of_year: self.skip_out_of_year,
        }
    }

    pub(crate) fn text(&self) -> TextOptions {
        TextOptions {
            encoding: self.encoding,
            delimiter: self.delimiter,
            rows: self.rows(),
        }
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// The file's format, from its first bytes; the extension only tells xlsb from xlsx.
pub fn sniff_format(src: &Source<'_>) -> FileFormat {
    let b = src.bytes;
    if b.starts_with(ZIP_MAGIC) {
        let head = b.get(..b.len().min(200)).unwrap_or(b);
        if head
            .windows(b"opendocument.spreadsheet".len())
            .any(|w| w == b"opendocument.spreadsheet")
        {
            return FileFormat::Ods;
        }
        return match extension(src.name).as_str() {
            "xlsb" => FileFormat::Xlsb,
            "ods" => FileFormat::Ods,
            _ => FileFormat::Xlsx,
        };
    }
    if b.starts_with(OLE_MAGIC) {
        return FileFormat::Xls;
    }
    FileFormat::Csv
}

/// An HTML or XML page saved as .xls (some systems export so).
pub(crate) fn disguised_html(src: &Source<'_>) -> bool {
    let ext = extension(src.name);
    if !matches!(ext.as_str(), "xls" | "xlsx" | "et" | "ods") {
        return false;
    }
    let b = src.bytes;
    let b = b.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(b);
    b.iter().find(|c| !c.is_ascii_whitespace()).is_some_and(|c| *c == b'<')
}
