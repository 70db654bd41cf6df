import type { Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { FUNCTIONS, SESSION_TEMPLATES_SEGMENTS } from '../../lambda/http/routes';
import { type ApiHandler, createLocalServer, type LocalHandlers, MAX_LOCAL_BODY_BYTES } from '../../local/http-server';
import { SAMPLE_SCID } from '../../local/start-banner';
import { closeServer } from '../support/loopback-server';

// The local stand-in for API Gateway, with stub handlers that record the event they get, over the session
// resource's routes (the handle routes are served by the same code: test/api/handles/).

const SCID = SAMPLE_SCID;
const SESSION_PATH = `/serviceconfigs/${SCID}/sessiontemplates/lobby/sessions/hello`;

interface Harness {
  baseUrl: string;
  port: number;
  events: { handler: 'get' | 'put' | 'other'; event: APIGatewayProxyEventV2 }[];
  logLines: string[];
  respondWith(result: APIGatewayProxyStructuredResultV2 | Error): void;
}

let server: Server;
let harness: Harness;

beforeEach(async () => {
  let next: APIGatewayProxyStructuredResultV2 | Error = { statusCode: 200, body: '{}' };
  const events: Harness['events'] = [];
  const logLines: string[] = [];
  const stub =
    (handler: 'get' | 'put' | 'other'): ApiHandler =>
    async (event) => {
      events.push({ handler, event });
      if (next instanceof Error) throw next;
      return next;
    };
  server = createLocalServer(
    {
      // Every function of the route table needs a handler; the tests here look at GET and PUT of the session.
      ...(Object.fromEntries(Object.keys(FUNCTIONS).map((name) => [name, stub('other')])) as LocalHandlers),
      getSession: stub('get'),
      putSession: stub('put'),
    },
    { log: (line) => logLines.push(line) },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  harness = {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    events,
    logLines,
    respondWith: (result) => {
      next = result;
    },
  };
});

afterEach(async () => {
  await closeServer(server);
});

function onlyEvent(): APIGatewayProxyEventV2 {
  expect(harness.events).toHaveLength(1);
  return (harness.events[0] as Harness['events'][number]).event;
}

/** Sends a request exactly as written (repeated headers, header case) and returns the raw response text. */
function sendRaw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(harness.port, '127.0.0.1', () => socket.end(request));
    let response = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => {
      response += chunk;
    });
    socket.on('end', () => resolve(response));
    socket.on('error', reject);
  });
}

describe('routing', () => {
  it.each(SESSION_TEMPLATES_SEGMENTS)('routes GET and PUT on the %s spelling to the two handlers', async (spelling) => {
    const path = `/serviceconfigs/${SCID}/${spelling}/lobby/sessions/hello`;
    await fetch(`${harness.baseUrl}${path}`);
    await fetch(`${harness.baseUrl}${path}`, {
      method: 'PUT',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });

    const [get, put] = harness.events;
    const route = `/serviceconfigs/{scid}/${spelling}/{sessionTemplateName}/sessions/{sessionName}`;
    expect(get?.handler).toBe('get');
    expect(get?.event.routeKey).toBe(`GET ${route}`);
    expect(get?.event.requestContext.routeKey).toBe(`GET ${route}`);
    expect(put?.handler).toBe('put');
    expect(put?.event.routeKey).toBe(`PUT ${route}`);
  });

  it('passes URL-decoded path parameters, keeping an encoded slash inside its parameter', async () => {
    await fetch(`${harness.baseUrl}/serviceconfigs/${SCID}/sessionTemplates/my%20lobby/sessions/a%2Fb%C3%A9`);

    const event = onlyEvent();
    expect(event.pathParameters).toEqual({ scid: SCID, sessionTemplateName: 'my lobby', sessionName: 'a/bé' });
    expect(event.rawPath).toBe(`/serviceconfigs/${SCID}/sessionTemplates/my%20lobby/sessions/a%2Fb%C3%A9`);
    expect(event.requestContext.http.path).toBe(event.rawPath);
  });

  it.each([
    ['another resource', '/serviceconfigs/x/sessiontemplates/lobby/other'],
    ['another casing of the template segment', `/serviceconfigs/${SCID}/SessionTemplates/lobby/sessions/hello`],
    ['a trailing slash', `${SESSION_PATH}/`],
    ['an empty session name', `/serviceconfigs/${SCID}/sessiontemplates/lobby/sessions/`],
    ['the root', '/'],
  ])('answers API Gateway\'s 404 {"message":"Not Found"} for %s', async (_case, path) => {
    const response = await fetch(`${harness.baseUrl}${path}`);

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('apigw-requestid')).toEqual(expect.any(String));
    expect(await response.text()).toBe('{"message":"Not Found"}');
    expect(harness.events).toHaveLength(0);
  });

  it.each(['POST', 'DELETE', 'PATCH'])(
    'answers API Gateway\'s 404 {"message":"Not Found"} for %s on a session (no route has that method)',
    async (method) => {
      const response = await fetch(`${harness.baseUrl}${SESSION_PATH}`, { method });

      expect(response.status).toBe(404);
      expect(response.headers.get('allow')).toBeNull();
      expect(await response.text()).toBe('{"message":"Not Found"}');
      expect(harness.events).toHaveLength(0);
    },
  );
});

