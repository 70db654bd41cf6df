import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

// The session explorer's files (lambda/explorer/): the one list of what the page is made of, with each file's media
// type. The handler serves exactly these and nothing else from the folder, so a stray file (an editor's backup, a
// screenshot) is never published; test/explorer/explorer-page.test.ts checks the list against the folder.

/** Every file of the page, by name, with the Content-Type it is served with. */
export const EXPLORER_FILES = {
  'index.html': 'text/html; charset=utf-8',
  'explorer.css': 'text/css; charset=utf-8',
  'explorer.js': 'text/javascript; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'live.js': 'text/javascript; charset=utf-8',
  'session-view.js': 'text/javascript; charset=utf-8',
  'json-diff.js': 'text/javascript; charset=utf-8',
} as const satisfies Record<string, string>;

export type ExplorerFileName = keyof typeof EXPLORER_FILES;

/** One file as it is served. */
export interface ExplorerFile {
  readonly body: string;
  readonly contentType: string;
  /** A strong validator of the body, so a browser revalidates with a 304 instead of downloading it again. */
  readonly etag: string;
}

/**
 * Reads every file of the page from `dir` once (a container serves them from memory). Throws naming the folder and
 * the file when one is missing: a deployment must not come up with half a page.
 */
export function loadExplorerFiles(dir: string): ReadonlyMap<string, ExplorerFile> {
  const files = new Map<string, ExplorerFile>();
  for (const [name, contentType] of Object.entries(EXPLORER_FILES)) {
    let body: string;
    try {
      body = readFileSync(path.join(dir, name), 'utf8');
    } catch (error) {
      throw new Error(`The session explorer's file ${name} cannot be read from ${dir}: ${(error as Error).message}`);
    }
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    files.set(name, { body, contentType, etag });
  }
  return files;
}
