import type { EmailRecord, Status } from '../src/core/records';

/**
 * Batches created through the emulator (`POST /v1.1/email/verify/batch`), its credits and its
 * creation rate limit. Plain state and functions, no HTTP: `server.ts` maps them to the wire.
 *
 * Progress is counted in status polls, not in time, so a test knows exactly what the next answer
 * says: the first poll still sees `queued`, each later one processes `ceil(quantity / steps)` more
 * addresses, and the poll that reaches `quantity` says `completed`.
 */

/** Bouncer's documented ceiling for one batch. */
export const MAX_BATCH_EMAILS = 100_000;
/** Bouncer's documented limit: 60 creations a minute. */
export const CREATIONS_PER_MINUTE = 60;
/** Credits a fresh emulator starts with, unless `EmulatorOptions.credits` says otherwise. */
export const DEFAULT_CREDITS = 1_000_000;
/** Processing polls a created batch needs before it completes, unless `EmulatorOptions.createdBatchSteps` says otherwise. */
export const DEFAULT_CREATED_BATCH_STEPS = 2;

/** The `created` timestamps of created batches are real time: their IDs are new each run anyway. */
export interface CreatedBatch {
  id: string;
  created: string;
  /** Unique addresses, first spelling kept, in posted order. */
  entries: { email: string; name?: string }[];
  duplicates: number;
  polls: number;
  processed: number;
  status: 'queued' | 'processing' | 'completed';
  /** Set once `finish` stopped it early. */
  finished: boolean;
  /** Processing polls this batch takes (see {@link stepsOf}). */
  steps: number;
}

export type CreateOutcome =
  | { ok: true; batch: CreatedBatch }
  | { ok: false; status: 400 | 402; message: string }
  | { ok: false; status: 429; message: string; retryAfterSeconds: number };

export class CreatedBatches {
  private readonly batches = new Map<string, CreatedBatch>();
  private readonly creationTimes: number[] = [];
  private sequence = 0;

  constructor(
    /** Credits left; creation and real-time verification spend them, finish refunds them. */
    public credits: number,
    private readonly steps: number,
    private readonly now: () => number,
  ) {}

  get(id: string): CreatedBatch | undefined {
    return this.batches.get(id);
  }

  all(): CreatedBatch[] {
    return [...this.batches.values()];
  }

  /**
   * Validates and records a creation. Order of checks as a server would: rate limit, then body,
   * then credits; a refused creation spends nothing.
   */
  create(bodyText: string): CreateOutcome {
    const now = this.now();
    while (this.creationTimes.length > 0 && this.creationTimes[0] <= now - 60_000) this.creationTimes.shift();
    if (this.creationTimes.length >= CREATIONS_PER_MINUTE) {
      const retryAfterSeconds = Math.max(1, Math.ceil((this.creationTimes[0] + 60_000 - now) / 1000));
      return { ok: false, status: 429, message: 'rate limit exceeded', retryAfterSeconds };
    }
    const parsed = parseCreationBody(bodyText);
    if (typeof parsed === 'string') return { ok: false, status: 400, message: parsed };
    const seen = new Set<string>();
    const entries: CreatedBatch['entries'] = [];
    for (const entry of parsed) {
      const key = entry.email.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      entries.push(entry);
    }
    if (entries.length > this.credits) {
      return {
        ok: false,
        status: 402,
        message: `not enough credits: ${entries.length} needed, ${this.credits} available`,
      };
    }
    this.credits -= entries.length;
    this.creationTimes.push(now);
    this.sequence++;
    // 24 hex characters, like the real IDs, and never colliding with the seeded ones.
    const id = `c0ffee${this.sequence.toString(16).padStart(18, '0')}`;
    const batch: CreatedBatch = {
      id,
      created: new Date(now).toISOString(),
      entries,
      duplicates: parsed.length - entries.length,
      polls: 0,
      processed: 0,
      status: 'queued',
      finished: false,
      steps: stepsOf(entries[0].email) ?? this.steps,
    };
    this.batches.set(id, batch);
    return { ok: true, batch };
  }

