import {
  type AttributeValue,
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DISCONNECT_DETECTION_DELAY_MS } from '../domain/session/disconnect';
import type {
  ConnectionIdRequest,
  ConnectionStore,
  DisconnectState,
  DueSocket,
  KeepaliveDone,
  OpenedSocket,
  TapAddress,
} from './connection-store';
import { queryDueKeys } from './dynamodb-due-index';
import { CONNECTION_ITEM_ATTRIBUTES as A, dueShardOf, KEEPALIVE_SHARD_PREFIX } from './table-schema';

const CONNECTION_PREFIX = 'connection#';
const SOCKET_PREFIX = 'socket#';
const socketKey = (socketId: string) => ({ [A.key]: { S: `${SOCKET_PREFIX}${socketId}` } });
const keepaliveShardOf = (socketId: string) => `${KEEPALIVE_SHARD_PREFIX}${dueShardOf(`${SOCKET_PREFIX}${socketId}`)}`;
const connectionKey = (connectionId: string) => ({ [A.key]: { S: `${CONNECTION_PREFIX}${connectionId}` } });

// The disconnect check (family spec §6.9) as update fragments: scheduling puts the ConnectionId in the due-time index
// (DUE_INDEX) 30 s after its close; binding it to a socket again takes it out.
const DISCONNECT_CHECK_NAMES = { '#closedAt': A.closedAt, '#dueShard': A.dueShard, '#dueAt': A.dueAt };
const SCHEDULE_DISCONNECT_CHECK = 'SET #closedAt = :closedAt, #dueShard = :dueShard, #dueAt = :dueAt';
const CANCEL_DISCONNECT_CHECK = 'REMOVE #closedAt, #dueShard, #dueAt';

function disconnectCheckValues(connectionId: string, at: number): Record<string, AttributeValue> {
  return {
    ':closedAt': { N: String(at) },
    ':dueShard': { S: dueShardOf(`${CONNECTION_PREFIX}${connectionId}`) },
    ':dueAt': { N: String(at + DISCONNECT_DETECTION_DELAY_MS) },
  };
}

/** BatchGetItem reads at most 100 keys per call. */
const BATCH_GET_KEYS = 100;

/**
 * The ConnectionStore on DynamoDB (CONNECTION_TABLE). Every change is one conditional or atomic update, so two
 * frames of one socket handled at once (API Gateway may invoke in parallel) cannot hand out one subscription id twice
 * or two ConnectionIds for one socket.
 */
