import {
  type ExactJsonText,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  parseSerializedJson,
  serializeExactJson,
} from '../json';
import { JsonSplice, rememberText, textOf } from '../json-texts';
import type { SessionDocument } from '../session-document';

// A session's custom data (the `custom` of the session's, each member's and each server's `constants` and
// `properties`) is most of its bytes. Its texts are remembered (json-texts.ts) wherever a session is read, stored
// or answered, so each is made once: the stored text keeps them apart, and a stored document and its rendering
// (render.ts shares the objects) are both written by splicing them in.

const HOLDERS = ['members', 'servers'] as const;
const BAGS = ['constants', 'properties'] as const;

/** A copy of `document` down to its bags, each bag's custom value replaced by `replace(custom)`. */
function shadowOf(document: JsonObject, replace: (custom: JsonValue) => JsonValue): JsonObject {
  const shadow = shadowBags(document, replace);
  for (const holder of HOLDERS) {
    const entries = document[holder];
    if (!isJsonObject(entries)) continue;
    const shadowed: JsonObject = {};
    for (const [name, entry] of Object.entries(entries)) {
      shadowed[name] = isJsonObject(entry) ? shadowBags(entry, replace) : entry;
    }
    shadow[holder] = shadowed;
  }
  return shadow;
}

function shadowBags(owner: JsonObject, replace: (custom: JsonValue) => JsonValue): JsonObject {
  const copy: JsonObject = { ...owner };
  for (const key of BAGS) {
    const bag = owner[key];
    if (isJsonObject(bag) && bag.custom !== undefined) copy[key] = { ...bag, custom: replace(bag.custom) };
  }
  return copy;
}

/** Calls `visit` with every bag of the document that holds a custom value (the document's own first). */
function forEachBag(document: JsonObject, visit: (bag: JsonObject) => void): void {
  const visitOwner = (owner: JsonObject) => {
    for (const key of BAGS) {
      const bag = owner[key];
      if (isJsonObject(bag) && bag.custom !== undefined) visit(bag);
    }
  };
  visitOwner(document);
  for (const holder of HOLDERS) {
    const entries = document[holder];
    if (!isJsonObject(entries)) continue;
    for (const entry of Object.values(entries)) if (isJsonObject(entry)) visitOwner(entry);
  }
}

/**
 * The exact JSON text of a session document or of a rendering of it (both keep the bags at the same paths), with
 * the texts of the custom values spliced in: the answer of a PUT or a GET costs little more than its own fields.
 */
export function serializeSessionText(document: JsonObject): ExactJsonText {
  const splice = new JsonSplice();
  return splice.text(shadowOf(document, (custom) => splice.standIn(custom)));
}

/**
 * A session document as its item stores it: one line of JSON, the document with each bag's custom value replaced
 * by a number, and then each of those values' JSON text on a line of its own, in that order (JSON text never holds
 * a raw line break). A read parses them apart and so knows each value's text.
 */
export interface StoredSessionText {
  readonly text: string;
  /** True when no number in it needs the exact parser: JSON.parse reads every line back exactly. */
  readonly plainNumbers: boolean;
  /** The bytes of the document's JSON text, as the size backstop counts them (session-size.ts). */
  readonly jsonBytes: number;
}

/** The stored text of a session document (see {@link StoredSessionText}). */
export function storedSessionText(document: SessionDocument): StoredSessionText {
  const parts: ExactJsonText[] = [];
  let numberDigits = 0;
  const shadow = shadowOf(document as unknown as JsonObject, (custom) => {
    parts.push(textOf(custom));
    const index = parts.length - 1;
    numberDigits += String(index).length;
    return index;
  });
  const outer = serializeExactJson(shadow);
  const lines = [outer.text];
  let plainNumbers = outer.plainNumbers;
  for (const part of parts) {
    lines.push(part.text);
    plainNumbers &&= part.plainNumbers;
  }
  const text = lines.join('\n');
  // The document's JSON text is these lines less the line breaks, each value in place of its number.
  const jsonBytes = Buffer.byteLength(text) - parts.length - numberDigits;
  return { text, plainNumbers, jsonBytes };
}

/** Reads a stored text back (see {@link StoredSessionText}), remembering each custom value's text. */
export function parseStoredSessionText(text: string, plainNumbers: boolean): SessionDocument {
  const lines = text.split('\n');
  const document = parseSerializedJson({ text: lines[0] ?? '', plainNumbers }) as JsonObject;
  forEachBag(document, (bag) => {
    const line = lines[(bag.custom as number) + 1];
    if (typeof bag.custom !== 'number' || line === undefined) {
      throw new Error('a stored session names a custom value its text does not hold');
    }
    const part = { text: line, plainNumbers };
    const value = parseSerializedJson(part);
    if (typeof value === 'object' && value !== null) rememberText(value, part);
    bag.custom = value;
  });
  return document as unknown as SessionDocument;
}
