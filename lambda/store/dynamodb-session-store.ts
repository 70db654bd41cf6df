import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { buildGetSession, buildPutSession } from './dynamodb-requests';
import { translateStoreError } from './error-translation';
import { decodeItem } from './item-codec';
import type {
  ExpectedVersion,
  NewRecord,
  SessionStore,
  StoreCallOptions,
  StoredRecord,
  WriteResult,
} from './session-store';

/** The SessionStore on DynamoDB: the only module that knows ConditionalCheckFailedException. */
export class DynamoDbSessionStore implements SessionStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async read(key: string, options?: StoreCallOptions): Promise<StoredRecord | undefined> {
    try {
      const { Item } = await this.client.send(new GetItemCommand(buildGetSession(this.tableName, key)), {
        ...(options?.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
      });
      return Item === undefined ? undefined : decodeItem(Item);
    } catch (error) {
      return translateStoreError(error, 'GetItem');
    }
  }

  async write(
    key: string,
    record: NewRecord,
    expected: ExpectedVersion,
    options?: StoreCallOptions,
  ): Promise<WriteResult> {
    const input = buildPutSession(this.tableName, key, record, expected);
    try {
      await this.client.send(new PutItemCommand(input), {
        ...(options?.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
      });
      return { outcome: 'written', version: Number(input.Item?.version?.N) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return { outcome: 'rejected', current: error.Item === undefined ? undefined : decodeItem(error.Item) };
      }
      return translateStoreError(error, 'PutItem');
    }
  }
}
