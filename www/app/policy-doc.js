// Reading and changing a policy document (docs/policy.md) by field path ('funds.employee.raised').
// Changes never touch the policy they are given: they return a new one, so the page's state can
// tell an edited policy from the one it had.

export function getAt(obj, path) {
  return path.split('.').reduce((o, k) => (o === null || o === undefined ? undefined : o[k]), obj);
}

/** A copy of `obj` with `value` at `path` (the objects on the way copied, the rest shared). */
export function setAt(obj, path, value) {
  const [key, ...rest] = path.split('.');
  const copy = Array.isArray(obj) ? obj.slice() : { ...obj };
  copy[key] = rest.length ? setAt(obj?.[key] ?? {}, rest.join('.'), value) : value;
  return copy;
}

/** A copy of `obj` without `path`'s key (for maps such as coefficients.overrides). */
export function deleteAt(obj, path) {
  const keys = path.split('.');
  const last = keys.pop();
  const parent = getAt(obj, keys.join('.'));
  if (!parent || !(last in parent)) return obj;
  const { [last]: _gone, ...kept } = parent;
  return keys.length ? setAt(obj, keys.join('.'), kept) : kept;
}

/** The ref covering a path: its own, or the nearest ancestor's (docs/policy.md §3). */
export function refFor(policy, path) {
  let p = path;
  for (;;) {
    if (policy.refs?.[p]) return policy.refs[p];
    const i = p.lastIndexOf('.');
    if (i < 0) return null;
    p = p.slice(0, i);
  }
}

/** A value as a ref's note shows it. */
export const shown = (v) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v ?? 'null'));

/**
 * The policy with `value` at `path` (undefined: the key removed), the value marked `user` in
 * `refs` with `note(before)` (docs/page.md: an edited value is marked so, with what it was), and
 * refs whose field no longer exists dropped.
 */
export function editPolicy(policy, path, value, note = (before) => shown(before)) {
  const before = getAt(policy, path);
  let next = value === undefined ? deleteAt(policy, path) : setAt(policy, path, value);
  const refPath = path.replace(/\.(value|unit)$/, '');
  const refs = { ...(policy.refs ?? {}) };
  if (refs[refPath]?.mark !== 'user' && value !== undefined) {
    refs[refPath] = { mark: 'user', note: note(before) };
  }
  for (const key of Object.keys(refs)) if (getAt(next, key) === undefined) delete refs[key];
  next = { ...next, refs };
  return next;
}
