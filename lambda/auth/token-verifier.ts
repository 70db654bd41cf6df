import { errors, jwtVerify } from 'jose';
import { MpsdError } from '../domain/errors';
import type { Principal } from '../domain/principal';
import { parseAuthorizationHeader } from './authorization-header';

/** Turns an `Authorization` header value into the caller's principal, or throws 401. */
export type TokenVerifier = (authorizationHeader: string | undefined) => Promise<Principal>;

export interface HmacVerifierOptions {
  /** The HS256 signing secret. */
  readonly secret: string;
  readonly issuer?: string;
  readonly audience?: string;
}

const DECIMAL = /^[1-9][0-9]{0,19}$/;

function stringClaim(payload: Record<string, unknown>, name: string): string | undefined {
  const value = payload[name];
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== 'string' || value.length === 0 || value.length > 100) {
    throw new MpsdError('InvalidToken', `The token's "${name}" claim must be a non-empty string.`);
  }
  return value;
}

/** Maps verified claims to a principal; a token must name a user (xuid) or be a server token. */
export function principalFromClaims(payload: Record<string, unknown>): Principal {
  const xuid = stringClaim(payload, 'xuid');
  if (xuid !== undefined && !DECIMAL.test(xuid)) {
    throw new MpsdError('InvalidToken', 'The token\'s "xuid" claim must be a decimal xuid.');
  }
  const isServer = payload.server === true;
  if (xuid === undefined && !isServer) {
    throw new MpsdError('InvalidToken', 'The token names neither a user ("xuid" claim) nor a server ("server": true).');
  }
  const gamertag = stringClaim(payload, 'gamertag');
  const titleId = stringClaim(payload, 'titleId');
  const deviceId = stringClaim(payload, 'deviceId');
  return {
    isServer,
    ...(xuid === undefined ? {} : { xuid }),
    ...(gamertag === undefined ? {} : { gamertag }),
    ...(titleId === undefined ? {} : { titleId }),
    ...(deviceId === undefined ? {} : { deviceId }),
  };
}

function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The token has expired; get a new one.';
  if (error instanceof errors.JWTClaimValidationFailed) return `The token was refused: ${error.message}.`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return "The token's signature does not verify.";
  if (error instanceof errors.JOSEAlgNotAllowed) return 'The token is not signed with an allowed algorithm (HS256).';
  return 'The token is not a valid signed JWT.';
}

/** A verifier for HS256 tokens signed with a shared secret (the key is encoded once, per container). */
export function makeHmacTokenVerifier(options: HmacVerifierOptions): TokenVerifier {
  const key = new TextEncoder().encode(options.secret);
  return async (header) => {
    const { token } = parseAuthorizationHeader(header);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
        ...(options.audience === undefined ? {} : { audience: options.audience }),
      }));
    } catch (error) {
      throw new MpsdError('InvalidToken', describeJoseError(error), { cause: error });
    }
    return principalFromClaims(payload);
  };
}
