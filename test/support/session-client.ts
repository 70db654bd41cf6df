import { mintToken } from '../../lambda/auth/development-token';
import type { TokenClaims } from '../../lambda/auth/token-claims';

import { SESSION_TEMPLATES_SEGMENTS, sessionPathOf } from '../../lambda/http/routes';
import { SAMPLE_SCID } from '../../local/start-banner';

export { SAMPLE_SCID };

/** A response as the tests look at it: status, lower-cased headers, raw text and (when JSON) the parsed body. */
export interface SessionResponse {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect arbitrary JSON
  json: any;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** A body as text (sent verbatim) or a value (JSON.stringify'd). */
  body?: unknown;
  /** Leave out the default x-xbl-contract-version: 107. */
  noContractVersion?: boolean;
  query?: string;
  /** Path spelling: `sessionTemplates` (XSAPI) or `sessiontemplates` (docs). */
  spelling?: (typeof SESSION_TEMPLATES_SEGMENTS)[number];
}

/** Builds the session URI path. */
export function sessionUri(
  scid: string,
  template: string,
  name: string,
  spelling: string = SESSION_TEMPLATES_SEGMENTS[0],
): string {
  return sessionPathOf({ scid, templateName: encodeURIComponent(template), name: encodeURIComponent(name) }, spelling);
}

export interface SessionClientOptions {
  /**
   * How many times a 503 is repeated, after the `Retry-After` it carries, as MPSD clients do (default
   * {@link DEFAULT_RETRIES_AFTER_503}); 0 returns every 503 as it is, for tests about 503s. On a busy machine a request
   * may outlast the service's 7 s time budget; a test must not depend on the machine's speed. Repeating is safe: a 503
   * means nothing was stored, or the change was stored exactly once, and MPSD changes are idempotent (README, "What a
   * 503 guarantees"); tests that count `changeNumber` still prove that nothing was applied twice.
   */
  readonly retryUnavailable?: number;
}

/** 503s a test client repeats unless told otherwise: bounded, so a service that stays unavailable still fails. */
export const DEFAULT_RETRIES_AFTER_503 = 3;

/** Longest Retry-After honoured: the service sends 1 s; a larger value would be a defect, not a reason to wait. */
const MAX_RETRY_AFTER_SECONDS = 5;

/** A caller of the service under test: one identity (token), plain fetch underneath. */
export class SessionClient {
  private authorization: Promise<string>;
  /** 503 answers this client has repeated (see {@link SessionClientOptions.retryUnavailable}). */
  unavailableAnswers = 0;

  constructor(
    private readonly baseUrl: string,
    claims: TokenClaims,
    private readonly clientOptions: SessionClientOptions = {},
  ) {
    this.authorization = mintToken(claims);
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<SessionResponse> {
    for (let retries = 0; ; retries += 1) {
      const response = await this.send(method, path, options);
      if (response.status !== 503 || retries >= (this.clientOptions.retryUnavailable ?? DEFAULT_RETRIES_AFTER_503))
        return response;
      // A 503 must say when to come back (spec §1.6); one that does not is answered as it is, for the test to see.
      const retryAfter = Number(response.headers.get('retry-after'));
      if (!Number.isInteger(retryAfter) || retryAfter < 1 || retryAfter > MAX_RETRY_AFTER_SECONDS) return response;
      this.unavailableAnswers += 1;
      await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    }
  }

  private async send(method: string, path: string, options: RequestOptions): Promise<SessionResponse> {
    const headers: Record<string, string> = { authorization: await this.authorization };
    if (!options.noContractVersion) headers['x-xbl-contract-version'] = '107';
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    Object.assign(headers, options.headers);
    const url = `${this.baseUrl}${path}${options.query === undefined ? '' : `?${options.query}`}`;
    const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  /**
   * A request to the session or one of its parts (`/properties`, `/members/{key}`, `/servers/{name}`): the one place
   * the session's path is built, in the spelling the options ask for.
   */
  private atSession(
    method: string,
    scid: string,
    template: string,
    name: string,
    part: string,
    options: RequestOptions,
  ): Promise<SessionResponse> {
    return this.request(method, `${sessionUri(scid, template, name, options.spelling)}${part}`, options);
  }

  get(scid: string, template: string, name: string, options: RequestOptions = {}): Promise<SessionResponse> {
    return this.atSession('GET', scid, template, name, '', options);
  }

  put(scid: string, template: string, name: string, body: unknown, options: RequestOptions = {}) {
    return this.atSession('PUT', scid, template, name, '', { ...options, body });
  }

  /** `PUT …/sessions/{name}/properties` (family spec §2.1): the body is the properties change. */
  putProperties(scid: string, template: string, name: string, body: unknown, options: RequestOptions = {}) {
    return this.atSession('PUT', scid, template, name, '/properties', { ...options, body });
  }

  /** `DELETE …/sessions/{name}/members/{key}`, `key` `me` or a member index (family spec §2.2, §2.3). */
  deleteMember(scid: string, template: string, name: string, key: string, options: RequestOptions = {}) {
    return this.atSession('DELETE', scid, template, name, `/members/${encodeURIComponent(key)}`, options);
  }

  /** `DELETE …/sessions/{name}/servers/{serverName}` (family spec §2.4). */
  deleteServer(scid: string, template: string, name: string, serverName: string, options: RequestOptions = {}) {
    return this.atSession('DELETE', scid, template, name, `/servers/${encodeURIComponent(serverName)}`, options);
  }
}

/** The PUT body with which a user creates or joins a session as an active member (XSAPI's usual join). */
export function joinBody(xuid: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    members: { me: { constants: { system: { xuid, initialize: true } }, properties: { system: { active: true } } } },
    ...extra,
  };
}