describe('the event', () => {
  it('lower-cases header names, joins repeated headers with commas and moves cookies to cookies', async () => {
    await sendRaw(
      [
        `GET ${SESSION_PATH} HTTP/1.1`,
        'Host: sessiondirectory.test',
        'X-Xbl-Contract-Version: 107',
        'X-Custom: one',
        'x-custom: two',
        'Cookie: a=1; b=2',
        'User-Agent: XboxServicesAPI/2021.06',
        'Connection: close',
        '',
        '',
      ].join('\r\n'),
    );

    const event = onlyEvent();
    expect(event.headers['x-xbl-contract-version']).toBe('107');
    expect(event.headers['x-custom']).toBe('one,two');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.cookies).toEqual(['a=1', 'b=2']);
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(event.requestContext.http.userAgent).toBe('XboxServicesAPI/2021.06');
    expect(event.requestContext.domainName).toBe('sessiondirectory.test');
    expect(event.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(event.headers['x-forwarded-proto']).toBe('http');
  });

  it('passes the raw query string and decoded parameters, repeats joined with commas', async () => {
    await fetch(`${harness.baseUrl}${SESSION_PATH}?nocommit=true&tag=a%20b&tag=c`);

    const event = onlyEvent();
    expect(event.rawQueryString).toBe('nocommit=true&tag=a%20b&tag=c');
    expect(event.queryStringParameters).toEqual({ nocommit: 'true', tag: 'a b,c' });
  });

  it('leaves out queryStringParameters, cookies and body when the request has none', async () => {
    await fetch(`${harness.baseUrl}${SESSION_PATH}`);

    const event = onlyEvent();
    expect(event.rawQueryString).toBe('');
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('cookies');
    expect(event).not.toHaveProperty('body');
    expect(event.isBase64Encoded).toBe(false);
  });

  it('fills requestContext as API Gateway does', async () => {
    const before = Date.now();
    await fetch(`${harness.baseUrl}${SESSION_PATH}`, { method: 'PUT', body: '{}' });

    const { version, requestContext } = onlyEvent();
    expect(version).toBe('2.0');
    expect(requestContext.http.method).toBe('PUT');
    expect(requestContext.http.protocol).toBe('HTTP/1.1');
    expect(requestContext.http.sourceIp).toBe('127.0.0.1');
    expect(requestContext.stage).toBe('$default');
    expect(requestContext.accountId).toMatch(/^\d{12}$/);
    expect(requestContext.apiId).toEqual(expect.any(String));
    expect(requestContext.requestId).toMatch(/^[A-Za-z0-9+/]{14}==$/);
    expect(requestContext.timeEpoch).toBeGreaterThanOrEqual(before);
    expect(requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('gives every request its own request id', async () => {
    await fetch(`${harness.baseUrl}${SESSION_PATH}`);
    await fetch(`${harness.baseUrl}${SESSION_PATH}`);

    const [first, second] = harness.events.map((e) => e.event.requestContext.requestId);
    expect(first).not.toBe(second);
  });

  it('passes a JSON body as text, byte for byte', async () => {
    const body = '{"custom":{"big":12345678901234567890},"name":"Zoë"}';
    await fetch(`${harness.baseUrl}${SESSION_PATH}`, {
      method: 'PUT',
      body,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });

    const event = onlyEvent();
    expect(event.isBase64Encoded).toBe(false);
    expect(event.body).toBe(body);
  });

  it('passes a body that is not valid UTF-8 as base64', async () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    await fetch(`${harness.baseUrl}${SESSION_PATH}`, {
      method: 'PUT',
      body: bytes,
      headers: { 'content-type': 'application/json' },
    });

    const event = onlyEvent();
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(bytes);
  });

  it('passes a body of a binary content type as base64', async () => {
    await fetch(`${harness.baseUrl}${SESSION_PATH}`, {
      method: 'PUT',
      body: 'abc',
      headers: { 'content-type': 'application/octet-stream' },
    });

    const event = onlyEvent();
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64').toString()).toBe('abc');
  });
});

describe('the response', () => {
  it("sends back the handler's status, headers and body", async () => {
    harness.respondWith({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', etag: 'ABC-123', 'x-count': 3 },
      body: '{"ok":true}',
      cookies: ['a=1; Path=/', 'b=2'],
    });

    const response = await fetch(`${harness.baseUrl}${SESSION_PATH}`, { method: 'PUT', body: '{}' });

    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('etag')).toBe('ABC-123');
    expect(response.headers.get('x-count')).toBe('3');
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2']);
    expect(response.headers.get('apigw-requestid')).toBe(onlyEvent().requestContext.requestId);
    expect(await response.text()).toBe('{"ok":true}');
  });

  it('decodes a base64 body from the handler', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    harness.respondWith({ statusCode: 200, body: bytes.toString('base64'), isBase64Encoded: true });

    const response = await fetch(`${harness.baseUrl}${SESSION_PATH}`);

    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
  });

  it('sends no body with 204', async () => {
    harness.respondWith({ statusCode: 204, headers: { date: 'Tue, 24 Nov 2026 20:00:00 GMT' } });

    const response = await fetch(`${harness.baseUrl}${SESSION_PATH}`);

    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(response.headers.get('date')).toBe('Tue, 24 Nov 2026 20:00:00 GMT');
  });

  it('answers 500 with a JSON error when the handler throws, and logs the cause', async () => {
    harness.respondWith(new Error('table is on fire'));

    const response = await fetch(`${harness.baseUrl}${SESSION_PATH}`);

    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      code: 'InternalError',
      message: 'The service failed to handle the request.',
    });
    expect(harness.logLines.some((line) => line.includes('table is on fire'))).toBe(true);
  });

  it('logs one line per request with method, path, status and milliseconds', async () => {
    harness.respondWith({ statusCode: 201, body: '{}' });
    await fetch(`${harness.baseUrl}${SESSION_PATH}?nocommit=true`, { method: 'PUT', body: '{}' });
    await fetch(`${harness.baseUrl}/nowhere`);
    await new Promise((resolve) => setImmediate(resolve));

    expect(harness.logLines).toEqual([
      expect.stringMatching(new RegExp(`^PUT ${SESSION_PATH}\\?nocommit=true 201 \\d+\\.\\dms$`)),
      expect.stringMatching(/^GET \/nowhere 404 \d+\.\dms$/),
    ]);
  });
});

