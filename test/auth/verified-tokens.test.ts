import { SignJWT } from 'jose';
import { DEVELOPMENT_TOKEN_SECRET, mintToken } from '../../lambda/auth/development-token';
import { CLOCK_TOLERANCE_SECONDS } from '../../lambda/auth/token-times';
import { makeHmacTokenVerifier, type TokenVerifier } from '../../lambda/auth/token-verifier';
import { makeVerifiedTokenCache, type VerifiedTokenCache } from '../../lambda/auth/verified-token-cache';
import { MpsdError } from '../../lambda/domain/errors';
import type { Principal } from '../../lambda/domain/principal';
import type { ApiEvent } from '../../lambda/http/api-types';
import { makeSessionHandlers } from '../../lambda/runtime/wiring';
import { refusalRejectedBy } from '../support/refusal';

// Issue 12: a container remembers the tokens it verified (keyed by the whole token string), so a token sent again
// costs no signature check; its time claims are still checked on every request against the clock, and nothing that
// failed is ever remembered.

const SECRET = 'a-test-secret-of-enough-length-for-hs256-000000';
const T0 = Date.parse('2026-11-29T12:00:00Z');
const secondsAt = (ms: number) => Math.floor(ms / 1000);

/** A verifier over `cache` whose clock is whatever `now.ms` says when it is called. */
function verifierAt(now: { ms: number }, cache: VerifiedTokenCache | undefined): TokenVerifier {
  return makeHmacTokenVerifier({
    secret: SECRET,
    clock: () => now.ms,
    ...(cache === undefined ? {} : { verifiedTokens: cache }),
  });
}

/** A signed token with exactly these claims and header fields. */
async function signed(claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const jwt = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', ...header })
    .sign(new TextEncoder().encode(SECRET));
  return `XBL3.0 x=abc;${jwt}`;
}

/** What a verification answers: the principal, or the 401's message. */
async function outcome(verify: TokenVerifier, header: string): Promise<Principal | string> {
  try {
    return await verify(header);
  } catch (error) {
    if (error instanceof MpsdError && error.status === 401) return error.message;
    throw error;
  }
}

