import type { BatchStatus } from './batchStatus';
import type { BouncerClient } from './bouncerClient';
import { type ApiAnswer, BouncerError, type RefusedCall } from './errors';
import { parseJsonObject } from './guards';
import type { EmailRecord } from './records';

/**
 * The calls of a batch's life besides its download: create, status, finish, delete, and the
 * account's credits and the real-time check of one address. Built on {@link BouncerClient.call},
 * so the key stays in `x-api-key`, IDs are validated and encoded, answers are size- and
 * stall-guarded, and failures are BouncerErrors; here they get the words each call needs.
 */

/** Bouncer's documented ceiling for one batch. */
export const MAX_BATCH_SIZE = 100_000;
/** The real-time endpoint's default and the ask: 10 s. */
export const VERIFY_TIMEOUT_SECONDS = 10;
/**
 * Creations are limited to 60 a minute: a Retry-After up to a minute is worth waiting for (and is
 * shown while waiting); longer, the person is told when to come back instead.
 */
const CREATE_MAX_WAIT_MS = 65_000;

/** One address to verify, with the name Bouncer returns beside its result. */
export interface BatchEmail {
  email: string;
  name?: string;
}

/** Bouncer's answer to a creation. */
export interface CreatedBatch {
  batchId: string;
  status: string;
  quantity: number;
  duplicates: number;
  created?: string;
}

export interface CreateOptions {
  /** Told before each wait a 429 asks for, so the wait can be shown. */
  onWait?: (ms: number) => void;
}

export class BatchApi {
  constructor(private readonly client: BouncerClient) {}

  /**
   * `POST /v1.1/email/verify/batch` with `[{ email, name? }]`. A 429 is waited out as its Retry-After
   * says (up to a minute); a 5xx is not repeated, as the batch may exist already.
   * @throws BouncerError: invalidArgument (empty or over 100,000; nothing sent), rejected (400),
   *   paymentRequired (402, with `creditsMissing` when the credits could be read), unauthorized,
   *   rateLimited, serverError, network, timeout, invalidBody, cancelled.
   */
  async createBatch(
    emails: readonly BatchEmail[],
    signal: AbortSignal,
    options: CreateOptions = {},
  ): Promise<CreatedBatch> {
    if (emails.length === 0) {
      throw new BouncerError('invalidArgument', 'There are no addresses to verify.', {
        reason: { code: 'noAddresses' },
      });
    }
    if (emails.length > MAX_BATCH_SIZE) {
      throw new BouncerError(
        'invalidArgument',
        `A batch holds at most ${MAX_BATCH_SIZE.toLocaleString('en-US')} addresses; split the list first.`,
        { reason: { code: 'batchTooLarge', max: MAX_BATCH_SIZE } },
      );
    }
    const body = JSON.stringify(emails.map(({ email, name }) => (name ? { email, name } : { email })));
    let answer: { text: string };
    try {
      answer = await this.client.call(
        {
          method: 'POST',
          path: '/v1.1/email/verify/batch',
          body,
          ok: [200, 201],
          retryServerErrors: false,
          maxDelayMs: CREATE_MAX_WAIT_MS,
          onWait: options.onWait && ((ms) => options.onWait?.(ms)),
        },
        signal,
      );
    } catch (error) {
      if (isStatus(error, 402)) throw await this.outOfCredits(error, emails.length, signal);
      throw rejectedOr(error, 'create', 'Bouncer refused the list');
    }
    const raw = parseJsonObject(answer.text);
    if (raw === undefined || typeof raw.batchId !== 'string') {
      throw this.invalid('newBatch', 'The server did not answer with a new batch.', answer.text);
    }
    // The new ID goes into URLs and the history: the same check as a typed one.
    const batchId = this.client.batchIdForUrl(raw.batchId);
    return {
      batchId,
      status: typeof raw.status === 'string' ? raw.status : 'queued',
      quantity: count(raw.quantity) ?? emails.length,
      duplicates: count(raw.duplicates) ?? 0,
      created: typeof raw.created === 'string' ? raw.created : undefined,
    };
  }

  /** `GET …/batch/{id}?with-stats=true`; see {@link BouncerClient.getBatchStatus}. */
  status(batchId: string, signal: AbortSignal): Promise<BatchStatus> {
    return this.client.getBatchStatus(batchId, signal);
  }

  /**
   * `POST …/batch/{id}/finish`: stops processing now; Bouncer refunds the addresses not verified.
   * @throws BouncerError: invalidBatchId, notFound, unauthorized, rateLimited, …
   */
  async finishBatch(batchId: string, signal: AbortSignal): Promise<void> {
    const id = encodeURIComponent(this.client.batchIdForUrl(batchId));
    try {
      await this.client.call(
        { method: 'POST', path: `/v1.1/email/verify/batch/${id}/finish`, ok: [200, 202, 204] },
        signal,
      );
    } catch (error) {
      throw rejectedOr(error, 'finish', 'Bouncer refused to finish the batch');
    }
  }

