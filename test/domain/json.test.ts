import fc from 'fast-check';
import { stringify as losslessStringify } from 'lossless-json';
import {
  findDuplicateKey,
  isJsonInteger,
  type JsonValue,
  LosslessNumber,
  parseExactJson,
  parseSerializedJson,
  serializeExactJson,
  stringifyExactJson,
} from '../../lambda/domain/json';

// Exact JSON (spec §9.9, DESIGN "Numbers are exact"): every number comes back with the text it was sent with,
// whichever parser path the text takes; integers are integers as written; duplicate keys are found wherever they are.

const roundTrip = (text: string) => stringifyExactJson(parseExactJson(text));

describe('numbers come back exactly as written', () => {
  it.each([
    ['a plain integer', '1234'],
    ['zero', '0'],
    ['a short fraction', '12.5'],
    ['a negative fraction', '-0.5'],
    ['17 significant digits', '12345678.123456789'],
    ['16 significant digits in a fraction', '0.1234567890123456'],
    ['a 64-bit integer', '18446744073709551615'],
    ['an integer above 2^53', '9007199254740993'],
    ['a trailing zero', '1.0'],
    ['trailing zeros', '1.50'],
    ['an exponent', '1e2'],
    ['an upper-case exponent with sign', '1E+2'],
    ['a negative exponent', '5e-324'],
    ['the largest double', '1.7976931348623157e308'],
    ['an exponent beyond a double', '1e400'],
    ['negative zero', '-0'],
    ['a number below 1e-6', '0.0000001'],
    ['an integer with a fraction of zeros', '2.00000000000000000001'],
  ])('%s (%s), alone and beside plain numbers', (_what, number) => {
    for (const text of [`{"a":${number}}`, `{"b":1,"a":[2,${number}],"c":{"d":${number}}}`, `[${number}]`]) {
      expect(roundTrip(text)).toBe(text);
    }
  });

  it('keeps any generated number text, with or without whitespace around it', () => {
    const digits = (min: number, max: number) =>
      fc.array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max }).map((d) => d.join(''));
    const numberText = fc
      .tuple(
        fc.constantFrom('', '-'),
        fc.oneof(
          fc.constant('0'),
          fc.tuple(fc.constantFrom(...'123456789'), digits(0, 22)).map(([a, b]) => a + b),
        ),
        fc.option(
          digits(1, 22).map((f) => `.${f}`),
          { nil: '' },
        ),
        fc.option(
          fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1, 3)).map((p) => p.join('')),
          { nil: '' },
        ),
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(numberText, fc.constantFrom('', ' ', '\n'), (number, space) => {
        const text = `{"a":${space}${number}${space},"b":[${space}${number}${space}]}`;
        const value = parseExactJson(text) as { a: unknown; b: unknown[] };
        expect(stringifyExactJson(value.a as number)).toBe(number);
        expect(stringifyExactJson(value.b[0] as number)).toBe(number);
      }),
      { numRuns: 5000, seed: 20261129 },
    );
  });

  it('keeps plain numbers as numbers, digits inside strings do not matter', () => {
    const value = parseExactJson('{"xuid":"2533274790395904","at":"10:28:37.090Z","n":[1,-2,0.5,1234567890123]}');
    expect(value).toEqual({ xuid: '2533274790395904', at: '10:28:37.090Z', n: [1, -2, 0.5, 1234567890123] });
  });
});

describe('integers are integers as written', () => {
  it.each([
    ['8', true],
    ['-3', true],
    ['0', true],
    ['8.0', false],
    ['8e0', false],
    ['2.00000000000000000001', false],
    ['9007199254740993', false],
    ['1.5', false],
    ['"8"', false],
    ['null', false],
  ])('%s: %s', (literal, integer) => {
    const { a } = parseExactJson(`{"a":${literal}}`) as { a: number | LosslessNumber };
    expect(isJsonInteger(a)).toBe(integer);
  });
});

