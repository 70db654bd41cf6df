import type { SessionDocument } from '../../lambda/domain/session-document';
import type { SessionChange } from '../../lambda/store/session-stream';

// A session whose one member (xuid 1) is active on `connection` and subscribed to every change type, and the stream
// change from one changeNumber to the next: what the tap delivery tests (test/rta/) feed the tap handler.

export const TAPPED_SESSION_BRANCH = 'b0000000-0000-4000-8000-000000000001';

/** The session at `changeNumber` (its custom property `n` says which), its member on `connection`. */
export function tappedSession(
  changeNumber: number,
  connection: string,
  branch = TAPPED_SESSION_BRANCH,
): SessionDocument {
  return {
    branch,
    changeNumber,
    correlationId: 'c0000000-0000-4000-8000-000000000000',
    startTime: '2026-11-29T00:00:00.000Z',
    constants: { system: { capabilities: { connectionRequiredForActiveMembers: true } }, custom: {} },
    properties: { system: {}, custom: { n: changeNumber } },
    members: {
      0: {
        constants: { system: { xuid: '1', initialize: true }, custom: {} },
        properties: {
          system: { active: true, connection, subscription: { id: 'sub', changeTypes: ['everything'] } },
          custom: {},
        },
        joinTime: '2026-11-29T00:00:00.000Z',
        stateSince: 0,
      },
    },
    nextMemberIndex: 1,
    servers: {},
  };
}

/** The stream change that took `sessionKey` from `changeNumber - 1` to `changeNumber`, committed at `changedAt`. */
export function tappedChange(options: {
  readonly sequenceNumber: string;
  readonly sessionKey: string;
  readonly changeNumber: number;
  readonly connection: string;
  readonly changedAt: number;
  readonly branch?: string;
}): SessionChange {
  const { changeNumber, connection, branch } = options;
  return {
    sequenceNumber: options.sequenceNumber,
    sessionKey: options.sessionKey,
    before: { kind: 'session', document: tappedSession(changeNumber - 1, connection, branch) },
    after: { kind: 'session', document: tappedSession(changeNumber, connection, branch) },
    changedAt: options.changedAt,
  };
}
