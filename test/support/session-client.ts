import { mintToken } from '../../lambda/auth/development-token';
import type { TokenClaims } from '../../lambda/auth/token-claims';

/** The sample service config (lambda/templates/00000000-0000-0000-0000-00006c6f6361.json). */
export const SAMPLE_SCID = '00000000-0000-0000-0000-00006c6f6361';

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
  spelling?: 'sessionTemplates' | 'sessiontemplates';
}

/** Builds the session URI path. */
export function sessionUri(scid: string, template: string, name: string, spelling = 'sessiontemplates'): string {
  return `/serviceconfigs/${scid}/${spelling}/${encodeURIComponent(template)}/sessions/${encodeURIComponent(name)}`;
}

/** A caller of the service under test: one identity (token), plain fetch underneath. */
export class SessionClient {
  private authorization: Promise<string>;

  constructor(
    private readonly baseUrl: string,
    claims: TokenClaims,
  ) {
    this.authorization = mintToken(claims);
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<SessionResponse> {
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

  get(scid: string, template: string, name: string, options: RequestOptions = {}): Promise<SessionResponse> {
    return this.request('GET', sessionUri(scid, template, name, options.spelling), options);
  }

  put(
    scid: string,
    template: string,
    name: string,
    body: unknown,
    options: RequestOptions = {},
  ): Promise<SessionResponse> {
    return this.request('PUT', sessionUri(scid, template, name, options.spelling), { ...options, body });
  }
}

/** The PUT body with which a user creates or joins a session as an active member (XSAPI's usual join). */
export function joinBody(xuid: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    members: { me: { constants: { system: { xuid, initialize: true } }, properties: { system: { active: true } } } },
    ...extra,
  };
}
