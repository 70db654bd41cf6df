import { invalidValue } from './errors';
import { isJsonInteger, isJsonObject, type JsonObject, type JsonValue, LosslessNumber } from './json';
import { MAX_INT32 } from './limits';
import { isXuid, XUID_RULE } from './xuid';

// Small type checks for the fixed schemas of `system` objects. Each throws a 400 naming the field's path and
// what is allowed, so every message says what was wrong and what would be accepted.

export function expectObject(path: string, value: JsonValue): JsonObject {
  if (!isJsonObject(value)) throw invalidValue(path, 'must be a JSON object.');
  return value;
}

export function expectBoolean(path: string, value: JsonValue): boolean {
  if (typeof value !== 'boolean') throw invalidValue(path, 'must be true or false.');
  return value;
}

export function expectString(path: string, value: JsonValue, maxLength = 1024): string {
  if (typeof value !== 'string') throw invalidValue(path, 'must be a string.');
  if (value.length > maxLength) throw invalidValue(path, `must be at most ${maxLength} characters long.`);
  return value;
}

/**
 * An integer field: a JSON number written as a plain integer within [min, max]. The check is on the number as
 * written, so `2.00000000000000000001` (which a double rounds to 2), `2.0` and `2e0` are refused (see isJsonInteger).
 */
export function expectInteger(path: string, value: JsonValue, min: number, max: number): number {
  if (!isJsonInteger(value) || value < min || value > max) {
    throw invalidValue(path, `must be an integer from ${min} to ${max}, written without a fraction or exponent.`);
  }
  return value;
}

/**
 * A `custom` object (session, member or server; constants or properties, spec §2.1): always a JSON object, so every
 * answer has an object there that clients can read keys from. Its contents are free-form.
 */
export function expectCustom(path: string, value: JsonValue): JsonObject {
  if (!isJsonObject(value)) {
    throw invalidValue(
      path,
      'must be a JSON object of custom properties, such as {"map":"dust"}; send a key with null to delete it, or leave custom out.',
    );
  }
  return value;
}

/** The `custom` of a request bag: absent (no change) or an object (see expectCustom). */
export function readCustomChange(path: string, value: JsonValue | undefined): JsonObject | undefined {
  return value === undefined ? undefined : expectCustom(path, value);
}

/** Enum strings are compared case-insensitively (XSAPI fixtures send "Open", "None"); returns the lower-case form. */
export function expectEnum<T extends string>(path: string, value: JsonValue, allowed: readonly T[]): T {
  const lower = typeof value === 'string' ? value.toLowerCase() : undefined;
  const match = allowed.find((a) => a.toLowerCase() === lower);
  if (match === undefined) throw invalidValue(path, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}.`);
  return match;
}

export function expectArray(path: string, value: JsonValue, maxItems: number): JsonValue[] {
  if (!Array.isArray(value)) throw invalidValue(path, 'must be an array.');
  if (value.length > maxItems) throw invalidValue(path, `must have at most ${maxItems} entries.`);
  return value;
}

export function expectStringArray(path: string, value: JsonValue, maxItems: number, maxLength = 256): string[] {
  return expectArray(path, value, maxItems).map((v, i) => expectString(`${path}[${i}]`, v, maxLength));
}

export function expectIntegerArray(path: string, value: JsonValue, maxItems: number, min: number, max: number) {
  return expectArray(path, value, maxItems).map((v, i) => expectInteger(`${path}[${i}]`, v, min, max));
}

/**
 * The text of a value sent either as a JSON string or as a JSON integer (xuids and title ids: some docs' examples
 * send numbers), with a long integer's exact digits; undefined for anything else.
 */
export function decimalTextOf(value: JsonValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof LosslessNumber) return value.value;
  return isJsonInteger(value) ? String(value) : undefined;
}

/** A decimal xuid: JSON string (or, as some docs' examples send, a JSON number), returned as a string. */
export function expectXuid(path: string, value: JsonValue): string {
  const text = decimalTextOf(value);
  if (text === undefined || !isXuid(text)) throw invalidValue(path, `must be a xuid: ${XUID_RULE}.`);
  return text;
}

/** A timeout in milliseconds, or null for "never" (spec §2.4). */
export function expectTimeout(path: string, value: JsonValue): number | null {
  if (value === null) return null;
  return expectInteger(path, value, 0, MAX_INT32);
}

/** Rejects keys of a fixed-schema object that the schema does not list. */
export function expectKnownKeys(path: string, value: JsonObject, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw invalidValue(`${path}.${key}`, `is not a field MPSD knows here; allowed: ${known.join(', ')}.`);
    }
  }
}
