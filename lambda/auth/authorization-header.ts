import { MpsdError } from '../domain/errors';

/** The parts of `Authorization: XBL3.0 x=<userhash>;<token>` (spec §1.2). */
export interface XblAuthorization {
  readonly userHash: string;
  readonly token: string;
}

const XBL3_HEADER = /^XBL3\.0 x=([^;\s]*);(\S+)$/;

/** Longest Authorization value looked at: a JWT of ours is well under 1 KB, and API Gateway caps headers at 10 KB. */
export const MAX_AUTHORIZATION_CHARS = 8192;

/** Splits the header; 401 with a message that shows the expected form when it is missing or malformed. */
export function parseAuthorizationHeader(value: string | undefined): XblAuthorization {
  if (value === undefined || value.trim() === '') {
    throw new MpsdError(
      'MissingAuthorization',
      'The Authorization header is missing; send "XBL3.0 x=<userhash>;<token>".',
    );
  }
  if (value.length > MAX_AUTHORIZATION_CHARS) {
    throw new MpsdError(
      'InvalidToken',
      `The Authorization header is ${value.length} characters long; at most ${MAX_AUTHORIZATION_CHARS} are accepted.`,
    );
  }
  const match = XBL3_HEADER.exec(value.trim());
  if (match === null) {
    throw new MpsdError(
      'InvalidToken',
      'The Authorization header is malformed; the expected form is "XBL3.0 x=<userhash>;<token>".',
    );
  }
  return { userHash: match[1] ?? '', token: match[2] ?? '' };
}
