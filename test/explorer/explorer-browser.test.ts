import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { CHROMIUM_PATH, type HeadlessChromium, launchChromium } from '../../tools/headless-chromium';
import { startTestService, type TestService } from '../support/local-service';
import { SAMPLE_SCID, SessionClient, sessionUri } from '../support/session-client';

// The session explorer (README, "Session explorer") in a real browser: Debian's Chromium, driven by puppeteer-core,
// against the local service on a free port with DynamoDB Local, as `npm start` serves it. One page goes through what
// a QA engineer does: it signs itself in, opens a session, sees a second player's join without a reload, removes a
// member with the keyboard, edits custom properties, closes and locks, and ends the session; axe-core checks the
// labels and roles, and a screenshot is saved to test/artifacts/ (git-ignored).

/** Debian's chromium package; CHROMIUM_PATH for another install. .ci/run installs the package when it is missing. */
const CHROMIUM = CHROMIUM_PATH;
const ARTIFACTS = path.resolve(__dirname, '..', 'artifacts');
/** A deadline for what the page shows next, never a measure of speed (DESIGN.md): the machine may be busy. */
const WAIT = { timeout: 60_000 };

jest.setTimeout(300_000);

// What the callbacks below use of the browser's globals (they run in the page; the project's TypeScript has no DOM
// library, and adding it to every file would hide a Node module reaching for `document`).
interface PageElement {
  readonly textContent: string | null;
  readonly classList: { contains(name: string): boolean };
  value: string;
  getAttribute(name: string): string | null;
  blur(): void;
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  readonly activeElement: PageElement | null;
};
declare const window: Record<string, unknown>;

let service: TestService;
let browser: Browser;
let page: Page;
let chromium: HeadlessChromium | undefined;
const alice = () => new SessionClient(service.baseUrl, { xuid: '2533274790397001', gamertag: 'Alice' });
const bob = () => new SessionClient(service.baseUrl, { xuid: '2533274790397002', gamertag: 'Bob' });
const SESSION = 'qa-lobby';
let activityHandleId: string;
const uri = () => sessionUri(SAMPLE_SCID, 'lobby', SESSION);

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: install Debian's chromium package (bash .ci/run does) or set CHROMIUM_PATH.`,
    );
  }
  service = await startTestService({ realTime: true });
  chromium = await launchChromium();
  browser = chromium.browser;
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1400 });
  // axe-core is injected as a script: let it past the page's own Content-Security-Policy (script-src 'self').
  await page.setBypassCSP(true);
});

afterAll(async () => {
  await chromium?.close();
  await service?.close();
});

/** The text of an element, or '' when it is not there. */
async function textOf(selector: string): Promise<string> {
  return page.$eval(selector, (element) => element.textContent ?? '').catch(() => '');
}

/** Waits until the element's text contains `text`. */
async function waitForText(selector: string, text: string): Promise<void> {
  await page.waitForFunction(
    (s, t) => (document.querySelector(s)?.textContent ?? '').includes(t),
    WAIT,
    selector,
    text,
  );
}

/** Presses Tab until the focused element matches `accessibleName` (its aria-label or text); fails after `limit`. */
async function tabTo(accessibleName: string, limit = 80): Promise<void> {
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    const name = await page.evaluate(() => {
      const element = document.activeElement;
      return element?.getAttribute('aria-label') ?? element?.textContent?.trim() ?? '';
    });
    if (name === accessibleName) return;
  }
  throw new Error(`"${accessibleName}" was not reached with the Tab key`);
}

it('signs itself in with the local development server token', async () => {
  const created = await alice().request('PUT', uri(), {
    body: {
      members: {
        me: {
          constants: { system: { initialize: true } },
          properties: { system: { active: true }, custom: { team: 'red' } },
        },
      },
      properties: { custom: { map: 'harbour' } },
    },
  });
  expect(created.status).toBe(201);
  // Alice's activity handle on it, which the page lists among the session's handles.
  const activity = await alice().request('POST', '/handles', {
    body: { version: 1, type: 'activity', sessionRef: { scid: SAMPLE_SCID, templateName: 'lobby', name: SESSION } },
  });
  expect(activity.status).toBe(201);
  activityHandleId = activity.json.id;

  await page.goto(`${service.baseUrl}/explorer?scid=${SAMPLE_SCID}`);
  await waitForText('#token-status', 'Signed in with the local development server token');
  // Its own real-time activity connection: a nonce from GET /nonce, then the socket and a ConnectionId.
  await waitForText('#live-status', 'RTA connected');
  expect(await textOf('#connection-id')).toMatch(/ConnectionId [0-9a-f-]{36}/);
  expect(await page.$eval('#scid', (input) => (input as unknown as PageElement).value)).toBe(SAMPLE_SCID);
});

