import * as vscode from 'vscode';
import { statusGroups, type BatchEntry } from '../core/batchHistory';
import { remainingMs, type BatchProgress } from '../core/batchProgress';
import { localBytes, localCount } from './units';
import { isDownloadFilter, type DownloadFilter } from '../core/records';
import type { ResultsFormat } from '../core/resultsKey';
import type { CommandId } from './commands';

/** What is on disk for one batch, found by the Batches view (the tree never looks itself). */
export type BatchCacheState =
  | {
      readonly kind: 'cached';
      /** Newest usable file's modification time: when it was fetched. */
      readonly fetchedAt: number;
      /** The batch's cache folder. */
      readonly dir: string;
      readonly files: readonly { filter: DownloadFilter; format: ResultsFormat; size: number }[];
    }
  | {
      readonly kind: 'notCached';
      /** A file was there but is unusable (truncated, overwritten); Refresh fetches it again. */
      readonly damaged: boolean;
    };

export interface BatchRow {
  readonly entry: BatchEntry;
  readonly cache: BatchCacheState;
}

/** Everything the tree shows, as one immutable snapshot. */
export interface BatchesModel {
  readonly rows: readonly BatchRow[];
  /** The clock the ages are computed against, so the tree itself reads no clock. */
  readonly now: number;
}

export interface BatchNode {
  readonly kind: 'batch';
  readonly row: BatchRow;
  readonly batchId: string;
}

export interface StatusNode {
  readonly kind: 'status';
  readonly parent: BatchNode;
  readonly batchId: string;
  readonly status: string;
  readonly count: number;
}

export type BatchesNode = BatchNode | StatusNode;

/** What the items run when clicked; the handlers are in the command table. */
const SHOW_TABLE_COMMAND: CommandId = 'bouncer.batches.showTable';
const SHOW_STATUS_COMMAND: CommandId = 'bouncer.batches.showStatus';

// A Map: statuses are the server's strings, and `constructor` must not find Object's.
const STATUS_ICONS: ReadonlyMap<string, vscode.ThemeIcon> = new Map([
  ['deliverable', new vscode.ThemeIcon('pass', new vscode.ThemeColor('charts.green'))],
  ['risky', new vscode.ThemeIcon('warning', new vscode.ThemeColor('charts.yellow'))],
  ['undeliverable', new vscode.ThemeIcon('error', new vscode.ThemeColor('charts.red'))],
  ['unknown', new vscode.ThemeIcon('question')],
]);

/**
 * Maps the Batches view's model to tree items and says when it changed. No I/O, no messages, no
 * clock: BatchesView computes a {@link BatchesModel} and hands it over with `setModel`.
 */
export class BatchesTree implements vscode.TreeDataProvider<BatchesNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<BatchesNode | undefined>();
  readonly onDidChangeTreeData: vscode.Event<BatchesNode | undefined> = this.changed.event;

  private model: BatchesModel = { rows: [], now: 0 };
  private roots: BatchNode[] = [];
  private children = new Map<BatchNode, StatusNode[]>();

  /** Replaces the model and refreshes the whole tree. */
  setModel(model: BatchesModel): void {
    this.model = model;
    this.roots = model.rows.map((row) => ({ kind: 'batch', row, batchId: row.entry.batchId }));
    this.children = new Map(
      this.roots.map((parent) => [
        parent,
        statusGroups(parent.row.entry).map(({ status, count }): StatusNode => ({
          kind: 'status',
          parent,
          batchId: parent.batchId,
          status,
          count,
        })),
      ]),
    );
    this.changed.fire(undefined);
  }

  /** The batch nodes now shown, newest first. */
  batches(): readonly BatchNode[] {
    return this.roots;
  }

  getChildren(node?: BatchesNode): BatchesNode[] {
    if (!node) return this.roots;
    return node.kind === 'batch' ? (this.children.get(node) ?? []) : [];
  }

  getParent(node: BatchesNode): BatchesNode | undefined {
    return node.kind === 'status' ? node.parent : undefined;
  }

  getTreeItem(node: BatchesNode): vscode.TreeItem {
    return node.kind === 'batch' ? this.batchItem(node) : statusItem(node);
  }

  dispose(): void {
    this.changed.dispose();
  }

  private batchItem(node: BatchNode): vscode.TreeItem {
    const { entry, cache } = node.row;
    const hasGroups = (this.children.get(node)?.length ?? 0) > 0;
    const item = new vscode.TreeItem(
      entry.name ?? entry.batchId,
      hasGroups ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    // The ID keeps expansion and selection across refreshes; it includes whether the item can
    // expand, because VS Code keeps a stale "no children" state for a reused ID.
    item.id = `batch/${entry.batchId}/${hasGroups ? 'groups' : 'leaf'}`;
    item.description = describeBatch(entry, cache, this.model.now);
    item.tooltip = batchTooltip(entry, cache, this.model.now);
    item.contextValue = [
      'batch',
      entry.pending ? 'pending' : undefined,
      cache.kind === 'cached' ? 'cached' : undefined,
      entry.verifiedAgainFrom ? 'again' : undefined,
    ]
      .filter(Boolean)
      .join('-');
    item.iconPath = new vscode.ThemeIcon(
      entry.following && entry.progress?.status === 'processing'
        ? 'sync~spin'
        : entry.pending
          ? 'watch'
          : cache.kind === 'cached'
            ? 'mail'
            : 'cloud-download',
    );
    item.command = { command: SHOW_TABLE_COMMAND, title: vscode.l10n.t('Show Table'), arguments: [node] };
    item.accessibilityInformation = { label: `${item.label as string}, ${item.description}` };
    return item;
  }
}

