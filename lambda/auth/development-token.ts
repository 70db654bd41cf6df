import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import type { TokenClaims } from './token-claims';

/**
 * The fixed secret of local development. It is public (it is in this file), so the service refuses it unless it
 * runs locally.
 */
export const DEVELOPMENT_TOKEN_SECRET = 'session-directory-local-development-secret-not-for-deployment';

/** Default token lifetime: long enough for a working day of manual testing. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;

/**
 * Mints a signed token and returns the whole `Authorization` header value, `XBL3.0 x=<userhash>;<jwt>`. The user
 * hash is only decoration (the service reads identity from the signed claims), derived from the xuid.
 */
export async function mintToken(
  claims: TokenClaims,
  options?: { secret?: string; expiresInSeconds?: number; issuer?: string; audience?: string; now?: number },
): Promise<string> {
  const now = Math.floor((options?.now ?? Date.now()) / 1000);
  let jwt = new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + (options?.expiresInSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS));
  if (claims.xuid !== undefined) jwt = jwt.setSubject(claims.xuid);
  if (options?.issuer !== undefined) jwt = jwt.setIssuer(options.issuer);
  if (options?.audience !== undefined) jwt = jwt.setAudience(options.audience);
  const token = await jwt.sign(new TextEncoder().encode(options?.secret ?? DEVELOPMENT_TOKEN_SECRET));
  const userHash = createHash('sha256')
    .update(claims.xuid ?? 'server')
    .digest('hex')
    .slice(0, 20);
  return `XBL3.0 x=${userHash};${token}`;
}
