import * as vscode from 'vscode';
import type { FollowInfo } from '../core/batchHistory';
import { isCompleted, MIN_POLL_MS, nextPollDelay, nextProgress } from '../core/batchProgress';
import type { BatchStatus, BatchStatusSource } from '../core/batchStatus';
import { BouncerError } from '../core/errors';
import type { BatchHistoryStore } from './batchHistoryStore';
import type { BouncerLog } from './log';

/** The part of the client the poller needs; `BouncerClient` satisfies it. */
export interface StatusClient extends BatchStatusSource {
  /** Throws BouncerError('invalidBatchId') for an ID that must not reach a URL (the key itself). */
  batchIdForUrl(batchId: string): string;
}

export interface BatchPollerDeps {
  history: BatchHistoryStore;
  log: BouncerLog;
  /** Cache key of the configured API origin; throws BouncerError('invalidBaseUrl'). */
  originKey(): string;
  /** Undefined when `bouncer.apiBaseUrl` is not usable. */
  currentOriginKey(): string | undefined;
  /** A client for the configured API; asks for a missing key only when `prompt`, else throws. */
  connect(prompt: boolean): Promise<StatusClient>;
  /** A followed batch completed and nobody was waiting for it: tell the user. */
  onCompleted(batchId: string, status: BatchStatus): void;
  /** Following failed in the background (nobody was waiting for the batch): tell the user. */
  onError(error: unknown, batchId: string): void;
}

/** Polling pauses on these until something changes (a new key, a new follow, another origin). */
const PAUSING: ReadonlySet<string> = new Set(['unauthorized', 'paymentRequired', 'cancelled', 'invalidBaseUrl']);
/** These end following one batch: asking again will not help. */
const ENDING: ReadonlySet<string> = new Set(['notFound', 'invalidBatchId']);
/** Bouncer allows 200 requests a minute on batch endpoints; the poller keeps to 150. */
const MIN_MS_PER_REQUEST = 60_000 / 150;

interface Waiter {
  resolve(status: BatchStatus): void;
  reject(error: unknown): void;
}

/**
 * One poller for every followed batch of the configured API: a round asks each batch's status
 * (`?with-stats=true`), records it in the history (which the Batches view shows), and ends
 * following the completed ones. Rounds come every 10 s while batches move, backing off to 30 s
 * while none does, twice as slow while the window is not focused. Which batches are followed is
 * kept in the history, so a reload resumes them.
 */
