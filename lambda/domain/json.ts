import { isSafeNumber, LosslessNumber, parse, stringify } from 'lossless-json';

/**
 * A JSON value as the service keeps it. Numbers that a JavaScript number cannot hold exactly (64-bit ids in
 * `custom`, spec §9.9) stay {@link LosslessNumber}s, so they are written back digit for digit.
 */
export type JsonValue = null | boolean | number | string | LosslessNumber | JsonValue[] | JsonObject;
export type JsonObject = { [key: string]: JsonValue };

export { LosslessNumber };

/** True for a plain JSON object (not an array, not null, not a lossless number). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof LosslessNumber);
}

/** The numeric value of a JSON number, or undefined for anything else. */
export function toNumber(value: JsonValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (value instanceof LosslessNumber) return Number(value.value);
  return undefined;
}

/** True when the value is a JSON number with no fractional part. */
export function isJsonInteger(value: JsonValue | undefined): boolean {
  const n = toNumber(value);
  return n !== undefined && Number.isInteger(n);
}

// A digit run of 16 or more can be an integer above 2^53; shorter runs always fit a double exactly
// (DESIGN.md: the plain JSON.parse path is ~10x faster, so most documents should take it).
// An exponent of three digits can leave a double's range (1e400 would become null); those take the exact path too.
const LONG_DIGIT_RUN = /\d{16,}|[eE][+-]?\d{3}/;

function parseNumberExactly(text: string): number | LosslessNumber {
  return isSafeNumber(text) ? Number(text) : new LosslessNumber(text);
}

/**
 * Parses JSON keeping every number exact and object key order as written (reservations are appended in
 * request order, spec §1.4). Throws SyntaxError on malformed text.
 */
export function parseExactJson(text: string): JsonValue {
  if (!LONG_DIGIT_RUN.test(text)) return JSON.parse(text) as JsonValue;
  return parse(text, null, parseNumberExactly) as JsonValue;
}

/** Serialises a value, writing lossless numbers with their original digits. */
export function stringifyExactJson(value: JsonValue): string {
  const text = stringify(value);
  if (text === undefined) throw new TypeError('value cannot be serialised as JSON');
  return text;
}

/** A deep copy (documents are changed in place by the merge; the stored copy must not be). */
export function cloneJson<T extends JsonValue>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => cloneJson(v)) as T;
  if (isJsonObject(value)) {
    const copy: JsonObject = {};
    for (const [k, v] of Object.entries(value)) copy[k] = cloneJson(v);
    return copy as T;
  }
  return value;
}

/** Structural equality; lossless numbers compare by numeric value, object key order is ignored. */
export function jsonEquals(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  const na = toNumber(a);
  const nb = toNumber(b);
  if (na !== undefined || nb !== undefined) {
    if (a instanceof LosslessNumber && b instanceof LosslessNumber) return a.value === b.value;
    return (
      na !== undefined &&
      nb !== undefined &&
      na === nb &&
      !(a instanceof LosslessNumber) &&
      !(b instanceof LosslessNumber)
    );
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => jsonEquals(v, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && jsonEquals(a[k], b[k]));
  }
  return false;
}
