//! Delimited text, streamed: bytes in any chunking → decoded text → rows → records.
//!
//! The tokenizer follows what Excel writes and reads: a field that starts with `"` is quoted
//! (`""` inside it is one quote, and it may span lines); a quote elsewhere is an ordinary
//! character; CR, LF and CRLF end a row. Unlike csv-core, blank lines are rows too, so row
//! numbers stay those Excel shows. Memory: one row (at most [`MAX_ROW_BYTES`]), the rows above
//! the header and the kept errors; nothing else grows with the file.

use encoding_rs::{CoderResult, Decoder};

use super::encoding::{sniff, EncodingChoice, EncodingReason, TextEncoding, SNIFF_BYTES};
use super::error::{ErrorKind, ImportFailure};
use super::report::{FileFormat, ImportReport};
use super::rows::{RowOptions, RowProcessor, Table};

/// How much decoded text the delimiter is sniffed from.
const SNIFF_TEXT: usize = 16 * 1024;

/// Longest row accepted (a longer one is usually an unclosed quote).
pub const MAX_ROW_BYTES: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    StartField,
    InField,
    InQuoted,
    QuoteInQuoted,
}

/// Splits decoded text into rows; keeps its state across chunks.
#[derive(Debug)]
pub(crate) struct Tokenizer {
    delimiter: char,
    state: State,
    field: String,
    record: Vec<String>,
    record_bytes: usize,
    too_long: bool,
    skip_lf: bool,
    row: u64,
}

impl Tokenizer {
    pub(crate) fn new(delimiter: char) -> Self {
        Tokenizer {
            delimiter,
            state: State::StartField,
            field: String::new(),
            record: Vec::new(),
            record_bytes: 0,
            too_long: false,
            skip_lf: false,
            row: 0,
        }
    }

    fn push_char(&mut self, c: char) {
        if self.too_long {
            return;
        }
        self.record_bytes += c.len_utf8();
        if self.record_bytes > MAX_ROW_BYTES {
            self.too_long = true;
            self.field.clear();
            self.record.clear();
            return;
        }
        self.field.push(c);
    }

    fn end_field(&mut self) {
        if !self.too_long {
            self.record.push(std::mem::take(&mut self.field));
            self.record_bytes += 1;
            if self.record_bytes > MAX_ROW_BYTES {
                self.too_long = true;
                self.record.clear();
            }
        }
        self.field.clear();
        self.state = State::StartField;
    }

    fn end_record(&mut self, out: &mut dyn FnMut(u64, Vec<String>, bool)) {
        self.end_field();
        self.row += 1;
        let record = std::mem::take(&mut self.record);
        let too_long = self.too_long;
        self.too_long = false;
        self.record_bytes = 0;
        out(self.row, record, too_long);
    }

    pub(crate) fn feed(&mut self, text: &str, out: &mut dyn FnMut(u64, Vec<String>, bool)) {
        for c in text.chars() {
            if self.skip_lf {
                self.skip_lf = false;
                if c == '\n' {
                    continue;
                }
            }
            match self.state {
                State::StartField => {
                    if c == '"' {
                        self.state = State::InQuoted;
                    } else if c == self.delimiter {
                        self.end_field();
                    } else if c == '\r' || c == '\n' {
                        self.skip_lf = c == '\r';
                        self.end_record(out);
                    } else {
                        self.push_char(c);
                        self.state = State::InField;
                    }
                }
                State::InField => {
                    if c == self.delimiter {
                        self.end_field();
                    } else if c == '\r' || c == '\n' {
                        self.skip_lf = c == '\r';
                        self.end_record(out);
                    } else {
                        self.push_char(c);
                    }
                }
                State::InQuoted => {
                    if c == '"' {
                        self.state = State::QuoteInQuoted;
                    } else {
                        self.push_char(c);
                    }
                }
                State::QuoteInQuoted => {
                    if c == '"' {
                        self.push_char('"');
                        self.state = State::InQuoted;
                    } else if c == self.delimiter {
                        self.end_field();
                    } else if c == '\r' || c == '\n' {
                        self.skip_lf = c == '\r';
                        self.end_record(out);
                    } else {
                        // `"abc"def`: Excel keeps the rest as text.
                        self.push_char(c);
                        self.state = State::InField;
                    }
                }
            }
        }
    }

