import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RequestLine } from '../http/request-log';
import type { RequestMetrics } from '../http/request-metrics';
import { METRIC_DIMENSIONS, REQUEST_METRICS } from './metric-names';

/**
 * Request figures in CloudWatch's embedded metric format through Powertools Metrics: one EMF line per request with
 * the per-operation figures, and one without the operation for what the alarms watch across operations (a metric
 * per operation would need an alarm per operation). Counts that are zero are left out, so a quiet metric costs
 * nothing; every metric name × dimension set in use is a custom metric CloudWatch bills (docs/operations.md).
 */
export function makeEmfRequestMetrics(metrics: Metrics): RequestMetrics {
  return {
    observe(line: RequestLine) {
      const status = line.status;
      if (line.operation !== undefined) metrics.addDimension(METRIC_DIMENSIONS.operation, line.operation);
      metrics.addMetric(REQUEST_METRICS.requests, MetricUnit.Count, 1);
      if (status >= 400 && status < 500) metrics.addMetric(REQUEST_METRICS.clientErrors, MetricUnit.Count, 1);
      if (status >= 500) metrics.addMetric(REQUEST_METRICS.serverErrors, MetricUnit.Count, 1);
      metrics.addMetric(REQUEST_METRICS.latency, MetricUnit.Milliseconds, line.durationMs);
      metrics.publishStoredMetrics();

      if (line.attempts !== undefined && line.attempts > 0) {
        metrics.addMetric(REQUEST_METRICS.writeAttempts, MetricUnit.Count, line.attempts);
        metrics.addMetric(REQUEST_METRICS.writeConflicts, MetricUnit.Count, line.conflicts ?? 0);
      }
      const byStatus: Partial<Record<number, string>> = {
        401: REQUEST_METRICS.tokenFailures,
        412: REQUEST_METRICS.preconditionFailed,
        429: REQUEST_METRICS.tooManyRequests,
        503: REQUEST_METRICS.unavailable,
      };
      const named = byStatus[status];
      if (named !== undefined) metrics.addMetric(named, MetricUnit.Count, 1);
      if (line.storeMs !== undefined)
        metrics.addMetric(REQUEST_METRICS.storeLatency, MetricUnit.Milliseconds, line.storeMs);
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}
