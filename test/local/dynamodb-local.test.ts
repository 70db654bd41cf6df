import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { makeLocalAdminClient, parseJavaMajorVersion, startDynamoDbLocal } from '../../local/dynamodb-local';
import { isRunning } from '../support/process-state';

// Starts DynamoDB Local processes of its own (besides the one of global setup) to check start-up and shut-down.

async function listTables(endpoint: string): Promise<string[]> {
  const client = makeLocalAdminClient(endpoint);
  try {
    return (await client.send(new ListTablesCommand({}))).TableNames ?? [];
  } finally {
    client.destroy();
  }
}

const onLinux = process.platform === 'linux' ? it : it.skip;

describe('startDynamoDbLocal', () => {
  it('reports an endpoint that answers ListTables, and stop leaves no process behind', async () => {
    const dynamoDbLocal = await startDynamoDbLocal();
    try {
      expect(dynamoDbLocal.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await listTables(dynamoDbLocal.endpoint)).toEqual([]);
      expect(isRunning(dynamoDbLocal.pid)).toBe(true);
    } finally {
      await dynamoDbLocal.stop();
    }

    expect(isRunning(dynamoDbLocal.pid)).toBe(false);
    await expect(dynamoDbLocal.stop()).resolves.toBeUndefined();
  });

  onLinux('persists to dbPath across restarts and caps the heap through JAVA_TOOL_OPTIONS', async () => {
    const dbPath = path.join(mkdtempSync(path.join(tmpdir(), 'dynamodb-local-test-')), 'not-yet-created');
    const previousToolOptions = process.env.JAVA_TOOL_OPTIONS;
    try {
      const first = await startDynamoDbLocal({ dbPath, heapMegabytes: 256 });
      try {
        const environment = readFileSync(`/proc/${first.pid}/environ`, 'utf8').split('\0');
        expect(environment).toContain('JAVA_TOOL_OPTIONS=-Xmx256m');
        // Set for the child only: this process's environment is as it was.
        expect(process.env.JAVA_TOOL_OPTIONS).toBe(previousToolOptions);

        const client = makeLocalAdminClient(first.endpoint);
        await client.send(
          new CreateTableCommand({
            TableName: 'kept',
            AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
            BillingMode: 'PAY_PER_REQUEST',
          }),
        );
        client.destroy();
      } finally {
        await first.stop();
      }

      const second = await startDynamoDbLocal({ dbPath });
      try {
        expect(await listTables(second.endpoint)).toEqual(['kept']);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(path.dirname(dbPath), { recursive: true, force: true });
    }
  });

  it('says what to install when java is not on PATH', async () => {
    const emptyDir = mkdtempSync(path.join(tmpdir(), 'no-java-'));
    const previousPath = process.env.PATH;
    process.env.PATH = emptyDir;
    try {
      await expect(startDynamoDbLocal()).rejects.toThrow(/apt-get install -y openjdk-17-jre-headless/);
      await expect(startDynamoDbLocal()).rejects.toThrow(/Java 17/);
    } finally {
      process.env.PATH = previousPath;
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });
});

describe('parseJavaMajorVersion', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['openjdk version "21" 2023-09-19', 21],
    ['java version "1.8.0_292"', 8],
    ['java version "11.0.2" 2019-01-15 LTS', 11],
    ['something else entirely', undefined],
  ])('reads %j as %p', (output, major) => {
    expect(parseJavaMajorVersion(output)).toBe(major);
  });
});
