import { MpsdError } from '../domain/errors';
import { findDuplicateKey, isJsonObject, type JsonValue, parseExactJson } from '../domain/json';
import { MAX_JSON_DEPTH, MAX_REQUEST_BODY_BYTES } from '../domain/limits';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

// `__proto__` is an ordinary key to JSON.parse, but an assignment `object[key] = value` with it (as merges do)
// replaces the object's prototype instead of storing the key. It is refused outright, so no merge ever sees it.
const FORBIDDEN_KEY = '__proto__';

/** The nesting depth of a value, counting no further than `limit + 1`; throws on a forbidden key on the way. */
function depthOf(value: JsonValue, limit: number, path: string, depth = 1): number {
  if (depth > limit) return depth;
  let deepest = depth;
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      deepest = Math.max(deepest, depthOf(v, limit, `${path}[${i}]`, depth + 1));
    });
  } else if (isJsonObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === FORBIDDEN_KEY) {
        throw new MpsdError(
          'InvalidRequest',
          `The request body has a key "${FORBIDDEN_KEY}"${path === '' ? '' : ` in ${path}`}; that key name is not allowed anywhere.`,
        );
      }
      deepest = Math.max(deepest, depthOf(v, limit, path === '' ? k : `${path}.${k}`, depth + 1));
    }
  }
  return deepest;
}

/**
 * The PUT body as exact JSON: at most MAX_REQUEST_BODY_BYTES of UTF-8, nested at most MAX_JSON_DEPTH deep, an
 * object at the top, no key twice in one object. An empty body is `{}`, the documented no-change PUT (spec §1.4).
 */
export function readRequestBody(body: string | undefined, isBase64Encoded: boolean | undefined): JsonValue {
  if (body === undefined || body === '') return {};
  const bytes = isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  if (bytes.length > MAX_REQUEST_BODY_BYTES) {
    throw new MpsdError(
      'PayloadTooLarge',
      `The request body is ${bytes.length} bytes; at most ${MAX_REQUEST_BODY_BYTES} bytes are accepted.`,
    );
  }
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw new MpsdError('MalformedJson', 'The request body is not valid UTF-8; send UTF-8 encoded JSON.');
  }
  let value: JsonValue;
  try {
    value = parseExactJson(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new MpsdError('MalformedJson', `The request body is not valid JSON (${detail}).`);
  }
  if (!isJsonObject(value)) {
    throw new MpsdError('InvalidRequest', 'The request body must be a JSON object, such as {"members":{"me":{}}}.');
  }
  if (depthOf(value, MAX_JSON_DEPTH, '') > MAX_JSON_DEPTH) {
    throw new MpsdError(
      'InvalidRequest',
      `The request body is nested more than ${MAX_JSON_DEPTH} levels deep; at most ${MAX_JSON_DEPTH} levels are accepted.`,
    );
  }
  // One rule for every body, whatever path the parser took: a key twice in one object is refused, never resolved by
  // "last wins" (a duplicate in `members` or `system` is a client bug or an attempt to slip a value past a check).
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) {
    throw new MpsdError(
      'InvalidRequest',
      `The request body has the key "${duplicate.key.slice(0, 100)}" more than once in ${duplicate.path === '' ? 'the top-level object' : duplicate.path.slice(0, 200)}; each key may appear only once in an object.`,
    );
  }
  return value;
}
