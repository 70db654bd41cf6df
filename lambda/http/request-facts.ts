import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What one request did below the handler, gathered while it runs, for its log line and its metrics (issue 15 items
 * 4, 5): the write loop's report (attempts, lost races, store faults), the time spent in store calls, and the
 * session's changeNumber when one was answered. Kept in an AsyncLocalStorage, Node's own per-request context, so the
 * write loop, the DynamoDB client and the responses note facts without each signature carrying them, and concurrent
 * requests in one process (the local server) never mix theirs. Numbers only: never a token or a body.
 */
export interface RequestFacts {
  /** Attempts of the request's conditional writes (the first included); 0 when it wrote nothing. */
  attempts: number;
  /** Attempts lost to another writer (a race), so decided again. */
  conflicts: number;
  /** Store faults retried (throttling, time-outs). */
  faults: number;
  /** Store calls made and the milliseconds they took, retries inside the SDK included. */
  storeCalls: number;
  storeMs: number;
  /** The changeNumber of the session answered, as its digits. */
  changeNumber?: string;
}

const current = new AsyncLocalStorage<RequestFacts>();

/** Runs one request with fresh facts; returns its result and what it noted. */
export async function gatherRequestFacts<T>(run: () => Promise<T>): Promise<{ result: T; facts: RequestFacts }> {
  const facts: RequestFacts = { attempts: 0, conflicts: 0, faults: 0, storeCalls: 0, storeMs: 0 };
  const result = await current.run(facts, run);
  return { result, facts };
}

/** A conditional write ended (lambda/service/conditional-write.ts WriteReport): its attempts, races and faults. */
export function noteWrite(report: { readonly attempts: number; readonly faults: number }): void {
  const facts = current.getStore();
  if (facts === undefined) return;
  facts.attempts += report.attempts;
  facts.faults += report.faults;
  // Every attempt after the first was spent on a lost race or a store fault.
  facts.conflicts += Math.max(0, report.attempts - 1 - report.faults);
}

/** A store call ended after `ms`. */
export function noteStoreCall(ms: number): void {
  const facts = current.getStore();
  if (facts === undefined) return;
  facts.storeCalls += 1;
  facts.storeMs += ms;
}

/** The request answered a session at this changeNumber. */
export function noteChangeNumber(changeNumber: unknown): void {
  const facts = current.getStore();
  if (facts === undefined || changeNumber === undefined || changeNumber === null) return;
  facts.changeNumber = String(changeNumber);
}
