import { upgradeLegacySystemConstants } from './constants';
import { MpsdError } from './errors';
import { isJsonObject, type JsonObject, type JsonValue } from './json';
import type { PropertyBag } from './session-document';
import type { SessionReference } from './session-reference';
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

/**
 * Reads one SCID's template file: `{ "templates": { "<name>": { "contractVersion": 107, "constants": {...},
 * "roleTypes": {...} } } }`. Throws an Error naming the file and the problem: a broken file must stop start-up.
 */
export function readServiceConfig(file: string, json: JsonValue): Map<string, SessionTemplate> {
  if (!isJsonObject(json) || !isJsonObject(json.templates)) {
    throw new Error(`${file}: expected an object with a "templates" object`);
  }
  const templates = new Map<string, SessionTemplate>();
  for (const [name, body] of Object.entries(json.templates)) {
    if (!isJsonObject(body) || !isJsonObject(body.constants)) {
      throw new Error(`${file}: template "${name}" needs a "constants" object`);
    }
    const contractVersion = typeof body.contractVersion === 'number' ? body.contractVersion : 107;
    const system = isJsonObject(body.constants.system) ? body.constants.system : {};
    templates.set(name.toLowerCase(), {
      name,
      contractVersion,
      constants: {
        system: contractVersion < 107 ? upgradeLegacySystemConstants(system) : system,
        custom: body.constants.custom ?? {},
      },
      ...(isJsonObject(body.roleTypes) ? { roleTypes: body.roleTypes } : {}),
      ...sizeBudgetsField(`${file}: template "${name}"`, body),
    });
  }
  return templates;
}

/** The template a session reference names, or the 404 that says which part is unknown (spec §3). */
export function resolveTemplate(catalogue: TemplateCatalogue, ref: SessionReference): SessionTemplate {
  const serviceConfig = catalogue.get(ref.scid.toLowerCase());
  if (serviceConfig === undefined) {
    throw new MpsdError(
      'ServiceConfigNotFound',
      `The requested service config ${ref.scid} is either invalid or not configured for sessions.`,
    );
  }
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
