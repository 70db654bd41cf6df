import type { WebSocketHandler } from '../rta/websocket-types';
import { rtaLambdaHandler } from '../runtime/rta-runtime';

/** Lambda entry for the real-time activity WebSocket API's `$default` route. */
export const handler: WebSocketHandler = rtaLambdaHandler('rtaMessage');
