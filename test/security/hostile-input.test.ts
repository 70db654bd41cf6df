import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { mintToken } from '../../lambda/auth/development-token';
import { startTestService, type TestService } from '../support/local-service';
import { joinBody, SAMPLE_SCID, SessionClient, sessionUri } from '../support/session-client';
import { rawRequest } from './raw-http';

// Hostile input through HTTP against DynamoDB Local (issue 4.4): each case gets a 4xx with a message (or is
// accepted unchanged where it is legal), never a 5xx, and a refused request stores nothing.

const CAPTURES = path.resolve(__dirname, '../../../shared/spec/client-captures');
const MINECRAFT_SCID = '4fc10100-5f7a-4470-899b-280835760c07';
const XUID = '2533274790395904';

let service: TestService;
let authorization: string;
let owner: SessionClient;
let reader: SessionClient;
beforeAll(async () => {
  service = await startTestService();
  authorization = await mintToken({ xuid: XUID });
  owner = new SessionClient(service.baseUrl, { xuid: XUID });
  reader = new SessionClient(service.baseUrl, { server: true });
});
afterAll(() => service.close());

function headers(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization, 'x-xbl-contract-version': '107', ...extra };
}

async function expectNothingStored(name: string, template = 'lobby'): Promise<void> {
  expect((await reader.get(SAMPLE_SCID, template, name)).status).toBe(204);
}

/** A raw PUT on the lobby template; `contentType: null` sends no Content-Type at all. */
function put(name: string, body: string | Buffer, contentType: string | null = 'application/json') {
  return rawRequest(
    service.baseUrl,
    'PUT',
    sessionUri(SAMPLE_SCID, 'lobby', name),
    headers(contentType === null ? {} : { 'content-type': contentType }),
    body,
  );
}

function messageOf(text: string): string {
  return (JSON.parse(text) as { message: string }).message;
}

describe('bodies', () => {
  it('refuses a body over 64 KiB with 413', async () => {
    const body = JSON.stringify(joinBody(XUID, { properties: { custom: { pad: 'x'.repeat(70 * 1024) } } }));
    const response = await put('too-big', body);
    expect(response.status).toBe(413);
    expect(messageOf(response.text)).toMatch(/at most 65536 bytes/);
    await expectNothingStored('too-big');
  });

  it('refuses nesting deeper than 32 levels, and survives nesting thousands deep', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 40; i += 1) deep = { a: deep };
    const response = await put('too-deep', JSON.stringify(joinBody(XUID, { properties: { custom: deep } })));
    expect(response.status).toBe(400);
    expect(messageOf(response.text)).toMatch(/nested more than 32 levels/);
    await expectNothingStored('too-deep');

    const abyss = `{"properties":{"custom":${'['.repeat(30_000)}${']'.repeat(30_000)}}}`;
    expect((await put('abyss', abyss)).status).toBe(400);
    const abyssWithBigNumber = `{"properties":{"custom":${'['.repeat(30_000)}12345678901234567890${']'.repeat(30_000)}}}`;
    expect((await put('abyss', abyssWithBigNumber)).status).toBe(400);
    await expectNothingStored('abyss');
  });

  it('refuses __proto__ keys and pollutes no prototype', async () => {
    const body = `{"members":{"me":{"constants":{"system":{"xuid":"${XUID}"}}}},"properties":{"custom":{"__proto__":{"polluted":true}}}}`;
    const response = await put('proto', body);
    expect(response.status).toBe(400);
    expect(messageOf(response.text)).toMatch(/"__proto__".*not allowed/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await expectNothingStored('proto');
  });

  it('stores constructor and prototype keys as plain data, polluting nothing', async () => {
    const custom = { constructor: { prototype: { polluted: true } }, prototype: { polluted: true } };
    const response = await owner.put(SAMPLE_SCID, 'lobby', 'constructor', joinBody(XUID, { properties: { custom } }));
    expect(response.status).toBe(201);
    expect(response.json.properties.custom).toEqual(custom);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });

  it('refuses a body that is not UTF-8', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"properties":{"custom":{"a":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}}}'),
    ]);
    const response = await put('latin', bytes);
    expect(response.status).toBe(400);
    expect(messageOf(response.text)).toMatch(/UTF-8/);
    await expectNothingStored('latin');
  });

  it.each([['{"members":'], ['not json'], ['[1,2]'], ['"text"'], ['null']])(
    'refuses the body %s with 400',
    async (body) => {
      const response = await put('not-json', body);
      expect(response.status).toBe(400);
      expect(messageOf(response.text).length).toBeGreaterThan(10);
      await expectNothingStored('not-json');
    },
  );
});