  /** One status poll: moves the batch one step on (see the module comment). */
  poll(batch: CreatedBatch): void {
    batch.polls++;
    if (batch.status === 'completed' || batch.polls === 1) return;
    const quantity = batch.entries.length;
    const step = Math.ceil(quantity / Math.max(1, batch.steps));
    batch.processed = Math.min(quantity, batch.processed + step);
    batch.status = batch.processed >= quantity ? 'completed' : 'processing';
  }

  /** Stops processing now and refunds the addresses not verified yet. */
  finish(batch: CreatedBatch): void {
    if (batch.status === 'completed') return;
    this.credits += batch.entries.length - batch.processed;
    batch.status = 'completed';
    batch.finished = true;
  }

  /** Whether Bouncer lets this batch be deleted now: not while it is processing. */
  delete(batch: CreatedBatch): boolean {
    if (batch.status === 'processing') return false;
    this.batches.delete(batch.id);
    return true;
  }

  /** The verified addresses' results: every address once completed, only those processed when finished early. */
  records(batch: CreatedBatch): EmailRecord[] {
    return batch.entries.slice(0, batch.processed).map((entry) => resultFor(entry.email, entry.name));
  }
}

/**
 * A batch's own pace, for tests that must see it still processing however often something polls:
 * a first address starting `steps-<N>-` (e.g. `steps-1000-ann@x.io`) takes N processing polls.
 */
export function stepsOf(firstEmail: string): number | undefined {
  const match = /^steps-(\d{1,6})-/i.exec(firstEmail);
  return match === null ? undefined : Number(match[1]);
}

/** `[{ email, name? }]` with 1 … 100,000 entries, or a sentence saying what is wrong with it. */
export function parseCreationBody(text: string): { email: string; name?: string }[] | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return 'body must be a JSON array of { email, name? } objects';
  }
  if (!Array.isArray(raw)) return 'body must be a JSON array of { email, name? } objects';
  if (raw.length === 0) return 'no emails given';
  if (raw.length > MAX_BATCH_EMAILS) return `at most ${MAX_BATCH_EMAILS} emails per batch`;
  const entries: { email: string; name?: string }[] = [];
  for (const [index, item] of raw.entries()) {
    if (typeof item !== 'object' || item === null || typeof (item as { email?: unknown }).email !== 'string') {
      return `item ${index} has no email`;
    }
    const { email, name } = item as { email: string; name?: unknown };
    entries.push(typeof name === 'string' && name !== '' ? { email, name } : { email });
  }
  return entries;
}

const STATUS_REASON: Record<Status, string> = {
  deliverable: 'accepted_email',
  risky: 'low_deliverability',
  undeliverable: 'rejected_email',
  unknown: 'timeout',
};
const STATUS_SCORE: Record<Status, number> = { deliverable: 95, risky: 50, undeliverable: 0, unknown: 20 };

/**
 * The result of verifying one address, a pure function of the address so tests can predict it:
 * a local part starting with a status word (`risky.ann@…`, `undeliverable-2@…`, `unknown@…`,
 * `deliverable@…`) gets that status; anything else gets one from a hash of the lower-cased address.
 */
export function statusFor(email: string): Status {
  const local = email.toLowerCase().split('@')[0];
  for (const status of ['undeliverable', 'deliverable', 'risky', 'unknown'] as const) {
    if (local.startsWith(status)) return status;
  }
  let hash = 0;
  for (const char of email.toLowerCase()) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) >>> 0;
  return (['deliverable', 'deliverable', 'risky', 'undeliverable', 'unknown'] as const)[hash % 5];
}

/** The full record for one address, as the download or the real-time endpoint sends it. */
export function resultFor(email: string, name?: string): EmailRecord {
  const status = statusFor(email);
  const domain = email.split('@')[1] ?? '';
  const record: EmailRecord = { email, status, reason: STATUS_REASON[status] };
  if (name !== undefined) record.name = name;
  record.domain = { name: domain, acceptAll: 'no', disposable: 'no', free: 'no' };
  record.account = { role: 'no', disabled: 'no', fullMailbox: 'no' };
  record.dns = { type: 'MX', record: `mx.${domain}.` };
  record.provider = domain;
  record.score = STATUS_SCORE[status];
  record.toxic = 'no';
  record.toxicity = 0;
  return record;
}
