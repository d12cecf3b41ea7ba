import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeNonce, webviewHtml } from '../../src/host/webviewHtml';
import { CHROMIUM_ARGS } from '../harness/browser';
import type { Harness, HarnessConfig } from './pageShim';

/** The repository root, found from this compiled file (out/test/ui or bench output). */
export function repoRoot(): string {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      if (fs.existsSync(path.join(dir, 'esbuild.js')) && fs.existsSync(path.join(dir, 'src/webview/main.ts'))) {
        return dir;
      }
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error(`no repository root above ${__dirname} or ${process.cwd()}`);
}

/**
 * The slice of the DOM that functions run through `page.evaluate` use. The host tsconfig has no DOM
 * lib on purpose, so in-page code reaches `document` through `globalThis` typed with this.
 */
export interface PageElement {
  textContent: string | null;
  hidden: boolean;
  id: string;
  scrollTop: number;
  dataset: Record<string, string | undefined>;
  children: ArrayLike<PageElement>;
  getAttribute(name: string): string | null;
}
export interface PageDocument {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
  getElementById(id: string): PageElement | null;
}

/** Selectors for the table's parts, shared by the UI tests and the bench. */
export const TABLE = {
  statusChip: (status: string) => `.summary-legend[aria-label="Status filter"] .chip[data-value="${status}"]`,
  header: (column: string) => `[role=columnheader][data-column="${column}"]`,
  resizeHandle: (column: string) => `[role=columnheader][data-column="${column}"] .grid-resize`,
  filtersPopover: '.more-filters > summary',
  columnFilterColumn: 'select.column-filter-column',
  columnFilterText: 'input.column-filter-text',
  columnFilterChip: '.column-filter-chips .chip.column-filter',
  activeCell: '#grid-active-cell',
  search: 'input.search',
  statusLine: '.status-line',
} as const;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
};

/**
 * Serves the results page over loopback the way VS Code would: the real HTML and CSP from
 * `webviewHtml`, and only dist/ and media/ (the panel's localResourceRoots). `dataOrigin` is passed
 * on as the panel passes the loopback table server's origin; without it the page may fetch nothing.
 */
export async function startPageServer(
  options: { dataOrigin?: string } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const root = repoRoot();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/') {
      const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        webviewHtml({
          cspSource: origin,
          nonce: makeNonce(),
          // As the panel gives them: inline, with the URI for a text that cannot be.
          script: {
            uri: `${origin}/dist/webview.js`,
            text: fs.readFileSync(path.join(root, 'dist/webview.js'), 'utf8'),
          },
          style: {
            uri: `${origin}/media/table.css`,
            text: fs.readFileSync(path.join(root, 'media/table.css'), 'utf8'),
          },
          codiconUri: `${origin}/dist/codicons/codicon.css`,
          dataOrigin: options.dataOrigin,
        }),
      );
      return;
    }
    const rel = path.normalize(decodeURIComponent(url.pathname)).replace(/^[/\\]+/, '');
    const file = path.join(root, rel);
    if (!/^(dist|media)[/\\]/.test(rel) || !file.startsWith(root) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Builds dist/webview.js (production) and the page shim. */
export async function buildBundles(): Promise<string> {
  const root = repoRoot();
  await esbuild.build({
    entryPoints: [path.join(root, 'src/webview/main.ts')],
    outfile: path.join(root, 'dist/webview.js'),
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'warning',
  });
  const shim = await esbuild.build({
    entryPoints: [path.join(root, 'test/ui/pageShim.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'warning',
  });
  return shim.outputFiles[0].text;
}

// Precise memory info lets the bench read the page's heap.
const PAGE_ARGS = [...CHROMIUM_ARGS, '--enable-precise-memory-info'];

/** Launches Debian's Chromium; playwright-core gives it a fresh temporary profile and deletes it on close. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.BOUNCER_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: PAGE_ARGS,
  });
}

/** Opens the table page with the shim configured, and waits until the first rows are rendered. */
export async function openTable(browser: Browser, url: string, shim: string, config: HarnessConfig): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.addInitScript((cfg) => {
    (globalThis as unknown as { __harnessConfig: unknown }).__harnessConfig = cfg;
  }, config);
  await page.addInitScript({ content: shim });
  await page.goto(url);
  await waitRendered(page);
  return page;
}

/** Waits until the webview has rendered the whole batch after the latest data post. */
export async function waitRendered(page: Page): Promise<void> {
  await page.waitForFunction(
    () => (globalThis as unknown as { __harness?: Harness }).__harness?.completeAt !== undefined,
    undefined,
    { timeout: 120_000, polling: 16 },
  );
}
