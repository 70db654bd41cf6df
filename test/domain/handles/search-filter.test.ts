import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from 'peggy';
import {
  compareForOrder,
  matchesSearchFilter,
  parseSearchFilter,
  parseSearchOrder,
  type SearchView,
} from '../../../lambda/domain/handles/search-filter';
import { refusal } from '../domain-fixtures';

// The search-handle filter language and orderBy (spec/mpsd-family.md §4.3, §4.4), as tables: what each filter
// matches on a set of handles, and every filter outside the subset refused with 400 naming the offending token.

const HANDLES_DIR = path.resolve(__dirname, '../../../lambda/domain/handles');

function view(id: string, extra: Partial<SearchView>): SearchView & { id: string } {
  return {
    id,
    tags: [],
    strings: {},
    numbers: {},
    memberXuids: [],
    ownerXuids: [],
    keywords: [],
    scid: '00000000-0000-0000-0000-00006c6f6361',
    templateName: 'lfg',
    membersCount: 1,
    maxMembersCount: 8,
    postedAt: Date.parse('2026-01-01T00:00:00Z'),
    ...extra,
  };
}

const HANDLES = [
  view('elite', { tags: ['Elite', 'micsRequired'], strings: { clan: 'Purple' }, numbers: { guns: 10, rank: 0 } }),
  view('gunner', { tags: ['cursingAllowed'], strings: { clan: 'purple' }, numbers: { guns: 20 }, membersCount: 5 }),
  view('quiet', { tags: [], strings: { clan: 'green' }, numbers: { guns: 30, rank: 3 }, memberXuids: ['1234566'] }),
  view('late', { numbers: { halokdratio: 1.6 }, keywords: ['Level2'], postedAt: Date.parse('2026-02-01T00:00:00Z') }),
];

describe('the generated parser', () => {
  it('is the grammar compiled by peggy as `npm run gen:search-filter` compiles it (regenerate after editing the grammar)', () => {
    const grammar = readFileSync(path.join(HANDLES_DIR, 'search-filter.peggy'), 'utf8');
    const generated = generate(grammar, {
      output: 'source',
      format: 'commonjs',
      grammarSource: 'lambda/domain/handles/search-filter.peggy',
    });
    expect(readFileSync(path.join(HANDLES_DIR, 'search-filter-parser.generated.js'), 'utf8')).toBe(generated);
  });
});

describe('what a filter matches (§4.3)', () => {
  it.each([
    ["tags/any(d:tolower(d) eq 'elite')", ['elite']],
    ["tags/any(d:d eq 'ELITE')", ['elite']],
    ["Tags/Any(d:d EQ 'elite') eq true", ['elite']],
    ["tags/any(d:d eq 'elite') eq false", ['gunner', 'quiet', 'late']],
    // The documented meaning of any(… ne): handles that do not carry the tag (not OData's).
    ["tags/any(d:tolower(d) ne 'cursingallowed')", ['elite', 'quiet', 'late']],
    ["tolower(strings/clan) eq 'purple'", ['elite', 'gunner']],
    ["Strings/CLAN eq 'PURPLE'", ['elite', 'gunner']],
    ["strings/clan ne 'purple'", ['quiet', 'late']],
    ['numbers/guns gt 15', ['gunner', 'quiet']],
    ['numbers/guns ge 20 and numbers/guns le 20', ['gunner']],
    ['numbers/halokdratio gt 1.5', ['late']],
    // A missing attribute: false for every comparison but ne, which is true.
    ['numbers/rank ne 0', ['gunner', 'quiet', 'late']],
    ['numbers/rank lt 5', ['elite', 'quiet']],
    // and binds tighter than or; the docs' singular spellings are accepted.
    ["tags/any(a:tolower(a) eq 'elite') or number/guns gt 15 and string/clan eq 'purple'", ['elite', 'gunner']],
    [
      "(numbers/guns gt 5 and numbers/guns lt 25) or session/keywords/any(d:tolower(d) eq 'level2')",
      ['elite', 'gunner', 'late'],
    ],
    ["session/memberXuids/any(d:d eq '1234566')", ['quiet']],
    ['session/membersCount eq 5', ['gunner']],
    ['session/maxMembersCountRemaining lt 7', ['gunner']],
    ["session/templateName eq 'LFG'", ['elite', 'gunner', 'quiet', 'late']],
    ["session/postedTime gt '2026-01-15T00:00:00.0000000Z'", ['late']],
    ["language eq 'en'", []],
    ["strings/clan eq 'it''s'", []],
    ["Tags/micsRequired eq 'micsrequired'", ['elite']],
  ])('%s matches %j', (filter, expected) => {
    const parsed = parseSearchFilter(filter);
    expect(HANDLES.filter((h) => matchesSearchFilter(parsed, h)).map((h) => h.id)).toEqual(expected);
  });
});