describe('content types', () => {
  it.each([
    ['text/plain'],
    ['application/x-www-form-urlencoded'],
    ['application/json; charset=iso-8859-1'],
    ['application/jsonx'],
    ['multipart/form-data; boundary=x'],
  ])('refuses a PUT with Content-Type %s with 415', async (contentType) => {
    const response = await put('wrong-type', JSON.stringify(joinBody(XUID)), contentType);
    expect(response.status).toBe(415);
    expect(messageOf(response.text)).toMatch(/application\/json/);
    await expectNothingStored('wrong-type');
  });

  it('refuses a PUT body without a Content-Type with 415', async () => {
    const response = await put('no-type', JSON.stringify(joinBody(XUID)), null);
    expect(response.status).toBe(415);
    await expectNothingStored('no-type');
  });

  it.each([['application/json'], ['application/json; charset=utf-8'], ['Application/JSON;charset=UTF-8']])(
    'accepts %s on PUT and GET',
    async (contentType) => {
      const name = `typed-${contentType.length}`;
      expect((await put(name, JSON.stringify(joinBody(XUID)), contentType)).status).toBe(201);
      const got = await rawRequest(
        service.baseUrl,
        'GET',
        sessionUri(SAMPLE_SCID, 'lobby', name),
        headers({ 'content-type': contentType }),
      );
      expect(got.status).toBe(200);
    },
  );

  it('accepts a GET without a Content-Type and refuses one with a non-JSON type', async () => {
    const uri = sessionUri(SAMPLE_SCID, 'lobby', 'typed-16');
    expect((await rawRequest(service.baseUrl, 'GET', uri, headers())).status).toBe(200);
    expect((await rawRequest(service.baseUrl, 'GET', uri, headers({ 'content-type': 'text/html' }))).status).toBe(415);
  });

  it("accepts every captured real client's headers", async () => {
    const files = ['friend-connect-0.7.6', 'bedrock-portal-2.4.0'].flatMap((dir) =>
      readdirSync(path.join(CAPTURES, dir))
        .filter((f) => f.endsWith('.json'))
        .map((f) => path.join(CAPTURES, dir, f)),
    );
    let replayed = 0;
    for (const file of files) {
      const capture = JSON.parse(readFileSync(file, 'utf8')) as {
        method?: string;
        path?: string;
        headers?: Record<string, string>;
      };
      if (
        (capture.method !== 'GET' && capture.method !== 'PUT') ||
        capture.path?.startsWith('/serviceconfigs') !== true
      ) {
        continue;
      }
      const sent: Record<string, string> = {};
      for (const [name, value] of Object.entries(capture.headers ?? {})) {
        if (!['content-length', 'connection', 'host', 'authorization'].includes(name)) sent[name] = value;
      }
      sent.authorization = authorization;
      const uri = sessionUri(MINECRAFT_SCID, 'MinecraftLobby', `capture-${replayed}`, 'sessionTemplates');
      const response = await rawRequest(
        service.baseUrl,
        capture.method,
        uri,
        sent,
        capture.method === 'PUT' ? JSON.stringify(joinBody(XUID)) : undefined,
      );
      expect({ file: path.basename(file), status: response.status }).toEqual({
        file: path.basename(file),
        status: capture.method === 'PUT' ? 201 : 204,
      });
      replayed += 1;
    }
    expect(replayed).toBeGreaterThanOrEqual(8);
  });
});

