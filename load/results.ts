/**
 * One run's results: what results.json holds and report.html shows, the pass/fail thresholds (--max-p99,
 * --max-error-rate) and the summary printed at the end. Pure.
 */
import type { InvariantResult } from './invariants';
import type { ScenarioName } from './options';
import type { OperationSummary, TimelinePoint } from './recorder';

export interface LoadResults {
  readonly scenario: ScenarioName;
  readonly target: string;
  /** Where the token secret came from (never the secret). */
  readonly secretSource: string;
  readonly startedAt: string;
  /** Seconds of load asked for, and from the start until the last request in flight was answered. */
  readonly durationSeconds: number;
  readonly elapsedSeconds: number;
  readonly settings: Readonly<Record<string, number | string>>;
  readonly totals: {
    readonly requests: number;
    readonly ratePerSecond: number;
    readonly failures: number;
    readonly errorRate: number;
    readonly throttled: number;
  };
  readonly operations: Readonly<Record<string, OperationSummary>>;
  readonly timeline: Readonly<Record<string, readonly TimelinePoint[]>>;
  readonly figures: Readonly<Record<string, number>>;
  readonly readBack: {
    readonly sessions: number;
    readonly present: number;
    readonly absent: number;
    readonly unreadable: number;
  };
  readonly invariants: readonly InvariantResult[];
  readonly thresholds: {
    readonly maxP99Ms?: number;
    readonly maxErrorRate?: number;
    readonly failures: readonly string[];
  };
  readonly passed: boolean;
}

/** Operations that are not requests (a tap is timed from the write that caused it): outside --max-p99. */
export const NOT_REQUESTS: ReadonlySet<string> = new Set(['shoulder-tap']);

/** What the thresholds say about these figures: one line per threshold broken. */
export function thresholdFailures(
  operations: Readonly<Record<string, OperationSummary>>,
  totals: LoadResults['totals'],
  limits: { maxP99Ms?: number; maxErrorRate?: number },
): string[] {
  const failures: string[] = [];
  if (limits.maxP99Ms !== undefined) {
    for (const [name, op] of Object.entries(operations)) {
      if (NOT_REQUESTS.has(name)) continue;
      if (op.latencyMs.p99 > limits.maxP99Ms) {
        failures.push(`${name}: p99 ${op.latencyMs.p99} ms is above --max-p99 ${limits.maxP99Ms} ms`);
      }
    }
  }
  if (limits.maxErrorRate !== undefined && totals.errorRate > limits.maxErrorRate) {
    failures.push(
      `error rate ${totals.errorRate} (${totals.failures} of ${totals.requests} requests) is above --max-error-rate ${limits.maxErrorRate}`,
    );
  }
  return failures;
}

const pad = (text: string, width: number) => text.padStart(width);

/** The summary printed at the end of a run: per operation, the invariants, the thresholds, the verdict. */
export function formatSummary(results: LoadResults): string {
  const lines: string[] = [];
  const t = results.totals;
  lines.push(
    `${results.scenario} against ${results.target}: ${t.requests} requests in ${results.elapsedSeconds} s ` +
      `(${t.ratePerSecond}/s over the ${results.durationSeconds} s of load), ${t.failures} failed ` +
      `(error rate ${t.errorRate}), ${t.throttled} answered 429`,
  );
  lines.push('');
  lines.push(
    `${'operation'.padEnd(18)}${pad('count', 8)}${pad('per s', 9)}${pad('p50 ms', 10)}${pad('p95 ms', 10)}${pad('p99 ms', 10)}${pad('max ms', 10)}  statuses`,
  );
  for (const [name, op] of Object.entries(results.operations)) {
    const statuses = Object.entries(op.statuses)
      .map(([code, count]) => `${code}: ${count}`)
      .join(', ');
    lines.push(
      `${name.padEnd(18)}${pad(String(op.count), 8)}${pad(String(op.ratePerSecond), 9)}${pad(String(op.latencyMs.p50), 10)}` +
        `${pad(String(op.latencyMs.p95), 10)}${pad(String(op.latencyMs.p99), 10)}${pad(String(op.latencyMs.max), 10)}  ${statuses}`,
    );
  }
  if (Object.keys(results.figures).length > 0) {
    lines.push('');
    lines.push(
      Object.entries(results.figures)
        .map(([name, value]) => `${name} ${value}`)
        .join(', '),
    );
  }
  const rb = results.readBack;
  lines.push('');
  lines.push(
    `Invariants (${rb.sessions} sessions read back: ${rb.present} present, ${rb.absent} gone, ${rb.unreadable} unreadable):`,
  );
  for (const check of results.invariants) {
    lines.push(
      `  ${check.passed ? 'PASS' : 'FAIL'}  ${check.name}: ${check.checked} checked, ${check.violations.length} violated, ` +
        `${check.excluded.length} excluded`,
    );
    for (const violation of check.violations.slice(0, 10)) lines.push(`        ${violation}`);
    if (check.violations.length > 10) lines.push(`        ... and ${check.violations.length - 10} more (results.json)`);
    for (const excluded of check.excluded.slice(0, 5)) lines.push(`        excluded: ${excluded}`);
    if (check.excluded.length > 5)
      lines.push(`        ... and ${check.excluded.length - 5} more excluded (results.json)`);
  }
  for (const failure of results.thresholds.failures) lines.push(`  FAIL  ${failure}`);
  lines.push('');
  lines.push(results.passed ? 'PASSED' : 'FAILED');
  return lines.join('\n');
}
