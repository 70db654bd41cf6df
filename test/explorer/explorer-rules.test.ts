// The page's own rules, which run in the browser (lambda/explorer/*.js, plain ES modules): what changed between two
// documents, a member's state and timer, countdowns, and the paths it asks the API for. Table-driven, in Node; the
// browser test drives them through the page.

interface JsonDiff {
  changedPaths(before: unknown, after: unknown): string[];
  touches(changed: readonly string[], path: string): boolean;
}
interface SessionView {
  memberStatus(member: unknown): string;
  timeoutOf(doc: unknown, name: string): number | null | undefined;
  memberTimer(doc: unknown, member: unknown): { name: string; timeout: number | null; deadline?: number } | undefined;
  countdown(deadline: number | undefined, now: number): string;
}
interface ExplorerApi {
  sessionPath(ref: { scid: string; templateName: string; name: string }): string;
  listingPath(filter: Record<string, string | number | undefined>): string;
}
interface Live {
  tapResourceOf(ref: { scid: string; templateName: string; name: string }): string;
}

const diff = jest.requireActual<JsonDiff>('../../lambda/explorer/json-diff.js');
const view = jest.requireActual<SessionView>('../../lambda/explorer/session-view.js');
const api = jest.requireActual<ExplorerApi>('../../lambda/explorer/api.js');
const live = jest.requireActual<Live>('../../lambda/explorer/live.js');

const SCID = '00000000-0000-0000-0000-00006c6f6361';

describe('changedPaths', () => {
  it.each<[string, unknown, unknown, string[]]>([
    ['equal documents', { a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 2] } }, []],
    [
      'a changed value, as deep as both sides are objects',
      { m: { 1: { s: 'a' } } },
      { m: { 1: { s: 'b' } } },
      ['m.1.s'],
    ],
    ['a key added', { m: { 0: {} } }, { m: { 0: {}, 1: { g: 'Bob' } } }, ['m.1']],
    ['a key removed', { m: { 0: {}, 1: {} } }, { m: { 0: {} } }, ['m.1']],
    ['an array, compared whole', { k: ['a', 'b'] }, { k: ['b', 'a'] }, ['k']],
    ['an object that became a value', { x: { y: 1 } }, { x: null }, ['x']],
  ])('%s', (_name, before, after, expected) => {
    expect(diff.changedPaths(before, after)).toEqual(expected);
  });
});

describe('touches', () => {
  it.each<[string[], string, boolean]>([
    [['members.1'], 'members.1', true],
    [['members.1.properties.custom.team'], 'members.1', true],
    [['members'], 'members.1', true],
    [['members.10'], 'members.1', false],
    [['properties.custom'], 'members.1', false],
    [[], 'members.1', false],
  ])('%j touches %s: %s', (changed, path, expected) => {
    expect(diff.touches(changed, path)).toBe(expected);
  });
});

describe('memberStatus', () => {
  it.each<[string, unknown, string]>([
    ['reserved', { reserved: true, properties: { system: { active: true } } }, 'reserved'],
    ['active', { properties: { system: { active: true } } }, 'active'],
    ['ready', { properties: { system: { ready: true } } }, 'ready'],
    ['inactive', { properties: { system: {} } }, 'inactive'],
    ['inactive without properties', {}, 'inactive'],
  ])('%s', (_name, member, expected) => {
    expect(view.memberStatus(member)).toBe(expected);
  });
});

describe('memberTimer', () => {
  const joinTime = '2026-11-29T12:00:00.0000000Z';
  const at = Date.parse(joinTime);
  it.each<[string, Record<string, unknown>, unknown, unknown]>([
    [
      'a reservation ends at its joinTime plus the default 30 s',
      {},
      { reserved: true, joinTime },
      { name: 'reservedRemovalTimeout', timeout: 30000, deadline: at + 30000 },
    ],
    [
      'a reservation under the session’s own timeout',
      { reservedRemovalTimeout: 5000 },
      { reserved: true, joinTime },
      { name: 'reservedRemovalTimeout', timeout: 5000, deadline: at + 5000 },
    ],
    [
      'an inactive member: the timeout, no deadline (when it became inactive is not in the document)',
      { inactiveRemovalTimeout: 60000 },
      { joinTime, properties: { system: {} } },
      { name: 'inactiveRemovalTimeout', timeout: 60000 },
    ],
    [
      'a ready member under the default 180 s',
      {},
      { joinTime, properties: { system: { ready: true } } },
      { name: 'readyRemovalTimeout', timeout: 180000 },
    ],
    [
      'a timeout of null: never',
      { readyRemovalTimeout: null },
      { joinTime, properties: { system: { ready: true } } },
      { name: 'readyRemovalTimeout', timeout: null },
    ],
    ['an active member: no timer', {}, { joinTime, properties: { system: { active: true } } }, undefined],
  ])('%s', (_name, system, member, expected) => {
    expect(view.memberTimer({ constants: { system } }, member)).toEqual(expected);
  });
});

describe('countdown', () => {
  it.each<[number | undefined, number, string]>([
    [undefined, 0, 'never'],
    [10_000, 0, 'in 10 s'],
    [10_001, 0, 'in 11 s'],
    [65_000, 0, 'in 1 min 05 s'],
    [1_000, 1_000, 'due now (the next read, write or sweep applies it)'],
    [1_000, 5_000, 'due now (the next read, write or sweep applies it)'],
  ])('%s at %s: %s', (deadline, now, expected) => {
    expect(view.countdown(deadline, now)).toBe(expected);
  });
});

describe('the paths the page asks for', () => {
  it('encodes each part of a session’s path', () => {
    expect(api.sessionPath({ scid: SCID, templateName: 'lobby', name: 'a b/c' })).toBe(
      `/serviceconfigs/${SCID}/sessiontemplates/lobby/sessions/a%20b%2Fc`,
    );
  });

  it.each<[string, Record<string, string | number | undefined>, string]>([
    ['the QA listing of a SCID', { scid: SCID, take: 20 }, `/serviceconfigs/${SCID}/sessions?take=20`],
    [
      'of one template, with the next page’s token',
      { scid: SCID, template: 'lobby', take: 5, continuationToken: 'a+b=' },
      `/serviceconfigs/${SCID}/sessiontemplates/lobby/sessions?take=5&continuationToken=a%2Bb%3D`,
    ],
    [
      'the session query by xuid',
      { scid: SCID, xuid: '2533274790395904', take: 20 },
      `/serviceconfigs/${SCID}/sessions?xuid=2533274790395904&take=20`,
    ],
    [
      'the session query by keyword',
      { scid: SCID, keyword: 'ranked mode', take: 20 },
      `/serviceconfigs/${SCID}/sessions?keyword=ranked+mode&take=20`,
    ],
  ])('%s', (_name, filter, expected) => {
    expect(api.listingPath(filter)).toBe(expected);
  });

  it('recognises a tap naming the session whatever the letter case (family spec §6.8: the template lower-cased)', () => {
    expect(live.tapResourceOf({ scid: SCID.toUpperCase(), templateName: 'Lobby', name: 'Friday' })).toBe(
      `${SCID}~lobby~friday`,
    );
  });
});
