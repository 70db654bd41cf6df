import { finderChangeOf } from '../domain/queries/finder-terms';
import type { SessionFinder } from '../store/session-finder';
import type { SessionChange } from '../store/session-stream';

/** How a batch of changes went: the first change not applied, from which the event source retries the batch. */
export interface FinderBatchResult {
  readonly failedSequenceNumber?: string;
}

/** The finder function's handler on the sessions stream: committed session changes in, finder items written. */
export type FinderIndexer = (changes: readonly SessionChange[]) => Promise<FinderBatchResult>;

/**
 * Keeps the index of sessions by xuid and keyword (README "Finding sessions") from the sessions stream, change by
 * change in stream order (per session, commit order). Applying a change is idempotent, so a retried batch is safe; a
 * change that fails stops the batch there and is reported, so the event source retries from it.
 */
export function makeFinderIndexer(deps: {
  readonly finder: SessionFinder;
  readonly log: { error(message: string, details?: Record<string, unknown>): void };
}): FinderIndexer {
  return async (changes) => {
    for (const change of changes) {
      const update = finderChangeOf(change.before, change.after);
      if (update.put.length === 0 && update.delete.length === 0) continue;
      try {
        await deps.finder.apply(change.sessionKey, update);
      } catch (error) {
        deps.log.error('finder index update failed', { session: change.sessionKey, error });
        return { failedSequenceNumber: change.sequenceNumber };
      }
    }
    return {};
  };
}
