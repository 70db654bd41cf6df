import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestService, type TestService, waitForFinder } from '../support/local-service';
import { CheckedSessionClient } from '../support/mpsd-response-validator';
import { readRequestCapture, SPEC_DIR } from '../support/request-capture';
import { joinBody, SAMPLE_SCID } from '../support/session-client';

// The documented session-query bodies (spec/examples/family-session-*.json) against the service: the batch request
// replayed verbatim (its xuids "1234" and "5678" are real members here), and every answer's entries carrying only the
// documented fields, in the documented order, as XSAPI's reader takes them (checked by CheckedSessionClient too).

let service: TestService;
beforeAll(async () => {
  service = await startTestService({ finder: true });
});
afterAll(() => service.close());

const DOCS_ENTRY = JSON.parse(
  readFileSync(path.join(SPEC_DIR, 'examples/family-session-query-response-docs.json'), 'utf8'),
).body.results[0] as Record<string, unknown>;
const DOCUMENTED_ORDER = Object.keys(DOCS_ENTRY);

it('answers the documented batch body, replayed verbatim, grouped per xuid in its order, with documented fields in documented order', async () => {
  const name = `conf-${randomUUID()}`;
  for (const xuid of ['5678', '1234']) {
    const r = await new CheckedSessionClient(service.baseUrl, { xuid }).put(
      SAMPLE_SCID,
      'lobby',
      name,
      joinBody(xuid, {
        properties: { system: { keywords: ['one', 'two'] } },
      }),
    );
    expect([200, 201]).toContain(r.status);
  }
  const capture = readRequestCapture('examples/family-session-batch-request.json');
  const requestPath = capture.path.replace('{scid}', SAMPLE_SCID).replace('{sessionTemplateName}', 'lobby');
  const batch = () =>
    new CheckedSessionClient(service.baseUrl, { xuid: '1234' }).request(capture.method, requestPath, {
      // XSAPI's Content-Type on every call (family spec §1.2); the body's bytes as captured.
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: capture.body,
    });
  const r = await waitForFinder(batch, (x) => x.json?.results?.length === 2);
  expect(r.status).toBe(200);
  expect(r.json.results.map((e: { xuid: string }) => e.xuid)).toEqual(['1234', '5678']);
  for (const entry of r.json.results as Record<string, unknown>[]) {
    const keys = Object.keys(entry);
    // Only documented fields, and in the documented order (a subsequence of the docs' example).
    expect(keys.every((k) => DOCUMENTED_ORDER.includes(k))).toBe(true);
    expect(keys).toEqual(DOCUMENTED_ORDER.filter((k) => keys.includes(k)));
    expect(entry).toEqual(
      expect.objectContaining({
        sessionRef: { scid: SAMPLE_SCID, templateName: 'lobby', name: name.toLowerCase() },
        accepted: 2,
        status: 'active',
        visibility: 'open',
        keywords: ['one', 'two'],
      }),
    );
  }
});
