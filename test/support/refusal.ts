import { MpsdError } from '../../lambda/domain/errors';
import { SAMPLE_SCID, type SessionClient, type SessionResponse } from './session-client';

/** What a refusal must say besides its status: its error code, or a message matching a pattern. */
export interface ExpectedRefusal {
  readonly code?: string;
  readonly message?: RegExp;
}

/** The session as `reader` (a server) reads it: status, ETag and exact text. */
export async function storedSession(reader: SessionClient, template: string, name: string) {
  const r = await reader.get(SAMPLE_SCID, template, name);
  return { status: r.status, etag: r.headers.get('etag'), text: r.text };
}

/**
 * Sends a request that must be refused, and checks the project's rule for every bad input: the contract's status,
 * a message saying what was wrong (on a 4xx but 412), the code or message the test expects, and nothing changed (the session
 * `reader` reads afterwards is byte for byte, ETag included, the one before). Answers the refusal.
 */
export async function expectRefusal(
  reader: SessionClient,
  [template, name]: readonly [template: string, name: string],
  send: () => Promise<SessionResponse>,
  status: number,
  expected: ExpectedRefusal = {},
): Promise<SessionResponse> {
  const before = await storedSession(reader, template, name);
  const response = await send();
  expect(response.status).toBe(status);
  // Every refusal says what was wrong, but a 412, which carries the current session instead (spec §1.4).
  if (status >= 400 && status !== 412) expect(typeof response.json?.message).toBe('string');
  if (expected.code !== undefined) expect(response.json.code).toBe(expected.code);
  if (expected.message !== undefined) expect(response.json.message).toMatch(expected.message);
  expect(await storedSession(reader, template, name)).toEqual(before);
  return response;
}

/** The MpsdError that `run` throws, for a test to look at; any other error is thrown on, and no error fails the test. */
export function refusalThrownBy(run: () => unknown): MpsdError {
  try {
    run();
  } catch (error) {
    if (error instanceof MpsdError) return error;
    throw error;
  }
  throw new Error('expected a refusal (an MpsdError), but nothing was thrown');
}

/** The MpsdError that `promise` rejects with; any other error is thrown on, and fulfilment fails the test. */
export async function refusalRejectedBy(promise: Promise<unknown>): Promise<MpsdError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MpsdError) return error;
    throw error;
  }
  throw new Error('expected a refusal (an MpsdError), but it was accepted');
}
