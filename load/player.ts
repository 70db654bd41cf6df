/**
 * A virtual player: one identity (xuid and token) making the requests real MPSD clients make (README, "The common
 * flow"; the bodies follow the captured clients in ../shared/spec/client-captures/), one at a time. Every request is
 * recorded; every write goes into the ledger with what its answer proves. A player treats answers as a client does:
 * a 429 or 503 is repeated after its Retry-After (1 s when it has none), a transport failure after 1 s, while the
 * run lasts.
 */
import { randomUUID } from 'node:crypto';
import { SESSION_TEMPLATES_SEGMENTS, sessionPathOf } from '../lambda/http/routes';
import { SAMPLE_SCID } from '../local/start-banner';
import { type HttpAnswer, headerOf } from './http-client';
import type { WriteKind, WriteOutcome } from './ledger';
import type { RunContext } from './run-context';
import { viewOfSession } from './session-view';

/** A session of the run: the sample SCID's template and a name unique to the run. */
export interface SessionRef {
  readonly template: string;
  readonly name: string;
}

/** The longest Retry-After a player honours: MPSD sends 1 s; API Gateway's own 429 sends none. */
const MAX_RETRY_AFTER_MS = 10_000;

/** The path XSAPI and every captured client send (`sessionTemplates`). */
export function pathOf(session: SessionRef): string {
  return sessionPathOf(
    { scid: SAMPLE_SCID, templateName: session.template, name: session.name },
    SESSION_TEMPLATES_SEGMENTS[1],
  );
}

function retryAfterMs(answer: HttpAnswer): number {
  const seconds = Number(headerOf(answer, 'retry-after'));
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : 1000;
}

function errorCodeOf(answer: HttpAnswer): string | undefined {
  try {
    const body = JSON.parse(answer.text) as { code?: unknown };
    return typeof body.code === 'string' ? body.code : undefined;
  } catch {
    return undefined;
  }
}

/** A 4xx that the scenario expects (e.g. `SessionFull` when more players join than a session holds). */
export type Expected = (answer: HttpAnswer) => boolean;
const nothingElse: Expected = () => false;

/** `SessionFull`: a join refused because every seat is taken (spec §2.6). */
export const sessionFull: Expected = (answer) => answer.status === 400 && errorCodeOf(answer) === 'SessionFull';

const is2xx = (status: number | 'error') => typeof status === 'number' && status >= 200 && status < 300;

/** What a write's answer proves (load/ledger.ts). */
function outcomeOf(status: number | 'error'): WriteOutcome {
  if (is2xx(status)) return 'acked';
  if (typeof status === 'number' && status >= 400 && status < 500) return 'refused';
  return 'unknown';
}

export interface WriteMeta {
  readonly kind: WriteKind;
  readonly key?: string;
  readonly value?: number;
}

export class Player {
  /** The ETag this player last saw of each session: its polls send it as If-None-Match. */
  private readonly etags = new Map<string, string>();

  private constructor(
    private readonly run: RunContext,
    readonly xuid: string,
    /** The player's `Authorization` header value (the RTA upgrade sends it too). */
    readonly authorization: string,
  ) {}

