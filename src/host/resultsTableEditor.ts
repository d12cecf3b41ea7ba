import * as path from 'node:path';
import * as vscode from 'vscode';
import { BouncerError } from '../core/errors';
import {
  inChunks,
  NotBouncerResultsError,
  readResultsFile,
  resultsFileFormat,
  type FileBytes,
  type FileReadReport,
  type ResultsFileFormat,
} from '../core/fileResults';
import { buildStore, type BuildOptions } from '../model/builder';
import type { ResultsStore } from '../model/store';
import { invalidBodyText } from './invalidBodyText';
import type { BouncerLog } from './log';
import { PanelLoadError, type ResultsPanel } from './resultsPanel';
import type { ResultsPanelManager } from './resultsPanelManager';

/** The custom editor's view type: a contract with package.json and with editors VS Code restores. */
export const RESULTS_TABLE_EDITOR = 'bouncer.resultsTable';

/** What one file opened in the table read, for the integration tests. */
export interface FileTableSnapshot {
  uri: string;
  /** Undefined while the file is still being read. */
  report: FileReadReport | undefined;
}

export interface ResultsTableEditorDeps {
  panels: ResultsPanelManager;
  log: BouncerLog;
}

/**
 * "Open With… → Bouncer Results Table" for any `.json` or `.csv`: the file is read (streamed, never
 * one string) into the same table as a downloaded batch, with the same webview and features. VS Code
 * keeps the editor across reloads and hands it back here with its URI; the webview keeps its UI state.
 */
export class ResultsTableEditor implements vscode.CustomReadonlyEditorProvider, vscode.Disposable {
  private readonly registration: vscode.Disposable;
  private readonly open = new Map<string, OpenFile>();
  private readonly waiting = new Map<string, ((panel: ResultsPanel) => void)[]>();

