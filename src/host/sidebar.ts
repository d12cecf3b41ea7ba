import * as vscode from 'vscode';
import { MAX_NAME_LENGTH } from '../core/batchHistory';
import { validateBatchId } from '../core/batchId';
import { BouncerError, isCancellation } from '../core/errors';
import { formatBytes } from '../core/format';
import { isDownloadFilter, type DownloadFilter } from '../core/records';
import type { CacheKey, ResultsCache } from '../core/resultsCache';
import type { BatchEntry, BatchHistoryStore } from './batchHistoryStore';
import {
  BatchesTree,
  SHOW_STATUS_COMMAND,
  SHOW_TABLE_COMMAND,
  type BatchCacheState,
  type BatchesNode,
  type BatchRow,
} from './batchesTree';
import { readConfig } from './config';
import { describeError } from './errorMessages';
import type { BouncerLog } from './log';
import type { Dialogs } from './prompts';

export interface SidebarDeps {
  history: BatchHistoryStore;
  cache: ResultsCache;
  log: BouncerLog;
  dialogs: Dialogs;
  /** Undefined when `bouncer.apiBaseUrl` is invalid. */
  currentOriginKey(): string | undefined;
  onDidChangeOrigin: vscode.Event<void>;
  /**
   * Opens a view of a batch, downloading first unless cached (refresh: true forces a download).
   * Resolves when on screen; shows its own errors.
   */
  openResults(args: {
    batchId: string;
    filter?: DownloadFilter;
    view: 'table' | 'json' | 'csv';
    refresh?: boolean;
  }): Promise<void>;
  waitForCompletion(batchId: string): Promise<void>;
  /** Cancels a running download of this batch, if any. */
  cancelDownloads(batchId: string): void;
}

export const VIEW_ID = 'bouncer.batches';
/** What {@link BatchesSidebar.describeTree} returns: the tree items exactly as the provider made them. */
export interface TreeSnapshot {
  originKey: string | undefined;
  message: string | undefined;
  batches: {
    batchId: string;
    label: string;
    description: string;
    tooltip: string;
    contextValue: string;
    children: { label: string; description: string; command: string | undefined }[];
  }[];
}

/** The ages in descriptions ("cached 5 min ago") are recomputed this often while the view is visible. */
const AGE_REFRESH_MS = 60_000;
/** How often a visible list looks for another window's changes to the history. */
const HISTORY_SYNC_MS = 3_000;
/** A `.part` file untouched this long belongs to no running download. */
const LEFTOVER_AGE_MS = 24 * 60 * 60 * 1000;
/** Several changes in a burst (a download records, evicts, then opens) become one refresh. */
const REFRESH_DEBOUNCE_MS = 50;

type Handler = (arg?: unknown, extra?: unknown) => Promise<unknown>;

/**
 * Registers the Batches view, its commands and the cache commands. All I/O of the sidebar lives
 * here: it reads the history, checks the cache on disk, and hands the tree a finished model.
 */
export function registerSidebar(_context: vscode.ExtensionContext, deps: SidebarDeps): BatchesSidebar {
  return new Sidebar(deps);
}

/** The registered sidebar; `describeTree` lets tests read exactly what the view shows. */
export interface BatchesSidebar extends vscode.Disposable {
  describeTree(): Promise<TreeSnapshot>;
}