  static async create(run: RunContext, xuid: string): Promise<Player> {
    return new Player(run, xuid, await run.authorizationFor(xuid));
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: this.authorization, 'x-xbl-contract-version': '107', ...extra };
  }

  /**
   * A session write, repeated as a client repeats it; answers the final answer (2xx, or a 4xx the service gave),
   * or undefined when the run ended first. `operation` names it in the figures.
   */
  async write(
    operation: string,
    session: SessionRef,
    body: unknown,
    meta: WriteMeta,
    expected: Expected = nothingElse,
    /** A scenario's set-up (realtime's joins): sent once even when the run has ended, never repeated after it. */
    setup = false,
  ): Promise<HttpAnswer | undefined> {
    const text = JSON.stringify(body);
    let mayBeNoop = false;
    for (let first = setup; first || this.run.running(); first = false) {
      const id = this.run.ledger.newId();
      const answer = await this.run.client.send({
        method: 'PUT',
        path: pathOf(session),
        headers: this.headers(),
        body: text,
      });
      const outcome = outcomeOf(answer.status);
      const view = outcome === 'acked' && answer.status !== 204 ? viewOfSession(answer.text) : undefined;
      if (view !== undefined) {
        const etag = headerOf(answer, 'etag');
        if (etag !== undefined) this.etags.set(session.name, etag);
      }
      this.run.recorder.record(
        operation,
        answer.status,
        answer.answeredAt - answer.sentAt,
        answer.answeredAt,
        !(is2xx(answer.status) || answer.status === 429 || expected(answer)),
      );
      this.run.ledger.add({
        id,
        session: session.name,
        template: session.template,
        xuid: this.xuid,
        ...meta,
        sentAt: answer.sentAt,
        ...(outcome === 'unknown' ? {} : { answeredAt: answer.answeredAt }),
        outcome,
        status: answer.status,
        ...(outcome === 'unknown'
          ? { reason: answer.status === 'error' ? (answer.error ?? 'no answer') : `answered ${answer.status}` }
          : {}),
        ...(view === undefined
          ? {}
          : {
              changeNumber: view.changeNumber,
              branch: view.branch,
              membersInAnswer: view.members.length,
              maxMembersInAnswer: view.maxMembersCount,
              timerPending: view.timerPending,
            }),
        mayBeNoop,
      });
      if (outcome === 'acked' || (outcome === 'refused' && answer.status !== 429)) return answer;
      // 429: nothing applied, so a repeat is a fresh write. 5xx or no answer: maybe applied, so a repeat may change
      // nothing (README, "What a 503 guarantees").
      if (outcome === 'unknown') mayBeNoop = true;
      await this.run.pause(answer.status === 'error' ? 1000 : retryAfterMs(answer));
    }
    return undefined;
  }

  /**
   * Joins (or creates and joins) by `members.me`, as XSAPI and friend-connect do: the xuid in the member's
   * constants, `initialize`, `active`; with RTA, the ConnectionId and a subscription to every change.
   */
  join(
    session: SessionRef,
    options: {
      operation?: string;
      constants?: Record<string, unknown>;
      connection?: string;
      expected?: Expected;
      /** Sent once even when the run has ended (see {@link Player.write}). */
      setup?: boolean;
    } = {},
  ): Promise<HttpAnswer | undefined> {
    const system: Record<string, unknown> = { active: true };
    if (options.connection !== undefined) {
      system.connection = options.connection;
      system.subscription = { id: randomUUID().toUpperCase(), changeTypes: ['everything'] };
    }
    const body = {
      ...(options.constants === undefined ? {} : { constants: { system: options.constants } }),
      members: { me: { constants: { system: { xuid: this.xuid, initialize: true } }, properties: { system } } },
    };
    return this.write(options.operation ?? 'join', session, body, { kind: 'join' }, options.expected, options.setup);
  }

  /** Writes one of the player's own custom member properties (XSAPI's memberCustomJson shape). */
  setMemberProperty(session: SessionRef, key: string): Promise<HttpAnswer | undefined> {
    const value = this.run.nextValue();
    return this.write(
      'member-property',
      session,
      { members: { me: { properties: { custom: { [key]: value } } } } },
      { kind: 'member-property', key, value },
    );
  }

  /** Writes a custom session property (XSAPI's writeCustomPropertyJson shape). */
  setSessionProperty(session: SessionRef, key: string): Promise<HttpAnswer | undefined> {
    const value = this.run.nextValue();
    return this.write(
      'session-property',
      session,
      { properties: { custom: { [key]: value } } },
      { kind: 'session-property', key, value },
    );
  }

  /** Leaves by `members.me: null`, as every client does; the last leaver's answer is 204 (the session is gone). */
  leave(session: SessionRef): Promise<HttpAnswer | undefined> {
    return this.write('leave', session, { members: { me: null } }, { kind: 'leave' });
  }

  /** A GET with If-None-Match (the ETag this player last saw): 304 while the session is unchanged. */
  async poll(session: SessionRef, operation = 'poll'): Promise<HttpAnswer | undefined> {
    if (!this.run.running()) return undefined;
    this.run.ledger.newId();
    const etag = this.etags.get(session.name);
    const answer = await this.run.client.send({
      method: 'GET',
      path: pathOf(session),
      headers: this.headers(etag === undefined ? {} : { 'if-none-match': etag }),
    });
    const fresh = headerOf(answer, 'etag');
    if (answer.status === 200 && fresh !== undefined) this.etags.set(session.name, fresh);
    this.run.recorder.record(
      operation,
      answer.status,
      answer.answeredAt - answer.sentAt,
      answer.answeredAt,
      !(answer.status === 200 || answer.status === 304 || answer.status === 204 || answer.status === 429),
    );
    await this.backOff(answer);
    return answer;
  }

  /** Posts the player's activity handle for the session (family spec §3), as friend-connect does after a join. */
  async postActivity(session: SessionRef): Promise<HttpAnswer | undefined> {
    if (!this.run.running()) return undefined;
    this.run.ledger.newId();
    const answer = await this.run.client.send({
      method: 'POST',
      path: '/handles',
      headers: this.headers(),
      body: JSON.stringify({
        version: 1,
        type: 'activity',
        sessionRef: { scid: SAMPLE_SCID, templateName: session.template, name: session.name },
      }),
    });
    this.run.recorder.record(
      'activity-handle',
      answer.status,
      answer.answeredAt - answer.sentAt,
      answer.answeredAt,
      !(answer.status === 200 || answer.status === 201 || answer.status === 429),
    );
    await this.backOff(answer);
    return answer;
  }

  /**
   * After a read's 429 or 503, its Retry-After; after no answer at all, 1 s: a target that went away is not asked
   * again as fast as it refuses.
   */
  private async backOff(answer: HttpAnswer): Promise<void> {
    if (answer.status === 'error') await this.run.pause(1000);
    else if (answer.status === 429 || answer.status === 503) await this.run.pause(retryAfterMs(answer));
  }

  /** The think time between two requests of this player. */
  think(): Promise<void> {
    return this.run.thinkMs > 0 ? this.run.pause(this.run.thinkMs) : Promise.resolve();
  }
}
