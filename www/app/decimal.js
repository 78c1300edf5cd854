// Exact decimals for both pages. The engine sends every decimal as a string; it is read, rounded,
// added and formatted here with string/BigInt arithmetic, never through a binary float. Rounding
// is half away from zero (SPEC §2), as the engine's own rounding helpers do.

/** '-1234.5' → {neg, int, scale}; engine decimals only ('1e-7', '1,234' are not accepted). */
export function parseDec(text) {
  const m = /^\s*([-+]?)(\d*)(?:\.(\d*))?\s*$/.exec(String(text ?? ''));
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const frac = m[3] ?? '';
  return { neg: m[1] === '-', int: BigInt((m[2] || '0') + frac), scale: frac.length };
}

/** A signed BigInt of units of 10^-scale, as a decimal string (trailing zeros kept). */
function toText(units, scale) {
  const neg = units < 0n;
  const digits = (neg ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const frac = scale ? `.${digits.slice(digits.length - scale)}` : '';
  return `${neg ? '-' : ''}${whole}${frac}`;
}

const signed = (d) => (d.neg ? -d.int : d.int);
const scaleTo = (d, scale) => signed(d) * 10n ** BigInt(scale - d.scale);

/** Rounds a decimal string to `dp` places, half away from zero (SPEC §2), as a string. */
export function roundDec(text, dp) {
  const d = parseDec(text);
  if (!d) return null;
  let { int } = d;
  if (d.scale > dp) {
    const div = 10n ** BigInt(d.scale - dp);
    int = int / div + ((int % div) * 2n >= div ? 1n : 0n);
  } else {
    int *= 10n ** BigInt(dp - d.scale);
  }
  return toText(d.neg ? -int : int, dp);
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
  return trimDec(toText(d.neg ? -int : int, scale));
}

/** '12.500' → '12.5', '3.00' → '3', '-0.0' → '0'. */
export function trimDec(text) {
  let s = String(text);
  if (s.includes('.')) s = s.replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
}

/** Compares two decimal strings: -1, 0, 1. */
export function cmpDec(a, b) {
  return cmpParsedDec(parseDec(a), parseDec(b));
}

/** cmpDec on parseDec's results (to sort by a column, parse each value once); null sorts first. */
export function cmpParsedDec(x, y) {
  if (!x || !y) return (x ? 1 : 0) - (y ? 1 : 0);
  const scale = Math.max(x.scale, y.scale);
  const vx = scaleTo(x, scale);
  const vy = scaleTo(y, scale);
  return vx < vy ? -1 : vx > vy ? 1 : 0;
}

/** Adds decimal strings exactly (values that are not decimals are skipped). */
export function addDec(...values) {
  const parsed = values.map(parseDec).filter(Boolean);
  const scale = Math.max(0, ...parsed.map((p) => p.scale));
  return toText(
    parsed.reduce((sum, p) => sum + scaleTo(p, scale), 0n),
    scale,
  );
}

/** a − b, exactly. */
export function subDec(a, b) {
  const y = parseDec(b);
  return y ? addDec(a, toText(-signed(y), y.scale)) : null;
}

/** a × b, exactly (the scales add). */
export function mulDec(a, b) {
  const x = parseDec(a);
  const y = parseDec(b);
  return x && y ? toText(signed(x) * signed(y), x.scale + y.scale) : null;
}

/** a ÷ b to `dp` places, half away from zero; null when b is zero. */
export function divDec(a, b, dp) {
  const x = parseDec(a);
  const y = parseDec(b);
  if (!x || !y || y.int === 0n) return null;
  // a/b = (x.int·10^-xs)/(y.int·10^-ys); one guard digit beyond dp, then rounded.
  const shift = dp + 1 + y.scale - x.scale;
  const num = x.int * 10n ** BigInt(Math.max(shift, 0));
  const den = y.int * 10n ** BigInt(Math.max(-shift, 0));
  const q = num / den;
  const neg = x.neg !== y.neg && q !== 0n;
  return roundDec(toText(neg ? -q : q, dp + 1), dp);
}

function group(whole) {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 1234567.891 → '1,234,567.89' (dp places, half away from zero, thousands separators, − sign). */
export function fmtNum(text, dp = 2) {
  if (text === null || text === undefined || text === '') return '—';
  const r = roundDec(text, dp);
  if (r === null) return String(text);
  const neg = r.startsWith('-') && /[1-9]/.test(r);
  const [whole, frac] = r.replace(/^-/, '').split('.');
  return `${neg ? '−' : ''}${group(whole)}${frac !== undefined ? `.${frac}` : ''}`;
}

export const fmtMoney = (text) => fmtNum(text, 2);

/** Points: up to 4 decimals, trailing zeros dropped. */
export function fmtPoints(text) {
  if (text === null || text === undefined) return '—';
  const r = roundDec(text, 4);
  if (r === null) return String(text);
  const trimmed = trimDec(r);
  const neg = trimmed.startsWith('-');
  const [whole, frac] = (neg ? trimmed.slice(1) : trimmed).split('.');
  return `${neg ? '−' : ''}${group(whole)}${frac ? `.${frac}` : ''}`;
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

const UNIT_OF = { 元: '元', 万: '万元', 万元: '万元', 亿: '亿元', 亿元: '亿元' };

/**
 * What a person types, read as a decimal: '1,234.5', '60%', '500万', '3.5亿', '１２３' (full
 * width), '−3'. `kind` is 'pct' (the value is a fraction typed in %: '60' and '60%' are 0.6),
 * 'amount' (a unit 元/万/亿 may follow: {value, unit}) or 'plain' (a '%' divides by 100).
 * Returns {value, unit} (unit only for amounts, when typed) or null when it is not a number.
 */
export function parseTyped(text, kind = 'plain') {
  const s = String(text ?? '')
    .normalize('NFKC')
    .replace(/[\s,，_]/g, '')
    .replace(/^[−–]/, '-');
  const m = /^([-+]?(?:\d+\.?\d*|\.\d+))(%|元|万元?|亿元?)?$/.exec(s);
  if (!m || (m[2] && m[2] !== '%' && kind !== 'amount')) return null;
  const number = trimDec(m[1].replace(/^\+/, '').replace(/\.$/, ''));
  if (kind === 'pct' || m[2] === '%') return { value: shiftDec(number, -2) };
  return m[2] ? { value: number, unit: UNIT_OF[m[2]] } : { value: number };
}
