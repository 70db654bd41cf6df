import type { ConnectionStore, DueSocket } from '../store/connection-store';
import { KEEPALIVE_INTERVAL_MS, RESYNC_MIN_INTERVAL_MS } from './connection-limits';
import { readSubscribedResource } from './connections-resource';
import { encodeKeepalive, encodeResync } from './frames';
import type { RtaLog } from './rta-handlers';
import type { ConnectionGateway } from './tap-delivery';

// Server traffic on quiet sockets (family spec §6.4, §6.10). API Gateway closes a WebSocket that has been idle for
// 10 minutes, and no client sends anything after subscribing, so every open socket gets a frame every
// KEEPALIVE_INTERVAL_MS: the keepalive every client ignores, or `[4]` when a delivery to it failed since its last
// resync (at most one per RESYNC_MIN_INTERVAL_MS). Due sockets are found by a Query on the connections table's
// due-time index, never a Scan. Deployed the sweeper function runs a pass every 10 s; locally `npm start`'s timer does.

/** Sockets handled per pass at most; the rest are due still and come in the next pass. */
export const KEEPALIVE_PASS_LIMIT = 500;

/** What a keepalive pass is built from. */
export interface KeepaliveDeps {
  readonly connections: ConnectionStore;
  readonly gateway: ConnectionGateway;
  /** Epoch ms. */
  readonly clock: () => number;
  readonly log: RtaLog;
}

/** What one pass did. */
export interface KeepaliveReport {
  /** Keepalive frames sent. */
  readonly keptAlive: number;
  /** `[4]` frames sent. */
  readonly resynced: number;
  /** Sockets found gone (their state deleted, their disconnect check scheduled). */
  readonly gone: number;
  /** Sockets due that hold no connections subscription, so no frame is safe to send them; rescheduled. */
  readonly skipped: number;
  /** Deliveries that failed; the socket stays due and is tried again next pass. */
  readonly failed: number;
}

export type KeepalivePass = () => Promise<KeepaliveReport>;

/** The frame a due socket gets now, if any: an owed resync when allowed, else the keepalive. */
function frameFor(socket: DueSocket, now: number): { frame: string; resync: boolean } | undefined {
  const resyncAllowed =
    socket.resyncOwed && (socket.resyncSentAt === undefined || now - socket.resyncSentAt >= RESYNC_MIN_INTERVAL_MS);
  if (resyncAllowed) return { frame: encodeResync(), resync: true };
  // Never an event for a subscription the client does not hold (§6.11 item 2): the socket's lowest live connections
  // subscription, where its taps go too.
  const live = [...socket.subscriptions]
    .filter(([, resource]) => readSubscribedResource(resource).kind === 'connections')
    .map(([id]) => id);
  if (live.length === 0) return undefined;
  return { frame: encodeKeepalive(Math.min(...live)), resync: false };
}

/** When the socket is due next: the next keepalive, or sooner the moment an owed resync is allowed. */
function nextDueAt(socket: DueSocket, now: number, resyncSent: boolean): number {
  const keepalive = now + KEEPALIVE_INTERVAL_MS;
  if (!socket.resyncOwed || resyncSent || socket.resyncSentAt === undefined) return keepalive;
  return Math.min(keepalive, socket.resyncSentAt + RESYNC_MIN_INTERVAL_MS);
}

/** One pass over the sockets due now. */
export function makeKeepalivePass(deps: KeepaliveDeps): KeepalivePass {
  return async () => {
    const now = deps.clock();
    const report = { keptAlive: 0, resynced: 0, gone: 0, skipped: 0, failed: 0 };
    const due = await deps.connections.findDueSockets(now, KEEPALIVE_PASS_LIMIT);
    await Promise.all(
      due.map(async (socket) => {
        const send = frameFor(socket, now);
        try {
          if (send === undefined) {
            report.skipped += 1;
          } else {
            const outcome = await deps.gateway.postToConnection(socket.socketId, send.frame);
            if (outcome === 'gone') {
              report.gone += 1;
              await deps.connections.closeSocket(socket.socketId, now);
              return;
            }
            if (send.resync) report.resynced += 1;
            else report.keptAlive += 1;
          }
          await deps.connections.recordKeepalive(socket.socketId, {
            nextAt: nextDueAt(socket, now, send?.resync === true),
            ...(send?.resync === true ? { resyncSentAt: now } : {}),
          });
        } catch (error) {
          report.failed += 1;
          deps.log.error('keepalive not delivered', { socketId: socket.socketId, error });
        }
      }),
    );
    return report;
  };
}
