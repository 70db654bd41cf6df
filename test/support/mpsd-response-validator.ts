import { SessionClient, type SessionResponse } from './session-client';

// A test-side encoding of what real clients need from a session document (spec §2.2 "Client requirements", §2.7,
// §9.8), written independently of lambda/domain/render.ts so that a rendering bug cannot hide behind itself.

// biome-ignore lint/suspicious/noExplicitAny: the validator walks arbitrary JSON
type Json = any;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$/;
const DECIMAL = /^[0-9]+$/;
const INDEX_KEY = /^(0|[1-9][0-9]*)$/;

function isObject(v: Json): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Problems {
  readonly list: string[] = [];
  add(path: string, problem: string): void {
    this.list.push(`${path} ${problem}`);
  }
  integer(path: string, v: Json, required = false): void {
    if (v === undefined) {
      if (required) this.add(path, 'is missing');
    } else if (typeof v !== 'number' || !Number.isInteger(v))
      this.add(path, `must be a JSON integer, is ${JSON.stringify(v)}`);
  }
  boolean(path: string, v: Json): void {
    if (v !== undefined && typeof v !== 'boolean') this.add(path, `must be a JSON boolean, is ${JSON.stringify(v)}`);
  }
  /** XSAPI copies these into fixed buffers: strings shorter than `maxBytes`. */
  string(path: string, v: Json, required = false, maxBytes?: number): void {
    if (v === undefined) {
      if (required) this.add(path, 'is missing');
    } else if (typeof v !== 'string') this.add(path, `must be a string, is ${JSON.stringify(v)}`);
    else if (maxBytes !== undefined && Buffer.byteLength(v) >= maxBytes) this.add(path, `must be < ${maxBytes} bytes`);
  }
  time(path: string, v: Json, required = false): void {
    if (v === undefined) {
      if (required) this.add(path, 'is missing');
    } else if (typeof v !== 'string' || !ISO_UTC.test(v) || Number.isNaN(Date.parse(v))) {
      this.add(path, `must be an ISO 8601 UTC time, is ${JSON.stringify(v)}`);
    }
  }
  object(path: string, v: Json, required = true): boolean {
    if (v === undefined) {
      if (required) this.add(path, 'is missing');
      return false;
    }
    if (!isObject(v)) {
      this.add(path, 'must be a JSON object');
      return false;
    }
    return true;
  }
  bag(path: string, v: Json): void {
    if (!this.object(path, v)) return;
    this.object(`${path}.system`, v.system);
    if (!('custom' in v)) this.add(`${path}.custom`, 'is missing');
  }
  noNulls(path: string, v: Json): void {
    if (v === null) this.add(path, 'is null (XSAPI aborts its parse on a null here)');
    else if (isObject(v)) for (const [k, x] of Object.entries(v)) this.noNulls(`${path}.${k}`, x);
  }
}

const TIMEOUTS_107 = ['reservedRemovalTimeout', 'inactiveRemovalTimeout', 'readyRemovalTimeout', 'sessionEmptyTimeout'];

