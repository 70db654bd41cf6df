// The port of the real-time activity connection state (family spec §6.5): which sockets are open, what each one
// subscribed to, and which socket each MPSD ConnectionId reaches. The DynamoDB adapter is
// dynamodb-connection-store.ts; the layout of its items is CONNECTION_TABLE (table-schema.ts).

/** A WebSocket that has just been accepted. */
export interface OpenedSocket {
  /** API Gateway's connection id (locally: the local server's, in the same form). */
  readonly socketId: string;
  /** The xuid of the token the socket was opened with; `server` for a server token. */
  readonly owner: string;
  /** Epoch ms. */
  readonly openedAt: number;
  /** Epoch seconds after which the state is garbage (DynamoDB TTL). */
  readonly expiresAt: number;
  /** Epoch ms its first keepalive is due; absent: it gets none. */
  readonly keepaliveAt?: number;
}

/** An open socket whose keepalive (or owed resync) is due, as the keepalive pass needs it. */
export interface DueSocket {
  readonly socketId: string;
  /** Its subscriptions: id -> resource URI. */
  readonly subscriptions: ReadonlyMap<number, string>;
  /** A delivery to it failed since its last resync: `[4]` is owed (family spec §6.10). */
  readonly resyncOwed: boolean;
  /** Epoch ms the last `[4]` was sent to it. */
  readonly resyncSentAt?: number;
}

/** What one keepalive pass did to a socket, for its state. */
export interface KeepaliveDone {
  /** Epoch ms its next keepalive (or owed resync) is due. */
  readonly nextAt: number;
  /** Epoch ms `[4]` was sent now (it is then no longer owed); absent when none was. */
  readonly resyncSentAt?: number;
}

/** Where a ConnectionId's taps go: its socket and the id of that socket's subscription to the connections resource. */
export interface TapAddress {
  readonly socketId: string;
  readonly subscriptionId: number;
}

/** What binding a ConnectionId to a socket needs. */
export interface ConnectionIdRequest {
  readonly socketId: string;
  /** The subscription to the connections resource being answered (already added with `addSubscription`). */
  readonly subscriptionId: number;
  /** The id named by the reclaim form `…/connections/<id>` (§6.5), lower-cased; absent for the plain form. */
  readonly reclaim?: string;
  /** A new random lower-case GUID, used when the socket has no ConnectionId yet and none can be reclaimed. */
  readonly fresh: string;
  /** Epoch seconds after which the ConnectionId's state is garbage. */
  readonly expiresAt: number;
}

export interface ConnectionStore {
  /** Records a socket that has just been accepted. */
  openSocket(socket: OpenedSocket): Promise<void>;
  /** Hands out the socket's next subscription id (0, 1, 2, … per socket, §6.2) and records its resource. */
  addSubscription(socketId: string, resource: string): Promise<number>;
  /**
   * The socket's ConnectionId, registering `subscriptionId` as one of its subscriptions to the connections resource:
   * the socket's existing one (one per socket); else the reclaimed one when it was issued to the same user and its
   * socket is gone; else `fresh`.
   */
  bindConnectionId(request: ConnectionIdRequest): Promise<string>;
  /**
   * Forgets a subscription of the socket; unknown ids are no error (unsubscribe is idempotent, §6.3). When it was a
   * subscription to the connections resource, its ConnectionId gets no more taps through it; when it was the last
   * one and `at` is given, the ConnectionId's disconnect check is scheduled as for a close (§6.9).
   */
  removeSubscription(socketId: string, subscriptionId: number, at?: number): Promise<void>;
  /**
   * Forgets a socket that closed (or that a delivery found gone); its ConnectionId stays, unbound, for a reclaim.
   * With `at` (epoch ms of the close), the ConnectionId's disconnect check is scheduled for 30 s later (§6.9); binding
   * the id to a socket again (a reclaim) cancels it.
   */
  closeSocket(socketId: string, at?: number): Promise<void>;
  /**
   * Records that members wrote these ConnectionIds into the session with this key (the tap function, which sees every
   * change), so a disconnect check finds its sessions by key. Ids the service never issued are ignored. An id whose
   * socket is already gone and has no check pending gets one, as if it closed `at` (§6.9: a member that writes a
   * closed ConnectionId is accepted and checked 30 s later). Answers, per recorded id, how many sessions it is in now.
   */
  recordSessions(
    connectionIds: readonly string[],
    sessionKey: string,
    at: number,
  ): Promise<ReadonlyMap<string, number>>;
  /** Forgets the session on ConnectionIds no member of it holds any more (the tap function). */
  forgetSession(connectionIds: readonly string[], sessionKey: string): Promise<void>;
  /** ConnectionIds whose disconnect check is due at or before `now` (a Query on the due-time index), at most `limit`. */
  findDueDisconnects(now: number, limit: number): Promise<readonly string[]>;
  /** What a due disconnect check needs to know about a ConnectionId; undefined once its state is gone. */
  readDisconnect(connectionId: string): Promise<DisconnectState | undefined>;
  /** Ends the ConnectionId's disconnect check begun at `closedAt` (a later close keeps its own). */
  finishDisconnect(connectionId: string, closedAt: number): Promise<void>;
  /** Where each ConnectionId's taps go now; ConnectionIds without an open socket and live subscription are absent. */
  findTapAddresses(connectionIds: readonly string[]): Promise<ReadonlyMap<string, TapAddress>>;
  /** Open sockets whose keepalive or owed resync is due at or before `now` (a Query on the due-time index). */
  findDueSockets(now: number, limit: number): Promise<readonly DueSocket[]>;
  /** Records a keepalive pass over a socket that is still open (a gone one is left alone). */
  recordKeepalive(socketId: string, done: KeepaliveDone): Promise<void>;
  /**
   * Records a known loss on a socket (a tap that could not be delivered, for a reason other than the socket being
   * gone): `[4]` is owed, and the socket is due now, so the next keepalive pass sends it (§6.10).
   */
  oweResync(socketId: string, at: number): Promise<void>;
}

/** A ConnectionId as its disconnect check sees it (family spec §6.9). */
export interface DisconnectState {
  /** Bound to an open socket with a live subscription to the connections resource (reclaimed, or never closed). */
  readonly live: boolean;
  /** Epoch ms it closed; absent when no check was scheduled. */
  readonly closedAt?: number;
  /** Keys of the sessions members wrote it into. */
  readonly sessionKeys: readonly string[];
}
