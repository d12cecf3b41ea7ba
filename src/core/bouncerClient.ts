import { normalizeApiOrigin } from './apiOrigin';
import { assertValidBatchId } from './batchId';
import type { BatchStatus } from './batchStatus';
import { parseBatchStatus } from './batchStatus';
import { type ApiAnswer, BouncerError, cancelledError } from './errors';
import type { FetchLike, FetchResponseLike } from './fetchLike';
import { Flight } from './flight';
import { guardBody } from './guardedBody';
import { sniffJsonBody } from './jsonBodySniffer';
import { DOWNLOAD_FILTERS, isDownloadFilter, type DownloadFilter } from './records';
import { Redactor } from './redactor';
import { statusError, unexpectedContentType } from './responseErrors';
import {
  abortableSleep,
  DEFAULT_RETRY_OPTIONS,
  isRetryableStatus,
  parseRetryAfter,
  retryAfterExceedsCap,
  retryDelayMs,
  type RetryOptions,
} from './retryPolicy';
import { MAX_ERROR_BODY_CHARS } from './serverError';
import type { ResultsFormat } from './resultsKey';

export type { FetchLike, FetchResponseLike } from './fetchLike';

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
const DEFAULT_MAX_BODY_BYTES = 4096 * 1024 * 1024;

export interface DownloadResponse {
  /** The raw body bytes, guarded: see {@link BouncerClient.openDownload}. */
  body: AsyncIterable<Uint8Array>;
  contentType: string;
  contentLength?: number;
}

/** A batch status is a few hundred bytes; an answer larger than this is not one, and is not buffered. */
const MAX_STATUS_BODY_CHARS = 64 * 1024;

/** A call of the API other than the download; see {@link BouncerClient.call}. */
export interface ApiRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path and query after the origin, every part already encoded. */
  path: string;
  /** JSON text; sent with `Content-Type: application/json`. */
  body?: string;
  /** Statuses that mean it worked. Default `[200]`. */
  ok?: readonly number[];
  /**
   * Whether a 5xx may be sent again. False for a creation: the server may have created the batch
   * before failing, and a second one would spend the credits twice. 429 is always retried: it was refused.
   */
  retryServerErrors?: boolean;
  /** Longest Retry-After honoured by waiting (default the client's); a longer one fails at once, saying when. */
  maxDelayMs?: number;
  /** Longest silence for this call, when it differs from the client's. */
  timeoutMs?: number;
  /** Told before each wait the server asked for (or the backoff chose), so a person can see it. */
  onWait?: (ms: number, status: number) => void;
  /** What the answer should be, for the message when it is too long to be it. */
  what?: ApiAnswer;
}

/** What {@link BouncerClient.requestWithRetries} sends. */
interface SentRequest extends Omit<ApiRequest, 'method' | 'path' | 'what'> {
  url: string;
  accept: string;
  method?: ApiRequest['method'];
}

const ACCEPT: Record<ResultsFormat, string> = { json: 'application/json', csv: 'text/csv' };

/**
 * Talks to the Bouncer batch API. Pure: the caller provides `fetch`, the key and the abort signal,
 * so tests drive it over loopback against the emulator and cancellation is real.
 */
export class BouncerClient {
  private readonly origin: string;
  private readonly retry: RetryOptions;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly maxBodyBytes: number;
  /** Belt and braces: whatever a server or a library echoes back, the key never leaves in a string. */
  private readonly redactor = new Redactor();
  private readonly redact = (text: string): string => this.redactor.redact(text);

  /** @throws BouncerError('invalidBaseUrl') when `options.baseUrl` is not acceptable. */
  constructor(private readonly options: BouncerClientOptions) {
    this.origin = normalizeApiOrigin(options.baseUrl);
    this.retry = { ...DEFAULT_RETRY_OPTIONS, ...options.retry };
    this.sleep = options.sleep ?? abortableSleep;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.redactor.add(options.apiKey);
  }

