import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { BouncerError, isCancellation } from '../core/errors';
import { formatBytes } from '../core/format';
import { jsonLayout, resultsDocumentBytes } from '../core/resultsDocument';
import type { DownloadFilter } from '../core/records';
import type { ResultsKey } from '../core/resultsKey';
import { parseResultsUri, resultsUriParts, RESULTS_SCHEME, type ResultsDocumentKey } from '../core/resultsUri';
import type { CachedResults, ResultsRepository } from '../core/resultsRepository';
import type { BouncerLog } from './log';
import { resultsUriProblemText } from './errorMessages';

export { RESULTS_SCHEME } from '../core/resultsUri';

export interface ResultsFileSystemDeps {
  cache: ResultsRepository;
  log: BouncerLog;
  neutralizeFormulas: () => boolean;
  /** Cache key of the configured API origin, or undefined while the setting is unusable. */
  currentOriginKey: () => string | undefined;
  /** Whether a key is stored for the configured origin: only then may a read download. */
  hasApiKey: () => Promise<boolean>;
  /** Downloads results of the configured origin into the cache, with progress; throws BouncerError. */
  download: (request: Omit<ResultsKey, 'originKey'>) => Promise<CachedResults>;
}

/** The address of a results document; throws BouncerError for a part that is not one of ours. */
export function resultsDocumentUri(key: ResultsDocumentKey): vscode.Uri {
  return vscode.Uri.from(resultsUriParts(key));
}

/** The results documents open in a tab (open documents alone would miss those over 50 MB). */
function openDocuments(): ResultsDocumentKey[] {
  const keys: ResultsDocumentKey[] = [];
  for (const tab of vscode.window.tabGroups.all.flatMap((group) => group.tabs)) {
    if (!(tab.input instanceof vscode.TabInputText) || tab.input.uri.scheme !== RESULTS_SCHEME) continue;
    try {
      keys.push(parseResultsUri(tab.input.uri));
    } catch {
      // Not an address of ours: nothing to refresh.
    }
  }
  return keys;
}

/**
 * The JSON and CSV tabs are documents of this read-only file system, made from the cache on every
 * read. VS Code then treats them as files: never dirty, nothing to save on close, Save As writes a
 * copy, and after a reload the tabs read their text again. Nothing is ever written through it.
 */
