import { MpsdError } from '../../lambda/domain/errors';
import { type JsonValue, parseExactJson } from '../../lambda/domain/json';
import { expectCustom, expectInteger, expectXuid, readCustomChange } from '../../lambda/domain/validate';
import { isXuid } from '../../lambda/domain/xuid';

// The small field rules every schema uses: integers as written, custom objects, xuids. Values are parsed from text
// (as bodies are), so the exact number a client wrote is what is checked.

const parsed = (literal: string): JsonValue => (parseExactJson(`{"v":${literal}}`) as { v: JsonValue }).v;

function problem(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof MpsdError && error.status === 400) return error.message;
    throw error;
  }
}

describe('expectInteger (from 1 to 100)', () => {
  it.each([
    ['1', 1],
    ['100', 100],
    ['8', 8],
  ])('accepts %s', (literal, n) => {
    expect(expectInteger('f', parsed(literal), 1, 100)).toBe(n);
  });

  it.each([
    ['2.00000000000000000001'],
    ['2.0'],
    ['2e0'],
    ['1.5'],
    ['0'],
    ['101'],
    ['-1'],
    ['"8"'],
    ['null'],
    ['18446744073709551616'],
  ])('refuses %s', (literal) => {
    expect(problem(() => expectInteger('f', parsed(literal), 1, 100))).toBe(
      'f must be an integer from 1 to 100, written without a fraction or exponent.',
    );
  });
});

describe('expectCustom / readCustomChange', () => {
  it.each([['{}'], ['{"a":1}'], ['{"a":null}']])('accepts %s', (literal) => {
    expect(expectCustom('properties.custom', parsed(literal))).toEqual(JSON.parse(literal));
  });

  it.each([['null'], ['1'], ['"Hello"'], ['[]'], ['[{"a":1}]'], ['true'], ['12345678901234567890']])(
    'refuses %s naming the field',
    (literal) => {
      expect(problem(() => expectCustom('members.me.properties.custom', parsed(literal)))).toMatch(
        /^members\.me\.properties\.custom must be a JSON object of custom properties/,
      );
    },
  );

  it('reads an absent custom as no change', () => {
    expect(readCustomChange('properties.custom', undefined)).toBeUndefined();
  });
});

describe('xuids', () => {
  it.each([
    ['1', true],
    ['2533274790395904', true],
    ['18446744073709551615', true],
    ['18446744073709551616', false],
    ['99999999999999999999', false],
    ['0', false],
    ['0123', false],
    ['-1', false],
    ['12a', false],
    ['', false],
  ])('isXuid(%j) is %s', (text, xuid) => {
    expect(isXuid(text)).toBe(xuid);
  });

  it.each([
    ['"2533274790395904"', '2533274790395904'],
    ['2535285330879750', '2535285330879750'],
    ['18446744073709551615', '18446744073709551615'],
  ])('expectXuid reads %s as %j', (literal, xuid) => {
    expect(expectXuid('x', parsed(literal))).toBe(xuid);
  });

  it.each([['"0123"'], ['1.0'], ['1e3'], ['"1e3"'], ['true'], ['18446744073709551616']])(
    'expectXuid refuses %s',
    (literal) => {
      expect(problem(() => expectXuid('x', parsed(literal)))).toMatch(/^x must be a xuid: a decimal number from 1/);
    },
  );
});
