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
use super::limits::MAX_ROW_BYTES;
use super::report::{FileFormat, ImportReport};
use super::rows::{RowOptions, RowProcessor, Sink, Table};

/// How much decoded text the delimiter is sniffed from.
const SNIFF_TEXT: usize = 16 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    StartField,
    InField,
    InQuoted,
    QuoteInQuoted,
}

/// The rows a [`Tokenizer`] hands out: the row number (from 1), its fields, and whether it
/// was cut at [`MAX_ROW_BYTES`] (then without fields).
pub(crate) type RowOut<'o> = dyn FnMut(u64, &[&str], bool) + 'o;

/// Splits decoded text into rows; keeps its state across chunks.
///
/// A row that lies whole in the text fed and has no quote (nearly all of them) is handed out
/// as slices of that text, without copying. Others are copied field by field into strings
/// reused from row to row; runs of ordinary characters are copied at once (the delimiter, quote
/// and line breaks it looks for are ASCII; a delimiter outside ASCII is read character by
/// character).
#[derive(Debug)]
pub(crate) struct Tokenizer {
    delimiter: char,
    state: State,
    /// The fields of the current row: `record[..used]` are complete, `record[used]` (when it
    /// exists) is the one being read; strings past it are empty, kept for their capacity.
    record: Vec<String>,
    used: usize,
    record_bytes: usize,
    too_long: bool,
    skip_lf: bool,
    row: u64,
    /// Where the last quoted field opened: its row and field (from 0).
    quote_at: (u64, usize),
    /// What each byte means to [`Tokenizer::plain_row`].
    class: [Byte; 256],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Byte {
    Plain,
    Delimiter,
    Quote,
    LineEnd,
}

/// The length of the run before the first of `a`, `b`, `c` in `bytes`.
fn run_before(bytes: &[u8], a: u8, b: u8, c: u8) -> usize {
    bytes
        .iter()
        .position(|&x| x == a || x == b || x == c)
        .unwrap_or(bytes.len())
}

impl Tokenizer {
    pub(crate) fn new(delimiter: char) -> Self {
        let mut class = [Byte::Plain; 256];
        class[usize::from(b'"')] = Byte::Quote;
        class[usize::from(b'\r')] = Byte::LineEnd;
        class[usize::from(b'\n')] = Byte::LineEnd;
        if delimiter.is_ascii() {
            class[delimiter as usize] = Byte::Delimiter;
        }
        Tokenizer {
            class,
            delimiter,
            state: State::StartField,
            record: Vec::new(),
            used: 0,
            record_bytes: 0,
            too_long: false,
            skip_lf: false,
            row: 0,
            quote_at: (0, 0),
        }
    }

    fn field(&mut self) -> &mut String {
        if self.record.len() == self.used {
            self.record.push(String::new());
        }
        &mut self.record[self.used]
    }

    fn clear_record(&mut self) {
        let n = self.record.len().min(self.used + 1);
        for f in &mut self.record[..n] {
            f.clear();
        }
        self.used = 0;
    }

    fn push_str(&mut self, s: &str) {
        if self.too_long || s.is_empty() {
            return;
        }
        self.record_bytes += s.len();
        if self.record_bytes > MAX_ROW_BYTES {
            self.too_long = true;
            self.clear_record();
            return;
        }
        self.field().push_str(s);
    }

    fn push_char(&mut self, c: char) {
        self.push_str(c.encode_utf8(&mut [0; 4]));
    }

    fn end_field(&mut self) {
        if !self.too_long {
            self.field();
            self.used += 1;
            self.record_bytes += 1;
            if self.record_bytes > MAX_ROW_BYTES {
                self.too_long = true;
                self.clear_record();
            }
        }
        self.state = State::StartField;
    }

    fn end_record(&mut self, out: &mut RowOut<'_>) {
        self.end_field();
        self.row += 1;
        let too_long = self.too_long;
        self.too_long = false;
        self.record_bytes = 0;
        let used = if too_long { 0 } else { self.used };
        let fields: Vec<&str> = self.record[..used].iter().map(String::as_str).collect();
        out(self.row, &fields, too_long);
        self.clear_record();
    }

