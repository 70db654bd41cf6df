import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { makeLocalAdminClient } from '../../local/dynamodb-local';
import { startTestService, type TestService } from '../support/local-service';
import { joinBody, SAMPLE_SCID, SessionClient } from '../support/session-client';

// The harness other suites build on: real handlers, the local server, a table of its own per service.

const services: TestService[] = [];

async function start(overrides: Parameters<typeof startTestService>[0] = {}): Promise<TestService> {
  const service = await startTestService(overrides);
  services.push(service);
  return service;
}

afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.close()));
});

describe('startTestService', () => {
  it('serves the real handlers: a PUT creates and joins a session, a GET reads it back', async () => {
    const service = await start();
    const player = new SessionClient(service.baseUrl, { xuid: '2533274790395904', gamertag: 'DevPlayer1' });

    const created = await player.put(SAMPLE_SCID, 'lobby', 'harness', joinBody('2533274790395904'));
    const read = await player.get(SAMPLE_SCID, 'lobby', 'harness', { spelling: 'sessionTemplates' });

    expect(created.status).toBe(201);
    expect(read.status).toBe(200);
    expect(read.json.members['0'].gamertag).toBe('DevPlayer1');
  });

  it('gives each service its own table, so sessions do not leak between test files', async () => {
    const first = await start();
    const second = await start();
    const player = (service: TestService) => new SessionClient(service.baseUrl, { xuid: '1001' });

    await player(first).put(SAMPLE_SCID, 'lobby', 'same-name', joinBody('1001'));

    expect(first.tableName).not.toBe(second.tableName);
    expect((await player(second).get(SAMPLE_SCID, 'lobby', 'same-name')).status).toBe(204);
  });

  it("uses the given clock for the service's notion of now", async () => {
    const now = Date.parse('2030-01-02T03:04:05.000Z');
    const service = await start({ clock: () => now });
    const player = new SessionClient(service.baseUrl, { xuid: '1001' });

    const created = await player.put(SAMPLE_SCID, 'lobby', 'clocked', joinBody('1001'));

    expect(created.json.startTime).toMatch(/^2030-01-02T03:04:05/);
  });

  it('deletes its table on close', async () => {
    const service = await startTestService();
    await service.close();

    const client = makeLocalAdminClient(process.env.DYNAMODB_ENDPOINT ?? '');
    try {
      await expect(client.send(new DescribeTableCommand({ TableName: service.tableName }))).rejects.toThrow(
        /not found|non-existent/i,
      );
    } finally {
      client.destroy();
    }
  });
});