describe('headers', () => {
  it('refuses a huge header without reaching the handlers (431), and a huge Authorization with 401', async () => {
    const uri = sessionUri(SAMPLE_SCID, 'lobby', 'headers');
    const huge = await rawRequest(service.baseUrl, 'GET', uri, headers({ 'x-padding': 'a'.repeat(20_000) }));
    expect(huge.status).toBe(431);
    const hugeAuth = await rawRequest(service.baseUrl, 'GET', uri, {
      ...headers(),
      authorization: `XBL3.0 x=a;${'a'.repeat(9_000)}`,
    });
    expect(hugeAuth.status).toBe(401);
    const hugeIfMatch = await rawRequest(
      service.baseUrl,
      'PUT',
      uri,
      headers({ 'content-type': 'application/json', 'if-match': 'x'.repeat(8_000) }),
      JSON.stringify(joinBody(XUID)),
    );
    expect(hugeIfMatch.status).toBe(412);
    await expectNothingStored('headers');
  });
});

describe('path parts', () => {
  const base = `/serviceconfigs/${SAMPLE_SCID}/sessiontemplates/lobby/sessions/`;

  it.each([
    ['an encoded #', 'a%23b', 400],
    ['an encoded /', 'a%2Fb', 400],
    ['an encoded \\', 'a%5Cb', 400],
    ['a dot segment', '..', 400],
    ['a single dot', '.', 400],
    ['an encoded dot segment', '%2E%2E', 400],
    ['a NUL', 'a%00b', 400],
    ['a malformed escape', 'a%E0%A4%A', 400],
    ['a name of 101 characters', 'n'.repeat(101), 400],
  ])('refuses a session name with %s', async (_what, name, status) => {
    const response = await rawRequest(
      service.baseUrl,
      'PUT',
      `${base}${name}`,
      headers({ 'content-type': 'application/json' }),
      JSON.stringify(joinBody(XUID)),
    );
    expect(response.status).toBe(status);
    expect(messageOf(response.text).length).toBeGreaterThan(10);
  });

  it("refuses a session name with a literal / as another route: API Gateway's 404", async () => {
    const response = await rawRequest(
      service.baseUrl,
      'PUT',
      `${base}a/b`,
      headers({ 'content-type': 'application/json' }),
      JSON.stringify(joinBody(XUID)),
    );
    expect(response.status).toBe(404);
    expect(JSON.parse(response.text)).toEqual({ message: 'Not Found' });
  });

  it('accepts a name of exactly 100 characters', async () => {
    expect((await owner.put(SAMPLE_SCID, 'lobby', 'n'.repeat(100), joinBody(XUID))).status).toBe(201);
  });

  it.each([
    ['a SCID that is not a GUID', '/serviceconfigs/not-a-guid/sessiontemplates/lobby/sessions/x', 400],
    ['a template with an encoded #', `/serviceconfigs/${SAMPLE_SCID}/sessiontemplates/lo%23bby/sessions/x`, 400],
    [
      'a template of 101 characters',
      `/serviceconfigs/${SAMPLE_SCID}/sessiontemplates/${'t'.repeat(101)}/sessions/x`,
      400,
    ],
  ])('refuses %s', async (_what, uri, status) => {
    const response = await rawRequest(service.baseUrl, 'GET', uri, headers());
    expect(response.status).toBe(status);
  });
});

