/**
 * A JSON-style object whose fields can be read: not null, not an array. For values that come from
 * outside (a server's body, a command argument, a webview message) and must be checked field by field.
 */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses text that should hold a JSON object; undefined when it is not JSON, or not an object. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isObject(value) ? value : undefined;
}
