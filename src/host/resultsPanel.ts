import * as vscode from 'vscode';
import { BouncerError } from '../core/errors';
import { decodeKept, type KeptBytes } from '../core/storeSidecar';
import type { OpenTrace } from '../core/openTrace';
import type { StorePart } from '../model/streamingStore';
import type { FlatColumn } from '../core/recordColumns';
import type { EnsureProgress } from '../core/resultsRepository';
import { textAt, type ResultsStore } from '../model/store';
import {
  parseStore,
  parseWebviewMessage,
  rowsInRange,
  type HostMessage,
  type PanelSource,
  type TableContextAction,
  type UiState,
  type WebviewMessage,
} from '../shared/protocol';
import { PanelDataFeed } from './panelDataFeed';
import { DownloadFeed, type DownloadPanel, type PanelDownload } from './panelDownloadFeed';
import { keepSidecar, loadPanelRows, PanelLoadError, readKeptColumns, type StoreLoader } from './panelLoader';
import { PANEL_TEXT } from './panelText';
import { setUpPanelWebview } from './panelWebview';
import { keyOf, type PanelSnapshot, type ResultsPanelDeps, type ResultsSource } from './resultsPanelTypes';
import { copyRows, exportRows } from './tableRequests';
import { markWalkthroughStep, WalkthroughKey } from './walkthroughContext';

export { PanelLoadError, type StoreLoader } from './panelLoader';
export type { PanelDownload } from './panelDownloadFeed';
export { keyOf, type PanelSnapshot, type ResultsPanelDeps, type ResultsSource } from './resultsPanelTypes';

/** The longest a panel waits for its whole batch on screen before keeping its columns on disk anyway. */
const WHOLE_ON_SCREEN_WAIT_MS = 5_000;

/**
 * One results panel: loads the cache into the columnar store, posts it to the webview after the
 * ready handshake, and serves copy/export requests from the store it keeps.
 */
