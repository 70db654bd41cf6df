import { MpsdError } from '../errors';
import {
  type AnyNode,
  type CompareNode,
  type FilterLiteral,
  type FilterNode,
  type FilterOp,
  parse,
} from './search-filter-parser.generated';

// The search-handle filter language and orderBy (spec/mpsd-family.md §4.3, §4.4): the grammar is
// search-filter.peggy, compiled by peggy ahead of time (the runtime carries no parser library: about 45 KB of
// generated code, against ~100-140 KB for peggy's, ohm's or chevrotain's runtime); here are the meaning of its paths
// and how a filter is evaluated on one handle. Pure. Every refusal is 400 naming the offending token and its position.

/** What a filter and orderBy are evaluated on: a search handle's attributes and its session as it is now. */
export interface SearchView {
  readonly tags: readonly string[];
  /** Attribute names compared case-insensitively (§4.3): keys lower-cased. */
  readonly strings: Readonly<Record<string, string>>;
  readonly numbers: Readonly<Record<string, number>>;
  readonly memberXuids: readonly string[];
  readonly ownerXuids: readonly string[];
  readonly keywords: readonly string[];
  readonly scid: string;
  readonly templateName: string;
  readonly membersCount: number;
  readonly maxMembersCount: number;
  /** Epoch ms: the handle's createTime (`session/postedTime`, `timestamp`). */
  readonly postedAt: number;
}

type Value = string | number | undefined;

/** A path resolved to what it reads: a single value (of a kind) or a collection of strings. */
type Field =
  | { readonly shape: 'value'; readonly kind: 'string' | 'number' | 'time'; readonly read: (v: SearchView) => Value }
  | { readonly shape: 'collection'; readonly read: (v: SearchView) => readonly string[] };

const absent = (): undefined => undefined;
const none = (): readonly string[] => [];

/** The single-segment and `session/…` paths (lower-cased), as the docs' table lists them (§4.3). */
const FIELDS: Readonly<Record<string, Field>> = {
  tags: { shape: 'collection', read: (v) => v.tags },
  'session/memberxuids': { shape: 'collection', read: (v) => v.memberXuids },
  'session/ownerxuids': { shape: 'collection', read: (v) => v.ownerXuids },
  'session/keywords': { shape: 'collection', read: (v) => v.keywords },
  'session/scid': { shape: 'value', kind: 'string', read: (v) => v.scid },
  'session/templatename': { shape: 'value', kind: 'string', read: (v) => v.templateName },
  'session/memberscount': { shape: 'value', kind: 'number', read: (v) => v.membersCount },
  'session/maxmemberscount': { shape: 'value', kind: 'number', read: (v) => v.maxMembersCount },
  'session/maxmemberscountremaining': {
    shape: 'value',
    kind: 'number',
    read: (v) => v.maxMembersCount - v.membersCount,
  },
  'session/postedtime': { shape: 'value', kind: 'time', read: (v) => v.postedAt },
  // Documented, but nothing in MPSD's documents writes them (tournaments, LFG): always absent (§4.3).
  'session/scheduledtime': { shape: 'value', kind: 'time', read: absent },
  'session/registrationstate': { shape: 'value', kind: 'string', read: absent },
  achievementids: { shape: 'collection', read: none },
  language: { shape: 'value', kind: 'string', read: absent },
};

/** The attribute families with a name after them; the docs also write them in the singular once (§7 item 14). */
const NAMED: Readonly<Record<string, (name: string) => Field>> = {
  strings: (name) => ({ shape: 'value', kind: 'string', read: (v) => v.strings[name] }),
  numbers: (name) => ({ shape: 'value', kind: 'number', read: (v) => v.numbers[name] }),
};
const SINGULAR: Readonly<Record<string, string>> = { string: 'strings', number: 'numbers' };

/** Paths the docs name that this service does not compute (role counts and targets): refused, not guessed. */
const NOT_SUPPORTED = /^session\/(targetmemberscount|targetmemberscountremaining|needs|roles)(\/|$)/;

const PATH_HELP =
  'tags, strings/<name>, numbers/<name>, session/memberXuids, session/ownerXuids, session/keywords, session/scid, session/templateName, session/membersCount, session/maxMembersCount, session/maxMembersCountRemaining, session/postedTime';