it('lists the sessions the test created, paged and filtered by template, and opens one from the list', async () => {
  const game = await bob().request('PUT', sessionUri(SAMPLE_SCID, 'game', 'qa-game'), {
    body: {
      members: { me: { constants: { system: { initialize: true } }, properties: { system: { active: true } } } },
    },
  });
  expect(game.status).toBe(201);
  const rows = () => page.$$eval('#listing tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));

  // The QA listing of the whole SCID (the server principal's): both sessions, newest first, with their facts.
  await page.click('#filter-form button[type="submit"]');
  await waitForText('#listing', 'qa-game');
  const listed = await rows();
  expect(listed).toHaveLength(2);
  expect(listed[0]).toMatch(/^qa-gamegame1 \/ 8open/);
  expect(listed[1]).toMatch(/^qa-lobbylobby1 \/ 8openno/);

  // One per page: Next page follows the continuation token, Previous page goes back.
  await page.$eval('#take', (input) => {
    (input as unknown as PageElement).value = '1';
  });
  await page.click('#filter-form button[type="submit"]');
  await page.waitForFunction(
    () => document.querySelector('#listing')?.textContent?.includes('qa-lobby') === false,
    WAIT,
  );
  expect(await rows()).toHaveLength(1);
  await page.click('#next-page');
  await waitForText('#listing', 'qa-lobby');
  expect(await rows()).toHaveLength(1);
  expect(await textOf('#page-number')).toBe('Page 2');
  await page.click('#previous-page');
  await waitForText('#listing', 'qa-game');

  // Filtered by template: only the lobby.
  await page.$eval('#take', (input) => {
    (input as unknown as PageElement).value = '20';
  });
  await page.type('#template', 'lobby');
  await page.click('#filter-form button[type="submit"]');
  await page.waitForFunction(
    () => document.querySelector('#listing')?.textContent?.includes('qa-game') === false,
    WAIT,
  );
  expect((await rows()).map((row) => row.slice(0, 8))).toEqual(['qa-lobby']);

  await page.click('#listing tbody button');
  await waitForText('#members', 'Alice');
});

it('shows one session in full: members with their states, timers, handles, properties and the raw document', async () => {
  await waitForText('#members', 'Alice');
  await waitForText('#handles', `activity ${activityHandleId}, owner 2533274790397001`);
  expect(await textOf('#members')).toContain('active');
  expect(await textOf('#summary')).toContain('1 of 8');
  expect(await textOf('#timers')).toContain('Session empty');
  expect(JSON.parse(await page.$eval('#custom', (t) => (t as unknown as PageElement).value))).toEqual({
    map: 'harbour',
  });
  expect(JSON.parse(await textOf('#raw pre')).members['0'].gamertag).toBe('Alice');
  expect(await textOf('#answer')).toContain(`GET ${uri()} → 200`);
});

it("sees a second player's join appear without a reload, highlighted", async () => {
  // Marks this document: a reload would lose the mark.
  await page.evaluate(() => {
    window.explorerTestMark = 1;
  });
  const joined = await bob().request('PUT', uri(), {
    body: { members: { me: { properties: { system: { active: true } } } } },
  });
  expect(joined.status).toBe(200);

  await waitForText('#members', 'Bob');
  expect(await page.evaluate(() => window.explorerTestMark)).toBe(1);
  expect(await textOf('#changes')).toMatch(/Change 2, seen through .*members\.1/);
  expect(await page.$eval('#members tr[data-path="members.1"]', (row) => row.classList.contains('changed'))).toBe(true);

  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, 'explorer.png'), fullPage: true });
});

