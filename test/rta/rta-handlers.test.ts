import { makeRtaHandlers } from '../../lambda/rta/rta-handlers';
import type { WebSocketEvent } from '../../lambda/rta/websocket-types';
import type { ConnectionStore } from '../../lambda/store/connection-store';

// What only a failing store shows: the $default handler never lets a failure become API Gateway's error object,
// which is no RTA frame (family spec §6.11). Everything else is tested over real sockets
// (real-time-over-websocket.test.ts).

const failing = new Proxy({} as ConnectionStore, {
  get: () => async () => {
    throw new Error('DynamoDB is down');
  },
});

const errors: unknown[] = [];
const handlers = makeRtaHandlers({
  verifier: async () => ({ isServer: false, xuid: '1' }),
  connections: failing,
  nonces: {
    issue: async () => {
      throw new Error('DynamoDB is down');
    },
    redeem: async () => {
      throw new Error('DynamoDB is down');
    },
  },
  clock: () => 0,
  newGuid: () => '00000000-0000-4000-8000-000000000000',
  log: { warn: () => {}, error: (_message, details) => errors.push(details) },
});

const message = (body: string): WebSocketEvent => ({
  requestContext: { routeKey: '$default', eventType: 'MESSAGE', connectionId: 'abc=' },
  body,
  isBase64Encoded: false,
});

it.each([
  ['a subscription to the connections resource', '[1,1,"https://sessiondirectory.xboxlive.com/connections/"]'],
  ['an unsubscribe', '[2,1,0]'],
])('%s answers nothing, and logs, when the store fails', async (_name, frame) => {
  errors.length = 0;
  expect(await handlers.rtaMessage(message(frame))).toEqual({ statusCode: 200 });
  expect(errors).toHaveLength(1);
});

it('another resource needs no store: UnknownResource even when the store is down', async () => {
  expect((await handlers.rtaMessage(message('[1,2,"https://social.xboxlive.com/x"]'))).body).toBe(
    '[1,2,1,"Unknown resource"]',
  );
});
