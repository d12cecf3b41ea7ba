import * as vscode from 'vscode';
import { invalidBatchIdError, validateBatchId } from '../core/batchId';
import type { DownloadFilter } from '../core/records';
import type { ResultsRepository } from '../core/resultsRepository';
import type { BatchEntry, BatchHistoryStore } from './batchHistoryStore';
import { BatchesTree, type BatchCacheState, type BatchesNode, type BatchRow } from './batchesTree';
import type { BouncerLog } from './log';
import { isObject } from '../core/guards';
import type { ResultsFormat } from '../core/resultsKey';

const VIEW_ID = 'bouncer.batches';

/** Several changes in a burst (a download records, evicts, then opens) become one refresh. */
const REFRESH_DEBOUNCE_MS = 50;

export interface BatchesViewDeps {
  history: BatchHistoryStore;
  cache: ResultsRepository;
  log: BouncerLog;
  /** Undefined when `bouncer.apiBaseUrl` is not usable. */
  currentOriginKey(): string | undefined;
}

/** What {@link BatchesView.describe} returns: the tree items exactly as the provider made them. */
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

/**
 * The Batches view: the tree view and the I/O behind it. It reads the history, checks the cache on
 * disk, and hands the tree (which does no I/O) a finished model.
 */
export class BatchesView implements vscode.Disposable {
  private readonly tree = new BatchesTree();
  readonly treeView: vscode.TreeView<BatchesNode>;
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshRun = 0;
  private latestRefresh: Promise<void> = Promise.resolve();
  /** Damaged files already logged, so a refresh every minute does not repeat the warning. */
  private readonly reportedDamage = new Set<string>();

  constructor(private readonly deps: BatchesViewDeps) {
    this.treeView = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this.tree, showCollapseAll: true });
    this.scheduleRefresh();
  }

  /**
   * The batch a command is about: a tree node (context menu, click), `{ batchId }` or a plain ID
   * (automation), or else the view's selection (keyboard shortcut). Undefined when there is none;
   * throws BouncerError('invalidBatchId') for an ID from outside that is not valid.
   */
  batchIdOf(arg: unknown): string | undefined {
    let raw: unknown = arg;
    if (isObject(arg)) raw = arg.batchId;
    if (raw === undefined) {
      const selected = this.treeView.selection[0];
      raw = isObject(selected) ? selected.batchId : undefined;
    }
    if (typeof raw !== 'string') return undefined;
    const result = validateBatchId(raw);
    if (!result.ok) throw invalidBatchIdError(result.problem);
    return result.id;
  }

  scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refreshNow(), REFRESH_DEBOUNCE_MS);
  }

  /** Re-reads the history (another window may have changed it) and the cache, and resolves once shown. */
  async reloadNow(): Promise<void> {
    if (!this.deps.history.reload()) this.scheduleRefresh();
    await this.refreshNow();
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
      this.treeView.message = originKey
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
    const files: { filter: DownloadFilter; format: ResultsFormat; size: number }[] = [];
    let fetchedAt = 0;
    let damaged = false;
    for (const key of keys) {
      const found = await this.deps.cache.inspect(key);
      if (found.state === 'ok') {
        files.push({ filter: key.filter, format: key.format, size: found.size });
        fetchedAt = Math.max(fetchedAt, found.mtimeMs);
      } else if (found.state !== 'missing') {
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

  /** What the view shows once a refresh has run: for tests, through `BouncerExtensionApi`. */
  async describe(): Promise<TreeSnapshot> {
    await this.refreshNow();
    const text = (value: string | vscode.TreeItemLabel | vscode.MarkdownString | boolean | undefined): string => {
      if (typeof value === 'string') return value;
      if (value === undefined || typeof value === 'boolean') return '';
      return 'label' in value ? value.label : value.value;
    };
    return {
      originKey: this.deps.currentOriginKey(),
      message: this.treeView.message,
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

  dispose(): void {
    clearTimeout(this.refreshTimer);
    this.treeView.dispose();
    this.tree.dispose();
  }
}

/** The valid batch ID an argument names, if any: only for wording an error message. */
export function batchIdHint(arg: unknown): string | undefined {
  if (!isObject(arg) || typeof arg.batchId !== 'string') return undefined;
  const result = validateBatchId(arg.batchId);
  return result.ok ? result.id : undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
