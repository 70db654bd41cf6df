import type { ApiHandler } from '../http/api-types';
import { lambdaHandler } from '../runtime/lambda-runtime';

/** Lambda entry for `POST /handles`. */
export const handler: ApiHandler = lambdaHandler('postHandle');