  constructor(private readonly deps: ResultsTableEditorDeps) {
    this.registration = vscode.window.registerCustomEditorProvider(RESULTS_TABLE_EDITOR, this, {
      supportsMultipleEditorsPerDocument: false,
    });
  }

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, webviewPanel: vscode.WebviewPanel): void {
    const { uri } = document;
    const key = uri.toString();
    const name = path.posix.basename(uri.path);
    const format = resultsFileFormat(name) ?? 'json';
    const entry: OpenFile = { webview: webviewPanel.webview };
    const panel = this.deps.panels.adoptEditor(webviewPanel, {
      // The source names the file, so the webview's saved state comes back to the same file after a reload.
      batchId: name.replace(/\.(csv|json)$/i, ''),
      filter: 'all',
      originKey: `file ${key}`,
      title: name,
      load: (signal, options) => this.load(uri, format, signal, options, entry),
    });
    entry.panel = panel;
    this.open.set(key, entry);
    webviewPanel.onDidDispose(() => {
      if (this.open.get(key)?.panel === panel) this.open.delete(key);
    });
    for (const resolve of this.waiting.get(key)?.splice(0) ?? []) resolve(panel);
    this.waiting.delete(key);
  }

  /**
   * `bouncer.openFileInTable`: the file given (Explorer, editor title, a caller), else the active
   * editor's, else one the person picks. Resolves once its first rows are on screen, or once the
   * table says why it shows none (a file that is not Bouncer results).
   */
  async openFromCommand(arg: unknown): Promise<void> {
    const uri = arg instanceof vscode.Uri ? arg : (activeResultsFile() ?? (await pickFile()));
    if (!uri) return;
    const opened = this.whenResolved(uri);
    await vscode.commands.executeCommand('vscode.openWith', uri, RESULTS_TABLE_EDITOR);
    const panel = await opened;
    // A failure is already shown in the editor, in one sentence; a second message would repeat it.
    await panel.whenRendered().catch(() => undefined);
  }

  /** Every file open in the table, for the integration tests. */
  describe(): FileTableSnapshot[] {
    return [...this.open.entries()].map(([uri, entry]) => ({
      uri,
      report: entry.report && { ...entry.report, extraColumns: [...entry.report.extraColumns] },
    }));
  }

  private whenResolved(uri: vscode.Uri): Promise<ResultsPanel> {
    const key = uri.toString();
    const existing = this.open.get(key);
    if (existing?.panel) return Promise.resolve(existing.panel);
    return new Promise((resolve) => {
      const list = this.waiting.get(key) ?? [];
      list.push(resolve);
      this.waiting.set(key, list);
    });
  }

  private async load(
    uri: vscode.Uri,
    format: ResultsFileFormat,
    signal: AbortSignal,
    options: BuildOptions,
    entry: OpenFile,
  ): Promise<ResultsStore> {
    const name = path.posix.basename(uri.path);
    const started = Date.now();
    entry.report = undefined;
    // A CSV's own columns go into the store beside each record, as text columns after the known ones.
    let cells: readonly string[] | undefined;
    const read = readResultsFile(bytesOf(uri), format, { signal, onExtraCells: (row) => (cells = row) });
    const extra = { labels: () => read.report.extraColumns, cells: () => cells };
    let store: ResultsStore;
    try {
      store = await buildStore(read.records, { ...options, extra });
    } catch (error) {
      if (error instanceof NotBouncerResultsError) {
        this.deps.log.info(`Results table: ${name} is not Bouncer results: ${error.message}`);
        // One sentence and nothing else: no toolbar or empty grid suggesting there is a table to be had.
        entry.webview.html = messagePage(NOT_RESULTS());
        throw new PanelLoadError(NOT_RESULTS(), false, error);
      }
      throw this.loadError(error, name);
    }
    const { report } = read;
    entry.report = report;
    this.deps.log.info(
      `Results table: read ${report.rows} rows of ${name} in ${Date.now() - started} ms` +
        (report.malformed > 0 ? `; left out ${report.malformed}, the first at row ${report.firstMalformed}.` : '.'),
    );
    if (report.malformed > 0 && !signal.aborted) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t(
          '{0} rows of {1} could not be read (the first is row {2}: a wrong number of cells or no email) and are left out; the other {3} rows are shown.',
          report.malformed,
          name,
          report.firstMalformed ?? 0,
          report.rows,
        ),
      );
    }
    return store;
  }

  private loadError(error: unknown, name: string): unknown {
    if (error instanceof BouncerError && error.kind === 'cancelled') return error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error instanceof vscode.FileSystemError) {
      return new PanelLoadError(
        vscode.l10n.t('{0} could not be read: it is no longer there. Retry once it is back.', name),
        true,
        error,
      );
    }
    if (error instanceof BouncerError) {
      return new PanelLoadError(
        vscode.l10n.t(
          '{0} is damaged and could not be read ({1}). Fix or export it again, then Retry.',
          name,
          error.kind === 'invalidBody' ? invalidBodyText(error) : error.message,
        ),
        true,
        error,
      );
    }
    return error;
  }

  dispose(): void {
    this.registration.dispose();
    this.open.clear();
    this.waiting.clear();
  }
}

interface OpenFile {
  webview: vscode.Webview;
  panel?: ResultsPanel;
  /** What the last complete read found. */
  report?: FileReadReport;
}

const NOT_RESULTS = () =>
  vscode.l10n.t('This file is not Bouncer results: it has no "email" column or field. Open it with another editor.');

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A page of one sentence, with no script at all; the sentence is escaped, as a translation may hold anything. */
function messagePage(sentence: string): string {
  const text = sentence.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
  return `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body><p role="alert">${text}</p></body></html>`;
}

/** A local file is streamed from disk; any other (a `bouncer-results:` document) comes through VS Code's file system. */
function bytesOf(uri: vscode.Uri): FileBytes {
  if (uri.scheme === 'file') return { path: uri.fsPath };
  return {
    chunks: async function* () {
      yield* inChunks(await vscode.workspace.fs.readFile(uri));
    },
  };
}

/** The file of the active editor, when it is a `.json` or `.csv`. */
function activeResultsFile(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri = input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined;
  return uri && resultsFileFormat(uri.path) ? uri : undefined;
}

async function pickFile(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: vscode.l10n.t('Open in Table'),
    filters: { [vscode.l10n.t('Bouncer results')]: ['csv', 'json'] },
  });
  return picked?.[0];
}
