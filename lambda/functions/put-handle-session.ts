import type { ApiHandler } from '../http/api-types';
import { lambdaHandler } from '../runtime/lambda-runtime';

/** Lambda entry for `PUT /handles/{handleId}/session`. */
export const handler: ApiHandler = lambdaHandler('putHandleSession');