describe('remembered tokens', () => {
  it('answers a token sent again from memory: the same principal, no second verification', async () => {
    const cache = makeVerifiedTokenCache();
    const verify = verifierAt({ ms: T0 }, cache);
    const header = await signed({ xuid: '42', exp: secondsAt(T0) + 3600 });
    const first = await verify(header);
    expect(first).toEqual({ isServer: false, xuid: '42' });
    expect(cache.size).toBe(1);
    // The very object remembered: a fresh verification would have built a new one.
    expect(await verify(header)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('refuses a remembered token once it has expired, and forgets it', async () => {
    const cache = makeVerifiedTokenCache();
    const now = { ms: T0 };
    const verify = verifierAt(now, cache);
    const header = await signed({ xuid: '42', exp: secondsAt(T0) + 60 });
    await verify(header);
    expect(cache.size).toBe(1);
    now.ms = T0 + (60 + CLOCK_TOLERANCE_SECONDS) * 1000;
    const error = await refusalRejectedBy(verify(header));
    expect([error.status, error.code, error.message]).toEqual([
      401,
      'InvalidToken',
      'The token has expired; get a new one.',
    ]);
    expect(cache.size).toBe(0);
  });

  // The time rule on a remembered token is the rule jose applies to a fresh one: at every instant around `exp` and
  // `nbf` (the tolerance's edges included) the two answer alike. The remembered one was verified at T0, when valid.
  const exp = secondsAt(T0) + 600;
  const nbf = secondsAt(T0) - 600;
  it.each([
    ['well inside the window', T0],
    ['just before exp + tolerance', (exp + CLOCK_TOLERANCE_SECONDS - 1) * 1000 + 999],
    ['at exp + tolerance', (exp + CLOCK_TOLERANCE_SECONDS) * 1000],
    ['after exp + tolerance', (exp + CLOCK_TOLERANCE_SECONDS) * 1000 + 1],
    ['at nbf - tolerance', (nbf - CLOCK_TOLERANCE_SECONDS) * 1000],
    ['just before nbf - tolerance', (nbf - CLOCK_TOLERANCE_SECONDS) * 1000 - 1],
    ['long before nbf', (nbf - 3600) * 1000],
  ])('answers %s as a fresh verification does', async (_when, at) => {
    const header = await signed({ xuid: '7', exp, nbf });
    const now = { ms: T0 };
    const cache = makeVerifiedTokenCache();
    const remembering = verifierAt(now, cache);
    await remembering(header);
    now.ms = at;
    const fresh = await outcome(verifierAt({ ms: at }, undefined), header);
    expect(await outcome(remembering, header)).toEqual(fresh);
  });

  it('never remembers a token whose signature failed: it is refused the second time too', async () => {
    const cache = makeVerifiedTokenCache();
    const verify = verifierAt({ ms: T0 }, cache);
    const forged = await mintToken({ xuid: '42' }, { secret: 'another-secret-another-secret-another', now: T0 });
    for (let i = 0; i < 2; i += 1) {
      expect((await refusalRejectedBy(verify(forged))).message).toMatch(/signature does not verify/);
    }
    expect(cache.size).toBe(0);
  });

  it('never remembers a token whose claims were refused', async () => {
    const cache = makeVerifiedTokenCache();
    const verify = verifierAt({ ms: T0 }, cache);
    const header = await signed({ xuid: 'not-a-xuid', exp: secondsAt(T0) + 600 });
    for (let i = 0; i < 2; i += 1) expect((await refusalRejectedBy(verify(header))).message).toMatch(/"xuid" claim/);
    expect(cache.size).toBe(0);
  });

  it('verifies another token string on its own, even with the same claims', async () => {
    const cache = makeVerifiedTokenCache();
    const verify = verifierAt({ ms: T0 }, cache);
    const claims = { xuid: '42', exp: secondsAt(T0) + 600 };
    const header = await signed(claims);
    const remembered = await verify(header);
    // The same claims under a signature that is not the secret's: refused although its claims are remembered.
    const [head, payload] = header.slice(header.indexOf(';') + 1).split('.');
    const forged = `XBL3.0 x=abc;${head}.${payload}.${Buffer.alloc(32, 7).toString('base64url')}`;
    expect((await refusalRejectedBy(verify(forged))).message).toMatch(/signature does not verify/);
    // The same claims signed again under another header: a string of its own, verified and remembered apart.
    const resigned = await signed(claims, { typ: 'JWT' });
    const other = await verify(resigned);
    expect(other).toEqual(remembered);
    expect(other).not.toBe(remembered);
    expect(cache.size).toBe(2);
  });

  it('is bounded: beyond its size the least recently used token is forgotten and verified anew', async () => {
    const cache = makeVerifiedTokenCache(3);
    const verify = verifierAt({ ms: T0 }, cache);
    const headers = await Promise.all(
      [1, 2, 3, 4, 5].map((n) => signed({ xuid: String(n), exp: secondsAt(T0) + 600 })),
    );
    const principals = [];
    for (const header of headers) principals.push(await verify(header));
    expect(cache.size).toBe(3);
    // Tokens 3 to 5 are remembered; 1 was forgotten, so it is verified again (a new principal object).
    expect(await verify(headers[4] as string)).toBe(principals[4]);
    const again = await verify(headers[0] as string);
    expect(again).toEqual(principals[0]);
    expect(again).not.toBe(principals[0]);
    expect(cache.size).toBe(3);
  });

  it('is bounded in characters of token text too', async () => {
    const header = await signed({ xuid: '1', exp: secondsAt(T0) + 600 });
    const tokenChars = header.length - header.indexOf(';') - 1;
    const cache = makeVerifiedTokenCache(100, tokenChars * 2);
    const verify = verifierAt({ ms: T0 }, cache);
    for (const n of [1, 2, 3, 4]) await verify(await signed({ xuid: String(n), exp: secondsAt(T0) + 600 }));
    expect(cache.size).toBe(2);
  });
});

describe('the wired verifier', () => {
  it('checks a token sent again on the same container without a second signature verification', async () => {
    const handlers = makeSessionHandlers({
      tableName: 't',
      region: 'local',
      templatesDir: 'lambda/templates',
      tokenSecret: DEVELOPMENT_TOKEN_SECRET,
      environment: 'local',
    });
    const authorization = await mintToken({ xuid: '2533274790395904' });
    // A request that passes the token step and stops at the next one (no contract version: 400), so no store is needed.
    const event = {
      version: '2.0',
      routeKey: 'GET /serviceconfigs/{scid}/sessiontemplates/{sessionTemplateName}/sessions/{sessionName}',
      rawPath: '/',
      rawQueryString: '',
      headers: { authorization },
      requestContext: { requestId: 'r' },
      isBase64Encoded: false,
    } as unknown as ApiEvent;
    const verifications = jest.spyOn(globalThis.crypto.subtle, 'verify');
    try {
      for (let i = 0; i < 3; i += 1) {
        const result = await handlers.getSession(event);
        expect(result.statusCode).toBe(400);
        expect(result.body).toMatch(/x-xbl-contract-version/);
      }
      expect(verifications).toHaveBeenCalledTimes(1);
      // A token that does not verify is refused every time, each time verified anew.
      const forged = await mintToken({ xuid: '2533274790395904' }, { secret: 'not-the-development-secret-0000000' });
      for (let i = 0; i < 2; i += 1) {
        const result = await handlers.getSession({ ...event, headers: { authorization: forged } });
        expect(result.statusCode).toBe(401);
      }
      expect(verifications).toHaveBeenCalledTimes(3);
    } finally {
      verifications.mockRestore();
    }
  });
});