export class BatchPoller implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private again = false;
  private idlePolls = 0;
  private paused = false;
  private disposed = false;
  private baseMs = MIN_POLL_MS;
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly controller = new AbortController();
  private readonly focus: vscode.Disposable;

  constructor(private readonly deps: BatchPollerDeps) {
    this.focus = vscode.window.onDidChangeWindowState((state) => {
      // Back in focus: the wait scheduled while unfocused is twice too long.
      if (state.focused && this.timer) this.schedule();
    });
  }

  /**
   * Follows a batch until it completes: it shows at once in the Batches view (queued until the
   * first poll says otherwise), and is polled right away. The creator of a batch calls this.
   * @throws BouncerError when the API setting is unusable, no key is given, or the ID is refused.
   */
  async follow(batchId: string, info: FollowInfo = {}): Promise<void> {
    const originKey = this.deps.originKey();
    const client = await this.deps.connect(true);
    client.batchIdForUrl(batchId); // Before the history records it: it may be the key itself.
    await this.deps.history.follow(originKey, batchId, info);
    this.paused = false;
    this.idlePolls = 0;
    // Bouncer has only just queued a new batch: the first poll comes after the usual wait
    // (the tree shows it queued meanwhile), unless a round is due sooner anyway.
    if (!this.timer && !this.round) this.schedule();
  }

  /**
   * Follows a batch and resolves with its completed status. Rejects with the error that stopped
   * polling it; it is then the caller's to show (the poller does not show it too).
   */
  async waitFor(batchId: string): Promise<BatchStatus> {
    await this.follow(batchId);
    const done = new Promise<BatchStatus>((resolve, reject) => {
      const list = this.waiters.get(batchId) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(batchId, list);
    });
    // Someone is waiting: ask now rather than after the usual wait.
    this.kick();
    return done;
  }

  /**
   * Finish Now or Delete from Bouncer changed a batch: it is no longer followed. Finish Now tells
   * the user itself, so no completion notification follows it.
   */
  batchChanged(batchId: string, change: 'finished' | 'deleted'): void {
    const originKey = this.deps.currentOriginKey();
    if (!originKey) return;
    this.settle(batchId, new BouncerError('cancelled', `The batch was ${change}.`));
    void this.deps.history.stopFollowing(originKey, batchId);
  }

  /** Starts polling again after a reload, a new key or another API origin, if batches are followed. */
  resume(): void {
    this.paused = false;
    this.idlePolls = 0;
    this.kick();
  }

  /** Runs a round now and resolves once it is recorded: for tests, through the testing API. */
  async pollNow(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.paused = false;
    await this.runRound();
  }

  /** Shortens the time between rounds below the API's 10 s: for tests only. */
  setBaseInterval(ms: number): void {
    this.baseMs = Math.max(1, ms);
    if (this.timer) this.schedule();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.controller.abort();
    this.focus.dispose();
    for (const [batchId] of this.waiters) this.settle(batchId, new BouncerError('cancelled', 'VS Code is closing.'));
  }

  private kick(): void {
    if (this.disposed) return;
    if (this.round) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.runRound(), 0);
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const originKey = this.deps.currentOriginKey();
    if (this.disposed || this.paused || !originKey) return;
    const followed = this.deps.history.followed(originKey);
    if (followed.length === 0) return;
    const delay = Math.max(
      nextPollDelay({ baseMs: this.baseMs, idlePolls: this.idlePolls, focused: vscode.window.state.focused }),
      followed.length * (this.baseMs < MIN_POLL_MS ? 0 : MIN_MS_PER_REQUEST),
    );
    this.timer = setTimeout(() => void this.runRound(), delay);
  }

  private runRound(): Promise<void> {
    if (this.round) {
      this.again = true;
      return this.round;
    }
    this.timer = undefined;
    this.round = this.poll()
      .then((moved) => {
        this.idlePolls = moved ? 0 : this.idlePolls + 1;
      })
      .catch((error: unknown) => this.deps.log.error(`Following batches failed: ${String(error)}`))
      .finally(() => {
        this.round = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        } else {
          this.schedule();
        }
      });
    return this.round;
  }

  /** One round over the followed batches; true when any of them moved on. */
  private async poll(): Promise<boolean> {
    const originKey = this.deps.currentOriginKey();
    if (!originKey) return false;
    const followed = this.deps.history.followed(originKey);
    if (followed.length === 0) return false;
    let client: StatusClient;
    try {
      client = await this.deps.connect(false);
    } catch (error) {
      this.pause(error, followed);
      return false;
    }
    let moved = false;
    for (const batchId of followed) {
      if (this.disposed) return moved;
      let status: BatchStatus;
      try {
        status = await client.getBatchStatus(batchId, this.controller.signal);
      } catch (error) {
        const kind = error instanceof BouncerError ? error.kind : undefined;
        if (kind !== undefined && PAUSING.has(kind)) {
          this.pause(error, followed);
          return moved;
        }
        if (kind !== undefined && ENDING.has(kind)) {
          this.deps.log.warn(`Stopped following batch ${batchId}: ${String(error)}`);
          await this.deps.history.stopFollowing(originKey, batchId);
        } else {
          this.deps.log.warn(`Status of batch ${batchId} not read this time; will ask again: ${String(error)}`);
        }
        if (!this.settle(batchId, error) && kind !== undefined && ENDING.has(kind)) this.deps.onError(error, batchId);
        continue;
      }
      // Finished, deleted or removed while this poll was under way: nothing more to say about it.
      if (!this.deps.history.entry(originKey, batchId)?.following) continue;
      const previous = this.deps.history.entry(originKey, batchId)?.progress;
      const progress = nextProgress(previous, status, Date.now());
      if (previous?.status !== progress.status || previous?.processed !== progress.processed) moved = true;
      await this.deps.history.recordProgress(originKey, batchId, status, progress);
      if (isCompleted(status.status)) {
        this.deps.log.info(`Batch ${batchId} completed.`);
        if (!this.settle(batchId, undefined, status)) this.deps.onCompleted(batchId, status);
      }
    }
    return moved;
  }

  /** Stops polling until something changes; waiters get the error, or the user once. */
  private pause(error: unknown, followed: readonly string[]): void {
    this.paused = true;
    this.deps.log.warn(`Following batches paused: ${String(error)}`);
    let told = false;
    for (const batchId of followed) told = this.settle(batchId, error) || told;
    if (!told && !(error instanceof BouncerError && error.kind === 'cancelled')) this.deps.onError(error, followed[0]);
  }

  /** Settles the waiters of a batch; true when there were any. */
  private settle(batchId: string, error: unknown, status?: BatchStatus): boolean {
    const list = this.waiters.get(batchId);
    if (!list || list.length === 0) return false;
    this.waiters.delete(batchId);
    for (const waiter of list) {
      if (status) waiter.resolve(status);
      else waiter.reject(error);
    }
    return true;
  }
}
