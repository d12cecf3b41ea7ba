import * as vscode from 'vscode';
import { assertValidBatchId } from '../core/batchId';
import { BouncerError } from '../core/errors';
import type { OpenArgs, ResultsView } from '../core/openArgs';
import type { DownloadFilter } from '../core/records';
import type { BouncerConfig } from './config';
import { openCsvResults, openJsonResults } from './documentOpener';
import type { CachedResults, DownloadService } from './downloadService';
import { actionLabel, describeError, describeUnexpected, type ErrorAction } from './errorMessages';
import type { BouncerLog } from './log';
import type { Dialogs } from './prompts';
import type { ResultsChange, ResultsPanelManager } from './resultsPanel';
import { formatBytes } from '../core/format';

/** The results panel's title, the same whether it is opened or restored after a reload. */
export function resultsTitle(batchId: string, filter: DownloadFilter): string {
  return vscode.l10n.t('Bouncer: {0} ({1})', batchId, filter);
}

export interface ResultsOpenerDeps {
  downloads: DownloadService;
  panels: ResultsPanelManager;
  log: BouncerLog;
  config: () => BouncerConfig;
  setApiKey: () => Promise<boolean>;
  dialogs: Dialogs;
  /** Called after each download sealed into the cache: whatever shows those results must reload. */
  onDownloaded: (change: ResultsChange) => void;
  /** Where a neutralised CSV too large for an untitled tab is written to open as a file. */
  largeCopyDir: string;
}

/**
 * Gets a batch on screen in the chosen view, and turns every failure into one message
 * with a next step. `interactive` is false when a caller passed arguments (automation,
 * the sidebar): then the promise also rejects, so the caller knows nothing is on screen.
 */
export class ResultsOpener {
  constructor(private readonly deps: ResultsOpenerDeps) {}

  async open(args: OpenArgs & { view: ResultsView }, interactive: boolean): Promise<void> {
    let refresh = args.refresh ?? false;
    let batchId: string;
    try {
      batchId = assertValidBatchId(args.batchId);
    } catch (error) {
      await this.report(error, undefined, interactive, undefined);
      return;
    }
    const filter: DownloadFilter = args.filter ?? this.deps.config().defaultFilter;
    for (;;) {
      try {
        await this.show(batchId, filter, args.view, refresh);
        return;
      } catch (error) {
        const resume = () => this.open({ ...args, batchId, filter, refresh: true }, true);
        const action = await this.report(error, batchId, interactive, resume);
        if (action === 'retry') {
          refresh = true;
          continue;
        }
        if (action === 'setApiKey' && (await this.deps.setApiKey())) continue;
        if (action === 'waitForCompletion' && (await this.waitThenContinue(batchId))) {
          refresh = true;
          continue;
        }
        return;
      }
    }
  }

  /** Shows an error raised outside `open` (e.g. a bad argument) the same way. */
  async reportError(error: unknown, interactive: boolean): Promise<void> {
    await this.report(error, undefined, interactive, undefined);
  }

  private async show(batchId: string, filter: DownloadFilter, view: ResultsView, refresh: boolean): Promise<void> {
    const format = view === 'csv' ? 'csv' : 'json';
    const cached = await this.fetch({ batchId, filter, format }, refresh);
    await this.present(cached, view);
    if (refresh) await this.refreshOtherTables(batchId, filter, format);
  }

  /** Gets the results into the cache, and tells whatever shows them when they were downloaded. */
  private async fetch(request: Omit<ResultsChange, 'originKey'>, refresh: boolean): Promise<CachedResults> {
    const cached = await this.deps.downloads.ensureCached(request, { refresh });
    if (cached.summary) this.deps.onDownloaded({ ...request, originKey: this.deps.downloads.originKey() });
    return cached;
  }

  /**
   * A batch downloaded again may have changed on the server, so every other open table of it
   * (another status filter) downloads its own results again too: no table keeps showing, copying
   * or exporting rows older than the ones just fetched. A failure keeps that table's rows and says so.
   */
  private async refreshOtherTables(batchId: string, done: DownloadFilter, format: 'json' | 'csv'): Promise<void> {
    const originKey = this.deps.downloads.originKey();
    for (const filter of this.deps.panels.openFilters(originKey, batchId)) {
      if (filter === done && format === 'json') continue;
      try {
        await this.fetch({ batchId, filter, format: 'json' }, true);
      } catch (error) {
        const resume = () => this.open({ batchId, filter, view: 'table', refresh: true }, true);
        await this.report(error, batchId, false, resume).catch(() => undefined);
      }
    }
  }

