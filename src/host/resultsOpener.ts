import * as vscode from 'vscode';
import { assertValidBatchId } from '../core/batchId';
import { formatBytes } from '../core/format';
import { OpenTrace } from '../core/openTrace';
import { parseOpenArgs, type OpenArgs, type ResultsView } from '../core/openArgs';
import type { DownloadFilter } from '../core/records';
import type { BouncerConfig } from './config';
import { openCsvResults, openJsonResults } from './documentOpener';
import type { CachedResults, DownloadService } from './downloadService';
import type { ErrorReporter, NextSteps } from './errorReporter';
import { askBatchId, askFilter, askView } from './prompts';
import { resultsTitle, type ResultsChange, type ResultsPanelManager } from './resultsPanelManager';
import type { ResultsFormat } from '../core/resultsKey';

export interface ResultsOpenerDeps {
  downloads: DownloadService;
  panels: ResultsPanelManager;
  config: () => BouncerConfig;
  errors: ErrorReporter;
  /** Where a neutralised CSV too large for an untitled tab is written to open as a file. */
  largeCopyDir: string;
}

/**
 * Gets a batch on screen in the chosen view, and hands every failure to the error reporter with
 * a way to retry. `interactive` is false when a caller passed arguments (automation, a keybinding):
 * then the promise also rejects, so the caller knows nothing is on screen.
 */
export class ResultsOpener {
  constructor(private readonly deps: ResultsOpenerDeps) {}

  /**
   * The `bouncer.open*` commands: with an argument (automation) asks nothing and rejects when nothing
   * is shown; without one asks for the batch, the filter and, unless the command fixes it, the view.
   */
  async openFromCommand(arg: unknown, fixedView?: ResultsView): Promise<void> {
    const trace = new OpenTrace();
    let args;
    try {
      args = parseOpenArgs(arg);
    } catch (error) {
      throw this.deps.errors.rejection(error);
    }
    if (args) {
      await this.open({ ...args, view: fixedView ?? args.view ?? 'table' }, false, trace);
      return;
    }
    const batchId = await askBatchId();
    if (!batchId) return;
    const filter = await askFilter(this.deps.config().defaultFilter);
    if (!filter) return;
    const view = fixedView ?? (await askView());
    if (!view) return;
    await this.open({ batchId, filter, view }, true, trace);
  }

  async open(
    args: OpenArgs & { view: ResultsView },
    interactive: boolean,
    trace: OpenTrace = new OpenTrace(),
  ): Promise<void> {
    trace.mark('promptAnswered');
    let batchId: string;
    try {
      batchId = assertValidBatchId(args.batchId);
    } catch (error) {
      await this.fail(error, {}, interactive);
      return;
    }
    const filter: DownloadFilter = args.filter ?? this.deps.config().defaultFilter;
    try {
      await this.show(batchId, filter, args.view, args.refresh ?? false, trace);
    } catch (error) {
      const retry = () => this.open({ ...args, batchId, filter, refresh: true }, true);
      await this.fail(error, { batchId, retry }, interactive);
    }
  }

  /** Interactive: waits for the user's answer to the message. Otherwise rejects at once. */
  private async fail(error: unknown, next: NextSteps, interactive: boolean): Promise<void> {
    if (!interactive) throw this.deps.errors.rejection(error, next);
    await this.deps.errors.show(error, next);
  }

  private async show(
    batchId: string,
    filter: DownloadFilter,
    view: ResultsView,
    refresh: boolean,
    trace: OpenTrace,
  ): Promise<void> {
    const format = view === 'csv' ? 'csv' : 'json';
    if (view !== 'table' || !(await this.streamTable(batchId, filter, refresh, trace))) {
      const cached = await this.fetch({ batchId, filter, format }, refresh);
      await this.present(cached, view);
    }
    if (refresh) await this.refreshOtherTables(batchId, filter, format);
  }

  /**
   * Opens the table before the download, showing its rows as they arrive. False when a table of
   * these results already shows complete rows: that one keeps them until the new download is done.
   */
  private async streamTable(
    batchId: string,
    filter: DownloadFilter,
    refresh: boolean,
    trace: OpenTrace,
  ): Promise<boolean> {
    const originKey = this.deps.downloads.originKey();
    const source = { batchId, filter, originKey, title: resultsTitle(batchId, filter) };
    const retry = () => void this.open({ batchId, filter, view: 'table', refresh: true }, true);
    const download = this.deps.panels.beginDownload(source, trace, retry);
    if (!download) return false;
    let cached: CachedResults;
    try {
      cached = await this.deps.downloads.ensureCached(
        { batchId, filter, format: 'json' },
        { refresh, watcher: download.watcher },
      );
    } catch (error) {
      download.failed(error);
      throw error;
    }
    await download.done(cached);
    await this.deps.panels.whenRendered(source);
    return true;
  }

  /** Gets the results into the cache, and tells whatever shows them when they were downloaded. */
  private async fetch(request: Omit<ResultsChange, 'originKey'>, refresh: boolean): Promise<CachedResults> {
    const cached = await this.deps.downloads.ensureCached(request, { refresh });
    if (cached.summary) this.deps.panels.resultsDownloaded({ ...request, originKey: this.deps.downloads.originKey() });
    return cached;
  }

  /**
   * A batch downloaded again may have changed on the server, so every other open table of it
   * (another status filter) downloads its own results again too: no table keeps showing, copying
   * or exporting rows older than the ones just fetched. A failure keeps that table's rows and says so.
   */
  private async refreshOtherTables(batchId: string, done: DownloadFilter, format: ResultsFormat): Promise<void> {
    const originKey = this.deps.downloads.originKey();
    for (const filter of this.deps.panels.openFilters(originKey, batchId)) {
      if (filter === done && format === 'json') continue;
      try {
        await this.fetch({ batchId, filter, format: 'json' }, true);
      } catch (error) {
        const retry = () => this.open({ batchId, filter, view: 'table', refresh: true }, true);
        void this.deps.errors.show(error, { batchId, retry });
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
}
