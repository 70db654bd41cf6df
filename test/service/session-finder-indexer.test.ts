import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { SessionRecord } from '../../lambda/domain/session/session-record';
import type { SessionDocument } from '../../lambda/domain/session-document';
import { makeFinderIndexer } from '../../lambda/service/session-finder-indexer';
import { DynamoDbSessionFinder } from '../../lambda/store/dynamodb-session-finder';
import type { SessionChange } from '../../lambda/store/session-stream';
import { ensureSessionTable } from '../../local/create-table';
import { makeLocalAdminClient } from '../../local/dynamodb-local';

// The finder's handler (README "Finding sessions") on DynamoDB Local: session changes in stream order become finder
// items; the first change that cannot be applied stops the batch and is reported, so the event source retries from it.

const client = makeLocalAdminClient(process.env.DYNAMODB_ENDPOINT as string);
const tableName = `finder-test-${randomUUID()}`;
const SCID = '00000000-0000-0000-0000-00006c6f6361';
const errors: string[] = [];
const log = { error: (message: string) => errors.push(message) };

beforeAll(() => ensureSessionTable(client, tableName, { stream: false }));
afterAll(async () => {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  client.destroy();
});

function session(xuids: string[], keywords: string[] = []): SessionRecord {
  const members: SessionDocument['members'] = {};
  xuids.forEach((xuid, i) => {
    members[String(i)] = {
      constants: { system: { xuid }, custom: {} },
      properties: { system: { active: true }, custom: {} },
      joinTime: '2026-01-01T00:00:00.0000000Z',
      stateSince: 0,
    };
  });
  const document: SessionDocument = {
    branch: 'b',
    changeNumber: 1,
    correlationId: 'c',
    startTime: '2026-01-01T00:00:00.0000000Z',
    constants: { system: {}, custom: {} },
    properties: { system: { keywords }, custom: {} },
    members,
    nextMemberIndex: xuids.length,
    servers: {},
  };
  return { kind: 'session', document };
}

const change = (
  n: number,
  key: string,
  before: SessionRecord | undefined,
  after: SessionRecord | undefined,
): SessionChange => ({
  sequenceNumber: String(n),
  sessionKey: key,
  before,
  after,
  changedAt: 0,
});

it('indexes joins and keywords in stream order and forgets a member who left and a deleted session', async () => {
  const finder = new DynamoDbSessionFinder(client, tableName);
  const indexer = makeFinderIndexer({ finder, log });
  const key = `${SCID}#lobby#indexed`;
  const created = session(['11']);
  const joined = session(['11', '22'], ['Red']);
  const left = session(['22'], ['Red']);
  expect(
    await indexer([change(1, key, undefined, created), change(2, key, created, joined), change(3, key, joined, left)]),
  ).toEqual({});
  const find = async (term: string) => (await finder.candidates(SCID, term, { limit: 10 })).keys;
  expect(await find('xuid:22')).toEqual([key]);
  expect(await find('keyword:red')).toEqual([key]);
  expect(await find('xuid:11')).toEqual([]);
  expect(await indexer([change(4, key, left, { kind: 'deleted', correlationId: 'c' })])).toEqual({});
  expect(await find('xuid:22')).toEqual([]);
  expect(await find('keyword:red')).toEqual([]);
});

it('reports the first change it could not apply, so the event source retries the batch from it', async () => {
  const missing = new DynamoDbSessionFinder(client, `no-such-table-${randomUUID()}`);
  const indexer = makeFinderIndexer({ finder: missing, log });
  const key = `${SCID}#lobby#unindexed`;
  const result = await indexer([
    change(7, key, undefined, undefined),
    change(8, key, undefined, session(['33'])),
    change(9, key, undefined, session(['44'])),
  ]);
  // Change 7 changes nothing indexed (no record on either side), so the first write, change 8's, fails.
  expect(result).toEqual({ failedSequenceNumber: '8' });
  expect(errors).toContain('finder index update failed');
});
