// Limits the MPSD documentation gives, and the ones it leaves open (spec §7.3), chosen here and listed in the README.

/** maxMembersCount without the `large` capability (spec §2.3). */
export const MAX_MEMBERS_NORMAL = 100;
/** maxMembersCount with `large`: the docs say 1,000 and 10,000 (spec §7 contradiction 2); the smaller is taken. */
export const MAX_MEMBERS_LARGE = 1000;
/**
 * The largest value of an integer field that MPSD holds in a 32-bit signed integer: timeouts (ms), counts, member
 * indices, `typicalWait`.
 */
export const MAX_INT32 = 2 ** 31 - 1;
/** Largest request body accepted (undocumented, spec §7.3); DynamoDB items are capped at 400 KB. */
export const MAX_REQUEST_BODY_BYTES = 64 * 1024;
/**
 * Largest session document stored, as JSON text before compression: an item must stay inside DynamoDB's 400 KB
 * even when the document does not compress, or every later write to the session would fail.
 */
export const MAX_SESSION_DOCUMENT_BYTES = 350 * 1024;
/** Deepest JSON nesting accepted in a request body. */
export const MAX_JSON_DEPTH = 32;
/** Longest array in a system field (keywords, turn, initiators, candidates...). */
export const MAX_ARRAY_ITEMS = 100;
/** Most servers entries in one session. */
export const MAX_SERVERS = 32;

// Size budgets (issue 8 item 2): every member and the session's own data get a share of one session document, so
// `maxMembersCount` members at their budget plus the session at its budget always fit MAX_SESSION_DOCUMENT_BYTES.
// A member (or several) can fill only its own share: a free seat stays joinable and the others stay writable.

/**
 * What a session document holds besides its own data and its members, reserved off the top: 1,000 former members'
 * xuids (20 digits each, 23,000 bytes with quotes and commas), branch, correlation id, times and counters (about
 * 300 bytes) and one byte per member that a fired ready timer adds (`"ready":true` becomes `"ready":false`).
 */
export const ENVELOPE_RESERVE_BYTES = 24 * 1024;
/**
 * The session's own data (constants, properties, roleTypes, servers), unless its template sets `sessionBytes`: one
 * request body's worth, so whatever session data a single PUT can send fits.
 */
export const DEFAULT_SESSION_BUDGET_BYTES = 64 * 1024;
/**
 * The same for a large session: it has no host, turn, reservations or QoS (spec §2.15), and its up to 1,000 members
 * need the room.
 */
export const DEFAULT_LARGE_SESSION_BUDGET_BYTES = 16 * 1024;
/** Smallest `sessionBytes` a template may set: its constants, the defaults and a few properties must fit. */
export const MIN_SESSION_BUDGET_BYTES = 4 * 1024;
/**
 * Smallest member budget a session may have: XSAPI's join with the longest xuid, gamertag and device id, a
 * connection id, a secure device address and a subscription to every change type is about 700 bytes.
 */
export const MIN_MEMBER_BUDGET_BYTES = 1024;
/**
 * Smallest member budget of a large session: members there have no secure device address or subscriptions
 * (spec §2.15), and an active member with a connection id and a group is about 400 bytes.
 */
export const MIN_LARGE_MEMBER_BUDGET_BYTES = 512;
