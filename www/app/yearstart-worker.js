// The worker's side of the 年初测算 view (www/app/yearstart.js, docs/calibrate.md): one
// `Calibrator` beside the session, holding the past years' case files (read here in 4 MiB slices,
// with progress, as the session reads a case file) and the last calibration. Requests, all named
// 'ys-…' (see worker.js for the protocol):
//
//   ys-reset                             forget the history (a new set of years follows)
//   ys-add       {file, name, options}   the next later year's case file → its number of cases
//   ys-calibrate {options, policy, institutions, catalog}   → the calibration as JSON text
//   ys-simulate  {policy, applyLevels}   → the simulation per fund as JSON text
//   ys-proposed  {policy}                → the policy with the proposed level table, JSON text
//   ys-catalog   {format, lang}          → the catalog file: CSV (with BOM) or XLSX bytes
//
// JSON answers are text: the page parses them (one copy across, not a cloned object graph).

const CHUNK = 4 * 1024 * 1024;
const BOM = '\ufeff';

export function yearStartHandlers(wasm, post) {
  let calibrator = null;
  const cal = () => {
    calibrator ??= new wasm.Calibrator();
    return calibrator;
  };
  const table = async (set, t) => {
    if (t) set(t.name, new Uint8Array(await t.file.arrayBuffer()), t.options ?? null);
  };
  return {
    'ys-reset': () => {
      calibrator?.free();
      calibrator = null;
      return null;
    },
    'ys-add': async (id, { file, name, options }) => {
      const c = cal();
      c.begin_history(name, options ?? null);
      const total = file.size;
      let rows = 0;
      try {
        for (let offset = 0; offset < total; offset += CHUNK) {
          const chunk = new Uint8Array(await file.slice(offset, offset + CHUNK).arrayBuffer());
          rows = c.push_history(chunk);
          post({ id, type: 'progress', payload: { bytes: Math.min(offset + CHUNK, total), total, rows } });
        }
        return c.finish_history();
      } catch (err) {
        c.cancel_history();
        throw err;
      }
    },
    'ys-calibrate': async (_id, { options, policy, institutions, catalog }) => {
      const c = cal();
      c.clear_tables();
      await table((...a) => c.set_institutions(...a), institutions);
      await table((...a) => c.set_catalog(...a), catalog);
      return policy ? c.calibrate_with_policy_json(options, policy) : c.calibrate_json(options);
    },
    'ys-simulate': (_id, { policy, applyLevels }) => cal().simulate_json(policy, !!applyLevels),
    'ys-proposed': (_id, { policy }) => cal().proposed_policy_json(policy),
    'ys-catalog': (_id, { format, lang }) => {
      if (format === 'xlsx') {
        const bytes = cal().catalog_xlsx(lang);
        return { bytes, mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' };
      }
      // As `dipcalc calibrate --catalog-out FILE.csv` writes it: UTF-8 with a BOM.
      return { text: BOM + cal().catalog_csv(lang), mime: 'text/csv;charset=utf-8' };
    },
  };
}
