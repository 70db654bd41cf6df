import { randomUUID } from 'node:crypto';
import type { WriteReport } from '../../lambda/service/session-service';
import { startTestService, type TestService, type TestServiceOverrides } from '../support/local-service';
import { joinBody, SAMPLE_SCID, SessionClient } from '../support/session-client';

// Shared by the concurrency suites: many callers, one session, and what the final stored session must hold.

/**
 * Several instances of the service on one table: each stands for a Lambda container. A container writes one
 * session one request at a time (SessionWriteQueue), so the races a deployment meets are between containers; these
 * suites spread their callers over CONTAINERS instances to have them.
 */
export interface Containers {
  readonly baseUrls: string[];
  close(): Promise<void>;
}

export const CONTAINERS = 4;

/**
 * The session clock of every container: it stands still, so no reservation (30 s) or other timer fires however long
 * a busy machine takes over a test, and it lies in the future, so DynamoDB Local's TTL never collects a session
 * mid-test. These suites are about races, not timers; the time budget of a PUT runs on its own monotonic clock.
 */
export const FROZEN_NOW_MS = Date.UTC(2030, 0, 1, 12, 0, 0);

export async function startContainers(
  overrides: (index: number) => TestServiceOverrides = () => ({}),
  count = CONTAINERS,
): Promise<Containers> {
  const tableName = `sessions-test-${randomUUID()}`;
  const services: TestService[] = [];
  for (let i = 0; i < count; i += 1) {
    services.push(await startTestService({ tableName, clock: () => FROZEN_NOW_MS, ...overrides(i) }));
  }
  return {
    baseUrls: services.map((s) => s.baseUrl),
    async close() {
      // Each instance deletes the shared table on close; only the first finds it.
      const results = await Promise.allSettled(services.map((s) => s.close()));
      const failures = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      for (const f of failures) {
        if ((f.reason as Error).name !== 'ResourceNotFoundException') throw f.reason;
      }
    },
  };
}

/**
 * How often a caller of these suites repeats a 503 after its Retry-After (1 s), as MPSD clients do. A PUT's time
 * budget (7 s) includes its wait behind the other writes of its session in the same container, so on a busy machine
 * a crowd of writers gets 503s; what these suites prove is what a client that honours them ends up with. Bounded, so
 * a service that never recovers still fails the test.
 */
export const RETRIES_AFTER_503 = 10;

/**
 * A caller per xuid, spread round-robin over the containers (or one base URL), repeating 503s after Retry-After up
 * to `retryUnavailable` times.
 */
export function players(
  baseUrls: string | string[],
  count: number,
  { firstXuid = 2_000_000, retryUnavailable = RETRIES_AFTER_503 } = {},
): SessionClient[] {
  const urls = typeof baseUrls === 'string' ? [baseUrls] : baseUrls;
  return Array.from(
    { length: count },
    (_, i) => new SessionClient(urls[i % urls.length] as string, { xuid: String(firstXuid + i) }, { retryUnavailable }),
  );
}

/** One caller that repeats 503s after Retry-After, like {@link players}. */
export function player(baseUrl: string, xuid: string): SessionClient {
  return new SessionClient(baseUrl, { xuid }, { retryUnavailable: RETRIES_AFTER_503 });
}

/** How many 503s the callers repeated, for the reports the suites print with CONCURRENCY_REPORT=1. */
export function repeated503s(clients: readonly SessionClient[]): number {
  return clients.reduce((n, c) => n + c.unavailableAnswers, 0);
}

export function xuidOf(i: number, firstXuid = 2_000_000): string {
  return String(firstXuid + i);
}

/** Asserts the member list of a rendered session is whole: unique indices, the `next` chain, membersInfo. */
// biome-ignore lint/suspicious/noExplicitAny: a rendered session is arbitrary JSON
export function expectIntactMembers(session: any, count: number): string[] {
  const indices = Object.keys(session.members).map(Number);
  expect(indices).toHaveLength(count);
  expect(new Set(indices).size).toBe(count);
  const sorted = [...indices].sort((a, b) => a - b);
  expect(session.membersInfo.count).toBe(count);
  expect(session.membersInfo.first).toBe(sorted[0]);
  sorted.forEach((index, position) => {
    const expectedNext = sorted[position + 1] ?? session.membersInfo.next;
    expect(session.members[String(index)].next).toBe(expectedNext);
  });
  const xuids = sorted.map((i) => String(session.members[String(i)].constants.system.xuid));
  expect(new Set(xuids).size).toBe(count);
  return xuids;
}

/** Collects WriteReports (RuntimeConfig.observeWrite) and summarises attempts for the report printed by a suite. */
export class AttemptLog {
  readonly reports: WriteReport[] = [];
  readonly observe = (report: WriteReport): void => {
    this.reports.push(report);
  };

  clear(): void {
    this.reports.length = 0;
  }

  summary(): string {
    const attempts = this.reports.map((r) => r.attempts).sort((a, b) => a - b);
    if (attempts.length === 0) return 'no writes';
    const at = (q: number) => attempts[Math.min(attempts.length - 1, Math.floor(q * attempts.length))];
    const outcomes = new Map<string, number>();
    for (const r of this.reports) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
    const faults = this.reports.reduce((n, r) => n + r.faults, 0);
    return `${attempts.length} PUTs: attempts median ${at(0.5)}, p90 ${at(0.9)}, max ${attempts.at(-1)}; faults ${faults}; outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`;
  }
}

export { joinBody, SAMPLE_SCID };
