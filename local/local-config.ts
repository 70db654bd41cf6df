import path from 'node:path';
import { DEVELOPMENT_TOKEN_SECRET } from '../lambda/auth/development-token';
import { PAGE_FUNCTIONS } from '../lambda/http/routes';
import type { RuntimeConfig } from '../lambda/runtime/runtime-config';

/** The session templates bundled with the functions, read in place when running locally. */
export const TEMPLATES_DIR = path.resolve(__dirname, '../lambda/templates');

/** The session explorer's files, read in place when running locally (the functions get a copy in their bundle). */
export const EXPLORER_DIR = path.resolve(__dirname, '..', PAGE_FUNCTIONS.explorerPage.assetsDir);

/**
 * The configuration every local run starts from (npm start, the tests): DynamoDB at `endpoint`, the repository's
 * templates, the public development secret, and the `local` environment that alone allows it.
 */
export function localRuntimeConfig(tableName: string, endpoint: string): RuntimeConfig {
  return {
    tableName,
    dynamoDbEndpoint: endpoint,
    region: 'local',
    templatesDir: TEMPLATES_DIR,
    tokenSecret: DEVELOPMENT_TOKEN_SECRET,
    environment: 'local',
  };
}