function checkSystemConstants(p: Problems, system: Json, contractVersion: number): void {
  if (!isObject(system)) return;
  p.noNulls('constants.system', system);
  p.integer('constants.system.version', system.version);
  p.integer('constants.system.maxMembersCount', system.maxMembersCount);
  p.string('constants.system.visibility', system.visibility);
  p.string('constants.system.inviteProtocol', system.inviteProtocol);
  if (system.capabilities !== undefined && p.object('constants.system.capabilities', system.capabilities)) {
    for (const [k, v] of Object.entries(system.capabilities)) p.boolean(`constants.system.capabilities.${k}`, v);
  }
  if (system.metrics !== undefined && p.object('constants.system.metrics', system.metrics)) {
    for (const [k, v] of Object.entries(system.metrics)) p.boolean(`constants.system.metrics.${k}`, v);
  }
  if (Array.isArray(system.initiators)) {
    system.initiators.forEach((x: Json, i: number) => {
      if (typeof x !== 'string' || !DECIMAL.test(x))
        p.add(`constants.system.initiators[${i}]`, 'must be a decimal xuid string');
    });
  }
  const initName = contractVersion >= 107 ? 'memberInitialization' : 'managedInitialization';
  const wrongInit = contractVersion >= 107 ? 'managedInitialization' : 'memberInitialization';
  if (system[wrongInit] !== undefined)
    p.add(`constants.system.${wrongInit}`, `must not appear in contract ${contractVersion}`);
  const init = system[initName];
  if (init !== undefined && p.object(`constants.system.${initName}`, init)) {
    for (const k of ['joinTimeout', 'measurementTimeout', 'evaluationTimeout', 'membersNeededToStart']) {
      p.integer(`constants.system.${initName}.${k}`, init[k]);
    }
    p.boolean(`constants.system.${initName}.externalEvaluation`, init.externalEvaluation);
    p.boolean(`constants.system.${initName}.autoEvaluate`, init.autoEvaluate);
    if (contractVersion >= 107 && 'autoEvaluate' in init)
      p.add(`constants.system.${initName}.autoEvaluate`, 'is 104/105 only');
    if (contractVersion < 107 && 'externalEvaluation' in init) {
      p.add(`constants.system.${initName}.externalEvaluation`, 'is 107 only');
    }
  }
  if (contractVersion >= 107) {
    if (system.timeouts !== undefined) p.add('constants.system.timeouts', 'is 104/105 only');
    for (const t of TIMEOUTS_107) p.integer(`constants.system.${t}`, system[t]);
  } else {
    for (const t of TIMEOUTS_107)
      if (t in system) p.add(`constants.system.${t}`, `must be inside timeouts in contract ${contractVersion}`);
    if (system.timeouts !== undefined && p.object('constants.system.timeouts', system.timeouts)) {
      for (const [k, v] of Object.entries(system.timeouts)) p.integer(`constants.system.timeouts.${k}`, v);
    }
  }
}

function checkSystemProperties(p: Problems, system: Json): void {
  if (!isObject(system)) return;
  for (const k of ['closed', 'locked', 'allocateCloudCompute', 'matchmakingResubmit']) {
    p.boolean(`properties.system.${k}`, system[k]);
  }
  if ('initializationSucceeded' in system) p.add('properties.system.initializationSucceeded', 'is write-only');
  for (const k of ['joinRestriction', 'readRestriction', 'host'])
    p.string(`properties.system.${k}`, system[k], false, 40);
  for (const k of ['keywords', 'serverConnectionStringCandidates']) {
    const v = system[k];
    if (v !== undefined && (!Array.isArray(v) || v.some((x: Json) => typeof x !== 'string'))) {
      p.add(`properties.system.${k}`, 'must be an array of strings');
    }
  }
  for (const k of ['turn', 'owners']) {
    const v = system[k];
    if (v !== undefined && (!Array.isArray(v) || v.some((x: Json) => !Number.isInteger(x)))) {
      p.add(`properties.system.${k}`, 'must be an array of member indices');
    }
  }
}

function checkMember(p: Problems, path: string, m: Json): void {
  if (!p.object(path, m)) return;
  p.integer(`${path}.next`, m.next, true);
  p.time(`${path}.joinTime`, m.joinTime, true);
  p.boolean(`${path}.reserved`, m.reserved);
  p.boolean(`${path}.turn`, m.turn);
  if (m.reserved === false) p.add(`${path}.reserved`, 'is rendered only while true');
  p.string(`${path}.gamertag`, m.gamertag, false, 48);
  p.string(`${path}.deviceToken`, m.deviceToken, false, 40);
  p.string(`${path}.nat`, m.nat);
  if (m.activeTitleId !== undefined && (typeof m.activeTitleId !== 'string' || !DECIMAL.test(m.activeTitleId))) {
    p.add(`${path}.activeTitleId`, 'must be a decimal string');
  }
  if (m.activeTitleId !== undefined && m.properties?.system?.active !== true) {
    p.add(`${path}.activeTitleId`, 'must be present only while the member is active');
  }
  if (m.roles !== undefined && p.object(`${path}.roles`, m.roles)) {
    for (const [k, v] of Object.entries(m.roles)) p.string(`${path}.roles.${k}`, v);
  }
  p.bag(`${path}.constants`, m.constants);
  p.bag(`${path}.properties`, m.properties);
  const cs = m.constants?.system;
  if (isObject(cs)) {
    if (typeof cs.xuid !== 'string' || !DECIMAL.test(cs.xuid))
      p.add(`${path}.constants.system.xuid`, 'must be a decimal string');
    p.boolean(`${path}.constants.system.initialize`, cs.initialize);
    p.integer(`${path}.constants.system.index`, cs.index);
  }
  const ps = m.properties?.system;
  if (isObject(ps)) {
    p.boolean(`${path}.properties.system.active`, ps.active);
    p.boolean(`${path}.properties.system.ready`, ps.ready);
    if (ps.active === true && ps.ready === true) p.add(`${path}.properties.system`, 'has active and ready both true');
    p.string(`${path}.properties.system.connection`, ps.connection);
    if ('encounters' in ps) p.add(`${path}.properties.system.encounters`, 'is consumed, never rendered');
  }
}

