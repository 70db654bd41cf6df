import { LosslessNumber, parse, stringify } from 'lossless-json';

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

/**
 * True when the value is a JSON number written as a plain integer (`8`, `-3`), nothing else: `8.0`, `8e0` and
 * `2.00000000000000000001` are not. Every plain JavaScript number the parser produces is the exact value of its
 * text and prints as that text (see {@link parseExactJson}), so an integer `number` is an integer literal; a
 * {@link LosslessNumber} is a number whose text a double cannot reproduce, never an integer a field accepts.
 */
export function isJsonInteger(value: JsonValue | undefined): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

// The fast path (JSON.parse) is taken only when it is provably exact: every number token in the text must be one that
// a double holds and prints back as the same text, `String(Number(t)) === t`. A token passes when it has no exponent,
// at most 15 digits (a decimal of at most 15 significant digits survives decimal -> double -> shortest decimal, and
// JavaScript prints the shortest form, without an exponent from 1e-6 to 1e21), no trailing zero after the point, is
// not `-0`, and is not below 1e-6 (`0.000000...`, printed with an exponent). The pattern below finds any token that
// fails one of these; a token always follows `:`, `,` or `[` (or starts the text), so digits inside strings (xuids,
// GUIDs) do not count. A match inside a string only sends the text to the exact path, which is never wrong.
const NEEDS_EXACT_PATH =
  /^\s*[-\d]|[:,[]\s*(?:-0(?![.\d])|-?(?:\d+(?:\.\d+)?[eE]|[\d.]{16}|\d+\.\d*0(?=[\s,\]}]|$)|0\.0{6}))/;

// Exact path: a number stays a plain number only when it prints back as the text it was written with.
function parseNumberExactly(text: string): number | LosslessNumber {
  const value = Number(text);
  return String(value) === text ? value : new LosslessNumber(text);
}

/**
 * Parses JSON keeping every number exactly as written (spec §9.9: a number in `custom` comes back with the very
 * text it was sent with) and object key order as written (reservations are appended in request order, spec §1.4).
 * A number whose text a double would not print back the same (`12345678.123456789`, `1.0`, `1e2`, `-0`, 64-bit
 * integers) is a {@link LosslessNumber}. Throws SyntaxError on malformed text. Duplicate keys: last wins here;
 * request bodies are checked with {@link findDuplicateKey}.
 */
export function parseExactJson(text: string): JsonValue {
  return NEEDS_EXACT_PATH.test(text) ? parseLosslessly(text) : (JSON.parse(text) as JsonValue);
}

/**
 * Parses text that {@link serializeExactJson} wrote, told what it said of the numbers: text without a
 * {@link LosslessNumber} (`plainNumbers`) is read by JSON.parse, which reads back exactly what JSON.stringify wrote
 * (every finite double prints as the shortest text that reads back as itself), so the scan of
 * {@link parseExactJson} is skipped; text with one goes straight to the exact path.
 */
export function parseSerializedJson(serialized: ExactJsonText): JsonValue {
  return serialized.plainNumbers ? (JSON.parse(serialized.text) as JsonValue) : parseLosslessly(serialized.text);
}

function parseLosslessly(text: string): JsonValue {
  return parse(text, null, {
    parseNumber: parseNumberExactly,
    onDuplicateKey: ({ newValue }) => newValue,
  }) as JsonValue;
}

// Neither parser reports every duplicate key (JSON.parse keeps the last; lossless-json objects only to a differing
// value), so a request body is scanned once more. The scan is by hand (finding strings with indexOf) because a regex
// stepping from token to token measured about twice the cost of JSON.parse itself (bench/exact-json.bench.ts).
// It reads text a parser has already accepted, so it only has to tell strings from structure: outside strings there
// are no quotes, a string ends at the next quote not escaped by an odd run of backslashes, and a string followed by
// `:` is a key. One set of keys per open object; every character is looked at once or twice, so it is linear.
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const BACKSLASH = 0x5c;