function refuse(text: string, offset: number, reason: string, what = 'The filter'): MpsdError {
  const token = /^[^\s()]+/.exec(text.slice(offset))?.[0] ?? (offset >= text.length ? 'the end' : text[offset]);
  return new MpsdError(
    'InvalidRequest',
    `${what} is outside the supported subset at character ${offset + 1} ("${token}"): ${reason}`,
  );
}

function fieldOf(path: readonly string[], text: string, at: number, what?: string): Field {
  const lower = path.map((segment) => segment.toLowerCase());
  const joined = lower.join('/');
  const family = SINGULAR[lower[0] ?? ''] ?? lower[0] ?? '';
  const named = NAMED[family];
  if (named !== undefined && lower.length === 2) return named(lower[1] as string);
  const field = FIELDS[joined];
  if (field !== undefined) return field;
  if (NOT_SUPPORTED.test(joined)) throw refuse(text, at, `${path.join('/')} is not supported by this service.`, what);
  throw refuse(text, at, `${path.join('/')} is not a searchable path; use one of ${PATH_HELP}.`, what);
}

/** A checked filter: every path resolved and every literal of the right kind. */
export type SearchFilter =
  | {
      readonly kind: 'compare';
      readonly field: Field & { shape: 'value' };
      readonly op: FilterOp;
      readonly literal: Value;
    }
  | {
      readonly kind: 'any';
      readonly read: (v: SearchView) => readonly string[];
      readonly op: 'eq' | 'ne';
      readonly literal: string;
      readonly negate: boolean;
    }
  | { readonly kind: 'and'; readonly terms: readonly SearchFilter[] }
  | { readonly kind: 'or'; readonly left: SearchFilter; readonly right: SearchFilter };

function literalFor(kind: 'string' | 'number' | 'time', literal: FilterLiteral, text: string, at: number): Value {
  if (kind === 'number') {
    if (typeof literal !== 'number') throw refuse(text, at, 'a number path is compared with a number.');
    return literal;
  }
  if (typeof literal !== 'string') throw refuse(text, at, `a ${kind} path is compared with a quoted '…' value.`);
  if (kind === 'time') {
    const ms = Date.parse(literal);
    if (Number.isNaN(ms)) throw refuse(text, at, `'${literal}' is not an ISO 8601 time.`);
    return ms;
  }
  return literal.toLowerCase();
}

function checkCompare(node: CompareNode, text: string): SearchFilter {
  // `Tags/<x> eq 'v'` (XSAPI's comment) has no documented meaning: read as tags/any(d:d eq 'v') (§7 item 14).
  if (node.path.length === 2 && node.path[0]?.toLowerCase() === 'tags') {
    const { path: _path, ...rest } = node;
    return checkAny({ ...rest, kind: 'any', collection: ['tags'], variable: 'd', element: 'd', negate: false }, text);
  }
  const field = fieldOf(node.path, text, node.at);
  if (field.shape === 'collection') {
    const name = node.path.join('/');
    throw refuse(text, node.at, `${name} is a collection: test it with ${name}/any(d:d eq '…').`);
  }
  return { kind: 'compare', field, op: node.op, literal: literalFor(field.kind, node.literal, text, node.at) };
}

function checkAny(node: AnyNode, text: string): SearchFilter {
  const field = fieldOf(node.collection, text, node.at);
  if (field.shape !== 'collection')
    throw refuse(
      text,
      node.at,
      `${node.collection.join('/')} is not a collection: any() needs tags, session/memberXuids, session/ownerXuids or session/keywords.`,
    );
  if (node.element.toLowerCase() !== node.variable.toLowerCase()) {
    throw refuse(text, node.at, `any(${node.variable}: …) tests ${node.element}, which is not its range variable.`);
  }
  if (node.op !== 'eq' && node.op !== 'ne') throw refuse(text, node.at, 'inside any() only eq and ne compare.');
  if (typeof node.literal !== 'string') throw refuse(text, node.at, "inside any() the value is a quoted '…' string.");
  return { kind: 'any', read: field.read, op: node.op, literal: node.literal.toLowerCase(), negate: node.negate };
}

function check(node: FilterNode, text: string): SearchFilter {
  switch (node.kind) {
    case 'compare':
      return checkCompare(node, text);
    case 'any':
      return checkAny(node, text);
    case 'and':
      return { kind: 'and', terms: node.terms.map((term) => check(term, text)) };
    case 'or':
      return { kind: 'or', left: check(node.left, text), right: check(node.right, text) };
  }
}