    /// A row without quotes at `text[from..]`, ended by a line break within it, split into
    /// `fields`: the length of its text, or `None` (a quote, no line break yet, or too long to
    /// be taken whole: a cut row takes the slow path). The bytes looked for are ASCII, so every
    /// cut is a character boundary.
    fn plain_row<'t>(&self, text: &'t str, from: usize, fields: &mut Vec<&'t str>) -> Option<usize> {
        let bytes = text.as_bytes();
        fields.clear();
        let mut start = from;
        let end = bytes.len().min(from + MAX_ROW_BYTES);
        let mut j = from;
        while j < end {
            // Eight bytes at a time past ordinary ones, to the first that may not be.
            if let Some(word) = bytes.get(j..j + 8).filter(|_| j + 8 <= end) {
                let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
                let special = self.special_bytes(word);
                if special == 0 {
                    j += 8;
                    continue;
                }
                j += (special.trailing_zeros() / 8) as usize;
            }
            match self.class[usize::from(bytes[j])] {
                Byte::Plain => {}
                Byte::Delimiter => {
                    fields.push(&text[start..j]);
                    start = j + 1;
                }
                Byte::LineEnd => {
                    fields.push(&text[start..j]);
                    return Some(j - from);
                }
                Byte::Quote => return None,
            }
            j += 1;
        }
        None
    }

    /// The high bit set in each byte of `word` (little-endian) that equals the delimiter, a
    /// quote or a line break; exact up to the lowest such byte, which is all `plain_row` reads.
    fn special_bytes(&self, word: u64) -> u64 {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let equal = |b: u8| {
            let x = word ^ (ONES * u64::from(b));
            x.wrapping_sub(ONES) & !x & HIGH
        };
        equal(self.delimiter as u8) | equal(b'"') | equal(b'\r') | equal(b'\n')
    }

    /// Between two rows, as a tokenizer that has read nothing is: no row begun, no line feed
    /// of a CRLF still to skip.
    fn between_rows(&self) -> bool {
        self.at_row_start() && !self.skip_lf
    }

    /// Nothing of a row read yet.
    fn at_row_start(&self) -> bool {
        self.state == State::StartField
            && self.used == 0
            && !self.too_long
            && self.record.first().is_none_or(String::is_empty)
    }

