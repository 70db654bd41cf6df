import {
  type AttributeValue,
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  type Put,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import type { Handle } from '../domain/handles/handle';
import { sessionKey } from '../domain/session-reference';
import { translateStoreError } from './error-translation';
import type { ActivityReplacement, HandleStore } from './handle-store';
import { HANDLE_ITEM_ATTRIBUTES as A, ACTIVITY_INDEX, HANDLE_KEY_PREFIXES, SEARCH_INDEX } from './table-schema';

// Handle items in the sessions table (README "Handles"): `handle#<id>` holds the handle as JSON text; an
// activity also has a pointer item `activity#<scid>#<xuid>` holding its id and a copy, keyed for the index of
// activities by SCID; a search handle has a pointer item `search#<session key>`, keyed for the index of search
// handles by template. The pointer is what makes "one activity per user per SCID" and "one search handle per
// session" atomic: replacing it is one transaction with the new handle's put and the old one's delete, conditional
// on the pointer as read.

/** BatchGetItem takes at most 100 keys. */
const BATCH_GET_KEYS = 100;

export function handleKey(id: string): string {
  return `${HANDLE_KEY_PREFIXES.handle}${id}`;
}

export function activityKey(scid: string, xuid: string): string {
  return `${HANDLE_KEY_PREFIXES.activity}${scid.toLowerCase()}#${xuid}`;
}

function key(pk: string): Record<string, AttributeValue> {
  return { [A.key]: { S: pk } };
}

function handleItem(handle: Handle): Record<string, AttributeValue> {
  return {
    ...key(handleKey(handle.id)),
    [A.handle]: { S: JSON.stringify(handle) },
    [A.ttl]: { N: String(handle.expiresAt) },
  };
}

export function searchKey(sessionKeyText: string): string {
  return `${HANDLE_KEY_PREFIXES.search}${sessionKeyText}`;
}

/** The pointer item of a search handle: its session's key, indexed by `<scid>#<template>` and createTime. */
function searchPointerItem(handle: Handle): Record<string, AttributeValue> {
  const ref = handle.sessionRef;
  return {
    ...key(searchKey(sessionKey(ref))),
    [A.handleId]: { S: handle.id },
    [A.handle]: { S: JSON.stringify(handle) },
    [A.ttl]: { N: String(handle.expiresAt) },
    [A.searchScope]: { S: `${ref.scid.toLowerCase()}#${ref.templateName.toLowerCase()}` },
    [A.searchPosted]: { S: handle.createTime },
  };
}

/** The pointer key of an activity or search handle; undefined for the other types. */
function pointerKeyOf(handle: Handle): string | undefined {
  if (handle.type === 'activity') return activityKey(handle.sessionRef.scid, handle.ownerXuid as string);
  if (handle.type === 'search') return searchKey(sessionKey(handle.sessionRef));
  return undefined;
}

function pointerItem(handle: Handle): Record<string, AttributeValue> {
  const scid = handle.sessionRef.scid.toLowerCase();
  const owner = handle.ownerXuid as string;
  return {
    ...key(activityKey(scid, owner)),
    [A.handleId]: { S: handle.id },
    [A.handle]: { S: JSON.stringify(handle) },
    [A.ttl]: { N: String(handle.expiresAt) },
    [A.activityScid]: { S: scid },
    [A.activityOwner]: { S: owner },
  };
}

/** A handle item's handle; every handle and pointer item holds one (written only by this adapter). */
function decode(item: Record<string, AttributeValue>): Handle {
  return JSON.parse(item[A.handle]?.S as string) as Handle;
}

/**
 * A lost race: a condition failed, or DynamoDB cancelled the transaction because another one was writing the same
 * items (TransactionConflict). Either way nothing was written and the caller reads afresh.
 */
function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof TransactionCanceledException &&
      (error.CancellationReasons ?? []).some(
        (reason) => reason.Code === 'ConditionalCheckFailed' || reason.Code === 'TransactionConflict',
      ))
  );
}

