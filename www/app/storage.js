// What the page keeps on this machine: settings and the last policy in localStorage, data files
// in IndexedDB only when the user ticks the box. Every access survives private mode (no storage).

export const STORE = {
  lang: 'dipcalc.lang',
  policy: 'dipcalc.policy',
  remember: 'dipcalc.remember-policy',
  keep: 'dipcalc.keep-data',
  focus: 'dipcalc.focus',
  mappings: 'dipcalc.column-mappings',
  fundParts: 'dipcalc.fund-parts',
};

export const storage = {
  get(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set(key, value) {
    try {
      localStorage.setItem(key, value);
    } catch {
      // private mode
    }
  },
  del(key) {
    try {
      localStorage.removeItem(key);
    } catch {
      // private mode
    }
  },
  json(key, fallback) {
    try {
      return JSON.parse(storage.get(key) ?? 'null') ?? fallback;
    } catch {
      return fallback;
    }
  },
};

function idb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open('dipcalc', 1);
    req.onupgradeneeded = () => req.result.createObjectStore('files');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function idbDo(mode, f) {
  const db = await idb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction('files', mode);
    const out = f(tx.objectStore('files'));
    tx.oncomplete = () => resolve(out?.result);
    tx.onerror = () => reject(tx.error);
  });
}

/** Keeps the loaded files ([{kind, name, options, blob}]) when the user opted in. */
export async function keepFiles(entries) {
  if (storage.get(STORE.keep) !== 'on') return;
  await idbDo('readwrite', (store) => store.put(entries, 'files')).catch(() => {});
}

export async function keptFiles() {
  if (storage.get(STORE.keep) !== 'on') return null;
  return idbDo('readonly', (store) => store.get('files')).catch(() => null);
}

export async function setKeep(on, entries) {
  storage.set(STORE.keep, on ? 'on' : 'off');
  if (on) await keepFiles(entries);
  else await idbDo('readwrite', (store) => store.clear()).catch(() => {});
}

/** A file's header layout (its header cells, normalised), the key its column mapping is kept by. */
export const layoutKey = (kind, cells) =>
  `${kind}:${cells
    .map((c) =>
      String(c ?? '')
        .normalize('NFKC')
        .trim(),
    )
    .join('\u241f')}`;

export function rememberMapping(kind, cells, columns) {
  const all = storage.json(STORE.mappings, {});
  all[layoutKey(kind, cells)] = columns;
  storage.set(STORE.mappings, JSON.stringify(all));
}

export function mappingFor(kind, cells) {
  return storage.json(STORE.mappings, {})[layoutKey(kind, cells)] ?? null;
}