it('has labels and roles axe-core finds nothing wrong with', async () => {
  await page.addScriptTag({ content: readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') });
  const results = await page.evaluate(async () => {
    const axe = window.axe as { run(context: unknown): Promise<Record<'violations' | 'passes', unknown[]>> };
    const { violations, passes } = await axe.run(document);
    return {
      passes: passes.length,
      violations: violations.map((v) => {
        const violation = v as { id: string; nodes: { target: string[] }[] };
        return `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`;
      }),
    };
  });
  // axe ran its rules over the page (labels, names, contrast, landmarks…): many pass, none fails.
  expect(results.passes).toBeGreaterThan(10);
  const { violations } = results;
  expect(violations).toEqual([]);
});

it('removes a member with the keyboard alone, and shows the answer', async () => {
  await page.focus('#session-title');
  await page.evaluate(() => document.activeElement?.blur());
  await page.focus('#refresh');
  await tabTo('Remove member 1 (Bob)');
  await page.keyboard.press('Enter');

  await waitForText('#answer', `DELETE ${uri()}/members/1 → 200`);
  await page.waitForFunction(() => !(document.querySelector('#members')?.textContent ?? '').includes('Bob'), WAIT);
  const stored = await alice().request('GET', uri());
  expect(Object.keys(stored.json.members)).toEqual(['0']);
});

it('edits the session’s custom properties (a key deleted in the editor is sent as null)', async () => {
  await page.$eval('#custom', (t) => {
    (t as unknown as PageElement).value = '{"mode": "ranked"}';
  });
  await page.click('#custom-form button[type="submit"]');
  await waitForText('#answer', 'Save custom properties.');
  expect(await textOf('#answer')).toContain(`PUT ${uri()}/properties → 200`);
  expect(await textOf('#answer')).toContain('"map":null');
  const stored = await alice().request('GET', uri());
  expect(stored.json.properties.custom).toEqual({ mode: 'ranked' });
});

it('closes and locks the session', async () => {
  await page.click('#closed');
  await page.click('#locked');
  await page.click('#apply-joinability');
  await waitForText('#answer', 'Closed: true, locked: true.');
  expect(await textOf('#answer')).toContain(`PUT ${uri()}/properties → 200`);
  const stored = await alice().request('GET', uri());
  expect([stored.json.properties.system.closed, stored.json.properties.system.locked]).toEqual([true, true]);
  // The page shows what the answer said.
  await waitForText('#summary', 'Closedyes');
  await waitForText('#summary', 'Lockedyes');
});

it('ends the session: every member removed in one PUT, after a confirmation', async () => {
  await page.click('#end-session');
  await page.waitForSelector('#end-dialog[open]', WAIT);
  await page.click('#end-dialog button[value="end"]');
  await waitForText('#answer', 'End the session: every member removed.');
  expect(await textOf('#answer')).toContain(`PUT ${uri()} → 204`);
  await waitForText('#changes', 'does not exist');
  const stored = await alice().request('GET', uri());
  expect(stored.status).toBe(204);
});

it('refreshes on a shoulder tap to its own connection, with polling off', async () => {
  // A second tab that never polls (?poll=0): only a shoulder tap on its socket can show it a change. Taps go to the
  // connections members wrote (family spec §6.6); the page's server principal is no member, so Alice writes the
  // page's ConnectionId as hers, as friend-connect's peers share their host's.
  const tapped = await browser.newPage();
  try {
    await tapped.goto(`${service.baseUrl}/explorer?scid=${SAMPLE_SCID}&poll=0`);
    await tapped.waitForFunction(
      () => /ConnectionId [0-9a-f-]{36}/.test(document.querySelector('#connection-id')?.textContent ?? ''),
      WAIT,
    );
    const connectionId = /ConnectionId ([0-9a-f-]{36})/.exec(
      await tapped.$eval('#connection-id', (element) => element.textContent ?? ''),
    )?.[1];
    const tappedUri = sessionUri(SAMPLE_SCID, 'lobby', 'qa-tapped');
    const created = await alice().request('PUT', tappedUri, {
      body: {
        members: {
          me: {
            constants: { system: { initialize: true } },
            properties: {
              system: {
                active: true,
                connection: connectionId,
                subscription: { id: '4dcd2ae6-3f7e-4c4b-9c63-0f3a1b6c2d11', changeTypes: ['everything'] },
              },
            },
          },
        },
      },
    });
    expect(created.status).toBe(201);
    await tapped.type('#open-template', 'lobby');
    await tapped.type('#open-name', 'qa-tapped');
    await tapped.keyboard.press('Enter');
    await tapped.waitForFunction(() => (document.querySelector('#members')?.textContent ?? '').includes('Alice'), WAIT);

    const joined = await bob().request('PUT', tappedUri, {
      body: { members: { me: { properties: { system: { active: true } } } } },
    });
    expect(joined.status).toBe(200);
    await tapped.waitForFunction(() => (document.querySelector('#members')?.textContent ?? '').includes('Bob'), WAIT);
    expect(await tapped.$eval('#changes', (element) => element.textContent ?? '')).toMatch(
      /Change 2, seen through a shoulder tap/,
    );
  } finally {
    await tapped.close();
  }
});

it('counts a reservation down to the instant its timer ends it', async () => {
  const timersUri = sessionUri(SAMPLE_SCID, 'lobby', 'qa-timers');
  const created = await alice().request('PUT', timersUri, {
    body: {
      members: {
        me: { constants: { system: { initialize: true } }, properties: { system: { active: true } } },
        reserve_0: { constants: { system: { xuid: '2533274790397003' } } },
      },
    },
  });
  expect(created.status).toBe(201);
  const reservedAt = Date.parse(created.json.members['1'].joinTime);

  await page.$eval('#open-template', (input) => {
    (input as unknown as PageElement).value = 'lobby';
  });
  await page.$eval('#open-name', (input) => {
    (input as unknown as PageElement).value = 'qa-timers';
  });
  await page.click('#open-form button[type="submit"]');
  await waitForText('#timers', 'Member 1, reserved: reservedRemovalTimeout 30 s — removed in');
  // The deadline the countdown ticks towards is the reservation's joinTime plus the session's 30 s, exactly.
  const deadlines = await page.$$eval('#timers [data-deadline]', (elements) =>
    elements.map((element) => Number(element.getAttribute('data-deadline'))),
  );
  expect(deadlines).toContain(reservedAt + 30_000);
  expect(await textOf('#members')).toContain('reserved');
});
