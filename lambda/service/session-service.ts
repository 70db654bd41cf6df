import type { SessionWriteAnswer } from '../domain/session/commit';
import {
  decideSearchHandleChange,
  type SearchHandleAnswer,
  type SearchHandleChange,
} from '../domain/session/search-handle-field';
import { type SessionReference, sessionKey } from '../domain/session-reference';
import type { TemplateCatalogue } from '../domain/templates';
import type { SessionStore } from '../store/session-store';
import { ConditionalWriter, type WriteReport } from './conditional-write';
import type { RetryPolicy } from './retry-policy';
import { type ReadRequest, type ReadResult, readSession } from './session-read';
import {
  type ElementRequest,
  type SessionWriter,
  type WriteRequest,
  writeSession,
  writeSessionElement,
} from './session-write';

export type { SessionWriteAnswer as WriteResult } from '../domain/session/commit';
export type { SessionAnswer } from '../domain/session/session-answer';
export type { WriteReport } from './conditional-write';
export type { ReadRequest, ReadResult } from './session-read';
export type { ElementRequest, WriteRequest } from './session-write';

/** What the service is built from; wired once per container. */
export interface SessionServiceDeps {
  readonly store: SessionStore;
  readonly templates: TemplateCatalogue;
  /** Epoch ms. */
  readonly clock: () => number;
  readonly newGuid: () => string;
  readonly retry: RetryPolicy;
  readonly sleep: (ms: number) => Promise<void>;
  /** Monotonic milliseconds for the time budget (performance.now when absent); never the session clock. */
  readonly elapsedMs?: () => number;
  /** Told how every PUT went: attempts used, store faults met, outcome (metrics, the concurrency tests). */
  readonly observeWrite?: (report: WriteReport) => void;
}

/**
 * The session resource over the store, as the handlers see it: GET (session-read.ts), PUT and the sub-resources (session-write.ts:
 * the domain's decision, domain/session/commit.ts, written by the conditional-write loop, conditional-write.ts).
 * One instance per container: it holds the per-process write queue.
 */
export class SessionService {
  private readonly writer: SessionWriter;

  constructor(private readonly deps: SessionServiceDeps) {
    this.writer = new ConditionalWriter(deps.store, {
      retry: deps.retry,
      sleep: deps.sleep,
      clock: deps.clock,
      newWriteId: deps.newGuid,
      ...(deps.elapsedMs === undefined ? {} : { elapsedMs: deps.elapsedMs }),
      ...(deps.observeWrite === undefined ? {} : { observeWrite: deps.observeWrite }),
    });
  }

  read(request: ReadRequest): Promise<ReadResult> {
    return readSession({ templates: this.deps.templates, writer: this.writer, clock: this.deps.clock }, request);
  }

  write(request: WriteRequest): Promise<SessionWriteAnswer> {
    return writeSession({ templates: this.deps.templates, writer: this.writer, newGuid: this.deps.newGuid }, request);
  }

  /**
   * A search handle's change of the session's `searchHandle` (family spec §3.6, §3.8): a session write through the
   * same loop as a PUT (conditional, retried on a lost race, 503 when the store cannot answer in time).
   */
  changeSearchHandle(ref: SessionReference, change: SearchHandleChange): Promise<SearchHandleAnswer> {
    return this.writer.write({
      key: sessionKey(ref),
      decide: (record, now) => decideSearchHandleChange(record, change, now),
      outcomeOf: (answer) => `search-handle-${answer}`,
    });
  }

  /** A sub-resource write (family spec §2): the equivalent session PUT through the same loop. */
  writeElement(request: ElementRequest): Promise<SessionWriteAnswer> {
    return writeSessionElement(
      { templates: this.deps.templates, writer: this.writer, newGuid: this.deps.newGuid },
      request,
    );
  }
}
