import { startDynamoDbLocal } from '../local/dynamodb-local';

/** Concurrent callers in every benchmark: enough to keep the DynamoDB Local engine busy on 2 cores (DESIGN.md). */
export const CALLERS = 32;

/** GET on the trivial server's port (bench/bench-servers.ts): the CPU its process, which serves both servers, used. */
export const SERVER_CPU_PATH = '/cpu';

/** One operation of a benchmark: the caller's number and the operation's number. */
export type Op = (caller: number, n: number) => Promise<void>;

/** Runs `ops` operations spread over CALLERS concurrent callers; answers operations per second. */
export async function run(ops: number, op: Op): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, caller) => {
      for (let n = next++; n < ops; n = next++) await op(caller, n);
    }),
  );
  return ops / ((performance.now() - start) / 1000);
}

/** Median and spread of repeated measurements. */
export function stats(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted.at(-1) as number };
}

/** The DynamoDB to measure against: DYNAMODB_ENDPOINT when set, else a DynamoDB Local started for the run. */
export async function benchDynamoDb(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const given = process.env.DYNAMODB_ENDPOINT;
  if (given) return { endpoint: given, stop: async () => {} };
  const local = await startDynamoDbLocal();
  return { endpoint: local.endpoint, stop: () => local.stop() };
}
