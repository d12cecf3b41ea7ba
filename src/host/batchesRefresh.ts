import * as vscode from 'vscode';
import type { BatchHistoryStore } from './batchHistoryStore';
import type { BatchesView } from './batchesView';

/** The ages in descriptions ("cached 5 min ago") are recomputed this often while the view is visible. */
const AGE_REFRESH_MS = 60_000;
/** How often a visible list looks for another window's changes to the history. */
const HISTORY_SYNC_MS = 3_000;

/**
 * Keeps the Batches view current while it is on screen: its ages tick, and another window's changes
 * to the history (which VS Code does not announce) show up. A changed history refreshes it too.
 */
export function keepBatchesFresh(view: BatchesView, history: BatchHistoryStore): vscode.Disposable {
  const { treeView } = view;
  const ageTimer = setInterval(() => {
    if (treeView.visible) view.scheduleRefresh();
  }, AGE_REFRESH_MS);
  // Focus events do not always come (a browser tab, a window that never lost focus), so while the
  // list is on screen it also re-reads global state now and then; that is an in-memory read.
  const syncTimer = setInterval(() => {
    if (treeView.visible) history.reload();
  }, HISTORY_SYNC_MS);
  return vscode.Disposable.from(
    { dispose: () => clearInterval(ageTimer) },
    { dispose: () => clearInterval(syncTimer) },
    history.onDidChange(() => view.scheduleRefresh()),
    treeView.onDidChangeVisibility(({ visible }) => {
      if (!visible) return;
      // Another window may have changed the history or the cache while this view was hidden.
      if (!history.reload()) view.scheduleRefresh();
    }),
  );
}
