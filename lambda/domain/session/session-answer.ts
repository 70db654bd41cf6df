import { type JsonObject, stringifyExactJson } from '../json';
import type { Principal } from '../principal';
import type { SessionDocument } from '../session-document';
import type { SharedJsonTexts } from '../shared-json-texts';
import type { ContractVersion } from './legacy-contract';
import { renderSession } from './render';
import { serializeSessionText } from './session-text';
import { nextTimerAt } from './timers';

/** A session as answered: the rendering and what its headers need (ETag, Expires). */
export interface SessionAnswer {
  readonly rendered: JsonObject;
  readonly etag: string;
  readonly nextTimer: number | undefined;
  /** The texts a commit made of the session's custom data, for the answer to splice in (session-text.ts). */
  readonly sharedTexts?: SharedJsonTexts;
}

/** Answers a session under its ETag: a view's (timers applied, not stored) or a commit's. */
export function answerSession(
  session: SessionDocument,
  etag: string,
  contractVersion: ContractVersion,
  principal: Principal,
  sharedTexts?: SharedJsonTexts,
): SessionAnswer {
  return {
    rendered: renderSession(session, {
      contractVersion,
      ...(principal.xuid === undefined ? {} : { callerXuid: principal.xuid }),
    }),
    etag,
    nextTimer: nextTimerAt(session),
    ...(sharedTexts === undefined ? {} : { sharedTexts }),
  };
}

/** The answer's JSON text: made with the commit's texts of the custom data when it has them (session-text.ts). */
export function answerText(answer: SessionAnswer): string {
  return answer.sharedTexts === undefined
    ? stringifyExactJson(answer.rendered)
    : serializeSessionText(answer.rendered, answer.sharedTexts).text;
}
