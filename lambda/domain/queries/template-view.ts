import { cloneJson, type JsonObject } from '../json';
import type { SessionTemplate } from '../templates';

// Template reads (spec/mpsd-family.md §5.6; §7 item 19): the reference pages show a session-query body by mistake, so
// the shapes are the family spec's suggestion.

/** An entry of `GET …/sessiontemplates`: `{"name", "contractVersion"}`. */
export function templateListEntryOf(template: SessionTemplate): JsonObject {
  return { name: template.name, contractVersion: template.contractVersion };
}

/**
 * `GET …/sessiontemplates/{name}`: the template as configured (`contractVersion`, `constants` with `system` and
 * `custom`, `roleTypes` when defined) with its `name`.
 */
export function templateDocumentOf(template: SessionTemplate): JsonObject {
  return {
    name: template.name,
    contractVersion: template.contractVersion,
    constants: { system: cloneJson(template.constants.system), custom: cloneJson(template.constants.custom) },
    ...(template.roleTypes === undefined ? {} : { roleTypes: cloneJson(template.roleTypes) }),
  };
}
