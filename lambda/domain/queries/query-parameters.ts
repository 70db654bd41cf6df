import { MpsdError } from '../errors';
import { VISIBILITIES } from '../session/constants-defaults';
import { isXuid, XUID_RULE } from '../xuid';
import type { QueryVisibility } from './session-query-entry';

// The query string of a session query (spec/mpsd-family.md §5.2) and of the QA listing, read into one value. Pure:
// every rule on a parameter's value is here, as a table of readers; who may send which parameter is
// query-access.ts.

/** The most entries one answer holds (§5.2 `take`), and the QA listing's page size when `take` is absent. */
export const MAX_TAKE = 100;

/** A `visibility` filter; `unknown` and `any` (what XSAPI sends for "no filter") mean none (§5.2). */
const VISIBILITY_FILTERS: readonly QueryVisibility[] = [...VISIBILITIES, 'full'];
const NO_VISIBILITY_FILTER = ['unknown', 'any'];

/** What a session query or the QA listing asks for; absent fields were not sent (or sent as `false`). */
export interface SessionQueryParameters {
  readonly xuid?: string;
  /** Compared case-insensitively (session spec §2.6): kept as sent. */
  readonly keyword?: string;
  readonly visibility?: QueryVisibility;
  /** Only sessions whose `constants.system.version` is at most this. */
  readonly version?: number;
  readonly private: boolean;
  readonly reservations: boolean;
  readonly inactive: boolean;
  /** At most this many entries; absent: MAX_TAKE. */
  readonly take?: number;
  /** Where the previous page of the QA listing ended (opaque). */
  readonly continuationToken?: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Reader = (value: string, into: Mutable<SessionQueryParameters>, majorVersion: number) => void;

function refuse(message: string): MpsdError {
  return new MpsdError('InvalidRequest', message);
}

/** `true` (any letter case) is true, `false` is the same as absent (§5.2); anything else is refused. */
function readFlag(name: 'private' | 'reservations' | 'inactive'): Reader {
  return (value, into) => {
    const lower = value.toLowerCase();
    if (lower !== 'true' && lower !== 'false') {
      throw refuse(
        `The query parameter ${name} is "${value}"; it is true or false (false is the same as leaving it out).`,
      );
    }
    into[name] = lower === 'true';
  };
}

const DECIMAL = /^(0|[1-9][0-9]{0,8})$/;

/** Each parameter the query knows (names compared case-insensitively, §1.1) and how its value is read. */
const READERS: Record<string, Reader> = {
  xuid: (value, into) => {
    if (!isXuid(value)) throw refuse(`The query parameter xuid is "${value}"; a xuid is ${XUID_RULE}.`);
    into.xuid = value;
  },
  keyword: (value, into) => {
    if (value.length === 0 || value.length > 256) {
      throw refuse('The query parameter keyword must be 1 to 256 characters long, as a session keyword is.');
    }
    into.keyword = value;
  },
  visibility: (value, into) => {
    const lower = value.toLowerCase();
    if (NO_VISIBILITY_FILTER.includes(lower)) return;
    const found = VISIBILITY_FILTERS.find((v) => v === lower);
    if (found === undefined) {
      throw refuse(
        `The query parameter visibility is "${value}"; it is one of ${[...VISIBILITY_FILTERS, ...NO_VISIBILITY_FILTER].join(', ')}.`,
      );
    }
    into.visibility = found;
  },
  version: (value, into, majorVersion) => {
    if (!DECIMAL.test(value) || Number(value) > majorVersion) {
      throw refuse(
        `The query parameter version is "${value}"; it is an integer from 0 to ${majorVersion}, the major version of the request's contract version.`,
      );
    }
    into.version = Number(value);
  },
  private: readFlag('private'),
  reservations: readFlag('reservations'),
  inactive: readFlag('inactive'),
  take: (value, into) => {
    if (!DECIMAL.test(value) || Number(value) > MAX_TAKE) {
      throw refuse(`The query parameter take is "${value}"; it is an integer from 0 to ${MAX_TAKE}.`);
    }
    into.take = Number(value);
  },
  continuationtoken: (value, into) => {
    into.continuationToken = value;
  },
};

/**
 * Reads the query string (API Gateway's `queryStringParameters`: a repeated name arrives joined by commas, and is
 * refused by its reader as any other malformed value). Unknown parameters are ignored (§5.2); a known one sent twice
 * in different letter cases is refused. `majorVersion` bounds `version` (§5.2: "mod 100", read as 107 -> 1).
 */
export function readSessionQueryParameters(
  query: Readonly<Record<string, string | undefined>> | undefined,
  majorVersion: number,
): SessionQueryParameters {
  const into: Mutable<SessionQueryParameters> = { private: false, reservations: false, inactive: false };
  const seen = new Set<string>();
  for (const [name, value] of Object.entries(query ?? {})) {
    const key = name.toLowerCase();
    const reader = READERS[key];
    if (reader === undefined || value === undefined) continue;
    if (seen.has(key)) throw refuse(`The query parameter ${key} is given more than once; send it once.`);
    seen.add(key);
    reader(value, into, majorVersion);
  }
  return into;
}

/** The major version a contract version bounds `version` by (§5.2, §7 contradiction 9: 107 -> 1). */
export function majorVersionOf(contractVersion: number): number {
  return Math.floor(contractVersion / 100);
}
