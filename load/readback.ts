/**
 * The sessions of the run read back once the load has ended and every request in flight has been answered or has
 * timed out: a plain GET each (GET never writes, and reads the stored item consistently), 200 or 204. A 429 or 503
 * is repeated after its Retry-After; a session that still cannot be read is excluded from the check by name.
 */
import { type HttpAnswer, type HttpClient, headerOf } from './http-client';
import type { SessionReadback } from './ledger';
import { pathOf, type SessionRef } from './player';
import { viewOfSession } from './session-view';

/** Attempts per session before it is given up as unreadable. */
const READ_ATTEMPTS = 8;
/** Sessions read at once. */
const READ_PARALLEL = 16;

export async function readBack(
  client: HttpClient,
  sessions: readonly SessionRef[],
  /** The Authorization of the n-th reader: spread over several identities so fair use lets the read-back through. */
  readerAuthorization: (n: number) => Promise<string>,
): Promise<SessionReadback[]> {
  const results: SessionReadback[] = new Array(sessions.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < sessions.length; index = next++) {
      const session = sessions[index] as SessionRef;
      results[index] = await readOne(client, session, await readerAuthorization(index));
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_PARALLEL, sessions.length) }, worker));
  return results;
}

async function readOne(client: HttpClient, session: SessionRef, authorization: string): Promise<SessionReadback> {
  let last: HttpAnswer | undefined;
  for (let attempt = 0; attempt < READ_ATTEMPTS; attempt += 1) {
    last = await client.send({
      method: 'GET',
      path: pathOf(session),
      headers: { authorization, 'x-xbl-contract-version': '107' },
    });
    if (last.status === 204) return { session: session.name, state: 'absent' };
    if (last.status === 200) {
      const view = viewOfSession(last.text);
      if (view === undefined) return { session: session.name, state: 'unreadable', reason: 'a 200 without a session' };
      return { session: session.name, state: 'present', ...view };
    }
    if (last.status !== 429 && last.status !== 'error' && last.status < 500) break;
    const seconds = Number(headerOf(last, 'retry-after'));
    await new Promise((resolve) => setTimeout(resolve, Number.isFinite(seconds) ? Math.min(seconds, 10) * 1000 : 1000));
  }
  const reason = last?.status === 'error' ? (last.error ?? 'no answer') : `the read-back GET answered ${last?.status}`;
  return { session: session.name, state: 'unreadable', reason };
}
