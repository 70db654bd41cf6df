import type { ApiHandler } from '../http/api-types';
import { explorerPageLambdaHandler } from '../runtime/page-runtime';

/** Lambda entry for `GET /explorer` and `GET /explorer/{asset}`: the session explorer's page. */
export const handler: ApiHandler = explorerPageLambdaHandler();