/** The longest filter accepted: far above any title's, and bounds the parser's work. */
export const MAX_FILTER_CHARS = 2048;

/** Parses and checks a filter (§4.3); 400 naming the offending token and what is allowed otherwise. */
export function parseSearchFilter(text: string): SearchFilter {
  if (text.length > MAX_FILTER_CHARS) {
    throw new MpsdError(
      'InvalidRequest',
      `The filter is ${text.length} characters long; at most ${MAX_FILTER_CHARS} are allowed.`,
    );
  }
  let node: FilterNode;
  try {
    node = parse(text);
  } catch (error) {
    const e = error as { message?: string; filterOffset?: number; location?: { start: { offset: number } } };
    const offset = e.filterOffset ?? e.location?.start.offset ?? 0;
    throw refuse(
      text,
      offset,
      e.filterOffset !== undefined
        ? `${e.message}.`
        : 'this is not the documented filter syntax (comparisons with eq, ne, gt, ge, lt, le; and; one or at the root; any(); tolower()).',
    );
  }
  return check(node, text);
}

function compare(value: Value, op: FilterOp, literal: Value): boolean {
  // A missing attribute makes every comparison false except ne, which is true (§4.3).
  if (value === undefined || literal === undefined) return op === 'ne';
  const v = typeof value === 'string' ? value.toLowerCase() : value;
  switch (op) {
    case 'eq':
      return v === literal;
    case 'ne':
      return v !== literal;
    case 'gt':
      return v > literal;
    case 'ge':
      return v >= literal;
    case 'lt':
      return v < literal;
    case 'le':
      return v <= literal;
  }
}

/** Whether a handle matches the filter: strings case-insensitively; `any(… ne 'x')` means "has no x" (§4.3). */
export function matchesSearchFilter(filter: SearchFilter, view: SearchView): boolean {
  switch (filter.kind) {
    case 'compare':
      return compare(filter.field.read(view), filter.op, filter.literal);
    case 'any': {
      const contains = filter.read(view).some((element) => element.toLowerCase() === filter.literal);
      const result = filter.op === 'eq' ? contains : !contains;
      return filter.negate ? !result : result;
    }
    case 'and':
      return filter.terms.every((term) => matchesSearchFilter(term, view));
    case 'or':
      return matchesSearchFilter(filter.left, view) || matchesSearchFilter(filter.right, view);
  }
}

/** A checked orderBy (§4.4): what to sort by and which way. */
export interface SearchOrder {
  readonly read: (v: SearchView) => Value;
  readonly descending: boolean;
}

/** The service's default order: creation time ascending ("Timestamp asc", §4.4). */
export const DEFAULT_SEARCH_ORDER: SearchOrder = { read: (v) => v.postedAt, descending: false };

/** Parses `"<attribute> asc|desc"` (§4.4): a value path of §4.3, or `timestamp`/`createTime`; 400 otherwise. */
export function parseSearchOrder(text: string): SearchOrder {
  const match = /^\s*([A-Za-z_][A-Za-z0-9_]*(?:\/[A-Za-z_][A-Za-z0-9_]*)*)(?:\s+(asc|desc))?\s*$/i.exec(text);
  if (match === null) {
    throw new MpsdError('InvalidRequest', `orderBy "${text}" is not "<attribute> asc" or "<attribute> desc".`);
  }
  const [, path = '', direction = 'asc'] = match;
  const descending = direction.toLowerCase() === 'desc';
  if (/^(timestamp|createtime)$/i.test(path)) return { read: DEFAULT_SEARCH_ORDER.read, descending };
  const field = fieldOf(path.split('/'), text, text.indexOf(path), 'orderBy');
  if (field.shape !== 'value') {
    throw new MpsdError('InvalidRequest', `orderBy ${path} is a collection; order by a single value (${PATH_HELP}).`);
  }
  return { read: field.read, descending };
}

/** Sorts views by an order; handles lacking the attribute sort last in both directions (§4.4). */
export function compareForOrder(order: SearchOrder, a: SearchView, b: SearchView): number {
  const x = order.read(a);
  const y = order.read(b);
  if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
  const left = typeof x === 'string' ? x.toLowerCase() : x;
  const right = typeof y === 'string' ? y.toLowerCase() : y;
  const sign = left < right ? -1 : left > right ? 1 : 0;
  return order.descending ? -sign : sign;
}
