import type { ApiHandler } from '../http/api-types';
import { postHandle } from '../http/handle-resource';
import { lambdaHandler } from '../runtime/lambda-runtime';
import { handleResourceDeps } from '../runtime/wiring';

/** Lambda entry for `POST /handles`. */
export const handler: ApiHandler = lambdaHandler('postHandle', postHandle, handleResourceDeps);
