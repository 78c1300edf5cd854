//! Text encodings of CSV files and how one is chosen.

use std::fmt;
use std::str::FromStr;

use encoding_rs::Encoding;
use serde::{Deserialize, Serialize};

/// The encodings Excel and WPS write text files in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TextEncoding {
    /// UTF-8, with or without a byte-order mark.
    #[serde(rename = "utf-8", alias = "utf8", alias = "UTF-8")]
    Utf8,
    /// GB18030 (a superset of GBK and GB2312): what Excel and WPS write on Chinese Windows.
    #[serde(
        rename = "gb18030",
        alias = "gbk",
        alias = "gb2312",
        alias = "GB18030",
        alias = "GBK",
        alias = "cp936"
    )]
    Gb18030,
    /// UTF-16 little-endian (Excel's "Unicode text").
    #[serde(rename = "utf-16le", alias = "utf-16", alias = "UTF-16LE", alias = "unicode")]
    Utf16Le,
    /// UTF-16 big-endian.
    #[serde(rename = "utf-16be", alias = "UTF-16BE")]
    Utf16Be,
}

impl TextEncoding {
    /// The label used in options and reports (`utf-8`, `gb18030`, `utf-16le`, `utf-16be`).
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gb18030 => "GB18030",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
        }
    }

    /// Accepts the usual labels: `utf-8`, `gbk`, `gb2312`, `gb18030`, `cp936`, `utf-16`,
    /// `utf-16le`, `utf-16be`, `unicode`.
    pub fn from_label(label: &str) -> Option<Self> {
        let l: String = label
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .flat_map(|c| c.to_lowercase())
            .collect();
        match l.as_str() {
            "utf8" => Some(TextEncoding::Utf8),
            "gb18030" | "gbk" | "gb2312" | "cp936" | "windows936" | "936" => Some(TextEncoding::Gb18030),
            "utf16" | "utf16le" | "unicode" | "ucs2" => Some(TextEncoding::Utf16Le),
            "utf16be" => Some(TextEncoding::Utf16Be),
            _ => None,
        }
    }

    pub(crate) fn encoding(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 => encoding_rs::UTF_8,
            TextEncoding::Gb18030 => encoding_rs::GB18030,
            TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
            TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
        }
    }
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for TextEncoding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TextEncoding::from_label(s).ok_or_else(|| format!("unknown encoding \"{s}\""))
    }
}

/// Why an encoding was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EncodingReason {
    /// The caller chose it.
    Given,
    /// The file starts with a byte-order mark.
    ByteOrderMark,
    /// No mark, and the start of the file is valid UTF-8.
    ValidUtf8,
    /// No mark, and the start of the file is UTF-8 but for a few bytes (each an error at its
    /// cell): its characters outside ASCII are nearly all valid UTF-8, which GB18030 text
    /// is not.
    MostlyUtf8,
    /// No mark, and the zero bytes fall where UTF-16 puts them.
    Utf16Pattern,
    /// Not valid UTF-8: assumed GB18030 (a guess; the user may override it).
    NotUtf8,
}

/// The encoding used for a text file and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncodingChoice {
    /// The encoding.
    pub encoding: TextEncoding,
    /// Why it was chosen.
    pub reason: EncodingReason,
}

impl EncodingChoice {
    /// Was this a guess the user should be told about?
    pub fn is_guess(&self) -> bool {
        matches!(self.reason, EncodingReason::NotUtf8 | EncodingReason::Utf16Pattern)
    }
}

/// How many bytes at the start of a file decide its encoding.
pub(crate) const SNIFF_BYTES: usize = 64 * 1024;

/// Chooses the encoding from the first bytes (`complete`: these are all the bytes).
pub(crate) fn sniff(prefix: &[u8], complete: bool) -> EncodingChoice {
    let pick = |encoding, reason| EncodingChoice { encoding, reason };
    if prefix.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return pick(TextEncoding::Utf8, EncodingReason::ByteOrderMark);
    }
    if prefix.starts_with(&[0xFF, 0xFE]) {
        return pick(TextEncoding::Utf16Le, EncodingReason::ByteOrderMark);
    }
    if prefix.starts_with(&[0xFE, 0xFF]) {
        return pick(TextEncoding::Utf16Be, EncodingReason::ByteOrderMark);
    }
    let sample = prefix.get(..prefix.len().min(8192)).unwrap_or(prefix);
    let (mut even, mut odd) = (0usize, 0usize);
    for (i, b) in sample.iter().enumerate() {
        if *b == 0 {
            if i % 2 == 0 {
                even += 1;
            } else {
                odd += 1;
            }
        }
    }
    if odd + even > 0 {
        if odd >= even * 4 && odd * 8 >= sample.len() / 2 {
            return pick(TextEncoding::Utf16Le, EncodingReason::Utf16Pattern);
        }
        if even >= odd * 4 && even * 8 >= sample.len() / 2 {
            return pick(TextEncoding::Utf16Be, EncodingReason::Utf16Pattern);
        }
    }
    match std::str::from_utf8(prefix) {
        Ok(_) => pick(TextEncoding::Utf8, EncodingReason::ValidUtf8),
        // Cut in the middle of a character at the end of the sample: still UTF-8.
        Err(e) if e.error_len().is_none() && !complete => pick(TextEncoding::Utf8, EncodingReason::ValidUtf8),
        Err(_) if mostly_utf8(prefix) => pick(TextEncoding::Utf8, EncodingReason::MostlyUtf8),
        Err(_) => pick(TextEncoding::Gb18030, EncodingReason::NotUtf8),
    }
}

/// How many valid characters outside ASCII a UTF-8 file has for each invalid sequence, at
/// least. GB18030 Chinese read as UTF-8 gives a few valid two-byte characters by chance (职 is
/// D6 B0) and far more invalid sequences; a UTF-8 file with one stray byte gives the reverse.
const UTF8_EVIDENCE: usize = 8;

/// Is `bytes` UTF-8 with a few invalid sequences (an edited cell, a pasted GBK name), rather
/// than text in another encoding? Counts the valid characters outside ASCII against the
/// invalid sequences.
fn mostly_utf8(mut bytes: &[u8]) -> bool {
    let (mut valid, mut invalid) = (0usize, 0usize);
    loop {
        let (good, rest) = match std::str::from_utf8(bytes) {
            Ok(s) => (s, None),
            Err(e) => {
                let (good, after) = bytes.split_at(e.valid_up_to());
                // An incomplete character at the very end is a cut, not an error.
                let skip = e.error_len();
                (std::str::from_utf8(good).unwrap_or_default(), skip.map(|n| &after[n..]))
            }
        };
        valid += good.chars().filter(|c| !c.is_ascii()).count();
        match rest {
            Some(after) => {
                invalid += 1;
                bytes = after;
            }
            None => break,
        }
    }
    invalid > 0 && valid >= UTF8_EVIDENCE * invalid
}
