import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { clipboardText, writeCsvRows, writeJsonRows } from '../model/export';
import type { ResultsStore } from '../model/store';
import { openExportedFile } from './documentOpener';

// What the results table asks the host to do with rows the person picked: the clipboard, the
// file system and editors are the host's. The rows are checked against the store by the panel.

/** More than this is an export, not a copy. */
const MAX_CLIPBOARD_ROWS = 100_000;

export async function copyRows(
  store: ResultsStore,
  rows: Uint32Array,
  what: 'csv' | 'emails',
  neutralizeFormulas: boolean,
): Promise<void> {
  if (rows.length === 0) return;
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
  await vscode.env.clipboard.writeText(clipboardText(store, rows, what, neutralizeFormulas));
  void vscode.window.setStatusBarMessage(
    what === 'emails'
      ? vscode.l10n.t('Copied {0} emails', rows.length)
      : vscode.l10n.t('Copied {0} rows as CSV', rows.length),
    4000,
  );
}

export interface ExportTarget {
  format: 'csv' | 'json';
  /** A file the person picks, or a new editor tab. */
  target: 'file' | 'tab';
  /** The file name offered, e.g. `<batch>-<filter>-view.csv`. */
  fileName: string;
  /** The extension's global storage: where tab exports are written, and the save dialog's start without a workspace. */
  storage: vscode.Uri;
  neutralizeFormulas: boolean;
}

export async function exportRows(store: ResultsStore, rows: Uint32Array, to: ExportTarget): Promise<void> {
  if (to.target === 'file') {
    const defaultDir = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(to.storage.fsPath);
    const dest = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(defaultDir, to.fileName),
      filters: to.format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
    });
    if (!dest) return;
    await write(store, rows, dest.fsPath, to);
    const open = vscode.l10n.t('Open');
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t('Exported {0} rows to {1}.', rows.length, path.basename(dest.fsPath)),
      open,
    );
    if (choice === open) await vscode.commands.executeCommand('vscode.open', dest);
    return;
  }
  const dir = vscode.Uri.joinPath(to.storage, 'exports').fsPath;
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, to.fileName);
  await write(store, rows, file, to);
  // Written by writeCsvRows under the setting already: the tab shows the file as it is.
  await openExportedFile(file);
}

async function write(store: ResultsStore, rows: Uint32Array, file: string, to: ExportTarget): Promise<void> {
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Writing {0} rows…', rows.length) },
    () =>
      to.format === 'csv' ? writeCsvRows(store, rows, file, to.neutralizeFormulas) : writeJsonRows(store, rows, file),
  );
}
