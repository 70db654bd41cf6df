import { shoulderTapOf } from '../domain/notifications/shoulder-taps';
import { connectionsLeaving, connectionsWrittenInto } from '../domain/session/disconnect';
import type { SessionRecord } from '../domain/session/session-record';
import type { ConnectionStore } from '../store/connection-store';
import type { SessionChange } from '../store/session-stream';
import { MAX_SESSIONS_PER_CONNECTION } from './connection-limits';
import { encodeShoulderTapEvent, formatTapTimestamp, type ShoulderTap } from './frames';
import type { RtaLog } from './rta-handlers';

/**
 * Sends one frame to one socket: API Gateway's PostToConnection deployed, the local server's socket locally.
 * `gone` when the socket no longer exists (API Gateway's 410 GoneException).
 */
export interface ConnectionGateway {
  postToConnection(socketId: string, frame: string): Promise<'sent' | 'gone'>;
}

/** What the tap handler is built from. */
export interface TapDeliveryDeps {
  readonly connections: ConnectionStore;
  readonly gateway: ConnectionGateway;
  /** A new random GUID: each event frame's `ncid`. */
  readonly newGuid: () => string;
  readonly log: RtaLog;
}

/** How a batch of changes went: the first change that could not be handled, from which the batch is retried. */
export interface TapBatchResult {
  readonly failedSequenceNumber?: string;
}

export type TapHandler = (changes: readonly SessionChange[]) => Promise<TapBatchResult>;

/** How many sessions the no-going-back guard remembers (per container; most recent first out when full). */
const REMEMBERED_SESSIONS = 10_000;

/**
 * The tap function (family spec §6.8): for each committed change of a session, in stream order (which is
 * `changeNumber` order per session), one event frame `[3, subId, {ncid, shoulderTaps}]` to each socket that has a
 * tapped member's ConnectionId, with one entry per (session, subscription id). Changes are handled one after the
 * other, so a socket gets one session's taps in `changeNumber` order.
 *
 * Failures: a socket found gone is forgotten (its state deleted) and the others still get theirs; a delivery that
 * fails otherwise is logged, and the socket is owed a resync `[4]` (sent by the keepalive pass, §6.10). A change whose recipients cannot be looked
 * up stops the batch there, and the batch reports it, so the event source retries from that change only: changes
 * already sent are never sent again, and a redelivered change with a `changeNumber` at or below one already tapped
 * for that session and branch is dropped, so a socket never sees a session's `changeNumber` go backwards.
 */
export function makeTapHandler(deps: TapDeliveryDeps): TapHandler {
  const highestTapped = new Map<string, number>();
  return async (changes) => {
    for (const change of changes) {
      try {
        await deliver(deps, change, highestTapped);
      } catch (error) {
        deps.log.error('shoulder taps failed', { sessionKey: change.sessionKey, error });
        return { failedSequenceNumber: change.sequenceNumber };
      }
    }
    return {};
  };
}

const documentOf = (record: SessionRecord | undefined) => (record?.kind === 'session' ? record.document : undefined);

async function deliver(deps: TapDeliveryDeps, change: SessionChange, highestTapped: Map<string, number>) {
  // Disconnect detection (§6.9) finds a closed ConnectionId's sessions by key: recorded here, where every change
  // passes, only when a member wrote a connection (not on every write). Before any tap, so a retry repeats nothing.
  const written = connectionsWrittenInto(documentOf(change.before), documentOf(change.after));
  if (written.length > 0) {
    const counts = await deps.connections.recordSessions(written, change.sessionKey, change.changedAt);
    // The documented limit is counted and logged, never enforced (§7 item 23): QA finds the line, no write fails.
    for (const [connectionId, sessions] of counts) {
      if (sessions > MAX_SESSIONS_PER_CONNECTION) {
        deps.log.warn('ConnectionId in more sessions than documented', {
          connectionId,
          sessions,
          limit: MAX_SESSIONS_PER_CONNECTION,
          sessionKey: change.sessionKey,
        });
      }
    }
  }
  // Sessions a ConnectionId left are forgotten, so its count is of the sessions it is in now.
  const leaving = connectionsLeaving(documentOf(change.before), documentOf(change.after));
  if (leaving.length > 0) await deps.connections.forgetSession(leaving, change.sessionKey);
  const tap = shoulderTapOf(change.sessionKey, documentOf(change.before), documentOf(change.after));
  if (tap === undefined) return;
  const guardKey = `${change.sessionKey} ${tap.branch}`;
  const highest = highestTapped.get(guardKey);
  if (highest !== undefined && tap.changeNumber <= highest) return;

  const addresses = await deps.connections.findTapAddresses(tap.recipients.map((r) => r.connection));
  const frames = new Map<string, { subscriptionId: number; taps: ShoulderTap[] }>();
  const timestamp = formatTapTimestamp(change.changedAt);
  for (const recipient of tap.recipients) {
    const address = addresses.get(recipient.connection);
    if (address === undefined) continue;
    const frame = frames.get(address.socketId) ?? { subscriptionId: address.subscriptionId, taps: [] };
    // One entry per (session, subscription id) per frame: members of distinct ConnectionIds can meet on one socket
    // only through a reclaim, and then share its subscription.
    if (!frame.taps.some((entry) => entry.subscription === recipient.subscription)) {
      frame.taps.push({
        timestamp,
        subscription: recipient.subscription,
        resourceType: 'mpsd/session',
        resource: tap.resource,
        branch: tap.branch,
        changeNumber: tap.changeNumber,
      });
    }
    frames.set(address.socketId, frame);
  }
  remember(highestTapped, guardKey, tap.changeNumber);
  await Promise.all(
    [...frames].map(async ([socketId, frame]) => {
      try {
        const outcome = await deps.gateway.postToConnection(
          socketId,
          encodeShoulderTapEvent(frame.subscriptionId, deps.newGuid().toLowerCase(), frame.taps),
        );
        // A gone socket is a close: its ConnectionId's disconnect check is scheduled from this change's time.
        if (outcome === 'gone') await deps.connections.closeSocket(socketId, change.changedAt);
      } catch (error) {
        // A known loss on a socket that is still there: `[4]` is owed, and the keepalive pass sends it at most once
        // per 5 minutes (lambda/rta/keepalive.ts, §6.10). The tap itself is not retried: resending it would repeat
        // the taps the other sockets already got.
        deps.log.error('shoulder tap not delivered', { socketId, sessionKey: change.sessionKey, error });
        await deps.connections.oweResync(socketId, change.changedAt).catch((failure: unknown) => {
          deps.log.error('resync not recorded', { socketId, error: failure });
        });
      }
    }),
  );
}

function remember(highestTapped: Map<string, number>, key: string, changeNumber: number): void {
  highestTapped.delete(key);
  highestTapped.set(key, changeNumber);
  if (highestTapped.size > REMEMBERED_SESSIONS) {
    const oldest = highestTapped.keys().next().value;
    if (oldest !== undefined) highestTapped.delete(oldest);
  }
}
