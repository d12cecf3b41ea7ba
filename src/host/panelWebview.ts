import * as vscode from 'vscode';
import { makeNonce, webviewHtml } from './webviewHtml';

/** Gives a results panel its page: the table's script and styles, its icon, and nothing else to load. */
export function setUpPanelWebview(panel: vscode.WebviewPanel, extensionUri: vscode.Uri): void {
  const dist = vscode.Uri.joinPath(extensionUri, 'dist');
  const media = vscode.Uri.joinPath(extensionUri, 'media');
  panel.webview.options = { enableScripts: true, localResourceRoots: [dist, media] };
  panel.iconPath = {
    light: vscode.Uri.joinPath(media, 'table-icon-light.svg'),
    dark: vscode.Uri.joinPath(media, 'table-icon-dark.svg'),
  };
  panel.webview.html = webviewHtml({
    cspSource: panel.webview.cspSource,
    nonce: makeNonce(),
    scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
    styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'table.css')).toString(),
    codiconUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'codicons', 'codicon.css')).toString(),
  });
}
