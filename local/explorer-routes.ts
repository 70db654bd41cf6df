import { mintToken } from '../lambda/auth/development-token';
import { loadExplorerFiles } from '../lambda/config/explorer-files';
import type { ApiHandler } from '../lambda/http/api-types';
import { makeExplorerPageHandler } from '../lambda/http/explorer-page';
import {
  EXPLORER_PATH,
  type FunctionName,
  PAGE_ROUTES,
  type PageFunctionName,
  ROUTES,
  type Route,
} from '../lambda/http/routes';
import { EXPLORER_DIR } from './local-config';

// What the local server serves beyond the deployed API: the session explorer's development token. The page asks for
// it on load and, when the route answers, acts as a server principal without the tester pasting anything. The
// route is in no table the CDK stack reads (test/infra/session-directory-stack.test.ts finds no trace of it in the
// synthesized API): deployed, the same path is just an unknown file of the page, 404.

/** The local-only function: mints a development server token for the page. */
export type LocalOnlyFunctionName = 'explorerDevelopmentToken';

/** Where the page finds its development token, locally. */
export const EXPLORER_DEVELOPMENT_TOKEN_PATH = `${EXPLORER_PATH}/development-token`;

/** Routes only the local server has. */
export const LOCAL_ONLY_ROUTES: readonly Route<LocalOnlyFunctionName>[] = [
  { method: 'GET', path: EXPLORER_DEVELOPMENT_TOKEN_PATH, function: 'explorerDevelopmentToken', resource: 'page' },
];

/** Every function a local server routes to. */
export type LocalFunctionName = FunctionName | PageFunctionName | LocalOnlyFunctionName;

/** What `npm start` and the test service route: the deployed API's routes (MPSD and pages) and the local-only ones. */
export const LOCAL_ROUTES: readonly Route<LocalFunctionName>[] = [...ROUTES, ...PAGE_ROUTES, ...LOCAL_ONLY_ROUTES];

/** How long the page's development token lives: a working day, as the token `npm start` prints. */
const DEVELOPMENT_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;

/**
 * The explorer's handlers as the local server runs them: the page over the repository's files, and the development
 * token, a server principal's (the QA listing and removing members need one) signed with the public development
 * secret, which only a local service accepts.
 */
export function makeLocalExplorerHandlers(): Record<PageFunctionName | LocalOnlyFunctionName, ApiHandler> {
  return {
    explorerPage: makeExplorerPageHandler({ files: loadExplorerFiles(EXPLORER_DIR) }),
    explorerDevelopmentToken: async () => {
      const authorization = await mintToken({ server: true }, { expiresInSeconds: DEVELOPMENT_TOKEN_LIFETIME_SECONDS });
      return {
        statusCode: 200,
        // A credential: never cached by the browser or anything in between.
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        body: JSON.stringify({
          authorization,
          principal: 'server',
          expiresInSeconds: DEVELOPMENT_TOKEN_LIFETIME_SECONDS,
        }),
      };
    },
  };
}
