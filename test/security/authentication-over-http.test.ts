import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { mintToken } from '../../lambda/auth/development-token';
import { startTestService, type TestService } from '../support/local-service';
import { joinBody, SAMPLE_SCID, sessionUri } from '../support/session-client';

// Authentication through HTTP against DynamoDB Local (issue 4.1): every bad token is a 401 with a message and a
// WWW-Authenticate header, and changes nothing.

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'session-directory-staging';

describe('HS256 with issuer and audience checks', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService({ tokenIssuer: ISSUER, tokenAudience: AUDIENCE });
  });
  afterAll(() => service.close());

  async function putWith(authorization: string | undefined, name: string) {
    return fetch(`${service.baseUrl}${sessionUri(SAMPLE_SCID, 'lobby', name)}`, {
      method: 'PUT',
      headers: {
        'x-xbl-contract-version': '107',
        'content-type': 'application/json',
        ...(authorization === undefined ? {} : { authorization }),
      },
      body: JSON.stringify(joinBody('2533274790395904')),
    });
  }

  async function sessionExists(name: string): Promise<boolean> {
    const response = await fetch(`${service.baseUrl}${sessionUri(SAMPLE_SCID, 'lobby', name)}`, {
      headers: {
        'x-xbl-contract-version': '107',
        authorization: await mintToken({ server: true }, { issuer: ISSUER, audience: AUDIENCE }),
      },
    });
    return response.status === 200;
  }

  const future = Date.now() + 3600_000;
  it.each([
    ['no Authorization header', async () => undefined, /missing/],
    ['a malformed header', async () => 'XBL3.0 token-without-hash', /malformed/],
    [
      'a bad signature',
      () => mintToken({ xuid: '1' }, { issuer: ISSUER, audience: AUDIENCE, secret: 'not-the-secret-not-the-secret' }),
      /signature/,
    ],
    ['a wrong issuer', () => mintToken({ xuid: '1' }, { issuer: 'https://x.example', audience: AUDIENCE }), /issuer/],
    ['a wrong audience', () => mintToken({ xuid: '1' }, { issuer: ISSUER, audience: 'x' }), /audience/],
    [
      'an expired token',
      () =>
        mintToken(
          { xuid: '1' },
          { issuer: ISSUER, audience: AUDIENCE, now: Date.now() - 7200_000, expiresInSeconds: 60 },
        ),
      /expired/,
    ],
    [
      'a token not valid yet',
      async () =>
        `XBL3.0 x=1;${await new SignJWT({ xuid: '1' })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setNotBefore(Math.floor(future / 1000))
          .setExpirationTime(Math.floor(future / 1000) + 60)
          .sign(new TextEncoder().encode('session-directory-local-development-secret-not-for-deployment'))}`,
      /not valid yet/,
    ],
  ])('answers %s with 401, a message and WWW-Authenticate, and stores nothing', async (what, header, message) => {
    const name = `auth-${what.replace(/\W+/g, '-')}`;
    const response = await putWith(await header(), name);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('XBL3.0 realm="session-directory"');
    const body = (await response.json()) as { code: string; message: string };
    expect(body.message).toMatch(message);
    expect(await sessionExists(name)).toBe(false);
  });

  it('accepts a token with the configured issuer and audience', async () => {
    const response = await putWith(
      await mintToken({ xuid: '2533274790395904' }, { issuer: ISSUER, audience: AUDIENCE }),
      'ok',
    );
    expect(response.status).toBe(201);
  });
});

describe('a JWKS issuer', () => {
  let service: TestService;
  let keyServer: Server;
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }] });
    keyServer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(jwks);
    });
    await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
    const { port } = keyServer.address() as AddressInfo;
    service = await startTestService({
      tokenSecret: undefined,
      tokenJwksUrl: `http://127.0.0.1:${port}/jwks.json`,
      tokenIssuer: ISSUER,
      tokenAudience: AUDIENCE,
    });
  });
  afterAll(async () => {
    await service.close();
    await new Promise((resolve) => keyServer.close(resolve));
  });

  async function signed(claims: object): Promise<string> {
    const jwt = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('10m')
      .sign(privateKey);
    return `XBL3.0 x=1;${jwt}`;
  }

  it('creates a session for an ES256 user token, and lets a server token write servers', async () => {
    const uri = `${service.baseUrl}${sessionUri(SAMPLE_SCID, 'lobby', 'jwks')}`;
    const headers = { 'x-xbl-contract-version': '107', 'content-type': 'application/json' };
    const created = await fetch(uri, {
      method: 'PUT',
      headers: { ...headers, authorization: await signed({ xuid: '77' }) },
      body: JSON.stringify(joinBody('77')),
    });
    expect(created.status).toBe(201);
    const server = await fetch(uri, {
      method: 'PUT',
      headers: { ...headers, authorization: await signed({ server: true }) },
      body: JSON.stringify({ servers: { game: { properties: { custom: { ip: '10.0.0.1' } } } } }),
    });
    expect(server.status).toBe(200);
    expect(((await server.json()) as { servers: Record<string, unknown> }).servers.game).toBeDefined();
  });

  it('refuses the development HS256 token', async () => {
    const response = await fetch(`${service.baseUrl}${sessionUri(SAMPLE_SCID, 'lobby', 'jwks')}`, {
      headers: { 'x-xbl-contract-version': '107', authorization: await mintToken({ xuid: '77' }) },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).not.toBeNull();
  });
});