class Sidebar implements BatchesSidebar {
  private readonly tree = new BatchesTree();
  private readonly view: vscode.TreeView<BatchesNode>;
  private readonly disposables: vscode.Disposable[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshRun = 0;
  private latestRefresh: Promise<void> = Promise.resolve();
  /** Damaged files already logged, so a refresh every minute does not repeat the warning. */
  private readonly reportedDamage = new Set<string>();

  constructor(private readonly deps: SidebarDeps) {
    const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this.tree, showCollapseAll: true });
    this.view = view;
    const ageTimer = setInterval(() => {
      if (view.visible) this.scheduleRefresh();
    }, AGE_REFRESH_MS);
    // Focus events do not always come (a browser tab, a window that never lost focus), so while the
    // list is on screen it also re-reads global state now and then; that is an in-memory read.
    const syncTimer = setInterval(() => {
      if (view.visible) deps.history.reload();
    }, HISTORY_SYNC_MS);
    this.disposables.push(
      this.tree,
      view,
      { dispose: () => clearInterval(ageTimer) },
      { dispose: () => clearInterval(syncTimer) },
      { dispose: () => clearTimeout(this.refreshTimer) },
      deps.history.onDidChange(() => this.scheduleRefresh()),
      deps.onDidChangeOrigin(() => this.scheduleRefresh()),
      view.onDidChangeVisibility(({ visible }) => {
        if (!visible) return;
        // Another window may have changed the history or the cache while this view was hidden.
        if (!deps.history.reload()) this.scheduleRefresh();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('bouncer.cache.maxSizeMB')) void this.guard(() => this.enforceCacheLimit());
      }),
    );
    for (const [id, handler] of Object.entries(this.commands())) {
      this.disposables.push(
        vscode.commands.registerCommand(id, (arg?: unknown, extra?: unknown) =>
          this.guard(() => handler(arg, extra), batchIdHint(arg)),
        ),
      );
    }
    this.scheduleRefresh();
    // The cap may have been lowered, or VS Code killed mid-download, while the extension was not running.
    void this.guard(async () => {
      const freed = await deps.cache.sweepLeftovers(LEFTOVER_AGE_MS);
      if (freed > 0) deps.log.info(`Deleted ${formatBytes(freed)} left in the cache by interrupted downloads.`);
      await this.enforceCacheLimit();
    });
  }

  dispose(): void {
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }

  private commands(): Record<string, Handler> {
    return {
      [SHOW_TABLE_COMMAND]: (arg) => this.open(arg, 'table'),
      'bouncer.batches.openJson': (arg) => this.open(arg, 'json'),
      'bouncer.batches.openCsv': (arg) => this.open(arg, 'csv'),
      [SHOW_STATUS_COMMAND]: async (arg) => {
        const batchId = this.batchIdOf(arg);
        const status = isObject(arg) ? arg.status : undefined;
        if (!batchId || !isDownloadFilter(status)) return;
        await this.deps.openResults({ batchId, filter: status, view: 'table' });
      },
      'bouncer.batches.refresh': async (arg) => {
        const batchId = this.batchIdOf(arg);
        if (!batchId) return;
        // The unfiltered download refreshes every count; a failure keeps the previous file.
        await this.deps.openResults({ batchId, filter: 'all', view: 'table', refresh: true });
      },
      'bouncer.batches.waitForCompletion': (arg) => this.waitForCompletion(arg),
      'bouncer.batches.rename': (arg, name) => this.rename(arg, typeof name === 'string' ? name : undefined),
      'bouncer.batches.copyId': async (arg) => {
        const batchId = this.batchIdOf(arg);
        if (!batchId) return;
        await vscode.env.clipboard.writeText(batchId);
        vscode.window.setStatusBarMessage(vscode.l10n.t('Copied batch ID {0}', batchId), 3000);
      },
      'bouncer.batches.remove': (arg) => this.remove(arg),
      'bouncer.batches.deleteCache': (arg) => this.deleteCache(arg),
      'bouncer.batches.refreshView': async () => {
        if (!this.deps.history.reload()) this.scheduleRefresh();
        await this.refreshNow();
      },
      'bouncer.showCacheSize': () => this.showCacheSize(),
      'bouncer.clearCache': () => this.clearCache(),
    };
  }

  private async open(arg: unknown, view: 'table' | 'json' | 'csv'): Promise<void> {
    const batchId = this.batchIdOf(arg);
    if (batchId) await this.deps.openResults({ batchId, view });
  }

  private async waitForCompletion(arg: unknown): Promise<void> {
    const batchId = this.batchIdOf(arg);
    if (!batchId) return;
    try {
      await this.deps.waitForCompletion(batchId);
    } catch (error) {
      if (isCancellation(error)) return;
      throw error;
    }
    await this.deps.openResults({ batchId, view: 'table' });
  }

  /** Asks for a name, unless one is given (automation: `executeCommand(id, { batchId }, name)`). */
  private async rename(arg: unknown, given: string | undefined): Promise<void> {
    const batchId = this.batchIdOf(arg);
    const originKey = this.originKeyOrWarn();
    if (!batchId || !originKey) return;
    const current = this.deps.history.entry(originKey, batchId);
    if (!current) return;
    const name =
      given ??
      (await vscode.window.showInputBox({
        title: vscode.l10n.t('Rename Batch {0}', batchId),
        prompt: vscode.l10n.t('A name for this batch in the sidebar; leave empty to show its ID.'),
        value: current.name ?? '',
        validateInput: (text) =>
          text.trim().length > MAX_NAME_LENGTH
            ? vscode.l10n.t('A name is at most {0} characters long.', MAX_NAME_LENGTH)
            : undefined,
      }));
    if (name === undefined) return;
    await this.deps.history.rename(originKey, batchId, name);
  }

  /** Forgets the batch and its cached files; a download still running for it is cancelled first. */
  private async remove(arg: unknown): Promise<void> {
    const batchId = this.batchIdOf(arg);
    const originKey = this.originKeyOrWarn();
    if (!batchId || !originKey) return;
    this.deps.cancelDownloads(batchId);
    await this.deps.history.remove(originKey, batchId);
    await this.deps.cache.deleteBatch(originKey, batchId);
    this.deps.log.info(`Removed batch ${batchId} from the list and deleted its cached results.`);
  }

  private async deleteCache(arg: unknown): Promise<void> {
    const batchId = this.batchIdOf(arg);
    const originKey = this.originKeyOrWarn();
    if (!batchId || !originKey) return;
    this.deps.cancelDownloads(batchId);
    await this.deps.cache.deleteBatch(originKey, batchId);
    await this.deps.history.forgetDownloads(originKey, batchId);
    this.deps.log.info(`Deleted the cached results of batch ${batchId}.`);
    this.scheduleRefresh();
    vscode.window.setStatusBarMessage(vscode.l10n.t('Deleted the cached results of batch {0}', batchId), 3000);
  }

  private async showCacheSize(): Promise<void> {
    const size = await this.deps.cache.totalSize();
    const limitMB = readConfig().cacheMaxSizeMB;
    const clear = vscode.l10n.t('Clear Cache');
    const choice = await vscode.window.showInformationMessage(
      limitMB > 0
        ? vscode.l10n.t(
            'Cached Bouncer results use {0} of at most {1}.',
            formatBytes(size),
            formatBytes(limitMB * 1024 * 1024),
          )
        : vscode.l10n.t('Cached Bouncer results use {0} (no size limit).', formatBytes(size)),
      clear,
    );
    if (choice === clear) await this.clearCache();
  }

  private async clearCache(): Promise<void> {
    const clear = vscode.l10n.t('Clear Cache');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Delete all cached Bouncer results? The batch list stays; opening a batch downloads it again.'),
      { modal: true },
      clear,
    );
    if (choice !== clear) return;
    const originKey = this.deps.currentOriginKey();
    for (const entry of originKey ? this.deps.history.entries(originKey) : []) this.deps.cancelDownloads(entry.batchId);
    const size = await this.deps.cache.totalSize();
    await this.deps.cache.clear();
    this.deps.log.info(`Cleared the results cache (${formatBytes(size)}).`);
    this.scheduleRefresh();
    vscode.window.setStatusBarMessage(vscode.l10n.t('Cleared {0} of cached Bouncer results', formatBytes(size)), 3000);
  }

  private async enforceCacheLimit(): Promise<void> {
    const limitMB = readConfig().cacheMaxSizeMB;
    if (!(limitMB > 0)) return;
    const evicted = await this.deps.cache.evictToLimit(limitMB * 1024 * 1024);
    for (const key of evicted) this.deps.log.info(`Cache over its limit: evicted ${describeKey(key)}`);
    if (evicted.length > 0) this.scheduleRefresh();
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refreshNow(), REFRESH_DEBOUNCE_MS);
  }

  /**
   * Rebuilds the model from the history and the cache on disk. The newest call wins; an older call
   * that finds itself overtaken settles with the newer one, so whoever awaits this sees fresh items.
   */
  private refreshNow(): Promise<void> {
    clearTimeout(this.refreshTimer);
    const run = ++this.refreshRun;
    const work = async (): Promise<void> => {
      const originKey = this.deps.currentOriginKey();
      const entries = originKey ? this.deps.history.entries(originKey) : [];
      const rows = originKey ? await Promise.all(entries.map((entry) => this.rowOf(originKey, entry))) : [];
      if (run !== this.refreshRun) return this.latestRefresh;
      this.view.message = originKey
        ? undefined
        : vscode.l10n.t(
            'The "bouncer.apiBaseUrl" setting is not usable, so no batches can be shown. Fix it in Settings.',
          );
      this.tree.setModel({ rows, now: Date.now() });
    };
    this.latestRefresh = work().catch((error: unknown) => {
      this.deps.log.error(`Could not refresh the Batches view: ${errorText(error)}`);
    });
    return this.latestRefresh;
  }

  private async rowOf(originKey: string, entry: BatchEntry): Promise<BatchRow> {
    return { entry, cache: await this.cacheStateOf(originKey, entry.batchId) };
  }

  /** Looks at every cached file of the batch; damaged ones count as absent and are logged once. */
  private async cacheStateOf(originKey: string, batchId: string): Promise<BatchCacheState> {
    const keys = await this.deps.cache.keysOf(originKey, batchId);
    const files: { filter: DownloadFilter; format: 'json' | 'csv'; size: number }[] = [];
    let fetchedAt = 0;
    let damaged = false;
    for (const key of keys) {
      const found = await this.deps.cache.inspect(key);
      if (found.state === 'ok') {
        files.push({ filter: key.filter, format: key.format, size: found.size });
        fetchedAt = Math.max(fetchedAt, found.mtimeMs);
      } else if (found.state === 'corrupt') {
        damaged = true;
        const marker = `${this.deps.cache.path(key)}@${found.mtimeMs}`;
        if (!this.reportedDamage.has(marker)) {
          this.reportedDamage.add(marker);
          const file = this.deps.cache.path(key);
          this.deps.log.warn(`Cached results ${file} are unusable (${found.reason}); treated as not cached.`);
        }
      }
    }
    if (files.length === 0) return { kind: 'notCached', damaged };
    return { kind: 'cached', fetchedAt, dir: this.deps.cache.batchDir(originKey, batchId), files };
  }

  async describeTree(): Promise<TreeSnapshot> {
    await this.refreshNow();
    const text = (value: string | vscode.TreeItemLabel | vscode.MarkdownString | boolean | undefined): string => {
      if (typeof value === 'string') return value;
      if (value === undefined || typeof value === 'boolean') return '';
      return 'label' in value ? value.label : value.value;
    };
    return {
      originKey: this.deps.currentOriginKey(),
      message: this.view.message,
      batches: this.tree.batches().map((node) => {
        const item = this.tree.getTreeItem(node);
        return {
          batchId: node.batchId,
          label: text(item.label),
          description: text(item.description),
          tooltip: text(item.tooltip),
          contextValue: item.contextValue ?? '',
          children: this.tree.getChildren(node).map((child) => {
            const childItem = this.tree.getTreeItem(child);
            return {
              label: text(childItem.label),
              description: text(childItem.description),
              command: childItem.command?.command,
            };
          }),
        };
      }),
    };
  }

  /**
   * The batch a command is about: a tree node (context menu, click), `{ batchId }` or a plain ID
   * (automation), or else the view's selection (keyboard shortcut). IDs from outside are validated.
   */
  private batchIdOf(arg: unknown): string | undefined {
    let raw: unknown = arg;
    if (isObject(arg)) raw = arg.batchId;
    if (raw === undefined) {
      const selected = this.view.selection[0];
      raw = isObject(selected) ? selected.batchId : undefined;
    }
    if (typeof raw !== 'string') return undefined;
    const result = validateBatchId(raw);
    if (!result.ok) {
      void this.deps.dialogs.showError(vscode.l10n.t('That batch ID is not valid: {0}', result.message));
      return undefined;
    }
    return result.id;
  }

  private originKeyOrWarn(): string | undefined {
    const originKey = this.deps.currentOriginKey();
    if (!originKey) {
      void this.deps.dialogs.showError(
        vscode.l10n.t('The "bouncer.apiBaseUrl" setting is not usable. Fix it in Settings, then try again.'),
      );
    }
    return originKey;
  }

  /** Runs a command: errors are logged in full and shown as one sentence; cancellation is silent. */
  private async guard(work: () => Promise<unknown>, batchId?: string): Promise<unknown> {
    try {
      return await work();
    } catch (error) {
      if (isCancellation(error)) return undefined;
      this.deps.log.error(`Batches view command failed: ${errorText(error)}`);
      const text =
        error instanceof BouncerError
          ? describeError(error, batchId).text
          : vscode.l10n.t('The Bouncer sidebar could not do that. See the log for details.');
      const showLog = vscode.l10n.t('Show Log');
      void this.deps.dialogs.showError(text, showLog).then((choice) => {
        if (choice === showLog) this.deps.log.show();
      });
      return undefined;
    }
  }
}

/** The valid batch ID an argument names, if any: only for wording an error message. */
function batchIdHint(arg: unknown): string | undefined {
  if (!isObject(arg) || typeof arg.batchId !== 'string') return undefined;
  const result = validateBatchId(arg.batchId);
  return result.ok ? result.id : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function describeKey(key: CacheKey): string {
  return `${key.batchId} (${key.filter}.${key.format})`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
