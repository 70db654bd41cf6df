import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { FinderChange } from '../domain/queries/finder-terms';
import { translateStoreError } from './error-translation';
import type { CandidatePage, SessionFinder } from './session-finder';
import { FINDER_ITEM_ATTRIBUTES as A, FINDER_KEY_PREFIX, SESSION_FINDER_INDEX } from './table-schema';
import { StoreUnavailableError } from './versioned-store';

// Finder items in the sessions table (table-schema.ts SESSION_FINDER_INDEX): `find#<session key>#<term>`, each with
// its index keys. Written only by the stream's finder function, in batches of 25 (BatchWriteItem's limit).

const BATCH_WRITE_ITEMS = 25;
const UNPROCESSED_ROUNDS = 5;

/** The finder item's key of a session and a term. */
function finderKey(sessionKey: string, term: string): string {
  return `${FINDER_KEY_PREFIX}${sessionKey}#${term}`;
}

/** The session key inside a finder item's key: the three parts after the prefix (none of them holds '#'). */
function sessionKeyOf(itemKey: string): string {
  return itemKey.slice(FINDER_KEY_PREFIX.length).split('#', 3).join('#');
}

function scidOf(sessionKey: string): string {
  return sessionKey.slice(0, sessionKey.indexOf('#'));
}

export class DynamoDbSessionFinder implements SessionFinder {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async apply(sessionKey: string, change: FinderChange): Promise<void> {
    const requests: WriteRequest[] = [];
    if (change.startTime !== undefined) {
      for (const term of change.put) {
        requests.push({
          PutRequest: {
            Item: {
              [A.key]: { S: finderKey(sessionKey, term) },
              [A.finder]: { S: `${scidOf(sessionKey)}#${term}` },
              [A.start]: { S: change.startTime },
            },
          },
        });
      }
    }
    for (const term of change.delete) {
      requests.push({ DeleteRequest: { Key: { [A.key]: { S: finderKey(sessionKey, term) } } } });
    }
    for (let i = 0; i < requests.length; i += BATCH_WRITE_ITEMS) {
      await this.write(requests.slice(i, i + BATCH_WRITE_ITEMS));
    }
  }

  /** One BatchWriteItem, re-sending what it left unprocessed (throttling) a few times before giving up. */
  private async write(batch: WriteRequest[]): Promise<void> {
    let pending = batch;
    for (let round = 0; pending.length > 0; round += 1) {
      if (round === UNPROCESSED_ROUNDS) {
        throw new StoreUnavailableError('DynamoDB BatchWriteItem left finder items unprocessed after retries');
      }
      if (round > 0) await sleep(50 * 2 ** round);
      try {
        const { UnprocessedItems } = await this.client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.tableName]: pending } }),
        );
        pending = UnprocessedItems?.[this.tableName] ?? [];
      } catch (error) {
        return translateStoreError(error, 'BatchWriteItem');
      }
    }
  }

  async candidates(
    scid: string,
    term: string,
    page: { readonly templateName?: string; readonly limit: number; readonly after?: string },
  ): Promise<CandidatePage> {
    const lowerScid = scid.toLowerCase();
    const input: QueryCommandInput = {
      TableName: this.tableName,
      IndexName: SESSION_FINDER_INDEX.name,
      KeyConditionExpression: '#finder = :finder',
      ExpressionAttributeNames: { '#finder': A.finder },
      ExpressionAttributeValues: { ':finder': { S: `${lowerScid}#${term}` } },
      ScanIndexForward: false,
      Limit: page.limit,
      ...(page.after === undefined
        ? {}
        : { ExclusiveStartKey: JSON.parse(page.after) as Record<string, AttributeValue> }),
    };
    if (page.templateName !== undefined) {
      input.FilterExpression = 'begins_with(#pk, :prefix)';
      input.ExpressionAttributeNames = { ...input.ExpressionAttributeNames, '#pk': A.key };
      input.ExpressionAttributeValues = {
        ...input.ExpressionAttributeValues,
        ':prefix': { S: `${FINDER_KEY_PREFIX}${lowerScid}#${page.templateName.toLowerCase()}#` },
      };
    }
    try {
      const { Items, LastEvaluatedKey } = await this.client.send(new QueryCommand(input));
      const keys = (Items ?? []).map((item) => sessionKeyOf(item[A.key]?.S ?? ''));
      return LastEvaluatedKey === undefined ? { keys } : { keys, next: JSON.stringify(LastEvaluatedKey) };
    } catch (error) {
      return translateStoreError(error, 'Query');
    }
  }
}
