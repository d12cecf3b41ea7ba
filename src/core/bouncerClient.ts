import { normalizeApiOrigin } from './apiOrigin';
import { assertValidBatchId } from './batchId';
import type { BatchStatus } from './batchStatus';
import { parseBatchStatus } from './batchStatus';
import { BouncerError, type BouncerErrorKind } from './errors';
import { formatBytes } from './format';
import { MAX_LEADING_BYTES, onlyWhitespaceError } from './recordSplitter';
import { isDownloadFilter, type DownloadFilter } from './records';
import {
  abortableSleep,
  DEFAULT_RETRY_OPTIONS,
  formatWait,
  isRetryableStatus,
  parseRetryAfter,
  retryAfterExceedsCap,
  retryDelayMs,
  type RetryOptions,
} from './retryPolicy';

/** The subset of a fetch `Response` the client reads; node-fetch v3's `Response` satisfies it. */
export interface FetchResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  /** A Node `Readable` in node-fetch; any async iterable of bytes (or strings) will do. */
  body: AsyncIterable<Uint8Array | string> | null;
  text(): Promise<string>;
}

/**
 * The subset of `fetch` the client calls; pass node-fetch v3's default export.
 * `redirect` is always `'manual'`: following a redirect would carry `x-api-key` to wherever the
 * `Location` points, and the Bouncer API never redirects.
 */
export type FetchLike = (
  url: string,
  init: { method?: string; headers: Record<string, string>; signal: AbortSignal; redirect?: 'manual' },
) => Promise<FetchResponseLike>;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface BouncerClientOptions {
  /** `bouncer.apiBaseUrl`; validated by {@link normalizeApiOrigin} (https unless loopback). */
  baseUrl: string;
  apiKey: string;
  fetch: FetchLike;
  /** Longest silence tolerated: before the response headers, and between two body chunks. */
  timeoutMs: number;
  retry?: Partial<RetryOptions>;
  /** How to wait between retries; injectable so tests record the delays instead of waiting. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Receives diagnostic lines. They never contain the API key. */
  log?: (level: LogLevel, message: string) => void;
  /**
   * Most bytes one download body may yield, counted after decompression (`bouncer.download.maxSizeMB`).
   * Default {@link DEFAULT_MAX_BODY_BYTES}.
   */
  maxBodyBytes?: number;
}

/** 4 GiB: far above any real batch (100,000 records are tens of MB), far below a full disk. */
export const DEFAULT_MAX_BODY_BYTES = 4096 * 1024 * 1024;

export interface DownloadResponse {
  /** The raw body bytes, guarded: see {@link BouncerClient.openDownload}. */
  body: AsyncIterable<Uint8Array>;
  contentType: string;
  contentLength?: number;
}

/** At most this much of an error body is read: enough for `{status,error,message}`, never a whole page. */
const MAX_ERROR_BODY_CHARS = 8 * 1024;

/** A batch status is a few hundred bytes; an answer larger than this is not one, and is not buffered. */
const MAX_STATUS_BODY_CHARS = 64 * 1024;

const ACCEPT: Record<'json' | 'csv', string> = { json: 'application/json', csv: 'text/csv' };

/** Why the client aborted its own request; read back when mapping the resulting error. */
type AbortCause = 'timeout' | 'cancelled' | 'done';

/**
 * One request in flight: its own AbortController, linked to the caller's signal, so a timeout or
 * an early stop can close the socket without the caller's signal being involved.
 */
class Flight {
  readonly controller = new AbortController();
  cause: AbortCause | undefined;
  private readonly onOuterAbort = (): void => this.abort('cancelled');

  constructor(private readonly outer: AbortSignal) {
    if (outer.aborted) this.abort('cancelled');
    else outer.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  abort(cause: AbortCause): void {
    if (this.cause !== undefined) return;
    this.cause = cause;
    this.controller.abort(new Error(`request ${cause}`));
  }

  /** Detaches from the caller's signal once the flight is over. */
  finish(): void {
    this.outer.removeEventListener('abort', this.onOuterAbort);
  }
}

/**
 * Talks to the Bouncer batch API. Pure: the caller provides `fetch`, the key and the abort signal,
 * so tests drive it over loopback against the emulator and cancellation is real.
 */
export class BouncerClient {
  private readonly origin: string;
  private readonly retry: RetryOptions;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly maxBodyBytes: number;

