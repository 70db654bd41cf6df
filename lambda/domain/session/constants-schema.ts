import { invalidValue } from '../errors';
import { type JsonObject, type JsonValue, toNumber } from '../json';
import { MAX_ARRAY_ITEMS, MAX_INT32, MAX_MEMBERS_LARGE, MAX_MEMBERS_NORMAL } from '../limits';
import {
  expectBoolean,
  expectEnum,
  expectInteger,
  expectKnownKeys,
  expectObject,
  expectString,
  expectStringArray,
  expectTimeout,
  expectXuid,
} from '../validate';
import { maxMembersCountOf, TIMEOUT_NAMES, VISIBILITIES } from './constants-defaults';
import { validateOwnershipPolicies } from './ownership';

// The schema of a session's `constants.system` (spec §2.3, §4): its fields, their checks and the rules between them.
// In 107 form only: legacy-contract.ts rewrites 104/105 bodies before they get here. The defaults and the readers
// that apply them are constants-defaults.ts.

const CAPABILITIES = [
  'connectivity',
  'suppressPresenceActivityCheck',
  'gameplay',
  'large',
  'connectionRequiredForActiveMembers',
  'clientMatchmaking',
  'cloudCompute',
  'autoPopulateServerCandidates',
  'userAuthorizationStyle',
  'crossPlay',
  'crossplay',
  'broadcast',
  'team',
  'arbitration',
  'hasOwners',
  'searchable',
] as const;

/** The fields of `constants.system` (spec §2.3), in the order the messages list them. */
export const SYSTEM_CONSTANT_FIELDS = [
  'version',
  'maxMembersCount',
  'visibility',
  'initiators',
  'inviteProtocol',
  ...TIMEOUT_NAMES,
  'capabilities',
  'metrics',
  'memberInitialization',
  'peerToPeerRequirements',
  'peerToHostRequirements',
  'measurementServerAddresses',
  'cloudComputePackage',
  'arbitration',
  'broadcastViewerTitleIds',
  'ownershipPolicies',
] as const;
type SystemConstantField = (typeof SYSTEM_CONSTANT_FIELDS)[number];

/** What a field's check sees besides its own value: the whole object and its (already checked) capabilities. */
interface SystemConstantsContext {
  readonly system: JsonObject;
  readonly caps: JsonObject;
  readonly large: boolean;
}
/** Checks one field's value; throws a 400 naming `path` when it breaks a rule. */
type SystemConstantCheck = (path: string, value: JsonValue, context: SystemConstantsContext) => void;

function validateCapabilities(value: JsonValue): JsonObject {
  const caps = expectObject('constants.system.capabilities', value);
  expectKnownKeys('constants.system.capabilities', caps, CAPABILITIES);
  for (const [k, v] of Object.entries(caps)) expectBoolean(`constants.system.capabilities.${k}`, v);
  return caps;
}

function validateNumberFields(path: string, value: JsonValue, fields: Record<string, 'timeout' | 'count' | 'boolean'>) {
  const obj = expectObject(path, value);
  expectKnownKeys(path, obj, Object.keys(fields));
  for (const [k, v] of Object.entries(obj)) {
    const kind = fields[k];
    if (kind === 'boolean') expectBoolean(`${path}.${k}`, v);
    // Counts and nested timeouts (ms) alike. Nested timeouts have no "never": a null there would be rendered, and
    // XSAPI aborts on a null timeout (§2.2).
    else expectInteger(`${path}.${k}`, v, 0, MAX_INT32);
  }
  return obj;
}

const checkTimeout: SystemConstantCheck = (path, value) => {
  expectTimeout(path, value);
};

