// The API Gateway WebSocket API's Lambda proxy event and result, in the parts the handlers read: what Lambda passes
// deployed and what the local server (local/websocket-endpoint.ts) builds.

/** The route a WebSocket event arrives on. */
export type WebSocketRouteKey = '$connect' | '$disconnect' | '$default';

/** An API Gateway WebSocket event (Lambda proxy integration). */
export interface WebSocketEvent {
  readonly requestContext: {
    readonly routeKey: string;
    readonly eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
    /** API Gateway's id of the socket; `postToConnection` addresses it. */
    readonly connectionId: string;
    readonly requestId?: string;
    readonly domainName?: string;
    readonly stage?: string;
    readonly apiId?: string;
    /** Epoch ms the socket was accepted. */
    readonly connectedAt?: number;
    readonly requestTimeEpoch?: number;
    /** `$disconnect` only: the close code, when the client sent one. */
    readonly disconnectStatusCode?: number;
    readonly disconnectReason?: string;
  };
  /** `$connect` only: the upgrade request's headers. */
  readonly headers?: Record<string, string | undefined>;
  readonly multiValueHeaders?: Record<string, string[] | undefined>;
  /** `$connect` only: the query string of the upgrade request. */
  readonly queryStringParameters?: Record<string, string | undefined>;
  /** `$default` only: the frame's text (or base64 of a binary frame). */
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

/**
 * What a handler answers. `$connect`: a non-2xx status refuses the upgrade with that status (and body); headers go
 * on the 101 answer (`Sec-WebSocket-Protocol`). `$default`: a body is sent to the client as one text frame (the
 * route's two-way response), no body sends nothing.
 */
export interface WebSocketResult {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export type WebSocketHandler = (event: WebSocketEvent) => Promise<WebSocketResult>;
