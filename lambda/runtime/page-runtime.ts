import { loadExplorerFiles } from '../config/explorer-files';
import type { ApiHandler } from '../http/api-types';
import { makeExplorerPageHandler } from '../http/explorer-page';
import type { PageFunctionName } from '../http/routes';
import { RUNTIME_VARIABLES as VARIABLES } from './environment-variables';
import { type Environment, environmentReader } from './runtime-config';

// The Lambda side of the page functions (the session explorer): what they read from their environment, and their
// handler, built once per container. They read no table and no secret.

/** What the explorer page function's environment says. */
export interface ExplorerPageSettings {
  readonly assetsDir: string;
  readonly realTimeUrl?: string;
}

/** Reads the explorer page function's settings, by the names of RUNTIME_VARIABLES, every missing one named at once. */
export function readExplorerPageConfig(env: Environment): ExplorerPageSettings {
  const { optional, required, done } = environmentReader(env);
  const assetsDir = required(VARIABLES.explorerAssetsDir);
  const realTimeUrl = optional(VARIABLES.explorerRealTimeUrl);
  done();
  return { assetsDir, ...(realTimeUrl === undefined ? {} : { realTimeUrl }) };
}

/** Which reader each page function's configuration comes from (test/infra/function-environment.test.ts). */
export const PAGE_READERS = {
  explorerPage: readExplorerPageConfig,
} as const satisfies Record<PageFunctionName, (env: Environment) => unknown>;

/** The explorer page's Lambda handler: its files are read on first use and kept for the container's life. */
export function explorerPageLambdaHandler(): ApiHandler {
  let handler: ApiHandler | undefined;
  return async (event, context) => {
    if (handler === undefined) {
      const settings = readExplorerPageConfig(process.env);
      handler = makeExplorerPageHandler({
        files: loadExplorerFiles(settings.assetsDir),
        ...(settings.realTimeUrl === undefined ? {} : { realTimeUrl: settings.realTimeUrl }),
      });
    }
    return handler(event, context);
  };
}