describe('numbers and strings at the edges', () => {
  it('keeps big, tiny and negative-zero numbers in custom exactly', async () => {
    const text = `{"members":{"me":{"constants":{"system":{"xuid":"${XUID}"}}}},"properties":{"custom":{"u64":18446744073709551615,"big":123456789012345678901234567890,"max":1.7976931348623157e308,"tiny":5e-324,"negzero":-0,"neg":-9223372036854775808}}}`;
    const response = await put('numbers', text);
    expect(response.status).toBe(201);
    for (const literal of ['18446744073709551615', '123456789012345678901234567890', '-9223372036854775808']) {
      expect(response.text).toContain(literal);
    }
  });

  it('keeps NUL, lone surrogates and long strings in custom without failing', async () => {
    const text = `{"members":{"me":{"constants":{"system":{"xuid":"${XUID}"}}}},"properties":{"custom":{"nul":"a\\u0000b","lone":"\\ud800","long":"${'y'.repeat(60_000)}"}}}`;
    const response = await put('strings', text);
    expect(response.status).toBe(201);
    expect(response.text).toContain('a\\u0000b');
  });

  it.each([[0], [101], [1.5], [-1], [1e308], ['8'], [2 ** 64]])(
    'refuses maxMembersCount %j at creation with 400',
    async (value) => {
      const response = await owner.put(
        SAMPLE_SCID,
        'open',
        'max-members',
        joinBody(XUID, { constants: { system: { maxMembersCount: value } } }),
      );
      expect(response.status).toBe(400);
      expect(response.json.message).toMatch(/maxMembersCount/);
      await expectNothingStored('max-members', 'open');
    },
  );

  it.each([['0'], ['-1'], ['123456789012345678901'], ['12a'], [1e30], [''], [true]])(
    'refuses the reservation xuid %j with 400',
    async (xuid) => {
      const response = await owner.put(SAMPLE_SCID, 'lobby', 'bad-xuid', {
        ...joinBody(XUID),
        members: { ...(joinBody(XUID).members as object), reserve_0: { constants: { system: { xuid } } } },
      });
      expect(response.status).toBe(400);
      await expectNothingStored('bad-xuid');
    },
  );
});

// Issue 8, items 6-12: every refusal is the contract's status with a JSON {code, message} naming what was wrong and
// what is allowed, and changes nothing (read back).

const JOIN = `"members":{"me":{"constants":{"system":{"xuid":"${XUID}"}},"properties":{"system":{"active":true}}}}`;

/** A raw PUT on any template, with the query string given. */
function rawPut(template: string, name: string, body: string, query = '', extra: Record<string, string> = {}) {
  return rawRequest(
    service.baseUrl,
    'PUT',
    `${sessionUri(SAMPLE_SCID, template, name)}${query}`,
    headers({ 'content-type': 'application/json', ...extra }),
    body,
  );
}

function errorOf(text: string): { code: string; message: string } {
  return JSON.parse(text) as { code: string; message: string };
}

/** The session as a server reads it: its text and ETag, to compare before and after a refusal. */
async function stored(
  name: string,
  template = 'lobby',
): Promise<{ status: number; etag: string | null; text: string }> {
  const r = await reader.get(SAMPLE_SCID, template, name);
  return { status: r.status, etag: r.headers.get('etag'), text: r.text };
}

