import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { PRETTY_JSON_LIMIT_BYTES, jsonLayout, type JsonLayout } from '../core/resultsDocument';
import type { ResultsDocumentKey } from '../core/resultsUri';
import { resultsDocumentUri } from './resultsFileSystem';

/**
 * VS Code gives extensions no document over 50 MB, so `showTextDocument` fails for one: larger
 * results open through `vscode.open`, which leaves the text in the workbench. Below this size of
 * cached JSON every document stays under that limit (CSV is smaller than its JSON).
 */
const SYNCED_LIMIT_BYTES = PRETTY_JSON_LIMIT_BYTES;

/**
 * Opens the `bouncer-results:` document of cached results (see `ResultsFileSystem`) as a
 * non-preview tab; resolves once it is the active editor. Returns the JSON layout it shows and the
 * size of the cached JSON it is made from.
 */
export async function openResultsDocument(
  key: ResultsDocumentKey,
  cachePath: string,
): Promise<{ layout: JsonLayout; bytes: number }> {
  const { size } = await fs.stat(cachePath);
  const uri = resultsDocumentUri(key);
  if (size <= SYNCED_LIMIT_BYTES) {
    // The language comes from the name's `.json` / `.csv`, as for a file on disk.
    await vscode.window.showTextDocument(uri, { preview: false });
  } else {
    await vscode.commands.executeCommand('vscode.open', uri, { preview: false });
  }
  return { layout: jsonLayout(size), bytes: size };
}

/**
 * Opens a file the extension wrote (a view exported from the table) as itself: a real file, so
 * closing its tab asks nothing, and any size opens (`vscode.open` does not sync it to extensions).
 */
export async function openExportedFile(file: string): Promise<void> {
  await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file), { preview: false });
}
