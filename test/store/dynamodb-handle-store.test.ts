import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { Handle } from '../../lambda/domain/handles/handle';
import { DynamoDbHandleStore } from '../../lambda/store/dynamodb-handle-store';
import { ensureSessionTable } from '../../local/create-table';
import { makeLocalAdminClient } from '../../local/dynamodb-local';

// The handle store on DynamoDB Local (README "Handles"): one activity per user per SCID kept by a conditional
// transaction, deletes that leave a newer activity alone, reads by key and by the sparse index.

const client = makeLocalAdminClient(process.env.DYNAMODB_ENDPOINT as string);
const tableName = `handles-test-${randomUUID()}`;
const store = new DynamoDbHandleStore(client, tableName);
const SCID = '00000000-0000-0000-0000-00006c6f6361';

beforeAll(() => ensureSessionTable(client, tableName));
afterAll(async () => {
  await client.send(new DeleteTableCommand({ TableName: tableName }));
  client.destroy();
});

function activity(owner: string, name = 's1', scid = SCID): Handle {
  return {
    id: randomUUID(),
    type: 'activity',
    sessionRef: { scid, templateName: 'lobby', name },
    createTime: '2026-06-01T12:00:00.0000000Z',
    createdAt: 0,
    ownerXuid: owner,
    titleId: '1',
    expiresAt: 4102444800,
  };
}

describe('activities', () => {
  it('replaces the current one atomically; a writer that read an older state loses the race and writes nothing', async () => {
    const first = activity('1');
    expect(await store.replaceActivity(first, undefined)).toBe('written');
    expect(await store.replaceActivity(activity('1'), undefined)).toBe('raced');
    const second = activity('1', 's2');
    const stale = activity('1', 's3');
    expect(await store.replaceActivity(second, first)).toBe('written');
    expect(await store.replaceActivity(stale, first)).toBe('raced');
    expect(await store.currentActivity(SCID, '1')).toEqual(second);
    expect(await store.get(first.id)).toBeUndefined();
    expect(await store.get(stale.id)).toBeUndefined();
    expect(await store.get(second.id)).toEqual(second);
  });

  it('of several concurrent replacements of the same state, at most one is written, and the pointer names it', async () => {
    const base = activity('2');
    await store.replaceActivity(base, undefined);
    const rivals = [1, 2, 3, 4].map(() => activity('2', `r${randomUUID()}`));
    const outcomes = await Promise.all(rivals.map((rival) => store.replaceActivity(rival, base)));
    // DynamoDB may cancel every one of them (TransactionConflict): each is then `raced` and the caller reads again.
    const written = rivals.filter((_, i) => outcomes[i] === 'written');
    expect(written.length).toBeLessThanOrEqual(1);
    expect(await store.currentActivity(SCID, '2')).toEqual(written[0] ?? base);
    for (const loser of rivals.filter((_, i) => outcomes[i] === 'raced'))
      expect(await store.get(loser.id)).toBeUndefined();
  });

  it('deleting an older activity leaves the pointer to a newer one', async () => {
    const older = activity('3');
    await store.replaceActivity(older, undefined);
    const newer = activity('3', 's2');
    await store.replaceActivity(newer, older);
    await store.delete(older);
    expect(await store.currentActivity(SCID, '3')).toEqual(newer);
    await store.delete(newer);
    expect(await store.currentActivity(SCID, '3')).toBeUndefined();
    expect(await store.get(newer.id)).toBeUndefined();
  });

  it('finds activities by owners (by key) and by SCID (the index), never another SCID’s', async () => {
    const scid = randomUUID();
    const mine = [activity('10', 'a', scid), activity('11', 'b', scid)];
    for (const a of mine) await store.replaceActivity(a, undefined);
    await store.replaceActivity(activity('10', 'c', randomUUID()), undefined);
    expect((await store.activitiesOf(scid, ['10', '11', '12'])).map((a) => a.id).sort()).toEqual(
      mine.map((a) => a.id).sort(),
    );
    expect((await store.activitiesIn(scid.toUpperCase(), 10)).map((a) => a.id).sort()).toEqual(
      mine.map((a) => a.id).sort(),
    );
  });
});

it('stores an invite once: a second put of the same id is refused', async () => {
  const invite: Handle = { ...activity('4'), type: 'invite', invitedXuid: '5', inviteAttributes: { titleId: '1' } };
  await store.put(invite);
  expect(await store.get(invite.id)).toEqual(invite);
  await expect(store.put(invite)).rejects.toThrow();
  await store.delete(invite);
  expect(await store.get(invite.id)).toBeUndefined();
});

it('reads the activities of more owners than one BatchGetItem takes', async () => {
  const scid = randomUUID();
  const owners = Array.from({ length: 120 }, (_, i) => String(3000 + i));
  await store.replaceActivity(activity(owners[119] as string, 'last', scid), undefined);
  expect((await store.activitiesOf(scid, owners)).map((a) => a.ownerXuid)).toEqual([owners[119]]);
});

it('passes on an error a retry cannot cure (no such table) from every call, for a 500', async () => {
  const missing = new DynamoDbHandleStore(client, `missing-${randomUUID()}`);
  const a = activity('6');
  const calls: (() => Promise<unknown>)[] = [
    () => missing.get(a.id),
    () => missing.put(a),
    () => missing.replaceActivity(a, undefined),
    () => missing.delete(a),
    () => missing.activitiesOf(SCID, ['6']),
    () => missing.activitiesIn(SCID, 10),
  ];
  for (const call of calls) {
    const failure = await call().catch((error: unknown) => error);
    expect((failure as Error).name).toBe('ResourceNotFoundException');
  }
});