function checkMembers(p: Problems, doc: Json, large: boolean): void {
  const members = doc.members;
  const info = doc.membersInfo;
  if (!p.object('members', members) || !p.object('membersInfo', info)) return;
  for (const k of ['first', 'next', 'count', 'accepted', 'active']) p.integer(`membersInfo.${k}`, info[k], true);
  if (large) {
    for (const k of Object.keys(members)) if (k !== 'me') p.add(`members.${k}`, 'large sessions list only "me"');
    if (members.me !== undefined) checkMember(p, 'members.me', members.me);
    return;
  }
  const keys = Object.keys(members);
  for (const k of keys) if (!INDEX_KEY.test(k)) p.add(`members.${k}`, 'keys must be decimal member indices');
  // XSAPI walks first -> next until membersInfo.next; a gap drops the members silently (spec §2.2).
  const seen = new Set<string>();
  let at = info.first;
  while (at !== info.next && seen.size <= keys.length) {
    const m = members[String(at)];
    if (m === undefined) {
      p.add('membersInfo.first/next chain', `reaches index ${at}, which is not in members`);
      break;
    }
    seen.add(String(at));
    if (!(Number.isInteger(m.next) && m.next > at)) {
      p.add(`members.${at}.next`, 'must be a larger index (indices only grow)');
      break;
    }
    at = m.next;
  }
  if (seen.size !== keys.length) p.add('members', `the chain reaches ${seen.size} of ${keys.length} members`);
  if (keys.length > 0 && Math.max(...keys.map(Number)) >= info.next)
    p.add('membersInfo.next', 'must exceed every index');
  if (info.count !== keys.length) p.add('membersInfo.count', `is ${info.count}, members has ${keys.length}`);
  const values = Object.values(members) as Json[];
  const accepted = values.filter((m) => m.reserved !== true).length;
  const active = values.filter((m) => m.properties?.system?.active === true).length;
  if (info.accepted !== accepted)
    p.add('membersInfo.accepted', `is ${info.accepted}, ${accepted} members are not reserved`);
  if (info.active !== active) p.add('membersInfo.active', `is ${info.active}, ${active} members are active`);
  for (const k of keys) {
    checkMember(p, `members.${k}`, members[k]);
    const idx = members[k]?.constants?.system?.index;
    if (idx !== undefined && idx !== Number(k)) p.add(`members.${k}.constants.system.index`, `is ${idx}`);
  }
  const turn = doc.properties?.system?.turn;
  for (const k of keys) {
    const inTurn = Array.isArray(turn) && turn.includes(Number(k));
    if (inTurn !== (members[k]?.turn === true))
      p.add(`members.${k}.turn`, 'must be true exactly when the index is in turn');
  }
}

