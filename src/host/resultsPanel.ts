import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DownloadRequest } from '../core/download';
import { BouncerError } from '../core/errors';
import { readRecords } from '../core/readRecords';
import type { DownloadFilter } from '../core/records';
import { buildStore } from '../model/builder';
import { textAt, type ResultsStore } from '../model/store';
import {
  parseUiState,
  parseWebviewMessage,
  rowsInRange,
  type HostMessage,
  type PanelSource,
  type UiState,
  type WebviewMessage,
} from '../shared/protocol';
import { openCsvResults, openJsonResults } from './documentOpener';
import type { BouncerLog } from './log';
import type { Dialogs } from './prompts';
import { clipboardText, writeCsvRows, writeJsonRows } from './viewExport';
import { makeNonce, webviewHtml } from './webviewHtml';

export const RESULTS_VIEW_TYPE = 'bouncer.results';

/** Rows posted ahead of the rest: many screens' worth, parsed in a few tens of milliseconds. */
const PARTIAL_ROWS = 20_000;

/** More than this is an export, not a copy. */
const MAX_CLIPBOARD_ROWS = 100_000;

export interface ResultsSource {
  batchId: string;
  filter: DownloadFilter;
  originKey: string;
  cachePath: string;
  title: string;
}

/** New results of one batch were sealed into the cache (a download, first or again). */
export interface ResultsChange extends DownloadRequest {
  originKey: string;
}

export interface ResultsPanelDeps {
  log: BouncerLog;
  dialogs: Dialogs;
  /** Finds the cached download for a restored panel; undefined when it is gone. */
  locate(state: { batchId: string; filter: DownloadFilter; originKey: string }): Promise<ResultsSource | undefined>;
  neutralizeFormulas(): boolean;
  /** Fires after a download: a panel showing those results reads them again. */
  onDidChangeResults: vscode.Event<ResultsChange>;
}

/** What one open table holds, for the integration tests (`BouncerExtensionApi.testing`). */
export interface PanelSnapshot extends PanelSource {
  /** Rows of the whole batch loaded; undefined while loading or after a failure. */
  rows: number | undefined;
  /** The first emails of the loaded rows, in file order (at most 100). */
  emails: string[];
  /** Rows the webview last reported on screen. */
  renderedRows: number | undefined;
  /** The message the panel shows instead of rows, if any. */
  failure: string | undefined;
}

function keyOf(source: PanelSource): string {
  return `${source.originKey}\n${source.batchId}\n${source.filter}`;
}

/**
 * One results panel: loads the cache into the columnar store, posts it to the webview after the
 * ready handshake, and serves copy/export requests from the store it keeps.
 */
