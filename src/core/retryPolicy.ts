import { setTimeout as delay } from 'node:timers/promises';

/**
 * When and how long to wait before retrying a request the server asked us to repeat
 * (429, 503, other 5xx). Pure: the clock and the random source are inputs.
 */

export interface RetryOptions {
  /** Retries after the first attempt (so at most `maxRetries + 1` requests). */
  maxRetries: number;
  /** Base of the exponential backoff: attempt k waits up to `baseDelayMs * 2^k`. */
  baseDelayMs: number;
  /** No single wait is longer than this, whatever the server's Retry-After says. */
  maxDelayMs: number;
  /** Uniform source in [0, 1) for full jitter; injectable so tests are deterministic. */
  random: () => number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = {
  maxRetries: 3,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  random: Math.random,
};

/** Statuses worth repeating: rate limiting and server-side trouble. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/**
 * Parses an HTTP `Retry-After` value into milliseconds from `nowMs`.
 * Accepts delay-seconds (`"120"`) and an HTTP date (`"Wed, 21 Oct 2026 07:28:00 GMT"`);
 * a date in the past means "now" (0). Returns `undefined` for a missing or unreadable value.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds) ? seconds * 1000 : undefined;
  }
  // Only something that looks like an HTTP date: Date.parse alone would accept "1.5" or "-3".
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * Whether the server asked to wait longer than the client is willing to sleep. Then the request is
 * not retried at all: a wait cut short would only be refused again, three times over, and the person
 * is better told when to come back.
 */
export function retryAfterExceedsCap(retryAfterMs: number | undefined, options: RetryOptions): boolean {
  return retryAfterMs !== undefined && retryAfterMs > options.maxDelayMs;
}

/**
 * A wait for people, rounded up so "try again then" is never early: seconds under 90 s, minutes
 * under 90 min, else hours and minutes. The host words it in the user's language (`host/units.ts`).
 */
export type WaitSpan = { seconds: number } | { minutes: number } | { hours: number; minutes: number };

export function waitSpan(ms: number): WaitSpan {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (seconds < 90) return { seconds };
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return { minutes };
  return { hours: Math.floor(minutes / 60), minutes: minutes % 60 };
}

/** {@link waitSpan} in English, for logs: `45 s`, `12 min`, `2 h 5 min`. */
export function formatWait(ms: number): string {
  const span = waitSpan(ms);
  if ('seconds' in span) return `${span.seconds} s`;
  if (!('hours' in span)) return `${span.minutes} min`;
  return span.minutes === 0 ? `${span.hours} h` : `${span.hours} h ${span.minutes} min`;
}

/**
 * Milliseconds to wait before retry number `attempt + 1` (attempt 0 = the first retry).
 * With a server hint, waits what the server asked; otherwise "full jitter" exponential backoff,
 * a uniform pick in [0, base·2^attempt), so many clients do not retry in lockstep.
 * Either way the result is capped at `maxDelayMs` (a longer hint is refused before this is asked:
 * see {@link retryAfterExceedsCap}).
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, options: RetryOptions): number {
  if (retryAfterMs !== undefined) return Math.min(options.maxDelayMs, Math.max(0, retryAfterMs));
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  return Math.floor(options.random() * ceiling);
}

/**
 * Waits `ms`, or rejects with the signal's reason as soon as `signal` aborts.
 * The default sleep of the client and of the status polling; tests inject their own to record delays.
 */
export async function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    // timers/promises rejects with its own AbortError; callers expect the reason they aborted with.
    throw signal.aborted ? signal.reason : error;
  }
}
