// The servers the HTTP legs of `npm run bench` load, in a process of their own (so the load generator's CPU is not
// theirs): the service as `npm start` serves it (local/http-server.ts over the real handlers, fair use off), and a
// trivial HTTP server that does exactly the ceiling's DynamoDB calls and nothing else. Both use the same SDK client
// settings (lambda/runtime/dynamodb-client.ts) on the same table. Started by bench/throughput.ts with BENCH_TABLE
// and BENCH_ENDPOINT set; prints one JSON line with both ports, then serves until its parent ends it.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeDynamoDbClient } from '../lambda/runtime/dynamodb-client';
import { SESSION_ITEM_ATTRIBUTES } from '../lambda/store/table-schema';
import { createLocalServer } from '../local/http-server';
import { localRuntimeConfig } from '../local/local-config';
import { makeLocalHandlers } from '../local/local-handlers';
import { SERVER_CPU_PATH } from './bench-kit';
import { rawGet, rawWriteNextVersion } from './raw-dynamodb';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const tableName = process.env.BENCH_TABLE as string;
const endpoint = process.env.BENCH_ENDPOINT as string;

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', reject);
  });
}

/**
 * GET /cpu: this process's CPU time. GET /?k=<key>: a consistent GetItem, answered with the stored document. PUT /?k=<key>: the body read, a consistent
 * GetItem and a PutItem of the same item at the next version, conditional on the version read (the ceiling's cycle).
 */
function trivialServer(): Server {
  const client = makeDynamoDbClient({ region: 'us-east-1', dynamoDbEndpoint: endpoint });
  return createServer((request, response) => {
    if (request.url === SERVER_CPU_PATH) {
      // This process's CPU time so far (user + system, microseconds): the bench reads it around each leg.
      const { user, system } = process.cpuUsage();
      response.end(JSON.stringify({ cpuMicros: user + system }));
      return;
    }
    void (async () => {
      try {
        const key = decodeURIComponent((request.url ?? '').split('k=')[1] ?? '');
        await readBody(request);
        const { Item } = await rawGet(client, tableName, key);
        if (Item === undefined) throw new Error(`no item ${key}`);
        if (request.method === 'PUT') await rawWriteNextVersion(client, tableName, Item);
        // The stored document as it is stored (brotli or JSON text): the service answers it decoded, about twice the
        // bytes; decoding is the service's work, not the trivial server's.
        const stored = Item[SESSION_ITEM_ATTRIBUTES.document];
        const body = Buffer.from(stored?.B ?? stored?.S ?? '{}');
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
        response.end(body);
      } catch (error) {
        response.writeHead(500);
        response.end(String(error));
      }
    })();
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function main(): Promise<void> {
  const handlers = makeLocalHandlers({
    ...localRuntimeConfig(tableName, endpoint),
    rateLimits: 'off',
    log: { error: (message, details) => console.error(message, details) },
  });
  const service = await listen(createLocalServer(handlers, { log: () => {} }));
  const trivial = await listen(trivialServer());
  process.stdout.write(`${JSON.stringify({ service, trivial })}\n`);
  // Ends with the parent: stdin closes when it goes.
  process.stdin.resume();
  process.stdin.once('end', () => process.exit(0));
  // An orderly exit on the parent's SIGTERM too, so `node --cpu-prof` (NODE_OPTIONS) can write its profile.
  process.once('SIGTERM', () => process.exit(0));
}

void main();
