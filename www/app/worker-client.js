// The page's side of the worker protocol (www/worker.js). One WorkerClient owns one module worker;
// `request(type, payload)` returns a promise of the result, rejected with an EngineError.
// `compute` requests supersede each other: only the newest one's result is delivered, older ones
// resolve to null. `restart()` terminates the worker (cancelling whatever it is doing, such as a
// long import) and starts a fresh one with an empty session.

export class EngineError extends Error {
  constructor({ kind, message, errors, total }) {
    super(message);
    this.kind = kind;
    this.errors = errors ?? [];
    this.total = total ?? this.errors.length;
  }
}

export class WorkerClient {
  constructor({ onProgress } = {}) {
    this.onProgress = onProgress ?? (() => {});
    this.nextId = 1;
    this.pending = new Map();
    this.start();
  }

  start() {
    this.worker = new Worker(new URL('../worker.js', import.meta.url), { type: 'module', name: 'dipcalc-engine' });
    this.ready = new Promise((resolve, reject) => {
      this.readyResolve = resolve;
      this.readyReject = reject;
    });
    this.worker.onmessage = (event) => this.receive(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault?.();
      this.readyReject(
        new EngineError({ kind: 'internal', message: event.message || 'the engine worker failed to start' }),
      );
    };
  }

  receive(msg) {
    if (msg.type === 'ready') return this.readyResolve(msg.payload);
    if (msg.type === 'failed') return this.readyReject(new EngineError(msg.error));
    const entry = this.pending.get(msg.id);
    if (!entry) return;
    if (msg.type === 'progress') return entry.onProgress?.(msg.payload);
    this.pending.delete(msg.id);
    if (msg.type === 'result') entry.resolve(msg.json !== undefined ? JSON.parse(msg.json) : msg.payload);
    else if (msg.type === 'superseded') entry.resolve(null);
    else entry.reject(new EngineError(msg.error));
  }

  /** Sends a request; `transfer` lists ArrayBuffers handed over instead of copied. */
  request(type, payload = {}, { onProgress, transfer } = {}) {
    const id = this.nextId++;
    if (type === 'compute') this.latestCompute = id;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        resolve: (value) => resolve(type === 'compute' && id !== this.latestCompute ? null : value),
        reject,
        onProgress,
      });
      this.worker.postMessage({ id, type, payload }, transfer ?? []);
    });
  }

  /** Stops the worker now (dropping its data) and starts a new one. */
  restart() {
    this.worker.terminate();
    for (const entry of this.pending.values()) {
      entry.reject(new EngineError({ kind: 'cancelled', message: 'cancelled' }));
    }
    this.pending.clear();
    this.start();
    return this.ready;
  }
}
