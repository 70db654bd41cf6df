import fc from 'fast-check';
import {
  type JsonObject,
  type JsonValue,
  LosslessNumber,
  serializeExactJson,
  stringifyExactJson,
} from '../../../lambda/domain/json';
import { JsonSplice } from '../../../lambda/domain/json-texts';
import {
  parseStoredSessionText,
  serializeSessionText,
  storedSessionText,
} from '../../../lambda/domain/session/session-text';
import type { SessionDocument } from '../../../lambda/domain/session-document';
import { copySessionForChange } from '../../../lambda/domain/session-document';

// A session's texts (session-text.ts, json-texts.ts): the stored text keeps the custom values apart and reads back
// the very document; a document and its rendering are written exactly as one whole serialisation would write them,
// numbers exact, whatever the custom data holds; each custom value is serialised once per request.

// Custom data of every kind: any JSON, numbers a double cannot hold, strings made to look like stand-ins or lines.
const custom: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>,
  fc.constantFrom('9007199254740993', '1.0', '12345678.123456789').map((digits) => ({
    id: new LosslessNumber(digits),
    list: [new LosslessNumber(digits)],
  })),
  fc.constantFrom('\u0000', '\u0000x.1:0', '"\\u0000', '\\u0000abc.1:0"', 'a\nb', '\n').map((s) => ({ [s]: [s] })),
);
const bag = fc.record({ system: fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }), custom });
const entries = fc.dictionary(fc.stringMatching(/^\d{1,2}$/), fc.record({ constants: bag, properties: bag }), {
  maxKeys: 4,
});
const sessionLike = fc.record({
  changeNumber: fc.integer({ min: 1 }),
  constants: bag,
  properties: bag,
  members: entries,
  servers: entries,
}) as unknown as fc.Arbitrary<JsonObject>;

/** A rendering-like object sharing every member's bags with the document, as render.ts does. */
function renderingOf(document: JsonObject): JsonObject {
  const members: JsonObject = {};
  for (const [index, member] of Object.entries(document.members as JsonObject)) {
    const m = member as JsonObject;
    members[index] = { next: 9, constants: m.constants as JsonObject, properties: m.properties as JsonObject };
  }
  return { contractVersion: 107, constants: document.constants as JsonObject, members, membersInfo: { count: 1 } };
}

describe('the stored session text', () => {
  it('reads back the very document, numbers exact, and counts the bytes of its JSON text', () => {
    fc.assert(
      fc.property(sessionLike, (document) => {
        const stored = storedSessionText(document as unknown as SessionDocument);
        const whole = serializeExactJson(document);
        expect(stored.jsonBytes).toBe(Buffer.byteLength(whole.text));
        expect(stored.plainNumbers).toBe(whole.plainNumbers);
        const read = parseStoredSessionText(stored.text, stored.plainNumbers) as unknown as JsonObject;
        expect(stringifyExactJson(read)).toBe(whole.text);
        // What was read is written again, and answered, exactly as a whole serialisation would. A document read with
        // the exact parser says so of every value it held (a value of plain numbers then costs the exact parser
        // again, never a wrong digit); one of plain numbers keeps JSON.parse's fast path.
        for (const value of [read, renderingOf(read)]) {
          const expected = serializeExactJson(value);
          const actual = serializeSessionText(value);
          expect(actual.text).toBe(expected.text);
          if (!expected.plainNumbers || stored.plainNumbers) expect(actual.plainNumbers).toBe(expected.plainNumbers);
        }
      }),
      { numRuns: 500, seed: 20261129 },
    );
  });

  it('refuses a stored text that names a custom value it does not hold', () => {
    expect(() => parseStoredSessionText('{"constants":{"system":{},"custom":1}}\n{}', true)).toThrow(
      'a stored session names a custom value its text does not hold',
    );
  });
});

describe('each custom value is serialised once', () => {
  // JSON.stringify calls toJSON each time it writes the value: it counts the serialisations.
  const counting = () => {
    const count = { n: 0 };
    return { count, value: { toJSON: () => ({ serialised: ++count.n }) } as unknown as JsonValue };
  };

  it('for the stored text and the answer of a write', () => {
    const { count, value } = counting();
    const document = {
      constants: { system: {}, custom: {} },
      members: { '0': { constants: { system: {}, custom: {} }, properties: { system: {}, custom: value } } },
    } as unknown as JsonObject;
    const stored = storedSessionText(document as unknown as SessionDocument);
    const answer = serializeSessionText(renderingOf(document)).text;
    expect(count.n).toBe(1);
    expect(stored.text).toContain('{"serialised":1}');
    expect(answer).toContain('"custom":{"serialised":1}');
  });

  it('for a copy made for a change, which shares the custom values it read, and anew for a value the change replaced', () => {
    const text = storedSessionText({
      constants: { system: {}, custom: { keep: { deep: [1] } } },
      properties: { system: {}, custom: { a: { deep: [1] }, b: 2 } },
      members: {},
      servers: {},
    } as unknown as SessionDocument).text;
    const read = parseStoredSessionText(text, true);
    const copy = copySessionForChange(read);
    expect(copy.constants.custom).toBe(read.constants.custom);
    // The merge puts a new value in the bag (mergeCustom), sharing what is below its first level.
    copy.properties.custom = { ...(read.properties.custom as JsonObject), b: 3 };
    expect(serializeSessionText(copy as unknown as JsonObject).text).toBe(
      '{"constants":{"system":{},"custom":{"keep":{"deep":[1]}}},"properties":{"system":{},"custom":{"a":{"deep":[1]},"b":3}},"members":{},"servers":{}}',
    );
  });

  it('and a splice leaves a stand-in of another splice as the string it is', () => {
    const foreign = new JsonSplice().standIn({ a: 1 }) as string;
    const splice = new JsonSplice();
    splice.standIn({ b: 2 });
    expect(splice.text({ x: foreign }).text).toBe(stringifyExactJson({ x: foreign }));
  });
});
