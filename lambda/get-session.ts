import type { ApiHandler } from './http/api-types';
import { lambdaHandlers } from './lambda-environment';

/** Lambda entry for `GET .../sessions/{sessionName}`. */
export const handler: ApiHandler = async (event) => (await lambdaHandlers()).getSession(event);
