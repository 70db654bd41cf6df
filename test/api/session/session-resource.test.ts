import { randomBytes } from 'node:crypto';
import { startTestService, type TestService } from '../../support/local-service';
import { CheckedSessionClient } from '../../support/mpsd-response-validator';
import { joinBody, SAMPLE_SCID } from '../../support/session-client';

// The session resource end to end (issue 2's acceptance): HTTP through the local server, handlers as Lambda runs
// them, DynamoDB Local underneath. Every session answer is checked by the §2.2 validator.

let service: TestService;
let seq = 0;
const XUID = '2533274790395904';

beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service.close());

const player = () => new CheckedSessionClient(service.baseUrl, { xuid: XUID, gamertag: 'DevPlayer1' });
const name = () => `resource-${++seq}-${Date.now()}`;

describe('conditional PUT and GET (spec §1.3, §1.4)', () => {
  it('creates with If-None-Match: * with exactly 201, and the same PUT again is 412 carrying the session and its ETag', async () => {
    const n = name();
    const created = await player().put(SAMPLE_SCID, 'lobby', n, joinBody(XUID), { headers: { 'if-none-match': '*' } });
    expect(created.status).toBe(201);
    const etag = created.headers.get('etag');
    expect(etag).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    expect(created.headers.get('content-location')).toBe(
      `/serviceconfigs/${SAMPLE_SCID}/sessiontemplates/lobby/sessions/${n}`,
    );
    const again = await player().put(SAMPLE_SCID, 'lobby', n, joinBody(XUID), { headers: { 'if-none-match': '*' } });
    expect(again.status).toBe(412);
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.json.members['0'].constants.system.xuid).toBe(XUID);
  });

  it('GET answers the session with the same ETag, then 304 for that ETag, and 200 again once it changed', async () => {
    const n = name();
    const created = await player().put(SAMPLE_SCID, 'lobby', n, joinBody(XUID));
    const etag = created.headers.get('etag') as string;
    const read = await player().get(SAMPLE_SCID, 'lobby', n);
    expect([read.status, read.headers.get('etag')]).toEqual([200, etag]);
    expect(read.json).toEqual(created.json);
    const notModified = await player().get(SAMPLE_SCID, 'lobby', n, { headers: { 'if-none-match': etag } });
    expect([notModified.status, notModified.text]).toEqual([304, '']);
    await player().put(SAMPLE_SCID, 'lobby', n, { properties: { custom: { map: 'dust' } } });
    const changed = await player().get(SAMPLE_SCID, 'lobby', n, { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });

  it('If-Match: * updates an existing session and is 412 on a missing one, creating nothing', async () => {
    const n = name();
    const missing = await player().put(SAMPLE_SCID, 'lobby', n, joinBody(XUID), { headers: { 'if-match': '*' } });
    expect([missing.status, missing.json.code]).toEqual([412, 'PreconditionFailed']);
    expect((await player().get(SAMPLE_SCID, 'lobby', n)).status).toBe(204);
    await player().put(SAMPLE_SCID, 'lobby', n, joinBody(XUID));
    const updated = await player().put(
      SAMPLE_SCID,
      'lobby',
      n,
      { properties: { custom: { a: 1 } } },
      {
        headers: { 'if-match': '*' },
      },
    );
    expect(updated.status).toBe(200);
  });

  it('GET of a session that does not exist is 204 with no body', async () => {
    const missing = await player().get(SAMPLE_SCID, 'lobby', name());
    expect([missing.status, missing.text]).toEqual([204, '']);
  });
});

describe('the document', () => {
  it('keeps a 64-bit integer in custom digit for digit, through PUT and GET', async () => {
    const n = name();
    const body = `{"properties":{"custom":{"id":12345678901234567890}},${JSON.stringify(joinBody(XUID)).slice(1)}`;
    const written = await player().put(SAMPLE_SCID, 'lobby', n, body);
    expect(written.text).toContain('"custom":{"id":12345678901234567890}');
    const read = await player().get(SAMPLE_SCID, 'lobby', n);
    expect(read.text).toContain('"custom":{"id":12345678901234567890}');
  });

  it('answers on both path spellings the same session', async () => {
    const n = name();
    const created = await player().put(SAMPLE_SCID, 'lobby', n, joinBody(XUID), { spelling: 'sessionTemplates' });
    const read = await player().get(SAMPLE_SCID, 'lobby', n, { spelling: 'sessiontemplates' });
    expect(read.headers.get('etag')).toBe(created.headers.get('etag'));
  });
});

describe('request headers (spec §1.2)', () => {
  it.each([
    ['missing', undefined, 'MissingContractVersion'],
    ['106', '106', 'UnsupportedContractVersion'],
    ['not a number', 'abc', 'UnsupportedContractVersion'],
  ])(
    'x-xbl-contract-version %s is 400 with a message naming the accepted versions, and stores nothing',
    async (_, value, code) => {
      const n = name();
      const headers: Record<string, string> = value === undefined ? {} : { 'x-xbl-contract-version': value };
      const refused = await player().put(SAMPLE_SCID, 'lobby', n, joinBody(XUID), { noContractVersion: true, headers });
      expect([refused.status, refused.json.code]).toEqual([400, code]);
      expect(refused.json.message).toContain('107');
      expect((await player().get(SAMPLE_SCID, 'lobby', n)).status).toBe(204);
    },
  );

  it('a PUT that breaks several rules is answered by the first in the request pipeline: contract version, Content-Type, body, then the path', async () => {
    const bad = 'bad#name';
    const put = (body: unknown, headers: Record<string, string>) =>
      player().put(SAMPLE_SCID, 'lobby', bad, body, { headers });
    const answers = [
      await put('{"members"', { 'x-xbl-contract-version': '0x6b', 'content-type': 'text/plain' }),
      await put('{"members"', { 'content-type': 'text/plain' }),
      await put('{"members"', {}),
      await put(joinBody(XUID), {}),
    ];
    expect(answers.map((r) => [r.status, r.json.code])).toEqual([
      [400, 'UnsupportedContractVersion'],
      [415, 'UnsupportedMediaType'],
      [400, 'MalformedJson'],
      [400, 'InvalidSessionReference'],
    ]);
  });

  it('a request without Authorization is 401 with a message and WWW-Authenticate', async () => {
    const response = await fetch(`${service.baseUrl}/serviceconfigs/${SAMPLE_SCID}/sessiontemplates/lobby/sessions/x`, {
      headers: { 'x-xbl-contract-version': '107' },
    });
    const body = (await response.json()) as { code: string; message: string };
    expect(response.status).toBe(401);
    expect(body.code).toBe('MissingAuthorization');
    expect(response.headers.get('www-authenticate')).toContain('XBL3.0');
  });
});

describe('edges found in review', () => {
  const server = () => new CheckedSessionClient(service.baseUrl, { server: true });

  it('a ?nocommit=true answer has an ETag that no later commit has, so If-Match with it fails', async () => {
    const n = name();
    await player().put(SAMPLE_SCID, 'lobby', n, joinBody(XUID));
    const preview = await player().put(
      SAMPLE_SCID,
      'lobby',
      n,
      { properties: { custom: { a: 1 } } },
      { query: 'nocommit=true' },
    );
    expect(preview.status).toBe(200);
    const committed = await player().put(SAMPLE_SCID, 'lobby', n, { properties: { custom: { b: 2 } } });
    expect(committed.json.changeNumber).toBe(preview.json.changeNumber);
    expect(committed.headers.get('etag')).not.toBe(preview.headers.get('etag'));
    const stale = await player().put(
      SAMPLE_SCID,
      'lobby',
      n,
      { properties: { custom: { c: 3 } } },
      {
        headers: { 'if-match': preview.headers.get('etag') as string },
      },
    );
    expect(stale.status).toBe(412);
  });

  it('servers entries named like Object members ("constructor", "toString") are plain data', async () => {
    const n = name();
    await player().put(SAMPLE_SCID, 'lobby', n, joinBody(XUID));
    const written = await server().put(SAMPLE_SCID, 'lobby', n, {
      servers: { constructor: { properties: { custom: { a: 1 } } }, toString: { properties: { custom: { b: 2 } } } },
    });
    expect(written.status).toBe(200);
    expect(written.json.servers.constructor.properties.custom).toEqual({ a: 1 });
    expect(written.json.servers.toString.properties.custom).toEqual({ b: 2 });
  });

  it('refuses a null timeout inside memberInitialization (it would be rendered as null, which XSAPI cannot parse)', async () => {
    const n = name();
    const refused = await player().put(SAMPLE_SCID, 'open', n, {
      ...joinBody(XUID),
      constants: { system: { memberInitialization: { joinTimeout: null, membersNeededToStart: 1 } } },
    });
    expect([refused.status, refused.json.code]).toEqual([400, 'InvalidValue']);
    expect(refused.json.message).toContain('memberInitialization.joinTimeout');
    expect((await player().get(SAMPLE_SCID, 'open', n)).status).toBe(204);
  });

  it('keeps numbers beyond a double exactly (1e400, 1.5e-400) in custom', async () => {
    const n = name();
    const body = `{"properties":{"custom":{"huge":1e400,"tiny":1.5e-400}},${JSON.stringify(joinBody(XUID)).slice(1)}`;
    const written = await player().put(SAMPLE_SCID, 'lobby', n, body);
    expect(written.status).toBe(201);
    const read = await player().get(SAMPLE_SCID, 'lobby', n);
    expect(read.text).toContain('"custom":{"huge":1e400,"tiny":1.5e-400}');
  });
});

describe('session size', () => {
  it('refuses a change past the member’s size budget (400 SizeBudgetExceeded), so the session stays writable for others', async () => {
    const n = name();
    await player().put(SAMPLE_SCID, 'open', n, joinBody(XUID));
    // Random hex does not compress: the budgets must hold for the raw size.
    const chunk = () => randomBytes(20_000).toString('hex');
    let refused: Awaited<ReturnType<CheckedSessionClient['put']>> | undefined;
    for (let i = 0; i < 12 && refused === undefined; i += 1) {
      const answer = await player().put(SAMPLE_SCID, 'open', n, {
        members: { me: { properties: { custom: { [`k${i}`]: chunk() } } } },
      });
      if (answer.status !== 200) refused = answer;
    }
    expect([refused?.status, refused?.json.code]).toEqual([400, 'SizeBudgetExceeded']);
    const other = new CheckedSessionClient(service.baseUrl, { xuid: '2533274790395999' });
    expect((await other.put(SAMPLE_SCID, 'open', n, joinBody('2533274790395999'))).status).toBe(200);
  });
});
