import * as vscode from 'vscode';
import { formatBytes } from '../core/format';
import { localBytes } from './units';
import type { ResultsRepository } from '../core/resultsRepository';
import type { BatchHistoryStore } from './batchHistoryStore';
import type { BatchesView } from './batchesView';
import type { BouncerConfig } from './config';
import type { ErrorReporter } from './errorReporter';
import type { BouncerLog } from './log';

export interface CacheCommandsDeps {
  cache: ResultsRepository;
  history: BatchHistoryStore;
  view: BatchesView;
  log: BouncerLog;
  errors: ErrorReporter;
  config: () => BouncerConfig;
  /** Cache folder key of the configured API origin; throws BouncerError('invalidBaseUrl'). */
  originKey(): string;
  /** The same, or undefined when the setting is not usable. */
  currentOriginKey(): string | undefined;
  /** Cancels a running download of this batch, if any. */
  cancelDownloads(batchId: string): void;
}

/**
 * The results cache as the user manages it: its size, clearing it all or one batch's files, and
 * keeping it within `bouncer.cache.maxSizeMB`. Each change refreshes the Batches view.
 */
export class CacheCommands implements vscode.Disposable {
  private readonly configListener: vscode.Disposable;

  constructor(private readonly deps: CacheCommandsDeps) {
    this.configListener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('bouncer.cache.maxSizeMB')) this.inBackground(() => this.enforceLimit());
    });
    // The cap may have been lowered, or VS Code killed mid-download, while the extension was not running.
    this.inBackground(async () => {
      await deps.cache.sweepLeftovers();
      await this.enforceLimit();
    });
  }

  /** Deletes one batch's cached files; the batch stays listed with its counts. */
  async deleteBatch(arg: unknown): Promise<void> {
    const batchId = this.deps.view.batchIdOf(arg);
    if (!batchId) return;
    const originKey = this.deps.originKey();
    this.deps.cancelDownloads(batchId);
    const { busy } = await this.deps.cache.deleteBatch(originKey, batchId);
    await this.deps.history.forgetDownloads(originKey, batchId);
    this.deps.log.info(`Deleted the cached results of batch ${batchId}; ${busy} being downloaded elsewhere kept.`);
    this.deps.view.scheduleRefresh();
    if (busy > 0) this.keptBusy(busy);
    vscode.window.setStatusBarMessage(vscode.l10n.t('Deleted the cached results of batch {0}', batchId), 3000);
  }

  async showSize(): Promise<void> {
    const size = await this.deps.cache.totalSize();
    const limitMB = this.deps.config().cacheMaxSizeMB;
    const clear = vscode.l10n.t('Clear Cache');
    const choice = await vscode.window.showInformationMessage(
      limitMB > 0
        ? vscode.l10n.t(
            'Cached Bouncer results use {0} of at most {1}.',
            localBytes(size),
            localBytes(limitMB * 1024 * 1024),
          )
        : vscode.l10n.t('Cached Bouncer results use {0} (no size limit).', localBytes(size)),
      clear,
    );
    if (choice === clear) await this.clear();
  }

  async clear(): Promise<void> {
    const clear = vscode.l10n.t('Clear Cache');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Delete all cached Bouncer results? The batch list stays; opening a batch downloads it again.'),
      { modal: true },
      clear,
    );
    if (choice !== clear) return;
    const originKey = this.deps.currentOriginKey();
    for (const entry of originKey ? this.deps.history.entries(originKey) : []) this.deps.cancelDownloads(entry.batchId);
    const size = await this.deps.cache.totalSize();
    const { busy } = await this.deps.cache.clear();
    this.deps.log.info(`Cleared the results cache (${formatBytes(size)}); ${busy} being downloaded elsewhere kept.`);
    this.deps.view.scheduleRefresh();
    if (busy > 0) this.keptBusy(busy);
    vscode.window.setStatusBarMessage(vscode.l10n.t('Cleared {0} of cached Bouncer results', localBytes(size)), 3000);
  }

  dispose(): void {
    this.configListener.dispose();
  }

  /** Files another window was downloading stay: deleting them under it would fail its download. */
  private keptBusy(files: number): void {
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        '{0} cached results were being downloaded in another VS Code window and were kept. Delete them again once that download ends.',
        files,
      ),
    );
  }

  private async enforceLimit(): Promise<void> {
    const evicted = await this.deps.cache.evictOverLimit();
    if (evicted.length > 0) this.deps.view.scheduleRefresh();
  }

  /** Housekeeping nobody waits for: a failure is still shown, like a command's. */
  private inBackground(work: () => Promise<void>): void {
    void work().catch((error: unknown) => this.deps.errors.show(error));
  }
}