describe('the body size guard', () => {
  it('answers 413 without calling the handler when Content-Length is over 1 MiB', async () => {
    const response = await fetch(`${harness.baseUrl}${SESSION_PATH}`, {
      method: 'PUT',
      body: Buffer.alloc(MAX_LOCAL_BODY_BYTES + 1, 0x20),
      headers: { 'content-type': 'application/json' },
    });

    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ code: 'PayloadTooLarge', message: expect.stringContaining('1048576') });
    expect(harness.events).toHaveLength(0);
  });

  it('answers 413 when a chunked body passes 1 MiB', async () => {
    const chunk = `${'x'.repeat(64 * 1024)}`;
    const chunks = Array.from({ length: 20 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`).join('');
    const response = await sendRaw(
      [
        `PUT ${SESSION_PATH} HTTP/1.1`,
        'Host: localhost',
        'Content-Type: application/json',
        'Transfer-Encoding: chunked',
        '',
        `${chunks}0\r\n\r\n`,
      ].join('\r\n'),
    );

    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response).toContain('"code":"PayloadTooLarge"');
    expect(harness.events).toHaveLength(0);
  });

  it('accepts a body of exactly 1 MiB', async () => {
    await fetch(`${harness.baseUrl}${SESSION_PATH}`, {
      method: 'PUT',
      body: Buffer.alloc(MAX_LOCAL_BODY_BYTES, 0x20),
      headers: { 'content-type': 'application/json' },
    });

    expect(onlyEvent().body).toHaveLength(MAX_LOCAL_BODY_BYTES);
  });
});
