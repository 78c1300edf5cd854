// The benchmark page: hands the chosen File objects to a module worker, as the calculator page
// hands them to www/worker.js, and publishes the worker's figures on window.benchResult.
const input = document.getElementById('files');
window.benchResult = null;
input.addEventListener('change', () => {
  const byName = Object.fromEntries([...input.files].map((f) => [f.name, f]));
  const worker = new Worker('worker.js', { type: 'module' });
  worker.onmessage = ({ data }) => {
    window.benchResult = data;
    document.getElementById('out').textContent = JSON.stringify(data, null, 2);
    worker.terminate();
  };
  worker.onerror = (e) => { window.benchResult = { error: String(e.message ?? e) }; };
  worker.postMessage({
    cases: byName['cases.csv'],
    catalog: byName['catalog.csv'],
    institutions: byName['institutions.csv'],
    policy: byName['policy.json'],
  });
});
