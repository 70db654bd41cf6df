import { Logger } from '@aws-lambda-powertools/logger';
import { DEVELOPMENT_TOKEN_SECRET, mintToken } from '../../lambda/auth/development-token';
import { makeHmacTokenVerifier } from '../../lambda/auth/token-verifier';
import { MpsdError } from '../../lambda/domain/errors';
import type { SessionReference } from '../../lambda/domain/session-reference';
import type { ApiEvent, ApiResult, LambdaContext } from '../../lambda/http/api-types';
import {
  type HttpHandler,
  makePipelineHandler,
  type PipelineDeps,
  type ResolvedRequest,
  type ResourceResolver,
} from '../../lambda/http/pipeline';
import type { RequestLog } from '../../lambda/http/request-log';
import { ROUTES, type Route } from '../../lambda/http/routes';
import { sessionPath } from '../../lambda/http/session-from-path';
import { HTTP_HANDLERS } from '../../lambda/runtime/wiring';
import { makeFairUseGate } from '../../lambda/service/fair-use-gate';
import type { CounterIncrement, RateLimitStore } from '../../lambda/store/rate-limit-store';
import { StoreUnavailableError } from '../../lambda/store/versioned-store';
import { createLocalServer } from '../../local/http-server';
import { SAMPLE_SCID } from '../../local/start-banner';
import { closeServer, listenOnLoopback } from '../support/loopback-server';

// The request pipeline (lambda/http/pipeline.ts) around a handler that exists only here: a handle id resolved to its
// session, on a path without a SCID, as `GET /handles/{handleId}/session` and `POST /handles` will be. A new handler
// is a module like ECHO below, a route-table entry and one line in the wiring's HTTP_HANDLERS; everything this file
// checks (the order of the steps, fair use, error mapping, logs) it gets from the pipeline without a line of its own.

const SCID = SAMPLE_SCID;
const NOW_MS = Date.UTC(2026, 10, 29, 11, 0, 7);
const BURST_LIMIT = 3;
/** Appears in every body sent here, so a test can see that no log line holds a body. */
const BODY_MARKER = 'body-marker-7f3a';

/** What the test handler needs beyond the pipeline: where handles lead. */
interface HandleDeps {
  readonly handles: ReadonlyMap<string, SessionReference>;
}

interface HandleResource {
  readonly handleId: string;
  readonly session: SessionReference;
}

/** A handle id (from the path, which has no SCID) to the session it names; 400 for an unknown one. */
const handleToSession: ResourceResolver<HandleDeps, HandleResource> = {
  resolve({ event }, deps) {
    const handleId = event.pathParameters?.handleId ?? '';
    const session = deps.handles.get(handleId);
    if (session === undefined) throw new MpsdError('InvalidRequest', `There is no handle "${handleId}".`);
    return { handleId, session };
  },
  logKeys: ({ handleId, session }) => ({ handle: handleId, session: sessionPath(session) }),
};

const calls: ResolvedRequest<HandleResource, unknown>[] = [];

/** Echoes what the pipeline gave it, or fails as its body asks. */
const ECHO: HttpHandler<HandleDeps, HandleResource, 'json'> = {
  method: 'POST',
  body: 'json',
  resolver: handleToSession,
  async handle(request) {
    calls.push(request);
    const fail = (request.body as { fail?: string }).fail;
    if (fail === 'conflict') throw new MpsdError('ConstantsConflict', 'The constants differ.');
    if (fail === 'unavailable') {
      throw new MpsdError('ServiceUnavailable', 'Try again.', { retryAfterSeconds: 1, cause: new Error('throttled') });
    }
    if (fail === 'store') throw new StoreUnavailableError('store call timed out', { cause: new Error('TimeoutError') });
    if (fail === 'bug') throw new TypeError('Cannot read properties of undefined (reading table-secret)');
    const { principal, contractVersion, body, resource } = request;
    return { statusCode: 200, body: JSON.stringify({ principal, contractVersion, body, resource }) };
  },
};

/** Fair-use counters in memory, remembering every item key it was asked to count in. */
class CountingStore implements RateLimitStore {
  readonly keys: string[] = [];
  private readonly counts = new Map<string, number>();
  async increment(counters: readonly CounterIncrement[]): Promise<number[]> {
    return counters.map((counter) => {
      this.keys.push(counter.key);
      const id = `${counter.key}|${counter.attribute}`;
      const count = (this.counts.get(id) ?? 0) + 1;
      this.counts.set(id, count);
      return count;
    });
  }
}

interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly details: Record<string, unknown>;
}

