import * as vscode from 'vscode';
import type { OpenTrace } from '../core/openTrace';
import type { DownloadFilter } from '../core/records';
import type { ResultsKey } from '../core/resultsKey';
import type { ResultsRepository } from '../core/resultsRepository';
import { parseUiState, type PanelSource, type UiState } from '../shared/protocol';
import {
  keyOf,
  ResultsPanel,
  type PanelDownload,
  type PanelSnapshot,
  type ResultsPanelDeps,
  type ResultsSource,
  type StoreLoader,
} from './resultsPanel';

export const RESULTS_VIEW_TYPE = 'bouncer.results';

/** New results of one batch were sealed into the cache (a download, first or again). */
export type ResultsChange = ResultsKey;

/** The results panel's title, the same whether it is opened or restored after a reload. */
export function resultsTitle(batchId: string, filter: DownloadFilter): string {
  return vscode.l10n.t('Bouncer: {0} ({1})', batchId, filter);
}

/** Where the table of a batch's results reads them from, if they are in the cache. */
export async function locateCachedResults(
  cache: ResultsRepository,
  { batchId, filter, originKey }: PanelSource,
): Promise<ResultsSource | undefined> {
  const key: ResultsKey = { originKey, batchId, filter, format: 'json' };
  if ((await cache.inspect(key)).state !== 'ok') return undefined;
  return { batchId, filter, originKey, cachePath: cache.path(key), title: resultsTitle(batchId, filter) };
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
    this.registration = vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state) => this.restore(panel, state),
    });
  }

  /**
   * New results of a batch were sealed into the cache: the table showing them reads them again.
   * The cache path of a batch never changes, so this call is the only way a panel learns of them.
   */
  resultsDownloaded(change: ResultsChange): void {
    if (change.format !== 'json') return;
    this.panels.get(keyOf(change))?.reload();
  }

  /** The status filters of the open tables of this batch. */
  openFilters(originKey: string, batchId: string): DownloadFilter[] {
    return [...this.panels.values()]
      .map((panel) => panel.publicSource)
      .filter((source) => source.originKey === originKey && source.batchId === batchId)
      .map((source) => source.filter);
  }

  /** The table panel in front, for commands from its webview's context menu. */
  activePanel(): ResultsPanel | undefined {
    return [...this.panels.values()].find((panel) => panel.panel.active);
  }

  /** Every open table, once its loads have finished (or, with `settled` false, right now). */
  describe(settled = true): Promise<PanelSnapshot[]> {
    return Promise.all([...this.panels.values()].map((panel) => panel.snapshot(settled)));
  }

  /** Opens (or reveals) the panel for this source; resolves when the webview reports its first rows rendered; rejects on load failure. */
  show(source: ResultsSource): Promise<void> {
    const existing = this.panels.get(keyOf(source));
    if (existing) {
      existing.update(source);
      existing.panel.reveal();
      return existing.whenRendered();
    }
    // Its webview options are set by ResultsPanel, as for a restored panel.
    const panel = vscode.window.createWebviewPanel(RESULTS_VIEW_TYPE, source.title, vscode.ViewColumn.Active);
    const results = this.adopt(panel, { ...source }, undefined);
    return results.whenRendered();
  }

  /**
   * Takes in a panel VS Code made for a custom editor (a file opened in the table): VS Code owns its
   * life and reopens it after a reload, so it needs no serializer; it is listed with the others.
   */
  adoptEditor(panel: vscode.WebviewPanel, source: PanelSource & { title: string; load: StoreLoader }): ResultsPanel {
    return this.adopt(panel, source, undefined);
  }

  /**
   * Opens the panel before its results are downloaded, so the person sees it at once and the rows
   * as they arrive. Undefined when a panel of these results already shows complete rows: it keeps
   * them until the new download is done (a failure must leave the previous good state in place).
   */
  beginDownload(
    source: PanelSource & { title: string },
    trace: OpenTrace,
    retry: () => void,
  ): PanelDownload | undefined {
    const existing = this.panels.get(keyOf(source));
    if (existing && !existing.canStream) return undefined;
    let results = existing;
    if (results) {
      results.panel.reveal();
    } else {
      const panel = vscode.window.createWebviewPanel(RESULTS_VIEW_TYPE, source.title, vscode.ViewColumn.Active);
      results = this.adopt(panel, { ...source }, undefined, { trace, awaitDownload: true });
    }
    return results.startDownload(trace, retry);
  }

  /** Resolves when the panel of these results has its whole batch on screen (see `show`). */
  whenRendered(source: PanelSource): Promise<void> {
    return this.panels.get(keyOf(source))?.whenRendered() ?? Promise.resolve();
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
    const title = found?.title ?? resultsTitle(ui.source.batchId, ui.source.filter);
    const results = this.adopt(panel, found ? { ...found } : { ...ui.source, title }, ui);
    // Load failures are shown inside the panel; restoring must never throw at VS Code.
    results.whenRendered().catch(() => undefined);
  }

  private adopt(
    panel: vscode.WebviewPanel,
    source: PanelSource & { cachePath?: string; title: string; load?: StoreLoader },
    ui: UiState | undefined,
    options: { trace?: OpenTrace; awaitDownload?: boolean } = {},
  ): ResultsPanel {
    const results = new ResultsPanel(
      panel,
      source,
      ui,
      this.context,
      this.deps,
      (closed) => {
        if (this.panels.get(closed.key) === closed) this.panels.delete(closed.key);
      },
      options,
    );
    this.panels.set(results.key, results);
    return results;
  }

  dispose(): void {
    this.registration.dispose();
    for (const panel of [...this.panels.values()]) panel.dispose();
    this.panels.clear();
  }
}
