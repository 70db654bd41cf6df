import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CONNECTIONS, RtaTestClient } from '../support/rta-client';

// `npm start` as a user runs it: a separate process with its own DynamoDB Local, its printed curl line, and Ctrl-C.

const ROOT = path.resolve(__dirname, '../..');

interface Started {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Runs local/start.ts in its own Node process (tsx as a loader, so signals reach it directly). */
function runStart(env: Record<string, string | undefined>): Started {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  // Global setup's endpoint would make npm start skip its own DynamoDB Local.
  if (!('DYNAMODB_ENDPOINT' in env)) delete childEnv.DYNAMODB_ENDPOINT;
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForOutput(started: Started, pattern: RegExp, timeoutMs = 45_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = started.output().match(pattern);
    if (match !== null) return match;
    if (started.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`npm start did not print ${pattern}; it printed:\n${started.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The arguments bash gives curl for the printed line: checks the quoting without needing curl installed. */
function curlArguments(curlLine: string): string[] {
  const script = `curl() { printf '%s\\0' "$@"; }\n${curlLine}`;
  return execFileSync('bash', ['-c', script], { encoding: 'utf8' }).split('\0').slice(0, -1);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  it('prints a curl line that creates and joins a session as printed, and stops everything on SIGINT', async () => {
    const started = runStart({ PORT: '0' });
    try {
      await waitForOutput(started, /Press Ctrl-C to stop\./);
      const output = started.output();
      const baseUrl = output.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1];
      const javaPid = Number(output.match(/DynamoDB Local \(pid (\d+)\)/)?.[1]);
      const curlLine = output.split('\n').find((line) => line.startsWith('curl '));
      expect(baseUrl).toBeDefined();
      expect(isRunning(javaPid)).toBe(true);
      expect(output).toMatch(/^XBL3\.0 x=[0-9a-f]+;[\w-]+\.[\w-]+\.[\w-]+$/m);

      const args = curlArguments(curlLine ?? '');
      expect(args.slice(0, 3)).toEqual(['-i', '-X', 'PUT']);
      const url = args[3] ?? '';
      const headers: Record<string, string> = {};
      for (let i = 4; i < args.length - 2; i += 2) {
        expect(args[i]).toBe('-H');
        const [name, ...value] = (args[i + 1] ?? '').split(': ');
        headers[name ?? ''] = value.join(': ');
      }
      expect(args[args.length - 2]).toBe('--data-raw');
      expect(Object.keys(headers)).toEqual(['x-xbl-contract-version', 'Content-Type', 'Authorization']);
      expect(url).toBe(
        `${baseUrl}/serviceconfigs/00000000-0000-0000-0000-00006c6f6361/sessiontemplates/lobby/sessions/hello`,
      );

      const response = await fetch(url, { method: 'PUT', headers, body: args[args.length - 1] ?? '' });
      expect(response.status).toBe(201);
      const session = (await response.json()) as { members: Record<string, { gamertag?: string }> };
      expect(session.members['0']?.gamertag).toBe('DevPlayer1');
      await waitForOutput(started, /PUT \/serviceconfigs\/\S+\/sessions\/hello 201 \d+\.\dms/);

      // The real-time activity endpoint it prints answers a subscription with a ConnectionId (family spec §6.5).
      const rtaUrl = (
        await waitForOutput(started, /Real-time activity \(RTA\): (ws:\/\/127\.0\.0\.1:\d+\/connect)/)
      )[1];
      expect(rtaUrl).toBe(`${baseUrl?.replace('http', 'ws')}/connect`);
      const socket = await RtaTestClient.open(rtaUrl ?? '', { authorization: headers.Authorization ?? '' });
      const reply = await socket.request([1, 1, CONNECTIONS]);
      expect(reply[4].ConnectionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      await socket.close();

      started.child.kill('SIGINT');
      expect(await started.exited).toBe(0);
      expect(isRunning(javaPid)).toBe(false);
    } finally {
      started.child.kill('SIGKILL');
    }
  });

  it('exits 1 at once, naming the port, when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const started = runStart({ PORT: String(port) });
      expect(await started.exited).toBe(1);
      expect(started.output()).toContain(`Port ${port} on 127.0.0.1 is already in use`);
      expect(started.output()).not.toContain('Starting DynamoDB Local');
    } finally {
      blocker.close();
    }
  });

  it('exits 1 with what to install when Java is missing', async () => {
    const emptyDir = mkdtempSync(path.join(tmpdir(), 'no-java-'));
    try {
      const started = runStart({ PORT: '0', PATH: emptyDir });
      expect(await started.exited).toBe(1);
      expect(started.output()).toContain('apt-get install -y openjdk-17-jre-headless');
    } finally {
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });
});
