import { MpsdError } from './errors';
import { isJsonInteger, isJsonObject, type JsonObject, type JsonValue, stringifyExactJson, toNumber } from './json';
import { assembleConstants, readConstantsChange } from './session/constants';
import { CURRENT_CONTRACT_VERSION, SUPPORTED_CONTRACT_VERSIONS } from './session/legacy-contract';
import { validateRoleTypes } from './session/roles';
import type { PropertyBag } from './session-document';
import { checkTemplateName, type SessionReference } from './session-reference';
import { sizeBudgetsField, type TemplateSizeBudgets } from './session-size';

/** A session template (spec §3): the constants (and role types) every session created from it starts with. */
export interface SessionTemplate {
  readonly name: string;
  readonly contractVersion: number;
  readonly constants: PropertyBag;
  readonly roleTypes?: JsonObject;
  /** Optional `sizeBudgets` (README "Size budgets"): the session's and each member's share of one session. */
  readonly sizeBudgets?: TemplateSizeBudgets;
}

/** Templates by lower-cased SCID, then lower-cased template name (template names are case-insensitive). */
export type TemplateCatalogue = ReadonlyMap<string, ReadonlyMap<string, SessionTemplate>>;

/** What a template holds (spec §3): a constants-only PUT body, its contract version and its role types. */
const TEMPLATE_FIELDS = ['contractVersion', 'constants', 'roleTypes', 'sizeBudgets'];

/**
 * Reads one SCID's template file: `{ "templates": { "<name>": { "contractVersion": 107, "constants": {...},
 * "roleTypes": {...} } } }`. Every template is checked by the rules of a creating PUT (the session it would create
 * without request constants must be valid), so a bad template stops start-up instead of making every creating PUT
 * answer 400. Throws an Error naming the file, the template and the rule.
 */
export function readServiceConfig(file: string, json: JsonValue): Map<string, SessionTemplate> {
  if (!isJsonObject(json) || !isJsonObject(json.templates)) {
    throw new Error(`${file}: expected an object with a "templates" object`);
  }
  const templates = new Map<string, SessionTemplate>();
  for (const [name, body] of Object.entries(json.templates)) {
    let template: SessionTemplate;
    try {
      template = readTemplate(name, body, `${file}: template "${name}"`);
    } catch (error) {
      if (!(error instanceof MpsdError)) throw error;
      throw new Error(`${file}: template "${name}": ${error.message}`, { cause: error });
    }
    const other = templates.get(name.toLowerCase());
    if (other !== undefined) {
      throw new Error(
        `${file}: template "${name}": the name differs from template "${other.name}" only in letter case; template names are case-insensitive.`,
      );
    }
    templates.set(name.toLowerCase(), template);
  }
  return templates;
}

/** One template, checked as a creating PUT would check it; throws the MpsdError of the rule it breaks. */
function readTemplate(name: string, body: JsonValue, where: string): SessionTemplate {
  checkTemplateName(name);
  if (!isJsonObject(body) || !isJsonObject(body.constants)) {
    throw new MpsdError('InvalidValue', 'needs a "constants" object.');
  }
  for (const key of Object.keys(body)) {
    if (!TEMPLATE_FIELDS.includes(key)) {
      throw new MpsdError(
        'ProhibitedMember',
        `has a member "${key}"; a template holds only ${TEMPLATE_FIELDS.join(', ')} (spec §3: no members, servers or properties).`,
      );
    }
  }
  const contractVersion = body.contractVersion ?? CURRENT_CONTRACT_VERSION;
  const version = isJsonInteger(contractVersion) ? toNumber(contractVersion) : undefined;
  const supported = SUPPORTED_CONTRACT_VERSIONS.find((v) => v === version);
  if (supported === undefined) {
    throw new MpsdError(
      'UnsupportedContractVersion',
      `contractVersion must be one of ${SUPPORTED_CONTRACT_VERSIONS.join(', ')}, not ${stringifyExactJson(contractVersion)}.`,
    );
  }
  // The constants are read as a creating PUT's constants are, and assembled as a creation without request constants
  // assembles them (template, then defaults, then every rule of spec §2.3/§4): a template that passes always creates.
  const request = readConstantsChange(body.constants, supported);
  const constants: PropertyBag = { system: request.system, custom: request.custom ?? {} };
  const assembled = assembleConstants(constants, undefined);
  if (body.roleTypes !== undefined) validateRoleTypes(body.roleTypes, assembled);
  return {
    name,
    contractVersion: supported,
    constants,
    ...(isJsonObject(body.roleTypes) ? { roleTypes: body.roleTypes } : {}),
    ...sizeBudgetsField(where, body),
  };
}

/** The templates of a SCID, by lower-cased name, or the 404 that says the SCID is not configured (spec §3). */
export function resolveServiceConfig(catalogue: TemplateCatalogue, scid: string): ReadonlyMap<string, SessionTemplate> {
  const serviceConfig = catalogue.get(scid.toLowerCase());
  if (serviceConfig === undefined) {
    throw new MpsdError(
      'ServiceConfigNotFound',
      `The requested service config ${scid} is either invalid or not configured for sessions.`,
    );
  }
  return serviceConfig;
}

/** The template a session reference names, or the 404 that says which part is unknown (spec §3). */
export function resolveTemplate(
  catalogue: TemplateCatalogue,
  ref: Pick<SessionReference, 'scid' | 'templateName'>,
): SessionTemplate {
  const serviceConfig = resolveServiceConfig(catalogue, ref.scid);
  const template = serviceConfig.get(ref.templateName.toLowerCase());
  if (template === undefined) {
    const known = [...serviceConfig.values()].map((t) => t.name).join(', ');
    throw new MpsdError(
      'SessionTemplateNotFound',
      `The session template "${ref.templateName}" does not exist in service config ${ref.scid}; its templates are: ${known}.`,
    );
  }
  return template;
}
