import path from 'node:path';
import { loadTemplateCatalogue } from '../../lambda/config/template-files';
import { parseExactJson } from '../../lambda/domain/json';
import type { Principal } from '../../lambda/domain/principal';
import { applySessionRequest, type PutOutcome } from '../../lambda/domain/session/apply-request';
import type { CommitContext, SessionWriteRequest } from '../../lambda/domain/session/commit';
import type { PutContext } from '../../lambda/domain/session/put-context';
import type { SessionDocument } from '../../lambda/domain/session-document';
import type { SessionTemplate } from '../../lambda/domain/templates';
import { SAMPLE_SCID } from '../../local/start-banner';
import { refusalThrownBy } from '../support/refusal';

/** The real template files, as the service loads them. */
export const CATALOGUE = loadTemplateCatalogue(path.resolve(__dirname, '../../lambda/templates'));
export { SAMPLE_SCID };

export function template(name: string): SessionTemplate {
  const found = CATALOGUE.get(SAMPLE_SCID)?.get(name);
  if (found === undefined) throw new Error(`no template ${name}`);
  return found;
}

export const T0 = Date.parse('2026-01-01T00:00:00.000Z');

export function user(xuid: string, extra: Partial<Principal> = {}): Principal {
  return { xuid, gamertag: `gt${xuid}`, titleId: '1234', isServer: false, ...extra };
}
export const SERVER: Principal = { isServer: true };

let guid = 0;
/** A new GUID at each call, counted up from 1, so a test's answers are the same at every run. */
function nextGuid(): string {
  guid += 1;
  return `00000000-0000-0000-0000-${String(guid).padStart(12, '0')}`;
}

export function context(principal: Principal, templateName = 'open', now = T0, contractVersion = 107): PutContext {
  return { principal, template: template(templateName), now, contractVersion, newGuid: nextGuid };
}

/** What a write decision (decideSessionWrite, decideElementWrite, decideDueTimers) needs besides the request. */
export function commitContext(templateName = 'open'): CommitContext {
  return { template: template(templateName), newGuid: nextGuid };
}

/**
 * A session PUT as decideSessionWrite takes it: contract version 107, the body parsed exactly as the handler parses
 * it, no precondition, committed; `extra` changes any of that.
 */
export function writeRequest(
  principal: Principal,
  body: unknown,
  extra: Partial<SessionWriteRequest> = {},
): SessionWriteRequest {
  return {
    principal,
    contractVersion: 107,
    body: parseExactJson(JSON.stringify(body)),
    ifMatch: undefined,
    ifNoneMatch: undefined,
    noCommit: false,
    ...extra,
  };
}

/** Runs a PUT body (as JSON text, parsed exactly like the handler does) and returns the outcome. */
export function put(current: SessionDocument | undefined, body: unknown, ctx: PutContext): PutOutcome {
  return applySessionRequest(current, parseExactJson(JSON.stringify(body)), ctx);
}

/** The session of a created/updated outcome (fails the test otherwise). */
export function sessionOf(outcome: PutOutcome): SessionDocument {
  if (outcome.kind !== 'created' && outcome.kind !== 'updated')
    throw new Error(`expected a session, got ${outcome.kind}`);
  return outcome.session;
}

export function activeJoin(xuid: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { members: { me: { constants: { system: { xuid } }, properties: { system: { active: true } } } }, ...extra };
}

/** What a PUT that must be refused was refused with: status, code and message. */
export function refusal(run: () => unknown): { status: number; code: string; message: string } {
  const { status, code, message } = refusalThrownBy(run);
  return { status, code, message };
}