/** One check per field: a field without a check does not compile. */
const SYSTEM_CONSTANT_CHECKS = {
  version: (path, value) => {
    expectInteger(path, value, 1, 1);
  },
  maxMembersCount: (path, value, { large }) => {
    expectInteger(path, value, 1, large ? MAX_MEMBERS_LARGE : MAX_MEMBERS_NORMAL);
  },
  visibility: (path, value) => {
    expectEnum(path, value, VISIBILITIES);
  },
  initiators: (path, value) => {
    for (const [i, x] of expectStringArray(path, value, MAX_ARRAY_ITEMS).entries()) expectXuid(`${path}[${i}]`, x);
  },
  inviteProtocol: (path, value) => {
    expectString(path, value, 100);
  },
  reservedRemovalTimeout: checkTimeout,
  inactiveRemovalTimeout: checkTimeout,
  readyRemovalTimeout: checkTimeout,
  sessionEmptyTimeout: checkTimeout,
  // Checked first, on its own (validateSystemConstants): the other checks read it.
  capabilities: () => {},
  metrics: (path, value, { caps }) => {
    validateNumberFields(path, value, {
      latency: 'boolean',
      bandwidthDown: 'boolean',
      bandwidthUp: 'boolean',
      custom: 'boolean',
    });
    if (caps.connectivity !== true) throw invalidValue(path, 'needs the connectivity capability.');
  },
  memberInitialization: (path, value, { system, large }) => {
    const init = validateNumberFields(path, value, {
      joinTimeout: 'timeout',
      measurementTimeout: 'timeout',
      evaluationTimeout: 'timeout',
      externalEvaluation: 'boolean',
      membersNeededToStart: 'count',
    });
    if (large) throw invalidValue(path, 'is not allowed on large sessions.');
    if (init.evaluationTimeout !== undefined && init.externalEvaluation !== true) {
      throw invalidValue(`${path}.evaluationTimeout`, 'is allowed only when externalEvaluation is true.');
    }
    // Documented as 0..maxMembersCount and as 1..maxMembersCount (spec §7 contradiction 4): 0 is accepted.
    const needed = toNumber(init.membersNeededToStart);
    const max = maxMembersCountOf(system);
    if (needed !== undefined && needed > max) {
      throw invalidValue(`${path}.membersNeededToStart`, `must be from 0 to maxMembersCount (${max}).`);
    }
  },
  peerToPeerRequirements: (path, value) => {
    validateNumberFields(path, value, { latencyMaximum: 'count', bandwidthMinimum: 'count' });
  },
  peerToHostRequirements: (path, value) => {
    const req = expectObject(path, value);
    expectKnownKeys(path, req, ['latencyMaximum', 'bandwidthDownMinimum', 'bandwidthUpMinimum', 'hostSelectionMetric']);
    for (const [k, v] of Object.entries(req)) {
      if (k === 'hostSelectionMetric') {
        expectEnum(`${path}.${k}`, v, ['bandwidthup', 'bandwidthdown', 'bandwidth', 'latency'] as const);
      } else expectInteger(`${path}.${k}`, v, 0, MAX_INT32);
    }
  },
  measurementServerAddresses: (path, value, { large }) => {
    if (large) throw invalidValue(path, 'is not allowed on large sessions.');
    for (const [k, v] of Object.entries(expectObject(path, value))) expectObject(`${path}.${k}`, v);
  },
  cloudComputePackage: (path, value, { caps }) => {
    expectObject(path, value);
    if (caps.cloudCompute !== true) throw invalidValue(path, 'needs the cloudCompute capability.');
  },
  arbitration: (path, value) => {
    const arb = validateNumberFields(path, value, { forfeitTimeout: 'timeout', arbitrationTimeout: 'timeout' });
    const forfeit = arb.forfeitTimeout ?? 60000;
    const arbitration = arb.arbitrationTimeout ?? 300000;
    if (typeof forfeit === 'number' && typeof arbitration === 'number' && arbitration < forfeit) {
      throw invalidValue(`${path}.arbitrationTimeout`, 'must be at least forfeitTimeout.');
    }
  },
  broadcastViewerTitleIds: (path, value) => {
    expectStringArray(path, value, MAX_ARRAY_ITEMS);
  },
  ownershipPolicies: (path, value, { caps }) => {
    validateOwnershipPolicies(path, value);
    if (caps.hasOwners !== true) throw invalidValue(path, 'needs the hasOwners capability.');
  },
} satisfies Record<SystemConstantField, SystemConstantCheck>;

/** Checks every field of the assembled session constants by type and documented rule (spec §2.3, §4). */
export function validateSystemConstants(system: JsonObject): void {
  const p = 'constants.system';
  expectKnownKeys(p, system, SYSTEM_CONSTANT_FIELDS);
  const caps = system.capabilities === undefined ? {} : validateCapabilities(system.capabilities);
  const large = caps.large === true;
  for (const [key, value] of Object.entries(system)) {
    SYSTEM_CONSTANT_CHECKS[key as SystemConstantField](`${p}.${key}`, value, { system, caps, large });
  }
  const conflicts: [boolean, string][] = [
    [large && caps.connectivity === true, 'connectivity is not allowed with large'],
    [large && caps.userAuthorizationStyle === true, 'userAuthorizationStyle is not allowed with large'],
    [large && caps.autoPopulateServerCandidates === true, 'autoPopulateServerCandidates is not allowed with large'],
    [caps.broadcast === true && !large, 'broadcast needs large'],
    [caps.team === true && (large || caps.gameplay === true), 'team is not allowed with large or gameplay'],
    [
      caps.arbitration === true && (large || caps.gameplay !== true),
      'arbitration needs gameplay and is not allowed with large',
    ],
    [
      caps.searchable === true && caps.userAuthorizationStyle === true && caps.hasOwners !== true,
      'searchable with userAuthorizationStyle needs hasOwners',
    ],
  ];
  for (const [broken, rule] of conflicts) {
    if (broken) throw invalidValue('constants.system.capabilities', `break a documented rule: ${rule}.`);
  }
  if (!large && typeof system.maxMembersCount === 'number' && system.maxMembersCount > MAX_MEMBERS_NORMAL) {
    throw invalidValue(
      'constants.system.maxMembersCount',
      `must be at most ${MAX_MEMBERS_NORMAL} without the large capability.`,
    );
  }
}
