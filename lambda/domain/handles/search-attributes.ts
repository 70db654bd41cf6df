import { MpsdError } from '../errors';
import { isJsonObject, type JsonValue, toNumber } from '../json';

// A search handle's `searchAttributes` (spec/mpsd-family.md §3.6): tags, strings and numbers a browsing player's
// filter reads (§4.3). Pure: the request's rules only.

/**
 * Tags, attribute names and string values are shorter than this many characters (§3.6: the docs say "shorter than
 * 100", XSAPI refuses 100 bytes or more client-side with XBL_MULTIPLAYER_SEARCH_HANDLE_MAX_FIELD_LENGTH).
 */
export const MAX_SEARCH_FIELD_CHARS = 100;

/** At most this many tags, strings and numbers each (§7 item 14: no source limits them; suggested 50 per kind). */
export const MAX_SEARCH_ATTRIBUTES_PER_KIND = 50;

/** A handle's search attributes as stored and answered: case kept as written (§3.6), kinds omitted when empty. */
export interface SearchAttributes {
  readonly tags?: readonly string[];
  readonly strings?: Readonly<Record<string, string>>;
  readonly numbers?: Readonly<Record<string, number>>;
}

/** Starts with a letter, no whitespace (§3.6, [D-BROWSE]); the length is checked apart to say so. */
const NAME = /^[A-Za-z]\S*$/;
const NAME_RULE = `start with a letter, contain no spaces and be shorter than ${MAX_SEARCH_FIELD_CHARS} characters`;

function invalid(message: string): MpsdError {
  return new MpsdError('InvalidValue', message);
}

function checkName(where: string, value: string): void {
  if (!NAME.test(value) || value.length >= MAX_SEARCH_FIELD_CHARS) {
    throw invalid(
      `${where} ${JSON.stringify(value.slice(0, MAX_SEARCH_FIELD_CHARS))} is not allowed: it must ${NAME_RULE}.`,
    );
  }
}

function checkCount(where: string, count: number): void {
  if (count > MAX_SEARCH_ATTRIBUTES_PER_KIND) {
    throw invalid(`${where} holds ${count} entries; at most ${MAX_SEARCH_ATTRIBUTES_PER_KIND} are allowed.`);
  }
}

function readTags(value: JsonValue): string[] {
  if (!Array.isArray(value)) throw invalid('searchAttributes.tags must be an array of strings.');
  checkCount('searchAttributes.tags', value.length);
  return value.map((tag, i) => {
    if (typeof tag !== 'string') throw invalid(`searchAttributes.tags[${i}] must be a string.`);
    checkName(`searchAttributes.tags[${i}]`, tag);
    return tag;
  });
}

function readNamed<T>(kind: 'strings' | 'numbers', value: JsonValue, read: (v: JsonValue, at: string) => T) {
  if (!isJsonObject(value)) throw invalid(`searchAttributes.${kind} must be an object of name: value.`);
  const names = Object.keys(value);
  checkCount(`searchAttributes.${kind}`, names.length);
  const seen = new Set<string>();
  const out: Record<string, T> = {};
  for (const name of names) {
    checkName(`The ${kind} attribute name`, name);
    // Filters read attribute names case-insensitively (§4.3): two names differing only in case would be one.
    if (seen.has(name.toLowerCase())) {
      throw invalid(`searchAttributes.${kind} names ${name} twice (names compare case-insensitively).`);
    }
    seen.add(name.toLowerCase());
    out[name] = read(value[name] as JsonValue, `searchAttributes.${kind}.${name}`);
  }
  return out;
}

function readString(value: JsonValue, at: string): string {
  if (typeof value !== 'string') throw invalid(`${at} must be a string.`);
  if (value.length >= MAX_SEARCH_FIELD_CHARS) {
    throw invalid(`${at} is ${value.length} characters long; it must be shorter than ${MAX_SEARCH_FIELD_CHARS}.`);
  }
  return value;
}

function readNumber(value: JsonValue, at: string): number {
  // Search numbers are doubles (§4.3: compared as doubles; XSAPI reads them as double), so a number a double cannot
  // hold exactly is kept as its nearest double.
  const number = toNumber(value);
  if (number === undefined || !Number.isFinite(number)) throw invalid(`${at} must be a number.`);
  return number;
}

/**
 * Validates `searchAttributes` (§3.6): absent is no attribute; otherwise an object with optional `tags` (strings),
 * `strings` (name: string) and `numbers` (name: number), names and tags by the documented rule, at most
 * MAX_SEARCH_ATTRIBUTES_PER_KIND of each. Other keys are refused: a misspelt kind would silently match nothing.
 */
export function parseSearchAttributes(value: JsonValue | undefined): SearchAttributes {
  if (value === undefined) return {};
  if (!isJsonObject(value)) throw invalid('searchAttributes must be an object with tags, strings and numbers.');
  for (const key of Object.keys(value)) {
    if (key !== 'tags' && key !== 'strings' && key !== 'numbers') {
      throw invalid(`searchAttributes.${key} is not allowed; use tags, strings and numbers.`);
    }
  }
  const tags = value.tags === undefined ? [] : readTags(value.tags);
  const strings = value.strings === undefined ? {} : readNamed('strings', value.strings, readString);
  const numbers = value.numbers === undefined ? {} : readNamed('numbers', value.numbers, readNumber);
  return {
    ...(tags.length === 0 ? {} : { tags }),
    ...(Object.keys(strings).length === 0 ? {} : { strings }),
    ...(Object.keys(numbers).length === 0 ? {} : { numbers }),
  };
}
