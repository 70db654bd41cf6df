import { MpsdError } from './errors';

/** The triple that names a session (spec §1.1), as the caller spelled it. */
export interface SessionReference {
  readonly scid: string;
  readonly templateName: string;
  readonly name: string;
}

/** Template names are at most 100 characters (Partner Center rule, spec §1.1); names get the same bound. */
export const MAX_NAME_LENGTH_CHARS = 100;

// No character set is documented (spec §7.2); URL-safe characters only, and never '#', which separates the parts
// of the storage key.
const NAME_CHARACTERS = /^[A-Za-z0-9._~()-]+$/;
const SCID_FORMAT = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

/** True when the value has a SCID's shape (a GUID); says nothing about whether the SCID is configured. */
export function isScidShaped(value: string | undefined): value is string {
  return value !== undefined && SCID_FORMAT.test(value);
}

function checkName(part: string, value: string | undefined): string {
  if (value === undefined || value.length === 0) {
    throw new MpsdError('InvalidSessionReference', `The ${part} is missing from the URI.`);
  }
  if (value.length > MAX_NAME_LENGTH_CHARS) {
    throw new MpsdError(
      'InvalidSessionReference',
      `The ${part} is ${value.length} characters long; at most ${MAX_NAME_LENGTH_CHARS} are allowed.`,
    );
  }
  if (!NAME_CHARACTERS.test(value) || value === '.' || value === '..') {
    throw new MpsdError(
      'InvalidSessionReference',
      `The ${part} "${value}" has characters that are not allowed; use letters, digits and . _ ~ ( ) - only.`,
    );
  }
  return value;
}

/** A session template's name as configured: the same rule as in the URI, or no request could ever name it. */
export function checkTemplateName(value: string): string {
  return checkName('session template name', value);
}

/** Validates a SCID from a path (already URL-decoded): 400 unless it is a GUID. */
export function parseScid(scid: string | undefined): string {
  if (scid === undefined || !SCID_FORMAT.test(scid)) {
    throw new MpsdError(
      'InvalidSessionReference',
      `The service config id "${scid ?? ''}" is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).`,
    );
  }
  return scid;
}

/** Validates the three path parts (already URL-decoded). */
export function parseSessionReference(
  scid: string | undefined,
  templateName: string | undefined,
  name: string | undefined,
): SessionReference {
  return {
    scid: parseScid(scid),
    templateName: checkName('session template name', templateName),
    name: checkName('session name', name),
  };
}

/**
 * The storage key `<scid>#<template>#<name>`. Every part is lower-cased: MPSD compares template and session names
 * case-insensitively (spec §1.1) and a SCID is a GUID.
 */
export function sessionKey(ref: SessionReference): string {
  return `${ref.scid.toLowerCase()}#${ref.templateName.toLowerCase()}#${ref.name.toLowerCase()}`;
}

/** The reference a storage key names (the sweeper finds sessions by key); its parts as stored, lower-cased. */
export function sessionReferenceOfKey(key: string): SessionReference {
  const [scid = '', templateName = '', name = ''] = key.split('#');
  return { scid, templateName, name };
}
