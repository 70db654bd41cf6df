import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Starts `server` on a free port of 127.0.0.1 and answers its base URL (`http://127.0.0.1:<port>`). */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes `server`, ending keep-alive connections from fetch, which would otherwise hold close() open until they time out. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Calls `observe` with every command `client` sends (its name, e.g. `GetItemCommand`, and its input), before the SDK's
 * own retries (the initialize step): a request the SDK repeats is seen once, as DynamoDB bills one request per send.
 */
export function onEverySend(
  client: DynamoDBClient,
  observe: (command: string, input: Record<string, unknown>) => void,
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      observe(String(context.commandName), args.input as Record<string, unknown>);
      return next(args);
    },
    { step: 'initialize', name: 'observeEverySend' },
  );
}
