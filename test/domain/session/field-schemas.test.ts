import { type JsonObject, parseExactJson } from '../../../lambda/domain/json';
import { assembleConstants } from '../../../lambda/domain/session/constants';
import { SYSTEM_CONSTANT_FIELDS } from '../../../lambda/domain/session/constants-schema';
import { MEMBER_SYSTEM_CONSTANTS, MEMBER_SYSTEM_PROPERTIES } from '../../../lambda/domain/session/member-properties';
import { SESSION_SYSTEM_PROPERTIES } from '../../../lambda/domain/session/properties';
import { activeJoin, context, put, refusal, sessionOf, user } from '../domain-fixtures';

// Every field of the three `system` schemas (constants.system, properties.system, a member's constants.system and
// properties.system): one value each accepts and one it refuses with a 400 that names the field. The lists come from
// the schema modules, so a field added there without a case here fails the completeness test.

/** `with`: other fields the value needs; `template`: the session template, when the field needs one (owners). */
type Case = { accepted: unknown; refused?: unknown; with?: Record<string, unknown>; template?: string };

const SESSION_CONSTANTS: Record<string, Case> = {
  version: { accepted: 1, refused: 2 },
  maxMembersCount: { accepted: 8, refused: 0 },
  visibility: { accepted: 'visible', refused: 'secret' },
  initiators: { accepted: ['100'], refused: ['x'] },
  inviteProtocol: { accepted: 'party', refused: 5 },
  reservedRemovalTimeout: { accepted: 5000, refused: -1 },
  inactiveRemovalTimeout: { accepted: 5000, refused: 'soon' },
  readyRemovalTimeout: { accepted: 5000, refused: 1.5 },
  sessionEmptyTimeout: { accepted: 5000, refused: 2 ** 31 },
  capabilities: { accepted: { gameplay: true }, refused: { gameplay: 'yes' } },
  metrics: { accepted: { latency: true }, refused: { latency: 1 }, with: { capabilities: { connectivity: true } } },
  memberInitialization: { accepted: { membersNeededToStart: 0 }, refused: { joinTimeout: 'x' } },
  peerToPeerRequirements: { accepted: { latencyMaximum: 250 }, refused: { latencyMaximum: -1 } },
  peerToHostRequirements: { accepted: { hostSelectionMetric: 'latency' }, refused: { hostSelectionMetric: 'speed' } },
  measurementServerAddresses: { accepted: { server: {} }, refused: { server: 1 } },
  cloudComputePackage: { accepted: {}, refused: 1, with: { capabilities: { cloudCompute: true } } },
  arbitration: { accepted: { forfeitTimeout: 1000, arbitrationTimeout: 2000 }, refused: { forfeitTimeout: 'x' } },
  broadcastViewerTitleIds: { accepted: ['1'], refused: [1] },
  ownershipPolicies: { accepted: {}, refused: 1, with: { capabilities: { hasOwners: true } } },
};

const SESSION_PROPERTIES: Record<string, Case> = {
  keywords: { accepted: ['a'], refused: 'a' },
  turn: { accepted: [0], refused: [-1] },
  joinRestriction: { accepted: 'local', refused: 'anyone' },
  readRestriction: { accepted: 'none', refused: 'x' },
  closed: { accepted: true, refused: 'yes' },
  locked: { accepted: true, refused: 1, with: { closed: true } },
  host: { accepted: 'abc', refused: 5 },
  initializationSucceeded: { accepted: true, refused: 1 },
  serverConnectionStringCandidates: { accepted: ['a'], refused: [1] },
  matchmaking: { accepted: { serverConnectionString: 'x' }, refused: { resubmit: 'x' } },
  matchmakingResubmit: { accepted: true, refused: 1 },
  allocateCloudCompute: { accepted: true, refused: 1 },
  owners: { accepted: [0], refused: ['x'], template: 'owned-lfg' },
};

const MEMBER_CONSTANTS: Record<string, Case> = {
  xuid: { accepted: '100', refused: 'abc' },
  initialize: { accepted: true, refused: 5 },
  matchmakingResult: { accepted: {}, refused: 1 },
  team: { accepted: 'red', refused: 5 },
  // Reported by the service (the member's own index, render.ts) whatever was sent: nothing to refuse.
  index: { accepted: 7 },
};

const MEMBER_PROPERTIES: Record<string, Case> = {
  active: { accepted: true, refused: 1 },
  ready: { accepted: true, refused: 1 },
  connection: { accepted: '5b5f2d7e-4c3a-4c9e-9d3b-1f2e3d4c5b6a', refused: 5 },
  secureDeviceAddress: { accepted: '', refused: 5 },
  initializationGroup: { accepted: [], refused: ['x'] },
  groups: { accepted: ['a'], refused: [1] },
  encounters: { accepted: ['a'], refused: [1] },
  measurements: { accepted: {}, refused: 1 },
  serverMeasurements: { accepted: {}, refused: 1 },
  subscription: { accepted: { id: 'x', changeTypes: ['everything'] }, refused: { id: 5 } },
  subscriptions: { accepted: { one: {} }, refused: 1 },
  arbitration: { accepted: {}, refused: 1 },
  RolePreference: { accepted: {}, refused: 1 },
};

const creator = (templateName = 'open') => context(user('100'), templateName);
// Every template sets `version`, so a request's other version would be a 409 conflict: the schema is run on an
// empty template, as template files are checked.
const createWithConstants = (system: Record<string, unknown>) =>
  assembleConstants(
    { system: {}, custom: {} },
    { system: parseExactJson(JSON.stringify(system)) as JsonObject, custom: {} },
  );
const changeProperties = (system: Record<string, unknown>, templateName?: string) =>
  put(
    sessionOf(put(undefined, activeJoin('100'), creator(templateName))),
    { properties: { system } },
    creator(templateName),
  );
const joinWithConstants = (system: Record<string, unknown>) =>
  put(undefined, { members: { me: { constants: { system } } } }, creator());
const joinWithProperties = (system: Record<string, unknown>) =>
  put(undefined, { members: { me: { properties: { system } } } }, creator());

const SCHEMAS = [
  ['constants.system', SYSTEM_CONSTANT_FIELDS, SESSION_CONSTANTS, createWithConstants],
  ['properties.system', SESSION_SYSTEM_PROPERTIES, SESSION_PROPERTIES, changeProperties],
  ['members.me.constants.system', MEMBER_SYSTEM_CONSTANTS, MEMBER_CONSTANTS, joinWithConstants],
  ['members.me.properties.system', MEMBER_SYSTEM_PROPERTIES, MEMBER_PROPERTIES, joinWithProperties],
] as const;

describe.each(SCHEMAS)('%s', (path, fields, cases, send) => {
  it('has a case for every field of the schema', () => {
    expect(Object.keys(cases).sort()).toEqual([...fields].sort());
  });

  it.each(Object.entries(cases))('%s accepts a valid value', (field, { accepted, with: extra, template }) => {
    expect(() => send({ ...extra, [field]: accepted }, template)).not.toThrow();
  });

  it.each(Object.entries(cases).filter(([, c]) => c.refused !== undefined))(
    '%s refuses a value of the wrong shape, naming the field',
    (field, { refused, with: extra, template }) => {
      const r = refusal(() => send({ ...extra, [field]: refused }, template));
      expect([r.status, r.code]).toEqual([400, 'InvalidValue']);
      expect(r.message.startsWith(`${path}.${field}`)).toBe(true);
    },
  );
});
