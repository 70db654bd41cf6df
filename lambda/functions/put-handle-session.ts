import type { ApiHandler } from '../http/api-types';
import { putHandleSession } from '../http/handle-resource';
import { lambdaHandler } from '../runtime/lambda-runtime';
import { handleSessionDeps } from '../runtime/wiring';

/** Lambda entry for `PUT /handles/{handleId}/session`. */
export const handler: ApiHandler = lambdaHandler('putHandleSession', putHandleSession, handleSessionDeps);
