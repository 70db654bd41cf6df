import type { ApiHandler } from '../http/api-types';
import { lambdaHandler } from '../runtime/lambda-runtime';

/** Lambda entry for `DELETE .../sessions/{sessionName}/members/me` and `.../members/{index}`. */
export const handler: ApiHandler = lambdaHandler('deleteSessionMember');
