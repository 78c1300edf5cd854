//! [`Session`]: the data a page has loaded, kept in wasm memory, and everything computed from it.
//!
//! The page's worker owns one session. Tables come in as bytes (`import_table`) or, for case
//! files of any size, in chunks (`begin_cases` / `push_cases` / `finish_cases`), each case going
//! straight into the engine's compact case table. The data sits in an engine [`Settler`], which
//! redoes the per-case pass only when the points parameters change; whole settlements are also
//! cached by the policy's JSON text, so the analyses of the policy on screen (group breakdown,
//! dilution, comparison, exports) never settle twice.
//!
//! A re-settle after a slider move sends the page a summary (`settle_summary_json`): the
//! settlement without each unit's months, quarters and trace, which the page asks for per unit
//! (`unit_detail`) when one is opened. JSON text, parsed by the page, because building the same
//! values as JavaScript objects here and cloning them between threads costs far more.

use std::collections::BTreeMap;
use std::rc::Rc;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{parse_decimal, parse_lang, parse_options, parse_policy, parse_table, to_js, Problem};
use crate::engine::analysis::{self, BreakdownCases};
use crate::engine::disclosure;
use crate::engine::estimate::PreviousYear;
use crate::engine::result::{FundResult, PaymentLine, Settlement, TraceLine};
use crate::engine::{unit_trace, Settler};
use crate::input::{self, CaseStream, ImportReport, Lang, Source, TableKind};
use crate::policy::Policy;
use crate::records::cases::CaseTable;

/// How many settlements are kept (the policy on screen, its baseline, a few recent ones).
const CACHE: usize = 4;

struct Settled {
    policy: Policy,
    /// The settlement (settled without traces) with every unit's months and quarters moved
    /// out to `details`.
    summary: Settlement,
    /// Per fund and unit, in `summary`'s order.
    details: Vec<Vec<UnitPayments>>,
}

/// A unit's payment flow, kept apart from the summary.
#[derive(Clone)]
struct UnitPayments {
    months: Vec<PaymentLine>,
    quarters: Vec<PaymentLine>,
}

/// What a unit's ▸ opens in the page: its payment flow and the arithmetic of its figures.
#[derive(Serialize)]
struct UnitDetail<'a> {
    months: &'a [PaymentLine],
    quarters: &'a [PaymentLine],
    trace: Vec<TraceLine>,
}

impl Settled {
    /// From a settlement without traces ([`Settler::settle_without_traces`]): a unit's trace is
    /// written when it is asked for.
    fn new(policy: Policy, mut summary: Settlement) -> Self {
        let details = summary
            .funds
            .iter_mut()
            .map(|f| {
                f.units
                    .iter_mut()
                    .map(|u| UnitPayments {
                        months: std::mem::take(&mut u.months),
                        quarters: std::mem::take(&mut u.quarters),
                    })
                    .collect()
            })
            .collect();
        Settled {
            policy,
            summary,
            details,
        }
    }

    /// The whole settlement, as the command line reports it.
    fn full(&self) -> Settlement {
        let mut s = self.summary.clone();
        for (f, details) in s.funds.iter_mut().zip(&self.details) {
            let traces: Vec<Vec<TraceLine>> = f.units.iter().map(|u| unit_trace(&self.policy, f, u)).collect();
            for ((u, d), trace) in f.units.iter_mut().zip(details).zip(traces) {
                u.months = d.months.clone();
                u.quarters = d.quarters.clone();
                u.trace = trace;
            }
        }
        s
    }

    /// Unit `n` of fund `at`: its payment flow and its trace.
    fn unit_detail(&self, at: usize, n: usize) -> UnitDetail<'_> {
        let (fund, payments) = (&self.summary.funds[at], &self.details[at][n]);
        UnitDetail {
            months: &payments.months,
            quarters: &payments.quarters,
            trace: unit_trace(&self.policy, fund, &fund.units[n]),
        }
    }
}

