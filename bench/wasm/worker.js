// The engine side of the benchmark, in a module worker like the page's (www/worker.js): the case
// file is read in 4 MiB File.slice() chunks pushed into a wasm Session (the page's CHUNK and
// loop), then settled; then re-settled after parameter changes a slider makes.
import init, * as wasm from '/pkg/dipcalc.js';

const CHUNK = 4 * 1024 * 1024;
const now = () => performance.now();

function summary(s) {
  return s.funds.map((f) => ({
    fund: f.fund,
    pool: f.pool,
    point_value: f.point_value,
    units: f.units.map((u) => [u.code, u.points.total, u.settlement, u.fund_pays]),
  }));
}

self.onmessage = async ({ data }) => {
  try {
    const out = { ms: {} };
    let t = now();
    const exports = await init();
    out.ms.init = now() - t;
    const policyText = await data.policy.text();
    const session = new wasm.Session();

    t = now();
    for (const kind of ['institutions', 'catalog']) {
      const file = data[kind];
      session.import_table(kind, file.name, new Uint8Array(await file.arrayBuffer()), null);
    }
    const file = data.cases;
    session.begin_cases(file.name, null);
    for (let offset = 0; offset < file.size; offset += CHUNK) {
      session.push_cases(new Uint8Array(await file.slice(offset, offset + CHUNK).arrayBuffer()));
    }
    session.finish_cases();
    out.ms.import = now() - t;
    const t1 = now();
    const first = session.settle(policyText);
    out.ms.settle = now() - t1;
    out.ms.import_and_settle = now() - t;
    out.first = summary(first);

    // Parameter changes as the page's controls make them, each a new policy text.
    const policy = JSON.parse(policyText);
    const changes = {
      // a budget figure (stage 2 only: the per-case pass is reused)
      budget_growth_cap: (p) => { p.funds.employee.forecast.growth_cap = '0.05'; },
      // a level coefficient (stage 2 only)
      level_coefficient: (p) => { p.coefficients.levels[0].coefficient = '1.12'; },
      // a risk-sharing band (stage 2 only)
      risk_sharing_band: (p) => { p.settlement.risk_sharing.overspend.bands[0].up_to = '0.15'; },
      // the high-outlier threshold H (a points parameter: the per-case pass runs again)
      outlier_threshold: (p) => { p.points.outliers.high_ratio = '2.5'; },
    };
    out.resettle_ms = {};
    for (const [name, change] of Object.entries(changes)) {
      const p = structuredClone(policy);
      change(p);
      const text = JSON.stringify(p);
      const t2 = now();
      const s = session.settle(text);
      out.resettle_ms[name] = now() - t2;
      out[`pv_${name}`] = s.funds.map((f) => f.point_value);
    }
    const counts = session.counts();
    out.cases = counts instanceof Map ? counts.get("cases") : counts.cases;
    out.wasm_memory_bytes = exports.memory.buffer.byteLength;
    self.postMessage(out);
  } catch (err) {
    self.postMessage({ error: String(err?.message ?? err), stack: String(err?.stack ?? '') });
  }
};
