import { DISCONNECT_DETECTION_DELAY_MS, decideDisconnect } from '../domain/session/disconnect';
import { decideDueTimers } from '../domain/session/timer-commit';
import { sessionReferenceOfKey } from '../domain/session-reference';
import { resolveTemplate, type TemplateCatalogue } from '../domain/templates';
import type { ConnectionStore } from '../store/connection-store';
import type { DueIndex } from '../store/due-index';
import type { SessionWriter } from './session-write';

// The sweeper (DESIGN.md: "a sweeper commits due timers on its own"; README "Timers that fire on their own"): each
// sweep finds the sessions whose next timer is due and the ConnectionIds whose disconnect check is due, each by a
// Query on the due-time index, and commits what is due through the same conditional write as a PUT, so every change
// it makes is a stream record and so a shoulder tap.

/** Items one sweep handles at most (the rest wait for the next sweep: a sweep always ends in bounded time). */
export const SWEEP_LIMIT = 500;

/** Sessions written at once by one sweep. */
const SWEEP_CONCURRENCY = 8;

/** What the sweeper is built from. */
export interface TimerSweeperDeps {
  readonly writer: SessionWriter;
  readonly dueSessions: DueIndex;
  /** The connections store, for disconnect detection; absent where real-time activity is not served. */
  readonly connections?: ConnectionStore;
  readonly templates: TemplateCatalogue;
  readonly newGuid: () => string;
  /** Epoch ms: what is due is due at or before this. */
  readonly clock: () => number;
  readonly log: { error(message: string, details: Record<string, unknown>): void };
}

/** What one sweep did (logged, and read by the tests). */
export interface SweepReport {
  /** Sessions whose fired timers were committed. */
  committed: number;
  /** Sessions the session-empty timer ended. */
  ended: number;
  /** Members set inactive by disconnect checks (family spec §6.9). */
  setInactive: number;
  /** Disconnect checks done (a reclaimed ConnectionId's check is done without a write). */
  disconnectChecks: number;
  /** Items that failed (logged); the next sweep tries them again, since they stay in the index. */
  failed: number;
}

/** One sweep: disconnect checks first (their members' removal timers may then be due at once), then timers. */
export type TimerSweeper = () => Promise<SweepReport>;

export function makeTimerSweeper(deps: TimerSweeperDeps): TimerSweeper {
  return async () => {
    const report: SweepReport = { committed: 0, ended: 0, setInactive: 0, disconnectChecks: 0, failed: 0 };
    const now = deps.clock();
    const touched = new Set<string>();
    if (deps.connections !== undefined) {
      const connections = deps.connections;
      const due = await connections.findDueDisconnects(now, SWEEP_LIMIT);
      await forEachLimited(due, SWEEP_CONCURRENCY, async (connectionId) => {
        try {
          await checkDisconnect(deps, connections, connectionId, report, touched);
        } catch (error) {
          report.failed += 1;
          deps.log.error('disconnect check failed', { connectionId, error });
        }
      });
    }
    const dueKeys = await deps.dueSessions.findDueKeys(now, SWEEP_LIMIT);
    const keys = [...new Set([...touched, ...dueKeys])];
    await forEachLimited(keys, SWEEP_CONCURRENCY, async (key) => {
      try {
        const answer = await commitDueTimers(deps, key);
        if (answer === 'committed') report.committed += 1;
        if (answer === 'ended') report.ended += 1;
      } catch (error) {
        report.failed += 1;
        deps.log.error('due timers not committed', { sessionKey: key, error });
      }
    });
    return report;
  };
}

/** Commits the due timers of one session (decideDueTimers) through the conditional write. */
function commitDueTimers(deps: TimerSweeperDeps, key: string) {
  const context = { template: resolveTemplate(deps.templates, sessionReferenceOfKey(key)), newGuid: deps.newGuid };
  return deps.writer.write({
    key,
    decide: (record, now) => decideDueTimers(record, now, context),
    outcomeOf: (answer) => answer,
  });
}

/**
 * Family spec §6.9: a ConnectionId gone for 30 s makes its members inactive in every session it was written into,
 * unless it was reclaimed (bound to an open socket again); one conditional write per session.
 */
async function checkDisconnect(
  deps: TimerSweeperDeps,
  connections: ConnectionStore,
  connectionId: string,
  report: SweepReport,
  touched: Set<string>,
): Promise<void> {
  const state = await connections.readDisconnect(connectionId);
  if (state?.closedAt === undefined) return;
  report.disconnectChecks += 1;
  if (!state.live) {
    const inactiveAt = state.closedAt + DISCONNECT_DETECTION_DELAY_MS;
    for (const key of state.sessionKeys) {
      const answer = await deps.writer.write({
        key,
        decide: (record, now) => decideDisconnect(record, connectionId, inactiveAt, now),
        outcomeOf: (result) => result.kind,
      });
      if (answer.kind === 'set-inactive') {
        report.setInactive += answer.members;
        touched.add(key);
      }
    }
  }
  await connections.finishDisconnect(connectionId, state.closedAt);
}

/** Runs `work` on each item, at most `limit` at a time. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(workers);
}
