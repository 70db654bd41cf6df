import type { ExplorerFile } from '../config/explorer-files';
import type { ApiEvent, ApiHandler, ApiResult } from './api-types';
import { headerValue } from './headers';

// The session explorer's page (README, "Session explorer"): GET /explorer and GET /explorer/{asset}, static files
// from memory plus one small settings document. No request pipeline: the page holds no data, needs no token and
// writes nothing; everything it shows it reads from the public API with the token the tester gives it, so nothing
// it shows or does is possible without a token allowed to do it.

/** The one answer that is not a file: what the page needs to know about where it runs. */
export const EXPLORER_SETTINGS_ASSET = 'settings.json';

/** What the page handler serves. */
export interface ExplorerPageOptions {
  /** The page's files (lambda/config/explorer-files.ts `loadExplorerFiles`). */
  readonly files: ReadonlyMap<string, ExplorerFile>;
  /**
   * The real-time activity WebSocket URL the page connects to. Deployed, the WebSocket API's URL (another host);
   * absent, `ws(s)://<the request's host>/connect`, where the local server serves it on its own port.
   */
  readonly realTimeUrl?: string;
}

/**
 * Locks the page to its own origin: its scripts and styles come only from these files (no inline script, no CDN),
 * it talks only to this API and a WebSocket, and no other site may frame it (it acts with a pasted token).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Revalidated on every load (ETag), so a deployment's new page is seen at once.
  'cache-control': 'no-cache',
};

/** The handler of the explorer's routes, over files already read. */
export function makeExplorerPageHandler(options: ExplorerPageOptions): ApiHandler {
  return async (event) => {
    const asset = event.pathParameters?.asset ?? 'index.html';
    if (asset === EXPLORER_SETTINGS_ASSET) return settingsAnswer(event, options.realTimeUrl);
    const file = options.files.get(asset);
    if (file === undefined) return notFound(asset, [...options.files.keys(), EXPLORER_SETTINGS_ASSET]);
    if (headerValue(event.headers, 'if-none-match') === file.etag) {
      return { statusCode: 304, headers: { ...PAGE_HEADERS, etag: file.etag } };
    }
    return {
      statusCode: 200,
      headers: { ...PAGE_HEADERS, 'content-type': file.contentType, etag: file.etag },
      body: file.body,
    };
  };
}

function settingsAnswer(event: ApiEvent, realTimeUrl: string | undefined): ApiResult {
  return {
    statusCode: 200,
    headers: { ...PAGE_HEADERS, 'content-type': 'application/json' },
    body: JSON.stringify({ realTimeUrl: realTimeUrl ?? sameHostRealTimeUrl(event) }),
  };
}

/** `ws://<host>/connect` (wss behind HTTPS): where the local server serves real-time activity, on its own port. */
function sameHostRealTimeUrl(event: ApiEvent): string {
  const host = headerValue(event.headers, 'host') ?? event.requestContext?.domainName ?? '127.0.0.1';
  const secure = headerValue(event.headers, 'x-forwarded-proto') === 'https';
  return `${secure ? 'wss' : 'ws'}://${host}/connect`;
}

function notFound(asset: string, names: readonly string[]): ApiResult {
  return {
    statusCode: 404,
    headers: { ...PAGE_HEADERS, 'content-type': 'application/json' },
    body: JSON.stringify({
      code: 'NotFound',
      message: `The session explorer has no file "${asset}"; it serves /explorer and /explorer/ followed by one of: ${names.join(', ')}.`,
    }),
  };
}
