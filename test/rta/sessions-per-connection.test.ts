import { randomUUID } from 'node:crypto';
import type { SessionDocument } from '../../lambda/domain/session-document';
import { MAX_SESSIONS_PER_CONNECTION } from '../../lambda/rta/connection-limits';
import { makeTapHandler } from '../../lambda/rta/tap-delivery';
import type { SessionChange } from '../../lambda/store/session-stream';
import { connectionTableForFile } from '../support/connection-table';

// At most 10 sessions per connection (family spec §6.4, §7 item 23): counted from the sessions table's stream, a
// warning logged when a ConnectionId is in more, never enforced. The connection store on DynamoDB Local.

const { store } = connectionTableForFile();
const AT = Date.parse('2026-11-29T12:00:00.000Z');

function documentWith(changeNumber: number, connections: readonly string[]): SessionDocument {
  return {
    branch: 'b0000000-0000-4000-8000-000000000001',
    changeNumber,
    correlationId: 'c0000000-0000-4000-8000-000000000000',
    startTime: '2026-11-29T00:00:00.000Z',
    constants: { system: { capabilities: { connectionRequiredForActiveMembers: true } }, custom: {} },
    properties: { system: {}, custom: {} },
    members: Object.fromEntries(
      connections.map((connection, index) => [
        index,
        {
          constants: { system: { xuid: String(index + 1), initialize: true }, custom: {} },
          properties: { system: { active: true, connection }, custom: {} },
          joinTime: '2026-11-29T00:00:00.000Z',
          stateSince: 0,
        },
      ]),
    ),
    nextMemberIndex: connections.length,
    servers: {},
  };
}

function change(sessionKey: string, before: readonly string[] | undefined, after: readonly string[]): SessionChange {
  return {
    sequenceNumber: randomUUID(),
    sessionKey,
    ...(before === undefined ? {} : { before: { kind: 'session', document: documentWith(1, before) } }),
    after: { kind: 'session', document: documentWith(before === undefined ? 1 : 2, after) },
    changedAt: AT,
  } as SessionChange;
}

it('a ConnectionId in more than 10 sessions is logged with its count, and sessions it left stop counting', async () => {
  const socketId = randomUUID();
  await store.openSocket({ socketId, owner: '1', openedAt: AT, expiresAt: 4_000_000_000 });
  const subscriptionId = await store.addSubscription(socketId, 'https://sessiondirectory.xboxlive.com/connections/');
  const connectionId = await store.bindConnectionId({ socketId, subscriptionId, fresh: randomUUID(), expiresAt: 4e9 });
  const warnings: Record<string, unknown>[] = [];
  const tap = makeTapHandler({
    connections: store,
    gateway: { postToConnection: async () => 'sent' },
    newGuid: randomUUID,
    log: { warn: (_message, details) => warnings.push(details), error: () => {} },
  });
  const sessions = Array.from({ length: MAX_SESSIONS_PER_CONNECTION + 1 }, () => `scid#lobby#${randomUUID()}`);

  for (const session of sessions.slice(0, MAX_SESSIONS_PER_CONNECTION)) {
    await tap([change(session, undefined, [connectionId])]);
  }
  expect(warnings).toEqual([]);
  // A second member sharing the id in a session it is already in adds nothing.
  await tap([change(sessions[0] as string, [connectionId], [connectionId, connectionId])]);
  expect(warnings).toEqual([]);

  await tap([change(sessions[MAX_SESSIONS_PER_CONNECTION] as string, undefined, [connectionId])]);
  expect(warnings).toEqual([
    expect.objectContaining({ connectionId, sessions: MAX_SESSIONS_PER_CONNECTION + 1, limit: 10 }),
  ]);

  // Leaving one session (the last member with the id writes another connection) brings the count back to 10.
  await tap([change(sessions[1] as string, [connectionId], [randomUUID()])]);
  await tap([change(`scid#lobby#${randomUUID()}`, undefined, [connectionId])]);
  expect(warnings).toHaveLength(2);
  expect(warnings[1]).toEqual(expect.objectContaining({ sessions: MAX_SESSIONS_PER_CONNECTION + 1 }));
  expect((await store.readDisconnect(connectionId))?.sessionKeys).toHaveLength(MAX_SESSIONS_PER_CONNECTION + 1);
});
