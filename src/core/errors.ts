import type { BatchInputProblem } from './batchLink';

/**
 * Every failure the pure layer reports is a `BouncerError` with a `kind`. The host maps
 * kinds to one short, localised sentence with a next step; `detail` goes only to the log.
 * Neither may ever contain the API key.
 */
export type BouncerErrorKind =
  /** The batch ID failed validation; no request was made. */
  | 'invalidBatchId'
  /** A command argument other than the batch ID (its shape, the filter, the view) is not valid; no request was made. */
  | 'invalidArgument'
  /** `bouncer.apiBaseUrl` is not a usable URL (or not https for a non-loopback host). */
  | 'invalidBaseUrl'
  /** 401/403: the key was rejected. */
  | 'unauthorized'
  /** 402: out of credits. */
  | 'paymentRequired'
  /** 404: the batch does not exist; `serverMessage` holds the server's words. */
  | 'notFound'
  /** 405: the batch is not completed yet. */
  | 'notCompleted'
  /** 405 on delete: Bouncer does not delete a batch it is processing. */
  | 'cannotDelete'
  /** 400 on a call that sends data (create, verify): the server refused it; `serverMessage` says why. */
  | 'rejected'
  /** 429 after the retries ran out, or with a Retry-After longer than the client waits (`retryAt` says until when). */
  | 'rateLimited'
  /** 5xx after the retries ran out, or with a Retry-After longer than the client waits. */
  | 'serverError'
  /** Any other unexpected HTTP status (400, 3xx without location…). */
  | 'httpError'
  /** Connection refused/reset, DNS failure, socket closed mid-body. */
  | 'network'
  /** The server sent nothing for longer than the timeout. */
  | 'timeout'
  /** The body is not what was asked for: HTML, an error object, truncated or invalid JSON, a bad record. */
  | 'invalidBody'
  /** The body (counted after decompression) passed the download size limit; the request was aborted. */
  | 'tooLarge'
  /** The user cancelled. Shown to nobody. */
  | 'cancelled';

/**
 * Why, as a code with parameters, for the failures whose message the host words itself in the
 * user's language rather than embedding the English `message`.
 */
export type BouncerErrorReason =
  | BatchInputProblem
  /** The text given as a batch ID is the API key itself (pasted into the wrong box). */
  | { code: 'apiKeyAsBatchId' }
  /** Why `bouncer.apiBaseUrl` is not usable (see `normalizeApiOrigin`). */
  | { code: 'baseUrlNotUrl' }
  | { code: 'baseUrlScheme'; scheme: string }
  | { code: 'baseUrlHttpRemote' }
  | { code: 'baseUrlCredentials' }
  | { code: 'baseUrlNotOrigin' }
  /** The download passed `limitBytes` (counted after decompression when `encoded`). */
  | { code: 'sizeLimit'; limitBytes: number; encoded: boolean }
  /** Why a command argument is not usable (see `parseOpenArgs`, `parseWriteBackColumns`). */
  | { code: 'argNotObject' }
  | { code: 'argNoBatchId' }
  | { code: 'argNotOneOf'; field: 'filter' | 'view'; allowed: readonly string[] }
  | { code: 'argColumnsNotList' }
  | { code: 'argUnknownColumns'; unknown: readonly string[]; examples: readonly string[] }
  /** Why a list of addresses cannot be read (see `readAddresses`); `column` and `columns` are cut short. */
  | { code: 'csvOpenQuote' }
  | { code: 'csvNoSuchColumn'; column: string; columns: string }
  | { code: 'csvNoEmailColumn' }
  | { code: 'jsonInvalid'; problem: string }
  | { code: 'jsonNotArray' }
  /** Why a CSV cannot get results written back (see `joinCsv`). */
  | { code: 'writeBackNoHeader' }
  | { code: 'writeBackNoEmailColumn' }
  /** Why nothing was sent for verification (see `BatchApi`). */
  | { code: 'noAddresses' }
  | { code: 'noAddress' }
  | { code: 'batchTooLarge'; max: number }
  /** Which call Bouncer refused with a 400 (kind 'rejected'); its words are in `serverMessage`. */
  | { code: 'refused'; call: RefusedCall }
  /** Why an address is not one of a results document's (see `parseResultsUri`); its parts are not echoed. */
  | { code: 'resultsUriScheme'; scheme: string }
  | { code: 'resultsUriExtra' }
  | { code: 'resultsUriPath'; shape: string }
  | { code: 'resultsUriOriginKey' }
  | { code: 'resultsUriNotOneOf'; part: 'filter' | 'format'; allowed: readonly string[] }
  | InvalidBodyReason;

/**
 * Why a body is not valid results (kind 'invalidBody'). Values only (indexes, sizes, a short quoted
 * excerpt, the JSON engine's own words), never the body itself: the host words them, and the log
 * keeps the English `message`.
 */