  private async present(cached: CachedResults, view: ResultsView): Promise<void> {
    const { batchId, filter } = cached;
    if (view === 'table') {
      await this.deps.panels.show({
        batchId,
        filter,
        originKey: this.deps.downloads.originKey(),
        cachePath: cached.path,
        title: resultsTitle(batchId, filter),
      });
      return;
    }
    const name = `${batchId}-${filter}`;
    const { neutralizeFormulas } = this.deps.config();
    const csvText = neutralizeFormulas
      ? { neutralizeFormulas, largeCopyDir: this.deps.largeCopyDir }
      : { neutralizeFormulas };
    const openedAs =
      view === 'json' ? await openJsonResults(cached.path, name) : await openCsvResults(cached.path, csvText, name);
    if (openedAs === 'file') {
      const size = cached.summary ? formatBytes(cached.summary.bytes) : vscode.l10n.t('large');
      const showTable = vscode.l10n.t('Show Table');
      void vscode.window
        .showInformationMessage(
          vscode.l10n.t(
            'These results are {0}, too large for an untitled tab, so the cached file opened instead (use Save As to keep a copy). The results table handles any size.',
            size,
          ),
          showTable,
        )
        .then((choice) => {
          if (choice === showTable) void this.open({ batchId, filter, view: 'table' }, true);
        });
    }
  }

  /**
   * Logs the error, shows its message, and (interactive) waits for the user's choice.
   * Non-interactive calls reject at once with the user-facing message, while the
   * notification stays up with its buttons.
   */
  private async report(
    error: unknown,
    batchId: string | undefined,
    interactive: boolean,
    resume: (() => Promise<void>) | undefined,
  ): Promise<ErrorAction | undefined> {
    if (error instanceof BouncerError && error.kind === 'cancelled') {
      this.deps.log.info(`Cancelled${batchId ? ` (${batchId})` : ''}.`);
      if (interactive) return undefined;
      throw new Error(error.message);
    }
    // Anything that is not a BouncerError is a fault of ours or of the machine (a file that
    // cannot be read, an editor that would not open), not of the download: say so, not "invalid body".
    const message = error instanceof BouncerError ? describeError(error, batchId) : describeUnexpected(error, batchId);
    this.deps.log.error(logLine(error));
    const buttons = [...message.actions, ...(message.actions.includes('showLog') ? [] : (['showLog'] as const))];
    const choice = this.deps.dialogs
      .showError(message.text, ...buttons.map((a) => actionLabel(a)))
      .then((label) => buttons.find((a) => actionLabel(a) === label));
    if (!interactive) {
      void choice.then((action) => this.followUp(action, batchId, resume));
      // The caller (another extension, the sidebar) gets the text the user sees, masked the same way.
      throw new Error(this.deps.log.redact(message.text));
    }
    const action = await choice;
    await this.runLocalAction(action);
    return action;
  }

  /** The buttons that need no flow to resume: open the log or the settings. */
  private async runLocalAction(action: ErrorAction | undefined): Promise<void> {
    if (action === 'showLog') this.deps.log.show();
    else if (action === 'openSettings') await vscode.commands.executeCommand('workbench.action.openSettings', 'bouncer.');
  }

  /** For non-interactive calls, buttons still work: they carry on as an interactive flow. */
  private async followUp(
    action: ErrorAction | undefined,
    batchId: string | undefined,
    resume: (() => Promise<void>) | undefined,
  ): Promise<void> {
    await this.runLocalAction(action);
    if (action === 'setApiKey' && (await this.deps.setApiKey())) await resume?.();
    else if (action === 'retry') await resume?.();
    else if (action === 'waitForCompletion' && batchId && (await this.waitThenContinue(batchId))) await resume?.();
  }

  private async waitThenContinue(batchId: string): Promise<boolean> {
    try {
      await this.deps.downloads.waitForCompletion(batchId);
      return true;
    } catch (error) {
      await this.report(error, batchId, true, undefined);
      return false;
    }
  }
}

/** One log line with everything the message leaves out (never the key: the log redacts it too). */
function logLine(error: unknown): string {
  if (!(error instanceof BouncerError)) return `Unexpected: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  return (
    `${error.kind}${error.httpStatus ? ` (HTTP ${error.httpStatus})` : ''}: ${error.message}` +
    (error.serverMessage ? ` — server: ${error.serverMessage}` : '') +
    (error.detail ? ` — ${error.detail}` : '')
  );
}
