import { MpsdError } from '../domain/errors';
import type { RouteMethod } from './routes';

/**
 * application/json, optionally with a UTF-8 charset and a trailing `;`, in any letter case and with spaces around
 * the parts (spec §1.2: the docs send the bare type, XSAPI sends `application/json; charset=utf-8` on every call, GET
 * included; spec §9.2). Split on `;` rather than matched with a regex: a pattern with adjacent `\s*` runs took time
 * quadratic in the header's length; splitting and trimming is linear.
 */
function isJsonMediaType(value: string): boolean {
  const [type, charset, trailing, ...more] = value.split(';');
  if (type?.trim().toLowerCase() !== 'application/json' || more.length > 0) return false;
  if (charset === undefined) return true;
  if (trailing !== undefined && trailing.trim() !== '') return false;
  if (charset.trim() === '') return trailing === undefined; // `application/json;` but not `application/json;;`
  const [name, encoding, ...extra] = charset.split('=');
  return (
    extra.length === 0 &&
    name?.trim().toLowerCase() === 'charset' &&
    ['utf-8', '"utf-8"'].includes(encoding?.trim().toLowerCase() ?? '')
  );
}

/**
 * The content-type policy: `application/json` (with or without `charset=utf-8`) is always accepted; no
 * Content-Type is accepted on a GET (some clients send none) and on any request without a body (the documented `{}`
 * PUT has nothing to type; the request pipeline passes `hasBody` false for handlers that take no body). Anything
 * else is 415, saying what is accepted.
 */
export function checkContentType(method: RouteMethod, contentType: string | undefined, hasBody: boolean): void {
  if (contentType === undefined || contentType.trim() === '') {
    if (method === 'GET' || !hasBody) return;
    throw new MpsdError(
      'UnsupportedMediaType',
      'The request has a body but no Content-Type; send Content-Type: application/json (charset utf-8, if any).',
    );
  }
  if (isJsonMediaType(contentType)) return;
  throw new MpsdError(
    'UnsupportedMediaType',
    `Content-Type "${contentType.slice(0, 100)}" is not accepted; send application/json (charset utf-8, if any).`,
  );
}