describe('filters outside the subset: 400 naming the offending token', () => {
  it.each([
    ['a eq 1 or b eq 2 or c eq 3', /character 18 \("or"\): at most one "or"/],
    ['(numbers/a eq 1 or numbers/b eq 2)', /character 17 \("or"\): "or" is allowed only at the root/],
    ['numbers/guns eq', /character 16 \("the end"\)/],
    ['numbers/guns has 3', /character 14 \("has"\)/],
    ["contains(strings/clan, 'x')", /character 9 \("\("\)|character 1/],
    ["toupper(strings/clan) eq 'X'", /character 8/],
    ["tags/all(d:d eq 'x')", /character 9 \("\("\): this is not the documented filter syntax/],
    ["strings/clan eq 'unterminated", /character 30 \("the end"\)/],
    ['numbers/guns eq 1 not', /character 19 \("not"\)/],
    ['strings/clan gt 3', /a string path is compared with a quoted/],
    ["numbers/guns eq '3'", /a number path is compared with a number/],
    ["foo/bar eq 'x'", /foo\/bar is not a searchable path/],
    ['session/needs gt 0', /session\/needs is not supported by this service/],
    ["tags eq 'x'", /tags is a collection/],
    ["tags/any(d:e eq 'x')", /tests e, which is not its range variable/],
    ["tags/any(d:d gt 'x')", /only eq and ne/],
    ["session/postedTime gt 'yesterday'", /not an ISO 8601 time/],
    ["strings/clan/any(d:d eq 'x')", /is not a collection/],
  ])('refuses %s', (filter, message) => {
    const refused = refusal(() => parseSearchFilter(filter));
    expect(refused.status).toBe(400);
    expect(refused.message).toMatch(message);
  });

  it('refuses a filter longer than 2048 characters', () => {
    expect(refusal(() => parseSearchFilter(`numbers/a eq 1${' '.repeat(2048)}`)).message).toMatch(/at most 2048/);
  });
});

describe('orderBy (§4.4)', () => {
  it.each([
    ['numbers/guns asc', ['elite', 'gunner', 'quiet', 'late']],
    ['Numbers/Guns DESC', ['quiet', 'gunner', 'elite', 'late']],
    ['strings/clan desc', ['elite', 'gunner', 'quiet', 'late']],
    ['timestamp desc', ['late', 'elite', 'gunner', 'quiet']],
    ['numbers/rank', ['elite', 'quiet', 'gunner', 'late']],
  ])('%s orders %j (lacking the attribute: last, both ways)', (orderBy, expected) => {
    const order = parseSearchOrder(orderBy);
    expect([...HANDLES].sort((a, b) => compareForOrder(order, a, b)).map((h) => h.id)).toEqual(expected);
  });

  it.each([
    ['numbers/guns sideways', /is not "<attribute> asc"/],
    ['tags asc', /is a collection/],
    ['strings asc', /strings is not a searchable path/],
  ])('refuses %s with 400', (orderBy, message) => {
    const refused = refusal(() => parseSearchOrder(orderBy));
    expect(refused.status).toBe(400);
    expect(refused.message).toMatch(message);
  });
});
