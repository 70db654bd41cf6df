import type { ApiHandler } from '../http/api-types';
import { lambdaHandler } from '../runtime/lambda-runtime';

/** Lambda entry for `GET .../sessions/{sessionName}`. */
export const handler: ApiHandler = lambdaHandler('getSession');