  /**
   * `DELETE …/batch/{id}`: removes the batch and its results from Bouncer.
   * @throws BouncerError: cannotDelete (405 while Bouncer is processing it), notFound, unauthorized, …
   */
  async deleteBatch(batchId: string, signal: AbortSignal): Promise<void> {
    const id = encodeURIComponent(this.client.batchIdForUrl(batchId));
    try {
      await this.client.call({ method: 'DELETE', path: `/v1.1/email/verify/batch/${id}`, ok: [200, 202, 204] }, signal);
    } catch (error) {
      if (isStatus(error, 405)) {
        throw new BouncerError(
          'cannotDelete',
          'The batch cannot be deleted in its current state (HTTP 405): Bouncer is still processing it.',
          { httpStatus: 405, serverMessage: error.serverMessage, detail: error.detail },
        );
      }
      throw rejectedOr(error, 'delete', 'Bouncer refused to delete the batch');
    }
  }

  /**
   * `GET /v1.1/credits` → the credits left. (The endpoint allows 10 calls a minute: callers cache.)
   * @throws BouncerError, invalidBody when the answer has no numeric `credits`.
   */
  async credits(signal: AbortSignal): Promise<number> {
    const answer = await this.client.call({ method: 'GET', path: '/v1.1/credits' }, signal);
    const credits = count(parseJsonObject(answer.text)?.credits);
    if (credits === undefined) {
      throw this.invalid('credits', 'The server did not say how many credits are left.', answer.text);
    }
    return credits;
  }

  /**
   * `GET /v1.1/email/verify?email=…&timeout=10`: one address, verified now, for one credit.
   * The client gives up a few seconds after Bouncer's own timeout would have answered.
   * @throws BouncerError: timeout, rejected (400), paymentRequired, unauthorized, …
   */
  async verifyEmail(email: string, signal: AbortSignal, timeoutSeconds = VERIFY_TIMEOUT_SECONDS): Promise<EmailRecord> {
    const address = email.trim();
    if (address === '') {
      throw new BouncerError('invalidArgument', 'There is no address to verify.', { reason: { code: 'noAddress' } });
    }
    const query = `email=${encodeURIComponent(address)}&timeout=${timeoutSeconds}`;
    let answer: { text: string };
    try {
      answer = await this.client.call(
        { method: 'GET', path: `/v1.1/email/verify?${query}`, timeoutMs: (timeoutSeconds + 5) * 1000 },
        signal,
      );
    } catch (error) {
      throw rejectedOr(error, 'verify', 'Bouncer refused to verify the address');
    }
    const raw = parseJsonObject(answer.text);
    if (raw === undefined || typeof raw.email !== 'string' || typeof raw.status !== 'string') {
      throw this.invalid('verification', 'The server did not answer with a verification result.', answer.text);
    }
    return raw as unknown as EmailRecord;
  }

  /** A 402 on creation, saying how many credits are missing when the account's credits can be read. */
  private async outOfCredits(error: BouncerError, needed: number, signal: AbortSignal): Promise<BouncerError> {
    let left: number | undefined;
    try {
      left = await this.credits(signal);
    } catch {
      // The count is a courtesy; the 402 stands without it.
    }
    const missing = left === undefined ? undefined : Math.max(1, needed - left);
    return new BouncerError(
      'paymentRequired',
      missing === undefined
        ? `Not enough credits for ${needed} addresses (HTTP 402).`
        : `Not enough credits: ${needed} needed, ${left} left, ${missing} missing (HTTP 402).`,
      { httpStatus: 402, serverMessage: error.serverMessage, detail: error.detail, creditsMissing: missing },
    );
  }

  private invalid(expected: ApiAnswer, message: string, text: string): BouncerError {
    return new BouncerError('invalidBody', message, {
      detail: `body starts: ${this.client.redactPreview(text)}`,
      reason: { code: 'answerUnexpected', expected },
    });
  }
}

function isStatus(error: unknown, status: number): error is BouncerError {
  return error instanceof BouncerError && error.httpStatus === status;
}

/**
 * A 400 becomes `rejected`, carrying the server's reason and which call was refused (for the host
 * to word); `what` starts the English message. Anything else passes unchanged.
 */
function rejectedOr(error: unknown, call: RefusedCall, what: string): unknown {
  if (!isStatus(error, 400)) return error;
  const reason = error.serverMessage ? `: ${error.serverMessage}` : '';
  return new BouncerError('rejected', `${what} as malformed (HTTP 400)${reason}.`, {
    httpStatus: 400,
    serverMessage: error.serverMessage,
    detail: error.detail,
    reason: { code: 'refused', call },
  });
}

function count(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}