export class DynamoDbConnectionStore implements ConnectionStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async openSocket(socket: OpenedSocket): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          ...socketKey(socket.socketId),
          [A.owner]: { S: socket.owner },
          [A.openedAt]: { N: String(socket.openedAt) },
          [A.nextSubscriptionId]: { N: '0' },
          [A.subscriptions]: { M: {} },
          [A.ttl]: { N: String(socket.expiresAt) },
          ...(socket.keepaliveAt === undefined
            ? {}
            : {
                [A.dueShard]: { S: keepaliveShardOf(socket.socketId) },
                [A.dueAt]: { N: String(socket.keepaliveAt) },
              }),
        },
      }),
    );
  }

  async addSubscription(socketId: string, resource: string): Promise<number> {
    // The counter and the map in two updates: the map key is the id the first one hands out.
    const { Attributes } = await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: socketKey(socketId),
        UpdateExpression: 'ADD #next :one SET #subs = if_not_exists(#subs, :empty)',
        ExpressionAttributeNames: { '#next': A.nextSubscriptionId, '#subs': A.subscriptions },
        ExpressionAttributeValues: { ':one': { N: '1' }, ':empty': { M: {} } },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const subscriptionId = Number(Attributes?.[A.nextSubscriptionId]?.N) - 1;
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: socketKey(socketId),
        UpdateExpression: 'SET #subs.#id = :resource',
        ExpressionAttributeNames: { '#subs': A.subscriptions, '#id': String(subscriptionId) },
        ExpressionAttributeValues: { ':resource': { S: resource } },
      }),
    );
    return subscriptionId;
  }

  async bindConnectionId(request: ConnectionIdRequest): Promise<string> {
    const { Item: socket } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: socketKey(request.socketId), ConsistentRead: true }),
    );
    const owner = socket?.[A.owner]?.S ?? 'unknown';
    const existing = socket?.[A.connectionId]?.S;
    if (existing !== undefined) {
      await this.attach(existing, request, owner);
      return existing;
    }
    const candidate =
      request.reclaim !== undefined && (await this.reclaim(request.reclaim, request, owner))
        ? request.reclaim
        : await this.issue(request, owner);
    // One ConnectionId per socket: the first one recorded on the socket wins a race between two subscribes.
    const { Attributes } = await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: socketKey(request.socketId),
        UpdateExpression: 'SET #cid = if_not_exists(#cid, :cid)',
        ExpressionAttributeNames: { '#cid': A.connectionId },
        ExpressionAttributeValues: { ':cid': { S: candidate } },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const bound = Attributes?.[A.connectionId]?.S ?? candidate;
    if (bound !== candidate) {
      await this.detach(candidate, request.socketId);
      await this.attach(bound, request, owner);
    }
    return bound;
  }

  /** Binds the reclaimed id to this socket if it was issued to the same user and its socket is gone. */
  private async reclaim(connectionId: string, request: ConnectionIdRequest, owner: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: connectionKey(connectionId),
          UpdateExpression: `SET #socket = :socket, #ttl = :ttl ADD #subs :sub ${CANCEL_DISCONNECT_CHECK}`,
          ConditionExpression: 'attribute_exists(#pk) AND #owner = :owner AND attribute_not_exists(#socket)',
          ExpressionAttributeNames: {
            '#pk': A.key,
            '#socket': A.socket,
            '#ttl': A.ttl,
            '#subs': A.connectionSubscriptions,
            '#owner': A.owner,
            ...DISCONNECT_CHECK_NAMES,
          },
          ExpressionAttributeValues: {
            ':socket': { S: request.socketId },
            ':ttl': { N: String(request.expiresAt) },
            ':sub': { NS: [String(request.subscriptionId)] },
            ':owner': { S: owner },
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private async issue(request: ConnectionIdRequest, owner: string): Promise<string> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          ...connectionKey(request.fresh),
          [A.owner]: { S: owner },
          [A.socket]: { S: request.socketId },
          [A.connectionSubscriptions]: { NS: [String(request.subscriptionId)] },
          [A.ttl]: { N: String(request.expiresAt) },
        },
        // A random GUID never collides in practice; the condition makes sure one never takes over another's state.
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': A.key },
      }),
    );
    return request.fresh;
  }

  /** Adds a subscription of this socket to the ConnectionId the socket already has. */
  private async attach(connectionId: string, request: ConnectionIdRequest, owner: string): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: connectionKey(connectionId),
        UpdateExpression: `SET #socket = :socket, #ttl = :ttl, #owner = if_not_exists(#owner, :owner) ADD #subs :sub ${CANCEL_DISCONNECT_CHECK}`,
        ExpressionAttributeNames: {
          '#socket': A.socket,
          '#ttl': A.ttl,
          '#owner': A.owner,
          '#subs': A.connectionSubscriptions,
          ...DISCONNECT_CHECK_NAMES,
        },
        ExpressionAttributeValues: {
          ':socket': { S: request.socketId },
          ':ttl': { N: String(request.expiresAt) },
          ':owner': { S: owner },
          ':sub': { NS: [String(request.subscriptionId)] },
        },
      }),
    );
  }

  /**
   * Unbinds a ConnectionId from a socket (only if it is still bound to that socket); with `at`, schedules its
   * disconnect check (family spec §6.9) for DISCONNECT_DETECTION_DELAY_MS later.
   */
  private async detach(connectionId: string, socketId: string, at?: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: connectionKey(connectionId),
          UpdateExpression: `REMOVE #socket, #subs${at === undefined ? '' : ` ${SCHEDULE_DISCONNECT_CHECK}`}`,
          ConditionExpression: '#socket = :socket',
          ExpressionAttributeNames: {
            '#socket': A.socket,
            '#subs': A.connectionSubscriptions,
            ...(at === undefined ? {} : DISCONNECT_CHECK_NAMES),
          },
          ExpressionAttributeValues: {
            ':socket': { S: socketId },
            ...(at === undefined ? {} : disconnectCheckValues(connectionId, at)),
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async removeSubscription(socketId: string, subscriptionId: number, at?: number): Promise<void> {
    let before: Record<string, AttributeValue> | undefined;
    try {
      ({ Attributes: before } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: socketKey(socketId),
          UpdateExpression: 'REMOVE #subs.#id',
          ConditionExpression: 'attribute_exists(#subs.#id)',
          ExpressionAttributeNames: { '#subs': A.subscriptions, '#id': String(subscriptionId) },
          ReturnValues: 'ALL_OLD',
        }),
      ));
    } catch (error) {
      // Not a subscription of this socket (never given, already removed, or the socket is gone): nothing to do.
      if (error instanceof ConditionalCheckFailedException) return;
      throw error;
    }
    const connectionId = before?.[A.connectionId]?.S;
    if (connectionId === undefined) return;
    try {
      const { Attributes: after } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: connectionKey(connectionId),
          UpdateExpression: 'DELETE #subs :sub',
          ConditionExpression: '#socket = :socket',
          ExpressionAttributeNames: { '#subs': A.connectionSubscriptions, '#socket': A.socket },
          ExpressionAttributeValues: { ':sub': { NS: [String(subscriptionId)] }, ':socket': { S: socketId } },
          ReturnValues: 'ALL_NEW',
        }),
      );
      // The last subscription to the connections resource went: as good as a close for disconnect detection (§6.9).
      if (at !== undefined && after?.[A.connectionSubscriptions] === undefined) {
        await this.scheduleDisconnectCheck(connectionId, socketId, at);
      }
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Schedules the disconnect check of a ConnectionId still bound to the socket, if none is pending. */
  private async scheduleDisconnectCheck(connectionId: string, socketId: string, at: number): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: connectionKey(connectionId),
        UpdateExpression: SCHEDULE_DISCONNECT_CHECK,
        ConditionExpression: '#socket = :socket AND attribute_not_exists(#subs) AND attribute_not_exists(#dueAt)',
        ExpressionAttributeNames: {
          '#socket': A.socket,
          '#subs': A.connectionSubscriptions,
          ...DISCONNECT_CHECK_NAMES,
        },
        ExpressionAttributeValues: { ':socket': { S: socketId }, ...disconnectCheckValues(connectionId, at) },
      }),
    );
  }

  async closeSocket(socketId: string, at?: number): Promise<void> {
    const { Attributes } = await this.client.send(
      new DeleteItemCommand({ TableName: this.tableName, Key: socketKey(socketId), ReturnValues: 'ALL_OLD' }),
    );
    const connectionId = Attributes?.[A.connectionId]?.S;
    if (connectionId !== undefined) await this.detach(connectionId, socketId, at);
  }

  async recordSessions(
    connectionIds: readonly string[],
    sessionKey: string,
    at: number,
  ): Promise<ReadonlyMap<string, number>> {
    const counts = new Map<string, number>();
    for (const connectionId of new Set(connectionIds)) {
      let after: Record<string, AttributeValue> | undefined;
      try {
        ({ Attributes: after } = await this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: connectionKey(connectionId),
            UpdateExpression: 'ADD #sessions :session',
            // Only ids the service issued: any GUID is accepted as a connection (§6.6), and a stranger's must not
            // create state here.
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: { '#sessions': A.sessions, '#pk': A.key },
            ExpressionAttributeValues: { ':session': { SS: [sessionKey] } },
            ReturnValues: 'ALL_NEW',
          }),
        ));
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        continue;
      }
      counts.set(connectionId, after?.[A.sessions]?.SS?.length ?? 0);
      if (after?.[A.socket] === undefined && after?.[A.dueAt] === undefined) {
        await this.scheduleClosedCheck(connectionId, at);
      }
    }
    return counts;
  }

  async forgetSession(connectionIds: readonly string[], sessionKey: string): Promise<void> {
    for (const connectionId of new Set(connectionIds)) {
      try {
        await this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: connectionKey(connectionId),
            UpdateExpression: 'DELETE #sessions :session',
            // Only ids the service issued: no stub item for a stranger's GUID.
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: { '#sessions': A.sessions, '#pk': A.key },
            ExpressionAttributeValues: { ':session': { SS: [sessionKey] } },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
  }

  /** Schedules the disconnect check of a ConnectionId whose socket is gone, unless one is pending or it was rebound. */
  private async scheduleClosedCheck(connectionId: string, at: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: connectionKey(connectionId),
          UpdateExpression: SCHEDULE_DISCONNECT_CHECK,
          ConditionExpression: 'attribute_not_exists(#socket) AND attribute_not_exists(#dueAt)',
          ExpressionAttributeNames: { '#socket': A.socket, ...DISCONNECT_CHECK_NAMES },
          ExpressionAttributeValues: disconnectCheckValues(connectionId, at),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async findDueDisconnects(now: number, limit: number): Promise<readonly string[]> {
    const keys = await queryDueKeys(this.client, this.tableName, A.key, now, limit);
    return keys.filter((key) => key.startsWith(CONNECTION_PREFIX)).map((key) => key.slice(CONNECTION_PREFIX.length));
  }

  async readDisconnect(connectionId: string): Promise<DisconnectState | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: connectionKey(connectionId), ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    const closedAt = Item[A.closedAt]?.N;
    return {
      live: Item[A.socket]?.S !== undefined && (Item[A.connectionSubscriptions]?.NS ?? []).length > 0,
      ...(closedAt === undefined ? {} : { closedAt: Number(closedAt) }),
      sessionKeys: Item[A.sessions]?.SS ?? [],
    };
  }

  async finishDisconnect(connectionId: string, closedAt: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: connectionKey(connectionId),
          UpdateExpression: 'REMOVE #dueShard, #dueAt',
          ConditionExpression: '#closedAt = :closedAt',
          ExpressionAttributeNames: { '#dueShard': A.dueShard, '#dueAt': A.dueAt, '#closedAt': A.closedAt },
          ExpressionAttributeValues: { ':closedAt': { N: String(closedAt) } },
        }),
      );
    } catch (error) {
      // Closed again since (a new check is pending), or reclaimed (none is): either way not this check's to end.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async findTapAddresses(connectionIds: readonly string[]): Promise<ReadonlyMap<string, TapAddress>> {
    const found = new Map<string, TapAddress>();
    const unique = [...new Set(connectionIds)];
    for (let start = 0; start < unique.length; start += BATCH_GET_KEYS) {
      let keys: Record<string, AttributeValue>[] = unique
        .slice(start, start + BATCH_GET_KEYS)
        .map((id) => connectionKey(id));
      // Unprocessed keys (throttling) are asked for again until none are left; the SDK backs off between calls.
      while (keys.length > 0) {
        const { Responses, UnprocessedKeys } = await this.client.send(
          new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true } } }),
        );
        for (const item of Responses?.[this.tableName] ?? []) {
          const socketId = item[A.socket]?.S;
          const subscriptions = (item[A.connectionSubscriptions]?.NS ?? []).map(Number);
          if (socketId === undefined || subscriptions.length === 0) continue;
          const key = String(item[A.key]?.S);
          // Two subscriptions to the connections resource on one socket share its ConnectionId: the taps go to the
          // first, so a socket never gets one change twice.
          found.set(key.slice('connection#'.length), { socketId, subscriptionId: Math.min(...subscriptions) });
        }
        keys = (UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, AttributeValue>[];
      }
    }
    return found;
  }

  async findDueSockets(now: number, limit: number): Promise<readonly DueSocket[]> {
    const keys = await queryDueKeys(this.client, this.tableName, A.key, now, limit, KEEPALIVE_SHARD_PREFIX);
    const due: DueSocket[] = [];
    for (let start = 0; start < keys.length; start += BATCH_GET_KEYS) {
      let batch: Record<string, AttributeValue>[] = keys
        .slice(start, start + BATCH_GET_KEYS)
        .map((key) => ({ [A.key]: { S: key } }));
      while (batch.length > 0) {
        const { Responses, UnprocessedKeys } = await this.client.send(
          new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: batch, ConsistentRead: true } } }),
        );
        for (const item of Responses?.[this.tableName] ?? []) {
          // The index lags the table: a socket rescheduled since is not due after all.
          if (Number(item[A.dueAt]?.N ?? Number.POSITIVE_INFINITY) > now) continue;
          const subscriptions = new Map<number, string>();
          for (const [id, resource] of Object.entries(item[A.subscriptions]?.M ?? {})) {
            if (resource.S !== undefined) subscriptions.set(Number(id), resource.S);
          }
          const resyncSentAt = item[A.resyncSentAt]?.N;
          due.push({
            socketId: String(item[A.key]?.S).slice(SOCKET_PREFIX.length),
            subscriptions,
            resyncOwed: item[A.resyncOwed]?.BOOL === true,
            ...(resyncSentAt === undefined ? {} : { resyncSentAt: Number(resyncSentAt) }),
          });
        }
        batch = (UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Record<string, AttributeValue>[];
      }
    }
    return due;
  }

  async recordKeepalive(socketId: string, done: KeepaliveDone): Promise<void> {
    const resync = done.resyncSentAt !== undefined;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: socketKey(socketId),
          UpdateExpression: resync
            ? 'SET #dueShard = :shard, #dueAt = :next, #resyncAt = :sentAt REMOVE #owed'
            : 'SET #dueShard = :shard, #dueAt = :next',
          // Only a socket still open: a closed one's item is gone and must not come back as a stub.
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: {
            '#pk': A.key,
            '#dueShard': A.dueShard,
            '#dueAt': A.dueAt,
            ...(resync ? { '#resyncAt': A.resyncSentAt, '#owed': A.resyncOwed } : {}),
          },
          ExpressionAttributeValues: {
            ':shard': { S: keepaliveShardOf(socketId) },
            ':next': { N: String(done.nextAt) },
            ...(resync ? { ':sentAt': { N: String(done.resyncSentAt) } } : {}),
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async oweResync(socketId: string, at: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: socketKey(socketId),
          UpdateExpression: 'SET #owed = :true, #dueShard = :shard, #dueAt = :at',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': A.key, '#owed': A.resyncOwed, '#dueShard': A.dueShard, '#dueAt': A.dueAt },
          ExpressionAttributeValues: {
            ':true': { BOOL: true },
            ':shard': { S: keepaliveShardOf(socketId) },
            ':at': { N: String(at) },
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
