import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ensureRateLimitTable } from '../../local/create-rate-limit-table';
import { makeLocalAdminClient } from '../../local/dynamodb-local';
import { startTestService, type TestService } from '../support/local-service';
import { joinBody, SAMPLE_SCID, SessionClient, type SessionResponse } from '../support/session-client';

// Fair-use limits (spec §1.6) through HTTP against DynamoDB Local. The service clock is frozen 5 s into a 15 s
// window, so every request of a test falls in the same window and Retry-After is known exactly. The window lies in
// the future: DynamoDB Local really deletes items whose TTL has passed, and a counter deleted mid-test would reset.
const WINDOW_START_MS = Date.UTC(2030, 0, 1, 0, 0, 0);
const NOW_MS = WINDOW_START_MS + 5_000;
const clock = () => NOW_MS;
const TEMPLATES_DIR = path.resolve(__dirname, '../../lambda/templates');
const MINECRAFT_SCID = '4fc10100-5f7a-4470-899b-280835760c07';

const services: TestService[] = [];
afterAll(async () => {
  await Promise.all(services.map((s) => s.close()));
});

async function serviceWith(
  overrides: Parameters<typeof startTestService>[0] & { rateLimitTableName: string },
): Promise<TestService> {
  const admin = makeLocalAdminClient(process.env.DYNAMODB_ENDPOINT ?? '');
  try {
    await ensureRateLimitTable(admin, overrides.rateLimitTableName);
  } finally {
    admin.destroy();
  }
  // A counter update that outlasts its time-out lets the request in uncounted (fail open) and shifts every count; on a
  // busy machine one can take over the default 1 s, so these tests wait for their counters.
  const service = await startTestService({ clock, fairUseTimeoutMs: 60_000, ...overrides });
  services.push(service);
  // The first DynamoDB call of a new client is slow (connection set-up); one throwaway request keeps it from running
  // into the counters' time-out, which would let a request in uncounted (fail open) and shift every count.
  await new SessionClient(service.baseUrl, { xuid: '9999', titleId: '9999' }).get(SAMPLE_SCID, 'lobby', 'warm-up');
  return service;
}

function counterTable(): string {
  return `rate-limits-test-${randomUUID()}`;
}

async function sendGets(client: SessionClient, count: number, name = 'missing'): Promise<SessionResponse[]> {
  const answers: SessionResponse[] = [];
  for (let i = 0; i < count; i += 1) answers.push(await client.get(SAMPLE_SCID, 'lobby', name));
  return answers;
}

