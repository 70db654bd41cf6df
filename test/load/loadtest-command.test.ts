import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SessionStore } from '../../lambda/store/session-store';
import type { LoadResults } from '../../load/results';
import { FaultInjectingSessionStore } from '../../local/fault-injection';
import { CHROMIUM_PATH, launchChromium } from '../../tools/headless-chromium';
import { startTestService, type TestService } from '../support/local-service';
import { SAMPLE_SCID, SessionClient } from '../support/session-client';

// `npm run loadtest` as QA runs it (the command itself, in a child process) against the local service on a free
// port (the real handlers on DynamoDB Local, RTA included): runs that end by time pass their invariant check, and
// the report opens in headless Debian Chromium with its three charts drawn from the run's figures. Nothing here
// depends on speed: the runs are a few seconds long and no figure is compared with a bound.

const ROOT = path.resolve(__dirname, '../..');

interface CommandRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

function loadtest(args: string[]): Promise<CommandRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'load/loadtest.ts', ...args],
      { cwd: ROOT, maxBuffer: 1 << 24 },
      (error, stdout, stderr) => {
        const status = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ status, stdout, stderr });
      },
    );
  });
}

let service: TestService;
let out: string;

beforeAll(async () => {
  service = await startTestService({ realTime: true });
  out = await mkdtemp(path.join(tmpdir(), 'loadtest-'));
});

afterAll(async () => {
  await service?.close();
  if (out !== undefined) await rm(out, { recursive: true, force: true });
});

async function resultsIn(dir: string): Promise<LoadResults> {
  return JSON.parse(await readFile(path.join(dir, 'results.json'), 'utf8')) as LoadResults;
}

/**
 * Runs `scenario` with `settings` (its options but --target and --out) against `target`, writing into the folder
 * `folder` of this file's output; expects the command to exit 0 (showing its stderr when not) and answers the run
 * and the results.json it wrote.
 */
async function runToTheEnd(
  scenario: string,
  folder: string,
  settings: string[],
  target = service.baseUrl,
): Promise<{ run: CommandRun; results: LoadResults }> {
  const dir = path.join(out, folder);
  const run = await loadtest([scenario, '--target', target, ...settings, '--out', dir]);
  expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
  return { run, results: await resultsIn(dir) };
}

it('runs lobby until time runs out, passes every invariant, and writes results.json and report.html', async () => {
  const { run, results } = await runToTheEnd('lobby', 'lobby', ['--duration', '4', '--players', '16']);
  expect(run.stdout).toMatch(/^operation\s+count\s+per s\s+p50 ms\s+p95 ms\s+p99 ms\s+max ms\s+statuses$/m);
  expect(run.stdout).toMatch(/^PASSED$/m);
  expect(run.stderr).toContain('load ended after 4 s');

  expect(results).toMatchObject({ scenario: 'lobby', target: service.baseUrl, durationSeconds: 4, passed: true });
  // It ended by time: the load lasted its 4 s, and the check ran over what was then stored.
  expect(results.elapsedSeconds).toBeGreaterThanOrEqual(4);
  expect(results.invariants.map((check) => [check.name, check.passed, check.violations])).toEqual([
    ['acknowledged joins are members', true, []],
    ['acknowledged values are stored or superseded', true, []],
    ['no session holds more than maxMembersCount', true, []],
    ['nothing acknowledged is applied twice', true, []],
    ['the last leaver deletes', true, []],
  ]);
  const joins = results.invariants[0];
  expect(joins?.checked).toBeGreaterThan(0);
  // Each party's create is sent at the start, so however slow the machine, it is answered (awaited after the end).
  // Which later operations a 4 s run reaches depends on the machine's speed, so they are not asserted.
  expect(results.operations.create?.statuses).toMatchObject({ '201': expect.any(Number) });
  expect(results.readBack.sessions).toBeGreaterThan(0);
});

