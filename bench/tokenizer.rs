//! The import's CSV tokenizer against `csv-core` (the tokenizer under the `csv` crate) on the
//! same text, as issue 12 asked before keeping our own. Both get the decoded file in the 1 MiB
//! chunks the import reads and hand out each row's fields; the figure is the median of the
//! runs, in MB/s of the file. Both must find the same rows, fields and field bytes.
//!
//! ```text
//! make bench SIZES=1m        # writes target/bench-data/1m/cases.csv
//! cargo run --release --example tokenizer -- target/bench-data/1m/cases.csv [RUNS]
//! ```
//! BENCHMARKS.md keeps the figures with the machine and its load.

fn main() {
    // csv-core is a native dev-dependency: on wasm32 (`wasm-pack test` builds every target)
    // the example is empty.
    #[cfg(not(target_arch = "wasm32"))]
    native::run();
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::time::Instant;

    const CHUNK: usize = 1 << 20;

    /// What a tokenizer found: rows, fields and the bytes of the fields.
    #[derive(Debug, Default, PartialEq, Eq, Clone, Copy)]
    struct Found {
        rows: u64,
        fields: u64,
        bytes: u64,
    }

    /// The text in chunks of about [`CHUNK`] bytes, cut at character boundaries.
    fn chunks(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            let mut cut = rest.len().min(CHUNK);
            while !rest.is_char_boundary(cut) {
                cut += 1;
            }
            let (a, b) = rest.split_at(cut);
            out.push(a);
            rest = b;
        }
        out
    }

    fn ours(chunks: &[&str]) -> Found {
        let mut f = Found::default();
        dipcalc::input::tokenize(chunks, ',', &mut |fields| {
            f.rows += 1;
            f.fields += fields.len() as u64;
            f.bytes += fields.iter().map(|x| x.len() as u64).sum::<u64>();
        });
        f
    }

    fn csv_core(chunks: &[&str]) -> Found {
        use csv_core::{ReadRecordResult, Reader};
        let mut reader = Reader::new();
        let mut out = vec![0u8; 64 * 1024];
        let mut ends = vec![0usize; 256];
        let (mut used_out, mut used_ends) = (0, 0);
        let mut f = Found::default();
        // An empty input after the last chunk tells csv-core the text has ended.
        for chunk in chunks.iter().map(|c| c.as_bytes()).chain([&[][..]]) {
            let last = chunk.is_empty();
            let mut input = chunk;
            loop {
                // An empty input means the end of the text to csv-core: only after the last chunk.
                if input.is_empty() && !last {
                    break;
                }
                let (result, read, written, n_ends) =
                    reader.read_record(input, &mut out[used_out..], &mut ends[used_ends..]);
                input = &input[read..];
                used_out += written;
                used_ends += n_ends;
                match result {
                    ReadRecordResult::InputEmpty => break,
                    ReadRecordResult::OutputFull => out.resize(out.len() * 2, 0),
                    ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
                    ReadRecordResult::Record => {
                        f.rows += 1;
                        f.fields += used_ends as u64;
                        f.bytes += used_out as u64;
                        (used_out, used_ends) = (0, 0);
                    }
                    ReadRecordResult::End => return f,
                }
            }
        }
        f
    }

    fn median_mb_s(name: &str, runs: usize, bytes: usize, mut run: impl FnMut() -> Found) -> (f64, Found) {
        let mut times = Vec::new();
        let mut found = Found::default();
        for _ in 0..runs {
            let start = Instant::now();
            found = run();
            times.push(start.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        let mb_s = bytes as f64 / 1e6 / median;
        println!("{name:<9} {median:>8.3} s  {mb_s:>7.0} MB/s  runs {times:.3?}  {found:?}");
        (mb_s, found)
    }

    pub fn run() {
        let mut args = std::env::args().skip(1);
        let Some(path) = args.next() else {
            eprintln!("usage: tokenizer CASES.csv [RUNS]");
            std::process::exit(2);
        };
        let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(7);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let chunks = chunks(&text);
        println!(
            "{path}: {:.1} MB, {} chunks, median of {runs}",
            text.len() as f64 / 1e6,
            chunks.len()
        );
        let (a, found_a) = median_mb_s("ours", runs, text.len(), || ours(&chunks));
        let (b, found_b) = median_mb_s("csv-core", runs, text.len(), || csv_core(&chunks));
        assert_eq!(found_a, found_b, "the two tokenizers disagree");
        println!("ours / csv-core: {:.2}× the throughput", a / b);
    }
}
