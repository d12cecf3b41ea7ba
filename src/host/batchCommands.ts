import * as vscode from 'vscode';
import { MAX_NAME_LENGTH } from '../core/batchHistory';
import { isCancellation } from '../core/errors';
import type { ResultsView } from '../core/openArgs';
import { isDownloadFilter, type DownloadFilter } from '../core/records';
import type { ResultsRepository } from '../core/resultsRepository';
import type { BatchHistoryStore } from './batchHistoryStore';
import type { BatchesView } from './batchesView';
import type { BouncerLog } from './log';

export interface BatchCommandsDeps {
  view: BatchesView;
  history: BatchHistoryStore;
  cache: ResultsRepository;
  log: BouncerLog;
  /** Cache folder key of the configured API origin; throws BouncerError('invalidBaseUrl'). */
  originKey(): string;
  /**
   * Opens a view of a batch, downloading first unless cached (refresh: true forces a download).
   * Resolves when on screen; shows its own errors.
   */
  openResults(args: { batchId: string; filter?: DownloadFilter; view: ResultsView; refresh?: boolean }): Promise<void>;
  /** Follows the batch with the shared poller and resolves once it completed. */
  waitForCompletion(batchId: string): Promise<unknown>;
  /** Cancels a running download of this batch, if any. */
  cancelDownloads(batchId: string): void;
}

/**
 * What the Batches view's items do (click, context menu, or automation with `{ batchId }`).
 * A failure is thrown to the command registry, which shows it.
 */
export class BatchCommands {
  constructor(private readonly deps: BatchCommandsDeps) {}

  async open(arg: unknown, view: ResultsView): Promise<void> {
    const batchId = this.deps.view.batchIdOf(arg);
    if (batchId) await this.deps.openResults({ batchId, view });
  }

  /** A status group: the table of that status only. */
  async showStatus(arg: unknown): Promise<void> {
    const batchId = this.deps.view.batchIdOf(arg);
    const status = typeof arg === 'object' && arg !== null ? (arg as { status?: unknown }).status : undefined;
    if (!batchId || !isDownloadFilter(status)) return;
    await this.deps.openResults({ batchId, filter: status, view: 'table' });
  }

  async refresh(arg: unknown): Promise<void> {
    const batchId = this.deps.view.batchIdOf(arg);
    if (!batchId) return;
    // The unfiltered download refreshes every count; a failure keeps the previous file.
    await this.deps.openResults({ batchId, filter: 'all', view: 'table', refresh: true });
  }

  async waitForCompletion(arg: unknown): Promise<void> {
    const batchId = this.deps.view.batchIdOf(arg);
    if (!batchId) return;
    try {
      // The tree shows the progress; the view's progress bar says something is being waited for.
      await vscode.window.withProgress({ location: { viewId: 'bouncer.batches' } }, () =>
        this.deps.waitForCompletion(batchId),
      );
    } catch (error) {
      if (isCancellation(error)) return;
      throw error;
    }
    await this.deps.openResults({ batchId, view: 'table' });
  }

  /** Asks for a name, unless one is given (automation: `executeCommand(id, { batchId }, name)`). */
  async rename(arg: unknown, given: unknown): Promise<void> {
    const batchId = this.deps.view.batchIdOf(arg);
    if (!batchId) return;
    const originKey = this.deps.originKey();
    const current = this.deps.history.entry(originKey, batchId);
    if (!current) return;
    const name =
      typeof given === 'string'
        ? given
        : await vscode.window.showInputBox({
            title: vscode.l10n.t('Rename Batch {0}', batchId),
            prompt: vscode.l10n.t('A name for this batch in the sidebar; leave empty to show its ID.'),
            value: current.name ?? '',
            validateInput: (text) =>
              text.trim().length > MAX_NAME_LENGTH
                ? vscode.l10n.t('A name is at most {0} characters long.', MAX_NAME_LENGTH)
                : undefined,
          });
    if (name === undefined) return;
    await this.deps.history.rename(originKey, batchId, name);
  }

  async copyId(arg: unknown): Promise<void> {
    const batchId = this.deps.view.batchIdOf(arg);
    if (!batchId) return;
    await vscode.env.clipboard.writeText(batchId);
    vscode.window.setStatusBarMessage(vscode.l10n.t('Copied batch ID {0}', batchId), 3000);
  }

  /** Forgets the batch and its cached files; a download still running for it is cancelled first. */
  async remove(arg: unknown): Promise<void> {
    const batchId = this.deps.view.batchIdOf(arg);
    if (!batchId) return;
    const originKey = this.deps.originKey();
    this.deps.cancelDownloads(batchId);
    await this.deps.history.remove(originKey, batchId);
    await this.deps.cache.deleteBatch(originKey, batchId);
    this.deps.log.info(`Removed batch ${batchId} from the list and deleted its cached results.`);
  }
}
