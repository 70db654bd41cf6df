import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';

/** Generous: the suite must pass on a busy 2-core machine (no test depends on speed). */
export const FRAME_DEADLINE_MS = 30_000;

/**
 * The list a test file puts the sockets it opens in: each is closed after the test that opened it (registered as an
 * afterEach hook), so no socket outlives its test.
 */
export function socketsClosedAfterEach(): RtaTestClient[] {
  const sockets: RtaTestClient[] = [];
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  });
  return sockets;
}

/** A test's RTA socket: every text frame it received, in order, and ways to wait for the next ones. */
export class RtaTestClient {
  readonly frames: string[] = [];
  private readonly waiters: (() => void)[] = [];
  private read = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      this.frames.push(isBinary ? `<binary ${String(data)}>` : String(data));
      for (const wake of this.waiters.splice(0)) wake();
    });
    ws.on('close', () => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Opens a socket; rejects with the HTTP status when the upgrade is refused. */
  static open(url: string, options: { authorization?: string; protocols?: string[] } = {}): Promise<RtaTestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options.protocols ?? [], {
        headers: options.authorization === undefined ? {} : { authorization: options.authorization },
      });
      const client = new RtaTestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_request, response: IncomingMessage) => {
        let body = '';
        response.on('data', (chunk) => {
          body += String(chunk);
        });
        response.on('end', () => reject(new UpgradeRefused(response.statusCode ?? 0, response.headers, body)));
      });
      ws.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next frame not read yet (as text), waiting for it up to the deadline. */
  async next(deadlineMs = FRAME_DEADLINE_MS): Promise<string> {
    const until = Date.now() + deadlineMs;
    while (this.read >= this.frames.length) {
      if (Date.now() > until) throw new Error(`no frame within ${deadlineMs} ms; got ${JSON.stringify(this.frames)}`);
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error('the socket closed');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, until - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.frames[this.read++] as string;
  }

  /** Sends a frame and answers the next one, parsed. */
  // biome-ignore lint/suspicious/noExplicitAny: frames are arbitrary JSON
  async request(frame: unknown): Promise<any> {
    this.send(frame);
    return JSON.parse(await this.next());
  }

  /** Skips frames until one matches, answering it parsed. */
  // biome-ignore lint/suspicious/noExplicitAny: frames are arbitrary JSON
  async nextMatching(predicate: (frame: any) => boolean, deadlineMs = FRAME_DEADLINE_MS): Promise<any> {
    const until = Date.now() + deadlineMs;
    for (;;) {
      const frame = JSON.parse(await this.next(Math.max(1, until - Date.now())));
      if (predicate(frame)) return frame;
    }
  }

  /** Ends the socket the way a client does, and waits until it is closed. */
  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** The upgrade was answered with an HTTP status instead of 101. */
export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly headers: IncomingMessage['headers'],
    readonly body: string,
  ) {
    super(`upgrade refused with ${status}`);
  }
}

/** The connections resource every client subscribes to. */
export const CONNECTIONS = 'https://sessiondirectory.xboxlive.com/connections/';
