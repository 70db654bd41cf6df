import { Metrics } from '@aws-lambda-powertools/metrics';
import type { RequestLine } from '../../lambda/http/request-log';
import { makeEmfRequestMetrics } from '../../lambda/runtime/emf-request-metrics';
import { REQUEST_METRICS } from '../../lambda/runtime/metric-names';

// Request figures as CloudWatch embedded metric format (issue 15 item 5), written by a real Powertools Metrics to
// stdout as a deployed function writes them: per operation the request, its status class and its latency; across
// operations what the alarms watch (write attempts and conflicts, 412, 429, 503, token failures, store latency).

interface EmfLine {
  readonly _aws: {
    readonly CloudWatchMetrics: {
      readonly Namespace: string;
      readonly Dimensions: string[][];
      readonly Metrics: { Name: string; Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

/** The EMF lines one observed request writes. */
function emfOf(line: RequestLine): EmfLine[] {
  const written: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    makeEmfRequestMetrics(new Metrics({ namespace: 'SessionDirectoryTest', serviceName: 'session-directory' })).observe(
      line,
    );
  } finally {
    write.mockRestore();
  }
  return written.map((text) => JSON.parse(text) as EmfLine);
}

/** The metric names of an EMF line, each with its value, and its dimension set. */
function figuresOf(emf: EmfLine): { dimensions: string[]; values: Record<string, unknown> } {
  const directive = emf._aws.CloudWatchMetrics[0];
  if (directive === undefined) throw new Error('no metric directive');
  expect(directive.Namespace).toBe('SessionDirectoryTest');
  return {
    dimensions: directive.Dimensions.flat().sort(),
    values: Object.fromEntries(directive.Metrics.map((metric) => [metric.Name, emf[metric.Name]])),
  };
}

const base: RequestLine = {
  requestId: 'r1',
  route: 'PUT /serviceconfigs/{scid}/sessiontemplates/{sessionTemplateName}/sessions/{sessionName}',
  operation: 'putSession',
  status: 200,
  durationMs: 42,
};

it('writes per operation the request, its latency, and per service the write report and the store latency', () => {
  const [perOperation, perService, ...rest] = emfOf({
    ...base,
    attempts: 3,
    conflicts: 2,
    faults: 0,
    storeCalls: 6,
    storeMs: 17,
  });
  expect(rest).toEqual([]);
  expect(figuresOf(perOperation as EmfLine)).toEqual({
    dimensions: ['operation', 'service'],
    values: { [REQUEST_METRICS.requests]: 1, [REQUEST_METRICS.latency]: 42 },
  });
  expect((perOperation as EmfLine).operation).toBe('putSession');
  expect(figuresOf(perService as EmfLine)).toEqual({
    dimensions: ['service'],
    values: {
      [REQUEST_METRICS.writeAttempts]: 3,
      [REQUEST_METRICS.writeConflicts]: 2,
      [REQUEST_METRICS.storeLatency]: 17,
    },
  });
});

it.each([
  [401, REQUEST_METRICS.clientErrors, REQUEST_METRICS.tokenFailures],
  [412, REQUEST_METRICS.clientErrors, REQUEST_METRICS.preconditionFailed],
  [429, REQUEST_METRICS.clientErrors, REQUEST_METRICS.tooManyRequests],
  [503, REQUEST_METRICS.serverErrors, REQUEST_METRICS.unavailable],
])('counts a %i in its status class per operation and by its own name per service', (status, statusClass, named) => {
  const [perOperation, perService] = emfOf({ ...base, status });
  expect(figuresOf(perOperation as EmfLine).values).toEqual({
    [REQUEST_METRICS.requests]: 1,
    [statusClass]: 1,
    [REQUEST_METRICS.latency]: 42,
  });
  expect(figuresOf(perService as EmfLine)).toEqual({ dimensions: ['service'], values: { [named]: 1 } });
});

it('writes no second line for a request with nothing to say across operations (a 200 GET without store calls)', () => {
  expect(emfOf({ ...base, operation: 'getSession' })).toHaveLength(1);
});
