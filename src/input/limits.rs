//! The input layer's limits in one place: what a row, a header, a workbook part and the lists
//! of errors and skipped rows may hold. Each bound is far above any real settlement file and far
//! below what would exhaust memory (natively or in the page's 4 GB wasm address space); a file
//! over one is refused with a located error, never allocated.

/// Longest row accepted (a longer one is usually an unclosed quote).
pub const MAX_ROW_BYTES: usize = 1 << 20;

/// How many non-empty rows above the header are searched (title rows, unit lines).
pub const MAX_PREAMBLE_ROWS: usize = 30;

/// Longer header cells are not matched against aliases.
pub const MAX_HEADER_BYTES: usize = 200;

/// How many errors are kept (the rest are counted).
pub const MAX_ERRORS: usize = 100;

/// How many skipped rows and bad rows a report lists (the rest are counted).
pub const MAX_LISTED_ROWS: usize = 100;

/// Cells in one sheet's used area (rows × columns, as calamine lays them out: ~40 bytes each).
pub const MAX_SHEET_CELLS: u64 = 20_000_000;

/// Bytes of XML for one shared string or one cell: Excel holds at most 32,767 characters in a
/// cell (4 bytes each at most in UTF-8, escaped), so 1 MiB leaves room for rich-text runs.
pub const MAX_ITEM_BYTES: u64 = 1 << 20;

/// Unpacked bytes of one part (a million-row sheet is ~300 MB of XML).
pub const MAX_PART_BYTES: u64 = 1 << 30;