export class ResultsFileSystem implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changes.event;

  constructor(private readonly deps: ResultsFileSystemDeps) {}

  /** Registers the provider; the returned disposable unregisters it. */
  register(): vscode.Disposable {
    return vscode.Disposable.from(
      vscode.workspace.registerFileSystemProvider(RESULTS_SCHEME, this, { isReadonly: true, isCaseSensitive: true }),
      this,
    );
  }

  /**
   * New results of a batch were sealed into the cache: its open documents read them again (VS Code
   * re-reads a changed file that is open and not dirty, which ours never are).
   */
  resultsDownloaded(change: ResultsKey): void {
    if (change.format !== 'json') return;
    this.changes.fire(
      (['json', 'csv'] as const).map((format) => ({
        type: vscode.FileChangeType.Changed,
        uri: resultsDocumentUri({ ...change, format }),
      })),
    );
  }

  /** The status filters of the open tabs of this batch. */
  openFilters(originKey: string, batchId: string): DownloadFilter[] {
    return openDocuments()
      .filter((key) => key.originKey === originKey && key.batchId === batchId)
      .map((key) => key.filter);
  }

  /** The CSV documents' cells follow `bouncer.csv.neutralizeFormulas`: when it changes, they are made again. */
  csvSettingChanged(): void {
    const csv = openDocuments().filter((key) => key.format === 'csv');
    if (csv.length > 0) {
      this.changes.fire(csv.map((key) => ({ type: vscode.FileChangeType.Changed, uri: resultsDocumentUri(key) })));
    }
  }

  watch(): vscode.Disposable {
    // Changes are announced by resultsDownloaded, for every address at once.
    return new vscode.Disposable(() => undefined);
  }

  /**
   * The cache file's time and size stand for the document's: they change exactly when a download
   * replaces the file, which is when VS Code must read again. Results not in the cache still stat,
   * so that reading them can download them or say why it cannot, instead of "file not found".
   */
  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const key = this.parse(uri);
    const state = await this.deps.cache.inspect({ ...key, format: 'json' });
    const ok = state.state === 'ok';
    return {
      type: vscode.FileType.File,
      ctime: ok ? state.mtimeMs : 0,
      mtime: ok ? state.mtimeMs : 0,
      size: ok ? state.size : 0,
      permissions: vscode.FilePermission.Readonly,
    };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const key = this.parse(uri);
    const path = await this.cachedPath(key);
    try {
      const { size } = await fs.stat(path);
      const bytes = await resultsDocumentBytes(path, key.format, {
        layout: jsonLayout(size),
        neutralizeFormulas: this.deps.neutralizeFormulas(),
      });
      this.deps.log.info(`Opened ${uri.path.slice(1)} as a document: ${formatBytes(bytes.length)}`);
      return bytes;
    } catch (error) {
      throw this.unavailable(error, key);
    }
  }

  /**
   * The cached results, or after a reload whose cache was cleared or evicted, downloaded again when
   * that can happen without asking anything (same origin, key stored); otherwise a message that
   * says how to get them back.
   */
  private async cachedPath(key: ResultsDocumentKey): Promise<string> {
    const cacheKey: ResultsKey = { ...key, format: 'json' };
    if ((await this.deps.cache.inspect(cacheKey)).state === 'ok') return this.deps.cache.path(cacheKey);
    const { batchId, filter } = key;
    if (key.originKey !== this.deps.currentOriginKey()) {
      throw vscode.FileSystemError.Unavailable(
        vscode.l10n.t(
          'The results of batch {0} ({1}) came from another Bouncer API server than the one set now, and are no longer cached. Set bouncer.apiBaseUrl back to open them.',
          batchId,
          filter,
        ),
      );
    }
    if (!(await this.deps.hasApiKey())) {
      throw vscode.FileSystemError.Unavailable(
        vscode.l10n.t(
          'The results of batch {0} ({1}) are no longer cached. Run "Bouncer: Set API Key", then open the batch again.',
          batchId,
          filter,
        ),
      );
    }
    try {
      return (await this.deps.download({ batchId, filter, format: 'json' })).path;
    } catch (error) {
      throw this.unavailable(error, key);
    }
  }

  /**
   * VS Code shows a read failure in the tab itself, with the message: one sentence with a next step,
   * never the error's details (those go to the log, which masks the key).
   */
  private unavailable(error: unknown, key: ResultsDocumentKey): vscode.FileSystemError {
    if (error instanceof vscode.FileSystemError) return error;
    const what = `${key.batchId} (${key.filter})`;
    this.deps.log.error(
      `Could not make the ${key.format} document of ${what}: ${error instanceof Error ? error.message : String(error)}`,
    );
    if (isCancellation(error)) {
      return vscode.FileSystemError.Unavailable(
        vscode.l10n.t('The download of batch {0} was cancelled. Open the batch again to show it.', what),
      );
    }
    if (error instanceof BouncerError && error.kind === 'invalidBody') {
      return vscode.FileSystemError.Unavailable(
        vscode.l10n.t(
          'The cached results of batch {0} cannot be read. Refresh the batch in the Bouncer sidebar to download them again.',
          what,
        ),
      );
    }
    return vscode.FileSystemError.Unavailable(
      vscode.l10n.t('The results of batch {0} could not be shown. Open the batch again, or see the log.', what),
    );
  }

  private parse(uri: vscode.Uri): ResultsDocumentKey {
    try {
      return parseResultsUri(uri);
    } catch (error) {
      throw vscode.FileSystemError.FileNotFound(
        vscode.l10n.t('This is not the address of Bouncer results: {0}', resultsUriProblemText(error)),
      );
    }
  }

  readDirectory(): [string, vscode.FileType][] {
    return [];
  }

  createDirectory(): void {
    throw this.readonly();
  }

  writeFile(): void {
    throw this.readonly();
  }

  delete(): void {
    throw this.readonly();
  }

  rename(): void {
    throw this.readonly();
  }

  private readonly(): vscode.FileSystemError {
    return vscode.FileSystemError.NoPermissions(
      vscode.l10n.t('Bouncer results are read-only. Use Save As to keep a copy.'),
    );
  }

  dispose(): void {
    this.changes.dispose();
  }
}
