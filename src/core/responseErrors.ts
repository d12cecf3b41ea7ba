import { BouncerError, type BouncerErrorKind } from './errors';
import { formatWait } from './retryPolicy';
import { parseServerError } from './serverError';
import type { ResultsFormat } from './resultsKey';

/** What {@link statusError} needs besides the status and the body. */
export interface StatusErrorContext {
  /** Retries made before this answer. */
  retries: number;
  /** When the server said to come back (epoch ms), if it said so. */
  retryAt: number | undefined;
  now: number;
  redact: (text: string) => string;
}

/**
 * Maps a non-200 status the client does not retry to its error kind, carrying the server's
 * message and, when the server said when to come back, saying so in the message.
 */
export function statusError(status: number, body: string, context: StatusErrorContext): BouncerError {
  const { retries, retryAt, now, redact } = context;
  const server = parseServerError(body) ?? {};
  const serverMessage = server.message;
  const detail = redact(
    [
      `HTTP ${status}`,
      server.status === undefined ? undefined : `body status ${server.status}`,
      server.error,
      serverMessage,
      retries > 0 ? `after ${retries} retries` : undefined,
      retryAt === undefined ? undefined : `Retry-After until ${new Date(retryAt).toISOString()}`,
    ]
      .filter((part) => part !== undefined && part !== '')
      .join('; '),
  );
  const make = (kind: BouncerErrorKind, message: string): BouncerError =>
    new BouncerError(kind, message, {
      httpStatus: status,
      serverMessage: serverMessage && redact(serverMessage),
      detail,
      retryAt,
    });
  // The clock time in UTC: the core knows no locale; the host shows local time from `retryAt`.
  const when = retryAt === undefined ? undefined : tryAgainWhen(retryAt, now);
  if (status === 401 || status === 403) return make('unauthorized', `The API key was rejected (HTTP ${status}).`);
  if (status === 402) return make('paymentRequired', 'The Bouncer account is out of credits (HTTP 402).');
  if (status === 404) return make('notFound', 'The batch does not exist (HTTP 404).');
  if (status === 405) return make('notCompleted', 'The batch is not completed yet (HTTP 405).');
  if (status === 429) {
    return make(
      'rateLimited',
      when === undefined
        ? 'Bouncer is rate limiting requests (HTTP 429); try again later.'
        : `Bouncer is rate limiting requests (HTTP 429) and asks to wait; try again ${when}.`,
    );
  }
  if (status >= 500 && status <= 599) {
    return make(
      'serverError',
      when === undefined
        ? `The Bouncer server failed (HTTP ${status}).`
        : `The Bouncer server is unavailable (HTTP ${status}) and asks to wait; try again ${when}.`,
    );
  }
  return make('httpError', `Unexpected answer from the server (HTTP ${status}).`);
}

/** `in 2 h (after 14:05 UTC)`; a short wait needs no clock time. UTC: the core knows no locale. */
function tryAgainWhen(retryAt: number, now: number): string {
  const wait = `in ${formatWait(retryAt - now)}`;
  if (retryAt - now < 90_000) return wait;
  const at = new Date(Math.ceil(retryAt / 60_000) * 60_000).toISOString();
  const sameDay = at.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return `${wait} (after ${sameDay ? '' : `${at.slice(0, 10)} `}${at.slice(11, 16)} UTC)`;
}

/**
 * Says what came instead when a 200's content type is clearly not the requested format
 * (an HTML page from a proxy or login wall, or JSON when CSV was asked: an error object).
 * A missing or unusual type passes: the ingest validates the bytes themselves.
 */
export function unexpectedContentType(contentType: string, format: ResultsFormat): 'html' | 'json' | 'csv' | undefined {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (type === 'text/html' || type === 'application/xhtml+xml') return 'html';
  if (format === 'csv' && (type === 'application/json' || type.endsWith('+json'))) return 'json';
  if (format === 'json' && type === 'text/csv') return 'csv';
  return undefined;
}
