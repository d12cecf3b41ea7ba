import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { makeNonce, webviewHtml } from './webviewHtml';

/**
 * The page's own files, read once a session: they are carried inline (see `webviewHtml`). A file
 * that cannot be read is linked as before, so a page never misses its script.
 */
const assetTexts = new Map<string, string | undefined>();

function assetText(file: vscode.Uri): string | undefined {
  if (!assetTexts.has(file.fsPath)) {
    let text: string | undefined;
    try {
      text = fs.readFileSync(file.fsPath, 'utf8');
    } catch {
      text = undefined;
    }
    assetTexts.set(file.fsPath, text);
  }
  return assetTexts.get(file.fsPath);
}

/**
 * Gives a results panel its page: the table's script and styles (inline), its icon, and nothing else to load;
 * `dataOrigin` is the loopback table server the page may fetch big tables from.
 */
export function setUpPanelWebview(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, dataOrigin?: string): void {
  const dist = vscode.Uri.joinPath(extensionUri, 'dist');
  const media = vscode.Uri.joinPath(extensionUri, 'media');
  const port = dataOrigin ? Number(new URL(dataOrigin).port) : undefined;
  panel.webview.options = {
    enableScripts: true,
    localResourceRoots: [dist, media],
    // In a remote window the page runs on this machine and the server beside the extension host:
    // VS Code forwards the port. Locally it maps the port to itself.
    ...(port && vscode.env.uiKind === vscode.UIKind.Desktop
      ? { portMapping: [{ webviewPort: port, extensionHostPort: port }] }
      : {}),
  };
  panel.iconPath = {
    light: vscode.Uri.joinPath(media, 'table-icon-light.svg'),
    dark: vscode.Uri.joinPath(media, 'table-icon-dark.svg'),
  };
  panel.webview.html = webviewHtml({
    cspSource: panel.webview.cspSource,
    nonce: makeNonce(),
    dataOrigin,
    script: asset(panel.webview, vscode.Uri.joinPath(dist, 'webview.js')),
    style: asset(panel.webview, vscode.Uri.joinPath(media, 'table.css')),
    codiconUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'codicons', 'codicon.css')).toString(),
  });
}

function asset(webview: vscode.Webview, file: vscode.Uri): { uri: string; text?: string } {
  return { uri: webview.asWebviewUri(file).toString(), text: assetText(file) };
}
