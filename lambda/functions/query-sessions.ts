import type { ApiHandler } from '../http/api-types';
import { lambdaHandler } from '../runtime/lambda-runtime';

/** Lambda entry for `GET /serviceconfigs/{scid}[/sessiontemplates/{sessionTemplateName}]/sessions`. */
export const handler: ApiHandler = lambdaHandler('querySessions');
