import * as vscode from 'vscode';
import { makeNonce, webviewHtml } from './webviewHtml';

/**
 * Gives a results panel its page: the table's script and styles, its icon, and nothing else to load;
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
    scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
    styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'table.css')).toString(),
    codiconUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'codicons', 'codicon.css')).toString(),
  });
}
