// The public API as the page calls it: every request carries the tester's Authorization header and MPSD's contract
// version, and every answer is kept whole (status, the headers QA looks at, the body) so the page can show it.

/** The contract version the page speaks (the session resource's current one). */
export const CONTRACT_VERSION = '107';

/** The answer headers the page shows with an answer. */
const SHOWN_HEADERS = ['etag', 'content-location', 'expires', 'retry-after', 'www-authenticate'];

/** A session's path, each part encoded: `/serviceconfigs/{scid}/sessiontemplates/{template}/sessions/{name}`. */
export function sessionPath(ref) {
  return `/serviceconfigs/${encodeURIComponent(ref.scid)}/sessiontemplates/${encodeURIComponent(ref.templateName)}/sessions/${encodeURIComponent(ref.name)}`;
}

/**
 * The listing's path: the QA listing (server principal, no xuid or keyword; paged by take and continuationToken) or,
 * with an xuid or a keyword, the documented session query. A template narrows it to that template's sessions.
 */
export function listingPath(filter) {
  const base = `/serviceconfigs/${encodeURIComponent(filter.scid)}`;
  const path = filter.template
    ? `${base}/sessiontemplates/${encodeURIComponent(filter.template)}/sessions`
    : `${base}/sessions`;
  const query = new URLSearchParams();
  if (filter.xuid) query.set('xuid', filter.xuid);
  if (filter.keyword) query.set('keyword', filter.keyword);
  if (filter.take) query.set('take', String(filter.take));
  if (filter.continuationToken) query.set('continuationToken', filter.continuationToken);
  const text = query.toString();
  return text === '' ? path : `${path}?${text}`;
}

/** Calls the API at `baseUrl` with the Authorization value `authorization()` gives at the time of the call. */
export class Api {
  constructor(baseUrl, authorization) {
    this.baseUrl = baseUrl;
    this.authorization = authorization;
  }

  /**
   * One request; resolves with the whole answer, whatever its status (a network failure is status 0 with the
   * reason). `body` is sent as JSON; `headers` are added (If-Match, If-None-Match).
   */
  async request(method, path, { body, headers = {} } = {}) {
    const requestHeaders = { 'x-xbl-contract-version': CONTRACT_VERSION, ...headers };
    const token = this.authorization();
    if (token) requestHeaders.Authorization = token;
    if (body !== undefined) requestHeaders['Content-Type'] = 'application/json';
    const answer = { method, path, requestBody: body, status: 0, statusText: '', headers: {}, body: undefined };
    let response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: requestHeaders,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch (error) {
      answer.statusText = `no answer: ${error instanceof Error ? error.message : String(error)}`;
      return answer;
    }
    answer.status = response.status;
    answer.statusText = response.statusText;
    for (const name of SHOWN_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) answer.headers[name] = value;
    }
    const text = await response.text();
    if (text !== '') {
      try {
        answer.body = JSON.parse(text);
      } catch {
        answer.body = text;
      }
    }
    return answer;
  }
}
