import { createHash } from 'node:crypto';

/**
 * The session's ETag: opaque, new on every committed change (spec §7.1). It is derived from the branch and change
 * number, so it needs no storage, and has the docs' unquoted GUID-like form, which XSAPI echoes verbatim.
 */
export function etagOf(branch: string, changeNumber: number): string {
  const hex = createHash('sha256').update(`${branch}:${changeNumber}`).digest('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Compares a precondition header value with an ETag, accepting the quoted and weak forms HTTP clients send. */
export function etagMatches(headerValue: string, etag: string): boolean {
  return headerValue
    .split(',')
    .map((v) =>
      v
        .trim()
        .replace(/^W\//, '')
        .replace(/^"(.*)"$/, '$1'),
    )
    .some((v) => v === '*' || v.toUpperCase() === etag);
}
