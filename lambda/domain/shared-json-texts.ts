import { randomBytes } from 'node:crypto';
import { type ExactJsonText, type JsonValue, LosslessNumber, serializeExactJson } from './json';

// A stand-in is a string no caller can write: a NUL character (JSON.stringify escapes it as the six characters
// `\u0000`), this process's random tag, the number of the object that made it, and the number of the text it stands
// for. Without the tag, no string in a caller's data can be taken for one.
const TAG = `\u0000${randomBytes(9).toString('base64url')}`;
let made = 0;

/**
 * Texts of values that one request serialises twice. A PUT stores the session's text and answers a rendering that
 * shares the very same `custom` objects (render.ts), which are most of a session's bytes: each is serialised once,
 * here, and both texts are made by serialising a shadow (the document with a {@link standIn} for each shared value)
 * and splicing the values' texts in. That took the answer of a 100-member PUT from about 0.5 ms of CPU to a fifth of
 * it (docs/performance.md). By hand because JSON.stringify cannot write a text it is given (JSON.rawJSON takes
 * primitives only). Per request: a value must not change between the first serialisation and the last. Its state
 * is private (#): it is a cache, so two decisions made alike compare equal.
 */
export class SharedJsonTexts {
  readonly #texts: ExactJsonText[] = [];
  readonly #standIns = new Map<object, string>();
  readonly #prefix: string;
  /** How the prefix of this object's stand-ins appears in JSON text: `"\u0000<tag>.<n>:`. */
  readonly #prefixText: string;

  constructor() {
    made += 1;
    this.#prefix = `${TAG}.${made}:`;
    this.#prefixText = JSON.stringify(this.#prefix).slice(0, -1);
  }

  /** What a shadow holds in place of `value`: a stand-in for an object or array, the value itself otherwise. */
  standIn(value: JsonValue): JsonValue {
    if (typeof value !== 'object' || value === null || value instanceof LosslessNumber) return value;
    let standIn = this.#standIns.get(value);
    if (standIn === undefined) {
      standIn = `${this.#prefix}${this.#texts.length}`;
      this.#texts.push(serializeExactJson(value));
      this.#standIns.set(value, standIn);
    }
    return standIn;
  }

  /** The exact text of the value `shadow` stands for: its own text, each stand-in replaced by its value's text. */
  serialize(shadow: JsonValue): ExactJsonText {
    const outer = serializeExactJson(shadow);
    const text = outer.text;
    const pieces: string[] = [];
    let plainNumbers = outer.plainNumbers;
    let from = 0;
    const prefix = this.#prefixText;
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
