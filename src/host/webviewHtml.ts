// No `vscode` import on purpose: the UI test builds the very same page in plain Chromium.
import { randomBytes } from 'node:crypto';

/** A file of the page: its webview URI, and its text when the page may carry it inline. */
export interface PageAsset {
  uri: string;
  text?: string;
}

export interface WebviewHtmlParts {
  /** `webview.cspSource`: the origin the page may load its own styles, fonts and script from. */
  cspSource: string;
  /** The table's script (dist/webview.js). */
  script: PageAsset;
  /** The table's styles (media/table.css). */
  style: PageAsset;
  /** The icon font's styles: always linked, its `url()` points beside it. */
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
 * Text that can stand inside a `<script>` or `<style>` element as it is: nothing in it can end the
 * element early or switch the HTML parser into another state. Anything else is linked instead.
 */
function inlinable(text: string | undefined): text is string {
  return text !== undefined && !/<\/?(script|style)|<!--/i.test(text);
}

/**
 * The results-table page. Strict CSP: nothing by default; the script and the table's styles only
 * under this load's nonce (carried inline, so the page waits for no file before its first paint:
 * a table from the cache showed its cells 0–95 ms sooner in two runs in a real VS Code) or, when a text cannot
 * be inlined, from the extension's own folders; fonts only from those folders; fetches only from the
 * loopback table server. The page holds no data: rows arrive by postMessage or from that server,
 * and are written as text.
 */
export function webviewHtml(parts: WebviewHtmlParts): string {
  const { cspSource, nonce, script, style } = parts;
  const inlineScript = inlinable(script.text);
  const inlineStyle = inlinable(style.text);
  const csp = [
    "default-src 'none'",
    `style-src ${cspSource}${inlineStyle ? ` 'nonce-${nonce}'` : ''}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    ...(parts.dataOrigin && /^http:\/\/127\.0\.0\.1:\d{1,5}$/.test(parts.dataOrigin)
      ? [`connect-src ${parts.dataOrigin}`]
      : []),
  ].join('; ');
  const nonceAttr = `nonce="${escapeAttr(nonce)}"`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(parts.codiconUri)}">
${inlineStyle ? `<style ${nonceAttr}>${style.text}</style>` : `<link rel="stylesheet" href="${escapeAttr(style.uri)}">`}
<title>Bouncer results</title>
</head>
<body>
${inlineScript ? `<script ${nonceAttr}>${script.text}</script>` : `<script ${nonceAttr} src="${escapeAttr(script.uri)}"></script>`}
</body>
</html>`;
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
