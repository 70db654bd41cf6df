import type { ApiHandler } from '../http/api-types';
import { getNonce } from '../http/nonce-resource';
import { lambdaHandler } from '../runtime/lambda-runtime';
import { nonceResourceDeps } from '../runtime/wiring';

/** Lambda entry for `GET /nonce` (family spec §6.1: xbox-rta's one-use nonce for the real-time activity socket). */
export const handler: ApiHandler = lambdaHandler('getNonce', getNonce, nonceResourceDeps);
