/**
 * The kit's HTTP side: one undici connection pool to the target (bounded connections, keep-alive), each request
 * timed from the moment it is handed to the pool to the last byte of its answer, so time spent waiting for a free
 * connection counts (a player waits for it too). undici rather than fetch: its pool sets the connection count and
 * its time-outs are per request without an AbortController each.
 */
import { Pool } from 'undici';

/** An answer, or `error` when there was none (refused, reset, timed out). */
export interface HttpAnswer {
  readonly status: number | 'error';
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** ms on the run's clock. */
  readonly sentAt: number;
  readonly answeredAt: number;
  /** Why there was no answer. */
  readonly error?: string;
}

export interface HttpRequest {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Path below the target's base URL, starting with `/`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export class HttpClient {
  private readonly pool: Pool;
  private readonly prefix: string;

  /**
   * @param baseUrl the target, without a trailing slash (a stage path, if any, is kept)
   * @param now the run's clock, ms
   */
  constructor(
    baseUrl: string,
    connections: number,
    timeoutMs: number,
    private readonly now: () => number,
  ) {
    const url = new URL(baseUrl);
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      connections,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connectTimeout: Math.min(timeoutMs, 10_000),
      keepAliveTimeout: 10_000,
    });
  }

  async send(request: HttpRequest): Promise<HttpAnswer> {
    const sentAt = this.now();
    try {
      const response = await this.pool.request({
        method: request.method,
        path: `${this.prefix}${request.path}`,
        headers:
          request.body === undefined ? request.headers : { ...request.headers, 'content-type': 'application/json' },
        ...(request.body === undefined ? {} : { body: request.body }),
      });
      const text = await response.body.text();
      return { status: response.statusCode, headers: response.headers, text, sentAt, answeredAt: this.now() };
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return { status: 'error', headers: {}, text: '', sentAt, answeredAt: this.now(), error: reason };
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** A header's value, the first when repeated. */
export function headerOf(answer: HttpAnswer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