describe('integer fields are integers as written (issue 8.6)', () => {
  it.each([
    ['maxMembersCount', '"maxMembersCount":2.00000000000000000001'],
    ['maxMembersCount', '"maxMembersCount":1.99999999999999999999'],
    ['maxMembersCount', '"maxMembersCount":2.0'],
    ['maxMembersCount', '"maxMembersCount":2e0'],
    ['sessionEmptyTimeout', '"sessionEmptyTimeout":60000.00000000000000000001'],
    ['reservedRemovalTimeout', '"reservedRemovalTimeout":3e4'],
  ])('refuses %s written as %s at creation with 400, storing nothing', async (field, member) => {
    const response = await rawPut('open', 'integer-text', `{"constants":{"system":{${member}}},${JOIN}}`);
    expect(response.status).toBe(400);
    expect(errorOf(response.text)).toEqual({
      code: 'InvalidValue',
      message: `constants.system.${field} must be an integer from ${field === 'maxMembersCount' ? 1 : 0} to ${field === 'maxMembersCount' ? 100 : 2147483647}, written without a fraction or exponent.`,
    });
    await expectNothingStored('integer-text', 'open');
  });

  it('refuses an integer system property written with a fraction, changing nothing', async () => {
    expect((await rawPut('open', 'integer-turn', `{${JOIN}}`)).status).toBe(201);
    const before = await stored('integer-turn', 'open');
    const response = await rawPut(
      'open',
      'integer-turn',
      '{"properties":{"system":{"turn":[0.00000000000000000001]}}}',
    );
    expect(response.status).toBe(400);
    expect(errorOf(response.text).message).toMatch(/^properties\.system\.turn\[0\] must be an integer from 0/);
    expect(await stored('integer-turn', 'open')).toEqual(before);
  });

  it('accepts maxMembersCount 2 written as an integer, and holds the session to it', async () => {
    expect((await rawPut('open', 'integer-two', `{"constants":{"system":{"maxMembersCount":2}},${JOIN}}`)).status).toBe(
      201,
    );
    const second = new SessionClient(service.baseUrl, { xuid: '2002' });
    const third = new SessionClient(service.baseUrl, { xuid: '2003' });
    expect((await second.put(SAMPLE_SCID, 'open', 'integer-two', joinBody('2002'))).status).toBe(200);
    const full = await third.put(SAMPLE_SCID, 'open', 'integer-two', joinBody('2003'));
    expect(full.status).toBe(400);
    expect(full.json.code).toBe('SessionFull');
  });
});

describe('custom is always an object (issue 8.7)', () => {
  const NOT_OBJECTS = ['null', '1', '"Hello"', '[]', '[{"a":1}]', 'true'];
  const server = () => new SessionClient(service.baseUrl, { server: true });
  let before: Awaited<ReturnType<typeof stored>>;
  beforeAll(async () => {
    const created = await owner.put(
      SAMPLE_SCID,
      'lobby',
      'custom-kept',
      joinBody(XUID, { properties: { custom: { map: 'dust' } } }),
    );
    expect(created.status).toBe(201);
    expect((await server().put(SAMPLE_SCID, 'lobby', 'custom-kept', { servers: { s: {} } })).status).toBe(200);
    before = await stored('custom-kept');
  });

  it.each(
    NOT_OBJECTS.flatMap((custom) => [
      ['properties.custom', `{"properties":{"custom":${custom}}}`, custom],
      ['members.me.properties.custom', `{"members":{"me":{"properties":{"custom":${custom}}}}}`, custom],
    ]),
  )('refuses %s = %s… from a member, changing nothing', async (path, body) => {
    const response = await rawPut('lobby', 'custom-kept', body);
    expect(response.status).toBe(400);
    expect(errorOf(response.text)).toEqual({
      code: 'InvalidValue',
      message: `${path} must be a JSON object of custom properties, such as {"map":"dust"}; send a key with null to delete it, or leave custom out.`,
    });
    expect(await stored('custom-kept')).toEqual(before);
  });

  it.each(NOT_OBJECTS)('refuses a server entry whose custom is %s, changing nothing', async (custom) => {
    for (const part of ['constants', 'properties']) {
      const response = await server().put(
        SAMPLE_SCID,
        'lobby',
        'custom-kept',
        `{"servers":{"s":{"${part}":{"custom":${custom}}}}}`,
      );
      expect(response.status).toBe(400);
      expect(response.json.message).toMatch(new RegExp(`^servers\\.s\\.${part}\\.custom must be a JSON object`));
    }
    expect(await stored('custom-kept')).toEqual(before);
  });

  it.each(NOT_OBJECTS)('refuses member constants custom %s on a join, adding nobody', async (custom) => {
    const joiner = new SessionClient(service.baseUrl, { xuid: '2004' });
    const response = await joiner.put(
      SAMPLE_SCID,
      'lobby',
      'custom-kept',
      `{"members":{"me":{"constants":{"system":{"xuid":"2004"},"custom":${custom}}}}}`,
    );
    expect(response.status).toBe(400);
    expect(response.json.message).toMatch(/^members\.me\.constants\.custom must be a JSON object/);
    expect(await stored('custom-kept')).toEqual(before);
  });

  it.each(NOT_OBJECTS)('refuses session constants custom %s at creation, storing nothing', async (custom) => {
    const response = await rawPut('open', 'custom-constants', `{"constants":{"custom":${custom}},${JOIN}}`);
    expect(response.status).toBe(400);
    expect(errorOf(response.text).message).toMatch(/^constants\.custom must be a JSON object/);
    await expectNothingStored('custom-constants', 'open');
  });
});

