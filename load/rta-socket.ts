/**
 * A player's real-time activity socket (family spec §6), as XSAPI opens it: the upgrade with the player's
 * Authorization header and the `rta.xboxlive.com.V2` subprotocol, one subscription to the connections resource
 * (its ConnectionId goes into the player's join), then every shoulder tap kept with the moment it arrived.
 */
import WebSocket from 'ws';

/** The connections resource every client subscribes to (family spec §6.3). */
const CONNECTIONS_RESOURCE = 'https://sessiondirectory.xboxlive.com/connections/';

/** One shoulder tap entry as received: the session (by name), its branch and change, and when it came (ms). */
export interface ReceivedTap {
  readonly session: string;
  readonly branch: string;
  readonly changeNumber: number;
  readonly receivedAt: number;
}

export class RtaSocket {
  readonly taps: ReceivedTap[] = [];
  /** The socket closed before the kit closed it. */
  dropped = false;
  private closing = false;

  private constructor(
    private readonly ws: WebSocket,
    readonly connectionId: string,
  ) {}

  /**
   * Opens and subscribes; rejects when the upgrade is refused or no ConnectionId comes within `timeoutMs`.
   * `now` is the run's clock.
   */
  static open(url: string, authorization: string, now: () => number, timeoutMs: number): Promise<RtaSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, ['rta.xboxlive.com.V2'], {
        headers: { authorization },
        handshakeTimeout: timeoutMs,
      });
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`no ConnectionId within ${timeoutMs} ms`));
      }, timeoutMs);
      let socket: RtaSocket | undefined;
      ws.once('unexpected-response', (_request, response) => {
        clearTimeout(timer);
        reject(new Error(`the RTA upgrade was answered ${response.statusCode}`));
        ws.terminate();
      });
      // Kept for the socket's life: an error after the open (a reset) must not go unhandled; `close` follows it.
      ws.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      ws.once('open', () => ws.send(JSON.stringify([1, 1, CONNECTIONS_RESOURCE])));
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        let frame: unknown;
        try {
          frame = JSON.parse(String(data));
        } catch {
          return;
        }
        if (!Array.isArray(frame)) return;
        if (socket === undefined && frame[0] === 1 && frame[2] === 0) {
          const connectionId = (frame[4] as { ConnectionId?: unknown } | undefined)?.ConnectionId;
          if (typeof connectionId !== 'string') return;
          clearTimeout(timer);
          socket = new RtaSocket(ws, connectionId);
          ws.on('close', () => {
            if (socket !== undefined && !socket.closing) socket.dropped = true;
          });
          resolve(socket);
          return;
        }
        if (socket !== undefined && frame[0] === 3) socket.receive(frame[2], now());
      });
    });
  }

  /** `[3, subId, {ncid, shoulderTaps: [{resource: "scid~template~name", branch, changeNumber, ...}]}]`. */
  private receive(payload: unknown, receivedAt: number): void {
    const entries = (payload as { shoulderTaps?: unknown } | undefined)?.shoulderTaps;
    if (!Array.isArray(entries)) return;
    for (const entry of entries as { resource?: unknown; branch?: unknown; changeNumber?: unknown }[]) {
      if (typeof entry.resource !== 'string' || typeof entry.changeNumber !== 'number') continue;
      const session = entry.resource.split('~')[2] ?? entry.resource;
      this.taps.push({ session, branch: String(entry.branch ?? ''), changeNumber: entry.changeNumber, receivedAt });
    }
  }

  close(): Promise<void> {
    this.closing = true;
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}
