import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTestService, type TestService } from '../support/local-service';
import { SAMPLE_SCID, SessionClient } from '../support/session-client';

// The README's common flow (issue 9 item 10) runs as printed: the bash block between the two markers, with bash, curl
// and `npm run -s token`, against a test service on a free port in place of `npm start`'s 127.0.0.1:8080.

const ROOT = path.resolve(__dirname, '../..');
const START = '<!-- readme-flow:start -->';
const END = '<!-- readme-flow:end -->';
const README_BASE_URL = 'http://127.0.0.1:8080';

/** The commands of the README's flow block, without the Markdown fence. */
function readFlow(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no block between ${START} and ${END}`);
  const block = readme.slice(start + START.length, end).trim();
  const fenced = /^```bash\n([\s\S]*)\n```$/.exec(block);
  if (fenced === null) throw new Error('the README flow block is not one ```bash fence');
  const [, commands = ''] = fenced;
  return commands;
}

let service: TestService;

beforeAll(async () => {
  service = await startTestService();
});

afterAll(async () => {
  await service?.close();
});

it('creates a lobby (201), a second player joins (200) and sets a property (200), a poll is 304, leaving is 200 then 204', async () => {
  const flow = readFlow();
  expect(flow).toContain(README_BASE_URL);
  // Two of the six answers the flow shows by their body only (the joins print the session). So that every status can
  // be asserted, curl writes the status after each answer unless the command sets its own --write-out (curl uses the
  // last one given): the commands themselves run exactly as printed.
  const script = [
    'curl() { command curl -w \'\\n%{http_code}\\n\' "$@"; }',
    flow.split(README_BASE_URL).join(service.baseUrl),
  ].join('\n');
  // Twice: the README says the block can be run again (the last leaver deleted the session).
  for (let run = 1; run <= 2; run += 1) {
    const { stdout } = await promisify(execFile)('bash', ['-c', script], { cwd: ROOT, maxBuffer: 1 << 20 });
    const statuses = stdout.split('\n').filter((line) => /^\d{3}$/.test(line));
    expect({ run, statuses }).toEqual({ run, statuses: ['201', '200', '200', '304', '200', '204'] });
    expect(stdout.split('\n')[0]).toMatch(/^HTTP\/1\.1 201/);
    expect(stdout).toMatch(/^etag: \S+/im);
    expect(stdout).toContain('"custom":{"team":"blue"}');
  }

  // And the session is gone for everyone.
  const alice = new SessionClient(service.baseUrl, { xuid: '2533274790395904' });
  expect((await alice.get(SAMPLE_SCID, 'lobby', 'friday-night')).status).toBe(204);
});