function setUp() {
  const counters = new CountingStore();
  const lines: LogLine[] = [];
  const contexts: LambdaContext[] = [];
  const log: Required<RequestLog> = {
    info: (message, details) => lines.push({ level: 'info', message, details }),
    warn: (message, details) => lines.push({ level: 'warn', message, details }),
    error: (message, details) => lines.push({ level: 'error', message, details }),
    addContext: (context) => contexts.push(context),
  };
  const clock = () => NOW_MS;
  const deps: PipelineDeps & HandleDeps = {
    verifier: makeHmacTokenVerifier({ secret: DEVELOPMENT_TOKEN_SECRET }),
    fairUse: makeFairUseGate({
      store: counters,
      policies: new Map(),
      defaultPolicy: { enabled: true, limits: [{ maxRequests: BURST_LIMIT, periodInSeconds: 15 }] },
      clock,
      warn: log.warn,
    }),
    clock,
    log,
    handles: new Map([['h1', { scid: SCID, templateName: 'lobby', name: 'one' }]]),
  };
  return { handler: makePipelineHandler(ECHO, deps), counters, lines, contexts };
}

let requestNumber = 0;

interface RequestParts {
  readonly authorization?: string | undefined;
  readonly contractVersion?: string;
  readonly contentType?: string;
  readonly body?: string;
  readonly pathParameters?: Record<string, string>;
}

/** A payload-2.0 event for `POST /handles/{handleId}/echo`, valid in every part unless `parts` says otherwise. */
function eventFor(parts: RequestParts): ApiEvent {
  requestNumber += 1;
  const headers: Record<string, string> = {};
  if (parts.authorization !== undefined) headers.authorization = parts.authorization;
  headers['x-xbl-contract-version'] = parts.contractVersion ?? '107';
  headers['content-type'] = parts.contentType ?? 'application/json';
  const pathParameters = parts.pathParameters ?? { handleId: 'h1' };
  return {
    version: '2.0',
    routeKey: 'POST /handles/{handleId}/echo',
    rawPath: `/handles/${pathParameters.handleId}/echo`,
    rawQueryString: '',
    headers,
    pathParameters,
    isBase64Encoded: false,
    body: parts.body ?? `{"note":"${BODY_MARKER}"}`,
    requestContext: { requestId: `request-${requestNumber}`, http: { method: 'POST' } },
  } as unknown as ApiEvent;
}

function tokenFor(xuid: string, titleId = '1234'): Promise<string> {
  return mintToken({ xuid, titleId });
}

function answerOf(result: ApiResult): { status: number | undefined; code?: string; json: Record<string, unknown> } {
  const json = result.body === undefined ? {} : (JSON.parse(result.body) as Record<string, unknown>);
  return { status: result.statusCode, ...(typeof json.code === 'string' ? { code: json.code } : {}), json };
}

beforeEach(() => {
  calls.length = 0;
});

describe('the order of the steps', () => {
  // Row i breaks step i and every step after it: the answer is step i's, and the handler never runs.
  const STEPS: readonly { step: string; status: number; code?: string; answer: string }[] = [
    { step: 'token', status: 401, code: 'MissingAuthorization', answer: 'MissingAuthorization' },
    { step: 'fair use', status: 429, answer: "with MPSD's rate body" },
    { step: 'contract version', status: 400, code: 'UnsupportedContractVersion', answer: 'UnsupportedContractVersion' },
    { step: 'content type', status: 415, code: 'UnsupportedMediaType', answer: 'UnsupportedMediaType' },
    { step: 'body', status: 400, code: 'MalformedJson', answer: 'MalformedJson' },
    { step: 'resolve', status: 400, code: 'InvalidRequest', answer: 'InvalidRequest' },
  ];

  async function requestBreakingFrom(index: number, authorization: string): Promise<ApiEvent> {
    const broken = (step: string) => STEPS.findIndex((s) => s.step === step) >= index;
    return eventFor({
      authorization: broken('token') ? undefined : authorization,
      ...(broken('contract version') ? { contractVersion: '0x6b' } : {}),
      ...(broken('content type') ? { contentType: 'text/plain' } : {}),
      ...(broken('body') ? { body: `{"note":"${BODY_MARKER}"` } : {}),
      ...(broken('resolve') ? { pathParameters: { handleId: 'no-such-handle' } } : {}),
    });
  }

  it.each(STEPS.map((row, index) => ({ ...row, index })))(
    'answers $status $answer when the $step and every later step fail',
    async ({ index, status, code }) => {
      const { handler } = setUp();
      const authorization = await tokenFor(`25332747903959${index}`);
      if (STEPS[index]?.step === 'fair use') {
        for (let i = 0; i < BURST_LIMIT; i += 1)
          expect((await handler(eventFor({ authorization }))).statusCode).toBe(200);
        calls.length = 0;
      }
      const answer = answerOf(await handler(await requestBreakingFrom(index, authorization)));
      expect(answer.status).toBe(status);
      if (code !== undefined) expect(answer.code).toBe(code);
      else expect(answer.json).toMatchObject({ limitType: 'rate', maxRequests: BURST_LIMIT });
      expect(calls).toHaveLength(0);
    },
  );

  it('runs the handler on a request that passes every step, with what the steps found', async () => {
    const { handler } = setUp();
    const authorization = await tokenFor('2533274790395904');
    const answer = answerOf(await handler(eventFor({ authorization, contractVersion: '105' })));
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      principal: expect.objectContaining({ xuid: '2533274790395904', titleId: '1234' }),
      contractVersion: 105,
      body: { note: BODY_MARKER },
      resource: { handleId: 'h1', session: { scid: SCID, templateName: 'lobby', name: 'one' } },
    });
  });

  it('does not count a request whose token is refused', async () => {
    const { handler, counters } = setUp();
    expect((await handler(eventFor({ authorization: 'XBL3.0 x=1;not-a-token' }))).statusCode).toBe(401);
    expect(counters.keys).toEqual([]);
  });
});

