import * as vscode from 'vscode';
import { BouncerError } from '../core/errors';
import type { OpenTrace } from '../core/openTrace';
import { readRecords } from '../core/readRecords';
import type { FlatColumn } from '../core/recordColumns';
import { readStoreSidecar, writeStoreSidecar } from '../core/storeSidecar';
import type { DownloadFilter } from '../core/records';
import type { CachedResults, EnsureProgress } from '../core/resultsRepository';
import { buildStore, type BuildOptions } from '../model/builder';
import { textAt, type ResultsStore } from '../model/store';
import { StreamingStore } from '../model/streamingStore';
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
import type { DownloadWatcher } from './downloadService';
import type { ErrorReporter } from './errorReporter';
import type { BouncerLog } from './log';
import { copyRows, exportRows } from './tableRequests';
import { makeNonce, webviewHtml } from './webviewHtml';
import { markWalkthroughStep, WalkthroughKey } from './walkthroughContext';

/** Rows posted ahead of the rest: many screens' worth, parsed in a few tens of milliseconds. */
const PARTIAL_ROWS = 20_000;
/** Download progress reaches the webview at most this often. */
const PROGRESS_INTERVAL_MS = 100;

/**
 * A download shown in a panel while it runs: hand `watcher` to the download, then tell the panel how
 * it ended. Only `done` makes the rows complete.
 */
export interface PanelDownload {
  readonly watcher: DownloadWatcher;
  /** The download (or the cache) delivered these results: the panel shows them whole. */
  done(cached: Pick<CachedResults, 'path' | 'summary'>): Promise<void>;
  /** The download failed or was cancelled: rows shown so far are dropped, never left looking complete. */
  failed(error: unknown): void;
}

/**
 * Reads a panel's rows from somewhere other than the cache (a file opened in the table). It reports
 * the first rows through `options` as `buildStore` does, and throws {@link PanelLoadError} to show
 * its own sentence.
 */
export type StoreLoader = (signal: AbortSignal, options: BuildOptions) => Promise<ResultsStore>;

