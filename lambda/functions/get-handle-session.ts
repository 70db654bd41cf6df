import type { ApiHandler } from '../http/api-types';
import { getHandleSession } from '../http/handle-resource';
import { lambdaHandler } from '../runtime/lambda-runtime';
import { handleSessionDeps } from '../runtime/wiring';

/** Lambda entry for `GET /handles/{handleId}/session`. */
export const handler: ApiHandler = lambdaHandler('getHandleSession', getHandleSession, handleSessionDeps);
