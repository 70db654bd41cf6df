import type { ApiHandler } from '../http/api-types';
import { lambdaHandler } from '../runtime/lambda-runtime';

/** Lambda entry for `PUT .../sessions/{sessionName}/properties`. */
export const handler: ApiHandler = lambdaHandler('putSessionProperties');
