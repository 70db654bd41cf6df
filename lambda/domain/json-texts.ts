import { randomBytes } from 'node:crypto';
import { type ExactJsonText, type JsonValue, LosslessNumber, serializeExactJson } from './json';

// The exact text of values a request has already read or written, kept on the value itself. A session is read from
// its stored text, written as text and answered as text, and its custom data is most of its bytes and mostly
// unchanged by a write: remembering each custom value's text spares serialising it again for the stored text and
// again for the answer (docs/performance.md). Sound because the service never changes such a value in place once it
// has a text: a stored session is decided on without being changed (a deeply frozen record decides alike,
// commit.test.ts), a change puts a new custom value in its bag rather than editing one (copySessionForChange), and a
// document is not changed after it is serialised. The text is a non-enumerable property under a symbol:
// JSON.stringify, Object.keys, spreads and structuredClone never see it (a spread copy must not inherit a text its
// changes would make wrong), and it goes with its value (a WeakMap measured some 10 % of a large PUT's CPU in garbage
// collection).
const TEXT = Symbol('exact JSON text');

/** Remembers that `value` is exactly what `text` says (it was parsed from it, or serialised to it). */
export function rememberText(value: object, text: ExactJsonText): void {
  // A frozen value (tests freeze records) keeps nothing: its text is made again when asked for.
  if (Object.isExtensible(value)) Object.defineProperty(value, TEXT, { value: text });
}

/** True for an object or array: what can keep a text (a number, string, boolean or null is its own short text). */
function holdsText(value: JsonValue): value is JsonValue & object {
  return typeof value === 'object' && value !== null && !(value instanceof LosslessNumber);
}

/** The exact text of `value`: remembered, or made now (and remembered). */
export function textOf(value: JsonValue): ExactJsonText {
  if (!holdsText(value)) return serializeExactJson(value);
  const known = (value as { [TEXT]?: ExactJsonText })[TEXT];
  if (known !== undefined) return known;
  const made = serializeExactJson(value);
  rememberText(value, made);
  return made;
}

// A stand-in is a string no caller can write: a NUL character (JSON.stringify escapes it as the six characters
// `\u0000`), this process's random tag, the number of the splice that made it and the number of its text.
const TAG = `\u0000${randomBytes(9).toString('base64url')}`;
let splices = 0;

/**
 * One JSON text made of a shadow (a copy of a document whose large values are replaced by stand-ins) and the
 * texts the stand-ins name: JSON.stringify writes the shadow, then each stand-in is replaced by its text. By hand
 * because JSON.stringify cannot write a text it is given (JSON.rawJSON takes primitives only).
 */
export class JsonSplice {
  readonly #texts: ExactJsonText[] = [];
  readonly #prefix: string;
  /** How this splice's stand-ins begin in JSON text: `"\u0000<tag>.<n>:`. */
  readonly #prefixText: string;

  constructor() {
    splices += 1;
    this.#prefix = `${TAG}.${splices}:`;
    this.#prefixText = JSON.stringify(this.#prefix).slice(0, -1);
  }

  /** What the shadow holds in place of `value`: a stand-in for an object or array, the value itself otherwise. */
  standIn(value: JsonValue): JsonValue {
    if (!holdsText(value)) return value;
    this.#texts.push(textOf(value));
    return `${this.#prefix}${this.#texts.length - 1}`;
  }

  /** The exact text of the value `shadow` stands for. */
  text(shadow: JsonValue): ExactJsonText {
    const outer = serializeExactJson(shadow);
    const text = outer.text;
    const prefix = this.#prefixText;
    const pieces: string[] = [];
    let plainNumbers = outer.plainNumbers;
    let from = 0;
    for (let at = text.indexOf(prefix); at !== -1; at = text.indexOf(prefix, from)) {
      const end = text.indexOf('"', at + prefix.length);
      const part = this.#texts[Number(text.slice(at + prefix.length, end))] as ExactJsonText;
      pieces.push(text.slice(from, at), part.text);
      plainNumbers &&= part.plainNumbers;
      from = end + 1;
    }
    if (from === 0) return outer;
    pieces.push(text.slice(from));
    return { text: pieces.join(''), plainNumbers };
  }
}
