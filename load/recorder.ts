/**
 * Latency, status codes and errors per operation, as a whole (HdrHistogram: exact to 3 significant digits at any
 * percentile, whatever the spread) and second by second for the report's charts. What counts as a failure is the
 * caller's decision (each scenario knows which answers it expects); the recorder only counts.
 */
import { build, type Histogram } from 'hdr-histogram-js';

/** A status code, `error` (no HTTP answer: refused connection, reset, time-out) or `tap` (a shoulder tap). */
export type Outcome = number | 'error' | 'tap';

/** The summary of one operation over the run. */
export interface OperationSummary {
  readonly count: number;
  readonly ratePerSecond: number;
  readonly failures: number;
  readonly throttled: number;
  readonly latencyMs: {
    readonly p50: number;
    readonly p95: number;
    readonly p99: number;
    readonly max: number;
    readonly mean: number;
  };
  readonly statuses: Readonly<Record<string, number>>;
}

/** One second of one operation, for the charts. */
export interface TimelinePoint {
  /** Seconds since the start of the load. */
  readonly second: number;
  readonly count: number;
  readonly failures: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

interface Bucket {
  count: number;
  failures: number;
  latencies: number[];
}

interface OperationStats {
  histogram: Histogram;
  statuses: Map<string, number>;
  failures: number;
  throttled: number;
  buckets: Bucket[];
}

/** Microseconds up to an hour: wider than any request the kit lets run. */
function newHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * The value at a percentile of a sorted array (nearest rank). Written here rather than an HdrHistogram per second
 * and operation: a second holds a few thousand values at most, and sorting them is exact and costs less memory than
 * a histogram each; the run's own percentiles (the figures QA reads and the thresholds judge) are HdrHistogram's.
 */
function percentileOfSorted(sorted: readonly number[], percentile: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((percentile / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? 0;
}

export class Recorder {
  private readonly operations = new Map<string, OperationStats>();
  private readonly all = newHistogram();
  private total = 0;
  private failuresTotal = 0;
  private throttledTotal = 0;

  /** @param startedAt the load's start, in the clock `record` is given (ms). */
  constructor(private readonly startedAt: number) {}

  /**
   * One request (or tap): its operation, outcome, latency and the time it was answered. `failed` says whether the
   * scenario counts it as a failure; a 429 is counted as throttled, not failed (fair use answering as designed).
   */
  record(operation: string, outcome: Outcome, latencyMs: number, answeredAt: number, failed: boolean): void {
    let stats = this.operations.get(operation);
    if (stats === undefined) {
      stats = { histogram: newHistogram(), statuses: new Map(), failures: 0, throttled: 0, buckets: [] };
      this.operations.set(operation, stats);
    }
    const micros = Math.max(1, Math.round(latencyMs * 1000));
    stats.histogram.recordValue(micros);
    const key = String(outcome);
    stats.statuses.set(key, (stats.statuses.get(key) ?? 0) + 1);
    const second = Math.max(0, Math.floor((answeredAt - this.startedAt) / 1000));
    while (stats.buckets.length <= second) stats.buckets.push({ count: 0, failures: 0, latencies: [] });
    const bucket = stats.buckets[second] as Bucket;
    bucket.count += 1;
    bucket.latencies.push(latencyMs);
    if (outcome === 429) {
      stats.throttled += 1;
      this.throttledTotal += 1;
    }
    if (failed) {
      stats.failures += 1;
      bucket.failures += 1;
      this.failuresTotal += 1;
    }
    if (outcome !== 'tap') {
      this.all.recordValue(micros);
      this.total += 1;
    }
  }

  /** Requests so far (taps are not requests), failures, 429s and the p99 of every request so far (ms). */
  progress(): { requests: number; failures: number; throttled: number; p99Ms: number } {
    return {
      requests: this.total,
      failures: this.failuresTotal,
      throttled: this.throttledTotal,
      p99Ms: this.total === 0 ? 0 : round(this.all.getValueAtPercentile(99) / 1000),
    };
  }

  /** Every operation's summary over `seconds` of load, and its timeline. */
  summarize(seconds: number): {
    operations: Record<string, OperationSummary>;
    timeline: Record<string, TimelinePoint[]>;
  } {
    const operations: Record<string, OperationSummary> = {};
    const timeline: Record<string, TimelinePoint[]> = {};
    for (const [name, stats] of [...this.operations].sort(([a], [b]) => a.localeCompare(b))) {
      const h = stats.histogram;
      operations[name] = {
        count: h.totalCount,
        ratePerSecond: round(h.totalCount / Math.max(seconds, 0.001)),
        failures: stats.failures,
        throttled: stats.throttled,
        latencyMs: {
          p50: round(h.getValueAtPercentile(50) / 1000),
          p95: round(h.getValueAtPercentile(95) / 1000),
          p99: round(h.getValueAtPercentile(99) / 1000),
          max: round(h.maxValue / 1000),
          mean: round(h.mean / 1000),
        },
        statuses: Object.fromEntries([...stats.statuses].sort(([a], [b]) => a.localeCompare(b))),
      };
      timeline[name] = stats.buckets.map((bucket, second) => {
        const sorted = [...bucket.latencies].sort((a, b) => a - b);
        return {
          second,
          count: bucket.count,
          failures: bucket.failures,
          p50Ms: round(percentileOfSorted(sorted, 50)),
          p99Ms: round(percentileOfSorted(sorted, 99)),
        };
      });
    }
    return { operations, timeline };
  }

  /** All requests (taps excluded): count, failures and 429s. */
  totals(): { requests: number; failures: number; throttled: number } {
    return { requests: this.total, failures: this.failuresTotal, throttled: this.throttledTotal };
  }
}