/** Where a duplicate key was found: the key and the path of the object that holds it twice ('' at the top). */
export interface DuplicateKey {
  readonly key: string;
  readonly path: string;
}

/** The first key that appears twice in one object of `text`, which must be valid JSON (parse it first). */
export function findDuplicateKey(text: string): DuplicateKey | undefined {
  // One entry per open object (its keys so far and the key being read) or array (null).
  const open: ({ keys: Set<string>; current: string } | null)[] = [];
  let at = 0;
  while (at < text.length) {
    const quote = text.indexOf('"', at);
    const structureEnd = quote === -1 ? text.length : quote;
    for (let i = at; i < structureEnd; i += 1) {
      const c = text.charCodeAt(i);
      if (c === OPEN_BRACE) open.push({ keys: new Set(), current: '' });
      else if (c === OPEN_BRACKET) open.push(null);
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) open.pop();
    }
    if (quote === -1) break;
    let close = text.indexOf('"', quote + 1);
    while (close !== -1 && isEscaped(text, close)) close = text.indexOf('"', close + 1);
    if (close === -1) break; // an unterminated string: not valid JSON, nothing more to find
    at = close + 1;
    while (at < text.length && text.charCodeAt(at) <= 0x20) at += 1; // JSON whitespace
    if (text.charCodeAt(at) !== COLON) continue;
    const object = open[open.length - 1];
    if (object === undefined || object === null) continue; // not reached in valid JSON
    const raw = text.slice(quote + 1, close);
    const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
    if (object.keys.has(key)) return { key, path: pathOf(open.slice(0, -1)) };
    object.keys.add(key);
    object.current = key;
  }
  return undefined;
}

/** True when the quote at `index` is escaped: an odd number of backslashes stand right before it. */
function isEscaped(text: string, index: number): boolean {
  let backslashes = 0;
  for (let i = index - 1; text.charCodeAt(i) === BACKSLASH; i -= 1) backslashes += 1;
  return backslashes % 2 === 1;
}

function pathOf(levels: readonly ({ current: string } | null)[]): string {
  let path = '';
  for (const level of levels) {
    if (level === null) path += '[*]';
    else path += path === '' ? level.current : `.${level.current}`;
  }
  return path;
}

/**
 * Serialises a value, writing lossless numbers with their original digits. A value without any
 * {@link LosslessNumber} (the usual case) is written by JSON.stringify, which writes plain JSON values exactly as
 * lossless-json does and measured about 5x faster on a 100-member session (bench/micro.ts).
 */
export function stringifyExactJson(value: JsonValue): string {
  return serializeExactJson(value).text;
}

/** A value's exact JSON text, and whether it holds only plain numbers (then JSON.parse reads it back exactly). */
export interface ExactJsonText {
  readonly text: string;
  /** True when no {@link LosslessNumber} was in the value: the text can be read by JSON.parse. */
  readonly plainNumbers: boolean;
}

// JSON.stringify writes a LosslessNumber as an object with its fields, `{"value":"…","isLosslessNumber":true}`, so
// finding this text in its output tells that one was in the value; looking for it costs a fraction of walking the
// value first (6 % of a 32-member PUT's CPU went to that walk). An object of the caller's own with that very member
// sends the value to the exact path too, which writes it as well, only slower: a false alarm, never a wrong text.
const LOSSLESS_NUMBER_MARK = '"isLosslessNumber":true';
if (!JSON.stringify(new LosslessNumber('1')).includes(LOSSLESS_NUMBER_MARK)) {
  // lossless-json 4 declares the field deprecated: an upgrade that drops it must stop here, not write wrong digits.
  throw new Error('lossless-json no longer marks its numbers with isLosslessNumber: update json.ts');
}

/** {@link stringifyExactJson}, also saying which parser reads the text back ({@link parseSerializedJson}). */
export function serializeExactJson(value: JsonValue): ExactJsonText {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('value cannot be serialised as JSON');
  if (!text.includes(LOSSLESS_NUMBER_MARK)) return { text, plainNumbers: true };
  return { text: stringify(value) as string, plainNumbers: false };
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
