import type { ApiHandler } from '../http/api-types';
import { getHandle } from '../http/handle-resource';
import { lambdaHandler } from '../runtime/lambda-runtime';
import { handleResourceDeps } from '../runtime/wiring';

/** Lambda entry for `GET /handles/{handleId}`. */
export const handler: ApiHandler = lambdaHandler('getHandle', getHandle, handleResourceDeps);
