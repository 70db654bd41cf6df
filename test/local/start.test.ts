import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isRunning } from '../support/process-state';
import { CONNECTIONS, RtaTestClient } from '../support/rta-client';

// `npm start` as a user runs it: a separate process with its own DynamoDB Local, its printed curl line, and Ctrl-C.

const ROOT = path.resolve(__dirname, '../..');

// Each test starts Java (allowed up to 90 s on a busy machine) and waits for processes to go: deadlines, not speed, decide.
jest.setTimeout(300_000);

interface Started {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/**
 * Runs local/start.ts in its own Node process (tsx as a loader, so signals reach it directly), or with `viaNpm` the
 * way a user or a supervisor does: `npm start`, in a process group of its own (so the test can signal the group and
 * see that none of its processes is left).
 */
function runStart(env: Record<string, string | undefined>, viaNpm = false): Started {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  // Global setup's endpoint would make npm start skip its own DynamoDB Local.
  if (!('DYNAMODB_ENDPOINT' in env)) delete childEnv.DYNAMODB_ENDPOINT;
  const options = { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] as ('ignore' | 'pipe')[] };
  const child = viaNpm
    ? spawn('npm', ['start'], { ...options, detached: true })
    : spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], options);
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

async function waitForOutput(started: Started, pattern: RegExp, timeoutMs = 120_000): Promise<RegExpMatchArray> {
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

/** Processes of a process group that are still alive (zombies, already exited, do not count). Linux's /proc. */
function liveProcessesInGroup(pgid: number): number[] {
  const live: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces, so read the fields after its closing parenthesis.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') live.push(Number(entry));
  }
  return live;
}

/** True when nothing accepts connections on the port any more. */
function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** Polls until `condition` holds; a generous deadline, so a slow machine only makes it wait longer. */
async function eventually(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Still not true after ${timeoutMs / 1000} s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
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
      // Every function of the route table is served, the handle routes among them (the activity POST clients send next).
      const activity = await fetch(`${baseUrl}/handles`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          version: 1,
          type: 'activity',
          sessionRef: { scid: '00000000-0000-0000-0000-00006c6f6361', templateName: 'lobby', name: 'hello' },
        }),
      });
      expect(activity.status).toBe(201);

      // The real-time activity endpoint it prints answers a subscription with a ConnectionId (family spec §6.5).
      const rtaUrl = (
        await waitForOutput(started, /Real-time activity \(RTA\): (ws:\/\/127\.0\.0\.1:\d+\/connect)/)
      )[1];
      expect(rtaUrl).toBe(`${baseUrl?.replace('http', 'ws')}/connect`);
      const socket = await RtaTestClient.open(rtaUrl ?? '', { authorization: headers.Authorization ?? '' });
      const reply = await socket.request([1, 1, CONNECTIONS]);
      expect(reply[4].ConnectionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      await socket.close();

      // The session explorer's URL it prints serves the page (README, "Session explorer").
      const explorerUrl = (await waitForOutput(started, /Session explorer: (http:\/\/127\.0\.0\.1:\d+\/explorer)/))[1];
      expect(explorerUrl).toBe(`${baseUrl}/explorer`);
      const page = await fetch(explorerUrl ?? '');
      expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);

      started.child.kill('SIGINT');
      expect(await started.exited).toBe(0);
      expect(isRunning(javaPid)).toBe(false);
    } finally {
      started.child.kill('SIGKILL');
    }
  });

  it.each<[string, 'npm' | 'group', NodeJS.Signals]>([
    ['SIGTERM to the npm process (docker stop, systemd, CI runners)', 'npm', 'SIGTERM'],
    ['SIGINT to the npm process', 'npm', 'SIGINT'],
    ['SIGTERM to the process group', 'group', 'SIGTERM'],
    // npm gets no chance to forward anything: the server sees its parent go and stops on its own.
    ['SIGKILL to the npm process', 'npm', 'SIGKILL'],
  ])('%s stops the server and DynamoDB Local, leaving no process behind', async (_case, target, signal) => {
    const started = runStart({ PORT: '0' }, true);
    const npmPid = started.child.pid as number;
    try {
      await waitForOutput(started, /Press Ctrl-C to stop\./);
      const port = Number(started.output().match(/listening on http:\/\/127\.0\.0\.1:(\d+)/)?.[1]);
      const javaPid = Number(started.output().match(/DynamoDB Local \(pid (\d+)\)/)?.[1]);
      expect(await refusesConnections(port)).toBe(false);
      expect(liveProcessesInGroup(npmPid)).toEqual(expect.arrayContaining([npmPid, javaPid]));

      process.kill(target === 'npm' ? npmPid : -npmPid, signal);

      // Within 5 s on an idle machine (about 2 s measured); the deadline here only allows for a busy one.
      await eventually('the port refuses connections', () => refusesConnections(port));
      await eventually('DynamoDB Local has exited', () => !isRunning(javaPid));
      await eventually('no process of npm start is left', () => liveProcessesInGroup(npmPid).length === 0);
      expect(started.output()).toMatch(/(SIGTERM|SIGINT|parent exited): stopping the server and DynamoDB Local/);
    } finally {
      for (const pid of liveProcessesInGroup(npmPid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('exits 1 before starting anything, naming the file, the template and the rule, when a template is bad', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bad-templates-'));
    const file = path.join(dir, '00000000-0000-0000-0000-00006c6f6361.json');
    writeFileSync(
      file,
      JSON.stringify({ templates: { lobby: { constants: { system: { version: 1, visibility: 'friends' } } } } }),
    );
    try {
      const started = runStart({ PORT: '0', SESSION_TEMPLATES_DIR: dir });
      expect(await started.exited).toBe(1);
      expect(started.output()).toContain(
        `${file}: template "lobby": constants.system.visibility must be one of "private", "visible", "open".`,
      );
      expect(started.output()).not.toContain('Starting DynamoDB Local');
      expect(started.output()).not.toMatch(/^\s+at /m); // the message is the whole story: no stack trace
    } finally {
      rmSync(dir, { recursive: true, force: true });
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