  /** @throws BouncerError('invalidBaseUrl') when `options.baseUrl` is not acceptable. */
  constructor(private readonly options: BouncerClientOptions) {
    this.origin = normalizeApiOrigin(options.baseUrl);
    this.retry = { ...DEFAULT_RETRY_OPTIONS, ...options.retry };
    this.sleep = options.sleep ?? abortableSleep;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  /**
   * Opens the results download of a batch: `GET /v1.1/email/verify/batch/{id}/download?download={filter}`.
   * Resolves once a 200 arrived (after retrying 429/5xx). The returned body yields the raw bytes
   * and, while it is iterated, throws `BouncerError('timeout')` when no chunk arrives within
   * `timeoutMs`, `'network'` when the connection breaks, `'tooLarge'` (and aborts the request) once
   * it passed `maxBodyBytes`, and `'cancelled'` when `signal` aborts.
   * Stopping the iteration early (break/return) aborts the request and closes the connection.
   *
   * @throws BouncerError: invalidBatchId (no request made), unauthorized, paymentRequired, notFound,
   *   notCompleted, rateLimited, serverError, httpError, invalidBody (HTML or the other format, or
   *   only whitespace in the first {@link MAX_LEADING_BYTES}), network, timeout, cancelled.
   */
  async openDownload(
    batchId: string,
    filter: DownloadFilter,
    format: 'json' | 'csv',
    signal: AbortSignal,
  ): Promise<DownloadResponse> {
    const id = assertValidBatchId(batchId);
    if (!isDownloadFilter(filter)) throw new RangeError(`Unknown download filter: ${String(filter)}`);
    const url = `${this.origin}/v1.1/email/verify/batch/${encodeURIComponent(id)}/download?download=${filter}`;
    const { response, flight } = await this.requestWithRetries(url, ACCEPT[format], signal);

    const contentType = response.headers.get('content-type') ?? '';
    const mismatch = unexpectedContentType(contentType, format);
    if (mismatch !== undefined) {
      const preview = await readErrorBody(response, flight, this.options.timeoutMs);
      if (!preview.complete) flight.abort('done');
      flight.finish();
      throw new BouncerError('invalidBody', `The server sent ${mismatch} instead of ${format.toUpperCase()} results.`, {
        httpStatus: response.status,
        detail: this.redact(`content-type ${contentType || '(none)'}; body starts: ${preview.text.slice(0, 200)}`),
      });
    }
    if (response.body === null) {
      flight.finish();
      throw new BouncerError('invalidBody', 'The server sent no results body.', { httpStatus: response.status });
    }
    const lengthHeader = response.headers.get('content-length');
    // With gzip/br the header counts compressed bytes while the body yields decompressed ones: useless for progress.
    const encoding = (response.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
    const contentLength =
      lengthHeader !== null && /^\d+$/.test(lengthHeader) && encoding === 'identity' ? Number(lengthHeader) : undefined;
    const size = contentLength === undefined ? '' : `, ${contentLength} bytes`;
    this.log('debug', `download ${id} (${filter}, ${format}): 200 ${contentType}${size}`);
    const body = this.guardBody(response.body, flight, signal, encoding !== 'identity');
    return { body: format === 'json' ? await this.sniffJson(body) : body, contentType, contentLength };
  }

  /**
   * Looks at the first significant byte of a JSON body. Results are an array; an object there is
   * an error the server sent with a 200 (`{"status":404,...}`), reported now as invalidBody with the
   * server's message, before the caller creates any file. Returns a body that replays what was read.
   * What it keeps for the replay is bounded: a body with no significant byte in its first
   * {@link MAX_LEADING_BYTES} is refused (invalidBody) and the request aborted.
   */
  private async sniffJson(body: AsyncIterable<Uint8Array>): Promise<AsyncIterable<Uint8Array>> {
    const iterator = body[Symbol.asyncIterator]();
    const prefix: Uint8Array[] = [];
    let held = 0;
    let first: number | undefined;
    while (first === undefined) {
      const next = await iterator.next();
      if (next.done) break;
      const at = firstSignificantIndex(next.value, held === 0);
      if (held + (at ?? next.value.length) > MAX_LEADING_BYTES) {
        await iterator.return?.();
        throw onlyWhitespaceError();
      }
      prefix.push(next.value);
      held += next.value.length;
      if (at !== undefined) first = next.value[at];
    }
    if (first === 0x7b /* { */) {
      let text = Buffer.concat(prefix).toString('utf8');
      while (text.length < MAX_ERROR_BODY_CHARS) {
        const next = await iterator.next();
        if (next.done) break;
        text += Buffer.from(next.value).toString('utf8');
      }
      await iterator.return?.();
      const server = parseErrorBody(text.replace(/^\uFEFF/, ''));
      throw new BouncerError('invalidBody', 'The server sent an error object instead of results.', {
        httpStatus: server.status,
        serverMessage: server.message === undefined ? undefined : this.redact(server.message),
        detail: this.redact(`200 with body: ${text.slice(0, 200)}`),
      });
    }
    return {
      [Symbol.asyncIterator]: async function* () {
        try {
          yield* prefix;
          for (;;) {
            const next = await iterator.next();
            if (next.done) return;
            yield next.value;
          }
        } finally {
          // Ends the guarded body too when the consumer stops early, which closes the connection.
          await iterator.return?.();
        }
      },
    };
  }

  /**
   * Reads a batch's state: `GET /v1.1/email/verify/batch/{id}?with-stats=true`.
   * Retries 429/5xx like {@link openDownload}; maps the other failures to the same error kinds.
   * @throws BouncerError, including invalidBody when the answer is not a batch status object.
   */
  async getBatchStatus(batchId: string, signal: AbortSignal): Promise<BatchStatus> {
    const id = assertValidBatchId(batchId);
    const url = `${this.origin}/v1.1/email/verify/batch/${encodeURIComponent(id)}?with-stats=true`;
    const { response, flight } = await this.requestWithRetries(url, 'application/json', signal);
    let text: string;
    try {
      const read = await readBoundedText(response, flight, this.options.timeoutMs, MAX_STATUS_BODY_CHARS);
      if (read.error !== undefined) throw read.error;
      if (!read.complete) {
        flight.abort('done');
        throw new BouncerError(
          'invalidBody',
          `The server's answer to a status request is over ${MAX_STATUS_BODY_CHARS / 1024} KiB: not a batch status.`,
          { httpStatus: response.status, detail: this.redact(`body starts: ${read.text.slice(0, 200)}`) },
        );
      }
      text = read.text;
    } catch (error) {
      throw this.transportError(error, flight, signal);
    } finally {
      flight.finish();
    }
    const status = parseBatchStatus(text);
    if (status === undefined) {
      throw new BouncerError('invalidBody', 'The server sent something other than a batch status.', {
        httpStatus: response.status,
        detail: this.redact(`body starts: ${text.slice(0, 200)}`),
      });
    }
    return status;
  }

  /**
   * Sends the GET, repeating it after 429/5xx as the retry policy says, and turns every other
   * non-200 answer into a BouncerError. Returns the 200 response with its still-open flight.
   */
  private async requestWithRetries(
    url: string,
    accept: string,
    signal: AbortSignal,
  ): Promise<{ response: FetchResponseLike; flight: Flight }> {
    for (let attempt = 0; ; attempt++) {
      const flight = new Flight(signal);
      const response = await this.send(url, accept, flight, signal);
      if (response.status === 200) return { response, flight };

      const body = await readErrorBody(response, flight, this.options.timeoutMs);
      // Closing a connection whose body was read to the end would only cost keep-alive reuse.
      if (!body.complete) flight.abort('done');
      flight.finish();
      const path = new URL(url).pathname;
      const now = Date.now();
      const retryAfterMs = isRetryableStatus(response.status)
        ? parseRetryAfter(response.headers.get('retry-after'), now)
        : undefined;
      const tooLong = retryAfterExceedsCap(retryAfterMs, this.retry);
      if (isRetryableStatus(response.status) && attempt < this.retry.maxRetries && !tooLong) {
        const delay = retryDelayMs(attempt, retryAfterMs, this.retry);
        this.log(
          'warn',
          `GET ${path}: HTTP ${response.status}; retry ${attempt + 1} of ${this.retry.maxRetries} in ${delay} ms`,
        );
        try {
          await this.sleep(delay, signal);
        } catch {
          throw cancelled();
        }
        if (signal.aborted) throw cancelled();
        continue;
      }
      const retryAt = retryAfterMs === undefined ? undefined : now + retryAfterMs;
      const error = this.statusError(response.status, body.text, attempt, retryAt, now);
      this.log(
        'error',
        `GET ${path}: HTTP ${response.status} → ${error.kind}${error.detail ? ` (${error.detail})` : ''}`,
      );
      throw error;
    }
  }

  /** One fetch with the header timeout armed; maps transport failures to BouncerErrors. */
  private async send(url: string, accept: string, flight: Flight, signal: AbortSignal): Promise<FetchResponseLike> {
    if (signal.aborted) throw cancelled();
    const timer = setTimeout(() => flight.abort('timeout'), this.options.timeoutMs);
    try {
      return await this.options.fetch(url, {
        method: 'GET',
        headers: { 'x-api-key': this.options.apiKey, Accept: accept },
        signal: flight.signal,
        redirect: 'manual',
      });
    } catch (error) {
      flight.finish();
      throw this.transportError(error, flight, signal);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Maps a non-200, non-retried status to its error kind, carrying the server's message and, when
   * the server said when to come back (`retryAt`, epoch ms), saying so in the message.
   */
  private statusError(
    status: number,
    body: string,
    retries: number,
    retryAt: number | undefined,
    now: number,
  ): BouncerError {
    const server = parseErrorBody(body);
    const serverMessage = server.message;
    const detail = this.redact(
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
        serverMessage: serverMessage && this.redact(serverMessage),
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

  /** Turns whatever fetch or a body read threw into cancelled / timeout / network. */
  private transportError(error: unknown, flight: Flight, signal: AbortSignal): BouncerError {
    if (error instanceof BouncerError) return error;
    if (signal.aborted || flight.cause === 'cancelled') return cancelled();
    if (flight.cause === 'timeout') {
      return new BouncerError(
        'timeout',
        `The server sent nothing for ${Math.round(this.options.timeoutMs / 1000)} s.`,
        {
          detail: `no data within ${this.options.timeoutMs} ms`,
        },
      );
    }
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new BouncerError('network', 'The connection to the Bouncer server failed.', { detail: this.redact(text) });
  }

  /**
   * Wraps the response body: an idle timer per chunk, errors mapped to BouncerErrors, strings turned
   * into bytes, and the request aborted whenever iteration ends before the body did.
   */
  private guardBody(
    source: AsyncIterable<Uint8Array | string>,
    flight: Flight,
    signal: AbortSignal,
    encoded: boolean,
  ): AsyncIterable<Uint8Array> {
    const timeoutMs = this.options.timeoutMs;
    const maxBytes = this.maxBodyBytes;
    const mapError = (error: unknown): BouncerError => this.transportError(error, flight, signal);
    return {
      [Symbol.asyncIterator]: async function* () {
        const iterator = source[Symbol.asyncIterator]();
        let finished = false;
        let received = 0;
        try {
          for (;;) {
            if (signal.aborted) throw cancelled();
            let next: IteratorResult<Uint8Array | string>;
            try {
              next = await withTimeout(iterator.next(), flight, timeoutMs);
            } catch (error) {
              throw mapError(error);
            }
            if (next.done) {
              finished = true;
              return;
            }
            const chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
            // fetch yields decompressed bytes: this counts what a gzip bomb expands to, not what it weighs.
            received += chunk.length;
            if (received > maxBytes) throw tooLarge(maxBytes, encoded);
            yield chunk;
          }
        } finally {
          if (!finished) {
            flight.abort(signal.aborted ? 'cancelled' : 'done');
            // Let the source release its resources; its own error (it was aborted) is of no interest.
            iterator.return?.()?.catch(() => undefined);
          }
          flight.finish();
        }
      },
    };
  }

  private log(level: LogLevel, message: string): void {
    this.options.log?.(level, this.redact(message));
  }

  /** Belt and braces: whatever a server or a library echoes back, the key never leaves in a string. */
  private redact(text: string): string {
    const key = this.options.apiKey;
    return key.length > 0 ? text.split(key).join('***') : text;
  }
}

function cancelled(): BouncerError {
  return new BouncerError('cancelled', 'Cancelled.');
}

/** `in 2 h (after 14:05 UTC)`; a short wait needs no clock time. UTC: the core knows no locale. */
function tryAgainWhen(retryAt: number, now: number): string {
  const wait = `in ${formatWait(retryAt - now)}`;
  if (retryAt - now < 90_000) return wait;
  const at = new Date(Math.ceil(retryAt / 60_000) * 60_000).toISOString();
  const sameDay = at.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return `${wait} (after ${sameDay ? '' : `${at.slice(0, 10)} `}${at.slice(11, 16)} UTC)`;
}

function tooLarge(maxBytes: number, encoded: boolean): BouncerError {
  const limit = formatBytes(maxBytes);
  return new BouncerError(
    'tooLarge',
    encoded
      ? `The compressed download expands to more than the ${limit} download size limit.`
      : `The download is larger than the ${limit} download size limit.`,
    { detail: `stopped after ${maxBytes} bytes${encoded ? ' (decompressed)' : ''}` },
  );
}

/**
 * Races `promise` against the flight's idle timeout and abort. On timeout the flight is aborted,
 * which closes the socket; the caller maps the rejection via the flight's cause.
 */
function withTimeout<T>(promise: Promise<T>, flight: Flight, timeoutMs: number): Promise<T> {
  // The raced promise may reject later (the stream errors once aborted); nobody is listening then.
  promise.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    const timer = setTimeout(() => {
      flight.abort('timeout');
    }, timeoutMs);
    if (flight.signal.aborted) {
      onAbort();
      return;
    }
    flight.signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        clearTimeout(timer);
        flight.signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        flight.signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Reads at most {@link MAX_ERROR_BODY_CHARS} of an error body; an unreadable body reads as ''.
 * `complete` says whether the body was read to its end.
 */
async function readErrorBody(
  response: FetchResponseLike,
  flight: Flight,
  timeoutMs: number,
): Promise<{ text: string; complete: boolean }> {
  const { text, complete } = await readBoundedText(response, flight, timeoutMs, MAX_ERROR_BODY_CHARS);
  return { text, complete };
}

/**
 * Reads a body as text, but never more than `maxChars` of it: `complete` is false (and the rest
 * unread) when there was more, or when reading failed (`error`, for the caller to map; `text` then
 * holds what arrived before).
 */
async function readBoundedText(
  response: FetchResponseLike,
  flight: Flight,
  timeoutMs: number,
  maxChars: number,
): Promise<{ text: string; complete: boolean; error?: unknown }> {
  let text = '';
  try {
    if (response.body === null) return { text, complete: true };
    const decoder = new TextDecoder();
    const iterator = response.body[Symbol.asyncIterator]();
    for (;;) {
      const next = await withTimeout(iterator.next(), flight, timeoutMs);
      if (next.done) return { text: text + decoder.decode(), complete: true };
      text += typeof next.value === 'string' ? next.value : decoder.decode(next.value, { stream: true });
      if (text.length > maxChars) {
        iterator.return?.()?.catch(() => undefined);
        return { text: text.slice(0, maxChars), complete: false };
      }
    }
  } catch (error) {
    return { text, complete: false, error: error ?? new Error('body read failed') };
  }
}

/** The documented error body `{ status, error, message }`; `status` may be a string or a number. */
function parseErrorBody(text: string): { status?: number; error?: string; message?: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const fields = value as Record<string, unknown>;
  const rawStatus = fields.status;
  const status =
    typeof rawStatus === 'number'
      ? rawStatus
      : typeof rawStatus === 'string' && /^\d+$/.test(rawStatus)
        ? Number(rawStatus)
        : undefined;
  return {
    status,
    error: typeof fields.error === 'string' ? fields.error : undefined,
    message: typeof fields.message === 'string' ? fields.message : undefined,
  };
}

/** Where the first byte that is not whitespace (nor, at the very start, a UTF-8 BOM) is, if any. */
function firstSignificantIndex(chunk: Uint8Array, atStart: boolean): number | undefined {
  let i = atStart && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0;
  for (; i < chunk.length; i++) {
    const byte = chunk[i];
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return i;
  }
  return undefined;
}

/**
 * Says what came instead when a 200's content type is clearly not the requested format
 * (an HTML page from a proxy or login wall, or JSON when CSV was asked: an error object).
 * A missing or unusual type passes: the ingest validates the bytes themselves.
 */
function unexpectedContentType(contentType: string, format: 'json' | 'csv'): string | undefined {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (type === 'text/html' || type === 'application/xhtml+xml') return 'an HTML page';
  if (format === 'csv' && (type === 'application/json' || type.endsWith('+json'))) return 'JSON';
  if (format === 'json' && type === 'text/csv') return 'CSV';
  return undefined;
}