function checkRoleTypes(p: Problems, roleTypes: Json): void {
  if (roleTypes === undefined || !p.object('roleTypes', roleTypes)) return;
  for (const [type, rt] of Object.entries(roleTypes) as [string, Json][]) {
    if (!p.object(`roleTypes.${type}`, rt) || !p.object(`roleTypes.${type}.roles`, rt.roles)) continue;
    p.boolean(`roleTypes.${type}.ownerManaged`, rt.ownerManaged);
    for (const [role, r] of Object.entries(rt.roles) as [string, Json][]) {
      const path = `roleTypes.${type}.roles.${role}`;
      if (!p.object(path, r)) continue;
      for (const k of ['max', 'target', 'count']) p.integer(`${path}.${k}`, r[k]);
      if (
        r.memberXuids !== undefined &&
        (!Array.isArray(r.memberXuids) || r.memberXuids.some((x: Json) => typeof x !== 'string'))
      ) {
        p.add(`${path}.memberXuids`, 'must be an array of xuid strings');
      }
    }
  }
}

/**
 * Every way a session document breaks what XSAPI and the other clients need (spec §2.2, §9.8); empty when it is
 * fine. `contractVersion` is the version the request asked for.
 */
export function sessionDocumentProblems(doc: Json, requestedContractVersion = 107): string[] {
  const p = new Problems();
  if (!isObject(doc)) return ['the body is not a JSON object'];
  p.integer('contractVersion', doc.contractVersion, true);
  if (doc.contractVersion !== requestedContractVersion) {
    p.add('contractVersion', `is ${doc.contractVersion}, the request asked for ${requestedContractVersion}`);
  }
  p.string('branch', doc.branch, true, 40);
  p.integer('changeNumber', doc.changeNumber, true);
  p.string('correlationId', doc.correlationId, true, 40);
  p.string('searchHandle', doc.searchHandle, false, 40);
  p.time('startTime', doc.startTime, true);
  p.time('nextTimer', doc.nextTimer);
  if (doc.initializing !== undefined && p.object('initializing', doc.initializing)) {
    p.time('initializing.stageStartTime', doc.initializing.stageStartTime);
    p.integer('initializing.episode', doc.initializing.episode);
  }
  if (doc.hostCandidates !== undefined && !Array.isArray(doc.hostCandidates))
    p.add('hostCandidates', 'must be an array');
  p.bag('constants', doc.constants);
  p.bag('properties', doc.properties);
  checkSystemConstants(p, doc.constants?.system, requestedContractVersion);
  checkSystemProperties(p, doc.properties?.system);
  checkRoleTypes(p, doc.roleTypes);
  checkMembers(p, doc, doc.constants?.system?.capabilities?.large === true);
  if (!p.object('servers', doc.servers)) return p.list;
  for (const [name, s] of Object.entries(doc.servers) as [string, Json][]) {
    if (!p.object(`servers.${name}`, s)) continue;
    if (s.constants !== undefined) p.bag(`servers.${name}.constants`, s.constants);
    if (s.properties !== undefined) p.bag(`servers.${name}.properties`, s.properties);
  }
  return p.list;
}

/**
 * Problems of a whole response carrying a session (200, 201, or 412 with the session): the document, plus the
 * headers every session response has (spec §1.5): `ETag`, `Content-Location` (a path), JSON content type, and
 * `Expires` exactly when `nextTimer` is present, at the same instant.
 */
export function sessionResponseProblems(response: SessionResponse, requestedContractVersion = 107): string[] {
  const problems = sessionDocumentProblems(response.json, requestedContractVersion);
  const h = response.headers;
  if (!h.get('etag')) problems.push('the ETag header is missing');
  const location = h.get('content-location');
  if (location === null || !location.startsWith('/serviceconfigs/'))
    problems.push('Content-Location must be the session path');
  if (!(h.get('content-type') ?? '').startsWith('application/json'))
    problems.push('Content-Type must be application/json');
  const expires = h.get('expires');
  const nextTimer = response.json?.nextTimer;
  if ((expires === null) !== (nextTimer === undefined)) problems.push('Expires must be sent exactly when nextTimer is');
  if (
    expires !== null &&
    nextTimer !== undefined &&
    Math.floor(Date.parse(nextTimer) / 1000) !== Date.parse(expires) / 1000
  ) {
    problems.push(`Expires (${expires}) must be the instant of nextTimer (${nextTimer})`);
  }
  return problems;
}

/**
 * API Gateway's own answer to a request no route matches (by path or method): the service never sees it, so it cannot
 * carry a code. The local server answers the same (local/http-server.ts).
 */