class ResultsPanel implements vscode.Disposable {
  private store: ResultsStore | undefined;
  /** The opening rows of a batch still being read. */
  private partial: ResultsStore | undefined;
  private failure: { message: string; canRetry: boolean } | undefined;
  private loading: AbortController | undefined;
  private ready = false;
  /** `data` messages posted to the current webview, and how many of them it reported on screen. */
  private dataPosted = 0;
  private dataRendered = 0;
  private renderedRows: number | undefined;
  /** The newest load, for tests waiting until the panel settles. */
  private lastLoad: Promise<void> = Promise.resolve();
  private firstRender: { resolve(): void; reject(error: unknown): void } | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private source: PanelSource & { cachePath?: string; title: string },
    private readonly restoredUi: UiState | undefined,
    private readonly context: vscode.ExtensionContext,
    private readonly deps: ResultsPanelDeps,
    private readonly onDispose: (panel: ResultsPanel) => void,
  ) {
    const dist = vscode.Uri.joinPath(context.extensionUri, 'dist');
    const media = vscode.Uri.joinPath(context.extensionUri, 'media');
    panel.webview.options = { enableScripts: true, localResourceRoots: [dist, media] };
    panel.title = source.title;
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
    void this.load();
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

  /** What the panel holds once every load started so far has finished. */
  async snapshot(): Promise<PanelSnapshot> {
    for (let seen: Promise<void> | undefined; seen !== this.lastLoad; ) {
      seen = this.lastLoad;
      await seen.catch(() => undefined);
    }
    while (!this.disposed && this.panel.visible && this.ready && this.dataRendered < this.dataPosted) {
      await this.whenRendered().catch(() => undefined);
    }
    const store = this.store;
    const count = Math.min(store?.rowCount ?? 0, 100);
    return {
      ...this.publicSource,
      rows: store?.rowCount,
      emails: Array.from({ length: count }, (_, row) => textAt(store!.text.email, row)),
      renderedRows: this.renderedRows,
      failure: this.failure?.message,
    };
  }

  /** Resolves when the webview reports its first rows rendered; rejects on load failure or close. */
  whenRendered(): Promise<void> {
    const onScreen = this.dataRendered >= this.dataPosted;
    if (this.store && this.ready && !this.loading && onScreen && !this.firstRender) return Promise.resolve();
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
    const reload = source.cachePath !== this.source.cachePath || (!this.store && !this.loading);
    this.source = { ...source };
    this.panel.title = source.title;
    if (!reload) return;
    void this.load();
  }

  /** Posts to the webview once it has said ready; earlier messages would be lost. */
  private post(message: HostMessage): void {
    if (this.disposed || !this.ready) return;
    if (message.type === 'data') this.dataPosted++;
    void this.panel.webview.postMessage(message);
  }

  private onMessage(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    if (!message) {
      this.deps.log.warn('Results panel: ignored a malformed message from the webview.');
      return;
    }
    void this.handle(message).catch((error: unknown) => {
      this.deps.log.error(`Results panel: ${message.type} failed: ${String(error)}`);
      void this.deps.dialogs.showError(vscode.l10n.t('Bouncer: that did not work. See the log for details.'));
    });
  }

  private async handle(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        // A reloaded webview says ready again: answer every time, reusing a loaded store.
        this.ready = true;
        // A new page: what was posted to the one before it (hidden, then dropped) is not pending.
        this.dataPosted = 0;
        this.dataRendered = 0;
        this.post({ type: 'init', source: this.publicSource, title: this.source.title, ui: this.restoredUi });
        // Whatever the load has reached; the rest is posted as it arrives.
        if (this.store) this.post({ type: 'data', store: this.store, complete: true });
        else if (this.partial) this.post({ type: 'data', store: this.partial, complete: false });
        else if (this.failure) this.post({ type: 'loadError', ...this.failure });
        return;
      case 'rendered': {
        this.dataRendered++;
        this.renderedRows = message.rows;
        const pending = this.firstRender;
        this.firstRender = undefined;
        pending?.resolve();
        return;
      }
      case 'retry':
        await this.relocateAndLoad();
        return;
      case 'copy':
        await this.copy(message.what, message.rows);
        return;
      case 'export':
        await this.export(message.format, message.target, message.rows);
        return;
    }
  }

  private async relocateAndLoad(): Promise<void> {
    const found = await this.deps.locate(this.publicSource);
    if (!found) {
      this.failLoad(this.missingCacheMessage(), true, new BouncerError('notFound', 'The cached results are gone.'));
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
    this.loading?.abort();
    const controller = new AbortController();
    this.loading = controller;
    this.store = undefined;
    this.partial = undefined;
    this.failure = undefined;
    const cachePath = this.source.cachePath;
    if (!cachePath) {
      await this.relocateAndLoad();
      return;
    }
    const started = Date.now();
    try {
      const store = await buildStore(readRecords(cachePath, { signal: controller.signal }), {
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
      });
      if (controller.signal.aborted || this.disposed) return;
      this.store = store;
      this.partial = undefined;
      this.deps.log.info(
        `Results panel: loaded ${store.rowCount} rows of ${this.source.batchId} in ${Date.now() - started} ms.`,
      );
      this.post({ type: 'data', store, complete: true });
    } catch (error) {
      if (controller.signal.aborted || this.disposed) return;
      const gone = (error as NodeJS.ErrnoException).code === 'ENOENT';
      const message = gone
        ? this.missingCacheMessage()
        : vscode.l10n.t(
            'The downloaded results for batch {0} could not be read. Open the batch again to download a fresh copy.',
            this.source.batchId,
          );
      this.deps.log.error(`Results panel: loading ${this.source.batchId} failed: ${String(error)}`);
      this.failLoad(message, true, error);
    } finally {
      if (this.loading === controller) this.loading = undefined;
    }
  }

  private failLoad(message: string, canRetry: boolean, error: unknown): void {
    this.failure = { message, canRetry };
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

  private async copy(what: 'csv' | 'emails', rows: Uint32Array): Promise<void> {
    const store = this.checkedRows(rows);
    if (!store || rows.length === 0) return;
    if (rows.length > MAX_CLIPBOARD_ROWS) {
      // Hundreds of megabytes through the clipboard would stall both VS Code and the paste target.
      void vscode.window.showWarningMessage(
        vscode.l10n.t(
          '{0} rows are too many to copy. Use "Export CSV…" in the table to write them to a file.',
          rows.length,
        ),
      );
      return;
    }
    await vscode.env.clipboard.writeText(clipboardText(store, rows, what, this.deps.neutralizeFormulas()));
    void vscode.window.setStatusBarMessage(
      what === 'emails'
        ? vscode.l10n.t('Copied {0} emails', rows.length)
        : vscode.l10n.t('Copied {0} rows as CSV', rows.length),
      4000,
    );
  }

  private async export(format: 'csv' | 'json', target: 'file' | 'tab', rows: Uint32Array): Promise<void> {
    const store = this.checkedRows(rows);
    if (!store) return;
    const base = `${this.source.batchId}-${this.source.filter}-view.${format}`;
    if (target === 'file') {
      const defaultDir =
        vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(this.context.globalStorageUri.fsPath);
      const dest = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.joinPath(defaultDir, base),
        filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
      });
      if (!dest) return;
      await this.write(format, store, rows, dest.fsPath);
      const open = vscode.l10n.t('Open');
      const choice = await vscode.window.showInformationMessage(
        vscode.l10n.t('Exported {0} rows to {1}.', rows.length, path.basename(dest.fsPath)),
        open,
      );
      if (choice === open) await vscode.commands.executeCommand('vscode.open', dest);
      return;
    }
    const dir = vscode.Uri.joinPath(this.context.globalStorageUri, 'exports').fsPath;
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, base);
    await this.write(format, store, rows, file);
    // Written by writeCsvRows under the setting already: the tab shows the file as it is.
    if (format === 'csv') await openCsvResults(file, { neutralizeFormulas: false });
    else await openJsonResults(file);
  }

  private async write(format: 'csv' | 'json', store: ResultsStore, rows: Uint32Array, file: string): Promise<void> {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Writing {0} rows…', rows.length) },
      () =>
        format === 'csv'
          ? writeCsvRows(store, rows, file, this.deps.neutralizeFormulas())
          : writeJsonRows(store, rows, file),
    );
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