/// A previous year's case file read: its report, and the funds it gives monthly shares for.
#[derive(Serialize)]
struct PreviousYearView<'a> {
    report: &'a ImportReport,
    notes_zh: Vec<String>,
    notes_en: Vec<String>,
    cases: usize,
    profile: &'a PreviousYear,
}

/// A report with its plain-language notes in both languages.
#[derive(Serialize)]
struct ReportView<'a> {
    report: &'a ImportReport,
    notes_zh: Vec<String>,
    notes_en: Vec<String>,
}

fn report_view(report: &ImportReport) -> ReportView<'_> {
    ReportView {
        report,
        notes_zh: report.notes(Lang::Zh),
        notes_en: report.notes(Lang::En),
    }
}

#[derive(Serialize)]
struct Counts {
    institutions: usize,
    groups: usize,
    per_diem_groups: usize,
    cases: usize,
    summaries: usize,
    outpatient: usize,
    adjustments: usize,
}

struct CaseImport {
    stream: CaseStream,
    cases: CaseTable,
    /// The file's size when the page gave it (`case_file_size`), until room is made for its
    /// rows; and the bytes fed so far.
    file_bytes: Option<u64>,
    read: u64,
}

impl CaseImport {
    fn new(stream: CaseStream) -> Self {
        CaseImport {
            stream,
            cases: CaseTable::new(),
            file_bytes: None,
            read: 0,
        }
    }

    /// Feeds a chunk; once the first rows are in, makes room for the file's rows
    /// ([`CaseTable::reserve_for_file`]).
    fn push(&mut self, chunk: &[u8]) {
        // The table is the sink: codes are interned straight from the row's text.
        self.stream.push(chunk, &mut self.cases);
        self.read += chunk.len() as u64;
        if let Some(total) = self.file_bytes {
            if self.cases.reserve_for_file(total, self.read) > 0 {
                self.file_bytes = None;
            }
        }
    }
}

/// The data the page has loaded and the settlements computed from it.
#[wasm_bindgen]
pub struct Session {
    data: Settler,
    reports: BTreeMap<String, ImportReport>,
    import: Option<CaseImport>,
    cache: Vec<(String, Rc<Settled>)>,
    /// The cases of the institution last asked about (`group_breakdown`), so its analyses
    /// do not walk every case.
    institution_cases: Option<(String, CaseTable)>,
    /// The group breakdown's walk over those cases under the last points parameters.
    breakdown: Option<BreakdownCases>,
    /// The tables passed the cross-file check and have not changed since.
    checked: bool,
    /// 区域公布数据, for the year-end estimate (SPEC §11).
    published: Vec<crate::records::PublishedMonth>,
    /// A previous year's case file being read (`begin_previous_year`).
    previous_import: Option<CaseImport>,
    /// What the estimate keeps of a previous year's case file: its monthly shares of the
    /// region's points (SPEC §11), not its cases.
    previous_year: Option<PreviousYear>,
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

impl Session {
    fn changed(&mut self) {
        self.cache.clear();
        self.institution_cases = None;
        self.breakdown = None;
        self.checked = false;
    }

    /// Keeps the cases of one institution apart: a table with the same codes holding its rows
    /// only, in their order, so an analysis over it gives what it gives over all the cases.
    fn keep_cases_of(&mut self, institution: &str) {
        if self
            .institution_cases
            .as_ref()
            .is_some_and(|(code, _)| code == institution)
        {
            return;
        }
        let all = self.data.cases();
        let rows = match all.institutions.find(institution) {
            Some(i) => all.rows.iter().filter(|r| r.institution == i).copied().collect(),
            None => Vec::new(),
        };
        let table = CaseTable {
            institutions: all.institutions.clone(),
            groups: all.groups.clone(),
            rows,
        };
        self.institution_cases = Some((institution.to_string(), table));
    }

