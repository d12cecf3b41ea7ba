import * as vscode from 'vscode';
import { assertValidBatchId } from '../core/batchId';
import { localBytes } from './units';
import { OpenTrace } from '../core/openTrace';
import { parseOpenArgs, type OpenArgs, type ResultsView } from '../core/openArgs';
import type { DownloadFilter } from '../core/records';
import type { BouncerConfig } from './config';
import { openResultsDocument } from './documentOpener';
import type { CachedResults, DownloadService } from './downloadService';
import type { ErrorReporter, NextSteps } from './errorReporter';
import { askOpenChoices, type OpenPromptDeps } from './openPrompt';
import { resultsTitle, type ResultsChange, type ResultsPanelManager } from './resultsPanelManager';

export interface ResultsOpenerDeps {
  downloads: DownloadService;
  panels: ResultsPanelManager;
  config: () => BouncerConfig;
  errors: ErrorReporter;
  /** The `bouncer-results:` documents, told when results they show were downloaded again. */
  documents: {
    resultsDownloaded(change: ResultsChange): void;
    openFilters(originKey: string, batchId: string): DownloadFilter[];
  };
  /** What the open prompt offers and remembers (recent batches, last choices). */
  prompt: Omit<OpenPromptDeps, 'defaultFilter'>;
  /** Called once a batch is on screen (the walkthrough's "open a batch" step). */
  onOpened?: () => void;
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
    const choices = await askOpenChoices(
      { ...this.deps.prompt, defaultFilter: () => this.deps.config().defaultFilter },
      fixedView,
    );
    if (choices) await this.open(choices, true, trace);
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
      this.deps.onOpened?.();
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
    // Every view is made from the JSON records: the CSV tab by our own encoder, in our column order.
    const format = 'json';
    if (view !== 'table' || !(await this.streamTable(batchId, filter, refresh, trace))) {
      const cached = await this.fetch({ batchId, filter, format }, refresh);
      await this.present(cached, view);
    }
    if (refresh) await this.refreshOtherTables(batchId, filter);
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
    // The table took its rows from this download itself; the tabs of these results are told here,
    // as `fetch` tells them for every other download.
    if (cached.summary) this.deps.documents.resultsDownloaded({ batchId, filter, format: 'json', originKey });
    await this.deps.panels.whenRendered(source);
    return true;
  }

  /** Gets the results into the cache, and tells whatever shows them when they were downloaded. */
  private async fetch(request: Omit<ResultsChange, 'originKey'>, refresh: boolean): Promise<CachedResults> {
    const cached = await this.deps.downloads.ensureCached(request, { refresh });
    if (cached.summary) {
      const change = { ...request, originKey: this.deps.downloads.originKey() };
      this.deps.panels.resultsDownloaded(change);
      this.deps.documents.resultsDownloaded(change);
    }
    return cached;
  }

  /**
   * A batch downloaded again may have changed on the server, so every other open table or tab of it
   * (another status filter) downloads its own results again too: no view keeps showing, copying
   * or exporting rows older than the ones just fetched. A failure keeps that view's rows and says so.
   */
  private async refreshOtherTables(batchId: string, done: DownloadFilter): Promise<void> {
    const originKey = this.deps.downloads.originKey();
    const open = [
      ...this.deps.panels.openFilters(originKey, batchId),
      ...this.deps.documents.openFilters(originKey, batchId),
    ];
    for (const filter of new Set(open)) {
      if (filter === done) continue;
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
    const { layout, bytes } = await openResultsDocument({ ...cached, format: view }, cached.path);
    if (view === 'json' && layout === 'recordPerLine') {
      const size = localBytes(bytes);
      const showTable = vscode.l10n.t('Show Table');
      void vscode.window
        .showInformationMessage(
          vscode.l10n.t(
            'These results are {0}, so the JSON tab shows one record per line to stay fast. The results table sorts and filters any size.',
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
