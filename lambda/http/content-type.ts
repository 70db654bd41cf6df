import { MpsdError } from '../domain/errors';

// application/json, optionally with a UTF-8 charset, in any letter case (spec §1.2: the docs send the bare type,
// XSAPI sends `application/json; charset=utf-8` on every call, GET included; spec §9.2).
const JSON_MEDIA_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*(?:"utf-8"|utf-8)\s*)?;?\s*$/i;

/**
 * The content-type policy: `application/json` (with or without `charset=utf-8`) is always accepted; no
 * Content-Type is accepted on a GET (some clients send none) and on a PUT without a body (the documented `{}`
 * PUT has nothing to type). Anything else is 415, saying what is accepted.
 */
export function checkContentType(method: 'GET' | 'PUT', contentType: string | undefined, hasBody: boolean): void {
  if (contentType === undefined || contentType.trim() === '') {
    if (method === 'GET' || !hasBody) return;
    throw new MpsdError(
      'UnsupportedMediaType',
      'The request has a body but no Content-Type; send Content-Type: application/json (charset utf-8, if any).',
    );
  }
  if (JSON_MEDIA_TYPE.test(contentType.trim())) return;
  throw new MpsdError(
    'UnsupportedMediaType',
    `Content-Type "${contentType.slice(0, 100)}" is not accepted; send application/json (charset utf-8, if any).`,
  );
}