it('opens the report in headless Chromium with nothing fetched, and its three charts drawn from the figures', async () => {
  expect({ chromium: CHROMIUM_PATH, installed: existsSync(CHROMIUM_PATH) }).toEqual({
    chromium: CHROMIUM_PATH,
    installed: true, // Debian's `chromium` package: `.ci/run` installs it when missing
  });
  const report = path.join(out, 'lobby', 'report.html');
  const chromium = await launchChromium();
  try {
    const page = await chromium.browser.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
    // Strings: the project's TypeScript has no DOM types; these run in the page.
    await page.waitForFunction("document.body.dataset.charts === '3'");
    const charts = (await page.evaluate(`[...document.querySelectorAll('canvas')].map((canvas) => {
      const chart = Chart.getChart(canvas);
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted += 1;
      return { id: canvas.id, type: chart ? chart.config.type : null,
        points: chart ? chart.data.datasets.reduce((n, d) => n + d.data.length, 0) : 0, painted };
    })`)) as { id: string; type: string | null; points: number; painted: number }[];
    expect(charts.map(({ id, type }) => [id, type])).toEqual([
      ['latency', 'line'],
      ['throughput', 'line'],
      ['statuses', 'bar'],
    ]);
    // The charts hold the run's own figures: p50 and p99 for each second an operation was answered, one bar per
    // operation and status code.
    const results = await resultsIn(path.join(out, 'lobby'));
    const answeredSeconds = Object.values(results.timeline).reduce(
      (n, points) => n + points.filter((p) => p.count > 0).length,
      0,
    );
    const codes = new Set(Object.values(results.operations).flatMap((op) => Object.keys(op.statuses)));
    expect(charts[0]?.points).toBe(2 * answeredSeconds);
    expect(charts[2]?.points).toBe(codes.size * Object.keys(results.operations).length);
    for (const chart of charts) {
      expect({ id: chart.id, hasPoints: chart.points > 0, painted: chart.painted > 0 }).toEqual({
        id: chart.id,
        hasPoints: true,
        painted: true,
      });
    }
    const verdict = await page.evaluate("document.querySelector('.verdict').textContent");
    expect(verdict).toBe('PASSED');
    expect(requested.filter((url) => !url.startsWith('file:'))).toEqual([]);
  } finally {
    await chromium.close();
  }
});

it('runs realtime: taps counted and timed from the writes that caused them, in order', async () => {
  const { results } = await runToTheEnd('realtime', 'realtime', ['--duration', '3', '--players', '4', '--no-progress']);
  expect(results.passed).toBe(true);
  expect(results.invariants.find((check) => check.name === 'shoulder taps in order')).toMatchObject({ passed: true });
  expect(results.figures).toMatchObject({ sockets: 4, socketsRefused: 0 });
  expect(results.figures.tapsAttributed).toBeGreaterThan(0);
  expect(results.operations['shoulder-tap']?.count).toBe(results.figures.tapsAttributed);
});

it('runs hot with more players than seats: the refused get SessionFull (expected, not failures), no session over its capacity', async () => {
  const { results } = await runToTheEnd('hot', 'hot', [
    '--duration',
    '3',
    '--players',
    '12',
    '--max-members',
    '4',
    '--no-progress',
  ]);
  expect(results).toMatchObject({ passed: true, totals: { failures: 0 } });
  // 12 players went for 4 seats at once: at least 8 joins were refused.
  expect(results.operations.join?.statuses['400']).toBeGreaterThanOrEqual(8);
  expect(
    results.invariants.find((check) => check.name === 'no session holds more than maxMembersCount')?.checked,
  ).toBeGreaterThan(0);
});

