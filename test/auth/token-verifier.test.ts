import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { DEVELOPMENT_TOKEN_SECRET, mintToken } from '../../lambda/auth/development-token';
import { makeHmacTokenVerifier, makeJwksTokenVerifier } from '../../lambda/auth/token-verifier';
import { makeSessionHandlers } from '../../lambda/runtime/wiring';
import { refusalRejectedBy } from '../support/refusal';

// Token verification (issue 4.1): what is accepted, and the 401 message for each way a token can be wrong.

const SECRET = 'a-test-secret-of-enough-length-for-hs256-000000';
const ISSUER = 'https://issuer.example';
const AUDIENCE = 'session-directory-staging';
const nowSeconds = () => Math.floor(Date.now() / 1000);

function bearer(jwt: string): string {
  return `XBL3.0 x=abc;${jwt}`;
}

describe('HS256 tokens', () => {
  const verify = makeHmacTokenVerifier({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE });
  const mint = (claims: object, options: object = {}) =>
    mintToken(claims, { secret: SECRET, issuer: ISSUER, audience: AUDIENCE, ...options });

  /** A token with exactly these claims (mintToken would also copy a xuid into `sub`, which must be a string). */
  const signedClaims = async (claims: object) =>
    bearer(
      await new SignJWT({ ...claims })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime(nowSeconds() + 600)
        .sign(new TextEncoder().encode(SECRET)),
    );

  it('maps user claims to a user principal', async () => {
    const principal = await verify(
      await mint({ xuid: '2533274790395904', gamertag: 'Tag', titleId: '1234', deviceId: 'dev-1' }),
    );
    expect(principal).toEqual({
      isServer: false,
      xuid: '2533274790395904',
      gamertag: 'Tag',
      titleId: '1234',
      deviceId: 'dev-1',
    });
  });

  it('maps a server token to a server principal', async () => {
    expect(await verify(await mint({ server: true }))).toEqual({ isServer: true });
  });

  it.each([
    ['a missing header', undefined, 'MissingAuthorization', /missing/],
    ['a header of another scheme', 'Bearer abc', 'InvalidToken', /malformed/],
    ['a header without the user hash part', 'XBL3.0 abc', 'InvalidToken', /malformed/],
    ['a huge header', `XBL3.0 x=a;${'a'.repeat(9000)}`, 'InvalidToken', /at most 8192/],
    ['a token that is not a JWT', 'XBL3.0 x=a;not-a-jwt', 'InvalidToken', /not a valid signed JWT/],
  ])('refuses %s', async (_what, header, code, message) => {
    const error = await refusalRejectedBy(verify(header));
    expect(error.code).toBe(code);
    expect(error.status).toBe(401);
    expect(error.message).toMatch(message);
  });

  it('refuses a token signed with another secret', async () => {
    const error = await refusalRejectedBy(
      verify(await mint({ xuid: '1' }, { secret: 'another-secret-another-secret-another' })),
    );
    expect(error.message).toMatch(/signature does not verify/);
  });

  it('refuses a token from another issuer', async () => {
    const error = await refusalRejectedBy(verify(await mint({ xuid: '1' }, { issuer: 'https://evil.example' })));
    expect(error.message).toMatch(/issuer/);
  });

  it('refuses a token for another audience', async () => {
    const error = await refusalRejectedBy(verify(await mint({ xuid: '1' }, { audience: 'someone-else' })));
    expect(error.message).toMatch(/audience/);
  });

  it('refuses an expired token', async () => {
    const error = await refusalRejectedBy(
      verify(await mint({ xuid: '1' }, { now: Date.now() - 2 * 3600_000, expiresInSeconds: 3600 })),
    );
    expect(error.message).toMatch(/expired/);
  });

  it('refuses a token that is not valid yet (nbf)', async () => {
    const jwt = await new SignJWT({ xuid: '1' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setNotBefore(nowSeconds() + 600)
      .setExpirationTime(nowSeconds() + 3600)
      .sign(new TextEncoder().encode(SECRET));
    expect((await refusalRejectedBy(verify(bearer(jwt)))).message).toMatch(/not valid yet/);
  });

  it('refuses a token without an expiry', async () => {
    const jwt = await new SignJWT({ xuid: '1' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .sign(new TextEncoder().encode(SECRET));
    expect((await refusalRejectedBy(verify(bearer(jwt)))).message).toMatch(/no expiry/);
  });

  it('refuses an unsigned token (alg none)', async () => {
    const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const jwt = `${encode({ alg: 'none' })}.${encode({ xuid: '1', iss: ISSUER, aud: AUDIENCE, exp: nowSeconds() + 60 })}.`;
    expect((await refusalRejectedBy(verify(bearer(jwt)))).status).toBe(401);
  });

  it.each([
    [{}, /neither a user/],
    [{ xuid: 'abc' }, /"xuid" claim must be a decimal number from 1 to 18446744073709551615/],
    [{ xuid: '0123' }, /"xuid" claim must be a decimal number/],
    [{ xuid: '18446744073709551616' }, /"xuid" claim/],
    [{ xuid: 2 ** 60 }, /"xuid" claim must be a string: a decimal number/],
    [{ xuid: '1', gamertag: '' }, /"gamertag" claim must be 1 to 47 bytes of UTF-8/],
    [{ xuid: '1', gamertag: 'g'.repeat(48) }, /"gamertag" claim must be 1 to 47 bytes/],
    [{ xuid: '1', gamertag: 'é'.repeat(24) }, /"gamertag" claim/],
    [{ xuid: '1', gamertag: 'tab\there' }, /"gamertag" claim .* without control characters/],
    [{ xuid: '1', gamertag: true }, /"gamertag" claim must be a string/],
    [{ xuid: '1', titleId: 'abc' }, /"titleId" claim must be a decimal title id from 1 to 4294967295/],
    [{ xuid: '1', titleId: '0' }, /"titleId" claim/],
    [{ xuid: '1', titleId: '4294967296' }, /"titleId" claim/],
    [{ xuid: '1', titleId: '1e3' }, /"titleId" claim/],
    [{ xuid: '1', deviceId: 'd'.repeat(101) }, /"deviceId" claim must be 1 to 100 characters/],
    [{ xuid: '1', deviceId: '' }, /"deviceId" claim/],
  ])('refuses claims %j naming the claim', async (claims, message) => {
    const error = await refusalRejectedBy(verify(await signedClaims(claims)));
    expect(error.status).toBe(401);
    expect(error.message).toMatch(message);
  });

  it.each([
    [{ xuid: '18446744073709551615', gamertag: 'g'.repeat(47), titleId: '4294967295', deviceId: 'd'.repeat(100) }],
    [{ xuid: 2533274790395, titleId: 1234567 }],
    [{ xuid: '1', gamertag: 'Ünïcödé Tag', titleId: '1' }],
    [{ xuid: '1', gamertag: `${'é'.repeat(23)}x` }],
  ])('accepts claims at the edges %j', async (claims) => {
    const principal = await verify(await signedClaims(claims));
    expect(principal.xuid).toBe(String(claims.xuid));
  });
});

describe('JWKS tokens (RS256, ES256)', () => {
  let server: Server;
  let jwksUrl: string;
  let fetches = 0;
  const keys: Record<string, CryptoKey> = {};

  beforeAll(async () => {
    const rsa = await generateKeyPair('RS256');
    const ec = await generateKeyPair('ES256');
    keys.rsa = rsa.privateKey;
    keys.ec = ec.privateKey;
    const jwks = {
      keys: [
        { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
        { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
      ],
    };
    server = createServer((_request, response) => {
      fetches += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  async function sign(alg: 'RS256' | 'ES256', kid: string, key: CryptoKey, claims: object = { xuid: '42' }) {
    const jwt = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg, kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(key);
    return bearer(jwt);
  }

  it('accepts RS256 and ES256 tokens and reads the key set once per container', async () => {
    const verify = makeJwksTokenVerifier({ jwksUrl, issuer: ISSUER, audience: AUDIENCE });
    fetches = 0;
    for (let i = 0; i < 3; i += 1) {
      expect(await verify(await sign('RS256', 'rsa-1', keys.rsa as CryptoKey))).toEqual({
        isServer: false,
        xuid: '42',
      });
      expect(await verify(await sign('ES256', 'ec-1', keys.ec as CryptoKey, { server: true }))).toEqual({
        isServer: true,
      });
    }
    expect(fetches).toBe(1);
  });

  it('refuses an HS256 token (no algorithm confusion with the public keys)', async () => {
    const verify = makeJwksTokenVerifier({ jwksUrl, issuer: ISSUER, audience: AUDIENCE });
    const error = await refusalRejectedBy(
      verify(await mintToken({ xuid: '1' }, { issuer: ISSUER, audience: AUDIENCE })),
    );
    expect(error.message).toMatch(/RS256, ES256/);
  });

  it('refuses wrong issuer and audience', async () => {
    const other = makeJwksTokenVerifier({ jwksUrl, issuer: 'https://other.example', audience: AUDIENCE });
    expect((await refusalRejectedBy(other(await sign('RS256', 'rsa-1', keys.rsa as CryptoKey)))).message).toMatch(
      /issuer/,
    );
    const otherAudience = makeJwksTokenVerifier({ jwksUrl, issuer: ISSUER, audience: 'other' });
    const error = await refusalRejectedBy(otherAudience(await sign('ES256', 'ec-1', keys.ec as CryptoKey)));
    expect(error.message).toMatch(/audience/);
  });

  it('refuses a token whose key id is not in the key set', async () => {
    const stranger = await generateKeyPair('ES256');
    const verify = makeJwksTokenVerifier({ jwksUrl, issuer: ISSUER, audience: AUDIENCE });
    const error = await refusalRejectedBy(verify(await sign('ES256', 'unknown', stranger.privateKey)));
    expect(error.status).toBe(401);
  });

  it('needs an issuer and an audience to be configured', () => {
    expect(() =>
      makeSessionHandlers({
        tableName: 't',
        region: 'local',
        templatesDir: 'lambda/templates',
        tokenJwksUrl: jwksUrl,
        environment: 'deployed',
      }),
    ).toThrow(/issuer and a token audience/);
  });
});

describe('the development secret', () => {
  const base = { tableName: 't', region: 'local', templatesDir: 'lambda/templates' };

  it('is refused unless the service runs locally', () => {
    expect(() =>
      makeSessionHandlers({ ...base, tokenSecret: DEVELOPMENT_TOKEN_SECRET, environment: 'deployed' }),
    ).toThrow(/only be used locally/);
    expect(() =>
      makeSessionHandlers({ ...base, tokenSecret: DEVELOPMENT_TOKEN_SECRET, environment: 'local' }),
    ).not.toThrow();
  });

  it('cannot be left out without a JWKS URL in its place', () => {
    expect(() => makeSessionHandlers({ ...base, environment: 'deployed' })).toThrow(/token secret/);
  });
});

describe('an unreachable key set', () => {
  it('is a 503 with Retry-After, not a 401 that would make clients discard good tokens', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const jwt = await new SignJWT({ xuid: '42' })
      .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('1h')
      .sign(privateKey);
    // Port 9 on loopback (discard) has no listener here: the fetch is refused at once.
    const verify = makeJwksTokenVerifier({
      jwksUrl: 'http://127.0.0.1:9/jwks.json',
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    const error = await refusalRejectedBy(verify(bearer(jwt)));
    expect([error.code, error.status, error.retryAfterSeconds]).toEqual(['ServiceUnavailable', 503, 1]);
  });
});
