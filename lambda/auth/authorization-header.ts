import { MpsdError } from '../domain/errors';

/** The parts of `Authorization: XBL3.0 x=<userhash>;<token>` (spec §1.2). */
export interface XblAuthorization {
  readonly userHash: string;
  readonly token: string;
}

const XBL3_HEADER = /^XBL3\.0 x=([^;\s]*);(\S+)$/;

/** Splits the header; 401 with a message that shows the expected form when it is missing or malformed. */
export function parseAuthorizationHeader(value: string | undefined): XblAuthorization {
  if (value === undefined || value.trim() === '') {
    throw new MpsdError(
      'MissingAuthorization',
      'The Authorization header is missing; send "XBL3.0 x=<userhash>;<token>".',
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