export const API_GATEWAY_NOT_FOUND_BODY = '{"message":"Not Found"}';

/**
 * Problems of any response: session answers are validated whole; 204 has no body; errors are {code, message}, except
 * API Gateway's own 404 for an unrouted request.
 */
export function responseProblems(response: SessionResponse, requestedContractVersion = 107): string[] {
  const s = response.status;
  if (s === 404 && response.text === API_GATEWAY_NOT_FOUND_BODY) return [];
  if (s === 200 || s === 201 || (s === 412 && response.json?.contractVersion !== undefined)) {
    return sessionResponseProblems(response, requestedContractVersion);
  }
  if (s === 204 || s === 304) return response.text === '' ? [] : [`a ${s} must have no body`];
  if (s >= 400) {
    const j = response.json;
    if (typeof j?.code !== 'string' || typeof j?.message !== 'string' || j.message.length < 10) {
      return [`a ${s} must carry {"code","message"} with a message, got ${response.text}`];
    }
    return [];
  }
  return [`unexpected status ${s}`];
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What a client needs of one handle (spec/mpsd-family.md §1.5, §3.1): a GUID id, type, version, sessionRef, strings. */
export function handleProblems(handle: unknown): string[] {
  // biome-ignore lint/suspicious/noExplicitAny: arbitrary JSON
  const h = handle as any;
  const problems: string[] = [];
  if (typeof h?.id !== 'string' || !GUID.test(h.id)) problems.push(`id must be a lower-case GUID, got ${h?.id}`);
  if (!['activity', 'invite', 'transfer', 'search'].includes(h?.type)) problems.push(`unexpected type ${h?.type}`);
  if (h?.type === 'search') problems.push(...searchHandleProblems(h));
  if (h?.version !== 1) problems.push('version must be 1');
  const ref = h?.sessionRef;
  if (
    !GUID.test(String(ref?.scid).toLowerCase()) ||
    typeof ref?.templateName !== 'string' ||
    typeof ref?.name !== 'string'
  )
    problems.push('sessionRef must be {scid (GUID), templateName, name}');
  if (typeof h?.createTime !== 'string' || Number.isNaN(Date.parse(h.createTime)))
    problems.push('createTime: ISO time');
  for (const key of ['ownerXuid', 'titleId', 'invitedXuid', 'senderXuid']) {
    if (h?.[key] !== undefined && typeof h[key] !== 'string') problems.push(`${key} must be a string`);
  }
  return problems;
}

/**
 * What XSAPI's strict search-handle reader needs (spec/mpsd-family.md §4.5): string tags and `strings` values, number
 * `numbers` values; in `relatedInfo`, integer `membersCount` and `maxMembersCount`, a boolean `closed`, string
 * `sessionOwners`.
 */
// biome-ignore lint/suspicious/noExplicitAny: arbitrary JSON
function searchHandleProblems(h: any): string[] {
  const problems: string[] = [];
  const a = h.searchAttributes ?? {};
  if ((a.tags ?? []).some((t: unknown) => typeof t !== 'string')) problems.push('tags must be strings');
  if (Object.values(a.strings ?? {}).some((v) => typeof v !== 'string')) problems.push('strings values: strings');
  if (Object.values(a.numbers ?? {}).some((v) => typeof v !== 'number')) problems.push('numbers values: numbers');
  const r = h.relatedInfo;
  if (r !== undefined) {
    if (!Number.isInteger(r.membersCount) || !Number.isInteger(r.maxMembersCount)) {
      problems.push('relatedInfo.membersCount and maxMembersCount must be integers');
    }
    if (typeof r.closed !== 'boolean') problems.push('relatedInfo.closed must be a boolean');
    if (!Array.isArray(r.sessionOwners) || r.sessionOwners.some((x: unknown) => typeof x !== 'string')) {
      problems.push('relatedInfo.sessionOwners must be an array of strings');
    }
  }
  return problems;
}

/**
 * What XSAPI's session-query reader needs of each entry (spec/mpsd-family.md §5.5): `startTime` a string (null fails
 * the call), `sessionRef` {scid, templateName, name}, `accepted` an integer, `visibility` a string, and `xuid`,
 * `status`, `joinRestriction` strings, `myTurn` a boolean, `keywords` strings where present.
 */
export function queryEntryProblems(entry: unknown): string[] {
  // biome-ignore lint/suspicious/noExplicitAny: arbitrary JSON
  const e = entry as any;
  const problems: string[] = [];
  if (typeof e?.startTime !== 'string' || Number.isNaN(Date.parse(e.startTime))) problems.push('startTime: ISO time');
  const ref = e?.sessionRef;
  if (typeof ref?.scid !== 'string' || typeof ref?.templateName !== 'string' || typeof ref?.name !== 'string') {
    problems.push('sessionRef must be {scid, templateName, name}');
  }
  if (!Number.isInteger(e?.accepted)) problems.push('accepted must be an integer');
  if (!['open', 'private', 'visible', 'full'].includes(e?.visibility)) problems.push(`visibility ${e?.visibility}`);
  for (const key of ['xuid', 'status', 'joinRestriction']) {
    if (e?.[key] !== undefined && typeof e[key] !== 'string') problems.push(`${key} must be a string`);
  }
  if (e?.myTurn !== undefined && typeof e.myTurn !== 'boolean') problems.push('myTurn must be a boolean');
  if (
    e?.keywords !== undefined &&
    !(Array.isArray(e.keywords) && e.keywords.every((k: unknown) => typeof k === 'string'))
  ) {
    problems.push('keywords must be strings');
  }
  return problems;
}

/** The problems of a session query's answer: 200 `{"results": [...]}` of valid entries, or an error. */
export function queryRouteProblems(response: SessionResponse): string[] {
  if (response.status !== 200) return responseProblems(response);
  if (response.headers.get('content-type')?.startsWith('application/json') !== true) return ['not JSON'];
  if (!Array.isArray(response.json?.results)) return ['results must be an array'];
  return response.json.results.flatMap(queryEntryProblems);
}

/** The problems of a template read's answer (family spec §5.6): JSON with `results` or a template `name`, or an error. */
export function templateRouteProblems(response: SessionResponse): string[] {
  if (response.status !== 200) return responseProblems(response);
  if (response.headers.get('content-type')?.startsWith('application/json') !== true) return ['not JSON'];
  return Array.isArray(response.json?.results) || typeof response.json?.name === 'string'
    ? []
    : ['a template read answers {"results": [...]} or a template with its name'];
}

/** The problems of an answer of a handle route other than `/handles/{id}/session` (whose answers are sessions). */
export function handleRouteProblems(response: SessionResponse): string[] {
  const s = response.status;
  if (s === 200 || s === 201) {
    if (response.headers.get('content-type')?.startsWith('application/json') !== true) return ['not JSON'];
    if (Array.isArray(response.json?.results)) return response.json.results.flatMap(handleProblems);
    return handleProblems(response.json);
  }
  return responseProblems(response);
}

/**
 * A SessionClient whose every answer is checked by {@link responseProblems}: a test that uses it fails at the first
 * response a real client could not parse, whatever the test itself asserts.
 */
export class CheckedSessionClient extends SessionClient {
  override async request(
    method: string,
    path: string,
    options: Parameters<SessionClient['request']>[2] = {},
  ): Promise<SessionResponse> {
    const response = await super.request(method, path, options);
    const version = Number(options.headers?.['x-xbl-contract-version'] ?? 107);
    const isHandleRoute = /^\/handles(\/query|\/[^/]+)?$/.test(path);
    const isQueryRoute = /^\/serviceconfigs\/[^/]+(\/session[tT]emplates\/[^/]+)?\/(sessions|batch)$/.test(path);
    const isTemplateRoute = /^\/serviceconfigs\/[^/]+\/session[tT]emplates(\/[^/]+)?$/.test(path);
    const problems = isHandleRoute
      ? handleRouteProblems(response)
      : isQueryRoute
        ? queryRouteProblems(response)
        : isTemplateRoute
          ? templateRouteProblems(response)
          : responseProblems(response, version);
    if (problems.length > 0) {
      throw new Error(
        `${method} ${path} answered ${response.status} with problems:\n  ${problems.join('\n  ')}\n${response.text}`,
      );
    }
    return response;
  }
}
