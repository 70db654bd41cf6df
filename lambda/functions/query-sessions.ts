import type { ApiHandler } from '../http/api-types';
import { querySessions } from '../http/session-queries';
import { lambdaHandler } from '../runtime/lambda-runtime';
import { sessionQueryDeps } from '../runtime/wiring';

/** Lambda entry for `GET /serviceconfigs/{scid}[/sessiontemplates/{sessionTemplateName}]/sessions`. */
export const handler: ApiHandler = lambdaHandler('querySessions', querySessions, sessionQueryDeps);