function statusItem(node: StatusNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.status, vscode.TreeItemCollapsibleState.None);
  item.id = `batch/${node.batchId}/status/${node.status}`;
  item.description = localCount(node.count);
  item.iconPath = STATUS_ICONS.get(node.status) ?? new vscode.ThemeIcon('circle-outline');
  // The unknown group also offers Verify Again.
  item.contextValue = node.status === 'unknown' ? 'status-unknown' : 'status';
  item.accessibilityInformation = { label: `${node.status}, ${item.description}` };
  // Only documented statuses can be asked of the server as a filter.
  if (isDownloadFilter(node.status)) {
    item.tooltip = vscode.l10n.t('Show the {0} records of this batch in a table', node.status);
    item.command = {
      command: SHOW_STATUS_COMMAND,
      title: vscode.l10n.t('Show Table'),
      arguments: [node],
    };
  }
  return item;
}

function describeBatch(entry: BatchEntry, cache: BatchCacheState, now: number): string {
  const parts: string[] = [];
  if (entry.following) {
    parts.push(describeProgress(entry.progress, now));
    return parts.join(' · ');
  }
  if (entry.total !== undefined) parts.push(vscode.l10n.t('{0} emails', localCount(entry.total)));
  if (entry.pending) parts.push(vscode.l10n.t('not completed'));
  if (cache.kind === 'cached') {
    // Clicking the batch opens all of it, so only the unfiltered results make it simply "cached".
    const complete = cache.files.some((file) => file.filter === 'all');
    const age = describeAge(now - cache.fetchedAt);
    parts.push(complete ? vscode.l10n.t('cached {0}', age) : vscode.l10n.t('partly cached {0}', age));
  } else {
    parts.push(cache.damaged ? vscode.l10n.t('cache damaged, not cached') : vscode.l10n.t('not cached'));
  }
  return parts.join(' · ');
}

function batchTooltip(entry: BatchEntry, cache: BatchCacheState, now: number): string {
  const lines: string[] = [];
  if (entry.name) lines.push(entry.name);
  lines.push(vscode.l10n.t('Batch ID: {0}', entry.batchId));
  if (entry.total !== undefined) lines.push(vscode.l10n.t('Emails: {0}', localCount(entry.total)));
  for (const { status, count } of statusGroups(entry)) lines.push(`  ${status}: ${localCount(count)}`);
  if (entry.verifiedAgainFrom) {
    lines.push(vscode.l10n.t('Verifies again addresses of batch {0}', entry.verifiedAgainFrom));
  }
  if (entry.following) {
    lines.push(vscode.l10n.t('Followed until it completes: {0}', describeProgress(entry.progress, now)));
  } else if (entry.pending) lines.push(vscode.l10n.t('Not completed yet when last asked.'));
  if (cache.kind === 'cached') {
    lines.push(vscode.l10n.t('Fetched {0}', describeAge(now - cache.fetchedAt)));
    lines.push(vscode.l10n.t('Cached in {0}', cache.dir));
    for (const file of cache.files) lines.push(`  ${file.filter}.${file.format} (${localBytes(file.size)})`);
  } else {
    lines.push(
      cache.damaged
        ? vscode.l10n.t('The cached file is damaged; Refresh downloads it again.')
        : vscode.l10n.t('Not cached; opening it downloads it.'),
    );
  }
  return lines.join('\n');
}

/**
 * "queued", "processing · 120 of 1,000 (12%)", then "· about 3 min left" once two polls gave a
 * rate. Before the first poll a new batch is queued, as Bouncer creates it.
 */
function describeProgress(progress: BatchProgress | undefined, now: number): string {
  if (!progress) return vscode.l10n.t('queued');
  const parts = [progress.status];
  const { processed, quantity } = progress;
  if (quantity !== undefined && quantity > 0 && processed !== undefined) {
    const percent = Math.floor((Math.min(processed, quantity) * 100) / quantity);
    parts.push(vscode.l10n.t('{0} of {1} ({2}%)', localCount(processed), localCount(quantity), percent));
  }
  const left = remainingMs(progress);
  if (left !== undefined) {
    // The estimate counts from the poll, not from now.
    const minutes = Math.ceil(Math.max(0, left - (now - progress.checkedAt)) / 60_000);
    parts.push(minutes <= 1 ? vscode.l10n.t('about a minute left') : vscode.l10n.t('about {0} min left', minutes));
  }
  return parts.join(' · ');
}

/** "just now", "5 min ago", "3 h ago", "2 days ago". */
function describeAge(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return vscode.l10n.t('just now');
  if (minutes < 60) return vscode.l10n.t('{0} min ago', minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return vscode.l10n.t('{0} h ago', hours);
  const days = Math.floor(hours / 24);
  return days === 1 ? vscode.l10n.t('1 day ago') : vscode.l10n.t('{0} days ago', days);
}
