/** The results page's HTML and CSP as the panel builds them (plain Node: the other UI tests run the page). */
import * as assert from 'node:assert/strict';
import { webviewHtml, type WebviewHtmlParts } from '../../src/host/webviewHtml';

const SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

function page(script: string | undefined, style: string | undefined, extra: Partial<WebviewHtmlParts> = {}): string {
  return webviewHtml({
    cspSource: SOURCE,
    nonce: 'bm9uY2U=',
    codiconUri: `${SOURCE}/dist/codicons/codicon.css`,
    script: { uri: `${SOURCE}/dist/webview.js`, text: script },
    style: { uri: `${SOURCE}/media/table.css`, text: style },
    ...extra,
  });
}

function csp(html: string): Map<string, string> {
  const content = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1] ?? '';
  return new Map(
    content.split('; ').map((directive) => {
      const [name, ...values] = directive.split(' ');
      return [name, values.join(' ')] as const;
    }),
  );
}

describe('webviewHtml: the results page and its CSP', () => {
  it('carries the script and the table styles inline under the nonce, and links only the icon font', () => {
    const html = page('console.log("table");', '.grid { color: red; }');
    assert.match(html, /<script nonce="bm9uY2U=">console\.log\("table"\);<\/script>/);
    assert.match(html, /<style nonce="bm9uY2U=">\.grid \{ color: red; \}<\/style>/);
    assert.doesNotMatch(html, /webview\.js|table\.css/);
    assert.match(html, /<link rel="stylesheet" href="[^"]*codicon\.css">/);
    const policy = csp(html);
    assert.equal(policy.get('default-src'), "'none'");
    assert.equal(policy.get('script-src'), "'nonce-bm9uY2U='");
    assert.equal(policy.get('style-src'), `${SOURCE} 'nonce-bm9uY2U='`);
    assert.equal(policy.get('connect-src'), undefined, 'no fetches without a table server');
  });

  it('links a text that could end its element early or change how the page is parsed, never inlines it', () => {
    for (const [script, style] of [
      ['const s = "</script><img src=x onerror=alert(1)>";', '</style><script>alert(1)</script>'],
      ['/* <!-- */ run();', 'a { b: c } <!-- d'],
      ['x = "<SCRIPT>";', '</STYLE>'],
    ]) {
      const html = page(script, style);
      assert.match(html, /<script nonce="bm9uY2U=" src="[^"]*\/dist\/webview\.js"><\/script>/);
      assert.match(html, /<link rel="stylesheet" href="[^"]*\/media\/table\.css">/);
      assert.ok(!html.includes(script) && !html.includes(style), 'neither text is in the page');
      assert.equal(csp(html).get('style-src'), SOURCE, 'no inline style allowed when none is inlined');
    }
  });

  it('links the files it could not read, and allows fetches from the loopback table server only', () => {
    const html = page(undefined, undefined, { dataOrigin: 'http://127.0.0.1:43123' });
    assert.match(html, /src="[^"]*\/dist\/webview\.js"/);
    assert.match(html, /href="[^"]*\/media\/table\.css"/);
    assert.equal(csp(html).get('connect-src'), 'http://127.0.0.1:43123');
    const odd = page('x();', '', { dataOrigin: 'http://127.0.0.1:1 https://elsewhere.example' });
    assert.equal(csp(odd).get('connect-src'), undefined, 'an origin of another shape is left out');
  });
});
