import * as fs from 'node:fs/promises';
import * as vscode from 'vscode';

/**
 * Above this, text is not pushed into an untitled document: VS Code would copy it to the
 * extension host (and refuses beyond 50 MB), and typing in a huge untitled buffer is slow.
 */
export const UNTITLED_LIMIT_BYTES = 20 * 1024 * 1024;

export type OpenedAs = 'untitled' | 'file';

/**
 * Opens cached JSON results as a new untitled, pretty-printed `json` tab, or the cache file
 * itself when the pretty text would be too large. Resolves once the editor is visible.
 */
export async function openJsonResults(cachePath: string): Promise<OpenedAs> {
  const { size } = await fs.stat(cachePath);
  if (size <= UNTITLED_LIMIT_BYTES) {
    const pretty = JSON.stringify(JSON.parse(await fs.readFile(cachePath, 'utf8')), null, 2);
    if (Buffer.byteLength(pretty) <= UNTITLED_LIMIT_BYTES) {
      await showUntitled(pretty, 'json');
      return 'untitled';
    }
  }
  await openFile(cachePath);
  return 'file';
}

/** Opens cached CSV (the server's bytes as they are) the same way. */
export async function openCsvResults(cachePath: string): Promise<OpenedAs> {
  const { size } = await fs.stat(cachePath);
  if (size <= UNTITLED_LIMIT_BYTES) {
    const languages = await vscode.languages.getLanguages();
    await showUntitled(await fs.readFile(cachePath, 'utf8'), languages.includes('csv') ? 'csv' : 'plaintext');
    return 'untitled';
  }
  await openFile(cachePath);
  return 'file';
}

async function showUntitled(content: string, language: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument({ language, content });
  await vscode.window.showTextDocument(document, { preview: false });
}

/**
 * `vscode.open` lets the workbench open the file without syncing its text to the
 * extension host, which is what makes files above 50 MB openable at all.
 */
async function openFile(path: string): Promise<void> {
  await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(path), { preview: false });
}
