import { cancelledError } from './errors';
import { isObject, parseJsonObject } from './guards';
import { abortableSleep } from './retryPolicy';

/**
 * A batch's state as `GET /v1.1/email/verify/batch/{batchId}?with-stats=true` reports it.
 * Only `batchId` and `status` are relied on; the rest is shown when present.
 * `status` is documented as queued/processing/completed, but other values exist in the wild
 * (`running`): anything but `completed` means "not done yet".
 */
export interface BatchStatus {
  batchId: string;
  status: string;
  created?: string;
  started?: string;
  completed?: string;
  quantity?: number;
  duplicates?: number;
  credits?: number;
  processed?: number;
  stats?: { deliverable?: number; risky?: number; undeliverable?: number; unknown?: number };
}

/** The part of the client {@link waitForCompletion} needs; `BouncerClient` satisfies it. */
export interface BatchStatusSource {
  getBatchStatus(batchId: string, signal: AbortSignal): Promise<BatchStatus>;
}

export interface WaitForCompletionOptions {
  signal: AbortSignal;
  /** Time between polls; clamped to {@link MIN_POLL_INTERVAL_MS}–{@link MAX_POLL_INTERVAL_MS}. */
  intervalMs?: number;
  /** Called after every poll, including the last one. */
  onProgress?: (status: BatchStatus) => void;
  /** How to wait between polls; tests inject one that records the delay and returns at once. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Bouncer's docs ask clients to poll batch status every 10–30 s. */
const MIN_POLL_INTERVAL_MS = 10_000;
const MAX_POLL_INTERVAL_MS = 30_000;
const DEFAULT_POLL_INTERVAL_MS = 15_000;

/** Clamps a requested poll interval into the range the API asks for. */
function clampPollInterval(ms: number | undefined): number {
  if (ms === undefined || !Number.isFinite(ms)) return DEFAULT_POLL_INTERVAL_MS;
  return Math.min(MAX_POLL_INTERVAL_MS, Math.max(MIN_POLL_INTERVAL_MS, ms));
}

/** True when the batch's results can be downloaded. */
function isBatchCompleted(status: BatchStatus): boolean {
  return status.status.toLowerCase() === 'completed';
}

/**
 * Polls the batch status until it says `completed`, reporting every answer to `onProgress`.
 * Errors from the client (unauthorized, notFound, after-retry rateLimited…) end the wait.
 * @returns the completed status.
 * @throws BouncerError('cancelled') when `signal` aborts, or whatever the client threw.
 */
export async function waitForCompletion(
  client: BatchStatusSource,
  batchId: string,
  options: WaitForCompletionOptions,
): Promise<BatchStatus> {
  const interval = clampPollInterval(options.intervalMs);
  const sleep = options.sleep ?? abortableSleep;
  for (;;) {
    if (options.signal.aborted) throw cancelledError();
    const status = await client.getBatchStatus(batchId, options.signal);
    options.onProgress?.(status);
    if (isBatchCompleted(status)) return status;
    try {
      await sleep(interval, options.signal);
    } catch {
      throw cancelledError();
    }
  }
}

const NUMBER_FIELDS = ['quantity', 'duplicates', 'credits', 'processed'] as const;
const STRING_FIELDS = ['created', 'started', 'completed'] as const;
const STAT_FIELDS = ['deliverable', 'risky', 'undeliverable', 'unknown'] as const;

/**
 * Reads a batch status body. Returns `undefined` when it is not a JSON object with a string
 * `batchId` and `status` (e.g. an error object, HTML). Numbers sent as numeric strings are accepted;
 * fields of the wrong type are dropped rather than trusted.
 */
export function parseBatchStatus(text: string): BatchStatus | undefined {
  const raw = parseJsonObject(text);
  if (raw === undefined || typeof raw.batchId !== 'string' || typeof raw.status !== 'string') return undefined;
  const status: BatchStatus = { batchId: raw.batchId, status: raw.status };
  for (const field of STRING_FIELDS) {
    if (typeof raw[field] === 'string') status[field] = raw[field];
  }
  for (const field of NUMBER_FIELDS) {
    const number = toNumber(raw[field]);
    if (number !== undefined) status[field] = number;
  }
  if (isObject(raw.stats)) {
    const stats = raw.stats;
    status.stats = {};
    for (const field of STAT_FIELDS) {
      const number = toNumber(stats[field]);
      if (number !== undefined) status.stats[field] = number;
    }
  }
  return status;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}
