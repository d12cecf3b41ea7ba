import fetch from 'node-fetch';
import * as vscode from 'vscode';
import { BouncerClient } from '../core/bouncerClient';
import { BouncerError } from '../core/errors';
import { localBytes, localCount } from './units';
import { describeOddRecords, type OddRecords } from '../core/recordSchema';
import type { ResultsKey } from '../core/resultsKey';
import type { CachedResults, EnsureProgress, ResultsRepository } from '../core/resultsRepository';
import type { ApiKeyStore } from './apiKeyStore';
import type { BatchHistoryStore } from './batchHistoryStore';
import type { BouncerConfig } from './config';
import type { BouncerLog } from './log';

export type { CachedResults } from '../core/resultsRepository';

export interface ApiTarget {
  /** Normalised origin of `bouncer.apiBaseUrl`, e.g. `https://api.usebouncer.com`. */
  origin: string;
  /** Short key of the origin that names its cache folder and history list. */
  originKey: string;
}

/** Who watches a download besides the progress notification: the table that shows it as it arrives. */
export interface DownloadWatcher {
  /** The download request is about to go out (after the API key is known). */
  requesting?(): void;
  progress?(progress: EnsureProgress): void;
  /** See `EnsureOptions.onRecords`. */
  records?(records: readonly unknown[], firstIndex: number): void;
}

export interface DownloadServiceDeps {
  keys: ApiKeyStore;
  log: BouncerLog;
  cache: ResultsRepository;
  history: BatchHistoryStore;
  config: () => BouncerConfig;
  /** Resolves the configured API origin; throws BouncerError('invalidBaseUrl'). */
  target: () => ApiTarget;
  /** Asks the user for a key when none is stored; undefined when they dismissed the prompt. */
  promptForKey: (origin: string) => Promise<string | undefined>;
}

/**
 * Gets a batch's results into the cache with a cancellable progress notification (unfinished
 * batches are waited for by the shared poller). Throws BouncerError; presenting errors is the
 * caller's job.
 */
export class DownloadService implements vscode.Disposable {
  private readonly running = new Map<string, Set<AbortController>>();

  constructor(private readonly deps: DownloadServiceDeps) {}

  /**
   * Returns the cached file for these results of the configured API, downloading it first when
   * missing or when `refresh`. When another window is downloading the same file, waits for it and
   * uses its file.
   */
  async ensureCached(
    request: Omit<ResultsKey, 'originKey'>,
    options: { refresh?: boolean; watcher?: DownloadWatcher } = {},
  ): Promise<CachedResults> {
    const target = this.deps.target();
    const { batchId, filter } = request;
    const watcher = options.watcher;
    try {
      return await this.deps.cache.ensure(
        { ...request, originKey: target.originKey },
        {
          refresh: options.refresh,
          connect: async () => {
            const client = await this.client(target);
            watcher?.requesting?.();
            return client;
          },
          onRecords: watcher?.records && ((records, firstIndex) => watcher.records?.(records, firstIndex)),
          track: (work) =>
            this.withCancellableProgress(
              batchId,
              vscode.l10n.t('Bouncer: downloading batch {0} ({1})', batchId, filter),
              async (signal, report) => {
                const summary = await work(signal, (progress) => {
                  watcher?.progress?.(progress);
                  report(progressMessage(progress));
                });
                if (summary.odd && summary.odd.records > 0) this.reportOddRecords(batchId, summary.odd);
                return summary;
              },
            ),
        },
      );
    } catch (error) {
      if (error instanceof BouncerError && error.kind === 'notCompleted') {
        await this.deps.history.markPending(target.originKey, batchId, true);
      }
      throw error;
    }
  }

  /** Key of the configured API origin; throws BouncerError('invalidBaseUrl'). */
  originKey(): string {
    return this.deps.target().originKey;
  }

  /** Aborts every download or wait running for this batch. */
  cancel(batchId: string): void {
    for (const controller of this.running.get(batchId) ?? []) controller.abort();
  }

  dispose(): void {
    for (const set of this.running.values()) for (const c of set) c.abort();
    this.running.clear();
  }

  /**
   * Kept records that differ from the spec: the details go to the log (a few examples, never whole
   * records), and one notification per download says so without failing anything.
   */
  private reportOddRecords(batchId: string, odd: OddRecords): void {
    this.deps.log.warn(`${batchId}: ${describeOddRecords(odd)}`);
    const showLog = vscode.l10n.t('Show Log');
    void vscode.window
      .showWarningMessage(
        vscode.l10n.t(
          'Batch {0}: {1} records have fields that differ from the documented format. They are kept and shown as the server sent them; the log lists examples.',
          batchId,
          localCount(odd.records),
        ),
        showLog,
      )
      .then((choice) => choice === showLog && this.deps.log.show());
  }

  /**
   * A client for the API at `target` with its stored key, asking for one when none is stored
   * (unless `ask` is false: then it throws BouncerError('cancelled') quietly).
   */
  async client(target: ApiTarget, ask = true): Promise<BouncerClient> {
    let apiKey = await this.deps.keys.get(target.origin);
    if (!apiKey && !ask) throw new BouncerError('cancelled', 'No API key is stored.');
    if (!apiKey) {
      apiKey = await this.deps.promptForKey(target.origin);
      if (!apiKey) throw new BouncerError('cancelled', 'No API key was given.');
    }
    const { requestTimeoutSeconds, downloadMaxSizeMB } = this.deps.config();
    return new BouncerClient({
      baseUrl: target.origin,
      apiKey,
      fetch,
      timeoutMs: requestTimeoutSeconds * 1000,
      maxBodyBytes: downloadMaxSizeMB * 1024 * 1024,
      log: (level, message) => this.deps.log[level](message),
    });
  }

  /**
   * Runs `work` under a notification with a Cancel button. Cancelling aborts the signal,
   * which aborts the HTTP request itself; the work then rejects with BouncerError('cancelled').
   */
  private async withCancellableProgress<T>(
    batchId: string,
    title: string,
    work: (signal: AbortSignal, report: (message: string) => void) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    const set = this.running.get(batchId) ?? new Set<AbortController>();
    set.add(controller);
    this.running.set(batchId, set);
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: true },
        async (progress, token) => {
          const subscription = token.onCancellationRequested(() => controller.abort());
          let last = 0;
          try {
            return await work(controller.signal, (message) => {
              // Progress updates are cheap to make and costly to render: at most ~10 a second.
              const now = Date.now();
              if (now - last < 100) return;
              last = now;
              progress.report({ message });
            });
          } finally {
            subscription.dispose();
          }
        },
      );
    } finally {
      set.delete(controller);
      if (set.size === 0) this.running.delete(batchId);
    }
  }
}

function progressMessage(progress: EnsureProgress): string {
  return progress.kind === 'waiting'
    ? vscode.l10n.t('waiting for another VS Code window downloading the same results')
    : vscode.l10n.t('{0} · {1} records', localBytes(progress.bytes), localCount(progress.records));
}
