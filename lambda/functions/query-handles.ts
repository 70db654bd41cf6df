import type { ApiHandler } from '../http/api-types';
import { queryHandles } from '../http/handle-resource';
import { lambdaHandler } from '../runtime/lambda-runtime';
import { handleResourceDeps } from '../runtime/wiring';

/** Lambda entry for `POST /handles/query`. */
export const handler: ApiHandler = lambdaHandler('queryHandles', queryHandles, handleResourceDeps);
