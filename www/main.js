// Loads the engine (WebAssembly, built into pkg/ by `make wasm`) and shows what it computes.
// Decimals go in and come out as strings; errors come back as thrown Error objects.
import init, { version, point_value } from './pkg/dipcalc.js';

const $ = (id) => document.getElementById(id);

function show(id, text, state) {
  const el = $(id);
  el.textContent = text;
  if (state) el.dataset.state = state;
}

async function start() {
  try {
    await init();
  } catch (err) {
    show('point-value', '—', 'error');
    show('status', `引擎加载失败 · The engine failed to load: ${err.message ?? err}`);
    return;
  }
  show('engine-version', version());
  try {
    const value = point_value($('pool').textContent, $('points').textContent);
    show('point-value', value, 'ready');
  } catch (err) {
    show('point-value', '—', 'error');
    show('status', `计算失败 · ${err.message ?? err}`);
  }
}

start();