export type InvalidBodyReason =
  /** The body is something else than `expected`: a page, an API error object (`said`: its words), … */
  | { code: 'bodyNotExpected'; found: BodyFound; expected: BodyExpected; said?: string }
  /** A 200 whose body is an API error object instead of results (see `sniffJsonBody`). */
  | { code: 'bodyErrorObject' }
  /** The Content-Type says another format than the one asked for. */
  | { code: 'bodyContentType'; found: 'html' | 'json' | 'csv'; format: 'json' | 'csv' }
  /** The response had no body at all. */
  | { code: 'bodyMissing' }
  /** The body is empty, or (`blank`) only whitespace; a CSV one then has no header line. */
  | { code: 'bodyEmpty'; format: 'json' | 'csv'; blank: boolean }
  /** The first `kib` KiB held only whitespace (see `MAX_LEADING_BYTES`). */
  | { code: 'bodyOnlyWhitespace'; kib: number }
  /** The JSON array ended early, after `records` records and `bytes` bytes. */
  | { code: 'bodyTruncated'; records: number; bytes: number }
  /** The CSV ended inside a quoted cell, after `bytes` bytes. */
  | { code: 'csvTruncated'; bytes: number }
  /** The array's punctuation is wrong at record `record` (see `RecordSplitter`). */
  | { code: 'bodySyntax'; problem: BodySyntaxProblem; record: number }
  /** `JSON.parse` refused the body; `problem` is the engine's own (English) words. */
  | { code: 'bodyNotJson'; problem: string }
  /** `JSON.parse` refused record `record`; `problem` is the engine's own (English) words. */
  | { code: 'recordNotJson'; record: number; problem: string }
  /** Record `record` is over `maxMiB` MiB, which is not buffered. */
  | { code: 'recordTooLarge'; record: number; maxMiB: number }
  /** Record `record` is not an object (no `field`), or its `field` is not a string. */
  | { code: 'recordNotResult'; record: number; field?: 'email' | 'status'; found: FoundValue }
  /** An API answer besides the download is not the `expected` object. */
  | { code: 'answerUnexpected'; expected: ApiAnswer }
  /** An API answer besides the download is over `maxKiB` KiB. */
  | { code: 'answerTooLarge'; maxKiB: number; expected?: ApiAnswer };

/** What a body that is not results turned out to be. */
export type BodyFound = 'html' | 'errorObject' | 'jsonObject' | 'json' | 'other';
/** What a body should have been: a JSON array of records, or CSV. */
export type BodyExpected = 'records' | 'csv';
/** What is wrong with a JSON array's punctuation (see `RecordSplitter`). */
export type BodySyntaxProblem = 'noCommaAfter' | 'commaBeforeEnd' | 'notObject' | 'dataAfterEnd';
/** The small answers of the API the client reads (see `BouncerClient.call`). */
export type ApiAnswer = 'batchStatus' | 'newBatch' | 'credits' | 'verification';
/**
 * A value found where another was expected, as a message names it: its kind, or for a string,
 * number or boolean its `text` (a string quoted, and cut short when `fullLength` says how long it was).
 */
export type FoundValue =
  { kind: 'missing' | 'null' | 'array' | 'object' } | { kind: 'value'; text: string; fullLength?: number };

/** The calls that send data, which Bouncer may refuse as malformed (see `BatchApi`). */
export type RefusedCall = 'create' | 'finish' | 'delete' | 'verify';

export interface BouncerErrorDetails {
  httpStatus?: number;
  /** The `message` field of the server's error body, when there was one. */
  serverMessage?: string;
  /** Technical detail for the log (never shown as the headline, never holds the key). */
  detail?: string;
  /** When the server said to try again (epoch ms, from its Retry-After), if it said so. */
  retryAt?: number;
  /** On a 402 for a creation: credits the account lacks for it, when they could be counted. */
  creditsMissing?: number;
  /** Why, for the host to word; `message` stays the English sentence for the log. */
  reason?: BouncerErrorReason;
  cause?: unknown;
}

export class BouncerError extends Error {
  readonly httpStatus?: number;
  readonly serverMessage?: string;
  readonly detail?: string;
  readonly retryAt?: number;
  readonly creditsMissing?: number;
  readonly reason?: BouncerErrorReason;

  constructor(
    readonly kind: BouncerErrorKind,
    message: string,
    details: BouncerErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'BouncerError';
    this.httpStatus = details.httpStatus;
    this.serverMessage = details.serverMessage;
    this.detail = details.detail;
    this.retryAt = details.retryAt;
    this.creditsMissing = details.creditsMissing;
    this.reason = details.reason;
  }
}

/** The error a cancelled operation ends with; it is shown to nobody. */
export function cancelledError(cause?: unknown): BouncerError {
  return new BouncerError('cancelled', 'Cancelled.', { cause });
}

export function isCancellation(error: unknown): boolean {
  return error instanceof BouncerError && error.kind === 'cancelled';
}
