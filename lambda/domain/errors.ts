/**
 * The error catalogue: every refusal the service gives, by code. The status of each code is fixed here and only
 * here (spec §1.6, §4); `satisfies` makes a code without a status a compile error.
 */
export const STATUS_BY_CODE = {
  MissingContractVersion: 400,
  UnsupportedContractVersion: 400,
  InvalidSessionReference: 400,
  MalformedJson: 400,
  InvalidRequest: 400,
  SessionTooLarge: 400,
  SizeBudgetExceeded: 400,
  ProhibitedMember: 400,
  InvalidValue: 400,
  SessionFull: 400,
  SessionNotJoinable: 400,
  MissingAuthorization: 401,
  InvalidToken: 401,
  /** An RTA upgrade's `?nonce=` that is unknown, already used or expired (family spec §6.1, §7 item 20). */
  InvalidNonce: 401,
  Forbidden: 403,
  MemberReferenceRequiresServer: 403,
  ServersRequireServer: 403,
  SessionAccessDenied: 403,
  /** Only an owner of a `hasOwners` session (or a server) may make this change (spec §2.11, §2.12). */
  OwnershipRequired: 403,
  ServiceConfigNotFound: 404,
  SessionTemplateNotFound: 404,
  /** A sub-resource of a session that does not exist: sub-resources never create (family spec §2). */
  SessionNotFound: 404,
  /** A sub-resource path that names no element, e.g. a member "index" that is not a decimal integer (family spec §2.3). */
  ElementNotFound: 404,
  /** No handle has this id, or it expired or its activity ended (spec/mpsd-family.md §1.4, §3.12). */
  HandleNotFound: 404,
  ConstantsConflict: 409,
  /** A role's `max` would be exceeded, or set below the members who hold the role (spec §2.11). */
  RoleLimitConflict: 409,
  PreconditionFailed: 412,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  TooManyRequests: 429,
  InternalError: 500,
  /** A route whose behaviour is not built yet: said plainly rather than answered wrongly. */
  NotImplemented: 501,
  ServiceUnavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof STATUS_BY_CODE;

/**
 * A refusal with a code from the catalogue. 4xx messages say what was wrong and what is allowed; 5xx messages
 * say nothing internal (the cause goes to the log only).
 */
export class MpsdError extends Error {
  readonly code: ErrorCode;
  /** Seconds the caller should wait before retrying (429, 503). */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options?: { retryAfterSeconds?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MpsdError';
    this.code = code;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  get status(): number {
    return STATUS_BY_CODE[this.code];
  }
}

/** The Retry-After (seconds) of every 503. */
export const SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

/**
 * A 503: a dependency (the store, the token issuer's key set) is out of reach for now. Every 503 asks the caller to
 * come back after the same Retry-After; what it says is the caller's (the loop's texts: conditional-write.ts).
 */
export function serviceUnavailable(message: string, cause?: unknown): MpsdError {
  return new MpsdError('ServiceUnavailable', message, {
    retryAfterSeconds: SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Shorthand for the commonest refusal: a value in the body that breaks a documented rule. */
export function invalidValue(path: string, problem: string): MpsdError {
  return new MpsdError('InvalidValue', `${path} ${problem}`);
}