  /**
   * Opens the results download of a batch: `GET /v1.1/email/verify/batch/{id}/download?download={filter}`.
   * Resolves once a 200 arrived (after retrying 429/5xx). The returned body yields the raw bytes
   * and, while it is iterated, throws `BouncerError('timeout')` when no chunk arrives within
   * `timeoutMs`, `'network'` when the connection breaks, `'tooLarge'` (and aborts the request) once
   * it passed `maxBodyBytes`, and `'cancelled'` when `signal` aborts.
   * Stopping the iteration early (break/return) aborts the request and closes the connection.
   *
   * @throws BouncerError: invalidBatchId or invalidArgument (an unknown filter; no request made),
   *   unauthorized, paymentRequired, notFound, notCompleted, rateLimited, serverError, httpError,
   *   invalidBody (HTML or the other format, an error object, or nothing but whitespace at the start),
   *   network, timeout, cancelled.
   */
  async openDownload(
    batchId: string,
    filter: DownloadFilter,
    format: ResultsFormat,
    signal: AbortSignal,
  ): Promise<DownloadResponse> {
    const id = this.batchIdForUrl(batchId);
    if (!isDownloadFilter(filter)) {
      throw new BouncerError('invalidArgument', `The download filter must be one of ${DOWNLOAD_FILTERS.join(', ')}.`, {
        detail: this.redact(`unknown download filter ${JSON.stringify(String(filter)).slice(0, 100)}`),
        reason: { code: 'argNotOneOf', field: 'filter', allowed: DOWNLOAD_FILTERS },
      });
    }
    const url = `${this.origin}/v1.1/email/verify/batch/${encodeURIComponent(id)}/download?download=${filter}`;
    const { response, flight } = await this.requestWithRetries({ url, accept: ACCEPT[format] }, signal);

    const contentType = response.headers.get('content-type') ?? '';
    const mismatch = unexpectedContentType(contentType, format);
    if (mismatch !== undefined) {
      const preview = await flight.readText(response, MAX_ERROR_BODY_CHARS);
      if (!preview.complete) flight.stop('done');
      const sent = mismatch === 'html' ? 'an HTML page' : mismatch.toUpperCase();
      throw new BouncerError('invalidBody', `The server sent ${sent} instead of ${format.toUpperCase()} results.`, {
        httpStatus: response.status,
        detail: this.redact(`content-type ${contentType || '(none)'}; body starts: ${preview.text.slice(0, 200)}`),
        reason: { code: 'bodyContentType', found: mismatch, format },
      });
    }
    if (response.body === null) {
      throw new BouncerError('invalidBody', 'The server sent no results body.', {
        httpStatus: response.status,
        reason: { code: 'bodyMissing' },
      });
    }
    const lengthHeader = response.headers.get('content-length');
    // With gzip/br the header counts compressed bytes while the body yields decompressed ones: useless for progress.
    const encoding = (response.headers.get('content-encoding') ?? 'identity').trim().toLowerCase();
    const contentLength =
      lengthHeader !== null && /^\d+$/.test(lengthHeader) && encoding === 'identity' ? Number(lengthHeader) : undefined;
    const size = contentLength === undefined ? '' : `, ${contentLength} bytes`;
    this.log('debug', `download ${id} (${filter}, ${format}): 200 ${contentType}${size}`);
    const body = guardBody(response.body, flight, {
      maxBytes: this.maxBodyBytes,
      encoded: encoding !== 'identity',
      redact: this.redact,
    });
    return { body: format === 'json' ? await sniffJsonBody(body, this.redact) : body, contentType, contentLength };
  }

  /**
   * A valid batch ID that is not the API key: a key pasted into the batch ID box is a valid-looking ID,
   * and would otherwise travel in a URL (and into server logs, and the batch history) instead of only in
   * `x-api-key`. Every request checks it; callers that record an ID before a request check it first.
   * @throws BouncerError('invalidBatchId')
   */
  batchIdForUrl(batchId: string): string {
    const id = assertValidBatchId(batchId);
    if (id === this.options.apiKey) {
      throw new BouncerError('invalidBatchId', 'That is your API key, not a batch ID. Paste the batch ID instead.', {
        reason: { code: 'apiKeyAsBatchId' },
      });
    }
    return id;
  }

  /**
   * Reads a batch's state: `GET /v1.1/email/verify/batch/{id}?with-stats=true`.
   * Retries 429/5xx like {@link openDownload}; maps the other failures to the same error kinds.
   * @throws BouncerError, including invalidBody when the answer is not a batch status object.
   */
  async getBatchStatus(batchId: string, signal: AbortSignal): Promise<BatchStatus> {
    const id = this.batchIdForUrl(batchId);
    const path = `/v1.1/email/verify/batch/${encodeURIComponent(id)}?with-stats=true`;
    const answer = await this.call({ method: 'GET', path, what: 'batchStatus' }, signal);
    const status = parseBatchStatus(answer.text);
    if (status === undefined) {
      throw new BouncerError('invalidBody', 'The server sent something other than a batch status.', {
        httpStatus: answer.status,
        detail: this.redactPreview(`body starts: ${answer.text}`),
        reason: { code: 'answerUnexpected', expected: 'batchStatus' },
      });
    }
    return status;
  }

