// Plain data, importing nothing: the names of the metrics the functions emit, read by the emitter
// (lambda/runtime/emf-request-metrics.ts) and by the stack's alarms and dashboard (lib/), so the two cannot disagree.

/**
 * The metric names the functions emit (namespace `POWERTOOLS_METRICS_NAMESPACE`, dimension `service`): the one home
 * the stack's alarms and dashboard read them from (lib/constructs/service-monitoring.ts), so a renamed metric
 * cannot leave an alarm watching nothing.
 */
export const REQUEST_METRICS = {
  /** Per operation (dimension `operation`): every request, and its answer's class. */
  requests: 'Requests',
  clientErrors: 'Status4xx',
  serverErrors: 'Status5xx',
  latency: 'Latency',
  /** Per service: the write loop's report and the answers worth an alarm of their own. */
  writeAttempts: 'WriteAttempts',
  writeConflicts: 'WriteConflicts',
  preconditionFailed: 'Status412',
  tooManyRequests: 'Status429',
  unavailable: 'Status503',
  tokenFailures: 'TokenFailures',
  storeLatency: 'StoreLatency',
  /** Powertools' own name for the first invocation of a container (dimension `function_name`). */
  coldStart: 'ColdStart',
} as const;

/** The dimension every metric carries (Powertools' default, POWERTOOLS_SERVICE_NAME) and the per-operation one. */
export const METRIC_DIMENSIONS = { service: 'service', operation: 'operation' } as const;
