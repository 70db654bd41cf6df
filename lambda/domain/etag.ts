import { createHash } from 'node:crypto';

/**
 * The session's ETag: opaque, and one ETag names exactly one document (spec §7.1). A committed document's ETag is
 * derived from its branch and change number, so it needs no storage, and has the docs' unquoted GUID-like form,
 * which XSAPI echoes verbatim.
 *
 * A read applies due timers without storing them (spec §2.4), so it can answer a document that was never committed.
 * Its ETag is derived from the commit it was computed from and how many timers fired on top of it
 * (`uncommittedTimers`), in a namespace no commit uses: the fired timers are exactly those due by then, so the same
 * commit with the same count is always the same document (a repeated GET gets the same ETag and its 304), while a
 * write that commits the same change number with other content gets another ETag, and `If-Match` with the timer
 * view's ETag passes only against that very view.
 */
export function etagOf(branch: string, committedChangeNumber: number, uncommittedTimers = 0): string {
  const name =
    uncommittedTimers === 0
      ? `${branch}:${committedChangeNumber}`
      : `${branch}:${committedChangeNumber}:timers:${uncommittedTimers}`;
  const hex = createHash('sha256').update(name).digest('hex').toUpperCase();
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