describe('fair use on a path without a SCID', () => {
  it("counts the request by the token's user and title", async () => {
    const { handler, counters } = setUp();
    const authorization = await tokenFor('2533274790395904', '1234');
    await handler(eventFor({ authorization }));
    expect(counters.keys).toEqual([expect.stringMatching(/^2533274790395904#1234#15s#\d+$/)]);
  });

  it('shares the count with the same user and title on paths with a SCID (per user per title)', async () => {
    const { handler, counters } = setUp();
    const authorization = await tokenFor('2533274790395905', '1234');
    const withScid = { handleId: 'h1', scid: SCID };
    const statuses = [];
    for (const pathParameters of [undefined, withScid, undefined, withScid]) {
      statuses.push(
        (await handler(eventFor({ authorization, ...(pathParameters ? { pathParameters } : {}) }))).statusCode,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(new Set(counters.keys).size).toBe(1);
  });

  it('counts another title of the same user apart', async () => {
    const { handler } = setUp();
    const one = await tokenFor('2533274790395906', '1');
    const two = await tokenFor('2533274790395906', '2');
    for (let i = 0; i < BURST_LIMIT; i += 1) await handler(eventFor({ authorization: one }));
    expect((await handler(eventFor({ authorization: one }))).statusCode).toBe(429);
    expect((await handler(eventFor({ authorization: two }))).statusCode).toBe(200);
  });
});

describe('error mapping', () => {
  it('answers an MpsdError from the handler with its catalogued status and {code, message}', async () => {
    const { handler, lines } = setUp();
    const authorization = await tokenFor('2533274790395907');
    const answer = answerOf(await handler(eventFor({ authorization, body: '{"fail":"conflict"}' })));
    expect(answer).toMatchObject({
      status: 409,
      json: { code: 'ConstantsConflict', message: 'The constants differ.' },
    });
    expect(lines.map((l) => l.level)).toEqual(['info']);
  });

  it('answers a 5xx MpsdError with Retry-After, and logs it at ERROR with its cause and the request id', async () => {
    const { handler, lines } = setUp();
    const authorization = await tokenFor('2533274790395908');
    const event = eventFor({ authorization, body: '{"fail":"unavailable"}' });
    const result = await handler(event);
    expect(answerOf(result)).toMatchObject({ status: 503, code: 'ServiceUnavailable' });
    expect(result.headers?.['retry-after']).toBe('1');
    expect(lines).toEqual([
      {
        level: 'error',
        message: 'request failed',
        details: expect.objectContaining({
          requestId: event.requestContext.requestId,
          status: 503,
          code: 'ServiceUnavailable',
          cause: expect.objectContaining({ message: 'throttled' }),
        }),
      },
    ]);
  });

  it('answers a store fault that no service answered itself with 503 and Retry-After, never 500', async () => {
    const { handler, lines } = setUp();
    const authorization = await tokenFor('2533274790395911');
    const result = await handler(eventFor({ authorization, body: '{"fail":"store"}' }));
    const answer = answerOf(result);
    expect(answer).toMatchObject({ status: 503, code: 'ServiceUnavailable' });
    expect(answer.json.message).toContain('Try again after Retry-After');
    expect(result.headers?.['retry-after']).toBe('1');
    expect(lines.map((l) => [l.level, l.details.code])).toEqual([['error', 'ServiceUnavailable']]);
  });

  it('answers anything else with a 500 that says nothing internal, logged with its cause and the request id', async () => {
    const { handler, lines } = setUp();
    const authorization = await tokenFor('2533274790395909');
    const event = eventFor({ authorization, body: '{"fail":"bug"}' });
    const result = await handler(event);
    const answer = answerOf(result);
    expect(answer).toMatchObject({ status: 500, code: 'InternalError' });
    expect(answer.json.message).toBe(
      `The service failed to handle the request (request id ${event.requestContext.requestId}).`,
    );
    expect(result.body).not.toMatch(/table-secret|TypeError/);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe('error');
    expect(lines[0]?.details.requestId).toBe(event.requestContext.requestId);
    expect(String(lines[0]?.details.error)).toContain('table-secret');
  });

  it('maps a failure of the resolver the same way', async () => {
    const { handler } = setUp();
    const authorization = await tokenFor('2533274790395910');
    const answer = answerOf(await handler(eventFor({ authorization, pathParameters: { handleId: 'gone' } })));
    expect(answer).toMatchObject({
      status: 400,
      json: { code: 'InvalidRequest', message: 'There is no handle "gone".' },
    });
  });
});

describe('logs', () => {
  it('writes one line per request, naming the route, the status and the resource, never a token or a body', async () => {
    const { handler, lines } = setUp();
    const authorization = await tokenFor('2533274790395911');
    const answers = [];
    for (const parts of [
      { authorization },
      { authorization, contentType: 'text/html' },
      { authorization, body: '{"fail":"bug"}' },
      {},
    ]) {
      answers.push((await handler(eventFor(parts))).statusCode);
    }
    expect(answers).toEqual([200, 415, 500, 401]);
    expect(lines.map((l) => [l.level, l.details.status])).toEqual([
      ['info', 200],
      ['info', 415],
      ['error', 500],
      ['info', 401],
    ]);
    expect(lines[0]?.details).toEqual({
      requestId: expect.any(String),
      route: 'POST /handles/{handleId}/echo',
      status: 200,
      durationMs: expect.any(Number),
      xuid: '2533274790395911',
      handle: 'h1',
      session: `/serviceconfigs/${SCID}/sessiontemplates/lobby/sessions/one`,
    });
    // A refusal names its code; a request without a token names no caller.
    expect(lines[1]?.details).toEqual(expect.objectContaining({ status: 415, code: expect.any(String) }));
    expect(lines[3]?.details).toEqual(expect.objectContaining({ status: 401, code: expect.any(String) }));
    expect(lines[3]?.details).not.toHaveProperty('xuid');
    const logged = JSON.stringify(lines, (_key, value) => (value instanceof Error ? value.message : value));
    expect(logged).not.toContain(authorization.split(';')[1]);
    expect(logged).not.toContain(BODY_MARKER);
  });

  it("hands the logger each invocation's Lambda context before anything is logged", async () => {
    const { handler, contexts, lines } = setUp();
    const context = { awsRequestId: 'lambda-request-1', functionName: 'putSession' } as LambdaContext;
    await handler(eventFor({ authorization: await tokenFor('2533274790395912') }), context);
    expect(contexts).toEqual([context]);
    expect(lines).toHaveLength(1);
  });

  it("writes the line through a Powertools Logger with the Lambda context's keys", async () => {
    const written: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const logger = new Logger({ serviceName: 'session-directory-test' });
      const handler = makePipelineHandler(ECHO, {
        verifier: makeHmacTokenVerifier({ secret: DEVELOPMENT_TOKEN_SECRET }),
        clock: () => NOW_MS,
        log: logger,
        handles: new Map([['h1', { scid: SCID, templateName: 'lobby', name: 'one' }]]),
      });
      const context = {
        awsRequestId: 'lambda-request-2',
        functionName: 'echo',
        functionVersion: '$LATEST',
        invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:echo',
        memoryLimitInMB: '256',
      } as LambdaContext;
      await handler(eventFor({ authorization: await tokenFor('2533274790395913') }), context);
    } finally {
      write.mockRestore();
    }
    const lines = written.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      message: 'request',
      function_request_id: 'lambda-request-2',
      function_name: 'echo',
      status: 200,
      handle: 'h1',
      session: `/serviceconfigs/${SCID}/sessiontemplates/lobby/sessions/one`,
    });
  });
});

describe('a new handler', () => {
  it('is served from one route-table entry by the local server, through the pipeline', async () => {
    const { handler } = setUp();
    const route: Route<'echoHandle'> = {
      method: 'POST',
      path: '/handles/{handleId}/echo',
      function: 'echoHandle',
      resource: 'session',
    };
    const server = createLocalServer({ echoHandle: handler }, { routes: [route], log: () => {} });
    const baseUrl = await listenOnLoopback(server);
    try {
      const response = await fetch(`${baseUrl}/handles/h1/echo`, {
        method: 'POST',
        headers: {
          authorization: await tokenFor('2533274790395914'),
          'x-xbl-contract-version': '107',
          'content-type': 'application/json; charset=utf-8',
        },
        body: '{"join":true}',
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ body: { join: true }, resource: { handleId: 'h1' } });
    } finally {
      await closeServer(server);
    }
  });

  it("declares the method of every route that reaches it (the route table's and the handler's agree)", () => {
    for (const route of ROUTES) expect(HTTP_HANDLERS[route.function].method).toBe(route.method);
  });
});
