/**
 * Following a batch while Bouncer processes it: what the last status poll said, the rate seen
 * between polls, the estimate it gives, and how long to wait before the next poll. Pure.
 */
import type { BatchStatus } from './batchStatus';

/** Where a followed batch stood at the last poll; kept in the history so a reload shows it. */
export interface BatchProgress {
  /** As the server said: `queued`, `processing`, or anything else (`running`). */
  readonly status: string;
  readonly processed?: number;
  readonly quantity?: number;
  /** When this was polled (ms since epoch). */
  readonly checkedAt: number;
  /** Addresses processed per second between the last two polls that saw progress. */
  readonly rate?: number;
}

/** Bouncer's docs ask for a status poll every 10–30 s. */
export const MIN_POLL_MS = 10_000;
export const MAX_POLL_MS = 30_000;
/** How much slower polling is while no VS Code window of this user is focused. */
const UNFOCUSED_FACTOR = 2;
/** Growth of the delay per poll that saw no progress. */
const BACKOFF_FACTOR = 1.5;

/** True once the results can be downloaded. */
export function isCompleted(status: string): boolean {
  return status.toLowerCase() === 'completed';
}

/**
 * The progress a new poll gives: the rate is measured against the previous poll when the count
 * grew, and kept from before when it did not (a queue may pause between polls).
 */
export function nextProgress(previous: BatchProgress | undefined, status: BatchStatus, now: number): BatchProgress {
  let rate = previous?.rate;
  if (
    previous?.processed !== undefined &&
    status.processed !== undefined &&
    status.processed > previous.processed &&
    now > previous.checkedAt
  ) {
    rate = ((status.processed - previous.processed) * 1000) / (now - previous.checkedAt);
  }
  const progress: { -readonly [K in keyof BatchProgress]: BatchProgress[K] } = {
    status: status.status,
    checkedAt: now,
  };
  if (status.processed !== undefined) progress.processed = status.processed;
  if (status.quantity !== undefined) progress.quantity = status.quantity;
  if (rate !== undefined && rate > 0 && Number.isFinite(rate)) progress.rate = rate;
  return progress;
}

/** Milliseconds left at the measured rate, or undefined before there is a rate. */
export function remainingMs(progress: BatchProgress): number | undefined {
  if (!progress.rate || progress.processed === undefined || progress.quantity === undefined) return undefined;
  const left = Math.max(0, progress.quantity - progress.processed);
  return (left / progress.rate) * 1000;
}

/**
 * The wait before the next poll: `base` (10 s unless a test says otherwise) while batches move,
 * growing by half for every poll in a row that saw none move, at most 30 s; twice that while the
 * window is not focused.
 */
export function nextPollDelay(options: { baseMs: number; idlePolls: number; focused: boolean }): number {
  const base = options.baseMs;
  const max = Math.max(base, (MAX_POLL_MS / MIN_POLL_MS) * base);
  const delay = Math.min(max, base * BACKOFF_FACTOR ** Math.max(0, options.idlePolls));
  return options.focused ? delay : delay * UNFOCUSED_FACTOR;
}

/** Reads a stored progress defensively (global state may hold anything). */
export function parseProgress(raw: unknown): BatchProgress | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.status !== 'string' || typeof r.checkedAt !== 'number' || !Number.isFinite(r.checkedAt)) {
    return undefined;
  }
  const progress: { -readonly [K in keyof BatchProgress]: BatchProgress[K] } = {
    status: r.status.slice(0, 40),
    checkedAt: r.checkedAt,
  };
  for (const field of ['processed', 'quantity'] as const) {
    const value = r[field];
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) progress[field] = value;
  }
  if (typeof r.rate === 'number' && Number.isFinite(r.rate) && r.rate > 0) progress.rate = r.rate;
  return progress;
}
