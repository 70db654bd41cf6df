import type { JsonObject } from '../json';
import type { Principal } from '../principal';
import type { SessionDocument } from '../session-document';
import type { ContractVersion } from './legacy-contract';
import { renderSession } from './render';
import { serializeSessionText } from './session-text';
import { nextTimerAt } from './timers';

/** A session as answered: the rendering and what its headers need (ETag, Expires). */
export interface SessionAnswer {
  readonly rendered: JsonObject;
  readonly etag: string;
  readonly nextTimer: number | undefined;
}

/** Answers a session under its ETag: a view's (timers applied, not stored) or a commit's. */
export function answerSession(
  session: SessionDocument,
  etag: string,
  contractVersion: ContractVersion,
  principal: Principal,
): SessionAnswer {
  return {
    rendered: renderSession(session, {
      contractVersion,
      ...(principal.xuid === undefined ? {} : { callerXuid: principal.xuid }),
    }),
    etag,
    nextTimer: nextTimerAt(session),
  };
}

/** The answer's JSON text, the custom data's texts spliced in (session-text.ts). */
export function answerText(answer: SessionAnswer): string {
  return serializeSessionText(answer.rendered).text;
}
