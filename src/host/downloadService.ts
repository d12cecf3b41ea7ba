import fetch from 'node-fetch';
import * as vscode from 'vscode';
import { BouncerClient } from '../core/bouncerClient';
import { waitForCompletion, type BatchStatus } from '../core/batchStatus';
import { downloadToCache, type DownloadRequest, type DownloadSummary } from '../core/download';
import { BouncerError } from '../core/errors';
import { formatBytes } from '../core/format';
import { describeOddRecords, type OddRecords } from '../core/recordSchema';
import type { CacheKey, ResultsCache } from '../core/resultsCache';
import type { ApiKeyStore } from './apiKeyStore';
import type { BatchHistoryStore } from './batchHistoryStore';
import type { BouncerConfig } from './config';
import type { BouncerLog } from './log';

export interface ApiTarget {
  /** Normalised origin of `bouncer.apiBaseUrl`, e.g. `https://api.usebouncer.com`. */
  origin: string;
  /** Short key of the origin that names its cache folder and history list. */
  originKey: string;
}

export interface CachedResults extends DownloadRequest {
  path: string;
  /**
   * Present when the file was downloaded for this call (here, or by another window while this one
   * waited); absent when it came from the cache.
   */
  summary?: DownloadSummary;
}

export interface DownloadServiceDeps {
  keys: ApiKeyStore;
  log: BouncerLog;
  cache: ResultsCache;
  history: BatchHistoryStore;
  config: () => BouncerConfig;
  /** Resolves the configured API origin; throws BouncerError('invalidBaseUrl'). */
  target: () => ApiTarget;
  /** Asks the user for a key when none is stored; undefined when they dismissed the prompt. */
  promptForKey: (origin: string) => Promise<string | undefined>;
}

/**
 * Gets a batch's results into the cache with a cancellable progress notification, and
 * waits for unfinished batches. Throws BouncerError; presenting errors is the caller's job.
 */
export class DownloadService implements vscode.Disposable {
  private readonly running = new Map<string, Set<AbortController>>();
  private readonly inFlight = new Map<string, Promise<DownloadSummary>>();

  constructor(private readonly deps: DownloadServiceDeps) {}

  /**
   * Returns the cached file for this request, downloading it first when missing or when `refresh`.
   * When another window is downloading the same file, waits for it and uses its file.
   */
  async ensureCached(request: DownloadRequest, options: { refresh?: boolean } = {}): Promise<CachedResults> {
    const target = this.deps.target();
    const key = { originKey: target.originKey, batchId: request.batchId, filter: request.filter, format: request.format };
    const path = this.deps.cache.path(key);
    if (!options.refresh && (await this.deps.cache.stat(key))) {
      this.deps.log.info(`Using cached results for ${request.batchId} (${request.filter}, ${request.format}): ${path}`);
      await this.deps.history.recordOpened(target.originKey, request.batchId);
      return { ...request, path };
    }
    // Two requests in this window share one download and one progress notification; other windows
    // are kept out by the cache's lock.
    let inFlight = this.inFlight.get(path);
    if (!inFlight) {
      inFlight = this.download(target, request, key, options.refresh ?? false).finally(() =>
        this.inFlight.delete(path),
      );
      this.inFlight.set(path, inFlight);
    }
    const summary = await inFlight;
    await this.evictOverLimit(key);
    await this.deps.history.recordDownload(target.originKey, request.batchId, request.filter, request.format, summary);
    return { ...request, path, summary };
  }

  /** Polls the batch's status until it completes, with a cancellable progress notification. */
  async waitForCompletion(batchId: string): Promise<BatchStatus> {
    const target = this.deps.target();
    const client = await this.client(target);
    await this.deps.history.markPending(target.originKey, batchId, true);
    const status = await this.withCancellableProgress(
      batchId,
      vscode.l10n.t('Bouncer: waiting for batch {0} to complete', batchId),
      (signal, report) =>
        waitForCompletion(client, batchId, {
          signal,
          onProgress: (s) =>
            report(
              s.quantity
                ? vscode.l10n.t('{0} of {1} processed ({2})', s.processed ?? 0, s.quantity, s.status)
                : String(s.status),
            ),
        }),
    );
    await this.deps.history.markPending(target.originKey, batchId, false);
    this.deps.log.info(`Batch ${batchId} completed.`);
    return status;
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
   * Downloads into the cache under its lock. When another window downloaded the same file while this
   * one waited, uses that file and summarises it from its seal (no status counts).
   */
  private async download(
    target: ApiTarget,
    request: DownloadRequest,
    key: CacheKey,
    refresh: boolean,
  ): Promise<DownloadSummary> {
    const client = await this.client(target);
    const title = vscode.l10n.t('Bouncer: downloading batch {0} ({1})', request.batchId, request.filter);
    const what = `${request.batchId} (${request.filter}, ${request.format})`;
    const started = Date.now();
    try {
      const result = await this.withCancellableProgress(request.batchId, title, (signal, report) => {
        const onWait = (): void => {
          this.deps.log.info(`Waiting for another window's download of ${what}`);
          report(vscode.l10n.t('waiting for another VS Code window downloading the same results'));
        };
        return this.deps.cache.fill(key, { refresh, signal, onWait }, (path) => {
          this.deps.log.info(`Downloading ${what} from ${target.origin}`);
          return downloadToCache(client, request, path, {
            signal,
            onProgress: (p) =>
              report(vscode.l10n.t('{0} · {1} records', formatBytes(p.bytes), p.records.toLocaleString())),
          });
        });
      });
      if (result.reused) {
        this.deps.log.info(`Using results of ${what} that another window cached meanwhile: ${result.path}`);
        return { bytes: result.bytes, records: result.records };
      }
      const { summary, path } = result;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      this.deps.log.info(
        `Downloaded ${request.batchId}: ${summary.records} records, ${formatBytes(summary.bytes)} in ${seconds} s → ${path}`,
      );
      if (summary.odd && summary.odd.records > 0) this.reportOddRecords(request.batchId, summary.odd);
      return summary;
    } catch (error) {
      if (error instanceof BouncerError && error.kind === 'notCompleted') {
        await this.deps.history.markPending(target.originKey, request.batchId, true);
      }
      throw error;
    }
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
          odd.records.toLocaleString(),
        ),
        showLog,
      )
      .then((choice) => choice === showLog && this.deps.log.show());
  }

  private async client(target: ApiTarget): Promise<BouncerClient> {
    let apiKey = await this.deps.keys.get(target.origin);
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

  private async evictOverLimit(keep: CacheKey): Promise<void> {
    const maxBytes = this.deps.config().cacheMaxSizeMB * 1024 * 1024;
    if (maxBytes <= 0) return;
    const evicted = await this.deps.cache.evictToLimit(maxBytes, [keep]);
    for (const key of evicted) this.deps.log.info(`Cache over its limit: evicted ${key.batchId} (${key.filter}.${key.format})`);
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