/**
 * Owns every results panel: one per origin, batch and filter; restores them after a window reload
 * through a `WebviewPanelSerializer`, reading the cache again instead of downloading.
 */
export class ResultsPanelManager implements vscode.Disposable {
  private readonly panels = new Map<string, ResultsPanel>();
  private readonly registration: vscode.Disposable;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly deps: ResultsPanelDeps,
  ) {
    this.registration = vscode.Disposable.from(
      vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, {
        deserializeWebviewPanel: (panel, state) => this.restore(panel, state),
      }),
      // The cache path of a batch never changes, so a new download is only known by this event.
      deps.onDidChangeResults((change) => {
        if (change.format !== 'json') return;
        this.panels.get(keyOf(change))?.reload();
      }),
    );
  }

  /** The status filters of the open tables of this batch. */
  openFilters(originKey: string, batchId: string): DownloadFilter[] {
    return [...this.panels.values()]
      .map((panel) => panel.publicSource)
      .filter((source) => source.originKey === originKey && source.batchId === batchId)
      .map((source) => source.filter);
  }

  /** Every open table, once its loads have finished. */
  describe(): Promise<PanelSnapshot[]> {
    return Promise.all([...this.panels.values()].map((panel) => panel.snapshot()));
  }

  /** Opens (or reveals) the panel for this source; resolves when the webview reports its first rows rendered; rejects on load failure. */
  show(source: ResultsSource): Promise<void> {
    const existing = this.panels.get(keyOf(source));
    if (existing) {
      existing.update(source);
      existing.panel.reveal();
      return existing.whenRendered();
    }
    const panel = vscode.window.createWebviewPanel(RESULTS_VIEW_TYPE, source.title, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [
        vscode.Uri.joinPath(this.context.extensionUri, 'dist'),
        vscode.Uri.joinPath(this.context.extensionUri, 'media'),
      ],
    });
    const results = this.adopt(panel, { ...source }, undefined);
    return results.whenRendered();
  }

  private async restore(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const ui = parseUiState(state);
    if (!ui) {
      // Nothing usable to restore from (an older version's state): say so instead of an empty panel.
      panel.webview.html = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body><p>${vscode.l10n.t(
        'This results table cannot be restored. Run "Bouncer: Open Batch Results…" to open it again.',
      )}</p></body></html>`;
      return;
    }
    const found = await this.deps.locate(ui.source);
    const title = found?.title ?? vscode.l10n.t('Bouncer: {0} ({1})', ui.source.batchId, ui.source.filter);
    const results = this.adopt(panel, found ? { ...found } : { ...ui.source, title }, ui);
    // Load failures are shown inside the panel; restoring must never throw at VS Code.
    results.whenRendered().catch(() => undefined);
  }

  private adopt(
    panel: vscode.WebviewPanel,
    source: PanelSource & { cachePath?: string; title: string },
    ui: UiState | undefined,
  ): ResultsPanel {
    const results = new ResultsPanel(panel, source, ui, this.context, this.deps, (closed) => {
      if (this.panels.get(closed.key) === closed) this.panels.delete(closed.key);
    });
    this.panels.set(results.key, results);
    return results;
  }

  dispose(): void {
    this.registration.dispose();
    for (const panel of [...this.panels.values()]) panel.dispose();
    this.panels.clear();
  }
}
