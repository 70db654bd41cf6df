import { readdirSync } from 'node:fs';
import path from 'node:path';
import { DEVELOPMENT_TOKEN_SECRET } from '../../lambda/auth/development-token';
import { makeHmacTokenVerifier } from '../../lambda/auth/token-verifier';
import { EXPLORER_FILES, loadExplorerFiles } from '../../lambda/config/explorer-files';
import { makeExplorerPageHandler } from '../../lambda/http/explorer-page';
import { readExplorerPageConfig } from '../../lambda/runtime/page-runtime';
import { MissingEnvironmentError } from '../../lambda/runtime/runtime-config';
import { EXPLORER_DIR } from '../../local/local-config';
import { startTestService, type TestService } from '../support/local-service';
import { SAMPLE_SCID, SessionClient, sessionUri } from '../support/session-client';

// The session explorer's page as the service serves it (README, "Session explorer"): GET /explorer and its files,
// the settings the page reads, and the local-only development token. test/explorer/explorer-browser.test.ts drives
// the page itself in Chromium.

let service: TestService;

beforeAll(async () => {
  service = await startTestService();
});

afterAll(async () => {
  await service.close();
});

describe('the page’s files', () => {
  it('are exactly the files of lambda/explorer/, so none is forgotten and no stray file is published', () => {
    expect(readdirSync(EXPLORER_DIR).sort()).toEqual(Object.keys(EXPLORER_FILES).sort());
  });

  it('cannot be loaded from a folder that lacks one: the error names the file and the folder', () => {
    expect(() => loadExplorerFiles(path.join(EXPLORER_DIR, 'missing'))).toThrow(
      /The session explorer's file index\.html cannot be read from .*missing/,
    );
  });
});

describe('GET /explorer', () => {
  it('answers the page, locked to its own origin by its Content-Security-Policy', async () => {
    const response = await fetch(`${service.baseUrl}/explorer`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe-inline');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    // Only the page's own files: nothing is fetched from elsewhere at run time.
    expect(html).toContain('<script type="module" src="explorer/explorer.js"></script>');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it.each(Object.entries(EXPLORER_FILES))('answers %s with its media type', async (name, contentType) => {
    const response = await fetch(`${service.baseUrl}/explorer/${name}`);
    expect([response.status, response.headers.get('content-type')]).toEqual([200, contentType]);
    expect(await response.text()).toBe(loadExplorerFiles(EXPLORER_DIR).get(name)?.body);
  });

  it('answers 304 to a browser that already has the file (If-None-Match its ETag)', async () => {
    const first = await fetch(`${service.baseUrl}/explorer/explorer.js`);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetch(`${service.baseUrl}/explorer/explorer.js`, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
  });

  it('answers 404 for any other file, naming the ones it has', async () => {
    for (const name of ['secret.txt', '..%2Fpackage.json', 'index.HTML']) {
      const response = await fetch(`${service.baseUrl}/explorer/${name}`);
      expect(response.status).toBe(404);
      const body = (await response.json()) as { code: string; message: string };
      expect(body.code).toBe('NotFound');
      expect(body.message).toContain('index.html, explorer.css');
    }
  });

  it('tells the page where real-time activity is: the local server’s /connect, or the URL it is configured with', async () => {
    const local = await fetch(`${service.baseUrl}/explorer/settings.json`);
    expect(await local.json()).toEqual({ realTimeUrl: `${service.baseUrl.replace('http', 'ws')}/connect` });

    const deployed = makeExplorerPageHandler({ files: new Map(), realTimeUrl: 'wss://rta.example/rta' });
    const answer = await deployed({ pathParameters: { asset: 'settings.json' }, headers: {} } as never);
    expect(JSON.parse(String(answer.body))).toEqual({ realTimeUrl: 'wss://rta.example/rta' });
  });
});

describe('the local development token (GET /explorer/development-token, local only)', () => {
  it('is a server principal’s token, signed with the development secret, that the service accepts', async () => {
    const response = await fetch(`${service.baseUrl}/explorer/development-token`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { authorization } = (await response.json()) as { authorization: string };
    const principal = await makeHmacTokenVerifier({ secret: DEVELOPMENT_TOKEN_SECRET })(authorization);
    expect(principal).toEqual(expect.objectContaining({ isServer: true }));
    expect(principal.xuid).toBeUndefined();

    // With it the page may do what a server may: read any session, and remove a member by index.
    const player = new SessionClient(service.baseUrl, { xuid: '2533274790396001' });
    const uri = sessionUri(SAMPLE_SCID, 'lobby', 'explorer-token');
    const created = await player.request('PUT', uri, {
      body: {
        members: { me: { constants: { system: { initialize: true } }, properties: { system: { active: true } } } },
      },
    });
    expect(created.status).toBe(201);
    const headers = { Authorization: authorization, 'x-xbl-contract-version': '107' };
    const read = await fetch(`${service.baseUrl}${uri}`, { headers });
    expect(read.status).toBe(200);
    const removed = await fetch(`${service.baseUrl}${uri}/members/0`, { method: 'DELETE', headers });
    expect(removed.status).toBe(204);
  });
});

describe('the page function’s settings', () => {
  it('need the folder of the page’s files, and take the real-time URL when given', () => {
    expect(() => readExplorerPageConfig({})).toThrow(MissingEnvironmentError);
    expect(readExplorerPageConfig({ EXPLORER_ASSETS_DIR: '/var/task/explorer' })).toEqual({
      assetsDir: '/var/task/explorer',
    });
    expect(
      readExplorerPageConfig({ EXPLORER_ASSETS_DIR: '/var/task/explorer', EXPLORER_REAL_TIME_URL: 'wss://x/rta' }),
    ).toEqual({ assetsDir: '/var/task/explorer', realTimeUrl: 'wss://x/rta' });
  });
});
