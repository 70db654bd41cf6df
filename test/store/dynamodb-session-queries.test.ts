import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { SessionDocument } from '../../lambda/domain/session-document';
import { DynamoDbSessionFinder } from '../../lambda/store/dynamodb-session-finder';
import { DynamoDbSessionListing } from '../../lambda/store/dynamodb-session-listing';
import { DynamoDbSessionStore } from '../../lambda/store/dynamodb-session-store';
import { listShardName, listShardOf, SESSION_LIST_SHARDS } from '../../lambda/store/table-schema';
import { ensureSessionTable } from '../../local/create-table';
import { makeLocalAdminClient } from '../../local/dynamodb-local';

// The stores behind session queries on DynamoDB Local (README "Finding sessions"): the listing index's merge and its
// continuation token, batched reads past BatchGetItem's 100 keys, and the finder's items written past
// BatchWriteItem's 25 and found newest first, by template, page by page.

const client = makeLocalAdminClient(process.env.DYNAMODB_ENDPOINT as string);
const tableName = `queries-test-${randomUUID()}`;
const sessions = new DynamoDbSessionStore(client, tableName);
const listing = new DynamoDbSessionListing(client, tableName);
const finder = new DynamoDbSessionFinder(client, tableName);
const SCID = '00000000-0000-0000-0000-00006c6f6361';

beforeAll(() => ensureSessionTable(client, tableName, { stream: false }));
afterAll(async () => {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  client.destroy();
});

function document(startTime: string): SessionDocument {
  return {
    branch: 'b',
    changeNumber: 1,
    correlationId: 'c',
    startTime,
    constants: { system: {}, custom: {} },
    properties: { system: {}, custom: {} },
    members: {},
    nextMemberIndex: 0,
    servers: {},
  };
}

const at = (i: number) => `2026-03-01T00:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(7, '0')}Z`;

describe('the listing', () => {
  const keys: string[] = [];
  beforeAll(async () => {
    for (let i = 0; i < 130; i += 1) {
      const key = `${SCID}#${i % 2 === 0 ? 'lobby' : 'game'}#s-${String(i).padStart(3, '0')}`;
      keys.push(key);
      await sessions.write(key, { kind: 'session', document: document(at(i)), recentWriteIds: [] }, { absent: true });
    }
  });

  it('reads more than BatchGetItem’s 100 keys in one call, leaving out keys that hold nothing', async () => {
    const found = await listing.readMany([...keys, `${SCID}#lobby#never`], { consistent: true });
    expect(found.size).toBe(130);
    expect([...found.keys()].sort()).toEqual([...keys].sort());
  });

  it('pages every session of one template exactly once, newest first', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await listing.newestFirst({
        scid: SCID,
        templateName: 'LOBBY',
        take: 7,
        ...(token ? { continuationToken: token } : {}),
      });
      if (page.kind !== 'page') throw new Error(page.reason);
      seen.push(...page.keys);
      token = page.continuationToken;
    } while (token !== undefined);
    const lobby = keys.filter((k) => k.includes('#lobby#'));
    expect(seen).toHaveLength(lobby.length);
    expect(new Set(seen)).toEqual(new Set(lobby));
    const startOf = (key: string) => at(Number(key.slice(-3)));
    const starts = seen.map(startOf);
    expect(starts).toEqual([...starts].sort().reverse());
  });

  it('refuses a token whose position names a session of another shard', async () => {
    const page = await listing.newestFirst({ scid: SCID, take: 1 });
    if (page.kind !== 'page' || page.continuationToken === undefined) throw new Error('expected a token');
    const content = JSON.parse(Buffer.from(page.continuationToken, 'base64url').toString('utf8'));
    const key = keys.find((k) => listShardOf(k) !== listShardName(SCID, 0)) as string;
    content.shards[0] = { pk: key, start: at(0) };
    const forged = Buffer.from(JSON.stringify(content)).toString('base64url');
    expect(await listing.newestFirst({ scid: SCID, take: 1, continuationToken: forged })).toEqual({
      kind: 'invalid-token',
      reason: 'it is not a continuationToken this listing gave out',
    });
  });

  it.each([
    ['not base64url JSON', '%%%'],
    ['JSON that is not an object', Buffer.from('7').toString('base64url')],
    [
      'the wrong number of shards',
      Buffer.from(JSON.stringify({ v: 1, scid: SCID, tpl: null, shards: ['start'] })).toString('base64url'),
    ],
    [
      'another version',
      Buffer.from(
        JSON.stringify({ v: 2, scid: SCID, tpl: null, shards: Array(SESSION_LIST_SHARDS).fill('start') }),
      ).toString('base64url'),
    ],
  ])('refuses a token that is %s', async (_case, token) => {
    expect((await listing.newestFirst({ scid: SCID, take: 1, continuationToken: token })).kind).toBe('invalid-token');
  });
});

describe('the finder', () => {
  const sessionKey = (i: number, template = 'lobby') => `${SCID}#${template}#f-${i}`;

  it('writes and deletes more items than one BatchWriteItem takes, and finds them newest first', async () => {
    const terms = Array.from({ length: 60 }, (_, i) => `keyword:k${i}`);
    await finder.apply(sessionKey(1), { startTime: at(1), put: [...terms, 'xuid:1'], delete: [] });
    await finder.apply(sessionKey(2, 'game'), { startTime: at(2), put: ['xuid:1'], delete: [] });
    await finder.apply(sessionKey(3), { startTime: at(3), put: ['xuid:1'], delete: [] });
    expect((await finder.candidates(SCID, 'xuid:1', { limit: 10 })).keys).toEqual([
      sessionKey(3),
      sessionKey(2, 'game'),
      sessionKey(1),
    ]);
    expect((await finder.candidates(SCID, 'keyword:k59', { limit: 10 })).keys).toEqual([sessionKey(1)]);
    await finder.apply(sessionKey(1), { put: [], delete: terms });
    expect((await finder.candidates(SCID, 'keyword:k59', { limit: 10 })).keys).toEqual([]);
    expect((await finder.candidates(SCID, 'xuid:1', { limit: 10 })).keys).toContain(sessionKey(1));
  });

  it('narrows to a template and pages with the position it hands back', async () => {
    const first = await finder.candidates(SCID, 'xuid:1', { templateName: 'Lobby', limit: 1 });
    expect(first.keys).toEqual([sessionKey(3)]);
    expect(first.next).toBeDefined();
    const rest: string[] = [];
    let after = first.next;
    while (after !== undefined) {
      const page = await finder.candidates(SCID, 'xuid:1', { templateName: 'lobby', limit: 1, after });
      rest.push(...page.keys);
      after = page.next;
    }
    expect(rest).toEqual([sessionKey(1)]);
  });
});
