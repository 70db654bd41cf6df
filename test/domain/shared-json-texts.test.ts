import fc from 'fast-check';
import {
  type JsonObject,
  type JsonValue,
  LosslessNumber,
  serializeExactJson,
  stringifyExactJson,
} from '../../lambda/domain/json';
import { serializeSessionText } from '../../lambda/domain/session/session-text';
import { SharedJsonTexts } from '../../lambda/domain/shared-json-texts';

// The texts a PUT shares between the stored document and its answer (session-text.ts): whatever the custom data
// holds, the spliced text is the very text of one whole serialisation, numbers exact, and each shared value is
// serialised once.

// Custom data of every kind: any JSON, numbers a double cannot hold, and strings made to look like stand-ins.
const custom: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>,
  fc.constantFrom('9007199254740993', '1.0', '12345678.123456789').map((digits) => ({
    id: new LosslessNumber(digits),
    list: [new LosslessNumber(digits)],
  })),
  fc.constantFrom('\u0000', '\u0000x.1:0', '"\\u0000', '\\u0000abc.1:0"').map((s) => ({ note: s, [s]: [s] })),
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

describe('serializeSessionText', () => {
  it('writes a document and then its rendering exactly as one whole serialisation of each would', () => {
    fc.assert(
      fc.property(sessionLike, (document) => {
        const shared = new SharedJsonTexts();
        expect(serializeSessionText(document, shared)).toEqual(serializeExactJson(document));
        const rendering = renderingOf(document);
        expect(serializeSessionText(rendering, shared)).toEqual(serializeExactJson(rendering));
      }),
      { numRuns: 500, seed: 20261129 },
    );
  });

  it('serialises a shared custom value once for the stored document and its answer', () => {
    let serialised = 0;
    // JSON.stringify calls toJSON each time it writes the value: it counts the serialisations.
    const counted = { toJSON: () => ({ serialised: ++serialised }) } as unknown as JsonValue;
    const document: JsonObject = {
      constants: { system: {}, custom: {} },
      members: { '0': { constants: { system: {}, custom: {} }, properties: { system: {}, custom: counted } } },
    };
    const shared = new SharedJsonTexts();
    const stored = serializeSessionText(document, shared).text;
    const answer = serializeSessionText(renderingOf(document), shared).text;
    expect(serialised).toBe(1);
    expect(stored).toContain('"custom":{"serialised":1}');
    expect(answer).toContain('"custom":{"serialised":1}');
  });

  it('leaves a stand-in of another request as the string it is', () => {
    const other = new SharedJsonTexts();
    const foreign = other.standIn({ a: 1 }) as string;
    const shared = new SharedJsonTexts();
    shared.standIn({ b: 2 });
    expect(shared.serialize({ x: foreign }).text).toBe(stringifyExactJson({ x: foreign }));
  });
});
