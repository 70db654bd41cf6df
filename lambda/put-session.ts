import type { ApiHandler } from './http/api-types';
import { lambdaHandlers } from './lambda-environment';

/** Lambda entry for `PUT .../sessions/{sessionName}`. */
export const handler: ApiHandler = async (event) => (await lambdaHandlers()).putSession(event);
