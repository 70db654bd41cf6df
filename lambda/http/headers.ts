/**
 * A header's value by name, whatever its case: API Gateway lower-cases HTTP/2 header names but passes HTTP/1.1
 * names as sent, and tests and other callers may do either.
 */
export function headerValue(headers: Record<string, string | undefined> | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  const direct = headers[name];
  if (direct !== undefined) return direct;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === lower) return value;
  }
  return undefined;
}