    /// The settlement of a policy (JSON text), from the cache or computed and cached.
    fn settled(&mut self, policy_json: &str) -> Result<Rc<Settled>, Problem> {
        if let Some(pos) = self.cache.iter().position(|(k, _)| k == policy_json) {
            let hit = self.cache.remove(pos);
            let value = Rc::clone(&hit.1);
            self.cache.push(hit);
            return Ok(value);
        }
        let policy = parse_policy(policy_json)?;
        let data = self.data.data();
        if data.institutions.is_empty() {
            return Err(Problem::Missing {
                zh: "尚未载入机构表".into(),
                en: "no institutions loaded yet".into(),
            });
        }
        if data.catalog.groups.is_empty() && data.catalog.per_diem_groups.is_empty() && data.summaries.is_empty() {
            return Err(Problem::Missing {
                zh: "尚未载入病种目录".into(),
                en: "no catalog loaded yet".into(),
            });
        }
        if self.data.cases().is_empty() && data.summaries.is_empty() {
            return Err(Problem::Missing {
                zh: "尚未载入病例明细或机构汇总".into(),
                en: "no cases or institution summaries loaded yet".into(),
            });
        }
        // The tables against each other, the cases included: every
        // unknown code with its first row and count, not just the engine's first error.
        // It depends on the data only: once passed, not again until a table changes.
        if !self.checked {
            let problems = input::check_dataset(data);
            if !problems.is_empty() {
                return Err(Problem::Check(problems));
            }
            self.checked = true;
        }
        let mut settlement = self.data.settle_without_traces(&policy).map_err(Problem::Engine)?;
        let disclosed = disclosure::disclosures(&settlement, &self.data.data().institutions);
        settlement.notices.extend(disclosed);
        let value = Rc::new(Settled::new(policy, settlement));
        if self.cache.len() >= CACHE {
            self.cache.remove(0);
        }
        self.cache.push((policy_json.to_string(), Rc::clone(&value)));
        Ok(value)
    }

    /// Gain and loss by disease group, over the institution's own cases only. The walk over
    /// its cases is kept while the points parameters stay ([`BreakdownCases`]): a budget,
    /// coefficient or risk-sharing change prices the lines again without it.
    fn group_lines(
        &mut self,
        policy_json: &str,
        fund: &str,
        institution: &str,
    ) -> Result<Vec<analysis::GroupLine>, Problem> {
        let s = self.settled(policy_json)?;
        let f = Self::fund_of(&s.summary, fund)?;
        if let Some(kept) = self.breakdown.as_mut().filter(|b| b.fits(&s.policy, f, institution)) {
            return kept.lines(&s.policy, self.data.data(), f).map_err(Problem::Engine);
        }
        self.breakdown = None;
        self.keep_cases_of(institution);
        let cases = self
            .institution_cases
            .as_ref()
            .map_or(self.data.cases(), |(_, table)| table);
        let mut walked =
            BreakdownCases::new(&s.policy, self.data.data(), cases, f, institution).map_err(Problem::Engine)?;
        let lines = walked.lines(&s.policy, self.data.data(), f).map_err(Problem::Engine)?;
        self.breakdown = Some(walked);
        Ok(lines)
    }

    /// A policy's settlement with the data behind it, for other binding modules (the
    /// publication bundle, `src/wasm_publish.rs`).
    pub(crate) fn with_settled<R>(
        &mut self,
        policy_json: &str,
        f: impl FnOnce(&Policy, &Settlement, &Settler) -> R,
    ) -> Result<R, Problem> {
        let s = self.settled(policy_json)?;
        Ok(f(&s.policy, &s.full(), &self.data))
    }

    fn fund_of<'s>(s: &'s Settlement, fund: &str) -> Result<&'s FundResult, Problem> {
        s.funds
            .iter()
            .find(|f| f.fund.key() == fund || f.fund.label_zh() == fund)
            .ok_or_else(|| Problem::argument("fund", format_args!("{fund:?} is not settled by this policy")))
    }

    fn set_report(&mut self, report: ImportReport) {
        let key = serde_json::to_value(report.table)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        self.reports.insert(key, report);
    }
}