it('runs gameday: arrivals at a rate, lobby parties, pollers and hot players together, invariants passed', async () => {
  const { results } = await runToTheEnd('gameday', 'gameday', [
    '--duration',
    '3',
    '--rate',
    '10',
    '--ramp',
    '0',
    '--sessions',
    '2',
    '--no-progress',
  ]);
  expect(results.passed).toBe(true);
  // How many arrive in 3 s depends on the machine's speed; that each is accounted for does not.
  const { arrivals, lobbyParties, pollers, hotPlayers, droppedArrivals } = results.figures;
  expect(arrivals).toBe((lobbyParties ?? 0) + (pollers ?? 0) + (hotPlayers ?? 0) + (droppedArrivals ?? 0));
  expect(results.settings).toMatchObject({ rate: 10, ramp: 0, sessions: 2, mix: '60,30,10' });
});

it('runs lobby --keep: nobody leaves, and the QA listing pages through every lobby it left, each exactly once', async () => {
  const { run, results } = await runToTheEnd('lobby', 'keep', [
    '--duration',
    '3',
    '--players',
    '8',
    '--keep',
    '--no-progress',
  ]);
  expect(results.passed).toBe(true);
  expect(results.operations.leave).toBeUndefined();
  const prefix = /sessions (load-[0-9a-f]+)-\*/.exec(`${run.stderr}${run.stdout}`)?.[1];
  expect(prefix).toBeDefined();
  const created = results.operations.create?.statuses['201'] ?? 0;
  expect(created).toBeGreaterThan(0);
  // Every acknowledged create is a session left behind; the listing index follows the write within moments (README,
  // "Finding sessions"), so it is paged again until it holds them all or a generous deadline passes.
  const server = new SessionClient(service.baseUrl, { server: true });
  const listed = async (): Promise<string[]> => {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const query = `take=7${token === undefined ? '' : `&continuationToken=${encodeURIComponent(token)}`}`;
      const page = await server.request(
        'GET',
        `/serviceconfigs/${SAMPLE_SCID}/sessiontemplates/lobby/sessions?${query}`,
      );
      expect(page.status).toBe(200);
      const body = page.json as { results: { sessionRef: { name: string } }[]; continuationToken?: string };
      names.push(...body.results.map((entry) => entry.sessionRef.name).filter((name) => name.startsWith(`${prefix}-`)));
      token = body.continuationToken;
    } while (token !== undefined);
    return names;
  };
  let names = await listed();
  for (const deadline = Date.now() + 60_000; names.length < created && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    names = await listed();
  }
  expect(new Set(names).size).toBe(names.length);
  expect(names).toHaveLength(created);
});

it('passes its invariant check against a service whose store throttles, times out and loses write answers', async () => {
  // Faults the service must absorb (README, "Fault injection"): the check must not mistake them for lost writes.
  const injectors: FaultInjectingSessionStore[] = [];
  const faulty = await startTestService({
    decorateStore: (store: SessionStore) => {
      const injector = new FaultInjectingSessionStore(store, { throttle: 0.2, timeout: 0.05, lostWrite: 0.1, seed: 7 });
      injectors.push(injector);
      return injector;
    },
  });
  try {
    const { results } = await runToTheEnd(
      'lobby',
      'faults',
      ['--duration', '4', '--players', '8', '--no-progress'],
      faulty.baseUrl,
    );
    expect(results.invariants.filter((check) => !check.passed)).toEqual([]);
    const injected = injectors.reduce((n, i) => n + i.counts.throttle + i.counts.timeout + i.counts.lostWrite, 0);
    expect(injected).toBeGreaterThan(0);
  } finally {
    await faulty.close();
  }
});

it('exits 2 with the usage for a mistake, and 2 without loading when the target does not answer', async () => {
  const mistake = await loadtest(['soak']);
  expect(mistake.status).toBe(2);
  expect(mistake.stderr).toContain('Unknown scenario "soak"');
  expect(mistake.stderr).toContain('Usage: npm run loadtest -- <scenario> [options]');
  const nobody = await loadtest(['lobby', '--target', 'http://127.0.0.1:1', '--duration', '1']);
  expect(nobody.status).toBe(2);
  expect(nobody.stderr).toContain('http://127.0.0.1:1 does not answer');
});
