//! [`Calibrator`]: the year start (SPEC §13, docs/calibrate.md) for the page — past years' case
//! files kept in wasm memory, the calibration and the simulation as JSON text, the catalog as
//! CSV or XLSX. No domain logic: it reads with the input layer and calls `crate::calibrate`.

use wasm_bindgen::prelude::*;

use super::{parse_lang, parse_options, parse_policy, Problem};
use crate::calibrate::{self, levels, output, simulate, CalibrateOptions, Calibration, HistoryYear};
use crate::export::Lang as ExportLang;
use crate::input::{self, CaseStream, Lang, Source};
use crate::records::cases::CaseTable;
use crate::records::{Catalog, Dataset, Institution};

/// Past years' cases (oldest first), the institutions and the catalog in force, and the last
/// calibration.
#[wasm_bindgen]
#[derive(Default)]
pub struct Calibrator {
    years: Vec<HistoryYear>,
    /// A history file being read in chunks (`begin_history` … `finish_history`).
    reading: Option<(String, CaseStream, CaseTable)>,
    institutions: Option<Vec<Institution>>,
    current: Option<Catalog>,
    last: Option<Calibration>,
}

fn export_lang(lang: &str) -> ExportLang {
    match parse_lang(lang) {
        Lang::Zh => ExportLang::Zh,
        Lang::En => ExportLang::En,
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, JsValue> {
    serde_json::to_string(value).map_err(|e| Problem::argument("result", e).into())
}

#[wasm_bindgen]
impl Calibrator {
    #[wasm_bindgen(constructor)]
    pub fn new() -> Calibrator {
        Calibrator::default()
    }

    /// The defaults of every option, as JSON (the form starts from them).
    pub fn default_options_json() -> Result<String, JsValue> {
        json(&CalibrateOptions::default())
    }

    /// Adds one year's case file (the next later year); returns the number of cases.
    pub fn add_history(&mut self, file_name: &str, bytes: &[u8], options: JsValue) -> Result<f64, JsValue> {
        let opts = parse_options(options)?;
        let mut stream = CaseStream::new(file_name, &opts);
        let mut cases = CaseTable::new();
        stream.push(bytes, &mut cases);
        stream.finish(&mut cases).map_err(Problem::Import)?;
        let n = cases.len() as f64;
        self.years.push(HistoryYear {
            label: file_name.to_string(),
            cases,
        });
        Ok(n)
    }

    /// Starts reading one year's case file in chunks (the next later year), as the session reads
    /// a case file: `push_history` per chunk, then `finish_history`.
    pub fn begin_history(&mut self, file_name: &str, options: JsValue) -> Result<(), JsValue> {
        let opts = parse_options(options)?;
        self.reading = Some((
            file_name.to_string(),
            CaseStream::new(file_name, &opts),
            CaseTable::new(),
        ));
        Ok(())
    }

    /// Feeds the next chunk (split anywhere); returns the cases read so far.
    pub fn push_history(&mut self, chunk: &[u8]) -> Result<f64, JsValue> {
        let (_, stream, cases) = self
            .reading
            .as_mut()
            .ok_or_else(|| Problem::argument("history", "push_history before begin_history"))?;
        stream.push(chunk, cases);
        Ok(cases.len() as f64)
    }

    /// Ends the file: keeps it as the next year and returns its number of cases, or drops it and
    /// throws the located errors.
    pub fn finish_history(&mut self) -> Result<f64, JsValue> {
        let (label, stream, mut cases) = self
            .reading
            .take()
            .ok_or_else(|| Problem::argument("history", "finish_history before begin_history"))?;
        stream.finish(&mut cases).map_err(Problem::Import)?;
        let n = cases.len() as f64;
        self.years.push(HistoryYear { label, cases });
        self.last = None;
        Ok(n)
    }

    /// Drops a history file being read.
    pub fn cancel_history(&mut self) {
        self.reading = None;
    }

    /// The number of history years loaded.
    pub fn history_years(&self) -> usize {
        self.years.len()
    }

    /// Forgets the history files.
    pub fn clear_history(&mut self) {
        self.years.clear();
        self.last = None;
    }

    /// Forgets the institution table and the catalog in force (set again before a calibration).
    pub fn clear_tables(&mut self) {
        self.institutions = None;
        self.current = None;
    }

    /// The institution table (levels for the coefficients, needed by the simulation).
    pub fn set_institutions(&mut self, file_name: &str, bytes: &[u8], options: JsValue) -> Result<(), JsValue> {
        let r = input::read_institutions(Source { name: file_name, bytes }, &parse_options(options)?)
            .map_err(Problem::Import)?;
        self.institutions = Some(r.records);
        Ok(())
    }

    /// The catalog in force (names, 基层病种 flags, 床日 groups for the simulation).
    pub fn set_catalog(&mut self, file_name: &str, bytes: &[u8], options: JsValue) -> Result<(), JsValue> {
        let r = input::read_catalog(Source { name: file_name, bytes }, &parse_options(options)?)
            .map_err(Problem::Import)?;
        self.current = Some(r.records);
        Ok(())
    }

    /// Calibrates with the options' JSON (`CalibrateOptions`; keys left out take the defaults).
    pub fn calibrate_json(&mut self, options_json: &str) -> Result<String, JsValue> {
        let o: CalibrateOptions = serde_json::from_str(options_json).map_err(|e| Problem::argument("options", e))?;
        let cal = calibrate::calibrate(&self.years, self.institutions.as_deref(), self.current.as_ref(), &o)
            .map_err(Problem::Engine)?;
        let text = json(&cal)?;
        self.last = Some(cal);
        Ok(text)
    }

    /// As `calibrate_json`, with the policy in force: its level coefficients are shown beside
    /// the proposed ones (`current` of each level line), as `dipcalc calibrate --policy` does.
    pub fn calibrate_with_policy_json(&mut self, options_json: &str, policy_json: &str) -> Result<String, JsValue> {
        let policy = parse_policy(policy_json)?;
        self.calibrate_json(options_json)?;
        let cal = self
            .last
            .as_mut()
            .ok_or_else(|| Problem::argument("result", "no calibration"))?;
        if let Some(levels) = cal.levels.as_mut() {
            levels::with_current(levels, &policy);
        }
        json(cal)
    }

    /// The policy with its level table set to the last calibration's proposed coefficients
    /// (SPEC §13; an institution row with its own 基本调节系数 keeps it): the scenario the page
    /// opens against the table in force.
    pub fn proposed_policy_json(&self, policy_json: &str) -> Result<String, JsValue> {
        let cal = self.calibration()?;
        let levels = cal.levels.as_ref().ok_or_else(|| Problem::Missing {
            zh: "等级系数需要机构表".into(),
            en: "level coefficients need the institution table".into(),
        })?;
        let policy = simulate::with_proposed_levels(&parse_policy(policy_json)?, levels);
        json(&policy)
    }

    fn calibration(&self) -> Result<&Calibration, Problem> {
        self.last.as_ref().ok_or_else(|| Problem::Missing {
            zh: "请先计算分值".into(),
            en: "calibrate first".into(),
        })
    }

    /// The last calibration's catalog as CSV (with its provenance columns; no BOM).
    pub fn catalog_csv(&self, lang: &str) -> Result<String, JsValue> {
        Ok(output::table_csv(&output::catalog_table(
            self.calibration()?,
            export_lang(lang),
        )))
    }

    /// The last calibration's catalog as an XLSX workbook.
    pub fn catalog_xlsx(&self, lang: &str) -> Result<Vec<u8>, JsValue> {
        let table = output::catalog_table(self.calibration()?, export_lang(lang));
        output::tables_xlsx(&[table]).map_err(|e| Problem::Export(e.to_string()).into())
    }

    /// Settles the latest year's cases under the policy with the new catalog (and the proposed
    /// level coefficients when `apply_levels`): the simulation per fund, as JSON.
    pub fn simulate_json(&self, policy_json: &str, apply_levels: bool) -> Result<String, JsValue> {
        let cal = self.calibration()?;
        let mut policy = parse_policy(policy_json)?;
        let missing = |zh: &str, en: &str| Problem::Missing {
            zh: zh.into(),
            en: en.into(),
        };
        let institutions = self
            .institutions
            .clone()
            .ok_or_else(|| missing("请先导入机构表", "load the institutions first"))?;
        let last = self
            .years
            .last()
            .ok_or_else(|| missing("请先导入历史病例", "load a history file first"))?;
        if apply_levels {
            if let Some(levels) = &cal.levels {
                policy = simulate::with_proposed_levels(&policy, levels);
            }
        }
        let mut catalog = output::catalog_records(cal);
        if let Some(cur) = &self.current {
            let extra: Vec<_> = cur
                .groups
                .iter()
                .filter(|g| catalog.groups.iter().all(|n| n.code != g.code))
                .cloned()
                .collect();
            catalog.groups.extend(extra);
            catalog.per_diem_groups = cur.per_diem_groups.clone();
        }
        let data = Dataset {
            institutions,
            catalog,
            ..Dataset::default()
        };
        let cross = input::check_dataset_with_cases(&data, &last.cases);
        if !cross.is_empty() {
            return Err(Problem::Check(cross).into());
        }
        let mut sim = simulate::simulate(&policy, data, last.cases.clone(), apply_levels).map_err(Problem::Engine)?;
        simulate::with_year_start(&mut sim, &cal.point_value);
        json(&sim.funds)
    }
}