describe('numbers in custom come back exactly as sent (issue 8.8, spec §9.9)', () => {
  const NUMBERS = [
    '12345678.123456789',
    '0.1234567890123456',
    '1.0',
    '1.50',
    '1e2',
    '1E+2',
    '-0',
    '0.0000001',
    '5e-324',
  ];

  it('answers and stores every number with the text it was sent with, on the member and the session', async () => {
    const list = NUMBERS.join(',');
    const custom = `{"list":[${list}],"one":12345678.123456789}`;
    const created = await put(
      'exact-numbers',
      `{"members":{"me":{"constants":{"system":{"xuid":"${XUID}"}},"properties":{"system":{"active":true},"custom":${custom}}}},"properties":{"custom":${custom}}}`,
    );
    expect(created.status).toBe(201);
    const got = await stored('exact-numbers');
    for (const text of [created.text, got.text]) {
      expect(text.split(`"custom":${custom}`).length - 1).toBe(2);
    }
  });
});

describe('duplicate keys (issue 8.9)', () => {
  it.each([
    ['members at the top', `{${JOIN},${JOIN}}`, 'members', 'the top-level object'],
    [
      'members at the top, a long number elsewhere',
      `{"properties":{"custom":{"n":12345678901234567890}},${JOIN},${JOIN}}`,
      'members',
      'the top-level object',
    ],
    [
      'xuid in members.me.constants.system',
      `{"members":{"me":{"constants":{"system":{"xuid":"${XUID}","xuid":"2005"}}}}}`,
      'xuid',
      'members.me.constants.system',
    ],
    ['a custom key', `{${JOIN},"properties":{"custom":{"a":1,"a":1}}}`, 'a', 'properties.custom'],
  ])('refuses a body with %s twice with 400 naming the key, storing nothing', async (_what, body, key, where) => {
    const response = await put('duplicate-new', body);
    expect(response.status).toBe(400);
    expect(errorOf(response.text)).toEqual({
      code: 'InvalidRequest',
      message: `The request body has the key "${key}" more than once in ${where}; each key may appear only once in an object.`,
    });
    await expectNothingStored('duplicate-new');
  });

  it('refuses a duplicate system field on an existing session, changing nothing', async () => {
    expect((await put('duplicate-old', `{${JOIN}}`)).status).toBe(201);
    const before = await stored('duplicate-old');
    for (const body of [
      '{"properties":{"system":{"closed":true,"closed":false}}}',
      '{"properties":{"system":{"closed":true,"closed":true}},"properties":{}}',
      '{"members":{"me":{"properties":{"system":{"active":false,"active":true}}}},"properties":{"custom":{"n":1e400}}}',
    ]) {
      const response = await put('duplicate-old', body);
      expect(response.status).toBe(400);
      expect(errorOf(response.text).message).toMatch(/more than once/);
    }
    expect(await stored('duplicate-old')).toEqual(before);
  });
});