describe('duplicate keys', () => {
  it.each([
    ['no duplicate', '{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}]}', undefined],
    ['a duplicate at the top', '{"members":{},"members":{}}', { key: 'members', path: '' }],
    ['the same value twice', '{"a":1,"b":2,"a":1}', { key: 'a', path: '' }],
    [
      'a duplicate in members.me',
      '{"members":{"me":{"constants":{},"constants":{}}}}',
      { key: 'constants', path: 'members.me' },
    ],
    ['a duplicate inside an array', '{"list":[{"x":1},{"x":1,"x":2}]}', { key: 'x', path: 'list[*]' }],
    [
      'an escaped spelling of the same key',
      '{"system":{"xuid":"1","\\u0078uid":"2"}}',
      { key: 'xuid', path: 'system' },
    ],
    ['quotes, colons and braces inside strings', '{"a":"\\":{","b":"\\\\","c":"}","a\\"":1}', undefined],
    ['whitespace before the colon', '{"a" :1, "a"\n: 2}', { key: 'a', path: '' }],
    ['a key that only looks the same', '{"a":1,"A":2,"a ":3}', undefined],
  ])('%s', (_what, text, expected) => {
    expect(() => JSON.parse(text)).not.toThrow();
    expect(findDuplicateKey(text)).toEqual(expected);
  });

  it.each([['{"a'], ['{"a":"\\"'], ['{"a":1,"a']])('ends, finding nothing, on text that is not JSON: %s', (text) => {
    expect(findDuplicateKey(text)).toBeUndefined();
  });

  it('finds every duplicate the parser silently merged, in generated JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.jsonValue({ maxDepth: 2 }), (value, extra) => {
        const text = JSON.stringify(value);
        expect(findDuplicateKey(text)).toBeUndefined();
        if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0) {
          const key = Object.keys(value)[0] as string;
          const doubled = `${text.slice(0, -1)},${JSON.stringify(key)}:${JSON.stringify(extra)}}`;
          expect(findDuplicateKey(doubled)).toEqual({ key, path: '' });
        }
      }),
      { numRuns: 2000, seed: 20261129 },
    );
  });
});

describe('stringifyExactJson', () => {
  it('writes every value as lossless-json does, with or without lossless numbers in it', () => {
    const withLossless = fc.jsonValue({ maxDepth: 4 }).chain((value) =>
      fc.constantFrom('12345678.123456789', '1.0', '1e2', '-0', '9007199254740993').map((digits) => ({
        value,
        nested: [{ n: new LosslessNumber(digits) }],
      })),
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 5 }), withLossless), (value) => {
        expect(stringifyExactJson(value as JsonValue)).toBe(losslessStringify(value));
      }),
    );
  });

  it.each([
    ['plain numbers only', '{"a":[1,2.5,-3],"b":{"c":"9007199254740993"}}', true],
    ['a lossless number deep inside', '{"a":{"b":[{"c":9007199254740993}]}}', false],
    // The caller's own member of that name is a false alarm: the exact path writes the very same text.
    ['a member named isLosslessNumber, true', '{"a":{"isLosslessNumber":true,"value":"1"}}', false],
    ['a member named isLosslessNumber in a string', '{"a":"\\"isLosslessNumber\\":true"}', true],
  ])('serialises %s to the same text and says whether JSON.parse reads it back', (_case, text, plainNumbers) => {
    const serialized = serializeExactJson(parseExactJson(text));
    expect(serialized).toEqual({ text, plainNumbers });
    expect(parseSerializedJson(serialized)).toEqual(parseExactJson(text));
  });

  it('keeps the digits of a lossless number deep inside a document', () => {
    const text = '{"members":{"0":{"custom":{"big":9007199254740993,"list":[1.50,2]}}}}';
    expect(stringifyExactJson(parseExactJson(text))).toBe(text);
  });
});