    /// The last row, when the text does not end with a line break.
    pub(crate) fn finish(&mut self, out: &mut dyn FnMut(u64, Vec<String>, bool)) {
        let pending = self.state != State::StartField
            || !self.field.is_empty()
            || !self.record.is_empty()
            || self.too_long;
        if pending {
            self.end_record(out);
        }
    }
}

/// Picks the delimiter that splits the most lines into the same number of fields.
pub(crate) fn sniff_delimiter(text: &str) -> char {
    const CANDIDATES: [char; 3] = [',', '\t', ';'];
    // Only complete lines, unless there is just one.
    let lines: Vec<&str> = {
        let mut v: Vec<&str> = text
            .split(['\n', '\r'])
            .filter(|l| !l.trim().is_empty())
            .take(50)
            .collect();
        if v.len() > 1 && !text.ends_with(['\n', '\r']) {
            v.pop();
        }
        v
    };
    let mut best = (',', 0usize, 0usize); // (delimiter, lines with the modal count, modal count)
    for d in CANDIDATES {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        let mut tally: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
        for c in counts.iter().filter(|c| **c > 0) {
            *tally.entry(*c).or_default() += 1;
        }
        if let Some((count, lines_with)) = tally.iter().max_by_key(|(count, n)| (**n, **count)) {
            if (*lines_with, *count) > (best.1, best.2) {
                best = (d, *lines_with, *count);
            }
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, d: char) -> usize {
    let mut quoted = false;
    let mut at_start = true;
    let mut n = 0;
    for c in line.chars() {
        if c == '"' && (at_start || quoted) {
            quoted = !quoted;
            at_start = false;
            continue;
        }
        if !quoted && c == d {
            n += 1;
            at_start = true;
            continue;
        }
        at_start = false;
    }
    n
}

/// Options for text files.
#[derive(Debug, Clone, Default)]
pub(crate) struct TextOptions {
    pub encoding: Option<TextEncoding>,
    pub delimiter: Option<char>,
    pub rows: RowOptions,
}

/// A delimited-text reader for any table, fed in chunks.
pub(crate) struct TextStream<T: Table> {
    opts: TextOptions,
    /// Bytes kept until the encoding is known.
    pending: Vec<u8>,
    decoder: Option<Decoder>,
    /// Text kept until the delimiter is known.
    text: String,
    tokenizer: Option<Tokenizer>,
    rows: RowProcessor<T>,
    bytes: u64,
}

impl<T: Table> TextStream<T> {
    pub(crate) fn new(name: &str, opts: TextOptions) -> Self {
        let report = ImportReport::new(name, T::KIND, FileFormat::Csv);
        let rows = RowProcessor::new(name, None, opts.rows.clone(), None, report);
        TextStream {
            opts,
            pending: Vec::new(),
            decoder: None,
            text: String::new(),
            tokenizer: None,
            rows,
            bytes: 0,
        }
    }

    pub(crate) fn push(&mut self, chunk: &[u8], sink: &mut dyn FnMut(T::Record)) {
        self.bytes += chunk.len() as u64;
        if self.rows.failed() {
            return;
        }
        if self.decoder.is_none() {
            self.pending.extend_from_slice(chunk);
            if self.pending.len() >= SNIFF_BYTES {
                let bytes = std::mem::take(&mut self.pending);
                self.start(&bytes, false);
                self.decode(&bytes, false, sink);
            }
            return;
        }
        self.decode(chunk, false, sink);
    }

    fn start(&mut self, prefix: &[u8], complete: bool) {
        let choice = match self.opts.encoding {
            Some(encoding) => EncodingChoice {
                encoding,
                reason: EncodingReason::Given,
            },
            // Always the first SNIFF_BYTES, however the bytes were chunked.
            None => match prefix.get(..SNIFF_BYTES) {
                Some(head) => sniff(head, complete && head.len() == prefix.len()),
                None => sniff(prefix, complete),
            },
        };
        self.rows.report.encoding = Some(choice);
        self.rows.set_encoding(choice.encoding);
        self.decoder = Some(choice.encoding.encoding().new_decoder_with_bom_removal());
    }

    fn decode(&mut self, bytes: &[u8], last: bool, sink: &mut dyn FnMut(T::Record)) {
        let Some(mut decoder) = self.decoder.take() else {
            return;
        };
        let mut out = String::new();
        let mut src = bytes;
        loop {
            let room = decoder
                .max_utf8_buffer_length(src.len())
                .unwrap_or(src.len().saturating_mul(3).saturating_add(16))
                .clamp(64, 1 << 20);
            out.reserve(room);
            let (result, read, _) = decoder.decode_to_string(src, &mut out, last);
            src = src.get(read..).unwrap_or(&[]);
            match result {
                CoderResult::InputEmpty => break,
                CoderResult::OutputFull => {
                    if !out.is_empty() {
                        let text = std::mem::take(&mut out);
                        self.text_in(&text, false, sink);
                    }
                }
            }
        }
        self.decoder = Some(decoder);
        self.text_in(&out, last, sink);
    }

    fn text_in(&mut self, text: &str, last: bool, sink: &mut dyn FnMut(T::Record)) {
        if self.tokenizer.is_none() {
            self.text.push_str(text);
            if !last && self.text.len() < SNIFF_TEXT {
                return;
            }
            let delimiter = self
                .opts
                .delimiter
                .unwrap_or_else(|| sniff_delimiter(&self.text));
            self.rows.report.delimiter = Some(delimiter.to_string());
            self.tokenizer = Some(Tokenizer::new(delimiter));
            let buffered = std::mem::take(&mut self.text);
            self.tokenize(&buffered, sink);
            return;
        }
        self.tokenize(text, sink);
    }

    fn tokenize(&mut self, text: &str, sink: &mut dyn FnMut(T::Record)) {
        let Some(tok) = self.tokenizer.as_mut() else {
            return;
        };
        let rows = &mut self.rows;
        tok.feed(text, &mut |row, cells, too_long| {
            rows.push_row(row, cells, too_long, sink)
        });
    }

    pub(crate) fn finish(
        mut self,
        sink: &mut dyn FnMut(T::Record),
    ) -> Result<(ImportReport, T::State), ImportFailure> {
        if self.bytes == 0 {
            self.rows.fatal(None, ErrorKind::EmptyFile);
            return self.rows.finish();
        }
        if !self.rows.failed() {
            if self.decoder.is_none() {
                let bytes = std::mem::take(&mut self.pending);
                self.start(&bytes, true);
                self.decode(&bytes, true, sink);
            } else {
                self.decode(&[], true, sink);
            }
            if self.tokenizer.is_none() {
                // Sniffing still waiting for more text: there is no more.
                self.text_in("", true, sink);
            }
            if let Some(tok) = self.tokenizer.as_mut() {
                let rows = &mut self.rows;
                tok.finish(&mut |row, cells, too_long| rows.push_row(row, cells, too_long, sink));
            }
        }
        self.rows.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str, d: char) -> Vec<(u64, Vec<String>)> {
        let mut t = Tokenizer::new(d);
        let mut out = Vec::new();
        t.feed(text, &mut |r, c, _| out.push((r, c)));
        t.finish(&mut |r, c, _| out.push((r, c)));
        out
    }

    #[test]
    fn quoted_newlines_crlf_and_blank_lines() {
        let got = rows("a,\"b\r\nc\",\"d\"\"e\"\r\n\r\nf,g", ',');
        assert_eq!(
            got,
            vec![
                (1, vec!["a".into(), "b\r\nc".into(), "d\"e".into()]),
                (2, vec!["".into()]),
                (3, vec!["f".into(), "g".into()]),
            ]
        );
    }

    #[test]
    fn sniffs() {
        assert_eq!(sniff_delimiter("标题\na\tb\tc\n1\t2,5\t3\n"), '\t');
        assert_eq!(sniff_delimiter("a;b;c\n1;\"2;5\";3\n"), ';');
        assert_eq!(sniff_delimiter("title,,,\na,b,c,d\n\"1,000\",2,3,4\n"), ',');
    }
}
