import * as vscode from 'vscode';
import {
  entriesOf,
  findEntry,
  followedBatchIds,
  forgetDownloads,
  markPending,
  recordDownload,
  recordCreated,
  recordFollowing,
  recordOpened,
  recordProgress,
  removeEntry,
  renameEntry,
  stopFollowing,
  type BatchEntry,
  type FollowInfo,
  type HistoryRecorder,
  type HistoryState,
} from '../core/batchHistory';
import { parseHistory } from '../core/batchHistoryRead';
import type { BatchProgress } from '../core/batchProgress';
import type { BatchStatus } from '../core/batchStatus';
import type { DownloadSummary } from '../core/ingest';
import type { DownloadFilter } from '../core/records';
import type { ResultsFormat, ResultsKey } from '../core/resultsKey';

export type { BatchEntry } from '../core/batchHistory';

/** Global-state key of the history; the value is a `HistoryState` as JSON. */
const HISTORY_STATE_KEY = 'bouncer.batchHistory';

/**
 * The batch history kept in `globalState`, so every window and every workspace sees the same list.
 *
 * VS Code updates a window's `globalState` when another window writes it, but tells no one; so the
 * store re-reads it when this window gains focus (and on `reload()`), and fires `onDidChange` only
 * when the stored value really changed. Every write re-reads first and is queued behind the
 * previous one, so two quick writes, or a write after another window's, lose nothing.
 */
export class BatchHistoryStore implements HistoryRecorder, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after the history changed, here or (noticed on focus or `reload`) in another window. */
  readonly onDidChange: vscode.Event<void> = this.changed.event;

  private state: HistoryState;
  private serialized: string;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly focusListener: vscode.Disposable;

  constructor(private readonly memento: vscode.Memento) {
    this.state = parseHistory(memento.get<unknown>(HISTORY_STATE_KEY));
    this.serialized = JSON.stringify(this.state);
    this.focusListener = vscode.window.onDidChangeWindowState((windowState) => {
      if (windowState.focused) this.reload();
    });
  }

  /** Entries of one API origin, newest first. */
  entries(originKey: string): readonly BatchEntry[] {
    return entriesOf(this.state, originKey);
  }

  /** One batch's entry, if remembered. */
  entry(originKey: string, batchId: string): BatchEntry | undefined {
    return findEntry(this.state, originKey, batchId);
  }

  /** Records a completed download: the batch moves to the top with fresh counts. */
  recordDownload(key: ResultsKey, summary: DownloadSummary): Promise<void> {
    const { originKey, batchId, filter, format } = key;
    return this.update((s) => recordDownload(s, originKey, batchId, filter, format, summary, Date.now()));
  }

  /** Records that a batch was opened from the cache: it moves to the top. */
  recordOpened(key: ResultsKey): Promise<void> {
    return this.update((s) => recordOpened(s, key.originKey, key.batchId, Date.now()));
  }

  /** Sets or clears the "not completed yet" flag (405). */
  markPending(originKey: string, batchId: string, pending: boolean): Promise<void> {
    return this.update((s) => markPending(s, originKey, batchId, pending, Date.now()));
  }

  /** Records a batch created here: at the top, named, pending until it completes. */
  recordCreated(originKey: string, batchId: string, name: string | undefined): Promise<void> {
    return this.update((s) => recordCreated(s, originKey, batchId, name, Date.now()));
  }

  /** Marks a batch as followed by the poller (and pending), remembering where it came from. */
  follow(originKey: string, batchId: string, info: FollowInfo = {}): Promise<void> {
    return this.update((s) => recordFollowing(s, originKey, batchId, info, Date.now()));
  }

  /** Records a status poll; a completed batch stops being followed. */
  recordProgress(originKey: string, batchId: string, status: BatchStatus, progress: BatchProgress): Promise<void> {
    return this.update((s) => recordProgress(s, originKey, batchId, status, progress));
  }

  stopFollowing(originKey: string, batchId: string): Promise<void> {
    return this.update((s) => stopFollowing(s, originKey, batchId));
  }

  /** IDs of the batches of one origin being followed (as stored: after a reload too). */
  followed(originKey: string): string[] {
    return followedBatchIds(this.state, originKey);
  }

  /** Names a batch; a blank name goes back to showing the ID. */
  rename(originKey: string, batchId: string, name: string | undefined): Promise<void> {
    return this.update((s) => renameEntry(s, originKey, batchId, name));
  }

  /** Forgets a batch. */
  remove(originKey: string, batchId: string): Promise<void> {
    return this.update((s) => removeEntry(s, originKey, batchId));
  }

  /** Forgets one (or, without `which`, every) recorded download of a batch whose cache is gone. */
  forgetDownloads(
    originKey: string,
    batchId: string,
    which?: { filter: DownloadFilter; format: ResultsFormat },
  ): Promise<void> {
    return this.update((s) => forgetDownloads(s, originKey, batchId, which));
  }

  /**
   * Re-reads global state, picking up another window's changes; fires `onDidChange` when they
   * differ from what this window knew. Returns whether anything changed.
   */
  reload(): boolean {
    const fresh = parseHistory(this.memento.get<unknown>(HISTORY_STATE_KEY));
    const text = JSON.stringify(fresh);
    if (text === this.serialized) return false;
    this.state = fresh;
    this.serialized = text;
    this.changed.fire();
    return true;
  }

  dispose(): void {
    this.focusListener.dispose();
    this.changed.dispose();
  }

  private update(change: (state: HistoryState) => HistoryState): Promise<void> {
    const run = async (): Promise<void> => {
      // Start from what is stored now, not from this window's copy, so another window's
      // recent changes are not overwritten.
      this.reload();
      const next = change(this.state);
      if (next === this.state) return;
      const text = JSON.stringify(next);
      if (text === this.serialized) return;
      this.state = next;
      this.serialized = text;
      this.changed.fire();
      await this.memento.update(HISTORY_STATE_KEY, next);
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
