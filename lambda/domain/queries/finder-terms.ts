import type { SessionRecord } from '../session/session-record';

// What the index of sessions by xuid and keyword (README "Finding sessions") holds for one session: a term per member
// xuid (any status: the query decides on the session itself) and per keyword, lower-cased (keywords compare
// case-insensitively, session spec §2.6). Pure: the stream's reader diffs two records into index changes.

/** The term a query by this xuid looks up. */
export function xuidTerm(xuid: string): string {
  return `xuid:${xuid}`;
}

/** The term a query by this keyword looks up. */
export function keywordTerm(keyword: string): string {
  return `keyword:${keyword.toLowerCase()}`;
}

/** The terms of a stored session: none for a tombstone or no record. */
export function finderTermsOf(record: SessionRecord | undefined): Set<string> {
  const terms = new Set<string>();
  if (record?.kind !== 'session') return terms;
  for (const member of Object.values(record.document.members)) {
    const xuid = member.constants.system.xuid;
    if (typeof xuid === 'string') terms.add(xuidTerm(xuid));
  }
  const keywords = record.document.properties.system.keywords;
  if (Array.isArray(keywords)) {
    for (const keyword of keywords) if (typeof keyword === 'string') terms.add(keywordTerm(keyword));
  }
  return terms;
}

/** The index changes one committed change of a session makes: terms to (re)write at its start time, terms to delete. */
export interface FinderChange {
  /** The session's startTime after the change (the index's sort key); absent when the session is gone. */
  readonly startTime?: string;
  readonly put: readonly string[];
  readonly delete: readonly string[];
}

/**
 * What changes in the index from `before` to `after`: new terms are written, lost ones deleted, and every term is
 * written again when the session was re-created (its startTime, the sort key, changed).
 */
export function finderChangeOf(before: SessionRecord | undefined, after: SessionRecord | undefined): FinderChange {
  const old = finderTermsOf(before);
  const now = finderTermsOf(after);
  const startTime = after?.kind === 'session' ? after.document.startTime : undefined;
  const oldStart = before?.kind === 'session' ? before.document.startTime : undefined;
  const restarted = startTime !== oldStart;
  return {
    ...(startTime === undefined ? {} : { startTime }),
    put: [...now].filter((term) => restarted || !old.has(term)),
    delete: [...old].filter((term) => !now.has(term)),
  };
}
