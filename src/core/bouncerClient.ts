import { normalizeApiOrigin } from './apiOrigin';
import { assertValidBatchId } from './batchId';
import type { BatchStatus } from './batchStatus';
import { parseBatchStatus } from './batchStatus';
import { BouncerError, type BouncerErrorKind } from './errors';
import { isDownloadFilter, type DownloadFilter } from './records';
import {
  abortableSleep,
  DEFAULT_RETRY_OPTIONS,
  isRetryableStatus,
  parseRetryAfter,
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
}

export interface DownloadResponse {
  /** The raw body bytes, guarded: see {@link BouncerClient.openDownload}. */
  body: AsyncIterable<Uint8Array>;
  contentType: string;
  contentLength?: number;
}

/** At most this much of an error body is read: enough for `{status,error,message}`, never a whole page. */
const MAX_ERROR_BODY_CHARS = 8 * 1024;

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

  /** @throws BouncerError('invalidBaseUrl') when `options.baseUrl` is not acceptable. */
  constructor(private readonly options: BouncerClientOptions) {
    this.origin = normalizeApiOrigin(options.baseUrl);
    this.retry = { ...DEFAULT_RETRY_OPTIONS, ...options.retry };
    this.sleep = options.sleep ?? abortableSleep;
  }

  /**
   * Opens the results download of a batch: `GET /v1.1/email/verify/batch/{id}/download?download={filter}`.
   * Resolves once a 200 arrived (after retrying 429/5xx). The returned body yields the raw bytes
   * and, while it is iterated, throws `BouncerError('timeout')` when no chunk arrives within
   * `timeoutMs`, `'network'` when the connection breaks and `'cancelled'` when `signal` aborts.
   * Stopping the iteration early (break/return) aborts the request and closes the connection.
   *
   * @throws BouncerError: invalidBatchId (no request made), unauthorized, paymentRequired, notFound,
   *   notCompleted, rateLimited, serverError, httpError, invalidBody (HTML or the other format),
   *   network, timeout, cancelled.
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
    const body = this.guardBody(response.body, flight, signal);
    return { body: format === 'json' ? await this.sniffJson(body) : body, contentType, contentLength };
  }

  /**
   * Looks at the first significant byte of a JSON body. Results are an array; an object there is
   * an error the server sent with a 200 (`{"status":404,...}`), reported now as invalidBody with the
   * server's message, before the caller creates any file. Returns a body that replays what was read.
   */
  private async sniffJson(body: AsyncIterable<Uint8Array>): Promise<AsyncIterable<Uint8Array>> {
    const iterator = body[Symbol.asyncIterator]();
    const prefix: Uint8Array[] = [];
    let first: number | undefined;
    while (first === undefined) {
      const next = await iterator.next();
      if (next.done) break;
      prefix.push(next.value);
      first = firstSignificantByte(next.value, prefix.length === 1);
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
      text = await withTimeout(response.text(), flight, this.options.timeoutMs);
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
      if (isRetryableStatus(response.status) && attempt < this.retry.maxRetries) {
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), Date.now());
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
      const error = this.statusError(response.status, body.text, attempt);
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

  /** Maps a non-200, non-retried status to its error kind, carrying the server's message. */
  private statusError(status: number, body: string, retries: number): BouncerError {
    const server = parseErrorBody(body);
    const serverMessage = server.message;
    const detail = this.redact(
      [
        `HTTP ${status}`,
        server.status === undefined ? undefined : `body status ${server.status}`,
        server.error,
        serverMessage,
        retries > 0 ? `after ${retries} retries` : undefined,
      ]
        .filter((part) => part !== undefined && part !== '')
        .join('; '),
    );
    const make = (kind: BouncerErrorKind, message: string): BouncerError =>
      new BouncerError(kind, message, {
        httpStatus: status,
        serverMessage: serverMessage && this.redact(serverMessage),
        detail,
      });
    if (status === 401 || status === 403) return make('unauthorized', `The API key was rejected (HTTP ${status}).`);
    if (status === 402) return make('paymentRequired', 'The Bouncer account is out of credits (HTTP 402).');
    if (status === 404) return make('notFound', 'The batch does not exist (HTTP 404).');
    if (status === 405) return make('notCompleted', 'The batch is not completed yet (HTTP 405).');
    if (status === 429) return make('rateLimited', 'Bouncer is rate limiting requests (HTTP 429); try again later.');
    if (status >= 500 && status <= 599) return make('serverError', `The Bouncer server failed (HTTP ${status}).`);
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
  ): AsyncIterable<Uint8Array> {
    const timeoutMs = this.options.timeoutMs;
    const mapError = (error: unknown): BouncerError => this.transportError(error, flight, signal);
    return {
      [Symbol.asyncIterator]: async function* () {
        const iterator = source[Symbol.asyncIterator]();
        let finished = false;
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
            yield typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : next.value;
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
  let text = '';
  try {
    if (response.body === null) return { text, complete: true };
    const decoder = new TextDecoder();
    const iterator = response.body[Symbol.asyncIterator]();
    for (;;) {
      const next = await withTimeout(iterator.next(), flight, timeoutMs);
      if (next.done) return { text, complete: true };
      text += typeof next.value === 'string' ? next.value : decoder.decode(next.value, { stream: true });
      if (text.length >= MAX_ERROR_BODY_CHARS) {
        iterator.return?.()?.catch(() => undefined);
        return { text: text.slice(0, MAX_ERROR_BODY_CHARS), complete: false };
      }
    }
  } catch {
    return { text, complete: false };
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

/** The first byte that is not whitespace (nor, at the very start, a UTF-8 BOM), if any. */
function firstSignificantByte(chunk: Uint8Array, atStart: boolean): number | undefined {
  let i = atStart && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0;
  for (; i < chunk.length; i++) {
    const byte = chunk[i];
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return byte;
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
