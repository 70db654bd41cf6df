/** A GUID in its 8-4-4-4-12 hexadecimal form, any letter case, no braces. */
const GUID_FORMAT = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

/** True when the value is a GUID string (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, either case). */
export function isGuid(value: unknown): value is string {
  return typeof value === 'string' && GUID_FORMAT.test(value);
}