describe('?nocommit (issue 8.10)', () => {
  it.each([['nocommit=true&nocommit=true'], ['nocommit=true&nocommit=false'], ['nocommit=yes'], ['nocommit=']])(
    'refuses ?%s with 400 and stores nothing',
    async (query) => {
      const response = await rawPut('lobby', 'nocommit-bad', `{${JOIN}}`, `?${query}`);
      expect(response.status).toBe(400);
      expect(errorOf(response.text)).toEqual({
        code: 'InvalidRequest',
        message: expect.stringMatching(
          /^The nocommit query parameter is ".*"; send nocommit=true or nocommit=false, once\.$/,
        ),
      });
      await expectNothingStored('nocommit-bad');
    },
  );

  it.each([['nocommit=TRUE'], ['nocommit=True']])('answers ?%s without storing', async (query) => {
    expect((await rawPut('lobby', 'nocommit-case', `{${JOIN}}`, `?${query}`)).status).toBe(201);
    await expectNothingStored('nocommit-case');
  });
});

describe('token claims clients cannot take (issue 8.11)', () => {
  it.each([
    ['a gamertag of 100 characters', { xuid: '2006', gamertag: 'g'.repeat(100) }, 'gamertag'],
    ['a gamertag of 48 bytes', { xuid: '2006', gamertag: 'é'.repeat(24) }, 'gamertag'],
    ['a titleId that is not a number', { xuid: '2006', titleId: 'not-a-title' }, 'titleId'],
    ['a xuid with a leading zero', { xuid: '0123' }, 'xuid'],
  ])('answers %s with 401 naming the claim, storing nothing', async (_what, claims, claim) => {
    const response = await rawRequest(
      service.baseUrl,
      'PUT',
      sessionUri(SAMPLE_SCID, 'lobby', 'claims'),
      { ...headers({ 'content-type': 'application/json' }), authorization: await mintToken(claims) },
      JSON.stringify(joinBody(claims.xuid)),
    );
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('XBL3.0 realm="session-directory"');
    expect(errorOf(response.text)).toEqual({
      code: 'InvalidToken',
      message: expect.stringMatching(new RegExp(`^The token's "${claim}" claim must be `)),
    });
    await expectNothingStored('claims');
  });

  it('renders a 47-byte gamertag and a numeric title id', async () => {
    const gamertag = `${'é'.repeat(23)}x`;
    const client = new SessionClient(service.baseUrl, { xuid: '2007', gamertag, titleId: '1234567' });
    const response = await client.put(SAMPLE_SCID, 'lobby', 'claims-ok', joinBody('2007'));
    expect(response.status).toBe(201);
    expect(response.json.members['0']).toMatchObject({ gamertag, activeTitleId: '1234567' });
  });
});

describe('smaller edges (issue 8.12)', () => {
  it.each([['0x6b'], ['107.0'], ['1.07e2'], ['+107'], ['0107']])(
    'refuses x-xbl-contract-version %s with 400, storing nothing',
    async (version) => {
      const response = await rawPut('lobby', 'contract', `{${JOIN}}`, '', { 'x-xbl-contract-version': version });
      expect(response.status).toBe(400);
      expect(errorOf(response.text)).toEqual({
        code: 'UnsupportedContractVersion',
        message: `x-xbl-contract-version "${version}" is not supported; send exactly 107 (104 and 105 are also accepted).`,
      });
      await expectNothingStored('contract');
    },
  );

  it('answers a long Content-Type by what it says: spaces around the parts are accepted, anything else is 415', async () => {
    const spaces = ' '.repeat(5000);
    const refused = await put('long-type', `{${JOIN}}`, `application/json${spaces}x`);
    expect(refused.status).toBe(415);
    expect(errorOf(refused.text).message).toMatch(/send application\/json/);
    await expectNothingStored('long-type');
    expect((await put('long-type', `{${JOIN}}`, `application/json;${spaces}charset=utf-8${spaces};`)).status).toBe(201);
  });
});