/** A load failure whose message is already the one sentence the panel shows. */
export class PanelLoadError extends Error {
  constructor(
    message: string,
    readonly canRetry: boolean,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

/** Where a panel's results are: the cached download, named for its batch and filter. */
export interface ResultsSource {
  batchId: string;
  filter: DownloadFilter;
  originKey: string;
  cachePath: string;
  title: string;
}

export interface ResultsPanelDeps {
  log: BouncerLog;
  errors: ErrorReporter;
  /** Finds the cached download for a restored panel; undefined when it is gone. */
  locate(state: { batchId: string; filter: DownloadFilter; originKey: string }): Promise<ResultsSource | undefined>;
  neutralizeFormulas(): boolean;
  /** Verify Selected Rows Again: confirm, then create a batch of these emails linked to `from`. */
  verifyAgain(emails: string[], from: PanelSource): Promise<unknown>;
}

/** What one open table holds, for the integration tests (`BouncerExtensionApi.testing`). */
export interface PanelSnapshot extends PanelSource {
  /** Rows of the whole batch loaded; undefined while loading or after a failure. */
  rows: number | undefined;
  /** The first emails of the loaded rows, in file order (at most 100). */
  emails: string[];
  /** Rows the webview last reported on screen. */
  renderedRows: number | undefined;
  /** Whether those rows were the whole batch. */
  renderedComplete: boolean | undefined;
  /** The phases of the last open, ms since its command (see `OpenTrace`). */
  trace: ReturnType<OpenTrace['timing']> | undefined;
  /** The message the panel shows instead of rows, if any. */
  failure: string | undefined;
}

/** There is one panel per origin, batch and filter. */
export function keyOf(source: PanelSource): string {
  return `${source.originKey}\n${source.batchId}\n${source.filter}`;
}

/**
 * One results panel: loads the cache into the columnar store, posts it to the webview after the
 * ready handshake, and serves copy/export requests from the store it keeps.
 */
export class ResultsPanel implements vscode.Disposable {
  private store: ResultsStore | undefined;
  /** The opening rows of a batch still being read. */
  private partial: ResultsStore | undefined;
  private failure: string | undefined;
  private canRetry = true;
  private loading: AbortController | undefined;
  private ready = false;
  /** `data` messages posted to the current webview, and how many of them it reported on screen. */
  private dataPosted = 0;
  private dataRendered = 0;
  private renderedRows: number | undefined;
  private renderedComplete: boolean | undefined;
  /** The download being shown as it arrives, if any. */
  private stream: StreamingStore | undefined;
  private downloadProgress: EnsureProgress | undefined;
  private progressPostedAt = 0;
  /** Set when a download shown here failed: Retry downloads again instead of reading the cache. */
  private retryDownload: (() => void) | undefined;
  private trace: OpenTrace | undefined;
  /** The newest load, for tests waiting until the panel settles. */
  private lastLoad: Promise<void> = Promise.resolve();
  private firstRender: { resolve(): void; reject(error: unknown): void } | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

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
    const dist = vscode.Uri.joinPath(context.extensionUri, 'dist');
    const media = vscode.Uri.joinPath(context.extensionUri, 'media');
    panel.webview.options = { enableScripts: true, localResourceRoots: [dist, media] };
    panel.title = source.title;
    panel.iconPath = {
      light: vscode.Uri.joinPath(media, 'table-icon-light.svg'),
      dark: vscode.Uri.joinPath(media, 'table-icon-dark.svg'),
    };
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => this.onMessage(raw)),
      panel.onDidDispose(() => this.dispose()),
    );
    panel.webview.html = webviewHtml({
      cspSource: panel.webview.cspSource,
      nonce: makeNonce(),
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'table.css')).toString(),
      codiconUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'codicons', 'codicon.css')).toString(),
    });
    // Read the cache while the webview boots: by the time it says ready, the first rows are waiting.
    // A panel opened for a download gets its rows from the download instead.
    if (!options.awaitDownload) void this.load();
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
    this.failure = undefined;
    this.retryDownload = undefined;
    this.trace = trace;
    const stream = new StreamingStore();
    this.stream = stream;
    let settle: () => void = () => undefined;
    this.lastLoad = new Promise<void>((resolve) => (settle = resolve));
    const current = () => this.stream === stream && !this.disposed;
    const watcher: DownloadWatcher = {
      requesting: () => current() && trace.mark('requestSent'),
      progress: (progress) => {
        if (!current()) return;
        if (progress.kind === 'downloading' && progress.bytes > 0) trace.mark('firstByte');
        this.downloadProgress = progress;
        const now = Date.now();
        if (now - this.progressPostedAt < PROGRESS_INTERVAL_MS) return;
        this.progressPostedAt = now;
        this.postDownloadProgress();
      },
      records: (records, firstIndex) => {
        if (!current()) return;
        stream.add(records, firstIndex);
        const snapshot = stream.snapshotIfDue(Date.now());
        if (!snapshot) return;
        this.partial = snapshot;
        this.post({ type: 'data', store: snapshot, complete: false });
      },
    };
    return {
      watcher,
      done: async (cached) => {
        if (!current()) return settle();
        trace.mark('downloadDone');
        this.stream = undefined;
        this.downloadProgress = undefined;
        this.source = { ...this.source, cachePath: cached.path };
        const store = cached.summary ? stream.complete(cached.summary.records) : undefined;
        if (!store) {
          // From the cache, or downloaded by someone else: read the file as a reopened panel would.
          settle();
          await this.load();
          return;
        }
        this.store = store;
        this.partial = undefined;
        this.deps.log.info(`Results panel: ${store.rowCount} rows of ${this.source.batchId} built while downloading.`);
        this.post({ type: 'data', store, complete: true });
        settle();
        this.keepSidecar(cached.path, store);
      },
      failed: (error) => {
        if (!current()) return settle();
        this.stream = undefined;
        this.downloadProgress = undefined;
        this.partial = undefined;
        settle();
        if (error instanceof BouncerError && error.kind === 'cancelled') {
          // The person cancelled the open: the panel it made goes with it.
          this.dispose();
          return;
        }
        this.retryDownload = retry;
        this.failLoad(
          vscode.l10n.t(
            'The download of batch {0} did not finish, so no rows are shown: an incomplete download is never shown as the batch. Retry to download it again.',
            this.source.batchId,
          ),
          error,
        );
      },
    };
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
    while (settled && !this.disposed && this.panel.visible && this.ready && this.dataRendered < this.dataPosted) {
      await this.whenRendered().catch(() => undefined);
    }
    const store = this.store;
    const count = Math.min(store?.rowCount ?? 0, 100);
    return {
      ...this.publicSource,
      rows: store?.rowCount,
      emails: Array.from({ length: count }, (_, row) => textAt(store!.text.email, row)),
      renderedRows: this.renderedRows,
      renderedComplete: this.renderedComplete,
      trace: this.trace?.timing(),
      failure: this.failure,
    };
  }

  /** Resolves when the webview reports its first rows rendered; rejects on load failure or close. */
  whenRendered(): Promise<void> {
    const onScreen = this.dataRendered >= this.dataPosted;
    if (this.store && this.ready && !this.loading && onScreen && !this.firstRender) return Promise.resolve();
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
    const reload = source.cachePath !== this.source.cachePath || (!this.store && !this.loading && !this.stream);
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
    if (this.disposed || !this.ready) return;
    if (message.type === 'data') {
      this.dataPosted++;
      this.trace?.mark('firstDataPosted');
      if (message.complete) this.trace?.mark('completePosted');
    }
    void this.panel.webview.postMessage(message);
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
        this.ready = true;
        this.trace?.mark('webviewScriptStarted', message.scriptMs ?? 0);
        this.trace?.mark('ready');
        // A new page: what was posted to the one before it (hidden, then dropped) is not pending.
        this.dataPosted = 0;
        this.dataRendered = 0;
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
        if (this.store) this.post({ type: 'data', store: this.store, complete: true });
        else if (this.partial) this.post({ type: 'data', store: this.partial, complete: false });
        else if (this.failure) this.post({ type: 'loadError', message: this.failure, canRetry: this.canRetry });
        return;
      case 'rendered': {
        this.dataRendered++;
        this.renderedRows = message.rows;
        this.renderedComplete = message.complete;
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
      this.failLoad(this.missingCacheMessage(), new BouncerError('notFound', 'The cached results are gone.'));
      return;
    }
    this.source = { ...found };
    await this.load();
  }

  private missingCacheMessage(): string {
    return vscode.l10n.t(
      'The downloaded results for batch {0} are no longer on disk. Run "Bouncer: Open Batch Results…" to download them again, or Retry once they are back.',
      this.source.batchId,
    );
  }

  private load(): Promise<void> {
    this.lastLoad = this.read();
    return this.lastLoad;
  }

  private async read(): Promise<void> {
    this.stream = undefined;
    this.retryDownload = undefined;
    this.loading?.abort();
    const controller = new AbortController();
    this.loading = controller;
    this.store = undefined;
    this.partial = undefined;
    this.failure = undefined;
    const { cachePath, load } = this.source;
    if (!cachePath && !load) {
      await this.relocateAndLoad();
      return;
    }
    const started = Date.now();
    try {
      // A cached download may have its columns kept beside it: no parse at all.
      const kept = load ? undefined : await readStoreSidecar(cachePath as string, parseStore);
      if (controller.signal.aborted || this.disposed) return;
      if (kept) {
        this.store = kept;
        this.deps.log.info(
          `Results panel: ${kept.rowCount} rows of ${this.source.batchId} read from the table's sidecar in ${Date.now() - started} ms.`,
        );
        this.post({ type: 'data', store: kept, complete: true });
        return;
      }
      const options: BuildOptions = {
        onProgress: (rows) => this.post({ type: 'progress', rows }),
        // The first rows go out while the rest is parsed: a million-row batch shows in well under a second.
        partialAfter: PARTIAL_ROWS,
        onPartial: (partial) => {
          if (controller.signal.aborted) return;
          this.partial = partial;
          this.deps.log.info(
            `Results panel: first ${partial.rowCount} rows of ${this.source.batchId} read in ${Date.now() - started} ms.`,
          );
          this.post({ type: 'data', store: partial, complete: false });
        },
      };
      const store = load
        ? await load(controller.signal, options)
        : await buildStore(readRecords(cachePath as string, { signal: controller.signal }), options);
      if (controller.signal.aborted || this.disposed) return;
      this.store = store;
      this.partial = undefined;
      this.deps.log.info(
        `Results panel: loaded ${store.rowCount} rows of ${this.source.batchId} in ${Date.now() - started} ms.`,
      );
      this.post({ type: 'data', store, complete: true });
      if (!load && cachePath) this.keepSidecar(cachePath, store);
    } catch (error) {
      if (controller.signal.aborted || this.disposed) return;
      if (error instanceof PanelLoadError) {
        this.deps.log.error(`Results panel: loading ${this.source.title} failed: ${String(error.cause ?? error)}`);
        this.failLoad(error.message, error, error.canRetry);
        return;
      }
      const gone = (error as NodeJS.ErrnoException).code === 'ENOENT';
      const message = gone
        ? this.missingCacheMessage()
        : vscode.l10n.t(
            'The downloaded results for batch {0} could not be read. Open the batch again to download a fresh copy.',
            this.source.batchId,
          );
      this.deps.log.error(`Results panel: loading ${this.source.batchId} failed: ${String(error)}`);
      this.failLoad(message, error);
    } finally {
      if (this.loading === controller) this.loading = undefined;
    }
  }

  /** Keeps the columns beside the cached file for the next open; the table works without them. */
  private keepSidecar(cachePath: string, store: ResultsStore): void {
    writeStoreSidecar(cachePath, store).catch((error: unknown) =>
      this.deps.log.warn(`Results panel: could not keep the table's columns beside ${cachePath}: ${String(error)}`),
    );
  }

  /** Every load failure can be retried: the file may come back, or be downloaded again. */
  private failLoad(message: string, error: unknown, canRetry = true): void {
    this.failure = message;
    this.canRetry = canRetry;
    this.post({ type: 'loadError', message, canRetry });
    const pending = this.firstRender;
    this.firstRender = undefined;
    pending?.reject(error);
  }

  private checkedRows(rows: Uint32Array): ResultsStore | undefined {
    const store = this.store;
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
    const pending = this.firstRender;
    this.firstRender = undefined;
    pending?.reject(new BouncerError('cancelled', 'The results panel was closed before it showed any rows.'));
    this.onDispose(this);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
