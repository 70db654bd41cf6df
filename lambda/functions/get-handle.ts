import type { ApiHandler } from '../http/api-types';
import { lambdaHandler } from '../runtime/lambda-runtime';

/** Lambda entry for `GET /handles/{handleId}`. */
export const handler: ApiHandler = lambdaHandler('getHandle');
