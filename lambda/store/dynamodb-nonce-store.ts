import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { translateStoreError } from './error-translation';
import type { NonceStore, StoredNonce } from './nonce-store';
import { CONNECTION_ITEM_ATTRIBUTES as A, NONCE_KEY_PREFIX } from './table-schema';

const nonceKey = (key: string) => ({ [A.key]: { S: `${NONCE_KEY_PREFIX}${key}` } });

/**
 * The NonceStore on DynamoDB: `nonce#<hash>` items in the connections table with TTL. A nonce is taken by a delete
 * conditional on the item existing and not having expired (TTL deletion lags by up to days, so expiry is checked
 * here), which DynamoDB applies atomically: only one of two upgrades with the same nonce gets its owner.
 */
export class DynamoDbNonceStore implements NonceStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async put(nonce: StoredNonce): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...nonceKey(nonce.key),
            [A.owner]: { S: nonce.owner },
            [A.nonceExpiresAt]: { N: String(nonce.expiresAt) },
            [A.ttl]: { N: String(nonce.ttl) },
          },
          // A fresh 128-bit random value never collides; the condition makes sure a collision could not re-arm one.
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': A.key },
        }),
      );
    } catch (error) {
      translateStoreError(error, 'PutItem');
    }
  }

  async take(key: string, now: number): Promise<string | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: nonceKey(key),
          ConditionExpression: 'attribute_exists(#pk) AND #expiresAt > :now',
          ExpressionAttributeNames: { '#pk': A.key, '#expiresAt': A.nonceExpiresAt },
          ExpressionAttributeValues: { ':now': { N: String(now) } },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return Attributes?.[A.owner]?.S;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      return translateStoreError(error, 'DeleteItem');
    }
  }
}
