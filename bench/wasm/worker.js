// The engine side of the benchmark, in a module worker like the page's (www/worker.js): the case
// file is read in 4 MiB File.slice() chunks pushed into a wasm Session (the page's CHUNK and
// loop), then settled; then re-settled after the parameter changes of changes.js.
import init, * as wasm from '/pkg/dipcalc.js';
import { CHANGES, figures } from './changes.js';

const CHUNK = 4 * 1024 * 1024;
const now = () => performance.now();

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
    session.case_file_size(file.size);
    for (let offset = 0; offset < file.size; offset += CHUNK) {
      session.push_cases(new Uint8Array(await file.slice(offset, offset + CHUNK).arrayBuffer()));
    }
    session.finish_cases();
    out.ms.import = now() - t;
    const t1 = now();
    const first = session.settle(policyText);
    out.ms.settle = now() - t1;
    out.ms.import_and_settle = now() - t;
    out.first = figures(first);

    const policy = JSON.parse(policyText);
    // Each change settles a new policy text: `resettle_ms` is Session.settle_summary_json (the
    // re-settle and the summary as JSON text, what the page's worker asks for), `object_ms` the
    // same settlement then given whole as JavaScript objects (Session.settle, from the cache: the
    // conversion alone, what the page paid for every change before).
    out.resettle_ms = {};
    out.object_ms = {};
    for (const [name, change] of Object.entries(CHANGES)) {
      const p = structuredClone(policy);
      change(p);
      const text = JSON.stringify(p);
      const t2 = now();
      const summary = JSON.parse(session.settle_summary_json(text));
      out.resettle_ms[name] = now() - t2;
      const t3 = now();
      session.settle(text);
      out.object_ms[name] = now() - t3;
      out[`pv_${name}`] = summary.funds.map((f) => f.point_value);
    }
    const counts = session.counts();
    out.cases = counts instanceof Map ? counts.get('cases') : counts.cases;
    out.wasm_memory_bytes = exports.memory.buffer.byteLength;
    self.postMessage(out);
  } catch (err) {
    self.postMessage({ error: String(err?.message ?? err), stack: String(err?.stack ?? '') });
  }
};