describe('the default limits (30 requests in 15 s per user per title)', () => {
  let service: TestService;
  let tableName: string;
  beforeAll(async () => {
    tableName = counterTable();
    service = await serviceWith({ rateLimitTableName: tableName });
  });

  it("answers the 31st request in the window with 429, MPSD's body and Retry-After", async () => {
    const client = new SessionClient(service.baseUrl, { xuid: '1001', titleId: '1' });
    const first30 = await sendGets(client, 30);
    expect(first30.every((r) => r.status === 204)).toBe(true);

    const over = await client.get(SAMPLE_SCID, 'lobby', 'missing');
    expect(over.status).toBe(429);
    expect(over.headers.get('content-type')).toBe('application/json');
    expect(over.headers.get('retry-after')).toBe('10');
    expect(over.json).toEqual({
      version: 1,
      currentRequests: 31,
      maxRequests: 30,
      periodInSeconds: 15,
      limitType: 'rate',
    });
  });

  it('applies nothing of a PUT over the limit', async () => {
    const client = new SessionClient(service.baseUrl, { xuid: '1002', titleId: '1' });
    await sendGets(client, 30);
    const put = await client.put(SAMPLE_SCID, 'lobby', 'over-limit', joinBody('1002'));
    expect(put.status).toBe(429);

    const other = new SessionClient(service.baseUrl, { xuid: '1003', titleId: '1' });
    expect((await other.get(SAMPLE_SCID, 'lobby', 'over-limit')).status).toBe(204);
  });

  it('counts the session sub-resources with the rest, and applies nothing of one over the limit', async () => {
    const client = new SessionClient(service.baseUrl, { xuid: '1008', titleId: '1' });
    expect((await client.put(SAMPLE_SCID, 'lobby', 'sub-resources', joinBody('1008'))).status).toBe(201);
    await sendGets(client, 27);
    const properties = await client.putProperties(SAMPLE_SCID, 'lobby', 'sub-resources', { custom: { n: 1 } });
    expect(properties.status).toBe(200);
    expect((await client.deleteServer(SAMPLE_SCID, 'lobby', 'sub-resources', 'none')).status).toBe(403);
    const leave = await client.deleteMember(SAMPLE_SCID, 'lobby', 'sub-resources', 'me');
    expect([leave.status, leave.json.currentRequests]).toEqual([429, 31]);

    const read = await new SessionClient(service.baseUrl, { server: true }).get(SAMPLE_SCID, 'lobby', 'sub-resources');
    expect(read.headers.get('etag')).toBe(properties.headers.get('etag'));
    expect(read.json.members['0'].constants.system.xuid).toBe('1008');
  });

  it('counts each user and each title separately', async () => {
    const client = new SessionClient(service.baseUrl, { xuid: '1004', titleId: '1' });
    await sendGets(client, 31);
    expect((await client.get(SAMPLE_SCID, 'lobby', 'x')).status).toBe(429);
    const otherTitle = new SessionClient(service.baseUrl, { xuid: '1004', titleId: '2' });
    expect((await otherTitle.get(SAMPLE_SCID, 'lobby', 'x')).status).toBe(204);
    const otherUser = new SessionClient(service.baseUrl, { xuid: '1005', titleId: '1' });
    expect((await otherUser.get(SAMPLE_SCID, 'lobby', 'x')).status).toBe(204);
  });

  it('counts requests to a malformed SCID too (a long path part cannot escape counting)', async () => {
    const client = new SessionClient(service.baseUrl, { xuid: '1007' });
    const statuses: number[] = [];
    for (let i = 0; i < 31; i += 1) statuses.push((await client.get('x'.repeat(3000), 'lobby', 'missing')).status);
    expect(statuses.slice(0, 30).every((s) => s === 400)).toBe(true);
    expect(statuses[30]).toBe(429);
  });

  it('does not count server principals', async () => {
    const server = new SessionClient(service.baseUrl, { server: true });
    const answers = await sendGets(server, 35);
    expect(answers.map((r) => r.status)).not.toContain(429);
  });

  it("keeps a caller's counters in one item per sustain window, with a TTL after it", async () => {
    const client = new SessionClient(service.baseUrl, { xuid: '1006', titleId: '7' });
    await sendGets(client, 3);
    const admin = makeLocalAdminClient(process.env.DYNAMODB_ENDPOINT ?? '');
    try {
      const windowStart = WINDOW_START_MS / 1000;
      const item = await admin.send(
        new GetItemCommand({ TableName: tableName, Key: { pk: { S: `1006#7#300s#${windowStart}` } } }),
      );
      expect(item.Item?.[`n15s${windowStart}`]?.N).toBe('3');
      expect(item.Item?.[`n300s${windowStart}`]?.N).toBe('3');
      expect(item.Item?.ttl?.N).toBe(String(windowStart + 300 + 60));
    } finally {
      admin.destroy();
    }
  });
});

describe('limits shared by every instance', () => {
  it('counts requests to two service instances on one counters table together', async () => {
    const tableName = counterTable();
    const a = await serviceWith({ rateLimitTableName: tableName });
    const b = await serviceWith({ rateLimitTableName: tableName });
    const onA = new SessionClient(a.baseUrl, { xuid: '2001', titleId: '1' });
    const onB = new SessionClient(b.baseUrl, { xuid: '2001', titleId: '1' });
    await sendGets(onA, 15);
    const fromB = await sendGets(onB, 16);
    expect(fromB.slice(0, 15).every((r) => r.status === 204)).toBe(true);
    expect(fromB[15]?.status).toBe(429);
    expect(fromB[15]?.json.currentRequests).toBe(31);
  });
});