/** The HandleStore on DynamoDB (the sessions table). */
export class DynamoDbHandleStore implements HandleStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  private async getItem(pk: string): Promise<Handle | undefined> {
    try {
      const { Item } = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: key(pk), ConsistentRead: true }),
      );
      return Item === undefined ? undefined : decode(Item);
    } catch (error) {
      return translateStoreError(error, 'GetItem');
    }
  }

  get(id: string): Promise<Handle | undefined> {
    return this.getItem(handleKey(id));
  }

  currentActivity(scid: string, xuid: string): Promise<Handle | undefined> {
    return this.getItem(activityKey(scid, xuid));
  }

  async put(handle: Handle): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: handleItem(handle),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': A.key },
        }),
      );
    } catch (error) {
      translateStoreError(error, 'PutItem');
    }
  }

  currentSearch(sessionKeyText: string): Promise<Handle | undefined> {
    return this.getItem(searchKey(sessionKeyText));
  }

  replaceActivity(handle: Handle, previous: Handle | undefined): Promise<ActivityReplacement> {
    return this.replace(handle, previous, pointerItem(handle));
  }

  replaceSearch(handle: Handle, previous: Handle | undefined): Promise<ActivityReplacement> {
    return this.replace(handle, previous, searchPointerItem(handle));
  }

  private async replace(
    handle: Handle,
    previous: Handle | undefined,
    pointer: Record<string, AttributeValue>,
  ): Promise<ActivityReplacement> {
    const pointerCondition: Pick<
      Put,
      'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    > =
      previous === undefined
        ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': A.key } }
        : {
            ConditionExpression: '#handleId = :previous',
            ExpressionAttributeNames: { '#handleId': A.handleId },
            ExpressionAttributeValues: { ':previous': { S: previous.id } },
          };
    const items: TransactWriteItem[] = [
      {
        Put: {
          TableName: this.tableName,
          Item: handleItem(handle),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': A.key },
        },
      },
      { Put: { TableName: this.tableName, Item: pointer, ...pointerCondition } },
    ];
    if (previous !== undefined) items.push({ Delete: { TableName: this.tableName, Key: key(handleKey(previous.id)) } });
    try {
      await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      return 'written';
    } catch (error) {
      if (isConditionFailure(error)) return 'raced';
      return translateStoreError(error, 'TransactWriteItems');
    }
  }

  async delete(handle: Handle): Promise<void> {
    try {
      await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: key(handleKey(handle.id)) }));
    } catch (error) {
      translateStoreError(error, 'DeleteItem');
    }
    const pointerKey = pointerKeyOf(handle);
    if (pointerKey === undefined) return;
    try {
      // Only while the pointer still names this handle: a newer activity (or search handle) stays.
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: key(pointerKey),
          ConditionExpression: '#handleId = :id',
          ExpressionAttributeNames: { '#handleId': A.handleId },
          ExpressionAttributeValues: { ':id': { S: handle.id } },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) translateStoreError(error, 'DeleteItem');
    }
  }

  async activitiesOf(scid: string, xuids: readonly string[]): Promise<Handle[]> {
    const found: Handle[] = [];
    for (let start = 0; start < xuids.length; start += BATCH_GET_KEYS) {
      let keys: Record<string, AttributeValue>[] = xuids
        .slice(start, start + BATCH_GET_KEYS)
        .map((xuid) => key(activityKey(scid, xuid)));
      // Unprocessed keys (throttling) are asked again; the SDK's own back-off applies to each call.
      while (keys.length > 0) {
        try {
          const answer = await this.client.send(
            new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
          );
          for (const item of answer.Responses?.[this.tableName] ?? []) found.push(decode(item));
          keys = answer.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
        } catch (error) {
          return translateStoreError(error, 'BatchGetItem');
        }
      }
    }
    return found;
  }

  async activitiesIn(scid: string, limit: number): Promise<Handle[]> {
    try {
      const { Items } = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: ACTIVITY_INDEX,
          KeyConditionExpression: '#scid = :scid',
          ExpressionAttributeNames: { '#scid': A.activityScid },
          ExpressionAttributeValues: { ':scid': { S: scid.toLowerCase() } },
          Limit: limit,
        }),
      );
      return (Items ?? []).map(decode);
    } catch (error) {
      return translateStoreError(error, 'Query');
    }
  }

  async searchesIn(scid: string, templateName: string, limit: number): Promise<Handle[]> {
    const found: Handle[] = [];
    let start: Record<string, AttributeValue> | undefined;
    // A Query answers at most 1 MB per call: page on until the template's handles or the limit run out.
    do {
      try {
        const answer = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: SEARCH_INDEX,
            KeyConditionExpression: '#scope = :scope',
            ExpressionAttributeNames: { '#scope': A.searchScope },
            ExpressionAttributeValues: { ':scope': { S: `${scid.toLowerCase()}#${templateName.toLowerCase()}` } },
            Limit: limit - found.length,
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          }),
        );
        for (const item of answer.Items ?? []) found.push(decode(item));
        start = answer.LastEvaluatedKey;
      } catch (error) {
        return translateStoreError(error, 'Query');
      }
    } while (start !== undefined && found.length < limit);
    return found;
  }
}