    pub(crate) fn feed(&mut self, text: &str, out: &mut RowOut<'_>) {
        if !self.delimiter.is_ascii() {
            return self.feed_chars(text, out);
        }
        let d = self.delimiter as u8;
        let bytes = text.as_bytes();
        let mut fields: Vec<&str> = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if self.skip_lf {
                self.skip_lf = false;
                if bytes[i] == b'\n' {
                    i += 1;
                    continue;
                }
            }
            if self.at_row_start() {
                if let Some(len) = self.plain_row(text, i, &mut fields) {
                    self.row += 1;
                    out(self.row, &fields, false);
                    i += len;
                    self.skip_lf = bytes[i] == b'\r';
                    i += 1;
                    continue;
                }
            }
            match self.state {
                State::StartField | State::InField => {
                    if self.state == State::StartField && bytes[i] == b'"' {
                        self.open_quote();
                        i += 1;
                        continue;
                    }
                    let run = run_before(&bytes[i..], d, b'\r', b'\n');
                    if run > 0 {
                        // The bytes looked for are ASCII: both ends are character boundaries.
                        self.push_str(&text[i..i + run]);
                        self.state = State::InField;
                        i += run;
                        continue;
                    }
                    let b = bytes[i];
                    i += 1;
                    if b == d {
                        self.end_field();
                    } else {
                        self.skip_lf = b == b'\r';
                        self.end_record(out);
                    }
                }
                State::InQuoted => {
                    let run = run_before(&bytes[i..], b'"', b'"', b'"');
                    self.push_str(&text[i..i + run]);
                    i += run;
                    if i < bytes.len() {
                        self.state = State::QuoteInQuoted;
                        i += 1;
                    }
                }
                State::QuoteInQuoted => {
                    let c = text[i..].chars().next().unwrap_or('\0');
                    i += c.len_utf8();
                    self.quote_in_quoted(c, out);
                }
            }
        }
    }

    fn open_quote(&mut self) {
        self.state = State::InQuoted;
        self.quote_at = (self.row + 1, self.used);
    }

    /// At the end of the text: the row and field (from 0) of a quoted field still open, which
    /// took the rest of the file into one cell.
    pub(crate) fn unclosed_quote(&self) -> Option<(u64, usize)> {
        (self.state == State::InQuoted).then_some(self.quote_at)
    }

    fn quote_in_quoted(&mut self, c: char, out: &mut RowOut<'_>) {
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

    /// [`Tokenizer::feed`] character by character, for a delimiter outside ASCII.
    fn feed_chars(&mut self, text: &str, out: &mut RowOut<'_>) {
        for c in text.chars() {
            if self.skip_lf {
                self.skip_lf = false;
                if c == '\n' {
                    continue;
                }
            }
            match self.state {
                State::StartField | State::InField => {
                    if self.state == State::StartField && c == '"' {
                        self.open_quote();
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
                State::InQuoted => {
                    if c == '"' {
                        self.state = State::QuoteInQuoted;
                    } else {
                        self.push_char(c);
                    }
                }
                State::QuoteInQuoted => self.quote_in_quoted(c, out),
            }
        }
    }

    /// The last row, when the text does not end with a line break.
    pub(crate) fn finish(&mut self, out: &mut RowOut<'_>) {
        let pending = self.state != State::StartField
            || self.record.get(self.used).is_some_and(|f| !f.is_empty())
            || self.used > 0
            || self.too_long;
        if pending {
            self.end_record(out);
        }
    }
}

/// The tokenizer alone over decoded text fed in chunks: each row's fields to `on_row`. For
/// measuring it against other tokenizers (`bench/tokenizer.rs`); imports go through
/// [`TextStream`].
#[doc(hidden)]
pub fn tokenize(chunks: &[&str], delimiter: char, on_row: &mut dyn FnMut(&[&str])) {
    let mut t = Tokenizer::new(delimiter);
    let mut out = |_: u64, fields: &[&str], _: bool| on_row(fields);
    for chunk in chunks {
        t.feed(chunk, &mut out);
    }
    t.finish(&mut out);
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
    /// Whether the last byte pushed was a line feed.
    ends_with_lf: bool,
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
            ends_with_lf: false,
        }
    }

    /// A stream for the rest of the file after a line feed, once this one has read the header
    /// (the encoding and delimiter known, data rows being read): the same decoding and
    /// layout, rows numbered from the line feed. `None` before that, and for encodings in
    /// which a `0x0A` byte may be part of a character (UTF-16); in UTF-8 and GB18030 it is
    /// always a line feed and no character continues past it.
    pub(crate) fn continuation(&self) -> Option<Self> {
        let choice = self.rows.report.encoding?;
        if !matches!(choice.encoding, TextEncoding::Utf8 | TextEncoding::Gb18030) || self.decoder.is_none() {
            return None;
        }
        let delimiter = self.tokenizer.as_ref()?.delimiter;
        Some(TextStream {
            opts: self.opts.clone(),
            pending: Vec::new(),
            // A byte-order mark is one only at the very start of the file.
            decoder: Some(choice.encoding.encoding().new_decoder_without_bom_handling()),
            text: String::new(),
            tokenizer: Some(Tokenizer::new(delimiter)),
            rows: self.rows.continuing()?,
            bytes: 0,
            ends_with_lf: false,
        })
    }

    /// Whether the text pushed so far ends with a line feed that leaves every layer as it is
    /// at the start of a row: the decoder (nothing held: see [`TextStream::continuation`]),
    /// the tokenizer (no quoted field open, no CRLF half read) and the rows (reading data).
    pub(crate) fn between_rows(&self) -> bool {
        self.ends_with_lf
            && self.pending.is_empty()
            && self.text.is_empty()
            && self.tokenizer.as_ref().is_some_and(Tokenizer::between_rows)
            && self.rows.in_data()
    }

    /// The rows the tokenizer has handed out (the last row's number).
    pub(crate) fn rows_seen(&self) -> u64 {
        self.tokenizer.as_ref().map_or(0, |t| t.row)
    }

    pub(crate) fn push(&mut self, chunk: &[u8], sink: &mut Sink<'_, T>) {
        self.bytes += chunk.len() as u64;
        if let Some(&last) = chunk.last() {
            self.ends_with_lf = last == b'\n';
        }
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

    fn decode(&mut self, bytes: &[u8], last: bool, sink: &mut Sink<'_, T>) {
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

    fn text_in(&mut self, text: &str, last: bool, sink: &mut Sink<'_, T>) {
        if self.tokenizer.is_none() {
            self.text.push_str(text);
            if !last && self.text.len() < SNIFF_TEXT {
                return;
            }
            let delimiter = self.opts.delimiter.unwrap_or_else(|| sniff_delimiter(&self.text));
            self.rows.report.delimiter = Some(delimiter.to_string());
            self.tokenizer = Some(Tokenizer::new(delimiter));
            let buffered = std::mem::take(&mut self.text);
            self.tokenize(&buffered, sink);
            return;
        }
        self.tokenize(text, sink);
    }

    fn tokenize(&mut self, text: &str, sink: &mut Sink<'_, T>) {
        let Some(tok) = self.tokenizer.as_mut() else {
            return;
        };
        let rows = &mut self.rows;
        tok.feed(text, &mut |row, cells, too_long| {
            rows.push_row(row, cells, too_long, sink)
        });
    }

    pub(crate) fn finish(mut self, sink: &mut Sink<'_, T>) -> Result<(ImportReport, T::State), ImportFailure> {
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
            if let Some((row, field)) = self.tokenizer.as_ref().and_then(Tokenizer::unclosed_quote) {
                // The rest of the file is one cell: its row's other errors would only mislead.
                self.rows.unclosed_quote(row, field);
            } else if let Some(tok) = self.tokenizer.as_mut() {
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
        let mut keep = |r, c: &[&str], _| out.push((r, c.iter().map(|f| f.to_string()).collect()));
        t.feed(text, &mut keep);
        t.finish(&mut keep);
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
    fn rows_fed_whole_split_as_fed_by_character() {
        // Fed whole, most rows take the plain path; fed a character at a time, none can.
        let pieces = [
            "a",
            "12.5",
            ",",
            ",",
            "\"",
            "\r\n",
            "\n",
            "\r",
            " ",
            "是",
            "H35090000004",
            ";",
        ];
        let mut text = String::new();
        let mut x: u64 = 2024;
        for _ in 0..5000 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            text.push_str(pieces[(x >> 33) as usize % pieces.len()]);
        }
        let mut one_by_one = Vec::new();
        let mut t = Tokenizer::new(',');
        let mut keep = |r, c: &[&str], _| one_by_one.push((r, c.iter().map(|f| f.to_string()).collect::<Vec<_>>()));
        for c in text.chars() {
            t.feed(c.encode_utf8(&mut [0; 4]), &mut keep);
        }
        t.finish(&mut keep);
        assert_eq!(rows(&text, ','), one_by_one);
    }

    #[test]
    fn sniffs() {
        assert_eq!(sniff_delimiter("标题\na\tb\tc\n1\t2,5\t3\n"), '\t');
        assert_eq!(sniff_delimiter("a;b;c\n1;\"2;5\";3\n"), ';');
        assert_eq!(sniff_delimiter("title,,,\na,b,c,d\n\"1,000\",2,3,4\n"), ',');
    }
}