describe('configuration', () => {
  it('takes per-SCID limits from fairUseLimits in the <scid>.json file, and can switch them off per SCID', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fair-use-templates-'));
    const sample = `${SAMPLE_SCID}.json`;
    const sampleConfig = JSON.parse(readFileSync(path.join(TEMPLATES_DIR, sample), 'utf8'));
    writeFileSync(
      path.join(dir, sample),
      JSON.stringify({ ...sampleConfig, fairUseLimits: { limits: [{ maxRequests: 3, periodInSeconds: 60 }] } }),
    );
    const minecraft = `${MINECRAFT_SCID}.json`;
    const minecraftConfig = JSON.parse(readFileSync(path.join(TEMPLATES_DIR, minecraft), 'utf8'));
    writeFileSync(path.join(dir, minecraft), JSON.stringify({ ...minecraftConfig, fairUseLimits: { enabled: false } }));

    const service = await serviceWith({ rateLimitTableName: counterTable(), templatesDir: dir });
    const client = new SessionClient(service.baseUrl, { xuid: '3001', titleId: '1' });
    const answers = await sendGets(client, 4);
    expect(answers.map((r) => r.status)).toEqual([204, 204, 204, 429]);
    expect(answers[3]?.json).toMatchObject({ maxRequests: 3, periodInSeconds: 60, currentRequests: 4 });
    expect(answers[3]?.headers.get('retry-after')).toBe('55');

    const unlimited: SessionResponse[] = [];
    for (let i = 0; i < 35; i += 1) unlimited.push(await client.get(MINECRAFT_SCID, 'MinecraftLobby', 'none'));
    expect(unlimited.map((r) => r.status)).not.toContain(429);
  });

  it('enforces nothing when the limits are switched off (RATE_LIMITS=off)', async () => {
    const service = await serviceWith({ rateLimitTableName: counterTable(), rateLimits: 'off' });
    const client = new SessionClient(service.baseUrl, { xuid: '4001', titleId: '1' });
    const answers = await sendGets(client, 35);
    expect(answers.map((r) => r.status)).not.toContain(429);
  });

  it('lets requests in, uncounted, when the counters table cannot be reached (fails open)', async () => {
    const errors: string[] = [];
    const tableName = counterTable();
    const service = await serviceWith({ rateLimitTableName: tableName, log: { error: (m) => errors.push(m) } });
    const admin = makeLocalAdminClient(process.env.DYNAMODB_ENDPOINT ?? '');
    try {
      // Every counter update now fails (ResourceNotFoundException), as when DynamoDB is unreachable.
      await admin.send(new DeleteTableCommand({ TableName: tableName }));
      const client = new SessionClient(service.baseUrl, { xuid: '5001', titleId: '1' });
      const answers = await sendGets(client, 35);
      expect(answers.every((r) => r.status === 204)).toBe(true);
      expect(errors).toContain('fair-use counters unavailable; request let in uncounted');
    } finally {
      await ensureRateLimitTable(admin, tableName);
      admin.destroy();
    }
  });
});

describe('the handle routes (no SCID in the path: counted per user per title, spec/mpsd-family.md §1.4)', () => {
  it('counts handle requests with the same user and title’s session requests; the 31st is 429 and stores nothing', async () => {
    const service = await serviceWith({ rateLimitTableName: counterTable() });
    const client = new SessionClient(service.baseUrl, { xuid: '1101', titleId: '7' });
    const name = `s-${randomUUID()}`;
    expect((await client.put(SAMPLE_SCID, 'lobby', name, joinBody('1101'))).status).toBe(201);
    const activity = { version: 1, type: 'activity', sessionRef: { scid: SAMPLE_SCID, templateName: 'lobby', name } };
    const created = await client.request('POST', '/handles', { body: activity });
    expect(created.status).toBe(201);
    const query = { type: 'activity', scid: SAMPLE_SCID, owners: { xuids: ['1101'] } };
    for (let i = 0; i < 27; i += 1) {
      expect((await client.request('POST', '/handles/query', { body: query })).status).toBe(200);
    }
    // 30 requests so far (PUT, POST, 27 queries, and this GET).
    expect((await client.request('GET', `/handles/${created.json.id}`)).status).toBe(200);
    const over = await client.request('DELETE', `/handles/${created.json.id}`);
    expect([over.status, over.headers.get('retry-after')]).toEqual([429, '10']);
    // Another title of the same user has its own count, and sees the handle still there.
    const otherTitle = new SessionClient(service.baseUrl, { xuid: '1101', titleId: '8' });
    expect((await otherTitle.request('GET', `/handles/${created.json.id}`)).status).toBe(200);
  });
});
