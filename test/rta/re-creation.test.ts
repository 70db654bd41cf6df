import { randomUUID } from 'node:crypto';
import { mintToken } from '../../lambda/auth/development-token';
import { startTestService, type TestService } from '../support/local-service';
import { CONNECTIONS, RtaTestClient } from '../support/rta-client';
import { SAMPLE_SCID, SessionClient } from '../support/session-client';

// A session deleted and created again within its tombstone's 24 h continues its changeNumber on a new branch, so a
// socket never sees a session's changeNumber go backwards (family spec §6.8: Multiplayer Manager compares change
// numbers without the branch). Over the local server, a real socket and DynamoDB Local's stream.

const XUID = '2535400000000123';
let service: TestService;
beforeAll(async () => {
  service = await startTestService({ realTime: true });
});
afterAll(() => service.close());

it('create, delete (the last member leaves) and create again: taps 1, 2, 3, the last on a new branch', async () => {
  const socket = await RtaTestClient.open(service.rtaUrl as string, {
    authorization: await mintToken({ xuid: XUID, gamertag: 'Again' }),
  });
  try {
    const connection = (await socket.request([1, 1, CONNECTIONS]))[4].ConnectionId;
    const client = new SessionClient(service.baseUrl, { xuid: XUID, gamertag: 'Again' });
    const name = randomUUID();
    const join = {
      members: {
        me: {
          constants: { system: { xuid: XUID, initialize: true } },
          properties: {
            system: { active: true, connection, subscription: { id: 'again', changeTypes: ['everything'] } },
          },
        },
      },
    };
    const created = await client.put(SAMPLE_SCID, 'lobby', name, join);
    expect([created.status, created.json.changeNumber]).toEqual([201, 1]);
    expect((await client.put(SAMPLE_SCID, 'lobby', name, { members: { me: null } })).status).toBe(204);
    const again = await client.put(SAMPLE_SCID, 'lobby', name, join);
    expect(again.status).toBe(201);
    expect(again.json.changeNumber).toBe(3);
    expect(again.json.branch).not.toBe(created.json.branch);

    const taps: { changeNumber: number; branch: string }[] = [];
    while (taps.at(-1)?.changeNumber !== 3) {
      const frame = await socket.nextMatching((f) => f[0] === 3);
      taps.push(...frame[2].shoulderTaps.map((t: { changeNumber: number; branch: string }) => t));
    }
    expect(taps.map((t) => t.changeNumber)).toEqual([1, 2, 3]);
    expect(taps.map((t) => t.branch)).toEqual([created.json.branch, created.json.branch, again.json.branch]);
  } finally {
    await socket.close();
  }
});
