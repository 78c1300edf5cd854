// The benchmark page: hands the chosen File objects to a module worker, as the calculator page
// hands them to www/worker.js, and publishes the worker's figures on window.benchResult; then
// measures the page's own path for the same parameter changes (page.js) and adds it as
// `benchResult.page`.

import { CHANGES } from './changes.js';
import { pagePath } from './page.js';

const input = document.getElementById('files');
window.benchResult = null;

function session(files) {
  return new Promise((resolve) => {
    const worker = new Worker('worker.js', { type: 'module' });
    worker.onmessage = ({ data }) => {
      worker.terminate();
      resolve(data);
    };
    worker.onerror = (e) => resolve({ error: String(e.message ?? e) });
    worker.postMessage(files);
  });
}

input.addEventListener('change', async () => {
  const byName = Object.fromEntries([...input.files].map((f) => [f.name, f]));
  const files = {
    cases: byName['cases.csv'],
    catalog: byName['catalog.csv'],
    institutions: byName['institutions.csv'],
    policy: byName['policy.json'],
  };
  const result = await session(files);
  if (!result.error) {
    try {
      result.page = await pagePath(files, await files.policy.text(), CHANGES);
    } catch (err) {
      result.error = `page path: ${err?.message ?? err}`;
      result.stack = String(err?.stack ?? '');
    }
  }
  document.getElementById('out').textContent = JSON.stringify(
    { ...result, first: undefined, page: result.page && { ...result.page, first: undefined } },
    null,
    2,
  );
  window.benchResult = result;
});
