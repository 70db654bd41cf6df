import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { ConnectionGateway } from '../rta/tap-delivery';

/**
 * The deployed ConnectionGateway: API Gateway's PostToConnection on the WebSocket API stage at `callbackUrl`
 * (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`). A 410 GoneException means the socket is gone.
 */
export function makeManagementApiGateway(callbackUrl: string, region: string): ConnectionGateway {
  const client = new ApiGatewayManagementApiClient({
    endpoint: callbackUrl,
    region,
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 },
  });
  return {
    async postToConnection(socketId, frame) {
      try {
        await client.send(new PostToConnectionCommand({ ConnectionId: socketId, Data: Buffer.from(frame, 'utf8') }));
        return 'sent';
      } catch (error) {
        if (error instanceof GoneException) return 'gone';
        throw error;
      }
    },
  };
}
