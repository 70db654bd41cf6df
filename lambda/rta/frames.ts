// The RTA frame codec (family spec §6.2, §6.3): pure, imports nothing. Every frame the service sends is built here,
// so what may be sent is exactly these builders, and the spec's "never send" list (§6.11) has one home.

/** Message types of the RTA protocol; no other type is ever sent (§6.11, never-send item 1). */
export const MESSAGE_TYPE = { subscribe: 1, unsubscribe: 2, event: 3, resync: 4 } as const;

/** RTA status codes in the current numbering (§6.3; XSAPI 2016–2020 numbered differently, §7 contradiction 15). */
export const RTA_STATUS = {
  success: 0,
  unknownResource: 1,
  subscriptionLimitReached: 2,
  noResourceData: 3,
  throttled: 1001,
  serviceUnavailable: 1002,
} as const;

export type RtaStatus = (typeof RTA_STATUS)[keyof typeof RTA_STATUS];

/** The largest sequence number a client may send: XSAPI reads it as an unsigned 32-bit integer (§6.2). */
export const MAX_SEQUENCE_NUMBER = 0xffff_ffff;

/** The largest subscription id the service hands out: XSAPI reads it as a signed 32-bit integer (§6.2). */
export const MAX_SUBSCRIPTION_ID = 0x7fff_ffff;

/** The message of an UnknownResource reply (`family-rta-subscribe-reply-failure.json`). */
export const UNKNOWN_RESOURCE_MESSAGE = 'Unknown resource';

/** A frame a client sent, as the service understands it. */
export type ClientFrame =
  | { readonly kind: 'subscribe'; readonly sequence: number; readonly resource: string }
  | { readonly kind: 'unsubscribe'; readonly sequence: number; readonly subscriptionId: number }
  /**
   * Anything else: not JSON, not an array, another message type, a malformed element. No reply can be correct for
   * it (a reply echoes a valid sequence number), so it is logged and dropped, as every client does with what it does
   * not understand (§6.11).
   */
  | { readonly kind: 'ignored'; readonly reason: string };

function isSequence(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_SEQUENCE_NUMBER;
}

/** Reads one text frame from a client. Never throws. */
export function parseClientFrame(text: string): ClientFrame {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return { kind: 'ignored', reason: 'the frame is not JSON' };
  }
  if (!Array.isArray(frame)) return { kind: 'ignored', reason: 'the frame is not a JSON array' };
  const [type, sequence, third] = frame as unknown[];
  if (type === MESSAGE_TYPE.subscribe) {
    if (!isSequence(sequence))
      return { kind: 'ignored', reason: 'the sequence number is not a 32-bit unsigned integer' };
    if (typeof third !== 'string') return { kind: 'ignored', reason: 'the resource URI is not a string' };
    return { kind: 'subscribe', sequence, resource: third };
  }
  if (type === MESSAGE_TYPE.unsubscribe) {
    if (!isSequence(sequence))
      return { kind: 'ignored', reason: 'the sequence number is not a 32-bit unsigned integer' };
    if (typeof third !== 'number' || !Number.isInteger(third)) {
      return { kind: 'ignored', reason: 'the subscription id is not an integer' };
    }
    return { kind: 'unsubscribe', sequence, subscriptionId: third };
  }
  return { kind: 'ignored', reason: `message type ${JSON.stringify(type)} is not one a client sends (1 or 2)` };
}

/** `[1, seq, 0, subId, data]`: a subscription succeeded; all five elements are required (§6.11). */
export function encodeSubscribeSuccess(sequence: number, subscriptionId: number, data: unknown): string {
  return JSON.stringify([MESSAGE_TYPE.subscribe, sequence, RTA_STATUS.success, subscriptionId, data]);
}

/** `[1, seq, status, message]`: a subscription failed; old XSAPI reads element 3 as the error text (§6.2). */
export function encodeSubscribeFailure(
  sequence: number,
  status: Exclude<RtaStatus, typeof RTA_STATUS.success>,
  message: string,
): string {
  return JSON.stringify([MESSAGE_TYPE.subscribe, sequence, status, message]);
}

/** `[2, seq, status]`: the unsubscribe reply; always 0, also for an unknown id (§6.3, §7 item 21). */
export function encodeUnsubscribeReply(sequence: number): string {
  return JSON.stringify([MESSAGE_TYPE.unsubscribe, sequence, RTA_STATUS.success]);
}

/** One shoulder tap (§6.8), in the field order the live service writes. */
export interface ShoulderTap {
  readonly timestamp: string;
  readonly subscription: string;
  readonly resourceType: 'mpsd/session';
  readonly resource: string;
  readonly branch: string;
  readonly changeNumber: number;
}

/** `[3, subId, {ncid, shoulderTaps}]`: the MPSD event; `ncid` is new per frame (§6.8). */
export function encodeShoulderTapEvent(subscriptionId: number, ncid: string, taps: readonly ShoulderTap[]): string {
  return JSON.stringify([MESSAGE_TYPE.event, subscriptionId, { ncid, shoulderTaps: taps }]);
}

/**
 * `[3, subId, {"shoulderTaps": []}]`: the keepalive (§6.4, family-rta-event-keepalive.json), an event on the socket's
 * live connections subscription with no tap and no `ncid`, the one server frame every client ignores (MCXboxBroadcast
 * and bedrock-portal would re-read the session on an `ncid`).
 */
export function encodeKeepalive(subscriptionId: number): string {
  return JSON.stringify([MESSAGE_TYPE.event, subscriptionId, { shoulderTaps: [] }]);
}

/** `[4]`: events may have been lost (§6.10). */
export function encodeResync(): string {
  return JSON.stringify([MESSAGE_TYPE.resync]);
}

/** The live service's timestamp form: ISO 8601 with 7 fractional digits (`2024-08-07T20:35:09.0110007Z`). */
export function formatTapTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}
