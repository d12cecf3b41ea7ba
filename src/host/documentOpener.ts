import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readResultsText } from '../core/readRecords';
import { readNeutralizedCsv, writeNeutralizedCsv } from '../core/safeCsv';

/**
 * Above this, text is not pushed into an untitled document: VS Code would copy it to the
 * extension host (and refuses beyond 50 MB), and typing in a huge untitled buffer is slow.
 */
const UNTITLED_LIMIT_BYTES = 20 * 1024 * 1024;

export type OpenedAs = 'untitled' | 'file';

/**
 * Opens cached JSON results as a new untitled, pretty-printed `json` tab named `<name>.json`
 * (Save As suggests it), or the cache file itself when the pretty text would be too large.
 * Resolves once the editor is visible.
 */
export async function openJsonResults(cachePath: string, name = baseName(cachePath)): Promise<OpenedAs> {
  const { size } = await fs.stat(cachePath);
  if (size <= UNTITLED_LIMIT_BYTES) {
    // Read as the table reads it: ingest accepts a body that starts with a BOM, and so must this tab.
    const pretty = JSON.stringify(JSON.parse(await readResultsText(cachePath)), null, 2);
    if (Buffer.byteLength(pretty) <= UNTITLED_LIMIT_BYTES) {
      await showUntitled(pretty, 'json', `${name}.json`);
      return 'untitled';
    }
  }
  await openFile(cachePath);
  return 'file';
}

/**
 * How a CSV file reaches its tab: as it is (a file the extension wrote under the setting already),
 * or with formula cells neutralised, re-encoded cell by cell; a neutralised copy too large for an
 * untitled tab is written into `largeCopyDir` and that file opens instead.
 */
export type CsvTabText = { neutralizeFormulas: false } | { neutralizeFormulas: true; largeCopyDir: string };

/**
 * Opens a CSV file the same way, as `<name>.csv`. The file itself (the cache keeps the server's
 * bytes) is never changed: Save As from the tab saves what the tab shows.
 */
export async function openCsvResults(csvPath: string, text: CsvTabText, name = baseName(csvPath)): Promise<OpenedAs> {
  const { size } = await fs.stat(csvPath);
  const fileName = `${name}.csv`;
  if (size <= UNTITLED_LIMIT_BYTES) {
    const content = text.neutralizeFormulas ? await readNeutralizedCsv(csvPath) : await fs.readFile(csvPath, 'utf8');
    if (Buffer.byteLength(content) <= UNTITLED_LIMIT_BYTES) {
      const languages = await vscode.languages.getLanguages();
      await showUntitled(content, languages.includes('csv') ? 'csv' : 'plaintext', fileName);
      return 'untitled';
    }
  }
  if (!text.neutralizeFormulas) {
    await openFile(csvPath);
    return 'file';
  }
  const copy = path.join(text.largeCopyDir, fileName);
  await writeNeutralizedCsv(csvPath, copy);
  await openFile(copy);
  return 'file';
}

/**
 * A named untitled document rather than `Untitled-N`: the tab says which batch it is, and the
 * name is never one VS Code recycles, so a just-closed document's text cannot come back. The
 * content is set by an edit, which also refreshes a tab of the same name that is still open.
 */
async function showUntitled(content: string, language: string, fileName: string): Promise<void> {
  const uri = vscode.Uri.from({ scheme: 'untitled', path: fileName });
  const existing = await vscode.workspace.openTextDocument(uri);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(0, 0, existing.lineCount, 0), content);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`Could not fill the ${fileName} tab.`);
  const document =
    existing.languageId === language ? existing : await vscode.languages.setTextDocumentLanguage(existing, language);
  await vscode.window.showTextDocument(document, { preview: false });
}

function baseName(file: string): string {
  return path.basename(file, path.extname(file));
}

/**
 * `vscode.open` lets the workbench open the file without syncing its text to the
 * extension host, which is what makes files above 50 MB openable at all.
 */
async function openFile(path: string): Promise<void> {
  await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(path), { preview: false });
}
