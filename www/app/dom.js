// DOM and number helpers. Everything that shows data goes through `h()` / `textContent`: nothing
// from a file or a policy is ever parsed as HTML. Decimals arrive from the engine as strings and
// are formatted here with exact string/BigInt arithmetic, never through a binary float.

/** Creates an element: h('td', { class: 'num', title: '…' }, 'text', childNode, …). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
      else if (key === 'dataset') Object.assign(el.dataset, value);
      else if (key === 'class') el.className = value;
      else if (key in el && typeof value !== 'string') el[key] = value;
      else el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

// ---- exact decimals --------------------------------------------------------------------------

/** '−1,234.5' style input is not accepted: engine decimals only ('-1234.5', '1e-7' never). */
export function parseDec(text) {
  const m = /^\s*(-?)(\d*)(?:\.(\d*))?\s*$/.exec(String(text ?? ''));
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const frac = m[3] ?? '';
  return { neg: m[1] === '-', int: BigInt((m[2] || '0') + frac), scale: frac.length };
}

/** Rounds a decimal string to `dp` places, half away from zero (SPEC §2), as a string. */
export function roundDec(text, dp) {
  const d = parseDec(text);
  if (!d) return null;
  let { int, scale } = d;
  if (scale > dp) {
    const div = 10n ** BigInt(scale - dp);
    const q = int / div;
    const r = int % div;
    int = q + (r * 2n >= div ? 1n : 0n);
  } else {
    int *= 10n ** BigInt(dp - scale);
  }
  let digits = int.toString().padStart(dp + 1, '0');
  const whole = digits.slice(0, digits.length - dp);
  const frac = dp > 0 ? digits.slice(digits.length - dp) : '';
  const zero = int === 0n;
  return `${d.neg && !zero ? '-' : ''}${whole}${dp > 0 ? '.' + frac : ''}`;
}

/** Moves the decimal point: shiftDec('0.1', 2) = '10', shiftDec('12.5', -2) = '0.125'. */
export function shiftDec(text, places) {
  const d = parseDec(text);
  if (!d) return null;
  let { int, scale } = d;
  scale -= places;
  if (scale < 0) {
    int *= 10n ** BigInt(-scale);
    scale = 0;
  }
  let digits = int.toString().padStart(scale + 1, '0');
  let whole = digits.slice(0, digits.length - scale);
  let frac = digits.slice(digits.length - scale).replace(/0+$/, '');
  const zero = int === 0n;
  return `${d.neg && !zero ? '-' : ''}${whole}${frac ? '.' + frac : ''}`;
}

/** Compares two decimal strings: -1, 0, 1. */
export function cmpDec(a, b) {
  return cmpParsedDec(parseDec(a), parseDec(b));
}

/** cmpDec on parseDec's results (to sort by a column, parse each value once); null sorts first. */
export function cmpParsedDec(x, y) {
  if (!x || !y) return (x ? 1 : 0) - (y ? 1 : 0);
  const scale = Math.max(x.scale, y.scale);
  const vx = (x.neg ? -1n : 1n) * x.int * 10n ** BigInt(scale - x.scale);
  const vy = (y.neg ? -1n : 1n) * y.int * 10n ** BigInt(scale - y.scale);
  return vx < vy ? -1 : vx > vy ? 1 : 0;
}

/** Adds decimal strings exactly. */
export function addDec(...values) {
  let scale = 0;
  const parsed = values.map(parseDec).filter(Boolean);
  for (const p of parsed) scale = Math.max(scale, p.scale);
  let sum = 0n;
  for (const p of parsed) sum += (p.neg ? -1n : 1n) * p.int * 10n ** BigInt(scale - p.scale);
  const neg = sum < 0n;
  const digits = (neg ? -sum : sum).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale);
  return `${neg ? '-' : ''}${whole}${scale ? '.' + frac : ''}`;
}

function group(whole) {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 1234567.891 → '1,234,567.89' (dp places, half away from zero, thousands separators). */
export function fmtNum(text, dp = 2) {
  if (text === null || text === undefined || text === '') return '—';
  const r = roundDec(text, dp);
  if (r === null) return String(text);
  const neg = r.startsWith('-');
  const [whole, frac] = (neg ? r.slice(1) : r).split('.');
  return `${neg ? '−' : ''}${group(whole)}${frac !== undefined ? '.' + frac : ''}`;
}

export const fmtMoney = (text) => fmtNum(text, 2);

/** Points: up to 4 decimals, trailing zeros dropped. */
export function fmtPoints(text) {
  if (text === null || text === undefined) return '—';
  const r = roundDec(text, 4);
  if (r === null) return String(text);
  const trimmed = r.includes('.') ? r.replace(/\.?0+$/, '') : r;
  const neg = trimmed.startsWith('-');
  const [whole, frac] = (neg ? trimmed.slice(1) : trimmed).split('.');
  return `${neg ? '−' : ''}${group(whole)}${frac ? '.' + frac : ''}`;
}

/** A fraction as a percentage: '0.0839' → '8.39%'. */
export function fmtPct(text, dp = 2) {
  if (text === null || text === undefined) return '—';
  const p = shiftDec(text, 2);
  return p === null ? String(text) : `${fmtNum(p, dp)}%`;
}

/** 万元 with 2 decimals, for big figures: '144900000' → '14,490.00'. */
export function fmtWan(text) {
  const w = shiftDec(text, -4);
  return w === null ? '—' : fmtNum(w, 2);
}

/** A number for charts (display only; never used to compute a figure). */
export const toNumber = (text) => (text === null || text === undefined ? null : Number(text));

/** Downloads bytes or text as a file (a blob: URL on the page's own origin). */
export function download(name, data, mime) {
  const blob = data instanceof Blob ? data : new Blob([data], { type: mime });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name, hidden: true });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Rows as tab-separated text (for the clipboard: pastes into Excel as cells). */
export function tsv(rows) {
  return rows.map((r) => r.map((c) => String(c ?? '').replace(/[\t\r\n]+/g, ' ')).join('\t')).join('\n');
}