  /**
   * One call of the API besides the download: sends `request` (retrying as it allows), reads the
   * answer (at most 64 KiB: every such answer is a small JSON object) and returns its status and text.
   * Statuses not in `request.ok` become BouncerErrors as for the download.
   * @throws BouncerError
   */
  async call(request: ApiRequest, signal: AbortSignal): Promise<{ status: number; text: string }> {
    const { response, flight } = await this.requestWithRetries(
      {
        url: `${this.origin}${request.path}`,
        accept: 'application/json',
        method: request.method,
        body: request.body,
        ok: request.ok ?? [200],
        retryServerErrors: request.retryServerErrors ?? true,
        maxDelayMs: request.maxDelayMs,
        timeoutMs: request.timeoutMs,
        onWait: request.onWait,
      },
      signal,
    );
    const read = await flight.readText(response, MAX_STATUS_BODY_CHARS);
    if (read.error !== undefined) throw flight.failure(read.error, this.redact);
    if (!read.complete) {
      flight.stop('done');
      throw new BouncerError(
        'invalidBody',
        `The server's answer is over ${MAX_STATUS_BODY_CHARS / 1024} KiB: not ${answerNoun(request.what)}.`,
        {
          httpStatus: response.status,
          detail: this.redact(`body starts: ${read.text.slice(0, 200)}`),
          reason: { code: 'answerTooLarge', maxKiB: MAX_STATUS_BODY_CHARS / 1024, expected: request.what },
        },
      );
    }
    return { status: response.status, text: read.text };
  }

  /** Cuts a server's text down for a log line, with the key masked. */
  redactPreview(text: string): string {
    return this.redact(text.slice(0, 200));
  }

  /**
   * Sends the request, repeating it after 429/5xx as the retry policy says, and turns every other
   * answer not in `ok` into a BouncerError. Returns the accepted response with its still-open flight.
   */
  private async requestWithRetries(
    request: SentRequest,
    signal: AbortSignal,
  ): Promise<{ response: FetchResponseLike; flight: Flight }> {
    const method = request.method ?? 'GET';
    const retry = { ...this.retry, maxDelayMs: request.maxDelayMs ?? this.retry.maxDelayMs };
    for (let attempt = 0; ; attempt++) {
      const flight = new Flight(signal, request.timeoutMs ?? this.options.timeoutMs);
      const response = await this.send(request, flight);
      if ((request.ok ?? [200]).includes(response.status)) return { response, flight };

      const body = await flight.readText(response, MAX_ERROR_BODY_CHARS);
      // Closing a connection whose body was read to the end would only cost keep-alive reuse.
      if (!body.complete) flight.stop('done');
      const path = new URL(request.url).pathname;
      const now = Date.now();
      const retryable =
        response.status === 429 || (request.retryServerErrors !== false && isRetryableStatus(response.status));
      const retryAfterMs = retryable ? parseRetryAfter(response.headers.get('retry-after'), now) : undefined;
      const tooLong = retryAfterExceedsCap(retryAfterMs, retry);
      if (retryable && attempt < retry.maxRetries && !tooLong) {
        const delay = retryDelayMs(attempt, retryAfterMs, retry);
        this.log(
          'warn',
          `${method} ${path}: HTTP ${response.status}; retry ${attempt + 1} of ${retry.maxRetries} in ${delay} ms`,
        );
        request.onWait?.(delay, response.status);
        try {
          await this.sleep(delay, signal);
        } catch {
          throw cancelledError();
        }
        if (signal.aborted) throw cancelledError();
        continue;
      }
      const retryAt = retryAfterMs === undefined ? undefined : now + retryAfterMs;
      const error = statusError(response.status, body.text, { retries: attempt, retryAt, now, redact: this.redact });
      this.log(
        'error',
        `${method} ${path}: HTTP ${response.status} → ${error.kind}${error.detail ? ` (${error.detail})` : ''}`,
      );
      throw error;
    }
  }

  /** One fetch, timed out when the headers do not come; maps transport failures to BouncerErrors. */
  private async send(request: SentRequest, flight: Flight): Promise<FetchResponseLike> {
    if (flight.caller.aborted) throw cancelledError();
    const headers: Record<string, string> = { 'x-api-key': this.options.apiKey, Accept: request.accept };
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await flight.step(
        this.options.fetch(request.url, {
          method: request.method ?? 'GET',
          headers,
          body: request.body,
          signal: flight.signal,
          redirect: 'manual',
        }),
      );
    } catch (error) {
      throw flight.failure(error, this.redact);
    }
  }

  private log(level: LogLevel, message: string): void {
    this.options.log?.(level, this.redact(message));
  }
}

/** What an answer should have been, in the English of the log (the host words its own). */
function answerNoun(what: ApiAnswer | undefined): string {
  switch (what) {
    case 'batchStatus':
      return 'a batch status';
    case 'newBatch':
      return 'a new batch';
    case 'credits':
      return 'a credit count';
    case 'verification':
      return 'a verification result';
    case undefined:
      return 'what was asked for';
  }
}
