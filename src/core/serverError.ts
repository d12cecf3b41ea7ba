import { parseJsonObject } from './guards';

/** At most this much of an error body is read: enough for `{status,error,message}`, never a whole page. */
export const MAX_ERROR_BODY_CHARS = 8 * 1024;

/** The error object the Bouncer API sends, `{ status, error, message }`, with the fields that were there. */
export interface ServerError {
  status?: number;
  error?: string;
  message?: string;
}

/**
 * Reads the server's error object: from a failed request's body, or from a 200 whose body should
 * have been results. `status` may come as a number or as a string of three digits; a field of another
 * type is left out. Returns undefined when the text is not a JSON object.
 */
export function parseServerError(text: string): ServerError | undefined {
  const fields = parseJsonObject(text);
  if (fields === undefined) return undefined;
  const { status, error, message } = fields;
  return {
    status:
      typeof status === 'number'
        ? status
        : typeof status === 'string' && /^\d{3}$/.test(status)
          ? Number(status)
          : undefined,
    error: typeof error === 'string' ? error : undefined,
    message: typeof message === 'string' ? message : undefined,
  };
}
