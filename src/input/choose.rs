//! Choosing between columns that could feed one field, by what they hold.
//!
//! A published DIP catalog may carry both 病种编码 (the main diagnosis, repeated across the
//! groups of its operations) and DIP分组编码 (the group, unique). Both are aliases of the group
//! code, so the header alone cannot tell which is meant. A first pass reads every candidate
//! column's codes; the group code must be unique in a catalog and is what the case file's codes
//! name, so the column whose codes are unique (then: the most found in the cases) is chosen,
//! the header's preference deciding only when the content does not. The choice is reported and
//! a caller's mapping (`--map catalog.group=…`, the mapping dialog) overrides it.

use std::collections::{BTreeMap, HashSet};

use super::fields::catalog as g;
use super::fields::TableKind;
use super::header::{letter_index, Layout};
use super::report::{Candidate, ChoiceReason, IgnoredReason, ImportReport, Reading};
use super::rows::{RowCtx, Table};

/// The codes of one candidate column.
#[derive(Default)]
pub(crate) struct Tally {
    values: u64,
    distinct: HashSet<String>,
}

/// Every candidate column of the group code (the alias's choice first), and its codes.
#[derive(Default)]
pub(crate) struct GroupColumns {
    order: Vec<usize>,
    tallies: BTreeMap<usize, Tally>,
}

/// The catalog read for its group-code candidates only (no record is built).
pub(crate) struct GroupProbe;

/// The group code's columns in a layout: the one mapped, then the duplicates left out.
fn candidates(layout: &Layout) -> Vec<usize> {
    let key = TableKind::Catalog
        .spec()
        .fields
        .get(g::GROUP)
        .map(|f| f.key)
        .unwrap_or_default();
    let mapped = layout.field_cols.get(g::GROUP).copied().flatten();
    let duplicates = layout.ignored.iter().filter_map(|c| match &c.reason {
        IgnoredReason::Duplicate { field } if field == key => letter_index(&c.letter),
        _ => None,
    });
    mapped.into_iter().chain(duplicates).collect()
}

impl Table for GroupProbe {
    type Record<'r> = ();
    type Owned = ();
    type State = GroupColumns;
    const KIND: TableKind = TableKind::Catalog;

    fn build(ctx: &mut RowCtx<'_>, state: &mut GroupColumns) -> Option<()> {
        if state.order.is_empty() {
            state.order = candidates(ctx.layout());
        }
        for &col in &state.order {
            let code = ctx.column_text(col);
            if code.is_empty() {
                continue;
            }
            let tally = state.tallies.entry(col).or_default();
            tally.values += 1;
            if !tally.distinct.contains(code) {
                tally.distinct.insert(code.to_string());
            }
        }
        Some(())
    }

    fn owned(_: ()) {}
}

impl GroupColumns {
    /// The header's choice (the column the aliases map).
    pub(crate) fn first(&self) -> usize {
        self.order.first().copied().unwrap_or_default()
    }

    /// The column to use when it is not the header's choice, with the reading that says why;
    /// `None` when there is one candidate. `in_cases` tells whether a code is a case file's.
    pub(crate) fn choose(
        &self,
        report: &ImportReport,
        in_cases: Option<&dyn Fn(&str) -> bool>,
    ) -> Option<(usize, Reading)> {
        if self.order.len() < 2 {
            return None;
        }
        let shown: Vec<(usize, Candidate)> = self
            .order
            .iter()
            .map(|&c| (c, self.candidate(c, report, in_cases)))
            .collect();
        let unique = |c: &Candidate| c.values > 0 && c.values == c.distinct;
        let rank = |c: &Candidate| (unique(c), c.matching_cases.unwrap_or(0));
        // The first of the best: ties keep the header's order.
        let mut best = 0;
        for (i, (_, c)) in shown.iter().enumerate().skip(1) {
            if shown.get(best).is_some_and(|(_, b)| rank(c) > rank(b)) {
                best = i;
            }
        }
        let (col, chosen) = shown.get(best).cloned()?;
        let others: Vec<Candidate> = shown
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != best)
            .map(|(_, (_, c))| c.clone())
            .collect();
        let reason = if others.iter().any(|o| unique(&chosen) && !unique(o)) {
            ChoiceReason::Unique
        } else if others.iter().any(|o| o.matching_cases < chosen.matching_cases) {
            ChoiceReason::MatchesCases
        } else {
            ChoiceReason::Header
        };
        let field = "group".to_string();
        Some((
            col,
            Reading::ColumnChosen {
                field,
                chosen,
                others,
                reason,
            },
        ))
    }

    fn candidate(&self, col: usize, report: &ImportReport, in_cases: Option<&dyn Fn(&str) -> bool>) -> Candidate {
        let letter = super::header::column_letter(col);
        let header = report
            .columns
            .iter()
            .map(|c| (&c.letter, &c.header))
            .chain(report.ignored_columns.iter().map(|c| (&c.letter, &c.header)))
            .find(|(l, _)| **l == letter)
            .map(|(_, h)| h.clone())
            .unwrap_or_default();
        let tally = self.tallies.get(&col);
        let distinct = tally.map(|t| &t.distinct);
        Candidate {
            header,
            letter,
            values: tally.map_or(0, |t| t.values),
            distinct: distinct.map_or(0, |d| d.len() as u64),
            matching_cases: in_cases.map(|f| distinct.map_or(0, |d| d.iter().filter(|c| f(c)).count() as u64)),
        }
    }
}
