// No `vscode` import on purpose: the UI test builds the very same page in plain Chromium.
import { randomBytes } from 'node:crypto';

export interface WebviewHtmlParts {
  /** `webview.cspSource`: the origin the page may load its own styles, fonts and script from. */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  codiconUri: string;
  /** Fresh for every page load. */
  nonce: string;
  /** The loopback table server's origin (`http://127.0.0.1:<port>`), the one address the page may fetch from. */
  dataOrigin?: string;
}

/** 128 random bits, base64: the script nonce for one page load. */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * The results-table page. Strict CSP: nothing by default, the one script only by nonce, styles and
 * fonts only from the extension's own folders, fetches only from the loopback table server. The page
 * holds no data: rows arrive by postMessage or from that server, and are written as text.
 */
export function webviewHtml(parts: WebviewHtmlParts): string {
  const { cspSource, nonce } = parts;
  const csp = [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    ...(parts.dataOrigin && /^http:\/\/127\.0\.0\.1:\d{1,5}$/.test(parts.dataOrigin)
      ? [`connect-src ${parts.dataOrigin}`]
      : []),
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(parts.codiconUri)}">
<link rel="stylesheet" href="${escapeAttr(parts.styleUri)}">
<title>Bouncer results</title>
</head>
<body>
<script nonce="${escapeAttr(nonce)}" src="${escapeAttr(parts.scriptUri)}"></script>
</body>
</html>`;
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
