import { parseSearchAttributes } from '../../../lambda/domain/handles/search-attributes';
import { parseExactJson } from '../../../lambda/domain/json';
import { refusal } from '../domain-fixtures';

// searchAttributes of a search handle's POST (spec/mpsd-family.md §3.6): what is kept, and every refusal's message.

const parse = (value: unknown) =>
  parseSearchAttributes(value === undefined ? undefined : parseExactJson(JSON.stringify(value)));

describe('parseSearchAttributes', () => {
  it.each([
    ['absent', undefined, {}],
    ['empty kinds, which are dropped (XSAPI omits them)', { tags: [], strings: {}, numbers: {} }, {}],
    [
      'the XSAPI fixture, case kept as written',
      { tags: ['micsrequired', 'GirlsOnly'], strings: { Class: 'A' }, numbers: { Skill_D: 10.145, Skill_I: 14 } },
      { tags: ['micsrequired', 'GirlsOnly'], strings: { Class: 'A' }, numbers: { Skill_D: 10.145, Skill_I: 14 } },
    ],
    ['a name of 99 characters', { tags: [`a${'b'.repeat(98)}`] }, { tags: [`a${'b'.repeat(98)}`] }],
    [
      '50 tags',
      { tags: Array.from({ length: 50 }, (_, i) => `t${i}`) },
      { tags: Array.from({ length: 50 }, (_, i) => `t${i}`) },
    ],
  ])('keeps %s', (_what, value, expected) => {
    expect(parse(value)).toEqual(expected);
  });

  it.each([
    ['an array', [], /must be an object/],
    ['an unknown kind', { flags: [] }, /searchAttributes.flags is not allowed/],
    ['tags that are not an array', { tags: 'a' }, /tags must be an array/],
    ['a tag that is a number', { tags: [1] }, /tags\[0\] must be a string/],
    ['a tag with a space', { tags: ['a b'] }, /start with a letter, contain no spaces/],
    ['a tag starting with a digit', { tags: ['9a'] }, /start with a letter/],
    ['a tag of 100 characters', { tags: [`a${'b'.repeat(99)}`] }, /shorter than 100/],
    ['51 tags', { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, /51 entries; at most 50/],
    ['a strings name starting with _', { strings: { _x: 'a' } }, /attribute name "_x"/],
    [
      'a strings value of 100 characters',
      { strings: { x: 'v'.repeat(100) } },
      /100 characters long; it must be shorter than 100/,
    ],
    ['a strings value that is a number', { strings: { x: 1 } }, /strings.x must be a string/],
    ['two strings names differing only in case', { strings: { Class: 'a', class: 'b' } }, /twice/],
    ['a numbers value that is a string', { numbers: { x: '1' } }, /numbers.x must be a number/],
    ['a numbers value that is null', { numbers: { x: null } }, /numbers.x must be a number/],
    ['51 numbers', { numbers: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`n${i}`, i])) }, /at most 50/],
  ])('refuses %s with 400 saying what is allowed', (_what, value, message) => {
    const r = refusal(() => parse(value));
    expect(r.status).toBe(400);
    expect(r.message).toMatch(message);
  });
});
