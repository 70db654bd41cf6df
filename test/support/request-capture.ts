import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isJsonObject, parseExactJson, stringifyExactJson } from '../../lambda/domain/json';
import type { SessionClient, SessionResponse } from './session-client';

/** The shared spec's folder (beside the checkout), where the captures and examples live. */
export const SPEC_DIR = path.resolve(__dirname, '../../../shared/spec');

// Headers the HTTP stack sets itself; the token is ours (the captures hold placeholders).
const NOT_REPLAYED = new Set(['authorization', 'content-length', 'connection', 'accept-encoding', 'host']);

/** A captured request as it is replayed: method, path, the headers a client chose, the body's exact bytes. */
export interface RequestCapture {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

/**
 * Reads a request capture (`{method, path, headers?, body?}`, a file under the shared spec folder), keeping the body's
 * numbers and key order exact and dropping the headers the HTTP stack sets itself. Header names are lower-cased.
 */
export function readRequestCapture(file: string): RequestCapture {
  const json = parseExactJson(readFileSync(path.join(SPEC_DIR, file), 'utf8'));
  if (!isJsonObject(json)) throw new Error(`${file}: not a request capture`);
  if (json.headers !== undefined && !isJsonObject(json.headers)) throw new Error(`${file}: headers is not an object`);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(json.headers ?? {})) {
    if (!NOT_REPLAYED.has(k.toLowerCase())) headers[k.toLowerCase()] = String(v);
  }
  return {
    method: String(json.method ?? 'GET'),
    path: String(json.path),
    headers,
    body: json.body === null || json.body === undefined ? undefined : stringifyExactJson(json.body),
  };
}

/**
 * Sends a capture as the client sent it: its method, its path (or `path` where a test must name a resource the
 * capture could not know, such as a handle id), its headers and its body's exact bytes; the token is `caller`'s.
 */
export function replayCapture(
  caller: SessionClient,
  capture: RequestCapture,
  path = capture.path,
): Promise<SessionResponse> {
  return caller.request(capture.method, path, {
    headers: capture.headers,
    ...(capture.body === undefined ? {} : { body: capture.body }),
  });
}

/** The Minecraft title's id (896928775), as the replayed community clients send it in their tokens. */
export const MINECRAFT_TITLE_ID = '896928775';
