// Limits the MPSD documentation gives, and the ones it leaves open (spec §7.3), chosen here and listed in the README.

/** maxMembersCount without the `large` capability (spec §2.3). */
export const MAX_MEMBERS_NORMAL = 100;
/** maxMembersCount with `large`: the docs say 1,000 and 10,000 (spec §7 contradiction 2); the smaller is taken. */
export const MAX_MEMBERS_LARGE = 1000;
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