#[wasm_bindgen]
impl Session {
    /// An empty session.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Session {
        // The page moves H and L again and again: keep the DIP cases by cost (4 bytes a case)
        // so that a threshold change rescores the outliers only.
        let mut data = Settler::default();
        data.revisit_outliers(true);
        Session {
            data,
            reports: BTreeMap::new(),
            import: None,
            cache: Vec::new(),
            institution_cases: None,
            breakdown: None,
            checked: false,
            published: Vec::new(),
            previous_import: None,
            previous_year: None,
        }
    }

    /// Reads a whole table from a file's bytes and keeps its records, replacing what was loaded
    /// for that table (a catalog of 床日 groups alone is added to the DIP groups loaded). Returns
    /// `{report, notes_zh, notes_en}`; throws with the located errors (`kind: "import"`).
    pub fn import_table(
        &mut self,
        kind: &str,
        file_name: &str,
        bytes: &[u8],
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let table = parse_table(kind)?;
        let opts = parse_options(options)?;
        let src = Source { name: file_name, bytes };
        let report = match table {
            TableKind::Cases => {
                let r = input::read_cases(src, &opts).map_err(Problem::Import)?;
                self.data.set_cases(CaseTable::from_cases(&r.records));
                r.report
            }
            TableKind::Catalog => {
                // With cases loaded, several group-code columns are told apart by the cases' codes.
                let cases = self.data.cases();
                let in_cases = |code: &str| cases.groups.find(code).is_some();
                let matching = (!cases.is_empty()).then_some(&in_cases as &dyn Fn(&str) -> bool);
                let r = input::read_catalog_matching(src, &opts, matching).map_err(Problem::Import)?;
                let catalog = &mut self.data.data_mut().catalog;
                if r.records.groups.is_empty() && !r.records.per_diem_groups.is_empty() {
                    catalog.per_diem_groups = r.records.per_diem_groups;
                } else {
                    *catalog = r.records;
                }
                r.report
            }
            TableKind::Institutions => {
                let r = input::read_institutions(src, &opts).map_err(Problem::Import)?;
                self.data.data_mut().institutions = r.records;
                r.report
            }
            TableKind::Summaries => {
                let r = input::read_summaries(src, &opts).map_err(Problem::Import)?;
                self.data.data_mut().summaries = r.records;
                r.report
            }
            TableKind::Outpatient => {
                let r = input::read_outpatient(src, &opts).map_err(Problem::Import)?;
                self.data.data_mut().outpatient = r.records;
                r.report
            }
            TableKind::Adjustments => {
                let r = input::read_adjustments(src, &opts).map_err(Problem::Import)?;
                self.data.data_mut().adjustments = r.records;
                r.report
            }
            TableKind::Published => {
                let r = input::read_published(src, &opts).map_err(Problem::Import)?;
                self.published = r.records;
                r.report
            }
        };
        self.changed();
        let out = to_js(&report_view(&report));
        self.set_report(report);
        out
    }

    /// Starts reading a case file in chunks. The cases loaded before are dropped now (a case file
    /// of a million rows should not be held twice).
    pub fn begin_cases(&mut self, file_name: &str, options: JsValue) -> Result<(), JsValue> {
        let opts = parse_options(options)?;
        self.data.set_cases(CaseTable::new());
        self.reports.remove("cases");
        self.changed();
        self.import = Some(CaseImport::new(CaseStream::new(file_name, &opts)));
        Ok(())
    }

    /// Feeds the next chunk of the case file (split anywhere); returns the cases read so far.
    pub fn push_cases(&mut self, chunk: &[u8]) -> Result<f64, JsValue> {
        let import = self
            .import
            .as_mut()
            .ok_or_else(|| Problem::argument("cases", "push_cases before begin_cases"))?;
        import.push(chunk);
        Ok(import.cases.len() as f64)
    }

    /// The size of the case file being read, in bytes, when known (a `File`'s `size`): once its
    /// first rows are in, room is made for all of its rows at their mean length, so the table
    /// does not grow by doubling (the page's memory keeps its peak). Optional.
    pub fn case_file_size(&mut self, bytes: f64) -> Result<(), JsValue> {
        let import = self
            .import
            .as_mut()
            .ok_or_else(|| Problem::argument("cases", "case_file_size before begin_cases"))?;
        if bytes.is_finite() && bytes >= 0.0 {
            import.file_bytes = Some(bytes as u64);
        }
        Ok(())
    }

    /// Ends the case file: keeps the cases and returns `{report, notes_zh, notes_en}`, or drops
    /// them all and throws the located errors.
    pub fn finish_cases(&mut self) -> Result<JsValue, JsValue> {
        let CaseImport { stream, mut cases, .. } = self
            .import
            .take()
            .ok_or_else(|| Problem::argument("cases", "finish_cases before begin_cases"))?;
        let report = stream.finish(&mut cases).map_err(Problem::Import)?;
        self.data.set_cases(cases);
        self.changed();
        let out = to_js(&report_view(&report));
        self.set_report(report);
        out
    }

    /// Drops a case file being read.
    pub fn cancel_cases(&mut self) {
        self.import = None;
    }

    /// Starts reading a previous year's case file in chunks, for the estimate's monthly weights
    /// (SPEC §11; `dipcalc estimate --previous-year FILE`). Read like a case file (every format,
    /// the same options and bounds), but of another year: no policy year is asked of its dates.
    /// The profile loaded before stays until this file is finished.
    pub fn begin_previous_year(&mut self, file_name: &str, options: JsValue) -> Result<(), JsValue> {
        let opts = crate::input::ReadOptions {
            year: None,
            skip_out_of_year: false,
            ..parse_options(options)?
        };
        self.previous_import = Some(CaseImport::new(CaseStream::new(file_name, &opts)));
        Ok(())
    }

    /// Feeds the next chunk of the previous year's file; returns the cases read so far.
    pub fn push_previous_year(&mut self, chunk: &[u8]) -> Result<f64, JsValue> {
        let import = self
            .previous_import
            .as_mut()
            .ok_or_else(|| Problem::argument("previous_year", "push_previous_year before begin_previous_year"))?;
        import.push(chunk);
        Ok(import.cases.len() as f64)
    }

    /// Ends the previous year's file: settles it under `policy_json` with the institutions and
    /// catalog loaded, as the command line does, and keeps only its monthly shares of the
    /// region's points per fund ([`PreviousYear::from_settlement`]); its cases are dropped.
    /// Returns `{report, notes_zh, notes_en, cases, profile}`. Throws the located import errors,
    /// the engine's errors, or `kind: "missing"` when no fund has points in that year; the
    /// profile loaded before then stays. The shares are those of the policy given here: load
    /// the file again after changing how points are counted.
    pub fn finish_previous_year(&mut self, policy_json: &str) -> Result<JsValue, JsValue> {
        let CaseImport { stream, mut cases, .. } = self
            .previous_import
            .take()
            .ok_or_else(|| Problem::argument("previous_year", "finish_previous_year before begin_previous_year"))?;
        let report = stream.finish(&mut cases).map_err(Problem::Import)?;
        let policy = parse_policy(policy_json)?;
        let count = cases.len();
        let mut last = Settler::from_parts(self.data.data().without_cases(), cases);
        let settled = last.settle_without_traces(&policy).map_err(Problem::Engine)?;
        let profile = PreviousYear::from_settlement(&settled);
        if profile.funds.is_empty() {
            return Err(Problem::Missing {
                zh: "上年病例在政策结算的险种中没有点数，无法得出月度权重".into(),
                en: "the previous year's cases have no points in a fund the policy settles: no monthly weights".into(),
            }
            .into());
        }
        let out = to_js(&PreviousYearView {
            report: &report,
            notes_zh: report.notes(Lang::Zh),
            notes_en: report.notes(Lang::En),
            cases: count,
            profile: &profile,
        });
        self.previous_year = Some(profile);
        out
    }

    /// Drops a previous year's file being read.
    pub fn cancel_previous_year(&mut self) {
        self.previous_import = None;
    }

    /// Forgets the previous year's monthly shares.
    pub fn clear_previous_year(&mut self) {
        self.previous_import = None;
        self.previous_year = None;
    }

    /// Forgets a table.
    pub fn clear(&mut self, kind: &str) -> Result<(), JsValue> {
        match parse_table(kind)? {
            TableKind::Cases => self.data.set_cases(CaseTable::new()),
            TableKind::Catalog => self.data.data_mut().catalog = Default::default(),
            TableKind::Institutions => self.data.data_mut().institutions = Vec::new(),
            TableKind::Summaries => self.data.data_mut().summaries = Vec::new(),
            TableKind::Outpatient => self.data.data_mut().outpatient = Vec::new(),
            TableKind::Adjustments => self.data.data_mut().adjustments = Vec::new(),
            TableKind::Published => self.published = Vec::new(),
        }
        self.reports.remove(kind);
        self.changed();
        Ok(())
    }

    /// How many records of each table are loaded.
    pub fn counts(&self) -> Result<JsValue, JsValue> {
        let data = self.data.data();
        to_js(&Counts {
            institutions: data.institutions.len(),
            groups: data.catalog.groups.len(),
            per_diem_groups: data.catalog.per_diem_groups.len(),
            cases: self.data.cases().len(),
            summaries: data.summaries.len(),
            outpatient: data.outpatient.len(),
            adjustments: data.adjustments.len(),
        })
    }

    /// The import reports of the tables loaded, by table.
    pub fn reports(&self) -> Result<JsValue, JsValue> {
        let views: BTreeMap<&String, ReportView<'_>> = self.reports.iter().map(|(k, r)| (k, report_view(r))).collect();
        to_js(&views)
    }

    /// Errors across the files loaded (unknown institution or group codes, duplicates), as
    /// error-table rows; `[]` when they fit together.
    pub fn check(&self) -> Result<JsValue, JsValue> {
        to_js(&super::input_rows(&input::check_dataset(self.data.data())))
    }

    /// Settles the data under a policy (JSON text, as the command line reads it). Returns the
    /// [`Settlement`] (money and points as rounded strings); throws policy errors by field path
    /// (`kind: "policy"`), cross-file errors (`"check"`), engine errors (`"engine"`).
    pub fn settle(&mut self, policy_json: &str) -> Result<JsValue, JsValue> {
        let s = self.settled(policy_json)?;
        to_js(&s.full())
    }

    /// The settlement as `settle` gives it, but as JSON text and with each unit's `months`,
    /// `quarters` and `trace` empty (`[]`): what the page needs after every parameter change
    /// (`unit_detail` gives the rest for a unit). Same errors as `settle`.
    pub fn settle_summary_json(&mut self, policy_json: &str) -> Result<String, JsValue> {
        let s = self.settled(policy_json)?;
        serde_json::to_string(&s.summary).map_err(|e| Problem::argument("result", e).into())
    }

    /// One unit of one fund as `settle_summary_json` gives it (`null` when the fund settles no
    /// unit of that code): what the page's 本院 panel needs of the baseline, without the text
    /// of every unit. Same errors as `settle`, and for a fund the policy does not settle.
    pub fn unit_summary_json(&mut self, policy_json: &str, fund: &str, code: &str) -> Result<String, JsValue> {
        let s = self.settled(policy_json)?;
        let unit = s
            .summary
            .funds
            .iter()
            .find(|f| f.fund.key() == fund)
            .and_then(|f| f.units.iter().find(|u| u.code == code));
        serde_json::to_string(&unit).map_err(|e| Problem::argument("result", e).into())
    }

    /// Prepares the outlier revisit under a policy just settled (JSON text): the DIP cases put
    /// in order of cost within their groups, so the first change of H or L answers as fast as
    /// the later ones. The page's worker calls it when idle after a settle. Returns whether the
    /// revisit is ready (false: nothing settled under that policy's points parameters, or a
    /// rule the revisit cannot follow is on, and a change of H or L runs the full pass).
    pub fn prepare_outlier_revisit(&mut self, policy_json: &str) -> Result<bool, JsValue> {
        let policy = parse_policy(policy_json)?;
        Ok(self.data.prepare_outlier_index(&policy.points))
    }

    /// One unit's `{months, quarters, trace}` in one fund, as `settle` gives them.
    pub fn unit_detail(&mut self, policy_json: &str, fund: &str, code: &str) -> Result<JsValue, JsValue> {
        let s = self.settled(policy_json)?;
        let f = Self::fund_of(&s.summary, fund)?;
        let n =
            f.units.iter().position(|u| u.code == code).ok_or_else(|| {
                Problem::argument("institution", format_args!("{code:?} is not settled in this fund"))
            })?;
        let at = s
            .summary
            .funds
            .iter()
            .position(|x| x.fund == f.fund)
            .unwrap_or_default();
        to_js(&s.unit_detail(at, n))
    }

    /// Gain and loss by disease group of one institution in one fund (`employee`/`resident`),
    /// under a policy: `[{group, name, grassroots, cases, points, payment, cost, gain}]`.
    pub fn group_breakdown(&mut self, policy_json: &str, fund: &str, institution: &str) -> Result<JsValue, JsValue> {
        to_js(&self.group_lines(policy_json, fund, institution)?)
    }

    /// `group_breakdown` as JSON text (a large hospital has thousands of groups).
    pub fn group_breakdown_json(
        &mut self,
        policy_json: &str,
        fund: &str,
        institution: &str,
    ) -> Result<String, JsValue> {
        let lines = self.group_lines(policy_json, fund, institution)?;
        serde_json::to_string(&lines).map_err(|e| Problem::argument("result", e).into())
    }

    /// The 基层病种 effect per institution level in one fund under a policy (SPEC §8), as JSON
    /// text: `[{level, institutions, dip_cases, grassroots_cases, grassroots_share, weight,
    /// points, points_without_rule, effective_coefficient, nominal_coefficient}]`. From the
    /// cached per-case pass: cheap after a settle.
    pub fn grassroots_by_level_json(&mut self, policy_json: &str, fund: &str) -> Result<String, JsValue> {
        let s = self.settled(policy_json)?;
        let fund = Self::fund_of(&s.summary, fund)?.fund;
        let (data, agg) = self.data.aggregates(&s.policy).map_err(Problem::Engine)?;
        let lines = analysis::grassroots_by_level(&s.policy, data, agg, fund).map_err(Problem::Engine)?;
        serde_json::to_string(&lines).map_err(|e| Problem::argument("result", e).into())
    }

    /// What `extra_points` more points are worth to one unit and cost the others (SPEC §8).
    pub fn dilution(
        &mut self,
        policy_json: &str,
        fund: &str,
        code: &str,
        extra_points: &str,
    ) -> Result<JsValue, JsValue> {
        let extra = parse_decimal("extra points", extra_points)?;
        let s = self.settled(policy_json)?;
        let f = Self::fund_of(&s.summary, fund)?;
        let d = analysis::dilution(f, code, extra)
            .ok_or_else(|| Problem::argument("institution", format_args!("{code:?} has no points in this fund")))?;
        to_js(&d)
    }

    /// Baseline against scenario, per fund and unit (both policies as JSON text).
    pub fn compare(&mut self, baseline_json: &str, scenario_json: &str) -> Result<JsValue, JsValue> {
        let before = self.settled(baseline_json)?;
        let after = self.settled(scenario_json)?;
        to_js(&analysis::compare(&before.summary, &after.summary))
    }

    /// `compare` as JSON text (what the page parses after every parameter change).
    pub fn compare_json(&mut self, baseline_json: &str, scenario_json: &str) -> Result<String, JsValue> {
        let before = self.settled(baseline_json)?;
        let after = self.settled(scenario_json)?;
        serde_json::to_string(&analysis::compare(&before.summary, &after.summary))
            .map_err(|e| Problem::argument("result", e).into())
    }

    /// The risk-sharing rule of a policy around one unit's settlement S (SPEC §7.1): T for
    /// costs from S × (1 − w) to S × (1 + w), w reaching past the widest band, with both sides of
    /// each band edge so the cliff shows; and where the unit itself lands.
    pub fn risk_sharing_curve(&mut self, policy_json: &str, fund: &str, code: &str) -> Result<JsValue, JsValue> {
        let s = self.settled(policy_json)?;
        let f = Self::fund_of(&s.summary, fund)?;
        let u =
            f.units.iter().find(|u| u.code == code).ok_or_else(|| {
                Problem::argument("institution", format_args!("{code:?} is not settled in this fund"))
            })?;
        to_js(&analysis::risk_sharing_curve(&s.policy.settlement.risk_sharing, u))
    }

    /// The institution table as CSV for Excel (UTF-8 with BOM; formula-like text escaped), the same
    /// as `dipcalc run --format csv --out FILE` writes.
    pub fn export_csv(&mut self, policy_json: &str, lang: &str) -> Result<String, JsValue> {
        let s = self.settled(policy_json)?;
        let lang = match parse_lang(lang) {
            Lang::Zh => crate::export::Lang::Zh,
            Lang::En => crate::export::Lang::En,
        };
        Ok(format!(
            "{}{}",
            crate::export::BOM,
            crate::export::settlement_csv(&s.full(), lang)
        ))
    }

    /// The settlement as an .xlsx workbook (institutions, budget, point values, notes).
    pub fn export_xlsx(&mut self, policy_json: &str, lang: &str) -> Result<Vec<u8>, JsValue> {
        let s = self.settled(policy_json)?;
        let lang = match parse_lang(lang) {
            Lang::Zh => crate::export::Lang::Zh,
            Lang::En => crate::export::Lang::En,
        };
        crate::export_xlsx::settlement_xlsx(&s.full(), lang).map_err(|e| Problem::Export(e.to_string()).into())
    }

    /// The year-end estimate from the months loaded (SPEC §11) as JSON text, as `dipcalc
    /// estimate --format json` prints it; `options_json` is `EstimateOptions` (`{"through": 9,
    /// "growth": "0.03", …}`, `{}` for the defaults), the 区域公布数据 table loaded with
    /// `import_table("published", …)` is used, and the previous year's monthly shares when one
    /// was loaded (`begin_previous_year` … `finish_previous_year`). Same errors as `settle`.
    pub fn estimate_json(&mut self, policy_json: &str, options_json: &str) -> Result<String, JsValue> {
        // The same checks as a settlement (tables loaded, codes known).
        self.settled(policy_json)?;
        let policy = parse_policy(policy_json)?;
        let opts: crate::engine::estimate::EstimateOptions =
            serde_json::from_str(options_json).map_err(|e| Problem::argument("options", e))?;
        let (data, agg) = self.data.aggregates(&policy).map_err(Problem::Engine)?;
        let inputs = crate::engine::estimate::EstimateInputs {
            published: &self.published,
            previous_year: self.previous_year.as_ref(),
        };
        let e = crate::engine::estimate::estimate(&policy, data, agg, inputs, &opts).map_err(Problem::Engine)?;
        serde_json::to_string(&e).map_err(|e| Problem::Export(e.to_string()).into())
    }

    /// The settlement as JSON text, exactly as `dipcalc run --format json` prints it.
    pub fn export_json(&mut self, policy_json: &str) -> Result<String, JsValue> {
        let s = self.settled(policy_json)?;
        serde_json::to_string_pretty(&s.full())
            .map(|t| t + "\n")
            .map_err(|e| Problem::Export(e.to_string()).into())
    }
}