export class ResultsPanel implements vscode.Disposable, DownloadPanel {
  private store: ResultsStore | undefined;
  /** The opening rows of a batch still being read. */
  private partial: ResultsStore | undefined;
  /** Columns read from beside the cache and handed to the webview as they are, not decoded here yet. */
  private kept: { bytes: KeptBytes; decode(): ResultsStore | undefined } | undefined;
  private failure: string | undefined;
  private canRetry = true;
  private loading: AbortController | undefined;
  private readonly feed: PanelDataFeed;
  /** The header labels the webview last reported on screen. */
  private renderedColumns: string[] | undefined;
  /** The download being shown as it arrives, if any. */
  private download: DownloadFeed | undefined;
  private downloadProgress: EnsureProgress | undefined;
  /** Downloads again, for Retry after the download shown here fails. */
  private downloadRetry: (() => void) | undefined;
  /** Set when a download shown here failed: Retry downloads again instead of reading the cache. */
  private retryDownload: (() => void) | undefined;
  private trace: OpenTrace | undefined;
  /** The newest load, for tests waiting until the panel settles. */
  private lastLoad: Promise<void> = Promise.resolve();
  private firstRender: { resolve(): void; reject(error: unknown): void } | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  /** Waiting for the whole batch on screen (see {@link wholeOnScreen}). */
  private wholeWaiters: (() => void)[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    private source: PanelSource & { cachePath?: string; title: string; load?: StoreLoader },
    private readonly restoredUi: UiState | undefined,
    private readonly context: vscode.ExtensionContext,
    private readonly deps: ResultsPanelDeps,
    private readonly onDispose: (panel: ResultsPanel) => void,
    options: { trace?: OpenTrace; awaitDownload?: boolean } = {},
  ) {
    this.trace = options.trace;
    this.trace?.mark('panelCreated');
    this.feed = new PanelDataFeed(panel.webview, () => this.trace, deps.tableData);
    // Kept columns the webview could not fetch and that do not decode here either: read the file.
    this.feed.onUnusable = () => this.wakeWholeWaiters();
    panel.title = source.title;
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      panel.onDidDispose(() => this.dispose()),
    );
    void this.setUpPage();
    // Read the cache while the webview boots: by the time it says ready, the first rows are waiting.
    // A panel opened for a download gets its rows from the download instead.
    if (!options.awaitDownload) void this.load();
  }

  /**
   * Gives the panel its page once the loopback table server (when the setting allows it) listens:
   * the page's CSP names that server's origin. The first table starts it; later ones find it started.
   */
  private async setUpPage(): Promise<void> {
    const server = this.deps.tableData?.();
    await server
      ?.start()
      .catch((error: unknown) => this.deps.log.warn(`Table data server not started: ${String(error)}`));
    if (!this.disposed) setUpPanelWebview(this.panel, this.context.extensionUri, server?.origin);
  }

  /** True when the panel has no complete rows to keep, so a download may stream into it. */
  get canStream(): boolean {
    return !this.store && !this.loading;
  }

  /**
   * Shows a download as it arrives: a progress line at once, rows as soon as the first records are
   * checked, and the whole batch when `done` says the download completed. The store is built from
   * the records ingest already parsed, so the file is not parsed a second time.
   */
  startDownload(trace: OpenTrace, retry: () => void): PanelDownload {
    this.loading?.abort();
    this.loading = undefined;
    this.store = undefined;
    this.partial = undefined;
    this.kept = undefined;
    this.failure = undefined;
    this.trace = trace;
    this.feed.dropPending();
    const download = new DownloadFeed(this, trace);
    this.download = download;
    this.retryDownload = undefined;
    this.downloadRetry = retry;
    this.lastLoad = download.settled;
    return download.handle();
  }

  isCurrent(download: DownloadFeed): boolean {
    return this.download === download && !this.disposed;
  }

  showProgress(progress: EnsureProgress, post: boolean): void {
    this.downloadProgress = progress;
    if (post) this.postDownloadProgress();
  }

  showRows(snapshot: ResultsStore): void {
    this.partial = snapshot;
    this.feed.postStore(snapshot, false);
  }

  showPart(part: StorePart): void {
    this.feed.postPart(part);
  }

  showWhole(store: ResultsStore, path: string, tail: StorePart | undefined): void {
    this.endDownload();
    this.source = { ...this.source, cachePath: path };
    this.store = store;
    this.partial = undefined;
    this.deps.log.info(`Results panel: ${store.rowCount} rows of ${this.source.batchId} built while downloading.`);
    this.feed.postWhole(store, tail);
    keepSidecar(path, store, this.deps.log, this.wholeOnScreen());
  }

  readFile(path: string): Promise<void> {
    this.endDownload();
    this.source = { ...this.source, cachePath: path };
    return this.load();
  }

  showFailure(error: unknown): void {
    const retry = this.downloadRetry;
    this.endDownload();
    this.partial = undefined;
    this.feed.dropPending();
    if (error instanceof BouncerError && error.kind === 'cancelled') {
      // The person cancelled the open: the panel it made goes with it.
      this.dispose();
      return;
    }
    this.retryDownload = retry;
    this.failLoad(PANEL_TEXT.downloadFailed(this.source.batchId), error);
  }

  private endDownload(): void {
    this.download = undefined;
    this.downloadProgress = undefined;
    this.downloadRetry = undefined;
  }

  get key(): string {
    return keyOf(this.source);
  }

  get publicSource(): PanelSource {
    return { batchId: this.source.batchId, filter: this.source.filter, originKey: this.source.originKey };
  }

  /** Reads the cache again: the results on disk are newer than the rows shown. */
  reload(): void {
    void this.load();
  }

  /**
   * What the panel holds once every load started so far has finished and is on screen; with
   * `settled` false, what it holds right now (rows still arriving included).
   */
  async snapshot(settled = true): Promise<PanelSnapshot> {
    for (let seen: Promise<void> | undefined; settled && seen !== this.lastLoad;) {
      seen = this.lastLoad;
      await seen.catch(() => undefined);
    }
    while (settled && !this.disposed && this.panel.visible && this.feed.isReady && !this.feed.onScreen) {
      // A failed load paints nothing more (rows posted before it may never be reported), and waiting
      // for it would turn at once, forever: the extension host would hang.
      if (this.failure !== undefined && !this.loading) break;
      await this.whenRendered().catch(() => undefined);
    }
    const store = this.store;
    const count = Math.min(store?.rowCount ?? 0, 100);
    return {
      ...this.publicSource,
      rows: store?.rowCount,
      emails: Array.from({ length: count }, (_, row) => textAt(store!.text.email, row)),
      renderedRows: this.feed.renderedRows,
      renderedComplete: this.feed.renderedComplete,
      renderedColumns: this.renderedColumns,
      dataPosts: this.feed.posts,
      dataRendered: this.feed.renders,
      handoffs: { ...this.feed.handoffs },
      trace: this.trace?.timing(),
      failure: this.failure,
    };
  }

  /** Resolves when the webview reports its first rows rendered; rejects on load failure or close. */
  whenRendered(): Promise<void> {
    const onScreen = this.feed.onScreen;
    if (this.store && this.feed.isReady && !this.loading && onScreen && !this.firstRender) return Promise.resolve();
    // Already failed (a small file can fail before anyone asks): waiting would never end.
    if (this.failure !== undefined && !this.loading) return Promise.reject(new Error(this.failure));
    return new Promise<void>((resolve, reject) => {
      const previous = this.firstRender;
      this.firstRender = {
        resolve: () => {
          previous?.resolve();
          resolve();
        },
        reject: (error) => {
          previous?.reject(error);
          reject(error);
        },
      };
    });
  }

  /** Points the panel at a (possibly new) cache file and reloads when the file changed. */
  update(source: ResultsSource): void {
    // A new download, or a panel whose last load failed: read the cache again.
    const reload = source.cachePath !== this.source.cachePath || (!this.store && !this.loading && !this.download);
    this.source = { ...source };
    this.panel.title = source.title;
    if (!reload) return;
    void this.load();
  }

  /** A context-menu entry picked on one of this panel's cells; the webview acts on its own view. */
  contextAction(action: TableContextAction, row: number, column: FlatColumn): void {
    this.post({ type: 'contextAction', action, row, column });
  }

  /** Posts to the webview once it has said ready; earlier messages would be lost. */
  private post(message: HostMessage): void {
    if (!this.disposed) this.feed.post(message);
  }

  private postDownloadProgress(): void {
    const progress = this.downloadProgress;
    if (!progress) return;
    this.post(
      progress.kind === 'waiting'
        ? { type: 'download', bytes: 0, records: 0, waiting: true }
        : { type: 'download', bytes: progress.bytes, records: progress.records, waiting: false },
    );
  }

  private onMessage(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.deps.log.warn('Results panel: ignored a malformed message from the webview.');
      return;
    }
    void this.handle(message).catch((error: unknown) => {
      this.deps.log.error(`Results panel: ${message.type} failed.`);
      void this.deps.errors.show(error);
    });
  }

  private async handle(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        // A reloaded webview says ready again: answer every time, reusing a loaded store.
        this.feed.newPage();
        this.trace?.mark('webviewScriptStarted', message.scriptMs ?? 0);
        this.trace?.mark('ready');
        this.post({
          type: 'init',
          source: this.publicSource,
          title: this.source.title,
          ui: this.restoredUi,
          l10n: vscode.l10n.bundle,
          language: vscode.env.language,
        });
        // Whatever the load has reached; the rest is posted as it arrives.
        this.postDownloadProgress();
        if (this.store) this.feed.postStore(this.store, true);
        else if (this.kept) this.feed.postKept(this.kept.bytes.bytes, this.kept.bytes.rowCount, this.kept.decode);
        else if (this.partial) this.feed.postStore(this.partial, false);
        else if (this.failure) this.post({ type: 'loadError', message: this.failure, canRetry: this.canRetry });
        return;
      case 'rendered': {
        this.feed.onRendered(message.rows, message.complete);
        this.renderedColumns = message.columns;
        if (message.complete) this.wakeWholeWaiters();
        this.trace?.mark('firstRowsPainted');
        if (message.complete && this.trace && !this.trace.has('completePainted')) {
          this.trace.mark('completePainted');
          this.deps.log.info(`Results panel: opened ${this.source.batchId}: ${this.trace.describe()} (ms)`);
        }
        const pending = this.firstRender;
        this.firstRender = undefined;
        pending?.resolve();
        return;
      }
      case 'dataUrlFailed':
        this.deps.log.warn(
          'Results panel: the table could not fetch its rows from the loopback table server; posting them instead.',
        );
        this.feed.handOffFailed(message.url);
        return;
      case 'retry': {
        const retry = this.retryDownload;
        this.retryDownload = undefined;
        if (retry) retry();
        else if (this.source.load) await this.load();
        else await this.relocateAndLoad();
        return;
      }
      case 'copyText':
        await vscode.env.clipboard.writeText(message.text);
        return;
      case 'copy': {
        const store = this.checkedRows(message.rows);
        if (store) await copyRows(store, message.rows, message.what, this.deps.neutralizeFormulas());
        markWalkthroughStep(WalkthroughKey.usedTable);
        return;
      }
      case 'export': {
        const store = this.checkedRows(message.rows);
        if (!store) return;
        await exportRows(store, message.rows, {
          format: message.format,
          target: message.target,
          fileName: `${this.source.batchId}-${this.source.filter}-view.${message.format}`,
          storage: this.context.globalStorageUri,
          neutralizeFormulas: this.deps.neutralizeFormulas(),
        });
        markWalkthroughStep(WalkthroughKey.usedTable);
        return;
      }
      case 'verifyAgain':
        await this.deps.verifyAgain(message.emails, this.publicSource);
        return;
    }
  }

  private async relocateAndLoad(): Promise<void> {
    const found = await this.deps.locate(this.publicSource);
    if (!found) {
      this.failLoad(
        PANEL_TEXT.cacheGone(this.source.batchId),
        new BouncerError('notFound', 'The cached results are gone.'),
      );
      return;
    }
    this.source = { ...found };
    await this.load();
  }

  private load(): Promise<void> {
    this.lastLoad = this.read();
    return this.lastLoad;
  }

  private async read(): Promise<void> {
    this.download = undefined;
    this.retryDownload = undefined;
    this.loading?.abort();
    const controller = new AbortController();
    this.loading = controller;
    this.store = undefined;
    this.partial = undefined;
    this.kept = undefined;
    this.failure = undefined;
    this.feed.dropPending();
    // Columns of the rows being replaced may be waiting to be kept: they need not wait any longer.
    this.wakeWholeWaiters();
    const { cachePath, load } = this.source;
    if (!cachePath && !load) {
      await this.relocateAndLoad();
      return;
    }
    const started = Date.now();
    if (cachePath && !load && this.feed.canHandOff) {
      const kept = await readKeptColumns(cachePath);
      if (controller.signal.aborted || this.disposed) return;
      if (kept && (await this.showKept(kept, controller.signal))) {
        if (this.loading === controller) this.loading = undefined;
        return;
      }
      if (controller.signal.aborted || this.disposed) return;
    }
    try {
      const { store, fromSidecar } = await loadPanelRows(this.source, controller.signal, {
        onProgress: (rows) => this.post({ type: 'progress', rows }),
        onPartial: (partial) => {
          if (controller.signal.aborted) return;
          this.partial = partial;
          this.deps.log.info(
            `Results panel: first ${partial.rowCount} rows of ${this.source.batchId} read in ${Date.now() - started} ms.`,
          );
          this.feed.postStore(partial, false);
        },
      });
      if (controller.signal.aborted || this.disposed) return;
      this.store = store;
      this.partial = undefined;
      const how = fromSidecar ? "read from the table's sidecar" : 'loaded';
      this.deps.log.info(
        `Results panel: ${how} ${store.rowCount} rows of ${this.source.batchId} in ${Date.now() - started} ms.`,
      );
      // A page showing none of these rows gets their opening first (see PanelDataFeed).
      this.feed.postStore(store, true);
      if (!fromSidecar && !load && cachePath) keepSidecar(cachePath, store, this.deps.log, this.wholeOnScreen());
    } catch (error) {
      if (controller.signal.aborted || this.disposed) return;
      if (error instanceof PanelLoadError) {
        this.deps.log.error(`Results panel: loading ${this.source.title} failed: ${String(error.cause ?? error)}`);
        this.failLoad(error.message, error, error.canRetry);
        return;
      }
      const gone = (error as NodeJS.ErrnoException).code === 'ENOENT';
      const message = (gone ? PANEL_TEXT.cacheGone : PANEL_TEXT.unreadable)(this.source.batchId);
      this.deps.log.error(`Results panel: loading ${this.source.batchId} failed: ${String(error)}`);
      this.failLoad(message, error);
    } finally {
      if (this.loading === controller) this.loading = undefined;
    }
  }

  /**
   * Shows columns kept beside the cache: the webview gets their bytes as read and decodes them
   * itself; this host decodes its own copy (for copy and export) once they are on screen, so that
   * meanwhile it is free to serve them. False when they are not usable: read the file instead.
   */
  private async showKept(bytes: KeptBytes, signal: AbortSignal): Promise<boolean> {
    let decoded: ResultsStore | undefined | null = null;
    const decode = () => (decoded === null ? (decoded = decodeKept(bytes, parseStore)) : decoded);
    this.kept = { bytes, decode };
    if (!this.feed.postKept(bytes.bytes, bytes.rowCount, decode)) {
      this.kept = undefined;
      return false;
    }
    await this.wholeOnScreen();
    if (signal.aborted || this.disposed) return true;
    const store = decode();
    this.kept = undefined;
    if (!store) {
      this.deps.log.warn(`Results panel: the columns kept beside ${this.source.batchId}'s results did not check out.`);
      return false;
    }
    this.store = store;
    this.deps.log.info(`Results panel: ${store.rowCount} rows of ${this.source.batchId} handed over from its sidecar.`);
    return true;
  }

  /** Every load failure can be retried: the file may come back, or be downloaded again. */
  private failLoad(message: string, error: unknown, canRetry = true): void {
    this.failure = message;
    this.feed.dropPending();
    this.canRetry = canRetry;
    this.post({ type: 'loadError', message, canRetry });
    const pending = this.firstRender;
    this.firstRender = undefined;
    pending?.reject(error);
  }

  /**
   * Resolves once the webview reports a whole batch on screen, the panel closes, or
   * {@link WHOLE_ON_SCREEN_WAIT_MS} pass (a hidden panel paints nothing), whichever comes first.
   */
  private wholeOnScreen(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, WHOLE_ON_SCREEN_WAIT_MS);
      this.wholeWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wakeWholeWaiters(): void {
    for (const wake of this.wholeWaiters.splice(0)) wake();
  }

  private checkedRows(rows: Uint32Array): ResultsStore | undefined {
    // Kept columns the webview shows but this host has not decoded yet: decode them now.
    const store = this.store ?? this.kept?.decode();
    if (!store || !rowsInRange(rows, store.rowCount)) {
      this.deps.log.warn('Results panel: ignored rows outside the loaded results.');
      return undefined;
    }
    return store;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.loading?.abort();
    this.store = undefined;
    this.kept = undefined;
    const pending = this.firstRender;
    this.firstRender = undefined;
    pending?.reject(new BouncerError('cancelled', 'The results panel was closed before it showed any rows.'));
    this.onDispose(this);
    this.wakeWholeWaiters();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
