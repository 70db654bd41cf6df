import { DEVELOPMENT_TOKEN_SECRET } from '../../lambda/auth/development-token';
import type { WebSocketEvent } from '../../lambda/rta/websocket-types';
import { makeRtaHandlersFor } from '../../lambda/runtime/wiring';
import type { ConnectionStore } from '../../lambda/store/connection-store';

// The RTA functions' degraded paths (an ignored frame) are WARN lines where the log has WARN (Powertools, deployed),
// and errors marked WARN where it has only errors; failures stay ERROR.

const unused = new Proxy({} as ConnectionStore, {
  get: () => async () => {
    throw new Error('not called');
  },
});

const frame = (body: string): WebSocketEvent => ({
  requestContext: { routeKey: '$default', eventType: 'MESSAGE', connectionId: 'abc=' },
  body,
  isBase64Encoded: false,
});

function handlersWith(log: { error: (m: string, d: Record<string, unknown>) => void; warn?: typeof log.error }) {
  return makeRtaHandlersFor(
    {
      region: 'local',
      environment: 'local',
      tokenSecret: DEVELOPMENT_TOKEN_SECRET,
      connectionTableName: 'unused',
      log,
    },
    unused,
  );
}

it('logs an ignored frame at WARN through a log that has WARN', async () => {
  const lines: [string, string, Record<string, unknown>][] = [];
  const handlers = handlersWith({
    error: (message, details) => lines.push(['error', message, details]),
    warn: (message, details) => lines.push(['warn', message, details]),
  });
  expect(await handlers.rtaMessage(frame('not a frame'))).toEqual({ statusCode: 200 });
  expect(lines).toEqual([['warn', 'RTA frame ignored', expect.objectContaining({ socketId: 'abc=' })]]);
});

it('logs it with the errors, marked WARN, through a log without WARN', async () => {
  const lines: [string, Record<string, unknown>][] = [];
  const handlers = handlersWith({ error: (message, details) => lines.push([message, details]) });
  await handlers.rtaMessage(frame('not a frame'));
  expect(lines).toEqual([['RTA frame ignored', expect.objectContaining({ level: 'WARN', socketId: 'abc=' })]]);
});
